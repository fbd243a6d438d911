#!/usr/bin/env bash
# The main job: set up (apt), build, compile VGG16 for CIFAR-10 to FP32,
# FP8-E4M3, FP8-E5M2 and INT8, evaluate each on the CIFAR-10 test set with the
# CPU reference executor, compile each to NVPTX kernels linked into a model
# artifact (NAME.so), run those kernels on a few images and check every layer
# against the CPU reference (on the GPU when this machine has one, else on the
# PTX emulator of runtime/emu), and print one table.
#
#   ./scripts/demo.sh                 # the whole test set (about 15 minutes on 2 cores)
#   VGGQ_DEMO_LIMIT=1000 ./scripts/demo.sh
#
# With ../shared (or $VGGQ_SHARED) present it uses the trained model and the
# real data; without it, a seeded VGG16 (random weights: chance accuracy) and
# the small CIFAR-10 sample shipped in demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
# Let clones in other folders share the compiler cache.
export CCACHE_BASEDIR="$PWD"
./scripts/setup.sh
ninja -C build vggq-import vggq-opt vggq-run vggq-compile >/dev/null
# The CUDA runtime (and its PTX emulator) is configured when the toolkit's
# cuda.h is found. Ask ninja about the one target, without a pipe: a
# `ninja -t targets | grep -q` pipeline fails at random under pipefail (grep
# exits at its match, and ninja, still writing, dies of SIGPIPE).
RUNTIME=0
if ninja -C build -t query vggq_cuda_emu >/dev/null 2>&1; then
  ninja -C build vggq-runtime-all vggq_cuda_emu >/dev/null
  RUNTIME=1
elif [ -f /usr/local/cuda/include/cuda.h ]; then
  echo "vggq demo: error: /usr/local/cuda/include/cuda.h exists but build/ has no runtime target" >&2
  echo "  (vggq_cuda_emu); see build/configure.log for why CMake did not find the CUDA toolkit" >&2
  exit 1
else
  echo "vggq demo: WARNING: no CUDA toolkit (/usr/local/cuda): the compiled kernels are NOT run;" >&2
  echo "  the table's 'kernels vs CPU' column says so" >&2
fi

BIN=build/bin
OUT=build/demo
mkdir -p "$OUT"
SHARED=${VGGQ_SHARED:-../shared}
LIMIT=${VGGQ_DEMO_LIMIT:-10000}
METHOD=${VGGQ_DEMO_METHOD:-mse}
CHIP=${VGGQ_DEMO_CHIP:-sm_90}
KCHECK=${VGGQ_DEMO_KERNEL_IMAGES:-2}
# Where the kernels run: the GPU if the driver loads, else the PTX emulator.
KWHERE=-
if [ "$RUNTIME" = 1 ]; then
  if nvidia-smi -L >/dev/null 2>&1; then
    KWHERE=GPU
  else
    export VGGQ_LIBCUDA="$PWD/build/lib/libvggq_cuda_emu.so"
    KWHERE=emulator
  fi
fi

if [ -f "$SHARED/models/vgg16_bn_cifar10.onnx" ] && [ -f "$SHARED/data/cifar-10-batches-bin/test_batch.bin" ]; then
  export VGGQ_SHARED="$SHARED"
  MODEL="$SHARED/models/vgg16_bn_cifar10.onnx"
  TEST="$SHARED/data/cifar-10-batches-bin/test_batch.bin"
  CALIB="$SHARED/data/cifar-10-batches-bin/data_batch_1.bin"
  SAMPLES=1000
  echo "== vggq demo: trained VGG16 ($MODEL), CIFAR-10 test set ($LIMIT images)"
  "$BIN/vggq-import" "$MODEL" -o "$OUT/vgg16_fp32.mlirbc"
else
  TEST=demo/cifar10_test_500.bin
  CALIB=demo/cifar10_train_200.bin
  SAMPLES=200
  echo "== vggq demo: no shared folder at $SHARED: using a SEEDED VGG16 (random weights, so"
  echo "   accuracy is chance level) and the 500-image CIFAR-10 sample in demo/"
  "$BIN/vggq-import" --seed 1 -o "$OUT/vgg16_fp32.mlirbc"
fi

# logged LOG CMD...: runs CMD with its output in LOG; on failure shows the log and stops.
logged() {
  local log=$1; shift
  "$@" > "$log" 2>&1 || { cat "$log" >&2; echo "vggq demo: error: '$*' failed (log: $log)" >&2; exit 1; }
}
top1() { sed -n 's/^top-1: *\([0-9.]*\) %.*/\1/p' "$1"; }
field() { sed -n "/^$2: */{s///p;q}" "$1"; }

