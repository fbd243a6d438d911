#!/usr/bin/env python3
"""Writes a small file in the CIFAR-10 binary format for lit tests.

usage: make_cifar.py OUT LABEL:R,G,B [LABEL:R,G,B ...] [--truncate N]
Each record is an image of one constant colour (R, G, B bytes) with the
given label byte; --truncate drops the last N bytes of the file.
"""
import sys

out, *args = sys.argv[1:]
truncate = 0
if "--truncate" in args:
    i = args.index("--truncate")
    truncate = int(args[i + 1])
    del args[i:i + 2]
data = bytearray()
for spec in args:
    label, rgb = spec.split(":")
    data.append(int(label))
    for c in rgb.split(","):
        data += bytes([int(c)]) * 1024
with open(out, "wb") as f:
    f.write(data[:len(data) - truncate])
