//===- Dtype.cpp - plan element types ---------------------------------------===//
//
// Names, sizes and decoding of the plan's element types. FP8 decoding comes
// from the project's bit-exact numerics (include/vggq/Precision/Numerics.h).
//
//===----------------------------------------------------------------------===//
#include "Plan.h"

#include "vggq/Precision/Numerics.h"

#include <cstring>

using namespace vggq::rt;

const char *vggq::rt::dtypeName(Dtype d) {
  switch (d) {
  case Dtype::F32: return "f32";
  case Dtype::S32: return "s32";
  case Dtype::E4M3: return "e4m3";
  case Dtype::E5M2: return "e5m2";
  case Dtype::S8: return "s8";
  }
  return "?";
}

unsigned vggq::rt::dtypeSize(Dtype d) {
  return d == Dtype::F32 || d == Dtype::S32 ? 4 : 1;
}

bool vggq::rt::parseDtype(const std::string &name, Dtype &out) {
  for (Dtype d : {Dtype::F32, Dtype::S32, Dtype::E4M3, Dtype::E5M2, Dtype::S8})
    if (name == dtypeName(d)) {
      out = d;
      return true;
    }
  return false;
}

double vggq::rt::decodeElement(Dtype d, const void *data, size_t i,
                               float scale) {
  const auto *bytes = static_cast<const uint8_t *>(data);
  switch (d) {
  case Dtype::F32: {
    float f;
    std::memcpy(&f, bytes + 4 * i, 4);
    return f;
  }
  case Dtype::S32: {
    int32_t v;
    std::memcpy(&v, bytes + 4 * i, 4);
    return double(v) * scale;
  }
  case Dtype::E4M3: return double(numerics::e4m3ToFloat(bytes[i])) * scale;
  case Dtype::E5M2: return double(numerics::e5m2ToFloat(bytes[i])) * scale;
  case Dtype::S8: return double(static_cast<int8_t>(bytes[i])) * scale;
  }
  return 0;
}
