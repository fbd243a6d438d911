//===- GraphBuilder.cpp - building vggq model modules ---------------------===//
//
// Result types, weight resources and the final verification shared by the
// ONNX, safetensors and seeded importers.
//
//===----------------------------------------------------------------------===//
#include "GraphBuilder.h"

#include "vggq/Import/Import.h"

#include "vggq/Dialect/VGGQ/IR/ShapeUtils.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;

namespace vggq {

char InputMismatchError::ID = 0;

namespace import {

llvm::Error fileError(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (path + ": " + message).str());
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string out = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    out += (i ? ", " : "") +
           (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  return out + "]";
}

int64_t dimSize(Value value, unsigned i) {
  return cast<RankedTensorType>(value.getType()).getDimSize(i);
}

void loadImportDialects(MLIRContext &ctx) {
  ctx.loadDialect<VGGQDialect, func::FuncDialect, arith::ArithDialect>();
}

std::string sanitizeResourceName(llvm::StringRef name) {
  std::string out;
  out.reserve(name.size() + 2);
  for (char c : name)
    out.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (out.empty() || !(llvm::isAlpha(out.front()) || out.front() == '_'))
    out.insert(0, "t_");
  return out;
}

} // namespace import

llvm::Expected<llvm::SmallVector<float, 4>>
parseNormalization(llvm::StringRef text, int64_t channels, bool isStd) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  text.split(parts, ',');
  llvm::SmallVector<float, 4> values;
  for (llvm::StringRef part : parts) {
    double v;
    if (part.trim().getAsDouble(v) || !std::isfinite(v) ||
        !std::isfinite(float(v)) || (isStd && !(float(v) > 0.0f)))
      return llvm::createStringError("'" + part.str() + "' is not a " +
                                     (isStd ? "positive " : "") +
                                     "finite number");
    values.push_back(float(v));
  }
  if (int64_t(values.size()) != channels)
    return llvm::createStringError(
        "expected " + std::to_string(channels) +
        " comma-separated values (one per input channel), got " +
        std::to_string(values.size()));
  return values;
}

namespace import {

void setNormalization(ModuleOp module, llvm::ArrayRef<float> mean,
                      llvm::ArrayRef<float> std) {
  MLIRContext *ctx = module.getContext();
  module->setAttr("vggq.input_mean", DenseF32ArrayAttr::get(ctx, mean));
  module->setAttr("vggq.input_std", DenseF32ArrayAttr::get(ctx, std));
}

GraphBuilder::GraphBuilder(MLIRContext &ctx, int64_t height, int64_t width,
                           int64_t channels)
    : ctx(ctx), builder(&ctx) {
  loadImportDialects(ctx);
  Location loc = UnknownLoc::get(&ctx);
  module = ModuleOp::create(loc);
  auto inputType = RankedTensorType::get(
      {ShapedType::kDynamic, height, width, channels}, builder.getF32Type());
  builder.setInsertionPointToEnd(module->getBody());
  func = func::FuncOp::create(builder, loc, "forward",
                              builder.getFunctionType({inputType}, {}));
  Block *entry = func.addEntryBlock();
  inputValue = entry->getArgument(0);
  builder.setInsertionPointToEnd(entry);
}

GraphBuilder::GraphBuilder(MLIRContext &ctx) : ctx(ctx), builder(&ctx) {
  loadImportDialects(ctx);
  Location loc = UnknownLoc::get(&ctx);
  module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());
  func = func::FuncOp::create(builder, loc, "forward",
                              builder.getFunctionType({}, {}));
  builder.setInsertionPointToEnd(func.addEntryBlock());
}

Value GraphBuilder::addInput(RankedTensorType type, llvm::StringRef name,
                             int64_t index, llvm::StringRef onnxDtype) {
  unsigned position = func.getNumArguments();
  NamedAttrList attrs;
  attrs.set("vggq.onnx_input", builder.getStringAttr(name));
  attrs.set("vggq.onnx_input_index", builder.getI64IntegerAttr(index));
  if (!onnxDtype.empty())
    attrs.set("vggq.onnx_dtype", builder.getStringAttr(onnxDtype));
  (void)func.insertArgument(position, type, attrs.getDictionary(&ctx),
                            loc(name));
  return func.getArgument(position);
}

