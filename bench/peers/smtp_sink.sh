#!/usr/bin/env bash
# The SMTP ceiling of this machine: Postfix's smtp-sink on 127.0.0.1, which
# answers every command at once and stores nothing (no disk, no queue).
# Started in the background with its PID in DIR/peer.pid, stopped by that PID.
# With "count", smtp-sink prints a running message counter (-c) to DIR/sink.out
# and `count DIR` reads it (the Postfix peer relays into a counting sink).
# Needs: postfix (scripts/bootstrap.sh). Runs as root and drops to nobody.
# Usage: peers/smtp_sink.sh start PORT DIR [count] | stop DIR | count DIR | pid DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

start() {
  local port=$1 dir=$2 flags=()
  [ "${3:-}" = count ] && flags=(-c)
  mkdir -p "$dir"
  # backlog 1024: 50 sessions connecting at once must not meet a full queue.
  smtp-sink "${flags[@]}" -u nobody "127.0.0.1:$port" 1024 >"$dir/sink.out" 2>&1 &
  echo $! >"$dir/peer.pid"
  wait_for_port "$port" 10
}

# The counter is rewritten in place with CR: take the last "mesg=N".
count() {
  local n
  n=$(tail -c 400 "$1/sink.out" | tr '\r' '\n' | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1)
  echo "${n:-0}"
}

case "${1:-}" in
  start) start "$2" "$3" "${4:-}" ;;
  stop) stop_peer "$2" ;;
  count) count "$2" ;;
  pid) cat "$2/peer.pid" ;;
  *) echo "usage: $0 start PORT DIR [count] | stop DIR | count DIR | pid DIR" >&2; exit 2 ;;
esac
