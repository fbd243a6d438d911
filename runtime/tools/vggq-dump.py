#!/usr/bin/env python3
"""vggq-dump.py - read and write VGGQDMP1 reference dumps; the toy model.

The dump format (runtime/README.md) is what `vggq-run --dump-layers` writes
and `vggq-run-cuda --compare-ref` reads. This script
  describe DUMP                 lists its entries
  toy --plan P --data CIFAR --images N --weights-out W --ref-out R
                                makes weights for the runtime's toy model
                                (test/Runtime/Inputs/toy.*) and its CPU
                                reference in NumPy, so that the runtime can be
                                checked on a GPU independently of vggq-compile.
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np

FORMATS_DEF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                           "..", "include", "vggq", "Precision", "Formats.def")


def read_formats(path=FORMATS_DEF):
    """dtype code -> (runtime name, NumPy type), from Formats.def's records."""
    text = open(path).read()
    codes = {1: ("s32", "<i4")}
    for m in re.finditer(r"^VGGQ_FORMAT\(([^)]*)\)", text, re.M):
        f = [x.strip().strip('"') for x in m.group(1).split(",")]
        rt, code, kind, bits = f[4], int(f[5]), f[6], int(f[7])
        if kind == "F32":
            np_type = "<f4"
        elif kind == "Int":
            np_type = {8: "i1", 16: "<i2", 32: "<i4"}[bits]
        else:  # codes of a narrower float: raw unsigned integers
            np_type = {8: "u1", 16: "<u2"}[bits]
        codes[code] = (rt, np_type)
    return codes


FORMATS = read_formats()
CODE_OF = {rt: code for code, (rt, _) in FORMATS.items()}
NUMPY = {rt: np_type for rt, np_type in FORMATS.values()}


def write_dump(path, entries):
    """entries: list of (name, dtype, scale, ndarray)."""
    with open(path, "wb") as f:
        f.write(b"VGGQDMP1" + struct.pack("<I", len(entries)))
        for name, dtype, scale, arr in entries:
            raw = name.encode()
            f.write(struct.pack("<H", len(raw)) + raw)
            f.write(struct.pack("<BBf", CODE_OF[dtype], arr.ndim, scale))
            f.write(struct.pack("<%dq" % arr.ndim, *arr.shape))
            f.write(np.ascontiguousarray(arr, dtype=NUMPY[dtype]).tobytes())


def read_dump(path):
    data = open(path, "rb").read()
    if data[:8] != b"VGGQDMP1":
        raise SystemExit("%s: not a VGGQDMP1 dump" % path)
    (count,), pos, out = struct.unpack_from("<I", data, 8), 12, []
    for _ in range(count):
        (n,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2:pos + 2 + n].decode()
        pos += 2 + n
        code, rank, scale = struct.unpack_from("<BBf", data, pos)
        pos += 6
        dims = struct.unpack_from("<%dq" % rank, data, pos)
        pos += 8 * rank
        if code not in FORMATS:
            raise SystemExit("%s: entry '%s' has unknown dtype code %d"
                             % (path, name, code))
        dt = np.dtype(FORMATS[code][1])
        size = int(np.prod(dims)) * dt.itemsize
        arr = np.frombuffer(data[pos:pos + size], dtype=dt).reshape(dims)
        pos += size
        out.append((name, FORMATS[code][0], scale, arr))
    return out


def cifar_nhwc(path, images, mean, std):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073 or raw.size < images * 3073:
        sys.exit(f"vggq-dump: '{path}' holds {raw.size} bytes: not {images} "
                 "CIFAR-10 records of 3073 bytes")
    raw = raw[: images * 3073].reshape(images, 3073)
    px = raw[:, 1:].reshape(images, 3, 32, 32).transpose(0, 2, 3, 1)
    x = px.astype(np.float32) / np.float32(255.0)
    return ((x - np.float32(mean)) / np.float32(std)).astype(np.float32), raw[:, 0]


def toy(args):
    plan = json.load(open(args.plan))
    launches = plan["launches"]
    scale = np.float32(launches[0]["out"]["scale"])
    rng = np.random.default_rng(args.seed)
    w = (rng.standard_normal((10, 3072)) * 0.02).astype(np.float32)
    bias = (rng.standard_normal(10) * 0.1).astype(np.float32)
    blob = bytearray(plan["weights"]["bytes"])
    regions = {r["name"]: r["offset"] for r in plan["weights"]["regions"]}
    # (blob[a:][:n] = ... would assign into a copy: index the blob itself.)
    for name, arr in (("features.0.scale", scale), ("classifier.weight", w),
                      ("classifier.bias", bias)):
        off = regions[name]
        blob[off:off + arr.nbytes] = arr.tobytes()
    open(args.weights_out, "wb").write(bytes(blob))
    x, _ = cifar_nhwc(args.data, args.images, plan["input"]["mean"], plan["input"]["std"])
    q = np.clip(np.rint(x / scale), -127, 127).astype(np.int8)
    acc = q.reshape(args.images, 3072).astype(np.float64) @ w.T.astype(np.float64)
    logits = (acc.astype(np.float32) * scale + bias).astype(np.float32)
    write_dump(args.ref_out, [("input", "f32", 1.0, x),
                              (launches[0]["layer"], "s8", float(scale), q),
                              (launches[1]["layer"], "f32", 1.0, logits),
                              ("logits", "f32", 1.0, logits)])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("describe")
    d.add_argument("dump")
    t = sub.add_parser("toy")
    t.add_argument("--plan", required=True)
    t.add_argument("--data", required=True)
    t.add_argument("--images", type=int, default=16)
    t.add_argument("--weights-out", required=True)
    t.add_argument("--ref-out", required=True)
    t.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.cmd == "describe":
        for name, dtype, scale, arr in read_dump(args.dump):
            print("%s %s scale=%g shape=%s" % (name, dtype, scale, list(arr.shape)))
    else:
        toy(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
