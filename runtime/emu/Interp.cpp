//===- Interp.cpp - the PTX interpreter behind the emulated driver --------===//
//
// Semantics follow the PTX ISA text (not vggq's lowering): fragment layouts
// of mma.m16n8k32 and ldmatrix, cp.async groups, cvt rounding/saturation.
// See Interp.h for the execution model.
//
//===----------------------------------------------------------------------===//
#include "Interp.h"
#include "TensorMap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>
#include <thread>
#include <vector>

using namespace vggq::emu;

//===----------------------------------------------------------------------===//
// Small floating-point formats, from their definitions:
//   E4M3: 1 sign, 4 exponent (bias 7), 3 mantissa; no infinities; S.1111.111
//         is NaN, so the largest finite value is 1.110b * 2^8 = 448.
//   E5M2: 1 sign, 5 exponent (bias 15), 2 mantissa; IEEE-like (inf at
//         exponent 31, mantissa 0; NaN otherwise); largest finite 57344.
//   F16:  IEEE binary16.
//===----------------------------------------------------------------------===//

namespace {

struct SmallFormat {
  int ebits, mbits, bias;
  double maxFinite;
  bool ieeeInf; ///< all-ones exponent is inf/NaN (E5M2, F16)
};
constexpr SmallFormat kE4M3{4, 3, 7, 448.0, false};
constexpr SmallFormat kE5M2{5, 2, 15, 57344.0, true};
constexpr SmallFormat kF16{5, 10, 15, 65504.0, true};
constexpr SmallFormat kBF16{8, 7, 127, 3.3895313892515355e38, true};

double decodeSmall(uint32_t v, const SmallFormat &f) {
  uint32_t m = v & ((1u << f.mbits) - 1);
  uint32_t e = (v >> f.mbits) & ((1u << f.ebits) - 1);
  bool neg = (v >> (f.mbits + f.ebits)) & 1;
  uint32_t emax = (1u << f.ebits) - 1;
  double r;
  if (f.ieeeInf && e == emax)
    r = m ? std::numeric_limits<double>::quiet_NaN()
          : std::numeric_limits<double>::infinity();
  else if (!f.ieeeInf && e == emax && m == (1u << f.mbits) - 1)
    r = std::numeric_limits<double>::quiet_NaN();
  else if (e == 0)
    r = std::ldexp(static_cast<double>(m), 1 - f.bias - f.mbits);
  else
    r = std::ldexp(static_cast<double>(m | (1u << f.mbits)),
                   static_cast<int>(e) - f.bias - f.mbits);
  return neg ? -r : r;
}

/// Round to nearest even. satfinite: out-of-range and infinities go to
/// +-max; otherwise they become infinity (or NaN for E4M3).
uint32_t encodeSmall(double x, const SmallFormat &f, bool satfinite,
                     uint32_t nanCode) {
  uint32_t signBit = 1u << (f.ebits + f.mbits);
  if (std::isnan(x))
    return nanCode;
  uint32_t sign = std::signbit(x) ? signBit : 0;
  double a = std::fabs(x);
  uint32_t emax = (1u << f.ebits) - 1;
  uint32_t maxCode = f.ieeeInf ? (((emax - 1) << f.mbits) | ((1u << f.mbits) - 1))
                               : ((emax << f.mbits) | ((1u << f.mbits) - 2));
  uint32_t infCode = f.ieeeInf ? (emax << f.mbits) : nanCode;
  if (std::isinf(a))
    return satfinite ? (sign | maxCode) : (f.ieeeInf ? (sign | infCode) : nanCode);
  if (a == 0)
    return sign;
  int e;
  std::frexp(a, &e); // a = fr * 2^e, fr in [0.5, 1)
  int exp = std::max(e - 1, 1 - f.bias);
  double quantum = std::ldexp(1.0, exp - f.mbits);
  double r = std::nearbyint(a / quantum); // default rounding: to nearest even
  double value = r * quantum;
  if (value > f.maxFinite)
    return satfinite ? (sign | maxCode) : (f.ieeeInf ? (sign | infCode) : nanCode);
  if (value == 0)
    return sign;
  if (value < std::ldexp(1.0, 1 - f.bias)) // subnormal
    return sign | static_cast<uint32_t>(r);
  std::frexp(value, &e);
  int unbiased = e - 1;
  uint32_t mant = static_cast<uint32_t>(
      std::ldexp(value, f.mbits - unbiased) - std::ldexp(1.0, f.mbits));
  return sign | (static_cast<uint32_t>(unbiased + f.bias) << f.mbits) | mant;
}

float e4m3Table[256], e5m2Table[256];
struct TableInit {
  TableInit() {
    for (int i = 0; i < 256; ++i) {
      e4m3Table[i] = static_cast<float>(decodeSmall(i, kE4M3));
      e5m2Table[i] = static_cast<float>(decodeSmall(i, kE5M2));
    }
  }
} tableInit;

inline float asF32(uint64_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint64_t f32Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline double asF64(uint64_t v) {
  double d;
  std::memcpy(&d, &v, 8);
  return d;
}
inline uint64_t f64Bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}
inline int64_t sext(uint64_t v, unsigned bits) {
  if (bits >= 64)
    return static_cast<int64_t>(v);
  uint64_t m = 1ull << (bits - 1);
  v &= (1ull << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

unsigned bitsOf(uint8_t tc) {
  switch (tc) {
  case TC_U8:
  case TC_S8:
  case TC_E4M3:
  case TC_E5M2:
    return 8;
  case TC_U16:
  case TC_S16:
  case TC_F16:
    return 16;
  case TC_U32:
  case TC_S32:
  case TC_F32:
    return 32;
  case TC_PRED:
    return 1;
  default:
    return 64;
  }
}
bool isSigned(uint8_t tc) {
  return tc == TC_S8 || tc == TC_S16 || tc == TC_S32 || tc == TC_S64;
}

const float kCanonicalNaN = [] {
  uint32_t u = 0x7fffffff;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}();

} // namespace

float vggq::emu::decodeE4M3(uint8_t v) { return e4m3Table[v]; }
float vggq::emu::decodeE5M2(uint8_t v) { return e5m2Table[v]; }
uint8_t vggq::emu::encodeE4M3Satfinite(float x) {
  return static_cast<uint8_t>(encodeSmall(x, kE4M3, true, 0x7f));
}
uint8_t vggq::emu::encodeE5M2Satfinite(float x) {
  return static_cast<uint8_t>(encodeSmall(x, kE5M2, true, 0x7f));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

bool vggq::emu::parseFp8Accumulation(const std::string &text,
                                     unsigned &bits) {
  if (text == "exact") {
    bits = 0;
    return true;
  }
  if (text.size() < 3 || text.compare(0, 2, "hw") != 0)
    return false;
  unsigned n = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > 100)
      return false;
    n = n * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (n < 1 || n > 23)
    return false;
  bits = n;
  return true;
}

double vggq::emu::truncateMantissa(double x, unsigned bits) {
  if (x == 0 || !std::isfinite(x))
    return x;
  int e;
  double fr = std::frexp(x, &e); // |fr| in [0.5, 1)
  // Keep the leading bit and `bits` more: scale them above the point.
  return std::ldexp(std::trunc(std::ldexp(fr, static_cast<int>(bits) + 1)),
                    e - static_cast<int>(bits) - 1);
}

Emulator::Emulator() {
  unsigned n = std::thread::hardware_concurrency();
  if (const char *env = std::getenv("VGGQ_EMU_THREADS"))
    n = static_cast<unsigned>(std::atoi(env));
  threads_ = n ? n : 1;
  const char *check = std::getenv("VGGQ_EMU_CHECK");
  if (check && *check) {
    const char *env = check;
    race_ = sched_ = false;
    std::string list = env;
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t end = list.find(',', pos);
      if (end == std::string::npos)
        end = list.size();
      std::string w = list.substr(pos, end - pos);
      if (w == "race")
        race_ = true;
      else if (w == "sched")
        sched_ = true;
      else if (w == "all" || w == "on")
        race_ = sched_ = true;
      else if (!w.empty() && w != "none" && w != "off")
        std::fprintf(stderr,
                     "vggq-emu: VGGQ_EMU_CHECK: unknown check '%s' (race, "
                     "sched, all, none)\n",
                     w.c_str());
      pos = end + 1;
    }
  }
  if (const char *env = std::getenv("VGGQ_EMU_SEED"))
    seed_ = std::strtoull(env, nullptr, 0);
  if (const char *env = std::getenv("VGGQ_EMU_FP8_ACCUM")) {
    if (*env && !parseFp8Accumulation(env, fp8Bits_))
      std::fprintf(stderr,
                   "vggq-emu: VGGQ_EMU_FP8_ACCUM: '%s' is not exact or hwN "
                   "(N in 1..23); using exact\n",
                   env);
  }
}

Emulator::~Emulator() {
  for (auto &a : allocs_)
    std::free(reinterpret_cast<void *>(a.first));
}

uint64_t Emulator::alloc(size_t bytes) {
  size_t rounded = (std::max<size_t>(bytes, 1) + 255) & ~size_t(255);
  void *p = std::aligned_alloc(256, rounded);
  if (!p)
    return 0;
  std::memset(p, kPoison, rounded);
  std::lock_guard<std::mutex> lock(mutex_);
  allocs_[reinterpret_cast<uint64_t>(p)] = bytes;
  live_ += bytes;
  return reinterpret_cast<uint64_t>(p);
}

bool Emulator::free(uint64_t ptr) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = allocs_.find(ptr);
  if (it == allocs_.end())
    return false;
  live_ -= it->second;
  allocs_.erase(it);
  std::free(reinterpret_cast<void *>(ptr));
  return true;
}

size_t Emulator::liveBytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

std::string Emulator::nearestAllocation(uint64_t addr) const {
  if (allocs_.empty())
    return "no live allocations";
  auto it = allocs_.upper_bound(addr);
  const std::pair<const uint64_t, size_t> *best = nullptr;
  uint64_t bestDist = ~0ull;
  auto consider = [&](decltype(it) i) {
    uint64_t lo = i->first, hi = i->first + i->second;
    uint64_t d = addr < lo ? lo - addr : addr >= hi ? addr - hi + 1 : 0;
    if (d < bestDist) {
      bestDist = d;
      best = &*i;
    }
  };
  if (it != allocs_.end())
    consider(it);
  if (it != allocs_.begin())
    consider(std::prev(it));
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "nearest allocation [0x%llx, 0x%llx) (%zu bytes)",
                static_cast<unsigned long long>(best->first),
                static_cast<unsigned long long>(best->first + best->second),
                best->second);
  return buf;
}

bool Emulator::checkRange(uint64_t ptr, size_t bytes, std::string &why) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = allocs_.upper_bound(ptr);
  if (it != allocs_.begin()) {
    --it;
    if (ptr >= it->first && ptr + bytes <= it->first + it->second &&
        ptr + bytes >= ptr)
      return true;
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), "[0x%llx, +%zu bytes) is outside every allocation; ",
                static_cast<unsigned long long>(ptr), bytes);
  why = std::string(buf) + nearestAllocation(ptr);
  return false;
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

