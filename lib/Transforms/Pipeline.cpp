//===- Pipeline.cpp - --vggq-quantize-pipeline ------------------*- C++ -*-===//
//
// fold-bn -> calibrate -> quantize -> fuse-qdq -> canonicalize, with typed
// options, and the registration of every pass of this library.
//
//===----------------------------------------------------------------------===//
#include "vggq/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void vggq::buildQuantizePipeline(OpPassManager &pm,
                                 const QuantizePipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createFoldBatchNorm());

  CalibrateOptions calibrate;
  calibrate.samples = options.samples;
  calibrate.data = options.data;
  calibrate.method = options.method;
  calibrate.percentile = options.percentile;
  calibrate.precision = options.precision;
  calibrate.table = options.table;
  calibrate.loadTable = options.loadTable;
  pm.addPass(createCalibrate(calibrate));

  QuantizeOptions quantize;
  quantize.precision = options.precision;
  quantize.exclude.assign(options.exclude.begin(), options.exclude.end());
  quantize.precisionMap.assign(options.precisionMap.begin(),
                               options.precisionMap.end());
  pm.addNestedPass<func::FuncOp>(createQuantize(quantize));

  FuseQDQOptions fuse;
  fuse.explain = options.explain;
  pm.addNestedPass<func::FuncOp>(createFuseQDQ(fuse));
  pm.addPass(createCanonicalizerPass());
}

void vggq::registerTransformsPasses() {
  registerVGGQTransformsPasses();
  PassPipelineRegistration<QuantizePipelineOptions>(
      "vggq-quantize-pipeline",
      "Quantize an FP32 model: fold-bn, calibrate, quantize, fuse-qdq, "
      "canonicalize",
      buildQuantizePipeline);
}
