//===- ExecutorQuantTest.cpp - the reference executor's quantized ops -----===//
//
// quantize / dequantize / requantize bit-exact against the Numerics
// functions (per tensor and per channel), relu and max pooling on codes,
// INT8 qconv2d / qlinear exact against int64 loops (K > 1040, with partial
// sums beyond 2^24), FP8 qconv2d against double loops within the f32
// accumulation bound, and the epilogue (bias, relu, output quantization).
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

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

using namespace vggq;
using namespace vggq::exec;

namespace {

struct QType {
  const char *mlir;      ///< element type spelling
  const char *precision; ///< registry name
  uint8_t (*encode)(float);
  float (*decode)(uint8_t);
};

uint8_t encI8(float x) {
  return static_cast<uint8_t>(numerics::floatToInt8(x));
}
float decI8(uint8_t c) { return static_cast<int8_t>(c); }

const QType kE4M3{"f8E4M3FN", "fp8e4m3", numerics::floatToE4M3,
                  numerics::e4m3ToFloat};
const QType kE5M2{"f8E5M2", "fp8e5m2", numerics::floatToE5M2,
                  numerics::e5m2ToFloat};
const QType kI8{"i8", "int8", encI8, decI8};

bool sameBits(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return x == y;
}

class QuantTest : public ::testing::Test {
protected:
  QuantTest() {
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
  Tensor randomF32(std::vector<int64_t> shape, float lo, float hi) {
    Tensor t;
    t.shape = std::move(shape);
    std::uniform_real_distribution<float> d(lo, hi);
    t.f32.resize(t.numElements());
    for (float &x : t.f32)
      x = d(rng);
    return t;
  }
  /// Random codes of `q`, NaN codes excluded.
  Tensor randomCodes(const QType &q, std::vector<int64_t> shape) {
    Tensor t;
    t.shape = std::move(shape);
    t.kind = ElemKind::Coded;
    t.precision = lookupPrecision(q.precision);
    t.codes.resize(t.numElements());
    std::uniform_int_distribution<int> d(0, 255);
    for (uint8_t &c : t.codes) {
      do
        c = static_cast<uint8_t>(d(rng));
      while (!std::isfinite(q.decode(c)) ||
             (t.precision->isInteger() && c == 0x80));
    }
    return t;
  }

  mlir::MLIRContext ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::mt19937 rng{7};
};

class QuantizeTest : public QuantTest,
                     public ::testing::WithParamInterface<QType> {};

TEST_P(QuantizeTest, PerTensorBitExact) {
  QType q = GetParam();
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<4x64xf32>) -> (tensor<4x64x{0}>, tensor<4x64xf32>) {{
  %q = vggq.quantize %x scale [0.37] : tensor<4x64xf32> -> tensor<4x64x{0}>
  %d = vggq.dequantize %q scale [0.37] : tensor<4x64x{0}> -> tensor<4x64xf32>
  return %q, %d : tensor<4x64x{0}>, tensor<4x64xf32>
})",
                                  q.mlir);
  // Beyond both ranges (saturation), and tiny values (subnormals, zeros).
  Tensor x = randomF32({4, 64}, -30000, 30000);
  for (int i = 0; i < 64; ++i)
    x.f32[i] *= 1e-6f;
  x.f32[64] = -0.0f;
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FLOAT_EQ(out[0].scale, 0.37f);
  for (int i = 0; i < 256; ++i) {
    uint8_t code = q.encode(x.f32[i] / 0.37f);
    ASSERT_EQ(out[0].codes[i], code) << "element " << i;
    ASSERT_TRUE(sameBits(out[1].f32[i], q.decode(code) * 0.37f)) << i;
  }
}

TEST_P(QuantizeTest, PerChannelAndRequantizeBitExact) {
  QType q = GetParam();
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4x{0}>, tensor<2x3x4xf8E5M2>) {{
  %q = vggq.quantize %x scale [0.5, 0.25, 2.0, 0.125] axis 2 : tensor<2x3x4xf32> -> tensor<2x3x4x{0}>
  %p = vggq.quantize %x scale [0.1, 0.2, 0.3] axis 1 : tensor<2x3x4xf32> -> tensor<2x3x4x{0}>
  %r = vggq.requantize %p from 0.2 to 0.03 : tensor<2x3x4x{0}> -> tensor<2x3x4xf8E5M2>
  return %q, %r : tensor<2x3x4x{0}>, tensor<2x3x4xf8E5M2>
})",
                                  q.mlir);
  Tensor x = randomF32({2, 3, 4}, -40, 40);
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 2u);
  const float s2[] = {0.5f, 0.25f, 2.0f, 0.125f}, s1[] = {0.1f, 0.2f, 0.3f};
  EXPECT_EQ(out[0].scale, 0.0f); // per channel: no single scale
  EXPECT_FLOAT_EQ(out[1].scale, 0.03f);
  for (int i = 0; i < 24; ++i) {
    ASSERT_EQ(out[0].codes[i], q.encode(x.f32[i] / s2[i % 4])) << i;
    uint8_t p = q.encode(x.f32[i] / s1[(i / 4) % 3]);
    ASSERT_EQ(out[1].codes[i],
              numerics::floatToE5M2((q.decode(p) * 0.2f) / 0.03f))
        << i;
  }
}

