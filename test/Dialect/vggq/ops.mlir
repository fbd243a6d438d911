// RUN: vggq-opt %s | FileCheck %s
// RUN: vggq-opt %s --mlir-print-op-generic | vggq-opt | FileCheck %s
// RUN: vggq-opt %s --emit-bytecode | vggq-opt | FileCheck %s

// Round trip of every vggq op in its custom form.

// CHECK-LABEL: func.func @graph_ops
// CHECK-SAME: (%[[X:.*]]: tensor<?x32x32x3xf32>, %[[W:.*]]: tensor<8x3x3x3xf32>, %[[B:.*]]: tensor<8xf32>, %[[C:.*]]: tensor<8xf32>, %[[LW:.*]]: tensor<10x2048xf32>, %[[LB:.*]]: tensor<10xf32>)
func.func @graph_ops(%x: tensor<?x32x32x3xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>,
                     %c: tensor<8xf32>, %lw: tensor<10x2048xf32>, %lb: tensor<10xf32>) -> tensor<?x10xf32> {
  // CHECK: %[[CONV:.*]] = vggq.conv2d %[[X]], %[[W]], %[[B]] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x32x32x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x32x32x8xf32>
  %0 = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<?x32x32x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x32x32x8xf32>
  // CHECK-NEXT: %[[NB:.*]] = vggq.conv2d %[[X]], %[[W]] strides [2, 2] padding [0, 0, 1, 1] dilation [1, 1] : (tensor<?x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<?x16x16x8xf32>
  %nb = vggq.conv2d %x, %w strides [2, 2] padding [0, 0, 1, 1] dilation [1, 1]
      : (tensor<?x32x32x3xf32>, tensor<8x3x3x3xf32>) -> tensor<?x16x16x8xf32>
  // CHECK-NEXT: %[[BN:.*]] = vggq.batch_norm %[[CONV]], %[[C]], %[[B]], %[[B]], %[[C]] epsilon 9.99999974E-6 : tensor<?x32x32x8xf32>, tensor<8xf32>
  %1 = vggq.batch_norm %0, %c, %b, %b, %c epsilon 1.0e-5 : tensor<?x32x32x8xf32>, tensor<8xf32>
  // CHECK-NEXT: %[[R:.*]] = vggq.relu %[[BN]] : tensor<?x32x32x8xf32>
  %2 = vggq.relu %1 : tensor<?x32x32x8xf32>
  // CHECK-NEXT: %[[P:.*]] = vggq.max_pool2d %[[R]] kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x32x32x8xf32> -> tensor<?x16x16x8xf32>
  %3 = vggq.max_pool2d %2 kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x32x32x8xf32> -> tensor<?x16x16x8xf32>
  // CHECK-NEXT: %[[S:.*]] = vggq.add %[[P]], %[[NB]] : tensor<?x16x16x8xf32>
  %s = vggq.add %3, %nb : tensor<?x16x16x8xf32>
  // CHECK-NEXT: %[[F:.*]] = vggq.flatten %[[S]] : tensor<?x16x16x8xf32> -> tensor<?x2048xf32>
  %4 = vggq.flatten %s : tensor<?x16x16x8xf32> -> tensor<?x2048xf32>
  // CHECK-NEXT: %[[L:.*]] = vggq.linear %[[F]], %[[LW]], %[[LB]] : (tensor<?x2048xf32>, tensor<10x2048xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %5 = vggq.linear %4, %lw, %lb : (tensor<?x2048xf32>, tensor<10x2048xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK-NEXT: %[[SM:.*]] = vggq.softmax %[[L]] : tensor<?x10xf32>
  %6 = vggq.softmax %5 : tensor<?x10xf32>
  // CHECK-NEXT: return %[[SM]]
  return %6 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @quant_ops
func.func @quant_ops(%x: tensor<4x8x8x16xf32>, %w: tensor<2x3x3x16xf32>) -> (tensor<4x8x8x16xf32>, tensor<2x3x3x16xi8>, tensor<4x8x8x16xf8E5M2>) {
  // CHECK: vggq.quantize %{{.*}} scale [1.250000e-01] : tensor<4x8x8x16xf32> -> tensor<4x8x8x16xf8E4M3FN>
  %q = vggq.quantize %x scale [0.125] : tensor<4x8x8x16xf32> -> tensor<4x8x8x16xf8E4M3FN>
  // CHECK: vggq.quantize %{{.*}} scale [5.000000e-01, 2.500000e-01] axis 0 : tensor<2x3x3x16xf32> -> tensor<2x3x3x16xi8>
  %wq = vggq.quantize %w scale [0.5, 0.25] axis 0 : tensor<2x3x3x16xf32> -> tensor<2x3x3x16xi8>
  // CHECK: vggq.dequantize %{{.*}} scale [1.250000e-01] : tensor<4x8x8x16xf8E4M3FN> -> tensor<4x8x8x16xf32>
  %d = vggq.dequantize %q scale [0.125] : tensor<4x8x8x16xf8E4M3FN> -> tensor<4x8x8x16xf32>
  // CHECK: vggq.requantize %{{.*}} from 1.250000e-01 to 2.000000e+00 : tensor<4x8x8x16xf8E4M3FN> -> tensor<4x8x8x16xf8E5M2>
  %r = vggq.requantize %q from 0.125 to 2.0 : tensor<4x8x8x16xf8E4M3FN> -> tensor<4x8x8x16xf8E5M2>
  // CHECK: vggq.relu %{{.*}} : tensor<4x8x8x16xf8E5M2>
  %rr = vggq.relu %r : tensor<4x8x8x16xf8E5M2>
  return %d, %wq, %rr : tensor<4x8x8x16xf32>, tensor<2x3x3x16xi8>, tensor<4x8x8x16xf8E5M2>
}

// CHECK-LABEL: func.func @qcompute_ops
func.func @qcompute_ops(%x: tensor<?x8x8x4xf8E4M3FN>, %w: tensor<2x3x3x4xf8E4M3FN>, %b: tensor<2xf32>,
                        %xi: tensor<?x8x8x4xi8>, %wi: tensor<2x3x3x4xi8>, %bi: tensor<2xi32>,
                        %f: tensor<?x32xf8E5M2>, %lw: tensor<10x32xf8E4M3FN>, %lb: tensor<10xf32>)
    -> (tensor<?x8x8x2xf8E4M3FN>, tensor<?x4x4x2xi8>, tensor<?x10xf32>) {
  // CHECK: vggq.qconv2d %{{.*}}, %{{.*}}, %{{.*}} input_scale 2.000000e-02 weight_scales [1.000000e-02, 3.000000e-02] output_scale 5.000000e-02 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x8x8x4xf8E4M3FN>, tensor<2x3x3x4xf8E4M3FN>, tensor<2xf32>) -> tensor<?x8x8x2xf8E4M3FN>
  %0 = vggq.qconv2d %x, %w, %b input_scale 0.02 weight_scales [0.01, 0.03] output_scale 0.05 relu
      strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<?x8x8x4xf8E4M3FN>, tensor<2x3x3x4xf8E4M3FN>, tensor<2xf32>) -> tensor<?x8x8x2xf8E4M3FN>
  // CHECK: vggq.qconv2d %{{.*}}, %{{.*}}, %{{.*}} input_scale 1.000000e-01 weight_scales [1.000000e-01] output_scale 1.000000e+00 strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>) -> tensor<?x4x4x2xi8>
  %1 = vggq.qconv2d %xi, %wi, %bi input_scale 0.1 weight_scales [0.1] output_scale 1.0
      strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<?x8x8x4xi8>, tensor<2x3x3x4xi8>, tensor<2xi32>) -> tensor<?x4x4x2xi8>
  // Mixed FP8 flavours are allowed (mma.sync e5m2 x e4m3); an f32 result has no output scale.
  // CHECK: vggq.qlinear %{{.*}}, %{{.*}}, %{{.*}} input_scale 2.500000e-01 weight_scales [5.000000e-01] : (tensor<?x32xf8E5M2>, tensor<10x32xf8E4M3FN>, tensor<10xf32>) -> tensor<?x10xf32>
  %2 = vggq.qlinear %f, %lw, %lb input_scale 0.25 weight_scales [0.5]
      : (tensor<?x32xf8E5M2>, tensor<10x32xf8E4M3FN>, tensor<10xf32>) -> tensor<?x10xf32>
  return %0, %1, %2 : tensor<?x8x8x2xf8E4M3FN>, tensor<?x4x4x2xi8>, tensor<?x10xf32>
}

