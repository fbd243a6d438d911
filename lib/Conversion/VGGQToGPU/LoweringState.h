//===- LoweringState.h - shared state of --vggq-lower-to-gpu ----*- C++ -*-===//
//
// What the per-op-family lowerings share: the kernel module, the host launch
// function being built, the weight blob being packed, the target chip and
// the memory plan of @forward. A lowering turns one vggq op (or fused chain)
// into one kernel plus one gpu.launch_func that records its plan entry.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_CONVERSION_VGGQTOGPU_LOWERINGSTATE_H
#define VGGQ_LIB_CONVERSION_VGGQTOGPU_LOWERINGSTATE_H

#include "KernelBuilder.h"
#include "vggq/Precision/Precision.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vggq {
namespace lowering {

/// A tiled tensor map (rank 1 to 5) over a weight region or over an arena
/// buffer, which the runtime encodes with cuTensorMapEncodeTiled (weights:
/// once they are on the device; arena: per batch, the outermost dimension
/// being the batch) and passes by value (a __grid_constant__ CUtensorMap,
/// 128 bytes).
struct TensorMapDesc {
  int64_t elemBytes = 1;               ///< 1 (UINT8) or 2 (UINT16)
  llvm::SmallVector<int64_t, 5> dims;  ///< elements, innermost first; -1: B
  llvm::SmallVector<int64_t, 4> strides; ///< bytes, dimensions 1..rank-1
  llvm::SmallVector<int64_t, 5> box;   ///< box elements, innermost first
  int64_t swizzleBytes = 0;            ///< 0, 32, 64 or 128
};

/// One kernel argument of a launch, as the plan describes it.
struct LaunchArg {
  /// TensorMap: a map over the weights at `offset`; ArenaTensorMap: a map
  /// over the arena buffer at `offset` per image.
  enum Kind { Arena, Weights, Batch, TensorMap, ArenaTensorMap } kind;
  int64_t offset = 0; ///< per image (arena) or absolute (weights)
  TensorMapDesc map = {}; ///< the tensor-map kinds
};

class LoweringState {
public:
  LoweringState(mlir::ModuleOp module, mlir::func::FuncOp forward,
                llvm::StringRef chip, unsigned sm);

  mlir::MLIRContext *ctx() { return module.getContext(); }
  mlir::gpu::GPUModuleOp kernels() { return gpuModule; }
  mlir::OpBuilder &builder() { return b; }
  unsigned smVersion() const { return sm; }
  /// The k-unroll option: "on", "off" or "auto".
  std::string kUnroll = "auto";
  /// The tensor-core instruction: "mma.sync" or "wgmma" (resolved from the
  /// pass's mma option).
  std::string mma = "mma.sync";
  /// The stages option: ring slots of every GEMM kernel (0: per layer).
  int64_t stages = 0;
  /// The fp8-promote option: FP8 wgmma promotion interval in K slices.
  int64_t fp8Promote = 0;
  /// The b-load option, resolved: weight tiles by TMA through a tiled
  /// tensor map (wgmma).
  bool tmaB = false;
  /// The a-load option, resolved: activation tiles by TMA where the layer's
  /// shape allows (tensorABox), with tmaB.
  bool tmaA = false;
  /// The warp-specialize option, resolved: kernels with both operands by
  /// TMA get a producer warpgroup (GemmSpec::warpSpecialized).
  bool warpSpecialize = false;
  /// Warp-specialized kernels loop over tiles on a persistent grid
  /// (GemmSpec::persistent).
  bool persistent = false;
  /// Consumer warpgroups per warp-specialized block (GemmSpec::consumerGroups).
  int64_t consumers = 1;

  /// A kernel name not used yet: "vggq_<kind>_<layer>".
  std::string kernelName(llvm::StringRef kind, mlir::Operation *op);

  /// Arena offset per image of the buffer holding `v` (from the plan).
  mlir::FailureOr<int64_t> offsetOf(mlir::Value v);

  /// Appends a weight region (256-byte aligned) and returns its offset.
  int64_t addWeights(llvm::StringRef name, llvm::StringRef dtype,
                     llvm::ArrayRef<char> bytes);

  /// Emits the launch of `kernel` with grid.x = ceil(batch * rowsPerImage /
  /// tileRows) and records the plan attributes on it.
  void launch(mlir::gpu::GPUFuncOp kernel, mlir::Operation *op,
              int64_t rowsPerImage, int64_t tileRows, int64_t gridY,
              int64_t threads, llvm::ArrayRef<LaunchArg> args,
              mlir::Value result, std::optional<float> outScale);

  /// Writes the module-level results and erases @forward.
  void finish(mlir::Value input, mlir::Value output);

private:
  mlir::ModuleOp module;
  mlir::func::FuncOp forward;
  mlir::gpu::GPUModuleOp gpuModule;
  mlir::func::FuncOp host;
  mlir::OpBuilder b;
  std::string chip;
  unsigned sm;
  unsigned ptxVersion = 0; ///< x10, from requiredPtxVersion
  std::vector<char> blob;
  llvm::SmallVector<mlir::Attribute> regions;
};

/// The plan's spelling of an element type: f32, s32, e4m3, e5m2, s8.
llvm::StringRef dtypeName(mlir::Type t);
/// The PTX ISA version (x10) of the kernels: the first one of chip sm_<sm>
/// (sm_90a: 8.0), raised to the MIN_PTX of every precision in `forward`.
unsigned requiredPtxVersion(mlir::func::FuncOp forward, unsigned sm,
                            bool archSpecific);

/// The per-tensor scale of the codes in a quantized tensor, from the op that
/// computes it (through ops that commute with quantization: relu, max-pool,
/// subsample_pad, flatten); nullopt for f32 tensors and per-channel ones.
std::optional<float> storageScale(mlir::Value v);

/// The buffer description of the plan: offset_per_image, shape (batch -1,
/// channels as stored), dtype and, for 8-bit data, scale.
mlir::DictionaryAttr bufferDesc(mlir::Builder &b, mlir::Value v, int64_t offset,
                                std::optional<float> scale);

/// Raw little-endian element bytes of a constant tensor operand: an
/// arith.constant (inline, splat or dense_resource), or a per-channel
/// vggq.quantize of one (encoded here with the precision registry).
mlir::FailureOr<std::vector<char>> getConstantBytes(mlir::Value v);

/// One vggq op (or fused chain) -> kernel + launch.
class OpLowering {
public:
  virtual ~OpLowering() = default;
  virtual bool matches(mlir::Operation *op) const = 0;
  virtual mlir::LogicalResult lower(mlir::Operation *op,
                                    LoweringState &state) const = 0;
};

using OpLoweringList = llvm::SmallVector<std::unique_ptr<OpLowering>>;
void populateConvLinearLowerings(OpLoweringList &list);
void populatePoolingLowerings(OpLoweringList &list);
void populateElementwiseLowerings(OpLoweringList &list);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_LIB_CONVERSION_VGGQTOGPU_LOWERINGSTATE_H
