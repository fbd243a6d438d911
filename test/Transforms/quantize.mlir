// RUN: vggq-opt %s --split-input-file --vggq-quantize=precision=fp8e4m3 | FileCheck %s --check-prefix=E4M3
// RUN: vggq-opt %s --split-input-file --vggq-quantize=precision=fp8e5m2 | FileCheck %s --check-prefix=E5M2
// RUN: vggq-opt %s --split-input-file --vggq-quantize=precision=int8 | FileCheck %s --check-prefix=INT8
// RUN: vggq-opt %s --split-input-file --vggq-quantize="precision=int8 exclude=classifier" | FileCheck %s --check-prefix=EXCL
// RUN: vggq-opt %s --split-input-file --vggq-quantize="precision=int8 precision-map=classifier:fp8e5m2,features.0:fp32" | FileCheck %s --check-prefix=MAP
// RUN: vggq-opt %s --split-input-file --vggq-quantize="precision=int8 report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: vggq-opt %s --split-input-file --vggq-quantize="precision=fp8e4m3 report=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS-FP8

// Weights 36 + 128 f32 (656 B) and biases 4 + 2 f32 (24 B) become 1-byte
// codes (164 B) and i32 biases (24 B) for INT8, f32 biases for FP8.
// STATS: remark: quantize: 2 ops quantized; weight bytes 680 -> 188
// STATS-FP8: remark: quantize: 2 ops quantized; weight bytes 680 -> 188

// Input amax 4.48: scale 0.01 for E4M3 (max 448), 7.8125e-05 for E5M2
// (max 57344), 0.0352756 for INT8 (max 127).
// Weight channel 0 has amax 2 (scale 2/448), channel 1 is all zero (a tiny
// positive scale), channel 2 amax 0.5, channel 3 amax 1.

// E4M3-LABEL: func.func @conv_relu
// E4M3-SAME: (%[[X:.*]]: tensor<?x4x4x1xf32>)
// E4M3-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 0.000000e+00, -1.000000e+00, 2.500000e-01]> : tensor<4xf32>
// Channel 0 codes: w / (2/448), E4M3-rounded (336 is a tie between 320 and 352 -> 320).
// E4M3-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}4.480000e+02], [2.240000e+02], [-2.240000e+02]], {{\[\[}}1.120000e+02], [5.600000e+01], [0.000000e+00]], {{\[\[}}-4.480000e+02], [3.200000e+02], [2.800000e+01]]], {{.*}}> : tensor<4x3x3x1xf8E4M3FN>
// E4M3: %[[Q:.*]] = vggq.quantize %[[X]] scale [1.000000e-02] : tensor<?x4x4x1xf32> -> tensor<?x4x4x1xf8E4M3FN>
// E4M3-NEXT: %[[C:.*]] = vggq.qconv2d %[[Q]], %[[W]], %[[B]] input_scale 0.00999999977 weight_scales [4.464286e-03, 5.960464e-08, 1.116071e-03, 2.232143e-03] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {{{.*}}vggq.layer = "features.0"{{.*}}} : (tensor<?x4x4x1xf8E4M3FN>, tensor<4x3x3x1xf8E4M3FN>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
// E4M3-NEXT: %[[R:.*]] = vggq.relu %[[C]] : tensor<?x4x4x4xf32>
// E4M3-NEXT: %[[F:.*]] = vggq.flatten %[[R]]
// E4M3: %[[Q2:.*]] = vggq.quantize %[[F]] scale [2.232143e-02] : tensor<?x64xf32> -> tensor<?x64xf8E4M3FN>
// E4M3-NEXT: %[[L:.*]] = vggq.qlinear %[[Q2]], %{{.*}}, %{{.*}} input_scale 0.0223214291 weight_scales
// E4M3-SAME: -> tensor<?x2xf32>
// E4M3-NEXT: return %[[L]]

