//===- ChoosePrecision.cpp - per-layer precisions in a budget ---*- C++ -*-===//
//
// --vggq-choose-precision: measures every conv2d / linear's sensitivity to
// each candidate format on images held apart from the calibration images,
// then searches the cheapest assignment (formatCost) whose top-1 agreement
// with FP32 stays within the budget, and records it as `vggq.precision`
// attributes for --vggq-quantize (lib/Transforms/Quantize.cpp).
//
//===----------------------------------------------------------------------===//
#include "CalibrationPoints.h"
#include "vggq/Data/Cifar.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Executor/ReferenceExecutor.h"
#include "vggq/Transforms/Calibration.h"
#include "vggq/Transforms/Passes.h"
#include "vggq/Transforms/PrecisionCost.h"

#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

namespace vggq {
#define GEN_PASS_DEF_CHOOSEPRECISION
#include "vggq/Transforms/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

/// H200: ~495 T dense 16-bit tensor-core MAC/s over ~4.8 TB/s of HBM, i.e.
/// moving one byte takes as long as ~100 16-bit MACs.
static constexpr double kMacsPerByte = 100.0;

double vggq::formatCost(const Precision &p, int64_t macs, int64_t bytes) {
  // The format's dense MMA rate relative to 16-bit (Formats.def: 8-bit 2,
  // 16-bit 1, FP32 on CUDA cores 0.068) and its storage bytes.
  return static_cast<double>(macs) / p.mmaRate +
         static_cast<double>(bytes) * (p.bits / 8.0) * kMacsPerByte;
}

namespace {

struct Layer {
  Operation *op;
  std::string name;
  unsigned pos;                ///< index of the op in @forward's block
  int64_t macs, bytes;         ///< per image
  SmallVector<Value> boundary; ///< the FP32 values the graph from here reads
  const Precision *fixed = nullptr;
  std::string fixedBy;
};

/// Agreement (%) and noise-to-signal power of the logits against FP32.
struct Score {
  double agreement = 100.0;
  double nsr = 0.0;
  double lower = 100.0; ///< one-sided Wilson bound of `agreement` (%)
};

/// The lower end of the Wilson score interval of `hits` of `n` (%), z-score
/// `z` (0: the measured ratio).
double wilsonLower(double hits, double n, double z) {
  if (n <= 0)
    return 100.0;
  double p = hits / n, z2 = z * z;
  double center = p + z2 / (2 * n);
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return 100.0 * std::max(0.0, (center - half) / (1 + z2 / n));
}

/// An FP32 tensor of the reference run over all sensitivity images.
struct Capture {
  SmallVector<int64_t> dims; ///< per image
  int64_t per = 0;
  std::vector<float> data;
};

std::string fmtSqnr(double nsr) {
  if (!(nsr > 0.0))
    return "inf dB";
  std::string s;
  llvm::raw_string_ostream(s)
      << llvm::format("%.1f dB", -10.0 * std::log10(nsr));
  return s;
}

std::string fmtRatio(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.3fx", v);
  return s;
}

std::string fmtPct(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.2f %%", v);
  return s;
}

/// The values defined before `start` in its block (arguments included,
/// constants not: they are cloned with the graph) that ops from `start` on
/// use, in block order.
SmallVector<Value> boundaryOf(Block &block, Operation *start) {
  auto after = [&](Operation *o) {
    return o == start || start->isBeforeInBlock(o);
  };
  SmallVector<Value> out;
  auto consider = [&](Value v) {
    for (OpOperand &u : v.getUses())
      if (after(u.getOwner())) {
        out.push_back(v);
        return;
      }
  };
  for (BlockArgument a : block.getArguments())
    consider(a);
  for (Operation &op : block) {
    if (&op == start)
      break;
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    for (Value r : op.getResults())
      consider(r);
  }
  return out;
}

int64_t perImage(Type t) {
  auto r = cast<RankedTensorType>(t);
  int64_t n = 1;
  for (int64_t d : r.getShape().drop_front())
    n *= d;
  return n;
}

struct ChoosePrecisionPass
    : vggq::impl::ChoosePrecisionBase<ChoosePrecisionPass> {
  using ChoosePrecisionBase::ChoosePrecisionBase;

  void runOnOperation() override {
    if (failed(choose()))
      signalPassFailure();
  }

  LogicalResult choose();
  LogicalResult collect(func::FuncOp entry);
  LogicalResult reference(ModuleOp module, func::FuncOp entry);
  FailureOr<Score> evaluate(ArrayRef<const Precision *> assign, int tail);
  LogicalResult writeOutputs(ArrayRef<const Precision *> assign);

  ModuleOp module;
  std::vector<Layer> layers;
  std::vector<const Precision *> cands;
  int64_t begin = 0, count = 0, outPer = 0;
  std::string path;
  std::vector<float> refLogits;
  std::vector<int> refTop;
  llvm::DenseMap<Value, Capture> captures;
};

LogicalResult ChoosePrecisionPass::collect(func::FuncOp entry) {
  if (!entry.getBody().hasOneBlock())
    return entry.emitError("--vggq-choose-precision needs a single-block "
                           "@forward");
  Block &block = entry.front();
  unsigned pos = 0;
  for (Operation &op : block) {
    if (isa<Conv2DOp, LinearOp>(op)) {
      Layer l;
      l.op = &op;
      l.pos = pos;
      if (auto a = op.getAttrOfType<StringAttr>("vggq.layer"))
        l.name = a.str();
      else
        return op.emitError("--vggq-choose-precision needs a 'vggq.layer' "
                            "name on every conv2d / linear");
      if (!op.getAttr("vggq.input_amax"))
        return op.emitError() << "layer '" << l.name
                              << "' has no 'vggq.input_amax': run "
                                 "--vggq-calibrate first";
      auto w = cast<RankedTensorType>(op.getOperand(1).getType());
      int64_t inElems = perImage(op.getOperand(0).getType());
      int64_t outElems = perImage(op.getResult(0).getType());
      int64_t k = w.getNumElements() / w.getDimSize(0);
      l.macs = outElems * k; // every output element is one K-long dot
      l.bytes = w.getNumElements() + inElems + outElems;
      l.boundary = boundaryOf(block, &op);
      layers.push_back(std::move(l));
    }
    ++pos;
  }
  return success();
}

/// The FP32 logits of the sensitivity images and every layer's boundary.
LogicalResult ChoosePrecisionPass::reference(ModuleOp module,
                                             func::FuncOp entry) {
  auto set = loadCifar(path, begin + count);
  if (!set)
    return module.emitError()
           << "--vggq-choose-precision: " << llvm::toString(set.takeError());
  if (set->count <= begin)
    return module.emitError()
           << "--vggq-choose-precision: '" << path << "' holds " << set->count
           << " images, none after the first " << begin
           << " (the calibration images); sensitivity needs held-apart images";
  if (set->count < begin + count) {
    module.emitWarning() << "'" << path << "' holds only " << set->count
                         << " images; measuring sensitivity on the "
                         << set->count - begin << " after the first " << begin;
    count = set->count - begin;
  }
  SmallVector<float> mean(3, 0.0f), stdv(3, 1.0f);
  if (auto a = module->getAttrOfType<DenseF32ArrayAttr>("vggq.input_mean"))
    mean.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  if (auto a = module->getAttrOfType<DenseF32ArrayAttr>("vggq.input_std"))
    stdv.assign(a.asArrayRef().begin(), a.asArrayRef().end());

  Value arg0 = entry.getArgument(0);
  Capture &images = captures[arg0];
  images.per = 32 * 32 * 3;
  images.dims = {32, 32, 3};
  images.data.resize(count * images.per);
  normalizeCifar(*set, begin, count, mean, stdv, images.data.data());

  llvm::DenseMap<Operation *, Value> wanted;
  for (Layer &l : layers)
    for (Value v : l.boundary) {
      if (Operation *def = v.getDefiningOp())
        wanted[def] = v;
      else if (v != arg0)
        return l.op->emitError("--vggq-choose-precision supports graphs "
                               "reading their first argument only");
    }
  auto exec = exec::ReferenceExecutor::create(module, "forward");
  if (!exec)
    return module.emitError()
           << "--vggq-choose-precision: " << llvm::toString(exec.takeError());
  exec::Observer observer = [&](Operation *op, const exec::Tensor &t) {
    auto it = wanted.find(op);
    if (it == wanted.end())
      return;
    Capture &c = captures[it->second];
    c.dims.assign(t.shape.begin() + 1, t.shape.end());
    c.per = t.numElements() / t.shape[0];
    if (t.kind == exec::ElemKind::F32)
      c.data.insert(c.data.end(), t.f32.begin(), t.f32.end());
    else {
      std::vector<float> v = t.toFloat();
      c.data.insert(c.data.end(), v.begin(), v.end());
    }
  };
  int64_t step = std::max<int64_t>(1, batch);
  for (int64_t b = 0; b < count; b += step) {
    int64_t n = std::min(step, count - b);
    exec::Tensor in;
    in.shape = {n, 32, 32, 3};
    in.f32.assign(images.data.begin() + b * images.per,
                  images.data.begin() + (b + n) * images.per);
    auto out = (*exec)->run({in}, observer);
    if (!out)
      return module.emitError()
             << "--vggq-choose-precision: " << llvm::toString(out.takeError());
    const exec::Tensor &y = out->front();
    outPer = y.numElements() / n;
    std::vector<float> v = y.kind == exec::ElemKind::F32 ? y.f32 : y.toFloat();
    refLogits.insert(refLogits.end(), v.begin(), v.end());
  }
  for (int64_t i = 0; i < count; ++i) {
    const float *r = &refLogits[i * outPer];
    refTop.push_back(std::max_element(r, r + outPer) - r);
  }
  return success();
}

/// Quantizes a copy of the module with `assign` (one precision per layer)
/// and runs it on the sensitivity images; with `tail` >= 0 only the graph
/// from layer `tail` on runs, on the cached FP32 boundary values.
FailureOr<Score>
ChoosePrecisionPass::evaluate(ArrayRef<const Precision *> assign, int tail) {
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone());
  auto f = clone->lookupSymbol<func::FuncOp>("forward");
  Block &block = f.front();
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  Builder b(clone->getContext());
  for (auto [l, p] : llvm::zip(layers, assign))
    ops[l.pos]->setAttr("vggq.precision", b.getStringAttr(p->name));

