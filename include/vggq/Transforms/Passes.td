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
    normalized with the module's `vggq.input_mean` / `vggq.input_std` (one
    value per input channel). The images must have the H, W and C of
    `@forward`'s first argument. For every tensor --vggq-quantize quantizes
    (the input of each `vggq.conv2d` / `vggq.linear` / `vggq.avg_pool2d`,
    both operands of each `vggq.add`) it collects min, max and a histogram
    of |x| (`bins` bins; the range doubles and bins merge pairwise when a
    larger value arrives) and chooses `amax`. A tensor reached through
    `vggq.subsample_pad` is calibrated on the pad's input, where the
    quantize ends up after fusion, so a block input read by a conv and by a
    shortcut gets one histogram and one scale. The methods:

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
    samples}` on each op (an add gets `vggq.lhs_amax` / `vggq.rhs_amax` and
    `lhs_min`, `lhs_max`, `rhs_min`, `rhs_max`; its table entries are
    `<layer>#0` and `<layer>#1`); `table=FILE` also writes a versioned JSON table and
    `load-table=FILE` applies a table instead of running the graph. With
    `bias-correction=true` it also writes `vggq.input_col_mean`: the mean
    over the images and output positions of each im2col column of a conv's
    input (zero padding included), in the weight's (kh, kw, c) order, or the
    mean input feature of a linear; the table does not hold it.
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
    Option<"biasCorrection", "bias-correction", "bool", "false",
           "Also record vggq.input_col_mean (the mean im2col column of each "
           "layer's input), which --vggq-quantize=bias-correction=true needs">,
  ];
  let statistics = [
    Statistic<"numLayers", "num-layers", "Number of layers calibrated">,
    Statistic<"numImages", "num-images", "Number of images run">,
  ];
}

