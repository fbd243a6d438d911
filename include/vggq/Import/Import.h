//===- Import.h - model importers -------------------------------*- C++ -*-===//
//
// Each importer produces a module holding `func.func @forward(%input:
// tensor<?xHxWxCxf32>) -> tensor<?xKxf32>` (K logits; 32x32x3 and 10 for
// the built-in VGG16) in the vggq dialect: NHWC activations, OHWI conv weights,
// weights as `arith.constant dense_resource<...>`, the input normalization as
// module attributes `vggq.input_mean` / `vggq.input_std` (array<f32>), and
// every layer op named with a `vggq.layer` string attribute (PyTorch module
// names such as "features.0", "classifier").
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_IMPORT_IMPORT_H
#define VGGQ_IMPORT_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace vggq {

/// From an ONNX file as PyTorch exports it (opset 13+). Errors name the node
/// or tensor and the file. The shape of @forward follows the graph's input
/// and output. The normalization comes from the model's metadata_props
/// `vggq.input_mean` and `vggq.input_std` (comma-separated floats, one per
/// input channel); without them a 3-channel model gets the CIFAR-10
/// normalization and any other mean 0, std 1.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNX(mlir::MLIRContext &ctx, llvm::StringRef path);

/// The built-in CIFAR VGG16-BN description with weights from a safetensors
/// file holding the PyTorch state_dict (batch norm kept as vggq.batch_norm).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importSafetensors(mlir::MLIRContext &ctx, llvm::StringRef path);

/// The same VGG16-BN with deterministic random weights (He-scaled, never all
/// zero) and plausible batch-norm statistics, for tests and timing.
mlir::OwningOpRef<mlir::ModuleOp> buildSeededVGG16(mlir::MLIRContext &ctx,
                                                   uint64_t seed);

/// Where vggq-export writes a model.
struct ONNXExportOptions {
  /// The QDQ ONNX file.
  std::string onnxPath;
  /// The TensorRT calibration cache (none when empty).
  std::string cachePath;
  /// The TensorRT version in the cache header (NV_TENSORRT_VERSION: 8601 is
  /// 8.6.1).
  unsigned trtVersion = 8601;
};

/// Writes @forward of a vggq model (quantized or not) as a QDQ ONNX graph:
/// NCHW, 8-bit tensors as QuantizeLinear/DequantizeLinear pairs, weights as
/// 8-bit initializers dequantized per output channel, INT8 biases as INT32
/// at input_scale * weight_scale; opset 13, or 19 with FP8 storage. With a
/// cache path, also the activation scales as a TensorRT calibration cache.
/// Errors name the op that cannot be written.
llvm::Error exportONNX(mlir::ModuleOp module, const ONNXExportOptions &options);

/// Parses a normalization "a,b,..." holding one finite float per input
/// channel (positive ones for a standard deviation, `isStd`). The error
/// says what is wrong, not where the text came from.
llvm::Expected<llvm::SmallVector<float, 4>>
parseNormalization(llvm::StringRef text, int64_t channels, bool isStd);

} // namespace vggq

#endif // VGGQ_IMPORT_IMPORT_H
