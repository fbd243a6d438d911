//===- TensorMap.h - the emulator's CUtensorMap encoding ------*- C++ -*-===//
//
// cuTensorMapEncodeTiled and cuTensorMapEncodeIm2col fill a 128-byte opaque
// CUtensorMap; the encoding is the driver's to choose. The emulated driver
// stores a TensorMap (below) in those bytes, after checking the arguments
// with the rules cuda.h states for each function; cp.async.bulk.tensor
// decodes it. Every array is innermost dimension first (the channels C of
// an im2col tensor, then W, H, D, N), as the PTX coordinates are.
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

/// TensorMap::mode: which encode function made the map, and so which
/// cp.async.bulk.tensor load mode (.tile or .im2col) may use it.
enum : uint8_t { TensorMapTiled = 0, TensorMapIm2col = 1 };

/// A tensor map as the emulator stores it in a CUtensorMap.
struct TensorMap {
  uint32_t magic = 0;
  uint8_t dataType = 0;  ///< CUtensorMapDataType
  uint8_t rank = 0;      ///< 1..5
  uint8_t elemBytes = 0; ///< bytes of one element
  uint8_t swizzle = 0;   ///< CUtensorMapSwizzle: 0 none, 1 32B, 2 64B, 3 128B
  uint64_t base = 0;     ///< global address of element 0
  uint64_t dims[5] = {}; ///< elements per dimension, innermost first
  uint64_t strides[4] = {}; ///< bytes between steps of dimensions 1..rank-1
  uint16_t box[5] = {};     ///< tiled: box elements per dimension
  uint8_t oobFill = 0;      ///< CUtensorMapFloatOOBfill (only NONE: zeros)
  uint8_t mode = TensorMapTiled;
  /// im2col: the bounding box's corners in W, H, D (pixelBoxLowerCorner and
  /// pixelBoxUpperCorner): in spatial dimension i (1..rank-2) the box spans
  /// lower[i-1] .. dims[i] - 1 + upper[i-1], both included.
  int16_t lower[3] = {}, upper[3] = {};
  uint16_t channels = 0; ///< im2col: channelsPerPixel (1..256)
  uint16_t pixels = 0;   ///< im2col: pixelsPerColumn (1..1024)

  bool im2col() const { return mode == TensorMapIm2col; }
  /// Elements of one row of the shared box (its innermost extent).
  unsigned rowElems() const { return im2col() ? channels : box[0]; }
  /// Rows of the shared box: the pixels, or the tile's outer box extents.
  uint64_t rows() const {
    if (im2col())
      return pixels;
    uint64_t n = 1;
    for (unsigned i = 1; i < rank; ++i)
      n *= box[i];
    return n;
  }
  /// Bytes of the shared box (what a load completes on its mbarrier).
  uint64_t boxBytes() const { return rows() * rowElems() * elemBytes; }
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

/// Checks the arguments of cuTensorMapEncodeIm2col against cuda.h's rules
/// (rank 3..5, pixelBoxLowerCorner/UpperCorner of rank - 2 offsets each in
/// the range of the rank, a bounding box of non-zero extent, channelsPerPixel
/// 1..256, pixelsPerColumn 1..1024, and the tiled rules for the address,
/// dims, strides, element strides, swizzle and fill, with channelsPerPixel
/// as the inner box extent) and writes the map into `out` (128 bytes,
/// 64-byte aligned). The same gaps as encodeTensorMapTiled, and traversal
/// strides (elementStrides[1..]) other than 1.
bool encodeTensorMapIm2col(void *out, unsigned dataType, unsigned rank,
                           uint64_t globalAddress, const uint64_t *globalDim,
                           const uint64_t *globalStrides,
                           const int *pixelBoxLowerCorner,
                           const int *pixelBoxUpperCorner,
                           unsigned channelsPerPixel, unsigned pixelsPerColumn,
                           const uint32_t *elementStrides, unsigned interleave,
                           unsigned swizzle, unsigned l2Promotion,
                           unsigned oobFill, std::string &why);

/// Reads a map written by encodeTensorMapTiled or encodeTensorMapIm2col;
/// false if `in` is not one.
bool decodeTensorMap(const void *in, TensorMap &map);

} // namespace emu
} // namespace vggq

#endif // VGGQ_EMU_TENSORMAP_H