def Quantize : Pass<"vggq-quantize", "mlir::func::FuncOp"> {
  let summary = "Quantize every conv2d / linear to qconv2d / qlinear, and the "
                "inputs of every add and avg_pool2d";
  let description = [{
    Inserts `vggq.quantize` on the input of every calibrated conv2d/linear
    (scale = the registry's `scaleForAmax(vggq.input_amax)`), quantizes the
    constant weights per output channel at compile time (scale = channel
    amax / maxFinite; an all-zero channel gets a tiny positive scale), keeps
    the bias in f32 for FP8 and stores it as i32 at `input_scale *
    weight_scale` (round half to even) for INT8, and replaces the op by
    `vggq.qconv2d` / `vggq.qlinear` with an f32 result. Each operand of a
    `vggq.add` (at `vggq.lhs_amax` / `vggq.rhs_amax`) and the input of a
    `vggq.avg_pool2d` get a `quantize`/`dequantize` pair; the op stays f32
    until --vggq-fuse-qdq forms its quantized form. `exclude` keeps
    layers in FP32; `precision-map` gives layers another precision. A layer
    not in `precision-map` that carries a `vggq.precision` string attribute
    (written by --vggq-choose-precision) gets that precision; otherwise
    `precision`.

    With `bias-correction=true`, the bias of output channel o becomes
    `b[o] + sum_k (W[o,k] - Wq[o,k]) * m[k]`, Wq the dequantized weights and
    m the layer's `vggq.input_col_mean` (--vggq-calibrate with
    bias-correction=true): the mean error that weight rounding adds to the
    output over the calibration images is removed. A layer without bias gets
    one. INT8 rounds the corrected bias to i32 as usual.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "vggq::VGGQDialect"];
  let options = [
    Option<"precision", "precision", "std::string", "\"fp8e4m3\"",
           "Default precision (a name from the precision registry)">,
    ListOption<"exclude", "exclude", "std::string",
               "Layers (vggq.layer names) kept in FP32">,
    ListOption<"precisionMap", "precision-map", "std::string",
               "Per-layer precisions: name:precision,...">,
    Option<"biasCorrection", "bias-correction", "bool", "false",
           "Fold the mean output error of weight rounding, (W - Wq) E[x] per "
           "output channel, into the bias (needs vggq.input_col_mean)">,
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

def ChoosePrecision : Pass<"vggq-choose-precision", "mlir::ModuleOp"> {
  let summary = "Choose per-layer precisions under a top-1 agreement budget";
  let description = [{
    Runs after --vggq-calibrate (it needs `vggq.input_amax`). The scales come
    from the calibration images; the sensitivity is measured on other images
    of the same file: `sensitivity-samples` images starting at
    `sensitivity-begin` (default: right after the calibration images, i.e.
    the largest `samples` of the ops' `vggq.calibration`). The FP32 logits
    of those images and every layer's FP32 input are computed once.

    1. Sensitivity: each conv2d / linear is quantized alone in every
       candidate format (the rest stays FP32) and only the graph from that
       layer on is run on the cached FP32 input: top-1 agreement with FP32
       and the SQNR of the logits.
    2. Search: every layer starts at `base`. While the whole assignment's
       agreement (measured) is below `agreement`, the move with the largest
       SQNR gain (noise power removed) per added cost is made; a move that
       costs nothing and helps goes first. Then each promoted layer is tried
       once at its most accurate cheaper format and kept there if the budget
       still holds. Cost per layer is `formatCost` (lib/Transforms/
       ChoosePrecision.cpp): MACs over the format's relative MMA rate plus
       the bytes it moves.
    3. Output: a `vggq.precision` string attribute on every layer (which
       --vggq-quantize reads), a remark per layer explaining the choice,
       `precision-map-out=FILE` (one `layer:precision` line per layer, usable
       as `precision-map=` entries) and `table=FILE` (the calibration table,
       for `load-table=`). A budget that no assignment of the candidates
       meets is an error naming the limiting layers and the best agreement
       reached; nothing is written then.

    The candidates are every registered precision unless `candidates` names
    some. Layers named in `precision-map` / `exclude` keep that precision /
    FP32 and are not searched.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "vggq::VGGQDialect"];
  let options = [
    Option<"base", "base", "std::string", "\"fp8e4m3\"",
           "Starting (cheapest wanted) precision of every layer">,
    Option<"agreement", "agreement", "double", "99.5",
           "Top-1 agreement budget with FP32 on the sensitivity images (%)">,
    Option<"sensitivitySamples", "sensitivity-samples", "int64_t", "500",
           "Images the sensitivity and the budget are measured on; held "
           "apart from the calibration images">,
    Option<"confidence", "confidence", "double", "0",
           "z-score of the one-sided Wilson bound that must reach the "
           "budget (0: the measured agreement itself; 1: about 84 % "
           "confidence that the agreement on unseen images holds)">,
    Option<"sensitivityBegin", "sensitivity-begin", "int64_t", "-1",
           "Index of the first sensitivity image in `data` (-1: right after "
           "the calibration images, the ops' vggq.calibration samples)">,
    Option<"data", "data", "std::string", "\"\"",
           "CIFAR-10 binary file (default: the shared training batch)">,
    Option<"batch", "batch", "int64_t", "100", "Images per executor run">,
    ListOption<"candidates", "candidates", "std::string",
               "Formats to choose from (default: every registered "
               "precision); must include base">,
    ListOption<"precisionMap", "precision-map", "std::string",
               "Fixed layers: name:precision,... (not searched)">,
    ListOption<"exclude", "exclude", "std::string",
               "Fixed FP32 layers (not searched)">,
    Option<"precisionMapOut", "precision-map-out", "std::string", "\"\"",
           "Write the choice here, one layer:precision line per layer">,
    Option<"table", "table", "std::string", "\"\"",
           "Write the calibration table (JSON) here after a successful "
           "choice">,
    Option<"biasCorrection", "bias-correction", "bool", "false",
           "Measure with --vggq-quantize's bias correction">,
  ];
}

def FuseQDQ : Pass<"vggq-fuse-qdq", "mlir::func::FuncOp"> {
  let summary = "Keep tensors quantized between layers";
  let description = [{
    Modelled on torch-mlir's FuseQuantizedOps. Exact rewrites only:

    - `relu` after a quantized compute op with a single use becomes its
      `relu` epilogue flag (`sum_relu` after a residual sum), and after a
      `qadd` its `relu`;
    - `quantize` moves above every op of the QuantCommutingOpInterface
      (`relu`, `max_pool2d`, `flatten`, `subsample_pad`: they commute with a
      monotone, zero-preserving quantization) so they run on storage;
    - `quantize` of a quantized compute op's f32 result becomes the op's
      `output_scale` (the fused bias+relu+requantize epilogue);
    - `quantize(dequantize(x))` with equal parameters is `x`, with unequal
      per-tensor ones a `requantize`;
    - two quantizes of one value with equal parameters and type are one;
    - `quantize(add(dequantize(a), dequantize(b)))` is a `qadd`, and a
      `qadd` of a single-use `qconv2d` result of its own type becomes that
      conv's residual epilogue (the other operand is the residual);
    - `quantize(avg_pool2d(dequantize(x)))` is the pool on storage.

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
