//===- SimpleKernels.cpp - quantize and pooling kernels ---------*- C++ -*-===//
//
// Builds the input quantize, max-pool and average-pool kernels of
// SimpleKernels.h. The quantize kernel computes q = x / scale (div.rn.f32,
// as the reference executor) and converts with the epilogue's conversion
// (packPair), so the codes are the reference's bit for bit; the average
// pool decodes with the registry's formats (decodeCode) and follows the
// executor's f32 operation order.
//
//===----------------------------------------------------------------------===//
#include "SimpleKernels.h"
#include "GemmKernel.h"

#include <cmath>
#include <cstdint>

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

/// Orderable key of a code (float formats are sign-magnitude, integers
/// two's complement). NaN codes order above every number, as in no window of
/// a relu'd tensor.
Value codeKey(KernelBuilder &kb, Value code, const Precision &p) {
  if (p.isInteger())
    return arith::ExtSIOp::create(kb.builder(), kb.getLoc(), kb.i32(), code);
  int64_t signBit = int64_t(1) << (p.bits - 1);
  Value u = arith::ExtUIOp::create(kb.builder(), kb.getLoc(), kb.i32(), code);
  Value mag = kb.band(u, signBit - 1);
  Value neg = kb.cmp(arith::CmpIPredicate::ne, kb.band(u, signBit), kb.c32(0));
  return kb.select(neg, kb.sub(kb.c32(0), mag), mag);
}

} // namespace

gpu::GPUFuncOp createSimpleKernel(OpBuilder &b, Location loc,
                                  gpu::GPUModuleOp gpuModule, StringRef name,
                                  unsigned numPointers) {
  b.setInsertionPointToEnd(gpuModule.getBody());
  Type gptr = LLVM::LLVMPointerType::get(b.getContext(), kGlobalSpace);
  SmallVector<Type> args(numPointers, gptr);
  args.push_back(b.getI32Type());
  auto fn = gpu::GPUFuncOp::create(b, loc, name, b.getFunctionType(args, {}));
  fn->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  fn->setAttr("nvvm.maxntid", b.getDenseI32ArrayAttr(
                                  {static_cast<int32_t>(kSimpleBlock), 1, 1}));
  fn->setAttr("vggq.shared_bytes", b.getI64IntegerAttr(0));
  b.setInsertionPointToStart(&fn.getBody().front());
  return fn;
}

std::pair<Value, Value> simpleGlobalIndex(KernelBuilder &kb, Value batch,
                                          int64_t perImage) {
  Value idx = kb.add(kb.mul(kb.blockIdX(), kSimpleBlock), kb.threadIdX());
  Value total = kb.mul(batch, perImage);
  return {idx, kb.slt(idx, total)};
}

gpu::GPUFuncOp buildQuantizeKernel(OpBuilder &b, Location loc,
                                   gpu::GPUModuleOp gpuModule, StringRef name,
                                   int64_t pixelsPerImage, int64_t channels,
                                   int64_t stored, float scale, Type outElem) {
  OpBuilder::InsertionGuard guard(b);
  gpu::GPUFuncOp fn = createSimpleKernel(b, loc, gpuModule, name, 2);
  KernelBuilder kb(b, loc);
  ValueRange args = fn.getArguments();
  auto [pix, inRange] = simpleGlobalIndex(kb, args[2], pixelsPerImage);
  kb.ifThen(inRange, [&] {
    Value inBase = kb.mul(kb.zext64(pix), kb.c64(channels));
    Value outBase = kb.mul(kb.zext64(pix), kb.c64(stored));
    Value s = kb.cf32(scale);
    SmallVector<Value> q;
    for (int64_t c = 0; c < stored; ++c) {
      if (c >= channels) {
        q.push_back(kb.cf32(0.0f));
        continue;
      }
      Value x = kb.load(
          kb.f32(), kb.gep(args[0], kb.add(inBase, kb.c64(c)), kb.f32()), 4);
      q.push_back(kb.fdiv(x, s));
    }
    const Precision &p = *lookupPrecision(outElem);
    for (int64_t c = 0; c + 1 < stored; c += 2) {
      Value packed = packPair(kb, p, q[c], q[c + 1]);
      kb.store(packed,
               kb.gep(args[1], kb.add(outBase, kb.c64(c)), codeType(kb, p)),
               2 * p.bytes());
    }
  });
  gpu::ReturnOp::create(b, loc);
  return fn;
}

