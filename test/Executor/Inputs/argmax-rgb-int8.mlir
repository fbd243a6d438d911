// argmax-rgb.mlir with the pooled values quantized to INT8 (scale 1/127)
// and a quantized linear layer: the same classes, slightly different logits.
module attributes {vggq.input_mean = array<f32: 0.0, 0.0, 0.0>,
                   vggq.input_std = array<f32: 1.0, 1.0, 1.0>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x10xf32> {
    %q = vggq.quantize %x scale [0.007874016] : tensor<?x32x32x3xf32> -> tensor<?x32x32x3xi8>
    %p = vggq.max_pool2d %q kernel [32, 32] strides [32, 32] padding [0, 0, 0, 0] {vggq.layer = "pool"}
        : tensor<?x32x32x3xi8> -> tensor<?x1x1x3xi8>
    %f = vggq.flatten %p : tensor<?x1x1x3xi8> -> tensor<?x3xi8>
    %w = arith.constant dense<[[127, 0, 0], [0, 127, 0], [0, 0, 127], [0, 0, 0],
        [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]> : tensor<10x3xi8>
    %b = arith.constant dense<0> : tensor<10xi32>
    %l = vggq.qlinear %f, %w, %b input_scale 0.007874016 weight_scales [0.007874016] {vggq.layer = "fc"}
        : (tensor<?x3xi8>, tensor<10x3xi8>, tensor<10xi32>) -> tensor<?x10xf32>
    return %l : tensor<?x10xf32>
  }
}