  SmallVector<Value> keys{
      module.lookupSymbol<func::FuncOp>("forward").getArgument(0)};
  if (tail >= 0) {
    Operation *start = ops[layers[tail].pos];
    SmallVector<Value> bnd = boundaryOf(block, start);
    unsigned numOrig = f.getNumArguments();
    for (Value v : bnd) {
      if (failed(f.insertArgument(f.getNumArguments(), v.getType(), {},
                                  v.getLoc())))
        return failure();
      Value arg = block.getArguments().back();
      v.replaceUsesWithIf(arg, [&](OpOperand &u) {
        return u.getOwner() == start || start->isBeforeInBlock(u.getOwner());
      });
    }
    // Erase the ops before `start` (last first), then the constants that no
    // longer have users; an erased op's slot is cleared, never read again.
    for (int64_t i = layers[tail].pos - 1; i >= 0; --i)
      if (!ops[i]->hasTrait<OpTrait::ConstantLike>()) {
        ops[i]->erase();
        ops[i] = nullptr;
      }
    for (int64_t i = layers[tail].pos - 1; i >= 0; --i)
      if (ops[i] && ops[i]->use_empty()) {
        ops[i]->erase();
        ops[i] = nullptr;
      }
    llvm::BitVector erase(f.getNumArguments());
    erase.set(0, numOrig);
    if (failed(f.eraseArguments(erase)))
      return failure();
    keys = layers[tail].boundary;
  }

