//===- ConvLinearLowering.cpp - conv/linear -> implicit-GEMM kernels -----===//
//
// Lowers vggq.conv2d / linear (FP32, CUDA cores) and vggq.qconv2d / qlinear
// (tensor cores), each with the relu and 2x2 max-pool or the residual add
// fused into it (LayoutRules' analyzeChain), to one GEMM kernel and its
// launch; a residual is a second arena input of the kernel. Packs the
// weight matrix as [N padded to BN][K padded to BK] (OHWI order, input
// channels padded to the stored count), the per-channel f32 scales
// s[o] = input_scale * weight_scales[o] and the bias, each zero-padded to
// N padded, into the weight blob.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"
#include "LoweringState.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include <cstring>

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/// Repacks OHWI (or [O][K]) weights into [nPadded][kPadded] with each
/// pixel's `cin` channels spread over `cinStored`.
std::vector<char> packWeights(ArrayRef<char> w, const GemmSpec &s,
                              int64_t cin) {
  int64_t eb = s.inBytes, taps = s.kh * s.kw;
  std::vector<char> out(s.nPadded * s.kPadded * eb, 0);
  for (int64_t o = 0; o < s.n; ++o)
    for (int64_t t = 0; t < taps; ++t)
      std::memcpy(&out[(o * s.kPadded + t * s.cin) * eb],
                  &w[(o * taps + t) * cin * eb], cin * eb);
  return out;
}

template <typename T> std::vector<char> padded(ArrayRef<T> v, int64_t n) {
  std::vector<char> out(n * sizeof(T), 0);
  std::memcpy(out.data(), v.data(), v.size() * sizeof(T));
  return out;
}

class GemmLowering : public OpLowering {
public:
  bool matches(Operation *op) const override { return isGemmOp(op); }

