//===- ExecutorResidualTest.cpp - the executor's residual-network ops -----===//
//
// avg_pool2d on f32 (both count modes, with padding) and on codes,
// subsample_pad on f32 and on 8- and 16-bit codes, qadd and the residual
// epilogue of qconv2d, each bit-exact against loops written from the ops'
// descriptions (the f32 operation order included), plus hand-computed cases.
//
//===----------------------------------------------------------------------===//

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Executor/ReferenceExecutor.h"
#include "vggq/Precision/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace vggq;
using namespace vggq::exec;

namespace {

bool sameBits(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return x == y;
}

/// A storage type by its MLIR spelling and registry name.
struct QType {
  const char *mlir;
  const char *name;
  const Precision &prec() const { return *lookupPrecision(name); }
};

const QType kE4M3{"f8E4M3FN", "fp8e4m3"}, kE5M2{"f8E5M2", "fp8e5m2"},
    kI8{"i8", "int8"}, kF16{"f16", "fp16"}, kBF16{"bf16", "bf16"};

class ResidualTest : public ::testing::Test {
protected:
  ResidualTest() {
    ctx.loadDialect<VGGQDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect>();
  }
  std::vector<Tensor> run(const std::string &source,
                          const std::vector<Tensor> &inputs) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
    EXPECT_TRUE(module) << source;
    if (!module)
      return {};
    auto exec = ReferenceExecutor::create(*module);
    if (!exec) {
      ADD_FAILURE() << llvm::toString(exec.takeError());
      return {};
    }
    auto out = (*exec)->run(inputs);
    if (!out) {
      ADD_FAILURE() << llvm::toString(out.takeError());
      return {};
    }
    return std::move(*out);
  }
  /// The error of running `source` on `inputs` (empty when it succeeds).
  std::string runError(const std::string &source,
                       const std::vector<Tensor> &inputs) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &ctx);
    EXPECT_TRUE(module) << source;
    auto exec = ReferenceExecutor::create(*module);
    if (!exec)
      return llvm::toString(exec.takeError());
    auto out = (*exec)->run(inputs);
    return out ? std::string() : llvm::toString(out.takeError());
  }
  static Tensor f32(std::vector<int64_t> shape, std::vector<float> values) {
    Tensor t;
    t.shape = std::move(shape);
    t.f32 = std::move(values);
    return t;
  }
  Tensor randomF32(std::vector<int64_t> shape, float lo, float hi) {
    Tensor t;
    t.shape = std::move(shape);
    std::uniform_real_distribution<float> d(lo, hi);
    t.f32.resize(t.numElements());
    for (float &x : t.f32)
      x = d(rng);
    return t;
  }
  /// Random finite codes of `q` (INT8: never -128).
  Tensor randomCodes(const QType &q, std::vector<int64_t> shape) {
    Tensor t;
    t.shape = std::move(shape);
    t.kind = ElemKind::Coded;
    t.precision = &q.prec();
    t.allocateCodes();
    std::uniform_int_distribution<uint32_t> d(0, (1u << t.precision->bits) - 1);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      uint32_t c;
      do
        c = d(rng);
      while (!std::isfinite(t.precision->decode(c)) ||
             (t.precision->isInteger() && c == 0x80));
      t.setCode(i, c);
    }
    return t;
  }

  mlir::MLIRContext ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::mt19937 rng{11};
};

//===----------------------------------------------------------------------===//
// avg_pool2d
//===----------------------------------------------------------------------===//