  PassManager pm(clone->getContext(), ModuleOp::getOperationName());
  QuantizeOptions q;
  q.precision = "fp32";
  q.biasCorrection = biasCorrection;
  pm.addNestedPass<func::FuncOp>(createQuantize(q));
  if (failed(pm.run(*clone)))
    return failure();
  auto exec = exec::ReferenceExecutor::create(*clone, "forward");
  if (!exec)
    return module.emitError() << "--vggq-choose-precision: "
                              << llvm::toString(exec.takeError()),
           failure();

  Score s;
  int64_t agree = 0;
  double noise = 0.0, signal = 0.0;
  int64_t step = std::max<int64_t>(1, batch);
  for (int64_t b0 = 0; b0 < count; b0 += step) {
    int64_t n = std::min(step, count - b0);
    std::vector<exec::Tensor> inputs;
    for (Value k : keys) {
      const Capture &c = captures.find(k)->second;
      exec::Tensor t;
      t.shape.push_back(n);
      t.shape.insert(t.shape.end(), c.dims.begin(), c.dims.end());
      t.f32.assign(c.data.begin() + b0 * c.per,
                   c.data.begin() + (b0 + n) * c.per);
      inputs.push_back(std::move(t));
    }
    auto out = (*exec)->run(inputs);
    if (!out)
      return module.emitError() << "--vggq-choose-precision: "
                                << llvm::toString(out.takeError()),
             failure();
    const exec::Tensor &y = out->front();
    std::vector<float> v = y.kind == exec::ElemKind::F32 ? y.f32 : y.toFloat();
    for (int64_t i = 0; i < n; ++i) {
      const float *got = &v[i * outPer];
      const float *ref = &refLogits[(b0 + i) * outPer];
      agree += (std::max_element(got, got + outPer) - got) == refTop[b0 + i];
      for (int64_t j = 0; j < outPer; ++j) {
        double d = static_cast<double>(got[j]) - ref[j];
        noise += d * d;
        signal += static_cast<double>(ref[j]) * ref[j];
      }
    }
  }
  s.agreement = 100.0 * agree / count;
  s.lower = wilsonLower(agree, count, confidence);
  s.nsr = signal > 0.0 ? noise / signal : noise;
  return s;
}

LogicalResult
ChoosePrecisionPass::writeOutputs(ArrayRef<const Precision *> assign) {
  if (!precisionMapOut.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(precisionMapOut, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError()
             << "cannot write '" << precisionMapOut << "': " << ec.message();
    for (auto [l, p] : llvm::zip(layers, assign))
      os << l.name << ":" << p->name << "\n";
  }
  if (!table.empty()) {
    // Every calibrated tensor, the add operands and pool inputs included, so
    // that load-table reproduces the whole quantization.
    calib::CalibrationTable t;
    t.precision = base;
    for (const CalibPoint &p : collectCalibPoints(module))
      if (auto s = readCalibration(p, t.method, t.samples))
        t.layers.push_back(*s);
    if (t.method.empty())
      t.method = "max";
    if (llvm::Error err = calib::writeCalibrationTable(table, t))
      return module.emitError(llvm::toString(std::move(err)));
  }
  return success();
}

LogicalResult ChoosePrecisionPass::choose() {
  module = getOperation();
  auto entry = module.lookupSymbol<func::FuncOp>("forward");
  if (!entry)
    return module.emitError("--vggq-choose-precision needs a func.func "
                            "@forward");
  const Precision *basePrec = lookupPrecision(base);
  if (!basePrec)
    return module.emitError() << "unknown base precision '" << base
                              << "' (known: " << precisionNames() << ")";
  if (!(agreement > 0.0 && agreement <= 100.0))
    return module.emitError() << "agreement must be a percentage in (0, 100], "
                                 "got "
                              << fmtPct(agreement);
  if (!(confidence >= 0.0 && confidence <= 10.0))
    return module.emitError()
           << "confidence must be a z-score in [0, 10], got "
           << llvm::formatv("{0:F2}", confidence.getValue()).str();
  if (sensitivitySamples < 1 || batch < 1)
    return module.emitError("sensitivity-samples and batch must be positive");
  if (candidates.empty())
    for (const Precision &p : getPrecisions())
      cands.push_back(&p);
  for (const std::string &c : candidates) {
    const Precision *p = lookupPrecision(c);
    if (!p)
      return module.emitError() << "unknown candidate precision '" << c
                                << "' (known: " << precisionNames() << ")";
    if (!llvm::is_contained(cands, p))
      cands.push_back(p);
  }
  if (!llvm::is_contained(cands, basePrec))
    return module.emitError()
           << "base '" << base << "' must be one of the candidates";
  if (failed(collect(entry)))
    return failure();
  if (layers.empty()) {
    entry.emitWarning("no conv2d or linear to choose a precision for");
    return success();
  }

  // Fixed layers.
  llvm::StringMap<const Precision *> fixedMap;
  for (const std::string &e : precisionMap) {
    auto [layer, prec] = StringRef(e).rsplit(':');
    const Precision *p = lookupPrecision(prec);
    if (layer.empty() || !p)
      return module.emitError() << "precision-map entry '" << e
                                << "' must be layer:precision with a "
                                   "precision in {"
                                << precisionNames() << "}";
    fixedMap[layer] = p;
  }
  for (Layer &l : layers) {
    if (llvm::is_contained(exclude, l.name))
      l.fixed = lookupPrecision("fp32"), l.fixedBy = "exclude";
    if (const Precision *p = fixedMap.lookup(l.name))
      l.fixed = p, l.fixedBy = "precision-map";
  }

  // The sensitivity images: after the calibration images.
  path = data.empty()
             ? sharedDir() + "/data/cifar-10-batches-bin/data_batch_1.bin"
             : data.getValue();
  begin = sensitivityBegin;
  int64_t calibSamples = -1;
  for (const Layer &l : layers)
    if (auto d = l.op->getAttrOfType<DictionaryAttr>("vggq.calibration"))
      if (auto v = d.getAs<IntegerAttr>("samples"))
        calibSamples = std::max(calibSamples, v.getInt());
  if (begin < 0) {
    if (calibSamples < 0)
      module.emitWarning("no 'vggq.calibration' samples on the layers; "
                         "sensitivity images start at image 0, which may be "
                         "the calibration images");
    begin = std::max<int64_t>(calibSamples, 0);
  } else if (calibSamples > begin) {
    module.emitWarning() << "sensitivity-begin=" << begin << " overlaps the "
                         << calibSamples << " calibration images";
  }
  count = sensitivitySamples;
  if (failed(reference(module, entry)))
    return failure();

  // 1. Every layer alone in every candidate (the rest FP32).
  const Precision *fp32 = nullptr;
  for (const Precision &p : getPrecisions())
    if (!p.quantized())
      fp32 = &p;
  size_t n = layers.size();
  std::vector<const Precision *> allFp32(n, fp32);
  std::vector<std::vector<Score>> alone(n, std::vector<Score>(cands.size()));
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < cands.size(); ++c) {
      if (!cands[c]->quantized())
        continue; // unchanged FP32: agreement 100 %, no noise
      std::vector<const Precision *> a = allFp32;
      a[i] = cands[c];
      FailureOr<Score> s = evaluate(a, static_cast<int>(i));
      if (failed(s))
        return failure();
      alone[i][c] = *s;
    }
    llvm::errs() << "vggq-choose-precision: sensitivity " << i + 1 << "/" << n
                 << " layers\n";
  }
  auto candIndex = [&](const Precision *p) {
    return static_cast<size_t>(llvm::find(cands, p) - cands.begin());
  };
  // Noise of layer i in p alone (a fixed format outside the candidates
  // counts as noiseless: it is never compared).
  auto nsrOf = [&](size_t i, const Precision *p) {
    size_t c = candIndex(p);
    return c < cands.size() ? alone[i][c].nsr : 0.0;
  };
  auto cost = [&](size_t i, const Precision *p) {
    return formatCost(*p, layers[i].macs, layers[i].bytes);
  };