// The ResNet ops: average pool (f32 and 8-bit), the subsample-and-pad
// shortcut, the quantized add and the qconv2d epilogue with a residual.
// CHECK-LABEL: func.func @residual_ops
func.func @residual_ops(%x: tensor<?x8x8x16xf32>, %q: tensor<?x8x8x16xi8>, %w: tensor<32x3x3x16xi8>,
                        %b: tensor<32xi32>, %e: tensor<?x4x4x32xf8E4M3FN>)
    -> (tensor<?x1x1x16xf32>, tensor<?x1x1x16xi8>, tensor<?x4x4x32xi8>, tensor<?x4x4x32xf8E4M3FN>, tensor<?x4x4x32xi8>) {
  // CHECK: vggq.avg_pool2d %{{.*}} kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] : tensor<?x8x8x16xf32> -> tensor<?x1x1x16xf32>
  %0 = vggq.avg_pool2d %x kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] : tensor<?x8x8x16xf32> -> tensor<?x1x1x16xf32>
  // CHECK: vggq.avg_pool2d %{{.*}} kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] input_scale 2.000000e-02 output_scale 0.00999999977 : tensor<?x8x8x16xi8> -> tensor<?x1x1x16xi8>
  %1 = vggq.avg_pool2d %q kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] input_scale 0.02 output_scale 0.01 : tensor<?x8x8x16xi8> -> tensor<?x1x1x16xi8>
  // CHECK: vggq.subsample_pad %{{.*}} strides [2, 2] channel_padding [8, 8] : tensor<?x8x8x16xi8> -> tensor<?x4x4x32xi8>
  %2 = vggq.subsample_pad %q strides [2, 2] channel_padding [8, 8] : tensor<?x8x8x16xi8> -> tensor<?x4x4x32xi8>
  // CHECK: vggq.qadd %{{.*}}, %{{.*}} lhs_scale 5.000000e-02 rhs_scale 4.000000e-02 output_scale 6.000000e-02 relu : tensor<?x4x4x32xf8E4M3FN>, tensor<?x4x4x32xf8E4M3FN> -> tensor<?x4x4x32xf8E4M3FN>
  %3 = vggq.qadd %e, %e lhs_scale 0.05 rhs_scale 0.04 output_scale 0.06 relu : tensor<?x4x4x32xf8E4M3FN>, tensor<?x4x4x32xf8E4M3FN> -> tensor<?x4x4x32xf8E4M3FN>
  // CHECK: vggq.qconv2d %{{.*}}, %{{.*}}, %{{.*}} input_scale 1.000000e-01 weight_scales [1.000000e-01] output_scale 5.000000e-02 residual %{{.*}} residual_scale 4.000000e-02 sum_scale 6.000000e-02 sum_relu strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x8x8x16xi8>, tensor<32x3x3x16xi8>, tensor<32xi32>, tensor<?x4x4x32xi8>) -> tensor<?x4x4x32xi8>
  %4 = vggq.qconv2d %q, %w, %b input_scale 0.1 weight_scales [0.1] output_scale 0.05 residual %2 residual_scale 0.04 sum_scale 0.06 sum_relu
      strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1]
      : (tensor<?x8x8x16xi8>, tensor<32x3x3x16xi8>, tensor<32xi32>, tensor<?x4x4x32xi8>) -> tensor<?x4x4x32xi8>
  return %0, %1, %2, %3, %4 : tensor<?x1x1x16xf32>, tensor<?x1x1x16xi8>, tensor<?x4x4x32xi8>, tensor<?x4x4x32xf8E4M3FN>, tensor<?x4x4x32xi8>
}

