// RUN: vggq-opt %s --split-input-file --vggq-fuse-qdq=explain=true -verify-diagnostics | FileCheck %s

// The VGG shape: after fusion one quantize at the input, qconv2d ops with
// the relu + requantize epilogue, max_pool2d and flatten on storage and an
// f32 classifier.
// The summary remark on each function gives the counts left.
// CHECK-LABEL: func.func @vgg_chain
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x8x3xf32>)
// CHECK: %[[Q0:.*]] = vggq.quantize %[[X]] scale [1.000000e-02] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf8E4M3FN>
// CHECK-NEXT: %[[C0:.*]] = vggq.qconv2d %[[Q0]], %{{.*}}, %{{.*}} input_scale 0.00999999977 weight_scales [1.000000e-01] output_scale 2.000000e-02 relu {{.*}} -> tensor<?x8x8x4xf8E4M3FN>
// CHECK-NEXT: %[[C1:.*]] = vggq.qconv2d %[[C0]], {{.*}} output_scale 3.000000e-02 relu {{.*}} -> tensor<?x8x8x4xf8E4M3FN>
// CHECK-NEXT: %[[P:.*]] = vggq.max_pool2d %[[C1]] {{.*}} : tensor<?x8x8x4xf8E4M3FN> -> tensor<?x4x4x4xf8E4M3FN>
// CHECK-NEXT: %[[C2:.*]] = vggq.qconv2d %[[P]], {{.*}} output_scale 4.000000e-02 relu {{.*}} -> tensor<?x4x4x4xf8E4M3FN>
// CHECK-NEXT: %[[F:.*]] = vggq.flatten %[[C2]] : tensor<?x4x4x4xf8E4M3FN> -> tensor<?x64xf8E4M3FN>
// CHECK-NEXT: %[[L:.*]] = vggq.qlinear %[[F]], {{.*}} input_scale 4.000000e-02 weight_scales [1.000000e-01] {{.*}}-> tensor<?x10xf32>
// CHECK-NEXT: return %[[L]]
// expected-remark @below {{fuse-qdq: 11 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @vgg_chain(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
  %w0 = arith.constant dense<1.0> : tensor<4x3x3x3xf8E4M3FN>
  %w1 = arith.constant dense<1.0> : tensor<4x3x3x4xf8E4M3FN>
  %wl = arith.constant dense<1.0> : tensor<10x64xf8E4M3FN>
  %b = arith.constant dense<0.5> : tensor<4xf32>
  // expected-remark @below {{quantize survives: graph input}}
  %q0 = vggq.quantize %x scale [0.01] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf8E4M3FN>
  // expected-remark @below {{fused relu into the epilogue of 'features.0' (vggq.qconv2d)}}
  // expected-remark @below {{fused quantize (scale 0.02) into the epilogue of 'features.0' (vggq.qconv2d): the result stays quantized}}
  %c0 = vggq.qconv2d %q0, %w0, %b input_scale 0.01 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.0"}
      : (tensor<?x8x8x3xf8E4M3FN>, tensor<4x3x3x3xf8E4M3FN>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on f8E4M3FN storage}}
  %r0 = vggq.relu %c0 : tensor<?x8x8x4xf32>
  %q1 = vggq.quantize %r0 scale [0.02] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xf8E4M3FN>
  // expected-remark @below {{fused relu into the epilogue of 'features.3' (vggq.qconv2d)}}
  // expected-remark @below {{fused quantize (scale 0.03) into the epilogue of 'features.3' (vggq.qconv2d): the result stays quantized}}
  %c1 = vggq.qconv2d %q1, %w1, %b input_scale 0.02 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.3"}
      : (tensor<?x8x8x4xf8E4M3FN>, tensor<4x3x3x4xf8E4M3FN>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on f8E4M3FN storage}}
  %r1 = vggq.relu %c1 : tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.max_pool2d': it now runs on f8E4M3FN storage}}
  %p1 = vggq.max_pool2d %r1 kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x8x8x4xf32> -> tensor<?x4x4x4xf32>
  %q2 = vggq.quantize %p1 scale [0.03] : tensor<?x4x4x4xf32> -> tensor<?x4x4x4xf8E4M3FN>
  // expected-remark @below {{fused relu into the epilogue of 'features.7' (vggq.qconv2d)}}
  // expected-remark @below {{fused quantize (scale 0.04) into the epilogue of 'features.7' (vggq.qconv2d): the result stays quantized}}
  %c2 = vggq.qconv2d %q2, %w1, %b input_scale 0.03 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "features.7"}
      : (tensor<?x4x4x4xf8E4M3FN>, tensor<4x3x3x4xf8E4M3FN>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on f8E4M3FN storage}}
  %r2 = vggq.relu %c2 : tensor<?x4x4x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.flatten': it now runs on f8E4M3FN storage}}
  %f = vggq.flatten %r2 : tensor<?x4x4x4xf32> -> tensor<?x64xf32>
  %q3 = vggq.quantize %f scale [0.04] : tensor<?x64xf32> -> tensor<?x64xf8E4M3FN>
  // expected-remark @below {{'classifier' (vggq.qlinear) keeps an f32 result: graph output}}
  %l = vggq.qlinear %q3, %wl input_scale 0.04 weight_scales [0.1] {vggq.layer = "classifier"}
      : (tensor<?x64xf8E4M3FN>, tensor<10x64xf8E4M3FN>) -> tensor<?x10xf32>
  return %l : tensor<?x10xf32>
}

