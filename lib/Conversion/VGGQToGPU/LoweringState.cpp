//===- LoweringState.cpp - shared state of --vggq-lower-to-gpu --*- C++ -*-===//
//
// The host launch function, the weight blob and the plan attributes.
//
//===----------------------------------------------------------------------===//
#include "LoweringState.h"
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace vggq {
namespace lowering {

constexpr int64_t kWeightAlign = 256;

LoweringState::LoweringState(ModuleOp module, func::FuncOp forward,
                             StringRef chip, unsigned sm)
    : module(module), forward(forward), b(module.getContext()),
      chip(chip.str()), sm(sm) {
  MLIRContext *ctx = module.getContext();
  Location loc = forward.getLoc();
  module->setAttr("gpu.container_module", UnitAttr::get(ctx));
  b.setInsertionPointToStart(module.getBody());
  ptxVersion = requiredPtxVersion(forward, sm, chip.ends_with("a"));
  auto target =
      NVVM::NVVMTargetAttr::get(ctx, /*optLevel=*/2, "nvptx64-nvidia-cuda",
                                chip, "+ptx" + std::to_string(ptxVersion));
  gpuModule = gpu::GPUModuleOp::create(b, loc, "vggq_kernels",
                                       b.getArrayAttr({target}));
  b.setInsertionPointAfter(gpuModule);
  Type gptr = LLVM::LLVMPointerType::get(ctx, kGlobalSpace);
  host =
      func::FuncOp::create(b, loc, "vggq_forward",
                           b.getFunctionType({gptr, gptr, b.getI32Type()}, {}));
  b.setInsertionPointToStart(host.addEntryBlock());
}

std::string LoweringState::kernelName(StringRef kind, Operation *op) {
  std::string base = "vggq_" + kind.str();
  if (auto layer = op->getAttrOfType<StringAttr>("vggq.layer"))
    base += "_" + sanitizeName(layer.getValue());
  std::string name = base;
  for (int i = 1; gpuModule.lookupSymbol(name); ++i)
    name = base + "_" + std::to_string(i);
  return name;
}

FailureOr<int64_t> LoweringState::offsetOf(Value v) {
  v = bufferRoot(v);
  IntegerAttr attr;
  if (auto arg = dyn_cast<BlockArgument>(v))
    attr = forward.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(),
                                                 "vggq.offset_per_image");
  else
    attr =
        v.getDefiningOp()->getAttrOfType<IntegerAttr>("vggq.offset_per_image");
  if (!attr)
    return failure();
  return attr.getInt();
}

int64_t LoweringState::addWeights(StringRef name, StringRef dtype,
                                  ArrayRef<char> bytes) {
  int64_t offset =
      (blob.size() + kWeightAlign - 1) / kWeightAlign * kWeightAlign;
  blob.resize(offset, 0);
  blob.insert(blob.end(), bytes.begin(), bytes.end());
  regions.push_back(b.getDictionaryAttr(
      {b.getNamedAttr("name", b.getStringAttr(name)),
       b.getNamedAttr("offset", b.getI64IntegerAttr(offset)),
       b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes.size())),
       b.getNamedAttr("dtype", b.getStringAttr(dtype))}));
  return offset;
}