TEST_P(QuantizeTest, ReluAndMaxPoolOnCodes) {
  QType q = GetParam();
  std::string src = llvm::formatv(R"(
func.func @forward(%x: tensor<2x4x4x8x{0}>) -> (tensor<2x4x4x8x{0}>, tensor<2x2x2x8x{0}>) {{
  %r = vggq.relu %x : tensor<2x4x4x8x{0}>
  %p = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<2x4x4x8x{0}> -> tensor<2x2x2x8x{0}>
  return %r, %p : tensor<2x4x4x8x{0}>, tensor<2x2x2x8x{0}>
})",
                                  q.mlir);
  Tensor x = randomCodes(q, {2, 4, 4, 8});
  x.codes[0] = 0x80; // -0 for FP8, -128 never comes from quantize for INT8
  x.scale = 0.5f;
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].scale, 0.5f);
  EXPECT_EQ(out[1].scale, 0.5f);
  for (int i = 0; i < 256; ++i) {
    float v = q.decode(x.codes[i]);
    ASSERT_TRUE(sameBits(q.decode(out[0].codes[i]), v > 0 ? v : 0.0f)) << i;
  }
  for (int n = 0; n < 2; ++n)
    for (int y = 0; y < 2; ++y)
      for (int xx = 0; xx < 2; ++xx)
        for (int c = 0; c < 8; ++c) {
          float m = -INFINITY;
          for (int k = 0; k < 4; ++k)
            m = std::max(
                m,
                q.decode(
                    x.codes[((n * 4 + 2 * y + k / 2) * 4 + 2 * xx + k % 2) * 8 +
                            c]));
          ASSERT_EQ(q.decode(out[1].codes[((n * 2 + y) * 2 + xx) * 8 + c]), m);
        }
  std::vector<float> real = out[1].toFloat();
  EXPECT_EQ(real[0], q.decode(out[1].codes[0]) * 0.5f);
}

INSTANTIATE_TEST_SUITE_P(Precisions, QuantizeTest,
                         ::testing::Values(kE4M3, kE5M2, kI8),
                         [](const auto &info) {
                           return std::string(info.param.precision);
                         });

