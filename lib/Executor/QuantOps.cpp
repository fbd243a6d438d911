//===- QuantOps.cpp - quantization and quantized compute ops --------------===//
//
// The exact f32 operation order of every conversion (the GPU kernels'
// epilogues compute the same sequence, with no FMA contraction):
//
//   quantize:    code = encode(x / scale)               (true division)
//   dequantize:  x    = decode(code) * scale
//   affine (with a zero point zp, INT8 storage):
//     quantize:   code = clamp(round_half_even(x / scale) + zp, -128, 127)
//     dequantize: x    = float(code - zp) * scale
//   requantize:  code = encode((decode(code) * in_scale) / out_scale)
//   qconv2d / qlinear epilogue, per output channel o:
//     s[o] = input_scale * weight_scales[o]             (f32, once per channel)
//     f32 bias:  y = float(acc) * s[o];  y = y + bias[o]
//     i32 bias:  y = float(acc + bias[o]) * s[o]        (integer add exact)
//     no bias:   y = float(acc) * s[o]
//     relu:      y = y > 0 ? y : +0                      (NaN and -0 give +0)
//     output:    code = encode(y / output_scale), or y itself for f32 results
//     residual:  q = the output code above, r = the residual's code,
//                v = decode(q) * output_scale;  t = decode(r) * residual_scale
//                v = v + t;  sum_relu: v = v > 0 ? v : +0
//                code = encode(v / sum_scale)
//   qadd:        t1 = decode(lhs) * lhs_scale;  t2 = decode(rhs) * rhs_scale
//                v = t1 + t2;  relu: v = v > 0 ? v : +0
//                code = encode(v / output_scale)
//
// encode/decode are the format's (vggq/Precision/Numerics.h): floats round
// to nearest even (FP8 saturating, FP16/BF16 IEEE), INT8 rounds half to even
// and clamps to [-127, 127]. The accumulator `acc` is exact in int32 for
// integer formats and an f32 sum of exact products for float formats.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <type_traits>

using namespace vggq;
using namespace vggq::exec;
using namespace vggq::exec::detail;

