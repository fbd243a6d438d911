//===- RefDump.cpp - CPU reference dumps (VGGQDMP1) -------------------------===//
#include "RefDump.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace vggq::rt;

const DumpEntry *RefDump::find(const std::string &name) const {
  for (const DumpEntry &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

namespace {

class FileReader {
public:
  FileReader(std::FILE *f) : f(f) {
    if (std::fseek(f, 0, SEEK_END) == 0) {
      long end = std::ftell(f);
      size = end > 0 ? static_cast<uint64_t>(end) : 0;
    }
    std::rewind(f);
  }
  bool read(void *dst, size_t n) { return std::fread(dst, 1, n, f) == n; }
  template <typename T> bool get(T &v) { return read(&v, sizeof(T)); }
  /// Bytes not read yet: a header may not claim more data than the file has.
  uint64_t remaining() const {
    long at = std::ftell(f);
    return at >= 0 && static_cast<uint64_t>(at) <= size
               ? size - static_cast<uint64_t>(at)
               : 0;
  }

private:
  std::FILE *f;
  uint64_t size = 0;
};

} // namespace

bool vggq::rt::readRefDump(const std::string &path, RefDump &out,
                           std::string &error) {
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = "cannot open reference dump '" + path + "'";
    return false;
  }
  FileReader r(f);
  char magic[8];
  uint32_t count = 0;
  out = RefDump();
  bool ok = r.read(magic, 8) && std::memcmp(magic, "VGGQDMP1", 8) == 0 &&
            r.get(count);
  if (!ok)
    error = "'" + path + "' is not a vggq reference dump (magic VGGQDMP1)";
  for (uint32_t i = 0; ok && i < count; ++i) {
    DumpEntry e;
    uint16_t len = 0;
    uint8_t code = 0, rank = 0;
    std::string where = "'" + path + "' entry " + std::to_string(i);
    ok = r.get(len) && len > 0;
    e.name.resize(len);
    ok = ok && r.read(&e.name[0], len) && r.get(code) && r.get(rank) &&
         r.get(e.scale);
    if (!ok) {
      error = where + ": truncated header";
      break;
    }
    where += " ('" + e.name + "')";
    if (!dtypeFromCode(code, e.dtype) || rank < 1 || rank > 8 ||
        !(e.scale > 0) || !std::isfinite(e.scale)) {
      error = where + ": bad dtype code, rank or scale";
      ok = false;
      break;
    }
    uint64_t n = dtypeSize(e.dtype);
    e.dims.resize(rank);
    for (auto &d : e.dims) {
      ok = ok && r.get(d) && d > 0 && d < (INT64_C(1) << 32) &&
           n <= (UINT64_C(1) << 34) / uint64_t(d); // no wrap-around
      n *= ok ? uint64_t(d) : 0;
    }
    if (!ok || n > (UINT64_C(1) << 34)) {
      error = where + ": bad dimensions";
      ok = false;
      break;
    }
    // Checked before allocating: a 20-byte file must not claim 16 GiB.
    if (n > r.remaining()) {
      error = where + ": truncated data (" + std::to_string(n) +
              " bytes, the file has " + std::to_string(r.remaining()) +
              " left)";
      ok = false;
      break;
    }
    e.data.resize(n);
    if (!r.read(e.data.data(), n)) {
      error = where + ": truncated data (" + std::to_string(n) + " bytes)";
      ok = false;
      break;
    }
    out.entries.push_back(std::move(e));
  }
  char extra;
  if (ok && std::fread(&extra, 1, 1, f) == 1) {
    error = "'" + path + "': trailing bytes after " + std::to_string(count) +
            " entries";
    ok = false;
  }
  std::fclose(f);
  return ok;
}

bool vggq::rt::checkDumpAgainstPlan(const RefDump &dump, const Plan &plan,
                                    std::vector<std::string> &notes,
                                    std::string &error) {
  if (dump.entries.empty()) {
    error = "the reference dump is empty";
    return false;
  }
  int64_t images = dump.entries[0].dims[0];
  for (const DumpEntry &e : dump.entries)
    if (e.dims[0] != images) {
      error = "reference entry '" + e.name + "' holds " +
              std::to_string(e.dims[0]) + " images, the first entry " +
              std::to_string(images);
      return false;
    }
  auto matches = [&](const DumpEntry &e, const PlanBuffer &b,
                     const std::string &what) {
    bool shape = e.dims.size() == b.shape.size();
    for (size_t d = 1; shape && d < b.shape.size(); ++d)
      shape = e.dims[d] == b.shape[d];
    if (e.dtype != b.dtype || !shape) {
      error = "reference entry '" + e.name + "' (" + dtypeName(e.dtype) +
              ") does not match " + what + " (" + dtypeName(b.dtype) +
              ", rank " + std::to_string(b.shape.size()) + ")";
      return false;
    }
    if (std::fabs(e.scale - b.scale) > 1e-6f * b.scale) {
      error = "reference entry '" + e.name + "' has scale " +
              std::to_string(e.scale) + ", " + what + " " +
              std::to_string(b.scale);
      return false;
    }
    return true;
  };
  if (const DumpEntry *in = dump.find("input"))
    if (!matches(*in, plan.input, "the plan's input"))
      return false;
  if (const DumpEntry *lg = dump.find("logits")) {
    if (!matches(*lg, plan.output, "the plan's output"))
      return false;
  } else {
    notes.push_back("no 'logits' entry: logits are not compared");
  }
  for (size_t i = 0; i < plan.launches.size(); ++i) {
    const PlanLaunch &l = plan.launches[i];
    bool last = true;
    for (size_t j = i + 1; j < plan.launches.size(); ++j)
      last = last && plan.launches[j].layer != l.layer;
    if (!last)
      continue;
    const DumpEntry *e = dump.find(l.layer);
    if (!e)
      notes.push_back("layer '" + l.layer + "' (launch " + std::to_string(i) +
                      ") has no reference entry");
    else if (!matches(*e, l.out, "launches[" + std::to_string(i) + "].out"))
      return false;
  }
  return true;
}
