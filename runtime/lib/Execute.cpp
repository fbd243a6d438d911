//===- Execute.cpp - launches, the forward graph, timing ----------------------===//
//
// The forward pass is the plan's launches in order on one stream. It is
// captured once per batch size as a CUDA graph and replayed; the per-layer
// entry points run the launches eagerly instead.
//
//===----------------------------------------------------------------------===//
#include "Model.h"

#include <algorithm>
#include <vector>

using namespace vggq::rt;

namespace {

/// A fault inside a graph names no kernel: say how to find it.
const char *const kGraphHint =
    "; to find a faulting kernel, vggq-run-cuda --compare-ref runs the "
    "launches one at a time";

std::string launchContext(const vggq_model &m, size_t i) {
  const PlanLaunch &l = m.plan.launches[i];
  return "launch " + std::to_string(i) + ", kernel '" + l.kernel +
         "', layer '" + l.layer + "'";
}

bool validBatch(vggq_model &m, int batch) {
  if (batch < 1)
    return m.fail("batch must be >= 1, got " + std::to_string(batch));
  return true;
}

/// Uploads `bytes` to a per-image arena offset for `batch` images.
bool upload(vggq_model &m, uint64_t offsetPerImage, int batch,
            const void *src, size_t bytes, const std::string &what) {
  return m.check(m.cu->cuMemcpyHtoD(arenaAt(m, offsetPerImage, batch), src,
                                    bytes),
                 "cuMemcpyHtoD", what);
}

bool downloadOut(vggq_model &m, int launch, int batch, void *dst,
                 size_t dstBytes) {
  const PlanBuffer &out = m.plan.launches[launch].out;
  size_t bytes = out.bytesPerImage * static_cast<size_t>(batch);
  if (dstBytes < bytes)
    return m.fail("destination holds " + std::to_string(dstBytes) +
                  " bytes; launch " + std::to_string(launch) + " writes " +
                  std::to_string(bytes));
  return m.check(m.cu->cuStreamSynchronize(m.stream), "cuStreamSynchronize",
                 launchContext(m, launch)) &&
         m.check(m.cu->cuMemcpyDtoH(dst, arenaAt(m, out.offsetPerImage, batch),
                                    bytes),
                 "cuMemcpyDtoH", "out of " + launchContext(m, launch));
}

bool checkLaunchIndex(vggq_model &m, int launch) {
  if (launch < 0 || launch >= static_cast<int>(m.plan.launches.size()))
    return m.fail("launch index " + std::to_string(launch) + " out of range");
  return true;
}

} // namespace

bool vggq::rt::ensureCapacity(vggq_model &m, int batch) {
  if (!m.check(m.cu->cuCtxSetCurrent(m.context), "cuCtxSetCurrent"))
    return false;
  if (batch <= m.capacity)
    return true;
  for (auto &g : m.graphs)
    m.cu->cuGraphExecDestroy(g.second);
  m.graphs.clear();
  if (m.arena && !m.check(m.cu->cuMemFree(m.arena), "cuMemFree", "arena"))
    return false;
  m.arena = 0;
  m.capacity = 0;
  uint64_t bytes = m.plan.arenaBytesPerImage * static_cast<uint64_t>(batch);
  if (!m.check(m.cu->cuMemAlloc(&m.arena, bytes), "cuMemAlloc",
               "arena of " + std::to_string(bytes) + " bytes for batch " +
                   std::to_string(batch)))
    return false;
  m.capacity = batch;
  m.sampleMemory();
  return true;
}

