//===- PtxFuzzer.cpp - libFuzzer target: the emulator's PTX parser --------===//
//
// Any text is either parsed into a module or rejected with a message naming
// the line; the emulator never crashes on what a user hands the driver.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "Ptx.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  vggq::emu::Module module;
  std::string error;
  bool ok = vggq::emu::parsePtx(text, module, error);
  vggq::fuzz::requireMessage(!ok, error);
  return 0;
}
