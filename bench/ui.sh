#!/usr/bin/env bash
# Web UI benchmark (docs/ui.md, "Budget and delivery"): what the first load
# of / costs and how the dashboard holds up while the node delivers at its
# full rate, against a release build of Postern serving the built UI
# (web/dist, built first when stale) and two simulated providers
# (postern-sim's Mailgun and SendGrid). Debian's chromium, headless, driven
# by playwright-core (bench/ui_browser.mjs):
# - the bundle: compressed bytes of the JavaScript and CSS index.html loads
#   (the .br and .gz forms the build wrote; the budget is 300 KB);
# - LOADS cold loads of / (empty cache) and LOADS warm ones (reloads): first
#   contentful paint, largest contentful paint, DOMContentLoaded, load and
#   bytes transferred, from the page's Performance API; medians;
# - the dashboard open SECS seconds while wrk posts 1.5 KiB messages over
#   CONNS connections (delivery on, through the simulators) and provider
#   "sg" is paused and resumed ten times a second: the page's JS heap at
#   the start and the end (after a garbage collection), each event's lag
#   from the node to the page's main thread, and the main thread's lateness.
# The summary goes to bench/results/ui.json (bench/results.py).
# Usage: bench/ui.sh BUILD_DIR [LOADS] [SECS]   env CONNS (50), NOTE
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "CONNS" "$@")
BUILD=${1:-build/release}
LOADS=${2:-7}
SECS=${3:-60}
CONNS=${CONNS:-50}
POSTERN=$(realpath "$BUILD/bin/postern")
SIM=$(realpath "$BUILD/bin/postern-sim")
WORK=$(mktemp -d /var/tmp/postern-ui.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$here/../scripts/web-build.sh" >&2
"$here/../scripts/npm-install-locked.sh" "$here/../tests/e2e" >&2
DIST=$(realpath "$here/../web/dist")

echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
RAW=$WORK/raw.txt
# The bundle: each file index.html names under /assets/, by its forms' sizes.
/usr/bin/python3 - "$DIST" <<'PY' | tee -a "$RAW"
import os, re, sys
dist = sys.argv[1]
html = open(os.path.join(dist, "index.html")).read()
assets = sorted(set(re.findall(r'(?:src|href)="/assets/([^"]+\.(?:js|css))"', html)))
size = lambda name: os.path.getsize(os.path.join(dist, "assets", name)) if os.path.exists(os.path.join(dist, "assets", name)) else None
def total(suffix):
    return sum(size(a + suffix) or size(a) for a in assets) / 1024
print(f"phase=bundle run=1 files={len(assets)} raw_kb={total(''):.1f} gzip_kb={total('.gz'):.1f} br_kb={total('.br'):.1f}")
PY

# No key: the node lets loopback callers in, the page and the load alike.
start_sim_and_postern "$WORK" "$POSTERN" "$SIM" "ui_dir = \"$DIST\""
URL=http://127.0.0.1:$PORT

node "$here/ui_browser.mjs" pageload "$URL" "$LOADS" | tee -a "$RAW"

wrk_post_lua "$WORK/post.lua"
read -r b0 t0 < <(cpu_ticks)
live=$(node "$here/ui_browser.mjs" live "$URL" "$SECS" "$WORK/post.lua" "$CONNS" sg)
read -r b1 t1 < <(cpu_ticks)
echo "$live conns=$CONNS cpu=$(cpu_pct $b0 $t0 $b1 $t1)" | tee -a "$RAW"

echo
write_results ui "$RAW" "$COMMAND" ${NOTE:+--note "$NOTE"}
