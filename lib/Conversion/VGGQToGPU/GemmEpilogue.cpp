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
//   output:    q = y / output_scale, then the format's CVT (Formats.def):
//              floats: e.g. cvt.rn.satfinite.e4m3x2.f32 (FP8: nearest even,
//              saturate), cvt.rn.f16x2.f32 (FP16: nearest even, IEEE);
//              integers: cvt.rni.s32.f32 (nearest even; NaN -> 0), clamped
//              to [-MAX_FINITE, MAX_FINITE]; f32: y itself
//   residual:  (a fused qadd) t1 = decode(code) * output_scale for the code
//              just computed, t2 = decode(r) * residual_scale for the
//              residual tensor's code r at the same pixel and channel,
//              v = t1 + t2 (two mul.rn and one add.rn, never an fma),
//              sum_relu: v = v > 0 ? v : +0, and the code of v / sum_scale
//              is stored; FP32 graphs: v = y + r (the fused vggq.add), then
//              the add's relu
//
// Without pooling, coded results are staged: each thread writes its
// accumulator pairs' codes (two adjacent channels) into a shared
// [BM][BN * bytes + 16] byte tile, then the block stores whole 16-byte runs of
// channels, so a warp's stores cover full 32-byte sectors (direct stores
// from the mma fragments touch 8 sectors for 64 bytes). f32 results are
// stored directly (two f32 per pair). With pooling the tile's y values go to
// shared memory as f32 [BM][BN + 8]; then the block reads the 2x2 windows
// (BM is a multiple of 2*OW, so windows never straddle tiles) and writes
// BM/4 pooled pixels. The padded pitches keep the fragment-ordered shared
// stores free of bank conflicts (a 2^k-byte pitch puts the 8 fragment rows
// on the same banks).
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <tuple>

using namespace mlir;

