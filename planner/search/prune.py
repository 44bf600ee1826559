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
from planner.perf.roofline import Grid
from planner.solve.chooser import DEFAULT_TIE_BREAKERS, RATES, REPLICATED, metric_of

TIE_BREAKERS = tuple(DEFAULT_TIE_BREAKERS)


def relevant_dimensions(constraints: list[Constraint], objective: tuple[str, str]) -> list[tuple[str, bool]]:
    """(metric, lower is better) for the objective, each tie-breaker and, when replicas
    matter, per-replica throughput."""
    metric, sense = objective
    dims = [(metric, sense == "minimize")]
    dims += [(m, s == "minimize") for m, s in TIE_BREAKERS if m != metric]
    for rate in RATES:
        if metric != rate and any(c.metric.value == rate for c in constraints):
            dims.append((rate, False))
    return dims


def replica_grid(grid: Grid, constraints: list[Constraint], concurrency: int | None = None,
                 least: int = 1, spare: int = 0) -> np.ndarray:
    """The fewest replicas per cell that reach every rate floor and hold the concurrency, plus
    ``spare``, at least ``least`` (see chooser.replicas_needed)."""
    need = np.ones_like(grid.latency_ms)
    for c in constraints:
        if c.metric.value in RATES and c.op == ">=" and c.value > 0:
            with np.errstate(divide="ignore", invalid="ignore"):
                need = np.maximum(need, np.nan_to_num(np.ceil(c.value / grid.metric(c.metric.value) - 1e-9),
                                                      nan=np.inf, posinf=np.inf))
    if concurrency:
        held = getattr(grid, "held", np.array(grid.batch_sizes, dtype=float)[None, :])
        need = np.maximum(need, np.ceil(concurrency / held))
    return np.maximum(least, need + spare)


