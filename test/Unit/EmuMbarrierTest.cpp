//===- EmuMbarrierTest.cpp - mbarrier and cp.async.bulk against the ISA ---===//
//
// Hand-written sm_90a kernels, independent of vggq's lowering, for the
// emulator's mbarrier objects (phases, parity and state waits, arrival
// counts, transaction bytes), 1D bulk copies (cp.async.bulk with
// mbarrier::complete_tx::bytes) feeding ld.shared and wgmma, elect.sync
// and setmaxnreg. The expected values come from the PTX ISA text; each
// fault the emulator reports for misuse is checked by its message.
//
//===----------------------------------------------------------------------===//
#include "EmuFixture.h"
#include "Interp.h"
#include "Ptx.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace vggq::emu;

namespace {

const char *kHeader = ".version 8.0\n.target sm_90a\n.address_size 64\n";

bool has(const std::string &s, const std::string &sub) {
  return s.find(sub) != std::string::npos;
}

/// Replaces every occurrence of `from` in s.
std::string subst(std::string s, const std::string &from,
                  const std::string &to) {
  for (size_t p = s.find(from); p != std::string::npos;
       p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

class EmuMbar : public EmuFixture {
public:
  void SetUp() override { emu.setThreads(1); }

  bool load(const std::string &body) {
    mod = Module();
    return parse(kHeader + body);
  }
  Status launch(const char *name, unsigned threads, std::vector<uint64_t> args,
                unsigned blocks = 1) {
    LaunchConfig c;
    c.block = {threads, 1, 1};
    c.grid = {blocks, 1, 1};
    return launchWith(name, c, std::move(args));
  }
};

//===----------------------------------------------------------------------===//
// Phases, parity and state waits (one thread, so that every value is
// determined).
//===----------------------------------------------------------------------===//

const char *kPhases = R"(
.visible .entry phases(.param .u64 pout)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<20>;
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd1, [pout];
  mbarrier.init.shared::cta.b64 [bar], 2;
  mbarrier.arrive.shared::cta.b64 %rd2, [bar];
  mbarrier.test_wait.parity.shared::cta.b64 %p1, [bar], 0;
  mbarrier.test_wait.shared::cta.b64 %p2, [bar], %rd2;
  mbarrier.arrive.release.cta.shared::cta.b64 %rd3, [bar];
  mbarrier.test_wait.parity.shared::cta.b64 %p3, [bar], 0;
  mbarrier.test_wait.parity.shared::cta.b64 %p4, [bar], 1;
  mbarrier.test_wait.shared::cta.b64 %p5, [bar], %rd2;
  mbarrier.arrive.shared::cta.b64 %rd4, [bar], 2;
  mbarrier.try_wait.parity.shared::cta.b64 %p6, [bar], 1;
  mbarrier.try_wait.parity.acquire.cta.shared::cta.b64 %p7, [bar], 0;
  mbarrier.expect_tx.relaxed.cta.shared::cta.b64 [bar], 32;
  mbarrier.arrive.shared::cta.b64 %rd5, [bar], 2;
  mbarrier.test_wait.shared::cta.b64 %p8, [bar], %rd5;
  selp.u32 %r1, 1, 0, %p1;
  selp.u32 %r2, 1, 0, %p2;
  selp.u32 %r3, 1, 0, %p3;
  selp.u32 %r4, 1, 0, %p4;
  selp.u32 %r5, 1, 0, %p5;
  selp.u32 %r6, 1, 0, %p6;
  selp.u32 %r7, 1, 0, %p7;
  selp.u32 %r8, 1, 0, %p8;
  st.global.v4.u32 [%rd1], {%r1, %r2, %r3, %r4};
  st.global.v4.u32 [%rd1+16], {%r5, %r6, %r7, %r8};
  ret;
}
)";

// Count 2: after one arrival phase 0 is incomplete; after the second the
// phase of parity 0 has completed (but not one of parity 1), and so has
// the state's phase. An arrival of count 2 completes phase 1. With 32
// transaction bytes expected, the two arrivals of phase 2 do not complete
// it.
TEST_F(EmuMbar, PhasesParityAndState) {
  ASSERT_TRUE(load(kPhases));
  uint64_t po = emu.alloc(32);
  ASSERT_EQ(launch("phases", 1, {po}), Status::Ok) << msg;
  std::vector<uint32_t> out = download<uint32_t>(po, 8);
  std::vector<uint32_t> want = {0, 0, 1, 0, 1, 1, 0, 0};
  EXPECT_EQ(out, want);
}

//===----------------------------------------------------------------------===//
// Many threads: a wait returns only once every arrival is in.
//===----------------------------------------------------------------------===//

const char *kAllArrive = R"(
.visible .entry all(.param .u64 pout)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<4>;
  .shared .align 8 .b64 bar;
  .shared .align 16 .b32 flag[128];
  ld.param.u64 %rd1, [pout];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], 128;
  bar.sync 0;
  mov.u64 %rd2, flag;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  add.u32 %r2, %r1, 1000;
  st.shared.u32 [%rd4], %r2;
  mbarrier.arrive.shared::cta.b64 %rd5, [bar];
