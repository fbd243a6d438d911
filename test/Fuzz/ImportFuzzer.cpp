//===- ImportFuzzer.cpp - libFuzzer targets: the model importers ----------===//
//
// Built twice: VGGQ_FUZZ_ONNX reads the input as an ONNX model protobuf,
// otherwise as a safetensors state_dict. Any file is either imported into a
// module that verifies, or rejected with a message.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Import/Import.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    registry.insert<vggq::VGGQDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect>();
    auto *c = new mlir::MLIRContext(registry);
    c->disableMultithreading();
    c->loadAllAvailableDialects();
    return c;
  }();
  // Diagnostics of the verifier are expected; keep them off the terminal.
  mlir::ScopedDiagnosticHandler quiet(ctx, [](mlir::Diagnostic &) {
    return mlir::success();
  });
#ifdef VGGQ_FUZZ_ONNX
  const std::string &path = vggq::fuzz::writeScratch(data, size, ".onnx");
  auto module = vggq::importONNX(*ctx, path);
#else
  const std::string &path =
      vggq::fuzz::writeScratch(data, size, ".safetensors");
  auto module = vggq::importSafetensors(*ctx, path);
#endif
  if (!module) {
    vggq::fuzz::requireMessage(true, llvm::toString(module.takeError()));
    return 0;
  }
  // What the importer returns must be valid IR.
  if (mlir::failed(mlir::verify(module->get())))
    __builtin_trap();
  return 0;
}
