"""Fit a measured device's parameters to the user's measurements, shrunk toward the packaged model.

For each device with stored measurements, the model's interpretable per-device parameters
(planner.measure.fitted: efficiency per precision, the batch-1 floor, latency mode, memory
bandwidth reached, power at idle and at full load) are fitted by maximum a posteriori in log
space: each measured figure (latency, TTFT, TPOT, power) contributes its log error over
``FIGURE_SD``, each parameter its log offset from the packaged value over ``PRIOR_SD``. One
measurement therefore moves a parameter part of the way, many move it most of the way; a
parameter no measurement depends on stays at its prior and is not stored.

The fit is judged on the device's own figures: the packaged model's error ("before"), the
fitted one's ("after"), and two held-out errors: each model measured on the device left out in
turn, the rest refitted and the left-out model predicted (what a prediction for an unmeasured
model on the device can expect), and the same a measurement at a time (leave-one-out).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from hardware import Catalog, Device
from planner.measure.fitted import DeviceFit, FitError, FittedParameter, apply
from planner.measure.store import Measurement, utc_now

#: Log-space spread of one measured figure around the packaged model's prediction: its median
#: error on published measurements is 25-30% (planner/data/calibration.yaml), so one figure
#: says about as much as that about a device.
FIGURE_SD = 0.25
#: Log-space spread of each parameter around its packaged value (the MLPerf fit's per-device priors).
PRIOR_SD = {"efficiency": 0.5, "overhead_ms": 0.7, "latency_mode_batches": 0.7, "bandwidth_efficiency": 0.3,
            "idle_w": 0.5, "busy_w": 0.5}
#: A parameter is fitted when some figure's log prediction moves by at least this per unit log change.
SENSITIVITY = 0.01
LATENCY_FIGURES = ("latency_ms", "ttft_ms", "tpot_ms")


@dataclass(frozen=True)
class Row:
    """One measured figure and the cell that predicts it."""

    measurement: Measurement
    figure: str  # latency_ms, ttft_ms, tpot_ms or power_w
    actual: float


@dataclass
class DeviceReport:
    """The fit of one device, or why it was not fitted."""

    device_id: str
    fit: DeviceFit | None = None
    skipped: list[str] = field(default_factory=list)  # measurements left out, and why
    reason: str | None = None  # why the device was not fitted at all

    def moved(self, threshold: float = 0.01) -> list[tuple[str, FittedParameter]]:
        """The parameters that moved more than ``threshold`` (relative) from their prior."""
        if self.fit is None:
            return []
        return [(name, p) for name, p in self.fit.parameters.items() if abs(p.value / p.prior - 1) > threshold]


class _Predictor:
    """The device's measured figures predicted for given parameter values, from one Grid per call."""

    def __init__(self, device: Device, rows: list[Row], catalog: Catalog, factors):
        from planner.perf.configs import Config

        self.device, self.rows, self.factors = device, rows, factors
        index: dict[tuple, int] = {}
        self.configs = []
        self.batches = sorted({r.measurement.batch_size for r in rows})
        self.cells = []
        for r in rows:
            m = r.measurement
            key = (m.model_id, m.precision, m.prompt_tokens, m.output_tokens)
            if key not in index:
                index[key] = len(self.configs)
                self.configs.append(Config(catalog.models[m.model_id], device, m.precision,
                                           device.placements[0].value, prompt_tokens=m.prompt_tokens,
                                           output_tokens=m.output_tokens))
            self.cells.append((index[key], self.batches.index(m.batch_size)))

    def __call__(self, values: dict[str, float]) -> np.ndarray:
        from planner.perf.roofline import Grid

        grid = Grid(self.configs, self.batches, apply(self.factors, {self.device.id: values}))
        out = np.empty(len(self.rows))
        for i, (row, (g, k)) in enumerate(zip(self.rows, self.cells)):
            out[i] = np.broadcast_to(getattr(grid, row.figure), grid.latency_ms.shape)[g, k]
        return out