void GraphBuilder::setResultAttr(llvm::StringRef name, Attribute value) {
  resultAttrs.set(name, value);
}

Location GraphBuilder::loc(llvm::StringRef name) {
  return NameLoc::get(builder.getStringAttr(name));
}

Value GraphBuilder::named(Operation *op, llvm::StringRef layer) {
  op->setAttr("vggq.layer", builder.getStringAttr(layer));
  return op->getResult(0);
}

Value GraphBuilder::constant(llvm::StringRef name,
                             llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<float> data) {
  auto type = RankedTensorType::get(shape, builder.getF32Type());
  auto attr = DenseResourceElementsAttr::get(
      type, sanitizeResourceName(name),
      HeapAsmResourceBlob::allocateAndCopyInferAlign(data));
  return arith::ConstantOp::create(builder, loc(name), attr);
}

Value GraphBuilder::rawConstant(llvm::StringRef name,
                                llvm::ArrayRef<int64_t> shape, Type elementType,
                                llvm::ArrayRef<char> bytes) {
  auto type = RankedTensorType::get(shape, elementType);
  auto attr = DenseResourceElementsAttr::get(
      type, sanitizeResourceName(name),
      HeapAsmResourceBlob::allocateAndCopyInferAlign(bytes));
  return arith::ConstantOp::create(builder, loc(name), attr);
}

Value GraphBuilder::quantize(llvm::StringRef name, Value input,
                             Type elementType, llvm::ArrayRef<float> scales,
                             std::optional<int64_t> axis,
                             llvm::ArrayRef<int64_t> zeroPoint) {
  auto type = cast<RankedTensorType>(input.getType()).clone(elementType);
  return vggq::QuantizeOp::create(
      builder, loc(name), type, input, builder.getDenseF32ArrayAttr(scales),
      axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr(),
      zeroPoint.empty() ? DenseI64ArrayAttr()
                        : builder.getDenseI64ArrayAttr(zeroPoint));
}

Value GraphBuilder::dequantize(llvm::StringRef name, Value input,
                               llvm::ArrayRef<float> scales,
                               std::optional<int64_t> axis,
                               llvm::ArrayRef<int64_t> zeroPoint) {
  auto type =
      cast<RankedTensorType>(input.getType()).clone(builder.getF32Type());
  return vggq::DequantizeOp::create(
      builder, loc(name), type, input, builder.getDenseF32ArrayAttr(scales),
      axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr(),
      zeroPoint.empty() ? DenseI64ArrayAttr()
                        : builder.getDenseI64ArrayAttr(zeroPoint));
}

Value GraphBuilder::convWeightFromOIHW(llvm::StringRef name,
                                       llvm::ArrayRef<int64_t> shape,
                                       llvm::ArrayRef<float> data) {
  int64_t o = shape[0], i = shape[1], h = shape[2], w = shape[3];
  std::vector<float> ohwi(data.size());
  for (int64_t a = 0; a < o; ++a)
    for (int64_t c = 0; c < i; ++c)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          ohwi[((a * h + y) * w + x) * i + c] =
              data[((a * i + c) * h + y) * w + x];
  return constant(name, {o, h, w, i}, ohwi);
}

/// The NHWC shape after a 2-D window over `input`.
static RankedTensorType
windowResult(Value input, llvm::ArrayRef<int64_t> kernel,
             llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
             llvm::ArrayRef<int64_t> dilation, int64_t channels) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t h = windowOutputSize(type.getDimSize(1), kernel[0], strides[0],
                               padding[0], padding[2], dilation[0])
                  .value_or(0);
  int64_t w = windowOutputSize(type.getDimSize(2), kernel[1], strides[1],
                               padding[1], padding[3], dilation[1])
                  .value_or(0);
  return RankedTensorType::get({type.getDimSize(0), h, w, channels},
                               type.getElementType());
}

