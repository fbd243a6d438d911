//===- VGG16.h - the built-in CIFAR VGG16-BN description --------*- C++ -*-===//
//
// The conv stack 64,64,M,128,128,M,256x3,M,512x3,M,512x3,M (3x3 convs with
// padding 1, each followed by batch norm and ReLU; M = 2x2 max-pool) with
// PyTorch's `features.{i}` indices, and a classifier of Linear layers. The
// weights come from a callback, in PyTorch layouts (OIHW, [O, K]).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_VGG16_H
#define VGGQ_LIB_IMPORT_VGG16_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace vggq {
namespace import {

/// One Linear of the classifier: its PyTorch prefix ("classifier" or
/// "classifier.3") and sizes. Consecutive Linears get a ReLU between them,
/// named `reluName`.
struct LinearLayer {
  std::string prefix;
  int64_t inFeatures, outFeatures;
  std::string reluName;
};

/// The features of the last conv stage, the classifier's input size.
constexpr int64_t kVGGFeatures = 512;

/// Returns the tensor `name` with exactly `shape` (PyTorch layout), or an
/// error naming it.
using TensorSource = llvm::function_ref<llvm::Expected<std::vector<float>>(
    llvm::StringRef name, llvm::ArrayRef<int64_t> shape)>;

/// Builds @forward for 32x32x3 inputs with batch norm kept as
/// vggq.batch_norm. `source` names the origin of the weights in errors.
/// Calls `tensor` once for every weight the description uses.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildVGG16(mlir::MLIRContext &ctx, llvm::ArrayRef<LinearLayer> classifier,
           TensorSource tensor, llvm::StringRef source);

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_VGG16_H
