//===- RefDumpFuzzer.cpp - libFuzzer target: dumps and weights files ------===//
//
// The input is read as a reference dump (VGGQDMP1) and checked against a
// fixed plan (the toy model of test/Runtime/Inputs), and as that plan's
// weights file. Either is accepted or rejected with a message.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "Model.h"
#include "Plan.h"
#include "RefDump.h"

#include <fstream>
#include <sstream>

#ifndef VGGQ_FUZZ_PLAN
#error "VGGQ_FUZZ_PLAN must name the plan the dumps are checked against"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const vggq::rt::Plan plan = [] {
    std::ifstream in(VGGQ_FUZZ_PLAN);
    std::stringstream text;
    text << in.rdbuf();
    vggq::rt::Plan p;
    std::string error;
    if (!vggq::rt::parsePlan(text.str(), p, error))
      std::abort();
    return p;
  }();
  const std::string &path = vggq::fuzz::writeScratch(data, size, ".ref");
  vggq::rt::RefDump dump;
  std::string error;
  bool ok = vggq::rt::readRefDump(path, dump, error);
  vggq::fuzz::requireMessage(!ok, error);
  if (ok) {
    std::vector<std::string> notes;
    error.clear();
    ok = vggq::rt::checkDumpAgainstPlan(dump, plan, notes, error);
    vggq::fuzz::requireMessage(!ok, error);
  }
  std::vector<uint8_t> weights;
  error.clear();
  ok = vggq::rt::loadWeightsHost(plan, path.c_str(), weights, error);
  vggq::fuzz::requireMessage(!ok, error);
  if (ok && weights.size() != plan.weightsBytes)
    __builtin_trap();
  return 0;
}
