//===- Quantize.cpp - conv2d/linear -> qconv2d/qlinear ----------*- C++ -*-===//
//
// Quantizes every calibrated conv2d / linear: a per-tensor `quantize` on the
// input, weights quantized per output channel at compile time, the bias kept
// in f32 (float formats) or stored as i32 at input_scale * weight_scale
// (integer formats). Every add gets a quantize/dequantize pair on each
// operand and every avg_pool2d one on its input, at their calibrated scales;
// --vggq-fuse-qdq turns them into qadd and a pool on storage. Formats that
// are not CALIBRATED (Formats.def: FP16, BF16) use scales of 1 and need no
// calibration.
//
//===----------------------------------------------------------------------===//
#include "BiasCorrection.h"
#include "ConstantUtils.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <limits>

namespace vggq {
#define GEN_PASS_DEF_QUANTIZE
#include "vggq/Transforms/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

namespace {

/// The scale of an all-zero weight channel: any positive value represents it
/// exactly; a scale of 0 would be invalid.
constexpr float kZeroChannelScale = 0x1p-24f;
/// INT8 biases stay below 2^30 accumulator units so that acc + bias never
/// overflows int32 for a sane layer.
constexpr double kMaxI32Bias = 1073741824.0;

std::string layerName(Operation *op) {
  if (auto name = op->getAttrOfType<StringAttr>("vggq.layer"))
    return name.str();
  return "";
}

/// "this vggq.add" for an unnamed op.
std::string describeOpName(Operation *op) {
  return "this " + op->getName().getStringRef().str();
}

/// Weights of one layer quantized per output channel.
struct QuantizedWeights {
  SmallVector<float> scales;
  SmallVector<char> codes;
  SmallVector<int32_t> i32Bias; ///< INT8 only, when there is a bias
};

QuantizedWeights quantizeWeights(ArrayRef<float> w, int64_t channels,
                                 std::optional<ArrayRef<float>> bias,
                                 float inScale, const Precision &p) {
  QuantizedWeights q;
  int64_t per = static_cast<int64_t>(w.size()) / channels;
  q.codes.resize(w.size() * p.bytes());
  for (int64_t o = 0; o < channels; ++o) {
    ArrayRef<float> ch = w.slice(o * per, per);
    float amax = 0.0f;
    for (float v : ch)
      amax = std::max(amax, std::fabs(v));
    float s = p.scaleForAmax(amax);
    if (!(s > 0.0f) || !std::isfinite(s))
      s = p.calibrated ? kZeroChannelScale : 1.0f;
    if (p.isInteger() && bias) {
      // Keep the i32 bias representable: raise the scale of a channel whose
      // weights are tiny next to its bias.
      double need = std::fabs((*bias)[o]) / (inScale * kMaxI32Bias);
      if (need > s)
        s = static_cast<float>(need);
    }
    q.scales.push_back(s);
    for (int64_t k = 0; k < per; ++k)
      numerics::storeCode(q.codes.data(), o * per + k, p.bytes(),
                          p.encode(ch[k] / s));
    if (p.isInteger() && bias) {
      // Same product as QConv2DOp::getAccumulatorScale; round half to even.
      float acc = inScale * s;
      double units = std::nearbyint(static_cast<double>((*bias)[o]) / acc);
      units = std::clamp(units, -2147483647.0, 2147483647.0);
      q.i32Bias.push_back(static_cast<int32_t>(units));
    }
  }
  return q;
}

int64_t tensorBytes(Value v) {
  if (!v)
    return 0;
  auto t = cast<RankedTensorType>(v.getType());
  return t.getNumElements() * ((t.getElementTypeBitWidth() + 7) / 8);
}

struct QuantizePass : vggq::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;
  int64_t quantized = 0, bytesBefore = 0, bytesAfter = 0;

