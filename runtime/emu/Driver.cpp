//===- Driver.cpp - CUDA driver entry points on top of the PTX emulator ---===//
//
// libvggq_cuda_emu.so exports every function of VGGQ_CUDA_FUNCTIONS
// (runtime/lib/CudaDriver.h) under the names cuda.h gives them, so that the
// unchanged runtime runs on the CPU with VGGQ_LIBCUDA=<this library>.
//
// One device, "vggq PTX emulator (CPU)", compute capability 9.0. Device
// memory is host memory (device pointer == host address). Execution is
// synchronous; stream capture records launches (with a copy of their
// parameters) that a graph launch replays. A fault inside a kernel prints
// one diagnostic to stderr and makes the context sticky-failed, as CUDA
// does: later calls return the same error.
//
// Environment: VGGQ_EMU_THREADS=N host threads for blocks (default: all
// cores); VGGQ_EMU_VERBOSE=1 prints one line per launch (time, thread
// instructions, rate); VGGQ_EMU_PROFILE=PATH (or - for stderr) counts what
// Profile.h describes and writes a table per kernel at process exit (JSON
// lines to PATH, and the table to stderr, when PATH ends in .json).
//
//===----------------------------------------------------------------------===//
#include "CudaDriver.h"
#include "Interp.h"
#include "TensorMap.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

using namespace vggq::emu;

namespace {

struct EmuFunction {
  const Kernel *kernel = nullptr;
  unsigned maxDynamicShared = 0;
};

struct EmuModule {
  Module module;
  std::vector<std::unique_ptr<EmuFunction>> functions;
};

struct Node {
  EmuFunction *fn;
  LaunchConfig config;
  std::vector<uint8_t> params;
};

struct EmuGraph {
  std::vector<Node> nodes;
};

struct EmuStream {
  bool capturing = false;
  std::unique_ptr<EmuGraph> graph;
};

struct EmuEvent {
  std::chrono::steady_clock::time_point when;
  bool recorded = false;
};

struct State {
  std::mutex mutex;
  Emulator emu;
  CUresult sticky = CUDA_SUCCESS;
  bool initialized = false;
  int contextToken = 0;
  bool verbose = false;
  std::string profilePath; ///< VGGQ_EMU_PROFILE; empty: off
  State() {
    const char *v = std::getenv("VGGQ_EMU_VERBOSE");
    verbose = v && *v && std::strcmp(v, "0") != 0;
    const char *p = std::getenv("VGGQ_EMU_PROFILE");
    if (p && *p) {
      profilePath = p;
      emu.setProfiling(true);
    }
  }
};

void writeProfileAtExit();

State &state() {
  static State *s = [] {
    State *st = new State; // never destroyed: safe at process exit
    if (!st->profilePath.empty())
      std::atexit(writeProfileAtExit);
    return st;
  }();
  return *s;
}

/// Writes the VGGQ_EMU_PROFILE report (registered with atexit, so that it
/// covers every launch of the process, whatever the runtime unloads).
void writeProfileAtExit() {
  State &s = state();
  std::vector<KernelProfile> ks = s.emu.profile();
  const std::string &path = s.profilePath;
  if (path == "-") {
    writeProfileTable(stderr, ks);
    return;
  }
  bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  std::FILE *f = std::fopen(path.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "vggq-emu: VGGQ_EMU_PROFILE: cannot write '%s': %s\n",
                 path.c_str(), std::strerror(errno));
    return;
  }
  if (json) {
    writeProfileJson(f, ks);
    writeProfileTable(stderr, ks);
  } else {
    writeProfileTable(f, ks);
  }
  if (std::fclose(f) != 0)
    std::fprintf(stderr, "vggq-emu: VGGQ_EMU_PROFILE: error writing '%s': %s\n",
                 path.c_str(), std::strerror(errno));
}

constexpr size_t kTotalMem = size_t(16) << 30;

CUresult fromStatus(Status s) {
  switch (s) {
  case Status::Ok: return CUDA_SUCCESS;
  case Status::InvalidValue: return CUDA_ERROR_INVALID_VALUE;
  case Status::IllegalAddress: return CUDA_ERROR_ILLEGAL_ADDRESS;
  case Status::MisalignedAddress: return CUDA_ERROR_MISALIGNED_ADDRESS;
  default: return CUDA_ERROR_LAUNCH_FAILED;
  }
}

