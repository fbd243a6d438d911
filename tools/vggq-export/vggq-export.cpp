//===- vggq-export.cpp - vggq models out as QDQ ONNX ------------*- C++ -*-===//
//
// vggq-export MODEL.mlir|.mlirbc -o MODEL.onnx [--calibration-cache FILE]
//             [--trt-version N]
//
// Writes the model's @forward as a QDQ ONNX graph (lib/Import/ONNXExporter.cpp)
// that ONNX Runtime and TensorRT read, and optionally its activation scales
// as a TensorRT calibration cache. vggq-import reads the file back with the
// same scales, bit for bit.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
cl::OptionCategory category("vggq-export options");
cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                               cl::desc("<model.mlir | model.mlirbc>"),
                               cl::cat(category));
cl::opt<std::string> outputPath("o", cl::Required,
                                cl::desc("The QDQ ONNX file to write"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string>
    cachePath("calibration-cache",
              cl::desc("Also write the activation scales as a TensorRT "
                       "calibration cache"),
              cl::value_desc("file"), cl::cat(category));
cl::opt<unsigned> trtVersion(
    "trt-version",
    cl::desc("TensorRT version in the cache header (NV_TENSORRT_VERSION, "
             "8601 for 8.6.1)"),
    cl::init(8601), cl::cat(category));

int fail(const Twine &message) {
  WithColor::error(errs(), "vggq-export") << message << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "vggq-export: vggq models as QDQ ONNX\n");
  mlir::MLIRContext ctx;
  ctx.loadDialect<vggq::VGGQDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  auto buffer = MemoryBuffer::getFile(inputPath, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(inputPath + ": cannot open: " + buffer.getError().message());
  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  mlir::ParserConfig config(&ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, config);
  if (!module)
    return fail(inputPath + ": cannot parse the model");
  vggq::ONNXExportOptions options;
  options.onnxPath = outputPath;
  options.cachePath = cachePath;
  options.trtVersion = trtVersion;
  if (Error err = vggq::exportONNX(*module, options))
    return fail(inputPath + ": " + toString(std::move(err)));
  return 0;
}
