#!/usr/bin/env bash
#===- bench/prepare_gpu_payload.sh - gather what the GPU check carries -----===#
#
#   bash bench/prepare_gpu_payload.sh [--accuracy P1,P2] [--ref-images N]
#                                     [--test-images N] [--models vgg16,resnet20]
#
# Run HERE (the build machine, with the vggq build in build/, runtime
# included). For every precision: the shared ONNX model is imported once;
# quantized precisions are calibrated once (vggq-opt --vggq-quantize-pipeline
# on the shared training batch) into one quantized model that BOTH sides use,
# so the CPU reference and the GPU artifact have identical scales; then
# `vggq-compile -o model.so` writes plan, weights, PTX, cubin and links the
# artifact (a link check; the GPU machine re-links against its own runtime
# build). For the --accuracy precisions (default fp8e4m3,int8) the payload
# also keeps the weights, the CPU reference dump of the first N test images
# (`vggq-run --dump-layers`) and the CPU top-1 on the carried test images.
# FP32 (59 MB of weights) and E5M2 are timed with generated weights. Every
# plan and dump is validated with `vggq-run-cuda --info`. The total (payload
# + repository) must stay under the device tool's 64 MiB. Everything goes to
# build-gpu-payload/ (ignored by git); prints the device command.
# The shared ResNet-20 (0.27 M parameters: its weights are small) goes to
# build-gpu-payload/resnet20/ at FP32, FP8-E4M3, FP8-E5M2 and INT8, each with
# its weights, reference dump and CPU top-1. --models picks the models
# (default vgg16: with the six sm_90a variants VGG16 alone is ~48 MiB at 16
# reference images, and ResNet-20's FP32 dump is 0.8 MB per image, so
# `--models resnet20` is a payload, and a device call, of its own).
#
# Overridable: VGGQ_BUILD (build), VGGQ_SHARED (../shared), VGGQ_MODEL (the
# ONNX model), VGGQ_QUANT (pipeline options, default "method=entropy
# samples=256"), VGGQ_RESNET (the ResNet ONNX model).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
accuracy=fp8e4m3,int8 refimages=16 testimages=2000 models=vgg16
while [ $# -gt 0 ]; do
  case "$1" in
    --accuracy) accuracy="$2"; shift 2 ;;
    --ref-images) refimages="$2"; shift 2 ;;
    --test-images) testimages="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    *) echo "usage: $0 [--accuracy P1,P2] [--ref-images N] [--test-images N] [--models vgg16,resnet20]" >&2; exit 2 ;;
  esac
done
vgg=0 resnet=0
for m in ${models//,/ }; do
  case "$m" in
    vgg16) vgg=1 ;;
    resnet20) resnet=1 ;;
    *) echo "prepare: unknown model '$m' in --models (expected vgg16, resnet20)" >&2; exit 2 ;;
  esac
done
[ -f runtime/CMakeLists.txt ] || { echo "prepare: run from the repository root" >&2; exit 2; }
build="${VGGQ_BUILD:-build}"
shared="${VGGQ_SHARED:-../shared}"
model="${VGGQ_MODEL:-$shared/models/vgg16_bn_cifar10.onnx}"
resnet_model="${VGGQ_RESNET:-$shared/models/resnet20_cifar10.onnx}"
test_set="$shared/data/cifar-10-batches-bin/test_batch.bin"
train="$shared/data/cifar-10-batches-bin/data_batch_1.bin"
quant="${VGGQ_QUANT:-method=entropy samples=256}"
bin="$build/bin"
for t in vggq-import vggq-opt vggq-compile vggq-run vggq-run-cuda vggq-link; do
  [ -x "$bin/$t" ] || { echo "prepare: $bin/$t is not built (the runtime needs the CUDA toolkit)" >&2; exit 1; }
done
pl=build-gpu-payload
rm -rf "$pl"
mkdir -p "$pl/data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { printf '== %s (%ds)\n' "$*" "$SECONDS"; }

# The first N test images (CIFAR-10 records are 3073 bytes).
data="$pl/data/test_batch.bin"
head -c $((3073 * testimages)) "$test_set" > "$data"
say "test set: $testimages images"
[ "$vgg" = 1 ] && "$bin/vggq-import" "$model" -o "$work/fp32.mlirbc"

