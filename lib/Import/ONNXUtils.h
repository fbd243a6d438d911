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

/// The PyTorch module path of a node from its scope name:
/// "/features/features.0/Conv" -> "features.0", "/classifier/Gemm" ->
/// "classifier", "/layer1/layer1.0/conv1/Conv" -> "layer1.0.conv1". Nodes
/// without a scope keep their own name (without the leading '/'); unnamed
/// nodes are called "<OpType>_<index>".
std::string layerNameFor(const onnx::NodeProto &node, size_t index);

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_ONNXUTILS_H
