//===- LowerToGPU.cpp - the --vggq-lower-to-gpu driver ----------*- C++ -*-===//
//
// A thin driver: checks the target chip and the memory plan, then hands each
// op of @forward, in program order, to the lowering of its family
// (ConvLinearLowering, PoolingLowering, ElementwiseLowering). Constants,
// flatten (a view of its operand's buffer), ops fused into a preceding
// kernel and weight quantizes need no kernel. An FP32 GEMM whose chain ends
// in a fused add is lowered at the add (LayoutRules' kernelPosition).
//
//===----------------------------------------------------------------------===//
#include "LoweringState.h"
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

namespace vggq {
#define GEN_PASS_DEF_LOWERTOGPU
#include "vggq/Conversion/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

namespace {

/// "sm_89" -> 89, "sm_90a" -> 90; 0 when malformed.
unsigned parseChip(StringRef chip) {
  unsigned sm = 0;
  if (!chip.consume_front("sm_"))
    return 0;
  chip.consume_back("a");
  if (chip.getAsInteger(10, sm))
    return 0;
  return sm;
}

/// Ops that need no kernel of their own.
bool needsNoKernel(Operation *op) {
  if (isa<arith::ConstantOp, FlattenOp, func::ReturnOp>(op))
    return true;
  if (auto q = dyn_cast<QuantizeOp>(op))
    return !q.hasZeroPoint() &&
           q.getInput().getDefiningOp<arith::ConstantOp>() != nullptr;
  return lowering::isFusedIntoProducer(op);
}

struct LowerToGPUPass : public vggq::impl::LowerToGPUBase<LowerToGPUPass> {
  using LowerToGPUBase::LowerToGPUBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward || forward.isExternal()) {
      module.emitError(
          "vggq-lower-to-gpu: the module has no func.func @forward");
      return signalPassFailure();
    }
    unsigned sm = parseChip(chip);
    if (sm < 80) {
      module.emitError("vggq-lower-to-gpu: unsupported chip '")
          << chip << "' (expected sm_89, sm_90 or sm_90a)";
      return signalPassFailure();
    }
    if (failed(lowering::verifyStaticImageShapes(forward, "vggq-lower-to-gpu")))
      return signalPassFailure();
    if (!forward->hasAttr("vggq.arena")) {
      forward.emitError("vggq-lower-to-gpu: @forward has no memory plan; "
                        "run --vggq-plan-memory first");
      return signalPassFailure();
    }
    Block &body = forward.getBody().front();
    if (body.getNumArguments() != 1 ||
        body.getTerminator()->getNumOperands() != 1) {
      forward.emitError("vggq-lower-to-gpu: @forward must take one input "
                        "tensor and return one result");
      return signalPassFailure();
    }

    lowering::OpLoweringList lowerings;
    lowering::populateConvLinearLowerings(lowerings);
    lowering::populatePoolingLowerings(lowerings);
    lowering::populateElementwiseLowerings(lowerings);

    // The model's precision: that of the first GEMM's input.
    StringRef precision = "fp32";
    for (Operation &op : body)
      if (lowering::isGemmOp(&op)) {
        auto t = cast<RankedTensorType>(op.getOperand(0).getType());
        if (const Precision *p = lookupPrecision(t.getElementType()))
          precision = p->name;
        break;
      }
    module->setAttr("vggq.precision",
                    StringAttr::get(&getContext(), precision));

