// Shell text shared by the backup, restore and verify scripts: quoting, logging, the
// destination (a directory on a volume, or an S3 bucket) behind five small functions, and the
// layout of a backup on it. Both destinations hold the same tree:
//
//   blocks/<ULID>/...            a Prometheus block, uploaded once (blocks are immutable)
//   blocks/<ULID>/SHA256SUMS     "<sha256> <size> <path>" per file; written last, so its
//                                presence means the block is complete
//   <stamp>/grafana/grafana.db   SQLite online backup, integrity-checked before upload
//   <stamp>/alertmanager/...     silences and notification log
//   <stamp>/manifest.json        written last: names every object a restore needs, with sizes
//                                and sha256; a stamp without it is an incomplete run
//
// Pure text: no Pulumi import, so the live tests render the same scripts with temp paths.
import { MANIFEST_FUNCTIONS } from "./backup-manifest";

export type BackupDestination =
  | { readonly kind: "volume"; readonly dir: string }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly region: string;
      /** Key prefix inside the bucket, without slashes at either end. Default: none. */
      readonly prefix?: string;
      /** S3-compatible endpoint (tests point it at a loopback server). Default: AWS. */
      readonly endpointUrl?: string;
    };

/** Where each service's data directory is, as the script sees it. */
export interface DataDirs {
  readonly prometheus: string;
  readonly grafana: string;
  readonly alertmanager: string;
}

/** Commands the scripts call; defaults are the names on the image's PATH. */
export interface BackupTools {
  readonly aws?: string;
  readonly promtool?: string;
}

/** A backup stamp: UTC time of the run, also the directory/key prefix of its files. */
export const STAMP_PATTERN = /^[0-9]{8}T[0-9]{6}Z$/;

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The destination functions every script uses:
 *   t_put <local file> <key>   t_get <key> <local file>
 *   t_stat <key>  prints the time the store recorded for the object (Unix seconds: S3's
 *                 LastModified, the file's mtime on a volume); exit 0 present, 1 absent (a
 *                 listing that succeeded does not show it), 2 the listing failed
 *   t_exists <key>  t_stat without the time
 *   t_put_dir <local dir> <key prefix>   t_get_dir <key prefix> <local dir>  (one call per block:
 *   the AWS CLI costs a second of start-up per call)
 *   t_stamps (stamp prefixes)  t_blocks (block ULIDs)       t_rm_prefix <key prefix>
 * t_stamps/t_blocks fail only when the listing itself failed (an empty store is no error), and
 * t_stat tells "absent" from "could not look", so expiry never mistakes a failed listing for
 * "nothing to keep" or "incomplete".
 */
