#!/usr/bin/env bash
# Memory with a deep queue: a release build of Postern takes COUNT messages
# (1 KiB JSON, wrk over 200 keep-alive connections) with delivery off, so
# that all of them stay queued, as when every provider is down. Prints the
# resident set (VmRSS) and its peak (VmHWM) once the queue holds them, then
# again after a restart over the full store with delivery on and no provider
# able to take mail (the dispatcher leases, fails and defers). The summary
# goes to bench/results/queued_memory.json (bench/results.py).
# Usage: bench/queued_memory.sh BUILD_DIR [COUNT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "" "$@")
BUILD=${1:-build/release}
COUNT=${2:-1000000}
POSTERN=$(realpath "$BUILD/bin/postern")
WORK=$(mktemp -d /var/tmp/postern-mem.XXXXXX)  # 1M messages: about 1.5 GB on disk
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

export POSTERN_LOG_LEVEL=warn POSTERN_STORE_PATH="$WORK/data/postern.db"
/usr/bin/python3 - "$WORK" <<'PY'
import json, sys
body = json.dumps({"from": "bench@example.com", "to": ["user@example.org"], "subject": "queued", "text": "q" * 900})
open(f"{sys.argv[1]}/load.lua", "w").write(
    'wrk.method="POST"\nwrk.body=%s\nwrk.headers["Content-Type"]="application/json"\n' % json.dumps(body))
PY

start_postern() {  # $1 = delivery true|false, then options for postern before `serve`
  PORT=$(free_port)
  POSTERN_HTTP_LISTEN=127.0.0.1:$PORT POSTERN_SMTP_LISTEN=127.0.0.1:0 POSTERN_DELIVERY_ENABLED=$1 \
    "$POSTERN" "${@:2}" serve 2>>"$WORK/serve.log" &
  PID=$!
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "postern did not start" >&2
  exit 1
}
queued() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1=="postern_queue_messages{status=\"queued\"}" {print $2}'; }
memory() { awk '/^VmRSS/ {rss = $2} /^VmHWM/ {hwm = $2} END {printf "rss_mib=%d hwm_mib=%d\n", rss / 1024, hwm / 1024}' "/proc/$PID/status"; }
RAW=$WORK/raw.txt
moment() { echo "moment=$1 queued=$(queued) $(memory)" | tee -a "$RAW"; }  # NAME: one line of the summary

echo "# $(date -u +%FT%TZ) $(nproc) cores, postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null), $COUNT messages of 1 KiB"
start_postern false
moment started
while [ "$(queued)" -lt "$COUNT" ]; do
  timeout 100 wrk -t2 -c200 -d10s -s "$WORK/load.lua" "http://127.0.0.1:$PORT/v1/messages" >/dev/null
  echo "# queued=$(queued) $(memory)"
done
moment after_intake
kill "$PID"; wait "$PID" || true; PID=

# No provider that can take mail: an SMTP relay on a closed port.
cat >"$WORK/down.toml" <<TOML
[[providers]]
name = "down"
type = "smtp"
host = "127.0.0.1"
port = $(free_port)
tls = "none"
TOML
start_postern true --config "$WORK/down.toml"
moment restarted  # delivery on, the provider down
sleep 30
moment later
echo
write_results queued_memory "$RAW" "$COMMAND"
