//===- TensorMap.h - the emulator's CUtensorMap encoding ------*- C++ -*-===//
//
// cuTensorMapEncodeTiled fills a 128-byte opaque CUtensorMap; the encoding
// is the driver's to choose. The emulated driver stores a TensorMap (below)
// in those bytes, after checking the arguments with the rules cuda.h states
// for cuTensorMapEncodeTiled; cp.async.bulk.tensor decodes it.
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_EMU_TENSORMAP_H
#define VGGQ_EMU_TENSORMAP_H

#include <cstdint>
#include <string>

namespace vggq {
namespace emu {

/// The first word of an encoded map ("TMv1").
constexpr uint32_t kTensorMapMagic = 0x31764D54u;

/// A tiled tensor map as the emulator stores it in a CUtensorMap.
struct TensorMap {
  uint32_t magic = 0;
  uint8_t dataType = 0;  ///< CUtensorMapDataType
  uint8_t rank = 0;      ///< 1..5
  uint8_t elemBytes = 0; ///< bytes of one element
  uint8_t swizzle = 0;   ///< CUtensorMapSwizzle: 0 none, 1 32B, 2 64B, 3 128B
  uint64_t base = 0;     ///< global address of element 0
  uint64_t dims[5] = {}; ///< elements per dimension, innermost first
  uint64_t strides[4] = {}; ///< bytes between steps of dimensions 1..rank-1
  uint16_t box[5] = {};     ///< box elements per dimension
  uint8_t oobFill = 0;      ///< CUtensorMapFloatOOBfill (only NONE: zeros)
  uint8_t pad[5] = {};
};
static_assert(sizeof(TensorMap) <= 128, "a CUtensorMap has 128 bytes");

/// Checks the arguments of cuTensorMapEncodeTiled against cuda.h's rules
/// and writes the map into `out` (128 bytes). False with the broken rule in
/// `why` (or what the emulator does not implement: interleaved layouts,
/// element strides other than 1, the 128B_ATOM swizzles, NaN fill, packed
/// types, and a swizzled box whose inner dimension is not the swizzle span).
bool encodeTensorMapTiled(void *out, unsigned dataType, unsigned rank,
                          uint64_t globalAddress, const uint64_t *globalDim,
                          const uint64_t *globalStrides, const uint32_t *boxDim,
                          const uint32_t *elementStrides, unsigned interleave,
                          unsigned swizzle, unsigned l2Promotion,
                          unsigned oobFill, std::string &why);

/// Reads a map written by encodeTensorMapTiled; false if `in` is not one.
bool decodeTensorMap(const void *in, TensorMap &map);

} // namespace emu
} // namespace vggq

#endif // VGGQ_EMU_TENSORMAP_H
