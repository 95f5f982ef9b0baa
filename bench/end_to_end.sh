#!/usr/bin/env bash
# End-to-end benchmark: wrk posts messages to a release build of Postern for
# SECS seconds; Postern delivers them through two simulated providers
# (postern-sim: Mailgun and SendGrid APIs). Reports messages per second from
# the first acceptance to the last provider receipt, and p50/p99 time from
# acceptance to the provider's acceptance (postern_delivery_seconds). The
# summary goes to bench/results/end_to_end.json (bench/results.py).
# Usage: bench/end_to_end.sh BUILD_DIR [RUNS] [SECS] [CONNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "" "$@")
BUILD=${1:-build/release}
RUNS=${2:-3}
SECS=${3:-10}
CONNS=${4:-50}
POSTERN=$(realpath "$BUILD/bin/postern")
SIM=$(realpath "$BUILD/bin/postern-sim")
bench_workdir e2e

# histogram_quantile Q METRIC: from the cumulative buckets on /metrics.
histogram_quantile() {
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v q="$1" -v m="$2" '
    index($0, m "_bucket{") == 1 { split($0, a, "le=\""); split(a[2], b, "\""); le[n] = b[1]; c[n] = $NF; n++ }
    END { total = c[n-1]; for (i = 0; i < n; i++) if (c[i] >= q * total) { print le[i]; exit } }'
}
queue() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v s="$1" -F'[ "]' '$0 ~ "^postern_queue_messages\\{status=\"" s "\"" {print $NF}'; }

wrk_post_lua "$WORK/post.lua"

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
RAW=$WORK/raw.txt
for r in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/run" && mkdir -p "$WORK/run"
  start_sim_and_postern "$WORK/run" "$POSTERN" "$SIM"
  read -r b0 t0 < <(cpu_ticks)
  start=$(date +%s.%N)
  read -r rps p50 p99 non err < <(wrk_cell "http://127.0.0.1:$PORT/v1/messages" "$WORK/post.lua" "$CONNS" "$SECS")
  # Wait for the queue to drain: delivered = accepted.
  while [ "$(queue queued)" != "0" ] || [ "$(queue sending)" != "0" ] || [ "$(queue deferred)" != "0" ]; do sleep 0.05; done
  end=$(date +%s.%N)
  read -r b1 t1 < <(cpu_ticks)
  sent=$(queue sent)
  d50=$(histogram_quantile 0.5 postern_delivery_seconds)
  d99=$(histogram_quantile 0.99 postern_delivery_seconds)
  echo "run=$r conns=$CONNS accepted_per_s=$rps delivered=$sent e2e_msg_per_s=$(awk -v n="$sent" -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", n/(b-a)}') delivery_p50_le=${d50}s delivery_p99_le=${d99}s intake_p99=$p99 cpu=$(cpu_pct $b0 $t0 $b1 $t1)" | tee -a "$RAW"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
done
echo
write_results end_to_end "$RAW" "$COMMAND" --param "conns=$CONNS"
