//===- FuseQDQ.cpp - the --vggq-fuse-qdq pass -------------------*- C++ -*-===//
//
// Runs the fusion patterns to a fixed point, then explains every quantize,
// dequantize and requantize that survives (and every quantized compute op
// left with an f32 result) and counts them.
//
//===----------------------------------------------------------------------===//
#include "FuseQDQ.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace vggq {
#define GEN_PASS_DEF_FUSEQDQ
#include "vggq/Transforms/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

namespace {

/// Why the users of a float value keep it in f32: graph output, float
/// consumers, multiple users.
/// `self` (the quantize asking) is counted but not described.
std::string floatUseReasons(Value v, Operation *self = nullptr) {
  SmallVector<std::string> reasons;
  unsigned users = 0;
  for (Operation *user : v.getUsers()) {
    ++users;
    if (user == self)
      continue;
    if (isa<func::ReturnOp>(user))
      reasons.push_back("graph output");
    else if (isa<QuantizeOp>(user))
      reasons.push_back("scale mismatch with its quantize user");
    else
      reasons.push_back("float consumer " + describeOp(user));
  }
  if (users > 1)
    reasons.insert(reasons.begin(), "multiple users (" + std::to_string(users) + ")");
  return llvm::join(reasons, ", ");
}

/// Why a quantize could not be fused into (or moved above) its producer.
std::string quantizeReason(QuantizeOp q) {
  Value in = q.getInput();
  Operation *p = in.getDefiningOp();
  std::string reason;
  if (!p)
    reason = "graph input";
  else if (isa<DequantizeOp>(p))
    reason = "scale mismatch: per-channel and per-tensor parameters cannot "
             "become one requantize";
  else if (!in.hasOneUse())
    reason = "multiple users of " + describeOp(p) + " (" +
             floatUseReasons(in, q) + ")";
  else if (isQCompute(p))
    reason = "per-channel scales cannot become the per-tensor output_scale of " +
             describeOp(p);
  else if (isa<ReluOp, MaxPool2DOp, FlattenOp>(p))
    reason = "non-commuting consumer: a per-channel quantize does not commute "
             "with " + describeOp(p);
  else
    reason = "non-commuting producer " + describeOp(p) +
             " (its f32 result must be quantized)";
  for (Operation *user : q->getUsers())
    if (isa<func::ReturnOp>(user))
      reason += "; the quantized value is a graph output";
  return reason;
}

struct FuseQDQPass : vggq::impl::FuseQDQBase<FuseQDQPass> {
  using FuseQDQBase::FuseQDQBase;
  unsigned fusionCount = 0;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    fusionCount = 0;
    FuseOptions opts{explain, &numFusions, &fusionCount};
    RewritePatternSet patterns(&getContext());
    populateFuseQDQPatterns(patterns, opts);
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();

    unsigned fusions = fusionCount, nq = 0, ndq = 0, nrq = 0;
    func.walk([&](Operation *op) {
      if (auto q = dyn_cast<QuantizeOp>(op)) {
        ++nq;
        if (explain)
          op->emitRemark("quantize survives: " + quantizeReason(q));
      } else if (auto dq = dyn_cast<DequantizeOp>(op)) {
        ++ndq;
        if (explain)
          op->emitRemark("dequantize survives: " + floatUseReasons(dq));
      } else if (auto rq = dyn_cast<RequantizeOp>(op)) {
        ++nrq;
        if (explain)
          op->emitRemark() << "requantize survives: scale mismatch ("
                           << scaleString(rq.getInScale().convertToFloat())
                           << " " << typeString(rq.getInput().getType().getElementType())
                           << " -> "
                           << scaleString(rq.getOutScale().convertToFloat())
                           << " " << typeString(rq.getType().getElementType()) << ")";
      } else if (isQCompute(op) && !op->getAttr("output_scale") && explain) {
        op->emitRemark() << describeOp(op) << " keeps an f32 result: "
                         << floatUseReasons(op->getResult(0));
      }
    });
    numQuantize = nq;
    numDequantize = ndq;
    numRequantize = nrq;
    if (explain)
      func.emitRemark() << "fuse-qdq: " << fusions << " fusions; left: " << nq
                        << " quantize, " << ndq << " dequantize, " << nrq
                        << " requantize";
  }
};

} // namespace
