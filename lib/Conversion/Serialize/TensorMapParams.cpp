//===- TensorMapParams.cpp - by-value tensor-map kernel params --*- C++ -*-===//
//
// --vggq-tensor-map-params: the tensor-map arguments that
// --vggq-lower-to-gpu marked on its gpu.func kernels (vggq.tensor_map_args)
// become by-value __grid_constant__ CUtensorMap parameters of the llvm.func
// kernels that convert-gpu-to-nvvm made of them (Passes.td).
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace vggq {
#define GEN_PASS_DEF_TENSORMAPPARAMS
#include "vggq/Conversion/Passes.h.inc"
} // namespace vggq

using namespace mlir;

namespace {

/// The marker --vggq-lower-to-gpu leaves (GemmKernel.h, kTensorMapArgsAttr).
constexpr llvm::StringLiteral kMarker = "vggq.tensor_map_args";
/// A CUtensorMap: 128 bytes, 64-byte aligned (cuda.h).
constexpr int64_t kMapWords = 16, kMapAlign = 64;

struct TensorMapParamsPass
    : vggq::impl::TensorMapParamsBase<TensorMapParamsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    auto mapType =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 64), kMapWords);
    for (auto fn : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      auto marked = fn->getAttrOfType<DenseI64ArrayAttr>(kMarker);
      if (!marked)
        continue;
      fn->removeAttr(kMarker);
      for (int64_t i : marked.asArrayRef()) {
        if (!fn->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName()) || i < 0 ||
            i >= static_cast<int64_t>(fn.getNumArguments()) ||
            !isa<LLVM::LLVMPointerType>(fn.getArgument(i).getType())) {
          fn.emitError("vggq-tensor-map-params: argument ")
              << i << " of '" << fn.getName()
              << "' cannot be a tensor map (not a pointer argument of a "
                 "kernel)";
          return signalPassFailure();
        }
        unsigned arg = static_cast<unsigned>(i);
        fn.setArgAttr(arg, LLVM::LLVMDialect::getByValAttrName(),
                      TypeAttr::get(mapType));
        fn.setArgAttr(arg, LLVM::LLVMDialect::getAlignAttrName(),
                      b.getI64IntegerAttr(kMapAlign));
        fn.setArgAttr(arg, NVVM::NVVMDialect::getGridConstantAttrName(),
                      b.getUnitAttr());
        ++numTensorMaps;
      }
    }
  }
};

} // namespace
