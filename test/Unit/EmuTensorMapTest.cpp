//===- EmuTensorMapTest.cpp - cp.async.bulk.tensor.2d and tensor maps -----===//
//
// A hand-written sm_90a kernel loads one box of a 2D u8 tensor through a
// tiled tensor map (encoded as cuTensorMapEncodeTiled does in the emulated
// driver) into shared memory, waits on the mbarrier and copies the box out.
// The expected boxes are computed on the host from cuda.h's description:
// elements outside the tensor are zeros, and with the 128-byte swizzle the
// 16-byte chunk j of box row r lands at chunk j ^ (r % 8) of that row. The
// encoder's argument rules and the faults of a map that does not match the
// instruction or the data are checked by their messages.
//
//===----------------------------------------------------------------------===//
#include "EmuFixture.h"
#include "Interp.h"
#include "Ptx.h"
#include "TensorMap.h"

#include "gtest/gtest.h"

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace vggq::emu;

namespace {

const char *kTile = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry tile(.param .align 64 .b8 tmap[128], .param .s32 pc0,
                     .param .s32 pc1, .param .u64 pout)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 tile[BYTES];
  .shared .align 8 .b64 bar;
  ld.param.u32 %r5, [pc0];
  ld.param.u32 %r6, [pc1];
  ld.param.u64 %rd2, [pout];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], 1;
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], BYTES;
  @%p1 cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [tile], [tmap, {%r5, %r6}], [bar];
WAIT:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
  @!%p2 bra WAIT;
  mov.u64 %rd3, tile;
  mul.wide.u32 %rd4, %r1, 16;
  add.s64 %rd5, %rd3, %rd4;
  ld.shared.v4.u32 {%r10, %r11, %r12, %r13}, [%rd5];
  add.s64 %rd6, %rd2, %rd4;
  st.global.v4.u32 [%rd6], {%r10, %r11, %r12, %r13};
  ret;
}
)";

bool has(const std::string &s, const std::string &sub) {
  return s.find(sub) != std::string::npos;
}

class EmuTma : public EmuFixture {
public:
  // The tensor: W x H u8 elements, rows `pitch` bytes apart.
  uint64_t W = 40, H = 20, pitch = 48;
  std::vector<uint8_t> data;
  uint64_t pdata = 0;

  void SetUp() override { emu.setThreads(1); }

  void makeTensor() {
    data.assign(pitch * H, 0xEE);
    for (uint64_t y = 0; y < H; ++y)
      for (uint64_t x = 0; x < W; ++x)
        data[y * pitch + x] = static_cast<uint8_t>(1 + x + 7 * y);
    pdata = emu.alloc(data.size());
    std::memcpy(reinterpret_cast<void *>(pdata), data.data(), data.size());
  }

  /// A u8 map of the tensor (dims may differ, to mismatch the data).
  bool encode(uint8_t *map, uint32_t boxW, uint32_t boxH, unsigned swizzle,
              std::string &why, uint64_t dimW = 0, uint64_t dimH = 0,
              unsigned rank = 2) {
    uint64_t dims[3] = {dimW ? dimW : W, dimH ? dimH : H, 1};
    uint64_t strides[2] = {pitch, pitch * (dimH ? dimH : H)};
    uint32_t box[3] = {boxW, boxH, 1}, es[3] = {1, 1, 1};
    return encodeTensorMapTiled(map, 0 /*UINT8*/, rank, pdata, dims, strides,
                                box, es, 0, swizzle, 0, 0, why);
  }

  Status run(const uint8_t *map, uint32_t bytes, int32_t c0, int32_t c1,
             std::vector<uint8_t> &out, std::string text = kTile) {
    for (size_t p; (p = text.find("BYTES")) != std::string::npos;)
      text.replace(p, 5, std::to_string(bytes));
    mod = Module();
    parse(text);
    const Kernel *k = mod.find("tile");
    if (!k)
      return Status::InvalidValue;
    uint64_t po = emu.alloc(bytes);
    std::vector<void *> ps = {const_cast<uint8_t *>(map), &c0, &c1, &po};
    LaunchConfig c;
    c.block = {bytes / 16, 1, 1};
    msg.clear();
    Status s = emu.launch(*k, c, ps.data(), msg);
    out.resize(bytes);
    std::memcpy(out.data(), reinterpret_cast<const void *>(po), bytes);
    emu.free(po);
    return s;
  }

