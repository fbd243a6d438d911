// RUN: vggq-opt %s --split-input-file --vggq-plan-memory 2>/dev/null | FileCheck %s

// A residual block: the block input %x has two users, the first conv and
// the residual epilogue of the second, so it stays live until the second
// conv has run. Live ranges: %x [0, 2], %c1 [1, 2], %c2 [2, end], 1024 B
// each: all three are live at op 2 and get their own bytes (were %x dead
// after conv1, %c2 would take its offset 0, as in the next case).

// CHECK-LABEL: func.func @forward
// CHECK-SAME: {vggq.bytes_per_image = 1024 : i64, vggq.offset_per_image = 0 : i64}
// CHECK-SAME: vggq.arena = {alignment = 256 : i64, bytes_per_image = 3072 : i64}
// CHECK: vggq.qconv2d {{.*}}vggq.layer = "conv1", vggq.offset_per_image = 1024 : i64
// CHECK: vggq.qconv2d {{.*}}vggq.layer = "conv2", vggq.offset_per_image = 2048 : i64
func.func @forward(%x: tensor<?x8x8x16xi8>) -> tensor<?x8x8x16xi8> {
  %w = arith.constant dense<1> : tensor<16x3x3x16xi8>
  %c1 = vggq.qconv2d %x, %w input_scale 0.05 weight_scales [0.01] output_scale 0.1 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv1"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>) -> tensor<?x8x8x16xi8>
  %c2 = vggq.qconv2d %c1, %w input_scale 0.1 weight_scales [0.01] output_scale 0.1 residual %x residual_scale 0.05 sum_scale 0.1 sum_relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv2"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>, tensor<?x8x8x16xi8>) -> tensor<?x8x8x16xi8>
  return %c2 : tensor<?x8x8x16xi8>
}

// -----

// Without the residual %x is dead after conv1: %c2 reuses its bytes.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: vggq.arena = {alignment = 256 : i64, bytes_per_image = 2048 : i64}
// CHECK: vggq.qconv2d {{.*}}vggq.layer = "conv1", vggq.offset_per_image = 1024 : i64
// CHECK: vggq.qconv2d {{.*}}vggq.layer = "conv2", vggq.offset_per_image = 0 : i64
func.func @forward(%x: tensor<?x8x8x16xi8>) -> tensor<?x8x8x16xi8> {
  %w = arith.constant dense<1> : tensor<16x3x3x16xi8>
  %c1 = vggq.qconv2d %x, %w input_scale 0.05 weight_scales [0.01] output_scale 0.1 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv1"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>) -> tensor<?x8x8x16xi8>
  %c2 = vggq.qconv2d %c1, %w input_scale 0.1 weight_scales [0.01] output_scale 0.1 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv2"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>) -> tensor<?x8x8x16xi8>
  return %c2 : tensor<?x8x8x16xi8>
}

// -----

// FP32, PyTorch's order for a downsampling block: the shortcut %s is
// computed after the second conv, whose kernel (conv + add + relu) runs at
// the add. So the conv's input %r1 stays live until the add, and neither
// the shortcut nor the chain's result (written at the add, its buffer is
// the add's) shares %r1's bytes.
// Ops: 1 conv1 (+ relu: the buffer is %r1's), 3 conv2 (runs at 5), 4 %s,
// 5 add. %x [0, 1] 4096 B, %r1 [1, 5] 4096 B, %s [4, 5] 2048 B, %a [5, end]
// 2048 B: %x at 0, %r1 at 4096; %a (placed first: conv2 comes before %s)
// and %s in %x's old bytes, at 0 and 2048.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: vggq.arena = {alignment = 256 : i64, bytes_per_image = 8192 : i64}
// CHECK: vggq.conv2d
// CHECK-NOT: vggq.offset_per_image
// CHECK-SAME: {vggq.layer = "conv1"}
// CHECK: vggq.relu {{.*}}vggq.layer = "relu1", vggq.offset_per_image = 4096 : i64
// CHECK: vggq.conv2d
// CHECK-NOT: vggq.offset_per_image
// CHECK-SAME: {vggq.layer = "conv2"}
// CHECK: vggq.subsample_pad {{.*}}vggq.layer = "shortcut", vggq.offset_per_image = 2048 : i64
// CHECK: vggq.add {{.*}}vggq.layer = "add", vggq.offset_per_image = 0 : i64
func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x4x4x32xf32> {
  %w1 = arith.constant dense<0.5> : tensor<16x3x3x16xf32>
  %w2 = arith.constant dense<0.5> : tensor<32x3x3x16xf32>
  %c1 = vggq.conv2d %x, %w1 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv1"} : (tensor<?x8x8x16xf32>, tensor<16x3x3x16xf32>) -> tensor<?x8x8x16xf32>
  %r1 = vggq.relu %c1 {vggq.layer = "relu1"} : tensor<?x8x8x16xf32>
  %c2 = vggq.conv2d %r1, %w2 strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv2"} : (tensor<?x8x8x16xf32>, tensor<32x3x3x16xf32>) -> tensor<?x4x4x32xf32>
  %s = vggq.subsample_pad %r1 strides [2, 2] channel_padding [8, 8] {vggq.layer = "shortcut"} : tensor<?x8x8x16xf32> -> tensor<?x4x4x32xf32>
  %a = vggq.add %c2, %s {vggq.layer = "add"} : tensor<?x4x4x32xf32>
  return %a : tensor<?x4x4x32xf32>
}

// -----

// An add of two FP32 convs' results: only the later conv fuses the add
// (its kernel runs at the add); the earlier one keeps its own buffer, which
// the fused kernel reads as the residual.
// CHECK-LABEL: func.func @forward
// CHECK: vggq.conv2d {{.*}}vggq.layer = "convA", vggq.offset_per_image
// CHECK: vggq.conv2d
// CHECK-NOT: vggq.offset_per_image
// CHECK-SAME: {vggq.layer = "convB"}
// CHECK: vggq.add {{.*}}vggq.layer = "add", vggq.offset_per_image
func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x8x8x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x3x3x16xf32>
  %a = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "convA"} : (tensor<?x8x8x16xf32>, tensor<16x3x3x16xf32>) -> tensor<?x8x8x16xf32>
  %b = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "convB"} : (tensor<?x8x8x16xf32>, tensor<16x3x3x16xf32>) -> tensor<?x8x8x16xf32>
  %s = vggq.add %a, %b {vggq.layer = "add"} : tensor<?x8x8x16xf32>
  return %s : tensor<?x8x8x16xf32>
}