Value GraphBuilder::conv2d(llvm::StringRef layer, Value input, Value weight,
                           Value bias, llvm::ArrayRef<int64_t> strides,
                           llvm::ArrayRef<int64_t> padding,
                           llvm::ArrayRef<int64_t> dilation) {
  auto wType = cast<RankedTensorType>(weight.getType());
  RankedTensorType resultType =
      windowResult(input, {wType.getDimSize(1), wType.getDimSize(2)}, strides,
                   padding, dilation, wType.getDimSize(0));
  return named(vggq::Conv2DOp::create(builder, loc(layer), resultType, input,
                                      weight, bias, strides, padding, dilation),
               layer);
}

Value GraphBuilder::batchNorm(llvm::StringRef layer, Value input, Value scale,
                              Value offset, Value mean, Value variance,
                              float epsilon) {
  return named(vggq::BatchNormOp::create(builder, loc(layer), input.getType(),
                                         input, scale, offset, mean, variance,
                                         builder.getF32FloatAttr(epsilon)),
               layer);
}

Value GraphBuilder::relu(llvm::StringRef layer, Value input) {
  return named(
      vggq::ReluOp::create(builder, loc(layer), input.getType(), input), layer);
}

Value GraphBuilder::maxPool2d(llvm::StringRef layer, Value input,
                              llvm::ArrayRef<int64_t> kernel,
                              llvm::ArrayRef<int64_t> strides,
                              llvm::ArrayRef<int64_t> padding,
                              llvm::ArrayRef<int64_t> dilation) {
  auto type = cast<RankedTensorType>(input.getType());
  RankedTensorType resultType = windowResult(input, kernel, strides, padding,
                                             dilation, type.getDimSize(3));
  bool dilated = dilation.size() == 2 && (dilation[0] != 1 || dilation[1] != 1);
  return named(vggq::MaxPool2DOp::create(
                   builder, loc(layer), resultType, input,
                   builder.getDenseI64ArrayAttr(kernel),
                   builder.getDenseI64ArrayAttr(strides),
                   builder.getDenseI64ArrayAttr(padding),
                   dilated ? builder.getDenseI64ArrayAttr(dilation)
                           : DenseI64ArrayAttr()),
               layer);
}

Value GraphBuilder::avgPool2d(llvm::StringRef layer, Value input,
                              llvm::ArrayRef<int64_t> kernel,
                              llvm::ArrayRef<int64_t> strides,
                              llvm::ArrayRef<int64_t> padding,
                              bool countIncludePad) {
  auto type = cast<RankedTensorType>(input.getType());
  RankedTensorType resultType =
      windowResult(input, kernel, strides, padding, {1, 1}, type.getDimSize(3));
  return named(vggq::AvgPool2DOp::create(
                   builder, loc(layer), resultType, input, kernel, strides,
                   padding, countIncludePad, FloatAttr(), FloatAttr()),
               layer);
}

Value GraphBuilder::subsamplePad(llvm::StringRef layer, Value input,
                                 llvm::ArrayRef<int64_t> strides,
                                 llvm::ArrayRef<int64_t> channelPadding) {
  auto type = cast<RankedTensorType>(input.getType());
  auto ceilDiv = [](int64_t d, int64_t by) { return (d + by - 1) / by; };
  auto resultType = RankedTensorType::get(
      {type.getDimSize(0), ceilDiv(type.getDimSize(1), strides[0]),
       ceilDiv(type.getDimSize(2), strides[1]),
       channelPadding[0] + type.getDimSize(3) + channelPadding[1]},
      type.getElementType());
  return named(vggq::SubsamplePadOp::create(
                   builder, loc(layer), resultType, input,
                   builder.getDenseI64ArrayAttr(strides),
                   builder.getDenseI64ArrayAttr(channelPadding)),
               layer);
}

Value GraphBuilder::flatten(llvm::StringRef layer, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t features = 1;
  for (int64_t d : type.getShape().drop_front())
    features *= d;
  auto resultType = RankedTensorType::get({type.getDimSize(0), features},
                                          type.getElementType());
  return named(vggq::FlattenOp::create(builder, loc(layer), resultType, input),
               layer);
}

