//===- Model.cpp - loading a model for vggq-run ---------------------------===//

#include "Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

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

/// The static sizes after the batch of `t` when it is a rank-`rank` f32
/// tensor whose every size but the batch is static.
std::optional<llvm::SmallVector<int64_t, 4>> batchOf(mlir::Type t,
                                                     int64_t rank) {
  auto rt = llvm::dyn_cast<mlir::RankedTensorType>(t);
  if (!rt || !rt.getElementType().isF32() || rt.getRank() != rank)
    return std::nullopt;
  llvm::ArrayRef<int64_t> dims = rt.getShape().drop_front();
  if (llvm::any_of(dims, [](int64_t d) {
        return mlir::ShapedType::isDynamic(d) || d < 1;
      }))
    return std::nullopt;
  return llvm::SmallVector<int64_t, 4>(dims);
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
  auto image =
      type.getNumInputs() == 1 ? batchOf(type.getInput(0), 4) : std::nullopt;
  if (!image)
    return modelError(
        path, "@forward takes " +
                  (type.getNumInputs() == 1
                       ? typeString(type.getInput(0))
                       : std::to_string(type.getNumInputs()) + " arguments") +
                  "; expected one batch of NHWC f32 images "
                  "tensor<?xHxWxCxf32> with static H, W and C");
  auto logits =
      type.getNumResults() == 1 ? batchOf(type.getResult(0), 2) : std::nullopt;
  if (!logits)
    return modelError(path, "@forward must return one tensor<?xKxf32> of "
                            "logits with a static K");
  model.height = (*image)[0];
  model.width = (*image)[1];
  model.channels = (*image)[2];
  model.classes = (*logits)[0];
  auto in = llvm::cast<mlir::RankedTensorType>(type.getInput(0));
  if (!in.isDynamicDim(0))
    model.staticBatch = in.getDimSize(0);
  auto out = llvm::cast<mlir::RankedTensorType>(type.getResult(0));
  if (out.getDimSize(0) != in.getDimSize(0) && !out.isDynamicDim(0))
    return modelError(path, "@forward returns " + typeString(out) +
                                " for a batch of " + typeString(in));
  model.mean = arrayAttr(*model.module, "vggq.input_mean");
  model.std = arrayAttr(*model.module, "vggq.input_std");

  auto executor = exec::ReferenceExecutor::create(*model.module);
  if (!executor)
    return modelError(path, llvm::toString(executor.takeError()));
  model.executor = std::move(*executor);
  return std::move(model);
}

llvm::Error vggq::run::checkDataShape(const Model &model,
                                      llvm::StringRef dataName, int64_t height,
                                      int64_t width, int64_t channels,
                                      int64_t classes) {
  if (model.height != height || model.width != width ||
      model.channels != channels)
    return modelError(model.path,
                      "@forward takes " + std::to_string(model.height) + "x" +
                          std::to_string(model.width) + "x" +
                          std::to_string(model.channels) + " images, but " +
                          dataName + " has " + std::to_string(height) + "x" +
                          std::to_string(width) + "x" +
                          std::to_string(channels) + " images");
  if (model.classes != classes)
    return modelError(model.path, "@forward returns " +
                                      std::to_string(model.classes) +
                                      " logits, but " + dataName + " has " +
                                      std::to_string(classes) + " classes");
  return llvm::Error::success();
}

llvm::Expected<exec::Tensor>
vggq::run::runBatch(Model &model, const float *images, int64_t n,
                    const exec::Observer &observer) {
  exec::Tensor input;
  int64_t rows = model.staticBatch ? model.staticBatch : n;
  int64_t pixels = model.height * model.width * model.channels;
  input.shape = {rows, model.height, model.width, model.channels};
  input.f32.assign(rows * pixels, 0.0f); // a static batch is padded with zeros
  std::copy(images, images + n * pixels, input.f32.begin());
  auto results = model.executor->run({input}, observer);
  if (!results)
    return results.takeError();
  exec::Tensor logits = std::move((*results)[0]);
  logits.f32.resize(n * model.classes);
  logits.shape = {n, model.classes};
  return std::move(logits);
}
