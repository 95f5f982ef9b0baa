#!/usr/bin/env bash
# Usage: scripts/web-build.sh
# Builds the web UI (web/ -> web/dist, docs/ui.md) when web/dist is missing
# or older than any of its sources; installs web/node_modules from the
# lockfile first when needed (scripts/npm-install-locked.sh). Quick when
# nothing changed. An flock keeps runs started side by side (ctest -j) from
# building into one folder at once. Called by `make run`, `make test` and
# the ctest fixture of the UI's tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/npm-install-locked.sh web

exec 8>web/dist.lock
flock 8
built=web/dist/index.html
sources=(web/src web/index.html web/docs.html web/vite.config.ts web/vite-precompress.ts web/tsconfig.json web/package.json
  web/package-lock.json)
if [ ! -f "$built" ] || [ -n "$(find "${sources[@]}" -newer "$built" -print -quit)" ]; then
  echo "web-build: building the web UI into web/dist"
  # The build must not leave an old index.html that looks current.
  rm -f "$built"
  (cd web && npm run --silent build)
fi
