#!/usr/bin/env bash
# Usage: scripts/cluster-up.sh [N]     (N nodes, default 3)
# Starts a Postern cluster on loopback for demos and tests: PostgreSQL 15
# (Debian's postgresql-15), postern-sim as the providers (Mailgun and
# SendGrid), N postern nodes sharing one database (store.node node1..nodeN)
# and HAProxy in front of them as deploy/haproxy.cfg sets it up (HTTP with
# /readyz checks, SMTP, IMAP and POP3 in TCP mode, the PROXY protocol to
# every node). Prints the addresses and returns once every node's /readyz
# answers 200 and HAProxy has every node up.
#
# Idempotent: run again, it starts only what is not running (a node that was
# killed comes back on its ports and name) and leaves the rest alone.
# scripts/cluster-down.sh stops what it started. docs/operations.md
# ("A cluster on one machine") has the details.
#
# Environment:
#   POSTERN_CLUSTER_DIR   state directory (default /tmp/postern-cluster): the
#                         database, configurations, logs, pid files, cluster.env
#   BUILD                 build directory of postern and postern-sim (build/release)
#   POSTERN_CLUSTER_NODE_TOML  a TOML file appended to every node's
#                         configuration (tables the generated file lacks:
#                         [delivery], [[routes]], ...); POSTERN_* variables
#                         override single keys as for any node
#   POSTERN_CLUSTER_WAIT  seconds to wait for the nodes (default 90)
#   POSTERN_CLUSTER_STORE postgres (default), or sqlite for one node on a
#                         SQLite file behind the same HAProxy (a reference)
#   POSTERN_PG_BIN        PostgreSQL's binaries (/usr/lib/postgresql/15/bin)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$here")
source "$here/cluster-common.sh"

N=${1:-3}
[[ $N =~ ^[1-9][0-9]?$ ]] || die "N must be a number of nodes from 1 to 99, got '$N'"
BUILD=${BUILD:-$ROOT/build/release}
WAIT=${POSTERN_CLUSTER_WAIT:-90}
STORE=${POSTERN_CLUSTER_STORE:-postgres}
case $STORE in
  postgres) ;;
  sqlite) [ "$N" = 1 ] || die "a SQLite store is one node's: POSTERN_CLUSTER_STORE=sqlite needs N = 1, got $N" ;;
  *) die "POSTERN_CLUSTER_STORE must be postgres or sqlite, got '$STORE'" ;;
esac
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}

# --- what it needs -------------------------------------------------------------

for bin in postern postern-sim; do
  [ -x "$BUILD/bin/$bin" ] ||
    die "$BUILD/bin/$bin not found: run 'make release', or set BUILD to the build directory that has it (BUILD=build/asan)"
done
POSTERN=$(realpath "$BUILD/bin/postern")
SIM=$(realpath "$BUILD/bin/postern-sim")
for bin in initdb pg_ctl psql; do
  [ -x "$PG_BIN/$bin" ] ||
    die "$PG_BIN/$bin not found: install Debian's postgresql-15 (scripts/bootstrap.sh) or set POSTERN_PG_BIN"
done
[ -x "$HAPROXY" ] || die "haproxy not found: install Debian's haproxy (scripts/bootstrap.sh) or set HAPROXY"
HAPROXY=$(realpath "$HAPROXY")
command -v curl >/dev/null || die "curl not found (scripts/bootstrap.sh installs it)"
if [ -n "${POSTERN_CLUSTER_NODE_TOML:-}" ] && [ ! -r "$POSTERN_CLUSTER_NODE_TOML" ]; then
  die "POSTERN_CLUSTER_NODE_TOML names '$POSTERN_CLUSTER_NODE_TOML', which cannot be read"
fi

# --- the state directory and its ports -------------------------------------------

mkdir -p "$CLUSTER_DIR"
CLUSTER_DIR=$(realpath "$CLUSTER_DIR")
ENV_FILE=$CLUSTER_DIR/cluster.env

# Ports are chosen once, when the directory is new, and kept: a node started
# again comes back where HAProxy looks for it.
if [ -f "$ENV_FILE" ]; then
  source "$ENV_FILE"
  [ "$CLUSTER_NODES" = "$N" ] ||
    die "$CLUSTER_DIR holds a cluster of $CLUSTER_NODES nodes, not $N: run scripts/cluster-down.sh --purge first"
  [ "$CLUSTER_STORE" = "$STORE" ] ||
    die "$CLUSTER_DIR holds a cluster on $CLUSTER_STORE, not $STORE: run scripts/cluster-down.sh --purge first"
