//===- SimpleKernels.h - input quantize and max-pool kernels ----*- C++ -*-===//
//
// The non-GEMM kernels: the input quantize (f32 NHWC -> 8-bit, channels
// padded with zeros to the stored count) and the standalone max-pool on
// 8-bit or f32 NHWC data (used where the pool cannot be fused into the
// preceding GEMM's epilogue).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_CONVERSION_VGGQTOGPU_SIMPLEKERNELS_H
#define VGGQ_LIB_CONVERSION_VGGQTOGPU_SIMPLEKERNELS_H

#include "KernelBuilder.h"

#include <string>

namespace vggq {
namespace lowering {

/// Threads per block of the simple kernels.
constexpr int64_t kSimpleBlock = 256;

/// `gpu.func @name(%in, %out, %batch)`: one thread per pixel (H*W pixels
/// per image) computes code = encode(x / scale) for each of `channels`
/// input channels and writes `storedChannels` codes (zeros in the padding).
mlir::gpu::GPUFuncOp
buildQuantizeKernel(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::gpu::GPUModuleOp gpuModule, llvm::StringRef name,
                    int64_t pixelsPerImage, int64_t channels,
                    int64_t storedChannels, float scale, mlir::Type outElem);

/// Geometry of a standalone max-pool over NHWC (channels as stored).
struct PoolSpec {
  int64_t h, w, c, oh, ow, kh, kw, strideH, strideW, padTop, padLeft;
  mlir::Type elem; ///< f32 or the storage type of a precision
};

/// `gpu.func @name(%in, %out, %batch)`: one thread per output element
/// (OH*OW*C per image). 8-bit codes are compared by value (FP8 codes are
/// sign-magnitude); the first of equal values wins.
mlir::gpu::GPUFuncOp buildPoolKernel(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::gpu::GPUModuleOp gpuModule,
                                     llvm::StringRef name,
                                     const PoolSpec &spec);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_LIB_CONVERSION_VGGQTOGPU_SIMPLEKERNELS_H
