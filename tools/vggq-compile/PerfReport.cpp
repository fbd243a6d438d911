//===- PerfReport.cpp - vggq-compile --emit perf ----------------*- C++ -*-===//
//
// Builds the plan of the lowered module, runs `ptxas -v` on its PTX for the
// registers and spills of every kernel, and prints the performance model's
// report (lib/PerfModel).
//
//===----------------------------------------------------------------------===//
#include "PerfReport.h"
#include "Emit.h"

#include "vggq/Conversion/Plan.h"
#include "vggq/PerfModel/PerfModel.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

/// `ptxas -v` on `ptx` for `arch`; empty when ptxas cannot run.
std::string ptxasVerbose(llvm::StringRef ptx, llvm::StringRef arch,
                         llvm::StringRef ptxas) {
  if (ptxas.empty() || !llvm::sys::fs::can_execute(ptxas))
    return "";
  llvm::SmallString<128> ptxPath, cubinPath, logPath;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("vggq-perf", "ptx", fd, ptxPath))
    return "";
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << ptx;
  }
  llvm::sys::fs::createTemporaryFile("vggq-perf", "cubin", cubinPath);
  llvm::sys::fs::createTemporaryFile("vggq-perf", "log", logPath);
  std::string archArg = "-arch=" + arch.str();
  llvm::SmallVector<llvm::StringRef> args = {ptxas,   "-v", archArg,
                                             ptxPath, "-o", cubinPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                llvm::StringRef(logPath)};
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects);
  std::string log;
  if (rc == 0)
    if (auto buf = llvm::MemoryBuffer::getFile(logPath))
      log = (*buf)->getBuffer().str();
  for (llvm::StringRef p : {ptxPath, cubinPath, logPath})
    llvm::sys::fs::remove(p);
  return log;
}

} // namespace

bool vggq::emitPerfReport(ModuleOp graph, ModuleOp lowered,
                          llvm::StringRef modelName, llvm::StringRef arch,
                          llvm::StringRef ptxas, llvm::StringRef chipName,
                          int64_t batch, llvm::StringRef outPath) {
  const perf::Chip *chip = nullptr;
  if (!chipName.empty()) {
    chip = perf::lookupChip(chipName);
    if (!chip) {
      llvm::errs() << "vggq-compile: unknown --perf-chip '" << chipName
                   << "' (known: " << perf::chipNames() << ")\n";
      return false;
    }
  } else {
    llvm::StringRef base = arch.ends_with("a") ? arch.drop_back() : arch;
    for (const perf::Chip &c : perf::chips())
      if (c.arch == base) {
        chip = &c;
        break;
      }
    if (!chip) {
      llvm::errs() << "vggq-compile: no chip of the performance model is "
                   << arch << " (give --perf-chip: " << perf::chipNames()
                   << ")\n";
      return false;
    }
  }
  if (batch < 1) {
    llvm::errs() << "vggq-compile: --perf-batch must be positive, got " << batch
                 << "\n";
    return false;
  }
  FailureOr<llvm::json::Value> plan = buildPlan(lowered, modelName);
  if (failed(plan))
    return false;
  std::string ptx = emitPTX(lowered);
  if (ptx.empty())
    return false;
  std::string log = ptxasVerbose(ptx, arch, ptxas);
  if (log.empty())
    llvm::errs() << "vggq-compile: ptxas -v did not run: registers are "
                    "assumed, not read\n";
  auto work = perf::collectWork(graph, *plan, perf::parsePtxasVerbose(log));
  if (!work) {
    llvm::errs() << "vggq-compile: " << llvm::toString(work.takeError())
                 << "\n";
    return false;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  perf::printReport(os, *work, *chip, batch, modelName);
  if (outPath == "-") {
    llvm::outs() << text;
    return true;
  }
  return writeFile(outPath, text);
}