bool sticky(CUresult r) {
  return r == CUDA_ERROR_ILLEGAL_ADDRESS || r == CUDA_ERROR_MISALIGNED_ADDRESS ||
         r == CUDA_ERROR_LAUNCH_FAILED;
}

void report(const std::string &msg) {
  std::fprintf(stderr, "vggq-emu: %s\n", msg.c_str());
  std::fflush(stderr);
}

CUresult runLaunch(State &s, EmuFunction *fn, const LaunchConfig &c,
                   const uint8_t *params) {
  std::string msg;
  auto t0 = std::chrono::steady_clock::now();
  uint64_t i0 = s.emu.instructions();
  Status st = s.emu.launchPacked(*fn->kernel, c, params, msg);
  CUresult r = fromStatus(st);
  if (r != CUDA_SUCCESS) {
    report(msg);
    if (sticky(r))
      s.sticky = r;
    return r;
  }
  if (s.verbose) {
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t n = s.emu.instructions() - i0;
    std::fprintf(stderr,
                 "vggq-emu: %s grid (%u,%u,%u) block (%u,%u,%u): %.3f s, %llu "
                 "thread-instructions, %.1f M/s (%u host threads; checks %s, "
                 "seed %llu; FP8 accumulation %s)\n",
                 fn->kernel->name.c_str(), c.grid.x, c.grid.y, c.grid.z,
                 c.block.x, c.block.y, c.block.z, sec,
                 static_cast<unsigned long long>(n), n / sec / 1e6,
                 s.emu.threads(),
                 s.emu.raceCheck() ? (s.emu.scheduler() ? "race,sched" : "race")
                                   : (s.emu.scheduler() ? "sched" : "none"),
                 static_cast<unsigned long long>(s.emu.seed()),
                 s.emu.fp8Accumulation()
                     ? ("hw" + std::to_string(s.emu.fp8Accumulation())).c_str()
                     : "exact");
  }
  return CUDA_SUCCESS;
}

#define EMU_GUARD()                                                            \
  State &s = state();                                                          \
  std::lock_guard<std::mutex> lock(s.mutex);                                   \
  if (!s.initialized)                                                          \
    return CUDA_ERROR_NOT_INITIALIZED;                                         \
  if (s.sticky != CUDA_SUCCESS)                                                \
    return s.sticky

} // namespace

#define EMU_EXPORT extern "C" __attribute__((visibility("default")))

