#!/usr/bin/env bash
# IMAP on a large mailbox: Postern's test inbox against Dovecot, same mail,
# same client, same run.
#   Postern  a release build with a fresh store under /var/tmp; a test
#            account made over HTTP; COUNT generated messages
#            (bench/imap_bench.py: plain, alternative and mixed with an
#            attachment, some headers non-ASCII) sent over SMTP with the
#            account's login from LOAD_SESSIONS sessions, and caught into
#            its INBOX by the real intake;
#   Dovecot  Debian's dovecot-imapd, its own master on 127.0.0.1 with a
#            private configuration (passwd-file user, static userdb as
#            nobody; nothing of /etc/dovecot read, no system service
#            touched), the same messages written into its maildir;
#            Debian's defaults (maildir_very_dirty_syncs, made for a
#            maildir Dovecot alone writes, helped its mix on 20,000
#            messages; on 100,000 its run fell below both runs of the
#            defaults: docs/performance-notes.md).
# Each server is warmed the same way (one SELECT and one FETCH 1:*
# (ENVELOPE), not measured), then measured: SELECT INBOX (median of 7, a
# fresh session each), FETCH 1:* (ENVELOPE) and UID SEARCH HEADER Subject
# (median of 3), and a mix of UID FETCH/STORE/SEARCH from SESSIONS client
# processes for SECONDS (bench/imap_bench.py "mix"); the server's peak RSS
# is read as the mix ends, its sessions still logged in. RUNS alternate the
# two servers. Figures to bench/results/imap.json (bench/results.py), and
# from there BENCHMARKS.md (bench/render.py).
# Bounded: the load under `timeout $LOAD_TIMEOUT`, every measure under
# `timeout`; every process stopped by PID and the work folder removed at exit.
# Usage: bench/imap.sh [BUILD_DIR] [COUNT] [RUNS]
#   BUILD_DIR  default build/release; COUNT default 100000; RUNS default 1
#   env SECONDS_MIX=60  SESSIONS=10  LOAD_SESSIONS=4  LOAD_TIMEOUT=1800
# Needs: dovecot-imapd (scripts/bootstrap.sh), curl, root (Dovecot's
# master drops to nobody and its own users).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "SECONDS_MIX SESSIONS LOAD_SESSIONS" "$@")
BUILD=${1:-build/release}
COUNT=${2:-100000}
RUNS=${3:-1}
SECONDS_MIX=${SECONDS_MIX:-60}
SESSIONS=${SESSIONS:-10}
LOAD_SESSIONS=${LOAD_SESSIONS:-4}
LOAD_TIMEOUT=${LOAD_TIMEOUT:-1800}
POSTERN=$(realpath "$BUILD/bin/postern")
PY=(/usr/bin/python3 "$here/imap_bench.py")
DOVECOT=/usr/sbin/dovecot
[ -x "$DOVECOT" ] || { echo "imap.sh: $DOVECOT is missing (scripts/bootstrap.sh installs dovecot-imapd)" >&2; exit 1; }
# On disk, not tmpfs: both servers' mail is read from a real file system.
WORK=$(mktemp -d /var/tmp/postern-imap-bench.XXXXXX)
chmod 755 "$WORK"  # Dovecot's processes (nobody) walk into its maildir here
RAW=$WORK/raw.txt
POSTERN_PID=
POSTERN_STARTS=0
DOVECOT_PID=

