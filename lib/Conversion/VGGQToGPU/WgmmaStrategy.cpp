//===- WgmmaStrategy.cpp - tensor cores via wgmma (sm_90a) ------*- C++ -*-===//
//
// wgmma.mma_async.sync.aligned.m64nNkK of a precision's MMA type (Formats.def:
// the same operand type and K as its mma.sync, 32 bytes of K per step), with
// A and B read by the tensor cores straight from shared memory through
// matrix descriptors: no ldmatrix, no operand registers.
//
// The block's 128 computing threads are one warpgroup (a warp-specialized
// kernel adds a producer warpgroup after them, GemmKernel.cpp). It computes the whole BM x BN
// tile as BM/64 slabs of 64 rows, one m64nBNkK wgmma per slab and 32-byte K
// step; the accumulator of slab i is BN/2 registers per thread.
//
// Shared memory: the skeleton's tile layout (GemmKernel.h), rows of 64
// bytes whose 16-byte chunk index is XORed with (row >> 1) & 3, is exactly
// the PTX 64-byte swizzle pattern (address bits [4:5] ^= bits [7:8]) for a
// K-major operand whose tile starts on a 512-byte boundary: one swizzle atom
// is 8 rows x 64 bytes. Hence the descriptor of a K-major operand at byte
// address `p` (PTX ISA, "Matrix Descriptor Format"):
//   bits  0-13  (p & 0x3FFFF) >> 4        start address
//   bits 16-29  1                         leading byte offset (unused for
//                                         swizzled K-major layouts)
//   bits 32-45  512 >> 4                  stride byte offset: the next group
//                                         of 8 rows (M or N) is 512 B on
//   bits 49-51  0                         base offset (atoms 512-B aligned)
//   bits 62-63  2                         64-byte swizzle
// K step s of a slice starts 32 * s bytes into the rows (+2 in the start
// field), slab i of A 64 rows = 4096 bytes further (+256).
//
// Accumulator fragment of m64nN (PTX ISA, wgmma "Register fragment layout
// for the accumulator matrix D"): warp w of the warpgroup owns rows
// 16w..16w+15; its lane l holds, for each 8-column block j, d[4j + 0, 1] =
// D[16w + l/4][8j + 2(l%4) + 0, 1] and d[4j + 2, 3] = the same columns of
// row 16w + l/4 + 8.
//
// Ordering: the tiles are written by cp.async (the generic proxy) and read
// by wgmma (the async proxy), so every thread runs fence.proxy.async after
// its copies have landed and before the barrier that publishes the slot
// (GemmStrategy::readsSharedThroughAsyncProxy). Each stage then runs
// wgmma.fence (the accumulators were last written by ordinary
// instructions), the wgmmas, wgmma.commit_group and wgmma.wait_group 0: the
// slot is free for the next cp.async and the accumulators are readable when
// multiplyStage returns.
//
// FP8 promotion (GemmSpec::promoteEvery = P > 0, the fp8-promote option):
// the tensor cores keep only about 13 mantissa bits of an FP8 running sum
// (GPU-FACTS.md), so, as CUTLASS's and DeepGEMM's FP8 GEMMs do, the wgmmas
// accumulate one interval of P K slices (64 K elements each) into partial
// registers, which are then added in f32 into a separate accumulator and
// restarted from zero. P = 1 carries no partial registers (each slice starts
// with scale-d = 0); P > 1 carries both sets through the K loop (twice the
// accumulator registers), and the epilogue adds the last partial sums.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

constexpr int64_t kSlabRows = 64;
constexpr int64_t kWarpgroupThreads = 128;
/// Bytes of K one wgmma step consumes (k32 for 8-bit, k16 for 16-bit).
constexpr int64_t kStepBytes = 32;
/// Descriptor fields that do not depend on the address.
constexpr uint64_t kDescriptorConstantBits =
    (uint64_t(1) << 16) | (uint64_t(512 >> 4) << 32) | (uint64_t(2) << 62);

class WgmmaStrategy : public TensorCoreStrategy {
public:
  WgmmaStrategy(const Precision &a, const Precision &b, NVVM::WGMMATypes ta,
                NVVM::WGMMATypes tb)
      : TensorCoreStrategy(a, b), typeA(ta), typeB(tb) {}

