"""Figures written for people: a metric's amount in its canonical unit ("9.88 ms", "$0.450/h",
"83.23%"). Light on purpose: the terminal views use it without loading the planner."""

from __future__ import annotations

from intent.schema import CANONICAL_UNITS

UNITS = {m.value: u for m, u in CANONICAL_UNITS.items()}


def fmt(amount: float | None, metric: str) -> str:
    if amount is None:
        return "unknown"
    if metric == "devices":  # a tie-breaker of the planner's, not a metric of the contract
        return f"{amount:,.0f} device{'s' if amount != 1 else ''}"
    if metric in ("accuracy", "model_accuracy"):  # the second: the model's reference accuracy, a tie-breaker
        return f"{amount * 100:.2f}%"
    unit = UNITS[metric]
    if unit == "USD/h":
        return f"${amount:,.3f}/h"
    if unit == "USD/Mtok":
        return f"${amount:,.3f}/Mtok"
    if unit == "USD":
        return f"${amount:,.2f}"
    magnitude = abs(amount)
    digits = 3 if magnitude < 1 else 2 if magnitude < 100 else 1
    return f"{amount:,.{digits}f} {unit}"
