"""A parallel layout the request asks for ("TP=2", "TP8xPP2"): only the cells that split a
model instance that way are candidates.

A request that names a tensor-parallel degree names the whole layout unless it also names
pipeline stages, so "TP=2" is two devices in one tensor-parallel group, one stage; "PP=2" on
its own fixes the stages and leaves the group to the planner. A layout no feasible cell has
is refused, naming the layout the planner would choose instead, never planned another way
silently.
"""

from __future__ import annotations

import numpy as np

from intent.schema import Workload
from planner.errors import InfeasibleError
from planner.perf.roofline import Grid
from planner.solve.explain import InfeasibilityReport


def asked_layout(workload: Workload) -> tuple[int | None, int | None]:
    """(tensor degree, pipeline stages) the request fixes; None for one it leaves open."""
    tensor, pipeline = workload.tensor_parallel, workload.pipeline_parallel
    if tensor is not None and pipeline is None:
        pipeline = 1
    return tensor, pipeline


def describe(tensor: int | None, pipeline: int | None) -> str:
    parts = ([f"TP{tensor}"] if tensor else []) + ([f"PP{pipeline}"] if pipeline and pipeline > 1 else [])
    return "x".join(parts) or "one device"


def degrees(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's tensor degree and pipeline stages: a served LLM grid's own layout, else one
    tensor-parallel group of the configuration's shards."""
    tensor = getattr(grid, "tensor", None)
    if tensor is None:
        shards = grid.configs.shards.astype(float)[:, None]
        return np.broadcast_to(shards, grid.latency_ms.shape), np.ones(grid.latency_ms.shape)
    return np.broadcast_to(tensor, grid.latency_ms.shape), np.broadcast_to(grid.pipeline, grid.latency_ms.shape)


def in_layout(grid: Grid, feasible: np.ndarray, workload: Workload) -> np.ndarray:
    """The feasible cells in the layout the request asks for (all of them when it asks none).
    When none is but others are, the request is refused with the layout the planner would
    choose (InfeasibleError)."""
    tensor, pipeline = asked_layout(workload)
    if tensor is None and pipeline is None:
        return feasible
    cell_tensor, cell_pipeline = degrees(grid)
    laid = np.ones(feasible.shape, dtype=bool)
    if tensor is not None:
        laid &= np.isclose(cell_tensor, tensor)
    if pipeline is not None:
        laid &= np.isclose(cell_pipeline, pipeline)
    within = feasible & laid
    if within.any() or not feasible.any():
        return within
    why = ("no candidate splits a model that way (only autoregressive models are split; tensor parallel within one "
           "scale-up group of the device, pipeline stages across whole groups, never over more devices than an "
           "inventory holds)" if not laid.any()
           else "none that does meets every bound")
    met = sorted({(int(t), int(p)) for t, p in zip(cell_tensor[feasible], cell_pipeline[feasible])})
    reason = (f"the layout asked for, {describe(tensor, pipeline)}: {why}; the layouts that meet every bound are "
              f"{', '.join(describe(t, p) for t, p in met)}")
    error = InfeasibleError(reason, InfeasibilityReport(reason=reason, candidates=int(feasible.sum())))
    error.hint = "leave the layout to the planner, or ask for one the devices allow"
    raise error
