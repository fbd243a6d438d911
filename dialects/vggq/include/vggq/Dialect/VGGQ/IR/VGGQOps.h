//===- VGGQOps.h - vggq dialect ops -----------------------------*- C++ -*-===//
#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H
#define VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Precision/Precision.h"

#define GET_OP_CLASSES
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h.inc"

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQOPS_H
