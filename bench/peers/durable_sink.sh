#!/usr/bin/env bash
# The ceiling of a durable SMTP server on this machine: durable_sink.c, one
# event loop that answers 250 only after an fdatasync of its journal, run by
# flush threads beside the loop (see the top of durable_sink.c; MODE loop
# flushes on the loop's thread, nosync not at all). Compiled into DIR
# at the first start (again only when the source is newer), run in the
# background with its PID in DIR/peer.pid, its journal in DIR (on the disk
# DIR is on: a flush must cost what it costs). The journal outlives stop, so
# later starts in DIR reuse it rather than zero-fill 256 MiB again; removing
# DIR removes it.
# Needs: cc (scripts/bootstrap.sh installs build-essential).
# Usage: peers/durable_sink.sh start PORT DIR [pipelined|loop|nosync] | stop DIR | pid DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

start() {
  local port=$1 dir=$2 mode=${3:-pipelined}
  mkdir -p "$dir"
  [ "$dir/durable_sink" -nt "$here/durable_sink.c" ] || cc -O2 -pthread -o "$dir/durable_sink" "$here/durable_sink.c"
  "$dir/durable_sink" "$port" "$dir/journal" "$mode" >"$dir/peer.out" 2>&1 &
  echo $! >"$dir/peer.pid"
  wait_for_port "$port" 30  # zero-filling the journal comes first
}

case "${1:-}" in
  start) start "$2" "$3" "${4:-}" ;;
  stop) stop_peer "$2" ;;
  pid) cat "$2/peer.pid" ;;
  *) echo "usage: $0 start PORT DIR [pipelined|loop|nosync] | stop DIR | pid DIR" >&2; exit 2 ;;
esac
