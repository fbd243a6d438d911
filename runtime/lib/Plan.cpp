//===- Plan.cpp - reading and validating the plan JSON ----------------------===//
//
// Every lookup goes through a Reader that knows the key path, so that a
// missing or mistyped value is reported as, e.g.,
//   plan: missing key 'launches[3].out.dtype'
//
//===----------------------------------------------------------------------===//
#include "Plan.h"

#include "Json.h"

#include <cmath>

using namespace vggq::rt;

namespace {

/// Typed access to JSON members, recording the first error.
class Reader {
public:
  std::string error;

  bool failed() const { return !error.empty(); }

  bool fail(const std::string &path, const std::string &what) {
    if (error.empty())
      error = "plan: '" + path + "' " + what;
    return false;
  }

  const JsonValue *member(const JsonValue &obj, const std::string &path,
                          const std::string &key, JsonValue::Kind kind,
                          bool optional = false) {
    std::string full = path.empty() ? key : path + "." + key;
    const JsonValue *v = obj.get(key);
    if (!v) {
      if (!optional && error.empty())
        error = "plan: missing key '" + full + "'";
      return nullptr;
    }
    if (v->kind != kind) {
      fail(full, std::string("must be a ") + JsonValue::kindName(kind) +
                     ", not a " + JsonValue::kindName(v->kind));
      return nullptr;
    }
    return v;
  }

  std::string str(const JsonValue &o, const std::string &p,
                  const std::string &k) {
    const JsonValue *v = member(o, p, k, JsonValue::String);
    return v ? v->str : std::string();
  }

  /// A number that must be an integer in [lo, hi].
  int64_t integer(const JsonValue &o, const std::string &p,
                  const std::string &k, int64_t lo, int64_t hi,
                  int64_t dflt = 0, bool optional = false) {
    const JsonValue *v = member(o, p, k, JsonValue::Number, optional);
    if (!v)
      return dflt;
    double d = v->number;
    if (d != std::floor(d) || d < double(lo) || d > double(hi)) {
      fail(p.empty() ? k : p + "." + k,
           "must be an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "], got " + std::to_string(d));
      return dflt;
    }
    return static_cast<int64_t>(d);
  }

  Dtype dtype(const JsonValue &o, const std::string &p) {
    std::string name = str(o, p, "dtype");
    Dtype d = Dtype::F32;
    if (!failed() && !parseDtype(name, d))
      fail(p + ".dtype", "is an unknown dtype '" + name + "' (expected " +
                             dtypeNames() + ")");
    return d;
  }

  std::vector<float> floats(const JsonValue &o, const std::string &p,
                            const std::string &k) {
    std::vector<float> out;
    if (const JsonValue *v = member(o, p, k, JsonValue::Array))
      for (const JsonValue &x : v->items) {
        if (x.kind != JsonValue::Number) {
          fail(p + "." + k, "must hold numbers only");
          break;
        }
        out.push_back(static_cast<float>(x.number));
      }
    return out;
  }

  void buffer(const JsonValue &o, const std::string &p, PlanBuffer &b) {
    b.offsetPerImage = integer(o, p, "offset_per_image", 0, INT64_C(1) << 40);
    if (!failed() && b.offsetPerImage % 16 != 0)
      fail(p + ".offset_per_image", "must be a multiple of 16");
    b.dtype = dtype(o, p);
    if (const JsonValue *s = o.get("scale")) {
      if (s->kind != JsonValue::Number || !(s->number > 0) ||
          !std::isfinite(s->number))
        fail(p + ".scale", "must be a finite number > 0");
      else
        b.scale = static_cast<float>(s->number);
    }
    const JsonValue *shape = member(o, p, "shape", JsonValue::Array);
    if (!shape)
      return;
    uint64_t n = dtypeSize(b.dtype);
    for (size_t i = 0; i < shape->items.size(); ++i) {
      const JsonValue &d = shape->items[i];
      // Range first: casting 1e300 to an integer is undefined.
      bool ok = d.kind == JsonValue::Number && d.number == std::floor(d.number) &&
                d.number >= -1 && d.number <= double(1 << 24);
      int64_t dim = ok ? static_cast<int64_t>(d.number) : 0;
      if (i == 0 && dim != -1) {
        fail(p + ".shape", "must start with -1 (the batch)");
        return;
      }
      if (i > 0 && (!ok || dim <= 0 || dim > (1 << 24))) {
        fail(p + ".shape", "must hold positive integers after the batch");
        return;
      }
      b.shape.push_back(dim);
      if (i > 0 && n > (UINT64_C(1) << 40) / static_cast<uint64_t>(dim)) {
        fail(p + ".shape", "holds more than 2^40 bytes per image");
        return;
      }
      if (i > 0)
        n *= static_cast<uint64_t>(dim);
    }
    if (b.shape.size() < 2 || b.shape.size() > 8)
      fail(p + ".shape", "must have rank 2 to 8");
    b.bytesPerImage = n;
  }

