// RUN: vggq-opt %s --split-input-file --vggq-fuse-qdq=explain=true -verify-diagnostics | FileCheck %s

// A residual network as --vggq-quantize leaves it: the block input is
// quantized twice at one scale (for block.conv1 and for the shortcut), each
// add operand sits between a quantize and a dequantize, and so does the
// pool's input. After fusion: one quantize of the graph input, the two
// quantizes of the block input merged and folded into the stem's epilogue,
// the add (with its relu) fused into block.conv2's epilogue, which reads the
// stem's result as its residual, the pool on i8 storage, and f32 logits.
// CHECK-LABEL: func.func @resnet_block
// CHECK: %[[Q0:.*]] = vggq.quantize
// CHECK-NEXT: %[[STEM:.*]] = vggq.qconv2d %[[Q0]], {{.*}} output_scale 5.000000e-02 relu {{.*}}{vggq.layer = "stem.relu"} : {{.*}} -> tensor<?x8x8x4xi8>
// CHECK-NEXT: %[[C1:.*]] = vggq.qconv2d %[[STEM]], {{.*}} output_scale 4.000000e-02 relu {{.*}} -> tensor<?x8x8x4xi8>
// CHECK-NEXT: %[[C2:.*]] = vggq.qconv2d %[[C1]], {{.*}} output_scale 6.000000e-02 residual %[[STEM]] residual_scale 5.000000e-02 sum_scale 7.000000e-02 sum_relu {{.*}}{vggq.layer = "block.relu"} : {{.*}} -> tensor<?x8x8x4xi8>
// CHECK-NEXT: %[[P:.*]] = vggq.avg_pool2d %[[C2]] kernel [8, 8] {{.*}} input_scale 7.000000e-02 output_scale 3.000000e-02 {vggq.layer = "pool"} : tensor<?x8x8x4xi8> -> tensor<?x1x1x4xi8>
// CHECK-NEXT: %[[F:.*]] = vggq.flatten %[[P]] : tensor<?x1x1x4xi8> -> tensor<?x4xi8>
// CHECK-NEXT: %[[L:.*]] = vggq.qlinear %[[F]], {{.*}} -> tensor<?x10xf32>
// CHECK-NEXT: return %[[L]]
// expected-remark @below {{fuse-qdq: 14 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @resnet_block(%x: tensor<?x8x8x3xf32>) -> tensor<?x10xf32> {
  %w0 = arith.constant dense<1> : tensor<4x3x3x3xi8>
  %w1 = arith.constant dense<1> : tensor<4x3x3x4xi8>
  %wl = arith.constant dense<1> : tensor<10x4xi8>
  %b = arith.constant dense<3> : tensor<4xi32>
  // expected-remark @below {{quantize survives: graph input}}
  %q0 = vggq.quantize %x scale [0.01] : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xi8>
  // expected-remark @below {{fused quantize (scale 0.05) into the epilogue of 'stem' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused relu into the epilogue of 'stem.relu' (vggq.qconv2d)}}
  %c0 = vggq.qconv2d %q0, %w0, %b input_scale 0.01 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "stem"}
      : (tensor<?x8x8x3xi8>, tensor<4x3x3x3xi8>, tensor<4xi32>) -> tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'stem.relu' (vggq.relu): it now runs on i8 storage}}
  %r0 = vggq.relu %c0 {vggq.layer = "stem.relu"} : tensor<?x8x8x4xf32>
  // expected-remark @below {{merged two equal quantizes (scale 0.05, i8) of one value: it is quantized once}}
  %q1 = vggq.quantize %r0 scale [0.05] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xi8>
  // expected-remark @below {{fused quantize (scale 0.04) into the epilogue of 'block.conv1' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused relu into the epilogue of 'block.conv1' (vggq.qconv2d)}}
  %c1 = vggq.qconv2d %q1, %w1, %b input_scale 0.05 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "block.conv1"}
      : (tensor<?x8x8x4xi8>, tensor<4x3x3x4xi8>, tensor<4xi32>) -> tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on i8 storage}}
  %r1 = vggq.relu %c1 : tensor<?x8x8x4xf32>
  %q2 = vggq.quantize %r1 scale [0.04] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xi8>
  // expected-remark @below {{fused quantize (scale 0.06) into the epilogue of 'block.conv2' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused 'block.relu' (vggq.qadd) into the epilogue of 'block.conv2' (vggq.qconv2d): it reads the shortcut as a residual (scale 0.05), the sum is quantized at 0.07}}
  %c2 = vggq.qconv2d %q2, %w1, %b input_scale 0.04 weight_scales [0.1] strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "block.conv2"}
      : (tensor<?x8x8x4xi8>, tensor<4x3x3x4xi8>, tensor<4xi32>) -> tensor<?x8x8x4xf32>
  %qa = vggq.quantize %c2 scale [0.06] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xi8>
  %da = vggq.dequantize %qa scale [0.06] : tensor<?x8x8x4xi8> -> tensor<?x8x8x4xf32>
  %qb = vggq.quantize %r0 scale [0.05] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xi8>
  %db = vggq.dequantize %qb scale [0.05] : tensor<?x8x8x4xi8> -> tensor<?x8x8x4xf32>
  // expected-remark @below {{formed 'block.add' (vggq.qadd) from 'block.add' (vggq.add) between dequantizes (0.06, 0.05) and a quantize (0.07): the sum runs on i8 storage}}
  // expected-remark @below {{fused relu into 'block.relu' (vggq.qadd)}}
  %s = vggq.add %da, %db {vggq.layer = "block.add"} : tensor<?x8x8x4xf32>
  // expected-remark @below {{quantize moved above 'block.relu' (vggq.relu): it now runs on i8 storage}}
  %r2 = vggq.relu %s {vggq.layer = "block.relu"} : tensor<?x8x8x4xf32>
  %qp = vggq.quantize %r2 scale [0.07] : tensor<?x8x8x4xf32> -> tensor<?x8x8x4xi8>
  %dp = vggq.dequantize %qp scale [0.07] : tensor<?x8x8x4xi8> -> tensor<?x8x8x4xf32>
  // expected-remark @below {{'pool' (vggq.avg_pool2d) runs on i8 storage (input_scale 0.07, output_scale 0.03)}}
  %p = vggq.avg_pool2d %dp kernel [8, 8] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "pool"} : tensor<?x8x8x4xf32> -> tensor<?x1x1x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.flatten': it now runs on i8 storage}}
  %f = vggq.flatten %p : tensor<?x1x1x4xf32> -> tensor<?x4xf32>
  %qf = vggq.quantize %f scale [0.03] : tensor<?x4xf32> -> tensor<?x4xi8>
  // expected-remark @below {{'fc' (vggq.qlinear) keeps an f32 result: graph output}}
  %l = vggq.qlinear %qf, %wl input_scale 0.03 weight_scales [0.1] {vggq.layer = "fc"} : (tensor<?x4xi8>, tensor<10x4xi8>) -> tensor<?x10xf32>
  return %l : tensor<?x10xf32>
}

