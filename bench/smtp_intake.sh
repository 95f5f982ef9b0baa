#!/usr/bin/env bash
# SMTP intake benchmark. Postfix's smtp-source sends N messages per cell to a
# release build of Postern and, in the same run and with the same flags, to
# two peers on loopback:
#   sink        smtp-sink: answers at once, stores nothing (the ceiling of the
#               load generator on this machine);
#   durable     bench/peers/durable_sink.c: one event loop that answers 250
#               after an fdatasync of a zero-filled journal, run by flush
#               threads beside the loop for everything written before it
#               starts (the ceiling of a server that stores before it
#               answers, here);
#   postfix     a private Postfix queueing to disk (fsync per queue file
#               before 250) and relaying to a counting smtp-sink;
#   postern-off Postern, store on disk under /var/tmp (fsync'd group commit
#               before 250), delivery off;
#   postern-on  the same with delivery on, to the built-in capture provider;
#   postern-nofsync  Postern with delivery off and store.fsync = false: NOT
#               durable, a bound: what Postern's sessions and store cost
#               without the flush.
# Cells: message size (smtp-source -l) x parallel sessions (-s) x mode:
#   conn  = a new connection per message (smtp-source's default; like
#           inbound MTA traffic);
#   reuse = every session keeps its connection for all its messages (-d;
#           like a submitting application).
# Per run it prints one line per (cell, target): msg/s over smtp-source's wall
# time, box CPU (% of one core, all cores summed), the target's CPU per
# message (process tree; for postfix and postern-on until every message is
# delivered), smtp-source's CPU, fsyncs (Postern's commits) and disk flushes
# per second. The summary (medians, and each ratio as the median of the
# runs' own) goes to bench/results/smtp_intake.json (bench/results.py), from
# which bench/render.py renders BENCHMARKS.md.
# Bounded: every smtp-source under `timeout $RUN_TIMEOUT`, delivery waits and
# peer stops bounded; all processes stopped by PID at exit.
# Usage: bench/smtp_intake.sh [BUILD_DIR] [RUNS] [N]
#   BUILD_DIR  default build/release (cmake -DCMAKE_BUILD_TYPE=Release; ninja postern)
#   RUNS       default 3;  N  messages per run and cell, default 5000
#   env CELLS="4096:10 4096:50 102400:10 102400:50"  (size:sessions)
#       MODES="conn reuse"  TARGETS="sink durable postfix postern-off postern-on postern-nofsync"
#       RUN_TIMEOUT=300  (seconds per smtp-source run)
#       WARMUP=2500  (4 KiB messages sent to each fresh Postern before it is
#         measured; 0 measures a cold store). SQLite's WAL file grows to its
#         64 MiB size limit during the first ~60 MB written and is then
#         overwritten in place; on ext4 a commit that extends the file also
#         writes the file's new size and block map in its fdatasync (~4 ms
#         here against ~0.3 ms for an overwrite), so a cold store is
#         measured mostly in that transient. The warm-up measures the
#         steady state.
# Needs: postfix (smtp-source, smtp-sink), curl, root (Postfix, smtp-sink -u).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "CELLS MODES TARGETS WARMUP" "$@")
BUILD=${1:-build/release}
RUNS=${2:-3}
N=${3:-5000}
CELLS=${CELLS:-"4096:10 4096:50 102400:10 102400:50"}
MODES=${MODES:-"conn reuse"}
TARGETS=${TARGETS:-"sink durable postfix postern-off postern-on postern-nofsync"}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
WARMUP=${WARMUP:-2500}
POSTERN=$(realpath "$BUILD/bin/postern")
# On disk, not tmpfs: fsync must cost what it costs.
WORK=$(mktemp -d /var/tmp/postern-smtp-bench.XXXXXX)
chmod 755 "$WORK"  # Postfix's daemons (user postfix) walk into its queue here
DISK=$(disk_of "$WORK")
TCK=$(ticks_per_s)
RAW=$WORK/raw.txt
POSTERN_PID=
PEERS_UP=

cleanup() {
  stop_postern
  if [ -n "$PEERS_UP" ]; then
    "$here/peers/postfix_relay.sh" stop "$WORK/postfix" || true
    "$here/peers/smtp_sink.sh" stop "$WORK/relay-sink" || true
  fi
  "$here/peers/smtp_sink.sh" stop "$WORK/sink" || true
  "$here/peers/durable_sink.sh" stop "$WORK/durable" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the load -----------------------------------------------------------------

# source_run SIZE SESSIONS MODE PORT -> "seconds source_cpu_ticks rc"
source_run() {
  local flags=(-s "$2" -l "$1" -m "$N" -f bench@example.com -t user@example.org)
  [ "$3" = reuse ] && flags+=(-d)
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$WORK/source.cpu" timeout "$RUN_TIMEOUT" \
    smtp-source "${flags[@]}" "127.0.0.1:$4" >/dev/null 2>"$WORK/source.err" || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" = 0 ] || echo "# smtp-source exited $rc: $(head -c 300 "$WORK/source.err")" >&2
  awk -v t0="$t0" -v t1="$t1" -v tck="$TCK" -v rc="$rc" '{c = ($1 + $2) * tck}
    END {printf "%.3f %d %d\n", t1 - t0, c, rc}' < <(tail -1 "$WORK/source.cpu")
}

