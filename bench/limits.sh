#!/usr/bin/env bash
# The abuse limits under a flood: a release build of Postern with a rate
# limit per API key; 1,000 connections hammer the API with one key (refused
# 429 past its rate) while a legitimate client with its own key measures its
# latency, compared with its latency alone (bench/limits_load.py). DESIGN.md
# asks the legitimate client's p99 to stay within twice its unloaded value.
# Everything listens on 127.0.0.1 and is stopped at exit. The summary goes to
# bench/results/limits.json (bench/results.py).
# Usage: bench/limits.sh [BUILD_DIR] [RUNS] [SECS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "FLOOD" "$@")
BUILD=${1:-build/release}
RUNS=${2:-3}
SECS=${3:-10}
FLOOD=${FLOOD:-1000}
POSTERN=$(realpath "$BUILD/bin/postern")
WORK=$(mktemp -d /tmp/postern-limits.XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/postern.toml" <<TOML
[limits]
key_requests_per_second = 100
key_burst = 100
key_concurrent = 64
TOML
export POSTERN_LOG_LEVEL=warn POSTERN_STORE_PATH="$WORK/postern.db"
key() { "$POSTERN" --config "$WORK/postern.toml" keys create --name "$1" --scopes read 2>/dev/null; }
LEGIT=$(key legit)
ABUSER=$(key abuser)
PORT=$(free_port)
POSTERN_HTTP_LISTEN=127.0.0.1:$PORT POSTERN_SMTP_LISTEN=127.0.0.1:0 \
  "$POSTERN" --config "$WORK/postern.toml" serve 2>>"$WORK/serve.log" &
PID=$!
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

: >"$WORK/raw.txt"
for run in $(seq "$RUNS"); do
  /usr/bin/python3 "$here/limits_load.py" "$PORT" "$LEGIT" "$ABUSER" "$run" --flood "$FLOOD" --secs "$SECS" \
    | tee -a "$WORK/raw.txt"
done
write_results limits "$WORK/raw.txt" "$COMMAND" --param "flood=$FLOOD" --param "secs=$SECS"
