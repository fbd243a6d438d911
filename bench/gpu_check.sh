#!/usr/bin/env bash
#===- bench/gpu_check.sh - the one command for the GPU machine -------------===#
#
#   bash bench/gpu_check.sh [--payload DIR] [--batches 1,64,512,4096] [--dry-run]
#                           [--emulate [--emu-images N]]
#
# Run from the repository root on the GPU machine, with the payload that
# bench/prepare_gpu_payload.sh gathered here (default build-gpu-payload/):
#  1. builds runtime/ (cmake + ninja; CUDA toolkit only, no LLVM/MLIR);
#  2. checks the runtime itself on the toy model (test/Runtime/Inputs), cubin
#     and PTX-JIT, against a NumPy reference;
#  3. links every carried precision (plan + PTX/cubin) with vggq-link, and
#     where weights were carried: per-layer comparison against the CPU
#     reference dump and top-1 on the test set against the CPU top-1; the
#     same for the ResNet-20 precisions carried in resnet20/ (FP32, FP8,
#     INT8, all with weights); the sm_90a (wgmma) INT8 and FP8-E4M3
#     artifacts, one-warpgroup, warp-specialized (-wgmma-ws) and with two
#     consumer warpgroups on a persistent grid (-wgmma-ws2p), are checked
#     against the sm_90 models' reference dumps and
#     top-1 (weights-from), with their own weights;
#  4. runs compute-sanitizer (memcheck, racecheck, synccheck) over one
#     forward of each precision at batch 1, where the toolkit has it
#     (sanitizer.md);
#  5. times batch sizes side by side in this one run: vggq FP32, FP8-E4M3,
#     FP8-E5M2, INT8 (random weights: speed does not depend on the values)
#     and PyTorch (true FP32, TF32, BF16 channels_last + cudnn.benchmark);
#     ResNet-20's precisions go to bench-resnet20.csv (no PyTorch baseline);
#  6. prints one table and writes gpu_check.md, bench.csv, the log and
#     time_per_batch.png to $OUT (or build-gpu-results/).
# --dry-run does everything up to the first GPU call (here: build, link,
# validate plans, data and reference dumps) and prints the GPU commands.
# --emulate runs every GPU command on the PTX emulator instead
# (runtime/emu, VGGQ_LIBCUDA): the same script end to end on a machine
# without a GPU, scaled down: N images (default 2) for the per-layer check
# and top-1, batch 1 timing without FP32, no PyTorch. Its times are the emulator's, not a
# GPU's.
# Exit status: 0 when every check passed.
#
#===----------------------------------------------------------------------===#
set -uo pipefail

payload=build-gpu-payload batches= dry=0 emu=0 emuimages=2
while [ $# -gt 0 ]; do
  case "$1" in
    --payload) payload="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    --emulate) emu=1; shift ;;
    --emu-images) emuimages="$2"; shift 2 ;;
    *) echo "usage: $0 [--payload DIR] [--batches LIST] [--dry-run] [--emulate [--emu-images N]]" >&2; exit 2 ;;
  esac
