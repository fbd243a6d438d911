//===- vggq-run-cuda.cpp - run a compiled vggq model on the GPU -------------===//
//
// MLIR-free driver for the GPU machine: loads a linked artifact (or a plan
// and its kernels), measures top-1 on CIFAR-10, times the forward graph per
// batch size, reports device memory, and checks every layer against CPU
// reference dumps. Without a GPU it validates its inputs (--info) and
// otherwise exits non-zero with the driver's message.
//
//===----------------------------------------------------------------------===//
#include "Cifar.h"
#include "Compare.h"
#include "Options.h"
#include "RefDump.h"
#include "vggq/vggq_runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace vggq::rt;

namespace {

/// The plan and kernel images, from an artifact or from files.
struct ModelSource {
  std::string plan;
  const void *cubin = nullptr, *ptx = nullptr;
  size_t cubinSize = 0, ptxSize = 0;
  std::string kernelFile; ///< storage when read from a file
};

bool readFile(const std::string &path, std::string &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool openModel(const Options &o, ModelSource &src, std::string &error) {
  bool isSo = o.model.size() > 3 &&
              o.model.compare(o.model.size() - 3, 3, ".so") == 0;
  if (!isSo) {
    if (!readFile(o.model, src.plan, error))
      return false;
    if (o.kernels.empty())
      return true; // --info needs no kernels; loading reports their absence
    if (!readFile(o.kernels, src.kernelFile, error))
      return false;
    bool cubin = src.kernelFile.compare(0, 4, "\x7f" "ELF") == 0;
    (cubin ? src.cubin : src.ptx) = src.kernelFile.data();
    (cubin ? src.cubinSize : src.ptxSize) = src.kernelFile.size();
    return true;
  }
  std::string path = o.model.find('/') == std::string::npos ? "./" + o.model
                                                             : o.model;
  void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    error = "cannot load artifact '" + o.model + "': " + (why ? why : "?");
    return false;
  }
  using BlobFn = const void *(*)(size_t *);
  auto plan = reinterpret_cast<vggq_artifact_plan_fn>(dlsym(h, "vggq_artifact_plan"));
  auto ptx = reinterpret_cast<BlobFn>(dlsym(h, "vggq_artifact_ptx"));
  auto cubin = reinterpret_cast<BlobFn>(dlsym(h, "vggq_artifact_cubin"));
  if (!plan || !ptx || !cubin) {
    error = "'" + o.model + "' is not a vggq artifact (no vggq_artifact_plan)";
    return false;
  }
  src.plan = plan();
  src.ptx = ptx(&src.ptxSize);
  src.cubin = cubin(&src.cubinSize);
  return true;
}

void progress(bool on, size_t done, size_t total) {
  if (!on)
    return;
  int width = 40, filled = int(width * done / (total ? total : 1));
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled,
               "########################################", width - filled, "",
               done, total);
  if (done == total)
    std::fputc('\n', stderr);
  std::fflush(stderr);
}

int fail(const std::string &msg) {
  std::fprintf(stderr, "vggq-run-cuda: %s\n", msg.c_str());
  return 1;
}

/// Floats per input image of the plan (NHWC).
size_t imageFloats(const vggq_plan_summary &s) {
  return size_t(s.height) * size_t(s.width) * size_t(s.channels);
}

int runAccuracy(vggq_model *m, const Options &o, const CifarImages &data) {
  const vggq_plan_summary *s = vggq_model_summary(m);
  size_t classes = size_t(s->num_classes), correct = 0;
  std::vector<float> input(size_t(o.batch) * imageFloats(*s)),
      logits(size_t(o.batch) * classes);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t begin = 0; begin < data.count; begin += size_t(o.batch)) {
    size_t n = std::min(data.count - begin, size_t(o.batch));
    normalizeCifar(data, begin, n, s->mean, s->std, input.data());
    if (vggq_forward(m, input.data(), logits.data(), int(n)))
      return fail(vggq_last_error(m));
    for (size_t b = 0; b < n; ++b) {
      const float *l = &logits[b * classes];
      size_t best = 0;
      for (size_t c = 1; c < classes; ++c)
        best = l[c] > l[best] ? c : best;
      correct += best == data.labels[begin + b];
    }
    progress(o.progress, begin + n, data.count);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double top1 = 100.0 * double(correct) / double(data.count);
  std::printf("top-1: %.2f%% (%zu/%zu), %.0f images/s end to end (batch %d, "
              "host copies included)\n", top1, correct, data.count,
              double(data.count) / secs, o.batch);
  if (o.expectTop1 >= 0 && std::fabs(top1 - o.expectTop1) > o.top1Tolerance + 1e-9) {
    std::printf("top-1 check: FAIL (expected %.2f%% +- %.2f)\n", o.expectTop1,
                o.top1Tolerance);
    return 1;
  }
  if (o.expectTop1 >= 0)
    std::printf("top-1 check: ok (expected %.2f%% +- %.2f)\n", o.expectTop1,
                o.top1Tolerance);
  return 0;
}

