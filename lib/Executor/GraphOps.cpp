//===- GraphOps.cpp - FP32 graph ops of the reference executor ------------===//
//
// conv2d, batch_norm, linear, softmax, add on f32, and relu, max_pool2d,
// subsample_pad and flatten on f32 or directly on quantized codes (every
// storage type is symmetric, so these commute with quantization; the
// per-tensor scale is carried along). avg_pool2d runs on f32, or on codes
// with its own input and output scales.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace vggq;
using namespace vggq::exec;
using namespace vggq::exec::detail;

namespace {

/// An empty tensor of `src`'s element kind (precision and scale included).
Tensor makeLike(const Tensor &src, std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.kind = src.kind;
  t.precision = src.precision;
  t.scale = src.scale;
  if (t.kind == ElemKind::F32)
    t.f32.resize(t.numElements());
  else
    t.allocateCodes();
  return t;
}

Tensor makeF32(std::vector<int64_t> shape) {
  Tensor t;
  t.shape = std::move(shape);
  t.f32.resize(t.numElements());
  return t;
}

llvm::Expected<Tensor> runConv(Conv2DOp op, Inputs ins) {
  auto g = convGeometry(op, *ins[0], *ins[1]);
  if (!g)
    return g.takeError();
  Tensor out = makeF32({g->n, g->oh, g->ow, g->o});
  const float *bias = ins.size() > 2 ? ins[2]->f32.data() : nullptr;
  int64_t o = g->o;
  ActSource src;
  src.f32 = ins[0]->f32.data();
  convGemm(
      *g, src, ins[1]->f32.data(), AccumMode::F32,
      [&](int64_t row0, int64_t rows, const float *acc, const int32_t *) {
        float *dst = out.f32.data() + row0 * o; // == acc (in place)
        if (bias)
          for (int64_t r = 0; r < rows; ++r)
            for (int64_t c = 0; c < o; ++c)
              dst[r * o + c] = acc[r * o + c] + bias[c];
      },
      out.f32.data());
  return out;
}

llvm::Expected<Tensor> runLinear(LinearOp op, Inputs ins) {
  const Tensor &in = *ins[0], &w = *ins[1];
  int64_t n = in.shape[0], k = in.shape[1], o = w.shape[0];
  if (w.shape[1] != k)
    return opError(op, "input has K = " + llvm::Twine(k) +
                           " but the weight expects " +
                           llvm::Twine(w.shape[1]));
  if (llvm::Error e = checkResultShape(op, {n, o}))
    return std::move(e);
  Tensor out = makeF32({n, o});
  const float *bias = ins.size() > 2 ? ins[2]->f32.data() : nullptr;
  ActSource src;
  src.f32 = in.f32.data();
  matmulRows(
      src, n, k, w.f32.data(), o, AccumMode::F32,
      [&](int64_t row0, int64_t rows, const float *acc, const int32_t *) {
        float *dst = out.f32.data() + row0 * o; // == acc (in place)
        if (bias)
          for (int64_t i = 0; i < rows * o; ++i)
            dst[i] = acc[i] + bias[i % o];
      },
      out.f32.data());
  return out;
}

llvm::Expected<Tensor> runBatchNorm(BatchNormOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  int64_t c = in.shape.back();
  if (ins[1]->numElements() != c)
    return opError(op, "has " + llvm::Twine(ins[1]->numElements()) +
                           " channel parameters for " + llvm::Twine(c) +
                           " channels");
  const float *scale = ins[1]->f32.data(), *offset = ins[2]->f32.data(),
              *mean = ins[3]->f32.data(), *var = ins[4]->f32.data();
  float eps = op.getEpsilon().convertToFloat();
  std::vector<float> denom(c);
  for (int64_t i = 0; i < c; ++i)
    denom[i] = std::sqrt(var[i] + eps);
  Tensor out = makeLike(in, in.shape);
  for (int64_t i = 0, e = in.numElements(); i < e; ++i) {
    int64_t ch = i % c;
    out.f32[i] = (in.f32[i] - mean[ch]) / denom[ch] * scale[ch] + offset[ch];
  }
  return out;
}

/// relu: y = x > 0 ? x : +0 (NaN and -0 give +0). On codes the decision is
/// made on the decoded value, so it is the relu of the real value.
llvm::Expected<Tensor> runRelu(ReluOp, Inputs ins) {
  const Tensor &in = *ins[0];
  Tensor out = makeLike(in, in.shape);
  if (in.kind == ElemKind::F32) {
    for (size_t i = 0; i < in.f32.size(); ++i)
      out.f32[i] = in.f32[i] > 0.0f ? in.f32[i] : 0.0f;
    return out;
  }
  std::vector<float> lut = decodeTable(*in.precision);
  for (int64_t i = 0, e = in.numElements(); i < e; ++i) {
    uint32_t c = in.code(i);
    out.setCode(i, lut[c] > 0.0f ? c : 0);
  }
  return out;
}

/// Max pooling: in each window the first cell holding the largest value wins
/// (padded cells never; NaN never beats a number). On codes the values are
/// compared decoded, and the winning code is copied. Cell (ky, kx) of a
/// window reads row y * s[0] - p[0] + ky * d[0] (d: the dilation).
template <typename ValueAt, typename Store>
void maxPool(const std::vector<int64_t> &is, int64_t oh, int64_t ow,
             llvm::ArrayRef<int64_t> k, llvm::ArrayRef<int64_t> s,
             llvm::ArrayRef<int64_t> p, llvm::ArrayRef<int64_t> d,
             ValueAt valueAt, Store store) {
  int64_t n = is[0], h = is[1], w = is[2], c = is[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          int64_t best = -1;
          float bestVal = -std::numeric_limits<float>::infinity();
          for (int64_t ky = 0; ky < k[0]; ++ky) {
            int64_t iy = y * s[0] - p[0] + ky * d[0];
            if (iy < 0 || iy >= h)
              continue;
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t ix = x * s[1] - p[1] + kx * d[1];
              if (ix < 0 || ix >= w)
                continue;
              int64_t idx = ((b * h + iy) * w + ix) * c + ch;
              float v = valueAt(idx);
              if (best < 0 || v > bestVal) {
                best = idx;
                bestVal = v > bestVal ? v : bestVal;
              }
            }
          }
          store(((b * oh + y) * ow + x) * c + ch, best);
        }
}