else
  read -ra ports < <(/usr/bin/python3 - $((9 + 4 * N)) <<'PY'
import socket, sys
# All bound at once, so that no two are the same.
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
)
  {
    echo "# Written by scripts/cluster-up.sh: the cluster's addresses (source it)."
    echo "CLUSTER_NODES=$N"
    echo "CLUSTER_STORE=$STORE"
    echo "PG_PORT=${ports[0]}"
    echo "PG_URL=postgresql://postern@127.0.0.1:${ports[0]}/postern"
    echo "SIM_CONTROL_PORT=${ports[1]}"
    echo "SIM_MAILGUN_PORT=${ports[2]}"
    echo "SIM_SENDGRID_PORT=${ports[3]}"
    echo "HAPROXY_HTTP_PORT=${ports[4]}"
    echo "HAPROXY_SMTP_PORT=${ports[5]}"
    echo "HAPROXY_IMAP_PORT=${ports[6]}"
    echo "HAPROXY_POP3_PORT=${ports[7]}"
    echo "HAPROXY_STATS_PORT=${ports[8]}"
    for ((i = 1; i <= N; i++)); do
      base=$((9 + 4 * (i - 1)))
      echo "NODE${i}_HTTP_PORT=${ports[base]}"
      echo "NODE${i}_SMTP_PORT=${ports[base + 1]}"
      echo "NODE${i}_IMAP_PORT=${ports[base + 2]}"
      echo "NODE${i}_POP3_PORT=${ports[base + 3]}"
    done
  } >"$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  source "$ENV_FILE"
fi
node_port() { local v="NODE$1_$2_PORT"; echo "${!v}"; }

# start NAME BINARY LOG DIR ARGS...: BINARY ARGS in the background in DIR,
# its output appended to LOG (it outlives the script), its pid and binary
# written to CLUSTER_DIR/NAME.pid.
start() {
  local name=$1 binary=$2 log=$3 dir=$4
  shift 4
  echo "--- started $(date -u +%FT%TZ)" >>"$log"
  (cd "$dir" && exec "$binary" "$@" </dev/null >>"$log" 2>&1) &
  echo "$! $binary" >"$CLUSTER_DIR/$name.pid"
}

# running NAME: says so when NAME runs already (from an earlier start).
running() {
  local pid
  pid=$(pid_of "$1") || return 1
  echo "$1: running (pid $pid)"
}

# --- PostgreSQL ------------------------------------------------------------------

start_postgres() {
  local PG_DIR=$CLUSTER_DIR/pg
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "as root PostgreSQL runs as the user postgres, which does not exist (install postgresql-15)"
    chown postgres: "$PG_DIR"
    runuser -u postgres -- test -w "$PG_DIR" ||
      die "the user postgres cannot reach $PG_DIR: choose a POSTERN_CLUSTER_DIR whose parents it may enter (under /tmp)"
  fi
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    rm -rf "$PG_DIR/data"
    # --no-sync: initdb's own files; the server runs with fsync on.
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postern --auth=trust -E UTF8 --locale=C --no-sync \
      >"$PG_DIR/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$PG_DIR/initdb.log")"
  fi
  if pg_running; then
    echo "postgresql: running"
  else
    # synchronous_commit on: a node acknowledges mail only once it is committed.
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=on \
          -c synchronous_commit=on -c max_connections=300" start >/dev/null ||
      die "PostgreSQL did not start: $(tail -5 "$PG_DIR/server.log")"
  fi
  local psql=("$PG_BIN/psql" -X -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postern -d postgres)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'postern'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE postern" >/dev/null
  fi
}
[ "$STORE" = sqlite ] || start_postgres

# --- postern-sim: the providers ----------------------------------------------------

mkdir -p "$CLUSTER_DIR/sim"
if ! running sim; then
  start sim "$SIM" "$CLUSTER_DIR/sim/sim.log" "$CLUSTER_DIR/sim" --log-level info \
    --control "127.0.0.1:$SIM_CONTROL_PORT" --mailgun "127.0.0.1:$SIM_MAILGUN_PORT" \
    --sendgrid "127.0.0.1:$SIM_SENDGRID_PORT"
fi

# --- the nodes ---------------------------------------------------------------------

store_config() {
  if [ "$STORE" = sqlite ]; then
    printf '[store]\npath = "data/postern.db"\n'
  else
    printf '[store]\nbackend = "postgres"\nurl = "%s"\nnode = "node%s"\n' "$PG_URL" "$1"
  fi
}

