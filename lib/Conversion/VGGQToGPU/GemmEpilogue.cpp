//===- GemmEpilogue.cpp - fused GEMM epilogue -------------------*- C++ -*-===//
//
// The epilogue computes, per accumulator, exactly the f32 operation sequence
// of the CPU reference executor (lib/Executor/QuantOps.cpp), with no FMA
// contraction (PTX mul.rn / add.rn / div.rn):
//
//   s[o] = input_scale * weight_scales[o]      (f32, on the host: weights blob)
//   f32 bias:  y = float(acc) * s[o];  y = y + bias[o]
//   i32 bias:  y = float(acc + bias[o]) * s[o]   (INT8; integer add)
//   no bias:   y = float(acc) * s[o]
//   FP32 path: y = acc + bias[o]                 (no scale)
//   relu:      y = y > 0 ? y : +0                (NaN and -0 give +0)
//   pool:      y = max of the 2x2 window's y     (before quantization: the
//              conversion is monotone, so this equals pooling the codes)
//   output:    q = y / output_scale, then
//              FP8:  cvt.rn.satfinite.{e4m3,e5m2}x2.f32 (nearest even,
//              saturate) INT8: cvt.rni.s32.f32 (nearest even; NaN -> 0), clamp
//              [-127, 127] f32:  y itself
//
// Without pooling each thread stores its accumulator pairs directly (two
// adjacent channels: one 16-bit store of two codes, or two f32). With
// pooling the tile's y values go to shared memory as f32 [BM][BN]; then the
// block reads the 2x2 windows (BM is a multiple of 2*OW, so windows never
// straddle tiles) and writes BM/4 pooled pixels.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace vggq {
namespace lowering {

Value packPair8(KernelBuilder &kb, Type outElem, Value q0, Value q1) {
  OpBuilder &b = kb.builder();
  MLIRContext *ctx = kb.ctx();
  if (isa<FloatType>(outElem)) {
    // The first operand goes to the high byte.
    return NVVM::ConvertF32x2ToF8x2Op::create(
        b, kb.getLoc(), kb.i16(), q1, q0,
        NVVM::FPRoundingModeAttr::get(ctx, NVVM::FPRoundingMode::RN),
        NVVM::SaturationModeAttr::get(ctx, NVVM::SaturationMode::SATFINITE),
        b.getBoolAttr(false), TypeAttr::get(outElem));
  }
  auto toS8 = [&](Value q) {
    Value i =
        LLVM::InlineAsmOp::create(
            b, kb.getLoc(), kb.i32(), ValueRange{q}, "cvt.rni.s32.f32 $0, $1;",
            "=r,f", /*has_side_effects=*/false,
            /*is_align_stack=*/false, LLVM::tailcallkind::TailCallKind::None,
            LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
            ArrayAttr())
            .getResult(0);
    i = arith::MaxSIOp::create(b, kb.getLoc(), i, kb.c32(-127));
    i = arith::MinSIOp::create(b, kb.getLoc(), i, kb.c32(127));
    return kb.band(i, 0xFF);
  };
  Value packed = kb.bor(toS8(q0), kb.shl(toS8(q1), 8));
  return kb.trunc(packed, kb.i16());
}

namespace {

/// Scale and bias of one output channel, loaded once per distinct column.
struct ChannelParams {
  Value scale, bias;
};

struct Epilogue {
  KernelBuilder &kb;
  const GemmSpec &spec;
  Value scalePtr, biasPtr, outPtr;

  ChannelParams params(Value col) {
    ChannelParams p;
    Value idx = kb.zext64(col);
    if (spec.hasScale)
      p.scale = kb.load(kb.f32(), kb.gep(scalePtr, idx, kb.f32()), 4);
    if (spec.hasBias) {
      Type t = spec.biasIsInt ? kb.i32() : kb.f32();
      p.bias = kb.load(t, kb.gep(biasPtr, idx, t), 4);
    }
    return p;
  }

  /// y for one accumulator (see the file comment).
  Value value(Value acc, const ChannelParams &p) {
    Value y;
    if (!spec.hasScale) {
      y = p.bias ? kb.fadd(acc, p.bias) : acc;
    } else if (spec.biasIsInt) {
      y = kb.fmul(kb.sitofp(kb.add(acc, p.bias)), p.scale);
    } else {
      Value a = acc.getType().isF32() ? acc : kb.sitofp(acc);
      y = kb.fmul(a, p.scale);
      if (p.bias)
        y = kb.fadd(y, p.bias);
    }
    if (spec.relu) {
      Value zero = kb.cf32(0.0f);
      Value pos = arith::CmpFOp::create(kb.builder(), kb.getLoc(),
                                        arith::CmpFPredicate::OGT, y, zero);
      y = kb.select(pos, y, zero);
    }
    return y;
  }