llvm::Expected<Tensor> runMaxPool(MaxPool2DOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  if (in.shape.size() != 4)
    return opError(op, "expects a rank-4 input");
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPadding();
  llvm::SmallVector<int64_t, 2> d = op.getDilationOrOnes();
  auto oh = windowOutputSize(in.shape[1], k[0], s[0], p[0], p[2], d[0]);
  auto ow = windowOutputSize(in.shape[2], k[1], s[1], p[1], p[3], d[1]);
  if (!oh || !ow)
    return opError(op, "the window does not fit the input " +
                           shapeString(in.shape));
  std::vector<int64_t> shape = {in.shape[0], *oh, *ow, in.shape[3]};
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  Tensor out = makeLike(in, shape);
  if (in.kind == ElemKind::F32) {
    maxPool(
        in.shape, *oh, *ow, k, s, p, d, [&](int64_t i) { return in.f32[i]; },
        [&](int64_t o, int64_t i) {
          out.f32[o] =
              i < 0 ? -std::numeric_limits<float>::infinity() : in.f32[i];
        });
    return out;
  }
  std::vector<float> lut = decodeTable(*in.precision);
  maxPool(
      in.shape, *oh, *ow, k, s, p, d,
      [&](int64_t i) { return lut[in.code(i)]; },
      [&](int64_t o, int64_t i) { out.setCode(o, i < 0 ? 0 : in.code(i)); });
  return out;
}

/// Average pooling: each window's cells inside the input are summed in f32
/// in window order (kh, then kw), starting from +0, and the sum is divided by
/// the count in f32 (the cells inside the input, or the whole window with
/// `countIncludePad`; padded cells add 0).
template <typename ValueAt, typename Store>
void avgPool(const std::vector<int64_t> &is, int64_t oh, int64_t ow,
             llvm::ArrayRef<int64_t> k, llvm::ArrayRef<int64_t> s,
             llvm::ArrayRef<int64_t> p, bool countIncludePad, ValueAt valueAt,
             Store store) {
  int64_t n = is[0], h = is[1], w = is[2], c = is[3];
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        for (int64_t ch = 0; ch < c; ++ch) {
          float sum = 0.0f;
          int64_t count = 0;
          for (int64_t ky = 0; ky < k[0]; ++ky) {
            int64_t iy = y * s[0] - p[0] + ky;
            if (iy < 0 || iy >= h)
              continue;
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t ix = x * s[1] - p[1] + kx;
              if (ix < 0 || ix >= w)
                continue;
              sum = sum + valueAt(((b * h + iy) * w + ix) * c + ch);
              ++count;
            }
          }
          if (countIncludePad)
            count = k[0] * k[1];
          store(((b * oh + y) * ow + x) * c + ch,
                sum / static_cast<float>(count));
        }
}

