// RUN: vggq-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the vggq ops.

func.func @conv_input_rank(%x: tensor<32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{input must be rank 4 (NHWC), got rank 3}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x32x32x3xf32>, %w: tensor<8x27xf32>) {
  // expected-error @+1 {{weight must be rank 4 (OHWI), got rank 2}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x32x32x3xf32>, tensor<8x27xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'strides' must be two positive integers [h, w]}}
  %0 = vggq.conv2d %x, %w strides [0, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_padding(%x: tensor<1x32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'padding' must be four non-negative integers [top, left, bottom, right]}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, -1, 1, 1] dilation [1, 1] : (tensor<1x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_padding_count(%x: tensor<1x32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'padding' must be four non-negative integers [top, left, bottom, right]}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1] dilation [1, 1] : (tensor<1x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_dilation(%x: tensor<1x32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'dilation' must be two positive integers [h, w]}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 0] : (tensor<1x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x32x32x4xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels but the weight (OHWI) expects 3}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x32x32x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x32x32x3xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must have shape [8] (one per output channel), got [4]}}
  %0 = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x32x32x3xf32>, tensor<8x3x3x3xf32>, tensor<4xf32>) -> tensor<1x32x32x8xf32>
  return
}

// -----

func.func @conv_window_too_big(%x: tensor<1x2x2x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{window 3x3 (dilation 2x2) does not fit the padded input [1, 2, 2, 3]}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [2, 2] : (tensor<1x2x2x3xf32>, tensor<8x3x3x3xf32>) -> tensor<1x1x1x8xf32>
  return
}

// -----

func.func @conv_result_shape(%x: tensor<?x32x32x3xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{result shape [?, 32, 32, 8] does not match the expected shape [?, 16, 16, 8]}}
  %0 = vggq.conv2d %x, %w strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<?x32x32x8xf32>
  return
}

// -----

func.func @conv_element_type(%x: tensor<1x8x8x3xf16>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x3xf16>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @bn_params(%x: tensor<1x8x8x16xf32>, %c: tensor<8xf32>) {
  // expected-error @+1 {{scale, offset, mean and variance must have shape [16] (the channel axis), got [8]}}
  %0 = vggq.batch_norm %x, %c, %c, %c, %c epsilon 1.0e-5 : tensor<1x8x8x16xf32>, tensor<8xf32>
  return
}

// -----

func.func @bn_epsilon(%x: tensor<1x8x8x16xf32>, %c: tensor<16xf32>) {
  // expected-error @+1 {{epsilon -1 must be finite and >= 0}}
  %0 = vggq.batch_norm %x, %c, %c, %c, %c epsilon -1.0 : tensor<1x8x8x16xf32>, tensor<16xf32>
  return
}

// -----

func.func @bn_rank(%x: tensor<16xf32>, %c: tensor<16xf32>) {
  // expected-error @+1 {{input must have a batch and a channel (last) axis}}
  %0 = vggq.batch_norm %x, %c, %c, %c, %c epsilon 1.0e-5 : tensor<16xf32>, tensor<16xf32>
  return
}

// -----

func.func @pool_element_type(%x: tensor<1x8x8x16xi8>) {
  // expected-error @+1 {{result element type must equal the input's}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xf8E4M3FN>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x8x16xf32>) {
  // expected-error @+1 {{input must be rank 4 (NHWC), got rank 3}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<8x8x16xf32> -> tensor<4x4x16xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{'kernel' must be two positive integers [h, w]}}
  %0 = vggq.max_pool2d %x kernel [2] strides [2, 2] padding [0, 0, 0, 0] : tensor<1x8x8x16xf32> -> tensor<1x4x4x16xf32>
  return
}

// -----

func.func @pool_strides(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{'strides' must be two positive integers [h, w]}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [2, -2] padding [0, 0, 0, 0] : tensor<1x8x8x16xf32> -> tensor<1x4x4x16xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel (a window would hold only padding)}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [2, 0, 0, 0] : tensor<1x8x8x16xf32> -> tensor<1x5x4x16xf32>
  return
}

// -----

