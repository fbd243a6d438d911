//===- EmuTensorNdTest.cpp - cp.async.bulk.tensor in 1D-5D and im2col ----===//
//
// Hand-written sm_90a kernels load one box of an N-d tensor (N = 1..5)
// through a tiled map, or one im2col gather of an NWC/NHWC/NDHWC tensor
// through an im2col map (both encoded as the emulated driver's
// cuTensorMapEncodeTiled/Im2col do), into shared memory, wait on the
// mbarrier and copy the box out; stores write a shared box back. The
// expected bytes come from host loops written from the PTX ISA and cuda.h
// ("Tensors": tile and im2col modes, bounding box, out-of-bound elements
// read as zeros and are skipped by stores), independent of the emulator's
// code: the box row-major, innermost fastest; a swizzled row's 16-byte
// chunk j lands at chunk j ^ (atom row % chunks per row); the im2col
// pixels are the bounding box's pixels listed in N, D, H, W order, from the
// starting one on, each read at its coordinates plus the im2col offsets.
// Faults are checked by their messages.
//
//===----------------------------------------------------------------------===//
#include "EmuFixture.h"
#include "Interp.h"
#include "Ptx.h"
#include "TensorMap.h"

#include "gtest/gtest.h"

#include <cstring>
#include <string>
#include <vector>

using namespace vggq::emu;

namespace {

bool has(const std::string &s, const std::string &sub) {
  return s.find(sub) != std::string::npos;
}

void replaceAll(std::string &text, const std::string &from,
                const std::string &to) {
  for (size_t p = 0; (p = text.find(from, p)) != std::string::npos;
       p += to.size())
    text.replace(p, from.size(), to);
}

// A load: thread 0 issues COPY (which names the box `box`, the map behind
// %rd9 (a global copy) or %rd8 (the parameter's address, LLVM's form for a
// __grid_constant__ map), the coordinates %r20..%r24 and the im2col offsets
// %rs1..%rs3, all read from the array at pc), every thread waits for the
// phase, then the 32 threads copy the BYTES-byte box out 16 bytes at a
// time. ptxas -arch=sm_90a accepts these kernels with each COPY below.
const char *kLoad = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry ld(.param .align 64 .b8 tmap[128], .param .u64 pmap,
                   .param .u64 pc, .param .u64 pout)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  .reg .b16 %rs<4>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 box[SMEM];
  .shared .align 8 .b64 bar;
  ld.param.u64 %rd9, [pmap];
  mov.b64 %rd7, tmap;
  cvta.param.u64 %rd8, %rd7;
  ld.param.u64 %rd1, [pc];
  ld.param.u64 %rd2, [pout];
  ld.global.u32 %r20, [%rd1];
  ld.global.u32 %r21, [%rd1+4];
  ld.global.u32 %r22, [%rd1+8];
  ld.global.u32 %r23, [%rd1+12];
  ld.global.u32 %r24, [%rd1+16];
  ld.global.u16 %rs1, [%rd1+20];
  ld.global.u16 %rs2, [%rd1+24];
  ld.global.u16 %rs3, [%rd1+28];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  @%p1 mbarrier.init.shared::cta.b64 [bar], 1;
  bar.sync 0;
  @%p1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], BYTES;
  @%p1 COPY
WAIT:
  mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
  @!%p2 bra WAIT;
  mov.u64 %rd3, box;
  mov.u32 %r2, %r1;
LOOP:
  setp.ge.u32 %p3, %r2, CHUNKS;
  @%p3 bra END;
  mul.wide.u32 %rd4, %r2, 16;
  add.s64 %rd5, %rd3, %rd4;
  ld.shared.v4.u32 {%r10, %r11, %r12, %r13}, [%rd5];
  add.s64 %rd6, %rd2, %rd4;
  st.global.v4.u32 [%rd6], {%r10, %r11, %r12, %r13};
  add.u32 %r2, %r2, 32;
  bra LOOP;
END:
  ret;
}
)";

// A store: the 32 threads copy BYTES bytes from pin into the shared box
// (st.shared), fence.proxy.async, bar.sync, and thread 0 stores the box at
// the coordinates from pc through the map at pmap and waits for its bulk
// async-group.
const char *kStore = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry st(.param .u64 pmap, .param .u64 pc, .param .u64 pin)
{
  .reg .b32 %r<40>;
  .reg .b64 %rd<20>;
  .reg .pred %p<4>;
  .shared .align 1024 .b8 box[BYTES];
  ld.param.u64 %rd9, [pmap];
  ld.param.u64 %rd1, [pc];
  ld.param.u64 %rd2, [pin];
  ld.global.u32 %r20, [%rd1];
  ld.global.u32 %r21, [%rd1+4];
  ld.global.u32 %r22, [%rd1+8];
  ld.global.u32 %r23, [%rd1+12];
  ld.global.u32 %r24, [%rd1+16];
  mov.u32 %r1, %tid.x;
  setp.eq.u32 %p1, %r1, 0;
  mov.u64 %rd3, box;
  mov.u32 %r2, %r1;
LOOP:
  setp.ge.u32 %p3, %r2, CHUNKS;
  @%p3 bra STORE;
  mul.wide.u32 %rd4, %r2, 16;
  add.s64 %rd5, %rd2, %rd4;
  ld.global.v4.u32 {%r10, %r11, %r12, %r13}, [%rd5];
  add.s64 %rd6, %rd3, %rd4;
  st.shared.v4.u32 [%rd6], {%r10, %r11, %r12, %r13};
  add.u32 %r2, %r2, 32;
  bra LOOP;
STORE:
  fence.proxy.async.shared::cta;
  bar.sync 0;
  @%p1 COPY
  @%p1 cp.async.bulk.commit_group;
  @%p1 cp.async.bulk.wait_group.read 0;
  ret;
}
)";