// -----

// A downsampling block: the shortcut's quantize moves above subsample_pad
// onto the block input, where it merges with block.conv's; the add's
// operands come in the other order (shortcut first).
// CHECK-LABEL: func.func @downsample
// CHECK: %[[STEM:.*]] = vggq.qconv2d {{.*}} output_scale 5.000000e-02 relu {{.*}} -> tensor<?x8x8x2xi8>
// CHECK-NEXT: %[[S:.*]] = vggq.subsample_pad %[[STEM]] strides [2, 2] channel_padding [1, 1] : tensor<?x8x8x2xi8> -> tensor<?x4x4x4xi8>
// CHECK-NEXT: %[[C:.*]] = vggq.qconv2d %[[STEM]], {{.*}} output_scale 6.000000e-02 residual %[[S]] residual_scale 5.000000e-02 sum_scale 7.000000e-02 strides [2, 2] {{.*}} -> tensor<?x4x4x4xi8>
// CHECK-NEXT: return %[[C]]
// expected-remark @below {{fuse-qdq: 8 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @downsample(%x: tensor<?x8x8x2xf32>) -> tensor<?x4x4x4xi8> {
  %w0 = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %w1 = arith.constant dense<1> : tensor<4x3x3x2xi8>
  // expected-remark @below {{quantize survives: graph input}}
  %q0 = vggq.quantize %x scale [0.01] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  // expected-remark @below {{fused quantize (scale 0.05) into the epilogue of 'stem' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused relu into the epilogue of 'stem' (vggq.qconv2d)}}
  %c0 = vggq.qconv2d %q0, %w0 input_scale 0.01 weight_scales [0.1] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "stem"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on i8 storage}}
  %r0 = vggq.relu %c0 : tensor<?x8x8x2xf32>
  // expected-remark @below {{merged two equal quantizes (scale 0.05, i8) of one value: it is quantized once}}
  %q1 = vggq.quantize %r0 scale [0.05] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  // expected-remark @below {{fused quantize (scale 0.06) into the epilogue of 'block.conv' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused 'vggq.qadd' into the epilogue of 'block.conv' (vggq.qconv2d): it reads the shortcut as a residual (scale 0.05), the sum is quantized at 0.07}}
  %c1 = vggq.qconv2d %q1, %w1 input_scale 0.05 weight_scales [0.1] strides [2, 2] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xi8>, tensor<4x3x3x2xi8>) -> tensor<?x4x4x4xf32>
  %qa = vggq.quantize %c1 scale [0.06] : tensor<?x4x4x4xf32> -> tensor<?x4x4x4xi8>
  %da = vggq.dequantize %qa scale [0.06] : tensor<?x4x4x4xi8> -> tensor<?x4x4x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.subsample_pad': it now runs on i8 storage}}
  %sp = vggq.subsample_pad %r0 strides [2, 2] channel_padding [1, 1] : tensor<?x8x8x2xf32> -> tensor<?x4x4x4xf32>
  %qb = vggq.quantize %sp scale [0.05] : tensor<?x4x4x4xf32> -> tensor<?x4x4x4xi8>
  %db = vggq.dequantize %qb scale [0.05] : tensor<?x4x4x4xi8> -> tensor<?x4x4x4xf32>
  // expected-remark @below {{formed 'vggq.qadd' from 'vggq.add' between dequantizes (0.05, 0.06) and a quantize (0.07): the sum runs on i8 storage}}
  %s = vggq.add %db, %da : tensor<?x4x4x4xf32>
  %qo = vggq.quantize %s scale [0.07] : tensor<?x4x4x4xf32> -> tensor<?x4x4x4xi8>
  return %qo : tensor<?x4x4x4xi8>
}