  /// 1 to `max` integers in [lo, hi] (a tensor map's dims, strides, box).
  size_t integers(const JsonValue &o, const std::string &p,
                  const std::string &k, size_t max, int64_t lo, int64_t hi,
                  uint64_t *out) {
    const JsonValue *v = member(o, p, k, JsonValue::Array);
    if (!v)
      return 0;
    if (v->items.empty() || v->items.size() > max) {
      fail(p + "." + k, "must have 1 to " + std::to_string(max) + " entries");
      return 0;
    }
    for (size_t i = 0; i < v->items.size(); ++i) {
      const JsonValue &e = v->items[i];
      if (e.kind != JsonValue::Number || e.number != std::floor(e.number) ||
          e.number < double(lo) || e.number > double(hi)) {
        fail(p + "." + k, "entries must be integers in [" +
                              std::to_string(lo) + ", " + std::to_string(hi) +
                              "]");
        return 0;
      }
      out[i] = static_cast<uint64_t>(static_cast<int64_t>(e.number));
    }
    return v->items.size();
  }

  /// The rules of cuTensorMapEncodeTiled that the plan alone can check
  /// (cuda.h): sizes up to 2^32, strides 16-byte multiples below 2^40 that
  /// contain the dimension below, boxes of 1..256 elements whose inner
  /// extent is a multiple of 16 bytes and, when swizzled, the swizzle span.
  /// An arena map's last dimension is the batch (-1).
  void tensorMap(const JsonValue &o, const std::string &p, PlanTensorMap &m) {
    m.elemBytes = integer(o, p, "elem_bytes", 1, 2);
    uint64_t dims[5] = {};
    size_t rank = integers(o, p, "dims", 5, m.overArena ? -1 : 1,
                           INT64_C(1) << 32, dims);
    uint64_t strides[4] = {}, box[5] = {};
    size_t nStrides =
        rank > 1 ? integers(o, p, "strides", 4, 16, (INT64_C(1) << 40) - 16,
                            strides)
                 : 0;
    size_t nBox = integers(o, p, "box", 5, 1, 256, box);
    m.swizzleBytes = integer(o, p, "swizzle", 0, 128);
    if (failed())
      return;
    m.rank = static_cast<unsigned>(rank);
    for (size_t d = 0; d < rank; ++d) {
      bool batch = m.overArena && d + 1 == rank;
      if (batch != (dims[d] == static_cast<uint64_t>(-1)) ||
          (!batch && dims[d] == 0))
        return (void)fail(p + ".dims",
                          m.overArena ? "must be positive with the batch "
                                        "(-1) last"
                                      : "must be positive");
      m.dims[d] = batch ? 0 : dims[d];
    }
    if (nStrides != rank - 1)
      return (void)fail(p + ".strides", "must have one entry per dimension "
                                        "after the first (" +
                                            std::to_string(rank - 1) + ")");
    if (nBox != rank)
      return (void)fail(p + ".box", "must have one entry per dimension (" +
                                        std::to_string(rank) + ")");
    uint64_t below = dims[0] * m.elemBytes;
    for (size_t d = 0; d + 1 < rank; ++d) {
      if (strides[d] % 16 != 0 || strides[d] < below)
        return (void)fail(p + ".strides",
                          "must be multiples of 16 bytes, each holding the "
                          "dimension below it");
      m.strides[d] = strides[d];
      below = strides[d] * (d + 2 < rank || !m.overArena ? dims[d + 1] : 1);
    }
    for (size_t d = 0; d < rank; ++d) {
      if (m.dims[d] && box[d] > m.dims[d])
        return (void)fail(p + ".box", "is larger than the tensor (dims)");
      m.box[d] = static_cast<uint32_t>(box[d]);
    }
    uint64_t inner = m.box[0] * m.elemBytes;
    if (inner % 16 != 0)
      fail(p + ".box", "inner extent must be a multiple of 16 bytes");
    else if (m.swizzleBytes != 0 && m.swizzleBytes != 32 &&
             m.swizzleBytes != 64 && m.swizzleBytes != 128)
      fail(p + ".swizzle", "must be 0, 32, 64 or 128");
    else if (m.swizzleBytes != 0 && inner != m.swizzleBytes)
      fail(p + ".box", "inner extent must equal the swizzle span (" +
                           std::to_string(m.swizzleBytes) + " bytes)");
  }

