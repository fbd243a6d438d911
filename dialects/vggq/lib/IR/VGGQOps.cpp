//===- VGGQOps.cpp - vggq dialect ops ---------------------------*- C++ -*-===//
//
// Verifiers, folders and canonicalization patterns of the vggq ops. Window
// shape arithmetic goes through ShapeUtils (one helper for conv and pool).
//
//===----------------------------------------------------------------------===//
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Dialect/VGGQ/IR/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace vggq;

//===----------------------------------------------------------------------===//
// Shared verification helpers
//===----------------------------------------------------------------------===//

namespace {

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d);
  }
  return s + "]";
}

bool dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// A float as a user wrote it: "0.5", "-1", "nan", "inf".
std::string floatString(float v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(v));
  return buf;
}

/// Every scale must be finite and strictly positive: a bad scale is an error
/// here, never a silent NaN later.
LogicalResult verifyScaleValues(Operation *op, ArrayRef<float> scales,
                                StringRef what) {
  if (scales.empty())
    return op->emitOpError() << "'" << what << "' must not be empty";
  for (auto [i, s] : llvm::enumerate(scales)) {
    if (!std::isfinite(s) || s <= 0.0f)
      return op->emitOpError()
             << "'" << what << "'[" << i << "] = " << floatString(s)
             << " is not a valid scale (must be finite and > 0)";
  }
  return success();
}

LogicalResult verifyScaleValue(Operation *op, FloatAttr scale,
                               StringRef what) {
  float s = scale.getValue().convertToFloat();
  return verifyScaleValues(op, ArrayRef<float>(s), what);
}

/// Per-tensor (no axis, one scale) or per-channel (axis, one scale per index).
LogicalResult verifyQuantParams(Operation *op, RankedTensorType type,
                                ArrayRef<float> scales,
                                std::optional<int64_t> axis) {
  if (failed(verifyScaleValues(op, scales, "scale")))
    return failure();
  if (!axis) {
    if (scales.size() != 1)
      return op->emitOpError()
             << "per-tensor quantization takes exactly one scale, got "
             << scales.size() << " (give 'axis' for per-channel scales)";
    return success();
  }
  int64_t a = *axis;
  if (a < 0 || a >= type.getRank())
    return op->emitOpError() << "axis " << a << " is out of range for rank "
                             << type.getRank();
  int64_t dim = type.getDimSize(a);
  if (ShapedType::isDynamic(dim))
    return op->emitOpError() << "per-channel axis " << a
                             << " must have a static size";
  if (static_cast<int64_t>(scales.size()) != dim)
    return op->emitOpError() << "expects " << dim << " scales along axis " << a
                             << " (one per channel), got " << scales.size();
  return success();
}

LogicalResult verifyResultShape(Operation *op, ArrayRef<int64_t> expected,
                                RankedTensorType actual) {
  if (static_cast<int64_t>(expected.size()) != actual.getRank() ||
      llvm::any_of(llvm::zip(expected, actual.getShape()), [](auto p) {
        return dimsConflict(std::get<0>(p), std::get<1>(p));
      }))
    return op->emitOpError() << "result shape " << shapeString(actual.getShape())
                             << " does not match the expected shape "
                             << shapeString(expected);
  return success();
}

LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> padding,
                                ArrayRef<int64_t> dilation) {
  if (strides.size() != 2 || llvm::any_of(strides, [](int64_t s) { return s <= 0; }))
    return op->emitOpError("'strides' must be two positive integers [h, w]");
  if (padding.size() != 4 || llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return op->emitOpError(
        "'padding' must be four non-negative integers [top, left, bottom, right]");
  if (dilation.size() != 2 || llvm::any_of(dilation, [](int64_t d) { return d <= 0; }))
    return op->emitOpError("'dilation' must be two positive integers [h, w]");
  return success();
}

/// The expected NHWC output shape of a window op, or failure with a message.
FailureOr<SmallVector<int64_t>>
windowOutputShape(Operation *op, RankedTensorType in, int64_t kh, int64_t kw,
                  int64_t channels, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation) {
  auto oh = windowOutputSize(in.getDimSize(1), kh, strides[0], padding[0],
                             padding[2], dilation[0]);
  auto ow = windowOutputSize(in.getDimSize(2), kw, strides[1], padding[1],
                             padding[3], dilation[1]);
  if (!oh || !ow)
    return op->emitOpError() << "window " << kh << "x" << kw << " (dilation "
                             << dilation[0] << "x" << dilation[1]
                             << ") does not fit the padded input "
                             << shapeString(in.getShape());
  return SmallVector<int64_t>{in.getDimSize(0), *oh, *ow, channels};
}

/// The window of max_pool2d and avg_pool2d: kernel, strides, padding
/// smaller than the kernel, and the NHWC result shape.
LogicalResult verifyPoolWindow(Operation *op, RankedTensorType in,
                               RankedTensorType out, ArrayRef<int64_t> k,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> p,
                               ArrayRef<int64_t> dilation = {1, 1}) {
  if (k.size() != 2 || llvm::any_of(k, [](int64_t x) { return x <= 0; }))
    return op->emitOpError("'kernel' must be two positive integers [h, w]");
  if (failed(verifyWindowAttrs(op, strides, p, dilation)))
    return failure();
  if (p[0] >= k[0] || p[2] >= k[0] || p[1] >= k[1] || p[3] >= k[1])
    return op->emitOpError("padding must be smaller than the kernel (a window "
                           "would hold only padding)");
  auto expected = windowOutputShape(op, in, k[0], k[1], in.getDimSize(3),
                                    strides, p, dilation);
  if (failed(expected))
    return failure();
  return verifyResultShape(op, *expected, out);
}

/// The one shape check of conv2d and qconv2d: NHWC input, OHWI weight,
/// optional [O] bias, NHWC output.
LogicalResult verifyConvLike(Operation *op, RankedTensorType in,
                             RankedTensorType w, Value bias,
                             RankedTensorType out, ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> padding,
                             ArrayRef<int64_t> dilation) {
  if (in.getRank() != 4)
    return op->emitOpError() << "input must be rank 4 (NHWC), got rank "
                             << in.getRank();
  if (w.getRank() != 4)
    return op->emitOpError() << "weight must be rank 4 (OHWI), got rank "
                             << w.getRank();
  if (failed(verifyWindowAttrs(op, strides, padding, dilation)))
    return failure();
  if (dimsConflict(in.getDimSize(3), w.getDimSize(3)))
    return op->emitOpError() << "input has " << in.getDimSize(3)
                             << " channels but the weight (OHWI) expects "
                             << w.getDimSize(3);
  if (bias) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || dimsConflict(b.getDimSize(0), w.getDimSize(0)))
      return op->emitOpError() << "bias must have shape [" << w.getDimSize(0)
                               << "] (one per output channel), got "
                               << shapeString(b.getShape());
  }
  if (ShapedType::isDynamic(w.getDimSize(1)) ||
      ShapedType::isDynamic(w.getDimSize(2)))
    return op->emitOpError("the kernel size (weight dims 1 and 2) must be static");
  auto expected = windowOutputShape(op, in, w.getDimSize(1), w.getDimSize(2),
                                    w.getDimSize(0), strides, padding, dilation);
  if (failed(expected))
    return failure();
  return verifyResultShape(op, *expected, out);
}

/// Input [N, K], weight [O, K], bias [O], output [N, O].
LogicalResult verifyLinearLike(Operation *op, RankedTensorType in,
                               RankedTensorType w, Value bias,
                               RankedTensorType out) {
  if (in.getRank() != 2 || w.getRank() != 2)
    return op->emitOpError("input [N, K] and weight [O, K] must be rank 2");
  if (dimsConflict(in.getDimSize(1), w.getDimSize(1)))
    return op->emitOpError() << "input has " << in.getDimSize(1)
                             << " features but the weight [O, K] expects "
                             << w.getDimSize(1);
  if (bias) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || dimsConflict(b.getDimSize(0), w.getDimSize(0)))
      return op->emitOpError() << "bias must have shape [" << w.getDimSize(0)
                               << "], got " << shapeString(b.getShape());
  }
  return verifyResultShape(op, {in.getDimSize(0), w.getDimSize(0)}, out);
}

