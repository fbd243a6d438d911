//===- Plan.h - the vggq execution plan -------------------------*- C++ -*-===//
//
// The in-memory form of the plan JSON of docs/ARTIFACT.md, validated on
// load: every error names the key that is missing or wrong
// (e.g. "launches[3].out.dtype").
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_PLAN_H
#define VGGQ_RUNTIME_PLAN_H

#include "vggq/Precision/Format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vggq {
namespace rt {

/// Element types of plan buffers and weight regions: s32 (accumulators and
/// integer biases) and every format of Formats.def; the value of each is its
/// reference-dump code.
enum class Dtype : unsigned {
  S32 = 1,
#define VGGQ_FORMAT(ID, NAME, DISPLAY, MLIR, RT, CODE, ...) ID = CODE,
#include "vggq/Precision/Formats.def"
};

/// The format of `d`; nullptr for S32.
const format::Format *dtypeFormat(Dtype d);
const char *dtypeName(Dtype d);
unsigned dtypeSize(Dtype d);
/// Parses a plan dtype name; false if unknown.
bool parseDtype(const std::string &name, Dtype &out);
/// "s32, f32, e4m3, ...": every dtype name, for diagnostics.
std::string dtypeNames();
/// The dtype of a reference-dump code; false if unknown.
bool dtypeFromCode(unsigned code, Dtype &out);
/// The real value of element `i` of a buffer of `d` (codes times `scale`).
double decodeElement(Dtype d, const void *data, size_t i, float scale);

/// An activation buffer in the arena: address = arena + offsetPerImage * B.
struct PlanBuffer {
  uint64_t offsetPerImage = 0;
  std::vector<int64_t> shape; ///< shape[0] == -1 (the batch)
  Dtype dtype = Dtype::F32;
  float scale = 1.0f;
  uint64_t bytesPerImage = 0; ///< product of shape[1:] times the element size
};

struct WeightRegion {
  std::string name;
  uint64_t offset = 0, bytes = 0;
  Dtype dtype = Dtype::F32;
};

struct PlanKernel {
  std::string name;
  unsigned block[3] = {1, 1, 1};
  unsigned sharedBytes = 0;       ///< dynamic shared memory per block
  unsigned staticSharedBytes = 0; ///< the kernel's own .shared arrays
};

/// A tiled tensor map (kind "tensor_map", rank 1 to 5) over a weight region
/// (`offset`) or an arena buffer (`offset_per_image`, whose outermost
/// dimension is the batch, -1 in the plan). The runtime encodes it with
/// cuTensorMapEncodeTiled (weights: once they are on the device; arena: for
/// each batch) and passes the 128-byte CUtensorMap by value.
struct PlanTensorMap {
  bool overArena = false;
  unsigned rank = 0;
  unsigned elemBytes = 1;          ///< 1 (UINT8) or 2 (UINT16)
  uint64_t dims[5] = {};           ///< elements, innermost first (arena: the
                                   ///< last one is 0 here, the batch)
  uint64_t strides[4] = {};        ///< bytes, dimensions 1..rank-1
  uint32_t box[5] = {};            ///< box elements, innermost first
  unsigned swizzleBytes = 0;       ///< 0, 32, 64 or 128
};

struct LaunchArg {
  enum Kind { Arena, Weights, Batch, TensorMap } kind = Batch;
  /// Per image for Arena and arena tensor maps, absolute for Weights and
  /// weight tensor maps.
  uint64_t offset = 0;
  PlanTensorMap map;   ///< kind TensorMap
  size_t mapIndex = 0; ///< weight tensor maps: the slot in vggq_model::tensorMaps
};

struct PlanLaunch {
  std::string kernel, layer;
  int kernelIndex = -1;
  uint64_t rowsPerImage = 0, tileRows = 0;
  unsigned gridY = 1, gridZ = 1;
  /// A persistent kernel's blocks per SM (grid.persistent; 0: a block per
  /// tile): the runtime launches min(tiles, SMs x this) blocks.
  unsigned persistent = 0;
  std::vector<LaunchArg> args;
  PlanBuffer out;
};

struct Plan {
  std::string model, precision, chip;
  int ptxVersion = 0;
  PlanBuffer input, output;
  std::vector<float> mean, std;
  uint64_t arenaBytesPerImage = 0, arenaAlignment = 256;
  uint64_t weightsBytes = 0;
  std::vector<WeightRegion> regions;
  std::vector<PlanKernel> kernels;
  std::vector<PlanLaunch> launches;
  size_t tensorMapCount = 0; ///< weight tensor maps of all launches
};

/// Parses and validates `json`; on failure returns false with a message
/// ("plan: ...") in `error`.
bool parsePlan(const std::string &json, Plan &plan, std::string &error);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_PLAN_H