/// avg_pool2d on f32, or on codes: cell = decode(code) * input_scale (f32),
/// the mean as above, result code = encode(mean / output_scale).
llvm::Expected<Tensor> runAvgPool(AvgPool2DOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  if (in.shape.size() != 4)
    return opError(op, "expects a rank-4 input");
  if ((in.kind == ElemKind::Coded) != op.isQuantized())
    return opError(op, "input storage does not match the op's scales");
  auto k = op.getKernel(), s = op.getStrides(), p = op.getPadding();
  auto oh = windowOutputSize(in.shape[1], k[0], s[0], p[0], p[2], 1);
  auto ow = windowOutputSize(in.shape[2], k[1], s[1], p[1], p[3], 1);
  if (!oh || !ow)
    return opError(op, "the window does not fit the input " +
                           shapeString(in.shape));
  std::vector<int64_t> shape = {in.shape[0], *oh, *ow, in.shape[3]};
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  bool includePad = op.getCountIncludePad();
  Tensor out = makeLike(in, shape);
  if (in.kind == ElemKind::F32) {
    avgPool(
        in.shape, *oh, *ow, k, s, p, includePad,
        [&](int64_t i) { return in.f32[i]; },
        [&](int64_t o, float mean) { out.f32[o] = mean; });
    return out;
  }
  float inScale = op.getInputScaleAttr().getValue().convertToFloat();
  float outScale = op.getOutputScaleAttr().getValue().convertToFloat();
  const Precision &prec = *in.precision;
  std::vector<float> lut = decodeTable(prec);
  out.scale = outScale;
  avgPool(
      in.shape, *oh, *ow, k, s, p, includePad,
      [&](int64_t i) { return lut[in.code(i)] * inScale; },
      [&](int64_t o, float mean) {
        out.setCode(o, prec.encode(mean / outScale));
      });
  return out;
}

/// subsample_pad: out[n, h, w, c] = in[n, h * sh, w * sw, c - lo] for
/// lo <= c < lo + C, zero (f32 +0, or code 0) elsewhere. Codes are copied
/// as they are, so the scale carries over.
llvm::Expected<Tensor> runSubsamplePad(SubsamplePadOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  if (in.shape.size() != 4)
    return opError(op, "expects a rank-4 input");
  if (in.kind == ElemKind::I32)
    return opError(op, "does not take i32 tensors");
  auto s = op.getStrides(), pad = op.getChannelPadding();
  int64_t n = in.shape[0], h = in.shape[1], w = in.shape[2], c = in.shape[3];
  int64_t oh = (h + s[0] - 1) / s[0], ow = (w + s[1] - 1) / s[1];
  int64_t oc = pad[0] + c + pad[1];
  std::vector<int64_t> shape = {n, oh, ow, oc};
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  Tensor out = makeLike(in, shape); // zero-filled
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t src = ((b * h + y * s[0]) * w + x * s[1]) * c;
        int64_t dst = ((b * oh + y) * ow + x) * oc + pad[0];
        if (in.kind == ElemKind::F32) {
          std::copy_n(in.f32.data() + src, c, out.f32.data() + dst);
        } else {
          unsigned bytes = in.codeBytes();
          std::copy_n(in.codes.data() + src * bytes, c * bytes,
                      out.codes.data() + dst * bytes);
        }
      }
  return out;
}

llvm::Expected<Tensor> runFlatten(FlattenOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  std::vector<int64_t> shape = {in.shape[0], in.numElements() / in.shape[0]};
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  Tensor out = in;
  out.shape = shape;
  return out;
}

/// out.f32 in row-major order over `shape`: element `index` is
/// in.f32[source(index)] (transpose, slice).
template <typename Source>
void gatherF32(const Tensor &in, Tensor &out,
               llvm::ArrayRef<int64_t> shape, Source source) {
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t o = 0, e = out.numElements(); o < e; ++o) {
    out.f32[o] = in.f32[source(index)];
    for (size_t k = shape.size(); k-- > 0;) {
      if (++index[k] < shape[k])
        break;
      index[k] = 0;
    }
  }
}

