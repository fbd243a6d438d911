//===- LayoutRules.h - device buffer layout and fusion rules ----*- C++ -*-===//
//
// The single place that decides which tensors of a vggq graph the GPU
// lowering materializes, how they are laid out on the device, which ops are
// fused into one kernel and which tile each GEMM gets. The memory planner
// and the lowering both ask these functions, so the plan always matches the
// kernels.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_CONVERSION_LAYOUTRULES_H
#define VGGQ_CONVERSION_LAYOUTRULES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <string>

namespace vggq {
namespace lowering {

/// Bytes of one element of `type` (f32/i32: 4, 8-bit storage: 1).
unsigned elementBytes(mlir::Type type);

/// Channels of a device buffer: NHWC pixels are padded with zero channels
/// to a multiple of 4 bytes, so that the implicit-GEMM loader can copy whole
/// 4/8/16-byte granules (3 input channels in 8 bits are stored as 4).
int64_t storedChannels(int64_t channels, unsigned elemBytes);

/// Bytes per image of the device buffer holding `v` (dimension 0 is the
/// batch), the innermost dimension padded by storedChannels.
int64_t bufferBytesPerImage(mlir::Value v);

/// Errors (prefixed by `pass`) unless every tensor of `func` has static
/// sizes but for the batch (dimension 0): a plan holds a fixed number of
/// bytes per image (found by fuzzing: a dynamic size was multiplied as if it
/// were a number).
mlir::LogicalResult verifyStaticImageShapes(mlir::func::FuncOp func,
                                            llvm::StringRef pass);

/// The tile of one implicit GEMM, chosen per layer.
struct TileConfig {
  int64_t bm = 0, bn = 0; ///< output rows (pixels) and columns (channels)
  int64_t bk = 0;         ///< K elements per pipeline stage
  int64_t stages = 2;     ///< cp.async stages in flight
  int64_t threads = 128;  ///< threads per block
  int64_t warpsM = 2, warpsN = 2; ///< warp grid (tensor-core strategies)
};

/// GEMM shape of a conv2d/qconv2d/linear/qlinear op, in elements.
struct GemmShape {
  int64_t rowsPerImage; ///< M / batch = OH * OW (1 for linear)
  int64_t n;            ///< output channels
  int64_t k;            ///< KH * KW * stored input channels
  int64_t outW;         ///< OW (1 for linear)
  int64_t outH;         ///< OH (1 for linear)
};
GemmShape getGemmShape(mlir::Operation *gemmOp);

/// The per-layer tile choice (deterministic in the shape and precision).
TileConfig selectTile(mlir::Operation *gemmOp);

/// A conv/linear with the ops fused into its kernel. The epilogue applies,
/// in this order: relu, then either the 2x2 max-pool or the residual add
/// followed by its relu.
struct FusedChain {
  mlir::Operation *gemm = nullptr;
  mlir::Operation *relu = nullptr; ///< FP32 graphs: a separate vggq.relu
  mlir::Operation *pool = nullptr; ///< 2x2/2 max-pool fused in the epilogue
  /// FP32 graphs: a vggq.add of the GEMM (or relu) result and a tensor
  /// computed before the GEMM, and the vggq.relu after that add.
  mlir::Operation *add = nullptr, *sumRelu = nullptr;
  /// The tensor the epilogue adds (the add's other operand, or qconv2d's
  /// residual); null without a residual add.
  mlir::Value residual;
  mlir::Value result; ///< the value the kernel writes
};

/// True for vggq.conv2d, qconv2d, linear, qlinear.
bool isGemmOp(mlir::Operation *op);

/// Fusion analysis of a GEMM op: a following relu (only user), then either
/// a following 2x2 stride-2 unpadded max-pool (only user) when the tile
/// covers whole pooling windows (BM a multiple of 2 * OW, even OH and OW),
/// or (FP32) a vggq.add (only user) of a tensor with a buffer of its own,
/// and a relu after it (only user). A qconv2d with a residual operand fuses
/// nothing more.
FusedChain analyzeChain(mlir::Operation *gemmOp);

/// The op at whose place in @forward's order the kernel of `op` runs: the
/// add of a GEMM chain with a fused vggq.add (its other operand may be
/// computed after the GEMM, as PyTorch orders a downsampling block's
/// shortcut), else `op` itself. The memory plan and the launch order both
/// follow it.
mlir::Operation *kernelPosition(mlir::Operation *op);

/// True when `op` is absorbed into the kernel of a preceding op: a relu,
/// max-pool or add in a GEMM's chain, or the relu after a standalone add.
bool isFusedIntoProducer(mlir::Operation *op);

/// The value the kernel of `op` writes: the end of a GEMM's fused chain,
/// the relu after a standalone vggq.add (its only user), else the result.
mlir::Value kernelResult(mlir::Operation *op);

/// The value whose buffer holds `v`: flatten results alias their operand.
mlir::Value bufferRoot(mlir::Value v);

/// Lower-case identifier for kernels: "features.2" -> "features_2".
std::string sanitizeName(llvm::StringRef name);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_CONVERSION_LAYOUTRULES_H
