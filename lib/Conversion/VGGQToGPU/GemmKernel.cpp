//===- GemmKernel.cpp - the implicit-GEMM kernel skeleton -------*- C++ -*-===//
//
// Builds one GEMM kernel: block (blockIdx.x, blockIdx.y) computes the output
// tile rows [m0, m0 + BM) x channels [n0, n0 + BN). K is walked in slices of
// 64 bytes through a ring of S = `stages` shared-memory buffers filled by
// cp.async (16-byte copies, or 4/8-byte ones where a pixel is narrower), so
// that S - 1 slices are in flight while one is multiplied:
//
//   prologue: load slices 0 .. S-2, one commit group each
//   for kt in [0, KT):
//     cp.async.wait_group S-2; bar.sync     // slice kt has landed
//     load slice kt+S-1 into slot (kt+S-1) % S (if any); commit
//     acc = strategy.multiplyStage(slot kt % S, acc)
//   cp.async.wait_group 0; bar.sync; epilogue
//
// With spec.unrollK the loop is unrolled by S (the KT % S last slices, or
// all of them when KT < 2S, are emitted straight), so every ring slot is a
// compile-time constant and each shared address is a per-thread base plus
// an immediate.
//
// The A loader gathers the im2col matrix on the fly: row m = (image, oh, ow),
// K byte kb = (tap, channel byte) with tap = kh * KW + kw; out-of-image taps,
// rows beyond M and K beyond the real K are zero-filled (cp.async src-size
// 0). Everything that depends only on the thread and its tile rows is
// computed once before the loop (per row: a pointer to its tap-(0,0) pixel,
// and the set of taps inside the image); see TileLoader for how K advances.
// B is the weight matrix [nPadded][kPadded], padded with zeros on the host,
// so its loads are never guarded; a thread's B sources are one pointer plus
// constants.
//
// TMA (wgmma kernels, GemmSpec::tmaB / tmaA): the kernel takes tensor maps
// instead of the B (and A) addresses. Thread 0 initializes one mbarrier per
// ring slot; for each slice it expects the slot's bytes on the slot's
// mbarrier and issues the tensor copies (B: the box of BN rows x 64 bytes at
// K element kt * 64 / elemBytes; A: the 4D box of the tile's pixels at the
// slice's tap and channel); every thread waits on the slot's phase
// (kt / stages) % 2 after the slot's barrier. The map's 64-byte swizzle is
// the tile layout above. With both by TMA no cp.async group is committed or
// waited for.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace vggq {
namespace lowering {

Value swizzledOffset(KernelBuilder &kb, Value row, Value kByte) {
  Value chunk = kb.shr(kByte, 4);
  Value phys = kb.bxor(chunk, kb.band(kb.shr(row, 1), 3));
  return kb.add(kb.add(kb.mul(row, kTileRowBytes), kb.shl(phys, 4)),
                kb.band(kByte, 15));
}

/// Bytes of the pipeline ring.
static int64_t ringBytes(const GemmSpec &spec) {
  const TileConfig &t = spec.tile;
  return t.stages * (t.bm + t.bn) * kTileRowBytes;
}

/// Where the epilogue stages its results: in the ring, free once the last
/// slice is multiplied, or on a persistent grid after it (the producer is
/// filling the ring for the block's next tile by then).
static int64_t epilogueOffset(const GemmSpec &spec) {
  return spec.persistent ? ringBytes(spec) : 0;
}

/// Where the mbarriers of a spec.tmaB kernel start: after the ring and the
/// epilogue's staging (an mbarrier's bytes may not be written while it is
/// valid).
static int64_t mbarrierOffset(const GemmSpec &spec) {
  int64_t end = epilogueOffset(spec) + epilogueSharedBytes(spec);
  return (std::max(ringBytes(spec), end) + 7) / 8 * 8;
}

int64_t gemmSharedBytes(const GemmSpec &spec) {
  const TileConfig &t = spec.tile;
  if (spec.tmaB) // a "full" mbarrier per slot, and an "empty" one (ws)
    return mbarrierOffset(spec) + 8 * t.stages * (spec.warpSpecialized ? 2 : 1);
  int64_t pipeline = t.stages * (t.bm + t.bn) * kTileRowBytes;
  return std::max(pipeline, epilogueSharedBytes(spec));
}

int64_t persistentBlocksPerSM(const GemmSpec &spec) {
  // H100/H200 SMs: 64 K registers and 228 KiB of shared memory, of which
  // 1 KiB per block is the driver's (CUDA C++ Programming Guide; the perf
  // model's table, lib/PerfModel/Chips.cpp).
  int64_t byRegs = 65536 / (wsEntryRegs(spec) * gemmBlockThreads(spec));
  int64_t bySmem = 228 * 1024 / (gemmSharedBytes(spec) + 1024);
  return std::max<int64_t>(1, std::min<int64_t>({2, byRegs, bySmem}));
}

std::optional<std::array<int64_t, 3>> tensorABox(const GemmSpec &spec) {
  const int64_t bm = spec.tile.bm, pixels = spec.oh * spec.ow;
  if (spec.strideH != 1 || spec.strideW != 1 ||
      (spec.cin * spec.inBytes) % kTileRowBytes != 0)
    return std::nullopt;
  std::array<int64_t, 3> box;
  if (pixels >= bm) {
    // Whole output rows of one image: BM / OW rows of OW pixels.
    if (bm % spec.ow != 0 || pixels % bm != 0)
      return std::nullopt;
    box = {spec.ow, bm / spec.ow, 1};
  } else {
    // Whole images.
    if (bm % pixels != 0)
      return std::nullopt;
    box = {spec.ow, spec.oh, bm / pixels};
  }
  for (int64_t b : box)
    if (b > 256) // cuTensorMapEncodeTiled: boxDim <= 256
      return std::nullopt;
  return box;
}

namespace {

/// Granule of the A loader: the largest of 16/8/4 bytes dividing a pixel.
int64_t granuleBytes(const GemmSpec &spec) {
  int64_t pixel = spec.cin * spec.inBytes;
  for (int64_t g : {16, 8, 4})
    if (pixel % g == 0)
      return g;
  return 4;
}

/// Emits one cp.async of `bytes` bytes, copying `size` bytes (all of them
/// when `size` is null) and zero-filling the rest.
void copyAsync(KernelBuilder &kb, Value dst, Value src, int64_t bytes,
               Value size) {
  OpBuilder &b = kb.builder();
  auto cache = bytes == 16 ? NVVM::LoadCacheModifierKind::CG
                           : NVVM::LoadCacheModifierKind::CA;
  NVVM::CpAsyncOp::create(b, kb.getLoc(), dst, src, b.getI32IntegerAttr(bytes),
                          NVVM::LoadCacheModifierKindAttr::get(kb.ctx(), cache),
                          size);
}

/// Where the A loader stands in K: the slice it loads next. Empty in the
/// general mode (which derives everything from the slice index).
struct AState {
  Value cbk;               ///< i64: byte of this thread's chunk in the pixel
  Value kh, kw;            ///< i32: the tap
  Value tapBit;            ///< i32: 1 << tap
  Value tapOff;            ///< i64: (kh * W + kw) * pixelBytes
  SmallVector<Value> src;  ///< per A row: its pixel at the tap, or A's start
  SmallVector<Value> size; ///< per A row: granule if inside, else 0

