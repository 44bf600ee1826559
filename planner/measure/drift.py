"""Drift: a stored plan's predictions against what was measured since it was made.

A plan's figures are for the whole deployment; the check compares them per replica with
measurements of the same (model, device, precision) at the plan's batch size taken after the
plan was stored: one batch's latency (the plan's throughput per replica gives it, whatever its
latency under load), power per replica, and for text generation TTFT and TPOT. A figure more
than ``THRESHOLD`` away from its measurement has drifted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from planner.measure.store import Measurement

THRESHOLD = 0.10


@dataclass(frozen=True)
class Drift:
    figure: str
    predicted: float
    measured: float
    measurement_id: int | None
    measured_at: str | None

    @property
    def change(self) -> float:
        return self.measured / self.predicted - 1

    @property
    def drifted(self) -> bool:
        return abs(self.change) > THRESHOLD


@dataclass
class DriftReport:
    plan_id: int
    created_at: str
    configuration: str
    figures: list[Drift] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> list[Drift]:
        return [d for d in self.figures if d.drifted]

    def as_dict(self) -> dict:
        return {"plan_id": self.plan_id, "created_at": self.created_at, "configuration": self.configuration,
                "threshold": THRESHOLD, "notes": self.notes,
                "figures": [{"figure": d.figure, "predicted": d.predicted, "measured": d.measured,
                             "change": round(d.change, 4), "drifted": d.drifted, "measurement_id": d.measurement_id,
                             "measured_at": d.measured_at} for d in self.figures]}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def check(plan, plan_id: int, created_at: str, measurements: list[Measurement]) -> DriftReport:
    """Compare plan ``plan_id`` (an ExecutionPlan stored at ``created_at``) with the measurements
    of its configuration taken since."""
    c, m = plan.choice, plan.metrics
    report = DriftReport(plan_id, created_at, f"{c.model_id} on {c.device_id}, {c.precision}, batch {c.batch_size}, "
                                              f"{c.replicas} replica(s)")
    since = [x for x in measurements if x.key == (c.model_id, c.device_id, c.precision)
             and x.measured_at and _time(x.measured_at) >= _time(created_at)]
    at_batch = [x for x in since if x.batch_size == c.batch_size]
    if not at_batch:
        batches = sorted({x.batch_size for x in since})
        report.notes.append(
            f"no measurement of {c.model_id} on {c.device_id} ({c.precision}) at batch {c.batch_size} since the plan "
            f"was made" + (f" (measured since at batch {', '.join(map(str, batches))})" if batches else ""))
        return report
    latest = max(at_batch, key=lambda x: x.id or 0)
    per_replica = m.throughput_rps / c.replicas
    predicted = {"latency of one batch, ms": c.batch_size / per_replica * 1000 if per_replica else None,
                 "power per replica, W": m.power_w / c.replicas if m.power_w is not None else None,
                 "time to first token, ms": m.ttft_ms, "time per output token, ms": m.tpot_ms}
    measured = {"latency of one batch, ms": latest.latency_ms, "power per replica, W": latest.power_w,
                "time to first token, ms": latest.ttft_ms, "time per output token, ms": latest.tpot_ms}
    for figure, value in predicted.items():
        if value and measured[figure] is not None:
            report.figures.append(Drift(figure, value, measured[figure], latest.id, latest.measured_at))
    if c.shards > 1:
        report.notes.append(f"each replica spans {c.shards} devices; a measurement of one device is compared as is")
    return report
