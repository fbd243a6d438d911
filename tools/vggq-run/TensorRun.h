//===- TensorRun.h - running a model on given tensors -----------*- C++ -*-===//
//
// vggq-run's --input mode: an ONNX model (imported with its graph inputs
// bound to the given tensors) or a vggq model is run once with the
// reference executor, and its results are compared in ONNX layout with
// expected tensors, as ONNX's backend tests do.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_TENSORRUN_H
#define VGGQ_TOOLS_VGGQ_RUN_TENSORRUN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace vggq {
namespace run {

struct TensorRunOptions {
  std::string modelPath;
  std::vector<std::string> inputs;
  std::vector<std::string> expected;
  /// np.testing.assert_allclose: |actual - expected| <= atol + rtol *
  /// |expected|.
  double rtol = 1e-3, atol = 1e-7;
};

/// Exit codes of the mode.
enum TensorRunResult : int {
  kRunMatch = 0,
  kRunError = 1,       ///< bad options, files, or an executor error
  kRunMismatch = 2,    ///< a wrong answer
  kRunUnsupported = 3, ///< the importer refused the model
};

/// Runs the mode; reports on `os` (results) and stderr (errors).
int runOnTensors(const TensorRunOptions &options, llvm::raw_ostream &os);

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_TENSORRUN_H