// -----

// Does not merge: the shortcut quantizes the block input at another scale
// than block.conv does, so both quantizes survive and the stem keeps an f32
// result (its f32 copy stays alive). The add is still fused into the conv.
// CHECK-LABEL: func.func @scales_differ
// CHECK: %[[STEM:.*]] = vggq.qconv2d {{.*}} relu {{.*}} -> tensor<?x8x8x2xf32>
// CHECK-NEXT: %[[A:.*]] = vggq.quantize %[[STEM]] scale [5.000000e-02]
// CHECK-NEXT: %[[B:.*]] = vggq.quantize %[[STEM]] scale [4.000000e-02]
// CHECK-NEXT: vggq.qconv2d %[[A]], {{.*}} residual %[[B]] residual_scale 4.000000e-02
// expected-remark @below {{fuse-qdq: 4 fusions; left: 3 quantize, 0 dequantize, 0 requantize}}
func.func @scales_differ(%x: tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xi8> {
  %w0 = arith.constant dense<1> : tensor<2x1x1x2xi8>
  // expected-remark @below {{quantize survives: graph input}}
  %q0 = vggq.quantize %x scale [0.01] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  // expected-remark @below {{fused relu into the epilogue of 'stem' (vggq.qconv2d)}}
  // expected-remark @below {{'stem' (vggq.qconv2d) keeps an f32 result: multiple users (2), quantize users with different scales or types}}
  %c0 = vggq.qconv2d %q0, %w0 input_scale 0.01 weight_scales [0.1] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "stem"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xf32>
  %r0 = vggq.relu %c0 : tensor<?x8x8x2xf32>
  // expected-remark @below {{quantize survives: multiple users of 'stem' (vggq.qconv2d) (multiple users (2), quantize users with different scales or types)}}
  %q1 = vggq.quantize %r0 scale [0.05] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  // expected-remark @below {{fused quantize (scale 0.06) into the epilogue of 'block.conv' (vggq.qconv2d): the result stays quantized}}
  // expected-remark @below {{fused 'block.add' (vggq.qadd) into the epilogue of 'block.conv' (vggq.qconv2d): it reads the shortcut as a residual (scale 0.04), the sum is quantized at 0.07}}
  %c1 = vggq.qconv2d %q1, %w0 input_scale 0.05 weight_scales [0.1] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xf32>
  %qa = vggq.quantize %c1 scale [0.06] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  %da = vggq.dequantize %qa scale [0.06] : tensor<?x8x8x2xi8> -> tensor<?x8x8x2xf32>
  // expected-remark @below {{quantize survives: multiple users of 'stem' (vggq.qconv2d) (multiple users (2), quantize users with different scales or types)}}
  %qb = vggq.quantize %r0 scale [0.04] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  %db = vggq.dequantize %qb scale [0.04] : tensor<?x8x8x2xi8> -> tensor<?x8x8x2xf32>
  // expected-remark @below {{formed 'block.add' (vggq.qadd) from 'block.add' (vggq.add) between dequantizes (0.06, 0.04) and a quantize (0.07): the sum runs on i8 storage}}
  %s = vggq.add %da, %db {vggq.layer = "block.add"} : tensor<?x8x8x2xf32>
  %qo = vggq.quantize %s scale [0.07] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  return %qo : tensor<?x8x8x2xi8>
}

// -----

// Does not fuse into the conv: a graph output is taken before the add, so
// the conv keeps its f32 result; the qadd reads a quantize of it.
// CHECK-LABEL: func.func @output_before_add
// CHECK: %[[C:.*]] = vggq.qconv2d {{.*}} -> tensor<?x8x8x2xf32>
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize %[[C]] scale [6.000000e-02]
// CHECK-NEXT: %[[S:.*]] = vggq.qadd %[[Q]], %{{.*}} lhs_scale 6.000000e-02 rhs_scale 5.000000e-02 output_scale 7.000000e-02
// CHECK-NEXT: return %[[C]], %[[S]]
// expected-remark @below {{fuse-qdq: 1 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @output_before_add(%q: tensor<?x8x8x2xi8>) -> (tensor<?x8x8x2xf32>, tensor<?x8x8x2xi8>) {
  %w0 = arith.constant dense<1> : tensor<2x1x1x2xi8>
  // expected-remark @below {{'block.conv' (vggq.qconv2d) keeps an f32 result: multiple users (2), graph output, a quantize user}}
  %c1 = vggq.qconv2d %q, %w0 input_scale 0.05 weight_scales [0.1] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xf32>
  // expected-remark @below {{quantize survives: multiple users of 'block.conv' (vggq.qconv2d) (multiple users (2), graph output)}}
  %qa = vggq.quantize %c1 scale [0.06] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  %da = vggq.dequantize %qa scale [0.06] : tensor<?x8x8x2xi8> -> tensor<?x8x8x2xf32>
  %db = vggq.dequantize %q scale [0.05] : tensor<?x8x8x2xi8> -> tensor<?x8x8x2xf32>
  // expected-remark @below {{formed 'block.add' (vggq.qadd) from 'block.add' (vggq.add) between dequantizes (0.06, 0.05) and a quantize (0.07): the sum runs on i8 storage}}
  // expected-remark @below {{'block.add' (vggq.qadd) is not fused into a conv epilogue: lhs produced by 'vggq.quantize', not a qconv2d; rhs a graph input, not a qconv2d result}}
  %s = vggq.add %da, %db {vggq.layer = "block.add"} : tensor<?x8x8x2xf32>
  %qo = vggq.quantize %s scale [0.07] : tensor<?x8x8x2xf32> -> tensor<?x8x8x2xi8>
  return %c1, %qo : tensor<?x8x8x2xf32>, tensor<?x8x8x2xi8>
}

