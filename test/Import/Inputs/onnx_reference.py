#!/usr/bin/env python3
"""An independent NumPy evaluation of an ONNX CNN on CIFAR-10 test images.

    onnx_reference.py MODEL.onnx CIFAR.bin N OUT.f32 --mean a,b,c --std a,b,c

Reads the first N images of a CIFAR-10 binary batch, normalizes them
(pixel/255, then (x - mean) / std per channel), runs the graph node by node
with NumPy in float64 and writes the logits as N x classes little-endian
float32. It shares no code with vggq: tests compare vggq's import and CPU
executor against it. Only the ops of the CNN exports we test are known; any
other op is an error.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def conv(x, w, b, a):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    if a.get("group", 1) != 1 or a.get("dilations", [1, 1]) != [1, 1]:
        raise ValueError("conv: only group 1, dilation 1")
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    y = np.einsum("nckluv,ockl->nouv", cols, w)
    return y + (b.reshape(1, o, 1, 1) if b is not None else 0)


def slice_(x, starts, ends, axes, steps):
    idx = [slice(None)] * x.ndim
    for s, e, ax, st in zip(starts, ends, axes, steps):
        idx[int(ax)] = slice(int(s), int(e), int(st))
    return x[tuple(idx)]


def run(model, x):
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == onnx.TensorProto.FLOAT
           else numpy_helper.to_array(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif op == "Conv":
            y = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "BatchNormalization":
            x0, s, bias, mean, var = ins[:5]
            shape = (1, -1) + (1,) * (x0.ndim - 2)
            y = (x0 - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + a.get("epsilon", 1e-5)) \
                * s.reshape(shape) + bias.reshape(shape)
        elif op == "Slice":
            n = ins[0].ndim
            axes = ins[3] if len(ins) > 3 and ins[3] is not None else range(n)
            steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(ins[1])
            y = slice_(ins[0], ins[1], ins[2], axes, steps)
        elif op == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            y = np.full(tuple(ins[0]), v[0], dtype=v.dtype)
        elif op == "Concat":
            y = np.concatenate(ins, axis=a["axis"])
        elif op == "Reshape":
            shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(ins[1])]
            y = ins[0].reshape(shape)
        elif op == "Transpose":
            y = np.transpose(ins[0], a.get("perm"))
        elif op == "Cast":
            y = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif op == "Pad":
            if a.get("mode", b"constant") not in (b"constant", "constant"):
                raise ValueError("Pad: only constant mode")
            p = ins[1].astype(np.int64)
            r = ins[0].ndim
            value = ins[2].item() if len(ins) > 2 and ins[2] is not None else 0
            y = np.pad(ins[0], [(p[i], p[i + r]) for i in range(r)], constant_values=value)
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "MaxPool" or op == "AveragePool":
            kh, kw = a["kernel_shape"]
            sh, sw = a.get("strides", [1, 1])
            if any(a.get("pads", [0, 0, 0, 0])):
                raise ValueError(op + ": pads are not supported by this reference")
            x0 = ins[0]
            oh, ow = (x0.shape[2] - kh) // sh + 1, (x0.shape[3] - kw) // sw + 1
            win = np.stack([x0[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] for i in range(kh) for j in range(kw)])
            y = win.max(axis=0) if op == "MaxPool" else win.mean(axis=0)
        elif op == "Flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Gemm":
            w = ins[1].T if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * (ins[0] @ w)
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
        else:
            raise ValueError(f"node {node.name} ({op}): not known to this reference")
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("cifar")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--mean", default="0.4914,0.4822,0.4465")
    ap.add_argument("--std", default="0.2470,0.2435,0.2616")
    a = ap.parse_args()
    raw = np.fromfile(a.cifar, dtype=np.uint8)
    if raw.size < a.n * 3073:
        sys.exit(f"{a.cifar}: holds fewer than {a.n} images")
    rec = raw[:a.n * 3073].reshape(a.n, 3073)
    x = rec[:, 1:].reshape(a.n, 3, 32, 32).astype(np.float64) / 255.0
    mean = np.array([float(v) for v in a.mean.split(",")]).reshape(1, 3, 1, 1)
    std = np.array([float(v) for v in a.std.split(",")]).reshape(1, 3, 1, 1)
    logits = run(onnx.load(a.model), (x - mean) / std)
    logits.astype("<f4").tofile(a.out)


if __name__ == "__main__":
    main()
