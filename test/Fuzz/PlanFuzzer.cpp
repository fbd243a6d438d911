//===- PlanFuzzer.cpp - libFuzzer target: the runtime's plan reader -------===//
//
// Any text is either a plan the runtime accepts (then its weights can be
// generated) or rejected with a message naming the key.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "Model.h"
#include "Plan.h"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string json(reinterpret_cast<const char *>(data), size);
  vggq::rt::Plan plan;
  std::string error;
  bool ok = vggq::rt::parsePlan(json, plan, error);
  vggq::fuzz::requireMessage(!ok, error);
  if (!ok)
    return 0;
  // Generated weights for plans of a sane size (the runtime allocates them).
  if (plan.weightsBytes <= (16u << 20)) {
    std::vector<uint8_t> bytes;
    if (!vggq::rt::loadWeightsHost(plan, nullptr, bytes, error) ||
        bytes.size() != plan.weightsBytes)
      vggq::fuzz::requireMessage(true, error);
  }
  return 0;
}