/// "{%r20, .., %r(20+n-1)}"
std::string coordRegs(unsigned n) {
  std::string s = "{";
  for (unsigned i = 0; i < n; ++i)
    s += (i ? ", %r" : "%r") + std::to_string(20 + i);
  return s + "}";
}

/// The tile-mode load of a rank-n map at the address in register `map`.
std::string tileLoad(unsigned n, const std::string &map = "%rd9") {
  return "cp.async.bulk.tensor." + std::to_string(n) +
         "d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [box], [" +
         map + ", " + coordRegs(n) + "], [bar];";
}

/// The im2col load in LLVM 22's form (the load mode before the completion
/// mechanism, the map behind a register); `afterMbar`: ptxas's other
/// accepted order of the modifiers.
std::string im2colLoad(unsigned n, bool afterMbar = false,
                       const std::string &map = "%rd9") {
  std::string offs = "{";
  for (unsigned i = 0; i + 2 < n; ++i)
    offs += (i ? ", %rs" : "%rs") + std::to_string(1 + i);
  offs += "}";
  return "cp.async.bulk.tensor." + std::to_string(n) + "d.shared::cluster." +
         (afterMbar ? "global.mbarrier::complete_tx::bytes.im2col"
                    : "global.im2col.mbarrier::complete_tx::bytes") +
         " [box], [" + map + ", " + coordRegs(n) + "], [bar], " + offs + ";";
}

std::string tileStore(unsigned n) {
  return "cp.async.bulk.tensor." + std::to_string(n) +
         "d.global.shared::cta.tile.bulk_group [%rd9, " + coordRegs(n) +
         "], [box];";
}

/// Where byte i of a row-major box lands in shared memory with swizzle mode
/// `sw` (0 none, 1/2/3: 32/64/128B) and rows of the swizzle span: within
/// each 1024-byte pattern, 128-byte atom row a moves 16-byte chunk j of a
/// span-sized row to chunk j ^ (a % (span / 16)).
uint64_t swizzledAt(uint64_t i, unsigned sw) {
  if (!sw)
    return i;
  uint64_t span = 16ull << sw, row = i / span, j = (i % span) / 16;
  uint64_t atomRow = row * span / 128;
  return row * span + ((j ^ (atomRow % (span / 16))) * 16) + i % 16;
}

/// An N-d tensor on the host and its device copy: dims innermost first,
/// byte strides of dimensions 1.., elements of `e` bytes whose bytes are a
/// hash of their index (never 0), padding 0xEE.
struct Tensor {
  unsigned rank = 0, e = 1;
  std::vector<uint64_t> dims, strides;
  std::vector<uint8_t> bytes;
  uint64_t dev = 0;

  uint64_t offsetOf(const std::vector<int64_t> &g) const {
    uint64_t o = uint64_t(g[0]) * e;
    for (unsigned i = 1; i < rank; ++i)
      o += uint64_t(g[i]) * strides[i - 1];
    return o;
  }
  bool inside(const std::vector<int64_t> &g) const {
    for (unsigned i = 0; i < rank; ++i)
      if (g[i] < 0 || g[i] >= int64_t(dims[i]))
        return false;
    return true;
  }
};

class EmuTensorNd : public EmuFixture {
public:
  void SetUp() override { emu.setThreads(1); }

  /// A tensor of `dims`, each row padded by `pad` bytes (a multiple of 16
  /// once the row is), the outer dimensions packed.
  Tensor makeTensor(std::vector<uint64_t> dims, unsigned e, uint64_t pad = 16) {
    Tensor t;
    t.rank = static_cast<unsigned>(dims.size());
    t.e = e;
    t.dims = dims;
    uint64_t row = (dims[0] * e + 15) / 16 * 16 + pad, size = row;
    for (unsigned i = 1; i < t.rank; ++i) {
      t.strides.push_back(i == 1 ? row : t.strides.back() * dims[i - 1]);
      size = t.strides.back() * dims[i];
    }
    t.bytes.assign(size, 0xEE);
    std::vector<int64_t> g(t.rank, 0);
    for (uint64_t n = 0;; ++n) {
      for (unsigned b = 0; b < e; ++b)
        t.bytes[t.offsetOf(g) + b] =
            static_cast<uint8_t>(1 + (n * 37 + b * 101 + n / 7) % 251);
      unsigned i = 0;
      for (; i < t.rank; ++i) {
        if (++g[i] < int64_t(dims[i]))
          break;
        g[i] = 0;
      }
      if (i == t.rank)
        break;
    }
    t.dev = upload(t.bytes);
    return t;
  }

  bool encodeTiled(uint8_t *map, const Tensor &t, std::vector<uint32_t> box,
                   unsigned sw, std::string &why, unsigned dataType) {
    std::vector<uint32_t> es(t.rank, 1);
    return encodeTensorMapTiled(map, dataType, t.rank, t.dev, t.dims.data(),
                                t.strides.data(), box.data(), es.data(), 0, sw,
                                0, 0, why);
  }

  bool encodeIm2col(uint8_t *map, const Tensor &t, std::vector<int> lower,
                    std::vector<int> upper, unsigned channels, unsigned pixels,
                    unsigned sw, std::string &why, unsigned dataType) {
    std::vector<uint32_t> es(t.rank, 1);
    return encodeTensorMapIm2col(map, dataType, t.rank, t.dev, t.dims.data(),
                                 t.strides.data(), lower.data(), upper.data(),
                                 channels, pixels, es.data(), 0, sw, 0, 0, why);
  }