WAIT:
  mbarrier.try_wait.shared::cta.b64 %p2, [bar], %rd5;
  @!%p2 bra WAIT;
  add.u32 %r3, %r1, 1;
  and.b32 %r3, %r3, 127;
  mul.wide.u32 %rd6, %r3, 4;
  add.s64 %rd7, %rd2, %rd6;
  ld.shared.u32 %r4, [%rd7];
  add.s64 %rd8, %rd1, %rd3;
  st.global.u32 [%rd8], %r4;
  ret;
}
)";

// Each thread reads its neighbour's flag after the wait: under the
// adversarial scheduler, a wait that returned before the last arrival
// would let a thread read the poison. (The race checker does not model
// mbarrier synchronization between generic accesses, so it is off.)
TEST_F(EmuMbar, WaitCoversEveryArrival) {
  ASSERT_TRUE(load(kAllArrive));
  emu.setRaceCheck(false);
  uint64_t po = emu.alloc(128 * 4);
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    emu.setScheduler(seed != 8, seed);
    // Three blocks (one after another on one host thread): each starts
    // with no mbarrier objects.
    ASSERT_EQ(launch("all", 128, {po}, 3), Status::Ok) << msg;
    std::vector<uint32_t> out = download<uint32_t>(po, 128);
    for (uint32_t t = 0; t < 128; ++t)
      ASSERT_EQ(out[t], 1000 + (t + 1) % 128)
          << "thread " << t << ", seed " << seed;
  }
}

// A try_wait that fails once (the ISA's time limit) lets its thread go on
// to arrive itself: not a deadlock.
TEST_F(EmuMbar, FailedTryWaitThenOwnArrival) {
  ASSERT_TRUE(load(R"(
.visible .entry self(.param .u64 pout)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  .reg .pred %p<4>;
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd1, [pout];
  mbarrier.init.shared::cta.b64 [bar], 1;
  mbarrier.try_wait.parity.shared::cta.b64 %p1, [bar], 0;
  mbarrier.arrive.shared::cta.b64 _, [bar];
WAIT:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
  @!%p2 bra WAIT;
  selp.u32 %r1, 1, 0, %p1;
  st.global.u32 [%rd1], %r1;
  ret;
}
)"));
  uint64_t po = emu.alloc(4);
  ASSERT_EQ(launch("self", 1, {po}), Status::Ok) << msg;
  EXPECT_EQ(download<uint32_t>(po, 1)[0], 0u) << "the first wait failed";
}

// Warp specialization: warp 1 waits on the mbarrier while warp 0 first
// synchronizes on a named barrier of its own 32 threads (bar.sync 1, 32),
// then arrives. The named barrier releases without warp 1.
const char *kNamed = R"(
.visible .entry named(.param .u64 pout)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  .reg .pred %p<4>;
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd1, [pout];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], 32;
  bar.sync 0;
  setp.ge.u32 %p2, %r1, 32;
  @%p2 bra CONSUMER;
  bar.sync 1, COUNT;
  mbarrier.arrive.shared::cta.b64 _, [bar];
  ret;
