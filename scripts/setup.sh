#!/usr/bin/env bash
# Installs what vggq needs on Debian 12 (as root, or through sudo), checks that
# every piece the build uses is really there (naming the one that is not), and
# configures the build in ./build. Safe to run again: it skips apt when every
# package is present.
#
#   ./scripts/setup.sh            # install, check, configure build/
#   VGGQ_SETUP_CONFIGURE=0 ./scripts/setup.sh   # install and check only
set -euo pipefail
cd "$(dirname "$0")/.."

# Each package is listed for what the build takes from it. Debian's
# libonnx-dev does not depend on libprotobuf-dev although ONNXConfig.cmake
# names protobuf::libprotobuf, so both are listed.
PACKAGES=(
  build-essential cmake ninja-build ccache git python3
  llvm-22-dev libmlir-22-dev mlir-22-tools
  clang-22 libfuzzer-22-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libopenblas-dev libgtest-dev
  python3-numpy python3-onnx
  libonnx-testdata
  zlib1g-dev libzstd-dev
)

die() { echo "vggq setup: error: $*" >&2; exit 1; }
# No pipelines into grep -q under pipefail: grep exits at its match and the
# writer can die of SIGPIPE, which fails the pipeline at random.
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "vggq setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  command -v apt-get >/dev/null || die "apt-get not found: vggq's set-up needs Debian 12 (install ${missing[*]} by hand)"
  $SUDO apt-get update -qq || die "apt-get update failed (no network to the Debian mirror?)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/tmp/vggq-apt.log 2>&1 ||
    { tail -20 /tmp/vggq-apt.log >&2; die "apt-get install failed (full log: /tmp/vggq-apt.log)"; }
fi

# Check what the build reads, file by file: a package can be installed and
# still lack a piece (or a future Debian can split it), and CMake's messages
# would name a variable, not the package.
for p in "${PACKAGES[@]}"; do
  installed "$p" ||
    die "package '$p' is still not installed after apt-get"
done
need() { # need FILE PACKAGE WHAT
  [ -e "$1" ] || die "'$1' is missing ($3); it comes from the Debian package '$2'"
}
need /usr/lib/llvm-22/lib/cmake/mlir/MLIRConfig.cmake libmlir-22-dev "MLIR's CMake config"
need /usr/lib/llvm-22/lib/cmake/llvm/LLVMConfig.cmake llvm-22-dev "LLVM's CMake config"
need /usr/lib/llvm-22/bin/mlir-tblgen mlir-22-tools "mlir-tblgen"
need /usr/lib/llvm-22/bin/lit llvm-22-dev "lit"
need /usr/lib/llvm-22/bin/FileCheck llvm-22-dev "FileCheck"
need /usr/lib/llvm-22/bin/clang++ clang-22 "clang++ for the sanitizer and fuzz builds"
need /usr/include/onnx/onnx_pb.h libonnx-dev "the ONNX protobuf headers"
need /usr/lib/x86_64-linux-gnu/cmake/ONNX/ONNXConfig.cmake libonnx-dev "ONNX's CMake config"
need /usr/include/google/protobuf/message.h libprotobuf-dev "the protobuf headers ONNX's headers include"
ls /usr/lib/x86_64-linux-gnu/libprotobuf.so >/dev/null 2>&1 ||
  die "libprotobuf.so is missing (the library ONNX links); it comes from the Debian package 'libprotobuf-dev'"
need /usr/share/libonnx-testdata/data/node/test_relu/model.onnx libonnx-testdata "ONNX's node tests (test/ONNX runs them)"
need /usr/include/x86_64-linux-gnu/cblas.h libopenblas-dev "cblas.h for the reference executor"
need /usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake libgtest-dev "GoogleTest's CMake config"
ls /usr/lib/llvm-22/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
  die "libclang_rt.fuzzer-x86_64.a is missing (libFuzzer); it comes from the Debian package 'libfuzzer-22-dev'"
/usr/bin/python3 -c 'import numpy, onnx' 2>/dev/null || die "/usr/bin/python3 cannot import numpy and onnx (packages python3-numpy, python3-onnx); the tests run Debian's python3"

if [ -x /usr/local/cuda/bin/ptxas ]; then
  echo "vggq setup: CUDA toolkit found at /usr/local/cuda (ptxas checks and the runtime with its PTX emulator enabled)"
else
  echo "vggq setup: no CUDA toolkit at /usr/local/cuda: cubin output, ptxas checks and the runtime are skipped"
fi

[ "${VGGQ_SETUP_CONFIGURE:-1}" = 1 ] || exit 0
mkdir -p build
cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit >build/configure.log 2>&1 ||
  { cat build/configure.log >&2; die "CMake configure failed (above; build/configure.log)"; }
# What configure enabled or skipped, in its own words.
grep -E '^-- vggq:|vggq:.*SKIPPED' build/configure.log || true
