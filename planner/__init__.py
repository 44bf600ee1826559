"""Planning: a roofline performance model and a CP-SAT planner over the catalogs."""

from planner.errors import EstimateError, InfeasibleError, MissingTaskError, PlanningError


def __getattr__(name: str):
    """``Estimate`` and ``estimate`` come from the performance model, which needs numpy: it is
    loaded when first asked for, so light modules of this package (``planner.cpsat``) import
    without it."""
    if name in ("Estimate", "estimate"):
        from planner import perf

        return getattr(perf, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


__all__ = ["Estimate", "EstimateError", "InfeasibleError", "MissingTaskError", "PlanningError", "estimate"]
