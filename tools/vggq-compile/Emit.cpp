//===- Emit.cpp - vggq-compile output writers -------------------*- C++ -*-===//
//
// Implements Emit.h.
//
//===----------------------------------------------------------------------===//
#include "Emit.h"
#include "vggq/Conversion/Passes.h"
#include "vggq/Conversion/Plan.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

using namespace mlir;

/// Every file this run has written or is about to write, so that a failure
/// leaves none of them behind.
static std::vector<std::string> &outputs() {
  static std::vector<std::string> paths;
  return paths;
}

void vggq::registerOutput(llvm::StringRef path) {
  outputs().push_back(path.str());
}

void vggq::discardOutputs() {
  for (const std::string &path : outputs())
    llvm::sys::fs::remove(path);
  outputs().clear();
}

/// Opens `path` for writing; on failure says so and returns null.
static std::unique_ptr<llvm::raw_fd_ostream> openOutput(llvm::StringRef path) {
  vggq::registerOutput(path);
  std::error_code ec;
  auto os = std::make_unique<llvm::raw_fd_ostream>(path, ec,
                                                   llvm::sys::fs::OF_None);
  if (!ec)
    return os;
  llvm::errs() << "vggq-compile: cannot write '" << path
               << "': " << ec.message() << "\n";
  return nullptr;
}

bool vggq::writeFile(llvm::StringRef path, llvm::StringRef data) {
  std::unique_ptr<llvm::raw_fd_ostream> os = openOutput(path);
  if (!os)
    return false;
  *os << data;
  return true;
}

bool vggq::emitReference(ModuleOp model, llvm::StringRef path) {
  std::unique_ptr<llvm::raw_fd_ostream> os = openOutput(path);
  if (!os)
    return false;
  if (failed(writeBytecodeToFile(model, *os))) {
    llvm::errs() << "vggq-compile: cannot serialize the CPU reference to '"
                 << path << "'\n";
    return false;
  }
  return true;
}

namespace {

/// Names the launch of the model input's quantize, which carries no layer
/// name in the graph: an unnamed launch reading the input's bytes before any
/// launch overwrites them becomes `input.quantize`, the entry under which
/// `vggq-run --dump-layers` stores its reference output.
void nameInputQuantize(llvm::json::Value &plan) {
  llvm::json::Object *root = plan.getAsObject();
  llvm::json::Object *input = root ? root->getObject("input") : nullptr;
  llvm::json::Array *launches = root ? root->getArray("launches") : nullptr;
  std::optional<int64_t> inOff =
      input ? input->getInteger("offset_per_image") : std::nullopt;
  if (!launches || !inOff)
    return;
  for (llvm::json::Value &v : *launches) {
    llvm::json::Object *l = v.getAsObject();
    if (!l)
      return;
    std::optional<llvm::StringRef> layer = l->getString("layer");
    llvm::json::Array *args = l->getArray("args");
    if (layer && layer->empty() && args)
      for (llvm::json::Value &a : *args) {
        llvm::json::Object *arg = a.getAsObject();
        if (arg && arg->getString("kind") == "arena" &&
            arg->getInteger("offset_per_image") == inOff) {
          (*l)["layer"] = "input.quantize";
          break;
        }
      }
    llvm::json::Object *out = l->getObject("out");
    if (out && out->getInteger("offset_per_image") == inOff)
      return; // the input's bytes are overwritten from here on
  }
}

} // namespace

bool vggq::emitPlan(ModuleOp lowered, llvm::StringRef modelName,
                    llvm::StringRef planPath, llvm::StringRef weightsPath) {
  FailureOr<llvm::json::Value> plan = buildPlan(lowered, modelName);
  if (failed(plan))
    return false;
  nameInputQuantize(*plan);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:2}", *plan) << "\n";
  llvm::ArrayRef<char> blob = getWeightsBlob(lowered);
  return writeFile(planPath, text) &&
         writeFile(weightsPath, llvm::StringRef(blob.data(), blob.size()));
}

std::string vggq::emitPTX(ModuleOp lowered) {
  PassManager pm(lowered.getContext());
  buildKernelSerializationPipeline(pm);
  if (failed(pm.run(lowered))) {
    llvm::errs() << "vggq-compile: kernel serialization to PTX failed\n";
    return "";
  }
  std::optional<std::string> ptx = getKernelPTX(lowered);
  if (!ptx || ptx->empty()) {
    llvm::errs() << "vggq-compile: no PTX was produced\n";
    return "";
  }
  return *ptx;
}

bool vggq::emitCubin(llvm::StringRef ptx, llvm::StringRef chip,
                     llvm::StringRef ptxas, llvm::StringRef cubinPath) {
  registerOutput(cubinPath);
  if (ptxas.empty() || !llvm::sys::fs::can_execute(ptxas)) {
    llvm::errs() << "vggq-compile: ptxas not found (set VGGQ_PTXAS or "
                    "--ptxas); cannot write a cubin\n";
    return false;
  }
  llvm::SmallString<128> ptxPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("vggq-kernels", "ptx", ptxPath)) {
    llvm::errs() << "vggq-compile: cannot create a temporary file: "
                 << ec.message() << "\n";
    return false;
  }
  llvm::FileRemover remover(ptxPath);
  if (!writeFile(ptxPath, ptx))
    return false;
  std::string arch = ("-arch=" + chip).str();
  // ptxas compiles the kernels of one module on several threads: on the
  // 2-core build machine this takes VGG16's FP8 cubin from 4.7 s to 2.8 s.
  std::string split =
      std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  llvm::SmallVector<llvm::StringRef> args{
      ptxas, arch, "--split-compile", split, ptxPath, "-o", cubinPath};
  std::string err;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, {}, 0, 0, &err);
  if (rc != 0) {
    llvm::errs() << "vggq-compile: ptxas failed (exit " << rc << ")"
                 << (err.empty() ? "" : ": " + err) << "\n";
    return false;
  }
  return true;
}

bool vggq::linkArtifact(llvm::StringRef vggqLink, llvm::StringRef prefix,
                        bool withCubin, llvm::StringRef soPath) {
  registerOutput(soPath);
  std::string plan = (prefix + ".plan.json").str(),
              ptx = (prefix + ".ptx").str(), cubin = (prefix + ".cubin").str();
  llvm::SmallVector<llvm::StringRef> args{vggqLink, "--plan", plan, "--ptx",
                                          ptx};
  if (withCubin)
    args.append({"--cubin", cubin});
  args.append({"-o", soPath});
  std::string err;
  int rc =
      llvm::sys::ExecuteAndWait(vggqLink, args, std::nullopt, {}, 0, 0, &err);
  if (rc != 0) {
    llvm::errs() << "vggq-compile: " << vggqLink << " failed (exit " << rc
                 << ")" << (err.empty() ? "" : ": " + err) << "\n";
    return false;
  }
  return true;
}