/// A 3x3 window with stride 2 and padding 1 over a 3x3 plane: the corner
/// window holds 4 real cells, so the two count modes differ.
TEST_F(ResidualTest, AvgPoolF32CountModesHandComputed) {
  std::string src = R"(
func.func @forward(%x: tensor<1x3x3x1xf32>) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) {
  %a = vggq.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : tensor<1x3x3x1xf32> -> tensor<1x2x2x1xf32>
  %b = vggq.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] count_include_pad : tensor<1x3x3x1xf32> -> tensor<1x2x2x1xf32>
  return %a, %b : tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>
})";
  auto out = run(src, {f32({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_EQ(out.size(), 2u);
  // Windows: {1,2,4,5}, {2,3,5,6}, {4,5,7,8}, {5,6,8,9}.
  EXPECT_EQ(out[0].f32, (std::vector<float>{3.0f, 4.0f, 6.0f, 7.0f}));
  EXPECT_EQ(out[1].f32,
            (std::vector<float>{12.0f / 9, 16.0f / 9, 24.0f / 9, 28.0f / 9}));
}

/// A global pool sums in window order: 2^24 + 1 + 1 + ... loses every 1 in
/// f32, so a different order would give a different mean.
TEST_F(ResidualTest, AvgPoolF32SumsInWindowOrder) {
  std::string src = R"(
func.func @forward(%x: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %a = vggq.avg_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] : tensor<1x2x2x1xf32> -> tensor<1x1x1x1xf32>
  return %a : tensor<1x1x1x1xf32>
})";
  float big = 16777216.0f; // 2^24
  auto out = run(src, {f32({1, 2, 2, 1}, {big, 1, 1, 2})});
  ASSERT_EQ(out.size(), 1u);
  // ((2^24 + 1) + 1) + 2 = 2^24 + 2 in f32 (the ones round away, ties even).
  EXPECT_EQ(out[0].f32[0], (big + 2.0f) / 4.0f);
  EXPECT_NE(out[0].f32[0], (big + 4.0f) / 4.0f);
}

class AvgPoolCodesTest : public ResidualTest,
                         public ::testing::WithParamInterface<QType> {};

TEST_P(AvgPoolCodesTest, MatchesLoops) {
  QType q = GetParam();
  const float inScale = 0.0371f, outScale = 0.0173f;
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<2x5x5x3x{0}>) -> (tensor<2x3x3x3x{0}>, tensor<2x1x1x3x{0}>) {{
  %a = vggq.avg_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] input_scale 0.0371 output_scale 0.0173 : tensor<2x5x5x3x{0}> -> tensor<2x3x3x3x{0}>
  %g = vggq.avg_pool2d %x kernel [5, 5] strides [1, 1] padding [0, 0, 0, 0] input_scale 0.0371 output_scale 0.0173 : tensor<2x5x5x3x{0}> -> tensor<2x1x1x3x{0}>
  return %a, %g : tensor<2x3x3x3x{0}>, tensor<2x1x1x3x{0}>
})",
                                  q.mlir);
  Tensor x = randomCodes(q, {2, 5, 5, 3});
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 2u);
  const Precision &p = q.prec();
  auto expectPool = [&](const Tensor &got, int64_t k, int64_t s, int64_t pad) {
    int64_t oh = got.shape[1];
    EXPECT_EQ(got.scale, outScale);
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < oh; ++xx)
          for (int64_t c = 0; c < 3; ++c) {
            float sum = 0.0f;
            int count = 0;
            for (int64_t ky = 0; ky < k; ++ky)
              for (int64_t kx = 0; kx < k; ++kx) {
                int64_t iy = y * s - pad + ky, ix = xx * s - pad + kx;
                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5)
                  continue;
                float cell =
                    p.decode(x.code(((n * 5 + iy) * 5 + ix) * 3 + c)) * inScale;
                sum = sum + cell;
                ++count;
              }
            float mean = sum / static_cast<float>(count);
            int64_t o = ((n * oh + y) * oh + xx) * 3 + c;
            ASSERT_EQ(got.code(o), p.encode(mean / outScale))
                << q.name << " at " << o;
          }
  };
  expectPool(out[0], 3, 2, 1);
  expectPool(out[1], 5, 1, 0);
}

INSTANTIATE_TEST_SUITE_P(Precisions, AvgPoolCodesTest,
                         ::testing::Values(kE4M3, kE5M2, kI8),
                         [](const auto &info) {
                           return std::string(info.param.name);
                         });

/// INT8 by hand: codes 1, 2, 3, 4 at input scale 0.5 average to 1.25, which
/// is code 2.5 at output scale 0.5 and rounds half to even to 2.
TEST_F(ResidualTest, AvgPoolInt8HandComputed) {
  std::string src = R"(
func.func @forward(%x: tensor<1x2x2x1xi8>) -> tensor<1x1x1x1xi8> {
  %a = vggq.avg_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] input_scale 0.5 output_scale 0.5 : tensor<1x2x2x1xi8> -> tensor<1x1x1x1xi8>
  return %a : tensor<1x1x1x1xi8>
})";
  Tensor x;
  x.shape = {1, 2, 2, 1};
  x.kind = ElemKind::Coded;
  x.precision = &kI8.prec();
  x.codes = {1, 2, 3, 4};
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].codes, (std::vector<uint8_t>{2}));
}

