//===- ONNXShortcutOps.cpp - the parameter-free ResNet shortcut -----------===//
//
// PyTorch exports `F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, lo, hi))` as a
// Slice with steps on H and W, then a Pad on the channel axis, either
// directly or between a Transpose and the Transpose that undoes it. Each
// piece becomes a vggq.subsample_pad, composed with the one before, so that
// a shortcut is one op. Anything else these ops could express (crops, pads
// of H and W, non-zero or non-constant padding, transposes that stay) is
// reported as an error naming the node.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporter.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

using namespace mlir;

namespace vggq {
namespace import {

namespace {
/// The name of NCHW axis `axis` in errors.
const char *axisName(int64_t axis) {
  static const char *names[] = {"N", "C", "H", "W"};
  return names[axis];
}

/// The NCHW extent of NCHW axis `axis` of the NHWC value `v`.
int64_t nchwDim(Value v, int64_t axis) {
  static const unsigned nhwc[] = {0, 3, 1, 2};
  return dimSize(v, nhwc[axis]);
}
} // namespace

Activation
ONNXImporter::emitSubsamplePad(const Activation &x,
                               llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> channelPadding) {
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
      llvm::all_of(channelPadding, [](int64_t p) { return p == 0; }))
    return x;
  Value input = x.value;
  llvm::SmallVector<int64_t, 2> s(strides), p(channelPadding);
  // ceil(ceil(H / a) / b) = ceil(H / (a * b)): two subsamplings are one. The
  // inner op is erased at the end of the import if nothing else uses it.
  if (auto inner = input.getDefiningOp<SubsamplePadOp>()) {
    input = inner.getInput();
    s[0] *= inner.getStrides()[0];
    s[1] *= inner.getStrides()[1];
    p[0] += inner.getChannelPadding()[0];
    p[1] += inner.getChannelPadding()[1];
  }
  Activation out = x;
  out.value = builder->subsamplePad(layer, input, s, p);
  return out;
}

llvm::Error ONNXImporter::importSlice() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  static const char *roles[] = {"starts", "ends", "axes", "steps"};
  llvm::SmallVector<const HostTensor *, 5> operands = {nullptr};
  for (int i = 1; i < 5; ++i) {
    if (!hasInput(i)) {
      if (i < 3)
        return nodeError(llvm::Twine("missing ") + roles[i - 1] + " input");
      operands.push_back(nullptr);
      continue;
    }
    llvm::Expected<const HostTensor *> t = constantInput(i, roles[i - 1]);
    if (!t)
      return t.takeError();
    operands.push_back(*t);
  }
  SliceParams params;
  if (llvm::Error err = decodeSliceParams(operands, x->rank(), params))
    return nodeError(llvm::toString(std::move(err)));
  if (x->rank() != 4) {
    // Any other rank is in ONNX's order: a vggq.slice.
    if (x->flattenedCHW && (*x->flattenedCHW)[1] * (*x->flattenedCHW)[2] > 1)
      return nodeError("input '" + node->input(0) +
                       "' is flattened from NCHW data; slicing its features "
                       "is not supported");
    auto shape = cast<RankedTensorType>(x->value.getType()).getShape();
    llvm::SmallVector<int64_t, 4> starts(shape.size(), 0),
        steps(shape.size(), 1), sizes(shape);
    for (size_t i = 0; i < params.axes.size(); ++i) {
      int64_t axis = params.axes[i], dim = shape[axis];
      if (ShapedType::isDynamic(dim))
        return nodeError("slices axis " + llvm::Twine(axis) +
                         " of dynamic size (the batch)");
      auto [first, count] = resolveSliceAxis(dim, params.starts[i],
                                             params.ends[i], params.steps[i]);
      if (count < 1)
        return nodeError("slices axis " + llvm::Twine(axis) +
                         " to nothing; empty tensors are not supported");
      starts[axis] = first;
      steps[axis] = params.steps[i];
      sizes[axis] = count;
    }
    define(0, {builder->slice(layer, x->value, starts, steps, sizes),
               std::nullopt});
    return llvm::Error::success();
  }
  int64_t strides[2] = {1, 1};
  for (size_t i = 0; i < params.axes.size(); ++i) {
    int64_t axis = params.axes[i], start = params.starts[i],
            end = params.ends[i], step = params.steps[i];
    if (axis < 2)
      return nodeError("slices axis " + llvm::Twine(axis) + " (" +
                       axisName(axis) +
                       "); only a subsampling of H and W is supported");
    int64_t dim = nchwDim(x->value, axis);
    int64_t first = resolveSliceAxis(dim, start, end, step).first;
    if (step < 1 || first != 0 || end < dim)
      return nodeError("slices axis " + llvm::Twine(axis) + " (" +
                       axisName(axis) + ", size " + llvm::Twine(dim) +
                       ") with start " + llvm::Twine(start) + ", end " +
                       llvm::Twine(end) + " and step " + llvm::Twine(step) +
                       "; only a subsampling from index 0 to the end (start "
                       "0, a positive step) is supported");
    strides[axis - 2] = step;
  }
  define(0, emitSubsamplePad(*x, strides, {0, 0}));
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importPad() {
  // INT32 graph inputs pad as i32 data (ONNX's edge and reflect tests).
  llvm::Expected<Activation> x =
      activationInput(0, /*allowTransposed=*/true, /*allowInt8=*/false,
                      /*allowInt32=*/true);
  if (!x)
    return x.takeError();
  if (x->rank() != 4)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; only pads of [N, C, H, W] activations are supported");
  std::string mode = getStringAttr(*node, "mode", "constant");
  // An NCHW activation pads as vggq.pad (any axis, value and mode, f32);
  // inside a Transpose pair only the shortcut's zero channel padding.
  Type elem = cast<RankedTensorType>(x->value.getType()).getElementType();
  bool general = x->perm.empty() && (elem.isF32() || elem.isInteger(32));
  if (general && mode != "constant" && mode != "edge" && mode != "reflect")
    return nodeError("mode '" + mode +
                     "' is not supported (constant, edge or reflect)");
  if (!general && mode != "constant")
    return nodeError("mode '" + mode +
                     "' is not supported (only constant zero padding)");
  llvm::Expected<const HostTensor *> padsOr = constantInput(1, "pads");
  if (!padsOr)
    return padsOr.takeError();
  const HostTensor &pads = **padsOr;
  float padValue = 0.0f;
  if (general && mode == "constant" && hasInput(2)) {
    llvm::Expected<const HostTensor *> value =
        constantInput(2, "constant_value");
    if (!value)
      return value.takeError();
    const HostTensor &v = **value;
    if (v.numElements() != 1 || v.isInt != elem.isInteger(32))
      return nodeError("constant_value '" + node->input(2) + "' has shape " +
                       formatShape(v.shape) + "; expected one " +
                       (elem.isInteger(32) ? "integer" : "float32") +
                       " value");
    padValue = v.isInt ? float(v.i64[0]) : v.f32[0];
    if (v.isInt && double(padValue) != double(v.i64[0]))
      return nodeError("constant_value '" + node->input(2) + "' is " +
                       std::to_string(v.i64[0]) +
                       "; only values exact in float32 are supported");
  } else if (hasInput(2) && !general) {
    llvm::Expected<const HostTensor *> value =
        constantInput(2, "constant_value");
    if (!value)
      return value.takeError();
    const HostTensor &v = **value;
    bool zero =
        v.numElements() == 1 && (v.isInt ? v.i64[0] == 0 : v.f32[0] == 0.0f);
    if (!zero)
      return nodeError(
          "constant_value '" + node->input(2) + "' is " +
          (v.numElements() == 1
               ? (v.isInt ? std::to_string(v.i64[0]) : std::to_string(v.f32[0]))
               : formatShape(v.shape)) +
          "; only zero padding is supported");
  }
  llvm::SmallVector<int64_t, 4> axes = {0, 1, 2, 3};
  if (hasInput(3)) {
    llvm::Expected<const HostTensor *> a = constantInput(3, "axes");
    if (!a)
      return a.takeError();
    if (!(*a)->isInt || (*a)->shape.size() != 1)
      return nodeError("axes '" + node->input(3) +
                       "' must be a 1-D int64 tensor");
    axes.assign((*a)->i64.begin(), (*a)->i64.end());
    for (int64_t &axis : axes) {
      if (axis < -4 || axis > 3)
        return nodeError("axis " + llvm::Twine(axis) +
                         " is out of range for rank 4");
      axis = axis < 0 ? axis + 4 : axis;
    }
  }
  int64_t n = axes.size();
  if (!pads.isInt || pads.shape.size() != 1 || pads.shape[0] != 2 * n)
    return nodeError("pads '" + node->input(1) + "' has shape " +
                     formatShape(pads.shape) + "; expected int64 [" +
                     llvm::Twine(2 * n) + "]");
  if (llvm::any_of(pads.i64, [](int64_t p) { return p < 0; }))
    return nodeError("pads " + formatShape(pads.i64) +
                     " are negative (cropping is not supported)");
  // Map the pads of the tensor ONNX sees back to NCHW axes.
  int64_t before[4] = {0, 0, 0, 0}, after[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < n; ++i) {
    int64_t axis = x->perm.empty() ? axes[i] : x->perm[axes[i]];
    before[axis] += pads.i64[i];
    after[axis] += pads.i64[n + i];
  }
  bool channelsOnly = !before[0] && !after[0] && !before[2] && !after[2] &&
                      !before[3] && !after[3];
  if (general && (mode != "constant" || padValue != 0.0f || !channelsOnly)) {
    // NCHW pads -> NHWC.
    if (before[0] || after[0])
      return nodeError("pads " + formatShape(pads.i64) +
                       " pad the batch axis N; only C, H and W can be padded");
    llvm::SmallVector<int64_t, 4> low = {0, before[2], before[3], before[1]};
    llvm::SmallVector<int64_t, 4> high = {0, after[2], after[3], after[1]};
    llvm::StringRef m = mode;
    if (m == "reflect")
      for (int64_t a : {1, 2, 3})
        if (dimSize(x->value, a) <= std::max(low[a], high[a]))
          return nodeError("pads " + formatShape(pads.i64) +
                           " reflect beyond the input " + onnxShape(*x) +
                           " (each pad must be smaller than its axis)");
    define(0, {builder->pad(layer, x->value, low, high, m,
                            m == "constant" ? std::optional<float>(padValue)
                                            : std::nullopt),
               std::nullopt});
    return llvm::Error::success();
  }
  for (int64_t axis : {0, 2, 3})
    if (before[axis] || after[axis])
      return nodeError("pads " + formatShape(pads.i64) + " pad the " +
                       axisName(axis) +
                       " axis; only the channel axis C can be padded");
  define(0, emitSubsamplePad(*x, {1, 1}, {before[1], after[1]}));
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importTranspose() {
  llvm::Expected<Activation> x = activationInput(0, /*allowTransposed=*/true);
  if (!x)
    return x.takeError();
  if (x->rank() != 4)
    return nodeError("input has shape " + onnxShape(*x) +
                     "; only transposes of [N, C, H, W] activations around a "
                     "Pad are supported");
  llvm::SmallVector<int64_t, 4> perm = getIntsAttr(*node, "perm", {3, 2, 1, 0});
  if (!isPermutationOf(perm, 4))
    return nodeError("perm " + formatShape(perm) +
                     " is not a permutation of 4 axes");
  // ONNX axis j of the result is axis perm[j] of the input, which is NCHW
  // axis x.perm[perm[j]].
  Activation out = *x;
  llvm::SmallVector<int64_t, 4> composed;
  for (int64_t p : perm)
    composed.push_back(x->perm.empty() ? p : x->perm[p]);
  bool identity = composed == llvm::ArrayRef<int64_t>({0, 1, 2, 3});
  out.perm = identity ? llvm::SmallVector<int64_t, 4>() : composed;
  out.transposedBy = identity ? "" : node->name();
  define(0, out);
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importShape() {
  llvm::Expected<Activation> x = activationInput(0);
  if (!x)
    return x.takeError();
  auto type = cast<RankedTensorType>(x->value.getType());
  HostTensor shape;
  shape.isInt = true;
  if (x->rank() == 4)
    shape.i64 = {nchwDim(x->value, 0), nchwDim(x->value, 1),
                 nchwDim(x->value, 2), nchwDim(x->value, 3)};
  else
    shape.i64.assign(type.getShape().begin(), type.getShape().end());
  for (int64_t &d : shape.i64)
    if (ShapedType::isDynamic(d))
      d = kDynamicBatch; // Only the batch is dynamic.
  shape.shape = {int64_t(shape.i64.size())};
  constants[node->output(0)] = sliceShape(*node, std::move(shape));
  return llvm::Error::success();
}

llvm::Error ONNXImporter::importConstantOnly() {
  for (int i = 0, e = node->input_size(); i < e; ++i) {
    if (!hasInput(i) || constants.count(node->input(i)) ||
        initializers.count(node->input(i)))
      continue;
    if (activations.count(node->input(i)))
      return nodeError("input '" + node->input(i) +
                       "' is computed at run time; " + node->op_type() +
                       " is only supported on constants");
    return nodeError("input '" + node->input(i) +
                     "' is not defined by an initializer or an earlier node");
  }
  return nodeError("has no input");
}

} // namespace import
} // namespace vggq
