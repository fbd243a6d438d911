// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_89 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --chip sm_89 --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=PTX

// FP8 E4M3: input quantize (3 channels stored as 4), qconv2d + relu with the
// 2x2 max-pool fused into its epilogue, flatten (no kernel), qlinear to f32.

// The weight blob: OHWI weights with K = 9 * 4 = 36 padded to BK = 64 and
// N = 8 padded to BN = 32 (32 x 64 = 2048 B), per-channel f32 scales and
// biases padded to 32 channels, each region 256-byte aligned.
// CHECK: module attributes {gpu.container_module, vggq.chip = "sm_89"
// CHECK-SAME: vggq.precision = "fp8e4m3", vggq.ptx_version = 84 : i64
// CHECK-SAME: {bytes = 2048 : i64, dtype = "e4m3", name = "features.2.weight", offset = 0 : i64}
// CHECK-SAME: {bytes = 128 : i64, dtype = "f32", name = "features.2.scale", offset = 2048 : i64}
// CHECK-SAME: {bytes = 128 : i64, dtype = "f32", name = "features.2.bias", offset = 2304 : i64}
// CHECK-SAME: {bytes = 4096 : i64, dtype = "e4m3", name = "classifier.weight", offset = 2560 : i64}
// CHECK-SAME: vggq.weights_blob = dense_resource<vggq_weights> : tensor<7040xi8>
// CHECK: gpu.module @vggq_kernels [#nvvm.target<chip = "sm_89", features = "+ptx84">]
// CHECK-DAG: llvm.mlir.global internal @vggq_conv_features_2_smem() {addr_space = 3 : i32, alignment = 128 : i64} : !llvm.array<20480 x i8>

// CHECK-LABEL: gpu.func @vggq_quantize_input(%{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: i32) kernel
// CHECK-SAME: nvvm.maxntid = array<i32: 256, 1, 1>
// CHECK: %[[Q0:.*]] = arith.divf
// CHECK: %[[Q1:.*]] = arith.divf
// CHECK: %[[Q2:.*]] = arith.divf
// The first operand is the high byte: (channel 1, channel 0), then (pad, channel 2).
// CHECK: llvm.inline_asm asm_dialect = att "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;", "=h,f,f" %[[Q1]], %[[Q0]] : (f32, f32) -> i16
// CHECK: llvm.inline_asm asm_dialect = att "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;", "=h,f,f" %cst{{.*}}, %[[Q2]] : (f32, f32) -> i16

// The conv: tile 128 x 32 x 64 (BN = 32 for 8 channels), 2 stages (K is one
// slice), 4-byte cp.async for the 4-channel pixels, 16-byte ones for weights.
// CHECK-LABEL: gpu.func @vggq_conv_features_2(
// CHECK-SAME: vggq.block = array<i64: 128, 1, 1>, vggq.mma = "m16n8k32.e4m3", vggq.pool_fused, vggq.shared_bytes = 20480 : i64, vggq.stages = 2 : i64, vggq.tile = array<i64: 128, 32, 64>
// CHECK-COUNT-16: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 4, cache =  ca, %{{.*}} :
// CHECK: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache =  cg :
// CHECK: nvvm.cp.async.commit.group
// One slice: no loop.
// CHECK-NOT: scf.for
// CHECK: nvvm.cp.async.wait.group 0
// CHECK-NEXT: nvvm.barrier0
// CHECK: nvvm.ldmatrix %{{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>}
// CHECK: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e4m3.e4m3.f32"(%{{.*}}) : (i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// Epilogue: y = acc * s[o]; y = y + bias[o]; relu; to shared memory, then the
// 2x2 max, y / output_scale, satfinite conversion.
// CHECK: %[[S:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[B:.*]] = llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: %[[Y:.*]] = arith.mulf %{{.*}}, %[[S]] : f32
// CHECK-NEXT: %[[YB:.*]] = arith.addf %[[Y]], %[[B]] : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[YB]], %[[Z:.*]] : f32
// CHECK-NEXT: arith.select %[[POS]], %[[YB]], %[[Z]] : f32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: nvvm.barrier0
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: %[[OS:.*]] = arith.constant 5.000000e-02 : f32
// CHECK: arith.divf %{{.*}}, %[[OS]] : f32
// CHECK: "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;"
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : i16, !llvm.ptr<1>

