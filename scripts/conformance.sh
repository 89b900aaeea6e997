#!/usr/bin/env bash
# npm run conformance -- <hydra-jobs dir>: bundles tools/conformance (main.ts and every *-checks.ts
# module) and runs Hydra's test jobsets through FC. Needs PostgreSQL (FC_CONFORMANCE_DATABASE_URL,
# default postgres://postgres@127.0.0.1:5432/postgres), Nix and git.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
out=dist/tools/conformance
rm -rf "$out"
node_modules/.bin/esbuild tools/conformance/main.ts tools/conformance/*-checks.ts --bundle --platform=node \
  --format=esm --target=node24 --packages=external --log-level=warning --outdir="$out" --out-extension:.js=.mjs
exec node "$out/main.mjs" "$@"