func.func @pool_result_shape(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{result shape [1, 8, 8, 16] does not match the expected shape [1, 4, 4, 16]}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<1x8x8x16xf32> -> tensor<1x8x8x16xf32>
  return
}

// -----

func.func @flatten_shape(%x: tensor<?x2x2x16xf32>) {
  // expected-error @+1 {{result shape [?, 32] does not match the expected shape [?, 64]}}
  %0 = vggq.flatten %x : tensor<?x2x2x16xf32> -> tensor<?x32xf32>
  return
}

// -----

func.func @flatten_rank(%x: tensor<16xf32>) {
  // expected-error @+1 {{input must have rank >= 2 (a batch axis and features)}}
  %0 = vggq.flatten %x : tensor<16xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @flatten_element_type(%x: tensor<1x2x2x4xi8>) {
  // expected-error @+1 {{result element type must equal the input's}}
  %0 = vggq.flatten %x : tensor<1x2x2x4xi8> -> tensor<1x16xf8E5M2>
  return
}

// -----

func.func @linear_rank(%x: tensor<1x2x256xf32>, %w: tensor<10x512xf32>) {
  // expected-error @+1 {{input [N, K] and weight [O, K] must be rank 2}}
  %0 = vggq.linear %x, %w : (tensor<1x2x256xf32>, tensor<10x512xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<?x256xf32>, %w: tensor<10x512xf32>) {
  // expected-error @+1 {{input has 256 features but the weight [O, K] expects 512}}
  %0 = vggq.linear %x, %w : (tensor<?x256xf32>, tensor<10x512xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<?x512xf32>, %w: tensor<10x512xf32>, %b: tensor<512xf32>) {
  // expected-error @+1 {{bias must have shape [10], got [512]}}
  %0 = vggq.linear %x, %w, %b : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<512xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<4x512xf32>, %w: tensor<10x512xf32>) {
  // expected-error @+1 {{result shape [4, 12] does not match the expected shape [4, 10]}}
  %0 = vggq.linear %x, %w : (tensor<4x512xf32>, tensor<10x512xf32>) -> tensor<4x12xf32>
  return
}

// -----

func.func @relu_types(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "vggq.relu"(%x) : (tensor<4x8xf32>) -> tensor<4x8xi8>
  return
}

// -----

func.func @scale_zero(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'scale'[0] = 0 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.quantize %x scale [0.0] : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @scale_negative(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'scale'[0] = -0.5 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.quantize %x scale [-0.5] : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>
  return
}

// -----

func.func @scale_nan(%x: tensor<4x8xf32>) {
  // NaN has no decimal spelling: the generic form gives the bit pattern.
  // expected-error @+1 {{'scale'[0] = nan is not a valid scale (must be finite and > 0)}}
  %0 = "vggq.quantize"(%x) <{scales = array<f32: 0x7FC00000>}> : (tensor<4x8xf32>) -> tensor<4x8xf8E4M3FN>
  return
}

// -----

func.func @scale_inf(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'scale'[1] = inf is not a valid scale (must be finite and > 0)}}
  %0 = "vggq.quantize"(%x) <{scales = array<f32: 1.0, 0x7F800000>, axis = 0 : i64}> : (tensor<2x8xf32>) -> tensor<2x8xf8E5M2>
  return
}

// -----

func.func @scale_empty(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'scale' must not be empty}}
  %0 = vggq.quantize %x scale [] : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @per_tensor_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{per-tensor quantization takes exactly one scale, got 2 (give 'axis' for per-channel scales)}}
  %0 = vggq.quantize %x scale [1.0, 2.0] : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @axis_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = vggq.quantize %x scale [1.0] axis 2 : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @axis_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects 4 scales along axis 0 (one per channel), got 3}}
  %0 = vggq.quantize %x scale [1.0, 2.0, 3.0] axis 0 : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @axis_dynamic(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{per-channel axis 0 must have a static size}}
  %0 = vggq.quantize %x scale [1.0] axis 0 : tensor<?x8xf32> -> tensor<?x8xi8>
  return
}

// -----

func.func @storage_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of quantized storage type registered in the precision registry (include/vggq/Precision/Formats.def) values}}
  %0 = vggq.quantize %x scale [1.0] : tensor<4x8xf32> -> tensor<4x8xf64>
  return
}

