"""intentctl plan --check PLAN_ID: a stored plan's predictions against the measurements taken since."""

from __future__ import annotations

import typer

from intent.commands.common import print_json


def show_drift(plan_id: int, json_out: bool = False, to_stderr: bool = False) -> None:
    """Print where reality drifted from plan ``plan_id`` by more than the threshold (on stderr when
    a new plan follows on stdout)."""
    from intent import history
    from planner.measure.drift import THRESHOLD, check
    from planner.measure.store import load_store

    entry = history.get(plan_id)
    report = check(entry.plan, plan_id, entry.created_at, load_store())
    if json_out:
        print_json(report.as_dict())
        return
    def say(line: str) -> None:
        typer.echo(line, err=to_stderr)

    say(f"plan {plan_id} ({report.created_at}): {report.configuration}")
    for d in report.figures:
        mark = f"  DRIFT (more than {THRESHOLD:.0%})" if d.drifted else ""
        say(f"  {d.figure}: predicted {d.predicted:.4g}, measured {d.measured:.4g} (#{d.measurement_id}, "
                   f"{d.measured_at}): {d.change:+.1%}{mark}")
    for note in report.notes:
        say(f"  {note}")
    if report.drifted:
        say(f"{len(report.drifted)} figure(s) drifted: fit the device to the measurements (intentctl "
                   "calibrate), then plan the request again")
    elif report.figures:
        say(f"within {THRESHOLD:.0%} of what was measured")
