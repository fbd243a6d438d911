//===- Ptx.h - PTX text -> pre-decoded kernels for the emulator -*- C++ -*-===//
//
// The parser of the vggq PTX emulator. A module is a list of kernels; each
// kernel has its parameter layout, its static shared arrays and a vector of
// pre-decoded instructions whose operands are slots of a per-thread register
// file. Immediates and special registers (%tid.x, ...) are slots too: the
// file of one thread is [user registers | special registers | constants],
// so that every source operand is read as R[slot], without a branch.
//
// Anything the parser does not know (opcode, modifier, directive) is a load
// error naming the line, never a silent misexecution.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EMU_PTX_H
#define VGGQ_EMU_PTX_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vggq {
namespace emu {

/// Base operations. The interpreter dispatches on (op << 4 | type class).
enum class Op : uint8_t {
  Nop,
  Mov,
  MovPack,   ///< mov.bN d, {a, b, ...}
  MovUnpack, ///< mov.bN {a, b, ...}, s
  Add,
  Sub,
  MulLo,
  MulHi,
  MulWide,
  MadLo,
  MadWide,
  Div,
  Rem,
  Min,
  Max,
  Neg,
  Abs,
  And,
  Or,
  Xor,
  Not,
  Shl,
  Shr,
  Bfe,
  Bfi,
  Prmt,
  Popc,
  Clz,
  Brev,
  Setp,
  Selp,
  Fma,
  Cvt,        ///< scalar conversions (types in ty / ty2)
  CvtF8x2,    ///< cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32 d, a, b
  CvtF16x2F8, ///< cvt.rn.f16x2.{e4m3x2,e5m2x2} d, a
  CvtF16x2,   ///< cvt.rn.{f16x2,bf16x2}.f32 d, a, b (mode 1: bf16)
  Cvta,
  Ld,
  St,
  CpAsync,
  CpAsyncCommit,
  CpAsyncWait,
  CpAsyncWaitAll,
  Bra,
  Exit,
  Bar, ///< bar.sync / barrier.sync (block collective)
  Ldmatrix,
  Mma,
  Shfl,
  FenceProxy,  ///< fence.proxy.async[.space]: orders generic and async proxies
  WgmmaFence,  ///< wgmma.fence.sync.aligned
  WgmmaCommit, ///< wgmma.commit_group.sync.aligned
  WgmmaWait,   ///< wgmma.wait_group.sync.aligned N (N in c)
  Wgmma,       ///< wgmma.mma_async.sync.aligned.m64nNkK (warp-collective)
  MbarInit,    ///< mbarrier.init.b64 [a+off], b (expected arrival count)
  MbarInval,   ///< mbarrier.inval.b64 [a+off]
  MbarArrive,  ///< mbarrier.arrive[.expect_tx].b64 d, [a+off], b (mode bits)
  MbarExpectTx, ///< mbarrier.expect_tx.b64 [a+off], b
  MbarWait,    ///< mbarrier.{try,test}_wait[.parity].b64 d, [a+off], b
  /// cp.async.bulk...complete_tx::bytes [a+off], [b+off2], c, [va0+va1];
  /// mode: TensorCopy, TensorIm2col (below)
  CpBulk,
  CpBulkStore, ///< cp.async.bulk.tensor.Nd.global.shared::cta.bulk_group
  BulkCommit,  ///< cp.async.bulk.commit_group
  BulkWait,    ///< cp.async.bulk.wait_group[.read] N (N in c)
  Elect,       ///< elect.sync d|d2, e (warp-collective)
  NoEffect,    ///< accepted with no effect here (setmaxnreg, fence.mbarrier_init)
  Count
};

/// Type classes (4 bits).
enum TypeClass : uint8_t {
  TC_U16 = 0,
  TC_S16,
  TC_U32,
  TC_S32,
  TC_U64,
  TC_S64,
  TC_F32,
  TC_F64,
  TC_PRED,
  TC_U8,
  TC_S8,
  TC_F16,
  TC_E4M3,
  TC_E5M2,
  TC_NONE = 15
};

enum Space : uint8_t { SpGeneric, SpGlobal, SpShared, SpParam };

enum Cmp : uint8_t {
  CmpEq, CmpNe, CmpLt, CmpLe, CmpGt, CmpGe,
  CmpLo, CmpLs, CmpHi, CmpHs,
  CmpEqu, CmpNeu, CmpLtu, CmpLeu, CmpGtu, CmpGeu, CmpNum, CmpNan
};
enum BoolOp : uint8_t { BoolNone, BoolAnd, BoolOr, BoolXor };
enum Rnd : uint8_t { RndNone, RndRn, RndRz, RndRm, RndRp, RndRni, RndRzi, RndRmi, RndRpi };

/// Flags.
enum : uint16_t {
  FlSat = 1,
  FlSatfinite = 2,
  FlNaN = 4,   ///< max.NaN / min.NaN
  FlTrans = 8, ///< ldmatrix .trans
  FlNegGuard = 16,
  FlRelu = 32,
  /// The instruction reads or writes registers that a wgmma of the kernel
  /// uses as accumulators (Kernel::regLists[listOff], listLen of them).
  FlWgRegs = 64,
};

/// Mma modes: the operand family.
enum : uint8_t { MmaInt = 0, MmaF8 = 1, MmaF16 = 2, MmaBF16 = 3 };

/// mbarrier modes (bits).
enum : uint8_t {
  MbarModeNoState = 1,  ///< arrive: the state destination is the sink `_`
  MbarModeExpectTx = 2, ///< arrive: .expect_tx (b is the tx count, count 1)
  MbarModeParity = 4,   ///< wait: b is a phase parity (else an arrive state)
  MbarModeTest = 8,     ///< wait: test_wait (else try_wait)
};

/// cp.async.bulk modes (bits); a tensor copy's map is at b + off2 (or the
/// parameter at off2 when space is SpParam), its Instr::vec coordinates
/// are in v[0..3] and vc[0], and an im2col load's offsets in vc[1..3].
enum : uint8_t {
  TensorCopy = 1,   ///< cp.async.bulk.tensor (else a 1D bulk copy)
  TensorIm2col = 2, ///< the .im2col load mode (else .tile)
};

/// Shfl modes.
enum : uint8_t { ShflUp, ShflDown, ShflBfly, ShflIdx };

/// One pre-decoded instruction. Register operands are slots.
struct Instr {
  uint16_t key = 0; ///< (op << 4) | tc, the interpreter's dispatch key
  Op op = Op::Nop;
  uint8_t tc = TC_NONE;  ///< type class of the operation
  uint8_t tc2 = TC_NONE; ///< source type class (cvt), b type (mma)
  uint8_t space = SpGeneric;
  uint8_t cmp = 0, boolop = 0, rnd = 0, mode = 0;
  uint8_t size = 0; ///< memory element bytes; shape for mma
  uint8_t vec = 1;  ///< vector width (ld/st), matrices (ldmatrix)
  uint16_t flags = 0;
  uint32_t guard = 0;    ///< predicate slot; the "true" constant if none
  uint32_t d = 0, d2 = 0; ///< destinations (d2: second predicate / hi)
  uint32_t a = 0, b = 0, c = 0, e = 0; ///< sources
  int64_t off = 0;       ///< address immediate
  int64_t off2 = 0;      ///< second address immediate (cp.async source)
  uint32_t v[4] = {0, 0, 0, 0};  ///< vector data regs (ld/st, pack, D)
  uint32_t va[4] = {0, 0, 0, 0}; ///< mma A
  uint32_t vb[2] = {0, 0};       ///< mma B
  uint32_t vc[4] = {0, 0, 0, 0}; ///< mma C
  uint64_t dmask = ~0ull;        ///< mask of the destination width
  int32_t target = -1;           ///< branch target (instruction index)
  int32_t line = 0;
  /// wgmma: N, the A and B type classes, and the D registers (N/2 slots at
  /// Kernel::regLists[listOff]); a = descriptor A, b = descriptor B, c =
  /// the scale-d predicate. Another instruction with FlWgRegs: the wgmma
  /// accumulator registers it touches, at the same place.
  uint16_t wgN = 0;
  uint8_t wgA = TC_NONE, wgB = TC_NONE;
  uint32_t listOff = 0, listLen = 0;
};

struct Param {
  std::string name;
  uint32_t size = 0, align = 0, offset = 0;
};

struct SharedVar {
  std::string name;
  uint32_t align = 1, size = 0, offset = 0; ///< offset in the window
  bool dynamic = false;
};

/// Special register slots, right after the user registers.
enum Special : uint32_t {
  SpTidX, SpTidY, SpTidZ, SpNtidX, SpNtidY, SpNtidZ,
  SpCtaidX, SpCtaidY, SpCtaidZ, SpNctaidX, SpNctaidY, SpNctaidZ,
  SpLaneid, SpWarpid, SpNumSpecial
};

struct Kernel {
  std::string name;
  std::vector<Param> params;
  uint32_t paramBytes = 0;
  uint32_t numUserRegs = 0;     ///< user register slots
  uint32_t specialBase = 0;     ///< first special slot
  uint32_t constBase = 0;       ///< first constant slot
  std::vector<uint64_t> consts; ///< values of the constant slots
  uint32_t numSlots = 0;        ///< total slots per thread
  std::vector<Instr> code;
  std::vector<std::string> text; ///< source text per instruction
  uint32_t staticShared = 0;     ///< bytes of static shared (incl. module)
  uint32_t dynamicSharedAlign = 16;
  std::vector<SharedVar> shared;
  unsigned maxntid[3] = {0, 0, 0}; ///< 0: not given
  unsigned reqntid[3] = {0, 0, 0};
  bool usesCollectives = false;
  /// Register lists longer than Instr's fixed arrays (wgmma accumulators).
  std::vector<uint32_t> regLists;
  /// Whether the kernel has wgmma.mma_async; then `wgIndex` numbers the
  /// slots that any wgmma uses as accumulators (-1 for the others), for
  /// the emulator's checks of the wgmma register and proxy rules.
  bool usesWgmma = false;
  std::vector<int32_t> wgIndex;
  uint32_t numWgRegs = 0;
  /// Whether the kernel has mbarrier instructions or cp.async.bulk (then
  /// the emulator keeps mbarrier objects, and for cp.async.bulk which
  /// shared bytes a copy writes until a wait observes its phase).
  bool usesMbarrier = false;
  bool usesBulk = false;
};

struct Module {
  std::vector<Kernel> kernels;
  std::map<std::string, size_t> byName;
  const Kernel *find(const std::string &name) const {
    auto it = byName.find(name);
    return it == byName.end() ? nullptr : &kernels[it->second];
  }
};

/// Base address of the shared window seen by a kernel (nonzero, so that a
/// null pointer faults).
constexpr uint64_t kSharedBase = 0x1000;

/// Base of the window in which the address of a kernel parameter (`mov.b64
/// %rd, param` and cvta.param, as LLVM emits for __grid_constant__
/// parameters) points at the launch's parameter buffer: far above any host
/// address, so that it is never mistaken for global memory.
constexpr uint64_t kParamBase = 0x7E00000000000000ull;

/// Parses PTX text. On error returns false with "line N: message".
bool parsePtx(const std::string &text, Module &module, std::string &error);

} // namespace emu
} // namespace vggq

#endif // VGGQ_EMU_PTX_H
