//===- vggq-import.cpp - models into the vggq dialect -----------*- C++ -*-===//
//
// vggq-import MODEL.onnx | MODEL.safetensors | --seed N  [-o FILE]
//             [--emit-bytecode] [--mean a,b,c] [--std a,b,c]
//
// Writes the imported module as text, or as MLIR bytecode with
// --emit-bytecode or when FILE ends in .mlirbc.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <cmath>

using namespace llvm;

namespace {
cl::OptionCategory category("vggq-import options");

cl::opt<std::string> inputPath(cl::Positional,
                               cl::desc("<model.onnx | model.safetensors>"),
                               cl::cat(category));
cl::opt<uint64_t> seed("seed",
                       cl::desc("Build VGG16-BN with deterministic random "
                                "weights from this seed instead of a file"),
                       cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<bool> emitBytecode("emit-bytecode",
                           cl::desc("Write MLIR bytecode (the default for "
                                    "outputs ending in .mlirbc)"),
                           cl::cat(category));
cl::opt<std::string> meanOption("mean",
                                cl::desc("Input normalization mean per "
                                         "channel (R,G,B), e.g. 0.5,0.5,0.5"),
                                cl::value_desc("r,g,b"), cl::cat(category));
cl::opt<std::string> stdOption("std",
                               cl::desc("Input normalization standard "
                                        "deviation per channel (R,G,B)"),
                               cl::value_desc("r,g,b"), cl::cat(category));

int fail(const Twine &message) {
  WithColor::error(errs(), "vggq-import") << message << "\n";
  return 1;
}

/// Parses "a,b,c" into three finite floats (positive ones for --std).
Expected<SmallVector<float, 3>> parseTriple(StringRef option, StringRef text,
                                            bool positive) {
  SmallVector<StringRef, 3> parts;
  text.split(parts, ',');
  SmallVector<float, 3> values;
  for (StringRef part : parts) {
    double v;
    if (part.trim().getAsDouble(v) || !std::isfinite(v) || (positive && v <= 0))
      return createStringError("--" + option.str() + ": '" + part.str() +
                               "' is not a " + (positive ? "positive " : "") +
                               "finite number");
    values.push_back(float(v));
  }
  if (values.size() != 3)
    return createStringError("--" + option.str() +
                             " expects 3 comma-separated values (R,G,B), "
                             "got " +
                             std::to_string(values.size()));
  return values;
}

/// Replaces one of the module's normalization attributes if requested.
Error applyNormalization(mlir::ModuleOp module) {
  for (auto [option, text, attr, positive] :
       {std::make_tuple("mean", &meanOption, "vggq.input_mean", false),
        std::make_tuple("std", &stdOption, "vggq.input_std", true)}) {
    if (text->getNumOccurrences() == 0)
      continue;
    Expected<SmallVector<float, 3>> values =
        parseTriple(option, *text, positive);
    if (!values)
      return values.takeError();
    module->setAttr(attr,
                    mlir::DenseF32ArrayAttr::get(module.getContext(), *values));
  }
  return Error::success();
}

Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importModel(mlir::MLIRContext &ctx) {
  if (seed.getNumOccurrences()) {
    if (!inputPath.empty())
      return createStringError("give either an input file or --seed, not both");
    return vggq::buildSeededVGG16(ctx, seed);
  }
  if (inputPath.empty())
    return createStringError(
        "no input (give MODEL.onnx, MODEL.safetensors or --seed N)");
  StringRef ext = sys::path::extension(inputPath);
  if (ext.equals_insensitive(".onnx"))
    return vggq::importONNX(ctx, inputPath);
  if (ext.equals_insensitive(".safetensors"))
    return vggq::importSafetensors(ctx, inputPath);
  return createStringError(inputPath + ": unknown model format '" + ext.str() +
                           "' (expected .onnx or .safetensors)");
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "vggq-import: models into the vggq dialect\n");

  mlir::MLIRContext ctx;
  ctx.loadDialect<vggq::VGGQDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  Expected<mlir::OwningOpRef<mlir::ModuleOp>> module = importModel(ctx);
  if (!module)
    return fail(toString(module.takeError()));
  if (Error err = applyNormalization(**module))
    return fail(toString(std::move(err)));

  std::string error;
  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &error);
  if (!output)
    return fail(error);
  if (emitBytecode || StringRef(outputPath).ends_with(".mlirbc")) {
    mlir::BytecodeWriterConfig config("vggq-import");
    if (mlir::failed(mlir::writeBytecodeToFile(**module, output->os(), config)))
      return fail("cannot write bytecode to " + outputPath);
  } else {
    (*module)->print(output->os());
    output->os() << "\n";
  }
  output->keep();
  return 0;
}
