# Shared helpers of the benchmark scripts (sourced, not run).

# /proc/stat -> "busy_ticks total_ticks" for the whole machine.
cpu_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8; print b, b+$5+$6+$9}' /proc/stat; }

# cpu_pct B0 T0 B1 T1 -> busy share of all cores, in % of one core (200 = 2 cores).
cpu_pct() { echo $(( 100 * $(nproc) * ($3 - $1) / ($4 - $2 + 1) )); }

# Median of numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END{if (NR) print a[int((NR+1)/2)]; else print "n/a"}'; }

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

# wrk_cell URL SCRIPT CONNS SECS -> "rps p50 p99 non2xx errors"
wrk_cell() {
  local out
  out=$(timeout $(($4 + 30)) wrk -t2 -c"$3" -d"$4s" --latency -s "$2" "$1")
  echo "$out" | awk '
    /^Requests\/sec/ {rps=$2}
    $1=="50%" {p50=$2}
    $1=="99%" {p99=$2}
    /Non-2xx/ {non=$NF}
    /Socket errors/ {err=$0; gsub(/[ ,]+/, "_", err)}
    END {printf "%s %s %s %s %s\n", rps, p50, p99, (non?non:0), (err?err:"none")}'
}
