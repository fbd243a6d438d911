//===- ExecutorTest.cpp - the reference executor's FP32 graph ops ---------===//
//
// Each FP32 op of the vggq dialect, run by the reference executor on random
// data, against a straightforward loop written here in double precision:
// convolution (stride, padding, dilation, 1x1), pooling, linear, batch norm,
// softmax, add, flatten; plus constants, liveness and error handling.
//
//===----------------------------------------------------------------------===//

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Executor/ReferenceExecutor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

using namespace vggq;
using namespace vggq::exec;

namespace {

class ExecutorTest : public ::testing::Test {
protected:
  ExecutorTest() {
    ctx.loadDialect<VGGQDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect>();
  }
  /// Parses `source`, prepares an executor and runs it on `inputs`.
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
    executor = std::move(*exec);
    auto out = executor->run(inputs);
    if (!out) {
      ADD_FAILURE() << llvm::toString(out.takeError());
      return {};
    }
    return std::move(*out);
  }
  Tensor random(std::vector<int64_t> shape, float lo = -1, float hi = 1) {
    Tensor t;
    t.shape = std::move(shape);
    std::uniform_real_distribution<float> d(lo, hi);
    t.f32.resize(t.numElements());
    for (float &x : t.f32)
      x = d(rng);
    return t;
  }
  static std::string dims(const std::vector<int64_t> &s) {
    std::string r;
    for (int64_t d : s)
      r += std::to_string(d) + "x";
    return r + "f32";
  }
  static void expectNear(const std::vector<float> &got,
                         const std::vector<double> &want, double tol) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], tol * (1 + std::fabs(want[i])))
          << "element " << i;
  }

  mlir::MLIRContext ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::unique_ptr<ReferenceExecutor> executor;
  std::mt19937 rng{42};
};

struct ConvCase {
  int64_t n, h, w, c, o, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
};

class ConvTest : public ExecutorTest,
                 public ::testing::WithParamInterface<ConvCase> {};

TEST_P(ConvTest, MatchesDirectLoops) {
  ConvCase p = GetParam();
  int64_t oh = (p.h + p.pt + p.pb - ((p.kh - 1) * p.dh + 1)) / p.sh + 1;
  int64_t ow = (p.w + p.pl + p.pr - ((p.kw - 1) * p.dw + 1)) / p.sw + 1;
  std::vector<int64_t> xs = {p.n, p.h, p.w, p.c}, ws = {p.o, p.kh, p.kw, p.c},
                       bs = {p.o}, ys = {p.n, oh, ow, p.o};
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<{0}>, %w: tensor<{1}>, %b: tensor<{2}>) -> tensor<{3}> {{
  %y = vggq.conv2d %x, %w, %b strides [{4}, {5}] padding [{6}, {7}, {8}, {9}] dilation [{10}, {11}]
      : (tensor<{0}>, tensor<{1}>, tensor<{2}>) -> tensor<{3}>
  return %y : tensor<{3}>
})",
                                  dims(xs), dims(ws), dims(bs), dims(ys), p.sh,
                                  p.sw, p.pt, p.pl, p.pb, p.pr, p.dh, p.dw);
  Tensor x = random(xs), w = random(ws), b = random(bs);
  auto out = run(src, {x, w, b});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, ys);
  std::vector<double> ref(p.n * oh * ow * p.o);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xq = 0; xq < ow; ++xq)
        for (int64_t o = 0; o < p.o; ++o) {
          double acc = b.f32[o];
          for (int64_t ky = 0; ky < p.kh; ++ky)
            for (int64_t kx = 0; kx < p.kw; ++kx) {
              int64_t iy = y * p.sh - p.pt + ky * p.dh;
              int64_t ix = xq * p.sw - p.pl + kx * p.dw;
              if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w)
                continue;
              for (int64_t c = 0; c < p.c; ++c)
                acc += double(x.f32[((n * p.h + iy) * p.w + ix) * p.c + c]) *
                       w.f32[((o * p.kh + ky) * p.kw + kx) * p.c + c];
            }
          ref[((n * oh + y) * ow + xq) * p.o + o] = acc;
        }
  expectNear(out[0].f32, ref, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvTest,
    ::testing::Values(ConvCase{2, 8, 8, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
                      ConvCase{1, 9, 7, 4, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2},
                      ConvCase{2, 6, 6, 8, 4, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},
                      ConvCase{3, 11, 10, 2, 3, 3, 3, 2, 3, 0, 2, 1, 0, 2, 1},
                      // Larger than one im2col block (several row blocks).
                      ConvCase{4, 32, 32, 16, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1,
                               1}));

TEST_F(ExecutorTest, MaxPoolWithPadding) {
  std::string src = R"(
func.func @forward(%x: tensor<2x5x5x3xf32>) -> tensor<2x3x3x3xf32> {
  %y = vggq.max_pool2d %x kernel [3, 2] strides [2, 2] padding [1, 0, 1, 1] : tensor<2x5x5x3xf32> -> tensor<2x3x3x3xf32>
  return %y : tensor<2x3x3x3xf32>
})";
  // All negative: a padded zero would win if padding were treated as 0.
  Tensor x = random({2, 5, 5, 3}, -2, -1);
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> ref;
  for (int n = 0; n < 2; ++n)
    for (int y = 0; y < 3; ++y)
      for (int xx = 0; xx < 3; ++xx)
        for (int c = 0; c < 3; ++c) {
          double m = -INFINITY;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 2; ++kx) {
              int iy = y * 2 - 1 + ky, ix = xx * 2 + kx;
              if (iy >= 0 && iy < 5 && ix >= 0 && ix < 5)
                m = std::max<double>(m, x.f32[((n * 5 + iy) * 5 + ix) * 3 + c]);
            }
          ref.push_back(m);
        }
  expectNear(out[0].f32, ref, 0);
}