//===----------------------------------------------------------------------===//
// subsample_pad
//===----------------------------------------------------------------------===//

TEST_F(ResidualTest, SubsamplePadF32HandComputed) {
  // 3x3 plane, stride 2 -> 2x2 (ceil), one channel padded to 1 + 1 + 2.
  std::string src = R"(
func.func @forward(%x: tensor<1x3x3x1xf32>) -> tensor<1x2x2x4xf32> {
  %s = vggq.subsample_pad %x strides [2, 2] channel_padding [1, 2] : tensor<1x3x3x1xf32> -> tensor<1x2x2x4xf32>
  return %s : tensor<1x2x2x4xf32>
})";
  auto out = run(src, {f32({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{1, 2, 2, 4}));
  EXPECT_EQ(out[0].f32, (std::vector<float>{0, 1, 0, 0, 0, 3, 0, 0, //
                                            0, 7, 0, 0, 0, 9, 0, 0}));
}

class SubsamplePadCodesTest : public ResidualTest,
                              public ::testing::WithParamInterface<QType> {};

TEST_P(SubsamplePadCodesTest, CopiesCodesAndZeroFills) {
  QType q = GetParam();
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<2x8x8x4x{0}>) -> tensor<2x4x4x8x{0}> {{
  %s = vggq.subsample_pad %x strides [2, 2] channel_padding [2, 2] : tensor<2x8x8x4x{0}> -> tensor<2x4x4x8x{0}>
  return %s : tensor<2x4x4x8x{0}>
})",
                                  q.mlir);
  Tensor x = randomCodes(q, {2, 8, 8, 4});
  x.scale = 0.25f;
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].precision, &q.prec());
  EXPECT_EQ(out[0].scale, 0.25f);
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t xx = 0; xx < 4; ++xx)
        for (int64_t c = 0; c < 8; ++c) {
          uint32_t want =
              c < 2 || c >= 6
                  ? 0u
                  : x.code(((n * 8 + 2 * y) * 8 + 2 * xx) * 4 + (c - 2));
          ASSERT_EQ(out[0].code(((n * 4 + y) * 4 + xx) * 8 + c), want)
              << q.name;
        }
}

INSTANTIATE_TEST_SUITE_P(Precisions, SubsamplePadCodesTest,
                         ::testing::Values(kE4M3, kE5M2, kI8, kF16, kBF16),
                         [](const auto &info) {
                           return std::string(info.param.name);
                         });

//===----------------------------------------------------------------------===//
// qadd and the residual epilogue
//===----------------------------------------------------------------------===//

/// qadd as the op description writes it.
uint32_t refQAdd(const Precision &lp, uint32_t l, float ls, const Precision &rp,
                 uint32_t r, float rs, const Precision &op, float os,
                 bool relu) {
  float t1 = lp.decode(l) * ls;
  float t2 = rp.decode(r) * rs;
  float v = t1 + t2;
  if (relu)
    v = v > 0.0f ? v : 0.0f;
  return op.encode(v / os);
}

struct QAddCase {
  QType lhs, rhs, out;
  bool relu;
};

class QAddTest : public ResidualTest,
                 public ::testing::WithParamInterface<QAddCase> {};

TEST_P(QAddTest, MatchesDescription) {
  QAddCase tc = GetParam();
  std::string src = llvm::formatv(R"(
func.func @forward(%a: tensor<3x4x4x16x{0}>, %b: tensor<3x4x4x16x{1}>) -> tensor<3x4x4x16x{2}> {{
  %s = vggq.qadd %a, %b lhs_scale 0.0517 rhs_scale 0.0433 output_scale 0.0611 {3}: tensor<3x4x4x16x{0}>, tensor<3x4x4x16x{1}> -> tensor<3x4x4x16x{2}>
  return %s : tensor<3x4x4x16x{2}>
})",
                                  tc.lhs.mlir, tc.rhs.mlir, tc.out.mlir,
                                  tc.relu ? "relu " : "");
  Tensor a = randomCodes(tc.lhs, {3, 4, 4, 16});
  Tensor b = randomCodes(tc.rhs, {3, 4, 4, 16});
  auto out = run(src, {a, b});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].precision, &tc.out.prec());
  EXPECT_EQ(out[0].scale, 0.0611f);
  int negatives = 0;
  for (int64_t i = 0; i < a.numElements(); ++i) {
    uint32_t want =
        refQAdd(tc.lhs.prec(), a.code(i), 0.0517f, tc.rhs.prec(), b.code(i),
                0.0433f, tc.out.prec(), 0.0611f, tc.relu);
    negatives += tc.out.prec().decode(want) < 0;
    ASSERT_EQ(out[0].code(i), want) << i;
  }
  EXPECT_EQ(negatives == 0, tc.relu);
}

