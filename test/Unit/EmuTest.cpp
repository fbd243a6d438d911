//===- EmuTest.cpp - the PTX emulator against host models of the PTX ISA --===//
//
// Small hand-written kernels whose expected results come from host models
// written from the PTX ISA text: mma.m16n8k32 fragments (loaded with plain
// ld.global at the spec's addresses), ldmatrix, cp.async groups, FP8
// conversions and accumulation models, the faults the emulator must report,
// and the race checker and adversarial scheduler.
//
//===----------------------------------------------------------------------===//
#include "EmuFixture.h"
#include "Interp.h"
#include "Profile.h"
#include "Ptx.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

using namespace vggq::emu;

namespace {

const char *kHeader = ".version 8.0\n.target sm_90\n.address_size 64\n";

class Emu : public EmuFixture {
public:
  void SetUp() override {
    emu.setThreads(2);
    emu.setFp8Accumulation(0); // the host models sum exactly
  }

  bool load(const std::string &body) { return parse(kHeader + body); }
  Status launch(const char *name, Dim3 grid, Dim3 block,
                std::vector<uint64_t> args, unsigned dyn = 0) {
    LaunchConfig c;
    c.grid = grid;
    c.block = block;
    c.dynamicShared = dyn;
    return launchWith(name, c, std::move(args));
  }
};

// FP8 decoding written from the format definitions, independently of the
// emulator's.
double refE4M3(uint8_t v) {
  int s = v >> 7, e = (v >> 3) & 15, m = v & 7;
  if (e == 15 && m == 7)
    return NAN;
  double r = e == 0 ? m / 8.0 * std::pow(2.0, -6)
                    : (1 + m / 8.0) * std::pow(2.0, e - 7);
  return s ? -r : r;
}
double refE5M2(uint8_t v) {
  int s = v >> 7, e = (v >> 2) & 31, m = v & 3;
  if (e == 31)
    return m ? NAN : (s ? -INFINITY : INFINITY);
  double r = e == 0 ? m / 4.0 * std::pow(2.0, -14)
                    : (1 + m / 4.0) * std::pow(2.0, e - 15);
  return s ? -r : r;
}

/// A kernel that loads the mma fragments of A (16x32 row-major), B (given
/// as B^T, 8x32 row-major, i.e. column-major B) and C (16x8 row-major,
/// 4-byte elements) at the addresses the PTX ISA layout gives, runs one mma
/// and stores D like C.
std::string mmaKernel(const std::string &types,
                      const std::string &shape = "m16n8k32") {
  return R"(
.visible .entry mma_test(.param .u64 pa, .param .u64 pb, .param .u64 pc,
                         .param .u64 pd)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  ld.param.u64 %rd3, [pc];
  ld.param.u64 %rd4, [pd];
  mov.u32 %r1, %tid.x;
  shr.u32 %r2, %r1, 2;        // groupID
  and.b32 %r3, %r1, 3;        // threadID_in_group
  shl.b32 %r4, %r3, 2;        // threadID_in_group * 4
  shl.b32 %r5, %r2, 5;        // groupID * 32
  add.s32 %r6, %r5, %r4;
  cvt.u64.u32 %rd5, %r6;
  add.s64 %rd6, %rd1, %rd5;
  ld.global.b32 %r10, [%rd6];       // a0..a3:   row g,   cols t*4..
  ld.global.b32 %r11, [%rd6+256];   // a4..a7:   row g+8
  ld.global.b32 %r12, [%rd6+16];    // a8..a11:  row g,   cols t*4+16..
  ld.global.b32 %r13, [%rd6+272];   // a12..a15: row g+8, cols t*4+16..
  add.s64 %rd7, %rd2, %rd5;
  ld.global.b32 %r14, [%rd7];       // b0..b3: rows t*4.., col g
  ld.global.b32 %r15, [%rd7+16];    // b4..b7: rows t*4+16.., col g
  shl.b32 %r7, %r2, 3;
  shl.b32 %r8, %r3, 1;
  add.s32 %r9, %r7, %r8;            // g*8 + t*2
  mul.wide.u32 %rd8, %r9, 4;
  add.s64 %rd9, %rd3, %rd8;
  ld.global.b32 %r16, [%rd9];       // c0: row g,   col t*2
  ld.global.b32 %r17, [%rd9+4];     // c1: row g,   col t*2+1
  ld.global.b32 %r18, [%rd9+256];   // c2: row g+8, col t*2
  ld.global.b32 %r19, [%rd9+260];   // c3: row g+8, col t*2+1
  mma.sync.aligned.)" +
         shape + ".row.col" + types + R"(
    {%r20, %r21, %r22, %r23}, {%r10, %r11, %r12, %r13}, {%r14, %r15},
    {%r16, %r17, %r18, %r19};
  add.s64 %rd10, %rd4, %rd8;
  st.global.b32 [%rd10], %r20;
  st.global.b32 [%rd10+4], %r21;
  st.global.b32 [%rd10+256], %r22;
  st.global.b32 [%rd10+260], %r23;
  ret;
}
)";
}

void runIntMma(Emu &t, Emulator &emu, bool satfinite, bool saturating) {
  std::mt19937 rng(satfinite ? 7 : 3);
  std::vector<int8_t> A(16 * 32), Bt(8 * 32);
  std::vector<int32_t> C(16 * 8);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (auto &x : A)
    x = saturating ? 127 : static_cast<int8_t>(byte(rng));
  for (auto &x : Bt)
    x = saturating ? 127 : static_cast<int8_t>(byte(rng));
  std::uniform_int_distribution<int32_t> acc(-100000, 100000);
  for (size_t i = 0; i < C.size(); ++i)
    C[i] = saturating ? (i % 2 ? INT32_MAX - 1000 : INT32_MIN + 5) : acc(rng);
  if (saturating) // negative products for the INT32_MIN side
    for (int k = 0; k < 32; ++k)
      for (int m = 0; m < 16; ++m)
        A[m * 32 + k] = 127;
  (void)emu;
  uint64_t pa = t.upload(A), pb = t.upload(Bt), pc = t.upload(C),
           pd = t.upload(std::vector<int32_t>(16 * 8, 0));
  ASSERT_EQ(t.launch("mma_test", {1, 1, 1}, {32, 1, 1}, {pa, pb, pc, pd}),
            Status::Ok);
  std::vector<int32_t> D = t.download<int32_t>(pd, 16 * 8);
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n) {
      int64_t s = C[m * 8 + n];
      for (int k = 0; k < 32; ++k)
        s += int64_t(A[m * 32 + k]) * Bt[n * 32 + k];
      if (satfinite)
        s = std::min<int64_t>(std::max<int64_t>(s, INT32_MIN), INT32_MAX);
      EXPECT_EQ(D[m * 8 + n], static_cast<int32_t>(s)) << "m=" << m << " n=" << n;
    }
}

} // namespace

TEST_F(Emu, MmaS8MatchesHostGemm) {
  ASSERT_TRUE(load(mmaKernel(".s32.s8.s8.s32")));
  runIntMma(*this, emu, false, false);
}

TEST_F(Emu, MmaS8Satfinite) {
  ASSERT_TRUE(load(mmaKernel(".satfinite.s32.s8.s8.s32")));
  runIntMma(*this, emu, true, false);
  runIntMma(*this, emu, true, true); // sums beyond the int32 range clamp
}

namespace {
void runF8Mma(Emu &t, bool aE4, bool bE4) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> byte(0, 255);
  auto finite = [&](bool e4) {
    for (;;) {
      uint8_t v = static_cast<uint8_t>(byte(rng));
      double d = e4 ? refE4M3(v) : refE5M2(v);
      if (std::isfinite(d) && std::fabs(d) < 1000)
        return v;
    }
  };
  std::vector<uint8_t> A(16 * 32), Bt(8 * 32);
  for (auto &x : A)
    x = finite(aE4);
  for (auto &x : Bt)
    x = finite(bE4);
  std::vector<float> C(16 * 8);
  std::uniform_real_distribution<float> u(-10, 10);
  for (auto &x : C)
    x = u(rng);
  uint64_t pa = t.upload(A), pb = t.upload(Bt), pc = t.upload(C),
           pd = t.upload(std::vector<float>(16 * 8, 0));
  ASSERT_EQ(t.launch("mma_test", {1, 1, 1}, {32, 1, 1}, {pa, pb, pc, pd}),
            Status::Ok);
  std::vector<float> D = t.download<float>(pd, 16 * 8);
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n) {
      double s = 0;
      for (int k = 0; k < 32; ++k)
        s += (aE4 ? refE4M3(A[m * 32 + k]) : refE5M2(A[m * 32 + k])) *
             (bE4 ? refE4M3(Bt[n * 32 + k]) : refE5M2(Bt[n * 32 + k]));
      s += C[m * 8 + n];
      EXPECT_EQ(D[m * 8 + n], static_cast<float>(s)) << "m=" << m << " n=" << n;
    }
}
} // namespace

TEST_F(Emu, MmaE4M3MatchesHostGemm) {
  ASSERT_TRUE(load(mmaKernel(".f32.e4m3.e4m3.f32")));
  runF8Mma(*this, true, true);
}

TEST_F(Emu, MmaE5M2MatchesHostGemm) {
  ASSERT_TRUE(load(mmaKernel(".f32.e5m2.e5m2.f32")));
  runF8Mma(*this, false, false);
}

TEST_F(Emu, MmaMixedFp8) {
  ASSERT_TRUE(load(mmaKernel(".f32.e4m3.e5m2.f32")));
  runF8Mma(*this, true, false);
}

