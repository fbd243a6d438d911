//===- CudaForward.cpp - vggq-run --device cuda -----------------*- C++ -*-===//
//
// Implements CudaForward.h.
//
//===----------------------------------------------------------------------===//
#include "CudaForward.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

std::optional<int> vggq::run::forwardToCuda(int argc, char **argv) {
  std::vector<char *> args;
  bool cuda = false;
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
    args.push_back(argv[i]);
  }
  if (!cuda)
    return std::nullopt;
  static int anchor;
  std::string self = llvm::sys::fs::getMainExecutable(argv[0], &anchor);
  llvm::SmallString<256> tool(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(tool, "vggq-run-cuda");
  if (!llvm::sys::fs::can_execute(tool)) {
    llvm::errs() << "vggq-run: error: --device cuda needs vggq-run-cuda next "
                    "to vggq-run ('"
                 << tool
                 << "' is missing): the CUDA runtime (runtime/) is built "
                    "only when the CUDA toolkit is present\n";
    return 1;
  }
  std::string toolPath(tool.str());
  args[0] = toolPath.data();
  args.push_back(nullptr);
  llvm::outs().flush();
  execv(toolPath.c_str(), args.data());
  llvm::errs() << "vggq-run: error: cannot run '" << toolPath
               << "': " << std::strerror(errno) << "\n";
  return 1;
}
