//===- Passes.h - vggq transformation passes --------------------*- C++ -*-===//
//
// Declarations of the fold-bn, calibrate, quantize and fuse-qdq passes
// (generated from Passes.td) and of the quantization pipeline.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TRANSFORMS_PASSES_H
#define VGGQ_TRANSFORMS_PASSES_H

#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

#include <memory>
#include <string>

namespace vggq {

#define GEN_PASS_DECL
#include "vggq/Transforms/Passes.h.inc"

/// Options of `--vggq-quantize-pipeline`.
struct QuantizePipelineOptions
    : public mlir::PassPipelineOptions<QuantizePipelineOptions> {
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("A registered precision, or auto: per-layer precisions "
                     "chosen by --vggq-choose-precision under `agreement`"),
      llvm::cl::init("fp8e4m3")};
  Option<std::string> method{*this, "method",
                             llvm::cl::desc("max | percentile | entropy | mse"),
                             llvm::cl::init("max")};
  Option<int64_t> samples{*this, "samples",
                          llvm::cl::desc("Calibration images"),
                          llvm::cl::init(1000)};
  Option<std::string> data{*this, "data",
                           llvm::cl::desc("CIFAR-10 binary file for calibration"),
                           llvm::cl::init("")};
  Option<double> percentile{*this, "percentile",
                            llvm::cl::desc("Percentile for method=percentile"),
                            llvm::cl::init(99.99)};
  Option<std::string> table{*this, "table",
                            llvm::cl::desc("Write the calibration table here"),
                            llvm::cl::init("")};
  Option<std::string> loadTable{
      *this, "load-table",
      llvm::cl::desc("Apply this calibration table instead of calibrating"),
      llvm::cl::init("")};
  ListOption<std::string> exclude{*this, "exclude",
                                  llvm::cl::desc("Layers kept in FP32")};
  ListOption<std::string> precisionMap{
      *this, "precision-map", llvm::cl::desc("Per-layer precisions name:prec")};
  Option<std::string> base{
      *this, "base",
      llvm::cl::desc("precision=auto: the starting precision of every layer "
                     "(also the calibration grid of entropy/mse)"),
      llvm::cl::init("fp8e4m3")};
  Option<double> agreement{
      *this, "agreement",
      llvm::cl::desc("precision=auto: top-1 agreement budget with FP32 (%) "
                     "on the sensitivity images"),
      llvm::cl::init(99.5)};
  Option<double> confidence{
      *this, "confidence",
      llvm::cl::desc("precision=auto: z-score of the one-sided Wilson bound "
                     "of the measured agreement that must reach the budget "
                     "(0: the measured agreement)"),
      llvm::cl::init(0.0)};
  Option<int64_t> sensitivitySamples{
      *this, "sensitivity-samples",
      llvm::cl::desc("precision=auto: images [samples, samples + this) of "
                     "`data`, held apart from the calibration images [0, "
                     "samples), on which sensitivity and the budget are "
                     "measured"),
      llvm::cl::init(500)};
  ListOption<std::string> candidates{
      *this, "candidates",
      llvm::cl::desc("precision=auto: the formats to choose from (default: "
                     "every registered precision)")};
  Option<std::string> precisionMapOut{
      *this, "precision-map-out",
      llvm::cl::desc("precision=auto: write the choice here, one "
                     "layer:precision line per layer"),
      llvm::cl::init("")};
  Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Fold the mean weight-rounding error (W - Wq) E[x] into "
                     "each layer's bias"),
      llvm::cl::init(false)};
  Option<bool> explain{*this, "explain",
                       llvm::cl::desc("Explain fusions with remarks"),
                       llvm::cl::init(false)};
};

/// fold-bn -> calibrate -> quantize -> fuse-qdq -> canonicalize.
void buildQuantizePipeline(mlir::OpPassManager &pm,
                           const QuantizePipelineOptions &options);

/// Registers the passes and `--vggq-quantize-pipeline`.
void registerTransformsPasses();

#define GEN_PASS_REGISTRATION
#include "vggq/Transforms/Passes.h.inc"

} // namespace vggq

#endif // VGGQ_TRANSFORMS_PASSES_H
