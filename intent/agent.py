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


def build_plan(intent: Intent, catalog: Catalog, settings: Settings, inventory: Inventory | None = None,
               alternatives: int = 3, organisation=None) -> ExecutionPlan:
    """Plan an Intent; raises InfeasibleError, MissingTaskError or PolicyError with a clear message."""
    import policies

    if intent.workload.kind != WorkloadKind.INFERENCE:
        raise PlanningError(f"planning {intent.workload.kind.value} jobs is not supported yet; "
                            "this version plans inference services")
    effects = policies.preflight(intent, organisation)
    intent = effects.intent
    solver = SolverSettings(time_limit_s=settings.solver_time_limit_s, seed=settings.solver_seed)
    result = plan_intent(intent, catalog, effects.placement_rules(), solver, effects.extra_latency_ms, inventory,
                         alternatives)
    device = catalog.device(result.choice.device_id)
    sections = policies.sections(intent, effects, device, result.choice.placement)
    return ExecutionPlan(
        intent=intent, choice=result.choice, metrics=result.metrics, objective_default=result.objective_default,
        constraints=result.constraints, why=result.why, alternatives=result.alternatives,
        assumptions=list(intent.assumptions) + result.assumptions + effects.assumptions,
        warnings=list(intent.warnings), policies=sections, steps=plan_steps(intent, result.choice, sections),
        solver=result.solver, catalog_hash=catalog.digest, policy_hash=effects.policy_hash,
    )
