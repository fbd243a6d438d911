// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_89 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --precision fp32 --chip sm_90 --emit ptx -o %t.ptx 2>/dev/null
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx

// FP32 residual blocks. A vggq.add of a conv's result (its only user) and
// another tensor is fused into the conv's epilogue (y = acc + bias; v = y +
// r; the add's relu), whichever operand the conv is (add1: lhs, add2: rhs).
// conv2's shortcut is computed after conv2, as PyTorch orders a
// downsampling block: the chain's kernel runs at the add, after the
// shortcut's. add3 adds two tensors no conv produces: its own kernel, with
// the relu after it. The shortcut copies f32 bits, the average pool sums in
// f32 and divides by the count.

// CHECK-LABEL: gpu.func @vggq_conv_conv1(
// CHECK-SAME: vggq.mma = "simt.f32", vggq.residual_fused
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: %[[B:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[Y:.*]] = arith.addf %{{.*}}, %[[B]] : f32
// CHECK: %[[R:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[V:.*]] = arith.addf %[[Y]], %[[R]] : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[V]], %[[Z:.*]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[V]], %[[Z]] : f32
// CHECK: gpu.return

// CHECK-LABEL: gpu.func @vggq_shortcut_shortcut(
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> i32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>

// conv2: no bias, no relu between the conv and the add; no relu after it.
// CHECK-LABEL: gpu.func @vggq_conv_conv2(
// CHECK-SAME: vggq.residual_fused
// CHECK: nvvm.cp.async.wait.group 0
// CHECK: %[[R2:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: arith.addf %{{.*}}, %[[R2]] : f32
// CHECK-NOT: arith.cmpf
// CHECK: gpu.return

// CHECK-LABEL: gpu.func @vggq_add_add3(
// CHECK: %[[L:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[RR:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[S:.*]] = arith.addf %[[L]], %[[RR]] : f32
// CHECK: arith.cmpf ogt, %[[S]]
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>

// CHECK-LABEL: gpu.func @vggq_avgpool_avgpool(
// CHECK: scf.for
// CHECK: scf.for
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK-NOT: arith.mulf
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-NOT: inline_asm
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>

// The input is read by conv1 (as A and as the residual); the shortcut lives
// until add3; each kernel writes the end of its chain.
// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_conv1
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[X:[0-9]+]] : i64}, {kind = "weights", offset = {{[0-9]+}} : i64}, {kind = "weights", offset = {{[0-9]+}} : i64}, {kind = "arena", offset_per_image = [[X]] : i64}, {kind = "arena", offset_per_image = [[R1:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.layer = "conv1"
// CHECK: gpu.launch_func @vggq_kernels::@vggq_shortcut_shortcut
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[R1]] : i64}, {kind = "arena", offset_per_image = [[SC:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_conv2
// CHECK-SAME: {kind = "arena", offset_per_image = [[SC]] : i64}, {kind = "arena", offset_per_image = [[A2:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK: gpu.launch_func @vggq_kernels::@vggq_add_add3
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[A2]] : i64}, {kind = "arena", offset_per_image = [[SC]] : i64}, {kind = "arena", offset_per_image = {{[0-9]+}} : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.layer = "add3"
// CHECK: gpu.launch_func @vggq_kernels::@vggq_avgpool_avgpool
// CHECK: gpu.launch_func @vggq_kernels::@vggq_linear_fc

// PTX-LABEL: .entry vggq_add_add3(
// PTX: add.rn.f32
// PTX: max.f32
// The pool's sum starts from +0; with every cell inside, the count is the
// constant 16 and sum / 16 the exact sum * 0.0625.
// PTX-LABEL: .entry vggq_avgpool_avgpool(
// PTX: add.rn.f32 {{.*}}, 0f00000000;
// PTX: add.rn.f32
// PTX: mul.rn.f32 {{.*}}, 0f3D800000;

module {
  func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x10xf32> {
    %w1 = arith.constant dense<0.5> : tensor<16x3x3x16xf32>
    %b1 = arith.constant dense<0.25> : tensor<16xf32>
    %w2 = arith.constant dense<-0.25> : tensor<32x3x3x16xf32>
    %lw = arith.constant dense<0.125> : tensor<10x32xf32>
    %c1 = vggq.conv2d %x, %w1, %b1 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv1"} : (tensor<?x8x8x16xf32>, tensor<16x3x3x16xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
    %a1 = vggq.add %c1, %x {vggq.layer = "add1"} : tensor<?x8x8x16xf32>
    %r1 = vggq.relu %a1 {vggq.layer = "relu1"} : tensor<?x8x8x16xf32>
    %c2 = vggq.conv2d %r1, %w2 strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv2"} : (tensor<?x8x8x16xf32>, tensor<32x3x3x16xf32>) -> tensor<?x4x4x32xf32>
    %s = vggq.subsample_pad %r1 strides [2, 2] channel_padding [8, 8] {vggq.layer = "shortcut"} : tensor<?x8x8x16xf32> -> tensor<?x4x4x32xf32>
    %a2 = vggq.add %s, %c2 {vggq.layer = "add2"} : tensor<?x4x4x32xf32>
    %a3 = vggq.add %a2, %s {vggq.layer = "add3"} : tensor<?x4x4x32xf32>
    %r3 = vggq.relu %a3 {vggq.layer = "relu3"} : tensor<?x4x4x32xf32>
    %p = vggq.avg_pool2d %r3 kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "avgpool"} : tensor<?x4x4x32xf32> -> tensor<?x1x1x32xf32>
    %f = vggq.flatten %p : tensor<?x1x1x32xf32> -> tensor<?x32xf32>
    %l = vggq.linear %f, %lw {vggq.layer = "fc"} : (tensor<?x32xf32>, tensor<10x32xf32>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