// -----

// INT8 with an i32 bias: the same fusions.
// CHECK-LABEL: func.func @int8_chain
// CHECK: %[[Q:.*]] = vggq.quantize
// The fused conv takes the relu's layer name (its result is the relu's).
// CHECK-NEXT: %[[C:.*]] = vggq.qconv2d %[[Q]], {{.*}} output_scale 5.000000e-01 relu {{.*}}{vggq.layer = "block.relu"} : (tensor<?x4x4x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>) -> tensor<?x4x4x1xi8>
// CHECK-NEXT: %[[P:.*]] = vggq.max_pool2d %[[C]] {{.*}} : tensor<?x4x4x1xi8> -> tensor<?x2x2x1xi8>
// CHECK-NEXT: return %[[P]]
// expected-remark @below {{fuse-qdq: 4 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @int8_chain(%x: tensor<?x4x4x1xf32>) -> tensor<?x2x2x1xi8> {
  %w = arith.constant dense<3> : tensor<1x1x1x1xi8>
  %b = arith.constant dense<7> : tensor<1xi32>
  // expected-remark @below {{quantize survives: graph input}}
  %q = vggq.quantize %x scale [0.25] : tensor<?x4x4x1xf32> -> tensor<?x4x4x1xi8>
  // expected-remark @below {{fused relu into the epilogue of 'block.relu' (vggq.qconv2d)}}
  // expected-remark @below {{fused quantize (scale 0.5)}}
  %c = vggq.qconv2d %q, %w, %b input_scale 0.25 weight_scales [0.125] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<?x4x4x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>) -> tensor<?x4x4x1xf32>
  // expected-remark @below {{quantize moved above 'block.relu' (vggq.relu): it now runs on i8 storage}}
  %r = vggq.relu %c {vggq.layer = "block.relu"} : tensor<?x4x4x1xf32>
  // expected-remark @below {{quantize moved above 'vggq.max_pool2d': it now runs on i8 storage}}
  %p = vggq.max_pool2d %r kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] : tensor<?x4x4x1xf32> -> tensor<?x2x2x1xf32>
  // A quantize on the graph output still folds into the producer.
  %o = vggq.quantize %p scale [0.5] : tensor<?x2x2x1xf32> -> tensor<?x2x2x1xi8>
  return %o : tensor<?x2x2x1xi8>
}

// -----

