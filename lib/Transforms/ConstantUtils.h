//===- ConstantUtils.h - reading and writing weight constants ---*- C++ -*-===//
//
// Weights are `arith.constant` with inline `dense<...>` (small tests) or
// `dense_resource<...>` blobs (whole models). These helpers read either as
// f32 and create new constants of the same kind, so that a model that came
// in as resources leaves as resources.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_TRANSFORMS_CONSTANTUTILS_H
#define VGGQ_LIB_TRANSFORMS_CONSTANTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace vggq {

/// The f32 elements of `v` if it is an `arith.constant` of f32 tensor type
/// (inline, splat or resource); nullopt otherwise.
std::optional<llvm::SmallVector<float>> getConstantF32(mlir::Value v);

/// True when `v` is defined by a constant holding a `dense_resource`.
bool isResourceConstant(mlir::Value v);

/// Creates `arith.constant` of `type` from raw little-endian element bytes:
/// a `dense_resource` (blob name hint `blobName`) when `asResource`, else an
/// inline dense attribute.
mlir::Value createConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::RankedTensorType type,
                           llvm::ArrayRef<char> raw, bool asResource,
                           llvm::StringRef blobName);

/// Same for f32 data.
mlir::Value createF32Constant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<float> data, bool asResource,
                              llvm::StringRef blobName);

/// Erases the constant defining `v` if nothing uses it any more.
void eraseIfDeadConstant(mlir::Value v);

} // namespace vggq

#endif // VGGQ_LIB_TRANSFORMS_CONSTANTUTILS_H
