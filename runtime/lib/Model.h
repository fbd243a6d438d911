//===- Model.h - a loaded model (internal) ----------------------*- C++ -*-===//
//
// The state behind the C handle `vggq_model`: the plan, the driver, the
// module and its functions, the device weights and arena, and one CUDA graph
// per batch size.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_MODEL_H
#define VGGQ_RUNTIME_MODEL_H

#include "CudaDriver.h"
#include "Plan.h"
#include "vggq/vggq_runtime.h"

#include <map>
#include <string>
#include <vector>

struct vggq_model {
  const vggq::rt::CudaDriver *cu = nullptr;
  vggq::rt::Plan plan;
  vggq_plan_summary summary{};
  std::string lastError;
  std::string kernelSource; ///< "cubin" or "ptx-jit"
  std::string deviceName;

  CUdevice device = 0;
  /// Blocks a persistent launch may have per plan.persistent: the SM count,
  /// or VGGQ_PERSISTENT_BLOCKS's total when set (to make each block loop
  /// over many tiles on the emulator).
  unsigned smCount = 0, persistentBlocks = 0;
  CUcontext context = nullptr;
  CUmodule module = nullptr;
  CUstream stream = nullptr;
  std::vector<CUfunction> functions; ///< one per plan kernel
  CUdeviceptr weights = 0;
  /// The encoded tensor maps of the plan's tensor_map arguments
  /// (LaunchArg::mapIndex), made once the weights are on the device.
  std::vector<CUtensorMap> tensorMaps;
  CUdeviceptr arena = 0;
  int capacity = 0;                      ///< images the arena holds
  std::map<int, CUgraphExec> graphs;     ///< by batch size
  size_t freeAtStart = 0, minFree = 0, totalMem = 0;

  /// Records the error of a failed call; returns false when `r` failed.
  bool check(CUresult r, const char *call, const std::string &context = "");
  bool fail(const std::string &message);
  /// Samples cuMemGetInfo for the peak-memory figure.
  void sampleMemory();
};

namespace vggq {
namespace rt {

/// Fills the summary of a validated plan.
void summarize(const Plan &plan, vggq_plan_summary &out);

/// The device weights: read from `path` (its size must equal
/// plan.weightsBytes), or generated per region dtype when `path` is null.
bool loadWeightsHost(const Plan &plan, const char *path,
                     std::vector<uint8_t> &bytes, std::string &error);

/// Encodes `map` over the tensor at `base` with cuTensorMapEncodeTiled
/// (an arena map's last dimension: `batch` images); a map the driver
/// rejects is an error naming launch `launch` and its argument `arg`.
bool encodeTensorMap(vggq_model &m, const PlanTensorMap &map, CUdeviceptr base,
                     uint64_t batch, size_t launch, size_t arg,
                     CUtensorMap &out);

/// Makes room for `batch` images (reallocating the arena, dropping graphs).
bool ensureCapacity(vggq_model &m, int batch);
/// Enqueues launches [first, last) for `batch` images on the model stream.
bool enqueueLaunches(vggq_model &m, int batch, size_t first, size_t last);
/// The graph of the whole forward for `batch`, captured on first use.
bool graphFor(vggq_model &m, int batch, CUgraphExec &exec);
/// Device address of a per-image arena offset for `batch` images.
inline CUdeviceptr arenaAt(const vggq_model &m, uint64_t offsetPerImage,
                           int batch) {
  return m.arena + offsetPerImage * static_cast<uint64_t>(batch);
}

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_MODEL_H