export function storeFunctions(dest: BackupDestination, tools: BackupTools): string {
  if (dest.kind === "volume") {
    return `DEST=${shQuote(dest.dir)}
t_put() {
  mkdir -p "$DEST/$(dirname "$2")" && cp "$1" "$DEST/$2.part" && mv "$DEST/$2.part" "$DEST/$2"
}
t_get() { cp "$DEST/$1" "$2"; }
t_put_dir() { mkdir -p "$DEST/$2" && cp -R "$1"/. "$DEST/$2/"; }
t_get_dir() { mkdir -p "$2" && cp -R "$DEST/$1"/. "$2/"; }
t_stat() {
  [ -d "$DEST" ] || { log "backup volume $DEST is not there"; return 2; }
  [ -f "$DEST/$1" ] || return 1
  stat -c %Y "$DEST/$1" || return 2
}
t_exists() { t_stat "$1" >/dev/null; }
t_list_dirs() { # <dir> — its subdirectory names, one a line
  [ -d "$1" ] || return 0
  for d in "$1"/*/; do [ -d "$d" ] && basename "$d"; done; return 0
}
t_stamps() {
  [ -d "$DEST" ] || { log "backup volume $DEST is not there"; return 1; }
  t_list_dirs "$DEST" | grep -E '^[0-9]{8}T[0-9]{6}Z$'
  [ $? -le 1 ]
}
t_blocks() { [ -d "$DEST" ] && t_list_dirs "$DEST/blocks"; }
t_rm_prefix() { rm -rf "\${DEST:?}/$1"; }
`;
  }
  const base = `s3://${dest.bucket}${dest.prefix ? `/${dest.prefix}` : ""}`;
  const endpoint = dest.endpointUrl ? ` --endpoint-url ${shQuote(dest.endpointUrl)}` : "";
  // The instance profile supplies credentials: nothing secret is in the script or its env.
  return `S3=${shQuote(base)}
# TZ=UTC: \`s3 ls\` prints LastModified in the local time zone.
awsq() { TZ=UTC ${shQuote(tools.aws ?? "aws")} --region ${shQuote(dest.region)}${endpoint} "$@"; }
t_put() { awsq s3 cp --only-show-errors "$1" "$S3/$2"; }
t_get() { awsq s3 cp --only-show-errors "$S3/$1" "$2"; }
t_put_dir() { awsq s3 cp --only-show-errors --recursive "$1" "$S3/$2/"; }
t_get_dir() { awsq s3 cp --only-show-errors --recursive "$S3/$1/" "$2/"; }
# \`s3 ls\` exits 0 with results, 1 for an empty listing, 252-255 when it could not list
# (aws-cli topics/return-codes.rst): only 0 and 1 are an answer.
t_stat() {
  out=$(awsq s3 ls "$S3/$1"); ls_rc=$?
  [ "$ls_rc" -le 1 ] || { log "cannot list $1 (aws exit status $ls_rc)"; return 2; }
  when=$(printf '%s\\n' "$out" | awk -v n="\${1##*/}" '$4 == n { print $1 " " $2; exit }')
  [ -n "$when" ] || return 1
  date -u -d "$when" +%s || return 2
}
t_exists() { t_stat "$1" >/dev/null; }
t_ls_pre() { # <prefix/> — common prefixes under it
  out=$(awsq s3 ls "$S3/$1"); ls_rc=$?
  [ "$ls_rc" -le 1 ] || { log "cannot list $1 (aws exit status $ls_rc)"; return 1; }
  printf '%s\\n' "$out" | sed -n 's#^ *PRE \\(.*\\)/$#\\1#p'
}
t_stamps() {
  pre=$(t_ls_pre "") || return 1
  printf '%s\\n' "$pre" | grep -E '^[0-9]{8}T[0-9]{6}Z$'
  [ $? -le 1 ]
}
t_blocks() { t_ls_pre "blocks/"; }
t_rm_prefix() { awsq s3 rm --only-show-errors --recursive "$S3/$1/"; }
`;
}

/** Logging and small helpers, first in every script. */
export const COMMON_FUNCTIONS = `log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >&2; }
size_of() { wc -c < "$1" | tr -d ' '; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
`;

/**
 * Restore functions (shared by restore.sh and the backup job's daily restore check), after the
 * manifest functions of configs/backup-manifest.ts (resolve_stamp, manifest_check):
 *   restore_stamp <stamp> <prometheus dir> <grafana dir> <alertmanager dir> <overwrite 0|1> <work dir>
 * The manifest must match its own checksum first; files land in <dir>/.restore-partial and move
 * into place only when every sha256 matched, so a failed restore leaves the targets as empty as
 * it found them.
 */
