// RUN: %python %S/Inputs/make_cifar.py 4 %t.bin
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e4m3 samples=4 data=%t.bin explain=true" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARKS
// RUN: vggq-opt %s --vggq-quantize-pipeline="precision=fp8e4m3 samples=4 data=%t.bin" 2>/dev/null | FileCheck %s

// A residual block the VGG16 path never sees: the add is a float consumer,
// so the convs feeding it keep f32 results and the add's result is
// quantized again for the next conv.
// CHECK-LABEL: func.func @forward
// CHECK: %[[Q0:.*]] = vggq.quantize %{{.*}} -> tensor<?x32x32x3xf8E4M3FN>
// CHECK-NEXT: %[[A:.*]] = vggq.qconv2d %[[Q0]], {{.*}} -> tensor<?x32x32x3xf32>
// CHECK-NEXT: %[[S:.*]] = vggq.add %[[A]], %{{.*}} : tensor<?x32x32x3xf32>
// CHECK-NEXT: %[[Q1:.*]] = vggq.quantize %[[S]]
// CHECK-NEXT: vggq.qconv2d %[[Q1]], {{.*}} -> tensor<?x32x32x2xf32>

// REMARKS-DAG: remark: 'block.conv' (vggq.qconv2d) keeps an f32 result: float consumer 'vggq.add'
// REMARKS-DAG: remark: quantize survives: non-commuting producer 'vggq.add' (its f32 result must be quantized)
// REMARKS-DAG: remark: quantize survives: graph input
// REMARKS-DAG: remark: fuse-qdq: {{[0-9]+}} fusions; left: 2 quantize, 0 dequantize, 0 requantize
module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x32x32x2xf32> {
    %w = arith.constant dense<0.1> : tensor<3x1x1x3xf32>
    %w2 = arith.constant dense<0.2> : tensor<2x1x1x3xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
        : (tensor<?x32x32x3xf32>, tensor<3x1x1x3xf32>) -> tensor<?x32x32x3xf32>
    %1 = vggq.add %0, %x : tensor<?x32x32x3xf32>
    %2 = vggq.conv2d %1, %w2 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "head"}
        : (tensor<?x32x32x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x32x32x2xf32>
    return %2 : tensor<?x32x32x2xf32>
  }
}
