//===- ONNXImporter.h - ONNX graph to vggq ops ------------------*- C++ -*-===//
//
// Walks the nodes of an ONNX graph in order, keeping every tensor either as
// a host constant (initializers, Constant nodes) or as an NHWC activation,
// and emits vggq ops through the GraphBuilder. The driver is in
// ONNXImporter.cpp, the op handlers in ONNXOps.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_ONNXIMPORTER_H
#define VGGQ_LIB_IMPORT_ONNXIMPORTER_H

#include "GraphBuilder.h"
#include "ONNXUtils.h"

#include "vggq/Import/Import.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace vggq {
namespace import {

/// A computed tensor. Rank-4 values are NHWC in the IR (NCHW in ONNX);
/// rank-2 values that come from flattening an NCHW tensor remember its
/// C, H, W so that the next linear layer can permute its weight columns.
struct Activation {
  Activation() = default;
  Activation(mlir::Value value,
             std::optional<std::array<int64_t, 3>> flattenedCHW = std::nullopt)
      : value(value), flattenedCHW(flattenedCHW) {}

  mlir::Value value;
  std::optional<std::array<int64_t, 3>> flattenedCHW;
  /// A rank-4 tensor as ONNX sees it after a Transpose that a later
  /// Transpose is expected to undo: ONNX axis `i` is NCHW axis `perm[i]` of
  /// `value`. Empty when the tensor is in NCHW order. Only Pad and Transpose
  /// accept such a tensor.
  llvm::SmallVector<int64_t, 4> perm;
  /// The Transpose node that set `perm`, for errors.
  std::string transposedBy;
  int64_t rank() const;
};

/// The shape of `a` as ONNX sees it (NCHW for rank 4).
std::string onnxShape(const Activation &a);
/// The same as sizes (dynamic ones as ShapedType::kDynamic); a flattened
/// NCHW tensor has its [N, C*H*W].
llvm::SmallVector<int64_t, 4> onnxDims(const Activation &a);

/// The result shape of ONNX's Reshape of `in` (ONNX order; a dynamic axis
/// 0 is the batch) to `shape` (0 copies a size unless `allowZero`, -1 is
/// inferred, kDynamicBatch is the batch); the error says why it is not
/// supported.
llvm::Expected<llvm::SmallVector<int64_t, 4>>
reshapeTarget(llvm::ArrayRef<int64_t> in, llvm::ArrayRef<int64_t> shape,
              bool allowZero);

/// An MLIR type as it prints ("i8", "f8E4M3FN").
std::string typeName(mlir::Type type);

/// The scale, axis and data type of a QuantizeLinear/DequantizeLinear node
/// (ONNXQDQOps.cpp).
struct QuantParams {
  llvm::SmallVector<float, 1> scales;
  /// The ONNX axis of per-axis scales; nullopt for per tensor.
  std::optional<int64_t> axis;
  /// The TensorProto data type (INT8, UINT8, FLOAT8E4M3FN, ...).
  int32_t type = 0;
  /// UINT8: stored as INT8 codes (code - 128); with zero point 128 the
  /// storage is symmetric.
  bool shifted = false;
  /// The zero points as ONNX gives them (empty: none given, zero point 0).
  std::vector<int64_t> zeroPoint;
  /// Whether the zero points are not the symmetric ones (INT8 0, UINT8 128,
  /// FP8 0): the Q/DQ is affine, with zero points storageZeroPoint().
  bool asymmetric = false;
  /// The zero points of the INT8 storage (UINT8's minus 128), one per scale.
  std::vector<int64_t> storageZeroPoint() const;
  /// The vggq storage element type (i8, f8E4M3FN, f8E5M2).
  mlir::Type storageType(mlir::MLIRContext &ctx) const;
};

/// An 8-bit constant behind a DequantizeLinear: codes in the ONNX layout,
/// one float each (the signed INT8 value or the FP8 byte), and the scales.
struct QuantizedConstant {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> codes;
  int32_t type = 0;
  mlir::Type storage;
  llvm::SmallVector<float, 1> scales;
  /// The ONNX axis of per-axis scales; nullopt for per tensor.
  std::optional<int64_t> axis;
};

class ONNXImporter {
public:
  ONNXImporter(mlir::MLIRContext &ctx, llvm::StringRef path,
               const onnx::ModelProto &model,
               const ONNXImportOptions &options = {});
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>> run();

private:
  llvm::Error checkOpset();
  llvm::Error importInput();
  /// With data for the graph inputs (ONNXImportOptions::inputs): checks
  /// each file against its graph input and binds it; arguments are made on
  /// first use as an activation (argumentFor).
  llvm::Error bindInputs();
  /// The @forward argument for the bound graph input `name`, made on first
  /// use.
  /// With `allowInt8`, an INT8 or UINT8 graph input is an i8 argument
  /// (UINT8 as its codes minus 128, `vggq.onnx_dtype` naming the type);
  /// with `allowInt32` an INT32 one is an i32 argument; otherwise only
  /// FLOAT inputs are.
  llvm::Expected<Activation> argumentFor(const std::string &name,
                                         bool allowInt8 = false,
                                         bool allowInt32 = false);
  /// Compares the ONNX shape of each activation the current node defined
  /// with the one ONNX's shape inference gives.
  llvm::Error checkInferredShapes() const;
  llvm::Error importNode(size_t index);
  /// Reads the normalization from the model's metadata_props.
  llvm::Error importNormalization(int64_t channels);
  /// The vggq.layer of node `index`: its PyTorch module path, followed by
  /// the node's own name when several nodes emit ops in the same module
  /// (functional ReLUs and adds of a residual block).
  std::string layerNameOf(size_t index) const;

