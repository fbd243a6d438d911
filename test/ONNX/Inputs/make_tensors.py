"""Writes small ONNX models and their input/output tensors for the vggq-run
--input tests: make_tensors.py DIR.

  conv.onnx      Conv(x, W, b) + Relu, opset 11 (upgraded on import), W and b
                 graph inputs; x.pb / x.npy [1, 2, 5, 5], w.pb, b.pb, and the
                 NumPy result y.pb plus a wrong one (y_wrong.pb)
  gemm.onnx      Gemm(a, b, c) alpha 0.5 beta 2 transB 1 (rank 2, no layout
                 change); a.pb, b.pb, c.pb, y.pb
  flat.onnx      Flatten of a [1, 2, 3, 3] input (its features come back in CHW
                 order); f.pb
  checker.onnx   a Relu with an attribute Relu does not have (the importer
                 ignores it; ONNX's checker does not)
  and bad tensor files: x_int64.pb, x_shape.pb (wrong shape), x_named.pb (named
  'other'), trunc.pb, bad.npy (float64)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)


def save(name, array, tensor_name):
    t = numpy_helper.from_array(array, tensor_name)
    with open(os.path.join(out, name), "wb") as f:
        f.write(t.SerializeToString())


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


# Conv + Relu, opset 11.
x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
b = rng.standard_normal(3).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Conv", ["x", "W", "B"], ["c"], name="conv", pads=[1, 1, 1, 1],
                      strides=[2, 1], kernel_shape=[3, 3]),
     helper.make_node("Relu", ["c"], ["y"], name="relu")],
    "conv", [vi("x", [1, 2, 5, 5]), vi("W", [3, 2, 3, 3]), vi("B", [3])],
    [vi("y", [1, 3, 3, 5])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]),
          os.path.join(out, "conv.onnx"))
xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
y = np.zeros((1, 3, 3, 5), np.float64)
for o in range(3):
    for i in range(3):
        for j in range(5):
            y[0, o, i, j] = (xp[0, :, 2 * i:2 * i + 3, j:j + 3] * w[o]).sum() + b[o]
y = np.maximum(y, 0).astype(np.float32)
save("x.pb", x, "x")
np.save(os.path.join(out, "x.npy"), x)
save("w.pb", w, "W")
save("b.pb", b, "B")
save("y.pb", y, "y")
wrong = y.copy()
wrong[0, 1, 2, 3] += 0.5
save("y_wrong.pb", wrong, "y")
save("x_int64.pb", x.astype(np.int64), "x")
save("x_shape.pb", x[:, :, :4, :], "x")
save("x_named.pb", x, "other")
with open(os.path.join(out, "trunc.pb"), "wb") as f:
    f.write(numpy_helper.from_array(x, "x").SerializeToString()[:40])
np.save(os.path.join(out, "bad.npy"), x.astype(np.float64))

# Gemm with every attribute but transA.
a = rng.standard_normal((2, 4)).astype(np.float32)
bm = rng.standard_normal((3, 4)).astype(np.float32)
c = rng.standard_normal((1, 3)).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="gemm", alpha=0.5, beta=2.0,
                      transB=1)],
    "gemm", [vi("a", [2, 4]), vi("b", [3, 4]), vi("c", [1, 3])], [vi("y", [2, 3])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "gemm.onnx"))
save("a.pb", a, "a")
save("bm.pb", bm, "b")
save("c.pb", c, "c")
save("gemm_y.pb", (0.5 * a.astype(np.float64) @ bm.T.astype(np.float64)
                   + 2.0 * c).astype(np.float32), "y")

# Flatten of NCHW data: the result is compared in CHW order.
f = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Flatten", ["f"], ["y"], name="flatten", axis=1)],
    "flat", [vi("f", [1, 2, 3, 3])], [vi("y", [1, 18])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "flat.onnx"))
save("f.pb", f, "f")
save("flat_y.pb", f.reshape(1, 18), "y")

# A node the checker rejects.
graph = helper.make_graph(
    [helper.make_node("Relu", ["x"], ["y"], name="relu", bogus=1)],
    "checker", [vi("x", [1, 2, 5, 5])], [vi("y", [1, 2, 5, 5])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "checker.onnx"))

# Add of a per-channel constant initializer ([C, 1, 1]), and of one along W,
# which does not broadcast per channel; flattened, so that vggq-import takes
# them too.
for name, shape in (("addc", [2, 1, 1]), ("addw", [5])):
    c = numpy_helper.from_array(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) + 1, "c")
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "c"], ["s"], name="add"),
         helper.make_node("Flatten", ["s"], ["y"], name="flatten")],
        name, [vi("x", [1, 2, 5, 5])], [vi("y", [1, 50])], [c])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out, name + ".onnx"))
save("addc_y.pb", (x + np.array([1, 2], np.float32).reshape(2, 1, 1)).reshape(1, 50), "y")

# An integer expectation (as QuantizeLinear's codes are): Relu of
# integer-valued floats against INT32 and UINT8 files.
graph = helper.make_graph(
    [helper.make_node("Relu", ["r"], ["y"], name="relu")],
    "relu", [vi("r", [2, 3])], [vi("y", [2, 3])])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "relu.onnx"))
r = np.array([[-3, 0, 7], [200, -1, 5]], np.float32)
save("r.pb", r, "r")
save("relu_i32.pb", np.maximum(r, 0).astype(np.int32), "y")
save("relu_u8.pb", np.maximum(r, 0).astype(np.uint8), "y")
wrong8 = np.maximum(r, 0).astype(np.uint8)
wrong8[1, 0] = 201
save("relu_u8_wrong.pb", wrong8, "y")

# Pad of an NCHW input along C, H and W: a non-zero constant, edge and
# reflect (np.pad's modes are ONNX's); pads in ONNX order (begins, then ends).
px = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
save("px.pb", px, "x")
pads = [0, 1, 2, 1, 0, 0, 1, 3]
np_pads = [(pads[i], pads[i + 4]) for i in range(4)]
for mode, extra in (("constant", {"constant_values": 1.25}), ("edge", {}),
                    ("reflect", {})):
    inits = [numpy_helper.from_array(np.array(pads, np.int64), "pads")]
    ins = ["x", "pads"]
    if mode == "constant":
        inits.append(numpy_helper.from_array(np.array(1.25, np.float32), "v"))
        ins.append("v")
    graph = helper.make_graph(
        [helper.make_node("Pad", ins, ["y"], name="pad", mode=mode)],
        "pad_" + mode, [vi("x", [1, 2, 3, 4])], [vi("y", [1, 3, 6, 8])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              os.path.join(out, "pad_" + mode + ".onnx"))
    save("pad_" + mode + "_y.pb", np.pad(px, np_pads, mode=mode, **extra), "y")

# Edge Pad of an INT32 input (integer data, exact).
pi = rng.integers(-1000, 1000, (1, 2, 3, 4)).astype(np.int32)
save("pi.pb", pi, "x")
graph = helper.make_graph(
    [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad", mode="edge")],
    "pad_i32", [vi("x", [1, 2, 3, 4], TensorProto.INT32)],
    [vi("y", [1, 3, 6, 8], TensorProto.INT32)],
    [numpy_helper.from_array(np.array(pads, np.int64), "pads")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(out, "pad_i32.onnx"))
save("pad_i32_y.pb", np.pad(pi, np_pads, mode="edge"), "y")
