#!/usr/bin/env bash
# Provider events benchmark: signed webhooks ingested per second while HTTP
# intake runs at half its measured rate, and intake's p50/p99 with and
# without that load, all from the same run on one release build of Postern.
#
# Setup (not timed): postern-sim's Mailgun and SendGrid take MESSAGES
# messages of RECIPIENTS recipients each from Postern (round robin), so
# that Postern records each one's provider message id; Postern is then
# restarted on that store with delivery off. Intake alone, closed loop
# (wrk -t2 -c64 for CALIBRATE seconds of 4 KiB messages, as
# bench/http_intake.sh), gives the rate the cells pace intake at: half of
# it, offered at a constant rate over 64 connections. Each run then
# measures, SECS seconds each:
#   alone-before     paced intake only
#   sendgrid-max     paced intake + SendGrid batches of 100 events (ECDSA),
#                    as fast as Postern takes them: its ingestion rate
#   sendgrid-paced   paced intake + SendGrid at EVENTS_RATE events/s:
#                    intake's p99 beside that load
#   mailgun-max      the same with single Mailgun events (HMAC)
#   mailgun-paced
#   more-intake      paced intake EVENTS_RATE msg/s faster, no webhooks: as
#                    many more requests as mailgun-paced adds, made of intake
#                    (what any such load does to intake's p99)
#   alone-after      paced intake only (with alone-before: the box's spread)
# Webhook requests are signed beforehand (bench/events_load.py), each event
# about a recipient of a message sent through that provider, so that every
# one is tied to it (timeline event, recipient state, and for bounces and
# complaints the suppression list), and sent once each over MAILGUN_CONNS
# or SENDGRID_CONNS connections. wrk sends all requests (bench/wrk_requests.lua: pre-made
# requests, at a constant rate or as fast as answered). Events/s is counted
# by Postern (postern_webhook_events_total), between 1 s after the start of
# the cell and 1 s before its end. The run takes about 30 s of setup, then
# per run 6 × SECS and a few seconds to sign each webhook cell's requests:
# under 3 minutes with the defaults. The summary goes to bench/results/events.json
# (bench/results.py).
# Usage: bench/events.sh BUILD_DIR [RUNS] [SECS]
#        env MESSAGES (10000), RECIPIENTS (10), MAILGUN_CONNS (64), SENDGRID_CONNS (8),
#            CALIBRATE (5), EVENTS_RATE (5000), CELLS (all six),
#            MAILGUN_PER_S (15000), SENDGRID_BATCHES_PER_S (300): requests made
#            for a full-speed cell (a note says when a cell ran out of them)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "MESSAGES RECIPIENTS MAILGUN_CONNS SENDGRID_CONNS CALIBRATE EVENTS_RATE CELLS" "$@")
BUILD=${1:-build/release}
RUNS=${2:-2}
SECS=${3:-8}
[ "$SECS" -ge 3 ] || { echo "SECS must be 3 or more (events are counted from 1 s in to 1 s before the end)" >&2; exit 2; }
MESSAGES=${MESSAGES:-10000}
RECIPIENTS=${RECIPIENTS:-10}
# Mailgun posts each event alone, many at once; SendGrid posts batches of
# up to some hundreds, a few at once.
MAILGUN_CONNS=${MAILGUN_CONNS:-64}
SENDGRID_CONNS=${SENDGRID_CONNS:-8}
# The cells of each run, in order (a subset for a quick look).
CELLS=${CELLS:-alone-before sendgrid-max sendgrid-paced mailgun-max mailgun-paced more-intake alone-after}
CALIBRATE=${CALIBRATE:-5}
# The webhook rate the paced cells offer: DESIGN.md's target.
EVENTS_RATE=${EVENTS_RATE:-5000}
INTAKE_CONNS=64
# Requests made per webhook cell, as many as the fastest ingestion seen
# could take in SECS (each is sent once; the cell says when they ran out).
MAILGUN_PER_S=${MAILGUN_PER_S:-15000}
SENDGRID_BATCHES_PER_S=${SENDGRID_BATCHES_PER_S:-300}
POSTERN=$(realpath "$BUILD/bin/postern")
SIM=$(realpath "$BUILD/bin/postern-sim")
PY=/usr/bin/python3
WORK=$(mktemp -d /var/tmp/postern-events.XXXXXX) # on disk: /tmp may be tmpfs and skip fsync costs
PID=
SIM_PID=
cleanup() {
  [ -n "$PID" ] && stop_pid "$PID" && wait "$PID" 2>/dev/null
  [ -n "$SIM_PID" ] && stop_pid "$SIM_PID" && wait "$SIM_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
progress() { echo "# $(date -u +%T) $*" >&2; }

MAILGUN_KEY=bench-mailgun-webhook-signing-key
SENDGRID_PUBLIC=$("$PY" "$here/events_load.py" key "$WORK")
PORT=$(free_port)
STORE=$WORK/postern.db

"$SIM" --mailgun 127.0.0.1:0 --sendgrid 127.0.0.1:0 --control 127.0.0.1:0 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for_line "$WORK/sim.log" "postern-sim ready" 30
config() {  # $1 = delivery enabled: true|false
  cat <<TOML
[http]
listen = "127.0.0.1:$PORT"
[smtp]
listen = "127.0.0.1:0"
[imap]
listen = "127.0.0.1:0"
[pop3]
listen = "127.0.0.1:0"
[store]
path = "$STORE"
[log]
level = "info"
[delivery]
enabled = $1
$(sim_providers_toml "$WORK/sim.log" "webhook_signing_key = \"$MAILGUN_KEY\"" \
    "webhook_public_key = \"$SENDGRID_PUBLIC\"")
TOML
}
config true >"$WORK/deliver.toml"
config false >"$WORK/measure.toml"
KEY=$("$POSTERN" --config "$WORK/deliver.toml" keys create --name bench --scopes send,read 2>/dev/null)
start_postern() {  # $1 = config file
  rm -f "$WORK/serve.log"
  "$POSTERN" --config "$1" serve 2>"$WORK/serve.log" &
  PID=$!
  wait_for_line "$WORK/serve.log" "postern ready" 30
}
metrics() { curl -s --max-time 10 "http://127.0.0.1:$PORT/metrics"; }
queue() { metrics | awk -v s="$1" -F'[ "]' '$0 ~ "^postern_queue_messages\\{status=\"" s "\"" {print $NF}'; }
# The events a provider's webhook took in (new ones, every type).
events_in() { metrics | awk -v p="$1" 'index($1, "postern_webhook_events_total{provider=\"" p "\"") == 1 {s += $2} END {printf "%d\n", s}'; }
refused_in() { metrics | awk 'index($1, "postern_webhook_refused_total{") == 1 {s += $2} END {printf "%d\n", s}'; }

progress "setup: $MESSAGES messages of $RECIPIENTS recipients through postern-sim (Mailgun, SendGrid)"
start_postern "$WORK/deliver.toml"
"$PY" "$here/events_load.py" messages "$PORT" "$KEY" "$MESSAGES" "$RECIPIENTS"
for ((i = 0; i < 1200; i++)); do
  [ "$(queue sent)" = "$MESSAGES" ] && break
  sleep 0.1
done
[ "$(queue sent)" = "$MESSAGES" ] || { echo "only $(queue sent) of $MESSAGES messages were sent" >&2; exit 1; }
stop_pid "$PID"
wait "$PID" 2>/dev/null || true
PID=
stop_pid "$SIM_PID"
wait "$SIM_PID" 2>/dev/null || true
SIM_PID=
start_postern "$WORK/measure.toml"

# wrk_requests THREADS CONNS SECS URL FILE MODE RATE: bench/wrk_requests.lua's
# run, its figures ("rps p50 p99 non2xx errors") and how many it sent.
wrk_requests() {
  local out
  out=$(timeout $(($3 + 30)) wrk -t"$1" -c"$2" -d"$3s" --latency -s "$here/wrk_requests.lua" "$4" -- "$5" "$6" "$7")
  echo "$(wrk_figures <<<"$out") $(awk '/requests in/ {print $1}' <<<"$out")"
}

# The intake message of bench/http_intake.sh (4 KiB of JSON).
"$PY" "$here/events_load.py" intake "127.0.0.1:$PORT" "$KEY" "$WORK/intake.req"
progress "calibrating intake: closed loop, $INTAKE_CONNS connections, $CALIBRATE s"
read -r max_rate _ < <(wrk_requests 2 "$INTAKE_CONNS" "$CALIBRATE" "http://127.0.0.1:$PORT/v1/messages" \
  "$WORK/intake.req" repeat 0)
PACED=$(awk -v r="$max_rate" 'BEGIN{printf "%d", r / 2}')
progress "intake alone did $max_rate msg/s: paced at $PACED msg/s"

MACHINE_NOTE="fsync probe (4 KiB write + fdatasync under /var/tmp) $(fsync_probe_us "$WORK") µs"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null), $MACHINE_NOTE"
RAW=$WORK/raw.txt

