//===- Cifar.h - the CIFAR-10 binary format ---------------------*- C++ -*-===//
//
// Reads CIFAR-10 in its original binary layout: records of 1 label byte and
// 3,072 pixel bytes (1,024 R, 1,024 G, 1,024 B, each row-major 32x32).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_DATA_CIFAR_H
#define VGGQ_DATA_CIFAR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vggq {

struct CifarSet {
  static constexpr int64_t kImageBytes = 3072;
  static constexpr int64_t kRecordBytes = 3073;
  std::string path;
  int64_t count = 0;
  std::vector<uint8_t> labels; ///< count labels in [0, 9]
  std::vector<uint8_t> pixels; ///< count * 3072 bytes, CHW planes per image
};

/// Loads up to `limit` records (all when limit < 0). A size that is not a
/// multiple of 3,073 bytes, an empty file or a label > 9 is an error naming
/// the file and the record.
llvm::Expected<CifarSet> loadCifar(llvm::StringRef path, int64_t limit = -1);

/// Writes images [begin, begin + n) as NHWC f32: (pixel/255 - mean[c]) / std[c].
void normalizeCifar(const CifarSet &set, int64_t begin, int64_t n,
                    llvm::ArrayRef<float> mean, llvm::ArrayRef<float> std,
                    float *outNHWC);

/// The shared folder: $VGGQ_SHARED, else the configured default (../shared
/// from the source tree).
std::string sharedDir();

} // namespace vggq

#endif // VGGQ_DATA_CIFAR_H
