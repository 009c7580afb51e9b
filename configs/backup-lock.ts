// The backup job's run lock and stop handling, as shell text for backup.sh.
//
// One run at a time: a manual `docker exec backup /backup/backup.sh --once` waits for the loop's
// run. The lock is a directory in the state volume holding its holder's identity
//   <boot id> <pid> <start time of that pid, in clock ticks since boot>
// A pid alone is not an identity: the job's script is the same low pid (1, or the first child
// of the container's init) after every restart, so `kill -0 <pid>` finds the new script itself
// and a lock left by a killed run was refused forever. With the boot id and the process's start
// time, a holder that is gone (container restarted, host rebooted, OOM kill, SIGKILL after the
// stop grace) is recognised, and its lock broken with a log line.
//
// Stop signals: docker stop sends SIGTERM and SIGKILL after the grace period (10 s). The work
// runs in a background child while the script waits, so the trap runs at once: it stops the
// child, releases the lock and exits. Whatever the child left (a snapshot, work files, a partial
// restore check) the next run removes before it starts.
//
// Needs /proc (every Linux container has it), sed, cut and stat.

export const LOCK_FUNCTIONS = `LOCK=$STATE_DIR/lock
LOCKED=0
CHILD=""
boot_id() { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo no-boot-id; }
proc_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
lock_id() { echo "$(boot_id) $$ $(proc_start $$)"; }

holder_alive() { # <holder line>
  read -r h_boot h_pid h_start h_more <<EOF
$1
EOF
  [ -n "$h_start" ] && [ -z "$h_more" ] && [ "$h_boot" = "$(boot_id)" ] && [ "$(proc_start "$h_pid")" = "$h_start" ]
}

lock() {
  mkdir -p "$STATE_DIR" || return 1
  waited=0
  until mkdir "$LOCK" 2>/dev/null; do
    holder=$(cat "$LOCK/holder" 2>/dev/null || true)
    if [ -n "$holder" ] && ! holder_alive "$holder"; then
      log "breaking a stale lock: its holder ($holder: boot id, pid, start time) is gone (a restart, reboot or kill ended that run)"
      rm -rf "$LOCK"; continue
    fi
    # No holder written: a run stopped between taking the lock and naming itself (or a lock of an
    # older version of this script). After a minute it is stale.
    if [ -z "$holder" ] && [ $(( $(date +%s) - $(stat -c %Y "$LOCK" 2>/dev/null || date +%s) )) -gt 60 ]; then
      log "breaking a stale lock that names no holder"
      rm -rf "$LOCK"; continue
    fi
    [ "$waited" -ge 3600 ] && { log "another backup run ($holder) has held $LOCK for an hour; giving up this run"; return 1; }
    sleep 5; waited=$((waited + 5))
  done
  lock_id > "$LOCK/holder" || { rm -rf "$LOCK"; return 1; }
  LOCKED=1
}

unlock() { # only a lock this process holds
  [ "$LOCKED" = 1 ] || return 0
  [ "$(cat "$LOCK/holder" 2>/dev/null)" = "$(lock_id)" ] && rm -rf "$LOCK"
  LOCKED=0
}

on_stop() {
  trap - TERM INT
  log "stop signal: ending the current step and releasing the lock"
  [ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
  unlock
  exit 143
}
trap on_stop TERM INT

in_child() { # runs "$@" in the background and waits, so a stop signal is handled at once
  "$@" &
  CHILD=$!
  wait "$CHILD"; child_rc=$?
  CHILD=""
  return "$child_rc"
}
`;
