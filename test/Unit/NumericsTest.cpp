//===- NumericsTest.cpp - format conversions vs APFloat ---------*- C++ -*-===//
//
// The host conversions of the precision registry against LLVM's APFloat, the
// bit-exact reference of the numerics contract: every code, every
// rounding midpoint and its neighbours one ulp away, saturation or overflow,
// NaN, and a million random inputs, for every format of Formats.def.
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
using vggq::test::FloatFormat;

namespace {

class FloatFormatTest : public ::testing::TestWithParam<FloatFormat> {};

TEST_P(FloatFormatTest, EveryCodeDecodesLikeAPFloatAndRoundTrips) {
  const FloatFormat &f = GetParam();
  FloatCodes fc = floatCodes(*f.p);
  for (uint32_t code = 0; code < (1u << f.p->bits); ++code) {
    float ours = decode(code, *f.p);
    float ref = test::refDecode(code, f);
    if (std::isnan(ref)) {
      EXPECT_TRUE(std::isnan(ours)) << f.name << " code " << code;
      continue;
    }
    ASSERT_EQ(bitsOf(ours), bitsOf(ref)) << f.name << " code " << code;
    if (std::isinf(ref) && f.p->saturate)
      continue; // infinity saturates on the way back (by contract)
    ASSERT_EQ(encode(ours, *f.p), code) << f.name << " code " << code;
  }
  EXPECT_EQ(decode(fc.maxCode, *f.p), static_cast<float>(f.p->maxFinite))
      << f.name << ": MAX_FINITE of Formats.def";
}

TEST_P(FloatFormatTest, MidpointsAndNeighboursMatchAPFloat) {
  const FloatFormat &f = GetParam();
  // All finite non-negative values in increasing order.
  std::vector<float> values;
  for (uint32_t c = 0; c < (1u << (f.p->bits - 1)); ++c) {
    float v = decode(c, *f.p);
    if (std::isfinite(v))
      values.push_back(v);
  }
  ASSERT_EQ(values.back(), static_cast<float>(f.p->maxFinite));
  int checked = 0;
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    // Exact in f32: these formats have at most 11 significant bits.
    float mid = 0.5f * (values[i] + values[i + 1]);
    for (float x : {values[i], mid, std::nextafter(mid, 0.0f),
                    std::nextafter(mid, INFINITY)}) {
      for (float s : {x, -x}) {
        ASSERT_EQ(encode(s, *f.p), test::refEncode(s, f))
            << f.name << " input " << s << " (midpoint " << i << ")";
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 900);
}

TEST_P(FloatFormatTest, OverflowSaturatesOrGoesToInfinityAndKeepsNaN) {
  const FloatFormat &f = GetParam();
  FloatCodes fc = floatCodes(*f.p);
  const float m = static_cast<float>(f.p->maxFinite);
  for (float x : {std::nextafter(m, INFINITY), m * 2.0f,
                  std::numeric_limits<float>::max(), INFINITY}) {
    if (f.p->saturate) {
      EXPECT_EQ(encode(x, *f.p), fc.maxCode) << x;
      EXPECT_EQ(encode(-x, *f.p), fc.signBit | fc.maxCode) << -x;
    } else if (x >= m * 1.5f) { // beyond the rounding boundary: infinity
      EXPECT_EQ(encode(x, *f.p), fc.infCode) << f.name << " " << x;
      EXPECT_EQ(encode(-x, *f.p), fc.signBit | fc.infCode) << -x;
    }
    EXPECT_EQ(encode(x, *f.p), test::refEncode(x, f)) << f.name << " " << x;
  }
  EXPECT_TRUE(std::isnan(decode(encode(NAN, *f.p), *f.p)));
  EXPECT_EQ(encode(NAN, *f.p), test::refEncode(NAN, f));
  EXPECT_EQ(encode(-NAN, *f.p), test::refEncode(-NAN, f));
  // Signed zero; float32 subnormals round like APFloat (to zero below the
  // format's range).
  EXPECT_EQ(encode(0.0f, *f.p), 0u);
  EXPECT_EQ(encode(-0.0f, *f.p), fc.signBit);
  float dmin = std::numeric_limits<float>::denorm_min();
  EXPECT_EQ(encode(dmin, *f.p), test::refEncode(dmin, f));
}

TEST_P(FloatFormatTest, RandomInputsMatchAPFloat) {
  const FloatFormat &f = GetParam();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<uint32_t> bits;
  float m = static_cast<float>(std::min(f.p->maxFinite, 1e30));
  std::uniform_real_distribution<float> near(-2.0f * m, 2.0f * m);
  for (int i = 0; i < 500000; ++i) {
    float a = floatOf(bits(rng));
    float b = near(rng) * std::ldexp(1.0f, -static_cast<int>(rng() % 24));
    ASSERT_EQ(encode(a, *f.p), test::refEncode(a, f)) << a;
    ASSERT_EQ(encode(b, *f.p), test::refEncode(b, f)) << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FloatFormatTest,
                         ::testing::ValuesIn(test::floatFormats()),
                         [](const auto &info) { return info.param.name; });

TEST(Int8Test, HalfwayCasesRoundToEvenAndClamp) {
  for (int k = -140; k <= 140; ++k) {
    float half = static_cast<float>(k) + 0.5f;
    for (float x : {static_cast<float>(k), half, std::nextafter(half, -INFINITY),
                    std::nextafter(half, INFINITY)})
      ASSERT_EQ(floatToInt8(x),
                int8_t(test::refInt(x, *lookupPrecision("int8"))))
          << x;
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
    ASSERT_EQ(floatToInt8(a), int8_t(test::refInt(a, *lookupPrecision("int8"))))
        << a;
    ASSERT_EQ(floatToInt8(b), int8_t(test::refInt(b, *lookupPrecision("int8"))))
        << b;
  }
}

TEST(RegistryTest, DescribesEveryPrecision) {
  mlir::MLIRContext ctx;
  ASSERT_EQ(getPrecisions().size(), format::kNumFormats);
  std::string names;
  for (const Precision &p : getPrecisions()) {
    SCOPED_TRACE(p.name);
    EXPECT_EQ(lookupPrecision(p.name), &p);
    mlir::Type t = p.storageType(&ctx);
    ASSERT_TRUE(t) << "MLIR_TYPE '" << p.mlirType << "' does not parse";
    EXPECT_EQ(lookupPrecision(t), &p);
    EXPECT_EQ(t.getIntOrFloatBitWidth(), p.bits);
    EXPECT_EQ(isQuantStorageType(t), p.quantized());
    EXPECT_STREQ(format::byRtName(p.rtName)->name, p.name);
    EXPECT_STREQ(format::byCode(p.code)->name, p.name);
    EXPECT_NE(p.code, 1u) << "code 1 is s32";
    EXPECT_TRUE(p.accumulatorType(&ctx).isF32() ||
                p.accumulatorType(&ctx).isInteger(32));
    EXPECT_EQ(p.accumulatorType(&ctx).isInteger(32), p.isInteger());
    if (p.hasMma()) {
      // The kernels feed 32 bytes of K per m16n8 MMA (MmaSyncStrategy.cpp).
      EXPECT_EQ(p.mma.m, 16u);
      EXPECT_EQ(p.mma.n, 8u);
      EXPECT_EQ(p.mma.k * p.bits, 256u);
      EXPECT_GE(p.minSM, 80u);
    }
    if (p.quantized()) {
      names += (names.empty() ? "" : ", ") + std::string(p.name);
      EXPECT_GT(std::string(p.cvt).size(), 0u) << "no epilogue conversion";
    }
  }
  EXPECT_EQ(precisionNames(true), names);
  EXPECT_EQ(lookupPrecision("fp4"), nullptr);
  EXPECT_EQ(lookupPrecision(mlir::IntegerType::get(&ctx, 16)), nullptr);
  const Precision *e4m3 = lookupPrecision("fp8e4m3");
  const Precision *e5m2 = lookupPrecision("fp8e5m2");
  const Precision *int8 = lookupPrecision("int8");
  ASSERT_TRUE(e4m3 && e5m2 && int8);
  EXPECT_EQ(e4m3->maxFinite, 448.0);
  EXPECT_EQ(e5m2->maxFinite, 57344.0);
  EXPECT_EQ(int8->maxFinite, 127.0);
  EXPECT_TRUE(mlir::isa<mlir::Float8E4M3FNType>(e4m3->storageType(&ctx)));
  EXPECT_EQ(e4m3->mmaIntrinsic(*e5m2),
            "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e5m2.f32");
  EXPECT_EQ(int8->mmaIntrinsic(*int8),
            "llvm.nvvm.mma.m16n8k32.row.col.satfinite.s8");
  EXPECT_EQ(e4m3->minSM, 89u);
  EXPECT_FALSE(e4m3->runsOn(80));
  // Registry conversions are the numerics functions.
  EXPECT_EQ(e4m3->encode(300.0f), floatToE4M3(300.0f));
  EXPECT_EQ(int8->decode(int8->encode(-3.5f)), -4.0f);
  EXPECT_FLOAT_EQ(e4m3->scaleForAmax(448.0f), 1.0f);
}

} // namespace