export const RESTORE_FUNCTIONS = `${MANIFEST_FUNCTIONS}
target_is_empty() { # lost+found (a fresh ext4 volume) and our own partial dir do not count
  for f in "$1"/* "$1"/.[!.]* "$1"/..?*; do
    [ -e "$f" ] || continue
    case \${f##*/} in lost+found|.restore-partial) ;; *) return 1 ;; esac
  done
  return 0
}

restore_stamp() {
  stamp=$1 pdir=$2 gdir=$3 adir=$4 overwrite=$5 work=$6
  mkdir -p "$work" || return 1
  t_get "$stamp/manifest.json" "$work/manifest.json" || { log "cannot fetch $stamp/manifest.json"; return 1; }
  manifest_check "$work/manifest.json" "$stamp" || return 1
  manifest_objects "$work/manifest.json" > "$work/objects"
  total=$(wc -l < "$work/objects" | tr -d ' ')
  [ "$total" -gt 0 ] || { log "manifest $stamp lists no objects"; return 1; }
  for t in "$pdir" "$gdir" "$adir"; do
    mkdir -p "$t" || return 1
    if ! target_is_empty "$t"; then
      if [ "$overwrite" = 1 ]; then
        log "overwriting non-empty $t"
        for f in "$t"/* "$t"/.[!.]*; do
          [ -e "$f" ] && [ "\${f##*/}" != lost+found ] && { rm -rf "$f" || return 1; }
        done
      else
        log "refusing to restore into non-empty $t (set overwrite to replace its contents)"
        return 1
      fi
    fi
    rm -rf "$t/.restore-partial" && mkdir -p "$t/.restore-partial" || return 1
  done
  # A block is fetched as one directory; the other objects one by one.
  awk '$1 == "block" || $1 == "head" { split($2, p, "/"); print p[2] }' "$work/objects" | sort -u > "$work/block-ids"
  while read -r id; do
    t_get_dir "blocks/$id" "$pdir/.restore-partial/$id" || { log "cannot fetch block $id"; return 1; }
    rm -f "$pdir/.restore-partial/$id/SHA256SUMS"
  done < "$work/block-ids"
  while read -r kind key _size _sum; do
    case $kind in
      block|head) continue ;;
      grafana) dest=$gdir/.restore-partial/\${key##*/} ;;
      alertmanager) dest=$adir/.restore-partial/\${key##*/} ;;
      *) log "unknown object kind $kind in manifest"; return 1 ;;
    esac
    t_get "$key" "$dest" || { log "cannot fetch $key"; return 1; }
  done < "$work/objects"
  # One sha256sum -c over every object the manifest names, at the place it was restored to.
  awk -v p="$pdir/.restore-partial" -v g="$gdir/.restore-partial" -v a="$adir/.restore-partial" '{
    n = split($2, parts, "/"); base = parts[n]
    if ($1 == "block" || $1 == "head") dest = p "/" substr($2, 8)
    else if ($1 == "grafana") dest = g "/" base
    else dest = a "/" base
    print $4 "  " dest
  }' "$work/objects" > "$work/check"
  if ! out=$(sha256sum -c "$work/check" 2>&1); then
    log "checksum mismatch against manifest $stamp: $(printf '%s\n' "$out" | grep -v ': OK$' | head -n 5 | tr '\n' ' ')"
    return 1
  fi
  bytes=$(awk '{ s += $3 } END { print s + 0 }' "$work/objects")
  for t in "$pdir" "$gdir" "$adir"; do
    for f in "$t/.restore-partial"/* "$t/.restore-partial"/.[!.]*; do
      [ -e "$f" ] || continue
      mv "$f" "$t/" || return 1
    done
    rmdir "$t/.restore-partial" || return 1
  done
  log "restored backup $stamp: $total objects, $bytes bytes, every sha256 verified"
}
`;

/**
 * Checks an Alertmanager state file (silences, nflog): a sequence of length-delimited
 * protobuf messages. Every varint length must land exactly on the end of the file; a torn or
 * truncated copy does not. (Only od and awk: both images have them.)
 */
export const ALERTMANAGER_CHECK = `am_file_ok() {
  od -An -v -tu1 "$1" | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i }
    END {
      pos = 0; msgs = 0
      while (pos < n) {
        len = 0; mul = 1
        do { if (pos >= n) exit 1; c = b[pos++]; len += (c % 128) * mul; mul *= 128 } while (c >= 128)
        pos += len; msgs++
        if (pos > n) exit 1
      }
      exit 0
    }'
}
`;

/** GET and POST to Prometheus, with its basic-auth credentials from a netrc file when it has them. */
export function httpFunctions(netrcFile: string | undefined): string {
  if (netrcFile === undefined) {
    return `http_get() {
  if command -v curl >/dev/null 2>&1; then curl -fsS "$1"; else wget -qO- "$1"; fi
}
http_post() {
  if command -v curl >/dev/null 2>&1; then curl -fsS -X POST "$1"; else wget -qO- --post-data= "$1"; fi
}`;
  }
  // wget has no way to read credentials from a named file; curl is in the backup image.
  return `http_get() {
  curl -fsS --netrc-file ${shQuote(netrcFile)} "$1"
}
http_post() {
  curl -fsS --netrc-file ${shQuote(netrcFile)} -X POST "$1"
}`;
}
