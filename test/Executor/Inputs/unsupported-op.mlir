// A model with an op the reference executor does not implement (line 5).
func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x10xf32> {
  %p = vggq.max_pool2d %x kernel [32, 32] strides [32, 32] padding [0, 0, 0, 0] : tensor<?x32x32x3xf32> -> tensor<?x1x1x3xf32>
  %f = vggq.flatten %p : tensor<?x1x1x3xf32> -> tensor<?x3xf32>
  %s = arith.addf %f, %f : tensor<?x3xf32>
  %w = arith.constant dense<1.0> : tensor<10x3xf32>
  %l = vggq.linear %s, %w : (tensor<?x3xf32>, tensor<10x3xf32>) -> tensor<?x10xf32>
  return %l : tensor<?x10xf32>
}