/// vggq.pad in its three modes against hand-written NumPy-style index maps
/// (np.pad's 'constant', 'edge' and 'reflect') on a 2x3 matrix.
TEST_F(ExecutorTest, PadModes) {
  std::string src = R"(
func.func @forward(%x: tensor<2x3xf32>) -> (tensor<5x5xf32>, tensor<5x5xf32>, tensor<3x7xf32>) {
  %c = vggq.pad %x low [1, 0] high [2, 2] mode "constant" value 1.5 : tensor<2x3xf32> -> tensor<5x5xf32>
  %e = vggq.pad %x low [1, 0] high [2, 2] mode "edge" : tensor<2x3xf32> -> tensor<5x5xf32>
  %r = vggq.pad %x low [1, 2] high [0, 2] mode "reflect" : tensor<2x3xf32> -> tensor<3x7xf32>
  return %c, %e, %r : tensor<5x5xf32>, tensor<5x5xf32>, tensor<3x7xf32>
})";
  Tensor x;
  x.shape = {2, 3};
  x.f32 = {1, 2, 3, 4, 5, 6};
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 3u);
  std::vector<double> c, e, r;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      int si = i - 1, sj = j;
      bool inside = si >= 0 && si < 2 && sj < 3;
      c.push_back(inside ? x.f32[si * 3 + sj] : 1.5);
      e.push_back(x.f32[std::clamp(si, 0, 1) * 3 + std::clamp(sj, 0, 2)]);
    }
  // Reflect: rows [5 6 | 1 2 3 ...]: row -1 is row 1; column -2, -1 are
  // columns 2, 1; columns 3, 4 are 1, 0.
  const int rows[3] = {1, 0, 1}, cols[7] = {2, 1, 0, 1, 2, 1, 0};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 7; ++j)
      r.push_back(x.f32[rows[i] * 3 + cols[j]]);
  expectNear(out[0].f32, c, 0);
  expectNear(out[1].f32, e, 0);
  expectNear(out[2].f32, r, 0);
}

/// The same index maps on i32 data (ONNX's INT32 Pad), exact.
TEST_F(ExecutorTest, PadInt32) {
  std::string src = R"(
func.func @forward(%x: tensor<2x3xi32>) -> (tensor<3x7xi32>, tensor<2x4xi32>) {
  %r = vggq.pad %x low [1, 2] high [0, 2] mode "reflect" : tensor<2x3xi32> -> tensor<3x7xi32>
  %c = vggq.pad %x low [0, 1] high [0, 0] mode "constant" value -7.0 : tensor<2x3xi32> -> tensor<2x4xi32>
  return %r, %c : tensor<3x7xi32>, tensor<2x4xi32>
})";
  Tensor x;
  x.shape = {2, 3};
  x.kind = ElemKind::I32;
  x.i32 = {1, -2, 3, 2000000001, 5, -6};
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].kind, ElemKind::I32);
  const int rows[3] = {1, 0, 1}, cols[7] = {2, 1, 0, 1, 2, 1, 0};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 7; ++j)
      ASSERT_EQ(out[0].i32[i * 7 + j], x.i32[rows[i] * 3 + cols[j]]) << i << j;
  std::vector<int32_t> c = {-7, 1, -2, 3, -7, 2000000001, 5, -6};
  EXPECT_EQ(out[1].i32, c);
}

TEST_F(ExecutorTest, FlattenLinearSoftmax) {
  std::string src = R"(
func.func @forward(%x: tensor<3x2x2x5xf32>, %w: tensor<7x20xf32>, %b: tensor<7xf32>) -> tensor<3x7xf32> {
  %f = vggq.flatten %x : tensor<3x2x2x5xf32> -> tensor<3x20xf32>
  %l = vggq.linear %f, %w, %b : (tensor<3x20xf32>, tensor<7x20xf32>, tensor<7xf32>) -> tensor<3x7xf32>
  %s = vggq.softmax %l : tensor<3x7xf32>
  return %s : tensor<3x7xf32>
})";
  Tensor x = random({3, 2, 2, 5}), w = random({7, 20}), b = random({7});
  auto out = run(src, {x, w, b});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> ref;
  for (int n = 0; n < 3; ++n) {
    std::vector<double> l(7);
    double mx = -INFINITY, sum = 0;
    for (int o = 0; o < 7; ++o) {
      l[o] = b.f32[o];
      for (int k = 0; k < 20; ++k)
        l[o] += double(x.f32[n * 20 + k]) * w.f32[o * 20 + k];
      mx = std::max(mx, l[o]);
    }
    for (double &v : l)
      sum += v = std::exp(v - mx);
    for (double v : l)
      ref.push_back(v / sum);
  }
  expectNear(out[0].f32, ref, 1e-5);
}

