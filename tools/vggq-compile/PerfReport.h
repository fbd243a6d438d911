//===- PerfReport.h - vggq-compile --emit perf ------------------*- C++ -*-===//
#ifndef VGGQ_TOOLS_VGGQ_COMPILE_PERFREPORT_H
#define VGGQ_TOOLS_VGGQ_COMPILE_PERFREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace vggq {

/// Prints the performance model's report of the lowered module (the graph
/// is the vggq-level model before lowering) to `outPath` ("-": stdout).
/// Registers and spills come from `ptxas -v` for `arch` when `ptxas` runs.
/// `chipName` picks a chip of the table ("" chooses one by `arch`).
bool emitPerfReport(mlir::ModuleOp graph, mlir::ModuleOp lowered,
                    llvm::StringRef modelName, llvm::StringRef arch,
                    llvm::StringRef ptxas, llvm::StringRef chipName,
                    int64_t batch, llvm::StringRef outPath);

} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_COMPILE_PERFREPORT_H
