"""A chart of the trade-off front (matplotlib, imported here only).

The front is the set of configurations no other beats on every one of objective, latency,
power, cost and accuracy: drawn on two axes, most of its points would look dominated. So the
chart is small multiples: one panel per other metric, each the objective against that metric.
Every panel marks the chosen plan, draws the request's bounds on its two metrics as lines, and
joins the points that are best in that panel's two dimensions. Axes spanning more than two
decades are logarithmic, with ticks labelled in the metric's unit.
"""

from __future__ import annotations

import math
from pathlib import Path

from planner.plan import ExecutionPlan
from planner.solve.chooser import FIELD

#: Formats the chart is written in (matplotlib's Agg and SVG/PDF back ends; JPEG through Pillow,
#: a matplotlib dependency).
FORMATS = (".png", ".svg", ".pdf", ".jpg", ".jpeg")
#: Metrics a panel can show against the objective, in this order; bounded metrics are added.
PANEL_METRICS = ("latency", "cost", "power", "accuracy")
CHOSEN = "chosen plan"
FRONT_COLOUR, BEST_COLOUR, CHOSEN_COLOUR, BOUND_COLOUR = "#88aacc", "#225588", "#cc3311", "#444444"


class PlotError(ValueError):
    code = "plot-error"
    hint = ""


def check_path(path: str | Path) -> Path:
    """The chart's path, refused before any planning when its format is not one the chart is written in."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        error = PlotError(f"{path}: the chart cannot be written as {path.suffix or 'a file without a suffix'}")
        error.hint = f"supported formats: {', '.join(FORMATS)}"
        raise error
    return path


def objective_of(plan: ExecutionPlan) -> str:
    return plan.intent.objective.metric.value if plan.intent.objective else "cost"


def panel_metrics(plan: ExecutionPlan) -> list[str]:
    """The metrics drawn against the objective: the front's own and every bounded one, where known."""
    bounded = [c.metric.value for c in plan.intent.constraints if c.metric.value in FIELD]
    wanted = dict.fromkeys([*PANEL_METRICS, *bounded])
    objective = objective_of(plan)
    return [m for m in wanted if m != objective and any(_value(p, m) is not None for p in plan.pareto_front)]


