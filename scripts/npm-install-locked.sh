#!/usr/bin/env bash
# Usage: scripts/npm-install-locked.sh DIR
# Installs the exact versions of DIR/package-lock.json into DIR/node_modules
# (`npm ci`) when they are missing or older than the lockfile; does nothing
# otherwise. An flock on DIR/node_modules.lock keeps two runs started side
# by side (ctest -j) from installing into one folder at once. Used by
# scripts/openapi-lint.sh (tools/openapi) and the Nodemailer integration test
# (tests/nodemailer).
set -euo pipefail
dir=${1:?usage: $0 DIR}
cd "$dir"

exec 9>node_modules.lock
flock 9
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
