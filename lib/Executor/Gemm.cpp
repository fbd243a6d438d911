//===- Gemm.cpp - im2col + sgemm for the reference executor ---------------===//
//
// Convolutions run as im2col + OpenBLAS sgemm on NHWC data: an im2col row is
// KH * KW contiguous runs of C channels. Rows are processed in blocks so the
// column buffer stays small. INT8 products are accumulated exactly: K is
// split into chunks of at most kExactIntChunk, each chunk's sgemm is exact in
// f32 (every partial sum is an integer of magnitude <= 2^24) and the chunk
// results are added in int32.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cassert>

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cblas.h>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

// OpenBLAS's thread control, when the BLAS is OpenBLAS (weak: other BLASes
// lack it).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

using namespace vggq;
using namespace vggq::exec;
using namespace vggq::exec::detail;

namespace {

/// Floats of im2col buffer per row block (8 MiB), and the fewest rows of a
/// block: sgemm packs the whole weight matrix for every call, so blocks
/// must be tall enough to amortize that.
constexpr int64_t kColBudget = int64_t(1) << 21;
constexpr int64_t kMinBlockRows = 1024;

int64_t blockRows(int64_t m, int64_t k) {
  return std::min(
      m, std::max(kMinBlockRows, kColBudget / std::max<int64_t>(k, 1)));
}

/// Worker threads: $VGGQ_NUM_THREADS, else every hardware thread. Row blocks
/// are spread over them and each runs a single-threaded sgemm (independent
/// GEMMs scale better than one GEMM split by OpenBLAS, and im2col and the
/// epilogues run in parallel too).
int numThreads() {
  static int n = [] {
    int t = static_cast<int>(std::thread::hardware_concurrency());
    if (const char *env = std::getenv("VGGQ_NUM_THREADS"))
      t = std::atoi(env);
    if (openblas_set_num_threads)
      openblas_set_num_threads(1);
    return std::max(t, 1);
  }();
  return n;
}

/// Runs fn(begin, end) on contiguous ranges of [0, m), in parallel when
/// there are at least `minRows` rows per thread.
void parallelRows(int64_t m, int64_t minRows,
                  llvm::function_ref<void(int64_t, int64_t)> fn) {
  int64_t threads =
      std::min<int64_t>(numThreads(), m / std::max<int64_t>(minRows, 1));
  if (threads <= 1) {
    fn(0, m);
    return;
  }
  std::vector<std::thread> pool;
  int64_t per = (m + threads - 1) / threads;
  for (int64_t t = 1; t < threads; ++t)
    pool.emplace_back([=] { fn(t * per, std::min(m, (t + 1) * per)); });
  fn(0, std::min(m, per));
  for (std::thread &th : pool)
    th.join();
}

/// Copies (or decodes) `count` activation elements starting at `offset`.
inline void loadRun(const ActSource &src, int64_t offset, int64_t count,
                    float *dst) {
  if (src.f32) {
    std::memcpy(dst, src.f32 + offset, count * sizeof(float));
    return;
  }
  if (src.codeBytes == 1) {
    const uint8_t *codes = src.codes + offset;
    for (int64_t i = 0; i < count; ++i)
      dst[i] = src.lut[codes[i]];
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    dst[i] = src.lut[numerics::loadCode(src.codes, offset + i, src.codeBytes)];
}

/// Writes im2col rows [row0, row0 + rows) into `col` ([rows, K]).
void im2col(const ConvGeom &g, const ActSource &in, int64_t row0, int64_t rows,
            float *col) {
  const int64_t k = g.k();
  for (int64_t r = 0; r < rows; ++r) {
    int64_t row = row0 + r;
    int64_t ow = row % g.ow, oh = (row / g.ow) % g.oh, n = row / (g.ow * g.oh);
    float *dst = col + r * k;
    int64_t iw0 = ow * g.sw - g.pl;
    bool wInside = iw0 >= 0 && iw0 + (g.kw - 1) * g.dw < g.w;
    for (int64_t kh = 0; kh < g.kh; ++kh) {
      int64_t ih = oh * g.sh - g.pt + kh * g.dh;
      float *line = dst + kh * g.kw * g.c;
      if (ih < 0 || ih >= g.h) {
        std::fill(line, line + g.kw * g.c, 0.0f);
        continue;
      }
      int64_t base = ((n * g.h + ih) * g.w) * g.c;
      if (wInside && g.dw == 1) { // one contiguous run of KW * C
        loadRun(in, base + iw0 * g.c, g.kw * g.c, line);
        continue;
      }
      for (int64_t kw = 0; kw < g.kw; ++kw) {
        int64_t iw = iw0 + kw * g.dw;
        if (iw < 0 || iw >= g.w)
          std::fill(line + kw * g.c, line + (kw + 1) * g.c, 0.0f);
        else
          loadRun(in, base + iw * g.c, g.c, line + kw * g.c);
      }
    }
  }
}

/// Multiplies a row block a[rows, K] (leading dimension K) by w[O, K]^T and
/// hands the accumulators to `sink`.
void multiplyBlock(const float *a, int64_t row0, int64_t rows, int64_t k,
                   const float *w, int64_t o, AccumMode mode, float *direct,
                   std::vector<float> &accF, std::vector<int32_t> &accI,
                   RowSink sink) {
  if (mode == AccumMode::F32) {
    float *c =
        direct ? direct + row0 * o : (accF.resize(rows * o), accF.data());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, o, k, 1.0f, a, k,
                w, k, 0.0f, c, o);
    sink(row0, rows, c, nullptr);
    return;
  }
  accF.resize(rows * o);
  accI.assign(rows * o, 0);
  for (int64_t k0 = 0; k0 < k; k0 += kExactIntChunk) {
    int64_t kc = std::min(kExactIntChunk, k - k0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, o, kc, 1.0f,
                a + k0, k, w + k0, k, 0.0f, accF.data(), o);
    for (int64_t i = 0; i < rows * o; ++i)
      accI[i] += static_cast<int32_t>(accF[i]);
  }
  sink(row0, rows, nullptr, accI.data());
}

} // namespace

