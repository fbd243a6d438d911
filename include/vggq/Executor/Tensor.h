//===- Tensor.h - host tensors of the reference executor --------*- C++ -*-===//
//
// A dense host tensor: f32, i32, or the codes of a quantized precision as
// raw little-endian bytes plus the format (Formats.def), with the per-tensor
// scale that gives them their real value.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EXECUTOR_TENSOR_H
#define VGGQ_EXECUTOR_TENSOR_H

#include "vggq/Precision/Precision.h"

#include <cstdint>
#include <vector>

namespace vggq {
namespace exec {

enum class ElemKind { F32, I32, Coded };

struct Tensor {
  std::vector<int64_t> shape; ///< static shape (the batch is concrete here)
  ElemKind kind = ElemKind::F32;
  /// For Coded: the storage precision (from the registry).
  const Precision *precision = nullptr;
  /// For Coded: the per-tensor scale when known (real = decode(code) * scale);
  /// 0 when the value carries no single scale (e.g. per-channel weights).
  float scale = 0.0f;
  std::vector<float> f32;
  std::vector<int32_t> i32;
  /// For Coded: numElements() codes of precision->bytes() bytes each.
  std::vector<uint8_t> codes;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// Bytes per code (Coded).
  unsigned codeBytes() const { return precision->bytes(); }
  /// Code of element i (Coded).
  uint32_t code(int64_t i) const {
    return numerics::loadCode(codes.data(), i, codeBytes());
  }
  void setCode(int64_t i, uint32_t c) {
    numerics::storeCode(codes.data(), i, codeBytes(), c);
  }
  /// Sizes `codes` for numElements() codes of `precision`.
  void allocateCodes() { codes.assign(numElements() * codeBytes(), 0); }
  /// Real values as f32 (codes decoded and multiplied by `scale`; I32 cast).
  std::vector<float> toFloat() const;
  /// Bytes held by the data.
  size_t byteSize() const;
};

} // namespace exec
} // namespace vggq

#endif // VGGQ_EXECUTOR_TENSOR_H
