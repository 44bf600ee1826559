"""Small ONNX models built with onnx.helper, so that profiling is tested with nothing downloaded.

Each has a free batch dimension and fixed others, random weights (seeded) and a known FLOP
count (2 x multiply-adds of its convolutions and matrix products):
- ``convnet``: three 3x3 convolutions on a 3x64x64 image, global pooling and a classifier;
- ``mlp``: a 512-2048-2048-512 perceptron;
- ``attention``: one transformer block (4-head self-attention and a 4x MLP) over 64 tokens of width 256.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np

TOKENS, WIDTH, HEADS = 64, 256, 4


def _weight(name: str, shape, rng) -> object:
    from onnx import numpy_helper

    scale = 1 / np.sqrt(np.prod(shape[1:]) if len(shape) > 1 else shape[0])
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def _save(graph, path: Path) -> Path:
    from onnx import checker, helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def convnet(path: Path) -> Path:
    from onnx import TensorProto, helper

    rng = np.random.default_rng(1)
    inits = [_weight("w1", (32, 3, 3, 3), rng), _weight("w2", (64, 32, 3, 3), rng), _weight("w3", (64, 64, 3, 3), rng),
             _weight("fc", (64, 10), rng)]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("Conv", ["r2", "w3"], ["c3"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c3"], ["r3"]),
        helper.make_node("GlobalAveragePool", ["r3"], ["p"]),
        helper.make_node("Flatten", ["p"], ["f"]),
        helper.make_node("MatMul", ["f", "fc"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "convnet", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 64, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], inits)
    return _save(graph, path)


#: 2 x multiply-adds: the three convolutions (64x64, 32x32 and 32x32 outputs) and the classifier.
CONVNET_GFLOPS = 2 * (64 * 64 * 32 * 27 + 32 * 32 * 64 * 288 + 32 * 32 * 64 * 576 + 64 * 10) / 1e9
CONVNET_PARAMS_M = (32 * 27 + 64 * 288 + 64 * 576 + 640) / 1e6


def mlp(path: Path) -> Path:
    from onnx import TensorProto, helper

    rng = np.random.default_rng(2)
    sizes = [512, 2048, 2048, 512]
    inits, nodes, x = [], [], "x"
    for i, (a, b) in enumerate(pairwise(sizes)):
        inits.append(_weight(f"w{i}", (a, b), rng))
        nodes.append(helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"]))
        x = f"m{i}"
        if i < len(sizes) - 2:
            nodes.append(helper.make_node("Relu", [x], [f"r{i}"]))
            x = f"r{i}"
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 512])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 512])], inits)
    return _save(graph, path)


MLP_PARAMS_M = (512 * 2048 + 2048 * 2048 + 2048 * 512) / 1e6
MLP_GFLOPS = 2 * MLP_PARAMS_M * 1e6 / 1e9


def attention(path: Path) -> Path:
    from onnx import TensorProto, helper

    rng = np.random.default_rng(3)
    head = WIDTH // HEADS
    inits = [_weight("wq", (WIDTH, WIDTH), rng), _weight("wk", (WIDTH, WIDTH), rng),
             _weight("wv", (WIDTH, WIDTH), rng), _weight("wo", (WIDTH, WIDTH), rng),
             _weight("w1", (WIDTH, 4 * WIDTH), rng), _weight("w2", (4 * WIDTH, WIDTH), rng),
             helper.make_tensor("split_shape", TensorProto.INT64, [4], [0, TOKENS, HEADS, head]),
             helper.make_tensor("merge_shape", TensorProto.INT64, [3], [0, TOKENS, WIDTH]),
             helper.make_tensor("scale", TensorProto.FLOAT, [], [1 / np.sqrt(head)])]
    nodes = []
    for name in ("q", "k", "v"):
        nodes += [helper.make_node("MatMul", ["x", f"w{name}"], [f"{name}0"]),
                  helper.make_node("Reshape", [f"{name}0", "split_shape"], [f"{name}1"]),
                  helper.make_node("Transpose", [f"{name}1"], [f"{name}h"],
                                   perm=[0, 2, 3, 1] if name == "k" else [0, 2, 1, 3])]
    nodes += [
        helper.make_node("MatMul", ["qh", "kh"], ["s0"]),
        helper.make_node("Mul", ["s0", "scale"], ["s1"]),
        helper.make_node("Softmax", ["s1"], ["a"], axis=-1),
        helper.make_node("MatMul", ["a", "vh"], ["o0"]),
        helper.make_node("Transpose", ["o0"], ["o1"], perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["o1", "merge_shape"], ["o2"]),
        helper.make_node("MatMul", ["o2", "wo"], ["o3"]),
        helper.make_node("Add", ["x", "o3"], ["h"]),
        helper.make_node("MatMul", ["h", "w1"], ["f0"]),
        helper.make_node("Relu", ["f0"], ["f1"]),
        helper.make_node("MatMul", ["f1", "w2"], ["f2"]),
        helper.make_node("Add", ["h", "f2"], ["y"]),
    ]
    shape = ["N", TOKENS, WIDTH]
    graph = helper.make_graph(nodes, "attention", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)], inits)
    return _save(graph, path)


ATTENTION_PARAMS_M = (4 * WIDTH * WIDTH + 2 * 4 * WIDTH * WIDTH) / 1e6
ATTENTION_GFLOPS = 2 * (TOKENS * ATTENTION_PARAMS_M * 1e6 + 2 * TOKENS * TOKENS * WIDTH) / 1e9

BUILDERS = {"convnet": convnet, "mlp": mlp, "attention": attention}
#: The catalog entries the models stand for in a test catalog: (params M, GFLOPs, structure, task).
ENTRIES = {"convnet": (CONVNET_PARAMS_M, CONVNET_GFLOPS, "dense-conv", "image-classification"),
           "mlp": (MLP_PARAMS_M, MLP_GFLOPS, "dense-conv", "text-classification"),
           "attention": (ATTENTION_PARAMS_M, ATTENTION_GFLOPS, "transformer", "text-classification")}


def catalog_yaml(cpu_id: str, cpu_name: str, cores: int, fp32_tflops: float, bandwidth_gbs: float,
                 tdp_w: float | None = None) -> tuple[str, str]:
    """devices.yaml and models.yaml texts of a catalog with one CPU and the three models (ids
    ``tiny-<name>``), every figure marked as what it is."""
    import yaml

    device = {"id": cpu_id, "vendor": "intel", "vendor_name": "Intel", "name": cpu_name, "device_class": "cpu",
              "form_factor": "datacenter", "aliases": [cpu_name.lower()],
              "peak": {"fp32": {"value": fp32_tflops, "basis": "derived",
                                "formula": f"{cores} cores x clock x 64 FP32 FLOP/cycle (AVX-512 FMA)"}},
              "memory_gb": {"value": 16, "basis": "estimated", "formula": "a test machine's memory"},
              "memory_bandwidth_gbs": {"value": bandwidth_gbs, "basis": "estimated",
                                       "formula": "a share of a server socket's DDR bandwidth"},
              "cores": {"value": cores, "basis": "derived", "formula": "logical CPUs of the machine"},
              "placements": ["on-prem"], "source": "test catalog (tests/onnx_models.py)"}
    if tdp_w is not None:
        device["tdp_w"] = {"value": tdp_w, "basis": "estimated", "formula": "a share of a socket's TDP"}
    models = [{"id": f"tiny-{name}", "task": task, "family": "tiny", "kind": "single-pass",
               "params_m": {"value": round(params, 6), "basis": "derived", "formula": "counted from the ONNX graph"},
               "gflops": {"value": round(gflops, 6), "basis": "derived",
                          "formula": "2 x multiply-adds of its convolutions and matrix products"},
               "structure": structure, "source": "tests/onnx_models.py"}
              for name, (params, gflops, structure, task) in ENTRIES.items()]
    return (yaml.safe_dump({"schema_version": 1, "devices": [device]}, sort_keys=False),
            yaml.safe_dump({"schema_version": 1, "models": models}, sort_keys=False))