/// The quantized epilogue rules shared by qconv2d and qlinear.
LogicalResult verifyQuantEpilogue(Operation *op, RankedTensorType in,
                                  RankedTensorType w, Value bias,
                                  RankedTensorType out, FloatAttr inputScale,
                                  ArrayRef<float> weightScales,
                                  std::optional<FloatAttr> outputScale) {
  const Precision *pin = lookupPrecision(in.getElementType());
  const Precision *pw = lookupPrecision(w.getElementType());
  if (pin->isInteger() != pw->isInteger())
    return op->emitOpError() << "input storage " << in.getElementType()
                             << " and weight storage " << w.getElementType()
                             << " must both be INT8 or both be FP8";
  if (bias) {
    Type bt = cast<RankedTensorType>(bias.getType()).getElementType();
    if (bt.isInteger(32) && !pin->isInteger())
      return op->emitOpError("an i32 bias needs INT8 operands (FP8 takes an f32 bias)");
  }
  if (failed(verifyScaleValue(op, inputScale, "input_scale")) ||
      failed(verifyScaleValues(op, weightScales, "weight_scales")))
    return failure();
  int64_t channels = w.getDimSize(0);
  if (weightScales.size() != 1 && !ShapedType::isDynamic(channels) &&
      static_cast<int64_t>(weightScales.size()) != channels)
    return op->emitOpError() << "expects " << channels
                             << " weight scales (one per output channel) or 1, got "
                             << weightScales.size();
  bool quantizedOut = isQuantStorageType(out.getElementType());
  if (quantizedOut && !outputScale)
    return op->emitOpError() << "a quantized result (" << out.getElementType()
                             << ") needs an 'output_scale'";
  if (!quantizedOut && outputScale)
    return op->emitOpError("an f32 result takes no 'output_scale'");
  if (outputScale && failed(verifyScaleValue(op, *outputScale, "output_scale")))
    return failure();
  return success();
}

std::optional<FloatAttr> optionalAttr(FloatAttr a) {
  return a ? std::optional<FloatAttr>(a) : std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// FP32 graph ops
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  return verifyConvLike(*this, getInput().getType(), getWeight().getType(),
                        getBias(), getOutput().getType(), getStrides(),
                        getPadding(), getDilation());
}

LogicalResult BatchNormOp::verify() {
  auto in = getInput().getType();
  if (in.getRank() < 2)
    return emitOpError("input must have a batch and a channel (last) axis");
  int64_t c = in.getDimSize(in.getRank() - 1);
  for (Value v : {getScale(), getOffset(), getMean(), getVariance()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 || dimsConflict(t.getDimSize(0), c))
      return emitOpError() << "scale, offset, mean and variance must have shape ["
                           << c << "] (the channel axis), got "
                           << shapeString(t.getShape());
  }
  float eps = getEpsilon().convertToFloat();
  if (!std::isfinite(eps) || eps < 0.0f)
    return emitOpError() << "epsilon " << floatString(eps) << " must be finite and >= 0";
  return success();
}

LogicalResult MaxPool2DOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  if (in.getRank() != 4)
    return emitOpError() << "input must be rank 4 (NHWC), got rank "
                         << in.getRank();
  return verifyPoolWindow(*this, in, out, getKernel(), getStrides(),
                          getPadding(), getDilationOrOnes());
}