# wait_until SECONDS COMMAND...: until COMMAND succeeds; 1 on time-out.
wait_until() {
  local limit=$1 end
  shift
  end=$(($(date +%s) + limit))
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.05
  done
}

# --- targets: start, CPU probe, delivered count ---------------------------------

start_postern() {  # TARGET: postern-off, postern-on or postern-nofsync
  local http smtp delivery=off fsync=true
  case $1 in
    postern-on) delivery=on ;;
    postern-nofsync) fsync=false ;;
  esac
  http=$(free_port)
  smtp=$(free_port)
  rm -rf "$WORK/postern"
  mkdir -p "$WORK/postern"
  POSTERN_HTTP_LISTEN=127.0.0.1:$http POSTERN_SMTP_LISTEN=127.0.0.1:$smtp \
    POSTERN_STORE_PATH="$WORK/postern/postern.db" POSTERN_LOG_LEVEL=info \
    POSTERN_DELIVERY_ENABLED=$([ "$delivery" = on ] && echo true || echo false) POSTERN_STORE_FSYNC=$fsync \
    "$POSTERN" serve 2>"$WORK/postern/serve.log" &
  POSTERN_PID=$!
  wait_for_line "$WORK/postern/serve.log" "postern ready" 30
  POSTERN_HTTP=$http
  POSTERN_SMTP=$smtp
  warm_up_postern "$delivery"
}

warm_up_postern() {  # delivery on|off: WARMUP messages, not measured
  [ "$WARMUP" -gt 0 ] || return 0
  timeout "$RUN_TIMEOUT" smtp-source -d -s 10 -l 4096 -m "$WARMUP" -f warmup@example.com -t user@example.org \
    "127.0.0.1:$POSTERN_SMTP" >/dev/null 2>&1 || echo "# warm-up failed" >&2
  if [ "$1" = on ]; then
    wait_until 300 test_at_least postern_sent "$WARMUP" || echo "# warm-up not delivered" >&2
  fi
}

stop_postern() {
  [ -n "$POSTERN_PID" ] || return 0
  stop_pid "$POSTERN_PID" 30
  wait "$POSTERN_PID" 2>/dev/null || true
  POSTERN_PID=
}

postern_sent() { prom_metric "$POSTERN_HTTP" 'postern_queue_messages{status="sent"}'; }
# "commits seconds_in_commit operations_committed" so far.
postern_commits() {
  echo "$(prom_metric "$POSTERN_HTTP" 'postern_store_fsync_seconds_count{store="sqlite"}')" \
    "$(prom_metric "$POSTERN_HTTP" 'postern_store_fsync_seconds_sum{store="sqlite"}')" \
    "$(prom_metric "$POSTERN_HTTP" 'postern_store_fsync_batch_size_sum{store="sqlite"}')"
}
relay_sink_count() { "$here/peers/smtp_sink.sh" count "$WORK/relay-sink"; }
postfix_idle() { [ "$("$here/peers/postfix_relay.sh" queue "$WORK/postfix")" = 0 ]; }

start_postfix() {
  local sink_port pf_port
  sink_port=$(free_port)
  pf_port=$(free_port)
  "$here/peers/smtp_sink.sh" start "$sink_port" "$WORK/relay-sink" count
  "$here/peers/postfix_relay.sh" start "$pf_port" "$sink_port" "$WORK/postfix"
  PEERS_UP=1
  POSTFIX_PORT=$pf_port
  POSTFIX_PID=$("$here/peers/postfix_relay.sh" pid "$WORK/postfix")
}

stop_postfix() {
  "$here/peers/postfix_relay.sh" stop "$WORK/postfix"
  "$here/peers/smtp_sink.sh" stop "$WORK/relay-sink"
  PEERS_UP=
}

# --- one measurement ------------------------------------------------------------

