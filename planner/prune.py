"""Drop candidate rows that another row beats on every metric the request cares about.

Two reductions run before the CP-SAT model is built; neither changes the answer:
1. ``satisfying_mask``: a row that breaks a bound can never be chosen. Replicas are fixed
   per row (see solver.py), so every bound, even on power or cost, is a test of one row.
   The model still states every bound. When no row survives, the caller hands the full set
   to CP-SAT with assumption literals to find the conflicting bounds.
2. ``pareto_mask``: among rows that meet every bound, one beaten on the objective, every
   tie-breaker and (when replicas matter) per-replica throughput can never be the optimum.
   Each dimension points the way its level optimises ("maximise latency" included).
"""

from __future__ import annotations

import numpy as np

from intent.schema import Constraint
from planner.perf import Grid
from planner.solver import REPLICATED

TIE_BREAKERS = ("cost", "latency", "power")


def relevant_dimensions(constraints: list[Constraint], objective: tuple[str, str]) -> list[tuple[str, bool]]:
    """(metric, lower is better) for the objective, each tie-breaker and, when replicas
    matter, per-replica throughput."""
    metric, sense = objective
    dims = [(metric, sense == "minimize")]
    dims += [(m, True) for m in TIE_BREAKERS if m != metric]
    if metric != "throughput" and any(c.metric.value == "throughput" for c in constraints):
        dims.append(("throughput", False))
    return dims


def replica_grid(grid: Grid, constraints: list[Constraint]) -> np.ndarray:
    """The fewest replicas per cell that reach every throughput floor (see solver.replicas_needed)."""
    need = np.ones_like(grid.latency_ms)
    for c in constraints:
        if c.metric.value == "throughput" and c.op == ">=" and c.value > 0:
            need = np.maximum(need, np.ceil(c.value / grid.throughput_rps - 1e-9))
    return need


def deployment_grid(grid: Grid, metric: str, replicas: np.ndarray, per_replica: bool = False) -> np.ndarray:
    values = grid.metric(metric)
    return values if per_replica or metric not in REPLICATED else values * replicas


def satisfying_mask(grid: Grid, constraints: list[Constraint], replicas: np.ndarray, max_replicas: int) -> np.ndarray:
    """Cells that fit, need at most ``max_replicas`` replicas and meet every bound."""
    mask = grid.fits & (replicas <= grid.replica_caps(max_replicas))
    for c in constraints:
        values = deployment_grid(grid, c.metric.value, replicas)
        slack = 1e-9 * max(1.0, abs(c.value))
        with np.errstate(invalid="ignore"):
            ok = values <= c.value + slack if c.op == "<=" else values >= c.value - slack
        mask &= ok & ~np.isnan(values)
    return mask


def explanation_mask(grid: Grid, constraints: list[Constraint]) -> np.ndarray:
    """Cells worth keeping to explain an infeasible request: those no other cell beats on
    every constrained metric (per replica, with per-replica throughput). A beaten cell meets
    no subset of the bounds its better meets not, and reaches no better value on any of
    them, so conflict sets and best reachable values are unchanged. A metric bounded both
    ways cannot be ordered; then nothing is pruned."""
    ops: dict[str, set[str]] = {}
    for c in constraints:
        ops.setdefault(c.metric.value, set()).add(c.op)
    if any(len(o) > 1 for o in ops.values()):
        return grid.fits.copy()
    dims = [(metric, "<=" in o) for metric, o in sorted(ops.items())]
    if "throughput" not in ops:
        dims.append(("throughput", False))
    return _pareto(grid, grid.fits, dims, np.ones_like(grid.latency_ms), per_replica_all=True)


PARETO_DIMENSIONS = [("latency", True), ("power", True), ("cost", True), ("accuracy", False)]


def front_mask(grid: Grid, mask: np.ndarray, objective: tuple[str, str], replicas: np.ndarray) -> np.ndarray:
    """The trade-off front: cells of ``mask`` that no other beats on the objective, latency,
    power, cost and accuracy together."""
    metric, sense = objective
    dims = [(metric, sense == "minimize")] + [d for d in PARETO_DIMENSIONS if d[0] != metric]
    return _pareto(grid, mask, dims, replicas)


def pareto_mask(grid: Grid, mask: np.ndarray, constraints: list[Constraint], objective: tuple[str, str],
                replicas: np.ndarray, per_device: bool = False) -> np.ndarray:
    """The cells of ``mask`` that no other cell of ``mask`` dominates; with ``per_device``,
    only cells of the same device compete, so every device keeps its best configurations
    (runner-ups on other devices need them)."""
    dims = relevant_dimensions(constraints, objective)
    if not per_device:
        return _pareto(grid, mask, dims, replicas)
    out = np.zeros_like(mask)
    devices = np.array([x.device.id for x in grid.configs])[:, None]
    for device in sorted(set(devices[:, 0])):
        out |= _pareto(grid, mask & (devices == device), dims, replicas)
    return out


def _pareto(grid: Grid, mask: np.ndarray, dims: list[tuple[str, bool]], replicas: np.ndarray,
            per_replica_all: bool = False) -> np.ndarray:
    cells = np.nonzero(mask)
    if len(cells[0]) < 2:
        return mask
    matrix = np.empty((len(cells[0]), len(dims)))
    for j, (metric, lower_is_better) in enumerate(dims):
        values = deployment_grid(grid, metric, replicas, per_replica=per_replica_all or metric == "throughput")[cells]
        matrix[:, j] = np.where(np.isnan(values), np.inf, values if lower_is_better else -values)
    keep = _non_dominated(matrix)
    out = np.zeros_like(mask)
    out[cells[0][keep], cells[1][keep]] = True
    return out


def _non_dominated(matrix: np.ndarray) -> np.ndarray:
    """Mask of rows not strictly dominated (all <=, some <) by another row."""
    order = np.lexsort(matrix.T[::-1])
    sorted_m = matrix[order]
    keep_sorted = np.ones(len(order), dtype=bool)
    for idx in range(len(order)):
        if not keep_sorted[idx]:
            continue
        rest = sorted_m[idx + 1:]
        dominated = np.all(sorted_m[idx] <= rest, axis=1) & np.any(sorted_m[idx] < rest, axis=1)
        keep_sorted[idx + 1:] &= ~dominated
    keep = np.empty(len(order), dtype=bool)
    keep[order] = keep_sorted
    return keep
