#!/usr/bin/env bash
# Installs what vggq needs on Debian 12 (as root, or through sudo) and
# configures the build in ./build. Safe to run again: it skips apt when every
# package is present.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache git python3
  llvm-22-dev libmlir-22-dev mlir-22-tools
  libonnx-dev libopenblas-dev libgtest-dev
  python3-numpy python3-onnx
  zlib1g-dev libzstd-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vggq setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -x /usr/local/cuda/bin/ptxas ]; then
  echo "vggq setup: CUDA toolkit found at /usr/local/cuda (ptxas checks enabled)"
else
  echo "vggq setup: no CUDA toolkit at /usr/local/cuda: cubin output and ptxas checks are skipped"
fi

cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >/dev/null
