//===- PerfModelTest.cpp - the performance model's arithmetic -------------===//
//
// Each expectation is worked out by hand from the chip table and the
// formulas of docs/PERF-MODEL.md, so that a change to the model shows up as
// a failing number here.
//
//===----------------------------------------------------------------------===//
#include "vggq/PerfModel/PerfModel.h"

#include <gtest/gtest.h>

using namespace vggq::perf;

namespace {

/// A VGG16 conv2 shaped INT8 GEMM: 32x32 output pixels, 64 channels,
/// K = 576, 128x64 tiles of 4 warps, 36 KB of shared memory, 128 registers.
KernelWork int8Conv() {
  KernelWork k;
  k.kernel = "conv";
  k.strategy = Strategy::MmaSync;
  k.format = "int8";
  k.rowsPerImage = 1024;
  k.cols = 64;
  k.depth = 576;
  k.tileM = 128;
  k.tileN = 64;
  k.threads = 128;
  k.staticSmem = 36864;
  k.registers = 128;
  k.flopsPerImage = 2.0 * 1024 * 64 * 576;
  k.bytesPerImage = 65536 + 65536;
  return k;
}

TEST(PerfModel, GemmOccupancyWavesAndTime) {
  const Chip *h200 = lookupChip("H200");
  ASSERT_NE(h200, nullptr);
  Prediction p = predict(int8Conv(), *h200, 4096);
  // 128 registers x 32 lanes = 4096 per warp; 65536 / (4096 x 4 warps) = 4
  // CTAs, below shared memory (233472 / 37888 = 6) and threads (16).
  EXPECT_EQ(p.ctasPerSM, 4u);
  EXPECT_EQ(p.limiter, "registers");
  // 4096 x 1024 rows / 128 = 32768 CTAs; 132 x 4 = 528 slots: 63 waves.
  EXPECT_EQ(p.ctas, 32768);
  EXPECT_DOUBLE_EQ(p.waves, 63.0);
  // Rate 1979 x 0.63 TFLOP/s over 132 SMs; a tile is 2 x 128 x 64 x 576
  // FLOP. 62 full waves of 4 CTAs per SM (16 warps, full rate) plus a last
  // wave of one CTA per SM at 4/8 of the rate.
  double perSM = 1979 * 0.63 * 1e6 / 132, tile = 2.0 * 128 * 64 * 576;
  double compute = 62 * 4 * tile / perSM + tile / (perSM * 0.5);
  EXPECT_NEAR(p.computeUs, compute, 1e-9);
  EXPECT_NEAR(p.memoryUs, 4096.0 * 131072 / (4.8 * 0.9 * 1e6), 1e-9);
  EXPECT_NEAR(p.us, compute + 2.0, 1e-9);
  EXPECT_EQ(p.bound, "compute");
  EXPECT_NEAR(p.peakPercent,
              100.0 * 4096 * int8Conv().flopsPerImage / (p.us * 1e6) / 1979,
              1e-9);
}

TEST(PerfModel, ProducerWarpsDoNotCountTowardTheRate) {
  const Chip *h200 = lookupChip("H200");
  ASSERT_NE(h200, nullptr);
  // A warp-specialized wgmma kernel: 256 threads (128 compute, 128 copy)
  // at 128 registers: 65536 / (4096 x 8 warps) = 2 CTAs per SM.
  KernelWork k = int8Conv();
  k.strategy = Strategy::Wgmma;
  k.threads = 256;
  k.producerThreads = 128;
  Prediction p = predict(k, *h200, 4096);
  EXPECT_EQ(p.ctasPerSM, 2u);
  EXPECT_EQ(p.limiter, "registers");
  // 32768 CTAs over 264 slots: 124 full waves of 2 CTAs (8 computing warps:
  // full rate) and a last one of 32768 - 124 x 264 = 32 CTAs, one per SM on
  // 32 SMs, whose 4 computing warps run at 4/8 of the rate.
  double perSM = 1979 * 0.77 * 1e6 / 132, tile = 2.0 * 128 * 64 * 576;
  double compute = 124 * 2 * tile / perSM + tile / (perSM * 0.5);
  EXPECT_NEAR(p.computeUs, compute, 1e-9);
  // Counted as 8 warps, the last wave would be at the full rate.
  k.producerThreads = 0;
  EXPECT_NEAR(predict(k, *h200, 4096).computeUs,
              124 * 2 * tile / perSM + tile / perSM, 1e-9);
}

TEST(PerfModel, SmallBatchIsLatencyOrLaunchBound) {
  const Chip *h200 = lookupChip("H200");
  // One image, K = 4608: 8 CTAs on 132 SMs, one CTA (4 warps) per SM at
  // half rate: 2 x 2 x 128 x 64 x 4608 / 9445227 = 16.0 us against an ideal
  // 0.48 us at the full rate of the chip.
  KernelWork k = int8Conv();
  k.depth = 4608;
  k.flopsPerImage = 2.0 * 1024 * 64 * 4608;
  Prediction p = predict(k, *h200, 1);
  EXPECT_EQ(p.ctas, 8);
  EXPECT_DOUBLE_EQ(p.waves, 1.0);
  EXPECT_NEAR(p.computeUs,
              2.0 * 128 * 64 * 4608 / (1979 * 0.63 * 1e6 / 132 * 0.5), 1e-9);
  EXPECT_EQ(p.bound, "latency");
  // K = 576: 2.0 us of compute is below the 2 us launch gap.
  Prediction small = predict(int8Conv(), *h200, 1);
  EXPECT_EQ(small.bound, "launch");
}

TEST(PerfModel, NarrowLayersWasteTheTile) {
  // 16 output channels in a 64-wide tile: the grid does 4x the layer's work
  // at full occupancy, which is "padding", not "latency".
  KernelWork k = int8Conv();
  k.cols = 16;
  k.flopsPerImage = 2.0 * 1024 * 16 * 576;
  k.bytesPerImage = 65536 + 16384;
  Prediction p = predict(k, *lookupChip("H200"), 4096);
  EXPECT_EQ(p.bound, "padding");
  EXPECT_NEAR(p.computeUs, predict(int8Conv(), *lookupChip("H200"), 4096).computeUs,
              1e-9);
}

TEST(PerfModel, Fp8MmaSyncOnHopperRunsAtTheFp16Rate) {
  KernelWork k = int8Conv();
  k.format = "fp8e4m3";
  const Chip *h200 = lookupChip("H200");
  Prediction fp8 = predict(k, *h200, 4096);
  Prediction int8 = predict(int8Conv(), *h200, 4096);
  // 989 against 1979 TFLOP/s, both at the mma.sync efficiency.
  EXPECT_NEAR(fp8.computeUs / int8.computeUs, 1979.0 / 989.0, 1e-9);
  // With wgmma the FP8 rate is native: 1979 x 0.77.
  k.strategy = Strategy::Wgmma;
  Prediction wg = predict(k, *h200, 4096);
  EXPECT_NEAR(int8.computeUs / wg.computeUs, 0.77 / 0.63, 1e-9);
  // Ada's FP8 mma.sync is native at 330 TFLOP/s (f32 accumulation).
  const Chip *ada = lookupChip("rtx4090");
  ASSERT_NE(ada, nullptr);
  KernelWork a = int8Conv();
  a.format = "fp8e4m3";
  a.registers = 128;
  Prediction p = predict(a, *ada, 4096);
  EXPECT_EQ(p.ctasPerSM, 2u); // 102400 / 37888 = 2 by shared memory
  EXPECT_EQ(p.limiter, "shared memory");
}

TEST(PerfModel, StreamingKernelsAreMemoryOrLaunchBound) {
  KernelWork k;
  k.kernel = "quantize";
  k.rowsPerImage = 1024;
  k.tileM = 256;
  k.threads = 256;
  k.registers = 16;
  k.bytesPerImage = 16384;
  const Chip *h200 = lookupChip("H200");
  Prediction big = predict(k, *h200, 4096);
  EXPECT_EQ(big.bound, "memory");
  EXPECT_NEAR(big.us, 4096.0 * 16384 / (4.8 * 0.9 * 1e6) + 2.0, 1e-9);
  EXPECT_EQ(big.ctas, 16384);
  Prediction one = predict(k, *h200, 1);
  EXPECT_EQ(one.bound, "launch");
}

TEST(PerfModel, UnknownRegistersAreSaidToBeAssumed) {
  KernelWork k = int8Conv();
  k.registers.reset();
  Prediction p = predict(k, *lookupChip("H100"), 64);
  EXPECT_NE(p.limiter.find("(registers assumed)"), std::string::npos);
}

TEST(PerfModel, ParsesPtxasVerbose) {
  const char *log =
      "ptxas info    : 0 bytes gmem\n"
      "ptxas info    : Compiling entry function 'vggq_conv_a' for 'sm_90'\n"
      "ptxas info    : Function properties for vggq_conv_a\n"
      "    0 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 130 registers, used 1 barriers, 36864 bytes smem\n"
      "ptxas info    : Compiling entry function 'vggq_pool' for 'sm_90'\n"
      "ptxas info    : Used 18 registers\n";
  auto info = parsePtxasVerbose(log);
  ASSERT_EQ(info.size(), 2u);
  EXPECT_EQ(info["vggq_conv_a"].registers, 130u);
  EXPECT_EQ(info["vggq_conv_a"].spillBytes, 20u);
  EXPECT_EQ(info["vggq_pool"].registers, 18u);
  EXPECT_EQ(info["vggq_pool"].spillBytes, 0u);
}

TEST(PerfModel, ChipTable) {
  EXPECT_NE(lookupChip("h200"), nullptr);
  EXPECT_EQ(lookupChip("A100"), nullptr);
  EXPECT_EQ(chipNames(), "H200, H100, RTX4090");
}

} // namespace
