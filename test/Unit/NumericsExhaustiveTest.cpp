//===- NumericsExhaustiveTest.cpp - all 2^32 float32 inputs -----*- C++ -*-===//
//
// The long test (ctest label "long", target check-vggq-long): every float32
// bit pattern through the E4M3, E5M2 and INT8 conversions, against APFloat.
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

TEST(Exhaustive, E4M3AllFloat32) {
  auto f = test::fp8Formats()[0];
  EXPECT_EQ(countMismatches([&](float x) {
              return floatToFP8(x, f.fmt) == test::refEncode(x, f);
            }),
            0u);
}

TEST(Exhaustive, E5M2AllFloat32) {
  auto f = test::fp8Formats()[1];
  EXPECT_EQ(countMismatches([&](float x) {
              return floatToFP8(x, f.fmt) == test::refEncode(x, f);
            }),
            0u);
}

TEST(Exhaustive, Int8AllFloat32) {
  EXPECT_EQ(countMismatches([](float x) {
              return floatToInt8(x) == test::refInt8(x);
            }),
            0u);
}

} // namespace
