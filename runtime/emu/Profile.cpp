//===- Profile.cpp - performance counters of the PTX emulator -------------===//
//
// The bank and sector models of Profile.h, and the reports (a table and JSON
// lines). The interpreter (Interp.cpp) collects the accesses.
//
//===----------------------------------------------------------------------===//
#include "Profile.h"

#include <algorithm>
#include <cinttypes>
#include <cstring>

using namespace vggq::emu;

const char *vggq::emu::instrClassName(InstrClass c) {
  static const char *names[IcCount] = {
      "mma",    "ldmatrix", "ld.shared", "st.shared", "ld.global",
      "st.global", "cp.async", "cvt", "float", "int",
      "control", "barrier", "other"};
  return c < IcCount ? names[c] : "?";
}

const char *vggq::emu::accessKindName(AccessKind k) {
  static const char *names[AkCount] = {"ldmatrix",  "ld.shared",
                                       "st.shared", "cp.async.dst",
                                       "ld.global", "st.global",
                                       "cp.async.src"};
  return k < AkCount ? names[k] : "?";
}

InstrClass vggq::emu::classify(const Instr &I) {
  switch (I.op) {
  case Op::Mma:
    return IcMma;
  case Op::Ldmatrix:
    return IcLdmatrix;
  case Op::Ld:
    return I.space == SpShared ? IcLdShared
           : I.space == SpParam ? IcOther
                                : IcLdGlobal;
  case Op::St:
    return I.space == SpShared ? IcStShared
           : I.space == SpParam ? IcOther
                                : IcStGlobal;
  case Op::CpAsync:
  case Op::CpAsyncCommit:
  case Op::CpAsyncWait:
  case Op::CpAsyncWaitAll:
  case Op::CpBulk:
    return IcCpAsync;
  case Op::Cvt:
  case Op::CvtF8x2:
  case Op::CvtF16x2:
  case Op::CvtF16x2F8:
    return IcCvt;
  case Op::Bra:
  case Op::Exit:
  case Op::Nop:
    return IcControl;
  case Op::Bar:
  case Op::MbarInit:
  case Op::MbarInval:
  case Op::MbarArrive:
  case Op::MbarExpectTx:
  case Op::MbarWait:
    return IcBarrier;
  case Op::Shfl:
  case Op::Elect:
  case Op::NoEffect:
    return IcOther;
  default:
    return I.tc == TC_F32 || I.tc == TC_F64 || I.tc == TC_F16 ? IcFloat
                                                               : IcInt;
  }
}

//===----------------------------------------------------------------------===//
// Bank and sector models
//===----------------------------------------------------------------------===//

namespace {

/// Wavefronts of one phase: the largest number of distinct 4-byte words in
/// one bank. `words` is modified (sorted).
uint64_t phaseWavefronts(uint64_t *words, unsigned n) {
  if (!n)
    return 0;
  std::sort(words, words + n);
  unsigned perBank[32] = {};
  unsigned best = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (i && words[i] == words[i - 1])
      continue; // same word: broadcast
    best = std::max(best, ++perBank[words[i] & 31]);
  }
  return best;
}

} // namespace

AccessCounters vggq::emu::sharedRequest(const LaneAccess lanes[32],
                                        uint32_t mask) {
  AccessCounters c;
  if (!mask)
    return c;
  c.requests = 1;
  unsigned width = 0;
  for (unsigned l = 0; l < 32; ++l)
    if (mask >> l & 1)
      width = std::max(width, lanes[l].bytes);
  unsigned perPhase = width <= 4 ? 32 : width <= 8 ? 16 : 8;
  for (unsigned p0 = 0; p0 < 32; p0 += perPhase) {
    uint64_t words[64];
    unsigned n = 0;
    for (unsigned l = p0; l < p0 + perPhase; ++l) {
      if (!(mask >> l & 1))
        continue;
      uint64_t lo = lanes[l].addr >> 2,
               hi = (lanes[l].addr + std::max(lanes[l].bytes, 1u) - 1) >> 2;
      for (uint64_t w = lo; w <= hi && n < 64; ++w)
        words[n++] = w;
    }
    if (!n)
      continue; // no active lane in this phase
    c.ideal += 1;
    c.cost += phaseWavefronts(words, n);
  }
  return c;
}

