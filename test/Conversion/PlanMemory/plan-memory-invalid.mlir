// RUN: vggq-opt %s -split-input-file --vggq-plan-memory -verify-diagnostics

// Only the batch may be dynamic: a plan holds a fixed number of bytes per
// image (found by fuzzing: the dynamic size was multiplied as a number).
func.func @forward(%x: tensor<?x8x8x4xf32>) -> tensor<?x?x8x4xf32> {
  // expected-error @+1 {{vggq-plan-memory: result type 'tensor<?x?x8x4xf32>' has a dynamic size in dimension 1; only the batch (dimension 0) may be dynamic}}
  %y = vggq.subsample_pad %x strides [1, 1] channel_padding [0, 0] : tensor<?x8x8x4xf32> -> tensor<?x?x8x4xf32>
  return %y : tensor<?x?x8x4xf32>
}

// -----

// expected-error @+1 {{vggq-plan-memory: input type 'tensor<?x8x?x4xf32>' has a dynamic size in dimension 2; only the batch (dimension 0) may be dynamic}}
func.func @forward(%x: tensor<?x8x?x4xf32>) -> tensor<?x8x?x4xf32> {
  return %x : tensor<?x8x?x4xf32>
}
