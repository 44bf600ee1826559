"""Measurements: store them, list and drop them, and fit the measured devices' parameters (calibrate)."""

from __future__ import annotations

from typing import Annotated

import typer

from intent.commands.common import CatalogOpt, JsonOpt, print_json


def register(app: typer.Typer) -> None:
    """Add these commands to the main app."""
    from intent.commands.profile import profile

    app.command("calibrate")(calibrate)
    app.command("profile")(profile)


def calibrate(
    measurements: Annotated[str | None, typer.Argument(metavar="FILE.csv",
                                                          help="Measured latency (and throughput, power) per "
                                                               "model_id, device_id, precision, batch_size.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Show the stored measurements and fitted devices.")] = False,
    drop: Annotated[list[int] | None, typer.Option("--drop", metavar="ID",
                                                    help="Remove a stored measurement (repeat for more), then "
                                                         "refit.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Forget every stored measurement and fit.")] = False,
    catalog: CatalogOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Store measurements and fit each measured device's parameters to them.

    With FILE.csv, its measurements are stored first; with none, the stored ones (intentctl profile
    adds them) are fitted. The fit moves a device's efficiency per precision, batch-1 floor,
    latency mode, memory bandwidth reached and power toward what was measured, more with more
    measurements, so every model's predictions on that device change; a measured cell is used
    as measured. Per device it prints the error before and after, a held-out error (each model
    predicted by a fit without it) and the parameters that moved.

    Columns: model_id, device_id, precision, batch_size, latency_ms, and optionally measured_at,
    latency_p90_ms, latency_p99_ms, throughput_rps, power_w, peak_memory_mb, ttft_ms, tpot_ms,
    tokens_per_s, prompt_tokens, output_tokens, provider, software, source. A measurement replaces
    an earlier one of the same configuration, batch and request shape.
    """
    from hardware import load_catalog
    from planner.measure import store

    cat = load_catalog(catalog)
    if list_:
        _list(json_out)
        return
    if reset:
        from planner.measure.fitted import FittedDevices, save_fits

        store.save_store([])
        save_fits(FittedDevices())
        typer.echo(f"forgot every measurement and fitted device ({store.store_path()})", err=json_out)
        if measurements is None:
            return
    if drop:
        for m in store.drop(drop):
            typer.echo(f"dropped #{m.id}: {_describe(m)}", err=json_out)
    if measurements is not None:
        new = _read_file(measurements, cat)
        added = store.add(new)
        typer.echo(f"stored {len(added)} measurement(s) as #{', #'.join(str(m.id) for m in added)} in "
                   f"{store.store_path()}", err=json_out)
    _fit(cat, json_out)


def _read_file(name: str, cat):
    from pathlib import Path

    from hardware.yamlio import read_text
    from planner.measure.store import MeasurementError, read_measurements

    path = Path(name)
    if not path.is_file():
        raise typer.BadParameter(f"{name}: no such file")
    return read_measurements(read_text(path, "measurements file", MeasurementError), str(path), cat.models, cat.devices)


def _fit(cat, json_out: bool) -> None:
    """Fit every measured device and store the fits (devices no longer measured lose theirs)."""
    from planner.measure.calibrate import calibrate as fit
    from planner.measure.fitted import FittedDevices, save_fits
    from planner.measure.store import load_store
    from planner.perf.factors import load_factors

    measurements = load_store()
    reports = fit(measurements, cat, load_factors(user=False))
    save_fits(FittedDevices(devices={r.device_id: r.fit for r in reports if r.fit is not None}))
    if json_out:
        print_json([{"device_id": r.device_id, "fit": r.fit.model_dump(mode="json") if r.fit else None,
                     "skipped": r.skipped, "reason": r.reason} for r in reports])
        return
    if not measurements:
        typer.echo("no measurements stored: add some with intentctl profile, or intentctl calibrate FILE.csv")
    for report in reports:
        for line in _report_lines(report):
            typer.echo(line)


def _report_lines(report) -> list[str]:
    from planner.measure.fitted import PARAMETERS

    if report.fit is None:
        return [f"{report.device_id}: not fitted: {report.reason}"] + [f"  skipped {s}" for s in report.skipped]
    fit, e = report.fit, report.fit.error
    held = ", ".join(f"{what} {value:.1%}" for what, value in (
        ("a model at a time", e.held_out_models), ("a measurement at a time", e.held_out_measurements))
        if value is not None) or "needs two measurements"
    lines = [f"{report.device_id}: fitted to {e.rows} measured figure(s) of {len(fit.measurement_ids)} measurement(s)",
             f"  median error: before {e.before:.1%}, after {e.after:.1%}; held out: {held}"]
    if e.power_before is not None:
        lines.append(f"  power error: before {e.power_before:.1%}, after {e.power_after:.1%}")
    moved = report.moved()
    for name, p in moved:
        lines.append(f"  moved: {name} {p.prior:.4g} -> {p.value:.4g} ({p.value / p.prior - 1:+.0%}; "
                     f"{p.rows} figure(s)) - {PARAMETERS[name.split('/')[0]]}")
    kept = [n for n in fit.parameters if n not in dict(moved)]
    if kept:
        lines.append(f"  near their prior: {', '.join(kept)}")
    lines += [f"  skipped {s}" for s in report.skipped]
    return lines


def _describe(m) -> str:
    return f"{m.model_id} on {m.device_id}, {m.precision}, batch {m.batch_size}: {m.latency_ms:.4g} ms"


def _list(json_out: bool) -> None:
    from planner.measure.fitted import load_fits
    from planner.measure.store import load_store, store_path

    measurements, fits = load_store(), load_fits()
    if json_out:
        print_json({"measurements": [m.model_dump(mode="json") for m in measurements],
                    "devices": {d: f.model_dump(mode="json") for d, f in fits.devices.items()}})
        return
    if not measurements:
        typer.echo(f"no measurements stored ({store_path()})")
    for m in measurements:
        extra = [f"p99 {m.latency_p99_ms:.4g} ms" if m.latency_p99_ms else "",
                 f"{m.power_w:.3g} W" if m.power_w else "",
                 f"TTFT {m.ttft_ms:.4g} ms, TPOT {m.tpot_ms:.4g} ms" if m.ttft_ms and m.tpot_ms else "",
                 m.provider or "", m.source or ""]
        typer.echo(f"#{m.id:<4} {m.measured_at or '-':<25} {_describe(m)}"
                   + "".join(f"; {x}" for x in extra if x))
    for device_id, fit in sorted(fits.devices.items()):
        stale = {m.id for m in measurements if m.device_id == device_id} != set(fit.measurement_ids)
        params = ", ".join(f"{n} {p.value:.4g} (prior {p.prior:.4g})" for n, p in fit.parameters.items())
        typer.echo(f"fitted {device_id} at {fit.fitted_at} to #{', #'.join(map(str, fit.measurement_ids))}: {params}"
                   + ("; measurements changed since: run intentctl calibrate to refit" if stale else ""))
