"""Measurements: store them and let them correct the performance model (calibrate)."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add these commands to the main app."""
    app.command("calibrate")(calibrate)


def calibrate(
    measurements: Annotated[str | None, typer.Argument(metavar="FILE.csv",
                                                          help="Measured latency (and throughput, power) per "
                                                               "model_id, device_id, precision, batch_size.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Forget every stored measurement.")] = False,
) -> None:
    """Store measurements; from then on plans use them instead of the model's estimates.

    Columns: model_id, device_id, precision, batch_size, latency_ms, throughput_rps, power_w, source
    (the last three may be empty). A measurement replaces an earlier one of the same configuration.
    """
    from hardware import load_catalog
    from hardware.yamlio import read_text
    from planner.measure.store import (
        MeasurementError,
        load_store,
        merge,
        read_measurements,
        save_store,
        store_path,
    )

    if reset:
        save_store([])
        typer.echo(f"forgot every measurement ({store_path()})")
        if measurements is None:
            return
    if measurements is None:
        raise typer.BadParameter("give a measurements CSV file, or --reset")
    from pathlib import Path

    path = Path(measurements)
    if not path.is_file():
        raise typer.BadParameter(f"{measurements}: no such file")
    cat = load_catalog()
    new = read_measurements(read_text(path, "measurements file", MeasurementError), str(path), cat.models, cat.devices)
    stored = save_store(merge(load_store(), new))
    typer.echo(f"stored {len(new)} measurement(s) in {stored}; plans now use them")