int runBench(vggq_model *m, const Options &o) {
  const vggq_plan_summary *s = vggq_model_summary(m);
  std::FILE *csv = o.benchCsv.empty() ? nullptr : std::fopen(o.benchCsv.c_str(), "a");
  if (!o.benchCsv.empty() && !csv)
    return fail("cannot write '" + o.benchCsv + "'");
  std::string label = o.label.empty() ? s->precision : o.label;
  for (int b : o.bench) {
    float ms = 0;
    // About 0.3 s of replays after a short calibration.
    if (vggq_benchmark(m, b, 3, 3, &ms))
      return fail(vggq_last_error(m));
    int iters = std::max(5, std::min(1000, int(300.0f / std::max(ms, 1e-3f))));
    if (vggq_benchmark(m, b, 2, iters, &ms))
      return fail(vggq_last_error(m));
    vggq_memory_info mem;
    vggq_memory(m, &mem);
    std::printf("bench: batch %5d: %9.3f ms/batch, %10.0f images/s, planned "
                "%.1f MiB, device peak %.1f MiB\n", b, ms, b * 1000.0 / ms,
                mem.planned_bytes / 1048576.0, mem.device_used_peak / 1048576.0);
    if (csv)
      std::fprintf(csv, "%s,%s,%d,%.5f,%.1f,%llu,%llu\n", label.c_str(),
                   s->precision, b, ms, b * 1000.0 / ms,
                   (unsigned long long)(s->weights_bytes +
                                        s->arena_bytes_per_image * uint64_t(b)),
                   (unsigned long long)mem.device_used_peak);
  }
  if (csv)
    std::fclose(csv);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0); // keep order with stderr
  Options o;
  int code = 0;
  if (!parseOptions(argc, argv, o, code))
    return code;
  std::string error;
  CifarImages data;
  if (!o.data.empty() && !readCifar(o.data, o.limit, data, error))
    return fail(error);
  RefDump dump;
  if (!o.compareRef.empty() && !readRefDump(o.compareRef, dump, error))
    return fail(error);
  if (o.refImages > 0) // keep the first K images of every entry
    for (DumpEntry &e : dump.entries)
      if (!e.dims.empty() && e.dims[0] > o.refImages) {
        e.data.resize(e.data.size() / size_t(e.dims[0]) * size_t(o.refImages));
        e.dims[0] = o.refImages;
      }
  ModelSource src;
  if (!openModel(o, src, error))
    return fail(error);
  vggq_plan_summary s;
  char err[8192];
  if (vggq_plan_check(src.plan.c_str(), &s, err, sizeof(err)))
    return fail(std::string(o.model) + ": " + err);
  std::printf("model: %s (%s, precision %s, chip %s, %d kernels, %d launches, "
              "arena %llu B/image, weights %llu B; kernels:%s%s)\n",
              o.model.c_str(), s.model, s.precision, s.chip, s.num_kernels,
              s.num_launches, (unsigned long long)s.arena_bytes_per_image,
              (unsigned long long)s.weights_bytes, src.cubin ? " cubin" : "",
              src.ptx ? " ptx" : "");
  if (!o.data.empty() && (s.height != 32 || s.width != 32 || s.channels != 3))
    return fail(o.model + ": the model takes " + std::to_string(s.height) +
                "x" + std::to_string(s.width) + "x" +
                std::to_string(s.channels) + " images; --data '" + o.data +
                "' holds CIFAR-10's 32x32x3 ones");
  if (!o.data.empty()) {
    size_t perClass[10] = {0};
    for (uint8_t l : data.labels)
      ++perClass[l];
    std::printf("data: %s: %zu images, labels 0-9:", o.data.c_str(), data.count);
    for (size_t c : perClass)
      std::printf(" %zu", c);
    std::printf("\n");
  }
  if (!o.compareRef.empty()) {
    Plan plan; // the runtime validated it; parse again for the layer list
    std::vector<std::string> notes;
    if (!parsePlan(src.plan, plan, error) ||
        !checkDumpAgainstPlan(dump, plan, notes, error))
      return fail(o.compareRef + ": " + error);
    std::printf("reference: %s: %zu entries, %lld images, matches the plan\n",
                o.compareRef.c_str(), dump.entries.size(),
                (long long)dump.entries[0].dims[0]);
    for (const std::string &n : notes)
      std::printf("reference: note: %s\n", n.c_str());
  }
  if (o.info)
    return 0;
  if (o.weights.empty())
    std::printf("weights: none given: random weights (timing only; top-1 is "
                "meaningless)\n");
  vggq_model *m = vggq_model_load2(src.plan.c_str(), src.cubin, src.cubinSize,
                                   src.ptx, src.ptxSize,
                                   o.weights.empty() ? nullptr : o.weights.c_str(),
                                   err, sizeof(err));
  if (!m)
    return fail(err);
  std::printf("device: %s, kernels loaded from %s\n", vggq_model_device(m),
              vggq_model_kernel_source(m));
  o.progress = o.progress && isatty(2);
  int rc = 0;
  if (!o.compareRef.empty()) {
    Plan plan;
    parsePlan(src.plan, plan, error);
    int images = int(dump.entries[0].dims[0]);
    std::vector<float> input(size_t(images) * imageFloats(s));
    if (const DumpEntry *in = dump.find("input"))
      std::memcpy(input.data(), in->data.data(), in->data.size());
    else if (data.count >= size_t(images))
      normalizeCifar(data, 0, size_t(images), s.mean, s.std, input.data());
    else
      rc = fail("the reference has no 'input' entry: give --data");
    if (!rc && !compareWithReference(m, plan, dump, input.data(), images))
      rc = 1;
  }
  if (!rc && data.count)
    rc = runAccuracy(m, o, data);
  if (!rc && !o.bench.empty())
    rc = runBench(m, o);
  vggq_memory_info mem;
  if (vggq_memory(m, &mem) == 0)
    std::printf("memory: weights %.1f MiB, arena %.1f MiB (largest batch), "
                "planned %.1f MiB, device peak %.1f MiB of %.1f GiB\n",
                mem.weights_bytes / 1048576.0, mem.arena_bytes / 1048576.0,
                mem.planned_bytes / 1048576.0, mem.device_used_peak / 1048576.0,
                mem.device_total / 1073741824.0);
  vggq_model_free(m);
  return rc;
}
