// Expiry of backups by manifest, as shell text for backup.sh. It deletes only on positive
// evidence, in two phases:
//   1. read: list the stamps, look up every stamp's manifest, read every kept manifest in full
//      (manifest_complete), list the blocks. Any listing or read that fails ends the expiry with
//      nothing deleted, and the run fails (its `expiry` metric says 0: BackupJobFailed).
//   2. delete: a stamp a successful listing shows without a manifest (an interrupted run); a
//      stamp past the retention (the newest complete one always stays); a block no kept
//      manifest names.
// Age: a stamp is past the retention when both its stamp and the time the store recorded for
// its manifest (S3's LastModified, the file's mtime on a volume) are older than retentionDays.
// A stamp more than an hour in the future is a wrong clock or someone else's object: only the
// recorded time counts for it, it is never the newest, and while it is kept it is counted
// (observability_backup_future_stamped_backups, BackupStampInFuture).
//
// Needs the destination functions (configs/backup-store.ts), the manifest functions
// (configs/backup-manifest.ts), and $WORK, $STAMP, $MANIFEST_OK, $RETENTION_DAYS, $STATE_DIR.

export const EXPIRY_FUNCTIONS = `manifest_blocks() { manifest_objects "$1" | awk '{ split($2, p, "/"); if (p[1] == "blocks") print p[2] }' | sort -u; }

expire() {
  now=$(date +%s)
  cutoff_s=$((now - RETENTION_DAYS * 86400))
  cutoff=$(stamp_after "$cutoff_s") || return 1
  limit=$(stamp_after $((now + FUTURE_STAMP_TOLERANCE_SECONDS))) || return 1
  stamps=$(t_stamps) || { log "expiry: cannot list backups; nothing deleted"; return 1; }
  # Phase 1: what each stamp is ("<stamp> incomplete|future|old|young"), every look-up succeeding.
  : > "$WORK/expiry"
  future=0
  for s in $(printf '%s\\n' "$stamps" | sort); do
    [ "$s" = "$STAMP" ] && continue
    recorded=$(t_stat "$s/manifest.json"); look=$?
    if [ "$look" = 1 ]; then echo "$s incomplete" >> "$WORK/expiry"; continue; fi
    [ "$look" = 0 ] || { log "expiry: cannot look for $s/manifest.json; nothing deleted"; return 1; }
    if expr "$s" \\> "$limit" >/dev/null; then
      log "expiry: backup $s is stamped more than an hour in the future; never taken as latest, it expires by the time the store recorded ($(stamp_after "$recorded"))"
      if [ "$recorded" -lt "$cutoff_s" ]; then echo "$s future-old"; else echo "$s future"; future=$((future + 1)); fi >> "$WORK/expiry"
    elif expr "$s" \\< "$cutoff" >/dev/null && [ "$recorded" -lt "$cutoff_s" ]; then
      echo "$s old" >> "$WORK/expiry"
    else
      echo "$s young" >> "$WORK/expiry"
    fi
  done
  echo "$future" > "$STATE_DIR/future-stamps"
  # The newest complete backup always stays: this run's when it wrote a manifest.
  newest=$(awk '$2 == "old" || $2 == "young" { n = $1 } END { print n }' "$WORK/expiry")
  [ "$MANIFEST_OK" = 1 ] && newest=$STAMP
  cat "$WORK/block-ids" "$WORK/head-ids" 2>/dev/null > "$WORK/kept-blocks"
  : > "$WORK/drop"
  while read -r s what; do
    case $what in
      incomplete) echo "$s incomplete backup $s" >> "$WORK/drop"; continue ;;
      future-old) echo "$s backup $s (stamped in the future, stored more than $RETENTION_DAYS days ago)" >> "$WORK/drop"; continue ;;
      old) [ "$s" != "$newest" ] && { echo "$s backup $s (older than $RETENTION_DAYS days)" >> "$WORK/drop"; continue; } ;;
    esac
    t_get "$s/manifest.json" "$WORK/kept.json" || { log "expiry: cannot read $s/manifest.json; nothing deleted"; return 1; }
    manifest_complete "$WORK/kept.json" "$s" || { log "expiry: $s/manifest.json cannot be read in full; nothing deleted"; return 1; }
    manifest_blocks "$WORK/kept.json" >> "$WORK/kept-blocks"
  done < "$WORK/expiry"
  blocks=$(t_blocks) || { log "expiry: cannot list blocks; nothing deleted"; return 1; }
  # Phase 2: every listing and read succeeded.
  while read -r s what; do
    log "expiry: removing $what"; t_rm_prefix "$s" || return 1
  done < "$WORK/drop"
  for b in $blocks; do
    grep -qx "$b" "$WORK/kept-blocks" && continue
    log "expiry: removing block $b (no kept manifest names it)"; t_rm_prefix "blocks/$b" || return 1
  done
}
`;