  /// Runs kLoad with COPY = `copy`, a BYTES-byte box in a shared array of
  /// `smem` bytes (0: BYTES), the map as the parameter and behind %rd9;
  /// the box bytes come back in `out`.
  Status load(const uint8_t *map, uint64_t bytes, const std::string &copy,
              std::vector<int32_t> coords, std::vector<uint16_t> offs,
              std::vector<uint8_t> &out, uint64_t smem = 0) {
    std::string text = kLoad;
    replaceAll(text, "COPY", copy);
    replaceAll(text, "SMEM", std::to_string(smem ? smem : bytes));
    replaceAll(text, "BYTES", std::to_string(bytes));
    replaceAll(text, "CHUNKS", std::to_string(bytes / 16));
    mod = Module();
    if (!parse(text))
      return Status::InvalidValue;
    std::vector<uint32_t> c(8, 0);
    for (size_t i = 0; i < coords.size(); ++i)
      c[i] = static_cast<uint32_t>(coords[i]);
    for (size_t i = 0; i < offs.size(); ++i)
      c[5 + i] = offs[i];
    uint64_t pc = upload(c), po = emu.alloc(bytes);
    std::memset(reinterpret_cast<void *>(po), 0xAB, bytes);
    uint64_t pmap = emu.alloc(128);
    std::memcpy(reinterpret_cast<void *>(pmap), map, 128);
    std::vector<void *> ps = {const_cast<uint8_t *>(map), &pmap, &pc, &po};
    LaunchConfig lc;
    lc.block = {32, 1, 1};
    msg.clear();
    Status s = emu.launch(*mod.find("ld"), lc, ps.data(), msg);
    out = download<uint8_t>(po, bytes);
    emu.free(po);
    emu.free(pc);
    emu.free(pmap);
    return s;
  }

  /// The expected box of a tile-mode load at `c` (then swizzled).
  std::vector<uint8_t> tileRef(const Tensor &t,
                               const std::vector<uint32_t> &box,
                               const std::vector<int32_t> &c, unsigned sw) {
    uint64_t n = t.e;
    for (uint32_t b : box)
      n *= b;
    std::vector<uint8_t> lin(n, 0);
    std::vector<uint32_t> idx(t.rank, 0);
    std::vector<int64_t> g(t.rank);
    for (uint64_t k = 0; k * t.e < n; ++k) {
      for (unsigned i = 0; i < t.rank; ++i)
        g[i] = int64_t(c[i]) + idx[i];
      if (t.inside(g))
        std::memcpy(&lin[k * t.e], &t.bytes[t.offsetOf(g)], t.e);
      for (unsigned i = 0; i < t.rank; ++i) {
        if (++idx[i] < box[i])
          break;
        idx[i] = 0;
      }
    }
    std::vector<uint8_t> out(n);
    for (uint64_t i = 0; i < n; ++i)
      out[swizzledAt(i, sw)] = lin[i];
    return out;
  }

  /// The expected bytes of an im2col load: every pixel of the bounding box
  /// (for each spatial dimension i, lower[i] .. dims - 1 + upper[i]) for
  /// every N, listed N outermost and W innermost; the load takes `pixels`
  /// of them from the one at (c1, .., c[rank-1]) on (none past the last
  /// N), each at its coordinates plus the offsets, channels c0.. .
  std::vector<uint8_t> im2colRef(const Tensor &t, const std::vector<int> &lower,
                                 const std::vector<int> &upper,
                                 unsigned channels, unsigned pixels,
                                 const std::vector<int32_t> &c,
                                 const std::vector<uint16_t> &offs,
                                 unsigned sw) {
    const unsigned sp = t.rank - 2;
    std::vector<std::vector<int64_t>> list; // (w, h, d.., n)
    std::vector<int64_t> p(sp + 1);
    int64_t lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
    for (unsigned i = 0; i < sp; ++i) {
      lo[i] = lower[i];
      hi[i] = int64_t(t.dims[1 + i]) - 1 + upper[i];
    }
    for (int64_t n = 0; n < int64_t(t.dims[t.rank - 1]); ++n)
      for (int64_t d = lo[2]; d <= (sp > 2 ? hi[2] : 0); ++d)
        for (int64_t h = lo[1]; h <= (sp > 1 ? hi[1] : 0); ++h)
          for (int64_t w = lo[0]; w <= hi[0]; ++w) {
            std::vector<int64_t> q = {w};
            if (sp > 1)
              q.push_back(h);
            if (sp > 2)
              q.push_back(d);
            q.push_back(n);
            list.push_back(q);
          }
    std::vector<int64_t> start(c.begin() + 1, c.begin() + t.rank);
    size_t first = 0;
    while (first < list.size() && list[first] != start)
      ++first;
    EXPECT_LT(first, list.size()) << "the starting pixel is in the box";
    uint64_t rowBytes = uint64_t(channels) * t.e;
    std::vector<uint8_t> lin(pixels * rowBytes, 0);
    for (unsigned k = 0; k < pixels && first + k < list.size(); ++k) {
      std::vector<int64_t> g(t.rank);
      for (unsigned i = 0; i < sp; ++i)
        g[1 + i] = list[first + k][i] + offs[i];
      g[t.rank - 1] = list[first + k][sp];
      for (unsigned ch = 0; ch < channels; ++ch) {
        g[0] = int64_t(c[0]) + ch;
        if (t.inside(g))
          std::memcpy(&lin[k * rowBytes + ch * t.e], &t.bytes[t.offsetOf(g)],
                      t.e);
      }
    }
    std::vector<uint8_t> out(lin.size());
    for (uint64_t i = 0; i < lin.size(); ++i)
      out[swizzledAt(i, sw)] = lin[i];
    return out;
  }

