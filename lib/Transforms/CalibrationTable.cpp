//===- CalibrationTable.cpp - the JSON calibration table --------*- C++ -*-===//
//
// Reads and writes the versioned calibration table of --vggq-calibrate.
// Every error names the file and the offending key.
//
//===----------------------------------------------------------------------===//
#include "vggq/Transforms/Calibration.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace vggq;
using namespace vggq::calib;

namespace {

constexpr llvm::StringLiteral kFormat = "vggq-calibration";

llvm::Error tableError(llvm::StringRef path, const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "calibration table '" + path + "': " + msg);
}

/// A finite number at `key` of `obj`, or an error naming `where`.
llvm::Expected<float> getNumber(llvm::StringRef path, const llvm::json::Object &obj,
                                llvm::StringRef key, const llvm::Twine &where) {
  std::optional<double> v = obj.getNumber(key);
  if (!v || !std::isfinite(*v))
    return tableError(path, where + ": '" + key + "' must be a finite number");
  // The table holds f32 values: 1e300 is finite as a double, infinite here.
  if (!std::isfinite(static_cast<float>(*v)))
    return tableError(path, where + ": '" + key + "' = " +
                                llvm::formatv("{0:e}", *v).str() +
                                " is outside the float32 range");
  return static_cast<float>(*v);
}

} // namespace

llvm::Error calib::writeCalibrationTable(llvm::StringRef path,
                                         const CalibrationTable &table) {
  llvm::json::Object layers;
  for (const LayerStats &l : table.layers)
    layers[l.name] = llvm::json::Object{
        {"amax", l.amax}, {"min", l.min}, {"max", l.max}};
  llvm::json::Value root = llvm::json::Object{
      {"format", kFormat},
      {"version", CalibrationTable::kVersion},
      {"method", table.method},
      {"precision", table.precision},
      {"samples", table.samples},
      {"layers", std::move(layers)}};
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return tableError(path, "cannot write: " + ec.message());
  os << llvm::formatv("{0:2}", root) << "\n";
  return llvm::Error::success();
}

llvm::Expected<CalibrationTable> calib::readCalibrationTable(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return tableError(path, "cannot read: " + buf.getError().message());
  llvm::Expected<llvm::json::Value> root = llvm::json::parse((*buf)->getBuffer());
  if (!root)
    return tableError(path, "malformed JSON: " + llvm::toString(root.takeError()));
  const llvm::json::Object *obj = root->getAsObject();
  if (!obj)
    return tableError(path, "the top level must be a JSON object");
  std::optional<llvm::StringRef> format = obj->getString("format");
  if (!format || *format != kFormat)
    return tableError(path, "'format' must be \"" + kFormat + "\"");
  std::optional<int64_t> version = obj->getInteger("version");
  if (!version)
    return tableError(path, "'version' must be an integer");
  if (*version != CalibrationTable::kVersion)
    return tableError(path, "unsupported 'version' " + llvm::Twine(*version) +
                                " (this vggq reads version " +
                                llvm::Twine(CalibrationTable::kVersion) + ")");
  CalibrationTable table;
  if (std::optional<llvm::StringRef> m = obj->getString("method"))
    table.method = m->str();
  else
    return tableError(path, "'method' must be a string");
  if (std::optional<llvm::StringRef> p = obj->getString("precision"))
    table.precision = p->str();
  table.samples = obj->getInteger("samples").value_or(0);
  const llvm::json::Object *layers = obj->getObject("layers");
  if (!layers)
    return tableError(path, "'layers' must be an object");
  for (const auto &[key, value] : *layers) {
    const llvm::json::Object *l = value.getAsObject();
    if (!l)
      return tableError(path, "layer '" + key.str() + "' must be an object");
    LayerStats s;
    s.name = key.str();
    for (auto [field, dest] : {std::pair<llvm::StringRef, float *>{"amax", &s.amax},
                               {"min", &s.min},
                               {"max", &s.max}}) {
      llvm::Expected<float> v =
          getNumber(path, *l, field, "layer '" + key.str() + "'");
      if (!v)
        return v.takeError();
      *dest = *v;
    }
    if (!(s.amax > 0.0f))
      return tableError(path, "layer '" + key.str() + "': 'amax' must be > 0");
    table.layers.push_back(std::move(s));
  }
  // JSON objects are unordered; keep the table deterministic.
  llvm::sort(table.layers, [](const LayerStats &a, const LayerStats &b) {
    return a.name < b.name;
  });
  return table;
}
