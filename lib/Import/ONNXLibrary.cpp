//===- ONNXLibrary.cpp - libonnx's checker, converter, shape inference ----===//
//
// The only file of the importer compiled with exceptions: libonnx throws
// (onnx::checker::ValidationError, onnx::InferenceError, std::exception
// from the version converter), and each call here catches and reports.
//
//===----------------------------------------------------------------------===//
#include "ONNXLibrary.h"

#include "GraphBuilder.h"

#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

namespace vggq {
namespace import {

llvm::Error checkModel(llvm::StringRef path, const onnx::ModelProto &model) {
  // A file newer than this libonnx (Debian's 1.12: IR 8, opset 17), such as
  // an FP8 QDQ model (IR 9, opset 19), cannot be judged by its checker,
  // which refuses every such file; the importer's own checks still apply.
  if (model.ir_version() > onnx::IR_VERSION)
    return llvm::Error::success();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    std::string what = e.what();
    // The checker's messages end in a newline and sometimes carry a
    // "==> Context: ..." suffix; keep the first line.
    what = what.substr(0, what.find('\n'));
    return fileError(path, "the ONNX checker rejects the model: " + what);
  } catch (...) {
    return fileError(path, "the ONNX checker rejects the model");
  }
  return llvm::Error::success();
}

llvm::Error upgradeOpset(llvm::StringRef path, onnx::ModelProto &model,
                         int64_t from, int64_t target) {
  try {
    model = onnx::version_conversion::ConvertVersion(model, int(target));
  } catch (const std::exception &e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    return fileError(path, "unsupported opset " + llvm::Twine(from) +
                               ": ONNX's version converter cannot upgrade "
                               "it to opset " +
                               llvm::Twine(target) + ": " + what);
  } catch (...) {
    return fileError(path, "unsupported opset " + llvm::Twine(from) +
                               ": ONNX's version converter cannot upgrade "
                               "it to opset " +
                               llvm::Twine(target));
  }
  return llvm::Error::success();
}

llvm::StringMap<llvm::SmallVector<int64_t, 4>>
inferShapes(const onnx::ModelProto &model) {
  llvm::StringMap<llvm::SmallVector<int64_t, 4>> shapes;
  onnx::ModelProto inferred = model;
  // Shape inference reads the initializers' dims and, through data
  // propagation, small integer tensors (shapes); weights need no values.
  for (onnx::TensorProto &t : *inferred.mutable_graph()->mutable_initializer())
    if (t.data_type() == onnx::TensorProto::FLOAT) {
      t.clear_raw_data();
      t.clear_float_data();
    }
  try {
    onnx::shape_inference::InferShapes(inferred);
  } catch (...) {
    return shapes;
  }
  auto record = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return;
    llvm::SmallVector<int64_t, 4> dims;
    for (const auto &dim : info.type().tensor_type().shape().dim())
      dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    shapes[info.name()] = dims;
  };
  const onnx::GraphProto &graph = inferred.graph();
  for (const onnx::ValueInfoProto &info : graph.input())
    record(info);
  for (const onnx::ValueInfoProto &info : graph.value_info())
    record(info);
  for (const onnx::ValueInfoProto &info : graph.output())
    record(info);
  return shapes;
}

} // namespace import
} // namespace vggq
