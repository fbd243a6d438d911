//===- Model.cpp - loading and freeing a model --------------------------------===//
//
// vggq_plan_check, vggq_model_load(2), vggq_model_free and the queries. The
// plan is validated before the driver is touched, so plan errors show on a
// machine without a GPU too.
//
//===----------------------------------------------------------------------===//
#include "Model.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

using namespace vggq::rt;

bool vggq_model::fail(const std::string &message) {
  lastError = message;
  return false;
}

bool vggq_model::check(CUresult r, const char *call,
                       const std::string &context) {
  if (r == CUDA_SUCCESS)
    return true;
  return fail(std::string(call) + " failed" +
              (context.empty() ? "" : " (" + context + ")") + ": " +
              cu->describe(r));
}

void vggq_model::sampleMemory() {
  size_t freeNow = 0, total = 0;
  if (cu && cu->cuMemGetInfo(&freeNow, &total) == CUDA_SUCCESS)
    minFree = std::min(minFree, freeNow);
}

namespace {

void copyField(char *dst, size_t n, const std::string &src) {
  std::strncpy(dst, src.c_str(), n - 1);
  dst[n - 1] = 0;
}

void setError(char *err, size_t errlen, const std::string &msg) {
  if (err && errlen)
    copyField(err, errlen, msg);
}

bool isCubin(const void *image, size_t size) {
  return size >= 4 && std::memcmp(image, "\x7f" "ELF", 4) == 0;
}

/// Loads one kernel image; for PTX, the JIT log goes into the error.
bool loadModule(vggq_model &m, const void *image, size_t size) {
  bool cubin = isCubin(image, size);
  static char log[16384];
  log[0] = 0;
  CUjit_option opts[] = {CU_JIT_ERROR_LOG_BUFFER,
                         CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *vals[] = {log, reinterpret_cast<void *>(sizeof(log))};
  std::string text;
  const void *data = image;
  if (!cubin) { // the driver wants NUL-terminated PTX
    text.assign(static_cast<const char *>(image), size);
    data = text.c_str();
  }
  CUresult r = m.cu->cuModuleLoadDataEx(&m.module, data, 2, opts, vals);
  if (r != CUDA_SUCCESS)
    return m.check(r, "cuModuleLoadDataEx",
                   std::string(cubin ? "cubin" : "PTX JIT") +
                       (log[0] ? std::string(", log:\n") + log : ""));
  m.kernelSource = cubin ? "cubin" : "ptx-jit";
  return true;
}

/// Whether device `m.device` can run kernels compiled for the plan's chip:
/// "sm_XY" needs compute capability X.Y or newer (the PTX JITs forward),
/// "sm_XYa" (arch-specific features: wgmma, setmaxnreg) exactly X.Y.
bool checkChip(vggq_model &m) {
  const std::string &chip = m.plan.chip;
  int major = 0, minor = 0;
  if (!m.check(m.cu->cuDeviceGetAttribute(
                   &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                   m.device),
               "cuDeviceGetAttribute", "compute capability") ||
      !m.check(m.cu->cuDeviceGetAttribute(
                   &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                   m.device),
               "cuDeviceGetAttribute", "compute capability"))
    return false;
  unsigned need = 0;
  size_t digits = 0;
  if (chip.rfind("sm_", 0) == 0)
    while (3 + digits < chip.size() && std::isdigit(
                                           static_cast<unsigned char>(chip[3 + digits])))
      need = need * 10 + static_cast<unsigned>(chip[3 + digits++] - '0');
  bool archSpecific = digits > 0 && chip.size() == 4 + digits &&
                      chip.back() == 'a';
  if (digits == 0 || (chip.size() != 3 + digits && !archSpecific))
    return m.fail("plan: unrecognized chip '" + chip +
                  "' (expected sm_<major><minor>, optionally with an 'a')");
  unsigned have = static_cast<unsigned>(major * 10 + minor);
  std::string device = "device 0 ('" + m.deviceName + "') is compute capability " +
                       std::to_string(major) + "." + std::to_string(minor);
  if (archSpecific && have != need)
    return m.fail("this model's kernels are for " + chip +
                  " (arch-specific: wgmma), which runs only on compute "
                  "capability " + std::to_string(need / 10) + "." +
                  std::to_string(need % 10) + "; " + device +
                  ": compile it again with --chip sm_" + std::to_string(have));
  if (!archSpecific && have < need)
    return m.fail("this model's kernels are for " + chip +
                  ", which needs compute capability " +
                  std::to_string(need / 10) + "." + std::to_string(need % 10) +
                  " or newer; " + device + ": compile it again with --chip sm_" +
                  std::to_string(have));
  return true;
}

/// Encodes the plan's tensor maps over the device weights, once: each
/// launch passes its map by value (the arena maps are encoded per batch).
bool encodeWeightTensorMaps(vggq_model &m) {
  m.tensorMaps.assign(m.plan.tensorMapCount, CUtensorMap{});
  for (size_t i = 0; i < m.plan.launches.size(); ++i) {
    const PlanLaunch &l = m.plan.launches[i];
    for (size_t a = 0; a < l.args.size(); ++a) {
      const LaunchArg &arg = l.args[a];
      if (arg.kind == LaunchArg::TensorMap && !arg.map.overArena &&
          !encodeTensorMap(m, arg.map, m.weights + arg.offset, 0, i, a,
                           m.tensorMaps[arg.mapIndex]))
        return false;
    }
  }
  return true;
}

bool setUp(vggq_model &m, const void *cubin, size_t cubinSize,
           const void *ptx, size_t ptxSize, const char *weightsPath) {
  std::vector<uint8_t> host;
  std::string error;
  if (!loadWeightsHost(m.plan, weightsPath, host, error))
    return m.fail(error);
  if (!(cubin && cubinSize) && !(ptx && ptxSize))
    return m.fail("no kernel image (neither cubin nor PTX) was given");
  if (!(m.cu = loadCudaDriver(error)))
    return m.fail(error);
  if (!m.check(m.cu->cuDeviceGet(&m.device, 0), "cuDeviceGet") ||
      !m.check(m.cu->cuDevicePrimaryCtxRetain(&m.context, m.device),
               "cuDevicePrimaryCtxRetain") ||
      !m.check(m.cu->cuCtxSetCurrent(m.context), "cuCtxSetCurrent") ||
      !m.check(m.cu->cuMemGetInfo(&m.freeAtStart, &m.totalMem), "cuMemGetInfo"))
    return false;
  m.minFree = m.freeAtStart;
  char name[256] = {0};
  if (m.cu->cuDeviceGetName(name, sizeof(name) - 1, m.device) == CUDA_SUCCESS)
    m.deviceName = name;
  if (!checkChip(m))
    return false;
  int sms = 0;
  if (!m.check(m.cu->cuDeviceGetAttribute(
                   &sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, m.device),
               "cuDeviceGetAttribute", "multiprocessor count"))
    return false;
  m.smCount = static_cast<unsigned>(std::max(sms, 1));
  if (const char *pb = std::getenv("VGGQ_PERSISTENT_BLOCKS")) {
    char *end = nullptr;
    long v = std::strtol(pb, &end, 10);
    if (end == pb || *end || v < 1 || v > 1 << 20)
      return m.fail("VGGQ_PERSISTENT_BLOCKS must be a number of blocks from 1 "
                    "to 1048576, got '" +
                    std::string(pb) + "'");
    m.persistentBlocks = static_cast<unsigned>(v);
  }
  const char *force = std::getenv("VGGQ_FORCE_PTX");
  bool forcePtx = force && std::strcmp(force, "1") == 0;
  if (forcePtx && !(ptx && ptxSize))
    return m.fail("VGGQ_FORCE_PTX=1, but this model has no PTX (only a cubin)");
  bool usePtx = !(cubin && cubinSize) || forcePtx;
  if (!usePtx && !loadModule(m, cubin, cubinSize)) {
    if (!(ptx && ptxSize))
      return false;
    usePtx = true; // e.g. a cubin for another chip: JIT the PTX instead
  }
  if (usePtx && !loadModule(m, ptx, ptxSize))
    return false;
  for (const PlanKernel &k : m.plan.kernels) {
    CUfunction f = nullptr;
    if (!m.check(m.cu->cuModuleGetFunction(&f, m.module, k.name.c_str()),
                 "cuModuleGetFunction", "kernel '" + k.name + "'"))
      return false;
    // Static plus dynamic shared memory above 48 KiB needs the opt-in.
    if (k.staticSharedBytes + k.sharedBytes > 48 * 1024 &&
        !m.check(m.cu->cuFuncSetAttribute(
                     f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                     static_cast<int>(k.sharedBytes)),
                 "cuFuncSetAttribute", "kernel '" + k.name + "'"))
      return false;
    m.functions.push_back(f);
  }
  if (!m.check(m.cu->cuStreamCreate(&m.stream, CU_STREAM_NON_BLOCKING),
               "cuStreamCreate"))
    return false;
  if (!host.empty() &&
      (!m.check(m.cu->cuMemAlloc(&m.weights, host.size()), "cuMemAlloc",
                std::to_string(host.size()) + " bytes of weights") ||
       !m.check(m.cu->cuMemcpyHtoD(m.weights, host.data(), host.size()),
                "cuMemcpyHtoD", "weights")))
    return false;
  if (!encodeWeightTensorMaps(m))
    return false;
  m.sampleMemory();
  return true;
}

} // namespace

void vggq::rt::summarize(const Plan &plan, vggq_plan_summary &s) {
  s = vggq_plan_summary{};
  copyField(s.model, sizeof(s.model), plan.model);
  copyField(s.precision, sizeof(s.precision), plan.precision);
  copyField(s.chip, sizeof(s.chip), plan.chip);
  s.height = static_cast<int>(plan.input.shape[1]);
  s.width = static_cast<int>(plan.input.shape[2]);
  s.channels = static_cast<int>(plan.input.shape[3]);
  s.num_classes = static_cast<int>(plan.output.shape[1]);
  for (size_t c = 0; c < plan.mean.size() && c < 4; ++c) {
    s.mean[c] = plan.mean[c];
    s.std[c] = plan.std[c];
  }
  s.num_kernels = static_cast<int>(plan.kernels.size());
  s.num_launches = static_cast<int>(plan.launches.size());
  s.num_weight_regions = static_cast<int>(plan.regions.size());
  s.arena_bytes_per_image = plan.arenaBytesPerImage;
  s.weights_bytes = plan.weightsBytes;
}

extern "C" {

int vggq_plan_check(const char *planJson, vggq_plan_summary *out, char *err,
                    size_t errlen) {
  Plan plan;
  std::string error;
  if (!planJson || !parsePlan(planJson, plan, error)) {
    setError(err, errlen, planJson ? error : "plan: no text");
    return 1;
  }
  if (out)
    summarize(plan, *out);
  return 0;
}

vggq_model *vggq_model_load2(const char *planJson, const void *cubin,
                             size_t cubinSize, const void *ptx, size_t ptxSize,
                             const char *weightsPath, char *err,
                             size_t errlen) {
  auto *m = new vggq_model();
  std::string error;
  if (!planJson || !parsePlan(planJson, m->plan, error)) {
    setError(err, errlen, planJson ? error : "plan: no text");
    delete m;
    return nullptr;
  }
  summarize(m->plan, m->summary);
  if (!setUp(*m, cubin, cubinSize, ptx, ptxSize, weightsPath)) {
    setError(err, errlen, m->lastError);
    vggq_model_free(m);
    return nullptr;
  }
  return m;
}

vggq_model *vggq_model_load(const char *planJson, const void *image,
                            size_t size, const char *weightsPath, char *err,
                            size_t errlen) {
  bool cubin = image && isCubin(image, size);
  return vggq_model_load2(planJson, cubin ? image : nullptr, cubin ? size : 0,
                          cubin ? nullptr : image, cubin ? 0 : size,
                          weightsPath, err, errlen);
}

void vggq_model_free(vggq_model *m) {
  if (!m)
    return;
  if (m->cu && m->context) {
    m->cu->cuCtxSetCurrent(m->context);
    if (m->stream)
      m->cu->cuStreamSynchronize(m->stream);
    for (auto &g : m->graphs)
      m->cu->cuGraphExecDestroy(g.second);
    if (m->arena)
      m->cu->cuMemFree(m->arena);
    if (m->weights)
      m->cu->cuMemFree(m->weights);
    if (m->stream)
      m->cu->cuStreamDestroy(m->stream);
    if (m->module)
      m->cu->cuModuleUnload(m->module);
    m->cu->cuDevicePrimaryCtxRelease(m->device);
  }
  delete m;
}

const char *vggq_last_error(const vggq_model *m) {
  return m ? m->lastError.c_str() : "no model";
}

const vggq_plan_summary *vggq_model_summary(const vggq_model *m) {
  return m ? &m->summary : nullptr;
}

const char *vggq_model_kernel_source(const vggq_model *m) {
  return m ? m->kernelSource.c_str() : "";
}

const char *vggq_model_device(const vggq_model *m) {
  return m ? m->deviceName.c_str() : "";
}

int vggq_memory(vggq_model *m, vggq_memory_info *out) {
  if (!m || !out)
    return 1;
  m->sampleMemory();
  out->weights_bytes = m->plan.weightsBytes;
  out->arena_bytes = m->plan.arenaBytesPerImage * uint64_t(m->capacity);
  out->planned_bytes = out->weights_bytes + out->arena_bytes;
  out->device_used_peak = m->freeAtStart - m->minFree;
  out->device_total = m->totalMem;
  return 0;
}

int vggq_num_launches(const vggq_model *m) {
  return m ? static_cast<int>(m->plan.launches.size()) : 0;
}

int vggq_layer_info_get(const vggq_model *m, int launch, vggq_layer_info *out) {
  if (!m || !out || launch < 0 ||
      launch >= static_cast<int>(m->plan.launches.size()))
    return 1;
  const PlanLaunch &l = m->plan.launches[launch];
  out->layer = l.layer.c_str();
  out->kernel = l.kernel.c_str();
  out->dtype = dtypeName(l.out.dtype);
  out->scale = l.out.scale;
  out->rank = static_cast<int>(l.out.shape.size());
  for (int i = 0; i < out->rank; ++i)
    out->shape[i] = l.out.shape[i];
  out->bytes_per_image = l.out.bytesPerImage;
  return 0;
}

} // extern "C"
