//===- GemmKernel.h - implicit-GEMM kernels and MMA strategies --*- C++ -*-===//
//
// One implicit-GEMM kernel skeleton serves conv (M = batch*OH*OW, N = C_out,
// K = KH*KW*C_in) and linear (a 1x1 "conv" over 1x1 images). The skeleton
// owns the cp.async multi-stage pipeline and the epilogue; a GemmStrategy
// owns how one shared-memory stage is multiplied into the accumulators and
// where each accumulator lives in the tile. With the wgmma strategy the
// ring may instead be filled by TMA (GemmSpec::tmaB, tmaA): one thread
// copies each slice's B box and, where the layer's shape allows, its A box,
// completed on an mbarrier per ring slot, and, warp specialized
// (GemmSpec::warpSpecialized), by a producer warpgroup of its own while the
// computing warpgroup waits on full and frees on empty mbarriers. Strategies: mma.sync m16n8k32
// (s8 through nvvm.mma.sync, e4m3/e5m2 through inline PTX), wgmma m64nNk32
// from shared-memory descriptors (sm_90a, WgmmaStrategy.cpp) and FP32 CUDA
// cores.
//
// Shared-memory tile layout (both operands, all strategies): row-major
// [rows][BK * elemBytes = 64 bytes], i.e. four 16-byte chunks per row, with
// the chunk index XOR-swizzled by ((row >> 1) & 3): 8 consecutive rows read
// at one chunk column hit 8 distinct 16-byte bank groups (ldmatrix and
// 16-byte loads are conflict-free); on a 512-byte aligned tile this is the
// PTX 64-byte swizzle mode that wgmma descriptors name. A holds [BM][K-slice] of the im2col
// matrix, B holds [BN][K-slice] of the weights (K-major, OHWI order).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_CONVERSION_VGGQTOGPU_GEMMKERNEL_H
#define VGGQ_LIB_CONVERSION_VGGQTOGPU_GEMMKERNEL_H

#include "KernelBuilder.h"
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Precision/Precision.h"

#include <array>
#include <memory>
#include <optional>
#include <string>

