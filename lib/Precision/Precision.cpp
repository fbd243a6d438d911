//===- Precision.cpp - the precision registry -------------------*- C++ -*-===//
#include "vggq/Precision/Precision.h"
#include "vggq/Precision/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace vggq;

namespace {
uint8_t encodeE4M3(float x) { return numerics::floatToE4M3(x); }
uint8_t encodeE5M2(float x) { return numerics::floatToE5M2(x); }
uint8_t encodeInt8(float x) {
  return static_cast<uint8_t>(numerics::floatToInt8(x));
}
float decodeE4M3(uint8_t c) { return numerics::e4m3ToFloat(c); }
float decodeE5M2(uint8_t c) { return numerics::e5m2ToFloat(c); }
float decodeInt8(uint8_t c) {
  return static_cast<float>(static_cast<int8_t>(c));
}
mlir::Type f32Type(mlir::MLIRContext *ctx) {
  return mlir::Float32Type::get(ctx);
}
mlir::Type e4m3Type(mlir::MLIRContext *ctx) {
  return mlir::Float8E4M3FNType::get(ctx);
}
mlir::Type e5m2Type(mlir::MLIRContext *ctx) {
  return mlir::Float8E5M2Type::get(ctx);
}
mlir::Type i8Type(mlir::MLIRContext *ctx) {
  return mlir::IntegerType::get(ctx, 8);
}
mlir::Type i32Type(mlir::MLIRContext *ctx) {
  return mlir::IntegerType::get(ctx, 32);
}

// clang-format off
const Precision kPrecisions[] = {
  {PrecisionKind::FP32, "fp32", "FP32", 32, true, false, 3.4028234663852886e38,
   "nearest-even", false, "",
   {0, 0, 0, "f32", "f32", 50, 60}, f32Type, f32Type, nullptr, nullptr},
  {PrecisionKind::FP8E4M3, "fp8e4m3", "FP8-E4M3", 8, true, true, 448.0,
   "nearest-even", true, "cvt.rn.satfinite.e4m3x2.f32",
   {16, 8, 32, "e4m3", "f32", 89, 84}, e4m3Type, f32Type, encodeE4M3, decodeE4M3},
  {PrecisionKind::FP8E5M2, "fp8e5m2", "FP8-E5M2", 8, true, true, 57344.0,
   "nearest-even", true, "cvt.rn.satfinite.e5m2x2.f32",
   {16, 8, 32, "e5m2", "f32", 89, 84}, e5m2Type, f32Type, encodeE5M2, decodeE5M2},
  {PrecisionKind::INT8, "int8", "INT8", 8, false, true, 127.0,
   "nearest-even", true, "cvt.rni.sat.s8.f32",
   {16, 8, 32, "s8", "s32", 80, 70}, i8Type, i32Type, encodeInt8, decodeInt8},
};
// clang-format on
} // namespace

llvm::ArrayRef<Precision> vggq::getPrecisions() { return kPrecisions; }

const Precision *vggq::lookupPrecision(llvm::StringRef name) {
  for (const Precision &p : kPrecisions)
    if (p.name == name)
      return &p;
  return nullptr;
}

const Precision *vggq::lookupPrecision(mlir::Type elementType) {
  if (!elementType)
    return nullptr;
  for (const Precision &p : kPrecisions)
    if (p.storageType(elementType.getContext()) == elementType)
      return &p;
  return nullptr;
}

bool vggq::isQuantStorageType(mlir::Type type) {
  const Precision *p = lookupPrecision(type);
  return p && p->quantized;
}

std::string vggq::precisionNames(bool quantizedOnly) {
  std::string s;
  for (const Precision &p : kPrecisions) {
    if (quantizedOnly && !p.quantized)
      continue;
    if (!s.empty())
      s += ", ";
    s += p.name.str();
  }
  return s;
}
