"""Drop candidate rows that another row beats on every metric the request cares about.

Two reductions run before the CP-SAT model is built; neither changes the answer:
1. ``satisfying_rows``: a row that breaks a bound can never be chosen. Replicas are fixed
   per row (see solver.py), so every bound, even on power or cost, is a test of one row.
   The model still states every bound. When no row survives, the caller hands the full set
   to CP-SAT with assumption literals to find the conflicting bounds.
2. ``pareto_rows``: among rows that meet every bound, one beaten on the objective, every
   tie-breaker and (when replicas matter) per-replica throughput can never be the optimum.
   Each dimension points the way its level optimises ("maximise latency" included).
"""

from __future__ import annotations

import numpy as np

from intent.schema import Constraint
from planner.perf import Prediction
from planner.solver import deployment_figure, replicas_needed

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


def satisfying_rows(rows: list[Prediction], constraints: list[Constraint], max_replicas: int) -> list[Prediction]:
    """The rows that meet every bound with the replicas they need."""
    out = []
    for row in rows:
        r = replicas_needed(row, constraints, max_replicas)
        if r > max_replicas:
            continue
        if all(_meets(row, c, r) for c in constraints):
            out.append(row)
    return out


def _meets(row: Prediction, c: Constraint, replicas: int) -> bool:
    v = deployment_figure(row, c.metric.value, replicas)
    if v is None:
        return False
    slack = 1e-9 * max(1.0, abs(c.value))
    return v <= c.value + slack if c.op == "<=" else v >= c.value - slack


def pareto_rows(rows: list[Prediction], constraints: list[Constraint], objective: tuple[str, str],
                max_replicas: int) -> list[Prediction]:
    """The rows no other row dominates, in their original order."""
    if len(rows) < 2:
        return rows
    dims = relevant_dimensions(constraints, objective)
    replicas = [replicas_needed(r, constraints, max_replicas) for r in rows]
    matrix = np.empty((len(rows), len(dims)))
    for j, (metric, lower_is_better) in enumerate(dims):
        sign = 1.0 if lower_is_better else -1.0
        per_replica = metric == "throughput"
        column = [deployment_figure(row, metric, 1 if per_replica else r) for row, r in zip(rows, replicas)]
        matrix[:, j] = [np.inf if v is None else sign * v for v in column]
    keep = _non_dominated(matrix)
    return [row for row, k in zip(rows, keep) if k]


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
