//===- GraphBuilder.h - building vggq model modules -------------*- C++ -*-===//
//
// The one place where the importers create IR: a module holding
// `func.func @forward` with a dynamic batch, weights as `arith.constant
// dense_resource<...>`, and vggq layer ops named with `vggq.layer`. The
// importers validate their input before calling it; the builder computes the
// result types and verifies the finished module.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_GRAPHBUILDER_H
#define VGGQ_LIB_IMPORT_GRAPHBUILDER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <optional>

namespace vggq {
namespace import {

/// The CIFAR-10 normalization of the trained models (DESIGN.md, Data).
constexpr std::array<float, 3> kCifarMean = {0.4914f, 0.4822f, 0.4465f};
constexpr std::array<float, 3> kCifarStd = {0.2470f, 0.2435f, 0.2616f};

/// The importers' error: "<path>: <message>".
llvm::Error fileError(llvm::StringRef path, const llvm::Twine &message);

/// "[64, 3, 3, 3]"; dynamic sizes print as '?'.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Size `i` of the ranked tensor `value`.
int64_t dimSize(mlir::Value value, unsigned i);

/// Loads the dialects every imported module uses into `ctx`.
void loadImportDialects(mlir::MLIRContext &ctx);

/// A resource name for the tensor `name`: characters outside [A-Za-z0-9_.]
/// become '_', and a name not starting with a letter or '_' gets a prefix.
std::string sanitizeResourceName(llvm::StringRef name);

/// Builds `func.func @forward(%input: tensor<?xHxWxCxf32>)` op by op.
class GraphBuilder {
public:
  GraphBuilder(mlir::MLIRContext &ctx, int64_t height, int64_t width,
               int64_t channels);
  /// A @forward without arguments yet: addInput makes them.
  explicit GraphBuilder(mlir::MLIRContext &ctx);

  /// Appends an argument of `type` to @forward, with the attributes
  /// `vggq.onnx_input` naming the source's input `name` and
  /// `vggq.onnx_input_index` giving its position among the source's inputs
  /// (and `vggq.onnx_dtype` = `onnxDtype` when given: an 8-bit input).
  mlir::Value addInput(mlir::RankedTensorType type, llvm::StringRef name,
                       int64_t index, llvm::StringRef onnxDtype = "");
  /// Sets the result attribute `name` of @forward's result (after finish's
  /// return is known; recorded now, applied by finish).
  void setResultAttr(llvm::StringRef name, mlir::Attribute value);

  /// The function argument (NHWC, dynamic batch).
  mlir::Value input() const { return inputValue; }

  /// An `arith.constant dense_resource<name>` holding a copy of `data`.
  mlir::Value constant(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> data);

  /// An `arith.constant dense_resource<name>` of `elementType` holding a
  /// copy of `bytes` (little-endian element codes, as the precision registry
  /// stores them).
  mlir::Value rawConstant(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                          mlir::Type elementType, llvm::ArrayRef<char> bytes);

  /// `vggq.quantize` / `vggq.dequantize` of `input` to/from `elementType`
  /// with `scales` (one: per tensor; else along `axis`), located at `name`
  /// (the ONNX node).
  /// A non-empty `zeroPoint` makes them affine (INT8 storage, one zero
  /// point per scale).
  mlir::Value quantize(llvm::StringRef name, mlir::Value input,
                       mlir::Type elementType, llvm::ArrayRef<float> scales,
                       std::optional<int64_t> axis,
                       llvm::ArrayRef<int64_t> zeroPoint = {});
  mlir::Value dequantize(llvm::StringRef name, mlir::Value input,
                         llvm::ArrayRef<float> scales,
                         std::optional<int64_t> axis,
                         llvm::ArrayRef<int64_t> zeroPoint = {});

  /// A conv weight given in PyTorch/ONNX layout OIHW (`shape`), stored as
  /// an OHWI constant.
  mlir::Value convWeightFromOIHW(llvm::StringRef name,
                                 llvm::ArrayRef<int64_t> shape,
                                 llvm::ArrayRef<float> data);

