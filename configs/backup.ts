// The backup job's scripts. backup.sh (the job's entrypoint) takes consistent copies and uploads
// them incrementally; restore.sh (configs/backup-restore.ts) puts a backup back; verify-tsdb.sh
// (configs/backup-verify.ts) opens the restored blocks with promtool for the daily restore check.
//
// Image: backup.sh and restore.sh run in amazon/aws-cli (pinned in the settings). Its Dockerfile
// (aws/aws-cli docker/Dockerfile) builds FROM amazonlinux:2, whose image ships bash (as sh),
// coreutils (sha256sum, od), gawk, curl and the `sqlite` rpm, which holds /usr/bin/sqlite3
// 3.7.17 (docker-library repo-info lists sqlite-3.7.17-8.amzn2 in amazonlinux:2). 3.7.17 has the
// `.backup` dot-command (online backup API, 3.6.11+) and `PRAGMA integrity_check`; it predates
// `VACUUM INTO` (3.27), which is why the script uses `.backup`. The image has no promtool, so
// the block check of the daily restore test runs in a second container on the prom/prometheus
// image (promtool + busybox sh), fed through a shared scratch volume.
//
// backup.sh [--once | --verify]
//   (no flag)  loop: a backup every intervalHours, a restore check once every verifyEveryHours
//   --once     one backup, exit status 0 only if every part succeeded ("back up now")
//   --verify   one restore check of the latest backup into the scratch directory, then exit
import {
  ALERTMANAGER_CHECK,
  BackupDestination,
  BackupTools,
  COMMON_FUNCTIONS,
  DataDirs,
  RESTORE_FUNCTIONS,
  shQuote,
  storeFunctions,
} from "./backup-store";

export type { BackupDestination, BackupTools, DataDirs } from "./backup-store";

export interface BackupScriptInput {
  /** e.g. http://prometheus:9090 (the admin API must be enabled). */
  readonly prometheusUrl: string;
  readonly intervalHours: number;
  /** Manifests older than this are expired (the newest complete one is always kept). */
  readonly retentionDays: number;
  readonly destination: BackupDestination;
  /** Directory node-exporter reads *.prom files from. */
  readonly textfileDir: string;
  /** Where each data volume is mounted in the backup container. */
  readonly sources: DataDirs;
  /** Persistent state (last successes, lock, work files). Default: <textfileDir>/.backup. */
  readonly stateDir?: string;
  /** Scratch directory the daily restore check restores into (shared with the verifier). */
  readonly scratchDir: string;
  /** Hours between restore checks. Default 24. */
  readonly verifyEveryHours?: number;
  readonly tools?: BackupTools;
  /**
   * netrc file with the backup user's credentials for Prometheus's basic auth
   * (configs/prometheus-web.ts renderNetrc). curl reads it, so the password is never in argv.
   * Default: no auth.
   */
  readonly prometheusNetrcFile?: string;
}

export const BACKUP_METRICS = {
  lastSuccess: "observability_backup_last_success_timestamp_seconds",
  lastRun: "observability_backup_last_run_timestamp_seconds",
  lastRunSuccess: "observability_backup_last_run_success",
  runDuration: "observability_backup_last_run_duration_seconds",
  runUploadedBytes: "observability_backup_last_run_uploaded_bytes",
  runBlocksUploaded: "observability_backup_last_run_blocks_uploaded",
  runBlocksSkipped: "observability_backup_last_run_blocks_skipped",
  verifyLastSuccess: "observability_backup_verify_last_success_timestamp_seconds",
  verifyLastRun: "observability_backup_verify_last_run_timestamp_seconds",
  verifyLastRunSuccess: "observability_backup_verify_last_run_success",
} as const;

/**
 * Days after which the bucket's lifecycle rule expires any backup object: the safety net for
 * objects the job never expired (an interrupted run, a job stopped for good). It must outlast
 * every block a kept manifest may name: a block can be named for as long as Prometheus keeps
 * it after its upload, and that manifest is kept for retentionDays more; a week's margin on top.
 */
export function backupObjectExpiryDays(retentionDays: number, prometheusRetentionSeconds: number): number {
  return retentionDays + Math.ceil(prometheusRetentionSeconds / 86400) + 7;
}

