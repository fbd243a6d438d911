#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzzing build (scripts/sanitize.sh makes one
# in build-san), each on a corpus seeded from the test inputs, and prints one
# table: target, seconds, executions, corpus size, findings. A crash, leak,
# timeout or out-of-memory input is a failure (exit 1); the input is kept in
# <build>/fuzz/artifacts/<target>/ and becomes a regression test by copying it
# to test/Fuzz/regressions/<target>/.
#
#   scripts/fuzz.sh [--build DIR] [--time SECONDS] [--runs N] [TARGET...]
#
#   --time S   seconds per target (default 30); --runs N stops a target after
#              N executions instead (whichever comes first when both are given)
#   TARGET     cifar calibration-table safetensors onnx pipeline plan refdump ptx
#              (default: every target the build has)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=build-san
TIME=30
RUNS=
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --time) TIME=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1'" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
BIN=$BUILD/bin
[ -d "$BIN" ] || { echo "fuzz.sh: no build at '$BUILD' (run scripts/sanitize.sh first)" >&2; exit 2; }
ALL=(cifar calibration-table safetensors onnx pipeline plan refdump ptx)
if [ ${#targets[@]} = 0 ]; then
  for t in "${ALL[@]}"; do [ -x "$BIN/vggq-fuzz-$t" ] && targets+=("$t"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: '$BUILD' has no fuzz targets (configure it with -DVGGQ_FUZZ=ON)" >&2; exit 2; }
PY=/usr/bin/python3
WORK=$BUILD/fuzz
SEEDS=$WORK/seeds

# seeds TARGET DIR: the test inputs that target reads.
seeds() {
  local t=$1 d=$2
  mkdir -p "$d"
  case "$t" in
    cifar)
      head -c $((3 * 3073)) demo/cifar10_test_500.bin > "$d/three-records.bin"
      head -c 3073 demo/cifar10_test_500.bin > "$d/one-record.bin"
      head -c 3000 demo/cifar10_test_500.bin > "$d/truncated.bin" ;;
    calibration-table)
      cat > "$d/table.json" <<'EOF'
{"format": "vggq-calibration", "version": 1, "method": "mse", "precision": "int8",
 "samples": 4, "layers": {"features.0": {"amax": 2.5, "min": -2.1, "max": 2.5},
 "classifier": {"amax": 7.25, "min": 0, "max": 7.25}}}
EOF
      printf '{"format": "vggq-calibration", "version": 2}' > "$d/version.json" ;;
    safetensors)
      for k in valid extra wrongshape f16 missing badoffsets truncated garbage; do
        $PY test/Import/Inputs/make_safetensors.py "$k" "$d/$k.safetensors"
      done ;;
    onnx)
      for k in tiny bn sigmoid opset9 missing mismatch int32; do
        $PY test/Import/Inputs/make_onnx.py "$k" "$d/$k.onnx" 2>/dev/null || true
      done ;;
    pipeline)
      # Every lit case of the dialect, transforms and conversion tests, split
      # at the `// -----` markers.
      $PY - "$d" test/Dialect test/Transforms test/Conversion test/Executor/Inputs <<'EOF'
import os, sys
out = sys.argv[1]
n = 0
for root in sys.argv[2:]:
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(".mlir"):
                continue
            text = open(os.path.join(dirpath, f)).read()
            for i, part in enumerate(text.split("// -----")):
                lines = [l for l in part.splitlines() if not l.lstrip().startswith("//")]
                body = "\n".join(lines).strip()
                if body:
                    open(os.path.join(out, "%s-%d.mlir" % (f[:-5], i)), "w").write(body + "\n")
                    n += 1
EOF
      ;;
    plan)
      cp test/Runtime/Inputs/toy.plan.json "$d/" ;;
    refdump)
      $PY runtime/tools/vggq-dump.py toy --plan test/Runtime/Inputs/toy.plan.json \
        --data demo/cifar10_test_500.bin --images 2 --weights-out "$d/toy.weights" \
        --ref-out "$d/toy.ref" >/dev/null ;;
    ptx)
      cp test/Runtime/Inputs/toy.ptx "$d/" ;;
  esac
}

status=0
rows=()
run_one() {
  local t=$1 bin=$BIN/vggq-fuzz-$1
  [ -x "$bin" ] || { echo "fuzz.sh: no target '$t' in $BUILD" >&2; return 2; }
  rm -rf "${SEEDS:?}/$t"; seeds "$t" "$SEEDS/$t"
  mkdir -p "$WORK/corpus/$t" "$WORK/artifacts/$t"
  rm -f "$WORK/artifacts/$t"/*
  local dict=() limit=(-max_total_time="$TIME")
  [ -f "test/Fuzz/$t.dict" ] && dict=(-dict="test/Fuzz/$t.dict")
  [ -n "$RUNS" ] && limit+=(-runs="$RUNS")
  local log=$WORK/$t.log rc=0 start end
  start=$(date +%s)
  # Leaks, timeouts (20 s an input) and more than 4 GB are findings too.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  "$bin" "${limit[@]}" "${dict[@]}" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$WORK/artifacts/$t/" "$WORK/corpus/$t" "$SEEDS/$t" > "$log" 2>&1 || rc=$?
  end=$(date +%s)
  local execs corpus found
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$WORK/corpus/$t" | wc -l)
  found=$(find "$WORK/artifacts/$t" -type f \( -name "crash-*" -o -name "leak-*" -o -name "timeout-*" -o -name "oom-*" \) | wc -l)
  local verdict=ok
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then
    verdict="FAILED (rc $rc; see $log)"
    status=1
    grep -m5 -E '^==[0-9]+==|SUMMARY|ERROR: libFuzzer|runtime error' "$log" >&2 || true
  fi
  rows+=("$(printf '| %-18s | %6s | %11s | %6s | %8s | %s |' "$t" "$((end - start))" "${execs:-?}" "$corpus" "$found" "$verdict")")
}

for t in "${targets[@]}"; do
  echo "fuzz.sh: $t (${TIME}s${RUNS:+, at most $RUNS runs})"
  run_one "$t" || status=1
done
echo
printf '| %-18s | %6s | %11s | %6s | %8s | %s |\n' target seconds executions corpus findings result
echo "|--------------------|--------|-------------|--------|----------|--------|"
printf '%s\n' "${rows[@]}"
exit $status
