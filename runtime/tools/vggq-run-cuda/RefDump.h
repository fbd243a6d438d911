//===- RefDump.h - CPU reference dumps (VGGQDMP1) ---------------*- C++ -*-===//
//
// The file `vggq-run --dump-layers` writes and `vggq-run-cuda --compare-ref`
// reads (all little-endian; runtime/README.md):
//
//   char[8] magic "VGGQDMP1"
//   u32     entry count
//   per entry:
//     u16 name length, then the name (no NUL): the launch's `layer`, or
//         "input" (normalized NHWC f32) or "logits" (f32 [B, classes])
//     u8  dtype: 1 s32, else the CODE of a format of Formats.def
//     u8  rank (1..8)
//     f32 scale (real value = decode(code) * scale; 1 for f32)
//     i64 dims[rank] (dims[0] = the number of images)
//     the elements, product(dims) * size(dtype) bytes, in the layout of the
//     plan's `out` buffer (NHWC, codes of the quantized type)
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_RUNTIME_TOOLS_REFDUMP_H
#define VGGQ_RUNTIME_TOOLS_REFDUMP_H

#include "Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vggq {
namespace rt {

struct DumpEntry {
  std::string name;
  Dtype dtype = Dtype::F32;
  float scale = 1.0f;
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
  size_t elements() const { return data.size() / dtypeSize(dtype); }
};

struct RefDump {
  std::vector<DumpEntry> entries;
  const DumpEntry *find(const std::string &name) const;
};

/// Reads a dump; errors name the file and the entry.
bool readRefDump(const std::string &path, RefDump &out, std::string &error);

/// Checks that the dump can be compared with the plan: the same images in
/// every entry, and each launch's entry (by layer name; the last launch of a
/// layer) with its dtype, shape and scale. Missing layers are listed in
/// `notes`, not errors; a mismatch is an error.
bool checkDumpAgainstPlan(const RefDump &dump, const Plan &plan,
                          std::vector<std::string> &notes, std::string &error);

} // namespace rt
} // namespace vggq

#endif // VGGQ_RUNTIME_TOOLS_REFDUMP_H