  /// Element (x, y) of the box at (c0, c1): the tensor's, or 0 outside it.
  uint8_t expected(int32_t c0, int32_t c1, uint32_t x, uint32_t y) const {
    int64_t gx = int64_t(c0) + x, gy = int64_t(c1) + y;
    if (gx < 0 || gy < 0 || gx >= int64_t(W) || gy >= int64_t(H))
      return 0;
    return data[gy * pitch + gx];
  }
};

TEST_F(EmuTma, TileWithOutOfBoundsZeros) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 16, 8, 0, why)) << why;
  const int32_t coords[][2] = {{0, 0}, {8, 3}, {32, 16}, {-8, -4}, {100, 2}};
  uint64_t seed = 1;
  for (const auto &c : coords) {
    emu.setScheduler(seed != 3, seed);
    ++seed;
    std::vector<uint8_t> out;
    ASSERT_EQ(run(map, 128, c[0], c[1], out), Status::Ok) << msg;
    for (uint32_t y = 0; y < 8; ++y)
      for (uint32_t x = 0; x < 16; ++x)
        ASSERT_EQ(out[y * 16 + x], expected(c[0], c[1], x, y))
            << "box (" << c[0] << "," << c[1] << "), element (" << x << "," << y
            << ")";
  }
}

// LLVM's form for a __grid_constant__ map: the parameter's address
// (`mov.b64 %rd, param`, cvta.param) as the tensor operand; a generic load
// through that address reads the parameter.
TEST_F(EmuTma, GridConstantMapThroughCvtaParam) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 16, 8, 0, why)) << why;
  std::string text = kTile;
  auto put = [&](const std::string &from, const std::string &to) {
    size_t p = text.find(from);
    ASSERT_NE(p, std::string::npos) << from;
    text.replace(p, from.size(), to);
  };
  // The map's first word read through the parameter's address, xor-ed
  // with the magic, is added to every thread's first output word (0 when
  // the load reads the parameter).
  put("  ld.param.u32 %r5, [pc0];",
      "  mov.b64 %rd17, tmap;\n  cvta.param.u64 %rd18, %rd17;\n"
      "  ld.u32 %r14, [%rd18];\n  xor.b32 %r15, %r14, " +
          std::to_string(kTensorMapMagic) + ";\n  ld.param.u32 %r5, [pc0];");
  put("[tmap, {%r5, %r6}]", "[%rd18, {%r5, %r6}]");
  put("  add.s64 %rd6, %rd2, %rd4;",
      "  add.u32 %r10, %r10, %r15;\n  add.s64 %rd6, %rd2, %rd4;");
  std::vector<uint8_t> out;
  ASSERT_EQ(run(map, 128, 8, 3, out, text), Status::Ok) << msg;
  for (uint32_t y = 0; y < 8; ++y)
    for (uint32_t x = 0; x < 16; ++x)
      ASSERT_EQ(out[y * 16 + x], expected(8, 3, x, y)) << x << "," << y;
}

TEST_F(EmuTma, Swizzle128B) {
  W = 200;
  H = 30;
  pitch = 208;
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 128, 8, 3 /*SWIZZLE_128B*/, why)) << why;
  std::vector<uint8_t> out;
  ASSERT_EQ(run(map, 1024, 80, 25, out), Status::Ok) << msg;
  for (uint32_t r = 0; r < 8; ++r)
    for (uint32_t j = 0; j < 8; ++j)
      for (uint32_t b = 0; b < 16; ++b)
        ASSERT_EQ(out[r * 128 + ((j ^ (r % 8)) * 16) + b],
                  expected(80, 25, j * 16 + b, r))
            << "row " << r << ", chunk " << j;
}

