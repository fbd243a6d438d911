//===- Passes.cpp - registration and the serialization pipeline -*- C++ -*-===//
//
// Registers the conversion passes and `--vggq-serialize-kernels` (kernels
// -> PTX in a gpu.binary), and what a context needs to run them.
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

using namespace mlir;

void vggq::buildKernelSerializationPipeline(OpPassManager &pm) {
  pm.addPass(createSCFToControlFlowPass());
  pm.nest<gpu::GPUModuleOp>().addPass(createConvertGpuOpsToNVVMOps());
  pm.nest<gpu::GPUModuleOp>().addPass(createTensorMapParams());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  GpuModuleToBinaryPassOptions options;
  options.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(options));
}

void vggq::registerConversionDialects(DialectRegistry &registry) {
  registry
      .insert<gpu::GPUDialect, NVVM::NVVMDialect, LLVM::LLVMDialect,
              arith::ArithDialect, scf::SCFDialect, func::FuncDialect,
              vector::VectorDialect, cf::ControlFlowDialect, ub::UBDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  NVVM::registerConvertGpuToNVVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
}

void vggq::registerConversionPasses() {
  registerVGGQConversionPasses();
  PassPipelineRegistration<>(
      "vggq-serialize-kernels",
      "Lower the kernels of a --vggq-lower-to-gpu module to PTX "
      "(gpu.binary @vggq_kernels, format=isa)",
      [](OpPassManager &pm) { buildKernelSerializationPipeline(pm); });
}
