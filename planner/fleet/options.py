"""The configurations each fleet workload could use on each pool of the inventory.

For an inference service an option is (model, precision, batch size, devices per replica)
on one pool, whose single replica meets every per-request bound of the service (latency,
accuracy, memory, energy) and whose whole deployment, with the replicas that serve the
full request rate, meets its power and cost bounds. For a training job an option is
(model, precision, device count) on one pool that finishes by the deadline. Per workload
and pool only a few options survive: the best on slots, power, cost and (inference)
throughput per slot, each being the only one that can matter to some fleet objective.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from hardware import Catalog, Device, InventoryItem
from intent.schema import Intent, Metric, WorkloadKind
from planner.figures import fmt
from planner.jobs import TrainingSetup, meets_bounds, setup, training_precision, training_row
from planner.perf.factors import PerfFactors
from planner.perf.roofline import NO_ADDED_LATENCY, AddedLatency, Grid, nan_to_none
from planner.search.candidates import (
    PlacementRule,
    allowed_placements,
    enumerate_configs,
    hardware_allows,
    intent_models,
    precision_choices,
)
from planner.search.prune import deployment_grid, satisfying_mask

UNLIMITED = 10**9


@dataclass(frozen=True)
class FleetWorkload:
    """A workload of a fleet: an inference service (a request rate, a latency SLO) or a
    training job (a dataset, a deadline), with its priority (higher is placed first) and the
    placement rules and latency its policies add."""

    name: str
    intent: Intent
    priority: int = 1
    deadline_hours: float | None = None
    rules: tuple[PlacementRule, ...] = ()
    added_latency: AddedLatency = NO_ADDED_LATENCY

    @property
    def training(self) -> bool:
        return self.intent.workload.kind != WorkloadKind.INFERENCE

    @property
    def rate_rps(self) -> float | None:
        return self.intent.bound(Metric.THROUGHPUT, ">=")

    @property
    def latency_slo_ms(self) -> float | None:
        return self.intent.bound(Metric.LATENCY, "<=")


@dataclass(frozen=True)
class Option:
    """One way to run one workload on one pool. Figures are per replica."""

    workload: int
    pool: int
    model_id: str
    precision: str
    batch_size: int
    slots_per_replica: int
    rate_rps: float  # requests/s one replica serves (0 for training)
    need: int  # replicas that serve the whole request rate (1 for training)
    max_replicas: int  # the most replicas the pool holds
    latency_ms: float | None
    job_hours: float | None
    power_w: float | None
    cost_usd_per_hour: float | None

    @property
    def full(self) -> bool:
        """Whether the pool is large enough to serve the whole rate with this option."""
        return self.need <= self.max_replicas


def refused(device: Device, item: InventoryItem, workload: FleetWorkload, catalog: Catalog) -> str | None:
    """Why the request's hardware and deployment limits, or its policies, rule the pool out."""
    intent = workload.intent
    reason = hardware_allows(device, intent, catalog)
    if reason:
        return reason
    excluded: Counter = Counter()
    if not allowed_placements(device, [item.placement], intent, workload.rules, excluded):
        return next(iter(excluded))
    return None


def options_for(index: int, workload: FleetWorkload, pools: list[InventoryItem], catalog: Catalog,
                factors: PerfFactors, corrections: dict, grids: dict | None = None) -> tuple[list[Option], dict[str, str]]:
    """Every surviving option of one workload, and for each pool without one, why. ``grids``
    keeps the predictions per pool, models and precisions, for the next workload that needs
    the same (most services of one task do)."""
    grids = {} if grids is None else grids
    options: list[Option] = []
    why_not: dict[str, str] = {}
    job = setup(workload.intent, factors) if workload.training else None
    for p, item in enumerate(pools):
        device = catalog.device(item.id)
        reason = refused(device, item, workload, catalog)
        if reason is None:
            found, reason = (_training_options(index, p, workload, item, device, catalog, job, factors) if job else
                             _inference_options(index, p, workload, item, device, catalog, factors, corrections,
                                                grids))
            options += found
        if reason:
            why_not[item.name] = reason
    return options, why_not


def _grid(p: int, workload: FleetWorkload, item: InventoryItem, device: Device, catalog: Catalog,
          factors: PerfFactors, corrections: dict, grids: dict) -> Grid | str:
    """The predictions for every configuration of the workload's models on the pool (cached),
    or why there is none."""
    intent = workload.intent
    models = intent_models(intent, catalog)
    key = (p, tuple(m.id for m in models), tuple(intent.precisions), workload.added_latency)
    if key not in grids:
        excluded: Counter = Counter()
        configs = enumerate_configs([(device, item, [item.placement])], models, precision_choices(intent, factors),
                                    factors, excluded, count_caps_replicas=False)
        if configs is None:
            grids[key] = excluded.most_common(1)[0][0] if excluded else "no model fits the request"
        else:
            grids[key] = Grid(configs, factors.batch_sizes, factors, corrections)
            grids[key].add_latency(workload.added_latency)
    return grids[key]


