// toy.cu - a two-launch model for testing the runtime without vggq-compile.
//
// Launch 0 ("features.0"): x (NHWC f32) -> s8 codes, q = sat(rint(x / s)).
// Launch 1 ("classifier"): logits[b, c] = s * sum_k q[b, k] * w[c, k] + bias[c],
// one warp per (image, class); its output reuses the input's arena bytes.
// toy.ptx is generated from this file:
//   nvcc -ptx -arch=sm_90 -o toy.ptx toy.cu
#include <cstdint>

extern "C" __global__ void toy_quant(const float *x, const float *scale,
                                     int8_t *q, int batch) {
  long i = long(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= long(batch) * 3072)
    return;
  float v = rintf(__fdiv_rn(x[i], scale[0]));
  q[i] = int8_t(fminf(fmaxf(v, -127.0f), 127.0f));
}

extern "C" __global__ void toy_linear(const int8_t *q, const float *w,
                                      const float *bias, const float *scale,
                                      float *out, int batch) {
  int row = blockIdx.x; // image * 10 + class
  if (row >= batch * 10)
    return;
  int b = row / 10, c = row % 10;
  float acc = 0.0f;
  for (int k = threadIdx.x; k < 3072; k += 32)
    acc += float(q[long(b) * 3072 + k]) * w[c * 3072 + k];
  for (int off = 16; off > 0; off /= 2)
    acc += __shfl_down_sync(0xffffffffu, acc, off);
  if (threadIdx.x == 0)
    out[row] = acc * scale[0] + bias[c];
}
