"""The planning pipeline: candidates -> CP-SAT model -> solve -> explain.

``plan_intent`` returns a :class:`PlanningResult` (choice, metrics, constraint checks,
alternatives, solver report) for the agent to wrap with policies and steps, or raises
:class:`InfeasibleError` with a report naming the conflicting constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from hardware import Catalog, Inventory
from intent.schema import Intent, Metric, Objective, Sense
from planner.defaults import (
    NO_DEFAULTS,
    SERVICE_LEVEL_NOTE,
    RequestDefaults,
    camera_stream,
    floor_note,
    precision_gave_way,
    precision_note,
    time_gain_per_doubling,
    whole_load,
    worth_their_devices,
    written_language,
)
from planner.errors import InfeasibleError
from planner.figures import fmt
from planner.perf.factors import runtime_of
from planner.perf.roofline import NO_ADDED_LATENCY, AddedLatency, Estimate
from planner.perf.serving import SERVED_BASIS
from planner.plan import Alternative, Choice, ConstraintCheck, Metrics, ParetoPoint, Pool, SolverReport
from planner.search.candidates import (
    CandidateSet,
    PlacementRule,
    build_candidates,
    output_tokens,
    requested_rate,
)
from planner.search.layout import asked_layout, in_layout
from planner.search.prune import (
    deployment_grid,
    explanation_mask,
    front_mask,
    pareto_mask,
    replica_grid,
    satisfying_mask,
)
from planner.solve.chooser import (
    RATES,
    Chooser,
    SolverSettings,
    best_reachable,
    conflict_core,
    devices_per_replica,
    feasible,
    metric_of,
    objective_of,
    replica_cap,
    sequences_per_replica,
)
from planner.solve.explain import (
    Conflict,
    InfeasibilityReport,
    check,
    deployment_value,
    summarise_conflicts,
    violations,
    why_lost,
)
from planner.solve.mix import Mix, best_mix, mix_cells, wants_mix

ALTERNATIVES = 3


MAX_FRONT = 40


@dataclass
class PlanningResult:
    choice: Choice
    metrics: Metrics
    objective_default: bool
    constraints: list[ConstraintCheck]
    why: list[str]
    alternatives: list[Alternative]
    solver: SolverReport
    assumptions: list[str]
    pareto_front: list[ParetoPoint] = field(default_factory=list)
    pools: list[Pool] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan_intent(intent: Intent, catalog: Catalog, rules: list[PlacementRule] = (),
                settings: SolverSettings | None = None, added_latency: AddedLatency = NO_ADDED_LATENCY,
                inventory: Inventory | None = None, alternatives: int = ALTERNATIVES,
                pareto: bool = False, defaults: RequestDefaults = NO_DEFAULTS) -> PlanningResult:
    """Plan one request; ``defaults`` (planner.defaults) adds its default bounds and quality floor,
    which the result's assumptions name (and an infeasible report's notes). A rate stated for each
    of several sources is planned as their sum (planner.defaults.whole_load)."""
    periodic = camera_stream(intent)  # read before the sources are summed
    intent, load_notes = whole_load(intent)
    intent, language_notes, language_warnings = written_language(intent, catalog)
    load_notes += language_notes
    defaults = replace(defaults, assumptions=load_notes + defaults.assumptions) if load_notes else defaults
    relaxed_precisions = defaults.unasked_precisions
    try:
        try:
            result = _plan(defaults.applied(intent), catalog, rules, settings, added_latency, inventory, alternatives,
                           pareto, defaults, periodic)
        except InfeasibleError:
            if not defaults.unasked_precisions:
                raise
            # the precision default gives way when nothing else meets the request (70B on one 48 GB card)
            defaults = replace(defaults, unasked_precisions=())
            result = _plan(defaults.applied(intent), catalog, rules, settings, added_latency, inventory, alternatives,
                           pareto, defaults, periodic)
            result.assumptions.insert(0, precision_gave_way(result.choice.precision))
    except InfeasibleError as exc:
        unpriced = _budget_unchecked(intent, catalog, rules, settings, added_latency, inventory, alternatives, pareto,
                                     defaults, exc, periodic)
        if unpriced is not None:
            unpriced.assumptions[:0] = defaults.assumptions
            unpriced.warnings[:0] = language_warnings
            return unpriced
        held = inventory is not None or bool(intent.hardware.include)  # devices, a class or a vendor required
        # a default bound no device at all meets ("500k-token prompts" against a TTFT of 4.5 s) gives way too
        beyond_all = bool(exc.report.conflicts) and all(c.constraint in defaults.constraints
                                                       for c in exc.report.conflicts)
        # a default bound among the conflicts gives way to the request's own ("30 rps under 2 kW" was refused
        # on the default TPOT of 40 ms it never asked for)
        beside_own = any(c.constraint in defaults.constraints for c in exc.report.conflicts)
        best = _best_held_devices_do(intent, catalog, rules, settings, added_latency, inventory, alternatives, pareto,
                                     defaults, exc, periodic,
                                     HELD_DEVICES if held else ANY_DEVICE if beyond_all else WITH_OWN_BOUNDS) \
            if (held or beyond_all or beside_own) and defaults.constraints else None
        if best is not None:
            if relaxed_precisions and best.choice.precision in relaxed_precisions:
                best.assumptions.insert(0, precision_gave_way(best.choice.precision))
            return best
        notes = defaults.assumptions + ([defaults.placement_note()] if inventory is None and defaults.placements else [])
        if notes:
            exc.report = exc.report.model_copy(update={"notes": exc.report.notes + notes})
        raise
    result.assumptions[:0] = defaults.assumptions
    result.warnings[:0] = language_warnings
    return result


#: Bounds on money a configuration with no published price cannot be checked against.
MONEY_METRICS = (Metric.COST, Metric.JOB_COST, Metric.TOKEN_COST)


def _budget_unchecked(intent: Intent, catalog: Catalog, rules, settings, added_latency, inventory, alternatives,
                      pareto, defaults: RequestDefaults, refused: InfeasibleError,
                      periodic: bool) -> PlanningResult | None:
    """A budget among what no plan meets, where the plans that meet the rest have no published price
    (on-prem datacenter parts): the plan without the budget, when its cost is unknown, warned that the
    budget could not be checked. It had been refused as over budget ("cost <= 27.40 USD/h: cannot be
    met"), or planned on the one priced part that met the budget and nothing else (a 14B model on a
    CPU at 3 s a first token). None where the budget is not in question or a priced plan breaks it."""
    budgets = [c for c in intent.constraints if c.metric in MONEY_METRICS and c.op == "<="]
    if not budgets or not any(c.constraint in budgets for c in refused.report.conflicts):
        return None
    unbudgeted = intent.model_copy(update={"constraints": [c for c in intent.constraints if c not in budgets]})
    try:
        result = _plan(defaults.applied(unbudgeted), catalog, rules, settings, added_latency, inventory, alternatives,
                       pareto, defaults, periodic)
    except InfeasibleError:
        return None
    figures = {Metric.COST: result.metrics.cost_usd_per_hour, Metric.TOKEN_COST: result.metrics.usd_per_mtok,
               Metric.JOB_COST: getattr(result.metrics, "job_cost_usd", None)}
    if any(figures.get(c.metric) is not None for c in budgets):
        return None  # a price is known, and it breaks the budget: the refusal stands
    said = ", ".join(c.describe() for c in budgets)
    result.warnings.append(f"the budget ({said}) could not be checked: {result.choice.device_id} has no published "
                           "price, and no priced device meets the rest of the request; give its price in an inventory "
                           "(--inventory, usd_per_hour) to plan against the budget")
    return result


def _best_held_devices_do(intent: Intent, catalog: Catalog, rules, settings, added_latency, inventory, alternatives,
                          pareto, defaults: RequestDefaults, refused: InfeasibleError,
                          periodic: bool, where: str = "") -> PlanningResult | None:
    """On devices the request has or names, a default service level no plan meets is no reason to
    refuse: the devices are what they are, and the bounds were not the request's. The plan is the best
    they do on the default bound that failed first (minimised, unless the request names its own
    objective), with every device that shortens it, and says so; None when the request's own
    bounds cannot be met either."""
    failed = [c.constraint for c in refused.report.conflicts if c.constraint in defaults.constraints]
    target = (failed or defaults.constraints)[0].metric
    objective = intent.objective or Objective(metric=target, sense=Sense.MINIMIZE)
    relaxed = replace(defaults, constraints=[], objective_tolerance=None,
                      time_gain_per_doubling=time_gain_per_doubling(objective) or defaults.time_gain_per_doubling,
                      assumptions=[a for a in defaults.assumptions if not a.startswith(SERVICE_LEVEL_NOTE)])
    try:
        result = _plan(intent.model_copy(update={"objective": objective}), catalog, rules, settings, added_latency,
                       inventory, alternatives, pareto, relaxed, periodic)
    except InfeasibleError:
        return None
    bounds = ", ".join(c.describe() for c in defaults.constraints)
    note = (f"the default service level ({bounds}) {LEVEL_OUT_OF_REACH} {where or HELD_DEVICES} "
            f"({refused.report.reason}), "
            f"so this is the best they do: {objective.metric.value} {objective.sense.value}d without those bounds; "
            "state your own bounds to plan against them, or add devices")
    result.assumptions[:0] = [note, *relaxed.assumptions]
    return result


#: What a plan's note says when the default service level gave way, and where.
LEVEL_OUT_OF_REACH = "is out of reach on"
HELD_DEVICES = "the devices you have, name or require"
ANY_DEVICE = "every device the request allows"
WITH_OWN_BOUNDS = "any device together with the request's own bounds"


def _plan(intent: Intent, catalog: Catalog, rules, settings: SolverSettings | None, added_latency: AddedLatency,
          inventory: Inventory | None, alternatives: int, pareto: bool, defaults: RequestDefaults,
          periodic: bool = False) -> PlanningResult:
    settings = settings or SolverSettings()
    if intent.workload.min_replicas or intent.workload.spare_replicas:
        settings = replace(settings, min_replicas=intent.workload.min_replicas or 1,
                           spare_replicas=intent.workload.spare_replicas or 0)
    candidates = build_candidates(intent, catalog, list(rules), added_latency=added_latency, inventory=inventory,
                                  keep_model=defaults.keeps if defaults.floor is not None else None,
                                  default_placements=None if inventory is not None else defaults.placements,
                                  periodic=periodic, floors=defaults is not NO_DEFAULTS,
                                  keep_precision=defaults.keeps_precision if defaults.unasked_precisions else None)
    if not len(candidates):
        raise InfeasibleError(candidates.why_empty(), InfeasibilityReport(reason=candidates.why_empty()))
    objective, is_default = objective_of(intent.objective)
    if is_default and defaults.objective_tolerance is not None:
        settings = replace(settings, objective_tolerance=max(settings.objective_tolerance, defaults.objective_tolerance))
    grid = candidates.grid
    concurrency = intent.workload.concurrency
    replicas = replica_grid(grid, intent.constraints, concurrency, settings.min_replicas, settings.spare_replicas)
    fill = fills_inventory(inventory, objective)
    if fill:
        replicas = np.maximum(replicas, grid.replica_caps(settings.max_replicas))
    capped = fills_device_cap(intent, inventory, objective)
    if capped:  # "at most 2 A10G, as many users as possible": every device the cap allows serves
        cap = np.floor(intent.hardware.max_devices / np.maximum(grid.devices, 1))
        replicas = np.maximum(replicas, np.minimum(np.maximum(cap, 1), grid.replica_caps(settings.max_replicas)))
        fill = True
    budget = () if capped or fill else fills_budget(intent, objective)
    if budget:  # "2 kW for the rack, max throughput": as many replicas as the budget pays for
        with np.errstate(divide="ignore", invalid="ignore"):
            paid = np.min([np.nan_to_num(np.floor(cap / grid.metric(metric) + 1e-9), nan=1.0, posinf=1.0)
                           for metric, cap in budget], axis=0)
        replicas = np.maximum(replicas, np.minimum(np.maximum(paid, 1), grid.replica_caps(settings.max_replicas)))
        fill = True
    rate = requested_rate(intent)
    if rate is not None and not fill:
        grid.at_rate(rate, replicas)
    feasible_cells = satisfying_mask(grid, intent.constraints, replicas, settings.max_replicas)
    if intent.hardware.max_devices is not None:
        feasible_cells = _within_device_cap(grid, feasible_cells, replicas, intent.hardware.max_devices, catalog)
    feasible_cells = in_layout(grid, feasible_cells, intent.workload)
    # A layout the request asks for holds for every pool: a mix of layouts is not what it asked.
    mix = best_mix(candidates.cells(mix_cells(grid, intent.constraints, concurrency)), intent, inventory, settings) \
        if wants_mix(intent, inventory, objective) and asked_layout(intent.workload) == (None, None) else None
    if not feasible_cells.any():
        if mix is not None:
            return _mixed(mix, intent, catalog, objective, settings, [], None)
        raise _infeasible(intent, candidates.cells(explanation_mask(
            grid, intent.constraints, replica_grid(grid, [], concurrency, settings.min_replicas, settings.spare_replicas), settings)), settings)
    unknown_objective = None if is_default else _unknown_objective(grid, feasible_cells, objective)
    # With runner-ups, every device keeps its own front, which holds the overall optimum (an
    # undominated cell is undominated on its device too): one Chooser answers the plan and then
    # each runner-up. Without, the overall front is enough.
    rows = candidates.cells(pareto_mask(grid, feasible_cells, intent.constraints, objective, replicas,
                                        per_device=bool(alternatives), rates_per_replica=not fill,
                                        tolerance=settings.objective_tolerance))
    scale_note = None
    if defaults.time_gain_per_doubling is not None:
        rows, scale_note = worth_their_devices(rows, intent.constraints, concurrency, settings,
                                               objective[0], defaults.time_gain_per_doubling)
    tie_breakers = tuple((t.metric.value, t.sense.value) for t in intent.tie_breakers)
    if objective[0] == "cost" and not tie_breakers and _unknown_objective(grid, feasible_cells, objective) is not None:
        # no price known for any plan (on-prem datacenter parts): the fewest devices, then the least
        # power, stand for the smallest deployment that meets the request (latency next had bought
        # the fastest part, an MI300X for a 7B model and 20 users)
        tie_breakers = UNPRICED_TIE_BREAKERS
    chooser = Chooser(rows, intent.constraints, objective, settings, tie_breakers, concurrency, fill,
                      intent.hardware.max_devices if capped else None, budget)
    solution = chooser.best(strict_objective=not is_default and unknown_objective is None)
    if solution is None:
        raise _infeasible(intent, candidates.cells(explanation_mask(
            grid, intent.constraints, replica_grid(grid, [], concurrency, settings.min_replicas, settings.spare_replicas), settings)), settings)
    row = rows[solution.row]
    choice = _choice(row, solution.replicas, catalog)
    metrics = _metrics(row, solution.replicas)
    checks = [ConstraintCheck(constraint=c, predicted=p, slack=s, binding=b)
              for c in intent.constraints for p, s, b in [check(c, row, solution.replicas)]]
    alternatives = _alternatives(chooser, rows[solution.row], solution.replicas, catalog, alternatives, settings)
    alternatives += _near_misses(candidates, feasible_cells, intent, objective[0], objective[1],
                                 deployment_value(rows[solution.row], objective[0], solution.replicas),
                                 rows[solution.row], catalog)
    report = SolverReport(
        status=solution.status, objective=f"{objective[1]} {objective[0]}",
        objective_value=solution.objective_value, gap=solution.gap, tie_breakers=[lv.describe() for lv in solution.levels[1:]]
        + ["fewest replicas", "catalog order"], candidates=len(rows), time_limit_s=settings.time_limit_s,
        seed=settings.seed, workers=settings.workers,
    )
    assumptions = (serving_assumptions(intent, row, catalog) + steps_assumptions(intent, row, catalog)
                   + sequence_assumptions(intent, row, catalog))
    w = intent.workload
    if w.output_tokens is None and output_tokens(intent) is not None and not assumptions:
        assumptions.append(translation_shape(w.prompt_tokens))  # a translation not served as an LLM
    if scale_note:
        assumptions.append(scale_note)
    assumptions += candidates.notes
    if candidates.left_out:
        assumptions.append(floor_note(defaults, candidates.left_out))
    if candidates.precision_left_out:
        assumptions.append(precision_note(candidates.precision_left_out))
    if inventory is None and defaults.placements is not None:
        assumptions.append(defaults.placement_note())
    if is_default:
        assumptions.append(f"no objective stated: minimised cost per hour (configurations with a known price first; "
                           f"those within {settings.objective_tolerance:.0%} of the lowest count as equal), then the "
                           "fewest devices, then the most accurate model, then its most accurate format, then latency, "
                           "then power")
    if fill and objective[0] in JOB_OBJECTIVES:
        assumptions.append(f"a batch job on an inventory: every device held works on it ({solution.replicas} "
                           f"replica(s) of {devices_per_replica(row)} device(s)), so it is done soonest for the energy "
                           "it takes (the devices are hosted whether they work or not)")
    elif fill and budget:
        said = " and ".join(fmt(cap, metric) for metric, cap in budget)
        assumptions.append(f"a rate objective under a budget of {said}: as many replicas as it pays for serve "
                           f"({solution.replicas} replica(s) of {devices_per_replica(row)} device(s)), and the rate is "
                           "theirs together")
    elif fill and capped:
        assumptions.append(f"a rate objective with at most {intent.hardware.max_devices} devices: every device the cap "
                           f"allows serves ({solution.replicas} replica(s) of {devices_per_replica(row)} device(s)), "
                           "and the rate is theirs together")
    elif fill:
        assumptions.append(f"a rate objective on an inventory: every device serves ({solution.replicas} replica(s) of "
                           f"{devices_per_replica(row)} device(s)), and the rate is theirs together")
    elif objective[0] == "throughput":
        assumptions.append("throughput is maximised per replica; replicas are added only to meet a throughput bound")
    if inventory is not None:
        assumptions.append(f"planned on the inventory only ({', '.join(f'{d.count} x {d.id}' for d in inventory.devices)})")
    elif row.placement == "edge" and solution.replicas > 1 and intent.deployment is None:
        assumptions.append(f"{solution.replicas} edge boards serve the load together, since nothing in the request says "
                           "where it runs; say 'in the cloud' or 'on-prem' to plan it on datacenter devices")
    assumptions += _load_note(intent, row, solution.replicas)
    assumptions += _rate_power_note(intent, row, solution.replicas, fill)
    assumptions += _host_note(catalog.devices.get(row.device_id))
    if any(c.metric.value == "cost" or (c.metric.value == "power" and not c.per_device) for c in intent.constraints):
        assumptions.append("power and cost bounds apply to the whole deployment (all replicas together)")
    assumptions += [f"the power bound ({c.describe()}) applies to each device, as stated ('per card')"
                    for c in intent.constraints if c.metric.value == "power" and c.per_device]
    mode = catalog.devices[row.device_id].mode(row.power_mode) if row.power_mode else None
    if mode is not None and mode.power_w is not None and intent.bound(Metric.POWER, "<="):
        assumptions.append(f"on {row.device_id} a power bound is a power mode: planned in {mode.name} (capped at "
                           f"{fmt(mode.power_w.value, 'power')} a device), so the draw never exceeds the bound, busy or idle")
    for c in intent.constraints:
        if c.metric.value == "memory":
            assumptions.append(f"the memory bound ({c.describe()}) applies " + (
                "to each device, as stated ('per GPU')" if c.per_device else
                "to the whole deployment, all devices of all replicas together (say 'per GPU' to bound each device)"))
    why = _why(intent, objective, is_default, checks, row, solution)
    front = _front(candidates, feasible_cells, objective, replicas, row, catalog) if pareto else []
    single, mixed = deployment_value(row, objective[0], solution.replicas), mix and mix.value(objective[0])
    if mixed is not None and (single is None or mixed < single * (1 - 1e-9)):
        runner_up = Alternative(choice=choice, metrics=metrics, feasible=True,
                                why_not=f"one device type reaches {fmt(single, objective[0])}, the mix of "
                                        f"{len(mix.rows)} {fmt(mixed, objective[0])}")
        return _mixed(mix, intent, catalog, objective, settings, [runner_up, *alternatives], front)
    levels = ", then ".join(level.describe() for level in chooser.levels[1:])
    if is_default and (unpriced := _unknown_objective(grid, feasible_cells, objective)) is not None:
        # the default objective unknown everywhere: said, as a note (a wish the request did not make)
        assumptions.append(unpriced.replace("the objective is to", "the default objective is to").format(levels=levels))
    warnings = [unknown_objective.format(levels=levels)] if unknown_objective else []
    if objective == ("cost", "minimize"):
        warnings += _smaller_unpriced(choice, metrics, alternatives)
    return PlanningResult(choice, metrics, is_default, checks, why, alternatives, report, assumptions, front,
                          warnings=warnings)


#: A runner-up with no price is named when it needs at most this share of the chosen plan's devices
#: and power: the cheapest priced plan may then be far from the cheapest (134 server CPUs at 28 kW
#: against 3 GPUs at 0.9 kW with no published price).
SMALLER_UNPRICED_SHARE = 0.25


def _smaller_unpriced(choice, metrics, alternatives) -> list[str]:
    """A warning naming a feasible runner-up without a published price that is far smaller than the
    priced plan chosen on cost; none where there is none."""
    if metrics.cost_usd_per_hour is None:
        return []
    devices = choice.replicas * choice.devices_per_replica
    smaller = []
    for a in alternatives:
        theirs = a.choice.replicas * a.choice.devices_per_replica
        # power compared where both are known (5,400 Inferentia2, no power published, against 24 MI300X)
        powers = metrics.power_w is not None and a.metrics.power_w is not None
        if a.feasible and a.metrics.cost_usd_per_hour is None and theirs <= devices * SMALLER_UNPRICED_SHARE \
                and (not powers or a.metrics.power_w <= metrics.power_w * SMALLER_UNPRICED_SHARE):
            their_power = f" at {fmt(a.metrics.power_w, 'power')}" if a.metrics.power_w is not None else ""
            smaller.append(f"{theirs} x {a.choice.device_id}{their_power}")
    if not smaller:
        return []
    # every such runner-up named: one alone read as if the priced plan were the optimum but for it
    ours_power = f" at {fmt(metrics.power_w, 'power')}" if metrics.power_w is not None else ""
    return [f"the cheapest plan with a known price takes {devices} x {choice.device_id}{ours_power} "
            f"({fmt(metrics.cost_usd_per_hour, 'cost')}); {', '.join(smaller[:MAX_UNPRICED_NAMED])} meet the request "
            "too, but no price of theirs is published, so they could not be weighed on cost and the plan may be far "
            "from the cheapest: give their price in an inventory (--inventory, usd_per_hour) to compare"]


#: Unpriced runner-ups named at most in that warning.
MAX_UNPRICED_NAMED = 4


#: The tie-breakers of a cost objective no plan has a price for.
UNPRICED_TIE_BREAKERS = (("devices", "minimize"), ("power", "minimize"))


#: A load above this share of a plan's capacity queues enough to name (an M/D/c queue's wait grows
#: as 1 / (1 - load)): the plan says so when no latency bound keeps headroom.
HIGH_LOAD = 0.9


def _load_note(intent: Intent, row: Estimate, replicas: int) -> list[str]:
    """A rate near the plan's capacity queues: named, with its p99, unless a latency bound already
    kept headroom (for a served LLM a TTFT bound does: its wait for a free slot counts in TTFT)."""
    rate = intent.bound(Metric.THROUGHPUT, ">=")
    capacity = (row.throughput_rps or 0.0) * replicas
    served_llm = (row.latency_basis or "").startswith(SERVED_BASIS)
    if not rate or not capacity or rate / capacity <= HIGH_LOAD or intent.bound(Metric.LATENCY, "<=") \
            or (served_llm and intent.bound(Metric.TTFT, "<=")):
        return []
    note = (f"the plan runs at {rate / capacity:.1%} of its capacity ({fmt(capacity, 'throughput')} for "
            f"{fmt(rate, 'throughput')}), so requests queue: p99 latency {fmt(row.latency_ms, 'latency')}; state a "
            "latency bound to plan headroom")
    return [note]


#: A job's own objectives: the whole job's time or cost.
JOB_OBJECTIVES = ("job_time", "job_cost")


def fills_device_cap(intent: Intent, inventory: Inventory | None, objective: tuple[str, str]) -> bool:
    """A rate to maximise under a device cap and on no inventory ("at most 2 A10G, as many users
    as possible", "on up to 4 L4, maximize throughput"): the cap's devices are the ones to fill, as
    an inventory's are (one replica was planned and the second device left out)."""
    return inventory is None and intent.hardware.max_devices is not None and objective[1] == "maximize" \
        and objective[0] in RATES


#: Deployment-wide bounds a rate objective fills: what the replicas cost or draw together.
BUDGET_METRICS = (Metric.COST, Metric.POWER)


def fills_budget(intent: Intent, objective: tuple[str, str]) -> tuple[tuple[str, float], ...]:
    """The deployment-wide cost and power caps a rate to maximise fills ("power cap 2 kW for the rack, max
    throughput", "10 grand a month, as many users as possible"): one replica was planned and the rest of the
    budget left unused, where more replicas serve more."""
    if objective[1] != "maximize" or objective[0] not in RATES:
        return ()
    return tuple((c.metric.value, c.value) for c in intent.constraints
                 if c.metric in BUDGET_METRICS and c.op == "<=" and not c.per_device and not c.soft and c.value > 0)


def fills_inventory(inventory: Inventory | None, objective: tuple[str, str]) -> bool:
    """A rate to maximise, or a batch job, on the devices a user has: the plan runs as many
    replicas as they hold (per replica, the fastest single instance would win and the rest of the
    inventory sit idle; a job on three T4s it owns ran on one, three times as long, for the same
    energy, while the idle two are hosted all the same)."""
    return inventory is not None and ((objective[1] == "maximize" and objective[0] in RATES)
                                      or objective[0] in JOB_OBJECTIVES)


def _mixed(mix: Mix, intent: Intent, catalog: Catalog, objective, settings: SolverSettings,
           alternatives: list[Alternative], front) -> PlanningResult:
    """A plan whose service several device types share (planner.solve.mix)."""
    pools = [Pool(choice=_choice(r, n, catalog), metrics=_metrics(r, n)) for r, n in zip(mix.rows, mix.replicas)]
    checks = []
    for c in intent.constraints:
        predicted = mix.value(metric_of(c), c.op)
        slack = None if predicted is None else (c.value - predicted if c.op == "<=" else predicted - c.value)
        checks.append(ConstraintCheck(constraint=c, predicted=predicted, slack=slack,
                                      binding=slack is not None and abs(slack) <= 0.05 * max(abs(c.value), 1e-9)))
    shares = ", ".join(f"{p.choice.replicas} x {p.choice.device_id} ({p.choice.layout()})" for p in pools)
    reached = fmt(mix.value(objective[0]), objective[0])
    why = [f"objective: {objective[1]} {objective[0]}, reached {reached} with {len(pools)} device types together: {shares}"]
    why += [f"{c.constraint.describe()} holds: predicted {fmt(c.predicted, c.constraint.metric.value)} over the pools"
            for c in checks if c.predicted is not None]
    report = SolverReport(status="OPTIMAL", objective=f"{objective[1]} {objective[0]}",
                          objective_value=mix.value(objective[0]) or 0.0, tie_breakers=["fewest devices"],
                          candidates=len(mix.rows), time_limit_s=settings.time_limit_s, seed=settings.seed,
                          workers=settings.workers)
    assumptions = serving_assumptions(intent, mix.rows[0], catalog)
    assumptions.append(f"served by {len(pools)} device types together (as Mélange does): rates and sequences add "
                       "up across the pools; TTFT, TPOT and latency are the slowest pool's (planner/solve/mix.py)")
    return PlanningResult(pools[0].choice, _mix_metrics(mix, pools), False, checks, why, alternatives, report,
                          assumptions, front or [], pools)


def _mix_metrics(mix: Mix, pools: list[Pool]) -> Metrics:
    """The whole service's figures: sums of what adds up, the slowest pool's times."""
    total = {k: mix.value(m) for k, m in (("throughput_rps", "throughput"), ("power_w", "power"),
                                             ("cost_usd_per_hour", "cost"), ("tokens_per_s", "token_throughput"),
                                             ("memory_gb", "memory"))}
    slowest = {k: max((getattr(p.metrics, k) for p in pools if getattr(p.metrics, k) is not None), default=None)
               for k in ("latency_ms", "ttft_ms", "tpot_ms", "memory_per_device_gb")}
    cost, tokens = total["cost_usd_per_hour"], total["tokens_per_s"]
    first = pools[0].metrics
    return Metrics(**total, **slowest, energy_j=None if total["power_w"] is None else total["power_w"] / total[
        "throughput_rps"], accuracy=min(p.metrics.accuracy for p in pools) if all(
        p.metrics.accuracy is not None for p in pools) else None, bound_by=first.bound_by,
        provenance={**first.provenance, "throughput_rps": "sum over the pools (planner/solve/mix.py)"},
        usd_per_mtok=None if cost is None or not tokens else cost / (tokens * 3600) * 1e6,
        concurrency=sum(p.metrics.concurrency or 0 for p in pools))


def serving_assumptions(intent: Intent, row: Estimate, catalog: Catalog) -> list[str]:
    """What a text-generation plan assumed: the request shape, and how a served replica is figured."""
    if row.prompt_tokens is None or not (row.latency_basis or "").startswith(SERVED_BASIS):
        return []
    w = intent.workload
    stated = [name for name, v in (("prompt", w.prompt_tokens), ("output", w.output_tokens)) if v is not None]
    if stated == ["prompt"] and output_tokens(intent) == w.prompt_tokens:
        return [translation_shape(w.prompt_tokens), _served_note(row)]
    model = catalog.models.get(row.model_id)
    own = model.request if model is not None and model.request and model.request.output_tokens else None
    default = (f"{row.model_id}'s own ({own.formula or own.source}); " if own is not None else
               f"the documented default for {intent.task.value if intent.task else 'the task'}, "
               "planner/data/perf-factors.yaml request_shape; ")
    shape = (f"request shape: {row.prompt_tokens} prompt + {row.output_tokens} output tokens ("
             + ("as stated" if len(stated) == 2 else
                f"{' and '.join(stated) + ' as stated, the rest ' if stated else ''}{default}"
                "say e.g. '2000-token prompts, 300-token answers' to change it") + ")")
    return [shape, _served_note(row)]


def translation_shape(tokens: int) -> str:
    """What a translation stating only its input was planned for."""
    return (f"request shape: {tokens} prompt + {tokens} output tokens (the input as stated, the output as long: a "
            "translation is about as long as its source; say e.g. '300-token outputs' to change it)")


def _served_note(row: Estimate) -> str:
    return ("LLM serving figures are a replica at its full rate with continuous batching "
            "(planner/perf/serving.py): TTFT and TPOT at the planned batch, KV cache in the "
            f"{row.precision} serving precision within 90% of device memory")


def sequence_assumptions(intent: Intent, row: Estimate, catalog: Catalog) -> list[str]:
    """What a single-pass text model's plan assumed of a request's length: its tokens as stated,
    or the sequence its FLOPs figure is for (a search query is far shorter than an encoder's
    512-token maximum, and costs that much less). A request past a text generator's config context
    that its card's rope scaling reads says so."""
    model = catalog.models.get(row.model_id)
    w = intent.workload
    tokens = (w.prompt_tokens or 0) + (w.output_tokens or 0)
    if model is not None and w.prompt_tokens and model.needs_extended_context(tokens):
        extended = model.architecture.extended_context
        return [f"{row.model_id} reads {tokens:,} tokens past its config's {model.architecture.max_context:,} with rope "
                f"scaling on ({extended.rope_scaling.get('rope_type', 'rope')} factor {extended.rope_scaling.get('factor')}, "
                f"up to {extended.tokens:,}; {extended.source}): the server is launched with it, and the card notes "
                "that static scaling may lower quality on short texts"]
    if model is None or model.kind.value != "single-pass" or model.sequence_tokens is None \
            or intent.workload.prompt_tokens is not None:
        return []
    tokens = (model.request and model.request.mean_tokens) or model.sequence_tokens
    return [f"each request is {tokens:g} tokens, {row.model_id}'s documented input (its FLOPs are for "
            f"{model.sequence_tokens}); say e.g. '32-token queries' to plan shorter requests"]


def steps_assumptions(intent: Intent, row: Estimate, catalog: Catalog) -> list[str]:
    """What an image-generation plan assumed of its denoising steps: as stated, or its catalog
    entry's count (its FLOPs figure counts them)."""
    model = catalog.models.get(row.model_id)
    request = model.request if model is not None else None
    if request is None or request.steps is None:
        return []
    stated = intent.workload.steps
    if stated is not None:
        return [f"{stated} denoising steps an image, as stated: {row.model_id}'s FLOPs figure counts "
                f"{request.steps}, each step {request.step_gflops:,.0f} GFLOPs more or less"]
    return [f"{request.steps} denoising steps an image, {row.model_id}'s catalog entry ({request.formula}); "
            "say e.g. '30 steps' to plan another count"]


def _front(candidates: CandidateSet, feasible_cells, objective, replicas, chosen: Estimate,
           catalog: Catalog) -> list[ParetoPoint]:
    """The trade-off front among configurations that meet every bound, best objective first."""
    grid = candidates.grid
    cells = list(zip(*np.nonzero(front_mask(grid, feasible_cells, objective, replicas))))
    metric, sense = objective
    values = deployment_grid(grid, metric, replicas, per_replica=metric in RATES)
    cells.sort(key=lambda gk: (np.nan_to_num(values[gk], nan=np.inf) * (1 if sense == "minimize" else -1), gk))
    points = []
    for g, k in cells[:MAX_FRONT]:
        row, r = grid.prediction(g, k), int(replicas[g, k])
        same = _identity(row) == _identity(chosen)
        points.append(ParetoPoint(choice=_choice(row, r, catalog), metrics=_metrics(row, r), chosen=same))
    return points


def _identity(row: Estimate) -> tuple:
    return (row.model_id, row.device_id, row.precision, row.batch_size, row.shards, row.placement,
            getattr(row, "prefill_workers", None), getattr(row, "decode_workers", None))


def _unknown_objective(grid, feasible_cells, objective) -> str | None:
    """What a plan says when no configuration that meets the request has a known figure for the
    objective it names (None when one has; ``{levels}`` is left for the tie-breakers): the plan is
    then made on the tie-breakers that follow it, where it was refused ("Llama 3 8B, cheapest, on
    Gaudi 3": no Gaudi has a published price)."""
    metric, sense = objective
    if not np.isnan(grid.metric(metric))[feasible_cells].all():
        return None
    devices = sorted(set(grid.configs.device_ids[np.nonzero(feasible_cells)[0]]))
    hint = "give prices in an inventory (--inventory, usd_per_hour)" if metric == "cost" else "drop that preference"
    return (f"the objective is to {sense} {metric}, but none of the configurations that meet it has a known {metric} "
            f"({', '.join(devices[:4])}{' …' if len(devices) > 4 else ''}): planned on the tie-breakers that follow it "
            f"instead ({{levels}}); {hint}")


def _host_note(device) -> list[str]:
    """An accelerator that plugs into a host (USB, M.2 or PCIe: it has a host link of its own and is no
    board) counts its own power and price alone: the host it needs is said (a Coral at 1.3 W was planned
    for 'no cloud, under 25 W' with no word of the computer it runs on)."""
    if device is None or device.host_link_gbs is None or device.form_factor != "edge":
        return []
    return [f"{device.name} is an accelerator that plugs into a host computer (USB, M.2 or PCIe): the power and cost "
            "are the accelerator's alone; the host it needs (and runs the rest of the application) adds its own"]


def _rate_power_note(intent: Intent, row: Estimate, replicas: int, fill: bool) -> list[str]:
    """What the power figure is at a stated rate (Grid.at_rate): each replica busy a share of the time."""
    rate = requested_rate(intent)
    if rate is None or fill or row.tpot_ms is not None or not row.throughput_rps:
        return []
    busy = min(1.0, rate / (replicas * (row.service_rps or row.throughput_rps)))
    return [f"power is drawn at the stated {rate:g} requests/s: each replica is busy {busy:.0%} of the time "
            f"and idles the rest; energy a request is that draw over the requests served, idle time included"]


def _choice(row: Estimate, replicas: int, catalog: Catalog) -> Choice:
    device = catalog.device(row.device_id)
    model = catalog.model(row.model_id)
    rule = runtime_of(device, model)
    return Choice(model_id=row.model_id, device_id=row.device_id, device_name=device.title,
                  precision=row.precision, batch_size=row.batch_size, replicas=replicas, shards=row.shards,
                  placement=row.placement,
                  runtime=rule.runtime, serving=rule.serving, power_mode=row.power_mode,
                  **layout_of(row))


def layout_of(row: Estimate) -> dict:
    """The parallel layout of a row (a served LLM's, else its shards as tensor parallel)."""
    return {"devices_per_replica": devices_per_replica(row),
            "tensor_parallel": getattr(row, "tensor_parallel", row.shards),
            "pipeline_parallel": getattr(row, "pipeline_parallel", 1),
            "expert_parallel": getattr(row, "expert_parallel", 1),
            "prefill_workers": getattr(row, "prefill_workers", None),
            "decode_workers": getattr(row, "decode_workers", None)}


def _metrics(row: Estimate, replicas: int) -> Metrics:
    return Metrics(
        latency_ms=row.latency_ms, throughput_rps=row.throughput_rps * replicas,
        power_w=deployment_value(row, "power", replicas), energy_j=row.energy_j,
        memory_gb=deployment_value(row, "memory", replicas), memory_per_device_gb=row.memory_gb,
        cost_usd_per_hour=deployment_value(row, "cost", replicas), accuracy=row.accuracy,
        bound_by=row.bound_by, provenance=row.provenance, ttft_ms=row.ttft_ms, tpot_ms=row.tpot_ms,
        tokens_per_s=None if row.tokens_per_s is None else row.tokens_per_s * replicas,
        usd_per_mtok=row.usd_per_mtok, concurrency=sequences_per_replica(row) * replicas,
        latency_basis=row.latency_basis,
    )


def _why(intent: Intent, objective, is_default: bool, checks: list[ConstraintCheck], row: Estimate, solution) -> list[str]:
    metric, sense = objective
    ours = deployment_value(row, metric, solution.replicas)
    lines = [f"{'default objective' if is_default else 'objective'}: {sense} {metric}"
             + (f", reached {fmt(ours, metric)}" if ours is not None else
                f"; its {metric} is unknown (no published figure), so the tie-breakers decided: "
                + ", then ".join(level.describe() for level in solution.levels[1:]))]
    if solution.best_value is not None and ours is not None:
        tolerance = solution.levels[0].tolerance
        lines.append(f"plans within {tolerance:.0%} of the best {metric} ({fmt(solution.best_value, metric)}) count as "
                     "equal, and the tie-breakers decided: " + ", then ".join(lv.describe() for lv in solution.levels[1:]))
    for c in checks:
        state = "binds" if c.binding else "holds"
        lines.append(f"{c.constraint.describe()} {state}: predicted {fmt(c.predicted, c.constraint.metric.value)}"
                     + (f", slack {fmt(c.slack, c.constraint.metric.value)}" if c.slack is not None else ""))
    if intent.workload.concurrency:
        held = sequences_per_replica(row)
        lines.append(f"concurrency {intent.workload.concurrency} held: {solution.replicas} replica(s) x "
                     f"{held} sequences = {solution.replicas * held} at once")
    elif solution.replicas > 1 and objective[0] in JOB_OBJECTIVES and intent.workload.dataset_records:
        lines.append(f"{solution.replicas} replicas share the job: every device held works on it")
    elif solution.replicas > 1:
        lines.append(_why_replicas(intent, row, solution.replicas))
    return lines


def _why_replicas(intent: Intent, row: Estimate, replicas: int) -> str:
    """Why a service runs on more than one replica: the replicas the request asks for, its rate, or
    (when fewer would serve the rate) its latency bound at that rate, as queueing waits grow."""
    w = intent.workload
    if w.min_replicas and w.min_replicas >= replicas:
        return f"{replicas} replicas: the request asks for at least {w.min_replicas}"
    if w.spare_replicas:
        return f"{replicas} replicas, {w.spare_replicas} of them spare, as the request asks"
    rate = whole_load(intent)[0].bound(Metric.THROUGHPUT, ">=")
    each = row.service_rps or row.throughput_rps  # a replica's full rate, where the plan states its share
    if rate is not None and each and each * (replicas - 1) >= rate:
        # one board does 3.5x an image every 30 s, yet SDXL's p99 under random arrivals needs two
        return (f"{replicas} replicas: {replicas - 1} would serve the rate ({fmt(rate, 'throughput')}, "
                f"{fmt(each, 'throughput')} each), but not within the latency bound at it (requests "
                "arriving at random queue behind one another)")
    return f"{replicas} replicas are needed to reach the throughput bound"


def _alternatives(chooser: Chooser, chosen: Estimate, replicas: int, catalog: Catalog, count: int,
                  settings: SolverSettings) -> list[Alternative]:
    """Runner-ups on other devices: the plan's chooser asked again with the devices used so far forbidden."""
    out: list[Alternative] = []
    forbidden = (chosen.device_id,)
    for _ in range(count):
        if settings.skip("runner-ups"):
            break
        other = chooser.best(forbid_devices=forbidden)
        if other is None:
            break
        row = chooser.rows[other.row]
        out.append(Alternative(choice=_choice(row, other.replicas, catalog), metrics=_metrics(row, other.replicas),
                               feasible=True, why_not=why_lost(other.levels, chosen, replicas, row, other.replicas)))
        forbidden += (row.device_id,)
    return out


def _near_misses(candidates: CandidateSet, feasible_cells: np.ndarray, intent: Intent, metric: str, sense: str,
                 ours: float | None, chosen: Estimate, catalog: Catalog, count: int = 2) -> list[Alternative]:
    """The best configurations of other devices that beat the plan on the objective but break a bound."""
    if ours is None:
        return []
    grid = candidates.grid
    values = grid.metric(metric)
    with np.errstate(invalid="ignore"):
        better = values < ours if sense == "minimize" else values > ours
    devices = grid.configs.device
    chosen_device = [d.id for d in grid.configs.devices].index(chosen.device_id)
    mask = grid.fits & ~feasible_cells & better & (devices != chosen_device)[:, None]
    rows, cols = np.nonzero(mask)
    score = (values if sense == "minimize" else -values)[rows, cols]
    order = np.lexsort((cols, rows, score, devices[rows]))  # per device: best score, then first cell
    owner = devices[rows][order]
    firsts = order[np.r_[True, owner[1:] != owner[:-1]]] if len(order) else order
    best = sorted((score[i], rows[i], cols[i]) for i in firsts)
    out = []
    for _, g, k in best[:count]:
        row = grid.prediction(g, k)
        out.append(Alternative(choice=_choice(row, 1, catalog), metrics=_metrics(row, 1), feasible=False,
                               why_not=f"better {metric} ({fmt(deployment_value(row, metric, 1), metric)}) but "
                                       + "; ".join(violations(row, intent.constraints))))
    return out


def _conflict(rows, together: list, target, settings: SolverSettings, concurrency: int | None = None,
              alone: bool = False) -> Conflict:
    """One conflicting bound with the best value reachable while the others in ``together`` hold."""
    if settings.skip("conflict search"):
        return Conflict(constraint=target, best_reachable=None, alone=alone, timed_out=True)
    return Conflict(constraint=target, best_reachable=best_reachable(rows, together, target, settings, concurrency),
                    alone=alone)


def _within_device_cap(grid, feasible: np.ndarray, replicas: np.ndarray, cap: int, catalog: Catalog) -> np.ndarray:
    """The feasible cells that use at most ``cap`` devices in all (the request counted its
    devices without naming one: "on a single GPU"). When every feasible cell needs more, the
    request is refused with the fewest devices that meet its bounds, rather than planned on more."""
    devices = deployment_grid(grid, "devices", replicas)
    within = feasible & (devices <= cap + 1e-9)
    if within.any() or not feasible.any():
        return within
    fewest = np.where(feasible, devices, np.inf)
    g, k = np.unravel_index(np.argmin(fewest), fewest.shape)
    row = grid.prediction(int(g), int(k))
    device = catalog.devices.get(row.device_id)
    name = device.name if device is not None else row.device_id
    sliced = (f"; {name} is rented in slices of {', '.join(map(str, device.slice_sizes.sizes))} devices"
              if device is not None and device.slice_sizes and cap not in device.slice_sizes.sizes else "")
    reason = (f"no configuration on at most {cap} device{'s' if cap > 1 else ''} meets every bound; the fewest that "
              f"do are {int(round(fewest[g, k]))} ({row.model_id} {row.precision} on {name}){sliced}")
    error = InfeasibleError(reason, InfeasibilityReport(reason=reason, candidates=int(feasible.sum())))
    error.hint = "allow more devices than the request counted, or relax a bound"
    raise error


def _infeasible(intent: Intent, rows, settings) -> InfeasibleError:
    """Name the bounds that cannot hold: each one unreachable on its own (with the best value
    any candidate reaches), then a smallest conflicting set among the rest (with the best
    value of each while the others in the set hold)."""
    search = "conflict search"
    concurrency = intent.workload.concurrency
    alone = [c for c in intent.constraints
             if not settings.skip(search) and not feasible(rows, [c], settings, concurrency)]
    conflicts = [_conflict(rows, [c], c, settings, concurrency, alone=True) for c in alone]
    rest = [c for c in intent.constraints if c not in alone]
    if rest and not settings.skip(search) and not feasible(rows, rest, settings, concurrency):
        core = [rest[k] for k in conflict_core(rows, rest, settings, concurrency)]
        conflicts += [_conflict(rows, core, c, settings, concurrency) for c in core]
    users = None if conflicts else _users_not_held(rows, concurrency, settings)
    reason = summarise_conflicts(conflicts) if conflicts else (
        users or "no candidate has the figures needed to judge this request")
    if not conflicts and settings.skip(search):
        reason = f"no configuration meets every bound: {', '.join(c.describe() for c in intent.constraints)}"
    notes = [settings.budget.describe()] if settings.budget is not None and settings.budget.skipped else []
    error = InfeasibleError(reason, InfeasibilityReport(reason=reason, conflicts=conflicts, candidates=len(rows),
                                                        notes=notes))
    if users:
        error.hint = "allow more devices (or say you have more), or plan for fewer users at once"
    return error


def _users_not_held(rows, concurrency: int | None, settings: SolverSettings) -> str | None:
    """Why no row holds the users at once, where the devices allowed cap the replicas: the most any
    configuration holds (it had been "no candidate has the figures needed", with no bound to blame)."""
    if not concurrency or not rows:
        return None
    held = [sequences_per_replica(row) * replica_cap(row, settings.max_replicas) for row in rows]
    best = max(range(len(rows)), key=lambda i: (held[i], -i))
    if held[best] >= concurrency:
        return None
    row = rows[best]
    return (f"no configuration holds {concurrency:,} users at once on the devices allowed: the most is "
            f"{held[best]:,.0f} ({row.model_id} {row.precision} on {row.device_id}, "
            f"{replica_cap(row, settings.max_replicas)} replica(s) of batch {row.batch_size}, as its memory holds "
            "their sequences); allow more devices, or plan for fewer users at once")


__all__ = ["CandidateSet", "PlanningResult", "plan_intent"]
