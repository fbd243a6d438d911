// RUN: vggq-opt %s --split-input-file --vggq-fuse-qdq=explain=true -verify-diagnostics | FileCheck %s

// conv2d of a per-tensor dequantized input and a per-channel dequantized
// INT8 constant: qconv2d of the codes with those scales, the f32 bias in i32
// units of input_scale * weight_scale (0.5 / (0.5 * 0.25) = 4, 0.25 /
// (0.5 * 0.5) = 1).
// CHECK-LABEL: func.func @conv_per_channel
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[4, 1]> : tensor<2xi32>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<1> : tensor<2x1x1x2xi8>
// CHECK: %[[C:.*]] = vggq.qconv2d %arg0, %[[W]], %[[B]] input_scale 5.000000e-01 weight_scales [2.500000e-01, 5.000000e-01] strides
// CHECK-NEXT: return %[[C]]
// expected-remark @below {{fuse-qdq: 1 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @conv_per_channel(%x: tensor<?x4x4x2xi8>) -> tensor<?x4x4x2xf32> {
  %w = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %b = arith.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %xd = vggq.dequantize %x scale [0.5] : tensor<?x4x4x2xi8> -> tensor<?x4x4x2xf32>
  %wd = vggq.dequantize %w scale [0.25, 0.5] axis 0 : tensor<2x1x1x2xi8> -> tensor<2x1x1x2xf32>
  // expected-remark @below {{fused the dequantized input (scale 0.5) and per-channel dequantized weights of 'c' (vggq.conv2d) into 'c' (vggq.qconv2d)}}
  // expected-remark @below {{'c' (vggq.qconv2d) keeps an f32 result: graph output}}
  %y = vggq.conv2d %xd, %wd, %b strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"} : (tensor<?x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>) -> tensor<?x4x4x2xf32>
  return %y : tensor<?x4x4x2xf32>
}

// -----

// linear with a per-tensor FP8 weight scale: one scale per output channel,
// the f32 bias kept (FP8 takes an f32 bias).
// CHECK-LABEL: func.func @linear_per_tensor_fp8
// CHECK: vggq.qlinear %arg0, %{{.*}}, %{{.*}} input_scale 2.000000e+00 weight_scales [1.250000e-01, 1.250000e-01, 1.250000e-01] {vggq.layer = "fc"} : (tensor<?x4xf8E4M3FN>, tensor<3x4xf8E5M2>, tensor<3xf32>) -> tensor<?x3xf32>
// expected-remark @below {{fuse-qdq: 1 fusions}}
func.func @linear_per_tensor_fp8(%x: tensor<?x4xf8E4M3FN>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf8E5M2>
  %b = arith.constant dense<1.0> : tensor<3xf32>
  %xd = vggq.dequantize %x scale [2.0] : tensor<?x4xf8E4M3FN> -> tensor<?x4xf32>
  %wd = vggq.dequantize %w scale [0.125] : tensor<3x4xf8E5M2> -> tensor<3x4xf32>
  // expected-remark @below {{fused the dequantized input (scale 2) and per-tensor dequantized weights of 'fc' (vggq.linear) into 'fc' (vggq.qlinear)}}
  // expected-remark @below {{'fc' (vggq.qlinear) keeps an f32 result: graph output}}
  %y = vggq.linear %xd, %wd, %b {vggq.layer = "fc"} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// Does not fire: INT8 input, FP8 weight.
// CHECK-LABEL: func.func @mixed_storage
// CHECK: vggq.linear
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 2 dequantize, 0 requantize}}
func.func @mixed_storage(%x: tensor<?x4xi8>) -> tensor<?x3xf32> {
  %w = arith.constant dense<1.0> : tensor<3x4xf8E4M3FN>
  // expected-remark @below {{dequantize survives: float consumer 'fc' (vggq.linear)}}
  %xd = vggq.dequantize %x scale [2.0] : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{dequantize survives: float consumer 'fc' (vggq.linear)}}
  %wd = vggq.dequantize %w scale [0.125] : tensor<3x4xf8E4M3FN> -> tensor<3x4xf32>
  // expected-remark @below {{'fc' (vggq.linear) stays f32: input storage i8 and weight storage f8E4M3FN do not make a quantized layer}}
  %y = vggq.linear %xd, %wd {vggq.layer = "fc"} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// Does not fire: the weight is dequantized along its input axis, the input
// per channel, or the weight is f32.
// CHECK-LABEL: func.func @not_per_output_channel
// CHECK-COUNT-3: vggq.linear
// expected-remark @below {{fuse-qdq: 0 fusions}}
func.func @not_per_output_channel(%x: tensor<?x4xi8>, %f: tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %w = arith.constant dense<1> : tensor<3x4xi8>
  %wf = arith.constant dense<1.0> : tensor<3x4xf32>
  // expected-remark @below {{dequantize survives: multiple users (2)}}
  %xd = vggq.dequantize %x scale [2.0] : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{dequantize survives: float consumer 'a' (vggq.linear)}}
  %wk = vggq.dequantize %w scale [0.5, 0.5, 0.5, 0.5] axis 1 : tensor<3x4xi8> -> tensor<3x4xf32>
  // expected-remark @below {{'a' (vggq.linear) stays f32: its weight is dequantized along axis 1, not per output channel (axis 0)}}
  %a = vggq.linear %xd, %wk {vggq.layer = "a"} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  // expected-remark @below {{dequantize survives: float consumer 'b' (vggq.linear)}}
  %xc = vggq.dequantize %x scale [1.0, 2.0, 3.0, 4.0] axis 1 : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{dequantize survives: float consumer 'b' (vggq.linear)}}
  %wd = vggq.dequantize %w scale [0.5] : tensor<3x4xi8> -> tensor<3x4xf32>
  // expected-remark @below {{'b' (vggq.linear) stays f32: its input is dequantized per channel; the quantized epilogue takes one input_scale}}
  %b = vggq.linear %xc, %wd {vggq.layer = "b"} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  // expected-remark @below {{'c' (vggq.linear) stays f32: its weight is f32, not a dequantized 8-bit constant}}
  %c = vggq.linear %xd, %wf {vggq.layer = "c"} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return %a, %b, %c : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}