namespace {
/// IEEE half and bfloat codes -> double, from the formats' definitions
/// (written here independently of the emulator and of the compiler).
double refF16(uint16_t c) {
  int e = (c >> 10) & 31, m = c & 1023;
  double v = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
  return (c & 0x8000) ? -v : v; // finite codes only
}
double refBF16(uint16_t c) {
  uint32_t u = uint32_t(c) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// m16n8k16 .f16/.bf16: A is 16 rows of 16 elements (32 bytes, as the
/// kernel's 8-bit A), B^T 8 rows of 16; random finite codes; D must be the
/// exact sum of the products and C, rounded to f32 once.
void runF16Mma(Emu &t, bool bf16) {
  std::mt19937 rng(bf16 ? 21 : 17);
  auto code = [&] {
    // exponent within +-8 of 1.0: products and sums stay normal
    uint32_t r = rng();
    uint32_t sign = (r & 1) << 15;
    if (bf16)
      return uint16_t(sign | ((127 - 8 + (r >> 1) % 16) << 7) |
                      ((r >> 8) & 127));
    return uint16_t(sign | ((15 - 8 + (r >> 1) % 16) << 10) |
                    ((r >> 8) & 1023));
  };
  std::vector<uint16_t> A(16 * 16), Bt(8 * 16);
  for (auto &x : A)
    x = code();
  for (auto &x : Bt)
    x = code();
  std::vector<float> C(16 * 8);
  std::uniform_real_distribution<float> acc(-100.0f, 100.0f);
  for (auto &x : C)
    x = acc(rng);
  uint64_t pa = t.upload(A), pb = t.upload(Bt), pc = t.upload(C),
           pd = t.upload(std::vector<float>(16 * 8, 0.0f));
  ASSERT_EQ(t.launch("mma_test", {1, 1, 1}, {32, 1, 1}, {pa, pb, pc, pd}),
            Status::Ok);
  std::vector<float> D = t.download<float>(pd, 16 * 8);
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 8; ++n) {
      double s = 0;
      for (int k = 0; k < 16; ++k)
        s += (bf16 ? refBF16(A[m * 16 + k]) * refBF16(Bt[n * 16 + k])
                   : refF16(A[m * 16 + k]) * refF16(Bt[n * 16 + k]));
      s += C[m * 8 + n];
      EXPECT_EQ(D[m * 8 + n], static_cast<float>(s)) << "m=" << m << " n=" << n;
    }
}
} // namespace

TEST_F(Emu, MmaF16MatchesHostGemm) {
  ASSERT_TRUE(load(mmaKernel(".f32.f16.f16.f32", "m16n8k16")));
  runF16Mma(*this, false);
}

TEST_F(Emu, MmaBF16MatchesHostGemm) {
  ASSERT_TRUE(load(mmaKernel(".f32.bf16.bf16.f32", "m16n8k16")));
  runF16Mma(*this, true);
}

TEST_F(Emu, MmaShapeAndTypesMustMatch) {
  // m16n8k16 takes 16-bit floats only; 8-bit types need m16n8k32.
  std::string err;
  EXPECT_FALSE(parsePtx(kHeader + mmaKernel(".f32.e4m3.e4m3.f32", "m16n8k16"),
                        mod, err));
  EXPECT_NE(err.find("types .f32.e4m3.e4m3.f32 for m16n8k16"),
            std::string::npos)
      << err;
  err.clear();
  EXPECT_FALSE(parsePtx(kHeader + mmaKernel(".f32.f16.f16.f32"), mod, err));
  EXPECT_NE(err.find("for m16n8k32"), std::string::npos) << err;
}

// cvt.rn[.satfinite][.relu].{f16x2,bf16x2}.f32 d, a, b: a -> upper half, b ->
// lower half; round to nearest even; overflow to infinity unless .satfinite;
// NaN -> 0x7fff.
TEST_F(Emu, CvtF16x2AndBF16x2) {
  ASSERT_TRUE(load(R"(
.visible .entry cvt16(.param .u64 pin, .param .u64 pout, .param .u32 n)
{
  .reg .pred %p<3>;
  .reg .b32 %r<20>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r9, [n];
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p1, %r1, %r9;
  @%p1 bra DONE;
  mul.wide.u32 %rd3, %r1, 8;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  ld.global.f32 %f2, [%rd4+4];
  cvt.rn.f16x2.f32 %r2, %f1, %f2;
  cvt.rn.bf16x2.f32 %r3, %f1, %f2;
  cvt.rn.satfinite.f16x2.f32 %r4, %f1, %f2;
  cvt.rn.relu.bf16x2.f32 %r5, %f1, %f2;
  mul.wide.u32 %rd5, %r1, 16;
  add.s64 %rd6, %rd2, %rd5;
  st.global.b32 [%rd6], %r2;
  st.global.b32 [%rd6+4], %r3;
  st.global.b32 [%rd6+8], %r4;
  st.global.b32 [%rd6+12], %r5;
DONE:
  ret;
}
)")) << msg;
  struct Case {
    float a, b;
    uint32_t f16, bf16, f16sat, bf16relu;
  };
  const float inf = INFINITY, nan = NAN;
  const Case cases[] = {
      {1.0f, 2.0f, 0x3c004000, 0x3f804000, 0x3c004000, 0x3f804000},
      // ties to even: 1 + 2^-11 -> 1.0 (f16); 1 + 3*2^-11 -> 1 + 2^-9;
      // bf16: 1 + 2^-8 -> 1.0, 1 + 3*2^-8 -> 1 + 2^-6
      {1.00048828125f, 1.00146484375f, 0x3c003c02, 0x3f803f80, 0x3c003c02,
       0x3f803f80},
      {1.00390625f, 1.01171875f, 0x3c043c0c, 0x3f803f82, 0x3c043c0c,
       0x3f803f82},
      // f16 overflow: 65520 ties up to infinity, satfinite gives 65504;
      // bf16 holds both; relu zeroes the negative one
      {65520.0f, -70000.0f, 0x7c00fc00, 0x4780c789, 0x7bfffbff, 0x47800000},
      {inf, -inf, 0x7c00fc00, 0x7f80ff80, 0x7bfffbff, 0x7f800000},
      // NaN -> canonical 0x7fff; f16 subnormal 2^-24, half of it ties to 0
      {nan, 5.9604644775390625e-08f, 0x7fff0001, 0x7fff3380, 0x7fff0001,
       0x7fff3380},
      // (-0 is not below 0: .relu keeps it)
      {2.98023223876953125e-08f, -0.0f, 0x00008000, 0x33008000, 0x00008000,
       0x33008000},
  };
  size_t n = sizeof(cases) / sizeof(cases[0]);
  std::vector<float> in;
  for (const Case &c : cases) {
    in.push_back(c.a);
    in.push_back(c.b);
  }
  uint64_t pi = upload(in), po = upload(std::vector<uint32_t>(4 * n, 0));
  ASSERT_EQ(launch("cvt16", {1, 1, 1}, {32, 1, 1}, {pi, po, n}), Status::Ok)
      << msg;
  std::vector<uint32_t> out = download<uint32_t>(po, 4 * n);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(out[4 * i], cases[i].f16) << std::hex << "f16x2 case " << i;
    EXPECT_EQ(out[4 * i + 1], cases[i].bf16) << std::hex << "bf16x2 case " << i;
    EXPECT_EQ(out[4 * i + 2], cases[i].f16sat)
        << std::hex << "satfinite case " << i;
    EXPECT_EQ(out[4 * i + 3], cases[i].bf16relu)
        << std::hex << "relu case " << i;
  }
}

namespace {
/// Copies 512 bytes (4 matrices of 8 rows of 16 bytes, in a permuted row
/// order) to shared memory, then every lane gives the address of row
/// rowIdx[lane] and the warp runs one ldmatrix.
std::string ldmatrixKernel(int num, bool trans) {
  std::string x = ".x" + std::to_string(num);
  std::string regs = "{%r20";
  for (int i = 1; i < num; ++i)
    regs += ", %r" + std::to_string(20 + i);
  regs += "}";
  std::string stores;
  for (int i = 0; i < num; ++i)
    stores += "  st.global.b32 [%rd9+" + std::to_string(4 * i) + "], %r" +
              std::to_string(20 + i) + ";\n";
  return R"(
.visible .entry ldm(.param .u64 pin, .param .u64 pidx, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  .shared .align 16 .b8 smem[512];
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pidx];
  ld.param.u64 %rd3, [pout];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd4, %r1, 16;
  add.s64 %rd5, %rd1, %rd4;
  ld.global.v4.b32 {%r2, %r3, %r4, %r5}, [%rd5];
  mov.u64 %rd6, smem;
  add.s64 %rd7, %rd6, %rd4;
  st.shared.v4.b32 [%rd7], {%r2, %r3, %r4, %r5};
  bar.sync 0;
  mul.wide.u32 %rd8, %r1, 4;
  add.s64 %rd10, %rd2, %rd8;
  ld.global.u32 %r6, [%rd10];
  mul.wide.u32 %rd11, %r6, 16;
  add.s64 %rd12, %rd6, %rd11;
  ldmatrix.sync.aligned.m8n8)" +
         x + (trans ? ".trans" : "") + ".shared.b16 " + regs + R"(, [%rd12];
  mul.wide.u32 %rd13, %r1, 16;
  add.s64 %rd9, %rd3, %rd13;
)" + stores +
         "  ret;\n}\n";
}

void runLdmatrix(Emu &t, int num, bool trans) {
  std::vector<uint16_t> mem(256); // 32 rows of 8 b16
  for (int i = 0; i < 256; ++i)
    mem[i] = static_cast<uint16_t>(0x1000 + i * 7);
  std::vector<uint32_t> idx(32);
  for (int l = 0; l < 32; ++l)
    idx[l] = (l * 13 + 5) % 32; // a permutation of the 32 rows
  uint64_t pin = t.upload(mem), pidx = t.upload(idx),
           pout = t.upload(std::vector<uint32_t>(32 * 4, 0));
  ASSERT_EQ(t.launch("ldm", {1, 1, 1}, {32, 1, 1}, {pin, pidx, pout}),
            Status::Ok)
      << t.msg;
  std::vector<uint32_t> out = t.download<uint32_t>(pout, 32 * 4);
  // Host model of the PTX ISA text: matrix i's row r comes from the
  // address of lane 8i+r; lane l gets (row l/4, elements 2(l%4), 2(l%4)+1),
  // or with .trans (rows 2(l%4) and 2(l%4)+1, element l/4).
  auto elem = [&](int i, int r, int c) { return mem[idx[8 * i + r] * 8 + c]; };
  for (int l = 0; l < 32; ++l)
    for (int i = 0; i < num; ++i) {
      uint32_t lo, hi;
      if (!trans) {
        lo = elem(i, l / 4, 2 * (l % 4));
        hi = elem(i, l / 4, 2 * (l % 4) + 1);
      } else {
        lo = elem(i, 2 * (l % 4), l / 4);
        hi = elem(i, 2 * (l % 4) + 1, l / 4);
      }
      EXPECT_EQ(out[l * 4 + i], lo | (hi << 16))
          << "lane " << l << " matrix " << i << (trans ? " trans" : "");
    }
}
} // namespace

