//===- CalibrationPoints.cpp - the tensors calibration covers -------------===//
//
// The calibrated tensors of a graph and their annotations
// (CalibrationPoints.h).
//
//===----------------------------------------------------------------------===//
#include "CalibrationPoints.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace vggq;

StringRef vggq::operandKey(const CalibPoint &p) {
  if (!isa<AddOp>(p.op))
    return "input";
  return p.operand == 0 ? "lhs" : "rhs";
}

SmallVector<CalibPoint> vggq::collectCalibPoints(Operation *root) {
  SmallVector<CalibPoint> points;
  unsigned ops = 0;
  root->walk([&](Operation *op) {
    if (!isa<Conv2DOp, LinearOp, AvgPool2DOp, AddOp>(op))
      return;
    std::string name;
    if (auto attr = op->getAttrOfType<StringAttr>("vggq.layer"))
      name = attr.str();
    else
      name = op->getName().getStringRef().str() + "#" + std::to_string(ops);
    ++ops;
    if (!isa<AddOp>(op)) {
      points.push_back({op, 0, name});
      return;
    }
    points.push_back({op, 0, name + "#0"});
    points.push_back({op, 1, name + "#1"});
  });
  return points;
}

Value vggq::calibrationRoot(Value v) {
  while (auto pad = v.getDefiningOp<SubsamplePadOp>())
    v = pad.getInput();
  return v;
}

/// The names of `p`'s min and max in `vggq.calibration`.
static std::pair<std::string, std::string> rangeKeys(const CalibPoint &p) {
  StringRef key = operandKey(p);
  std::string prefix = key == "input" ? "" : (key + "_").str();
  return {prefix + "min", prefix + "max"};
}

void vggq::annotateCalibration(const CalibPoint &p, float amax,
                               StringRef method, float min, float max,
                               int64_t samples) {
  Operation *op = p.op;
  Builder b(op->getContext());
  op->setAttr(("vggq." + operandKey(p) + "_amax").str(),
              b.getF32FloatAttr(amax));
  auto [minKey, maxKey] = rangeKeys(p);
  NamedAttrList dict;
  if (auto old = op->getAttrOfType<DictionaryAttr>("vggq.calibration"))
    dict.assign(old.getValue());
  dict.set("method", b.getStringAttr(method));
  dict.set(minKey, b.getF32FloatAttr(min));
  dict.set(maxKey, b.getF32FloatAttr(max));
  dict.set("samples", b.getI64IntegerAttr(samples));
  op->setAttr("vggq.calibration", dict.getDictionary(op->getContext()));
}

std::optional<calib::LayerStats> vggq::readCalibration(const CalibPoint &p,
                                                       std::string &method,
                                                       int64_t &samples) {
  auto amax =
      p.op->getAttrOfType<FloatAttr>(("vggq." + operandKey(p) + "_amax").str());
  if (!amax)
    return std::nullopt;
  calib::LayerStats s;
  s.name = p.name;
  s.amax = amax.getValue().convertToFloat();
  s.min = -s.amax;
  s.max = s.amax;
  auto d = p.op->getAttrOfType<DictionaryAttr>("vggq.calibration");
  if (!d)
    return s;
  auto [minKey, maxKey] = rangeKeys(p);
  if (auto v = d.getAs<FloatAttr>(minKey))
    s.min = v.getValue().convertToFloat();
  if (auto v = d.getAs<FloatAttr>(maxKey))
    s.max = v.getValue().convertToFloat();
  if (auto m = d.getAs<StringAttr>("method"))
    method = m.str();
  if (auto v = d.getAs<IntegerAttr>("samples"))
    samples = v.getInt();
  return s;
}
