// RUN: %python %S/Inputs/make_cifar.py 16 %t.bin
// RUN: not vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin candidates=fp8e4m3,fp8e5m2 precision-map-out=%t.map table=%t.json" -o %t.out 2>&1 | FileCheck %s --check-prefix=BUDGET
// Nothing is written when the budget fails.
// RUN: not test -e %t.map
// RUN: not test -e %t.json
// RUN: not test -s %t.out
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin agreement=100.5" 2>&1 | FileCheck %s --check-prefix=RANGE
// With confidence=1 the one-sided Wilson bound of the agreement must reach
// the budget: 8 of 8 images agreeing bound it at 88.89 % only.
// RUN: not vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin confidence=1" 2>&1 | FileCheck %s --check-prefix=WILSON
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin confidence=1 agreement=85" 2>&1 >/dev/null | FileCheck %s --check-prefix=WILSONOK
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin confidence=-1" 2>&1 | FileCheck %s --check-prefix=ZRANGE
// WILSON: error: agreement budget 99.50 % cannot be met on the 8 sensitivity images: the best reachable agreement is 100.00 % (Wilson bound 88.89 % at z = 1.00) (every layer at its most accurate candidate)
// WILSONOK: remark: choose-precision: agreement 100.00 %, Wilson bound 88.89 % at z = 1.00 (budget 85.00 %
// ZRANGE: error: confidence must be a z-score in [0, 10], got -1.00
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin agreement=0" 2>&1 | FileCheck %s --check-prefix=RANGE0
// RUN: not vggq-opt %s --vggq-choose-precision="base=fp6" 2>&1 | FileCheck %s --check-prefix=BASE
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin base=fp6" 2>&1 | FileCheck %s --check-prefix=PIPEBASE
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin candidates=fp8e4m3,bf17" 2>&1 | FileCheck %s --check-prefix=CAND
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin candidates=int8,fp32" 2>&1 | FileCheck %s --check-prefix=NOBASE
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 data=%t.bin sensitivity-samples=0" 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=16 data=%t.bin" 2>&1 | FileCheck %s --check-prefix=NOIMAGES
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=100 data=%t.bin" 2>&1 >/dev/null | FileCheck %s --check-prefix=FEWER
// RUN: not vggq-opt %s --vggq-choose-precision 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED

// Model of choose-precision.mlir: E4M3 and E5M2 flip every image at the
// classifier.
// BUDGET: error: agreement budget 99.50 % cannot be met on the 8 sensitivity images: the best reachable agreement is 0.00 % (every layer at its most accurate candidate); limiting layers: 'classifier' (fp8e4m3 alone: 0.00 %, {{.*}} dB), 'features.0' (fp8e4m3 alone: 100.00 %, {{.*}} dB)
// RANGE: error: agreement must be a percentage in (0, 100], got 100.50 %
// RANGE0: error: agreement must be a percentage in (0, 100], got 0.00 %
// BASE: error: unknown base precision 'fp6' (known: fp32, fp8e4m3, fp8e5m2, int8, fp16{{.*}})
// PIPEBASE: error: unknown or unquantized precision 'fp6'
// CAND: error: unknown candidate precision 'bf17' (known: fp32, fp8e4m3, fp8e5m2, int8, fp16{{.*}})
// NOBASE: error: base 'fp8e4m3' must be one of the candidates
// COUNT: error: sensitivity-samples and batch must be positive
// NOIMAGES: error: --vggq-choose-precision: '{{.*}}' holds 16 images, none after the first 16 (the calibration images); sensitivity needs held-apart images
// FEWER: warning: '{{.*}}' holds only 16 images; measuring sensitivity on the 8 after the first 8
// UNCALIBRATED: error: layer 'features.0' has no 'vggq.input_amax': run --vggq-calibrate first

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[[[1.0, 0.0, 0.0]]], [[[0.0, 1.0, 0.0]]], [[[0.0, 0.0, 1.0]]]]> : tensor<3x1x1x3xf32>
    %lw = arith.constant dense<[[0.3, 0.3, 1.0], [0.529, 0.529, 0.529]]> : tensor<2x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<3x1x1x3xf32>) -> tensor<?x32x32x3xf32>
    %1 = vggq.max_pool2d %0 kernel [32, 32] strides [32, 32] padding [0, 0, 0, 0] {vggq.layer = "features.1"} : tensor<?x32x32x3xf32> -> tensor<?x1x1x3xf32>
    %2 = vggq.flatten %1 : tensor<?x1x1x3xf32> -> tensor<?x3xf32>
    %3 = vggq.linear %2, %lw {vggq.layer = "classifier"} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %3 : tensor<?x2xf32>
  }
}
