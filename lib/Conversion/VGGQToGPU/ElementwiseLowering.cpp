//===- ElementwiseLowering.cpp - quantize -> kernel -------------*- C++ -*-===//
//
// The activation quantize (f32 NHWC -> 8-bit, per tensor), normally the
// model input's, becomes a kernel that also pads the channels to the stored
// count the next layer's K layout needs (3 -> 4 for the first conv).
// Weight quantizes (of constants) are folded into the weight blob by the
// GEMM lowering and never reach here.
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

} // namespace

void populateElementwiseLowerings(OpLoweringList &list) {
  list.push_back(std::make_unique<QuantizeLowering>());
}

} // namespace lowering
} // namespace vggq
