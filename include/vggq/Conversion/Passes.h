//===- Passes.h - vggq conversion passes ------------------------*- C++ -*-===//
//
// Declarations of `--vggq-plan-memory` and `--vggq-lower-to-gpu`
// (generated from Passes.td) and of the kernel serialization pipeline.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_CONVERSION_PASSES_H
#define VGGQ_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace vggq {

#define GEN_PASS_DECL
#include "vggq/Conversion/Passes.h.inc"

/// Adds the passes that turn the kernels of a lowered module into PTX:
/// scf -> cf, gpu -> nvvm, nvvm -> llvm, and `gpu-module-to-binary`
/// (format=isa). Afterwards `gpu.binary @vggq_kernels` holds the PTX.
void buildKernelSerializationPipeline(mlir::OpPassManager &pm);

/// Registers what the lowering and serialization need in a context: the
/// dialects, the NVVM target attribute and the LLVM IR translations.
void registerConversionDialects(mlir::DialectRegistry &registry);

/// Registers the passes and the `--vggq-serialize-kernels` pipeline.
void registerConversionPasses();

#define GEN_PASS_REGISTRATION
#include "vggq/Conversion/Passes.h.inc"

} // namespace vggq

#endif // VGGQ_CONVERSION_PASSES_H
