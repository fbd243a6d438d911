// RUN: %python %S/Inputs/make_cifar.py 2 %t.bin
// RUN: head -c 100 %t.bin > %t.bad.bin
// RUN: not vggq-opt %s --vggq-calibrate="data=%t.bad.bin" 2>&1 | FileCheck %s --check-prefix=BADDATA
// RUN: not vggq-opt %s --vggq-calibrate="data=%t.missing.bin" 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: not vggq-opt %s --vggq-calibrate="method=kl data=%t.bin" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not vggq-opt %s --vggq-calibrate="method=mse precision=fp32 data=%t.bin" 2>&1 | FileCheck %s --check-prefix=PREC
// RUN: echo '{"format": "vggq-calibration", "version": 1, "method": "max", "layers": {"features.9": {"amax": 1, "min": 0, "max": 1}}}' > %t.unknown.json
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.unknown.json" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: echo '{"format": "vggq-calibration", "version": 7, "method": "max", "layers": {}}' > %t.version.json
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.version.json" 2>&1 | FileCheck %s --check-prefix=VERSION
// RUN: echo '{"format": "vggq-calibration", "version": 1,' > %t.malformed.json
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.malformed.json" 2>&1 | FileCheck %s --check-prefix=MALFORMED
// RUN: echo '{"format": "vggq-calibration", "version": 1, "method": "max", "layers": {"features.0": {"amax": "x", "min": 0, "max": 1}}}' > %t.key.json
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.key.json" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: echo '{"format": "vggq-calibration", "version": 1, "method": "max", "layers": {"features.0": {"amax": 1e300, "min": 0, "max": 1}}}' > %t.range.json
// RUN: not vggq-opt %s --vggq-calibrate="load-table=%t.range.json" 2>&1 | FileCheck %s --check-prefix=RANGE
// Inputs so large that the layers overflow to infinity (a std of 1e-40): the
// layer is named, instead of a scale computed from infinities.
// RUN: sed 's/vggq.input_std = array<f32: 0.5, 0.5, 0.5>/vggq.input_std = array<f32: 1.0e-40, 1.0e-40, 1.0e-40>/' %s > %t.tiny-std.mlir
// RUN: not vggq-opt %t.tiny-std.mlir --vggq-calibrate="data=%t.bin samples=2" 2>&1 | FileCheck %s --check-prefix=NONFINITE
// A partial table: applied, with a warning for the layer it misses.
// RUN: echo '{"format": "vggq-calibration", "version": 1, "method": "percentile", "samples": 9, "layers": {"features.0": {"amax": 2.5, "min": -1, "max": 3}}}' > %t.partial.json
// RUN: vggq-opt %s --vggq-calibrate="load-table=%t.partial.json" 2>&1 | FileCheck %s --check-prefix=PARTIAL

// BADDATA: error: --vggq-calibrate: {{.*}}bad.bin
// NODATA: error: --vggq-calibrate: {{.*}}missing.bin
// METHOD: error: unknown calibration method 'kl' (known: max, percentile, entropy, mse)
// PREC: error: unknown or unquantized precision 'fp32' (known: fp8e4m3, fp8e5m2, int8, fp16{{.*}})
// UNKNOWN: error: calibration table '{{.*}}unknown.json': unknown layer 'features.9' (no conv2d, linear or avg_pool2d of that name, and no add operand '<layer>#0' or '<layer>#1')
// VERSION: error: calibration table '{{.*}}version.json': unsupported 'version' 7 (this vggq reads version 1)
// MALFORMED: error: calibration table '{{.*}}malformed.json': malformed JSON
// KEY: error: calibration table '{{.*}}key.json': layer 'features.0': 'amax' must be a finite number
// RANGE: error: calibration table '{{.*}}range.json': layer 'features.0': 'amax' = 1.000000e+300 is outside the float32 range
// NONFINITE: error: layer 'features.0': its input held {{[0-9]+}} non-finite values (inf or NaN) on the calibration images; no scale can represent them
// PARTIAL: warning: layer 'classifier' is not in calibration table
// PARTIAL: vggq.conv2d {{.*}}vggq.calibration = {max = 3.000000e+00 : f32, method = "percentile", min = -1.000000e+00 : f32, samples = 9 : i64}, vggq.input_amax = 2.500000e+00 : f32

module attributes {vggq.input_mean = array<f32: 0.5, 0.5, 0.5>, vggq.input_std = array<f32: 0.5, 0.5, 0.5>} {
  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1x1x3xf32>
    %lw = arith.constant dense<0.001> : tensor<2x2048xf32>
    %0 = vggq.conv2d %x, %w strides [1, 1] padding [0, 0, 0, 0] dilation [1, 1] {vggq.layer = "features.0"}
        : (tensor<?x32x32x3xf32>, tensor<2x1x1x3xf32>) -> tensor<?x32x32x2xf32>
    %1 = vggq.flatten %0 : tensor<?x32x32x2xf32> -> tensor<?x2048xf32>
    %2 = vggq.linear %1, %lw {vggq.layer = "classifier"} : (tensor<?x2048xf32>, tensor<2x2048xf32>) -> tensor<?x2xf32>
    return %2 : tensor<?x2xf32>
  }
}
