//===- CalibrationTest.cpp - histograms, amax rules, tables -----*- C++ -*-===//
//
// Unit tests of the numerical core of --vggq-calibrate.
//
//===----------------------------------------------------------------------===//
#include "vggq/Transforms/Calibration.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace vggq;
using namespace vggq::calib;

namespace {

std::string tempPath(const char *name) {
  llvm::SmallString<128> path;
  llvm::sys::fs::createTemporaryFile(name, "json", path);
  return std::string(path);
}

void writeFile(const std::string &path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  os << text;
}

TEST(Histogram, TracksMinMaxAndCounts) {
  Histogram h(8);
  std::vector<float> v{-2.0f, 1.0f, 0.5f, NAN, 0.0f};
  h.add(v);
  EXPECT_EQ(h.min(), -2.0f);
  EXPECT_EQ(h.max(), 1.0f);
  EXPECT_EQ(h.total(), 4.0); // NaN ignored
  EXPECT_DOUBLE_EQ(h.range(), 2.0);
  // |x| in [0, 2) over 8 bins of 0.25: 0 -> bin 0, 0.5 -> 2, 1 -> 4, 2 -> 7.
  EXPECT_EQ(h.getCounts()[0], 1.0);
  EXPECT_EQ(h.getCounts()[2], 1.0);
  EXPECT_EQ(h.getCounts()[4], 1.0);
  EXPECT_EQ(h.getCounts()[7], 1.0);
}

TEST(Histogram, RangeDoublingMergesBinsExactly) {
  Histogram h(8);
  std::vector<float> a{0.1f, 0.3f, 0.6f, 0.9f, 1.0f};
  h.add(a); // range 1, bins of 0.125: 0, 2, 4, 7, 7
  std::vector<float> b{3.5f};
  h.add(b); // range 4 (doubled twice), bins of 0.5
  EXPECT_DOUBLE_EQ(h.range(), 4.0);
  EXPECT_EQ(h.total(), 6.0);
  // Old bins merged in fours: 0..3 -> 0 (0.1, 0.3), 4..7 -> 1 (0.6, 0.9, 1.0).
  EXPECT_EQ(h.getCounts()[0], 2.0);
  EXPECT_EQ(h.getCounts()[1], 3.0);
  EXPECT_EQ(h.getCounts()[7], 1.0);
  double sum = 0;
  for (double c : h.getCounts())
    sum += c;
  EXPECT_EQ(sum, 6.0);
}

/// A Gaussian bulk with a few far outliers: the robust rules clip them.
Histogram gaussianWithOutliers() {
  Histogram h(2048);
  std::mt19937 rng(7);
  std::normal_distribution<float> n(0.0f, 1.0f);
  std::vector<float> v(200000);
  for (float &x : v)
    x = n(rng);
  v[0] = 40.0f;
  v[1] = -35.0f;
  h.add(v);
  return h;
}

TEST(Amax, MaxAndPercentile) {
  Histogram h = gaussianWithOutliers();
  EXPECT_EQ(amaxMax(h), 40.0f);
  float p = amaxPercentile(h, 99.99);
  // The 99.99th percentile of |N(0,1)| is about 3.9.
  EXPECT_GT(p, 3.5f);
  EXPECT_LT(p, 4.5f);
  EXPECT_EQ(amaxPercentile(h, 100.0), 40.0f);
}

TEST(Amax, EntropyAndMseOnOutliers) {
  Histogram h = gaussianWithOutliers();
  const Precision &int8 = *lookupPrecision("int8");
  const Precision &e4m3 = *lookupPrecision("fp8e4m3");
  // KL with 128 uniform levels ignores two outliers in 200,000 values.
  float e = amaxEntropy(h, int8);
  EXPECT_GT(e, 1.5f);
  EXPECT_LT(e, 20.0f);
  // MSE weighs the outliers' squared clipping error (~2000) against the
  // rounding error of the bulk: for INT8 it settles in between...
  float m = amaxMse(h, int8);
  EXPECT_GT(m, 4.0f);
  EXPECT_LT(m, 40.0f);
  // ...while FP8's logarithmic grid keeps the bulk precise at any range, so
  // it clips no more than INT8 does.
  EXPECT_GE(amaxMse(h, e4m3), m);
  float fe = amaxEntropy(h, e4m3);
  EXPECT_GT(fe, 1.5f);
  EXPECT_LE(fe, 40.0f);
}

TEST(Amax, UniformDataKeepsTheFullRange) {
  Histogram h(2048);
  std::vector<float> v;
  for (int i = 0; i < 20480; ++i)
    v.push_back((i + 0.5f) / 20480.0f);
  h.add(v);
  const Precision &int8 = *lookupPrecision("int8");
  // Nothing to clip: every rule stays close to the maximum.
  EXPECT_NEAR(amaxEntropy(h, int8), 1.0f, 0.02f);
  EXPECT_NEAR(amaxMse(h, int8), 1.0f, 0.02f);
}

TEST(Amax, EntropyIgnoresTheZeroSpike) {
  // Post-ReLU data: 80 % exact zeros, the rest uniform in (0, 1]. The zeros
  // are exact at any scale and must not pull the threshold down.
  Histogram h(2048);
  std::vector<float> v(80000, 0.0f);
  for (int i = 0; i < 20000; ++i)
    v.push_back((i + 1) / 20000.0f);
  h.add(v);
  EXPECT_EQ(h.zeros(), 80000.0);
  EXPECT_NEAR(amaxEntropy(h, *lookupPrecision("int8")), 1.0f, 0.05f);
}

TEST(Methods, ParseAndName) {
  for (Method m : {Method::Max, Method::Percentile, Method::Entropy, Method::MSE})
    EXPECT_EQ(parseMethod(methodName(m)), m);
  EXPECT_FALSE(parseMethod("kl"));
}

TEST(Table, RoundTrip) {
  CalibrationTable t;
  t.method = "entropy";
  t.precision = "int8";
  t.samples = 1000;
  t.layers = {{"classifier", 3.5f, 0.0f, 7.0f}, {"features.0", 2.25f, -2.0f, 2.5f}};
  std::string path = tempPath("vggq-table");
  ASSERT_FALSE(bool(writeCalibrationTable(path, t)));
  auto r = readCalibrationTable(path);
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->method, "entropy");
  EXPECT_EQ(r->precision, "int8");
  EXPECT_EQ(r->samples, 1000);
  ASSERT_EQ(r->layers.size(), 2u);
  EXPECT_EQ(r->layers[1].name, "features.0");
  EXPECT_EQ(r->layers[1].amax, 2.25f);
  EXPECT_EQ(r->layers[1].min, -2.0f);
  llvm::sys::fs::remove(path);
}

