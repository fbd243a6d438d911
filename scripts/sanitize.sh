#!/usr/bin/env bash
# The sanitized stage of the tests: configures build-san with clang-22,
# AddressSanitizer + UndefinedBehaviorSanitizer (and libFuzzer coverage) on
# every vggq target (the compiler, the runtime and its PTX emulator), builds
# it, runs the whole lit + GoogleTest suite there, then a short run of every
# fuzz target (scripts/fuzz.sh). Any sanitizer report is a failure: the tools
# abort on the first one (-fno-sanitize-recover=all, abort_on_error), and
# every report is also written under build-san/sanitizer-reports/, which
# must stay empty, so that a report in a process whose exit status a test
# ignores still fails the stage.
#
#   scripts/sanitize.sh                    # build, suite, 30 s per fuzz target
#   VGGQ_FUZZ_TIME=0 scripts/sanitize.sh   # without the fuzz runs
#
# Expects scripts/setup.sh to have run (scripts/test.sh runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
B=build-san
mkdir -p "$B"
if [ ! -f "$B/build.ninja" ]; then
  cmake -G Ninja -S . -B "$B" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
    -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DVGGQ_SANITIZE=address,undefined -DVGGQ_FUZZ=ON \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >"$B/configure.log" 2>&1 ||
    { cat "$B/configure.log" >&2; echo "sanitize.sh: configure of $B failed" >&2; exit 1; }
fi
echo "sanitize.sh: building $B (clang-22, address,undefined, libFuzzer)"
ninja -C "$B"

REPORTS=$PWD/$B/sanitizer-reports
rm -rf "$REPORTS"; mkdir -p "$REPORTS"
SAN=abort_on_error=1:halt_on_error=1:print_stacktrace=1:log_exe_name=1
export ASAN_OPTIONS="$SAN:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="$SAN:log_path=$REPORTS/ubsan"
export LSAN_OPTIONS="suppressions=$PWD/test/Fuzz/lsan.supp:print_suppressions=0"
status=0
LIT_OPTS="${LIT_OPTS:-} --output $PWD/$B/test-results.json" ninja -C "$B" check-vggq || status=$?
python3 scripts/lit_summary.py "$B/test-results.json" --label sanitized || status=1
if [ -n "$(ls -A "$REPORTS")" ]; then
  echo "sanitize.sh: sanitizer reports (each one is a failure):" >&2
  for f in "$REPORTS"/*; do echo "== $f" >&2; head -40 "$f" >&2; done
  status=1
else
  echo "sanitize.sh: 0 sanitizer reports"
fi

if [ "${VGGQ_FUZZ_TIME:-30}" != 0 ]; then
  # The fuzzers print their own reports; log_path would hide them.
  export ASAN_OPTIONS="$SAN:detect_leaks=1"
  export UBSAN_OPTIONS="$SAN"
  scripts/fuzz.sh --build "$B" --time "${VGGQ_FUZZ_TIME:-30}" || status=1
fi
exit $status
