#!/usr/bin/env bash
# Gantry's coverage, gated by Gantry: runs the built lint-gate bundle (dist/lint-gate) the way a user's
# workflow step runs it — every input as an INPUT_* variable, action.yml defaults written out as the runner
# applies them, the runner's file-command files — on coverage/lcov.info that `npm test` wrote, at 80 % of
# lines, with shellcheck over CI's own scripts as its linter. Exit code: the gate's.
set -euo pipefail
cd "$(dirname "$0")/.."
runner="$(mktemp -d)"
trap 'rm -rf "$runner"' EXIT
: >"$runner/output" && : >"$runner/summary.md" && : >"$runner/state" && : >"$runner/env"
env \
  "INPUT_LINTERS=- {preset: shellcheck, args: '.ci/run .ci/install-system-packages.sh .ci/coverage-gate.sh'}" \
  "INPUT_WORKING-DIRECTORY=." \
  "INPUT_FAIL-ON=error" \
  "INPUT_MAX-WARNINGS=-1" \
  "INPUT_COVERAGE-FILE=coverage/lcov.info" \
  "INPUT_COVERAGE-THRESHOLD=80" \
  "INPUT_SARIF-FILE=" \
  "INPUT_CATEGORY=gantry-coverage" \
  "INPUT_ANNOTATE=true" \
  "INPUT_TIMEOUT=5m" \
  GITHUB_WORKSPACE="$PWD" RUNNER_TEMP="$runner" \
  GITHUB_OUTPUT="$runner/output" GITHUB_STEP_SUMMARY="$runner/summary.md" \
  GITHUB_STATE="$runner/state" GITHUB_ENV="$runner/env" \
  node_modules/.bin/node dist/lint-gate/index.js
