//===- Compare.cpp - comparing two models and logits for vggq-run ---------===//

#include "Compare.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>

using namespace vggq;
using namespace vggq::run;

exec::Observer LayerCapture::observer() {
  return [this](mlir::Operation *op, const exec::Tensor &result) {
    auto name = op->getAttrOfType<mlir::StringAttr>("vggq.layer");
    if (!name)
      return;
    auto it = values.find(name.getValue());
    if (it == values.end())
      order.push_back(name.getValue().str());
    values[name.getValue()] = result.toFloat();
  };
}

void LayerStats::add(const LayerCapture &model, const LayerCapture &ref) {
  for (const std::string &name : model.order) {
    auto refIt = ref.values.find(name);
    if (refIt == ref.values.end()) {
      if (!llvm::is_contained(unmatched, name))
        unmatched.push_back(name);
      continue;
    }
    if (!entries.count(name))
      order.push_back(name);
    Entry &e = entries[name];
    const std::vector<float> &x = model.values.lookup(name);
    const std::vector<float> &r = refIt->second;
    if (x.size() != r.size()) {
      e.shapeMismatch = true;
      continue;
    }
    for (size_t i = 0; i < x.size(); ++i) {
      double d = static_cast<double>(x[i]) - r[i];
      e.signal += static_cast<double>(r[i]) * r[i];
      e.noise += d * d;
      e.maxErr = std::max(e.maxErr, std::fabs(d));
    }
    e.elements += x.size();
  }
}

void LayerStats::print(llvm::raw_ostream &os) const {
  os << llvm::format("  %-20s %10s %12s\n", "layer", "SQNR (dB)", "max |err|");
  for (const std::string &name : order) {
    const Entry &e = entries.lookup(name);
    if (e.shapeMismatch) {
      os << llvm::format("  %-20s %s\n", name.c_str(),
                         "(output sizes differ, not compared)");
      continue;
    }
    std::string sqnr = "inf";
    if (e.noise > 0)
      sqnr = llvm::formatv("{0:F2}", 10.0 * std::log10(e.signal / e.noise));
    os << llvm::format("  %-20s %10s %12.4e\n", name.c_str(), sqnr.c_str(),
                       e.maxErr);
  }
  if (!unmatched.empty()) {
    os << "  layers without a match in the reference:";
    for (const std::string &n : unmatched)
      os << " " << n;
    os << "\n";
  }
}

exec::Observer OpTimer::observer(Clock::time_point start) {
  last = start;
  return [this](mlir::Operation *op, const exec::Tensor &) {
    Clock::time_point now = Clock::now();
    std::string key = op->getName().getStringRef().str();
    if (auto name = op->getAttrOfType<mlir::StringAttr>("vggq.layer"))
      key += " " + name.getValue().str();
    if (!seconds.count(key))
      order.push_back(key);
    seconds[key] += std::chrono::duration<double>(now - last).count();
    last = now;
  };
}

void OpTimer::print(llvm::raw_ostream &os) const {
  double total = 0;
  for (const auto &e : seconds)
    total += e.getValue();
  os << "time per op (all batches):\n";
  for (const std::string &key : order) {
    double s = seconds.lookup(key);
    os << llvm::format("  %-36s %9.3f s %6.1f %%\n", key.c_str(), s,
                       100.0 * s / total);
  }
}

llvm::Error vggq::run::expectLogits(llvm::ArrayRef<float> logits,
                                    int64_t images, llvm::StringRef path,
                                    double tolerance, llvm::raw_ostream &os) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return llvm::createStringError(buf.getError(),
                                   "cannot read expected logits '" + path +
                                       "': " + buf.getError().message());
  size_t bytes = (*buf)->getBufferSize();
  if (bytes % 40 != 0 || bytes / 40 < static_cast<size_t>(images))
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "expected logits '" + path + "' hold " + llvm::Twine(bytes) +
            " bytes, not the 10 f32 logits of " + llvm::Twine(images) +
            " images");
  std::vector<float> expected(images * 10);
  std::memcpy(expected.data(), (*buf)->getBufferStart(), images * 40);
  double worst = -1;
  int64_t worstIdx = 0;
  for (int64_t i = 0; i < images * 10; ++i) {
    double d = std::fabs(static_cast<double>(logits[i]) - expected[i]);
    if (std::isnan(d))
      d = INFINITY;
    if (d > worst)
      worst = d, worstIdx = i;
  }
  if (worst > tolerance)
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        llvm::formatv("logits differ from '{0}': image {1}, class {2}: got "
                      "{3}, expected {4} (|diff| {5:e} > tolerance {6:e})",
                      path, worstIdx / 10, worstIdx % 10,
                      llvm::format("%.9g", logits[worstIdx]),
                      llvm::format("%.9g", expected[worstIdx]), worst,
                      tolerance)
            .str());
  os << llvm::formatv("logits:        match '{0}' for {1} images (max |diff| "
                      "{2:e} <= {3:e})\n",
                      path, images, worst, tolerance);
  return llvm::Error::success();
}

llvm::Error vggq::run::dumpLogits(llvm::ArrayRef<float> logits,
                                  llvm::StringRef path) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write logits to '" + path +
                                           "': " + ec.message());
  out.write(reinterpret_cast<const char *>(logits.data()),
            logits.size() * sizeof(float));
  return llvm::Error::success();
}
