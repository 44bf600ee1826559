"""intentctl: say what a workload needs in words; get an explained execution plan.

Importing this package loads only the Intent types. ``parse`` and ``plan`` load the parser
and planner on first use, so apps that only need the types stay light.
"""

from intent.schema import (
    CANONICAL_UNITS,
    Constraint,
    Deployment,
    DifferentialPrivacy,
    HardwareSelection,
    Intent,
    Metric,
    Objective,
    Policies,
    Precision,
    Regime,
    Sense,
    Task,
    Workload,
    WorkloadKind,
)

__all__ = [
    "CANONICAL_UNITS", "Constraint", "Deployment", "DifferentialPrivacy", "HardwareSelection", "Intent",
    "Metric", "Objective", "Policies", "Precision", "Regime", "Sense", "Task", "Workload", "WorkloadKind",
    "parse", "plan",
]


def parse(text, offline=None, **options):
    """Read a request into an :class:`Intent` (see :func:`intent.api.parse`)."""
    from intent.api import parse as _parse

    return _parse(text, offline=offline, **options)


def plan(request, **options):
    """Plan a request or an Intent into an ExecutionPlan (see :func:`intent.api.plan`)."""
    from intent.api import plan as _plan

    return _plan(request, **options)
