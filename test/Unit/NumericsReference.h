//===- NumericsReference.h - APFloat reference conversions ------*- C++ -*-===//
//
// The bit-exact references of the numerics contract, shared by the default
// and the exhaustive numerics tests, for every float format of Formats.def:
// APFloat with round-to-nearest-even, after clamping to +-max for SATURATE
// formats. The APFloat semantics of a format come from its MLIR storage
// type, so a new format is covered without editing the tests.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TEST_UNIT_NUMERICSREFERENCE_H
#define VGGQ_TEST_UNIT_NUMERICSREFERENCE_H

#include "vggq/Precision/Numerics.h"
#include "vggq/Precision/Precision.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace vggq {
namespace test {

struct FloatFormat {
  std::string name;
  const Precision *p;
  const llvm::fltSemantics *sem;
};

/// Every Float-kind precision of the registry with its APFloat semantics.
inline std::vector<FloatFormat> floatFormats() {
  static mlir::MLIRContext ctx;
  std::vector<FloatFormat> out;
  for (const Precision &p : getPrecisions()) {
    if (p.kind != format::Kind::Float)
      continue;
    auto ft = mlir::cast<mlir::FloatType>(p.storageType(&ctx));
    out.push_back({p.id, &p, &ft.getFloatSemantics()});
  }
  return out;
}

/// Every Int-kind precision of the registry.
inline std::vector<const Precision *> intFormats() {
  std::vector<const Precision *> out;
  for (const Precision &p : getPrecisions())
    if (p.kind == format::Kind::Int)
      out.push_back(&p);
  return out;
}

inline uint32_t refEncode(float x, const FloatFormat &f) {
  if (f.p->saturate && !std::isnan(x)) {
    float m = static_cast<float>(f.p->maxFinite);
    x = std::clamp(x, -m, m);
  }
  llvm::APFloat v(x);
  bool losesInfo;
  v.convert(*f.sem, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint32_t>(v.bitcastToAPInt().getZExtValue());
}

inline float refDecode(uint32_t code, const FloatFormat &f) {
  llvm::APFloat v(*f.sem, llvm::APInt(f.p->bits, code));
  bool losesInfo;
  v.convert(llvm::APFloat::IEEEsingle(), llvm::APFloat::rmNearestTiesToEven,
            &losesInfo);
  return v.convertToFloat();
}

/// Round half to even (APFloat), clamp to [-max, max], NaN -> 0.
inline int32_t refInt(float x, const Precision &p) {
  if (std::isnan(x))
    return 0;
  llvm::APFloat v(x);
  v.roundToIntegral(llvm::APFloat::rmNearestTiesToEven);
  float m = static_cast<float>(p.maxFinite);
  return static_cast<int32_t>(std::clamp(v.convertToFloat(), -m, m));
}

/// The code an Int format stores for the integer v.
inline uint32_t intCode(int32_t v, const Precision &p) {
  return static_cast<uint32_t>(v) & ((1u << p.bits) - 1);
}

} // namespace test
} // namespace vggq

#endif // VGGQ_TEST_UNIT_NUMERICSREFERENCE_H
