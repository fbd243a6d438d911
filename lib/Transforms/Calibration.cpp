//===- Calibration.cpp - histograms and amax selection ----------*- C++ -*-===//
//
// The |x| histogram with range doubling and the four amax rules of
// --vggq-calibrate. Quantization grids come from the precision registry
// (encode/decode), never from local rounding code.
//
//===----------------------------------------------------------------------===//
#include "vggq/Transforms/Calibration.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace vggq;
using namespace vggq::calib;

std::optional<Method> calib::parseMethod(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Method>>(name)
      .Case("max", Method::Max)
      .Case("percentile", Method::Percentile)
      .Case("entropy", Method::Entropy)
      .Case("mse", Method::MSE)
      .Default(std::nullopt);
}

llvm::StringRef calib::methodName(Method method) {
  switch (method) {
  case Method::Max:
    return "max";
  case Method::Percentile:
    return "percentile";
  case Method::Entropy:
    return "entropy";
  case Method::MSE:
    return "mse";
  }
  return "max";
}

std::string calib::methodNames() { return "max, percentile, entropy, mse"; }

//===----------------------------------------------------------------------===//
// Histogram
//===----------------------------------------------------------------------===//

Histogram::Histogram(int64_t numBins)
    : counts(static_cast<size_t>(std::max<int64_t>(numBins, 1)), 0.0) {}

float Histogram::absMax() const { return std::max(std::fabs(lo), std::fabs(hi)); }

