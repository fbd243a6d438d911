//===- CalibrationTableFuzzer.cpp - libFuzzer target: calibration tables --===//
//
// Any file is either read into a table whose amax values are finite and
// positive, or rejected with a message; a table read is written back and
// read again to the same values.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "vggq/Transforms/Calibration.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = vggq::fuzz::writeScratch(data, size, ".json");
  auto table = vggq::calib::readCalibrationTable(path);
  if (!table) {
    vggq::fuzz::requireMessage(true, llvm::toString(table.takeError()));
    return 0;
  }
  for (const vggq::calib::LayerStats &l : table->layers)
    if (!std::isfinite(l.amax) || !(l.amax > 0.0f) || !std::isfinite(l.min) ||
        !std::isfinite(l.max))
      __builtin_trap();
  std::string again = path + ".again";
  if (llvm::Error e = vggq::calib::writeCalibrationTable(again, *table)) {
    llvm::consumeError(std::move(e));
    __builtin_trap();
  }
  auto reread = vggq::calib::readCalibrationTable(again);
  std::remove(again.c_str());
  if (!reread) {
    llvm::consumeError(reread.takeError());
    __builtin_trap();
  }
  if (reread->layers.size() != table->layers.size())
    __builtin_trap();
  return 0;
}