// The classifier: f32 logits, no output scale, not pooled.
// CHECK-LABEL: gpu.func @vggq_linear_classifier(
// CHECK-SAME: vggq.mma = "m16n8k32.e4m3", vggq.shared_bytes = 12288 : i64, vggq.stages = 2 : i64, vggq.tile = array<i64: 64, 32, 64>
// CHECK-NOT: cvt.rn.satfinite
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: gpu.return

// The launch sequence and its plan attributes.
// CHECK-LABEL: func.func @vggq_forward(%{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: i32)
// CHECK-SAME: vggq.arena = {alignment = 256 : i64, bytes_per_image = 1024 : i64}
// CHECK-SAME: vggq.input = {dtype = "f32", mean = array<f32: 5.000000e-01, 5.000000e-01, 5.000000e-01>, offset_per_image = 0 : i64, shape = array<i64: -1, 8, 8, 3>
// CHECK-SAME: vggq.output = {dtype = "f32", offset_per_image = 256 : i64, shape = array<i64: -1, 10>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_quantize_input
// CHECK-SAME: vggq.out = {dtype = "e4m3", offset_per_image = 768 : i64, scale = 6.250000e-02 : f32, shape = array<i64: -1, 8, 8, 4>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_features_2
// CHECK-SAME: vggq.args = [{kind = "arena", offset_per_image = 768 : i64}, {kind = "weights", offset = 0 : i64}, {kind = "weights", offset = 2048 : i64}, {kind = "weights", offset = 2304 : i64}, {kind = "arena", offset_per_image = 0 : i64}, {kind = "batch"}]
// CHECK-SAME: vggq.grid = {rows_per_image = 64 : i64, tile_rows = 128 : i64, y = 1 : i64, z = 1 : i64}
// CHECK-SAME: vggq.layer = "features.2"
// CHECK-SAME: vggq.out = {dtype = "e4m3", offset_per_image = 0 : i64, scale = 5.000000e-02 : f32, shape = array<i64: -1, 4, 4, 8>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_linear_classifier
// CHECK-SAME: vggq.grid = {rows_per_image = 1 : i64, tile_rows = 64 : i64, y = 1 : i64, z = 1 : i64}
// CHECK-NOT: func.func @forward

// The tensor-core and conversion instructions in the sm_89 FP8 PTX.
// PTX: .version 8.4
// PTX: .target sm_89
// PTX-LABEL: .entry vggq_quantize_input(
// x / 0.0625 is folded to the exact x * 16 (0f41800000).
// PTX: mul.rn.f32 %r{{[0-9]+}}, %r{{[0-9]+}}, 0f41800000;
// PTX: cvt.rn.satfinite.e4m3x2.f32
// PTX-LABEL: .entry vggq_conv_features_2(
// PTX: cp.async.ca.shared.global [{{.*}}], [{{.*}}], 4, %r{{[0-9]+}};
// PTX: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// PTX: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// PTX: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// PTX: mul.rn.f32
// PTX: add.rn.f32
// PTX: max.NaN.f32
// PTX: div.rn.f32
// PTX: cvt.rn.satfinite.e4m3x2.f32

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.25, 0.25, 0.25>} {
  func.func @forward(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.5> : tensor<8x3x3x3xf8E4M3FN>
    %b = arith.constant dense<0.125> : tensor<8xf32>
    %lw = arith.constant dense<0.25> : tensor<10x128xf8E4M3FN>
    %lb = arith.constant dense<1.0> : tensor<10xf32>
    %q = vggq.quantize %x scale [0.0625] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf8E4M3FN>
    %c = vggq.qconv2d %q, %w, %b input_scale 0.0625 weight_scales [0.01] output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.2"} : (tensor<?x8x8x3xf8E4M3FN>, tensor<8x3x3x3xf8E4M3FN>, tensor<8xf32>) -> tensor<?x8x8x8xf8E4M3FN>
    %p = vggq.max_pool2d %c kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] {vggq.layer = "features.3"} : tensor<?x8x8x8xf8E4M3FN> -> tensor<?x4x4x8xf8E4M3FN>
    %f = vggq.flatten %p : tensor<?x4x4x8xf8E4M3FN> -> tensor<?x128xf8E4M3FN>
    %l = vggq.qlinear %f, %lw, %lb input_scale 0.05 weight_scales [0.02] {vggq.layer = "classifier"} : (tensor<?x128xf8E4M3FN>, tensor<10x128xf8E4M3FN>, tensor<10xf32>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