AccessCounters vggq::emu::ldmatrixRequest(const uint64_t rows[][8],
                                          unsigned matrices) {
  AccessCounters c;
  c.requests = 1;
  for (unsigned i = 0; i < matrices; ++i) {
    uint64_t words[32];
    unsigned n = 0;
    for (unsigned r = 0; r < 8; ++r)
      for (unsigned w = 0; w < 4; ++w)
        words[n++] = (rows[i][r] >> 2) + w;
    c.ideal += 1;
    c.cost += phaseWavefronts(words, n);
  }
  return c;
}

AccessCounters vggq::emu::globalRequest(const LaneAccess lanes[32],
                                        uint32_t mask) {
  AccessCounters c;
  if (!mask)
    return c;
  c.requests = 1;
  uint64_t sectors[64];
  std::pair<uint64_t, uint64_t> ranges[32];
  unsigned ns = 0, nr = 0;
  for (unsigned l = 0; l < 32; ++l) {
    if (!(mask >> l & 1) || !lanes[l].bytes)
      continue;
    uint64_t lo = lanes[l].addr, hi = lo + lanes[l].bytes; // [lo, hi)
    ranges[nr++] = {lo, hi};
    for (uint64_t s = lo >> 5; s <= (hi - 1) >> 5 && ns < 64; ++s)
      sectors[ns++] = s;
  }
  std::sort(sectors, sectors + ns);
  c.cost = static_cast<uint64_t>(std::unique(sectors, sectors + ns) - sectors);
  std::sort(ranges, ranges + nr);
  uint64_t bytes = 0, end = 0;
  for (unsigned i = 0; i < nr; ++i) {
    uint64_t lo = std::max(ranges[i].first, end);
    if (ranges[i].second > lo)
      bytes += ranges[i].second - lo;
    end = std::max(end, ranges[i].second);
  }
  c.bytes = bytes;
  c.ideal = (bytes + 31) / 32;
  return c;
}

//===----------------------------------------------------------------------===//
// Aggregation and reports
//===----------------------------------------------------------------------===//

void KernelProfile::add(const KernelProfile &o) {
  launches += o.launches;
  blocks += o.blocks;
  threads += o.threads;
  warpInstructions += o.warpInstructions;
  threadInstructions += o.threadInstructions;
  for (unsigned i = 0; i < IcCount; ++i)
    warpByClass[i] += o.warpByClass[i];
  for (unsigned i = 0; i < AkCount; ++i)
    access[i].add(o.access[i]);
  for (const auto &s : o.sites) {
    auto it = sites.find(s.first);
    if (it == sites.end())
      sites.emplace(s.first, s.second);
    else
      it->second.c.add(s.second.c);
  }
}

double KernelProfile::perMma() const {
  return warpByClass[IcMma]
             ? double(warpInstructions) / double(warpByClass[IcMma])
             : 0.0;
}

namespace {

/// 1234 -> "1234", 123456 -> "123.5k", ...
std::string compact(uint64_t v) {
  char buf[32];
  if (v < 10000)
    std::snprintf(buf, sizeof(buf), "%" PRIu64, v);
  else if (v < 10000000)
    std::snprintf(buf, sizeof(buf), "%.1fk", v / 1e3);
  else if (v < 10000000000ull)
    std::snprintf(buf, sizeof(buf), "%.1fM", v / 1e6);
  else
    std::snprintf(buf, sizeof(buf), "%.1fG", v / 1e9);
  return buf;
}

double ratio(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0; }

/// Global loads (ld.global and cp.async's source) or stores.
AccessCounters globalTotal(const KernelProfile &k, bool loads) {
  AccessCounters g;
  if (loads) {
    g.add(k.access[AkLdGlobal]);
    g.add(k.access[AkCpAsyncSrc]);
  } else {
    g.add(k.access[AkStGlobal]);
  }
  return g;
}

/// "requests sectors/request efficiency" of global loads or stores.
std::string globalCells(const AccessCounters &g) {
  char buf[64];
  if (!g.requests)
    std::snprintf(buf, sizeof(buf), "%8s %8s %5s", "-", "-", "-");
  else
    std::snprintf(buf, sizeof(buf), "%8s %8.2f %4.0f%%",
                  compact(g.requests).c_str(), ratio(g.cost, g.requests),
                  100 * ratio(g.ideal, g.cost));
  return buf;
}

/// "req xF.FF" for one shared kind, "-" without requests.
std::string sharedCell(const AccessCounters &c) {
  if (!c.requests)
    return "-";
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%s x%.2f", compact(c.requests).c_str(),
                ratio(c.cost, c.ideal));
  return buf;
}

