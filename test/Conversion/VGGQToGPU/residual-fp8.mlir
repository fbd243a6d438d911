// RUN: vggq-opt %s --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_89 2>/dev/null | FileCheck %s
// RUN: vggq-compile %s --chip sm_89 --emit ptx -o %t.ptx 2>/dev/null
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx

// FP8: an E4M3 conv whose epilogue adds an E5M2 residual, and an E4M3
// average pool with padding that counts the padded cells. FP8 codes are
// decoded from the registry's fields (no table, no conversion instruction):
// sign to bit 31; a normal code rebiases its exponent (E4M3: + 127 - 7 =
// 120, fraction << 20; E5M2: + 112, fraction << 21); a subnormal one is
// fraction * 2^(1 - bias - MAN_BITS) (2^-9, 2^-16); E4M3's S.1111.111 is
// NaN, E5M2's all-ones exponent infinity or NaN.

// CHECK-LABEL: gpu.func @vggq_conv_conv(
// CHECK-SAME: vggq.mma = "m16n8k32.e4m3", vggq.residual_fused
// The conv's own codes at output_scale 0.05, after the relu.
// CHECK: arith.cmpf ogt
// CHECK: %[[OWN:.*]] = llvm.inline_asm asm_dialect = att "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;", "=h,f,f"
// CHECK: arith.extui %[[OWN]] : i16 to i32
// CHECK: arith.shrui %{{.*}}, %c7_i32
// CHECK: arith.shli %{{.*}}, %c31_i32
// CHECK: arith.andi %{{.*}}, %c127_i32
// CHECK: arith.shrui %{{.*}}, %c3_i32
// CHECK: arith.andi %{{.*}}, %c7_i32
// CHECK: arith.shli %{{.*}}, %c20_i32
// CHECK: arith.addi %{{.*}}, %c120_i32
// CHECK: arith.constant 0.001953125 : f32
// CHECK: arith.constant 2143289344 : i32
// CHECK: %[[T1:.*]] = arith.mulf %{{.*}}, %[[OS:.*]] : f32
// The E5M2 residual pair.
// CHECK: llvm.load %{{.*}} {alignment = 2 : i64} : !llvm.ptr<1> -> i16
// CHECK: arith.shrui %{{.*}}, %c2_i32
// CHECK: arith.andi %{{.*}}, %c3_i32
// CHECK: arith.shli %{{.*}}, %c21_i32
// CHECK: arith.addi %{{.*}}, %c112_i32
// CHECK: arith.constant 1.52587891E-5 : f32
// CHECK: arith.constant 2139095040 : i32
// CHECK: %[[T2:.*]] = arith.mulf %{{.*}}, %[[RS:.*]] : f32
// CHECK: arith.addf %[[T1]], %[[T2]] : f32
// No sum_relu: the sum is converted directly at sum_scale 0.1.
// CHECK-NOT: arith.cmpf
// CHECK: arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;"
// CHECK: gpu.return

// count_include_pad: the divisor is the whole 3 x 3 window.
// CHECK-LABEL: gpu.func @vggq_avgpool_pool(
// CHECK: scf.for
// CHECK: %[[NINE:.*]] = arith.constant 9 : i32
// CHECK-NEXT: %[[N:.*]] = arith.sitofp %[[NINE]] : i32 to f32
// CHECK-NEXT: arith.divf %{{.*}}, %[[N]] : f32
// CHECK: "cvt.rn.satfinite.e4m3x2.f32 $0, $1, $2;"

// CHECK-LABEL: func.func @vggq_forward
// CHECK: gpu.launch_func @vggq_kernels::@vggq_conv_conv
// CHECK-SAME: vggq.out = {dtype = "e4m3", offset_per_image = {{[0-9]+}} : i64, scale = 1.000000e-01 : f32, shape = array<i64: -1, 8, 8, 16>}
// CHECK: gpu.launch_func @vggq_kernels::@vggq_avgpool_pool
// CHECK-SAME: vggq.out = {dtype = "e4m3", offset_per_image = {{[0-9]+}} : i64, scale = 5.000000e-02 : f32, shape = array<i64: -1, 4, 4, 16>}

// PTX-LABEL: .entry vggq_conv_conv(
// PTX-NOT: fma.rn
// PTX: mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32
// PTX-NOT: fma.rn
// PTX: cvt.rn.satfinite.e4m3x2.f32
// PTX-NOT: fma.rn
// PTX: ld.global.b16
// PTX-NOT: fma.rn
// PTX: add.rn.f32
// PTX-NOT: fma.rn
// PTX: cvt.rn.satfinite.e4m3x2.f32
// PTX-LABEL: .entry vggq_avgpool_pool(
// PTX-NOT: fma.rn
// PTX: add.rn.f32
// PTX-NOT: fma.rn
// PTX: div.rn.f32

module {
  func.func @forward(%x: tensor<?x8x8x16xf32>) -> tensor<?x4x4x16xf8E4M3FN> {
    %w = arith.constant dense<1.0> : tensor<16x3x3x16xf8E4M3FN>
    %q = vggq.quantize %x scale [0.0625] : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xf8E4M3FN>
    %r = vggq.quantize %x scale [0.125] {vggq.layer = "res.quantize"} : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xf8E5M2>
    %c = vggq.qconv2d %q, %w input_scale 0.0625 weight_scales [0.125] output_scale 0.05 relu residual %r residual_scale 0.125 sum_scale 0.1 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv"} : (tensor<?x8x8x16xf8E4M3FN>, tensor<16x3x3x16xf8E4M3FN>, tensor<?x8x8x16xf8E5M2>) -> tensor<?x8x8x16xf8E4M3FN>
    %p = vggq.avg_pool2d %c kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] count_include_pad input_scale 0.1 output_scale 0.05 {vggq.layer = "pool"} : tensor<?x8x8x16xf8E4M3FN> -> tensor<?x4x4x16xf8E4M3FN>
    return %p : tensor<?x4x4x16xf8E4M3FN>
  }
}