// -----

func.func @storage_type_i16(%x: tensor<4x8xi16>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of quantized storage type registered in the precision registry (include/vggq/Precision/Formats.def) values}}
  %0 = vggq.dequantize %x scale [1.0] : tensor<4x8xi16> -> tensor<4x8xf32>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{input and result shapes must be equal}}
  %0 = vggq.quantize %x scale [1.0] : tensor<4x8xf32> -> tensor<8x4xi8>
  return
}

// -----

func.func @dequantize_scale(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{'scale'[0] = -1 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.dequantize %x scale [-1.0] : tensor<4x8xi8> -> tensor<4x8xf32>
  return
}

// -----

func.func @dequantize_shape(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{input and result shapes must be equal}}
  %0 = vggq.dequantize %x scale [1.0] : tensor<4x8xi8> -> tensor<4x9xf32>
  return
}

// -----

func.func @requantize_in_scale(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{'in_scale'[0] = 0 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.requantize %x from 0.0 to 1.0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return
}

// -----

func.func @requantize_out_scale(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{'out_scale'[0] = inf is not a valid scale (must be finite and > 0)}}
  %0 = vggq.requantize %x from 1.0 to 0x7F800000 : tensor<4x8xi8> -> tensor<4x8xf8E4M3FN>
  return
}

// -----

func.func @requantize_shape(%x: tensor<4x8xi8>) {
  // expected-error @+1 {{input and result shapes must be equal}}
  %0 = vggq.requantize %x from 1.0 to 2.0 : tensor<4x8xi8> -> tensor<4x4xi8>
  return
}

// -----

