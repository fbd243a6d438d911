//===- vggq-import.cpp - models into the vggq dialect -----------*- C++ -*-===//
//
// vggq-import MODEL.onnx | MODEL.safetensors | --seed N  [-o FILE]
//             [--emit-bytecode] [--mean a,b,...] [--std a,b,...]
//
// Writes the imported module as text, or as MLIR bytecode with
// --emit-bytecode or when FILE ends in .mlirbc. The input normalization is
// the model's own (for ONNX, metadata_props "vggq.input_mean" and
// "vggq.input_std", comma-separated floats); --mean and --std (also spelled
// --input-mean and --input-std) take one value per input channel and win
// over it.
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
cl::list<std::string> tensorInputs(
    "input",
    cl::desc("Import an ONNX model as vggq-run --input runs it: one .pb or "
             ".npy file per graph input, in order (inputs a node needs as "
             "constants are bound to the data, the others become arguments "
             "of any rank)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> meanOption("mean",
                                cl::desc("Input normalization mean, one value "
                                         "per input channel, e.g. "
                                         "0.485,0.456,0.406 (wins over the "
                                         "model's metadata)"),
                                cl::value_desc("a,b,..."), cl::cat(category));
cl::alias meanAlias("input-mean", cl::desc("Alias for --mean"),
                    cl::aliasopt(meanOption), cl::cat(category));
cl::opt<std::string> stdOption("std",
                               cl::desc("Input normalization standard "
                                        "deviation, one positive value per "
                                        "input channel"),
                               cl::value_desc("a,b,..."), cl::cat(category));
cl::alias stdAlias("input-std", cl::desc("Alias for --std"),
                   cl::aliasopt(stdOption), cl::cat(category));

int fail(const Twine &message) {
  WithColor::error(errs(), "vggq-import") << message << "\n";
  return 1;
}

/// The channel count of @forward's NHWC input.
int64_t inputChannels(mlir::ModuleOp module) {
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward || forward.getNumArguments() != 1)
    return 0;
  auto type = dyn_cast<mlir::RankedTensorType>(forward.getArgumentTypes()[0]);
  return type && type.getRank() == 4 ? type.getDimSize(3) : 0;
}

/// Replaces one of the module's normalization attributes if requested.
Error applyNormalization(mlir::ModuleOp module) {
  int64_t channels = inputChannels(module);
  for (auto [option, text, attr, isStd] :
       {std::make_tuple("mean", &meanOption, "vggq.input_mean", false),
        std::make_tuple("std", &stdOption, "vggq.input_std", true)}) {
    if (text->getNumOccurrences() == 0)
      continue;
    Expected<SmallVector<float, 4>> values =
        vggq::parseNormalization(*text, channels, isStd);
    if (!values)
      return createStringError("--" + std::string(option) + ": " +
                               toString(values.takeError()));
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
  if (ext.equals_insensitive(".onnx") && !tensorInputs.empty()) {
    vggq::ONNXImportOptions options;
    for (const std::string &path : tensorInputs) {
      Expected<vggq::TensorFile> file = vggq::readTensorFile(path);
      if (!file)
        return file.takeError();
      options.inputs.push_back(std::move(*file));
    }
    return vggq::importONNX(ctx, inputPath, options);
  }
  if (!tensorInputs.empty())
    return createStringError("--input is for .onnx models");
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
