//===- PerfModel.cpp - the kernel and forward time model --------*- C++ -*-===//
//
// Work from the graph and the plan, resources from the plan and ptxas -v,
// time from a roofline with wave quantization and an occupancy model.
// docs/PERF-MODEL.md gives the formulas and the assumptions.
//
//===----------------------------------------------------------------------===//
#include "vggq/PerfModel/PerfModel.h"

#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"
#include "vggq/Precision/Format.h"
#include "vggq/Precision/Precision.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <optional>
#include <utility>

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace vggq;
using namespace vggq::perf;
namespace json = llvm::json;

namespace {

/// Assumptions of the model (docs/PERF-MODEL.md).
/// The FP32 SIMT GEMM reaches this fraction of the CUDA-core peak.
constexpr double kSimtEfficiency = 0.5;
/// Fraction of the DRAM bandwidth a streaming kernel reaches.
constexpr double kDramEfficiency = 0.9;
/// The gap between two kernels of one CUDA graph, microseconds.
constexpr double kLaunchGapUs = 2.0;
/// An SM issues tensor-core (or FMA) work at full rate with this many
/// resident warps (two per SM sub-partition); fewer scale it down.
constexpr double kWarpsForFullRate = 8.0;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Bytes of one image's share of a tensor (all dims but the batch).
double bytesPerImage(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return 0;
  double n = 1;
  for (int64_t d : t.getShape().drop_front())
    n *= ShapedType::isDynamic(d) ? 1 : d;
  return n * std::max<unsigned>(1, t.getElementTypeBitWidth() / 8);
}

double tensorBytes(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return double(t.getNumElements()) *
         std::max<unsigned>(1, t.getElementTypeBitWidth() / 8);
}

bool isConstant(Value v) {
  return v && v.getDefiningOp<arith::ConstantOp>() != nullptr;
}

/// The dense peak of `format` on `chip`, TFLOP/s.
double peakFor(const Chip &chip, const Precision &p) {
  if (!p.quantized())
    return chip.fp32;
  if (p.isInteger())
    return chip.int8;
  return p.bits <= 8 ? chip.fp8 : chip.fp16;
}

double dtypeBytes(llvm::StringRef dtype) {
  std::string name = dtype.str();
  if (const format::Format *f = format::byRtName(name.c_str()))
    return std::max(1u, f->bits / 8);
  return 4; // s32
}

} // namespace

llvm::StringMap<PtxasInfo> vggq::perf::parsePtxasVerbose(llvm::StringRef log) {
  llvm::StringMap<PtxasInfo> info;
  std::string current;
  llvm::SmallVector<llvm::StringRef> lines;
  log.split(lines, '\n');
  for (llvm::StringRef line : lines) {
    if (size_t at = line.find("Compiling entry function '");
        at != llvm::StringRef::npos) {
      llvm::StringRef rest = line.drop_front(at + 26);
      current = rest.take_until([](char c) { return c == '\''; }).str();
      info[current];
      continue;
    }
    if (current.empty())
      continue;
    if (size_t at = line.find("Used "); at != llvm::StringRef::npos) {
      unsigned regs = 0;
      if (!line.drop_front(at + 5)
               .take_while(llvm::isDigit)
               .getAsInteger(10, regs))
        info[current].registers = regs;
    }
    for (llvm::StringRef key : {" bytes spill stores", " bytes spill loads"}) {
      size_t at = line.find(key);
      if (at == llvm::StringRef::npos)
        continue;
      llvm::StringRef before = line.take_front(at).rtrim();
      llvm::StringRef digits = before.take_back(
          before.size() - before.find_last_not_of("0123456789") - 1);
      unsigned bytes = 0;
      if (!digits.getAsInteger(10, bytes))
        info[current].spillBytes += bytes;
    }
  }
  return info;
}

