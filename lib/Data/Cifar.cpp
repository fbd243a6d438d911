//===- Cifar.cpp - the CIFAR-10 binary format -----------------------------===//
//
// Loading and normalizing CIFAR-10 records (see vggq/Data/Cifar.h).
//
//===----------------------------------------------------------------------===//

#include "vggq/Data/Cifar.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>
#include <cstring>

using namespace vggq;

llvm::Expected<CifarSet> vggq::loadCifar(llvm::StringRef path, int64_t limit) {
  auto bufOr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bufOr)
    return llvm::createStringError(
        bufOr.getError(), "cannot read CIFAR-10 file '%s': %s",
        path.str().c_str(), bufOr.getError().message().c_str());
  llvm::StringRef data = (*bufOr)->getBuffer();
  int64_t size = static_cast<int64_t>(data.size());
  if (size == 0)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "CIFAR-10 file '%s' is empty",
                                   path.str().c_str());
  if (size % CifarSet::kRecordBytes != 0)
    return llvm::createStringError(
        std::errc::invalid_argument,
        "CIFAR-10 file '%s' has %lld bytes, not a multiple of the %lld-byte "
        "record (truncated or not CIFAR-10 binary?)",
        path.str().c_str(), static_cast<long long>(size),
        static_cast<long long>(CifarSet::kRecordBytes));

  CifarSet set;
  set.path = path.str();
  set.count = size / CifarSet::kRecordBytes;
  if (limit >= 0 && limit < set.count)
    set.count = limit;
  set.labels.resize(set.count);
  set.pixels.resize(set.count * CifarSet::kImageBytes);
  const auto *bytes = reinterpret_cast<const uint8_t *>(data.data());
  for (int64_t i = 0; i < set.count; ++i) {
    const uint8_t *rec = bytes + i * CifarSet::kRecordBytes;
    if (rec[0] > 9)
      return llvm::createStringError(
          std::errc::invalid_argument,
          "CIFAR-10 file '%s': record %lld has label %u (expected 0-9)",
          path.str().c_str(), static_cast<long long>(i),
          static_cast<unsigned>(rec[0]));
    set.labels[i] = rec[0];
    std::memcpy(&set.pixels[i * CifarSet::kImageBytes], rec + 1,
                CifarSet::kImageBytes);
  }
  return set;
}

void vggq::normalizeCifar(const CifarSet &set, int64_t begin, int64_t n,
                          llvm::ArrayRef<float> mean, llvm::ArrayRef<float> std,
                          float *outNHWC) {
  constexpr int64_t kPlane = 32 * 32;
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t *img = &set.pixels[(begin + i) * CifarSet::kImageBytes];
    float *out = outNHWC + i * CifarSet::kImageBytes;
    for (int64_t c = 0; c < 3; ++c) {
      float m = mean.size() > static_cast<size_t>(c) ? mean[c] : 0.0f;
      float s = std.size() > static_cast<size_t>(c) ? std[c] : 1.0f;
      for (int64_t p = 0; p < kPlane; ++p)
        out[p * 3 + c] =
            (static_cast<float>(img[c * kPlane + p]) / 255.0f - m) / s;
    }
  }
}

std::string vggq::sharedDir() {
  if (const char *env = std::getenv("VGGQ_SHARED"))
    if (*env)
      return env;
  return VGGQ_SHARED_DIR;
}
