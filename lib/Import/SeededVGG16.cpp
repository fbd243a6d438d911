//===- SeededVGG16.cpp - VGG16-BN with deterministic random weights -------===//
//
// He-normal conv and linear weights, small uniform biases, and plausible
// batch-norm parameters, all drawn from one std::mt19937_64 stream in a fixed
// order. The normal deviates come from our own Box-Muller transform (the
// standard distributions are implementation-defined), so the same seed gives
// the same bytes with every standard library.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "VGG16.h"

#include "llvm/Support/ErrorHandling.h"

#include <cmath>
#include <random>

using namespace mlir;

namespace vggq {

namespace {
class Generator {
public:
  explicit Generator(uint64_t seed) : engine(seed) {}

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(engine() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal (Box-Muller, one deviate per call).
  double normal() {
    double u1 = 1.0 - uniform(); // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  std::mt19937_64 engine;
};

/// The tensor `name` of the description, drawn by its role.
std::vector<float> draw(Generator &gen, StringRef name,
                        llvm::ArrayRef<int64_t> shape) {
  size_t count = 1;
  for (int64_t d : shape)
    count *= size_t(d);
  std::vector<float> values(count);
  auto fill = [&](auto sample) {
    for (float &v : values)
      v = float(sample());
  };
  if (name.ends_with(".weight") && shape.size() > 1) {
    // He-normal: std = sqrt(2 / fan_in).
    int64_t fanIn = count / shape[0];
    double std = std::sqrt(2.0 / double(fanIn));
    fill([&] { return std * gen.normal(); });
  } else if (name.ends_with(".running_mean")) {
    fill([&] { return 0.1 * gen.normal(); });
  } else if (name.ends_with(".running_var")) {
    fill([&] { return gen.uniform(0.5, 1.5); });
  } else if (name.ends_with(".weight")) { // batch-norm gamma
    fill([&] { return gen.uniform(0.5, 1.5); });
  } else if (name.ends_with(".bias")) {
    fill([&] { return 0.1 * gen.normal(); });
  } else {
    llvm_unreachable("unexpected tensor in the VGG16 description");
  }
  return values;
}
} // namespace

OwningOpRef<ModuleOp> buildSeededVGG16(MLIRContext &ctx, uint64_t seed) {
  Generator gen(seed);
  import::LinearLayer classifier{"classifier", import::kVGGFeatures, 10, ""};
  auto tensor = [&](StringRef name, llvm::ArrayRef<int64_t> shape)
      -> llvm::Expected<std::vector<float>> { return draw(gen, name, shape); };
  auto module = import::buildVGG16(ctx, classifier, tensor,
                                   "seed " + std::to_string(seed));
  if (!module)
    llvm::report_fatal_error(module.takeError());
  return std::move(*module);
}

} // namespace vggq