def priors(device: Device, rows: list[Row], factors) -> dict[str, float]:
    """The packaged value of every parameter these rows could move."""
    from planner.perf import power

    out = {f"efficiency/{p}": factors.efficiency(device, p) for p in sorted({r.measurement.precision for r in rows})}
    out["overhead_ms"] = factors.overhead_ms(device)
    out["latency_mode_batches"] = max(factors.latency_batches(device), 0.01)
    out["bandwidth_efficiency"] = factors.bandwidth_share(device)
    cap = power.mode_cap(device, device.default_mode)
    if any(r.figure == "power_w" for r in rows) and not math.isnan(cap):
        out["busy_w"] = cap
        out["idle_w"] = min(device.idle_w.value if device.idle_w else cap * factors.idle_fraction_of_tdp, cap)
    return out


def _figures(m: Measurement) -> list[Row]:
    """The figures of a measurement the fit uses: TTFT and TPOT for text generation (its end-to-end
    latency is their sum), else latency; and power where measured."""
    if m.ttft_ms is not None and m.tpot_ms is not None:
        rows = [Row(m, "ttft_ms", m.ttft_ms), Row(m, "tpot_ms", m.tpot_ms)]
    else:
        rows = [Row(m, "latency_ms", m.latency_ms)]
    if m.power_w is not None:
        rows.append(Row(m, "power_w", m.power_w))
    return rows


def calibrate(measurements: list[Measurement], catalog: Catalog, factors) -> list[DeviceReport]:
    """Fit every measured device; ``factors`` are the packaged ones (the prior)."""
    from planner.perf.roofline import supports

    by_device: dict[str, list[Measurement]] = defaultdict(list)
    for m in measurements:
        by_device[m.device_id].append(m)
    reports = []
    for device_id in sorted(by_device):
        report = DeviceReport(device_id)
        reports.append(report)
        if device_id not in catalog.devices:
            report.reason = f"{device_id} is not in the catalog (give the catalog it is in with --catalog DIR)"
            continue
        device = catalog.devices[device_id]
        rows: list[Row] = []
        for m in by_device[device_id]:
            if m.model_id not in catalog.models:
                report.skipped.append(f"#{m.id}: model {m.model_id} is not in the catalog (give the catalog it is in with "
                                      "--catalog DIR)")
            elif reason := supports(device, catalog.models[m.model_id], m.precision, factors):
                report.skipped.append(f"#{m.id}: {reason}")
            else:
                rows.extend(_figures(m))
        fit, more = fit_device(device, rows, catalog, factors)
        report.skipped += more
        if fit is not None:  # the fit stands for every measurement of the device, those left out included
            report.fit = fit.model_copy(update={"measurement_ids": sorted(m.id for m in by_device[device_id] if m.id)})
        if report.fit is None and not report.reason:
            report.reason = "no measurement of it can be predicted"
    return reports


