// RUN: %python %S/Inputs/make_cifar.py 4 %t.bin
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e4m3 samples=4 data=%t.bin bias-correction=true" 2>/dev/null | FileCheck %s --check-prefix=FP8
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e4m3 samples=4 data=%t.bin" 2>/dev/null | FileCheck %s --check-prefix=FP8-OFF
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=int8 samples=4 data=%t.bin bias-correction=true" 2>/dev/null | FileCheck %s --check-prefix=INT8
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=int8 samples=4 data=%t.bin" 2>/dev/null | FileCheck %s --check-prefix=INT8-OFF
// RUN: vggq-opt %s --vggq-calibrate="samples=4 data=%t.bin bias-correction=true" 2>/dev/null | FileCheck %s --check-prefix=MEAN
// RUN: not vggq-opt %s --vggq-calibrate="samples=4 data=%t.bin" --vggq-quantize="bias-correction=true" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: vggq-opt %s --vggq-calibrate="samples=4 data=%t.bin table=%t.json" -o /dev/null 2>/dev/null
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.json bias-correction=true" 2>&1 | FileCheck %s --check-prefix=TABLE

// The images are constant 1.0, -1.0, -0.6 and -0.2 (Inputs/make_cifar.py):
// E[x] = -0.2 in every channel. The 1x1 conv pads by 1, so 34 x 34 output
// positions of which 32 x 32 read the image: every im2col column has mean
// -0.2 * 1024 / 1156 = -0.1771626.
// MEAN: vggq.conv2d {{.*}}vggq.input_col_mean = array<f32: -0.177162{{[0-9]*}}, -0.177162{{[0-9]*}}, -0.177162{{[0-9]*}}>
//
// Channel 0 has weights 0.3, 1.0, 0 (amax 1). E4M3 (scale 1/448) rounds
// 0.3 * 448 = 134.4 to 128: Wq = 0.2857143, W - Wq = 0.0142857; the bias
// 0.5 becomes 0.5 + 0.0142857 * -0.1771626 = 0.4974691. Channel 1 (-1, -1,
// -1) is exact and keeps 0.1.
// FP8: arith.constant dense<[0.49746{{[0-9]*}}, 1.000000e-01]> : tensor<2xf32>
// FP8-OFF: arith.constant dense<[5.000000e-01, 1.000000e-01]> : tensor<2xf32>
//
// For INT8 the input scale and the weight scale are 1/127, so one
// accumulator unit is 1/16129. 0.3 * 127 = 38.1 rounds to 38: W - Wq =
// 0.000787402, the bias 0.5 + 0.000787402 * -0.1771626 = 0.4998605 is
// 8062.25 units -> 8062. Uncorrected, 0.5 is 8064.5 units, just above in
// f32 (1/127 * 1/127 rounds down), -> 8065; channel 1: 1612.9 -> 1613.
// INT8: arith.constant dense<[8062, 1613]> : tensor<2xi32>
// INT8-OFF: arith.constant dense<[8065, 1613]> : tensor<2xi32>

// MISSING: error: bias-correction: layer 'features.0' has no 'vggq.input_col_mean' of 3 values: run --vggq-calibrate with bias-correction=true
// TABLE: error: bias-correction=true needs the calibration activations; a table (load-table) does not hold them

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x34x34x2xf32> {
    %w = arith.constant dense<[[[[0.3, 1.0, 0.0]]], [[[-1.0, -1.0, -1.0]]]]> : tensor<2x1x1x3xf32>
    %b = arith.constant dense<[0.5, 0.1]> : tensor<2xf32>
    %0 = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>) -> tensor<?x34x34x2xf32>
    return %0 : tensor<?x34x34x2xf32>
  }
}
