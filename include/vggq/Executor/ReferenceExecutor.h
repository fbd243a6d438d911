//===- ReferenceExecutor.h - the CPU reference executor ---------*- C++ -*-===//
//
// Runs a vggq graph (FP32 and quantized ops) on the host, following the
// numerics contract of DESIGN.md exactly: quantize/dequantize bit-exact with
// the precision registry, INT8 accumulated exactly in int32, FP8 products in
// f32. Convolutions are im2col + OpenBLAS sgemm on NHWC data. It is used by
// vggq-run, by --vggq-calibrate and by the tests.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EXECUTOR_REFERENCEEXECUTOR_H
#define VGGQ_EXECUTOR_REFERENCEEXECUTOR_H

#include "vggq/Executor/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>

namespace vggq {
namespace exec {

/// Called after every op that produced a value, with the op and its result.
/// Ops carrying a `vggq.layer` string attribute are the named layers that
/// calibration and per-layer comparisons key on.
using Observer = std::function<void(mlir::Operation *op, const Tensor &result)>;

class ReferenceExecutor {
public:
  /// Prepares `entry` of `module`: checks every op is supported and decodes
  /// the constants (weights) once. Errors name the op and its location.
  static llvm::Expected<std::unique_ptr<ReferenceExecutor>>
  create(mlir::ModuleOp module, llvm::StringRef entry = "forward");
  ~ReferenceExecutor();

  /// Runs the entry function on `inputs` (one per function argument, with
  /// the batch filled in) and returns its results.
  llvm::Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                          const Observer &observer = nullptr);

  /// The largest sum of live intermediate tensor bytes seen in `run`.
  size_t peakActivationBytes() const;
  /// Bytes of the decoded constants (weights) held by the executor.
  size_t constantBytes() const;

private:
  struct Impl;
  explicit ReferenceExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace exec
} // namespace vggq

#endif // VGGQ_EXECUTOR_REFERENCEEXECUTOR_H
