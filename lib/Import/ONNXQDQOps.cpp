//===- ONNXQDQOps.cpp - ONNX QuantizeLinear/DequantizeLinear handlers -----===//
//
// QDQ models (ONNX Runtime's quantize_static, TensorRT's explicit
// quantization, Model Optimizer) carry their scales in QuantizeLinear /
// DequantizeLinear pairs. On activations they become vggq.quantize and
// vggq.dequantize with the file's scales; a DequantizeLinear of an 8-bit
// initializer (or of a QuantizeLinear of a float one) becomes a quantized
// constant that the Conv and Gemm handlers emit as 8-bit codes followed by
// vggq.dequantize, which --vggq-fuse-qdq turns into qconv2d / qlinear.
//
// vggq's 8-bit storage is symmetric: INT8 with zero point 0, UINT8 with zero
// point 128 (the same codes shifted by 128, stored as INT8), FP8 E4M3FN and
// E5M2 with zero point 0. Every other zero point, data type or attribute is
// an error naming the node.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporter.h"

#include "vggq/Precision/Precision.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;

namespace vggq {
namespace import {

namespace {
// TensorProto data types newer than the ONNX 1.12 headers (onnx.proto keeps
// data_type an int32, so the values parse with any version).
constexpr int32_t kFloat8E4M3FN = 17;
constexpr int32_t kFloat8E4M3FNUZ = 18;
constexpr int32_t kFloat8E5M2 = 19;
constexpr int32_t kFloat8E5M2FNUZ = 20;
constexpr int32_t kUInt4 = 21;
constexpr int32_t kInt4 = 22;

std::string qTypeName(int32_t type) {
  switch (type) {
  case kFloat8E4M3FN:
    return "FLOAT8E4M3FN";
  case kFloat8E4M3FNUZ:
    return "FLOAT8E4M3FNUZ";
  case kFloat8E5M2:
    return "FLOAT8E5M2";
  case kFloat8E5M2FNUZ:
    return "FLOAT8E5M2FNUZ";
  case kUInt4:
    return "UINT4";
  case kInt4:
    return "INT4";
  default:
    return dataTypeName(type);
  }
}

bool isFP8(int32_t type) {
  return type == kFloat8E4M3FN || type == kFloat8E5M2;
}

/// The elements of an 8-bit or INT32 tensor: signed values for INT8 and
/// INT32, 0..255 for UINT8, the byte code for FP8.
llvm::Expected<std::vector<int64_t>>
decodeIntegers(const onnx::TensorProto &t,
               llvm::SmallVectorImpl<int64_t> &shape) {
  auto fail = [&](const llvm::Twine &msg) {
    return llvm::createStringError("tensor '" + t.name() + "' " + msg);
  };
  uint64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t(1) << 40))
      return fail("has an invalid dimension " + llvm::Twine(d));
    shape.push_back(d);
    count *= uint64_t(d);
    if (count > (uint64_t(1) << 40))
      return fail("is too large");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("is stored as external data, which is not supported");
  int32_t type = t.data_type();
  bool is32 = type == onnx::TensorProto::INT32;
  // The FNUZ types are read so that the caller can name them.
  if (!is32 && type != onnx::TensorProto::INT8 &&
      type != onnx::TensorProto::UINT8 && !isFP8(type) &&
      type != kFloat8E4M3FNUZ && type != kFloat8E5M2FNUZ)
    return fail("has data type " + qTypeName(type) +
                "; expected INT8, UINT8, FLOAT8E4M3FN, FLOAT8E5M2 or INT32");
  std::vector<int64_t> values;
  values.reserve(count);
  const std::string &raw = t.raw_data();
  if (!raw.empty()) {
    size_t width = is32 ? 4 : 1;
    if (raw.size() != count * width)
      return fail("has " + llvm::Twine(raw.size()) + " raw bytes for " +
                  llvm::Twine(count) + " " + qTypeName(type) + " elements");
    for (uint64_t i = 0; i < count; ++i) {
      if (is32) {
        uint32_t u = 0;
        for (int b = 3; b >= 0; --b)
          u = (u << 8) | uint8_t(raw[i * 4 + b]);
        values.push_back(int32_t(u));
      } else if (type == onnx::TensorProto::INT8) {
        values.push_back(int8_t(raw[i]));
      } else {
        values.push_back(uint8_t(raw[i]));
      }
    }
    return values;
  }
  if (uint64_t(t.int32_data_size()) != count)
    return fail("has " + llvm::Twine(t.int32_data_size()) + " values for " +
                llvm::Twine(count) + " elements");
  for (auto [i, v] : llvm::enumerate(t.int32_data())) {
    // int32_data holds one 8-bit value per entry: a value outside the type's
    // range is an error, not a silent wrap.
    int64_t lo = type == onnx::TensorProto::INT8 ? -128 : 0;
    int64_t hi = type == onnx::TensorProto::INT8 ? 127 : 255;
    if (!is32 && (v < lo || v > hi))
      return fail("has value " + llvm::Twine(v) + " at index " +
                  llvm::Twine(i) + ", out of the " + qTypeName(type) +
                  " range [" + llvm::Twine(lo) + ", " + llvm::Twine(hi) + "]");
    values.push_back(v);
  }
  return values;
}

/// NCHW axis -> NHWC axis of a rank-4 activation (other ranks keep theirs).
int64_t irAxisOf(int64_t onnxAxis, int64_t rank) {
  if (rank != 4)
    return onnxAxis;
  static constexpr int64_t kToNHWC[4] = {0, 3, 1, 2};
  return kToNHWC[onnxAxis];
}
} // namespace

