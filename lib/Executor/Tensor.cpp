//===- Tensor.cpp - host tensors of the reference executor ----------------===//
//
// Conversions and sizes of exec::Tensor.
//
//===----------------------------------------------------------------------===//

#include "vggq/Executor/Tensor.h"

using namespace vggq;
using namespace vggq::exec;

std::vector<float> Tensor::toFloat() const {
  switch (kind) {
  case ElemKind::F32:
    return f32;
  case ElemKind::I32:
    return std::vector<float>(i32.begin(), i32.end());
  case ElemKind::Coded: {
    // A tensor without a single scale (per-channel weights) gives its codes'
    // values unscaled.
    float s = scale != 0.0f ? scale : 1.0f;
    std::vector<float> out(numElements());
    numerics::decodeSpan(*precision, codes.data(), out.size(), out.data(), s);
    return out;
  }
  }
  return {};
}

size_t Tensor::byteSize() const {
  return f32.size() * sizeof(float) + i32.size() * sizeof(int32_t) +
         codes.size();
}