// CHECK-LABEL: func.func @transpose_reshape
func.func @transpose_reshape(%x: tensor<2x4x5x3xf32>, %b: tensor<?x3x4xf32>) -> (tensor<6x20xf32>, tensor<?x12xf32>) {
  // CHECK-NEXT: %[[T:.*]] = vggq.transpose %{{.*}} permutation [0, 3, 1, 2] : tensor<2x4x5x3xf32> -> tensor<2x3x4x5xf32>
  %t = vggq.transpose %x permutation [0, 3, 1, 2] : tensor<2x4x5x3xf32> -> tensor<2x3x4x5xf32>
  // CHECK-NEXT: vggq.reshape %[[T]] : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
  %r = vggq.reshape %t : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
  // CHECK-NEXT: vggq.reshape %{{.*}} : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %d = vggq.reshape %b : tensor<?x3x4xf32> -> tensor<?x12xf32>
  return %r, %d : tensor<6x20xf32>, tensor<?x12xf32>
}

// CHECK-LABEL: func.func @slice
func.func @slice(%x: tensor<20x10x5xf32>, %b: tensor<?x10xf32>) -> (tensor<20x5x1xf32>, tensor<?x3xf32>) {
  // CHECK-NEXT: vggq.slice %{{.*}} starts [0, 9, 4] steps [1, -2, 1] : tensor<20x10x5xf32> -> tensor<20x5x1xf32>
  %0 = vggq.slice %x starts [0, 9, 4] steps [1, -2, 1] : tensor<20x10x5xf32> -> tensor<20x5x1xf32>
  // CHECK-NEXT: vggq.slice %{{.*}} starts [0, 1] steps [1, 3] : tensor<?x10xf32> -> tensor<?x3xf32>
  %1 = vggq.slice %b starts [0, 1] steps [1, 3] : tensor<?x10xf32> -> tensor<?x3xf32>
  return %0, %1 : tensor<20x5x1xf32>, tensor<?x3xf32>
}

