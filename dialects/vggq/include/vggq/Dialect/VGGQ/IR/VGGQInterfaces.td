//===- VGGQInterfaces.td - vggq op-family interfaces -------*- tablegen -*-===//
//
// The contracts the passes rely on, declared once: a quantized compute op
// exposes its scales and epilogue through typed methods, and an op that
// commutes with quantization says so (and which per-channel axis survives).
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQINTERFACES_TD
#define VGGQ_DIALECT_VGGQ_IR_VGGQINTERFACES_TD

include "mlir/IR/OpBase.td"

def VGGQ_QComputeOpInterface : OpInterface<"QComputeOpInterface"> {
  let cppNamespace = "::vggq";
  let description = [{
    A quantized GEMM-shaped op (`vggq.qconv2d`, `vggq.qlinear`): 8-bit input
    and weights, an accumulator in the precision's accumulator type, and an
    epilogue of per-channel scale, bias, ReLU and an optional output scale
    that keeps the result quantized. Fusion passes extend the epilogue
    through these methods instead of string attributes.
  }];
  let methods = [
    InterfaceMethod<"The quantized activation input.", "::mlir::Value",
      "getQInput", (ins), /*methodBody=*/"", /*defaultImplementation=*/[{ return $_op.getInput(); }]>,
    InterfaceMethod<"The per-tensor scale of the input.", "float",
      "getInputScaleValue", (ins), /*methodBody=*/"",
      /*defaultImplementation=*/[{ return $_op.getInputScale().convertToFloat(); }]>,
    InterfaceMethod<"One weight scale per output channel (or one for all).",
      "::llvm::ArrayRef<float>", "getWeightScaleValues", (ins), /*methodBody=*/"",
      /*defaultImplementation=*/[{ return $_op.getWeightScales(); }]>,
    InterfaceMethod<"The real value of one accumulator unit of channel `oc`.",
      "float", "getAccumulatorScale", (ins "int64_t":$oc), /*methodBody=*/"", /*defaultImplementation=*/[{
        auto ws = $_op.getWeightScales();
        return $_op.getInputScale().convertToFloat() *
               ws[ws.size() == 1 ? 0 : oc];
      }]>,
    InterfaceMethod<"The output scale, when the result is quantized.",
      "std::optional<float>", "getOutputScaleValue", (ins), /*methodBody=*/"", /*defaultImplementation=*/[{
        if (auto s = $_op.getOutputScaleAttr())
          return s.getValue().convertToFloat();
        return std::nullopt;
      }]>,
    InterfaceMethod<[{Makes the result quantized to `type` at `scale` (the
      fused requantize epilogue).}], "void", "setQuantizedResult",
      (ins "float":$scale, "::mlir::Type":$type), /*methodBody=*/"", /*defaultImplementation=*/[{
        ::mlir::Builder b($_op->getContext());
        $_op.setOutputScaleAttr(b.getF32FloatAttr(scale));
        $_op->getResult(0).setType(type);
      }]>,
    InterfaceMethod<"Whether the epilogue applies a ReLU.", "bool", "hasRelu",
      (ins), /*methodBody=*/"", /*defaultImplementation=*/[{ return $_op.getRelu(); }]>,
    InterfaceMethod<"Adds a ReLU to the epilogue.", "void", "addReluToEpilogue", (ins), /*methodBody=*/"",
      /*defaultImplementation=*/[{ $_op.setRelu(true); }]>,
  ];
}

def VGGQ_QuantCommutingOpInterface : OpInterface<"QuantCommutingOpInterface"> {
  let cppNamespace = "::vggq";
  let description = [{
    An op `f` of one tensor input that commutes with per-tensor quantization:
    `f(quantize(x, s)) == quantize(f(x), s)` exactly, for every storage type
    (they are all symmetric, zero maps to zero, and quantization is
    monotone). `f` therefore runs on quantized storage as well as on f32.
  }];
  let methods = [
    InterfaceMethod<"The one data input.", "::mlir::Value", "getDataInput",
      (ins), /*methodBody=*/"", /*defaultImplementation=*/[{ return $_op.getInput(); }]>,
    InterfaceMethod<[{Whether a per-channel quantization along `axis` of the
      input is still per-channel along the same axis of the result.}],
      "bool", "keepsQuantAxis", (ins "int64_t":$axis)>,
  ];
}

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQINTERFACES_TD