cleanup() {
  [ -z "$POSTERN_PID" ] || stop_postern
  if [ -n "$DOVECOT_PID" ]; then stop_pid "$DOVECOT_PID" 30; wait "$DOVECOT_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# --- Postern: start, account, load through SMTP ------------------------------------

start_postern() {
  local http smtp imap
  http=$(free_port)
  smtp=$(free_port)
  imap=$(free_port)
  mkdir -p "$WORK/postern"
  POSTERN_HTTP_LISTEN=127.0.0.1:$http POSTERN_SMTP_LISTEN=127.0.0.1:$smtp POSTERN_IMAP_LISTEN=127.0.0.1:$imap \
    POSTERN_POP3_LISTEN='' POSTERN_STORE_PATH="$WORK/postern/postern.db" POSTERN_LOG_LEVEL=info \
    POSTERN_SMTP_AUTH_WITHOUT_TLS=true POSTERN_INBOX_QUOTA=0 \
    "$POSTERN" serve 2>"$WORK/postern/serve.$POSTERN_STARTS.log" &
  POSTERN_PID=$!
  wait_for_line "$WORK/postern/serve.$POSTERN_STARTS.log" "postern ready" 60
  POSTERN_STARTS=$((POSTERN_STARTS + 1))
  POSTERN_HTTP=$http
  POSTERN_SMTP=$smtp
  POSTERN_IMAP=$imap
}

stop_postern() {
  stop_pid "$POSTERN_PID" 30
  wait "$POSTERN_PID" 2>/dev/null || true
  POSTERN_PID=
}

create_account() {  # -> "user password address"
  curl -sf --max-time 30 -X POST "http://127.0.0.1:$POSTERN_HTTP/v1/test-accounts" |
    /usr/bin/python3 -c 'import json, sys; a = json.load(sys.stdin); print(a["user"], a["password"], a["address"])'
}

# --- Dovecot: private configuration, maildir ---------------------------------------

DOVECOT_USER=bench
DOVECOT_PASSWORD=bench-password

start_dovecot() {
  local d=$WORK/dovecot
  DOVECOT_IMAP=$(free_port)
  mkdir -p "$d/run" "$d/state" "$d/home"
  echo "$DOVECOT_USER:{PLAIN}$DOVECOT_PASSWORD" >"$d/passwd"
  cat >"$d/dovecot.conf" <<EOF
# bench/imap.sh: a private Dovecot on loopback; nothing else is read.
base_dir = $d/run
state_dir = $d/state
log_path = $d/log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:$d/Maildir
first_valid_uid = 1
first_valid_gid = 1
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = username_format=%u $d/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
EOF
  chmod 644 "$d/passwd"
  chown -R nobody:nogroup "$d/Maildir" "$d/home"
  "$DOVECOT" -F -c "$d/dovecot.conf" 2>>"$d/log" &
  DOVECOT_PID=$!
  wait_for_port "$DOVECOT_IMAP" 30
}

# --- the run --------------------------------------------------------------------------

# measure SERVER RUN: one line per measure into $RAW, led by run=RUN.
measure() {
  local port user password pid
  case $1 in
    postern) port=$POSTERN_IMAP user=$P_USER password=$P_PASSWORD pid=$POSTERN_PID ;;
    dovecot) port=$DOVECOT_IMAP user=$DOVECOT_USER password=$DOVECOT_PASSWORD pid=$DOVECOT_PID ;;
  esac
  echo "# $1, run $2: load average $(loadavg)"
  timeout $((SECONDS_MIX + 1800)) "${PY[@]}" measure --server "$1" --pid "$pid" --port "$port" --user "$user" \
    --password "$password" --count "$COUNT" --sessions "$SESSIONS" --seconds "$SECONDS_MIX" |
    sed -u "s/^/run=$2 load1=$(cut -d' ' -f1 /proc/loadavg) /" | tee -a "$RAW"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, Linux $(uname -r), load average $(loadavg)"
echo "# postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null)$(git -C "$here/.." diff --quiet 2>/dev/null || echo '+dirty') ($POSTERN), $($DOVECOT --version | sed 's/^/dovecot /'), work folder $WORK"

start_postern
read -r P_USER P_PASSWORD P_ADDRESS < <(create_account)
[ -n "$P_USER" ] || { echo "imap.sh: no test account" >&2; exit 1; }
t0=$(date +%s.%N)
timeout "$LOAD_TIMEOUT" "${PY[@]}" smtp-load --port "$POSTERN_SMTP" --user "$P_USER" --password "$P_PASSWORD" \
  --sender "$P_ADDRESS" --count "$COUNT" --sessions "$LOAD_SESSIONS"
t1=$(date +%s.%N)
timeout "$LOAD_TIMEOUT" "${PY[@]}" wait --port "$POSTERN_IMAP" --user "$P_USER" --password "$P_PASSWORD" \
  --count "$COUNT" --timeout "$LOAD_TIMEOUT"
t2=$(date +%s.%N)
LOAD_NOTE=$(awk -v n="$COUNT" -v a="$t0" -v b="$t1" -v c="$t2" -v s="$LOAD_SESSIONS" 'BEGIN {
  printf "Postern took the %d messages over SMTP (%d sessions) in %.0f s, all in the INBOX after %.0f s (%.0f msg/s caught)", n, s, b - a, c - a, n / (c - a) }')
INTAKE_HWM=$(awk '/^VmHWM/ {printf "%d", $2 / 1024}' "/proc/$POSTERN_PID/status")
echo "# $LOAD_NOTE; store $(du -sh "$WORK/postern" | cut -f1); VmHWM after intake $INTAKE_HWM MiB; load average $(loadavg)"
# Restarted over the full store, so that its peak RSS is the IMAP work's,
# as Dovecot's processes are fresh: intake has its own memory benchmark
# (bench/queued_memory.sh).
stop_postern
start_postern

t0=$(date +%s.%N)
timeout "$LOAD_TIMEOUT" "${PY[@]}" maildir "$WORK/dovecot/Maildir" --count "$COUNT"
echo "# maildir written in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}') s, $(du -sh "$WORK/dovecot/Maildir" | cut -f1)"
start_dovecot

for r in $(seq 1 "$RUNS"); do
  measure postern "$r"
  measure dovecot "$r"
done
echo "# done; load average $(loadavg)"

stop_postern
stop_pid "$DOVECOT_PID" 30
wait "$DOVECOT_PID" 2>/dev/null || true
DOVECOT_PID=

echo
write_results imap "$RAW" "$COMMAND" --note "$LOAD_NOTE; its VmHWM after intake was $INTAKE_HWM MiB, and it was restarted over the full store before the IMAP measures." \
  --machine-note "load average $(loadavg) at the end (1, 5, 15 min)"