llvm::Expected<std::vector<KernelWork>>
vggq::perf::collectWork(ModuleOp graph, const json::Value &planValue,
                        const llvm::StringMap<PtxasInfo> &ptxas) {
  const json::Object *plan = planValue.getAsObject();
  const json::Array *kernels = plan ? plan->getArray("kernels") : nullptr;
  const json::Array *launches = plan ? plan->getArray("launches") : nullptr;
  if (!kernels || !launches)
    return llvm::createStringError("perf model: the plan has no kernels or "
                                   "launches");
  llvm::StringMap<const json::Object *> kernelByName;
  for (const json::Value &k : *kernels)
    if (const json::Object *o = k.getAsObject())
      if (auto name = o->getString("name"))
        kernelByName[*name] = o;
  llvm::StringMap<Operation *> opByLayer;
  graph.walk([&](Operation *op) {
    if (auto l = op->getAttrOfType<StringAttr>("vggq.layer"))
      opByLayer.try_emplace(l.getValue(), op);
  });

  // Bytes per image of the tensor at each arena offset, as the launches
  // write them (the graph input first): what a streaming kernel reads.
  auto tensorBytesPerImage = [](const json::Object *t) {
    double n = 1;
    if (const json::Array *shape = t ? t->getArray("shape") : nullptr)
      for (size_t i = 1; i < shape->size(); ++i)
        n *= std::max<int64_t>(1, (*shape)[i].getAsInteger().value_or(1));
    return n * dtypeBytes(t ? t->getString("dtype").value_or("f32") : "f32");
  };
  llvm::DenseMap<int64_t, double> arenaBytes;
  if (const json::Object *in = plan->getObject("input"))
    arenaBytes[in->getInteger("offset_per_image").value_or(0)] =
        tensorBytesPerImage(in);

  std::vector<KernelWork> work;
  for (const json::Value &lv : *launches) {
    const json::Object *l = lv.getAsObject();
    KernelWork w;
    if (!l || !l->getString("kernel"))
      return llvm::createStringError("perf model: a launch without a kernel");
    w.kernel = l->getString("kernel")->str();
    w.layer = l->getString("layer").value_or("").str();
    const json::Object *k = kernelByName.lookup(w.kernel);
    if (!k)
      return llvm::createStringError("perf model: launch of '" + w.kernel +
                                     "' names no kernel of the plan");
    const json::Object *grid = l->getObject("grid");
    int64_t rows = grid ? grid->getInteger("rows_per_image").value_or(1) : 1;
    int64_t tileRows = grid ? grid->getInteger("tile_rows").value_or(1) : 1;
    int64_t gy = grid ? grid->getInteger("y").value_or(1) : 1;
    if (const json::Array *block = k->getArray("block"))
      if (!block->empty())
        w.threads = block->front().getAsInteger().value_or(1);
    if (k->getBoolean("warp_specialized").value_or(false))
      w.producerThreads = 128;
    // Static and dynamic shared memory both count against the SM.
    w.staticSmem = k->getInteger("static_shared_bytes").value_or(0) +
                   k->getInteger("shared_bytes").value_or(0);
    if (auto it = ptxas.find(w.kernel); it != ptxas.end()) {
      w.registers = it->second.registers;
      w.spills = it->second.spillBytes;
    }
    llvm::StringRef mma = k->getString("mma").value_or("");
    w.strategy = mma.starts_with("wgmma") ? Strategy::Wgmma
                 : mma.starts_with("m16") ? Strategy::MmaSync
                                          : Strategy::Simt;
    const json::Object *out = l->getObject("out");
    double outBytes = out ? tensorBytesPerImage(out) : 0;
    // -1: the launch writes no arena tensor.
    int64_t outOffset =
        out ? out->getInteger("offset_per_image").value_or(-1) : -1;
    double arenaInBytes = 0;
    if (const json::Array *args = l->getArray("args"))
      for (const json::Value &av : *args) {
        const json::Object *arg = av.getAsObject();
        if (!arg || arg->getString("kind") != "arena")
          continue;
        std::optional<int64_t> off = arg->getInteger("offset_per_image");
        if (off && *off != outOffset)
          arenaInBytes += arenaBytes.lookup(*off);
      }
    if (outOffset >= 0)
      arenaBytes[outOffset] = outBytes;
    Operation *op = opByLayer.lookup(w.layer);
    w.format = "fp32";
    bool gemm = op && isa<Conv2DOp, QConv2DOp, LinearOp, QLinearOp>(op);
    if (gemm) {
      auto in = cast<RankedTensorType>(op->getOperand(0).getType());
      auto wt = cast<RankedTensorType>(op->getOperand(1).getType());
      if (const Precision *p = lookupPrecision(in.getElementType()))
        w.format = p->name;
      w.cols = wt.getDimSize(0);
      w.depth = wt.getNumElements() / w.cols;
      auto res = cast<RankedTensorType>(op->getResult(0).getType());
      w.rowsPerImage = 1;
      for (int64_t d : res.getShape().drop_front().drop_back())
        w.rowsPerImage *= d;
      w.flopsPerImage = 2.0 * w.rowsPerImage * w.cols * w.depth;
      w.bytesPerImage = bytesPerImage(in) + outBytes;
      if (auto q = dyn_cast<QConv2DOp>(op); q && q.getResidual())
        w.bytesPerImage += bytesPerImage(q.getResidual().getType());
      for (Value v : op->getOperands().drop_front())
        if (isConstant(v))
          w.fixedBytes += tensorBytes(v.getType());
      if (const json::Array *tile = k->getArray("tile");
          tile && tile->size() >= 2) {
        w.tileM = (*tile)[0].getAsInteger().value_or(64);
        w.tileN = (*tile)[1].getAsInteger().value_or(64);
        // The kernel pads K to whole k-tiles (the first conv's 27 -> 64).
        if (tile->size() >= 3)
          if (int64_t tk = (*tile)[2].getAsInteger().value_or(0); tk > 0)
            w.depth = ceilDiv(w.depth, tk) * tk;
      }
      (void)gy;
    } else {
      // A streaming kernel: its operands and result, once.
      w.strategy = Strategy::Simt;
      w.format = "-";
      w.threadsPerImage = rows * gy * std::max<unsigned>(1, w.threads) /
                          std::max<int64_t>(1, tileRows);
      w.rowsPerImage = rows;
      w.tileM = tileRows;
      w.tileN = 0;
      w.bytesPerImage = outBytes + arenaInBytes;
    }
    work.push_back(std::move(w));
  }
  return work;
}

