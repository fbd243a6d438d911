#!/usr/bin/env python3
"""Writes safetensors files for the importer tests (NumPy only).

usage: make_safetensors.py KIND OUT.safetensors

KIND: valid (VGG16-BN with a three-Linear classifier and the batch-norm
num_batches_tracked counters), extra (valid plus a tensor VGG16 does not
have), wrongshape, f16, missing, badoffsets, truncated, garbage.
"""
import json
import struct
import sys

import numpy as np

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
       512, 512, 512, "M", 512, 512, 512, "M"]


def vgg_state_dict():
    rng = np.random.default_rng(3)
    sd, i, c = {}, 0, 3
    for v in CFG:
        if v == "M":
            i += 1
            continue
        sd[f"features.{i}.weight"] = rng.standard_normal((v, c, 3, 3), np.float32) * 0.05
        sd[f"features.{i}.bias"] = np.zeros(v, np.float32)
        for n, val in [("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0),
                       ("running_var", 1.0)]:
            sd[f"features.{i + 1}.{n}"] = np.full(v, val, np.float32)
        sd[f"features.{i + 1}.num_batches_tracked"] = np.array(5, np.int64)
        i, c = i + 3, v
    for j, (o, k) in zip([0, 3, 6], [(64, 512), (64, 64), (10, 64)]):
        sd[f"classifier.{j}.weight"] = rng.standard_normal((o, k), np.float32) * 0.05
        sd[f"classifier.{j}.bias"] = np.zeros(o, np.float32)
    return sd


def serialize(tensors, dtypes=None):
    dtypes = dtypes or {}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors.items():
        data = arr.tobytes()
        dtype = dtypes.get(name) or {np.dtype(np.float32): "F32",
                                     np.dtype(np.float16): "F16",
                                     np.dtype(np.int64): "I64"}[arr.dtype]
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def build(kind):
    w0 = np.zeros((64, 3, 3, 3), np.float32)
    if kind == "valid":
        return serialize(vgg_state_dict())
    if kind == "extra":
        sd = vgg_state_dict()
        sd["features.44.weight"] = np.zeros(4, np.float32)
        return serialize(sd)
    if kind == "wrongshape":
        return serialize({"features.0.weight": np.zeros((64, 3, 5, 5), np.float32)})
    if kind == "f16":
        return serialize({"features.0.weight": w0.astype(np.float16)})
    if kind == "missing":
        return serialize({"features.0.weight": w0})
    if kind == "badoffsets":
        data = bytearray(serialize({"features.0.weight": w0}))
        return bytes(data[:-16])  # the offsets now run past the end
    if kind == "truncated":
        return serialize({"features.0.weight": w0})[:100]
    if kind == "garbage":
        return struct.pack("<Q", 12) + b"not json {{{" + b"\0" * 16
    raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    with open(sys.argv[2], "wb") as f:
        f.write(build(sys.argv[1]))
