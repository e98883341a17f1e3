#!/usr/bin/env bash
# The one test command (README: `npm test`; CI: .ci/run). Type-checks, builds
# the binary the end-to-end tests run, runs every test layer with Bun's
# runner, and ends with a line `N passed, N failed, N skipped` (a skipped test's
# name says why: no Docker engine, no qemu, not root...).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

failed_steps=0
echo "== type check"
if ! tsc --noEmit -p .; then failed_steps=$((failed_steps + 1)); fi

echo "== build"
if ! bun scripts/build.ts; then failed_steps=$((failed_steps + 1)); fi

echo "== tests"
# The run's output is kept beside the build (not in /tmp, where another process cleaning
# its temporary files once took it away mid-run and the summary counted nothing).
mkdir -p dist
log=dist/test-output.log
bun test --timeout 30000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
pass=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
# Skipped tests (no Docker engine, no qemu, ...) are counted, never passed; their names say why.
skip=$(grep -Eo '^ *[0-9]+ skip$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
# A failed type check or build counts as a failure too.
fail=$((fail + failed_steps))
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
# A run that counted no passing test proved nothing.
if [ "$pass" -eq 0 ]; then fail=$((fail + 1)); fi
echo "${pass} passed, ${fail} failed, ${skip} skipped"
[ "$fail" -eq 0 ]
