"""The performance model's factors under their old address (``planner.factors``).

The factors moved to :mod:`planner.perf.factors`; the published-measurement scorer and apps
written against the earlier layout import ``load_factors`` and ``RequestShape`` from here.
"""

from planner.perf.factors import PerfFactors, RequestShape, load_factors

__all__ = ["PerfFactors", "RequestShape", "load_factors"]
