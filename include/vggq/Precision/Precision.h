//===- Precision.h - the precision registry ---------------------*- C++ -*-===//
//
// The compiler's view of the element formats of Formats.def: each format
// with its MLIR storage and accumulator types. Passes, verifiers, the
// reference executor and the GPU lowering ask this registry; adding a
// precision is one record in Formats.def (plus its tests), not edits
// scattered through the passes.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PRECISION_PRECISION_H
#define VGGQ_PRECISION_PRECISION_H

#include "vggq/Precision/Format.h"
#include "vggq/Precision/Numerics.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace vggq {

/// A format of Formats.def as the compiler uses it.
struct Precision : format::Format {
  /// The builtin storage element type (MLIR_TYPE).
  mlir::Type storageType(mlir::MLIRContext *ctx) const;
  /// f32 or i32 (ACC).
  mlir::Type accumulatorType(mlir::MLIRContext *ctx) const;

  /// Host conversion of a value already divided by its scale to a code, and
  /// back (Numerics.h).
  uint32_t encode(float x) const { return numerics::encode(x, *this); }
  float decode(uint32_t code) const { return numerics::decode(code, *this); }

  /// The scale of a tensor whose largest magnitude is `amax` (finite, > 0):
  /// amax / MAX_FINITE for CALIBRATED formats, else 1.
  float scaleForAmax(float amax) const {
    return calibrated ? static_cast<float>(amax / maxFinite) : 1.0f;
  }
  /// Whether chip sm_<sm> has this format's MMA and conversions.
  bool runsOn(unsigned sm) const { return sm >= minSM; }
  /// The MMA intrinsic for A operands of this format and B of `b`.
  std::string mmaIntrinsic(const Precision &b) const;
};

/// Every registered precision, in Formats.def order (FP32 first).
llvm::ArrayRef<Precision> getPrecisions();
/// By option name ("fp32", "fp8e4m3", ...); nullptr if unknown.
const Precision *lookupPrecision(llvm::StringRef name);
/// By storage element type (f32, f8E4M3FN, ...); nullptr if unknown.
const Precision *lookupPrecision(mlir::Type elementType);
/// True for the element type of a quantized precision's storage.
bool isQuantStorageType(mlir::Type type);
/// Comma-separated names of all precisions, for diagnostics and --help.
std::string precisionNames(bool quantizedOnly = false);

} // namespace vggq

#endif // VGGQ_PRECISION_PRECISION_H