/// Output axis k is input axis perm[k]; f32 only (importers create it on
/// f32 activations).
llvm::Expected<Tensor> runTranspose(TransposeOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  if (in.kind != ElemKind::F32)
    return opError(op, "transposes only f32 tensors");
  llvm::ArrayRef<int64_t> perm = op.getPermutation();
  size_t rank = in.shape.size();
  std::vector<int64_t> shape(rank), inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * in.shape[i];
  for (size_t k = 0; k < rank; ++k)
    shape[k] = in.shape[perm[k]];
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  Tensor out = makeLike(in, shape);
  gatherF32(in, out, shape, [&](llvm::ArrayRef<int64_t> index) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k)
      src += index[k] * inStrides[perm[k]];
    return src;
  });
  return out;
}

/// Along each axis, output[i] = input[start + i * step]; f32 only.
llvm::Expected<Tensor> runSlice(SliceOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  if (in.kind != ElemKind::F32)
    return opError(op, "slices only f32 tensors");
  auto type = op.getOutput().getType();
  llvm::ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
  size_t rank = in.shape.size();
  std::vector<int64_t> shape(rank), inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * in.shape[i];
  for (size_t k = 0; k < rank; ++k)
    shape[k] = type.isDynamicDim(k) ? in.shape[k] : type.getDimSize(k);
  Tensor out = makeLike(in, shape);
  gatherF32(in, out, shape, [&](llvm::ArrayRef<int64_t> index) {
    int64_t src = 0;
    for (size_t k = 0; k < rank; ++k)
      src += (starts[k] + index[k] * steps[k]) * inStrides[k];
    return src;
  });
  return out;
}

/// ONNX's Pad on f32: an output coordinate outside the input along an axis
/// takes `value` (constant), the nearest element (edge) or the mirrored one
/// (reflect: -i, and 2 (n - 1) - i past the end).
llvm::Expected<Tensor> runPad(PadOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  bool isI32 = in.kind == ElemKind::I32;
  if (in.kind != ElemKind::F32 && !isI32)
    return opError(op, "pads only f32 and i32 tensors");
  llvm::ArrayRef<int64_t> low = op.getLow(), high = op.getHigh();
  llvm::StringRef mode = op.getMode();
  float value = op.getValue() ? op.getValue()->convertToFloat() : 0.0f;
  size_t rank = in.shape.size();
  std::vector<int64_t> shape(rank), inStrides(rank, 1);
  for (size_t i = rank; i-- > 1;)
    inStrides[i - 1] = inStrides[i] * in.shape[i];
  for (size_t k = 0; k < rank; ++k) {
    shape[k] = in.shape[k] + low[k] + high[k];
    if (mode == "reflect" && (low[k] >= in.shape[k] || high[k] >= in.shape[k]))
      return opError(op, "reflect pads must be smaller than the axis");
  }
  if (llvm::Error e = checkResultShape(op, shape))
    return std::move(e);
  Tensor out;
  out.shape = shape;
  out.kind = in.kind;
  if (isI32)
    out.i32.resize(out.numElements());
  else
    out.f32.resize(out.numElements());
  std::vector<int64_t> index(rank, 0);
  for (int64_t o = 0, e = out.numElements(); o < e; ++o) {
    int64_t src = 0;
    bool inside = true;
    for (size_t k = 0; k < rank; ++k) {
      int64_t i = index[k] - low[k], n = in.shape[k];
      if (i < 0 || i >= n) {
        if (mode == "constant")
          inside = false;
        else if (mode == "edge")
          i = i < 0 ? 0 : n - 1;
        else
          i = i < 0 ? -i : 2 * (n - 1) - i;
      }
      src += i * inStrides[k];
    }
    if (isI32)
      out.i32[o] = inside ? in.i32[src] : int32_t(value);
    else
      out.f32[o] = inside ? in.f32[src] : value;
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < shape[k])
        break;
      index[k] = 0;
    }
  }
  return out;
}

/// The same elements under the result's shape (the batch from the input).
llvm::Expected<Tensor> runReshape(ReshapeOp op, Inputs ins) {
  const Tensor &in = *ins[0];
  auto type = op.getOutput().getType();
  std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
  if (!shape.empty() && type.isDynamicDim(0)) {
    int64_t rest = 1;
    for (int64_t d : llvm::ArrayRef(shape).drop_front())
      rest *= d;
    shape[0] = rest ? in.numElements() / rest : 0;
  }
  Tensor out = in;
  out.shape = shape;
  if (out.numElements() != in.numElements())
    return opError(op, "input " + shapeString(in.shape) +
                           " does not reshape to " + shapeString(shape));
  return out;
}

