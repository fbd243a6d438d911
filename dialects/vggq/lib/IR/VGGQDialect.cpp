//===- VGGQDialect.cpp - vggq dialect ---------------------------*- C++ -*-===//
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

using namespace mlir;
using namespace vggq;

#include "vggq/Dialect/VGGQ/IR/VGGQOpsDialect.cpp.inc"

void VGGQDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "vggq/Dialect/VGGQ/IR/VGGQOps.cpp.inc"
      >();
}
