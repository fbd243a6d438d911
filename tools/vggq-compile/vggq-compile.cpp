//===- vggq-compile.cpp - model -> GPU kernels, plan and weights -*- C++
//-*-===//
//
//   vggq-compile MODEL(.onnx|.mlir|.mlirbc) --precision P --chip SM
//                --emit mlir|ptx|cubin|plan|all|perf -o OUT
//                [--calibration-table F]
//
// import -> (fp32: fold batch norm | quantized: the quantize pipeline, unless
// the model is already quantized) -> --vggq-plan-memory ->
// --vggq-lower-to-gpu -> serialize. `--emit plan` writes the plan JSON to
// OUT and the weight blob next to it (OUT with extension .weights, or
// --weights); `--emit all` writes OUT.plan.json, OUT.weights, OUT.ptx and,
// when ptxas is available, OUT.cubin (docs/ARTIFACT.md). `-o NAME.so`
// (without --emit) writes those four as NAME.* and links NAME.so with the
// runtime's vggq-link (next to vggq-compile, or --vggq-link); it also writes
// NAME.vggq.mlirbc, the model after quantization (before the lowering), which
// `vggq-run NAME.so --device cuda --compare-to cpu` runs as the reference.
// `--emit perf` prints the performance model's prediction for the kernels
// (lib/PerfModel, docs/PERF-MODEL.md) to OUT ("-": stdout).
//
//===----------------------------------------------------------------------===//
#include "Emit.h"
#include "PerfReport.h"
#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Import/Import.h"
#include "vggq/PerfModel/PerfModel.h"
#include "vggq/Precision/Precision.h"
#include "vggq/Transforms/Passes.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;
namespace cl = llvm::cl;

static cl::OptionCategory category("vggq-compile options");
static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model .onnx|.mlir|.mlirbc>"),
                                      cl::cat(category));
static cl::opt<std::string>
    precisionOpt("precision",
                 cl::desc("a precision of include/vggq/Precision/Formats.def "
                          "(fp32, fp8e4m3, int8, fp16, ...); an unknown name "
                          "lists them all"),
                 cl::init("fp8e4m3"), cl::cat(category));
static cl::opt<std::string> chipOpt("chip", cl::desc("sm_89 | sm_90 | sm_90a"),
                                    cl::init("sm_90"), cl::cat(category));
static cl::opt<std::string>
    kUnrollOpt("k-unroll", cl::init("auto"),
               cl::desc("auto | on | off: unroll the 8-bit GEMM K loop by the "
                        "pipeline depth (auto: INT8 only; see "
                        "--vggq-lower-to-gpu)"),
               cl::cat(category));
static cl::opt<std::string>
    mmaOpt("mma", cl::init("auto"),
           cl::desc("auto | mma.sync | wgmma: the tensor-core instruction "
                    "(auto: wgmma on sm_90a, mma.sync elsewhere)"),
           cl::cat(category));
