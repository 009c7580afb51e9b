// The manifest of a backup (<stamp>/manifest.json), as shell text shared by backup.sh, restore.sh
// and the restore check: reading its object list, the checksum it carries over that list, and
// which stamp `latest` is.
//
// Version 2 manifests carry "objects_sha256": the sha256 of the lines
//   stamp <stamp>
//   <kind> <key> <size> <sha256>     (one per object, in manifest order)
// so an object list that was edited, truncated or copied under another stamp no longer matches,
// and a restore refuses it before it fetches anything. It is a checksum, not a signature: it
// catches corruption and careless edits; someone who can write the bucket can also write a
// matching checksum, which is why deletes and overwrites stay recoverable through versioning
// (components/storage.ts) and `latest` never follows a stamp from the future.
//
// Pure text: no Pulumi import.

export const MANIFEST_VERSION = 2;

/** A backup stamped more than this far ahead of the clock is never `latest` (and is counted, alerted). */
export const FUTURE_STAMP_TOLERANCE_SECONDS = 3600;

export const MANIFEST_FUNCTIONS = `FUTURE_STAMP_TOLERANCE_SECONDS=${FUTURE_STAMP_TOLERANCE_SECONDS}

# Prints "<kind> <key> <size> <sha256>" per object of a manifest written by backup.sh.
manifest_objects() {
  sed -n 's/^ *{"kind":"\\([a-z]*\\)","path":"\\([^"]*\\)","size":\\([0-9]*\\),"sha256":"\\([0-9a-f]*\\)"}.*/\\1 \\2 \\3 \\4/p' "$1"
}
manifest_field() { # <manifest> <name> — a top-level string field
  sed -n "s/^  \\"$2\\": \\"\\([^\\"]*\\)\\",\\{0,1\\}$/\\1/p" "$1" | head -n 1
}
manifest_digest() { # <manifest> — sha256 of its stamp line and object lines
  { echo "stamp $(manifest_field "$1" stamp)"; manifest_objects "$1"; } | sha256sum | cut -d' ' -f1
}

# A manifest a restore may follow: it says it is backup <stamp>, and its object list matches the
# checksum written with it.
manifest_check() { # <manifest> <stamp>
  want=$(manifest_field "$1" objects_sha256)
  [ -n "$want" ] || { log "manifest $2 carries no objects_sha256 (written before manifest version ${MANIFEST_VERSION}, or altered): refusing it"; return 1; }
  said=$(manifest_field "$1" stamp)
  [ "$said" = "$2" ] || { log "manifest under $2/ says it is backup \${said:-(none)}: refusing it"; return 1; }
  [ "$(manifest_digest "$1")" = "$want" ] || { log "manifest $2 does not match its objects_sha256 (its object list changed after it was written): refusing it"; return 1; }
}

# Expiry reads every kept manifest in full: a version-2 one must pass manifest_check; an older one
# (no checksum) must at least end where its JSON ends, so a truncated read never names too few blocks.
manifest_complete() { # <manifest> <stamp>
  if [ -n "$(manifest_field "$1" objects_sha256)" ]; then manifest_check "$1" "$2"; return; fi
  [ "$(tail -n 1 "$1")" = "}" ] || { log "manifest $2 is cut short"; return 1; }
}

stamp_after() { # <unix seconds> — the stamp of that moment, for comparisons (stamps sort as text)
  date -u -d "@$1" +%Y%m%dT%H%M%SZ
}

# latest: the newest stamp with a manifest, skipping (with a log line) any stamped more than an
# hour in the future: a clock that was once wrong, or someone else's object, must not decide what
# a disaster restore brings back. A listing that fails is an error, never "no backup".
resolve_stamp() { # latest|<stamp>
  if [ "$1" != latest ]; then
    t_exists "$1/manifest.json"; look=$?
    [ "$look" = 0 ] && { echo "$1"; return 0; }
    if [ "$look" = 1 ]; then log "no manifest for backup $1"; else log "cannot look for $1/manifest.json"; fi
    return 1
  fi
  limit=$(stamp_after $(( $(date +%s) + FUTURE_STAMP_TOLERANCE_SECONDS ))) || return 1
  stamps=$(t_stamps) || { log "cannot list backups"; return 1; }
  for s in $(printf '%s\\n' "$stamps" | sort -r); do
    if expr "$s" \\> "$limit" >/dev/null; then
      log "skipping backup $s as latest: stamped more than an hour in the future (after $limit); restore it only by naming it"
      continue
    fi
    t_exists "$s/manifest.json"; look=$?
    [ "$look" = 0 ] && { echo "$s"; return 0; }
    [ "$look" = 1 ] || { log "cannot look for $s/manifest.json"; return 1; }
  done
  log "no complete backup (no <stamp>/manifest.json) found"; return 1
}
`;