LogicalResult FlattenOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  if (in.getRank() < 2)
    return emitOpError("input must have rank >= 2 (a batch axis and features)");
  int64_t features = 1;
  for (int64_t d : in.getShape().drop_front()) {
    if (ShapedType::isDynamic(d)) {
      features = ShapedType::kDynamic;
      break;
    }
    features *= d;
  }
  return verifyResultShape(*this, {in.getDimSize(0), features}, out);
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  ArrayRef<int64_t> perm = getPermutation();
  llvm::SmallVector<bool> seen(in.getRank(), false);
  if (int64_t(perm.size()) != in.getRank())
    return emitOpError() << "permutation " << shapeString(perm)
                         << " must have one entry per input axis ("
                         << in.getRank() << ")";
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError() << "permutation " << shapeString(perm)
                           << " is not a permutation of the input axes";
    seen[p] = true;
  }
  llvm::SmallVector<int64_t> expected;
  for (int64_t p : perm)
    expected.push_back(in.getDimSize(p));
  return verifyResultShape(*this, expected, out);
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  auto trailing = [](RankedTensorType t,
                     int64_t from) -> std::optional<int64_t> {
    int64_t n = 1;
    for (int64_t d : t.getShape().drop_front(from)) {
      if (ShapedType::isDynamic(d))
        return std::nullopt;
      n *= d;
    }
    return n;
  };
  if (in.hasStaticShape() && out.hasStaticShape()) {
    if (*trailing(in, 0) != *trailing(out, 0))
      return emitOpError() << "input " << shapeString(in.getShape())
                           << " and result " << shapeString(out.getShape())
                           << " hold different numbers of elements";
    return success();
  }
  bool batched = in.getRank() >= 1 && out.getRank() >= 1 &&
                 in.isDynamicDim(0) && out.isDynamicDim(0) && trailing(in, 1) &&
                 trailing(out, 1);
  if (!batched || *trailing(in, 1) != *trailing(out, 1))
    return emitOpError() << "input " << shapeString(in.getShape())
                         << " and result " << shapeString(out.getShape())
                         << " must be static with the same element count, or "
                            "keep a dynamic batch with the same static "
                            "sizes' product after it";
  return success();
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  ArrayRef<int64_t> low = getLow(), high = getHigh();
  if (int64_t(low.size()) != in.getRank() ||
      int64_t(high.size()) != in.getRank() || out.getRank() != in.getRank())
    return emitOpError() << "low, high and the result need one entry per "
                            "input axis ("
                         << in.getRank() << ")";
  StringRef mode = getMode();
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return emitOpError() << "mode '" << mode
                         << "' is not one of constant, edge, reflect";
  if (getValueAttr() && mode != "constant")
    return emitOpError() << "a 'value' needs mode 'constant'";
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  if (auto v = getValue(); v && in.getElementType().isInteger(32)) {
    float f = v->convertToFloat();
    if (f != std::nearbyint(f) || !(std::fabs(f) < 2147483648.0f))
      return emitOpError() << "the 'value' of an i32 pad must be an integer";
  }
  SmallVector<int64_t> expected;
  for (int64_t a = 0; a < in.getRank(); ++a) {
    if (low[a] < 0 || high[a] < 0)
      return emitOpError() << "axis " << a << ": pads " << low[a] << ", "
                           << high[a] << " must be non-negative";
    int64_t dim = in.getDimSize(a);
    if (ShapedType::isDynamic(dim)) {
      if (low[a] || high[a])
        return emitOpError() << "axis " << a
                             << " of dynamic size cannot be padded";
      expected.push_back(dim);
      continue;
    }
    if (mode == "reflect" && (low[a] >= dim || high[a] >= dim))
      return emitOpError() << "axis " << a << ": reflect pads " << low[a]
                           << ", " << high[a]
                           << " must be smaller than its size " << dim;
    expected.push_back(dim + low[a] + high[a]);
  }
  return verifyResultShape(*this, expected, out);
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  if (out.getRank() != in.getRank() ||
      int64_t(starts.size()) != in.getRank() ||
      int64_t(steps.size()) != in.getRank())
    return emitOpError() << "starts, steps and the result need one entry per "
                            "input axis ("
                         << in.getRank() << ")";
  for (int64_t a = 0; a < in.getRank(); ++a) {
    int64_t dim = in.getDimSize(a), size = out.getDimSize(a);
    if (ShapedType::isDynamic(dim) || ShapedType::isDynamic(size)) {
      if (!ShapedType::isDynamic(dim) || !ShapedType::isDynamic(size) ||
          starts[a] != 0 || steps[a] != 1)
        return emitOpError() << "axis " << a
                             << " of dynamic size must be taken whole "
                                "(start 0, step 1, a dynamic result size)";
      continue;
    }
    int64_t last = starts[a] + (size - 1) * steps[a];
    if (steps[a] == 0 || size < 1 || starts[a] < 0 || starts[a] >= dim ||
        last < 0 || last >= dim)
      return emitOpError() << "axis " << a << ": " << size
                           << " elements from " << starts[a] << " in steps of "
                           << steps[a] << " do not fit size " << dim;
  }
  return success();
}

