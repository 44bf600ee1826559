"""Planning: a roofline performance model and a CP-SAT planner over the catalogs.

The stages, in the order a request meets them:

- ``perf/``: what one configuration does (latency, throughput, power, memory, cost);
- ``search/``: which configurations a request allows, pruned to those that can win;
- ``solve/``: the CP-SAT models that choose among them, and the explanations;
- ``single.py``: one request, from candidates to a planning result; ``jobs.py``: training and
  fine-tuning jobs; ``fleet/``: many workloads on one inventory;
- ``measure/``: stored measurements that correct the model.

``plan.py``, ``errors.py`` and ``figures.py`` hold the public types the rest of the project reads.
"""

from planner.errors import EstimateError, InfeasibleError, MissingTaskError, PlanningError


def __getattr__(name: str):
    """``Estimate``, ``estimate``, ``ServerEstimate`` and ``server_rate`` come from the performance model, which needs numpy: it is
    loaded when first asked for, so light modules of this package (``planner.solve.cpsat``) import
    without it."""
    if name in ("Estimate", "estimate", "ServerEstimate", "server_rate"):
        from planner.perf import roofline

        return getattr(roofline, name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


__all__ = ["Estimate", "EstimateError", "InfeasibleError", "MissingTaskError", "PlanningError", "ServerEstimate",
           "estimate", "server_rate"]