  /// Tile loads of `box` at each of `coords`, against tileRef, under the
  /// scheduler with a few seeds.
  void checkTiles(const Tensor &t, std::vector<uint32_t> box, unsigned sw,
                  unsigned dataType,
                  const std::vector<std::vector<int32_t>> &coords,
                  const std::string &mapReg = "%rd9") {
    alignas(64) uint8_t map[128];
    std::string why;
    ASSERT_TRUE(encodeTiled(map, t, box, sw, why, dataType)) << why;
    uint64_t bytes = t.e;
    for (uint32_t b : box)
      bytes *= b;
    uint64_t seed = 1;
    for (const auto &c : coords) {
      emu.setScheduler(seed % 3 != 0, seed);
      ++seed;
      std::vector<uint8_t> out;
      ASSERT_EQ(load(map, bytes, tileLoad(t.rank, mapReg), c, {}, out),
                Status::Ok)
          << msg;
      std::vector<uint8_t> want = tileRef(t, box, c, sw);
      std::string at;
      for (int32_t x : c)
        at += " " + std::to_string(x);
      for (uint64_t i = 0; i < bytes; ++i)
        ASSERT_EQ(out[i], want[i]) << "box at" << at << ", byte " << i;
    }
  }
};

TEST_F(EmuTensorNd, Tile1D) {
  Tensor t = makeTensor({200}, 1);
  checkTiles(t, {64}, 0, 0 /*UINT8*/, {{0}, {100}, {150}, {-32}, {-64}, {300}});
}

TEST_F(EmuTensorNd, Tile3DUint16NoSwizzleAnd32B) {
  Tensor t = makeTensor({24, 10, 6}, 2);
  const std::vector<std::vector<int32_t>> coords = {
      {0, 0, 0}, {8, 7, 4}, {-8, -2, -1}, {16, 3, 5}, {0, 20, 0}};
  checkTiles(t, {16, 4, 3}, 0, 1 /*UINT16*/, coords);
  checkTiles(t, {16, 4, 3}, 1 /*SWIZZLE_32B*/, 1, coords);
  // The map as a parameter, through its address (cvta.param).
  checkTiles(t, {16, 4, 3}, 1, 1, coords, "%rd8");
}

TEST_F(EmuTensorNd, Tile4DUint8Swizzle64B) {
  Tensor t = makeTensor({100, 7, 5, 3}, 1);
  checkTiles(t, {64, 4, 2, 2}, 2 /*SWIZZLE_64B*/, 0,
             {{0, 0, 0, 0}, {50, 5, 4, 2}, {-10, -3, -1, -1}, {0, 2, 1, 1}});
}

TEST_F(EmuTensorNd, Tile5DFloat32Swizzle128B) {
  Tensor t = makeTensor({40, 5, 4, 3, 2}, 4);
  checkTiles(t, {32, 2, 2, 2, 2}, 3 /*SWIZZLE_128B*/, 7 /*FLOAT32*/,
             {{0, 0, 0, 0, 0},
              {16, 4, 3, 2, 1},
              {-8, -1, 0, -1, 0},
              {0, 1, 1, 1, -1},
              {40, 0, 0, 0, 0}});
}

// The 2D form is the same code: a box of a 2D u8 tensor against tileRef,
// partly outside with negative coordinates, unswizzled and 128B.
TEST_F(EmuTensorNd, Tile2DBothSwizzles) {
  Tensor t = makeTensor({200, 30}, 1);
  checkTiles(t, {128, 8}, 3, 0, {{80, 25}, {-16, -3}});
  checkTiles(t, {16, 8}, 0, 0, {{190, 27}, {-8, -4}});
}

/// A store of `box` (its bytes `in`, row-major in shared memory) at `c`;
/// the tensor must change exactly in the box's elements inside it.
class EmuTensorNdStore : public EmuTensorNd {
public:
  void checkStore(Tensor &t, std::vector<uint32_t> box, unsigned sw,
                  unsigned dataType, std::vector<int32_t> c) {
    alignas(64) uint8_t map[128];
    std::string why;
    ASSERT_TRUE(encodeTiled(map, t, box, sw, why, dataType)) << why;
    uint64_t bytes = t.e;
    for (uint32_t b : box)
      bytes *= b;
    std::vector<uint8_t> in(bytes);
    for (uint64_t i = 0; i < bytes; ++i)
      in[i] = static_cast<uint8_t>(0x80 | (i * 13 % 127));
    std::string text = kStore;
    replaceAll(text, "COPY", tileStore(t.rank));
    replaceAll(text, "BYTES", std::to_string(bytes));
    replaceAll(text, "CHUNKS", std::to_string(bytes / 16));
    mod = Module();
    ASSERT_TRUE(parse(text));
    std::vector<uint32_t> cw(8, 0);
    for (size_t i = 0; i < c.size(); ++i)
      cw[i] = static_cast<uint32_t>(c[i]);
    uint64_t pc = upload(cw), pin = upload(in);
    std::memcpy(reinterpret_cast<void *>(t.dev), t.bytes.data(),
                t.bytes.size());
    uint64_t pmap = emu.alloc(128);
    std::memcpy(reinterpret_cast<void *>(pmap), map, 128);
    std::vector<void *> ps = {&pmap, &pc, &pin};
    LaunchConfig lc;
    lc.block = {32, 1, 1};
    ASSERT_EQ(emu.launch(*mod.find("st"), lc, ps.data(), msg), Status::Ok)
        << msg;
    // Host model: element k of the box (row-major) is the shared bytes at
    // swizzledAt(k * e + b); it goes to the tensor where inside.
    std::vector<uint8_t> want = t.bytes;
    std::vector<uint32_t> idx(t.rank, 0);
    std::vector<int64_t> g(t.rank);
    for (uint64_t k = 0; k * t.e < bytes; ++k) {
      for (unsigned i = 0; i < t.rank; ++i)
        g[i] = int64_t(c[i]) + idx[i];
      if (t.inside(g))
        for (unsigned b = 0; b < t.e; ++b)
          want[t.offsetOf(g) + b] = in[swizzledAt(k * t.e + b, sw)];
      for (unsigned i = 0; i < t.rank; ++i) {
        if (++idx[i] < box[i])
          break;
        idx[i] = 0;
      }
    }
    std::vector<uint8_t> now = download<uint8_t>(t.dev, t.bytes.size());
    for (uint64_t i = 0; i < now.size(); ++i)
      ASSERT_EQ(now[i], want[i]) << "tensor byte " << i;
  }
};