/** Textfile-collector files: one per writer, so the two containers never clobber each other. */
export const BACKUP_TEXTFILES = { backup: "observability_backup.prom", verify: "observability_backup_verify.prom" } as const;

/** The file the backup job leaves in the scratch directory for the verifier: "<stamp> ok|failed <reason>". */
export const VERIFY_REQUEST_FILE = "VERIFY_REQUEST";

const M = BACKUP_METRICS;

/** GET and POST to Prometheus, with its basic-auth credentials from a netrc file when it has them. */
function httpFunctions(netrcFile: string | undefined): string {
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

export function renderBackupScript(input: BackupScriptInput): string {
  const tools = input.tools ?? {};
  const stateDir = input.stateDir ?? `${input.textfileDir}/.backup`;
  const verifyEvery = (input.verifyEveryHours ?? 24) * 3600;
  return `#!/bin/sh
# Generated by configs/backup.ts: backup.sh [--once | --verify]. See the header of that file.
set -u
PROM_URL=${shQuote(input.prometheusUrl)}
PROM_DATA=${shQuote(input.sources.prometheus)}
GRAFANA_DATA=${shQuote(input.sources.grafana)}
AM_DATA=${shQuote(input.sources.alertmanager)}
TEXTFILE=${shQuote(input.textfileDir)}/${BACKUP_TEXTFILES.backup}
STATE_DIR=${shQuote(stateDir)}
STATE=$STATE_DIR/last-success
SCRATCH=${shQuote(input.scratchDir)}
SQLITE3=${shQuote(tools.sqlite3 ?? "sqlite3")}
RETENTION_DAYS=${input.retentionDays}
INTERVAL_SECONDS=${input.intervalHours * 3600}
VERIFY_EVERY_SECONDS=${verifyEvery}

${COMMON_FUNCTIONS}
${storeFunctions(input.destination, tools)}
${RESTORE_FUNCTIONS}
${ALERTMANAGER_CHECK}
${httpFunctions(input.prometheusNetrcFile)}

# One run at a time: a manual "docker exec backup backup.sh --once" waits for the loop's run.
lock() {
  mkdir -p "$STATE_DIR" || return 1
  waited=0
  until mkdir "$STATE_DIR/lock" 2>/dev/null; do
    holder=$(cat "$STATE_DIR/lock/pid" 2>/dev/null || true)
    if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then rm -rf "$STATE_DIR/lock"; continue; fi
    [ "$waited" -ge 3600 ] && { log "another backup run holds $STATE_DIR/lock"; return 1; }
    sleep 5; waited=$((waited + 5))
  done
  echo $$ > "$STATE_DIR/lock/pid"
}
unlock() { rm -rf "$STATE_DIR/lock"; }

# Keeps last-success times across restarts so BackupTooOld stays truthful.
last_success() { sed -n "s/^$1 //p" "$STATE" 2>/dev/null | tail -n 1; }

record() { # <name> <ok 0|1>
  now=$(date +%s)
  if [ "$2" = 1 ]; then
    { grep -v "^$1 " "$STATE" 2>/dev/null; echo "$1 $now"; } > "$STATE.tmp" && mv "$STATE.tmp" "$STATE"
  fi
  eval "RUN_$1=$now OK_$1=$2"
}

write_metrics() {
  tmp="$TEXTFILE.$$"
  {
    echo "# HELP ${M.lastSuccess} Unix time of the last successful backup."
    echo "# TYPE ${M.lastSuccess} gauge"
    for b in prometheus grafana alertmanager; do
      t=$(last_success "$b"); [ -n "$t" ] && echo "${M.lastSuccess}{backup=\\"$b\\"} $t"
    done
    echo "# HELP ${M.lastRun} Unix time of the last backup attempt."
    echo "# TYPE ${M.lastRun} gauge"
    for b in prometheus grafana alertmanager; do
      eval "run=\\\${RUN_$b:-}"
      [ -n "$run" ] && echo "${M.lastRun}{backup=\\"$b\\"} $run"
    done
    echo "# HELP ${M.lastRunSuccess} 1 if the last backup attempt succeeded, else 0."
    echo "# TYPE ${M.lastRunSuccess} gauge"
    for b in prometheus grafana alertmanager; do
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
  } > "$tmp" && mv "$tmp" "$TEXTFILE"
}

put_counted() { # <local file> <key>
  t_put "$1" "$2" || { log "upload of $2 failed"; return 1; }
  BYTES=$((BYTES + $(size_of "$1")))
}

object_line() { # <kind> <key> <size> <sha256>
  printf '    {"kind":"%s","path":"%s","size":%s,"sha256":"%s"}\\n' "$1" "$2" "$3" "$4" >> "$WORK/objects"
}

# A block is uploaded once, keyed by its ULID; SHA256SUMS ("<sha256> <size> <path>") goes
# last and marks it complete. A block already there costs a lookup and its SHA256SUMS.
backup_block() { # <block dir> <ulid> <kind block|head>
  dir=$1 id=$2 kind=$3 sums=$WORK/$2.sums
  if t_exists "blocks/$id/SHA256SUMS"; then
    t_get "blocks/$id/SHA256SUMS" "$sums" || return 1
    SKIPPED=$((SKIPPED + 1))
  else
    set --
    for f in "$dir"/* "$dir"/*/*; do
      [ -f "$f" ] && set -- "$@" "\${f#"$dir"/}"
    done
    [ $# -gt 0 ] || { log "block $id has no files"; return 1; }
    (cd "$dir" && sha256sum "$@") > "$WORK/sha" && (cd "$dir" && wc -c "$@") > "$WORK/wc" || return 1
    awk 'NR == FNR { size[$2] = $1; next } { print $1, size[$2], $2 }' "$WORK/wc" "$WORK/sha" > "$sums" || return 1
    t_put_dir "$dir" "blocks/$id" || { log "upload of block $id failed"; return 1; }
    BYTES=$((BYTES + $(awk '{ s += $2 } END { print s + 0 }' "$sums")))
    put_counted "$sums" "blocks/$id/SHA256SUMS" || return 1
    UPLOADED=$((UPLOADED + 1))
  fi
  echo "$id" >> "$WORK/$kind-ids"
  awk -v k="$kind" -v id="$id" '{ printf "    {\\"kind\\":\\"%s\\",\\"path\\":\\"blocks/%s/%s\\",\\"size\\":%s,\\"sha256\\":\\"%s\\"}\\n", k, id, $3, $2, $1 }' "$sums" >> "$WORK/objects" || return 1
}

# The snapshot API hard-links the persisted blocks and writes the head as one more block;
# a block of the snapshot that is not in the data directory is that head block.
backup_prometheus() {
  resp=$(http_post "$PROM_URL/api/v1/admin/tsdb/snapshot") || { log "snapshot request failed"; return 1; }
  name=$(printf '%s' "$resp" | sed -n 's/.*"name":"\\([^"]*\\)".*/\\1/p')
  [ -n "$name" ] || { log "snapshot answer without a name: $resp"; return 1; }
  snap=$PROM_DATA/snapshots/$name
  rc=0
  for dir in "$snap"/*/; do
    dir=\${dir%/}
    [ -f "$dir/meta.json" ] || continue
    ulid=\${dir##*/}
    if [ -d "$PROM_DATA/$ulid" ]; then kind="block"; else kind="head"; fi
    backup_block "$dir" "$ulid" "$kind" || { rc=1; break; }
  done
  rm -rf "$snap"
  return $rc
}

backup_file() { # <local file> <kind> <key>
  put_counted "$1" "$3" || return 1
  object_line "$2" "$3" "$(size_of "$1")" "$(sha_of "$1")"
}

# SQLite's online backup copies a consistent image while Grafana keeps writing; the copy is
# checked before it leaves the host.
backup_grafana() {
  copy=$WORK/grafana.db
  "$SQLITE3" "$GRAFANA_DATA/grafana.db" ".timeout 30000" ".backup '$copy'" || { log "sqlite .backup of grafana.db failed"; return 1; }
  check=$("$SQLITE3" "$copy" "PRAGMA integrity_check;")
  [ "$check" = ok ] || { log "grafana.db copy fails integrity_check: $check"; return 1; }
  backup_file "$copy" grafana "$STAMP/grafana/grafana.db"
}

# Alertmanager replaces these files atomically (write, then rename) at each maintenance and
# on shutdown, so a plain copy is one consistent version; the copy is framing-checked.
backup_alertmanager() {
  found=0
  for f in silences nflog; do
    [ -f "$AM_DATA/$f" ] || continue
    cp "$AM_DATA/$f" "$WORK/am-$f" || return 1
    am_file_ok "$WORK/am-$f" || { log "alertmanager $f is not a sequence of protobuf messages"; return 1; }
    backup_file "$WORK/am-$f" alertmanager "$STAMP/alertmanager/$f" || return 1
    found=1
  done
  [ "$found" = 1 ] || log "alertmanager has written no state yet; nothing to back up"
  return 0
}

json_ids() { # <file of ids> → "a","b"
  [ -f "$1" ] || return 0
  sed 's/.*/"&"/' "$1" | paste -sd, -
}

write_manifest() {
  m=$WORK/manifest.json
  {
    echo "{"
    echo "  \\"version\\": 1,"
    echo "  \\"stamp\\": \\"$STAMP\\","
    echo "  \\"created\\": \\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\","
    echo "  \\"blocks\\": [$(json_ids "$WORK/block-ids")],"
    echo "  \\"head\\": [$(json_ids "$WORK/head-ids")],"
    echo "  \\"objects\\": ["
    sed '$!s/$/,/' "$WORK/objects"
    echo "  ]"
    echo "}"
  } > "$m" && put_counted "$m" "$STAMP/manifest.json"
}

# Expiry follows the manifests: a stamp older than the retention goes (the newest complete
# one always stays), a stamp without a manifest is an interrupted run and goes, and a block
# goes only when no kept manifest names it. Any failed listing or read stops the expiry.
manifest_blocks() { sed -n 's/^ *{"kind":"[a-z]*","path":"blocks\\/\\([^/"]*\\)\\/.*/\\1/p' "$1" | sort -u; }

expire() {
  cutoff=$(date -u -d "@$(( $(date +%s) - RETENTION_DAYS * 86400 ))" +%Y%m%dT%H%M%SZ) || return 1
  stamps=$(t_stamps) || { log "expiry: cannot list backups"; return 1; }
  newest=""
  for s in $stamps; do
    [ "$s" = "$STAMP" ] && continue
    t_exists "$s/manifest.json" && newest=$s
  done
  [ "$MANIFEST_OK" = 1 ] && newest=$STAMP
  cat "$WORK/block-ids" "$WORK/head-ids" 2>/dev/null > "$WORK/kept-blocks"
  for s in $stamps; do
    [ "$s" = "$STAMP" ] && continue
    if ! t_exists "$s/manifest.json"; then
      log "expiry: removing incomplete backup $s"; t_rm_prefix "$s" || return 1
    elif [ "$s" != "$newest" ] && expr "$s" \\< "$cutoff" >/dev/null; then
      log "expiry: removing backup $s (older than $RETENTION_DAYS days)"; t_rm_prefix "$s" || return 1
    else
      t_get "$s/manifest.json" "$WORK/kept.json" || { log "expiry: cannot read $s/manifest.json"; return 1; }
      manifest_blocks "$WORK/kept.json" >> "$WORK/kept-blocks"
    fi
  done
  blocks=$(t_blocks) || { log "expiry: cannot list blocks"; return 1; }
  for b in $blocks; do
    grep -qx "$b" "$WORK/kept-blocks" && continue
    log "expiry: removing block $b (no kept manifest names it)"; t_rm_prefix "blocks/$b" || return 1
  done
}

run_backup() {
  START=$(date +%s)
  STAMP=$(date -u +%Y%m%dT%H%M%SZ)
  WORK=$STATE_DIR/work
  BYTES=0 UPLOADED=0 SKIPPED=0 MANIFEST_OK=0
  rm -rf "$WORK" && mkdir -p "$WORK" && : > "$WORK/objects" || return 1
  ok=1
  if backup_prometheus; then record prometheus 1; else record prometheus 0; ok=0; fi
  if backup_grafana; then record grafana 1; else record grafana 0; ok=0; fi
  if backup_alertmanager; then record alertmanager 1; else record alertmanager 0; ok=0; fi
  # A restore needs all three: only a complete run gets a manifest.
  if [ "$ok" = 1 ]; then
    if write_manifest; then MANIFEST_OK=1; else ok=0; fi
  fi
  # Without a manifest this run's files restore nothing; its new blocks stay for the next run.
  [ "$MANIFEST_OK" = 1 ] || t_rm_prefix "$STAMP"
  expire || ok=0
  DURATION=$(( $(date +%s) - START ))
  write_metrics
  if [ "$ok" = 1 ]; then
    log "backup $STAMP complete: uploaded_bytes=$BYTES blocks_uploaded=$UPLOADED blocks_skipped=$SKIPPED duration_seconds=$DURATION"
  else
    log "backup $STAMP failed (see above): uploaded_bytes=$BYTES blocks_uploaded=$UPLOADED blocks_skipped=$SKIPPED"
  fi
  rm -rf "$WORK"
  [ "$ok" = 1 ]
}

# The daily restore check, part one: restore the latest backup into the scratch directory
# (every sha256 verified), check the Grafana database and the Alertmanager files, then leave
# a request for the verifier container, which opens the blocks with promtool and reports.
run_verify() {
  rm -rf "\${SCRATCH:?}"/* 2>/dev/null
  mkdir -p "$SCRATCH" || return 1
  reason=""
  if ! stamp=$(resolve_stamp latest); then
    stamp=none; reason="no backup to verify"
  elif ! restore_stamp "$stamp" "$SCRATCH/prometheus" "$SCRATCH/grafana" "$SCRATCH/alertmanager" 0 "$STATE_DIR/verify-work"; then
    reason="restore of $stamp failed"
  else
    check=$("$SQLITE3" "$SCRATCH/grafana/grafana.db" "PRAGMA integrity_check;" 2>&1)
    [ "$check" = ok ] || reason="restored grafana.db fails integrity_check: $check"
    for f in "$SCRATCH/alertmanager"/*; do
      [ -f "$f" ] || continue
      am_file_ok "$f" || reason="restored alertmanager \${f##*/} does not parse"
    done
  fi
  rm -rf "$STATE_DIR/verify-work"
  # The verifier may run as another user: let it read and clean the scratch tree.
  chmod -R a+rwX "$SCRATCH" 2>/dev/null
  if [ -z "$reason" ]; then
    log "restore check: backup $stamp restored into $SCRATCH, grafana.db integrity ok, alertmanager files parse"
    echo "$stamp ok" > "$SCRATCH/${VERIFY_REQUEST_FILE}.tmp"
  else
    log "restore check failed: $reason"
    echo "$stamp failed $reason" > "$SCRATCH/${VERIFY_REQUEST_FILE}.tmp"
  fi
  mv "$SCRATCH/${VERIFY_REQUEST_FILE}.tmp" "$SCRATCH/${VERIFY_REQUEST_FILE}"
  date +%s > "$STATE_DIR/last-verify-request"
  [ -z "$reason" ]
}

mkdir -p "$STATE_DIR" || exit 1
case "\${1:-}" in
  --once) lock || exit 1; run_backup; rc=$?; unlock; exit "$rc" ;;
  --verify) lock || exit 1; run_verify; rc=$?; unlock; exit "$rc" ;;
  "") ;;
  *) echo "usage: $0 [--once | --verify]" >&2; exit 2 ;;
esac

# Started with the stack: give Prometheus up to 10 minutes to come up before the first run,
# rather than report a failed backup for a whole interval.
waited=0
until http_get "$PROM_URL/-/ready" >/dev/null 2>&1 || [ "$waited" -ge 600 ]; do sleep 10; waited=$((waited + 10)); done
while true; do
  if lock; then
    run_backup
    last=$(cat "$STATE_DIR/last-verify-request" 2>/dev/null || echo 0)
    if [ $(( $(date +%s) - last )) -ge "$VERIFY_EVERY_SECONDS" ]; then run_verify; fi
    unlock
  fi
  sleep "$INTERVAL_SECONDS"
done
`;
}
