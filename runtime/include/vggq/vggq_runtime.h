/*===- vggq_runtime.h - the vggq CUDA runtime C API ---------------*- C -*-===*\
|*                                                                            *|
|* Loads a model compiled by vggq-compile (a plan, PTX/cubin kernels and a    *|
|* weights blob, see docs/ARTIFACT.md), runs its forward pass on the GPU as   *|
|* one CUDA graph, and reports timings and device memory. Built on the CUDA   *|
|* driver API, which is opened at run time (libcuda.so.1): a program linked   *|
|* against this library starts on a machine without a driver, and every call *|
|* that needs the GPU then fails with a message instead of crashing.          *|
|*                                                                            *|
|* Errors: functions returning a pointer return NULL and write a message to   *|
|* `err` (when non-NULL); functions returning int return 0 on success and a   *|
|* non-zero value on failure, with the message in vggq_last_error(model).     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#ifndef VGGQ_VGGQ_RUNTIME_H
#define VGGQ_VGGQ_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VGGQ_API __declspec(dllexport)
#else
#define VGGQ_API __attribute__((visibility("default")))
#endif

typedef struct vggq_model vggq_model;

/// What a plan says about the model (no GPU needed to read it).
typedef struct vggq_plan_summary {
  char model[64];
  char precision[16]; /* fp32, fp8e4m3, fp8e5m2, int8, ... */
  char chip[16];      /* sm_90, ... */
  int height, width, channels; /* input image, NHWC */
  int num_classes;
  float mean[4], std[4];       /* input normalization, per channel */
  int num_kernels, num_launches, num_weight_regions;
  uint64_t arena_bytes_per_image;
  uint64_t weights_bytes;
} vggq_plan_summary;

/// Where one launch writes its result (`out` in the plan).
typedef struct vggq_layer_info {
  const char *layer;  /* vggq.layer name, e.g. "features.2" */
  const char *kernel;
  const char *dtype;  /* f32, s32, e4m3, e5m2, s8 */
  float scale;        /* real value = decode(code) * scale */
  int rank;
  int64_t shape[8];   /* shape[0] = -1 (the batch) */
  uint64_t bytes_per_image;
} vggq_layer_info;

/// Device memory of a loaded model, in bytes.
typedef struct vggq_memory_info {
  uint64_t weights_bytes;  /* the weights blob on the device */
  uint64_t arena_bytes;    /* the arena for the largest batch so far */
  uint64_t planned_bytes;  /* weights + arena: what the compiler planned */
  uint64_t device_used_peak; /* peak of (free before load - free now), cuMemGetInfo */
  uint64_t device_total;
} vggq_memory_info;

/// Parses and validates a plan without touching the GPU. Returns 0 and fills
/// `out` (may be NULL), or non-zero with a message naming the bad key.
VGGQ_API int vggq_plan_check(const char *plan_json, vggq_plan_summary *out,
                             char *err, size_t errlen);

/// Loads a model: the plan, one kernel image (a cubin, or PTX which the driver
/// JIT-compiles; told apart by the ELF magic), and the weights file (NULL:
/// random non-zero, non-NaN weights of each region's dtype, for timing).
VGGQ_API vggq_model *vggq_model_load(const char *plan_json,
                                     const void *ptx_or_cubin, size_t size,
                                     const char *weights_path, char *err,
                                     size_t errlen);

/// As vggq_model_load, with both images: the cubin is tried first, and PTX
/// (JIT) when the cubin is absent, does not load on this GPU, or the
/// environment sets VGGQ_FORCE_PTX=1.
VGGQ_API vggq_model *vggq_model_load2(const char *plan_json, const void *cubin,
                                      size_t cubin_size, const void *ptx,
                                      size_t ptx_size, const char *weights_path,
                                      char *err, size_t errlen);

VGGQ_API void vggq_model_free(vggq_model *model);

/// The message of the last failed call on `model`.
VGGQ_API const char *vggq_last_error(const vggq_model *model);

VGGQ_API const vggq_plan_summary *vggq_model_summary(const vggq_model *model);

/// "cubin" or "ptx-jit": how the kernels were loaded.
VGGQ_API const char *vggq_model_kernel_source(const vggq_model *model);

/// The GPU's name (cuDeviceGetName).
VGGQ_API const char *vggq_model_device(const vggq_model *model);

/// Allocates the arena for batches up to `max_batch` (done on demand too).
VGGQ_API int vggq_model_reserve(vggq_model *model, int max_batch);

/// One forward pass: `input_nhwc` holds `batch` normalized images (NHWC f32,
/// (pixel/255 - mean) / std), `logits` receives batch x num_classes f32.
/// The launches run as one CUDA graph, captured once per batch size.
VGGQ_API int vggq_forward(vggq_model *model, const float *input_nhwc,
                          float *logits, int batch);

/// Times `iters` graph replays of a batch of `batch` random images already on
/// the device (after `warmup` untimed replays), with CUDA events.
VGGQ_API int vggq_benchmark(vggq_model *model, int batch, int warmup, int iters,
                            float *ms_per_batch);

VGGQ_API int vggq_memory(vggq_model *model, vggq_memory_info *out);

VGGQ_API int vggq_num_launches(const vggq_model *model);
VGGQ_API int vggq_layer_info_get(const vggq_model *model, int launch,
                                 vggq_layer_info *out);

/// Runs launches 0..launch eagerly (no graph) on `input_nhwc` and copies
/// launch `launch`'s `out` buffer (batch * bytes_per_image bytes, the raw
/// codes of its dtype) to `dst`.
VGGQ_API int vggq_layer_output(vggq_model *model, const float *input_nhwc,
                               int batch, int launch, void *dst,
                               size_t dst_bytes);

/// One eager forward (no graph) on `input_nhwc`: right after launch i, its
/// `out` buffer is copied to `dsts[i]` (dst_bytes[i] bytes available; NULL
/// entries are skipped). `dsts` and `dst_bytes` have vggq_num_launches()
/// entries. The same results as vggq_layer_output for every launch, in one
/// pass (the arena reuses buffers, so they are copied before being
/// overwritten).
VGGQ_API int vggq_layer_outputs(vggq_model *model, const float *input_nhwc,
                                int batch, void *const *dsts,
                                const size_t *dst_bytes);

/// Per-layer check with reference inputs: before launch `launch`, every arena
/// buffer it reads that an earlier launch `j` wrote is filled from
/// `inputs[j]` (raw codes, batch * bytes_per_image; for NULL entries the arena is left
/// as it is), the model input from `input_nhwc`; then only that launch runs
/// and its `out` is copied to `dst`.
VGGQ_API int vggq_layer_isolated(vggq_model *model, const float *input_nhwc,
                                 const void *const *inputs, int batch,
                                 int launch, void *dst, size_t dst_bytes);

/* Exported by a linked artifact (NAME.so made by vggq-link). */
typedef const char *(*vggq_artifact_plan_fn)(void);
typedef vggq_model *(*vggq_artifact_load_fn)(const char *weights_path,
                                             char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* VGGQ_VGGQ_RUNTIME_H */
