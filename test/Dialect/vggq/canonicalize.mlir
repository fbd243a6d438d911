// RUN: vggq-opt %s -canonicalize -split-input-file | FileCheck %s

// quantize(dequantize(x)) with equal parameters and storage is x.
// CHECK-LABEL: func.func @quantize_of_dequantize_equal
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xi8>)
// CHECK-NEXT: return %[[X]]
func.func @quantize_of_dequantize_equal(%x: tensor<4x8xi8>) -> tensor<4x8xi8> {
  %d = vggq.dequantize %x scale [0.5] : tensor<4x8xi8> -> tensor<4x8xf32>
  %q = vggq.quantize %d scale [0.5] : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

// Per-channel parameters that are equal fold too.
// CHECK-LABEL: func.func @quantize_of_dequantize_per_channel
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf8E4M3FN>)
// CHECK-NEXT: return %[[X]]
func.func @quantize_of_dequantize_per_channel(%x: tensor<2x8xf8E4M3FN>) -> tensor<2x8xf8E4M3FN> {
  %d = vggq.dequantize %x scale [0.5, 0.25] axis 0 : tensor<2x8xf8E4M3FN> -> tensor<2x8xf32>
  %q = vggq.quantize %d scale [0.5, 0.25] axis 0 : tensor<2x8xf32> -> tensor<2x8xf8E4M3FN>
  return %q : tensor<2x8xf8E4M3FN>
}

// -----

// A different scale becomes one requantize.
// CHECK-LABEL: func.func @quantize_of_dequantize_rescale
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf8E4M3FN>)
// CHECK-NEXT: %[[R:.*]] = vggq.requantize %[[X]] from 5.000000e-01 to 2.500000e-01 : tensor<4x8xf8E4M3FN> -> tensor<4x8xf8E4M3FN>
// CHECK-NEXT: return %[[R]]
func.func @quantize_of_dequantize_rescale(%x: tensor<4x8xf8E4M3FN>) -> tensor<4x8xf8E4M3FN> {
  %d = vggq.dequantize %x scale [0.5] : tensor<4x8xf8E4M3FN> -> tensor<4x8xf32>
  %q = vggq.quantize %d scale [0.25] : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>
  return %q : tensor<4x8xf8E4M3FN>
}

// -----

// Equal scale, different storage: also a requantize (it rounds to the new grid).
// CHECK-LABEL: func.func @quantize_of_dequantize_restore
// CHECK-NEXT: %[[R:.*]] = vggq.requantize %{{.*}} from 5.000000e-01 to 5.000000e-01 : tensor<4x8xf8E4M3FN> -> tensor<4x8xf8E5M2>
// CHECK-NEXT: return %[[R]]
func.func @quantize_of_dequantize_restore(%x: tensor<4x8xf8E4M3FN>) -> tensor<4x8xf8E5M2> {
  %d = vggq.dequantize %x scale [0.5] : tensor<4x8xf8E4M3FN> -> tensor<4x8xf32>
  %q = vggq.quantize %d scale [0.5] : tensor<4x8xf32> -> tensor<4x8xf8E5M2>
  return %q : tensor<4x8xf8E5M2>
}

// -----

// Does not fire: dequantize(quantize(x)) rounds, it is never folded to x.
// CHECK-LABEL: func.func @dequantize_of_quantize_kept
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize
// CHECK-NEXT: %[[D:.*]] = vggq.dequantize %[[Q]]
// CHECK-NEXT: return %[[D]]
func.func @dequantize_of_quantize_kept(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %q = vggq.quantize %x scale [0.5] : tensor<4x8xf32> -> tensor<4x8xi8>
  %d = vggq.dequantize %q scale [0.5] : tensor<4x8xi8> -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// -----

// Does not fire: per-channel parameters that differ have no requantize form.
// CHECK-LABEL: func.func @per_channel_mismatch_kept
// CHECK-NEXT: vggq.dequantize
// CHECK-NEXT: vggq.quantize
func.func @per_channel_mismatch_kept(%x: tensor<2x8xi8>) -> tensor<2x8xi8> {
  %d = vggq.dequantize %x scale [0.5, 0.25] axis 0 : tensor<2x8xi8> -> tensor<2x8xf32>
  %q = vggq.quantize %d scale [0.5, 0.5] axis 0 : tensor<2x8xf32> -> tensor<2x8xi8>
  return %q : tensor<2x8xi8>
}

// -----

// Does not fire: the quantize input is not a dequantize.
// CHECK-LABEL: func.func @quantize_of_relu_kept
// CHECK-NEXT: vggq.relu
// CHECK-NEXT: vggq.quantize
func.func @quantize_of_relu_kept(%x: tensor<4x8xf32>) -> tensor<4x8xi8> {
  %r = vggq.relu %x : tensor<4x8xf32>
  %q = vggq.quantize %r scale [0.5] : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q : tensor<4x8xi8>
}

// -----

// A requantize to the same scale and storage folds away.
// CHECK-LABEL: func.func @requantize_identity
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xi8>)
// CHECK-NEXT: return %[[X]]
func.func @requantize_identity(%x: tensor<4x8xi8>) -> tensor<4x8xi8> {
  %r = vggq.requantize %x from 0.5 to 0.5 : tensor<4x8xi8> -> tensor<4x8xi8>
  return %r : tensor<4x8xi8>
}

