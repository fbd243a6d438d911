//===- EmuFixture.h - the emulator test fixture shared by the Emu tests ---===//
//
// What every emulator unit test needs: an Emulator, the parsed Module, the
// message of the last launch, and device memory helpers. The test files
// derive their fixtures from it and add their own kernels and host models.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TEST_UNIT_EMUFIXTURE_H
#define VGGQ_TEST_UNIT_EMUFIXTURE_H

#include "Interp.h"
#include "Ptx.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace vggq {
namespace emu {

class EmuFixture : public ::testing::Test {
public:
  Emulator emu;
  Module mod;
  std::string msg;

  /// Parses `text` (a whole PTX module) into `mod`, beside the kernels
  /// already there; a parse error fails the test.
  bool parse(const std::string &text) {
    std::string err;
    bool ok = parsePtx(text, mod, err);
    EXPECT_TRUE(ok) << err;
    return ok;
  }
  /// A device copy of `v`.
  template <typename T> uint64_t upload(const std::vector<T> &v) {
    uint64_t p = emu.alloc(v.size() * sizeof(T));
    std::memcpy(reinterpret_cast<void *>(p), v.data(), v.size() * sizeof(T));
    return p;
  }
  /// `n` elements at device address `p`.
  template <typename T> std::vector<T> download(uint64_t p, size_t n) {
    std::vector<T> v(n);
    std::memcpy(v.data(), reinterpret_cast<const void *>(p), n * sizeof(T));
    return v;
  }
  /// Launches kernel `name` of `mod` with 64-bit arguments; the emulator's
  /// message goes to `msg`.
  Status launchWith(const char *name, const LaunchConfig &c,
                    std::vector<uint64_t> args) {
    const Kernel *k = mod.find(name);
    EXPECT_NE(k, nullptr) << name;
    if (!k)
      return Status::InvalidValue;
    std::vector<void *> ps;
    for (auto &a : args)
      ps.push_back(&a);
    msg.clear();
    return emu.launch(*k, c, ps.data(), msg);
  }
};

} // namespace emu
} // namespace vggq

#endif // VGGQ_TEST_UNIT_EMUFIXTURE_H
