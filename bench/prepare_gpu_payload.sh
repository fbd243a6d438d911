#!/usr/bin/env bash
#===- bench/prepare_gpu_payload.sh - gather what the GPU check carries -----===#
#
#   bash bench/prepare_gpu_payload.sh [--accuracy PRECISION] [--ref-images N]
#
# Run HERE (the build machine, with the vggq build in build/): compiles VGG16
# for every precision with vggq-compile (plan, PTX, cubin), and for ONE
# precision (default fp8e4m3) also its weights, the CPU reference dump of the
# first N test images (vggq-run --dump-layers) and the CPU top-1; copies the
# test set; checks every plan and dump with vggq-run-cuda --info; and keeps
# the total under the device tool's 64 MiB (FP32 weights, 59 MB, never fit
# with the test set: FP32 is timed with generated weights). Everything goes
# to build-gpu-payload/ (ignored by git). Prints the device command.
#
# Overridable: VGGQ_BUILD (build), VGGQ_SHARED (../shared), VGGQ_MODEL (the
# ONNX model), VGGQ_COMPILE_FLAGS (extra vggq-compile flags, e.g. calibration).
#
#===----------------------------------------------------------------------===#
set -euo pipefail
accuracy=fp8e4m3 refimages=16
while [ $# -gt 0 ]; do
  case "$1" in
    --accuracy) accuracy="$2"; shift 2 ;;
    --ref-images) refimages="$2"; shift 2 ;;
    *) echo "usage: $0 [--accuracy PRECISION] [--ref-images N]" >&2; exit 2 ;;
  esac
done
[ -f runtime/CMakeLists.txt ] || { echo "prepare: run from the repository root" >&2; exit 2; }
build="${VGGQ_BUILD:-build}"
shared="${VGGQ_SHARED:-../shared}"
model="${VGGQ_MODEL:-$shared/models/vgg16_bn_cifar10.onnx}"
data="$shared/data/cifar-10-batches-bin/test_batch.bin"
flags=(${VGGQ_COMPILE_FLAGS:-})
pl=build-gpu-payload
rm -rf "$pl"
mkdir -p "$pl/data"

# The runtime, built here too, validates plans and dumps before the trip.
flock /tmp/vggq-build.lock sh -c 'cmake -S runtime -B build-rt -G Ninja >/dev/null && ninja -C build-rt >/dev/null'
check() { build-rt/bin/vggq-run-cuda "$@" --info; }

cp "$data" "$pl/data/test_batch.bin"
compile="$build/bin/vggq-compile"
run="$build/bin/vggq-run"
if [ ! -x "$compile" ]; then
  echo "prepare: $compile is not built yet: the payload holds only the test set"
  echo "         (gpu_check.sh then checks the runtime on its toy model and times PyTorch)"
else
  for p in fp32 fp8e4m3 fp8e5m2 int8; do
    d="$pl/$p"
    mkdir -p "$d"
    for piece in plan ptx cubin; do
      ext=$piece; [ $piece = plan ] && ext=plan.json
      "$compile" "$model" --precision "$p" --chip sm_90 "${flags[@]}" --emit "$piece" \
        -o "$d/model.$ext" || { [ $piece = cubin ] && echo "$p: no cubin (PTX JIT on the GPU)"; }
    done
    check "$d/model.plan.json"
    if [ "$p" = "$accuracy" ]; then
      tmp=$(mktemp -d)
      "$compile" "$model" --precision "$p" --chip sm_90 "${flags[@]}" -o "$tmp/model.so"
      mv "$tmp/model.weights" "$d/model.weights"
      rm -rf "$tmp"
      "$run" "$model" --precision "$p" "${flags[@]}" --data "$data" --limit "$refimages" \
        --dump-layers "$d/ref.bin"
      "$run" "$model" --precision "$p" "${flags[@]}" --data "$data" |
        sed -n 's/^top-1: \([0-9.]*\)%.*/\1/p' > "$d/cpu_top1.txt"
      [ -s "$d/cpu_top1.txt" ] || echo "prepare: vggq-run printed no 'top-1: X%' line"
      check "$d/model.plan.json" --compare-ref "$d/ref.bin" --data "$data" --limit "$refimages"
    fi
  done
fi

# Size: the repository (tracked + untracked, not ignored) plus the payload.
repo_kb=$(git ls-files -co --exclude-standard -z | du -ck --files0-from=- 2>/dev/null | tail -1 | cut -f1)
pl_kb=$(du -sk "$pl" | cut -f1)
total_mb=$(( (repo_kb + pl_kb) / 1024 ))
echo "prepare: payload $((pl_kb / 1024)) MiB + repository $((repo_kb / 1024)) MiB = $total_mb MiB (limit 64)"
if [ "$total_mb" -ge 63 ]; then
  echo "prepare: too large for one device call; use --ref-images fewer or drop a precision" >&2
  exit 1
fi
( cd "$pl" && find . -type f | sort | xargs ls -l ) > "$pl/manifest.txt"
cat <<MSG

Device command (the device tool's run, from the repository root):
  run(command="bash bench/gpu_check.sh", carry=["$pl"], timeout_s=540)
Then record \$OUT/gpu_check.md and time_per_batch.png in docs/RESULTS.md.
Dry run here first:  bash bench/gpu_check.sh --dry-run
MSG
