#!/usr/bin/env python3
"""Writes small ONNX models, shaped like PyTorch exports, for the importer tests.

usage: make_onnx.py KIND OUT.onnx [--reference PREFIX]

KIND is one of: tiny (Conv, Relu, MaxPool, Flatten, Gemm), bn (Conv without
bias, BatchNormalization, Identity, Dropout, Reshape from a Constant, MatMul +
Add, Softmax), sigmoid (an unsupported op), opset9, missing (a missing
initializer), mismatch (a conv whose weight does not match its input),
int32 (a non-float32 initializer).

The models take CIFAR-sized NCHW inputs [N, 3, 32, 32] and give 10 outputs.
With --reference, also writes PREFIX.bin (4 random images in the CIFAR-10
binary format) and PREFIX.expected.f32 (the model's outputs for them after
the CIFAR normalization, computed here with NumPy in float64).
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)
H = W = 32  # spatial size 16x16 after the pool: the flatten order matters
CLASSES = 10
FEATURES = 4 * (H // 2) * (W // 2)
MEAN = np.array([0.4914, 0.4822, 0.4465], np.float32)
STD = np.array([0.2470, 0.2435, 0.2616], np.float32)


def rand(*shape, scale=0.5):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def conv(x, w, b, pad):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    y = np.zeros((n, o, oh, ow), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + oh, j:j + ow].astype(np.float64)
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    if b is not None:
        y += b[None, :, None, None]
    return y


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def build(kind):
    nodes, inits = [], []
    conv_w = rand(4, 3, 3, 3)
    conv_b = rand(4, scale=0.1)
    fc_w = rand(CLASSES, FEATURES, scale=0.05)
    fc_b = rand(CLASSES, scale=0.1)
    inits.append(numpy_helper.from_array(conv_w, "onnx::Conv_11"))
    conv_inputs = ["input", "onnx::Conv_11"]
    if kind != "bn":
        inits.append(numpy_helper.from_array(conv_b, "onnx::Conv_12"))
        conv_inputs.append("onnx::Conv_12")
    nodes.append(helper.make_node(
        "Conv", conv_inputs, ["/features/features.0/Conv_output_0"],
        name="/features/features.0/Conv", dilations=[1, 1], group=1,
        kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]))
    x = "/features/features.0/Conv_output_0"
    bn = None
    if kind == "bn":
        bn = [rand(4, scale=0.2) + 1, rand(4, scale=0.1), rand(4, scale=0.1),
              np.abs(rand(4, scale=0.3)) + 0.5]
        for name, v in zip(["weight", "bias", "running_mean", "running_var"], bn):
            inits.append(numpy_helper.from_array(v, "features.1." + name))
        nodes.append(helper.make_node(
            "BatchNormalization",
            [x] + ["features.1." + n for n in
                   ["weight", "bias", "running_mean", "running_var"]],
            ["/features/features.1/BatchNormalization_output_0"],
            name="/features/features.1/BatchNormalization", epsilon=1e-5,
            momentum=0.9))
        nodes.append(helper.make_node(
            "Identity", ["/features/features.1/BatchNormalization_output_0"],
            ["/features/features.1/Identity_output_0"],
            name="/features/features.1/Identity"))
        x = "/features/features.1/Identity_output_0"
    act = "Sigmoid" if kind == "sigmoid" else "Relu"
    if kind == "nooutput":
        # A node that defines nothing (found by fuzzing the importer).
        nodes.append(helper.make_node("MaxPool", [x], [], name="/features/dangling",
                                      kernel_shape=[2, 2], strides=[2, 2]))
    nodes.append(helper.make_node(act, [x], ["/features/features.2/Relu_output_0"],
                                  name="/features/features.2/" + act))
    x = "/features/features.2/Relu_output_0"
    if kind == "mismatch":
        inits.append(numpy_helper.from_array(rand(4, 8, 3, 3), "onnx::Conv_14"))
        nodes.append(helper.make_node(
            "Conv", [x, "onnx::Conv_14"], ["/features/features.3/Conv_output_0"],
            name="/features/features.3/Conv", kernel_shape=[3, 3],
            pads=[1, 1, 1, 1]))
        x = "/features/features.3/Conv_output_0"
    nodes.append(helper.make_node(
        "MaxPool", [x], ["/features/features.4/MaxPool_output_0"],
        name="/features/features.4/MaxPool", ceil_mode=0, kernel_shape=[2, 2],
        pads=[0, 0, 0, 0], strides=[2, 2]))
    x = "/features/features.4/MaxPool_output_0"
    if kind == "bn":
        nodes.append(helper.make_node(
            "Constant", [], ["/Constant_output_0"], name="/Constant",
            value=numpy_helper.from_array(np.array([0, -1], np.int64))))
        nodes.append(helper.make_node(
            "Reshape", [x, "/Constant_output_0"], ["/Reshape_output_0"],
            name="/Reshape"))
        nodes.append(helper.make_node(
            "Dropout", ["/Reshape_output_0"], ["/classifier/classifier.0/Dropout_output_0"],
            name="/classifier/classifier.0/Dropout"))
        inits.append(numpy_helper.from_array(fc_w.T.copy(), "onnx::MatMul_20"))
        inits.append(numpy_helper.from_array(fc_b, "classifier.1.bias"))
        nodes.append(helper.make_node(
            "MatMul", ["/classifier/classifier.0/Dropout_output_0", "onnx::MatMul_20"],
            ["/classifier/classifier.1/MatMul_output_0"],
            name="/classifier/classifier.1/MatMul"))
        nodes.append(helper.make_node(
            "Add", ["classifier.1.bias", "/classifier/classifier.1/MatMul_output_0"],
            ["/classifier/classifier.1/Add_output_0"],
            name="/classifier/classifier.1/Add"))
        nodes.append(helper.make_node(
            "Softmax", ["/classifier/classifier.1/Add_output_0"], ["logits"],
            name="/Softmax", axis=-1))
    else:
        nodes.append(helper.make_node("Flatten", [x], ["/Flatten_output_0"],
                                      name="/Flatten", axis=1))
        fc_name = "classifier.weight"
        if kind == "int32":
            inits.append(numpy_helper.from_array(
                (fc_w * 100).astype(np.int32), fc_name))
        elif kind != "missing":
            inits.append(numpy_helper.from_array(fc_w, fc_name))
        inits.append(numpy_helper.from_array(fc_b, "classifier.bias"))
        nodes.append(helper.make_node(
            "Gemm", ["/Flatten_output_0", fc_name, "classifier.bias"], ["logits"],
            name="/classifier/Gemm", alpha=1.0, beta=1.0, transB=1))

    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, H, W])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       ["batch", CLASSES])],
        inits)
    opset = 9 if kind == "opset9" else 13
    model = helper.make_model(graph, producer_name="pytorch",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    if kind in ("tiny", "bn"):
        onnx.checker.check_model(model)

    def reference(x):
        y = conv(x, conv_w, None if kind == "bn" else conv_b, 1)
        if kind == "bn":
            g, b, m, v = bn
            y = (y - m[None, :, None, None]) / np.sqrt(v[None, :, None, None] + 1e-5) \
                * g[None, :, None, None] + b[None, :, None, None]
        y = maxpool2(np.maximum(y, 0))
        y = y.reshape(y.shape[0], -1) @ fc_w.T.astype(np.float64) + fc_b
        if kind == "bn":
            e = np.exp(y - y.max(axis=1, keepdims=True))
            y = e / e.sum(axis=1, keepdims=True)
        return y.astype(np.float32)

    return model, reference


def main(argv):
    kind, out = argv[1], argv[2]
    model, reference = build(kind)
    onnx.save(model, out)
    if len(argv) == 5 and argv[3] == "--reference":
        pixels = RNG.integers(0, 256, (4, 3, H, W), dtype=np.uint8)
        records = np.concatenate(
            [np.zeros((4, 1), np.uint8), pixels.reshape(4, -1)], axis=1)
        records.tofile(argv[4] + ".bin")
        x = (pixels.astype(np.float32) / np.float32(255) - MEAN[None, :, None, None]) \
            / STD[None, :, None, None]
        reference(x).tofile(argv[4] + ".expected.f32")


if __name__ == "__main__":
    main(sys.argv)
