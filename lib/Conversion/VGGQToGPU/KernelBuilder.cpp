//===- KernelBuilder.cpp - helpers for building nvvm-level kernels -------===//
//
// Implements the index, memory and control-flow helpers of KernelBuilder.h.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"

using namespace mlir;

namespace vggq {
namespace lowering {

Value KernelBuilder::c32(int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 32);
}
Value KernelBuilder::c64(int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 64);
}
Value KernelBuilder::cf32(float v) {
  return arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                        llvm::APFloat(v));
}

Value KernelBuilder::add(Value a, Value c) {
  return arith::AddIOp::create(b, loc, a, c);
}
Value KernelBuilder::sub(Value a, Value c) {
  return arith::SubIOp::create(b, loc, a, c);
}
Value KernelBuilder::mul(Value a, Value c) {
  return arith::MulIOp::create(b, loc, a, c);
}
Value KernelBuilder::div(Value a, Value c) {
  return arith::DivUIOp::create(b, loc, a, c);
}
Value KernelBuilder::rem(Value a, Value c) {
  return arith::RemUIOp::create(b, loc, a, c);
}
Value KernelBuilder::shl(Value a, Value c) {
  return arith::ShLIOp::create(b, loc, a, c);
}
Value KernelBuilder::shr(Value a, Value c) {
  return arith::ShRUIOp::create(b, loc, a, c);
}
Value KernelBuilder::band(Value a, Value c) {
  return arith::AndIOp::create(b, loc, a, c);
}
Value KernelBuilder::bor(Value a, Value c) {
  return arith::OrIOp::create(b, loc, a, c);
}
Value KernelBuilder::bxor(Value a, Value c) {
  return arith::XOrIOp::create(b, loc, a, c);
}
Value KernelBuilder::cmp(arith::CmpIPredicate p, Value a, Value c) {
  return arith::CmpIOp::create(b, loc, p, a, c);
}
Value KernelBuilder::andi(Value a, Value c) {
  return arith::AndIOp::create(b, loc, a, c);
}
Value KernelBuilder::select(Value cond, Value t, Value f) {
  return arith::SelectOp::create(b, loc, cond, t, f);
}
Value KernelBuilder::sext64(Value v) {
  return arith::ExtSIOp::create(b, loc, i64(), v);
}
Value KernelBuilder::zext64(Value v) {
  return arith::ExtUIOp::create(b, loc, i64(), v);
}
Value KernelBuilder::trunc(Value v, Type t) {
  return arith::TruncIOp::create(b, loc, t, v);
}

Value KernelBuilder::fadd(Value a, Value c) {
  return arith::AddFOp::create(b, loc, a, c);
}
Value KernelBuilder::fmul(Value a, Value c) {
  return arith::MulFOp::create(b, loc, a, c);
}
Value KernelBuilder::fdiv(Value a, Value c) {
  return arith::DivFOp::create(b, loc, a, c);
}
Value KernelBuilder::fmax(Value a, Value c) {
  return arith::MaximumFOp::create(b, loc, a, c);
}
Value KernelBuilder::fma(Value a, Value c, Value d) {
  return LLVM::FMAOp::create(b, loc, a, c, d);
}
Value KernelBuilder::sitofp(Value v) {
  return arith::SIToFPOp::create(b, loc, f32(), v);
}

Value KernelBuilder::gep(Value base, Value index, Type elem) {
  return LLVM::GEPOp::create(b, loc, base.getType(), elem, base,
                             ValueRange{index});
}
Value KernelBuilder::load(Type t, Value p, unsigned align) {
  return LLVM::LoadOp::create(b, loc, t, p, align);
}
void KernelBuilder::store(Value v, Value p, unsigned align) {
  LLVM::StoreOp::create(b, loc, v, p, align);
}
Value KernelBuilder::extract(Value aggregate, int64_t pos) {
  return LLVM::ExtractValueOp::create(b, loc, aggregate, pos);
}

Value KernelBuilder::threadIdX() {
  return NVVM::ThreadIdXOp::create(b, loc, i32());
}
Value KernelBuilder::blockIdX() {
  return NVVM::BlockIdXOp::create(b, loc, i32());
}
Value KernelBuilder::blockIdY() {
  return NVVM::BlockIdYOp::create(b, loc, i32());
}
Value KernelBuilder::gridDimX() {
  return NVVM::GridDimXOp::create(b, loc, i32());
}
Value KernelBuilder::gridDimY() {
  return NVVM::GridDimYOp::create(b, loc, i32());
}
void KernelBuilder::barrier() {
  if (!barrierThreads) {
    NVVM::Barrier0Op::create(b, loc);
    return;
  }
  Value id = c32(1);
  Value count = c32(barrierThreads);
  NVVM::BarrierOp::create(b, loc, Type(), id, count,
                          NVVM::BarrierReductionAttr(), Value());
}

SmallVector<Value> KernelBuilder::forLoop(
    Value lb, Value ub, Value step, ValueRange iters,
    llvm::function_ref<SmallVector<Value>(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(
      b, loc, lb, ub, step, iters,
      [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(nested.getInsertionBlock());
        SmallVector<Value> yielded = body(iv, args);
        scf::YieldOp::create(b, loc, yielded);
      });
  return SmallVector<Value>(loop.getResults());
}

void KernelBuilder::ifThen(Value cond, llvm::function_ref<void()> body) {
  auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  body();
}

SmallVector<Value>
KernelBuilder::ifThenElse(Value cond,
                          llvm::function_ref<SmallVector<Value>()> thenBody,
                          llvm::function_ref<SmallVector<Value>()> elseBody) {
  auto thenBuilder = [&](OpBuilder &nested, Location) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(nested.getInsertionBlock());
    scf::YieldOp::create(b, loc, thenBody());
  };
  auto elseBuilder = [&](OpBuilder &nested, Location) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(nested.getInsertionBlock());
    scf::YieldOp::create(b, loc, elseBody());
  };
  auto ifOp = scf::IfOp::create(b, loc, cond, thenBuilder, elseBuilder);
  return SmallVector<Value>(ifOp.getResults());
}

Value getSharedBuffer(KernelBuilder &kb, Operation *gpuModule, StringRef name,
                      int64_t bytes, int64_t alignment) {
  OpBuilder &b = kb.builder();
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&gpuModule->getRegion(0).front());
    auto type = LLVM::LLVMArrayType::get(kb.i8(), bytes);
    LLVM::GlobalOp::create(b, kb.getLoc(), type, /*isConstant=*/false,
                           LLVM::Linkage::Internal, name, Attribute(),
                           alignment, kSharedSpace);
  }
  return LLVM::AddressOfOp::create(b, kb.getLoc(), kb.ptr(kSharedSpace), name);
}

Value getDynamicSharedBuffer(KernelBuilder &kb, Operation *gpuModule,
                             StringRef name, int64_t alignment) {
  OpBuilder &b = kb.builder();
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&gpuModule->getRegion(0).front());
    auto type = LLVM::LLVMArrayType::get(kb.i8(), 0);
    LLVM::GlobalOp::create(b, kb.getLoc(), type, /*isConstant=*/false,
                           LLVM::Linkage::External, name, Attribute(),
                           alignment, kSharedSpace);
  }
  return LLVM::AddressOfOp::create(b, kb.getLoc(), kb.ptr(kSharedSpace), name);
}

} // namespace lowering
} // namespace vggq
