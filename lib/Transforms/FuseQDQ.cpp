//===- FuseQDQ.cpp - the --vggq-fuse-qdq pass -------------------*- C++ -*-===//
//
// Runs the fusion patterns to a fixed point, then explains every quantize,
// dequantize and requantize that survives (and every quantized compute op
// left with an f32 result, every add or average pool left in f32 and every
// qadd not fused into a conv epilogue) and counts them.
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

/// How a quantize user `q` of the float value `v` takes part in keeping `v`:
/// a dequantize's quantize user has other parameters (else they would have
/// folded); quantizes of other values may differ from each other.
std::string quantizeUseReason(Value v, QuantizeOp q) {
  if (auto dq = v.getDefiningOp<DequantizeOp>()) {
    if (dq.hasZeroPoint() || q.hasZeroPoint())
      return "a quantize user with other parameters (an affine "
             "dequantize->quantize pair is no requantize)";
    return "scale mismatch with its quantize user";
  }
  for (Operation *user : v.getUsers())
    if (auto other = dyn_cast<QuantizeOp>(user);
        other && other != q &&
        (other.getScales() != q.getScales() || other.getType() != q.getType()))
      return "quantize users with different scales or types";
  return "a quantize user";
}

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
    std::string reason;
    if (isa<func::ReturnOp>(user))
      reason = "graph output";
    else if (auto q = dyn_cast<QuantizeOp>(user))
      reason = quantizeUseReason(v, q);
    else
      reason = "float consumer " + describeOp(user);
    if (!llvm::is_contained(reasons, reason))
      reasons.push_back(reason);
  }
  if (users > 1)
    reasons.insert(reasons.begin(), "multiple users (" + std::to_string(users) + ")");
  return llvm::join(reasons, ", ");
}

/// Why quantize(add) did not become a qadd (the add has one user, `q`).
std::string addFailure(AddOp add, QuantizeOp q) {
  if (q.getAxis())
    return "per-channel scales cannot become the per-tensor output_scale of " +
           describeOp(add);
  SmallVector<std::string> reasons;
  for (auto [i, v] : llvm::enumerate(add->getOperands())) {
    auto dq = v.getDefiningOp<DequantizeOp>();
    if (!dq)
      reasons.push_back("operand #" + std::to_string(i) +
                        " is f32, not dequantized");
    else if (dq.getAxis())
      reasons.push_back("operand #" + std::to_string(i) +
                        " is dequantized per channel");
  }
  return llvm::join(reasons, ", ");
}

/// Why an f32 add or avg_pool2d was not turned into its quantized form: its
/// inputs are not dequantized, its result is not (only) quantized, or the
/// one quantize of its result does not fit.
std::string floatOpReason(Operation *op) {
  Value r = op->getResult(0);
  auto q = r.hasOneUse() ? dyn_cast<QuantizeOp>(*r.getUsers().begin())
                         : QuantizeOp();
  if (q && isa<AvgPool2DOp>(op))
    return *avgPoolFusionFailure(q);
  if (q)
    return addFailure(cast<AddOp>(op), q);
  SmallVector<std::string> reasons;
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (!v.getDefiningOp<DequantizeOp>())
      reasons.push_back("operand #" + std::to_string(i) + " is f32");
  if (r.use_empty())
    reasons.push_back("its result is unused");
  else
    reasons.push_back("its f32 result is used (" + floatUseReasons(r) + ")");
  return llvm::join(reasons, ", ");
}

/// Why a quantize could not be fused into (or moved above) its producer.
std::string quantizeReason(QuantizeOp q) {
  Value in = q.getInput();
  Operation *p = in.getDefiningOp();
  std::string reason;
  if (q.hasZeroPoint())
    reason = "zero point [" +
             llvm::join(llvm::map_range(*q.getZeroPoint(),
                                        [](int64_t z) {
                                          return std::to_string(z);
                                        }),
                        ", ") +
             "]: an affine quantize is not fused (vggq's quantized ops "
             "compute on symmetric storage, zero point 0); it runs as it is";
  else if (!p)
    reason = "graph input";
  else if (auto dq = dyn_cast<DequantizeOp>(p); dq && dq.hasZeroPoint())
    reason = "its input is an affine dequantize (zero point): the pair is no "
             "(symmetric) requantize";
  else if (isa<DequantizeOp>(p))
    reason = "scale mismatch: per-channel and per-tensor parameters cannot "
             "become one requantize";
  else if (!in.hasOneUse())
    reason = "multiple users of " + describeOp(p) + " (" +
             floatUseReasons(in, q) + ")";
  else if (isa<QComputeOpInterface>(p))
    reason = "per-channel scales cannot become the per-tensor output_scale of " +
             describeOp(p);
  else if (isa<QuantCommutingOpInterface>(p))
    reason = "non-commuting consumer: a per-channel quantize does not commute "
             "with " + describeOp(p);
  else if (isa<AvgPool2DOp>(p))
    reason = "not a pool on storage: " + *avgPoolFusionFailure(q);
  else if (auto add = dyn_cast<AddOp>(p))
    reason = "not a qadd: " + addFailure(add, q);
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
          op->emitRemark(
              "dequantize survives: " +
              (dq.hasZeroPoint()
                   ? std::string("it has a zero point (asymmetric storage is "
                                 "not fused); ")
                   : std::string()) +
              floatUseReasons(dq));
      } else if (auto rq = dyn_cast<RequantizeOp>(op)) {
        ++nrq;
        if (explain)
          op->emitRemark() << "requantize survives: scale mismatch ("
                           << scaleString(rq.getInScale().convertToFloat())
                           << " " << typeString(rq.getInput().getType().getElementType())
                           << " -> "
                           << scaleString(rq.getOutScale().convertToFloat())
                           << " " << typeString(rq.getType().getElementType()) << ")";
      } else if (!explain) {
        return;
      } else if (auto qc = dyn_cast<QComputeOpInterface>(op);
                 qc && !qc.getOutputScaleValue()) {
        op->emitRemark() << describeOp(op) << " keeps an f32 result: "
                         << floatUseReasons(op->getResult(0));
      } else if (auto add = dyn_cast<QAddOp>(op)) {
        auto lhs = residualFusionFailure(add, 0);
        auto rhs = residualFusionFailure(add, 1);
        if (lhs && rhs)
          op->emitRemark() << describeOp(op)
                           << " is not fused into a conv epilogue: lhs " << *lhs
                           << "; rhs " << *rhs;
      } else if (isa<Conv2DOp, LinearOp>(op) && hasDequantizedOperand(op)) {
        op->emitRemark() << describeOp(op) << " stays f32: "
                         << dequantizedLayerFusionFailure(op).value_or(
                                "no rule applies");
      } else if (isa<AddOp>(op) || (isa<AvgPool2DOp>(op) &&
                                    !cast<AvgPool2DOp>(op).isQuantized())) {
        op->emitRemark() << describeOp(op)
                         << " stays f32: " << floatOpReason(op);
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