  void launch(const JsonValue &o, const std::string &p, PlanLaunch &l) {
    l.kernel = str(o, p, "kernel");
    l.layer = str(o, p, "layer");
    if (const JsonValue *g = member(o, p, "grid", JsonValue::Object)) {
      l.rowsPerImage = integer(*g, p + ".grid", "rows_per_image", 1, 1 << 30);
      l.tileRows = integer(*g, p + ".grid", "tile_rows", 1, 1 << 30);
      l.gridY = integer(*g, p + ".grid", "y", 1, 65535, 1, true);
      l.gridZ = integer(*g, p + ".grid", "z", 1, 65535, 1, true);
      l.persistent = static_cast<unsigned>(
          integer(*g, p + ".grid", "persistent", 1, 32, 0, true));
    }
    if (const JsonValue *args = member(o, p, "args", JsonValue::Array))
      for (size_t i = 0; i < args->items.size() && !failed(); ++i) {
        std::string ap = p + ".args[" + std::to_string(i) + "]";
        const JsonValue &a = args->items[i];
        if (a.kind != JsonValue::Object) {
          fail(ap, "must be an object");
          break;
        }
        LaunchArg arg;
        std::string kind = str(a, ap, "kind");
        if (kind == "arena") {
          arg.kind = LaunchArg::Arena;
          arg.offset = integer(a, ap, "offset_per_image", 0, INT64_C(1) << 40);
        } else if (kind == "weights") {
          arg.kind = LaunchArg::Weights;
          arg.offset = integer(a, ap, "offset", 0, INT64_C(1) << 40);
        } else if (kind == "batch") {
          arg.kind = LaunchArg::Batch;
        } else if (kind == "tensor_map") {
          arg.kind = LaunchArg::TensorMap;
          arg.map.overArena = a.get("offset_per_image") != nullptr;
          arg.offset = integer(a, ap,
                               arg.map.overArena ? "offset_per_image" : "offset",
                               0, INT64_C(1) << 40);
          tensorMap(a, ap, arg.map);
        } else if (!failed()) {
          fail(ap + ".kind", "is '" + kind +
                                 "' (expected arena, weights, tensor_map or "
                                 "batch)");
        }
        l.args.push_back(arg);
      }
    if (const JsonValue *out = member(o, p, "out", JsonValue::Object))
      buffer(*out, p + ".out", l.out);
  }
};

bool fitsArena(Reader &r, const Plan &plan, const PlanBuffer &b,
               const std::string &path) {
  if (b.offsetPerImage + b.bytesPerImage > plan.arenaBytesPerImage)
    return r.fail(path, "ends at byte " +
                            std::to_string(b.offsetPerImage + b.bytesPerImage) +
                            " per image, past arena.bytes_per_image (" +
                            std::to_string(plan.arenaBytesPerImage) + ")");
  return true;
}

bool check(Reader &r, Plan &plan) {
  if (plan.input.dtype != Dtype::F32 || plan.input.shape.size() != 4)
    return r.fail("input", "must be f32 of shape [-1, H, W, C]");
  if (plan.output.dtype != Dtype::F32 || plan.output.shape.size() != 2)
    return r.fail("output", "must be f32 of shape [-1, classes]");
  size_t c = static_cast<size_t>(plan.input.shape[3]);
  if (plan.mean.size() != c || plan.std.size() != c)
    return r.fail("input.mean", "and input.std must have one value per channel");
  for (float s : plan.std)
    if (!(s > 0))
      return r.fail("input.std", "must be > 0");
  if (!fitsArena(r, plan, plan.input, "input") ||
      !fitsArena(r, plan, plan.output, "output"))
    return false;
  for (size_t i = 0; i < plan.regions.size(); ++i) {
    const WeightRegion &w = plan.regions[i];
    if (w.offset + w.bytes > plan.weightsBytes)
      return r.fail("weights.regions[" + std::to_string(i) + "]",
                    "('" + w.name + "') ends past weights.bytes");
  }
  if (plan.launches.empty())
    return r.fail("launches", "must not be empty");
  for (size_t i = 0; i < plan.launches.size(); ++i) {
    PlanLaunch &l = plan.launches[i];
    std::string p = "launches[" + std::to_string(i) + "]";
    for (size_t k = 0; k < plan.kernels.size(); ++k)
      if (plan.kernels[k].name == l.kernel)
        l.kernelIndex = static_cast<int>(k);
    if (l.kernelIndex < 0)
      return r.fail(p + ".kernel", "names an unknown kernel '" + l.kernel + "'");
    if (!fitsArena(r, plan, l.out, p + ".out"))
      return false;
    for (size_t a = 0; a < l.args.size(); ++a) {
      LaunchArg &arg = l.args[a];
      std::string ap = p + ".args[" + std::to_string(a) + "]";
      if (arg.kind == LaunchArg::Arena &&
          (arg.offset >= plan.arenaBytesPerImage || arg.offset % 16))
        return r.fail(ap, "arena offset must be a multiple of 16 inside the arena");
      if (arg.kind == LaunchArg::Weights && arg.offset >= plan.weightsBytes)
        return r.fail(ap, "weights offset is past weights.bytes");
      if (arg.kind == LaunchArg::TensorMap) {
        const PlanTensorMap &m = arg.map;
        // Bytes of the tensor (of one image, for an arena map).
        unsigned last = m.overArena ? m.rank - 1 : m.rank;
        uint64_t extent = m.dims[0] * m.elemBytes;
        for (unsigned d = 1; d < last; ++d)
          extent += (m.dims[d] - 1) * m.strides[d - 1];
        if (m.overArena) {
          uint64_t perImage = m.rank > 1 ? m.strides[m.rank - 2] : extent;
          if (arg.offset % 16 != 0 || extent > perImage ||
              arg.offset + perImage > plan.arenaBytesPerImage)
            return r.fail(ap, "tensor map over arena bytes [" +
                                  std::to_string(arg.offset) + ", " +
                                  std::to_string(arg.offset + perImage) +
                                  ") per image must start 16-byte aligned "
                                  "inside arena.bytes_per_image (" +
                                  std::to_string(plan.arenaBytesPerImage) +
                                  "), each image within its batch stride");
          continue;
        }
        if (arg.offset % 16 != 0 || arg.offset > plan.weightsBytes ||
            extent > plan.weightsBytes - arg.offset)
          return r.fail(ap, "tensor map over weights [" +
                                std::to_string(arg.offset) + ", " +
                                std::to_string(arg.offset + extent) +
                                ") must start 16-byte aligned inside "
                                "weights.bytes (" +
                                std::to_string(plan.weightsBytes) + ")");
        arg.mapIndex = plan.tensorMapCount++;
      }
    }
  }
  return true;
}

} // namespace

