#!/usr/bin/env bash
# Postfix as a durable peer: a private Postfix instance (its own main.cf,
# master.cf, queue and log under DIR; nothing in /etc/postfix is touched)
# listening on 127.0.0.1:PORT and relaying everything to 127.0.0.1:RELAY_PORT
# (an smtp-sink started by the caller). Like Postern it answers 250 to DATA
# only once the message is on disk: cleanup fsyncs each queue file.
# Loopback only; started with `postfix start` (the master daemonizes), its
# PID kept in DIR/peer.pid and stopped by that PID.
# Needs: postfix installed with "No configuration" (scripts/bootstrap.sh); root.
# Usage: peers/postfix_relay.sh start PORT RELAY_PORT DIR | stop DIR
#        | queue DIR (messages still queued) | pid DIR (the master's PID)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"

write_config() {  # PORT RELAY_PORT DIR
  local port=$1 relay=$2 dir=$3
  cat >"$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = postfix-bench.example
mydomain = example
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
relayhost = [127.0.0.1]:$relay
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
default_destination_concurrency_limit = 100
default_destination_rate_delay = 0
default_process_limit = 200
message_size_limit = 52428800
smtputf8_enable = no
biff = no
CF
  # Only the services a relay needs; the smtpd listens on loopback only.
  cat >"$dir/etc/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
}

start() {
  local port=$1 relay=$2 dir=$3 i
  mkdir -p "$dir/etc" "$dir/spool" "$dir/data"
  chmod 755 "$dir" "$dir/etc" "$dir/spool"
  chown postfix "$dir/data"
  write_config "$port" "$relay" "$dir"
  # Postfix reports errors to a tty or its log only: keep the output.
  postfix -c "$dir/etc" check >"$dir/start.log" 2>&1
  postfix -c "$dir/etc" start >>"$dir/start.log" 2>&1
  for ((i = 0; i < 200; i++)); do
    [ -s "$dir/spool/pid/master.pid" ] && break
    sleep 0.05
  done
  tr -d ' \n' <"$dir/spool/pid/master.pid" >"$dir/peer.pid"
  wait_for_port "$port" 10
}

queue() {
  find "$1/spool/maildrop" "$1/spool/incoming" "$1/spool/active" "$1/spool/deferred" "$1/spool/hold" \
    -type f 2>/dev/null | wc -l
}

case "${1:-}" in
  start) start "$2" "$3" "$4" ;;
  # The master stops its children on SIGTERM (what `postfix stop` sends).
  stop) stop_peer "$2" 15 ;;
  queue) queue "$2" ;;
  pid) cat "$2/peer.pid" ;;
  *) echo "usage: $0 start PORT RELAY_PORT DIR | stop DIR | queue DIR | pid DIR" >&2; exit 2 ;;
esac
