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

/// Common state of the fusion patterns: the explain flag and the fusion
/// counter.
template <typename OpTy> struct FusionPattern : mlir::OpRewritePattern<OpTy> {
  FusionPattern(mlir::MLIRContext *ctx, const FuseOptions &opts)
      : mlir::OpRewritePattern<OpTy>(ctx), opts(opts) {}

  void explain(mlir::Operation *op, const llvm::Twine &msg) const {
    explain(op->getLoc(), msg);
  }
  void explain(mlir::Location loc, const llvm::Twine &msg) const {
    ++*opts.numFusions;
    ++*opts.fusionCount;
    if (opts.explain)
      mlir::emitRemark(loc, msg);
  }
  const FuseOptions &opts;
};

/// Why the conv2d / linear `op` cannot become qconv2d / qlinear of its
/// dequantized operands, or nullopt when it can (FuseDequantizedPatterns.cpp).
std::optional<std::string> dequantizedLayerFusionFailure(mlir::Operation *op);
/// Whether the conv2d / linear `op` reads a dequantized input or weight.
bool hasDequantizedOperand(mlir::Operation *op);

/// The fused op's result is `from`'s: it takes `from`'s layer name.
void takeLayerName(mlir::Operation *to, mlir::Operation *from);

/// The chain rules (FuseQDQPatterns.cpp), the residual rules included.
void populateFuseQDQPatterns(mlir::RewritePatternSet &patterns,
                             const FuseOptions &opts);
/// conv2d / linear of dequantized operands -> qconv2d / qlinear, the form of
/// imported QDQ models (FuseDequantizedPatterns.cpp).
void populateFuseDequantizedPatterns(mlir::RewritePatternSet &patterns,
                                     const FuseOptions &opts);
/// The residual-network rules alone (FuseResidualPatterns.cpp).
void populateFuseResidualPatterns(mlir::RewritePatternSet &patterns,
                                  const FuseOptions &opts);

} // namespace vggq

#endif // VGGQ_LIB_TRANSFORMS_FUSEQDQ_H
