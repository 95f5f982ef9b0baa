#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, -DPOSTERN_FUZZ=ON) in
# build/fuzz and runs each for SECONDS (default 30) on a copy of its seed
# corpus tests/fuzz/corpus/<target>/, so that nothing is written into the
# tree. Fails at the first target that finds a crash, a leak, a hang or a
# broken invariant; the input that did it is left in
# build/fuzz/artifacts/<target>/. docs/testing.md says how to run them for
# hours and keep what they find.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
# A fixed seed by default, so that a run is repeatable and a red CI is not
# the luck of the draw; FUZZ_SEED=0 lets libFuzzer pick one (longer runs,
# docs/testing.md).
seed="${FUZZ_SEED:-1}"
build=build/fuzz
# Every target has a seed corpus folder of its name.
mapfile -t targets < <(ls tests/fuzz/corpus)

if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DPOSTERN_FUZZ=ON -DPOSTERN_WERROR=ON
fi
ninja -C "$build" -j "${JOBS:-$(nproc)}" "${targets[@]}"

for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  artifacts="$build/artifacts/$target"
  log="$build/$target.log"
  rm -rf "$work" "$artifacts"
  mkdir -p "$work" "$artifacts"
  cp tests/fuzz/corpus/"$target"/* "$work"/
  echo "fuzz: $target for ${seconds}s"
  if ! "$build/bin/$target" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$work" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz: $target failed; the input is in $artifacts/, the log in $log" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" | tr '\n' ' '
  echo
done
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
