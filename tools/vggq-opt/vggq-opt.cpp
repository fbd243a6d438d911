//===- vggq-opt.cpp - the vggq optimizer driver -----------------*- C++ -*-===//
//
// MlirOptMain with exactly the dialects and passes vggq needs.
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<vggq::VGGQDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  // GPU lowering (issue 5): --vggq-plan-memory, --vggq-lower-to-gpu,
  // --vggq-serialize-kernels.
  vggq::registerConversionDialects(registry);
  vggq::registerConversionPasses();
  // Quantization (issue 4): --vggq-fold-batchnorm, --vggq-calibrate,
  // --vggq-quantize, --vggq-fuse-qdq, --vggq-quantize-pipeline.
  vggq::registerTransformsPasses();
  // Generic passes users combine with ours.
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "vggq optimizer driver\n", registry));
}
