#!/usr/bin/env python3
"""Writes a small float VGG-style model (vggq dialect, deterministic weights)
for compare-to-cpu-emu.test: three 3x3 conv + relu + 2x2 max-pool blocks
(3->16->32->32 channels, 32x32 -> 4x4) and a 512->10 linear layer, about 2.2
M multiply-adds per image (VGG16: 313 M), so a PTX emulator runs it quickly.

usage: compare-to-cpu-model.py OUT.mlir [SEED]
"""
import random
import sys


def dense(values):
    return "dense<[" + ", ".join("%.6e" % v for v in values) + "]>"


def main():
    out = sys.argv[1]
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)

    def uniform(n, fan_in):
        bound = (6.0 / fan_in) ** 0.5  # He-uniform: activations stay O(1)
        return [rng.uniform(-bound, bound) for _ in range(n)]

    lines = [
        "module attributes {vggq.input_mean = array<f32: 0.4914, 0.4822, 0.4465>,",
        "                   vggq.input_std = array<f32: 0.247, 0.2435, 0.2616>} {",
        "  func.func @forward(%x: tensor<?x32x32x3xf32>) -> tensor<?x10xf32> {",
    ]
    value, size, cin, layer = "%x", 32, 3, 0
    for i, cout in enumerate([16, 32, 32]):
        w = uniform(cout * 9 * cin, 9 * cin)
        b = [rng.uniform(-0.1, 0.1) for _ in range(cout)]
        wt = "tensor<%dx3x3x%dxf32>" % (cout, cin)
        bt = "tensor<%dxf32>" % cout
        it = "tensor<?x%dx%dx%dxf32>" % (size, size, cin)
        ot = "tensor<?x%dx%dx%dxf32>" % (size, size, cout)
        pt = "tensor<?x%dx%dx%dxf32>" % (size // 2, size // 2, cout)
        lines += [
            "    %%w%d = arith.constant %s : %s" % (i, dense_nd(w, [cout, 3, 3, cin]), wt),
            "    %%b%d = arith.constant %s : %s" % (i, dense(b), bt),
            "    %%c%d = vggq.conv2d %s, %%w%d, %%b%d strides [1, 1] padding [1, 1, 1, 1] "
            "dilation [1, 1] {vggq.layer = \"features.%d\"} : (%s, %s, %s) -> %s"
            % (i, value, i, i, layer, it, wt, bt, ot),
            "    %%r%d = vggq.relu %%c%d {vggq.layer = \"features.%d\"} : %s" % (i, i, layer + 1, ot),
            "    %%p%d = vggq.max_pool2d %%r%d kernel [2, 2] strides [2, 2] padding [0, 0, 0, 0] "
            "{vggq.layer = \"features.%d\"} : %s -> %s" % (i, i, layer + 2, ot, pt),
        ]
        value, size, cin, layer = "%%p%d" % i, size // 2, cout, layer + 3
    flat = size * size * cin
    w = uniform(10 * flat, flat)
    b = [rng.uniform(-0.1, 0.1) for _ in range(10)]
    lines += [
        "    %%f = vggq.flatten %s : tensor<?x%dx%dx%dxf32> -> tensor<?x%dxf32>" % (
            value, size, size, cin, flat),
        "    %%lw = arith.constant %s : tensor<10x%dxf32>" % (dense_nd(w, [10, flat]), flat),
        "    %%lb = arith.constant %s : tensor<10xf32>" % dense(b),
        "    %%l = vggq.linear %%f, %%lw, %%lb {vggq.layer = \"classifier\"} : "
        "(tensor<?x%dxf32>, tensor<10x%dxf32>, tensor<10xf32>) -> tensor<?x10xf32>" % (flat, flat),
        "    return %l : tensor<?x10xf32>",
        "  }",
        "}",
    ]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def dense_nd(values, shape):
    """dense<[[...]]> literal of `values` (row-major) with `shape`."""
    def nest(vals, dims):
        if len(dims) == 1:
            return "[" + ", ".join("%.6e" % v for v in vals) + "]"
        step = len(vals) // dims[0]
        return "[" + ", ".join(nest(vals[i * step:(i + 1) * step], dims[1:])
                               for i in range(dims[0])) + "]"
    return "dense<" + nest(values, shape) + ">"


if __name__ == "__main__":
    main()