/// Affine INT8 (ONNX's QuantizeLinear / DequantizeLinear with a zero point):
/// round half to even, add the zero point, clamp to the full [-128, 127];
/// back as (code - zero_point) * scale. Checked against a double loop, per
/// tensor and per channel, with values past both ends and exact halves.
TEST_F(QuantTest, AffineInt8BitExact) {
  std::string src = R"(
func.func @forward(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xi8>, tensor<2x3x4xf32>, tensor<2x3x4xi8>, tensor<2x3x4xf32>) {
  %q = vggq.quantize %x scale [0.5] zero_point [-44] : tensor<2x3x4xf32> -> tensor<2x3x4xi8>
  %d = vggq.dequantize %q scale [0.5] zero_point [-44] : tensor<2x3x4xi8> -> tensor<2x3x4xf32>
  %p = vggq.quantize %x scale [2.0, 0.25, 1.0] axis 1 zero_point [-128, 127, 5] : tensor<2x3x4xf32> -> tensor<2x3x4xi8>
  %e = vggq.dequantize %p scale [2.0, 0.25, 1.0] axis 1 zero_point [-128, 127, 5] : tensor<2x3x4xi8> -> tensor<2x3x4xf32>
  return %q, %d, %p, %e : tensor<2x3x4xi8>, tensor<2x3x4xf32>, tensor<2x3x4xi8>, tensor<2x3x4xf32>
})";
  Tensor x = randomF32({2, 3, 4}, -300, 300);
  // Exact halves (ties go to even), and values just inside and past the
  // ends of the range of the per-tensor zero point -44.
  x.f32[0] = 0.25f;  // 0.5 -> 0
  x.f32[1] = 0.75f;  // 1.5 -> 2
  x.f32[2] = -1.25f; // -2.5 -> -2
  x.f32[3] = 85.5f;  // 171 - 44 = 127
  x.f32[4] = 86.0f;  // 172 - 44 -> 127 (clamped)
  x.f32[5] = -42.0f; // -84 - 44 = -128: the code a symmetric INT8 never gives
  x.f32[6] = -1000.0f;
  x.f32[7] = NAN; // the zero point
  auto out = run(src, {x});
  ASSERT_EQ(out.size(), 4u);
  auto affine = [](float v, int64_t zp) {
    double r = std::isnan(v) ? 0.0 : std::nearbyint(double(v));
    return int64_t(std::clamp(r + double(zp), -128.0, 127.0));
  };
  const float s1[] = {2.0f, 0.25f, 1.0f};
  const int64_t z1[] = {-128, 127, 5};
  EXPECT_EQ(out[0].scale, 0.0f); // the codes carry no scale of their own
  for (int i = 0; i < 24; ++i) {
    int64_t c = affine(x.f32[i] / 0.5f, -44);
    ASSERT_EQ(int8_t(out[0].codes[i]), c) << "element " << i;
    ASSERT_TRUE(sameBits(out[1].f32[i], float(c + 44) * 0.5f)) << i;
    int ch = (i / 4) % 3;
    int64_t p = affine(x.f32[i] / s1[ch], z1[ch]);
    ASSERT_EQ(int8_t(out[2].codes[i]), p) << "element " << i;
    ASSERT_TRUE(sameBits(out[3].f32[i], float(p - z1[ch]) * s1[ch])) << i;
  }
  EXPECT_EQ(int8_t(out[0].codes[0]), -44);
  EXPECT_EQ(int8_t(out[0].codes[1]), -42);
  EXPECT_EQ(int8_t(out[0].codes[2]), -46);
  EXPECT_EQ(int8_t(out[0].codes[3]), 127);
  EXPECT_EQ(int8_t(out[0].codes[4]), 127);
  EXPECT_EQ(int8_t(out[0].codes[5]), -128);
  EXPECT_EQ(int8_t(out[0].codes[6]), -128);
  EXPECT_EQ(int8_t(out[0].codes[7]), -44);
}

/// A dilated max pool reads every d-th cell: kernel [2, 3] with dilation
/// [2, 1] takes rows y and y + 2 of each window; f32 and INT8 codes against
/// a loop.
TEST_F(QuantTest, DilatedMaxPool) {
  std::string src = R"(
func.func @forward(%x: tensor<1x5x5x2xf32>, %c: tensor<1x5x5x2xi8>) -> (tensor<1x3x2x2xf32>, tensor<1x3x2x2xi8>) {
  %p = vggq.max_pool2d %x kernel [2, 3] strides [1, 2] padding [0, 0, 0, 0] dilation [2, 1] : tensor<1x5x5x2xf32> -> tensor<1x3x2x2xf32>
  %q = vggq.max_pool2d %c kernel [2, 3] strides [1, 2] padding [0, 0, 0, 0] dilation [2, 1] : tensor<1x5x5x2xi8> -> tensor<1x3x2x2xi8>
  return %p, %q : tensor<1x3x2x2xf32>, tensor<1x3x2x2xi8>
})";
  Tensor x = randomF32({1, 5, 5, 2}, -10, 10);
  Tensor c = randomCodes(kI8, {1, 5, 5, 2});
  auto out = run(src, {x, c});
  ASSERT_EQ(out.size(), 2u);
  for (int y = 0; y < 3; ++y)
    for (int xx = 0; xx < 2; ++xx)
      for (int ch = 0; ch < 2; ++ch) {
        float m = -INFINITY, mc = -INFINITY;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            int idx = ((y + 2 * ky) * 5 + 2 * xx + kx) * 2 + ch;
            m = std::max(m, x.f32[idx]);
            mc = std::max(mc, decI8(c.codes[idx]));
          }
        int o = (y * 2 + xx) * 2 + ch;
        ASSERT_EQ(out[0].f32[o], m) << y << " " << xx << " " << ch;
        ASSERT_EQ(decI8(out[1].codes[o]), mc) << y << " " << xx << " " << ch;
      }
}

