//===- CudaDriver.h - the CUDA driver API, opened at run time ---*- C++ -*-===//
//
// The driver (libcuda.so.1) is opened with dlopen, so that programs using
// the runtime start on a machine without one and report it. Each entry point
// is resolved under the versioned name that cuda.h maps it to (cuMemAlloc ->
// cuMemAlloc_v2, ...), with the prototype taken from cuda.h itself.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_CUDADRIVER_H
#define VGGQ_RUNTIME_CUDADRIVER_H

#include <cuda.h>

#include <string>

namespace vggq {
namespace rt {

#define VGGQ_CUDA_FUNCTIONS(X)                                                 \
  X(cuInit) X(cuDriverGetVersion) X(cuDeviceGet) X(cuDeviceGetCount)          \
  X(cuDeviceGetName) X(cuDeviceGetAttribute) X(cuDeviceTotalMem)               \
  X(cuDevicePrimaryCtxRetain) X(cuDevicePrimaryCtxRelease) X(cuCtxSetCurrent) \
  X(cuGetErrorName) X(cuGetErrorString) X(cuModuleLoadDataEx)                  \
  X(cuModuleUnload) X(cuModuleGetFunction) X(cuFuncSetAttribute)               \
  X(cuMemAlloc) X(cuMemFree) X(cuMemGetInfo) X(cuMemcpyHtoD) X(cuMemcpyDtoH)   \
  X(cuMemsetD8) X(cuStreamCreate) X(cuStreamDestroy) X(cuStreamSynchronize)    \
  X(cuLaunchKernel) X(cuStreamBeginCapture) X(cuStreamEndCapture)              \
  X(cuGraphInstantiate) X(cuGraphLaunch) X(cuGraphExecDestroy)                 \
  X(cuGraphDestroy) X(cuEventCreate) X(cuEventDestroy) X(cuEventRecord)        \
  X(cuEventSynchronize) X(cuEventElapsedTime) X(cuTensorMapEncodeTiled)

/// Function pointers to the driver, loaded once per process.
struct CudaDriver {
#define VGGQ_DECLARE(name) decltype(&::name) name = nullptr;
  VGGQ_CUDA_FUNCTIONS(VGGQ_DECLARE)
#undef VGGQ_DECLARE

  /// "CUDA_ERROR_X: description" for a result code.
  std::string describe(CUresult r) const;
};

/// Opens libcuda.so.1 (or $VGGQ_LIBCUDA) and calls cuInit(0). Returns null
/// with a message ("no CUDA driver: ...", "no GPU: ...") on failure. The
/// result is cached: later calls return the same driver or the same error.
const CudaDriver *loadCudaDriver(std::string &error);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_CUDADRIVER_H