  // 2. Greedy search from base.
  std::vector<const Precision *> assign(n, basePrec);
  std::vector<std::string> why(n);
  for (size_t i = 0; i < n; ++i)
    if (layers[i].fixed) {
      assign[i] = layers[i].fixed;
      why[i] = "fixed by " + layers[i].fixedBy;
    }
  FailureOr<Score> cur = evaluate(assign, -1);
  if (failed(cur))
    return failure();
  Score start = *cur;
  std::vector<int> promotedAt(n, 0);
  int stepNo = 0;
  while (cur->lower < agreement) {
    double bestScore = -1.0, bestGain = 0.0;
    size_t bi = 0;
    const Precision *bp = nullptr;
    for (size_t i = 0; i < n; ++i) {
      if (layers[i].fixed)
        continue;
      for (const Precision *p : cands) {
        double gain = nsrOf(i, assign[i]) - nsrOf(i, p);
        if (p == assign[i] || !(gain > 0.0))
          continue;
        double dc = cost(i, p) - cost(i, assign[i]);
        double score =
            dc <= 0.0 ? std::numeric_limits<double>::infinity() : gain / dc;
        if (score > bestScore || (score == bestScore && gain > bestGain))
          bestScore = score, bestGain = gain, bi = i, bp = p;
      }
    }
    if (!bp)
      break;
    std::string s;
    llvm::raw_string_ostream os(s);
    os << "promoted from " << assign[bi]->name << " at step " << ++stepNo
       << ": alone " << fmtSqnr(nsrOf(bi, assign[bi])) << " -> "
       << fmtSqnr(nsrOf(bi, bp)) << " for "
       << llvm::format("%.2fx", cost(bi, bp) / cost(bi, assign[bi]))
       << " the cost, the best gain per cost; assignment agreement "
       << fmtPct(cur->agreement);
    assign[bi] = bp;
    promotedAt[bi] = stepNo;
    cur = evaluate(assign, -1);
    if (failed(cur))
      return failure();
    os << " -> " << fmtPct(cur->agreement);
    why[bi] = s;
  }
  if (cur->lower < agreement) {
    // Every layer is at its least noisy candidate: the best reachable.
    std::vector<size_t> order;
    for (size_t i = 0; i < n; ++i)
      if (!layers[i].fixed)
        order.push_back(i);
    // Least agreement alone first, then the most noise.
    auto aloneAgreement = [&](size_t i) {
      size_t c = candIndex(assign[i]);
      return c < cands.size() ? alone[i][c].agreement : 100.0;
    };
    llvm::stable_sort(order, [&](size_t a, size_t b) {
      if (aloneAgreement(a) != aloneAgreement(b))
        return aloneAgreement(a) < aloneAgreement(b);
      return nsrOf(a, assign[a]) > nsrOf(b, assign[b]);
    });
    InFlightDiagnostic d = module.emitError();
    d << "agreement budget " << fmtPct(agreement) << " cannot be met on the "
      << count << " sensitivity images: the best reachable agreement is "
      << fmtPct(cur->agreement);
    if (confidence > 0)
      d << " (Wilson bound " << fmtPct(cur->lower) << " at z = "
        << llvm::formatv("{0:F2}", confidence.getValue()).str() << ")";
    d << " (every layer at its most accurate candidate); limiting layers:";
    for (size_t k = 0; k < std::min<size_t>(3, order.size()); ++k) {
      size_t i = order[k];
      size_t c = candIndex(assign[i]);
      d << (k ? ", " : " ") << "'" << layers[i].name << "' (" << assign[i]->name
        << " alone: "
        << fmtPct(c < cands.size() ? alone[i][c].agreement : 100.0) << ", "
        << fmtSqnr(nsrOf(i, assign[i])) << ")";
    }
    return failure();
  }