TEST_F(Emu, LdmatrixX1) {
  ASSERT_TRUE(load(ldmatrixKernel(1, false)));
  runLdmatrix(*this, 1, false);
}
TEST_F(Emu, LdmatrixX2) {
  ASSERT_TRUE(load(ldmatrixKernel(2, false)));
  runLdmatrix(*this, 2, false);
}
TEST_F(Emu, LdmatrixX4) {
  ASSERT_TRUE(load(ldmatrixKernel(4, false)));
  runLdmatrix(*this, 4, false);
}
TEST_F(Emu, LdmatrixX4Trans) {
  ASSERT_TRUE(load(ldmatrixKernel(4, true)));
  runLdmatrix(*this, 4, true);
}
TEST_F(Emu, LdmatrixX1Trans) {
  ASSERT_TRUE(load(ldmatrixKernel(1, true)));
  runLdmatrix(*this, 1, true);
}

// cp.async: src-size < cp-size zero-fills; a read before the wait sees the
// shared memory as it was (poison: shared memory is not zeroed); wait_group
// N leaves the N most recent groups pending.
TEST_F(Emu, CpAsyncGroupsAndZeroFill) {
  emu.setScheduler(false); // copies land exactly at their wait
  emu.setRaceCheck(false);  // which would report the read before the wait
  ASSERT_TRUE(load(R"(
.visible .entry cpa(.param .u64 psrc, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  .shared .align 16 .b8 bufA[512];
  .shared .align 16 .b8 bufB[512];
  ld.param.u64 %rd1, [psrc];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 16;
  add.s64 %rd4, %rd1, %rd3;
  mov.u64 %rd5, bufA;
  add.s64 %rd6, %rd5, %rd3;
  mov.u64 %rd7, bufB;
  add.s64 %rd8, %rd7, %rd3;
  rem.u32 %r2, %r1, 17;          // src-size 0..16
  cp.async.ca.shared.global [%rd6], [%rd4], 16, %r2;
  cp.async.commit_group;
  cp.async.cg.shared.global [%rd8], [%rd4], 16;
  cp.async.commit_group;
  mul.wide.u32 %rd9, %r1, 64;
  add.s64 %rd10, %rd2, %rd9;
  ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd6];   // before any wait
  st.global.v4.b32 [%rd10], {%r4, %r5, %r6, %r7};
  cp.async.wait_group 1;                             // group A done, B not
  ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd6];
  st.global.v4.b32 [%rd10+16], {%r4, %r5, %r6, %r7};
  ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd8];
  st.global.v4.b32 [%rd10+32], {%r4, %r5, %r6, %r7};
  cp.async.wait_all;
  ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd8];
  st.global.v4.b32 [%rd10+48], {%r4, %r5, %r6, %r7};
  ret;
}
)"));
  std::vector<uint8_t> src(32 * 16);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<uint8_t>(i * 3 + 1);
  uint64_t ps = upload(src), po = upload(std::vector<uint8_t>(32 * 64, 0));
  ASSERT_EQ(launch("cpa", {1, 1, 1}, {32, 1, 1}, {ps, po}), Status::Ok) << msg;
  std::vector<uint8_t> out = download<uint8_t>(po, 32 * 64);
  for (int t = 0; t < 32; ++t) {
    int srcSize = t % 17;
    for (int b = 0; b < 16; ++b) {
      EXPECT_EQ(out[t * 64 + b], kPoison) << "read before wait, thread " << t;
      EXPECT_EQ(out[t * 64 + 16 + b], b < srcSize ? src[t * 16 + b] : 0)
          << "zero fill, thread " << t << " byte " << b;
      EXPECT_EQ(out[t * 64 + 32 + b], kPoison)
          << "the most recent group is still pending after wait_group 1";
      EXPECT_EQ(out[t * 64 + 48 + b], src[t * 16 + b]) << "after wait_all";
    }
  }
}

// cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32 d, a, b: a -> upper byte, b -> lower
// byte; round to nearest even; finite saturation; NaN -> 0x7F. Also the
// saturating float -> int conversions.
TEST_F(Emu, CvtFp8x2AndFloatToInt) {
  ASSERT_TRUE(load(R"(
.visible .entry cvt8(.param .u64 pin, .param .u64 pout, .param .u32 n)
{
  .reg .pred %p<3>;
  .reg .b16 %rs<4>;
  .reg .b32 %r<20>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<20>;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r9, [n];
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p1, %r1, %r9;
  @%p1 bra DONE;
  mul.wide.u32 %rd3, %r1, 8;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  ld.global.f32 %f2, [%rd4+4];
  cvt.rn.satfinite.e4m3x2.f32 %rs1, %f1, %f2;
  cvt.rn.satfinite.e5m2x2.f32 %rs2, %f1, %f2;
  cvt.rni.s32.f32 %r2, %f1;
  cvt.rzi.s32.f32 %r3, %f1;
  mul.wide.u32 %rd5, %r1, 16;
  add.s64 %rd6, %rd2, %rd5;
  st.global.b16 [%rd6], %rs1;
  st.global.b16 [%rd6+2], %rs2;
  st.global.b32 [%rd6+4], %r2;
  st.global.b32 [%rd6+8], %r3;
DONE:
  ret;
}
)"));
  struct Case {
    float a, b;
    uint16_t e4, e5;
    int32_t rni, rzi;
  };
  const float inf = INFINITY, nan = NAN;
  const Case cases[] = {
      // a upper, b lower
      {1.0f, 2.0f, 0x3840, 0x3c40, 1, 1},
      // ties to even: e4m3 1.0625 between 1.0 (0x38) and 1.125 (0x39) -> 0x38;
      // 1.1875 between 0x39 and 1.25 (0x3a) -> 0x3a. e5m2 1.125 -> 1.0
      // (0x3c), 1.375 -> 1.5 (0x3e)
      {1.0625f, 1.1875f, 0x383a, 0x3c3d, 1, 1},
      {1.125f, 1.375f, 0x393b, 0x3c3e, 1, 1},
      // saturation to +-448 / +-57344; inf saturates too
      {1000.0f, -1000.0f, 0x7efe, 0x64e4, 1000, 1000},
      {1e6f, -inf, 0x7efe, 0x7bfb, 1000000, 1000000},
      {464.0f, 470.0f, 0x7e7e, 0x5f5f, 464, 464}, // 464 ties down to 448
      // NaN -> 0x7F
      {nan, 0.0f, 0x7f00, 0x7f00, 0, 0},
      // subnormals: 2^-9 is e4m3's smallest; 2^-10 ties to 0; 3*2^-10 -> 2
      {0.001953125f, 0.0009765625f, 0x0100, 0x1814, 0, 0},
      {0.0029296875f, -0.0f, 0x0280, 0x1a80, 0, 0},
      // float -> int: round half even, saturate
      {2.5f, 0.0f, 0x4200, 0x4100, 2, 2},
      {-2.5f, 0.0f, 0xc200, 0xc100, -2, -2},
      {3e9f, 0.0f, 0x7e00, 0x7b00, INT32_MAX, INT32_MAX},
      {-3e9f, 0.0f, 0xfe00, 0xfb00, INT32_MIN, INT32_MIN},
  };
  size_t n = sizeof(cases) / sizeof(cases[0]);
  std::vector<float> in;
  for (const Case &c : cases) {
    in.push_back(c.a);
    in.push_back(c.b);
  }
  uint64_t pi = upload(in), po = upload(std::vector<uint8_t>(16 * n, 0));
  ASSERT_EQ(launch("cvt8", {1, 1, 1}, {32, 1, 1}, {pi, po, n}), Status::Ok)
      << msg;
  std::vector<uint8_t> out = download<uint8_t>(po, 16 * n);
  for (size_t i = 0; i < n; ++i) {
    uint16_t e4, e5;
    int32_t rni, rzi;
    std::memcpy(&e4, &out[16 * i], 2);
    std::memcpy(&e5, &out[16 * i + 2], 2);
    std::memcpy(&rni, &out[16 * i + 4], 4);
    std::memcpy(&rzi, &out[16 * i + 8], 4);
    EXPECT_EQ(e4, cases[i].e4) << "e4m3x2 case " << i << " a=" << cases[i].a;
    EXPECT_EQ(e5, cases[i].e5) << "e5m2x2 case " << i << " a=" << cases[i].a;
    EXPECT_EQ(rni, cases[i].rni) << "cvt.rni case " << i;
    EXPECT_EQ(rzi, cases[i].rzi) << "cvt.rzi case " << i;
  }
  // Every finite E4M3/E5M2 value converts back to itself.
  for (int v = 0; v < 256; ++v) {
    double d4 = refE4M3(static_cast<uint8_t>(v));
    if (std::isfinite(d4)) {
      EXPECT_EQ(encodeE4M3Satfinite(static_cast<float>(d4)), v == 0x80 ? 0x80 : v);
    }
    double d5 = refE5M2(static_cast<uint8_t>(v));
    if (std::isfinite(d5)) {
      EXPECT_EQ(encodeE5M2Satfinite(static_cast<float>(d5)), v);
    }
    if (!std::isnan(d4)) {
      EXPECT_EQ(decodeE4M3(static_cast<uint8_t>(v)), static_cast<float>(d4));
    }
  }
}

//===----------------------------------------------------------------------===//
// Faults
//===----------------------------------------------------------------------===//

namespace {
const char *kFaults = R"(
.visible .entry oob(.param .u64 p)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [p];
  ld.global.b32 %r1, [%rd1+4096];
  st.global.b32 [%rd1], %r1;
  ret;
}
.visible .entry misaligned(.param .u64 p)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [p];
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1+4];
  ret;
}
.visible .entry shared_oob(.param .u64 p)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  .shared .align 4 .b8 sm[256];
  mov.u64 %rd1, sm;
  ld.shared.b32 %r1, [%rd1+256];
  ret;
}
.visible .entry divergent(.param .u64 p)
{
  .reg .pred %p<2>;
  .reg .b32 %r<20>;
  mov.u32 %r1, %tid.x;
  mov.b32 %r2, 0;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 bra SKIP;
  mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
    {%r10, %r11, %r12, %r13}, {%r2, %r2, %r2, %r2}, {%r2, %r2},
    {%r2, %r2, %r2, %r2};
SKIP:
  ret;
}
.visible .entry deadlock(.param .u64 p)
{
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  mov.u32 %r1, %tid.x;
  setp.lt.u32 %p1, %r1, 32;
  @%p1 bra OTHER;
  bar.sync 0;
  ret;
OTHER:
  bar.sync 1;
  ret;
}
.visible .entry small(.param .u64 p)
.maxntid 64, 1, 1
{
  ret;
}
)";
} // namespace

