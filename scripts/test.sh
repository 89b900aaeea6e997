#!/usr/bin/env bash
# npm test: set-up, then every gate: prettier, ESLint (type-aware + Nx module boundaries), tsc,
# unit specs, integration specs (real PostgreSQL, Nix, git). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/ensure-node.sh
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

echo "== prettier"; npx prettier --check --log-level warn .
echo "== eslint"; npx nx show projects >/dev/null; npx eslint --max-warnings=0 .
echo "== tsc"; npx tsc -p tsconfig.json --noEmit

results=$(mktemp -d)
status=0
for project in unit integration; do
  echo "== jest $project"
  # --forceExit: a spec file that fails in its set-up can leave a pg-boss timer behind, and jest
  # would then wait for it for ever instead of reporting.
  node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects "$project" \
    --forceExit --json --outputFile="$results/$project.json" "$@" || status=1
done
summaries=("$results/unit.json" "$results/integration.json")
# The demo from a fresh clone in a private directory (scripts/demo-check.sh); not in a partial run.
if [ $# -eq 0 ]; then
  echo "== demo"
  if bash scripts/demo-check.sh; then demo_passed=1; else demo_passed=0; status=1; fi
  echo "{\"numPassedTests\":$demo_passed,\"numFailedTests\":$((1 - demo_passed)),\"numPendingTests\":0,\"numTodoTests\":0}" \
    >"$results/demo.json"
  summaries+=("$results/demo.json")
fi
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "${summaries[@]}"
exit $status
