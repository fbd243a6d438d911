// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_90 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --chip sm_90 --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=PTX

// INT8: mma.sync s8 x s8 -> s32 (llvm.nvvm.mma.m16n8k32.row.col.satfinite.s8), the i32 bias added to the accumulator
// before the f32 scale, cvt.rni and a clamp to [-127, 127]. 16 input
// channels make 16-byte im2col granules; 64 output channels pick the
// 128 x 64 tile; K = 9 * 16 = 144 -> 3 slices of 64 (weights 64 x 192 B),
// so 3 stages.

// CHECK: vggq.precision = "int8"
// CHECK-SAME: {bytes = 12288 : i64, dtype = "s8", name = "features.0.weight", offset = 0 : i64}
// CHECK-SAME: {bytes = 256 : i64, dtype = "s32", name = "features.0.bias"
// CHECK-LABEL: gpu.func @vggq_quantize_input(
// CHECK: llvm.inline_asm asm_dialect = att "cvt.rni.s32.f32 $0, $1;", "=r,f"
// CHECK-LABEL: gpu.func @vggq_conv_features_0(
// CHECK-SAME: vggq.mma = "m16n8k32.s8", vggq.shared_bytes = 36864 : i64, vggq.stages = 3 : i64, vggq.tile = array<i64: 128, 64, 64>
// CHECK-NOT: cache =  ca
// CHECK: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache =  cg, %{{.*}} :
// 3 slices, fewer than two groups of 3 stages: the main loop is emitted
// straight, with constant ring slots.
// CHECK-NOT: scf.for
// CHECK: nvvm.cp.async.wait.group 1
// CHECK: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.satfinite.s8"({{.*}}) : (i32, i32, i32, i32, i32, i32, i32, i32, i32, i32) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK: %[[S:.*]] = llvm.load %{{.*}} : !llvm.ptr<1> -> f32
// CHECK: %[[B:.*]] = llvm.load %{{.*}} : !llvm.ptr<1> -> i32
// CHECK: %[[SUM:.*]] = arith.addi %{{.*}}, %[[B]] : i32
// CHECK-NEXT: %[[F:.*]] = arith.sitofp %[[SUM]] : i32 to f32
// CHECK-NEXT: arith.mulf %[[F]], %[[S]] : f32
// CHECK: arith.cmpf ogt
// CHECK: arith.divf
// CHECK: %[[R:.*]] = llvm.inline_asm asm_dialect = att "cvt.rni.s32.f32 $0, $1;", "=r,f"
// CHECK: %[[LO:.*]] = arith.maxsi %[[R]], %c-127_i32{{.*}} : i32
// CHECK: arith.minsi %[[LO]], %c127_i32{{.*}} : i32
// The two codes of a pair are staged in shared memory, then the block stores
// 16-byte runs of channels.
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : i16, !llvm.ptr<3>
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xi32>
// CHECK-NEXT: arith.extui
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : vector<4xi32>, !llvm.ptr<1>
// No pool follows: the conv is not pooled.
// CHECK-LABEL: gpu.func @vggq_linear_classifier(
// CHECK-SAME: vggq.mma = "m16n8k32.s8"
// CHECK-SAME: vggq.stages = 3 : i64, vggq.tile = array<i64: 64, 32, 64>
// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_features_0
// CHECK-SAME: vggq.grid = {rows_per_image = 64 : i64, tile_rows = 128 : i64, y = 1 : i64, z = 1 : i64}
// CHECK-SAME: vggq.out = {dtype = "s8", offset_per_image = {{[0-9]+}} : i64, scale = 1.000000e-01 : f32, shape = array<i64: -1, 8, 8, 64>}

// PTX: .target sm_90
// PTX-LABEL: .entry vggq_conv_features_0(
// PTX: mma.sync.aligned.m16n8k32.row.col.satfinite.s32.s8.s8.s32
// PTX: cvt.rn.f32.s32
// PTX: cvt.rni.s32.f32
// PTX: max.s32 {{.*}}, -127;
// PTX: min.s32 {{.*}}, 127;

module {
  func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<3> : tensor<64x3x3x16xi8>
    %b = arith.constant dense<-7> : tensor<64xi32>
    %lw = arith.constant dense<2> : tensor<10x4096xi8>
    %q = vggq.quantize %x scale [0.05] : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xi8>
    %c = vggq.qconv2d %q, %w, %b input_scale 0.05 weight_scales [0.01] output_scale 0.1 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"} : (tensor<?x8x8x16xi8>, tensor<64x3x3x16xi8>, tensor<64xi32>) -> tensor<?x8x8x64xi8>
    %f = vggq.flatten %c : tensor<?x8x8x64xi8> -> tensor<?x4096xi8>
    %l = vggq.qlinear %f, %lw input_scale 0.1 weight_scales [0.02] {vggq.layer = "classifier"} : (tensor<?x4096xi8>, tensor<10x4096xi8>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
