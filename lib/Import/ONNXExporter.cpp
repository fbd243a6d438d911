//===- ONNXExporter.cpp - a vggq model as a QDQ ONNX graph ----------------===//
//
// Writes @forward as the ONNX graph ONNX Runtime and TensorRT read for
// explicit quantization: the FP32 graph in NCHW with every 8-bit tensor as a
// QuantizeLinear -> DequantizeLinear pair at its scale, weights as 8-bit
// initializers dequantized per output channel (axis 0), INT8 biases as INT32
// initializers dequantized at input_scale * weight_scale (ONNX Runtime's
// convention). Ops on storage (max-pool, relu, flatten) run on the
// dequantized tensor and are quantized again at the same scale, which is
// exact. Opset 13 for INT8, opset 19 when there is FP8 storage.
//
// The activation scales also go to a TensorRT calibration cache: a header
// "TRT-<version>-EntropyCalibration2", then "<tensor>: <hex of the float32
// scale bits>" per quantized tensor of the exported graph.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "ONNXUtils.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

namespace vggq {
namespace {

constexpr int32_t kFloat8E4M3FN = 17;
constexpr int32_t kFloat8E5M2 = 19;

llvm::Error exportError(Operation *op, const llvm::Twine &message) {
  std::string where = op->getName().getStringRef().str();
  if (auto name = op->getAttrOfType<StringAttr>("vggq.layer"))
    where = "'" + name.str() + "' (" + where + ")";
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (where + ": " + message).str());
}

/// The raw little-endian element bytes of a constant (splats expanded).
std::optional<std::vector<char>> constantBytes(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return std::nullopt;
  auto type = cast<RankedTensorType>(cst.getType());
  size_t width = std::max<size_t>(1, type.getElementTypeBitWidth() / 8);
  size_t bytes = type.getNumElements() * width;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    ArrayRef<char> raw = dense.getRawData();
    std::vector<char> out(bytes);
    for (size_t i = 0; i < bytes; ++i)
      out[i] = dense.isSplat() ? raw[i % width] : raw[i];
    return out;
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue()))
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob())
      if (blob->getData().size() == bytes)
        return std::vector<char>(blob->getData().begin(),
                                 blob->getData().end());
  return std::nullopt;
}

/// An activation of the exported graph. For an 8-bit value, `name` is the
/// DequantizeLinear output and `q` the QuantizeLinear output.
struct Tensor {
  std::string name, q;
  float scale = 0.0f;
  Type storage; ///< null for f32
  /// [H, W, C] when the value is an NHWC tensor flattened to [N, H*W*C].
  std::optional<std::array<int64_t, 3>> flattenedHWC;
};

class Exporter {
public:
  explicit Exporter(func::FuncOp func) : func(func) {}
  llvm::Error run(onnx::ModelProto &model);
  /// (tensor, scale) of every quantized tensor, in graph order.
  std::vector<std::pair<std::string, float>> calibration;

private:
  llvm::Error exportOp(Operation *op);
  llvm::Expected<Tensor> input(Operation *op, Value v);
  /// A tensor named after `op`'s layer with `suffix`.
  std::string fresh(Operation *op, llvm::StringRef suffix);
  void addNode(llvm::StringRef type, llvm::ArrayRef<std::string> inputs,
               const std::string &output, llvm::StringRef name = "");
  std::string addInit(const std::string &name, int32_t type,
                      llvm::ArrayRef<int64_t> dims, llvm::ArrayRef<char> raw);
  std::string addFloats(const std::string &name, llvm::ArrayRef<float> values,
                        bool scalar);
  /// The zero point of `storage` (scalar or `n` zeros).
  std::string addZeroPoint(const std::string &name, Type storage,
                           std::optional<int64_t> n);
  /// QuantizeLinear -> DequantizeLinear of the f32 tensor `x`.
  Tensor quantize(const std::string &x, float scale, Type storage,
                  const std::string &base);
  /// DequantizeLinear of 8-bit codes `codes` ([O, ...]) along axis 0.
  std::string dequantizedWeight(const std::string &base, Type storage,
                                llvm::ArrayRef<int64_t> dims,
                                llvm::ArrayRef<char> codes,
                                llvm::ArrayRef<float> scales);
  llvm::Error exportLayer(Operation *op, Value in, Value weight, Value bias,
                          float inScale, llvm::ArrayRef<float> wScales,
                          std::optional<float> outScale, bool relu,
                          Type outStorage);