namespace {

const Precision *resultPrecision(mlir::Operation *op) {
  auto type = llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  return lookupPrecision(type.getElementType());
}

Tensor makeCoded(std::vector<int64_t> shape, const Precision *p, float scale) {
  Tensor t;
  t.shape = std::move(shape);
  t.kind = ElemKind::Coded;
  t.precision = p;
  t.scale = scale;
  t.allocateCodes();
  return t;
}

/// The index of each element's scale: 0 per tensor, else the element's
/// coordinate along `axis`.
struct ScaleIndexer {
  int64_t inner = 1, dim = 1;
  bool perTensor = true;
  int64_t operator()(int64_t i) const {
    return perTensor ? 0 : (i / inner) % dim;
  }
};

/// The affine INT8 code of `v` (a value already divided by its scale):
/// round half to even, add the zero point, clamp to [-128, 127], as ONNX's
/// QuantizeLinear. NaN gives the zero point.
int64_t affineCode(float v, int64_t zeroPoint) {
  double r = std::isnan(v) ? 0.0 : std::nearbyint(double(v));
  double q = std::clamp(r + double(zeroPoint), -128.0, 127.0);
  return int64_t(q);
}

template <typename OpTy>
llvm::Expected<ScaleIndexer> scaleIndexer(OpTy op, const Tensor &t) {
  ScaleIndexer ix;
  size_t nScales = op.getScales().size();
  if (!op.getAxis()) {
    if (nScales != 1)
      return opError(op, "has " + llvm::Twine(nScales) + " scales but no axis");
    return ix;
  }
  int64_t axis = static_cast<int64_t>(*op.getAxis());
  if (axis < 0 || axis >= static_cast<int64_t>(t.shape.size()))
    return opError(op, "axis " + llvm::Twine(axis) + " is out of range");
  ix.perTensor = false;
  ix.dim = t.shape[axis];
  for (size_t d = axis + 1; d < t.shape.size(); ++d)
    ix.inner *= t.shape[d];
  if (static_cast<int64_t>(nScales) != ix.dim)
    return opError(op, "has " + llvm::Twine(nScales) + " scales for " +
                           llvm::Twine(ix.dim) + " channels");
  return ix;
}

llvm::Expected<Tensor> runQuantize(QuantizeOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  auto ix = scaleIndexer(op, in);
  if (!ix)
    return ix.takeError();
  auto scales = op.getScales();
  const Precision *p = resultPrecision(op);
  if (std::optional<llvm::ArrayRef<int64_t>> zp = op.getZeroPoint()) {
    // Affine (ONNX's QuantizeLinear): the full INT8 range. The codes carry
    // no scale of their own (real = (code - zero_point) * scale).
    Tensor out = makeCoded(in.shape, p, 0.0f);
    for (int64_t i = 0, e = in.numElements(); i < e; ++i) {
      int64_t j = (*ix)(i);
      out.setCode(i, uint8_t(int8_t(affineCode(in.f32[i] / scales[j],
                                               (*zp)[j]))));
    }
    return out;
  }
  Tensor out = makeCoded(in.shape, p, ix->perTensor ? scales[0] : 0.0f);
  for (int64_t i = 0, e = in.numElements(); i < e; ++i)
    out.setCode(i, p->encode(in.f32[i] / scales[(*ix)(i)]));
  return out;
}

llvm::Expected<Tensor> runDequantize(DequantizeOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  auto ix = scaleIndexer(op, in);
  if (!ix)
    return ix.takeError();
  auto scales = op.getScales();
  std::vector<float> lut = decodeTable(*in.precision);
  Tensor out;
  out.shape = in.shape;
  out.f32.resize(in.numElements());
  if (std::optional<llvm::ArrayRef<int64_t>> zp = op.getZeroPoint()) {
    if (!in.precision->isInteger() || in.codeBytes() != 1)
      return opError(op, "has a zero point but its input is not INT8 codes");
    for (int64_t i = 0, e = in.numElements(); i < e; ++i) {
      int64_t j = (*ix)(i);
      // The difference is an exact integer in [-255, 255].
      float diff = float(int64_t(int8_t(uint8_t(in.code(i)))) - (*zp)[j]);
      out.f32[i] = diff * scales[j];
    }
    return out;
  }
  for (int64_t i = 0, e = in.numElements(); i < e; ++i)
    out.f32[i] = lut[in.code(i)] * scales[(*ix)(i)];
  return out;
}

llvm::Expected<Tensor> runRequantize(RequantizeOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  float inScale = op.getInScale().convertToFloat();
  float outScale = op.getOutScale().convertToFloat();
  const Precision *p = resultPrecision(op);
  // One code maps to one code: a table over every input code is the same
  // computation.
  std::vector<float> lut = decodeTable(*in.precision);
  std::vector<uint32_t> table(lut.size());
  for (size_t c = 0; c < lut.size(); ++c)
    table[c] = p->encode((lut[c] * inScale) / outScale);
  Tensor out = makeCoded(in.shape, p, outScale);
  for (int64_t i = 0, e = in.numElements(); i < e; ++i)
    out.setCode(i, table[in.code(i)]);
  return out;
}

/// The quantized sum of qadd and of the residual epilogue (see the file
/// comment): two f32 products, one f32 sum, relu, one rounding.
struct QuantSum {
  float lhsScale, rhsScale, outScale;
  bool relu;
  const Precision *outPrecision;
  uint32_t code(float lhs, float rhs) const {
    float t1 = lhs * lhsScale;
    float t2 = rhs * rhsScale;
    float v = t1 + t2;
    if (relu)
      v = v > 0.0f ? v : 0.0f;
    return outPrecision->encode(v / outScale);
  }
};

llvm::Expected<Tensor> runQAdd(QAddOp op, Inputs ins) {
  const Tensor &lhs = *ins[0], &rhs = *ins[1];
  if (lhs.shape != rhs.shape)
    return opError(op, "operand shapes " + shapeString(lhs.shape) + " and " +
                           shapeString(rhs.shape) + " differ");
  if (llvm::Error e = checkResultShape(op, lhs.shape))
    return std::move(e);
  QuantSum sum{
      op.getLhsScale().convertToFloat(), op.getRhsScale().convertToFloat(),
      op.getOutputScale().convertToFloat(), op.getRelu(), resultPrecision(op)};
  std::vector<float> lhsLut = decodeTable(*lhs.precision);
  std::vector<float> rhsLut = decodeTable(*rhs.precision);
  Tensor out = makeCoded(lhs.shape, sum.outPrecision, sum.outScale);
  for (int64_t i = 0, e = lhs.numElements(); i < e; ++i)
    out.setCode(i, sum.code(lhsLut[lhs.code(i)], rhsLut[rhs.code(i)]));
  return out;
}

/// The fused epilogue of qconv2d / qlinear (see the file comment).
struct Epilogue {
  std::vector<float> accScale;
  const float *biasF = nullptr;
  const int32_t *biasI = nullptr;
  bool relu = false;
  const Precision *outPrecision = nullptr; ///< null: f32 result
  float outScale = 0.0f;

