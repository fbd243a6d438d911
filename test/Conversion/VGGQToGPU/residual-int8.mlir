// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_90 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --chip sm_90 --emit ptx -o %t.ptx 2>/dev/null
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx

// An INT8 residual graph: a basic block whose second conv adds the block
// input in its epilogue (qconv2d residual), the subsample_pad shortcut of a
// downsampling block, a residual conv reading it, a standalone qadd, a
// global average pool and the classifier.

// The residual conv: one more pointer argument (A, B, scale, residual, out,
// batch; no bias). Epilogue: the conv's own code at output_scale 0.08
// (cvt.rni, clamped), decoded back and multiplied by 0.08; the residual's
// two codes (one 16-bit load), decoded and multiplied by residual_scale
// 0.05; the sum, the sum_relu, the code of v / sum_scale 0.12.
// CHECK-LABEL: gpu.func @vggq_conv_layer1_0_conv2(
// CHECK-SAME: %{{[^:]*}}: !llvm.ptr<1>, %{{[^:]*}}: !llvm.ptr<1>, %{{[^:]*}}: !llvm.ptr<1>, %[[RES:[^:]*]]: !llvm.ptr<1>, %{{[^:]*}}: !llvm.ptr<1>, %{{[^:]*}}: i32) kernel
// CHECK-SAME: vggq.residual_fused
// CHECK: arith.constant 8.000000e-02 : f32
// CHECK: %[[Q0:.*]] = llvm.inline_asm asm_dialect = att "cvt.rni.s32.f32 $0, $1;", "=r,f"
// CHECK: arith.maxsi %[[Q0]], %c-127_i32
// CHECK: %[[T1:.*]] = arith.mulf %{{.*}}, %[[OS:.*]] : f32
// CHECK: llvm.getelementptr %[[RES]][%{{.*}}] : (!llvm.ptr<1>, i64) -> !llvm.ptr<1>, i8
// CHECK-NEXT: %[[PAIR:.*]] = llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> i16
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK-NEXT: arith.sitofp
// CHECK-NEXT: %[[T2:.*]] = arith.mulf %{{.*}}, %[[RS:.*]] : f32
// CHECK: %[[V:.*]] = arith.addf %[[T1]], %[[T2]] : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[V]], %[[Z:.*]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[V]], %[[Z]] : f32
// CHECK: %[[SS:.*]] = arith.constant 1.200000e-01 : f32
// CHECK: arith.divf %{{.*}}, %[[SS]] : f32
// CHECK: "cvt.rni.s32.f32 $0, $1;"
// CHECK: gpu.return

// The shortcut copies 4-byte units (16 channels at offset 8: 4 of 8 units
// per output pixel hold data, the others are zero).
// CHECK-LABEL: gpu.func @vggq_shortcut_layer2_0_shortcut(
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c4_i32
// CHECK: %[[U:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> i32
// CHECK: arith.select %[[IN]], %[[U]], %c0_i32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<1>

// The standalone qadd: two decoded, scaled operands, their sum, the relu,
// the code at output_scale 0.25 (a power of two: x / 0.25 is x * 4).
// CHECK-LABEL: gpu.func @vggq_add_layer2_0_add(%{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: i32)
// CHECK: %[[L:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[S:.*]] = arith.addf %[[L]], %[[R]] : f32
// CHECK: arith.cmpf ogt, %[[S]]
// CHECK: arith.divf
// CHECK: "cvt.rni.s32.f32 $0, $1;"
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 1 : i64} : i8, !llvm.ptr<1>

// The global average pool: the 4 x 4 window in row-major order, each cell
// decoded and multiplied by input_scale before the f32 sum, cells outside
// skipped and not counted; sum / count, then the code of / output_scale.
// CHECK-LABEL: gpu.func @vggq_avgpool_avgpool(
// CHECK: scf.for %{{.*}} = %c0_i32{{.*}} to %c4_i32
// CHECK: scf.for %{{.*}} = %c0_i32{{.*}} to %c4_i32
// CHECK: llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr<1> -> i8
// CHECK: %[[X:.*]] = arith.mulf
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC:.*]], %[[X]] : f32
// CHECK-NEXT: arith.select %{{.*}}, %[[SUM]], %[[ACC]] : f32
// CHECK: %[[CNT:.*]] = arith.sitofp
// CHECK-NEXT: %[[AVG:.*]] = arith.divf %{{.*}}, %[[CNT]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.constant 5.000000e-02 : f32
// CHECK-NEXT: arith.divf %[[AVG]], %[[OUT]] : f32
// CHECK-NEXT: "cvt.rni.s32.f32 $0, $1;"