  LogicalResult lower(Operation *op, LoweringState &state) const override {
    FusedChain chain = analyzeChain(op);
    bool isConv = isa<Conv2DOp, QConv2DOp>(op);
    bool quantized = isa<QConv2DOp, QLinearOp>(op);
    auto inType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto wType = cast<RankedTensorType>(op->getOperand(1).getType());
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Type inElem = inType.getElementType(), outElem = outType.getElementType();

    GemmSpec spec;
    spec.name = state.kernelName(isConv ? "conv" : "linear", op);
    spec.inBytes = elementBytes(inElem);
    int64_t cin = inType.getShape().back();
    spec.cin = storedChannels(cin, spec.inBytes);
    spec.n = wType.getDimSize(0);
    if (isConv) {
      ArrayRef<int64_t> strides, pad, dil;
      if (auto c = dyn_cast<Conv2DOp>(op)) {
        strides = c.getStrides(), pad = c.getPadding(), dil = c.getDilation();
      } else {
        auto q = cast<QConv2DOp>(op);
        strides = q.getStrides(), pad = q.getPadding(), dil = q.getDilation();
      }
      if (dil != ArrayRef<int64_t>{1, 1})
        return op->emitError("vggq-lower-to-gpu: dilated convolution is not "
                             "supported by the GPU lowering");
      spec.h = inType.getDimSize(1), spec.w = inType.getDimSize(2);
      spec.kh = wType.getDimSize(1), spec.kw = wType.getDimSize(2);
      spec.oh = outType.getDimSize(1), spec.ow = outType.getDimSize(2);
      spec.strideH = strides[0], spec.strideW = strides[1];
      spec.padTop = pad[0], spec.padLeft = pad[1];
    }
    if (!outElem.isF32() && spec.n % 4 != 0)
      return op->emitError("vggq-lower-to-gpu: coded outputs need a multiple "
                           "of 4 channels, got ")
             << spec.n;
    spec.tile = selectTile(op);
    if (state.stages)
      spec.tile.stages = state.stages;
    spec.k = spec.kh * spec.kw * spec.cin;
    spec.kPadded = roundUp(spec.k, spec.tile.bk);
    spec.nPadded = roundUp(spec.n, spec.tile.bn);
    spec.pool = chain.pool != nullptr;
    spec.outElem =
        cast<RankedTensorType>(chain.result.getType()).getElementType();
    // 8-bit kernels only; k-unroll=auto: INT8 only (see the pass option).
    spec.unrollK = spec.inBytes == 1 &&
                   (state.kUnroll == "on" ||
                    (state.kUnroll == "auto" && inElem.isInteger(8)));

    std::unique_ptr<GemmStrategy> strategy;
    if (quantized) {
      const Precision *pa = lookupPrecision(inElem);
      const Precision *pb = lookupPrecision(wType.getElementType());
      for (const Precision *p : {pa, pb})
        if (!p->runsOn(state.smVersion()))
          return op->emitError("vggq-lower-to-gpu: precision ")
                 << p->name << " needs sm_" << p->minSM
                 << " or newer (mma.sync m" << p->mma.m << "n" << p->mma.n
                 << "k" << p->mma.k << " " << p->mma.ptxType
                 << "), but the target chip is sm_" << state.smVersion();
      if (!pa->hasMma() ||
          llvm::StringRef(pa->mma.intrinsic) != pb->mma.intrinsic ||
          pa->mma.k != pb->mma.k)
        return op->emitError("vggq-lower-to-gpu: no mma.sync multiplies ")
               << pa->name << " activations by " << pb->name << " weights";
      if (state.mma == "wgmma") {
        spec.promoteEvery = state.fp8Promote;
        FailureOr<std::unique_ptr<GemmStrategy>> wgmma =
            createWgmmaStrategy(op, *pa, *pb, spec.tile);
        if (failed(wgmma))
          return failure();
        strategy = std::move(*wgmma);
        spec.tmaB = state.tmaB;
        if (spec.tmaB && state.tmaA)
          if (std::optional<std::array<int64_t, 3>> box = tensorABox(spec)) {
            spec.tmaA = true;
            llvm::copy(*box, spec.aBox);
            spec.warpSpecialized = state.warpSpecialize;
            spec.persistent = state.persistent;
            // Two consumer warpgroups: a 128-row tile, 64 rows each, where
            // its A tile is still one box (else one warpgroup computes);
            // 256 columns where the layer has them and they fit the
            // block's shared memory (m64n256 per warpgroup: 128
            // accumulators, which FP8 promotion would double).
            if (state.consumers == 2 && spec.warpSpecialized) {
              GemmSpec wide = spec;
              wide.tile.bm = 128;
              wide.tile.threads = 256;
              wide.consumerGroups = 2;
              // k-unroll=auto leaves these K loops rolled: unrolled by the
              // stages, the 128 x 256 INT8 kernels took ptxas 3 s more
              // (compile time past 5 s at 4 stages).
              wide.unrollK = spec.unrollK && state.kUnroll == "on";
              GemmSpec wider = wide;
              wider.tile.bn = 256;
              if (spec.n % 256 == 0 && spec.promoteEvery == 0 &&
                  gemmSharedBytes(wider) <=
                      maxSharedPerBlock(state.smVersion()))
                wide = wider;
              if (std::optional<std::array<int64_t, 3>> wideBox =
                      tensorABox(wide)) {
                llvm::copy(*wideBox, wide.aBox);
                spec = wide;
              }
            }
          }
      } else {
        strategy = createMmaSyncStrategy(*pa, *pb);
      }
    } else {
      strategy = createSimtF32Strategy();
    }

    FailureOr<std::vector<char>> w = getConstantBytes(op->getOperand(1));
    if (failed(w))
      return op->emitError("vggq-lower-to-gpu: the weight must be a constant "
                           "(or a vggq.quantize of one)");
    StringRef layer = spec.name;
    if (auto l = op->getAttrOfType<StringAttr>("vggq.layer"))
      layer = l.getValue();
    SmallVector<LaunchArg> args;
    FailureOr<int64_t> inOff = state.offsetOf(op->getOperand(0));
    FailureOr<int64_t> outOff = state.offsetOf(chain.result);
    if (failed(inOff) || failed(outOff))
      return op->emitError("vggq-lower-to-gpu: no arena offset for this "
                           "layer's buffers; run --vggq-plan-memory first");
    if (spec.tmaA) {
      // NHWC activations {C, W, H, N}, N = the batch; one box is one
      // slice's A tile (GemmSpec::tmaA), landing in the slot's swizzle.
      LaunchArg map{LaunchArg::ArenaTensorMap, *inOff};
      int64_t pixel = spec.cin * spec.inBytes;
      map.map.elemBytes = spec.inBytes;
      map.map.dims = {spec.cin, spec.w, spec.h, -1};
      map.map.strides = {pixel, spec.w * pixel, spec.h * spec.w * pixel};
      map.map.box = {kTileRowBytes / spec.inBytes, spec.aBox[0], spec.aBox[1],
                     spec.aBox[2]};
      map.map.swizzleBytes = kTileRowBytes;
      args.push_back(map);
    } else {
      args.push_back({LaunchArg::Arena, *inOff});
    }
    int64_t wOff = state.addWeights((layer + ".weight").str(),
                                    dtypeName(wType.getElementType()),
                                    packWeights(*w, spec, cin));
    if (spec.tmaB) {
      // [nPadded][kPadded] K-major rows; one box is one slice's B tile, BN
      // rows x 64 bytes, landing in the slot's 64-byte swizzle.
      LaunchArg map{LaunchArg::TensorMap, wOff};
      map.map.elemBytes = spec.inBytes;
      map.map.dims = {spec.kPadded, spec.nPadded};
      map.map.strides = {spec.kPadded * spec.inBytes};
      map.map.box = {kTileRowBytes / spec.inBytes, spec.tile.bn};
      map.map.swizzleBytes = kTileRowBytes;
      args.push_back(map);
    } else {
      args.push_back({LaunchArg::Weights, wOff});
    }
    std::optional<float> outScale;
    Value bias;
    if (auto c = dyn_cast<Conv2DOp>(op))
      bias = c.getBias();
    else if (auto q = dyn_cast<QConv2DOp>(op))
      bias = q.getBias();
    else if (auto l = dyn_cast<LinearOp>(op))
      bias = l.getBias();
    else
      bias = cast<QLinearOp>(op).getBias();
    if (quantized) {
      float inScale;
      ArrayRef<float> ws;
      if (auto q = dyn_cast<QConv2DOp>(op)) {
        inScale = q.getInputScale().convertToFloat(), ws = q.getWeightScales();
        spec.relu = q.getRelu();
        if (auto s = q.getOutputScale())
          outScale = s->convertToFloat();
      } else {
        auto l = cast<QLinearOp>(op);
        inScale = l.getInputScale().convertToFloat(), ws = l.getWeightScales();
        spec.relu = l.getRelu();
        if (auto s = l.getOutputScale())
          outScale = s->convertToFloat();
      }
      SmallVector<float> s(spec.n);
      for (int64_t o = 0; o < spec.n; ++o)
        s[o] = inScale * ws[ws.size() == 1 ? 0 : o];
      spec.hasScale = true;
      args.push_back(
          {LaunchArg::Weights,
           state.addWeights((layer + ".scale").str(), "f32",
                            padded(ArrayRef<float>(s), spec.nPadded))});
    } else {
      spec.relu = chain.relu != nullptr;
    }
    spec.outScale = outScale;
    if (!spec.outElem.isF32() && !outScale)
      return op->emitError("vggq-lower-to-gpu: a coded result needs an "
                           "output_scale");
    if (bias) {
      FailureOr<std::vector<char>> bytes = getConstantBytes(bias);
      if (failed(bytes))
        return op->emitError("vggq-lower-to-gpu: the bias must be a constant");
      Type bt = cast<RankedTensorType>(bias.getType()).getElementType();
      spec.hasBias = true;
      spec.biasIsInt = bt.isInteger(32);
      bytes->resize(spec.nPadded * 4, 0);
      args.push_back(
          {LaunchArg::Weights,
           state.addWeights((layer + ".bias").str(), dtypeName(bt), *bytes)});
    }
    if (chain.residual) {
      FailureOr<int64_t> resOff = state.offsetOf(chain.residual);
      if (failed(resOff))
        return op->emitError("vggq-lower-to-gpu: no arena offset for the "
                             "residual input; run --vggq-plan-memory first");
      spec.residual = true;
      spec.residualElem =
          cast<RankedTensorType>(chain.residual.getType()).getElementType();
      if (auto q = dyn_cast<QConv2DOp>(op)) {
        spec.residualScale = q.getResidualScale()->convertToFloat();
        spec.sumScale = q.getSumScale()->convertToFloat();
        spec.sumRelu = q.getSumRelu();
      } else {
        spec.sumRelu = chain.sumRelu != nullptr;
      }
      args.push_back({LaunchArg::Arena, *resOff});
    }
    args.push_back({LaunchArg::Arena, *outOff});
    args.push_back({LaunchArg::Batch, 0});

    int64_t smemBytes = gemmSharedBytes(spec);
    if (smemBytes > maxSharedPerBlock(state.smVersion()))
      return op->emitError("vggq-lower-to-gpu: stages=")
             << spec.tile.stages << ": layer '" << layer << "' needs "
             << smemBytes << " bytes of shared memory for its " << spec.tile.bm
             << "x" << spec.tile.bn << " tile, more than the "
             << maxSharedPerBlock(state.smVersion())
             << " one block may use on sm_" << state.smVersion()
             << " (lower the stages option)";
    spec.dynamicShared = smemBytes > kStaticSharedLimit;
    OpBuilder &b = state.builder();
    gpu::GPUFuncOp kernel =
        buildGemmKernel(b, op->getLoc(), state.kernels(), spec, *strategy);
    kernel->setAttr("vggq.block",
                    b.getDenseI64ArrayAttr({gemmBlockThreads(spec), 1, 1}));
    state.launch(kernel, op, spec.oh * spec.ow, spec.tile.bm,
                 spec.nPadded / spec.tile.bn, gemmBlockThreads(spec), args,
                 chain.result, storageScale(chain.result));
    return success();
  }
};

} // namespace

void populateConvLinearLowerings(OpLoweringList &list) {
  list.push_back(std::make_unique<GemmLowering>());
}

} // namespace lowering
} // namespace vggq