namespace {

/// TsMbar: parked at a failed mbarrier.try_wait/test_wait (Block::mbarStep
/// resumes it).
enum ThreadState : uint8_t { TsReady, TsColl, TsBar, TsExited, TsFault, TsMbar };

struct Pending {
  uint64_t dst; ///< shared window address
  uint64_t src;
  uint32_t group;
  uint32_t pc;    ///< the cp.async
  uint32_t epoch; ///< barrier epoch at the issue (race checker)
  uint8_t cpSize, srcSize;
  bool landed; ///< data written to shared memory (the scheduler lands early)
};

/// Global bytes one block touched, for the race checker's sweep.
struct BlockInterval {
  uint64_t lo, hi; ///< [lo, hi)
  uint64_t block;  ///< linear block index
  uint32_t t, pc;  ///< one thread and instruction that touched it
};

/// splitmix64: the scheduler's generator (state advanced by a constant).
inline uint64_t splitmix(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct Launch {
  const Kernel *k;
  Dim3 grid, block;
  uint32_t sharedBytes; ///< static + dynamic
  const uint8_t *params;
  std::vector<std::pair<uint64_t, uint64_t>> allocs; ///< sorted [lo, hi)
  const Emulator *emu;
  std::atomic<uint64_t> nextBlock{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  Status status = Status::Ok;
  std::string message;
  std::atomic<uint64_t> instructions{0};
  // Profiling (Emulator::setProfiling), summed over the blocks.
  bool prof = false;
  std::vector<uint64_t> pcWarp;        ///< warp-instructions per pc
  std::vector<AccessCounters> sites;   ///< per site (pc * 2 + global)
  // Checkers (Emulator::setRaceCheck, setScheduler) and the FP8 model.
  bool race = false, sched = false;
  uint64_t seed = 0;  ///< scheduler seed
  uint64_t index = 0; ///< launch number in this process (from 1)
  unsigned fp8Bits = 0;
  std::vector<BlockInterval> greads, gwrites; ///< all blocks (race checker)
};

class Block {
public:
  Block(Launch &l)
      : L(l), k(*l.k), S(k.numSlots),
        nthreads(l.block.x * l.block.y * l.block.z),
        nwarps((nthreads + 31) / 32) {
    regs.assign(static_cast<size_t>(nthreads) * S, 0);
    for (uint32_t t = 0; t < nthreads; ++t) {
      uint64_t *R = &regs[static_cast<size_t>(t) * S];
      for (size_t c = 0; c < k.consts.size(); ++c)
        R[k.constBase + c] = k.consts[c];
      uint32_t x = t % l.block.x, y = (t / l.block.x) % l.block.y,
               z = t / (l.block.x * l.block.y);
      uint64_t *sp = R + k.specialBase;
      sp[SpTidX] = x;
      sp[SpTidY] = y;
      sp[SpTidZ] = z;
      sp[SpNtidX] = l.block.x;
      sp[SpNtidY] = l.block.y;
      sp[SpNtidZ] = l.block.z;
      sp[SpNctaidX] = l.grid.x;
      sp[SpNctaidY] = l.grid.y;
      sp[SpNctaidZ] = l.grid.z;
      sp[SpLaneid] = t % 32;
      sp[SpWarpid] = t / 32;
    }
    pcs.resize(nthreads);
    st.resize(nthreads);
    cp.resize(nthreads);
    cpGroup.resize(nthreads);
    shared.resize(l.sharedBytes + 16);
    prof = l.prof;
    race = l.race;
    sched = l.sched && !prof; // the counters need the sequential order
    check = race || sched;
    if (race)
      shadow.resize(l.sharedBytes);
    // The proxy rules apply to bulk copies (async-proxy writes) too.
    hopper = k.usesWgmma || k.usesBulk;
    if (hopper) {
      nwg = k.numWgRegs;
      size_t n = static_cast<size_t>(nthreads) * nwg;
      wgOpen.resize(nthreads);
      wgCommitted.resize(nthreads);
      wgDone.resize(nthreads);
      wgFences.resize(nthreads);
      wgLock.resize(n);
      wgLockPc.resize(n);
      wgTouch.resize(n);
      wgTouchPc.resize(n);
      genWriter.resize(l.sharedBytes);
      genPc.resize(l.sharedBytes);
      genDirty.resize(nthreads);
    }
    mbarUsed = k.usesMbarrier;
    bulkUsed = k.usesBulk;
    if (bulkUsed)
      storeGroup.resize(nthreads);
    if (mbarUsed) {
      timeoutProgress.resize(nthreads);
      timeoutPc.resize(nthreads);
    }
    if (bulkUsed) {
      guardBar.resize(l.sharedBytes);
      guardPhase.resize(l.sharedBytes);
      guardPc.resize(l.sharedBytes);
    }
    if (sched) {
      readyPos.resize(nthreads);
      readyInWarp.resize(nwarps);
      order.resize(nthreads);
      rank.resize(nthreads);
    }
    if (prof) {
      size_t n = k.code.size();
      pcCur.assign(n, 0);
      warpMax.assign(n, 0);
      pcWarp.assign(n, 0);
      occ.assign(2 * n, 0);
      siteGroups.resize(2 * n);
      siteCounters.resize(2 * n);
    }
  }

  /// Runs one block; false on a fault (recorded in the launch).
  bool run(uint64_t linear);
  /// Adds this worker's counters to the launch's.
  void mergeProfile();

private:
  Launch &L;
  const Kernel &k;
  const uint32_t S;
  const uint32_t nthreads, nwarps;
  std::vector<uint64_t> regs;
  std::vector<uint32_t> pcs;
  std::vector<uint8_t> st;
  std::vector<std::vector<Pending>> cp;
  std::vector<uint32_t> cpGroup;
  std::vector<uint8_t> shared;
  Dim3 cta;
  uint64_t cacheLo = 1, cacheHi = 0;
  uint64_t icount = 0;

  // Race checker. Shadow state of one shared byte: its last writer and up
  // to two readers (thread, pc, barrier epoch). The epoch grows at every
  // barrier release and at every block start (never reset, so that the
  // shadow needs no clearing between blocks); accesses of two threads in
  // one epoch conflict.
  struct Shadow {
    uint32_t wE = 0, rE = 0, r2E = 0;
    uint32_t wPc = 0, rPc = 0, r2Pc = 0;
    uint16_t wT = 0, rT = 0, r2T = 0;
  };
  bool race = false, sched = false, check = false;
  std::vector<Shadow> shadow;
  uint32_t epoch = 0;
  struct Interval {
    uint64_t lo, hi;
    uint32_t t, pc;
  };
  std::vector<Interval> gReads, gWrites;
  size_t gReadsLimit = 1u << 15, gWritesLimit = 1u << 15;
  uint64_t linearId = 0;

  // Scheduler: the ready threads, a budget of instructions per turn, how
  // eagerly copies land (landNum / 64 per pending copy and turn) and the
  // shape of the turns (style).
  uint64_t rng = 0;
  uint64_t budget = ~0ull;

  // The wgmma rules (PTX ISA, "Asynchronous Warpgroup Level Matrix
  // Multiply-Accumulate"), checked in kernels that have wgmma. Per thread:
  // the wgmma-groups (open: being filled; committed up to wgCommitted;
  // complete up to wgDone, by wgmma.wait_group), how many wgmma.fence it
  // ran, and per accumulator register (Kernel::wgIndex) the group that
  // last wrote it (with that wgmma's pc) and the fence count + 1 at its
  // last access by another instruction (with that pc). Per shared byte:
  // the thread (+ 1) that wrote it through the generic proxy and has not
  // run fence.proxy.async since (with the writer's pc), and per thread the
  // ranges it so wrote.
  bool hopper = false;
  uint32_t nwg = 0;
  std::vector<uint32_t> wgOpen, wgCommitted, wgDone, wgFences;
  std::vector<uint32_t> wgLock, wgLockPc, wgTouch, wgTouchPc;
  std::vector<uint16_t> genWriter;
  std::vector<uint32_t> genPc;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> genDirty;
  void hopperReset();
  bool wgAccess(uint32_t t, uint32_t pc, const Instr &I);
  void genericSharedWrite(uint32_t t, uint32_t pc, uint64_t addr,
                          uint32_t bytes);
  void proxyFence(uint32_t t);
  bool asyncProxyRead(uint32_t t, const Instr &I, uint32_t off,
                      uint32_t bytes, bool write = false);

  // mbarrier objects (PTX ISA, "Parallel Synchronization and Communication
  // Instructions: mbarrier"), kept beside shared memory by their offset in
  // the window: the current phase (phases completed so far), the expected
  // and pending arrival counts, the tx-count, and per thread the phases it
  // has observed complete (a successful wait, or a bar.sync after another
  // thread's). Pending bulk copies (cp.async.bulk) land at a random time
  // under the scheduler and at the latest when a waiter needs them; per
  // shared byte a bulk copy wrote: its mbarrier (offset + 1), the phase it
  // completed tx on (~0u: not landed yet) and the copy's pc.
  struct MBar {
    uint32_t phase = 0;
    uint32_t expected = 0, pending = 0;
    int64_t tx = 0;
    std::vector<uint32_t> seen;
  };
  struct Bulk {
    uint32_t dst, bar, size, t, pc;
    uint64_t src;
    /// A tensor copy of `map`'s box at c (an im2col load with the offsets
    /// off), else 1D.
    bool tensor = false;
    int32_t c[5] = {};
    uint16_t off[3] = {};
    TensorMap map;
  };
  bool mbarUsed = false, bulkUsed = false;
  std::map<uint32_t, MBar> mbars;
  std::vector<Bulk> bulk;
  std::vector<uint32_t> guardBar, guardPhase, guardPc;
  /// Counts mbarrier state changes. Per thread, the count and pc at which
  /// its wait last timed out: a thread back at that wait with no change
  /// since is stuck, and a block whose waiters are all stuck deadlocked.
  uint64_t mbarProgress = 0;
  std::vector<uint64_t> timeoutProgress;
  std::vector<uint32_t> timeoutPc;
  void mbarReset();
  MBar *mbarAt(uint32_t t, const Instr &I, uint64_t addr, bool mustExist,
               uint32_t &off);
  bool mbarComplete(uint32_t t, const Instr &I, uint32_t off, MBar &m,
                    int64_t txDone);
  bool execMbar(uint32_t t, const Instr &I, uint64_t *Rt, bool &parked);
  bool waitSatisfied(uint32_t t, const Instr &I, uint64_t *Rt, bool &ok);
  bool issueBulk(uint32_t t, uint32_t pc, const Instr &I, uint64_t *Rt);
  bool issueTensor(uint32_t t, uint32_t pc, const Instr &I, uint64_t *Rt);
  bool fetchTensorMap(uint32_t t, const Instr &I, uint64_t *Rt,
                      TensorMap &m);
  bool issueStore(uint32_t t, uint32_t pc, const Instr &I, uint64_t *Rt);
  /// TMA stores whose shared source is still read until a
  /// cp.async.bulk.wait_group covers their bulk async-group: the thread,
  /// the source bytes, the group and the store's pc; per thread, the group
  /// being filled (groups are numbered in commit order).
  struct Store {
    uint32_t t, off, size, group, pc;
  };
  std::vector<Store> stores;
  std::vector<uint32_t> storeGroup;
  bool inOneAllocation(uint64_t lo, uint64_t bytes) const;
  bool landBulk(const Bulk &b);
  void landSomeBulk();
  bool bulkAccess(uint32_t t, const Instr &I, uint32_t off, uint32_t bytes,
                  bool write);
  void mbarObserveAll();
  int mbarStep();
  bool wakeSatisfied();
  bool execElect(uint32_t w, uint32_t nlanes, const Instr &I);
  uint32_t landNum = 0;
  unsigned style = 0;
  std::vector<uint32_t> readyList, readyPos, readyInWarp;
  std::vector<uint32_t> order, rank; ///< the greedy style's priorities
  uint32_t cursor = 0; ///< order[i] is not ready for i < cursor

  // Profiling. A site is one memory instruction and space: pc * 2 + 1 for
  // global memory, pc * 2 for shared.
  struct Rec {
    uint64_t addr;
    uint32_t site;
    uint32_t bytes;
  };
  struct Group {
    uint32_t site;
    uint32_t mask;
    LaneAccess lanes[32];
  };
  bool prof = false;
  std::vector<uint32_t> pcCur;       ///< executions per pc, current thread
  std::vector<uint32_t> curTouched;  ///< pcs with pcCur != 0
  std::vector<uint32_t> warpMax;     ///< max over the warp's lanes so far
  std::vector<uint32_t> warpTouched; ///< pcs with warpMax != 0
  std::vector<uint64_t> pcWarp;      ///< warp-instructions per pc
  std::vector<Rec> laneRecs[32];     ///< accesses since the last sync
  std::vector<uint32_t> occ;         ///< per site, the current lane's count
  std::vector<std::vector<uint32_t>> siteGroups; ///< site, occurrence -> group
  std::vector<uint32_t> groupSites;  ///< sites with groups
  std::vector<Group> groups;
  std::vector<AccessCounters> siteCounters;

  inline void recordAccess(uint32_t t, uint32_t pc, uint8_t space,
                           uint64_t addr, uint32_t bytes) {
    bool global = space == SpGlobal ||
                  (space == SpGeneric && !(addr >= kSharedBase &&
                                           addr < kSharedBase + L.sharedBytes));
    laneRecs[t & 31].push_back(Rec{addr, pc * 2 + (global ? 1u : 0u), bytes});
  }
  void flushWarp();

  uint64_t *R(uint32_t t) { return &regs[static_cast<size_t>(t) * S]; }
  const uint64_t *R(uint32_t t) const {
    return &regs[static_cast<size_t>(t) * S];
  }

  template <bool Prof, bool Check> uint8_t runThread(uint32_t t);
  uint8_t stepThread(uint32_t t) {
    if (prof)
      return check ? runThread<true, true>(t) : runThread<true, false>(t);
    return check ? runThread<false, true>(t) : runThread<false, false>(t);
  }
  bool runSequential();
  bool runScheduled();
  int warpStep(uint32_t w);
  int barrierStep();
  uint64_t releasableBarrier() const;
  void makeReady(uint32_t t);
  void pickStyle();
  void removeReady(uint32_t t);
  uint64_t quantum();
  void landSome(uint32_t t);
  void land(Pending &p);
  std::string threadName(uint32_t t) const;
  bool onAccess(uint32_t t, uint32_t pc, const uint8_t *p, uint64_t addr,
                uint32_t bytes, bool write);
  bool sharedAccess(uint32_t t, uint32_t pc, uint32_t off, uint32_t bytes,
                    bool write, uint32_t lowEpoch);
  bool ownPending(uint32_t t, uint32_t pc, uint32_t off, uint32_t bytes,
                  bool write);
  bool raceFault(const char *kind, uint32_t t, uint32_t pc, uint32_t off,
                 uint32_t otherT, uint32_t otherPc, const char *otherDid);
  void globalAccess(uint32_t t, uint32_t pc, uint64_t addr, uint32_t bytes,
                    bool write);
  void publishGlobal();
  bool fault(Status s, uint32_t t, const Instr &I, const std::string &what);
  uint8_t *globalPtr(uint64_t addr, unsigned bytes, unsigned align,
                     uint32_t t, const Instr &I);
  uint8_t *sharedPtr(uint64_t addr, unsigned bytes, unsigned align,
                     uint32_t t, const Instr &I);
  uint8_t *memPtr(uint8_t space, uint64_t addr, unsigned bytes, unsigned align,
                  uint32_t t, const Instr &I);
  bool completeCopies(uint32_t t, uint32_t belowGroup);
  bool execWgmma(uint32_t w, uint32_t nlanes, const Instr &I);
  bool execCollective(uint32_t w, uint32_t lane0, uint32_t nlanes,
                      const Instr &I);
  bool execGeneric(const Instr &I, uint64_t *Rt, uint32_t t);
  std::string where(uint32_t t, const Instr &I) const;
};

std::string Block::where(uint32_t t, const Instr &I) const {
  size_t idx = &I - k.code.data();
  uint32_t x = t % L.block.x, y = (t / L.block.x) % L.block.y,
           z = t / (L.block.x * L.block.y);
  char buf[200];
  std::snprintf(buf, sizeof(buf),
                "kernel '%s', block (%u,%u,%u), thread (%u,%u,%u), PTX line %d",
                k.name.c_str(), cta.x, cta.y, cta.z, x, y, z, I.line);
  return std::string(buf) + ": `" + k.text[idx] + "`";
}

bool Block::fault(Status s, uint32_t t, const Instr &I,
                  const std::string &what) {
  std::lock_guard<std::mutex> lock(L.mutex);
  if (!L.failed.exchange(true)) {
    L.status = s;
    L.message = where(t, I) + ": " + what;
    if (sched)
      L.message += " [scheduler seed " + std::to_string(L.seed) +
                   ", launch " + std::to_string(L.index) +
                   "; VGGQ_EMU_SEED=" + std::to_string(L.seed) +
                   " replays it]";
  }
  return false;
}

std::string Block::threadName(uint32_t t) const {
  uint32_t x = t % L.block.x, y = (t / L.block.x) % L.block.y,
           z = t / (L.block.x * L.block.y);
  return "thread (" + std::to_string(x) + "," + std::to_string(y) + "," +
         std::to_string(z) + ")";
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

uint8_t *Block::globalPtr(uint64_t addr, unsigned bytes, unsigned align,
                          uint32_t t, const Instr &I) {
  if (!(addr >= cacheLo && addr + bytes <= cacheHi)) {
    auto it = std::upper_bound(
        L.allocs.begin(), L.allocs.end(), addr,
        [](uint64_t a, const std::pair<uint64_t, uint64_t> &r) {
          return a < r.first;
        });
    bool ok = false;
    if (it != L.allocs.begin()) {
      --it;
      if (addr >= it->first && addr + bytes <= it->second && addr + bytes > addr) {
        cacheLo = it->first;
        cacheHi = it->second;
        ok = true;
      }
    }
    if (!ok) {
      fault(Status::IllegalAddress, t, I,
            "global address " + hex(addr) + " (" + std::to_string(bytes) +
                " bytes) is outside every allocation; " +
                L.emu->nearestAllocation(addr));
      return nullptr;
    }
  }
  if (addr & (align - 1)) {
    fault(Status::MisalignedAddress, t, I,
          "global address " + hex(addr) + " is not aligned to " +
              std::to_string(align) + " bytes");
    return nullptr;
  }
  return reinterpret_cast<uint8_t *>(addr);
}

uint8_t *Block::sharedPtr(uint64_t addr, unsigned bytes, unsigned align,
                          uint32_t t, const Instr &I) {
  uint64_t off = addr - kSharedBase;
  if (addr < kSharedBase || off + bytes > L.sharedBytes) {
    fault(Status::IllegalAddress, t, I,
          "shared address " + hex(addr) + " (" + std::to_string(bytes) +
              " bytes) is outside the block's shared window [" +
              hex(kSharedBase) + ", " + hex(kSharedBase + L.sharedBytes) + ")");
    return nullptr;
  }
  if (addr & (align - 1)) {
    fault(Status::MisalignedAddress, t, I,
          "shared address " + hex(addr) + " is not aligned to " +
              std::to_string(align) + " bytes");
    return nullptr;
  }
  return shared.data() + off;
}

inline uint8_t *Block::memPtr(uint8_t space, uint64_t addr, unsigned bytes,
                              unsigned align, uint32_t t, const Instr &I) {
  switch (space) {
  case SpGlobal:
    return globalPtr(addr, bytes, align, t, I);
  case SpShared:
    return sharedPtr(addr, bytes, align, t, I);
  case SpParam:
    if (addr + bytes > k.paramBytes) {
      fault(Status::IllegalAddress, t, I, "parameter offset out of range");
      return nullptr;
    }
    return const_cast<uint8_t *>(L.params) + addr;
  default: // generic: the shared window, the parameters or global memory
    if (addr >= kSharedBase && addr < kSharedBase + L.sharedBytes)
      return sharedPtr(addr, bytes, align, t, I);
    if (addr >= kParamBase && addr - kParamBase < k.paramBytes) {
      if (addr - kParamBase + bytes > k.paramBytes) {
        fault(Status::IllegalAddress, t, I, "parameter offset out of range");
        return nullptr;
      }
      return const_cast<uint8_t *>(L.params) + (addr - kParamBase);
    }
    return globalPtr(addr, bytes, align, t, I);
  }
}

void Block::land(Pending &p) {
  uint8_t *d = shared.data() + (p.dst - kSharedBase);
  std::memcpy(d, reinterpret_cast<const void *>(p.src), p.srcSize);
  std::memset(d + p.srcSize, 0, p.cpSize - p.srcSize);
  p.landed = true;
}

/// Completes the copies of thread t in groups below `belowGroup`. For the
/// race checker, a copy's shared write happens at some time between its
/// issue and this wait: it conflicts with other threads' accesses in any
/// epoch since the issue, and is recorded in the current epoch.
bool Block::completeCopies(uint32_t t, uint32_t belowGroup) {
  std::vector<Pending> &q = cp[t];
  size_t keep = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    Pending &p = q[i];
    if (p.group < belowGroup) {
      if (!p.landed)
        land(p);
      if (hopper) // cp.async writes shared memory through the generic proxy
        genericSharedWrite(t, p.pc, p.dst, p.cpSize);
      if (race && !sharedAccess(t, p.pc,
                                static_cast<uint32_t>(p.dst - kSharedBase),
                                p.cpSize, true, p.epoch))
        return false;
    } else {
      q[keep++] = p;
    }
  }
  q.resize(keep);
  return true;
}

void Block::landSome(uint32_t t) {
  for (Pending &p : cp[t])
    if (!p.landed && (splitmix(rng) & 63) < landNum)
      land(p);
}

bool Block::raceFault(const char *kind, uint32_t t, uint32_t pc, uint32_t off,
                      uint32_t otherT, uint32_t otherPc, const char *otherDid) {
  const Instr &I = k.code[pc];
  const Instr &J = k.code[otherPc];
  std::string what = std::string("shared-memory race (") + kind +
                     ") at shared address " + hex(kSharedBase + off) + ": " +
                     threadName(otherT) + " " + otherDid + " it at PTX line " +
                     std::to_string(J.line) + ": `" + k.text[otherPc] +
                     "`, with no barrier between the two accesses";
  if (I.op == Op::CpAsync)
    what += " (this cp.async's shared write lands at any time between its "
            "issue and the wait that completes it)";
  return fault(Status::LaunchFailed, t, I, what);
}

/// One thread's access to shared bytes [off, off + bytes). A write conflicts
/// with another thread's access in any epoch >= lowEpoch (the current one,
/// or a cp.async's issue epoch); a read with another thread's write in this
/// epoch. Reads of many threads, and a thread's own accesses, are fine.
bool Block::sharedAccess(uint32_t t, uint32_t pc, uint32_t off, uint32_t bytes,
                         bool write, uint32_t lowEpoch) {
  const uint32_t E = epoch;
  const uint16_t t16 = static_cast<uint16_t>(t);
  for (uint32_t i = 0; i < bytes; ++i) {
    Shadow &s = shadow[off + i];
    if (write) {
      if (s.wE >= lowEpoch && s.wT != t16)
        return raceFault("write after write", t, pc, off + i, s.wT, s.wPc,
                         "wrote");
      if (s.rE >= lowEpoch && s.rT != t16)
        return raceFault("write after read", t, pc, off + i, s.rT, s.rPc,
                         "read");
      if (s.r2E >= lowEpoch && s.r2T != t16)
        return raceFault("write after read", t, pc, off + i, s.r2T, s.r2Pc,
                         "read");
      s.wE = E;
      s.wT = t16;
      s.wPc = pc;
    } else {
      if (s.wE == E && s.wT != t16)
        return raceFault("read after write", t, pc, off + i, s.wT, s.wPc,
                         "wrote");
      if (s.rE != E) {
        s.rE = E;
        s.rT = t16;
        s.rPc = pc;
        s.r2E = 0;
      } else if (s.rT != t16 && s.r2E != E) {
        s.r2E = E;
        s.r2T = t16;
        s.r2Pc = pc;
      }
    }
  }
  return true;
}

namespace {
/// Sorts and merges overlapping or adjacent intervals (keeping the first's
/// thread and pc).
template <typename Iv> void mergeIntervals(std::vector<Iv> &v) {
  std::sort(v.begin(), v.end(),
            [](const Iv &a, const Iv &b) { return a.lo < b.lo; });
  size_t n = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (n && v[i].lo <= v[n - 1].hi)
      v[n - 1].hi = std::max(v[n - 1].hi, v[i].hi);
    else
      v[n++] = v[i];
  }
  v.resize(n);
}
} // namespace

void Block::globalAccess(uint32_t t, uint32_t pc, uint64_t addr,
                         uint32_t bytes, bool write) {
  std::vector<Interval> &v = write ? gWrites : gReads;
  uint64_t hi = addr + bytes;
  if (!v.empty()) {
    Interval &b = v.back();
    if (addr <= b.hi && hi >= b.lo) {
      b.lo = std::min(b.lo, addr);
      b.hi = std::max(b.hi, hi);
      return;
    }
  }
  v.push_back(Interval{addr, hi, t, pc});
  size_t &limit = write ? gWritesLimit : gReadsLimit;
  if (v.size() >= limit) {
    mergeIntervals(v);
    limit = std::max<size_t>(limit, 2 * v.size());
  }
}

/// A thread's own access to the destination of one of its pending copies:
/// the copy writes it at an unknown time before its wait, so the access
/// sees old or new bytes (a read) or may be overwritten (a write).
bool Block::ownPending(uint32_t t, uint32_t pc, uint32_t off, uint32_t bytes,
                       bool write) {
  uint64_t lo = kSharedBase + off, hi = lo + bytes;
  for (const Pending &p : cp[t])
    if (p.dst < hi && lo < p.dst + p.cpSize)
      return fault(Status::LaunchFailed, t, k.code[pc],
                   std::string("shared-memory race (") +
                       (write ? "write" : "read") +
                       " of a pending cp.async destination) at shared "
                       "address " +
                       hex(std::max(lo, p.dst)) +
                       ": this thread's cp.async at PTX line " +
                       std::to_string(k.code[p.pc].line) + ": `" +
                       k.text[p.pc] +
                       "` writes it at any time until the wait that "
                       "completes it");
  return true;
}

inline bool Block::onAccess(uint32_t t, uint32_t pc, const uint8_t *p,
                            uint64_t addr, uint32_t bytes, bool write) {
  if (p >= shared.data() && p < shared.data() + L.sharedBytes) {
    uint32_t off = static_cast<uint32_t>(p - shared.data());
    if (!cp[t].empty() && !ownPending(t, pc, off, bytes, write))
      return false;
    return sharedAccess(t, pc, off, bytes, write, epoch);
  }
  globalAccess(t, pc, addr, bytes, write);
  return true;
}

/// Hands this block's global intervals to the launch's sweep.
void Block::publishGlobal() {
  mergeIntervals(gReads);
  mergeIntervals(gWrites);
  std::lock_guard<std::mutex> lock(L.mutex);
  for (const Interval &i : gReads)
    L.greads.push_back(BlockInterval{i.lo, i.hi, linearId, i.t, i.pc});
  for (const Interval &i : gWrites)
    L.gwrites.push_back(BlockInterval{i.lo, i.hi, linearId, i.t, i.pc});
  gReads.clear();
  gWrites.clear();
  gReadsLimit = gWritesLimit = 1u << 15;
}

template <typename T> inline T sat32(int64_t v) {
  return static_cast<T>(std::min<int64_t>(std::max<int64_t>(v, INT32_MIN), INT32_MAX));
}

bool cmpInt(uint8_t cmp, int64_t a, int64_t b, uint64_t ua, uint64_t ub) {
  switch (cmp) {
  case CmpEq: return a == b;
  case CmpNe: return a != b;
  case CmpLt: return a < b;
  case CmpLe: return a <= b;
  case CmpGt: return a > b;
  case CmpGe: return a >= b;
  case CmpLo: return ua < ub;
  case CmpLs: return ua <= ub;
  case CmpHi: return ua > ub;
  case CmpHs: return ua >= ub;
  default: return false;
  }
}

bool cmpFloat(uint8_t cmp, double a, double b) {
  bool nan = std::isnan(a) || std::isnan(b);
  switch (cmp) {
  case CmpEq: return !nan && a == b;
  case CmpNe: return !nan && a != b;
  case CmpLt: return !nan && a < b;
  case CmpLe: return !nan && a <= b;
  case CmpGt: return !nan && a > b;
  case CmpGe: return !nan && a >= b;
  case CmpEqu: return nan || a == b;
  case CmpNeu: return nan || a != b;
  case CmpLtu: return nan || a < b;
  case CmpLeu: return nan || a <= b;
  case CmpGtu: return nan || a > b;
  case CmpGeu: return nan || a >= b;
  case CmpNum: return !nan;
  case CmpNan: return nan;
  default: return false;
  }
}

/// Integer value of a register as `tc` (sign- or zero-extended).
inline int64_t ival(uint64_t v, uint8_t tc) {
  unsigned b = bitsOf(tc);
  return isSigned(tc) ? sext(v, b)
                      : static_cast<int64_t>(b >= 64 ? v : v & ((1ull << b) - 1));
}

float fmaxPtx(float a, float b, bool nanProp) {
  if (std::isnan(a) || std::isnan(b)) {
    if (nanProp || (std::isnan(a) && std::isnan(b)))
      return kCanonicalNaN;
    return std::isnan(a) ? b : a;
  }
  if (a == 0 && b == 0)
    return std::signbit(a) ? b : a; // +0 > -0
  return a > b ? a : b;
}
float fminPtx(float a, float b, bool nanProp) {
  if (std::isnan(a) || std::isnan(b)) {
    if (nanProp || (std::isnan(a) && std::isnan(b)))
      return kCanonicalNaN;
    return std::isnan(a) ? b : a;
  }
  if (a == 0 && b == 0)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/// Float -> integer with PTX saturation: NaN -> 0, clamp to the range.
uint64_t floatToInt(double v, uint8_t rnd, uint8_t tc) {
  if (std::isnan(v))
    return 0;
  switch (rnd) {
  case RndRni: v = std::nearbyint(v); break;
  case RndRzi: v = std::trunc(v); break;
  case RndRmi: v = std::floor(v); break;
  case RndRpi: v = std::ceil(v); break;
  default: break;
  }
  unsigned b = bitsOf(tc);
  if (isSigned(tc)) {
    double lo = -std::ldexp(1.0, b - 1), hi = std::ldexp(1.0, b - 1);
    if (v <= lo)
      return static_cast<uint64_t>(static_cast<int64_t>(lo));
    if (v >= hi)
      return static_cast<uint64_t>(b >= 64 ? INT64_MAX
                                            : (int64_t(1) << (b - 1)) - 1);
    return static_cast<uint64_t>(static_cast<int64_t>(v));
  }
  double hi = std::ldexp(1.0, b);
  if (v <= 0)
    return 0;
  if (v >= hi)
    return b >= 64 ? ~0ull : (1ull << b) - 1;
  return static_cast<uint64_t>(v);
}

bool Block::execGeneric(const Instr &I, uint64_t *Rt, uint32_t t) {
  uint64_t a = Rt[I.a], b = Rt[I.b], c = Rt[I.c];
  uint8_t tc = I.tc;
  unsigned bits = bitsOf(tc);
  uint64_t m = bits >= 64 ? ~0ull : bits == 1 ? 1 : (1ull << bits) - 1;
  uint64_t &d = Rt[I.d];
  bool f32 = tc == TC_F32, f64 = tc == TC_F64;
  switch (I.op) {
  case Op::Mov:
    d = a & I.dmask;
    return true;
  case Op::MovPack: {
    uint64_t v = 0;
    unsigned eb = I.size;
    uint64_t em = eb >= 64 ? ~0ull : (1ull << eb) - 1;
    for (unsigned i = 0; i < I.vec; ++i)
      v |= (Rt[I.v[i]] & em) << (eb * i);
    d = v & I.dmask;
    return true;
  }
  case Op::MovUnpack: {
    unsigned eb = I.size;
    uint64_t em = eb >= 64 ? ~0ull : (1ull << eb) - 1;
    uint64_t v = a;
    for (unsigned i = 0; i < I.vec; ++i)
      Rt[I.v[i]] = (v >> (eb * i)) & em;
    return true;
  }
  case Op::Add:
  case Op::Sub:
    if (f32) {
      float r = I.op == Op::Add ? asF32(a) + asF32(b) : asF32(a) - asF32(b);
      if (I.flags & FlSat)
        r = std::isnan(r) ? 0.0f : std::min(1.0f, std::max(0.0f, r));
      d = f32Bits(r);
    } else if (f64) {
      d = f64Bits(I.op == Op::Add ? asF64(a) + asF64(b) : asF64(a) - asF64(b));
    } else if (I.flags & FlSat) { // s32
      int64_t r = I.op == Op::Add ? int64_t(int32_t(a)) + int32_t(b)
                                  : int64_t(int32_t(a)) - int32_t(b);
      d = static_cast<uint32_t>(sat32<int32_t>(r));
    } else {
      d = (I.op == Op::Add ? a + b : a - b) & m;
    }
    return true;
  case Op::MulLo:
    if (f32)
      d = f32Bits(asF32(a) * asF32(b));
    else if (f64)
      d = f64Bits(asF64(a) * asF64(b));
    else
      d = (a * b) & m;
    return true;
  case Op::MulHi:
    if (bits == 64) {
      if (isSigned(tc))
        d = static_cast<uint64_t>(
            (static_cast<__int128>(static_cast<int64_t>(a)) * static_cast<int64_t>(b)) >> 64);
      else
        d = static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
    } else {
      int64_t r = ival(a, tc) * ival(b, tc);
      d = (static_cast<uint64_t>(r) >> bits) & m;
    }
    return true;
  case Op::MulWide:
    d = static_cast<uint64_t>(ival(a, tc) * ival(b, tc)) & I.dmask;
    return true;
  case Op::MadLo:
    d = (a * b + c) & m;
    return true;
  case Op::MadWide:
    d = (static_cast<uint64_t>(ival(a, tc) * ival(b, tc)) + c) & I.dmask;
    return true;
  case Op::Fma:
    if (f32)
      d = f32Bits(std::fma(asF32(a), asF32(b), asF32(c)));
    else
      d = f64Bits(std::fma(asF64(a), asF64(b), asF64(c)));
    return true;
  case Op::Div:
  case Op::Rem:
    if (f32) {
      d = f32Bits(asF32(a) / asF32(b));
    } else if (f64) {
      d = f64Bits(asF64(a) / asF64(b));
    } else if (isSigned(tc)) {
      int64_t x = ival(a, tc), y = ival(b, tc);
      int64_t r;
      if (y == 0)
        r = I.op == Op::Div ? -1 : x; // defined here; undefined in PTX
      else if (y == -1)
        r = I.op == Op::Div ? static_cast<int64_t>(0 - static_cast<uint64_t>(x)) : 0;
      else
        r = I.op == Op::Div ? x / y : x % y;
      d = static_cast<uint64_t>(r) & m;
    } else {
      uint64_t x = a & m, y = b & m;
      d = (y == 0 ? (I.op == Op::Div ? m : x) : (I.op == Op::Div ? x / y : x % y)) & m;
    }
    return true;
  case Op::Min:
  case Op::Max:
    if (f32) {
      float r = I.op == Op::Max ? fmaxPtx(asF32(a), asF32(b), I.flags & FlNaN)
                                : fminPtx(asF32(a), asF32(b), I.flags & FlNaN);
      d = f32Bits(r);
    } else if (f64) {
      double x = asF64(a), y = asF64(b);
      double r = std::isnan(x) ? y : std::isnan(y) ? x
                 : I.op == Op::Max ? std::max(x, y) : std::min(x, y);
      d = f64Bits(r);
    } else if (isSigned(tc)) {
      int64_t x = ival(a, tc), y = ival(b, tc);
      d = static_cast<uint64_t>(I.op == Op::Max ? std::max(x, y) : std::min(x, y)) & m;
    } else {
      uint64_t x = a & m, y = b & m;
      d = I.op == Op::Max ? std::max(x, y) : std::min(x, y);
    }
    return true;
  case Op::Neg:
    if (f32)
      d = (a ^ 0x80000000u) & 0xffffffffu;
    else if (f64)
      d = a ^ (1ull << 63);
    else
      d = (0 - a) & m;
    return true;
  case Op::Abs:
    if (f32)
      d = a & 0x7fffffffu;
    else if (f64)
      d = a & ~(1ull << 63);
    else {
      int64_t x = ival(a, tc);
      d = static_cast<uint64_t>(x < 0 ? -x : x) & m;
    }
    return true;
  case Op::And: d = a & b & m; return true;
  case Op::Or: d = (a | b) & m; return true;
  case Op::Xor: d = (a ^ b) & m; return true;
  case Op::Not: d = ~a & m; return true;
  case Op::Shl: {
    uint64_t s = b & 0xffffffffu;
    d = s >= bits ? 0 : (a << s) & m;
    return true;
  }
  case Op::Shr: {
    uint64_t s = b & 0xffffffffu;
    if (isSigned(tc)) {
      int64_t x = ival(a, tc);
      d = static_cast<uint64_t>(s >= bits ? (x < 0 ? -1 : 0) : x >> s) & m;
    } else {
      d = s >= bits ? 0 : (a & m) >> s;
    }
    return true;
  }
  case Op::Popc:
    d = static_cast<uint64_t>(__builtin_popcountll(a & m));
    return true;
  case Op::Clz: {
    uint64_t x = a & m;
    d = x ? static_cast<uint64_t>(__builtin_clzll(x)) - (64 - bits) : bits;
    return true;
  }
  case Op::Brev: {
    uint64_t x = a & m, r = 0;
    for (unsigned i = 0; i < bits; ++i)
      r |= ((x >> i) & 1) << (bits - 1 - i);
    d = r;
    return true;
  }
  case Op::Selp:
    d = (c & 1) ? a : b;
    return true;
  case Op::Bfe: {
    // bfe: pos = b & 0xff, len = c & 0xff; the field is sign-extended for
    // signed types (from its msb, or from the source msb when pos >= size).
    unsigned pos = b & 0xff, len = c & 0xff;
    uint64_t x = a & m;
    uint64_t r = 0;
    bool sgn = isSigned(tc);
    bool sbit = false;
    if (sgn)
      sbit = len == 0 ? false
             : (pos + len - 1 >= bits ? (x >> (bits - 1)) & 1
                                      : (x >> (pos + len - 1)) & 1);
    for (unsigned i = 0; i < bits; ++i) {
      bool bit;
      if (i < len && pos + i < bits)
        bit = (x >> (pos + i)) & 1;
      else
        bit = sgn ? sbit : false;
      r |= static_cast<uint64_t>(bit) << i;
    }
    d = r;
    return true;
  }
  case Op::Bfi: {
    // bfi f, a, b, c, d: insert a's low len bits into b at pos.
    unsigned pos = c & 0xff, len = Rt[I.e] & 0xff;
    uint64_t r = b & m;
    for (unsigned i = 0; i < len && pos + i < bits; ++i) {
      uint64_t bit = (a >> i) & 1;
      r = (r & ~(1ull << (pos + i))) | (bit << (pos + i));
    }
    d = r;
    return true;
  }
  case Op::Prmt: {
    // Default mode: 8 source bytes {b, a}; each selector nibble picks a
    // byte (low 3 bits) and, if bit 3 is set, replicates its sign bit.
    uint64_t bytes = (a & 0xffffffffu) | ((b & 0xffffffffu) << 32);
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      unsigned sel = (c >> (4 * i)) & 0xf;
      uint32_t byte = (bytes >> (8 * (sel & 7))) & 0xff;
      if (sel & 8)
        byte = (byte & 0x80) ? 0xff : 0;
      r |= byte << (8 * i);
    }
    d = r;
    return true;
  }
  case Op::Setp: {
    bool r;
    if (f32)
      r = cmpFloat(I.cmp, asF32(a), asF32(b));
    else if (f64)
      r = cmpFloat(I.cmp, asF64(a), asF64(b));
    else if (tc == TC_PRED)
      r = cmpInt(I.cmp, a & 1, b & 1, a & 1, b & 1);
    else
      r = cmpInt(I.cmp, ival(a, tc), ival(b, tc), a & m, b & m);
    bool q = !r;
    if (I.boolop) {
      bool cc = (c & 1) ^ ((I.flags & FlRelu) ? 1 : 0);
      switch (I.boolop) {
      case BoolAnd: r = r && cc; q = q && cc; break;
      case BoolOr: r = r || cc; q = q || cc; break;
      default: r = r != cc; q = q != cc; break;
      }
    }
    d = r;
    if (I.mode)
      Rt[I.d2] = q;
    return true;
  }
  case Op::Cvt: {
    uint8_t dt = I.tc, at = I.tc2;
    bool dF = dt == TC_F32 || dt == TC_F64 || dt == TC_F16;
    bool aF = at == TC_F32 || at == TC_F64 || at == TC_F16;
    if (aF) {
      double v = at == TC_F32 ? static_cast<double>(asF32(a))
                 : at == TC_F64 ? asF64(a)
                                : decodeSmall(a & 0xffff, kF16);
      if (dF) {
        switch (I.rnd) {
        case RndRni: v = std::nearbyint(v); break;
        case RndRzi: v = std::trunc(v); break;
        case RndRmi: v = std::floor(v); break;
        case RndRpi: v = std::ceil(v); break;
        default: break;
        }
        if (I.flags & FlSat)
          v = std::isnan(v) ? 0.0 : std::min(1.0, std::max(0.0, v));
        if (dt == TC_F32)
          d = f32Bits(static_cast<float>(v)); // at == f64: rn by the host
        else if (dt == TC_F64)
          d = f64Bits(v);
        else // f16; from f32/f64 values (exact in double), .rn
          d = encodeSmall(v, kF16, false, 0x7fff);
      } else {
        d = floatToInt(v, I.rnd, dt) & I.dmask;
      }
      return true;
    }
    int64_t v = ival(a, at);
    if (dF) {
      if (dt == TC_F32)
        d = f32Bits(isSigned(at) ? static_cast<float>(v)
                                 : static_cast<float>(static_cast<uint64_t>(v)));
      else if (dt == TC_F64)
        d = f64Bits(isSigned(at) ? static_cast<double>(v)
                                 : static_cast<double>(static_cast<uint64_t>(v)));
      else
        d = encodeSmall(static_cast<double>(v), kF16, false, 0x7fff);
      return true;
    }
    if (I.flags & FlSat) {
      unsigned db = bitsOf(dt);
      if (isSigned(dt)) {
        int64_t lo = db >= 64 ? INT64_MIN : -(int64_t(1) << (db - 1));
        int64_t hi = db >= 64 ? INT64_MAX : (int64_t(1) << (db - 1)) - 1;
        if (!isSigned(at) && static_cast<uint64_t>(v) > static_cast<uint64_t>(hi))
          v = hi;
        else
          v = std::min(std::max(v, lo), hi);
      } else {
        uint64_t hi = db >= 64 ? ~0ull : (1ull << db) - 1;
        if (isSigned(at) && v < 0)
          v = 0;
        else if (static_cast<uint64_t>(v) > hi)
          v = static_cast<int64_t>(hi);
      }
    }
    d = static_cast<uint64_t>(v) & I.dmask;
    return true;
  }
  case Op::CvtF8x2: {
    // PTX: "the value converted from input a is stored in the upper 8 bits
    // of d and the value converted from input b in the lower 8 bits".
    float fa = asF32(a), fb = asF32(b);
    if (I.flags & FlRelu) {
      fa = std::isnan(fa) ? fa : std::max(fa, 0.0f);
      fb = std::isnan(fb) ? fb : std::max(fb, 0.0f);
    }
    const SmallFormat &f = I.tc == TC_E4M3 ? kE4M3 : kE5M2;
    uint32_t hi = encodeSmall(fa, f, true, 0x7f);
    uint32_t lo = encodeSmall(fb, f, true, 0x7f);
    d = (hi << 8) | lo;
    return true;
  }
  case Op::CvtF16x2: {
    // PTX: "the value converted from input a is stored in the upper half of
    // d and the value converted from input b in the lower half". NaN gives
    // the canonical NaN; without .satfinite, overflow gives infinity.
    const SmallFormat &f = I.mode ? kBF16 : kF16;
    const uint32_t nan = 0x7fff; // canonical NaN of both formats
    uint32_t h[2];
    float in[2] = {asF32(a), asF32(b)};
    for (int i = 0; i < 2; ++i) {
      float v = in[i];
      if ((I.flags & FlRelu) && !std::isnan(v) && v < 0)
        v = 0;
      h[i] = encodeSmall(v, f, I.flags & FlSatfinite, nan);
    }
    d = (h[0] << 16) | h[1];
    return true;
  }
  case Op::CvtF16x2F8: {
    const float *tab = I.tc == TC_E4M3 ? e4m3Table : e5m2Table;
    uint32_t r = 0;
    for (int i = 0; i < 2; ++i) {
      double v = tab[(a >> (8 * i)) & 0xff];
      if ((I.flags & FlRelu) && !std::isnan(v) && v < 0)
        v = 0;
      r |= encodeSmall(v, kF16, false, 0x7fff) << (16 * i);
    }
    d = r;
    return true;
  }
  default:
    return fault(Status::LaunchFailed, t, I, "internal: no implementation");
  }
}

#define KEY(op, tc) ((unsigned(Op::op) << 4) | (tc))

template <bool Prof, bool Check> uint8_t Block::runThread(uint32_t t) {
  uint64_t *Rt = R(t);
  const Instr *code = k.code.data();
  uint32_t pc = pcs[t];
  uint64_t n = 0;
  uint8_t result;
  for (;;) {
    const Instr &I = code[pc];
    if constexpr (Check) {
      if (n >= budget) { // the scheduler's turn is over
        result = TsReady;
        goto out;
      }
    }
    ++n;
    if constexpr (Prof) {
      if (pcCur[pc]++ == 0)
        curTouched.push_back(pc);
    }
    if ((Rt[I.guard] & 1) == ((I.flags >> 4) & 1)) { // guard false
      ++pc;
      continue;
    }
    if ((I.flags & FlWgRegs) && !wgAccess(t, pc, I)) {
      result = TsFault;
      goto out;
    }
    switch (I.key) {
    case KEY(Mov, TC_U32):
    case KEY(Mov, TC_S32):
    case KEY(Mov, TC_F32):
      Rt[I.d] = Rt[I.a] & 0xffffffffu;
      break;
    case KEY(Mov, TC_U64):
    case KEY(Mov, TC_S64):
      Rt[I.d] = Rt[I.a];
      break;
    case KEY(Add, TC_U32):
    case KEY(Add, TC_S32):
      Rt[I.d] = (Rt[I.a] + Rt[I.b]) & 0xffffffffu;
      break;
    case KEY(Add, TC_U64):
    case KEY(Add, TC_S64):
      Rt[I.d] = Rt[I.a] + Rt[I.b];
      break;
    case KEY(Sub, TC_U32):
    case KEY(Sub, TC_S32):
      Rt[I.d] = (Rt[I.a] - Rt[I.b]) & 0xffffffffu;
      break;
    case KEY(And, TC_U32):
    case KEY(And, TC_S32):
    case KEY(And, TC_U64):
    case KEY(And, TC_PRED):
      Rt[I.d] = Rt[I.a] & Rt[I.b];
      break;
    case KEY(Or, TC_U32):
    case KEY(Or, TC_S32):
    case KEY(Or, TC_U64):
    case KEY(Or, TC_PRED):
      Rt[I.d] = Rt[I.a] | Rt[I.b];
      break;
    case KEY(Xor, TC_U32):
    case KEY(Xor, TC_U64):
    case KEY(Xor, TC_PRED):
      Rt[I.d] = Rt[I.a] ^ Rt[I.b];
      break;
    case KEY(Not, TC_PRED):
      Rt[I.d] = (Rt[I.a] & 1) ^ 1;
      break;
    case KEY(Shl, TC_U32): {
      uint64_t s = Rt[I.b] & 0xffffffffu;
      Rt[I.d] = s >= 32 ? 0 : (Rt[I.a] << s) & 0xffffffffu;
      break;
    }
    case KEY(Shl, TC_U64): {
      uint64_t s = Rt[I.b] & 0xffffffffu;
      Rt[I.d] = s >= 64 ? 0 : Rt[I.a] << s;
      break;
    }
    case KEY(Shr, TC_U32): {
      uint64_t s = Rt[I.b] & 0xffffffffu;
      Rt[I.d] = s >= 32 ? 0 : (Rt[I.a] & 0xffffffffu) >> s;
      break;
    }
    case KEY(MulWide, TC_U32):
      Rt[I.d] = (Rt[I.a] & 0xffffffffu) * (Rt[I.b] & 0xffffffffu);
      break;
    case KEY(MulWide, TC_S32):
      Rt[I.d] = static_cast<uint64_t>(
          int64_t(int32_t(uint32_t(Rt[I.a]))) * int64_t(int32_t(uint32_t(Rt[I.b]))));
      break;
    case KEY(MulLo, TC_U32):
    case KEY(MulLo, TC_S32):
      Rt[I.d] = (Rt[I.a] * Rt[I.b]) & 0xffffffffu;
      break;
    case KEY(MadLo, TC_U32):
    case KEY(MadLo, TC_S32):
      Rt[I.d] = (Rt[I.a] * Rt[I.b] + Rt[I.c]) & 0xffffffffu;
      break;
    case KEY(Max, TC_S32): {
      int32_t x = int32_t(uint32_t(Rt[I.a])), y = int32_t(uint32_t(Rt[I.b]));
      Rt[I.d] = uint32_t(x > y ? x : y);
      break;
    }
    case KEY(Min, TC_S32): {
      int32_t x = int32_t(uint32_t(Rt[I.a])), y = int32_t(uint32_t(Rt[I.b]));
      Rt[I.d] = uint32_t(x < y ? x : y);
      break;
    }
    case KEY(Fma, TC_F32):
      Rt[I.d] = f32Bits(std::fma(asF32(Rt[I.a]), asF32(Rt[I.b]), asF32(Rt[I.c])));
      break;
    case KEY(MulLo, TC_F32):
      Rt[I.d] = f32Bits(asF32(Rt[I.a]) * asF32(Rt[I.b]));
      break;
    case KEY(Add, TC_F32):
      if (I.flags & FlSat)
        goto generic;
      Rt[I.d] = f32Bits(asF32(Rt[I.a]) + asF32(Rt[I.b]));
      break;
    case KEY(Selp, TC_U32):
    case KEY(Selp, TC_S32):
    case KEY(Selp, TC_U64):
    case KEY(Selp, TC_S64):
    case KEY(Selp, TC_F32):
      Rt[I.d] = (Rt[I.c] & 1) ? Rt[I.a] : Rt[I.b];
      break;
    case KEY(Setp, TC_S32):
      if (I.boolop || I.mode)
        goto generic;
      {
        int32_t x = int32_t(uint32_t(Rt[I.a])), y = int32_t(uint32_t(Rt[I.b]));
        bool r;
        switch (I.cmp) {
        case CmpEq: r = x == y; break;
        case CmpNe: r = x != y; break;
        case CmpLt: r = x < y; break;
        case CmpLe: r = x <= y; break;
        case CmpGt: r = x > y; break;
        case CmpGe: r = x >= y; break;
        default: goto generic;
        }
        Rt[I.d] = r;
      }
      break;
    case KEY(Setp, TC_U32):
      if (I.boolop || I.mode)
        goto generic;
      {
        uint32_t x = uint32_t(Rt[I.a]), y = uint32_t(Rt[I.b]);
        bool r;
        switch (I.cmp) {
        case CmpEq: r = x == y; break;
        case CmpNe: r = x != y; break;
        case CmpLt: case CmpLo: r = x < y; break;
        case CmpLe: case CmpLs: r = x <= y; break;
        case CmpGt: case CmpHi: r = x > y; break;
        case CmpGe: case CmpHs: r = x >= y; break;
        default: goto generic;
        }
        Rt[I.d] = r;
      }
      break;
    case KEY(Bra, TC_NONE):
      pc = static_cast<uint32_t>(I.target);
      continue;
    case KEY(Ld, TC_U32):
    case KEY(Ld, TC_S32):
    case KEY(Ld, TC_F32):
    case KEY(Ld, TC_U64):
    case KEY(Ld, TC_S64):
    case KEY(Ld, TC_U16):
    case KEY(Ld, TC_S16):
    case KEY(Ld, TC_U8):
    case KEY(Ld, TC_S8):
    case KEY(Ld, TC_F64):
    case KEY(Ld, TC_F16): {
      uint64_t addr = Rt[I.a] + static_cast<uint64_t>(I.off);
      unsigned sz = I.size, bytes = sz * I.vec;
      const uint8_t *p = memPtr(I.space, addr, bytes, bytes, t, I);
      if (!p) {
        result = TsFault;
        goto out;
      }
      if constexpr (Prof) {
        if (I.space != SpParam)
          recordAccess(t, pc, I.space, addr, bytes);
      }
      if constexpr (Check) {
        if (race && I.space != SpParam &&
            !onAccess(t, pc, p, addr, bytes, false)) {
          result = TsFault;
          goto out;
        }
      }
      if (bulkUsed && I.space != SpParam && p >= shared.data() &&
          p < shared.data() + L.sharedBytes &&
          !bulkAccess(t, I, static_cast<uint32_t>(p - shared.data()), bytes,
                      false)) {
        result = TsFault;
        goto out;
      }
      bool sgn = I.tc == TC_S8 || I.tc == TC_S16 || I.tc == TC_S32;
      for (unsigned i = 0; i < I.vec; ++i) {
        uint64_t v = 0;
        std::memcpy(&v, p + i * sz, sz);
        if (sgn)
          v = static_cast<uint64_t>(sext(v, sz * 8));
        Rt[I.v[i]] = v & I.dmask;
      }
      break;
    }
    case KEY(St, TC_U32):
    case KEY(St, TC_S32):
    case KEY(St, TC_F32):
    case KEY(St, TC_U64):
    case KEY(St, TC_S64):
    case KEY(St, TC_U16):
    case KEY(St, TC_S16):
    case KEY(St, TC_U8):
    case KEY(St, TC_S8):
    case KEY(St, TC_F64):
    case KEY(St, TC_F16): {
      uint64_t addr = Rt[I.a] + static_cast<uint64_t>(I.off);
      unsigned sz = I.size, bytes = sz * I.vec;
      uint8_t *p = memPtr(I.space, addr, bytes, bytes, t, I);
      if (!p) {
        result = TsFault;
        goto out;
      }
      if constexpr (Prof) {
        if (I.space != SpParam)
          recordAccess(t, pc, I.space, addr, bytes);
      }
      if constexpr (Check) {
        if (race && I.space != SpParam &&
            !onAccess(t, pc, p, addr, bytes, true)) {
          result = TsFault;
          goto out;
        }
      }
      if (bulkUsed && I.space != SpParam && p >= shared.data() &&
          p < shared.data() + L.sharedBytes &&
          !bulkAccess(t, I, static_cast<uint32_t>(p - shared.data()), bytes,
                      true)) {
        result = TsFault;
        goto out;
      }
      for (unsigned i = 0; i < I.vec; ++i) {
        uint64_t v = Rt[I.v[i]];
        std::memcpy(p + i * sz, &v, sz);
      }
      if (hopper && I.space != SpParam)
        genericSharedWrite(t, pc, addr, bytes);
      break;
    }
    case KEY(CpAsync, TC_NONE): {
      uint64_t dst = Rt[I.a] + static_cast<uint64_t>(I.off);
      uint64_t src = Rt[I.b] + static_cast<uint64_t>(I.off2);
      uint64_t srcSize = I.mode ? (Rt[I.c] & 0xffffffffu) : I.size;
      if (srcSize > I.size) {
        fault(Status::LaunchFailed, t, I,
              "src-size " + std::to_string(srcSize) + " > cp-size " +
                  std::to_string(I.size));
        result = TsFault;
        goto out;
      }
      if (!sharedPtr(dst, I.size, I.size, t, I)) {
        result = TsFault;
        goto out;
      }
      // The source must be aligned to cp-size; only src-size bytes are read.
      if (src & (I.size - 1)) {
        fault(Status::MisalignedAddress, t, I,
              "cp.async source " + hex(src) + " is not aligned to " +
                  std::to_string(I.size) + " bytes");
        result = TsFault;
        goto out;
      }
      if (srcSize && !globalPtr(src, static_cast<unsigned>(srcSize), 1, t, I)) {
        result = TsFault;
        goto out;
      }
      cp[t].push_back(Pending{dst, src, cpGroup[t], pc, epoch, I.size,
                              static_cast<uint8_t>(srcSize), false});
      if constexpr (Check) {
        if (race && srcSize)
          globalAccess(t, pc, src, static_cast<uint32_t>(srcSize), false);
      }
      if constexpr (Prof) {
        recordAccess(t, pc, SpShared, dst, I.size);
        if (srcSize)
          recordAccess(t, pc, SpGlobal, src, static_cast<uint32_t>(srcSize));
      }
      break;
    }
    case KEY(CpAsyncCommit, TC_NONE):
      ++cpGroup[t];
      break;
    case KEY(CpAsyncWait, TC_NONE):
      // Completes every committed group but the I.c most recent ones.
      if (!cp[t].empty() &&
          !completeCopies(t, cpGroup[t] >= I.c ? cpGroup[t] - I.c : 0)) {
        result = TsFault;
        goto out;
      }
      break;
    case KEY(CpAsyncWaitAll, TC_NONE):
      ++cpGroup[t];
      if (!completeCopies(t, cpGroup[t])) {
        result = TsFault;
        goto out;
      }
      break;
    case KEY(Exit, TC_NONE):
      if (!cp[t].empty() && !completeCopies(t, ~0u)) {
        result = TsFault;
        goto out;
      }
      result = TsExited;
      goto out;
    case KEY(Bar, TC_NONE):
      result = TsBar;
      goto out;
    case KEY(Ldmatrix, TC_NONE):
    case KEY(Mma, TC_S8):
    case KEY(Mma, TC_U8):
    case KEY(Mma, TC_E4M3):
    case KEY(Mma, TC_E5M2):
    case KEY(Mma, TC_F16): // .f16
    case KEY(Mma, TC_U16): // .bf16 (typed as b16)
    case KEY(Shfl, TC_NONE):
    case KEY(Wgmma, TC_NONE):
    case KEY(Elect, TC_NONE):
      result = TsColl;
      goto out;
    case KEY(MbarInit, TC_NONE):
    case KEY(MbarInval, TC_NONE):
    case KEY(MbarArrive, TC_NONE):
    case KEY(MbarExpectTx, TC_NONE):
    case KEY(MbarWait, TC_NONE): {
      bool parked = false;
      if (!execMbar(t, I, Rt, parked)) {
        result = TsFault;
        goto out;
      }
      if (parked) { // a failed wait yields; pc stays at the wait
        result = TsMbar;
        goto out;
      }
      break;
    }
    case KEY(CpBulk, TC_NONE):
      if (!issueBulk(t, pc, I, Rt)) {
        result = TsFault;
        goto out;
      }
      break;
    case KEY(CpBulkStore, TC_NONE):
      if (!issueStore(t, pc, I, Rt)) {
        result = TsFault;
        goto out;
      }
      break;
    case KEY(BulkCommit, TC_NONE):
      ++storeGroup[t];
      break;
    case KEY(BulkWait, TC_NONE): {
      // Every committed group but the I.c most recent ones completes (the
      // stores' global writes were done at issue; this ends their reads).
      uint32_t below = storeGroup[t] >= I.c ? storeGroup[t] - I.c : 0;
      size_t keep = 0;
      for (const Store &x : stores)
        if (x.t != t || x.group >= below)
          stores[keep++] = x;
      stores.resize(keep);
      break;
    }
    case KEY(NoEffect, TC_NONE):
      break;
    // wgmma runs to completion at issue (execWgmma); these only move the
    // state that its rules are checked against.
    case KEY(FenceProxy, TC_NONE):
      if (hopper)
        proxyFence(t);
      break;
    case KEY(WgmmaFence, TC_NONE):
      if (hopper)
        ++wgFences[t];
      break;
    case KEY(WgmmaCommit, TC_NONE):
      if (hopper)
        wgCommitted[t] = wgOpen[t]++;
      break;
    case KEY(WgmmaWait, TC_NONE):
      // Waits until at most I.c of the most recent committed groups are
      // pending (the groups are numbered 1, 2, ... in commit order).
      if (hopper && wgCommitted[t] > wgDone[t] + I.c)
        wgDone[t] = wgCommitted[t] - I.c;
      break;
    default:
    generic:
      if (!execGeneric(I, Rt, t)) {
        result = TsFault;
        goto out;
      }
      break;
    }
    ++pc;
  }
out:
  pcs[t] = pc;
  icount += n;
  if constexpr (Prof) {
    // This lane's counts raise the warp's maxima.
    for (uint32_t p : curTouched) {
      if (!warpMax[p])
        warpTouched.push_back(p);
      warpMax[p] = std::max(warpMax[p], pcCur[p]);
      pcCur[p] = 0;
    }
    curTouched.clear();
  }
  return result;
}

void Block::flushWarp() {
  for (uint32_t p : warpTouched) {
    pcWarp[p] += warpMax[p];
    warpMax[p] = 0;
  }
  warpTouched.clear();
  // Zip the lanes' access sequences: the n-th access of each lane at one
  // site forms the n-th warp-level request of that site.
  for (uint32_t l = 0; l < 32; ++l) {
    std::vector<Rec> &recs = laneRecs[l];
    if (recs.empty())
      continue;
    for (const Rec &r : recs) {
      uint32_t o = occ[r.site]++;
      std::vector<uint32_t> &sg = siteGroups[r.site];
      if (o == sg.size()) {
        if (sg.empty())
          groupSites.push_back(r.site);
        sg.push_back(static_cast<uint32_t>(groups.size()));
        groups.emplace_back();
        groups.back().site = r.site;
        groups.back().mask = 0;
      }
      Group &g = groups[sg[o]];
      g.mask |= 1u << l;
      g.lanes[l].addr = r.addr;
      g.lanes[l].bytes = r.bytes;
    }
    for (const Rec &r : recs)
      occ[r.site] = 0;
    recs.clear();
  }
  for (const Group &g : groups) {
    AccessCounters c = (g.site & 1) ? globalRequest(g.lanes, g.mask)
                                    : sharedRequest(g.lanes, g.mask);
    siteCounters[g.site].add(c);
  }
  groups.clear();
  for (uint32_t s : groupSites)
    siteGroups[s].clear();
  groupSites.clear();
}

void Block::mergeProfile() {
  if (!prof)
    return;
  std::lock_guard<std::mutex> lock(L.mutex);
  if (L.pcWarp.empty()) {
    L.pcWarp.assign(pcWarp.size(), 0);
    L.sites.resize(siteCounters.size());
  }
  for (size_t i = 0; i < pcWarp.size(); ++i)
    L.pcWarp[i] += pcWarp[i];
  for (size_t i = 0; i < siteCounters.size(); ++i)
    L.sites[i].add(siteCounters[i]);
}

/// The shared address of byte `kb` of row `r` of a K-major wgmma operand
/// (PTX ISA, "Matrix Descriptor Format" and "Shared Memory Matrix Layout"):
/// start address, leading/stride byte offsets (bits 16-29, 32-45, in 16-byte
/// units) and the swizzle mode (bits 62-63). Without swizzling the operand is
/// made of 8 x 16-byte core matrices, LBO apart along K and SBO apart along
/// M/N; with the 32/64/128-byte swizzles, rows of the swizzle width, 8 rows
/// per atom, atoms SBO apart, and the 16-byte chunk index (address bits 4-6)
/// XORed with bits 7-9 of the address. False for a non-zero base offset.
static bool wgmmaAddress(uint64_t desc, unsigned r, unsigned kb,
                         uint64_t &addr) {
  uint64_t start = (desc & 0x3FFF) << 4;
  uint64_t lbo = ((desc >> 16) & 0x3FFF) << 4;
  uint64_t sbo = ((desc >> 32) & 0x3FFF) << 4;
  unsigned baseOffset = (desc >> 49) & 7;
  unsigned mode = static_cast<unsigned>(desc >> 62);
  if (baseOffset)
    return false;
  if (mode == 0) {
    addr = start + (r / 8) * sbo + (kb / 16) * lbo + (r % 8) * 16 + kb % 16;
    return true;
  }
  unsigned width = mode == 1 ? 128 : mode == 2 ? 64 : 32;
  uint64_t linear = start + (r / 8) * sbo + (r % 8) * width + kb;
  unsigned bits = mode == 1 ? 7 : mode == 2 ? 3 : 1; // chunk-index mask
  addr = linear ^ (((linear >> 7) & bits) << 4);
  return true;
}

void Block::hopperReset() {
  std::fill(wgOpen.begin(), wgOpen.end(), 1u);
  std::fill(wgCommitted.begin(), wgCommitted.end(), 0u);
  std::fill(wgDone.begin(), wgDone.end(), 0u);
  std::fill(wgFences.begin(), wgFences.end(), 0u);
  std::fill(wgLock.begin(), wgLock.end(), 0u);
  std::fill(wgTouch.begin(), wgTouch.end(), 0u);
  std::fill(genWriter.begin(), genWriter.end(), uint16_t(0));
  for (auto &d : genDirty)
    d.clear();
}

/// An instruction other than wgmma touches wgmma accumulator registers:
/// not while a wgmma that writes them is pending (the ISA leaves their
/// value undefined until wgmma.wait_group), and it is remembered, so that a
/// wgmma using them without a wgmma.fence after this access faults.
bool Block::wgAccess(uint32_t t, uint32_t pc, const Instr &I) {
  const size_t base = static_cast<size_t>(t) * nwg;
  for (uint32_t i = 0; i < I.listLen; ++i) {
    uint32_t slot = k.regLists[I.listOff + i];
    size_t j = base + static_cast<uint32_t>(k.wgIndex[slot]);
    if (wgLock[j] > wgDone[t]) {
      const Instr &W = k.code[wgLockPc[j]];
      return fault(Status::LaunchFailed, t, I,
                   "touches an accumulator register of the "
                   "wgmma.mma_async at PTX line " +
                       std::to_string(W.line) +
                       ", which has not completed: its registers may be "
                       "accessed only after a wgmma.wait_group that covers "
                       "its wgmma.commit_group (PTX ISA, wgmma.wait_group)");
    }
    wgTouch[j] = wgFences[t] + 1;
    wgTouchPc[j] = pc;
  }
  return true;
}

void Block::genericSharedWrite(uint32_t t, uint32_t pc, uint64_t addr,
                               uint32_t bytes) {
  if (addr < kSharedBase || addr - kSharedBase + bytes > L.sharedBytes)
    return; // global memory
  uint32_t off = static_cast<uint32_t>(addr - kSharedBase);
  for (uint32_t i = 0; i < bytes; ++i) {
    genWriter[off + i] = static_cast<uint16_t>(t + 1);
    genPc[off + i] = pc;
  }
  auto &d = genDirty[t];
  if (!d.empty() && d.back().first + d.back().second == off)
    d.back().second += bytes;
  else
    d.push_back({off, bytes});
}

/// fence.proxy.async: this thread's earlier generic-proxy writes are
/// ordered before later async-proxy accesses.
void Block::proxyFence(uint32_t t) {
  const uint16_t me = static_cast<uint16_t>(t + 1);
  for (auto [off, bytes] : genDirty[t])
    for (uint32_t i = 0; i < bytes; ++i)
      if (genWriter[off + i] == me)
        genWriter[off + i] = 0;
  genDirty[t].clear();
}

/// An async-proxy access (a wgmma read, or a bulk copy's write when
/// `write`) to shared bytes that the generic proxy wrote without a
/// fence.proxy.async after: the two are not ordered.
bool Block::asyncProxyRead(uint32_t t, const Instr &I, uint32_t off,
                           uint32_t bytes, bool write) {
  for (uint32_t i = 0; i < bytes; ++i)
    if (uint16_t w = genWriter[off + i]) {
      uint32_t wpc = genPc[off + i];
      return fault(Status::LaunchFailed, t, I,
                   std::string(write ? "writes" : "reads") +
                       " shared address " + hex(kSharedBase + off + i) +
                       " through the async proxy, but " + threadName(w - 1u) +
                       " wrote it through the generic proxy at PTX line " +
                       std::to_string(k.code[wpc].line) + " (`" +
                       k.text[wpc] +
                       "`) and ran no fence.proxy.async after that write "
                       "(PTX ISA, \"Proxies\": the write is not ordered "
                       "before this async-proxy access)");
    }
  return true;
}

bool Block::execWgmma(uint32_t w, uint32_t nlanes, const Instr &I) {
  // wgmma.mma_async.sync.aligned.m64nNkK: the warpgroup (4 warps) computes
  // D[64 x N] (+)= A[64 x K] x B[K x N]; warp w % 4 owns rows 16(w%4) ..
  // +15 and only reads those rows of A, so each warp is run on its own, to
  // completion, at issue. Fragment of D (PTX ISA, "wgmma Register Fragment
  // layout for accumulator matrix D"): lane l holds, for 8-column block j,
  // d[4j + i] at row l/4 + 8 * (i / 2), column 8j + 2 * (l % 4) + i % 2.
  // Numerics as for mma.sync: each instruction's K products are summed
  // exactly (FP8 optionally truncated, Emulator::setFp8Accumulation), D is
  // added, and the sum is rounded once.
  uint32_t t0 = w * 32;
  if (nlanes != 32)
    return fault(Status::LaunchFailed, t0, I,
                 "wgmma in a warp of " + std::to_string(nlanes) +
                     " threads (needs 32)");
  if (nthreads % 128)
    return fault(Status::LaunchFailed, t0, I,
                 "wgmma in a block of " + std::to_string(nthreads) +
                     " threads (needs whole warpgroups of 128)");
  uint64_t descA = R(t0)[I.a], descB = R(t0)[I.b];
  bool scaleD = (R(t0)[I.c] & 1) != 0;
  for (unsigned l = 1; l < 32; ++l)
    if (R(t0 + l)[I.a] != descA || R(t0 + l)[I.b] != descB ||
        ((R(t0 + l)[I.c] & 1) != 0) != scaleD)
      return fault(Status::LaunchFailed, t0 + l, I,
                   "the wgmma descriptors and scale-d must be the same in "
                   "every thread of the warpgroup");
  const unsigned n = I.wgN, rowBytes = 32;
  const unsigned wq = w % 4;
  uint32_t ipc = static_cast<uint32_t>(&I - k.code.data());
  // The register rules: a wgmma.fence before the first wgmma and between
  // any other access to its accumulator registers and the wgmma (wgmmas of
  // one shape accumulating into the same registers are ordered anyway).
  // The registers then stay locked until a wgmma.wait_group covers them.
  const uint32_t *regs = &k.regLists[I.listOff];
  for (unsigned l = 0; l < 32; ++l) {
    uint32_t t = t0 + l;
    if (wgFences[t] == 0)
      return fault(Status::LaunchFailed, t, I,
                   "wgmma.mma_async with no wgmma.fence before it (PTX ISA, "
                   "wgmma.fence: required before the first wgmma.mma_async)");
    const size_t base = static_cast<size_t>(t) * nwg;
    for (uint32_t i = 0; i < I.listLen; ++i) {
      size_t j = base + static_cast<uint32_t>(k.wgIndex[regs[i]]);
      if (wgTouch[j] == wgFences[t] + 1) {
        uint32_t apc = wgTouchPc[j];
        return fault(Status::LaunchFailed, t, I,
                     "accumulator register " + std::to_string(i) +
                         " was accessed at PTX line " +
                         std::to_string(k.code[apc].line) + " (`" +
                         k.text[apc] +
                         "`) after the last wgmma.fence: the ISA requires a "
                         "wgmma.fence between a register access and a "
                         "wgmma.mma_async that uses the register");
      }
      wgLock[j] = wgOpen[t];
      wgLockPc[j] = ipc;
    }
  }
  // Gathers 32 bytes of K of operand row r (16-byte chunks, each contiguous
  // after the swizzle).
  auto gather = [&](uint64_t desc, unsigned r, uint8_t *out) {
    for (unsigned c = 0; c < rowBytes; c += 16) {
      uint64_t addr;
      if (!wgmmaAddress(desc, r, c, addr))
        return fault(Status::LaunchFailed, t0, I,
                     "wgmma descriptor " + hex(desc) +
                         " has a non-zero base offset (not implemented)");
      const uint8_t *p = sharedPtr(addr, 16, 16, t0, I);
      if (!p)
        return false;
      uint32_t off = static_cast<uint32_t>(addr - kSharedBase);
      if (race) {
        if ((!cp[t0].empty() && !ownPending(t0, ipc, off, 16, false)) ||
            !sharedAccess(t0, ipc, off, 16, false, epoch))
          return false;
      }
      if (!asyncProxyRead(t0, I, off, 16))
        return false;
      if (bulkUsed && !bulkAccess(t0, I, off, 16, false))
        return false;
      std::memcpy(out + c, p, 16);
    }
    return true;
  };
  uint8_t A[16][32];
  std::vector<uint8_t> Bt(static_cast<size_t>(n) * rowBytes);
  for (unsigned r = 0; r < 16; ++r)
    if (!gather(descA, 16 * wq + r, A[r]))
      return false;
  for (unsigned r = 0; r < n; ++r)
    if (!gather(descB, r, &Bt[static_cast<size_t>(r) * rowBytes]))
      return false;
  const uint32_t *list = &k.regLists[I.listOff];
  const unsigned accBits = L.fp8Bits;
  for (unsigned l = 0; l < 32; ++l) {
    uint64_t *Rl = R(t0 + l);
    for (unsigned i = 0; i < n / 2; ++i) {
      unsigned row = l / 4 + 8 * ((i / 2) % 2);
      unsigned col = 8 * (i / 4) + 2 * (l % 4) + (i % 2);
      const uint8_t *a = A[row], *b = &Bt[static_cast<size_t>(col) * rowBytes];
      uint32_t c = static_cast<uint32_t>(Rl[list[i]]);
      uint32_t d;
      if (I.mode == MmaInt) {
        bool sa = I.wgA == TC_S8, sb = I.wgB == TC_S8;
        int64_t acc = scaleD ? int64_t(static_cast<int32_t>(c)) : 0;
        for (unsigned kk = 0; kk < 32; ++kk)
          acc += int64_t(sa ? int8_t(a[kk]) : a[kk]) *
                 (sb ? int8_t(b[kk]) : b[kk]);
        if (I.flags & FlSatfinite)
          acc = std::min<int64_t>(std::max<int64_t>(acc, INT32_MIN), INT32_MAX);
        d = static_cast<uint32_t>(acc);
      } else if (I.mode == MmaF8) {
        const float *ta = I.wgA == TC_E4M3 ? e4m3Table : e5m2Table;
        const float *tb = I.wgB == TC_E4M3 ? e4m3Table : e5m2Table;
        double acc = 0;
        for (unsigned kk = 0; kk < 32; ++kk)
          acc += static_cast<double>(ta[a[kk]]) * tb[b[kk]];
        if (scaleD)
          acc += static_cast<double>(asF32(c));
        if (accBits)
          acc = truncateMantissa(acc, accBits);
        d = static_cast<uint32_t>(f32Bits(static_cast<float>(acc)));
      } else {
        const SmallFormat &f = I.mode == MmaF16 ? kF16 : kBF16;
        double acc = 0;
        for (unsigned kk = 0; kk < 16; ++kk)
          acc += decodeSmall(a[2 * kk] | (a[2 * kk + 1] << 8), f) *
                 decodeSmall(b[2 * kk] | (b[2 * kk + 1] << 8), f);
        if (scaleD)
          acc += static_cast<double>(asF32(c));
        d = static_cast<uint32_t>(f32Bits(static_cast<float>(acc)));
      }
      Rl[list[i]] = d;
    }
  }
  return true;
}

bool Block::execCollective(uint32_t w, uint32_t lane0, uint32_t nlanes,
                           const Instr &I) {
  uint32_t t0 = w * 32;
  (void)lane0;
  if (I.op == Op::Ldmatrix) {
    // PTX ISA, ldmatrix: threads 0-7 give the row addresses of matrix 0,
    // 8-15 of matrix 1, 16-23 of 2, 24-31 of 3 (x1 uses 0-7, x2 0-15).
    // Each row is 8 b16 elements (16 contiguous bytes). Without .trans,
    // lane l receives in d_i the elements (row l/4, columns 2*(l%4) and
    // 2*(l%4)+1) of matrix i; with .trans, the matrix is transposed: lane l
    // receives (row 2*(l%4), column l/4) in the low half and (row
    // 2*(l%4)+1, column l/4) in the high half.
    if (nlanes != 32)
      return fault(Status::LaunchFailed, t0, I,
                   "ldmatrix in a warp of " + std::to_string(nlanes) +
                       " threads (needs 32)");
    const uint8_t *rows[4][8];
    uint64_t rowAddr[4][8];
    for (unsigned i = 0; i < I.vec; ++i)
      for (unsigned r = 0; r < 8; ++r) {
        uint32_t t = t0 + 8 * i + r;
        uint64_t addr = R(t)[I.a] + static_cast<uint64_t>(I.off);
        const uint8_t *p = sharedPtr(addr, 16, 16, t, I);
        if (!p)
          return false;
        if (race) {
          uint32_t ipc = static_cast<uint32_t>(&I - k.code.data());
          uint32_t off = static_cast<uint32_t>(addr - kSharedBase);
          if ((!cp[t].empty() && !ownPending(t, ipc, off, 16, false)) ||
              !sharedAccess(t, ipc, off, 16, false, epoch))
            return false;
        }
        if (bulkUsed &&
            !bulkAccess(t, I, static_cast<uint32_t>(addr - kSharedBase), 16,
                        false))
          return false;
        rows[i][r] = p;
        rowAddr[i][r] = addr;
      }
    if (prof)
      siteCounters[2 * (&I - k.code.data())].add(
          ldmatrixRequest(rowAddr, I.vec));
    uint32_t out[32][4];
    for (unsigned l = 0; l < 32; ++l)
      for (unsigned i = 0; i < I.vec; ++i) {
        uint32_t v;
        if (!(I.flags & FlTrans)) {
          std::memcpy(&v, rows[i][l / 4] + 4 * (l % 4), 4);
        } else {
          uint16_t lo, hi;
          std::memcpy(&lo, rows[i][2 * (l % 4)] + 2 * (l / 4), 2);
          std::memcpy(&hi, rows[i][2 * (l % 4) + 1] + 2 * (l / 4), 2);
          v = lo | (static_cast<uint32_t>(hi) << 16);
        }
        out[l][i] = v;
      }
    for (unsigned l = 0; l < 32; ++l)
      for (unsigned i = 0; i < I.vec; ++i)
        R(t0 + l)[I.v[i]] = out[l][i];
    return true;
  }
  if (I.op == Op::Mma) {
    // PTX ISA, "Matrix Fragments for mma.m16n8k32" (.s8/.u8/.e4m3/.e5m2):
    //   groupID = %laneid >> 2, threadID_in_group = %laneid % 4
    //   A (4 .b32 regs, a0..a15, lower index in the lower byte):
    //     row = groupID      for ai where 0 <= i < 4 || 8 <= i < 12
    //           groupID + 8  otherwise
    //     col = (threadID_in_group * 4) + (i & 0x3)       for ai where i < 8
    //           (threadID_in_group * 4) + (i & 0x3) + 16  for ai where i >= 8
    //   B (2 .b32 regs, b0..b7):
    //     row = (threadID_in_group * 4) + (i & 0x3)       for bi where i < 4
    //           (threadID_in_group * 4) + (i & 0x3) + 16  for bi where i >= 4
    //     col = groupID
    //   C/D (4 regs c0..c3):
    //     row = groupID for c0, c1; groupID + 8 for c2, c3
    //     col = (threadID_in_group * 2) + (i & 0x1)
    if (nlanes != 32)
      return fault(Status::LaunchFailed, t0, I,
                   "mma in a warp of " + std::to_string(nlanes) +
                       " threads (needs 32)");
    // Bt is B transposed (Bt[n][k]) so that both operands of a dot product
    // are contiguous.
    uint8_t A[16][32], Bt[8][32];
    uint32_t C[16][8];
    for (unsigned l = 0; l < 32; ++l) {
      uint64_t *Rl = R(t0 + l);
      unsigned g = l >> 2, tig = l & 3;
      for (unsigned i = 0; i < 16; ++i) {
        unsigned row = (i < 4 || (i >= 8 && i < 12)) ? g : g + 8;
        unsigned col = tig * 4 + (i & 3) + (i >= 8 ? 16 : 0);
        A[row][col] = static_cast<uint8_t>(Rl[I.va[i / 4]] >> (8 * (i % 4)));
      }
      for (unsigned i = 0; i < 8; ++i) {
        unsigned row = tig * 4 + (i & 3) + (i >= 4 ? 16 : 0);
        Bt[g][row] = static_cast<uint8_t>(Rl[I.vb[i / 4]] >> (8 * (i % 4)));
      }
      for (unsigned i = 0; i < 4; ++i)
        C[i < 2 ? g : g + 8][tig * 2 + (i & 1)] =
            static_cast<uint32_t>(Rl[I.vc[i]]);
    }
    uint32_t D[16][8];
    if (I.mode == MmaF16 || I.mode == MmaBF16) {
      // m16n8k16 .f16/.bf16: the fragments hold two 16-bit elements per
      // register in the same byte positions as the 8-bit m16n8k32 ones
      // (PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point
      // type": a0,a1 = A[g][2t, 2t+1], a2,a3 = A[g+8][...], a4..a7 = columns
      // 8 + 2t...; b0,b1 = B[2t, 2t+1][g], b2,b3 = B[8 + 2t...][g]), so
      // element kk of a row is bytes 2kk, 2kk+1 of the 32-byte rows above.
      // Products are exact in double, summed in double with C, rounded to
      // f32 once.
      const SmallFormat &f = I.mode == MmaF16 ? kF16 : kBF16;
      double ad[16][16], bd[8][16];
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned kk = 0; kk < 16; ++kk)
          ad[m][kk] = decodeSmall(A[m][2 * kk] | (A[m][2 * kk + 1] << 8), f);
      for (unsigned nn = 0; nn < 8; ++nn)
        for (unsigned kk = 0; kk < 16; ++kk)
          bd[nn][kk] =
              decodeSmall(Bt[nn][2 * kk] | (Bt[nn][2 * kk + 1] << 8), f);
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned nn = 0; nn < 8; ++nn) {
          double acc = 0;
          for (unsigned kk = 0; kk < 16; ++kk)
            acc += ad[m][kk] * bd[nn][kk];
          acc += static_cast<double>(asF32(C[m][nn]));
          D[m][nn] = static_cast<uint32_t>(f32Bits(static_cast<float>(acc)));
        }
    } else if (I.mode ==
               MmaInt) { // integer: exact products summed exactly, + C
      bool sa = I.tc == TC_S8, sb = I.tc2 == TC_S8;
      int32_t a32[16][32], b32[8][32];
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned kk = 0; kk < 32; ++kk)
          a32[m][kk] = sa ? int8_t(A[m][kk]) : A[m][kk];
      for (unsigned nn = 0; nn < 8; ++nn)
        for (unsigned kk = 0; kk < 32; ++kk)
          b32[nn][kk] = sb ? int8_t(Bt[nn][kk]) : Bt[nn][kk];
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned nn = 0; nn < 8; ++nn) {
          int32_t dot = 0; // |dot| <= 32 * 255 * 255: exact in int32
          for (unsigned kk = 0; kk < 32; ++kk)
            dot += a32[m][kk] * b32[nn][kk];
          int64_t acc = int64_t(static_cast<int32_t>(C[m][nn])) + dot;
          if (I.flags & FlSatfinite)
            acc = std::min<int64_t>(std::max<int64_t>(acc, INT32_MIN), INT32_MAX);
          D[m][nn] = static_cast<uint32_t>(acc);
        }
    } else {
      // FP8: products are exact in double; they are summed in double (k
      // ascending), C is added, and the sum is rounded to f32 once. The
      // PTX ISA leaves the accumulation unspecified; with a hardware-like
      // model (Emulator::setFp8Accumulation(N)), that sum of C and the 32
      // products is truncated toward zero to N explicit mantissa bits
      // instead, as measured on Ada/Hopper tensor cores (N = 13).
      const unsigned accBits = L.fp8Bits;
      const float *ta = I.tc == TC_E4M3 ? e4m3Table : e5m2Table;
      const float *tb = I.tc2 == TC_E4M3 ? e4m3Table : e5m2Table;
      double ad[16][32], bd[8][32];
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned kk = 0; kk < 32; ++kk)
          ad[m][kk] = ta[A[m][kk]];
      for (unsigned nn = 0; nn < 8; ++nn)
        for (unsigned kk = 0; kk < 32; ++kk)
          bd[nn][kk] = tb[Bt[nn][kk]];
      for (unsigned m = 0; m < 16; ++m)
        for (unsigned nn = 0; nn < 8; ++nn) {
          double acc = 0;
          for (unsigned kk = 0; kk < 32; ++kk)
            acc += ad[m][kk] * bd[nn][kk];
          acc += static_cast<double>(asF32(C[m][nn]));
          if (accBits)
            acc = truncateMantissa(acc, accBits);
          D[m][nn] = static_cast<uint32_t>(f32Bits(static_cast<float>(acc)));
        }
    }
    for (unsigned l = 0; l < 32; ++l) {
      uint64_t *Rl = R(t0 + l);
      unsigned g = l >> 2, tig = l & 3;
      for (unsigned i = 0; i < 4; ++i)
        Rl[I.v[i]] = D[i < 2 ? g : g + 8][tig * 2 + (i & 1)];
    }
    return true;
  }
  if (I.op == Op::Wgmma)
    return execWgmma(w, nlanes, I);
  if (I.op == Op::Elect)
    return execElect(w, nlanes, I);
  if (I.op == Op::Shfl) {
    uint32_t active = nlanes == 32 ? 0xffffffffu : ((1u << nlanes) - 1);
    uint32_t vals[32], outv[32];
    bool outp[32];
    for (unsigned l = 0; l < nlanes; ++l)
      vals[l] = static_cast<uint32_t>(R(t0 + l)[I.a]);
    for (unsigned l = 0; l < nlanes; ++l) {
      uint64_t *Rl = R(t0 + l);
      uint32_t mask = static_cast<uint32_t>(Rl[I.e]);
      if (mask != active)
        return fault(Status::LaunchFailed, t0 + l, I,
                     "shfl.sync membermask " + hex(mask) +
                         " differs from the converged lanes " + hex(active));
      uint32_t bval = Rl[I.b] & 0x1f, cval = Rl[I.c] & 0x1f;
      uint32_t segmask = (Rl[I.c] >> 8) & 0x1f;
      uint32_t maxLane = (l & segmask) | (cval & ~segmask);
      uint32_t minLane = l & segmask;
      int64_t j;
      bool p;
      switch (I.mode) {
      case ShflUp: j = int64_t(l) - bval; p = j >= int64_t(minLane); break;
      case ShflDown: j = l + bval; p = j <= int64_t(maxLane); break;
      case ShflBfly: j = l ^ bval; p = j <= int64_t(maxLane); break;
      default: j = minLane | (bval & ~segmask); p = j <= int64_t(maxLane); break;
      }
      if (!p)
        j = l;
      if (j >= int64_t(nlanes))
        return fault(Status::LaunchFailed, t0 + l, I,
                     "shfl reads lane " + std::to_string(j) +
                         ", which does not exist");
      outv[l] = vals[j];
      outp[l] = p;
    }
    for (unsigned l = 0; l < nlanes; ++l) {
      R(t0 + l)[I.d] = outv[l];
      if (I.flags & FlSat)
        R(t0 + l)[I.d2] = outp[l];
    }
    return true;
  }
  return fault(Status::LaunchFailed, t0, I, "internal: not a collective");
}