LogicalResult LinearOp::verify() {
  return verifyLinearLike(*this, getInput().getType(), getWeight().getType(),
                          getBias(), getOutput().getType());
}

bool ReluOp::keepsQuantAxis(int64_t) { return true; }

bool MaxPool2DOp::keepsQuantAxis(int64_t axis) { return axis == 3; }

bool FlattenOp::keepsQuantAxis(int64_t) { return false; }

LogicalResult AvgPool2DOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  if (in.getRank() != 4)
    return emitOpError() << "input must be rank 4 (NHWC), got rank "
                         << in.getRank();
  bool quantized = isQuantStorageType(in.getElementType());
  FloatAttr inScale = getInputScaleAttr(), outScale = getOutputScaleAttr();
  if (quantized && (!inScale || !outScale))
    return emitOpError() << "on quantized storage (" << in.getElementType()
                         << ") it needs an 'input_scale' and an 'output_scale'";
  if (!quantized && (inScale || outScale))
    return emitOpError("on f32 it takes no 'input_scale' or 'output_scale'");
  if (inScale && failed(verifyScaleValue(*this, inScale, "input_scale")))
    return failure();
  if (outScale && failed(verifyScaleValue(*this, outScale, "output_scale")))
    return failure();
  return verifyPoolWindow(*this, in, out, getKernel(), getStrides(),
                          getPadding());
}

bool SubsamplePadOp::keepsQuantAxis(int64_t) { return false; }

LogicalResult SubsamplePadOp::verify() {
  auto in = getInput().getType();
  auto out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("result element type must equal the input's");
  if (in.getRank() != 4)
    return emitOpError() << "input must be rank 4 (NHWC), got rank "
                         << in.getRank();
  ArrayRef<int64_t> s = getStrides(), pad = getChannelPadding();
  if (s.size() != 2 || llvm::any_of(s, [](int64_t x) { return x <= 0; }))
    return emitOpError("'strides' must be two positive integers [h, w]");
  if (pad.size() != 2 || llvm::any_of(pad, [](int64_t x) { return x < 0; }))
    return emitOpError("'channel_padding' must be two non-negative integers "
                       "[before, after]");
  auto ceilDiv = [](int64_t d, int64_t by) {
    return ShapedType::isDynamic(d) ? d : (d + by - 1) / by;
  };
  int64_t c = in.getDimSize(3);
  int64_t oc = ShapedType::isDynamic(c) ? c : pad[0] + c + pad[1];
  return verifyResultShape(*this,
                           {in.getDimSize(0), ceilDiv(in.getDimSize(1), s[0]),
                            ceilDiv(in.getDimSize(2), s[1]), oc},
                           out);
}

