//===- VGGQOps.td - vggq dialect ops -----------------------*- tablegen -*-===//
//
// Graph ops (FP32 on NHWC tensors), quantization ops and quantized compute
// ops of the vggq dialect.
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD
#define VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD

include "vggq/Dialect/VGGQ/IR/VGGQBase.td"
include "vggq/Dialect/VGGQ/IR/VGGQInterfaces.td"
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

def VGGQ_ReluOp : VGGQ_Op<"relu", [SameOperandsAndResultType,
    DeclareOpInterfaceMethods<VGGQ_QuantCommutingOpInterface>]> {
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

def VGGQ_MaxPool2DOp : VGGQ_Op<"max_pool2d",
    [DeclareOpInterfaceMethods<VGGQ_QuantCommutingOpInterface>]> {
  let summary = "2-D max pooling over H and W of an NHWC tensor";
  let description = [{
    Works on f32 and on quantized storage alike (max commutes with monotone
    quantization). `padding` is `[top, left, bottom, right]`; padded cells
    never win. The optional `dilation` `[h, w]` spaces the window's cells
    (cell (i, j) reads input row `oh * stride_h - pad_top + i * dilation_h`),
    as ONNX's MaxPool `dilations`; without it the cells are adjacent.

    ```mlir
    %p = vggq.max_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0]
        dilation [2, 2] : tensor<1x4x4x1xf32> -> tensor<1x2x2x1xf32>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `kernel` $kernel `strides` $strides `padding` $padding
    (`dilation` $dilation^)? attr-dict `:` type($input) `->` type($output)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
                   "::llvm::ArrayRef<int64_t>":$kernel,
                   "::llvm::ArrayRef<int64_t>":$strides,
                   "::llvm::ArrayRef<int64_t>":$padding), [{
      build($_builder, $_state, output, input, kernel, strides, padding,
            ::mlir::DenseI64ArrayAttr());
    }]>,
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
                   "::mlir::DenseI64ArrayAttr":$kernel,
                   "::mlir::DenseI64ArrayAttr":$strides,
                   "::mlir::DenseI64ArrayAttr":$padding), [{
      build($_builder, $_state, output, input, kernel, strides, padding,
            ::mlir::DenseI64ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The dilation, [1, 1] when absent.
    ::llvm::SmallVector<int64_t, 2> getDilationOrOnes() {
      if (auto d = getDilation())
        return ::llvm::SmallVector<int64_t, 2>(d->begin(), d->end());
      return {1, 1};
    }
    /// Whether the window's cells are spaced (a dilation other than [1, 1]).
    bool isDilated() {
      auto d = getDilationOrOnes();
      return d[0] != 1 || d[1] != 1;
    }
  }];
  let hasVerifier = 1;
}

def VGGQ_AvgPool2DOp : VGGQ_Op<"avg_pool2d"> {
  let summary = "2-D average pooling over H and W of an NHWC tensor";
  let description = [{
    `output[n, oh, ow, c]` is the mean of the window's cells, summed in
    row-major window order (kh, then kw) in f32 and divided by the count in
    f32. `padding` is `[top, left, bottom, right]`; the count is the number
    of cells inside the input, or the whole window with `count_include_pad`
    (padded cells are 0). A global average pool is the window `[H, W]`.

    On quantized storage it carries `input_scale` and `output_scale` and
    means exactly `quantize(avg_pool2d(dequantize(x, input_scale)),
    output_scale)`: each cell is dequantized (`code * input_scale` in f32)
    before the sum, so the rewrite that forms it is exact.

    ```mlir
    %p = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0]
        : tensor<?x8x8x64xf32> -> tensor<?x1x1x64xf32>
    %q = vggq.avg_pool2d %xq kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0]
        input_scale 0.02 output_scale 0.01 : tensor<?x8x8x64xi8> -> tensor<?x1x1x64xi8>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       UnitAttr:$count_include_pad,
                       OptionalAttr<F32Attr>:$input_scale,
                       OptionalAttr<F32Attr>:$output_scale);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `kernel` $kernel `strides` $strides `padding` $padding
    (`count_include_pad` $count_include_pad^)?
    (`input_scale` $input_scale^)? (`output_scale` $output_scale^)?
    attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Whether the op works on quantized storage (it then has both scales).
    bool isQuantized() { return getInputScaleAttr() != nullptr; }
  }];
}

