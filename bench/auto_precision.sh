#!/bin/sh
# Mixed precision under an accuracy budget on the trained VGG16:
# --vggq-quantize-pipeline="precision=auto base=$BASE agreement=$BUDGET"
# (scales from data_batch_1.bin images [0, SAMPLES), sensitivity and budget
# from the next SENS images), then top-1 and top-1 agreement with FP32 on
# the CIFAR-10 test set with vggq-run, and the share of MACs in 8-bit
# formats. Prints a table (also in $OUT/table.md).
#
#   bench/auto_precision.sh                     # 10,000 test images
#   LIMIT=1000 bench/auto_precision.sh          # quicker
#   BASELINE=1 bench/auto_precision.sh          # also uniform $BASE
#   EXTRA="bias-correction=true" bench/auto_precision.sh
#   REUSE=1 bench/auto_precision.sh   # only the table, from $OUT
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
SHARED=${VGGQ_SHARED:-$ROOT/../shared}
OUT=${OUT:-$ROOT/build/auto_precision}
LIMIT=${LIMIT:-10000}
SAMPLES=${SAMPLES:-1000}
SENS=${SENS:-500}
BASE=${BASE:-fp8e4m3}
BUDGET=${BUDGET:-99.5}
EXTRA=${EXTRA:-}
BASELINE=${BASELINE:-0}
PY=${PY:-/usr/bin/python3}
export VGGQ_SHARED="$SHARED"
mkdir -p "$OUT"
TEST="$SHARED/data/cifar-10-batches-bin/test_batch.bin"

"$BIN/vggq-import" "$SHARED/models/vgg16_bn_cifar10.onnx" -o "$OUT/fp32.mlirbc"
if [ ! -f "$OUT/fp32.logits" ] || \
   [ "$(stat -c %s "$OUT/fp32.logits")" -lt $((LIMIT * 40)) ]; then
  "$BIN/vggq-run" "$OUT/fp32.mlirbc" --limit="$LIMIT" \
    --dump-logits="$OUT/fp32.logits" > "$OUT/fp32.txt"
fi

REUSE=${REUSE:-0}
if [ "$REUSE" != 1 ] || [ ! -f "$OUT/auto.logits" ]; then
start=$(date +%s)
"$BIN/vggq-opt" "$OUT/fp32.mlirbc" --mlir-print-op-on-diagnostic=false \
  --vggq-quantize-pipeline="precision=auto base=$BASE agreement=$BUDGET samples=$SAMPLES sensitivity-samples=$SENS precision-map-out=$OUT/auto.map table=$OUT/auto.json $EXTRA" \
  --emit-bytecode -o "$OUT/auto.mlirbc" 2> "$OUT/auto.log"
echo "$(( $(date +%s) - start ))" > "$OUT/auto.seconds"
"$BIN/vggq-run" "$OUT/auto.mlirbc" --limit="$LIMIT" \
  --dump-logits="$OUT/auto.logits" > "$OUT/auto.txt"
fi

if [ "$BASELINE" = 1 ] && { [ "$REUSE" != 1 ] || [ ! -f "$OUT/base.logits" ]; }; then
  "$BIN/vggq-opt" "$OUT/fp32.mlirbc" \
    --vggq-quantize-pipeline="precision=$BASE samples=$SAMPLES $EXTRA" \
    --emit-bytecode -o "$OUT/base.mlirbc" 2> "$OUT/base.log"
  "$BIN/vggq-run" "$OUT/base.mlirbc" --limit="$LIMIT" \
    --dump-logits="$OUT/base.logits" > "$OUT/base.txt"
fi

"$PY" - "$OUT" "$TEST" "$LIMIT" "$BASE" "$BUDGET" "$SAMPLES" "$SENS" <<'PY' | tee "$OUT/table.md"
import os
import re
import sys

import numpy as np

out, test, limit, base, budget, samples, sens = sys.argv[1:8]
limit = int(limit)
raw = np.fromfile(test, dtype=np.uint8, count=limit * 3073)
labels = raw.reshape(-1, 3073)[:, 0]


def top(name):
    v = np.fromfile(os.path.join(out, name + ".logits"), dtype="<f4")
    return v[: limit * 10].reshape(-1, 10).argmax(1)


ref = top("fp32")
n = min(len(labels), len(ref))
# The per-layer remarks of --vggq-choose-precision: 'name' -> prec (N MACs).
layers = []
with open(os.path.join(out, "auto.log")) as f:
    log = f.read()
for m in re.finditer(r"choose-precision: '([^']+)' -> (\w+) \((\d+) MACs\)", log):
    layers.append((m.group(1), m.group(2), int(m.group(3))))
summary = re.search(r"choose-precision: agreement ([0-9.]+) %", log)
eight = {"fp8e4m3", "fp8e5m2", "int8"}
macs = sum(m for _, _, m in layers)
macs8 = sum(m for _, p, m in layers if p in eight)
seconds = open(os.path.join(out, "auto.seconds")).read().strip()

print("Test images: first %d of test_batch.bin; calibration: images [0, %s) "
      "of data_batch_1.bin, sensitivity: [%s, %d)" %
      (n, samples, samples, int(samples) + int(sens)))
print()
print("| model | top-1 (%%) | agreement with FP32 (%%) | MACs in 8-bit (%%) | "
      "agreement on sensitivity images (%%) | layers not in %s |" % base)
print("| --- | --- | --- | --- | --- | --- |")
fp32_top1 = 100.0 * (ref[:n] == labels[:n]).mean()
print("| FP32 | %.2f | - | 0.00 | - | - |" % fp32_top1)
rows = [("base", "uniform " + base, "100.00", "-", "none")]
promoted = ", ".join("%s:%s" % (l, p) for l, p, _ in layers if p != base) or "none"
rows.append(("auto", "auto (%s, budget %s %%, %s s)" % (base, budget, seconds),
             "%.2f" % (100.0 * macs8 / macs if macs else 0.0),
             summary.group(1) if summary else "?", promoted))
for key, label, m8, sens_agree, prom in rows:
    if not os.path.exists(os.path.join(out, key + ".logits")):
        continue
    got = top(key)
    print("| %s | %.2f | %.2f | %s | %s | %s |" % (
        label, 100.0 * (got[:n] == labels[:n]).mean(),
        100.0 * (got[:n] == ref[:n]).mean(), m8, sens_agree, prom))
PY