namespace vggq {
namespace lowering {

/// Bytes per row of a shared-memory tile stage.
constexpr int64_t kTileRowBytes = 64;
/// The most static shared memory a kernel may declare; a GEMM kernel that
/// needs more takes its ring from dynamic shared memory
/// (GemmSpec::dynamicShared), up to maxSharedPerBlock of the chip.
constexpr int64_t kStaticSharedLimit = 48 * 1024;

/// The most shared memory one block of chip sm_<sm> may use, with
/// cudaFuncAttributeMaxDynamicSharedMemorySize (CUDA C++ Programming Guide,
/// "Compute Capabilities" table: 99 KB on 8.9, 227 KB on 9.0).
constexpr int64_t maxSharedPerBlock(unsigned sm) {
  return (sm >= 90 ? 227 : 99) * 1024;
}

/// Byte offset of (row, kByte) in a swizzled tile (see the file comment).
mlir::Value swizzledOffset(KernelBuilder &kb, mlir::Value row,
                           mlir::Value kByte);

/// Everything one GEMM kernel is specialized for.
struct GemmSpec {
  std::string name;
  // Geometry (linear: H = W = OH = OW = KH = KW = 1, cin = K).
  int64_t h = 1, w = 1, cin = 1, oh = 1, ow = 1, kh = 1, kw = 1;
  int64_t strideH = 1, strideW = 1, padTop = 0, padLeft = 0;
  int64_t n = 0, nPadded = 0, k = 0, kPadded = 0;
  unsigned inBytes = 1; ///< bytes per A/B element
  // Epilogue.
  bool hasScale = false; ///< per-channel f32 scale s[o]
  bool hasBias = false;
  bool biasIsInt = false; ///< INT8 i32 bias added to the accumulator
  bool relu = false;
  bool pool = false;             ///< fused 2x2 max-pool
  std::optional<float> outScale; ///< quantize the result by this scale
  mlir::Type outElem;            ///< f32 or a precision's storage type
  /// Residual add after the conversion (GemmEpilogue.cpp): a second input
  /// tensor of the output's shape, f32 or coded in `residualElem`.
  bool residual = false;
  mlir::Type residualElem;
  float residualScale = 1.0f; ///< coded residuals: the residual's scale
  float sumScale = 1.0f;      ///< coded results: the scale of the sum
  bool sumRelu = false;       ///< max(v, 0) after the add
  TileConfig tile;
  /// Unroll the K loop by `tile.stages` (constant ring slots).
  bool unrollK = false;
  /// FP8 wgmma: add the tensor cores' accumulator into a separate f32 one
  /// every `promoteEvery` K slices (0: never; WgmmaStrategy.cpp).
  int64_t promoteEvery = 0;
  /// B comes by TMA (wgmma): the kernel's second argument is a tiled
  /// tensor map over the weights [nPadded][kPadded] (a __grid_constant__
  /// CUtensorMap, box BN rows x 64 bytes, 64-byte swizzle) instead of their
  /// address, and thread 0 loads each slice's B tile with one
  /// cp.async.bulk.tensor.2d, completed on the mbarrier of its ring slot.
  bool tmaB = false;
  /// A comes by TMA too (with tmaB): the kernel's first argument is a 4D
  /// tiled tensor map over the NHWC activations {C, W, H, N} (innermost
  /// first), and thread 0 loads each slice's A tile as one box of
  /// aBox = {W, H, N} pixels x 64 bytes at (channel, ow0 + kw - padLeft,
  /// oh0 + kh - padTop, image): the box's pixels in row-major order are the
  /// tile's BM rows, and the taps outside the image (and images past the
  /// batch) are the map's zero fill (tensorABox says when this holds).
  bool tmaA = false;
  int64_t aBox[3] = {1, 1, 1};
  /// Warp specialization (with tmaA and tmaB): the block is the consumer
  /// warpgroup (threads [0, 128): the wgmmas and the epilogue, as without
  /// it) plus a producer warpgroup (threads [128, 256)), of which one thread
  /// issues every slice's tensor copies. Each ring slot has a "full"
  /// mbarrier (the copies' bytes) and an "empty" one (the 128 consumers
  /// arrive once their wgmmas have read the slot), so the main loop has no
  /// block barrier. setmaxnreg moves registers from the producers (40) to
  /// the consumers (kWsConsumerRegs) out of the kWsEntryRegs per thread
  /// that the kernel starts with (nvvm.maxnreg).
  bool warpSpecialized = false;
  /// Warpgroups computing each tile (warp specialized): 1, or 2, where the
  /// tile is 128 rows and consumer warpgroup w multiplies rows [64 w, 64 w +
  /// 64) of the ring's A tile by the whole B tile (tile.threads = 256; the
  /// producer is threads [256, 384)), and the 256 consumers run the
  /// epilogue together.
  int64_t consumerGroups = 1;
  /// A persistent grid (warp specialized): block b of G (linear ids) computes
  /// tiles b, b + G, ... of the layer's mTiles x nTiles, the N tiles of one
  /// row block consecutively (tile / nTiles is the row block), so any grid
  /// is correct and the runtime picks G = min(tiles, SMs x
  /// persistentBlocksPerSM). Slice g of the block's running count (over its
  /// tiles) uses ring slot g % stages at phase g / stages, and the epilogue
  /// stages its results after the ring instead of in it, so the producer
  /// fills the ring for the next tile while the consumers store the last.
  bool persistent = false;
  /// The ring (gemmSharedBytes) is the block's dynamic shared memory: an
  /// `.extern .shared` array whose size the plan's `shared_bytes` gives the
  /// launch (and the runtime raises the function's dynamic limit for), set
  /// when it exceeds kStaticSharedLimit; the layout is the same.
  bool dynamicShared = false;
};

/// Warp-specialized kernels: registers per thread at launch (.maxnreg),
/// and after setmaxnreg in the producer and the consumer warpgroups. The
/// block's pool is unchanged, so the consumers' setmaxnreg.inc can always be
/// granted: one consumer warpgroup, 256 x 128 (two blocks fit an SM's 64 K
/// registers), 128 x (216 - 128) = 128 x (128 - 40); two, 384 x 168 (one
/// block per SM), 256 x (232 - 168) = 128 x (168 - 40).
constexpr int64_t kWsProducerRegs = 40;
inline int64_t wsEntryRegs(const GemmSpec &spec) {
  return spec.consumerGroups == 2 ? 168 : 128;
}
inline int64_t wsConsumerRegs(const GemmSpec &spec) {
  return spec.consumerGroups == 2 ? 232 : 216;
}

/// Threads per block of a GEMM kernel: the tile's, plus the producer
/// warpgroup of a warp-specialized one.
inline int64_t gemmBlockThreads(const GemmSpec &spec) {
  return spec.tile.threads + (spec.warpSpecialized ? 128 : 0);
}

/// Blocks of a persistent kernel that an SM holds: its registers (the
/// kernel's .maxnreg for every thread) and shared memory (1 KiB reserved
/// per block), at most 2.
int64_t persistentBlocksPerSM(const GemmSpec &spec);

/// The A box {W, H, N} when a layer's A tile can be one 4D tensor-map box:
/// stride 1, whole 64-byte slices inside one tap (pixel bytes a multiple of
/// 64), and BM rows that are whole output rows of one image or whole images;
/// nullopt otherwise (the cp.async gather stays).
std::optional<std::array<int64_t, 3>> tensorABox(const GemmSpec &spec);

/// One pair of horizontally adjacent accumulators: tile-local row and
/// (even) column, values for columns col and col + 1.
struct AccPair {
  mlir::Value row, col;
  mlir::Value v0, v1;
};

/// How one K-slice in shared memory is multiplied into the accumulators.
class GemmStrategy {
public:
  virtual ~GemmStrategy() = default;
  /// Short name recorded as `vggq.mma`: "m16n8k32.e4m3", "simt.f32".
  virtual std::string name() const = 0;
  /// Accumulator element type (f32 or i32).
  virtual mlir::Type accType(KernelBuilder &kb) const = 0;
  /// Number of accumulators per thread for `spec.tile`.
  virtual int64_t numAccumulators(const GemmSpec &spec) const = 0;
  /// Per-thread values computed once before the main loop.
  virtual void prepare(KernelBuilder &kb, const GemmSpec &spec,
                       mlir::Value tid) = 0;
  /// acc += A[stage] x B[stage]^T for K slice `slice` (an i32 value, or a
  /// constant in straight code).
  virtual llvm::SmallVector<mlir::Value>
  multiplyStage(KernelBuilder &kb, const GemmSpec &spec, mlir::Value aTile,
                mlir::Value bTile, mlir::ValueRange acc,
                mlir::OpFoldResult slice) = 0;
  /// Where each accumulator lives, as adjacent-column pairs.
  virtual llvm::SmallVector<AccPair> accumulatorPairs(KernelBuilder &kb,
                                                      const GemmSpec &spec,
                                                      mlir::ValueRange acc) = 0;
  /// Whether the stages are read through the async proxy (wgmma): the
  /// skeleton then orders each thread's cp.async writes before those reads
  /// with fence.proxy.async before the barrier that publishes a slot.
  virtual bool readsSharedThroughAsyncProxy() const { return false; }
  /// Alignment of the kernel's shared buffer in bytes.
  virtual int64_t sharedAlignment() const { return 128; }
  /// Whether a rolled K loop starts after its first group of slices, which
  /// is emitted straight so that it multiplies constant-zero accumulators
  /// (wgmma: scale-d = 0, instead of zeros moved into its registers).
  virtual bool peelsFirstGroup() const { return false; }
};

/// What the tensor-core strategies share: the operand precisions, the
/// accumulator type they imply, and `vggq.mma` = instruction shape + the
/// operand types ("m16n8k32.e4m3", "wgmma.m64nNk32.e4m3.e5m2").
class TensorCoreStrategy : public GemmStrategy {
public:
  TensorCoreStrategy(const Precision &a, const Precision &b) : pa(a), pb(b) {}
  std::string name() const override {
    std::string s = shapeName() + "." + pa.mma.ptxType;
    if (&pa != &pb)
      s += "." + std::string(pb.mma.ptxType);
    return s;
  }
  mlir::Type accType(KernelBuilder &kb) const override {
    return isInt() ? kb.i32() : kb.f32();
  }

protected:
  /// The instruction and shape part of name().
  virtual std::string shapeName() const = 0;
  /// Integer MMA: s32 accumulators.
  bool isInt() const { return std::string(pa.mma.accType) == "s32"; }