TEST_F(Emu, FaultOutOfBoundsGlobal) {
  ASSERT_TRUE(load(kFaults));
  uint64_t p = emu.alloc(256);
  EXPECT_EQ(launch("oob", {1, 1, 1}, {32, 1, 1}, {p}), Status::IllegalAddress);
  EXPECT_NE(msg.find("kernel 'oob'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("PTX line 10"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ld.global.b32"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nearest allocation"), std::string::npos) << msg;
}

TEST_F(Emu, FaultMisalignedVector) {
  ASSERT_TRUE(load(kFaults));
  uint64_t p = emu.alloc(256);
  EXPECT_EQ(launch("misaligned", {1, 1, 1}, {32, 1, 1}, {p}),
            Status::MisalignedAddress);
  EXPECT_NE(msg.find("aligned to 16"), std::string::npos) << msg;
}

TEST_F(Emu, FaultSharedOutOfBounds) {
  ASSERT_TRUE(load(kFaults));
  EXPECT_EQ(launch("shared_oob", {1, 1, 1}, {32, 1, 1}, {0}),
            Status::IllegalAddress);
  EXPECT_NE(msg.find("shared window"), std::string::npos) << msg;
}

TEST_F(Emu, FaultDivergentMma) {
  ASSERT_TRUE(load(kFaults));
  EXPECT_EQ(launch("divergent", {1, 1, 1}, {32, 1, 1}, {0}),
            Status::LaunchFailed);
  EXPECT_NE(msg.find("divergent warp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mma.sync"), std::string::npos) << msg;
}

// Warp 0 waits at barrier 1, warp 1 at barrier 0: neither can release.
TEST_F(Emu, FaultDeadlockBarrier) {
  ASSERT_TRUE(load(kFaults));
  EXPECT_EQ(launch("deadlock", {1, 1, 1}, {64, 1, 1}, {0}),
            Status::LaunchFailed);
  EXPECT_NE(msg.find("deadlock"), std::string::npos) << msg;
}

TEST_F(Emu, FaultBlockLargerThanMaxntid) {
  ASSERT_TRUE(load(kFaults));
  EXPECT_EQ(launch("small", {1, 1, 1}, {64, 1, 1}, {0}), Status::Ok);
  EXPECT_EQ(launch("small", {1, 1, 1}, {128, 1, 1}, {0}), Status::InvalidValue);
  EXPECT_NE(msg.find(".maxntid"), std::string::npos) << msg;
}

TEST_F(Emu, SharedLimitNeedsTheAttribute) {
  ASSERT_TRUE(load(kFaults));
  const Kernel *k = mod.find("small");
  LaunchConfig c;
  c.block = {32, 1, 1};
  c.dynamicShared = 64 * 1024;
  std::string m;
  EXPECT_EQ(emu.validate(*k, c, m), Status::InvalidValue);
  c.maxDynamicShared = 100 * 1024;
  EXPECT_EQ(emu.validate(*k, c, m), Status::Ok) << m;
}

// Dynamic shared memory: `.extern .shared` names the window after the
// static arrays, at the extern's alignment (100 static bytes -> offset 512),
// by symbol address (mov) and in an address operand ([dyn+4]); the window's
// end is the launch's dynamic size.
const char *kDynamicShared = R"(
.version 8.0
.target sm_90
.address_size 64
.shared .align 4 .b8 fixed[100];
.extern .shared .align 512 .b8 dyn[];
.visible .entry dyn_window(.param .u64 out)
{
  .reg .pred %p<2>;
  .reg .b32 %r<9>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, dyn;
  mov.u32 %r8, 7;
  setp.ne.u32 %p1, %r1, 0;
  shl.b32 %r3, %r1, 2;
  add.u32 %r4, %r2, %r3;
  mul.lo.u32 %r5, %r1, 3;
  st.shared.u32 [%r4], %r5;
  @!%p1 st.shared.u32 [fixed], %r8;
  bar.sync 0;
  ld.shared.u32 %r6, [dyn+4];
  ld.shared.u32 %r7, [fixed];
  add.u32 %r6, %r6, %r7;
  mul.wide.u32 %rd2, %r1, 4;
  add.u64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r6;
  @%p1 bra done;
  st.global.u32 [%rd1+128], %r2;
done:
  ret;
}
)";

TEST_F(Emu, ExternSharedIsTheDynamicWindow) {
  ASSERT_TRUE(parse(kDynamicShared));
  std::vector<uint32_t> out(33, 0);
  uint64_t d = upload(out);
  ASSERT_EQ(launch("dyn_window", {1, 1, 1}, {32, 1, 1}, {d}, 128), Status::Ok)
      << msg;
  out = download<uint32_t>(d, 33);
  EXPECT_EQ(out[32], kSharedBase + 512); // after `fixed`, 512-byte aligned
  for (int i = 0; i < 32; ++i)
    EXPECT_EQ(out[i], 3u + 7u) << i; // dyn[1] = 1 * 3, fixed = 7
  // 64 dynamic bytes: threads 16..31 store past the window's end.
  EXPECT_EQ(launch("dyn_window", {1, 1, 1}, {32, 1, 1}, {d}, 64),
            Status::IllegalAddress);
  EXPECT_NE(msg.find("shared window"), std::string::npos) << msg;
}

TEST(EmuParse, UnknownOpcodeNamesTheLine) {
  Module m;
  std::string err;
  EXPECT_FALSE(parsePtx(std::string(kHeader) +
                            ".visible .entry k()\n{\n  frobnicate.b32 %r1;\n}\n",
                        m, err));
  EXPECT_NE(err.find("line 6"), std::string::npos) << err;
  Module m2;
  EXPECT_FALSE(parsePtx(std::string(kHeader) +
                            ".visible .entry k()\n{\n  .reg .b32 %r<2>;\n"
                            "  add.cc.u32 %r1, %r1, %r1;\n}\n",
                        m2, err));
  EXPECT_NE(err.find("line 7"), std::string::npos) << err;
  EXPECT_NE(err.find(".cc"), std::string::npos) << err;
}

// The runtime's toy model (nvcc output, other instruction forms than
// vggq's) parses. vggq's own VGG16 PTX is parsed and run by the lit tests
// (test/Runtime/emu-*.test), which compile it first.
TEST(EmuParse, ToyModelParses) {
  std::ifstream toy(std::string(VGGQ_SOURCE_DIR) +
                    "/test/Runtime/Inputs/toy.ptx");
  ASSERT_TRUE(toy) << "test/Runtime/Inputs/toy.ptx is missing";
  std::stringstream ss;
  ss << toy.rdbuf();
  Module m;
  std::string err;
  EXPECT_TRUE(parsePtx(ss.str(), m, err)) << err;
  EXPECT_EQ(m.kernels.size(), 2u);
}

//===----------------------------------------------------------------------===//
// Performance counters (Profile.h): exact counts for known access patterns.
//===----------------------------------------------------------------------===//

namespace {

/// One shared or global access per thread at base + tid * stride
/// (+ (tid & 7) * swz for the swizzle); `access` uses %rd3 as the address.
std::string profKernel(const std::string &name, const std::string &access,
                       bool shared) {
  return ".visible .entry " + name +
         R"((.param .u64 p, .param .u32 stride, .param .u32 swz,
              .param .u32 nact)
{
  .reg .pred %p<2>;
  .reg .b32 %r<16>;
  .reg .b64 %rd<8>;
  .shared .align 128 .b8 sbuf[4096];
  ld.param.u32 %r1, [stride];
  ld.param.u32 %r8, [swz];
  ld.param.u32 %r9, [nact];
  mov.u32 %r2, %tid.x;
  setp.lt.u32 %p1, %r2, %r9;
  and.b32 %r10, %r2, 7;
  mul.lo.u32 %r11, %r10, %r8;
  mad.lo.u32 %r3, %r2, %r1, %r11;
  cvt.u64.u32 %rd1, %r3;
  )" + (shared ? "mov.u64 %rd2, sbuf;" : "ld.param.u64 %rd2, [p];") + R"(
  add.s64 %rd3, %rd2, %rd1;
  )" + access + R"(
  ret;
}
)";
}

class EmuProfile : public Emu {
public:
  void SetUp() override {
    Emu::SetUp();
    emu.setProfiling(true);
  }
  /// Runs `name` in one block with profiling on and returns its counters.
  KernelProfile run(const char *name, uint64_t stride, uint64_t swz = 0,
                    unsigned threads = 32, unsigned nact = 32) {
    emu.clearProfile();
    uint64_t p = emu.alloc(64 * 1024);
    EXPECT_EQ(launch(name, {1, 1, 1}, {threads, 1, 1}, {p, stride, swz, nact}),
              Status::Ok)
        << msg;
    emu.free(p);
    std::vector<KernelProfile> ks = emu.profile();
    EXPECT_EQ(ks.size(), 1u);
    return ks.empty() ? KernelProfile() : ks[0];
  }
};

void expectCounts(const AccessCounters &c, uint64_t requests, uint64_t cost,
                  uint64_t ideal, const char *what) {
  EXPECT_EQ(c.requests, requests) << what;
  EXPECT_EQ(c.cost, cost) << what;
  EXPECT_EQ(c.ideal, ideal) << what;
}

} // namespace

