"""One settings object, read when needed (never at import time)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from intent.errors import IntentError


@dataclass(frozen=True)
class Settings:
    api_key: str | None
    base_url: str | None
    model: str
    llm_timeout_s: float
    llm_retries: int
    solver_time_limit_s: float
    solver_seed: int
    policy_path: str | None = None
    solver_workers: int = 1  # more workers are faster but a time-limited search may then differ run to run
    #: plans within this share of the best objective count as equal on it (planner.solve.chooser)
    objective_tolerance: float = 0.01

    @property
    def llm_configured(self) -> bool:
        return bool(self.api_key)


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit overrides (None means 'not given')."""
    env = os.environ
    values = dict(
        api_key=env.get("OPENAI_API_KEY") or None,
        base_url=env.get("OPENAI_BASE_URL") or None,
        model=env.get("INTENTCTL_MODEL", "gpt-4o-mini"),
        llm_timeout_s=float(env.get("INTENTCTL_LLM_TIMEOUT", "20")),
        llm_retries=int(env.get("INTENTCTL_LLM_RETRIES", "2")),
        solver_time_limit_s=float(env.get("INTENTCTL_SOLVER_TIME_LIMIT", "10")),
        solver_seed=int(env.get("INTENTCTL_SOLVER_SEED", "0")),
        policy_path=env.get("INTENTCTL_POLICY") or None,
        solver_workers=int(env.get("INTENTCTL_SOLVER_WORKERS", "1")),
        objective_tolerance=float(env.get("INTENTCTL_OBJECTIVE_TOLERANCE", "0.01")),
    )
    values.update({k: v for k, v in overrides.items() if v is not None})
    limit = values["solver_time_limit_s"]
    if not (isinstance(limit, (int, float)) and math.isfinite(limit) and limit > 0):  # "inf" is no limit a plan reports
        raise SettingsError(f"the solver time limit must be a finite number of seconds above 0, not {limit!r} "
                            "(INTENTCTL_SOLVER_TIME_LIMIT or --time-limit)")
    return Settings(**values)


class SettingsError(IntentError):
    """A setting (an environment variable or an override) that cannot be used."""

    code = "config-invalid"
    hint = "set it to a number of seconds, e.g. INTENTCTL_SOLVER_TIME_LIMIT=10"
