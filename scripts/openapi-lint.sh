#!/usr/bin/env bash
# Checks docs/openapi.yaml: validates it against the OpenAPI 3.1 JSON Schema
# (@seriousme/openapi-schema-validator), then lints it with Redocly CLI and
# the rules in tools/openapi/redocly.yaml. The tools are the exact versions of
# tools/openapi/package-lock.json, installed by `npm ci` when missing or
# older than the lockfile. Called by `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=tools/openapi
document=docs/openapi.yaml

# Redocly CLI 2 needs Node.js 20.19 or later; say so rather than fail obscurely.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "openapi-lint: Node.js $(node --version) is too old; Redocly CLI needs 20.19 or later" >&2
  exit 1
fi

scripts/npm-install-locked.sh "$tools"

# The validator prints a JSON verdict; keep it quiet unless it fails.
if ! verdict=$("$tools/node_modules/.bin/validate-api" "$document"); then
  echo "openapi-lint: $document is not a valid OpenAPI 3.1 document:" >&2
  echo "$verdict" >&2
  exit 1
fi

# No telemetry and no update check: the build runs offline.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 \
  "$tools/node_modules/.bin/redocly" lint --config "$tools/redocly.yaml" --format stylish "$document"
echo "openapi-lint: $document is valid OpenAPI 3.1 and passes the lint rules"
