// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_89 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --precision fp32 --chip sm_89 --emit ptx -o - 2>/dev/null | FileCheck %s --check-prefix=PTX

// The FP32 baseline: conv2d + relu + 2x2 max-pool fused into one CUDA-core
// implicit GEMM (16 x 16 threads, 4 x 4 micro-tiles, 64 x 64 x 16 tile),
// linear likewise; 3 f32 input channels are copied 4 bytes at a time. The
// weights are [64 (N padded)][32 (K = 27 padded to 2 x 16)] f32 = 8192 B.
// Shared memory: the pooled epilogue's f32 tile, 64 rows x (64 + 8) floats =
// 18432 B, is larger than the 2-stage ring (16384 B).

// CHECK: vggq.precision = "fp32"
// CHECK-SAME: {bytes = 8192 : i64, dtype = "f32", name = "features.0.weight", offset = 0 : i64}
// CHECK-NOT: vggq_quantize
// CHECK-LABEL: gpu.func @vggq_conv_features_0(
// CHECK-SAME: nvvm.maxntid = array<i32: 256, 1, 1>, vggq.block = array<i64: 256, 1, 1>, vggq.mma = "simt.f32", vggq.pool_fused, vggq.shared_bytes = 18432 : i64, vggq.stages = 2 : i64, vggq.tile = array<i64: 64, 64, 16>
// CHECK: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 4, cache =  ca, %{{.*}} :
// CHECK: scf.for
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<3> -> vector<4xf32>
// CHECK: vector.extract
// CHECK: llvm.intr.fma
// No scale on the FP32 path: y = acc + bias, then relu and the pooled max.
// CHECK-NOT: arith.mulf
// CHECK: arith.addf
// CHECK: arith.cmpf ogt
// CHECK: arith.maximumf
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK-LABEL: gpu.func @vggq_linear_classifier(
// CHECK-SAME: vggq.mma = "simt.f32"
// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_features_0
// CHECK-SAME: threads in (%{{.*}}, %{{.*}}, %{{.*}}) args(%{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : !llvm.ptr<1>, %{{.*}} : i32)
// CHECK-SAME: vggq.out = {dtype = "f32", offset_per_image = {{[0-9]+}} : i64, shape = array<i64: -1, 4, 4, 16>}

// PTX-LABEL: .entry vggq_conv_features_0(
// PTX: cp.async.ca.shared.global [{{.*}}], [{{.*}}], 4, %r{{[0-9]+}};
// PTX: ld.shared.v4.b32
// PTX: fma.rn.f32
// PTX: max.NaN.f32

module {
  func.func @forward(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
    %w = arith.constant dense<0.5> : tensor<16x3x3x3xf32>
    %b = arith.constant dense<0.25> : tensor<16xf32>
    %lw = arith.constant dense<0.125> : tensor<10x256xf32>
    %lb = arith.constant dense<1.0> : tensor<10xf32>
    %c = vggq.conv2d %x, %w, %b strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"} : (tensor<?x8x8x3xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
    %r = vggq.relu %c {vggq.layer = "features.2"} : tensor<?x8x8x16xf32>
    %p = vggq.max_pool2d %r kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] {vggq.layer = "features.3"} : tensor<?x8x8x16xf32> -> tensor<?x4x4x16xf32>
    %f = vggq.flatten %p : tensor<?x4x4x16xf32> -> tensor<?x256xf32>
    %l = vggq.linear %f, %lw, %lb {vggq.layer = "classifier"} : (tensor<?x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
