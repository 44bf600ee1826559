"""The Python API: ``parse`` and ``plan``, the same calls the CLI makes.

Errors are typed: IntentNotUnderstood (intent.errors), InfeasibleError and PlanningError
(planner.errors), CatalogError (hardware.errors), PolicyError (policies.errors).
"""

from __future__ import annotations

from intent.schema import Intent
from intent.settings import Settings, load_settings


def parse(text: str, offline: bool | None = None, catalog_dir: str | None = None,
          settings: Settings | None = None) -> Intent:
    """Read ``text`` into an Intent. An LLM reads it when one is configured (OPENAI_API_KEY)
    and ``offline`` is not true; otherwise, or when the model fails, the offline rules do."""
    from hardware import load_catalog

    settings = settings or load_settings()
    catalog = load_catalog(catalog_dir)
    if offline or not settings.llm_configured:
        from intent.parser import parse_rules

        return parse_rules(text, catalog)
    from intent.llm import parse_online

    return parse_online(text, settings, catalog)


def plan(request: str | Intent, offline: bool | None = None, catalog_dir: str | None = None,
         settings: Settings | None = None, inventory: str | None = None, alternatives: int = 3,
         policy: str | None = None, record: bool | None = None, pareto: bool = False):
    """Plan a request (text or Intent) into an ExecutionPlan; ``inventory`` is the path of an
    inventory file, when only the devices a user has may be used; ``alternatives`` is how many
    runner-ups on other devices to include; ``policy`` is an organisation policy file
    (default: the INTENTCTL_POLICY setting). The plan is stored in the history unless
    ``record`` is false or INTENTCTL_HISTORY=off."""
    from hardware import load_catalog, load_inventory
    from intent.agent import build_plan

    settings = settings or load_settings()
    catalog = load_catalog(catalog_dir)
    owned = load_inventory(inventory, catalog) if inventory else None
    intent = request if isinstance(request, Intent) else parse(request, offline, catalog_dir, settings)
    policy_path = policy or settings.policy_path
    organisation = None
    if policy_path:
        from policies import load_policy

        organisation = load_policy(policy_path)
    result = build_plan(intent, catalog, settings, owned, alternatives, organisation, pareto)
    from intent import history

    if record if record is not None else history.enabled():
        history.record(result, request if isinstance(request, str) else None)
    return result
