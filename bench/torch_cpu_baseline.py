#!/usr/bin/env python3
"""PyTorch CPU baseline for bench/cpu_bench.sh.

Builds VGG16-BN for CIFAR-10 from the shared safetensors (parsed with struct
+ numpy), runs the CIFAR-10 test set in eval mode with channels_last at the
given batch size, and prints one line: images, top-1 (%), images/s.
"""
import argparse
import json
import struct
import time

import numpy as np
import torch
import torch.nn as nn

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
       512, 512, 512, "M", 512, 512, 512, "M"]


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", name
        begin, end = meta["data_offsets"]
        arr = np.frombuffer(data, dtype=np.float32, count=(end - begin) // 4,
                            offset=8 + n + begin)
        tensors[name] = torch.from_numpy(arr.reshape(meta["shape"]).copy())
    return tensors


def vgg16_bn():
    layers, c = [], 3
    for v in CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v),
                       nn.ReLU(inplace=True)]
            c = v
    model = nn.Module()
    model.features = nn.Sequential(*layers)
    model.classifier = nn.Linear(512, 10)
    model.forward = lambda x: model.classifier(torch.flatten(model.features(x), 1))
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--limit", type=int, default=-1)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    raw = np.fromfile(args.data, dtype=np.uint8).reshape(-1, 3073)
    if args.limit >= 0:
        raw = raw[:args.limit]
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    images = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy()).float() / 255.0
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)
    images = ((images - mean) / std).contiguous(memory_format=torch.channels_last)

    model = vgg16_bn()
    missing, unexpected = model.load_state_dict(load_safetensors(args.weights), strict=False)
    # The safetensors omit only BatchNorm's num_batches_tracked counters.
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), \
        (missing, unexpected)
    model.eval()
    model = model.to(memory_format=torch.channels_last)

    correct, seconds = 0, 0.0
    with torch.inference_mode():
        model(images[:args.batch])  # warm-up
        for b0 in range(0, len(images), args.batch):
            x = images[b0:b0 + args.batch]
            start = time.perf_counter()
            logits = model(x)
            seconds += time.perf_counter() - start
            correct += (logits.argmax(1) == labels[b0:b0 + args.batch]).sum().item()
    n = len(images)
    print(f"pytorch {torch.__version__}: images {n} top-1 {100.0 * correct / n:.2f} "
          f"images/s {n / seconds:.1f} threads {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