  void runOnOperation() override;
  LogicalResult quantizeOp(Operation *op, const Precision &p);
  LogicalResult quantizeOperands(Operation *op, const Precision &p);
};

/// The input scale of `what` from its calibrated `vggq.<key>_amax` (scale 1
/// for formats that are not CALIBRATED).
FailureOr<float> calibratedScale(Operation *op, StringRef key,
                                 const std::string &what, const Precision &p) {
  std::string attr = ("vggq." + key + "_amax").str();
  auto amaxAttr = op->getAttrOfType<FloatAttr>(attr);
  if (!amaxAttr && p.calibrated)
    return op->emitError() << what << " has no '" << attr
                           << "': run --vggq-calibrate first (" << p.name
                           << " scales are calibrated)";
  float amax = amaxAttr ? amaxAttr.getValue().convertToFloat() : 1.0f;
  float scale = p.scaleForAmax(amax);
  if (!std::isfinite(amax) || !(scale > 0.0f) || !std::isfinite(scale))
    return op->emitError() << what << " has '" << attr << "' = " << amax
                           << ", which gives no valid " << p.name << " scale";
  return scale;
}

/// add / avg_pool2d: each f32 operand x becomes dequantize(quantize(x, s), s)
/// at its calibrated scale; the op itself stays f32 until --vggq-fuse-qdq
/// forms the quantized op.
LogicalResult QuantizePass::quantizeOperands(Operation *op,
                                             const Precision &p) {
  std::string name = layerName(op);
  std::string what = name.empty() ? describeOpName(op) : "layer '" + name + "'";
  OpBuilder builder(op);
  Type storage = p.storageType(op->getContext());
  for (OpOperand &operand : op->getOpOperands()) {
    StringRef key = isa<AddOp>(op)
                        ? (operand.getOperandNumber() == 0 ? "lhs" : "rhs")
                        : "input";
    FailureOr<float> scale = calibratedScale(op, key, what, p);
    if (failed(scale))
      return failure();
    Value x = operand.get();
    auto type = cast<RankedTensorType>(x.getType());
    DenseF32ArrayAttr scales = builder.getDenseF32ArrayAttr({*scale});
    auto q = QuantizeOp::create(builder, op->getLoc(), type.clone(storage), x,
                                scales, IntegerAttr());
    auto dq = DequantizeOp::create(builder, op->getLoc(), type, q, scales,
                                   IntegerAttr());
    operand.set(dq);
  }
  ++quantized;
  return success();
}

LogicalResult QuantizePass::quantizeOp(Operation *op, const Precision &p) {
  std::string name = layerName(op);
  std::string what = name.empty() ? "this op" : "layer '" + name + "'";
  // CALIBRATED formats take the input scale from the calibrated amax; the
  // others (FP16, BF16) use a scale of 1 and need no calibration.
  FailureOr<float> scale = calibratedScale(op, "input", what, p);
  if (failed(scale))
    return failure();
  float inScale = *scale;
  Value input = op->getOperand(0), weight = op->getOperand(1);
  Value bias = op->getNumOperands() > 2 ? op->getOperand(2) : Value();
  auto w = getConstantF32(weight);
  if (!w)
    return op->emitError() << "the weights of " << what
                           << " are not a constant: they cannot be quantized at "
                              "compile time";
  std::optional<SmallVector<float>> b;
  if (bias && !(b = getConstantF32(bias)))
    return op->emitError() << "the bias of " << what << " is not a constant";

  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t channels = wType.getDimSize(0);
  std::optional<ArrayRef<float>> biasRef;
  if (b)
    biasRef = ArrayRef<float>(*b);
  QuantizedWeights q = quantizeWeights(*w, channels, biasRef, inScale, p);
  bool corrected = false;
  if (biasCorrection) {
    // BiasCorrection.h: b += (W - Wq) E[x]; INT8 requantizes the new bias.
    auto mean = op->getAttrOfType<DenseF32ArrayAttr>("vggq.input_col_mean");
    int64_t per = static_cast<int64_t>(w->size()) / channels;
    if (!mean || static_cast<int64_t>(mean.size()) != per)
      return op->emitError()
             << "bias-correction: " << what
             << " has no 'vggq.input_col_mean' of " << per
             << " values: run --vggq-calibrate with bias-correction=true";
    SmallVector<float> wq(w->size());
    for (int64_t i = 0, e = w->size(); i < e; ++i)
      wq[i] = p.decode(static_cast<uint8_t>(q.codes[i])) * q.scales[i / per];
    SmallVector<double> delta =
        vggq::biasCorrection(*w, wq, channels, mean.asArrayRef());
    if (!b)
      b.emplace(channels, 0.0f);
    for (int64_t o = 0; o < channels; ++o)
      (*b)[o] = static_cast<float>((*b)[o] + delta[o]);
    biasRef = ArrayRef<float>(*b);
    q = quantizeWeights(*w, channels, biasRef, inScale, p);
    corrected = true;
  }

  MLIRContext *ctx = op->getContext();
  OpBuilder builder(op);
  Location loc = op->getLoc();
  Type storage = p.storageType(ctx);
  bool resource = isResourceConstant(weight);
  std::string blob = name.empty() ? "qweight" : name;
  auto wqType = RankedTensorType::get(wType.getShape(), storage);
  Value wq = createConstant(builder, loc, wqType, q.codes, resource,
                            blob + ".weight_q");
  Value qBias = bias;
  if (corrected && !p.isInteger())
    qBias = createF32Constant(
        builder, loc, RankedTensorType::get({channels}, builder.getF32Type()),
        *b, resource, blob + ".bias_c");
  if ((bias || corrected) && p.isInteger()) {
    auto bt = RankedTensorType::get({channels}, builder.getI32Type());
    ArrayRef<char> raw(reinterpret_cast<const char *>(q.i32Bias.data()),
                       q.i32Bias.size() * sizeof(int32_t));
    qBias = createConstant(builder, loc, bt, raw, resource, blob + ".bias_q");
  }
  bytesBefore += tensorBytes(weight) + tensorBytes(bias);
  bytesAfter += tensorBytes(wq) + tensorBytes(qBias);

  auto inType = cast<RankedTensorType>(input.getType());
  auto qin = QuantizeOp::create(builder, loc, inType.clone(storage), input,
                                builder.getDenseF32ArrayAttr({inScale}),
                                IntegerAttr());
  FloatAttr inScaleAttr = builder.getF32FloatAttr(inScale);
  DenseF32ArrayAttr wScales = builder.getDenseF32ArrayAttr(q.scales);
  Operation *qop;
  if (auto conv = dyn_cast<Conv2DOp>(op))
    qop = QConv2DOp::create(builder, loc, conv.getType(), qin, wq, qBias,
                            inScaleAttr, wScales, FloatAttr(), UnitAttr(),
                            conv.getStridesAttr(), conv.getPaddingAttr(),
                            conv.getDilationAttr());
  else
    qop = QLinearOp::create(builder, loc, cast<LinearOp>(op).getType(), qin, wq,
                            qBias, inScaleAttr, wScales, FloatAttr(), UnitAttr());
  for (NamedAttribute a : op->getDiscardableAttrs())
    qop->setAttr(a.getName(), a.getValue());
  op->replaceAllUsesWith(qop);
  op->erase();
  eraseIfDeadConstant(weight);
  if (bias)
    eraseIfDeadConstant(bias);
  ++quantized;
  return success();
}

void QuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  quantized = bytesBefore = bytesAfter = 0;
  const Precision *def = lookupPrecision(precision);
  if (!def) {
    func.emitError() << "unknown precision '" << precision
                     << "' (known: " << precisionNames() << ")";
    return signalPassFailure();
  }
  llvm::StringMap<const Precision *> perLayer;
  for (const std::string &entry : precisionMap) {
    auto [layer, prec] = StringRef(entry).rsplit(':');
    const Precision *p = lookupPrecision(prec);
    if (layer.empty() || prec.empty() || !p) {
      func.emitError() << "precision-map entry '" << entry
                       << "' must be layer:precision with a precision in {"
                       << precisionNames() << "}";
      return signalPassFailure();
    }
    perLayer[layer] = p;
  }
  llvm::StringSet<> excluded(llvm::from_range, exclude);

