//===- Safetensors.cpp - reading safetensors files ------------------------===//
//
// Parses the header with llvm::json and checks every offset against the file
// size before any data is read, so that truncated or corrupt files give an
// error instead of an out-of-bounds read.
//
//===----------------------------------------------------------------------===//
#include "Safetensors.h"

#include "GraphBuilder.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"

#include <cstring>

using namespace llvm;

namespace vggq {
namespace import {

namespace {
/// Bytes per element of the safetensors dtypes (0 when unknown).
size_t dtypeSize(StringRef dtype) {
  return StringSwitch<size_t>(dtype)
      .Cases({"F64", "I64", "U64"}, 8)
      .Cases({"F32", "I32", "U32"}, 4)
      .Cases({"F16", "BF16", "I16", "U16"}, 2)
      .Cases({"I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}, 1)
      .Default(0);
}

/// Parses one header entry into `entry`; `data` is the data section.
Error parseEntry(StringRef path, StringRef name, const json::Value &value,
                 StringRef data, SafetensorsEntry &entry) {
  const json::Object *obj = value.getAsObject();
  if (!obj)
    return fileError(path,
                     "tensor '" + name + "': header entry is not an object");
  std::optional<StringRef> dtype = obj->getString("dtype");
  const json::Array *shape = obj->getArray("shape");
  const json::Array *offsets = obj->getArray("data_offsets");
  if (!dtype || !shape || !offsets || offsets->size() != 2)
    return fileError(path, "tensor '" + name +
                               "': header entry needs dtype, shape and "
                               "data_offsets [begin, end]");
  entry.dtype = dtype->str();
  uint64_t count = 1;
  for (const json::Value &d : *shape) {
    std::optional<int64_t> size = d.getAsInteger();
    if (!size || *size < 0 || *size > (int64_t(1) << 40))
      return fileError(path, "tensor '" + name + "': invalid shape");
    entry.shape.push_back(*size);
    count *= uint64_t(*size);
    if (count > (uint64_t(1) << 40))
      return fileError(path, "tensor '" + name + "': shape too large");
  }
  std::optional<int64_t> begin = (*offsets)[0].getAsInteger();
  std::optional<int64_t> end = (*offsets)[1].getAsInteger();
  if (!begin || !end || *begin < 0 || *end < *begin ||
      uint64_t(*end) > data.size())
    return fileError(path, "tensor '" + name +
                               "': data_offsets out of range (" +
                               Twine(data.size()) + " data bytes in the file)");
  size_t elementSize = dtypeSize(entry.dtype);
  if (elementSize && count * elementSize != uint64_t(*end - *begin))
    return fileError(path, "tensor '" + name + "': " + Twine(*end - *begin) +
                               " data bytes for shape " +
                               formatShape(entry.shape) + " of " + entry.dtype);
  entry.bytes = data.substr(*begin, *end - *begin);
  return Error::success();
}
} // namespace

Expected<SafetensorsFile> SafetensorsFile::open(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot open: " + buffer.getError().message());
  SafetensorsFile file;
  file.filePath = path.str();
  file.buffer = std::move(*buffer);
  StringRef bytes = file.buffer->getBuffer();
  if (bytes.size() < 8)
    return fileError(path, "truncated safetensors file (" +
                               Twine(bytes.size()) +
                               " bytes, no header length)");
  uint64_t headerSize =
      support::endian::read64le(reinterpret_cast<const void *>(bytes.data()));
  if (headerSize > bytes.size() - 8)
    return fileError(path, "truncated safetensors file: header of " +
                               Twine(headerSize) + " bytes, " +
                               Twine(bytes.size() - 8) + " bytes follow");
  StringRef header = bytes.substr(8, headerSize);
  StringRef data = bytes.substr(8 + headerSize);
  Expected<json::Value> json = json::parse(header);
  if (!json)
    return fileError(path, "invalid safetensors header: " +
                               toString(json.takeError()));
  const json::Object *root = json->getAsObject();
  if (!root)
    return fileError(path, "invalid safetensors header: not a JSON object");
  for (const auto &[key, value] : *root) {
    if (key == "__metadata__")
      continue;
    SafetensorsEntry entry;
    if (Error err = parseEntry(path, key, value, data, entry))
      return std::move(err);
    file.order.push_back(key.str());
    file.entries[key] = std::move(entry);
  }
  // json::Object is unordered; keep a stable, data-ordered listing.
  llvm::sort(file.order, [&](const std::string &a, const std::string &b) {
    return file.entries[a].bytes.data() < file.entries[b].bytes.data() ||
           (file.entries[a].bytes.data() == file.entries[b].bytes.data() &&
            a < b);
  });
  return std::move(file);
}

const SafetensorsEntry *SafetensorsFile::lookup(StringRef name) const {
  auto it = entries.find(name);
  return it == entries.end() ? nullptr : &it->second;
}

Expected<std::vector<float>>
SafetensorsFile::readF32(StringRef name, ArrayRef<int64_t> shape) const {
  const SafetensorsEntry *entry = lookup(name);
  if (!entry)
    return fileError(filePath, "tensor '" + name +
                                   "' is missing (expected shape " +
                                   formatShape(shape) + ")");
  if (entry->dtype != "F32")
    return fileError(filePath, "tensor '" + name + "' has dtype " +
                                   entry->dtype + "; only F32 is supported");
  if (ArrayRef<int64_t>(entry->shape) != shape)
    return fileError(filePath, "tensor '" + name + "' has shape " +
                                   formatShape(entry->shape) + ", expected " +
                                   formatShape(shape));
  std::vector<float> values(entry->bytes.size() / sizeof(float));
  std::memcpy(values.data(), entry->bytes.data(), entry->bytes.size());
  if constexpr (llvm::endianness::native != llvm::endianness::little)
    for (float &v : values)
      v = llvm::bit_cast<float>(support::endian::byte_swap<uint32_t>(
          llvm::bit_cast<uint32_t>(v), llvm::endianness::little));
  return values;
}

} // namespace import
} // namespace vggq