def deployment_grid(grid: Grid, metric: str, replicas: np.ndarray, per_replica: bool = False,
                    cells: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """A metric for the whole deployment (per replica with ``per_replica``), on every cell
    or, given ``cells`` (row and column indices), on those only."""
    values = grid.metric(metric)
    if cells is not None:
        values, replicas = values[cells], replicas[cells]
    return values if per_replica or metric not in REPLICATED else values * replicas


def satisfying_mask(grid: Grid, constraints: list[Constraint], replicas: np.ndarray, max_replicas: int) -> np.ndarray:
    """Cells that fit, need at most ``max_replicas`` replicas and meet every bound."""
    mask = grid.fits & (replicas <= grid.replica_caps(max_replicas))
    for c in constraints:
        values = deployment_grid(grid, metric_of(c), replicas)
        slack = 1e-9 * max(1.0, abs(c.value))
        with np.errstate(invalid="ignore"):
            ok = values <= c.value + slack if c.op == "<=" else values >= c.value - slack
        mask &= ok & ~np.isnan(values)
    return mask


def explanation_mask(grid: Grid, constraints: list[Constraint], replicas: np.ndarray | None = None,
                     settings=None) -> np.ndarray:
    """Cells worth keeping to explain an infeasible request: those no other cell beats on
    every constrained metric (per replica, with per-replica throughput). A beaten cell meets
    no subset of the bounds its better meets not, and reaches no better value on any of
    them, so conflict sets and best reachable values are unchanged. A metric bounded both
    ways cannot be ordered; then nothing is pruned. Nor are cells whose stated concurrency alone
    needs more replicas than they may have (``replicas``, over the inventory's count or the
    limit in ``settings``): a cell that beats another per replica but cannot be deployed
    explains nothing, so they are left out first (else "4 L40S, 16 concurrent users" was
    explained by batch-1 replicas the inventory cannot hold)."""
    if replicas is not None and settings is not None:
        deployable = grid.fits & (replicas <= grid.replica_caps(settings.max_replicas))
        if deployable.any():
            return _explanation_front(grid, deployable, constraints)
    return _explanation_front(grid, grid.fits, constraints)


def _explanation_front(grid: Grid, cells: np.ndarray, constraints: list[Constraint]) -> np.ndarray:
    ops: dict[str, set[str]] = {}
    for c in constraints:
        ops.setdefault(metric_of(c), set()).add(c.op)
    if any(len(o) > 1 for o in ops.values()):
        return cells.copy()
    dims = [(metric, "<=" in o) for metric, o in sorted(ops.items())]
    if "throughput" not in ops:
        dims.append(("throughput", False))
    return _pareto(grid, cells, dims, np.ones_like(grid.latency_ms), per_replica_all=True)


PARETO_DIMENSIONS = [("latency", True), ("power", True), ("cost", True), ("accuracy", False)]


def front_mask(grid: Grid, mask: np.ndarray, objective: tuple[str, str], replicas: np.ndarray) -> np.ndarray:
    """The trade-off front: cells of ``mask`` that no other beats on the objective, latency,
    power, cost and accuracy together."""
    metric, sense = objective
    dims = [(metric, sense == "minimize")] + [d for d in PARETO_DIMENSIONS if d[0] != metric]
    return _pareto(grid, mask, dims, replicas)


def pareto_mask(grid: Grid, mask: np.ndarray, constraints: list[Constraint], objective: tuple[str, str],
                replicas: np.ndarray, per_device: bool = False, rates_per_replica: bool = True,
                tolerance: float = 0.0) -> np.ndarray:
    """The cells of ``mask`` that no other cell of ``mask`` dominates; with ``per_device``,
    only cells of the same device compete, so every device keeps its best configurations
    (runner-ups on other devices need them). Rates count per replica unless
    ``rates_per_replica`` is false (an inventory filled with replicas: the deployment's rate).

    The model's accuracy is a dimension only among the cells within ``tolerance`` of the best
    objective, the cells the chooser's accuracy level decides among: on every cell it kept every
    model that trades accuracy against latency (378 rows instead of 72 for "lowest power, classify
    images in 10ms"). The plan is exact; a runner-up on another device is its best on the other
    levels, and on the model's accuracy where its objective ties exactly with another cell's."""
    dims = relevant_dimensions(constraints, objective)
    own = [d for d in dims if d[0] != "model_accuracy"]
    groups = grid.configs.device if per_device else None
    front = _pareto(grid, mask, own, replicas, groups=groups, rates_per_replica=rates_per_replica)
    if len(own) == len(dims) or not mask.any():
        return front
    band = mask & _within(grid, mask, objective, replicas, rates_per_replica, tolerance)
    return front | _pareto(grid, band, dims, replicas, groups=groups, rates_per_replica=rates_per_replica)


def _within(grid: Grid, mask: np.ndarray, objective: tuple[str, str], replicas: np.ndarray, rates_per_replica: bool,
            tolerance: float) -> np.ndarray:
    """The cells whose objective is within ``tolerance`` of the best of ``mask`` (with a little
    slack, so that the chooser's rounding to integers never leaves out a cell it ties)."""
    metric, sense = objective
    values = deployment_grid(grid, metric, replicas, rates_per_replica and metric in RATES)
    values = np.where(np.isnan(values), np.inf, values if sense == "minimize" else -values)
    best = values[mask].min()
    if not np.isfinite(best):
        return mask
    return values <= best + (tolerance + 1e-6) * abs(best) + 1e-6


def _pareto(grid: Grid, mask: np.ndarray, dims: list[tuple[str, bool]], replicas: np.ndarray,
            per_replica_all: bool = False, groups: np.ndarray | None = None,
            rates_per_replica: bool = True) -> np.ndarray:
    """The cells of ``mask`` no other cell dominates; with ``groups`` (a label per
    configuration), only cells with the same label compete."""
    cells = np.nonzero(mask)
    if len(cells[0]) < 2:
        return mask
    columns = []
    for metric, lower_is_better in dims:
        values = deployment_grid(grid, metric, replicas, per_replica_all or (rates_per_replica and metric in RATES),
                                 cells)
        columns.append(np.where(np.isnan(values), np.inf, values if lower_is_better else -values))
    if groups is None:
        keep = _non_dominated(columns)
    else:
        keep = _non_dominated_by_label(columns, groups[cells[0]])
    out = np.zeros_like(mask)
    out[cells[0][keep], cells[1][keep]] = True
    return out


#: Rows settled at a time by ``_non_dominated``: each pass compares a block of rows with one another
#: and with the rest, so a front of hundreds of rows takes a few passes, not hundreds.
PARETO_BLOCK = 64


def _non_dominated(columns: list[np.ndarray]) -> np.ndarray:
    """Which rows (one value per column) no other row strictly dominates (all <=, some <).

    A row's dominators all have a smaller sum of (finite) values, so rows are settled in order
    of sum (then index): a row is kept unless an earlier row dominates it. An earlier row
    that was dropped is dominated by a kept one, which then dominates the row too, so each
    pass takes the next block of rows, keeps those no earlier row of the block dominates, and
    drops every later row a kept one dominates (vectorised over the block x the remainder)."""
    sums = sum(_finite(column) for column in columns)
    index = np.argsort(sums, kind="stable")
    columns = [column[index] for column in columns]
    keep = np.zeros(len(sums), dtype=bool)
    while len(index):
        head = [column[:PARETO_BLOCK] for column in columns]
        earlier = np.triu(np.ones((len(head[0]), len(head[0])), dtype=bool), k=1)  # [q, r]: q comes before r
        kept = ~(_dominates(head, head) & earlier).any(axis=0)
        keep[index[:PARETO_BLOCK][kept]] = True
        rest = [column[PARETO_BLOCK:] for column in columns]
        stay = ~_dominates([column[kept] for column in head], rest).any(axis=0)
        columns, index = [column[stay] for column in rest], index[PARETO_BLOCK:][stay]
    return keep


def _dominates(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """[i, j]: row i of ``a`` strictly dominates row j of ``b`` (columns of values, lower is
    better; compared a column at a time, as numpy reduces a short axis slowly)."""
    no_worse = np.ones((len(a[0]), len(b[0])), dtype=bool)
    better = np.zeros_like(no_worse)
    for x, y in zip(a, b):
        no_worse &= x[:, None] <= y[None, :]
        better |= x[:, None] < y[None, :]
    return no_worse & better


def _non_dominated_by_label(columns: list[np.ndarray], labels: np.ndarray) -> np.ndarray:
    """``_non_dominated`` within each label at once: rows sorted by label and sum, each pass
    keeps the first row of every label and drops what it dominates within its label."""
    sums = sum(_finite(column) for column in columns)
    order = np.argsort(sums)  # rows of equal sum never dominate each other: their order does not matter
    index = order[np.argsort(labels[order], kind="stable")]
    columns, owner = [column[index] for column in columns], labels[index]
    keep = np.zeros(len(sums), dtype=bool)
    while len(index):
        first = np.r_[True, owner[1:] != owner[:-1]]
        keep[index[first]] = True
        head = np.maximum.accumulate(np.where(first, np.arange(len(index)), 0))  # each row's first of its label
        stay = ~(_dominated_by([column[head] for column in columns], columns) | first)
        columns, index, owner = [column[stay] for column in columns], index[stay], owner[stay]
    return keep


def _dominated_by(head: list, columns: list[np.ndarray]) -> np.ndarray:
    """Rows of ``columns`` that ``head`` (values, or one row per row) strictly dominates."""
    no_worse = np.ones(len(columns[0]), dtype=bool)
    better = np.zeros(len(columns[0]), dtype=bool)
    for h, column in zip(head, columns):
        no_worse &= h <= column
        better |= h < column
    return no_worse & better


def _finite(column: np.ndarray) -> np.ndarray:
    """``column`` with +inf (an unknown figure) replaced by a value above its finite ones,
    so sums keep the order of dominance."""
    known = np.isfinite(column)
    if known.all():
        return column
    top = float(column[known].max()) if known.any() else 0.0
    return np.where(known, column, top + 1.0 + abs(top))