  /// NHWC input, OHWI weight; `bias` may be null. `padding` is
  /// [top, left, bottom, right]. The window must fit (callers check).
  mlir::Value conv2d(llvm::StringRef layer, mlir::Value input,
                     mlir::Value weight, mlir::Value bias,
                     llvm::ArrayRef<int64_t> strides,
                     llvm::ArrayRef<int64_t> padding,
                     llvm::ArrayRef<int64_t> dilation);
  mlir::Value batchNorm(llvm::StringRef layer, mlir::Value input,
                        mlir::Value scale, mlir::Value offset, mlir::Value mean,
                        mlir::Value variance, float epsilon);
  mlir::Value relu(llvm::StringRef layer, mlir::Value input);
  /// A `dilation` other than [1, 1] is set on the op (else left out).
  mlir::Value maxPool2d(llvm::StringRef layer, mlir::Value input,
                        llvm::ArrayRef<int64_t> kernel,
                        llvm::ArrayRef<int64_t> strides,
                        llvm::ArrayRef<int64_t> padding,
                        llvm::ArrayRef<int64_t> dilation = {1, 1});
  /// f32 average pooling; the window must fit and padding be smaller than
  /// the kernel (callers check).
  mlir::Value avgPool2d(llvm::StringRef layer, mlir::Value input,
                        llvm::ArrayRef<int64_t> kernel,
                        llvm::ArrayRef<int64_t> strides,
                        llvm::ArrayRef<int64_t> padding, bool countIncludePad);
  /// The ResNet shortcut: H and W subsampled by `strides`, channels padded
  /// with `channelPadding` = [before, after] zeros.
  mlir::Value subsamplePad(llvm::StringRef layer, mlir::Value input,
                           llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> channelPadding);
  mlir::Value flatten(llvm::StringRef layer, mlir::Value input);
  /// Output axis k is input axis perm[k].
  mlir::Value transpose(llvm::StringRef layer, mlir::Value input,
                        llvm::ArrayRef<int64_t> perm);
  /// Row-major reshape in the tensor's own order (a dynamic size in `shape`
  /// is the batch).
  mlir::Value reshape(llvm::StringRef layer, mlir::Value input,
                      llvm::ArrayRef<int64_t> shape);
  /// `sizes` elements from `starts` in `steps` along each axis (a dynamic
  /// size is the whole axis).
  mlir::Value slice(llvm::StringRef layer, mlir::Value input,
                    llvm::ArrayRef<int64_t> starts,
                    llvm::ArrayRef<int64_t> steps,
                    llvm::ArrayRef<int64_t> sizes);
  /// Input [N, K], weight [O, K]; `bias` may be null.
  mlir::Value linear(llvm::StringRef layer, mlir::Value input,
                     mlir::Value weight, mlir::Value bias);
  mlir::Value add(llvm::StringRef layer, mlir::Value lhs, mlir::Value rhs);
  /// `vggq.pad` of an f32 tensor (the pads in the IR's layout).
  mlir::Value pad(llvm::StringRef layer, mlir::Value input,
                  llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                  llvm::StringRef mode, std::optional<float> value);
  /// `vggq.int_add` (wrapping); `isUnsigned`: the codes are UINT8 minus 128.
  mlir::Value intAdd(llvm::StringRef layer, mlir::Value lhs, mlir::Value rhs,
                     bool isUnsigned);
  mlir::Value softmax(llvm::StringRef layer, mlir::Value input);

  /// Returns `result` from @forward, erases the subsample_pad ops that were
  /// composed into later ones and have no use left, records the
  /// normalization and verifies the module. `source` names the input in
  /// errors.
  llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
  finish(mlir::Value result, llvm::StringRef source,
         llvm::ArrayRef<float> mean = kCifarMean,
         llvm::ArrayRef<float> std = kCifarStd);

private:
  /// The location of ops created for `name` (a layer or a tensor).
  mlir::Location loc(llvm::StringRef name);
  /// Sets `vggq.layer` on `op` and returns its result.
  mlir::Value named(mlir::Operation *op, llvm::StringRef layer);

  mlir::MLIRContext &ctx;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  mlir::OpBuilder builder;
  mlir::Value inputValue;
  mlir::NamedAttrList resultAttrs;
};

/// Sets `vggq.input_mean` / `vggq.input_std` on `module`.
void setNormalization(mlir::ModuleOp module, llvm::ArrayRef<float> mean,
                      llvm::ArrayRef<float> std);

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_GRAPHBUILDER_H
