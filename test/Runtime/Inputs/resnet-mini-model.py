#!/usr/bin/env python3
"""Writes a small residual model (vggq dialect, deterministic weights) for the
emulator tests: a 3x3 conv 3->16 on 32x32 images, one basic block at 16
channels (identity shortcut), one downsampling block to 32 channels (stride-2
conv, subsample_pad shortcut), an add that no conv can absorb (the block's
output plus the shortcut again), a global 16x16 average pool and a 32->10
linear layer, about 8.7 M multiply-adds per image.

  resnet-mini-model.py OUT.mlir fp32 [SEED]
      the FP32 graph (conv2d, relu, add, subsample_pad, avg_pool2d, linear)
  resnet-mini-model.py OUT.mlir int8|fp8e4m3|fp8e5m2 [SEED]
      the same graph already quantized and fused by hand, with fixed scales:
      qconv2d with the residual epilogue, subsample_pad on codes, a
      standalone qadd, a quantized avg_pool2d and a qlinear to f32 logits;
      the weights are f32 constants quantized per output channel in the
      graph (vggq.quantize axis 0), which the lowering encodes.
"""
import random
import sys

STORAGE = {"int8": ("i8", 127.0), "fp8e4m3": ("f8E4M3FN", 448.0),
           "fp8e5m2": ("f8E5M2", 57344.0)}


def dense_nd(values, shape):
    """dense<[[...]]> literal of `values` (row-major) with `shape`."""
    def nest(vals, dims):
        if len(dims) == 1:
            return "[" + ", ".join("%.6e" % v for v in vals) + "]"
        step = len(vals) // dims[0]
        return "[" + ", ".join(nest(vals[i * step:(i + 1) * step], dims[1:])
                               for i in range(dims[0])) + "]"
    return "dense<" + nest(values, shape) + ">"


def f32array(values):
    return "[" + ", ".join("%.8e" % v for v in values) + "]"


class Writer:
    def __init__(self, precision, rng):
        self.precision = precision
        self.rng = rng
        self.lines = []
        self.n = 0
        if precision != "fp32":
            self.elem, self.maxf = STORAGE[precision]

    def fresh(self, base):
        self.n += 1
        return "%%%s%d" % (base, self.n)

    def t(self, h, w, c, f32=False):
        elem = "f32" if f32 or self.precision == "fp32" else self.elem
        return "tensor<?x%dx%dx%dx%s>" % (h, w, c, elem)

    def scale(self, amax):
        """A per-tensor activation scale for values up to about `amax`."""
        return amax / self.maxf

    def weights(self, cout, kh, kw, cin):
        """He-uniform weights and biases: (weight value, bias value, weight
        scales or None)."""
        fan_in = kh * kw * cin
        bound = (6.0 / fan_in) ** 0.5
        w = [self.rng.uniform(-bound, bound) for _ in range(cout * fan_in)]
        b = [self.rng.uniform(-0.1, 0.1) for _ in range(cout)]
        shape = [cout, kh, kw, cin] if kh else [cout, cin]
        wt = "tensor<%sxf32>" % "x".join(str(d) for d in shape)
        wv = self.fresh("w")
        self.lines.append("    %s = arith.constant %s : %s" % (wv, dense_nd(w, shape), wt))
        bv = self.fresh("b")
        self.lines.append("    %s = arith.constant %s : tensor<%dxf32>" % (
            bv, dense_nd(b, [cout]), cout))
        if self.precision == "fp32":
            return wv, bv, wt, None
        scales = []
        for o in range(cout):
            amax = max(abs(v) for v in w[o * fan_in:(o + 1) * fan_in])
            scales.append(amax / self.maxf)
        qt = wt.replace("xf32>", "x%s>" % self.elem)
        qv = self.fresh("wq")
        self.lines.append("    %s = vggq.quantize %s scale %s axis 0 : %s -> %s" % (
            qv, wv, f32array(scales), wt, qt))
        return qv, bv, qt, scales

    def conv(self, x, h, cin, cout, stride, layer, relu, in_scale=None,
             out_scale=None, residual=None):
        """A 3x3 conv, padding 1. FP32: conv2d [+ relu] [+ add + relu];
        quantized: qconv2d with its epilogue. Returns the result value."""
        oh = h // stride
        w, b, wt, ws = self.weights(cout, 3, 3, cin)
        common = "strides [%d, %d] padding [1, 1, 1, 1] dilation [1, 1] {vggq.layer = \"%s\"}" % (
            stride, stride, layer)
        it, ot = self.t(h, h, cin), self.t(oh, oh, cout)
        y = self.fresh("c")
        if self.precision == "fp32":
            self.lines.append("    %s = vggq.conv2d %s, %s, %s %s : (%s, %s, tensor<%dxf32>) -> %s" % (
                y, x, w, b, common, it, wt, cout, ot))
            if residual is not None:
                s = self.fresh("a")
                self.lines.append("    %s = vggq.add %s, %s {vggq.layer = \"%s.add\"} : %s" % (
                    s, y, residual[0], layer, ot))
                y = s
            if relu:
                r = self.fresh("r")
                self.lines.append("    %s = vggq.relu %s {vggq.layer = \"%s.relu\"} : %s" % (
                    r, y, layer, ot))
                y = r
            return y
        epi = "input_scale %.8e weight_scales %s output_scale %.8e" % (
            in_scale, f32array(ws), out_scale)
        types = "%s, %s, tensor<%dxf32>" % (it, wt, cout)
        if residual is not None:
            rv, rscale, sum_scale = residual
            epi += " residual %s residual_scale %.8e sum_scale %.8e%s" % (
                rv, rscale, sum_scale, " sum_relu" if relu else "")
            types += ", " + ot
        elif relu:
            epi += " relu"
        self.lines.append("    %s = vggq.qconv2d %s, %s, %s %s %s : (%s) -> %s" % (
            y, x, w, b, epi, common, types, ot))
        return y