// The shape of LLVM 22's PTX for nvvm.cp.async.bulk.tensor and
// nvvm.mbarrier.try_wait.parity: the map behind a global pointer, the
// mbarrier at a 32-bit shared address, the destination through
// cvta.to.shared::cluster, and each wait an inline-asm block that repeats
// the labels LAB_WAIT and DONE (block-scoped: each loop must branch to its
// own). The bar.sync before the second load matters: without it the
// scheduler lets thread 0 complete both phases before a slow thread's
// first parity-0 wait, which then waits on phase 2 and never returns (as
// on hardware).
const char *kLlvmStyle = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry k(.param .u64 .ptr .align 1 k_param_0, .param .u32 k_param_1,
                  .param .u64 .ptr .global .align 1 k_param_2)
{
  .reg .pred %p<3>;
  .reg .b32 %r<20>;
  .reg .b64 %rd<21>;
  .shared .align 1024 .b8 smA[128];
  .shared .align 1024 .b8 smB[128];
  .shared .align 8 .u64 bar;
  ld.param.b64 %rd2, [k_param_0];
  ld.param.b32 %r2, [k_param_1];
  ld.param.b64 %rd10, [k_param_2];
  mov.u32 %r8, %tid.x;
  setp.eq.b32 %p1, %r8, 0;
  mov.b64 %rd9, bar;
  cvt.u32.u64 %r1, %rd9;
  @%p1 mbarrier.init.shared.b64 [%r1], 1;
  fence.mbarrier_init.release.cluster;
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared.b64 _, [%r1], 128;
  mov.b64 %rd11, smA;
  cvta.shared.u64 %rd12, %rd11;
  cvta.to.shared::cluster.u64 %rd1, %rd12;
  @%p1 cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%rd1], [%rd2, {0,%r2} ], [%r1];
  {
  .reg .pred P1;
  LAB_WAIT:
  mbarrier.try_wait.parity.shared.b64 P1, [%r1], 0, 0;
  @P1 bra.uni DONE;
  bra.uni LAB_WAIT;
  DONE:
  }
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared.b64 _, [%r1], 128;
  mov.b64 %rd13, smB;
  add.u32 %r3, %r2, 8;
  @%p1 cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%rd13], [%rd2, {16,%r3} ], [%r1];
  {
  .reg .pred P1;
  LAB_WAIT:
  mbarrier.try_wait.parity.shared.b64 P1, [%r1], 1, 0;
  @P1 bra.uni DONE;
  bra.uni LAB_WAIT;
  DONE:
  }
  setp.ge.u32 %p2, %r8, 8;
  @%p2 bra END;
  mul.wide.u32 %rd14, %r8, 16;
  add.s64 %rd15, %rd11, %rd14;
  ld.shared.v4.u32 {%r10, %r11, %r12, %r13}, [%rd15];
  add.s64 %rd16, %rd10, %rd14;
  st.global.v4.u32 [%rd16], {%r10, %r11, %r12, %r13};
  add.s64 %rd17, %rd13, %rd14;
  ld.shared.v4.u32 {%r10, %r11, %r12, %r13}, [%rd17];
  st.global.v4.u32 [%rd16+128], {%r10, %r11, %r12, %r13};
END:
  ret;
}
)";

TEST_F(EmuTma, LlvmStylePointerMapAndScopedWaitLoops) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 16, 8, 0, why)) << why;
  uint64_t pmap = emu.alloc(128);
  std::memcpy(reinterpret_cast<void *>(pmap), map, 128);
  std::string err;
  ASSERT_TRUE(parsePtx(kLlvmStyle, mod, err)) << err;
  uint64_t po = emu.alloc(256);
  uint32_t row = 8;
  std::vector<void *> ps = {&pmap, &row, &po};
  LaunchConfig c;
  c.block = {32, 1, 1};
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    emu.setScheduler(seed != 4, seed);
    ASSERT_EQ(emu.launch(*mod.find("k"), c, ps.data(), msg), Status::Ok) << msg;
    std::vector<uint8_t> out(256);
    std::memcpy(out.data(), reinterpret_cast<const void *>(po), 256);
    for (uint32_t y = 0; y < 8; ++y)
      for (uint32_t x = 0; x < 16; ++x) {
        ASSERT_EQ(out[y * 16 + x], expected(0, 8, x, y)) << x << "," << y;
        ASSERT_EQ(out[128 + y * 16 + x], expected(16, 16, x, y))
            << x << "," << y;
      }
  }
}

