//===- Ptx.cpp - PTX text -> pre-decoded kernels for the emulator ---------===//
//
// A small lexer and a recursive-descent parser for the PTX subset that vggq
// (and nvcc for the runtime's tests) emits. Every opcode and modifier is
// checked against what the interpreter implements; anything else is an error
// that names the line.
//
//===----------------------------------------------------------------------===//
#include "Ptx.h"

#include <algorithm>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

using namespace vggq::emu;

namespace {

struct Token {
  enum Kind { Word, Punct, String, End } kind = End;
  std::string text;
  int line = 0;
};

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
         c == '$' || c == '%';
}

bool lex(const std::string &s, std::vector<Token> &out, std::string &error) {
  int line = 1;
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c)) || c == 0) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      while (i < n && s[i] != '\n')
        ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      i += 2;
      while (i + 1 < n && !(s[i] == '*' && s[i + 1] == '/')) {
        if (s[i] == '\n')
          ++line;
        ++i;
      }
      i += 2;
      continue;
    }
    Token t;
    t.line = line;
    if (c == '"') {
      size_t j = i + 1;
      while (j < n && s[j] != '"' && s[j] != '\n')
        ++j;
      t.kind = Token::String;
      t.text = s.substr(i + 1, j - i - 1);
      i = j + 1;
    } else if (isWordChar(c)) {
      size_t j = i;
      while (j < n) {
        if (isWordChar(s[j])) {
          ++j;
        } else if (s[j] == ':' && j + 2 < n && s[j + 1] == ':' &&
                   isWordChar(s[j + 2])) {
          j += 2; // .shared::cta, .L2::cache_hint
        } else {
          break;
        }
      }
      t.kind = Token::Word;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (std::strchr(",;{}[]()+-|!@:<>=", c)) {
      t.kind = Token::Punct;
      t.text = std::string(1, c);
      ++i;
    } else {
      error = "line " + std::to_string(line) + ": unexpected character '" +
              std::string(1, c) + "'";
      return false;
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  out.push_back(end);
  return true;
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

/// Type name (without the dot) -> class and bits. False if not a type.
bool typeOf(const std::string &t, uint8_t &tc, unsigned &bits) {
  static const struct {
    const char *name;
    uint8_t tc;
    unsigned bits;
  } types[] = {
      {"b8", TC_U8, 8},     {"u8", TC_U8, 8},      {"s8", TC_S8, 8},
      {"b16", TC_U16, 16},  {"u16", TC_U16, 16},   {"s16", TC_S16, 16},
      {"b32", TC_U32, 32},  {"u32", TC_U32, 32},   {"s32", TC_S32, 32},
      {"b64", TC_U64, 64},  {"u64", TC_U64, 64},   {"s64", TC_S64, 64},
      {"f16", TC_F16, 16},  {"f32", TC_F32, 32},   {"f64", TC_F64, 64},
      {"pred", TC_PRED, 1}, {"e4m3", TC_E4M3, 8},  {"e5m2", TC_E5M2, 8},
      {"f16x2", TC_U32, 32}, {"bf16", TC_U16, 16}, {"bf16x2", TC_U32, 32},
  };
  for (const auto &ty : types)
    if (t == ty.name) {
      tc = ty.tc;
      bits = ty.bits;
      return true;
    }
  return false;
}

uint64_t maskOf(unsigned bits) {
  return bits >= 64 ? ~0ull : bits == 1 ? 1ull : ((1ull << bits) - 1);
}

/// Parses an integer or float-bits literal. False if not a number.
bool parseNumber(const std::string &w, uint64_t &v) {
  if (w.empty() || !std::isdigit(static_cast<unsigned char>(w[0])))
    return false;
  const char *p = w.c_str();
  char *end = nullptr;
  if (w.size() == 10 && (w[1] == 'f' || w[1] == 'F') && w[0] == '0') {
    v = std::strtoull(p + 2, &end, 16);
    return *end == 0;
  }
  if (w.size() == 18 && (w[1] == 'd' || w[1] == 'D') && w[0] == '0') {
    v = std::strtoull(p + 2, &end, 16);
    return *end == 0;
  }
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
    v = std::strtoull(p + 2, &end, 16);
  else if (w.size() > 2 && w[0] == '0' && (w[1] == 'b' || w[1] == 'B'))
    v = std::strtoull(p + 2, &end, 2);
  else if (w.size() > 1 && w[0] == '0')
    v = std::strtoull(p + 1, &end, 8);
  else
    v = std::strtoull(p, &end, 10);
  if (*end == 'U' || *end == 'u')
    ++end;
  return *end == 0;
}

constexpr uint32_t kConstTag = 0x80000000u;
constexpr uint32_t kSpecialTag = 0x40000000u;
/// Registers one kernel may declare (virtual registers, before allocation).
constexpr uint64_t kMaxRegisters = 1u << 20;

/// A parsed operand before it becomes slots.
struct Opnd {
  enum Kind { None, Reg, Imm, Addr, Vec, Label, Pair } kind = None;
  uint32_t slot = 0;           ///< Reg (or base of Addr, or first of Pair)
  uint32_t slot2 = 0;          ///< second of Pair (d|p)
  uint64_t imm = 0;            ///< Imm value
  bool immIsSym = false;       ///< Imm came from a symbol
  int64_t off = 0;             ///< Addr offset
  int addrSpace = -1;          ///< param/shared symbol base, -1: register
  bool neg = false;            ///< !%p
  std::vector<uint32_t> elems; ///< Vec
  std::string label;
};

class Parser {
public:
  Parser(const std::vector<Token> &toks, Module &m, std::string &err)
      : t(toks), mod(m), error(err) {}

  bool run();

private:
  const std::vector<Token> &t;
  Module &mod;
  std::string &error;
  size_t pos = 0;
  std::vector<SharedVar> moduleShared;
  uint32_t moduleSharedBytes = 0;

  // Per kernel.
  Kernel *k = nullptr;
  struct Scope {
    std::map<std::string, std::pair<uint32_t, uint32_t>> ranges; // prefix
    std::map<std::string, uint32_t> names;
  };
  std::vector<Scope> scopes;
  std::vector<uint8_t> regBits;
  std::map<uint64_t, uint32_t> constIndex;
  std::vector<uint64_t> constVals;
  std::map<std::string, int32_t> labels;
  std::vector<std::pair<size_t, std::string>> branchFixups;
  std::map<std::string, uint32_t> sharedAddr; // name -> window address
  /// The kernel's .extern .shared names: each is the start of the dynamic
  /// window, after the static arrays at the widest extern alignment, which
  /// is known once the whole kernel is parsed (finishKernel fills it in).
  std::set<std::string> dynamicShared;
  uint32_t dynamicConst = ~0u; ///< its index in constVals, ~0u: unused

  /// The constant slot holding the dynamic window's address.
  uint32_t dynamicSlot() {
    if (dynamicConst == ~0u) {
      dynamicConst = static_cast<uint32_t>(constVals.size());
      constVals.push_back(0); // not in constIndex: no other constant shares it
    }
    return kConstTag | dynamicConst;
  }
  std::map<std::string, uint32_t> paramOffset;
  /// The user register slots each instruction names (parallel to k->code),
  /// and those of the instruction being parsed.
  std::vector<std::vector<uint32_t>> named;
  std::vector<uint32_t> curNamed;
  /// A scratch register that the sink `_` names as a destination (one per
  /// kernel, allocated on first use).
  uint32_t sink = ~0u;

  /// The sink register slot.
  uint32_t sinkSlot() {
    if (sink == ~0u) {
      sink = static_cast<uint32_t>(regBits.size());
      regBits.push_back(64);
    }
    return sink;
  }

  const Token &peek(size_t ahead = 0) const {
    return t[std::min(pos + ahead, t.size() - 1)];
  }
  bool isPunct(const char *p, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Punct && peek(ahead).text == p;
  }
  bool fail(int line, const std::string &msg) {
    error = "line " + std::to_string(line) + ": " + msg;
    return false;
  }
  bool expectPunct(const char *p) {
    if (!isPunct(p))
      return fail(peek().line, std::string("expected '") + p + "', found '" +
                                   peek().text + "'");
    ++pos;
    return true;
  }
  bool expectNumber(uint64_t &v) {
    if (peek().kind != Token::Word || !parseNumber(peek().text, v))
      return fail(peek().line, "expected a number, found '" + peek().text + "'");
    ++pos;
    return true;
  }

  uint32_t constSlot(uint64_t v) {
    auto it = constIndex.find(v);
    if (it != constIndex.end())
      return it->second;
    uint32_t s = kConstTag | static_cast<uint32_t>(constVals.size());
    constVals.push_back(v);
    constIndex[v] = s;
    return s;
  }

  bool parseModuleShared();
  bool parseEntry();
  bool parseParams();
  bool parseBody();
  bool parseRegDecl();
  bool parseSharedDecl(bool isExtern, bool moduleScope);
  bool parseInstruction();
  bool parseOperand(Opnd &o);
  bool lookupReg(const std::string &name, uint32_t &slot, unsigned &bits);
  bool finishKernel(int line);
  bool decode(const std::string &opcode, std::vector<Opnd> &ops, Instr &in,
              int line, std::string &label);
};

bool Parser::lookupReg(const std::string &name, uint32_t &slot,
                       unsigned &bits) {
  static const std::map<std::string, uint32_t> specials = {
      {"%tid.x", SpTidX},       {"%tid.y", SpTidY},
      {"%tid.z", SpTidZ},       {"%ntid.x", SpNtidX},
      {"%ntid.y", SpNtidY},     {"%ntid.z", SpNtidZ},
      {"%ctaid.x", SpCtaidX},   {"%ctaid.y", SpCtaidY},
      {"%ctaid.z", SpCtaidZ},   {"%nctaid.x", SpNctaidX},
      {"%nctaid.y", SpNctaidY}, {"%nctaid.z", SpNctaidZ},
      {"%laneid", SpLaneid},    {"%warpid", SpWarpid}};
  auto sp = specials.find(name);
  if (sp != specials.end()) {
    slot = kSpecialTag | sp->second;
    bits = 32;
    return true;
  }
  size_t d = name.size();
  while (d > 0 && std::isdigit(static_cast<unsigned char>(name[d - 1])))
    --d;
  for (auto s = scopes.rbegin(); s != scopes.rend(); ++s) {
    auto it = s->names.find(name);
    if (it != s->names.end()) {
      slot = it->second;
      bits = regBits[slot];
      curNamed.push_back(slot);
      return true;
    }
    if (d < name.size() && d > 0) {
      auto r = s->ranges.find(name.substr(0, d));
      if (r != s->ranges.end()) {
        uint64_t idx = std::strtoull(name.c_str() + d, nullptr, 10);
        if (idx < r->second.second) {
          slot = r->second.first + static_cast<uint32_t>(idx);
          bits = regBits[slot];
          curNamed.push_back(slot);
          return true;
        }
      }
    }
  }
  return false;
}

bool Parser::run() {
  // Like the driver's JIT: a module starts with .version, then names its
  // .target; this device is sm_90 (sm_90a included), so a newer target is
  // refused.
  bool sawVersion = false, sawTarget = false;
  while (peek().kind != Token::End) {
    const Token &tok = peek();
    if (tok.kind != Token::Word)
      return fail(tok.line, "unexpected '" + tok.text + "' at module scope");
    const std::string &w = tok.text;
    if (!sawVersion && w != ".version")
      return fail(tok.line, "the module does not start with a .version directive");
    if (sawVersion && !sawTarget && w != ".target")
      return fail(tok.line, "no .target directive after .version");
    if (w == ".version" || w == ".address_size") {
      sawVersion = true;
      pos += 2;
    } else if (w == ".target") {
      sawTarget = true;
      ++pos;
      const Token &t = peek();
      if (t.text.rfind("sm_", 0) == 0) {
        int sm = std::atoi(t.text.c_str() + 3);
        if (sm > 90)
          return fail(t.line, "the PTX targets " + t.text +
                                  "; this emulated device is sm_90");
      }
      ++pos;
      while (isPunct(",")) {
        pos += 2;
      }
    } else if (w == ".visible" || w == ".weak") {
      ++pos;
    } else if (w == ".entry") {
      if (!parseEntry())
        return false;
    } else if (w == ".func") {
      // A device function (LLVM keeps helpers that it also inlined): the
      // emulator has no `call`, so its body is skipped; a kernel that calls
      // it fails to load at the call.
      int line = tok.line;
      ++pos;
      int parens = 0;
      while (peek().kind != Token::End && !(parens == 0 && isPunct("{")) &&
             !(parens == 0 && isPunct(";"))) {
        parens += isPunct("(") - isPunct(")");
        ++pos;
      }
      if (isPunct("{")) {
        int depth = 0;
        do {
          depth += isPunct("{") - isPunct("}");
          ++pos;
        } while (depth > 0 && peek().kind != Token::End);
        if (depth > 0)
          return fail(line, "unterminated .func body");
      } else if (!expectPunct(";")) {
        return false;
      }
    } else if (w == ".shared") {
      if (!parseSharedDecl(false, true))
        return false;
    } else if (w == ".extern") {
      if (peek(1).text == ".shared") {
        ++pos;
        if (!parseSharedDecl(true, true))
          return false;
      } else {
        return fail(tok.line, "unsupported directive '.extern " +
                                  peek(1).text + "' (only .extern .shared)");
      }
    } else {
      return fail(tok.line, "unsupported module-scope directive '" + w + "'");
    }
  }
  if (!sawVersion || !sawTarget)
    return fail(1, "not a PTX module (no .version and .target directives)");
  return true;
}

bool Parser::parseSharedDecl(bool isExtern, bool moduleScope) {
  int line = peek().line;
  ++pos; // .shared
  SharedVar v;
  uint32_t elemBytes = 1;
  while (peek().kind == Token::Word && peek().text[0] == '.') {
    const std::string &w = peek().text;
    if (w == ".align") {
      ++pos;
      uint64_t a;
      if (!expectNumber(a))
        return false;
      v.align = static_cast<uint32_t>(a);
    } else {
      uint8_t tc;
      unsigned bits;
      if (!typeOf(w.substr(1), tc, bits))
        return fail(line, "unsupported .shared attribute '" + w + "'");
      elemBytes = bits / 8;
      if (v.align < elemBytes)
        v.align = elemBytes;
      ++pos;
    }
  }
  if (peek().kind != Token::Word)
    return fail(line, "expected a .shared variable name");
  v.name = peek().text;
  ++pos;
  uint64_t count = 1;
  if (isPunct("[")) {
    ++pos;
    if (isPunct("]")) {
      if (!isExtern)
        return fail(line, "unsized .shared array '" + v.name + "' must be .extern");
      count = 0;
    } else if (!expectNumber(count)) {
      return false;
    }
    if (!expectPunct("]"))
      return false;
  }
  if (isPunct("="))
    return fail(line, ".shared variable '" + v.name + "' with an initializer");
  if (!expectPunct(";"))
    return false;
  v.size = static_cast<uint32_t>(count * elemBytes);
  if (v.align == 0 || (v.align & (v.align - 1)))
    return fail(line, "bad alignment for '" + v.name + "'");
  v.dynamic = isExtern;
  if (isExtern && v.size)
    return fail(line, ".extern .shared '" + v.name + "' must be unsized");
  if (moduleScope) {
    if (!isExtern) {
      moduleSharedBytes = (moduleSharedBytes + v.align - 1) & ~(v.align - 1);
      v.offset = moduleSharedBytes;
      moduleSharedBytes += v.size;
    }
    moduleShared.push_back(v);
    return true;
  }
  if (isExtern) {
    if (v.align > k->dynamicSharedAlign)
      k->dynamicSharedAlign = v.align;
    dynamicShared.insert(v.name);
  } else {
    k->staticShared = (k->staticShared + v.align - 1) & ~(v.align - 1);
    v.offset = k->staticShared;
    k->staticShared += v.size;
    sharedAddr[v.name] = static_cast<uint32_t>(kSharedBase + v.offset);
  }
  k->shared.push_back(v);
  return true;
}

bool Parser::parseParams() {
  if (!expectPunct("("))
    return false;
  uint32_t offset = 0;
  while (!isPunct(")")) {
    int line = peek().line;
    if (peek().text != ".param")
      return fail(line, "expected .param in the kernel parameter list");
    ++pos;
    Param p;
    uint32_t elem = 0, explicitAlign = 0;
    while (peek().kind == Token::Word && peek().text[0] == '.') {
      const std::string &w = peek().text;
      uint8_t tc;
      unsigned bits;
      if (w == ".align") {
        ++pos;
        uint64_t a;
        if (!expectNumber(a))
          return false;
        explicitAlign = static_cast<uint32_t>(a);
        continue;
      }
      if (w == ".ptr" || w == ".global" || w == ".shared" || w == ".const" ||
          w == ".local") {
        // .ptr .global .align N: attributes of the pointee, not the param.
        if (w == ".ptr") {
          ++pos;
          while (peek().kind == Token::Word && peek().text[0] == '.') {
            if (peek().text == ".align") {
              pos += 2;
            } else {
              ++pos;
            }
          }
          continue;
        }
        ++pos;
        continue;
      }
      if (!typeOf(w.substr(1), tc, bits) || bits < 8)
        return fail(line, "unsupported parameter attribute '" + w + "'");
      elem = bits / 8;
      ++pos;
    }
    if (!elem)
      return fail(line, "parameter without a type");
    if (peek().kind != Token::Word)
      return fail(line, "expected a parameter name");
    p.name = peek().text;
    ++pos;
    uint64_t count = 1;
    if (isPunct("[")) {
      ++pos;
      if (!expectNumber(count) || !expectPunct("]"))
        return false;
    }
    p.align = explicitAlign ? explicitAlign : elem;
    p.size = static_cast<uint32_t>(count * elem);
    offset = (offset + p.align - 1) & ~(p.align - 1);
    p.offset = offset;
    offset += p.size;
    paramOffset[p.name] = p.offset;
    k->params.push_back(p);
    if (isPunct(","))
      ++pos;
  }
  ++pos; // )
  k->paramBytes = offset;
  return true;
}

bool Parser::parseEntry() {
  int line = peek().line;
  ++pos; // .entry
  if (peek().kind != Token::Word)
    return fail(line, "expected a kernel name after .entry");
  mod.kernels.emplace_back();
  k = &mod.kernels.back();
  k->name = peek().text;
  ++pos;
  scopes.clear();
  regBits.clear();
  constIndex.clear();
  constVals.clear();
  labels.clear();
  branchFixups.clear();
  sharedAddr.clear();
  dynamicShared.clear();
  dynamicConst = ~0u;
  paramOffset.clear();
  named.clear();
  sink = ~0u;
  // Module-scope shared arrays come first in every kernel's window.
  for (const SharedVar &v : moduleShared) {
    if (v.dynamic) {
      if (v.align > k->dynamicSharedAlign)
        k->dynamicSharedAlign = v.align;
      dynamicShared.insert(v.name);
    } else {
      sharedAddr[v.name] = static_cast<uint32_t>(kSharedBase + v.offset);
    }
    k->shared.push_back(v);
  }
  k->staticShared = moduleSharedBytes;
  if (isPunct("(") && !parseParams())
    return false;
  // Performance directives.
  while (peek().kind == Token::Word && peek().text[0] == '.') {
    const std::string w = peek().text;
    int l = peek().line;
    ++pos;
    if (w == ".maxntid" || w == ".reqntid") {
      unsigned *dst = w == ".maxntid" ? k->maxntid : k->reqntid;
      dst[1] = dst[2] = 1;
      for (int i = 0; i < 3; ++i) {
        uint64_t v;
        if (!expectNumber(v))
          return false;
        dst[i] = static_cast<unsigned>(v);
        if (!isPunct(","))
          break;
        ++pos;
      }
    } else if (w == ".minnctapersm" || w == ".maxnreg" || w == ".maxnctapersm") {
      uint64_t v;
      if (!expectNumber(v))
        return false;
    } else if (w == ".pragma") {
      if (peek().kind == Token::String)
        ++pos;
      if (!expectPunct(";"))
        return false;
    } else if (w == ".noreturn") {
    } else {
      return fail(l, "unsupported kernel directive '" + w + "'");
    }
  }
  if (!isPunct("{"))
    return fail(peek().line, "expected '{' to open the body of '" + k->name + "'");
  if (!parseBody())
    return false;
  return finishKernel(line);
}

bool Parser::parseRegDecl() {
  int line = peek().line;
  ++pos; // .reg
  uint8_t tc;
  unsigned bits = 0;
  while (peek().kind == Token::Word && peek().text[0] == '.') {
    if (peek().text == ".v2" || peek().text == ".v4")
      return fail(line, "vector registers are not supported");
    if (!typeOf(peek().text.substr(1), tc, bits))
      return fail(line, "unsupported register type '" + peek().text + "'");
    ++pos;
  }
  if (!bits)
    return fail(line, ".reg without a type");
  for (;;) {
    if (peek().kind != Token::Word)
      return fail(line, "expected a register name");
    std::string name = peek().text;
    ++pos;
    if (isPunct("<")) {
      ++pos;
      uint64_t n;
      if (!expectNumber(n) || !expectPunct(">"))
        return false;
      // ptxas itself caps a kernel far below this; it bounds the memory
      // that a declaration can make the parser allocate.
      if (n == 0 || n > kMaxRegisters ||
          regBits.size() + n > kMaxRegisters)
        return fail(line, ".reg " + name + "<" + std::to_string(n) +
                              ">: more than " + std::to_string(kMaxRegisters) +
                              " registers in one kernel");
      uint32_t base = static_cast<uint32_t>(regBits.size());
      regBits.resize(regBits.size() + n, static_cast<uint8_t>(bits));
      scopes.back().ranges[name] = {base, static_cast<uint32_t>(n)};
    } else {
      scopes.back().names[name] = static_cast<uint32_t>(regBits.size());
      regBits.push_back(static_cast<uint8_t>(bits));
    }
    if (isPunct(",")) {
      ++pos;
      continue;
    }
    return expectPunct(";");
  }
}

bool Parser::parseBody() {
  ++pos; // {
  scopes.emplace_back();
  // Labels are block-scoped (inline-asm blocks repeat theirs): branches in
  // this block to its labels are resolved when it closes, and the labels
  // of enclosing blocks stay visible.
  std::map<std::string, int32_t> outerLabels = labels;
  size_t fixStart = branchFixups.size();
  while (true) {
    const Token &tok = peek();
    if (tok.kind == Token::End)
      return fail(tok.line, "unexpected end of file in '" + k->name + "'");
    if (tok.kind == Token::Punct && tok.text == "}") {
      ++pos;
      scopes.pop_back();
      size_t keep = fixStart;
      for (size_t i = fixStart; i < branchFixups.size(); ++i) {
        auto it = labels.find(branchFixups[i].second);
        if (it != labels.end())
          k->code[branchFixups[i].first].target = it->second;
        else // a label of an enclosing block, defined further down
          branchFixups[keep++] = branchFixups[i];
      }
      branchFixups.resize(keep);
      labels = std::move(outerLabels);
      return true;
    }
    if (tok.kind == Token::Punct && tok.text == "{") {
      if (!parseBody())
        return false;
      continue;
    }
    if (tok.kind == Token::Word && tok.text == ".reg") {
      if (!parseRegDecl())
        return false;
      continue;
    }
    if (tok.kind == Token::Word && tok.text == ".shared") {
      if (!parseSharedDecl(false, false))
        return false;
      continue;
    }
    if (tok.kind == Token::Word && tok.text == ".pragma") {
      ++pos;
      if (peek().kind == Token::String)
        ++pos;
      if (!expectPunct(";"))
        return false;
      continue;
    }
    if (tok.kind == Token::Word && tok.text[0] == '.')
      return fail(tok.line, "unsupported directive '" + tok.text + "' in '" +
                                k->name + "'");
    if (tok.kind == Token::Word && isPunct(":", 1)) {
      labels[tok.text] = static_cast<int32_t>(k->code.size());
      pos += 2;
      continue;
    }
    if (!parseInstruction())
      return false;
  }
}

bool Parser::parseOperand(Opnd &o) {
  int line = peek().line;
  if (isPunct("[")) {
    ++pos;
    o.kind = Opnd::Addr;
    if (peek().kind != Token::Word)
      return fail(line, "bad address operand");
    std::string w = peek().text;
    ++pos;
    unsigned bits;
    uint64_t num;
    if (lookupReg(w, o.slot, bits)) {
      if (bits != 64 && bits != 32)
        return fail(line, "address register '" + w + "' is not 32/64-bit");
    } else if (paramOffset.count(w)) {
      o.addrSpace = SpParam;
      o.off = paramOffset[w];
    } else if (sharedAddr.count(w)) {
      o.addrSpace = SpShared;
      o.slot = constSlot(sharedAddr[w]);
    } else if (dynamicShared.count(w)) {
      o.addrSpace = SpShared;
      o.slot = dynamicSlot();
    } else if (parseNumber(w, num)) {
      o.slot = constSlot(0);
      o.off = static_cast<int64_t>(num);
    } else {
      return fail(line, "unknown symbol or register '" + w + "' in address");
    }
    if (isPunct("+") || isPunct("-")) {
      bool neg = isPunct("-");
      ++pos;
      if (isPunct("-")) {
        neg = !neg;
        ++pos;
      }
      uint64_t v;
      if (!expectNumber(v))
        return false;
      o.off += neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    }
    if (isPunct(",")) { // [tensorMap, {c0, c1, ...}] (cp.async.bulk.tensor)
      ++pos;
      if (!expectPunct("{"))
        return false;
      while (true) {
        uint32_t s;
        if (peek().kind != Token::Word)
          return fail(line, "bad tensor coordinate");
        if (parseNumber(peek().text, num))
          s = constSlot(num);
        else if (!lookupReg(peek().text, s, bits))
          return fail(line, "unknown register '" + peek().text + "'");
        o.elems.push_back(s);
        ++pos;
        if (isPunct(",")) {
          ++pos;
          continue;
        }
        if (!expectPunct("}"))
          return false;
        break;
      }
    }
    return expectPunct("]");
  }
  if (isPunct("{")) {
    ++pos;
    o.kind = Opnd::Vec;
    while (true) {
      uint32_t s;
      unsigned bits;
      if (peek().kind != Token::Word)
        return fail(line, "bad vector operand");
      if (peek().text == "_") {
        s = constSlot(0); // sink
      } else if (!lookupReg(peek().text, s, bits)) {
        return fail(line, "unknown register '" + peek().text + "'");
      }
      o.elems.push_back(s);
      ++pos;
      if (isPunct(",")) {
        ++pos;
        continue;
      }
      return expectPunct("}");
    }
  }
  bool neg = false, bang = false;
  if (isPunct("-")) {
    neg = true;
    ++pos;
  } else if (isPunct("!")) {
    bang = true;
    ++pos;
  }
  if (peek().kind != Token::Word)
    return fail(line, "bad operand '" + peek().text + "'");
  std::string w = peek().text;
  ++pos;
  uint64_t num;
  unsigned bits;
  if (parseNumber(w, num)) {
    o.kind = Opnd::Imm;
    o.imm = neg ? (0 - num) : num;
    return true;
  }
  if (neg)
    return fail(line, "'-' before a non-number '" + w + "'");
  if (w == "_" && !bang) { // the sink: a destination that is discarded
    o.kind = Opnd::Reg;
    o.slot = sinkSlot();
    o.label = "_";
    if (isPunct("|")) {
      ++pos;
      if (peek().kind != Token::Word || !lookupReg(peek().text, o.slot2, bits))
        return fail(line, "bad second destination after '|'");
      ++pos;
      o.kind = Opnd::Pair;
    }
    return true;
  }
  if (lookupReg(w, o.slot, bits)) {
    o.kind = Opnd::Reg;
    o.neg = bang;
    if (isPunct("|")) {
      ++pos;
      if (peek().kind != Token::Word || !lookupReg(peek().text, o.slot2, bits))
        return fail(line, "bad second destination after '|'");
      ++pos;
      o.kind = Opnd::Pair;
    }
    return true;
  }
  if (bang)
    return fail(line, "'!' before a non-register '" + w + "'");
  if (sharedAddr.count(w)) {
    o.kind = Opnd::Imm;
    o.imm = sharedAddr[w];
    o.immIsSym = true;
    return true;
  }
  if (dynamicShared.count(w)) { // its address is a constant of the kernel
    o.kind = Opnd::Reg;
    o.slot = dynamicSlot();
    return true;
  }
  if (paramOffset.count(w)) { // the address of a kernel parameter
    o.kind = Opnd::Imm;
    o.imm = kParamBase + paramOffset[w];
    o.immIsSym = true;
    return true;
  }
  if (w[0] == '%')
    return fail(line, "unknown register '" + w + "'");
  o.kind = Opnd::Label;
  o.label = w;
  return true;
}

bool Parser::parseInstruction() {
  int line = peek().line;
  size_t startTok = pos;
  Instr in;
  in.line = line;
  in.guard = constSlot(1);
  curNamed.clear();
  if (isPunct("@")) {
    ++pos;
    bool negate = false;
    if (isPunct("!")) {
      negate = true;
      ++pos;
    }
    unsigned bits;
    if (peek().kind != Token::Word || !lookupReg(peek().text, in.guard, bits) ||
        bits != 1)
      return fail(line, "bad guard predicate '" + peek().text + "'");
    ++pos;
    if (negate)
      in.flags |= FlNegGuard;
  }
  if (peek().kind != Token::Word)
    return fail(line, "expected an instruction, found '" + peek().text + "'");
  std::string opcode = peek().text;
  ++pos;
  std::vector<Opnd> ops;
  while (!isPunct(";")) {
    if (peek().kind == Token::End)
      return fail(line, "missing ';' after '" + opcode + "'");
    Opnd o;
    if (!parseOperand(o))
      return false;
    ops.push_back(std::move(o));
    if (isPunct(","))
      ++pos;
    else if (!isPunct(";"))
      return fail(line, "expected ',' or ';' in '" + opcode + "', found '" +
                            peek().text + "'");
  }
  size_t endTok = pos;
  ++pos; // ;
  std::string label;
  if (!decode(opcode, ops, in, line, label))
    return false;
  if (!label.empty())
    branchFixups.push_back({k->code.size(), label});
  // Source text for diagnostics.
  std::string text;
  for (size_t i = startTok; i < endTok; ++i) {
    const Token &tk = t[i];
    bool glue = text.empty() || tk.text == "," || tk.text == "]" ||
                tk.text == "}" || tk.text == "|" || tk.text == "+" ||
                (i > startTok && (t[i - 1].text == "[" || t[i - 1].text == "{" ||
                                  t[i - 1].text == "@" || t[i - 1].text == "!" ||
                                  t[i - 1].text == "|" || t[i - 1].text == "+" ||
                                  (t[i - 1].text == "-" && i >= 2 &&
                                   t[i - 2].text == "+")));
    if (!glue)
      text += ' ';
    text += tk.text;
  }
  text += ';';
  k->code.push_back(in);
  k->text.push_back(text);
  named.push_back(curNamed);
  return true;
}

bool Parser::finishKernel(int line) {
  // A trailing implicit exit so that falling off the end is defined.
  Instr ex;
  ex.op = Op::Exit;
  ex.guard = constSlot(1);
  ex.line = line;
  k->code.push_back(ex);
  k->text.push_back("(end of kernel)");
  for (auto &f : branchFixups) {
    auto it = labels.find(f.second);
    if (it == labels.end())
      return fail(k->code[f.first].line, "unknown label '" + f.second + "'");
    k->code[f.first].target = it->second;
  }
  if (dynamicConst != ~0u) { // as Emulator::launch places the window
    uint32_t a = k->dynamicSharedAlign;
    constVals[dynamicConst] =
        kSharedBase + ((k->staticShared + a - 1) & ~(a - 1));
  }
  k->numUserRegs = static_cast<uint32_t>(regBits.size());
  k->specialBase = k->numUserRegs;
  k->constBase = k->specialBase + SpNumSpecial;
  k->consts = constVals;
  k->numSlots = k->constBase + static_cast<uint32_t>(constVals.size());
  auto fix = [&](uint32_t &s) {
    if (s & kConstTag)
      s = k->constBase + (s & ~kConstTag);
    else if (s & kSpecialTag)
      s = k->specialBase + (s & ~kSpecialTag);
  };
  for (Instr &in : k->code) {
    fix(in.guard);
    fix(in.d);
    fix(in.d2);
    fix(in.a);
    fix(in.b);
    fix(in.c);
    fix(in.e);
    for (auto &s : in.v)
      fix(s);
    for (auto &s : in.va)
      fix(s);
    for (auto &s : in.vb)
      fix(s);
    for (auto &s : in.vc)
      fix(s);
    for (uint32_t i = 0; i < in.listLen; ++i)
      fix(k->regLists[in.listOff + i]);
    in.key = static_cast<uint16_t>((unsigned(in.op) << 4) | (in.tc & 15));
    if (in.op == Op::Ldmatrix || in.op == Op::Mma || in.op == Op::Shfl ||
        in.op == Op::Wgmma || in.op == Op::Elect)
      k->usesCollectives = true;
    if (in.op == Op::MbarInit || in.op == Op::MbarInval ||
        in.op == Op::MbarArrive || in.op == Op::MbarExpectTx ||
        in.op == Op::MbarWait || in.op == Op::CpBulk)
      k->usesMbarrier = true;
    if (in.op == Op::CpBulk || in.op == Op::CpBulkStore ||
        in.op == Op::BulkCommit || in.op == Op::BulkWait)
      k->usesBulk = true;
  }
  // The wgmma accumulator registers, and which other instructions touch
  // them (the emulator checks those accesses against wgmma.fence and
  // wgmma.wait_group).
  k->wgIndex.assign(k->numUserRegs, -1);
  for (const Instr &in : k->code)
    if (in.op == Op::Wgmma) {
      k->usesWgmma = true;
      for (uint32_t i = 0; i < in.listLen; ++i) {
        uint32_t s = k->regLists[in.listOff + i];
        if (s < k->numUserRegs && k->wgIndex[s] < 0)
          k->wgIndex[s] = static_cast<int32_t>(k->numWgRegs++);
      }
    }
  if (k->usesWgmma)
    for (size_t i = 0; i < named.size() && i < k->code.size(); ++i) {
      Instr &in = k->code[i];
      if (in.op == Op::Wgmma)
        continue;
      std::vector<uint32_t> wg;
      for (uint32_t s : named[i])
        if (s < k->numUserRegs && k->wgIndex[s] >= 0 &&
            std::find(wg.begin(), wg.end(), s) == wg.end())
          wg.push_back(s);
      if (wg.empty())
        continue;
      in.flags |= FlWgRegs;
      in.listOff = static_cast<uint32_t>(k->regLists.size());
      in.listLen = static_cast<uint32_t>(wg.size());
      k->regLists.insert(k->regLists.end(), wg.begin(), wg.end());
    }
  mod.byName[k->name] = mod.kernels.size() - 1;
  k = nullptr;
  return true;
}

} // namespace

#include "PtxDecode.inc"

bool vggq::emu::parsePtx(const std::string &text, Module &module,
                         std::string &error) {
  std::vector<Token> toks;
  if (!lex(text, toks, error))
    return false;
  Parser p(toks, module, error);
  return p.run();
}
