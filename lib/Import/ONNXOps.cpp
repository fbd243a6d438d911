//===- ONNXOps.cpp - ONNX op handlers of the importer ---------------------===//
//
// One handler per supported ONNX op. Each checks its attributes and shapes
// against what the vggq op can express and reports anything else as an error
// naming the node, then emits the op in NHWC (conv weights OIHW -> OHWI).
//
//===----------------------------------------------------------------------===//
#include "ONNXImporter.h"

#include "vggq/Dialect/VGGQ/IR/ShapeUtils.h"

using namespace mlir;

namespace vggq {
namespace import {

namespace {
/// Turns the window attributes auto_pad and ceil_mode of a 2-D Conv or pool
/// node into explicit `pads` ([top, left, bottom, right]) over the input
/// extents `in` (H, W), as ONNX defines them: SAME_UPPER / SAME_LOWER pad
/// so that the output is ceil(in / stride), the odd cell at the end /
/// beginning; VALID pads nothing; ceil_mode 1 adds the cells at the end
/// that let a last, partial window start inside the input or its begin
/// padding. The error says why the combination is not supported.
std::optional<std::string>
resolveWindowPads(const onnx::NodeProto &node, llvm::ArrayRef<int64_t> in,
                  llvm::ArrayRef<int64_t> kernel,
                  llvm::ArrayRef<int64_t> strides,
                  llvm::ArrayRef<int64_t> dilations, bool allowCeil,
                  llvm::SmallVectorImpl<int64_t> &pads) {
  std::string autoPad = getStringAttr(node, "auto_pad", "NOTSET");
  for (int axis = 0; axis < 2; ++axis) {
    int64_t extent = (kernel[axis] - 1) * dilations[axis] + 1;
    if (autoPad == "VALID") {
      pads[axis] = pads[axis + 2] = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (in[axis] + strides[axis] - 1) / strides[axis];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * strides[axis] + extent - in[axis]);
      int64_t small = total / 2, large = total - small;
      pads[axis] = autoPad == "SAME_UPPER" ? small : large;
      pads[axis + 2] = autoPad == "SAME_UPPER" ? large : small;
    } else if (autoPad != "NOTSET") {
      return "auto_pad " + autoPad +
             " is invalid (expected NOTSET, SAME_UPPER, SAME_LOWER or VALID)";
    }
  }
  int64_t ceil = getIntAttr(node, "ceil_mode", 0);
  if (ceil == 0)
    return std::nullopt;
  if (ceil != 1 || !allowCeil)
    return "ceil_mode " + std::to_string(ceil) + " is not supported" +
           (ceil == 1 ? " here" : "");
  for (int axis = 0; axis < 2; ++axis) {
    int64_t extent = (kernel[axis] - 1) * dilations[axis] + 1;
    int64_t span = in[axis] + pads[axis] + pads[axis + 2] - extent;
    if (span < 0)
      continue; // The window does not fit; the caller says so.
    int64_t out = (span + strides[axis] - 1) / strides[axis] + 1;
    if ((out - 1) * strides[axis] >= in[axis] + pads[axis])
      --out;
    pads[axis + 2] +=
        std::max<int64_t>(0, (out - 1) * strides[axis] + extent -
                                 (in[axis] + pads[axis] + pads[axis + 2]));
  }
  return std::nullopt;
}
/// The 1-D window attributes of a pool over [N, C, W] as the 2-D ones over
/// [N, C, 1, W] (left as they are when they are not 1-D).
void liftWindowAttrs(llvm::SmallVectorImpl<int64_t> &kernel,
                     llvm::SmallVectorImpl<int64_t> &strides,
                     llvm::SmallVectorImpl<int64_t> &pads,
                     llvm::SmallVectorImpl<int64_t> &dilations) {
  if (kernel.size() == 1)
    kernel.insert(kernel.begin(), 1);
  if (strides.size() == 1)
    strides.insert(strides.begin(), 1);
  if (pads.size() == 2)
    pads.assign({0, pads[0], 0, pads[1]});
  if (dilations.size() == 1)
    dilations.insert(dilations.begin(), 1);
}
} // namespace

llvm::Error ONNXImporter::importConv() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  llvm::Expected<const HostTensor *> w = constantInput(1, "weight");
  if (!w)
    return w.takeError();
  const HostTensor *bias = nullptr;
  if (hasInput(2)) {
    llvm::Expected<const HostTensor *> b = constantInput(2, "bias");
    if (!b)
      return b.takeError();
    bias = *b;
  }
  if (x->rank() != 4)
    return nodeError("input '" + node->input(0) + "' has shape " +
                     onnxShape(*x) + "; expected [N, C, H, W]");
  const HostTensor &weight = **w;
  if (weight.isInt || weight.shape.size() != 4)
    return nodeError("weight '" + node->input(1) + "' has shape " +
                     formatShape(weight.shape) +
                     "; expected float32 [O, C, kH, kW]");
  int64_t o = weight.shape[0], c = weight.shape[1], kh = weight.shape[2],
          kw = weight.shape[3];
  if (int64_t group = getIntAttr(*node, "group", 1); group != 1)
    return nodeError("group " + llvm::Twine(group) +
                     " is not supported (only group 1)");
  if (c != dimSize(x->value, 3))
    return nodeError("weight '" + node->input(1) + "' has shape " +
                     formatShape(weight.shape) + " (" + llvm::Twine(c) +
                     " input channels), but input '" + node->input(0) +
                     "' has shape " + onnxShape(*x) + " (" +
                     llvm::Twine(dimSize(x->value, 3)) + " channels)");
  auto kernel = getIntsAttr(*node, "kernel_shape", {kh, kw});
  if (kernel.size() != 2 || kernel[0] != kh || kernel[1] != kw)
    return nodeError("kernel_shape " + formatShape(kernel) +
                     " does not match the weight shape " +
                     formatShape(weight.shape));
  if (bias && (bias->isInt || bias->shape.size() != 1 || bias->shape[0] != o))
    return nodeError("bias '" + node->input(2) + "' has shape " +
                     formatShape(bias->shape) + "; expected [" +
                     llvm::Twine(o) + "]");
  auto strides = getIntsAttr(*node, "strides", {1, 1});
  auto pads = getIntsAttr(*node, "pads", {0, 0, 0, 0});
  auto dilations = getIntsAttr(*node, "dilations", {1, 1});
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2 ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return nodeError("invalid strides " + formatShape(strides) + ", pads " +
                     formatShape(pads) + " or dilations " +
                     formatShape(dilations));
  if (auto why = resolveWindowPads(
          *node, {dimSize(x->value, 1), dimSize(x->value, 2)}, {kh, kw},
          strides, dilations, /*allowCeil=*/false, pads))
    return nodeError(*why);
  if (!windowOutputSize(dimSize(x->value, 1), kh, strides[0], pads[0], pads[2],
                        dilations[0]) ||
      !windowOutputSize(dimSize(x->value, 2), kw, strides[1], pads[1], pads[3],
                        dilations[1]))
    return nodeError("the " + llvm::Twine(kh) + "x" + llvm::Twine(kw) +
                     " kernel does not fit input " + onnxShape(*x));

