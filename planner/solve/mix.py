"""Several device types for one service (as Mélange does): when the objective is cost and the
inventory holds more than one kind of device, pools of different devices may serve one model
together, their rates adding up.

Formulation
-----------
Sets
    I        per device of the inventory, its few cheapest configurations per unit of the
             request's rate (``PER_DEVICE``) among those meeting every bound that holds per
             request (TTFT, TPOT, latency, accuracy, memory per device); one model throughout.
Variables
    n[i] in {0..cap[i]}   replicas of configuration i (cap: the inventory's count / its devices).
Constraints
    sum_{i on device d} n[i] devices[i] <= count[d]      the inventory holds them
    sum_i n[i] rate[i] >= floor                           each rate floor (requests/s, tokens/s)
    sum_i n[i] sequences[i] >= concurrency                the concurrency is held
    sum_i n[i] v[i] <= bound                              deployment-wide power, cost, memory bounds
Objective
    minimise sum_i n[i] cost[i] (then fewer devices), as integers (``to_int``).
A mix is kept only when it uses two or more devices and costs less than the best single-device
plan (or when no single device can serve the request alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intent.schema import Constraint, Intent
from planner.perf.roofline import Estimate
from planner.search.prune import deployment_grid
from planner.solve.chooser import (
    RATES,
    REPLICATED,
    SolverSettings,
    devices_per_replica,
    metric_of,
    new_solver,
    sequences_per_replica,
    to_int,
    value,
)
from planner.solve.cpsat import cp_model

#: Configurations kept per device: the cheapest per unit of rate, so the model stays a few dozen integers.
PER_DEVICE = 3
#: Objectives a mix can improve: the cost of the whole service.
COST_OBJECTIVES = ("cost", "token_cost")


@dataclass(frozen=True)
class Mix:
    """Pools of different devices serving one model: each pool's row and replicas."""

    rows: tuple[Estimate, ...]
    replicas: tuple[int, ...]

    @property
    def cost(self) -> float:
        return sum(value(r, "cost") * n for r, n in zip(self.rows, self.replicas))

    def value(self, metric: str, op: str = "<=") -> float | None:
        """The service's figure: summed over pools for what adds up, else the worst pool's."""
        if metric == "token_cost":  # the service's cost over its tokens
            cost, tokens = self.value("cost"), self.value("token_throughput")
            return None if cost is None or not tokens else cost / (tokens * 3600) * 1e6
        figures = [value(r, metric) for r in self.rows]
        if any(f is None for f in figures):
            return None
        if metric in REPLICATED:
            return sum(f * n for f, n in zip(figures, self.replicas))
        return max(figures) if op == "<=" else min(figures)


def _spare_share(model, n: list, each: list[int], spare: int):
    """What ``spare`` replicas down can take from a floor served by the pools together: that many
    times the largest share of one replica of a pool in use (0 without spares)."""
    if not spare:
        return 0
    largest = model.new_int_var(0, max(each, default=0), "largest_replica")
    for x, share in zip(n, each):
        model.add(largest >= share).only_enforce_if(_used(model, x))
    return spare * largest


def _used(model, x):
    """A literal true when the pool's count ``x`` is at least one."""
    used = model.new_bool_var(f"used_{x.name}")
    model.add(x >= 1).only_enforce_if(used)
    model.add(x == 0).only_enforce_if(~used)
    return used


def wants_mix(intent: Intent, inventory, objective: tuple[str, str]) -> bool:
    """A cost objective, an inventory of two or more kinds of device, and a rate or concurrency to serve."""
    if inventory is None or objective[0] not in COST_OBJECTIVES or objective[1] != "minimize":
        return False
    kinds = {item.holding for item in inventory.devices}
    rate = any(c.metric.value in RATES and c.op == ">=" for c in intent.constraints)
    return len(kinds) > 1 and (rate or bool(intent.workload.concurrency))