  float value(int64_t o, float accF, int32_t accI, bool exactInt) const {
    float y;
    if (biasI)
      y = static_cast<float>(static_cast<int64_t>(accI) + biasI[o]) *
          accScale[o];
    else
      y = (exactInt ? static_cast<float>(accI) : accF) * accScale[o];
    if (biasF)
      y = y + biasF[o];
    if (relu)
      y = y > 0.0f ? y : 0.0f;
    return y;
  }
};

/// Runs a quantized GEMM (conv when `geom` is set, else linear) with its
/// epilogue, producing the result tensor of `op`.
template <typename OpTy>
llvm::Expected<Tensor> runQCompute(OpTy op, Inputs ins, const ConvGeom *geom) {
  const Tensor &in = *ins[0], &w = *ins[1];
  if (in.precision->isInteger() != w.precision->isInteger())
    return opError(op, "mixes integer and floating-point storage");
  bool exactInt = in.precision->isInteger();
  int64_t o = w.shape[0], k = w.numElements() / o;

  Epilogue ep;
  auto ws = op.getWeightScales();
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != o)
    return opError(op, "has " + llvm::Twine(ws.size()) + " weight scales for " +
                           llvm::Twine(o) + " output channels");
  for (int64_t c = 0; c < o; ++c)
    ep.accScale.push_back(op.getAccumulatorScale(c));
  size_t next = 2;
  if (op.getBias()) {
    const Tensor &bias = *ins[next++];
    if (bias.numElements() != o)
      return opError(op, "has " + llvm::Twine(bias.numElements()) +
                             " biases for " + llvm::Twine(o) + " channels");
    if (bias.kind == ElemKind::I32 && !exactInt)
      return opError(op, "has an i32 bias with floating-point storage");
    if (bias.kind == ElemKind::I32)
      ep.biasI = bias.i32.data();
    else
      ep.biasF = bias.f32.data();
  }
  // The fused qadd of a residual block (qconv2d only).
  const Tensor *residual = nullptr;
  std::optional<QuantSum> sum;
  if constexpr (std::is_same_v<OpTy, QConv2DOp>) {
    if (op.hasResidual()) {
      if (!op.getOutputScale())
        return opError(op, "has a residual but no 'output_scale'");
      residual = ins[next];
      sum = QuantSum{op.getOutputScale()->convertToFloat(),
                     op.getResidualScaleAttr().getValue().convertToFloat(),
                     op.getSumScaleAttr().getValue().convertToFloat(),
                     op.getSumRelu(), resultPrecision(op)};
    }
  }
  ep.relu = op.getRelu();
  if (auto os = op.getOutputScale()) {
    ep.outPrecision = resultPrecision(op);
    ep.outScale = os->convertToFloat();
  }

  std::vector<int64_t> shape =
      geom ? std::vector<int64_t>{geom->n, geom->oh, geom->ow, o}
           : std::vector<int64_t>{in.shape[0], o};
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  if (residual && residual->shape != shape)
    return opError(op, "residual " + shapeString(residual->shape) +
                           " does not match the result " + shapeString(shape));
  Tensor out;
  if (ep.outPrecision) {
    out = makeCoded(shape, ep.outPrecision, sum ? sum->outScale : ep.outScale);
  } else {
    out.shape = shape;
    out.f32.resize(out.numElements());
  }

  std::vector<float> inLut = decodeTable(*in.precision);
  std::vector<float> outLut, resLut;
  if (sum) {
    outLut = decodeTable(*ep.outPrecision);
    resLut = decodeTable(*residual->precision);
  }
  std::vector<float> weights = w.toFloat();
  ActSource src;
  src.codes = in.codes.data();
  src.codeBytes = in.codeBytes();
  src.lut = inLut.data();
  AccumMode mode = exactInt ? AccumMode::ExactInt : AccumMode::F32;
  auto sink = [&](int64_t row0, int64_t rows, const float *accF,
                  const int32_t *accI) {
    for (int64_t i = 0; i < rows * o; ++i) {
      float y =
          ep.value(i % o, accF ? accF[i] : 0.0f, accI ? accI[i] : 0, exactInt);
      int64_t dst = row0 * o + i;
      if (sum) {
        uint32_t q = ep.outPrecision->encode(y / ep.outScale);
        out.setCode(dst, sum->code(outLut[q], resLut[residual->code(dst)]));
      } else if (ep.outPrecision)
        out.setCode(dst, ep.outPrecision->encode(y / ep.outScale));
      else
        out.f32[dst] = y;
    }
  };
  if (geom)
    convGemm(*geom, src, weights.data(), mode, sink);
  else if (in.shape.size() != 2 || in.shape[1] != k)
    return opError(op, "input " + shapeString(in.shape) +
                           " does not match the weight " +
                           shapeString(w.shape));
  else
    matmulRows(src, in.shape[0], k, weights.data(), o, mode, sink);
  return out;
}

} // namespace

bool vggq::exec::detail::isQuantOp(mlir::Operation *op) {
  return llvm::isa<QuantizeOp, DequantizeOp, RequantizeOp, QConv2DOp, QLinearOp,
                   QAddOp>(op);
}

llvm::Expected<Tensor> vggq::exec::detail::runQuantOp(mlir::Operation *op,
                                                      Inputs ins) {
  return llvm::TypeSwitch<mlir::Operation *, llvm::Expected<Tensor>>(op)
      .Case([&](QuantizeOp o) { return runQuantize(o, ins); })
      .Case([&](DequantizeOp o) { return runDequantize(o, ins); })
      .Case([&](RequantizeOp o) { return runRequantize(o, ins); })
      .Case([&](QConv2DOp o) -> llvm::Expected<Tensor> {
        auto g = convGeometry(o, *ins[0], *ins[1]);
        if (!g)
          return g.takeError();
        return runQCompute(o, ins, &*g);
      })
      .Case([&](QLinearOp o) { return runQCompute(o, ins, nullptr); })
      .Case([&](QAddOp o) { return runQAdd(o, ins); })
      .Default([&](mlir::Operation *o) -> llvm::Expected<Tensor> {
        return opError(o, "is not a quantization op");
      });
}
