//===- NumericsReference.h - APFloat reference conversions ------*- C++ -*-===//
//
// The bit-exact references of DESIGN.md, shared by the default and the
// exhaustive numerics tests.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TEST_UNIT_NUMERICSREFERENCE_H
#define VGGQ_TEST_UNIT_NUMERICSREFERENCE_H

#include "vggq/Precision/Numerics.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vggq {
namespace test {

struct Format {
  const char *name;
  numerics::FP8Format fmt;
  const llvm::fltSemantics *sem;
  int expectedNaNCodes;
};

inline std::vector<Format> fp8Formats() {
  return {{"E4M3FN", numerics::kE4M3FN, &llvm::APFloat::Float8E4M3FN(), 2},
          {"E5M2", numerics::kE5M2, &llvm::APFloat::Float8E5M2(), 6}};
}

/// APFloat after clamping to +-max (APFloat alone gives NaN/inf on overflow).
inline uint8_t refEncode(float x, const Format &f) {
  if (!std::isnan(x))
    x = std::clamp(x, -f.fmt.maxFinite, f.fmt.maxFinite);
  llvm::APFloat v(x);
  bool losesInfo;
  v.convert(*f.sem, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint8_t>(v.bitcastToAPInt().getZExtValue());
}

inline float refDecode(uint8_t code, const llvm::fltSemantics &sem) {
  llvm::APFloat v(sem, llvm::APInt(8, code));
  bool losesInfo;
  v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return v.convertToFloat();
}

/// Round half to even (APFloat), clamp to [-127, 127], NaN -> 0.
inline int8_t refInt8(float x) {
  if (std::isnan(x))
    return 0;
  llvm::APFloat v(x);
  v.roundToIntegral(llvm::APFloat::rmNearestTiesToEven);
  float r = std::clamp(v.convertToFloat(), -127.0f, 127.0f);
  return static_cast<int8_t>(r);
}

} // namespace test
} // namespace vggq

#endif // VGGQ_TEST_UNIT_NUMERICSREFERENCE_H