bool Block::run(uint64_t linear) {
  cta.x = static_cast<unsigned>(linear % L.grid.x);
  cta.y = static_cast<unsigned>((linear / L.grid.x) % L.grid.y);
  cta.z = static_cast<unsigned>(linear / (uint64_t(L.grid.x) * L.grid.y));
  linearId = linear;
  for (uint32_t t = 0; t < nthreads; ++t) {
    uint64_t *sp = R(t) + k.specialBase;
    sp[SpCtaidX] = cta.x;
    sp[SpCtaidY] = cta.y;
    sp[SpCtaidZ] = cta.z;
    pcs[t] = 0;
    st[t] = TsReady;
    cp[t].clear();
    cpGroup[t] = 0;
  }
  std::memset(shared.data(), kPoison, shared.size());
  if (hopper)
    hopperReset();
  if (mbarUsed || bulkUsed)
    mbarReset();
  if (race && epoch > 0xF0000000u) { // before the epochs wrap around
    std::fill(shadow.begin(), shadow.end(), Shadow());
    epoch = 0;
  }
  ++epoch; // nothing of an earlier block conflicts
  bool ok;
  if (sched) {
    // One generator per (seed, launch, block): the schedule of a block does
    // not depend on which host thread runs it.
    rng = L.seed ^ 0x5851F42D4C957F2Dull;
    rng = splitmix(rng) ^ (L.index * 0x9E3779B97F4A7C15ull);
    rng = splitmix(rng) ^ linear;
    splitmix(rng);
    pickStyle();
    ok = runScheduled();
  } else {
    ok = runSequential();
  }
  if (ok && mbarUsed) // copies nothing waited for land before the block ends
    for (const Bulk &b : bulk)
      if (!(ok = landBulk(b)))
        break;
  if (!ok)
    return false;
  if (race)
    publishGlobal();
  L.instructions += icount;
  icount = 0;
  return true;
}