  SmallVector<Value> values() const {
    SmallVector<Value> v;
    if (!cbk)
      return v;
    v = {cbk, kh, kw, tapBit, tapOff};
    v.append(src.begin(), src.end());
    v.append(size.begin(), size.end());
    return v;
  }
  static AState fromValues(ValueRange v, size_t rows) {
    AState s;
    if (v.empty())
      return s;
    s.cbk = v[0], s.kh = v[1], s.kw = v[2], s.tapBit = v[3], s.tapOff = v[4];
    s.src.assign(v.begin() + 5, v.begin() + 5 + rows);
    s.size.assign(v.begin() + 5 + rows, v.begin() + 5 + 2 * rows);
    return s;
  }
};

/// Loads K slices into ring slots.
///
/// A: thread tid copies chunk bytes [kbyte, kbyte + g) of each slice,
/// kbyte = (tid % perRow) * g, for its rows r_i = tid / perRow + i * threads
/// / perRow (threads is a multiple of perRow = 64 / g). Per row, setup
/// computes (img, oh, ow) once: `ptr` = A + pixel(img, oh*sH - pT, ow*sW -
/// pL) * pixelBytes (possibly outside A: only offset while inside the
/// image), the tap mask (bit kh*KW+kw set when that tap is inside the image
/// and the row is a real one) and the shared destination offset.
///
/// Incremental mode (pixelBytes P a multiple of 64): a slice lies within one
/// tap and starts at a multiple of 64 in the pixel, so the K position is
/// the same for all threads up to kbyte. Per slice the loader only adds 64
/// to the byte counter; when it reaches P (a warp-uniform branch) the tap
/// advances and each row's source pointer and copy size are recomputed.
/// Rows mode (P not a multiple of 64, every slice index a compile-time
/// constant, BM a multiple of the thread count; the first conv): thread tid
/// copies all of rows tid + i * threads, so every granule's tap and pixel
/// byte are constants (sources: the row's pointer plus an immediate).
/// Division mode (otherwise): each thread divides its K byte by P per slice.
struct TileLoader {
  const GemmSpec &spec;
  Value aPtr, bPtr;

  enum class Mode { Incremental, Rows, Division, Tensor };
  Mode mode = Mode::Division;
  int64_t g = 0, pixelBytes = 0, taps = 0;
  bool useMask = false;
  Value kbyte; ///< i32 (not in rows mode)
  struct Row {
    Value r; ///< i32 tile row
    Value ptr, ih0, iw0, valid, mask;
    Value dst; ///< i32 swizzled offset in an A slot (not in rows mode)
  };
  SmallVector<Row> aRows;
  Value bRow;                     ///< B row n0 + tid/4, byte (tid%4)*16
  SmallVector<int64_t> bSrcDelta; ///< per B chunk: bytes after bRow
  SmallVector<Value> bDst, bGuard;
  /// spec.tmaB: the block's first weight row (n0), and whether this thread
  /// (thread 0) issues the tensor copies.
  Value bN0, bLeader;
  /// spec.tmaA (Mode::Tensor): the tile's first pixel (image, output row,
  /// output column) less the padding, where tap (0, 0) of row 0 reads.
  Value aImg, aH0, aW0;

