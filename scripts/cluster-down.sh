#!/usr/bin/env bash
# Usage: scripts/cluster-down.sh [--purge]
# Stops what scripts/cluster-up.sh started in POSTERN_CLUSTER_DIR (default
# /tmp/postern-cluster), known by its pid files: the nodes (SIGTERM twice,
# which ends their drain at once), then HAProxy and postern-sim, then
# PostgreSQL (pg_ctl stop -m fast). Nothing else is touched. --purge then
# removes the directory: the database, the logs and the admin key.
# Idempotent: what is not running is skipped. Exits 1 when a process had to
# be killed (it did not stop within STOP_WAIT seconds, default 30).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cluster-common.sh"

PURGE=false
case "${1:-}" in
  --purge) PURGE=true ;;
  "") ;;
  *) die "usage: scripts/cluster-down.sh [--purge]" ;;
esac
STOP_WAIT=${STOP_WAIT:-30}
if [ ! -d "$CLUSTER_DIR" ]; then
  echo "nothing to stop: $CLUSTER_DIR does not exist"
  exit 0
fi
[ -f "$CLUSTER_DIR/cluster.env" ] || die "$CLUSTER_DIR was not made by scripts/cluster-up.sh (no cluster.env): left alone"

status=0

# stop NAME...: SIGTERM to each that runs (twice: a node's second signal
# ends its drain), then waits for them all; kills what outlives STOP_WAIT.
stop() {
  local name pid pids=() names=() i
  for name in "$@"; do
    pid=$(pid_of "$name") || { rm -f "$CLUSTER_DIR/$name.pid"; continue; }
    pids+=("$pid")
    names+=("$name")
    kill -TERM "$pid" 2>/dev/null || true
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  sleep 0.2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < STOP_WAIT * 10; i++)); do
    local left=0
    for name in "${names[@]}"; do pid_of "$name" >/dev/null && left=1; done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for name in "${names[@]}"; do
    if pid=$(pid_of "$name"); then
      echo "$name (pid $pid) did not stop within ${STOP_WAIT}s: killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
      status=1
    fi
    echo "$name: stopped"
    rm -f "$CLUSTER_DIR/$name.pid"
  done
}

nodes=()
for file in "$CLUSTER_DIR"/node*.pid; do
  [ -e "$file" ] && nodes+=("$(basename "$file" .pid)")
done
[ ${#nodes[@]} -eq 0 ] || stop "${nodes[@]}"
stop haproxy sim
if pg_running; then
  as_postgres "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/pg/data" -m fast -w -t "$STOP_WAIT" stop >/dev/null ||
    { echo "PostgreSQL did not stop" >&2; status=1; }
  echo "postgresql: stopped"
fi
if $PURGE && pg_running; then
  die "PostgreSQL still runs on $CLUSTER_DIR/pg/data: $CLUSTER_DIR left in place"
elif $PURGE; then
  rm -rf "$CLUSTER_DIR"
  echo "removed $CLUSTER_DIR"
fi
exit $status