CONSUMER:
  mbarrier.try_wait.parity.shared::cta.b64 %p3, [bar], 0;
  @!%p3 bra CONSUMER;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r1;
  ret;
}
)";

TEST_F(EmuMbar, NamedBarrierOfProducersOnly) {
  ASSERT_TRUE(load(subst(kNamed, "COUNT", "32")));
  uint64_t po = emu.alloc(64 * 4);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    emu.setScheduler(seed != 4, seed);
    ASSERT_EQ(launch("named", 64, {po}), Status::Ok) << msg;
    std::vector<uint32_t> out = download<uint32_t>(po, 64);
    for (uint32_t t = 32; t < 64; ++t)
      ASSERT_EQ(out[t], t);
  }
  // A count that the waiting threads never reach is a deadlock.
  ASSERT_TRUE(load(subst(kNamed, "COUNT", "64")));
  EXPECT_EQ(launch("named", 64, {po}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "deadlock: mbarrier at shared 0x1000 phase 0 never "
                       "completes (expected 32 arrivals, 0 arrived"))
      << msg;
  EXPECT_TRUE(has(msg, "32 at bar.sync")) << msg;
}

//===----------------------------------------------------------------------===//
// Bulk copies: thread 0 announces the bytes and issues two copies; every
// thread waits for phase 0, reads, then (after a bar.sync) the buffer is
// refilled in phase 1.
//===----------------------------------------------------------------------===//

const char *kBulk = R"(
.visible .entry bulk(.param .u64 psrc, .param .u64 pout)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<4>;
  .shared .align 8 .b64 bar;
  .shared .align 128 .b8 buf[512];
  ld.param.u64 %rd1, [psrc];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], 1;
  fence.mbarrier_init.release.cluster;
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], EXPECT;
  @%p1 cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [buf], [SRC], SIZE, [bar];
  add.s64 %rd3, %rd1, 256;
  @%p1 cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [buf+256], [%rd3], 256, [bar];
  WAIT0
  mov.u64 %rd4, buf;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd4, %rd5;
  BEFORE_READ
  ld.shared.u32 %r2, [%rd6];
  add.s64 %rd7, %rd2, %rd5;
  st.global.u32 [%rd7], %r2;
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], 512;
  add.s64 %rd8, %rd1, 512;
  @%p1 cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [buf], [%rd8], 512, [bar];
WAIT1:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 1;
  @!%p2 bra WAIT1;
  ld.shared.u32 %r3, [%rd6];
  add.s64 %rd9, %rd7, 512;
  st.global.u32 [%rd9], %r3;
  ret;
}
)";

struct BulkVariant {
  std::string expect = "512", src = "%rd1", size = "256";
  std::string wait0 = "WAIT0:\n  mbarrier.try_wait.parity.shared::cta.b64 "
                      "%p2, [bar], 0;\n  @!%p2 bra WAIT0;";
  std::string beforeRead;
};

std::string bulkKernel(const BulkVariant &v) {
  std::string s = kBulk;
  s = subst(s, "EXPECT", v.expect);
  s = subst(s, "[SRC]", "[" + v.src + "]");
  s = subst(s, "SIZE", v.size);
  s = subst(s, "WAIT0\n", v.wait0 + "\n");
  s = subst(s, "BEFORE_READ", v.beforeRead);
  return s;
}

class EmuBulk : public EmuMbar {
public:
  std::vector<uint32_t> src;
  uint64_t ps = 0, po = 0;
  void SetUp() override {
    EmuMbar::SetUp();
    src.resize(256);
    for (uint32_t i = 0; i < 256; ++i)
      src[i] = 0x12340000u + i * 7;
    ps = upload(src);
    po = emu.alloc(256 * 4);
  }
  Status run(const BulkVariant &v) {
    if (!load(bulkKernel(v)))
      return Status::InvalidValue;
    return launch("bulk", 128, {ps, po});
  }
};

