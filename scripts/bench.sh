#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/ensure-node.sh
exec node scripts/bench.mjs "$@"