gpu::GPUFuncOp buildPoolKernel(OpBuilder &b, Location loc,
                               gpu::GPUModuleOp gpuModule, StringRef name,
                               const PoolSpec &spec) {
  OpBuilder::InsertionGuard guard(b);
  gpu::GPUFuncOp fn = createSimpleKernel(b, loc, gpuModule, name, 2);
  KernelBuilder kb(b, loc);
  ValueRange args = fn.getArguments();
  bool isF32 = spec.elem.isF32();
  const Precision &prec = *lookupPrecision(spec.elem);
  Type elemType = isF32 ? kb.f32() : codeType(kb, prec);
  unsigned eb = prec.bytes();
  auto [idx, inRange] =
      simpleGlobalIndex(kb, args[2], spec.oh * spec.ow * spec.c);
  kb.ifThen(inRange, [&] {
    Value c = kb.rem(idx, spec.c);
    Value pix = kb.div(idx, spec.c);
    Value ow = kb.rem(pix, spec.ow);
    Value oh = kb.rem(kb.div(pix, spec.ow), spec.oh);
    Value img = kb.div(pix, spec.ow * spec.oh);
    // Padding taps never win: start below every value.
    Value best = isF32 ? kb.cf32(-INFINITY) : kb.c32(0);
    if (!isF32)
      best = kb.trunc(best, elemType);
    Value bestKey = isF32 ? best : kb.c32(INT32_MIN);
    for (int64_t dh = 0; dh < spec.kh; ++dh)
      for (int64_t dw = 0; dw < spec.kw; ++dw) {
        Value ih = kb.add(kb.mul(oh, spec.strideH), dh - spec.padTop);
        Value iw = kb.add(kb.mul(ow, spec.strideW), dw - spec.padLeft);
        Value valid = kb.andi(kb.ult(ih, spec.h), kb.ult(iw, spec.w));
        Value p = kb.add(kb.mul(kb.add(kb.mul(img, spec.h), ih), spec.w), iw);
        Value off = kb.add(kb.mul(kb.zext64(p), kb.c64(spec.c)), kb.zext64(c));
        off = kb.select(valid, off, kb.c64(0));
        Value v = kb.load(elemType, kb.gep(args[0], off, elemType), eb);
        Value key = isF32 ? v : codeKey(kb, v, prec);
        Value better =
            isF32 ? arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                          key, bestKey)
                        .getResult()
                  : kb.cmp(arith::CmpIPredicate::sgt, key, bestKey);
        better = kb.andi(valid, better);
        best = kb.select(better, v, best);
        bestKey = kb.select(better, key, bestKey);
      }
    kb.store(best, kb.gep(args[1], kb.zext64(idx), elemType), eb);
  });
  gpu::ReturnOp::create(b, loc);
  return fn;
}

gpu::GPUFuncOp buildAvgPoolKernel(OpBuilder &b, Location loc,
                                  gpu::GPUModuleOp gpuModule, StringRef name,
                                  const AvgPoolSpec &spec) {
  OpBuilder::InsertionGuard guard(b);
  gpu::GPUFuncOp fn = createSimpleKernel(b, loc, gpuModule, name, 2);
  KernelBuilder kb(b, loc);
  ValueRange args = fn.getArguments();
  const PoolSpec &ps = spec.pool;
  const Precision &inP = *lookupPrecision(ps.elem);
  const Precision &outP = *lookupPrecision(spec.outElem);
  Type inType = ps.elem.isF32() ? kb.f32() : codeType(kb, inP);
  auto [idx, inRange] = simpleGlobalIndex(kb, args[2], ps.oh * ps.ow * ps.c);
  kb.ifThen(inRange, [&] {
    Value c = kb.rem(idx, ps.c);
    Value pix = kb.div(idx, ps.c);
    Value ow = kb.rem(pix, ps.ow);
    Value oh = kb.rem(kb.div(pix, ps.ow), ps.oh);
    Value img = kb.div(pix, ps.ow * ps.oh);
    Value ih0 = kb.add(kb.mul(oh, ps.strideH), -ps.padTop);
    Value iw0 = kb.add(kb.mul(ow, ps.strideW), -ps.padLeft);
    Value inScale = kb.cf32(spec.inScale);
    // Row-major window order, cells outside the input skipped (they are 0
    // and count only with count_include_pad).
    SmallVector<Value> rowIters = kb.forLoop(
        kb.c32(0), kb.c32(ps.kh), kb.c32(1), {kb.cf32(0.0f), kb.c32(0)},
        [&](Value dh, ValueRange outer) {
          Value ih = kb.add(ih0, dh);
          return kb.forLoop(
              kb.c32(0), kb.c32(ps.kw), kb.c32(1), outer,
              [&](Value dw, ValueRange it) {
                Value iw = kb.add(iw0, dw);
                Value valid = kb.andi(kb.ult(ih, ps.h), kb.ult(iw, ps.w));
                Value p =
                    kb.add(kb.mul(kb.add(kb.mul(img, ps.h), ih), ps.w), iw);
                Value off =
                    kb.add(kb.mul(kb.zext64(p), kb.c64(ps.c)), kb.zext64(c));
                off = kb.select(valid, off, kb.c64(0));
                Value v =
                    kb.load(inType, kb.gep(args[0], off, inType), inP.bytes());
                Value x = ps.elem.isF32()
                              ? v
                              : kb.fmul(decodeCode(kb, inP, v), inScale);
                Value sum = kb.select(valid, kb.fadd(it[0], x), it[0]);
                Value count = kb.add(
                    it[1], arith::ExtUIOp::create(b, loc, kb.i32(), valid));
                return SmallVector<Value>{sum, count};
              });
        });
    Value count = spec.countIncludePad ? kb.c32(ps.kh * ps.kw) : rowIters[1];
    Value avg = kb.fdiv(rowIters[0], kb.sitofp(count));
    Value outPtr = args[1];
    if (spec.outElem.isF32()) {
      kb.store(avg, kb.gep(outPtr, kb.zext64(idx), kb.f32()), 4);
      return;
    }
    Value code = encodeOne(kb, outP, kb.fdiv(avg, kb.cf32(spec.outScale)));
    kb.store(code, kb.gep(outPtr, kb.zext64(idx), codeType(kb, outP)),
             outP.bytes());
  });
  gpu::ReturnOp::create(b, loc);
  return fn;
}

} // namespace lowering
} // namespace vggq
