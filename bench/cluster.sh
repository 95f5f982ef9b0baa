#!/usr/bin/env bash
# Cluster benchmark: 1, 2 and 3 nodes on PostgreSQL behind HAProxy
# (scripts/cluster-up.sh, a fresh database for each), beside one node on
# SQLite behind the same HAProxy setup (POSTERN_CLUSTER_STORE=sqlite), in
# the same run. wrk posts 1.5 KiB
# JSON messages with an API key through HAProxy for SECS seconds; the nodes
# deliver them through postern-sim (Mailgun and SendGrid). Reports intake
# (2xx/s and p99 as wrk sees them) and end to end (from the load's start to
# the simulator's receipt of the last accepted message), with what bounds
# each: the box's CPU, that of PostgreSQL, the nodes and HAProxy (% of one
# core), and PostgreSQL's commits per second and messages per commit. The
# summary goes to bench/results/cluster.json (bench/results.py).
# Usage: bench/cluster.sh BUILD_DIR [RUNS] [SECS] [CONNS] [NODE_COUNTS]
#   e.g. bench/cluster.sh build/release 3 10 64 "1 2 3"; a smoke run (the
#   test tests/integration/test_bench_cluster.py) is
#   POSTERN_BENCH_RESULTS=DIR bench/cluster.sh build/asan 1 1 4 "1 2"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "" "$@")
BUILD=$(realpath -m "${1:-build/release}")
RUNS=${2:-3}
SECS=${3:-10}
CONNS=${4:-64}
NODE_COUNTS=${5:-"1 2 3"}
UP=$here/../scripts/cluster-up.sh
DOWN=$here/../scripts/cluster-down.sh
bench_workdir cluster
# As root PostgreSQL runs as postgres, which must enter the directory.
chmod 755 "$WORK"
CLUSTERS=()
stop_clusters() {
  for dir in "${CLUSTERS[@]}"; do POSTERN_CLUSTER_DIR=$dir "$DOWN" --purge >/dev/null || true; done
  bench_cleanup
}
trap stop_clusters EXIT

# psql_value DIR SQL: one value from the cluster's database.
psql_value() {
  (source "$1/cluster.env" && "${POSTERN_PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -X -A -t -h 127.0.0.1 \
    -p "$PG_PORT" -U postern -d postern -c "$2")
}
# commits DIR: transactions PostgreSQL committed in the database (0 on SQLite).
commits() {
  [ -d "$1/pg" ] || { echo 0; return; }
  psql_value "$1" "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postern'"
}
# pg_cpu DIR: CPU ticks of PostgreSQL's server and backends (0 on SQLite).
pg_cpu() {
  [ -d "$1/pg" ] || { echo 0; return; }
  tree_cpu_ticks "$(head -1 "$1/pg/data/postmaster.pid")"
}
# sim_unique DIR: messages the simulator received, each id once.
sim_unique() {
  (source "$1/cluster.env" && curl -s --max-time 10 "http://127.0.0.1:$SIM_CONTROL_PORT/_sim/stats?limit=0") |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["total"]["unique_ids"])'
}
# cpu_of DIR NAME...: CPU ticks of those processes of the cluster, their children included.
cpu_of() {
  local dir=$1 sum=0 name
  shift
  for name in "$@"; do
    sum=$((sum + $(tree_cpu_ticks "$(cut -d' ' -f1 "$dir/$name.pid")")))
  done
  echo "$sum"
}
# pct TICKS START END -> % of one core over that time
pct() { awk -v n="$1" -v a="$2" -v b="$3" -v hz="$(ticks_per_s)" 'BEGIN {printf "%.0f", 100 * n / hz / (b - a)}'; }

# measure RUN STORE NODES: one cell on a new cluster.
measure() {
  local run=$1 store=$2 nodes=$3 dir=$WORK/$2-$3-$1 names=() i
  CLUSTERS+=("$dir")
  POSTERN_CLUSTER_DIR=$dir POSTERN_CLUSTER_STORE=$store BUILD=$BUILD "$UP" "$nodes" >"$WORK/up.log" ||
    { cat "$WORK/up.log" >&2; return 1; }
  source "$dir/cluster.env"
  for ((i = 1; i <= nodes; i++)); do names+=("node$i"); done
  printf 'wrk.method="POST"\nwrk.body=[[{"from":"bench@example.com","to":["user@example.org"],"subject":"bench","text":"%s"}]]\nwrk.headers["Content-Type"]="application/json"\nwrk.headers["Authorization"]="Bearer %s"\n' \
    "$(head -c 1500 /dev/zero | tr '\0' x)" "$(cat "$dir/admin-key")" >"$WORK/post.lua"
  local c0 n0 p0 h0 b0 t0 c1 n1 p1 h1 b1 t1 start end out
  c0=$(commits "$dir")
  n0=$(cpu_of "$dir" "${names[@]}")
  h0=$(cpu_of "$dir" haproxy)
  p0=$(pg_cpu "$dir")
  read -r b0 t0 < <(cpu_ticks)
  start=$(date +%s.%N)
  out=$WORK/wrk.txt
  timeout $((SECS + 30)) wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$WORK/post.lua" \
    "http://127.0.0.1:$HAPROXY_HTTP_PORT/v1/messages" >"$out"
  local intake_end rps p50 p99 non err requests accepted delivered
  intake_end=$(date +%s.%N)
  read -r rps p50 p99 non err < <(wrk_figures <"$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  accepted=$((requests - non))
  # End to end: until the simulator has every accepted message (a bound
  # keeps a stuck run from hanging: what came is then reported).
  local deadline=$((SECONDS + 120 + SECS))
  while delivered=$(sim_unique "$dir") && [ "$delivered" -lt "$accepted" ] && [ $SECONDS -lt $deadline ]; do
    sleep 0.05
  done
  end=$(date +%s.%N)
  c1=$(commits "$dir")
  n1=$(cpu_of "$dir" "${names[@]}")
  h1=$(cpu_of "$dir" haproxy)
  p1=$(pg_cpu "$dir")
  read -r b1 t1 < <(cpu_ticks)
  local commits_n
  commits_n=$((c1 - c0))
  echo "run=$run store=$store nodes=$nodes conns=$CONNS accepted_per_s=$rps intake_p50=$p50 intake_p99=$p99" \
    "non2xx=$non errors=$err accepted=$accepted delivered=$delivered" \
    "e2e_msg_per_s=$(awk -v n="$delivered" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}')" \
    "intake_s=$(awk -v a="$start" -v b="$intake_end" 'BEGIN {printf "%.2f", b - a}')" \
    "commits_per_s=$(awk -v n="$commits_n" -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", n / (b - a)}')" \
    "msgs_per_commit=$(awk -v m="$accepted" -v n="$commits_n" 'BEGIN {printf "%.1f", n ? m / n : 0}')" \
    "cpu=$(cpu_pct "$b0" "$t0" "$b1" "$t1") nodes_cpu=$(pct $((n1 - n0)) "$start" "$end")" \
    "pg_cpu=$(pct $((p1 - p0)) "$start" "$end") haproxy_cpu=$(pct $((h1 - h0)) "$start" "$end")" | tee -a "$RAW"
  POSTERN_CLUSTER_DIR=$dir "$DOWN" --purge >/dev/null
  unset 'CLUSTERS[-1]'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
RAW=$WORK/raw.txt
for r in $(seq 1 "$RUNS"); do
  measure "$r" sqlite 1
  for n in $NODE_COUNTS; do measure "$r" postgres "$n"; done
done
echo
write_results cluster "$RAW" "$COMMAND" --param "conns=$CONNS" --param "secs=$SECS"
