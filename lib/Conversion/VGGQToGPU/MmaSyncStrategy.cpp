//===- MmaSyncStrategy.cpp - tensor cores via mma.sync -----------*- C++
//-*-===//
//
// mma.sync.aligned.m16n8kK.row.col of a precision's MMA (Formats.def): K =
// 32 for 8-bit operands (s8 -> s32, e4m3/e5m2 -> f32), K = 16 for 16-bit
// ones (f16/bf16 -> f32), each through the LLVM 22 NVPTX intrinsic that the
// format names (llvm.call_intrinsic: MLIR 22's nvvm.mma.sync has no FP8
// form), which leaves register allocation and scheduling to the backend and
// ptxas.
//
// Four warps in a 2 x 2 grid; warp (wm, wn) owns tile rows
// [wm*WM, (wm+1)*WM) and columns [wn*WN, (wn+1)*WN), WM = BM/2, WN = BN/2,
// as MT = WM/16 by NT = WN/8 MMA tiles, one MMA per 32-byte K step.
//
// Fragments (PTX ISA, mma.m16n8k32 with .s8/.e4m3/.e5m2 and mma.m16n8k16
// with .f16/.bf16; lane = 0..31, g = lane / 4, t = lane % 4). In bytes both
// are the same: each .b32 register holds 4 consecutive K bytes (4 8-bit or
// 2 16-bit elements, the lowest-addressed in the low bits):
//   A (16 rows x 32 bytes, row-major), 4 regs:
//     a0 = A[g][bytes 4t..4t+3]      a1 = A[g+8][4t..]
//     a2 = A[g][16+4t..]             a3 = A[g+8][16+4t..]
//   B (32 bytes x 8 columns, col-major), 2 regs:
//     b0 = B[bytes 4t..4t+3][g]      b1 = B[16+4t..][g]
//   C/D (16x8), 4 x f32/s32:  c0,c1 = C[g][2t, 2t+1]  c2,c3 = C[g+8][2t, 2t+1]
//
// ldmatrix.x4 (.b16, m8n8) gives lane l of matrix j the 4 bytes at row l/4,
// bytes 4*(l%4) of the 8x16-byte matrix whose row addresses lanes 8j..8j+7
// supplied. So for A, lane l points at tile row (l%8) + 8*((l/8)%2), K byte
// 16*(l/16): matrices (rows 0-7,K 0-15), (8-15, 0-15), (0-7, 16-31),
// (8-15, 16-31) = a0..a3. For B (stored [n][k]), lane l points at row
// (l%8) + 8*(l/16), K byte 16*((l/8)%2): matrices = b0, b1 of n-tile 2p and
// b0, b1 of n-tile 2p+1.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

class MmaSyncStrategy : public TensorCoreStrategy {
public:
  using TensorCoreStrategy::TensorCoreStrategy;

  std::string shapeName() const override {
    return "m" + std::to_string(pa.mma.m) + "n" + std::to_string(pa.mma.n) +
           "k" + std::to_string(pa.mma.k);
  }
  int64_t numAccumulators(const GemmSpec &spec) const override {
    return mt(spec) * nt(spec) * 4;
  }

  void prepare(KernelBuilder &kb, const GemmSpec &spec, Value tid) override {
    const TileConfig &t = spec.tile;
    Value lane = kb.rem(tid, 32);
    Value warp = kb.div(tid, 32);
    Value wm = kb.div(warp, t.warpsN), wn = kb.rem(warp, t.warpsN);
    Value l8 = kb.rem(lane, 8);
    warpRow = kb.mul(wm, t.bm / t.warpsM);
    warpCol = kb.mul(wn, t.bn / t.warpsN);
    Value aRow =
        kb.add(warpRow, kb.add(l8, kb.mul(kb.rem(kb.div(lane, 8), 2), 8)));
    Value aK = kb.mul(kb.div(lane, 16), 16);
    Value bRow = kb.add(warpCol, kb.add(l8, kb.mul(kb.div(lane, 16), 8)));
    Value bK = kb.mul(kb.rem(kb.div(lane, 8), 2), 16);
    // Per 32-byte K step, this lane's ldmatrix offset for MMA tile 0; tile
    // i (16 rows further) adds i * 16 * 64 bytes, as the swizzle depends
    // on (row >> 1) & 3 only.
    aOff.clear(), bOff.clear();
    for (int64_t ks = 0; ks < kTileRowBytes / 32; ++ks) {
      aOff.push_back(swizzledOffset(kb, aRow, kb.add(aK, ks * 32)));
      bOff.push_back(swizzledOffset(kb, bRow, kb.add(bK, ks * 32)));
    }
    g = kb.div(lane, 4);
    t2 = kb.mul(kb.rem(lane, 4), 2);
  }

  SmallVector<Value> multiplyStage(KernelBuilder &kb, const GemmSpec &spec,
                                   Value aTile, Value bTile,
                                   ValueRange acc,
                                   OpFoldResult) override {
    SmallVector<Value> out(acc.begin(), acc.end());
    int64_t nMt = mt(spec), nNt = nt(spec);
    constexpr int64_t tileBytes = 16 * kTileRowBytes;
    for (int64_t ks = 0; ks < kTileRowBytes / 32; ++ks) {
      SmallVector<SmallVector<Value, 4>> a, b;
      Value aBase = kb.gepBytes(aTile, aOff[ks]);
      Value bBase = kb.gepBytes(bTile, bOff[ks]);
      for (int64_t i = 0; i < nMt; ++i)
        a.push_back(ldmatrix(kb, kb.gepBytes(aBase, i * tileBytes)));
      for (int64_t p = 0; p < nNt / 2; ++p) {
        SmallVector<Value, 4> r =
            ldmatrix(kb, kb.gepBytes(bBase, p * tileBytes));
        b.push_back({r[0], r[1]});
        b.push_back({r[2], r[3]});
      }
      for (int64_t i = 0; i < nMt; ++i)
        for (int64_t j = 0; j < nNt; ++j) {
          MutableArrayRef<Value> c(&out[(i * nNt + j) * 4], 4);
          SmallVector<Value> d = mma(kb, a[i], b[j], c);
          std::copy(d.begin(), d.end(), c.begin());
        }
    }
    return out;
  }

  SmallVector<AccPair> accumulatorPairs(KernelBuilder &kb, const GemmSpec &spec,
                                        ValueRange acc) override {
    int64_t nMt = mt(spec), nNt = nt(spec);
    SmallVector<Value> cols;
    for (int64_t j = 0; j < nNt; ++j)
      cols.push_back(kb.add(warpCol, kb.add(t2, j * 8)));
    SmallVector<AccPair> pairs;
    for (int64_t i = 0; i < nMt; ++i) {
      Value row = kb.add(warpRow, kb.add(g, i * 16));
      Value row8 = kb.add(row, 8);
      for (int64_t j = 0; j < nNt; ++j) {
        int64_t base = (i * nNt + j) * 4;
        pairs.push_back({row, cols[j], acc[base], acc[base + 1]});
        pairs.push_back({row8, cols[j], acc[base + 2], acc[base + 3]});
      }
    }
    return pairs;
  }

private:
  static int64_t mt(const GemmSpec &s) {
    return s.tile.bm / s.tile.warpsM / 16;
  }
  static int64_t nt(const GemmSpec &s) { return s.tile.bn / s.tile.warpsN / 8; }

  /// ldmatrix.x4 with this lane's row address `p`.
  SmallVector<Value, 4> ldmatrix(KernelBuilder &kb, Value p) {
    OpBuilder &b = kb.builder();
    MLIRContext *ctx = kb.ctx();
    Type i32 = kb.i32();
    auto st = LLVM::LLVMStructType::getLiteral(ctx, {i32, i32, i32, i32});
    Value r = NVVM::LdMatrixOp::create(
        b, kb.getLoc(), st, p, b.getI32IntegerAttr(4),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8),
        NVVM::LdStMatrixEltTypeAttr::get(ctx, NVVM::LdStMatrixEltType::B16));
    return {kb.extract(r, 0), kb.extract(r, 1), kb.extract(r, 2),
            kb.extract(r, 3)};
  }

  SmallVector<Value> mma(KernelBuilder &kb, ArrayRef<Value> a,
                         ArrayRef<Value> b, ArrayRef<Value> c) {
    OpBuilder &ob = kb.builder();
    Type acc = accType(kb);
    auto st = LLVM::LLVMStructType::getLiteral(kb.ctx(), {acc, acc, acc, acc});
    // A and B registers are i32, or the fragment type the intrinsic takes.
    Type frag = kb.i32();
    if (std::string(pa.mma.fragment) == "v2f16")
      frag = VectorType::get({2}, Float16Type::get(kb.ctx()));
    SmallVector<Value> operands;
    for (ArrayRef<Value> regs : {a, b})
      for (Value r : regs)
        operands.push_back(frag == r.getType() ? r
                                               : LLVM::BitcastOp::create(
                                                     ob, kb.getLoc(), frag, r)
                                                     .getResult());
    operands.append(c.begin(), c.end());
    Value d = LLVM::CallIntrinsicOp::create(
                  ob, kb.getLoc(), st, ob.getStringAttr(pa.mmaIntrinsic(pb)),
                  operands)
                  .getResult(0);
    return {kb.extract(d, 0), kb.extract(d, 1), kb.extract(d, 2),
            kb.extract(d, 3)};
  }

  Value warpRow, warpCol, g, t2;
  SmallVector<Value, 2> aOff, bOff; ///< i32, per 32-byte K step
};

} // namespace

std::unique_ptr<GemmStrategy> createMmaSyncStrategy(const Precision &a,
                                                    const Precision &b) {
  return std::make_unique<MmaSyncStrategy>(a, b);
}

} // namespace lowering
} // namespace vggq
