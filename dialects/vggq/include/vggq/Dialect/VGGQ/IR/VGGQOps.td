//===- VGGQOps.td - vggq dialect ops -----------------------*- tablegen -*-===//
//
// Graph ops (FP32 on NHWC tensors), quantization ops and quantized compute
// ops of the vggq dialect.
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD
#define VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD

include "vggq/Dialect/VGGQ/IR/VGGQBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"

/// An element type that the precision registry knows as the storage of a
/// quantized precision (include/vggq/Precision/Formats.def).
def VGGQ_StorageElement : Type<CPred<"::vggq::isQuantStorageType($_self)">,
    "quantized storage type registered in the precision registry "
    "(include/vggq/Precision/Formats.def)">;
def VGGQ_QTensor : RankedTensorOf<[VGGQ_StorageElement]>;
def VGGQ_AnyTensor : RankedTensorOf<[F32, VGGQ_StorageElement]>;
def VGGQ_QOutTensor : RankedTensorOf<[F32, VGGQ_StorageElement]>;

//===----------------------------------------------------------------------===//
// FP32 graph ops
//===----------------------------------------------------------------------===//

def VGGQ_Conv2DOp : VGGQ_Op<"conv2d"> {
  let summary = "2-D convolution, NHWC input, OHWI weight, optional bias";
  let description = [{
    `output[n, oh, ow, o] = bias[o] + sum_{kh, kw, i} input[n, oh*sh + kh*dh - pt,
    ow*sw + kw*dw - pl, i] * weight[o, kh, kw, i]`, with zero padding.
    `padding` is `[top, left, bottom, right]` (ONNX `pads` order).

    ```mlir
    %y = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
        : (tensor<?x32x32x3xf32>, tensor<64x3x3x3xf32>, tensor<64xf32>) -> tensor<?x32x32x64xf32>
    ```
  }];
  let arguments = (ins VGGQ_F32Tensor:$input, VGGQ_F32Tensor:$weight,
                       Optional<VGGQ_F32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `strides` $strides `padding` $padding
    `dilation` $dilation attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def VGGQ_BatchNormOp : VGGQ_Op<"batch_norm", [AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["scale", "offset", "mean", "variance"]>]> {
  let summary = "inference batch normalization over the channel (last) axis";
  let description = [{
    `output = (input - mean) / sqrt(variance + epsilon) * scale + offset`, per
    channel of the last (C) axis. `--vggq-fold-batchnorm` folds it into the
    preceding convolution.
  }];
  let arguments = (ins VGGQ_F32Tensor:$input, VGGQ_F32Tensor:$scale,
                       VGGQ_F32Tensor:$offset, VGGQ_F32Tensor:$mean,
                       VGGQ_F32Tensor:$variance, F32Attr:$epsilon);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $offset `,` $mean `,` $variance `epsilon` $epsilon
    attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def VGGQ_ReluOp : VGGQ_Op<"relu", [SameOperandsAndResultType]> {
  let summary = "max(x, 0), on f32 or on quantized storage";
  let description = [{
    Elementwise `max(x, 0)`. On quantized tensors it is exact: every storage
    type here is symmetric (zero point 0), so the ReLU of the stored value is
    the ReLU of the real value.
  }];
  let arguments = (ins VGGQ_AnyTensor:$input);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def VGGQ_MaxPool2DOp : VGGQ_Op<"max_pool2d"> {
  let summary = "2-D max pooling over H and W of an NHWC tensor";
  let description = [{
    Works on f32 and on quantized storage alike (max commutes with monotone
    quantization). `padding` is `[top, left, bottom, right]`; padded cells
    never win.
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `kernel` $kernel `strides` $strides `padding` $padding attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def VGGQ_FlattenOp : VGGQ_Op<"flatten"> {
  let summary = "collapse all but the batch dimension, in the tensor's own order";
  let description = [{
    `[N, d1, ..., dk] -> [N, d1*...*dk]`, row-major in the tensor's own (NHWC)
    order. Importers of NCHW models permute the next linear layer's weight so
    that results match the source model.
  }];
  let arguments = (ins VGGQ_AnyTensor:$input);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def VGGQ_LinearOp : VGGQ_Op<"linear"> {
  let summary = "fully connected layer: input [N, K], weight [O, K], bias [O]";
  let arguments = (ins VGGQ_F32Tensor:$input, VGGQ_F32Tensor:$weight,
                       Optional<VGGQ_F32Tensor>:$bias);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def VGGQ_SoftmaxOp : VGGQ_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax over the last axis";
  let arguments = (ins VGGQ_F32Tensor:$input);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def VGGQ_AddOp : VGGQ_Op<"add", [SameOperandsAndResultType, Commutative]> {
  let summary = "elementwise addition of two f32 tensors of the same shape";
  let arguments = (ins VGGQ_F32Tensor:$lhs, VGGQ_F32Tensor:$rhs);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

def VGGQ_QuantizeOp : VGGQ_Op<"quantize"> {
  let summary = "f32 -> 8-bit storage: round(x / scale), saturated";
  let description = [{
    Per tensor (one scale, no `axis`) or per channel (`axis` names the
    dimension, one scale per index). The storage type is the result element
    type; its rounding and saturation come from the precision registry: FP8
    rounds to nearest even and saturates to the largest finite value, INT8
    rounds half to even and clamps to [-127, 127].

    ```mlir
    %q = vggq.quantize %x scale [0.0125] : tensor<?x32x32x3xf32> -> tensor<?x32x32x3xf8E4M3FN>
    %w = vggq.quantize %wf scale [0.5, 0.25] axis 0 : tensor<2x3x3x3xf32> -> tensor<2x3x3x3xi8>
    ```
  }];
  let arguments = (ins VGGQ_F32Tensor:$input, DenseF32ArrayAttr:$scales,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs VGGQ_QTensor:$output);
  let assemblyFormat = [{
    $input `scale` $scales (`axis` $axis^)? attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def VGGQ_DequantizeOp : VGGQ_Op<"dequantize"> {
  let summary = "8-bit storage -> f32: q * scale (exact)";
  let arguments = (ins VGGQ_QTensor:$input, DenseF32ArrayAttr:$scales,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = [{
    $input `scale` $scales (`axis` $axis^)? attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def VGGQ_RequantizeOp : VGGQ_Op<"requantize"> {
  let summary = "change the scale (and storage type) of a quantized tensor";
  let description = [{
    Means `quantize(dequantize(x, in_scales), out_scales)`: the value is
    rescaled in f32 and rounded once, with the output type's rounding and
    saturation. Both sides are per tensor (one scale each).
  }];
  let arguments = (ins VGGQ_QTensor:$input, F32Attr:$in_scale, F32Attr:$out_scale);
  let results = (outs VGGQ_QTensor:$output);
  let assemblyFormat = [{
    $input `from` $in_scale `to` $out_scale attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantized compute ops
//===----------------------------------------------------------------------===//

class VGGQ_QComputeOp<string mnemonic> : VGGQ_Op<mnemonic> {
  code extraQComputeDecl = [{
    /// The real value of one accumulator unit for output channel `oc`.
    float getAccumulatorScale(int64_t oc) {
      auto ws = getWeightScales();
      return getInputScale().convertToFloat() * ws[ws.size() == 1 ? 0 : oc];
    }
  }];
}

def VGGQ_QConv2DOp : VGGQ_QComputeOp<"qconv2d"> {
  let summary = "quantized convolution with a fused bias+relu+requantize epilogue";
  let description = [{
    Inputs and weights are 8-bit (both INT8, or both FP8 of either flavour).
    The accumulator is `sum(q_in * q_w)`, exact in i32 for INT8 and in f32 for
    FP8. The epilogue, per output channel `o`:

    - f32 bias: `y = acc * input_scale * weight_scales[o] + bias[o]`
    - i32 bias (INT8 only, at `input_scale * weight_scales[o]`):
      `y = (acc + bias[o]) * input_scale * weight_scales[o]`
    - `relu`: `y = max(y, 0)`
    - with `output_scale`: the result is quantized to the output storage type
      (`y / output_scale`, rounded and saturated); without it the result is f32.

    ```mlir
    %y = vggq.qconv2d %x, %w, %b input_scale 0.02 weight_scales [0.01, 0.03]
        output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
        : (tensor<?x8x8x4xf8E4M3FN>, tensor<2x3x3x4xf8E4M3FN>, tensor<2xf32>) -> tensor<?x8x8x2xf8E4M3FN>
    ```
  }];
  let arguments = (ins VGGQ_QTensor:$input, VGGQ_QTensor:$weight,
                       Optional<RankedTensorOf<[F32, I32]>>:$bias,
                       F32Attr:$input_scale, DenseF32ArrayAttr:$weight_scales,
                       OptionalAttr<F32Attr>:$output_scale, UnitAttr:$relu,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation);
  let results = (outs VGGQ_QOutTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `input_scale` $input_scale
    `weight_scales` $weight_scales (`output_scale` $output_scale^)? (`relu` $relu^)?
    `strides` $strides `padding` $padding `dilation` $dilation attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = extraQComputeDecl;
}

def VGGQ_QLinearOp : VGGQ_QComputeOp<"qlinear"> {
  let summary = "quantized fully connected layer with a fused epilogue";
  let description = [{
    Input `[N, K]` and weight `[O, K]` are 8-bit; the epilogue is the one of
    `vggq.qconv2d`.
  }];
  let arguments = (ins VGGQ_QTensor:$input, VGGQ_QTensor:$weight,
                       Optional<RankedTensorOf<[F32, I32]>>:$bias,
                       F32Attr:$input_scale, DenseF32ArrayAttr:$weight_scales,
                       OptionalAttr<F32Attr>:$output_scale, UnitAttr:$relu);
  let results = (outs VGGQ_QOutTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `input_scale` $input_scale
    `weight_scales` $weight_scales (`output_scale` $output_scale^)? (`relu` $relu^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = extraQComputeDecl;
}

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD
