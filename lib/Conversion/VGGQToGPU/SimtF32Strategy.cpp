//===- SimtF32Strategy.cpp - FP32 GEMM on CUDA cores ------------*- C++ -*-===//
//
// The FP32 baseline: 256 threads as 16 x 16, thread (ty, tx) owns a 4 x 4
// micro-tile, rows 4*ty + i and columns 4*tx + j of a 64 x 64 tile. Per
// 16-float K slice it reads four 16-byte vectors of A and of B per 4-K chunk
// (A[row][4q..4q+3], B[col][4q..4q+3]; the swizzle keeps 16-byte chunks
// contiguous) and issues 64 fma.rn.f32, accumulating in K order.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

constexpr int64_t kMicro = 4;

class SimtF32Strategy : public GemmStrategy {
public:
  std::string name() const override { return "simt.f32"; }
  Type accType(KernelBuilder &kb) const override { return kb.f32(); }
  int64_t numAccumulators(const GemmSpec &) const override {
    return kMicro * kMicro;
  }

  void prepare(KernelBuilder &kb, const GemmSpec &spec, Value tid) override {
    int64_t threadsN = spec.tile.bn / kMicro;
    rowBase = kb.mul(kb.div(tid, threadsN), kMicro);
    colBase = kb.mul(kb.rem(tid, threadsN), kMicro);
  }

  SmallVector<Value> multiplyStage(KernelBuilder &kb, const GemmSpec &spec,
                                   Value aTile, Value bTile,
                                   ValueRange acc,
                                   OpFoldResult) override {
    OpBuilder &b = kb.builder();
    SmallVector<Value> out(acc.begin(), acc.end());
    auto vecType = VectorType::get({4}, kb.f32());
    for (int64_t q = 0; q < kTileRowBytes / 16; ++q) {
      SmallVector<Value, kMicro> a, w;
      for (int64_t i = 0; i < kMicro; ++i) {
        Value off = swizzledOffset(kb, kb.add(rowBase, i), kb.c32(q * 16));
        a.push_back(kb.load(vecType, kb.gepBytes(aTile, off), 16));
        off = swizzledOffset(kb, kb.add(colBase, i), kb.c32(q * 16));
        w.push_back(kb.load(vecType, kb.gepBytes(bTile, off), 16));
      }
      for (int64_t kk = 0; kk < 4; ++kk) {
        SmallVector<Value, kMicro> ak, wk;
        for (int64_t i = 0; i < kMicro; ++i) {
          ak.push_back(vector::ExtractOp::create(b, kb.getLoc(), a[i], kk));
          wk.push_back(vector::ExtractOp::create(b, kb.getLoc(), w[i], kk));
        }
        for (int64_t i = 0; i < kMicro; ++i)
          for (int64_t j = 0; j < kMicro; ++j)
            out[i * kMicro + j] = kb.fma(ak[i], wk[j], out[i * kMicro + j]);
      }
    }
    return out;
  }

  SmallVector<AccPair> accumulatorPairs(KernelBuilder &kb, const GemmSpec &,
                                        ValueRange acc) override {
    SmallVector<AccPair> pairs;
    Value col0 = colBase, col2 = kb.add(colBase, 2);
    for (int64_t i = 0; i < kMicro; ++i) {
      Value row = kb.add(rowBase, i);
      pairs.push_back({row, col0, acc[i * kMicro], acc[i * kMicro + 1]});
      pairs.push_back({row, col2, acc[i * kMicro + 2], acc[i * kMicro + 3]});
    }
    return pairs;
  }

private:
  Value rowBase, colBase;
};

} // namespace

std::unique_ptr<GemmStrategy> createSimtF32Strategy() {
  return std::make_unique<SimtF32Strategy>();
}

} // namespace lowering
} // namespace vggq
