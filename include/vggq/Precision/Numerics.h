//===- Numerics.h - bit-exact host conversions of every format --*- C++ -*-===//
//
// Host-side conversions between f32 and the codes of a format of
// Formats.def (the contract is in dialects/vggq/docs/RationaleVGGQ.md,
// "Element formats and their numerics"):
//  - f32 -> Float formats: round to nearest, ties to even. SATURATE formats
//    (FP8) clamp to +-MAX_FINITE, infinities included (PTX
//    cvt.rn.satfinite); the others (FP16, BF16) overflow to infinity as IEEE
//    and APFloat do. NaN stays NaN: IEEE formats keep the payload's top bits
//    and set the quiet bit, AllOnes formats give their one NaN code.
//    Bit-exact with llvm::APFloat::convert(rmNearestTiesToEven), applied
//    after clamping to +-max for SATURATE formats.
//  - f32 -> Int formats: round half to even, clamp to [-MAX, MAX]; NaN -> 0
//    (PTX cvt.rni.sat).
//  - code -> f32: exact for every format.
// Codes are held in a uint32_t (the low BITS bits); in memory a code takes
// BYTES little-endian bytes. No MLIR or LLVM dependency: the CUDA runtime
// and the tests use it as is.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PRECISION_NUMERICS_H
#define VGGQ_PRECISION_NUMERICS_H

