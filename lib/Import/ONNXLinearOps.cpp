//===- ONNXLinearOps.cpp - ONNX flatten, linear and misc handlers ---------===//
//
// Flatten/Reshape to [N, features], Gemm and MatMul(+Add) as vggq.linear,
// Softmax, the inference no-ops (Identity, Dropout) and Constant. A linear
// layer reading a flattened NCHW tensor gets its weight columns permuted from
// CHW to HWC order, the order vggq.flatten produces on NHWC data.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporter.h"

using namespace mlir;

namespace vggq {
namespace import {

namespace {
/// Flattens an activation to [N, features], remembering the NCHW extents
/// of a rank-4 one (any other rank is in ONNX's order already).
Activation flattenActivation(GraphBuilder &builder, llvm::StringRef layer,
                             const Activation &x) {
  if (x.rank() == 2)
    return x;
  if (x.rank() != 4)
    return {builder.flatten(layer, x.value), x.flattenedCHW};
  std::array<int64_t, 3> chw = {dimSize(x.value, 3), dimSize(x.value, 1),
                                dimSize(x.value, 2)};
  return {builder.flatten(layer, x.value), chw};
}
/// `dims` with the dynamic batch size printed as "batch".
std::string shapeWithBatch(llvm::ArrayRef<int64_t> dims) {
  std::string out = "[";
  for (auto [i, d] : llvm::enumerate(dims))
    out += (i ? ", " : "") +
           (d == kDynamicBatch ? std::string("batch") : std::to_string(d));
  return out + "]";
}
} // namespace

llvm::Error ONNXImporter::importFlatten() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  int64_t axis = getIntAttr(*node, "axis", 1);
  if (axis < 0)
    axis += x->rank();
  if (axis != 1) {
    if (axis < 0 || axis > x->rank())
      return nodeError("axis " + llvm::Twine(getIntAttr(*node, "axis", 1)) +
                       " is out of range for input " + onnxShape(*x));
    // [prod(dims before axis), prod(dims from axis)] in ONNX's order.
    llvm::SmallVector<int64_t, 4> dims = onnxDims(*x);
    if (ShapedType::isDynamic(dims[0]))
      return nodeError("axis " + llvm::Twine(getIntAttr(*node, "axis", 1)) +
                       " mixes the batch axis with others, which needs a "
                       "static batch (only axis 1 keeps a dynamic one)");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < x->rank(); ++i)
      (i < axis ? outer : inner) *= dims[i];
    return emitOnnxReshape(*x, {outer, inner});
  }
  define(0, flattenActivation(*builder, layer, *x));
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importReshape() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  llvm::Expected<const HostTensor *> shapeOr = constantInput(1, "shape");
  if (!shapeOr)
    return shapeOr.takeError();
  const HostTensor &shape = **shapeOr;
  int64_t features = 1;
  auto type = cast<RankedTensorType>(x->value.getType());
  for (int64_t d : type.getShape().drop_front())
    features *= d;
  bool ok = shape.isInt && shape.i64.size() == 2 &&
            getIntAttr(*node, "allowzero", 0) == 0;
  if (ok) {
    int64_t n = shape.i64[0], f = shape.i64[1];
    // x.view(x.size(0), -1) gives the dynamic batch as n.
    // A static batch must be kept as it is.
    int64_t batch = type.getDimSize(0);
    ok = (n == 0 || n == -1 || n > 0 || n == kDynamicBatch) &&
         (f == -1 || f == features) && !(n == -1 && f == -1) &&
         (ShapedType::isDynamic(batch) || n <= 0 || n == batch);
  }
  if (!ok) {
    // Any other reshape, in ONNX's order of the elements.
    if (!shape.isInt)
      return nodeError("shape '" + node->input(1) +
                       "' is float; expected "
                       "int64");
    llvm::Expected<llvm::SmallVector<int64_t, 4>> target = reshapeTarget(
        onnxDims(*x), shape.i64, getIntAttr(*node, "allowzero", 0) != 0);
    if (!target)
      return nodeError("shape '" + node->input(1) + "' is " +
                       shapeWithBatch(shape.i64) + ": " +
                       llvm::toString(target.takeError()));
    return emitOnnxReshape(*x, *target);
  }
  define(0, flattenActivation(*builder, layer, *x));
  return llvm::Error::success();
}

