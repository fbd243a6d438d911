//===- Model.cpp - loading a model for vggq-run ---------------------------===//

#include "Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace vggq;
using namespace vggq::run;

namespace {

llvm::Error modelError(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument),
      "model '" + path + "': " + message);
}

std::string typeString(mlir::Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// Whether `t` is tensor<B x dims... x f32> with B dynamic or static.
bool isBatchOf(mlir::Type t, llvm::ArrayRef<int64_t> dims) {
  auto rt = llvm::dyn_cast<mlir::RankedTensorType>(t);
  if (!rt || !rt.getElementType().isF32() ||
      rt.getRank() != static_cast<int64_t>(dims.size()) + 1)
    return false;
  return rt.getShape().drop_front() == dims;
}

std::vector<float> arrayAttr(mlir::ModuleOp m, llvm::StringRef name) {
  if (auto a = m->getAttrOfType<mlir::DenseF32ArrayAttr>(name))
    return std::vector<float>(a.asArrayRef().begin(), a.asArrayRef().end());
  return {};
}

} // namespace

llvm::Expected<Model> vggq::run::loadModel(mlir::MLIRContext &ctx,
                                           llvm::StringRef path) {
  Model model;
  model.path = path.str();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return modelError(path, "cannot open: " + buffer.getError().message());
  if ((*buffer)->getBufferSize() == 0)
    return modelError(path, "the file is empty");
  model.sourceMgr = std::make_unique<llvm::SourceMgr>();
  model.sourceMgr->AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  mlir::ParserConfig config(&ctx);
  model.module =
      mlir::parseSourceFile<mlir::ModuleOp>(*model.sourceMgr, config);
  if (!model.module)
    return modelError(path, "cannot parse the model (truncated or not MLIR?)");

  auto func = llvm::dyn_cast_or_null<mlir::func::FuncOp>(
      mlir::SymbolTable::lookupSymbolIn(*model.module, "forward"));
  if (!func || func.isExternal())
    return modelError(path, "has no function @forward");
  mlir::FunctionType type = func.getFunctionType();
  if (type.getNumInputs() != 1 || !isBatchOf(type.getInput(0), {32, 32, 3}))
    return modelError(
        path, "@forward takes " +
                  (type.getNumInputs() == 1
                       ? typeString(type.getInput(0))
                       : std::to_string(type.getNumInputs()) + " arguments") +
                  ", but CIFAR-10 images need one "
                  "tensor<?x32x32x3xf32>");
  if (type.getNumResults() != 1 || !isBatchOf(type.getResult(0), {10}))
    return modelError(path, "@forward must return one tensor<?x10xf32> of "
                            "logits");
  auto in = llvm::cast<mlir::RankedTensorType>(type.getInput(0));
  if (!in.isDynamicDim(0))
    model.staticBatch = in.getDimSize(0);
  model.mean = arrayAttr(*model.module, "vggq.input_mean");
  model.std = arrayAttr(*model.module, "vggq.input_std");

  auto executor = exec::ReferenceExecutor::create(*model.module);
  if (!executor)
    return modelError(path, llvm::toString(executor.takeError()));
  model.executor = std::move(*executor);
  return std::move(model);
}

llvm::Expected<exec::Tensor>
vggq::run::runBatch(Model &model, const float *images, int64_t n,
                    const exec::Observer &observer) {
  exec::Tensor input;
  int64_t rows = model.staticBatch ? model.staticBatch : n;
  input.shape = {rows, 32, 32, 3};
  input.f32.assign(rows * 3072, 0.0f); // a static batch is padded with zeros
  std::copy(images, images + n * 3072, input.f32.begin());
  auto results = model.executor->run({input}, observer);
  if (!results)
    return results.takeError();
  exec::Tensor logits = std::move((*results)[0]);
  logits.f32.resize(n * 10);
  logits.shape = {n, 10};
  return std::move(logits);
}