Prediction vggq::perf::predict(const KernelWork &k, const Chip &chip,
                               int64_t batch) {
  Prediction r;
  unsigned threads = std::max(1u, k.threads);
  unsigned warps = ceilDiv(threads, 32);
  // Occupancy: CTAs per SM from each resource.
  struct Limit {
    const char *name;
    unsigned ctas;
  };
  unsigned regs = k.registers.value_or(k.tileN ? 128 : 32);
  unsigned regsPerWarp = ceilDiv(regs * 32, 256) * 256;
  unsigned byRegs = chip.regsPerSM / std::max(1u, regsPerWarp * warps);
  // CUDA reserves 1 KB of shared memory per CTA.
  unsigned bySmem = chip.smemPerSM / (k.staticSmem + 1024);
  Limit limits[] = {{"ctas", chip.ctasPerSM},
                    {"threads", chip.threadsPerSM / threads},
                    {"registers", byRegs},
                    {"shared memory", bySmem}};
  Limit best = limits[0];
  for (const Limit &l : limits)
    if (l.ctas < best.ctas)
      best = l;
  r.ctasPerSM = std::max(1u, best.ctas);
  r.limiter = best.name;
  if (!k.registers)
    r.limiter += " (registers assumed)";

  const Precision *p = lookupPrecision(k.format);
  double peak = p ? peakFor(chip, *p) : chip.fp32;
  double flops = k.flopsPerImage * batch;
  double bytes = k.bytesPerImage * batch + k.fixedBytes;
  r.memoryUs = bytes / (chip.hbmTBs * kDramEfficiency * 1e6);
  r.launchUs = kLaunchGapUs;

  if (k.tileN > 0) {
    double rate = 0; // achievable TFLOP/s of the whole chip
    switch (k.strategy) {
    case Strategy::Simt:
      rate = chip.fp32 * kSimtEfficiency;
      break;
    case Strategy::MmaSync:
      rate = peak * chip.mmaSyncEfficiency;
      if (p && p->quantized() && !p->isInteger() && p->bits <= 8 &&
          chip.fp8MmaSyncViaFp16)
        rate = std::min(rate, chip.fp16 * chip.mmaSyncEfficiency);
      break;
    case Strategy::Wgmma:
      rate = peak * chip.wgmmaEfficiency;
      break;
    }
    int64_t m = k.rowsPerImage * batch;
    r.ctas = ceilDiv(m, k.tileM) * ceilDiv(k.cols, k.tileN);
    double perSM = rate * 1e6 / chip.sms; // FLOP per microsecond
    double tileFlops = 2.0 * k.tileM * k.tileN * k.depth;
    int64_t slots = int64_t(chip.sms) * r.ctasPerSM;
    int64_t full = r.ctas / slots, rest = r.ctas % slots;
    // Only the warps that issue MMAs count toward the full rate.
    unsigned mathWarps = ceilDiv(
        std::max(1u, threads - std::min(threads - 1, k.producerThreads)), 32);
    auto waveUs = [&](int64_t perSm) {
      double warpsResident = double(perSm) * mathWarps;
      double factor = std::min(1.0, warpsResident / kWarpsForFullRate);
      return perSm * tileFlops / (perSM * factor);
    };
    r.computeUs = full * waveUs(r.ctasPerSM) +
                  (rest ? waveUs(ceilDiv(rest, chip.sms)) : 0.0);
    r.waves = double(ceilDiv(r.ctas, slots));
    // The work the grid really does: whole tiles, K padded to k-tiles.
    double padded = double(r.ctas) * tileFlops;
    double paddedIdeal = rate > 0 ? padded / (rate * 1e6) : 0;
    r.us = std::max(r.computeUs, r.memoryUs) + r.launchUs;
    if (r.launchUs > std::max(r.computeUs, r.memoryUs))
      r.bound = "launch";
    else if (r.memoryUs >= r.computeUs)
      r.bound = "memory";
    else if (r.computeUs > 1.5 * paddedIdeal)
      r.bound = "latency";
    else if (padded > 1.5 * flops)
      r.bound = "padding";
    else
      r.bound = "compute";
  } else {
    r.ctas = ceilDiv(k.rowsPerImage * batch, std::max<int64_t>(1, k.tileM));
    r.waves = double(ceilDiv(r.ctas, int64_t(chip.sms) * r.ctasPerSM));
    r.us = r.memoryUs + r.launchUs;
    r.bound = r.launchUs > r.memoryUs ? "launch" : "memory";
  }
  r.peakPercent = flops > 0 ? 100.0 * flops / (r.us * 1e6) / peak : 0;
  return r;
}

