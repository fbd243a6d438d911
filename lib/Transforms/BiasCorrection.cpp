//===- BiasCorrection.cpp - mean weight-rounding error per channel -------===//
//
// E[x] per im2col column from the summed calibration inputs, and the
// per-channel correction (W - Wq) E[x]; see BiasCorrection.h.
//
//===----------------------------------------------------------------------===//
#include "BiasCorrection.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

using namespace mlir;
using namespace vggq;

SmallVector<float> vggq::inputColumnMean(Operation *op, ArrayRef<double> sum,
                                         int64_t images) {
  auto conv = dyn_cast<Conv2DOp>(op);
  if (!conv) {
    SmallVector<float> mean;
    for (double s : sum)
      mean.push_back(static_cast<float>(s / std::max<int64_t>(images, 1)));
    return mean;
  }
  auto in = cast<RankedTensorType>(conv.getInput().getType());
  auto w = cast<RankedTensorType>(conv.getWeight().getType());
  auto out = cast<RankedTensorType>(conv.getType());
  int64_t h = in.getDimSize(1), wd = in.getDimSize(2), c = in.getDimSize(3);
  int64_t kh = w.getDimSize(1), kw = w.getDimSize(2);
  int64_t oh = out.getDimSize(1), ow = out.getDimSize(2);
  ArrayRef<int64_t> stride = conv.getStrides(), pad = conv.getPadding(),
                    dil = conv.getDilation();
  double count = static_cast<double>(std::max<int64_t>(images, 1)) * oh * ow;
  SmallVector<float> mean(kh * kw * c, 0.0f);
  std::vector<double> acc(c);
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t y = 0; y < oh; ++y) {
        int64_t r = y * stride[0] + i * dil[0] - pad[0];
        if (r < 0 || r >= h)
          continue;
        for (int64_t x = 0; x < ow; ++x) {
          int64_t q = x * stride[1] + j * dil[1] - pad[1];
          if (q < 0 || q >= wd)
            continue;
          const double *px = &sum[(r * wd + q) * c];
          for (int64_t k = 0; k < c; ++k)
            acc[k] += px[k];
        }
      }
      for (int64_t k = 0; k < c; ++k)
        mean[(i * kw + j) * c + k] = static_cast<float>(acc[k] / count);
    }
  return mean;
}

SmallVector<double> vggq::biasCorrection(ArrayRef<float> w, ArrayRef<float> wq,
                                         int64_t channels,
                                         ArrayRef<float> colMean) {
  int64_t per = static_cast<int64_t>(w.size()) / channels;
  SmallVector<double> delta(channels, 0.0);
  for (int64_t o = 0; o < channels; ++o)
    for (int64_t k = 0; k < per; ++k)
      delta[o] +=
          (static_cast<double>(w[o * per + k]) - wq[o * per + k]) * colMean[k];
  return delta;
}