// ld.shared.b32 at lane*4 (one wavefront), lane*8 (2-way: 16 banks hold 2
// words each), lane*128 (32-way: all in bank 0), and one word for all lanes
// (a broadcast).
TEST_F(EmuProfile, SharedB32Strides) {
  ASSERT_TRUE(load(profKernel("sh32", "ld.shared.b32 %r4, [%rd3];", true)));
  KernelProfile k = run("sh32", 4);
  expectCounts(k.access[AkLdShared], 1, 1, 1, "lane*4");
  k = run("sh32", 8);
  expectCounts(k.access[AkLdShared], 1, 2, 1, "lane*8");
  k = run("sh32", 128);
  expectCounts(k.access[AkLdShared], 1, 32, 1, "lane*128");
  k = run("sh32", 0);
  expectCounts(k.access[AkLdShared], 1, 1, 1, "broadcast");
  // Two warps: one request each, never zipped across warps.
  k = run("sh32", 4, 0, 64);
  expectCounts(k.access[AkLdShared], 2, 2, 2, "two warps");
  ASSERT_EQ(k.sites.size(), 1u);
  EXPECT_EQ(k.sites.begin()->second.kind, AkLdShared);
  EXPECT_NE(k.sites.begin()->second.text.find("ld.shared.b32"),
            std::string::npos);
  // Instruction mix: 13 instructions per warp, whatever the lanes.
  EXPECT_EQ(k.launches, 1u);
  EXPECT_EQ(k.blocks, 1u);
  EXPECT_EQ(k.threads, 64u);
  EXPECT_EQ(k.warpInstructions, 2u * 13);
  EXPECT_EQ(k.threadInstructions, 64u * 13);
  EXPECT_EQ(k.warpByClass[IcOther], 2u * 3);   // ld.param
  EXPECT_EQ(k.warpByClass[IcLdShared], 2u * 1);
  EXPECT_EQ(k.warpByClass[IcCvt], 2u * 1);
  EXPECT_EQ(k.warpByClass[IcControl], 2u * 1); // ret
  EXPECT_EQ(k.warpByClass[IcInt], 2u * 7);
  EXPECT_DOUBLE_EQ(k.perMma(), 0.0);
}

// v2 (8 bytes: 2 phases of 16 lanes) and v4 (16 bytes: 4 phases of 8 lanes)
// over contiguous memory: one wavefront per phase. A 16-byte stride for
// 8-byte accesses: each half-warp phase spans 256 bytes, 2-way.
TEST_F(EmuProfile, SharedVectorPhases) {
  ASSERT_TRUE(load(
      profKernel("sh64", "ld.shared.v2.b32 {%r4, %r5}, [%rd3];", true) +
      profKernel("sh128",
                 "@%p1 ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd3];", true) +
      profKernel("st128", "st.shared.v4.b32 [%rd3], {%r1, %r1, %r1, %r1};",
                 true)));
  expectCounts(run("sh64", 8).access[AkLdShared], 1, 2, 2, "v2 contiguous");
  expectCounts(run("sh64", 16).access[AkLdShared], 1, 4, 2, "v2 stride 16");
  expectCounts(run("sh128", 16).access[AkLdShared], 1, 4, 4, "v4 contiguous");
  expectCounts(run("st128", 16).access[AkStShared], 1, 4, 4, "st.v4");
  // 8 lanes x 16 bytes 128 bytes apart: the 8 lanes of a phase all use
  // banks 0-3: 8-way in each of the 4 phases.
  expectCounts(run("sh128", 128).access[AkLdShared], 1, 32, 4, "v4 stride 128");
  // Only lanes 0-7 active: one phase.
  expectCounts(run("sh128", 16, 0, 32, 8).access[AkLdShared], 1, 1, 1,
               "v4, 8 lanes");
}

// ldmatrix .x4: one phase per matrix (its 8 row addresses, 16 bytes each).
// Rows 16 bytes apart fill the 32 banks once; rows 128 bytes apart all hit
// banks 0-3 (8-way); the XOR-style swizzle (row r at r*128 + (r%8)*16)
// spreads them again.
TEST_F(EmuProfile, LdmatrixBankGroups) {
  ASSERT_TRUE(load(profKernel(
      "ldm4",
      "ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%r4, %r5, %r6, %r7}, [%rd3];",
      true)));
  KernelProfile k = run("ldm4", 16);
  expectCounts(k.access[AkLdmatrix], 1, 4, 4, "contiguous rows");
  EXPECT_EQ(k.warpByClass[IcLdmatrix], 1u);
  expectCounts(run("ldm4", 128).access[AkLdmatrix], 1, 32, 4,
               "rows in one bank group");
  expectCounts(run("ldm4", 128, 16).access[AkLdmatrix], 1, 4, 4,
               "swizzled rows");
}

// ld.global.b32: contiguous (128 bytes: 4 sectors), a 32-byte stride (32
// sectors for 128 bytes: 12.5%), half the warp predicated off (2 sectors).
TEST_F(EmuProfile, GlobalCoalescing) {
  ASSERT_TRUE(load(profKernel("g32", "@%p1 ld.global.b32 %r4, [%rd3];",
                              false)));
  KernelProfile k = run("g32", 4);
  expectCounts(k.access[AkLdGlobal], 1, 4, 4, "contiguous");
  EXPECT_EQ(k.access[AkLdGlobal].bytes, 128u);
  k = run("g32", 32);
  expectCounts(k.access[AkLdGlobal], 1, 32, 4, "stride 32");
  EXPECT_EQ(k.access[AkLdGlobal].bytes, 128u);
  k = run("g32", 4, 0, 32, 16);
  expectCounts(k.access[AkLdGlobal], 1, 2, 2, "half warp predicated off");
  EXPECT_EQ(k.access[AkLdGlobal].bytes, 64u);
  // The predicated-off instruction is still issued.
  EXPECT_EQ(k.warpByClass[IcLdGlobal], 1u);
  k = run("g32", 4, 0, 32, 0);
  expectCounts(k.access[AkLdGlobal], 0, 0, 0, "all lanes off");
}

// cp.async 16 bytes per lane: the shared side is 16-byte stores (4 phases);
// the global side 512 contiguous bytes (16 sectors).
TEST_F(EmuProfile, CpAsyncBothSides) {
  ASSERT_TRUE(load(R"(
.visible .entry cpa(.param .u64 p, .param .u32 stride, .param .u32 swz,
                    .param .u32 nact)
{
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  .shared .align 16 .b8 sbuf[4096];
  ld.param.u64 %rd1, [p];
  ld.param.u32 %r1, [stride];
  mov.u32 %r2, %tid.x;
  mul.wide.u32 %rd2, %r2, %r1;
  add.s64 %rd3, %rd1, %rd2;
  mov.u64 %rd4, sbuf;
  add.s64 %rd5, %rd4, %rd2;
  and.b32 %r3, %r2, 1;
  shl.b32 %r4, %r3, 4;          // src-size 0 for even lanes, 16 for odd
  cp.async.cg.shared.global [%rd5], [%rd3], 16;
  cp.async.cg.shared.global [%rd5], [%rd3], 16, %r4;
  cp.async.wait_all;
  ret;
}
)"));
  KernelProfile k = run("cpa", 16);
  expectCounts(k.access[AkCpAsyncDst], 2, 8, 8, "dst");
  // Full: 16 sectors. Zero-filled lanes read nothing: 16 odd lanes, 256
  // bytes over all 16 sectors.
  expectCounts(k.access[AkCpAsyncSrc], 2, 32, 16 + 8, "src");
  EXPECT_EQ(k.access[AkCpAsyncSrc].bytes, 512u + 256u);
  EXPECT_EQ(k.sites.size(), 4u); // 2 lines x (dst, src)
  EXPECT_EQ(k.warpByClass[IcCpAsync], 3u);
}

// Lanes loop different numbers of times: the warp issues the body as often
// as its busiest lane, and the n-th execution of a load by each lane forms
// the n-th request. Launches add up.
TEST_F(EmuProfile, DivergentLoopAndLaunches) {
  ASSERT_TRUE(load(R"(
.visible .entry gloop(.param .u64 p, .param .u32 stride, .param .u32 swz,
                      .param .u32 nact)
{
  .reg .pred %p<2>;
  .reg .b32 %r<8>;
  .reg .b64 %rd<8>;
  ld.param.u64 %rd1, [p];
  mov.u32 %r1, %tid.x;
  and.b32 %r2, %r1, 1;          // odd lanes loop twice
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  mov.u32 %r3, 0;
LOOP:
  ld.global.b32 %r4, [%rd3];
  add.s64 %rd3, %rd3, 128;
  add.s32 %r3, %r3, 1;
  setp.le.u32 %p1, %r3, %r2;
  @%p1 bra LOOP;
  bar.sync 0;
  ld.global.b32 %r4, [%rd1];
  ret;
}
)"));
  KernelProfile k = run("gloop", 0);
  // 6 + 5 x 2 + bar + ld + ret.
  EXPECT_EQ(k.warpInstructions, 19u);
  EXPECT_EQ(k.threadInstructions, 32u * 14 + 16u * 5);
  EXPECT_EQ(k.warpByClass[IcBarrier], 1u);
  EXPECT_EQ(k.warpByClass[IcControl], 3u); // bra x 2, ret
  // First pass: 32 lanes, 128 bytes. Second: the 16 odd lanes, 64 bytes
  // spread over the same 4 sectors. After the barrier: one broadcast word.
  expectCounts(k.access[AkLdGlobal], 3, 4 + 4 + 1, 4 + 2 + 1, "loop");
  ASSERT_EQ(k.sites.size(), 2u);
  expectCounts(k.sites.begin()->second.c, 2, 8, 6, "the loop's load");
  // Two launches in one profile.
  uint64_t p = emu.alloc(1024);
  ASSERT_EQ(launch("gloop", {2, 1, 1}, {32, 1, 1}, {p, 0, 0, 0}), Status::Ok);
  k = emu.profile()[0];
  EXPECT_EQ(k.launches, 2u);
  EXPECT_EQ(k.blocks, 3u);
  EXPECT_EQ(k.warpInstructions, 3u * 19);
  EXPECT_EQ(k.access[AkLdGlobal].requests, 3u * 3);
}

// The report writers produce one table and one JSON line per kernel.
TEST_F(EmuProfile, Reports) {
  ASSERT_TRUE(load(profKernel("sh32", "ld.shared.b32 %r4, [%rd3];", true)));
  std::vector<KernelProfile> ks = {run("sh32", 128)};
  char *buf = nullptr;
  size_t size = 0;
  std::FILE *f = open_memstream(&buf, &size);
  writeProfileTable(f, ks);
  std::fclose(f);
  std::string table(buf, size);
  std::free(buf);
  EXPECT_NE(table.find("sh32"), std::string::npos) << table;
  EXPECT_NE(table.find("x32.00"), std::string::npos) << table;
  EXPECT_NE(table.find("ld.shared.b32 %r4, [%rd3];"), std::string::npos)
      << table;
  f = open_memstream(&buf, &size);
  writeProfileJson(f, ks);
  std::fclose(f);
  std::string json(buf, size);
  std::free(buf);
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 1);
  EXPECT_NE(json.find("\"kernel\":\"sh32\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"ld.shared\":{\"requests\":1,\"wavefronts\":32,"
                      "\"ideal\":1,\"conflict_factor\":32.0000}"),
            std::string::npos)
      << json;
}

//===----------------------------------------------------------------------===//
// The race checker and the adversarial scheduler. The kernels are written
// from the PTX ISA's memory consistency model: two accesses of different
// threads to one byte conflict unless a barrier (bar.sync) orders them;
// cp.async's write is performed at some time before the wait that completes
// it; nothing orders two CTAs of one grid.
//===----------------------------------------------------------------------===//

namespace {

/// The 1-based line of the first line of `text` (with the header) that
/// contains `needle`.
int lineOf(const std::string &body, const std::string &needle) {
  std::string text = kHeader + body;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos)
      return n;
  ADD_FAILURE() << "no line with " << needle;
  return -1;
}

bool has(const std::string &msg, const std::string &what) {
  return msg.find(what) != std::string::npos;
}

std::string hex64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

/// Thread `writer` stores 42 to buf[8..12); thread `reader` loads it; then
/// every thread stores what it loaded (or 0) to out[tid]. BAR is replaced by
/// a bar.sync or nothing; STORE2 by a second store (WAW) or nothing.
const char *kPair = R"(
.visible .entry pair(.param .u64 pout, .param .u32 pwriter, .param .u32 preader)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<4>;
  .shared .align 16 .b8 buf[256];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r8, [pwriter];
  ld.param.u32 %r9, [preader];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, buf;
  mov.u32 %r3, 0;
  setp.ne.u32 %p1, %r1, %r8;
  @%p1 bra NOWRITE;
  mov.u32 %r2, 42;
  st.shared.u32 [%rd1+8], %r2;      // the write
NOWRITE:
  BAR
  setp.ne.u32 %p2, %r1, %r9;
  @%p2 bra NOREAD;
  ld.shared.u32 %r3, [%rd1+8];      // the read
  STORE2
NOREAD:
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r3;
  ret;
}
)";