  SmallVector<Operation *> targets;
  func.walk([&](Operation *op) {
    if (isa<Conv2DOp, LinearOp, AddOp, AvgPool2DOp>(op))
      targets.push_back(op);
  });
  llvm::StringSet<> seen;
  for (Operation *op : targets)
    seen.insert(layerName(op));
  for (const auto &e : excluded)
    if (!seen.contains(e.getKey()))
      func.emitWarning() << "exclude names layer '" << e.getKey()
                         << "', which is not in this function";
  for (const auto &e : perLayer)
    if (!seen.contains(e.getKey())) {
      std::string known;
      for (Operation *op : targets)
        known += (known.empty() ? "" : ", ") + layerName(op);
      func.emitError() << "precision-map names layer '" << e.getKey() << "' ("
                       << e.getValue()->name
                       << "), which is not a conv2d, linear, add or "
                          "avg_pool2d of this function (layers: "
                       << known << ")";
      return signalPassFailure();
    }
  for (Operation *op : targets) {
    std::string name = layerName(op);
    if (excluded.contains(name))
      continue;
    const Precision *p = perLayer.lookup(name);
    // The choice of --vggq-choose-precision; precision-map wins over it.
    if (auto chosen = op->getAttrOfType<StringAttr>("vggq.precision");
        !p && chosen && !(p = lookupPrecision(chosen.getValue()))) {
      op->emitError() << "unknown 'vggq.precision' = '" << chosen.getValue()
                      << "' (known: " << precisionNames() << ")";
      return signalPassFailure();
    }
    if (!p)
      p = def;
    if (!p->quantized())
      continue; // fp32: stays as it is
    LogicalResult done = isa<AddOp, AvgPool2DOp>(op) ? quantizeOperands(op, *p)
                                                     : quantizeOp(op, *p);
    if (failed(done))
      return signalPassFailure();
  }
  numQuantized = quantized;
  weightBytesBefore = bytesBefore;
  weightBytesAfter = bytesAfter;
  if (report)
    func.emitRemark() << "quantize: " << quantized << " ops quantized; weight "
                      << "bytes " << bytesBefore << " -> " << bytesAfter;
}

} // namespace
