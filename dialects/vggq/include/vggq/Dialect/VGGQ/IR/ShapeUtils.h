//===- ShapeUtils.h - shared shape arithmetic for vggq ops ------*- C++ -*-===//
//
// The one place where window (conv, pool) output sizes are computed. The op
// verifiers, the importer, the reference executor and the GPU lowering all
// call these helpers.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_DIALECT_VGGQ_IR_SHAPEUTILS_H
#define VGGQ_DIALECT_VGGQ_IR_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include <cstdint>
#include <optional>

namespace vggq {

/// Output extent of a sliding window along one axis, or std::nullopt when the
/// window does not fit (non-positive result). Dynamic in -> dynamic out.
std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t padBegin,
                                        int64_t padEnd, int64_t dilation);

/// Parameters of a 2-D window over NHWC; padding is [top, left, bottom, right].
struct Window2D {
  int64_t kernelH, kernelW;
  int64_t strideH, strideW;
  int64_t padTop, padLeft, padBottom, padRight;
  int64_t dilationH = 1, dilationW = 1;
};

} // namespace vggq

#endif // VGGQ_DIALECT_VGGQ_IR_SHAPEUTILS_H