/// vggq.int_add wraps modulo 256 as NumPy's int8 / uint8 addition: every
/// pair of codes, signed and unsigned (UINT8 values held minus 128).
TEST_F(QuantTest, IntAddWrapsEveryPair) {
  std::string src = R"(
func.func @forward(%a: tensor<256x256xi8>, %b: tensor<256x256xi8>) -> (tensor<256x256xi8>, tensor<256x256xi8>) {
  %s = vggq.int_add %a, %b : tensor<256x256xi8>
  %u = vggq.int_add %a, %b unsigned : tensor<256x256xi8>
  return %s, %u : tensor<256x256xi8>, tensor<256x256xi8>
})";
  Tensor a, b;
  for (Tensor *t : {&a, &b}) {
    t->shape = {256, 256};
    t->kind = ElemKind::Coded;
    t->precision = lookupPrecision("int8");
    t->allocateCodes();
  }
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; ++j) {
      a.codes[i * 256 + j] = uint8_t(i);
      b.codes[i * 256 + j] = uint8_t(j);
    }
  auto out = run(src, {a, b});
  ASSERT_EQ(out.size(), 2u);
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; ++j) {
      int8_t sa = int8_t(uint8_t(i)), sb = int8_t(uint8_t(j));
      ASSERT_EQ(int8_t(out[0].codes[i * 256 + j]), int8_t(uint8_t(sa + sb)))
          << int(sa) << " + " << int(sb);
      uint8_t ua = uint8_t(sa + 128), ub = uint8_t(sb + 128);
      uint8_t usum = uint8_t(ua + ub);
      ASSERT_EQ(int8_t(out[1].codes[i * 256 + j]), int8_t(usum - 128))
          << int(ua) << " + " << int(ub);
    }
}

/// INT8 qlinear with K = 4096: the first and second halves of every dot
/// product nearly cancel, so partial sums pass 2^24 while the result is
/// small; the result is exact only with exact integer accumulation.
TEST_F(QuantTest, Int8LinearExactBeyond2To24) {
  const int64_t n = 3, k = 4096, o = 5;
  std::string src = R"(
func.func @forward(%x: tensor<3x4096xi8>, %w: tensor<5x4096xi8>, %b: tensor<5xi32>) -> tensor<3x5xf32> {
  %y = vggq.qlinear %x, %w, %b input_scale 1.0 weight_scales [1.0]
      : (tensor<3x4096xi8>, tensor<5x4096xi8>, tensor<5xi32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
})";
  Tensor x = randomCodes(kI8, {n, k}), w = randomCodes(kI8, {o, k});
  std::uniform_int_distribution<int> big(101, 127), small(-1, 1);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t i = 0; i < k / 2; ++i) {
      int v = big(rng);
      x.codes[r * k + i] = static_cast<uint8_t>(v);
      x.codes[r * k + i + k / 2] = static_cast<uint8_t>(v + small(rng) - 1);
    }
  for (int64_t c = 0; c < o; ++c)
    for (int64_t i = 0; i < k / 2; ++i) {
      int v = big(rng);
      w.codes[c * k + i] = static_cast<uint8_t>(v);
      w.codes[c * k + i + k / 2] = static_cast<uint8_t>(-v);
    }
  Tensor b;
  b.shape = {o};
  b.kind = ElemKind::I32;
  b.i32 = {3, -7, 0, 100, -1};
  auto out = run(src, {x, w, b});
  ASSERT_EQ(out.size(), 1u);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < o; ++c) {
      int64_t acc = 0, partial = 0, maxPartial = 0;
      for (int64_t i = 0; i < k; ++i) {
        acc += int64_t(int8_t(x.codes[r * k + i])) * int8_t(w.codes[c * k + i]);
        partial = std::max(partial, std::abs(acc));
        maxPartial = std::max(maxPartial, partial);
      }
      ASSERT_GT(maxPartial, int64_t(1) << 24); // the test bites
      EXPECT_EQ(out[0].f32[r * o + c], float(acc + b.i32[c])) << r << "," << c;
    }
}

struct QConvCase {
  QType in, w;
  int64_t h, c, o, pad;
  bool relu;
  const char *out; ///< "f32" or a storage type
  bool i32Bias;
};

class QConvTest : public QuantTest,
                  public ::testing::WithParamInterface<QConvCase> {};

