//===- Precision.cpp - the precision registry -------------------*- C++ -*-===//
#include "vggq/Precision/Precision.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

using namespace vggq;

namespace {
const Precision kPrecisions[] = {
#define VGGQ_FORMAT(ID, ...) Precision{format::get(format::FormatId::ID)},
#include "vggq/Precision/Formats.def"
};
} // namespace

mlir::Type Precision::storageType(mlir::MLIRContext *ctx) const {
  return mlir::parseType(mlirType, ctx);
}

mlir::Type Precision::accumulatorType(mlir::MLIRContext *ctx) const {
  if (llvm::StringRef(mma.accType) == "s32")
    return mlir::IntegerType::get(ctx, 32);
  return mlir::Float32Type::get(ctx);
}

std::string Precision::mmaIntrinsic(const Precision &b) const {
  std::string s = mma.intrinsic;
  for (auto [key, value] :
       {std::pair<llvm::StringRef, llvm::StringRef>{"{a}", mma.ptxType},
        {"{b}", b.mma.ptxType}}) {
    size_t pos;
    while ((pos = s.find(key.str())) != std::string::npos)
      s.replace(pos, key.size(), value.str());
  }
  return s;
}

llvm::ArrayRef<Precision> vggq::getPrecisions() { return kPrecisions; }

const Precision *vggq::lookupPrecision(llvm::StringRef name) {
  for (const Precision &p : kPrecisions)
    if (name == p.name)
      return &p;
  return nullptr;
}

const Precision *vggq::lookupPrecision(mlir::Type elementType) {
  if (!elementType || !(elementType.isIntOrFloat()))
    return nullptr;
  // The registry names types as MLIR prints them; printing a builtin scalar
  // type is cheap and needs no per-context cache.
  llvm::SmallString<16> s;
  llvm::raw_svector_ostream os(s);
  elementType.print(os);
  for (const Precision &p : kPrecisions)
    if (s == p.mlirType)
      return &p;
  return nullptr;
}

bool vggq::isQuantStorageType(mlir::Type type) {
  const Precision *p = lookupPrecision(type);
  return p && p->quantized();
}

std::string vggq::precisionNames(bool quantizedOnly) {
  std::string s;
  for (const Precision &p : kPrecisions) {
    if (quantizedOnly && !p.quantized())
      continue;
    if (!s.empty())
      s += ", ";
    s += p.name;
  }
  return s;
}