echo "-- FP32: evaluating"
"$BIN/vggq-run" "$OUT/vgg16_fp32.mlirbc" --data "$TEST" --limit "$LIMIT" > "$OUT/fp32.txt"
printf '| %-9s | %-10s | %8s | %9s | %14s | %12s | %10s | %-22s |\n' precision calibration "top-1 %" "agree %" "images/s (CPU)" "weights" "arena@4096" "kernels vs CPU" > "$OUT/table.md"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ----------- ------------ ---------- ----------- ---------------- -------------- ------------ ------------------------ >> "$OUT/table.md"
# kernels P: run the artifact's kernels on $KCHECK images, every layer
# checked against the CPU reference; prints the table cell.
kernels() {
  if [ "$RUNTIME" = 0 ]; then echo "NOT RUN: no CUDA toolkit"; return; fi
  if "$BIN/vggq-run" "$OUT/vgg16_$1.so" --device cuda --compare-to cpu --data "$TEST" \
       --limit "$KCHECK" --no-progress > "$OUT/kernels_$1.txt" 2>&1; then
    echo "PASS ($KCHECK img, $KWHERE)"
  else
    echo "FAIL ($KWHERE, see kernels_$1.txt)"
  fi
}

arena() { # static arena peak at batch 4096 from the compiled plan
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print("%.0f MiB" % (p["arena"]["bytes_per_image"]*4096/2**20))' "$1" 2>/dev/null || echo "-"
}
weights() {
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print("%.1f MB" % (p["weights"]["bytes"]/1e6))' "$1" 2>/dev/null || echo "-"
}

echo "-- FP32: compiling to PTX ($CHIP)"
if [ "$RUNTIME" = 1 ]; then
  logged "$OUT/compile_fp32.log" "$BIN/vggq-compile" "$OUT/vgg16_fp32.mlirbc" --precision fp32 --chip "$CHIP" -o "$OUT/vgg16_fp32.so"
  echo "-- FP32: running the kernels ($KWHERE), every layer against the CPU reference"
else
  "$BIN/vggq-compile" "$OUT/vgg16_fp32.mlirbc" --precision fp32 --chip "$CHIP" --emit all -o "$OUT/vgg16_fp32" > /dev/null
fi
# FP32's SIMT kernels take about a minute per image on the emulator: 1 image.
kcheck=$(KCHECK=$([ "$KWHERE" = emulator ] && echo 1 || echo "$KCHECK"); kernels fp32)
printf '| %-9s | %-10s | %8s | %9s | %14s | %12s | %10s | %-22s |\n' FP32 - "$(top1 "$OUT/fp32.txt")" 100.00 \
  "$(field "$OUT/fp32.txt" throughput | cut -d' ' -f1)" "$(weights "$OUT/vgg16_fp32.plan.json")" "$(arena "$OUT/vgg16_fp32.plan.json")" "$kcheck" >> "$OUT/table.md"

for p in fp8e4m3 fp8e5m2 int8; do
  echo "-- $p: calibrating ($METHOD, $SAMPLES training images), quantizing, fusing"
  "$BIN/vggq-opt" "$OUT/vgg16_fp32.mlirbc" \
    --vggq-quantize-pipeline="precision=$p method=$METHOD samples=$SAMPLES data=$CALIB table=$OUT/calib_$p.json" \
    --emit-bytecode -o "$OUT/vgg16_$p.mlirbc"
  echo "-- $p: evaluating against FP32"
  "$BIN/vggq-run" "$OUT/vgg16_$p.mlirbc" --data "$TEST" --limit "$LIMIT" \
    --compare-to "$OUT/vgg16_fp32.mlirbc" > "$OUT/$p.txt"
  echo "-- $p: compiling to PTX ($CHIP)"
  if [ "$RUNTIME" = 1 ]; then
    logged "$OUT/compile_$p.log" "$BIN/vggq-compile" "$OUT/vgg16_fp32.mlirbc" --precision "$p" --chip "$CHIP" \
      --calibration-table "$OUT/calib_$p.json" -o "$OUT/vgg16_$p.so"
    echo "-- $p: running the kernels ($KWHERE), every layer against the CPU reference"
  else
    "$BIN/vggq-compile" "$OUT/vgg16_fp32.mlirbc" --precision "$p" --chip "$CHIP" \
      --calibration-table "$OUT/calib_$p.json" --emit all -o "$OUT/vgg16_$p" > /dev/null
  fi
  kcheck=$(kernels "$p")
  agree=$(sed -n '/.*top-1 agreement[^0-9]*\([0-9.]*\) %.*/{s//\1/p;q}' "$OUT/$p.txt")
  printf '| %-9s | %-10s | %8s | %9s | %14s | %12s | %10s | %-22s |\n' "$p" "$METHOD" "$(top1 "$OUT/$p.txt")" "${agree:--}" \
    "$(field "$OUT/$p.txt" throughput | cut -d' ' -f1)" "$(weights "$OUT/vgg16_$p.plan.json")" "$(arena "$OUT/vgg16_$p.plan.json")" "$kcheck" >> "$OUT/table.md"
done

echo
echo "VGG16 / CIFAR-10 ($LIMIT test images, CPU reference executor; kernels compiled for $CHIP in $OUT/;"
echo "'kernels vs CPU': the compiled kernels run on the GPU or the PTX emulator, every layer checked):"
cat "$OUT/table.md"
