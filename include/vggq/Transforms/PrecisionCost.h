//===- PrecisionCost.h - the cost model of --vggq-choose-precision -*- C++
//-*-===//
//
// One function prices a layer in a format; --vggq-choose-precision
// (lib/Transforms/ChoosePrecision.cpp) minimizes its sum over the layers.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TRANSFORMS_PRECISIONCOST_H
#define VGGQ_TRANSFORMS_PRECISIONCOST_H

#include "vggq/Precision/Precision.h"

#include <cstdint>

namespace vggq {

/// The relative time of a layer of `macs` multiply-accumulates that moves
/// `bytes` elements (weights, input and output of one image, one byte each
/// at 8 bits) in precision `p`, in units of one 16-bit tensor-core MAC:
/// macs / MMA_RATE + bytes * (BITS / 8) * kMacsPerByte, with the format's
/// dense tensor-core rate relative to 16-bit from Formats.def (H200: 8-bit 2,
/// 16-bit 1, FP32 on CUDA cores 0.068).
double formatCost(const Precision &p, int64_t macs, int64_t bytes);

} // namespace vggq

#endif // VGGQ_TRANSFORMS_PRECISIONCOST_H