Value GraphBuilder::transpose(llvm::StringRef layer, Value input,
                              llvm::ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(input.getType());
  llvm::SmallVector<int64_t, 4> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return named(vggq::TransposeOp::create(builder, loc(layer), resultType, input,
                                         builder.getDenseI64ArrayAttr(perm)),
               layer);
}

Value GraphBuilder::reshape(llvm::StringRef layer, Value input,
                            llvm::ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return named(vggq::ReshapeOp::create(builder, loc(layer), resultType, input),
               layer);
}

Value GraphBuilder::slice(llvm::StringRef layer, Value input,
                          llvm::ArrayRef<int64_t> starts,
                          llvm::ArrayRef<int64_t> steps,
                          llvm::ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(input.getType());
  auto resultType = RankedTensorType::get(sizes, type.getElementType());
  return named(vggq::SliceOp::create(builder, loc(layer), resultType, input,
                                     builder.getDenseI64ArrayAttr(starts),
                                     builder.getDenseI64ArrayAttr(steps)),
               layer);
}

Value GraphBuilder::linear(llvm::StringRef layer, Value input, Value weight,
                           Value bias) {
  auto type = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto resultType = RankedTensorType::get(
      {type.getDimSize(0), wType.getDimSize(0)}, type.getElementType());
  return named(vggq::LinearOp::create(builder, loc(layer), resultType, input,
                                      weight, bias),
               layer);
}

Value GraphBuilder::add(llvm::StringRef layer, Value lhs, Value rhs) {
  return named(
      vggq::AddOp::create(builder, loc(layer), lhs.getType(), lhs, rhs), layer);
}

Value GraphBuilder::pad(llvm::StringRef layer, Value input,
                        llvm::ArrayRef<int64_t> low,
                        llvm::ArrayRef<int64_t> high, llvm::StringRef mode,
                        std::optional<float> value) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (size_t a = 0; a < shape.size(); ++a)
    if (!ShapedType::isDynamic(shape[a]))
      shape[a] += low[a] + high[a];
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return named(vggq::PadOp::create(
                   builder, loc(layer), resultType, input,
                   builder.getDenseI64ArrayAttr(low),
                   builder.getDenseI64ArrayAttr(high),
                   builder.getStringAttr(mode),
                   value ? builder.getF32FloatAttr(*value) : FloatAttr()),
               layer);
}

Value GraphBuilder::intAdd(llvm::StringRef layer, Value lhs, Value rhs,
                           bool isUnsigned) {
  return named(vggq::IntAddOp::create(builder, loc(layer), lhs.getType(), lhs,
                                      rhs, isUnsigned),
               layer);
}

Value GraphBuilder::softmax(llvm::StringRef layer, Value input) {
  return named(
      vggq::SoftmaxOp::create(builder, loc(layer), input.getType(), input),
      layer);
}

llvm::Expected<OwningOpRef<ModuleOp>>
GraphBuilder::finish(Value result, llvm::StringRef source,
                     llvm::ArrayRef<float> mean, llvm::ArrayRef<float> std) {
  func::ReturnOp::create(builder, builder.getUnknownLoc(), result);
  llvm::SmallVector<vggq::SubsamplePadOp> shortcuts;
  func.walk([&](vggq::SubsamplePadOp op) { shortcuts.push_back(op); });
  for (vggq::SubsamplePadOp op : llvm::reverse(shortcuts))
    if (op->use_empty())
      op->erase();
  func.setFunctionType(builder.getFunctionType(
      func.getBody().front().getArgumentTypes(), {result.getType()}));
  for (NamedAttribute attr : resultAttrs)
    func.setResultAttr(0, attr.getName(), attr.getValue());
  if (!mean.empty())
    setNormalization(*module, mean, std);

  std::string messages;
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      messages += (messages.empty() ? "" : "; ") + diag.str();
      return success();
    });
    if (failed(verify(*module)))
      return fileError(source,
                       "the imported module does not verify: " + messages);
  }
  return std::move(module);
}

} // namespace import
} // namespace vggq
