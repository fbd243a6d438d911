// RUN: vggq-opt %s --vggq-quantize=precision=fp8e4m3 | FileCheck %s --check-prefix=E4M3
// RUN: vggq-opt %s --vggq-quantize=precision=int8 | FileCheck %s --check-prefix=INT8
// RUN: vggq-opt %s --vggq-quantize="precision=fp8e4m3 precision-map=block.add:int8,pool:fp32" | FileCheck %s --check-prefix=MAP
// RUN: vggq-opt %s --vggq-quantize="precision=fp8e4m3 exclude=block.add" | FileCheck %s --check-prefix=EXCL
// RUN: vggq-opt %s --vggq-quantize=precision=fp32 | FileCheck %s --check-prefix=FP32
// FP16 scales are all 1: the calibrated amax does not matter.
// RUN: vggq-opt %s --vggq-quantize=precision=fp16 | FileCheck %s --check-prefix=FP16

// Each operand of an add gets a quantize/dequantize pair at its own
// calibrated scale (lhs amax 4.48, rhs amax 8.96: 0.01 and 0.02 for E4M3,
// 4.48/127 and 8.96/127 for INT8); the add stays f32 between them. The
// pool's input gets one pair (amax 2.24).

// E4M3-LABEL: func.func @block
// E4M3-SAME: (%[[A:.*]]: tensor<?x4x4x2xf32>, %[[B:.*]]: tensor<?x4x4x2xf32>)
// E4M3: %[[QA:.*]] = vggq.quantize %[[A]] scale [1.000000e-02] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf8E4M3FN>
// E4M3-NEXT: %[[DA:.*]] = vggq.dequantize %[[QA]] scale [1.000000e-02] : tensor<?x4x4x2xf8E4M3FN> -> tensor<?x4x4x2xf32>
// E4M3-NEXT: %[[QB:.*]] = vggq.quantize %[[B]] scale [2.000000e-02] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf8E4M3FN>
// E4M3-NEXT: %[[DB:.*]] = vggq.dequantize %[[QB]] scale [2.000000e-02] : tensor<?x4x4x2xf8E4M3FN> -> tensor<?x4x4x2xf32>
// E4M3-NEXT: %[[S:.*]] = vggq.add %[[DA]], %[[DB]] {{.*}}: tensor<?x4x4x2xf32>
// E4M3-NEXT: %[[R:.*]] = vggq.relu %[[S]]
// E4M3-NEXT: %[[QP:.*]] = vggq.quantize %[[R]] scale [5.000000e-03] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf8E4M3FN>
// E4M3-NEXT: %[[DP:.*]] = vggq.dequantize %[[QP]] scale [5.000000e-03]
// E4M3-NEXT: %[[P:.*]] = vggq.avg_pool2d %[[DP]] kernel [4, 4] {{.*}} : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
// E4M3-NEXT: return %[[P]]

// INT8-LABEL: func.func @block
// INT8: vggq.quantize %{{.*}} scale [3.527559e-02] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xi8>
// INT8: vggq.quantize %{{.*}} scale [7.055118e-02] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xi8>
// INT8: vggq.add
// INT8: vggq.quantize %{{.*}} scale [1.763779e-02] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xi8>
// INT8: vggq.avg_pool2d

// A precision-map entry names the add or the pool like any layer.
// MAP-LABEL: func.func @block
// MAP: vggq.quantize %{{.*}} -> tensor<?x4x4x2xi8>
// MAP: vggq.quantize %{{.*}} -> tensor<?x4x4x2xi8>
// MAP: vggq.add
// MAP-NOT: vggq.quantize
// MAP: vggq.avg_pool2d

// EXCL-LABEL: func.func @block
// EXCL-NOT: vggq.dequantize
// EXCL: vggq.add %{{.*}}, %{{.*}} {
// EXCL: vggq.quantize %{{.*}} scale [5.000000e-03]
// EXCL: vggq.avg_pool2d

// FP32-NOT: vggq.quantize

// FP16: vggq.quantize %{{.*}} scale [1.000000e+00] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf16>
// FP16: vggq.quantize %{{.*}} scale [1.000000e+00] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf16>
// FP16: vggq.quantize %{{.*}} scale [1.000000e+00] : tensor<?x4x4x2xf32> -> tensor<?x4x4x2xf16>
func.func @block(%a: tensor<?x4x4x2xf32>, %b: tensor<?x4x4x2xf32>) -> tensor<?x1x1x2xf32> {
  %s = vggq.add %a, %b {vggq.layer = "block.add", vggq.lhs_amax = 4.48 : f32, vggq.rhs_amax = 8.96 : f32} : tensor<?x4x4x2xf32>
  %r = vggq.relu %s : tensor<?x4x4x2xf32>
  %p = vggq.avg_pool2d %r kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "pool", vggq.input_amax = 2.24 : f32} : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
  return %p : tensor<?x1x1x2xf32>
}
