#!/usr/bin/env python3
"""Writes a tiny CIFAR-10 binary file for the calibration tests.

Record i has label i % 10 and every pixel equal to VALUES[i % 4], so that
after normalization with mean 0.5 and std 0.5 the images are constant
1.0, -1.0, -0.6 and -0.2. With a third argument "noise", the pixels are
instead pseudo-random (a fixed linear congruential sequence), for tests that
need images with spatial structure.
"""
import sys

VALUES = [255, 0, 51, 102]


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    noise = len(sys.argv) > 3 and sys.argv[3] == "noise"
    state = 12345
    with open(path, "wb") as f:
        for i in range(count):
            if not noise:
                f.write(bytes([i % 10]) + bytes([VALUES[i % 4]]) * 3072)
                continue
            pixels = bytearray(3072)
            for k in range(3072):
                state = (state * 1103515245 + 12345) % (1 << 31)
                pixels[k] = state >> 23
            f.write(bytes([i % 10]) + bytes(pixels))


if __name__ == "__main__":
    main()