// TMA with the 128-byte swizzle feeding wgmma through 128B-swizzle
// descriptors: A (64 x 128 s8) and B (16 x 128 s8), K-major, one box each
// (8 rows x 128 bytes per swizzle atom, atoms 1024 bytes apart: SBO =
// 1024, LBO unused = 1), four m64n16k32 steps advancing the start address
// by 32 bytes; D against a host GEMM. A swizzle mismatch between the copy
// and the descriptors would scramble the products.
const char *kSwizzledGemm = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry g(.param .align 64 .b8 tmA[128], .param .align 64 .b8 tmB[128],
                  .param .u64 pto, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<40>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 smA[8192];
  .shared .align 1024 .b8 smB[2048];
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd5, [pto];
  ld.param.u64 %rd6, [pout];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p3, %r1, 0;
  @%p3 mbarrier.init.shared::cta.b64 [bar], 1;
  bar.sync 0;
  mov.u32 %r30, 0;
  @%p3 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], 10240;
  @%p3 cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [smA], [tmA, {%r30, %r30}], [bar];
  @%p3 cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [smB], [tmB, {%r30, %r30}], [bar];
WAIT:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
  @!%p2 bra WAIT;
  mov.u64 %rd7, smA;
  mov.u64 %rd8, smB;
  and.b64 %rd13, %rd7, 262143;
  shr.u64 %rd13, %rd13, 4;
  or.b64 %rd14, %rd13, DESC;
  and.b64 %rd15, %rd8, 262143;
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
  KSTEPS
  wgmma.commit_group.sync.aligned;
  wgmma.wait_group.sync.aligned 0;
  mul.wide.u32 %rd17, %r1, 32;
  add.s64 %rd18, %rd5, %rd17;
  STORE_D
  ret;
}
)";

TEST_F(EmuTma, Swizzle128BFeedsWgmma) {
  constexpr int M = 64, N = 16, K = 128;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> a(M * K), b(N * K);
  for (auto &x : a)
    x = static_cast<int8_t>(d(rng));
  for (auto &x : b)
    x = static_cast<int8_t>(d(rng));
  uint64_t pa = emu.alloc(a.size()), pb = emu.alloc(b.size());
  std::memcpy(reinterpret_cast<void *>(pa), a.data(), a.size());
  std::memcpy(reinterpret_cast<void *>(pb), b.data(), b.size());
  alignas(64) uint8_t mapA[128], mapB[128];
  uint64_t dimsA[2] = {K, M}, dimsB[2] = {K, N}, strides[1] = {K};
  uint32_t boxA[2] = {K, M}, boxB[2] = {K, N}, es[2] = {1, 1};
  std::string why;
  ASSERT_TRUE(encodeTensorMapTiled(mapA, 0, 2, pa, dimsA, strides, boxA, es, 0,
                                   3, 0, 0, why))
      << why;
  ASSERT_TRUE(encodeTensorMapTiled(mapB, 0, 2, pb, dimsB, strides, boxB, es, 0,
                                   3, 0, 0, why))
      << why;
  // Descriptor: LBO field 1, SBO 1024 >> 4, swizzle mode 1 (128B) in bits
  // 62-63; the start address is or-ed in by the kernel.
  uint64_t desc = (1ull << 16) | (uint64_t(1024 >> 4) << 32) | (1ull << 62);
  std::string ksteps, storeD;
  for (int j = 0; j < K / 32; ++j) {
    if (j)
      ksteps += "add.s64 %rd14, %rd14, 2;\n  add.s64 %rd16, %rd16, 2;\n  ";
    ksteps += "wgmma.mma_async.sync.aligned.m64n16k32.s32.s8.s8 {%r10, %r11, "
              "%r12, %r13, %r14, %r15, %r16, %r17}, %rd14, %rd16, %p1;\n  ";
  }
  for (int i = 0; i < 8; ++i)
    storeD += "ld.global.u32 %r21, [%rd18+" + std::to_string(4 * i) +
              "];\n  mul.wide.u32 %rd19, %r21, 4;\n  add.s64 %rd20, %rd6, "
              "%rd19;\n  st.global.u32 [%rd20], %r" +
              std::to_string(10 + i) + ";\n  ";
  std::string text = kSwizzledGemm;
  auto put = [&](const std::string &from, const std::string &to) {
    for (size_t p; (p = text.find(from)) != std::string::npos;)
      text.replace(p, from.size(), to);
  };
  put("DESC", std::to_string(desc));
  put("KSTEPS", ksteps);
  put("STORE_D", storeD);
  std::string err;
  ASSERT_TRUE(parsePtx(text, mod, err)) << err;
  // The D fragment (m64nNk32, s32): thread 32 w + l holds d[i] at row
  // 16 w + l / 4 + 8 ((i % 4) / 2), column 8 (i / 4) + 2 (l % 4) + i % 2.
  std::vector<uint32_t> to(128 * 8);
  for (int t = 0; t < 128; ++t)
    for (int i = 0; i < 8; ++i) {
      int w = t / 32, l = t % 32;
      to[t * 8 + i] =
          static_cast<uint32_t>((16 * w + l / 4 + 8 * ((i % 4) / 2)) * N +
                                8 * (i / 4) + 2 * (l % 4) + i % 2);
    }
  uint64_t pto = emu.alloc(to.size() * 4), pout = emu.alloc(M * N * 4);
  std::memcpy(reinterpret_cast<void *>(pto), to.data(), to.size() * 4);
  std::vector<void *> ps = {mapA, mapB, &pto, &pout};
  LaunchConfig c;
  c.block = {128, 1, 1};
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    emu.setScheduler(seed != 3, seed);
    std::memset(reinterpret_cast<void *>(pout), 0xFF, M * N * 4);
    ASSERT_EQ(emu.launch(*mod.find("g"), c, ps.data(), msg), Status::Ok) << msg;
    std::vector<int32_t> out(M * N);
    std::memcpy(out.data(), reinterpret_cast<const void *>(pout), M * N * 4);
    for (int m = 0; m < M; ++m)
      for (int n = 0; n < N; ++n) {
        int32_t ref = 0;
        for (int k = 0; k < K; ++k)
          ref += int32_t(a[m * K + k]) * int32_t(b[n * K + k]);
        ASSERT_EQ(out[m * N + n], ref) << "D[" << m << "][" << n << "]";
      }
  }
}

