//===- TensorRun.cpp - running a model on given tensors -------------------===//
//
// Inputs are matched to @forward's arguments by their `vggq.onnx_input`
// name (an imported ONNX model) or by position (a vggq model). Rank-4
// tensors are NCHW in the files and NHWC in the IR; a result carrying
// `vggq.flattened_chw` holds HWC-ordered features and is put back in CHW
// order before the comparison.
//
//===----------------------------------------------------------------------===//
#include "TensorRun.h"

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Executor/ReferenceExecutor.h"
#include "vggq/Import/Import.h"
#include "vggq/Precision/Numerics.h"
#include "vggq/Precision/Precision.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>

using namespace vggq;
using namespace vggq::run;

namespace {

int fail(int code, const llvm::Twine &message) {
  llvm::errs() << "vggq-run: " << (code == kRunUnsupported ? "" : "error: ")
               << message << "\n";
  return code;
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + (mlir::ShapedType::isDynamic(shape[i])
                                ? std::string("?")
                                : std::to_string(shape[i]));
  return s + "]";
}

/// NCHW -> NHWC (`toNHWC`) or back, for a rank-4 `shape` given in the
/// source order.
std::vector<float> permute4(const std::vector<float> &in,
                            llvm::ArrayRef<int64_t> shape, bool toNHWC) {
  int64_t n = shape[0], a = shape[1], b = shape[2], c = shape[3];
  std::vector<float> out(in.size());
  // toNHWC: shape is [N, C, H, W]; else [N, H, W, C].
  for (int64_t i = 0; i < n; ++i)
    for (int64_t x = 0; x < a; ++x)
      for (int64_t y = 0; y < b; ++y)
        for (int64_t z = 0; z < c; ++z) {
          int64_t src = ((i * a + x) * b + y) * c + z;
          int64_t dst = toNHWC ? ((i * b + y) * c + z) * a + x  // NCHW->NHWC
                               : ((i * c + z) * a + x) * b + y; // NHWC->NCHW
          out[dst] = in[src];
        }
  return out;
}

} // namespace

