//===- Ops.h - op implementations of the reference executor -----*- C++ -*-===//
//
// Internal to lib/Executor: one function per family of vggq ops, each taking
// the op and its operand tensors and producing the result tensor.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_EXECUTOR_OPS_H
#define VGGQ_LIB_EXECUTOR_OPS_H

#include "Kernels.h"

#include "vggq/Dialect/VGGQ/IR/ShapeUtils.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

namespace vggq {
namespace exec {
namespace detail {

using Inputs = llvm::ArrayRef<const Tensor *>;

/// The FP32 graph ops, and relu / max_pool2d / avg_pool2d / subsample_pad /
/// flatten on either f32 or quantized codes.
bool isGraphOp(mlir::Operation *op);
llvm::Expected<Tensor> runGraphOp(mlir::Operation *op, Inputs ins);

/// quantize, dequantize, requantize, qconv2d, qlinear, qadd.
bool isQuantOp(mlir::Operation *op);
llvm::Expected<Tensor> runQuantOp(mlir::Operation *op, Inputs ins);

/// Decodes an `arith.constant` (dense or dense_resource; f32, i32 or 8-bit
/// storage) into a tensor.
llvm::Expected<Tensor> decodeConstant(mlir::Operation *op);

/// The geometry of a conv2d / qconv2d on NHWC `in` with OHWI `weight`.
template <typename ConvOp>
llvm::Expected<ConvGeom> convGeometry(ConvOp op, const Tensor &in,
                                      const Tensor &weight) {
  if (in.shape.size() != 4 || weight.shape.size() != 4)
    return opError(op, "expects a rank-4 input and weight");
  ConvGeom g;
  g.n = in.shape[0], g.h = in.shape[1], g.w = in.shape[2], g.c = in.shape[3];
  g.o = weight.shape[0], g.kh = weight.shape[1], g.kw = weight.shape[2];
  if (weight.shape[3] != g.c)
    return opError(op, "input has " + llvm::Twine(g.c) +
                           " channels but the weight expects " +
                           llvm::Twine(weight.shape[3]));
  auto s = op.getStrides(), p = op.getPadding(), d = op.getDilation();
  g.sh = s[0], g.sw = s[1], g.pt = p[0], g.pl = p[1], g.dh = d[0], g.dw = d[1];
  auto oh = windowOutputSize(g.h, g.kh, g.sh, p[0], p[2], g.dh);
  auto ow = windowOutputSize(g.w, g.kw, g.sw, p[1], p[3], g.dw);
  if (!oh || !ow)
    return opError(op, "the window does not fit the input " +
                           shapeString(in.shape));
  g.oh = *oh, g.ow = *ow;
  if (llvm::Error e = checkResultShape(op, {g.n, g.oh, g.ow, g.o}))
    return std::move(e);
  return g;
}

} // namespace detail
} // namespace exec
} // namespace vggq

#endif // VGGQ_LIB_EXECUTOR_OPS_H