func.func @qconv_mixed_int_fp8(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xf8E4M3FN>) {
  // expected-error @+1 {{input storage 'i8' and weight storage 'f8E4M3FN' must both be INT8 or both be FP8}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xf8E4M3FN>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_i32_bias_fp8(%x: tensor<1x8x8x4xf8E4M3FN>, %w: tensor<2x3x3x4xf8E4M3FN>, %b: tensor<2xi32>) {
  // expected-error @+1 {{an i32 bias needs INT8 operands (FP8 takes an f32 bias)}}
  %0 = vggq.qconv2d %x, %w, %b input_scale 1.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xf8E4M3FN>, tensor<2x3x3x4xf8E4M3FN>, tensor<2xi32>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_weight_scale_count(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{expects 2 weight scales (one per output channel) or 1, got 3}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0, 1.0, 1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_weight_scale_value(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{'weight_scales'[1] = 0 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0, 0.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_input_scale(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{'input_scale'[0] = -2 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.qconv2d %x, %w input_scale -2.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_missing_output_scale(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{a quantized result ('i8') needs an 'output_scale'}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @qconv_f32_with_output_scale(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{an f32 result takes no 'output_scale'}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] output_scale 1.0 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_output_scale_value(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{'output_scale'[0] = nan is not a valid scale (must be finite and > 0)}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] output_scale 0x7FC00000 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @qconv_shape(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x5xi8>) {
  // expected-error @+1 {{input has 4 channels but the weight (OHWI) expects 5}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x5xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qconv_float_input(%x: tensor<1x8x8x4xf32>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of quantized storage type registered in the precision registry (include/vggq/Precision/Formats.def) values}}
  %0 = vggq.qconv2d %x, %w input_scale 1.0 weight_scales [1.0] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xf32>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xf32>
  return
}

// -----

func.func @qlinear_features(%x: tensor<?x32xi8>, %w: tensor<10x64xi8>) {
  // expected-error @+1 {{input has 32 features but the weight [O, K] expects 64}}
  %0 = vggq.qlinear %x, %w input_scale 1.0 weight_scales [1.0] : (tensor<?x32xi8>, tensor<10x64xi8>) -> tensor<?x10xf32>
  return
}

// -----

func.func @qlinear_epilogue(%x: tensor<?x32xf8E5M2>, %w: tensor<10x32xf8E5M2>) {
  // expected-error @+1 {{a quantized result ('f8E5M2') needs an 'output_scale'}}
  %0 = vggq.qlinear %x, %w input_scale 1.0 weight_scales [1.0] : (tensor<?x32xf8E5M2>, tensor<10x32xf8E5M2>) -> tensor<?x10xf8E5M2>
  return
}

// -----

// The module's input normalization (found by fuzzing: a zero std fed
// infinities into calibration).
// expected-error @+1 {{'vggq.input_std'[0] = 0.000000e+00 must be finite and > 0}}
module attributes {vggq.input_mean = array<f32: 0.0, 0.0, 0.0>, vggq.input_std = array<f32: 0.0, 1.0, 1.0>} {
}

// -----

// expected-error @+1 {{'vggq.input_mean'[2] = nan must be finite}}
module attributes {vggq.input_mean = array<f32: 0.0, 0.0, 0x7FC00000>} {
}

// -----

// expected-error @+1 {{'vggq.input_std' must be a non-empty array<f32: ...>}}
module attributes {vggq.input_std = [1.0, 2.0]} {
}

// -----

func.func @mean_on_a_function() attributes {vggq.input_mean = array<f32: 0.5>} {
  // expected-error @-1 {{'vggq.input_mean' belongs on the module}}
  return
}

// -----

func.func @avg_pool_quantized_needs_scales(%x: tensor<1x8x8x4xi8>) {
  // expected-error @+1 {{on quantized storage ('i8') it needs an 'input_scale' and an 'output_scale'}}
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] input_scale 0.5 : tensor<1x8x8x4xi8> -> tensor<1x1x1x4xi8>
  return
}

// -----

func.func @avg_pool_f32_takes_no_scales(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+1 {{on f32 it takes no 'input_scale' or 'output_scale'}}
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] output_scale 0.5 : tensor<1x8x8x4xf32> -> tensor<1x1x1x4xf32>
  return
}

// -----

func.func @avg_pool_bad_scale(%x: tensor<1x8x8x4xf8E4M3FN>) {
  // expected-error @+1 {{'output_scale'[0] = -1 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] input_scale 0.5 output_scale -1.0 : tensor<1x8x8x4xf8E4M3FN> -> tensor<1x1x1x4xf8E4M3FN>
  return
}

// -----

func.func @avg_pool_shape(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+1 {{result shape [1, 2, 2, 4] does not match the expected shape [1, 1, 1, 4]}}
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] : tensor<1x8x8x4xf32> -> tensor<1x2x2x4xf32>
  return
}

// -----

func.func @avg_pool_window_too_big(%x: tensor<1x4x4x4xf32>) {
  // expected-error @+1 {{window 8x8 (dilation 1x1) does not fit the padded input [1, 4, 4, 4]}}
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] : tensor<1x4x4x4xf32> -> tensor<1x1x1x4xf32>
  return
}

// -----

func.func @avg_pool_padding_only_window(%x: tensor<1x8x8x4xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %0 = vggq.avg_pool2d %x kernel [2, 2] strides [2, 2] padding [2, 0, 0, 0] : tensor<1x8x8x4xf32> -> tensor<1x5x4x4xf32>
  return
}

// -----

func.func @subsample_pad_shape(%x: tensor<1x7x7x16xi8>) {
  // expected-error @+1 {{result shape [1, 3, 3, 32] does not match the expected shape [1, 4, 4, 32]}}
  %0 = vggq.subsample_pad %x strides [2, 2] channel_padding [8, 8] : tensor<1x7x7x16xi8> -> tensor<1x3x3x32xi8>
  return
}

// -----

func.func @subsample_pad_strides(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{'strides' must be two positive integers [h, w]}}
  %0 = vggq.subsample_pad %x strides [0, 2] channel_padding [8, 8] : tensor<1x8x8x16xf32> -> tensor<1x4x4x32xf32>
  return
}

// -----

func.func @subsample_pad_negative_padding(%x: tensor<1x8x8x16xf32>) {
  // expected-error @+1 {{'channel_padding' must be two non-negative integers [before, after]}}
  %0 = vggq.subsample_pad %x strides [2, 2] channel_padding [-8, 8] : tensor<1x8x8x16xf32> -> tensor<1x4x4x16xf32>
  return
}

// -----

func.func @subsample_pad_type(%x: tensor<1x8x8x16xi8>) {
  // expected-error @+1 {{result element type must equal the input's}}
  %0 = vggq.subsample_pad %x strides [2, 2] channel_padding [8, 8] : tensor<1x8x8x16xi8> -> tensor<1x4x4x32xf8E4M3FN>
  return
}

// -----

func.func @qadd_shapes(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x32xi8>) {
  // expected-error @+1 {{operand and result shapes must be equal, got [1, 8, 8, 16], [1, 8, 8, 32] -> [1, 8, 8, 16]}}
  %0 = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.5 output_scale 0.5 : tensor<1x8x8x16xi8>, tensor<1x8x8x32xi8> -> tensor<1x8x8x16xi8>
  return
}

// -----

func.func @qadd_bad_scale(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x16xi8>) {
  // expected-error @+1 {{'rhs_scale'[0] = 0 is not a valid scale (must be finite and > 0)}}
  %0 = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.0 output_scale 0.5 : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  return
}

// -----

func.func @qadd_f32(%a: tensor<1x8x8x16xf32>, %b: tensor<1x8x8x16xi8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of quantized storage type}}
  %0 = vggq.qadd %a, %b lhs_scale 0.5 rhs_scale 0.5 output_scale 0.5 : tensor<1x8x8x16xf32>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  return
}

