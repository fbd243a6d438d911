//===- FuseResidualPatterns.cpp - residual fusion patterns ------*- C++ -*-===//
//
// The exact rewrites of --vggq-fuse-qdq for residual networks: equal
// quantizes of one value merged (a block input read by a conv and by the
// shortcut), an add between dequantizes and a quantize turned into a qadd,
// its relu folded in, the qadd fused into the epilogue of the conv that
// produces one operand, and an average pool between a dequantize and a
// quantize run on storage. Each fusion made is explained with a remark when
// asked; the same failure functions explain what does not fuse.
//
//===----------------------------------------------------------------------===//
#include "FuseQDQ.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace vggq;

std::optional<std::string> vggq::residualFusionFailure(QAddOp add,
                                                       unsigned operand) {
  Value v = add->getOperand(operand);
  Value other = add->getOperand(1 - operand);
  float scale =
      (operand == 0 ? add.getLhsScale() : add.getRhsScale()).convertToFloat();
  auto conv = v.getDefiningOp<QConv2DOp>();
  if (!conv) {
    Operation *def = v.getDefiningOp();
    return def ? "produced by " + describeOp(def) + ", not a qconv2d"
               : std::string("a graph input, not a qconv2d result");
  }
  if (conv.hasResidual())
    return describeOp(conv) + " already adds a residual";
  if (!conv->hasOneUse())
    return describeOp(conv) + " has " +
           std::to_string(std::distance(conv->use_begin(), conv->use_end())) +
           " users (its result is needed before the add)";
  if (conv.getType() != add.getType())
    return describeOp(conv) + " produces " + typeString(conv.getType()) +
           ", the qadd " + typeString(add.getType());
  if (other.getType() != add.getType())
    return "the residual is " + typeString(other.getType()) + ", the result " +
           typeString(add.getType());
  std::optional<float> os =
      cast<QComputeOpInterface>(conv.getOperation()).getOutputScaleValue();
  if (!os || *os != scale)
    return "scale mismatch: " + describeOp(conv) + " output_scale " +
           (os ? scaleString(*os) : std::string("none")) +
           " vs the qadd operand scale " + scaleString(scale);
  return std::nullopt;
}

std::optional<std::string> vggq::avgPoolFusionFailure(QuantizeOp q) {
  auto pool = q.getInput().getDefiningOp<AvgPool2DOp>();
  if (!pool)
    return "not an avg_pool2d result";
  if (q.getAxis())
    return std::string("per-channel scales cannot become the pool's "
                       "per-tensor output_scale");
  if (q.hasZeroPoint())
    return std::string("the quantize has a zero point; the quantized pool is "
                       "symmetric");
  if (!pool->hasOneUse())
    return describeOp(pool) + " has multiple users";
  auto dq = pool.getInput().getDefiningOp<DequantizeOp>();
  if (!dq)
    return "the input of " + describeOp(pool) + " is f32, not dequantized";
  if (dq.getAxis())
    return "the input of " + describeOp(pool) + " is dequantized per channel";
  if (dq.hasZeroPoint())
    return "the input of " + describeOp(pool) +
           " is dequantized with a zero point; the quantized pool is symmetric";
  Type in = dq.getInput().getType().getElementType();
  Type out = q.getType().getElementType();
  if (in != out)
    return "storage differs: " + typeString(in) + " input, " + typeString(out) +
           " result";
  return std::nullopt;
}

namespace {

/// relu(qadd(a, b)) -> qadd(a, b) with `relu`: quantization maps 0 to 0 and
/// is monotone, so relu after it is relu before it.
struct FuseReluIntoQAdd : FusionPattern<ReluOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto add = relu.getInput().getDefiningOp<QAddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(relu, "producer is not a qadd");
    if (!add->hasOneUse())
      return rewriter.notifyMatchFailure(relu, "qadd has multiple users");
    rewriter.modifyOpInPlace(add, [&] {
      add.setRelu(true);
      takeLayerName(add, relu);
    });
    explain(add, "fused relu into " + describeOp(add));
    rewriter.replaceOp(relu, add.getResult());
    return success();
  }
};

/// Two quantizes of one value with the same scales, axis and storage compute
/// the same codes: the later one is replaced by the earlier. A tensor read by
/// a conv and by a shortcut is then quantized once, and its f32 copy dies
/// with the producer's epilogue.
struct MergeEqualQuantizes : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    for (Operation *user : q.getInput().getUsers()) {
      auto other = dyn_cast<QuantizeOp>(user);
      if (!other || other == q || other->getBlock() != q->getBlock() ||
          !other->isBeforeInBlock(q) || other.getScales() != q.getScales() ||
          other.getAxis() != q.getAxis() ||
          other.getZeroPoint() != q.getZeroPoint() ||
          other.getType() != q.getType())
        continue;
      explain(other, "merged two equal quantizes (scale " +
                         scaleString(q.getScales()[0]) + ", " +
                         typeString(q.getType().getElementType()) +
                         ") of one value: it is quantized once");
      rewriter.replaceOp(q, other.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(q,
                                       "no equal quantize of the same value");
  }
};

