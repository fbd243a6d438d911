//===- CudaForward.h - vggq-run --device cuda -------------------*- C++ -*-===//
//
// `vggq-run ARTIFACT.so --device cuda [options]` runs the CUDA runtime's
// vggq-run-cuda (built next to vggq-run when the CUDA toolkit is present)
// with the same arguments minus `--device cuda`.
//
// `vggq-run ARTIFACT.so --device cuda --compare-to cpu --data D [--limit N]
// [--reference FILE] [--compare-images K] [vggq-run-cuda options]` checks
// every GPU layer against the CPU: it runs the artifact's vggq-level model
// (ARTIFACT.vggq.mlirbc, written by `vggq-compile -o ARTIFACT.so`, or
// --reference) with the reference executor on the same images, writing the
// layer dump (--dump-layers) to a temporary file, then runs vggq-run-cuda
// with the other options plus `--compare-ref TMP` (and the artifact's
// weights unless --weights is given), and exits with its status. A plan
// PLAN.json with --kernels works the same way (reference and weights next to
// NAME.plan.json as NAME.vggq.mlirbc and NAME.weights).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H
#define VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace vggq {
namespace run {

/// Runs vggq-run's CPU path on a command line (parses its options).
using CpuRunner = llvm::function_ref<int(int argc, char **argv)>;

/// Without `--device cuda` (or `--device=cuda`) in argv: std::nullopt.
/// Without `--compare-to`: replaces this process with vggq-run-cuda; returns
/// the exit status only when that is impossible (after a message naming the
/// cause). With `--compare-to cpu`: runs the CPU reference through `runCpu`,
/// then vggq-run-cuda as a child, and returns its exit status.
std::optional<int> forwardToCuda(int argc, char **argv, CpuRunner runCpu);

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H