done
[ -n "$batches" ] || { [ "$emu" = 1 ] && batches=1 || batches=1,64,512,4096; }
[ -f runtime/CMakeLists.txt ] || { echo "gpu_check: run from the repository root" >&2; exit 2; }
out="${OUT:-build-gpu-results}"
mkdir -p "$out"
log="$out/gpu_check.log"
: > "$log"
exec > >(tee -a "$log") 2>&1
start=$(date +%s)
failures=0
say() { printf '\n== %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }
fail() { echo "gpu_check: FAIL: $*"; failures=$((failures + 1)); }
# run LIMIT CMD...: runs a GPU command (printed only with --dry-run).
gpu() {
  local limit="$1"; shift
  echo "+ $*"
  [ "$dry" = 1 ] && return 0
  timeout "$limit" "$@"
}
python="${PYTHON:-python3}"
"$python" -c 'import numpy' 2>/dev/null || python=/usr/bin/python3

say "machine"
if [ "$emu" = 1 ]; then
  echo "no GPU: every GPU command runs on the PTX emulator (runtime/emu)"
elif [ "$dry" = 0 ]; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || fail "nvidia-smi"
fi
nproc

say "build runtime/ (cmake + ninja)"
bt=build-rt-gpu
lock=()  # a dry run on the shared build machine waits for the build lock
[ "$dry" = 1 ] && [ -e /tmp/vggq-build.lock ] && command -v flock >/dev/null &&
  lock=(flock /tmp/vggq-build.lock)
{ "${lock[@]}" cmake -S runtime -B "$bt" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  "${lock[@]}" ninja -C "$bt" >/dev/null; } || { echo "gpu_check: the runtime build failed"; exit 1; }
rt="$bt/bin"
echo "built $rt/vggq-run-cuda, $rt/vggq-link, $bt/lib/libvggq_runtime.so"
# Emulation: the scaled-down options that the GPU commands below take.
refimages=() limit=() toybatches=1,4096 benchlimit=120
if [ "$emu" = 1 ]; then
  [ -f "$bt/lib/libvggq_cuda_emu.so" ] || { echo "gpu_check: $bt/lib/libvggq_cuda_emu.so was not built"; exit 1; }
  export VGGQ_LIBCUDA="$PWD/$bt/lib/libvggq_cuda_emu.so"
  refimages=(--ref-images "$emuimages") limit=(--limit "$emuimages") toybatches=1,4 benchlimit=600
  echo "emulator: $VGGQ_LIBCUDA ($emuimages images per check, batches $batches)"
fi
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
data="$payload/data/test_batch.bin"
[ -f "$data" ] || data=""
work="$out/work"
mkdir -p "$work"

say "runtime self-check on the toy model"
toy=test/Runtime/Inputs
cp "$toy/toy.ptx" "$work/toy.ptx"
toyso=(--plan "$toy/toy.plan.json" --ptx "$toy/toy.ptx")
if [ -x "$ptxas" ] && "$ptxas" -arch=sm_90 "$toy/toy.ptx" -o "$work/toy.cubin"; then
  toyso+=(--cubin "$work/toy.cubin")
fi
"$rt/vggq-link" "${toyso[@]}" -o "$work/toy.so" || fail "vggq-link toy"
if [ -n "$data" ]; then
  "$python" runtime/tools/vggq-dump.py toy --plan "$toy/toy.plan.json" --data "$data" \
    --images 64 --weights-out "$work/toy.weights" --ref-out "$work/toy.ref" || fail "toy reference"
  "$rt/vggq-run-cuda" "$work/toy.so" --info --weights "$work/toy.weights" \
    --compare-ref "$work/toy.ref" >/dev/null || fail "toy reference does not match its plan"
  gpu 60 "$rt/vggq-run-cuda" "$work/toy.so" --weights "$work/toy.weights" \
    --compare-ref "$work/toy.ref" --bench "$toybatches" --no-progress || fail "toy (cubin)"
  gpu 60 env VGGQ_FORCE_PTX=1 "$rt/vggq-run-cuda" "$work/toy.so" --weights "$work/toy.weights" \
    --compare-ref "$work/toy.ref" --no-progress || fail "toy (PTX JIT)"
else
  echo "no test set in $payload/data: toy check skipped"
fi

say "link the carried models"
# A carried model is its payload subfolder: "int8" (VGG16) or
# "resnet20/int8"; so_of names its linked artifact.
so_of() {
  case "$1" in
    */*) echo "$work/${1%%/*}_${1#*/}.so" ;;
    *) echo "$work/vgg16_$1.so" ;;
  esac
}
precisions=()
for p in fp32 fp8e4m3 fp8e5m2 int8 fp16 bf16 fp8e4m3-kunroll int8-wgmma fp8e4m3-wgmma \
         int8-wgmma-ws fp8e4m3-wgmma-ws int8-wgmma-ws2p fp8e4m3-wgmma-ws2p \
         resnet20/fp32 resnet20/fp8e4m3 resnet20/fp8e5m2 resnet20/int8; do
  d="$payload/$p"
  if [ ! -f "$d/model.plan.json" ]; then
    echo "$p: not carried ($d/model.plan.json missing)"
    continue
  fi
  args=(--plan "$d/model.plan.json")
  [ -f "$d/model.ptx" ] && args+=(--ptx "$d/model.ptx")
  [ -f "$d/model.cubin" ] && args+=(--cubin "$d/model.cubin")
  if "$rt/vggq-link" "${args[@]}" -o "$(so_of "$p")" >/dev/null &&
     "$rt/vggq-run-cuda" "$(so_of "$p")" --info; then
    precisions+=("$p")
  else
    fail "$p: link or plan check"
  fi
done

# The directory with p's reference dump and CPU top-1: its own, or the one
# named in weights-from (the sm_90a artifacts of the sm_90 models); and p's
# weights: its own, else that directory's.
ref_dir() {
  local d="$payload/$1"
  if [ -f "$d/weights-from" ]; then echo "$payload/$(cat "$d/weights-from")"; else echo "$d"; fi
}
weights_of() {
  if [ -f "$payload/$1/model.weights" ]; then echo "$payload/$1/model.weights"
  else echo "$(ref_dir "$1")/model.weights"; fi
}

