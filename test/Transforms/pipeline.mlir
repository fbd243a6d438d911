// RUN: %python %S/Inputs/make_cifar.py 8 %t.bin
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=int8 method=max samples=8 data=%t.bin" 2>/dev/null | FileCheck %s --check-prefixes=CHECK,INT8
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e4m3 method=mse samples=8 data=%t.bin table=%t.json" 2>/dev/null | FileCheck %s --check-prefixes=CHECK,E4M3
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e5m2 load-table=%t.json" 2>/dev/null | FileCheck %s --check-prefixes=CHECK,E5M2
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=int8 samples=8 data=%t.bin exclude=classifier" 2>/dev/null | FileCheck %s --check-prefix=EXCL
// RUN: vggq-opt --help | FileCheck %s --check-prefix=HELP

// HELP: --vggq-calibrate
// HELP: --vggq-fold-batchnorm
// HELP: --vggq-fuse-qdq
// HELP: --vggq-quantize
// HELP: --vggq-quantize-pipeline - Quantize an FP32 model: fold-bn, calibrate, quantize, fuse-qdq, canonicalize
// HELP: --method=<string>
// HELP: --precision=<string>

// fold-bn -> calibrate -> quantize -> fuse-qdq -> canonicalize: one quantize
// at the input, then only 8-bit tensors up to the f32 logits.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<?x32x32x3xf32>)
// CHECK-NOT: vggq.batch_norm
// INT8: %[[Q:.*]] = vggq.quantize %[[X]] scale [{{.*}}] : tensor<?x32x32x3xf32> -> tensor<?x32x32x3xi8>
// INT8-NEXT: %[[C:.*]] = vggq.qconv2d %[[Q]], %{{.*}}, %{{.*}} input_scale {{.*}} output_scale {{.*}} relu {{.*}}vggq.layer = "features.2"{{.*}} : (tensor<?x32x32x3xi8>, tensor<2x3x3x3xi8>, tensor<2xi32>) -> tensor<?x32x32x2xi8>
// INT8-NEXT: %[[P:.*]] = vggq.max_pool2d %[[C]] {{.*}} : tensor<?x32x32x2xi8> -> tensor<?x16x16x2xi8>
// INT8-NEXT: %[[F:.*]] = vggq.flatten %[[P]] : tensor<?x16x16x2xi8> -> tensor<?x512xi8>
// INT8-NEXT: %[[L:.*]] = vggq.qlinear %[[F]], {{.*}} : (tensor<?x512xi8>, tensor<2x512xi8>, tensor<2xi32>) -> tensor<?x2xf32>
// INT8-NEXT: return %[[L]]
// E4M3: vggq.quantize {{.*}} -> tensor<?x32x32x3xf8E4M3FN>
// E4M3-NEXT: vggq.qconv2d {{.*}} relu {{.*}} -> tensor<?x32x32x2xf8E4M3FN>
// E4M3-NEXT: vggq.max_pool2d {{.*}} -> tensor<?x16x16x2xf8E4M3FN>
// E4M3-NEXT: vggq.flatten
// E4M3-NEXT: vggq.qlinear {{.*}} -> tensor<?x2xf32>
// E5M2: vggq.quantize {{.*}} -> tensor<?x32x32x3xf8E5M2>
// E5M2-NEXT: vggq.qconv2d {{.*}}vggq.calibration = {{{.*}}method = "mse"{{.*}} -> tensor<?x32x32x2xf8E5M2>
// E5M2-NEXT: vggq.max_pool2d {{.*}} -> tensor<?x16x16x2xf8E5M2>
// CHECK-NOT: vggq.dequantize
// CHECK-NOT: vggq.requantize

// The excluded classifier stays FP32: the last qconv2d keeps an f32 result.
// EXCL: vggq.qconv2d {{.*}} relu {{.*}} -> tensor<?x32x32x2xf32>
// EXCL-NEXT: vggq.max_pool2d {{.*}} : tensor<?x32x32x2xf32> -> tensor<?x16x16x2xf32>
// EXCL: vggq.linear
module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<0.25> : tensor<2x3x3x3xf32>
    %g = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
    %o = arith.constant dense<[0.5, 0.1]> : tensor<2xf32>
    %m = arith.constant dense<[0.0, 1.0]> : tensor<2xf32>
    %v = arith.constant dense<[1.0, 4.0]> : tensor<2xf32>
    %lw = arith.constant dense<0.01> : tensor<2x512xf32>
    %lb = arith.constant dense<[0.2, -0.2]> : tensor<2xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<2x3x3x3xf32>) -> tensor<?x32x32x2xf32>
    %1 = vggq.batch_norm %0, %g, %o, %m, %v epsilon 1.0e-5 {vggq.layer = "features.1"} : tensor<?x32x32x2xf32>, tensor<2xf32>
    %2 = vggq.relu %1 {vggq.layer = "features.2"} : tensor<?x32x32x2xf32>
    %3 = vggq.max_pool2d %2 kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] {vggq.layer = "features.3"} : tensor<?x32x32x2xf32> -> tensor<?x16x16x2xf32>
    %4 = vggq.flatten %3 : tensor<?x16x16x2xf32> -> tensor<?x512xf32>
    %5 = vggq.linear %4, %lw, %lb {vggq.layer = "classifier"} : (tensor<?x512xf32>, tensor<2x512xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    return %5 : tensor<?x2xf32>
  }
}