// Does not fire: an add of f32 operands (neither is dequantized) stays f32,
// so the conv feeding it keeps an f32 result and the sum is quantized.
// CHECK-LABEL: func.func @residual_add
// CHECK: %[[C:.*]] = vggq.qconv2d {{.*}} -> tensor<?x4x4x1xf32>
// CHECK-NEXT: %[[A:.*]] = vggq.add %[[C]], %{{.*}}
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize %[[A]]
// expected-remark @below {{fuse-qdq: 0 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @residual_add(%x: tensor<?x4x4x1xf32>, %q: tensor<?x4x4x1xf8E5M2>) -> tensor<?x4x4x1xf8E5M2> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf8E5M2>
  // expected-remark @below {{'block.0' (vggq.qconv2d) keeps an f32 result: float consumer 'vggq.add'}}
  %c = vggq.qconv2d %q, %w input_scale 0.25 weight_scales [0.125] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.0"}
      : (tensor<?x4x4x1xf8E5M2>, tensor<1x1x1x1xf8E5M2>) -> tensor<?x4x4x1xf32>
  // expected-remark @below {{'vggq.add' stays f32: operand #0 is f32, not dequantized, operand #1 is f32, not dequantized}}
  %a = vggq.add %c, %x : tensor<?x4x4x1xf32>
  // expected-remark @below {{quantize survives: not a qadd: operand #0 is f32, not dequantized, operand #1 is f32, not dequantized; the quantized value is a graph output}}
  %o = vggq.quantize %a scale [0.5] : tensor<?x4x4x1xf32> -> tensor<?x4x4x1xf8E5M2>
  return %o : tensor<?x4x4x1xf8E5M2>
}

// -----

// A dequantize with two users: the quantize user folds away (equal
// parameters), the dequantize stays for its float consumer.
// CHECK-LABEL: func.func @dequantize_two_users
// CHECK-SAME: (%[[Q:.*]]: tensor<?x10xi8>)
// CHECK: %[[D:.*]] = vggq.dequantize %[[Q]]
// CHECK-NEXT: %[[S:.*]] = vggq.softmax %[[D]]
// CHECK-NEXT: return %[[Q]], %[[S]]
// expected-remark @below {{fuse-qdq: 1 fusions; left: 0 quantize, 1 dequantize, 0 requantize}}
func.func @dequantize_two_users(%q: tensor<?x10xi8>) -> (tensor<?x10xi8>, tensor<?x10xf32>) {
  // expected-remark @below {{dequantize survives: float consumer 'vggq.softmax'}}
  %d = vggq.dequantize %q scale [0.5] : tensor<?x10xi8> -> tensor<?x10xf32>
  // expected-remark @below {{removed a dequantize->quantize pair with equal parameters}}
  %r = vggq.quantize %d scale [0.5] : tensor<?x10xf32> -> tensor<?x10xi8>
  %s = vggq.softmax %d : tensor<?x10xf32>
  return %r, %s : tensor<?x10xi8>, tensor<?x10xf32>
}

// -----

// Mismatched scales (and storage types) become one requantize.
// CHECK-LABEL: func.func @scale_mismatch
// CHECK-SAME: (%[[Q:.*]]: tensor<8xf8E4M3FN>)
// CHECK-NEXT: %[[R:.*]] = vggq.requantize %[[Q]] from 1.000000e-01 to 2.000000e-01 : tensor<8xf8E4M3FN> -> tensor<8xf8E5M2>
// CHECK-NEXT: return %[[R]]
// expected-remark @below {{fuse-qdq: 1 fusions; left: 0 quantize, 0 dequantize, 1 requantize}}
func.func @scale_mismatch(%q: tensor<8xf8E4M3FN>) -> tensor<8xf8E5M2> {
  %d = vggq.dequantize %q scale [0.1] : tensor<8xf8E4M3FN> -> tensor<8xf32>
  // expected-remark @below {{scale mismatch (0.1 vs 0.2): dequantize->quantize replaced by one requantize}}
  // expected-remark @below {{requantize survives: scale mismatch (0.1 f8E4M3FN -> 0.2 f8E5M2)}}
  %r = vggq.quantize %d scale [0.2] : tensor<8xf32> -> tensor<8xf8E5M2>
  return %r : tensor<8xf8E5M2>
}

