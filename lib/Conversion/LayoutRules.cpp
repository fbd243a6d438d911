//===- LayoutRules.cpp - device buffer layout and fusion rules --*- C++ -*-===//
//
// Implements vggq/Conversion/LayoutRules.h: buffer sizes, fusion analysis and
// the per-layer tile choice shared by --vggq-plan-memory and
// --vggq-lower-to-gpu.
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/LayoutRules.h"
#include "vggq/Dialect/VGGQ/IR/VGGQOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace vggq {
namespace lowering {

unsigned elementBytes(Type type) {
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits <= 8 ? 1 : (bits + 7) / 8;
}

int64_t storedChannels(int64_t channels, unsigned elemBytes) {
  int64_t perGranule = elemBytes >= 4 ? 1 : 4 / elemBytes;
  return (channels + perGranule - 1) / perGranule * perGranule;
}

int64_t bufferBytesPerImage(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  unsigned eb = elementBytes(type.getElementType());
  int64_t n = 1;
  ArrayRef<int64_t> shape = type.getShape();
  for (size_t i = 1; i < shape.size(); ++i)
    n *= i + 1 == shape.size() ? storedChannels(shape[i], eb) : shape[i];
  return n * eb;
}

LogicalResult verifyStaticImageShapes(func::FuncOp func, StringRef pass) {
  auto check = [&](Type type, Location loc, StringRef what) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t)
      return success();
    for (int64_t i = 1; i < t.getRank(); ++i)
      if (ShapedType::isDynamic(t.getDimSize(i)))
        return emitError(loc) << pass << ": " << what << " type " << t
                              << " has a dynamic size in dimension " << i
                              << "; only the batch (dimension 0) may be "
                                 "dynamic";
    return success();
  };
  for (BlockArgument arg : func.getArguments())
    if (failed(check(arg.getType(), func.getLoc(), "input")))
      return failure();
  WalkResult r = func.walk([&](Operation *op) {
    for (Value v : op->getResults())
      if (failed(check(v.getType(), op->getLoc(), "result")))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(r.wasInterrupted());
}

bool isGemmOp(Operation *op) {
  return isa<Conv2DOp, QConv2DOp, LinearOp, QLinearOp>(op);
}

static bool isConv(Operation *op) { return isa<Conv2DOp, QConv2DOp>(op); }

GemmShape getGemmShape(Operation *op) {
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  auto w = cast<RankedTensorType>(op->getOperand(1).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  unsigned eb = elementBytes(in.getElementType());
  GemmShape s;
  s.n = w.getDimSize(0);
  if (isConv(op)) {
    s.outH = out.getDimSize(1);
    s.outW = out.getDimSize(2);
    s.rowsPerImage = s.outH * s.outW;
    s.k = w.getDimSize(1) * w.getDimSize(2) *
          storedChannels(in.getDimSize(3), eb);
  } else {
    s.outH = s.outW = s.rowsPerImage = 1;
    s.k = storedChannels(in.getDimSize(1), eb);
  }
  return s;
}

TileConfig selectTile(Operation *op) {
  GemmShape s = getGemmShape(op);
  Type inElem =
      cast<RankedTensorType>(op->getOperand(0).getType()).getElementType();
  TileConfig t;
  if (elementBytes(inElem) == 4) {
    // CUDA-core FP32: 16x16 threads, each a 4x4 micro-tile; BK = 16 floats
    // (64 bytes, one swizzled row of 4 x 16-byte chunks).
    t.bm = 64;
    t.bn = 64;
    t.bk = 16;
    t.threads = 256;
    t.warpsM = t.warpsN = 0;
  } else {
    // Tensor cores: 4 warps (2 x 2), warp tile (BM/2) x (BN/2); BM * BN <=
    // 8192 keeps the accumulators at <= 64 registers per thread. Wide
    // layers get the wide N tile, narrow ones more rows.
    // BK: one 64-byte swizzled row of K per stage (GemmKernel.h).
    t.bk = 64 / elementBytes(inElem);
    if (s.n >= 128) {
      t.bm = 64;
      t.bn = 128;
    } else if (s.n > 32) {
      t.bm = 128;
      t.bn = 64;
    } else {
      t.bm = s.rowsPerImage == 1 ? 64 : 128;
      t.bn = 32;
    }
  }
  int64_t kTiles = (s.k + t.bk - 1) / t.bk;
  t.stages = kTiles >= 3 ? 3 : 2;
  return t;
}

/// The single user of `v`, or nullptr.
static Operation *singleUser(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  return *v.getUsers().begin();
}

/// Whether `v` has a buffer of its own that is written before `op` runs: a
/// block argument of `op`'s block or the result of an earlier non-constant
/// op there (an operand of `op` that is the result of a fused chain's inner
/// op cannot be: those have one user, the next op of their chain).
static bool materializedBefore(Value v, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == op->getBlock();
  Operation *def = v.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op) &&
         !isa<arith::ConstantOp>(def);
}

/// Whether `other`, an operand of `add`, is the result (or the relu of the
/// result) of an FP32 GEMM after `gemm` that has `add` as its chain's only
/// user: that later GEMM fuses the add, and `gemm` keeps its own buffer.
static bool laterGemmClaims(Value other, Operation *gemm) {
  if (!other.hasOneUse())
    return false;
  Operation *def = other.getDefiningOp();
  if (def && isa<ReluOp>(def) && def->getOperand(0).hasOneUse())
    def = def->getOperand(0).getDefiningOp();
  return def && isa<Conv2DOp, LinearOp>(def) && gemm->isBeforeInBlock(def);
}

FusedChain analyzeChain(Operation *gemm) {
  FusedChain c;
  c.gemm = gemm;
  c.result = gemm->getResult(0);
  if (auto q = dyn_cast<QConv2DOp>(gemm)) {
    if (q.hasResidual()) {
      c.residual = q.getResidual();
      return c;
    }
  }
  if (isa<Conv2DOp, LinearOp>(gemm)) {
    if (auto relu = dyn_cast_or_null<ReluOp>(singleUser(c.result))) {
      c.relu = relu;
      c.result = relu.getResult();
    }
    if (auto add = dyn_cast_or_null<AddOp>(singleUser(c.result))) {
      Value other = add.getLhs() == c.result ? add.getRhs() : add.getLhs();
      if (other != c.result && materializedBefore(other, add) &&
          !laterGemmClaims(other, gemm)) {
        c.add = add;
        c.residual = other;
        c.result = add.getResult();
        if (auto relu = dyn_cast_or_null<ReluOp>(singleUser(c.result))) {
          c.sumRelu = relu;
          c.result = relu.getResult();
        }
        return c;
      }
    }
  }
  if (!isConv(gemm))
    return c;
  auto pool = dyn_cast_or_null<MaxPool2DOp>(singleUser(c.result));
  if (!pool)
    return c;
  GemmShape s = getGemmShape(gemm);
  TileConfig t = selectTile(gemm);
  bool window =
      pool.getKernel() == ArrayRef<int64_t>{2, 2} &&
      pool.getStrides() == ArrayRef<int64_t>{2, 2} && !pool.isDilated() &&
      llvm::all_of(pool.getPadding(), [](int64_t p) { return p == 0; });
  if (window && s.outH % 2 == 0 && s.outW % 2 == 0 &&
      t.bm % (2 * s.outW) == 0) {
    c.pool = pool;
    c.result = pool.getResult();
  }
  return c;
}

/// The GEMMs whose chain could hold `op`: those reached from its operands
/// through at most three relu/add links (the longest chain is
/// gemm, relu, add, relu).
static void chainCandidates(Value v, int depth,
                            SmallVectorImpl<Operation *> &out) {
  Operation *def = v.getDefiningOp();
  if (!def || depth == 0)
    return;
  if (isGemmOp(def)) {
    out.push_back(def);
    return;
  }
  if (isa<ReluOp, AddOp>(def))
    for (Value operand : def->getOperands())
      chainCandidates(operand, depth - 1, out);
}

/// The relu fused into the kernel of a standalone vggq.add, or nullptr.
static Operation *standaloneAddRelu(AddOp add) {
  return dyn_cast_or_null<ReluOp>(singleUser(add.getResult()));
}

bool isFusedIntoProducer(Operation *op) {
  if (!isa<ReluOp, MaxPool2DOp, AddOp>(op))
    return false;
  SmallVector<Operation *> gemms;
  for (Value operand : op->getOperands())
    chainCandidates(operand, 3, gemms);
  for (Operation *gemm : gemms) {
    FusedChain c = analyzeChain(gemm);
    if (c.relu == op || c.pool == op || c.add == op || c.sumRelu == op)
      return true;
  }
  if (auto add = op->getOperand(0).getDefiningOp<AddOp>())
    return !isFusedIntoProducer(add) && standaloneAddRelu(add) == op;
  return false;
}

Operation *kernelPosition(Operation *op) {
  if (isGemmOp(op))
    if (Operation *add = analyzeChain(op).add)
      return add;
  return op;
}

Value kernelResult(Operation *op) {
  if (isGemmOp(op))
    return analyzeChain(op).result;
  if (auto add = dyn_cast<AddOp>(op))
    if (Operation *relu = standaloneAddRelu(add))
      return relu->getResult(0);
  return op->getResult(0);
}

Value bufferRoot(Value v) {
  while (auto flat = v.getDefiningOp<FlattenOp>())
    v = flat.getInput();
  return v;
}

std::string sanitizeName(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return s;
}

} // namespace lowering
} // namespace vggq
