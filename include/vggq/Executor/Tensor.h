//===- Tensor.h - host tensors of the reference executor --------*- C++ -*-===//
//
// A dense host tensor: f32, i32, or 8-bit storage of a quantized precision
// (codes, with the per-tensor scale that gives them their real value).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EXECUTOR_TENSOR_H
#define VGGQ_EXECUTOR_TENSOR_H

#include "vggq/Precision/Precision.h"

#include <cstdint>
#include <vector>

namespace vggq {
namespace exec {

enum class ElemKind { F32, I32, Q8 };

struct Tensor {
  std::vector<int64_t> shape; ///< static shape (the batch is concrete here)
  ElemKind kind = ElemKind::F32;
  /// For Q8: the storage precision (from the registry).
  const Precision *precision = nullptr;
  /// For Q8: the per-tensor scale when known (real = decode(code) * scale);
  /// 0 when the value carries no single scale (e.g. per-channel weights).
  float scale = 0.0f;
  std::vector<float> f32;
  std::vector<int32_t> i32;
  std::vector<uint8_t> q8;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// Real values as f32 (Q8 decoded and multiplied by `scale`; I32 cast).
  std::vector<float> toFloat() const;
  /// Bytes held by the data.
  size_t byteSize() const;
};

} // namespace exec
} // namespace vggq

#endif // VGGQ_EXECUTOR_TENSOR_H