// Affine (zero point) quantize/dequantize and a dilated max pool.
// CHECK-LABEL: func.func @affine_and_dilated
func.func @affine_and_dilated(%x: tensor<1x3x3x2xf32>) -> (tensor<1x3x3x2xf32>, tensor<1x1x1x2xi8>) {
  // CHECK: vggq.quantize %{{.*}} scale [2.000000e+00, 4.000000e+00] axis 3 zero_point [-44, 68] : tensor<1x3x3x2xf32> -> tensor<1x3x3x2xi8>
  %q = vggq.quantize %x scale [2.0, 4.0] axis 3 zero_point [-44, 68] : tensor<1x3x3x2xf32> -> tensor<1x3x3x2xi8>
  // CHECK: vggq.dequantize %{{.*}} scale [2.000000e+00, 4.000000e+00] axis 3 zero_point [-44, 68] : tensor<1x3x3x2xi8> -> tensor<1x3x3x2xf32>
  %d = vggq.dequantize %q scale [2.0, 4.0] axis 3 zero_point [-44, 68] : tensor<1x3x3x2xi8> -> tensor<1x3x3x2xf32>
  // CHECK: vggq.max_pool2d %{{.*}} kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] dilation [2, 2] : tensor<1x3x3x2xi8> -> tensor<1x1x1x2xi8>
  %p = vggq.max_pool2d %q kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] dilation [2, 2] : tensor<1x3x3x2xi8> -> tensor<1x1x1x2xi8>
  return %d, %p : tensor<1x3x3x2xf32>, tensor<1x1x1x2xi8>
}

// CHECK-LABEL: func.func @pad_modes
func.func @pad_modes(%x: tensor<1x4x5x3xf32>) -> (tensor<1x7x12x3xf32>, tensor<1x6x7x3xf32>) {
  // CHECK: vggq.pad %{{.*}} low [0, 1, 3, 0] high [0, 2, 4, 0] mode "constant" value 1.200000e+00 : tensor<1x4x5x3xf32> -> tensor<1x7x12x3xf32>
  %c = vggq.pad %x low [0, 1, 3, 0] high [0, 2, 4, 0] mode "constant" value 1.2 : tensor<1x4x5x3xf32> -> tensor<1x7x12x3xf32>
  // CHECK: vggq.pad %{{.*}} low [0, 1, 1, 0] high [0, 1, 1, 0] mode "reflect" : tensor<1x4x5x3xf32> -> tensor<1x6x7x3xf32>
  %r = vggq.pad %x low [0, 1, 1, 0] high [0, 1, 1, 0] mode "reflect" : tensor<1x4x5x3xf32> -> tensor<1x6x7x3xf32>
  return %c, %r : tensor<1x7x12x3xf32>, tensor<1x6x7x3xf32>
}
