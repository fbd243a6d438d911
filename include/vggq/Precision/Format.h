//===- Format.h - the element format table ----------------------*- C++ -*-===//
//
// format::kFormats is Formats.def as a constexpr table. No MLIR or LLVM
// dependency: the compiler's registry (Precision.h), the host numerics
// (Numerics.h) and the CUDA runtime all read it.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_PRECISION_FORMAT_H
#define VGGQ_PRECISION_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vggq {
namespace format {

/// How a format's bits encode a value.
enum class Kind { F32, Float, Int };
/// Which codes of a Float format are NaN (and whether it has infinities).
enum class NaNStyle { IEEE, AllOnes, NoNaN };

/// The mma.sync instruction of a format (m == 0: CUDA cores, no MMA).
struct Mma {
  unsigned m, n, k;
  const char *ptxType;   ///< PTX multiplicand type: "e4m3", "s8", "f16"
  const char *accType;   ///< "f32" or "s32"
  const char *intrinsic; ///< LLVM intrinsic; {a}/{b}: the operands' ptxType
  const char *fragment;  ///< LLVM type of an A/B register: "i32", "v2f16"
};

struct Format {
  const char *id;       ///< the record's ID
  const char *name;     ///< options, files, tables: "fp8e4m3"
  const char *display;  ///< tables and remarks: "FP8-E4M3"
  const char *mlirType; ///< builtin storage type: "f8E4M3FN"
  const char *rtName;   ///< runtime dtype: "e4m3"
  unsigned code;        ///< runtime dtype code = reference-dump code
  Kind kind;
  unsigned bits;
  int expBits, manBits;
  NaNStyle nan;
  bool saturate;
  double maxFinite;
  bool calibrated; ///< scales from statistics (else every scale is 1)
  const char *cvt; ///< epilogue conversion (see Formats.def)
  Mma mma;
  double mmaRate; ///< dense tensor-core rate relative to FP16
  unsigned minSM, minPtx;

  unsigned bytes() const { return (bits + 7) / 8; }
  bool isFloat() const { return kind != Kind::Int; }
  bool isInteger() const { return kind == Kind::Int; }
  /// False only for FP32, the unquantized baseline.
  bool quantized() const { return kind != Kind::F32; }
  bool hasMma() const { return mma.m != 0; }
  /// IEEE-style exponent bias (Float, F32).
  int bias() const { return (1 << (expBits - 1)) - 1; }
};

enum class FormatId : unsigned {
#define VGGQ_FORMAT(ID, ...) ID,
#include "vggq/Precision/Formats.def"
};

inline constexpr Format kFormats[] = {
#define VGGQ_FORMAT(ID, NAME, DISPLAY, MLIR, RT, CODE, KIND, BITS, EB, MB,     \
                    NAN, SAT, MAXF, CAL, CVT, MM, MN, MK, MT, ACC, INTR, FRAG, \
                    RATE, SM, PTX)                                             \
  {#ID,                                                                        \
   NAME,                                                                       \
   DISPLAY,                                                                    \
   MLIR,                                                                       \
   RT,                                                                         \
   CODE,                                                                       \
   Kind::KIND,                                                                 \
   BITS,                                                                       \
   EB,                                                                         \
   MB,                                                                         \
   NaNStyle::NAN,                                                              \
   SAT != 0,                                                                   \
   MAXF,                                                                       \
   CAL != 0,                                                                   \
   CVT,                                                                        \
   {MM, MN, MK, MT, ACC, INTR, FRAG},                                          \
   RATE,                                                                       \
   SM,                                                                         \
   PTX},
#include "vggq/Precision/Formats.def"
};

inline constexpr size_t kNumFormats = sizeof(kFormats) / sizeof(kFormats[0]);

inline const Format &get(FormatId id) {
  return kFormats[static_cast<unsigned>(id)];
}
/// By NAME, RT_NAME or CODE; nullptr if none.
inline const Format *byName(const char *name) {
  for (const Format &f : kFormats)
    if (std::strcmp(f.name, name) == 0)
      return &f;
  return nullptr;
}
inline const Format *byRtName(const char *name) {
  for (const Format &f : kFormats)
    if (std::strcmp(f.rtName, name) == 0)
      return &f;
  return nullptr;
}
inline const Format *byCode(unsigned code) {
  for (const Format &f : kFormats)
    if (f.code == code)
      return &f;
  return nullptr;
}

} // namespace format
} // namespace vggq

#endif // VGGQ_PRECISION_FORMAT_H
