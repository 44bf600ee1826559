"""The Python API: ``parse`` and ``plan``, the same calls the CLI makes.

Errors are typed: IntentNotUnderstood (intent.errors), InfeasibleError and PlanningError
(planner.errors), CatalogError (hardware.errors), PolicyError (policies.errors).
"""

from __future__ import annotations

import numbers
import os

from intent.errors import BadArgument
from intent.schema import Intent
from intent.settings import Settings, load_settings

UNDECODABLE = "the request held bytes that are not UTF-8 text; they are read as \ufffd"


def parse(text: str, offline: bool | None = None, catalog_dir: str | None = None,
          settings: Settings | None = None) -> Intent:
    """Read ``text`` into an Intent. An LLM reads it when one is configured (OPENAI_API_KEY)
    and ``offline`` is not true; otherwise, or when the model fails, the offline rules do."""
    from hardware import load_catalog

    settings = settings or load_settings()
    catalog = load_catalog(catalog_dir)
    text, undecodable = readable(text)
    if offline or not settings.llm_configured:
        intent = read_offline(text, catalog)
    else:
        from intent.llm import parse_online

        intent = parse_online(text, settings, catalog)
    if undecodable:
        intent = intent.model_copy(update={"warnings": [*intent.warnings, UNDECODABLE]})
    return intent


def readable(text: str) -> tuple[str, bool]:
    """``text`` with undecodable bytes (a command line's surrogate escapes, e.g. from a \\xff byte)
    replaced by U+FFFD, so it can be stored and printed as UTF-8; and whether any were."""
    if not isinstance(text, str):
        return text, False
    try:
        text.encode("utf-8")
        return text, False
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape") if _only_escapes(text) else text.encode("utf-8", "replace")
        return raw.decode("utf-8", "replace"), True


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(ch) <= 0xDFFF or 0xDC80 <= ord(ch) <= 0xDCFF for ch in text)


def read_offline(text: str, catalog) -> Intent:
    """The offline rules' reading; a value they read that the Intent cannot hold (a number out
    of range) is IntentNotUnderstood naming the field, not a validation or overflow traceback."""
    from pydantic import ValidationError

    from intent.errors import IntentNotUnderstood
    from intent.parser import parse_rules

    try:
        return parse_rules(text, catalog)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise IntentNotUnderstood(text, f"field {where!r}: {first['msg']} (a number in it is out of range)") from exc
    except OverflowError as exc:  # a count too large for an integer (10^400 epochs)
        raise IntentNotUnderstood(text, f"a number in it is too large to use ({exc})") from exc


def plan(request: str | Intent, offline: bool | None = None, catalog_dir: str | None = None,
         settings: Settings | None = None, inventory: str | None = None, alternatives: int = 3,
         policy: str | None = None, record: bool | None = None, pareto: bool = False, defaults: bool = True):
    """Plan a request (text or Intent) into an ExecutionPlan; ``inventory`` is the path of an
    inventory file, when only the devices a user has may be used; ``alternatives`` is how many
    runner-ups on other devices to include; ``policy`` is an organisation policy file
    (default: the INTENTCTL_POLICY setting). The plan is stored in the history unless
    ``record`` is false or INTENTCTL_HISTORY=off. ``defaults=False`` plans without the
    documented bounds a request leaves unstated (service levels of interactive text
    generation, quality floors per task; see planner.defaults)."""
    from hardware import load_catalog, load_inventory
    from intent.agent import build_plan

    _check_argument("inventory", inventory, (str, os.PathLike), "the path of an inventory file")
    if isinstance(alternatives, bool) or not isinstance(alternatives, numbers.Integral) \
            or not 0 <= alternatives <= MAX_ALTERNATIVES:
        raise BadArgument("alternatives", f"a whole number from 0 to {MAX_ALTERNATIVES}", alternatives)
    settings = settings or load_settings()
    catalog = load_catalog(catalog_dir)
    owned = load_inventory(inventory, catalog) if inventory else None
    intent = request if isinstance(request, Intent) else parse(request, offline, catalog_dir, settings)
    organisation = _organisation(policy or settings.policy_path, catalog)
    result = build_plan(intent, catalog, settings, owned, alternatives, organisation, pareto, defaults)
    if record if record is not None else _history_enabled():
        result = _recorded(result, readable(request)[0] if isinstance(request, str) else None)
    return result


def _history_enabled() -> bool:
    from intent import history

    return history.enabled()


def _recorded(result, request: str | None):
    """Store the plan; a store that cannot take it costs a warning on the plan, never the plan."""
    from intent import history

    try:
        history.last_recorded.set(history.record(result, request))
    except history.HistoryError as exc:
        note = f"this plan was not recorded in the history: {exc} ({exc.hint})"
        return result.model_copy(update={"warnings": [*result.warnings, note]})
    return result


