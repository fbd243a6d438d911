// A model with an op the ONNX exporter does not write (onnx-export.test).
func.func @forward(%x: tensor<?x4x4x2xf32>) -> tensor<?x2xf32> {
  %p = vggq.avg_pool2d %x kernel [4, 4] strides [1, 1] padding [0, 0, 0, 0] {vggq.layer = "pool"} : tensor<?x4x4x2xf32> -> tensor<?x1x1x2xf32>
  %f = vggq.flatten %p : tensor<?x1x1x2xf32> -> tensor<?x2xf32>
  return %f : tensor<?x2xf32>
}
