#!/usr/bin/env bash
# npm run demo: set-up, then FC (server, evaluator, queue runner) on an embedded PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/ensure-node.sh
node_modules/.bin/esbuild tools/demo/demo.ts --bundle --platform=node --format=esm --target=node24 \
  --packages=external --log-level=warning --outfile=dist/tools/demo.mjs
exec node dist/tools/demo.mjs "$@"
