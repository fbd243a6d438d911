//===- ConstantReader.cpp - raw bytes of weight constants -------*- C++ -*-===//
//
// Reads weights, biases and compile-time-quantized weights as little-endian
// element bytes for the weight blob. Accepts inline `dense<...>` (splat or
// not), `dense_resource<...>`, and `vggq.quantize` of such an f32 constant
// (per tensor or per channel on axis 0), which is encoded here with the
// precision registry's bit-exact conversion.
//
//===----------------------------------------------------------------------===//
#include "LoweringState.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace vggq {
namespace lowering {
namespace {

FailureOr<std::vector<char>> constantBytes(arith::ConstantOp cst) {
  auto type = dyn_cast<RankedTensorType>(cst.getType());
  if (!type || !type.hasStaticShape())
    return failure();
  int64_t n = type.getNumElements();
  unsigned bits = type.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return failure();
  size_t elemBytes = bits / 8;
  std::vector<char> out;
  if (auto dense = dyn_cast<DenseElementsAttr>(cst.getValue())) {
    ArrayRef<char> raw = dense.getRawData();
    if (dense.isSplat()) {
      out.reserve(n * elemBytes);
      for (int64_t i = 0; i < n; ++i)
        out.insert(out.end(), raw.begin(), raw.begin() + elemBytes);
    } else {
      out.assign(raw.begin(), raw.end());
    }
  } else if (auto res = dyn_cast<DenseResourceElementsAttr>(cst.getValue())) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> raw = blob->getData();
    out.assign(raw.begin(), raw.end());
  } else {
    return failure();
  }
  if (out.size() != static_cast<size_t>(n) * elemBytes)
    return failure();
  return out;
}

} // namespace

FailureOr<std::vector<char>> getConstantBytes(Value v) {
  if (auto cst = v.getDefiningOp<arith::ConstantOp>())
    return constantBytes(cst);
  auto q = v.getDefiningOp<QuantizeOp>();
  if (!q || q.hasZeroPoint())
    return failure();
  auto cst = q.getInput().getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return failure();
  FailureOr<std::vector<char>> raw = constantBytes(cst);
  auto type = cast<RankedTensorType>(q.getOutput().getType());
  const Precision *p = lookupPrecision(type.getElementType());
  if (failed(raw) || !p || !p->quantized())
    return failure();
  ArrayRef<float> scales = q.getScales();
  int64_t axis = q.getAxis() ? static_cast<int64_t>(*q.getAxis()) : -1;
  if (axis > 0)
    return failure(); // only per-output-channel (axis 0) weights
  int64_t n = type.getNumElements();
  int64_t perChannel = axis == 0 ? n / type.getDimSize(0) : n;
  std::vector<char> out(n * p->bytes());
  for (int64_t i = 0; i < n; ++i) {
    float x;
    std::memcpy(&x, raw->data() + 4 * i, 4);
    numerics::storeCode(out.data(), i, p->bytes(),
                        p->encode(x / scales[axis == 0 ? i / perChannel : 0]));
  }
  return out;
}

} // namespace lowering
} // namespace vggq