namespace vggq {
namespace lowering {

/// One PTX instruction `text` as inline assembly.
static Value asmOp(KernelBuilder &kb, Type result, ValueRange operands,
                   StringRef text, StringRef constraints) {
  MLIRContext *ctx = kb.ctx();
  return LLVM::InlineAsmOp::create(
             kb.builder(), kb.getLoc(), result, operands, text, constraints,
             /*has_side_effects=*/false, /*is_align_stack=*/false,
             LLVM::tailcallkind::TailCallKind::None,
             LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
             ArrayAttr())
      .getResult(0);
}

Type codeType(KernelBuilder &kb, const Precision &p) {
  return IntegerType::get(kb.ctx(), p.bits);
}

/// The code of an integer format for one f32 value, in the low bits of an
/// i32: the format's CVT (round to nearest even), clamped to +-MAX_FINITE.
static Value intCode(KernelBuilder &kb, const Precision &p, Value q) {
  Value i = asmOp(kb, kb.i32(), ValueRange{q},
                  (Twine(p.cvt) + " $0, $1;").str(), "=r,f");
  int32_t lim = static_cast<int32_t>(p.maxFinite);
  i = arith::MaxSIOp::create(kb.builder(), kb.getLoc(), i, kb.c32(-lim));
  i = arith::MinSIOp::create(kb.builder(), kb.getLoc(), i, kb.c32(lim));
  return kb.band(i, static_cast<int64_t>((1u << p.bits) - 1));
}

Value packPair(KernelBuilder &kb, const Precision &p, Value q0, Value q1) {
  Type pairType = IntegerType::get(kb.ctx(), 2 * p.bits);
  if (p.isFloat()) {
    // "cvt.<...>x2.f32 d, a, b" puts a in the upper half.
    StringRef reg = p.bits == 8 ? "h" : "r";
    return asmOp(kb, pairType, ValueRange{q1, q0},
                 (Twine(p.cvt) + " $0, $1, $2;").str(),
                 ("=" + reg + ",f,f").str());
  }
  Value packed = kb.bor(intCode(kb, p, q0), kb.shl(intCode(kb, p, q1), p.bits));
  return kb.trunc(packed, pairType);
}

Value encodeOne(KernelBuilder &kb, const Precision &p, Value q) {
  if (p.isInteger())
    return kb.trunc(intCode(kb, p, q), codeType(kb, p));
  Value pair = packPair(kb, p, q, kb.cf32(0.0f));
  return kb.trunc(pair, codeType(kb, p));
}

Value decodeCode(KernelBuilder &kb, const Precision &p, Value code) {
  OpBuilder &b = kb.builder();
  Location loc = kb.getLoc();
  auto toFloat = [&](Value bits) {
    return arith::BitcastOp::create(b, loc, kb.f32(), bits).getResult();
  };
  if (p.kind == format::Kind::F32)
    return toFloat(code);
  if (p.isInteger())
    return kb.sitofp(arith::ExtSIOp::create(b, loc, kb.i32(), code));
  Value u = arith::ExtUIOp::create(b, loc, kb.i32(), code);
  const int m = p.manBits, bias = p.bias();
  const int64_t signBit = int64_t(1) << (p.bits - 1);
  Value sign = kb.shl(kb.shr(u, p.bits - 1), 31);
  Value mag = kb.band(u, signBit - 1);
  Value expField = kb.shr(mag, m);
  Value frac = kb.band(mag, (int64_t(1) << m) - 1);
  // Normal: rebias the exponent, widen the fraction.
  Value normal = kb.bor(sign, kb.bor(kb.shl(kb.add(expField, 127 - bias), 23),
                                     kb.shl(frac, 23 - m)));
  // Subnormal (and zero): frac * 2^(1 - bias - m), exact in f32.
  Value subMag =
      kb.fmul(kb.sitofp(frac), kb.cf32(std::ldexp(1.0f, 1 - bias - m)));
  Value sub = kb.bor(
      arith::BitcastOp::create(b, loc, kb.i32(), subMag).getResult(), sign);
  Value bits = kb.select(kb.eq(expField, 0), sub, normal);
  if (p.nan == format::NaNStyle::AllOnes)
    bits = kb.select(kb.eq(mag, signBit - 1), kb.bor(sign, kb.c32(0x7FC00000)),
                     bits);
  if (p.nan == format::NaNStyle::IEEE) {
    Value special =
        kb.bor(kb.bor(sign, kb.c32(0x7F800000)), kb.shl(frac, 23 - m));
    bits = kb.select(kb.eq(expField, (int64_t(1) << p.expBits) - 1), special,
                     bits);
  }
  return toFloat(bits);
}

/// The two codes of a pair packed by packPair (low half first).
static std::pair<Value, Value> unpackPair(KernelBuilder &kb, const Precision &p,
                                          Value pair) {
  Value w = pair;
  if (!pair.getType().isInteger(32))
    w = arith::ExtUIOp::create(kb.builder(), kb.getLoc(), kb.i32(), pair);
  Type code = codeType(kb, p);
  return {kb.trunc(w, code), kb.trunc(kb.shr(w, p.bits), code)};
}

/// Row pitches of the epilogue's shared-memory tiles (see the file comment).
int64_t pooledPitchFloats(const TileConfig &t) { return t.bn + 8; }
int64_t stagedPitchBytes(const GemmSpec &s) {
  return s.tile.bn * elementBytes(s.outElem) + 16;
}

bool stagesCodes(const GemmSpec &spec) {
  return !spec.pool && !spec.outElem.isF32() && spec.n % 16 == 0 &&
         spec.tile.bn % 16 == 0;
}

int64_t epilogueSharedBytes(const GemmSpec &spec) {
  const TileConfig &t = spec.tile;
  if (spec.pool)
    return t.bm * pooledPitchFloats(t) * 4;
  if (stagesCodes(spec))
    return t.bm * stagedPitchBytes(spec);
  return 0;
}

namespace {

/// Scale and bias of one output channel, loaded once per distinct column.
struct ChannelParams {
  Value scale, bias;
};

struct Epilogue {
  KernelBuilder &kb;
  const GemmSpec &spec;
  Value scalePtr, biasPtr, residualPtr, outPtr;

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
    return spec.relu ? relu(y) : y;
  }

