// What the backup job and its restore check tell Prometheus (through node-exporter's textfile
// collector, one file per writer) and the shell that writes the backup job's file. The alerts
// on these series are in rules/backup.yml.

export const BACKUP_METRICS = {
  lastSuccess: "observability_backup_last_success_timestamp_seconds",
  lastRun: "observability_backup_last_run_timestamp_seconds",
  lastRunSuccess: "observability_backup_last_run_success",
  runDuration: "observability_backup_last_run_duration_seconds",
  runUploadedBytes: "observability_backup_last_run_uploaded_bytes",
  runBlocksUploaded: "observability_backup_last_run_blocks_uploaded",
  runBlocksSkipped: "observability_backup_last_run_blocks_skipped",
  futureStamps: "observability_backup_future_stamped_backups",
  verifyLastSuccess: "observability_backup_verify_last_success_timestamp_seconds",
  verifyLastRun: "observability_backup_verify_last_run_timestamp_seconds",
  verifyLastRunSuccess: "observability_backup_verify_last_run_success",
  verifySkipped: "observability_backup_verify_last_run_skipped",
  verifyNeededBytes: "observability_backup_verify_needed_bytes",
  verifyFreeBytes: "observability_backup_verify_scratch_free_bytes",
} as const;

/** Textfile-collector files: one per writer, so the two containers never clobber each other. */
export const BACKUP_TEXTFILES = { backup: "observability_backup.prom", verify: "observability_backup_verify.prom" } as const;

/**
 * The file the backup job leaves in the scratch directory for the verifier:
 * "<stamp> ok", "<stamp> failed <reason>" or "<stamp> skipped <reason code> <needed bytes> <free bytes>".
 */
export const VERIFY_REQUEST_FILE = "VERIFY_REQUEST";

/** Why a restore check was skipped (the `reason` label of observability_backup_verify_last_run_skipped). */
export const VERIFY_SKIP_REASONS = { scratchTooSmall: "scratch_too_small" } as const;

const M = BACKUP_METRICS;

/**
 * write_metrics for backup.sh: the three backups (prometheus, grafana, alertmanager) have a last
 * success; `expiry` has a last run and its outcome too, so a run whose expiry failed is a failed
 * run for BackupJobFailed even when every copy was uploaded.
 */
export const BACKUP_METRICS_FUNCTIONS = `write_metrics() {
  tmp="$TEXTFILE.$$"
  {
    echo "# HELP ${M.lastSuccess} Unix time of the last successful backup."
    echo "# TYPE ${M.lastSuccess} gauge"
    for b in prometheus grafana alertmanager; do
      t=$(last_success "$b"); [ -n "$t" ] && echo "${M.lastSuccess}{backup=\\"$b\\"} $t"
    done
    echo "# HELP ${M.lastRun} Unix time of the last backup attempt (expiry: of the last expiry)."
    echo "# TYPE ${M.lastRun} gauge"
    for b in prometheus grafana alertmanager expiry; do
      eval "run=\\\${RUN_$b:-}"
      [ -n "$run" ] && echo "${M.lastRun}{backup=\\"$b\\"} $run"
    done
    echo "# HELP ${M.lastRunSuccess} 1 if the last backup attempt (expiry: the last expiry) succeeded, else 0."
    echo "# TYPE ${M.lastRunSuccess} gauge"
    for b in prometheus grafana alertmanager expiry; do
      eval "res=\\\${OK_$b:-}"
      [ -n "$res" ] && echo "${M.lastRunSuccess}{backup=\\"$b\\"} $res"
    done
    echo "# HELP ${M.runDuration} Wall time of the last backup run."
    echo "# TYPE ${M.runDuration} gauge"
    echo "${M.runDuration} $DURATION"
    echo "# HELP ${M.runUploadedBytes} Bytes the last backup run uploaded."
    echo "# TYPE ${M.runUploadedBytes} gauge"
    echo "${M.runUploadedBytes} $BYTES"
    echo "# HELP ${M.runBlocksUploaded} Prometheus blocks the last run uploaded (new since the run before, and the head)."
    echo "# TYPE ${M.runBlocksUploaded} gauge"
    echo "${M.runBlocksUploaded} $UPLOADED"
    echo "# HELP ${M.runBlocksSkipped} Prometheus blocks the last run found already uploaded."
    echo "# TYPE ${M.runBlocksSkipped} gauge"
    echo "${M.runBlocksSkipped} $SKIPPED"
    future=$(cat "$STATE_DIR/future-stamps" 2>/dev/null || true)
    if [ -n "$future" ]; then
      echo "# HELP ${M.futureStamps} Backups stamped more than an hour in the future at the last expiry (never taken as latest)."
      echo "# TYPE ${M.futureStamps} gauge"
      echo "${M.futureStamps} $future"
    fi
  } > "$tmp" && mv "$tmp" "$TEXTFILE"
}
`;
