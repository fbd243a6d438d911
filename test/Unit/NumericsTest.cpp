//===- NumericsTest.cpp - FP8/INT8 conversions vs APFloat -------*- C++ -*-===//
//
// The host conversions of the precision registry against LLVM's APFloat, the
// bit-exact reference of DESIGN.md's numerics contract: every FP8 code, every
// rounding midpoint and its neighbours one ulp away, saturation, NaN, and a
// million random inputs.
//
//===----------------------------------------------------------------------===//
#include "NumericsReference.h"

#include "vggq/Precision/Numerics.h"
#include "vggq/Precision/Precision.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace vggq;
using namespace vggq::numerics;
using vggq::test::Format;

namespace {

class FP8Test : public ::testing::TestWithParam<Format> {};

TEST_P(FP8Test, EveryCodeDecodesLikeAPFloatAndRoundTrips) {
  const Format &f = GetParam();
  int nans = 0;
  for (int c = 0; c < 256; ++c) {
    auto code = static_cast<uint8_t>(c);
    float ours = fp8ToFloat(code, f.fmt);
    float ref = test::refDecode(code, *f.sem);
    if (std::isnan(ref)) {
      EXPECT_TRUE(std::isnan(ours)) << f.name << " code " << c;
      ++nans;
      continue;
    }
    EXPECT_EQ(bitsOf(ours), bitsOf(ref)) << f.name << " code " << c;
    if (std::isinf(ref))
      continue; // E5M2 infinity saturates on the way back (by contract)
    EXPECT_EQ(floatToFP8(ours, f.fmt), code) << f.name << " code " << c;
  }
  EXPECT_EQ(nans, f.expectedNaNCodes) << f.name;
}

TEST_P(FP8Test, MidpointsAndNeighboursMatchAPFloat) {
  const Format &f = GetParam();
  // All finite non-negative values in increasing order.
  std::vector<float> values;
  for (int c = 0; c < 0x80; ++c) {
    float v = fp8ToFloat(static_cast<uint8_t>(c), f.fmt);
    if (std::isfinite(v))
      values.push_back(v);
  }
  ASSERT_EQ(values.back(), f.fmt.maxFinite);
  int checked = 0;
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    // Exact in f32: FP8 values have at most 4 significant bits.
    float mid = 0.5f * (values[i] + values[i + 1]);
    for (float x : {values[i], mid, std::nextafter(mid, 0.0f),
                    std::nextafter(mid, INFINITY)}) {
      for (float s : {x, -x}) {
        ASSERT_EQ(floatToFP8(s, f.fmt), test::refEncode(s, f))
            << f.name << " input " << s << " (midpoint " << i << ")";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 900);
}

TEST_P(FP8Test, SaturatesAndKeepsNaN) {
  const Format &f = GetParam();
  const float m = f.fmt.maxFinite;
  for (float x : {m, std::nextafter(m, INFINITY), m * 1.0625f, m * 2.0f,
                  std::numeric_limits<float>::max(), INFINITY}) {
    EXPECT_EQ(floatToFP8(x, f.fmt), f.fmt.maxCode) << x;
    EXPECT_EQ(floatToFP8(-x, f.fmt), 0x80 | f.fmt.maxCode) << -x;
    EXPECT_EQ(fp8ToFloat(floatToFP8(x, f.fmt), f.fmt), m);
  }
  EXPECT_TRUE(std::isnan(fp8ToFloat(floatToFP8(NAN, f.fmt), f.fmt)));
  EXPECT_EQ(floatToFP8(NAN, f.fmt), test::refEncode(NAN, f));
  EXPECT_EQ(floatToFP8(-NAN, f.fmt), test::refEncode(-NAN, f));
  // Signed zero and float subnormals underflow to signed zero.
  EXPECT_EQ(floatToFP8(0.0f, f.fmt), 0x00);
  EXPECT_EQ(floatToFP8(-0.0f, f.fmt), 0x80);
  EXPECT_EQ(floatToFP8(std::numeric_limits<float>::denorm_min(), f.fmt), 0x00);
}

TEST_P(FP8Test, RandomInputsMatchAPFloat) {
  const Format &f = GetParam();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<uint32_t> bits;
  std::uniform_real_distribution<float> near(-2.0f * f.fmt.maxFinite,
                                             2.0f * f.fmt.maxFinite);
  for (int i = 0; i < 500000; ++i) {
    float a = floatOf(bits(rng));
    float b = near(rng) * std::ldexp(1.0f, -static_cast<int>(rng() % 24));
    ASSERT_EQ(floatToFP8(a, f.fmt), test::refEncode(a, f)) << a;
    ASSERT_EQ(floatToFP8(b, f.fmt), test::refEncode(b, f)) << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FP8Test,
                         ::testing::ValuesIn(test::fp8Formats()),
                         [](const auto &info) { return info.param.name; });

TEST(Int8Test, HalfwayCasesRoundToEvenAndClamp) {
  for (int k = -140; k <= 140; ++k) {
    float half = static_cast<float>(k) + 0.5f;
    for (float x : {static_cast<float>(k), half, std::nextafter(half, -INFINITY),
                    std::nextafter(half, INFINITY)})
      ASSERT_EQ(floatToInt8(x), test::refInt8(x)) << x;
  }
  EXPECT_EQ(floatToInt8(2.5f), 2);
  EXPECT_EQ(floatToInt8(3.5f), 4);
  EXPECT_EQ(floatToInt8(-2.5f), -2);
  EXPECT_EQ(floatToInt8(126.5f), 126);
  EXPECT_EQ(floatToInt8(127.5f), 127);
  EXPECT_EQ(floatToInt8(-1000.0f), -127);
  EXPECT_EQ(floatToInt8(INFINITY), 127);
  EXPECT_EQ(floatToInt8(-INFINITY), -127);
  EXPECT_EQ(floatToInt8(NAN), 0);
}

TEST(Int8Test, RandomInputsMatchAPFloat) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<uint32_t> bits;
  std::uniform_real_distribution<float> near(-300.0f, 300.0f);
  for (int i = 0; i < 500000; ++i) {
    float a = floatOf(bits(rng));
    float b = near(rng);
    ASSERT_EQ(floatToInt8(a), test::refInt8(a)) << a;
    ASSERT_EQ(floatToInt8(b), test::refInt8(b)) << b;
  }
}

TEST(RegistryTest, DescribesEveryPrecision) {
  mlir::MLIRContext ctx;
  ASSERT_EQ(getPrecisions().size(), 4u);
  const Precision *e4m3 = lookupPrecision("fp8e4m3");
  const Precision *e5m2 = lookupPrecision("fp8e5m2");
  const Precision *int8 = lookupPrecision("int8");
  const Precision *fp32 = lookupPrecision("fp32");
  ASSERT_TRUE(e4m3 && e5m2 && int8 && fp32);
  EXPECT_EQ(lookupPrecision("fp16"), nullptr);
  EXPECT_EQ(e4m3->maxFinite, 448.0);
  EXPECT_EQ(e5m2->maxFinite, 57344.0);
  EXPECT_EQ(int8->maxFinite, 127.0);
  EXPECT_TRUE(mlir::isa<mlir::Float8E4M3FNType>(e4m3->storageType(&ctx)));
  EXPECT_TRUE(mlir::isa<mlir::Float8E5M2Type>(e5m2->storageType(&ctx)));
  EXPECT_TRUE(int8->storageType(&ctx).isInteger(8));
  EXPECT_TRUE(int8->accumulatorType(&ctx).isInteger(32));
  EXPECT_TRUE(e4m3->accumulatorType(&ctx).isF32());
  EXPECT_EQ(lookupPrecision(e5m2->storageType(&ctx)), e5m2);
  EXPECT_TRUE(isQuantStorageType(int8->storageType(&ctx)));
  EXPECT_FALSE(isQuantStorageType(fp32->storageType(&ctx)));
  EXPECT_FALSE(isQuantStorageType(mlir::IntegerType::get(&ctx, 16)));
  // The MMA descriptions the lowering uses.
  EXPECT_EQ(e4m3->mma.k, 32u);
  EXPECT_STREQ(e4m3->mma.ptxInputType, "e4m3");
  EXPECT_STREQ(int8->mma.ptxAccumType, "s32");
  EXPECT_EQ(e4m3->mma.minSM, 89u);
  // Registry conversions are the numerics functions.
  EXPECT_EQ(e4m3->encode(300.0f), floatToE4M3(300.0f));
  EXPECT_EQ(int8->decode(int8->encode(-3.5f)), -4.0f);
  EXPECT_FLOAT_EQ(e4m3->scaleForAmax(448.0f), 1.0f);
  EXPECT_EQ(precisionNames(true), "fp8e4m3, fp8e5m2, int8");
}

} // namespace