  llvm::Expected<Value> wv = convWeight(weight);
  if (!wv)
    return wv.takeError();
  Value bv = bias ? builder->constant(resourceName(node->input(2), "bias"), {o},
                                      bias->f32)
                  : Value();
  define(0,
         {builder->conv2d(layer, x->value, *wv, bv, strides, pads, dilations),
          std::nullopt});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importBatchNorm() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  if (x->rank() != 4 && x->rank() != 2)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; expected [N, C, H, W] or [N, C]");
  if (getIntAttr(*node, "training_mode", 0) != 0)
    return nodeError("training_mode 1 is not supported (export in eval mode)");
  if (llvm::Error err = checkExtraOutputs(1))
    return err;
  int64_t c = dimSize(x->value, x->rank() - 1);
  static const char *roles[] = {"scale", "bias", "mean", "var"};
  Value params[4];
  for (int i = 0; i < 4; ++i) {
    llvm::Expected<const HostTensor *> t = constantInput(i + 1, roles[i]);
    if (!t)
      return t.takeError();
    if ((*t)->isInt || (*t)->shape.size() != 1 || (*t)->shape[0] != c)
      return nodeError(llvm::Twine(roles[i]) + " '" + node->input(i + 1) +
                       "' has shape " + formatShape((*t)->shape) +
                       "; expected [" + llvm::Twine(c) + "]");
    params[i] = builder->constant(resourceName(node->input(i + 1), roles[i]),
                                  {c}, (*t)->f32);
  }
  float eps = getFloatAttr(*node, "epsilon", 1e-5f);
  define(0, {builder->batchNorm(layer, x->value, params[0], params[1],
                                params[2], params[3], eps),
             x->flattenedCHW});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importRelu() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  define(0, {builder->relu(layer, x->value), x->flattenedCHW});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importMaxPool() {
  // Max is exact on 8-bit codes (a UINT8 input's codes shifted by -128 keep
  // their order), so an INT8 or UINT8 graph input is pooled as it is.
  llvm::Expected<Activation> x =
      activationInput(0, /*allowTransposed=*/false, /*allowInt8=*/true);
  if (!x)
    return x.takeError();
  // A 1-D pool over [N, C, W] is the 2-D one over [N, C, 1, W].
  bool oneD = x->rank() == 3;
  if (x->rank() != 4 && !oneD)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; expected [N, C, H, W] or [N, C, W]");
  if (llvm::Error err = checkExtraOutputs(1))
    return err;
  auto kernel = getIntsAttr(*node, "kernel_shape", {});
  auto strides = getIntsAttr(*node, "strides", {1, 1});
  auto pads = getIntsAttr(*node, "pads", {0, 0, 0, 0});
  auto dilations = getIntsAttr(*node, "dilations", {1, 1});
  if (oneD) {
    strides = getIntsAttr(*node, "strides", {1});
    pads = getIntsAttr(*node, "pads", {0, 0});
    dilations = getIntsAttr(*node, "dilations", {1});
    liftWindowAttrs(kernel, strides, pads, dilations);
    *x = liftTo2D(*x);
  }
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return nodeError("invalid kernel_shape " + formatShape(kernel) +
                     ", strides " + formatShape(strides) + " or pads " +
                     formatShape(pads));
  if (dilations.size() != 2 ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return nodeError("invalid dilations " + formatShape(dilations) +
                     " (expected one positive integer per spatial axis)");
  // Padded cells never win, so a ceil_mode window is the floor one over
  // more padding at the end.
  if (auto why =
          resolveWindowPads(*node, {dimSize(x->value, 1), dimSize(x->value, 2)},
                            kernel, strides, dilations, /*allowCeil=*/true,
                            pads))
    return nodeError(*why);
  if (!windowOutputSize(dimSize(x->value, 1), kernel[0], strides[0], pads[0],
                        pads[2], dilations[0]) ||
      !windowOutputSize(dimSize(x->value, 2), kernel[1], strides[1], pads[1],
                        pads[3], dilations[1]))
    return nodeError("the pooling window does not fit input " + onnxShape(*x));
  Value pooled =
      builder->maxPool2d(layer, x->value, kernel, strides, pads, dilations);
  define(0, oneD ? lowerFrom2D(pooled) : Activation(pooled));
  if (auto known = quantizedTypes.find(node->input(0));
      known != quantizedTypes.end())
    quantizedTypes[node->output(0)] = known->second;
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importGlobalAveragePool() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  if (x->rank() != 4)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; expected [N, C, H, W]");
  int64_t h = dimSize(x->value, 1), w = dimSize(x->value, 2);
  define(0, {builder->avgPool2d(layer, x->value, {h, w}, {1, 1}, {0, 0, 0, 0},
                                /*countIncludePad=*/false),
             std::nullopt});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importReduceMean() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  if (x->rank() != 4)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; only the mean over H and W of [N, C, H, W] is "
                     "supported");
  // Opset 18 moved the axes from an attribute to input 1.
  llvm::SmallVector<int64_t, 4> axes = getIntsAttr(*node, "axes", {});
  if (hasInput(1)) {
    llvm::Expected<const HostTensor *> a = constantInput(1, "axes");
    if (!a)
      return a.takeError();
    if (!(*a)->isInt)
      return nodeError("axes '" + node->input(1) + "' must be int64");
    axes.assign((*a)->i64.begin(), (*a)->i64.end());
  }
  llvm::SmallVector<int64_t, 4> normalized;
  for (int64_t axis : axes)
    normalized.push_back(axis < 0 ? axis + 4 : axis);
  llvm::sort(normalized);
  if (normalized != llvm::SmallVector<int64_t, 4>{2, 3})
    return nodeError("axes " + formatShape(axes) +
                     " are not supported (only the mean over H and W, axes "
                     "[2, 3])");
  int64_t h = dimSize(x->value, 1), w = dimSize(x->value, 2);
  Value pooled = builder->avgPool2d(layer, x->value, {h, w}, {1, 1},
                                    {0, 0, 0, 0}, /*countIncludePad=*/false);
  if (getIntAttr(*node, "keepdims", 1) != 0) {
    define(0, {pooled, std::nullopt});
    return llvm::Error::success();
  }
  std::array<int64_t, 3> chw = {dimSize(pooled, 3), 1, 1};
  define(0, {builder->flatten(layer + ".flatten", pooled), chw});
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importAveragePool() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  // A 1-D pool over [N, C, W] is the 2-D one over [N, C, 1, W].
  bool oneD = x->rank() == 3;
  if (x->rank() != 4 && !oneD)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; expected [N, C, H, W] or [N, C, W]");
  auto kernel = getIntsAttr(*node, "kernel_shape", {});
  auto strides = getIntsAttr(*node, "strides", {1, 1});
  auto pads = getIntsAttr(*node, "pads", {0, 0, 0, 0});
  auto dilations = getIntsAttr(*node, "dilations", {1, 1});
  if (oneD) {
    strides = getIntsAttr(*node, "strides", {1});
    pads = getIntsAttr(*node, "pads", {0, 0});
    dilations = getIntsAttr(*node, "dilations", {1});
    liftWindowAttrs(kernel, strides, pads, dilations);
    *x = liftTo2D(*x);
  }
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }) ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return nodeError("invalid kernel_shape " + formatShape(kernel) +
                     ", strides " + formatShape(strides) + " or pads " +
                     formatShape(pads));
  if (dilations != llvm::SmallVector<int64_t, 4>{1, 1})
    return nodeError("dilations " + formatShape(dilations) +
                     " are not supported (only [1, 1])");
  int64_t countIncludePad = getIntAttr(*node, "count_include_pad", 0);
  if (countIncludePad != 0 && countIncludePad != 1)
    return nodeError("count_include_pad " + llvm::Twine(countIncludePad) +
                     " is invalid (expected 0 or 1)");
  // With count_include_pad 0 the divisor counts the cells inside the
  // input, so a ceil_mode window is the floor one over more padding. With
  // count_include_pad 1, ONNX counts the explicit padding but not the cells
  // past it, which avg_pool2d cannot express.
  if (countIncludePad == 1 && getIntAttr(*node, "ceil_mode", 0) != 0)
    return nodeError("ceil_mode 1 with count_include_pad 1 is not supported "
                     "(the divisor of the partial last window would count "
                     "padding ONNX does not)");
  if (auto why =
          resolveWindowPads(*node, {dimSize(x->value, 1), dimSize(x->value, 2)},
                            kernel, strides, {1, 1}, /*allowCeil=*/true, pads))
    return nodeError(*why);
  // ONNX pads are [top, left, bottom, right], as vggq's.
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
      pads[3] >= kernel[1])
    return nodeError("pads " + formatShape(pads) +
                     " must be smaller than kernel_shape " +
                     formatShape(kernel));
  if (!windowOutputSize(dimSize(x->value, 1), kernel[0], strides[0], pads[0],
                        pads[2], 1) ||
      !windowOutputSize(dimSize(x->value, 2), kernel[1], strides[1], pads[1],
                        pads[3], 1))
    return nodeError("the pooling window does not fit input " + onnxShape(*x));
  Value pooled = builder->avgPool2d(layer, x->value, kernel, strides, pads,
                                    countIncludePad == 1);
  define(0, oneD ? lowerFrom2D(pooled) : Activation(pooled));
  return llvm::Error::success();
}

} // namespace import
} // namespace vggq