  /// `staticK`: every load gets a constant slice index (no rolled loop).
  void setup(KernelBuilder &kb, Value tid, Value m0, Value n0, Value rows,
             bool staticK) {
    const TileConfig &t = spec.tile;
    g = granuleBytes(spec);
    pixelBytes = spec.cin * spec.inBytes;
    taps = spec.kh * spec.kw;
    bLeader = kb.eq(tid, 0);
    if (spec.tmaA) {
      // Tiles start at whole output rows (tensorABox): ow0 = 0.
      mode = Mode::Tensor;
      int64_t pixels = spec.oh * spec.ow;
      aImg = kb.div(m0, pixels);
      aH0 = kb.add(kb.div(kb.rem(m0, pixels), spec.ow), -spec.padTop);
      aW0 = kb.c32(-spec.padLeft);
      bN0 = n0;
      return;
    }
    if (pixelBytes % kTileRowBytes == 0)
      mode = Mode::Incremental;
    else if (staticK && t.bm % t.threads == 0)
      mode = Mode::Rows;
    useMask = mode == Mode::Incremental && taps <= 32;
    int64_t perRow = mode == Mode::Rows ? 1 : kTileRowBytes / g;
    assert(t.threads % perRow == 0 && "a thread's chunks share one K byte");
    int64_t rowStep = t.threads / perRow;
    Value r0 = kb.div(tid, perRow);
    if (mode != Mode::Rows)
      kbyte = kb.mul(kb.rem(tid, perRow), g);
    for (int64_t i = 0; i * t.threads < t.bm * perRow; ++i) {
      Row row;
      Value r = row.r = kb.add(r0, i * rowStep);
      Value m = kb.add(m0, r);
      row.valid = kb.slt(m, rows);
      if ((t.bm * perRow) % t.threads != 0)
        row.valid = kb.andi(row.valid, kb.ult(r, t.bm));
      Value img = kb.div(m, spec.oh * spec.ow);
      Value pix = kb.rem(m, spec.oh * spec.ow);
      row.ih0 =
          kb.add(kb.mul(kb.div(pix, spec.ow), spec.strideH), -spec.padTop);
      row.iw0 =
          kb.add(kb.mul(kb.rem(pix, spec.ow), spec.strideW), -spec.padLeft);
      Value pixel =
          kb.add(kb.mul(kb.add(kb.mul(img, spec.h), row.ih0), spec.w), row.iw0);
      row.ptr = kb.gepBytes(aPtr, kb.mul(kb.sext64(pixel), pixelBytes));
      if (useMask) {
        Value wBits = kb.c32(0);
        for (int64_t x = 0; x < spec.kw; ++x)
          wBits = kb.bor(wBits, kb.select(kb.ult(kb.add(row.iw0, x), spec.w),
                                          kb.c32(int64_t(1) << x), kb.c32(0)));
        Value mask = kb.c32(0);
        for (int64_t y = 0; y < spec.kh; ++y)
          mask = kb.bor(mask, kb.select(kb.ult(kb.add(row.ih0, y), spec.h),
                                        kb.shl(wBits, y * spec.kw), kb.c32(0)));
        row.mask = kb.select(row.valid, mask, kb.c32(0));
      }
      if (mode != Mode::Rows)
        row.dst = swizzledOffset(kb, r, kbyte);
      aRows.push_back(row);
    }

    int64_t rowBytes = spec.kPadded * spec.inBytes;
    if (spec.tmaB) {
      bN0 = n0;
      return;
    }
    int64_t bStep = t.threads / 4;
    Value rb = kb.div(tid, 4), kB = kb.mul(kb.rem(tid, 4), 16);
    bRow = kb.gepBytes(bPtr, kb.add(kb.mul(kb.zext64(kb.add(n0, rb)), rowBytes),
                                    kb.zext64(kB)));
    for (int64_t j = 0; j * t.threads < t.bn * 4; ++j) {
      bSrcDelta.push_back(j * bStep * rowBytes);
      bDst.push_back(swizzledOffset(kb, kb.add(rb, j * bStep), kB));
      bGuard.push_back((t.bn * 4) % t.threads != 0
                           ? kb.ult(kb.add(tid, j * t.threads), t.bn * 4)
                           : Value());
    }
  }

  /// Is row `row` inside the image at tap (kh, kw) (incremental mode)?
  Value inside(KernelBuilder &kb, const Row &row, Value kh, Value kw,
               Value tapBit) {
    if (useMask)
      return kb.ne(kb.band(row.mask, tapBit), 0);
    return kb.andi(row.valid, kb.andi(kb.ult(kb.add(row.ih0, kh), spec.h),
                                      kb.ult(kb.add(row.iw0, kw), spec.w)));
  }

  /// Recomputes the per-row sources and sizes of `s` for its tap.
  void retap(KernelBuilder &kb, AState &s) {
    s.src.clear(), s.size.clear();
    for (const Row &row : aRows) {
      Value in = inside(kb, row, s.kh, s.kw, s.tapBit);
      s.src.push_back(kb.select(in, kb.gepBytes(row.ptr, s.tapOff), aPtr));
      s.size.push_back(kb.select(in, kb.c32(g), kb.c32(0)));
    }
  }

  /// The state for slice 0.
  AState initial(KernelBuilder &kb) {
    AState s;
    if (mode != Mode::Incremental)
      return s;
    s.cbk = kb.zext64(kbyte);
    s.kh = s.kw = kb.c32(0);
    s.tapBit = kb.c32(1);
    s.tapOff = kb.c64(0);
    retap(kb, s);
    return s;
  }

