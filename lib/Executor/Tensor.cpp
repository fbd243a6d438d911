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
  case ElemKind::Q8: {
    // A tensor without a single scale (per-channel weights) gives its codes'
    // values unscaled.
    float s = scale != 0.0f ? scale : 1.0f;
    std::vector<float> out(q8.size());
    for (size_t i = 0; i < q8.size(); ++i)
      out[i] = precision->decode(q8[i]) * s;
    return out;
  }
  }
  return {};
}

size_t Tensor::byteSize() const {
  return f32.size() * sizeof(float) + i32.size() * sizeof(int32_t) + q8.size();
}