std::vector<int64_t> QuantParams::storageZeroPoint() const {
  std::vector<int64_t> zp(scales.size(), 0);
  for (size_t i = 0; i < zp.size(); ++i) {
    zp[i] = zeroPoint.empty() ? 0 : zeroPoint[i];
    if (shifted)
      zp[i] -= 128;
  }
  return zp;
}

mlir::Type QuantParams::storageType(MLIRContext &ctx) const {
  if (type == kFloat8E4M3FN)
    return Float8E4M3FNType::get(&ctx);
  if (type == kFloat8E5M2)
    return Float8E5M2Type::get(&ctx);
  return IntegerType::get(&ctx, 8);
}

llvm::Expected<QuantParams>
ONNXImporter::readQuantParams(llvm::StringRef xName,
                              llvm::ArrayRef<int64_t> xShape,
                              std::optional<int32_t> xType, bool dequantize) {
  QuantParams params;
  llvm::Expected<const HostTensor *> scaleOr = constantInput(1, "scale");
  if (!scaleOr)
    return scaleOr.takeError();
  const HostTensor &scale = **scaleOr;
  const std::string &scaleName = node->input(1);
  if (scale.isInt)
    return nodeError("scale '" + scaleName + "' is INT64; expected FLOAT");
  if (int64_t blockSize = getIntAttr(*node, "block_size", 0))
    return nodeError("unsupported: block_size " + llvm::Twine(blockSize) +
                     " (blocked quantization); only per-tensor and "
                     "per-axis scales are supported");
  int64_t rank = xShape.size();
  int64_t axis = getIntAttr(*node, "axis", 1);
  if (scale.shape.size() > 1)
    return nodeError("scale '" + scaleName + "' has shape " +
                     formatShape(scale.shape) +
                     "; expected a scalar or a 1-D tensor (blocked scales are "
                     "not supported)");
  // A one-element scale is per tensor (as ONNX Runtime reads [1]).
  bool perAxis = scale.shape.size() == 1 && scale.numElements() > 1;
  if ((perAxis || findAttr(*node, "axis")) && (axis < -rank || axis >= rank))
    return nodeError("axis " + llvm::Twine(axis) +
                     " is out of range for input '" + xName.str() +
                     "' of rank " + llvm::Twine(rank));
  if (axis < 0)
    axis += rank;
  if (scale.numElements() < 1)
    return nodeError("scale '" + scaleName + "' is empty");
  if (perAxis) {
    if (scale.shape[0] != xShape[axis])
      return nodeError("scale '" + scaleName + "' has " +
                       llvm::Twine(scale.shape[0]) + " values, but axis " +
                       llvm::Twine(axis) + " of input '" + xName.str() +
                       "' has size " + llvm::Twine(xShape[axis]));
    params.axis = axis;
  }
  for (auto [i, s] : llvm::enumerate(scale.f32))
    if (!(s > 0.0f) || !std::isfinite(s))
      return nodeError("scale '" + scaleName + "' has value " +
                       std::to_string(s) + " at index " + llvm::Twine(i) +
                       "; every scale must be finite and > 0");
  params.scales.assign(scale.f32.begin(), scale.f32.end());

  // The data type: the zero point's, else the input's (DequantizeLinear),
  // else output_dtype or UINT8 (QuantizeLinear).
  std::vector<int64_t> zeroPoint;
  std::optional<int32_t> zpType;
  std::string zpName = hasInput(2) ? node->input(2) : "";
  if (!zpName.empty()) {
    // An initializer, a Constant, or a graph input given as data (vggq-run
    // --input binds it at import time, as it binds a Conv weight).
    const onnx::TensorProto *zpProto = nullptr;
    if (auto it = initializers.find(zpName); it != initializers.end())
      zpProto = it->second;
    else if (auto b = boundInputs.find(zpName); b != boundInputs.end())
      zpProto = &b->second;
    if (!zpProto)
      return nodeError("zero point '" + zpName +
                       "' is not an initializer, a Constant or a graph input "
                       "given as data; it must be known at import time");
    llvm::SmallVector<int64_t, 4> zpShape;
    llvm::Expected<std::vector<int64_t>> zp = decodeIntegers(*zpProto, zpShape);
    if (!zp)
      return nodeError("zero point: " + llvm::toString(zp.takeError()));
    if (zpShape != llvm::SmallVector<int64_t, 4>(scale.shape.begin(),
                                                 scale.shape.end()) &&
        !(zp->size() == 1 && scale.numElements() == 1))
      return nodeError("zero point '" + zpName + "' has shape " +
                       formatShape(zpShape) + " but scale '" + scaleName +
                       "' has shape " + formatShape(scale.shape));
    zeroPoint = std::move(*zp);
    zpType = zpProto->data_type();
    if (zeroPoint.size() != params.scales.size())
      return nodeError("zero point '" + zpName + "' has " +
                       llvm::Twine(zeroPoint.size()) + " values for " +
                       llvm::Twine(params.scales.size()) + " scales");
  }
  if (zpType && xType && *zpType != *xType)
    return nodeError("mismatched types: zero point '" + zpName + "' is " +
                     qTypeName(*zpType) + " but input '" + xName.str() +
                     "' is " + qTypeName(*xType));
  if (zpType)
    params.type = *zpType;
  else if (xType)
    params.type = *xType;
  else
    params.type = getIntAttr(*node, "output_dtype", 0);
  // output_dtype 0 (UNDEFINED) means "from the zero point, else UINT8".
  int64_t outputType = dequantize ? 0 : getIntAttr(*node, "output_dtype", 0);
  if (!zpType && !xType && outputType == 0)
    params.type = onnx::TensorProto::UINT8;
  if (zpType && outputType != 0 && outputType != *zpType)
    return nodeError("mismatched types: output_dtype is " +
                     qTypeName(outputType) + " but zero point '" + zpName +
                     "' is " + qTypeName(*zpType));

  switch (params.type) {
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case kFloat8E4M3FN:
  case kFloat8E5M2:
    break;
  case onnx::TensorProto::INT32:
    if (dequantize)
      break; // a bias, dequantized at import time
    [[fallthrough]];
  case kFloat8E4M3FNUZ:
  case kFloat8E5M2FNUZ:
    if (params.type != onnx::TensorProto::INT32)
      return nodeError(
          "unsupported: FP8 type " + qTypeName(params.type) +
          " (the FNUZ variant, without negative zero and with a different "
          "bias); vggq reads FLOAT8E4M3FN and FLOAT8E5M2");
    [[fallthrough]];
  default:
    return nodeError("unsupported: quantized data type " +
                     qTypeName(params.type) +
                     " (supported: INT8, UINT8, FLOAT8E4M3FN, FLOAT8E5M2" +
                     (dequantize ? ", INT32 for a bias" : "") + ")");
  }
  if (isFP8(params.type) && getIntAttr(*node, "saturate", 1) == 0)
    return nodeError("unsupported: saturate 0 (vggq's FP8 conversion "
                     "saturates to the largest finite value)");
  // INT8 and UINT8 take any zero point: zero point 0 (INT8) and 128 (UINT8)
  // are vggq's symmetric storage, every other one is affine (a vggq.quantize
  // / dequantize with a zero_point, the full INT8 range). UINT8 is stored as
  // INT8 codes minus 128 either way.
  int64_t expected = params.type == onnx::TensorProto::UINT8 ? 128 : 0;
  params.shifted = params.type == onnx::TensorProto::UINT8;
  params.zeroPoint = zeroPoint;
  for (auto [i, zp] : llvm::enumerate(zeroPoint)) {
    if (zp == expected)
      continue;
    // FP8 codes 0 and 0x80 are +0 and -0.
    if (isFP8(params.type) && zp == 0x80)
      continue;
    if (isFP8(params.type))
      return nodeError("unsupported: zero point code " + llvm::Twine(zp) +
                       " of " + qTypeName(params.type) + " '" + zpName +
                       "' at index " + llvm::Twine(i) +
                       " (FP8 quantization has zero point 0)");
    if (params.type == onnx::TensorProto::INT32)
      return nodeError("zero point " + llvm::Twine(zp) + " of INT32 '" +
                       zpName + "' at index " + llvm::Twine(i) +
                       "; an INT32 bias has zero point 0");
    params.asymmetric = true;
  }
  // UINT8 without a zero point is zero point 0: affine.
  if (zeroPoint.empty() && params.type == onnx::TensorProto::UINT8)
    params.asymmetric = true;
  return params;
}

