//===- PerfModel.h - predicted kernel and forward times ---------*- C++ -*-===//
//
// A roofline-with-waves model of the compiled kernels, so that speed can be
// reasoned about without a GPU. The work of every launch (FLOPs, compulsory
// global bytes, GEMM shape) comes from the quantized graph and the plan; the
// resources (registers, shared memory, threads) from the plan and from
// `ptxas -v`; the machine from a per-chip table of published figures
// (Chips.cpp). docs/PERF-MODEL.md writes the assumptions down.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PERFMODEL_PERFMODEL_H
#define VGGQ_PERFMODEL_PERFMODEL_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace vggq {
namespace perf {

/// How a kernel multiplies: the tensor-core instruction family, or the CUDA
/// cores (FP32 SIMT and the elementwise kernels).
enum class Strategy { MmaSync, Wgmma, Simt };
llvm::StringRef strategyName(Strategy s);

/// One chip, as published (Chips.cpp gives the source of every figure).
struct Chip {
  std::string name;    ///< "H200"
  std::string arch;    ///< "sm_90"
  unsigned sms;        ///< streaming multiprocessors
  double hbmTBs;       ///< DRAM bandwidth, TB/s
  unsigned smemPerSM;  ///< shared memory per SM usable by CTAs, bytes
  unsigned smemPerCta; ///< largest shared memory of one CTA, bytes
  unsigned regsPerSM;  ///< 32-bit registers per SM
  unsigned threadsPerSM;
  unsigned ctasPerSM; ///< resident CTAs per SM at most
  /// Dense tensor-core peaks in TFLOP/s (TOPS), f32 accumulation, and the
  /// CUDA-core FP32 peak.
  double fp8, int8, fp16, fp32;
  /// The fraction of the peak each strategy reaches on a large GEMM (and
  /// for FP8 mma.sync on Hopper, the FP16 rate it is converted to).
  double mmaSyncEfficiency, wgmmaEfficiency;
  bool fp8MmaSyncViaFp16; ///< Hopper runs FP8 mma.sync as FP16 MMA
};

/// The chips of the table: H200, H100, RTX 4090.
llvm::ArrayRef<Chip> chips();
const Chip *lookupChip(llvm::StringRef name);
std::string chipNames();

/// What one launch does and what it holds, per image of the batch.
struct KernelWork {
  std::string kernel, layer;
  Strategy strategy = Strategy::Simt;
  std::string format; ///< precision name of the multiply ("int8", "fp32")
  /// GEMM rows per image (output pixels), columns (output channels) and
  /// reduction length; 0 for kernels that are not GEMMs.
  int64_t rowsPerImage = 0, cols = 0, depth = 0;
  int64_t tileM = 0, tileN = 0;      ///< CTA tile of a GEMM
  int64_t threadsPerImage = 0;       ///< non-GEMM kernels: threads per image
  double flopsPerImage = 0;          ///< 2 per multiply-accumulate
  double bytesPerImage = 0;          ///< compulsory: inputs + outputs, once
  double fixedBytes = 0;             ///< weights, read once per launch
  unsigned threads = 0;              ///< per CTA
  /// Threads of a producer warpgroup (warp specialized: they issue copies,
  /// not MMAs, so they do not count toward the SM's issue rate).
  unsigned producerThreads = 0;
  unsigned staticSmem = 0;           ///< per CTA, bytes
  std::optional<unsigned> registers; ///< per thread, from ptxas -v
  std::optional<unsigned> spills;    ///< spill stores + loads, bytes
};

/// The prediction for one launch at one batch on one chip.
struct Prediction {
  double us = 0; ///< predicted time
  double computeUs = 0, memoryUs = 0, launchUs = 0;
  int64_t ctas = 0;       ///< CTAs in the grid
  unsigned ctasPerSM = 0; ///< occupancy, CTAs resident per SM
  std::string limiter;    ///< what bounds the occupancy
  double waves = 0;       ///< CTAs / (SMs * ctasPerSM), rounded up
  std::string bound;      ///< compute | memory | latency | launch
  double peakPercent = 0; ///< achieved FLOP/s against the format's peak
};

/// The ptxas -v report of one module: registers and spill bytes per kernel.
struct PtxasInfo {
  unsigned registers = 0, spillBytes = 0;
};
llvm::StringMap<PtxasInfo> parsePtxasVerbose(llvm::StringRef log);

/// Collects the work of every launch of `plan` (the JSON of
/// vggq::buildPlan) from the vggq-level `graph` (quantized and fused, or
/// FP32) that was lowered. Errors name the launch that cannot be matched.
llvm::Expected<std::vector<KernelWork>>
collectWork(mlir::ModuleOp graph, const llvm::json::Value &plan,
            const llvm::StringMap<PtxasInfo> &ptxas);

/// The model (docs/PERF-MODEL.md).
Prediction predict(const KernelWork &k, const Chip &chip, int64_t batch);

/// The report: per kernel at `batch`, then the whole forward at 1, 64, 512
/// and 4096 images next to the floor (FLOPs at the datasheet peak).
void printReport(llvm::raw_ostream &os, llvm::ArrayRef<KernelWork> work,
                 const Chip &chip, int64_t batch, llvm::StringRef model);

} // namespace perf
} // namespace vggq

#endif // VGGQ_PERFMODEL_PERFMODEL_H