bool vggq::rt::encodeTensorMap(vggq_model &m, const PlanTensorMap &t,
                               CUdeviceptr base, uint64_t batch, size_t launch,
                               size_t arg, CUtensorMap &out) {
  cuuint64_t dims[5], strides[4];
  cuuint32_t box[5], elementStrides[5];
  for (unsigned d = 0; d < t.rank; ++d) {
    dims[d] = t.overArena && d + 1 == t.rank ? batch : t.dims[d];
    box[d] = t.box[d];
    elementStrides[d] = 1;
    if (d + 1 < t.rank)
      strides[d] = t.strides[d];
  }
  CUtensorMapSwizzle swizzle = t.swizzleBytes == 128  ? CU_TENSOR_MAP_SWIZZLE_128B
                               : t.swizzleBytes == 64 ? CU_TENSOR_MAP_SWIZZLE_64B
                               : t.swizzleBytes == 32 ? CU_TENSOR_MAP_SWIZZLE_32B
                                                      : CU_TENSOR_MAP_SWIZZLE_NONE;
  return m.check(
      m.cu->cuTensorMapEncodeTiled(
          &out,
          t.elemBytes == 2 ? CU_TENSOR_MAP_DATA_TYPE_UINT16
                           : CU_TENSOR_MAP_DATA_TYPE_UINT8,
          t.rank, reinterpret_cast<void *>(static_cast<uintptr_t>(base)), dims,
          strides, box, elementStrides, CU_TENSOR_MAP_INTERLEAVE_NONE, swizzle,
          CU_TENSOR_MAP_L2_PROMOTION_L2_128B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
      "cuTensorMapEncodeTiled",
      "the tensor map of " + launchContext(m, launch) + ", argument " +
          std::to_string(arg) +
          (t.overArena ? ", batch " + std::to_string(batch) : std::string()));
}

bool vggq::rt::enqueueLaunches(vggq_model &m, int batch, size_t first,
                               size_t last) {
  for (size_t i = first; i < last; ++i) {
    const PlanLaunch &l = m.plan.launches[i];
    const PlanKernel &k = m.plan.kernels[l.kernelIndex];
    uint64_t gridX = (static_cast<uint64_t>(batch) * l.rowsPerImage +
                      l.tileRows - 1) / l.tileRows;
    if (gridX > 0x7FFFFFFFu)
      return m.fail("grid.x " + std::to_string(gridX) + " too large for " +
                    launchContext(m, i));
    unsigned gridY = l.gridY, gridZ = l.gridZ;
    if (l.persistent) { // the kernel loops over the tiles of any grid
      uint64_t tiles = gridX * gridY * gridZ;
      uint64_t blocks = m.persistentBlocks ? m.persistentBlocks
                                           : uint64_t(m.smCount) * l.persistent;
      gridX = std::min(tiles, blocks);
      gridY = gridZ = 1;
    }
    std::vector<uint64_t> values(l.args.size());
    std::vector<void *> params(l.args.size());
    // The arena maps of this launch for this batch (copied by the launch).
    std::vector<CUtensorMap> arenaMaps(l.args.size());
    int32_t b = batch;
    for (size_t a = 0; a < l.args.size(); ++a) {
      const LaunchArg &arg = l.args[a];
      if (arg.kind == LaunchArg::Arena)
        values[a] = arenaAt(m, arg.offset, batch);
      else if (arg.kind == LaunchArg::Weights)
        values[a] = m.weights + arg.offset;
      if (arg.kind == LaunchArg::TensorMap && arg.map.overArena) {
        if (!encodeTensorMap(m, arg.map, arenaAt(m, arg.offset, batch),
                             static_cast<uint64_t>(batch), i, a, arenaMaps[a]))
          return false;
        params[a] = &arenaMaps[a];
      } else if (arg.kind == LaunchArg::TensorMap) { // by value: 128 bytes
        params[a] = &m.tensorMaps[arg.mapIndex];
      } else {
        params[a] = arg.kind == LaunchArg::Batch ? static_cast<void *>(&b)
                                                 : &values[a];
      }
    }
    if (!m.check(m.cu->cuLaunchKernel(
                     m.functions[l.kernelIndex], static_cast<unsigned>(gridX),
                     gridY, gridZ, k.block[0], k.block[1], k.block[2],
                     k.sharedBytes, m.stream, params.data(), nullptr),
                 "cuLaunchKernel", launchContext(m, i)))
      return false;
  }
  return true;
}

bool vggq::rt::graphFor(vggq_model &m, int batch, CUgraphExec &exec) {
  auto it = m.graphs.find(batch);
  if (it != m.graphs.end()) {
    exec = it->second;
    return true;
  }
  CUgraph graph = nullptr;
  if (!m.check(m.cu->cuStreamBeginCapture(m.stream,
                                          CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
               "cuStreamBeginCapture"))
    return false;
  bool ok = enqueueLaunches(m, batch, 0, m.plan.launches.size());
  CUresult r = m.cu->cuStreamEndCapture(m.stream, &graph);
  if (!ok) {
    // The capture ended; its graph is ours to free even though it is unused.
    if (r == CUDA_SUCCESS && graph)
      m.cu->cuGraphDestroy(graph);
    return false;
  }
  if (!m.check(r, "cuStreamEndCapture", "forward graph, batch " +
                                             std::to_string(batch)))
    return false;
  r = m.cu->cuGraphInstantiate(&exec, graph, 0);
  m.cu->cuGraphDestroy(graph);
  if (!m.check(r, "cuGraphInstantiate", "batch " + std::to_string(batch)))
    return false;
  m.graphs[batch] = exec;
  m.sampleMemory();
  return true;
}

extern "C" {

int vggq_model_reserve(vggq_model *m, int maxBatch) {
  return m && validBatch(*m, maxBatch) && ensureCapacity(*m, maxBatch) ? 0 : 1;
}

int vggq_forward(vggq_model *m, const float *input, float *logits, int batch) {
  if (!m || !validBatch(*m, batch) || !ensureCapacity(*m, batch))
    return 1;
  CUgraphExec exec;
  const Plan &p = m->plan;
  size_t outBytes = p.output.bytesPerImage * static_cast<size_t>(batch);
  bool ok = upload(*m, p.input.offsetPerImage, batch, input,
                   p.input.bytesPerImage * static_cast<size_t>(batch),
                   "input") &&
            graphFor(*m, batch, exec) &&
            m->check(m->cu->cuGraphLaunch(exec, m->stream), "cuGraphLaunch",
                     "forward, batch " + std::to_string(batch) + kGraphHint) &&
            m->check(m->cu->cuStreamSynchronize(m->stream),
                     "cuStreamSynchronize", std::string("forward graph") + kGraphHint) &&
            m->check(m->cu->cuMemcpyDtoH(
                         logits, arenaAt(*m, p.output.offsetPerImage, batch),
                         outBytes),
                     "cuMemcpyDtoH", "logits");
  m->sampleMemory();
  return ok ? 0 : 1;
}

int vggq_benchmark(vggq_model *m, int batch, int warmup, int iters,
                   float *msPerBatch) {
  if (!m || !validBatch(*m, batch) || iters < 1 || !ensureCapacity(*m, batch))
    return 1;
  const Plan &p = m->plan;
  // Deterministic non-trivial input in [-2, 2).
  std::vector<float> input(p.input.bytesPerImage / 4 * size_t(batch));
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = static_cast<float>((i * 2654435761u) % 4096) / 1024.0f - 2.0f;
  CUgraphExec exec;
  CUevent start = nullptr, stop = nullptr;
  bool ok = upload(*m, p.input.offsetPerImage, batch, input.data(),
                   input.size() * 4, "benchmark input") &&
            graphFor(*m, batch, exec) &&
            m->check(m->cu->cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate") &&
            m->check(m->cu->cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  for (int i = 0; ok && i < warmup; ++i)
    ok = m->check(m->cu->cuGraphLaunch(exec, m->stream), "cuGraphLaunch", "warm-up");
  ok = ok && m->check(m->cu->cuEventRecord(start, m->stream), "cuEventRecord");
  for (int i = 0; ok && i < iters; ++i)
    ok = m->check(m->cu->cuGraphLaunch(exec, m->stream), "cuGraphLaunch", "timed");
  float ms = 0;
  ok = ok && m->check(m->cu->cuEventRecord(stop, m->stream), "cuEventRecord") &&
       m->check(m->cu->cuEventSynchronize(stop), "cuEventSynchronize",
                "timed forward graphs, batch " + std::to_string(batch)) &&
       m->check(m->cu->cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
  if (start)
    m->cu->cuEventDestroy(start);
  if (stop)
    m->cu->cuEventDestroy(stop);
  m->sampleMemory();
  if (ok && msPerBatch)
    *msPerBatch = ms / static_cast<float>(iters);
  return ok ? 0 : 1;
}

int vggq_layer_output(vggq_model *m, const float *input, int batch, int launch,
                      void *dst, size_t dstBytes) {
  if (!m || !validBatch(*m, batch) || !checkLaunchIndex(*m, launch) ||
      !ensureCapacity(*m, batch))
    return 1;
  const Plan &p = m->plan;
  bool ok = upload(*m, p.input.offsetPerImage, batch, input,
                   p.input.bytesPerImage * size_t(batch), "input") &&
            enqueueLaunches(*m, batch, 0, size_t(launch) + 1) &&
            downloadOut(*m, launch, batch, dst, dstBytes);
  return ok ? 0 : 1;
}

int vggq_layer_outputs(vggq_model *m, const float *input, int batch,
                       void *const *dsts, const size_t *dstBytes) {
  if (!m || !validBatch(*m, batch) || !ensureCapacity(*m, batch))
    return 1;
  if (!dsts || !dstBytes) {
    m->fail("vggq_layer_outputs: dsts and dst_bytes must not be NULL");
    return 1;
  }
  const Plan &p = m->plan;
  if (!upload(*m, p.input.offsetPerImage, batch, input,
              p.input.bytesPerImage * size_t(batch), "input"))
    return 1;
  for (size_t i = 0; i < p.launches.size(); ++i)
    if (!enqueueLaunches(*m, batch, i, i + 1) ||
        (dsts[i] && !downloadOut(*m, int(i), batch, dsts[i], dstBytes[i])))
      return 1;
  return 0;
}

int vggq_layer_isolated(vggq_model *m, const float *input,
                        const void *const *inputs, int batch, int launch,
                        void *dst, size_t dstBytes) {
  if (!m || !validBatch(*m, batch) || !checkLaunchIndex(*m, launch) ||
      !ensureCapacity(*m, batch))
    return 1;
  const Plan &p = m->plan;
  if (!upload(*m, p.input.offsetPerImage, batch, input,
              p.input.bytesPerImage * size_t(batch), "input"))
    return 1;
  // Every arena operand written earlier gets the reference's values. The
  // launch's own output is skipped: the planner reuses arena space, so an
  // earlier (larger) buffer at the same offset would spill over the real
  // input if it were uploaded after it.
  for (const LaunchArg &arg : p.launches[launch].args) {
    bool inArena = arg.kind == LaunchArg::Arena ||
                   (arg.kind == LaunchArg::TensorMap && arg.map.overArena);
    if (!inArena || arg.offset == p.launches[launch].out.offsetPerImage)
      continue;
    for (int j = launch - 1; j >= 0; --j) {
      const PlanBuffer &out = p.launches[j].out;
      if (out.offsetPerImage != arg.offset)
        continue;
      if (inputs && inputs[j] &&
          !upload(*m, out.offsetPerImage, batch, inputs[j],
                  out.bytesPerImage * size_t(batch),
                  "reference input for " + launchContext(*m, size_t(launch))))
        return 1;
      break;
    }
  }
  bool ok = enqueueLaunches(*m, batch, size_t(launch), size_t(launch) + 1) &&
            downloadOut(*m, launch, batch, dst, dstBytes);
  return ok ? 0 : 1;
}

} // extern "C"