/// qconv2d (3x3, stride 1, per-channel weight scales) against loops: the
/// accumulator in int64 (INT8) or double (FP8), then the documented epilogue.
TEST_P(QConvTest, MatchesLoopsAndEpilogue) {
  QConvCase p = GetParam();
  int64_t n = 2, oh = p.h + 2 * p.pad - 2;
  std::string outElem = p.out;
  std::string ws;
  std::vector<float> wScales;
  for (int64_t i = 0; i < p.o; ++i) {
    wScales.push_back(0.01f * (i + 1));
    ws += (i ? ", " : "") + llvm::formatv("{0:e}", wScales.back()).str();
  }
  bool qOut = outElem != "f32";
  std::string src = llvm::formatv(
      R"(
func.func @forward(%x: tensor<2x{0}x{0}x{1}x{2}>, %w: tensor<{3}x3x3x{1}x{4}>, %b: tensor<{3}x{5}>) -> tensor<2x{6}x{6}x{3}x{7}> {{
  %y = vggq.qconv2d %x, %w, %b input_scale 0.05 weight_scales [{8}] {9} {10}
      strides [1, 1] padding [{11}, {11}, {11}, {11}] dilation [1, 1]
      : (tensor<2x{0}x{0}x{1}x{2}>, tensor<{3}x3x3x{1}x{4}>, tensor<{3}x{5}>) -> tensor<2x{6}x{6}x{3}x{7}>
  return %y : tensor<2x{6}x{6}x{3}x{7}>
})",
      p.h, p.c, p.in.mlir, p.o, p.w.mlir, p.i32Bias ? "i32" : "f32", oh,
      outElem, ws, qOut ? "output_scale 0.7" : "", p.relu ? "relu" : "", p.pad);
  Tensor x = randomCodes(p.in, {n, p.h, p.h, p.c});
  Tensor w = randomCodes(p.w, {p.o, 3, 3, p.c});
  Tensor b;
  b.shape = {p.o};
  if (p.i32Bias) {
    b.kind = ElemKind::I32;
    for (int64_t i = 0; i < p.o; ++i)
      b.i32.push_back(int32_t(i * 997) - 3000);
  } else {
    b = randomF32({p.o}, -2, 2);
  }
  auto out = run(src, {x, w, b});
  ASSERT_EQ(out.size(), 1u);
  bool exact = p.in.encode == kI8.encode;
  const Precision *outP =
      qOut ? lookupPrecision(llvm::StringRef(outElem == "i8"       ? "int8"
                                             : outElem == "f8E5M2" ? "fp8e5m2"
                                                                   : "fp8e4m3"))
           : nullptr;
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xx = 0; xx < oh; ++xx)
        for (int64_t o = 0; o < p.o; ++o) {
          int64_t accI = 0;
          double accD = 0, accAbs = 0;
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 3; ++kx) {
              int64_t iy = y - p.pad + ky, ix = xx - p.pad + kx;
              if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.h)
                continue;
              for (int64_t c = 0; c < p.c; ++c) {
                uint8_t xc = x.codes[((b0 * p.h + iy) * p.h + ix) * p.c + c];
                uint8_t wc = w.codes[((o * 3 + ky) * 3 + kx) * p.c + c];
                double prod = double(p.in.decode(xc)) * p.w.decode(wc);
                accD += prod, accAbs += std::fabs(prod);
                if (exact)
                  accI += int64_t(int8_t(xc)) * int8_t(wc);
              }
            }
          float s = 0.05f * wScales[o];
          int64_t idx = ((b0 * oh + y) * oh + xx) * p.o + o;
          if (exact) { // the epilogue of the ODS description, bit for bit
            float v = p.i32Bias ? float(accI + b.i32[o]) * s
                                : float(accI) * s + b.f32[o];
            if (p.relu)
              v = v > 0 ? v : 0.0f;
            if (qOut)
              ASSERT_EQ(out[0].codes[idx], outP->encode(v / 0.7f)) << idx;
            else
              ASSERT_TRUE(sameBits(out[0].f32[idx], v)) << idx;
            continue;
          }
          // FP8: f32 accumulation of exact products; |error| <= K * 2^-24 *
          // sum |products|, then two roundings in the epilogue.
          double ref = accD * s + b.f32[o];
          if (p.relu)
            ref = std::max(ref, 0.0);
          double bound = (9 * p.c * std::ldexp(accAbs, -24)) * s +
                         std::ldexp(std::fabs(ref) + std::fabs(b.f32[o]), -22);
          ASSERT_NEAR(out[0].f32[idx], ref, bound) << idx;
        }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, QConvTest,
    ::testing::Values(
        // K = 9 * 128 = 1152 > 1040, INT8, f32 result, f32 bias.
        QConvCase{kI8, kI8, 5, 128, 4, 1, false, "f32", false},
        // INT8 with i32 bias, relu, INT8 output.
        QConvCase{kI8, kI8, 6, 40, 6, 1, true, "i8", true},
        // INT8 in, FP8 out, no padding.
        QConvCase{kI8, kI8, 6, 16, 3, 0, true, "f8E4M3FN", false},
        // FP8 (mixed flavours) with f32 result, K = 1152.
        QConvCase{kE4M3, kE4M3, 5, 128, 4, 1, false, "f32", false},
        QConvCase{kE5M2, kE4M3, 5, 24, 5, 1, true, "f32", false}));

} // namespace
