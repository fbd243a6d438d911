//===- VGG16.cpp - the built-in CIFAR VGG16-BN description ----------------===//
//
// Shared by the safetensors importer and the seeded generator.
//
//===----------------------------------------------------------------------===//
#include "VGG16.h"

#include "GraphBuilder.h"

using namespace mlir;

namespace vggq {
namespace import {

namespace {
/// 0 stands for a 2x2 max-pool.
constexpr int64_t kConfig[] = {64, 64,  0,   128, 128, 0,   256, 256, 256,
                               0,  512, 512, 512, 0,   512, 512, 512, 0};
constexpr int64_t kImageSize = 32;
constexpr float kBatchNormEpsilon = 1e-5f;
} // namespace

llvm::Expected<OwningOpRef<ModuleOp>>
buildVGG16(MLIRContext &ctx, llvm::ArrayRef<LinearLayer> classifier,
           TensorSource tensor, llvm::StringRef source) {
  GraphBuilder b(ctx, kImageSize, kImageSize, 3);
  Value x = b.input();
  int64_t channels = 3;
  int64_t index = 0;
  /// Loads `name` (PyTorch layout) as a constant; conv weights become OHWI.
  auto load = [&](const std::string &name, llvm::ArrayRef<int64_t> shape,
                  Value &out) -> llvm::Error {
    llvm::Expected<std::vector<float>> data = tensor(name, shape);
    if (!data)
      return data.takeError();
    out = shape.size() == 4 ? b.convWeightFromOIHW(name, shape, *data)
                            : b.constant(name, shape, *data);
    return llvm::Error::success();
  };

  for (int64_t width : kConfig) {
    if (width == 0) {
      x = b.maxPool2d("features." + std::to_string(index), x, {2, 2}, {2, 2},
                      {0, 0, 0, 0});
      ++index;
      continue;
    }
    std::string conv = "features." + std::to_string(index);
    std::string bn = "features." + std::to_string(index + 1);
    std::string relu = "features." + std::to_string(index + 2);
    Value w, bias, gamma, beta, mean, var;
    if (llvm::Error err = load(conv + ".weight", {width, channels, 3, 3}, w))
      return std::move(err);
    if (llvm::Error err = load(conv + ".bias", {width}, bias))
      return std::move(err);
    if (llvm::Error err = load(bn + ".weight", {width}, gamma))
      return std::move(err);
    if (llvm::Error err = load(bn + ".bias", {width}, beta))
      return std::move(err);
    if (llvm::Error err = load(bn + ".running_mean", {width}, mean))
      return std::move(err);
    if (llvm::Error err = load(bn + ".running_var", {width}, var))
      return std::move(err);
    x = b.conv2d(conv, x, w, bias, {1, 1}, {1, 1, 1, 1}, {1, 1});
    x = b.batchNorm(bn, x, gamma, beta, mean, var, kBatchNormEpsilon);
    x = b.relu(relu, x);
    channels = width;
    index += 3;
  }

  // 32 / 2^5 = 1: the flattened NHWC and NCHW orders agree.
  x = b.flatten("flatten", x);
  for (auto [i, layer] : llvm::enumerate(classifier)) {
    if (i && !classifier[i - 1].reluName.empty())
      x = b.relu(classifier[i - 1].reluName, x);
    Value w, bias;
    if (llvm::Error err = load(layer.prefix + ".weight",
                               {layer.outFeatures, layer.inFeatures}, w))
      return std::move(err);
    if (llvm::Error err =
            load(layer.prefix + ".bias", {layer.outFeatures}, bias))
      return std::move(err);
    x = b.linear(layer.prefix, x, w, bias);
  }
  return b.finish(x, source);
}

} // namespace import
} // namespace vggq
