//===- CudaForward.h - vggq-run --device cuda -------------------*- C++ -*-===//
//
// `vggq-run ARTIFACT.so --device cuda [options]` runs the CUDA runtime's
// vggq-run-cuda (built next to vggq-run when the CUDA toolkit is present)
// with the same arguments minus `--device cuda`.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H
#define VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H

#include <optional>

namespace vggq {
namespace run {

/// Without `--device cuda` (or `--device=cuda`) in argv: std::nullopt.
/// Otherwise replaces this process with vggq-run-cuda; returns the exit
/// status only when that is impossible (after a message naming the cause).
std::optional<int> forwardToCuda(int argc, char **argv);

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_CUDAFORWARD_H