std::string pairKernel(const std::string &bar, const std::string &store2) {
  std::string s = kPair;
  s.replace(s.find("BAR"), 3, bar);
  s.replace(s.find("STORE2"), 6, store2);
  return s;
}

} // namespace

// Thread 0 writes, thread 1 reads, no barrier: read after write. The
// sequential order runs thread 0 first, so the read comes second.
TEST_F(Emu, RaceSharedReadAfterWrite) {
  emu.setScheduler(false);
  std::string body = pairKernel("", "");
  ASSERT_TRUE(load(body));
  uint64_t po = emu.alloc(64 * 4);
  EXPECT_EQ(launch("pair", {1, 1, 1}, {64, 1, 1}, {po, 0, 1}),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "shared-memory race (read after write)")) << msg;
  EXPECT_TRUE(has(msg, "kernel 'pair', block (0,0,0), thread (1,0,0), PTX line " +
                           std::to_string(lineOf(body, "// the read"))))
      << msg;
  EXPECT_TRUE(has(msg, "thread (0,0,0) wrote it at PTX line " +
                           std::to_string(lineOf(body, "// the write"))))
      << msg;
  EXPECT_TRUE(has(msg, "st.shared.u32 [%rd1+8], %r2;")) << msg;
  EXPECT_TRUE(has(msg, "shared address 0x1008")) << msg; // buf + 8
}

// Thread 1 reads first (the sequential order), then thread 32 (another
// warp) writes: write after read.
TEST_F(Emu, RaceSharedWriteAfterRead) {
  emu.setScheduler(false);
  std::string body = pairKernel("", "");
  ASSERT_TRUE(load(body));
  uint64_t po = emu.alloc(64 * 4);
  EXPECT_EQ(launch("pair", {1, 1, 1}, {64, 1, 1}, {po, 32, 1}),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "shared-memory race (write after read)")) << msg;
  EXPECT_TRUE(has(msg, "thread (32,0,0), PTX line " +
                           std::to_string(lineOf(body, "// the write"))))
      << msg;
  EXPECT_TRUE(has(msg, "thread (1,0,0) read it at PTX line " +
                           std::to_string(lineOf(body, "// the read"))))
      << msg;
  EXPECT_TRUE(has(msg, "0x1008")) << msg;
}

// Two threads store to the same bytes in one epoch: write after write.
TEST_F(Emu, RaceSharedWriteAfterWrite) {
  emu.setScheduler(false);
  std::string body = pairKernel("", "st.shared.u8 [%rd1+9], %r3; // second");
  ASSERT_TRUE(load(body));
  uint64_t po = emu.alloc(64 * 4);
  // Thread 0 writes, reads and writes again: its own accesses never race.
  EXPECT_EQ(launch("pair", {1, 1, 1}, {64, 1, 1}, {po, 0, 0}), Status::Ok)
      << msg;
  // Threads 0 and 1 store to the same two bytes.
  std::string waw = R"(
.visible .entry waw(.param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<4>;
  .shared .align 16 .b8 buf[64];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, buf;
  setp.gt.u32 %p1, %r1, 1;
  @%p1 bra DONE;
  st.shared.u16 [%rd1+6], %r1;      // both write
DONE:
  ret;
}
)";
  Module m2;
  std::string err;
  ASSERT_TRUE(parsePtx(kHeader + waw, m2, err)) << err;
  LaunchConfig c;
  c.block = {64, 1, 1};
  void *ps[] = {&po};
  msg.clear();
  EXPECT_EQ(emu.launch(*m2.find("waw"), c, ps, msg), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "shared-memory race (write after write)")) << msg;
  int line = lineOf(waw, "// both write");
  EXPECT_TRUE(has(msg, "thread (1,0,0), PTX line " + std::to_string(line)))
      << msg;
  EXPECT_TRUE(has(msg, "thread (0,0,0) wrote it at PTX line " +
                           std::to_string(line)))
      << msg;
  EXPECT_TRUE(has(msg, "0x1006")) << msg;
}

// With the bar.sync, every order is correct and nothing is reported; many
// threads reading one byte is fine. Under the scheduler too, for seeds 1-20.
TEST_F(Emu, RaceNoFalsePositiveWithBarrier) {
  ASSERT_TRUE(load(pairKernel("bar.sync 0;", "")));
  uint64_t po = emu.alloc(64 * 4);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    emu.setScheduler(seed != 20, seed);
    ASSERT_EQ(launch("pair", {1, 1, 1}, {64, 1, 1}, {po, 3, 40}), Status::Ok)
        << msg;
    std::vector<uint32_t> out = download<uint32_t>(po, 64);
    for (int t = 0; t < 64; ++t)
      EXPECT_EQ(out[t], t == 40 ? 42u : 0u) << "seed " << seed;
  }
}

// Each thread writes and reads its own byte (neighbours share 4-byte words)
// many times without a barrier; then, after one, all read every byte.
TEST_F(Emu, RaceNoFalsePositiveOwnBytes) {
  ASSERT_TRUE(load(R"(
.visible .entry own(.param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<4>;
  .shared .align 16 .b8 buf[64];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, buf;
  cvt.u64.u32 %rd3, %r1;
  add.s64 %rd4, %rd1, %rd3;
  mov.u32 %r2, 0;
LOOP:
  st.shared.u8 [%rd4], %r2;
  ld.shared.u8 %r3, [%rd4];
  add.u32 %r2, %r3, 1;
  setp.lt.u32 %p1, %r2, 5;
  @%p1 bra LOOP;
  add.u32 %r5, %r1, %r2;
  st.shared.u8 [%rd4], %r5;
  bar.sync 0;
  ld.shared.u32 %r6, [%rd1+12];     // everyone reads bytes 12..15
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.u32 [%rd6], %r6;
  ret;
}
)"));
  uint64_t po = emu.alloc(64 * 4);
  ASSERT_EQ(launch("own", {1, 1, 1}, {64, 1, 1}, {po}), Status::Ok) << msg;
  std::vector<uint32_t> out = download<uint32_t>(po, 64);
  for (int t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], 0x14131211u) << t; // bytes 12..15 = 5 + 12 .. 5 + 15
}

namespace {
/// Each thread copies 16 bytes to buf[16 * tid] with cp.async, then reads
/// its neighbour's 16 bytes (tid ^ 1) after SYNC and stores them.
const char *kCpNeighbour = R"(
.visible .entry cpn(.param .u64 psrc, .param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<20>;
  .shared .align 16 .b8 buf[1024];
  ld.param.u64 %rd1, [psrc];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd3, %r1, 16;
  add.s64 %rd4, %rd1, %rd3;
  mov.u64 %rd5, buf;
  add.s64 %rd6, %rd5, %rd3;
  cp.async.cg.shared.global [%rd6], [%rd4], 16;   // the copy
  cp.async.commit_group;
  SYNC
  xor.b32 %r2, %r1, 1;
  mul.wide.u32 %rd7, %r2, 16;
  add.s64 %rd8, %rd5, %rd7;
  ld.shared.v4.b32 {%r4, %r5, %r6, %r7}, [%rd8];  // the neighbour's bytes
  add.s64 %rd9, %rd2, %rd3;
  st.global.v4.b32 [%rd9], {%r4, %r5, %r6, %r7};
  ret;
}
)";
std::string cpKernel(const std::string &sync) {
  std::string s = kCpNeighbour;
  s.replace(s.find("SYNC"), 4, sync);
  return s;
}
} // namespace

