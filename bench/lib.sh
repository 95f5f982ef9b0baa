# Shared helpers of the benchmark scripts (sourced, not run).

# /proc/stat -> "busy_ticks total_ticks" for the whole machine.
cpu_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8; print b, b+$5+$6+$9}' /proc/stat; }

# cpu_pct B0 T0 B1 T1 -> busy share of all cores, in % of one core (200 = 2 cores).
cpu_pct() { echo $(( 100 * $(nproc) * ($3 - $1) / ($4 - $2 + 1) )); }

# bench_command "VAR..." ARGS...: the running script's command line, as run
# from the repository's root (paths inside it made relative), led by those
# of VAR... that came from the environment (the settings that change what it
# measures).
bench_command() {
  local name value root out=''
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  for name in $1; do
    value=$(printenv "$name") || continue
    [[ $value = *" "* ]] && value="\"$value\""
    out+="$name=$value "
  done
  shift
  set -- "${@/#"$root"\//}"
  echo "${out}bench/$(basename "$0")${*:+ $*}"
}

# write_results BENCHMARK RAW_FILE COMMAND [bench/results.py options]: the
# run's summary as bench/results/BENCHMARK.json (or under
# $POSTERN_BENCH_RESULTS), its table printed.
write_results() {
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/results.py" "$1" "$2" --command "$3" "${@:4}"
}

