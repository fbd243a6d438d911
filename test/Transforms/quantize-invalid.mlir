// RUN: vggq-opt %s --split-input-file --vggq-quantize=precision=int8 -verify-diagnostics
// RUN: not vggq-opt %s --split-input-file --vggq-quantize=precision=fp6 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not vggq-opt %s --split-input-file --vggq-quantize="precision=int8 precision-map=classifier" 2>&1 | FileCheck %s --check-prefix=BADMAP

// UNKNOWN: unknown precision 'fp6' (known: fp32, fp8e4m3, fp8e5m2, int8, fp16{{.*}})
// RUN: not vggq-opt %s --split-input-file --vggq-quantize="precision=int8 exclude=nope" 2>&1 | FileCheck %s --check-prefix=WARN

// BADMAP: precision-map entry 'classifier' must be layer:precision
// A precision-map entry must name a layer of the function (a typo would
// otherwise leave that layer at the default precision).
// RUN: not vggq-opt %s --split-input-file --vggq-quantize="precision=int8 precision-map=features.99:fp16" 2>&1 | FileCheck %s --check-prefix=NOLAYER
// NOLAYER: error: precision-map names layer 'features.99' (fp16), which is not a conv2d, linear, add or avg_pool2d of this function (layers: classifier)
// FP16 scales are all 1: no calibration is needed, so the same layer quantizes.
// RUN: not vggq-opt %s --split-input-file --vggq-quantize=precision=fp16 2>&1 | FileCheck %s --check-prefix=FP16
// FP16: vggq.quantize %{{.*}} scale [1.000000e+00] : tensor<?x4xf32> -> tensor<?x4xf16>
// FP16: vggq.qlinear {{.*}} input_scale 1.000000e+00 weight_scales [1.000000e+00, 1.000000e+00] {{.*}} : (tensor<?x4xf16>, tensor<2x4xf16>) -> tensor<?x2xf32>
// WARN: warning: exclude names layer 'nope', which is not in this function

func.func @missing_amax(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  // expected-error @below {{layer 'classifier' has no 'vggq.input_amax': run --vggq-calibrate first (int8 scales are calibrated)}}
  %0 = vggq.linear %x, %w {vggq.layer = "classifier"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @weights_not_constant(%x: tensor<?x4xf32>, %w: tensor<2x4xf32>) -> tensor<?x2xf32> {
  // expected-error @below {{the weights of layer 'fc' are not a constant: they cannot be quantized at compile time}}
  %0 = vggq.linear %x, %w {vggq.input_amax = 1.0 : f32, vggq.layer = "fc"} : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @add_missing_amax(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @below {{layer 'block.add' has no 'vggq.rhs_amax': run --vggq-calibrate first (int8 scales are calibrated)}}
  %0 = vggq.add %a, %b {vggq.layer = "block.add", vggq.lhs_amax = 1.0 : f32} : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @pool_bad_amax(%x: tensor<?x2x2x4xf32>) -> tensor<?x1x1x4xf32> {
  // expected-error @below {{this vggq.avg_pool2d has 'vggq.input_amax' = 0.000000e+00, which gives no valid int8 scale}}
  %0 = vggq.avg_pool2d %x kernel [2, 2] strides [1, 1] padding [0, 0, 0, 0] {vggq.input_amax = 0.0 : f32} : tensor<?x2x2x4xf32> -> tensor<?x1x1x4xf32>
  return %0 : tensor<?x1x1x4xf32>
}