  /// y > 0 ? y : +0 (NaN and -0 give +0).
  Value relu(Value y) {
    Value zero = kb.cf32(0.0f);
    Value pos = arith::CmpFOp::create(kb.builder(), kb.getLoc(),
                                      arith::CmpFPredicate::OGT, y, zero);
    return kb.select(pos, y, zero);
  }

  /// The scale of the stored codes: the sum's with a residual add.
  float storedScale() const {
    return spec.residual ? spec.sumScale : *spec.outScale;
  }

  /// The two codes of channels (col, col+1), packed (low half: col).
  Value codes(Value y0, Value y1) {
    Value s = kb.cf32(storedScale());
    return packPair(kb, *lookupPrecision(spec.outElem), kb.fdiv(y0, s),
                    kb.fdiv(y1, s));
  }

  /// The residual's values at output (row, col) and (row, col + 1), global
  /// indices: decoded and scaled codes, or f32. Outside the output (rows
  /// beyond M, channels beyond N: never stored) element 0 is read instead.
  std::pair<Value, Value> residualPair(Value row, Value col, Value rows) {
    Value valid = kb.andi(kb.slt(row, rows), kb.ult(col, spec.n));
    Value base = kb.add(kb.mul(kb.zext64(row), kb.c64(spec.n)), kb.zext64(col));
    base = kb.select(valid, base, kb.c64(0));
    if (spec.residualElem.isF32()) {
      // An odd channel count: col + 1 may be past the last channel.
      Value next =
          kb.select(kb.ult(kb.add(col, 1), spec.n), kb.c64(1), kb.c64(0));
      return {kb.load(kb.f32(), kb.gep(residualPtr, base, kb.f32()), 4),
              kb.load(kb.f32(),
                      kb.gep(residualPtr, kb.add(base, next), kb.f32()), 4)};
    }
    const Precision &p = *lookupPrecision(spec.residualElem);
    Type pairType = IntegerType::get(kb.ctx(), 2 * p.bits);
    Value pair = kb.load(pairType, kb.gep(residualPtr, base, codeType(kb, p)),
                         2 * p.bytes());
    auto [c0, c1] = unpackPair(kb, p, pair);
    Value s = kb.cf32(spec.residualScale);
    return {kb.fmul(decodeCode(kb, p, c0), s),
            kb.fmul(decodeCode(kb, p, c1), s)};
  }