INSTANTIATE_TEST_SUITE_P(Cases, QAddTest,
                         ::testing::Values(QAddCase{kI8, kI8, kI8, false},
                                           QAddCase{kI8, kI8, kI8, true},
                                           QAddCase{kE4M3, kE4M3, kE4M3, true},
                                           QAddCase{kE5M2, kE5M2, kE5M2, false},
                                           QAddCase{kE4M3, kE5M2, kE4M3,
                                                    false}),
                         [](const auto &info) {
                           const QAddCase &c = info.param;
                           return std::string(c.lhs.name) + "_" + c.rhs.name +
                                  "_" + c.out.name + (c.relu ? "_relu" : "");
                         });

/// INT8 by hand: 10 * 0.5 + (-3) * 0.25 = 4.25, at 0.5 that is 8.5 -> 8
/// (half to even); -20 * 0.5 + 3 * 0.25 = -9.25 -> relu 0.
TEST_F(ResidualTest, QAddInt8HandComputed) {
  std::string src = R"(
func.func @forward(%a: tensor<1x2xi8>, %b: tensor<1x2xi8>) -> (tensor<1x2xi8>, tensor<1x2xi8>) {
  %s = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.25 output_scale 0.5 : tensor<1x2xi8>, tensor<1x2xi8> -> tensor<1x2xi8>
  %r = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.25 output_scale 0.5 relu : tensor<1x2xi8>, tensor<1x2xi8> -> tensor<1x2xi8>
  return %s, %r : tensor<1x2xi8>, tensor<1x2xi8>
})";
  Tensor a, b;
  for (Tensor *t : {&a, &b}) {
    t->shape = {1, 2};
    t->kind = ElemKind::Coded;
    t->precision = &kI8.prec();
  }
  a.codes = {10, static_cast<uint8_t>(-20)};
  b.codes = {static_cast<uint8_t>(-3), 3};
  auto out = run(src, {a, b});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].codes, (std::vector<uint8_t>{8, static_cast<uint8_t>(-18)}));
  EXPECT_EQ(out[1].codes, (std::vector<uint8_t>{8, 0}));
}

TEST_F(ResidualTest, QAddShapeMismatchIsAnError) {
  std::string src = R"(
func.func @forward(%a: tensor<?x2xi8>, %b: tensor<?x2xi8>) -> tensor<?x2xi8> {
  %s = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.25 output_scale 0.5 : tensor<?x2xi8>, tensor<?x2xi8> -> tensor<?x2xi8>
  return %s : tensor<?x2xi8>
})";
  Tensor a = randomCodes(kI8, {1, 2}), b = randomCodes(kI8, {2, 2});
  std::string err = runError(src, {a, b});
  EXPECT_NE(err.find("'vggq.qadd'"), std::string::npos) << err;
  EXPECT_NE(err.find("operand shapes [1, 2] and [2, 2] differ"),
            std::string::npos)
      << err;
}

struct ResidualCase {
  QType act, res;
  bool relu, sumRelu;
};

class QConvResidualTest : public ResidualTest,
                          public ::testing::WithParamInterface<ResidualCase> {};