// -----

func.func @qconv_residual_needs_scales(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>, %r: tensor<1x8x8x2xi8>) {
  // expected-error @+1 {{a 'residual' needs a 'residual_scale' and a 'sum_scale'}}
  %0 = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5 residual %r residual_scale 0.5 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<1x8x8x2xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @qconv_residual_shape(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>, %r: tensor<1x4x4x2xi8>) {
  // expected-error @+1 {{residual shape [1, 4, 4, 2] does not match the result shape [1, 8, 8, 2]}}
  %0 = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5 residual %r residual_scale 0.5 sum_scale 0.5 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<1x4x4x2xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @qconv_sum_relu_without_residual(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>) {
  // expected-error @+1 {{'residual_scale', 'sum_scale' and 'sum_relu' need a 'residual' operand}}
  %0 = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5 sum_relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @qconv_residual_bad_sum_scale(%x: tensor<1x8x8x4xi8>, %w: tensor<2x3x3x4xi8>, %r: tensor<1x8x8x2xi8>) {
  // expected-error @+1 {{'sum_scale'[0] = nan is not a valid scale (must be finite and > 0)}}
  %0 = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.5] output_scale 0.5 residual %r residual_scale 0.5 sum_scale 0x7FC00000 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<1x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<1x8x8x2xi8>) -> tensor<1x8x8x2xi8>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{permutation [0, 0, 1] is not a permutation of the input axes}}
  %0 = vggq.transpose %x permutation [0, 0, 1] : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{permutation [1, 0] must have one entry per input axis (3)}}
  %0 = vggq.transpose %x permutation [1, 0] : tensor<2x3x4xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_shape(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape [2, 3, 4] does not match the expected shape [4, 2, 3]}}
  %0 = vggq.transpose %x permutation [2, 0, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{input [2, 3, 4] and result [5, 5] hold different numbers of elements}}
  %0 = vggq.reshape %x : tensor<2x3x4xf32> -> tensor<5x5xf32>
  return
}

// -----

func.func @reshape_batch(%x: tensor<?x3x4xf32>) {
  // expected-error @+1 {{must be static with the same element count, or keep a dynamic batch with the same static sizes' product after it}}
  %0 = vggq.reshape %x : tensor<?x3x4xf32> -> tensor<?x4x4xf32>
  return
}

// -----

func.func @slice_out_of_range(%x: tensor<20x10xf32>) {
  // expected-error @+1 {{axis 1: 4 elements from 2 in steps of 3 do not fit size 10}}
  %0 = vggq.slice %x starts [0, 2] steps [1, 3] : tensor<20x10xf32> -> tensor<20x4xf32>
  return
}

// -----

