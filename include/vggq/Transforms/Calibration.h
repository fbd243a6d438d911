//===- Calibration.h - activation statistics and range choice ---*- C++ -*-===//
//
// The numerical core of --vggq-calibrate, usable without MLIR passes: an |x|
// histogram that grows by range doubling, the four ways of choosing amax from
// it (max, percentile, entropy/KL, mse), and the versioned JSON calibration
// table.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TRANSFORMS_CALIBRATION_H
#define VGGQ_TRANSFORMS_CALIBRATION_H

#include "vggq/Precision/Precision.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vggq {
namespace calib {

enum class Method { Max, Percentile, Entropy, MSE };

/// "max", "percentile", "entropy", "mse"; nullopt for anything else.
std::optional<Method> parseMethod(llvm::StringRef name);
llvm::StringRef methodName(Method method);
/// "max, percentile, entropy, mse", for diagnostics.
std::string methodNames();

/// Statistics of one activation: min, max and a histogram of |x| over
/// [0, range) in `numBins` equal bins. When a value beyond `range` arrives
/// the range doubles and neighbouring bins merge pairwise, so one pass over
/// the data suffices and no count is ever re-binned inexactly.
class Histogram {
public:
  explicit Histogram(int64_t numBins = 2048);

  /// Adds values; infinities and NaNs are not binned but counted
  /// (nonFinite()), and the calibration refuses a layer that has any.
  void add(llvm::ArrayRef<float> values);
  double nonFinite() const { return nonFiniteCount; }

  int64_t numBins() const { return static_cast<int64_t>(counts.size()); }
  double range() const { return upper; }
  double binWidth() const { return upper / counts.size(); }
  llvm::ArrayRef<double> getCounts() const { return counts; }
  double total() const { return count; }
  /// Values that were exactly 0 (counted in bin 0 as well).
  double zeros() const { return zeroCount; }
  float min() const { return lo; }
  float max() const { return hi; }
  float absMax() const;

private:
  std::vector<double> counts;
  double upper = 0.0;
  double count = 0.0;
  double zeroCount = 0.0;
  double nonFiniteCount = 0.0;
  float lo = 0.0f, hi = 0.0f;
  bool seen = false;
};

/// max|x|.
float amaxMax(const Histogram &h);
/// Upper edge of the bin where the |x| CDF reaches `percent`, at most max|x|.
float amaxPercentile(const Histogram &h, double percent);
/// TensorRT's KL-divergence threshold (128 levels for INT8, the FP8 grid of
/// `precision` for FP8 formats). Exact zeros (ReLU outputs) are left out of
/// the distributions, as pytorch-quantization's skip_zeros does: zero is
/// exact at every scale, and its spike would otherwise favour thresholds
/// that clip the signal.
float amaxEntropy(const Histogram &h, const Precision &precision);
/// The bin edge minimizing the expected quantization MSE on the grid of
/// `precision` (values taken at bin centers).
float amaxMse(const Histogram &h, const Precision &precision);

float chooseAmax(const Histogram &h, Method method, double percent,
                 const Precision &precision);

/// One layer's entry of the calibration table.
struct LayerStats {
  std::string name;
  float amax = 0.0f, min = 0.0f, max = 0.0f;
};

/// The versioned table: {"format": "vggq-calibration", "version": 1,
/// "method": ..., "precision": ..., "samples": N, "layers": {name: {"amax",
/// "min", "max"}}}.
struct CalibrationTable {
  static constexpr int64_t kVersion = 1;
  std::string method;
  std::string precision;
  int64_t samples = 0;
  std::vector<LayerStats> layers;
};

llvm::Error writeCalibrationTable(llvm::StringRef path,
                                  const CalibrationTable &table);
/// Errors name the file and the offending key.
llvm::Expected<CalibrationTable> readCalibrationTable(llvm::StringRef path);

} // namespace calib
} // namespace vggq

#endif // VGGQ_TRANSFORMS_CALIBRATION_H