// -----

// Does not fuse: the conv's quantized result has a second consumer.
// CHECK-LABEL: func.func @conv_two_users
// CHECK: %[[C:.*]] = vggq.qconv2d {{.*}} output_scale 6.000000e-02 strides
// CHECK-NEXT: vggq.qadd %[[C]]
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @conv_two_users(%q: tensor<?x8x8x2xi8>) -> (tensor<?x8x8x2xi8>, tensor<?x8x8x2xi8>) {
  %w0 = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %c1 = vggq.qconv2d %q, %w0 input_scale 0.05 weight_scales [0.1] output_scale 0.06 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xi8>
  // expected-remark @below {{'vggq.qadd' is not fused into a conv epilogue: lhs 'block.conv' (vggq.qconv2d) has 2 users (its result is needed before the add); rhs a graph input, not a qconv2d result}}
  %s = vggq.qadd %c1, %q lhs_scale 0.06 rhs_scale 0.05 output_scale 0.07 : tensor<?x8x8x2xi8>, tensor<?x8x8x2xi8> -> tensor<?x8x8x2xi8>
  return %c1, %s : tensor<?x8x8x2xi8>, tensor<?x8x8x2xi8>
}

// -----

// Does not fuse: the residual is stored in another format than the result.
// CHECK-LABEL: func.func @residual_type_differs
// CHECK: vggq.qadd
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @residual_type_differs(%q: tensor<?x8x8x2xf8E4M3FN>, %r: tensor<?x8x8x2xf8E5M2>) -> tensor<?x8x8x2xf8E4M3FN> {
  %w0 = arith.constant dense<1.0> : tensor<2x1x1x2xf8E4M3FN>
  %c1 = vggq.qconv2d %q, %w0 input_scale 0.05 weight_scales [0.1] output_scale 0.06 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xf8E4M3FN>, tensor<2x1x1x2xf8E4M3FN>) -> tensor<?x8x8x2xf8E4M3FN>
  // expected-remark @below {{'vggq.qadd' is not fused into a conv epilogue: lhs the residual is tensor<?x8x8x2xf8E5M2>, the result tensor<?x8x8x2xf8E4M3FN>; rhs a graph input, not a qconv2d result}}
  %s = vggq.qadd %c1, %r lhs_scale 0.06 rhs_scale 0.05 output_scale 0.07 : tensor<?x8x8x2xf8E4M3FN>, tensor<?x8x8x2xf8E5M2> -> tensor<?x8x8x2xf8E4M3FN>
  return %s : tensor<?x8x8x2xf8E4M3FN>
}

