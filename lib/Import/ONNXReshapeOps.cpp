//===- ONNXReshapeOps.cpp - reshapes in ONNX's element order --------------===//
//
// A Reshape or Flatten that is not the [N, features] flatten before a linear
// layer: vggq.reshape works in the tensor's own order, so a rank-4 NHWC
// activation is transposed to ONNX's NCHW first (and a flattened one
// unflattened to NHWC), and a rank-4 result is transposed back to NHWC.
//
//===----------------------------------------------------------------------===//
#include "ONNXImporter.h"

using namespace mlir;

namespace vggq {
namespace import {

llvm::SmallVector<int64_t, 4> onnxDims(const Activation &a) {
  auto shape = cast<RankedTensorType>(a.value.getType()).getShape();
  if (shape.size() == 4)
    return {shape[0], shape[3], shape[1], shape[2]};
  return llvm::SmallVector<int64_t, 4>(shape);
}

llvm::Expected<llvm::SmallVector<int64_t, 4>>
reshapeTarget(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> shape,
              bool allowZero) {
  auto fail = [](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), why);
  };
  bool dynamic = !in.empty() && ShapedType::isDynamic(in[0]);
  // With a dynamic batch only the sizes after it are known.
  int64_t total = 1;
  for (size_t i = dynamic ? 1 : 0; i < in.size(); ++i)
    total *= in[i];
  llvm::SmallVector<int64_t, 4> out;
  int inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d == 0 && !allowZero) {
      if (i >= in.size())
        return fail("a 0 at axis " + llvm::Twine(i) +
                    " copies a size the input does not have");
      d = in[i];
    } else if (d == kDynamicBatch) {
      d = ShapedType::kDynamic;
    } else if (d == -1) {
      if (inferred >= 0)
        return fail("more than one -1");
      inferred = int(i);
    } else if (d < 0 || (d == 0 && allowZero)) {
      return fail("size " + llvm::Twine(d) + " is not supported");
    }
    out.push_back(d);
  }
  if (dynamic) {
    // The batch must stay axis 0, as it is.
    if (out.empty() || !(ShapedType::isDynamic(out[0]) || inferred == 0))
      return fail("it moves the dynamic batch; only a reshape that keeps "
                  "axis 0 as the batch is supported with a dynamic batch");
    out[0] = ShapedType::kDynamic;
    if (inferred == 0)
      inferred = -1;
  } else if (llvm::any_of(out,
                          [](int64_t d) { return ShapedType::isDynamic(d); })) {
    return fail("the batch of a static input is not dynamic");
  }
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(out))
    if (int(i) != inferred && !(dynamic && i == 0))
      known *= d;
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return fail("the input's " + llvm::Twine(total) +
                  " elements do not divide into it");
    out[inferred] = total / known;
  } else if (known != total) {
    return fail("it holds " + llvm::Twine(known) + " elements per " +
                (dynamic ? "batch item" : "tensor") + ", the input " +
                llvm::Twine(total));
  }
  if (llvm::is_contained(out, 0))
    return fail("empty results are not supported");
  return out;
}

llvm::Error ONNXImporter::emitOnnxReshape(const Activation &x,
                                          llvm::ArrayRef<int64_t> target) {
  Value v = x.value;
  if (x.rank() == 4) {
    v = builder->transpose(layer + ".nchw", v, {0, 3, 1, 2});
  } else if (auto chw = x.flattenedCHW; chw && (*chw)[1] * (*chw)[2] > 1) {
    auto [c, h, w] = *chw;
    v = builder->reshape(layer + ".nhwc", v, {dimSize(v, 0), h, w, c});
    v = builder->transpose(layer + ".nchw", v, {0, 3, 1, 2});
  }
  if (cast<RankedTensorType>(v.getType()).getShape() != target)
    v = builder->reshape(layer, v, target);
  if (target.size() == 4)
    v = builder->transpose(layer + ".nhwc", v, {0, 2, 3, 1});
  define(0, {v, std::nullopt});
  return llvm::Error::success();
}

Activation ONNXImporter::liftTo2D(const Activation &x) {
  Value v = builder->reshape(
      layer + ".2d", x.value,
      {dimSize(x.value, 0), dimSize(x.value, 1), 1, dimSize(x.value, 2)});
  return Activation(builder->transpose(layer + ".nhwc", v, {0, 2, 3, 1}));
}

Activation ONNXImporter::lowerFrom2D(Value pooled) {
  Value v = builder->transpose(layer + ".nchw", pooled, {0, 3, 1, 2});
  return Activation(builder->reshape(
      layer + ".1d", v, {dimSize(v, 0), dimSize(v, 1), dimSize(v, 3)}));
}

} // namespace import
} // namespace vggq
