//===- LayerDump.h - CPU reference dumps for the GPU runtime ----*- C++ -*-===//
//
// `vggq-run MODEL --dump-layers FILE` writes the VGGQDMP1 file that
// `vggq-run-cuda --compare-ref` reads (format: runtime/README.md). It holds
// `input` (the normalized NHWC f32 images), one entry per GPU launch the
// lowering makes of MODEL, named by the launch's `vggq.layer` and holding
// what that launch writes, and `logits`.
//
// Which values the GPU materializes is decided by the same rules the
// lowering uses (vggq/Conversion/LayoutRules.h): a conv/linear writes the
// end of its fused chain (relu, 2x2 max-pool) under its own layer name;
// a standalone f32 add writes its fused relu's result; fused ops and
// flattens have no entry; the innermost dimension is padded
// with zeros to the device's stored channel count (3 input channels in 8
// bits are stored as 4). The unnamed quantize of the model input is the
// entry `input.quantize` (vggq-compile gives its launch that name).
//
//===----------------------------------------------------------------------===//
#ifndef VGGQ_TOOLS_VGGQ_RUN_LAYERDUMP_H
#define VGGQ_TOOLS_VGGQ_RUN_LAYERDUMP_H

#include "vggq/Executor/ReferenceExecutor.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace vggq {
namespace run {

/// The layer name the GPU launch of the model input's quantize carries.
inline constexpr const char *kInputQuantizeLayer = "input.quantize";

class LayerDumper {
public:
  /// Chooses the entries from @forward of `module`.
  explicit LayerDumper(mlir::ModuleOp module);

  /// Records the first `images` rows of every chosen op's result.
  exec::Observer observer(int64_t images);
  /// Records `images` normalized NHWC f32 images of @forward's input shape.
  void addInput(const float *nhwc, int64_t images);
  /// Records [images, classes] f32 logits.
  void addLogits(const exec::Tensor &logits);

  /// Writes the dump; errors name the file (or the entry that failed).
  llvm::Error write(llvm::StringRef path) const;
  /// Number of entries (input, layers, logits).
  size_t size() const { return entries.size(); }

private:
  struct Entry {
    std::string name;
    int dtype = -1; ///< VGGQDMP1 code; -1 until the first record
    float scale = 1.0f;
    std::vector<int64_t> dims; ///< per image, innermost dimension padded
    int64_t images = 0;
    std::vector<uint8_t> data;
    std::string error; ///< set when a record disagreed with earlier ones
  };
  void record(Entry &e, const exec::Tensor &t, int64_t images);

  std::vector<Entry> entries; ///< [0] input, then layers, last logits
  llvm::DenseMap<mlir::Operation *, size_t> byOp;
  mlir::ModuleOp module;
  std::vector<int64_t> inputDims; ///< @forward's input shape per image
};

} // namespace run
} // namespace vggq

#endif // VGGQ_TOOLS_VGGQ_RUN_LAYERDUMP_H
