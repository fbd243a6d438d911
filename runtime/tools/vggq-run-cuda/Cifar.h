//===- Cifar.h - CIFAR-10 binary reader (MLIR-free) -------------*- C++ -*-===//
//
// The runtime's own small reader of the CIFAR-10 binary format (records of
// 1 label byte + 3,072 bytes: R, G, B planes of 32x32), so that vggq-run-cuda
// builds on the GPU machine without LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_TOOLS_CIFAR_H
#define VGGQ_RUNTIME_TOOLS_CIFAR_H

#include <cstdint>
#include <string>
#include <vector>

namespace vggq {
namespace rt {

struct CifarImages {
  static constexpr size_t kImageBytes = 3072, kRecordBytes = 3073;
  size_t count = 0;
  std::vector<uint8_t> labels; ///< in [0, 9]
  std::vector<uint8_t> pixels; ///< count * 3072, CHW planes per image
};

/// Reads up to `limit` records (all when limit < 0). A size that is not a
/// multiple of 3,073, an empty file or a label > 9 is an error naming the
/// file (and the record).
bool readCifar(const std::string &path, long limit, CifarImages &out,
               std::string &error);

/// Writes images [begin, begin + n) as normalized NHWC f32.
void normalizeCifar(const CifarImages &set, size_t begin, size_t n,
                    const float *mean, const float *std, float *outNHWC);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_TOOLS_CIFAR_H
