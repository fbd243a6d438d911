//===- ONNXConstantFold.cpp - evaluating ONNX nodes on host constants -----===//
//
// PyTorch computes some operands at run time from constants, for example the
// pad amounts of F.pad (ConstantOfShape, Concat, Reshape, Slice, Transpose and
// Cast on int64 tensors). The importer evaluates every such node whose inputs
// are all host constants, so that no shape arithmetic reaches the IR. Each
// evaluator follows the ONNX operator definition for int64 and float32
// tensors of any rank.
//
//===----------------------------------------------------------------------===//
#include "ONNXUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace vggq {
namespace import {

namespace {
Error foldError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message.str());
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string out = "[";
  for (auto [i, d] : enumerate(shape))
    out += (i ? ", " : "") + std::to_string(d);
  return out + "]";
}

/// Row-major strides of `shape`.
SmallVector<int64_t, 4> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t, 4> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// A tensor of `shape` whose element `i` is element `source[i]` of `in`.
HostTensor gather(const HostTensor &in, ArrayRef<int64_t> shape,
                  ArrayRef<int64_t> source) {
  HostTensor out;
  out.shape.assign(shape.begin(), shape.end());
  out.isInt = in.isInt;
  for (int64_t s : source) {
    if (in.isInt)
      out.i64.push_back(in.i64[s]);
    else
      out.f32.push_back(in.f32[s]);
  }
  return out;
}

/// Normalises `axis` into [0, rank), or errors.
Expected<int64_t> normalizeAxis(int64_t axis, int64_t rank, StringRef what) {
  if (axis < -rank || axis >= rank)
    return foldError(what + " " + Twine(axis) + " is out of range for rank " +
                     Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

/// The int64 vector held by `t` (a 1-D or scalar int64 tensor).
Expected<SmallVector<int64_t, 4>> intVector(const HostTensor *t,
                                            StringRef role) {
  if (!t->isInt || t->shape.size() > 1)
    return foldError(role + " must be a 1-D int64 tensor, got " +
                     (t->isInt ? "int64 " : "float32 ") +
                     shapeString(t->shape));
  return SmallVector<int64_t, 4>(t->i64.begin(), t->i64.end());
}

Expected<HostTensor> foldConstantOfShape(const onnx::NodeProto &node,
                                         ArrayRef<const HostTensor *> in) {
  Expected<SmallVector<int64_t, 4>> shape = intVector(in[0], "the shape");
  if (!shape)
    return shape.takeError();
  HostTensor value;
  value.f32 = {0.0f};
  value.shape = {1};
  if (const onnx::AttributeProto *attr = findAttr(node, "value")) {
    Expected<HostTensor> decoded = decodeTensor(attr->t());
    if (!decoded)
      return decoded.takeError();
    value = std::move(*decoded);
  }
  if (value.numElements() != 1)
    return foldError("value must hold one element, got " +
                     shapeString(value.shape));
  int64_t count = 1;
  for (int64_t d : *shape) {
    if (d < 0 || d > (int64_t(1) << 24))
      return foldError("shape " + shapeString(*shape) + " is invalid");
    count *= d;
    if (count > (int64_t(1) << 24))
      return foldError("shape " + shapeString(*shape) + " is too large");
  }
  HostTensor out;
  out.shape.assign(shape->begin(), shape->end());
  out.isInt = value.isInt;
  if (value.isInt)
    out.i64.assign(count, value.i64[0]);
  else
    out.f32.assign(count, value.f32[0]);
  return out;
}

Expected<HostTensor> foldConcat(const onnx::NodeProto &node,
                                ArrayRef<const HostTensor *> in) {
  const HostTensor &first = *in[0];
  int64_t rank = first.shape.size();
  if (rank == 0)
    return foldError("cannot concatenate scalars");
  Expected<int64_t> axis =
      normalizeAxis(getIntAttr(node, "axis", 0), rank, "axis");
  if (!axis)
    return axis.takeError();
  HostTensor out;
  out.isInt = first.isInt;
  out.shape = first.shape;
  out.shape[*axis] = 0;
  for (const HostTensor *t : in) {
    bool same = t->isInt == first.isInt && int64_t(t->shape.size()) == rank;
    for (int64_t d = 0; same && d < rank; ++d)
      same = d == *axis || t->shape[d] == first.shape[d];
    if (!same)
      return foldError("inputs " + shapeString(first.shape) + " and " +
                       shapeString(t->shape) +
                       " cannot be concatenated on axis " + Twine(*axis));
    out.shape[*axis] += t->shape[*axis];
  }
  // Concatenate the blocks of the outer dimensions one input after another.
  int64_t outer = 1;
  for (int64_t d = 0; d < *axis; ++d)
    outer *= first.shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : in) {
      int64_t block = t->numElements() / std::max<int64_t>(outer, 1);
      if (t->isInt)
        out.i64.insert(out.i64.end(), t->i64.begin() + o * block,
                       t->i64.begin() + (o + 1) * block);
      else
        out.f32.insert(out.f32.end(), t->f32.begin() + o * block,
                       t->f32.begin() + (o + 1) * block);
    }
  return out;
}

Expected<HostTensor> foldReshape(const onnx::NodeProto &node,
                                 ArrayRef<const HostTensor *> in) {
  Expected<SmallVector<int64_t, 4>> target = intVector(in[1], "the shape");
  if (!target)
    return target.takeError();
  bool allowZero = getIntAttr(node, "allowzero", 0) != 0;
  const HostTensor &x = *in[0];
  SmallVector<int64_t, 4> shape;
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (i >= x.shape.size())
        return foldError("shape " + shapeString(*target) +
                         " copies dimension " + Twine(i) + " of a rank-" +
                         Twine(x.shape.size()) + " tensor");
      d = x.shape[i];
    }
    if (d == -1) {
      if (inferred >= 0)
        return foldError("shape " + shapeString(*target) +
                         " has more than one -1");
      inferred = i;
    } else if (d < 0 || d > (int64_t(1) << 40)) {
      return foldError("shape " + shapeString(*target) + " is invalid");
    } else {
      if (d && known > (int64_t(1) << 40) / d)
        return foldError("shape " + shapeString(*target) + " is too large");
      known *= d;
    }
    shape.push_back(d);
  }
  int64_t count = x.numElements();
  if (inferred >= 0) {
    if (known == 0 || count % known != 0)
      return foldError("cannot reshape " + shapeString(x.shape) + " to " +
                       shapeString(*target));
    shape[inferred] = count / known;
  } else if (known != count) {
    return foldError("cannot reshape " + shapeString(x.shape) + " to " +
                     shapeString(*target));
  }
  HostTensor out = x;
  out.shape.assign(shape.begin(), shape.end());
  return out;
}