func.func @slice_dynamic(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis 0 of dynamic size must be taken whole (start 0, step 1, a dynamic result size)}}
  %0 = vggq.slice %x starts [1, 0] steps [1, 1] : tensor<?x10xf32> -> tensor<?x10xf32>
  return
}

// -----

func.func @slice_entries(%x: tensor<20x10xf32>) {
  // expected-error @+1 {{starts, steps and the result need one entry per input axis (2)}}
  %0 = vggq.slice %x starts [0] steps [1] : tensor<20x10xf32> -> tensor<20x10xf32>
  return
}

// -----

func.func @zero_point_fp8(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'zero_point' needs INT8 (i8) storage, got 'f8E4M3FN' (FP8 storage has no zero point)}}
  %0 = vggq.quantize %x scale [1.0] zero_point [0] : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>
  return
}

// -----

func.func @zero_point_count(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{expects one zero point per scale (2), got 1}}
  %0 = vggq.quantize %x scale [1.0, 2.0] axis 0 zero_point [3] : tensor<2x8xf32> -> tensor<2x8xi8>
  return
}

// -----

func.func @zero_point_range(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{zero point 128 at index 0 is out of the INT8 range [-128, 127]}}
  %0 = vggq.quantize %x scale [1.0] zero_point [128] : tensor<4x8xf32> -> tensor<4x8xi8>
  return
}

// -----

func.func @dequantize_zero_point_range(%x: tensor<2x8xi8>) {
  // expected-error @+1 {{zero point -129 at index 1 is out of the INT8 range [-128, 127]}}
  %0 = vggq.dequantize %x scale [1.0, 2.0] axis 0 zero_point [0, -129] : tensor<2x8xi8> -> tensor<2x8xf32>
  return
}

// -----

func.func @dequantize_zero_point_fp8(%x: tensor<4x8xf8E5M2>) {
  // expected-error @+1 {{'zero_point' needs INT8 (i8) storage, got 'f8E5M2'}}
  %0 = vggq.dequantize %x scale [1.0] zero_point [1] : tensor<4x8xf8E5M2> -> tensor<4x8xf32>
  return
}

// -----

func.func @pool_dilation(%x: tensor<1x4x4x1xf32>) {
  // expected-error @+1 {{'dilation' must be two positive integers [h, w]}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] dilation [0, 2] : tensor<1x4x4x1xf32> -> tensor<1x2x2x1xf32>
  return
}

// -----

func.func @pool_dilation_shape(%x: tensor<1x4x4x1xf32>) {
  // expected-error @+1 {{result shape [1, 3, 3, 1] does not match the expected shape [1, 2, 2, 1]}}
  %0 = vggq.max_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] dilation [2, 2] : tensor<1x4x4x1xf32> -> tensor<1x3x3x1xf32>
  return
}

// -----

func.func @int_add_type(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit signless integer values}}
  %0 = vggq.int_add %a, %b : tensor<4xf32>
  return
}

// -----

func.func @pad_mode(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{mode 'wrap' is not one of constant, edge, reflect}}
  %0 = vggq.pad %x low [0, 1] high [0, 1] mode "wrap" : tensor<2x3xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_value_mode(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{a 'value' needs mode 'constant'}}
  %0 = vggq.pad %x low [0, 1] high [0, 1] mode "edge" value 1.0 : tensor<2x3xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_reflect_size(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 1: reflect pads 3, 0 must be smaller than its size 3}}
  %0 = vggq.pad %x low [0, 3] high [0, 0] mode "reflect" : tensor<2x3xf32> -> tensor<2x6xf32>
  return
}

// -----

func.func @pad_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result shape [2, 4] does not match the expected shape [2, 5]}}
  %0 = vggq.pad %x low [0, 1] high [0, 1] mode "constant" : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 1: pads -1, 1 must be non-negative}}
  %0 = vggq.pad %x low [0, -1] high [0, 1] mode "constant" : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_i32_value(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{the 'value' of an i32 pad must be an integer}}
  %0 = vggq.pad %x low [0, 1] high [0, 1] mode "constant" value 1.5 : tensor<2x3xi32> -> tensor<2x5xi32>
  return
}