vgg_precisions=(fp32 fp8e4m3 fp8e5m2 int8 fp16 bf16)
[ "$vgg" = 1 ] || vgg_precisions=()
for p in "${vgg_precisions[@]}"; do
  d="$pl/$p"
  mkdir -p "$d"
  src="$work/fp32.mlirbc"
  if [ "$p" != fp32 ]; then
    say "$p: calibrate ($quant) on $(basename "$train")"
    src="$work/$p.mlirbc"
    "$bin/vggq-opt" "$work/fp32.mlirbc" \
      --vggq-quantize-pipeline="precision=$p $quant data=$train table=$d/calibration.json" \
      --emit-bytecode -o "$src" 2> >(grep -v '^vggq-calibrate' >&2)
  fi
  say "$p: vggq-compile -o model.so"
  "$bin/vggq-compile" "$src" --precision "$p" --chip sm_90 --model-name "vgg16_bn_cifar10" \
    -o "$d/model.so" 2> >(grep -v 'remark: vggq-plan-memory' >&2)
  "$bin/vggq-run-cuda" "$d/model.so" --info
  rm -f "$d/model.so" "$d/model.vggq.mlirbc"  # the GPU machine gets ref.bin instead
  if [[ ",$accuracy," != *",$p,"* ]]; then
    rm -f "$d/model.weights"
    continue
  fi
  say "$p: CPU reference dump of $refimages images, CPU top-1 on $testimages"
  "$bin/vggq-run" "$src" --data "$data" --limit "$refimages" --dump-layers "$d/ref.bin" \
    2>/dev/null | grep '^layers:'
  "$bin/vggq-run" "$src" --data "$data" 2>/dev/null | tee "$d/cpu_run.txt" | grep '^top-1:'
  sed -n 's/^top-1: *\([0-9.]*\) %.*/\1/p' "$d/cpu_run.txt" > "$d/cpu_top1.txt"
  [ -s "$d/cpu_top1.txt" ] || { echo "prepare: vggq-run printed no 'top-1: X %' line" >&2; exit 1; }
  "$bin/vggq-run-cuda" "$d/model.plan.json" --info --weights "$d/model.weights" \
    --compare-ref "$d/ref.bin" --data "$data"
done

# Timing only: FP8-E4M3 with the K loop unrolled (vggq-compile --k-unroll=on;
# fewer instructions, ~197 instead of ~170 registers), so that the GPU run
# decides the default. Plan, PTX and cubin only (random weights for timing).
if [ "$vgg" = 1 ]; then
  d="$pl/fp8e4m3-kunroll"
  mkdir -p "$d"
  say "fp8e4m3-kunroll: vggq-compile --k-unroll=on -o model.so (timing only)"
  "$bin/vggq-compile" "$work/fp8e4m3.mlirbc" --precision fp8e4m3 --k-unroll=on --chip sm_90 \
    --model-name "vgg16_bn_cifar10" -o "$d/model.so" 2> >(grep -v 'remark: vggq-plan-memory' >&2)
  rm -f "$d/model.so" "$d/model.vggq.mlirbc" "$d/model.weights"
fi

# sm_90a (wgmma kernels) for INT8 and FP8-E4M3, from the same quantized
# models: plan, PTX and cubin; the weights are the sm_90 artifact's (the
# wgmma kernels read the same [N][K] rows through tensor maps, which the
# runtime encodes at load time), so they are carried once unless they differ;
# weights-from names the directory whose reference dump and CPU top-1
# gpu_check.sh uses (the same model, so the same reference). The -wgmma-ws
# ones are the same with --warp-specialize on (a producer warpgroup), the
# -wgmma-ws2p ones with two consumer warpgroups, a persistent grid and 4
# stages, timed beside them.
if [ "$vgg" = 1 ]; then
  for v in int8 fp8e4m3 int8-ws fp8e4m3-ws int8-ws2p fp8e4m3-ws2p; do
    p=${v%-*} suffix=${v#"$p"} ws=()
    case "$suffix" in
      -ws) ws=(--warp-specialize on) ;;
      -ws2p) ws=(--warp-specialize on --consumers 2 --persistent --stages 4) ;;
    esac
    d="$pl/$p-wgmma$suffix"
    mkdir -p "$d"
    say "$p-wgmma$suffix: vggq-compile --chip sm_90a ${ws[*]} -o model.so"
    "$bin/vggq-compile" "$work/$p.mlirbc" --precision "$p" --chip sm_90a "${ws[@]}" \
      --model-name "vgg16_bn_cifar10" -o "$d/model.so" 2> >(grep -v 'remark: vggq-plan-memory' >&2)
    rm -f "$d/model.so" "$d/model.vggq.mlirbc"
    if [ -f "$pl/$p/model.weights" ]; then
      echo "$p" > "$d/weights-from"
      # Packed like the sm_90 ones: carried once.
      cmp -s "$d/model.weights" "$pl/$p/model.weights" && rm -f "$d/model.weights"
    else
      rm -f "$d/model.weights"
    fi
  done
