#!/usr/bin/env python3
"""torch_gpu_baseline.py - PyTorch VGG16-BN (CIFAR-10) timings, and the table.

  bench  [--weights W.safetensors] [--data test_batch.bin] --batches 1,64,512,4096
         --csv OUT.csv
      Times PyTorch on the GPU at each batch size in three modes, on the same
      weights as vggq (the trained safetensors when given, else random):
        torch-fp32  true FP32 (cudnn.allow_tf32 = matmul.allow_tf32 = False)
        torch-tf32  TF32 convolutions and matmuls
        torch-bf16  BF16, channels_last, cudnn.benchmark
      With --data, also the FP32 top-1 (a check that the weights are right).
      Appends rows "label,precision,batch,ms,images_per_s,peak_bytes,peak_bytes"
      (the format of vggq-run-cuda --bench-csv).
  table  CSV [--md OUT.md] [--png OUT.png]
      One table: ms per batch, images/s, ratio to PyTorch FP32 and BF16, peak
      memory ratio to PyTorch FP32; markdown and a plot of time per batch size.
"""
import argparse
import json
import struct
import sys

CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def build_model(torch):
    nn = torch.nn
    layers, c = [], 3
    for v in CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            c = v

    class VGG(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.classifier = nn.Linear(512, 10)

        def forward(self, x):
            return self.classifier(torch.flatten(self.features(x), 1))

    return VGG()


def load_safetensors(torch, path):
    """Minimal reader (F32 tensors only), so no extra package is needed."""
    data = open(path, "rb").read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("%s: tensor %s is %s, expected F32" % (path, name, info["dtype"]))
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[8 + n + b:8 + n + e]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"])
    return out


def time_model(torch, model, x, iters=None):
    with torch.inference_mode():
        for _ in range(3):
            model(x)
        torch.cuda.synchronize()
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        model(x)
        stop.record()
        torch.cuda.synchronize()
        one = max(start.elapsed_time(stop), 1e-3)
        iters = iters or max(5, min(1000, int(300.0 / one)))
        start.record()
        for _ in range(iters):
            model(x)
        stop.record()
        torch.cuda.synchronize()
        return start.elapsed_time(stop) / iters


def bench(args):
    import torch
    dev = torch.device("cuda")
    model = build_model(torch)
    source = "random weights"
    if args.weights:
        missing = model.load_state_dict(load_safetensors(torch, args.weights), strict=False)
        if missing.missing_keys:
            raise SystemExit("weights lack: %s" % missing.missing_keys)
        source = args.weights
    model = model.eval().to(dev)
    print("torch %s, %s, %s" % (torch.__version__, torch.cuda.get_device_name(), source))
    mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
    std = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)
    if args.data:
        import numpy as np
        raw = np.fromfile(args.data, dtype=np.uint8).reshape(-1, 3073)
        x = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0)
        x = ((x - mean) / std).to(dev)
        labels = torch.from_numpy(raw[:, 0].astype(np.int64)).to(dev)
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
        with torch.inference_mode():
            pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
        print("torch-fp32 top-1: %.2f%%" % (100.0 * (pred == labels).float().mean().item()))
    rows = []
    for mode in ("torch-fp32", "torch-tf32", "torch-bf16"):
        torch.backends.cudnn.allow_tf32 = mode == "torch-tf32"
        torch.backends.cuda.matmul.allow_tf32 = mode == "torch-tf32"
        torch.backends.cudnn.benchmark = mode == "torch-bf16"
        m = model
        if mode == "torch-bf16":
            m = build_model(torch).to(dev).eval()
            m.load_state_dict(model.state_dict())
            m = m.to(dtype=torch.bfloat16, memory_format=torch.channels_last)
        for b in args.batches:
            x = torch.randn(b, 3, 32, 32, device=dev)
            if mode == "torch-bf16":
                x = x.to(dtype=torch.bfloat16, memory_format=torch.channels_last)
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            ms = time_model(torch, m, x)
            peak = torch.cuda.max_memory_allocated()
            print("%-11s batch %5d: %9.3f ms/batch, %10.0f images/s, peak %.1f MiB"
                  % (mode, b, ms, b * 1000.0 / ms, peak / 1048576.0))
            rows.append("%s,%s,%d,%.5f,%.1f,%d,%d" % (mode, mode[6:], b, ms, b * 1000.0 / ms, peak, peak))
            del x
        if mode == "torch-bf16":
            del m
    with open(args.csv, "a") as f:
        f.write("".join(r + "\n" for r in rows))


def table(args):
    rows = {}
    for line in open(args.csv):
        label, _, b, ms, ips, planned, peak = line.strip().split(",")
        rows[(label, int(b))] = (float(ms), float(ips), int(planned), int(peak))
    labels = list(dict.fromkeys(k[0] for k in rows))
    batches = sorted({k[1] for k in rows})
    head = ("| model | batch | ms / batch | images/s | x PyTorch FP32 | x PyTorch BF16 "
            "| x vggq FP32 | peak MiB | peak / PyTorch FP32 | peak / vggq FP32 |")
    lines = [head, "|" + "---|" * 10]
    for b in batches:
        ref32, ref16 = rows.get(("torch-fp32", b)), rows.get(("torch-bf16", b))
        our32 = rows.get(("vggq fp32", b))
        for label in labels:
            r = rows.get((label, b))
            if not r:
                continue
            ms, ips, planned, peak = r
            f = lambda ref: "%.2f" % (ref[0] / ms) if ref else "-"  # noqa: E731
            m = lambda ref: "%.2f" % (planned / ref[2]) if ref else "-"  # noqa: E731
            lines.append("| %s | %d | %.3f | %.0f | %s | %s | %s | %.1f | %s | %s |"
                         % (label, b, ms, ips, f(ref32), f(ref16), f(our32),
                            planned / 1048576.0, m(ref32), m(our32)))
    text = "\n".join(lines)
    print(text)
    print("\n(x PyTorch = speed-up: PyTorch's time / this time. peak: vggq = weights + "
          "planned arena; PyTorch = torch.cuda.max_memory_allocated.)")
    if args.md:
        open(args.md, "w").write(text + "\n")
    if args.png:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib missing: no plot")
            return
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label in labels:
            pts = [(b, rows[(label, b)][0]) for b in batches if (label, b) in rows]
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel("ms per batch (forward)")
        ax.set_title("VGG16-BN CIFAR-10 forward time")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.png, dpi=120)
        print("plot: %s" % args.png)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--weights")
    b.add_argument("--data")
    b.add_argument("--batches", default="1,64,512,4096",
                   type=lambda s: [int(x) for x in s.split(",")])
    b.add_argument("--csv", required=True)
    t = sub.add_parser("table")
    t.add_argument("csv")
    t.add_argument("--md")
    t.add_argument("--png")
    args = p.parse_args()
    (bench if args.cmd == "bench" else table)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
