//===- Options.cpp - vggq-run-cuda command line -----------------------------===//
#include "Options.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace vggq::rt;

static const char *kUsage =
    "usage: vggq-run-cuda MODEL [options]\n"
    "  MODEL                 a linked artifact NAME.so (vggq-link), or a plan\n"
    "                        PLAN.json with --kernels\n"
    "  --kernels FILE        PTX or cubin for a PLAN.json\n"
    "  --weights FILE        the weights blob (default: random weights, for timing)\n"
    "  --data FILE           CIFAR-10 binary (test_batch.bin): top-1, images/s\n"
    "  --limit N             use the first N images\n"
    "  --batch B             batch size for the accuracy run (default 256)\n"
    "  --bench 1,64,512,4096 time the forward graph at these batch sizes\n"
    "  --bench-csv FILE      append the timings as CSV rows\n"
    "  --label NAME          first CSV column (default: the precision)\n"
    "  --compare-ref FILE    per-layer check against a CPU reference dump\n"
    "  --ref-images K        compare only the dump's first K images\n"
    "  --expect-top1 P       fail unless top-1 is within --top1-tol (0.1) of P\n"
    "  --info                validate and describe model, data and reference\n"
    "                        without a GPU, then exit\n"
    "  --no-progress         no progress bar\n";

static bool parseInt(const char *s, long lo, long hi, long &out) {
  char *end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi)
    return false;
  out = v;
  return true;
}

bool vggq::rt::parseOptions(int argc, char **argv, Options &o, int &exitCode) {
  exitCode = 2;
  auto bad = [&](const std::string &msg) {
    std::fprintf(stderr, "vggq-run-cuda: %s\n%s", msg.c_str(), kUsage);
    return false;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string &dst) {
      if (i + 1 >= argc)
        return bad(a + " needs a value");
      dst = argv[++i];
      return true;
    };
    std::string v;
    long n = 0;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      exitCode = 0;
      return false;
    } else if (a == "--kernels") {
      if (!value(o.kernels)) return false;
    } else if (a == "--weights") {
      if (!value(o.weights)) return false;
    } else if (a == "--data") {
      if (!value(o.data)) return false;
    } else if (a == "--compare-ref") {
      if (!value(o.compareRef)) return false;
    } else if (a == "--bench-csv") {
      if (!value(o.benchCsv)) return false;
    } else if (a == "--label") {
      if (!value(o.label)) return false;
    } else if (a == "--limit" || a == "--batch" || a == "--ref-images") {
      if (!value(v)) return false;
      if (!parseInt(v.c_str(), 1, 1L << 30, n))
        return bad(a + " needs a positive integer, got '" + v + "'");
      if (a == "--limit")
        o.limit = n;
      else if (a == "--ref-images")
        o.refImages = n;
      else
        o.batch = int(n);
    } else if (a == "--bench") {
      if (!value(v)) return false;
      for (char *tok = std::strtok(&v[0], ","); tok; tok = std::strtok(nullptr, ",")) {
        if (!parseInt(tok, 1, 1L << 20, n))
          return bad("--bench needs batch sizes like 1,64,512, got '" +
                     std::string(tok) + "'");
        o.bench.push_back(int(n));
      }
    } else if (a == "--expect-top1" || a == "--top1-tol") {
      if (!value(v)) return false;
      char *end = nullptr;
      double d = std::strtod(v.c_str(), &end);
      if (*end || d < 0 || d > 100)
        return bad(a + " needs a percentage, got '" + v + "'");
      (a == "--expect-top1" ? o.expectTop1 : o.top1Tolerance) = d;
    } else if (a == "--info") {
      o.info = true;
    } else if (a == "--no-progress") {
      o.progress = false;
    } else if (!a.empty() && a[0] == '-') {
      return bad("unknown option '" + a + "'");
    } else if (o.model.empty()) {
      o.model = a;
    } else {
      return bad("more than one model given ('" + o.model + "', '" + a + "')");
    }
  }
  if (o.model.empty())
    return bad("no model given");
  if (o.refImages > 0 && o.compareRef.empty())
    return bad("--ref-images needs --compare-ref");
  return true;
}
