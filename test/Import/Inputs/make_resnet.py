#!/usr/bin/env python3
"""Writes a CIFAR ResNet (He et al. 2016: 6n+2 layers) as PyTorch 1.13 exports it.

    make_resnet.py OUT.onnx [--depth 20|32|44|56|110|...] [--width 16]
                   [--shortcut pad|projection] [--classes 10] [--seed 0]

The graph is what torch.onnx.export writes for the akamaster-style CIFAR
ResNet in eval mode (opset 13, batch norm folded into the convs): a 3x3 stem
conv, three stages of n basic blocks at widths w, 2w, 4w (stride 2 at the
first block of stages 2 and 3), a global average pool, Flatten and Gemm. The
parameter-free shortcut ("pad") is `F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, p,
p))`, exported as two Slice nodes with steps and a Pad whose amounts are
computed by ConstantOfShape, Concat, Reshape, Slice, Transpose, Reshape and
Cast, node for node as the exporter writes them. "projection" uses a 1x1
stride-2 conv followed by BatchNormalization instead. The weights are seeded
random numbers (He-initialised, the second conv of each block scaled down
by sqrt(2n)), so the model computes something well
defined but classifies nothing; it exercises depth and width, not accuracy.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INT64_MAX = 9223372036854775807


class Builder:
    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.inits = []
        self.count = 0

    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}_output_{self.count}"

    def const(self, scope, values):
        out = self.fresh(f"{scope}/Constant")
        t = numpy_helper.from_array(np.array(values, dtype=np.int64), name="")
        self.nodes.append(helper.make_node("Constant", [], [out], name=f"{scope}/Constant_{self.count}", value=t))
        return out

    def node(self, op, scope, inputs, **attrs):
        out = self.fresh(f"{scope}/{op}")
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"{scope}/{op}_{self.count}", **attrs))
        return out

    def conv(self, scope, x, cin, cout, k, stride, pad, gain=1.0):
        w = self.rng.normal(0.0, gain * np.sqrt(2.0 / (cin * k * k)), (cout, cin, k, k)).astype(np.float32)
        b = self.rng.normal(0.0, 0.05, (cout,)).astype(np.float32)
        wn, bn = f"onnx::Conv_{len(self.inits)}", f"onnx::Conv_{len(self.inits) + 1}"
        self.inits += [numpy_helper.from_array(w, wn), numpy_helper.from_array(b, bn)]
        return self.node("Conv", scope, [x, wn, bn], dilations=[1, 1], group=1,
                         kernel_shape=[k, k], pads=[pad] * 4, strides=[stride, stride])

    def batch_norm(self, scope, x, c):
        names = []
        for role, v in (("weight", self.rng.uniform(0.5, 1.5, c)), ("bias", self.rng.normal(0, 0.1, c)),
                        ("running_mean", self.rng.normal(0, 0.1, c)), ("running_var", self.rng.uniform(0.5, 1.5, c))):
            name = f"{scope}.{role}"
            self.inits.append(numpy_helper.from_array(v.astype(np.float32), name))
            names.append(name)
        return self.node("BatchNormalization", scope, [x] + names, epsilon=1e-5, momentum=0.9)

    def pad_shortcut(self, scope, x, p):
        # x[:, :, ::2, ::2]
        for axis in (2, 3):
            axes, starts = self.const(scope, [axis]), self.const(scope, [0])
            ends, steps = self.const(scope, [INT64_MAX]), self.const(scope, [2])
            x = self.node("Slice", scope, [x, starts, ends, axes, steps])
        # F.pad(..., (0, 0, 0, 0, p, p)): the exporter's pad arithmetic.
        zeros = self.node("ConstantOfShape", scope, [self.const(scope, [2])],
                          value=numpy_helper.from_array(np.array([0], dtype=np.int64), name=""))
        pads = self.node("Concat", scope, [self.const(scope, [0, 0, 0, 0, p, p]), zeros], axis=0)
        pads = self.node("Reshape", scope, [pads, self.const(scope, [-1, 2])])
        axes, starts = self.const(scope, [0]), self.const(scope, [-1])
        ends, steps = self.const(scope, [-INT64_MAX]), self.const(scope, [-1])
        pads = self.node("Slice", scope, [pads, starts, ends, axes, steps])
        pads = self.node("Transpose", scope, [pads], perm=[1, 0])
        pads = self.node("Reshape", scope, [pads, self.const(scope, [-1])])
        pads = self.node("Cast", scope, [pads], to=TensorProto.INT64)
        return self.node("Pad", scope, [x, pads, ""], mode="constant")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--shortcut", choices=("pad", "projection"), default="pad")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.depth < 8 or (a.depth - 2) % 6:
        ap.error("depth must be 6n+2 with n >= 1 (20, 32, 44, 56, 110, ...)")
    blocks = (a.depth - 2) // 6
    b = Builder(np.random.default_rng(a.seed))
    x = b.node("Relu", "", [b.conv("/conv1", "input", 3, a.width, 3, 1, 1)])
    cin = a.width
    for stage in range(3):
        cout = a.width << stage
        for i in range(blocks):
            scope = f"/layer{stage + 1}/layer{stage + 1}.{i}"
            stride = 2 if stage > 0 and i == 0 else 1
            h = b.node("Relu", scope, [b.conv(scope + "/conv1", x, cin, cout, 3, stride, 1)])
            # The residual branch is scaled down (as Fixup does) so that the
            # activations stay of order 1 at any depth.
            h = b.conv(scope + "/conv2", h, cout, cout, 3, 1, 1, gain=1.0 / np.sqrt(2 * blocks))
            if stride != 1 or cin != cout:
                if a.shortcut == "pad":
                    s = b.pad_shortcut(scope, x, (cout - cin) // 2)
                else:
                    s = b.batch_norm(scope + "/shortcut.1", b.conv(scope + "/shortcut.0", x, cin, cout, 1, stride, 0), cout)
            else:
                s = x
            x = b.node("Relu", scope, [b.node("Add", scope, [h, s])])
            cin = cout
    x = b.node("Flatten", "", [b.node("GlobalAveragePool", "", [x])], axis=1)
    w = b.rng.normal(0.0, np.sqrt(1.0 / cin), (a.classes, cin)).astype(np.float32)
    b.inits += [numpy_helper.from_array(w, "linear.weight"),
                numpy_helper.from_array(np.zeros(a.classes, np.float32), "linear.bias")]
    b.nodes.append(helper.make_node("Gemm", [x, "linear.weight", "linear.bias"], ["logits"], name="/linear/Gemm",
                                    alpha=1.0, beta=1.0, transB=1))
    graph = helper.make_graph(
        b.nodes, f"resnet{a.depth}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", a.classes])], b.inits)
    model = helper.make_model(graph, producer_name="pytorch", producer_version="1.13.0",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, a.out)


if __name__ == "__main__":
    main()