Expected<HostTensor> foldTranspose(const onnx::NodeProto &node,
                                   ArrayRef<const HostTensor *> in) {
  const HostTensor &x = *in[0];
  int64_t rank = x.shape.size();
  SmallVector<int64_t, 4> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  SmallVector<int64_t, 4> perm = getIntsAttr(node, "perm", reversed);
  if (!isPermutationOf(perm, rank))
    return foldError("perm " + shapeString(perm) +
                     " is not a permutation of the " + Twine(rank) + " axes");
  SmallVector<int64_t, 4> shape, inStrides = stridesOf(x.shape);
  for (int64_t p : perm)
    shape.push_back(x.shape[p]);
  SmallVector<int64_t> source;
  SmallVector<int64_t, 4> index(rank, 0);
  for (int64_t i = 0, e = x.numElements(); i < e; ++i) {
    int64_t s = 0;
    for (int64_t d = 0; d < rank; ++d)
      s += index[d] * inStrides[perm[d]];
    source.push_back(s);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == shape[d]; --d)
      index[d] = 0;
  }
  return gather(x, shape, source);
}

Expected<HostTensor> foldSlice(ArrayRef<const HostTensor *> in) {
  const HostTensor &x = *in[0];
  int64_t rank = x.shape.size();
  SliceParams params;
  if (Error err = decodeSliceParams(in, rank, params))
    return std::move(err);
  SmallVector<int64_t, 4> start(rank, 0), step(rank, 1),
      shape(x.shape.begin(), x.shape.end());
  for (size_t i = 0; i < params.axes.size(); ++i) {
    int64_t axis = params.axes[i];
    auto [s, count] = resolveSliceAxis(x.shape[axis], params.starts[i],
                                       params.ends[i], params.steps[i]);
    start[axis] = s;
    step[axis] = params.steps[i];
    shape[axis] = count;
  }
  SmallVector<int64_t, 4> inStrides = stridesOf(x.shape);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  SmallVector<int64_t> source;
  SmallVector<int64_t, 4> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t s = 0;
    for (int64_t d = 0; d < rank; ++d)
      s += (start[d] + index[d] * step[d]) * inStrides[d];
    source.push_back(s);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == shape[d]; --d)
      index[d] = 0;
  }
  return gather(x, shape, source);
}

