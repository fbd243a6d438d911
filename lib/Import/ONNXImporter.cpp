//===- ONNXImporter.cpp - ONNX graph to vggq ops --------------------------===//
//
// The driver: file reading, opset and graph input checks, tensor lookup and
// the dispatch to the op handlers of ONNXOps.cpp.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "ONNXImporter.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MemoryBuffer.h"

#include <climits>

using namespace mlir;

namespace vggq {
namespace import {

namespace {
constexpr int64_t kMinOpset = 13;
constexpr int64_t kMaxOpset = 21;
constexpr const char *kSupportedOps =
    "Conv, BatchNormalization, Relu, MaxPool, Flatten, Reshape, Gemm, MatMul, "
    "Add, Softmax, Identity, Dropout, Constant";

} // namespace

int64_t Activation::rank() const {
  return cast<RankedTensorType>(value.getType()).getRank();
}

ONNXImporter::ONNXImporter(MLIRContext &ctx, llvm::StringRef path,
                           const onnx::ModelProto &model)
    : path(path), model(model), graph(model.graph()), ctx(ctx) {}

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
  if (dims.size() != 4 || dims[1] != 3 || dims[2] < 1 || dims[3] < 1)
    return fileError(path, "graph input '" + input->name() + "' has shape " +
                               formatShape(dims) +
                               "; expected NCHW [N, 3, H, W] with static H "
                               "and W");
  builder.emplace(ctx, dims[2], dims[3], dims[1]);
  activations[input->name()] = Activation{builder->input(), std::nullopt};
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>> ONNXImporter::run() {
  if (llvm::Error err = checkOpset())
    return std::move(err);
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers[tensor.name()] = &tensor;
  if (llvm::Error err = importInput())
    return std::move(err);
  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &name : n.input())
      ++useCounts[name];
  for (const onnx::ValueInfoProto &info : graph.output())
    ++useCounts[info.name()];

  for (size_t i = 0, e = graph.node_size(); i < e; ++i)
    if (!consumed.contains(i))
      if (llvm::Error err = importNode(i))
        return std::move(err);

  if (graph.output_size() != 1)
    return fileError(path, "the graph has " + llvm::Twine(graph.output_size()) +
                               " outputs; expected one (the logits)");
  const std::string &outName = graph.output(0).name();
  auto it = activations.find(outName);
  if (it == activations.end())
    return fileError(path, "graph output '" + outName +
                               "' is not computed from the input");
  if (it->second.rank() != 2)
    return fileError(path, "graph output '" + outName + "' has rank " +
                               llvm::Twine(it->second.rank()) +
                               "; expected [N, classes]");
  return builder->finish(it->second.value, path);
}

llvm::Error ONNXImporter::importNode(size_t index) {
  node = &graph.node(index);
  nodeIndex = index;
  layer = layerNameFor(*node, index);
  if (!node->domain().empty() && node->domain() != "ai.onnx")
    return nodeError("unsupported operation from domain '" + node->domain() +
                     "'");
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
          .Case("Softmax", &ONNXImporter::importSoftmax)
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

llvm::Expected<Activation> ONNXImporter::activationInput(int i) const {
  if (!hasInput(i))
    return nodeError("missing input " + llvm::Twine(i));
  const std::string &name = node->input(i);
  auto it = activations.find(name);
  if (it != activations.end())
    return it->second;
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
  import::ONNXImporter importer(ctx, path, model);
  return importer.run();
}

} // namespace vggq