/// Sites whose cost exceeds the ideal, the most expensive first.
std::vector<const SiteProfile *> costlySites(const KernelProfile &k) {
  std::vector<const SiteProfile *> v;
  for (const auto &s : k.sites)
    if (s.second.c.cost > s.second.c.ideal)
      v.push_back(&s.second);
  std::stable_sort(v.begin(), v.end(),
                   [](const SiteProfile *a, const SiteProfile *b) {
                     return a->c.cost - a->c.ideal > b->c.cost - b->c.ideal;
                   });
  return v;
}

void jsonString(std::FILE *f, const std::string &s) {
  std::fputc('"', f);
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\')
      std::fprintf(f, "\\%c", ch);
    else if (ch < 0x20)
      std::fprintf(f, "\\u%04x", ch);
    else
      std::fputc(ch, f);
  }
  std::fputc('"', f);
}

} // namespace

void vggq::emu::writeProfileTable(std::FILE *f,
                                  const std::vector<KernelProfile> &ks) {
  size_t w = 6;
  for (const KernelProfile &k : ks)
    w = std::max(w, k.name.size());
  int W = static_cast<int>(w);
  std::fprintf(f,
               "vggq-emu profile: %zu kernels, counters summed over launches "
               "(shared: requests x conflict factor = wavefronts/ideal, 32 "
               "banks x 4 B; global: requests, 32-byte sectors per request, "
               "efficiency = ideal/actual sectors; loads include cp.async's "
               "source)\n",
               ks.size());
  std::fprintf(f, "%-*s %8s %8s %10s %7s %13s %13s %13s %13s %23s %23s\n", W,
               "", "", "", "", "", "", "", "", "",
               "---- global loads ----", "---- global stores ---");
  std::fprintf(f,
               "%-*s %8s %8s %10s %7s %13s %13s %13s %13s "
               "%8s %8s %5s %8s %8s %5s\n",
               W, "kernel", "launches", "blocks", "warp-instr", "per-mma",
               "ldmatrix", "ld.shared", "st.shared", "cp.async.dst", "req",
               "sect/req", "eff", "req", "sect/req", "eff");
  for (const KernelProfile &k : ks) {
    char perMma[16] = "-";
    if (k.warpByClass[IcMma])
      std::snprintf(perMma, sizeof(perMma), "%.2f", k.perMma());
    std::fprintf(f, "%-*s %8s %8s %10s %7s %13s %13s %13s %13s %s %s\n", W,
                 k.name.c_str(), compact(k.launches).c_str(),
                 compact(k.blocks).c_str(),
                 compact(k.warpInstructions).c_str(), perMma,
                 sharedCell(k.access[AkLdmatrix]).c_str(),
                 sharedCell(k.access[AkLdShared]).c_str(),
                 sharedCell(k.access[AkStShared]).c_str(),
                 sharedCell(k.access[AkCpAsyncDst]).c_str(),
                 globalCells(globalTotal(k, true)).c_str(),
                 globalCells(globalTotal(k, false)).c_str());
  }

  std::fprintf(f, "\ninstruction mix (%% of warp-instructions)\n%-*s %10s",
               W, "kernel", "thread-ins");
  for (unsigned c = 0; c < IcCount; ++c)
    std::fprintf(f, " %9s", instrClassName(InstrClass(c)));
  std::fputc('\n', f);
  for (const KernelProfile &k : ks) {
    std::fprintf(f, "%-*s %10s", W, k.name.c_str(),
                 compact(k.threadInstructions).c_str());
    for (unsigned c = 0; c < IcCount; ++c)
      std::fprintf(f, " %9.1f",
                   100 * ratio(k.warpByClass[c], k.warpInstructions));
    std::fputc('\n', f);
  }

  bool header = false;
  for (const KernelProfile &k : ks) {
    std::vector<const SiteProfile *> v = costlySites(k);
    if (v.empty())
      continue;
    if (!header) {
      std::fprintf(f, "\naccesses above the ideal (per kernel, the costliest "
                      "first; shared: wavefronts/ideal, global: "
                      "sectors/request and ideal/sectors)\n");
      header = true;
    }
    std::fprintf(f, "%s:\n", k.name.c_str());
    size_t shown = 0;
    for (const SiteProfile *s : v) {
      if (++shown > 8) {
        std::fprintf(f, "  ... %zu more\n", v.size() - 8);
        break;
      }
      if (isSharedKind(s->kind))
        std::fprintf(f, "  line %-6d %-12s %9s req  x%.2f           `%s`\n",
                     s->line, accessKindName(s->kind),
                     compact(s->c.requests).c_str(),
                     ratio(s->c.cost, s->c.ideal), s->text.c_str());
      else
        std::fprintf(f, "  line %-6d %-12s %9s req  %5.2f sect/req %3.0f%%  `%s`\n",
                     s->line, accessKindName(s->kind),
                     compact(s->c.requests).c_str(),
                     ratio(s->c.cost, s->c.requests),
                     100 * ratio(s->c.ideal, s->c.cost), s->text.c_str());
    }
  }
  if (!header)
    std::fprintf(f, "\nno access above the ideal (no bank conflict, every "
                    "global request fully coalesced)\n");
  std::fflush(f);
}

