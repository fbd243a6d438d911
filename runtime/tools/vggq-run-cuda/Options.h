//===- Options.h - vggq-run-cuda command line -------------------*- C++ -*-===//
#ifndef VGGQ_RUNTIME_TOOLS_OPTIONS_H
#define VGGQ_RUNTIME_TOOLS_OPTIONS_H

#include <string>
#include <vector>

namespace vggq {
namespace rt {

struct Options {
  std::string model;      ///< NAME.so (linked artifact) or PLAN.json
  std::string kernels;    ///< with a plan: the PTX or cubin file
  std::string weights;    ///< empty: random weights
  std::string data;       ///< CIFAR-10 binary
  std::string compareRef; ///< VGGQDMP1 dump
  std::string benchCsv;   ///< append bench rows here
  std::string label;      ///< first CSV column (default: the precision)
  long limit = -1;
  long refImages = -1;    ///< --ref-images: compare only the first K
  int batch = 256;
  std::vector<int> bench;
  double expectTop1 = -1, top1Tolerance = 0.1;
  bool info = false;
  bool progress = true;
};

/// Parses argv; on error or --help prints to stderr and returns false with
/// `exitCode` set (0 for --help).
bool parseOptions(int argc, char **argv, Options &o, int &exitCode);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_TOOLS_OPTIONS_H