  /// The residual add of channels (col, col + 1) of output row `row` (see
  /// the file comment): the f32 sums, to be stored or converted.
  std::pair<Value, Value> addResidual(Value row, Value col, Value rows,
                                      Value y0, Value y1) {
    Value t0 = y0, t1 = y1;
    if (!spec.outElem.isF32()) {
      const Precision &p = *lookupPrecision(spec.outElem);
      Value s = kb.cf32(*spec.outScale);
      auto [c0, c1] =
          unpackPair(kb, p, packPair(kb, p, kb.fdiv(y0, s), kb.fdiv(y1, s)));
      t0 = kb.fmul(decodeCode(kb, p, c0), s);
      t1 = kb.fmul(decodeCode(kb, p, c1), s);
    }
    auto [r0, r1] = residualPair(row, col, rows);
    Value v0 = kb.fadd(t0, r0), v1 = kb.fadd(t1, r1);
    if (spec.sumRelu)
      return {relu(v0), relu(v1)};
    return {v0, v1};
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
    const Precision &p = *lookupPrecision(spec.outElem);
    kb.store(codes(y0, y1), kb.gep(outPtr, base, codeType(kb, p)),
             2 * p.bytes());
  }
};

} // namespace

void emitGemmEpilogue(KernelBuilder &kb, const GemmSpec &spec,
                      ArrayRef<AccPair> pairs, Value m0, Value n0, Value rows,
                      Value smem, Value tid, ValueRange args) {
  assert(!(spec.pool && spec.residual) && "a pool after a residual add");
  unsigned nextArg = 0;
  auto optionalArg = [&](bool present) {
    return present ? args[nextArg++] : Value();
  };
  Value scalePtr = optionalArg(spec.hasScale);
  Value biasPtr = optionalArg(spec.hasBias);
  Value residualPtr = optionalArg(spec.residual);
  Epilogue ep{kb, spec, scalePtr, biasPtr, residualPtr, args.back()};
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
    if (spec.residual)
      std::tie(y0, y1) = ep.addResidual(kb.add(m0, p.row), col, rows, y0, y1);
    if (spec.pool) {
      Value off = kb.add(kb.mul(p.row, pooledPitchFloats(t)), p.col);
      kb.store(y0, kb.gep(smem, off, kb.f32()), 8);
      kb.store(y1, kb.gep(smem, kb.add(off, 1), kb.f32()), 4);
      continue;
    }
    if (stagesCodes(spec)) {
      // Rows and channels beyond the output are staged too and never stored.
      unsigned eb = elementBytes(spec.outElem);
      Value off = kb.add(kb.mul(p.row, stagedPitchBytes(spec)),
                         kb.mul(p.col, static_cast<int64_t>(eb)));
      kb.store(ep.codes(y0, y1), kb.gepBytes(smem, off), 2 * eb);
      continue;
    }
    Value row = kb.add(m0, p.row);
    kb.ifThen(kb.andi(kb.slt(row, rows), kb.ult(col, spec.n)),
              [&] { ep.storePair(row, col, y0, y1); });
  }
  if (stagesCodes(spec)) {
    // Staged pass: item = (tile row, 16-byte run of channels).
    kb.barrier();
    int64_t eb = elementBytes(spec.outElem);
    int64_t runsPerRow = t.bn * eb / 16;
    Type v4 = VectorType::get({4}, kb.i32());
    Value step = kb.c32(t.threads);
    kb.forLoop(tid, kb.c32(t.bm * runsPerRow), step, {},
               [&](Value item, ValueRange) {
      Value r = kb.div(item, runsPerRow);
      Value run = kb.rem(item, runsPerRow);
      Value cb = kb.mul(run, 16 / eb);
      Value row = kb.add(m0, r);
      Value col = kb.add(n0, cb);
      kb.ifThen(kb.andi(kb.slt(row, rows), kb.ult(col, spec.n)), [&] {
        Value src = kb.add(kb.mul(r, stagedPitchBytes(spec)), kb.mul(run, 16));
        Value v = kb.load(v4, kb.gepBytes(smem, src), 16);
        Value base =
            kb.add(kb.mul(kb.zext64(row), kb.c64(spec.n)), kb.zext64(col));
        kb.store(v, kb.gepBytes(ep.outPtr, kb.mul(base, kb.c64(eb))), 16);
      });
      return SmallVector<Value>{};
    });
    return;
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
      // One 8-byte load per window pixel reads both channels.
      Type v2 = VectorType::get({2}, kb.f32());
      Value y[2];
      for (int64_t d : {int64_t(0), int64_t(1), spec.ow, spec.ow + 1}) {
        Value off = kb.add(kb.mul(kb.add(r, d), pooledPitchFloats(t)), c);
        Value v = kb.load(v2, kb.gep(smem, off, kb.f32()), 8);
        for (int j = 0; j < 2; ++j) {
          Value e = LLVM::ExtractElementOp::create(kb.builder(), kb.getLoc(),
                                                   v, kb.c32(j));
          y[j] = y[j] ? kb.fmax(y[j], e) : e;
        }
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
