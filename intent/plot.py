"""A chart of the trade-off front, with the chosen plan marked (matplotlib, imported here only)."""

from __future__ import annotations

from pathlib import Path

from planner.plan import ExecutionPlan
from planner.solve.chooser import FIELD


class PlotError(ValueError):
    code = "plot-error"
    hint = "install the plotting extra: pip install 'intentctl[plot]'"


def axes_for(plan: ExecutionPlan) -> tuple[str, str]:
    """The objective against latency (or against cost when latency is the objective)."""
    objective = plan.intent.objective.metric.value if plan.intent.objective else "cost"
    return ("cost", "latency") if objective == "latency" else (objective, "latency")


def plot_front(plan: ExecutionPlan, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise PlotError(f"{path}: the chart is written as .png or .svg")
    if not plan.pareto_front:
        raise PlotError("the plan has no trade-off front to draw (plan with --pareto)")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise PlotError("drawing charts needs matplotlib") from exc
    y_metric, x_metric = axes_for(plan)
    points = [(getattr(p.metrics, FIELD[x_metric]), getattr(p.metrics, FIELD[y_metric]), p) for p in plan.pareto_front]
    points = [(x, y, p) for x, y, p in points if x is not None and y is not None]
    figure, ax = plt.subplots(figsize=(8, 5), dpi=110)
    ax.scatter([x for x, _, p in points if not p.chosen], [y for _, y, p in points if not p.chosen],
               label="trade-off front", color="#4477aa")
    for x, y, p in points:
        if p.chosen:
            ax.scatter([x], [y], marker="*", s=260, color="#cc3311", label="chosen plan", zorder=3)
            ax.annotate(f"{p.choice.model_id} on {p.choice.device_id}", (x, y), textcoords="offset points",
                        xytext=(8, 8), fontsize=8)
    ax.set_xlabel(f"{x_metric} ({_unit(x_metric)})")
    ax.set_ylabel(f"{y_metric} ({_unit(y_metric)})")
    ax.set_xscale("log")
    ax.set_title(plan.intent.text[:90])
    ax.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def _unit(metric: str) -> str:
    from intent.schema import CANONICAL_UNITS, Metric

    return CANONICAL_UNITS[Metric(metric)]
