//===- CudaDriver.cpp - the CUDA driver API, opened at run time -----------===//
#include "CudaDriver.h"

#include <cstdlib>
#include <dlfcn.h>
#include <mutex>

using namespace vggq::rt;

// The name a cuda.h entry point has after macro expansion (cuMemAlloc ->
// "cuMemAlloc_v2").
#define VGGQ_STR2(x) #x
#define VGGQ_STR(x) VGGQ_STR2(x)

namespace {
/// Names of the codes a broken installation gives, for drivers (the stub)
/// whose cuGetErrorName does not answer.
const char *fallbackName(CUresult r, const char **text) {
  switch (r) {
  case CUDA_ERROR_STUB_LIBRARY:
    *text = "the CUDA stub library was loaded instead of the real driver";
    return "CUDA_ERROR_STUB_LIBRARY";
  case CUDA_ERROR_NO_DEVICE:
    *text = "no CUDA-capable device is detected";
    return "CUDA_ERROR_NO_DEVICE";
  default:
    *text = "unknown error";
    return "CUDA_ERROR_UNKNOWN";
  }
}
} // namespace

std::string CudaDriver::describe(CUresult r) const {
  const char *name = nullptr, *text = nullptr, *fallbackText = nullptr;
  const char *fallback = fallbackName(r, &fallbackText);
  if (r == CUDA_ERROR_STUB_LIBRARY) // the stub cannot name its own error
    return std::string(fallback) + " (34): " + fallbackText;
  if (cuGetErrorName(r, &name) != CUDA_SUCCESS || !name)
    name = fallback;
  if (cuGetErrorString(r, &text) != CUDA_SUCCESS || !text)
    text = fallbackText;
  return std::string(name) + " (" + std::to_string(int(r)) + "): " + text;
}

namespace {

struct Loaded {
  CudaDriver driver;
  std::string error;
  bool ok = false;
};

void load(Loaded &l) {
  const char *path = std::getenv("VGGQ_LIBCUDA");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    l.error = std::string("no CUDA driver: cannot open ") + path + " (" +
              (why ? why : "unknown reason") +
              "); this machine needs an NVIDIA GPU and its driver";
    return;
  }
#define VGGQ_RESOLVE(name)                                                     \
  l.driver.name =                                                              \
      reinterpret_cast<decltype(&::name)>(dlsym(handle, VGGQ_STR(name)));      \
  if (!l.driver.name) {                                                        \
    l.error = std::string("CUDA driver ") + path + " lacks " VGGQ_STR(name)    \
              " (driver too old for CUDA " VGGQ_STR(CUDA_VERSION) " headers)"; \
    return;                                                                    \
  }
  VGGQ_CUDA_FUNCTIONS(VGGQ_RESOLVE)
#undef VGGQ_RESOLVE
  CUresult r = l.driver.cuInit(0);
  if (r == CUDA_SUCCESS) {
    int count = 0;
    r = l.driver.cuDeviceGetCount(&count);
    if (r == CUDA_SUCCESS && count == 0)
      r = CUDA_ERROR_NO_DEVICE;
  }
  if (r != CUDA_SUCCESS) {
    l.error = (r == CUDA_ERROR_NO_DEVICE ? "no GPU: " : "no usable GPU: ") +
              std::string("cuInit failed with ") + l.driver.describe(r);
    return;
  }
  l.ok = true;
}

} // namespace

const CudaDriver *vggq::rt::loadCudaDriver(std::string &error) {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] { load(loaded); });
  if (!loaded.ok) {
    error = loaded.error;
    return nullptr;
  }
  return &loaded.driver;
}
