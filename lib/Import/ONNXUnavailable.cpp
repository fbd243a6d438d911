//===- ONNXUnavailable.cpp - importONNX without libonnx-dev ---------------===//
//
// Built instead of the ONNX importer when CMake did not find ONNX.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

namespace vggq {

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNX(mlir::MLIRContext &, llvm::StringRef path) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (path + ": ONNX import is not available: vggq was built without "
              "libonnx-dev (install it and re-run CMake)")
          .str());
}

llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNX(mlir::MLIRContext &ctx, llvm::StringRef path,
           const ONNXImportOptions &) {
  return importONNX(ctx, path);
}

llvm::Expected<TensorFile> readTensorFile(llvm::StringRef path) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (path + ": reading tensor files is not available: vggq was built "
              "without libonnx-dev (install it and re-run CMake)")
          .str());
}

llvm::Error exportONNX(mlir::ModuleOp, const ONNXExportOptions &options) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      (options.onnxPath + ": ONNX export is not available: vggq was built "
                          "without libonnx-dev (install it and re-run CMake)"));
}

} // namespace vggq
