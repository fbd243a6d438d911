//===- ConstantUtils.cpp - reading and writing weight constants -*- C++ -*-===//
//
// See ConstantUtils.h.
//
//===----------------------------------------------------------------------===//
#include "ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

std::optional<SmallVector<float>> vggq::getConstantF32(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(cst.getType());
  if (!type || !type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  Attribute value = cst.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    auto range = dense.getValues<float>();
    return SmallVector<float>(range.begin(), range.end());
  }
  if (auto res = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> raw = blob->getData();
    if (static_cast<int64_t>(raw.size()) != type.getNumElements() * 4)
      return std::nullopt;
    SmallVector<float> out(type.getNumElements());
    std::memcpy(out.data(), raw.data(), raw.size());
    return out;
  }
  return std::nullopt;
}

bool vggq::isResourceConstant(Value v) {
  auto cst = v.getDefiningOp<arith::ConstantOp>();
  return cst && isa<DenseResourceElementsAttr>(cst.getValue());
}

Value vggq::createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                           ArrayRef<char> raw, bool asResource,
                           StringRef blobName) {
  Attribute attr;
  if (asResource) {
    size_t align = std::max<size_t>(1, type.getElementTypeBitWidth() / 8);
    attr = DenseResourceElementsAttr::get(
        type, blobName, HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, align));
  } else {
    attr = DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

Value vggq::createF32Constant(OpBuilder &b, Location loc, RankedTensorType type,
                              ArrayRef<float> data, bool asResource,
                              StringRef blobName) {
  ArrayRef<char> raw(reinterpret_cast<const char *>(data.data()),
                     data.size() * sizeof(float));
  return createConstant(b, loc, type, raw, asResource, blobName);
}

void vggq::eraseIfDeadConstant(Value v) {
  if (auto cst = v.getDefiningOp<arith::ConstantOp>())
    if (cst->use_empty())
      cst->erase();
}
