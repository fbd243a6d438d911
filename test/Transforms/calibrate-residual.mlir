// RUN: %python %S/Inputs/make_cifar.py 4 %t.bin
// RUN: vggq-opt %s --vggq-calibrate="data=%t.bin samples=4 method=max table=%t.json" 2>%t.log | FileCheck %s
// RUN: FileCheck %s --check-prefix=LOG --implicit-check-not=warning < %t.log
// RUN: FileCheck %s --check-prefix=TABLE < %t.json
// The table written above, applied instead of running the graph.
// RUN: vggq-opt %s --vggq-calibrate="load-table=%t.json" | FileCheck %s

// A downsampling residual block. The images are constant (1.0, -1.0, -0.6,
// -0.2 after normalization), so the stem's vertical difference x[h] - x[h+1]
// is 0 everywhere but on the last row, where it is 2 * x: the block input
// (the stem's relu) has amax 2 on row 31 and is 0 on every even row, which
// is all the stride-2 subsample_pad keeps. The shortcut operand is therefore
// calibrated on the block input itself (amax 2, as block.conv1's input),
// not on the all-zero subsample.

// CHECK-LABEL: func.func @forward
// CHECK: vggq.conv2d {{.*}}vggq.input_amax = 1.000000e+00 : f32, vggq.layer = "stem"
// CHECK: vggq.conv2d {{.*}}vggq.calibration = {max = 2.000000e+00 : f32, method = "max", min = 0.000000e+00 : f32, samples = 4 : i64}, vggq.input_amax = 2.000000e+00 : f32, vggq.layer = "block.conv1"
// CHECK: vggq.subsample_pad
// CHECK-NOT: vggq.calibration
// CHECK-SAME: tensor<?x16x16x4xf32>
// CHECK: vggq.add {{.*}}vggq.calibration = {lhs_max = 3.000000e+00 : f32, lhs_min = 0.000000e+00 : f32, method = "max", rhs_max = 2.000000e+00 : f32, rhs_min = 0.000000e+00 : f32, samples = 4 : i64}, vggq.layer = "block.add", vggq.lhs_amax = 3.000000e+00 : f32, vggq.rhs_amax = 2.000000e+00 : f32}
// CHECK: vggq.avg_pool2d {{.*}}vggq.calibration = {max = 3.000000e+00 : f32, method = "max", min = 0.000000e+00 : f32, samples = 4 : i64}, vggq.input_amax = 3.000000e+00 : f32, vggq.layer = "pool"
// CHECK: vggq.linear {{.*}}vggq.layer = "fc"

// LOG: vggq-calibrate: 4/4 images

// The add's operands are "<layer>#0" and "<layer>#1".
// TABLE: "block.add#0": {
// TABLE-NEXT: "amax": 3,
// TABLE: "block.add#1": {
// TABLE-NEXT: "amax": 2,
// TABLE: "block.conv1": {
// TABLE-NEXT: "amax": 2,
// TABLE: "pool": {
// TABLE-NEXT: "amax": 3,

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x2xf32> {
    %w0 = arith.constant dense<[[[[2.0, 0.0, 0.0]], [[-2.0, 0.0, 0.0]]], [[[0.0, 0.0, 0.0]], [[0.0, 0.0, 0.0]]]]> : tensor<2x2x1x3xf32>
    %w1 = arith.constant dense<0.5> : tensor<4x3x3x2xf32>
    %wl = arith.constant dense<1.0> : tensor<2x4xf32>
    %c0 = vggq.conv2d %x, %w0 strides [1, 1] padding [0, 0, 1, 0] dilation [1, 1] {vggq.layer = "stem"}
        : (tensor<?x32x32x3xf32>, tensor<2x2x1x3xf32>) -> tensor<?x32x32x2xf32>
    %r0 = vggq.relu %c0 {vggq.layer = "stem.relu"} : tensor<?x32x32x2xf32>
    %c1 = vggq.conv2d %r0, %w1 strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "block.conv1"}
        : (tensor<?x32x32x2xf32>, tensor<4x3x3x2xf32>) -> tensor<?x16x16x4xf32>
    %s = vggq.subsample_pad %r0 strides [2, 2] channel_padding [1, 1] : tensor<?x32x32x2xf32> -> tensor<?x16x16x4xf32>
    %a = vggq.add %c1, %s {vggq.layer = "block.add"} : tensor<?x16x16x4xf32>
    %r = vggq.relu %a {vggq.layer = "block.relu"} : tensor<?x16x16x4xf32>
    %p = vggq.avg_pool2d %r kernel [16, 16] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "pool"} : tensor<?x16x16x4xf32> -> tensor<?x1x1x4xf32>
    %f = vggq.flatten %p : tensor<?x1x1x4xf32> -> tensor<?x4xf32>
    %l = vggq.linear %f, %wl {vggq.layer = "fc"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
    return %l : tensor<?x2xf32>
  }
}