OpFoldResult SubsamplePadOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType() &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }) &&
      llvm::all_of(getChannelPadding(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}

namespace {
/// subsample_pad(subsample_pad(x)) -> one subsample_pad: the strides
/// multiply and the channel paddings add (ceil(ceil(H/a)/b) = ceil(H/(a*b))).
struct ComposeSubsamplePad : OpRewritePattern<SubsamplePadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SubsamplePadOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<SubsamplePadOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a subsample_pad");
    ArrayRef<int64_t> s1 = inner.getStrides(), s2 = op.getStrides();
    ArrayRef<int64_t> p1 = inner.getChannelPadding(),
                      p2 = op.getChannelPadding();
    auto composed = SubsamplePadOp::create(
        rewriter, op.getLoc(), op.getType(), inner.getInput(),
        rewriter.getDenseI64ArrayAttr({s1[0] * s2[0], s1[1] * s2[1]}),
        rewriter.getDenseI64ArrayAttr({p1[0] + p2[0], p1[1] + p2[1]}));
    composed->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    rewriter.replaceOp(op, composed);
    return success();
  }
};
} // namespace

void SubsamplePadOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *context) {
  results.add<ComposeSubsamplePad>(context);
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

/// An affine quantize/dequantize: one zero point per scale, on INT8 storage,
/// each within INT8's range.
static LogicalResult verifyZeroPoint(Operation *op, Type storage,
                              ArrayRef<float> scales,
                              std::optional<ArrayRef<int64_t>> zeroPoint) {
  if (!zeroPoint)
    return success();
  if (!storage.isSignlessInteger(8))
    return op->emitOpError() << "'zero_point' needs INT8 (i8) storage, got "
                             << storage
                             << " (FP8 storage has no zero point)";
  if (zeroPoint->size() != scales.size())
    return op->emitOpError() << "expects one zero point per scale ("
                             << scales.size() << "), got "
                             << zeroPoint->size();
  for (auto [i, zp] : llvm::enumerate(*zeroPoint))
    if (zp < -128 || zp > 127)
      return op->emitOpError() << "zero point " << zp << " at index " << i
                               << " is out of the INT8 range [-128, 127]";
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (getInput().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("input and result shapes must be equal");
  if (failed(verifyQuantParams(*this, getInput().getType(), getScales(),
                               getAxis())))
    return failure();
  return verifyZeroPoint(*this, getType().getElementType(), getScales(),
                         getZeroPoint());
}

LogicalResult DequantizeOp::verify() {
  if (getInput().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("input and result shapes must be equal");
  if (failed(verifyQuantParams(*this, getInput().getType(), getScales(),
                               getAxis())))
    return failure();
  return verifyZeroPoint(*this, getInput().getType().getElementType(),
                         getScales(), getZeroPoint());
}

LogicalResult RequantizeOp::verify() {
  if (getInput().getType().getShape() != getOutput().getType().getShape())
    return emitOpError("input and result shapes must be equal");
  if (failed(verifyScaleValue(*this, getInScaleAttr(), "in_scale")))
    return failure();
  return verifyScaleValue(*this, getOutScaleAttr(), "out_scale");
}

OpFoldResult RequantizeOp::fold(FoldAdaptor) {
  // Same scale and storage: rescaling by 1 and rounding a representable value
  // is the identity.
  if (getInput().getType() == getOutput().getType() &&
      getInScale() == getOutScale())
    return getInput();
  return {};
}

FailureOr<QuantizeOfDequantizeFold>
vggq::rewriteQuantizeOfDequantize(QuantizeOp op, PatternRewriter &rewriter) {
  auto dq = op.getInput().getDefiningOp<DequantizeOp>();
  if (!dq)
    return rewriter.notifyMatchFailure(op, "input is not a dequantize");
  Value x = dq.getInput();
  if (dq.getScales() == op.getScales() && dq.getAxis() == op.getAxis() &&
      dq.getZeroPoint() == op.getZeroPoint() && x.getType() == op.getType()) {
    rewriter.replaceOp(op, x);
    return QuantizeOfDequantizeFold::Identity;
  }
  if (dq.hasZeroPoint() || op.hasZeroPoint())
    return rewriter.notifyMatchFailure(op, "affine parameters differ");
  if (dq.getAxis() || op.getAxis())
    return rewriter.notifyMatchFailure(op, "per-channel parameters differ");
  rewriter.replaceOpWithNewOp<RequantizeOp>(
      op, op.getType(), x, rewriter.getF32FloatAttr(dq.getScales()[0]),
      rewriter.getF32FloatAttr(op.getScales()[0]));
  return QuantizeOfDequantizeFold::Requantize;
}

namespace {
/// quantize(dequantize(x)): with equal parameters and storage this is x
/// (dequantize is exact, and re-rounding a representable value changes
/// nothing). With a different per-tensor scale or storage it is a single
/// requantize. The reverse, dequantize(quantize(x)), is never folded: it
/// rounds.
struct QuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    return rewriteQuantizeOfDequantize(op, rewriter);
  }
};
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<QuantizeOfDequantize>(context);
}

//===----------------------------------------------------------------------===//
// Quantized compute ops
//===----------------------------------------------------------------------===//

LogicalResult QConv2DOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  auto out = getOutput().getType();
  if (failed(verifyConvLike(*this, in, w, getBias(), out, getStrides(),
                            getPadding(), getDilation())))
    return failure();
  if (failed(verifyQuantEpilogue(*this, in, w, getBias(), out,
                                 getInputScaleAttr(), getWeightScales(),
                                 optionalAttr(getOutputScaleAttr()))))
    return failure();
  if (!getResidual()) {
    if (getResidualScaleAttr() || getSumScaleAttr() || getSumRelu())
      return emitOpError("'residual_scale', 'sum_scale' and 'sum_relu' need a "
                         "'residual' operand");
    return success();
  }
  // The fused qadd: the conv's own result is quantized at output_scale, then
  // added to the residual and quantized again at sum_scale.
  if (!isQuantStorageType(out.getElementType()))
    return emitOpError("a residual add needs a quantized result (the sum is "
                       "quantized at 'sum_scale')");
  if (!getResidualScaleAttr() || !getSumScaleAttr())
    return emitOpError("a 'residual' needs a 'residual_scale' and a 'sum_scale'");
  if (failed(verifyScaleValue(*this, getResidualScaleAttr(), "residual_scale")) ||
      failed(verifyScaleValue(*this, getSumScaleAttr(), "sum_scale")))
    return failure();
  auto r = getResidual().getType();
  if (r.getRank() != out.getRank() ||
      llvm::any_of(llvm::zip(r.getShape(), out.getShape()), [](auto p) {
        return dimsConflict(std::get<0>(p), std::get<1>(p));
      }))
    return emitOpError() << "residual shape " << shapeString(r.getShape())
                         << " does not match the result shape "
                         << shapeString(out.getShape());
  return success();
}

