//===- Calibrate.cpp - the --vggq-calibrate pass ----------------*- C++ -*-===//
//
// Runs the FP32 graph with the reference executor on CIFAR-10 images and
// records, for every tensor that --vggq-quantize quantizes (the input of each
// conv2d / linear / avg_pool2d, both operands of each add), its range and the
// amax chosen by the requested method; or applies a saved table.
//
//===----------------------------------------------------------------------===//
#include "BiasCorrection.h"
#include "vggq/Data/Cifar.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Executor/ReferenceExecutor.h"
#include "vggq/Transforms/Calibration.h"
#include "vggq/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace vggq {
#define GEN_PASS_DEF_CALIBRATE
#include "vggq/Transforms/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;
using namespace vggq::calib;

namespace {

/// CIFAR-10 images are 32x32 RGB (Cifar.h).
constexpr int64_t kImageH = 32, kImageW = 32, kImageC = 3;

/// One tensor that --vggq-quantize quantizes: operand `operand` of `op` (the
/// input of a conv2d / linear / avg_pool2d, or either operand of an add),
/// with its calibration table key: the layer name, or "<layer>#0" /
/// "<layer>#1" for an add's operands.
struct CalibPoint {
  Operation *op;
  unsigned operand;
  std::string name;
};

/// The attribute prefix of a point's amax: "input" for one-input ops,
/// "lhs" / "rhs" for the operands of an add.
StringRef operandKey(const CalibPoint &p) {
  if (!isa<AddOp>(p.op))
    return "input";
  return p.operand == 0 ? "lhs" : "rhs";
}

/// The calibrated tensors of `root`, in walk order. Unnamed ops are named
/// "<op name>#<index among the calibrated ops>".
SmallVector<CalibPoint> collectPoints(Operation *root) {
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

/// The tensor whose statistics decide the scale of `v`: after fusion a
/// quantize of a subsample_pad's result sits on its input (the two commute),
/// so both users of a block's input, the next conv and the shortcut,
/// calibrate on one tensor and get one scale. subsample_pad drops rows and
/// adds zeros, so its own range is not the input's.
Value calibrationRoot(Value v) {
  while (auto pad = v.getDefiningOp<SubsamplePadOp>())
    v = pad.getInput();
  return v;
}

/// Records the calibration of point `p`: `vggq.<key>_amax` and the min, max,
/// method and sample count in `vggq.calibration` ("min"/"max" for one-input
/// ops, "<key>_min"/"<key>_max" for the operands of an add).
void annotate(const CalibPoint &p, float amax, StringRef method, float min,
              float max, int64_t samples) {
  Operation *op = p.op;
  Builder b(op->getContext());
  StringRef key = operandKey(p);
  op->setAttr(("vggq." + key + "_amax").str(), b.getF32FloatAttr(amax));
  std::string prefix = key == "input" ? "" : (key + "_").str();
  NamedAttrList dict;
  if (auto old = op->getAttrOfType<DictionaryAttr>("vggq.calibration"))
    dict.assign(old.getValue());
  dict.set("method", b.getStringAttr(method));
  dict.set(prefix + "min", b.getF32FloatAttr(min));
  dict.set(prefix + "max", b.getF32FloatAttr(max));
  dict.set("samples", b.getI64IntegerAttr(samples));
  op->setAttr("vggq.calibration", dict.getDictionary(op->getContext()));
}

/// The module's per-channel `name` array, one value per input channel.
FailureOr<SmallVector<float>> moduleArray(ModuleOp module, StringRef name,
                                          float dflt, int64_t channels) {
  if (auto attr = module->getAttrOfType<DenseF32ArrayAttr>(name)) {
    if (attr.size() != channels)
      return module.emitError()
             << "module attribute '" << name << "' has " << attr.size()
             << " values, but @forward's input has " << channels
             << " channels (one value per channel)";
    return SmallVector<float>(attr.asArrayRef());
  }
  module.emitWarning() << "module has no '" << name << "'; using " << dflt
                       << " for every channel";
  return SmallVector<float>(channels, dflt);
}

struct CalibratePass : vggq::impl::CalibrateBase<CalibratePass> {
  using CalibrateBase::CalibrateBase;

  void runOnOperation() override;
  LogicalResult applyTable(ModuleOp module);
  LogicalResult calibrate(ModuleOp module, Method m, const Precision &p);
};

LogicalResult CalibratePass::applyTable(ModuleOp module) {
  auto table = readCalibrationTable(loadTable);
  if (!table)
    return module.emitError(llvm::toString(table.takeError()));
  SmallVector<CalibPoint> points = collectPoints(module);
  llvm::StringMap<const CalibPoint *> byName;
  for (const CalibPoint &p : points)
    byName[p.name] = &p;
  for (const LayerStats &s : table->layers) {
    const CalibPoint *p = byName.lookup(s.name);
    if (!p)
      return module.emitError()
             << "calibration table '" << loadTable << "': unknown layer '"
             << s.name
             << "' (no conv2d, linear or avg_pool2d of that name, and no add "
                "operand '<layer>#0' or '<layer>#1')";
    annotate(*p, s.amax, table->method, s.min, s.max, table->samples);
    byName.erase(s.name);
    ++numLayers;
  }
  for (const CalibPoint &p : points)
    if (byName.contains(p.name))
      p.op->emitWarning() << "layer '" << p.name
                          << "' is not in calibration table '" << loadTable
                          << "'";
  return success();
}

LogicalResult CalibratePass::calibrate(ModuleOp module, Method m,
                                       const Precision &p) {
  auto entry = module.lookupSymbol<func::FuncOp>("forward");
  if (!entry)
    return module.emitError("--vggq-calibrate needs a func.func @forward");
  // The input shape comes from the graph; the images must match it.
  auto inType =
      entry.getNumArguments() == 0
          ? RankedTensorType()
          : dyn_cast<RankedTensorType>(entry.getArgument(0).getType());
  if (!inType || inType.getRank() != 4 ||
      llvm::any_of(inType.getShape().drop_front(), ShapedType::isDynamic))
    return entry.emitError("--vggq-calibrate needs @forward's first argument "
                           "to be an NHWC image batch with static H, W and C");
  int64_t imgH = inType.getDimSize(1), imgW = inType.getDimSize(2),
          imgC = inType.getDimSize(3);
  SmallVector<CalibPoint> points = collectPoints(entry);
  if (points.empty()) {
    entry.emitWarning("no conv2d, linear, add or avg_pool2d to calibrate");
    return success();
  }
  // One histogram per distinct root tensor; points on one root share it.
  llvm::DenseMap<Value, unsigned> slotOf;
  llvm::DenseMap<Operation *, unsigned> producerSlot;
  int argSlot = -1;
  SmallVector<unsigned> pointSlot;
  for (const CalibPoint &p : points) {
    Value in = calibrationRoot(p.op->getOperand(p.operand));
    if (biasCorrection && isa<Conv2DOp, LinearOp>(p.op) &&
        in != p.op->getOperand(0))
      return p.op->emitError()
             << "bias-correction: layer '" << p.name
             << "' reads a subsample_pad, whose input statistics do not give "
                "its column means";
    auto [it, inserted] = slotOf.try_emplace(in, slotOf.size());
    pointSlot.push_back(it->second);
    if (!inserted)
      continue;
    if (Operation *def = in.getDefiningOp())
      producerSlot[def] = it->second;
    else if (cast<BlockArgument>(in).getArgNumber() == 0)
      argSlot = it->second;
    else
      return p.op->emitError()
             << "layer '" << p.name
             << "': calibration supports tensors computed from the first "
                "argument only";
  }
  std::vector<Histogram> hists(slotOf.size(), Histogram(bins));
  // bias-correction: the per-image input summed over the images, per slot.
  std::vector<std::vector<double>> sums(biasCorrection ? slotOf.size() : 0);
  auto addSum = [&](unsigned slot, const std::vector<float> &v, int64_t n) {
    if (!biasCorrection || n == 0)
      return;
    std::vector<double> &acc = sums[slot];
    size_t per = v.size() / n;
    acc.resize(per, 0.0);
    for (int64_t i = 0; i < n; ++i)
      for (size_t k = 0; k < per; ++k)
        acc[k] += v[i * per + k];
  };

  std::string path = data;
  if (path.empty())
    path = sharedDir() + "/data/cifar-10-batches-bin/data_batch_1.bin";
  if (llvm::sys::path::filename(path) == "test_batch.bin")
    module.emitWarning() << "calibrating on the test set '" << path
                         << "' biases test accuracy; use the training batch";
  if (imgH != kImageH || imgW != kImageW || imgC != kImageC)
    return entry.emitError()
           << "--vggq-calibrate: @forward takes " << imgH << "x" << imgW << "x"
           << imgC << " images (NHWC), but the CIFAR-10 images of '" << path
           << "' are " << kImageH << "x" << kImageW << "x" << kImageC;
  auto set = loadCifar(path, samples);
  if (!set)
    return module.emitError() << "--vggq-calibrate: " << llvm::toString(set.takeError());
  if (set->count < samples)
    module.emitWarning() << "'" << path << "' holds only " << set->count
                         << " images; calibrating on those";
  FailureOr<SmallVector<float>> mean =
      moduleArray(module, "vggq.input_mean", 0.0f, imgC);
  FailureOr<SmallVector<float>> stdv =
      moduleArray(module, "vggq.input_std", 1.0f, imgC);
  if (failed(mean) || failed(stdv))
    return failure();

  auto exec = exec::ReferenceExecutor::create(module, "forward");
  if (!exec)
    return module.emitError() << "--vggq-calibrate: " << llvm::toString(exec.takeError());
  exec::Observer observer = [&](Operation *op, const exec::Tensor &t) {
    auto it = producerSlot.find(op);
    if (it == producerSlot.end())
      return;
    int64_t n = t.shape.empty() ? 1 : t.shape[0];
    if (t.kind == exec::ElemKind::F32) {
      hists[it->second].add(t.f32);
      addSum(it->second, t.f32, n);
    } else {
      std::vector<float> v = t.toFloat();
      hists[it->second].add(v);
      addSum(it->second, v, n);
    }
  };
  int64_t step = std::max<int64_t>(1, batch);
  for (int64_t begin = 0; begin < set->count; begin += step) {
    int64_t n = std::min(step, set->count - begin);
    exec::Tensor in;
    in.shape = {n, imgH, imgW, imgC};
    in.f32.resize(n * imgH * imgW * imgC);
    normalizeCifar(*set, begin, n, *mean, *stdv, in.f32.data());
    if (argSlot >= 0) {
      hists[argSlot].add(in.f32);
      addSum(argSlot, in.f32, n);
    }
    auto out = (*exec)->run({in}, observer);
    if (!out)
      return module.emitError() << "--vggq-calibrate: " << llvm::toString(out.takeError());
    numImages += n;
    llvm::errs() << "vggq-calibrate: " << begin + n << "/" << set->count
                 << " images\n";
  }

  CalibrationTable table;
  table.method = methodName(m).str();
  table.precision = p.name;
  table.samples = set->count;
  for (auto [i, point] : llvm::enumerate(points)) {
    Operation *op = point.op;
    const std::string &name = point.name;
    const Histogram &h = hists[pointSlot[i]];
    if (h.nonFinite() > 0)
      return op->emitError()
             << "layer '" << name << "': its input held "
             << static_cast<int64_t>(h.nonFinite())
             << " non-finite values (inf or NaN) on the calibration images; "
                "no scale can represent them";
    float amax = chooseAmax(h, m, percentile, p);
    if (!(amax > 0.0f)) {
      op->emitWarning() << "layer '" << name
                        << "' saw only zeros; its amax is set to 1";
      amax = 1.0f;
    }
    annotate(point, amax, table.method, h.min(), h.max(), table.samples);
    if (biasCorrection && isa<Conv2DOp, LinearOp>(op))
      op->setAttr("vggq.input_col_mean",
                  Builder(op->getContext())
                      .getDenseF32ArrayAttr(
                          inputColumnMean(op, sums[pointSlot[i]], set->count)));
    table.layers.push_back({name, amax, h.min(), h.max()});
    ++numLayers;
  }
  if (!this->table.empty())
    if (llvm::Error err = writeCalibrationTable(this->table, table))
      return module.emitError(llvm::toString(std::move(err)));
  return success();
}

void CalibratePass::runOnOperation() {
  ModuleOp module = getOperation();
  std::optional<Method> m = parseMethod(method);
  if (!m) {
    module.emitError() << "unknown calibration method '" << method
                       << "' (known: " << methodNames() << ")";
    return signalPassFailure();
  }
  const Precision *p = lookupPrecision(precision);
  if (!p || !p->quantized()) {
    module.emitError() << "unknown or unquantized precision '" << precision
                       << "' (known: " << precisionNames(true) << ")";
    return signalPassFailure();
  }
  if (bins < 128 && (*m == Method::Entropy)) {
    module.emitError() << "method=entropy needs bins >= 128, got " << bins;
    return signalPassFailure();
  }
  if (bins < 1 || samples < 1) {
    module.emitError("bins and samples must be positive");
    return signalPassFailure();
  }
  if (biasCorrection && !loadTable.empty()) {
    module.emitError("bias-correction=true needs the calibration activations; "
                     "a table (load-table) does not hold them");
    return signalPassFailure();
  }
  LogicalResult result =
      loadTable.empty() ? calibrate(module, *m, *p) : applyTable(module);
  if (failed(result))
    signalPassFailure();
}

} // namespace
