//===- VGGQOps.h - vggq dialect ops -----------------------------*- C++ -*-===//
#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H
#define VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Precision/Precision.h"

#include "vggq/Dialect/VGGQ/IR/VGGQInterfaces.h.inc"

#define GET_OP_CLASSES
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h.inc"

namespace vggq {

/// What rewriteQuantizeOfDequantize did.
enum class QuantizeOfDequantizeFold { Identity, Requantize };

/// quantize(dequantize(x)): replaces `op` by x when the parameters and the
/// storage are equal, or by one requantize when only a per-tensor scale or
/// the storage differs. Fails (changing nothing) otherwise. Shared by the
/// canonicalization of vggq.quantize and by --vggq-fuse-qdq, which explains
/// each rewrite.
mlir::FailureOr<QuantizeOfDequantizeFold>
rewriteQuantizeOfDequantize(QuantizeOp op, mlir::PatternRewriter &rewriter);

} // namespace vggq

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H