TEST_F(ExecutorTest, BatchNormReluAdd) {
  std::string src = R"(
func.func @forward(%x: tensor<2x3x3x4xf32>, %s: tensor<4xf32>, %o: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x3x3x4xf32> {
  %bn = vggq.batch_norm %x, %s, %o, %m, %v epsilon 1.0e-3 : tensor<2x3x3x4xf32>, tensor<4xf32>
  %r = vggq.relu %bn : tensor<2x3x3x4xf32>
  %a = vggq.add %r, %x : tensor<2x3x3x4xf32>
  return %a : tensor<2x3x3x4xf32>
})";
  Tensor x = random({2, 3, 3, 4}), s = random({4}), o = random({4}),
         m = random({4}), v = random({4}, 0.1f, 2.0f);
  auto out = run(src, {x, s, o, m, v});
  ASSERT_EQ(out.size(), 1u);
  std::vector<double> ref;
  for (int i = 0; i < 72; ++i) {
    int c = i % 4;
    double bn =
        (x.f32[i] - m.f32[c]) / std::sqrt(double(v.f32[c]) + 1e-3) * s.f32[c] +
        o.f32[c];
    ref.push_back(std::max(bn, 0.0) + x.f32[i]);
  }
  expectNear(out[0].f32, ref, 1e-5);
}

TEST_F(ExecutorTest, DenseConstantsAndDynamicBatch) {
  // Weights as inline dense constants (a splat and a list), a dynamic batch.
  std::string src = R"(
func.func @forward(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]]> : tensor<2x3xf32>
  %b = arith.constant dense<0.5> : tensor<2xf32>
  %y = vggq.linear %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
})";
  Tensor x;
  x.shape = {2, 3};
  x.f32 = {1, 1, 1, 2, 0, -4};
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (std::vector<int64_t>{2, 2}));
  expectNear(out[0].f32, {6.5, 0.25, -9.5, -2.5}, 0);
  EXPECT_EQ(executor->constantBytes(), 8u * 4);
}

TEST_F(ExecutorTest, DenseResourceConstant) {
  // 4 x f32 little-endian (the blob starts with its alignment, 4).
  std::string src = R"(
func.func @forward(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %c = arith.constant dense_resource<w> : tensor<1x4xf32>
  %y = vggq.add %x, %c : tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}
{-#
  dialect_resources: { builtin: { w: "0x040000000000803F00000040000040400000803F" } }
#-})";
  Tensor x;
  x.shape = {1, 4};
  x.f32 = {0, 0, 0, 1};
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 1u);
  expectNear(out[0].f32, {1, 2, 3, 2}, 0);
}

TEST_F(ExecutorTest, PeakCountsLiveIntermediatesOnly) {
  // x (64 B) -> r1 (64 B, x dies) -> r2 (64 B, r1 dies): never more than two
  // 64-byte tensors are live at once.
  std::string src = R"(
func.func @forward(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %a = vggq.relu %x : tensor<1x16xf32>
  %b = vggq.relu %a : tensor<1x16xf32>
  %c = vggq.relu %b : tensor<1x16xf32>
  return %c : tensor<1x16xf32>
})";
  auto out = run(src, {random({1, 16})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(executor->peakActivationBytes(), 128u);
}

TEST_F(ExecutorTest, UnsupportedOpIsAnErrorAtCreate) {
  module = mlir::parseSourceString<mlir::ModuleOp>(R"(
func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
})",
                                                   &ctx);
  ASSERT_TRUE(module);
  auto exec = ReferenceExecutor::create(*module);
  ASSERT_FALSE(exec);
  std::string msg = llvm::toString(exec.takeError());
  EXPECT_NE(msg.find("'arith.addf'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("loc("), std::string::npos) << msg;
  EXPECT_NE(msg.find("not supported"), std::string::npos) << msg;
}

TEST_F(ExecutorTest, WrongInputShapeIsAnError) {
  module = mlir::parseSourceString<mlir::ModuleOp>(R"(
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = vggq.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
})",
                                                   &ctx);
  ASSERT_TRUE(module);
  auto exec = ReferenceExecutor::create(*module);
  ASSERT_TRUE(bool(exec));
  auto out = (*exec)->run({random({2, 5})});
  ASSERT_FALSE(out);
  std::string msg = llvm::toString(out.takeError());
  EXPECT_NE(msg.find("[2, 5]"), std::string::npos) << msg;
}

} // namespace
