//===- VGGQBase.td - vggq dialect definition ---------------*- tablegen -*-===//
//
// The vggq dialect: a CNN inference graph on ranked tensors (NHWC activations,
// OHWI convolution weights) with explicit quantize/dequantize/requantize ops
// and quantized compute ops whose epilogue carries the scales.
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQBASE_TD
#define VGGQ_DIALECT_VGGQ_IR_VGGQBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def VGGQ_Dialect : Dialect {
  let name = "vggq";
  let cppNamespace = "::vggq";
  let summary = "Quantized CNN inference graphs (FP32, FP8 E4M3/E5M2, INT8)";
  let description = [{
    The vggq dialect describes a convolutional network for inference as a
    graph of value-semantic ops on ranked tensors. Activations are NHWC and
    convolution weights are OHWI. Quantization is explicit: `vggq.quantize`
    maps `f32` to an 8-bit storage type (`f8E4M3FN`, `f8E5M2` or `i8`) with a
    per-tensor or per-channel scale, `vggq.dequantize` maps back, and
    `vggq.requantize` changes scale (and storage type) without going through
    `f32` in the program. The precision of a quantized tensor is its element
    type; the precision registry (`vggq/Precision/Precision.h`) describes each
    one (range, rounding, MMA shape, minimum SM).

    Quantized compute ops (`vggq.qconv2d`, `vggq.qlinear`) take 8-bit inputs
    and weights and carry the whole epilogue in their attributes: input scale,
    per-output-channel weight scales, bias, optional ReLU and the output scale
    with saturating conversion to the output storage type.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
  // The module's input normalization (vggq.input_mean, vggq.input_std).
  let hasOperationAttrVerify = 1;
}

/// Base class of every vggq op: value semantics, no side effects.
class VGGQ_Op<string mnemonic, list<Trait> traits = []>
    : Op<VGGQ_Dialect, mnemonic, !listconcat(traits, [Pure])>;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def VGGQ_F32Tensor : RankedTensorOf<[F32]>;

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQBASE_TD
