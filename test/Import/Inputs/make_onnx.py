#!/usr/bin/env python3
"""Writes small ONNX models, shaped like PyTorch exports, for the importer tests.

usage: make_onnx.py KIND OUT.onnx [--reference PREFIX]

KIND is one of: tiny (Conv, Relu, MaxPool, Flatten, Gemm), bn (Conv without
bias, BatchNormalization, Identity, Dropout, Reshape from a Constant, MatMul +
Add, Softmax), sigmoid (an unsupported op), opset9, missing (a missing
initializer), mismatch (a conv whose weight does not match its input),
int32 (a non-float32 initializer), tiny16 (the tiny model given 16x16
inputs), or one of the residual kinds of RESIDUAL_KINDS below.

The models take CIFAR-sized NCHW inputs [N, 3, 32, 32] and give 10 outputs
(except gray100 and rgba100: 1 and 4 channels, 100 outputs).
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


def strided_conv(x, w, b, pad, stride):
    # The stride-1 convolution sampled at the strided window positions.
    return conv(x, w, b, pad)[:, :, ::stride, ::stride]


def avgpool(x, k, s, p, include_pad):
    n, c, h, w = x.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (p, p), (p, p)))
    ones = np.pad(np.ones((h, w)), ((p, p), (p, p)))
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * s:i * s + k, j * s:j * s + k]
            count = k * k if include_pad else ones[i * s:i * s + k, j * s:j * s + k].sum()
            y[:, :, i, j] = win.sum(axis=(2, 3)) / count
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

    side = 16 if kind == "tiny16" else H
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT,
                                       ["batch", 3, side, side])],
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


INT64_MAX = 9223372036854775807

# Residual models: stem Conv 3x3 (C -> 4) + Relu, then a block whose main path
# is Conv 3x3 stride 2 (4 -> 8) and whose shortcut depends on the kind, Add,
# Relu, GlobalAveragePool, Flatten, Gemm.
#   gap: no block (stem, GlobalAveragePool, Flatten, Gemm)
#   gray100, rgba100: the gap model with 1 / 4 input channels and 100 classes
#   metadata: the gap model with vggq.input_mean / vggq.input_std metadata
#   metadata-count: the same with a 2-value mean
#   avgpool, avgpool-incl: stem, AveragePool 3x3 stride 2 pads 1 with
#     count_include_pad 0 / 1, Flatten, Gemm
#   ceil-mode, avgpool-dilation, avgpool-samepad: avgpool with ceil_mode 1,
#     dilations [2, 2], auto_pad SAME_UPPER
#   shortcut-pad: Slice (H step 2), Slice (W step 2), Pad of channels (1, 3)
#     with the amounts computed as PyTorch's F.pad exports them
#   shortcut-transpose: the same Slices, then Transpose, Pad, Transpose
#   projection: Conv 1x1 stride 2 + BatchNormalization
#   pad-reflect, pad-value, pad-hw, pad-negative, slice-start, slice-channel,
#     transpose-alone: variants of the shortcut (pad-reflect and pad-value
#     import as vggq.pad; the others are errors)
#   dynamic-hw: the gap model with an input of dynamic height and width
#   concat: the gap model with a Concat of two activations (not a constant)
#   view: the gap model flattened by x.view(x.size(0), -1) (Shape, Gather,
#     Unsqueeze, Concat, Reshape) instead of Flatten
#   view-3d: the same with x.view(x.size(0), 2, -1), which is not a flatten
#   reducemean: x.mean((2, 3)) (ReduceMean, keepdims 0) instead of the pool and
#     Flatten; reducemean-keep: with keepdims 1, then Flatten;
#     reducemean-c: the mean over C, H and W
#   gemm-transposed: the gap model whose Gemm (transB 0) reads its weight
#     through a Transpose of the initializer, in the linear's own scope
RESIDUAL_KINDS = [
    "gap", "gray100", "rgba100", "metadata", "metadata-count", "avgpool",
    "avgpool-incl", "ceil-mode", "shortcut-pad", "shortcut-transpose",
    "projection", "pad-reflect", "pad-value", "pad-hw", "slice-start",
    "transpose-alone", "concat", "view", "view-3d", "reducemean",
    "reducemean-keep", "reducemean-c", "gemm-transposed", "avgpool-dilation",
    "avgpool-samepad", "pad-negative", "slice-channel", "dynamic-hw"]


class Graph:
    def __init__(self):
        self.nodes, self.inits = [], []

    def const(self, name, value):
        out = name + "_output_0"
        self.nodes.append(helper.make_node(
            "Constant", [], [out], name=name,
            value=numpy_helper.from_array(np.array(value, np.int64)
                                          if not isinstance(value, np.ndarray)
                                          else value)))
        return out

    def node(self, op, inputs, name, **attrs):
        out = name + "_output_0"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def init(self, name, value):
        self.inits.append(numpy_helper.from_array(value, name))
        return name


def build_residual(kind):
    g = Graph()
    channels = {"gray100": 1, "rgba100": 4}.get(kind, 3)
    classes = 100 if kind in ("gray100", "rgba100") else CLASSES
    stem_w, stem_b = rand(4, channels, 3, 3), rand(4, scale=0.1)
    x = g.node("Conv", ["input", g.init("conv1.weight", stem_w),
                        g.init("conv1.bias", stem_b)],
               "/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
               strides=[1, 1])
    a = g.node("Relu", [x], "/Relu")
    if kind == "concat":
        a = g.node("Concat", [a, a], "/Concat", axis=1)
    block = kind not in ("dynamic-hw", "avgpool-dilation", "avgpool-samepad",
                         "gemm-transposed", "reducemean", "reducemean-keep", "reducemean-c",
                         "view", "view-3d", "concat", "gap", "gray100", "rgba100", "metadata",
                         "metadata-count", "avgpool", "avgpool-incl",
                         "ceil-mode")
    main_w, main_b = rand(8, 4, 3, 3), rand(8, scale=0.1)
    proj_w = rand(8, 4, 1, 1)
    proj_bn = [rand(8, scale=0.2) + 1, rand(8, scale=0.1), rand(8, scale=0.1),
               np.abs(rand(8, scale=0.3)) + 0.5]
    lo, hi = 1, 3
    features = 8 if block else 4
    pool = "gap"
    if kind in ("avgpool", "avgpool-incl", "ceil-mode", "avgpool-dilation",
                "avgpool-samepad"):
        pool = "avg"
        features = 4 * 16 * 16
    fc_w, fc_b = rand(classes, features, scale=0.2), rand(classes, scale=0.1)

    if block:
        s = "/layer1/layer1.0"
        m = g.node("Conv", [a, g.init("layer1.0.conv1.weight", main_w),
                            g.init("layer1.0.conv1.bias", main_b)],
                   s + "/conv1/Conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                   strides=[2, 2])
        if kind == "projection":
            sc = g.node("Conv", [a, g.init("layer1.0.shortcut.0.weight", proj_w)],
                        s + "/shortcut/shortcut.0/Conv", kernel_shape=[1, 1],
                        pads=[0, 0, 0, 0], strides=[2, 2])
            names = [g.init("layer1.0.shortcut.1." + n, v) for n, v in
                     zip(["weight", "bias", "running_mean", "running_var"], proj_bn)]
            sc = g.node("BatchNormalization", [sc] + names,
                        s + "/shortcut/shortcut.1/BatchNormalization",
                        epsilon=1e-5, momentum=0.9)
        else:
            start = 1 if kind == "slice-start" else 0
            sc = g.node("Slice", [a, g.const(s + "/Constant_1", [start]),
                                  g.const(s + "/Constant_2", [INT64_MAX]),
                                  g.const(s + "/Constant",
                                          [1 if kind == "slice-channel" else 2]),
                                  g.const(s + "/Constant_3", [2])], s + "/Slice")
            sc = g.node("Slice", [sc, g.const(s + "/Constant_5", [0]),
                                  g.const(s + "/Constant_6", [INT64_MAX]),
                                  g.const(s + "/Constant_4", [3]),
                                  g.const(s + "/Constant_7", [2])], s + "/Slice_1")
            # F.pad's amounts, as PyTorch 1.13 computes them.
            torch_pads = {"pad-hw": [0, 0, 1, 1, lo, hi],
                          "pad-negative": [0, 0, 0, 0, -1, hi]}.get(
                              kind, [0, 0, 0, 0, lo, hi])
            zeros = g.node("ConstantOfShape", [g.const(s + "/Constant_8", [2])],
                           s + "/ConstantOfShape",
                           value=numpy_helper.from_array(np.array([0], np.int64)))
            cat = g.node("Concat", [g.const(s + "/Constant_9", torch_pads), zeros],
                         s + "/Concat", axis=0)
            r = g.node("Reshape", [cat, g.const(s + "/Constant_10", [-1, 2])],
                       s + "/Reshape")
            r = g.node("Slice", [r, g.const(s + "/Constant_12", [-1]),
                                 g.const(s + "/Constant_13", [-INT64_MAX]),
                                 g.const(s + "/Constant_11", [0]),
                                 g.const(s + "/Constant_14", [-1])], s + "/Slice_2")
            r = g.node("Transpose", [r], s + "/Transpose", perm=[1, 0])
            r = g.node("Reshape", [r, g.const(s + "/Constant_15", [-1])],
                       s + "/Reshape_1")
            pads = g.node("Cast", [r], s + "/Cast", to=TensorProto.INT64)
            value = ""
            if kind == "pad-value":
                value = g.const(s + "/Constant_16", np.array(1.5, np.float32))
            mode = "reflect" if kind == "pad-reflect" else "constant"
            if kind in ("shortcut-transpose", "transpose-alone"):
                sc = g.node("Transpose", [sc], s + "/Transpose_1", perm=[0, 2, 3, 1])
                nhwc = g.const(s + "/Constant_17", [0, 0, 0, lo, 0, 0, 0, hi])
                sc = g.node("Pad", [sc, nhwc, ""], s + "/Pad", mode="constant")
                if kind == "shortcut-transpose":
                    sc = g.node("Transpose", [sc], s + "/Transpose_2", perm=[0, 3, 1, 2])
            else:
                sc = g.node("Pad", [sc, pads, value], s + "/Pad", mode=mode)
        y = g.node("Add", [m, sc], s + "/Add")
        a = g.node("Relu", [y], s + "/Relu")
    if kind.startswith("reducemean"):
        p = g.node("ReduceMean", [a], "/ReduceMean",
                   axes=[1, 2, 3] if kind == "reducemean-c" else [2, -1],
                   keepdims=1 if kind == "reducemean-keep" else 0)
    elif pool == "gap":
        p = g.node("GlobalAveragePool", [a], "/GlobalAveragePool")
    else:
        attrs = dict(kernel_shape=[3, 3], strides=[2, 2],
                     count_include_pad=1 if kind == "avgpool-incl" else 0,
                     ceil_mode=1 if kind == "ceil-mode" else 0)
        if kind == "avgpool-samepad":
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = [1, 1, 1, 1]
        if kind == "avgpool-dilation":
            attrs["dilations"] = [2, 2]
        p = g.node("AveragePool", [a], "/avgpool/AveragePool", **attrs)
    if kind in ("view", "view-3d"):
        shape = g.node("Shape", [p], "/Shape")
        batch = g.node("Gather", [shape, g.const("/Constant", np.array(0, np.int64))],
                       "/Gather", axis=0)
        batch = g.node("Unsqueeze", [batch, g.const("/Constant_1", [0])], "/Unsqueeze")
        rest = [2, -1] if kind == "view-3d" else [-1]
        target = g.node("Concat", [batch, g.const("/Constant_2", rest)], "/Concat",
                        axis=0)
        f = g.node("Reshape", [p, target], "/Reshape")
    elif kind in ("reducemean", "reducemean-c"):
        f = p
    else:
        f = g.node("Flatten", [p], "/Flatten", axis=1)
    if kind == "gemm-transposed":
        w = g.node("Transpose", [g.init("linear.weight", fc_w)], "/linear/Transpose",
                   perm=[1, 0])
        g.nodes.append(helper.make_node(
            "Gemm", [f, w, g.init("linear.bias", fc_b)], ["logits"],
            name="/linear/Gemm", alpha=1.0, beta=1.0, transB=0))
    else:
        g.nodes.append(helper.make_node(
            "Gemm", [f, g.init("linear.weight", fc_w), g.init("linear.bias", fc_b)],
            ["logits"], name="/linear/Gemm", alpha=1.0, beta=1.0, transB=1))

    graph = helper.make_graph(
        g.nodes, kind,
        [helper.make_tensor_value_info(
            "input", TensorProto.FLOAT,
            ["batch", channels] + (["h", "w"] if kind == "dynamic-hw" else [H, W]))],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                       ["batch", classes])],
        g.inits)
    model = helper.make_model(graph, producer_name="pytorch",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    mean, std = MEAN, STD
    if kind in ("metadata", "metadata-count"):
        mean = np.array([0.5, 0.25, 0.125], np.float32)
        std = np.array([0.5, 1.0, 2.0], np.float32)
        text = "0.5,0.25" if kind == "metadata-count" else "0.5,0.25,0.125"
        helper.set_model_props(model, {"vggq.input_mean": text,
                                       "vggq.input_std": "0.5,1,2"})
    if kind in ("gap", "avgpool", "shortcut-pad", "shortcut-transpose",
                "projection", "view", "reducemean", "reducemean-keep",
                "gemm-transposed"):
        onnx.checker.check_model(model)

    def reference(x):
        y = np.maximum(conv(x, stem_w, stem_b, 1), 0)
        if block:
            m = strided_conv(y, main_w, main_b, 1, 2)
            if kind == "projection":
                sc = strided_conv(y, proj_w, None, 0, 2)
                gm, bt, mu, var = [v[None, :, None, None] for v in proj_bn]
                sc = (sc - mu) / np.sqrt(var + 1e-5) * gm + bt
            else:
                sc = np.pad(y[:, :, ::2, ::2], ((0, 0), (lo, hi), (0, 0), (0, 0)))
            y = np.maximum(m + sc, 0)
        if pool == "gap":
            y = y.mean(axis=(2, 3))
        else:
            y = avgpool(y, 3, 2, 1, kind == "avgpool-incl").reshape(y.shape[0], -1)
        return (y @ fc_w.T.astype(np.float64) + fc_b).astype(np.float32)

    return model, reference, mean, std


def main(argv):
    kind, out = argv[1], argv[2]
    mean, std = MEAN, STD
    if kind in RESIDUAL_KINDS:
        model, reference, mean, std = build_residual(kind)
    else:
        model, reference = build(kind)
    onnx.save(model, out)
    if len(argv) == 5 and argv[3] == "--reference":
        pixels = RNG.integers(0, 256, (4, 3, H, W), dtype=np.uint8)
        records = np.concatenate(
            [np.zeros((4, 1), np.uint8), pixels.reshape(4, -1)], axis=1)
        records.tofile(argv[4] + ".bin")
        x = (pixels.astype(np.float32) / np.float32(255) - mean[None, :, None, None]) \
            / std[None, :, None, None]
        reference(x).tofile(argv[4] + ".expected.f32")


if __name__ == "__main__":
    main(sys.argv)