    if (kUnroll != "auto" && kUnroll != "on" && kUnroll != "off") {
      module.emitError("vggq-lower-to-gpu: k-unroll must be auto, on or "
                       "off, got '")
          << kUnroll << "'";
      return signalPassFailure();
    }
    bool archSpecific = StringRef(chip).ends_with("a");
    if (mma != "auto" && mma != "mma.sync" && mma != "wgmma") {
      module.emitError("vggq-lower-to-gpu: mma must be auto, mma.sync or "
                       "wgmma, got '")
          << mma << "'";
      return signalPassFailure();
    }
    if (mma == "wgmma" && !(sm == 90 && archSpecific)) {
      module.emitError("vggq-lower-to-gpu: mma=wgmma needs chip sm_90a "
                       "(wgmma is an sm_90a feature), got chip '")
          << chip << "'";
      return signalPassFailure();
    }
    if (fp8Promote < 0) {
      module.emitError("vggq-lower-to-gpu: fp8-promote must be 0 (never) or "
                       "a positive number of K slices, got ")
          << std::to_string(fp8Promote);
      return signalPassFailure();
    }
    if (stages != 0 && (stages < 2 || stages > 5)) {
      module.emitError("vggq-lower-to-gpu: stages must be 0 (per layer) or 2 "
                       "to 5, got ")
          << std::to_string(stages);
      return signalPassFailure();
    }
    lowering::LoweringState state(module, forward, chip, sm);
    state.kUnroll = kUnroll;
    state.stages = stages;
    state.mma = mma == "auto" ? (sm == 90 && archSpecific ? "wgmma" : "mma.sync")
                              : std::string(mma);
    if (fp8Promote > 0 && state.mma != "wgmma") {
      module.emitError("vggq-lower-to-gpu: fp8-promote needs the wgmma "
                       "strategy (chip sm_90a), but the kernels use ")
          << state.mma << " (chip '" << chip << "')";
      return signalPassFailure();
    }
    state.fp8Promote = fp8Promote;
    if (bLoad != "auto" && bLoad != "tma" && bLoad != "cp.async") {
      module.emitError("vggq-lower-to-gpu: b-load must be auto, tma or "
                       "cp.async, got '")
          << bLoad << "'";
      return signalPassFailure();
    }
    if (bLoad == "tma" && state.mma != "wgmma") {
      module.emitError("vggq-lower-to-gpu: b-load=tma needs the wgmma "
                       "strategy (chip sm_90a), but the kernels use ")
          << state.mma << " (chip '" << chip << "')";
      return signalPassFailure();
    }
    state.tmaB = state.mma == "wgmma" && bLoad != "cp.async";
    if (aLoad != "auto" && aLoad != "tma" && aLoad != "cp.async") {
      module.emitError("vggq-lower-to-gpu: a-load must be auto, tma or "
                       "cp.async, got '")
          << aLoad << "'";
      return signalPassFailure();
    }
    if (aLoad == "tma" && !state.tmaB) {
      InFlightDiagnostic d =
          module.emitError("vggq-lower-to-gpu: a-load=tma needs the weights "
                           "by TMA too (the wgmma strategy, chip sm_90a, and "
                           "b-load auto or tma), but ");
      if (state.mma == "wgmma")
        d << "b-load is cp.async";
      else
        d << "the kernels use " << state.mma << " (chip '" << chip << "')";
      return signalPassFailure();
    }
    state.tmaA = state.tmaB && aLoad != "cp.async";
    if (warpSpecialize != "auto" && warpSpecialize != "on" &&
        warpSpecialize != "off") {
      module.emitError("vggq-lower-to-gpu: warp-specialize must be auto, on "
                       "or off, got '")
          << warpSpecialize << "'";
      return signalPassFailure();
    }
    if (warpSpecialize == "on" && !state.tmaA) {
      InFlightDiagnostic d = module.emitError(
          "vggq-lower-to-gpu: warp-specialize=on needs both operands by TMA "
          "(the wgmma strategy, chip sm_90a, b-load and a-load auto or "
          "tma), but ");
      if (state.mma != "wgmma")
        d << "the kernels use " << state.mma << " (chip '" << chip << "')";
      else
        d << (state.tmaB ? "a-load" : "b-load") << " is cp.async";
      return signalPassFailure();
    }
    state.warpSpecialize = warpSpecialize == "on";
    if (persistent && !state.warpSpecialize) {
      module.emitError("vggq-lower-to-gpu: persistent needs "
                       "warp-specialize=on (its producer warpgroup runs ahead "
                       "into the next tile), got warp-specialize=")
          << warpSpecialize;
      return signalPassFailure();
    }
    state.persistent = persistent;
    if (consumers != 1 && consumers != 2) {
      module.emitError("vggq-lower-to-gpu: consumers must be 1 or 2, got ")
          << static_cast<int64_t>(consumers);
      return signalPassFailure();
    }
    if (consumers == 2 && !state.warpSpecialize) {
      module.emitError("vggq-lower-to-gpu: consumers=2 needs "
                       "warp-specialize=on (the two consumer warpgroups share "
                       "a producer), got warp-specialize=")
          << warpSpecialize;
      return signalPassFailure();
    }
    state.consumers = consumers;
    // GEMMs whose kernel runs later, at the op that completes their chain.
    DenseMap<Operation *, Operation *> deferred;
    for (Operation &op : body.without_terminator()) {
      Operation *at = lowering::kernelPosition(&op);
      if (at != &op) {
        deferred[at] = &op;
        continue;
      }
      if (Operation *gemm = deferred.lookup(&op)) {
        if (failed(lowerOne(gemm, lowerings, state)))
          return signalPassFailure();
        continue;
      }
      if (needsNoKernel(&op))
        continue;
      if (failed(lowerOne(&op, lowerings, state)))
        return signalPassFailure();
    }
    state.finish(body.getArgument(0), body.getTerminator()->getOperand(0));
  }

  /// Lowers one op (or the chain it starts) with the first matching lowering.
  LogicalResult lowerOne(Operation *op,
                         const lowering::OpLoweringList &lowerings,
                         lowering::LoweringState &state) {
    const lowering::OpLowering *chosen = nullptr;
    for (const auto &l : lowerings)
      if (l->matches(op)) {
        chosen = l.get();
        break;
      }
    if (!chosen)
      return op->emitError("vggq-lower-to-gpu: no GPU lowering for '")
             << op->getName() << "' (run the quantize/fuse pipeline or "
             << "--vggq-fold-batchnorm first)";
    if (failed(chosen->lower(op, state)))
      return failure();
    if (lowering::isGemmOp(op)) {
      lowering::FusedChain chain = lowering::analyzeChain(op);
      numFusedPools += chain.pool != nullptr;
      numFusedResiduals += static_cast<bool>(chain.residual);
    }
    ++numKernels;
    return success();
  }
};

} // namespace
