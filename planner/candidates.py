"""Candidate rows: every (model, device, precision, batch size, placement) a request allows.

A row exists only when the configuration is possible at all: the model does the task, the
device runs the precision and holds the model, and the device passes the request's hardware,
precision and deployment limits and the policy layer's placement rules. What is left out and
why is counted, so an empty candidate set can be explained.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from hardware import Catalog, Device
from intent.schema import Intent
from planner.errors import MissingTaskError
from planner.factors import PerfFactors, load_factors
from planner.perf import Prediction, predict_batches

#: A placement rule from the policy layer: returns why (device, placement) is not allowed, or None.
PlacementRule = Callable[[Device, str], "str | None"]
SELECTOR_KINDS = ("class", "vendor", "device")


@dataclass
class CandidateSet:
    rows: list[Prediction]
    excluded: Counter = field(default_factory=Counter)

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
                     factors: PerfFactors | None = None) -> CandidateSet:
    factors = factors or load_factors()
    models = _models(intent, catalog)
    out = CandidateSet(rows=[])
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        reason = hardware_allows(device, intent, catalog)
        if reason:
            out.excluded[f"hardware: {reason}"] += 1
            continue
        for placement in _placements(device, intent, rules, out.excluded):
            for model in models:
                _add_rows(out, model, device, placement, intent, factors)
    return out


def _models(intent: Intent, catalog: Catalog):
    if intent.workload.model:
        return [catalog.model(intent.workload.model)]
    if intent.task is None:
        raise MissingTaskError("the request names no task or model, so there is nothing to place")
    models = sorted(catalog.models_for(intent.task.value), key=lambda m: m.id)
    if not models:
        raise MissingTaskError(f"the catalog holds no model for {intent.task.value}")
    return models


def _placements(device: Device, intent: Intent, rules, excluded: Counter) -> list[str]:
    allowed = []
    for placement in (p.value for p in device.placements):
        if intent.deployment is not None and placement != intent.deployment.value:
            excluded[f"deployment: {intent.deployment.value} asked, device is {placement}"] += 1
            continue
        reasons = [r for r in (rule(device, placement) for rule in rules) if r]
        if reasons:
            excluded[f"policy: {reasons[0]}"] += 1
            continue
        allowed.append(placement)
    return allowed


def _add_rows(out: CandidateSet, model, device: Device, placement: str, intent: Intent, factors: PerfFactors):
    allowed = [p.value for p in intent.precisions] or list(factors.bytes_per_param)
    for precision in allowed:
        if precision not in device.peak:
            out.excluded[f"precision: device runs no {precision}"] += 1
            continue
        rows, reason = predict_batches(model, device, precision, factors.batch_sizes, placement, factors)
        out.rows.extend(rows)
        if reason:
            out.excluded[_reason_kind(reason)] += 1


def _reason_kind(message: str) -> str:
    if "needs" in message and "GB" in message:
        return "memory: model does not fit"
    return message
