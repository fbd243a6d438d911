// RUN: %python %S/Inputs/make_cifar.py 4 %t.bin
// RUN: vggq-opt %s --vggq-calibrate="data=%t.bin samples=4 method=max table=%t.json" 2>%t.log | FileCheck %s --check-prefix=MAX
// RUN: FileCheck %s --check-prefix=PROGRESS < %t.log
// RUN: FileCheck %s --check-prefix=TABLE < %t.json
// RUN: vggq-opt %s --vggq-calibrate="data=%t.bin samples=4 batch=4 method=percentile percentile=60" 2>/dev/null | FileCheck %s --check-prefix=PCT
// RUN: vggq-opt %s --vggq-calibrate="data=%t.bin samples=4 method=entropy precision=int8" 2>/dev/null | FileCheck %s --check-prefix=ENTROPY
// RUN: vggq-opt %s --vggq-calibrate="data=%t.bin samples=4 method=mse precision=fp8e4m3" 2>/dev/null | FileCheck %s --check-prefix=MSE
// The table written above, applied instead of running the graph.
// RUN: vggq-opt %s --vggq-calibrate="load-table=%t.json" | FileCheck %s --check-prefix=MAX

// The images are constant 1.0, -1.0, -0.6 and -0.2 (Inputs/make_cifar.py).
// features.0 sees them directly; the classifier sees relu(x) (channel 0)
// and relu(-3x) = 3.0, 1.8, 0.6 (channel 1).

// MAX-LABEL: func.func @forward
// MAX: vggq.conv2d {{.*}}vggq.calibration = {max = 1.000000e+00 : f32, method = "max", min = -1.000000e+00 : f32, samples = 4 : i64}, vggq.input_amax = 1.000000e+00 : f32, vggq.layer = "features.0"
// MAX: vggq.linear {{.*}}vggq.calibration = {max = 3.000000e+00 : f32, method = "max", min = 0.000000e+00 : f32, samples = 4 : i64}, vggq.input_amax = 3.000000e+00 : f32, vggq.layer = "classifier"

// PROGRESS: vggq-calibrate: 4/4 images

// TABLE: "format": "vggq-calibration"
// TABLE: "layers": {
// TABLE: "classifier": {
// TABLE-NEXT: "amax": 3,
// TABLE: "features.0": {
// TABLE-NEXT: "amax": 1,
// TABLE: "method": "max"
// TABLE: "samples": 4
// TABLE: "version": 1

// 60% of |x| at the conv input is <= 1.0 (the maximum); at the classifier
// input 62.5% is <= 0.6, in the bin [409, 410) * 3/2048 of the histogram.
// PCT: vggq.conv2d {{.*}}method = "percentile"{{.*}}vggq.input_amax = 1.000000e+00 : f32
// PCT: vggq.linear {{.*}}method = "percentile"{{.*}}vggq.input_amax = 0.600585938 : f32

// ENTROPY: vggq.conv2d {{.*}}method = "entropy"{{.*}}vggq.input_amax =
// ENTROPY: vggq.linear {{.*}}method = "entropy"{{.*}}vggq.input_amax =
// MSE: vggq.conv2d {{.*}}method = "mse"{{.*}}vggq.input_amax =
// MSE: vggq.linear {{.*}}method = "mse"{{.*}}vggq.input_amax =

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[[[1.0, 0.0, 0.0]]], [[[-1.0, -1.0, -1.0]]]]> : tensor<2x1x1x3xf32>
    %lw = arith.constant dense<0.001> : tensor<2x2048xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x32x32x2xf32>
    %1 = vggq.relu %0 {vggq.layer = "features.1"} : tensor<?x32x32x2xf32>
    %2 = vggq.flatten %1 : tensor<?x32x32x2xf32> -> tensor<?x2048xf32>
    %3 = vggq.linear %2, %lw {vggq.layer = "classifier"} : (tensor<?x2048xf32>, tensor<2x2048xf32>) -> tensor<?x2xf32>
    return %3 : tensor<?x2xf32>
  }
}
