//===- ONNXUtils.h - ONNX protobuf helpers for the importer -----*- C++ -*-===//
//
// Decoding of ONNX tensors and node attributes, and the PyTorch layer names
// derived from node names. Only built with libonnx-dev.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_ONNXUTILS_H
#define VGGQ_LIB_IMPORT_ONNXUTILS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

namespace vggq {
namespace import {

/// A constant tensor on the host: float32 weights or int64 shapes.
struct HostTensor {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> f32;
  std::vector<int64_t> i64;
  bool isInt = false;
  int64_t numElements() const;
};

/// Decodes `tensor` (FLOAT or INT64, raw or typed data). The error message
/// names the tensor but not the file.
llvm::Expected<HostTensor> decodeTensor(const onnx::TensorProto &tensor);

/// The ONNX name of a TensorProto data type ("FLOAT", "INT32", ...).
std::string dataTypeName(int32_t type);

/// The attribute `name` of `node`, or null.
const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     llvm::StringRef name);
int64_t getIntAttr(const onnx::NodeProto &node, llvm::StringRef name,
                   int64_t fallback);
float getFloatAttr(const onnx::NodeProto &node, llvm::StringRef name,
                   float fallback);
std::string getStringAttr(const onnx::NodeProto &node, llvm::StringRef name,
                          llvm::StringRef fallback);
/// The ints attribute `name`, or `fallback` when absent.
llvm::SmallVector<int64_t, 4> getIntsAttr(const onnx::NodeProto &node,
                                          llvm::StringRef name,
                                          llvm::ArrayRef<int64_t> fallback);

/// The operands of a Slice: one entry per sliced axis, axes normalised to
/// [0, rank).
struct SliceParams {
  llvm::SmallVector<int64_t, 4> starts, ends, axes, steps;
};

/// Decodes a Slice's constant operands `in` (data, starts, ends, optional
/// axes, optional steps; null for an absent one) for a rank-`rank` input.
llvm::Error decodeSliceParams(llvm::ArrayRef<const HostTensor *> in,
                              int64_t rank, SliceParams &params);

/// The first index and the element count of slicing a dimension of size
/// `dim` with ONNX's clamping rules.
std::pair<int64_t, int64_t> resolveSliceAxis(int64_t dim, int64_t start,
                                             int64_t end, int64_t step);

/// Whether `perm` holds each of 0 .. rank-1 once.
bool isPermutationOf(llvm::ArrayRef<int64_t> perm, int64_t rank);

/// Whether the importer evaluates `opType` when all its inputs are host
/// constants (ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast).
bool isConstantFoldable(llvm::StringRef opType);

/// Evaluates `node` on host constants (`inputs`, null for an absent
/// optional input). The error message does not name the node.
llvm::Expected<HostTensor>
foldConstantNode(const onnx::NodeProto &node,
                 llvm::ArrayRef<const HostTensor *> inputs);

/// The PyTorch module path of a node from its scope name:
/// "/features/features.0/Conv" -> "features.0", "/classifier/Gemm" ->
/// "classifier", "/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1",
/// "/layer1/layer1.0/shortcut/shortcut.0/Conv" -> "layer1.0.shortcut.0". Nodes
/// without a scope keep their own name (without the leading '/'); unnamed
/// nodes are called "<OpType>_<index>".
std::string layerNameFor(const onnx::NodeProto &node, size_t index);

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_ONNXUTILS_H
