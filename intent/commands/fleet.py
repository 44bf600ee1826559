"""intentctl fleet ...: place many workloads at once on a shared inventory."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from intent.commands.common import (
    MAX_TIME_LIMIT_S,
    CatalogOpt,
    DraOpt,
    JsonOpt,
    QueueOpt,
    QuietOpt,
    SeedOpt,
    console,
    emit_options_need_emit,
    print_json,
)

app = typer.Typer(help="Fleets: many inference services and training jobs placed at once on shared devices.",
                  no_args_is_help=True)


class FleetEmit(str, Enum):
    k8s = "k8s"


class FleetObjective(str, Enum):
    throughput = "throughput"
    power = "power"
    cost = "cost"


@app.command("plan")
def fleet_plan(
    path: Annotated[str, typer.Argument(metavar="FLEET.yaml", help="Inventory (with MIG or time-slicing) and "
                                                                   "workloads; see examples/fleet.yaml.")],
    json_out: JsonOpt = False,
    objective: Annotated[FleetObjective | None, typer.Option(
        "--objective", help="Override the file's fleet objective: served throughput, power or cost.")] = None,
    catalog: CatalogOpt = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.1, max=MAX_TIME_LIMIT_S, help="Seconds for the whole plan: building the options and every objective level "
                                      "(SLOs first; a level the limit stops keeps the best found, and the plan is "
                                      "FEASIBLE with its gaps).")] = None,
    seed: SeedOpt = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, max=64, help="Solver threads (default 1: the same file gives the same plan whenever "
                                            "the solve ends before --time-limit; a plan the limit stops depends on the "
                                            "machine's speed, and its status says FEASIBLE).")] = None,
    policy: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                  help="Organisation policy (default: INTENTCTL_POLICY).")] = None,
    emit: Annotated[FleetEmit | None, typer.Option("--emit", help="Also write Kubernetes objects for every "
                                                                  "placement and the GPU sharing config.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="DIR", help="Where --emit writes.")] = ".",
    previous: Annotated[str | None, typer.Option(
        "--previous", metavar="PLAN.json", help="The plan now running (from --json): plan again after workloads or "
                                                "inventory changed, keeping what still fits; moving a running "
                                                "workload costs more than anything but an SLO met.")] = None,
    no_colocate: Annotated[bool, typer.Option(
        "--no-colocate", help="Give training jobs devices of their own; by default a job may run in the compute "
                              "inference replicas leave idle, preempted by them (not exportable to Kubernetes "
                              "without GPU sharing).")] = False,
    dra: DraOpt = False,
    queue: QueueOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Place every workload with one CP-SAT model: device pool, replicas, precision and model variant.

    Workloads that meet their SLOs come first (by strict priority), then the fleet objective.
    A service may be served from several pools at once. The plan lists what could not be
    placed and why, and how busy each pool is; with --previous, what moved and why.

    The file: schema_version: 1; objective: throughput, power or cost (default throughput);
    inventory: a list of pools, each {id: a catalog device id, count, placement: cloud, on-prem
    or edge, usd_per_hour (optional), pool: a name (when one id is listed twice), sharing: {mig:
    N} or {time_slicing: N}}; workloads: a list, each {name, request: a plain-language request
    (or intent: a parsed one), priority (1 to 100, higher first, default 1), deadline_hours (training
    jobs)}.
    The time limit is 10 s unless --time-limit says otherwise.

    Example: intentctl fleet plan examples/fleet.yaml --objective power --emit k8s --output deploy/

    Example: intentctl fleet plan examples/fleet.yaml --json > plan.json; (edit the fleet) then
    intentctl fleet plan examples/fleet.yaml --previous plan.json
    """
    from intent.api import plan_fleet
    from intent.progress import progress
    from intent.settings import load_settings

    emit_options_need_emit(emit, dra, queue)
    settings = load_settings(solver_time_limit_s=time_limit, solver_seed=seed, solver_workers=workers)
    with progress(f"placing the workloads of {path}", quiet):
        result = plan_fleet(path, catalog_dir=catalog, settings=settings, policy=policy,
                            objective=objective.value if objective else None, previous=previous,
                            colocate=not no_colocate)
    if json_out:
        print_json(result.model_dump(mode="json"))
    else:
        from intent.render import show_fleet

        show_fleet(result, console())
    if emit is not None:
        _write_fleet(path, result, catalog, settings, policy, output, dra, queue)


def _write_fleet(path, result, catalog, settings, policy, output, dra, queue) -> None:
    """Write the fleet plan's Kubernetes objects, one file per placement."""
    from hardware import load_catalog
    from intent.api import fleet_inputs
    from intent.export import EmitOptions, write_fleet

    loaded = load_catalog(catalog)
    fleet, workloads, _ = fleet_inputs(path, loaded, settings, policy)  # the unreadable have no placements
    for written in write_fleet(result, fleet, workloads, loaded, output, EmitOptions(dra=dra, queue=queue)):
        typer.echo(f"wrote {written}", err=True)