  const Precision &pa, &pb;
};

/// The mma.sync strategy of a precision's MMA (Formats.def): m16n8k32 for
/// 8-bit, m16n8k16 for 16-bit operands (32 bytes of K either way).
std::unique_ptr<GemmStrategy> createMmaSyncStrategy(const Precision &a,
                                                    const Precision &b);
/// The wgmma strategy (sm_90a) of a precision's MMA type for `tile`; an
/// error on `op` when no wgmma multiplies the pair or the tile is not one
/// warpgroup of 64-row slabs.
mlir::FailureOr<std::unique_ptr<GemmStrategy>>
createWgmmaStrategy(mlir::Operation *op, const Precision &a,
                    const Precision &b, const TileConfig &tile);
/// The CUDA-core FP32 strategy (16 x 16 threads, 4 x 4 micro-tiles).
std::unique_ptr<GemmStrategy> createSimtF32Strategy();

/// The attribute listing the arguments of a kernel that are tensor maps
/// passed by value (an array of argument indices); the serialization
/// pipeline makes them `.param .align 64 .b8 [128]` parameters.
constexpr llvm::StringLiteral kTensorMapArgsAttr = "vggq.tensor_map_args";

/// Builds `gpu.func @spec.name` in `gpuModule`. Arguments: A (activations),
/// B (weights [nPadded][kPadded], or with spec.tmaB the tensor map over
/// them), [scale f32[nPadded]], [bias
/// f32/i32[nPadded]], [residual (the output's layout)], out, batch (i32).
/// Returns the kernel.
mlir::gpu::GPUFuncOp buildGemmKernel(mlir::OpBuilder &b, mlir::Location loc,
                                     mlir::gpu::GPUModuleOp gpuModule,
                                     const GemmSpec &spec,
                                     GemmStrategy &strategy);

/// The shared-memory bytes a GEMM kernel uses (pipeline stages, or the
/// pooled epilogue's f32 tile when larger).
int64_t gemmSharedBytes(const GemmSpec &spec);

/// Emits the fused epilogue for the accumulators of one tile
/// (GemmEpilogue.cpp).
/// Shared bytes the epilogue stages its results in (the pipeline ring is
/// free by then; gemmSharedBytes takes the larger of the two).
int64_t epilogueSharedBytes(const GemmSpec &spec);

void emitGemmEpilogue(KernelBuilder &kb, const GemmSpec &spec,
                      llvm::ArrayRef<AccPair> pairs, mlir::Value m0,
                      mlir::Value n0, mlir::Value rows, mlir::Value smem,
                      mlir::Value tid, mlir::ValueRange args);

/// Converts two f32 values (already divided by the output scale) to two
/// codes of `p` with its CVT, packed into an integer of 2 * BITS bits (first
/// value in the low half).
mlir::Value packPair(KernelBuilder &kb, const Precision &p, mlir::Value q0,
                     mlir::Value q1);
/// The integer type of one code of `p` (i8, i16).
mlir::Type codeType(KernelBuilder &kb, const Precision &p);
/// Converts one f32 value (already divided by the scale) to a code of `p`
/// (codeType), with the same conversion as packPair.
mlir::Value encodeOne(KernelBuilder &kb, const Precision &p, mlir::Value q);
/// The f32 value of a code of `p` (an integer of `p.bits` bits), exactly as
/// the host's numerics::decode: integers are sign-extended, floats are
/// rebuilt from their sign, exponent and fraction fields (Formats.def's
/// EXP_BITS, MAN_BITS and NAN), subnormals as fraction * 2^(1-bias-MAN_BITS).
mlir::Value decodeCode(KernelBuilder &kb, const Precision &p, mlir::Value code);

} // namespace lowering
} // namespace vggq

#endif // VGGQ_LIB_CONVERSION_VGGQTOGPU_GEMMKERNEL_H
