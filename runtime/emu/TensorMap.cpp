//===- TensorMap.cpp - the emulator's CUtensorMap encoding ----------------===//
//
// The argument rules are those cuda.h documents for cuTensorMapEncodeTiled
// and cuTensorMapEncodeIm2col.
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

bool failWith(std::string &why, const std::string &m) {
  why = m;
  return false;
}

/// The rules both encode functions share, from the map pointer through the
/// dims, strides and element strides (in cuda.h's order); fills the
/// common fields of `m`.
bool encodeCommon(TensorMap &m, void *out, unsigned dataType, unsigned rank,
                  unsigned minRank, uint64_t globalAddress,
                  const uint64_t *globalDim, const uint64_t *globalStrides,
                  const uint32_t *elementStrides, unsigned interleave,
                  unsigned swizzle, unsigned l2Promotion, unsigned oobFill,
                  std::string &why) {
  if (!out)
    return failWith(why, "tensorMap is null");
  unsigned eb = elementBytes(dataType);
  if (!eb)
    return failWith(why, "tensorDataType " + std::to_string(dataType) +
                             " is unknown or packed (packed types are not "
                             "implemented)");
  if (rank < minRank || rank > 5)
    return failWith(why, "tensorRank " + std::to_string(rank) + " is not in " +
                             std::to_string(minRank) + "..5");
  if (interleave != 0)
    return failWith(why, "interleaved layouts are not implemented");
  if (swizzle > 3)
    return failWith(why, "swizzle " + std::to_string(swizzle) +
                             " (the 128B_ATOM modes) is not implemented");
  if (l2Promotion > 3)
    return failWith(why, "l2Promotion " + std::to_string(l2Promotion) +
                             " is unknown");
  if (oobFill > 1)
    return failWith(why, "oobFill " + std::to_string(oobFill) + " is unknown");
  if (oobFill == 1)
    return failWith(why, "OOB_FILL_NAN_REQUEST_ZERO_FMA is not implemented");
  if (globalAddress % 16)
    return failWith(why, "globalAddress is not 16-byte aligned");
  m.magic = kTensorMapMagic;
  m.dataType = static_cast<uint8_t>(dataType);
  m.rank = static_cast<uint8_t>(rank);
  m.elemBytes = static_cast<uint8_t>(eb);
  m.swizzle = static_cast<uint8_t>(swizzle);
  m.base = globalAddress;
  for (unsigned i = 0; i < rank; ++i) {
    if (globalDim[i] == 0 || globalDim[i] > (1ull << 32))
      return failWith(why, "globalDim[" + std::to_string(i) +
                               "] = " + std::to_string(globalDim[i]) +
                               " is not in 1..2^32");
    m.dims[i] = globalDim[i];
  }
  for (unsigned i = 0; elementStrides && i < rank; ++i) {
    if (elementStrides[i] < 1 || elementStrides[i] > 8)
      return failWith(why, "elementStrides[" + std::to_string(i) +
                               "] = " + std::to_string(elementStrides[i]) +
                               " is not in 1..8");
    // elementStrides[0] is ignored without interleaving (cuda.h).
    if (i > 0 && elementStrides[i] != 1)
      return failWith(why, "elementStrides other than 1 are not implemented");
  }
  for (unsigned i = 0; i + 1 < rank; ++i) {
    uint64_t s = globalStrides[i];
    if (s % 16 || s >= (1ull << 40))
      return failWith(why, "globalStrides[" + std::to_string(i) +
                               "] = " + std::to_string(s) +
                               " is not a multiple of 16 below 2^40");
    uint64_t inner =
        i == 0 ? globalDim[0] * eb : globalStrides[i - 1] * globalDim[i];
    if (s < inner)
      return failWith(why, "globalStrides[" + std::to_string(i) +
                               "] = " + std::to_string(s) +
                               " is smaller than the " + std::to_string(inner) +
                               " bytes of the dimensions inside it");
    m.strides[i] = s;
  }
  return true;
}

/// The inner extent of the shared box (`what`, `bytes` long): a multiple of
/// 16 bytes, within the swizzle span (and, in the emulator, equal to it).
bool checkInner(const char *what, uint64_t bytes, unsigned swizzle,
                std::string &why) {
  if (bytes % 16)
    return failWith(why, std::string(what) +
                             " * element size = " + std::to_string(bytes) +
                             " bytes is not a multiple of 16");
  if (swizzle) {
    uint64_t span = 16ull << swizzle; // 32, 64, 128
    if (bytes > span)
      return failWith(why, "the box's inner dimension (" +
                               std::to_string(bytes) +
                               " bytes) exceeds the swizzle span of " +
                               std::to_string(span) + " bytes");
    if (bytes != span)
      return failWith(why, "a swizzled box whose inner dimension (" +
                               std::to_string(bytes) +
                               " bytes) is not the swizzle span is not "
                               "implemented");
  }
  return true;
}
} // namespace