  // Op handlers (ONNXOps.cpp).
  llvm::Error importConv();
  llvm::Error importBatchNorm();
  llvm::Error importRelu();
  llvm::Error importMaxPool();
  llvm::Error importFlatten();
  llvm::Error importReshape();
  llvm::Error importGemm();
  llvm::Error importMatMul();
  llvm::Error importAdd();
  /// Add of an activation and the constant input `constIdx`.
  llvm::Error importAddConstant(int constIdx);
  /// Defines output 0 as `x` reshaped to `target` (ONNX order; a dynamic
  /// size at axis 0 is the batch) in ONNX's element order: transposes a
  /// rank-4 NHWC input to NCHW first and a rank-4 result back to NHWC
  /// (ONNXReshapeOps.cpp).
  llvm::Error emitOnnxReshape(const Activation &x,
                              llvm::ArrayRef<int64_t> target);
  /// [N, C, W] (ONNX order) as the NHWC [N, 1, W, C] a 2-D window op takes,
  /// and its [N, 1, W', C] result back as [N, C, W'].
  Activation liftTo2D(const Activation &x);
  Activation lowerFrom2D(mlir::Value pooled);
  llvm::Error importAveragePool();
  llvm::Error importGlobalAveragePool();
  /// ReduceMean over H and W, as x.mean((2, 3)) exports.
  llvm::Error importReduceMean();
  llvm::Error importSlice();
  llvm::Error importPad();
  llvm::Error importTranspose();
  /// The shape of an activation, as a host constant (kDynamicBatch for a
  /// dynamic batch).
  llvm::Error importShape();
  /// ConstantOfShape, Concat and Cast, which are only supported on constants.
  llvm::Error importConstantOnly();
  /// Evaluates a node whose inputs are all host constants.
  llvm::Error foldNode();
  /// Whether every present input of the current node is a host constant.
  bool hasOnlyConstantInputs() const;
  /// Emits `vggq.subsample_pad` of `x`, composed with the subsample_pad that
  /// produces `x` if any, or returns `x` when there is nothing to do.
  Activation emitSubsamplePad(const Activation &x,
                              llvm::ArrayRef<int64_t> strides,
                              llvm::ArrayRef<int64_t> channelPadding);
  llvm::Error importSoftmax();
  // QDQ handlers (ONNXQDQOps.cpp).
  llvm::Error importQuantizeLinear();
  llvm::Error importDequantizeLinear();
  /// Reads the scale (input 1), zero point (input 2), axis and data type of
  /// the current Q/DQ node for an input `xName` of ONNX shape `xShape` and
  /// data type `xType` (when known).
  llvm::Expected<QuantParams> readQuantParams(llvm::StringRef xName,
                                              llvm::ArrayRef<int64_t> xShape,
                                              std::optional<int32_t> xType,
                                              bool dequantize);
  /// The 8-bit constant that the DequantizeLinear output `name` holds, or
  /// null when `name` is not one.
  const QuantizedConstant *quantizedConstant(const std::string &name) const;
  /// Emits `codes` (`qc`'s, already in the IR layout `shape`) as an 8-bit
  /// constant followed by vggq.dequantize along `axis` of the IR layout.
  mlir::Value emitQuantizedWeight(const std::string &tensor,
                                  const QuantizedConstant &qc,
                                  llvm::ArrayRef<int64_t> shape,
                                  llvm::ArrayRef<float> codes,
                                  std::optional<int64_t> axis);
  /// The OHWI weight of the current Conv (input 1, decoded as `weight`):
  /// an f32 constant, or 8-bit codes and a vggq.dequantize.
  llvm::Expected<mlir::Value> convWeight(const HostTensor &weight);
  /// The location name of the current node's own ops (its ONNX name).
  std::string nodeLocName() const;
  llvm::Error importAlias();
  llvm::Error importConstant();
  /// The codes of a dequantized linear weight, in [O, K] order.
  struct LinearCodes {
    const QuantizedConstant *constant;
    std::vector<float> codes;
    /// 0 (per output channel) or nullopt (per tensor).
    std::optional<int64_t> axis;
  };
  /// The codes of the weight `name` when it is a dequantized 8-bit constant
  /// whose axis `outAxis` is the output feature (nullopt for a float
  /// weight), reordered to [O, K] by `toOK`.
  llvm::Expected<std::optional<LinearCodes>> linearCodes(
      const std::string &name, int64_t outAxis,
      llvm::function_ref<std::vector<float>(const std::vector<float> &)> toOK);
  /// Emits a linear layer from a weight [O, K] in the source's column order
  /// (and its 8-bit codes, for a dequantized weight).
  llvm::Error emitLinear(const Activation &input, const std::string &weightName,
                         std::vector<float> weight, int64_t out, int64_t in,
                         const std::string &biasName, const HostTensor *bias,
                         const std::string &output,
                         std::optional<LinearCodes> quantized = std::nullopt);

