//===- ONNXLibrary.h - libonnx's checker, converter, shape inference -*- C++
//-*-===//
//
// The importer's use of libonnx beyond the protobuf: the checker, the
// version converter and shape inference. libonnx reports failures by
// throwing; these wrappers (ONNXLibrary.cpp, built with exceptions) turn
// them into llvm::Error messages naming the file.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_ONNXLIBRARY_H
#define VGGQ_LIB_IMPORT_ONNXLIBRARY_H

#include "ONNXUtils.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

namespace vggq {
namespace import {

/// Runs onnx::checker::check_model on `model`: "<path>: the ONNX checker
/// rejects the model: <why>".
llvm::Error checkModel(llvm::StringRef path, const onnx::ModelProto &model);

/// Upgrades `model` in place from its ai.onnx opset to `target` with
/// onnx::version_conversion::ConvertVersion.
llvm::Error upgradeOpset(llvm::StringRef path, onnx::ModelProto &model,
                         int64_t from, int64_t target);

/// The shapes onnx::shape_inference gives every value of `model`'s graph
/// (graph inputs and outputs included), ONNX order; an unknown extent is
/// -1. Values it cannot type are absent. Never fails: a model shape
/// inference rejects gets an empty map (the importer's own checks then
/// speak).
llvm::StringMap<llvm::SmallVector<int64_t, 4>>
inferShapes(const onnx::ModelProto &model);

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_ONNXLIBRARY_H