def plan_fleet(fleet, catalog_dir: str | None = None, settings: Settings | None = None, policy: str | None = None,
               objective: str | None = None, previous=None, colocate: bool = True):
    """Place every workload of a fleet (a fleet file's path or a FleetFile) on its inventory
    with one CP-SAT model; returns a FleetPlan. ``objective`` overrides the file's
    (throughput, power or cost). ``previous`` (a FleetPlan, or its JSON file's path) is the
    plan now running: the new plan keeps what still fits and says what moved and why.
    ``colocate=False`` gives training jobs slots of their own, never the idle compute of
    inference replicas."""
    from hardware import load_catalog
    from intent.fleet import FleetFile, load_fleet_plan
    from planner.fleet.model import FLEET_OBJECTIVES, NoPlacementError
    from planner.fleet.model import plan_fleet as place
    from planner.fleet.plan import FleetPlan
    from planner.solve.chooser import SolverSettings

    if not isinstance(fleet, (str, os.PathLike, FleetFile)):
        raise BadArgument("fleet", "a fleet file's path or a FleetFile", fleet)
    _check_argument("previous", previous, (str, os.PathLike, FleetPlan), "a FleetPlan or its JSON file's path")
    if objective is not None and objective not in FLEET_OBJECTIVES:
        raise BadArgument("objective", f"one of {', '.join(FLEET_OBJECTIVES)}", objective)
    settings = settings or load_settings()
    catalog = load_catalog(catalog_dir)
    spec, workloads, unreadable = fleet_inputs(fleet, catalog, settings, policy)
    solver = SolverSettings(time_limit_s=settings.solver_time_limit_s, seed=settings.solver_seed,
                            workers=settings.solver_workers)
    running = load_fleet_plan(previous) if isinstance(previous, (str, os.PathLike)) else previous
    try:
        result = place(workloads, spec.as_inventory(), catalog, objective or spec.objective, solver,
                       previous=running, colocate=colocate)
    except NoPlacementError as exc:  # the file named, as its other errors name it
        raise NoPlacementError(exc.reasons, _file_prefix(fleet)) from exc
    return _with_unreadable(result, spec, unreadable)


def fleet_inputs(fleet, catalog, settings: Settings, policy: str | None = None):
    """A fleet file (or its path) read and checked; its workloads with their policies applied;
    and the workloads whose requests cannot be planned, with why (the fleet is planned around
    them). None readable is a FleetError: there is nothing to plan."""
    from intent.fleet import FleetError, FleetFile, load_fleet, readable_workloads

    spec = fleet if isinstance(fleet, FleetFile) else load_fleet(fleet, catalog)
    where = _file_prefix(fleet)  # a workload's error names its file
    organisation = _organisation(policy or settings.policy_path, catalog)
    try:
        workloads, unreadable = readable_workloads(spec, catalog, organisation)
    except FleetError as exc:
        raise FleetError(f"{where}{exc}") from exc
    if not workloads and unreadable:  # every one of them named, not the first alone
        raise FleetError(f"{where}no workload can be planned: " + "; ".join(str(e) for e in unreadable.values()))
    return spec, workloads, unreadable


def _file_prefix(fleet) -> str:
    """What an error about a fleet begins with: its file's path, where it was given as one."""
    from intent.fleet import FleetFile

    return "" if isinstance(fleet, FleetFile) else f"{fleet}: "


def _with_unreadable(result, spec, unreadable: dict):
    """The fleet plan with each workload whose request could not be planned listed as not placed,
    with why (a plan is not refused for one unreadable request)."""
    if not unreadable:
        return result
    from planner.fleet.plan import PriorityMet, Unplaced

    priority = {entry.name: entry.priority for entry in spec.workloads}
    left = [Unplaced(workload=name, priority=priority[name], reason=f"its request could not be planned: {exc} "
                     f"({exc.hint})") for name, exc in unreadable.items()]
    # Each counts among its priority's workloads, meeting no SLO (the header said "priority 3: 1 of 1"
    # with a priority-3 workload unplanned).
    by_priority = {p.priority: p for p in result.totals.slo_met_by_priority}
    for entry in left:
        known = by_priority.get(entry.priority)
        by_priority[entry.priority] = (known.model_copy(update={"workloads": known.workloads + 1}) if known else
                                       PriorityMet(priority=entry.priority, met=0, workloads=1))
    totals = result.totals.model_copy(update={
        "workloads": result.totals.workloads + len(left),
        "slo_met_by_priority": [by_priority[p] for p in sorted(by_priority, reverse=True)]})
    return result.model_copy(update={"unplaced": [*result.unplaced, *left], "totals": totals})


#: The most runner-ups a plan gives (the CLI's -k takes the same range).
MAX_ALTERNATIVES = 20


def _check_argument(name: str, value, kinds: tuple, expected: str) -> None:
    """``value`` is None or one of ``kinds``, else a BadArgument naming what is expected."""
    if value is not None and not isinstance(value, kinds):
        raise BadArgument(name, expected, value)


def _organisation(path: str | None, catalog):
    """The organisation policy at ``path`` (None: none), its rules checked against ``catalog``."""
    if not path:
        return None
    from policies import load_policy

    return load_policy(path, catalog)