bool vggq::rt::parsePlan(const std::string &json, Plan &plan,
                         std::string &error) {
  JsonValue root;
  if (!parseJson(json, root, error)) {
    error = "plan: " + error;
    return false;
  }
  if (root.kind != JsonValue::Object) {
    error = "plan: the top level must be a JSON object";
    return false;
  }
  Reader r;
  plan = Plan();
  if (r.str(root, "", "format") != "vggq-plan" && !r.failed())
    r.fail("format", "must be \"vggq-plan\"");
  int64_t version = r.integer(root, "", "version", 0, 1 << 20);
  if (!r.failed() && version != 1)
    r.fail("version", "is " + std::to_string(version) +
                          "; this runtime reads version 1");
  plan.model = r.str(root, "", "model");
  plan.precision = r.str(root, "", "precision");
  plan.chip = r.str(root, "", "chip");
  plan.ptxVersion = r.integer(root, "", "ptx_version", 0, 1000, 0, true);
  if (const JsonValue *in = r.member(root, "", "input", JsonValue::Object)) {
    r.buffer(*in, "input", plan.input);
    plan.mean = r.floats(*in, "input", "mean");
    plan.std = r.floats(*in, "input", "std");
  }
  if (const JsonValue *out = r.member(root, "", "output", JsonValue::Object))
    r.buffer(*out, "output", plan.output);
  if (const JsonValue *a = r.member(root, "", "arena", JsonValue::Object)) {
    plan.arenaBytesPerImage =
        r.integer(*a, "arena", "bytes_per_image", 1, INT64_C(1) << 40);
    plan.arenaAlignment =
        r.integer(*a, "arena", "alignment", 16, 1 << 20, 256, true);
  }
  if (const JsonValue *w = r.member(root, "", "weights", JsonValue::Object)) {
    plan.weightsBytes = r.integer(*w, "weights", "bytes", 0, INT64_C(1) << 40);
    if (const JsonValue *regs =
            r.member(*w, "weights", "regions", JsonValue::Array))
      for (size_t i = 0; i < regs->items.size() && !r.failed(); ++i) {
        std::string p = "weights.regions[" + std::to_string(i) + "]";
        WeightRegion reg;
        reg.name = r.str(regs->items[i], p, "name");
        reg.offset = r.integer(regs->items[i], p, "offset", 0, INT64_C(1) << 40);
        reg.bytes = r.integer(regs->items[i], p, "bytes", 0, INT64_C(1) << 40);
        reg.dtype = r.dtype(regs->items[i], p);
        plan.regions.push_back(reg);
      }
  }
  if (const JsonValue *ks = r.member(root, "", "kernels", JsonValue::Array))
    for (size_t i = 0; i < ks->items.size() && !r.failed(); ++i) {
      std::string p = "kernels[" + std::to_string(i) + "]";
      PlanKernel k;
      k.name = r.str(ks->items[i], p, "name");
      if (const JsonValue *b = r.member(ks->items[i], p, "block", JsonValue::Array)) {
        if (b->items.size() != 3)
          r.fail(p + ".block", "must have 3 entries");
        for (size_t d = 0; d < 3 && d < b->items.size() && !r.failed(); ++d) {
          const JsonValue &e = b->items[d];
          if (e.kind != JsonValue::Number || e.number != std::floor(e.number) ||
              e.number < 1 || e.number > 1024)
            r.fail(p + ".block", "entries must be integers in [1, 1024]");
          else
            k.block[d] = static_cast<unsigned>(e.number);
        }
        if (!r.failed() && (k.block[0] * k.block[1] * k.block[2] == 0 ||
                            k.block[0] * k.block[1] * k.block[2] > 1024))
          r.fail(p + ".block", "must hold 1 to 1024 threads in all");
      }
      k.sharedBytes = r.integer(ks->items[i], p, "shared_bytes", 0, 1 << 20, 0, true);
      k.staticSharedBytes =
          r.integer(ks->items[i], p, "static_shared_bytes", 0, 1 << 20, 0, true);
      plan.kernels.push_back(k);
    }
  if (const JsonValue *ls = r.member(root, "", "launches", JsonValue::Array))
    for (size_t i = 0; i < ls->items.size() && !r.failed(); ++i) {
      plan.launches.emplace_back();
      r.launch(ls->items[i], "launches[" + std::to_string(i) + "]",
               plan.launches.back());
    }
  if (!r.failed())
    check(r, plan);
  error = r.error;
  return !r.failed();
}