def front_figure(plan: ExecutionPlan):
    """The chart as a matplotlib Figure (not saved)."""
    if not plan.pareto_front:
        raise PlotError("the plan has no trade-off front to draw")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        error = PlotError("drawing charts needs matplotlib")
        error.hint = "install the plotting extra: pip install 'intentctl[plot]'"
        raise error from exc
    objective, metrics = objective_of(plan), panel_metrics(plan)
    if not metrics:
        raise PlotError(f"the front has no figure to draw against {objective}")
    columns = 2 if len(metrics) > 1 else 1
    rows = math.ceil(len(metrics) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(5.2 * columns, 3.9 * rows), dpi=110, squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        _panel(ax, plan, metric, objective)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    figure.suptitle(_title(plan), fontsize=10)
    figure.text(0.5, 0.005, f"{len(plan.pareto_front)} configurations on the front (none is beaten on every metric); "
                            "dark: best in the panel's two metrics", ha="center", va="bottom", fontsize=8,
                color="#555555")
    figure.tight_layout(rect=(0, 0.03, 1, 0.95))
    return figure


def plot_front(plan: ExecutionPlan, path: str | Path) -> Path:
    """Write the chart to ``path`` (a format of ``FORMATS``)."""
    import matplotlib.pyplot as plt

    path = check_path(path)
    figure = front_figure(plan)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    except OSError as exc:  # a directory that cannot be made or written to: say which and why
        where = next((p for p in path.parents if p.exists()), path.parent)
        why = "it is a file, not a directory" if where.is_file() else (exc.strerror or str(exc)).lower()
        error = PlotError(f"cannot write the chart to {path}: {why} ({where})")
        error.hint = "give --plot a file in a directory you can write to"
        raise error from exc
    finally:
        plt.close(figure)
    return path


def _panel(ax, plan: ExecutionPlan, x_metric: str, y_metric: str) -> None:
    points = [(_value(p, x_metric), _value(p, y_metric), p) for p in plan.pareto_front]
    points = [(x, y, p) for x, y, p in points if x is not None and y is not None]
    best = _best_in_two(points, _sense(x_metric), _sense(y_metric))
    ax.scatter([x for x, _, _ in points], [y for _, y, _ in points], s=22, color=FRONT_COLOUR, label="front",
               zorder=2)
    if len(best) > 1:
        ax.plot([x for x, _ in best], [y for _, y in best], color=BEST_COLOUR, marker="o", markersize=4,
                linewidth=1, drawstyle="steps-post", label="best in these two", zorder=3)
    for x, y, p in points:
        if p.chosen:
            ax.scatter([x], [y], marker="*", s=240, color=CHOSEN_COLOUR, edgecolor="white", linewidth=0.6,
                       label=CHOSEN, zorder=5)
            ax.annotate(f"{p.choice.device_id}\n{p.choice.precision} · b{p.choice.batch_size}", (x, y),
                        textcoords="offset points", xytext=(8, 6), fontsize=7, color=CHOSEN_COLOUR,
                        ha="left", annotation_clip=False)
    for c in plan.intent.constraints:
        if c.metric.value == x_metric:
            ax.axvline(c.value, color=BOUND_COLOUR, linestyle="--", linewidth=1, label=f"bound: {c.describe()}")
        if c.metric.value == y_metric:
            ax.axhline(c.value, color=BOUND_COLOUR, linestyle=":", linewidth=1, label=f"bound: {c.describe()}")
    _axis(ax, "x", x_metric, [x for x, _, _ in points])
    _axis(ax, "y", y_metric, [y for _, y, _ in points])
    ax.grid(True, which="major", color="#e5e5e5", linewidth=0.6)
    ax.legend(fontsize=7, loc="best", framealpha=0.85)


def _axis(ax, which: str, metric: str, values: list[float]) -> None:
    """A readable axis: a log scale only over more than two decades, at most six labelled ticks
    in the metric's unit, no minor labels."""
    from matplotlib import ticker

    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(f"{metric} ({'%' if metric == 'accuracy' else _unit(metric)})")
    positive = [v for v in values if v > 0]
    if positive and max(positive) / min(positive) > 100 and len(positive) == len(values):
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        decades = math.log10(max(positive) / min(positive))
        # 1-2-5 steps over two decades, 1-3 over three, else decades: at most about seven labels.
        subs = (1.0, 2.0, 5.0) if decades <= 2 else (1.0, 3.0) if decades <= 3 else (1.0,)
        axis.set_major_locator(ticker.LogLocator(base=10, subs=subs, numticks=12))
        axis.set_minor_formatter(ticker.NullFormatter())
    else:
        axis.set_major_locator(ticker.MaxNLocator(nbins=5))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: _tick(v, metric)))
    ax.tick_params(axis=which, labelsize=8)


def _tick(value: float, metric: str) -> str:
    """A tick label: short, in the metric's unit ("10 ms", "$0.5/h", "76%")."""
    if metric == "accuracy":
        return f"{value * 100:.3g}%"
    unit = _unit(metric)
    number = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if unit.startswith("USD"):
        return f"${number}{unit[3:]}"
    return f"{number} {unit}"


def _best_in_two(points, x_sense: str, y_sense: str) -> list[tuple[float, float]]:
    """The points no other beats on both of two metrics, in order along x."""
    def better(a, b, sense):
        return a < b if sense == "minimize" else a > b

    def worse_or_equal(a, b, sense):
        return not better(a, b, sense)

    best = [(x, y) for x, y, _ in points
            if not any((better(x2, x, x_sense) and worse_or_equal(y, y2, y_sense))
                       or (better(y2, y, y_sense) and worse_or_equal(x, x2, x_sense)) for x2, y2, _ in points)]
    return sorted(set(best))


def _sense(metric: str) -> str:
    return "maximize" if metric in ("accuracy", "throughput", "token_throughput") else "minimize"


def _value(point, metric: str) -> float | None:
    return getattr(point.metrics, FIELD[metric], None) if metric in FIELD else None


def _title(plan: ExecutionPlan) -> str:
    text = plan.intent.text.replace("\n", " ")
    return text if len(text) <= 90 else text[:89] + "…"


def _unit(metric: str) -> str:
    from intent.schema import CANONICAL_UNITS, Metric

    return CANONICAL_UNITS[Metric(metric)]
