#!/usr/bin/env python3
"""Writes an INT8 QDQ model of an FP32 ONNX CNN, by a route independent of vggq.

usage: make_vgg16_qdq.py FP32.onnx CALIB.bin N OUT.onnx [--table OUT.json]
                         [--precision int8|fp8e4m3|fp8e5m2]

Calibrates in NumPy on the first N images of a CIFAR-10 binary batch (the
largest |x| at the input of every Conv and Gemm, after the CIFAR-10
normalization) and inserts, with the onnx helper, TensorRT-style explicit
quantization: a QuantizeLinear -> DequantizeLinear pair (INT8, zero point 0,
per-tensor scale amax / 127) on the input of every Conv and Gemm, and every
weight as an INT8 initializer with per-output-channel scales (amax / 127 of
the channel) dequantized along axis 0. Biases stay float32.

The scales follow vggq's rules (include/vggq/Precision/Formats.def,
lib/Transforms/Quantize.cpp): scale = amax / 127 computed in double and rounded
to float32, weights rounded half to even and clamped to [-127, 127], an
all-zero channel at scale 2^-24,
so that --table can write the same activation ranges as a vggq calibration
table (vggq-calibration version 1): our own pipeline given those ranges
(--vggq-quantize-pipeline="precision=int8 load-table=OUT.json") uses the same
scales, and the two fused graphs can be compared. With --precision fp8e4m3 or
fp8e5m2 the same with FLOAT8E4M3FN / FLOAT8E5M2 (opset 19, amax / 448 or
amax / 57344, FP8 weight initializers rounded to nearest even, saturated).
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qdq_reference  # noqa: E402

MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32).reshape(1, 3, 1, 1)
STD = np.array([0.2470, 0.2435, 0.2616], np.float32).reshape(1, 3, 1, 1)
MAX_I32_BIAS = 1073741824.0


def layer_name(node):
    # "/features/features.0/Conv" -> "features.0", "/classifier/Gemm" -> "classifier"
    parts = node.name.split("/")
    return parts[-2] if len(parts) >= 3 else node.name


FP8 = {"fp8e4m3": (17, 448.0), "fp8e5m2": (19, 57344.0)}


def scale_of(amax, qmax=127.0):
    return np.float32(np.float64(np.float32(amax)) / qmax)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("calib")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--table")
    ap.add_argument("--precision", default="int8", choices=["int8", "fp8e4m3", "fp8e5m2"])
    a = ap.parse_args()
    fp8, qmax = FP8.get(a.precision, (None, 127.0))

    def zero_point(name, n=None):
        shape = [] if n is None else [n]
        if fp8:
            t = TensorProto()
            t.name, t.data_type = name, fp8
            t.dims.extend(shape)
            t.raw_data = bytes(int(np.prod(shape)) if shape else 1)
            return t
        return numpy_helper.from_array(np.zeros(shape, np.int8), name)
    model = onnx.load(a.model)
    raw = np.fromfile(a.calib, dtype=np.uint8)[:a.n * 3073].reshape(a.n, 3073)
    x = raw[:, 1:].reshape(a.n, 3, 32, 32).astype(np.float32) / np.float32(255)
    x = (x - MEAN) / STD

    layers = [n for n in model.graph.node if n.op_type in ("Conv", "Gemm")]
    stats = {}
    for i in range(0, a.n, 100):
        env = qdq_reference.run(model, x[i:i + 100], keep=True)
        for n in layers:
            v = env[n.input[0]]
            lo, hi = float(v.min()), float(v.max())
            s = stats.setdefault(layer_name(n), [lo, hi])
            s[0], s[1] = min(s[0], lo), max(s[1], hi)

    inits = {t.name: t for t in model.graph.initializer}
    nodes, new_inits = [], []
    for n in model.graph.node:
        if n.op_type not in ("Conv", "Gemm"):
            nodes.append(n)
            continue
        name = layer_name(n)
        lo, hi = stats[name]
        s_in = scale_of(max(-lo, hi), qmax)
        # The activation pair.
        new_inits += [numpy_helper.from_array(np.array(s_in, np.float32), name + ".input_scale"),
                      zero_point(name + ".input_zp")]
        q, dq = name + ".input_q", name + ".input_dq"
        nodes.append(helper.make_node("QuantizeLinear", [n.input[0], name + ".input_scale", name + ".input_zp"],
                                      [q], name=name + "/input/QuantizeLinear"))
        nodes.append(helper.make_node("DequantizeLinear", [q, name + ".input_scale", name + ".input_zp"],
                                      [dq], name=name + "/input/DequantizeLinear"))
        # The weight: INT8 codes per output channel.
        w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
        if n.op_type == "Gemm" and not any(at.name == "transB" and at.i for at in n.attribute):
            raise SystemExit("Gemm without transB is not written by this script")
        b = numpy_helper.to_array(inits[n.input[2]]) if len(n.input) > 2 else None
        o = w.shape[0]
        flat = w.reshape(o, -1)
        ws = np.empty(o, np.float32)
        for c in range(o):
            amax = np.abs(flat[c]).max()
            s = scale_of(amax, qmax) if amax > 0 else np.float32(2.0 ** -24)
            if b is not None and not fp8:
                need = abs(float(b[c])) / (float(s_in) * MAX_I32_BIAS)
                if need > s:
                    s = np.float32(need)
            ws[c] = s
        wq = name + ".weight_q"
        if fp8:
            codes = qdq_reference.fp8_encode((flat / ws[:, None]).astype(np.float32), fp8)
            wt = TensorProto()
            wt.name, wt.data_type = wq, fp8
            wt.dims.extend(w.shape)
            wt.raw_data = codes.tobytes()
        else:
            codes = np.clip(np.rint(flat / ws[:, None]), -127, 127).astype(np.int8)
            wt = numpy_helper.from_array(codes.reshape(w.shape), wq)
        new_inits += [wt, numpy_helper.from_array(ws, name + ".weight_scale"),
                      zero_point(name + ".weight_zp", o)]
        nodes.append(helper.make_node("DequantizeLinear", [wq, name + ".weight_scale", name + ".weight_zp"],
                                      [name + ".weight_dq"], name=name + "/weight/DequantizeLinear", axis=0))
        inputs = [dq, name + ".weight_dq"] + list(n.input[2:])
        nodes.append(helper.make_node(n.op_type, inputs, list(n.output), name=n.name,
                                      doc_string=n.doc_string))
        nodes[-1].attribute.extend(n.attribute)
        del inits[n.input[1]]

    graph = helper.make_graph(nodes, model.graph.name + "_qdq", list(model.graph.input),
                              list(model.graph.output), list(inits.values()) + new_inits)
    qmodel = helper.make_model(graph, producer_name="make_vgg16_qdq.py",
                               opset_imports=[helper.make_opsetid("", 19 if fp8 else 13)])
    onnx.save(qmodel, a.out)
    if a.table:
        table = {"format": "vggq-calibration", "version": 1, "method": "max",
                 "precision": a.precision, "samples": a.n,
                 "layers": {k: {"amax": max(-lo, hi), "min": lo, "max": hi}
                            for k, (lo, hi) in stats.items()}}
        with open(a.table, "w") as f:
            json.dump(table, f, indent=2)


if __name__ == "__main__":
    main()
