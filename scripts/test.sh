#!/usr/bin/env bash
# Sets up (apt), builds and runs every test: lit + FileCheck suites and the
# GoogleTest suites, through the check-vggq target. The exhaustive 2^32
# numerics test is separate: ninja -C build check-vggq-long.
set -euo pipefail
cd "$(dirname "$0")/.."
# Let clones in other folders share the compiler cache.
export CCACHE_BASEDIR="$PWD"
./scripts/setup.sh
ninja -C build
status=0
LIT_OPTS="${LIT_OPTS:-} --output $PWD/build/test-results.json" ninja -C build check-vggq || status=$?
python3 scripts/lit_summary.py build/test-results.json || status=1
exit $status
