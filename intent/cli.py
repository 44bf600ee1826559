"""The ``intentctl`` command line: a thin layer over the Python API.

Every command can print JSON (``--json``) or a terminal view; both come from the same typed
object. ``main`` turns every known error into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Say what an AI workload needs in plain words (English or Chinese); get an explained plan: "
         "device, precision, model variant, batch size, replicas, predicted metrics, policies and steps.",
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Look at the hardware and model catalogs.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
policy_app = typer.Typer(help="Organisation policies: mandatory rules requests cannot loosen.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of the terminal view.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Parse with the offline rules; never call an LLM.")]
CatalogOpt = Annotated[Optional[str], typer.Option("--catalog", metavar="DIR",
                                                   help="A directory of devices.yaml / models.yaml that adds to or "
                                                        "overrides the packaged catalog.")]
TimeLimitOpt = Annotated[Optional[float], typer.Option("--time-limit", min=0.1, help="Solver time limit in seconds.")]
ModelOpt = Annotated[Optional[str], typer.Option("--model", help="LLM model name (default: INTENTCTL_MODEL).")]
SeedOpt = Annotated[Optional[int], typer.Option("--seed", help="Solver random seed (plans are reproducible per seed).")]

EXIT_CODES = {"intent-not-understood": 2, "infeasible": 3, "missing-task": 2}


@app.callback(invoke_without_command=True)
def overview(ctx: typer.Context) -> None:
    """With no command, open a chat (see: intentctl chat --help)."""
    if ctx.invoked_subcommand is None:
        from intent.chat import run

        raise typer.Exit(run())


@app.command()
def chat(offline: OfflineOpt = False, catalog: CatalogOpt = None) -> None:
    """Talk to intentctl: each message refines the plan ("make it cheaper", "no NVIDIA", "why not the L4?").

    Commands inside the chat: /help /json /alternatives /export /undo /reset /save /quit.
    """
    from intent.chat import run

    _note_offline(offline)
    raise typer.Exit(run(offline=offline, catalog_dir=catalog))


class ExportFormat(str, Enum):
    k8s = "k8s"
    triton = "triton"


class SchemaKind(str, Enum):
    intent = "intent"
    plan = "plan"


def _console():
    from rich.console import Console

    return Console(highlight=False)


def _print_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def _note_offline(offline: bool) -> None:
    """Say once, on stderr, that parsing is offline when the user did not ask for it."""
    from intent.settings import load_settings

    if offline:
        return
    if not load_settings().llm_configured:
        typer.echo("intentctl: no OPENAI_API_KEY set; parsing offline with the rule-based parser.", err=True)


@app.command()
def plan(
    request: Annotated[str, typer.Argument(help='What you need, e.g. "lowest power, classify images in 10ms".')],
    json_out: JsonOpt = False,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = None,
    model: ModelOpt = None,
    inventory: Annotated[Optional[str], typer.Option("--inventory", metavar="FILE",
                                                     help="Plan only on the devices this inventory lists "
                                                          "(ids, counts, placement, price).")] = None,
    alternatives: Annotated[int, typer.Option("--alternatives", "-k", min=0, max=20,
                                              help="How many runner-ups on other devices to show.")] = 3,
    policy: Annotated[Optional[str], typer.Option("--policy", metavar="FILE",
                                                  help="Organisation policy (default: INTENTCTL_POLICY).")] = None,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not store this plan in the history.")] = False,
    pareto: Annotated[bool, typer.Option("--pareto", help="Also show the trade-off front (objective, latency, "
                                                          "power, cost, accuracy).")] = False,
    plot: Annotated[Optional[str], typer.Option("--plot", metavar="FILE.png|svg",
                                                help="Draw the trade-off front, marking the chosen plan.")] = None,
    emit: Annotated[Optional[ExportFormat], typer.Option("--emit", help="Also write deployable artifacts.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Where --emit writes.")] = ".",
) -> None:
    """Plan a request: choose device, precision, model variant, batch size and replicas.

    Example: intentctl plan "cheapest way to serve llama 3 8b at 50 req/s, no public cloud"
    """
    from intent.api import plan as make_plan
    from intent.settings import load_settings

    _note_offline(offline)
    settings = load_settings(solver_time_limit_s=time_limit, solver_seed=seed, model=model)
    result = make_plan(request, offline=offline, catalog_dir=catalog, settings=settings, inventory=inventory,
                       alternatives=alternatives, policy=policy, record=False if no_history else None,
                       pareto=pareto or plot is not None)
    if json_out:
        _print_json(result.model_dump(mode="json"))
    else:
        from intent.render import show_plan

        show_plan(result, _console())
    if plot is not None:
        from intent.plot import plot_front

        typer.echo(f"wrote {plot_front(result, plot)}", err=True)
    if emit is not None:
        _emit(result, emit, output, catalog)


def _emit(result, kind: ExportFormat, output: str, catalog: str | None) -> None:
    from hardware import load_catalog
    from intent.export import write

    for path in write(result, load_catalog(catalog), kind.value, output):
        typer.echo(f"wrote {path}", err=True)


@app.command()
def export(
    plan_id: Annotated[int, typer.Argument(metavar="ID", help="A plan id from intentctl history.")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="k8s or triton.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Where to write.")] = ".",
    catalog: CatalogOpt = None,
) -> None:
    """Write deployable artifacts for a stored plan: Kubernetes manifests or a Triton model config."""
    from intent import history

    _emit(history.get(plan_id).plan, format, output, catalog)


@app.command()
def parse(
    request: Annotated[str, typer.Argument(help="The request to read.")],
    json_out: JsonOpt = False,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
    model: ModelOpt = None,
) -> None:
    """Show how a request is read: task, objective, constraints in canonical units, hardware, policies.

    Example: intentctl parse --json "用最低功耗在10ms内完成图像分类"
    """
    from intent.api import parse as read
    from intent.settings import load_settings

    _note_offline(offline)
    intent = read(request, offline=offline, catalog_dir=catalog, settings=load_settings(model=model))
    if json_out:
        _print_json(intent.model_dump(mode="json"))
    else:
        from intent.render import show_intent

        show_intent(intent, _console())


@catalog_app.command("devices")
def catalog_devices(json_out: JsonOpt = False, catalog: CatalogOpt = None) -> None:
    """List the devices: peak throughput, memory, power, price, where they can run (* = derived)."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    if json_out:
        _print_json([d.model_dump(mode="json") for d in sorted(cat.devices.values(), key=lambda d: d.id)])
    else:
        from intent.render import devices_table

        _console().print(devices_table(cat))


