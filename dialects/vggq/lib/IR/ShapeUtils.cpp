//===- ShapeUtils.cpp - shared shape arithmetic for vggq ops ----*- C++ -*-===//
#include "vggq/Dialect/VGGQ/IR/ShapeUtils.h"

std::optional<int64_t> vggq::windowOutputSize(int64_t in, int64_t kernel,
                                              int64_t stride, int64_t padBegin,
                                              int64_t padEnd,
                                              int64_t dilation) {
  if (mlir::ShapedType::isDynamic(in))
    return mlir::ShapedType::kDynamic;
  int64_t effective = (kernel - 1) * dilation + 1;
  int64_t span = in + padBegin + padEnd - effective;
  if (span < 0 || stride <= 0)
    return std::nullopt;
  return span / stride + 1;
}