  /// The state for the slice after the one `s` describes.
  AState advance(KernelBuilder &kb, const AState &s) {
    if (mode != Mode::Incremental)
      return s;
    auto nextTap = [&](Value cbk) {
      AState n = s;
      n.cbk = cbk;
      Value kw1 = kb.add(s.kw, 1);
      Value wrap = kb.eq(kw1, spec.kw);
      n.kw = kb.select(wrap, kb.c32(0), kw1);
      n.kh = kb.select(wrap, kb.add(s.kh, 1), s.kh);
      n.tapBit = kb.shl(s.tapBit, 1);
      n.tapOff = kb.add(
          s.tapOff, kb.select(wrap, kb.c64((spec.w - spec.kw + 1) * pixelBytes),
                              kb.c64(pixelBytes)));
      retap(kb, n);
      return n;
    };
    if (pixelBytes == kTileRowBytes) // every slice is a new tap
      return nextTap(s.cbk);
    Value cbk = kb.add(s.cbk, kTileRowBytes);
    SmallVector<Value> v = kb.ifThenElse(
        kb.uge(cbk, pixelBytes),
        [&] { return nextTap(kb.add(cbk, -pixelBytes)).values(); },
        [&] {
          AState n = s;
          n.cbk = cbk;
          return n.values();
        });
    return AState::fromValues(v, aRows.size());
  }

  /// Loads slice ktBase + ktDelta (ktBase: i32 or null for 0), described by
  /// `s`, into the slot at aTile / bTile (spec.tmaB: B completes on the
  /// slot's mbarrier `bar`).
  void load(KernelBuilder &kb, Value ktBase, int64_t ktDelta, const AState &s,
            Value aTile, Value bTile, Value bar) {
    if (mode == Mode::Tensor) {
      loadTensor(kb, ktBase, ktDelta, aTile, bTile, bar);
      return;
    }
    if (mode == Mode::Incremental) {
      for (auto [i, row] : llvm::enumerate(aRows))
        copyAsync(kb, kb.gepBytes(aTile, row.dst), kb.gepBytes(s.src[i], s.cbk),
                  g, s.size[i]);
    } else if (mode == Mode::Rows) {
      assert(!ktBase && "rows mode needs constant slice indices");
      int64_t realBytes = spec.k * spec.inBytes;
      for (const Row &row : aRows)
        for (int64_t kbyte = 0; kbyte < kTileRowBytes; kbyte += g) {
          Value dst =
              kb.gepBytes(aTile, swizzledOffset(kb, row.r, kb.c32(kbyte)));
          int64_t kg = ktDelta * kTileRowBytes + kbyte;
          if (kg >= realBytes) { // K padding: zeros
            copyAsync(kb, dst, aPtr, g, kb.c32(0));
            continue;
          }
          int64_t tap = kg / pixelBytes, kh = tap / spec.kw, kw = tap % spec.kw;
          Value in = inside(kb, row, kb.c32(kh), kb.c32(kw), Value());
          Value src = kb.gepBytes(row.ptr, (kh * spec.w + kw) * pixelBytes +
                                               kg % pixelBytes);
          copyAsync(kb, dst, kb.select(in, src, aPtr), g,
                    kb.select(in, kb.c32(g), kb.c32(0)));
        }
    } else {
      Value kt = ktBase ? kb.add(ktBase, ktDelta) : kb.c32(ktDelta);
      Value kg = kb.add(kb.mul(kt, kTileRowBytes), kbyte);
      Value tap = kb.div(kg, pixelBytes);
      Value cb = kb.zext64(kb.rem(kg, pixelBytes));
      Value kh = kb.div(tap, spec.kw), kw = kb.rem(tap, spec.kw);
      Value tapOff =
          kb.sext64(kb.mul(kb.add(kb.mul(kh, spec.w), kw), kb.c32(pixelBytes)));
      Value realK = kb.ult(tap, taps);
      for (const Row &row : aRows) {
        Value in = kb.andi(realK, inside(kb, row, kh, kw, Value()));
        Value src =
            kb.select(in, kb.gepBytes(kb.gepBytes(row.ptr, tapOff), cb), aPtr);
        copyAsync(kb, kb.gepBytes(aTile, row.dst), src, g,
                  kb.select(in, kb.c32(g), kb.c32(0)));
      }
    }
    if (spec.tmaB) {
      loadTensor(kb, ktBase, ktDelta, Value(), bTile, bar);
      return;
    }
    Value bK = ktBase ? kb.gepBytes(bRow, kb.mul(kb.zext64(ktBase),
                                                 kb.c64(kTileRowBytes)))
                      : bRow;
    for (auto [j, delta] : llvm::enumerate(bSrcDelta)) {
      Value dst = kb.gepBytes(bTile, bDst[j]);
      Value src = kb.gepBytes(bK, delta + ktDelta * kTileRowBytes);
      if (bGuard[j])
        kb.ifThen(bGuard[j], [&] { copyAsync(kb, dst, src, 16, Value()); });
      else
        copyAsync(kb, dst, src, 16, Value());
    }
  }