// A barrier without the wait_group before it: the copies may land after
// it. The race checker reports the copy against the neighbour's read
// (both orders), with the scheduler or without it.
TEST_F(Emu, RaceCpAsyncWithoutWait) {
  std::string body = cpKernel("bar.sync 0;");
  ASSERT_TRUE(load(body));
  std::vector<uint8_t> src(64 * 16);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<uint8_t>(i * 7 + 3);
  uint64_t ps = upload(src), po = emu.alloc(64 * 16);
  for (int sched = 0; sched < 2; ++sched) {
    emu.setScheduler(sched, 5);
    EXPECT_EQ(launch("cpn", {1, 1, 1}, {64, 1, 1}, {ps, po}),
              Status::LaunchFailed);
    EXPECT_TRUE(has(msg, "shared-memory race")) << msg;
    EXPECT_TRUE(has(msg, "PTX line " + std::to_string(lineOf(body, "// the copy"))))
        << msg;
    EXPECT_TRUE(has(msg, "PTX line " +
                             std::to_string(lineOf(body, "// the neighbour"))))
        << msg;
    if (sched) {
      EXPECT_TRUE(has(msg, "scheduler seed 5")) << msg;
    }
  }
  // Without the checker, the adversarial schedule shows it as wrong data
  // for some seed (a copy that has not landed leaves the poison).
  emu.setRaceCheck(false);
  bool wrong = false;
  for (uint64_t seed = 1; seed <= 16 && !wrong; ++seed) {
    emu.setScheduler(true, seed);
    ASSERT_EQ(launch("cpn", {1, 1, 1}, {64, 1, 1}, {ps, po}), Status::Ok);
    std::vector<uint8_t> out = download<uint8_t>(po, 64 * 16);
    for (int t = 0; t < 64; ++t)
      for (int b = 0; b < 16; ++b)
        wrong |= out[t * 16 + b] != src[(t ^ 1) * 16 + b];
  }
  EXPECT_TRUE(wrong);
}

// A thread reading its own copy's destination before the wait: the copy
// may land before or after the read.
TEST_F(Emu, RaceCpAsyncOwnDestinationBeforeWait) {
  std::string body = cpKernel("");
  body.replace(body.find("xor.b32 %r2, %r1, 1;"), 20, "mov.u32 %r2, %r1;");
  ASSERT_TRUE(load(body));
  uint64_t ps = upload(std::vector<uint8_t>(64 * 16, 1)),
           po = emu.alloc(64 * 16);
  EXPECT_EQ(launch("cpn", {1, 1, 1}, {64, 1, 1}, {ps, po}),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "shared-memory race (read of a pending cp.async "
                       "destination)"))
      << msg;
  EXPECT_TRUE(has(msg, "this thread's cp.async at PTX line " +
                           std::to_string(lineOf(body, "// the copy"))))
      << msg;
  mod = Module();
  ASSERT_TRUE(load(cpKernel("cp.async.wait_all;").replace(
      cpKernel("cp.async.wait_all;").find("xor.b32 %r2, %r1, 1;"), 20,
      "mov.u32 %r2, %r1;")));
  EXPECT_EQ(launch("cpn", {1, 1, 1}, {64, 1, 1}, {ps, po}), Status::Ok) << msg;
}

// The correct pattern: wait_group 0, then bar.sync. Every seed agrees.
TEST_F(Emu, RaceCpAsyncWaitThenBarrierIsClean) {
  ASSERT_TRUE(load(cpKernel("cp.async.wait_group 0;\n  bar.sync 0;")));
  std::vector<uint8_t> src(64 * 16);
  for (size_t i = 0; i < src.size(); ++i)
    src[i] = static_cast<uint8_t>(i * 7 + 3);
  uint64_t ps = upload(src), po = emu.alloc(64 * 16);
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    emu.setScheduler(true, seed);
    ASSERT_EQ(launch("cpn", {1, 1, 1}, {64, 1, 1}, {ps, po}), Status::Ok)
        << msg;
    std::vector<uint8_t> out = download<uint8_t>(po, 64 * 16);
    for (int t = 0; t < 64; ++t)
      for (int b = 0; b < 16; ++b)
        ASSERT_EQ(out[t * 16 + b], src[(t ^ 1) * 16 + b]) << "seed " << seed;
  }
}

// ldmatrix reads 16 bytes per row-address lane; the rows were written by
// four threads each, with no barrier.
TEST_F(Emu, RaceLdmatrixReadsPerLane) {
  std::string body = R"(
.visible .entry ldm(.param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .shared .align 16 .b8 buf[128];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, buf;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd1, %rd3;
  st.shared.u32 [%rd4], %r1;         // thread t writes bytes 4t..4t+3
  SYNC
  and.b32 %r2, %r1, 7;
  mul.wide.u32 %rd5, %r2, 16;
  add.s64 %rd6, %rd1, %rd5;
  ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r3}, [%rd6];
  add.s64 %rd7, %rd2, %rd3;
  st.global.u32 [%rd7], %r3;
  ret;
}
)";
  std::string bad = body, good = body;
  bad.replace(bad.find("SYNC"), 4, "");
  good.replace(good.find("SYNC"), 4, "bar.sync 0;");
  ASSERT_TRUE(load(good));
  uint64_t po = emu.alloc(32 * 4);
  ASSERT_EQ(launch("ldm", {1, 1, 1}, {32, 1, 1}, {po}), Status::Ok) << msg;
  mod = Module();
  ASSERT_TRUE(load(bad));
  emu.setScheduler(false);
  EXPECT_EQ(launch("ldm", {1, 1, 1}, {32, 1, 1}, {po}), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "read after write")) << msg;
  EXPECT_TRUE(has(msg, "ldmatrix")) << msg;
  // Lane 0 reads row 0 (bytes 0..15): thread 1 wrote bytes 4..7.
  EXPECT_TRUE(has(msg, "thread (0,0,0), PTX line")) << msg;
  EXPECT_TRUE(has(msg, "thread (1,0,0) wrote it")) << msg;
  EXPECT_TRUE(has(msg, "0x1004")) << msg;
}

namespace {
/// Every block writes out[OFFSET + tid] (4-byte elements) and reads in[tid].
const char *kGlobal = R"(
.visible .entry gw(.param .u64 pin, .param .u64 pout, .param .u32 pstride)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  ld.param.u64 %rd1, [pin];
  ld.param.u64 %rd2, [pout];
  ld.param.u32 %r9, [pstride];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mad.lo.u32 %r3, %r2, %r9, %r1;     // ctaid * stride + tid
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.u32 %r4, [%rd4];         // the read
  add.u32 %r5, %r4, %r2;
  mul.wide.u32 %rd5, %r3, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.u32 [%rd6], %r5;         // the write
  ret;
}
)";
} // namespace

// Two blocks write the same bytes (stride 16 < 32 threads).
TEST_F(Emu, RaceGlobalBetweenBlocks) {
  ASSERT_TRUE(load(kGlobal));
  uint64_t pi = upload(std::vector<uint32_t>(32, 1)),
           po = emu.alloc(4 * 32 * 4);
  EXPECT_EQ(launch("gw", {4, 1, 1}, {32, 1, 1}, {pi, po, 16}),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "kernel 'gw': global-memory race between two blocks"))
      << msg;
  EXPECT_TRUE(has(msg, "block (0,0,0)")) << msg;
  EXPECT_TRUE(has(msg, "block (1,0,0)")) << msg;
  std::string wl = std::to_string(lineOf(kGlobal, "// the write"));
  EXPECT_TRUE(has(msg, "at PTX line " + wl + ": `st.global.u32 [%rd6], %r5;`) writes it, and"))
      << msg;
  EXPECT_TRUE(has(msg, "writes it too")) << msg;
  // The first shared byte: block 1's first element, out + 16 * 4.
  EXPECT_TRUE(has(msg, "global address " + hex64(po + 64))) << msg;
  // Every block reads in[tid], the bytes block 1 writes (stride 32).
  EXPECT_EQ(launch("gw", {2, 1, 1}, {32, 1, 1}, {po + 4 * 32, po, 32}),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "reads it")) << msg;
  EXPECT_TRUE(has(msg, "PTX line " + std::to_string(lineOf(kGlobal, "// the read"))))
      << msg;
}

// Disjoint writes (stride 32 = the block) and shared reads: no race.
TEST_F(Emu, RaceGlobalDisjointIsClean) {
  ASSERT_TRUE(load(kGlobal));
  uint64_t pi = upload(std::vector<uint32_t>(32, 1)),
           po = emu.alloc(8 * 32 * 4);
  ASSERT_EQ(launch("gw", {8, 1, 1}, {32, 1, 1}, {pi, po, 32}), Status::Ok)
      << msg;
  std::vector<uint32_t> out = download<uint32_t>(po, 8 * 32);
  for (int b = 0; b < 8; ++b)
    for (int t = 0; t < 32; ++t)
      EXPECT_EQ(out[b * 32 + t], 1u + b);
}

namespace {
/// Warp 0 writes buf[tid] = tid + 1; warp 1 reads buf[tid - 32], with no
/// barrier: the sequential order (warp 0 runs to its exit first) hides it.
const char *kOrder = R"(
.visible .entry order(.param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<4>;
  .shared .align 16 .b8 buf[256];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, buf;
  and.b32 %r2, %r1, 31;
  mul.wide.u32 %rd3, %r2, 4;
  add.s64 %rd4, %rd1, %rd3;
  setp.ge.u32 %p1, %r1, 32;
  @%p1 bra READER;
  add.u32 %r3, %r1, 1;
  st.shared.u32 [%rd4], %r3;
  ret;
READER:
  ld.shared.u32 %r4, [%rd4];
  mul.wide.u32 %rd5, %r2, 4;
  add.s64 %rd6, %rd2, %rd5;
  st.global.u32 [%rd6], %r4;
  ret;
}
)";

/// A shared counter incremented without atomics: each thread stores the
/// value it saw, so the output records the interleaving.
const char *kCounter = R"(
.visible .entry counter(.param .u64 pout)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<4>;
  .shared .align 4 .b32 cnt;
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  mov.u64 %rd1, cnt;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra WAIT;
  mov.u32 %r2, 0;
  st.shared.u32 [%rd1], %r2;