# make_requests PROVIDER RATE FILE: that provider's signed requests for one
# cell, as many as RATE events/s (0: the fastest ingestion seen) need for
# SECS seconds with 5% to spare; prints their number.
make_requests() {
  local count
  if [ "$1" = mg ]; then
    count=$(((${2/#0/$MAILGUN_PER_S} * SECS * 105 + 99) / 100 + 1))
    "$PY" "$here/events_load.py" requests mg "$STORE" "$3" "$count" \
      --host "127.0.0.1:$PORT" --mailgun-key "$MAILGUN_KEY"
  else
    count=$(((${2/#0/$((SENDGRID_BATCHES_PER_S * 100))} * SECS * 105 / 100 + 99) / 100 + 1))
    "$PY" "$here/events_load.py" requests sg "$STORE" "$3" "$count" \
      --host "127.0.0.1:$PORT" --sendgrid-key "$WORK/sendgrid.pem" --batch 100
  fi
  echo "$count"
}

# cell RUN NAME [PROVIDER EVENTS_PER_S]: paced intake for SECS, beside that
# provider's webhooks (EVENTS_PER_S 0: as fast as Postern takes them).
# INTAKE_RATE (default PACED) is the rate intake is offered at.
cell() {
  local b0 t0 b1 t1 c0 c1 w0 w1 rps p50 p99 non wpid ipid e0 e1 s0 s1 refused0 line wrps wnon made sent conns
  local provider=${3:-} rate=${4:-0} file=$WORK/requests intake_rate=${INTAKE_RATE:-$PACED}
  progress "run $1: $2"
  if [ -n "$provider" ]; then made=$(make_requests "$provider" "$rate" "$file"); fi
  refused0=$(refused_in)
  read -r b0 t0 < <(cpu_ticks)
  c0=$(proc_cpu_ticks "$PID") w0=$(date +%s.%N)
  if [ -n "$provider" ]; then
    local per_request=1
    conns=$MAILGUN_CONNS
    if [ "$provider" = sg ]; then per_request=100 conns=$SENDGRID_CONNS; fi
    wrk_requests 1 "$conns" "$SECS" "http://127.0.0.1:$PORT/v1/webhooks/$provider" "$file" once \
      "$(awk -v r="$rate" -v n="$per_request" 'BEGIN{print r / n}')" >"$WORK/webhook.out" &
    wpid=$!
  fi
  wrk_requests 1 "$INTAKE_CONNS" "$SECS" "http://127.0.0.1:$PORT/v1/messages" "$WORK/intake.req" repeat "$intake_rate" \
    >"$WORK/intake.out" &
  ipid=$!
  # The ingestion rate between 1 s after the start and 1 s before the end.
  if [ -n "$provider" ]; then
    sleep 1
    e0=$(events_in "$provider") s0=$(date +%s.%N)
    sleep $((SECS - 2))
    e1=$(events_in "$provider") s1=$(date +%s.%N)
  fi
  wait "$ipid"
  read -r b1 t1 < <(cpu_ticks)
  c1=$(proc_cpu_ticks "$PID") w1=$(date +%s.%N)
  read -r rps p50 p99 non _ _ <"$WORK/intake.out"
  line="run=$1 load=$2 intake_target=$intake_rate intake_per_s=$rps p50=$p50 p99=$p99 intake_non2xx=$non"
  if [ -n "$provider" ]; then
    wait "$wpid"
    read -r wrps _ _ wnon _ sent <"$WORK/webhook.out"
    line+=" conns=$conns offered=$rate events_per_s=$(awk -v a="$e0" -v b="$e1" -v s="$s0" -v t="$s1" 'BEGIN{printf "%.0f", (b-a)/(t-s)}')"
    # All made ones sent (but the one wrk checks): the cell ran out early.
    line+=" webhook_req_per_s=$wrps webhook_non2xx=$wnon refused=$(($(refused_in) - refused0)) sent=$sent made=$made"
    rm -f "$file"
  fi
  # Postern's own CPU, % of one core, beside the whole box's.
  line+=" postern_cpu=$(awk -v a="$c0" -v b="$c1" -v s="$w0" -v t="$w1" -v hz="$(ticks_per_s)" \
    'BEGIN{printf "%.0f", 100 * (b-a) / hz / (t-s)}')"
  echo "$line cpu=$(cpu_pct "$b0" "$t0" "$b1" "$t1")" | tee -a "$RAW"
}

for r in $(seq 1 "$RUNS"); do
  progress "run $r of $RUNS, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "run=$r load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$RAW"
  for c in $CELLS; do
    case $c in
      alone-*) cell "$r" "$c" ;;
      sendgrid-max) cell "$r" "$c" sg 0 ;;
      sendgrid-paced) cell "$r" "$c" sg "$EVENTS_RATE" ;;
      mailgun-max) cell "$r" "$c" mg 0 ;;
      mailgun-paced) cell "$r" "$c" mg "$EVENTS_RATE" ;;
      more-intake) INTAKE_RATE=$((PACED + EVENTS_RATE)) cell "$r" "$c" ;;
      *) echo "unknown cell $c" >&2 && exit 2 ;;
    esac
  done
done
stop_pid "$PID"
wait "$PID" 2>/dev/null || true
PID=
# What the events did, read from the store: none should be left unmatched.
read -r unmatched suppressed < <("$PY" - "$STORE" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM provider_events WHERE message_id IS NULL").fetchone()[0],
      db.execute("SELECT count(*) FROM suppressions").fetchone()[0])
PY
)
echo
write_results events "$RAW" "$COMMAND" --machine-note "$MACHINE_NOTE" \
  --param "intake_max=$max_rate" --param "paced=$PACED" --param "calibrate=$CALIBRATE" --param "messages=$MESSAGES" \
  --param "recipients=$RECIPIENTS" --param "mailgun_conns=$MAILGUN_CONNS" --param "sendgrid_conns=$SENDGRID_CONNS" \
  --param "unmatched=$unmatched" --param "suppressed=$suppressed"
