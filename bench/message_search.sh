#!/usr/bin/env bash
# The message log's search on a store of MESSAGES messages (bench/
# message_search.cpp): each filter's first and deep page, p50 and p99,
# written to bench/results/message_search.json.
# Usage: bench/message_search.sh [BUILD_DIR] [MESSAGES] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
BUILD_ARG=${1:-build/release}
BUILD=$(realpath "$BUILD_ARG")
MESSAGES=${2:-1000000}
RUNS=${3:-1}
raw=$(mktemp /tmp/postern-search-bench.XXXXXX)
for r in $(seq 1 "$RUNS"); do
  store_dir=$(mktemp -d /var/tmp/postern-search-bench.XXXXXX) # on disk, not tmpfs
  "$BUILD/bin/message_search" "$store_dir" "$MESSAGES" | sed "s/^/run=$r /" | tee -a "$raw"
  rm -rf "$store_dir"
done
# p99s of a fraction of a millisecond's work are the scheduler's: say how
# busy the machine was.
load=$(cut -d' ' -f1-3 /proc/loadavg)
write_results message_search "$raw" "$(bench_command "" "$@")" \
  --note "Load average at the end of the run: $load on $(nproc) cores; a page's p50 is its cost, its p99 mostly the time it waited for a core."
rm -f "$raw"