fi

# ResNet-20: every precision with weights, reference dump and CPU top-1
# (trained with ImageNet's normalization).
if [ "$resnet" = 1 ]; then
  "$bin/vggq-import" "$resnet_model" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 \
    -o "$work/rn20.fp32.mlirbc"
  for p in fp32 fp8e4m3 fp8e5m2 int8; do
    d="$pl/resnet20/$p"
    mkdir -p "$d"
    src="$work/rn20.fp32.mlirbc"
    if [ "$p" != fp32 ]; then
      say "resnet20 $p: calibrate ($quant) on $(basename "$train")"
      src="$work/rn20.$p.mlirbc"
      "$bin/vggq-opt" "$work/rn20.fp32.mlirbc" \
        --vggq-quantize-pipeline="precision=$p $quant data=$train table=$d/calibration.json" \
        --emit-bytecode -o "$src" 2> >(grep -v '^vggq-calibrate' >&2)
    fi
    say "resnet20 $p: vggq-compile -o model.so, CPU reference dump and top-1"
    "$bin/vggq-compile" "$src" --precision "$p" --chip sm_90 --model-name "resnet20_cifar10" \
      -o "$d/model.so" 2> >(grep -v 'remark: vggq-plan-memory' >&2)
    rm -f "$d/model.so" "$d/model.vggq.mlirbc"
    "$bin/vggq-run" "$src" --data "$data" --limit "$refimages" --dump-layers "$d/ref.bin" \
      2>/dev/null | grep '^layers:'
    "$bin/vggq-run" "$src" --data "$data" 2>/dev/null | tee "$d/cpu_run.txt" | grep '^top-1:'
    sed -n 's/^top-1: *\([0-9.]*\) %.*/\1/p' "$d/cpu_run.txt" > "$d/cpu_top1.txt"
    [ -s "$d/cpu_top1.txt" ] || { echo "prepare: vggq-run printed no 'top-1: X %' line" >&2; exit 1; }
    "$bin/vggq-run-cuda" "$d/model.plan.json" --info --weights "$d/model.weights" \
      --compare-ref "$d/ref.bin" --data "$data"
  done
fi

# Size: the repository (tracked + untracked, not ignored) plus the payload.
repo_kb=$(git ls-files -co --exclude-standard -z | du -ck --files0-from=- 2>/dev/null | tail -1 | cut -f1)
pl_kb=$(du -sk "$pl" | cut -f1)
total_mb=$(( (repo_kb + pl_kb) / 1024 ))
( cd "$pl" && find . -type f | sort | xargs ls -l ) > "$pl/manifest.txt"
cat "$pl/manifest.txt"
echo "prepare: payload $((pl_kb / 1024)) MiB + repository $((repo_kb / 1024)) MiB = $total_mb MiB (limit 64)"
if [ "$total_mb" -ge 63 ]; then
  echo "prepare: too large for one device call; use fewer --ref-images/--test-images or --accuracy" >&2
  exit 1
fi
cat <<MSG

Device command (the device tool's run, from the repository root):
  run(command="bash bench/gpu_check.sh", carry=["$pl"], timeout_s=540)
Then record \$OUT/gpu_check.md and time_per_batch.png in docs/RESULTS.md.
Dry run here first:  bash bench/gpu_check.sh --dry-run
MSG