  func::FuncOp func;
  onnx::GraphProto *graph = nullptr;
  llvm::DenseMap<Value, Tensor> tensors;
  llvm::StringMap<unsigned> names;
  bool fp8 = false;
};

int32_t onnxType(Type t) {
  if (isa<Float8E4M3FNType>(t))
    return kFloat8E4M3FN;
  if (isa<Float8E5M2Type>(t))
    return kFloat8E5M2;
  if (t.isInteger(8))
    return onnx::TensorProto::INT8;
  if (t.isInteger(32))
    return onnx::TensorProto::INT32;
  return onnx::TensorProto::FLOAT;
}

std::string Exporter::fresh(Operation *op, llvm::StringRef suffix) {
  std::string base = "t";
  if (auto name = op->getAttrOfType<StringAttr>("vggq.layer"))
    base = name.str();
  std::string name = base + "." + suffix.str();
  unsigned n = names[name]++;
  return n ? name + "_" + std::to_string(n) : name;
}

void Exporter::addNode(llvm::StringRef type, llvm::ArrayRef<std::string> ins,
                       const std::string &output, llvm::StringRef name) {
  onnx::NodeProto *node = graph->add_node();
  node->set_op_type(type.str());
  node->set_name(name.empty() ? output + "/" + type.str() : name.str());
  for (const std::string &in : ins)
    node->add_input(in);
  node->add_output(output);
}

std::string Exporter::addInit(const std::string &name, int32_t type,
                              llvm::ArrayRef<int64_t> dims,
                              llvm::ArrayRef<char> raw) {
  onnx::TensorProto *t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims)
    t->add_dims(d);
  t->set_raw_data(raw.data(), raw.size());
  return name;
}

std::string Exporter::addFloats(const std::string &name,
                                llvm::ArrayRef<float> values, bool scalar) {
  llvm::SmallVector<int64_t, 1> dims;
  if (!scalar)
    dims.push_back(values.size());
  return addInit(name, onnx::TensorProto::FLOAT, dims,
                 {reinterpret_cast<const char *>(values.data()),
                  values.size() * sizeof(float)});
}

std::string Exporter::addZeroPoint(const std::string &name, Type storage,
                                   std::optional<int64_t> n) {
  std::vector<char> zeros(n.value_or(1) * (storage.isInteger(32) ? 4 : 1), 0);
  llvm::SmallVector<int64_t, 1> dims;
  if (n)
    dims.push_back(*n);
  return addInit(name, onnxType(storage), dims, zeros);
}

Tensor Exporter::quantize(const std::string &x, float scale, Type storage,
                          const std::string &base) {
  Tensor t;
  t.scale = scale;
  t.storage = storage;
  std::string s = addFloats(base + ".scale", {scale}, true);
  std::string zp = addZeroPoint(base + ".zero_point", storage, std::nullopt);
  t.q = base + ".q";
  t.name = base + ".dq";
  addNode("QuantizeLinear", {x, s, zp}, t.q);
  addNode("DequantizeLinear", {t.q, s, zp}, t.name);
  calibration.push_back({x, scale});
  return t;
}

std::string Exporter::dequantizedWeight(const std::string &base, Type storage,
                                        llvm::ArrayRef<int64_t> dims,
                                        llvm::ArrayRef<char> codes,
                                        llvm::ArrayRef<float> scales) {
  std::string q = addInit(base + "_q", onnxType(storage), dims, codes);
  bool perTensor = scales.size() == 1;
  std::string s = addFloats(base + "_scale", scales, perTensor);
  std::string zp =
      addZeroPoint(base + "_zero_point", storage,
                   perTensor ? std::nullopt : std::optional<int64_t>(dims[0]));
  std::string out = base + "_dq";
  addNode("DequantizeLinear", {q, s, zp}, out);
  if (!perTensor) {
    onnx::AttributeProto *axis =
        graph->mutable_node()->rbegin()->add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(0);
  }
  return out;
}

