//===- Safetensors.h - reading safetensors files ----------------*- C++ -*-===//
//
// The safetensors format: an 8-byte little-endian header length, a JSON
// header mapping tensor names to {dtype, shape, data_offsets}, then the data
// (offsets relative to the end of the header).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_IMPORT_SAFETENSORS_H
#define VGGQ_LIB_IMPORT_SAFETENSORS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <vector>

namespace vggq {
namespace import {

/// One tensor of the file; `bytes` points into the mapped file.
struct SafetensorsEntry {
  std::string dtype;
  llvm::SmallVector<int64_t, 4> shape;
  llvm::StringRef bytes;
};

class SafetensorsFile {
public:
  /// Maps `path` and validates the header: every entry has a dtype, a shape
  /// of non-negative sizes and offsets inside the data. Errors name the file
  /// and the tensor.
  static llvm::Expected<SafetensorsFile> open(llvm::StringRef path);

  /// The entry called `name`, or null.
  const SafetensorsEntry *lookup(llvm::StringRef name) const;

  /// The F32 data of `name` with exactly the shape `shape`; errors when it is
  /// missing, of another dtype or of another shape.
  llvm::Expected<std::vector<float>>
  readF32(llvm::StringRef name, llvm::ArrayRef<int64_t> shape) const;

  /// Tensor names, in header order.
  llvm::ArrayRef<std::string> names() const { return order; }
  llvm::StringRef path() const { return filePath; }

private:
  std::string filePath;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  llvm::StringMap<SafetensorsEntry> entries;
  std::vector<std::string> order;
};

} // namespace import
} // namespace vggq

#endif // VGGQ_LIB_IMPORT_SAFETENSORS_H
