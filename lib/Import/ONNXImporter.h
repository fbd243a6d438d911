//===- ONNXImporter.h - ONNX graph to vggq ops ------------------*- C++ -*-===//
//
// Walks the nodes of an ONNX graph in order, keeping every tensor either as
// a host constant (initializers, Constant nodes) or as an NHWC activation,
// and emits vggq ops through the GraphBuilder. The driver is in
// ONNXImporter.cpp, the op handlers in ONNXOps.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_ONNXIMPORTER_H
#define VGGQ_LIB_IMPORT_ONNXIMPORTER_H

#include "GraphBuilder.h"
#include "ONNXUtils.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace vggq {
namespace import {

/// A computed tensor. Rank-4 values are NHWC in the IR (NCHW in ONNX);
/// rank-2 values that come from flattening an NCHW tensor remember its
/// C, H, W so that the next linear layer can permute its weight columns.
struct Activation {
  mlir::Value value;
  std::optional<std::array<int64_t, 3>> flattenedCHW;
  int64_t rank() const;
};

class ONNXImporter {
public:
  ONNXImporter(mlir::MLIRContext &ctx, llvm::StringRef path,
               const onnx::ModelProto &model);
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> run();

private:
  llvm::Error checkOpset();
  llvm::Error importInput();
  llvm::Error importNode(size_t index);

  // Op handlers (ONNXOps.cpp).
  llvm::Error importConv();
  llvm::Error importBatchNorm();
  llvm::Error importRelu();
  llvm::Error importMaxPool();
  llvm::Error importFlatten();
  llvm::Error importReshape();
  llvm::Error importGemm();
  llvm::Error importMatMul();
  llvm::Error importAdd();
  llvm::Error importSoftmax();
  llvm::Error importAlias();
  llvm::Error importConstant();
  /// Emits a linear layer from a weight [O, K] in the source's column order.
  llvm::Error emitLinear(const Activation &input, const std::string &weightName,
                         std::vector<float> weight, int64_t out, int64_t in,
                         const std::string &biasName, const HostTensor *bias,
                         const std::string &output);

  // Access to the current node's tensors.
  /// An error "<file>: node '<name>' (<op>): <message>".
  llvm::Error nodeError(const llvm::Twine &message) const;
  bool hasInput(int i) const;
  llvm::Expected<Activation> activationInput(int i) const;
  llvm::Expected<const HostTensor *> constantInput(int i, llvm::StringRef role);
  /// The constant called `name` (an initializer, decoded on first use, or a
  /// Constant node's output).
  llvm::Expected<const HostTensor *> constantNamed(const std::string &name,
                                                   llvm::StringRef role);
  /// Makes `output(i)` of the current node refer to `value`.
  void define(int i, Activation value);
  /// The resource name for the tensor `name` used as `role` of the layer.
  std::string resourceName(llvm::StringRef tensor, llvm::StringRef role) const;
  /// Errors when the node has a used output beyond the first `n`.
  llvm::Error checkExtraOutputs(int n) const;

  llvm::StringRef path;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  mlir::MLIRContext &ctx;
  std::optional<GraphBuilder> builder;

  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<HostTensor> constants;
  llvm::StringMap<Activation> activations;
  llvm::StringMap<unsigned> useCounts;
  /// Nodes already imported as part of an earlier one (MatMul + Add).
  llvm::DenseSet<size_t> consumed;

  // The node being imported.
  const onnx::NodeProto *node = nullptr;
  size_t nodeIndex = 0;
  std::string layer;
};

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_ONNXIMPORTER_H
