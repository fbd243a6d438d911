//===- Plan.cpp - the artifact plan, weights and PTX ------------*- C++ -*-===//
//
// The plan is a direct transcription of the attributes --vggq-lower-to-gpu
// left on the module: vggq.input / vggq.output / vggq.arena on
// @vggq_forward, vggq.weights on the module, the kernels' vggq.* choices,
// and each gpu.launch_func's vggq.layer / vggq.grid / vggq.args / vggq.out,
// in launch order.
//
//===----------------------------------------------------------------------===//
#include "vggq/Conversion/Plan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
namespace json = llvm::json;

namespace {

/// Attribute -> JSON, for the attribute kinds the lowering records.
json::Value toJSON(Attribute a) {
  if (auto i = dyn_cast<IntegerAttr>(a))
    return i.getInt();
  if (auto f = dyn_cast<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto s = dyn_cast<StringAttr>(a))
    return s.getValue().str();
  if (auto arr = dyn_cast<DenseI64ArrayAttr>(a))
    return json::Array(arr.asArrayRef());
  if (auto arr = dyn_cast<DenseI32ArrayAttr>(a))
    return json::Array(arr.asArrayRef());
  if (auto arr = dyn_cast<DenseF32ArrayAttr>(a)) {
    json::Array out;
    for (float f : arr.asArrayRef())
      out.push_back(static_cast<double>(f));
    return out;
  }
  if (auto arr = dyn_cast<ArrayAttr>(a)) {
    json::Array out;
    for (Attribute e : arr)
      out.push_back(toJSON(e));
    return out;
  }
  if (auto d = dyn_cast<DictionaryAttr>(a)) {
    json::Object o;
    for (NamedAttribute n : d)
      o[n.getName().getValue()] = toJSON(n.getValue());
    return o;
  }
  if (isa<UnitAttr>(a))
    return true;
  return nullptr;
}

} // namespace

FailureOr<json::Value> vggq::buildPlan(ModuleOp module, StringRef modelName) {
  auto host = module.lookupSymbol<func::FuncOp>("vggq_forward");
  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>("vggq_kernels");
  if (!host || !kernels) {
    module.emitError("vggq plan: the module was not lowered by "
                     "--vggq-lower-to-gpu (no @vggq_forward / @vggq_kernels)");
    return failure();
  }
  json::Object plan;
  plan["format"] = "vggq-plan";
  plan["version"] = 1;
  plan["model"] = modelName.str();
  for (StringRef key : {"precision", "chip", "ptx_version"})
    if (Attribute a = module->getAttr(("vggq." + key).str()))
      plan[key] = toJSON(a);
  for (StringRef key : {"input", "output", "arena"}) {
    Attribute a = host->getAttr(("vggq." + key).str());
    if (!a) {
      host.emitError("vggq plan: @vggq_forward has no vggq.") << key;
      return failure();
    }
    plan[key] = toJSON(a);
  }
  if (Attribute w = module->getAttr("vggq.weights"))
    plan["weights"] = toJSON(w);

  json::Array kernelList;
  for (auto fn : kernels.getOps<gpu::GPUFuncOp>()) {
    json::Object k;
    k["name"] = fn.getName().str();
    for (StringRef key : {"block", "tile", "stages", "mma"})
      if (Attribute a = fn->getAttr(("vggq." + key).str()))
        k[key] = toJSON(a);
    // shared_bytes is the dynamic amount for cuLaunchKernel
    // (runtime/README.md): a GEMM ring past the 48 KiB that a kernel may
    // declare statically; static_shared_bytes is informative.
    k["shared_bytes"] = 0;
    if (Attribute a = fn->getAttr("vggq.dynamic_shared_bytes"))
      k["shared_bytes"] = toJSON(a);
    if (Attribute a = fn->getAttr("vggq.shared_bytes"))
      k["static_shared_bytes"] = toJSON(a);
    k["pool_fused"] = fn->hasAttr("vggq.pool_fused");
    if (fn->hasAttr("vggq.warp_specialized"))
      k["warp_specialized"] = true;
    kernelList.push_back(std::move(k));
  }
  plan["kernels"] = std::move(kernelList);

  json::Array launches;
  host.walk([&](gpu::LaunchFuncOp launch) {
    json::Object l;
    l["kernel"] = launch.getKernelName().getValue().str();
    for (StringRef key : {"layer", "grid", "args", "out"})
      if (Attribute a = launch->getAttr(("vggq." + key).str()))
        l[key] = toJSON(a);
    launches.push_back(std::move(l));
  });
  plan["launches"] = std::move(launches);
  return json::Value(std::move(plan));
}

llvm::ArrayRef<char> vggq::getWeightsBlob(ModuleOp module) {
  auto blob =
      module->getAttrOfType<DenseResourceElementsAttr>("vggq.weights_blob");
  if (!blob || !blob.getRawHandle().getBlob())
    return {};
  return blob.getRawHandle().getBlob()->getData();
}

std::optional<std::string> vggq::getKernelPTX(ModuleOp module) {
  auto binary = module.lookupSymbol<gpu::BinaryOp>("vggq_kernels");
  if (!binary)
    return std::nullopt;
  for (Attribute a : binary.getObjects())
    if (auto obj = dyn_cast<gpu::ObjectAttr>(a))
      return obj.getObject().getValue().str();
  return std::nullopt;
}
