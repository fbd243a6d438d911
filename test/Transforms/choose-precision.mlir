// RUN: %python %S/Inputs/make_cifar.py 16 %t.bin
// Scales from images [0, 8), sensitivity and budget on images [8, 16).
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto base=fp8e4m3 agreement=99.5 samples=8 sensitivity-samples=8 data=%t.bin precision-map-out=%t.map table=%t.json" 2>%t.log | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.log
// RUN: FileCheck %s --check-prefix=MAP < %t.map
// RUN: FileCheck %s --check-prefix=TABLE < %t.json
// The written choice reproduces the model without searching again.
// RUN: vggq-opt %s --vggq-quantize-pipeline="load-table=%t.json precision-map=features.0:fp8e4m3,classifier:int8" | FileCheck %s
// With only FP32 above the base, the classifier goes to FP32 and stays.
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin candidates=fp8e4m3,fp32" 2>&1 >/dev/null | FileCheck %s --check-prefix=FP32
// A fixed layer is not searched.
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin precision-map=classifier:fp32" 2>&1 >/dev/null | FileCheck %s --check-prefix=FIXED
// Bias correction in the measurements too: the corrected all-E4M3 model
// agrees on 2 of the 8 images (0 without), still far from the budget.
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-quantize-pipeline="precision=auto samples=8 sensitivity-samples=8 data=%t.bin bias-correction=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=BC
// The standalone passes; sensitivity-begin=4 overlaps the 8 calibration
// images, which is a warning.
// RUN: vggq-opt %s --mlir-print-op-on-diagnostic=false --vggq-calibrate="samples=8 data=%t.bin" --vggq-choose-precision="sensitivity-begin=4 sensitivity-samples=8 data=%t.bin" 2>&1 >/dev/null | FileCheck %s --check-prefix=PASS

// The images are constant 1.0, -1.0, -0.6 and -0.2 (Inputs/make_cifar.py);
// the classifier sees v in all three features. Its first row has weights
// 0.3, 0.3, 1.0 (1.6 v in FP32); E4M3 and E5M2 round 0.3 to 0.2857
// (1.5714 v), INT8 to 0.2992 (1.5984 v); the second row is 0.529 in all
// three (1.587 v, exact in every format). So every 8-bit float flips the
// top-1 of every image and INT8 flips none: the classifier goes to INT8 at
// no extra cost, features.0 (exact weights) stays at the base.

// CHECK-LABEL: func.func @forward
// E4M3 features.0 writes its output straight at the INT8 classifier's scale.
// CHECK: vggq.qconv2d {{.*}}vggq.layer = "features.0"{{.*}} : (tensor<?x32x32x3xf8E4M3FN>, tensor<3x1x1x3xf8E4M3FN>) -> tensor<?x32x32x3xi8>
// CHECK: vggq.qlinear {{.*}}vggq.layer = "classifier"{{.*}} : (tensor<?x3xi8>, tensor<2x3xi8>) -> tensor<?x2xf32>

// REMARK: vggq-calibrate: 8/8 images
// REMARK: remark: choose-precision: 'features.0' -> fp8e4m3 (9216 MACs); alone on 8 images: fp8e4m3 100.00 % {{.*}} dB; fp8e5m2 100.00 % {{.*}}; int8 100.00 % {{.*}}; fp16 100.00 % {{.*}}; bf16 100.00 % {{.*}}; base: the budget holds with it
// REMARK: remark: choose-precision: 'classifier' -> int8 (6 MACs); alone on 8 images: fp8e4m3 0.00 % [[E4:.*]] dB; fp8e5m2 0.00 % {{.*}}; int8 100.00 % [[I8:[0-9.]+]] dB; fp16 100.00 % {{.*}}; bf16 100.00 % {{.*}}; promoted from fp8e4m3 at step 1: alone [[E4]] dB -> [[I8]] dB for 1.00x the cost, the best gain per cost; assignment agreement 0.00 % -> 100.00 %
// REMARK: remark: choose-precision: agreement 100.00 % (budget 99.50 %, all fp8e4m3 0.00 %) on 8 sensitivity images [8, 16) of '{{.*}}'; promoted: classifier:int8; 8-bit MACs 100.00 %; cost 1.000x all-fp8e4m3

// MAP: features.0:fp8e4m3
// MAP-NEXT: classifier:int8

// TABLE: "format": "vggq-calibration"
// TABLE: "classifier": {
// TABLE-NEXT: "amax": 1,
// TABLE: "samples": 8

// FP32: 'classifier' -> fp32 (6 MACs); alone on 8 images: fp8e4m3 0.00 % {{.*}}; promoted from fp8e4m3 at step 1: alone {{.*}} dB -> inf dB for {{.*}}x the cost, the best gain per cost; assignment agreement 0.00 % -> 100.00 %; fp8e4m3 instead would break the budget (0.00 %)
// FP32: promoted: classifier:fp32; 8-bit MACs 99.93 %

// FIXED: 'classifier' -> fp32 {{.*}} fixed by precision-map
// FIXED: agreement 100.00 % (budget 99.50 %, all fp8e4m3 100.00 %)

// BC: agreement 100.00 % (budget 99.50 %, all fp8e4m3 25.00 %) on 8 sensitivity images [8, 16){{.*}}promoted: classifier:int8

// PASS: warning: sensitivity-begin=4 overlaps the 8 calibration images
// PASS: 'classifier' -> int8
// PASS: on 8 sensitivity images [4, 12)

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