# measure TARGET SIZE SESSIONS MODE RUN: runs the load against the target
# (already started) and appends one line to $RAW.
measure() {
  local target=$1 size=$2 sessions=$3 mode=$4 run=$5
  local port pid delivered_base=0 commits0="0 0 0" commits1="0 0 0" extra=
  case $target in
    sink | durable) port=$SINK_PORT; pid=$SINK_PID ;;
    postfix) port=$POSTFIX_PORT; pid=$POSTFIX_PID; delivered_base=$(relay_sink_count) ;;
    postern-*) port=$POSTERN_SMTP; pid=$POSTERN_PID; commits0=$(postern_commits); delivered_base=$(postern_sent) ;;
  esac
  local b0 t0 b1 t1 c0 c1 dw0 dsec0 df0 dw1 dsec1 df1 secs src rc deliver_s=
  c0=$(tree_cpu_ticks "$pid")
  read -r b0 t0 < <(cpu_ticks)
  read -r dw0 dsec0 df0 < <(disk_counters "$DISK")
  local start
  start=$(date +%s.%N)
  read -r secs src rc < <(source_run "$size" "$sessions" "$mode" "$port")
  read -r b1 t1 < <(cpu_ticks)
  read -r dw1 dsec1 df1 < <(disk_counters "$DISK")
  # Delivery: until the relay's sink (Postfix) or the store (Postern) counts
  # every message; the target's CPU covers intake and delivery.
  case $target in
    postfix)
      wait_until 300 test_at_least relay_sink_count $((delivered_base + N)) || rc=$((rc + 1000))
      deliver_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.3f", e - s}')
      wait_until 60 postfix_idle || true
      ;;
    postern-on)
      wait_until 300 test_at_least postern_sent $((delivered_base + N)) || rc=$((rc + 1000))
      deliver_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.3f", e - s}')
      ;;
  esac
  case $target in postern-*) commits1=$(postern_commits) ;; esac
  c1=$(tree_cpu_ticks "$pid")
  [ -n "$deliver_s" ] && extra="delivered_per_s=$(awk -v n="$N" -v s="$deliver_s" 'BEGIN{printf "%.0f", n / s}')"
  # WAL fsyncs of the group commit's sync stage: how many per second, how
  # long each, and how many store operations (messages, and with delivery
  # their status changes) each made durable.
  case $target in postern-*) extra="$extra $(echo "$commits0 $commits1" | awk -v s="$secs" '{
      n = $4 - $1; printf "fsync_per_s=%.0f fsync_ms=%.2f ops_per_fsync=%.1f", n / s, n ? ($5 - $2) / n * 1000 : 0, n ? ($6 - $3) / n : 0}')" ;; esac
  awk -v t="$target" -v L="$size" -v S="$sessions" -v m="$mode" -v r="$run" -v n="$N" -v rc="$rc" \
    -v secs="$secs" -v box="$(cpu_pct "$b0" "$t0" "$b1" "$t1")" -v tc="$((c1 - c0))" -v src="$src" -v tck="$TCK" \
    -v fl="$((df1 - df0))" -v mb="$(((dsec1 - dsec0) / 2048))" -v extra="$extra" 'BEGIN{
      printf "target=%s size=%d sessions=%d mode=%s run=%d msgs=%d rc=%d secs=%.2f msg_per_s=%.0f box_cpu_pct=%d target_cpu_us_per_msg=%.0f source_cpu_us_per_msg=%.0f disk_flushes_per_s=%.0f disk_MB=%d %s\n",
        t, L, S, m, r, n, rc, secs, n / secs, box, tc / tck / n * 1e6, src / tck / n * 1e6, fl / secs, mb, extra }' | tee -a "$RAW"
}

test_at_least() {  # COMMAND... LIMIT: COMMAND prints a number >= LIMIT
  local limit=${*: -1} value
  value=$("${@:1:$#-1}")
  [ "${value%.*}" -ge "$limit" ]
}

# --- the run --------------------------------------------------------------------

run_sink() {  # PEER_SCRIPT DIR_NAME TARGET SIZE SESSIONS MODE RUN: a fresh sink per measurement
  local peer=$here/peers/$1 dir=$WORK/$2
  shift 2
  SINK_PORT=$(free_port)
  "$peer" start "$SINK_PORT" "$dir"
  SINK_PID=$("$peer" pid "$dir")
  measure "$@"
  "$peer" stop "$dir"
}

run_target() {  # TARGET SIZE SESSIONS MODE RUN
  case $1 in
    sink) run_sink smtp_sink.sh sink "$@" ;;
    durable) run_sink durable_sink.sh durable "$@" ;;
    postfix)
      measure "$@"
      ;;
    postern-*)
      # A fresh store per cell: every cell starts from the same empty file.
      start_postern "$1"
      measure "$@"
      stop_postern
      ;;
  esac
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null)$(git -C "$here/.." diff --quiet 2>/dev/null || echo '+dirty') ($POSTERN), postfix $(postconf -d -h mail_version 2>/dev/null), store on $DISK under $WORK"
MACHINE_NOTE="fsync probe (4 KiB write + fdatasync under /var/tmp) $(fsync_probe_us "$WORK") µs"
echo "# $MACHINE_NOTE"
echo "# Postern warm-up per fresh store: $WARMUP messages of 4 KiB (see the header of $0)"
echo "# smtp-source -s SESSIONS -l SIZE -m $N -f bench@example.com -t user@example.org [-d] 127.0.0.1:PORT"
for r in $(seq 1 "$RUNS"); do
  case " $TARGETS " in *" postfix "*) start_postfix ;; esac
  for cell in $CELLS; do
    IFS=: read -r size sessions <<<"$cell"
    for mode in $MODES; do
      for target in $TARGETS; do
        run_target "$target" "$size" "$sessions" "$mode" "$r"
      done
    done
  done
  [ -z "$PEERS_UP" ] || stop_postfix
  echo "# run $r done; load average $(cut -d' ' -f1-3 /proc/loadavg); fsync probe $(fsync_probe_us "$WORK") µs"
done

# --- summary --------------------------------------------------------------------

echo
write_results smtp_intake "$RAW" "$COMMAND" --machine-note "$MACHINE_NOTE"
