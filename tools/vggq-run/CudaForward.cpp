//===- CudaForward.cpp - vggq-run --device cuda -----------------*- C++ -*-===//
//
// Implements CudaForward.h.
//
//===----------------------------------------------------------------------===//
#include "CudaForward.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace vggq::run;

namespace {

int fail(const llvm::Twine &message) {
  llvm::errs() << "vggq-run: error: " << message << "\n";
  return 1;
}

bool bad(const llvm::Twine &message) {
  fail(message);
  return false;
}

/// vggq-run-cuda next to this executable; empty (after the message) when
/// it is missing.
std::string cudaTool(const char *argv0) {
  static int anchor;
  std::string self = llvm::sys::fs::getMainExecutable(argv0, &anchor);
  llvm::SmallString<256> tool(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(tool, "vggq-run-cuda");
  if (!llvm::sys::fs::can_execute(tool)) {
    llvm::errs() << "vggq-run: error: --device cuda needs vggq-run-cuda next "
                    "to vggq-run ('"
                 << tool
                 << "' is missing): the CUDA runtime (runtime/) is built "
                    "only when the CUDA toolkit is present\n";
    return "";
  }
  return std::string(tool);
}

/// vggq-run-cuda's options that take a value
/// (runtime/tools/vggq-run-cuda/Options.cpp).
bool takesValue(llvm::StringRef name) {
  return llvm::is_contained({"kernels", "weights", "data", "limit", "batch",
                             "bench", "bench-csv", "label", "compare-ref",
                             "expect-top1", "top1-tol"},
                            name);
}

/// The parsed `--device cuda --compare-to ...` command line.
struct CompareCommand {
  std::string compareTo, model, reference, data, weights, kernels;
  int64_t limit = -1, compareImages = -1;
  bool referenceGiven = false;
  /// Everything for vggq-run-cuda (without argv[0], --compare-ref, and the
  /// default --weights).
  std::vector<std::string> cudaArgs;
};

/// Parses argv (minus `--device cuda`, `args[0]` is argv[0]). Accepts
/// `--name value`, `--name=value` and one dash; forwards `--name value`.
bool parseCompare(llvm::ArrayRef<const char *> args, CompareCommand &c) {
  for (size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef a(args[i]);
    if (a.size() < 2 || !a.starts_with("-")) {
      if (c.model.empty())
        c.model = a.str();
      else
        c.cudaArgs.push_back(a.str()); // vggq-run-cuda names the problem
      continue;
    }
    llvm::StringRef name = a.drop_front(a.starts_with("--") ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != llvm::StringRef::npos) {
      value = name.drop_front(eq + 1).str();
      name = name.take_front(eq);
    }
    bool ours =
        llvm::is_contained({"compare-to", "reference", "compare-images"}, name);
    if ((ours || takesValue(name)) && !value) {
      if (i + 1 >= args.size())
        return bad("--" + name + " needs a value");
      value = args[++i];
    }
    if (name == "per-layer")
      continue; // implied
    if (name == "compare-ref")
      return bad("--compare-to cpu writes its own reference dump; "
                 "--compare-ref cannot be combined with it");
    auto positive = [&](int64_t &dst) {
      if (!llvm::to_integer(*value, dst, 10) || dst < 1)
        return bad("--" + name + " needs a positive integer, got '" + *value +
                   "'");
      return true;
    };
    if (name == "compare-to") {
      c.compareTo = *value;
    } else if (name == "reference") {
      c.reference = *value;
      c.referenceGiven = true;
    } else if (name == "compare-images") {
      if (!positive(c.compareImages))
        return false;
    } else {
      if (name == "data")
        c.data = *value;
      else if (name == "weights")
        c.weights = *value;
      else if (name == "kernels")
        c.kernels = *value;
      else if (name == "limit" && !positive(c.limit))
        return false;
      c.cudaArgs.push_back(("--" + name).str());
      if (value)
        c.cudaArgs.push_back(*value);
    }
  }
  return true;
}

/// The image count of a CIFAR-10 binary file (3073 bytes per image), or -1.
int64_t cifarImages(llvm::StringRef path) {
  uint64_t size = 0;
  if (llvm::sys::fs::file_size(path, size) || size == 0 || size % 3073)
    return -1;
  return int64_t(size / 3073);
}

int runTool(llvm::StringRef tool, llvm::ArrayRef<std::string> args,
            bool quietStdout) {
  llvm::SmallVector<llvm::StringRef> argv{tool};
  for (const std::string &a : args)
    argv.push_back(a);
  std::optional<llvm::StringRef> quiet[] = {std::nullopt, llvm::StringRef(""),
                                            std::nullopt};
  std::string error;
  llvm::outs().flush();
  llvm::errs().flush();
  int rc = llvm::sys::ExecuteAndWait(
      tool, argv, std::nullopt,
      quietStdout ? llvm::ArrayRef(quiet)
                  : llvm::ArrayRef<std::optional<llvm::StringRef>>(),
      0, 0, &error);
  if (rc < 0)
    return fail("cannot run '" + tool + "'" +
                (error.empty() ? "" : ": " + error));
  return rc;
}

/// `--device cuda --compare-to cpu`.
int compareToCpu(llvm::ArrayRef<const char *> args, CpuRunner runCpu) {
  CompareCommand c;
  if (!parseCompare(args, c))
    return 1;
  if (c.compareTo != "cpu")
    return fail("--device cuda --compare-to takes only 'cpu' (the "
                "artifact's CPU reference), not '" +
                c.compareTo + "'");
  if (c.model.empty())
    return fail("--compare-to cpu: no model given (ARTIFACT.so, or "
                "PLAN.json with --kernels)");
  if (c.data.empty())
    return fail("--compare-to cpu needs --data FILE: the CIFAR-10 images "
                "that both the CPU reference and the GPU run");

  // NAME.so, or NAME.plan.json (NAME.json) with --kernels: the reference and
  // the weights are NAME.vggq.mlirbc and NAME.weights.
  llvm::StringRef model(c.model);
  std::string prefix;
  if (model.ends_with(".so")) {
    prefix = model.drop_back(3).str();
  } else {
    if (c.kernels.empty())
      return fail("--compare-to cpu with the plan '" + model +
                  "' needs --kernels FILE (its PTX or cubin), or give the "
                  "linked artifact NAME.so");
    prefix = model.ends_with(".plan.json") ? model.drop_back(10).str()
             : model.ends_with(".json")    ? model.drop_back(5).str()
                                           : model.str();
  }
  if (!c.referenceGiven)
    c.reference = prefix + ".vggq.mlirbc";
  if (!llvm::sys::fs::exists(c.reference)) {
    if (c.referenceGiven)
      return fail("--reference '" + c.reference + "' does not exist");
    return fail("no CPU reference for '" + model + "': '" + c.reference +
                "' is missing (vggq-compile MODEL -o " + prefix +
                ".so writes it next to the artifact; or give --reference "
                "QUANTIZED.mlirbc, the model that was compiled)");
  }
  bool defaultWeights = c.weights.empty();
  if (defaultWeights) {
    c.weights = prefix + ".weights";
    if (!llvm::sys::fs::exists(c.weights))
      return fail("the per-layer check needs the artifact's weights: '" +
                  c.weights + "' is missing (give --weights FILE)");
    c.cudaArgs.push_back("--weights");
    c.cudaArgs.push_back(c.weights);
  }
  std::string tool = cudaTool(args[0]);
  if (tool.empty())
    return 1;

  // vggq-run-cuda checks its options, the model and the data before the
  // (possibly long) CPU run; --info needs no GPU.
  std::vector<std::string> cudaArgs{c.model};
  llvm::append_range(cudaArgs, c.cudaArgs);
  std::vector<std::string> check = cudaArgs;
  check.push_back("--info");
  if (int rc = runTool(tool, check, /*quietStdout=*/true))
    return rc;

  int64_t images = cifarImages(c.data);
  if (images < 0)
    return fail("'" + c.data +
                "' is not a CIFAR-10 binary file "
                "(3073 bytes per image)");
  if (c.limit > 0)
    images = std::min(images, c.limit);
  int64_t checked =
      c.compareImages > 0 ? std::min(images, c.compareImages) : images;

  llvm::SmallString<128> dump;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("vggq-ref", "bin", dump))
    return fail("cannot create a temporary file for the reference dump: " +
                ec.message());
  llvm::FileRemover remover(dump);
  llvm::sys::RemoveFileOnSignal(dump);

  llvm::outs() << "vggq-run: comparing '" << c.model
               << "' on the GPU with its CPU reference '" << c.reference
               << "' (reference executor) on " << checked << " image"
               << (checked == 1 ? "" : "s") << " of '" << c.data << "'";
  if (checked != images)
    llvm::outs() << " (top-1 on " << images << ")";
  llvm::outs() << ", weights '" << c.weights << "'\n";
  llvm::outs().flush();

  std::string limit = std::to_string(checked), self = args[0];
  std::vector<std::string> cpu{
      self,      c.reference, "--data",        c.data,
      "--limit", limit,       "--dump-layers", dump.str().str()};
  std::vector<char *> cpuArgv;
  for (std::string &a : cpu)
    cpuArgv.push_back(a.data());
  cpuArgv.push_back(nullptr);
  if (int rc = runCpu(int(cpu.size()), cpuArgv.data())) {
    llvm::errs() << "vggq-run: error: the CPU reference '" << c.reference
                 << "' failed; the GPU was not run\n";
    return rc;
  }

  cudaArgs.push_back("--compare-ref");
  cudaArgs.push_back(dump.str().str());
  int rc = runTool(tool, cudaArgs, /*quietStdout=*/false);
  llvm::sys::DontRemoveFileOnSignal(dump);
  return rc;
}

} // namespace

