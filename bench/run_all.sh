#!/usr/bin/env bash
# Every benchmark against one release build, one after the other (they must
# not share the cores), each printing its figures and its peers' from the
# same run and writing them to bench/results/<benchmark>.json; then
# bench/render.py renders BENCHMARKS.md from those files. `make bench` runs
# this. Results go to $POSTERN_BENCH_RESULTS instead when it is set (a
# scratch run), and the page is then rendered there too.
# Usage: bench/run_all.sh [BUILD_DIR]   env RUNS (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
BUILD_ARG=${1:-build/release}
BUILD=$(realpath "$BUILD_ARG")
RUNS=${RUNS:-3}

section() { printf '\n== %s ==\n' "$1"; }

section "store ceiling (group commit, no network)"
raw=$(mktemp /tmp/postern-store-bench.XXXXXX)
for r in $(seq 1 "$RUNS"); do
  store_dir=$(mktemp -d /var/tmp/postern-store-bench.XXXXXX) # on disk, not tmpfs
  echo "run=$r $("$BUILD/bin/store_intake" "$store_dir")" | tee -a "$raw"
  rm -rf "$store_dir"
done
write_results store_intake "$raw" "$BUILD_ARG/bin/store_intake DIR, $RUNS runs (bench/run_all.sh)"
rm -f "$raw"
section "HTTP intake vs nginx bare 202"
"$here/http_intake.sh" "$BUILD" "$RUNS" 10
section "SMTP intake vs smtp-sink and Postfix"
# 15,000 messages: at the default 5,000 a 4 KiB cell lasts under a second
# and the peers themselves swing 30–40% from run to run
# (docs/performance-notes.md).
"$here/smtp_intake.sh" "$BUILD" "$RUNS" 15000
section "end to end through two simulated providers"
"$here/end_to_end.sh" "$BUILD" "$RUNS" 10 50
section "cluster: 1, 2 and 3 nodes on PostgreSQL behind HAProxy, beside one on SQLite"
"$here/cluster.sh" "$BUILD" "$RUNS" 10 64
section "failover: three providers, one down under load"
/usr/bin/python3 "$here/failover.py" "$BUILD" --runs "$RUNS"
section "memory with 1,000,000 messages queued"
"$here/queued_memory.sh" "$BUILD" 1000000
section "big messages: 200 x 25 MiB over SMTP and 200 x 10 MiB over HTTP at once"
"$here/bigmsg.sh" "$BUILD"
section "disk use: 1,000,000 delivered past 100 deferred messages"
"$here/disk_use.sh" "$BUILD" 1000000 100
section "IMAP on a 100,000-message mailbox vs Dovecot"
"$here/imap.sh" "$BUILD" 100000 "$RUNS"
section "provider events in, beside intake at half its rate"
"$here/events.sh" "$BUILD" "$RUNS" 8
section "abuse limits: a legitimate client beside a flood of 1,000 connections"
"$here/limits.sh" "$BUILD" "$RUNS"
section "message log search on 1,000,000 messages"
"$here/message_search.sh" "$BUILD" 1000000 1
section "web UI: first load, and the dashboard under full load"
"$here/ui.sh" "$BUILD" 7 60
section "BENCHMARKS.md"
/usr/bin/python3 "$here/render.py"