  /// Thread 0 expects the slot's bytes on `bar` and copies slice ktBase +
  /// ktDelta's B box (K element kt * 64 / elemBytes, row n0) and, with
  /// spec.tmaA (`aTile` set), its A box (channel c, column aW0 + kw, row
  /// aH0 + kh, image aImg, where the slice's 64 bytes are channels [c, c +
  /// 64 / elemBytes) of tap (kh, kw)), one cp.async.bulk.tensor each. The
  /// copies write through the async proxy, as the wgmmas read: no proxy
  /// fence between them; the maps' 64-byte swizzle is the slot layout.
  void loadTensor(KernelBuilder &kb, Value ktBase, int64_t ktDelta, Value aTile,
                  Value bTile, Value bar) {
    OpBuilder &b = kb.builder();
    Location loc = kb.getLoc();
    const int64_t perSlice = kTileRowBytes / spec.inBytes;
    int64_t bytes = spec.tile.bn * kTileRowBytes;
    // Named operands: the IR's order must not depend on the host compiler's
    // order of evaluating arguments.
    Value kt = ktBase ? kb.add(ktBase, ktDelta) : kb.c32(ktDelta);
    SmallVector<Value> aCoords;
    if (aTile) {
      bytes += spec.tile.bm * kTileRowBytes;
      Value kByte = kb.mul(kt, kTileRowBytes);
      Value tap = kb.div(kByte, pixelBytes);
      Value byteInPixel = kb.rem(kByte, pixelBytes);
      Value channel = kb.div(byteInPixel, spec.inBytes);
      Value kh = kb.div(tap, spec.kw);
      Value kw = kb.rem(tap, spec.kw);
      Value col = kb.add(aW0, kw);
      Value row = kb.add(aH0, kh);
      aCoords = {channel, col, row, aImg};
    }
    Value k0 = kb.mul(kt, perSlice);
    auto copy = [&](Value tile, Value map, ValueRange coords) {
      Value dst = LLVM::AddrSpaceCastOp::create(
          b, loc, kb.ptr(kSharedClusterSpace), tile);
      NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
          b, loc, dst, map, coords, bar, ValueRange(), Value(), Value(),
          NVVM::TMALoadMode::TILE, /*isCTAOnly=*/false,
          NVVM::CTAGroupKindAttr(), Value());
    };
    kb.ifThen(bLeader, [&] {
      Value txBytes = kb.c32(bytes);
      NVVM::MBarrierArriveExpectTxOp::create(
          b, loc, Type(), bar, txBytes,
          NVVM::MemScopeKindAttr::get(kb.ctx(), NVVM::MemScopeKind::CTA),
          b.getBoolAttr(false), Value());
      if (aTile)
        copy(aTile, aPtr, aCoords);
      copy(bTile, bPtr, ValueRange{k0, bN0});
    });
  }
};

} // namespace