/// Each warp in turn runs its lanes one after another until each stops at a
/// collective (executed once all are there), a barrier or the exit.
bool Block::runSequential() {
  for (;;) {
    if (L.failed.load(std::memory_order_relaxed))
      return false;
    for (uint32_t w = 0; w < nwarps; ++w) {
      uint32_t t0 = w * 32, nl = std::min<uint32_t>(32, nthreads - t0);
      for (;;) {
        for (uint32_t l = 0; l < nl; ++l)
          if (st[t0 + l] == TsReady) {
            st[t0 + l] = stepThread(t0 + l);
            if (st[t0 + l] == TsFault)
              return false;
          }
        int r = warpStep(w);
        if (r < 0)
          return false;
        if (r == 0)
          break;
      }
    }
    int m = mbarStep();
    if (m < 0)
      return false;
    if (m > 0)
      continue;
    int b = barrierStep();
    if (b < 0)
      return false;
    if (b == 0)
      return true;
  }
}

/// Draws the scheduler's style and copy landing for the next barrier
/// interval (at the block start and at every barrier release).
void Block::pickStyle() {
  static const uint32_t kLand[4] = {0, 2, 16, 64};
  landNum = kLand[splitmix(rng) & 3];
  style = std::min<unsigned>(static_cast<unsigned>(splitmix(rng) & 3), 2);
  if (style == 2) {
    // A random priority order: the warps in a random order, the lanes of
    // each in a random order, so that one warp runs ahead of the others.
    std::vector<uint32_t> warps(nwarps);
    for (uint32_t w = 0; w < nwarps; ++w)
      warps[w] = w;
    for (uint32_t i = nwarps; i > 1; --i)
      std::swap(warps[i - 1], warps[splitmix(rng) % i]);
    uint32_t n = 0;
    for (uint32_t w : warps) {
      uint32_t t0 = w * 32, nl = std::min<uint32_t>(32, nthreads - t0);
      for (uint32_t l = 0; l < nl; ++l)
        order[n + l] = t0 + l;
      for (uint32_t i = nl; i > 1; --i)
        std::swap(order[n + i - 1], order[n + splitmix(rng) % i]);
      n += nl;
    }
    for (uint32_t i = 0; i < nthreads; ++i)
      rank[order[i]] = i;
    cursor = 0;
    landNum = 0; // copies land at their waits: late, the worst case
  }
}

