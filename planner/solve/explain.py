"""Explanations: how each constraint binds, runner-ups and near misses, and why a request is infeasible."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from intent.schema import Constraint
from planner.figures import fmt
from planner.perf.roofline import Estimate
from planner.solve.chooser import REPLICATED, Level, metric_of, value

BINDING_SHARE = 0.05


def deployment_value(row: Estimate, metric: str, replicas: int) -> float | None:
    v = value(row, metric)
    if v is None:
        return None
    return v * replicas if metric in REPLICATED else v


def check(c: Constraint, row: Estimate, replicas: int) -> tuple[float | None, float | None, bool]:
    """(predicted value, slack, binding) of one constraint for a deployment."""
    predicted = deployment_value(row, metric_of(c), replicas)
    if predicted is None:
        return None, None, False
    slack = c.value - predicted if c.op == "<=" else predicted - c.value
    binding = abs(slack) <= BINDING_SHARE * max(abs(c.value), 1e-9)
    return predicted, slack, binding


def violations(row: Estimate, constraints: list[Constraint], replicas: int = 1) -> list[str]:
    out = []
    for c in constraints:
        predicted, slack, _ = check(c, row, replicas)
        if predicted is None:
            out.append(f"{c.metric.value} unknown (no published figure)")
        elif slack < -1e-12:
            out.append(f"{c.metric.value} {fmt(predicted, c.metric.value)} breaks {c.op} {fmt(c.value, c.metric.value)}")
    return out


def why_lost(levels: list[Level], ours: Estimate, our_replicas: int, theirs: Estimate, their_replicas: int) -> str:
    """Why a runner-up lost, in words: the first level that told the two apart (the objective,
    then the tie-breakers), after the levels where both are unknown or equal."""
    passed = []
    for level in levels:
        a = deployment_value(ours, level.metric, our_replicas)
        b = deployment_value(theirs, level.metric, their_replicas)
        if a is None and b is None:
            passed.append(f"{level.metric} unknown for both")
        elif a is not None and b is not None and abs(b - a) <= 1e-9 * max(1.0, abs(a)):
            passed.append(f"same {level.metric}")
        elif a is not None and b is not None and abs(b - a) <= level.tolerance * abs(a):
            passed.append(f"{level.metric} within {level.tolerance:.0%} ({fmt(b, level.metric)})")
        else:
            return "; ".join(passed + [_worse(level.metric, a, b)])
    return "; ".join(passed + ["lost on fewer replicas, then catalog order"])


def _worse(metric: str, ours: float | None, theirs: float | None) -> str:
    if theirs is None:
        return f"its {metric} is unknown"
    if ours is None:
        return f"{metric} {fmt(theirs, metric)}"
    worse = "higher" if theirs > ours else "lower"
    return f"{metric} {fmt(theirs, metric)} is {worse} than {fmt(ours, metric)}"


class Conflict(BaseModel):
    """One constraint of an infeasible request and the best value reachable without it."""

    model_config = ConfigDict(frozen=True)
    constraint: Constraint
    best_reachable: float | None
    alone: bool = False  # true when no candidate meets this bound even on its own
    timed_out: bool = False  # the plan's time limit ran out before the best reachable value was sought

    def describe(self) -> str:
        metric = self.constraint.metric.value
        if self.timed_out:
            return f"{self.constraint.describe()}: not met (the time limit ran out before the best reachable value)"
        if self.best_reachable is None:
            return f"{self.constraint.describe()}: cannot be met even if the others are dropped"
        scope = "any candidate reaches" if self.alone else "reachable while the others hold"
        return f"{self.constraint.describe()}: the best {scope} is {fmt(self.best_reachable, metric)}"


class InfeasibilityReport(BaseModel):
    model_config = ConfigDict(frozen=True)
    reason: str
    conflicts: list[Conflict] = []
    candidates: int = 0
    notes: list[str] = []  # what the request's reading warned of (an impossible value, crossing bounds)

    def lines(self) -> list[str]:
        return [self.reason] + [c.describe() for c in self.conflicts] + [f"note: {n}" for n in self.notes]


def summarise_conflicts(conflicts: list[Conflict]) -> str:
    names = " and ".join(c.constraint.describe() for c in conflicts)
    return f"no configuration meets {names} together" if len(conflicts) > 1 else f"no configuration meets {names}"
