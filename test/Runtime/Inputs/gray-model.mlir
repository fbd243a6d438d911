module attributes {vggq.input_mean = array<f32: 0.5>, vggq.input_std = array<f32: 0.25>} {
  func.func @forward(%x: tensor<?x16x16x1xf32>) -> tensor<?x7xf32> {
    %w = arith.constant dense<0.5> : tensor<8x3x3x1xf32>
    %lw = arith.constant dense<0.01> : tensor<7x2048xf32>
    %c = vggq.conv2d %x, %w strides [1, 1] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = "conv"} : (tensor<?x16x16x1xf32>, tensor<8x3x3x1xf32>) -> tensor<?x16x16x8xf32>
    %f = vggq.flatten %c : tensor<?x16x16x8xf32> -> tensor<?x2048xf32>
    %l = vggq.linear %f, %lw {vggq.layer = "fc"} : (tensor<?x2048xf32>, tensor<7x2048xf32>) -> tensor<?x7xf32>
    return %l : tensor<?x7xf32>
  }
}
