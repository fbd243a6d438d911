//===- LayerDump.cpp - CPU reference dumps for the GPU runtime --*- C++ -*-===//
//
// Implements LayerDump.h.
//
//===----------------------------------------------------------------------===//
#include "LayerDump.h"

#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace vggq;
using namespace vggq::run;

namespace {

/// VGGQDMP1 dtype code (Formats.def's CODE; 1 is s32) and element bytes of
/// a tensor.
std::pair<int, unsigned> dtypeOf(const exec::Tensor &t) {
  switch (t.kind) {
  case exec::ElemKind::F32:
    return {static_cast<int>(format::get(format::FormatId::F32).code), 4};
  case exec::ElemKind::I32:
    return {1, 4};
  case exec::ElemKind::Coded:
    break;
  }
  if (!t.precision)
    return {-1, 1};
  return {static_cast<int>(t.precision->code), t.precision->bytes()};
}

const uint8_t *rawData(const exec::Tensor &t) {
  switch (t.kind) {
  case exec::ElemKind::F32:
    return reinterpret_cast<const uint8_t *>(t.f32.data());
  case exec::ElemKind::I32:
    return reinterpret_cast<const uint8_t *>(t.i32.data());
  case exec::ElemKind::Coded:
    break;
  }
  return t.codes.data();
}

template <typename T> void put(llvm::raw_ostream &os, T v) {
  os.write(reinterpret_cast<const char *>(&v), sizeof(T));
}

} // namespace

LayerDumper::LayerDumper(ModuleOp module) : module(module) {
  entries.push_back({"input"});
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.getBody().empty())
    return;
  if (forward.getNumArguments() == 1)
    if (auto in = dyn_cast<RankedTensorType>(forward.getArgumentTypes()[0]))
      inputDims.assign(in.getShape().begin() + 1, in.getShape().end());
  // Values computed from constants only (weights prepared in the graph)
  // never become launches.
  llvm::SmallPtrSet<Operation *, 32> constOnly;
  llvm::StringMap<size_t> byName;
  for (Operation &op : forward.getBody().front()) {
    if (op.getNumResults() != 1 || isa<func::ReturnOp>(op))
      continue;
    bool fromConstants = llvm::all_of(op.getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def && (isa<arith::ConstantOp>(def) || constOnly.contains(def));
    });
    if (fromConstants || isa<arith::ConstantOp>(op)) {
      constOnly.insert(&op);
      continue;
    }
    if (isa<FlattenOp>(op) || lowering::isFusedIntoProducer(&op))
      continue;
    std::string name;
    if (auto l = op.getAttrOfType<StringAttr>("vggq.layer"))
      name = l.getValue().str();
    else if (isa<QuantizeOp>(op) && isa<BlockArgument>(op.getOperand(0)))
      name = kInputQuantizeLayer;
    if (name.empty())
      continue;
    Operation *writer = lowering::kernelResult(&op).getDefiningOp();
    // A name used twice: the runtime compares the last launch of a layer.
    auto [it, fresh] = byName.try_emplace(name, entries.size());
    if (fresh)
      entries.push_back({name});
    for (auto &kv : llvm::make_early_inc_range(byOp))
      if (kv.second == it->second)
        byOp.erase(kv.first);
    byOp[writer] = it->second;
  }
  entries.push_back({"logits"});
}

void LayerDumper::record(Entry &e, const exec::Tensor &t, int64_t images) {
  if (!e.error.empty())
    return;
  auto [dtype, bytes] = dtypeOf(t);
  if (dtype < 0 || t.shape.size() < 2 || t.shape[0] < images) {
    e.error = "unsupported value (element kind or shape)";
    return;
  }
  float scale = t.kind == exec::ElemKind::Coded ? t.scale : 1.0f;
  if (!(scale > 0)) {
    e.error = "quantized value without a per-tensor scale";
    return;
  }
  int64_t channels = t.shape.back();
  int64_t stored = lowering::storedChannels(channels, bytes);
  std::vector<int64_t> dims(t.shape.begin() + 1, t.shape.end());
  dims.back() = stored;
  if (e.dtype >= 0 &&
      (e.dtype != dtype || e.scale != scale || e.dims != dims)) {
    e.error = "dtype, scale or shape changed between batches";
    return;
  }
  e.dtype = dtype, e.scale = scale, e.dims = dims;
  int64_t pixels = images * (t.numElements() / t.shape[0]) / channels;
  const uint8_t *src = rawData(t);
  size_t base = e.data.size();
  e.data.resize(base + size_t(pixels * stored) * bytes, 0);
  for (int64_t p = 0; p < pixels; ++p)
    std::memcpy(&e.data[base + size_t(p * stored) * bytes],
                src + size_t(p * channels) * bytes, size_t(channels) * bytes);
  e.images += images;
}

exec::Observer LayerDumper::observer(int64_t images) {
  return [this, images](Operation *op, const exec::Tensor &result) {
    auto it = byOp.find(op);
    if (it != byOp.end())
      record(entries[it->second], result, images);
  };
}

void LayerDumper::addInput(const float *nhwc, int64_t images) {
  exec::Tensor t;
  t.shape = {images};
  int64_t perImage = 1;
  for (int64_t d : inputDims) {
    t.shape.push_back(d);
    perImage *= d;
  }
  if (inputDims.empty() || perImage <= 0) {
    entries.front().error = "@forward has no static input shape";
    return;
  }
  t.f32.assign(nhwc, nhwc + images * perImage);
  record(entries.front(), t, images);
}

void LayerDumper::addLogits(const exec::Tensor &logits) {
  record(entries.back(), logits, logits.shape.empty() ? 0 : logits.shape[0]);
}

llvm::Error LayerDumper::write(llvm::StringRef path) const {
  uint32_t count = 0;
  for (const Entry &e : entries) {
    if (!e.error.empty())
      return llvm::createStringError("--dump-layers: entry '" + e.name +
                                     "': " + e.error);
    count += e.images > 0;
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write '" + path +
                                   "': " + ec.message());
  os.write("VGGQDMP1", 8);
  put<uint32_t>(os, count);
  for (const Entry &e : entries) {
    if (e.images == 0)
      continue;
    put<uint16_t>(os, uint16_t(e.name.size()));
    os << e.name;
    put<uint8_t>(os, uint8_t(e.dtype));
    put<uint8_t>(os, uint8_t(e.dims.size() + 1));
    put<float>(os, e.scale);
    put<int64_t>(os, e.images);
    for (int64_t d : e.dims)
      put<int64_t>(os, d);
    os.write(reinterpret_cast<const char *>(e.data.data()), e.data.size());
  }
  os.close();
  if (os.has_error())
    return llvm::createStringError("cannot write '" + path +
                                   "': " + os.error().message());
  return llvm::Error::success();
}
