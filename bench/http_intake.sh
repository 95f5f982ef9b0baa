#!/usr/bin/env bash
# HTTP intake benchmark: wrk posts 4 KiB JSON messages over keep-alive
# connections to a release build of Postern (durable: every 202 follows an
# fsync'd group commit), and, in the same run, the same load against nginx
# answering a bare 202 (the machine's ceiling). Prints msg/s, p50/p99 and
# fsyncs/s per cell, and the ratio to nginx: the median of the runs' own
# ratios, each Postern cell (delivery off) measured right after nginx's cell
# of the same connections. The summary goes to bench/results/http_intake.json
# (bench/results.py), from which bench/render.py renders BENCHMARKS.md.
# Each Postern server serves the cells of its run in turn (64, then 200
# connections, on one store that grows through them), after a warm-up of
# WARMUP seconds (default 3) at 50 connections that is not measured: SQLite's
# WAL file grows to its 64 MiB size limit during the first ~60 MB written and
# is overwritten in place after that; while it grows, each fdatasync that
# extends it also writes the file's new size and block map (~4 ms), which a
# cold store would count as the first cell's latency (as
# bench/smtp_intake.sh explains).
# Usage: bench/http_intake.sh BUILD_DIR [RUNS] [SECS]   env CONNS, WARMUP
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "CONNS WARMUP" "$@")
BUILD=${1:-build/release}
RUNS=${2:-3}
SECS=${3:-10}
# The connection counts DESIGN.md judges the target at. 200: many
# application servers sending at once, where group commit shows what it is
# for (one fsync carries more messages the more are waiting).
CONNS=${CONNS:-"64 200"}
WARMUP=${WARMUP:-3}
POSTERN=$(realpath "$BUILD/bin/postern")
WORK=$(mktemp -d /var/tmp/postern-bench.XXXXXX)  # on disk: /tmp may be tmpfs and skip fsync costs
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  "$here/peers/nginx_202.sh" stop "$WORK/nginx" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export POSTERN_LOG_LEVEL=info
# A store holding only the key; each server starts on a fresh copy, so that
# no run drains the backlog of the one before.
KEY=$(POSTERN_STORE_PATH="$WORK/seed/postern.db" "$POSTERN" keys create --name bench --scopes send,read 2>/dev/null)
/usr/bin/python3 - "$WORK" "$KEY" <<'PY'
import json, sys
work, key = sys.argv[1], sys.argv[2]
text = "x" * 3990  # the JSON body is 4 KiB
body = json.dumps({"from": "bench@example.com", "to": ["user@example.org"], "subject": "benchmark", "text": text})
assert 4000 < len(body) <= 4096, len(body)
common = 'wrk.method="POST"\nwrk.body=%s\nwrk.headers["Content-Type"]="%%s"\n' % json.dumps(body)
open(f"{work}/postern.lua", "w").write(common % "application/json" + 'wrk.headers["Authorization"]="Bearer %s"\n' % key)
open(f"{work}/nginx.lua", "w").write(common % "application/json")
PY

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1==m {print $2}'; }

run_postern() {  # $1 = delivery on|off
  PORT=$(free_port)
  rm -rf "$WORK/data" && cp -r "$WORK/seed" "$WORK/data"
  export POSTERN_STORE_PATH="$WORK/data/postern.db"
  # The previous server's log says "postern ready" too, and the redirection
  # below truncates it only once the background job runs: without the rm,
  # wait_for_line could read the old line and wrk find nothing listening.
  rm -f "$WORK/serve.log"
  # SMTP on a free port: the default 2525 may be taken (make run, another bench).
  POSTERN_HTTP_LISTEN=127.0.0.1:$PORT POSTERN_SMTP_LISTEN=127.0.0.1:0 \
    POSTERN_DELIVERY_ENABLED=$([ "$1" = on ] && echo true || echo false) \
    "$POSTERN" serve 2>"$WORK/serve.log" &
  PID=$!
  wait_for_line "$WORK/serve.log" "postern ready" 30
  if [ "$WARMUP" -gt 0 ]; then
    wrk_cell "http://127.0.0.1:$PORT/v1/messages" "$WORK/postern.lua" 50 "$WARMUP" >/dev/null
  fi
}
stop_postern() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=; }

MACHINE_NOTE="fsync probe (4 KiB write + fdatasync under /var/tmp) $(fsync_probe_us "$WORK") µs"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null), $MACHINE_NOTE"
RAW=$WORK/raw.txt
cell() {  # $1 = URL, $2 = Lua script, $3 = connections: one wrk cell's figures and the box's CPU
  local b0 t0 b1 t1 rps p50 p99 non err
  read -r b0 t0 < <(cpu_ticks)
  read -r rps p50 p99 non err < <(wrk_cell "$1" "$2" "$3" "$SECS")
  read -r b1 t1 < <(cpu_ticks)
  echo "req_per_s=$rps p50=$p50 p99=$p99 non2xx=$non cpu=$(cpu_pct $b0 $t0 $b1 $t1)"
}
postern_cell() {  # $1 = delivery on|off, $2 = run, $3 = connections
  local c0 figures fsyncs
  c0=$(metric 'postern_store_fsync_seconds_count{store="sqlite"}')
  figures=$(cell "http://127.0.0.1:$PORT/v1/messages" "$WORK/postern.lua" "$3")
  fsyncs=$(awk -v a="$c0" -v b="$(metric 'postern_store_fsync_seconds_count{store="sqlite"}')" -v s="$SECS" \
    'BEGIN{printf "%.0f", (b-a)/s}')
  echo "peer=postern-delivery-$1 conns=$3 run=$2 $figures fsync_per_s=$fsyncs" | tee -a "$RAW"
}
for r in $(seq 1 "$RUNS"); do
  NPORT=$(free_port)
  "$here/peers/nginx_202.sh" start "$NPORT" "$WORK/nginx"
  # Each Postern cell right after nginx's cell of the same connections: the
  # box's speed drifts by a third within minutes here (nginx 65,000 and
  # 87,000/s in two runs under two minutes apart), and a ratio of two figures
  # measured seconds apart carries less of that drift. The idle server
  # waiting beside the loaded one costs nothing.
  run_postern off
  for C in $CONNS; do
    echo "peer=nginx conns=$C run=$r $(cell "http://127.0.0.1:$NPORT/" "$WORK/nginx.lua" "$C")" | tee -a "$RAW"
    postern_cell off "$r" "$C"
  done
  stop_postern
  "$here/peers/nginx_202.sh" stop "$WORK/nginx"
  # Delivery on after: its backlog drains after each cell and would load
  # the box under the next nginx cell.
  run_postern on
  for C in $CONNS; do postern_cell on "$r" "$C"; done
  stop_postern
done

echo
write_results http_intake "$RAW" "$COMMAND" --machine-note "$MACHINE_NOTE"
