//===- TransformsFoldBNTest.cpp - fold-bn against the executor --*- C++ -*-===//
//
// --vggq-fold-batchnorm must be exact in FP32 (up to rounding): the folded
// graph and the unfolded one give the same outputs on the reference
// executor.
//
//===----------------------------------------------------------------------===//
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Executor/ReferenceExecutor.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

using namespace mlir;
using namespace vggq;

namespace {

/// `n` uniform random values as a hex dense literal (valid for any shape).
std::string denseHex(std::mt19937 &rng, int n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::string hex = "dense<\"0x";
  const char *digits = "0123456789ABCDEF";
  for (int i = 0; i < n; ++i) {
    float v = d(rng);
    unsigned char bytes[4];
    std::memcpy(bytes, &v, 4);
    for (unsigned char b : bytes) {
      hex += digits[b >> 4];
      hex += digits[b & 15];
    }
  }
  return hex + "\">";
}

/// conv2d (3x3, 3 -> 8 channels, optional bias) -> batch_norm -> relu.
std::string convBnModel(bool withBias) {
  std::mt19937 rng(42);
  std::ostringstream os;
  os << "func.func @forward(%x: tensor<?x6x6x3xf32>) -> tensor<?x6x6x8xf32> {\n"
     << "  %w0 = arith.constant " << denseHex(rng, 8 * 9 * 3, -1, 1)
     << " : tensor<8x3x3x3xf32>\n"
     << "  %b = arith.constant " << denseHex(rng, 8, -0.5f, 0.5f) << " : tensor<8xf32>\n"
     << "  %g = arith.constant " << denseHex(rng, 8, 0.5f, 2) << " : tensor<8xf32>\n"
     << "  %o = arith.constant " << denseHex(rng, 8, -1, 1) << " : tensor<8xf32>\n"
     << "  %m = arith.constant " << denseHex(rng, 8, -1, 1) << " : tensor<8xf32>\n"
     << "  %v = arith.constant " << denseHex(rng, 8, 0.1f, 3) << " : tensor<8xf32>\n";
  std::string s = os.str();
  std::ostringstream body;
  body << "  %c = vggq.conv2d %x, %w0" << (withBias ? ", %b" : "")
       << " strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = \"features.0\"}"
       << " : (tensor<?x6x6x3xf32>, tensor<8x3x3x3xf32>"
       << (withBias ? ", tensor<8xf32>" : "") << ") -> tensor<?x6x6x8xf32>\n"
       << "  %n = vggq.batch_norm %c, %g, %o, %m, %v epsilon 1.0e-5 {vggq.layer = \"features.1\"}"
       << " : tensor<?x6x6x8xf32>, tensor<8xf32>\n"
       << "  %r = vggq.relu %n : tensor<?x6x6x8xf32>\n"
       << "  return %r : tensor<?x6x6x8xf32>\n}\n";
  return s + body.str();
}

std::vector<float> runModel(ModuleOp module, const exec::Tensor &input) {
  auto exec = exec::ReferenceExecutor::create(module, "forward");
  EXPECT_TRUE(bool(exec)) << llvm::toString(exec.takeError());
  if (!exec)
    return {};
  auto out = (*exec)->run({input});
  EXPECT_TRUE(bool(out)) << llvm::toString(out.takeError());
  if (!out)
    return {};
  return (*out)[0].toFloat();
}

class FoldBatchNormTest : public ::testing::TestWithParam<bool> {};

TEST_P(FoldBatchNormTest, FoldedMatchesUnfolded) {
  DialectRegistry registry;
  registry.insert<VGGQDialect, func::FuncDialect, arith::ArithDialect>();
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  std::string text = convBnModel(GetParam());
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
  ASSERT_TRUE(module);

  exec::Tensor input;
  input.shape = {2, 6, 6, 3};
  std::mt19937 rng(3);
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (int i = 0; i < 2 * 6 * 6 * 3; ++i)
    input.f32.push_back(n(rng));

  std::vector<float> before = runModel(*module, input);

  PassManager pm(&ctx);
  pm.addNestedPass<func::FuncOp>(createFoldBatchNorm());
  ASSERT_TRUE(succeeded(pm.run(*module)));
  int bnLeft = 0, convs = 0;
  module->walk([&](Operation *op) {
    if (op->getName().getStringRef() == "vggq.batch_norm")
      ++bnLeft;
    if (op->getName().getStringRef() == "vggq.conv2d") {
      ++convs;
      auto layer = op->getAttrOfType<StringAttr>("vggq.layer");
      ASSERT_TRUE(layer);
      EXPECT_EQ(layer.getValue(), "features.1");
      EXPECT_EQ(op->getNumOperands(), 3u); // a bias was created if missing
    }
  });
  EXPECT_EQ(bnLeft, 0);
  EXPECT_EQ(convs, 1);

  std::vector<float> after = runModel(*module, input);
  ASSERT_EQ(before.size(), after.size());
  ASSERT_FALSE(before.empty());
  double maxAbs = 0.0;
  for (float v : before)
    maxAbs = std::max(maxAbs, std::fabs(static_cast<double>(v)));
  EXPECT_GT(maxAbs, 0.1); // the test compares something non-trivial
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_NEAR(before[i], after[i], 1e-5 * (1.0 + maxAbs)) << "element " << i;
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutBias, FoldBatchNormTest,
                         ::testing::Values(true, false));

} // namespace
