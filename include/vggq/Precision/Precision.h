//===- Precision.h - the precision registry ---------------------*- C++ -*-===//
//
// One table describes every precision vggq knows: its storage type, range,
// rounding, host conversions, the MMA instruction that implements it and the
// minimum GPU architecture. Passes, verifiers, the reference executor and the
// GPU lowering ask this registry; adding a precision is one entry here (plus
// its kernels and tests), not edits scattered through the passes.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PRECISION_PRECISION_H
#define VGGQ_PRECISION_PRECISION_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace vggq {

enum class PrecisionKind { FP32, FP8E4M3, FP8E5M2, INT8 };

/// The tensor-core instruction used for a precision's GEMMs.
struct MmaDesc {
  unsigned m, n, k;           ///< mma.sync shape (0 = CUDA cores, no MMA)
  const char *ptxInputType;   ///< PTX multiplicand type: "e4m3", "s8", ...
  const char *ptxAccumType;   ///< "f32" or "s32"
  unsigned minSM;             ///< first architecture with this instruction
  unsigned minPtxVersion;     ///< e.g. 84 for PTX ISA 8.4
};

struct Precision {
  PrecisionKind kind;
  llvm::StringLiteral name;     ///< pass-option spelling: "fp8e4m3"
  llvm::StringLiteral display;  ///< table spelling: "FP8-E4M3"
  unsigned storageBits;
  bool isFloat;
  bool quantized;               ///< false only for the FP32 baseline
  double maxFinite;             ///< largest representable magnitude
  llvm::StringLiteral rounding; ///< "nearest-even"
  bool saturating;              ///< overflow clamps to +-maxFinite
  llvm::StringLiteral ptxConvert; ///< the epilogue conversion instruction
  MmaDesc mma;
  mlir::Type (*storageType)(mlir::MLIRContext *);
  mlir::Type (*accumulatorType)(mlir::MLIRContext *);
  /// Host conversion of a value already divided by its scale to a storage
  /// code, and back (quantized precisions only).
  uint8_t (*encode)(float);
  float (*decode)(uint8_t);

  bool isInteger() const { return !isFloat; }
  /// scale = amax / maxFinite (DESIGN.md). amax must be finite and > 0.
  float scaleForAmax(float amax) const {
    return static_cast<float>(amax / maxFinite);
  }
};

/// Every registered precision, FP32 first.
llvm::ArrayRef<Precision> getPrecisions();
/// By option name ("fp32", "fp8e4m3", "fp8e5m2", "int8"); nullptr if unknown.
const Precision *lookupPrecision(llvm::StringRef name);
/// By storage element type (f32, f8E4M3FN, f8E5M2, i8); nullptr if unknown.
const Precision *lookupPrecision(mlir::Type elementType);
/// True for the element type of a quantized precision's storage.
bool isQuantStorageType(mlir::Type type);
/// Comma-separated names of all precisions, for diagnostics and --help.
std::string precisionNames(bool quantizedOnly = false);

} // namespace vggq

#endif // VGGQ_PRECISION_PRECISION_H
