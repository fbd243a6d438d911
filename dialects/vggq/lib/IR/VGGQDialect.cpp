//===- VGGQDialect.cpp - vggq dialect ---------------------------*- C++ -*-===//
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <cmath>

using namespace mlir;
using namespace vggq;

#include "vggq/Dialect/VGGQ/IR/VGGQOpsDialect.cpp.inc"

void VGGQDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "vggq/Dialect/VGGQ/IR/VGGQOps.cpp.inc"
      >();
}

/// `vggq.input_mean` / `vggq.input_std` (on the module): the normalization
/// every tool applies to the input, `(x - mean[c]) / std[c]`. A zero, negative
/// or non-finite std would feed infinities into calibration and inference.
LogicalResult VGGQDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  bool isMean = name == "vggq.input_mean", isStd = name == "vggq.input_std";
  if (!isMean && !isStd)
    return success();
  if (!isa<ModuleOp>(op))
    return op->emitError() << "'" << name << "' belongs on the module";
  auto values = dyn_cast<DenseF32ArrayAttr>(attr.getValue());
  if (!values || values.empty())
    return op->emitError() << "'" << name
                           << "' must be a non-empty array<f32: ...>";
  for (auto [i, v] : llvm::enumerate(values.asArrayRef())) {
    if (!std::isfinite(v) || (isStd && !(v > 0.0f)))
      return op->emitError()
             << "'" << name << "'[" << i << "] = " << v << " must be "
             << (isStd ? "finite and > 0" : "finite");
  }
  return success();
}