llvm::Expected<Tensor> Exporter::input(Operation *op, Value v) {
  auto it = tensors.find(v);
  if (it == tensors.end())
    return exportError(op, "an operand is not an activation the exporter "
                           "knows (a constant where a tensor is expected?)");
  return it->second;
}

void addInts(onnx::NodeProto *node, llvm::StringRef name,
             llvm::ArrayRef<int64_t> values) {
  onnx::AttributeProto *a = node->add_attribute();
  a->set_name(name.str());
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values)
    a->add_ints(v);
}

llvm::Error Exporter::exportLayer(Operation *op, Value in, Value weight,
                                  Value bias, float inScale,
                                  llvm::ArrayRef<float> wScales,
                                  std::optional<float> outScale, bool relu,
                                  Type outStorage) {
  llvm::Expected<Tensor> x = input(op, in);
  if (!x)
    return x.takeError();
  std::string xName = x->name;
  if (x->storage && x->scale != inScale) {
    // Dequantize at the layer's own input scale.
    std::string s = addFloats(fresh(op, "input_scale"), {inScale}, true);
    std::string zp =
        addZeroPoint(fresh(op, "input_zero_point"), x->storage, std::nullopt);
    xName = fresh(op, "input_dq");
    addNode("DequantizeLinear", {x->q, s, zp}, xName);
  }
  auto wType = cast<RankedTensorType>(weight.getType());
  Type wElem = wType.getElementType();
  std::optional<std::vector<char>> codes = constantBytes(weight);
  if (!codes)
    return exportError(op, "the weight is not a constant");
  size_t width = std::max<size_t>(1, wElem.getIntOrFloatBitWidth() / 8);
  bool conv = isa<QConv2DOp, Conv2DOp>(op);
  llvm::SmallVector<int64_t, 4> dims;
  std::vector<char> w(codes->size());
  int64_t o = wType.getDimSize(0);
  if (conv) {
    // OHWI -> OIHW.
    int64_t kh = wType.getDimSize(1), kw = wType.getDimSize(2),
            ci = wType.getDimSize(3);
    dims = {o, ci, kh, kw};
    for (int64_t a = 0; a < o; ++a)
      for (int64_t c = 0; c < ci; ++c)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t z = 0; z < kw; ++z)
            std::memcpy(&w[(((a * ci + c) * kh + y) * kw + z) * width],
                        &(*codes)[(((a * kh + y) * kw + z) * ci + c) * width],
                        width);
  } else {
    // [O, K] with K in the NHWC flatten order -> the NCHW one.
    int64_t k = wType.getDimSize(1);
    dims = {o, k};
    w = *codes;
    if (x->flattenedHWC) {
      auto [h, wd, c] = *x->flattenedHWC;
      for (int64_t a = 0; a < o; ++a)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t y = 0; y < h; ++y)
            for (int64_t z = 0; z < wd; ++z)
              std::memcpy(&w[(a * k + (ch * h + y) * wd + z) * width],
                          &(*codes)[(a * k + (y * wd + z) * c + ch) * width],
                          width);
    }
  }
  std::string base = fresh(op, "weight");
  std::string wName = wElem.isF32()
                          ? addInit(base, onnx::TensorProto::FLOAT, dims, w)
                          : dequantizedWeight(base, wElem, dims, w, wScales);

  std::string bName;
  if (bias) {
    std::optional<std::vector<char>> b = constantBytes(bias);
    if (!b)
      return exportError(op, "the bias is not a constant");
    Type bElem = cast<RankedTensorType>(bias.getType()).getElementType();
    std::string bBase = fresh(op, "bias");
    if (bElem.isInteger(32)) {
      // INT32 codes at input_scale * weight_scale[o], per channel.
      llvm::SmallVector<float> scales;
      for (int64_t c = 0; c < o; ++c)
        scales.push_back(inScale * wScales[wScales.size() == 1 ? 0 : c]);
      std::string q = addInit(bBase + "_q", onnx::TensorProto::INT32, {o}, *b);
      std::string s = addFloats(bBase + "_scale", scales, false);
      std::string zp = addZeroPoint(bBase + "_zero_point", bElem, o);
      bName = bBase + "_dq";
      addNode("DequantizeLinear", {q, s, zp}, bName);
      onnx::AttributeProto *axis =
          graph->mutable_node()->rbegin()->add_attribute();
      axis->set_name("axis");
      axis->set_type(onnx::AttributeProto::INT);
      axis->set_i(0);
    } else {
      bName = addInit(bBase, onnx::TensorProto::FLOAT, {o}, *b);
    }
  }
  std::vector<std::string> ins = {xName, wName};
  if (bias)
    ins.push_back(bName);
  std::string out = fresh(op, conv ? "conv" : "gemm");
  addNode(conv ? "Conv" : "Gemm", ins, out);
  onnx::NodeProto *node = &*graph->mutable_node()->rbegin();
  if (conv) {
    auto get = [&](llvm::StringRef n) {
      return cast<DenseI64ArrayAttr>(op->getAttr(n)).asArrayRef();
    };
    addInts(node, "kernel_shape", {dims[2], dims[3]});
    addInts(node, "strides", get("strides"));
    addInts(node, "pads", get("padding"));
    addInts(node, "dilations", get("dilation"));
  } else {
    onnx::AttributeProto *t = node->add_attribute();
    t->set_name("transB");
    t->set_type(onnx::AttributeProto::INT);
    t->set_i(1);
  }
  if (relu) {
    std::string r = fresh(op, "relu");
    addNode("Relu", {out}, r);
    out = r;
  }
  Tensor result;
  if (outScale)
    result = quantize(out, *outScale, outStorage, fresh(op, "output"));
  else
    result.name = out;
  tensors[op->getResult(0)] = result;
  return llvm::Error::success();
}