def main():
    out, precision = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 11)
    if precision != "fp32" and precision not in STORAGE:
        sys.exit("unknown precision '%s'" % precision)
    wr = Writer(precision, rng)
    q = precision != "fp32"
    L = wr.lines
    sc = wr.scale if q else (lambda a: None)
    x, sx = "%x", None
    if q:
        sx = sc(3.0)
        L.append("    %%q = vggq.quantize %%x scale [%.8e] : %s -> %s" % (
            sx, wr.t(32, 32, 3, f32=True), wr.t(32, 32, 3)))
        x = "%q"
    s0, s1, s2, s3 = sc(4.0), sc(4.0), sc(4.0), sc(6.0)
    c0 = wr.conv(x, 32, 3, 16, 1, "conv1", True, sx, s0)
    c1 = wr.conv(c0, 32, 16, 16, 1, "layer1.0.conv1", True, s0, s1)
    c2 = wr.conv(c1, 32, 16, 16, 1, "layer1.0.conv2", True, s1, s2,
                 residual=(c0, s0, s3))
    sp = "%shortcut"
    L.append("    %s = vggq.subsample_pad %s strides [2, 2] channel_padding [8, 8] "
             "{vggq.layer = \"layer2.0.shortcut\"} : %s -> %s" % (
                 sp, c2, wr.t(32, 32, 16), wr.t(16, 16, 32)))
    s4, s5, s6, s7 = sc(4.0), sc(4.0), sc(8.0), sc(10.0)
    c3 = wr.conv(c2, 32, 16, 32, 2, "layer2.0.conv1", True, s3, s4)
    c4 = wr.conv(c3, 16, 32, 32, 1, "layer2.0.conv2", True, s4, s5,
                 residual=(sp, s3, s6))
    t16 = wr.t(16, 16, 32)
    if q:
        L.append("    %%extra = vggq.qadd %s, %s lhs_scale %.8e rhs_scale %.8e "
                 "output_scale %.8e relu {vggq.layer = \"extra.add\"} : %s, %s -> %s" % (
                     c4, sp, s6, s3, s7, t16, t16, t16))
        s8 = sc(4.0)
        pool_scales = " input_scale %.8e output_scale %.8e" % (s7, s8)
    else:
        L.append("    %%extra0 = vggq.add %s, %s {vggq.layer = \"extra.add\"} : %s" % (
            c4, sp, t16))
        L.append("    %%extra = vggq.relu %%extra0 {vggq.layer = \"extra.relu\"} : %s" % t16)
        pool_scales = ""
    t1 = wr.t(1, 1, 32)
    L.append("    %%pool = vggq.avg_pool2d %%extra kernel [16, 16] strides [1, 1] "
             "padding [0, 0, 0, 0]%s {vggq.layer = \"avgpool\"} : %s -> %s" % (
                 pool_scales, t16, t1))
    ft = t1.replace("?x1x1x32", "?x32")
    L.append("    %%flat = vggq.flatten %%pool : %s -> %s" % (t1, ft))
    # The classifier (fan-in 32).
    bound = (6.0 / 32) ** 0.5
    lw = [rng.uniform(-bound, bound) for _ in range(320)]
    lb = [rng.uniform(-0.1, 0.1) for _ in range(10)]
    L.append("    %%lw = arith.constant %s : tensor<10x32xf32>" % dense_nd(lw, [10, 32]))
    L.append("    %%lb = arith.constant %s : tensor<10xf32>" % dense_nd(lb, [10]))
    if q:
        ws = [max(abs(v) for v in lw[o * 32:(o + 1) * 32]) / wr.maxf for o in range(10)]
        L.append("    %%lwq = vggq.quantize %%lw scale %s axis 0 : tensor<10x32xf32> -> "
                 "tensor<10x32x%s>" % (f32array(ws), wr.elem))
        L.append("    %%logits = vggq.qlinear %%flat, %%lwq, %%lb input_scale %.8e "
                 "weight_scales %s {vggq.layer = \"fc\"} : (%s, tensor<10x32x%s>, "
                 "tensor<10xf32>) -> tensor<?x10xf32>" % (s8, f32array(ws), ft, wr.elem))
    else:
        L.append("    %%logits = vggq.linear %%flat, %%lw, %%lb {vggq.layer = \"fc\"} : "
                 "(%s, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>" % ft)
    L.append("    return %logits : tensor<?x10xf32>")
    head = [
        "module attributes {vggq.input_mean = array<f32: 0.485, 0.456, 0.406>,",
        "                   vggq.input_std = array<f32: 0.229, 0.224, 0.225>} {",
        "  func.func @forward(%%x: %s) -> tensor<?x10xf32> {" % wr.t(32, 32, 3, f32=True),
    ]
    with open(out, "w") as f:
        f.write("\n".join(head + L + ["  }", "}"]) + "\n")


if __name__ == "__main__":
    main()
