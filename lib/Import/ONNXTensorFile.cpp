//===- ONNXTensorFile.cpp - tensors from .pb and .npy files ---------------===//
//
// Reads the tensors that vggq-run feeds a model and compares its results
// with: ONNX TensorProto files (ONNX's test data: input_0.pb, output_0.pb)
// and NumPy .npy arrays, turned into a TensorProto for the importer.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "GraphBuilder.h"
#include "ONNXUtils.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace vggq {

namespace {
using import::fileError;

/// Parses a .npy file (format 1.0, 2.0 or 3.0) holding float32 or int64 in
/// C order into `proto`.
llvm::Error parseNpy(llvm::StringRef path, llvm::StringRef bytes,
                     onnx::TensorProto &proto) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fileError(path, "not a .npy file (no \\x93NUMPY magic)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    return fileError(path,
                     "unsupported .npy format version " + llvm::Twine(major));
  }
  if (bytes.size() < offset + headerLen)
    return fileError(path, "truncated .npy header");
  llvm::StringRef header = bytes.substr(offset, headerLen);
  llvm::StringRef data = bytes.substr(offset + headerLen);
  auto field = [&](llvm::StringRef key) -> llvm::StringRef {
    size_t at = header.find("'" + key.str() + "'");
    if (at == llvm::StringRef::npos)
      return "";
    llvm::StringRef rest = header.substr(at + key.size() + 2).ltrim();
    return rest.consume_front(":") ? rest.ltrim() : "";
  };
  llvm::StringRef descr = field("descr");
  int32_t type;
  size_t elemBytes;
  if (descr.starts_with("'<f4'")) {
    type = onnx::TensorProto::FLOAT;
    elemBytes = 4;
  } else if (descr.starts_with("'<i8'")) {
    type = onnx::TensorProto::INT64;
    elemBytes = 8;
  } else {
    return fileError(path, "unsupported .npy dtype " + descr.split(',').first +
                               " (supported: '<f4' float32, '<i8' int64)");
  }
  if (!field("fortran_order").starts_with("False"))
    return fileError(path, "a Fortran-order .npy array is not supported");
  llvm::StringRef shape = field("shape");
  if (!shape.consume_front("("))
    return fileError(path, "the .npy header has no shape");
  shape = shape.split(')').first;
  uint64_t count = 1;
  llvm::SmallVector<llvm::StringRef, 4> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef d : dims) {
    int64_t v;
    if (d.trim().getAsInteger(10, v) || v < 0 || v > (int64_t(1) << 40))
      return fileError(path, "invalid .npy shape (" + shape + ")");
    proto.add_dims(v);
    count *= uint64_t(v);
    if (count > (uint64_t(1) << 40))
      return fileError(path, "the .npy array is too large");
  }
  if (data.size() != count * elemBytes)
    return fileError(path, "the .npy array holds " + llvm::Twine(data.size()) +
                               " data bytes for " + llvm::Twine(count) +
                               " elements of " + llvm::Twine(elemBytes) +
                               " bytes (truncated?)");
  proto.set_data_type(type);
  proto.set_raw_data(data.data(), data.size());
  return llvm::Error::success();
}
} // namespace

llvm::Expected<TensorFile> readTensorFile(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot open: " + buffer.getError().message());
  llvm::StringRef bytes = (*buffer)->getBuffer();
  onnx::TensorProto proto;
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".npy") {
    if (llvm::Error err = parseNpy(path, bytes, proto))
      return std::move(err);
  } else if (ext == ".pb") {
    if (bytes.size() > size_t(INT_MAX) ||
        !proto.ParseFromArray(bytes.data(), int(bytes.size())))
      return fileError(path, "cannot parse as an ONNX TensorProto (truncated "
                             "or not a tensor file)");
  } else {
    return fileError(path, "unknown tensor file extension '" + ext +
                               "' (expected .pb or .npy)");
  }
  TensorFile file;
  file.path = path.str();
  file.name = proto.name();
  file.dataType = import::dataTypeName(proto.data_type());
  file.shape.assign(proto.dims().begin(), proto.dims().end());
  int32_t type = proto.data_type();
  if (type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::INT64) {
    // decodeTensor checks the element count against the shape.
    llvm::Expected<import::HostTensor> host = import::decodeTensor(proto);
    if (!host)
      return fileError(path, llvm::toString(host.takeError()));
    file.f32 = host->isInt ? std::vector<float>(host->i64.begin(),
                                                host->i64.end())
                           : std::move(host->f32);
  } else if (type == onnx::TensorProto::INT8 ||
             type == onnx::TensorProto::UINT8 ||
             type == onnx::TensorProto::INT32) {
    // The values, for comparisons (quantized codes, integer results):
    // raw little-endian bytes, or one int32_data entry per element.
    uint64_t count = 1;
    for (int64_t d : file.shape)
      count *= uint64_t(std::max<int64_t>(d, 0));
    size_t bytes = type == onnx::TensorProto::INT32 ? 4 : 1;
    const std::string &raw = proto.raw_data();
    if (!raw.empty() ? raw.size() != count * bytes
                     : uint64_t(proto.int32_data_size()) != count)
      return fileError(path, "holds " +
                                 llvm::Twine(raw.empty()
                                                 ? proto.int32_data_size()
                                                 : raw.size() / bytes) +
                                 " values for " + llvm::Twine(count) +
                                 " elements (truncated?)");
    for (uint64_t i = 0; i < count; ++i) {
      int64_t v;
      if (raw.empty())
        v = proto.int32_data(int(i));
      else if (type == onnx::TensorProto::INT32) {
        int32_t w;
        std::memcpy(&w, raw.data() + 4 * i, 4);
        v = w;
      } else if (type == onnx::TensorProto::INT8)
        v = int8_t(raw[i]);
      else
        v = uint8_t(raw[i]);
      file.f32.push_back(float(v));
    }
  }
  file.proto = proto.SerializeAsString();
  return file;
}

} // namespace vggq