static cl::opt<int64_t> fp8PromoteOpt(
    "fp8-promote", cl::init(0),
    cl::desc("FP8 wgmma: promote the tensor cores' partial sums into an f32 "
             "accumulator every N K slices of 64 (0: never; see "
             "--vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<int64_t> stagesOpt(
    "stages", cl::init(0),
    cl::desc("ring slots of the GEMM kernels' K pipeline, 2 to 5 (0: per "
             "layer; see --vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<std::string> aLoadOpt(
    "a-load", cl::init("auto"),
    cl::desc("auto | tma | cp.async: how wgmma kernels load activation tiles "
             "(auto: tma where the layer allows, with b-load tma; see "
             "--vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<std::string> warpSpecializeOpt(
    "warp-specialize", cl::init("auto"),
    cl::desc("auto | on | off: a producer warpgroup for the tensor copies "
             "of wgmma kernels with both operands by TMA (auto: off; see "
             "--vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<int64_t> consumersOpt(
    "consumers", cl::init(1),
    cl::desc("with --warp-specialize on: consumer warpgroups per block, 1 or "
             "2 (128-row tiles; see --vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<bool> persistentOpt(
    "persistent", cl::init(false),
    cl::desc("with --warp-specialize on: a persistent grid of at most SMs x "
             "blocks per SM, each block looping over output tiles (see "
             "--vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<std::string> bLoadOpt(
    "b-load", cl::init("auto"),
    cl::desc("auto | tma | cp.async: how wgmma kernels load weight tiles "
             "(auto: tma with wgmma; see --vggq-lower-to-gpu)"),
    cl::cat(category));
static cl::opt<std::string>
    emitOpt("emit", cl::desc("mlir | ptx | cubin | plan | all | perf"),
            cl::init("plan"), cl::cat(category));
static cl::opt<std::string>
    perfChip("perf-chip",
             cl::desc("--emit perf: the chip of the model's table (H200, "
                      "H100, RTX4090; default: the one of --chip)"),
             cl::init(""), cl::cat(category));
static cl::opt<int64_t>
    perfBatch("perf-batch",
              cl::desc("--emit perf: the batch of the per-kernel table"),
              cl::init(4096), cl::cat(category));
static cl::opt<std::string>
    outPath("o", cl::desc("Output file (or prefix for --emit all)"),
            cl::Required, cl::cat(category));
static cl::opt<std::string>
    weightsPath("weights", cl::desc("Weight blob path for --emit plan"),
                cl::init(""), cl::cat(category));
static cl::opt<std::string> tablePath("calibration-table",
                                      cl::desc("Apply this calibration table"),
                                      cl::init(""), cl::cat(category));
static cl::opt<std::string>
    calibData("calibration-data",
              cl::desc("CIFAR-10 binary for calibration "
                       "(default: the shared training batch)"),
              cl::init(""), cl::cat(category));
static cl::opt<int64_t> calibSamples("calibration-samples",
                                     cl::desc("Images for max calibration"),
                                     cl::init(256), cl::cat(category));
static cl::opt<std::string> ptxasOpt("ptxas",
                                     cl::desc("ptxas binary for cubins"),
                                     cl::init(""), cl::cat(category));
static cl::opt<std::string>
    vggqLinkOpt("vggq-link",
                cl::desc("vggq-link for -o NAME.so (default: next to "
                         "vggq-compile)"),
                cl::init(""), cl::cat(category));
static cl::opt<std::string> modelName("model-name",
                                      cl::desc("Model name in the plan"),
                                      cl::init(""), cl::cat(category));

namespace {

int fail(const llvm::Twine &msg) {
  llvm::errs() << "vggq-compile: " << msg << "\n";
  return 1;
}

OwningOpRef<ModuleOp> loadModel(MLIRContext &ctx, llvm::SourceMgr &sourceMgr) {
  llvm::StringRef ext = llvm::sys::path::extension(inputPath);
  if (ext == ".onnx") {
    auto m = vggq::importONNX(ctx, inputPath);
    if (!m) {
      llvm::errs() << "vggq-compile: " << llvm::toString(m.takeError()) << "\n";
      return nullptr;
    }
    return std::move(*m);
  }
  return parseSourceFile<ModuleOp>(inputPath, sourceMgr, &ctx);
}

/// True when @forward already holds quantized ops.
bool isQuantized(ModuleOp m) {
  bool q = false;
  m.walk([&](Operation *op) {
    if (isa<vggq::QConv2DOp, vggq::QLinearOp, vggq::QuantizeOp>(op))
      q = true;
  });
  return q;
}

/// The runtime's vggq-link: --vggq-link, else next to this executable.
std::string vggqLinkPath(const char *argv0) {
  if (!vggqLinkOpt.empty())
    return vggqLinkOpt;
  static int anchor;
  llvm::SmallString<256> p(llvm::sys::path::parent_path(
      llvm::sys::fs::getMainExecutable(argv0, &anchor)));
  llvm::sys::path::append(p, "vggq-link");
  return std::string(p);
}

std::string ptxasPath() {
  if (!ptxasOpt.empty())
    return ptxasOpt;
  if (const char *env = std::getenv("VGGQ_PTXAS"))
    return env;
  return VGGQ_PTXAS_PATH;
}

} // namespace

/// The whole compilation; main() removes what it wrote when it fails.
int compile(int argc, char **argv) {
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "vggq model compiler\n");
  const vggq::Precision *precision = vggq::lookupPrecision(precisionOpt);
  if (!precision)
    return fail("unknown precision '" + precisionOpt + "' (expected one of " +
                vggq::precisionNames() + ")");
  if (!llvm::is_contained({"mlir", "ptx", "cubin", "plan", "all", "perf"},
                          emitOpt))
    return fail("unknown --emit '" + emitOpt +
                "' (expected mlir, ptx, cubin, plan, all or perf)");
  // "-" is standard output: one stream, so only a single-file emit can use it.
  if (outPath == "-" && emitOpt == "all")
    return fail("--emit all writes several files: -o needs a file prefix, "
                "not '-'");
  if (outPath == "-" && emitOpt == "plan" && weightsPath.empty())
    return fail("--emit plan -o - writes the plan to standard output: name "
                "the weight blob with --weights FILE");
  if (emitOpt == "perf" && !perfChip.empty() &&
      !vggq::perf::lookupChip(perfChip))
    return fail("unknown --perf-chip '" + perfChip +
                "' (known: " + vggq::perf::chipNames() + ")");
  if (emitOpt == "perf" && perfBatch < 1)
    return fail("--perf-batch must be positive, got " +
                llvm::Twine(perfBatch.getValue()));
  if (kUnrollOpt != "auto" && kUnrollOpt != "on" && kUnrollOpt != "off")
    return fail("--k-unroll must be auto, on or off, got '" + kUnrollOpt +
                "'");
  if (mmaOpt != "auto" && mmaOpt != "mma.sync" && mmaOpt != "wgmma")
    return fail("--mma must be auto, mma.sync or wgmma, got '" + mmaOpt + "'");
  if (mmaOpt == "wgmma" && chipOpt != "sm_90a")
    return fail("--mma=wgmma needs --chip=sm_90a (wgmma is an sm_90a "
                "feature), got --chip=" + chipOpt);
  // -o NAME.so: the linked artifact (plan, weights, PTX, cubin, then .so).
  std::string soPath, vggqLink;
  if (!emitOpt.getNumOccurrences() &&
      llvm::sys::path::extension(outPath) == ".so") {
    vggqLink = vggqLinkPath(argv[0]);
    if (!llvm::sys::fs::can_execute(vggqLink))
      return fail("-o " + outPath + " needs the runtime's vggq-link ('" +
                  vggqLink +
                  "' is missing; give --vggq-link, or build runtime/, which "
                  "is built only when the CUDA toolkit is present)");
    soPath = outPath;
    outPath = llvm::StringRef(soPath).drop_back(3).str();
    emitOpt = "all";
  }

  DialectRegistry registry;
  registry.insert<vggq::VGGQDialect>();
  vggq::registerConversionDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  // A failing pass names its problem; the whole model printed after it would
  // bury the message (--mlir-print-op-on-diagnostic=true brings it back).
  auto &clOptions = llvm::cl::getRegisteredOptions();
  auto printOp = clOptions.find("mlir-print-op-on-diagnostic");
  if (printOp == clOptions.end() || !printOp->second->getNumOccurrences())
    ctx.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &ctx);
  OwningOpRef<ModuleOp> module = loadModel(ctx, sourceMgr);
  if (!module)
    return fail("cannot load '" + inputPath + "'");

  // Two pipelines: the vggq-level model (quantized and fused, or with batch
  // norm folded), which -o NAME.so also writes as NAME.vggq.mlirbc (the CPU
  // reference of the artifact), then memory planning and the GPU lowering.
  PassManager pm(&ctx);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  if (isQuantized(*module)) {
    // Already quantized: the precision is the model's.
  } else if (!precision->quantized()) {
    pm.addNestedPass<func::FuncOp>(vggq::createFoldBatchNorm());
  } else {
    vggq::QuantizePipelineOptions q;
    q.precision = precision->name;
    q.method = "max";
    q.samples = calibSamples;
    q.data = calibData;
    q.loadTable = tablePath;
    vggq::buildQuantizePipeline(pm, q);
  }
  if (failed(pm.run(*module)))
    return fail("compilation of '" + inputPath + "' failed");
  OwningOpRef<ModuleOp> reference;
  if (!soPath.empty() || emitOpt == "perf")
    reference = module->clone();

  PassManager lowerPm(&ctx);
  if (failed(applyPassManagerCLOptions(lowerPm)))
    return 1;
  lowerPm.addNestedPass<func::FuncOp>(vggq::createPlanMemory());
  vggq::LowerToGPUOptions lower;
  lower.chip = chipOpt;
  lower.kUnroll = kUnrollOpt;
  lower.mma = mmaOpt;
  lower.fp8Promote = fp8PromoteOpt;
  lower.bLoad = bLoadOpt;
  lower.aLoad = aLoadOpt;
  lower.stages = stagesOpt;
  lower.warpSpecialize = warpSpecializeOpt;
  lower.persistent = persistentOpt;
  lower.consumers = consumersOpt;
  lowerPm.addPass(vggq::createLowerToGPU(lower));
  if (failed(lowerPm.run(*module)))
    return fail("compilation of '" + inputPath + "' failed");
  if (auto p = (*module)->getAttrOfType<StringAttr>("vggq.precision"))
    if (p.getValue() != precision->name && precisionOpt.getNumOccurrences())
      return fail("'" + inputPath + "' is already quantized to " +
                  p.getValue() + ", not " + precision->name);
  if (!soPath.empty() &&
      !vggq::emitReference(*reference, outPath + ".vggq.mlirbc"))
    return 1;

  std::string name = modelName.empty() ? llvm::sys::path::stem(inputPath).str()
                                       : modelName.getValue();
  auto replaceExt = [](llvm::StringRef path, llvm::StringRef ext) {
    llvm::SmallString<128> s(path);
    llvm::sys::path::replace_extension(s, ext);
    return std::string(s);
  };
  if (emitOpt == "perf")
    return vggq::emitPerfReport(*reference, *module, name, chipOpt, ptxasPath(),
                                perfChip, perfBatch, outPath)
               ? 0
               : 1;
  if (emitOpt == "mlir") {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return vggq::writeFile(outPath, text) ? 0 : 1;
  }
  if (emitOpt == "plan") {
    std::string w = weightsPath.empty() ? replaceExt(outPath, "weights")
                                        : weightsPath.getValue();
    return vggq::emitPlan(*module, name, outPath, w) ? 0 : 1;
  }
  if (emitOpt == "all" && !vggq::emitPlan(*module, name, outPath + ".plan.json",
                                          outPath + ".weights"))
    return 1;
  std::string ptx = vggq::emitPTX(*module);
  if (ptx.empty())
    return 1;
  if (emitOpt == "ptx")
    return vggq::writeFile(outPath, ptx) ? 0 : 1;
  if (emitOpt == "cubin")
    return vggq::emitCubin(ptx, chipOpt, ptxasPath(), outPath) ? 0 : 1;
  if (!vggq::writeFile(outPath + ".ptx", ptx))
    return 1;
  std::string ptxas = ptxasPath();
  bool cubin = !ptxas.empty();
  if (!cubin)
    llvm::errs() << "vggq-compile: ptxas not found: no cubin written "
                    "(the runtime JIT-compiles the PTX)\n";
  else if (!vggq::emitCubin(ptx, chipOpt, ptxas, outPath + ".cubin"))
    return 1;
  if (soPath.empty())
    return 0;
  return vggq::linkArtifact(vggqLink, outPath, cubin, soPath) ? 0 : 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  int rc = compile(argc, argv);
  if (rc != 0)
    vggq::discardOutputs();
  return rc;
}
