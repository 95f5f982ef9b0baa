#!/usr/bin/env bash
# Big messages in bounded memory (issue 31): SMTP sessions each sending a
# big message and HTTP clients each posting one, all at once, through a
# release build of Postern to postern-sim's SMTP relay; every acknowledged
# message compared byte for byte at the simulator, the server's RSS sampled
# throughout (bench/bigmsg.py). The summary goes to
# bench/results/bigmsg.json (bench/results.py).
# Usage: bench/bigmsg.sh BUILD_DIR [SMTP_SESSIONS SMTP_MIB HTTP_CLIENTS HTTP_MIB INFLIGHT_MIB]
# The defaults are the issue's size: 200 x 25 MiB over SMTP, 200 x 10 MiB
# over HTTP, limits.inflight_bytes = 128 MiB (about 7.5 GB sent; the store
# keeps it until retention: give /var/tmp room for it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
COMMAND=$(bench_command "" "$@")
BUILD=${1:-build/release}
SMTP=${2:-200}
SMTP_MIB=${3:-25}
HTTP=${4:-200}
HTTP_MIB=${5:-10}
INFLIGHT_MIB=${6:-128}
RAW=$(mktemp /var/tmp/postern-bigmsg-raw.XXXXXX)
trap 'rm -f "$RAW"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) cores, postern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null):" \
  "$SMTP x $SMTP_MIB MiB SMTP + $HTTP x $HTTP_MIB MiB HTTP, inflight $INFLIGHT_MIB MiB"
/usr/bin/python3 "$here/bigmsg.py" "$BUILD" "$RAW" --smtp "$SMTP" --smtp-mib "$SMTP_MIB" \
  --http "$HTTP" --http-mib "$HTTP_MIB" --inflight-mib "$INFLIGHT_MIB"
echo
write_results bigmsg "$RAW" "$COMMAND" --param "smtp=$SMTP" --param "smtp_mib=$SMTP_MIB" \
  --param "http=$HTTP" --param "http_mib=$HTTP_MIB"
