//===- Kernels.h - compute kernels of the reference executor ----*- C++ -*-===//
//
// Internal to lib/Executor: im2col + sgemm convolution and matrix products
// (FP32, and exact integer accumulation for INT8), and the helpers the op
// implementations share.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_EXECUTOR_KERNELS_H
#define VGGQ_LIB_EXECUTOR_KERNELS_H

#include "vggq/Executor/Tensor.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vggq {
namespace exec {
namespace detail {

/// Largest K for which an int8 x int8 dot product is exact in f32: every
/// partial sum is bounded by 1024 * 128 * 128 = 2^24.
inline constexpr int64_t kExactIntChunk = 1024;

/// How the GEMM accumulates: plain f32 (FP32, FP8) or exactly in int32
/// (INT8 values carried as floats, summed per K chunk of kExactIntChunk).
enum class AccumMode { F32, ExactInt };

/// An NHWC convolution's geometry. Weights are OHWI, i.e. an [O, K] matrix
/// with K = KH * KW * C in (kh, kw, c) order, which matches im2col rows.
struct ConvGeom {
  int64_t n, h, w, c;
  int64_t o, kh, kw;
  int64_t sh, sw, pt, pl, dh, dw;
  int64_t oh, ow;
  int64_t k() const { return kh * kw * c; }
  int64_t m() const { return n * oh * ow; }
};

/// The activation matrix source: f32 values, or codes of `codeBytes` bytes
/// decoded through a table over every code (decode(code) as f32; exact for
/// every precision).
struct ActSource {
  const float *f32 = nullptr;
  const uint8_t *codes = nullptr;
  unsigned codeBytes = 1;
  const float *lut = nullptr;
};

/// Receives accumulators for output rows [row0, row0 + rows), row-major
/// [rows, O]: `accF` in AccumMode::F32, `accI` in AccumMode::ExactInt.
using RowSink = llvm::function_ref<void(
    int64_t row0, int64_t rows, const float *accF, const int32_t *accI)>;

/// Convolution as im2col (in row blocks) + cblas_sgemm against `weights`
/// ([O, K] f32), streaming every block of accumulators into `sink`. With
/// `direct` (F32 mode only), sgemm writes the accumulators of rows
/// [row0, row0 + rows) straight into direct[row0 * O ...] and `sink` gets
/// that pointer, so it can finish them in place.
void convGemm(const ConvGeom &g, const ActSource &in, const float *weights,
              AccumMode mode, RowSink sink, float *direct = nullptr);

/// out[M, O] = a[M, K] * w[O, K]^T, streamed into `sink` in row blocks.
void matmulRows(const ActSource &a, int64_t m, int64_t k, const float *weights,
                int64_t o, AccumMode mode, RowSink sink,
                float *direct = nullptr);

/// The decode table of a quantized precision of at most 16 bits: entry c is
/// decode(c), for all 2^bits codes.
std::vector<float> decodeTable(const Precision &p);

/// "'vggq.conv2d' at loc(...)": how errors name an op.
std::string describeOp(mlir::Operation *op);
/// An error "<op>: <message>".
llvm::Error opError(mlir::Operation *op, const llvm::Twine &message);
/// "[2, 32, 32, 3]".
std::string shapeString(llvm::ArrayRef<int64_t> shape);
/// Checks a computed result shape against the op's (possibly dynamic)
/// result type.
llvm::Error checkResultShape(mlir::Operation *op,
                             llvm::ArrayRef<int64_t> shape);

} // namespace detail
} // namespace exec
} // namespace vggq

#endif // VGGQ_LIB_EXECUTOR_KERNELS_H