llvm::Error Exporter::exportOp(Operation *op) {
  auto windowAttrs = [&](onnx::NodeProto *node, MaxPool2DOp pool) {
    addInts(node, "kernel_shape", pool.getKernel());
    addInts(node, "strides", pool.getStrides());
    addInts(node, "pads", pool.getPadding());
    if (pool.isDilated())
      addInts(node, "dilations", pool.getDilationOrOnes());
  };
  // An op that keeps the scale: run on the dequantized tensor, quantized
  // again at the same scale.
  auto sameScale = [&](Operation *o, const Tensor &x, const std::string &out) {
    Tensor t;
    if (x.storage)
      t = quantize(out, x.scale, x.storage, out);
    else
      t.name = out;
    tensors[o->getResult(0)] = t;
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](arith::ConstantOp) { return llvm::Error::success(); })
      .Case([&](QuantizeOp q) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, q.getInput());
        if (!x)
          return x.takeError();
        if (q.getAxis() || q.getScales().size() != 1)
          return exportError(op, "per-channel activation scales are not "
                                 "exported");
        if (q.hasZeroPoint())
          return exportError(op, "an affine quantize (zero point) is not "
                                 "exported");
        tensors[q.getResult()] =
            quantize(x->name, q.getScales()[0], q.getType().getElementType(),
                     fresh(op, "quantize"));
        tensors[q.getResult()].flattenedHWC = x->flattenedHWC;
        return llvm::Error::success();
      })
      .Case([&](DequantizeOp dq) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, dq.getInput());
        if (!x)
          return x.takeError();
        if (dq.getAxis() || dq.getScales().size() != 1)
          return exportError(op, "per-channel activation scales are not "
                                 "exported");
        if (dq.hasZeroPoint())
          return exportError(op, "an affine dequantize (zero point) is not "
                                 "exported");
        Tensor t = *x;
        if (dq.getScales()[0] != x->scale) {
          std::string s =
              addFloats(fresh(op, "scale"), {dq.getScales()[0]}, true);
          std::string zp =
              addZeroPoint(fresh(op, "zero_point"), x->storage, std::nullopt);
          t.name = fresh(op, "dq");
          addNode("DequantizeLinear", {x->q, s, zp}, t.name);
        }
        t.storage = Type();
        tensors[dq.getResult()] = t;
        return llvm::Error::success();
      })
      .Case([&](RequantizeOp rq) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, rq.getInput());
        if (!x)
          return x.takeError();
        std::string from = x->name;
        if (x->scale != rq.getInScale().convertToFloat()) {
          std::string s = addFloats(fresh(op, "in_scale"),
                                    {rq.getInScale().convertToFloat()}, true);
          std::string zp = addZeroPoint(fresh(op, "in_zero_point"), x->storage,
                                        std::nullopt);
          from = fresh(op, "in_dq");
          addNode("DequantizeLinear", {x->q, s, zp}, from);
        }
        tensors[rq.getResult()] =
            quantize(from, rq.getOutScale().convertToFloat(),
                     rq.getType().getElementType(), fresh(op, "requantize"));
        return llvm::Error::success();
      })
      .Case([&](QConv2DOp c) -> llvm::Error {
        if (c.hasResidual())
          return exportError(op, "a fused residual sum is not exported");
        std::optional<float> out;
        if (c.getOutputScale())
          out = c.getOutputScale()->convertToFloat();
        return exportLayer(op, c.getInput(), c.getWeight(), c.getBias(),
                           c.getInputScale().convertToFloat(),
                           c.getWeightScales(), out, c.getRelu(),
                           c.getType().getElementType());
      })
      .Case([&](QLinearOp l) -> llvm::Error {
        std::optional<float> out;
        if (l.getOutputScale())
          out = l.getOutputScale()->convertToFloat();
        return exportLayer(op, l.getInput(), l.getWeight(), l.getBias(),
                           l.getInputScale().convertToFloat(),
                           l.getWeightScales(), out, l.getRelu(),
                           l.getType().getElementType());
      })
      .Case([&](Conv2DOp c) {
        return exportLayer(op, c.getInput(), c.getWeight(), c.getBias(), 1.0f,
                           {1.0f}, std::nullopt, false, Type());
      })
      .Case([&](LinearOp l) {
        return exportLayer(op, l.getInput(), l.getWeight(), l.getBias(), 1.0f,
                           {1.0f}, std::nullopt, false, Type());
      })
      .Case([&](ReluOp r) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, r.getInput());
        if (!x)
          return x.takeError();
        std::string out = fresh(op, "relu");
        addNode("Relu", {x->name}, out);
        sameScale(op, *x, out);
        return llvm::Error::success();
      })
      .Case([&](MaxPool2DOp p) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, p.getInput());
        if (!x)
          return x.takeError();
        std::string out = fresh(op, "maxpool");
        addNode("MaxPool", {x->name}, out);
        windowAttrs(&*graph->mutable_node()->rbegin(), p);
        sameScale(op, *x, out);
        return llvm::Error::success();
      })
      .Case([&](FlattenOp f) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, f.getInput());
        if (!x)
          return x.takeError();
        std::string out = fresh(op, "flatten");
        addNode("Flatten", {x->name}, out);
        onnx::AttributeProto *axis =
            graph->mutable_node()->rbegin()->add_attribute();
        axis->set_name("axis");
        axis->set_type(onnx::AttributeProto::INT);
        axis->set_i(1);
        sameScale(op, *x, out);
        auto shape = f.getInput().getType().getShape();
        if (shape.size() == 4 && shape[1] * shape[2] > 1)
          tensors[f.getResult()].flattenedHWC = {shape[1], shape[2], shape[3]};
        return llvm::Error::success();
      })
      .Case([&](SoftmaxOp s) -> llvm::Error {
        llvm::Expected<Tensor> x = input(op, s.getInput());
        if (!x)
          return x.takeError();
        std::string out = fresh(op, "softmax");
        addNode("Softmax", {x->name}, out);
        tensors[s.getResult()] = Tensor{out};
        return llvm::Error::success();
      })
      .Case([&](func::ReturnOp ret) -> llvm::Error {
        if (ret.getNumOperands() != 1)
          return exportError(op, "expected one result (the logits)");
        llvm::Expected<Tensor> x = input(op, ret.getOperand(0));
        if (!x)
          return x.takeError();
        if (x->storage)
          return exportError(op, "the result is quantized; expected f32");
        addNode("Identity", {x->name}, "logits");
        return llvm::Error::success();
      })
      .Default([&](Operation *) {
        return exportError(op, "not supported by the ONNX exporter (supported: "
                               "quantize, dequantize, requantize, qconv2d, "
                               "qlinear, conv2d, linear, relu, max_pool2d, "
                               "flatten, softmax)");
      });
}