// -----

// Does not fire: per-channel dequantize before a per-tensor quantize.
// CHECK-LABEL: func.func @per_channel_vs_per_tensor
// CHECK: vggq.dequantize {{.*}} axis 1
// CHECK-NEXT: vggq.quantize
// expected-remark @below {{fuse-qdq: 0 fusions; left: 1 quantize, 1 dequantize, 0 requantize}}
func.func @per_channel_vs_per_tensor(%q: tensor<4x2xi8>) -> tensor<4x2xi8> {
  // expected-remark @below {{dequantize survives: scale mismatch with its quantize user}}
  %d = vggq.dequantize %q scale [0.1, 0.2] axis 1 : tensor<4x2xi8> -> tensor<4x2xf32>
  // expected-remark @below {{quantize survives: scale mismatch: per-channel and per-tensor parameters cannot become one requantize}}
  %r = vggq.quantize %d scale [0.1] : tensor<4x2xf32> -> tensor<4x2xi8>
  return %r : tensor<4x2xi8>
}

// -----

// A per-channel quantize moves above relu (the channel axis survives) but
// neither above flatten nor into an epilogue (output_scale is per tensor).
// CHECK-LABEL: func.func @per_channel_quantize
// CHECK: %[[F:.*]] = vggq.flatten
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize %[[F]] scale [1.000000e-01, 2.000000e-01] axis 1
// CHECK-NEXT: %[[R:.*]] = vggq.relu %[[Q]] : tensor<?x2xi8>
// expected-remark @below {{fuse-qdq: 1 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @per_channel_quantize(%x: tensor<?x1x1x2xf32>) -> tensor<?x2xi8> {
  %f = vggq.flatten %x : tensor<?x1x1x2xf32> -> tensor<?x2xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on i8 storage}}
  %r = vggq.relu %f : tensor<?x2xf32>
  // expected-remark @below {{quantize survives: non-commuting consumer: a per-channel quantize does not commute with 'vggq.flatten'}}
  %q = vggq.quantize %r scale [0.1, 0.2] axis 1 : tensor<?x2xf32> -> tensor<?x2xi8>
  return %q : tensor<?x2xi8>
}

// -----

// Never folded: dequantize(quantize(x)) rounds. A quantized compute op with
// two users keeps its f32 result.
// CHECK-LABEL: func.func @never_fold_dq_of_q
// CHECK: %[[Q:.*]] = vggq.quantize
// CHECK-NEXT: %[[D:.*]] = vggq.dequantize %[[Q]]
// CHECK-NEXT: %[[C:.*]] = vggq.qlinear %[[Q]]
// CHECK-NEXT: %[[Q2:.*]] = vggq.quantize %[[C]]
// CHECK-NEXT: return %[[D]], %[[C]], %[[Q2]]
// expected-remark @below {{fuse-qdq: 0 fusions; left: 2 quantize, 1 dequantize, 0 requantize}}
func.func @never_fold_dq_of_q(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xi8>) {
  %w = arith.constant dense<1> : tensor<4x4xi8>
  // expected-remark @below {{quantize survives: graph input}}
  %q = vggq.quantize %x scale [0.1] : tensor<?x4xf32> -> tensor<?x4xi8>
  // expected-remark @below {{dequantize survives: graph output}}
  %d = vggq.dequantize %q scale [0.1] : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{'fc' (vggq.qlinear) keeps an f32 result: multiple users (2), graph output}}
  %c = vggq.qlinear %q, %w input_scale 0.1 weight_scales [0.1] {vggq.layer = "fc"} : (tensor<?x4xi8>, tensor<4x4xi8>) -> tensor<?x4xf32>
  // expected-remark @below {{quantize survives: multiple users of 'fc' (vggq.qlinear) (multiple users (2), graph output); the quantized value is a graph output}}
  %q2 = vggq.quantize %c scale [0.2] : tensor<?x4xf32> -> tensor<?x4xi8>
  return %d, %c, %q2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xi8>
}
