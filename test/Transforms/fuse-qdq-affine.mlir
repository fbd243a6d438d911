// RUN: vggq-opt %s --split-input-file --vggq-fuse-qdq=explain=true -verify-diagnostics | FileCheck %s
// RUN: vggq-opt %s --split-input-file --vggq-fuse-qdq | FileCheck %s --check-prefix=QUIET

// Affine (zero point) quantize/dequantize are never fused: vggq's quantized
// ops compute on symmetric storage, and relu, max-pool and padding commute
// with a quantize only when 0 maps to code 0. Each survivor says why, and
// the program still computes what the file means (its ops are unchanged).

// A Q/DQ pair with zero point 3 in front of a conv with a dequantized INT8
// weight: the conv stays f32, the quantize does not move above the relu or
// the max-pool.
// CHECK-LABEL: func.func @affine_input
// CHECK: vggq.relu
// CHECK-NEXT: vggq.max_pool2d %{{.*}} : tensor<?x4x4x2xf32> -> tensor<?x2x2x2xf32>
// CHECK-NEXT: vggq.quantize %{{.*}} scale [5.000000e-01] zero_point [3]
// CHECK-NEXT: vggq.dequantize %{{.*}} scale [5.000000e-01] zero_point [3]
// CHECK: vggq.conv2d
// QUIET-LABEL: func.func @affine_input
// QUIET-NOT: vggq.qconv2d
// QUIET: return
// expected-remark @below {{fuse-qdq: 0 fusions; left: 1 quantize, 2 dequantize, 0 requantize}}
func.func @affine_input(%x: tensor<?x4x4x2xf32>) -> tensor<?x2x2x2xf32> {
  %w = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %r = vggq.relu %x : tensor<?x4x4x2xf32>
  %p = vggq.max_pool2d %r kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x4x4x2xf32> -> tensor<?x2x2x2xf32>
  // expected-remark @below {{quantize survives: zero point [3]: an affine quantize is not fused (vggq's quantized ops compute on symmetric storage, zero point 0); it runs as it is}}
  %q = vggq.quantize %p scale [0.5] zero_point [3] : tensor<?x2x2x2xf32> -> tensor<?x2x2x2xi8>
  // expected-remark @below {{dequantize survives: it has a zero point (asymmetric storage is not fused); float consumer 'c' (vggq.conv2d)}}
  %d = vggq.dequantize %q scale [0.5] zero_point [3] : tensor<?x2x2x2xi8> -> tensor<?x2x2x2xf32>
  // expected-remark @below {{dequantize survives: float consumer 'c' (vggq.conv2d)}}
  %wd = vggq.dequantize %w scale [0.25, 0.5] axis 0 : tensor<2x1x1x2xi8> -> tensor<2x1x1x2xf32>
  // expected-remark @below {{'c' (vggq.conv2d) stays f32: its input is dequantized with a zero point (asymmetric); qconv2d/qlinear take symmetric storage}}
  %y = vggq.conv2d %d, %wd strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"} : (tensor<?x2x2x2xf32>, tensor<2x1x1x2xf32>) -> tensor<?x2x2x2xf32>
  return %y : tensor<?x2x2x2xf32>
}

// -----

// An affine output quantize of a qconv2d with an f32 result is not folded
// into its (symmetric) epilogue, and an add of affine dequantizes is no qadd.
// CHECK-LABEL: func.func @affine_output
// CHECK: vggq.qconv2d {{.*}} -> tensor<?x4x4x2xf32>
// CHECK: vggq.quantize %{{.*}} zero_point [-5]
// CHECK: vggq.add
// CHECK: vggq.quantize %{{.*}} zero_point [1]
// expected-remark @below {{fuse-qdq: 0 fusions; left: 2 quantize, 2 dequantize, 0 requantize}}
func.func @affine_output(%x: tensor<?x4x4x2xi8>, %a: tensor<?x4x4x2xi8>) -> (tensor<?x4x4x2xi8>, tensor<?x4x4x2xi8>) {
  %w = arith.constant dense<1> : tensor<2x1x1x2xi8>
  // expected-remark @below {{'c' (vggq.qconv2d) keeps an f32 result: a quantize user}}
  %c = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.25, 0.25] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"} : (tensor<?x4x4x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x4x4x2xf32>
  // expected-remark @below {{quantize survives: zero point [-5]: an affine quantize is not fused}}
  %q = vggq.quantize %c scale [0.125] zero_point [-5] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xi8>
  // expected-remark @below {{dequantize survives: it has a zero point}}
  %da = vggq.dequantize %a scale [0.5] zero_point [7] : tensor<?x4x4x2xi8> -> tensor<?x4x4x2xf32>
  // expected-remark @below {{dequantize survives: it has a zero point}}
  %db = vggq.dequantize %q scale [0.125] zero_point [-5] : tensor<?x4x4x2xi8> -> tensor<?x4x4x2xf32>
  // expected-remark @below {{stays f32}}
  %s = vggq.add %da, %db : tensor<?x4x4x2xf32>
  // expected-remark @below {{quantize survives: zero point [1]: an affine quantize is not fused}}
  %qs = vggq.quantize %s scale [0.25] zero_point [1] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xi8>
  return %q, %qs : tensor<?x4x4x2xi8>, tensor<?x4x4x2xi8>
}