// -----

// Does not fuse: the conv's result type is not the qadd's (the conv would
// have to round in the sum's format).
// CHECK-LABEL: func.func @result_type_differs
// CHECK: vggq.qadd
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @result_type_differs(%q: tensor<?x8x8x2xf8E4M3FN>, %r: tensor<?x8x8x2xf8E4M3FN>) -> tensor<?x8x8x2xf8E5M2> {
  %w0 = arith.constant dense<1.0> : tensor<2x1x1x2xf8E4M3FN>
  %c1 = vggq.qconv2d %q, %w0 input_scale 0.05 weight_scales [0.1] output_scale 0.06 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xf8E4M3FN>, tensor<2x1x1x2xf8E4M3FN>) -> tensor<?x8x8x2xf8E4M3FN>
  // expected-remark @below {{'vggq.qadd' is not fused into a conv epilogue: lhs a graph input, not a qconv2d result; rhs 'block.conv' (vggq.qconv2d) produces tensor<?x8x8x2xf8E4M3FN>, the qadd tensor<?x8x8x2xf8E5M2>}}
  %s = vggq.qadd %r, %c1 lhs_scale 0.05 rhs_scale 0.06 output_scale 0.07 : tensor<?x8x8x2xf8E4M3FN>, tensor<?x8x8x2xf8E4M3FN> -> tensor<?x8x8x2xf8E5M2>
  return %s : tensor<?x8x8x2xf8E5M2>
}

