"""Candidate rows: every (model, device, precision, batch size, placement) a request allows.

A row exists only when the configuration is possible at all: the model does the task, the
device runs the precision and holds the model, and the device passes the request's hardware,
precision and deployment limits and the policy layer's placement rules. What is left out and
why is counted, so an empty candidate set can be explained.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

from hardware import Catalog, Device, Inventory
from intent.schema import Intent
from planner.errors import MissingTaskError
from planner.factors import PerfFactors, load_factors
from planner.perf import Config, Estimate, Grid, stored_corrections, supports

#: A placement rule from the policy layer: returns why (device, placement) is not allowed, or None.
PlacementRule = Callable[[Device, str], "str | None"]
SELECTOR_KINDS = ("class", "vendor", "device")


@dataclass
class CandidateSet:
    """The candidate grid (configurations x batch sizes) and what was left out and why."""

    grid: Grid | None
    excluded: Counter = field(default_factory=Counter)

    def cells(self, mask: np.ndarray) -> list[Estimate]:
        """Estimates for the cells of ``mask`` (row-major: configuration, then batch size)."""
        if self.grid is None:
            return []
        return [self.grid.prediction(g, k) for g, k in zip(*np.nonzero(mask & self.grid.fits))]

    @cached_property
    def rows(self) -> list[Estimate]:
        """Every candidate row that fits its device (slow for large sets: for tests and explanations)."""
        return self.cells(np.ones_like(self.grid.fits)) if self.grid is not None else []

    def __len__(self) -> int:
        return int(self.grid.fits.sum()) if self.grid is not None else 0

    def why_empty(self) -> str:
        top = ", ".join(f"{reason} ({n})" for reason, n in self.excluded.most_common(4))
        return f"no configuration is possible: {top}" if top else "no model in the catalog does this task"


def selector_kind(selector: str, catalog: Catalog) -> str:
    if selector in ("cpu", "gpu", "npu", "tpu", "fpga"):
        return "class"
    if selector in catalog.selector_ids():
        return "device"
    return "vendor"


def hardware_allows(device: Device, intent: Intent, catalog: Catalog) -> str | None:
    """Includes are OR-ed within a kind (class, vendor, device) and AND-ed across kinds."""
    for selector in intent.hardware.exclude:
        if device.matches(selector):
            return f"excluded by 'no {selector}'"
    groups: dict[str, list[str]] = {}
    for selector in intent.hardware.include:
        groups.setdefault(selector_kind(selector, catalog), []).append(selector)
    for kind, selectors in groups.items():
        if not any(device.matches(s) for s in selectors):
            return f"not {' or '.join(selectors)}"
    return None


def build_candidates(intent: Intent, catalog: Catalog, rules: list[PlacementRule] = (),
                     factors: PerfFactors | None = None, extra_latency_ms: float = 0.0,
                     inventory: Inventory | None = None) -> CandidateSet:
    """Every allowed configuration; with an inventory, only its devices, at its placements,
    prices and counts."""
    factors = factors or load_factors()
    models = intent_models(intent, catalog)
    excluded: Counter = Counter()
    configs: list[Config] = []
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        item = inventory.item(device.id) if inventory else None
        if inventory and item is None:
            continue
        reason = hardware_allows(device, intent, catalog)
        if reason:
            excluded[f"hardware: {reason}"] += 1
            continue
        offered = [item.placement] if item else [p.value for p in device.placements]
        for placement in allowed_placements(device, offered, intent, rules, excluded):
            for model in models:
                configs.extend(Config(model, device, precision, placement,
                                      item.usd_per_hour if item else None,
                                      item.total_slots if item else None, shards,
                                      item.share if item else 1.0)
                               for precision in allowed_precisions(model, device, intent, factors, excluded)
                               for shards in shard_degrees(model, device, item, factors))
    if not configs:
        return CandidateSet(grid=None, excluded=excluded)
    grid = Grid(configs, factors.batch_sizes, factors, stored_corrections(catalog, factors))
    grid.add_latency(extra_latency_ms)
    if not grid.fits.any():
        excluded["memory: model does not fit"] += len(configs)
    return CandidateSet(grid=grid, excluded=excluded)


def intent_models(intent: Intent, catalog: Catalog):
    if intent.workload.model:
        return [catalog.model(intent.workload.model)]
    if intent.task is None:
        raise MissingTaskError("the request names no task or model, so there is nothing to place")
    models = sorted(catalog.models_for(intent.task.value), key=lambda m: m.id)
    if not models:
        raise MissingTaskError(f"the catalog holds no model for {intent.task.value}")
    return models


def allowed_placements(device: Device, offered: list[str], intent: Intent, rules, excluded: Counter) -> list[str]:
    allowed = []
    for placement in offered:
        if intent.deployment is not None and placement != intent.deployment.value:
            excluded[f"deployment: {intent.deployment.value} asked, device is {placement}"] += 1
            continue
        reasons = [r for r in (rule(device, placement) for rule in rules) if r]
        if reasons:
            excluded[f"policy: {reasons[0]}"] += 1
            continue
        allowed.append(placement)
    return allowed


def shard_degrees(model, device: Device, item, factors: PerfFactors) -> list[int]:
    """1, and for autoregressive models on devices with a stated scale-up group and link
    bandwidth, every degree up to the group size (and the inventory's count); slices of a
    shared device are never sharded."""
    if model.kind.value != "autoregressive" or device.max_group is None or device.interconnect_gbs is None:
        return [1]
    if item is not None and item.sharing is not None:
        return [1]
    limit = int(device.max_group.value)
    if item is not None:
        limit = min(limit, item.count)
    return [n for n in factors.shard_degrees if n <= limit]


def allowed_precisions(model, device: Device, intent: Intent, factors: PerfFactors, excluded: Counter) -> list[str]:
    allowed = [p.value for p in intent.precisions] or list(factors.bytes_per_param)
    out = []
    for precision in allowed:
        reason = supports(device, model, precision, factors)
        if reason:
            excluded[_reason_kind(reason)] += 1
        else:
            out.append(precision)
    return out


def _reason_kind(message: str) -> str:
    """Group reasons by kind so an empty set is explained in a few lines."""
    if "publishes no" in message and "throughput" in message:
        return "precision: device runs none of the allowed precisions"
    return message
