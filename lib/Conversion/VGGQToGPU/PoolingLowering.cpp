//===- PoolingLowering.cpp - standalone pools -> kernels --------*- C++ -*-===//
//
// A vggq.max_pool2d that could not be fused into the preceding GEMM's
// epilogue (LayoutRules' analyzeChain) and every vggq.avg_pool2d (f32, or
// quantized with its two scales; ResNet's global pool is the window [H, W])
// become their own kernels over the stored NHWC buffer, one thread per
// output element.
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

class MaxPoolLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isa<MaxPool2DOp>(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    auto pool = cast<MaxPool2DOp>(op);
    auto in = cast<RankedTensorType>(pool.getInput().getType());
    auto out = cast<RankedTensorType>(pool.getOutput().getType());
    if (in.getRank() != 4)
      return op->emitError("vggq-lower-to-gpu: max_pool2d needs NHWC input");
    if (pool.isDilated())
      return op->emitError("vggq-lower-to-gpu: 'vggq.max_pool2d' with a "
                           "dilation has no GPU kernel (the pool kernel reads "
                           "adjacent cells); run it on the reference executor");
    PoolSpec s;
    s.elem = in.getElementType();
    s.h = in.getDimSize(1), s.w = in.getDimSize(2);
    s.c = storedChannels(in.getDimSize(3), elementBytes(s.elem));
    s.oh = out.getDimSize(1), s.ow = out.getDimSize(2);
    s.kh = pool.getKernel()[0], s.kw = pool.getKernel()[1];
    s.strideH = pool.getStrides()[0], s.strideW = pool.getStrides()[1];
    s.padTop = pool.getPadding()[0], s.padLeft = pool.getPadding()[1];
    FailureOr<int64_t> inOff = state.offsetOf(pool.getInput());
    FailureOr<int64_t> outOff = state.offsetOf(pool.getOutput());
    if (failed(inOff) || failed(outOff))
      return op->emitError("vggq-lower-to-gpu: no arena offset for this "
                           "layer's buffers; run --vggq-plan-memory first");
    std::string name = state.kernelName("pool", op);
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildPoolKernel(b, op->getLoc(), state.kernels(), name, s);
    kernel->setAttr("vggq.block", b.getDenseI64ArrayAttr({kSimpleBlock, 1, 1}));
    // The codes keep the input's scale.
    state.launch(kernel, op, s.oh * s.ow * s.c, kSimpleBlock, 1, kSimpleBlock,
                 {{LaunchArg::Arena, *inOff},
                  {LaunchArg::Arena, *outOff},
                  {LaunchArg::Batch, 0}},
                 pool.getOutput(), storageScale(pool.getOutput()));
    return success();
  }
};

class AvgPoolLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isa<AvgPool2DOp>(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    auto pool = cast<AvgPool2DOp>(op);
    auto in = cast<RankedTensorType>(pool.getInput().getType());
    auto out = cast<RankedTensorType>(pool.getOutput().getType());
    if (in.getRank() != 4)
      return op->emitError("vggq-lower-to-gpu: avg_pool2d needs NHWC input");
    AvgPoolSpec a;
    PoolSpec &s = a.pool;
    s.elem = in.getElementType();
    s.h = in.getDimSize(1), s.w = in.getDimSize(2);
    s.c = storedChannels(in.getDimSize(3), elementBytes(s.elem));
    s.oh = out.getDimSize(1), s.ow = out.getDimSize(2);
    s.kh = pool.getKernel()[0], s.kw = pool.getKernel()[1];
    s.strideH = pool.getStrides()[0], s.strideW = pool.getStrides()[1];
    s.padTop = pool.getPadding()[0], s.padLeft = pool.getPadding()[1];
    a.countIncludePad = pool.getCountIncludePad();
    a.outElem = out.getElementType();
    if (storedChannels(out.getDimSize(3), elementBytes(a.outElem)) != s.c)
      return op->emitError("vggq-lower-to-gpu: avg_pool2d from ")
             << in.getElementType() << " to " << a.outElem
             << " changes the stored channel count";
    if (pool.isQuantized()) {
      a.inScale = pool.getInputScale()->convertToFloat();
      a.outScale = pool.getOutputScale()->convertToFloat();
    }
    FailureOr<int64_t> inOff = state.offsetOf(pool.getInput());
    FailureOr<int64_t> outOff = state.offsetOf(pool.getOutput());
    if (failed(inOff) || failed(outOff))
      return op->emitError("vggq-lower-to-gpu: no arena offset for this "
                           "layer's buffers; run --vggq-plan-memory first");
    std::string name = state.kernelName("avgpool", op);
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildAvgPoolKernel(b, op->getLoc(), state.kernels(), name, a);
    kernel->setAttr("vggq.block", b.getDenseI64ArrayAttr({kSimpleBlock, 1, 1}));
    state.launch(kernel, op, s.oh * s.ow * s.c, kSimpleBlock, 1, kSimpleBlock,
                 {{LaunchArg::Arena, *inOff},
                  {LaunchArg::Arena, *outOff},
                  {LaunchArg::Batch, 0}},
                 pool.getOutput(), storageScale(pool.getOutput()));
    return success();
  }
};

} // namespace

void populatePoolingLowerings(OpLoweringList &list) {
  list.push_back(std::make_unique<MaxPoolLowering>());
  list.push_back(std::make_unique<AvgPoolLowering>());
}

} // namespace lowering
} // namespace vggq
