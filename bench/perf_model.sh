#!/bin/sh
# Prints the performance model's prediction (vggq-compile --emit perf,
# docs/PERF-MODEL.md) of the whole forward for every precision and target:
# predicted ms at batches 1, 64, 512 and 4096, the same GEMMs at wgmma's rate
# where the chip has it, and the floor. A model, not a measurement.
# Targets are CHIP:ARCH; sm_90a compiles the wgmma kernels, sm_90 mma.sync.
#
#   bench/perf_model.sh                       # the shared VGG16
#   MODEL=../shared/models/resnet20_cifar10.onnx bench/perf_model.sh
#   PRECISIONS="int8 fp8e4m3" TARGETS="H200:sm_90 H200:sm_90a" bench/perf_model.sh
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
SHARED=${VGGQ_SHARED:-$ROOT/../shared}
MODEL=${MODEL:-$SHARED/models/vgg16_bn_cifar10.onnx}
PRECISIONS=${PRECISIONS-"fp32 int8 fp8e4m3 fp8e5m2 fp16 bf16"}
TARGETS=${TARGETS-"H200:sm_90 H200:sm_90a H100:sm_90 H100:sm_90a RTX4090:sm_89"}
OUT=${OUT:-$ROOT/build/perf_model}
export VGGQ_SHARED="$SHARED"
mkdir -p "$OUT"
[ -f "$MODEL" ] || { echo "perf_model.sh: no model at $MODEL" >&2; exit 1; }

printf '| model | precision | chip | arch | batch 1 ms | batch 64 ms | batch 512 ms | batch 4096 ms | %% of peak at 4096 | other MMA, 4096 ms (sm_90: if wgmma; sm_90a: if mma.sync) | floor 4096 ms |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
name=$(basename "$MODEL" .onnx)
for p in $PRECISIONS; do
  for t in $TARGETS; do
    c=${t%%:*} arch=${t#*:}
    # FP32 has no tensor-core kernel: its sm_90a row would repeat sm_90's.
    [ "$p" = fp32 ] && [ "$arch" = sm_90a ] && continue
    # INT8 and FP8 need sm_89+; the table's chips all have them.
    rep="$OUT/$name.$p.$c.$arch.txt"
    "$BIN/vggq-compile" "$MODEL" --precision "$p" --calibration-samples 16 \
      --chip "$arch" --perf-chip "$c" --emit perf -o "$rep" 2>"$OUT/$name.$p.$c.$arch.log" ||
      { echo "perf_model.sh: vggq-compile failed for $p on $c $arch (see $OUT/$name.$p.$c.$arch.log)" >&2; exit 1; }
    awk -v m="$name" -v p="$p" -v c="$c" -v a="$arch" '
      /^whole forward/ { f = 1; next }
      f && $1 ~ /^[0-9]+$/ {
        ms[$1] = $2; pct[$1] = $3
        if (NF == 6) { wg[$1] = $5; fl[$1] = $6 } else { wg[$1] = "-"; fl[$1] = $5 }
      }
      END {
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m, p, c, a,
          ms[1], ms[64], ms[512], ms[4096], pct[4096], wg[4096], fl[4096]
      }' "$rep"
  done
done
