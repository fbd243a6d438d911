// RUN: vggq-opt %s --split-input-file --vggq-plan-memory --vggq-lower-to-gpu="chip=sm_90a mma=mma.sync" 2>/dev/null | FileCheck %s
// RUN: vggq-opt %s --split-input-file --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_90a 2>/dev/null | FileCheck %s --check-prefix=WGMMA

// With sm_90a's default wgmma the mixed pair is one wgmma type pair too.
// WGMMA-LABEL: gpu.func @vggq_conv_features_0(
// WGMMA-SAME: vggq.mma = "wgmma.m64nNk32.e5m2.e4m3"
// WGMMA: nvvm.wgmma.mma_async {{.*}} A[<e5m2>, <one>, <row>], B[<e4m3>, <one>, <col>]

// A max-pool that does not fit the tiling (stride 1) is not fused: the conv
// stores its full output and a separate pooling kernel compares FP8 codes by
// value (sign-magnitude -> signed key). Mixed FP8 flavours: e5m2 activations
// times e4m3 weights.

// CHECK: gpu.module @vggq_kernels [#nvvm.target<chip = "sm_90a", features = "+ptx84">]
// CHECK-LABEL: gpu.func @vggq_conv_features_0(
// CHECK-NOT: vggq.pool_fused
// CHECK-SAME: vggq.mma = "m16n8k32.e5m2.e4m3"
// CHECK: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k32.row.col.f32.e5m2.e4m3.f32"
// CHECK: "cvt.rn.satfinite.e5m2x2.f32 $0, $1, $2;"
// CHECK-LABEL: gpu.func @vggq_pool_features_1(
// CHECK-SAME: nvvm.maxntid = array<i32: 256, 1, 1>
// CHECK: %[[MAG:.*]] = arith.andi %{{.*}}, %c127_i32
// CHECK: arith.cmpi sgt
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 1 : i64} : i8, !llvm.ptr<1>
// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_features_0
// CHECK: gpu.launch_func @vggq_kernels::@vggq_pool_features_1
// CHECK-SAME: vggq.grid = {rows_per_image = 392 : i64, tile_rows = 256 : i64, y = 1 : i64, z = 1 : i64}
// CHECK-SAME: vggq.out = {dtype = "e5m2", offset_per_image = {{[0-9]+}} : i64, scale = 2.500000e-01 : f32, shape = array<i64: -1, 7, 7, 8>}
func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x7x7x8xf8E5M2> {
  %w = arith.constant dense<1.0> : tensor<8x3x3x16xf8E4M3FN>
  %q = vggq.quantize %x scale [0.5] : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xf8E5M2>
  %c = vggq.qconv2d %q, %w input_scale 0.5 weight_scales [0.125] output_scale 0.25 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"} : (tensor<?x8x8x16xf8E5M2>, tensor<8x3x3x16xf8E4M3FN>) -> tensor<?x8x8x8xf8E5M2>
  %p = vggq.max_pool2d %c kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "features.1"} : tensor<?x8x8x8xf8E5M2> -> tensor<?x7x7x8xf8E5M2>
  return %p : tensor<?x7x7x8xf8E5M2>
}

// -----

// Per-channel weight quantization folded at compile time: vggq.quantize of an
// f32 constant (axis 0) is encoded into the blob with the registry's
// round-to-nearest-even: 1.0 / 0.5 = 2.0 -> e4m3 0x40, 1.0 / 0.25 = 4.0 -> 0x48.
// CHECK-LABEL: gpu.func @vggq_linear_classifier(
// CHECK: vggq_weights: "0x{{[0-9A-F]*}}4040404040404040{{[0-9A-F]*}}4848484848484848
func.func @forward(%x: tensor<?x32xf8E4M3FN>) -> tensor<?x8xf32> {
  %wf = arith.constant dense<1.0> : tensor<8x32xf32>
  %w = vggq.quantize %wf scale [0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25] axis 0 : tensor<8x32xf32> -> tensor<8x32xf8E4M3FN>
  %l = vggq.qlinear %x, %w input_scale 0.5 weight_scales [0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25] {vggq.layer = "classifier"} : (tensor<?x32xf8E4M3FN>, tensor<8x32xf8E4M3FN>) -> tensor<?x8xf32>
  return %l : tensor<?x8xf32>
}
