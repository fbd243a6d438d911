//===- GemmKernel.cpp - the implicit-GEMM kernel skeleton -------*- C++ -*-===//
//
// Builds one GEMM kernel: block (blockIdx.x, blockIdx.y) computes the output
// tile rows [m0, m0 + BM) x channels [n0, n0 + BN). K is walked in slices of
// 64 bytes through a ring of `stages` shared-memory buffers filled by
// cp.async (16-byte copies, or 4/8-byte ones where a pixel is narrower), so
// that stages - 1 slices are in flight while one is multiplied:
//
//   prologue: load slices 0 .. S-2, one commit group each
//   for kt in [0, KT):
//     cp.async.wait_group S-2; bar.sync     // slice kt has landed
//     load slice kt+S-1 into slot (kt+S-1) % S (if any); commit
//     acc = strategy.multiplyStage(slot kt % S, acc)
//   cp.async.wait_group 0; bar.sync; epilogue
//
// The A loader gathers the im2col matrix on the fly: row m = (image, oh, ow),
// K byte kb = (tap, channel byte) with tap = kh * KW + kw; out-of-image taps,
// rows beyond M and K beyond the real K are zero-filled (cp.async src-size
// 0). B is the weight matrix [nPadded][kPadded], padded with zeros on the
// host, so its loads are never guarded.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

using namespace mlir;

