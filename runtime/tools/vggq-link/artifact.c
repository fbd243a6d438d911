/*===- artifact.c - host side of a linked vggq model ---------------*- C -*-===*\
|*                                                                            *|
|* Compiled by vggq-link into NAME.so together with a generated assembly     *|
|* file that embeds the plan (NUL-terminated), the PTX and, optionally, the  *|
|* cubin with .incbin. The plan records the model's precision, chip and      *|
|* input normalization (vggq_artifact_info returns them).                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/
#include "vggq/vggq_runtime.h"

extern const char vggq_blob_plan[], vggq_blob_plan_end[];
extern const char vggq_blob_ptx[], vggq_blob_ptx_end[];
extern const char vggq_blob_cubin[], vggq_blob_cubin_end[];

VGGQ_API const char *vggq_artifact_plan(void) { return vggq_blob_plan; }

VGGQ_API const void *vggq_artifact_ptx(size_t *size) {
  size_t n = (size_t)(vggq_blob_ptx_end - vggq_blob_ptx);
  if (size)
    *size = n;
  return n ? vggq_blob_ptx : 0;
}

VGGQ_API const void *vggq_artifact_cubin(size_t *size) {
  size_t n = (size_t)(vggq_blob_cubin_end - vggq_blob_cubin);
  if (size)
    *size = n;
  return n ? vggq_blob_cubin : 0;
}

/** Precision, chip, normalization, sizes: read from the embedded plan. */
VGGQ_API int vggq_artifact_info(vggq_plan_summary *out, char *err,
                                size_t errlen) {
  return vggq_plan_check(vggq_blob_plan, out, err, errlen);
}

/** Loads this model; `weights_path` NULL gives random weights (timing). */
VGGQ_API vggq_model *vggq_artifact_load(const char *weights_path, char *err,
                                        size_t errlen) {
  size_t cubin_size = 0, ptx_size = 0;
  const void *cubin = vggq_artifact_cubin(&cubin_size);
  const void *ptx = vggq_artifact_ptx(&ptx_size);
  return vggq_model_load2(vggq_blob_plan, cubin, cubin_size, ptx, ptx_size,
                          weights_path, err, errlen);
}