TEST_F(EmuTensorNdStore, Store1D) {
  Tensor t = makeTensor({100}, 1);
  checkStore(t, {32}, 0, 0, {80});
  checkStore(t, {32}, 0, 0, {-16});
}

TEST_F(EmuTensorNdStore, Store3DClipsNegativeAndUpperCorners) {
  Tensor t = makeTensor({24, 10, 6}, 2);
  checkStore(t, {16, 4, 3}, 0, 1, {-8, -2, -1});
  checkStore(t, {16, 4, 3}, 0, 1, {16, 8, 5});
}

TEST_F(EmuTensorNdStore, Store5DSwizzle128B) {
  Tensor t = makeTensor({40, 5, 4, 3, 2}, 4);
  checkStore(t, {32, 2, 2, 2, 2}, 3, 7, {16, 4, -1, 2, 1});
  checkStore(t, {32, 2, 2, 2, 2}, 3, 7, {-8, 0, 1, 1, 0});
}

TEST_F(EmuTensorNdStore, Store4DSwizzle64B) {
  Tensor t = makeTensor({100, 7, 5, 3}, 1);
  checkStore(t, {64, 4, 2, 2}, 2, 0, {50, 5, 3, 0});
  checkStore(t, {64, 4, 2, 2}, 2, 0, {-10, 2, 1, -1});
}

/// An im2col load against im2colRef.
class EmuIm2col : public EmuTensorNd {
public:
  void check(const Tensor &t, std::vector<int> lower, std::vector<int> upper,
             unsigned channels, unsigned pixels, unsigned sw, unsigned dataType,
             std::vector<int32_t> c, std::vector<uint16_t> offs,
             bool afterMbar = false) {
    alignas(64) uint8_t map[128];
    std::string why;
    ASSERT_TRUE(
        encodeIm2col(map, t, lower, upper, channels, pixels, sw, why, dataType))
        << why;
    uint64_t bytes = uint64_t(channels) * pixels * t.e;
    std::vector<uint8_t> out;
    ASSERT_EQ(load(map, bytes, im2colLoad(t.rank, afterMbar), c, offs, out),
              Status::Ok)
        << msg;
    std::vector<uint8_t> want =
        im2colRef(t, lower, upper, channels, pixels, c, offs, sw);
    std::string at;
    for (int32_t x : c)
      at += " " + std::to_string(x);
    for (uint16_t o : offs)
      at += " +" + std::to_string(o);
    for (uint64_t i = 0; i < bytes; ++i)
      ASSERT_EQ(out[i], want[i]) << "im2col at" << at << ", byte " << i
                                 << " (pixel " << i / (channels * t.e) << ")";
  }
};

// 4D NHWC, a 3x3 filter with padding 1 (corners -1, -1 and -1, -1: the
// bounding box is the output positions -1..W-2, -1..H-2): each filter tap
// reads the padding as zeros; a start late in image 0 runs into image 1,
// and one late in the last image past N (zeros).
TEST_F(EmuIm2col, Nhwc4DFilterTapsAndPadding) {
  Tensor t = makeTensor({32, 6, 5, 2}, 1); // C W H N
  for (uint16_t ow = 0; ow < 3; ++ow)
    for (uint16_t oh = 0; oh < 3; ++oh)
      check(t, {-1, -1}, {-1, -1}, 32, 16, 0, 0, {0, -1, -1, 0}, {ow, oh});
  check(t, {-1, -1}, {-1, -1}, 32, 16, 0, 0, {0, 2, 3, 0}, {1, 2});
  check(t, {-1, -1}, {-1, -1}, 32, 16, 0, 0, {0, 1, 3, 1}, {2, 0});
}

// Channels past C read zeros (c0 = 16 of 40), and a bounding box larger
// than the image (corners -2 and +1) with the 128B swizzle.
TEST_F(EmuIm2col, Nhwc4DChannelsOutOfBoundsAndSwizzle128B) {
  Tensor t = makeTensor({40, 5, 4, 2}, 1);
  check(t, {-2, -1}, {1, 0}, 32, 12, 0, 0, {16, -2, -1, 0}, {0, 1});
  Tensor u = makeTensor({256, 5, 4, 2}, 1);
  check(u, {-2, -1}, {1, 0}, 128, 16, 3, 0, {128, 3, 2, 0}, {1, 0});
}

// 3D NWC with 16-bit elements and the 64B swizzle; the LLVM form and the
// modifier order ptxas also takes (.mbarrier::complete_tx::bytes.im2col).
TEST_F(EmuIm2col, Nwc3DUint16Swizzle64BBothModifierOrders) {
  Tensor t = makeTensor({32, 20, 3}, 2);
  check(t, {-1}, {-2}, 32, 24, 2, 1, {0, -1, 0}, {2});
  check(t, {-1}, {-2}, 32, 24, 2, 1, {0, 10, 1}, {0}, /*afterMbar=*/true);
  check(t, {0}, {0}, 32, 24, 0, 1, {0, 5, 2}, {0});
}

// 5D NDHWC: W wraps into H, H into D, D into N.
TEST_F(EmuIm2col, Ndhwc5DWrapsEveryDimension) {
  Tensor t = makeTensor({16, 3, 3, 2, 2}, 1); // C W H D N
  check(t, {-1, -1, 0}, {-1, -1, -1}, 16, 20, 0, 0, {0, -1, -1, 0, 0},
        {1, 2, 1});
  check(t, {-1, 0, -1}, {0, -1, 0}, 16, 16, 0, 0, {0, 1, 1, 1, 0}, {0, 1, 1});
}

