#!/usr/bin/env bash
# Sets up (apt), builds and runs every test: lit + FileCheck suites and the
# GoogleTest suites, through the check-vggq target; then the same suite again
# in a sanitized build (AddressSanitizer + UndefinedBehaviorSanitizer, clang),
# and a short run of each libFuzzer target (scripts/sanitize.sh). The last
# line sums both suites. The exhaustive 2^32 numerics test is separate:
# ninja -C build check-vggq-long.
#
#   ./scripts/test.sh                  # everything (CI: .ci/run)
#   VGGQ_SANITIZE=0 ./scripts/test.sh  # the plain suite only
set -euo pipefail
cd "$(dirname "$0")/.."
# Let clones in other folders share the compiler cache.
export CCACHE_BASEDIR="$PWD"
./scripts/setup.sh
ninja -C build
status=0
LIT_OPTS="${LIT_OPTS:-} --output $PWD/build/test-results.json" ninja -C build check-vggq || status=$?
results=(build/test-results.json)
if [ "${VGGQ_SANITIZE:-1}" != 0 ]; then
  ./scripts/sanitize.sh || status=1
  results+=(build-san/test-results.json)
fi
python3 scripts/lit_summary.py "${results[@]}" || status=1
exit $status
