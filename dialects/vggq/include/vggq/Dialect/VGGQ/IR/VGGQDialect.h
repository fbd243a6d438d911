//===- VGGQDialect.h - vggq dialect -----------------------------*- C++ -*-===//
#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQDIALECT_H
#define VGGQ_DIALECT_VGGQ_IR_VGGQDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOpsDialect.h.inc"

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQDIALECT_H