void vggq::emu::writeProfileJson(std::FILE *f,
                                 const std::vector<KernelProfile> &ks) {
  for (const KernelProfile &k : ks) {
    std::fprintf(f, "{\"kernel\":");
    jsonString(f, k.name);
    std::fprintf(f,
                 ",\"launches\":%" PRIu64 ",\"blocks\":%" PRIu64
                 ",\"threads\":%" PRIu64 ",\"warp_instructions\":%" PRIu64
                 ",\"thread_instructions\":%" PRIu64
                 ",\"warp_instructions_per_mma\":%.4f,\"mix\":{",
                 k.launches, k.blocks, k.threads, k.warpInstructions,
                 k.threadInstructions, k.perMma());
    for (unsigned c = 0; c < IcCount; ++c)
      std::fprintf(f, "%s\"%s\":%" PRIu64, c ? "," : "",
                   instrClassName(InstrClass(c)), k.warpByClass[c]);
    std::fprintf(f, "},\"shared\":{");
    for (unsigned a = AkLdmatrix; a <= AkCpAsyncDst; ++a) {
      const AccessCounters &c = k.access[a];
      std::fprintf(f,
                   "%s\"%s\":{\"requests\":%" PRIu64 ",\"wavefronts\":%" PRIu64
                   ",\"ideal\":%" PRIu64 ",\"conflict_factor\":%.4f}",
                   a ? "," : "", accessKindName(AccessKind(a)), c.requests,
                   c.cost, c.ideal, ratio(c.cost, c.ideal));
    }
    std::fprintf(f, "},\"global\":{");
    for (unsigned a = AkLdGlobal; a < AkCount; ++a) {
      const AccessCounters &c = k.access[a];
      std::fprintf(f,
                   "%s\"%s\":{\"requests\":%" PRIu64 ",\"sectors\":%" PRIu64
                   ",\"ideal_sectors\":%" PRIu64 ",\"bytes\":%" PRIu64
                   ",\"sectors_per_request\":%.4f,\"efficiency\":%.4f}",
                   a != AkLdGlobal ? "," : "", accessKindName(AccessKind(a)),
                   c.requests, c.cost, c.ideal, c.bytes,
                   ratio(c.cost, c.requests), ratio(c.ideal, c.cost));
    }
    std::fprintf(f, "},\"sites\":[");
    bool first = true;
    for (const auto &s : k.sites) {
      const SiteProfile &p = s.second;
      std::fprintf(f,
                   "%s{\"line\":%d,\"kind\":\"%s\",\"requests\":%" PRIu64
                   ",\"cost\":%" PRIu64 ",\"ideal\":%" PRIu64
                   ",\"bytes\":%" PRIu64 ",\"text\":",
                   first ? "" : ",", p.line, accessKindName(p.kind),
                   p.c.requests, p.c.cost, p.c.ideal, p.c.bytes);
      jsonString(f, p.text);
      std::fputc('}', f);
      first = false;
    }
    std::fprintf(f, "]}\n");
  }
  std::fflush(f);
}
