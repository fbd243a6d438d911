// RUN: vggq-opt %s --split-input-file --vggq-quantize=precision=int8 -verify-diagnostics
// RUN: not vggq-opt %s --split-input-file --vggq-quantize=precision=fp16 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not vggq-opt %s --split-input-file --vggq-quantize="precision=int8 precision-map=classifier" 2>&1 | FileCheck %s --check-prefix=BADMAP

// UNKNOWN: unknown precision 'fp16' (known: fp32, fp8e4m3, fp8e5m2, int8)
// RUN: not vggq-opt %s --split-input-file --vggq-quantize="precision=int8 exclude=nope" 2>&1 | FileCheck %s --check-prefix=WARN

// BADMAP: precision-map entry 'classifier' must be layer:precision
// WARN: warning: exclude names layer 'nope', which is not in this function

func.func @missing_amax(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  // expected-error @below {{layer 'classifier' has no 'vggq.input_amax': run --vggq-calibrate first}}
  %0 = vggq.linear %x, %w {vggq.layer = "classifier"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @weights_not_constant(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>) -> tensor<?x2xf32> {
  // expected-error @below {{the weights of layer 'fc' are not a constant: they cannot be quantized at compile time}}
  %0 = vggq.linear %x, %w {vggq.input_amax = 1.0 : f32, vggq.layer = "fc"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
