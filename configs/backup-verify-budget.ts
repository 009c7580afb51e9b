// The daily restore check's disk budget, as shell text for backup.sh. The check restores a whole
// backup into the scratch volume, which lives on the host's root volume: before it fetches
// anything it compares the backup's size (the sum of the sizes its manifest lists) with the
// scratch filesystem's free space, and runs only when at least the floor stays free afterwards.
// Otherwise it is skipped, and the verifier reports why
// (observability_backup_verify_last_run_skipped{reason="scratch_too_small"}, BackupVerifySkipped):
// a restore check never fills the disk. The root-volume setting check counts a backup's worth of
// scratch (components/settings/index.ts), so a host sized by it has the room.
//
// Needs the destination and manifest functions, $SCRATCH and $VERIFY_FLOOR_BYTES; df -P (coreutils
// in the backup image).

/** Free space the restore check leaves on the scratch filesystem at the least. */
export const VERIFY_SCRATCH_FLOOR_BYTES = 5 * 1024 ** 3;

export const VERIFY_BUDGET_FUNCTIONS = `# Sets NEED and FREE (bytes); exit 0 fits, 1 does not fit, 2 could not tell (a failed check).
verify_budget() { # <stamp> <work dir>
  NEED="" FREE=""
  mkdir -p "$2" || return 2
  t_get "$1/manifest.json" "$2/budget.json" || { log "cannot fetch $1/manifest.json"; return 2; }
  manifest_check "$2/budget.json" "$1" || return 2
  NEED=$(manifest_objects "$2/budget.json" | awk '{ s += $3 } END { printf "%.0f", s }')
  FREE=$(df -Pk "$SCRATCH" | awk 'NR == 2 { printf "%.0f", $4 * 1024 }')
  if [ -z "$NEED" ] || [ -z "$FREE" ]; then log "cannot measure the backup or the scratch space"; return 2; fi
  [ $((FREE - NEED)) -ge "$VERIFY_FLOOR_BYTES" ]
}
`;
