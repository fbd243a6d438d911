//===- vggq-run.cpp - run a vggq model on CIFAR-10 on the CPU -------------===//
//
// Runs a model's @forward with the reference executor on CIFAR-10 images and
// reports top-1 accuracy, throughput, latency and peak memory; optionally
// compares it layer by layer with another model, and dumps or checks logits.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"
#include "CudaForward.h"
#include "LayerDump.h"
#include "Model.h"
#include "TensorRun.h"

#include "vggq/Data/Cifar.h"
#include "vggq/Dialect/VGGQ/IR/VGGQDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <sys/resource.h>

using namespace vggq;
using namespace vggq::run;
namespace cl = llvm::cl;

static cl::OptionCategory runCategory("vggq-run options");

static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir|.mlirbc|.onnx>"),
                                      cl::cat(runCategory));
static cl::opt<std::string>
    dataPath("data",
             cl::desc("CIFAR-10 binary file (default: "
                      "$VGGQ_SHARED/data/cifar-10-batches-bin/"
                      "test_batch.bin)"),
             cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<int64_t> limit("limit", cl::desc("Use only the first N images"),
                              cl::init(-1), cl::value_desc("N"),
                              cl::cat(runCategory));
static cl::opt<int64_t> batchSize("batch", cl::desc("Images per batch"),
                                  cl::init(128), cl::value_desc("B"),
                                  cl::cat(runCategory));
static cl::list<float> meanOpt("mean", cl::CommaSeparated,
                               cl::desc("Per-channel mean (overrides the "
                                        "module's vggq.input_mean)"),
                               cl::value_desc("a,b,c"), cl::cat(runCategory));
static cl::list<float> stdOpt("std", cl::CommaSeparated,
                              cl::desc("Per-channel std (overrides the "
                                       "module's vggq.input_std)"),
                              cl::value_desc("a,b,c"), cl::cat(runCategory));
static cl::opt<std::string>
    compareTo("compare-to",
              cl::desc("Reference model run on the same images: prints the "
                       "top-1 agreement (and with --per-layer, per-layer "
                       "SQNR of this model against it)"),
              cl::value_desc("model"), cl::cat(runCategory));
static cl::opt<bool> perLayer("per-layer",
                              cl::desc("With --compare-to: SQNR and max "
                                       "error of every named layer"),
                              cl::cat(runCategory));
static cl::opt<std::string> dumpPath("dump-logits",
                                     cl::desc("Write the logits (N x classes "
                                              "little-endian f32)"),
                                     cl::value_desc("file"),
                                     cl::cat(runCategory));
static cl::opt<std::string>
    dumpLayersPath("dump-layers",
                   cl::desc("Write the per-layer reference dump (VGGQDMP1) "
                            "that vggq-run-cuda --compare-ref reads"),
                   cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<std::string>
    device("device",
           cl::desc("cpu (the reference executor) | cuda (an ARTIFACT.so: "
                    "runs vggq-run-cuda with the remaining options; with "
                    "--compare-to cpu, checks every layer against "
                    "ARTIFACT.vggq.mlirbc on the CPU first)"),
           cl::init("cpu"), cl::cat(runCategory));
static cl::opt<std::string>
    expectPath("expect-logits",
               cl::desc("Fail unless the logits match this N x 10 f32 file"),
               cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<double> tolerance("tolerance",
                                 cl::desc("Max |diff| for --expect-logits"),
                                 cl::init(1e-3), cl::cat(runCategory));

static cl::list<std::string> inputFiles(
    "input",
    cl::desc("Run once on these tensors instead of CIFAR-10: one .pb (ONNX "
             "TensorProto) or .npy file per graph input, in order (an ONNX "
             "model's inputs a node needs as constants, such as a Conv "
             "weight, are bound to their data); rank 4 is NCHW"),
    cl::value_desc("file"), cl::cat(runCategory));
static cl::list<std::string> compareFiles(
    "output-compare",
    cl::desc("With --input: compare each result, in ONNX layout, with this "
             ".pb or .npy file (exit 2 on a mismatch)"),
    cl::value_desc("file"), cl::cat(runCategory));
static cl::opt<double> rtolOpt("rtol",
                               cl::desc("With --output-compare: relative "
                                        "tolerance (ONNX backend tests: 1e-3)"),
                               cl::init(1e-3), cl::cat(runCategory));
static cl::opt<double> atolOpt("atol",
                               cl::desc("With --output-compare: absolute "
                                        "tolerance (ONNX backend tests: 1e-7)"),
                               cl::init(1e-7), cl::cat(runCategory));

static cl::opt<bool> profile("profile",
                             cl::desc("Print the time spent in each op "
                                      "(summed over all batches)"),
                             cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "vggq-run: error: " << message << "\n";
  return 1;
}

/// The index of the largest of the `classes` logits at `x`.
static int argmax(const float *x, int64_t classes) {
  int best = 0;
  for (int i = 1; i < classes; ++i)
    if (x[i] > x[best])
      best = i;
  return best;
}

/// Progress on stderr: a bar when stdout is a terminal, else plain lines.
static void progress(int64_t done, int64_t total, bool tty) {
  if (tty) {
    int width = 40, filled = static_cast<int>(width * done / total);
    llvm::errs() << "\r[" << std::string(filled, '#')
                 << std::string(width - filled, ' ') << "] " << done << "/"
                 << total << " images";
    if (done == total)
      llvm::errs() << "\n";
    return;
  }
  int64_t step = std::max<int64_t>(total / 10, 1);
  if (done == total ||
      done / step != (done - std::min(done, batchSize.getValue())) / step)
    llvm::errs() << "vggq-run: " << done << "/" << total << " images\n";
}

static std::string normString(llvm::ArrayRef<float> v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? "," : "") + llvm::formatv("{0}", llvm::format("%g", v[i])).str();
  return s;
}

/// The CPU run: parses vggq-run's options from argv (once per process).
static int runOnCpu(int argc, char **argv) {
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "vggq-run: run a vggq model on CIFAR-10 with the CPU reference "
      "executor\n");
  if (!inputFiles.empty()) {
    if (!dataPath.empty() || !compareTo.empty() || !dumpPath.empty() ||
        !dumpLayersPath.empty() || !expectPath.empty() || perLayer || profile)
      return fail("--input runs the model once on the given tensors; it "
                  "cannot be combined with --data, --compare-to, "
                  "--dump-logits, --dump-layers, --expect-logits, "
                  "--per-layer or --profile");
    if (!(rtolOpt >= 0) || !(atolOpt >= 0))
      return fail("--rtol and --atol must be non-negative");
    TensorRunOptions options;
    options.modelPath = modelPath;
    options.inputs.assign(inputFiles.begin(), inputFiles.end());
    options.expected.assign(compareFiles.begin(), compareFiles.end());
    options.rtol = rtolOpt;
    options.atol = atolOpt;
    return runOnTensors(options, llvm::outs());
  }
  if (!compareFiles.empty())
    return fail("--output-compare needs --input");
  if (batchSize < 1)
    return fail("--batch must be at least 1");
  if (perLayer && profile)
    return fail("--profile and --per-layer cannot be combined");
  if (perLayer && compareTo.empty())
    return fail("--per-layer needs --compare-to");
  if (device != "cpu")
    return fail("unknown --device '" + device + "' (expected cpu or cuda)");

  mlir::MLIRContext ctx;
  ctx.loadDialect<VGGQDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  llvm::SourceMgr diagSourceMgr;
  mlir::SourceMgrDiagnosticHandler diag(diagSourceMgr, &ctx);

  // The images come from CIFAR-10: 32x32 RGB, 10 classes.
  constexpr int64_t kSide = 32, kChannels = 3, kClasses = 10;
  auto model = loadModel(ctx, modelPath);
  if (!model)
    return fail(llvm::toString(model.takeError()));
  if (llvm::Error err =
          checkDataShape(*model, "CIFAR-10", kSide, kSide, kChannels, kClasses))
    return fail(llvm::toString(std::move(err)));
  std::optional<LayerDumper> dumper;
  if (!dumpLayersPath.empty())
    dumper.emplace(*model->module);
  std::optional<Model> reference;
  if (!compareTo.empty()) {
    auto ref = loadModel(ctx, compareTo);
    if (!ref)
      return fail(llvm::toString(ref.takeError()));
    if (llvm::Error err =
            checkDataShape(*ref, "CIFAR-10", kSide, kSide, kChannels, kClasses))
      return fail(llvm::toString(std::move(err)));
    reference = std::move(*ref);
  }

  std::string data =
      dataPath.empty()
          ? sharedDir() + "/data/cifar-10-batches-bin/test_batch.bin"
          : dataPath.getValue();
  auto set = loadCifar(data, limit);
  if (!set)
    return fail(llvm::toString(set.takeError()));

  std::vector<float> mean =
      meanOpt.empty() ? model->mean
                      : std::vector<float>(meanOpt.begin(), meanOpt.end());
  std::vector<float> stdv =
      stdOpt.empty() ? model->std
                     : std::vector<float>(stdOpt.begin(), stdOpt.end());
  size_t channels = model->channels;
  for (auto [values, option, attr] :
       {std::make_tuple(&mean, meanOpt.empty(), "mean"),
        std::make_tuple(&stdv, stdOpt.empty(), "std")}) {
    if (values->empty() || values->size() == channels)
      continue;
    return fail((option ? "the model's vggq.input_" + std::string(attr)
                        : "--" + std::string(attr)) +
                " has " + llvm::Twine(values->size()) +
                " values, but the model's input has " + llvm::Twine(channels) +
                " channels (one value each)");
  }
  if (mean.empty())
    mean.assign(channels, 0.0f);
  if (stdv.empty())
    stdv.assign(channels, 1.0f);

  int64_t total = set->count, batch = batchSize;
  if (model->staticBatch)
    batch = model->staticBatch;
  bool tty = llvm::sys::Process::StandardOutIsDisplayed();
  int64_t classes = model->classes;
  std::vector<float> images(batch * kSide * kSide * kChannels), logits;
  logits.reserve(total * classes);
  int64_t correct = 0, refCorrect = 0, agree = 0, fullBatches = 0;
  double seconds = 0, fullBatchSeconds = 0;
  LayerStats stats;
  OpTimer opTimer;
  for (int64_t b0 = 0; b0 < total; b0 += batch) {
    int64_t n = std::min(batch, total - b0);
    normalizeCifar(*set, b0, n, mean, stdv, images.data());
    LayerCapture mine, theirs;
    auto start = std::chrono::steady_clock::now();
    exec::Observer observer = perLayer ? mine.observer() : nullptr;
    if (profile)
      observer = opTimer.observer(start);
    if (dumper) {
      dumper->addInput(images.data(), n);
      exec::Observer dump = dumper->observer(n);
      observer = observer
                     ? exec::Observer([observer, dump](mlir::Operation *op,
                                                       const exec::Tensor &t) {
                         observer(op, t);
                         dump(op, t);
                       })
                     : dump;
    }
    auto out = runBatch(*model, images.data(), n, observer);
    double dt =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!out)
      return fail(modelPath + ": " + llvm::toString(out.takeError()));
    seconds += dt;
    if (dumper)
      dumper->addLogits(*out);
    if (n == batch)
      ++fullBatches, fullBatchSeconds += dt;
    for (int64_t i = 0; i < n; ++i)
      correct += argmax(&out->f32[i * classes], classes) == set->labels[b0 + i];
    logits.insert(logits.end(), out->f32.begin(), out->f32.end());
    if (reference) {
      auto ref = runBatch(*reference, images.data(), n,
                          perLayer ? theirs.observer() : nullptr);
      if (!ref)
        return fail(compareTo + ": " + llvm::toString(ref.takeError()));
      for (int64_t i = 0; i < n; ++i) {
        int mineTop = argmax(&out->f32[i * classes], classes);
        int refTop = argmax(&ref->f32[i * classes], classes);
        refCorrect += refTop == set->labels[b0 + i];
        agree += mineTop == refTop;
      }
      if (perLayer)
        stats.add(mine, theirs);
    }
    progress(b0 + n, total, tty);
  }

  llvm::raw_ostream &os = llvm::outs();
  auto mib = [](double bytes) { return bytes / (1024.0 * 1024.0); };
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  os << "model:         " << modelPath << "\n";
  os << "data:          " << data << "\n";
  os << "normalization: mean " << normString(mean) << " std "
     << normString(stdv) << "\n";
  os << "images:        " << total << "\n";
  os << llvm::format("top-1:         %.2f %%\n", 100.0 * correct / total);
  os << llvm::format("throughput:    %.1f images/s\n", total / seconds);
  if (fullBatches)
    os << llvm::format("latency:       %.2f ms per batch of %lld\n",
                       1e3 * fullBatchSeconds / fullBatches, (long long)batch);
  else
    os << llvm::format("latency:       %.2f ms per batch of %lld\n",
                       1e3 * seconds, (long long)total);
  os << llvm::format("peak memory:   activations %.2f MiB, weights %.2f MiB, "
                     "process RSS %.1f MiB\n",
                     mib(model->executor->peakActivationBytes()),
                     mib(model->executor->constantBytes()),
                     usage.ru_maxrss / 1024.0);
  if (reference) {
    os << "reference:     " << compareTo << "\n";
    os << llvm::format("reference top-1: %.2f %%\n",
                       100.0 * refCorrect / total);
    if (perLayer) {
      os << "per-layer comparison (this model against the reference):\n";
      stats.print(os);
    }
    os << llvm::format("top-1 agreement: %.2f %% (%lld of %lld images)\n",
                       100.0 * agree / total, (long long)agree,
                       (long long)total);
  }
  if (profile)
    opTimer.print(os);
  if (!dumpPath.empty())
    if (llvm::Error e = dumpLogits(logits, dumpPath))
      return fail(llvm::toString(std::move(e)));
  if (dumper) {
    if (llvm::Error e = dumper->write(dumpLayersPath))
      return fail(llvm::toString(std::move(e)));
    os << "layers:        wrote " << dumper->size() << " entries for " << total
       << " images to '" << dumpLayersPath << "'\n";
  }
  if (!expectPath.empty())
    if (llvm::Error e = expectLogits(logits, total, expectPath, tolerance, os))
      return fail(llvm::toString(std::move(e)));
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // `--device cuda` hands the command line to vggq-run-cuda before the
  // options are parsed (they are vggq-run-cuda's); with `--compare-to cpu`
  // the CPU reference runs first, through runOnCpu.
  if (std::optional<int> rc = forwardToCuda(argc, argv, runOnCpu))
    return *rc;
  return runOnCpu(argc, argv);
}