// -----

// Does not fuse: the qadd reads the conv's codes at another scale than the
// conv writes them.
// CHECK-LABEL: func.func @operand_scale_differs
// CHECK: vggq.qadd
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @operand_scale_differs(%q: tensor<?x8x8x2xi8>) -> tensor<?x8x8x2xi8> {
  %w0 = arith.constant dense<1> : tensor<2x1x1x2xi8>
  %c1 = vggq.qconv2d %q, %w0 input_scale 0.05 weight_scales [0.1] output_scale 0.06 strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "block.conv"}
      : (tensor<?x8x8x2xi8>, tensor<2x1x1x2xi8>) -> tensor<?x8x8x2xi8>
  // expected-remark @below {{'vggq.qadd' is not fused into a conv epilogue: lhs scale mismatch: 'block.conv' (vggq.qconv2d) output_scale 0.06 vs the qadd operand scale 0.03; rhs a graph input, not a qconv2d result}}
  %s = vggq.qadd %c1, %q lhs_scale 0.03 rhs_scale 0.05 output_scale 0.07 : tensor<?x8x8x2xi8>, tensor<?x8x8x2xi8> -> tensor<?x8x8x2xi8>
  return %s : tensor<?x8x8x2xi8>
}

// -----

// Does not form a qadd: the add's f32 result is also a graph output.
// CHECK-LABEL: func.func @add_two_users
// CHECK: %[[S:.*]] = vggq.add
// CHECK-NEXT: %[[Q:.*]] = vggq.quantize %[[S]]
// CHECK-NEXT: %[[R:.*]] = vggq.relu %[[Q]] : tensor<?x4xi8>
// expected-remark @below {{fuse-qdq: 1 fusions; left: 1 quantize, 2 dequantize, 0 requantize}}
func.func @add_two_users(%a: tensor<?x4xi8>, %b: tensor<?x4xi8>) -> (tensor<?x4xf32>, tensor<?x4xi8>) {
  // expected-remark @below {{dequantize survives: float consumer 'vggq.add'}}
  %da = vggq.dequantize %a scale [0.06] : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{dequantize survives: float consumer 'vggq.add'}}
  %db = vggq.dequantize %b scale [0.05] : tensor<?x4xi8> -> tensor<?x4xf32>
  // expected-remark @below {{'vggq.add' stays f32: its f32 result is used (multiple users (2), a quantize user, graph output)}}
  %s = vggq.add %da, %db : tensor<?x4xf32>
  // expected-remark @below {{quantize moved above 'vggq.relu': it now runs on i8 storage}}
  %r = vggq.relu %s : tensor<?x4xf32>
  // expected-remark @below {{quantize survives: multiple users of 'vggq.add' (multiple users (2), graph output)}}
  %qo = vggq.quantize %r scale [0.07] : tensor<?x4xf32> -> tensor<?x4xi8>
  return %s, %qo : tensor<?x4xf32>, tensor<?x4xi8>
}

// -----

