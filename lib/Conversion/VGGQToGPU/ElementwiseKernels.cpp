//===- ElementwiseKernels.cpp - add and shortcut kernels --------*- C++ -*-===//
//
// Builds the elementwise add (f32 and quantized) and the subsample_pad
// kernels of SimpleKernels.h. The quantized add computes exactly the
// reference executor's f32 sequence: two products (mul.rn), one sum
// (add.rn; no fma contraction), the relu, the division by the output scale
// (div.rn) and the format's conversion (encodeOne, as the GEMM epilogue).
// subsample_pad moves bits: the code of 0 is 0 in every format.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"
#include "SimpleKernels.h"

using namespace mlir;

namespace vggq {
namespace lowering {

gpu::GPUFuncOp buildAddKernel(OpBuilder &b, Location loc,
                              gpu::GPUModuleOp gpuModule, StringRef name,
                              const AddSpec &spec) {
  OpBuilder::InsertionGuard guard(b);
  gpu::GPUFuncOp fn = createSimpleKernel(b, loc, gpuModule, name, 3);
  KernelBuilder kb(b, loc);
  ValueRange args = fn.getArguments();
  // Named values, not structured bindings: lambdas capture them (C++17).
  auto index = simpleGlobalIndex(kb, args[3], spec.elements);
  Value idx = index.first, inRange = index.second;
  kb.ifThen(inRange, [&] {
    Value i = kb.zext64(idx);
    // One operand's real value: f32 as is, codes decoded and scaled.
    auto operand = [&](Value ptr, Type elem, float scale) {
      if (elem.isF32())
        return kb.load(kb.f32(), kb.gep(ptr, i, kb.f32()), 4);
      const Precision &p = *lookupPrecision(elem);
      Value code =
          kb.load(codeType(kb, p), kb.gep(ptr, i, codeType(kb, p)), p.bytes());
      return kb.fmul(decodeCode(kb, p, code), kb.cf32(scale));
    };
    Value lhs = operand(args[0], spec.lhsElem, spec.lhsScale);
    Value rhs = operand(args[1], spec.rhsElem, spec.rhsScale);
    Value v = kb.fadd(lhs, rhs);
    if (spec.relu) {
      Value zero = kb.cf32(0.0f);
      Value pos =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v, zero);
      v = kb.select(pos, v, zero);
    }
    if (spec.outElem.isF32()) {
      kb.store(v, kb.gep(args[2], i, kb.f32()), 4);
      return;
    }
    const Precision &p = *lookupPrecision(spec.outElem);
    Value code = encodeOne(kb, p, kb.fdiv(v, kb.cf32(spec.outScale)));
    kb.store(code, kb.gep(args[2], i, codeType(kb, p)), p.bytes());
  });
  gpu::ReturnOp::create(b, loc);
  return fn;
}

gpu::GPUFuncOp buildSubsamplePadKernel(OpBuilder &b, Location loc,
                                       gpu::GPUModuleOp gpuModule,
                                       StringRef name,
                                       const SubsamplePadSpec &spec) {
  OpBuilder::InsertionGuard guard(b);
  gpu::GPUFuncOp fn = createSimpleKernel(b, loc, gpuModule, name, 2);
  KernelBuilder kb(b, loc);
  ValueRange args = fn.getArguments();
  int64_t perUnit = spec.elementsPerUnit();
  int64_t channels = spec.channels / perUnit, lo = spec.lo / perUnit;
  int64_t inStored = spec.inStored / perUnit,
          outStored = spec.outStored / perUnit;
  Type unit = IntegerType::get(kb.ctx(), 8 * spec.elemBytes * perUnit);
  unsigned unitBytes = spec.elemBytes * perUnit;
  auto index = simpleGlobalIndex(kb, args[2], spec.unitsPerImage());
  Value idx = index.first, inRange = index.second;
  kb.ifThen(inRange, [&] {
    Value c = kb.rem(idx, outStored);
    Value pix = kb.div(idx, outStored);
    Value ow = kb.rem(pix, spec.ow);
    Value oh = kb.rem(kb.div(pix, spec.ow), spec.oh);
    Value img = kb.div(pix, spec.ow * spec.oh);
    // Channels below lo wrap to large unsigned values: outside.
    Value ci = kb.add(c, -lo);
    Value inside = kb.ult(ci, channels);
    Value ih = kb.mul(oh, spec.strideH), iw = kb.mul(ow, spec.strideW);
    Value p = kb.add(kb.mul(kb.add(kb.mul(img, spec.h), ih), spec.w), iw);
    Value off = kb.add(kb.mul(kb.zext64(p), kb.c64(inStored)), kb.zext64(ci));
    off = kb.select(inside, off, kb.c64(0));
    Value v = kb.load(unit, kb.gep(args[0], off, unit), unitBytes);
    Value zero = arith::ConstantIntOp::create(b, loc, unit, 0);
    v = kb.select(inside, v, zero);
    kb.store(v, kb.gep(args[1], kb.zext64(idx), unit), unitBytes);
  });
  gpu::ReturnOp::create(b, loc);
  return fn;
}

} // namespace lowering
} // namespace vggq