/// quantize(add(dequantize(a, sa), dequantize(b, sb)), so) -> qadd(a, b, sa,
/// sb, so): the qadd means exactly this (two f32 products, one f32 sum, one
/// rounding at so). The add must have no other user, or its f32 result would
/// still be needed.
struct FormQAdd : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    auto add = q.getInput().getDefiningOp<AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(q, "input is not an add");
    if (q.getAxis())
      return rewriter.notifyMatchFailure(q, "per-channel output scales");
    if (q.hasZeroPoint())
      return rewriter.notifyMatchFailure(q, "affine output (zero point)");
    if (!add->hasOneUse())
      return rewriter.notifyMatchFailure(q, "add has multiple users");
    auto lhs = add.getLhs().getDefiningOp<DequantizeOp>();
    auto rhs = add.getRhs().getDefiningOp<DequantizeOp>();
    if (!lhs || !rhs || lhs.getAxis() || rhs.getAxis() ||
        lhs.hasZeroPoint() || rhs.hasZeroPoint())
      return rewriter.notifyMatchFailure(
          q, "operands are not symmetric per-tensor dequantizes");
    float sa = lhs.getScales()[0], sb = rhs.getScales()[0],
          so = q.getScales()[0];
    rewriter.setInsertionPoint(q);
    auto qadd = QAddOp::create(
        rewriter, add.getLoc(), q.getType(), lhs.getInput(), rhs.getInput(),
        rewriter.getF32FloatAttr(sa), rewriter.getF32FloatAttr(sb),
        rewriter.getF32FloatAttr(so));
    takeLayerName(qadd, add);
    explain(qadd, "formed " + describeOp(qadd) + " from " + describeOp(add) +
                      " between dequantizes (" + scaleString(sa) + ", " +
                      scaleString(sb) + ") and a quantize (" + scaleString(so) +
                      "): the sum runs on " +
                      typeString(q.getType().getElementType()) + " storage");
    rewriter.replaceOp(q, qadd.getResult());
    rewriter.eraseOp(add);
    if (lhs->use_empty())
      rewriter.eraseOp(lhs);
    if (rhs != lhs && rhs->use_empty())
      rewriter.eraseOp(rhs);
    return success();
  }
};

/// qadd(qconv2d(x), r) -> qconv2d(x) with residual r, residual_scale = r's
/// scale, sum_scale = the qadd's output_scale and sum_relu = its relu: the
/// residual epilogue is defined as exactly this qadd of the conv's quantized
/// result (either operand order: f32 addition commutes). The conv's result
/// must have no other user, no residual yet, its output_scale must be the
/// qadd's scale for it, and result, residual and qadd share one storage type.
struct FuseQAddIntoConv : FusionPattern<QAddOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QAddOp add,
                                PatternRewriter &rewriter) const override {
    for (unsigned i : {0u, 1u}) {
      if (residualFusionFailure(add, i))
        continue;
      auto conv = add->getOperand(i).getDefiningOp<QConv2DOp>();
      Value residual = add->getOperand(1 - i);
      FloatAttr residualScale =
          i == 0 ? add.getRhsScaleAttr() : add.getLhsScaleAttr();
      rewriter.setInsertionPoint(add);
      auto fused = QConv2DOp::create(
          rewriter, conv.getLoc(), add.getType(), conv.getInput(),
          conv.getWeight(), conv.getBias(), residual, conv.getInputScaleAttr(),
          conv.getWeightScalesAttr(), conv.getOutputScaleAttr(),
          conv.getReluAttr(), residualScale, add.getOutputScaleAttr(),
          add.getReluAttr(), conv.getStridesAttr(), conv.getPaddingAttr(),
          conv.getDilationAttr());
      fused->setDiscardableAttrs(conv->getDiscardableAttrDictionary());
      takeLayerName(fused, add);
      explain(fused,
              "fused " + describeOp(add) + " into the epilogue of " +
                  describeOp(conv) +
                  ": it reads the shortcut as a residual (scale " +
                  scaleString(residualScale.getValue().convertToFloat()) +
                  "), the sum is quantized at " +
                  scaleString(add.getOutputScale().convertToFloat()));
      rewriter.replaceOp(add, fused.getResult());
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no operand is a fusable qconv2d");
  }
};

/// quantize(avg_pool2d(dequantize(x, s_in)), s_out) -> avg_pool2d on x with
/// input_scale s_in and output_scale s_out: the quantized pool is defined as
/// exactly this (each cell dequantized before the f32 sum). A flatten in
/// between is no obstacle: the quantize moves above it first.
struct QuantizeAvgPool : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    if (avgPoolFusionFailure(q))
      return rewriter.notifyMatchFailure(q, "not a fusable avg_pool2d");
    auto pool = q.getInput().getDefiningOp<AvgPool2DOp>();
    auto dq = pool.getInput().getDefiningOp<DequantizeOp>();
    float sIn = dq.getScales()[0], sOut = q.getScales()[0];
    rewriter.setInsertionPoint(q);
    auto qpool = AvgPool2DOp::create(
        rewriter, pool.getLoc(), q.getType(), dq.getInput(),
        pool.getKernelAttr(), pool.getStridesAttr(), pool.getPaddingAttr(),
        pool.getCountIncludePadAttr(), rewriter.getF32FloatAttr(sIn),
        rewriter.getF32FloatAttr(sOut));
    qpool->setDiscardableAttrs(pool->getDiscardableAttrDictionary());
    explain(qpool, describeOp(pool) + " runs on " +
                       typeString(q.getType().getElementType()) +
                       " storage (input_scale " + scaleString(sIn) +
                       ", output_scale " + scaleString(sOut) + ")");
    rewriter.replaceOp(q, qpool.getResult());
    rewriter.eraseOp(pool);
    if (dq->use_empty())
      rewriter.eraseOp(dq);
    return success();
  }
};
} // namespace

void vggq::populateFuseResidualPatterns(RewritePatternSet &patterns,
                                        const FuseOptions &opts) {
  patterns.add<FuseReluIntoQAdd, MergeEqualQuantizes, FormQAdd,
               FuseQAddIntoConv, QuantizeAvgPool>(patterns.getContext(), opts);
}
