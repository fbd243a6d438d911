//===- Interp.h - the PTX interpreter behind the emulated driver -*- C++ -*-===//
//
// Device memory (host memory with bounds tracking) and kernel launches.
// Blocks run on a pool of host threads; inside a block every thread runs
// until it reaches a synchronizing instruction (bar.sync, ldmatrix, mma,
// shfl, wgmma, elect.sync), where warp collectives execute once all 32
// lanes are parked there, or a failed mbarrier wait, which parks the thread
// until its phase completes (InterpMbarrier.inc: mbarriers, bulk and tensor
// copies).
//
// Checks: every global/shared access lies inside one live allocation (or
// the block's shared window) and is aligned to its size; collectives need a
// converged warp; a barrier that can never release is a deadlock. A failed
// check stops the launch with a message naming the kernel, block, thread,
// PTX line and instruction. So does an mbarrier phase that can never
// complete, a bulk copy's destination read before a wait observed its
// phase, and a tensor map that does not match the instruction (its load
// mode, tile or im2col, and rank) or the data.
//
// With profiling on (setProfiling), launches also count what Profile.h
// describes; without it, the interpreter runs its uninstrumented loop.
//
// Checkers (on by default; VGGQ_EMU_CHECK=race,sched|race|sched|none):
//  - race: shared-memory accesses of two threads of a block to one byte with
//    no barrier release between them (at least one a write), and global
//    bytes touched by two blocks of one launch (at least one a write).
//  - sched: a seeded adversarial scheduler (VGGQ_EMU_SEED) interleaves the
//    threads of a block at instruction granularity and lands each cp.async
//    at a random point between its issue and the wait that requires it.
//
// FP8 mma accumulation: exact (default) or truncated to N mantissa bits per
// mma step like the tensor cores (VGGQ_EMU_FP8_ACCUM=exact|hw13|hwN).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EMU_INTERP_H
#define VGGQ_EMU_INTERP_H

#include "Profile.h"
#include "Ptx.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vggq {
namespace emu {

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

enum class Status {
  Ok,
  InvalidValue,     ///< bad launch configuration or copy
  IllegalAddress,   ///< out-of-bounds access
  MisalignedAddress,
  LaunchFailed,     ///< divergence, deadlock, other execution errors
};

struct LaunchConfig {
  Dim3 grid, block;
  unsigned dynamicShared = 0;
  /// CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES (0: the default).
  unsigned maxDynamicShared = 0;
};

/// Limits of the emulated device (an sm_90 part).
constexpr unsigned kMaxThreadsPerBlock = 1024;
constexpr unsigned kDefaultSharedPerBlock = 48 * 1024;
constexpr unsigned kMaxSharedPerBlockOptin = 227 * 1024;
constexpr unsigned kSharedPerSM = 228 * 1024;
constexpr uint8_t kPoison = 0xA5;

class Emulator {
public:
  Emulator();
  ~Emulator();
  Emulator(const Emulator &) = delete;
  Emulator &operator=(const Emulator &) = delete;

  /// Allocates device memory (host memory, 256-aligned, filled with 0xA5).
  /// Returns 0 when out of memory.
  uint64_t alloc(size_t bytes);
  /// False if ptr is not the start of a live allocation.
  bool free(uint64_t ptr);
  /// Whether [ptr, ptr+bytes) lies inside one live allocation; otherwise a
  /// message naming the nearest allocation.
  bool checkRange(uint64_t ptr, size_t bytes, std::string &why) const;
  size_t liveBytes() const;

  /// Runs one launch synchronously. `params[i]` points to the value of the
  /// kernel's parameter i. On failure, `message` says why.
  Status launch(const Kernel &k, const LaunchConfig &config, void **params,
                std::string &message);
  /// Same with the parameter buffer already laid out.
  Status launchPacked(const Kernel &k, const LaunchConfig &config,
                      const uint8_t *paramBuffer, std::string &message);
  /// Validates a launch configuration only.
  Status validate(const Kernel &k, const LaunchConfig &config,
                  std::string &message) const;

  /// Thread-instructions executed so far (all launches).
  uint64_t instructions() const { return instructions_.load(); }
  /// Host threads used for blocks (VGGQ_EMU_THREADS, default: all cores).
  unsigned threads() const { return threads_; }
  void setThreads(unsigned n) { threads_ = n ? n : 1; }

  /// Describes the allocation nearest to an address.
  std::string nearestAllocation(uint64_t addr) const;

  /// Performance counters (Profile.h), off by default: when on, every
  /// launch adds its counters to those of its kernel (by name).
  void setProfiling(bool on) { profiling_ = on; }
  bool profiling() const { return profiling_; }
  /// Counters per kernel, in the order the kernels first ran.
  std::vector<KernelProfile> profile() const;
  void clearProfile();

  /// Race checker (shared memory within a block, global memory between the
  /// blocks of a launch). On by default; VGGQ_EMU_CHECK sets the default.
  void setRaceCheck(bool on) { race_ = on; }
  bool raceCheck() const { return race_; }
  /// Adversarial scheduler with a seed (VGGQ_EMU_SEED, default 1). On by
  /// default; off (or with profiling on) blocks run in the sequential order
  /// (each thread until its next barrier or collective).
  void setScheduler(bool on, uint64_t seed) {
    sched_ = on;
    seed_ = seed;
  }
  void setScheduler(bool on) { sched_ = on; }
  bool scheduler() const { return sched_; }
  uint64_t seed() const { return seed_; }
  /// FP8 mma accumulation: 0 = exact (products summed exactly, C added, one
  /// rounding to f32); N in [1, 23] = after each mma step (k = 32) the sum
  /// of C and the 32 exact products is truncated toward zero to N explicit
  /// mantissa bits (13 models Ada/Hopper). VGGQ_EMU_FP8_ACCUM sets the
  /// default. Returns false (and changes nothing) for N > 23.
  bool setFp8Accumulation(unsigned mantissaBits) {
    if (mantissaBits > 23)
      return false;
    fp8Bits_ = mantissaBits;
    return true;
  }
  unsigned fp8Accumulation() const { return fp8Bits_; }

private:
  /// Adds the counters of one finished launch to its kernel's.
  void addProfile(KernelProfile &&p);

  mutable std::mutex mutex_;
  std::map<uint64_t, size_t> allocs_; ///< base -> size
  size_t live_ = 0;
  std::atomic<uint64_t> instructions_{0};
  unsigned threads_ = 1;
  bool profiling_ = false;
  mutable std::mutex profileMutex_;
  std::vector<KernelProfile> profile_;
  std::map<std::string, size_t> profileIndex_;
  bool race_ = true;
  bool sched_ = true;
  uint64_t seed_ = 1;
  unsigned fp8Bits_ = 0;
  std::atomic<uint64_t> launchCount_{0};
};

/// Parses a VGGQ_EMU_FP8_ACCUM value: "exact" -> 0, "hwN" -> N (1..23).
/// False for anything else.
bool parseFp8Accumulation(const std::string &text, unsigned &bits);

/// Truncates x toward zero to `bits` explicit mantissa bits (1 + bits
/// significant bits); 0, infinities and NaN are returned as they are.
double truncateMantissa(double x, unsigned bits);

/// FP8 and FP16 helpers (exposed for tests).
float decodeE4M3(uint8_t v);
float decodeE5M2(uint8_t v);
/// Round-to-nearest-even with finite saturation (NaN -> 0x7F).
uint8_t encodeE4M3Satfinite(float x);
uint8_t encodeE5M2Satfinite(float x);

} // namespace emu
} // namespace vggq

#endif // VGGQ_EMU_INTERP_H