llvm::Error ONNXImporter::emitLinear(const Activation &input,
                                     const std::string &weightName,
                                     std::vector<float> weight, int64_t out,
                                     int64_t in, const std::string &biasName,
                                     const HostTensor *bias,
                                     const std::string &output,
                                     std::optional<LinearCodes> quantized) {
  if (input.rank() != 2)
    return nodeError("input '" + node->input(0) +
                     "' is not flattened to [N, features]");
  if (dimSize(input.value, 1) != in)
    return nodeError("weight '" + node->input(1) + "' expects " +
                     llvm::Twine(in) + " input features, but input '" +
                     node->input(0) + "' has " +
                     llvm::Twine(dimSize(input.value, 1)));
  if (bias) {
    int64_t count = bias->numElements();
    bool shapeOk = bias->shape.size() == 1 ||
                   (bias->shape.size() == 2 && bias->shape[0] == 1);
    if (bias->isInt || !shapeOk || count != out)
      return nodeError("bias '" + biasName + "' has shape " +
                       formatShape(bias->shape) + "; expected [" +
                       llvm::Twine(out) + "]");
  }
  auto permute = [&](std::vector<float> &data) {
    if (!input.flattenedCHW)
      return;
    auto [c, h, w] = *input.flattenedCHW;
    if (h * w == 1)
      return;
    std::vector<float> permuted(data.size());
    for (int64_t o = 0; o < out; ++o)
      for (int64_t ci = 0; ci < c; ++ci)
        for (int64_t y = 0; y < h; ++y)
          for (int64_t x = 0; x < w; ++x)
            permuted[o * in + (y * w + x) * c + ci] =
                data[o * in + (ci * h + y) * w + x];
    data = std::move(permuted);
  };
  Value wv;
  if (quantized) {
    permute(quantized->codes);
    wv = emitQuantizedWeight(weightName, *quantized->constant, {out, in},
                             quantized->codes, quantized->axis);
  } else {
    permute(weight);
    wv = builder->constant(resourceName(weightName, "weight"), {out, in},
                           weight);
  }
  Value bv =
      bias ? builder->constant(resourceName(biasName, "bias"), {out}, bias->f32)
           : Value();
  activations[output] = {builder->linear(layer, input.value, wv, bv),
                         std::nullopt};
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importGemm() {
  llvm::Expected<Activation> a = activationInput(0);
  if (!a)
    return a.takeError();
  llvm::Expected<const HostTensor *> b = constantInput(1, "weight");
  if (!b)
    return b.takeError();
  const HostTensor *c = nullptr;
  if (hasInput(2)) {
    llvm::Expected<const HostTensor *> cOr = constantInput(2, "bias");
    if (!cOr)
      return cOr.takeError();
    c = *cOr;
  }
  if (getIntAttr(*node, "transA", 0) != 0) {
    // A is [K, M]: its rows become the features, so both sizes must be
    // static (the batch of the product is M).
    auto type = cast<RankedTensorType>(a->value.getType());
    bool hwc =
        a->flattenedCHW && (*a->flattenedCHW)[1] * (*a->flattenedCHW)[2] > 1;
    if (type.getRank() != 2 || !type.hasStaticShape() || hwc)
      return nodeError("transA 1 needs a static [K, M] input A, got " +
                       onnxShape(*a) +
                       " (transposing it makes its rows the features)");
    *a = Activation(builder->transpose(layer + ".transA", a->value, {1, 0}));
  }
  float alpha = getFloatAttr(*node, "alpha", 1.0f);
  float beta = getFloatAttr(*node, "beta", 1.0f);
  const HostTensor &w = **b;
  if (w.isInt || w.shape.size() != 2)
    return nodeError("weight '" + node->input(1) + "' has shape " +
                     formatShape(w.shape) + "; expected float32 rank 2");
  bool transB = getIntAttr(*node, "transB", 0) != 0;
  int64_t out = transB ? w.shape[0] : w.shape[1];
  int64_t in = transB ? w.shape[1] : w.shape[0];
  auto toOK = [&](const std::vector<float> &src) {
    std::vector<float> dst = src;
    if (!transB)
      for (int64_t o = 0; o < out; ++o)
        for (int64_t k = 0; k < in; ++k)
          dst[o * in + k] = src[k * out + o];
    return dst;
  };
  llvm::Expected<std::optional<LinearCodes>> codes =
      linearCodes(node->input(1), transB ? 0 : 1, toOK);
  if (!codes)
    return codes.takeError();
  // Y = alpha * A * B + beta * C: alpha scales the weight and beta the bias
  // (exactly so for alpha or beta 1; otherwise one f32 rounding of each
  // product, where ONNX rounds alpha * (A * B) instead).
  if (alpha != 1.0f && *codes)
    return nodeError("unsupported: alpha " + std::to_string(alpha) +
                     " with a dequantized weight (the weight's codes and "
                     "scales would no longer match it)");
  std::vector<float> weight = toOK(w.f32);
  if (alpha != 1.0f)
    for (float &v : weight)
      v *= alpha;
  HostTensor scaledBias;
  if (c) {
    // C broadcasts to [N, out]: a scalar, [1], [out] or [1, out] is one
    // bias per output; a [N, out] matrix depends on the row.
    int64_t count = c->numElements();
    bool perOutput = c->shape.size() <= 2 && !c->isInt &&
                     (count == 1 || (count == out && c->shape.back() == out));
    int64_t rows = dimSize(a->value, 0);
    bool perElement = !c->isInt && c->shape.size() == 2 && c->shape[1] == out &&
                      !ShapedType::isDynamic(rows) && c->shape[0] == rows;
    if (!perOutput && perElement) {
      // A [M, N] matrix: the product plus beta * C, with a static M.
      if (llvm::Error err = emitLinear(*a, node->input(1), std::move(weight),
                                       out, in, "", nullptr, node->output(0)))
        return err;
      std::vector<float> matrix = c->f32;
      if (beta != 1.0f)
        for (float &v : matrix)
          v *= beta;
      Value cv = builder->constant(resourceName(node->input(2), "bias"),
                                   {rows, out}, matrix);
      Value product = activations[node->output(0)].value;
      define(0, {builder->add(layer + ".bias", product, cv), std::nullopt});
      return llvm::Error::success();
    }
    if (!perOutput)
      return nodeError("bias '" + node->input(2) + "' has shape " +
                       formatShape(c->shape) + "; only a bias per output ([" +
                       llvm::Twine(out) + "], [1, " + llvm::Twine(out) +
                       "] or a scalar) or a [" +
                       (ShapedType::isDynamic(rows) ? std::string("?")
                                                    : std::to_string(rows)) +
                       ", " + llvm::Twine(out) +
                       "] matrix with a static batch is supported");
    scaledBias.shape = {out};
    scaledBias.f32.assign(out, c->f32[0]);
    if (count == out)
      scaledBias.f32 = c->f32;
    if (beta != 1.0f)
      for (float &v : scaledBias.f32)
        v *= beta;
    c = &scaledBias;
  }
  return emitLinear(*a, node->input(1), std::move(weight), out, in,
                    c ? node->input(2) : "", c, node->output(0), *codes);
}

llvm::Error ONNXImporter::importMatMul() {
  llvm::Expected<Activation> a = activationInput(0);
  if (!a)
    return a.takeError();
  llvm::Expected<const HostTensor *> b = constantInput(1, "weight");
  if (!b)
    return b.takeError();
  const HostTensor &w = **b;
  if (w.isInt || w.shape.size() != 2)
    return nodeError("weight '" + node->input(1) + "' has shape " +
                     formatShape(w.shape) + "; expected float32 [K, O]");
  int64_t in = w.shape[0], out = w.shape[1];
  auto toOK = [&](const std::vector<float> &src) {
    std::vector<float> dst(src.size());
    for (int64_t o = 0; o < out; ++o)
      for (int64_t k = 0; k < in; ++k)
        dst[o * in + k] = src[k * out + o];
    return dst;
  };
  std::vector<float> weight = toOK(w.f32);
  llvm::Expected<std::optional<LinearCodes>> codes =
      linearCodes(node->input(1), 1, toOK);
  if (!codes)
    return codes.takeError();

  // MatMul + Add(bias), as some exporters write a Linear: fold the bias into
  // the linear when the Add is the product's only user.
  const std::string &product = node->output(0);
  std::string output = product, biasName;
  const HostTensor *bias = nullptr;
  for (size_t i = nodeIndex + 1, e = graph.node_size();
       useCounts.lookup(product) == 1 && i < e; ++i) {
    const onnx::NodeProto &next = graph.node(i);
    if (!llvm::is_contained(next.input(), product))
      continue;
    if (next.op_type() == "Add" && next.input_size() == 2 &&
        next.output_size() == 1) {
      const std::string &other =
          next.input(0) == product ? next.input(1) : next.input(0);
      if (initializers.count(other) || constants.count(other)) {
        llvm::Expected<const HostTensor *> biasOr =
            constantNamed(other, "bias");
        if (!biasOr)
          return biasOr.takeError();
        bias = *biasOr;
        biasName = other;
        output = next.output(0);
        consumed.insert(i);
      }
    }
    break;
  }
  return emitLinear(*a, node->input(1), std::move(weight), out, in, biasName,
                    bias, output, *codes);
}

llvm::Error ONNXImporter::importAdd() {
  // An activation plus a constant that broadcasts per channel (ONNX axis 1
  // of a rank-4 tensor, the last axis otherwise) or to every element: the
  // inference batch norm with unit scale and variance and epsilon 0 adds it
  // exactly ((x - 0) / sqrt(1) * 1 + c), and fold-batchnorm can move it
  // into the conv before.
  int constIdx = -1;
  auto isHost = [&](int i) {
    return hasInput(i) && (constants.count(node->input(i)) ||
                           initializers.count(node->input(i)));
  };
  if (isHost(0) != isHost(1))
    constIdx = isHost(0) ? 0 : 1;
  if (constIdx < 0 && hasInput(0) && hasInput(1)) {
    // Two graph inputs given as data: the smaller one of another shape is
    // the constant.
    auto b0 = boundInputs.find(node->input(0)),
         b1 = boundInputs.find(node->input(1));
    if (b0 != boundInputs.end() && b1 != boundInputs.end() &&
        !activations.count(node->input(0)) &&
        !activations.count(node->input(1))) {
      auto count = [](const onnx::TensorProto &t) {
        int64_t n = 1;
        for (int64_t d : t.dims())
          n *= d;
        return n;
      };
      int64_t n0 = count(b0->second), n1 = count(b1->second);
      if (n0 != n1)
        constIdx = n0 < n1 ? 0 : 1;
    }
  }
  if (constIdx >= 0)
    return importAddConstant(constIdx);

  // INT8 / UINT8 graph inputs add as integers (wrapping, as NumPy).
  llvm::Expected<Activation> lhs =
      activationInput(0, /*allowTransposed=*/false, /*allowInt8=*/true);
  if (!lhs)
    return lhs.takeError();
  llvm::Expected<Activation> rhs =
      activationInput(1, /*allowTransposed=*/false, /*allowInt8=*/true);
  if (!rhs)
    return rhs.takeError();
  auto integerType = [&](int i) -> std::optional<int32_t> {
    auto it = quantizedTypes.find(node->input(i));
    Type elem = cast<RankedTensorType>(
                    (i == 0 ? lhs : rhs)->value.getType())
                    .getElementType();
    if (!elem.isInteger(8))
      return std::nullopt;
    return it == quantizedTypes.end() ? 0 : it->second;
  };
  std::optional<int32_t> t0 = integerType(0), t1 = integerType(1);
  auto isInteger = [](std::optional<int32_t> t) {
    return t && (*t == onnx::TensorProto::INT8 ||
                 *t == onnx::TensorProto::UINT8);
  };
  if (t0 || t1) {
    if (!isInteger(t0) || !isInteger(t1) || *t0 != *t1)
      return nodeError("mismatched types: an Add of 8-bit tensors needs two "
                       "INT8 or two UINT8 integer tensors (quantized tensors "
                       "are added after a DequantizeLinear)");
  }
  if (lhs->value.getType() != rhs->value.getType() ||
      lhs->flattenedCHW != rhs->flattenedCHW)
    return nodeError("operands have different shapes (broadcasting is not "
                     "supported)");
  if (t0) {
    bool isUnsigned = *t0 == onnx::TensorProto::UINT8;
    define(0, {builder->intAdd(layer, lhs->value, rhs->value, isUnsigned),
               lhs->flattenedCHW});
    quantizedTypes[node->output(0)] = *t0;
    return llvm::Error::success();
  }
  define(0, {builder->add(layer, lhs->value, rhs->value), lhs->flattenedCHW});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importAddConstant(int constIdx) {
  llvm::Expected<Activation> x = activationInput(1 - constIdx);
  if (!x)
    return x.takeError();
  llvm::Expected<const HostTensor *> cOr = constantInput(constIdx, "addend");
  if (!cOr)
    return cOr.takeError();
  const HostTensor &c = **cOr;
  int64_t rank = x->rank();
  // The ONNX axis that holds the channels and its extent.
  int64_t axis = rank == 4 ? 1 : rank - 1;
  int64_t channels = dimSize(x->value, rank - 1);
  int64_t count = c.numElements();
  bool perChannel = !c.isInt && int64_t(c.shape.size()) <= rank;
  for (size_t i = 0; perChannel && i < c.shape.size(); ++i) {
    // Right-aligned against the activation's ONNX axes.
    int64_t onnxAxis = rank - int64_t(c.shape.size()) + int64_t(i);
    perChannel =
        c.shape[i] == 1 || (onnxAxis == axis && c.shape[i] == channels);
  }
  bool hwcFeatures =
      x->flattenedCHW && (*x->flattenedCHW)[1] * (*x->flattenedCHW)[2] > 1;
  if (!perChannel || (hwcFeatures && count != 1))
    return nodeError("addend '" + node->input(constIdx) + "' has shape " +
                     formatShape(c.shape) + " and input '" +
                     node->input(1 - constIdx) + "' " + onnxShape(*x) +
                     "; only a constant per channel (axis " +
                     llvm::Twine(axis) + ") or a scalar broadcasts");
  std::vector<float> offset(channels, c.f32.empty() ? 0.0f : c.f32[0]);
  if (count == channels)
    offset = c.f32;
  std::vector<float> ones(channels, 1.0f), zeros(channels, 0.0f);
  std::string base = resourceName(node->input(constIdx), "addend");
  Value scale = builder->constant(base + ".scale", {channels}, ones);
  Value off = builder->constant(base, {channels}, offset);
  Value mean = builder->constant(base + ".mean", {channels}, zeros);
  Value var = builder->constant(base + ".var", {channels}, ones);
  define(0, {builder->batchNorm(layer, x->value, scale, off, mean, var, 0.0f),
             x->flattenedCHW});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importSoftmax() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  int64_t axis = getIntAttr(*node, "axis", -1);
  if (x->rank() != 2 || (axis != -1 && axis != 1))
    return nodeError("only a softmax over the last axis of [N, classes] is "
                     "supported");
  define(0, {builder->softmax(layer, x->value), x->flattenedCHW});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importAlias() {
  // Identity, and Dropout in inference: the output is the input.
  if (llvm::Error err = checkExtraOutputs(1))
    return err;
  const std::string &input = hasInput(0) ? node->input(0) : "";
  if (auto it = activations.find(input); it != activations.end()) {
    define(0, it->second);
    return llvm::Error::success();
  }
  if (auto it = initializers.find(input); it != initializers.end()) {
    initializers[node->output(0)] = it->second;
    return llvm::Error::success();
  }
  llvm::Expected<const HostTensor *> value = constantInput(0, "input");
  if (!value)
    return value.takeError();
  constants[node->output(0)] = **value;
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importConstant() {
  HostTensor value;
  if (const onnx::AttributeProto *attr = findAttr(*node, "value")) {
    // 8-bit and INT32 tensors (zero points, quantized weights) are read
    // where a DequantizeLinear uses them, like initializers.
    int32_t type = attr->t().data_type();
    if (type == onnx::TensorProto::INT8 || type == onnx::TensorProto::UINT8 ||
        type == onnx::TensorProto::INT32 || type == 17 || type == 19) {
      initializers[node->output(0)] = &attr->t();
      return llvm::Error::success();
    }
    llvm::Expected<HostTensor> decoded = decodeTensor(attr->t());
    if (!decoded)
      return nodeError(llvm::toString(decoded.takeError()));
    value = std::move(*decoded);
  } else if (const onnx::AttributeProto *attr = findAttr(*node, "value_ints")) {
    value.isInt = true;
    value.i64.assign(attr->ints().begin(), attr->ints().end());
    value.shape.push_back(attr->ints_size());
  } else if (const onnx::AttributeProto *attr = findAttr(*node, "value_int")) {
    value.isInt = true;
    value.i64.push_back(attr->i());
  } else if (const onnx::AttributeProto *attr =
                 findAttr(*node, "value_floats")) {
    value.f32.assign(attr->floats().begin(), attr->floats().end());
    value.shape.push_back(attr->floats_size());
  } else if (const onnx::AttributeProto *attr =
                 findAttr(*node, "value_float")) {
    value.f32.push_back(attr->f());
  } else {
    return nodeError("only value, value_int(s) and value_float(s) constants "
                     "are supported");
  }
  constants[node->output(0)] = std::move(value);
  return llvm::Error::success();
}

} // namespace import
} // namespace vggq