void Block::makeReady(uint32_t t) {
  st[t] = TsReady;
  if (sched) {
    readyPos[t] = static_cast<uint32_t>(readyList.size());
    readyList.push_back(t);
    ++readyInWarp[t / 32];
    if (style == 2)
      cursor = std::min(cursor, rank[t]);
  }
}

void Block::removeReady(uint32_t t) {
  uint32_t i = readyPos[t], last = readyList.back();
  readyList[i] = last;
  readyPos[last] = i;
  readyList.pop_back();
}

/// Instructions in the next turn of a thread, by the block's style: fine
/// (1-8), mixed (mostly 1-16, sometimes up to 256), or greedy (until the
/// thread stops; see runScheduled).
uint64_t Block::quantum() {
  uint64_t r = splitmix(rng);
  switch (style) {
  case 0:
    return 1 + (r & 7);
  case 1:
    return (r & 3) == 0 ? 1 + ((r >> 8) & 255) : 1 + ((r >> 8) & 15);
  default:
    return ~0ull;
  }
}

/// The adversarial order: a random ready thread runs a random number of
/// instructions; after its turn some pending copies (its own and a random
/// thread's) land. In the greedy style, the ready thread first in a random
/// priority order runs until it stops (so that some threads run far ahead
/// of others), with one turn in 16 a random thread's short one instead.
/// Collectives and barriers execute when all their threads are there, as
/// in the sequential order.
bool Block::runScheduled() {
  readyList.clear();
  for (uint32_t w = 0; w < nwarps; ++w)
    readyInWarp[w] = 0;
  for (uint32_t t = 0; t < nthreads; ++t)
    makeReady(t);
  for (;;) {
    if (L.failed.load(std::memory_order_relaxed))
      return false;
    if (readyList.empty()) {
      int m = mbarStep();
      if (m < 0)
        return false;
      if (m > 0)
        continue;
      int b = barrierStep();
      if (b < 0)
        return false;
      if (b == 0)
        return true;
      continue;
    }
    uint32_t t;
    uint64_t r = splitmix(rng);
    if (style == 2 && (r & 15) != 0) {
      while (st[order[cursor]] != TsReady)
        ++cursor;
      t = order[cursor];
      budget = ~0ull;
    } else {
      t = readyList[(r >> 4) % readyList.size()];
      budget = style == 2 ? 1 + ((r >> 40) & 15) : quantum();
    }
    uint8_t s = stepThread(t);
    budget = ~0ull;
    if (s == TsFault)
      return false;
    st[t] = s;
    if (landNum) {
      landSome(t);
      landSome(static_cast<uint32_t>(splitmix(rng) % nthreads));
      if (!bulk.empty())
        landSomeBulk();
      if (L.failed.load(std::memory_order_relaxed))
        return false;
    }
    if (s != TsReady) {
      removeReady(t);
      uint32_t w = t / 32;
      if (--readyInWarp[w] == 0 && warpStep(w) < 0)
        return false;
    }
    // Waiters resume at a random point after their phase completes (at
    // the latest when no other thread can run, in mbarStep).
    if (mbarUsed && (splitmix(rng) & 7) == 0)
      wakeSatisfied();
  }
}