gpu::GPUFuncOp buildGemmKernel(OpBuilder &b, Location loc,
                               gpu::GPUModuleOp gpuModule, const GemmSpec &spec,
                               GemmStrategy &strategy) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(gpuModule.getBody());
  KernelBuilder kb(b, loc);
  Type gptr = kb.ptr(kGlobalSpace);
  SmallVector<Type> argTypes{spec.tmaA ? kb.ptr(0) : gptr,
                             spec.tmaB ? kb.ptr(0) : gptr};
  if (spec.hasScale)
    argTypes.push_back(gptr);
  if (spec.hasBias)
    argTypes.push_back(gptr);
  if (spec.residual)
    argTypes.push_back(gptr);
  argTypes.push_back(gptr);
  argTypes.push_back(kb.i32());
  auto fn = gpu::GPUFuncOp::create(b, loc, spec.name,
                                   b.getFunctionType(argTypes, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  const TileConfig &t = spec.tile;
  const bool ws = spec.warpSpecialized;
  assert((!ws ||
          (spec.tmaA && spec.tmaB && t.threads == 128 * spec.consumerGroups)) &&
         "warp specialization: both operands by TMA, 128 threads per "
         "consumer warpgroup");
  assert((spec.consumerGroups == 1 || (ws && t.bm == 128)) &&
         "two consumer warpgroups: warp specialized, 64 rows each");
  assert((!spec.persistent || ws) && "a persistent grid is warp specialized");
  fn->setAttr("nvvm.maxntid",
              b.getDenseI32ArrayAttr(
                  {static_cast<int32_t>(gemmBlockThreads(spec)), 1, 1}));
  if (ws) {
    fn->setAttr(NVVM::NVVMDialect::getMaxnregAttrName(),
                b.getI32IntegerAttr(wsEntryRegs(spec)));
    fn->setAttr("vggq.warp_specialized", b.getUnitAttr());
  }
  if (spec.persistent)
    fn->setAttr("vggq.persistent",
                b.getI64IntegerAttr(persistentBlocksPerSM(spec)));
  fn->setAttr("vggq.tile", b.getDenseI64ArrayAttr({t.bm, t.bn, t.bk}));
  fn->setAttr("vggq.stages", b.getI64IntegerAttr(t.stages));
  fn->setAttr("vggq.mma", b.getStringAttr(strategy.name()));
  fn->setAttr(spec.dynamicShared ? "vggq.dynamic_shared_bytes"
                                 : "vggq.shared_bytes",
              b.getI64IntegerAttr(gemmSharedBytes(spec)));
  if (spec.tmaB) {
    fn->setAttr(kTensorMapArgsAttr, spec.tmaA ? b.getDenseI64ArrayAttr({0, 1})
                                              : b.getDenseI64ArrayAttr({1}));
    // Which operands come by TMA (the other: the cp.async gather).
    fn->setAttr("vggq.tma", b.getStringAttr(spec.tmaA ? "a,b" : "b"));
  }
  if (spec.pool)
    fn->setAttr("vggq.pool_fused", b.getUnitAttr());
  if (spec.residual)
    fn->setAttr("vggq.residual_fused", b.getUnitAttr());

  Block &entry = fn.getBody().front();
  b.setInsertionPointToStart(&entry);
  ValueRange args = entry.getArguments();
  Value tid = kb.threadIdX();
  Value rows = kb.mul(args.back(), spec.oh * spec.ow);
  Value m0 = kb.mul(kb.blockIdX(), t.bm);
  Value n0 = kb.mul(kb.blockIdY(), t.bn);
  Value smem =
      spec.dynamicShared
          ? getDynamicSharedBuffer(kb, gpuModule, spec.name + "_dsmem",
                                   strategy.sharedAlignment())
          : getSharedBuffer(kb, gpuModule, spec.name + "_smem",
                            gemmSharedBytes(spec), strategy.sharedAlignment());
  const int64_t stages = t.stages;
  const int64_t kTiles = spec.kPadded * spec.inBytes / kTileRowBytes;
  // The loop runs over groups of `unroll` slices when there are at least
  // two groups; the remaining slices are emitted straight with constant
  // slice indices. With spec.unrollK (8-bit kernels, the k-unroll option)
  // the loop is unrolled by `stages` (constant slots); the FP32 strategy
  // computes each of its 32 shared addresses per slice from a separately
  // swizzled row, which LLVM would hoist per constant slot (96 live addresses,
  // spills), so it keeps a computed slot. (Peeling slice 0 to start from
  // constant-zero accumulators saves one mov per accumulator but costs ptxas
  // ~65 more registers in the pooled FP8 kernels; a strategy that gains from it
  // asks for it, GemmStrategy::peelsFirstGroup.)
  const int64_t unroll = spec.unrollK ? stages : 1;
  const int64_t groups = kTiles / unroll;
  const bool rolled = groups >= 2;
  const int64_t peeled = rolled && strategy.peelsFirstGroup() ? unroll : 0;
  TileLoader loader{spec, args[0], args[1]};
  loader.setup(kb, tid, m0, n0, rows, /*staticK=*/!rolled);
  // What one consumer warpgroup multiplies: the whole tile, or with two its
  // 64-row half (wgSpec), from row wgRow of the A tile, as thread wgTid.
  GemmSpec wgSpec = spec;
  Value wgTid = tid, wgRow;
  if (spec.consumerGroups == 2) {
    wgSpec.tile.bm = 64;
    wgSpec.tile.threads = 128;
    wgTid = kb.rem(tid, 128);
    wgRow = kb.mul(kb.div(tid, 128), 64);
  }
  // The A tile of this consumer warpgroup in a ring slot's A tile.
  auto wgA = [&](Value aTile) {
    return wgRow ? kb.gepBytes(aTile, kb.mul(wgRow, kTileRowBytes)) : aTile;
  };
  strategy.prepare(kb, wgSpec, wgTid);

  // Ring slot `slot` of A and B (i32 value or constant).
  auto aSlot = [&](OpFoldResult slot) {
    if (auto v = dyn_cast<Value>(slot))
      return kb.gepBytes(smem, kb.mul(v, t.bm * kTileRowBytes));
    return kb.gepBytes(smem, getConstantIntValue(slot).value() * t.bm *
                                 kTileRowBytes);
  };
  auto bSlot = [&](OpFoldResult slot) {
    int64_t base = stages * t.bm * kTileRowBytes;
    if (auto v = dyn_cast<Value>(slot))
      return kb.gepBytes(kb.gepBytes(smem, base),
                         kb.mul(v, t.bn * kTileRowBytes));
    return kb.gepBytes(smem, base + getConstantIntValue(slot).value() * t.bn *
                                        kTileRowBytes);
  };
  auto constant = [&](int64_t v) -> OpFoldResult {
    return b.getI64IntegerAttr(v);
  };
  // spec.tmaB: one mbarrier per ring slot, initialized by thread 0 (count
  // 1: its arrive.expect_tx) before it issues the first copies; the other
  // threads first wait after the first bar.sync.
  // Warp specialized: the "empty" mbarriers follow, count 128 (every
  // consumer arrives), and a barrier of all 256 threads publishes them.
  Value bars, emptyBars;
  if (spec.tmaB) {
    bars = kb.gepBytes(smem, mbarrierOffset(spec));
    if (ws)
      emptyBars = kb.gepBytes(bars, 8 * stages);
    kb.ifThen(kb.eq(tid, 0), [&] {
      Value one = kb.c32(1);
      for (int64_t s = 0; s < stages; ++s) {
        Value bar = kb.gepBytes(bars, 8 * s);
        NVVM::MBarrierInitOp::create(b, loc, bar, one, Value());
      }
      if (ws) {
        Value consumers = kb.c32(t.threads);
        for (int64_t s = 0; s < stages; ++s) {
          Value bar = kb.gepBytes(emptyBars, 8 * s);
          NVVM::MBarrierInitOp::create(b, loc, bar, consumers, Value());
        }
      }
      NVVM::FenceMbarrierInitOp::create(b, loc);
    });
    if (ws)
      kb.barrier();
  }
  auto barOf = [&](OpFoldResult slot) -> Value {
    if (!bars)
      return Value();
    if (auto v = dyn_cast<Value>(slot))
      return kb.gepBytes(bars, kb.mul(v, 8));
    return kb.gepBytes(bars, 8 * getConstantIntValue(slot).value());
  };
  // A persistent grid: `body(m0, n0, gOff)` for each tile of this block
  // (GemmSpec::persistent), gOff the number of slices of its earlier tiles.
  auto forEachTile = [&](llvm::function_ref<void(Value, Value, Value)> body) {
    int64_t nTiles = spec.nPadded / t.bn;
    Value tiles = kb.mul(kb.div(kb.add(rows, t.bm - 1), t.bm), nTiles);
    Value first = kb.add(kb.mul(kb.blockIdY(), kb.gridDimX()), kb.blockIdX());
    Value blocks = kb.mul(kb.gridDimX(), kb.gridDimY());
    kb.forLoop(first, tiles, blocks, ValueRange{kb.c32(0)},
               [&](Value tile, ValueRange it) {
                 body(kb.mul(kb.div(tile, nTiles), t.bm),
                      kb.mul(kb.rem(tile, nTiles), t.bn), it[0]);
                 return SmallVector<Value>{kb.add(it[0], kTiles)};
               });
  };
  // With A and B both by TMA no thread copies with cp.async: no commit
  // groups to wait for, and nothing written through the generic proxy for
  // the wgmmas to be fenced from.
  const bool cpAsync = !spec.tmaA;
  auto commit = [&] {
    if (cpAsync)
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
  };
  AState state = loader.initial(kb);
  if (ws) {
    // The producer warpgroup gives its registers to the consumers; thread
    // 128 fills slot kt % stages once the consumers have emptied it: the
    // empty mbarrier's phase kt / stages - 1, whose parity ((kt / stages) &
    // 1) ^ 1 names, on a fresh barrier, the phase before the first: done.
    kb.ifThen(kb.uge(tid, t.threads), [&] {
      NVVM::SetMaxRegisterOp::create(
          b, loc, b.getI32IntegerAttr(kWsProducerRegs),
          NVVM::SetMaxRegisterActionAttr::get(
              kb.ctx(), NVVM::SetMaxRegisterAction::decrease));
      // One tile's slices; on a persistent grid slice kt of the tile is
      // the block's slice g = gOff + kt, which names the slot and phase.
      auto produce = [&](Value gOff) {
        loader.bLeader = kb.eq(tid, t.threads);
        kb.forLoop(kb.c32(0), kb.c32(kTiles), kb.c32(1), ValueRange(),
                   [&](Value kt, ValueRange) {
                     Value g = gOff ? kb.add(gOff, kt) : kt;
                     Value slot = kb.rem(g, stages);
                     Value parity =
                         kb.bxor(kb.band(kb.div(g, stages), 1), kb.c32(1));
                     Value ticks = kb.c32(0);
                     NVVM::MBarrierTryWaitParityOp::create(
                         b, loc, kb.gepBytes(emptyBars, kb.mul(slot, 8)),
                         parity, ticks);
                     loader.load(kb, kt, 0, state, aSlot(slot), bSlot(slot),
                                 barOf(slot));
                     return SmallVector<Value>();
                   });
      };
      kb.ifThen(kb.eq(tid, t.threads), [&] {
        if (!spec.persistent)
          return produce(Value());
        forEachTile([&](Value tm0, Value tn0, Value gOff) {
          loader.setup(kb, tid, tm0, tn0, rows, /*staticK=*/false);
          produce(gOff);
        });
      });
    });
  }
  Value consumer = ws ? kb.ult(tid, t.threads) : Value();
  // The consumers' part of the tile at (m0, n0) (the whole kernel without
  // warp specialization); gOff: on a persistent grid, the block's slices
  // before this tile.
  auto consumeTile = [&](Value m0, Value n0, Value gOff) {
    for (int64_t s = 0; !ws && s + 1 < stages; ++s) {
      if (s < kTiles) {
        loader.load(kb, Value(), s, state, aSlot(constant(s)),
                    bSlot(constant(s)), barOf(constant(s)));
        state = loader.advance(kb, state);
      }
      commit();
    }

    // Slice kt = ktBase + ktDelta (ktBase null: 0): its ring slot kt %
    // stages (a constant unless unroll == 1), and kt itself.
    auto slotOf = [&](Value ktBase, int64_t ktDelta) -> OpFoldResult {
      // Slot (gOff + kt) % stages is kt's own when gOff, a multiple of
      // kTiles, is one of stages.
      if (gOff && kTiles % stages != 0)
        return kb.rem(
            kb.add(gOff, ktBase ? kb.add(ktBase, ktDelta) : kb.c32(ktDelta)),
            stages);
      OpFoldResult slot = constant(ktDelta % stages);
      if (ktBase && unroll == 1)
        slot = kb.rem(kb.add(ktBase, ktDelta), stages);
      return slot;
    };
    auto sliceOf = [&](Value ktBase, int64_t ktDelta) -> OpFoldResult {
      if (ktBase)
        return kb.add(ktBase, ktDelta);
      return constant(ktDelta);
    };
    // Waits for slice kt's copies: phase (kt / stages) % 2 of its slot's full
    // mbarrier.
    auto waitFull = [&](Value ktBase, int64_t ktDelta, OpFoldResult slot,
                        OpFoldResult slice) {
      Value parity = ktBase ? kb.band(kb.div(cast<Value>(slice), stages), 1)
                            : kb.c32((ktDelta / stages) % 2);
      if (gOff)
        parity = kb.band(
            kb.div(kb.add(gOff, ktBase ? cast<Value>(slice) : kb.c32(ktDelta)),
                   stages),
            1);
      Value ticks = kb.c32(0);
      NVVM::MBarrierTryWaitParityOp::create(b, loc, barOf(slot), parity, ticks);
    };
    // A consumer's slice (warp specialized): wait until it is full, multiply
    // (the strategy waits for its wgmmas), and give the slot back.
    auto consumeSlice = [&](Value ktBase, int64_t ktDelta,
                            SmallVector<Value> acc) {
      OpFoldResult slot = slotOf(ktBase, ktDelta);
      OpFoldResult slice = sliceOf(ktBase, ktDelta);
      waitFull(ktBase, ktDelta, slot, slice);
      acc = strategy.multiplyStage(kb, wgSpec, wgA(aSlot(slot)), bSlot(slot),
                                   acc, slice);
      Value empty =
          isa<Value>(slot)
              ? kb.gepBytes(emptyBars, kb.mul(cast<Value>(slot), 8))
              : kb.gepBytes(emptyBars, 8 * getConstantIntValue(slot).value());
      NVVM::MBarrierArriveOp::create(
          b, loc, Type(), empty, Value(),
          NVVM::MemScopeKindAttr::get(kb.ctx(), NVVM::MemScopeKind::CTA));
      return acc;
    };
    // One main-loop iteration: slice kt = ktBase + ktDelta (ktBase null: 0)
    // in ring slot kt % stages, a constant unless unroll == 1.
    auto iteration = [&](Value ktBase, int64_t ktDelta,
                         SmallVector<Value> acc) {
      if (ws)
        return consumeSlice(ktBase, ktDelta, std::move(acc));
      if (cpAsync)
        NVVM::CpAsyncWaitGroupOp::create(b, loc,
                                         b.getI32IntegerAttr(stages - 2));
      if (cpAsync && strategy.readsSharedThroughAsyncProxy())
        NVVM::FenceProxyOp::create(
            b, loc, NVVM::ProxyKind::async_shared,
            NVVM::SharedSpaceAttr::get(kb.ctx(),
                                       NVVM::SharedSpace::shared_cta));
      kb.barrier();
      int64_t next = ktDelta + stages - 1;
      OpFoldResult slot = slotOf(ktBase, ktDelta),
                   nextSlot = slotOf(ktBase, next);
      auto load = [&] {
        loader.load(kb, ktBase, next, state, aSlot(nextSlot), bSlot(nextSlot),
                    barOf(nextSlot));
      };
      bool mayLoad = ktBase || next < kTiles;
      if (ktBase)
        kb.ifThen(kb.ult(kb.add(ktBase, next), kTiles), load);
      else if (mayLoad)
        load();
      commit();
      if (mayLoad)
        state = loader.advance(kb, state);
      OpFoldResult slice = sliceOf(ktBase, ktDelta);
      if (bars)
        waitFull(ktBase, ktDelta, slot, slice);
      return strategy.multiplyStage(kb, wgSpec, wgA(aSlot(slot)), bSlot(slot),
                                    acc, slice);
    };

    Value zero = strategy.accType(kb).isF32() ? kb.cf32(0.0f) : kb.c32(0);
    size_t numAcc = strategy.numAccumulators(wgSpec);
    SmallVector<Value> acc(numAcc, zero);
    int64_t kt = 0;
    for (; kt < peeled; ++kt)
      acc = iteration(Value(), kt, acc);
    if (rolled) {
      SmallVector<Value> iters = acc;
      llvm::append_range(iters, state.values());
      SmallVector<Value> results =
          kb.forLoop(kb.c32(peeled), kb.c32(groups * unroll), kb.c32(unroll),
                     iters, [&](Value ktBase, ValueRange it) {
                       SmallVector<Value> a(it.take_front(numAcc));
                       state = AState::fromValues(it.drop_front(numAcc),
                                                  loader.aRows.size());
                       for (int64_t u = 0; u < unroll; ++u)
                         a = iteration(ktBase, u, a);
                       llvm::append_range(a, state.values());
                       return a;
                     });
      acc.assign(results.begin(), results.begin() + numAcc);
      state = AState::fromValues(ArrayRef<Value>(results).drop_front(numAcc),
                                 loader.aRows.size());
      kt = groups * unroll;
    }
    for (; kt < kTiles; ++kt)
      acc = iteration(Value(), kt, acc);

    if (cpAsync)
      NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
    // An epilogue that stages its results reuses the ring: no warp may still be
    // reading the last stage (on a persistent grid, its own buffer: no
    // consumer may still be reading the block's previous tile there). One that
    // stores from registers needs no barrier (the emulator's barrier-deletion
    // sweep showed this one was redundant).
    if (epilogueSharedBytes(spec) > 0)
      kb.barrier();
    SmallVector<AccPair> pairs = strategy.accumulatorPairs(kb, wgSpec, acc);
    if (wgRow) // rows of the whole tile, which the 256 consumers store
      for (AccPair &p : pairs)
        p.row = kb.add(p.row, wgRow);
    Value staging =
        spec.persistent ? kb.gepBytes(smem, epilogueOffset(spec)) : smem;
    emitGemmEpilogue(kb, spec, pairs, m0, n0, rows, staging, tid,
                     args.drop_front(2).drop_back());
  };
  auto consume = [&] {
    if (ws) {
      NVVM::SetMaxRegisterOp::create(
          b, loc, b.getI32IntegerAttr(wsConsumerRegs(spec)),
          NVVM::SetMaxRegisterActionAttr::get(
              kb.ctx(), NVVM::SetMaxRegisterAction::increase));
      kb.barrierThreads = t.threads;
    }
    if (spec.persistent)
      forEachTile(consumeTile);
    else
      consumeTile(m0, n0, Value());
    kb.barrierThreads = 0;
  };
  if (consumer)
    kb.ifThen(consumer, consume);
  else
    consume();
  gpu::ReturnOp::create(b, loc);
  return fn;
}

} // namespace lowering
} // namespace vggq
