//===- Profile.h - performance counters of the PTX emulator ------*- C++ -*-===//
//
// What a GPU profiler would report about memory efficiency and instruction
// mix, counted by the interpreter when profiling is on (VGGQ_EMU_PROFILE):
//
//  - warp-instructions: a warp issuing one instruction counts 1 whatever its
//    active lanes. Threads of a warp run one after another between sync
//    points here, so per sync interval an instruction counts the largest
//    number of times one lane executed it (full reconvergence).
//  - shared memory, Hopper bank model: 32 banks of 4 bytes. A warp-level
//    request is split into phases by the per-lane width (<= 4 B: 32 lanes;
//    8 B: 2 x 16 lanes; 16 B: 4 x 8 lanes; ldmatrix: one phase per 8x16-byte
//    matrix, the 8 row addresses). A phase takes as many wavefronts as the
//    largest number of distinct 4-byte words it touches in one bank (lanes
//    reading the same word are a broadcast). Ideal: one per phase with an
//    active lane.
//  - global memory: per warp-level request, the distinct 32-byte sectors
//    touched and the ideal ceil(distinct bytes / 32).
//
// Lanes' accesses form one warp-level request when they are the n-th
// execution of the same instruction by each lane since the warp's last
// collective or barrier.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EMU_PROFILE_H
#define VGGQ_EMU_PROFILE_H

#include "Ptx.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vggq {
namespace emu {

/// Instruction classes of the mix.
enum InstrClass : uint8_t {
  IcMma,
  IcLdmatrix,
  IcLdShared,
  IcStShared,
  IcLdGlobal, ///< also generic-space loads
  IcStGlobal, ///< also generic-space stores
  IcCpAsync,  ///< cp.async, commit_group, wait_group, wait_all
  IcCvt,
  IcFloat,
  IcInt,      ///< integer, logic, predicate, mov, selp, cvta
  IcControl,  ///< bra, ret/exit
  IcBarrier,
  IcOther,    ///< ld.param, shfl
  IcCount
};
const char *instrClassName(InstrClass c);
InstrClass classify(const Instr &I);

/// Kinds of shared and global accesses.
enum AccessKind : uint8_t {
  AkLdmatrix,
  AkLdShared,
  AkStShared,
  AkCpAsyncDst, ///< cp.async's shared destination (16-byte stores)
  AkLdGlobal,
  AkStGlobal,
  AkCpAsyncSrc, ///< cp.async's global source
  AkCount
};
const char *accessKindName(AccessKind k);
inline bool isSharedKind(AccessKind k) { return k <= AkCpAsyncDst; }

/// Counters of one access kind (or one instruction). Shared: `cost` is
/// wavefronts, `ideal` the phases. Global: `cost` is 32-byte sectors,
/// `ideal` ceil(distinct bytes / 32), `bytes` the distinct bytes.
struct AccessCounters {
  uint64_t requests = 0, cost = 0, ideal = 0, bytes = 0;
  void add(const AccessCounters &o) {
    requests += o.requests;
    cost += o.cost;
    ideal += o.ideal;
    bytes += o.bytes;
  }
};

/// One memory instruction of a kernel, by PTX line.
struct SiteProfile {
  int line = 0;
  AccessKind kind = AkLdShared;
  std::string text;
  AccessCounters c;
};

/// Counters of one kernel, summed over its launches.
struct KernelProfile {
  std::string name;
  uint64_t launches = 0, blocks = 0, threads = 0;
  uint64_t warpInstructions = 0, threadInstructions = 0;
  uint64_t warpByClass[IcCount] = {};
  AccessCounters access[AkCount];
  /// (PTX line, kind) -> counters.
  std::map<std::pair<int, int>, SiteProfile> sites;

  void add(const KernelProfile &o);
  /// warp-instructions per mma (0 without mma).
  double perMma() const;
};

/// A lane's part of a warp-level access.
struct LaneAccess {
  uint64_t addr = 0;
  uint32_t bytes = 0;
};

/// Shared memory: counters of one warp-level ld/st/cp.async request, from
/// the lanes in `mask` (lane l's access in lanes[l]).
AccessCounters sharedRequest(const LaneAccess lanes[32], uint32_t mask);
/// ldmatrix: `rows[i][r]` is the address of row r of matrix i (16 bytes).
AccessCounters ldmatrixRequest(const uint64_t rows[][8], unsigned matrices);
/// Global memory: counters of one warp-level request.
AccessCounters globalRequest(const LaneAccess lanes[32], uint32_t mask);

/// The table (instruction mix, memory efficiency, the worst accesses).
void writeProfileTable(std::FILE *f, const std::vector<KernelProfile> &ks);
/// One JSON object per line and kernel.
void writeProfileJson(std::FILE *f, const std::vector<KernelProfile> &ks);

} // namespace emu
} // namespace vggq

#endif // VGGQ_EMU_PROFILE_H