def mix_cells(grid, constraints: list[Constraint], concurrency: int | None) -> np.ndarray:
    """Per device, its ``PER_DEVICE`` cells meeting every per-request bound that cost least per
    unit of the request's rate (its sequences held when it states a concurrency)."""
    mask = grid.fits.copy()
    for c in constraints:
        if metric_of(c) in REPLICATED:
            continue
        values = deployment_grid(grid, metric_of(c), np.ones_like(grid.latency_ms), per_replica=True)
        with np.errstate(invalid="ignore"):
            mask &= (values <= c.value if c.op == "<=" else values >= c.value) & ~np.isnan(values)
    floors = [c for c in constraints if c.metric.value in RATES and c.op == ">="]
    rate = grid.metric(floors[0].metric.value) if floors else getattr(grid, "held", None)
    if rate is None:
        rate = np.broadcast_to(np.array(grid.batch_sizes, dtype=float)[None, :], grid.latency_ms.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.where(mask, grid.metric("cost") / rate, np.inf)
    out = np.zeros_like(mask)
    devices = grid.configs.device
    for d in np.unique(devices):
        rows = np.nonzero(devices == d)[0]
        flat = per_unit[rows].ravel()
        width = per_unit.shape[1]
        for index in np.argsort(flat, kind="stable")[:PER_DEVICE]:
            if np.isfinite(flat[index]):
                out[rows[index // width], index % width] = True
    return out


def best_mix(rows: list[Estimate], intent: Intent, inventory, settings: SolverSettings) -> Mix | None:
    """The cheapest mix of pools that serves the request (see the module's docstring), or None."""
    rows = [r for r in rows if value(r, "cost") is not None]
    if len({r.device_id for r in rows}) < 2:
        return None
    cp = cp_model()
    model = cp.CpModel()
    count = {item.id: item.count for item in inventory.devices}
    holding = {item.id: item.holding for item in inventory.devices}
    devices = [devices_per_replica(r) for r in rows]
    n = [model.new_int_var(0, count.get(r.device_id, 0) // d, f"n{i}") for i, (r, d) in enumerate(zip(rows, devices))]
    # The inventory holds every pool's devices (a family's variants hold one count between them).
    for held in sorted({holding.get(r.device_id, r.device_id) for r in rows}):
        pools = [(x, d) for x, r, d in zip(n, rows, devices) if holding.get(r.device_id, r.device_id) == held]
        limit = min(count.get(r.device_id, 0) for r in rows if holding.get(r.device_id, r.device_id) == held)
        model.add(sum(x * d for x, d in pools) <= limit)
    for c in intent.constraints:
        metric = metric_of(c)
        if metric not in REPLICATED:
            continue
        # A rate floor, or a deployment-wide ceiling, over the pools together.
        scaled = [to_int(metric, value(r, metric) or 0.0, "down" if c.op == ">=" else "up") for r in rows]
        bound = to_int(metric, c.value, "up" if c.op == ">=" else "down")
        total = sum(x * s for x, s in zip(n, scaled))
        if c.op == ">=":
            model.add(total - _spare_share(model, n, scaled, settings.spare_replicas) >= bound)
        else:
            model.add(total <= bound)
    if intent.workload.concurrency:
        # The concurrency is held by the pools' sequences together.
        held = [sequences_per_replica(r) for r in rows]
        model.add(sum(x * h for x, h in zip(n, held)) - _spare_share(model, n, held, settings.spare_replicas)
                  >= intent.workload.concurrency)
    if settings.min_replicas > 1:  # an availability floor counts the replicas of every pool
        model.add(sum(n) >= settings.min_replicas)
    cost = sum(x * to_int("cost", value(r, "cost")) for x, r in zip(n, rows))
    model.minimize(cost * 1000 + sum(x * d for x, d in zip(n, devices)))
    solver = new_solver(cp, settings)
    if solver.solve(model) not in (cp.OPTIMAL, cp.FEASIBLE):
        return None
    used = [(r, int(solver.value(x))) for r, x in zip(rows, n) if solver.value(x) > 0]
    used.sort(key=lambda rn: (-rn[1] * devices_per_replica(rn[0]), rn[0].device_id))
    if len({holding.get(r.device_id, r.device_id) for r, _ in used}) < 2:
        return None
    return Mix(tuple(r for r, _ in used), tuple(k for _, k in used))
