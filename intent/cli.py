"""The ``intentctl`` command line: a thin layer over the Python API.

Every command can print JSON (``--json``) or a terminal view; both come from the same typed
object. ``main`` turns every known error into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from intent.commands import catalog as catalog_commands
from intent.commands import fleet as fleet_commands
from intent.commands import history as history_commands
from intent.commands import measure as measure_commands
from intent.commands import policy as policy_commands
from intent.commands.common import (
    CatalogOpt,
    DraOpt,
    ExportFormat,
    JsonOpt,
    Language,
    ModelOpt,
    OfflineOpt,
    QueueOpt,
    QuietOpt,
    SchemaKind,
    SeedOpt,
    TimeLimitOpt,
    ViewLangOpt,
    console,
    emit_options_need_emit,
    note_offline,
    print_json,
    view_language,
    write_artifacts,
)

app = typer.Typer(
    help="Say what an AI workload needs in plain words (English or Chinese); get an explained plan: "
         "device, precision, model variant, batch size, replicas, predicted metrics, policies and steps.",
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: 2: a request, or a file given with it (catalog, inventory, fleet, policy, measurements), that cannot be
#: read or planned as written (an impossible value, a model or device the catalog lacks); 3: an infeasible request (or a
#: fleet none of whose workloads any pool can run);
#: 1: anything else (a policy refusal included).
EXIT_CODES = {"intent-not-understood": 2, "impossible-value": 2, "unknown-model": 2, "unknown-device": 2, "infeasible": 3,
              "missing-task": 2, "fleet-error": 2, "not-finite": 2, "catalog-invalid": 2, "inventory-invalid": 2,
              "bad-argument": 2, "config-invalid": 2, "policy-error": 2, "measurements-invalid": 2, "profile-error": 2,
              "no-placement": 3, "previous-plan-mismatch": 2}


@app.callback(invoke_without_command=True)
def overview(ctx: typer.Context) -> None:
    """With no command, open a chat (see: intentctl chat --help)."""
    if ctx.invoked_subcommand is None:
        from intent.chat import run

        raise typer.Exit(run())


@app.command()
def chat(offline: OfflineOpt = False, catalog: CatalogOpt = None,
         lang: Annotated[Language | None, typer.Option(
             "--lang", help="Answer in this language (default: the language of each message).")] = None) -> None:
    """Talk to intentctl: each message refines the plan ("make it cheaper", "no NVIDIA", "why not a single H100?").

    Commands inside the chat (or their words, in English or Chinese: "undo", 撤销):
    /help /show /json /alternatives /export /undo /history /save /load /reset /quit.
    """
    from intent.chat import run

    note_offline(offline)
    raise typer.Exit(run(offline=offline, catalog_dir=catalog, lang=lang.value if lang else None))


@app.command()
def plan(
    request: Annotated[str | None, typer.Argument(
        help='What you need, e.g. "lowest power, classify images in 10ms".')] = None,
    json_out: JsonOpt = False,
    offline: OfflineOpt = False,
    catalog: CatalogOpt = None,
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = None,
    model: ModelOpt = None,
    inventory: Annotated[str | None, typer.Option("--inventory", metavar="FILE",
                                                     help="Plan only on the devices this inventory lists "
                                                          "(ids, counts, placement, price).")] = None,
    alternatives: Annotated[int, typer.Option("--alternatives", "-k", min=0, max=20,
                                              help="How many runner-ups on other devices to show.")] = 3,
    policy: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                  help="Organisation policy (default: INTENTCTL_POLICY).")] = None,
    no_history: Annotated[bool, typer.Option("--no-history", help="Do not store this plan in the history.")] = False,
    pareto: Annotated[bool, typer.Option("--pareto", help="Also show the trade-off front (objective, latency, "
                                                          "power, cost, accuracy).")] = False,
    plot: Annotated[str | None, typer.Option("--plot", metavar="FILE.png|svg|pdf|jpg",
                                                help="Draw the trade-off front: the objective against each other "
                                                     "metric, bounds as lines, the chosen plan marked (needs the "
                                                     "plot extra: pip install 'intentctl\\[plot]').")] = None,
    no_defaults: Annotated[bool, typer.Option("--no-defaults", help="Plan without the documented bounds a "
                                              "request leaves unstated (chat TTFT/TPOT, quality floors).")] = False,
    emit: Annotated[ExportFormat | None, typer.Option("--emit", help="Also write deployable artifacts.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Where --emit writes.")] = ".",
    dra: DraOpt = False,
    queue: QueueOpt = None,
    quiet: QuietOpt = False,
    lang: ViewLangOpt = None,
    check: Annotated[int | None, typer.Option(
        "--check", metavar="PLAN_ID", help="Compare a stored plan's predictions with the measurements taken since "
                                           "(intentctl profile, calibrate) and say where they drifted by more "
                                           "than 10%.")] = None,
) -> None:
    """Plan a request: choose device, precision, model variant, batch size and replicas.

    Examples:

      intentctl plan "cheapest way to serve llama 3 8b at 50 req/s, no public cloud"

      intentctl plan "Llama 3.1 70B for 20 concurrent users, TTFT under 500 ms, 30 tokens/s per user"

      intentctl plan "I have 4 A100s and 2 L4s: summarize 10,000 documents within 2 hours"

      intentctl plan "fine-tune llama 3 8b on 50k examples, budget $200, done within 12 hours"

      intentctl plan "用最低功耗在10ms内完成图像分类"

    What the request says that the plan cannot hold ("EU only", a model the catalog lacks) is listed under warnings, above the plan. A bound that cannot be planned as written (negative, not a number, an unknown unit) exits 2 and quotes it.
    """  # typer keeps a docstring's line breaks: that paragraph stays one line
    from intent.api import plan as make_plan
    from intent.progress import progress
    from intent.settings import load_settings

    if check is not None:
        from intent.commands.drift import show_drift

        show_drift(check, json_out=json_out and request is None, to_stderr=request is not None)
    if request is None:
        if check is None:
            raise typer.BadParameter("give a request to plan (or --check PLAN_ID)")
        return
    note_offline(offline)
    emit_options_need_emit(emit, dra, queue)
    if plot is not None:
        from intent.plot import check_path

        check_path(plot)  # a format the chart cannot be written in is refused before planning
    settings = load_settings(solver_time_limit_s=time_limit, solver_seed=seed, model=model)
    with progress("planning", quiet):
        result = make_plan(request, offline=offline, catalog_dir=catalog, settings=settings, inventory=inventory,
                           alternatives=alternatives, policy=policy, record=False if no_history else None,
                           pareto=pareto or plot is not None, defaults=not no_defaults)
    if emit is not None:  # before the view: a closed pipe ("| head") must not cost the artifacts
        write_artifacts(result, emit, output, catalog, dra=dra, queue=queue)
    from intent import history

    stored = history.last_recorded.get() if not no_history else None
    if stored is not None:
        typer.echo(f"intentctl: stored as plan {stored} (intentctl show {stored}; intentctl export {stored} -f k8s)",
                   err=True)
    if json_out:
        print_json(result.model_dump(mode="json"))
    else:
        from intent.render import show_plan

        show_plan(result, console(), view_language(lang, request))
    if plot is not None:
        from intent.plot import plot_front

        with progress("drawing the trade-off front", quiet):
            written = plot_front(result, plot)
        typer.echo(f"wrote {written}", err=True)


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

    note_offline(offline)
    intent = read(request, offline=offline, catalog_dir=catalog, settings=load_settings(model=model))
    if json_out:
        print_json(intent.model_dump(mode="json"))
    else:
        from intent.render import show_intent

        show_intent(intent, console())


@app.command()
def schema(kind: Annotated[SchemaKind, typer.Argument(help="intent or plan")]) -> None:
    """Print the JSON Schema of the Intent or of the ExecutionPlan."""
    if kind == SchemaKind.intent:
        from intent.schema import Intent as model
    else:
        from planner.plan import ExecutionPlan as model
    print_json(model.model_json_schema())


history_commands.register(app)
measure_commands.register(app)
app.add_typer(catalog_commands.app, name="catalog")
app.add_typer(policy_commands.app, name="policy")
app.add_typer(fleet_commands.app, name="fleet")


def _known_errors() -> tuple[type[Exception], ...]:
    from hardware.errors import CatalogError
    from intent.errors import IntentError
    from intent.export import ExportError
    from intent.history import HistoryError
    from intent.plot import PlotError
    from planner.errors import PlanningError
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


def _with_pasted_lists(argv: list[str]) -> list[str]:
    """A request pasted as a bullet list ("- task: object detection\n- objective: min power") starts
    with a dash, which the option parser took for an unknown option ("No such option: - "). A word
    that starts with a dash and then a space is no option: it moves to the end, after "--", so it is
    read as text and the options after it still as options."""
    if "--" in argv:
        return argv
    for i, arg in enumerate(argv):
        if len(arg) > 1 and arg[0] == "-" and arg[1].isspace():
            return [*argv[:i], *argv[i + 1:], "--", arg]
    return argv


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning known errors into one line and an exit code."""
    from planner.solve.cpsat import defer_pandas

    defer_pandas()  # a CLI process runs no one else's threads (see planner.solve.cpsat)
    try:
        args = _with_pasted_lists(sys.argv[1:] if argv is None else argv)
        code = app(args=args, standalone_mode=False)  # a typer.Exit(code) comes back as its code
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
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
