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
#include <vector>

namespace vggq {

/// From an ONNX file as PyTorch exports it (opset 13+). Errors name the node
/// or tensor and the file. The shape of @forward follows the graph's input
/// and output. The normalization comes from the model's metadata_props
/// `vggq.input_mean` and `vggq.input_std` (comma-separated floats, one per
/// input channel); without them a 3-channel model gets the CIFAR-10
/// normalization and any other mean 0, std 1.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNX(mlir::MLIRContext &ctx, llvm::StringRef path);

/// A tensor read from a file: an ONNX TensorProto (.pb, as ONNX's test data
/// stores inputs and outputs) or a NumPy array (.npy: little-endian float32
/// or int64, C order).
struct TensorFile {
  std::string path;
  /// The TensorProto's name; empty for .npy files and unnamed protos.
  std::string name;
  /// The ONNX data type name ("FLOAT", "INT64", "UINT8", ...).
  std::string dataType;
  std::vector<int64_t> shape;
  /// The data as a serialized onnx.TensorProto (for the importer).
  std::string proto;
  /// The values when the data type is FLOAT (empty otherwise).
  std::vector<float> f32;
};

/// Reads a .pb or .npy tensor file; errors name the file and say what is
/// wrong (missing, truncated, an unsupported dtype or layout).
llvm::Expected<TensorFile> readTensorFile(llvm::StringRef path);

/// Options of `importONNX` for running a model on given tensors (vggq-run
/// --input, ONNX's node tests).
struct ONNXImportOptions {
  /// Data for the graph inputs that are not initializers, in graph order.
  /// A graph input a node needs as a constant (a Conv weight, a Reshape
  /// shape) is bound to its data; the others become arguments of @forward,
  /// each with a `vggq.onnx_input` argument attribute naming it, in any rank
  /// (rank 4 NCHW in ONNX is NHWC in the IR, every other rank is as in
  /// ONNX). The result then has any rank too; a rank-2 result flattened
  /// from NCHW data carries `vggq.flattened_chw` (its C, H, W: the IR holds
  /// the features in HWC order).
  std::vector<TensorFile> inputs;
};

/// The error `importONNX` gives when ONNXImportOptions::inputs do not fit
/// the model's graph inputs (their count, a name, data type or shape), as
/// opposed to a model it cannot import.
class InputMismatchError : public llvm::ErrorInfo<InputMismatchError> {
public:
  static char ID;
  explicit InputMismatchError(std::string message) : text(std::move(message)) {}
  void log(llvm::raw_ostream &os) const override { os << text; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }

private:
  std::string text;
};

/// `importONNX` with `options`; with no inputs it is the plain import.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importONNX(mlir::MLIRContext &ctx, llvm::StringRef path,
           const ONNXImportOptions &options);

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
