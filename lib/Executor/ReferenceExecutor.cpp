//===- ReferenceExecutor.cpp - the CPU reference executor -----------------===//
//
// create() turns the entry function into a list of steps over value slots,
// checking every op and decoding the constants once; run() interprets the
// steps, frees every intermediate after its last use and tracks the peak of
// live activation bytes.
//
//===----------------------------------------------------------------------===//

#include "vggq/Executor/ReferenceExecutor.h"

#include "Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

using namespace vggq;
using namespace vggq::exec;
using namespace vggq::exec::detail;

namespace {
struct Step {
  mlir::Operation *op;
  llvm::SmallVector<int, 5> operands;
  int result;
  llvm::SmallVector<int, 2> freeAfter; ///< slots whose last use is here
};
} // namespace

struct ReferenceExecutor::Impl {
  std::vector<Step> steps;
  std::vector<Tensor> slots;
  std::vector<bool> isConstant;
  std::vector<int> argSlots, resultSlots;
  std::vector<mlir::RankedTensorType> argTypes;
  size_t constBytes = 0, peak = 0;
};

ReferenceExecutor::ReferenceExecutor(std::unique_ptr<Impl> impl)
    : impl(std::move(impl)) {}
ReferenceExecutor::~ReferenceExecutor() = default;

/// Whether the executor can hold values of `type`.
static bool isSupportedType(mlir::Type type) {
  auto t = llvm::dyn_cast<mlir::RankedTensorType>(type);
  if (!t)
    return false;
  mlir::Type e = t.getElementType();
  return e.isF32() || e.isInteger(32) || isQuantStorageType(e);
}

llvm::Expected<std::unique_ptr<ReferenceExecutor>>
ReferenceExecutor::create(mlir::ModuleOp module, llvm::StringRef entry) {
  auto func = llvm::dyn_cast_or_null<mlir::func::FuncOp>(
      mlir::SymbolTable::lookupSymbolIn(module, entry));
  if (!func || func.isExternal())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "the module has no function @%s with a body",
                                   entry.str().c_str());
  if (!func.getBody().hasOneBlock())
    return opError(func, "must have a single block");

  auto impl = std::make_unique<Impl>();
  llvm::DenseMap<mlir::Value, int> slotOf;
  auto newSlot = [&](mlir::Value v, bool constant) {
    slotOf[v] = static_cast<int>(impl->slots.size());
    impl->slots.emplace_back();
    impl->isConstant.push_back(constant);
    return slotOf[v];
  };
  for (mlir::BlockArgument arg : func.getArguments()) {
    if (!isSupportedType(arg.getType()))
      return opError(func, "argument #" + llvm::Twine(arg.getArgNumber()) +
                               " has an unsupported type");
    impl->argSlots.push_back(newSlot(arg, false));
    impl->argTypes.push_back(llvm::cast<mlir::RankedTensorType>(arg.getType()));
  }

  for (mlir::Operation &op : func.getBody().front()) {
    if (auto ret = llvm::dyn_cast<mlir::func::ReturnOp>(op)) {
      for (mlir::Value v : ret.getOperands())
        impl->resultSlots.push_back(slotOf.lookup(v));
      break;
    }
    if (auto cst = llvm::dyn_cast<mlir::arith::ConstantOp>(op)) {
      auto t = decodeConstant(&op);
      if (!t)
        return t.takeError();
      int s = newSlot(cst.getResult(), true);
      impl->constBytes += t->byteSize();
      impl->slots[s] = std::move(*t);
      continue;
    }
    if (!isGraphOp(&op) && !isQuantOp(&op))
      return opError(&op, "is not supported by the reference executor");
    if (op.getNumResults() != 1 || op.getNumRegions() != 0)
      return opError(&op, "must have one result and no regions");
    Step step{&op, {}, -1, {}};
    for (mlir::Value v : op.getOperands()) {
      if (!isSupportedType(v.getType()))
        return opError(&op, "has an operand of unsupported type");
      step.operands.push_back(slotOf.lookup(v));
    }
    if (!isSupportedType(op.getResult(0).getType()))
      return opError(&op, "has a result of unsupported type");
    step.result = newSlot(op.getResult(0), false);
    impl->steps.push_back(std::move(step));
  }

  // Liveness: a slot dies after its last use, unless it is a constant or a
  // function result.
  std::vector<int> lastUse(impl->slots.size(), -1);
  for (size_t i = 0; i < impl->steps.size(); ++i)
    for (int s : impl->steps[i].operands)
      lastUse[s] = static_cast<int>(i);
  for (int s : impl->resultSlots)
    lastUse[s] = -2;
  for (size_t s = 0; s < lastUse.size(); ++s)
    if (!impl->isConstant[s] && lastUse[s] >= 0)
      impl->steps[lastUse[s]].freeAfter.push_back(static_cast<int>(s));
  return std::unique_ptr<ReferenceExecutor>(
      new ReferenceExecutor(std::move(impl)));
}

