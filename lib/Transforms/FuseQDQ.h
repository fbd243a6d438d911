//===- FuseQDQ.h - internals of --vggq-fuse-qdq -----------------*- C++ -*-===//
//
// Shared between the fusion patterns and the pass driver that explains what
// survives.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_TRANSFORMS_FUSEQDQ_H
#define VGGQ_LIB_TRANSFORMS_FUSEQDQ_H

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/Statistic.h"

#include <optional>
#include <string>

namespace vggq {

struct FuseOptions {
  bool explain = false;
  llvm::Statistic *numFusions = nullptr;
  unsigned *fusionCount = nullptr;
};

/// "'features.0' (vggq.qconv2d)", or "'vggq.add'" for an unnamed op.
std::string describeOp(mlir::Operation *op);
std::string typeString(mlir::Type type);
/// A scale as "%g" prints it.
std::string scaleString(float scale);
/// Why operand `operand` of `add` cannot take the qadd into its producer's
/// epilogue as a residual sum, or nullopt when it can.
std::optional<std::string> residualFusionFailure(QAddOp add, unsigned operand);
/// Why `q` of an avg_pool2d result cannot become a pool on storage, or
/// nullopt when it can.
std::optional<std::string> avgPoolFusionFailure(QuantizeOp q);

void populateFuseQDQPatterns(mlir::RewritePatternSet &patterns,
                             const FuseOptions &opts);

} // namespace vggq

#endif // VGGQ_LIB_TRANSFORMS_FUSEQDQ_H