//===----------------------------------------------------------------------===//
// Faults
//===----------------------------------------------------------------------===//

class EmuTensorNdFault : public EmuTensorNd {
public:
  Tensor t;
  alignas(64) uint8_t tiled[128], im2col[128];
  void SetUp() override {
    EmuTensorNd::SetUp();
    t = makeTensor({32, 6, 5, 2}, 1);
    std::string why;
    ASSERT_TRUE(encodeTiled(tiled, t, {32, 4, 2, 2}, 0, why, 0)) << why;
    ASSERT_TRUE(encodeIm2col(im2col, t, {-1, -1}, {-1, -1}, 32, 16, 0, why, 0))
        << why;
  }
};

TEST_F(EmuTensorNdFault, Im2colMapWithTileCopyAndTheReverse) {
  std::vector<uint8_t> out;
  EXPECT_EQ(load(im2col, 512, tileLoad(4), {0, 0, 0, 0}, {}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "the tensor map does not match the instruction: a "
                       ".tile copy with an im2col map (made by "
                       "cuTensorMapEncodeIm2col)"))
      << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor.4d.shared::cluster.global.tile"))
      << msg;
  EXPECT_EQ(load(tiled, 512, im2colLoad(4), {0, 0, 0, 0}, {0, 0}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "an .im2col copy with a tiled map (made by "
                       "cuTensorMapEncodeTiled)"))
      << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor.4d.shared::cluster.global.im2col"))
      << msg;
}

TEST_F(EmuTensorNdFault, StoreWithAnIm2colMap) {
  std::string text = kStore;
  replaceAll(text, "COPY", tileStore(4));
  replaceAll(text, "BYTES", "512");
  replaceAll(text, "CHUNKS", "32");
  ASSERT_TRUE(parse(text));
  std::vector<uint32_t> cw(8, 0);
  uint64_t pc = upload(cw), pin = upload(std::vector<uint8_t>(512, 1));
  uint64_t pmap = emu.alloc(128);
  std::memcpy(reinterpret_cast<void *>(pmap), im2col, 128);
  std::vector<void *> ps = {&pmap, &pc, &pin};
  LaunchConfig lc;
  lc.block = {32, 1, 1};
  EXPECT_EQ(emu.launch(*mod.find("st"), lc, ps.data(), msg),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "a .tile copy with an im2col map")) << msg;
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor.4d.global.shared::cta")) << msg;
}

TEST_F(EmuTensorNdFault, RankMismatch) {
  std::vector<uint8_t> out;
  EXPECT_EQ(load(tiled, 512, tileLoad(3), {0, 0, 0}, {}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "the tensor map does not match the instruction: a "
                       ".3d copy with a map of rank 4"))
      << msg;
  EXPECT_EQ(load(im2col, 512, im2colLoad(5), {0, 0, 0, 0, 0}, {0, 0, 0}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "a .5d copy with a map of rank 4")) << msg;
}

TEST_F(EmuTensorNdFault, MapDoesNotMatchTheData) {
  Tensor big = t;
  big.dims[3] = 3; // one image more than the allocation holds
  alignas(64) uint8_t map[128];
  std::string why;
  ASSERT_TRUE(encodeTiled(map, big, {32, 4, 2, 2}, 0, why, 0)) << why;
  std::vector<uint8_t> out;
  EXPECT_EQ(load(map, 512, tileLoad(4), {0, 0, 0, 0}, {}, out),
            Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "the tensor map does not match the data: its tensor "
                       "(32 x 6 x 5 x 3 elements of 1 bytes, dimensions "
                       "1..3 48, 288, 1440 bytes apart)"))
      << msg;
  EXPECT_TRUE(has(msg, "not inside one allocation")) << msg;
  ASSERT_TRUE(encodeIm2col(map, big, {-1, -1}, {-1, -1}, 32, 16, 0, why, 0))
      << why;
  EXPECT_EQ(load(map, 512, im2colLoad(4), {0, 0, 0, 0}, {0, 0}, out),
            Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "the tensor map does not match the data")) << msg;
  EXPECT_TRUE(has(msg, "im2col")) << msg;
}

TEST_F(EmuTensorNdFault, DestinationOutsideSharedOrMisaligned) {
  std::vector<uint8_t> out;
  // The box (512 bytes) in a 256-byte shared array: past the window's end
  // (the mbarrier follows at 1024 + 8 bytes).
  EXPECT_EQ(load(im2col, 512, im2colLoad(4), {0, 0, 0, 0}, {0, 0}, out, 256),
            Status::IllegalAddress);
  EXPECT_TRUE(has(msg, "(512 bytes) is outside the block's shared window"))
      << msg;
  std::string copy = tileLoad(4);
  replaceAll(copy, "[box]", "[box+64]");
  EXPECT_EQ(load(tiled, 512, copy, {0, 0, 0, 0}, {}, out, 1024),
            Status::MisalignedAddress);
  EXPECT_TRUE(has(msg, "cp.async.bulk.tensor destination 0x1040 is not "
                       "aligned to 128 bytes"))
      << msg;
}

TEST_F(EmuTensorNdFault, NotAMapAndIm2colOffsetOutOfRange) {
  alignas(64) uint8_t zeros[128] = {};
  std::vector<uint8_t> out;
  EXPECT_EQ(load(zeros, 512, im2colLoad(4), {0, 0, 0, 0}, {0, 0}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "not a tensor map made by cuTensorMapEncodeTiled or "
                       "cuTensorMapEncodeIm2col"))
      << msg;
  EXPECT_EQ(load(im2col, 512, im2colLoad(4), {0, 0, 0, 0}, {1, 300}, out),
            Status::LaunchFailed);
  EXPECT_TRUE(has(msg, "the im2col offset in H (300) is not in 0..255, the "
                       "range of a .4d copy"))
      << msg;
}

