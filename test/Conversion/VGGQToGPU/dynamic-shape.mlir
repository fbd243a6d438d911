// RUN: vggq-opt %s --vggq-lower-to-gpu -verify-diagnostics

// A module that claims a plan but has a dynamic image size: the lowering
// refuses it before sizing any buffer (found by fuzzing the pipelines).
func.func @forward(%x: tensor<?x32x32x4xf32>) -> tensor<?x?x16x8xf32>
    attributes {vggq.arena = {alignment = 256 : i64, bytes_per_image = 1024 : i64}} {
  // expected-error @+1 {{vggq-lower-to-gpu: result type 'tensor<?x?x16x8xf32>' has a dynamic size in dimension 1; only the batch (dimension 0) may be dynamic}}
  %s = vggq.subsample_pad %x strides [2, 2] channel_padding [2, 2] : tensor<?x32x32x4xf32> -> tensor<?x?x16x8xf32>
  return %s : tensor<?x?x16x8xf32>
}