// E5M2-LABEL: func.func @conv_relu
// E5M2: vggq.quantize %{{.*}} scale [7.812500e-05] : tensor<?x4x4x1xf32> -> tensor<?x4x4x1xf8E5M2>
// E5M2: vggq.qconv2d {{.*}} : (tensor<?x4x4x1xf8E5M2>, tensor<4x3x3x1xf8E5M2>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
// E5M2: vggq.qlinear {{.*}} : (tensor<?x64xf8E5M2>, tensor<2x64xf8E5M2>, tensor<2xf32>) -> tensor<?x2xf32>

// For int8 the bias is i32 at input_scale * weight_scale, round half to even.
// INT8-LABEL: func.func @conv_relu
// Channel 0: 1.0 / (2/127) = 63.5 -> 64 (half to even), 1.5 -> 95.25 -> 95.
// INT8-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}127], [64], [-64]], {{\[\[}}32], [16], [0]], {{\[\[}}-127], [95], [8]]], {{.*}}> : tensor<4x3x3x1xi8>
// Bias 1.0 at 0.0352756 * 2/127 = 1800 units; -1.0 at 0.0352756 * 0.5/127 = -7200.
// INT8-DAG: %[[B:.*]] = arith.constant dense<[1800, 0, -7200, 900]> : tensor<4xi32>
// INT8: %[[Q:.*]] = vggq.quantize %{{.*}} scale [3.527559e-02] : tensor<?x4x4x1xf32> -> tensor<?x4x4x1xi8>
// INT8-NEXT: vggq.qconv2d %[[Q]], %[[W]], %[[B]] input_scale 0.0352755897 weight_scales [1.574803e-02, 5.960464e-08, 3.937008e-03, 7.874016e-03]
// INT8-SAME: (tensor<?x4x4x1xi8>, tensor<4x3x3x1xi8>, tensor<4xi32>) -> tensor<?x4x4x4xf32>
// INT8: vggq.qlinear {{.*}} : (tensor<?x64xi8>, tensor<2x64xi8>, tensor<2xi32>) -> tensor<?x2xf32>

// Excluded layers stay FP32.
// EXCL-LABEL: func.func @conv_relu
// EXCL: vggq.qconv2d
// EXCL: vggq.linear %{{.*}}, %{{.*}}, %{{.*}} {{{.*}}vggq.layer = "classifier"{{.*}}} : (tensor<?x64xf32>, tensor<2x64xf32>, tensor<2xf32>)
// EXCL-NOT: vggq.qlinear

// Mixed precision: features.0 stays FP32, the classifier is E5M2.
// MAP-LABEL: func.func @conv_relu
// MAP: vggq.conv2d
// MAP: vggq.quantize %{{.*}} : tensor<?x64xf32> -> tensor<?x64xf8E5M2>
// MAP: vggq.qlinear {{.*}} -> tensor<?x2xf32>
func.func @conv_relu(%x: tensor<?x4x4x1xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[[[2.0], [1.0], [-1.0]], [[0.5], [0.25], [0.0]], [[-2.0], [1.5], [0.125]]],
                             [[[0.0], [0.0], [0.0]], [[0.0], [0.0], [0.0]], [[0.0], [0.0], [0.0]]],
                             [[[0.5], [0.25], [0.0]], [[0.5], [0.25], [0.0]], [[0.5], [0.25], [-0.5]]],
                             [[[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]], [[1.0], [1.0], [1.0]]]]> : tensor<4x3x3x1xf32>
  %b = arith.constant dense<[1.0, 0.0, -1.0, 0.25]> : tensor<4xf32>
  %lw = arith.constant dense<0.5> : tensor<2x64xf32>
  %lb = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %0 = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.input_amax = 4.48 : f32, vggq.layer = "features.0"}
      : (tensor<?x4x4x1xf32>, tensor<4x3x3x1xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %1 = vggq.relu %0 : tensor<?x4x4x4xf32>
  %2 = vggq.flatten %1 : tensor<?x4x4x4xf32> -> tensor<?x64xf32>
  %3 = vggq.linear %2, %lw, %lb {vggq.input_amax = 10.0 : f32, vggq.layer = "classifier"}
      : (tensor<?x64xf32>, tensor<2x64xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %3 : tensor<?x2xf32>
}