/// Whether `t` can be the value of an argument of type `type`.
static bool matchesType(const Tensor &t, mlir::RankedTensorType type) {
  if (static_cast<int64_t>(t.shape.size()) != type.getRank())
    return false;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (!type.isDynamicDim(i) && type.getDimSize(i) != t.shape[i])
      return false;
  mlir::Type e = type.getElementType();
  if (e.isF32())
    return t.kind == ElemKind::F32 &&
           t.f32.size() == static_cast<size_t>(t.numElements());
  if (e.isInteger(32))
    return t.kind == ElemKind::I32 &&
           t.i32.size() == static_cast<size_t>(t.numElements());
  return t.kind == ElemKind::Coded && t.precision == lookupPrecision(e) &&
         t.codes.size() == static_cast<size_t>(t.numElements()) * t.codeBytes();
}

llvm::Expected<std::vector<Tensor>>
ReferenceExecutor::run(const std::vector<Tensor> &inputs,
                       const Observer &observer) {
  Impl &m = *impl;
  if (inputs.size() != m.argSlots.size())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "expected %zu inputs, got %zu",
                                   m.argSlots.size(), inputs.size());
  size_t live = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!matchesType(inputs[i], m.argTypes[i])) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << m.argTypes[i];
      return llvm::createStringError(std::errc::invalid_argument,
                                     "input #%zu of shape %s does not match %s",
                                     i, shapeString(inputs[i].shape).c_str(),
                                     s.c_str());
    }
    m.slots[m.argSlots[i]] = inputs[i];
    live += inputs[i].byteSize();
  }
  m.peak = std::max(m.peak, live);

  auto release = [&](int s) {
    live -= m.slots[s].byteSize();
    m.slots[s] = Tensor();
  };
  llvm::SmallVector<const Tensor *, 5> ins;
  for (const Step &step : m.steps) {
    ins.clear();
    for (int s : step.operands)
      ins.push_back(&m.slots[s]);
    auto result = isGraphOp(step.op) ? runGraphOp(step.op, ins)
                                     : runQuantOp(step.op, ins);
    if (!result) {
      for (size_t s = 0; s < m.slots.size(); ++s)
        if (!m.isConstant[s])
          m.slots[s] = Tensor();
      return result.takeError();
    }
    live += result->byteSize();
    m.peak = std::max(m.peak, live);
    m.slots[step.result] = std::move(*result);
    if (observer)
      observer(step.op, m.slots[step.result]);
    for (int s : step.freeAfter)
      release(s);
  }

  std::vector<Tensor> results;
  for (int s : m.resultSlots)
    results.push_back(m.slots[s]);
  for (size_t s = 0; s < m.slots.size(); ++s)
    if (!m.isConstant[s])
      m.slots[s] = Tensor();
  return results;
}

size_t ReferenceExecutor::peakActivationBytes() const { return impl->peak; }
size_t ReferenceExecutor::constantBytes() const { return impl->constBytes; }