node_config() {
  local i=$1 section
  echo "# Written by scripts/cluster-up.sh: node $i of $N (written again at each run)."
  for section in http smtp imap pop3; do
    local upper=${section^^}
    cat <<TOML
[$section]
listen = "127.0.0.1:$(node_port "$i" "$upper")"
proxy_protocol = true
proxy_from = ["127.0.0.1"]
TOML
    [ "$section" = http ] && echo "ui_dir = \"$ROOT/web/dist\""
  done
  cat <<TOML
$(store_config "$i")
[shutdown]
# Longer than HAProxy's fall x inter (2 s) below.
drain_grace = "3s"
[log]
level = "info"
[[providers]]
name = "mg"
type = "mailgun"
base_url = "http://127.0.0.1:$SIM_MAILGUN_PORT"
api_key = "key-sim"
domain = "mg.example.com"
[[providers]]
name = "sg"
type = "sendgrid"
base_url = "http://127.0.0.1:$SIM_SENDGRID_PORT"
api_key = "SG.sim-key"
TOML
  if [ -n "${POSTERN_CLUSTER_NODE_TOML:-}" ]; then
    echo "# From POSTERN_CLUSTER_NODE_TOML ($POSTERN_CLUSTER_NODE_TOML):"
    cat "$POSTERN_CLUSTER_NODE_TOML"
  fi
}

for ((i = 1; i <= N; i++)); do
  mkdir -p "$CLUSTER_DIR/node$i"
  node_config "$i" >"$CLUSTER_DIR/node$i/postern.toml"
done

# One admin key for the cluster, made once in the shared store (before the
# nodes: proxied clients are never trusted as loopback, so every call
# through HAProxy needs a key).
KEY_FILE=$CLUSTER_DIR/admin-key
if [ ! -s "$KEY_FILE" ]; then
  out=$(cd "$CLUSTER_DIR/node1" && "$POSTERN" --config postern.toml keys create --name cluster-admin \
    --scopes send,read,admin 2>"$CLUSTER_DIR/keys.log") ||
    die "cannot make the admin key: $(tail -5 "$CLUSTER_DIR/keys.log")"
  (umask 077 && grep '^pst_' <<<"$out" >"$KEY_FILE")
fi

# node_ready I: node I answers /readyz with 200 (its listener wants the
# PROXY header, as from HAProxy).
node_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --haproxy-protocol \
    "http://127.0.0.1:$(node_port "$1" HTTP)/readyz" || true)" = 200 ]
}
start_node() {
  running "node$1" ||
    start "node$1" "$POSTERN" "$CLUSTER_DIR/node$1/serve.log" "$CLUSTER_DIR/node$1" --config postern.toml serve
}

# node1 first, alone until it is ready: on a new database the first node
# also makes the shared catch-all test account, which nodes starting at the
# same moment would race for.
start_node 1
deadline=$((SECONDS + WAIT))
until node_ready 1; do
  pid_of node1 >/dev/null || { tail -20 "$CLUSTER_DIR/node1/serve.log" >&2; die "node1 is not running (above: the end of its log)"; }
  ((SECONDS < deadline)) || die "node1 not ready after ${WAIT}s (its log: $CLUSTER_DIR/node1/serve.log)"
  sleep 0.2
done
for ((i = 2; i <= N; i++)); do start_node "$i"; done

# --- HAProxy -------------------------------------------------------------------------

