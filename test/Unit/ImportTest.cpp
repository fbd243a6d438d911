//===- ImportTest.cpp - the seeded VGG16 generator ------------------------===//
//
// Determinism and the distributions of buildSeededVGG16's weights, and the
// parsing of per-channel normalizations.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

using namespace mlir;

namespace {

std::string bytecode(ModuleOp module) {
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  EXPECT_TRUE(succeeded(writeBytecodeToFile(module, os)));
  return bytes;
}

/// The float data of a weight operand.
llvm::ArrayRef<float> weights(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  EXPECT_TRUE(cst);
  auto attr = dyn_cast<DenseF32ResourceElementsAttr>(cst.getValue());
  EXPECT_TRUE(attr);
  std::optional<llvm::ArrayRef<float>> data = attr.tryGetAsArrayRef();
  EXPECT_TRUE(data.has_value());
  return data.value_or(llvm::ArrayRef<float>());
}

double rms(llvm::ArrayRef<float> v) {
  double sum = 0;
  for (float x : v)
    sum += double(x) * x;
  return std::sqrt(sum / v.size());
}

TEST(SeededVGG16, SameSeedSameBytes) {
  // One context per module: resource names are unique within a context.
  MLIRContext ctxA, ctxB, ctxC;
  std::string bytesA = bytecode(*vggq::buildSeededVGG16(ctxA, 42));
  std::string bytesB = bytecode(*vggq::buildSeededVGG16(ctxB, 42));
  std::string bytesC = bytecode(*vggq::buildSeededVGG16(ctxC, 43));
  EXPECT_GT(bytesA.size(), size_t(58'000'000)); // 14.7 M float32 weights
  // Not EXPECT_EQ: a failure would print two 58 MB strings.
  EXPECT_TRUE(bytesA == bytesB);
  EXPECT_TRUE(bytesA != bytesC);
  EXPECT_EQ(bytesA.size(), bytesC.size());
}

TEST(SeededVGG16, Structure) {
  MLIRContext ctx;
  auto module = vggq::buildSeededVGG16(ctx, 1);
  std::map<std::string, int> counts;
  module->walk([&](Operation *op) {
    if (op->getDialect()->getNamespace() != "vggq")
      return;
    ++counts[op->getName().stripDialect().str()];
    EXPECT_TRUE(op->getAttrOfType<StringAttr>("vggq.layer"))
        << op->getName().getStringRef().str();
  });
  EXPECT_EQ(counts["conv2d"], 13);
  EXPECT_EQ(counts["batch_norm"], 13);
  EXPECT_EQ(counts["relu"], 13);
  EXPECT_EQ(counts["max_pool2d"], 5);
  EXPECT_EQ(counts["flatten"], 1);
  EXPECT_EQ(counts["linear"], 1);
  auto mean = (*module)->getAttrOfType<DenseF32ArrayAttr>("vggq.input_mean");
  ASSERT_TRUE(mean);
  EXPECT_EQ(mean.asArrayRef()[0], 0.4914f);
}

TEST(SeededVGG16, PlausibleWeights) {
  MLIRContext ctx;
  auto module = vggq::buildSeededVGG16(ctx, 5);
  int convs = 0;
  module->walk([&](vggq::Conv2DOp conv) {
    auto type = cast<RankedTensorType>(conv.getWeight().getType());
    double fanIn = type.getNumElements() / type.getDimSize(0);
    // He-normal: the root mean square is sqrt(2 / fan_in) within sampling
    // noise (at least 1,728 samples).
    EXPECT_NEAR(rms(weights(conv.getWeight())), std::sqrt(2 / fanIn),
                0.1 * std::sqrt(2 / fanIn));
    EXPECT_GT(rms(weights(conv.getBias())), 0.0);
    ++convs;
  });
  EXPECT_EQ(convs, 13);
  module->walk([&](vggq::BatchNormOp bn) {
    for (float v : weights(bn.getVariance())) {
      EXPECT_GE(v, 0.5f);
      EXPECT_LE(v, 1.5f);
    }
    for (float g : weights(bn.getScale())) {
      EXPECT_GE(g, 0.5f);
      EXPECT_LE(g, 1.5f);
    }
    EXPECT_LT(rms(weights(bn.getMean())), 0.2);
    EXPECT_GT(rms(weights(bn.getMean())), 0.0);
  });
}

TEST(Normalization, OneValuePerChannel) {
  auto one = vggq::parseNormalization("0.5", 1, /*isStd=*/false);
  ASSERT_TRUE(static_cast<bool>(one)) << llvm::toString(one.takeError());
  EXPECT_EQ(*one, (llvm::SmallVector<float, 4>{0.5f}));
  auto four = vggq::parseNormalization(" 1, 2 ,0.25,4", 4, /*isStd=*/true);
  ASSERT_TRUE(static_cast<bool>(four)) << llvm::toString(four.takeError());
  EXPECT_EQ(*four, (llvm::SmallVector<float, 4>{1.0f, 2.0f, 0.25f, 4.0f}));
  auto negativeMean = vggq::parseNormalization("-1,0", 2, /*isStd=*/false);
  ASSERT_TRUE(static_cast<bool>(negativeMean));
  EXPECT_EQ((*negativeMean)[0], -1.0f);
}

TEST(Normalization, Errors) {
  auto message = [](llvm::StringRef text, int64_t channels, bool isStd) {
    auto values = vggq::parseNormalization(text, channels, isStd);
    return values ? std::string("ok") : llvm::toString(values.takeError());
  };
  EXPECT_EQ(message("1,2", 3, false),
            "expected 3 comma-separated values (one per input channel), got 2");
  EXPECT_EQ(message("1,0,1", 3, true), "'0' is not a positive finite number");
  EXPECT_EQ(message("1,-2,1", 3, true), "'-2' is not a positive finite number");
  EXPECT_EQ(message("1,nan", 2, false), "'nan' is not a finite number");
  EXPECT_EQ(message("1e39", 1, false), "'1e39' is not a finite number");
  EXPECT_EQ(message("", 1, false), "'' is not a finite number");
}

} // namespace
