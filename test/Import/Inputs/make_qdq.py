#!/usr/bin/env python3
"""Writes small QDQ ONNX models, by other quantizers' conventions, for the tests.

usage: make_qdq.py KIND OUT.onnx [--reference PREFIX]

Every model is the same small CNN (Conv 3->4, Relu, MaxPool 2x2, Conv 4->4,
Relu, Flatten, Gemm 1024->10 on [N, 3, 32, 32]) with scales calibrated here in
NumPy (amax / 127 for INT8, amax / 448 or / 57344 for FP8) on random images.
KIND says where the QuantizeLinear/DequantizeLinear pairs go:

  ort       ONNX Runtime's QDQ format: UINT8 (zero point 128) input, INT8
            activations after every Relu, MaxPool and Flatten (same scale on
            both sides), INT8 weight initializers dequantized per channel (axis
            0) and per tensor, INT32 biases dequantized at s_x * s_w
  trt       TensorRT's explicit quantization: Q/DQ only at Conv/Gemm inputs,
            weights as QuantizeLinear -> DequantizeLinear of float32
            initializers (per channel), the Gemm weight [K, O] (axis 1)
  fp8       as trt with FLOAT8E4M3FN (opset 19), weights as FP8 initializers
  e5m2      as trt with FLOAT8E5M2, weights quantized from float32
  matmul    as trt with the classifier as MatMul [K, O] (axis 1) + Add
  poolscale as ort, the scale after the MaxPool 1.5x the one before it
  f32conv   as ort, the second Conv's input not quantized (f32)

and bad-* kinds for the importer's errors: bad-mismatch (an INT8 tensor
dequantized with a UINT8 zero point), bad-scale0, bad-scaleneg, bad-scalenan,
bad-scaleinf, bad-zptype (an INT16 zero point), bad-axis (axis 4 of a rank-4
tensor), bad-fnuz (FLOAT8E4M3FNUZ), bad-zp (INT8 zero point 3), bad-u8zp0
(UINT8 zero point 0), bad-saturate (FP8 with saturate 0), bad-outdtype
(output_dtype UINT8 with an INT8 zero point).

With --reference, also writes PREFIX.bin (4 random images in the CIFAR-10
binary format) and PREFIX.expected.f32 (the logits that qdq_reference.py, a
fake-quant NumPy evaluation of the written file, gives for them).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qdq_reference  # noqa: E402

RNG = np.random.default_rng(11)
MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32)
STD = np.array([0.2470, 0.2435, 0.2616], np.float32)
FP8 = {"fp8": (17, 448.0), "e5m2": (19, 57344.0)}


def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def images(n):
    pixels = RNG.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8)
    x = (pixels.astype(np.float32) / np.float32(255) - MEAN[None, :, None, None]) \
        / STD[None, :, None, None]
    return pixels, x


def fp8_tensor(name, codes, kind, dims):
    t = TensorProto()
    t.name, t.data_type = name, kind
    t.dims.extend(dims)
    t.raw_data = codes.astype(np.uint8).tobytes()
    return t


class Graph:
    def __init__(self, kind):
        self.kind = kind
        self.nodes, self.inits = [], []
        self.qtype, self.qmax = (TensorProto.INT8, 127.0)
        if kind in FP8:
            self.qtype, self.qmax = FP8[kind]

    def init(self, name, value):
        if isinstance(value, TensorProto):
            self.inits.append(value)
        else:
            self.inits.append(numpy_helper.from_array(value, name))
        return name

    def zero_point(self, name, n=None, dtype=None, value=0):
        dtype = self.qtype if dtype is None else dtype
        shape = [] if n is None else [n]
        if dtype in (17, 18, 19, 20):
            return self.init(name, fp8_tensor(name, np.full(shape, value), dtype, shape))
        np_type = {TensorProto.INT8: np.int8, TensorProto.UINT8: np.uint8,
                   TensorProto.INT16: np.int16, TensorProto.INT32: np.int32}[dtype]
        return self.init(name, np.full(shape, value, np_type))

    def node(self, op, inputs, outputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0]

    def qdq(self, x, name, scale, dtype=None, zp=0, axis=None, dq_zp=None):
        """QuantizeLinear -> DequantizeLinear of activation x."""
        s = self.init(name + ".scale", np.array(scale, np.float32))
        z = self.zero_point(name + ".zp", dtype=dtype, value=zp)
        zd = z if dq_zp is None else dq_zp
        extra = {} if axis is None else {"axis": axis}
        q = self.node("QuantizeLinear", [x, s, z], [name + ".q"], name + "/QuantizeLinear", **extra)
        return self.node("DequantizeLinear", [q, s, zd], [name + ".dq"],
                         name + "/DequantizeLinear", **extra)


def amax(x, axis=None):
    return np.abs(x).max(axis=axis)


def build(kind):
    base = kind if kind in ("ort", "trt", "fp8", "e5m2") else "trt" if kind == "matmul" else \
        ("ort" if kind in ("poolscale", "f32conv") or kind.startswith(("bad-", "asym-"))
         else None)
    if base is None:
        raise SystemExit(f"unknown kind {kind}")
    if kind in ("bad-saturate", "bad-fnuz", "bad-fp8zp"):
        base = "fp8"
    trt = base in ("trt", "fp8", "e5m2")
    g = Graph(base)
    w1, b1 = rand(4, 3, 3, 3), rand(4, scale=0.1)
    w2, b2 = rand(4, 4, 3, 3, scale=0.3), rand(4, scale=0.1)
    wl, bl = rand(10, 1024, scale=0.05), rand(10, scale=0.1)
    w1[2] *= 0.25  # channels with different ranges: per-channel scales differ

    # Calibration: the float model's activation ranges on 16 random images.
    _, xs = images(16)
    a1 = np.maximum(qdq_reference.conv(xs, w1, b1, {"pads": [1, 1, 1, 1]}), 0)
    p1 = a1.reshape(16, 4, 16, 2, 16, 2).max(axis=(3, 5))
    a2 = np.maximum(qdq_reference.conv(p1, w2, b2, {"pads": [1, 1, 1, 1]}), 0)
    qmax = g.qmax
    s_in, s1, s2 = amax(xs) / qmax, amax(a1) / qmax, amax(a2) / qmax
    s_in, s1, s2 = np.float32(s_in), np.float32(s1), np.float32(s2)

    def weight(name, w, axis, per_channel=True):
        """A dequantized weight: its DequantizeLinear output name."""
        wa = amax(w, tuple(i for i in range(w.ndim) if i != axis)) if per_channel else amax(w)
        ws = (wa / qmax).astype(np.float32)
        s = g.init(name + ".scale", ws)
        n = w.shape[axis] if per_channel else None
        z = g.zero_point(name + ".zp", n)
        attrs = {"axis": axis} if per_channel else {}
        if base in ("trt", "e5m2"):
            f = g.init(name, w)
            q = g.node("QuantizeLinear", [f, s, z], [name + ".q"], name + "/QuantizeLinear", **attrs)
        elif base == "fp8":
            shape = [1] * w.ndim
            if per_channel:
                shape[axis] = -1
            codes = qdq_reference.fp8_encode(w / ws.reshape(shape), g.qtype)
            q = g.init(name + ".q", fp8_tensor(name + ".q", codes, g.qtype, list(w.shape)))
        else:
            shape = [1] * w.ndim
            if per_channel:
                shape[axis] = -1
            codes = np.clip(np.rint(w / ws.reshape(shape)), -127, 127).astype(np.int8)
            q = g.init(name + ".q", codes)
        return g.node("DequantizeLinear", [q, s, z], [name + ".dq"],
                      name + "/DequantizeLinear", **attrs), ws

    def bias(name, b, s_x, ws):
        if trt:
            return g.init(name, b)
        # ONNX Runtime: INT32 codes at s_x * s_w, dequantized per channel.
        sb = (np.float32(s_x) * ws).astype(np.float32)
        g.init(name + ".q", np.rint(b / sb).astype(np.int32))
        g.init(name + ".scale", sb)
        g.init(name + ".zp", np.zeros(len(b), np.int32))
        return g.node("DequantizeLinear", [name + ".q", name + ".scale", name + ".zp"],
                      [name + ".dq"], name + "/DequantizeLinear", axis=0)

    x = "input"
    if base == "ort":
        # UINT8 with zero point 128: the INT8 codes shifted by 128.
        x = g.qdq(x, "input_q", s_in, dtype=TensorProto.UINT8, zp=128)
    else:
        x = g.qdq(x, "input_q", s_in)
    wd1, ws1 = weight("features.0.weight", w1, 0)
    x = g.node("Conv", [x, wd1, bias("features.0.bias", b1, s_in, ws1)], ["c1"],
               "/features/features.0/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    x = g.node("Relu", [x], ["r1"], "/features/features.1/Relu")
    if not trt:
        x = g.qdq(x, "r1_q", s1)
    x = g.node("MaxPool", [x], ["p1"], "/features/features.2/MaxPool",
               kernel_shape=[2, 2], strides=[2, 2])
    s_p = s1 * np.float32(1.5) if kind == "poolscale" else s1
    if kind != "f32conv":
        x = g.qdq(x, "p1_q", s_p)
    wd2, ws2 = weight("features.3.weight", w2, 0, per_channel=trt)
    if not trt:
        ws2 = np.full(4, ws2, np.float32)
    x = g.node("Conv", [x, wd2, bias("features.3.bias", b2, s_p, ws2)], ["c2"],
               "/features/features.3/Conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3])
    x = g.node("Relu", [x], ["r2"], "/features/features.4/Relu")
    if not trt:
        x = g.qdq(x, "r2_q", s2)
    x = g.node("Flatten", [x], ["f"], "/Flatten", axis=1)
    x = g.qdq(x, "f_q", s2)
    if kind == "matmul":
        wdl, _ = weight("classifier.weight", np.ascontiguousarray(wl.T), 1)
        mm = g.node("MatMul", [x, wdl], ["mm"], "/classifier/MatMul")
        g.node("Add", [mm, g.init("classifier.bias", bl)], ["logits"], "/classifier/Add")
    elif trt:
        wdl, _ = weight("classifier.weight", np.ascontiguousarray(wl.T), 1)
        g.node("Gemm", [x, wdl, g.init("classifier.bias", bl)], ["logits"],
               "/classifier/Gemm")
    else:
        wdl, _ = weight("classifier.weight", wl, 0)
        g.node("Gemm", [x, wdl, g.init("classifier.bias", bl)], ["logits"],
               "/classifier/Gemm", transB=1)

    # The bad kinds change one Q/DQ node of the first layer.
    def node_named(name):
        return next(n for n in g.nodes if n.name == name)

    def init_named(name):
        return next(t for t in g.inits if t.name == name)

    def set_scale(name, value):
        t = init_named(name)
        t.CopyFrom(numpy_helper.from_array(np.array(value, np.float32), name))

    if kind == "bad-mismatch":
        g.zero_point("u8zp", dtype=TensorProto.UINT8, value=128)
        node_named("r1_q/DequantizeLinear").input[2] = "u8zp"
    elif kind == "bad-scale0":
        set_scale("r1_q.scale", 0.0)
    elif kind == "bad-scaleneg":
        set_scale("p1_q.scale", -0.5)
    elif kind == "bad-scalenan":
        set_scale("r1_q.scale", np.nan)
    elif kind == "bad-scaleinf":
        set_scale("r1_q.scale", np.inf)
    elif kind == "bad-zptype":
        g.zero_point("i16zp", dtype=TensorProto.INT16, value=0)
        node_named("r1_q/QuantizeLinear").input[2] = "i16zp"
        node_named("r1_q/DequantizeLinear").input[2] = "i16zp"
    elif kind == "bad-axis":
        q = node_named("features.0.weight/DequantizeLinear")
        del q.attribute[:]
        q.attribute.append(helper.make_attribute("axis", 4))
    elif kind == "bad-fnuz":
        g.zero_point("fnuz", dtype=18, value=0)
        node_named("input_q/QuantizeLinear").input[2] = "fnuz"
    elif kind == "asym-zp":
        # Asymmetric (affine) activations: INT8 zero point 3 after the first
        # relu, UINT8 zero point 0 at the input.
        g.zero_point("zp3", dtype=TensorProto.INT8, value=3)
        node_named("r1_q/QuantizeLinear").input[2] = "zp3"
        node_named("r1_q/DequantizeLinear").input[2] = "zp3"
        g.zero_point("u8zp0", dtype=TensorProto.UINT8, value=0)
        node_named("input_q/QuantizeLinear").input[2] = "u8zp0"
        node_named("input_q/DequantizeLinear").input[2] = "u8zp0"
    elif kind == "asym-wzp":
        # An asymmetric per-channel INT8 weight of the first conv.
        g.init("wzp", np.array([1, -2, 0, 3], np.int8))
        node_named("features.0.weight/DequantizeLinear").input[2] = "wzp"
    elif kind == "bad-fp8zp":
        g.zero_point("f8zp", dtype=17, value=1)
        node_named("input_q/QuantizeLinear").input[2] = "f8zp"
        node_named("input_q/DequantizeLinear").input[2] = "f8zp"
    elif kind == "bad-zpshape":
        g.init("zp2", np.array([0, 0], np.int8))
        node_named("r1_q/QuantizeLinear").input[2] = "zp2"
    elif kind == "bad-zprange":
        # int32_data holds a UINT8 zero point outside [0, 255].
        t = helper.make_tensor("zp300", TensorProto.UINT8, [], [300])
        g.init("zp300", t)
        node_named("input_q/QuantizeLinear").input[2] = "zp300"
        node_named("input_q/DequantizeLinear").input[2] = "zp300"
    elif kind == "bad-outdtype":
        node_named("r1_q/QuantizeLinear").attribute.append(
            helper.make_attribute("output_dtype", TensorProto.UINT8))
    elif kind == "bad-saturate":
        node_named("input_q/QuantizeLinear").attribute.append(
            helper.make_attribute("saturate", 0))

    graph = helper.make_graph(
        g.nodes, "qdq_" + kind,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        g.inits)
    opset = 19 if base in FP8 else 13
    return helper.make_model(graph, producer_name="make_qdq.py",
                             opset_imports=[helper.make_opsetid("", opset)])


def main(argv):
    kind, out = argv[1], argv[2]
    model = build(kind)
    onnx.save(model, out)
    if len(argv) == 5 and argv[3] == "--reference":
        pixels, x = images(4)
        records = np.concatenate([np.zeros((4, 1), np.uint8), pixels.reshape(4, -1)], axis=1)
        records.tofile(argv[4] + ".bin")
        qdq_reference.run(model, x).astype("<f4").tofile(argv[4] + ".expected.f32")


if __name__ == "__main__":
    main(sys.argv)
