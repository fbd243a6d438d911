//===- Plan.h - the artifact plan, weights and PTX of a lowered module -*- C++
//-*-===//
//
// Reads what --vggq-lower-to-gpu recorded and writes the pieces of the
// compiled artifact (docs/ARTIFACT.md): the plan JSON, the weight blob and,
// after the serialization pipeline, the PTX of the kernels.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_CONVERSION_PLAN_H
#define VGGQ_CONVERSION_PLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace vggq {

/// The plan of docs/ARTIFACT.md ("format": "vggq-plan", "version": 1) for a
/// module produced by --vggq-lower-to-gpu (before serialization). Fails
/// with a diagnostic on the module when something the plan needs is absent.
mlir::FailureOr<llvm::json::Value> buildPlan(mlir::ModuleOp lowered,
                                             llvm::StringRef modelName);

/// The packed weight blob of a lowered module (empty when it has none).
llvm::ArrayRef<char> getWeightsBlob(mlir::ModuleOp lowered);

/// The PTX text held by `gpu.binary @vggq_kernels` after
/// buildKernelSerializationPipeline; nullopt when there is none.
std::optional<std::string> getKernelPTX(mlir::ModuleOp serialized);

} // namespace vggq

#endif // VGGQ_CONVERSION_PLAN_H
