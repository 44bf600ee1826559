"""The trade-off front's chart, checked through the figure's artists (not pixels): one panel per
metric against the objective, the chosen plan marked where its figures are, the request's bounds
drawn as lines, and tick labels few and readable. matplotlib is the plot extra; the test extra has it."""

from __future__ import annotations

import pytest

from intent.api import plan
from intent.plot import CHOSEN, FORMATS, PlotError, front_figure, plot_front
from planner.solve.chooser import FIELD


@pytest.fixture(scope="module")
def planned():
    return plan("lowest power, classify images in 10ms, accuracy at least 75%", offline=True, record=False,
                pareto=True)


@pytest.fixture(scope="module")
def figure(planned):
    import matplotlib.pyplot as plt

    fig = front_figure(planned)
    yield fig
    plt.close(fig)


def panels(fig) -> dict[str, object]:
    """Visible axes by the metric on their x axis ("latency (ms)" -> latency)."""
    return {ax.get_xlabel().split(" (")[0]: ax for ax in fig.axes if ax.get_visible()}


def test_one_panel_per_other_metric_against_the_objective(figure):
    shown = panels(figure)
    assert set(shown) == {"latency", "cost", "accuracy"}  # power is the objective; every point's power is known
    assert all(ax.get_ylabel() == "power (W)" for ax in shown.values())


def test_every_panel_marks_the_chosen_plan_at_its_figures(figure, planned):
    chosen = next(p for p in planned.pareto_front if p.chosen)
    for metric, ax in panels(figure).items():
        (marker,) = [c for c in ax.collections if c.get_label() == CHOSEN]
        x, y = marker.get_offsets()[0]
        assert x == pytest.approx(getattr(chosen.metrics, FIELD[metric]))
        assert y == pytest.approx(chosen.metrics.power_w)


def test_bounds_are_drawn_as_lines_at_their_values(figure):
    shown = panels(figure)
    (latency,) = [line for line in shown["latency"].lines if line.get_label() == "bound: latency <= 10 ms"]
    assert list(latency.get_xdata()) == [10, 10]  # a vertical line at the bound
    (accuracy,) = [line for line in shown["accuracy"].lines if line.get_label().startswith("bound: accuracy >=")]
    assert list(accuracy.get_xdata()) == [0.75, 0.75]
    assert not [line for line in shown["cost"].lines if line.get_label().startswith("bound")]  # cost is unbounded


def test_tick_labels_are_few_distinct_and_in_the_unit(figure):
    figure.canvas.draw()
    for metric, ax in panels(figure).items():
        for axis, lo_hi in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            labels = [t.get_text() for t, v in zip(axis.get_majorticklabels(), axis.get_majorticklocs())
                      if min(lo_hi) <= v <= max(lo_hi)]
            assert 2 <= len(labels) <= 8 and len(set(labels)) == len(labels) and all(labels), (metric, labels)
            assert not [t for t in axis.get_minorticklabels() if t.get_text()]  # no crowded minor labels
    assert all(label.endswith(" ms") for label in _labels(panels(figure)["latency"].xaxis))
    assert all(label.startswith("$") for label in _labels(panels(figure)["cost"].xaxis))


def _labels(axis) -> list[str]:
    return [t.get_text() for t in axis.get_majorticklabels() if t.get_text()]


@pytest.mark.parametrize("suffix", FORMATS)
def test_every_supported_format_is_written(planned, tmp_path, suffix):
    path = plot_front(planned, tmp_path / f"front{suffix}")
    assert path.stat().st_size > 1000


def test_an_unsupported_format_names_the_supported_ones(planned, tmp_path):
    with pytest.raises(PlotError) as caught:
        plot_front(planned, tmp_path / "front.gif")
    assert "supported formats: .png, .svg, .pdf, .jpg, .jpeg" in caught.value.hint
    assert "pip install" not in caught.value.hint


def test_a_chart_that_cannot_be_written_says_where_and_why(planned, tmp_path):
    """A directory that cannot be made printed the bare OS error ("[Errno 13] Permission denied")."""
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    with pytest.raises(PlotError, match="cannot write the chart to .*afile/chart.png") as err:
        plot_front(planned, afile / "chart.png")
    assert "a directory you can write to" in err.value.hint
