// RUN: vggq-opt %s --split-input-file --vggq-plan-memory 2>%t.remarks | FileCheck %s
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: vggq-opt %s --split-input-file --vggq-plan-memory=batch=2048 2>&1 >/dev/null | FileCheck %s --check-prefix=BATCH
// RUN: not vggq-opt %s --split-input-file --vggq-plan-memory=alignment=8 2>&1 >/dev/null | FileCheck %s --check-prefix=ALIGN
// (The num-buffers / peak-bytes-per-image statistics exist too, but the
// Debian LLVM build compiles statistics out: the remark is the report.)

// Live ranges: %x [0, 1], %a [1, 2], %b [2, 3], %c [3, end]. Buffers live at
// the same op never share bytes (%x/%a, %a/%b, %b/%c); disjoint ones do: %b
// reuses %x's bytes, %c those of %x/%a.
// x: 8*8*4 f32 = 1024 B, a: 1024 B, b: 4*4*4*4 = 256 B, c: 2*2*4*4 = 64 -> 256 B.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: {vggq.bytes_per_image = 1024 : i64, vggq.offset_per_image = 0 : i64}
// CHECK-SAME: attributes {vggq.arena = {alignment = 256 : i64, bytes_per_image = 2048 : i64}}
// CHECK: %[[A:.*]] = vggq.max_pool2d %arg0 {{.*}}{vggq.bytes_per_image = 1024 : i64, vggq.offset_per_image = 1024 : i64}
// CHECK: %[[B:.*]] = vggq.max_pool2d %[[A]] {{.*}}{vggq.bytes_per_image = 256 : i64, vggq.offset_per_image = 0 : i64}
// CHECK: %[[C:.*]] = vggq.max_pool2d %[[B]] {{.*}}{vggq.bytes_per_image = 256 : i64, vggq.offset_per_image = 256 : i64}
// CHECK: return %[[C]]
// REMARK: remark: vggq-plan-memory: 4 buffers, arena peak 2048 bytes per image (8.0 MiB at batch 4096)
// BATCH: remark: vggq-plan-memory: 4 buffers, arena peak 2048 bytes per image (4.0 MiB at batch 2048)
// ALIGN: error: vggq-plan-memory: alignment must be a positive multiple of 16, got 8
func.func @forward(%x: tensor<?x8x8x4xf32>) -> tensor<?x2x2x4xf32> {
  %a = vggq.max_pool2d %x kernel [1, 1] strides [1, 1] padding [0, 0, 0, 0] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xf32>
  %b = vggq.max_pool2d %a kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x8x8x4xf32> -> tensor<?x4x4x4xf32>
  %c = vggq.max_pool2d %b kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x4x4x4xf32> -> tensor<?x2x2x4xf32>
  return %c : tensor<?x2x2x4xf32>
}

// -----

// A fused chain (conv + relu + 2x2 pool) is one buffer, the pool result; the
// conv and relu results get no memory. flatten aliases its operand, so the
// pool buffer lives until the linear reads the flattened view. 8-bit buffers
// store 3 channels as 4 (quantize: 8*8*4 = 256 B).

// CHECK-LABEL: func.func @forward
// CHECK-SAME: {vggq.bytes_per_image = 768 : i64, vggq.offset_per_image = 0 : i64}
// CHECK: vggq.quantize {{.*}}{vggq.bytes_per_image = 256 : i64, vggq.offset_per_image = 768 : i64}
// CHECK: vggq.qconv2d
// CHECK-NOT: vggq.offset_per_image
// CHECK-SAME: -> tensor<?x8x8x8xf8E4M3FN>
// CHECK: vggq.max_pool2d {{.*}}{vggq.bytes_per_image = 256 : i64, vggq.layer = "features.3", vggq.offset_per_image = 0 : i64}
// CHECK: vggq.flatten
// CHECK-NOT: vggq.offset_per_image
// CHECK-SAME: -> tensor<?x128xf8E4M3FN>
// CHECK: vggq.qlinear {{.*}}vggq.offset_per_image = 256 : i64
// REMARK: remark: vggq-plan-memory: 4 buffers, arena peak 1024 bytes per image
func.func @forward(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
  %w = arith.constant dense<0.5> : tensor<8x3x3x3xf8E4M3FN>
  %lw = arith.constant dense<0.25> : tensor<10x128xf8E4M3FN>
  %q = vggq.quantize %x scale [0.0625] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf8E4M3FN>
  %c = vggq.qconv2d %q, %w input_scale 0.0625 weight_scales [0.01] output_scale 0.05 relu strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.2"} : (tensor<?x8x8x3xf8E4M3FN>, tensor<8x3x3x3xf8E4M3FN>) -> tensor<?x8x8x8xf8E4M3FN>
  %p = vggq.max_pool2d %c kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] {vggq.layer = "features.3"} : tensor<?x8x8x8xf8E4M3FN> -> tensor<?x4x4x8xf8E4M3FN>
  %f = vggq.flatten %p : tensor<?x4x4x8xf8E4M3FN> -> tensor<?x128xf8E4M3FN>
  %l = vggq.qlinear %f, %lw input_scale 0.05 weight_scales [0.02] {vggq.layer = "classifier"} : (tensor<?x128xf8E4M3FN>, tensor<10x128xf8E4M3FN>) -> tensor<?x10xf32>
  return %l : tensor<?x10xf32>
}

// -----

// Functions other than @forward are not planned.
// CHECK-LABEL: func.func @helper
// CHECK-NOT: vggq.arena
func.func @helper(%x: tensor<?x8x8x4xf32>) -> tensor<?x4x4x4xf32> {
  %a = vggq.max_pool2d %x kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x8x8x4xf32> -> tensor<?x4x4x4xf32>
  return %a : tensor<?x4x4x4xf32>
}
