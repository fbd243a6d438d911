//===- Compare.h - GPU vs CPU reference, per layer --------------*- C++ -*-===//
//
// The tolerances (derived in runtime/README.md, "Per-layer tolerances"):
//  - isolated per-layer check (each launch fed the reference's inputs):
//      s8:        |code difference| <= 1
//      e4m3/e5m2: at most one step apart in the ordered code sequence, except
//                 where |difference| <= 1e-3 * max|reference of the layer|
//                 (cancellation in the fp32 accumulation)
//      f32:       |difference| <= 2e-3 * max|reference of the layer| + 1e-5
//      s32:       exact
//  - chained run (the whole forward on the GPU): logits top-1 agreement with
//    the reference on >= 98% of the images; per-layer step statistics are
//    reported, not judged.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_TOOLS_COMPARE_H
#define VGGQ_RUNTIME_TOOLS_COMPARE_H

#include "RefDump.h"
#include "vggq/vggq_runtime.h"

namespace vggq {
namespace rt {

/// Per-element comparison of two buffers of one dtype.
struct LayerDiff {
  size_t elements = 0;
  size_t beyond = 0;       ///< elements outside the tolerance
  size_t differing = 0;    ///< elements not bit-equal
  long maxSteps = 0;       ///< largest code distance (quantized types)
  double maxAbs = 0;       ///< largest |real difference|
  double refMaxAbs = 0;    ///< max |reference|
  /// Elements that may lie outside the per-element rule: for FP8, 0.1 % of
  /// the layer, since tensor cores accumulate FP8 products in about 13
  /// mantissa bits, truncated (runtime/README.md, "FP8 accumulation");
  /// 0 for every other type.
  size_t allowed = 0;
  size_t nanMismatch = 0; ///< NaN on one side only: never allowed
  bool ok() const { return nanMismatch == 0 && beyond <= allowed; }
};

LayerDiff compareBuffers(Dtype dtype, float scale, const void *gpu,
                         const void *ref, size_t elements);

/// Runs the comparison of `model` against `dump` (already checked against
/// the plan): isolated per-layer, then chained logits. Prints a line per
/// layer; returns true when everything is within tolerance.
bool compareWithReference(vggq_model *model, const Plan &plan,
                          const RefDump &dump, const float *input, int images);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_TOOLS_COMPARE_H
