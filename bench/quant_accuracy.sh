#!/bin/sh
# Reproduces the "Quantized accuracy (issue 4)" table of docs/RESULTS.md:
# top-1 of the trained VGG16 on the CIFAR-10 test set for FP32 and for every
# precision x calibration method, top-1 agreement with FP32, and per-layer
# SQNR (with the max method) on the CPU reference executor.
#
#   bench/quant_accuracy.sh            # full table (10,000 images)
#   LIMIT=1000 bench/quant_accuracy.sh # quicker
#
# Calibration uses the training batch (data_batch_1.bin), never the test set.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
SHARED=${VGGQ_SHARED:-$ROOT/../shared}
OUT=${OUT:-$ROOT/build/quant_accuracy}
LIMIT=${LIMIT:-10000}
SAMPLES=${SAMPLES:-1000}
SQNR_LIMIT=${SQNR_LIMIT:-500}
PRECISIONS=${PRECISIONS:-"fp8e4m3 int8 fp8e5m2"}
METHODS=${METHODS:-"max percentile entropy mse"}
export VGGQ_SHARED="$SHARED"
mkdir -p "$OUT"

top1() { sed -n 's/^top-1: *\([0-9.]*\) %.*/\1/p' "$1"; }

"$BIN/vggq-import" "$SHARED/models/vgg16_bn_cifar10.onnx" -o "$OUT/fp32.mlirbc"
"$BIN/vggq-run" "$OUT/fp32.mlirbc" --limit="$LIMIT" \
  --dump-logits="$OUT/fp32.logits" > "$OUT/fp32.txt"
echo "| model | method | top-1 (%) | delta vs FP32 | agreement with FP32 (%) | q/dq/rq left |" > "$OUT/table.md"
echo "| --- | --- | --- | --- | --- | --- |" >> "$OUT/table.md"
echo "| FP32 | - | $(top1 "$OUT/fp32.txt") | - | - | - |" >> "$OUT/table.md"

for m in $METHODS; do
  for p in $PRECISIONS; do
    name="$p-$m"
    "$BIN/vggq-opt" "$OUT/fp32.mlirbc" \
      --vggq-quantize-pipeline="precision=$p method=$m samples=$SAMPLES table=$OUT/$name.json explain=true" \
      --emit-bytecode -o "$OUT/$name.mlirbc" 2> "$OUT/$name.log"
    left=$(sed -n 's/.*fuse-qdq: .*left: \([0-9]*\) quantize, \([0-9]*\) dequantize, \([0-9]*\) requantize.*/\1\/\2\/\3/p' "$OUT/$name.log")
    "$BIN/vggq-run" "$OUT/$name.mlirbc" --limit="$LIMIT" \
      --dump-logits="$OUT/$name.logits" > "$OUT/$name.txt"
    python3 - "$OUT/fp32.logits" "$OUT/$name.logits" "$p" "$m" \
      "$(top1 "$OUT/fp32.txt")" "$(top1 "$OUT/$name.txt")" "$left" >> "$OUT/table.md" <<'PY'
import sys
import numpy as np
ref = np.fromfile(sys.argv[1], dtype="<f4").reshape(-1, 10).argmax(1)
got = np.fromfile(sys.argv[2], dtype="<f4").reshape(-1, 10).argmax(1)
names = {"fp8e4m3": "FP8-E4M3", "fp8e5m2": "FP8-E5M2", "int8": "INT8"}
fp32, top1 = float(sys.argv[5]), float(sys.argv[6])
print("| %s | %s | %.2f | %+.2f | %.2f | %s |" % (
    names[sys.argv[3]], sys.argv[4], top1, top1 - fp32,
    100.0 * (ref == got).mean(), sys.argv[7]))
PY
    cat "$OUT/table.md" | tail -1
  done
done

# Per-layer SQNR of the max-calibrated models against FP32.
for p in $PRECISIONS; do
  if [ -f "$OUT/$p-max.mlirbc" ]; then
    "$BIN/vggq-run" "$OUT/$p-max.mlirbc" --limit="$SQNR_LIMIT" \
      --compare-to="$OUT/fp32.mlirbc" --per-layer > "$OUT/$p-max.sqnr.txt"
  fi
done
cat "$OUT/table.md"