TEST_F(EmuBulk, CopiesLandByThePhase) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    emu.setScheduler(seed != 6, seed);
    ASSERT_EQ(run(BulkVariant()), Status::Ok) << msg;
    EXPECT_EQ(download<uint32_t>(po, 256), src) << "seed " << seed;
  }
  // With the performance counters on (the sequential order, instrumented).
  emu.setProfiling(true);
  ASSERT_EQ(run(BulkVariant()), Status::Ok) << msg;
  EXPECT_EQ(download<uint32_t>(po, 256), src);
  ASSERT_EQ(emu.profile().size(), 1u);
  EXPECT_GT(emu.profile()[0].warpInstructions, 0u);
}

TEST_F(EmuBulk, FaultDeadlockTxOutstanding) {
  BulkVariant v;
  v.expect = "1024";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "deadlock: mbarrier at shared 0x")) << msg;
  EXPECT_TRUE(has(msg, "phase 0 never completes (expected 1 arrivals, 1 "
                       "arrived, 512 tx bytes outstanding)"))
      << msg;
  EXPECT_TRUE(has(msg, "kernel 'bulk'")) << msg;
  EXPECT_TRUE(has(msg, "PTX line")) << msg;
  EXPECT_TRUE(has(msg, "mbarrier.try_wait.parity")) << msg;
}

TEST_F(EmuBulk, FaultTxCountUnderflow) {
  // 128 bytes announced, a 256-byte copy: after the only arrival.
  BulkVariant v;
  v.expect = "128";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "tx-count underflow")) << msg;
  EXPECT_TRUE(has(msg, "completes 256 transaction bytes")) << msg;
  EXPECT_TRUE(has(msg, "only 128 transaction bytes outstanding")) << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.shared::cluster.global")) << msg;
}

TEST_F(EmuBulk, FaultReadBeforeWait) {
  BulkVariant v;
  v.wait0 = "";
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    emu.setScheduler(seed != 3, seed);
    EXPECT_EQ(run(v), Status::LaunchFailed);
    EXPECT_TRUE(has(msg, "reads shared address")) << msg;
    EXPECT_TRUE(has(msg, "before this thread waited on its mbarrier")) << msg;
    EXPECT_TRUE(has(msg, "ld.shared.u32")) << msg;
  }
}

TEST_F(EmuBulk, FaultGenericWriteIntoPendingCopy) {
  BulkVariant v;
  v.wait0 = "";
  v.beforeRead = "st.shared.u32 [%rd6], %r1;";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "writes shared address")) << msg;
}

// Shared bytes written through the generic proxy need the writer's
// fence.proxy.async before a bulk copy (the async proxy) overwrites them.
TEST_F(EmuBulk, FaultGenericWriteBeforeCopyWithoutProxyFence) {
  const std::string init = "  mov.u32 %r1, %tid.x;\n  mov.u64 %rd11, buf;\n"
                           "  st.shared.u32 [%rd11+64], %r1;\n";
  std::string s =
      subst(bulkKernel(BulkVariant()), "  mov.u32 %r1, %tid.x;\n", init);
  ASSERT_TRUE(load(s));
  emu.setRaceCheck(false); // every thread writes the same word
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "writes shared address 0x10c0 through the async "
                       "proxy"))
      << msg;
  EXPECT_TRUE(has(msg, "no fence.proxy.async")) << msg;
  EXPECT_TRUE(has(msg, "st.shared.u32 [%rd11+64], %r1")) << msg;
  ASSERT_TRUE(load(subst(s, "st.shared.u32 [%rd11+64], %r1;\n",
                         "st.shared.u32 [%rd11+64], %r1;\n"
                         "  fence.proxy.async.shared::cta;\n")));
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::Ok) << msg;
  EXPECT_EQ(download<uint32_t>(po, 256), src);
}

