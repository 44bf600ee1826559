"""Fleet files: an inventory (with sharing) and the workloads to place on it.

A fleet file is YAML::

    schema_version: 1
    objective: throughput          # throughput (served requests/s), power or cost
    inventory:                     # as an inventory file, plus optional sharing
      - {id: nvidia-h100-sxm-80gb, count: 4, placement: on-prem, sharing: {mig: 7}}
      - {id: nvidia-l4, count: 8, placement: on-prem}
    workloads:
      - name: support-chat
        request: "serve llama 3 8b at 4 req/s within 3 s"
        priority: 3                # higher is placed first (strict)
      - name: fraud-finetune
        request: "fine-tune bert-base on 2 million records for 3 epochs"
        deadline_hours: 12

Each request is read by the offline rules, so a fleet file always gives the same plan; an
``intent:`` object (the JSON contract) may stand in for ``request:``. The organisation
policy applies to every workload as it does to single requests.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hardware import Catalog, Inventory, InventoryItem, check_inventory
from hardware.yamlio import first_duplicate, read_validated
from intent.errors import IntentError
from intent.schema import Intent, Metric

NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class FleetError(IntentError):
    """A fleet file or one of its workloads cannot be planned; the message names which.
    ``per_request``: the fault is one workload's request (it is planned around), not the file's."""

    code = "fleet-error"
    hint = "see 'intentctl fleet plan --help' and examples/fleet.yaml"

    def __init__(self, message: str, per_request: bool = False):
        super().__init__(message)
        self.per_request = per_request


class WorkloadEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=NAME, description="a unique name, e.g. 'support-chat'")
    request: str | None = Field(None, description="what the workload needs, in words")
    intent: Intent | None = Field(None, description="a parsed intent (the JSON contract) instead of words")
    priority: int = Field(1, ge=1, le=100, description="higher is placed first; priorities are strict")
    deadline_hours: float | None = Field(None, gt=0, allow_inf_nan=False,
                                         description="training and fine-tuning: finish within")

    @model_validator(mode="after")
    def _one_source(self) -> WorkloadEntry:
        if (self.request is None) == (self.intent is None):
            raise ValueError("give exactly one of 'request' or 'intent'")
        if self.request is not None and not self.request.strip():
            # an empty request is the file's mistake, not a workload planned around (it had exited 0, its demand
            # gone from the totals)
            raise ValueError("'request' is empty: say what the workload needs, e.g. 'embed text at 800 req/s'")
        return self


class FleetFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1]
    objective: Literal["throughput", "power", "cost"] = "throughput"
    inventory: list[InventoryItem] = Field(min_length=1)
    workloads: list[WorkloadEntry] = Field(min_length=1)

    def as_inventory(self) -> Inventory:
        return Inventory(schema_version=1, devices=self.inventory)


def load_fleet(path: str | Path, catalog: Catalog) -> FleetFile:
    """Read and check a fleet file; errors name the file, the line and the field."""
    fleet, _ = read_validated(path, FleetFile, "fleet file", FleetError)
    check_inventory(fleet.as_inventory(), catalog, f"{path}: inventory")
    duplicate = first_duplicate(w.name for w in fleet.workloads)
    if duplicate is not None:
        raise FleetError(f"{path}: workload name {duplicate!r} appears twice")
    return fleet


def load_fleet_plan(path: str | Path):
    """A fleet plan's JSON (``intentctl fleet plan --json``), read back to plan again from it."""
    from pydantic import ValidationError

    from planner.fleet.plan import FleetPlan

    try:
        return FleetPlan.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise FleetError(f"{path}: cannot read the previous plan ({exc.strerror or exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FleetError(f"{path}: not a fleet plan written by 'intentctl fleet plan --json' "
                         f"({where or 'the file'}: {first['msg']})") from exc


def fleet_workloads(fleet: FleetFile, catalog: Catalog, organisation=None) -> list:
    """Each entry as a planner workload: its request read, its policies applied. The first
    request that cannot be read is a FleetError (``readable_workloads`` plans around it)."""
    workloads, unreadable = readable_workloads(fleet, catalog, organisation)
    if unreadable:
        raise next(iter(unreadable.values()))
    return workloads


def readable_workloads(fleet: FleetFile, catalog: Catalog, organisation=None) -> tuple[list, dict[str, FleetError]]:
    """The workloads whose requests can be read and planned, and for each one that cannot
    (its name: why), so a fleet is planned around it: one request the parser cannot read is
    that workload's problem, not the fleet's. A file's own mistake (a deadline on a service)
    is still an error of the whole file."""
    out, unreadable = [], {}
    for entry in fleet.workloads:
        try:
            out.append(_workload(entry, catalog, organisation))
        except FleetError as exc:
            if not exc.per_request:
                raise
            unreadable[entry.name] = exc
    return out, unreadable