TEST_F(EmuTensorNdFault, ParserChecksTheForms) {
  std::string err;
  auto parseCopy = [&](const std::string &copy) {
    std::string text = kLoad;
    replaceAll(text, "COPY", copy);
    replaceAll(text, "SMEM", "512");
    replaceAll(text, "BYTES", "512");
    replaceAll(text, "CHUNKS", "32");
    Module m;
    err.clear();
    return parsePtx(text, m, err);
  };
  EXPECT_TRUE(parseCopy(im2colLoad(4)));
  EXPECT_TRUE(parseCopy(im2colLoad(4, true)));
  EXPECT_TRUE(parseCopy(tileLoad(5)));
  std::string two = im2colLoad(4);
  replaceAll(two, "{%rs1, %rs2}", "{%rs1}");
  EXPECT_FALSE(parseCopy(two));
  EXPECT_TRUE(has(err, "the im2col offsets must be {o0, .., o1}: 2 16-bit "
                       "registers for a .4d copy"))
      << err;
  std::string three = tileLoad(4);
  replaceAll(three, "%r20, %r21, %r22, %r23", "%r20, %r21, %r22");
  EXPECT_FALSE(parseCopy(three));
  EXPECT_TRUE(has(err, "4 coordinates for a .4d copy")) << err;
  std::string flat = tileLoad(2);
  replaceAll(flat, ".tile", ".im2col");
  EXPECT_FALSE(parseCopy(flat));
  EXPECT_TRUE(has(err, ".im2col needs a .3d, .4d or .5d copy")) << err;
  std::string six = tileLoad(4);
  replaceAll(six, ".4d", ".6d");
  EXPECT_FALSE(parseCopy(six));
  EXPECT_TRUE(has(err, "expected .1d, .2d, .3d, .4d or .5d")) << err;
}

// LLVM 22's PTX (mlir-opt-22 --convert-nvvm-to-llvm ...
// --gpu-module-to-binary=format=isa, as shared/HOPPER-MLIR.md describes) for
// nvvm.cp.async.bulk.tensor.shared.cluster.global with box[] of 1, 3 and 5
// coordinates, the same with im2col[] offsets and {mode =
// #nvvm.tma_load_mode<im2col>} in 3D-5D, and
// nvvm.cp.async.bulk.tensor.global.shared.cta in 1D and 5D; ptxas
// -arch=sm_90a accepts it. Every form decodes, with its rank, mode and
// operands.
const char *kLlvmForms = R"(.version 8.0
.target sm_90a
.address_size 64
.visible .entry k(
 .param .u64 .ptr .align 1 k_param_0,
 .param .u32 k_param_1,
 .param .u32 k_param_2,
 .param .u32 k_param_3,
 .param .u32 k_param_4,
 .param .u32 k_param_5,
 .param .u16 k_param_6,
 .param .u16 k_param_7,
 .param .u16 k_param_8
)
{
 .reg .b16  %rs<5>;
 .reg .b32  %r<6>;
 .reg .b64  %rd<6>;
 .shared .align 1024 .b8 smA[4096];
 .shared .align 8 .u64 bar;
 ld.param.b64  %rd1, [k_param_0];
 mov.b64  %rd2, smA;
 cvta.shared.u64  %rd3, %rd2;
 cvta.to.shared::cluster.u64  %rd4, %rd3;
 ld.param.b32  %r1, [k_param_1];
 mov.b64  %rd5, 0;
 mov.b16  %rs1, 0;
 cp.async.bulk.tensor.1d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1}], [bar];
 ld.param.b32  %r2, [k_param_2];
 ld.param.b32  %r3, [k_param_3];
 cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1, %r2, %r3}], [bar];
 ld.param.b32  %r4, [k_param_4];
 ld.param.b32  %r5, [k_param_5];
 cp.async.bulk.tensor.5d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1, %r2, %r3, %r4, %r5}], [bar];
 ld.param.b16  %rs2, [k_param_6];
 cp.async.bulk.tensor.3d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1, %r2, %r3}], [bar], {%rs2};
 ld.param.b16  %rs3, [k_param_7];
 cp.async.bulk.tensor.4d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1, %r2, %r3, %r4}], [bar], {%rs2, %rs3};
 ld.param.b16  %rs4, [k_param_8];
 cp.async.bulk.tensor.5d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [%rd4], [%rd1, {%r1, %r2, %r3, %r4, %r5}], [bar], {%rs2, %rs3, %rs4};
 cp.async.bulk.tensor.1d.global.shared::cta.tile.bulk_group [%rd1, {%r1}], [smA];
 cp.async.bulk.tensor.5d.global.shared::cta.tile.bulk_group [%rd1, {%r1, %r2, %r3, %r4, %r5}], [smA];
 ret;
}
)";

TEST_F(EmuTensorNdFault, LlvmFormsOfEveryRankAndMode) {
  ASSERT_TRUE(parse(kLlvmForms));
  const Kernel *k = mod.find("k");
  ASSERT_NE(k, nullptr);
  std::vector<std::string> seen;
  for (const Instr &in : k->code)
    if (in.op == Op::CpBulk || in.op == Op::CpBulkStore)
      seen.push_back(std::string(in.op == Op::CpBulk ? "ld" : "st") +
                     std::to_string(in.vec) +
                     ((in.mode & TensorIm2col) ? "i" : "t"));
  std::vector<std::string> want = {"ld1t", "ld3t", "ld5t", "ld3i",
                                   "ld4i", "ld5i", "st1t", "st5t"};
  EXPECT_EQ(seen, want);
  // The 5D im2col load: five coordinates and three offsets, in order.
  const Instr *i5 = nullptr;
  for (const Instr &in : k->code)
    if (in.op == Op::CpBulk && in.vec == 5 && (in.mode & TensorIm2col))
      i5 = &in;
  ASSERT_NE(i5, nullptr);
  EXPECT_NE(i5->vc[0], i5->v[3]);
  EXPECT_NE(i5->vc[1], i5->vc[2]);
  EXPECT_NE(i5->vc[2], i5->vc[3]);
}

