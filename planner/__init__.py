"""Planning: a roofline performance model and a CP-SAT planner over the catalogs."""

from planner.errors import EstimateError, InfeasibleError, MissingTaskError, PlanningError
from planner.perf import Estimate, estimate

__all__ = ["Estimate", "EstimateError", "InfeasibleError", "MissingTaskError", "PlanningError", "estimate"]