/// Reads `text` as a table and returns the error message ("" on success).
std::string readError(llvm::StringRef text) {
  std::string path = tempPath("vggq-bad");
  writeFile(path, text);
  auto r = readCalibrationTable(path);
  llvm::sys::fs::remove(path);
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

TEST(Table, ErrorsNameFileAndKey) {
  EXPECT_NE(readError("{\"format\": ").find("malformed JSON"), std::string::npos);
  EXPECT_NE(readError("{\"format\": \"other\", \"version\": 1}").find("'format'"),
            std::string::npos);
  EXPECT_NE(readError("{\"format\": \"vggq-calibration\", \"version\": 2, "
                      "\"method\": \"max\", \"layers\": {}}")
                .find("unsupported 'version' 2"),
            std::string::npos);
  std::string e = readError("{\"format\": \"vggq-calibration\", \"version\": 1, "
                            "\"method\": \"max\", \"layers\": {\"features.3\": "
                            "{\"amax\": \"big\", \"min\": 0, \"max\": 1}}}");
  EXPECT_NE(e.find("layer 'features.3'"), std::string::npos) << e;
  EXPECT_NE(e.find("'amax'"), std::string::npos) << e;
  EXPECT_NE(e.find("calibration table '"), std::string::npos) << e;
  EXPECT_NE(readError("{\"format\": \"vggq-calibration\", \"version\": 1, "
                      "\"method\": \"max\", \"layers\": {\"f\": {\"amax\": 0, "
                      "\"min\": 0, \"max\": 0}}}")
                .find("'amax' must be > 0"),
            std::string::npos);
  EXPECT_NE(readError("").find("malformed JSON"), std::string::npos);
}

} // namespace