// A TMA store: 32 threads write a 16 x 8 box into shared memory with
// st.shared, fence.proxy.async, bar.sync, and thread 0 stores it at
// (c0, c1), clipped to the tensor, then waits for its bulk async-group.
const char *kStore = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry st(.param .align 64 .b8 tmap[128], .param .s32 pc0,
                   .param .s32 pc1)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<4>;
  .shared .align 128 .b8 tile[128];
  ld.param.u32 %r5, [pc0];
  ld.param.u32 %r6, [pc1];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  mov.u64 %rd3, tile;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  mul.lo.u32 %r2, %r1, 0x0C0C0C0C;
  add.u32 %r2, %r2, 0x0A070401;
  st.shared.u32 [%rd5], %r2;
  FENCE
  bar.sync 0;
  @%p1 cp.async.bulk.tensor.2d.global.shared::cta.tile.bulk_group [tmap, {%r5, %r6}], [tile];
  @%p1 cp.async.bulk.commit_group;
  BEFORE_WAIT
  @%p1 cp.async.bulk.wait_group.read 0;
  ret;
}
)";

class EmuTmaStore : public EmuTma {
public:
  Status store(const std::string &fence, const std::string &beforeWait,
               int32_t c0, int32_t c1) {
    std::string text = kStore;
    text.replace(text.find("FENCE"), 5, fence);
    text.replace(text.find("BEFORE_WAIT"), 11, beforeWait);
    mod = Module();
    std::string err;
    EXPECT_TRUE(parsePtx(text, mod, err)) << err;
    const Kernel *k = mod.find("st");
    if (!k)
      return Status::InvalidValue;
    alignas(64) uint8_t map[128];
    std::string why;
    EXPECT_TRUE(encode(map, 16, 8, 0, why)) << why;
    std::vector<void *> ps = {map, &c0, &c1};
    LaunchConfig c;
    c.block = {32, 1, 1};
    msg.clear();
    return emu.launch(*k, c, ps.data(), msg);
  }
};

TEST_F(EmuTmaStore, StoreClipsToTheTensor) {
  makeTensor();
  std::vector<uint8_t> before = data;
  ASSERT_EQ(store("fence.proxy.async.shared::cta;", "", 32, 16), Status::Ok)
      << msg;
  // Box byte i (row i / 16, column i % 16) is (i / 4) * 12 + the i % 4-th
  // byte of 0x0A070401.
  auto boxByte = [](uint32_t i) {
    return static_cast<uint8_t>((i / 4) * 12 + (0x0A070401u >> (8 * (i % 4))));
  };
  std::vector<uint8_t> now(data.size());
  std::memcpy(now.data(), reinterpret_cast<const void *>(pdata), now.size());
  for (uint64_t y = 0; y < H; ++y)
    for (uint64_t x = 0; x < pitch; ++x) {
      bool in = x < W && x >= 32 && y >= 16;
      uint8_t want = in ? boxByte(uint32_t((y - 16) * 16 + (x - 32)))
                        : before[y * pitch + x];
      ASSERT_EQ(now[y * pitch + x], want) << x << "," << y;
    }
}

