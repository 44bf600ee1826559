"""The Python API: ``parse`` and ``plan``, the same calls the CLI makes.

Errors are typed: IntentNotUnderstood (intent.errors), InfeasibleError and PlanningError
(planner.errors), CatalogError (hardware.errors), PolicyError (policies.errors).
"""

from __future__ import annotations

from intent.schema import Intent
from intent.settings import Settings, load_settings


def parse(text: str, offline: bool | None = None, catalog_dir: str | None = None,
          settings: Settings | None = None) -> Intent:
    """Read ``text`` into an Intent. The offline rules are used when ``offline`` is true or no
    LLM endpoint is configured."""
    from hardware import load_catalog
    from intent.parser import parse_rules

    return parse_rules(text, load_catalog(catalog_dir))


def plan(request: str | Intent, offline: bool | None = None, catalog_dir: str | None = None,
         settings: Settings | None = None):
    """Plan a request (text or Intent) into an ExecutionPlan."""
    from hardware import load_catalog
    from intent.agent import build_plan

    settings = settings or load_settings()
    intent = request if isinstance(request, Intent) else parse(request, offline, catalog_dir, settings)
    return build_plan(intent, load_catalog(catalog_dir), settings)