/// Softmax over the last axis: exp(x - max) / sum, in f32.
llvm::Expected<Tensor> runSoftmax(SoftmaxOp, Inputs ins) {
  const Tensor &in = *ins[0];
  Tensor out = makeLike(in, in.shape);
  int64_t c = in.shape.back(), rows = in.numElements() / c;
  for (int64_t r = 0; r < rows; ++r) {
    const float *x = in.f32.data() + r * c;
    float *y = out.f32.data() + r * c;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < c; ++i)
      mx = std::max(mx, x[i]);
    float sum = 0.0f;
    for (int64_t i = 0; i < c; ++i)
      sum += y[i] = std::exp(x[i] - mx);
    for (int64_t i = 0; i < c; ++i)
      y[i] /= sum;
  }
  return out;
}

llvm::Expected<Tensor> runAdd(AddOp op, Inputs ins) {
  if (ins[0]->shape != ins[1]->shape)
    return opError(op, "operand shapes " + shapeString(ins[0]->shape) +
                           " and " + shapeString(ins[1]->shape) + " differ");
  Tensor out = makeLike(*ins[0], ins[0]->shape);
  for (size_t i = 0; i < out.f32.size(); ++i)
    out.f32[i] = ins[0]->f32[i] + ins[1]->f32[i];
  return out;
}

/// Wrapping 8-bit integer addition; `unsigned` codes are UINT8 values minus
/// 128 (the sum is taken in UINT8 and stored the same way).
llvm::Expected<Tensor> runIntAdd(IntAddOp op, Inputs ins) {
  const Tensor &a = *ins[0], &b = *ins[1];
  if (a.shape != b.shape)
    return opError(op, "operand shapes " + shapeString(a.shape) + " and " +
                           shapeString(b.shape) + " differ");
  if (a.kind != ElemKind::Coded || b.kind != ElemKind::Coded ||
      a.codeBytes() != 1 || b.codeBytes() != 1)
    return opError(op, "expects 8-bit integer operands");
  Tensor out = makeLike(a, a.shape);
  out.scale = 0.0f;
  int offset = op.getUnsignedValues() ? 128 : 0;
  for (int64_t i = 0, e = a.numElements(); i < e; ++i) {
    int va = int(int8_t(uint8_t(a.code(i)))) + offset;
    int vb = int(int8_t(uint8_t(b.code(i)))) + offset;
    // (va + vb) mod 256 in the operands' type, stored less the offset.
    int sum = (va + vb) & 0xff;
    if (!op.getUnsignedValues() && sum > 127)
      sum -= 256;
    out.setCode(i, uint8_t(int8_t(sum - offset)));
  }
  return out;
}

} // namespace

bool vggq::exec::detail::isGraphOp(mlir::Operation *op) {
  return llvm::isa<Conv2DOp, BatchNormOp, ReluOp, MaxPool2DOp, AvgPool2DOp,
                   SubsamplePadOp, FlattenOp, LinearOp, SoftmaxOp, AddOp,
                   IntAddOp, TransposeOp, ReshapeOp, SliceOp, PadOp>(op);
}

llvm::Expected<Tensor> vggq::exec::detail::runGraphOp(mlir::Operation *op,
                                                      Inputs ins) {
  return llvm::TypeSwitch<mlir::Operation *, llvm::Expected<Tensor>>(op)
      .Case([&](Conv2DOp o) { return runConv(o, ins); })
      .Case([&](BatchNormOp o) { return runBatchNorm(o, ins); })
      .Case([&](ReluOp o) { return runRelu(o, ins); })
      .Case([&](MaxPool2DOp o) { return runMaxPool(o, ins); })
      .Case([&](AvgPool2DOp o) { return runAvgPool(o, ins); })
      .Case([&](SubsamplePadOp o) { return runSubsamplePad(o, ins); })
      .Case([&](FlattenOp o) { return runFlatten(o, ins); })
      .Case([&](LinearOp o) { return runLinear(o, ins); })
      .Case([&](SoftmaxOp o) { return runSoftmax(o, ins); })
      .Case([&](AddOp o) { return runAdd(o, ins); })
      .Case([&](IntAddOp o) { return runIntAdd(o, ins); })
      .Case([&](TransposeOp o) { return runTranspose(o, ins); })
      .Case([&](ReshapeOp o) { return runReshape(o, ins); })
      .Case([&](SliceOp o) { return runSlice(o, ins); })
      .Case([&](PadOp o) { return runPad(o, ins); })
      .Default([&](mlir::Operation *o) -> llvm::Expected<Tensor> {
        return opError(o, "is not a graph op");
      });
}