TEST_F(EmuBulk, FaultMisalignedSource) {
  BulkVariant v;
  v.src = "%rd10";
  std::string s = subst(bulkKernel(v), "  mov.u32 %r1, %tid.x;",
                        "  mov.u32 %r1, %tid.x;\n  add.s64 %rd10, %rd1, 8;");
  ASSERT_TRUE(load(s));
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::MisalignedAddress);
  EXPECT_TRUE(has(msg, "cp.async.bulk source 0x")) << msg;
  EXPECT_TRUE(has(msg, "is not aligned to 16 bytes")) << msg;
}

TEST_F(EmuBulk, FaultSourceOutOfBounds) {
  BulkVariant v; // the source allocation has 1024 bytes
  v.src = "%rd10";
  std::string s = subst(bulkKernel(v), "  mov.u32 %r1, %tid.x;",
                        "  mov.u32 %r1, %tid.x;\n  add.s64 %rd10, %rd1, 1024;");
  ASSERT_TRUE(load(s));
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "outside every allocation")) << msg;
}

TEST_F(EmuBulk, FaultDestinationOutOfWindow) {
  std::string s = subst(bulkKernel(BulkVariant()), "[buf+256], [%rd3], 256",
                        "[buf+512], [%rd3], 256");
  ASSERT_TRUE(load(s));
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "outside the block's shared window")) << msg;
}

TEST_F(EmuBulk, FaultSizeNotMultipleOf16) {
  BulkVariant v;
  v.size = "%r9";
  std::string s = bulkKernel(v);
  s = subst(s, "  mov.u32 %r1, %tid.x;",
            "  mov.u32 %r1, %tid.x;\n  mov.u32 %r9, 100;");
  ASSERT_TRUE(load(s));
  EXPECT_EQ(launch("bulk", 128, {ps, po}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "size 100 is not a positive multiple of 16")) << msg;
  // An immediate size is refused when the PTX is loaded.
  v.size = "100";
  Module m;
  std::string err;
  EXPECT_FALSE(parsePtx(kHeader + bulkKernel(v), m, err));
  EXPECT_TRUE(has(err, "not a positive multiple of 16")) << err;
}

//===----------------------------------------------------------------------===//
// Misuse of mbarriers.
//===----------------------------------------------------------------------===//

const char *kMisuse = R"(
.visible .entry misuse()
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  .reg .pred %p<4>;
  .shared .align 8 .b64 bar;
  .shared .align 8 .b64 other;
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], COUNT;
  bar.sync 0;
  BODY
WAIT:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
  @!%p2 bra WAIT;
  ret;
}
)";

std::string misuse(const std::string &count, const std::string &body) {
  return subst(subst(kMisuse, "COUNT", count), "BODY", body);
}

TEST_F(EmuMbar, FaultDeadlockMissingArrival) {
  ASSERT_TRUE(
      load(misuse("64", "@%p1 mbarrier.arrive.shared::cta.b64 _, [bar];")));
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    emu.setScheduler(seed != 3, seed);
    EXPECT_EQ(launch("misuse", 64, {}), Status::LaunchFailed);
    EXPECT_TRUE(has(msg, "deadlock: mbarrier at shared 0x1000 phase 0 never "
                         "completes (expected 64 arrivals, 1 arrived, 0 tx "
                         "bytes outstanding)"))
        << msg;
    EXPECT_TRUE(has(msg, "kernel 'misuse'")) << msg;
    EXPECT_TRUE(has(msg, "PTX line 18")) << msg;
  }
}

TEST_F(EmuMbar, AllArriveIsClean) {
  ASSERT_TRUE(load(misuse("64", "mbarrier.arrive.shared::cta.b64 _, [bar];")));
  EXPECT_EQ(launch("misuse", 64, {}), Status::Ok) << msg;
}

