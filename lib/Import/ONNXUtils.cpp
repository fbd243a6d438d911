//===- ONNXUtils.cpp - ONNX protobuf helpers for the importer -------------===//
#include "ONNXUtils.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"

#include <cstring>

using namespace llvm;

namespace vggq {
namespace import {

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string dataTypeName(int32_t type) {
  if (onnx::TensorProto_DataType_IsValid(type))
    return onnx::TensorProto_DataType_Name(
        static_cast<onnx::TensorProto_DataType>(type));
  return "type " + std::to_string(type);
}

namespace {
Error tensorError(const onnx::TensorProto &tensor, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           ("tensor '" + tensor.name() + "' " + message).str());
}

/// Copies `count` little-endian elements of `raw` into `out`.
template <typename T>
void copyRaw(const std::string &raw, std::vector<T> &out, size_t count) {
  out.resize(count);
  std::memcpy(out.data(), raw.data(), count * sizeof(T));
  if constexpr (llvm::endianness::native != llvm::endianness::little)
    for (T &v : out)
      v = support::endian::byte_swap(v, llvm::endianness::little);
}
} // namespace

Expected<HostTensor> decodeTensor(const onnx::TensorProto &tensor) {
  HostTensor host;
  uint64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || d > (int64_t(1) << 40))
      return tensorError(tensor, "has an invalid dimension " + Twine(d));
    host.shape.push_back(d);
    count *= uint64_t(d);
    if (count > (uint64_t(1) << 40))
      return tensorError(tensor, "is too large");
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return tensorError(tensor, "is stored as external data, which is not "
                               "supported (re-export without external data)");
  if (tensor.has_segment())
    return tensorError(tensor, "is segmented, which is not supported");
  const std::string &raw = tensor.raw_data();
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (!raw.empty()) {
      if (raw.size() != count * sizeof(float))
        return tensorError(tensor, "has " + Twine(raw.size()) +
                                       " raw bytes for " + Twine(count) +
                                       " float32 elements");
      copyRaw(raw, host.f32, count);
    } else {
      if (uint64_t(tensor.float_data_size()) != count)
        return tensorError(tensor, "has " + Twine(tensor.float_data_size()) +
                                       " values for " + Twine(count) +
                                       " elements");
      host.f32.assign(tensor.float_data().begin(), tensor.float_data().end());
    }
    return host;
  case onnx::TensorProto::INT64:
    host.isInt = true;
    if (!raw.empty()) {
      if (raw.size() != count * sizeof(int64_t))
        return tensorError(tensor, "has " + Twine(raw.size()) +
                                       " raw bytes for " + Twine(count) +
                                       " int64 elements");
      copyRaw(raw, host.i64, count);
    } else {
      if (uint64_t(tensor.int64_data_size()) != count)
        return tensorError(tensor, "has " + Twine(tensor.int64_data_size()) +
                                       " values for " + Twine(count) +
                                       " elements");
      host.i64.assign(tensor.int64_data().begin(), tensor.int64_data().end());
    }
    return host;
  default:
    return tensorError(tensor, "has data type " +
                                   dataTypeName(tensor.data_type()) +
                                   "; only FLOAT (float32) is supported");
  }
}

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t getIntAttr(const onnx::NodeProto &node, StringRef name,
                   int64_t fallback) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->i() : fallback;
}

float getFloatAttr(const onnx::NodeProto &node, StringRef name,
                   float fallback) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->f() : fallback;
}

std::string getStringAttr(const onnx::NodeProto &node, StringRef name,
                          StringRef fallback) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr ? attr->s() : fallback.str();
}

SmallVector<int64_t, 4> getIntsAttr(const onnx::NodeProto &node, StringRef name,
                                    ArrayRef<int64_t> fallback) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  if (!attr)
    return SmallVector<int64_t, 4>(fallback);
  return SmallVector<int64_t, 4>(attr->ints().begin(), attr->ints().end());
}

std::string layerNameFor(const onnx::NodeProto &node, size_t index) {
  StringRef name = node.name();
  if (name.empty())
    return node.op_type() + "_" + std::to_string(index);
  if (!name.starts_with("/"))
    return name.str();
  SmallVector<StringRef, 4> parts;
  name.drop_front().split(parts, '/', -1, /*KeepEmpty=*/false);
  if (parts.size() < 2)
    return name.drop_front().str();
  // Each scope is the full path of the module ("features.0" under
  // "features"), its attribute name ("conv1" under "layer1.0"), or a child of
  // a Sequential named after the Sequential's attribute ("shortcut.0" under
  // "layer1.0/shortcut").
  std::string path;
  StringRef previous;
  for (StringRef scope : ArrayRef<StringRef>(parts).drop_back()) {
    if (path.empty() || scope.starts_with(path + "."))
      path = scope.str();
    else if (!previous.empty() && scope.starts_with(previous.str() + "."))
      path += scope.drop_front(previous.size()).str();
    else
      path += "." + scope.str();
    previous = scope;
  }
  return path;
}

} // namespace import
} // namespace vggq
