//===- FuseDequantizedPatterns.cpp - conv/linear of dequantized operands --===//
//
// A QDQ model (imported from ONNX) computes each conv and linear layer in
// f32 on dequantized operands: conv2d(dequantize(x), dequantize(w_q)). When
// the input is dequantized per tensor and the weight is a dequantized 8-bit
// constant (per tensor or per output channel, of a storage the quantized
// epilogue accepts with the input's), the layer is exactly qconv2d/qlinear of
// the 8-bit operands with those scales, which is what --vggq-quantize makes
// of a calibrated f32 layer: the same weight codes, the same per-channel
// scales, an INT8 bias stored in i32 accumulator units.
//
//===----------------------------------------------------------------------===//
#include "ConstantUtils.h"
#include "FuseQDQ.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Precision/Precision.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace vggq;

namespace {
/// INT8 biases stay below 2^30 accumulator units (as --vggq-quantize keeps
/// them), so that acc + bias never overflows int32.
constexpr double kMaxI32Bias = 1073741824.0;

bool isDequantizedConv(Operation *op) {
  return isa<Conv2DOp, LinearOp>(op) &&
         llvm::any_of(op->getOperands().take_front(2), [](Value v) {
           return v && v.getDefiningOp<DequantizeOp>();
         });
}
} // namespace

std::optional<std::string> vggq::dequantizedLayerFusionFailure(Operation *op) {
  auto in = op->getOperand(0).getDefiningOp<DequantizeOp>();
  auto w = op->getOperand(1).getDefiningOp<DequantizeOp>();
  if (!in)
    return std::string("its input is f32, not dequantized (a Q/DQ pair around "
                       "an op computed in f32 ends here)");
  if (in.getAxis())
    return std::string("its input is dequantized per channel; the quantized "
                       "epilogue takes one input_scale");
  if (in.hasZeroPoint())
    return std::string("its input is dequantized with a zero point "
                       "(asymmetric); qconv2d/qlinear take symmetric storage");
  if (!w)
    return std::string("its weight is f32, not a dequantized 8-bit constant");
  if (w.hasZeroPoint())
    return std::string("its weight is dequantized with a zero point "
                       "(asymmetric); qconv2d/qlinear take symmetric storage");
  if (!w.getInput().getDefiningOp<arith::ConstantOp>())
    return std::string("its weight is dequantized from a value computed at "
                       "run time, not a constant");
  if (std::optional<int64_t> axis = w.getAxis(); axis && *axis != 0)
    return "its weight is dequantized along axis " + std::to_string(*axis) +
           ", not per output channel (axis 0)";
  Type a = in.getInput().getType().getElementType();
  Type b = w.getInput().getType().getElementType();
  const Precision *pa = lookupPrecision(a), *pb = lookupPrecision(b);
  if (!pa || !pb || pa->isInteger() != pb->isInteger() ||
      pa->bytes() != pb->bytes() || (pa->bytes() != 1 && a != b))
    return "input storage " + typeString(a) + " and weight storage " +
           typeString(b) + " do not make a quantized layer";
  if (Value bias = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
      bias && !getConstantF32(bias))
    return std::string("its bias is not a constant");
  return std::nullopt;
}

namespace {
/// conv2d / linear (dequantize(x), dequantize(constant w_q), bias) ->
/// qconv2d / qlinear (x, w_q, bias) with an f32 result.
template <typename OpTy> struct FuseDequantizedLayer : FusionPattern<OpTy> {
  using FusionPattern<OpTy>::FusionPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (dequantizedLayerFusionFailure(op))
      return rewriter.notifyMatchFailure(op,
                                         "operands are not dequantized 8-bit");
    auto in = op->getOperand(0).template getDefiningOp<DequantizeOp>();
    auto w = op->getOperand(1).template getDefiningOp<DequantizeOp>();
    float inScale = in.getScales()[0];
    auto wType = cast<RankedTensorType>(w.getInput().getType());
    int64_t channels = wType.getDimSize(0);
    SmallVector<float> wScales(w.getScales());
    if (wScales.size() == 1)
      wScales.assign(channels, wScales[0]);

    Value bias = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
    Location loc = op.getLoc();
    std::string note;
    const Precision *p = lookupPrecision(wType.getElementType());
    if (bias && p->isInteger()) {
      // As --vggq-quantize stores it: i32 units of input_scale * scale[o],
      // rounded half to even.
      SmallVector<float> b = *getConstantF32(bias);
      SmallVector<int32_t> units;
      for (int64_t o = 0; o < channels; ++o) {
        float acc = inScale * wScales[o];
        double u = std::nearbyint(static_cast<double>(b[o]) / acc);
        if (!(std::fabs(u) <= kMaxI32Bias))
          break;
        units.push_back(static_cast<int32_t>(u));
      }
      if (static_cast<int64_t>(units.size()) == channels) {
        auto bt = RankedTensorType::get({channels}, rewriter.getI32Type());
        ArrayRef<char> raw(reinterpret_cast<const char *>(units.data()),
                           units.size() * sizeof(int32_t));
        std::string blob = "qbias";
        if (auto name = op->template getAttrOfType<StringAttr>("vggq.layer"))
          blob = name.str();
        bias = createConstant(rewriter, loc, bt, raw, isResourceConstant(bias),
                              blob + ".bias_q");
      } else {
        note = "; the bias stays f32 (more than 2^30 accumulator units)";
      }
    }
    FloatAttr inScaleAttr = rewriter.getF32FloatAttr(inScale);
    DenseF32ArrayAttr scalesAttr = rewriter.getDenseF32ArrayAttr(wScales);
    Operation *qop;
    if constexpr (std::is_same_v<OpTy, Conv2DOp>)
      qop = QConv2DOp::create(rewriter, loc, op.getType(), in.getInput(),
                              w.getInput(), bias, inScaleAttr, scalesAttr,
                              FloatAttr(), UnitAttr(), op.getStridesAttr(),
                              op.getPaddingAttr(), op.getDilationAttr());
    else
      qop = QLinearOp::create(rewriter, loc, op.getType(), in.getInput(),
                              w.getInput(), bias, inScaleAttr, scalesAttr,
                              FloatAttr(), UnitAttr());
    for (NamedAttribute a : op->getDiscardableAttrs())
      qop->setAttr(a.getName(), a.getValue());
    this->explain(qop, "fused the dequantized input (scale " +
                           scaleString(inScale) + ") and " +
                           (w.getAxis() ? "per-channel" : "per-tensor") +
                           " dequantized weights of " + describeOp(op) +
                           " into " + describeOp(qop) + note);
    rewriter.replaceOp(op, qop->getResults());
    return success();
  }
};
} // namespace

bool vggq::hasDequantizedOperand(Operation *op) {
  return isDequantizedConv(op);
}

void vggq::populateFuseDequantizedPatterns(RewritePatternSet &patterns,
                                           const FuseOptions &opts) {
  patterns.add<FuseDequantizedLayer<Conv2DOp>, FuseDequantizedLayer<LinearOp>>(
      patterns.getContext(), opts);
}
