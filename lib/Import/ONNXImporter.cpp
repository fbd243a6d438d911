//===- ONNXImporter.cpp - ONNX graph to vggq ops --------------------------===//
//
// The driver: file reading, opset and graph input checks, tensor lookup and
// the dispatch to the op handlers of ONNXOps.cpp.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "ONNXImporter.h"
#include "ONNXLibrary.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"

#include <climits>

using namespace mlir;

namespace vggq {
namespace import {

constexpr int64_t kMinOpset = 13;
namespace {
constexpr int64_t kMaxOpset = 21;
constexpr const char *kSupportedOps =
    "Conv, BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, "
    "ReduceMean, Flatten, Reshape, Gemm, MatMul, Add, Softmax, Slice, Pad, "
    "Transpose, Shape, Identity, Dropout, Constant, QuantizeLinear, "
    "DequantizeLinear; on constants also ConstantOfShape, Concat, Cast, "
    "Gather, Unsqueeze, Squeeze";

/// The metadata_props keys holding the input normalization, one
/// comma-separated float per input channel.
constexpr const char *kMeanKey = "vggq.input_mean";
constexpr const char *kStdKey = "vggq.input_std";

/// Nodes that never emit a layer op of their own (QuantizeLinear and
/// DequantizeLinear emit unnamed vggq.quantize/dequantize, if anything).
bool emitsNoOp(llvm::StringRef opType) {
  return llvm::is_contained({"Constant", "Identity", "Dropout",
                             "QuantizeLinear", "DequantizeLinear",
                             "ConstantOfShape", "Concat", "Cast", "Gather",
                             "Unsqueeze", "Squeeze", "Shape"},
                            opType);
}

} // namespace

int64_t Activation::rank() const {
  return cast<RankedTensorType>(value.getType()).getRank();
}

std::string onnxShape(const Activation &a) {
  auto shape = cast<RankedTensorType>(a.value.getType()).getShape();
  if (shape.size() == 4)
    return formatShape({shape[0], shape[3], shape[1], shape[2]});
  return formatShape(shape);
}

ONNXImporter::ONNXImporter(MLIRContext &ctx, llvm::StringRef path,
                           const onnx::ModelProto &model,
                           const ONNXImportOptions &options)
    : path(path), model(model), graph(model.graph()), ctx(ctx),
      options(options) {}

llvm::Error ONNXImporter::checkOpset() {
  std::optional<int64_t> version;
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      version = opset.version();
  if (!version)
    return fileError(path, "the model imports no ONNX (ai.onnx) opset");
  if (*version < kMinOpset || *version > kMaxOpset)
    return fileError(path, "unsupported opset " + llvm::Twine(*version) +
                               " (supported: " + llvm::Twine(kMinOpset) +
                               " to " + llvm::Twine(kMaxOpset) + ")");
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importInput() {
  if (!options.inputs.empty())
    return bindInputs();
  const onnx::ValueInfoProto *input = nullptr;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (initializers.count(info.name()))
      continue; // Older exporters list initializers as inputs too.
    if (input)
      return fileError(path, "the graph has more than one input ('" +
                                 input->name() + "', '" + info.name() + "')");
    input = &info;
  }
  if (!input)
    return fileError(path, "the graph has no input");
  const onnx::TypeProto &type = input->type();
  if (!type.has_tensor_type())
    return fileError(path,
                     "graph input '" + input->name() + "' is not a tensor");
  if (type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    return fileError(path, "graph input '" + input->name() +
                               "' has data type " +
                               dataTypeName(type.tensor_type().elem_type()) +
                               "; only FLOAT (float32) is supported");
  const onnx::TensorShapeProto &shape = type.tensor_type().shape();
  llvm::SmallVector<int64_t, 4> dims;
  for (const onnx::TensorShapeProto::Dimension &dim : shape.dim())
    dims.push_back(dim.has_dim_value() ? dim.dim_value()
                                       : ShapedType::kDynamic);
  if (dims.size() != 4 || dims[1] < 1 || dims[2] < 1 || dims[3] < 1)
    return fileError(path, "graph input '" + input->name() + "' has shape " +
                               formatShape(dims) +
                               "; expected NCHW [N, C, H, W] with static C, "
                               "H and W");
  if (llvm::Error err = importNormalization(dims[1]))
    return err;
  builder.emplace(ctx, dims[2], dims[3], dims[1]);
  activations[input->name()] = Activation{builder->input(), std::nullopt};
  return llvm::Error::success();
}

namespace {
/// "<path>: <message>" as an InputMismatchError.
llvm::Error inputError(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::make_error<InputMismatchError>((path + ": " + message).str());
}
} // namespace

llvm::Error ONNXImporter::bindInputs() {
  llvm::SmallVector<const onnx::ValueInfoProto *, 4> inputs;
  for (const onnx::ValueInfoProto &info : graph.input())
    if (!initializers.count(info.name()))
      inputs.push_back(&info);
  if (options.inputs.size() != inputs.size()) {
    std::string names;
    for (const onnx::ValueInfoProto *info : inputs)
      names += (names.empty() ? "'" : ", '") + info->name() + "'";
    return inputError(path, "the graph has " + llvm::Twine(inputs.size()) +
                                " inputs (" + names + "), but " +
                                llvm::Twine(options.inputs.size()) +
                                " tensor files were given (one per graph "
                                "input, in order)");
  }
  for (auto [index, info] : llvm::enumerate(inputs)) {
    const TensorFile &file = options.inputs[index];
    const std::string &name = info->name();
    onnx::TensorProto proto;
    if (!proto.ParseFromString(file.proto))
      return inputError(file.path, "cannot parse as an ONNX TensorProto");
    if (!file.name.empty() && file.name != name)
      return inputError(file.path,
                        "holds tensor '" + file.name + "', but graph input " +
                            llvm::Twine(index) + " is '" + name + "'");
    const onnx::TypeProto &type = info->type();
    if (!type.has_tensor_type())
      return fileError(path, "graph input '" + name + "' is not a tensor");
    int32_t elem = type.tensor_type().elem_type();
    if (elem != proto.data_type())
      return inputError(file.path, "has data type " + file.dataType +
                                       ", but graph input '" + name + "' is " +
                                       dataTypeName(elem));
    if (type.tensor_type().has_shape()) {
      const onnx::TensorShapeProto &shape = type.tensor_type().shape();
      llvm::SmallVector<int64_t, 4> declared;
      bool ok = shape.dim_size() == proto.dims_size();
      for (int d = 0; d < shape.dim_size(); ++d) {
        const onnx::TensorShapeProto::Dimension &dim = shape.dim(d);
        declared.push_back(dim.has_dim_value() ? dim.dim_value()
                                               : ShapedType::kDynamic);
        if (ok && dim.has_dim_value() && dim.dim_value() != proto.dims(d))
          ok = false;
      }
      if (!ok)
        return inputError(file.path, "has shape " + formatShape(file.shape) +
                                         ", but graph input '" + name +
                                         "' has shape " +
                                         formatShape(declared));
    }
    proto.set_name(name);
    boundInputs[name] = std::move(proto);
  }
  builder.emplace(ctx);
  return llvm::Error::success();
}

llvm::Expected<Activation> ONNXImporter::argumentFor(const std::string &name,
                                                     bool allowInt8,
                                                     bool allowInt32) {
  const onnx::TensorProto &data = boundInputs.find(name)->second;
  bool isInt8 = data.data_type() == onnx::TensorProto::INT8 ||
                data.data_type() == onnx::TensorProto::UINT8;
  bool isInt32 = data.data_type() == onnx::TensorProto::INT32;
  if (data.data_type() != onnx::TensorProto::FLOAT && !(allowInt8 && isInt8) &&
      !(allowInt32 && isInt32))
    return nodeError("graph input '" + name + "' has data type " +
                     dataTypeName(data.data_type()) +
                     "; only FLOAT (float32) activations are supported");
  llvm::SmallVector<int64_t, 4> dims(data.dims().begin(), data.dims().end());
  if (dims.empty())
    return nodeError("graph input '" + name +
                     "' is a scalar; an activation needs a batch axis");
  if (llvm::is_contained(dims, 0))
    return nodeError("graph input '" + name + "' has shape " +
                     formatShape(dims) + "; empty tensors are not supported");
  // Static: these sizes are the data's (a Flatten or Reshape may then mix
  // the batch with other axes).
  if (dims.size() == 4)
    dims = {dims[0], dims[2], dims[3], dims[1]};
  int64_t index = 0;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (info.name() == name)
      break;
    index += !initializers.count(info.name());
  }
  Type elem = isInt8    ? Type(IntegerType::get(&ctx, 8))
              : isInt32 ? Type(IntegerType::get(&ctx, 32))
                        : Type(Float32Type::get(&ctx));
  Value arg = builder->addInput(RankedTensorType::get(dims, elem), name, index,
                                isInt8 || isInt32
                                    ? dataTypeName(data.data_type())
                                    : "");
  if (isInt8)
    quantizedTypes[name] = data.data_type();
  return activations[name] = Activation{arg, std::nullopt};
}

llvm::Error ONNXImporter::checkInferredShapes() const {
  for (const std::string &name : node->output()) {
    auto it = activations.find(name);
    auto inferred = inferredShapes.find(name);
    if (it == activations.end() || inferred == inferredShapes.end() ||
        !it->second.perm.empty())
      continue;
    auto shape = cast<RankedTensorType>(it->second.value.getType()).getShape();
    llvm::SmallVector<int64_t, 4> ours(shape);
    if (ours.size() == 4)
      ours = {shape[0], shape[3], shape[1], shape[2]};
    llvm::ArrayRef<int64_t> theirs = inferred->second;
    bool same = ours.size() == theirs.size();
    for (size_t i = 0; same && i < ours.size(); ++i)
      same = ShapedType::isDynamic(ours[i]) || theirs[i] < 0 ||
             ours[i] == theirs[i];
    if (!same) {
      llvm::SmallVector<int64_t, 4> printable(theirs);
      for (int64_t &d : printable)
        if (d < 0)
          d = ShapedType::kDynamic;
      return nodeError("output '" + name + "': vggq computes shape " +
                       formatShape(ours) +
                       ", but ONNX's shape inference "
                       "gives " +
                       formatShape(printable));
    }
  }
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importNormalization(int64_t channels) {
  // Without metadata, a 3-channel model gets the CIFAR-10 normalization of
  // the trained models and any other one none at all.
  if (channels == 3) {
    inputMean.assign(kCifarMean.begin(), kCifarMean.end());
    inputStd.assign(kCifarStd.begin(), kCifarStd.end());
  } else {
    inputMean.assign(channels, 0.0f);
    inputStd.assign(channels, 1.0f);
  }
  for (const onnx::StringStringEntryProto &entry : model.metadata_props()) {
    bool isMean = entry.key() == kMeanKey, isStd = entry.key() == kStdKey;
    if (!isMean && !isStd)
      continue;
    llvm::Expected<llvm::SmallVector<float, 4>> values =
        parseNormalization(entry.value(), channels, isStd);
    if (!values)
      return fileError(path, "metadata_props '" + entry.key() +
                                 "': " + llvm::toString(values.takeError()));
    (isMean ? inputMean : inputStd) = std::move(*values);
  }
  return llvm::Error::success();
}

std::string ONNXImporter::layerNameOf(size_t index) const {
  const onnx::NodeProto &n = graph.node(index);
  std::string base = layerNameFor(n, index);
  llvm::StringRef name = n.name();
  if (layerCounts.lookup(base) < 2 || !name.starts_with("/"))
    return base;
  llvm::StringRef own = name.rsplit('/').second;
  return own.empty() || own == base ? base : base + "." + own.str();
}

llvm::Expected<OwningOpRef<ModuleOp>> ONNXImporter::run() {
  if (llvm::Error err = checkOpset())
    return std::move(err);
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers[tensor.name()] = &tensor;
  inferredShapes = inferShapes(model);
  if (llvm::Error err = importInput())
    return std::move(err);
  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &name : n.input())
      ++useCounts[name];
  for (const onnx::ValueInfoProto &info : graph.output())
    ++useCounts[info.name()];
  // Which nodes will emit ops: not those evaluated at import time (their
  // outputs are host constants), nor an Add of a constant (the bias of the
  // MatMul before it).
  llvm::StringSet<> hostNames;
  for (const onnx::NodeProto &n : graph.node()) {
    bool host = llvm::all_of(n.input(), [&](const std::string &name) {
      return name.empty() || initializers.count(name) || hostNames.count(name);
    });
    bool qdq =
        n.op_type() == "QuantizeLinear" || n.op_type() == "DequantizeLinear";
    bool folded = n.op_type() == "Constant" || n.op_type() == "Shape" ||
                  (host && (isConstantFoldable(n.op_type()) || qdq));
    if (folded)
      for (const std::string &name : n.output())
        hostNames.insert(name);
  }
  for (size_t i = 0, e = graph.node_size(); i < e; ++i) {
    const onnx::NodeProto &n = graph.node(i);
    bool hostOutput = n.output_size() && hostNames.count(n.output(0));
    bool bias = n.op_type() == "Add" &&
                llvm::any_of(n.input(), [&](const std::string &name) {
                  return initializers.count(name) || hostNames.count(name);
                });
    if (!emitsNoOp(n.op_type()) && !hostOutput && !bias)
      ++layerCounts[layerNameFor(n, i)];
  }

  for (size_t i = 0, e = graph.node_size(); i < e; ++i) {
    if (consumed.contains(i))
      continue;
    if (llvm::Error err = importNode(i))
      return std::move(err);
    if (llvm::Error err = checkInferredShapes())
      return std::move(err);
  }

  if (graph.output_size() != 1)
    return fileError(path, "the graph has " + llvm::Twine(graph.output_size()) +
                               " outputs; expected one (the logits)");
  const std::string &outName = graph.output(0).name();
  auto it = activations.find(outName);
  if (it == activations.end())
    return fileError(path, "graph output '" + outName +
                               "' is not computed from the input");
  if (!it->second.perm.empty())
    return fileError(
        path, "graph output '" + outName + "' is transposed by node '" +
                  it->second.transposedBy + "', and no Transpose undoes it");
  if (!options.inputs.empty()) {
    // Running on given tensors: any rank; the caller puts a flattened
    // NCHW result back in ONNX's order.
    if (auto chw = it->second.flattenedCHW; chw && (*chw)[1] * (*chw)[2] > 1)
      builder->setResultAttr("vggq.flattened_chw",
                             DenseI64ArrayAttr::get(&ctx, *chw));
    builder->setResultAttr("vggq.onnx_output", StringAttr::get(&ctx, outName));
    // An i8 result that ONNX types UINT8 holds its codes minus 128.
    if (auto known = quantizedTypes.find(outName);
        known != quantizedTypes.end() &&
        (known->second == onnx::TensorProto::UINT8 ||
         known->second == onnx::TensorProto::INT8) &&
        cast<RankedTensorType>(it->second.value.getType())
            .getElementType()
            .isInteger(8))
      builder->setResultAttr("vggq.onnx_dtype",
                             StringAttr::get(&ctx,
                                             dataTypeName(known->second)));
    return builder->finish(it->second.value, path, inputMean, inputStd);
  }
  if (it->second.rank() != 2)
    return fileError(path, "graph output '" + outName + "' has rank " +
                               llvm::Twine(it->second.rank()) +
                               "; expected [N, classes]");
  return builder->finish(it->second.value, path, inputMean, inputStd);
}

llvm::Error ONNXImporter::importNode(size_t index) {
  node = &graph.node(index);
  nodeIndex = index;
  layer = layerNameOf(index);
  if (!node->domain().empty() && node->domain() != "ai.onnx")
    return nodeError("unsupported operation from domain '" + node->domain() +
                     "'");
  // Every supported operation defines its output 0 (found by fuzzing: a node
  // without outputs was read past the end of its output list).
  bool known = isConstantFoldable(node->op_type());
  if (known && (node->output_size() < 1 || node->output(0).empty()))
    return nodeError("has no output");
  if (known && hasOnlyConstantInputs())
    return foldNode();
  using Handler = llvm::Error (ONNXImporter::*)();
  Handler handler =
      llvm::StringSwitch<Handler>(node->op_type())
          .Case("Conv", &ONNXImporter::importConv)
          .Case("BatchNormalization", &ONNXImporter::importBatchNorm)
          .Case("Relu", &ONNXImporter::importRelu)
          .Case("MaxPool", &ONNXImporter::importMaxPool)
          .Case("Flatten", &ONNXImporter::importFlatten)
          .Case("Reshape", &ONNXImporter::importReshape)
          .Case("Gemm", &ONNXImporter::importGemm)
          .Case("MatMul", &ONNXImporter::importMatMul)
          .Case("Add", &ONNXImporter::importAdd)
          .Case("AveragePool", &ONNXImporter::importAveragePool)
          .Case("GlobalAveragePool", &ONNXImporter::importGlobalAveragePool)
          .Case("ReduceMean", &ONNXImporter::importReduceMean)
          .Case("Slice", &ONNXImporter::importSlice)
          .Case("Pad", &ONNXImporter::importPad)
          .Case("Transpose", &ONNXImporter::importTranspose)
          .Case("Shape", &ONNXImporter::importShape)
          .Cases({"ConstantOfShape", "Concat", "Cast", "Gather", "Unsqueeze",
                  "Squeeze"},
                 &ONNXImporter::importConstantOnly)
          .Case("Softmax", &ONNXImporter::importSoftmax)
          .Case("QuantizeLinear", &ONNXImporter::importQuantizeLinear)
          .Case("DequantizeLinear", &ONNXImporter::importDequantizeLinear)
          .Cases({"Identity", "Dropout"}, &ONNXImporter::importAlias)
          .Case("Constant", &ONNXImporter::importConstant)
          .Default(nullptr);
  if (!handler)
    return nodeError(llvm::Twine("unsupported operation (supported: ") +
                     kSupportedOps + ")");
  // Every supported operation defines its output 0 (found by fuzzing: a node
  // without outputs was read past the end of its output list).
  if (node->output_size() < 1 || node->output(0).empty())
    return nodeError("has no output");
  return (this->*handler)();
}

llvm::Error ONNXImporter::nodeError(const llvm::Twine &message) const {
  std::string name =
      node->name().empty() ? "#" + std::to_string(nodeIndex) : node->name();
  return fileError(path,
                   "node '" + name + "' (" + node->op_type() + "): " + message);
}

bool ONNXImporter::hasInput(int i) const {
  return i < node->input_size() && !node->input(i).empty();
}

bool ONNXImporter::hasOnlyConstantInputs() const {
  for (const std::string &name : node->input())
    if (!name.empty() && !constants.count(name) && !initializers.count(name))
      return false;
  return true;
}

llvm::Error ONNXImporter::foldNode() {
  llvm::SmallVector<const HostTensor *, 5> inputs;
  for (int i = 0, e = node->input_size(); i < e; ++i) {
    if (!hasInput(i)) {
      inputs.push_back(nullptr);
      continue;
    }
    llvm::Expected<const HostTensor *> t = constantInput(i, "input");
    if (!t)
      return t.takeError();
    inputs.push_back(*t);
  }
  llvm::Expected<HostTensor> value = foldConstantNode(*node, inputs);
  if (!value)
    return nodeError(llvm::toString(value.takeError()));
  constants[node->output(0)] = std::move(*value);
  return llvm::Error::success();
}

llvm::Expected<Activation> ONNXImporter::activationInput(int i,
                                                         bool allowTransposed,
                                                         bool allowInt8,
                                                         bool allowInt32) {
  if (!hasInput(i))
    return nodeError("missing input " + llvm::Twine(i));
  const std::string &name = node->input(i);
  auto it = activations.find(name);
  if (it == activations.end() && boundInputs.count(name))
    return argumentFor(name, allowInt8, allowInt32);
  if (it != activations.end()) {
    if (!allowTransposed && !it->second.perm.empty())
      return nodeError("input '" + name + "' is transposed by node '" +
                       it->second.transposedBy +
                       "'; a Transpose of an activation is only supported "
                       "around a Pad, undone by the next Transpose");
    return it->second;
  }
  if (initializers.count(name) || constants.count(name))
    return nodeError("input '" + name +
                     "' is a constant; expected a computed tensor");
  return nodeError("input '" + name +
                   "' is not defined by the graph input or an earlier node");
}

llvm::Expected<const HostTensor *>
ONNXImporter::constantInput(int i, llvm::StringRef role) {
  if (!hasInput(i))
    return nodeError("missing " + role + " input");
  return constantNamed(node->input(i), role);
}

llvm::Expected<const HostTensor *>
ONNXImporter::constantNamed(const std::string &name, llvm::StringRef role) {
  auto it = constants.find(name);
  if (it != constants.end())
    return &it->second;
  auto init = initializers.find(name);
  if (auto bound = boundInputs.find(name);
      init == initializers.end() && bound != boundInputs.end()) {
    // A graph input given as data, used where the op needs a constant.
    llvm::Expected<HostTensor> host = decodeTensor(bound->second);
    if (!host)
      return nodeError(llvm::toString(host.takeError()));
    return &(constants[name] = std::move(*host));
  }
  if (init == initializers.end()) {
    if (activations.count(name))
      return nodeError(role + " '" + name +
                       "' is computed at run time; expected an initializer");
    return nodeError("missing initializer '" + name + "' (" + role + ")");
  }
  llvm::Expected<HostTensor> host = decodeTensor(*init->second);
  if (!host)
    return nodeError(llvm::toString(host.takeError()));
  return &(constants[name] = std::move(*host));
}

void ONNXImporter::define(int i, Activation value) {
  activations[node->output(i)] = std::move(value);
}

std::string ONNXImporter::resourceName(llvm::StringRef tensor,
                                       llvm::StringRef role) const {
  // PyTorch names the tensors it creates while folding "onnx::Conv_141".
  if (tensor.empty() || tensor.starts_with("onnx::") || tensor.starts_with("/"))
    return layer + "." + role.str();
  return tensor.str();
}

llvm::Error ONNXImporter::checkExtraOutputs(int n) const {
  for (int i = n; i < node->output_size(); ++i)
    if (!node->output(i).empty() && useCounts.lookup(node->output(i)))
      return nodeError("output " + llvm::Twine(i) + " ('" + node->output(i) +
                       "') is not supported in inference");
  return llvm::Error::success();
}

} // namespace import

llvm::Expected<OwningOpRef<ModuleOp>> importONNX(MLIRContext &ctx,
                                                 llvm::StringRef path) {
  return importONNX(ctx, path, ONNXImportOptions());
}

llvm::Expected<OwningOpRef<ModuleOp>>
importONNX(MLIRContext &ctx, llvm::StringRef path,
           const ONNXImportOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return import::fileError(path,
                             "cannot open: " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  onnx::ModelProto model;
  if (bytes.size() > size_t(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), int(bytes.size())))
    return import::fileError(path,
                             "cannot parse the ONNX model (truncated or not "
                             "an ONNX file)");
  if (!model.has_graph())
    return import::fileError(path, "the ONNX model has no graph");
  // ONNX's checker validates the file; its verdict is reported when the
  // importer itself finds nothing more specific to say.
  llvm::Error checked = import::checkModel(path, model);
  if (!checked) {
    // Older opsets are upgraded by ONNX's version converter.
    for (const onnx::OperatorSetIdProto &opset : model.opset_import())
      if ((opset.domain().empty() || opset.domain() == "ai.onnx") &&
          opset.version() < import::kMinOpset)
        if (llvm::Error err = import::upgradeOpset(path, model, opset.version(),
                                                   import::kMinOpset))
          return std::move(err);
  }
  import::ONNXImporter importer(ctx, path, model, options);
  llvm::Expected<OwningOpRef<ModuleOp>> module = importer.run();
  if (!module) {
    llvm::consumeError(std::move(checked));
    return module.takeError();
  }
  if (checked)
    return std::move(checked);
  return module;
}

} // namespace vggq
