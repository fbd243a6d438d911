//===- FuzzUtil.h - helpers shared by the libFuzzer targets -----*- C++ -*-===//
//
// The readers under test take paths, as the tools use them: each target
// writes its input to one private temporary file and hands over that path.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TEST_FUZZ_FUZZUTIL_H
#define VGGQ_TEST_FUZZ_FUZZUTIL_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace vggq {
namespace fuzz {

/// A per-process scratch file, removed at exit.
inline const std::string &scratchPath(const char *suffix) {
  static const std::string path = [&] {
    const char *dir = std::getenv("TMPDIR");
    std::string p = std::string(dir && *dir ? dir : "/tmp") + "/vggq-fuzz-" +
                    std::to_string(::getpid()) + suffix;
    std::atexit([] { std::remove(scratchPath("").c_str()); });
    return p;
  }();
  return path;
}

/// Writes `data` to the scratch file and returns its path.
inline const std::string &writeScratch(const uint8_t *data, size_t size,
                                       const char *suffix) {
  const std::string &path = scratchPath(suffix);
  FILE *f = std::fopen(path.c_str(), "wb");
  if (!f)
    std::abort();
  if (size && std::fwrite(data, 1, size, f) != size)
    std::abort();
  std::fclose(f);
  return path;
}

/// A reader that fails must say why: an empty message is a finding.
inline void requireMessage(bool failed, const std::string &message) {
  if (failed && message.empty())
    __builtin_trap();
}

} // namespace fuzz
} // namespace vggq

#endif // VGGQ_TEST_FUZZ_FUZZUTIL_H
