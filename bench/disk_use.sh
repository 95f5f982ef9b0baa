#!/usr/bin/env bash
# Disk that follows the live mail (issue 31): a release build of Postern
# delivers COUNT 1 KiB messages (wrk, 50 keep-alive connections) through
# postern-sim's SMTP relay while DEFERRED others, sent first and spread
# over the run (one every COUNT/DEFERRED), are deferred by the relay for the
# whole run. store.retention is short (RETENTION, 5s) so that delivered
# mail goes soon; the content segments are the default 64 MiB. Every second
# it samples the content files' size on disk (postern.db-content) and the
# messages still kept (postern_queue_messages, every status), and reports
# the peak and the end beside the bound: twice the content kept plus two
# segments. The summary goes to bench/results/disk_use.json.
# Usage: bench/disk_use.sh BUILD_DIR [COUNT] [DEFERRED]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "RETENTION" "$@")
BUILD=${1:-build/release}
COUNT=${2:-1000000}
DEFERRED=${3:-1}
RETENTION=${RETENTION:-5s}
SEGMENT_MIB=64
POSTERN=$(realpath "$BUILD/bin/postern")
SIM=$(realpath "$BUILD/bin/postern-sim")
bench_workdir disk

start_sim "$WORK/sim.log" --smtp 127.0.0.1:0 --fault 'smtp:defer=stuck*@*'
PORT=$(free_port)
cat >"$WORK/postern.toml" <<TOML
[http]
listen = "127.0.0.1:$PORT"
[smtp]
listen = "127.0.0.1:0"
[store]
path = "$WORK/data/postern.db"
retention = "$RETENTION"
[delivery]
initial_backoff = "5s"
max_backoff = "30s"
[log]
level = "info"
[[providers]]
name = "relay"
type = "smtp"
host = "127.0.0.1"
port = $(sim_address "$WORK/sim.log" smtp | cut -d: -f2)
tls = "none"
TOML
"$POSTERN" --config "$WORK/postern.toml" serve 2>"$WORK/serve.log" &
PIDS+=($!)
wait_for_line "$WORK/serve.log" "postern ready" 30

body() {  # RECIPIENT -> a 1 KiB JSON message to it
  printf '{"from":"bench@example.com","to":["%s"],"subject":"disk","text":"%s"}' "$1" "$(head -c 900 /dev/zero | tr '\0' x)"
}
post() { curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary "$(body "$1")" "http://127.0.0.1:$PORT/v1/messages"; }
printf 'wrk.method="POST"\nwrk.body=[[%s]]\nwrk.headers["Content-Type"]="application/json"\n' "$(body user@example.org)" >"$WORK/post.lua"
content() { find "$WORK/data/postern.db-content" -name '*.seg' -printf '%s\n' | awk '{n += $1} END {print n + 0}'; }
kept() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ /^postern_queue_messages\{/ {n += $2} END {print n + 0}'; }
accepted() { prom_metric "$PORT" 'postern_messages_accepted_total{source="http"}'; }

post stuck0@example.org  # alone in the first segment: its size is every message's
PER_MESSAGE=$(content)
RAW=$WORK/raw.txt
sample() { echo "sample=$1 t=$(($(date +%s) - START)) kept=$(kept) content_bytes=$(content) accepted=$(accepted)" >>"$WORK/samples.txt"; }
START=$(date +%s)
( while :; do sample during; sleep 1; done ) &
PIDS+=($!)
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $COUNT messages, $DEFERRED deferred, $PER_MESSAGE bytes each"
stuck=1
while [ "$(accepted)" -lt "$COUNT" ]; do
  timeout 100 wrk -t2 -c50 -d5s -s "$WORK/post.lua" "http://127.0.0.1:$PORT/v1/messages" >/dev/null
  # One more deferred message each time another COUNT/DEFERRED went in.
  while [ "$stuck" -lt "$DEFERRED" ] && [ "$(accepted)" -ge $((stuck * COUNT / DEFERRED)) ]; do
    post "stuck$stuck@example.org"
    stuck=$((stuck + 1))
  done
  tail -1 "$WORK/samples.txt" | sed 's/^/# /'
done
# Delivered and purged: only the deferred messages are kept. Then the files shrink.
while [ "$(kept)" -gt "$DEFERRED" ]; do sleep 1; done
END_BY=$(($(date +%s) + 120))
while [ "$(content)" -gt $((2 * DEFERRED * PER_MESSAGE + 2 * SEGMENT_MIB * 1048576)) ] && [ "$(date +%s)" -lt "$END_BY" ]; do sleep 1; done
sleep 3
kill "${PIDS[-1]}"; unset 'PIDS[-1]'
sample end
/usr/bin/python3 - "$WORK/samples.txt" "$PER_MESSAGE" "$SEGMENT_MIB" "$(prom_metric "$PORT" postern_store_compacted_segments_total)" \
  "$(prom_metric "$PORT" postern_store_compacted_bytes_total)" "$(prom_metric "$PORT" postern_store_reclaimed_bytes_total)" >"$RAW" <<'PY'
import sys
path, per, seg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) << 20
compacted, moved, reclaimed = sys.argv[4:7]
rows = [dict(kv.split("=") for kv in line.split()) for line in open(path)]
for r in rows:
    r["bound"] = 2 * int(r["kept"]) * per + 2 * seg
# A purge lowers the messages kept before the reclaim after it removes their
# files: each sample is set beside the most kept over the 5 s before it.
for i, r in enumerate(rows):
    t = int(r["t"])
    kept = max(int(x["kept"]) for x in rows[: i + 1] if t - 5 <= int(x["t"]) <= t)
    r["bound"] = 2 * kept * per + 2 * seg
during = [r for r in rows if r["sample"] == "during"]
peak = max(during, key=lambda r: int(r["content_bytes"]))
worst = max(during, key=lambda r: int(r["content_bytes"]) / r["bound"])
end = rows[-1]
over = sum(int(r["content_bytes"]) > r["bound"] for r in during)
common = f"per_message={per} samples={len(during)} over_bound={over} compacted_segments={compacted} " \
         f"compacted_bytes={moved} reclaimed_bytes={reclaimed} accepted={end['accepted']}"
for name, r in (("peak", peak), ("closest_to_bound", worst), ("end", end)):
    print(f"moment={name} t={r['t']} kept={r['kept']} content_mib={int(r['content_bytes']) / 2**20:.1f} "
          f"bound_mib={r['bound'] / 2**20:.1f} {common}")
PY
cat "$RAW"
echo
write_results disk_use "$RAW" "$COMMAND" --param "count=$COUNT" --param "deferred=$DEFERRED" --param "retention=$RETENTION"