/// The same conv with and without the residual in one module: the fused
/// result must be the qadd (as described) of the plain result and r.
TEST_P(QConvResidualTest, IsQAddOfThePlainConv) {
  ResidualCase tc = GetParam();
  std::string src = llvm::formatv(
      R"(
func.func @forward(%x: tensor<2x6x6x8x{0}>, %w: tensor<4x3x3x8x{0}>, %b: tensor<4xf32>, %r: tensor<2x6x6x4x{1}>) -> (tensor<2x6x6x4x{0}>, tensor<2x6x6x4x{0}>) {{
  %y = vggq.qconv2d %x, %w, %b input_scale 0.021 weight_scales [0.011, 0.013, 0.017, 0.019]
      output_scale 0.093 {2} strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<2x6x6x8x{0}>, tensor<4x3x3x8x{0}>, tensor<4xf32>) -> tensor<2x6x6x4x{0}>
  %z = vggq.qconv2d %x, %w, %b input_scale 0.021 weight_scales [0.011, 0.013, 0.017, 0.019]
      output_scale 0.093 {2} residual %r residual_scale 0.057 sum_scale 0.121 {3}
      strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<2x6x6x8x{0}>, tensor<4x3x3x8x{0}>, tensor<4xf32>, tensor<2x6x6x4x{1}>) -> tensor<2x6x6x4x{0}>
  return %y, %z : tensor<2x6x6x4x{0}>, tensor<2x6x6x4x{0}>
})",
      tc.act.mlir, tc.res.mlir, tc.relu ? "relu" : "",
      tc.sumRelu ? "sum_relu" : "");
  Tensor x = randomCodes(tc.act, {2, 6, 6, 8});
  Tensor w = randomCodes(tc.act, {4, 3, 3, 8});
  if (!tc.act.prec().isInteger()) // keep FP8 products in a range where the sums
                                  // stay finite
    for (int64_t i = 0; i < w.numElements(); ++i)
      if (std::fabs(w.precision->decode(w.code(i))) > 4.0f)
        w.setCode(i, 0);
  Tensor b = randomF32({4}, -1.0f, 1.0f);
  Tensor r = randomCodes(tc.res, {2, 6, 6, 4});
  auto out = run(src, {x, w, b, r});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].scale, 0.121f);
  const Precision &p = tc.act.prec();
  int differ = 0;
  for (int64_t i = 0; i < out[0].numElements(); ++i) {
    uint32_t want = refQAdd(p, out[0].code(i), 0.093f, tc.res.prec(), r.code(i),
                            0.057f, p, 0.121f, tc.sumRelu);
    uint32_t withoutR = refQAdd(p, out[0].code(i), 0.093f, tc.res.prec(), 0,
                                0.057f, p, 0.121f, tc.sumRelu);
    differ += want != withoutR;
    ASSERT_EQ(out[1].code(i), want) << i;
  }
  EXPECT_GT(differ, out[0].numElements() / 4); // the residual matters
}

INSTANTIATE_TEST_SUITE_P(
    Cases, QConvResidualTest,
    ::testing::Values(ResidualCase{kI8, kI8, true, true},
                      ResidualCase{kI8, kI8, false, false},
                      ResidualCase{kE4M3, kE4M3, true, true},
                      ResidualCase{kE5M2, kE5M2, false, true},
                      ResidualCase{kE4M3, kE5M2, true, false}),
    [](const auto &info) {
      const ResidualCase &c = info.param;
      return std::string(c.act.name) + "_" + c.res.name +
             (c.relu ? "_relu" : "") + (c.sumRelu ? "_sumrelu" : "");
    });

/// A 1x1 INT8 conv by hand: acc = 3 * 2 = 6, y = 6 * (0.5 * 0.5) = 1.5,
/// q = 1.5 / 0.5 = 3; v = 3 * 0.5 + (-7) * 0.25 = -0.25; at 0.25 that is -1,
/// and 0 with sum_relu.
TEST_F(ResidualTest, QConvResidualInt8HandComputed) {
  std::string src = R"(
func.func @forward(%x: tensor<1x1x1x1xi8>, %w: tensor<1x1x1x1xi8>, %r: tensor<1x1x1x1xi8>) -> (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) {
  %a = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5
      residual %r residual_scale 0.25 sum_scale 0.25 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x1x1x1xi8>
  %b = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5
      residual %r residual_scale 0.25 sum_scale 0.25 sum_relu strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>) -> tensor<1x1x1x1xi8>
  return %a, %b : tensor<1x1x1x1xi8>, tensor<1x1x1x1xi8>
})";
  auto code = [&](int8_t v) {
    Tensor t;
    t.shape = {1, 1, 1, 1};
    t.kind = ElemKind::Coded;
    t.precision = &kI8.prec();
    t.codes = {static_cast<uint8_t>(v)};
    return t;
  };
  auto out = run(src, {code(3), code(2), code(-7)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].codes, (std::vector<uint8_t>{static_cast<uint8_t>(-1)}));
  EXPECT_EQ(out[1].codes, (std::vector<uint8_t>{0}));
  EXPECT_TRUE(sameBits(out[1].toFloat()[0], 0.0f));
}

} // namespace