TEST_F(EmuTensorNd, EncodeIm2colChecksCudaRules) {
  Tensor t = makeTensor({32, 6, 5, 2}, 1);
  alignas(64) uint8_t map[129];
  std::string why;
  auto enc = [&](unsigned rank, std::vector<int> lo, std::vector<int> hi,
                 unsigned ch, unsigned px, unsigned sw = 0,
                 uint8_t *at = nullptr) {
    std::vector<uint32_t> es(5, 1);
    why.clear();
    return encodeTensorMapIm2col(at ? at : map, 0, rank, t.dev, t.dims.data(),
                                 t.strides.data(), lo.data(), hi.data(), ch, px,
                                 es.data(), 0, sw, 0, 0, why);
  };
  EXPECT_TRUE(enc(4, {-1, -1}, {-1, -1}, 32, 16)) << why;
  EXPECT_FALSE(enc(2, {0, 0}, {0, 0}, 32, 16));
  EXPECT_TRUE(has(why, "tensorRank 2 is not in 3..5")) << why;
  EXPECT_FALSE(enc(4, {-129, 0}, {0, 0}, 32, 16));
  EXPECT_TRUE(has(why, "pixelBoxLowerCorner[0] = -129 is not in -128..127 "
                       "(the range for rank 4)"))
      << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 128}, 32, 16));
  EXPECT_TRUE(has(why, "pixelBoxUpperCorner[1] = 128 is not in -128..127"))
      << why;
  EXPECT_FALSE(enc(4, {0, 3}, {0, -3}, 32, 16));
  EXPECT_TRUE(has(why, "the bounding box is empty in H: it spans 3..1")) << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 0}, 300, 16));
  EXPECT_TRUE(has(why, "channelsPerPixel 300 is not in 1..256")) << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 0}, 32, 2000));
  EXPECT_TRUE(has(why, "pixelsPerColumn 2000 is not in 1..1024")) << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 0}, 24, 16));
  EXPECT_TRUE(has(why, "channelsPerPixel * element size = 24 bytes is not a "
                       "multiple of 16"))
      << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 0}, 64, 16, 1));
  EXPECT_TRUE(has(why, "exceeds the swizzle span of 32 bytes")) << why;
  EXPECT_FALSE(enc(4, {0, 0}, {0, 0}, 32, 16, 0, map + 1));
  EXPECT_TRUE(has(why, "tensorMap is not 64-byte aligned")) << why;
  // Traversal strides are not implemented; elementStrides[0] is ignored.
  std::vector<int> lo = {0, 0}, hi = {0, 0};
  std::vector<uint32_t> es = {4, 2, 1, 1};
  EXPECT_FALSE(encodeTensorMapIm2col(map, 0, 4, t.dev, t.dims.data(),
                                     t.strides.data(), lo.data(), hi.data(), 32,
                                     16, es.data(), 0, 0, 0, 0, why));
  EXPECT_TRUE(has(why, "elementStrides other than 1 are not implemented"))
      << why;
  es[1] = 1;
  EXPECT_TRUE(encodeTensorMapIm2col(map, 0, 4, t.dev, t.dims.data(),
                                    t.strides.data(), lo.data(), hi.data(), 32,
                                    16, es.data(), 0, 0, 0, 0, why))
      << why;
  // rank 5 corners: -16..15.
  Tensor u = makeTensor({16, 3, 3, 2, 2}, 1);
  std::vector<int> lo5 = {0, 0, -17}, hi5 = {0, 0, 0};
  EXPECT_FALSE(encodeTensorMapIm2col(map, 0, 5, u.dev, u.dims.data(),
                                     u.strides.data(), lo5.data(), hi5.data(),
                                     16, 8, nullptr, 0, 0, 0, 0, why));
  EXPECT_TRUE(has(why, "pixelBoxLowerCorner[2] = -17 is not in -16..15"))
      << why;
  // The map is an im2col map, and a tiled map is not.
  TensorMap m;
  ASSERT_TRUE(enc(4, {-1, -1}, {-1, -1}, 32, 16)) << why;
  ASSERT_TRUE(decodeTensorMap(map, m));
  EXPECT_TRUE(m.im2col());
  EXPECT_EQ(m.boxBytes(), 32u * 16u);
  EXPECT_EQ(m.lower[1], -1);
}

TEST_F(EmuTensorNd, EncodeTiledRanks1To5) {
  std::string why;
  alignas(64) uint8_t map[128];
  Tensor t = makeTensor({100, 7, 5, 3, 2}, 1);
  for (unsigned r = 1; r <= 5; ++r) {
    std::vector<uint32_t> box = {64, 2, 2, 2, 2};
    EXPECT_TRUE(encodeTensorMapTiled(map, 0, r, t.dev, t.dims.data(),
                                     t.strides.data(), box.data(), nullptr, 0,
                                     0, 0, 0, why))
        << r << ": " << why;
    TensorMap m;
    ASSERT_TRUE(decodeTensorMap(map, m));
    EXPECT_FALSE(m.im2col());
    EXPECT_EQ(m.boxBytes(), 64u << (r - 1)) << r;
  }
}

} // namespace
