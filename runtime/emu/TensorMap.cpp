//===- TensorMap.cpp - the emulator's CUtensorMap encoding ----------------===//
//
// The argument rules are those cuda.h documents for cuTensorMapEncodeTiled.
//
//===----------------------------------------------------------------------===//
#include "TensorMap.h"

#include <cstring>

using namespace vggq::emu;

namespace {
/// Bytes of a CUtensorMapDataType element (0: packed or unknown).
unsigned elementBytes(unsigned t) {
  static const unsigned bytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  return t < sizeof(bytes) / sizeof(bytes[0]) ? bytes[t] : 0;
}
} // namespace

bool vggq::emu::encodeTensorMapTiled(
    void *out, unsigned dataType, unsigned rank, uint64_t globalAddress,
    const uint64_t *globalDim, const uint64_t *globalStrides,
    const uint32_t *boxDim, const uint32_t *elementStrides, unsigned interleave,
    unsigned swizzle, unsigned l2Promotion, unsigned oobFill,
    std::string &why) {
  auto fail = [&](const std::string &m) {
    why = m;
    return false;
  };
  if (!out)
    return fail("tensorMap is null");
  unsigned eb = elementBytes(dataType);
  if (!eb)
    return fail("tensorDataType " + std::to_string(dataType) +
                " is unknown or packed (packed types are not implemented)");
  if (rank < 1 || rank > 5)
    return fail("tensorRank " + std::to_string(rank) + " is not in 1..5");
  if (interleave != 0)
    return fail("interleaved layouts are not implemented");
  if (swizzle > 3)
    return fail("swizzle " + std::to_string(swizzle) +
                " (the 128B_ATOM modes) is not implemented");
  if (l2Promotion > 3)
    return fail("l2Promotion " + std::to_string(l2Promotion) + " is unknown");
  if (oobFill > 1)
    return fail("oobFill " + std::to_string(oobFill) + " is unknown");
  if (oobFill == 1)
    return fail("OOB_FILL_NAN_REQUEST_ZERO_FMA is not implemented");
  if (globalAddress % 16)
    return fail("globalAddress is not 16-byte aligned");
  if (!globalDim || !boxDim || (rank > 1 && !globalStrides))
    return fail("globalDim, globalStrides or boxDim is null");
  TensorMap m;
  m.magic = kTensorMapMagic;
  m.dataType = static_cast<uint8_t>(dataType);
  m.rank = static_cast<uint8_t>(rank);
  m.elemBytes = static_cast<uint8_t>(eb);
  m.swizzle = static_cast<uint8_t>(swizzle);
  m.base = globalAddress;
  for (unsigned i = 0; i < rank; ++i) {
    if (globalDim[i] == 0 || globalDim[i] > (1ull << 32))
      return fail("globalDim[" + std::to_string(i) +
                  "] = " + std::to_string(globalDim[i]) + " is not in 1..2^32");
    if (boxDim[i] == 0 || boxDim[i] > 256)
      return fail("boxDim[" + std::to_string(i) +
                  "] = " + std::to_string(boxDim[i]) + " is not in 1..256");
    if (elementStrides && (elementStrides[i] < 1 || elementStrides[i] > 8))
      return fail("elementStrides[" + std::to_string(i) + "] = " +
                  std::to_string(elementStrides[i]) + " is not in 1..8");
    if (elementStrides && i > 0 && elementStrides[i] != 1)
      return fail("elementStrides other than 1 are not implemented");
    m.dims[i] = globalDim[i];
    m.box[i] = static_cast<uint16_t>(boxDim[i]);
  }
  for (unsigned i = 0; i + 1 < rank; ++i) {
    uint64_t s = globalStrides[i];
    if (s % 16 || s >= (1ull << 40))
      return fail("globalStrides[" + std::to_string(i) + "] = " +
                  std::to_string(s) + " is not a multiple of 16 below 2^40");
    uint64_t inner =
        i == 0 ? globalDim[0] * eb : globalStrides[i - 1] * globalDim[i];
    if (s < inner)
      return fail("globalStrides[" + std::to_string(i) +
                  "] = " + std::to_string(s) + " is smaller than the " +
                  std::to_string(inner) + " bytes of the dimensions inside it");
    m.strides[i] = s;
  }
  uint64_t innerBytes = uint64_t(boxDim[0]) * eb;
  if (innerBytes % 16)
    return fail("boxDim[0] * element size = " + std::to_string(innerBytes) +
                " bytes is not a multiple of 16");
  if (swizzle) {
    uint64_t span = 16ull << swizzle; // 32, 64, 128
    if (innerBytes > span)
      return fail("the box's inner dimension (" + std::to_string(innerBytes) +
                  " bytes) exceeds the swizzle span of " +
                  std::to_string(span) + " bytes");
    if (innerBytes != span)
      return fail("a swizzled box whose inner dimension (" +
                  std::to_string(innerBytes) +
                  " bytes) is not the swizzle span is not implemented");
  }
  std::memset(out, 0, 128);
  std::memcpy(out, &m, sizeof(m));
  return true;
}

bool vggq::emu::decodeTensorMap(const void *in, TensorMap &map) {
  std::memcpy(&map, in, sizeof(map));
  return map.magic == kTensorMapMagic && map.rank >= 1 && map.rank <= 5 &&
         map.elemBytes != 0;
}
