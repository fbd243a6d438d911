//===- Model.h - loading a model for vggq-run -------------------*- C++ -*-===//
//
// Parses a model (text or bytecode), reads the image and logit shapes from
// its @forward, and prepares the reference executor.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_MODEL_H
#define VGGQ_TOOLS_VGGQ_RUN_MODEL_H

#include "vggq/Executor/ReferenceExecutor.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <memory>
#include <string>
#include <vector>

namespace vggq {
namespace run {

struct Model {
  std::string path;
  std::unique_ptr<llvm::SourceMgr> sourceMgr;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<exec::ReferenceExecutor> executor;
  /// The batch size fixed by the input type, or 0 when it is dynamic.
  int64_t staticBatch = 0;
  /// The NHWC image shape @forward takes and the logits it returns.
  int64_t height = 0, width = 0, channels = 0, classes = 0;
  /// Normalization from the module attributes (empty when absent).
  std::vector<float> mean, std;
};

/// Loads `path`, whose @forward must map one tensor<BxHxWxCxf32> to one
/// tensor<BxKxf32>; errors name the file and the problem (parse errors are
/// also reported through the context's diagnostics).
llvm::Expected<Model> loadModel(mlir::MLIRContext &ctx, llvm::StringRef path);

/// Checks that `model` takes images of `height` x `width` x `channels` and
/// returns `classes` logits, as a data set needs; the error names the data
/// set `dataName`.
llvm::Error checkDataShape(const Model &model, llvm::StringRef dataName,
                           int64_t height, int64_t width, int64_t channels,
                           int64_t classes);

/// Runs one batch of NHWC f32 images of the model's shape; returns the
/// [n, classes] logits. With `observer`, every op's result is observed.
llvm::Expected<exec::Tensor> runBatch(Model &model, const float *images,
                                      int64_t n,
                                      const exec::Observer &observer = nullptr);

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_MODEL_H