bool vggq::emu::encodeTensorMapTiled(
    void *out, unsigned dataType, unsigned rank, uint64_t globalAddress,
    const uint64_t *globalDim, const uint64_t *globalStrides,
    const uint32_t *boxDim, const uint32_t *elementStrides, unsigned interleave,
    unsigned swizzle, unsigned l2Promotion, unsigned oobFill,
    std::string &why) {
  if (out && elementBytes(dataType) && rank >= 1 && rank <= 5 &&
      (!globalDim || !boxDim || (rank > 1 && !globalStrides)))
    return failWith(why, "globalDim, globalStrides or boxDim is null");
  TensorMap m;
  if (!encodeCommon(m, out, dataType, rank, 1, globalAddress, globalDim,
                    globalStrides, elementStrides, interleave, swizzle,
                    l2Promotion, oobFill, why))
    return false;
  for (unsigned i = 0; i < rank; ++i) {
    if (boxDim[i] == 0 || boxDim[i] > 256)
      return failWith(why, "boxDim[" + std::to_string(i) + "] = " +
                               std::to_string(boxDim[i]) + " is not in 1..256");
    m.box[i] = static_cast<uint16_t>(boxDim[i]);
  }
  if (!checkInner("boxDim[0]", uint64_t(boxDim[0]) * m.elemBytes, swizzle, why))
    return false;
  std::memset(out, 0, 128);
  std::memcpy(out, &m, sizeof(m));
  return true;
}

bool vggq::emu::encodeTensorMapIm2col(
    void *out, unsigned dataType, unsigned rank, uint64_t globalAddress,
    const uint64_t *globalDim, const uint64_t *globalStrides,
    const int *pixelBoxLowerCorner, const int *pixelBoxUpperCorner,
    unsigned channelsPerPixel, unsigned pixelsPerColumn,
    const uint32_t *elementStrides, unsigned interleave, unsigned swizzle,
    unsigned l2Promotion, unsigned oobFill, std::string &why) {
  if (out && reinterpret_cast<uintptr_t>(out) % 64)
    return failWith(why, "tensorMap is not 64-byte aligned");
  if (out && elementBytes(dataType) && rank >= 3 && rank <= 5 &&
      (!globalDim || !globalStrides || !pixelBoxLowerCorner ||
       !pixelBoxUpperCorner))
    return failWith(why, "globalDim, globalStrides, pixelBoxLowerCorner or "
                         "pixelBoxUpperCorner is null");
  TensorMap m;
  if (!encodeCommon(m, out, dataType, rank, 3, globalAddress, globalDim,
                    globalStrides, elementStrides, interleave, swizzle,
                    l2Promotion, oobFill, why))
    return false;
  // The corners' range shrinks with the rank: 16 bits share the offsets.
  const int range = rank == 3 ? 32768 : rank == 4 ? 128 : 16;
  static const char *const names[] = {"W", "H", "D"};
  for (unsigned i = 0; i + 2 < rank; ++i) {
    int lo = pixelBoxLowerCorner[i], hi = pixelBoxUpperCorner[i];
    std::string r = " is not in " + std::to_string(-range) + ".." +
                    std::to_string(range - 1) + " (the range for rank " +
                    std::to_string(rank) + ")";
    if (lo < -range || lo >= range)
      return failWith(why, "pixelBoxLowerCorner[" + std::to_string(i) +
                               "] = " + std::to_string(lo) + r);
    if (hi < -range || hi >= range)
      return failWith(why, "pixelBoxUpperCorner[" + std::to_string(i) +
                               "] = " + std::to_string(hi) + r);
    int64_t last = int64_t(globalDim[i + 1]) - 1 + hi;
    if (last < lo)
      return failWith(why, std::string("the bounding box is empty in ") +
                               names[i] + ": it spans " + std::to_string(lo) +
                               ".." + std::to_string(last) +
                               " (pixelBoxLowerCorner[" + std::to_string(i) +
                               "] .. globalDim[" + std::to_string(i + 1) +
                               "] - 1 + pixelBoxUpperCorner[" +
                               std::to_string(i) + "])");
    m.lower[i] = static_cast<int16_t>(lo);
    m.upper[i] = static_cast<int16_t>(hi);
  }
  if (channelsPerPixel == 0 || channelsPerPixel > 256)
    return failWith(why, "channelsPerPixel " +
                             std::to_string(channelsPerPixel) +
                             " is not in 1..256");
  if (pixelsPerColumn == 0 || pixelsPerColumn > 1024)
    return failWith(why, "pixelsPerColumn " + std::to_string(pixelsPerColumn) +
                             " is not in 1..1024");
  if (!checkInner("channelsPerPixel", uint64_t(channelsPerPixel) * m.elemBytes,
                  swizzle, why))
    return false;
  m.mode = TensorMapIm2col;
  m.channels = static_cast<uint16_t>(channelsPerPixel);
  m.pixels = static_cast<uint16_t>(pixelsPerColumn);
  std::memset(out, 0, 128);
  std::memcpy(out, &m, sizeof(m));
  return true;
}

bool vggq::emu::decodeTensorMap(const void *in, TensorMap &map) {
  std::memcpy(&map, in, sizeof(map));
  return map.magic == kTensorMapMagic && map.rank >= 1 && map.rank <= 5 &&
         map.elemBytes != 0 && map.mode <= TensorMapIm2col &&
         (!map.im2col() || map.rank >= 3);
}
