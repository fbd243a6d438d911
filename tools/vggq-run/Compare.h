//===- Compare.h - comparing two models and logits for vggq-run -*- C++ -*-===//
//
// Per-layer SQNR / max-error statistics between a model and a reference run
// on the same images, and comparison of logits with a file of expected ones.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_COMPARE_H
#define VGGQ_TOOLS_VGGQ_RUN_COMPARE_H

#include "vggq/Executor/ReferenceExecutor.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <string>
#include <vector>

namespace vggq {
namespace run {

/// Collects the real-valued outputs of the named layers (ops with a
/// `vggq.layer` attribute) of one run; a name seen twice keeps the last.
class LayerCapture {
public:
  exec::Observer observer();
  llvm::StringMap<std::vector<float>> values;
  std::vector<std::string> order; ///< names in first-seen order
};

/// Accumulates, per layer, signal and noise energy and the max abs error of
/// a model's layer outputs against the reference's.
class LayerStats {
public:
  void add(const LayerCapture &model, const LayerCapture &reference);
  void print(llvm::raw_ostream &os) const;

private:
  struct Entry {
    double signal = 0, noise = 0, maxErr = 0;
    int64_t elements = 0;
    bool shapeMismatch = false;
  };
  std::vector<std::string> order;
  llvm::StringMap<Entry> entries;
  std::vector<std::string> unmatched;
};

/// Sums the wall time of every op over all runs (the time between one
/// op's observation and the previous one's).
class OpTimer {
public:
  using Clock = std::chrono::steady_clock;
  /// An observer for one run that starts at `start`.
  exec::Observer observer(Clock::time_point start);
  void print(llvm::raw_ostream &os) const;

private:
  Clock::time_point last;
  std::vector<std::string> order;
  llvm::StringMap<double> seconds;
};

/// Compares `logits` (N x 10) with the little-endian f32 file `path`;
/// reports the worst image/class when a difference exceeds `tolerance`.
llvm::Error expectLogits(llvm::ArrayRef<float> logits, int64_t images,
                         llvm::StringRef path, double tolerance,
                         llvm::raw_ostream &os);

/// Writes `logits` as little-endian f32.
llvm::Error dumpLogits(llvm::ArrayRef<float> logits, llvm::StringRef path);

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_COMPARE_H
