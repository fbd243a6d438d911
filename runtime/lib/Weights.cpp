//===- Weights.cpp - the weights blob, read or generated --------------------===//
//
// Timing runs carry no weights (docs/ARTIFACT.md): the runtime then fills
// each region with random values of its dtype that are never zero and never
// NaN/infinity, so that no kernel takes a shortcut. f32 regions whose name
// ends in "scale" get small positive values; other f32 regions small values
// of either sign, sized so that activations stay finite through the network.
//
//===----------------------------------------------------------------------===//
#include "Model.h"
#include "vggq/Precision/Numerics.h"

#include <algorithm>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace vggq;
using namespace vggq::rt;

namespace {

/// xorshift64*: reproducible, no global state.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ull;
  uint32_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<uint32_t>((s * 0x2545F4914F6CDD1Dull) >> 32);
  }
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * (next() >> 8) * (1.0f / 16777216.0f);
  }
};

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

void fillRegion(const WeightRegion &r, uint8_t *dst, Rng &rng) {
  size_t n = r.bytes / dtypeSize(r.dtype);
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits = rng.next();
    const format::Format *f = dtypeFormat(r.dtype);
    if (!f) { // s32
      int32_t v = static_cast<int32_t>(bits % 200) - 100;
      v = v == 0 ? 1 : v;
      std::memcpy(dst + 4 * i, &v, 4);
    } else if (f->kind == format::Kind::F32) {
      float v = endsWith(r.name, "scale") ? rng.uniform(0.002f, 0.02f)
                                          : rng.uniform(0.001f, 0.02f);
      if (!endsWith(r.name, "scale") && (bits & 1))
        v = -v;
      std::memcpy(dst + 4 * i, &v, 4);
    } else if (f->isInteger()) { // [-max, max] without 0
      int lim = static_cast<int>(f->maxFinite);
      int v = static_cast<int>(bits % (2 * lim)) - lim;
      numerics::storeCode(dst, i, f->bytes(),
                          static_cast<uint32_t>(v >= 0 ? v + 1 : v));
    } else { // normal, never inf/NaN: exponent field 1..14 from the bias - 6
      int expAll = (1 << f->expBits) - 1;
      int e = std::clamp(f->bias() - 6 + static_cast<int>((bits >> 8) % 14), 1,
                         expAll - 1);
      uint32_t sign = (bits & 0x80) ? 1u << (f->bits - 1) : 0u;
      uint32_t frac = (bits >> 16) & ((1u << f->manBits) - 1);
      if (f->nan == format::NaNStyle::AllOnes && e == expAll - 1)
        frac = std::min(frac, (1u << f->manBits) - 2); // below NaN
      numerics::storeCode(dst, i, f->bytes(),
                          sign | (uint32_t(e) << f->manBits) | frac);
    }
  }
}

} // namespace

bool vggq::rt::loadWeightsHost(const Plan &plan, const char *path,
                               std::vector<uint8_t> &bytes,
                               std::string &error) {
  bytes.assign(plan.weightsBytes, 0);
  if (!path) {
    Rng rng;
    for (const WeightRegion &r : plan.regions)
      fillRegion(r, bytes.data() + r.offset, rng);
    return true;
  }
  std::FILE *f = std::fopen(path, "rb");
  if (!f) {
    error = std::string("cannot open weights file '") + path + "': " +
            std::strerror(errno);
    return false;
  }
  std::fseek(f, 0, SEEK_END);
  long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (size < 0 || static_cast<uint64_t>(size) != plan.weightsBytes) {
    std::fclose(f);
    error = std::string("weights file '") + path + "' has " +
            std::to_string(size) + " bytes; the plan's weights.bytes is " +
            std::to_string(plan.weightsBytes);
    return false;
  }
  size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  if (got != bytes.size()) {
    error = std::string("short read on weights file '") + path + "'";
    return false;
  }
  return true;
}