namespace vggq {
namespace lowering {

Value swizzledOffset(KernelBuilder &kb, Value row, Value kByte) {
  Value chunk = kb.shr(kByte, 4);
  Value phys = kb.bxor(chunk, kb.band(kb.shr(row, 1), 3));
  return kb.add(kb.add(kb.mul(row, kTileRowBytes), kb.shl(phys, 4)),
                kb.band(kByte, 15));
}

int64_t gemmSharedBytes(const GemmSpec &spec) {
  const TileConfig &t = spec.tile;
  int64_t pipeline = t.stages * (t.bm + t.bn) * kTileRowBytes;
  return std::max(pipeline, epilogueSharedBytes(spec));
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

/// Emits one cp.async of `bytes` bytes, copying `valid ? bytes : 0` bytes.
void copyAsync(KernelBuilder &kb, Value dst, Value src, int64_t bytes,
               Value valid) {
  OpBuilder &b = kb.builder();
  auto cache = bytes == 16 ? NVVM::LoadCacheModifierKind::CG
                           : NVVM::LoadCacheModifierKind::CA;
  Value size = valid ? kb.select(valid, kb.c32(bytes), kb.c32(0)) : Value();
  NVVM::CpAsyncOp::create(b, kb.getLoc(), dst, src, b.getI32IntegerAttr(bytes),
                          NVVM::LoadCacheModifierKindAttr::get(kb.ctx(), cache),
                          size);
}

/// Loads K slice `kt` into ring slot `slot`.
struct TileLoader {
  const GemmSpec &spec;
  Value aPtr, bPtr, smem, tid, m0, n0, rows;

  void load(KernelBuilder &kb, Value kt, Value slot) {
    const TileConfig &t = spec.tile;
    Value k0 = kb.mul(kt, kTileRowBytes);
    Value aTile = kb.gepBytes(smem, kb.mul(slot, t.bm * kTileRowBytes));
    Value bTile =
        kb.gepBytes(smem, kb.add(kb.mul(slot, t.bn * kTileRowBytes),
                                 kb.c32(t.stages * t.bm * kTileRowBytes)));
    int64_t g = granuleBytes(spec);
    int64_t perRow = kTileRowBytes / g;
    int64_t pixelBytes = spec.cin * spec.inBytes;
    int64_t taps = spec.kh * spec.kw;
    for (int64_t i = 0; i * t.threads < t.bm * perRow; ++i) {
      Value c = kb.add(tid, i * t.threads);
      Value r = kb.div(c, perRow);
      Value kbyte = kb.mul(kb.rem(c, perRow), g);
      Value m = kb.add(m0, r);
      Value kg = kb.add(k0, kbyte);
      Value tap = kb.div(kg, pixelBytes);
      Value cbyte = kb.rem(kg, pixelBytes);
      Value img = kb.div(m, spec.oh * spec.ow);
      Value pix = kb.rem(m, spec.oh * spec.ow);
      Value ih = kb.add(kb.mul(kb.div(pix, spec.ow), spec.strideH),
                        kb.add(kb.div(tap, spec.kw), -spec.padTop));
      Value iw = kb.add(kb.mul(kb.rem(pix, spec.ow), spec.strideW),
                        kb.add(kb.rem(tap, spec.kw), -spec.padLeft));
      Value valid = kb.andi(kb.slt(m, rows), kb.ult(tap, taps));
      valid = kb.andi(valid, kb.andi(kb.ult(ih, spec.h), kb.ult(iw, spec.w)));
      if ((t.bm * perRow) % t.threads != 0)
        valid = kb.andi(valid, kb.ult(c, t.bm * perRow));
      Value pixel = kb.add(kb.mul(kb.add(kb.mul(img, spec.h), ih), spec.w), iw);
      Value off =
          kb.add(kb.mul(kb.sext64(pixel), pixelBytes), kb.zext64(cbyte));
      Value src = kb.gepBytes(aPtr, kb.select(valid, off, kb.c64(0)));
      Value dst = kb.gepBytes(aTile, swizzledOffset(kb, r, kbyte));
      copyAsync(kb, dst, src, g, valid);
    }
    int64_t rowBytes = spec.kPadded * spec.inBytes;
    for (int64_t i = 0; i * t.threads < t.bn * 4; ++i) {
      Value c = kb.add(tid, i * t.threads);
      Value r = kb.div(c, 4);
      Value kbyte = kb.mul(kb.rem(c, 4), 16);
      Value off = kb.add(kb.mul(kb.zext64(kb.add(n0, r)), rowBytes),
                         kb.zext64(kb.add(k0, kbyte)));
      Value dst = kb.gepBytes(bTile, swizzledOffset(kb, r, kbyte));
      Value src = kb.gepBytes(bPtr, off);
      if ((t.bn * 4) % t.threads != 0)
        kb.ifThen(kb.ult(c, t.bn * 4),
                  [&] { copyAsync(kb, dst, src, 16, Value()); });
      else
        copyAsync(kb, dst, src, 16, Value());
    }
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
  SmallVector<Type> argTypes{gptr, gptr};
  if (spec.hasScale)
    argTypes.push_back(gptr);
  if (spec.hasBias)
    argTypes.push_back(gptr);
  argTypes.push_back(gptr);
  argTypes.push_back(kb.i32());
  auto fn = gpu::GPUFuncOp::create(b, loc, spec.name,
                                   b.getFunctionType(argTypes, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  const TileConfig &t = spec.tile;
  fn->setAttr("nvvm.maxntid",
              b.getDenseI32ArrayAttr({static_cast<int32_t>(t.threads), 1, 1}));
  fn->setAttr("vggq.tile", b.getDenseI64ArrayAttr({t.bm, t.bn, t.bk}));
  fn->setAttr("vggq.stages", b.getI64IntegerAttr(t.stages));
  fn->setAttr("vggq.mma", b.getStringAttr(strategy.name()));
  fn->setAttr("vggq.shared_bytes", b.getI64IntegerAttr(gemmSharedBytes(spec)));
  if (spec.pool)
    fn->setAttr("vggq.pool_fused", b.getUnitAttr());

  Block &entry = fn.getBody().front();
  b.setInsertionPointToStart(&entry);
  ValueRange args = entry.getArguments();
  Value tid = kb.threadIdX();
  Value rows = kb.mul(args.back(), spec.oh * spec.ow);
  Value m0 = kb.mul(kb.blockIdX(), t.bm);
  Value n0 = kb.mul(kb.blockIdY(), t.bn);
  Value smem = getSharedBuffer(kb, gpuModule, spec.name + "_smem",
                               gemmSharedBytes(spec));
  TileLoader loader{spec, args[0], args[1], smem, tid, m0, n0, rows};
  strategy.prepare(kb, spec, tid);

  int64_t kTiles = spec.kPadded * spec.inBytes / kTileRowBytes;
  for (int64_t s = 0; s + 1 < t.stages; ++s) {
    if (s < kTiles)
      loader.load(kb, kb.c32(s), kb.c32(s));
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  }
  Value zero = strategy.accType(kb).isF32() ? kb.cf32(0.0f) : kb.c32(0);
  SmallVector<Value> init(strategy.numAccumulators(spec), zero);
  SmallVector<Value> acc = kb.forLoop(
      kb.c32(0), kb.c32(kTiles), kb.c32(1), init,
      [&](Value kt, ValueRange iters) {
        NVVM::CpAsyncWaitGroupOp::create(b, loc,
                                         b.getI32IntegerAttr(t.stages - 2));
        kb.barrier();
        Value next = kb.add(kt, t.stages - 1);
        kb.ifThen(kb.ult(next, kTiles),
                  [&] { loader.load(kb, next, kb.rem(next, t.stages)); });
        NVVM::CpAsyncCommitGroupOp::create(b, loc);
        Value slot = kb.rem(kt, t.stages);
        Value aTile = kb.gepBytes(smem, kb.mul(slot, t.bm * kTileRowBytes));
        Value bTile =
            kb.gepBytes(smem, kb.add(kb.mul(slot, t.bn * kTileRowBytes),
                                     kb.c32(t.stages * t.bm * kTileRowBytes)));
        return strategy.multiplyStage(kb, spec, aTile, bTile, iters);
      });
  NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
  kb.barrier();
  SmallVector<AccPair> pairs = strategy.accumulatorPairs(kb, spec, acc);
  emitGemmEpilogue(kb, spec, pairs, m0, n0, rows, smem, tid,
                   args.drop_front(2).drop_back());
  gpu::ReturnOp::create(b, loc);
  return fn;
}

} // namespace lowering
} // namespace vggq
