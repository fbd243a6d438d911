//===- Cifar.cpp - CIFAR-10 binary reader (MLIR-free) -----------------------===//
#include "Cifar.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace vggq::rt;

bool vggq::rt::readCifar(const std::string &path, long limit, CifarImages &out,
                         std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open CIFAR-10 file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (size <= 0 || size % long(CifarImages::kRecordBytes) != 0) {
    std::fclose(f);
    error = "'" + path + "' is not CIFAR-10 binary: " + std::to_string(size) +
            " bytes is not a positive multiple of 3073 (1 label + 3072 pixels)";
    return false;
  }
  size_t records = size_t(size) / CifarImages::kRecordBytes;
  if (limit >= 0 && size_t(limit) < records)
    records = size_t(limit);
  out = CifarImages();
  out.count = records;
  out.labels.resize(records);
  out.pixels.resize(records * CifarImages::kImageBytes);
  std::vector<uint8_t> record(CifarImages::kRecordBytes);
  for (size_t i = 0; i < records; ++i) {
    if (std::fread(record.data(), 1, record.size(), f) != record.size()) {
      std::fclose(f);
      error = "short read in '" + path + "' at record " + std::to_string(i);
      return false;
    }
    if (record[0] > 9) {
      std::fclose(f);
      error = "'" + path + "': record " + std::to_string(i) + " has label " +
              std::to_string(record[0]) + " (CIFAR-10 labels are 0-9)";
      return false;
    }
    out.labels[i] = record[0];
    std::memcpy(&out.pixels[i * CifarImages::kImageBytes], &record[1],
                CifarImages::kImageBytes);
  }
  std::fclose(f);
  return true;
}

void vggq::rt::normalizeCifar(const CifarImages &set, size_t begin, size_t n,
                              const float *mean, const float *std,
                              float *out) {
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *img = &set.pixels[(begin + i) * CifarImages::kImageBytes];
    for (size_t p = 0; p < 1024; ++p)
      for (size_t c = 0; c < 3; ++c)
        out[(i * 1024 + p) * 3 + c] =
            (img[c * 1024 + p] / 255.0f - mean[c]) / std[c];
  }
}