# bench_workdir NAME: WORK, a new directory /var/tmp/postern-NAME.XXXXXX,
# and PIDS, none yet; at exit the processes in PIDS are stopped and WORK
# is removed.
bench_workdir() {
  WORK=$(mktemp -d "/var/tmp/postern-$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# A free TCP port on 127.0.0.1.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for_line FILE REGEX SECONDS: waits until FILE has a line matching REGEX.
wait_for_line() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$2' in $1" >&2
  return 1
}

# wrk_figures < WRK_OUTPUT -> "rps p50 p99 non2xx errors" (wrk run with --latency)
wrk_figures() {
  awk '
    /^Requests\/sec/ {rps=$2}
    $1=="50%" {p50=$2}
    $1=="99%" {p99=$2}
    /Non-2xx/ {non=$NF}
    /Socket errors/ {err=$0; gsub(/[ ,]+/, "_", err)}
    END {printf "%s %s %s %s %s\n", rps, p50, p99, (non?non:0), (err?err:"none")}'
}

# wrk_cell URL SCRIPT CONNS SECS -> "rps p50 p99 non2xx errors"
wrk_cell() {
  timeout $(($4 + 30)) wrk -t2 -c"$3" -d"$4s" --latency -s "$2" "$1" | wrk_figures
}

# --- postern-sim's Mailgun and SendGrid (end to end, provider events) ---

# start_sim LOG ARGS...: postern-sim ($SIM) with ARGS and a control port,
# its log in LOG and its PID added to PIDS; returns once it is ready.
start_sim() {
  local log=$1
  shift
  "$SIM" "$@" --control 127.0.0.1:0 2>"$log" &
  PIDS+=($!)
  wait_for_line "$log" "postern-sim ready" 30
}

# sim_address LOG SERVICE: the HOST:PORT of SERVICE in postern-sim's ready line.
sim_address() { sed -n "s/.*$2=\([0-9.:]*\).*/\1/p" "$1"; }

# sim_providers_toml LOG [MAILGUN_LINE SENDGRID_LINE]: Postern's providers
# "mg" and "sg", the simulated Mailgun and SendGrid whose ready line is in
# LOG; each table ends with its extra line (a webhook key) when given.
sim_providers_toml() {
  cat <<TOML
[[providers]]
name = "mg"
type = "mailgun"
base_url = "http://$(sim_address "$1" mailgun)"
api_key = "key-sim"
domain = "mg.example.com"
${2:-}
[[providers]]
name = "sg"
type = "sendgrid"
base_url = "http://$(sim_address "$1" sendgrid)"
api_key = "SG.sim-key"
${3:-}
TOML
}

# --- a node delivering through postern-sim (end to end, web UI) ---

# wrk_post_lua FILE: wrk's script posting 1.5 KiB JSON messages, no key (a
# node without keys lets loopback callers in).
wrk_post_lua() {
  printf 'wrk.method="POST"\nwrk.body=[[{"from":"bench@example.com","to":["user@example.org"],"subject":"bench","text":"%s"}]]\nwrk.headers["Content-Type"]="application/json"\n' \
    "$(head -c 1500 /dev/zero | tr '\0' x)" >"$1"
}

# start_sim_and_postern DIR POSTERN SIM [HTTP_TOML]: postern-sim's Mailgun
# and SendGrid, then Postern (no key, store and logs in DIR, HTTP_TOML lines
# added to its [http] table) sending through them, each on free ports
# (SMTP too: the default 2525 may be taken), both ready. Appends their PIDs
# to the caller's PIDS and sets PORT.
start_sim_and_postern() {
  SIM=$3 start_sim "$1/sim.log" --mailgun 127.0.0.1:0 --sendgrid 127.0.0.1:0
  PORT=$(free_port)
  cat >"$1/postern.toml" <<TOML
[http]
listen = "127.0.0.1:$PORT"
${4:-}
[smtp]
listen = "127.0.0.1:0"
[store]
path = "$1/postern.db"
[log]
level = "info"
$(sim_providers_toml "$1/sim.log")
TOML
  "$2" --config "$1/postern.toml" serve 2>"$1/serve.log" &
  PIDS+=($!)
  wait_for_line "$1/serve.log" "postern ready" 30
}

# --- process, disk and Prometheus helpers (SMTP intake benchmark and peers) ---

# /proc/PID/stat fields after "(comm) ", so that a comm with spaces cannot shift them:
# f[2] ppid, f[12] utime, f[13] stime, f[14] cutime, f[15] cstime (clock ticks).
proc_cpu_ticks() {  # PID -> utime+stime of the process, all its threads
  awk '{sub(/^[0-9]+ \(.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

tree_cpu_ticks() {  # PID -> CPU of PID, its reaped children and its live children
  # Processes come and go while cat reads: a vanished one is not an error.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v p="$1" '{
    pid = $1; sub(/^[0-9]+ \(.*\) /, "")
    if (pid == p || $2 == p) sum += $12 + $13 + $14 + $15
  } END {print sum + 0}'
}

ticks_per_s() { getconf CLK_TCK; }

# The block device (as named in /proc/diskstats) holding PATH, e.g. "vda".
disk_of() { basename "$(findmnt -no SOURCE -T "$1")"; }

# disk_counters DEV -> "writes_completed sectors_written flushes_completed"
disk_counters() { awk -v d="$1" '$3==d {print $8, $10, ($19=="" ? 0 : $19)}' /proc/diskstats; }

# prom_metric PORT SAMPLE -> the value of one /metrics sample ('name{labels}' exactly), 0 if absent.
prom_metric() {
  curl -s --max-time 10 "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1==m {v=$2} END {print v+0}'
}

# wait_for_port PORT SECONDS: until something listens on 127.0.0.1:PORT.
wait_for_port() {
  local i
  for ((i = 0; i < $2 * 20; i++)); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.05
  done
  echo "nothing listens on port $1 after $2 s" >&2
  return 1
}

# alive PID: the process exists and is not a zombie.
alive() {
  local state
  state=$(awk '{sub(/^[0-9]+ \(.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# stop_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (10), then SIGKILL.
# A child of the caller still needs `wait PID` to be reaped.
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < ${2:-10} * 20; i++)); do
    alive "$pid" || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# stop_peer DIR [SECONDS]: stops the peer whose PID is in DIR/peer.pid (as
# stop_pid), reaps it when it is the caller's child, and forgets the PID.
# Nothing to do without the file.
stop_peer() {
  local pid
  pid=$(cat "$1/peer.pid" 2>/dev/null) || return 0
  stop_pid "$pid" "${2:-5}"
  wait "$pid" 2>/dev/null || true
  rm -f "$1/peer.pid"
}

# fsync_probe_us DIR [COUNT]: median latency (µs) of a 4 KiB write + fdatasync
# of one file in DIR, COUNT times (100): what one group commit costs at least.
fsync_probe_us() {
  /usr/bin/python3 - "$1" "${2:-100}" <<'PY'
import os, statistics, sys, time
path = os.path.join(sys.argv[1], "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
samples = []
try:
    for i in range(int(sys.argv[2])):
        t = time.perf_counter()
        os.pwrite(fd, b"x" * 4096, (i % 64) * 4096)
        os.fdatasync(fd)
        samples.append((time.perf_counter() - t) * 1e6)
finally:
    os.close(fd)
    os.unlink(path)
print(round(statistics.median(samples)))
PY
}