// -----

// Does not fire: a real rescale stays.
// CHECK-LABEL: func.func @requantize_rescale_kept
// CHECK-NEXT: vggq.requantize %{{.*}} from 5.000000e-01 to 1.000000e+00
func.func @requantize_rescale_kept(%x: tensor<4x8xi8>) -> tensor<4x8xi8> {
  %r = vggq.requantize %x from 0.5 to 1.0 : tensor<4x8xi8> -> tensor<4x8xi8>
  return %r : tensor<4x8xi8>
}

// -----

// Two shortcuts in a row are one: strides multiply, channel paddings add.
// CHECK-LABEL: func.func @subsample_pad_compose
// CHECK-NEXT: %[[S:.*]] = vggq.subsample_pad %{{.*}} strides [2, 4] channel_padding [3, 5] : tensor<?x8x8x4xi8> -> tensor<?x4x2x12xi8>
// CHECK-NEXT: return %[[S]]
func.func @subsample_pad_compose(%x: tensor<?x8x8x4xi8>) -> tensor<?x4x2x12xi8> {
  %0 = vggq.subsample_pad %x strides [2, 1] channel_padding [0, 0] : tensor<?x8x8x4xi8> -> tensor<?x4x8x4xi8>
  %1 = vggq.subsample_pad %0 strides [1, 4] channel_padding [3, 5] : tensor<?x4x8x4xi8> -> tensor<?x4x2x12xi8>
  return %1 : tensor<?x4x2x12xi8>
}

// -----

// Stride 1 and no padding is the identity.
// CHECK-LABEL: func.func @subsample_pad_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x8x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @subsample_pad_identity(%x: tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32> {
  %0 = vggq.subsample_pad %x strides [1, 1] channel_padding [0, 0] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}

// -----

// Affine pairs: equal zero points fold to the codes; a zero point that
// differs (or only one side's) is not a requantize (which is symmetric).
// CHECK-LABEL: func.func @quantize_of_dequantize_affine
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xi8>)
// CHECK-NEXT: %[[D:.*]] = vggq.dequantize %[[X]] scale [5.000000e-01] zero_point [3]
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize %[[D]] scale [5.000000e-01] zero_point [4]
// CHECK-NEXT: %[[S:.*]] = vggq.quantize %[[D]] scale [2.500000e-01] :
// CHECK-NEXT: return %[[X]], %[[Q]], %[[S]]
func.func @quantize_of_dequantize_affine(%x: tensor<4x8xi8>) -> (tensor<4x8xi8>, tensor<4x8xi8>, tensor<4x8xi8>) {
  %d = vggq.dequantize %x scale [0.5] zero_point [3] : tensor<4x8xi8> -> tensor<4x8xf32>
  %q = vggq.quantize %d scale [0.5] zero_point [3] : tensor<4x8xf32> -> tensor<4x8xi8>
  %q2 = vggq.quantize %d scale [0.5] zero_point [4] : tensor<4x8xf32> -> tensor<4x8xi8>
  %q3 = vggq.quantize %d scale [0.25] : tensor<4x8xf32> -> tensor<4x8xi8>
  return %q, %q2, %q3 : tensor<4x8xi8>, tensor<4x8xi8>, tensor<4x8xi8>
}
