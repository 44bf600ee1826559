"""The agent: request -> Intent -> policies -> CP-SAT plan -> policy sections -> ExecutionPlan."""

from __future__ import annotations

from hardware import Catalog, Inventory
from intent.schema import Intent, WorkloadKind
from intent.settings import Settings
from intent.steps import plan_steps
from planner.errors import PlanningError
from planner.plan import ExecutionPlan
from planner.planning import plan_intent
from planner.solver import SolverSettings

COMPLIANCE_NAMES = ("hipaa", "gdpr", "pci-dss", "soc2")


def _with_compliance_cost(sections, intent: Intent, catalog: Catalog, solver: SolverSettings, effects,
                          inventory, result) -> list:
    """What the compliance regimes cost: the plan against the same request without them."""
    from planner.errors import InfeasibleError

    free = intent.model_copy(update={"policies": intent.policies.model_copy(update={"compliance": []})})
    try:
        baseline = plan_intent(free, catalog, [], solver, effects.extra_latency_ms, inventory, alternatives=0)
    except InfeasibleError:
        return sections
    ours, theirs = result.metrics, baseline.metrics

    def delta(a, b):
        return None if a is None or b is None else round(a - b, 6)

    cost = {"vs_without_compliance": (f"{baseline.choice.model_id} on {baseline.choice.device_id} "
                                      f"({baseline.choice.placement})"),
            "cost_delta_usd_per_hour": delta(ours.cost_usd_per_hour, theirs.cost_usd_per_hour),
            "latency_delta_ms": delta(ours.latency_ms, theirs.latency_ms),
            "power_delta_w": delta(ours.power_w, theirs.power_w)}
    return [s.model_copy(update={"parameters": {**s.parameters, **cost}}) if s.name in COMPLIANCE_NAMES else s
            for s in sections]


def build_plan(intent: Intent, catalog: Catalog, settings: Settings, inventory: Inventory | None = None,
               alternatives: int = 3, organisation=None, pareto: bool = False) -> ExecutionPlan:
    """Plan an Intent; raises InfeasibleError, MissingTaskError or PolicyError with a clear message."""
    import policies

    if intent.workload.kind != WorkloadKind.INFERENCE:
        raise PlanningError(f"planning {intent.workload.kind.value} jobs is not supported yet; "
                            "this version plans inference services")
    effects = policies.preflight(intent, organisation)
    intent = effects.intent
    solver = SolverSettings(time_limit_s=settings.solver_time_limit_s, seed=settings.solver_seed)
    result = plan_intent(intent, catalog, effects.placement_rules(), solver, effects.extra_latency_ms, inventory,
                         alternatives, pareto)
    device = catalog.device(result.choice.device_id)
    sections = policies.sections(intent, effects, device, result.choice.placement)
    if effects.regimes:
        sections = _with_compliance_cost(sections, intent, catalog, solver, effects, inventory, result)
    return ExecutionPlan(
        intent=intent, choice=result.choice, metrics=result.metrics, objective_default=result.objective_default,
        constraints=result.constraints, why=result.why, alternatives=result.alternatives,
        pareto_front=result.pareto_front,
        assumptions=list(intent.assumptions) + result.assumptions + effects.assumptions,
        warnings=list(intent.warnings), policies=sections, steps=plan_steps(intent, result.choice, sections),
        solver=result.solver, catalog_hash=catalog.digest, policy_hash=effects.policy_hash,
    )