WAIT:
  bar.sync 0;
  ld.shared.u32 %r3, [%rd1];
  add.u32 %r4, %r3, 1;
  st.shared.u32 [%rd1], %r4;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.u32 [%rd4], %r3;
  ret;
}
)";
} // namespace

TEST_F(Emu, SchedulerExposesOrderingBug) {
  ASSERT_TRUE(load(kOrder));
  uint64_t po = emu.alloc(32 * 4);
  auto correct = [&] {
    std::vector<uint32_t> out = download<uint32_t>(po, 32);
    for (uint32_t t = 0; t < 32; ++t)
      if (out[t] != t + 1)
        return false;
    return true;
  };
  emu.setRaceCheck(false);
  emu.setScheduler(false);
  ASSERT_EQ(launch("order", {1, 1, 1}, {64, 1, 1}, {po}), Status::Ok);
  EXPECT_TRUE(correct()) << "the sequential order hides the missing barrier";
  int wrong = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    emu.setScheduler(true, seed);
    ASSERT_EQ(launch("order", {1, 1, 1}, {64, 1, 1}, {po}), Status::Ok);
    wrong += !correct();
  }
  EXPECT_GE(wrong, 5) << "of 10 seeds";
  // The race checker names it whatever the order.
  emu.setRaceCheck(true);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    emu.setScheduler(seed != 4, seed);
    EXPECT_EQ(launch("order", {1, 1, 1}, {64, 1, 1}, {po}),
              Status::LaunchFailed);
    EXPECT_TRUE(has(msg, "shared-memory race")) << msg;
  }
}

TEST_F(Emu, SchedulerSeedReplays) {
  ASSERT_TRUE(load(kCounter));
  emu.setRaceCheck(false);
  uint64_t po = emu.alloc(128 * 4);
  auto runWith = [&](uint64_t seed) {
    Emulator e; // a fresh process: launch numbers start again
    e.setThreads(2);
    e.setRaceCheck(false);
    e.setScheduler(true, seed);
    uint64_t p = e.alloc(128 * 4);
    std::vector<void *> ps{&p};
    LaunchConfig c;
    c.block = {128, 1, 1};
    std::string m;
    EXPECT_EQ(e.launch(*mod.find("counter"), c, ps.data(), m), Status::Ok);
    std::vector<uint32_t> out(128);
    std::memcpy(out.data(), reinterpret_cast<const void *>(p), 128 * 4);
    return out;
  };
  (void)po;
  std::vector<uint32_t> a = runWith(42), b = runWith(42);
  EXPECT_EQ(a, b) << "the same seed, the same schedule";
  int differ = 0;
  for (uint64_t seed = 1; seed <= 6; ++seed)
    differ += runWith(seed) != a;
  EXPECT_GE(differ, 5) << "other seeds, other schedules";
  // A fault message names the seed to replay it.
  Emulator e;
  e.setScheduler(true, 1234);
  uint64_t p = e.alloc(128 * 4);
  std::vector<void *> ps{&p};
  LaunchConfig c;
  c.block = {128, 1, 1};
  std::string m;
  EXPECT_EQ(e.launch(*mod.find("counter"), c, ps.data(), m),
            Status::LaunchFailed);
  EXPECT_TRUE(has(m, "scheduler seed 1234, launch 1; VGGQ_EMU_SEED=1234")) << m;
}

TEST(EmuChecks, EnvironmentSwitches) {
  struct Case {
    const char *check;
    bool race, sched;
  } cases[] = {{nullptr, true, true}, {"none", false, false},
               {"race", true, false}, {"sched", false, true},
               {"race,sched", true, true}};
  for (const Case &c : cases) {
    if (c.check)
      setenv("VGGQ_EMU_CHECK", c.check, 1);
    else
      unsetenv("VGGQ_EMU_CHECK");
    setenv("VGGQ_EMU_SEED", "77", 1);
    Emulator e;
    EXPECT_EQ(e.raceCheck(), c.race) << (c.check ? c.check : "(unset)");
    EXPECT_EQ(e.scheduler(), c.sched) << (c.check ? c.check : "(unset)");
    EXPECT_EQ(e.seed(), 77u);
  }
  unsetenv("VGGQ_EMU_CHECK");
  unsetenv("VGGQ_EMU_SEED");
}

//===----------------------------------------------------------------------===//
// FP8 accumulation models.
//===----------------------------------------------------------------------===//

TEST(EmuFp8Accum, ParseAndTruncate) {
  unsigned bits = 99;
  EXPECT_TRUE(parseFp8Accumulation("exact", bits));
  EXPECT_EQ(bits, 0u);
  EXPECT_TRUE(parseFp8Accumulation("hw13", bits));
  EXPECT_EQ(bits, 13u);
  EXPECT_TRUE(parseFp8Accumulation("hw23", bits));
  EXPECT_EQ(bits, 23u);
  EXPECT_FALSE(parseFp8Accumulation("hw0", bits));
  EXPECT_FALSE(parseFp8Accumulation("hw24", bits));
  EXPECT_FALSE(parseFp8Accumulation("hw", bits));
  EXPECT_FALSE(parseFp8Accumulation("fast", bits));
  // 1 + 3 * 2^-14 keeps 1 + 2^-13 with 13 explicit bits (toward zero).
  EXPECT_EQ(truncateMantissa(1 + 3 * std::ldexp(1.0, -14), 13),
            1 + std::ldexp(1.0, -13));
  EXPECT_EQ(truncateMantissa(-(1 + 3 * std::ldexp(1.0, -14)), 13),
            -(1 + std::ldexp(1.0, -13)));
  // In [2^12, 2^13) the 13-bit quantum is 2^-1: 8191.75 -> 8191.5; in
  // [2^14, 2^15) it is 2: 16385 -> 16384, 16386 stays.
  EXPECT_EQ(truncateMantissa(8191.75, 13), 8191.5);
  EXPECT_EQ(truncateMantissa(16385.0, 13), 16384.0);
  EXPECT_EQ(truncateMantissa(16386.0, 13), 16386.0);
  EXPECT_EQ(truncateMantissa(0.0, 13), 0.0);
  EXPECT_TRUE(std::isinf(truncateMantissa(INFINITY, 13)));
  Emulator e;
  EXPECT_FALSE(e.setFp8Accumulation(24));
  EXPECT_TRUE(e.setFp8Accumulation(13));
  EXPECT_EQ(e.fp8Accumulation(), 13u);
}

// One mma.m16n8k32.e4m3 with hand-picked operands (A 16x32 row-major, B^T
// 8x32, C and D 16x8 f32), exact and with 13 mantissa bits:
//  row 0, col 0: 1*1 + 3 products 2^-7 * 2^-7 = 1 + 3 * 2^-14 (exact in
//                f32) -> 1 + 2^-13 truncated;
//  row 1, col 0: the same, negated (A row 1 = -row 0)   -> -(1 + 2^-13);
//  row 2, col 1: C = 1 + 2^-20, no products             -> 1 (C truncates);
//  row 3, col 2: 448 * 448 + C = 0.5: 200704.5 (exact)  -> 200704 (2^17
//                binade: the 13th bit is 2^4 = 16; 200704 = 12544 * 16);
//  row 4, col 3: 2^-9 * 2^-9 (smallest subnormals) + C = 1: the product is
//                2^-18, below 1's 13-bit quantum -> 1.
TEST_F(Emu, MmaE4M3Accumulation) {
  ASSERT_TRUE(load(mmaKernel(".f32.e4m3.e4m3.f32")));
  const uint8_t one = 0x38, tiny = 0x04, sub = 0x01, big = 0x7e, neg = 0x80;
  ASSERT_EQ(refE4M3(one), 1.0);
  ASSERT_EQ(refE4M3(tiny), std::ldexp(1.0, -7));
  ASSERT_EQ(refE4M3(sub), std::ldexp(1.0, -9));
  ASSERT_EQ(refE4M3(big), 448.0);
  std::vector<uint8_t> A(16 * 32, 0), Bt(8 * 32, 0);
  std::vector<float> C(16 * 8, 0.0f);
  A[0 * 32 + 0] = one;
  for (int k = 1; k <= 3; ++k)
    A[0 * 32 + k] = tiny;
  for (int k = 0; k <= 3; ++k)
    A[1 * 32 + k] = A[0 * 32 + k] | neg;
  Bt[0 * 32 + 0] = one;
  for (int k = 1; k <= 3; ++k)
    Bt[0 * 32 + k] = tiny;
  C[2 * 8 + 1] = 1.0f + std::ldexp(1.0f, -20);
  A[3 * 32 + 5] = big;
  Bt[2 * 32 + 5] = big;
  C[3 * 8 + 2] = 0.5f;
  A[4 * 32 + 7] = sub;
  Bt[3 * 32 + 7] = sub;
  C[4 * 8 + 3] = 1.0f;
  uint64_t pa = upload(A), pb = upload(Bt), pc = upload(C),
           pd = upload(std::vector<float>(16 * 8, 0));
  struct Want {
    int m, n;
    double exact, hw13;
  } want[] = {
      {0, 0, 1 + 3 * std::ldexp(1.0, -14), 1 + std::ldexp(1.0, -13)},
      {1, 0, -(1 + 3 * std::ldexp(1.0, -14)), -(1 + std::ldexp(1.0, -13))},
      {2, 1, 1 + std::ldexp(1.0, -20), 1.0},
      {3, 2, 200704.5, 200704.0},
      {4, 3, 1 + std::ldexp(1.0, -18), 1.0},
      {5, 5, 0.0, 0.0},
  };
  for (unsigned bits : {0u, 13u}) {
    emu.setFp8Accumulation(bits);
    ASSERT_EQ(launch("mma_test", {1, 1, 1}, {32, 1, 1}, {pa, pb, pc, pd}),
              Status::Ok)
        << msg;
    std::vector<float> D = download<float>(pd, 16 * 8);
    for (const Want &w : want)
      EXPECT_EQ(D[w.m * 8 + w.n], static_cast<float>(bits ? w.hw13 : w.exact))
          << "bits " << bits << " m=" << w.m << " n=" << w.n;
  }
}
