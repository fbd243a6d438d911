//===- Chips.cpp - the chip table of the performance model ------*- C++ -*-===//
//
// Published figures only, each with its source; the two efficiencies are the
// model's assumptions, from published kernels, until a GPU run corrects them
// (docs/PERF-MODEL.md).
//
//===----------------------------------------------------------------------===//
#include "vggq/PerfModel/PerfModel.h"

#include "llvm/ADT/StringExtras.h"

using namespace vggq::perf;

namespace {

// H100/H200 SXM: NVIDIA H100 and H200 datasheets (dense peaks: FP8 and INT8
// 1979, FP16/BF16 989, FP32 67 TFLOP/s; 4.8 TB/s HBM3e on the H200, 3.35 TB/s
// HBM3 on the H100); 132 SMs; compute capability 9.0 limits from the CUDA C++
// Programming Guide (228 KB shared memory per SM, 227 KB per CTA, 64 K
// registers, 2048 threads and 32 CTAs per SM).
// mma.sync on Hopper: legacy MMA is capped near 63 % of the tensor peak
// (arXiv:2501.12084; FlashAttention-2 reaches 39 % end to end), and FP8
// mma.sync is run as conversions plus FP16 MMA (CUTLASS issue 1986).
// wgmma: the best published FP8 GEMMs reach 77 % (DeepGEMM 1523 TFLOP/s,
// FlashAttention-3).
// RTX 4090 (AD102, sm_89): the Ada whitepaper (128 SMs; FP8 330 and FP16
// 165 TFLOP/s with f32 accumulation, INT8 660 TOPS, FP32 83; 1008 GB/s
// GDDR6X); compute capability 8.9 limits (100 KB shared per SM, 99 KB per
// CTA, 1536 threads and 24 CTAs per SM). mma.sync is its native MMA; the
// 80 % efficiency is an assumption.
const Chip kChips[] = {
    {"H200", "sm_90", 132, 4.8, 228 * 1024, 227 * 1024, 65536, 2048, 32, 1979,
     1979, 989, 67, 0.63, 0.77, true},
    {"H100", "sm_90", 132, 3.35, 228 * 1024, 227 * 1024, 65536, 2048, 32, 1979,
     1979, 989, 67, 0.63, 0.77, true},
    {"RTX4090", "sm_89", 128, 1.008, 100 * 1024, 99 * 1024, 65536, 1536, 24,
     330, 660, 165, 83, 0.80, 0.0, false},
};

} // namespace

llvm::ArrayRef<Chip> vggq::perf::chips() { return kChips; }

const Chip *vggq::perf::lookupChip(llvm::StringRef name) {
  for (const Chip &c : kChips)
    if (name.equals_insensitive(c.name))
      return &c;
  return nullptr;
}

std::string vggq::perf::chipNames() {
  std::string names;
  for (const Chip &c : kChips)
    names += (names.empty() ? "" : ", ") + c.name;
  return names;
}

llvm::StringRef vggq::perf::strategyName(Strategy s) {
  switch (s) {
  case Strategy::MmaSync:
    return "mma.sync";
  case Strategy::Wgmma:
    return "wgmma";
  case Strategy::Simt:
    return "simt";
  }
  return "?";
}