// Does not fuse the relu: the qadd's result without it is also needed.
// CHECK-LABEL: func.func @qadd_relu_two_users
// CHECK: %[[S:.*]] = vggq.qadd {{.*}} output_scale 7.000000e-02 :
// CHECK-NEXT: vggq.relu %[[S]]
// expected-remark @below {{fuse-qdq: 0 fusions; left: 0 quantize, 0 dequantize, 0 requantize}}
func.func @qadd_relu_two_users(%a: tensor<?x4xi8>, %b: tensor<?x4xi8>) -> (tensor<?x4xi8>, tensor<?x4xi8>) {
  // expected-remark @below {{'vggq.qadd' is not fused into a conv epilogue: lhs a graph input, not a qconv2d result; rhs a graph input, not a qconv2d result}}
  %s = vggq.qadd %a, %b lhs_scale 0.06 rhs_scale 0.05 output_scale 0.07 : tensor<?x4xi8>, tensor<?x4xi8> -> tensor<?x4xi8>
  %r = vggq.relu %s : tensor<?x4xi8>
  return %s, %r : tensor<?x4xi8>, tensor<?x4xi8>
}

// -----

// The pool stays f32 when its input is stored in another format than its
// result would be, or is not dequantized at all.
// CHECK-LABEL: func.func @pool_not_fused
// CHECK: vggq.avg_pool2d {{.*}} : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
// CHECK: vggq.avg_pool2d {{.*}} : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
// expected-remark @below {{fuse-qdq: 0 fusions; left: 2 quantize, 1 dequantize, 0 requantize}}
func.func @pool_not_fused(%a: tensor<?x4x4x2xf8E5M2>, %x: tensor<?x4x4x2xf32>) -> (tensor<?x1x1x2xf8E4M3FN>, tensor<?x1x1x2xf8E4M3FN>) {
  // expected-remark @below {{dequantize survives: float consumer 'vggq.avg_pool2d'}}
  %da = vggq.dequantize %a scale [0.06] : tensor<?x4x4x2xf8E5M2> -> tensor<?x4x4x2xf32>
  // expected-remark @below {{'vggq.avg_pool2d' stays f32: storage differs: f8E5M2 input, f8E4M3FN result}}
  %p = vggq.avg_pool2d %da kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
  // expected-remark @below {{quantize survives: not a pool on storage: storage differs: f8E5M2 input, f8E4M3FN result; the quantized value is a graph output}}
  %q = vggq.quantize %p scale [0.03] : tensor<?x1x1x2xf32> -> tensor<?x1x1x2xf8E4M3FN>
  // expected-remark @below {{'vggq.avg_pool2d' stays f32: the input of 'vggq.avg_pool2d' is f32, not dequantized}}
  %p2 = vggq.avg_pool2d %x kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
  // expected-remark @below {{quantize survives: not a pool on storage: the input of 'vggq.avg_pool2d' is f32, not dequantized; the quantized value is a graph output}}
  %q2 = vggq.quantize %p2 scale [0.03] : tensor<?x1x1x2xf32> -> tensor<?x1x1x2xf8E4M3FN>
  return %q, %q2 : tensor<?x1x1x2xf8E4M3FN>, tensor<?x1x1x2xf8E4M3FN>
}

// -----

// A per-channel quantize does not move above subsample_pad: the channel
// padding shifts the channels.
// CHECK-LABEL: func.func @per_channel_subsample
// CHECK: vggq.subsample_pad {{.*}} -> tensor<?x2x2x4xf32>
// CHECK-NEXT: vggq.quantize
// expected-remark @below {{fuse-qdq: 0 fusions; left: 1 quantize, 0 dequantize, 0 requantize}}
func.func @per_channel_subsample(%x: tensor<?x4x4x2xf32>) -> tensor<?x2x2x4xi8> {
  %sp = vggq.subsample_pad %x strides [2, 2] channel_padding [1, 1] : tensor<?x4x4x2xf32> -> tensor<?x2x2x4xf32>
  // expected-remark @below {{quantize survives: non-commuting consumer: a per-channel quantize does not commute with 'vggq.subsample_pad'; the quantized value is a graph output}}
  %q = vggq.quantize %sp scale [0.1, 0.2, 0.3, 0.4] axis 3 : tensor<?x2x2x4xf32> -> tensor<?x2x2x4xi8>
  return %q : tensor<?x2x2x4xi8>
}