std::optional<int> vggq::run::forwardToCuda(int argc, char **argv,
                                            CpuRunner runCpu) {
  std::vector<char *> args;
  bool cuda = false, compare = false;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef a(argv[i]);
    if (i > 0 && (a == "--device" || a == "-device") && i + 1 < argc &&
        llvm::StringRef(argv[i + 1]) == "cuda") {
      cuda = true;
      ++i;
      continue;
    }
    if (i > 0 && (a == "--device=cuda" || a == "-device=cuda")) {
      cuda = true;
      continue;
    }
    if (i > 0 &&
        (a == "--compare-to" || a == "-compare-to" ||
         a.starts_with("--compare-to=") || a.starts_with("-compare-to=")))
      compare = true;
    args.push_back(argv[i]);
  }
  if (!cuda)
    return std::nullopt;
  if (compare)
    return compareToCpu(llvm::ArrayRef<const char *>(args.data(), args.size()),
                        runCpu);
  std::string toolPath = cudaTool(argv[0]);
  if (toolPath.empty())
    return 1;
  args[0] = toolPath.data();
  args.push_back(nullptr);
  llvm::outs().flush();
  execv(toolPath.c_str(), args.data());
  llvm::errs() << "vggq-run: error: cannot run '" << toolPath
               << "': " << std::strerror(errno) << "\n";
  return 1;
}