/// Once no lane of warp w is ready: executes the collective its lanes wait
/// at. 1: executed (the lanes are ready again), 0: none waits at one, -1: a
/// fault (divergence, or the collective's own).
int Block::warpStep(uint32_t w) {
  uint32_t t0 = w * 32, nl = std::min<uint32_t>(32, nthreads - t0);
  // Every lane is at a collective, a barrier or has exited.
  if (prof)
    flushWarp();
  uint32_t nColl = 0, nActive = 0, nBar = 0;
  uint32_t pc = ~0u;
  bool same = true;
  for (uint32_t l = 0; l < nl; ++l) {
    uint8_t s = st[t0 + l];
    if (s == TsExited)
      continue;
    ++nActive;
    if (s == TsBar)
      ++nBar;
    if (s == TsMbar)
      return 0; // the collective waits for the parked lanes
    if (s == TsColl) {
      ++nColl;
      if (pc == ~0u)
        pc = pcs[t0 + l];
      else if (pcs[t0 + l] != pc)
        same = false;
    }
  }
  if (!nColl)
    return 0;
  const Instr &I = k.code[pc];
  if (nColl != nActive || !same || nActive != nl) {
    // Name what the other lanes do.
    std::string other;
    for (uint32_t l = 0; l < nl; ++l) {
      uint8_t s = st[t0 + l];
      if (s == TsExited) {
        other = "lane " + std::to_string(l) + " has exited";
        break;
      }
      if (pcs[t0 + l] != pc) {
        const Instr &J = k.code[pcs[t0 + l]];
        other = "lane " + std::to_string(l) + " waits at PTX line " +
                std::to_string(J.line) + " `" + k.text[pcs[t0 + l]] + "`";
        break;
      }
    }
    uint32_t first = t0;
    while (st[first] != TsColl || pcs[first] != pc)
      ++first;
    fault(Status::LaunchFailed, first, I,
          "divergent warp " + std::to_string(w) +
              " at a warp-collective instruction: " + other);
    return -1;
  }
  if (!execCollective(w, 0, nl, I))
    return -1;
  for (uint32_t l = 0; l < nl; ++l) {
    ++pcs[t0 + l];
    makeReady(t0 + l);
  }
  return 1;
}

