//===- Emit.h - vggq-compile output writers ---------------------*- C++ -*-===//
//
// Writes the pieces of the artifact from a lowered module: MLIR, the plan
// JSON with its weight blob, PTX and (through ptxas) cubin; and, before the
// lowering, the vggq-level CPU reference (NAME.vggq.mlirbc).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_COMPILE_EMIT_H
#define VGGQ_TOOLS_VGGQ_COMPILE_EMIT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace vggq {

/// Writes `data` to `path`; false (with a message on stderr) on failure.
/// Remembers a file that this run writes (the writers below do it
/// themselves); discardOutputs() removes them all, so that a failed
/// compilation leaves no partial output behind.
void registerOutput(llvm::StringRef path);
void discardOutputs();

bool writeFile(llvm::StringRef path, llvm::StringRef data);

/// Writes `model` (the vggq-level model the kernels implement: after the
/// quantize pipeline or batch-norm folding, before memory planning and GPU
/// lowering) as MLIR bytecode to `path`: NAME.vggq.mlirbc, the CPU
/// reference of the artifact (`vggq-run NAME.so --device cuda --compare-to
/// cpu`).
bool emitReference(mlir::ModuleOp model, llvm::StringRef path);

/// The plan JSON to `planPath` and the weight blob to `weightsPath`.
bool emitPlan(mlir::ModuleOp lowered, llvm::StringRef modelName,
              llvm::StringRef planPath, llvm::StringRef weightsPath);

/// Runs the kernel serialization pipeline on `lowered` (in place) and
/// returns the PTX, or an empty string after reporting the failure.
std::string emitPTX(mlir::ModuleOp lowered);

/// Assembles `ptx` for `chip` with `ptxas` into `cubinPath`.
bool emitCubin(llvm::StringRef ptx, llvm::StringRef chip, llvm::StringRef ptxas,
               llvm::StringRef cubinPath);

/// Runs the runtime's `vggqLink` on PREFIX.plan.json, PREFIX.ptx (and
/// PREFIX.cubin) to produce the shared library `soPath`.
bool linkArtifact(llvm::StringRef vggqLink, llvm::StringRef prefix,
                  bool withCubin, llvm::StringRef soPath);

} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_COMPILE_EMIT_H
