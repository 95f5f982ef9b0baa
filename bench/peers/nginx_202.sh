#!/usr/bin/env bash
# The HTTP ceiling of this machine: nginx answering every POST with a bare 202
# (body read and discarded, no disk, no log). Started on a private prefix,
# stopped by PID. Usage: peers/nginx_202.sh start PORT DIR | stop DIR
set -euo pipefail
case "$1" in
  start)
    port=$2 dir=$3
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  client_max_body_size 50m;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$port reuseport backlog=4096; location / { return 202; } }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" &
    echo $! >"$dir/peer.pid"
    sleep 1
    ;;
  stop)
    kill "$(cat "$2/peer.pid")" 2>/dev/null || true
    sleep 0.5
    ;;
esac