int vggq::run::runOnTensors(const TensorRunOptions &options,
                            llvm::raw_ostream &os) {
  std::vector<TensorFile> inputs, expected;
  for (const std::string &path : options.inputs) {
    llvm::Expected<TensorFile> t = readTensorFile(path);
    if (!t)
      return fail(kRunError, llvm::toString(t.takeError()));
    inputs.push_back(std::move(*t));
  }
  for (const std::string &path : options.expected) {
    llvm::Expected<TensorFile> t = readTensorFile(path);
    if (!t)
      return fail(kRunError, llvm::toString(t.takeError()));
    expected.push_back(std::move(*t));
  }

  mlir::MLIRContext ctx;
  ctx.loadDialect<VGGQDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diag(sourceMgr, &ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  llvm::StringRef path = options.modelPath;
  if (path.ends_with(".onnx")) {
    ONNXImportOptions importOptions;
    importOptions.inputs = inputs;
    auto imported = importONNX(ctx, path, importOptions);
    if (!imported) {
      int code = kRunUnsupported;
      std::string message;
      llvm::handleAllErrors(
          imported.takeError(),
          [&](const InputMismatchError &e) {
            code = kRunError;
            message = e.message();
          },
          [&](const llvm::ErrorInfoBase &e) {
            message = "unsupported: " + e.message();
          });
      return fail(code, message);
    }
    module = std::move(*imported);
  } else {
    module = mlir::parseSourceFile<mlir::ModuleOp>(path, sourceMgr,
                                                   mlir::ParserConfig(&ctx));
    if (!module)
      return fail(kRunError, "model '" + path + "': cannot parse the model");
  }
  auto func = llvm::dyn_cast_or_null<mlir::func::FuncOp>(
      mlir::SymbolTable::lookupSymbolIn(*module, "forward"));
  if (!func || func.isExternal())
    return fail(kRunError, "model '" + path + "' has no function @forward");

  // One executor tensor per argument.
  std::vector<exec::Tensor> args;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    // An imported model names each argument's position among the inputs.
    const TensorFile *file = nullptr;
    int64_t index = i;
    if (auto at = func.getArgAttrOfType<mlir::IntegerAttr>(
            i, "vggq.onnx_input_index"))
      index = at.getInt();
    if (index >= 0 && size_t(index) < inputs.size())
      file = &inputs[index];
    auto type =
        llvm::dyn_cast<mlir::RankedTensorType>(func.getArgumentTypes()[i]);
    if (!file)
      return fail(kRunError,
                  "no --input for argument " + llvm::Twine(i) + " of @forward");
    // An i8 argument takes INT8 data, or UINT8 data as its codes minus 128
    // (the importer's `vggq.onnx_dtype` says which).
    std::string argDtype = "FLOAT";
    if (type && type.getElementType().isInteger(32))
      argDtype = "INT32";
    if (type && type.getElementType().isInteger(8)) {
      argDtype = "INT8";
      if (auto at =
              func.getArgAttrOfType<mlir::StringAttr>(i, "vggq.onnx_dtype"))
        argDtype = at.str();
    }
    bool f32Arg = type && type.getElementType().isF32();
    if (!type || (!f32Arg && argDtype == "FLOAT") ||
        file->dataType != argDtype)
      return fail(kRunError, file->path + ": has data type " + file->dataType +
                                 "; @forward argument " + llvm::Twine(i) +
                                 " takes " +
                                 (type ? argDtype : std::string("a tensor")));
    exec::Tensor t;
    t.shape = file->shape;
    t.f32 = file->f32;
    if (t.shape.size() == 4) {
      t.f32 = permute4(t.f32, t.shape, /*toNHWC=*/true);
      t.shape = {t.shape[0], t.shape[2], t.shape[3], t.shape[1]};
    }
    if (argDtype == "INT32") {
      // The file's values come as floats: exact up to 2^24.
      for (float v : t.f32)
        if (!(std::fabs(v) <= 16777216.0f))
          return fail(kRunError, file->path +
                                     ": has an INT32 value beyond 2^24, "
                                     "which vggq-run cannot feed exactly");
      t.kind = exec::ElemKind::I32;
      t.i32.assign(t.f32.begin(), t.f32.end());
      t.f32.clear();
    } else if (!f32Arg) {
      // The values as INT8 codes.
      t.kind = exec::ElemKind::Coded;
      t.precision = lookupPrecision(type.getElementType());
      t.allocateCodes();
      int shift = argDtype == "UINT8" ? 128 : 0;
      for (int64_t e = 0, n = t.numElements(); e < n; ++e)
        t.setCode(e, uint8_t(int8_t(int(t.f32[e]) - shift)));
      t.f32.clear();
    }
    bool fits = int64_t(t.shape.size()) == type.getRank();
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.isDynamicDim(d) || type.getDimSize(d) == t.shape[d];
    if (!fits)
      return fail(kRunError,
                  file->path + ": has shape " + shapeString(file->shape) +
                      " (NHWC " + shapeString(t.shape) +
                      " in the IR), but @forward argument " + llvm::Twine(i) +
                      " is " + shapeString(type.getShape()));
    args.push_back(std::move(t));
  }

  auto executor = exec::ReferenceExecutor::create(*module);
  if (!executor)
    return fail(kRunError, path + ": " + llvm::toString(executor.takeError()));
  auto results = (*executor)->run(args);
  if (!results)
    return fail(kRunError, path + ": " + llvm::toString(results.takeError()));

  if (!expected.empty() && expected.size() != results->size())
    return fail(kRunError, "@forward returns " + llvm::Twine(results->size()) +
                               " results, but " + llvm::Twine(expected.size()) +
                               " --output-compare files were given");
  bool allMatch = true;
  for (size_t r = 0; r < results->size(); ++r) {
    exec::Tensor &result = (*results)[r];
    std::vector<float> values =
        result.kind == exec::ElemKind::F32 ? result.f32 : result.toFloat();
    // An integer expectation of quantized storage compares the stored
    // values (the codes), not their real values.
    if (result.kind == exec::ElemKind::Coded && r < expected.size() &&
        expected[r].dataType != "FLOAT") {
      values.assign(result.numElements(), 0.0f);
      numerics::decodeSpan(*result.precision, result.codes.data(),
                           values.size(), values.data(), 1.0f);
      // A UINT8 result is held as its codes minus 128.
      if (auto dt =
              func.getResultAttrOfType<mlir::StringAttr>(r, "vggq.onnx_dtype");
          dt && dt.getValue() == "UINT8")
        for (float &v : values)
          v += 128.0f;
    }
    std::vector<int64_t> shape = result.shape;
    if (auto chw = func.getResultAttrOfType<mlir::DenseI64ArrayAttr>(
            r, "vggq.flattened_chw")) {
      int64_t c = chw[0], hw = chw[1] * chw[2];
      std::vector<float> chwOrder(values.size());
      for (int64_t n = 0; n < shape[0]; ++n)
        for (int64_t p = 0; p < hw; ++p)
          for (int64_t ci = 0; ci < c; ++ci)
            chwOrder[(n * c + ci) * hw + p] = values[(n * hw + p) * c + ci];
      values = std::move(chwOrder);
    } else if (shape.size() == 4) {
      values = permute4(values, shape, /*toNHWC=*/false);
      shape = {shape[0], shape[3], shape[1], shape[2]};
    }
    std::string name = "output " + std::to_string(r);
    if (auto n =
            func.getResultAttrOfType<mlir::StringAttr>(r, "vggq.onnx_output"))
      name = "output '" + n.str() + "'";
    os << name << " " << shapeString(shape);
    if (expected.empty()) {
      os << ":";
      for (size_t i = 0; i < values.size() && i < 16; ++i)
        os << " " << llvm::format("%g", values[i]);
      os << (values.size() > 16 ? " ..." : "") << "\n";
      continue;
    }
    const TensorFile &want = expected[r];
    if (want.dataType != "FLOAT" && want.dataType != "INT8" &&
        want.dataType != "UINT8" && want.dataType != "INT32" &&
        want.dataType != "INT64") {
      os << "\n";
      return fail(kRunError, want.path + ": has data type " + want.dataType +
                                 "; only FLOAT and integer results can be "
                                 "compared");
    }
    if (want.shape != shape) {
      os << "\n";
      return fail(kRunMismatch, name + " has shape " + shapeString(shape) +
                                    ", but " + want.path + " has shape " +
                                    shapeString(want.shape));
    }
    int64_t bad = 0, worst = -1;
    double worstExcess = 0, maxDiff = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      double a = values[i], b = want.f32[i];
      if (std::isnan(a) && std::isnan(b))
        continue;
      double diff = std::fabs(a - b);
      double allowed = options.atol + options.rtol * std::fabs(b);
      if (!(diff <= allowed)) {
        ++bad;
        if (worst < 0 || !(diff - allowed <= worstExcess))
          worst = int64_t(i), worstExcess = diff - allowed;
      }
      if (!(diff <= maxDiff))
        maxDiff = diff;
    }
    os << llvm::format(": max |diff| %.3g (rtol %g, atol %g): ", maxDiff,
                       options.rtol, options.atol);
    if (bad == 0) {
      os << "match\n";
      continue;
    }
    allMatch = false;
    os << "MISMATCH in " << bad << " of " << values.size()
       << " elements; element " << worst << ": "
       << llvm::format("%.9g", values[worst]) << ", expected "
       << llvm::format("%.9g", want.f32[worst]) << "\n";
  }
  return allMatch ? kRunMatch : kRunMismatch;
}