def _workload(entry: WorkloadEntry, catalog: Catalog, organisation):
    """One entry as a planner workload (FleetError, per_request, when its request cannot be planned)."""
    import policies
    from intent.agent import latency_waived, offline_tasks, quality_waived, refuse_unplannable, training_method
    from intent.parser import parse_rules
    from planner.defaults import fleet_defaults
    from planner.fleet.options import FleetWorkload
    from policies.errors import PolicyError

    try:
        intent = entry.intent or parse_rules(entry.request, catalog)
        # as a single plan: a request whose only model is one the catalog lacks is refused ("serve falcon
        # 40b" had been placed as gpt-oss-20b); its devices are the fleet's, so none is checked here
        refuse_unplannable(intent, catalog, inventory=FLEET_INVENTORY)
        other_tasks = offline_tasks(intent, catalog) if entry.intent and organisation else ()
        effects = policies.preflight(intent, organisation, catalog, other_tasks)
    except (IntentError, PolicyError) as exc:
        raise FleetError(f"workload {entry.name!r}: {exc}", per_request=True) from exc
    intent, notes = fleet_defaults(effects.intent, catalog, quality_waived(effects.intent),
                                   latency_waived(effects.intent))
    notes += _devices_left_to_the_inventory(intent)
    # what its policies do ("watermarking adds ...") and what its request asks that is not planned
    # ("EU only"), as a single plan says them
    notes = list(effects.assumptions) + notes + _policies_asked(intent) + [f"warning: {w}" for w in intent.warnings]
    workload = FleetWorkload(name=entry.name, intent=intent, priority=entry.priority,
                             deadline_hours=entry.deadline_hours, rules=tuple(effects.placement_rules()),
                             added_latency=effects.added_latency, notes=tuple(notes),
                             method=training_method(intent))
    _check(entry, workload)
    tokens = intent.bound(Metric.TOKEN_THROUGHPUT, ">=")
    if tokens and intent.bound(Metric.THROUGHPUT, ">=") is None and not workload.users:
        workload = replace(workload, notes=(*workload.notes, (
            f"{tokens:,.0f} generated tokens/s planned as {workload.rate_rps:,.3g} req/s of {workload.output_tokens} "
            "output tokens each (state the reply length, or a rate in req/s, to plan another)")))
    return workload


def _policies_asked(intent) -> list[str]:
    """The policies a workload's request asks for: their latency and placement rules are planned;
    their setup steps (keys, signing, audit) are a single plan's, which the fleet plan points to."""
    p = intent.policies
    asked = (["watermarking"] if p.watermark else []) + (["differential privacy"] if p.differential_privacy else []) \
        + [r.value for r in p.compliance]
    if not asked:
        return []
    return [f"{', '.join(asked)} asked: planned here as they bound placement and latency; their setup steps are "
            "those of `intentctl plan` on this workload's request"]


def _devices_left_to_the_inventory(intent) -> list[str]:
    """A fleet plans on its inventory: devices a request says it has, a count of devices it
    allows, or a parallel layout it asks for are not planned for there; the plan says so rather
    than drop them silently."""
    hardware = intent.hardware
    said = [f"{o.count} x {o.device}" for o in hardware.owned]
    if hardware.max_devices is not None:
        said.append(f"at most {hardware.max_devices} device{'s' if hardware.max_devices > 1 else ''}")
    from planner.jobs import unplanned_layout

    layout = unplanned_layout(intent, "in a fleet", "as each pool's options allow")
    if intent.workload.min_replicas:
        layout.append(f"at least {intent.workload.min_replicas} replicas (availability) is not planned for in a fleet: "
                      "a service gets the replicas its load needs; plan it alone (`intentctl plan`) to hold the floor")
    if intent.workload.spare_replicas:
        layout.append(f"{intent.workload.spare_replicas} spare replica(s) beyond the load (redundancy) are not planned "
                      "for in a fleet: a service gets the replicas its load needs; plan it alone (`intentctl plan`) "
                      "to hold the spares")
    if not said:
        return layout
    return layout + [f"the request's devices ({', '.join(said)}) are not planned for in a fleet: the fleet's inventory "
            "decides where it runs and on how many devices"]


#: Stands for the fleet's inventory where a single plan's check asks whether one is given.
FLEET_INVENTORY = object()
#: The most requests a second a fleet workload is planned for: far past any inventory's, and small
#: enough that its scaled figures stay integers.
MOST_RATE_RPS = 1e9


def _check(entry: WorkloadEntry, workload) -> None:
    intent = workload.intent
    if intent.task is None and intent.workload.model is None:
        raise FleetError(f"workload {entry.name!r}: the request names no task or model "
                         "(e.g. 'classify images', 'serve llama 3 8b')", per_request=True)
    if workload.training:
        if not intent.workload.dataset_records and not intent.workload.dataset_tokens:
            raise FleetError(f"workload {entry.name!r}: a training job needs its dataset size "
                             "(e.g. 'on 2 million records', 'on 2 billion tokens')", per_request=True)
        return
    if entry.deadline_hours is not None:
        raise FleetError(f"workload {entry.name!r}: 'deadline_hours' is for training and fine-tuning jobs; "
                         "an inference service takes a latency bound in its request")
    if workload.users and (intent.task is None or intent.task.value != "text-generation"):
        raise FleetError(f"workload {entry.name!r}: its {workload.users} concurrent users are planned as sequence "
                         "slots of a served LLM only; give the requests per second they send (e.g. 'at 20 req/s')",
                         per_request=True)
    if workload.rate_rps is not None and workload.rate_rps <= 0:
        raise FleetError(f"workload {entry.name!r}: a request rate of {workload.rate_rps:g} req/s serves nothing; "
                         "give a positive rate (e.g. 'at 200 req/s')", per_request=True)
    if not workload.rate_rps:
        raise FleetError(f"workload {entry.name!r}: an inference service needs a request rate "
                         "(e.g. 'at 200 req/s') or, for an LLM, its concurrent users", per_request=True)
    if workload.rate_rps > MOST_RATE_RPS:  # "1e308 req/s": no fleet serves it (its scaled figures overflowed)
        raise FleetError(f"workload {entry.name!r}: a rate of {workload.rate_rps:.3g} requests/s is more than any fleet "
                         f"serves (at most {MOST_RATE_RPS:.0e} are planned); check the number", per_request=True)