Expected<HostTensor> foldCast(const onnx::NodeProto &node,
                              ArrayRef<const HostTensor *> in) {
  const HostTensor &x = *in[0];
  int64_t to = getIntAttr(node, "to", 0);
  HostTensor out;
  out.shape = x.shape;
  if (to == onnx::TensorProto::INT64) {
    out.isInt = true;
    if (x.isInt) {
      out.i64 = x.i64;
      return out;
    }
    for (float v : x.f32) {
      if (!std::isfinite(v) || std::fabs(v) >= 9.2e18f)
        return foldError("cannot cast " + std::to_string(v) + " to INT64");
      out.i64.push_back(int64_t(v)); // Truncation toward zero, as in ONNX.
    }
    return out;
  }
  if (to == onnx::TensorProto::FLOAT) {
    if (!x.isInt) {
      out.f32 = x.f32;
      return out;
    }
    for (int64_t v : x.i64)
      out.f32.push_back(float(v));
    return out;
  }
  return foldError("cast to " + dataTypeName(int32_t(to)) +
                   " is not supported (only INT64 and FLOAT)");
}
} // namespace

std::pair<int64_t, int64_t> resolveSliceAxis(int64_t dim, int64_t start,
                                             int64_t end, int64_t step) {
  // Python's slice.indices(), which the ONNX reference implementation uses.
  int64_t lo = step < 0 ? -1 : 0, hi = step < 0 ? dim - 1 : dim;
  auto resolve = [&](int64_t v) {
    if (v < 0)
      v = v < -dim ? lo : v + dim;
    return std::clamp(v, lo, hi);
  };
  int64_t s = resolve(start), e = resolve(end);
  int64_t count = 0;
  if (step > 0 && e > s)
    count = (e - s - 1) / step + 1;
  else if (step < 0 && s > e)
    count = step < -dim ? 1 : (s - e - 1) / -step + 1;
  return {s, count};
}

Error decodeSliceParams(ArrayRef<const HostTensor *> in, int64_t rank,
                        SliceParams &params) {
  Expected<SmallVector<int64_t, 4>> starts = intVector(in[1], "starts");
  if (!starts)
    return starts.takeError();
  Expected<SmallVector<int64_t, 4>> ends = intVector(in[2], "ends");
  if (!ends)
    return ends.takeError();
  size_t n = starts->size();
  if (ends->size() != n)
    return foldError("starts " + shapeString(*starts) + " and ends " +
                     shapeString(*ends) + " differ in length");
  SmallVector<int64_t, 4> axes, steps(n, 1);
  for (size_t i = 0; i < n; ++i)
    axes.push_back(i);
  if (in.size() > 3 && in[3]) {
    Expected<SmallVector<int64_t, 4>> a = intVector(in[3], "axes");
    if (!a)
      return a.takeError();
    axes = *a;
  }
  if (in.size() > 4 && in[4]) {
    Expected<SmallVector<int64_t, 4>> s = intVector(in[4], "steps");
    if (!s)
      return s.takeError();
    steps = *s;
  }
  if (axes.size() != n || steps.size() != n)
    return foldError("starts, ends, axes and steps differ in length");
  SmallVector<bool, 4> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    Expected<int64_t> axis = normalizeAxis(axes[i], rank, "axis");
    if (!axis)
      return axis.takeError();
    if (seen[*axis])
      return foldError("axis " + Twine(*axis) + " is sliced twice");
    seen[*axis] = true;
    axes[i] = *axis;
    if (steps[i] == 0)
      return foldError("step 0 on axis " + Twine(*axis) + " is invalid");
  }
  params.starts = std::move(*starts);
  params.ends = std::move(*ends);
  params.axes = std::move(axes);
  params.steps = std::move(steps);
  return Error::success();
}

bool isPermutationOf(ArrayRef<int64_t> perm, int64_t rank) {
  if (int64_t(perm.size()) != rank)
    return false;
  SmallVector<bool, 4> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

bool isConstantFoldable(StringRef opType) {
  return StringSwitch<bool>(opType)
      .Cases({"ConstantOfShape", "Concat", "Reshape", "Slice", "Transpose",
              "Cast"},
             true)
      .Default(false);
}

Expected<HostTensor> foldConstantNode(const onnx::NodeProto &node,
                                      ArrayRef<const HostTensor *> inputs) {
  StringRef op = node.op_type();
  size_t required = StringSwitch<size_t>(op)
                        .Cases({"ConstantOfShape", "Transpose", "Cast"}, 1)
                        .Case("Reshape", 2)
                        .Case("Slice", 3)
                        .Default(1);
  if (inputs.size() < required ||
      llvm::any_of(inputs.take_front(required),
                   [](const HostTensor *t) { return !t; }))
    return foldError("expects " + Twine(required) + " inputs");
  if (op == "ConstantOfShape")
    return foldConstantOfShape(node, inputs);
  if (op == "Concat")
    return foldConcat(node, inputs);
  if (op == "Reshape")
    return foldReshape(node, inputs);
  if (op == "Slice")
    return foldSlice(inputs);
  if (op == "Transpose")
    return foldTranspose(node, inputs);
  if (op == "Cast")
    return foldCast(node, inputs);
  return foldError("cannot be evaluated at import time");
}

} // namespace import
} // namespace vggq
