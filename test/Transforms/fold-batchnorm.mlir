// RUN: vggq-opt %s --vggq-fold-batchnorm --split-input-file | FileCheck %s
// RUN: vggq-opt %s --pass-pipeline='builtin.module(func.func(vggq-fold-batchnorm))' --split-input-file | FileCheck %s

// Conv with a bias: s = scale / sqrt(var + eps) = [4/sqrt(4), 9/sqrt(9)] = [2, 3]
// (eps = 0); w' = w * s, b' = (b - mean) * s + offset.
// CHECK-LABEL: func.func @fold_with_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x4x1xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}-3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.*]] = vggq.conv2d %[[X]], %[[W]], %[[B]] strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.1"}
// CHECK-NOT: vggq.batch_norm
// CHECK: return %[[C]]
func.func @fold_with_bias(%x: tensor<?x4x4x1xf32>) -> tensor<?x4x4x2xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %gamma = arith.constant dense<[4.0, 9.0]> : tensor<2xf32>
  %beta = arith.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = arith.constant dense<[0.0, 2.0]> : tensor<2xf32>
  %var = arith.constant dense<[4.0, 9.0]> : tensor<2xf32>
  %0 = vggq.conv2d %x, %w, %b strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.0"}
      : (tensor<?x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<?x4x4x2xf32>
  %1 = vggq.batch_norm %0, %gamma, %beta, %mean, %var epsilon 0.0 {vggq.layer = "features.1"} : tensor<?x4x4x2xf32>, tensor<2xf32>
  return %1 : tensor<?x4x4x2xf32>
}

// -----

// A conv without bias gets one: b' = offset - mean * s.
// CHECK-LABEL: func.func @fold_without_bias
// CHECK-DAG: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<1x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<-1.000000e+00> : tensor<1xf32>
// CHECK: vggq.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: vggq.batch_norm
func.func @fold_without_bias(%x: tensor<?x4x4x1xf32>) -> tensor<?x4x4x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %gamma = arith.constant dense<1.0> : tensor<1xf32>
  %beta = arith.constant dense<0.0> : tensor<1xf32>
  %mean = arith.constant dense<2.0> : tensor<1xf32>
  %var = arith.constant dense<4.0> : tensor<1xf32>
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<?x4x4x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x4x4x1xf32>
  %1 = vggq.batch_norm %0, %gamma, %beta, %mean, %var epsilon 0.0 : tensor<?x4x4x1xf32>, tensor<1xf32>
  return %1 : tensor<?x4x4x1xf32>
}

// -----

// Does not fire: the conv result has another user.
// CHECK-LABEL: func.func @conv_has_other_users
// CHECK: %[[C:.*]] = vggq.conv2d
// CHECK: %[[BN:.*]] = vggq.batch_norm %[[C]]
// CHECK: return %[[BN]], %[[C]]
func.func @conv_has_other_users(%x: tensor<?x4x4x1xf32>) -> (tensor<?x4x4x1xf32>, tensor<?x4x4x1xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<?x4x4x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x4x4x1xf32>
  %1 = vggq.batch_norm %0, %p, %p, %p, %p epsilon 0.0 : tensor<?x4x4x1xf32>, tensor<1xf32>
  return %1, %0 : tensor<?x4x4x1xf32>, tensor<?x4x4x1xf32>
}

// -----

// Does not fire: the weights are a function argument, not a constant.
// CHECK-LABEL: func.func @weights_not_constant
// CHECK: %[[C:.*]] = vggq.conv2d
// CHECK: vggq.batch_norm %[[C]]
func.func @weights_not_constant(%x: tensor<?x4x4x1xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<?x4x4x1xf32> {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1]
      : (tensor<?x4x4x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x4x4x1xf32>
  %1 = vggq.batch_norm %0, %p, %p, %p, %p epsilon 0.0 : tensor<?x4x4x1xf32>, tensor<1xf32>
  return %1 : tensor<?x4x4x1xf32>
}

// -----

// Does not fire: a batch norm after something other than a conv.
// CHECK-LABEL: func.func @not_after_conv
// CHECK: %[[R:.*]] = vggq.relu
// CHECK: vggq.batch_norm %[[R]]
func.func @not_after_conv(%x: tensor<?x4x4x1xf32>) -> tensor<?x4x4x1xf32> {
  %p = arith.constant dense<1.0> : tensor<1xf32>
  %0 = vggq.relu %x : tensor<?x4x4x1xf32>
  %1 = vggq.batch_norm %0, %p, %p, %p, %p epsilon 0.0 : tensor<?x4x4x1xf32>, tensor<1xf32>
  return %1 : tensor<?x4x4x1xf32>
}
