//===- EmuWgmmaTest.cpp - the emulator's wgmma against the PTX ISA --------===//
//
// A hand-written sm_90a kernel, independent of vggq's lowering: 128 threads
// (one warpgroup) place A (64 x 32 s8) and B (16 x 32 s8) in shared memory
// in the ISA's no-swizzle K-major layout (8-row x 16-byte core matrices,
// LBO between core matrices along K, SBO along M/N), run one
// wgmma.mma_async m64n16k32.s32.s8.s8 and store the D fragment. The shared
// offsets and the fragment positions are computed on the host from the ISA
// text ("Matrix Descriptor Format", "Register Fragments" of wgmma), and the
// result is checked against a host GEMM. Variants of the same kernel break
// one rule each, and the emulator must refuse them as the ISA says:
// no fence.proxy.async between the generic-proxy writes and wgmma's
// async-proxy reads, accumulators read before wgmma.wait_group, no
// wgmma.fence, and an accumulator written between wgmma.fence and the wgmma.
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

constexpr int kM = 64, kN = 16, kK = 32;
constexpr uint32_t kLbo = 128, kSbo = 256, kBOffset = 2048;

/// The kernel with its rule-bearing lines as placeholders.
const char *kKernel = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry wg(.param .u64 pga, .param .u64 pgb, .param .u64 pta,
                   .param .u64 ptb, .param .u64 pto, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<40>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 smem[2560];
  ld.param.u64 %rd1, [pga];
  ld.param.u64 %rd2, [pgb];
  ld.param.u64 %rd3, [pta];
  ld.param.u64 %rd4, [ptb];
  ld.param.u64 %rd5, [pto];
  ld.param.u64 %rd6, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd7, smem;
  COPY_A
  mul.wide.u32 %rd8, %r1, 4;
  add.s64 %rd9, %rd2, %rd8;
  ld.global.u32 %r3, [%rd9];
  add.s64 %rd10, %rd4, %rd8;
  ld.global.u32 %r4, [%rd10];
  cvt.u64.u32 %rd11, %r4;
  add.s64 %rd12, %rd7, %rd11;
  st.shared.u32 [%rd12], %r3;
  PROXY_FENCE
  bar.sync 0;
  and.b64 %rd13, %rd7, 262143;
  shr.u64 %rd13, %rd13, 4;
  or.b64 %rd14, %rd13, DESC_BITS;
  add.s64 %rd15, %rd7, B_OFFSET;
  and.b64 %rd15, %rd15, 262143;
  shr.u64 %rd15, %rd15, 4;
  or.b64 %rd16, %rd15, DESC_BITS;
  mov.b32 %r10, 0;
  mov.b32 %r11, 0;
  mov.b32 %r12, 0;
  mov.b32 %r13, 0;
  mov.b32 %r14, 0;
  mov.b32 %r15, 0;
  mov.b32 %r16, 0;
  mov.b32 %r17, 0;
  setp.ne.b32 %p1, 1, 0;
  WG_FENCE
  AFTER_FENCE
  wgmma.mma_async.sync.aligned.m64n16k32.s32.s8.s8 {%r10, %r11, %r12, %r13, %r14, %r15, %r16, %r17}, %rd14, %rd16, %p1;
  wgmma.commit_group.sync.aligned;
  BEFORE_WAIT
  wgmma.wait_group.sync.aligned 0;
  mul.wide.u32 %rd17, %r1, 32;
  add.s64 %rd18, %rd5, %rd17;
  STORE_D
  ret;
}
)";

void replace(std::string &s, const std::string &from, const std::string &to) {
  size_t p = s.find(from);
  ASSERT_NE(p, std::string::npos) << from;
  s.replace(p, from.size(), to);
}

struct Variant {
  std::string proxyFence = "fence.proxy.async.shared::cta;";
  std::string wgFence = "wgmma.fence.sync.aligned;";
  std::string afterFence, beforeWait;
};

std::string kernelText(const Variant &v) {
  std::string s = kKernel;
  std::string copyA;
  for (int i = 0; i < 4; ++i) {
    // Word tid + 128 i of A: its global and shared (table) offsets.
    std::string n = std::to_string(i * 128);
    copyA += "add.u32 %r2, %r1, " + n + ";\n"
             "  mul.wide.u32 %rd8, %r2, 4;\n"
             "  add.s64 %rd9, %rd1, %rd8;\n"
             "  ld.global.u32 %r3, [%rd9];\n"
             "  add.s64 %rd10, %rd3, %rd8;\n"
             "  ld.global.u32 %r4, [%rd10];\n"
             "  cvt.u64.u32 %rd11, %r4;\n"
             "  add.s64 %rd12, %rd7, %rd11;\n"
             "  st.shared.u32 [%rd12], %r3;\n  ";
  }
  std::string storeD;
  for (int i = 0; i < 8; ++i) {
    std::string off = std::to_string(4 * i);
    storeD += "ld.global.u32 %r21, [%rd18+" + off + "];\n"
              "  mul.wide.u32 %rd19, %r21, 4;\n"
              "  add.s64 %rd20, %rd6, %rd19;\n"
              "  st.global.u32 [%rd20], %r" + std::to_string(10 + i) +
              ";\n  ";
  }
  // Descriptor: start address >> 4 in bits 0-13, LBO >> 4 in 16-29, SBO >>
  // 4 in 32-45, no base offset, swizzle mode 0 (none) in bits 62-63.
  uint64_t bits = (uint64_t(kLbo >> 4) << 16) | (uint64_t(kSbo >> 4) << 32);
  replace(s, "COPY_A", copyA);
  replace(s, "STORE_D", storeD);
  replace(s, "PROXY_FENCE", v.proxyFence);
  replace(s, "WG_FENCE", v.wgFence);
  replace(s, "AFTER_FENCE", v.afterFence);
  replace(s, "BEFORE_WAIT", v.beforeWait);
  replace(s, "B_OFFSET", std::to_string(kBOffset));
  replace(s, "DESC_BITS", std::to_string(bits));
  replace(s, "DESC_BITS", std::to_string(bits));
  return s;
}

