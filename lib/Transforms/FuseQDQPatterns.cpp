//===- FuseQDQPatterns.cpp - q/dq fusion of layer chains --------*- C++ -*-===//
//
// The exact rewrites of --vggq-fuse-qdq (modelled on torch-mlir's
// FuseQuantizedOps) for chains of layers: relu into the quantized epilogue,
// quantize above ops that commute with it, quantize into the producer's
// output_scale, and dequantize->quantize pairs removed or turned into
// requantize. The residual-network rules are in FuseResidualPatterns.cpp.
// Each fusion made is explained with a remark when asked.
//
//===----------------------------------------------------------------------===//
#include "FuseQDQ.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/IR/PatternMatch.h"

#include <cstdio>

using namespace mlir;
using namespace vggq;

std::string vggq::describeOp(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("vggq.layer"))
    return "'" + name.str() + "' (" + op->getName().getStringRef().str() + ")";
  return "'" + op->getName().getStringRef().str() + "'";
}

std::string vggq::typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

std::string vggq::scaleString(float scale) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(scale));
  return buf;
}

void vggq::takeLayerName(Operation *to, Operation *from) {
  if (Attribute name = from->getAttr("vggq.layer"))
    to->setAttr("vggq.layer", name);
}

namespace {

/// relu(qcompute(x)) -> qcompute(x) with the `relu` epilogue flag (or
/// `sum_relu` when the epilogue ends with a residual sum). Exact on an f32
/// result, and on a quantized one (symmetric storage, zero point 0).
struct FuseReluIntoEpilogue : FusionPattern<ReluOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto producer = relu.getInput().getDefiningOp<QComputeOpInterface>();
    if (!producer)
      return rewriter.notifyMatchFailure(relu, "producer is not qconv2d/qlinear");
    if (!producer->hasOneUse())
      return rewriter.notifyMatchFailure(relu, "producer has multiple users");
    auto conv = dyn_cast<QConv2DOp>(producer.getOperation());
    bool afterSum = conv && conv.hasResidual();
    rewriter.modifyOpInPlace(producer, [&] {
      if (afterSum)
        conv.setSumRelu(true);
      else
        producer.addReluToEpilogue();
      takeLayerName(producer, relu);
    });
    explain(producer,
            afterSum
                ? "fused relu after the residual sum of " + describeOp(producer)
                : "fused relu into the epilogue of " + describeOp(producer));
    rewriter.replaceOp(relu, producer->getResult(0));
    return success();
  }
};

/// quantize(f(x)) -> f(quantize(x)) for every op f of the
/// QuantCommutingOpInterface (relu, max_pool2d, flatten, subsample_pad).
/// Exact: quantization is monotone and maps 0 to 0, so it commutes with max,
/// with reshapes and with data movement that fills zeros. A per-channel
/// quantize moves only when f keeps its axis.
struct HoistQuantize : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    if (q.hasZeroPoint())
      return rewriter.notifyMatchFailure(q, "an affine quantize does not map "
                                            "0 to 0");
    auto p = q.getInput().getDefiningOp<QuantCommutingOpInterface>();
    if (!p)
      return rewriter.notifyMatchFailure(q, "producer does not commute");
    if (!p->hasOneUse())
      return rewriter.notifyMatchFailure(q, "producer has multiple users");
    if (std::optional<int64_t> axis = q.getAxis();
        axis && !p.keepsQuantAxis(*axis))
      return rewriter.notifyMatchFailure(q,
                                         "per-channel axis does not survive");
    Value x = p.getDataInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type storage = q.getType().getElementType();
    rewriter.setInsertionPoint(p);
    auto newQ = QuantizeOp::create(rewriter, q.getLoc(), xType.clone(storage), x,
                                   q.getScalesAttr(), q.getAxisAttr());
    Operation *moved = rewriter.clone(*p);
    for (OpOperand &operand : moved->getOpOperands())
      if (operand.get() == x)
        operand.set(newQ);
    moved->getResult(0).setType(q.getType());
    explain(moved, "quantize moved above " + describeOp(p) + ": it now runs on " +
                       typeString(storage) + " storage");
    rewriter.replaceOp(q, moved->getResult(0));
    rewriter.eraseOp(p);
    return success();
  }
};

/// quantize(qcompute(x) : f32) -> qcompute(x) with output_scale: the fused
/// bias+relu+requantize epilogue.
struct FoldQuantizeIntoEpilogue : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    auto p = q.getInput().getDefiningOp<QComputeOpInterface>();
    if (!p || p.getOutputScaleValue())
      return rewriter.notifyMatchFailure(q, "producer is not an f32 qconv2d/qlinear");
    if (q.hasZeroPoint())
      return rewriter.notifyMatchFailure(q, "the epilogue is symmetric");
    if (q.getAxis())
      return rewriter.notifyMatchFailure(q, "per-channel output scales");
    if (!p->hasOneUse())
      return rewriter.notifyMatchFailure(q, "producer has multiple users");
    float scale = q.getScales()[0];
    rewriter.modifyOpInPlace(p,
                             [&] { p.setQuantizedResult(scale, q.getType()); });
    explain(p, "fused quantize (scale " + scaleString(scale) +
                   ") into the epilogue of " + describeOp(p) +
                   ": the result stays quantized");
    rewriter.replaceOp(q, p->getResult(0));
    return success();
  }
};

/// quantize(dequantize(x)): equal parameters and storage -> x; different
/// per-tensor parameters -> requantize.
struct FoldDequantizeQuantize : FusionPattern<QuantizeOp> {
  using FusionPattern::FusionPattern;
  LogicalResult matchAndRewrite(QuantizeOp q,
                                PatternRewriter &rewriter) const override {
    auto dq = q.getInput().getDefiningOp<DequantizeOp>();
    if (!dq)
      return rewriter.notifyMatchFailure(q, "input is not a dequantize");
    // Taken before the rewrite erases `q`.
    float from = dq.getScales()[0], to = q.getScales()[0];
    Location anchor = q.getLoc();
    FailureOr<QuantizeOfDequantizeFold> fold =
        rewriteQuantizeOfDequantize(q, rewriter);
    if (failed(fold))
      return failure();
    if (*fold == QuantizeOfDequantizeFold::Identity)
      explain(anchor, "removed a dequantize->quantize pair with equal parameters");
    else
      explain(anchor, "scale mismatch (" + scaleString(from) + " vs " +
                          scaleString(to) +
                          "): dequantize->quantize replaced by one requantize");
    return success();
  }
};
} // namespace

void vggq::populateFuseQDQPatterns(RewritePatternSet &patterns,
                                   const FuseOptions &opts) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FuseReluIntoEpilogue, HoistQuantize, FoldQuantizeIntoEpilogue,
               FoldDequantizeQuantize>(ctx, opts);
  populateFuseResidualPatterns(patterns, opts);
  populateFuseDequantizedPatterns(patterns, opts);
}
