#!/bin/sh
# Reproduces the "Quantized accuracy (issue 4)" table of docs/RESULTS.md:
# top-1 of the trained VGG16 on the CIFAR-10 test set for FP32 and for every
# precision x calibration method, top-1 agreement with FP32, and per-layer
# SQNR (with the max method) on the CPU reference executor.
#
#   bench/quant_accuracy.sh            # full table (10,000 images)
#   LIMIT=1000 bench/quant_accuracy.sh # quicker
#   METHODS= PRECISIONS= UNCALIBRATED=fp16 bench/quant_accuracy.sh  # FP16 only
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
PRECISIONS=${PRECISIONS-"fp8e4m3 int8 fp8e5m2"}
# Formats whose scales are all 1 (not CALIBRATED in Formats.def): one row each,
# no calibration.
UNCALIBRATED=${UNCALIBRATED-"fp16 bf16"}
METHODS=${METHODS-"max percentile entropy mse"}
export VGGQ_SHARED="$SHARED"
mkdir -p "$OUT"

DATA="$SHARED/data/cifar-10-batches-bin/test_batch.bin"

# Top-1 of the first LIMIT images against the test labels, and agreement.
row() {
  python3 - "$DATA" "$LIMIT" "$@" <<'PY'
import array
import sys
data, limit, ref_path, got_path, label, method, left = sys.argv[1:8]
limit = int(limit)


def argmax_rows(path):
    v = array.array("f")
    with open(path, "rb") as f:
        v.frombytes(f.read(limit * 40))
    if sys.byteorder != "little":
        v.byteswap()
    rows = [v[i * 10:(i + 1) * 10] for i in range(len(v) // 10)]
    return [max(range(10), key=r.__getitem__) for r in rows]


with open(data, "rb") as f:
    raw = f.read(limit * 3073)
labels = [raw[i * 3073] for i in range(len(raw) // 3073)]
ref, got = argmax_rows(ref_path), argmax_rows(got_path)
n = min(len(labels), len(ref), len(got))
fp32 = 100.0 * sum(ref[i] == labels[i] for i in range(n)) / n
top1 = 100.0 * sum(got[i] == labels[i] for i in range(n)) / n
if ref_path == got_path:
    print("| FP32 | - | %.2f | - | - | - |" % fp32)
else:
    agree = 100.0 * sum(ref[i] == got[i] for i in range(n)) / n
    print("| %s | %s | %.2f | %+.2f | %.2f | %s |" % (
        label, method, top1, top1 - fp32, agree, left))
PY
}

"$BIN/vggq-import" "$SHARED/models/vgg16_bn_cifar10.onnx" -o "$OUT/fp32.mlirbc"
# The FP32 logits are reused when they cover LIMIT images already.
if [ ! -f "$OUT/fp32.logits" ] || \
   [ "$(stat -c %s "$OUT/fp32.logits")" -lt $((LIMIT * 40)) ]; then
  "$BIN/vggq-run" "$OUT/fp32.mlirbc" --limit="$LIMIT" \
    --dump-logits="$OUT/fp32.logits" > "$OUT/fp32.txt"
fi
{
  echo "Images: first $LIMIT of test_batch.bin; calibration: $SAMPLES images of data_batch_1.bin"
  echo
  echo "| model | method | top-1 (%) | delta vs FP32 | agreement with FP32 (%) | q/dq/rq left |"
  echo "| --- | --- | --- | --- | --- | --- |"
  row "$OUT/fp32.logits" "$OUT/fp32.logits" FP32 - -
} > "$OUT/table.md"

for m in $METHODS; do
  for p in $PRECISIONS; do
    name="$p-$m"
    case $p in
      fp8e4m3) label=FP8-E4M3 ;; fp8e5m2) label=FP8-E5M2 ;; *) label=INT8 ;;
    esac
    "$BIN/vggq-opt" "$OUT/fp32.mlirbc" \
      --vggq-quantize-pipeline="precision=$p method=$m samples=$SAMPLES table=$OUT/$name.json explain=true" \
      --emit-bytecode -o "$OUT/$name.mlirbc" 2> "$OUT/$name.log"
    left=$(sed -n 's/.*fuse-qdq: .*left: \([0-9]*\) quantize, \([0-9]*\) dequantize, \([0-9]*\) requantize.*/\1\/\2\/\3/p' "$OUT/$name.log")
    "$BIN/vggq-run" "$OUT/$name.mlirbc" --limit="$LIMIT" \
      --dump-logits="$OUT/$name.logits" > "$OUT/$name.txt"
    row "$OUT/fp32.logits" "$OUT/$name.logits" "$label" "$m" "$left" >> "$OUT/table.md"
    tail -1 "$OUT/table.md"
  done
done

for p in $UNCALIBRATED; do
  "$BIN/vggq-opt" "$OUT/fp32.mlirbc" \
    --vggq-quantize-pipeline="precision=$p explain=true" \
    --emit-bytecode -o "$OUT/$p.mlirbc" 2> "$OUT/$p.log"
  left=$(sed -n 's/.*fuse-qdq: .*left: \([0-9]*\) quantize, \([0-9]*\) dequantize, \([0-9]*\) requantize.*/\1\/\2\/\3/p' "$OUT/$p.log")
  "$BIN/vggq-run" "$OUT/$p.mlirbc" --limit="$LIMIT" \
    --dump-logits="$OUT/$p.logits" > "$OUT/$p.txt"
  row "$OUT/fp32.logits" "$OUT/$p.logits" "$(echo "$p" | tr a-z A-Z)" - "$left" >> "$OUT/table.md"
  tail -1 "$OUT/table.md"
done

# Per-layer SQNR of the max-calibrated models against FP32.
for p in $PRECISIONS; do
  if [ -f "$OUT/$p-max.mlirbc" ]; then
    "$BIN/vggq-run" "$OUT/$p-max.mlirbc" --limit="$SQNR_LIMIT" \
      --compare-to="$OUT/fp32.mlirbc" --per-layer > "$OUT/$p-max.sqnr.txt"
  fi
done
cat "$OUT/table.md"
