// RUN: %python %S/Inputs/make_cifar.py 2 %t.bin
// RUN: not vggq-opt %s --split-input-file --vggq-calibrate="data=%t.bin samples=2" 2>&1 | FileCheck %s

// The input shape comes from @forward; CIFAR-10 images that do not match it
// are refused before any image is run.
// CHECK: error: --vggq-calibrate: @forward takes 64x64x3 images (NHWC), but the CIFAR-10 images of '{{.*}}.bin' are 32x32x3
module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x64x64x3xf32>) -> tensor<?x64x64x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1x1x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"}
        : (tensor<?x64x64x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x64x64x2xf32>
    return %0 : tensor<?x64x64x2xf32>
  }
}

// -----

// CHECK: error: --vggq-calibrate: @forward takes 32x32x1 images (NHWC), but the CIFAR-10 images of '{{.*}}.bin' are 32x32x3
module {
  func.func @forward(%x: tensor<?x32x32x1xf32>) -> tensor<?x32x32x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"}
        : (tensor<?x32x32x1xf32>, tensor<2x1x1x1xf32>) -> tensor<?x32x32x2xf32>
    return %0 : tensor<?x32x32x2xf32>
  }
}

// -----

// CHECK: error: --vggq-calibrate needs @forward's first argument to be an NHWC image batch with static H, W and C
module {
  func.func @forward(%x: tensor<?x?x?x3xf32>) -> tensor<?x?x?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1x1x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"}
        : (tensor<?x?x?x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x?x?x2xf32>
    return %0 : tensor<?x?x?x2xf32>
  }
}

// -----

// One normalization value per input channel.
// CHECK: error: module attribute 'vggq.input_std' has 1 values, but @forward's input has 3 channels (one value per channel)
module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x32x32x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1x1x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "c"}
        : (tensor<?x32x32x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x32x32x2xf32>
    return %0 : tensor<?x32x32x2xf32>
  }
}
