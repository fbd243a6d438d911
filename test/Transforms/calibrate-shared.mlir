// REQUIRES: shared
// RUN: vggq-opt %s --vggq-calibrate="samples=20 batch=10" 2>%t.log | FileCheck %s
// RUN: FileCheck %s --check-prefix=PROGRESS < %t.log

// Without data=, calibration reads the shared training batch.
// PROGRESS: vggq-calibrate: 10/20 images
// PROGRESS-NEXT: vggq-calibrate: 20/20 images
// CHECK: vggq.conv2d {{.*}}vggq.calibration = {{{.*}}method = "max"{{.*}}samples = 20 : i64}, vggq.input_amax = {{[0-9.]+(e[+-][0-9]+)?}} : f32
module attributes {vggq.input_mean = array<f32: 0.4914, 0.4822, 0.4465>, vggq.input_std = array<f32: 0.247, 0.2435, 0.2616>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x32x32x1xf32> {
    %w = arith.constant dense<1.0> : tensor<1x1x1x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<1x1x1x3xf32>) -> tensor<?x32x32x1xf32>
    return %0 : tensor<?x32x32x1xf32>
  }
}
