#!/usr/bin/env python3
"""Writes a tiny CIFAR-10 binary file for the calibration tests.

Record i has label i % 10 and every pixel equal to VALUES[i % 4], so that
after normalization with mean 0.5 and std 0.5 the images are constant
1.0, -1.0, -0.6 and -0.2.
"""
import sys

VALUES = [255, 0, 51, 102]


def main():
    count, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "wb") as f:
        for i in range(count):
            f.write(bytes([i % 10]) + bytes([VALUES[i % 4]]) * 3072)


if __name__ == "__main__":
    main()