TEST_F(EmuTmaStore, FaultGenericWriteReadByTmaWithoutProxyFence) {
  makeTensor();
  EXPECT_EQ(store("", "", 0, 0), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "reads shared address 0x1000 through the async proxy"))
      << msg;
  EXPECT_TRUE(has(msg, "no fence.proxy.async")) << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor.2d.global.shared::cta")) << msg;
}

TEST_F(EmuTmaStore, FaultSourceOverwrittenBeforeWait) {
  makeTensor();
  EXPECT_EQ(store("fence.proxy.async.shared::cta;",
                  "@%p1 st.shared.u32 [%rd5], %r1;", 0, 0),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "may still read: no cp.async.bulk.wait_group")) << msg;
  // After the wait the buffer is free again.
  EXPECT_EQ(store("fence.proxy.async.shared::cta;",
                  "@%p1 cp.async.bulk.wait_group.read 0;\n"
                  "  @%p1 st.shared.u32 [%rd5], %r1;",
                  0, 0),
            Status::Ok)
      << msg;
}

TEST_F(EmuTma, FaultMapBeyondTheAllocation) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 16, 8, 0, why, W, 100)) << why;
  std::vector<uint8_t> out;
  EXPECT_EQ(run(map, 128, 0, 0, out), Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "the tensor map does not match the data")) << msg;
  EXPECT_TRUE(has(msg, "40 x 100 elements of 1 bytes, rows 48 bytes apart"))
      << msg;
  EXPECT_TRUE(has(msg, "not inside one allocation")) << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor.2d")) << msg;
}

TEST_F(EmuTma, FaultRankMismatchAndNotAMap) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encode(map, 16, 8, 0, why, 0, 0, 3)) << why;
  std::vector<uint8_t> out;
  EXPECT_EQ(run(map, 128, 0, 0, out), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "a .2d copy with a map of rank 3")) << msg;
  std::memset(map, 0, sizeof(map));
  EXPECT_EQ(run(map, 128, 0, 0, out), Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "not a tensor map made by cuTensorMapEncodeTiled"))
      << msg;
}

TEST_F(EmuTma, EncodeChecksCudaRules) {
  makeTensor();
  alignas(64) uint8_t map[128];
  std::string why;
  EXPECT_FALSE(encode(map, 8, 8, 0, why));
  EXPECT_TRUE(has(why, "boxDim[0] * element size = 8 bytes is not a "
                       "multiple of 16"))
      << why;
  EXPECT_FALSE(encode(map, 16, 300, 0, why));
  EXPECT_TRUE(has(why, "boxDim[1] = 300 is not in 1..256")) << why;
  EXPECT_FALSE(encode(map, 16, 8, 0, why, 0, 0, 6));
  EXPECT_TRUE(has(why, "tensorRank 6 is not in 1..5")) << why;
  EXPECT_FALSE(encode(map, 48, 8, 1 /*SWIZZLE_32B*/, why));
  EXPECT_TRUE(has(why, "exceeds the swizzle span of 32 bytes")) << why;
  pitch = 40; // == W bytes, but not a multiple of 16
  EXPECT_FALSE(encode(map, 16, 8, 0, why));
  EXPECT_TRUE(has(why, "globalStrides[0] = 40 is not a multiple of 16")) << why;
  pitch = 32; // a multiple of 16, but rows of 40 bytes overlap
  EXPECT_FALSE(encode(map, 16, 8, 0, why));
  EXPECT_TRUE(has(why, "smaller than the 40 bytes")) << why;
  uint64_t dims[2] = {W, H}, strides[1] = {48};
  uint32_t box[2] = {16, 8};
  EXPECT_FALSE(encodeTensorMapTiled(map, 0, 2, pdata + 8, dims, strides, box,
                                    nullptr, 0, 0, 0, 0, why));
  EXPECT_TRUE(has(why, "globalAddress is not 16-byte aligned")) << why;
}

} // namespace