  // Demote: each promoted layer once to its least noisy cheaper candidate.
  std::vector<size_t> promoted;
  for (size_t i = 0; i < n; ++i)
    if (promotedAt[i])
      promoted.push_back(i);
  llvm::stable_sort(promoted, [&](size_t a, size_t b) {
    return cost(a, assign[a]) > cost(b, assign[b]);
  });
  for (size_t i : promoted) {
    const Precision *alt = nullptr;
    for (const Precision *p : cands)
      if (cost(i, p) < cost(i, assign[i]) &&
          (!alt || nsrOf(i, p) < nsrOf(i, alt)))
        alt = p;
    if (!alt)
      continue;
    const Precision *was = assign[i];
    assign[i] = alt;
    FailureOr<Score> s = evaluate(assign, -1);
    if (failed(s))
      return failure();
    if (s->lower >= agreement) {
      why[i] += "; demoted back from " + std::string(was->name) + " to " +
                std::string(alt->name) + ": the budget still holds (" +
                fmtPct(s->agreement) + ")";
      cur = s;
    } else {
      assign[i] = was;
      why[i] += "; " + std::string(alt->name) + " instead would break the budget (" +
                fmtPct(s->agreement) + ")";
    }
  }

  // 3. Record, explain, write.
  Builder b(module.getContext());
  int64_t macs = 0, macs8 = 0;
  double total = 0.0, totalBase = 0.0;
  std::string promotedNames;
  for (size_t i = 0; i < n; ++i) {
    Layer &l = layers[i];
    l.op->setAttr("vggq.precision", b.getStringAttr(assign[i]->name));
    macs += l.macs;
    if (assign[i]->bits <= 8)
      macs8 += l.macs;
    total += cost(i, assign[i]);
    totalBase += cost(i, basePrec);
    if (why[i].empty())
      why[i] = "base: the budget holds with it";
    if (assign[i] != basePrec && !l.fixed)
      promotedNames += (promotedNames.empty() ? "" : ", ") + l.name + ":" +
                       std::string(assign[i]->name);
    InFlightDiagnostic d = l.op->emitRemark();
    d << "choose-precision: '" << l.name << "' -> " << assign[i]->name << " ("
      << l.macs << " MACs); alone on " << count << " images:";
    for (auto [c, p] : llvm::enumerate(cands))
      if (p->quantized())
        d << " " << p->name << " " << fmtPct(alone[i][c].agreement) << " "
          << fmtSqnr(alone[i][c].nsr) << ";";
    d << " " << why[i];
  }
  std::string bound;
  if (confidence > 0)
    bound = ", Wilson bound " + fmtPct(cur->lower) + " at z = " +
            llvm::formatv("{0:F2}", confidence.getValue()).str();
  module.emitRemark() << "choose-precision: agreement "
                      << fmtPct(cur->agreement) << bound << " (budget "
                      << fmtPct(agreement) << ", all " << basePrec->name << " "
                      << fmtPct(start.agreement) << ") on " << count
                      << " sensitivity images [" << begin << ", "
                      << begin + count << ") of '" << path << "'; promoted: "
                      << (promotedNames.empty() ? "none" : promotedNames)
                      << "; 8-bit MACs "
                      << fmtPct(macs ? 100.0 * macs8 / macs : 0.0) << "; cost "
                      << fmtRatio(totalBase > 0 ? total / totalBase : 1.0)
                      << " all-" << basePrec->name;
  return writeOutputs(assign);
}

} // namespace