TEST_F(EmuMbar, FaultTooManyArrivals) {
  ASSERT_TRUE(load(misuse("4", "mbarrier.arrive.shared::cta.b64 _, [bar], "
                               "%r1;\n  add.u32 %r1, %r1, 1;")));
  // tid 0 arrives with count 0.
  EXPECT_EQ(launch("misuse", 2, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "mbarrier.arrive count 0 is not in 1..2^20-1")) << msg;
  ASSERT_TRUE(load(misuse("4", "@%p1 mbarrier.arrive.shared::cta.b64 _, "
                               "[bar], 5;")));
  EXPECT_EQ(launch("misuse", 2, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "which has only 4 of its 4 arrivals pending")) << msg;
}

TEST_F(EmuMbar, FaultUninitializedAndBadInit) {
  ASSERT_TRUE(load(misuse("1", "mbarrier.arrive.shared::cta.b64 _, [other];")));
  EXPECT_EQ(launch("misuse", 1, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "no mbarrier object at shared address 0x1008")) << msg;
  ASSERT_TRUE(load(misuse("0", "")));
  EXPECT_EQ(launch("misuse", 1, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "mbarrier.init count 0 is not in 1..2^20-1")) << msg;
  ASSERT_TRUE(load(misuse("1", "mbarrier.inval.shared::cta.b64 [bar];\n"
                               "  mbarrier.arrive.shared::cta.b64 _, [bar];")));
  EXPECT_EQ(launch("misuse", 1, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "no mbarrier object")) << msg;
}

TEST_F(EmuMbar, FaultForeignState) {
  ASSERT_TRUE(load(misuse("1", "mov.u64 %rd1, 5;\n"
                               "  mbarrier.test_wait.shared::cta.b64 %p3, "
                               "[bar], %rd1;")));
  EXPECT_EQ(launch("misuse", 1, {}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "was not returned by an mbarrier.arrive")) << msg;
}

//===----------------------------------------------------------------------===//
// A bulk copy feeding wgmma: the host lays A (64 x 32 s8) and B (16 x 32 s8)
// out in the ISA's no-swizzle K-major layout (8-row x 16-byte core
// matrices, LBO = 128 between them along K, SBO = 256 along M/N), one
// cp.async.bulk brings the 2560 bytes into shared memory, and wgmma reads
// them with no fence.proxy.async (the copy writes through the async proxy).
//===----------------------------------------------------------------------===//

const char *kWgBulk = R"(
.visible .entry wgbulk(.param .u64 pimg, .param .u64 pto, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<40>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 smem[2560];
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd1, [pimg];
  ld.param.u64 %rd5, [pto];
  ld.param.u64 %rd6, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd7, smem;
  setp.eq.u32 %p3, %r1, 0;
  @%p3 mbarrier.init.shared::cta.b64 [bar], 1;
  bar.sync 0;
  @%p3 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], 2560;
  @%p3 cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [smem], [%rd1], 2560, [bar];
  WAIT
  and.b64 %rd13, %rd7, 262143;
  shr.u64 %rd13, %rd13, 4;
  or.b64 %rd14, %rd13, DESC;
  add.s64 %rd15, %rd7, 2048;
  and.b64 %rd15, %rd15, 262143;
  shr.u64 %rd15, %rd15, 4;
  or.b64 %rd16, %rd15, DESC;
  mov.b32 %r10, 0;
  mov.b32 %r11, 0;
  mov.b32 %r12, 0;
  mov.b32 %r13, 0;
  mov.b32 %r14, 0;
  mov.b32 %r15, 0;
  mov.b32 %r16, 0;
  mov.b32 %r17, 0;
  setp.ne.b32 %p1, 1, 0;
  wgmma.fence.sync.aligned;
  wgmma.mma_async.sync.aligned.m64n16k32.s32.s8.s8 {%r10, %r11, %r12, %r13, %r14, %r15, %r16, %r17}, %rd14, %rd16, %p1;
  wgmma.commit_group.sync.aligned;
  wgmma.wait_group.sync.aligned 0;
  mul.wide.u32 %rd17, %r1, 32;
  add.s64 %rd18, %rd5, %rd17;
  STORE_D
  ret;
}
)";