void LoweringState::launch(gpu::GPUFuncOp kernel, Operation *op,
                           int64_t rowsPerImage, int64_t tileRows,
                           int64_t gridY, int64_t threads,
                           ArrayRef<LaunchArg> args, Value result,
                           std::optional<float> outScale) {
  Location loc = op->getLoc();
  Block &entry = host.getBody().front();
  Value arena = entry.getArgument(0), weights = entry.getArgument(1),
        batch = entry.getArgument(2);
  Value batchIdx = arith::IndexCastOp::create(b, loc, b.getIndexType(), batch);
  Value rows = arith::MulIOp::create(
      b, loc, batchIdx, arith::ConstantIndexOp::create(b, loc, rowsPerImage));
  Value gx = arith::CeilDivUIOp::create(
      b, loc, rows, arith::ConstantIndexOp::create(b, loc, tileRows));
  auto cIdx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };

  SmallVector<Value> operands;
  SmallVector<Attribute> descs;
  Type i8 = b.getI8Type();
  for (const LaunchArg &a : args) {
    switch (a.kind) {
    case LaunchArg::Arena: {
      Value b64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), batch);
      Value off = arith::MulIOp::create(
          b, loc, b64, arith::ConstantIntOp::create(b, loc, a.offset, 64));
      operands.push_back(LLVM::GEPOp::create(b, loc, arena.getType(), i8, arena,
                                             ValueRange{off}));
      descs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("kind", b.getStringAttr("arena")),
           b.getNamedAttr("offset_per_image", b.getI64IntegerAttr(a.offset))}));
      break;
    }
    case LaunchArg::Weights: {
      Value off = arith::ConstantIntOp::create(b, loc, a.offset, 64);
      operands.push_back(LLVM::GEPOp::create(b, loc, weights.getType(), i8,
                                             weights, ValueRange{off}));
      descs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("kind", b.getStringAttr("weights")),
           b.getNamedAttr("offset", b.getI64IntegerAttr(a.offset))}));
      break;
    }
    case LaunchArg::TensorMap:
    case LaunchArg::ArenaTensorMap: {
      // The kernel takes the map by value; the host IR passes the tensor it
      // describes, and the plan records the map for the runtime to encode.
      bool overArena = a.kind == LaunchArg::ArenaTensorMap;
      Value off = arith::ConstantIntOp::create(b, loc, a.offset, 64);
      if (overArena) {
        Value b64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), batch);
        off = arith::MulIOp::create(b, loc, b64, off);
      }
      Value base = overArena ? arena : weights;
      Value at = LLVM::GEPOp::create(b, loc, base.getType(), i8, base,
                                     ValueRange{off});
      operands.push_back(LLVM::AddrSpaceCastOp::create(
          b, loc, LLVM::LLVMPointerType::get(ctx(), 0), at));
      const TensorMapDesc &m = a.map;
      descs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("kind", b.getStringAttr("tensor_map")),
           overArena ? b.getNamedAttr("offset_per_image",
                                      b.getI64IntegerAttr(a.offset))
                     : b.getNamedAttr("offset", b.getI64IntegerAttr(a.offset)),
           b.getNamedAttr("elem_bytes", b.getI64IntegerAttr(m.elemBytes)),
           b.getNamedAttr("dims", b.getDenseI64ArrayAttr(m.dims)),
           b.getNamedAttr("strides", b.getDenseI64ArrayAttr(m.strides)),
           b.getNamedAttr("box", b.getDenseI64ArrayAttr(m.box)),
           b.getNamedAttr("swizzle", b.getI64IntegerAttr(m.swizzleBytes))}));
      break;
    }
    case LaunchArg::Batch:
      operands.push_back(batch);
      descs.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("kind", b.getStringAttr("batch"))}));
      break;
    }
  }
  auto launchOp = gpu::LaunchFuncOp::create(
      b, loc, kernel, gpu::KernelDim3{gx, cIdx(gridY), cIdx(1)},
      gpu::KernelDim3{cIdx(threads), cIdx(1), cIdx(1)}, Value(), operands);
  StringRef layer = "";
  if (auto l = op->getAttrOfType<StringAttr>("vggq.layer"))
    layer = l.getValue();
  launchOp->setAttr("vggq.layer", b.getStringAttr(layer));
  SmallVector<NamedAttribute> grid = {
      b.getNamedAttr("rows_per_image", b.getI64IntegerAttr(rowsPerImage)),
      b.getNamedAttr("tile_rows", b.getI64IntegerAttr(tileRows)),
      b.getNamedAttr("y", b.getI64IntegerAttr(gridY)),
      b.getNamedAttr("z", b.getI64IntegerAttr(1))};
  // A persistent kernel (GemmSpec::persistent) loops over the tiles of any
  // grid: the one above has a block per tile, and the runtime launches
  // min(tiles, SMs x `persistent`) blocks instead.
  if (auto blocksPerSM = kernel->getAttrOfType<IntegerAttr>("vggq.persistent"))
    grid.push_back(b.getNamedAttr("persistent", blocksPerSM));
  launchOp->setAttr("vggq.grid", b.getDictionaryAttr(grid));
  launchOp->setAttr("vggq.args", b.getArrayAttr(descs));
  int64_t outOffset = args.back().kind == LaunchArg::Batch
                          ? args[args.size() - 2].offset
                          : args.back().offset;
  launchOp->setAttr("vggq.out", bufferDesc(b, result, outOffset, outScale));
}