void Histogram::add(llvm::ArrayRef<float> values) {
  float batchAbs = 0.0f;
  for (float v : values) {
    if (!std::isfinite(v)) {
      nonFiniteCount += 1.0;
      continue;
    }
    if (!seen) {
      lo = hi = v;
      seen = true;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    batchAbs = std::max(batchAbs, std::fabs(v));
  }
  if (upper == 0.0 && batchAbs > 0.0f)
    upper = batchAbs;
  // Double the range until the batch fits; bins 2k and 2k+1 merge into k.
  size_t n = counts.size();
  while (batchAbs > upper && std::isfinite(batchAbs)) {
    for (size_t k = 0; k < n; ++k) {
      double merged = 0.0;
      if (2 * k < n)
        merged += counts[2 * k];
      if (2 * k + 1 < n)
        merged += counts[2 * k + 1];
      counts[k] = merged;
      if (2 * k >= n)
        counts[k] = 0.0;
    }
    upper *= 2.0;
  }
  for (float v : values) {
    if (!std::isfinite(v))
      continue;
    double a = std::fabs(static_cast<double>(v));
    size_t bin = upper > 0.0 ? static_cast<size_t>(a / upper * n) : 0;
    counts[std::min(bin, n - 1)] += 1.0;
    count += 1.0;
    if (a == 0.0)
      zeroCount += 1.0;
  }
}

//===----------------------------------------------------------------------===//
// amax rules
//===----------------------------------------------------------------------===//

float calib::amaxMax(const Histogram &h) { return h.absMax(); }

float calib::amaxPercentile(const Histogram &h, double percent) {
  double target = std::clamp(percent, 0.0, 100.0) / 100.0 * h.total();
  double cum = 0.0;
  llvm::ArrayRef<double> c = h.getCounts();
  for (size_t j = 0; j < c.size(); ++j) {
    cum += c[j];
    if (cum >= target && cum > 0.0)
      return std::min(static_cast<float>((j + 1) * h.binWidth()), h.absMax());
  }
  return h.absMax();
}

namespace {

/// Quantize-dequantize of a magnitude on `p`'s grid at `scale`.
double roundTrip(const Precision &p, double x, double scale) {
  return static_cast<double>(p.decode(p.encode(static_cast<float>(x / scale)))) *
         scale;
}

/// KL(P || Q) of two unnormalized distributions of equal length.
double klDivergence(llvm::ArrayRef<double> p, llvm::ArrayRef<double> q) {
  double sp = 0.0, sq = 0.0;
  for (size_t j = 0; j < p.size(); ++j) {
    sp += p[j];
    sq += q[j];
  }
  if (sp <= 0.0 || sq <= 0.0)
    return std::numeric_limits<double>::infinity();
  double kl = 0.0;
  for (size_t j = 0; j < p.size(); ++j) {
    if (p[j] <= 0.0)
      continue;
    double pj = p[j] / sp;
    // A level that lost all its mass while P has some: heavily penalized but
    // finite, as TensorRT's smoothing does.
    double qj = std::max(q[j] / sq, 1e-12);
    kl += pj * std::log(pj / qj);
  }
  return kl;
}

} // namespace

float calib::amaxEntropy(const Histogram &h, const Precision &precision) {
  std::vector<double> counts(h.getCounts().begin(), h.getCounts().end());
  counts[0] -= h.zeros();
  llvm::ArrayRef<double> c = counts;
  const int64_t n = h.numBins();
  const int64_t levels = 128;
  if (n <= levels || h.total() - h.zeros() <= 0.0)
    return h.absMax();
  const double w = h.binWidth();
  double bestKl = std::numeric_limits<double>::infinity();
  int64_t bestI = n;
  std::vector<double> p, q, groupSum, groupNonZero;
  std::vector<int64_t> group;
  double outliers = 0.0;
  for (int64_t j = levels; j < n; ++j)
    outliers += c[j];
  for (int64_t i = levels; i <= n; ++i) {
    // Reference: the first i bins with everything beyond folded into the last.
    p.assign(c.begin(), c.begin() + i);
    p[i - 1] += outliers;
    if (i < n)
      outliers -= c[i];
    // Candidate levels: TensorRT's 128 equal groups for INT8; for FP8 the
    // bins whose centers round to the same code at scale (i*w)/maxFinite.
    group.assign(i, 0);
    double scale = precision.scaleForAmax(static_cast<float>(i * w));
    for (int64_t j = 0; j < i; ++j) {
      if (precision.isInteger())
        group[j] = j * levels / i;
      else
        group[j] = precision.encode(static_cast<float>((j + 0.5) * w / scale));
    }
    int64_t numGroups = *std::max_element(group.begin(), group.end()) + 1;
    groupSum.assign(numGroups, 0.0);
    groupNonZero.assign(numGroups, 0.0);
    for (int64_t j = 0; j < i; ++j) {
      groupSum[group[j]] += c[j];
      if (c[j] > 0.0)
        groupNonZero[group[j]] += 1.0;
    }
    // Expand each level back over its non-empty bins.
    q.assign(i, 0.0);
    for (int64_t j = 0; j < i; ++j)
      if (c[j] > 0.0)
        q[j] = groupSum[group[j]] / groupNonZero[group[j]];
    double kl = klDivergence(p, q);
    if (kl < bestKl) {
      bestKl = kl;
      bestI = i;
    }
  }
  return std::min(static_cast<float>(bestI * w), h.absMax());
}

float calib::amaxMse(const Histogram &h, const Precision &precision) {
  llvm::ArrayRef<double> c = h.getCounts();
  const int64_t n = h.numBins();
  if (h.total() <= 0.0 || !precision.quantized())
    return h.absMax();
  const double w = h.binWidth();
  double bestErr = std::numeric_limits<double>::infinity();
  int64_t bestI = n;
  for (int64_t i = 1; i <= n; ++i) {
    double scale = precision.scaleForAmax(static_cast<float>(i * w));
    if (!(scale > 0.0))
      continue;
    double err = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      if (c[j] <= 0.0)
        continue;
      double x = (j + 0.5) * w;
      double d = x - roundTrip(precision, x, scale);
      err += c[j] * d * d;
    }
    if (err < bestErr) {
      bestErr = err;
      bestI = i;
    }
  }
  return std::min(static_cast<float>(bestI * w), h.absMax());
}

float calib::chooseAmax(const Histogram &h, Method method, double percent,
                        const Precision &precision) {
  switch (method) {
  case Method::Max:
    return amaxMax(h);
  case Method::Percentile:
    return amaxPercentile(h, percent);
  case Method::Entropy:
    return amaxEntropy(h, precision);
  case Method::MSE:
    return amaxMse(h, precision);
  }
  return amaxMax(h);
}
