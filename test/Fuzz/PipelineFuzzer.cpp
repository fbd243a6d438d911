//===- PipelineFuzzer.cpp - libFuzzer target: IR through every pass -------===//
//
// The input is MLIR (text, or bytecode when it starts with the bytecode
// magic). What the parser and verifier accept runs through each pass and
// pipeline of vggq, each on its own copy of the module:
//
//   fold-bn; calibrate on a two-image CIFAR file; quantize (INT8, E4M3,
//   E5M2); fuse-qdq; plan-memory; lower-to-gpu; serialize; and the whole
//   chain. Each either succeeds with a module that verifies or fails with an
//   error diagnostic; a failure without one, a crash or a sanitizer report is
//   a finding.
//
// Inputs whose tensors are large are only parsed and verified: running the
// reference executor on a 4096-channel convolution is slow, not wrong, and
// would read as a hang.
//
//===----------------------------------------------------------------------===//
#include "FuzzUtil.h"

#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

/// Elements above which a module is not executed (see the file comment).
constexpr int64_t kMaxElements = 1 << 20;

mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    registry.insert<vggq::VGGQDialect, mlir::func::FuncDialect,
                    mlir::arith::ArithDialect>();
    vggq::registerConversionDialects(registry);
    vggq::registerTransformsPasses();
    vggq::registerConversionPasses();
    auto *c = new mlir::MLIRContext(registry);
    c->disableMultithreading();
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

/// Two CIFAR-10 records for the calibrate pass.
const std::string &calibrationData() {
  static const std::string path = [] {
    std::string p = vggq::fuzz::scratchPath(".bin") + ".cifar";
    std::vector<uint8_t> bytes(2 * 3073);
    for (size_t i = 0; i < bytes.size(); ++i)
      bytes[i] = static_cast<uint8_t>((i * 37 + 11) & 0xff);
    bytes[0] = 3;
    bytes[3073] = 7;
    FILE *f = std::fopen(p.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
      std::abort();
    std::fclose(f);
    return p;
  }();
  return path;
}

const std::vector<std::string> &pipelines() {
  static const std::vector<std::string> list = [] {
    std::string calibrate = "vggq-calibrate{data=" + calibrationData() +
                            " samples=2 batch=2 bins=64 method=mse}";
    std::string quantize = "func.func(vggq-fold-batchnorm),"
                           "vggq-calibrate{data=" + calibrationData() +
                           " samples=2 batch=2 bins=64},"
                           "func.func(vggq-quantize{precision=int8},"
                           "vggq-fuse-qdq)";
    return std::vector<std::string>{
        "func.func(vggq-fold-batchnorm)",
        calibrate,
        "func.func(vggq-quantize{precision=int8})",
        "func.func(vggq-quantize{precision=fp8e4m3})",
        "func.func(vggq-quantize{precision=fp8e5m2})",
        "func.func(vggq-fuse-qdq{explain=true})",
        "func.func(vggq-plan-memory{batch=4})",
        "vggq-lower-to-gpu{chip=sm_90}",
        quantize + ",func.func(vggq-plan-memory{batch=4}),"
                   "vggq-lower-to-gpu{chip=sm_89},vggq-serialize-kernels",
    };
  }();
  return list;
}

int64_t largestTensor(mlir::ModuleOp module) {
  int64_t largest = 0;
  auto account = [&](mlir::Type t) {
    if (auto shaped = llvm::dyn_cast<mlir::ShapedType>(t))
      if (shaped.hasRank()) {
        int64_t n = 1;
        for (int64_t d : shaped.getShape())
          n = (d <= 0 || n > kMaxElements) ? n : n * d;
        largest = std::max(largest, n);
      }
  };
  module.walk([&](mlir::Operation *op) {
    for (mlir::Type t : op->getResultTypes())
      account(t);
    for (mlir::Type t : op->getOperandTypes())
      account(t);
  });
  return largest;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = context();
  bool sawError = false;
  mlir::ScopedDiagnosticHandler handler(&ctx, [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      sawError = true;
    return mlir::success();
  });
  // MLIR's lexer reads up to a terminating NUL, as files read through
  // MemoryBuffer have: a std::string provides one.
  std::string source(reinterpret_cast<const char *>(data), size);
  mlir::ParserConfig config(&ctx);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, config, "fuzz-input");
  if (!module) {
    // The parser (and the verifier it runs) must say why.
    if (!sawError)
      __builtin_trap();
    return 0;
  }
  if (largestTensor(*module) > kMaxElements)
    return 0;
  for (const std::string &text : pipelines()) {
    mlir::OwningOpRef<mlir::ModuleOp> copy = module->clone();
    mlir::PassManager pm(&ctx);
    if (mlir::failed(mlir::parsePassPipeline(text, pm)))
      std::abort(); // the harness's own pipelines must parse
    sawError = false;
    if (mlir::failed(pm.run(*copy))) {
      if (!sawError)
        __builtin_trap(); // rejected without a diagnostic
      continue;
    }
    if (mlir::failed(mlir::verify(*copy)))
      __builtin_trap();
  }
  return 0;
}