def fit_device(device: Device, rows: list[Row], catalog: Catalog, factors) -> tuple[DeviceFit | None, list[str]]:
    """The device's fitted parameters and errors, and the figures left out (not predictable)."""
    skipped = []
    if rows:
        baseline = _Predictor(device, rows, catalog, factors)({})
        keep = [i for i, v in enumerate(baseline) if np.isfinite(v) and v > 0]
        skipped = sorted({f"#{rows[i].measurement.id}: its {rows[i].figure} cannot be predicted (does not fit in "
                          "memory, or an unknown figure)" for i in range(len(rows)) if i not in keep})
        rows = [rows[i] for i in keep]
    if not rows:
        return None, skipped
    predictor = _Predictor(device, rows, catalog, factors)
    prior = priors(device, rows, factors)
    names, counts = _sensitive(predictor, prior)
    values = _fit(predictor, rows, prior, names)
    before, after = predictor({}), predictor(values)
    latency = [i for i, r in enumerate(rows) if r.figure in LATENCY_FIGURES]
    power = [i for i, r in enumerate(rows) if r.figure == "power_w"]
    error = FitError(rows=len(latency), before=_mape(before, rows, latency), after=_mape(after, rows, latency),
                     held_out_models=_held_out(device, rows, catalog, factors, prior, names, "model"),
                     held_out_measurements=_held_out(device, rows, catalog, factors, prior, names, "measurement"),
                     power_before=_mape(before, rows, power) if power else None,
                     power_after=_mape(after, rows, power) if power else None)
    parameters = {n: FittedParameter(prior=round(prior[n], 6), value=round(values[n], 6), rows=counts[n])
                  for n in names}
    ids = sorted({r.measurement.id for r in rows if r.measurement.id is not None})
    return DeviceFit(device_id=device.id, fitted_at=utc_now(), measurement_ids=ids, parameters=parameters,
                     error=error), skipped


def _sensitive(predictor: _Predictor, prior: dict[str, float]) -> tuple[list[str], dict[str, int]]:
    """The parameters some figure depends on, and how many figures depend on each."""
    base = np.log(predictor(prior))
    names, counts = [], {}
    for name, value in prior.items():
        moved = np.log(predictor({**prior, name: value * math.e ** 0.1}))
        depends = np.abs(moved - base) / 0.1 >= SENSITIVITY
        if depends.any():
            names.append(name)
            counts[name] = int(depends.sum())
    return names, counts


def _bounds(names: list[str], prior: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Log offsets keep fractions (efficiencies) at or below 1."""
    upper = np.array([max(math.log(1 / prior[n]), 1e-6) if n.startswith("efficiency/") or
                      n == "bandwidth_efficiency" else np.inf for n in names])
    return np.full(len(names), -np.inf), upper


def _fit(predictor: _Predictor, rows: list[Row], prior: dict[str, float], names: list[str]) -> dict[str, float]:
    """Maximum a posteriori values of ``names`` (the others stay at their prior)."""
    from scipy.optimize import least_squares

    if not names:
        return dict(prior)
    actual = np.log([r.actual for r in rows])
    sd = np.array([PRIOR_SD[n.split("/")[0]] for n in names])

    def values(theta) -> dict[str, float]:
        return {**prior, **{n: prior[n] * math.exp(t) for n, t in zip(names, theta)}}

    def residuals(theta):
        predicted = predictor(values(theta))
        errors = (np.log(np.maximum(predicted, 1e-12)) - actual) / FIGURE_SD
        return np.concatenate([errors, theta / sd])

    result = least_squares(residuals, np.zeros(len(names)), bounds=_bounds(names, prior), x_scale=sd,
                           diff_step=1e-3, max_nfev=200)
    return values(result.x)


def _held_out(device, rows, catalog, factors, prior, names, by: str) -> float | None:
    """Median error of the latency figures of each group (``by``: "model" or "measurement"),
    predicted by a fit to the other groups; None with fewer than two groups."""
    def group(r: Row):
        return r.measurement.model_id if by == "model" else r.measurement.id

    groups = sorted({group(r) for r in rows}, key=str)
    if len(groups) < 2:
        return None
    errors = []
    for held in groups:
        rest = [r for r in rows if group(r) != held]
        out = [r for r in rows if group(r) == held]
        values = _fit(_Predictor(device, rest, catalog, factors), rest, prior, names)
        predicted = _Predictor(device, out, catalog, factors)(values)
        errors += [abs(p / r.actual - 1) for p, r in zip(predicted, out) if r.figure in LATENCY_FIGURES]
    return round(statistics.median(errors), 4) if errors else None


def _mape(predicted: np.ndarray, rows: list[Row], which: list[int]) -> float:
    return round(statistics.median(abs(predicted[i] / rows[i].actual - 1) for i in which), 4) if which else 0.0
