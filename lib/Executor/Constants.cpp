//===- Constants.cpp - decoding arith.constant weights --------------------===//
//
// Turns `arith.constant dense<...>` and `dense_resource<...>` tensors of f32,
// i32 or the storage of a quantized precision (Formats.def) into executor
// tensors. Data is
// little-endian, as MLIR stores it.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace vggq;
using namespace vggq::exec;
using namespace vggq::exec::detail;

namespace {

/// Fills `t` (shape and kind already set) from `bytes`: either one element
/// (a splat) or every element.
void fillFromBytes(Tensor &t, llvm::ArrayRef<char> bytes, bool splat) {
  int64_t n = t.numElements();
  size_t width = t.kind == ElemKind::Coded ? t.codeBytes() : 4;
  void *dst;
  if (t.kind == ElemKind::F32) {
    t.f32.resize(n);
    dst = t.f32.data();
  } else if (t.kind == ElemKind::I32) {
    t.i32.resize(n);
    dst = t.i32.data();
  } else {
    t.codes.resize(n * width);
    dst = t.codes.data();
  }
  if (!splat) {
    std::memcpy(dst, bytes.data(), n * width);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(static_cast<char *>(dst) + i * width, bytes.data(), width);
}

} // namespace

llvm::Expected<Tensor> vggq::exec::detail::decodeConstant(mlir::Operation *op) {
  auto cst = llvm::cast<mlir::arith::ConstantOp>(op);
  auto type = llvm::dyn_cast<mlir::RankedTensorType>(cst.getType());
  if (!type || !type.hasStaticShape())
    return opError(op, "only statically shaped tensor constants are "
                       "supported");
  Tensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  mlir::Type elem = type.getElementType();
  if (elem.isF32()) {
    t.kind = ElemKind::F32;
  } else if (elem.isInteger(32)) {
    t.kind = ElemKind::I32;
  } else if (isQuantStorageType(elem)) {
    t.kind = ElemKind::Coded;
    t.precision = lookupPrecision(elem);
  } else {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << elem;
    return opError(op,
                   "unsupported constant element type " + s +
                       " (expected f32, i32 or the storage of a precision: " +
                       precisionNames(true) + ")");
  }
  size_t width = t.kind == ElemKind::Coded ? t.codeBytes() : 4;
  size_t expected = t.numElements() * width;
  mlir::Attribute value = cst.getValue();

  if (auto res = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
    mlir::AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return opError(op, "resource '" + res.getRawHandle().getKey() +
                             "' has no data (elided or not loaded)");
    llvm::ArrayRef<char> data = blob->getData();
    if (data.size() != expected)
      return opError(op, "resource '" + res.getRawHandle().getKey() + "' has " +
                             llvm::Twine(data.size()) + " bytes, expected " +
                             llvm::Twine(expected));
    fillFromBytes(t, data, /*splat=*/false);
    return t;
  }
  if (auto dense = llvm::dyn_cast<mlir::DenseIntOrFPElementsAttr>(value)) {
    llvm::ArrayRef<char> data = dense.getRawData();
    bool splat = dense.isSplat();
    if (data.size() != (splat ? width : expected))
      return opError(op, "dense data has " + llvm::Twine(data.size()) +
                             " bytes, expected " + llvm::Twine(expected));
    fillFromBytes(t, data, splat);
    return t;
  }
  return opError(op, "unsupported constant attribute (expected dense or "
                     "dense_resource elements)");
}