class EmuWgBulk : public EmuMbar {
public:
  static constexpr int M = 64, N = 16, K = 32;
  std::vector<int8_t> a, b;
  std::vector<int32_t> out;

  /// No-swizzle K-major: byte k of row r at (r / 8) SBO + (k / 16) LBO +
  /// (r % 8) 16 + k % 16.
  static uint32_t core(int r, int k) {
    return (r / 8) * 256 + (k / 16) * 128 + (r % 8) * 16 + k % 16;
  }

  Status run(const std::string &wait) {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> d(-128, 127);
    a.resize(M * K);
    b.resize(N * K);
    for (auto &x : a)
      x = static_cast<int8_t>(d(rng));
    for (auto &x : b)
      x = static_cast<int8_t>(d(rng));
    std::vector<int8_t> img(2560, 0);
    for (int r = 0; r < M; ++r)
      for (int k = 0; k < K; ++k)
        img[core(r, k)] = a[r * K + k];
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k)
        img[2048 + core(n, k)] = b[n * K + k];
    // D fragment (m64nNk32, s32): thread t = 32 w + l holds d[i] at row
    // 16 w + l / 4 + 8 ((i % 4) / 2), column 8 (i / 4) + 2 (l % 4) + i % 2.
    std::vector<uint32_t> to(128 * 8);
    for (int t = 0; t < 128; ++t)
      for (int i = 0; i < 8; ++i) {
        int w = t / 32, l = t % 32;
        int row = 16 * w + l / 4 + 8 * ((i % 4) / 2);
        int col = 8 * (i / 4) + 2 * (l % 4) + i % 2;
        to[t * 8 + i] = static_cast<uint32_t>(row * N + col);
      }
    std::string storeD;
    for (int i = 0; i < 8; ++i)
      storeD += "ld.global.u32 %r21, [%rd18+" + std::to_string(4 * i) +
                "];\n  mul.wide.u32 %rd19, %r21, 4;\n  add.s64 %rd20, %rd6, "
                "%rd19;\n  st.global.u32 [%rd20], %r" +
                std::to_string(10 + i) + ";\n  ";
    // Descriptor: LBO >> 4 in bits 16-29, SBO >> 4 in 32-45, no swizzle.
    uint64_t desc = (uint64_t(128 >> 4) << 16) | (uint64_t(256 >> 4) << 32);
    std::string s = subst(kWgBulk, "WAIT\n", wait + "\n");
    s = subst(s, "DESC", std::to_string(desc));
    s = subst(s, "STORE_D", storeD);
    if (!load(s))
      return Status::InvalidValue;
    uint64_t pimg = upload(img), pto = upload(to),
             pout = upload(std::vector<int32_t>(M * N, -1));
    Status st = launch("wgbulk", 128, {pimg, pto, pout});
    out = download<int32_t>(pout, M * N);
    return st;
  }
};

TEST_F(EmuWgBulk, WgmmaReadsBulkCopyWithoutProxyFence) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    emu.setScheduler(seed != 4, seed);
    ASSERT_EQ(run("WAIT0:\n  mbarrier.try_wait.parity.shared::cta.b64 %p2, "
                  "[bar], 0;\n  @!%p2 bra WAIT0;"),
              Status::Ok)
        << msg;
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        int32_t ref = 0;
        for (int k = 0; k < K; ++k)
          ref += int32_t(a[m * K + k]) * int32_t(b[n * K + k]);
        ASSERT_EQ(out[m * N + n], ref) << "D[" << m << "][" << n << "]";
      }
  }
}

// A generic write after the copy still needs its fence.proxy.async.
TEST_F(EmuWgBulk, FaultGenericWriteAfterCopyWithoutProxyFence) {
  EXPECT_EQ(run("WAIT0:\n  mbarrier.try_wait.parity.shared::cta.b64 %p2, "
                "[bar], 0;\n  @!%p2 bra WAIT0;\n  @%p3 st.shared.u8 "
                "[smem+5], %r1;"),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "no fence.proxy.async")) << msg;
  EXPECT_TRUE(has(msg, "st.shared.u8")) << msg;
}