  // Access to the current node's tensors.
  /// An error "<file>: node '<name>' (<op>): <message>".
  llvm::Error nodeError(const llvm::Twine &message) const;
  bool hasInput(int i) const;
  /// Input `i` as a computed tensor; with `allowTransposed`, also one that
  /// a Transpose left in a non-NCHW order.
  /// `allowInt8` / `allowInt32`: an INT8/UINT8 / INT32 graph input given as
  /// data is an i8 / i32 argument (see argumentFor).
  llvm::Expected<Activation> activationInput(int i,
                                             bool allowTransposed = false,
                                             bool allowInt8 = false,
                                             bool allowInt32 = false);
  llvm::Expected<const HostTensor *> constantInput(int i, llvm::StringRef role);
  /// The constant called `name` (an initializer, decoded on first use, or a
  /// Constant node's output).
  llvm::Expected<const HostTensor *> constantNamed(const std::string &name,
                                                   llvm::StringRef role);
  /// Makes `output(i)` of the current node refer to `value`.
  void define(int i, Activation value);
  /// The resource name for the tensor `name` used as `role` of the layer.
  std::string resourceName(llvm::StringRef tensor, llvm::StringRef role) const;
  /// Errors when the node has a used output beyond the first `n`.
  llvm::Error checkExtraOutputs(int n) const;

  llvm::StringRef path;
  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  mlir::MLIRContext &ctx;
  const ONNXImportOptions &options;
  std::optional<GraphBuilder> builder;
  /// The graph inputs bound to data (options.inputs), by name.
  llvm::StringMap<onnx::TensorProto> boundInputs;
  /// The value shapes from onnx::shape_inference (ONNX order, -1 unknown).
  llvm::StringMap<llvm::SmallVector<int64_t, 4>> inferredShapes;

  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<HostTensor> constants;
  llvm::StringMap<Activation> activations;
  llvm::StringMap<unsigned> useCounts;
  /// How many op-emitting nodes share each module path.
  llvm::StringMap<unsigned> layerCounts;
  /// The normalization recorded on the module.
  llvm::SmallVector<float, 4> inputMean, inputStd;
  /// The data type of each activation that a QuantizeLinear produced.
  llvm::StringMap<int32_t> quantizedTypes;
  /// QuantizeLinear of a float initializer: its codes, by output name.
  llvm::StringMap<QuantizedConstant> quantizedCodes;
  /// DequantizeLinear of an 8-bit constant, by output name (its f32 values
  /// are in `constants`).
  llvm::StringMap<QuantizedConstant> quantizedConstants;
  /// Nodes already imported as part of an earlier one (MatMul + Add).
  llvm::DenseSet<size_t> consumed;

  // The node being imported.
  const onnx::NodeProto *node = nullptr;
  size_t nodeIndex = 0;
  std::string layer;
};

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_ONNXIMPORTER_H