void LoweringState::finish(Value input, Value output) {
  Location loc = forward.getLoc();
  func::ReturnOp::create(b, loc);
  MLIRContext *ctx = module.getContext();
  auto withModuleAttr = [&](DictionaryAttr d, StringRef key, StringRef attr) {
    NamedAttrList list(d);
    if (Attribute a = module->getAttr(attr))
      list.set(key, a);
    return list.getDictionary(ctx);
  };
  DictionaryAttr in = bufferDesc(b, input, *offsetOf(input), std::nullopt);
  in = withModuleAttr(in, "mean", "vggq.input_mean");
  in = withModuleAttr(in, "std", "vggq.input_std");
  host->setAttr("vggq.input", in);
  host->setAttr("vggq.output",
                bufferDesc(b, output, *offsetOf(output), std::nullopt));
  if (Attribute arena = forward->getAttr("vggq.arena"))
    host->setAttr("vggq.arena", arena);
  module->setAttr("vggq.chip", b.getStringAttr(chip));
  module->setAttr("vggq.ptx_version", b.getI64IntegerAttr(ptxVersion));
  module->setAttr(
      "vggq.weights",
      b.getDictionaryAttr(
          {b.getNamedAttr("bytes", b.getI64IntegerAttr(blob.size())),
           b.getNamedAttr("regions", b.getArrayAttr(regions))}));
  if (!blob.empty()) {
    auto type = RankedTensorType::get({static_cast<int64_t>(blob.size())},
                                      b.getI8Type());
    module->setAttr("vggq.weights_blob",
                    DenseResourceElementsAttr::get(
                        type, "vggq_weights",
                        HeapAsmResourceBlob::allocateAndCopyInferAlign(
                            ArrayRef<char>(blob))));
  }
  forward.erase();
}

StringRef dtypeName(Type t) {
  if (t.isInteger(32))
    return "s32";
  if (const Precision *p = lookupPrecision(t))
    return p->rtName;
  return "unknown";
}

unsigned requiredPtxVersion(func::FuncOp forward, unsigned sm,
                            bool archSpecific) {
  // The first PTX ISA version of each architecture (PTX ISA, "PTX Versions").
  unsigned v = sm >= 90   ? (archSpecific ? 80 : 78)
               : sm >= 89 ? 78
               : sm >= 87 ? 74
               : sm >= 86 ? 71
                          : 70;
  auto visit = [&](Type t) {
    if (auto rt = dyn_cast<RankedTensorType>(t))
      if (const Precision *p = lookupPrecision(rt.getElementType()))
        v = std::max(v, p->minPtx);
  };
  for (Type t : forward.getArgumentTypes())
    visit(t);
  forward.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      visit(t);
  });
  return v;
}

std::optional<float> storageScale(Value v) {
  auto scalar = [](std::optional<APFloat> s) -> std::optional<float> {
    if (!s)
      return std::nullopt;
    return s->convertToFloat();
  };
  while (Operation *def = v.getDefiningOp()) {
    if (auto q = dyn_cast<QuantizeOp>(def)) {
      if (q.getAxis() || q.getScales().size() != 1 || q.hasZeroPoint())
        return std::nullopt;
      return q.getScales()[0];
    }
    if (auto c = dyn_cast<QConv2DOp>(def))
      return scalar(c.hasResidual() ? c.getSumScale() : c.getOutputScale());
    if (auto l = dyn_cast<QLinearOp>(def))
      return scalar(l.getOutputScale());
    if (auto a = dyn_cast<QAddOp>(def))
      return a.getOutputScale().convertToFloat();
    if (auto p = dyn_cast<AvgPool2DOp>(def))
      return scalar(p.getOutputScale());
    if (auto r = dyn_cast<RequantizeOp>(def))
      return r.getOutScale().convertToFloat();
    auto commuting = dyn_cast<QuantCommutingOpInterface>(def);
    if (!commuting)
      return std::nullopt;
    v = commuting.getDataInput();
  }
  return std::nullopt;
}

DictionaryAttr bufferDesc(Builder &b, Value v, int64_t offset,
                          std::optional<float> scale) {
  auto type = cast<RankedTensorType>(v.getType());
  Type elem = type.getElementType();
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = -1;
  shape.back() = storedChannels(shape.back(), elementBytes(elem));
  SmallVector<NamedAttribute> attrs{
      b.getNamedAttr("offset_per_image", b.getI64IntegerAttr(offset)),
      b.getNamedAttr("shape", b.getDenseI64ArrayAttr(shape)),
      b.getNamedAttr("dtype", b.getStringAttr(dtypeName(elem)))};
  if (scale)
    attrs.push_back(b.getNamedAttr("scale", b.getF32FloatAttr(*scale)));
  return b.getDictionaryAttr(attrs);
}

} // namespace lowering
} // namespace vggq