TEST_F(EmuWgBulk, FaultWgmmaBeforeWait) {
  EXPECT_EQ(run(""), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "before this thread waited on its mbarrier")) << msg;
  EXPECT_TRUE(has(msg, "wgmma.mma_async")) << msg;
}

//===----------------------------------------------------------------------===//
// elect.sync and setmaxnreg.
//===----------------------------------------------------------------------===//

TEST_F(EmuMbar, ElectSyncLowestLaneLeads) {
  ASSERT_TRUE(load(R"(
.visible .entry el(.param .u64 pout)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  .reg .pred %p<4>;
  ld.param.u64 %rd1, [pout];
  mov.u32 %r1, %tid.x;
  elect.sync %r2|%p1, 0xffffffff;
  elect.sync _|%p2, 0xffffffff;
  selp.u32 %r3, 1, 0, %p1;
  selp.u32 %r4, 1, 0, %p2;
  add.u32 %r3, %r3, %r4;
  mul.lo.u32 %r3, %r3, 100;
  add.u32 %r3, %r3, %r2;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r3;
  ret;
}
)"));
  uint64_t po = emu.alloc(64 * 4);
  ASSERT_EQ(launch("el", 64, {po}), Status::Ok) << msg;
  std::vector<uint32_t> out = download<uint32_t>(po, 64);
  for (uint32_t t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], t % 32 == 0 ? 200u : 0u) << "thread " << t;
}

TEST(EmuMbarParse, SetmaxnregRange) {
  auto parse = [](const std::string &insn, std::string &err) {
    Module m;
    return parsePtx(std::string(kHeader) + ".visible .entry k()\n{\n  " + insn +
                        "\n  ret;\n}\n",
                    m, err);
  };
  std::string err;
  EXPECT_TRUE(parse("setmaxnreg.inc.sync.aligned.u32 240;", err)) << err;
  EXPECT_TRUE(parse("setmaxnreg.dec.sync.aligned.u32 24;", err)) << err;
  EXPECT_TRUE(parse("setmaxnreg.dec.sync.aligned.u32 256;", err)) << err;
  for (const char *bad : {"setmaxnreg.inc.sync.aligned.u32 16;",
                          "setmaxnreg.inc.sync.aligned.u32 250;",
                          "setmaxnreg.dec.sync.aligned.u32 264;"}) {
    EXPECT_FALSE(parse(bad, err)) << bad;
    EXPECT_TRUE(has(err, "is not in 24..256 and a multiple of 8")) << err;
  }
  EXPECT_FALSE(parse("setmaxnreg.inc.u32 240;", err));
  EXPECT_TRUE(has(err, "setmaxnreg.{inc,dec}.sync.aligned.u32")) << err;
}

} // namespace

namespace {

// LLVM keeps a device function it also inlined: the parser skips .func
// bodies, and a call still fails to load.
TEST(EmuMbarParse, FuncDefinitionsAreSkipped) {
  const std::string func = ".visible .func (.param .b64 r) f(\n"
                           "  .param .b64 a\n)\n{\n  .reg .b64 %rd<4>;\n"
                           "  ld.param.b64 %rd1, [a];\n"
                           "  { st.param.b64 [r], %rd1; }\n  ret;\n}\n";
  Module m;
  std::string err;
  EXPECT_TRUE(parsePtx(std::string(kHeader) + func +
                           ".visible .entry k()\n{\n  ret;\n}\n",
                       m, err))
      << err;
  EXPECT_NE(m.find("k"), nullptr);
  EXPECT_FALSE(parsePtx(std::string(kHeader) + func +
                            ".visible .entry k()\n{\n  call f;\n  ret;\n}\n",
                        m, err));
  EXPECT_TRUE(has(err, "unknown instruction 'call'")) << err;
}

} // namespace