#include "vggq/Precision/Format.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace vggq {
namespace numerics {

using format::Format;

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

/// Special codes of a Float format (magnitudes, sign bit clear).
struct FloatCodes {
  uint32_t signBit, maxCode, nanCode, infCode; ///< infCode 0: no infinity
};
inline FloatCodes floatCodes(const Format &f) {
  uint32_t expAll = (1u << f.expBits) - 1, fracAll = (1u << f.manBits) - 1;
  FloatCodes c;
  c.signBit = 1u << (f.bits - 1);
  if (f.nan == format::NaNStyle::AllOnes) {
    c.maxCode = (expAll << f.manBits) | (fracAll - 1);
    c.nanCode = (expAll << f.manBits) | fracAll;
    c.infCode = 0;
  } else {
    c.maxCode = ((expAll - 1) << f.manBits) | fracAll;
    c.nanCode = (expAll << f.manBits) | (1u << (f.manBits - 1));
    c.infCode = expAll << f.manBits;
  }
  return c;
}

/// f32 -> code of a Float format (see the file comment).
inline uint32_t encodeFloat(float x, const Format &f) {
  const FloatCodes c = floatCodes(f);
  const int m = f.manBits, minExp = 1 - f.bias();
  uint32_t u = bitsOf(x);
  uint32_t sign = (u >> 31) ? c.signBit : 0;
  u &= 0x7FFFFFFFu;
  if (u > 0x7F800000u) { // NaN: quiet, keeping the payload bits that fit
    uint32_t payload = 0;
    if (f.nan == format::NaNStyle::IEEE)
      payload = (u >> (23 - m)) & ((1u << (m - 1)) - 1u);
    return sign | c.nanCode | payload;
  }
  if (f.saturate && u >= bitsOf(static_cast<float>(f.maxFinite)))
    return sign | c.maxCode; // infinity included
  int exp = static_cast<int>(u >> 23) - 127;
  if (exp < minExp) {
    // Subnormal (or zero) in the format: count quanta of 2^(minExp - m).
    // The scaling by a power of two is exact; nearbyint rounds half to even;
    // n == 2^m is the smallest normal, whose code is exactly n.
    float t = std::ldexp(floatOf(u), m - minExp);
    return sign | static_cast<uint32_t>(std::nearbyint(t));
  }
  // Normal: round the 23-bit fraction to m bits, ties to even; a carry moves
  // into the exponent field as it should.
  int shift = 23 - m;
  uint32_t lsb = (u >> shift) & 1u;
  uint32_t r = (u + ((1u << (shift - 1)) - 1u) + lsb) >> shift;
  uint32_t code = r - (static_cast<uint32_t>(127 - f.bias()) << m);
  if (code > c.maxCode) // overflow (not SATURATE; codes grow with u)
    return sign | (c.infCode ? c.infCode : c.nanCode);
  return sign | code;
}

/// Code of a Float format -> f32 (exact).
inline float decodeFloat(uint32_t code, const Format &f) {
  const FloatCodes c = floatCodes(f);
  const int m = f.manBits;
  uint32_t sign = (code & c.signBit) ? 0x80000000u : 0u;
  uint32_t mag = code & (c.signBit - 1);
  uint32_t expField = mag >> m, frac = mag & ((1u << m) - 1);
  if (f.nan == format::NaNStyle::AllOnes && mag == c.nanCode)
    return floatOf(sign | 0x7FC00000u);
  if (f.nan == format::NaNStyle::IEEE && expField == (1u << f.expBits) - 1)
    return floatOf(sign | 0x7F800000u | (frac << (23 - m))); // inf or NaN
  if (expField == 0) {
    float v = std::ldexp(static_cast<float>(frac), 1 - f.bias() - m);
    return sign ? -v : v;
  }
  uint32_t e32 =
      static_cast<uint32_t>(static_cast<int>(expField) - f.bias() + 127);
  return floatOf(sign | (e32 << 23) | (frac << (23 - m)));
}

/// f32 -> code of an Int format: round half to even, clamp, NaN -> 0.
inline uint32_t encodeInt(float x, const Format &f) {
  uint32_t mask = f.bits >= 32 ? 0xFFFFFFFFu : (1u << f.bits) - 1;
  if (std::isnan(x))
    return 0;
  float lim = static_cast<float>(f.maxFinite);
  float r = x >= lim ? lim : x <= -lim ? -lim : std::nearbyint(x);
  return static_cast<uint32_t>(static_cast<int32_t>(r)) & mask;
}

/// Code of an Int format -> f32 (sign-extended).
inline float decodeInt(uint32_t code, const Format &f) {
  int32_t v = static_cast<int32_t>(code << (32 - f.bits)) >> (32 - f.bits);
  return static_cast<float>(v);
}

/// f32 -> code of any format.
inline uint32_t encode(float x, const Format &f) {
  switch (f.kind) {
  case format::Kind::F32:
    return bitsOf(x);
  case format::Kind::Float:
    return encodeFloat(x, f);
  case format::Kind::Int:
    return encodeInt(x, f);
  }
  return 0;
}
/// Code of any format -> f32.
inline float decode(uint32_t code, const Format &f) {
  switch (f.kind) {
  case format::Kind::F32:
    return floatOf(code);
  case format::Kind::Float:
    return decodeFloat(code, f);
  case format::Kind::Int:
    return decodeInt(code, f);
  }
  return 0.0f;
}

/// Code `i` of a buffer of `bytes`-byte little-endian codes.
inline uint32_t loadCode(const void *data, size_t i, unsigned bytes) {
  const auto *p = static_cast<const uint8_t *>(data) + i * bytes;
  uint32_t c = 0;
  for (unsigned b = 0; b < bytes; ++b)
    c |= static_cast<uint32_t>(p[b]) << (8 * b);
  return c;
}
inline void storeCode(void *data, size_t i, unsigned bytes, uint32_t code) {
  auto *p = static_cast<uint8_t *>(data) + i * bytes;
  for (unsigned b = 0; b < bytes; ++b)
    p[b] = static_cast<uint8_t>(code >> (8 * b));
}

/// out[i] = code of in[i] / scale, for n elements (out: n * f.bytes()).
inline void encodeSpan(const Format &f, const float *in, size_t n, void *out,
                       float scale = 1.0f) {
  for (size_t i = 0; i < n; ++i)
    storeCode(out, i, f.bytes(), encode(in[i] / scale, f));
}
/// out[i] = decode(code i) * scale, for n elements.
inline void decodeSpan(const Format &f, const void *in, size_t n, float *out,
                       float scale = 1.0f) {
  for (size_t i = 0; i < n; ++i)
    out[i] = decode(loadCode(in, i, f.bytes()), f) * scale;
}

// The formats the runtime and the tests name directly.
inline uint8_t floatToE4M3(float x) {
  return static_cast<uint8_t>(encode(x, format::get(format::FormatId::E4M3)));
}
inline uint8_t floatToE5M2(float x) {
  return static_cast<uint8_t>(encode(x, format::get(format::FormatId::E5M2)));
}
inline float e4m3ToFloat(uint8_t c) {
  return decode(c, format::get(format::FormatId::E4M3));
}
inline float e5m2ToFloat(uint8_t c) {
  return decode(c, format::get(format::FormatId::E5M2));
}
inline int8_t floatToInt8(float x) {
  return static_cast<int8_t>(encode(x, format::get(format::FormatId::S8)));
}

} // namespace numerics
} // namespace vggq

#endif // VGGQ_PRECISION_NUMERICS_H
