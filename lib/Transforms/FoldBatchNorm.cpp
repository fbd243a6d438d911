//===- FoldBatchNorm.cpp - fold batch norm into conv ------------*- C++ -*-===//
//
// batch_norm(conv2d(x, w, b)) -> conv2d(x, w', b') with new constants.
//
//===----------------------------------------------------------------------===//
#include "ConstantUtils.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace vggq {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "vggq/Transforms/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

namespace {

/// Folds a batch norm into the conv that feeds only it. All parameters must
/// be constants; the folded conv keeps the batch norm's layer name.
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  FoldBatchNormIntoConv(MLIRContext *ctx, llvm::Statistic &numFolded)
      : OpRewritePattern(ctx), numFolded(numFolded) {}

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(bn, "input is not a conv2d");
    if (!conv->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the conv result has other users");
    auto w = getConstantF32(conv.getWeight());
    if (!w)
      return rewriter.notifyMatchFailure(bn, "conv weights are not constant");
    std::optional<SmallVector<float>> b;
    if (conv.getBias()) {
      b = getConstantF32(conv.getBias());
      if (!b)
        return rewriter.notifyMatchFailure(bn, "conv bias is not constant");
    }
    auto gamma = getConstantF32(bn.getScale());
    auto beta = getConstantF32(bn.getOffset());
    auto mean = getConstantF32(bn.getMean());
    auto var = getConstantF32(bn.getVariance());
    if (!gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "batch-norm parameters are not constant");

    auto wType = conv.getWeight().getType();
    int64_t channels = wType.getDimSize(0);
    if (static_cast<int64_t>(gamma->size()) != channels)
      return rewriter.notifyMatchFailure(bn, "channel count mismatch");
    int64_t perChannel = wType.getNumElements() / channels;
    double eps = bn.getEpsilon().convertToDouble();

    SmallVector<float> newW(w->size()), newB(channels);
    for (int64_t o = 0; o < channels; ++o) {
      double s = (*gamma)[o] / std::sqrt(static_cast<double>((*var)[o]) + eps);
      for (int64_t k = 0; k < perChannel; ++k)
        newW[o * perChannel + k] =
            static_cast<float>((*w)[o * perChannel + k] * s);
      double bias = b ? (*b)[o] : 0.0;
      newB[o] = static_cast<float>((bias - (*mean)[o]) * s + (*beta)[o]);
    }

    std::string name = "folded";
    if (auto layer = bn->getAttrOfType<StringAttr>("vggq.layer"))
      name = layer.str();
    bool resource = isResourceConstant(conv.getWeight());
    rewriter.setInsertionPoint(conv);
    Value wc = createF32Constant(rewriter, conv.getLoc(), wType, newW, resource,
                                 name + ".weight");
    auto bType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Value bc = createF32Constant(rewriter, conv.getLoc(), bType, newB, resource,
                                 name + ".bias");
    auto folded = Conv2DOp::create(
        rewriter, rewriter.getFusedLoc({conv.getLoc(), bn.getLoc()}),
        bn.getType(), conv.getInput(), wc, bc, conv.getStridesAttr(),
        conv.getPaddingAttr(), conv.getDilationAttr());
    // Discardable attributes of the conv, then the batch norm's (its layer
    // name wins: the folded op's result is the batch norm's result).
    for (NamedAttribute a : conv->getDiscardableAttrs())
      folded->setAttr(a.getName(), a.getValue());
    for (NamedAttribute a : bn->getDiscardableAttrs())
      folded->setAttr(a.getName(), a.getValue());
    // The old constants become trivially dead; the driver erases them.
    rewriter.replaceOp(bn, folded.getResult());
    rewriter.eraseOp(conv);
    ++numFolded;
    return success();
  }

  llvm::Statistic &numFolded;
};

struct FoldBatchNormPass : vggq::impl::FoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv>(&getContext(), numFolded);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
