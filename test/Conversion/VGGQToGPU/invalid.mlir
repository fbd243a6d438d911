// RUN: not vggq-opt %s --split-input-file --vggq-plan-memory --vggq-lower-to-gpu=chip=sm_80 2>&1 | FileCheck %s --check-prefix=SM80
// RUN: not vggq-opt %s --split-input-file --vggq-lower-to-gpu 2>&1 | FileCheck %s --check-prefix=NOPLAN
// RUN: not vggq-opt %s --split-input-file --vggq-plan-memory --vggq-lower-to-gpu=chip=gfx90a 2>&1 | FileCheck %s --check-prefix=CHIP

// FP8 mma.sync needs sm_89: the registry's minimum SM is checked.
// SM80: error: vggq-lower-to-gpu: precision fp8e4m3 needs sm_89 or newer (mma.sync m16n8k32 e4m3), but the target chip is sm_80
// NOPLAN: error: vggq-lower-to-gpu: @forward has no memory plan; run --vggq-plan-memory first
// CHIP: error: vggq-lower-to-gpu: unsupported chip 'gfx90a' (expected sm_89, sm_90 or sm_90a)
func.func @forward(%x: tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x8xf8E4M3FN> {
  %w = arith.constant dense<1.0> : tensor<8x3x3x16xf8E4M3FN>
  %c = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.125] output_scale 0.25 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x4x4x16xf8E4M3FN>, tensor<8x3x3x16xf8E4M3FN>) -> tensor<?x4x4x8xf8E4M3FN>
  return %c : tensor<?x4x4x8xf8E4M3FN>
}

// -----

// Ops without a GPU lowering are named.
// SM80: error: vggq-lower-to-gpu: no GPU lowering for 'vggq.softmax'
func.func @forward(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %s = vggq.softmax %x : tensor<?x10xf32>
  return %s : tensor<?x10xf32>
}

// -----

// INT8 runs on sm_80 (the registry's minimum for s8 mma.sync), but an 8-bit
// output needs channels in multiples of 4.
// SM80: error: vggq-lower-to-gpu: coded outputs need a multiple of 4 channels, got 6
func.func @forward(%x: tensor<?x4x4x16xi8>) -> tensor<?x4x4x6xi8> {
  %w = arith.constant dense<1> : tensor<6x3x3x16xi8>
  %c = vggq.qconv2d %x, %w input_scale 0.5 weight_scales [0.125] output_scale 0.25 strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] : (tensor<?x4x4x16xi8>, tensor<6x3x3x16xi8>) -> tensor<?x4x4x6xi8>
  return %c : tensor<?x4x4x6xi8>
}

// -----

// An affine (zero point) quantize has no GPU kernel: the quantize kernel is
// symmetric. The error names the op rather than computing other codes.
// SM80: error: vggq-lower-to-gpu: 'vggq.quantize' with a zero point (affine, full INT8 range) has no GPU kernel; the quantize kernel is symmetric
func.func @forward(%x: tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xi8> {
  %q = vggq.quantize %x scale [0.5] zero_point [3] : tensor<?x4x4x16xf32> -> tensor<?x4x4x16xi8>
  return %q : tensor<?x4x4x16xi8>
}

// -----

// A dilated max pool has no GPU kernel either.
// SM80: error: vggq-lower-to-gpu: 'vggq.max_pool2d' with a dilation has no GPU kernel (the pool kernel reads adjacent cells); run it on the reference executor
func.func @forward(%x: tensor<?x8x8x16xi8>) -> tensor<?x6x6x16xi8> {
  %p = vggq.max_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] dilation [2, 2] : tensor<?x8x8x16xi8> -> tensor<?x6x6x16xi8>
  return %p : tensor<?x6x6x16xi8>
}

// -----

// Integer (wrapping) addition runs on the reference executor only.
// SM80: error: vggq-lower-to-gpu: no GPU lowering for 'vggq.int_add'
func.func @forward(%x: tensor<?x4x4x16xi8>) -> tensor<?x4x4x16xi8> {
  %s = vggq.int_add %x, %x unsigned : tensor<?x4x4x16xi8>
  return %s : tensor<?x4x4x16xi8>
}

// -----

// General padding runs on the reference executor only.
// SM80: error: vggq-lower-to-gpu: no GPU lowering for 'vggq.pad'
func.func @forward(%x: tensor<?x4x4x16xf32>) -> tensor<?x6x6x16xf32> {
  %p = vggq.pad %x low [0, 1, 1, 0] high [0, 1, 1, 0] mode "edge" : tensor<?x4x4x16xf32> -> tensor<?x6x6x16xf32>
  return %p : tensor<?x6x6x16xf32>
}
