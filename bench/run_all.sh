#!/usr/bin/env bash
# Every benchmark against one release build, one after the other (they must
# not share the cores), each printing its figures and its peers' from the
# same run. `make bench` runs this; BENCHMARKS.md records the results.
# Usage: bench/run_all.sh [BUILD_DIR]   env RUNS (default 3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(realpath "${1:-build/release}")
RUNS=${RUNS:-3}

section() { printf '\n== %s ==\n' "$1"; }

section "store ceiling (group commit, no network)"
store_dir=$(mktemp -d /var/tmp/postern-store-bench.XXXXXX)  # on disk, not tmpfs
"$BUILD/bin/store_intake" "$store_dir"
rm -rf "$store_dir"
section "HTTP intake vs nginx bare 202"
"$here/http_intake.sh" "$BUILD" "$RUNS" 10
section "SMTP intake vs smtp-sink and Postfix"
# 15,000 messages: at the default 5,000 a 4 KiB cell lasts under a second
# and the peers themselves swing 30–40% from run to run (BENCHMARKS.md).
"$here/smtp_intake.sh" "$BUILD" "$RUNS" 15000
section "end to end through two simulated providers"
"$here/end_to_end.sh" "$BUILD" "$RUNS" 10 50
section "failover: three providers, one down under load"
/usr/bin/python3 "$here/failover.py" "$BUILD" --runs "$RUNS"
section "memory with 1,000,000 messages queued"
"$here/queued_memory.sh" "$BUILD" 1000000
