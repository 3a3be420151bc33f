#!/usr/bin/env bash
# Every test of the project, each step failing loudly; ends with one summary line
# "N passed, N failed, N skipped" totalled from the runners' own JSON reports.
set -u
cd "$(dirname "$0")/.."
# Missing Debian packages: installed when root, else one command to run and a stop here.
bash tools/debian-deps.sh || exit $?
rm -rf test-results && mkdir -p test-results
failed_steps=()
step() {
  local name=$1; shift
  echo "::: $name: $*"
  if ! "$@"; then failed_steps+=("$name"); echo "::: $name FAILED"; fi
}
step lint npm run --silent lint
step cycles npm run --silent check:cycles
step format npm run --silent format:check
step typecheck npm run --silent typecheck
step electronegativity npm run --silent electronegativity
step build npm run --silent build
step unit-integration npx vitest run
step e2e npx playwright test
step power-cut npx vitest run --config tests/power/vitest.config.ts
node tools/test-summary.mjs
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "failed steps: ${failed_steps[*]}"
  exit 1
fi