def VGGQ_SubsamplePadOp : VGGQ_Op<"subsample_pad",
    [DeclareOpInterfaceMethods<VGGQ_QuantCommutingOpInterface>]> {
  let summary = "strided subsampling of H and W, zero padding of channels";
  let description = [{
    The parameter-free shortcut of the CIFAR ResNets (PyTorch:
    `F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, lo, hi))`):
    `output[n, h, w, c] = x[n, h * sh, w * sw, c - lo]` for
    `lo <= c < lo + C`, and 0 for the `lo` channels before and the `hi`
    after. The result is `[N, ceil(H / sh), ceil(W / sw), lo + C + hi]`.
    Pure data movement: it works on f32 and on every quantized storage (the
    code of 0 is 0), and commutes with quantization.

    ```mlir
    %s = vggq.subsample_pad %x strides [2, 2] channel_padding [8, 8]
        : tensor<?x32x32x16xi8> -> tensor<?x16x16x32xi8>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$channel_padding);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `strides` $strides `channel_padding` $channel_padding attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def VGGQ_FlattenOp : VGGQ_Op<"flatten",
    [DeclareOpInterfaceMethods<VGGQ_QuantCommutingOpInterface>]> {
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

def VGGQ_TransposeOp : VGGQ_Op<"transpose"> {
  let summary = "permutes the axes of a tensor";
  let description = [{
    Output axis `k` is input axis `permutation[k]`. Pure data movement.
    Importers use it where an ONNX op reorders the axes of an activation
    (Gemm `transA`, a Flatten or Reshape read in ONNX's NCHW order of an
    NHWC tensor); the GPU lowering has no kernel for it.

    ```mlir
    %t = vggq.transpose %x permutation [0, 3, 1, 2]
        : tensor<2x4x5x3xf32> -> tensor<2x3x4x5xf32>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `permutation` $permutation attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def VGGQ_ReshapeOp : VGGQ_Op<"reshape"> {
  let summary = "the same elements, row-major, under another shape";
  let description = [{
    Both shapes are static, or both keep a dynamic batch (axis 0) and have
    static sizes after it with the same product. Pure data movement in the
    tensor's own order (an NHWC tensor is reshaped in NHWC order); importers
    of NCHW models transpose around it. The GPU lowering has no kernel for
    it.

    ```mlir
    %r = vggq.reshape %x : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def VGGQ_SliceOp : VGGQ_Op<"slice"> {
  let summary = "strided slice: along each axis, output[i] = input[start + i * step]";
  let description = [{
    One `starts` and one non-zero `steps` entry per axis (a negative step
    walks backwards); the result type gives the number of elements taken. An
    axis of dynamic size is taken whole (start 0, step 1). Pure data
    movement; importers use it for ONNX Slice of tensors other than the
    NCHW subsampling `subsample_pad` covers. The GPU lowering has no kernel
    for it.

    ```mlir
    %s = vggq.slice %x starts [0, 9, 4] steps [1, -2, 1]
        : tensor<20x10x5xf32> -> tensor<20x5x1xf32>
    ```
  }];
  let arguments = (ins VGGQ_AnyTensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$steps);
  let results = (outs VGGQ_AnyTensor:$output);
  let assemblyFormat = [{
    $input `starts` $starts `steps` $steps attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def VGGQ_PadOp : VGGQ_Op<"pad"> {
  let summary = "pads every axis of an f32 or i32 tensor: a constant, the edge or a reflection";
  let description = [{
    `low[a]` elements before and `high[a]` after axis `a` of the input (in
    the IR's layout). `mode` says what they hold, as ONNX's Pad: `constant`
    (the f32 `value`, 0 when absent), `edge` (the nearest element), or
    `reflect` (mirrored about the edge element, which is not repeated; each
    pad smaller than its axis). Pure data movement on f32, and on i32 integer
    data (ONNX's INT32 tensors; a `value` must then be an integer); the channel
    padding of the CIFAR shortcut stays `vggq.subsample_pad`, which
    commutes with quantization. The GPU lowering has no kernel for it.

    ```mlir
    %p = vggq.pad %x low [0, 1, 3, 0] high [0, 2, 4, 0] mode "constant" value 1.2
        : tensor<1x4x5x3xf32> -> tensor<1x7x12x3xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, I32]>:$input,
                       DenseI64ArrayAttr:$low, DenseI64ArrayAttr:$high,
                       StrAttr:$mode, OptionalAttr<F32Attr>:$value);
  let results = (outs RankedTensorOf<[F32, I32]>:$output);
  let assemblyFormat = [{
    $input `low` $low `high` $high `mode` $mode (`value` $value^)? attr-dict
    `:` type($input) `->` type($output)
  }];
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

def VGGQ_IntAddOp : VGGQ_Op<"int_add", [SameOperandsAndResultType, Commutative]> {
  let summary = "elementwise wrapping addition of two 8-bit integer tensors";
  let description = [{
    Integer arithmetic on integer data (ONNX's Add of INT8 or UINT8 tensors,
    with NumPy's semantics): the sum wraps modulo 256. The operands hold
    INT8 values, or with `unsigned` UINT8 values minus 128 (vggq's storage of
    UINT8), and the result holds the wrapped sum the same way:
    `wrap8(a + b)`, or with `unsigned` `wrap8((a + 128) + (b + 128)) - 128`
    taken in UINT8. Not a quantized op: there is no scale. The GPU lowering
    has no kernel for it.

    ```mlir
    %s = vggq.int_add %a, %b unsigned : tensor<3x4x5xi8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$lhs, RankedTensorOf<[I8]>:$rhs,
                       UnitAttr:$unsigned_values);
  let results = (outs RankedTensorOf<[I8]>:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs (`unsigned` $unsigned_values^)? attr-dict `:` type($output)
  }];
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

    With `zero_point` (INT8 storage only; one value per scale, each in
    [-128, 127]) the quantization is affine, as ONNX's QuantizeLinear:
    `code = clamp(round_half_even(x / scale) + zero_point, -128, 127)`, the
    full INT8 range. A UINT8 tensor of ONNX is these codes shifted by 128
    (its zero point minus 128). The fusion passes leave an affine quantize
    alone (vggq's quantized compute ops are symmetric) and the GPU lowering
    refuses it.

    ```mlir
    %a = vggq.quantize %x scale [2.0] zero_point [-44] : tensor<6xf32> -> tensor<6xi8>
    ```
  }];
  let arguments = (ins VGGQ_F32Tensor:$input, DenseF32ArrayAttr:$scales,
                       OptionalAttr<I64Attr>:$axis,
                       OptionalAttr<DenseI64ArrayAttr>:$zero_point);
  let results = (outs VGGQ_QTensor:$output);
  let assemblyFormat = [{
    $input `scale` $scales (`axis` $axis^)? (`zero_point` $zero_point^)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
                   "::mlir::DenseF32ArrayAttr":$scales, "::mlir::IntegerAttr":$axis), [{
      build($_builder, $_state, output, input, scales, axis,
            ::mlir::DenseI64ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// Whether the quantization is affine (has a zero point).
    bool hasZeroPoint() { return static_cast<bool>(getZeroPointAttr()); }
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def VGGQ_DequantizeOp : VGGQ_Op<"dequantize"> {
  let summary = "8-bit storage -> f32: q * scale (exact)";
  let description = [{
    With `zero_point` (INT8 storage only, as on `vggq.quantize`):
    `x = float(code - zero_point) * scale`, ONNX's DequantizeLinear (the
    integer difference is exact, the product rounds once).
  }];
  let arguments = (ins VGGQ_QTensor:$input, DenseF32ArrayAttr:$scales,
                       OptionalAttr<I64Attr>:$axis,
                       OptionalAttr<DenseI64ArrayAttr>:$zero_point);
  let results = (outs VGGQ_F32Tensor:$output);
  let assemblyFormat = [{
    $input `scale` $scales (`axis` $axis^)? (`zero_point` $zero_point^)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
                   "::mlir::DenseF32ArrayAttr":$scales, "::mlir::IntegerAttr":$axis), [{
      build($_builder, $_state, output, input, scales, axis,
            ::mlir::DenseI64ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// Whether the dequantization is affine (has a zero point).
    bool hasZeroPoint() { return static_cast<bool>(getZeroPointAttr()); }
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

class VGGQ_QComputeOp<string mnemonic, list<Trait> traits = []>
    : VGGQ_Op<mnemonic, !listconcat(traits, [VGGQ_QComputeOpInterface])>;

def VGGQ_QConv2DOp : VGGQ_QComputeOp<"qconv2d", [AttrSizedOperandSegments]> {
  let summary = "quantized convolution with a fused bias+relu+requantize(+residual add) epilogue";
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
    - with a `residual` (a fused `vggq.qadd`, as in a ResNet block): the
      quantized `y` is added to the residual tensor in f32,
      `v = code(y) * output_scale + code(r) * residual_scale`, then
      `sum_relu` applies `max(v, 0)` and `v` is quantized at `sum_scale`.
      This is exactly `qadd(qconv2d(...), r)`: both operands 8-bit with their
      own scales, the sum rescaled to the add's output scale.

    ```mlir
    %y = vggq.qconv2d %x, %w, %b input_scale 0.02 weight_scales [0.01, 0.03]
        output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
        : (tensor<?x8x8x4xf8E4M3FN>, tensor<2x3x3x4xf8E4M3FN>, tensor<2xf32>) -> tensor<?x8x8x2xf8E4M3FN>
    %z = vggq.qconv2d %x, %w, %b input_scale 0.02 weight_scales [0.01, 0.03]
        output_scale 0.05 residual %r residual_scale 0.04 sum_scale 0.06 sum_relu
        strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
        : (tensor<?x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>, tensor<?x8x8x2xi8>) -> tensor<?x8x8x2xi8>
    ```
  }];
  let arguments = (ins VGGQ_QTensor:$input, VGGQ_QTensor:$weight,
                       Optional<RankedTensorOf<[F32, I32]>>:$bias,
                       Optional<VGGQ_QTensor>:$residual,
                       F32Attr:$input_scale, DenseF32ArrayAttr:$weight_scales,
                       OptionalAttr<F32Attr>:$output_scale, UnitAttr:$relu,
                       OptionalAttr<F32Attr>:$residual_scale,
                       OptionalAttr<F32Attr>:$sum_scale, UnitAttr:$sum_relu,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$dilation);
  let results = (outs VGGQ_QOutTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `input_scale` $input_scale
    `weight_scales` $weight_scales (`output_scale` $output_scale^)? (`relu` $relu^)?
    (`residual` $residual^)? (`residual_scale` $residual_scale^)?
    (`sum_scale` $sum_scale^)? (`sum_relu` $sum_relu^)?
    `strides` $strides `padding` $padding `dilation` $dilation attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let builders = [
    // Without a residual (the form vggq-quantize creates).
    OpBuilder<(ins "::mlir::Type":$output, "::mlir::Value":$input,
      "::mlir::Value":$weight, "::mlir::Value":$bias,
      "::mlir::FloatAttr":$input_scale, "::mlir::DenseF32ArrayAttr":$weight_scales,
      "::mlir::FloatAttr":$output_scale, "::mlir::UnitAttr":$relu,
      "::mlir::DenseI64ArrayAttr":$strides, "::mlir::DenseI64ArrayAttr":$padding,
      "::mlir::DenseI64ArrayAttr":$dilation), [{
      build($_builder, $_state, output, input, weight, bias, ::mlir::Value(),
            input_scale, weight_scales, output_scale, relu, ::mlir::FloatAttr(),
            ::mlir::FloatAttr(), ::mlir::UnitAttr(), strides, padding, dilation);
    }]>
  ];
  let extraClassDeclaration = [{
    /// Whether the epilogue adds a residual tensor (a fused vggq.qadd).
    bool hasResidual() { return getResidual() != nullptr; }
  }];
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
}

def VGGQ_QAddOp : VGGQ_Op<"qadd"> {
  let summary = "elementwise addition of two quantized tensors, requantized";
  let description = [{
    Both operands are quantized with their own per-tensor scales; the sum is
    computed in f32 and quantized at the add's own output scale:
    `v = code(lhs) * lhs_scale + code(rhs) * rhs_scale` (two f32 products,
    one f32 sum), `relu` applies `max(v, 0)`, and the result is
    `quantize(v, output_scale)` in the result's storage type. This is exactly
    `quantize(relu?(add(dequantize(lhs), dequantize(rhs))))`; f32 addition is
    commutative, so the operand order does not change the result.

    ```mlir
    %s = vggq.qadd %a, %b lhs_scale 0.05 rhs_scale 0.04 output_scale 0.06 relu
        : tensor<?x8x8x16xi8>, tensor<?x8x8x16xi8> -> tensor<?x8x8x16xi8>
    ```
  }];
  let arguments = (ins VGGQ_QTensor:$lhs, VGGQ_QTensor:$rhs,
                       F32Attr:$lhs_scale, F32Attr:$rhs_scale,
                       F32Attr:$output_scale, UnitAttr:$relu);
  let results = (outs VGGQ_QTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `lhs_scale` $lhs_scale `rhs_scale` $rhs_scale
    `output_scale` $output_scale (`relu` $relu^)? attr-dict
    `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // VGGQ_DIALECT_VGGQ_IR_VGGQOPS_TD
