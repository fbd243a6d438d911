//===- NumericsExhaustiveTest.cpp - all 2^32 float32 inputs -----*- C++ -*-===//
//
// The long test (ctest label "long", target check-vggq-long): every float32
// bit pattern through the conversion of every quantized format of
// Formats.def (FP8, FP16, BF16, INT8, ...), against APFloat.
//
//===----------------------------------------------------------------------===//
#include "NumericsReference.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace vggq;
using namespace vggq::numerics;

namespace {

template <typename Fn> uint64_t countMismatches(Fn check) {
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<uint64_t> bad{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n; ++t)
    pool.emplace_back([&, t] {
      uint64_t local = 0;
      for (uint64_t u = t; u <= 0xFFFFFFFFull; u += n)
        local += !check(floatOf(static_cast<uint32_t>(u)));
      bad += local;
    });
  for (auto &th : pool)
    th.join();
  return bad;
}

class ExhaustiveFloat : public ::testing::TestWithParam<test::FloatFormat> {};

TEST_P(ExhaustiveFloat, AllFloat32MatchAPFloat) {
  const test::FloatFormat &f = GetParam();
  EXPECT_EQ(countMismatches([&](float x) {
              return encode(x, *f.p) == test::refEncode(x, f);
            }),
            0u)
      << f.name;
}

INSTANTIATE_TEST_SUITE_P(Formats, ExhaustiveFloat,
                         ::testing::ValuesIn(test::floatFormats()),
                         [](const auto &info) { return info.param.name; });

TEST(ExhaustiveInt, AllFloat32MatchAPFloat) {
  for (const Precision *p : test::intFormats())
    EXPECT_EQ(countMismatches([&](float x) {
                return encode(x, *p) == test::intCode(test::refInt(x, *p), *p);
              }),
              0u)
        << p->name;
}

} // namespace
