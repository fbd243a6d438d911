"""Writes small ONNX models on 8-bit data and their tensors for the vggq-run
--input tests of affine Q/DQ, dilated and integer MaxPool and integer Add:
make_int8_tensors.py DIR. Expected results are NumPy's, with ONNX's
formulas (QuantizeLinear: round half to even, + zero point, saturate to the
type's range; DequantizeLinear: (q - zero point) * scale).

  q_axis.onnx     QuantizeLinear to UINT8 along axis 1 of [1, 3, 2, 2], scale
                  and zero point [84, 0, 255] graph inputs; qx.pb, qs.pb,
                  qzp.pb, qy.pb
  q_init.onnx     the same with scale and zero point initializers (vggq-import)
  q_i8.onnx       QuantizeLinear to INT8, zero point 0, per tensor, whose codes
                  saturate at -128 (the graph output is ONNX's full range);
                  i8x.pb, i8y.pb
  dq_i8.onnx      DequantizeLinear of an INT8 graph input, zero point -3;
                  dqx.pb, dqy.pb
  dq_u8.onnx      DequantizeLinear of a UINT8 [1, 2, 2, 2] graph input along
                  axis 1, zero points [0, 200] initializers; du.pb, duy.pb
  pool_dil.onnx   MaxPool kernel 2x2, dilations [2, 3], float; pdx.pb, pdy.pb
  pool_i8.onnx    MaxPool 3x3 pads 1 of an INT8 input; pix.pb, piy.pb
  add_u8.onnx     Add of two UINT8 inputs (wraps mod 256); aa.pb, ab.pb, ay.pb
  add_i8.onnx     Add of two INT8 inputs (wraps); ia.pb, ib.pb, iy.pb
  zp_float.onnx   QuantizeLinear whose zero point is FLOAT (refused)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)


def save(name, array, tensor_name):
    t = numpy_helper.from_array(array, tensor_name)
    with open(os.path.join(out, name), "wb") as f:
        f.write(t.SerializeToString())


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(name, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


def quantize(x, s, zp, dtype, axis=None):
    if axis is not None:
        shape = [1] * x.ndim
        shape[axis] = -1
        s, zp = s.reshape(shape), zp.reshape(shape)
    info = np.iinfo(dtype)
    q = np.rint(x / s) + zp.astype(np.int32)
    return np.clip(q, info.min, info.max).astype(dtype)


# QuantizeLinear UINT8 per axis: values past both ends and exact halves.
qx = rng.uniform(-600, 600, (1, 3, 2, 2)).astype(np.float32)
qx[0, 0, 0, :] = [1.0, 3.0]  # 0.5, 1.5 at scale 2: ties to even
qs = np.array([2.0, 4.0, 0.5], np.float32)
qzp = np.array([84, 0, 255], np.uint8)
for n, v in (("qx.pb", qx), ("qs.pb", qs), ("qzp.pb", qzp)):
    save(n, v, n[:-3])
save("qy.pb", quantize(qx, qs, qzp, np.uint8, 1), "y")
qnode = helper.make_node("QuantizeLinear", ["qx", "qs", "qzp"], ["y"], axis=1)
model("q_axis", [qnode],
      [vi("qx", [1, 3, 2, 2]), vi("qs", [3]), vi("qzp", [3], TensorProto.UINT8)],
      [vi("y", [1, 3, 2, 2], TensorProto.UINT8)])
model("q_init", [qnode], [vi("qx", [1, 3, 2, 2])],
      [vi("y", [1, 3, 2, 2], TensorProto.UINT8)],
      [numpy_helper.from_array(qs, "qs"), numpy_helper.from_array(qzp, "qzp")])

# QuantizeLinear INT8 zero point 0: -1000 / 4 saturates at -128.
i8x = np.array([[-1000.0, -510.0, -506.0, 2.0, 6.0, 1000.0]], np.float32)
save("i8x.pb", i8x, "x")
save("i8y.pb", quantize(i8x, np.float32(4), np.int8(0), np.int8), "y")
model("q_i8", [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])],
      [vi("x", [1, 6])], [vi("y", [1, 6], TensorProto.INT8)],
      [numpy_helper.from_array(np.array(4.0, np.float32), "s"),
       numpy_helper.from_array(np.array(0, np.int8), "z")])

# DequantizeLinear of an INT8 graph input, zero point -3.
dqx = np.arange(-128, 128, 8, dtype=np.int8).reshape(1, 32)
save("dqx.pb", dqx, "x")
save("dqy.pb", ((dqx.astype(np.float32) + 3) * np.float32(0.25)).astype(np.float32), "y")
model("dq_i8", [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"])],
      [vi("x", [1, 32], TensorProto.INT8)], [vi("y", [1, 32])],
      [numpy_helper.from_array(np.array(0.25, np.float32), "s"),
       numpy_helper.from_array(np.array(-3, np.int8), "z")])

# DequantizeLinear of a UINT8 NCHW graph input along axis 1.
du = np.array([0, 1, 254, 255, 0, 100, 200, 255], np.uint8).reshape(1, 2, 2, 2)
save("du.pb", du, "x")
dus, duz = np.array([0.5, 3.0], np.float32), np.array([0, 200], np.uint8)
save("duy.pb", ((du.astype(np.float32) - duz.reshape(1, 2, 1, 1)) *
                dus.reshape(1, 2, 1, 1)).astype(np.float32), "y")
model("dq_u8", [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"], axis=1)],
      [vi("x", [1, 2, 2, 2], TensorProto.UINT8)], [vi("y", [1, 2, 2, 2])],
      [numpy_helper.from_array(dus, "s"), numpy_helper.from_array(duz, "z")])

# MaxPool with dilations [2, 3] on float data (opset 12).
pdx = rng.standard_normal((1, 2, 6, 7)).astype(np.float32)
pdy = np.zeros((1, 2, 4, 4), np.float32)
for y in range(4):
    for x in range(4):
        pdy[:, :, y, x] = pdx[:, :, y:y + 3:2, x:x + 4:3].max(axis=(2, 3))
save("pdx.pb", pdx, "x")
save("pdy.pb", pdy, "y")
model("pool_dil", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2],
                                    dilations=[2, 3])],
      [vi("x", [1, 2, 6, 7])], [vi("y", [1, 2, 4, 4])], opset=12)

# MaxPool 3x3, pads 1, of an INT8 input (padding never wins).
pix = rng.integers(-128, 128, (1, 2, 4, 4)).astype(np.int8)
pix[0, 0, 0, 0] = -128
padded = np.pad(pix.astype(np.int32), ((0, 0), (0, 0), (1, 1), (1, 1)),
                constant_values=-1000)
piy = np.zeros_like(pix)
for y in range(4):
    for x in range(4):
        piy[:, :, y, x] = padded[:, :, y:y + 3, x:x + 3].max(axis=(2, 3))
save("pix.pb", pix, "x")
save("piy.pb", piy, "y")
model("pool_i8", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                   pads=[1, 1, 1, 1])],
      [vi("x", [1, 2, 4, 4], TensorProto.INT8)],
      [vi("y", [1, 2, 4, 4], TensorProto.INT8)], opset=12)

# Integer Add: wraps as NumPy does.
aa = np.array([[200, 255, 0, 128, 1]], np.uint8)
ab = np.array([[100, 1, 0, 128, 254]], np.uint8)
save("aa.pb", aa, "a")
save("ab.pb", ab, "b")
save("ay.pb", aa + ab, "y")
addn = helper.make_node("Add", ["a", "b"], ["y"])
model("add_u8", [addn], [vi("a", [1, 5], TensorProto.UINT8),
                         vi("b", [1, 5], TensorProto.UINT8)],
      [vi("y", [1, 5], TensorProto.UINT8)], opset=14)
ia = np.array([[100, -128, 127, -1, 5]], np.int8)
ib = np.array([[100, -1, 1, -128, -5]], np.int8)
save("ia.pb", ia, "a")
save("ib.pb", ib, "b")
save("iy.pb", ia + ib, "y")
model("add_i8", [addn], [vi("a", [1, 5], TensorProto.INT8),
                         vi("b", [1, 5], TensorProto.INT8)],
      [vi("y", [1, 5], TensorProto.INT8)], opset=14)

# Bad: a FLOAT zero point; a zero point computed at run time.
model("zp_float", [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"])],
      [vi("x", [1, 6])], [vi("y", [1, 6], TensorProto.UINT8)],
      [numpy_helper.from_array(np.array(4.0, np.float32), "s"),
       helper.make_tensor("z", TensorProto.UINT8, [], [3])])
zf = onnx.load(os.path.join(out, "zp_float.onnx"))
zf.graph.initializer[1].CopyFrom(numpy_helper.from_array(np.array(3.0, np.float32), "z"))
onnx.save(zf, os.path.join(out, "zp_float.onnx"))
