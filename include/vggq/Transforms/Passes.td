//===- Passes.td - vggq transformation passes --------------*- tablegen -*-===//
//
// The passes that turn an FP32 vggq graph into a quantized one: fold batch
// norm, calibrate, quantize, fuse quantize/dequantize.
//
//===----------------------------------------------------------------------===//

#ifndef VGGQ_TRANSFORMS_PASSES_TD
#define VGGQ_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNorm : Pass<"vggq-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold inference batch norm into the preceding convolution";
  let description = [{
    `batch_norm(conv2d(x, w, b))` becomes `conv2d(x, w', b')` with
    `s = scale / sqrt(variance + epsilon)`, `w'[o] = w[o] * s[o]` and
    `b'[o] = (b[o] - mean[o]) * s[o] + offset[o]` (a conv without bias gets
    one). Exact in FP32 up to rounding. The folded conv takes the batch norm's
    `vggq.layer` name. Does not fire when the conv result has other users or
    when the weights or batch-norm parameters are not constants.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "vggq::VGGQDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded", "Number of batch norms folded">,
  ];
}

def Calibrate : Pass<"vggq-calibrate", "mlir::ModuleOp"> {
  let summary = "Choose activation ranges by running the FP32 graph on real images";
  let description = [{
    Runs `@forward` with the CPU reference executor on `samples` images of a
    CIFAR-10 binary file (default: `$VGGQ_SHARED/data/cifar-10-batches-bin/
    data_batch_1.bin`, the training batch; never calibrate on the test set),
    normalized with the module's `vggq.input_mean` / `vggq.input_std`. For
    the input activation of every `vggq.conv2d` / `vggq.linear` it collects
    min, max and a histogram of |x| (`bins` bins; the range doubles and bins
    merge pairwise when a larger value arrives) and chooses `amax`:

    - `max`: the largest |x| seen;
    - `percentile`: the upper edge of the bin where the |x| CDF reaches
      `percentile` percent;
    - `entropy`: TensorRT's KL-divergence search: candidate thresholds from
      128 bins upwards, the reference distribution with the outliers folded
      into its last bin, the candidate quantized to 128 levels (INT8). For
      FP8 the levels are the precision's own grid: the bins that round to
      the same FP8 code at the candidate's scale are merged;
    - `mse`: the amax (a bin edge) minimizing the expected squared
      quantize/dequantize error of the histogram on `precision`'s grid.

    Writes `vggq.input_amax` and `vggq.calibration = {method, min, max,
    samples}` on each op; `table=FILE` also writes a versioned JSON table and
    `load-table=FILE` applies a table instead of running the graph.
  }];
  let dependentDialects = ["vggq::VGGQDialect"];
  let options = [
    Option<"samples", "samples", "int64_t", "1000",
           "Number of calibration images">,
    Option<"data", "data", "std::string", "\"\"",
           "CIFAR-10 binary file (default: the shared training batch)">,
    Option<"method", "method", "std::string", "\"max\"",
           "max | percentile | entropy | mse">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percentile of |x| for method=percentile">,
    Option<"bins", "bins", "int64_t", "2048", "Histogram bins">,
    Option<"precision", "precision", "std::string", "\"fp8e4m3\"",
           "Target precision whose grid entropy and mse use">,
    Option<"batch", "batch", "int64_t", "100", "Images per executor run">,
    Option<"table", "table", "std::string", "\"\"",
           "Write the calibration table (JSON) to this file">,
    Option<"loadTable", "load-table", "std::string", "\"\"",
           "Apply this calibration table instead of running the graph">,
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers calibrated">,
    Statistic<"numImages", "num-images", "Number of images run">,
  ];
}

def Quantize : Pass<"vggq-quantize", "mlir::func::FuncOp"> {
  let summary = "Quantize every conv2d / linear to qconv2d / qlinear";
  let description = [{
    Inserts `vggq.quantize` on the input of every calibrated conv2d/linear
    (scale = the registry's `scaleForAmax(vggq.input_amax)`), quantizes the
    constant weights per output channel at compile time (scale = channel
    amax / maxFinite; an all-zero channel gets a tiny positive scale), keeps
    the bias in f32 for FP8 and stores it as i32 at `input_scale *
    weight_scale` (round half to even) for INT8, and replaces the op by
    `vggq.qconv2d` / `vggq.qlinear` with an f32 result. `exclude` keeps
    layers in FP32; `precision-map` gives layers another precision.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "vggq::VGGQDialect"];
  let options = [
    Option<"precision", "precision", "std::string", "\"fp8e4m3\"",
           "Default precision (a name from the precision registry)">,
    ListOption<"exclude", "exclude", "std::string",
               "Layers (vggq.layer names) kept in FP32">,
    ListOption<"precisionMap", "precision-map", "std::string",
               "Per-layer precisions: name:precision,...">,
    Option<"report", "report", "bool", "false",
           "Emit a remark with the counts below (Debian's LLVM is built "
           "without statistics, so --mlir-pass-statistics shows nothing)">,
  ];
  let statistics = [
    Statistic<"numQuantized", "num-quantized", "Number of ops quantized">,
    Statistic<"weightBytesBefore", "weight-bytes-before",
              "Bytes of the quantized layers' weights and biases before">,
    Statistic<"weightBytesAfter", "weight-bytes-after",
              "Bytes of the quantized layers' weights and biases after">,
  ];
}

def FuseQDQ : Pass<"vggq-fuse-qdq", "mlir::func::FuncOp"> {
  let summary = "Keep tensors quantized between layers";
  let description = [{
    Modelled on torch-mlir's FuseQuantizedOps. Exact rewrites only:

    - `relu` after a quantized compute op with a single use becomes its
      `relu` epilogue flag;
    - `quantize` moves above `relu`, `max_pool2d` and `flatten` (they commute
      with a monotone, zero-preserving quantization) so they run on storage;
    - `quantize` of a quantized compute op's f32 result becomes the op's
      `output_scale` (the fused bias+relu+requantize epilogue);
    - `quantize(dequantize(x))` with equal parameters is `x`, with unequal
      per-tensor ones a `requantize`.

    `dequantize(quantize(x))` is never folded (it rounds). With
    `explain=true` every fusion and every surviving quantize/dequantize/
    requantize is explained by a remark naming the reason, and a summary
    remark on the function gives the counts of the statistics below (which
    --mlir-pass-statistics shows only on LLVM builds with statistics).
  }];
  let dependentDialects = ["vggq::VGGQDialect"];
  let options = [
    Option<"explain", "explain", "bool", "false",
           "Emit a remark for every fusion and every surviving q/dq op">,
  ];
  let statistics = [
    Statistic<"numFusions", "num-fusions", "Number of fusions made">,
    Statistic<"numQuantize", "num-quantize", "quantize ops left">,
    Statistic<"numDequantize", "num-dequantize", "dequantize ops left">,
    Statistic<"numRequantize", "num-requantize", "requantize ops left">,
  ];
}

#endif // VGGQ_TRANSFORMS_PASSES_TD