  /// Stores channels (col, col+1) of output row `row` (global indices).
  void storePair(Value row, Value col, Value y0, Value y1) {
    Value base = kb.add(kb.mul(kb.zext64(row), kb.c64(spec.n)), kb.zext64(col));
    if (spec.outElem.isF32()) {
      kb.store(y0, kb.gep(outPtr, base, kb.f32()), 4);
      kb.ifThen(kb.ult(kb.add(col, 1), spec.n), [&] {
        kb.store(y1, kb.gep(outPtr, kb.add(base, kb.c64(1)), kb.f32()), 4);
      });
      return;
    }
    Value s = kb.cf32(*spec.outScale);
    Value packed = packPair8(kb, spec.outElem, kb.fdiv(y0, s), kb.fdiv(y1, s));
    kb.store(packed, kb.gep(outPtr, base, kb.i8()), 2);
  }
};

} // namespace

void emitGemmEpilogue(KernelBuilder &kb, const GemmSpec &spec,
                      ArrayRef<AccPair> pairs, Value m0, Value n0, Value rows,
                      Value smem, Value tid, ValueRange args) {
  Epilogue ep{kb, spec, spec.hasScale ? args[0] : Value(),
              spec.hasBias ? args[spec.hasScale ? 1 : 0] : Value(),
              args.back()};
  // Each pair holds channels (col, col+1): both channels' scale and bias,
  // loaded once per distinct column. col+1 is clamped to the last channel
  // (an odd channel count's padding column is never stored as f32, and its
  // 8-bit code is padding).
  llvm::DenseMap<Value, std::pair<ChannelParams, ChannelParams>> cache;
  const TileConfig &t = spec.tile;
  for (const AccPair &p : pairs) {
    Value col = kb.add(n0, p.col);
    auto it = cache.find(p.col);
    if (it == cache.end()) {
      Value next = kb.add(col, 1);
      Value last = kb.c32(spec.n - 1);
      next = kb.select(kb.ult(next, spec.n), next, last);
      it = cache.insert({p.col, {ep.params(col), ep.params(next)}}).first;
    }
    Value y0 = ep.value(p.v0, it->second.first);
    Value y1 = ep.value(p.v1, it->second.second);
    if (spec.pool) {
      Value off = kb.add(kb.mul(p.row, t.bn), p.col);
      kb.store(y0, kb.gep(smem, off, kb.f32()), 4);
      kb.store(y1, kb.gep(smem, kb.add(off, 1), kb.f32()), 4);
      continue;
    }
    Value row = kb.add(m0, p.row);
    kb.ifThen(kb.andi(kb.slt(row, rows), kb.ult(col, spec.n)),
              [&] { ep.storePair(row, col, y0, y1); });
  }
  if (!spec.pool)
    return;

  // Pooled pass: item = (pooled pixel p of the tile, channel pair cp).
  kb.barrier();
  int64_t halfW = spec.ow / 2, pairsPerRow = t.bn / 2;
  int64_t items = (t.bm / 4) * pairsPerRow;
  Value step = kb.c32(t.threads);
  kb.forLoop(tid, kb.c32(items), step, {}, [&](Value item, ValueRange) {
    Value p = kb.div(item, pairsPerRow);
    Value c = kb.mul(kb.rem(item, pairsPerRow), 2);
    // Top-left tile row of the window: (p / halfW) row pairs, 2 columns each.
    Value r = kb.add(kb.mul(kb.div(p, halfW), 2 * spec.ow),
                     kb.mul(kb.rem(p, halfW), 2));
    Value col = kb.add(n0, c);
    Value valid = kb.andi(kb.slt(kb.add(m0, r), rows), kb.ult(col, spec.n));
    kb.ifThen(valid, [&] {
      Value y[2];
      for (int j = 0; j < 2; ++j) {
        Value best;
        for (int64_t d : {int64_t(0), int64_t(1), spec.ow, spec.ow + 1}) {
          Value off = kb.add(kb.mul(kb.add(r, d), t.bn), kb.add(c, j));
          Value v = kb.load(kb.f32(), kb.gep(smem, off, kb.f32()), 4);
          best = best ? kb.fmax(best, v) : v;
        }
        y[j] = best;
      }
      // Pooled pixel index: the tile starts at pooled pixel m0 / 4.
      Value prow = kb.add(kb.div(m0, 4), p);
      ep.storePair(prow, col, y[0], y[1]);
    });
    return SmallVector<Value>{};
  });
}

} // namespace lowering
} // namespace vggq