/// The barrier at which waiting threads can be released, if any: one whose
/// expected count (bar.sync a, b: b threads; bar.sync a: every thread that
/// has not exited) is all there. ~0ull if none.
uint64_t Block::releasableBarrier() const {
  uint32_t live = 0;
  for (uint32_t t = 0; t < nthreads; ++t)
    live += st[t] != TsExited;
  std::map<uint64_t, std::pair<uint32_t, uint32_t>> ids; // waiting, needed
  for (uint32_t t = 0; t < nthreads; ++t)
    if (st[t] == TsBar) {
      const Instr &I = k.code[pcs[t]];
      uint64_t id = R(t)[I.a] & 0xffffffffu;
      auto &e = ids[id];
      ++e.first;
      e.second = I.mode ? static_cast<uint32_t>(R(t)[I.b] & 0xffffffffu)
                        : live;
    }
  for (const auto &e : ids)
    if (e.second.first >= e.second.second)
      return e.first;
  return ~0ull;
}

/// Once no thread can run: releases a barrier whose threads are all there
/// (a new epoch for the race checker). 1: released, 0: every thread has
/// exited, -1: a deadlock.
int Block::barrierStep() {
  uint32_t waiting = 0, firstWaiting = 0;
  for (uint32_t t = 0; t < nthreads; ++t)
    if (st[t] == TsBar && !waiting++)
      firstWaiting = t;
  if (!waiting)
    return 0;
  uint64_t rel = releasableBarrier();
  if (rel == ~0ull) {
    const Instr &I0 = k.code[pcs[firstWaiting]];
    uint64_t id0 = R(firstWaiting)[I0.a] & 0xffffffffu;
    std::string what;
    for (uint32_t t = 0; t < nthreads; ++t)
      if (st[t] == TsBar) {
        const Instr &I = k.code[pcs[t]];
        if ((R(t)[I.a] & 0xffffffffu) != id0) {
          what = "deadlock: threads wait at different barriers (thread " +
                 std::to_string(t) + " at barrier " +
                 std::to_string(R(t)[I.a] & 0xffffffffu) + ", line " +
                 std::to_string(I.line) + ", while thread " +
                 std::to_string(firstWaiting) + " waits at barrier " +
                 std::to_string(id0) + ")";
          break;
        }
      }
    if (what.empty())
      what = "deadlock: " + std::to_string(waiting) +
             " thread(s) wait at barrier " + std::to_string(id0) +
             ", which expects " +
             (I0.mode ? std::to_string(R(firstWaiting)[I0.b] & 0xffffffffu)
                      : std::string("every thread that has not exited")) +
             ", and no other thread can run";
    fault(Status::LaunchFailed, firstWaiting, I0, what);
    return -1;
  }
  // A release orders the accesses before it, of every thread, before those
  // after it (for a partial barrier too: the race checker's epochs are
  // block-wide, so it may miss a race between a participant and another
  // thread across a named barrier).
  ++epoch;
  if (mbarUsed)
    mbarObserveAll();
  if (sched)
    pickStyle();
  for (uint32_t t = 0; t < nthreads; ++t)
    if (st[t] == TsBar && (R(t)[k.code[pcs[t]].a] & 0xffffffffu) == rel) {
      ++pcs[t];
      makeReady(t);
    }
  return 1;
}

