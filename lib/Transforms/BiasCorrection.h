//===- BiasCorrection.h - mean weight-rounding error per channel -*- C++
//-*-===//
//
// Bias correction (--vggq-calibrate / --vggq-quantize bias-correction=true):
// the mean output error that rounding the weights adds over the calibration
// images is E[W x] - E[Wq x] = (W - Wq) E[x] per output channel, with E[x]
// the mean im2col column of the layer's input (a constant per channel, so the
// mean over output positions is what the bias can absorb).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_TRANSFORMS_BIASCORRECTION_H
#define VGGQ_LIB_TRANSFORMS_BIASCORRECTION_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace vggq {

/// The mean im2col column of a conv2d's input (K = kh * kw * c entries in the
/// OHWI weight's order, zero padding counted as zeros), or the mean input
/// feature of a linear, from `sum`: the per-image input (HWC or K elements)
/// summed over `images` images.
llvm::SmallVector<float> inputColumnMean(mlir::Operation *op,
                                         llvm::ArrayRef<double> sum,
                                         int64_t images);

/// Per output channel o: sum_k (w[o,k] - wq[o,k]) * colMean[k], with w and
/// wq (dequantized) [channels, K] row-major.
llvm::SmallVector<double> biasCorrection(llvm::ArrayRef<float> w,
                                         llvm::ArrayRef<float> wq,
                                         int64_t channels,
                                         llvm::ArrayRef<float> colMean);

} // namespace vggq

#endif // VGGQ_LIB_TRANSFORMS_BIASCORRECTION_H