void vggq::exec::detail::convGemm(const ConvGeom &g, const ActSource &in,
                                  const float *weights, AccumMode mode,
                                  RowSink sink, float *direct) {
  const int64_t m = g.m(), k = g.k();
  bool pointwise = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 &&
                   g.pt == 0 && g.pl == 0 && g.oh == g.h && g.ow == g.w;
  if (pointwise) { // a 1x1 convolution is a matrix product as is
    matmulRows(in, m, k, weights, g.o, mode, sink, direct);
    return;
  }
  int64_t block = blockRows(m, k);
  parallelRows(m, /*minRows=*/64, [&](int64_t begin, int64_t end) {
    int64_t b = std::min(block, end - begin);
    std::vector<float> col(b * k), accF;
    std::vector<int32_t> accI;
    for (int64_t row0 = begin; row0 < end; row0 += b) {
      int64_t rows = std::min(b, end - row0);
      im2col(g, in, row0, rows, col.data());
      multiplyBlock(col.data(), row0, rows, k, weights, g.o, mode, direct, accF,
                    accI, sink);
    }
  });
}

void vggq::exec::detail::matmulRows(const ActSource &a, int64_t m, int64_t k,
                                    const float *weights, int64_t o,
                                    AccumMode mode, RowSink sink,
                                    float *direct) {
  int64_t block = blockRows(m, k);
  parallelRows(m, /*minRows=*/64, [&](int64_t begin, int64_t end) {
    std::vector<float> accF, buf;
    std::vector<int32_t> accI;
    for (int64_t row0 = begin; row0 < end; row0 += block) {
      int64_t rows = std::min(block, end - row0);
      const float *rowsPtr;
      if (a.f32) {
        rowsPtr = a.f32 + row0 * k;
      } else {
        buf.resize(rows * k);
        loadRun(a, row0 * k, rows * k, buf.data());
        rowsPtr = buf.data();
      }
      multiplyBlock(rowsPtr, row0, rows, k, weights, o, mode, direct, accF,
                    accI, sink);
    }
  });
}

std::vector<float> vggq::exec::detail::decodeTable(const Precision &p) {
  assert(p.bits <= 16 && "decode tables cover formats of at most 16 bits");
  std::vector<float> t(size_t(1) << p.bits);
  for (size_t i = 0; i < t.size(); ++i)
    t[i] = p.decode(static_cast<uint32_t>(i));
  return t;
}

std::string vggq::exec::detail::describeOp(mlir::Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "'" << op->getName() << "'";
  if (auto layer = op->getAttrOfType<mlir::StringAttr>("vggq.layer"))
    os << " (layer " << layer.getValue() << ")";
  os << " at " << op->getLoc();
  return s;
}

llvm::Error vggq::exec::detail::opError(mlir::Operation *op,
                                        const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument),
      llvm::Twine(describeOp(op)) + ": " + message);
}

std::string vggq::exec::detail::shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

llvm::Error
vggq::exec::detail::checkResultShape(mlir::Operation *op,
                                     llvm::ArrayRef<int64_t> shape) {
  auto type = llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  bool ok = type.getRank() == static_cast<int64_t>(shape.size());
  for (int64_t i = 0; ok && i < type.getRank(); ++i)
    ok = type.isDynamicDim(i) || type.getDimSize(i) == shape[i];
  if (ok)
    return llvm::Error::success();
  std::string t;
  llvm::raw_string_ostream os(t);
  os << type;
  return opError(op, "computed result shape " + shapeString(shape) +
                         " does not match the result type " + t);
}
