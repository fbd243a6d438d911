//===- Pipeline.cpp - --vggq-quantize-pipeline ------------------*- C++ -*-===//
//
// fold-bn -> calibrate [-> choose-precision] -> quantize -> fuse-qdq ->
// canonicalize, with typed options, and the registration of every pass of
// this library.
//
//===----------------------------------------------------------------------===//
#include "vggq/Precision/Precision.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// quantize -> fuse-qdq -> canonicalize.
static void addQuantizeAndFuse(OpPassManager &pm,
                               const vggq::QuantizePipelineOptions &options,
                               const std::string &precision) {
  vggq::QuantizeOptions quantize;
  quantize.precision = precision;
  quantize.biasCorrection = options.biasCorrection;
  quantize.exclude.assign(options.exclude.begin(), options.exclude.end());
  quantize.precisionMap.assign(options.precisionMap.begin(),
                               options.precisionMap.end());
  pm.addNestedPass<func::FuncOp>(vggq::createQuantize(quantize));

  vggq::FuseQDQOptions fuse;
  fuse.explain = options.explain;
  pm.addNestedPass<func::FuncOp>(vggq::createFuseQDQ(fuse));
  pm.addPass(createCanonicalizerPass());
}

void vggq::buildQuantizePipeline(OpPassManager &pm,
                                 const QuantizePipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createFoldBatchNorm());
  bool automatic = options.precision == "auto";
  std::string precision =
      automatic ? options.base.getValue() : options.precision.getValue();

  // Calibration sets the scales of CALIBRATED formats (Formats.def); a model
  // quantized only to formats whose scales are all 1 (FP16, BF16) needs no
  // images.
  bool calibrated = false;
  auto needs = [&](llvm::StringRef name) {
    const Precision *p = lookupPrecision(name);
    calibrated |= !p || (p->quantized() && p->calibrated);
  };
  needs(options.precision);
  for (const std::string &entry : options.precisionMap)
    needs(llvm::StringRef(entry).rsplit(':').second);
  if (!calibrated && !options.biasCorrection && options.loadTable.empty() &&
      options.table.empty())
    return addQuantizeAndFuse(pm, options, precision);

  CalibrateOptions calibrate;
  calibrate.samples = options.samples;
  calibrate.data = options.data;
  calibrate.method = options.method;
  calibrate.percentile = options.percentile;
  calibrate.precision = precision;
  // precision=auto writes the table after a successful choice only.
  calibrate.table = automatic ? std::string() : options.table.getValue();
  calibrate.loadTable = options.loadTable;
  calibrate.biasCorrection = options.biasCorrection;
  pm.addPass(createCalibrate(calibrate));
  if (automatic) {
    // Scales from images [0, samples); sensitivity from the next
    // sensitivity-samples images of the same file.
    ChoosePrecisionOptions choose;
    choose.base = options.base;
    choose.agreement = options.agreement;
    choose.confidence = options.confidence;
    choose.sensitivitySamples = options.sensitivitySamples;
    choose.data = options.data;
    choose.candidates.assign(options.candidates.begin(),
                             options.candidates.end());
    choose.precisionMap.assign(options.precisionMap.begin(),
                               options.precisionMap.end());
    choose.exclude.assign(options.exclude.begin(), options.exclude.end());
    choose.precisionMapOut = options.precisionMapOut;
    choose.table = options.table;
    choose.biasCorrection = options.biasCorrection;
    pm.addPass(createChoosePrecision(choose));
  }
  addQuantizeAndFuse(pm, options, precision);
}

void vggq::registerTransformsPasses() {
  registerVGGQTransformsPasses();
  PassPipelineRegistration<QuantizePipelineOptions>(
      "vggq-quantize-pipeline",
      "Quantize an FP32 model: fold-bn, calibrate, quantize, fuse-qdq, "
      "canonicalize",
      buildQuantizePipeline);
}