say "correctness against the CPU reference"
for p in "${precisions[@]}"; do
  d=$(ref_dir "$p")
  wf=$(weights_of "$p")
  if [ ! -f "$wf" ]; then
    echo "$p: no weights carried: timing only"
    continue
  fi
  if [ -f "$d/ref.bin" ]; then
    "$rt/vggq-run-cuda" "$(so_of "$p")" --info --compare-ref "$d/ref.bin" >/dev/null ||
      fail "$p: reference dump does not match the plan"
    gpu 120 "$rt/vggq-run-cuda" "$(so_of "$p")" --weights "$wf" \
      --compare-ref "$d/ref.bin" "${refimages[@]}" --no-progress || fail "$p: per-layer comparison"
  fi
  if [ -n "$data" ]; then
    expect=()
    # The CPU top-1 was measured on the whole carried test set.
    [ -f "$d/cpu_top1.txt" ] && [ "$emu" = 0 ] &&
      expect=(--expect-top1 "$(cat "$d/cpu_top1.txt")" --top1-tol 0.1)
    gpu 120 "$rt/vggq-run-cuda" "$(so_of "$p")" --weights "$wf" \
      --data "$data" "${limit[@]}" --batch 500 --no-progress "${expect[@]}" || fail "$p: top-1"
  fi
done

say "compute-sanitizer: memcheck, racecheck, synccheck over one forward (batch 1)"
# One image through the whole forward graph of each precision, under each
# tool; any error the tool reports fails the check (--error-exitcode).
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
sanmd="$out/sanitizer.md"
printf '| precision | memcheck | racecheck | synccheck |\n| --- | --- | --- | --- |\n' > "$sanmd"
if [ "$emu" = 1 ]; then
  echo "emulation: compute-sanitizer needs a GPU (the emulator's own race and ordering checks ran above)"
  echo "| (emulated) | skipped | skipped | skipped |" >> "$sanmd"
elif [ ! -x "$sanitizer" ]; then
  echo "compute-sanitizer not found in this toolkit: skipped"
  echo "| - | not in the toolkit | not in the toolkit | not in the toolkit |" >> "$sanmd"
elif [ -z "$data" ]; then
  echo "no test set carried: compute-sanitizer skipped"
else
  for p in "${precisions[@]}"; do
    wf=$(weights_of "$p")
    w=()
    [ -f "$wf" ] && w=(--weights "$wf")
    row="| $p |"
    for tool in memcheck racecheck synccheck; do
      if gpu 150 "$sanitizer" --tool "$tool" --error-exitcode 99 --print-limit 10 \
           "$rt/vggq-run-cuda" "$(so_of "$p")" "${w[@]}" --data "$data" --limit 1 --batch 1 \
           --no-progress > "$work/sanitizer_${p//\//_}_$tool.log" 2>&1; then
        row+=" 0 errors |"
      else
        row+=" FAIL (sanitizer_${p//\//_}_$tool.log) |"
        fail "$p: compute-sanitizer --tool $tool"
        tail -15 "$work/sanitizer_${p//\//_}_$tool.log"
      fi
    done
    echo "$row" >> "$sanmd"
  done
fi
cat "$sanmd"

say "timing: vggq (random weights) and PyTorch, batch $batches"
csv="$out/bench.csv" rcsv="$out/bench-resnet20.csv"
: > "$csv"
: > "$rcsv"
for p in "${precisions[@]}"; do
  if [ "$emu" = 1 ] && [ "$p" = fp32 ]; then
    echo "emulation: fp32 timing skipped (its SIMT kernels take about a minute per image on the emulator)"
    continue
  fi
  c="$csv" label="vggq $p"
  case "$p" in resnet20/*) c="$rcsv" label="vggq resnet20 ${p#*/}" ;; esac
  gpu "$benchlimit" "$rt/vggq-run-cuda" "$(so_of "$p")" --bench "$batches" --bench-csv "$c" \
    --label "$label" --no-progress || fail "$p: timing"
done
tw=()
[ -f "$payload/models/vgg16_bn_cifar10.safetensors" ] &&
  tw=(--weights "$payload/models/vgg16_bn_cifar10.safetensors")
[ -n "$data" ] && tw+=(--data "$data")
if [ "$emu" = 1 ]; then
  echo "emulation: no PyTorch baseline"
else
  gpu 240 "$python" bench/torch_gpu_baseline.py bench "${tw[@]}" --batches "$batches" --csv "$csv" ||
    fail "PyTorch baseline"
fi

say "table"
if [ -s "$rcsv" ]; then
  echo "ResNet-20 (no PyTorch baseline; label,precision,batch,ms,images/s,planned bytes,device peak):"
  cat "$rcsv"
fi
if [ "$emu" = 1 ]; then
  echo "emulation: CSV only (the times are the emulator's):"; cat "$csv"
elif [ "$dry" = 0 ] && [ -s "$csv" ]; then
  "$python" bench/torch_gpu_baseline.py table "$csv" --md "$out/gpu_check.md" \
    --png "$out/time_per_batch.png" || fail "table"
  { echo; echo "compute-sanitizer, one forward at batch 1:"; cat "$sanmd"; } >> "$out/gpu_check.md"
fi
say "done: $failures failure(s); results in $out"
[ "$failures" = 0 ]
