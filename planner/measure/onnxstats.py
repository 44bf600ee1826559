"""What an ONNX model file holds: parameters, FLOPs per sample and the precision it runs in.

FLOPs are counted as the catalog counts them (2 x multiply-adds) over the convolutions and
matrix products, from shapes ONNX shape inference gives with the batch set to 1; the
element-wise operations are left out, as published FLOP counts leave them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Operators that mark a quantised (int8) graph.
QUANTISED_OPS = {"QuantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger",
                 "ConvInteger"}


@dataclass(frozen=True)
class OnnxStats:
    params_m: float
    gflops: float  # per sample
    precision: str  # fp32, fp16, bf16 or int8


def stats(model) -> OnnxStats:
    """Parameters, FLOPs per sample and precision of an ``onnx.ModelProto``."""
    import onnx

    params = sum(math.prod(t.dims) for t in model.graph.initializer)
    inferred = onnx.shape_inference.infer_shapes(_batch_one(model))
    shapes = {v.name: _dims(v) for v in list(inferred.graph.value_info) + list(inferred.graph.input)
              + list(inferred.graph.output)}
    shapes.update({t.name: list(t.dims) for t in model.graph.initializer})
    flops = sum(_node_flops(node, shapes) for node in inferred.graph.node)
    return OnnxStats(params_m=params / 1e6, gflops=flops / 1e9, precision=precision_of(model))


def precision_of(model) -> str:
    """The precision the graph computes in: int8 when it holds quantised operators, else the
    floating type of most of its weights."""
    import onnx

    if any(node.op_type in QUANTISED_OPS for node in model.graph.node):
        return "int8"
    by_type: dict[int, int] = {}
    for t in model.graph.initializer:
        by_type[t.data_type] = by_type.get(t.data_type, 0) + math.prod(t.dims)
    names = {onnx.TensorProto.FLOAT16: "fp16", onnx.TensorProto.BFLOAT16: "bf16", onnx.TensorProto.FLOAT: "fp32"}
    floating = {names[k]: v for k, v in by_type.items() if k in names}
    return max(floating, key=floating.get) if floating else "fp32"


def _batch_one(model):
    """A copy whose inputs have a batch of 1 where their first dimension is free."""
    copy = type(model)()
    copy.CopyFrom(model)
    for value in copy.graph.input:
        dims = value.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1
    return copy


def _dims(value) -> list[int] | None:
    shape = value.type.tensor_type.shape
    if not value.type.tensor_type.HasField("shape"):
        return None
    dims = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]
    return None if any(d is None for d in dims) else dims


def _node_flops(node, shapes: dict) -> float:
    out = shapes.get(node.output[0]) if node.output else None
    if out is None:
        return 0.0
    if node.op_type == "Conv":
        weight = shapes.get(node.input[1])
        return 2.0 * math.prod(out) * math.prod(weight[1:]) if weight else 0.0
    if node.op_type in ("MatMul", "Gemm"):
        a = shapes.get(node.input[0])
        if not a:
            return 0.0
        transposed = any(attr.name == "transA" and attr.i for attr in node.attribute)
        inner = a[-2] if transposed and len(a) >= 2 else a[-1]
        return 2.0 * math.prod(out) * inner
    return 0.0
