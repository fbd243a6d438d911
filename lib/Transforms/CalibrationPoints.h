//===- CalibrationPoints.h - the tensors calibration covers -----*- C++ -*-===//
//
// Shared by --vggq-calibrate and --vggq-choose-precision: which tensors get
// a calibrated scale, their table names, and how their statistics are
// recorded on the ops.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_LIB_TRANSFORMS_CALIBRATIONPOINTS_H
#define VGGQ_LIB_TRANSFORMS_CALIBRATIONPOINTS_H

#include "vggq/Transforms/Calibration.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace vggq {

/// One tensor that --vggq-quantize quantizes: operand `operand` of `op` (the
/// input of a conv2d / linear / avg_pool2d, or either operand of an add),
/// with its calibration table key: the layer name, or "<layer>#0" /
/// "<layer>#1" for an add's operands.
struct CalibPoint {
  mlir::Operation *op;
  unsigned operand;
  std::string name;
};

/// The attribute prefix of a point's amax: "input" for one-input ops,
/// "lhs" / "rhs" for the operands of an add.
llvm::StringRef operandKey(const CalibPoint &p);

/// The calibrated tensors of `root`, in walk order. Unnamed ops are named
/// "<op name>#<index among the calibrated ops>".
llvm::SmallVector<CalibPoint> collectCalibPoints(mlir::Operation *root);

/// The tensor whose statistics decide the scale of `v`: after fusion a
/// quantize of a subsample_pad's result sits on its input (the two commute),
/// so both users of a block's input, the next conv and the shortcut,
/// calibrate on one tensor and get one scale. subsample_pad drops rows and
/// adds zeros, so its own range is not the input's.
mlir::Value calibrationRoot(mlir::Value v);

/// Records the calibration of `p`: `vggq.<key>_amax` and the min, max,
/// method and sample count in `vggq.calibration` ("min"/"max" for one-input
/// ops, "<key>_min"/"<key>_max" for the operands of an add).
void annotateCalibration(const CalibPoint &p, float amax,
                         llvm::StringRef method, float min, float max,
                         int64_t samples);

/// What annotateCalibration recorded on `p` (nullopt when `p` has no amax);
/// the method and sample count go to `method` / `samples` when recorded.
std::optional<calib::LayerStats>
readCalibration(const CalibPoint &p, std::string &method, int64_t &samples);

} // namespace vggq

#endif // VGGQ_LIB_TRANSFORMS_CALIBRATIONPOINTS_H