/// No-swizzle K-major: byte k of row r at (r / 8) SBO + (k / 16) LBO +
/// (r % 8) 16 + k % 16.
uint32_t coreMatrixOffset(int r, int k) {
  return (r / 8) * kSbo + (k / 16) * kLbo + (r % 8) * 16 + k % 16;
}

class EmuWgmma : public EmuFixture {
public:
  std::vector<int8_t> a, b;
  std::vector<int32_t> out;

  void SetUp() override {
    emu.setThreads(1);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> d(-128, 127);
    a.resize(kM * kK);
    b.resize(kN * kK);
    for (auto &x : a)
      x = static_cast<int8_t>(d(rng));
    for (auto &x : b)
      x = static_cast<int8_t>(d(rng));
  }

  Status run(const Variant &v) {
    mod = Module();
    if (!parse(kernelText(v)))
      return Status::InvalidValue;
    // Shared offsets of each 4-byte word (4 consecutive K bytes stay in one
    // 16-byte chunk).
    std::vector<uint32_t> ta(kM * kK / 4), tb(kN * kK / 4);
    for (int w = 0; w < kM * kK / 4; ++w)
      ta[w] = coreMatrixOffset(w * 4 / kK, w * 4 % kK);
    for (int w = 0; w < kN * kK / 4; ++w)
      tb[w] = kBOffset + coreMatrixOffset(w * 4 / kK, w * 4 % kK);
    // D fragment (m64nNk32, s32): thread t = 32 w + l holds d[i] at row
    // 16 w + l / 4 + 8 ((i % 4) / 2), column 8 (i / 4) + 2 (l % 4) + i % 2.
    std::vector<uint32_t> to(128 * 8);
    for (int t = 0; t < 128; ++t)
      for (int i = 0; i < 8; ++i) {
        int w = t / 32, l = t % 32;
        int row = 16 * w + l / 4 + 8 * ((i % 4) / 2);
        int col = 8 * (i / 4) + 2 * (l % 4) + i % 2;
        to[t * 8 + i] = static_cast<uint32_t>(row * kN + col);
      }
    uint64_t pa = upload(a), pb = upload(b), pta = upload(ta),
             ptb = upload(tb), pto = upload(to),
             pout = upload(std::vector<int32_t>(kM * kN, -1));
    LaunchConfig c;
    c.block = {128, 1, 1};
    Status s = launchWith("wg", c, {pa, pb, pta, ptb, pto, pout});
    out = download<int32_t>(pout, kM * kN);
    return s;
  }
};

TEST_F(EmuWgmma, S8MatchesHostGemm) {
  ASSERT_EQ(run(Variant()), Status::Ok) << msg;
  for (int m = 0; m < kM; ++m)
    for (int n = 0; n < kN; ++n) {
      int32_t ref = 0;
      for (int k = 0; k < kK; ++k)
        ref += int32_t(a[m * kK + k]) * int32_t(b[n * kK + k]);
      ASSERT_EQ(out[m * kN + n], ref) << "D[" << m << "][" << n << "]";
    }
}

TEST_F(EmuWgmma, FaultGenericWriteWithoutProxyFence) {
  Variant v;
  v.proxyFence = "";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_NE(msg.find("through the async proxy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no fence.proxy.async"), std::string::npos) << msg;
  EXPECT_NE(msg.find("st.shared.u32"), std::string::npos) << msg;
  EXPECT_NE(msg.find("wgmma.mma_async"), std::string::npos) << msg;
}

TEST_F(EmuWgmma, FaultAccumulatorReadBeforeWait) {
  Variant v;
  v.beforeWait = "add.s32 %r22, %r12, 1;";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_NE(msg.find("has not completed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("add.s32 %r22, %r12, 1"), std::string::npos) << msg;
}

TEST_F(EmuWgmma, FaultNoWgmmaFence) {
  Variant v;
  v.wgFence = "";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_NE(msg.find("no wgmma.fence before it"), std::string::npos) << msg;
}

TEST_F(EmuWgmma, FaultAccumulatorWrittenAfterFence) {
  Variant v;
  v.afterFence = "mov.b32 %r13, 0;";
  EXPECT_EQ(run(v), Status::LaunchFailed);
  EXPECT_NE(msg.find("after the last wgmma.fence"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mov.b32 %r13, 0"), std::string::npos) << msg;
}

// Reading the accumulators after the wait, then another fence before the
// next wgmma, is the ISA's pattern: no fault.
TEST_F(EmuWgmma, AccessAfterWaitAndFenceIsClean) {
  Variant v;
  v.afterFence = "";
  v.beforeWait = "";
  ASSERT_EQ(run(v), Status::Ok) << msg;
}

} // namespace
