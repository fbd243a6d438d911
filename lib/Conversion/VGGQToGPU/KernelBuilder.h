//===- KernelBuilder.h - helpers for building nvvm-level kernels -*- C++
//-*-===//
//
// A thin wrapper over OpBuilder for the kernel generators: i32 index math
// with arith, pointer arithmetic with llvm.getelementptr, shared-memory
// buffers as llvm.mlir.global in address space 3, and the thread/block ids.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_CONVERSION_VGGQTOGPU_KERNELBUILDER_H
#define VGGQ_LIB_CONVERSION_VGGQTOGPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace vggq {
namespace lowering {

/// Address spaces of NVPTX.
constexpr unsigned kGlobalSpace = 1;
constexpr unsigned kSharedSpace = 3;
/// shared::cluster (the destination of bulk copies).
constexpr unsigned kSharedClusterSpace = 7;

class KernelBuilder {
public:
  KernelBuilder(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location getLoc() const { return loc; }
  mlir::MLIRContext *ctx() { return b.getContext(); }

  // Types.
  mlir::Type i8() { return b.getI8Type(); }
  mlir::Type i16() { return b.getI16Type(); }
  mlir::Type i32() { return b.getI32Type(); }
  mlir::Type i64() { return b.getI64Type(); }
  mlir::Type f32() { return b.getF32Type(); }
  mlir::Type ptr(unsigned space) {
    return mlir::LLVM::LLVMPointerType::get(ctx(), space);
  }

  // Constants.
  mlir::Value c32(int64_t v);
  mlir::Value c64(int64_t v);
  mlir::Value cf32(float v);

  // i32 (or i64) arithmetic; the operands share one type.
  mlir::Value add(mlir::Value a, mlir::Value c);
  mlir::Value sub(mlir::Value a, mlir::Value c);
  mlir::Value mul(mlir::Value a, mlir::Value c);
  mlir::Value div(mlir::Value a, mlir::Value c); ///< unsigned
  mlir::Value rem(mlir::Value a, mlir::Value c); ///< unsigned
  mlir::Value shl(mlir::Value a, mlir::Value c);
  mlir::Value shr(mlir::Value a, mlir::Value c);
  mlir::Value band(mlir::Value a, mlir::Value c);
  mlir::Value bor(mlir::Value a, mlir::Value c);
  mlir::Value bxor(mlir::Value a, mlir::Value c);
  mlir::Value add(mlir::Value a, int64_t c) { return add(a, cst(a, c)); }
  mlir::Value mul(mlir::Value a, int64_t c) { return mul(a, cst(a, c)); }
  mlir::Value div(mlir::Value a, int64_t c) { return div(a, cst(a, c)); }
  mlir::Value rem(mlir::Value a, int64_t c) { return rem(a, cst(a, c)); }
  mlir::Value band(mlir::Value a, int64_t c) { return band(a, cst(a, c)); }
  mlir::Value shr(mlir::Value a, int64_t c) { return shr(a, cst(a, c)); }
  mlir::Value shl(mlir::Value a, int64_t c) { return shl(a, cst(a, c)); }
  mlir::Value cmp(mlir::arith::CmpIPredicate p, mlir::Value a, mlir::Value c);
  mlir::Value slt(mlir::Value a, mlir::Value c) {
    return cmp(mlir::arith::CmpIPredicate::slt, a, c);
  }
  mlir::Value ult(mlir::Value a, int64_t c) {
    return cmp(mlir::arith::CmpIPredicate::ult, a, cst(a, c));
  }
  mlir::Value uge(mlir::Value a, int64_t c) {
    return cmp(mlir::arith::CmpIPredicate::uge, a, cst(a, c));
  }
  mlir::Value eq(mlir::Value a, int64_t c) {
    return cmp(mlir::arith::CmpIPredicate::eq, a, cst(a, c));
  }
  mlir::Value ne(mlir::Value a, int64_t c) {
    return cmp(mlir::arith::CmpIPredicate::ne, a, cst(a, c));
  }
  mlir::Value andi(mlir::Value a, mlir::Value c);
  mlir::Value select(mlir::Value cond, mlir::Value t, mlir::Value f);
  mlir::Value sext64(mlir::Value v);
  mlir::Value zext64(mlir::Value v);
  mlir::Value trunc(mlir::Value v, mlir::Type t);

  // f32 arithmetic (no fast-math flags: mul.rn / add.rn / div.rn in PTX).
  mlir::Value fadd(mlir::Value a, mlir::Value c);
  mlir::Value fmul(mlir::Value a, mlir::Value c);
  mlir::Value fdiv(mlir::Value a, mlir::Value c);
  mlir::Value fmax(mlir::Value a, mlir::Value c);
  mlir::Value fma(mlir::Value a, mlir::Value c, mlir::Value d);
  mlir::Value sitofp(mlir::Value v);

  // Memory.
  mlir::Value gep(mlir::Value base, mlir::Value index, mlir::Type elem);
  mlir::Value gepBytes(mlir::Value base, mlir::Value byteOffset) {
    return gep(base, byteOffset, i8());
  }
  /// `base + byteOffset` with a constant offset (NVPTX folds it into the
  /// [reg+imm] address of the access).
  mlir::Value gepBytes(mlir::Value base, int64_t byteOffset) {
    if (byteOffset == 0)
      return base;
    bool fits32 = byteOffset == static_cast<int32_t>(byteOffset);
    return gepBytes(base, fits32 ? c32(byteOffset) : c64(byteOffset));
  }
  mlir::Value load(mlir::Type t, mlir::Value p, unsigned align = 0);
  void store(mlir::Value v, mlir::Value p, unsigned align = 0);
  mlir::Value extract(mlir::Value aggregate, int64_t pos);

  // Thread and block ids.
  mlir::Value threadIdX();
  mlir::Value blockIdX();
  mlir::Value blockIdY();
  mlir::Value gridDimX();
  mlir::Value gridDimY();
  /// bar.sync 0 over the block; with `barrierThreads` set, the named
  /// barrier 1 over that many threads (a warp-specialized kernel's
  /// consumers, while its producer warps run on).
  void barrier();
  int64_t barrierThreads = 0;

  /// scf.for over i32 [lb, ub) with `iters` loop-carried values; `body`
  /// returns the yielded values.
  llvm::SmallVector<mlir::Value> forLoop(
      mlir::Value lb, mlir::Value ub, mlir::Value step, mlir::ValueRange iters,
      llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value iv,
                                                        mlir::ValueRange iters)>
          body);
  /// scf.if without results.
  void ifThen(mlir::Value cond, llvm::function_ref<void()> body);
  /// scf.if with results: both bodies return values of the same types.
  llvm::SmallVector<mlir::Value>
  ifThenElse(mlir::Value cond,
             llvm::function_ref<llvm::SmallVector<mlir::Value>()> thenBody,
             llvm::function_ref<llvm::SmallVector<mlir::Value>()> elseBody);

private:
  mlir::Value cst(mlir::Value like, int64_t v) {
    return like.getType().isInteger(64) ? c64(v) : c32(v);
  }
  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// Creates `llvm.mlir.global internal @name` of `bytes` bytes in shared
/// memory inside `gpuModule`, aligned to `alignment` bytes, and returns its
/// address at the builder's point.
mlir::Value getSharedBuffer(KernelBuilder &kb, mlir::Operation *gpuModule,
                            llvm::StringRef name, int64_t bytes,
                            int64_t alignment = 128);

/// Declares `llvm.mlir.global external @name` in shared memory inside
/// `gpuModule`, an unsized array (PTX `.extern .shared .align A .b8
/// name[]`: the block's dynamic shared memory, sized by the launch), and
/// returns its address at the builder's point.
mlir::Value getDynamicSharedBuffer(KernelBuilder &kb,
                                   mlir::Operation *gpuModule,
                                   llvm::StringRef name, int64_t alignment);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_LIB_CONVERSION_VGGQTOGPU_KERNELBUILDER_H