EMU_EXPORT CUresult CUDAAPI cuInit(unsigned int flags) {
  if (flags != 0)
    return CUDA_ERROR_INVALID_VALUE;
  State &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.initialized = true;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDriverGetVersion(int *v) {
  if (!v)
    return CUDA_ERROR_INVALID_VALUE;
  *v = CUDA_VERSION;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDeviceGet(CUdevice *d, int ordinal) {
  if (!state().initialized)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!d)
    return CUDA_ERROR_INVALID_VALUE;
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *d = 0;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDeviceGetCount(int *count) {
  if (!state().initialized)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!count)
    return CUDA_ERROR_INVALID_VALUE;
  *count = 1;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDeviceGetName(char *name, int len, CUdevice d) {
  if (!name || len <= 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (d != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(len), "%s", "vggq PTX emulator (CPU)");
  return CUDA_SUCCESS;
}

/// The compute capability the emulator reports (x10): 90, an H200, unless
/// VGGQ_EMU_CC names another one (e.g. 89), to test chip checks.
static int emulatedCC() {
  const char *cc = std::getenv("VGGQ_EMU_CC");
  if (!cc || !*cc)
    return 90;
  char *end = nullptr;
  long v = std::strtol(cc, &end, 10);
  return end && !*end && v >= 10 && v < 1000 ? static_cast<int>(v) : 90;
}

EMU_EXPORT CUresult CUDAAPI cuDeviceGetAttribute(int *pi, CUdevice_attribute a,
                                                 CUdevice d) {
  if (!pi)
    return CUDA_ERROR_INVALID_VALUE;
  if (d != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  int v = 0;
  switch (a) {
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: v = 1024; break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: v = 1024; break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: v = 1024; break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: v = 64; break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: v = 0x7fffffff; break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: v = 65535; break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: v = 65535; break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: v = kDefaultSharedPerBlock; break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: v = kMaxSharedPerBlockOptin; break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: v = kSharedPerSM; break;
  case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: v = 65536; break;
  case CU_DEVICE_ATTRIBUTE_WARP_SIZE: v = 32; break;
  case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: v = 65536; break;
  case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: v = 65536; break;
  case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: v = 1980000; break;
  case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: v = 2619000; break;
  case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: v = 5120; break;
  case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: v = 50 * 1024 * 1024; break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: v = 132; break;
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: v = 2048; break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: v = 32; break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: v = emulatedCC() / 10; break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: v = emulatedCC() % 10; break;
  case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: v = 1; break;
  case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: v = 1; break;
  case CU_DEVICE_ATTRIBUTE_ECC_ENABLED: v = 1; break;
  case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: v = 0; break;
  default: v = 0; break;
  }
  *pi = v;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDeviceTotalMem(size_t *bytes, CUdevice d) {
  if (!bytes)
    return CUDA_ERROR_INVALID_VALUE;
  if (d != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *bytes = kTotalMem;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice d) {
  if (!state().initialized)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!ctx)
    return CUDA_ERROR_INVALID_VALUE;
  if (d != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *ctx = reinterpret_cast<CUcontext>(&state().contextToken);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuDevicePrimaryCtxRelease(CUdevice d) {
  return d == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

EMU_EXPORT CUresult CUDAAPI cuCtxSetCurrent(CUcontext ctx) {
  if (ctx && ctx != reinterpret_cast<CUcontext>(&state().contextToken))
    return CUDA_ERROR_INVALID_CONTEXT;
  return CUDA_SUCCESS;
}

namespace {
struct ErrorText {
  CUresult code;
  const char *name, *text;
};
const ErrorText kErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU",
     "no kernel image is available for execution on the device (the PTX emulator runs PTX only)"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX",
     "a PTX JIT compilation failed (see the JIT log)"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS",
     "an illegal memory access was encountered"},
    {CUDA_ERROR_MISALIGNED_ADDRESS, "CUDA_ERROR_MISALIGNED_ADDRESS",
     "misaligned address"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED",
     "unspecified launch failure"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
     "operation failed due to a previous error during capture"},
    {CUDA_ERROR_STREAM_CAPTURE_UNMATCHED, "CUDA_ERROR_STREAM_CAPTURE_UNMATCHED",
     "operation would make the legacy stream depend on a capturing blocking stream"},
    {CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
     "operation not permitted when stream is capturing"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
};
const ErrorText *findError(CUresult r) {
  for (const auto &e : kErrors)
    if (e.code == r)
      return &e;
  return nullptr;
}
} // namespace

EMU_EXPORT CUresult CUDAAPI cuGetErrorName(CUresult error, const char **p) {
  if (!p)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorText *e = findError(error);
  *p = e ? e->name : nullptr;
  return e ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

EMU_EXPORT CUresult CUDAAPI cuGetErrorString(CUresult error, const char **p) {
  if (!p)
    return CUDA_ERROR_INVALID_VALUE;
  const ErrorText *e = findError(error);
  *p = e ? e->text : nullptr;
  return e ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

EMU_EXPORT CUresult CUDAAPI cuModuleLoadDataEx(CUmodule *module, const void *image,
                                               unsigned int numOptions,
                                               CUjit_option *options,
                                               void **optionValues) {
  EMU_GUARD();
  if (!module || !image)
    return CUDA_ERROR_INVALID_VALUE;
  char *log = nullptr;
  size_t logSize = 0;
  for (unsigned i = 0; i < numOptions && options && optionValues; ++i) {
    if (options[i] == CU_JIT_ERROR_LOG_BUFFER)
      log = static_cast<char *>(optionValues[i]);
    else if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
      logSize = reinterpret_cast<size_t>(optionValues[i]);
  }
  auto setLog = [&](const std::string &m) {
    if (log && logSize) {
      std::strncpy(log, m.c_str(), logSize - 1);
      log[logSize - 1] = 0;
    }
  };
  const char *text = static_cast<const char *>(image);
  if (std::memcmp(text, "\x7f" "ELF", 4) == 0) {
    setLog("vggq PTX emulator: cubin (ELF) images cannot run here; load the PTX");
    return CUDA_ERROR_NO_BINARY_FOR_GPU;
  }
  auto m = std::make_unique<EmuModule>();
  std::string error;
  if (!parsePtx(text, m->module, error)) {
    std::string msg = "vggq PTX emulator: " + error;
    setLog(msg);
    report(msg);
    return CUDA_ERROR_INVALID_PTX;
  }
  for (const Kernel &k : m->module.kernels) {
    auto f = std::make_unique<EmuFunction>();
    f->kernel = &k;
    m->functions.push_back(std::move(f));
  }
  setLog("");
  *module = reinterpret_cast<CUmodule>(m.release());
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuModuleUnload(CUmodule module) {
  if (!module)
    return CUDA_ERROR_INVALID_HANDLE;
  delete reinterpret_cast<EmuModule *>(module);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuModuleGetFunction(CUfunction *f, CUmodule module,
                                                const char *name) {
  EMU_GUARD();
  if (!f || !name)
    return CUDA_ERROR_INVALID_VALUE;
  if (!module)
    return CUDA_ERROR_INVALID_HANDLE;
  auto *m = reinterpret_cast<EmuModule *>(module);
  auto it = m->module.byName.find(name);
  if (it == m->module.byName.end())
    return CUDA_ERROR_NOT_FOUND;
  *f = reinterpret_cast<CUfunction>(m->functions[it->second].get());
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuFuncSetAttribute(CUfunction f, CUfunction_attribute a,
                                               int value) {
  EMU_GUARD();
  if (!f)
    return CUDA_ERROR_INVALID_HANDLE;
  auto *fn = reinterpret_cast<EmuFunction *>(f);
  if (a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
    if (value < 0 ||
        uint64_t(value) + fn->kernel->staticShared > kMaxSharedPerBlockOptin) {
      report("cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, " +
             std::to_string(value) + ") on '" + fn->kernel->name +
             "': static + dynamic shared exceeds 227 KiB");
      return CUDA_ERROR_INVALID_VALUE;
    }
    fn->maxDynamicShared = static_cast<unsigned>(value);
    return CUDA_SUCCESS;
  }
  if (a == CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT)
    return CUDA_SUCCESS;
  return CUDA_ERROR_NOT_SUPPORTED;
}

EMU_EXPORT CUresult CUDAAPI cuMemAlloc(CUdeviceptr *p, size_t bytes) {
  EMU_GUARD();
  if (!p || !bytes)
    return CUDA_ERROR_INVALID_VALUE;
  if (s.emu.liveBytes() + bytes > kTotalMem)
    return CUDA_ERROR_OUT_OF_MEMORY;
  uint64_t a = s.emu.alloc(bytes);
  if (!a)
    return CUDA_ERROR_OUT_OF_MEMORY;
  *p = static_cast<CUdeviceptr>(a);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuMemFree(CUdeviceptr p) {
  EMU_GUARD();
  if (!p)
    return CUDA_SUCCESS;
  if (!s.emu.free(p)) {
    report("cuMemFree(0x" + std::to_string(p) + "): not a live allocation");
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuMemGetInfo(size_t *freeBytes, size_t *total) {
  EMU_GUARD();
  if (!freeBytes || !total)
    return CUDA_ERROR_INVALID_VALUE;
  *total = kTotalMem;
  *freeBytes = kTotalMem - s.emu.liveBytes();
  return CUDA_SUCCESS;
}

namespace {
CUresult checkCopy(State &s, const char *what, CUdeviceptr p, size_t n) {
  std::string why;
  if (n && !s.emu.checkRange(p, n, why)) {
    report(std::string(what) + ": " + why);
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}
} // namespace

EMU_EXPORT CUresult CUDAAPI cuMemcpyHtoD(CUdeviceptr dst, const void *src, size_t n) {
  EMU_GUARD();
  if (n && !src)
    return CUDA_ERROR_INVALID_VALUE;
  if (CUresult r = checkCopy(s, "cuMemcpyHtoD", dst, n))
    return r;
  std::memcpy(reinterpret_cast<void *>(dst), src, n);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuMemcpyDtoH(void *dst, CUdeviceptr src, size_t n) {
  EMU_GUARD();
  if (n && !dst)
    return CUDA_ERROR_INVALID_VALUE;
  if (CUresult r = checkCopy(s, "cuMemcpyDtoH", src, n))
    return r;
  std::memcpy(dst, reinterpret_cast<const void *>(src), n);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuMemsetD8(CUdeviceptr dst, unsigned char v, size_t n) {
  EMU_GUARD();
  if (CUresult r = checkCopy(s, "cuMemsetD8", dst, n))
    return r;
  std::memset(reinterpret_cast<void *>(dst), v, n);
  return CUDA_SUCCESS;
}

/// Tiled tensor maps in the emulator's encoding (TensorMap.h). The tensor
/// need not lie in an allocation yet: cp.async.bulk.tensor checks that it
/// does when it reads it.
EMU_EXPORT CUresult CUDAAPI cuTensorMapEncodeTiled(
    CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
    cuuint32_t tensorRank, void *globalAddress, const cuuint64_t *globalDim,
    const cuuint64_t *globalStrides, const cuuint32_t *boxDim,
    const cuuint32_t *elementStrides, CUtensorMapInterleave interleave,
    CUtensorMapSwizzle swizzle, CUtensorMapL2promotion l2Promotion,
    CUtensorMapFloatOOBfill oobFill) {
  EMU_GUARD();
  static_assert(sizeof(CUtensorMap) == 128, "CUtensorMap is 128 bytes");
  std::string why;
  if (!encodeTensorMapTiled(
          tensorMap, tensorDataType, tensorRank,
          reinterpret_cast<uint64_t>(globalAddress), globalDim, globalStrides,
          boxDim, elementStrides, interleave, swizzle, l2Promotion, oobFill,
          why)) {
    report("cuTensorMapEncodeTiled: " + why);
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

/// Im2col tensor maps in the same encoding (TensorMap.h), for the .im2col
/// load mode of cp.async.bulk.tensor; the same conventions as
/// cuTensorMapEncodeTiled.
EMU_EXPORT CUresult CUDAAPI cuTensorMapEncodeIm2col(
    CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
    cuuint32_t tensorRank, void *globalAddress, const cuuint64_t *globalDim,
    const cuuint64_t *globalStrides, const int *pixelBoxLowerCorner,
    const int *pixelBoxUpperCorner, cuuint32_t channelsPerPixel,
    cuuint32_t pixelsPerColumn, const cuuint32_t *elementStrides,
    CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
    CUtensorMapL2promotion l2Promotion, CUtensorMapFloatOOBfill oobFill) {
  EMU_GUARD();
  std::string why;
  if (!encodeTensorMapIm2col(tensorMap, tensorDataType, tensorRank,
                             reinterpret_cast<uint64_t>(globalAddress),
                             globalDim, globalStrides, pixelBoxLowerCorner,
                             pixelBoxUpperCorner, channelsPerPixel,
                             pixelsPerColumn, elementStrides, interleave,
                             swizzle, l2Promotion, oobFill, why)) {
    report("cuTensorMapEncodeIm2col: " + why);
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuStreamCreate(CUstream *stream, unsigned int) {
  EMU_GUARD();
  if (!stream)
    return CUDA_ERROR_INVALID_VALUE;
  *stream = reinterpret_cast<CUstream>(new EmuStream);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuStreamDestroy(CUstream stream) {
  if (!stream)
    return CUDA_ERROR_INVALID_HANDLE;
  delete reinterpret_cast<EmuStream *>(stream);
  return CUDA_SUCCESS;
}

namespace {
/// The emulator's stream object, or null for the default streams.
EmuStream *streamOf(CUstream s) {
  if (!s || s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD)
    return nullptr;
  return reinterpret_cast<EmuStream *>(s);
}
} // namespace

EMU_EXPORT CUresult CUDAAPI cuStreamSynchronize(CUstream stream) {
  EMU_GUARD();
  EmuStream *st = streamOf(stream);
  if (st && st->capturing)
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  return CUDA_SUCCESS; // execution is synchronous
}

EMU_EXPORT CUresult CUDAAPI cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy,
                                           unsigned gz, unsigned bx, unsigned by,
                                           unsigned bz, unsigned sharedBytes,
                                           CUstream stream, void **params,
                                           void **extra) {
  EMU_GUARD();
  if (!f)
    return CUDA_ERROR_INVALID_HANDLE;
  auto *fn = reinterpret_cast<EmuFunction *>(f);
  const Kernel &k = *fn->kernel;
  LaunchConfig c;
  c.grid = {gx, gy, gz};
  c.block = {bx, by, bz};
  c.dynamicShared = sharedBytes;
  c.maxDynamicShared = fn->maxDynamicShared;
  std::string msg;
  Status v = s.emu.validate(k, c, msg);
  if (v != Status::Ok) {
    report(msg);
    return fromStatus(v);
  }
  std::vector<uint8_t> buffer(k.paramBytes + 8, 0);
  if (extra) {
    report("cuLaunchKernel of '" + k.name + "': the 'extra' argument is not supported");
    return CUDA_ERROR_NOT_SUPPORTED;
  }
  for (size_t i = 0; i < k.params.size(); ++i) {
    if (!params || !params[i]) {
      report("cuLaunchKernel of '" + k.name + "': parameter " +
             std::to_string(i) + " is null");
      return CUDA_ERROR_INVALID_VALUE;
    }
    std::memcpy(buffer.data() + k.params[i].offset, params[i], k.params[i].size);
  }
  EmuStream *st = streamOf(stream);
  if (st && st->capturing) {
    st->graph->nodes.push_back(Node{fn, c, std::move(buffer)});
    return CUDA_SUCCESS;
  }
  return runLaunch(s, fn, c, buffer.data());
}

EMU_EXPORT CUresult CUDAAPI cuStreamBeginCapture(CUstream stream,
                                                 CUstreamCaptureMode) {
  EMU_GUARD();
  EmuStream *st = streamOf(stream);
  if (!st)
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED; // legacy stream
  if (st->capturing)
    return CUDA_ERROR_ILLEGAL_STATE;
  st->capturing = true;
  st->graph = std::make_unique<EmuGraph>();
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  EMU_GUARD();
  EmuStream *st = streamOf(stream);
  if (!graph)
    return CUDA_ERROR_INVALID_VALUE;
  if (!st || !st->capturing)
    return CUDA_ERROR_ILLEGAL_STATE;
  st->capturing = false;
  *graph = reinterpret_cast<CUgraph>(st->graph.release());
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuGraphInstantiate(CUgraphExec *exec, CUgraph graph,
                                               unsigned long long) {
  EMU_GUARD();
  if (!exec || !graph)
    return CUDA_ERROR_INVALID_VALUE;
  *exec = reinterpret_cast<CUgraphExec>(
      new EmuGraph(*reinterpret_cast<EmuGraph *>(graph)));
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuGraphLaunch(CUgraphExec exec, CUstream) {
  EMU_GUARD();
  if (!exec)
    return CUDA_ERROR_INVALID_HANDLE;
  for (const Node &n : reinterpret_cast<EmuGraph *>(exec)->nodes)
    if (CUresult r = runLaunch(s, n.fn, n.config, n.params.data()))
      return r;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuGraphExecDestroy(CUgraphExec exec) {
  delete reinterpret_cast<EmuGraph *>(exec);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuGraphDestroy(CUgraph graph) {
  delete reinterpret_cast<EmuGraph *>(graph);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuEventCreate(CUevent *e, unsigned int) {
  if (!e)
    return CUDA_ERROR_INVALID_VALUE;
  *e = reinterpret_cast<CUevent>(new EmuEvent);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuEventDestroy(CUevent e) {
  delete reinterpret_cast<EmuEvent *>(e);
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuEventRecord(CUevent e, CUstream) {
  EMU_GUARD();
  if (!e)
    return CUDA_ERROR_INVALID_HANDLE;
  auto *ev = reinterpret_cast<EmuEvent *>(e);
  ev->when = std::chrono::steady_clock::now();
  ev->recorded = true;
  return CUDA_SUCCESS;
}

EMU_EXPORT CUresult CUDAAPI cuEventSynchronize(CUevent e) {
  EMU_GUARD();
  return e ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

EMU_EXPORT CUresult CUDAAPI cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
  EMU_GUARD();
  if (!ms || !start || !end)
    return CUDA_ERROR_INVALID_VALUE;
  auto *a = reinterpret_cast<EmuEvent *>(start);
  auto *b = reinterpret_cast<EmuEvent *>(end);
  if (!a->recorded || !b->recorded)
    return CUDA_ERROR_INVALID_HANDLE;
  *ms = std::chrono::duration<float, std::milli>(b->when - a->when).count();
  return CUDA_SUCCESS;
}

// Every entry point the runtime resolves must be defined above, with the
// prototype cuda.h gives it.
namespace {
#define VGGQ_CHECK_DEFINED(name) [[maybe_unused]] decltype(&::name) check_##name = &::name;
VGGQ_CUDA_FUNCTIONS(VGGQ_CHECK_DEFINED)
#undef VGGQ_CHECK_DEFINED
} // namespace