// The launches: the residual conv reads the quantized input (the block's
// shortcut, live across both convs at its own offset), the shortcut
// kernel's result stays live until the standalone add reads it.
// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_quantize_input
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = [[Q:[0-9]+]] : i64, scale = 5.000000e-02 : f32
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_layer1_0_conv1
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = [[C1:[0-9]+]] : i64
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_layer1_0_conv2
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[C1]] : i64}, {kind = "weights", offset = {{[0-9]+}} : i64}, {kind = "weights", offset = {{[0-9]+}} : i64}, {kind = "arena", offset_per_image = [[Q]] : i64}, {kind = "arena", offset_per_image = [[C2:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = [[C2]] : i64, scale = 1.200000e-01 : f32, shape = array<i64: -1, 8, 8, 16>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_shortcut_layer2_0_shortcut
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[C2]] : i64}, {kind = "arena", offset_per_image = [[SC:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.grid = {rows_per_image = 128 : i64, tile_rows = 256 : i64, y = 1 : i64, z = 1 : i64}
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = [[SC]] : i64, scale = 1.200000e-01 : f32, shape = array<i64: -1, 4, 4, 32>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_layer2_0_conv2
// CHECK-SAME: {kind = "arena", offset_per_image = [[SC]] : i64}, {kind = "arena", offset_per_image = [[C4:[0-9]+]] : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = [[C4]] : i64, scale = 2.000000e-01 : f32
// CHECK: gpu.launch_func @vggq_kernels::@vggq_add_layer2_0_add
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = [[C4]] : i64}, {kind = "arena", offset_per_image = [[SC]] : i64}, {kind = "arena", offset_per_image = {{[0-9]+}} : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = {{[0-9]+}} : i64, scale = 2.500000e-01 : f32
// CHECK: gpu.launch_func @vggq_kernels::@vggq_avgpool_avgpool
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = {{[0-9]+}} : i64, scale = 5.000000e-02 : f32, shape = array<i64: -1, 1, 1, 32>}

// In the PTX of the residual conv: the 16-bit residual load, separate
// mul.rn / add.rn (no fma contraction anywhere in the kernel), div.rn and
// the conversion.
// PTX-LABEL: .entry vggq_conv_layer1_0_conv2(
// PTX-NOT: fma.rn
// PTX: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// PTX-NOT: fma.rn
// PTX: cvt.rni.s32.f32
// PTX-NOT: fma.rn
// PTX: mul.rn.f32 {{.*}}, 0f3DA3D70A;
// PTX-NOT: fma.rn
// PTX: ld.global.b16
// PTX-NOT: fma.rn
// PTX: mul.rn.f32 {{.*}}, 0f3D4CCCCD;
// PTX-NOT: fma.rn
// PTX: add.rn.f32
// PTX-NOT: fma.rn
// PTX: div.rn.f32 {{.*}}, 0f3DF5C28F;
// PTX-NOT: fma.rn
// PTX: cvt.rni.s32.f32
// PTX-NOT: fma.rn
// PTX: .entry vggq_shortcut_layer2_0_shortcut(
// PTX: ld.global.b32
// PTX-LABEL: .entry vggq_add_layer2_0_add(
// PTX-NOT: fma.rn
// PTX: add.rn.f32
// PTX-NOT: fma.rn
// PTX: cvt.rni.s32.f32

// PTX-LABEL: .entry vggq_avgpool_avgpool(
// PTX-NOT: fma.rn
// PTX: add.rn.f32
// PTX-NOT: fma.rn
// PTX: div.rn.f32
// PTX-NOT: fma.rn
// PTX: cvt.rni.s32.f32

module {
  func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x10xf32> {
    %w1 = arith.constant dense<3> : tensor<16x3x3x16xi8>
    %b1 = arith.constant dense<-7> : tensor<16xi32>
    %w2 = arith.constant dense<2> : tensor<16x3x3x16xi8>
    %w3 = arith.constant dense<1> : tensor<32x3x3x16xi8>
    %w4 = arith.constant dense<-1> : tensor<32x3x3x32xi8>
    %lw = arith.constant dense<2> : tensor<10x32xi8>
    %q = vggq.quantize %x scale [0.05] : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xi8>
    %c1 = vggq.qconv2d %q, %w1, %b1 input_scale 0.05 weight_scales [0.01] output_scale 0.1 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "layer1.0.conv1"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>, tensor<16xi32>) -> tensor<?x8x8x16xi8>
    %c2 = vggq.qconv2d %c1, %w2 input_scale 0.1 weight_scales [0.02] output_scale 0.08 residual %q residual_scale 0.05 sum_scale 0.12 sum_relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "layer1.0.conv2"} : (tensor<?x8x8x16xi8>, tensor<16x3x3x16xi8>, tensor<?x8x8x16xi8>) -> tensor<?x8x8x16xi8>
    %s = vggq.subsample_pad %c2 strides [2, 2] channel_padding [8, 8] {vggq.layer = "layer2.0.shortcut"} : tensor<?x8x8x16xi8> -> tensor<?x4x4x32xi8>
    %c3 = vggq.qconv2d %c2, %w3 input_scale 0.12 weight_scales [0.01] output_scale 0.1 relu strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "layer2.0.conv1"} : (tensor<?x8x8x16xi8>, tensor<32x3x3x16xi8>) -> tensor<?x4x4x32xi8>
    %c4 = vggq.qconv2d %c3, %w4 input_scale 0.1 weight_scales [0.01] output_scale 0.1 residual %s residual_scale 0.12 sum_scale 0.2 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "layer2.0.conv2"} : (tensor<?x4x4x32xi8>, tensor<32x3x3x32xi8>, tensor<?x4x4x32xi8>) -> tensor<?x4x4x32xi8>
    %a = vggq.qadd %c4, %s lhs_scale 0.2 rhs_scale 0.12 output_scale 0.25 relu {vggq.layer = "layer2.0.add"} : tensor<?x4x4x32xi8>, tensor<?x4x4x32xi8> -> tensor<?x4x4x32xi8>
    %p = vggq.avg_pool2d %a kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] input_scale 0.25 output_scale 0.05 {vggq.layer = "avgpool"} : tensor<?x4x4x32xi8> -> tensor<?x1x1x32xi8>
    %f = vggq.flatten %p : tensor<?x1x1x32xi8> -> tensor<?x32xi8>
    %l = vggq.qlinear %f, %lw input_scale 0.05 weight_scales [0.02] {vggq.layer = "fc"} : (tensor<?x32xi8>, tensor<10x32xi8>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