#include "InterpMbarrier.inc"

} // namespace

namespace {
std::string blockName(const Launch &L, uint64_t linear) {
  return "block (" + std::to_string(linear % L.grid.x) + "," +
         std::to_string((linear / L.grid.x) % L.grid.y) + "," +
         std::to_string(linear / (uint64_t(L.grid.x) * L.grid.y)) + ")";
}

std::string accessName(const Launch &L, const BlockInterval &i,
                       const char *did) {
  uint32_t t = i.t;
  uint32_t x = t % L.block.x, y = (t / L.block.x) % L.block.y,
           z = t / (L.block.x * L.block.y);
  return blockName(L, i.block) + " (e.g. thread (" + std::to_string(x) + "," +
         std::to_string(y) + "," + std::to_string(z) + ") at PTX line " +
         std::to_string(L.k->code[i.pc].line) + ": `" + L.k->text[i.pc] +
         "`) " + did;
}

/// The race checker's sweep over the global bytes the blocks of a launch
/// touched: two blocks' writes, or a write and a read of two blocks, on one
/// byte are a race (blocks run in no defined order and nothing orders them
/// within a launch; there are no atomics in the emulated subset). False
/// with a message naming both blocks.
bool globalRaces(Launch &L, std::string &message) {
  std::vector<BlockInterval> &w = L.gwrites;
  auto byLo = [](const BlockInterval &a, const BlockInterval &b) {
    return a.lo < b.lo || (a.lo == b.lo && a.block < b.block);
  };
  std::sort(w.begin(), w.end(), byLo);
  auto report = [&](const BlockInterval &a, const BlockInterval &b,
                    const char *did) {
    uint64_t at = std::max(a.lo, b.lo);
    message = "kernel '" + L.k->name +
              "': global-memory race between two blocks of one launch at " +
              "global address " + hex(at) + ": " +
              accessName(L, a, "writes it") + ", and " +
              accessName(L, b, did) + "; nothing orders two blocks";
    return false;
  };
  // Each block's intervals are disjoint, so the writes overlap iff one
  // overlaps the interval with the largest end so far, of another block.
  size_t maxAt = 0;
  for (size_t i = 1; i < w.size(); ++i) {
    if (w[i].lo < w[maxAt].hi && w[i].block != w[maxAt].block)
      return report(w[maxAt], w[i], "writes it too");
    if (w[i].hi > w[maxAt].hi)
      maxAt = i;
  }
  // The writes are now disjoint and sorted by both ends.
  for (const BlockInterval &r : L.greads) {
    auto it = std::upper_bound(
        w.begin(), w.end(), r.lo,
        [](uint64_t lo, const BlockInterval &x) { return lo < x.hi; });
    for (; it != w.end() && it->lo < r.hi; ++it)
      if (it->block != r.block)
        return report(*it, r, "reads it");
  }
  return true;
}

/// The counters of one finished launch.
KernelProfile launchProfile(const Kernel &k, const Launch &L, uint64_t blocks) {
  KernelProfile p;
  p.name = k.name;
  p.launches = 1;
  p.blocks = blocks;
  p.threads = blocks * L.block.x * L.block.y * L.block.z;
  p.threadInstructions = L.instructions.load();
  for (size_t pc = 0; pc < L.pcWarp.size(); ++pc) {
    p.warpInstructions += L.pcWarp[pc];
    p.warpByClass[classify(k.code[pc])] += L.pcWarp[pc];
  }
  for (size_t s = 0; s < L.sites.size(); ++s) {
    const AccessCounters &c = L.sites[s];
    if (!c.requests)
      continue;
    const Instr &I = k.code[s / 2];
    bool global = s & 1;
    AccessKind kind;
    if (I.op == Op::Ldmatrix)
      kind = AkLdmatrix;
    else if (I.op == Op::CpAsync)
      kind = global ? AkCpAsyncSrc : AkCpAsyncDst;
    else if (I.op == Op::St)
      kind = global ? AkStGlobal : AkStShared;
    else
      kind = global ? AkLdGlobal : AkLdShared;
    p.access[kind].add(c);
    SiteProfile &site = p.sites[{I.line, int(kind)}];
    site.line = I.line;
    site.kind = kind;
    site.text = k.text[s / 2];
    site.c.add(c);
  }
  return p;
}
} // namespace

Status Emulator::validate(const Kernel &k, const LaunchConfig &c,
                          std::string &message) const {
  const Dim3 &b = c.block, &g = c.grid;
  uint64_t threads = uint64_t(b.x) * b.y * b.z;
  auto fail = [&](const std::string &m) {
    message = "launch of kernel '" + k.name + "': " + m;
    return Status::InvalidValue;
  };
  if (!b.x || !b.y || !b.z || !g.x || !g.y || !g.z)
    return fail("zero grid or block dimension");
  if (threads > kMaxThreadsPerBlock || b.x > 1024 || b.y > 1024 || b.z > 64)
    return fail("block (" + std::to_string(b.x) + "," + std::to_string(b.y) +
                "," + std::to_string(b.z) + ") exceeds the device limits (1024 threads)");
  if (g.y > 65535 || g.z > 65535 || g.x > 0x7fffffffu)
    return fail("grid exceeds the device limits");
  if (k.maxntid[0]) {
    uint64_t maxThreads = uint64_t(k.maxntid[0]) * k.maxntid[1] * k.maxntid[2];
    if (threads > maxThreads)
      return fail("block of " + std::to_string(threads) +
                  " threads exceeds .maxntid " + std::to_string(k.maxntid[0]) +
                  "," + std::to_string(k.maxntid[1]) + "," +
                  std::to_string(k.maxntid[2]));
  }
  if (k.reqntid[0] && (b.x != k.reqntid[0] || b.y != k.reqntid[1] ||
                       b.z != k.reqntid[2]))
    return fail("block (" + std::to_string(b.x) + "," + std::to_string(b.y) +
                "," + std::to_string(b.z) + ") differs from .reqntid " +
                std::to_string(k.reqntid[0]) + "," + std::to_string(k.reqntid[1]) +
                "," + std::to_string(k.reqntid[2]));
  unsigned dynLimit = c.maxDynamicShared
                          ? c.maxDynamicShared
                          : (k.staticShared < kDefaultSharedPerBlock
                                 ? kDefaultSharedPerBlock - k.staticShared
                                 : 0);
  uint64_t total = uint64_t(k.staticShared) + c.dynamicShared;
  if (c.dynamicShared > dynLimit || total > kMaxSharedPerBlockOptin ||
      (!c.maxDynamicShared && total > kDefaultSharedPerBlock))
    return fail(std::to_string(k.staticShared) + " bytes of static + " +
                std::to_string(c.dynamicShared) +
                " bytes of dynamic shared memory exceed the limit (" +
                (c.maxDynamicShared
                     ? "MAX_DYNAMIC_SHARED_SIZE_BYTES " +
                           std::to_string(c.maxDynamicShared)
                     : std::string("48 KiB without cuFuncSetAttribute")) +
                ", 227 KiB at most)");
  return Status::Ok;
}

Status Emulator::launch(const Kernel &k, const LaunchConfig &config,
                        void **params, std::string &message) {
  std::vector<uint8_t> buffer(k.paramBytes + 8, 0);
  for (size_t i = 0; i < k.params.size(); ++i) {
    if (!params || !params[i]) {
      message = "launch of kernel '" + k.name + "': parameter " +
                std::to_string(i) + " (" + k.params[i].name + ") is null";
      return Status::InvalidValue;
    }
    std::memcpy(buffer.data() + k.params[i].offset, params[i], k.params[i].size);
  }
  return launchPacked(k, config, buffer.data(), message);
}

Status Emulator::launchPacked(const Kernel &k, const LaunchConfig &config,
                              const uint8_t *paramBuffer, std::string &message) {
  Status s = validate(k, config, message);
  if (s != Status::Ok)
    return s;
  Launch L;
  L.k = &k;
  L.grid = config.grid;
  L.block = config.block;
  // The dynamic part starts at its alignment after the static arrays.
  uint32_t dynAlign = k.dynamicSharedAlign;
  uint32_t dynStart = (k.staticShared + dynAlign - 1) & ~(dynAlign - 1);
  L.sharedBytes = dynStart + config.dynamicShared;
  L.params = paramBuffer;
  L.emu = this;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto &a : allocs_)
      L.allocs.push_back({a.first, a.first + a.second});
  }
  uint64_t blocks = uint64_t(L.grid.x) * L.grid.y * L.grid.z;
  unsigned nworkers = static_cast<unsigned>(std::min<uint64_t>(threads_, blocks));
  L.prof = profiling_;
  L.race = race_;
  L.sched = sched_;
  L.seed = seed_;
  L.index = ++launchCount_;
  L.fp8Bits = fp8Bits_;
  auto work = [&L, blocks]() {
    Block b(L);
    for (;;) {
      uint64_t i = L.nextBlock.fetch_add(1);
      if (i >= blocks || L.failed.load(std::memory_order_relaxed))
        break;
      if (!b.run(i))
        break;
    }
    b.mergeProfile();
  };
  if (nworkers <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < nworkers; ++i)
      pool.emplace_back(work);
    for (auto &th : pool)
      th.join();
  }
  instructions_ += L.instructions.load();
  if (L.failed) {
    message = L.message;
    return L.status;
  }
  if (L.race && !globalRaces(L, message))
    return Status::LaunchFailed;
  if (L.prof)
    addProfile(launchProfile(k, L, blocks));
  return Status::Ok;
}

void Emulator::addProfile(KernelProfile &&p) {
  std::lock_guard<std::mutex> lock(profileMutex_);
  auto it = profileIndex_.find(p.name);
  if (it == profileIndex_.end()) {
    profileIndex_[p.name] = profile_.size();
    profile_.push_back(std::move(p));
  } else {
    profile_[it->second].add(p);
  }
}

std::vector<KernelProfile> Emulator::profile() const {
  std::lock_guard<std::mutex> lock(profileMutex_);
  return profile_;
}

void Emulator::clearProfile() {
  std::lock_guard<std::mutex> lock(profileMutex_);
  profile_.clear();
  profileIndex_.clear();
}