# backend NAME MODE PORT_KIND TIMEOUT: one backend of deploy/haproxy.cfg's
# shape over the N nodes, each checked on its own HTTP port.
backend() {
  echo "backend $1"
  echo "    mode $2"
  echo "    balance roundrobin"
  echo "    timeout server $4"
  for ((i = 1; i <= N; i++)); do
    echo "    server node$i 127.0.0.1:$(node_port "$i" "$3") check port $(node_port "$i" HTTP)"
  done
}
frontend() {  # NAME MODE PORT TIMEOUT BACKEND
  printf 'frontend %s\n    mode %s\n    bind 127.0.0.1:%s\n    timeout client %s\n    default_backend %s\n' "$@"
}
mkdir -p "$CLUSTER_DIR/haproxy"
{
  cat <<CFG
# Written by scripts/cluster-up.sh from deploy/haproxy.cfg's shape, for $N nodes on loopback.
global
    # No maxconn: HAProxy derives it from the open-file limit it is given.
defaults
    retries 2
    option redispatch
    timeout connect 5s
    # A node down is noticed within fall x inter = 2 s; drain_grace is longer.
    default-server inter 1s fall 2 rise 1 send-proxy-v2 check-send-proxy
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host postern
    http-check expect status 200
CFG
  frontend http_in http "$HAPROXY_HTTP_PORT" 65s postern_http
  echo "    timeout http-request 30s"
  backend postern_http http HTTP 65s
  frontend smtp_in tcp "$HAPROXY_SMTP_PORT" 5m postern_smtp
  backend postern_smtp tcp SMTP 5m
  frontend imap_in tcp "$HAPROXY_IMAP_PORT" 31m postern_imap
  backend postern_imap tcp IMAP 31m
  frontend pop3_in tcp "$HAPROXY_POP3_PORT" 11m postern_pop3
  backend postern_pop3 tcp POP3 11m
  # Its page shows each node as the checks see it (/;csv for scripts).
  printf 'frontend stats\n    mode http\n    bind 127.0.0.1:%s\n    timeout client 30s\n    stats enable\n    stats uri /\n' \
    "$HAPROXY_STATS_PORT"
} >"$CLUSTER_DIR/haproxy/haproxy.cfg"
"$HAPROXY" -c -q -f "$CLUSTER_DIR/haproxy/haproxy.cfg" || die "haproxy -c refused $CLUSTER_DIR/haproxy/haproxy.cfg"
running haproxy ||
  start haproxy "$HAPROXY" "$CLUSTER_DIR/haproxy/haproxy.log" "$CLUSTER_DIR/haproxy" -db -f haproxy.cfg

# --- wait until everything serves ---------------------------------------------------------

# gone NAME LOG: NAME stopped; says so with the end of its log, and fails.
gone() {
  echo "$(basename "$0"): $1 is not running; the end of $2:" >&2
  tail -20 "$2" >&2
  exit 1
}

# haproxy_up BACKEND: how many of its servers HAProxy's checks have up
# (field 18 of its CSV statistics is the status).
haproxy_up() {
  curl -s --max-time 2 "http://127.0.0.1:$HAPROXY_STATS_PORT/;csv" |
    awk -F, -v b="$1" '$1 == b && $2 ~ /^node/ && $18 == "UP" {n++} END {print n + 0}'
}

pending=$(seq 1 "$N")
while :; do
  pid_of sim >/dev/null || gone postern-sim "$CLUSTER_DIR/sim/sim.log"
  pid_of haproxy >/dev/null || gone haproxy "$CLUSTER_DIR/haproxy/haproxy.log"
  left=()
  for i in $pending; do
    pid_of "node$i" >/dev/null || gone "node$i" "$CLUSTER_DIR/node$i/serve.log"
    node_ready "$i" || left+=("$i")
  done
  pending=${left[*]:-}
  if [ -z "$pending" ] && [ "$(haproxy_up postern_http)" = "$N" ] && [ "$(haproxy_up postern_smtp)" = "$N" ]; then
    break
  fi
  if ((SECONDS >= deadline)); then
    die "not ready after ${WAIT}s: nodes without /readyz 200: ${pending:-none}; HAProxy has $(haproxy_up postern_http) of $N up (logs in $CLUSTER_DIR)"
  fi
  sleep 0.2
done

cat <<TEXT
Postern cluster of $N nodes in $CLUSTER_DIR (addresses in cluster.env):
  HAProxy      http://127.0.0.1:$HAPROXY_HTTP_PORT  smtp 127.0.0.1:$HAPROXY_SMTP_PORT  imap 127.0.0.1:$HAPROXY_IMAP_PORT  pop3 127.0.0.1:$HAPROXY_POP3_PORT
               its statistics http://127.0.0.1:$HAPROXY_STATS_PORT/
  admin key    $(cat "$KEY_FILE")  (SMTP AUTH: user cluster-admin, this password)
  store        $([ "$STORE" = sqlite ] && echo "SQLite, node1/data/postern.db" || echo "$PG_URL")
  postern-sim  control http://127.0.0.1:$SIM_CONTROL_PORT  mailgun :$SIM_MAILGUN_PORT  sendgrid :$SIM_SENDGRID_PORT
TEXT
for ((i = 1; i <= N; i++)); do
  echo "  node$i        http :$(node_port "$i" HTTP)  smtp :$(node_port "$i" SMTP)  imap :$(node_port "$i" IMAP)  pop3 :$(node_port "$i" POP3)  (PROXY protocol only)  log node$i/serve.log"
done
