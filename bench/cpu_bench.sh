#!/usr/bin/env bash
# CPU benchmark: vggq's reference executor (vggq-run) against PyTorch on the
# CPU, on the same trained VGG16 and the same CIFAR-10 test images, side by
# side in one run.
#
#   bench/cpu_bench.sh            # the whole test set (10,000 images)
#   LIMIT=1000 bench/cpu_bench.sh # fewer images
#   QUANT=1 bench/cpu_bench.sh    # also INT8 and FP8-E4M3 graphs
#
# Needs a built tree (BUILD, default ./build), the shared folder (VGGQ_SHARED,
# default ../shared) and python3-torch + python3-numpy (Debian) for the
# baseline (PYTHON, default /usr/bin/python3).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${BUILD:-$ROOT/build}"
SHARED="${VGGQ_SHARED:-$ROOT/../shared}"
PYTHON="${PYTHON:-/usr/bin/python3}"
LIMIT="${LIMIT:--1}"
BATCH="${BATCH:-128}"
DATA="$SHARED/data/cifar-10-batches-bin/test_batch.bin"
MODELS="$SHARED/models"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

for f in "$DATA" "$MODELS/vgg16_bn_cifar10.onnx" "$MODELS/vgg16_bn_cifar10.safetensors"; do
  [[ -f "$f" ]] || { echo "cpu_bench: missing $f (set VGGQ_SHARED)" >&2; exit 1; }
done
"$PYTHON" -c "import torch, numpy" 2>/dev/null ||
  { echo "cpu_bench: $PYTHON lacks torch/numpy (apt-get install python3-torch)" >&2; exit 1; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD/bin/vggq-import" "$MODELS/vgg16_bn_cifar10.onnx" -o "$TMP/fp32.mlirbc"
models=(fp32)
if [[ "${QUANT:-0}" == 1 ]]; then
  for p in int8 fp8e4m3; do
    "$BUILD/bin/vggq-opt" "$TMP/fp32.mlirbc" --emit-bytecode -o "$TMP/$p.mlirbc" \
      --vggq-quantize-pipeline="precision=$p method=max samples=512 data=$SHARED/data/cifar-10-batches-bin/data_batch_1.bin" 2>/dev/null
    models+=("$p")
  done
fi

declare -A ips top1
for m in "${models[@]}"; do
  out="$("$BUILD/bin/vggq-run" "$TMP/$m.mlirbc" --data "$DATA" --limit "$LIMIT" --batch "$BATCH" 2>/dev/null)"
  echo "--- vggq-run ($m)"; echo "$out"
  ips[$m]="$(sed -n 's/^throughput: *\([0-9.]*\) images\/s/\1/p' <<<"$out")"
  top1[$m]="$(sed -n 's/^top-1: *\([0-9.]*\) %/\1/p' <<<"$out")"
done

torch_out="$("$PYTHON" "$ROOT/bench/torch_cpu_baseline.py" --weights "$MODELS/vgg16_bn_cifar10.safetensors" \
  --data "$DATA" --limit "$LIMIT" --batch "$BATCH" --threads "$(nproc)")"
echo "--- PyTorch"; echo "$torch_out"
torch_ips="$(sed -n 's/.*images\/s \([0-9.]*\).*/\1/p' <<<"$torch_out")"
torch_top1="$(sed -n 's/.*top-1 \([0-9.]*\).*/\1/p' <<<"$torch_out")"

echo
printf '| %-28s | %10s | %8s | %14s |\n' "engine (batch $BATCH)" "images/s" "top-1 %" "vs PyTorch"
printf '| %-28s | %10s | %8s | %14s |\n' "---" "---:" "---:" "---:"
printf '| %-28s | %10s | %8s | %14s |\n' "PyTorch CPU, channels_last" "$torch_ips" "$torch_top1" "1.00x"
for m in "${models[@]}"; do
  ratio="$(awk -v a="${ips[$m]}" -v b="$torch_ips" 'BEGIN { printf "%.2fx", a / b }')"
  printf '| %-28s | %10s | %8s | %14s |\n' "vggq-run $m" "${ips[$m]}" "${top1[$m]}" "$ratio"
done