llvm::Error Exporter::run(onnx::ModelProto &model) {
  graph = model.mutable_graph();
  graph->set_name("vggq");
  func.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto rt = dyn_cast<RankedTensorType>(t);
          rt && isa<Float8E4M3FNType, Float8E5M2Type>(rt.getElementType()))
        fp8 = true;
  });
  if (func.getNumArguments() != 1)
    return exportError(func, "@forward must take one NHWC image batch");
  auto in = cast<RankedTensorType>(func.getArgument(0).getType());
  onnx::ValueInfoProto *input = graph->add_input();
  input->set_name("input");
  auto *tt = input->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : {in.getDimSize(0), in.getDimSize(3), in.getDimSize(1),
                    in.getDimSize(2)}) {
    auto *dim = tt->mutable_shape()->add_dim();
    if (ShapedType::isDynamic(d))
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
  tensors[func.getArgument(0)] = Tensor{"input"};
  for (Operation &op : func.getBody().front())
    if (llvm::Error err = exportOp(&op))
      return err;
  auto outType = cast<RankedTensorType>(func.getResultTypes()[0]);
  onnx::ValueInfoProto *output = graph->add_output();
  output->set_name("logits");
  auto *ot = output->mutable_type()->mutable_tensor_type();
  ot->set_elem_type(onnx::TensorProto::FLOAT);
  ot->mutable_shape()->add_dim()->set_dim_param("N");
  ot->mutable_shape()->add_dim()->set_dim_value(outType.getDimSize(1));

  model.set_ir_version(fp8 ? 9 : 7);
  model.set_producer_name("vggq");
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(fp8 ? 19 : 13);
  return llvm::Error::success();
}

} // namespace

