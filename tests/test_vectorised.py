"""The array-based planning pieces against plain, one-at-a-time reference implementations."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from hardware import Inventory, InventoryItem
from intent import parse
from planner.perf.factors import load_factors
from planner.perf.roofline import SUPPORTED, support_codes, supports
from planner.search.candidates import _reason_kind, build_candidates, enumerate_configs, precision_choices
from planner.search.prune import _non_dominated, _non_dominated_by_label
from planner.solve.chooser import DEFAULT_TIE_BREAKERS, Chooser, SolverSettings, deployment_figure, replicas_needed


def test_support_codes_agree_with_supports_everywhere(catalog):
    factors = load_factors()
    devices = sorted(catalog.devices.values(), key=lambda d: d.id)
    models = sorted(catalog.models.values(), key=lambda m: m.id)
    precisions = list(factors.bytes_per_param)
    codes = support_codes(devices, models, precisions, factors)
    assert (codes == SUPPORTED).any() and (codes != SUPPORTED).any()
    for (d, device), (m, model), (p, precision) in itertools.product(enumerate(devices), enumerate(models),
                                                                     enumerate(precisions)):
        assert (codes[d, m, p] == SUPPORTED) == (supports(device, model, precision, factors) is None)


def reference_configs(pools, models, precisions, factors, excluded: Counter) -> list[tuple]:
    """The enumeration written as nested loops, one configuration at a time."""
    out = []
    for device, item, placements in pools:
        for placement in placements:
            for model in models:
                for precision in precisions:
                    reason = supports(device, model, precision, factors)
                    if reason:
                        excluded[_reason_kind(reason)] += 1
                        continue
                    for shards in reference_shards(model, device, item, factors):
                        out.append((device.id, placement, model.id, precision, shards,
                                    item.share if item else 1.0,
                                    item.usd_per_hour if item else None, item.total_slots if item else None))
    return out


def reference_shards(model, device, item, factors) -> list[int]:
    if model.kind.value != "autoregressive" or device.max_group is None or device.interconnect_gbs is None:
        return [1]
    if item is not None and item.sharing is not None:
        return [1]
    limit = int(device.max_group.value) if item is None else min(int(device.max_group.value), item.count)
    sizes = device.slice_sizes.sizes if device.slice_sizes else None  # TPU v5e: slices of 1, 4 or 8 chips
    return [n for n in factors.shard_degrees if n <= limit and (n == 1 or sizes is None or n in sizes)]


def table_rows(table) -> list[tuple]:
    return [(x.device.id, x.placement, x.model.id, x.precision, x.shards, x.share, x.usd_per_hour, x.max_count)
            for x in table]


INVENTORY = Inventory(schema_version=1, devices=[
    InventoryItem(id="nvidia-h100-sxm-80gb", count=4, placement="on-prem", usd_per_hour=3.5),
    InventoryItem(id="nvidia-a100-sxm-80gb", count=2, placement="on-prem", sharing={"mig": 7}),
    InventoryItem(id="nvidia-t4", count=3, placement="cloud"),
    InventoryItem(id="intel-xeon-platinum-8480plus", count=1, placement="on-prem"),
])


@pytest.mark.parametrize("text, inventory", [
    ("lowest latency text generation with llama 3 70b", None),
    ("classify images in int8 or fp16 under 5 ms", None),
    ("translate text cheaply", None),
    ("serve llama 3 8b at 20 req/s", INVENTORY),
    ("transcribe speech on prem", INVENTORY),
])
def test_enumeration_matches_nested_loops(text, inventory, catalog):
    factors = load_factors()
    intent = parse(text, offline=True)
    models = sorted(catalog.models_for(intent.task.value), key=lambda m: m.id)
    if intent.workload.model:
        models = [catalog.model(intent.workload.model)]
    pools = []
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        item = next((i for i in inventory.devices if i.id == device.id), None) if inventory else None
        if inventory and item is None:
            continue
        pools.append((device, item, [item.placement] if item else [p.value for p in device.placements]))
    precisions = precision_choices(intent, factors)
    expected_excluded, excluded = Counter(), Counter()
    expected = reference_configs(pools, models, precisions, factors, expected_excluded)
    table = enumerate_configs(pools, models, precisions, factors, excluded)
    assert table_rows(table) == expected
    assert excluded == expected_excluded
    if intent.workload.model == "llama-3-70b" or "70b" in text:
        assert any(row[4] > 1 for row in expected), "the reference shards 70B models"


def brute_non_dominated(matrix: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    n = len(matrix)
    labels = np.zeros(n, dtype=int) if labels is None else labels
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if labels[i] == labels[j] and np.all(matrix[j] <= matrix[i]) and np.any(matrix[j] < matrix[i]):
                keep[i] = False
                break
    return keep


@pytest.mark.parametrize("seed", range(6))
def test_pareto_pruning_matches_pairwise_comparison(seed):
    rng = np.random.default_rng(seed)
    n, dims = 300, 2 + seed % 3
    matrix = rng.integers(0, 12, size=(n, dims)).astype(float)  # small integers: many ties and duplicates
    matrix[rng.random((n, dims)) < 0.05] = np.inf  # unknown figures
    columns = [matrix[:, j].copy() for j in range(dims)]
    assert np.array_equal(_non_dominated(columns), brute_non_dominated(matrix))
    labels = rng.integers(0, 7, size=n)
    assert np.array_equal(_non_dominated_by_label(columns, labels), brute_non_dominated(matrix, labels))


@pytest.mark.parametrize("text, tie_breakers", [
    ("cheapest way to classify images under 20 ms", ()),
    ("lowest power, then fastest, classify images in 10ms", (("latency", "minimize"),)),
    ("serve llama 3 8b at 50 req/s at the lowest latency", ()),
    ("highest throughput image classification", ()),
])
@pytest.mark.parametrize("tolerance", [0.0, 0.01])
def test_rank_objective_is_the_lexicographic_optimum(text, tie_breakers, tolerance, catalog):
    """One rank-weighted solve picks the row a level-by-level scan picks, and runner-ups
    with devices forbidden one by one do too; with an objective tolerance, every row within it
    of the best row that meets the bounds counts as that best on the first level."""
    intent = parse(text, offline=True)
    rows = build_candidates(intent, catalog).rows[:400]
    settings = SolverSettings(objective_tolerance=tolerance)
    objective = (intent.objective.metric.value, intent.objective.sense.value)
    levels = [objective, *tie_breakers, *DEFAULT_TIE_BREAKERS]
    levels = [lv for k, lv in enumerate(levels) if lv[0] not in [m for m, _ in levels[:k]]]

    def signed(i, metric, sense):
        row = rows[i]
        r = replicas_needed(row, intent.constraints, settings.max_replicas)
        v = deployment_figure(row, metric, 1 if metric == "throughput" else r)
        return None if v is None else round(v if sense == "minimize" else -v, 9)

    def key(i):
        row = rows[i]
        r = replicas_needed(row, intent.constraints, settings.max_replicas)
        out = []
        for depth, (metric, sense) in enumerate(levels):
            v = signed(i, metric, sense)
            if depth == 0 and v is not None and meets(i) and v <= best + tolerance * abs(best) + 1e-6:
                v = best
            out.append((v is None, 0 if v is None else v))
        return (*out, r, i)

    def meets(i):
        row = rows[i]
        r = replicas_needed(row, intent.constraints, settings.max_replicas)
        if r > settings.max_replicas:
            return False
        return all((v := deployment_figure(row, c.metric.value, r)) is not None
                   and (v <= c.value if c.op == "<=" else v >= c.value) for c in intent.constraints)

    best = min(v for i in range(len(rows)) if meets(i) and (v := signed(i, *levels[0])) is not None)
    chooser = Chooser(rows, intent.constraints, objective, settings, tie_breakers)
    forbidden: tuple[str, ...] = ()
    for _ in range(3):
        allowed = [i for i in range(len(rows)) if meets(i) and rows[i].device_id not in forbidden]
        solution = chooser.best(forbid_devices=forbidden)
        if not allowed:
            assert solution is None
            break
        expected = min(allowed, key=key)
        assert key(solution.row)[:-1] == key(expected)[:-1]
        assert solution.status == "OPTIMAL" and solution.gap == 0
        forbidden += (rows[solution.row].device_id,)


@pytest.mark.parametrize("text", ["serve llama 3 8b at 50 req/s", "classify images in 10ms"])
def test_batched_predictions_read_each_cell_of_the_grid(text, catalog):
    """Estimates built many at a time carry each cell's own figures and configuration."""
    grid = build_candidates(parse(text, offline=True), catalog).grid
    gs, ks = np.nonzero(grid.fits)
    pick = np.random.default_rng(0).choice(len(gs), size=min(300, len(gs)), replace=False)
    for row, g, k in zip(grid.predictions(gs[pick], ks[pick]), gs[pick], ks[pick]):
        config = grid.configs[g]
        assert (row.model_id, row.device_id, row.precision, row.placement, row.shards) == \
            (config.model.id, config.device.id, config.precision, config.placement, config.shards)
        assert row.batch_size == grid.batch_sizes[k]
        assert row.latency_ms == grid.latency_ms[g, k] and row.memory_gb == grid.memory_gb[g, k]
        for field, array in (("power_w", grid.power_w), ("cost_usd_per_hour", grid.cost_usd_per_hour),
                             ("energy_j", grid.energy_j), ("ttft_ms", grid.ttft_ms)):
            value = np.broadcast_to(array, grid.latency_ms.shape)[g, k]
            assert getattr(row, field) == (None if np.isnan(value) else value)
        assert (row.tokens_per_s is None) == (not grid.autoregressive[g, k])