@catalog_app.command("models")
def catalog_models(json_out: JsonOpt = False, catalog: CatalogOpt = None,
                   task: Annotated[Optional[str], typer.Option(help="Only models for this task tag.")] = None) -> None:
    """List the model variants: task, size, FLOPs, accuracy (* = derived or estimated)."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    models = [m for m in sorted(cat.models.values(), key=lambda m: m.id) if task is None or m.task == task]
    if json_out:
        _print_json([m.model_dump(mode="json") for m in models])
    else:
        from intent.render import models_table

        _console().print(models_table(cat if task is None else _subset(cat, models)))


def _subset(cat, models):
    from dataclasses import replace

    return replace(cat, models={m.id: m for m in models})


@catalog_app.command("validate")
def catalog_validate(directory: Annotated[str, typer.Argument(help="A directory with devices.yaml and/or models.yaml.")]) -> None:
    """Check a catalog directory; errors name the file, the entry and the field."""
    from hardware import validate_directory

    cat = validate_directory(directory)
    typer.echo(f"ok: {directory} holds {len(cat.devices)} devices and {len(cat.models)} models")


@catalog_app.command("detect")
def catalog_detect(json_out: JsonOpt = False, catalog: CatalogOpt = None) -> None:
    """Describe this machine (CPU, cores, memory, ISA features, NVIDIA GPUs) as inventory entries."""
    from hardware import load_catalog
    from hardware.detect import detect

    report = detect(load_catalog(catalog))
    if json_out:
        _print_json(report.model_dump(mode="json") | {"inventory": report.inventory_entries()})
        return
    for device in report.devices:
        match = f"catalog id {device.catalog_id}" if device.catalog_id else "no catalog match"
        memory = f", {device.memory_gb:g} GB" if device.memory_gb else ""
        typer.echo(f"{device.kind}: {device.count} x {device.name}{memory} ({match})")
        for key, value in device.details.items():
            typer.echo(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    for item in report.not_detected:
        typer.echo(f"not detected: {item}")


@catalog_app.command("show")
def catalog_show(
    entry_id: Annotated[str, typer.Argument(help="A device, family or model id, e.g. nvidia-l4 or resnet50.")],
    json_out: JsonOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Show one device or model with every figure's basis and source."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    if entry_id in cat.families:
        members = sorted((d for d in cat.devices.values() if d.family == entry_id), key=lambda d: d.id)
        if json_out:
            _print_json({"family": entry_id, **cat.families[entry_id].model_dump(mode="json"),
                         "devices": [d.model_dump(mode="json") for d in members]})
        else:
            from dataclasses import replace

            from intent.render import devices_table

            _console().print(devices_table(replace(cat, devices={d.id: d for d in members})))
        return
    entry = _find_entry(cat, entry_id)
    if json_out:
        _print_json(entry.model_dump(mode="json"))
    else:
        from intent.render import entry_table

        _console().print(entry_table(entry))


def _find_entry(cat, entry_id: str):
    from hardware import UnknownEntryError

    if entry_id in cat.devices:
        return cat.devices[entry_id]
    if entry_id in cat.models:
        return cat.models[entry_id]
    known = list(cat.devices) + list(cat.models)
    from hardware.catalog import close_matches

    raise UnknownEntryError("device or model", entry_id, close_matches(entry_id, known))


@policy_app.command("check")
def policy_check(path: Annotated[str, typer.Argument(metavar="FILE", help="An organisation policy YAML file.")]) -> None:
    """Validate an organisation policy file; errors give the line and the field."""
    from policies import load_policy

    policy = load_policy(path)
    typer.echo(f"ok: {policy.name!r}, {len(policy.rules)} rule(s): {', '.join(r.id for r in policy.rules)}")


@app.command()
def calibrate(
    measurements: Annotated[Optional[str], typer.Argument(metavar="FILE.csv",
                                                          help="Measured latency (and throughput, power) per "
                                                               "model_id, device_id, precision, batch_size.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Forget every stored measurement.")] = False,
) -> None:
    """Store measurements; from then on plans use them instead of the model's estimates.

    Columns: model_id, device_id, precision, batch_size, latency_ms, throughput_rps, power_w, source
    (the last three may be empty). A measurement replaces an earlier one of the same configuration.
    """
    from hardware import load_catalog
    from planner.measurements import load_store, merge, read_measurements, save_store, store_path

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
    new = read_measurements(path.read_text(encoding="utf-8"), str(path), cat.models, cat.devices)
    stored = save_store(merge(load_store(), new))
    typer.echo(f"stored {len(new)} measurement(s) in {stored}; plans now use them")


@app.command("history")
def history_list(json_out: JsonOpt = False,
                 limit: Annotated[int, typer.Option(min=1, help="How many recent plans to list.")] = 20) -> None:
    """List stored plans, newest first (see also: intentctl show ID, intentctl diff ID ID)."""
    from intent import history

    items = [e.summary() for e in history.entries(limit)]
    if json_out:
        _print_json(items)
        return
    if not items:
        typer.echo("no plans stored yet (plans made with intentctl plan are stored automatically)")
    for item in items:
        typer.echo(f"{item['id']:>5}  {item['created_at']}  {item['choice']}  <- {item['request']}")


@app.command("show")
def history_show(plan_id: Annotated[int, typer.Argument(metavar="ID", help="A plan id from intentctl history.")],
                 json_out: JsonOpt = False) -> None:
    """Show a stored plan."""
    from intent import history

    entry = history.get(plan_id)
    if json_out:
        _print_json(entry.plan.model_dump(mode="json"))
    else:
        from intent.render import show_plan

        show_plan(entry.plan, _console())


@app.command("diff")
def history_diff(old: Annotated[int, typer.Argument(metavar="ID", help="The earlier plan.")],
                 new: Annotated[int, typer.Argument(metavar="ID", help="The later plan.")]) -> None:
    """What changed between two stored plans, and the request and intent changes behind it."""
    from intent import history

    for line in history.diff(history.get(old), history.get(new)):
        typer.echo(line)


@app.command()
def schema(kind: Annotated[SchemaKind, typer.Argument(help="intent or plan")]) -> None:
    """Print the JSON Schema of the Intent or of the ExecutionPlan."""
    if kind == SchemaKind.intent:
        from intent.schema import Intent as model
    else:
        from planner.plan import ExecutionPlan as model
    _print_json(model.model_json_schema())


def _known_errors() -> tuple[type[Exception], ...]:
    from hardware.errors import CatalogError
    from intent.errors import IntentError
    from planner.errors import PlanningError
    from intent.export import ExportError
    from intent.history import HistoryError
    from intent.plot import PlotError
    from policies.errors import PolicyError

    return IntentError, PlanningError, CatalogError, PolicyError, HistoryError, ExportError, PlotError


def _report(exc: Exception) -> int:
    typer.echo(f"intentctl: error: {exc}", err=True)
    report = getattr(exc, "report", None)
    if report is not None:
        for line in report.lines()[1:]:
            typer.echo(f"  - {line}", err=True)
    hint = getattr(exc, "hint", "")
    if hint:
        typer.echo(f"  hint: {hint}", err=True)
    return EXIT_CODES.get(getattr(exc, "code", ""), 1)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning known errors into one line and an exit code."""
    try:
        app(args=argv, standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except KeyboardInterrupt:
        typer.echo("intentctl: interrupted", err=True)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("intentctl: aborted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - mapped below, never a traceback
        show = getattr(exc, "show", None)
        if isinstance(exc, typer.TyperException) and callable(show):  # usage errors
            show()
            return getattr(exc, "exit_code", 2)
        if isinstance(exc, _known_errors()):
            return _report(exc)
        if isinstance(exc, (OSError, ValueError)):
            typer.echo(f"intentctl: error: {exc}", err=True)
            return 1
        typer.echo(f"intentctl: internal error: {type(exc).__name__}: {exc} "
                   "(please report it with the command you ran)", err=True)
        return 70
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