LogicalResult QAddOp::verify() {
  auto l = getLhs().getType(), r = getRhs().getType();
  auto out = getOutput().getType();
  for (RankedTensorType t : {r, out})
    if (t.getRank() != l.getRank() ||
        llvm::any_of(llvm::zip(l.getShape(), t.getShape()), [](auto p) {
          return dimsConflict(std::get<0>(p), std::get<1>(p));
        }))
      return emitOpError() << "operand and result shapes must be equal, got "
                           << shapeString(l.getShape()) << ", "
                           << shapeString(r.getShape()) << " -> "
                           << shapeString(out.getShape());
  if (failed(verifyScaleValue(*this, getLhsScaleAttr(), "lhs_scale")) ||
      failed(verifyScaleValue(*this, getRhsScaleAttr(), "rhs_scale")))
    return failure();
  return verifyScaleValue(*this, getOutputScaleAttr(), "output_scale");
}

LogicalResult QLinearOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  auto out = getOutput().getType();
  if (failed(verifyLinearLike(*this, in, w, getBias(), out)))
    return failure();
  return verifyQuantEpilogue(*this, in, w, getBias(), out, getInputScaleAttr(),
                             getWeightScales(),
                             optionalAttr(getOutputScaleAttr()));
}

#include "vggq/Dialect/VGGQ/IR/VGGQInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "vggq/Dialect/VGGQ/IR/VGGQOps.cpp.inc"
