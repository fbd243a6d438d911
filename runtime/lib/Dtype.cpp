//===- Dtype.cpp - plan element types
//---------------------------------------===//
//
// Names, sizes and decoding of the plan's element types, all from the format
// table (include/vggq/Precision/Formats.def) and its bit-exact numerics.
//
//===----------------------------------------------------------------------===//
#include "Plan.h"

#include "vggq/Precision/Numerics.h"

#include <cstring>

using namespace vggq;
using namespace vggq::rt;

const format::Format *vggq::rt::dtypeFormat(Dtype d) {
  return d == Dtype::S32 ? nullptr : format::byCode(static_cast<unsigned>(d));
}

const char *vggq::rt::dtypeName(Dtype d) {
  const format::Format *f = dtypeFormat(d);
  return f ? f->rtName : d == Dtype::S32 ? "s32" : "?";
}

unsigned vggq::rt::dtypeSize(Dtype d) {
  const format::Format *f = dtypeFormat(d);
  return f ? f->bytes() : 4;
}

bool vggq::rt::parseDtype(const std::string &name, Dtype &out) {
  if (name == "s32") {
    out = Dtype::S32;
    return true;
  }
  const format::Format *f = format::byRtName(name.c_str());
  if (!f)
    return false;
  out = static_cast<Dtype>(f->code);
  return true;
}

bool vggq::rt::dtypeFromCode(unsigned code, Dtype &out) {
  if (code != static_cast<unsigned>(Dtype::S32) && !format::byCode(code))
    return false;
  out = static_cast<Dtype>(code);
  return true;
}

double vggq::rt::decodeElement(Dtype d, const void *data, size_t i,
                               float scale) {
  const format::Format *f = dtypeFormat(d);
  if (!f) {
    int32_t v;
    std::memcpy(&v, static_cast<const uint8_t *>(data) + 4 * i, 4);
    return double(v) * scale;
  }
  float v = numerics::decode(numerics::loadCode(data, i, f->bytes()), *f);
  return f->quantized() ? double(v) * scale : double(v);
}

std::string vggq::rt::dtypeNames() {
  std::string s = "s32";
  for (const format::Format &f : format::kFormats)
    s += std::string(", ") + f.rtName;
  return s;
}