void vggq::perf::printReport(llvm::raw_ostream &os,
                             llvm::ArrayRef<KernelWork> work, const Chip &chip,
                             int64_t batch, llvm::StringRef model) {
  os << llvm::formatv("vggq performance model: {0} on {1} ({2}, {3} SMs, "
                      "{4:f2} TB/s), batch {5}\n",
                      model, chip.name, chip.arch, chip.sms, chip.hbmTBs,
                      batch);
  os << "predicted, not measured: the formulas and assumptions are in "
        "docs/PERF-MODEL.md\n\n";
  os << llvm::formatv("{0,-30} {1,-9} {2,-7} {3,9} {4,9} {5,5} {6,5} {7,-22} "
                      "{8,7} {9,10} {10,-8} {11,6}\n",
                      "kernel", "strategy", "format", "GFLOP", "MB", "regs",
                      "CTA/SM", "occupancy limit", "waves", "time us", "bound",
                      "%peak");
  double totalFlops = 0, totalUs = 0;
  for (const KernelWork &k : work) {
    Prediction p = predict(k, chip, batch);
    double flops = k.flopsPerImage * batch;
    double mb = (k.bytesPerImage * batch + k.fixedBytes) / 1e6;
    std::string regs = k.registers ? std::to_string(*k.registers) : "?";
    if (k.spills && *k.spills)
      regs += "+spill";
    os << llvm::formatv("{0,-30} {1,-9} {2,-7} {3,9:f2} {4,9:f2} {5,5} {6,5} "
                        "{7,-22} {8,7:f0} {9,10:f1} {10,-8} {11,6:f1}\n",
                        k.kernel, strategyName(k.strategy), k.format,
                        flops / 1e9, mb, regs, p.ctasPerSM, p.limiter, p.waves,
                        p.us, p.bound, p.peakPercent);
    totalFlops += flops;
    totalUs += p.us;
  }
  os << llvm::formatv("{0,-30} {1,-9} {2,-7} {3,9:f2} {4,9} {5,5} {6,5} "
                      "{7,-22} {8,7} {9,10:f1}\n\n",
                      "total", "", "", totalFlops / 1e9, "", "", "", "", "",
                      totalUs);

  // The whole forward at the standard batches, next to the floor and, on a
  // chip with wgmma, the same GEMMs (same tiles) with the other tensor-core
  // instruction: mma.sync kernels projected at wgmma's rate, wgmma kernels
  // (sm_90a) at mma.sync's, so that both are in one table.
  auto has = [&](Strategy s) {
    return llvm::any_of(work,
                        [&](const KernelWork &k) { return k.strategy == s; });
  };
  std::optional<std::pair<Strategy, Strategy>> swap;
  if (chip.wgmmaEfficiency > 0 && has(Strategy::MmaSync))
    swap = {Strategy::MmaSync, Strategy::Wgmma};
  else if (chip.wgmmaEfficiency > 0 && has(Strategy::Wgmma))
    swap = {Strategy::Wgmma, Strategy::MmaSync};
  std::string altTitle =
      swap ? "if " + std::string(strategyName(swap->second)) + " ms" : "";
  os << "whole forward (" << work.size() << " launches):\n";
  os << llvm::formatv("{0,6} {1,14} {2,9} {3,12} {4,14} {5,14}\n", "batch",
                      "predicted ms", "% peak", "images/s", altTitle,
                      "floor ms");
  for (int64_t b : {int64_t(1), int64_t(64), int64_t(512), int64_t(4096)}) {
    double us = 0, altUs = 0, floorUs = 0;
    for (const KernelWork &k : work) {
      us += predict(k, chip, b).us;
      KernelWork w = k;
      if (swap && w.strategy == swap->first)
        w.strategy = swap->second;
      altUs += predict(w, chip, b).us;
      const Precision *p = lookupPrecision(k.format);
      double peak = p ? peakFor(chip, *p) : chip.fp32;
      floorUs += k.flopsPerImage * b / (peak * 1e6);
    }
    double pct = us > 0 ? 100.0 * floorUs / us : 0;
    std::string wg =
        swap ? llvm::formatv("{0:f3}", altUs / 1e3).str() : std::string();
    os << llvm::formatv("{0,6} {1,14:f3} {2,9:f1} {3,12:f0} {4,14} {5,14:f3}\n",
                        b, us / 1e3, pct, b / (us / 1e6), wg, floorUs / 1e3);
  }
}