  std::string shapeName() const override {
    return "wgmma.m64nNk" + std::to_string(pa.mma.k);
  }
  int64_t numAccumulators(const GemmSpec &spec) const override {
    int64_t n = slabs(spec) * spec.tile.bn / 2;
    return promoteEvery(spec) > 1 ? 2 * n : n;
  }
  bool readsSharedThroughAsyncProxy() const override { return true; }
  int64_t sharedAlignment() const override { return 1024; }
  /// Zeros carried into a rolled loop would be moved into the accumulator
  /// registers after wgmma.fence, where ptxas then serializes the wgmmas
  /// (it injects warpgroup.arrive/wait, C7519/C7517).
  bool peelsFirstGroup() const override { return true; }

  void prepare(KernelBuilder &kb, const GemmSpec &spec, Value tid) override {
    Value lane = kb.rem(tid, 32);
    rowBase = kb.add(kb.mul(kb.div(tid, 32), 16), kb.div(lane, 4));
    colBase = kb.mul(kb.rem(lane, 4), 2);
  }

  SmallVector<Value> multiplyStage(KernelBuilder &kb, const GemmSpec &spec,
                                   Value aTile, Value bTile, ValueRange acc,
                                   OpFoldResult slice) override {
    OpBuilder &b = kb.builder();
    Location loc = kb.getLoc();
    MLIRContext *ctx = kb.ctx();
    const int64_t bn = spec.tile.bn, perSlab = bn / 2;
    const int64_t n = slabs(spec) * perSlab;
    const int64_t every = promoteEvery(spec);
    // What the wgmmas accumulate into: all of `acc`, or with promotion the
    // partial sums of the current interval (none carried when every = 1).
    ValueRange main = every ? acc.take_front(n) : ValueRange();
    ValueRange partial = every == 1 ? ValueRange() : acc.take_back(n);
    Type accT = accType(kb);
    auto structType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(perSlab, accT));

    // Accumulators that are still the constant zero (the first slice of a
    // straight K sequence, every slice of a promotion interval of 1) are not
    // moved into the wgmma registers: the first step runs with scale-d = 0
    // (D = A x B) instead.
    bool fromZero = llvm::all_of(partial, isZero);
    SmallVector<Value> d;
    for (int64_t i = 0; i < slabs(spec); ++i) {
      Value s = LLVM::UndefOp::create(b, loc, structType);
      if (!fromZero)
        for (int64_t e = 0; e < perSlab; ++e)
          s = LLVM::InsertValueOp::create(b, loc, s, partial[i * perSlab + e],
                                          e);
      d.push_back(s);
    }
    Value descA = descriptor(kb, aTile), descB = descriptor(kb, bTile);
    auto shape = NVVM::MMAShapeAttr::get(ctx, kSlabRows, bn, pa.mma.k);
    auto typeD = NVVM::WGMMATypesAttr::get(
        ctx, isInt() ? NVVM::WGMMATypes::s32 : NVVM::WGMMATypes::f32);
    auto one = NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one);
    auto accumulate =
        NVVM::WGMMAScaleOutAttr::get(ctx, NVVM::WGMMAScaleOut::one);
    auto overwrite =
        NVVM::WGMMAScaleOutAttr::get(ctx, NVVM::WGMMAScaleOut::zero);
    auto sat = isInt() ? NVVM::MMAIntOverflowAttr::get(
                             ctx, NVVM::MMAIntOverflow::satfinite)
                       : NVVM::MMAIntOverflowAttr();

    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t ks = 0; ks < kTileRowBytes / kStepBytes; ++ks)
      for (int64_t i = 0; i < slabs(spec); ++i) {
        int64_t aOff = (i * kSlabRows * kTileRowBytes + ks * kStepBytes) >> 4;
        int64_t bOff = (ks * kStepBytes) >> 4;
        // Named, so that the IR's order does not depend on the order in
        // which the host compiler evaluates arguments.
        Value stepB = kb.add(descB, kb.c64(bOff));
        Value stepA = kb.add(descA, kb.c64(aOff));
        d[i] = NVVM::WgmmaMmaAsyncOp::create(
            b, loc, structType, d[i], stepA, stepB, shape,
            NVVM::WGMMATypesAttr::get(ctx, typeA),
            NVVM::WGMMATypesAttr::get(ctx, typeB), typeD,
            fromZero && ks == 0 ? overwrite : accumulate, one, one,
            NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
            NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col), sat);
      }
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);

    SmallVector<Value> sums;
    for (Value s : d)
      for (int64_t e = 0; e < perSlab; ++e)
        sums.push_back(kb.extract(s, e));
    if (!every)
      return sums;

    // Promotion: main += partial at the end of each interval (and the
    // partial sums restart from zero); accumulatorPairs adds what is left.
    auto promoted = [&](int64_t e) {
      return llvm::all_of(main, isZero) ? sums[e] : kb.fadd(main[e], sums[e]);
    };
    SmallVector<Value> out;
    if (every == 1) {
      for (int64_t e = 0; e < n; ++e)
        out.push_back(promoted(e));
      return out;
    }
    Value zero = kb.cf32(0.0f);
    if (std::optional<int64_t> k = getConstantIntValue(slice)) {
      bool flush = *k % every == every - 1;
      for (int64_t e = 0; e < n; ++e)
        out.push_back(flush ? promoted(e) : main[e]);
      for (int64_t e = 0; e < n; ++e)
        out.push_back(flush ? zero : sums[e]);
      return out;
    }
    Value flush = kb.eq(kb.rem(cast<Value>(slice), every), every - 1);
    for (int64_t e = 0; e < n; ++e)
      out.push_back(kb.select(flush, promoted(e), main[e]));
    for (int64_t e = 0; e < n; ++e)
      out.push_back(kb.select(flush, zero, sums[e]));
    return out;
  }

  SmallVector<AccPair> accumulatorPairs(KernelBuilder &kb, const GemmSpec &spec,
                                        ValueRange acc) override {
    const int64_t bn = spec.tile.bn, perSlab = bn / 2;
    const int64_t n = slabs(spec) * perSlab;
    // With a promotion interval above 1 the last partial sums are added here.
    SmallVector<Value> total(acc.take_front(n));
    if (promoteEvery(spec) > 1)
      for (int64_t e = 0; e < n; ++e)
        total[e] = kb.fadd(acc[e], acc[n + e]);
    SmallVector<Value> cols;
    for (int64_t j = 0; j < bn / 8; ++j)
      cols.push_back(kb.add(colBase, j * 8));
    SmallVector<AccPair> pairs;
    for (int64_t i = 0; i < slabs(spec); ++i)
      for (int64_t half = 0; half < 2; ++half) {
        Value row = kb.add(rowBase, i * kSlabRows + half * 8);
        for (int64_t j = 0; j < bn / 8; ++j) {
          int64_t e = i * perSlab + 4 * j + 2 * half;
          pairs.push_back({row, cols[j], total[e], total[e + 1]});
        }
      }
    return pairs;
  }

