//===- PlanMemory.cpp - liveness-based static arena planning ----*- C++ -*-===//
//
// --vggq-plan-memory: every buffer the GPU lowering materializes (see
// vggq/Conversion/LayoutRules.h) gets an offset, in bytes per image, in one
// device arena. Live ranges are op indices in @forward's single block, from
// the op that writes a buffer to the last op that reads it, whichever of its
// users that is (a ResNet shortcut stays live while the block's convs run);
// placement is greedy, largest first, at the lowest aligned offset free of
// every already placed buffer whose live range intersects.
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Conversion/Passes.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

namespace vggq {
#define GEN_PASS_DEF_PLANMEMORY
#include "vggq/Conversion/Passes.h.inc"
} // namespace vggq

using namespace mlir;
using namespace vggq;

namespace {

/// One arena buffer: a value and its live range [def, lastUse] in op indices.
struct Buffer {
  Value value;
  int64_t bytes = 0;
  int64_t def = 0, lastUse = 0;
  int64_t offset = -1;
  bool overlapsInTime(const Buffer &o) const {
    return def <= o.lastUse && o.def <= lastUse;
  }
};

int64_t alignTo(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

/// Places `bufs` (already sized) and returns the arena size.
int64_t place(MutableArrayRef<Buffer> bufs, int64_t alignment) {
  SmallVector<Buffer *> order;
  for (Buffer &b : bufs)
    order.push_back(&b);
  std::stable_sort(order.begin(), order.end(),
                   [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
  int64_t peak = 0;
  SmallVector<Buffer *> placed;
  for (Buffer *b : order) {
    // Busy ranges of the placed buffers that are live at the same time.
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (Buffer *p : placed)
      if (p->overlapsInTime(*b))
        busy.push_back({p->offset, p->offset + p->bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + b->bytes <= lo)
        break;
      offset = std::max(offset, alignTo(hi, alignment));
    }
    b->offset = offset;
    placed.push_back(b);
    peak = std::max(peak, offset + b->bytes);
  }
  return peak;
}

struct PlanMemoryPass : public vggq::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getSymName() != "forward" || func.isExternal())
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError("vggq-plan-memory: @forward must have a single block");
      return signalPassFailure();
    }
    if (alignment <= 0 || alignment % 16 != 0) {
      func.emitError("vggq-plan-memory: alignment must be a positive multiple "
                     "of 16, got ")
          << static_cast<int64_t>(alignment);
      return signalPassFailure();
    }
    Block &block = func.getBody().front();
    if (failed(lowering::verifyStaticImageShapes(func, "vggq-plan-memory")))
      return signalPassFailure();
    SmallVector<Buffer> bufs;
    DenseMap<Value, size_t> index; // buffer root -> bufs index

    auto addBuffer = [&](Value v, int64_t def) {
      Buffer b;
      b.value = v;
      b.bytes = alignTo(lowering::bufferBytesPerImage(v), alignment);
      b.def = b.lastUse = def;
      index[v] = bufs.size();
      bufs.push_back(b);
    };
    for (BlockArgument arg : block.getArguments())
      if (isa<RankedTensorType>(arg.getType()))
        addBuffer(arg, 0);

    // Each op's index, and where its kernel runs (a deferred FP32 residual
    // chain at its add, LayoutRules' kernelPosition).
    DenseMap<Operation *, int64_t> opIndex;
    int64_t pos = 0;
    for (Operation &op : block)
      opIndex[&op] = ++pos;
    for (Operation &op : block) {
      int64_t at = opIndex[lowering::kernelPosition(&op)];
      // Uses extend live ranges (through flatten aliases).
      for (Value operand : op.getOperands()) {
        auto it = index.find(lowering::bufferRoot(operand));
        if (it != index.end())
          bufs[it->second].lastUse = std::max(bufs[it->second].lastUse, at);
      }
      if (isa<arith::ConstantOp, FlattenOp>(op) ||
          lowering::isFusedIntoProducer(&op))
        continue;
      if (op.getNumResults() == 1 &&
          isa<RankedTensorType>(op.getResult(0).getType()))
        addBuffer(lowering::kernelResult(&op), at);
    }
    // Returned values live to the end.
    for (Value v : block.getTerminator()->getOperands()) {
      auto it = index.find(lowering::bufferRoot(v));
      if (it != index.end())
        bufs[it->second].lastUse = pos + 1;
    }

    int64_t peak = place(bufs, alignment);
    Builder b(&getContext());
    for (Buffer &buf : bufs) {
      auto off = b.getI64IntegerAttr(buf.offset);
      auto size = b.getI64IntegerAttr(buf.bytes);
      if (auto arg = dyn_cast<BlockArgument>(buf.value)) {
        func.setArgAttr(arg.getArgNumber(), "vggq.offset_per_image", off);
        func.setArgAttr(arg.getArgNumber(), "vggq.bytes_per_image", size);
        continue;
      }
      Operation *def = buf.value.getDefiningOp();
      def->setAttr("vggq.offset_per_image", off);
      def->setAttr("vggq.bytes_per_image", size);
    }
    func->setAttr(
        "vggq.arena",
        b.getDictionaryAttr(
            {b.getNamedAttr("alignment", b.getI64IntegerAttr(alignment)),
             b.getNamedAttr("bytes_per_image", b.getI64IntegerAttr(peak))}));
    numBuffers = bufs.size();
    peakBytesPerImage = peak;
    double mib = static_cast<double>(peak) * batch / (1024.0 * 1024.0);
    emitRemark(func.getLoc())
        << "vggq-plan-memory: " << bufs.size() << " buffers, arena peak "
        << peak << " bytes per image (" << llvm::formatv("{0:F1}", mib).str()
        << " MiB at batch " << static_cast<int64_t>(batch) << ")";
  }
};

} // namespace
