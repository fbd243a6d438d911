//===- SafetensorsImport.cpp - VGG16-BN from a PyTorch state_dict ---------===//
//
// Fills the built-in VGG16-BN description with the tensors of a safetensors
// file. The classifier is `classifier.weight/bias` (one Linear) or a sequence
// `classifier.{j}.weight/bias` of Linears with ReLUs between them. Every
// tensor is checked against the description; tensors the description does
// not use are an error (a different network), except the batch-norm
// `num_batches_tracked` counters.
//
//===----------------------------------------------------------------------===//
#include "vggq/Import/Import.h"

#include "GraphBuilder.h"
#include "Safetensors.h"
#include "VGG16.h"

#include "llvm/ADT/StringSet.h"

#include <map>

using namespace mlir;

namespace vggq {

namespace {
using import::LinearLayer;
using import::SafetensorsFile;

/// CIFAR-10.
constexpr int64_t kDefaultClasses = 10;

/// Reads the classifier's structure from the weight shapes. Without any
/// classifier weight it is the default Linear(512, 10), which the shape
/// checks then report as missing.
std::vector<LinearLayer> findClassifier(const SafetensorsFile &file) {
  std::vector<LinearLayer> layers;
  // A weight that is not 2-D is reported by the shape check of the builder.
  auto outFeatures = [&](StringRef name) -> int64_t {
    const import::SafetensorsEntry *entry = file.lookup(name);
    return entry && entry->shape.size() == 2 && entry->shape[0] > 0
               ? entry->shape[0]
               : kDefaultClasses;
  };
  if (file.lookup("classifier.weight")) {
    layers.push_back({"classifier", import::kVGGFeatures,
                      outFeatures("classifier.weight"), ""});
  } else {
    std::map<int64_t, std::string> indexed;
    for (const std::string &name : file.names()) {
      StringRef rest(name);
      int64_t j;
      if (rest.consume_front("classifier.") && rest.consume_back(".weight") &&
          !rest.getAsInteger(10, j))
        indexed[j] = name;
    }
    if (indexed.empty())
      indexed[-1] = "classifier.weight";
    int64_t in = import::kVGGFeatures;
    for (auto it = indexed.begin(); it != indexed.end(); ++it) {
      auto next = std::next(it);
      std::string relu = next == indexed.end()
                             ? ""
                             : "classifier." + std::to_string(it->first + 1);
      int64_t out = outFeatures(it->second);
      std::string prefix = it->first < 0
                               ? std::string("classifier")
                               : "classifier." + std::to_string(it->first);
      layers.push_back({prefix, in, out, relu});
      in = out;
    }
  }
  return layers;
}
} // namespace

llvm::Expected<OwningOpRef<ModuleOp>> importSafetensors(MLIRContext &ctx,
                                                        StringRef path) {
  llvm::Expected<SafetensorsFile> file = SafetensorsFile::open(path);
  if (!file)
    return file.takeError();
  std::vector<LinearLayer> classifier = findClassifier(*file);

  llvm::StringSet<> used;
  auto tensor = [&](StringRef name, llvm::ArrayRef<int64_t> shape) {
    used.insert(name);
    return file->readF32(name, shape);
  };
  auto module = import::buildVGG16(ctx, classifier, tensor, path);
  if (!module)
    return module.takeError();
  for (const std::string &name : file->names())
    if (!used.contains(name) &&
        !StringRef(name).ends_with(".num_batches_tracked"))
      return import::fileError(path,
                               "tensor '" + name +
                                   "' is not part of the VGG16-BN description");
  return module;
}

} // namespace vggq
