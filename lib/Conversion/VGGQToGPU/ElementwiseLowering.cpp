//===- ElementwiseLowering.cpp - quantize, add, shortcut -> kernels -----===//
//
// The activation quantize (f32 NHWC -> 8-bit, per tensor), normally the
// model input's, becomes a kernel that also pads the channels to the stored
// count the next layer's K layout needs (3 -> 4 for the first conv).
// Weight quantizes (of constants) are folded into the weight blob by the
// GEMM lowering and never reach here. An add that was not fused into a
// conv's epilogue (vggq.add on f32 with the relu that follows it, or a
// vggq.qadd) and the ResNet shortcut (vggq.subsample_pad, any element type)
// become kernels of their own, one thread per element.
//
//===----------------------------------------------------------------------===//
#include "LoweringState.h"
#include "SimpleKernels.h"
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

class QuantizeLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isa<QuantizeOp>(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    auto q = cast<QuantizeOp>(op);
    if (q.hasZeroPoint())
      return op->emitError("vggq-lower-to-gpu: 'vggq.quantize' with a zero "
                           "point (affine, full INT8 range) has no GPU kernel; "
                           "the quantize kernel is symmetric");
    if (q.getAxis() || q.getScales().size() != 1)
      return op->emitError("vggq-lower-to-gpu: only per-tensor quantization "
                           "of activations is supported");
    auto in = cast<RankedTensorType>(q.getInput().getType());
    auto out = cast<RankedTensorType>(q.getOutput().getType());
    int64_t pixels = 1;
    for (int64_t i = 1; i + 1 < in.getRank(); ++i)
      pixels *= in.getDimSize(i);
    int64_t c = in.getShape().back();
    int64_t stored = storedChannels(c, elementBytes(out.getElementType()));
    if (storedChannels(c, 4) != c)
      return op->emitError("vggq-lower-to-gpu: unexpected f32 channel padding");
    FailureOr<int64_t> inOff = state.offsetOf(q.getInput());
    FailureOr<int64_t> outOff = state.offsetOf(q.getOutput());
    if (failed(inOff) || failed(outOff))
      return op->emitError("vggq-lower-to-gpu: no arena offset for this "
                           "layer's buffers; run --vggq-plan-memory first");
    float scale = q.getScales()[0];
    bool isInput = isa<BlockArgument>(q.getInput());
    std::string name =
        state.kernelName(isInput ? "quantize_input" : "quantize", op);
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildQuantizeKernel(b, op->getLoc(), state.kernels(), name, pixels, c,
                            stored, scale, out.getElementType());
    kernel->setAttr("vggq.block", b.getDenseI64ArrayAttr({kSimpleBlock, 1, 1}));
    state.launch(kernel, op, pixels, kSimpleBlock, 1, kSimpleBlock,
                 {{LaunchArg::Arena, *inOff},
                  {LaunchArg::Arena, *outOff},
                  {LaunchArg::Batch, 0}},
                 q.getOutput(), scale);
    return success();
  }
};

/// Arena offsets of `values`, in order; failure (after the message) when
/// one has none.
FailureOr<SmallVector<LaunchArg>> arenaArgs(Operation *op, LoweringState &state,
                                            ArrayRef<Value> values) {
  SmallVector<LaunchArg> args;
  for (Value v : values) {
    FailureOr<int64_t> off = state.offsetOf(v);
    if (failed(off))
      return op->emitError("vggq-lower-to-gpu: no arena offset for this "
                           "layer's buffers; run --vggq-plan-memory first");
    args.push_back({LaunchArg::Arena, *off});
  }
  args.push_back({LaunchArg::Batch, 0});
  return args;
}

/// The stored elements per image of a tensor (channels padded).
int64_t storedElementsPerImage(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return bufferBytesPerImage(v) / elementBytes(t.getElementType());
}

class AddLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isa<AddOp, QAddOp>(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    Value result = kernelResult(op);
    AddSpec spec;
    spec.lhsElem = cast<RankedTensorType>(lhs.getType()).getElementType();
    spec.rhsElem = cast<RankedTensorType>(rhs.getType()).getElementType();
    spec.outElem = cast<RankedTensorType>(result.getType()).getElementType();
    spec.elements = storedElementsPerImage(result);
    if (storedElementsPerImage(lhs) != spec.elements ||
        storedElementsPerImage(rhs) != spec.elements)
      return op->emitError("vggq-lower-to-gpu: the operands of this add are "
                           "stored with other channel counts than its result");
    if (auto q = dyn_cast<QAddOp>(op)) {
      spec.lhsScale = q.getLhsScale().convertToFloat();
      spec.rhsScale = q.getRhsScale().convertToFloat();
      spec.outScale = q.getOutputScale().convertToFloat();
      spec.relu = q.getRelu();
    } else {
      spec.relu = result != op->getResult(0); // the fused relu
    }
    FailureOr<SmallVector<LaunchArg>> args =
        arenaArgs(op, state, {lhs, rhs, result});
    if (failed(args))
      return failure();
    std::string name = state.kernelName("add", op);
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildAddKernel(b, op->getLoc(), state.kernels(), name, spec);
    kernel->setAttr("vggq.block", b.getDenseI64ArrayAttr({kSimpleBlock, 1, 1}));
    state.launch(kernel, op, spec.elements, kSimpleBlock, 1, kSimpleBlock,
                 *args, result, storageScale(result));
    return success();
  }
};

class SubsamplePadLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isa<SubsamplePadOp>(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    auto sp = cast<SubsamplePadOp>(op);
    auto in = cast<RankedTensorType>(sp.getInput().getType());
    auto out = cast<RankedTensorType>(sp.getOutput().getType());
    if (in.getRank() != 4)
      return op->emitError("vggq-lower-to-gpu: subsample_pad needs NHWC "
                           "input");
    SubsamplePadSpec s;
    s.elemBytes = elementBytes(in.getElementType());
    s.h = in.getDimSize(1), s.w = in.getDimSize(2);
    s.channels = in.getDimSize(3);
    s.inStored = storedChannels(s.channels, s.elemBytes);
    s.oh = out.getDimSize(1), s.ow = out.getDimSize(2);
    s.outStored = storedChannels(out.getDimSize(3), s.elemBytes);
    s.strideH = sp.getStrides()[0], s.strideW = sp.getStrides()[1];
    s.lo = sp.getChannelPadding()[0];
    FailureOr<SmallVector<LaunchArg>> args =
        arenaArgs(op, state, {sp.getInput(), sp.getOutput()});
    if (failed(args))
      return failure();
    std::string name = state.kernelName("shortcut", op);
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildSubsamplePadKernel(b, op->getLoc(), state.kernels(), name, s);
    kernel->setAttr("vggq.block", b.getDenseI64ArrayAttr({kSimpleBlock, 1, 1}));
    state.launch(kernel, op, s.unitsPerImage(), kSimpleBlock, 1, kSimpleBlock,
                 *args, sp.getOutput(), storageScale(sp.getOutput()));
    return success();
  }
};

} // namespace

void populateElementwiseLowerings(OpLoweringList &list) {
  list.push_back(std::make_unique<QuantizeLowering>());
  list.push_back(std::make_unique<AddLowering>());
  list.push_back(std::make_unique<SubsamplePadLowering>());
}

} // namespace lowering
} // namespace vggq