llvm::Error ONNXImporter::importQuantizeLinear() {
  if (llvm::Error err = checkExtraOutputs(1))
    return err;
  if (!hasInput(0))
    return nodeError("missing input 0");
  const std::string &xName = node->input(0);
  // A computed tensor or a graph input given as data (an argument).
  bool isActivation = activations.count(xName) ||
                      (boundInputs.count(xName) && !initializers.count(xName) &&
                       !constants.count(xName));
  if (isActivation) {
    llvm::Expected<Activation> x = activationInput(0);
    if (!x)
      return x.takeError();
    auto type = cast<RankedTensorType>(x->value.getType());
    if (!type.getElementType().isF32())
      return nodeError(
          "mismatched types: input '" + xName + "' is already quantized (" +
          typeName(type.getElementType()) + "); expected a FLOAT tensor");
    llvm::Expected<QuantParams> params =
        readQuantParams(xName, onnxDims(*x), std::nullopt, false);
    if (!params)
      return params.takeError();
    std::optional<int64_t> axis;
    if (params->axis)
      axis = irAxisOf(*params->axis, x->rank());
    // Affine for an asymmetric zero point, and for codes that are the graph's
    // result (ONNX's full-range clamp is then visible); a symmetric Q inside
    // a QDQ model keeps vggq's symmetric storage, which fuse-qdq fuses.
    bool isGraphOutput = llvm::any_of(graph.output(), [&](const auto &out) {
      return out.name() == node->output(0);
    });
    std::vector<int64_t> zeroPoint;
    if (!isFP8(params->type) && (params->asymmetric || isGraphOutput))
      zeroPoint = params->storageZeroPoint();
    Value q =
        builder->quantize(nodeLocName(), x->value, params->storageType(ctx),
                          params->scales, axis, zeroPoint);
    define(0, {q, x->flattenedCHW});
    quantizedTypes[node->output(0)] = params->type;
    return llvm::Error::success();
  }

  // A float initializer quantized at import time (weights written as
  // QuantizeLinear -> DequantizeLinear of float32, as pytorch-quantization
  // exports them), with ONNX's rounding: half to even, saturated.
  llvm::Expected<const HostTensor *> xOr = constantInput(0, "input");
  if (!xOr)
    return xOr.takeError();
  const HostTensor &x = **xOr;
  if (x.isInt)
    return nodeError("mismatched types: input '" + xName +
                     "' is INT64; expected FLOAT");
  llvm::Expected<QuantParams> params =
      readQuantParams(xName, x.shape, std::nullopt, false);
  if (!params)
    return params.takeError();
  QuantizedConstant qc;
  qc.shape = x.shape;
  qc.type = params->type;
  int64_t inner = 1, dim = 1;
  if (params->axis) {
    dim = x.shape[*params->axis];
    for (size_t d = *params->axis + 1; d < x.shape.size(); ++d)
      inner *= x.shape[d];
  }
  const Precision *fp8 =
      isFP8(params->type) ? lookupPrecision(params->storageType(ctx)) : nullptr;
  // The codes as ONNX defines them: round half to even, add the zero point,
  // clamp to the type's range (UINT8 [0, 255]).
  double lo = params->type == onnx::TensorProto::UINT8 ? 0.0 : -128.0;
  double hi = params->type == onnx::TensorProto::UINT8 ? 255.0 : 127.0;
  qc.codes.resize(x.f32.size());
  for (size_t i = 0; i < x.f32.size(); ++i) {
    int64_t j = params->axis ? (int64_t(i) / inner) % dim : 0;
    float v = x.f32[i] / params->scales[j];
    if (fp8) {
      qc.codes[i] = float(fp8->encode(v));
    } else {
      double zp = params->zeroPoint.empty() ? 0.0 : double(params->zeroPoint[j]);
      double r = std::nearbyint(double(v)) + zp;
      qc.codes[i] = float(std::clamp(r, lo, hi));
    }
  }
  quantizedCodes[node->output(0)] = std::move(qc);
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importDequantizeLinear() {
  if (llvm::Error err = checkExtraOutputs(1))
    return err;
  if (!hasInput(0))
    return nodeError("missing input 0");
  const std::string &xName = node->input(0);
  // A computed tensor, or an INT8/UINT8 graph input given as data (an i8
  // argument of @forward).
  bool isActivation =
      activations.count(xName) ||
      (boundInputs.count(xName) && !initializers.count(xName) &&
       !constants.count(xName) && !quantizedCodes.count(xName));
  if (isActivation) {
    llvm::Expected<Activation> x =
        activationInput(0, /*allowTransposed=*/false, /*allowInt8=*/true);
    if (!x)
      return x.takeError();
    Type elem = cast<RankedTensorType>(x->value.getType()).getElementType();
    std::optional<int32_t> xType;
    if (auto known = quantizedTypes.find(xName); known != quantizedTypes.end())
      xType = known->second;
    else if (isa<Float8E4M3FNType>(elem))
      xType = kFloat8E4M3FN;
    else if (isa<Float8E5M2Type>(elem))
      xType = kFloat8E5M2;
    else if (!elem.isInteger(8))
      return nodeError("mismatched types: input '" + xName + "' is " +
                       (elem.isF32() ? std::string("FLOAT") : typeName(elem)) +
                       "; expected a tensor quantized by a QuantizeLinear");
    // An i8 tensor of unknown origin (a MaxPool of a quantized tensor) is
    // INT8 or a shifted UINT8: the zero point says which.
    llvm::Expected<QuantParams> params =
        readQuantParams(xName, onnxDims(*x), xType, true);
    if (!params)
      return params.takeError();
    if (params->type == onnx::TensorProto::INT32)
      return nodeError("mismatched types: INT32 input '" + xName +
                       "' is computed at run time; only an INT32 bias "
                       "initializer can be dequantized");
    std::optional<int64_t> axis;
    if (params->axis)
      axis = irAxisOf(*params->axis, x->rank());
    // Storage zero points all 0 (INT8 0, UINT8 128): code * scale, the
    // symmetric dequantize; any other: (code - zero_point) * scale.
    std::vector<int64_t> zeroPoint = params->storageZeroPoint();
    if (llvm::all_of(zeroPoint, [](int64_t z) { return z == 0; }) ||
        isFP8(params->type))
      zeroPoint.clear();
    define(0, {builder->dequantize(nodeLocName(), x->value, params->scales,
                                   axis, zeroPoint),
               x->flattenedCHW});
    return llvm::Error::success();
  }

  // A constant: an 8-bit or INT32 initializer, or the codes of a
  // QuantizeLinear of a float initializer.
  QuantizedConstant qc;
  if (auto it = quantizedCodes.find(xName); it != quantizedCodes.end()) {
    qc = it->second;
  } else if (auto init = initializers.find(xName); init != initializers.end()) {
    std::vector<int64_t> values;
    llvm::Expected<std::vector<int64_t>> decoded =
        decodeIntegers(*init->second, qc.shape);
    if (!decoded)
      return nodeError(llvm::toString(decoded.takeError()));
    qc.type = init->second->data_type();
    qc.codes.assign(decoded->begin(), decoded->end());
  } else if (constants.count(xName)) {
    return nodeError("mismatched types: input '" + xName +
                     "' is a float constant; expected an INT8, UINT8, FP8 "
                     "or INT32 initializer");
  } else {
    return nodeError("input '" + xName +
                     "' is not defined by the graph input, an initializer "
                     "or an earlier node");
  }
  llvm::Expected<QuantParams> params =
      readQuantParams(xName, qc.shape, qc.type, true);
  if (!params)
    return params.takeError();
  qc.scales = params->scales;
  qc.axis = params->axis;
  qc.storage = params->storageType(ctx);
  // The scale (and zero point) index of element i: its index along the axis.
  int64_t inner = 1, dim = 1;
  if (qc.axis) {
    dim = qc.shape[*qc.axis];
    for (size_t d = *qc.axis + 1; d < qc.shape.size(); ++d)
      inner *= qc.shape[d];
  }
  auto channelOf = [&](size_t i) -> int64_t {
    return qc.axis ? (int64_t(i) / inner) % dim : 0;
  };
  if (params->asymmetric) {
    // (code - zero_point) * scale, folded: the weight or bias stays f32
    // (vggq's quantized layers take symmetric 8-bit weights).
    HostTensor value;
    value.shape = qc.shape;
    value.f32.resize(qc.codes.size());
    for (size_t i = 0; i < qc.codes.size(); ++i) {
      int64_t j = channelOf(i);
      float zp = params->zeroPoint.empty() ? 0.0f : float(params->zeroPoint[j]);
      value.f32[i] = (qc.codes[i] - zp) * qc.scales[j];
    }
    constants[node->output(0)] = std::move(value);
    return llvm::Error::success();
  }
  if (params->shifted)
    for (float &c : qc.codes)
      c -= 128.0f; // UINT8 with zero point 128 as INT8 codes
  const Precision *p = isFP8(qc.type) ? lookupPrecision(qc.storage) : nullptr;
  HostTensor value;
  value.shape = qc.shape;
  value.f32.resize(qc.codes.size());
  for (size_t i = 0; i < qc.codes.size(); ++i) {
    float s = qc.scales[channelOf(i)];
    float real = p ? p->decode(uint32_t(qc.codes[i])) : qc.codes[i];
    value.f32[i] = real * s;
  }
  constants[node->output(0)] = std::move(value);
  if (qc.type != onnx::TensorProto::INT32)
    quantizedConstants[node->output(0)] = std::move(qc);
  return llvm::Error::success();
}

const QuantizedConstant *
ONNXImporter::quantizedConstant(const std::string &name) const {
  auto it = quantizedConstants.find(name);
  return it == quantizedConstants.end() ? nullptr : &it->second;
}

Value ONNXImporter::emitQuantizedWeight(const std::string &tensor,
                                        const QuantizedConstant &qc,
                                        llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<float> codes,
                                        std::optional<int64_t> axis) {
  std::vector<char> bytes(codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    bytes[i] = char(uint8_t(int64_t(codes[i]) & 0xff));
  std::string name = resourceName(tensor, "weight_q");
  Value c = builder->rawConstant(name, shape, qc.storage, bytes);
  return builder->dequantize(name, c, qc.scales, axis);
}

llvm::Expected<std::optional<ONNXImporter::LinearCodes>>
ONNXImporter::linearCodes(
    const std::string &name, int64_t outAxis,
    llvm::function_ref<std::vector<float>(const std::vector<float> &)> toOK) {
  const QuantizedConstant *qc = quantizedConstant(name);
  if (!qc)
    return std::nullopt;
  if (qc->axis && *qc->axis != outAxis)
    return nodeError("unsupported: weight '" + name +
                     "' is dequantized along axis " + llvm::Twine(*qc->axis) +
                     " (its input features); only per-tensor and "
                     "per-output-channel (axis " +
                     llvm::Twine(outAxis) + ") weight scales are supported");
  LinearCodes codes{qc, toOK(qc->codes), std::nullopt};
  if (qc->axis)
    codes.axis = 0;
  return codes;
}

llvm::Expected<Value> ONNXImporter::convWeight(const HostTensor &weight) {
  const std::string &name = node->input(1);
  const QuantizedConstant *qc = quantizedConstant(name);
  if (!qc)
    return builder->convWeightFromOIHW(resourceName(name, "weight"),
                                       weight.shape, weight.f32);
  if (qc->axis && *qc->axis != 0)
    return nodeError("unsupported: weight '" + name +
                     "' is dequantized along axis " + llvm::Twine(*qc->axis) +
                     "; only per-tensor and per-output-channel (axis 0) "
                     "weight scales are supported");
  int64_t o = weight.shape[0], i = weight.shape[1], h = weight.shape[2],
          w = weight.shape[3];
  std::vector<float> ohwi(qc->codes.size());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t c = 0; c < i; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          ohwi[((a * h + y) * w + x) * i + c] =
              qc->codes[((a * i + c) * h + y) * w + x];
  std::optional<int64_t> axis;
  if (qc->axis)
    axis = 0;
  return emitQuantizedWeight(name, *qc, {o, h, w, i}, ohwi, axis);
}

std::string ONNXImporter::nodeLocName() const {
  return node->name().empty() ? layer + "." + node->op_type() : node->name();
}

std::string typeName(mlir::Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

} // namespace import
} // namespace vggq
