//===- Compare.cpp - GPU vs CPU reference, per layer ------------------------===//
#include "Compare.h"

#include "vggq/Precision/Numerics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace vggq::rt;

namespace {

/// Position of a float format's code on the number line (sign-magnitude; +0
/// and -0 both at 0).
long floatIndex(uint32_t c, const vggq::format::Format &f) {
  uint32_t sign = 1u << (f.bits - 1);
  return (c & sign) ? -long(c & (sign - 1)) : long(c & (sign - 1));
}

size_t argmax(const float *v, int n) {
  return static_cast<size_t>(std::max_element(v, v + n) - v);
}

} // namespace

LayerDiff vggq::rt::compareBuffers(Dtype d, float scale, const void *gpu,
                                   const void *ref, size_t n) {
  LayerDiff r;
  r.elements = n;
  for (size_t i = 0; i < n; ++i)
    r.refMaxAbs = std::max(r.refMaxAbs, std::fabs(decodeElement(d, ref, i, scale)));
  const auto *g8 = static_cast<const uint8_t *>(gpu);
  const auto *r8 = static_cast<const uint8_t *>(ref);
  const vggq::format::Format *f = dtypeFormat(d);
  unsigned eb = dtypeSize(d);
  for (size_t i = 0; i < n; ++i) {
    double gv = decodeElement(d, gpu, i, scale), rv = decodeElement(d, ref, i, scale);
    double diff = std::fabs(gv - rv);
    bool nan = std::isnan(gv) != std::isnan(rv);
    bool equal = std::memcmp(g8 + i * eb, r8 + i * eb, eb) == 0;
    if (!equal)
      ++r.differing;
    if (!std::isnan(diff))
      r.maxAbs = std::max(r.maxAbs, diff);
    bool within = true;
    if (!f) { // s32
      within = equal;
    } else if (f->kind == vggq::format::Kind::F32) {
      within = diff <= 2e-3 * r.refMaxAbs + 1e-5;
    } else {
      uint32_t gc = vggq::numerics::loadCode(gpu, i, eb);
      uint32_t rc = vggq::numerics::loadCode(ref, i, eb);
      long steps = f->isInteger()
                       ? std::labs(long(vggq::numerics::decode(gc, *f)) -
                                   long(vggq::numerics::decode(rc, *f)))
                       : std::labs(floatIndex(gc, *f) - floatIndex(rc, *f));
      r.maxSteps = std::max(r.maxSteps, steps);
      within = steps <= 1 || (!f->isInteger() && diff <= 1e-3 * r.refMaxAbs);
    }
    if (nan)
      ++r.nanMismatch;
    if (!within || nan)
      ++r.beyond;
  }
  // Float formats on tensor cores: the hardware's running sum keeps fewer
  // bits than the reference's (GPU-FACTS.md), which moves a few codes by
  // more than one step.
  if (f && f->kind == vggq::format::Kind::Float)
    r.allowed = n / 1000;
  return r;
}

bool vggq::rt::compareWithReference(vggq_model *m, const Plan &plan,
                                    const RefDump &dump, const float *input,
                                    int images) {
  size_t n = plan.launches.size();
  std::vector<const void *> inputs(n, nullptr);
  std::vector<const DumpEntry *> refs(n, nullptr);
  for (size_t i = 0; i < n; ++i) {
    bool last = true;
    for (size_t j = i + 1; j < n; ++j)
      last = last && plan.launches[j].layer != plan.launches[i].layer;
    if (last && (refs[i] = dump.find(plan.launches[i].layer)))
      inputs[i] = refs[i]->data.data();
  }
  bool allOk = true;
  std::printf("compare: %d images; isolated = each launch fed the reference's "
              "inputs, chained = the whole forward on the GPU\n", images);
  std::printf("  %-4s %-22s %-5s %9s %10s %8s %12s %10s\n", "#", "layer",
              "dtype", "isolated", "differing", "maxstep", "max|diff|",
              "chained");
  // Chained: one eager forward, each compared launch's output copied right
  // after it runs.
  std::vector<std::vector<uint8_t>> chainedOut(n);
  std::vector<void *> dsts(n, nullptr);
  std::vector<size_t> dstBytes(n, 0);
  for (size_t i = 0; i < n; ++i)
    if (refs[i]) {
      chainedOut[i].assign(refs[i]->data.size(), 0);
      dsts[i] = chainedOut[i].data();
      dstBytes[i] = chainedOut[i].size();
    }
  if (vggq_layer_outputs(m, input, images, dsts.data(), dstBytes.data())) {
    std::fprintf(stderr, "vggq-run-cuda: %s\n", vggq_last_error(m));
    return false;
  }
  std::vector<uint8_t> gpu;
  for (size_t i = 0; i < n; ++i) {
    if (!refs[i])
      continue;
    const PlanLaunch &l = plan.launches[i];
    gpu.assign(refs[i]->data.size(), 0);
    if (vggq_layer_isolated(m, input, inputs.data(), images, int(i), gpu.data(),
                            gpu.size())) {
      std::fprintf(stderr, "vggq-run-cuda: %s\n", vggq_last_error(m));
      return false;
    }
    LayerDiff iso = compareBuffers(l.out.dtype, l.out.scale, gpu.data(),
                                   refs[i]->data.data(), refs[i]->elements());
    LayerDiff chained = compareBuffers(l.out.dtype, l.out.scale,
                                       chainedOut[i].data(),
                                       refs[i]->data.data(), refs[i]->elements());
    allOk = allOk && iso.ok();
    char chainedText[32];
    std::snprintf(chainedText, sizeof(chainedText), "%.2f%%",
                  100.0 * double(chained.elements - chained.differing) /
                      double(std::max<size_t>(chained.elements, 1)));
    std::printf("  %-4zu %-22s %-5s %9s %10zu %8ld %12.4g %9s=\n", i,
                l.layer.c_str(), dtypeName(l.out.dtype),
                iso.ok() ? "ok" : "FAIL", iso.differing, iso.maxSteps,
                iso.maxAbs, chainedText);
    if (!iso.ok())
      std::printf("       %zu of %zu elements outside the tolerance%s\n",
                  iso.beyond, iso.elements,
                  iso.allowed ? " (FP8 allows 0.1 %)" : "");
    else if (iso.beyond)
      std::printf("       %zu of %zu elements outside the one-step rule, within "
                  "FP8's 0.1 %% allowance (%zu)\n",
                  iso.beyond, iso.elements, iso.allowed);
  }
  if (const DumpEntry *ref = dump.find("logits")) {
    int classes = int(plan.output.shape[1]);
    std::vector<float> logits(size_t(images) * classes);
    if (vggq_forward(m, input, logits.data(), images)) {
      std::fprintf(stderr, "vggq-run-cuda: %s\n", vggq_last_error(m));
      return false;
    }
    const auto *r = reinterpret_cast<const float *>(ref->data.data());
    int agree = 0;
    for (int b = 0; b < images; ++b)
      agree += argmax(&logits[size_t(b) * classes], classes) ==
               argmax(r + size_t(b) * classes, classes);
    LayerDiff diff = compareBuffers(Dtype::F32, 1.0f, logits.data(), r,
                                    logits.size());
    bool ok = agree * 100 >= images * 98;
    allOk = allOk && ok;
    std::printf("  logits (chained): top-1 agrees on %d/%d images, max|diff| "
                "%.4g (max|logit| %.4g): %s\n", agree, images, diff.maxAbs,
                diff.refMaxAbs, ok ? "ok" : "FAIL");
  }
  std::printf("compare: %s\n", allOk ? "PASS" : "FAIL");
  return allOk;
}