private:
  static int64_t slabs(const GemmSpec &s) { return s.tile.bm / kSlabRows; }
  /// The promotion interval in K slices: FP8 (f32 accumulators) only.
  int64_t promoteEvery(const GemmSpec &s) const {
    return isInt() || pa.bits != 8 ? 0 : s.promoteEvery;
  }
  static bool isZero(Value v) {
    return matchPattern(v, m_AnyZeroFloat()) || matchPattern(v, m_Zero());
  }

  /// The descriptor of a K-major operand tile at shared address `tile`.
  static Value descriptor(KernelBuilder &kb, Value tile) {
    OpBuilder &b = kb.builder();
    Value addr = LLVM::PtrToIntOp::create(b, kb.getLoc(), kb.i64(), tile);
    Value start = kb.shr(kb.band(addr, 0x3FFFF), 4);
    return kb.bor(start,
                  kb.c64(static_cast<int64_t>(kDescriptorConstantBits)));
  }

  NVVM::WGMMATypes typeA, typeB;
  Value rowBase, colBase; ///< i32: this thread's first row and column
};

} // namespace

FailureOr<std::unique_ptr<GemmStrategy>>
createWgmmaStrategy(Operation *op, const Precision &a, const Precision &b,
                    const TileConfig &tile) {
  std::optional<NVVM::WGMMATypes> ta = NVVM::symbolizeWGMMATypes(a.mma.ptxType);
  std::optional<NVVM::WGMMATypes> tb = NVVM::symbolizeWGMMATypes(b.mma.ptxType);
  if (!ta || !tb || a.mma.k * static_cast<int64_t>(a.bits) / 8 != kStepBytes)
    return op->emitError("vggq-lower-to-gpu: mma=wgmma: no wgmma multiplies ")
           << a.name << " activations by " << b.name << " weights";
  if (tile.threads != kWarpgroupThreads || tile.bm % kSlabRows != 0 ||
      tile.bn % 16 != 0 || tile.bn < 16 || tile.bn > 256)
    return op->emitError("vggq-lower-to-gpu: mma=wgmma: tile ")
           << tile.bm << "x" << tile.bn << " with " << tile.threads
           << " threads cannot be split into m64nNk wgmmas (needs one "
              "warpgroup of 128 threads, BM a multiple of 64, BN a multiple "
              "of 16 up to 256)";
  return std::unique_ptr<GemmStrategy>(
      std::make_unique<WgmmaStrategy>(a, b, *ta, *tb));
}

} // namespace lowering
} // namespace vggq
