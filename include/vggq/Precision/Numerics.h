//===- Numerics.h - bit-exact FP8 / INT8 conversions ------------*- C++ -*-===//
//
// Host-side conversions that follow DESIGN.md's numerics contract:
//  - f32 -> FP8 (E4M3FN, E5M2): round to nearest, ties to even, saturate to
//    the largest finite value (as PTX cvt.rn.satfinite); NaN stays NaN.
//    Bit-exact with llvm::APFloat::convert(rmNearestTiesToEven) applied after
//    clamping the input to +-max.
//  - f32 -> INT8: round half to even, clamp to [-127, 127]; NaN -> 0 (as PTX
//    cvt.rni.sat.s8.f32).
// No MLIR or LLVM dependency: the CUDA runtime and the tests use it as is.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PRECISION_NUMERICS_H
#define VGGQ_PRECISION_NUMERICS_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace vggq {
namespace numerics {

/// Layout of an 8-bit float format.
struct FP8Format {
  int mantissaBits;  ///< stored fraction bits
  int exponentBias;  ///< IEEE-style bias
  int minExponent;   ///< unbiased exponent of the smallest normal
  float maxFinite;   ///< largest finite value
  uint8_t maxCode;   ///< code of +maxFinite
  uint8_t nanCode;   ///< code of the canonical (positive) quiet NaN
  bool ieeeNaN;      ///< IEEE-style NaNs with a payload (E5M2), as APFloat keeps it
};

inline constexpr FP8Format kE4M3FN{3, 7, -6, 448.0f, 0x7E, 0x7F, false};
inline constexpr FP8Format kE5M2{2, 15, -14, 57344.0f, 0x7B, 0x7E, true};

inline uint32_t bitsOf(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float floatOf(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

/// f32 -> FP8 code, round to nearest even, saturating, NaN -> NaN.
inline uint8_t floatToFP8(float x, const FP8Format &f) {
  uint32_t u = bitsOf(x);
  uint8_t sign = static_cast<uint8_t>((u >> 24) & 0x80);
  u &= 0x7FFFFFFFu;
  if (u > 0x7F800000u) { // NaN: quiet, keeping the payload bits that fit
    uint8_t payload = 0;
    if (f.ieeeNaN)
      payload = static_cast<uint8_t>((u >> (23 - f.mantissaBits)) &
                                     ((1u << (f.mantissaBits - 1)) - 1u));
    return static_cast<uint8_t>(sign | f.nanCode | payload);
  }
  if (u >= bitsOf(f.maxFinite)) // saturate (infinity included)
    return static_cast<uint8_t>(sign | f.maxCode);
  int exp = static_cast<int>(u >> 23) - 127;
  if (exp < f.minExponent) {
    // FP8 subnormal (or zero): count quanta of 2^(minExponent - M). The
    // scaling by a power of two is exact; nearbyint rounds half to even.
    float a = floatOf(u);
    float t = std::ldexp(a, f.mantissaBits - f.minExponent);
    // n == 2^M is the smallest normal, whose code is exactly n.
    return static_cast<uint8_t>(sign | static_cast<uint8_t>(std::nearbyint(t)));
  }
  // Normal: round the 23-bit fraction to M bits, ties to even; a carry moves
  // into the exponent field as it should.
  int shift = 23 - f.mantissaBits;
  uint32_t lsb = (u >> shift) & 1u;
  uint32_t r = (u + ((1u << (shift - 1)) - 1u) + lsb) >> shift;
  uint32_t code = r - (static_cast<uint32_t>(127 - f.exponentBias) << f.mantissaBits);
  return static_cast<uint8_t>(sign | code);
}

/// FP8 code -> f32 (exact).
inline float fp8ToFloat(uint8_t code, const FP8Format &f) {
  bool neg = code & 0x80;
  uint8_t mag = code & 0x7F;
  if (!f.ieeeNaN && mag == f.nanCode)
    return neg ? -NAN : NAN;
  if (f.ieeeNaN && (mag >> f.mantissaBits) == (0x7F >> f.mantissaBits)) {
    if (mag & ((1 << f.mantissaBits) - 1)) // all-ones exponent: NaN or inf
      return neg ? -NAN : NAN;
    return neg ? -INFINITY : INFINITY;
  }
  int expField = mag >> f.mantissaBits;
  int frac = mag & ((1 << f.mantissaBits) - 1);
  float v;
  if (expField == 0)
    v = std::ldexp(static_cast<float>(frac), f.minExponent - f.mantissaBits);
  else
    v = std::ldexp(1.0f + std::ldexp(static_cast<float>(frac), -f.mantissaBits),
                   expField - f.exponentBias);
  return neg ? -v : v;
}

inline uint8_t floatToE4M3(float x) { return floatToFP8(x, kE4M3FN); }
inline uint8_t floatToE5M2(float x) { return floatToFP8(x, kE5M2); }
inline float e4m3ToFloat(uint8_t c) { return fp8ToFloat(c, kE4M3FN); }
inline float e5m2ToFloat(uint8_t c) { return fp8ToFloat(c, kE5M2); }

/// f32 -> INT8: round half to even, clamp to [-127, 127], NaN -> 0.
inline int8_t floatToInt8(float x) {
  if (std::isnan(x))
    return 0;
  if (x >= 127.0f)
    return 127;
  if (x <= -127.0f)
    return -127;
  return static_cast<int8_t>(std::nearbyint(x));
}

} // namespace numerics
} // namespace vggq

#endif // VGGQ_PRECISION_NUMERICS_H
