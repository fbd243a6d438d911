//===- SimpleKernels.h - the non-GEMM kernels -------------------*- C++ -*-===//
//
// The non-GEMM kernels, one thread per output element (or per 4-byte unit
// of elements): the input quantize (f32 NHWC -> 8-bit, channels padded with
// zeros to the stored count), the standalone max-pool on 8-bit or f32 NHWC
// data (used where the pool cannot be fused into the preceding GEMM's
// epilogue), the average pool, the ResNet shortcut (subsample_pad) and the
// elementwise add (f32, or quantized: a vggq.qadd that was not fused into a
// conv).
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

/// Geometry and numerics of an average pool over NHWC (channels as stored).
struct AvgPoolSpec {
  PoolSpec pool;
  bool countIncludePad = false;
  /// Quantized pools: the element type of the result and both scales.
  mlir::Type outElem;
  float inScale = 1.0f, outScale = 1.0f;
};

/// `gpu.func @name(%in, %out, %batch)`: one thread per output element sums
/// the window's cells in f32, kh then kw (8-bit cells decoded and
/// multiplied by inScale first), divides by the count (div.rn.f32) and, for
/// a quantized result, converts sum / count / outScale to a code.
mlir::gpu::GPUFuncOp buildAvgPoolKernel(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::gpu::GPUModuleOp gpuModule,
                                        llvm::StringRef name,
                                        const AvgPoolSpec &spec);

/// Geometry of a subsample_pad over NHWC: output pixel (h, w) is input pixel
/// (h * strideH, w * strideW); output channel c is input channel c - lo
/// when that is one of the `channels` real ones, else zero.
struct SubsamplePadSpec {
  int64_t h, w, channels, inStored, oh, ow, outStored, strideH, strideW, lo;
  unsigned elemBytes; ///< 1, 2 or 4: the copy moves bits, any format
  /// Elements per copied unit: 4 bytes' worth when every channel offset is
  /// a multiple of that, else 1.
  int64_t elementsPerUnit() const {
    int64_t n = 4 / elemBytes;
    bool whole = channels % n == 0 && lo % n == 0 && inStored % n == 0 &&
                 outStored % n == 0;
    return whole ? n : 1;
  }
  /// Units (threads) per image.
  int64_t unitsPerImage() const {
    return oh * ow * outStored / elementsPerUnit();
  }
};

/// `gpu.func @name(%in, %out, %batch)`: one thread per output unit (4
/// bytes of channels when the channel offsets allow it, else one element).
mlir::gpu::GPUFuncOp buildSubsamplePadKernel(mlir::OpBuilder &b,
                                             mlir::Location loc,
                                             mlir::gpu::GPUModuleOp gpuModule,
                                             llvm::StringRef name,
                                             const SubsamplePadSpec &spec);

/// An elementwise add of two tensors of one shape (`elements` per image,
/// channels as stored): f32 (`v = lhs + rhs`) or quantized (`v =
/// decode(lhs) * lhsScale + decode(rhs) * rhsScale`, then the code of
/// v / outScale); `relu` applies max(v, 0) before the store.
struct AddSpec {
  int64_t elements;
  mlir::Type lhsElem, rhsElem, outElem;
  float lhsScale = 1.0f, rhsScale = 1.0f, outScale = 1.0f;
  bool relu = false;
};

/// `gpu.func @name(%lhs, %rhs, %out, %batch)`: one thread per element.
mlir::gpu::GPUFuncOp buildAddKernel(mlir::OpBuilder &b, mlir::Location loc,
                                    mlir::gpu::GPUModuleOp gpuModule,
                                    llvm::StringRef name, const AddSpec &spec);

/// The kernel shell `(ptr<1> x numPointers, i32 batch)` of the simple
/// kernels, with the builder inside its entry block.
mlir::gpu::GPUFuncOp createSimpleKernel(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::gpu::GPUModuleOp gpuModule,
                                        llvm::StringRef name,
                                        unsigned numPointers);

/// The global thread index and the guard `index < batch * perImage`.
std::pair<mlir::Value, mlir::Value>
simpleGlobalIndex(KernelBuilder &kb, mlir::Value batch, int64_t perImage);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_LIB_CONVERSION_VGGQTOGPU_SIMPLEKERNELS_H