def _inference_options(w: int, p: int, workload: FleetWorkload, item: InventoryItem, device: Device,
                       catalog: Catalog, factors: PerfFactors, corrections: dict,
                       grids: dict) -> tuple[list[Option], str | None]:
    intent = workload.intent
    grid = _grid(p, workload, item, device, catalog, factors, corrections, grids)
    if isinstance(grid, str):
        return [], grid
    need = np.ceil(workload.rate_rps / grid.throughput_rps - 1e-9)
    bounds = [c for c in intent.constraints if c.metric != Metric.THROUGHPUT]
    mask = satisfying_mask(grid, bounds, need, UNLIMITED)
    if not mask.any():
        return [], _unmet_bound(grid, bounds, need)
    cells = np.nonzero(mask)
    shards = grid.configs.shards.astype(float)[cells[0]]
    columns = [
        need[cells] * shards,  # slots
        deployment_grid(grid, "power", need, cells=cells),
        deployment_grid(grid, "cost", need, cells=cells),
        -grid.throughput_rps[cells] / shards,  # rate per slot
    ]
    slots = item.total_slots
    out = []
    for g, k in _best_cells(cells, columns):
        x = grid.configs[g]
        out.append(Option(
            workload=w, pool=p, model_id=x.model.id, precision=x.precision, batch_size=grid.batch_sizes[k],
            slots_per_replica=x.shards, rate_rps=float(grid.throughput_rps[g, k]), need=int(need[g, k]),
            max_replicas=slots // x.shards, latency_ms=float(grid.latency_ms[g, k]), job_hours=None,
            power_w=nan_to_none(grid.power_w[g, k]), cost_usd_per_hour=nan_to_none(grid.cost_usd_per_hour[g, k])))
    return out, None


def _training_options(w: int, p: int, workload: FleetWorkload, item: InventoryItem, device: Device,
                      catalog: Catalog, job: TrainingSetup, factors: PerfFactors) -> tuple[list[Option], str | None]:
    intent = workload.intent
    precision = training_precision(device, intent, factors)
    if precision is None or device.memory_gb is None:
        return [], f"{device.id} trains in none of the allowed precisions"
    slots = item.total_slots
    rows = [row for model in intent_models(intent, catalog) if model.params_m and model.gflops
            for n in factors.training.device_counts if n <= slots
            for row in [training_row(model, device, precision, n, item.placement, job, factors, item.usd_per_hour, item.share)]
            if row is not None and meets_bounds(row, intent)]
    if not rows:
        return [], "the model's training state does not fit, or a bound fails"
    on_time = [r for r in rows if workload.deadline_hours is None or r.hours <= workload.deadline_hours]
    if not on_time:
        fastest = min(rows, key=lambda r: r.hours)
        return [], (f"the fastest job takes {fastest.hours:,.1f} h on {fastest.devices} slot(s), "
                    f"past the {workload.deadline_hours:g} h deadline")
    columns = [np.array([r.devices for r in on_time], dtype=float),  # slots
               np.array([np.nan if r.power_w is None else r.power_w * r.hours for r in on_time]),  # energy
               np.array([np.nan if r.job_cost_usd is None else r.job_cost_usd for r in on_time]),  # cost
               np.array([r.hours for r in on_time])]
    out = []
    for i, _ in _best_cells((np.arange(len(on_time)), np.zeros(len(on_time), dtype=np.int64)), columns):
        r = on_time[i]
        out.append(Option(
            workload=w, pool=p, model_id=r.model.id, precision=r.precision, batch_size=r.batch_size,
            slots_per_replica=r.devices, rate_rps=0.0, need=1, max_replicas=1, latency_ms=None,
            job_hours=r.hours, power_w=r.power_w, cost_usd_per_hour=r.cost_per_hour))
    return out, None


def _best_cells(cells: tuple[np.ndarray, np.ndarray], columns: list[np.ndarray]) -> list[tuple[int, int]]:
    """The best of ``cells`` (row-major, with one value per cell in each column) on each
    column (lower is better; unknown is worst), ties to the next columns and then the cell's
    position; each cell once, in a fixed order."""
    rows, cols = cells
    values = [np.where(np.isnan(c), np.inf, c) for c in columns]
    chosen: set[int] = set()
    for j in range(len(values)):
        candidates = np.arange(len(rows))  # row-major, so the first left is the first cell
        for column in [values[j]] + values[:j] + values[j + 1:]:
            if len(candidates) == 1:
                break
            mine = column[candidates]
            candidates = candidates[mine == mine.min()]
        chosen.add(int(candidates[0]))
    return [(int(rows[n]), int(cols[n])) for n in sorted(chosen)]


def _unmet_bound(grid: Grid, bounds, need: np.ndarray) -> str:
    """The first bound no fitting configuration meets on its own, with the best value reached."""
    for c in bounds:
        if satisfying_mask(grid, [c], need, UNLIMITED).any():
            continue
        values = deployment_grid(grid, c.metric.value, need)[grid.fits]
        values = values[~np.isnan(values)]
        if not len(values):
            return f"{c.describe()}: no configuration has a known {c.metric.value}"
        best = values.min() if c.op == "<=" else values.max()
        return f"{c.describe()} is out of reach (best {fmt(float(best), c.metric.value)})"
    if not grid.fits.any():
        return "the model does not fit in memory"
    return "no configuration meets every bound at once"
