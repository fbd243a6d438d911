#!/usr/bin/env python3
"""A NumPy fake-quant evaluation of a QDQ ONNX CNN, independent of vggq.

    qdq_reference.py MODEL.onnx CIFAR.bin N OUT.f32 [--mean a,b,c --std a,b,c]
                     [--labels] [--batch B]

Runs the graph node by node in float32 with ONNX's own semantics for
QuantizeLinear (round half to even, + zero point, saturate to the type's
range: [-128, 127] for INT8, [0, 255] for UINT8, the largest finite value
for FLOAT8E4M3FN / FLOAT8E5M2) and DequantizeLinear ((q - zero point) *
scale), per tensor or per axis. FP8 tensors are decoded from their raw bytes
here (ONNX 1.12's numpy_helper predates them). Writes the logits of the first
N images (N x classes little-endian float32); with --labels, prints the top-1
against the CIFAR-10 labels. Only the ops of the CNNs we test are known.
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FP8_E4M3FN, FP8_E5M2 = 17, 19


def fp8_values(kind):
    """The value of every byte code (NaN where it is not finite)."""
    codes = np.arange(256)
    sign = np.where(codes & 0x80, -1.0, 1.0)
    if kind == FP8_E4M3FN:
        e, m, bias, mbits = (codes >> 3) & 0xF, codes & 7, 7, 3
    else:
        e, m, bias, mbits = (codes >> 2) & 0x1F, codes & 3, 15, 2
    frac = m / float(1 << mbits)
    v = np.where(e == 0, frac * 2.0 ** (1 - bias), (1 + frac) * 2.0 ** (e - bias))
    v = sign * v
    if kind == FP8_E4M3FN:
        v[(codes & 0x7F) == 0x7F] = np.nan
    else:
        v[((codes >> 2) & 0x1F) == 0x1F] = np.nan
    return v.astype(np.float32)


def fp8_encode(x, kind):
    """Round to nearest, ties to even code, saturating to the largest finite."""
    table = fp8_values(kind)
    pos = table[:128]
    finite = np.isfinite(pos)
    vals, codes = pos[finite], np.arange(128)[finite]
    a = np.minimum(np.abs(x), vals[-1])
    hi = np.clip(np.searchsorted(vals, a), 1, len(vals) - 1)
    lo = hi - 1
    dlo, dhi = a - vals[lo], vals[hi] - a
    pick_hi = (dhi < dlo) | ((dhi == dlo) & (codes[hi] % 2 == 0))
    code = np.where(pick_hi, codes[hi], codes[lo])
    code = np.where(np.isnan(x), 0x7F, code)
    return (code | np.where(np.signbit(x), 0x80, 0)).astype(np.uint8)


class QTensor:
    """An FP8 tensor: byte codes and the data type."""

    def __init__(self, codes, kind):
        self.codes, self.kind = codes, kind


def tensor_value(t):
    if t.data_type in (FP8_E4M3FN, FP8_E5M2):
        codes = np.frombuffer(t.raw_data, np.uint8) if t.raw_data else \
            np.array(t.int32_data, np.uint8)
        return QTensor(codes.reshape(tuple(t.dims)), t.data_type)
    return numpy_helper.to_array(t)


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def per_axis(v, x, axis):
    v = np.asarray(v)
    if v.size == 1:
        return v.reshape(())
    shape = [1] * x.ndim
    shape[axis] = -1
    return v.reshape(shape)


def quantize(x, scale, zp, axis):
    s = per_axis(scale, x, axis).astype(np.float32)
    if isinstance(zp, QTensor):
        return QTensor(fp8_encode((x / s).astype(np.float32), zp.kind), zp.kind)
    dtype = zp.dtype if zp is not None else np.dtype(np.uint8)
    z = per_axis(zp, x, axis).astype(np.int32) if zp is not None else 0
    info = np.iinfo(dtype)
    q = np.rint((x / s).astype(np.float32)).astype(np.int64) + z
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q, scale, zp, axis):
    if isinstance(q, QTensor):
        x = fp8_values(q.kind)[q.codes]
        return (x * per_axis(scale, x, axis)).astype(np.float32)
    z = per_axis(zp, q, axis).astype(np.int64) if zp is not None and \
        not isinstance(zp, QTensor) else 0
    return ((q.astype(np.int64) - z).astype(np.float32) *
            per_axis(scale, q, axis).astype(np.float32)).astype(np.float32)


def conv(x, w, b, a):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    sh, sw = a.get("strides", [1, 1])
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, oh, ow, c, kh, kw), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, :, i, j] = xp[:, :, i:i + sh * oh:sh,
                                        j:j + sw * ow:sw].transpose(0, 2, 3, 1)
    y = cols.reshape(n * oh * ow, -1) @ w.reshape(o, -1).T.astype(np.float32)
    y = y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
    return y + (b.reshape(1, o, 1, 1) if b is not None else 0)


def run(model, x, keep=False):
    """The graph output for input x (with keep, every value by name)."""
    env = {t.name: tensor_value(t) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x.astype(np.float32)
    for node in model.graph.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            y = tensor_value(a["value"])
        elif op == "QuantizeLinear":
            y = quantize(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                         a.get("axis", 1))
        elif op == "DequantizeLinear":
            y = dequantize(ins[0], ins[1], ins[2] if len(ins) > 2 else None,
                           a.get("axis", 1))
        elif op == "Conv":
            y = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "MaxPool":
            kh, kw = a["kernel_shape"]
            sh, sw = a.get("strides", [1, 1])
            x0 = ins[0]
            oh, ow = (x0.shape[2] - kh) // sh + 1, (x0.shape[3] - kw) // sw + 1
            y = np.stack([x0[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
                          for i in range(kh) for j in range(kw)]).max(axis=0)
        elif op == "Flatten":
            y = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Reshape":
            shape = [ins[0].shape[i] if d == 0 else d for i, d in enumerate(ins[1])]
            y = ins[0].reshape(shape)
        elif op == "Gemm":
            w = ins[1].T if a.get("transB", 0) else ins[1]
            y = ins[0] @ w
            if len(ins) > 2 and ins[2] is not None:
                y = y + ins[2]
        elif op == "MatMul":
            y = ins[0] @ ins[1]
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "Identity":
            y = ins[0]
        else:
            raise ValueError(f"node {node.name} ({op}): not known to this reference")
        if not isinstance(y, QTensor) and y.dtype == np.float64:
            y = y.astype(np.float32)
        env[node.output[0]] = y
    return env if keep else env[model.graph.output[0].name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("cifar")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--mean", default="0.4914,0.4822,0.4465")
    ap.add_argument("--std", default="0.2470,0.2435,0.2616")
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--labels", action="store_true")
    a = ap.parse_args()
    raw = np.fromfile(a.cifar, dtype=np.uint8)
    if raw.size < a.n * 3073:
        sys.exit(f"{a.cifar}: holds fewer than {a.n} images")
    rec = raw[:a.n * 3073].reshape(a.n, 3073)
    mean = np.array([float(v) for v in a.mean.split(",")], np.float32).reshape(1, 3, 1, 1)
    std = np.array([float(v) for v in a.std.split(",")], np.float32).reshape(1, 3, 1, 1)
    model = onnx.load(a.model)
    out = []
    for i in range(0, a.n, a.batch):
        x = rec[i:i + a.batch, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / np.float32(255)
        out.append(run(model, (x - mean) / std))
    logits = np.concatenate(out)
    logits.astype("<f4").tofile(a.out)
    if a.labels:
        top1 = (logits.argmax(1) == rec[:, 0]).mean() * 100
        print(f"top-1: {top1:.2f} % of {a.n} images")


if __name__ == "__main__":
    main()
