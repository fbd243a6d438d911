//===- CifarFuzzer.cpp - libFuzzer target: the CIFAR-10 reader ------------===//
//
// Any file is either loaded (labels in [0, 9], whole records) or rejected with
// a message; normalizing what was loaded stays inside its buffers.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "vggq/Data/Cifar.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string &path = vggq::fuzz::writeScratch(data, size, ".bin");
  llvm::Expected<vggq::CifarSet> set = vggq::loadCifar(path);
  if (!set) {
    vggq::fuzz::requireMessage(true, llvm::toString(set.takeError()));
    return 0;
  }
  if (set->count <= 0 ||
      set->labels.size() != static_cast<size_t>(set->count) ||
      set->pixels.size() !=
          static_cast<size_t>(set->count * vggq::CifarSet::kImageBytes))
    __builtin_trap();
  for (uint8_t label : set->labels)
    if (label > 9)
      __builtin_trap();
  const float mean[3] = {0.5f, 0.5f, 0.5f}, stdev[3] = {0.25f, 0.25f, 0.25f};
  std::vector<float> out(vggq::CifarSet::kImageBytes);
  vggq::normalizeCifar(*set, set->count - 1, 1, mean, stdev, out.data());
  return 0;
}
