#!/bin/sh
# Prints the performance model's prediction (vggq-compile --emit perf,
# docs/PERF-MODEL.md) of the whole forward for every precision and chip:
# predicted ms at batches 1, 64, 512 and 4096, the same GEMMs at wgmma's rate
# where the chip has it, and the floor. A model, not a measurement.
#
#   bench/perf_model.sh                       # the shared VGG16
#   MODEL=../shared/models/resnet20_cifar10.onnx bench/perf_model.sh
#   PRECISIONS="int8 fp8e4m3" CHIPS=H200 bench/perf_model.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
SHARED=${VGGQ_SHARED:-$ROOT/../shared}
MODEL=${MODEL:-$SHARED/models/vgg16_bn_cifar10.onnx}
PRECISIONS=${PRECISIONS-"fp32 int8 fp8e4m3 fp8e5m2 fp16 bf16"}
CHIPS=${CHIPS-"H200 H100 RTX4090"}
OUT=${OUT:-$ROOT/build/perf_model}
export VGGQ_SHARED="$SHARED"
mkdir -p "$OUT"
[ -f "$MODEL" ] || { echo "perf_model.sh: no model at $MODEL" >&2; exit 1; }

printf '| model | precision | chip | batch 1 ms | batch 64 ms | batch 512 ms | batch 4096 ms | %% of peak at 4096 | if wgmma, 4096 ms | floor 4096 ms |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
name=$(basename "$MODEL" .onnx)
for p in $PRECISIONS; do
  for c in $CHIPS; do
    case $c in RTX4090) arch=sm_89 ;; *) arch=sm_90 ;; esac
    # INT8 and FP8 need sm_89+; the table's chips all have them.
    rep="$OUT/$name.$p.$c.txt"
    "$BIN/vggq-compile" "$MODEL" --precision "$p" --calibration-samples 16 \
      --chip "$arch" --perf-chip "$c" --emit perf -o "$rep" 2>"$OUT/$name.$p.$c.log" ||
      { echo "perf_model.sh: vggq-compile failed for $p on $c (see $OUT/$name.$p.$c.log)" >&2; exit 1; }
    awk -v m="$name" -v p="$p" -v c="$c" '
      /^whole forward/ { f = 1; next }
      f && $1 ~ /^[0-9]+$/ {
        ms[$1] = $2; pct[$1] = $3
        if (NF == 6) { wg[$1] = $5; fl[$1] = $6 } else { wg[$1] = "-"; fl[$1] = $5 }
      }
      END {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m, p, c,
          ms[1], ms[64], ms[512], ms[4096], pct[4096], wg[4096], fl[4096]
      }' "$rep"
  done
done
