"""Stored plans: history, show, diff, export."""

from __future__ import annotations

from typing import Annotated

import typer

from intent.commands.common import (
    CatalogOpt,
    DraOpt,
    ExportFormat,
    JsonOpt,
    QueueOpt,
    ViewLangOpt,
    console,
    print_json,
    view_language,
    write_artifacts,
)


def register(app: typer.Typer) -> None:
    """Add these commands to the main app."""
    for command, name in ((export, "export"), (history_list, "history"), (history_show, "show"),
                          (history_diff, "diff")):
        app.command(name)(command)


def export(
    plan_id: Annotated[int, typer.Argument(metavar="ID", help="A plan id from intentctl history.")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="k8s, kserve or triton.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Where to write.")] = ".",
    catalog: CatalogOpt = None,
    dra: DraOpt = False,
    queue: QueueOpt = None,
) -> None:
    """Write deployable artifacts for a stored plan: Kubernetes manifests (plain or KServe) or a Triton model config.
    Pass the --catalog DIR the plan was made with, if any: the artifacts take names and figures from it."""
    from intent import history

    stored = history.get(plan_id).plan
    _check_catalog(plan_id, stored, catalog)
    write_artifacts(stored, format, output, catalog, dra=dra, queue=queue)


def _check_catalog(plan_id: int, stored, catalog: str | None) -> None:
    """A stored plan exported on another catalog than it was made on: refused when that catalog lacks
    its device or model (a plan made with --catalog DIR exported without it), else said on stderr."""
    from hardware import load_catalog
    from intent.export import ExportError

    loaded = load_catalog(catalog)
    if stored.catalog_hash == loaded.digest:
        return
    said = f"plan {plan_id} was made on catalog {stored.catalog_hash}, and the catalog loaded now is {loaded.digest}"
    devices = {stored.choice.device_id, *(p.choice.device_id for p in stored.pools)}
    missing = sorted(d for d in devices if d not in loaded.devices)
    missing += [stored.choice.model_id] if stored.choice.model_id not in loaded.models else []
    if missing:
        refused = ExportError(f"{said}, which has no {', '.join(missing)}: pass the --catalog DIR the plan was made with")
        refused.hint = f"intentctl export {plan_id} -f FORMAT --catalog DIR (the directory the plan was made with)"
        raise refused
    typer.echo(f"intentctl: note: {said}: the artifacts take names and figures from the catalog loaded now; pass "
               "the --catalog DIR the plan was made with to export it as planned", err=True)


def history_list(json_out: JsonOpt = False,
                 limit: Annotated[int, typer.Option(min=1, help="How many recent plans to list.")] = 20) -> None:
    """List stored plans, newest first (see also: intentctl show ID, intentctl diff ID ID)."""
    from intent import history

    found, skipped = history.read_entries(limit)
    items = [e.summary() for e in found]
    if skipped:
        typer.echo(f"intentctl: skipped {skipped} stored plan(s) that could not be read", err=True)
    if json_out:
        print_json(items)
        return
    if not items:
        typer.echo("no plans stored yet (plans made with intentctl plan are stored automatically)")
    for item in items:
        typer.echo(f"{item['id']:>5}  {item['created_at']}  {item['choice']}  <- {item['request']}")


def history_show(plan_id: Annotated[int, typer.Argument(metavar="ID", help="A plan id from intentctl history.")],
                 json_out: JsonOpt = False, lang: ViewLangOpt = None) -> None:
    """Show a stored plan."""
    from intent import history

    entry = history.get(plan_id)
    if json_out:
        print_json(entry.plan.model_dump(mode="json"))
    else:
        from intent.render import show_plan

        show_plan(entry.plan, console(), view_language(lang, entry.plan.intent.text))


def history_diff(old: Annotated[int, typer.Argument(metavar="ID", help="The earlier plan.")],
                 new: Annotated[int, typer.Argument(metavar="ID", help="The later plan.")]) -> None:
    """What changed between two stored plans, and the request and intent changes behind it."""
    from intent import history

    for line in history.diff(history.get(old), history.get(new)):
        typer.echo(line)