llvm::Error exportONNX(ModuleOp module, const ONNXExportOptions &options) {
  auto func = dyn_cast_or_null<func::FuncOp>(
      SymbolTable::lookupSymbolIn(module, "forward"));
  if (!func || func.isExternal())
    return llvm::createStringError("the module has no function @forward");
  onnx::ModelProto model;
  Exporter exporter(func);
  if (llvm::Error err = exporter.run(model))
    return err;
  // The normalization, as the importer reads it back.
  for (auto [key, attr] : {std::pair<const char *, const char *>{
                               "vggq.input_mean", "vggq.input_mean"},
                           {"vggq.input_std", "vggq.input_std"}})
    if (auto values = module->getAttrOfType<DenseF32ArrayAttr>(attr)) {
      std::string text;
      for (auto [i, v] : llvm::enumerate(values.asArrayRef()))
        text += (i ? "," : "") +
                (llvm::formatv("{0}", llvm::format("%.9g", double(v)))).str();
      onnx::StringStringEntryProto *entry = model.add_metadata_props();
      entry->set_key(key);
      entry->set_value(text);
    }
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return llvm::createStringError("cannot serialize the ONNX model");
  std::error_code ec;
  llvm::raw_fd_ostream os(options.onnxPath, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(options.onnxPath +
                                   ": cannot write: " + ec.message());
  os << bytes;
  if (options.cachePath.empty())
    return llvm::Error::success();
  llvm::raw_fd_ostream cache(options.cachePath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return llvm::createStringError(options.cachePath +
                                   ": cannot write: " + ec.message());
  cache << "TRT-" << options.trtVersion << "-EntropyCalibration2\n";
  llvm::StringSet<> seen;
  for (auto &[name, scale] : exporter.calibration) {
    if (!seen.insert(name).second)
      continue;
    uint32_t bits;
    std::memcpy(&bits, &scale, sizeof(bits));
    cache << name << ": " << llvm::format_hex_no_prefix(bits, 8) << "\n";
  }
  return llvm::Error::success();
}

} // namespace vggq
