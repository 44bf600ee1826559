"""Conversion factors to the contract's canonical units, computed by pint.

The lexicon maps spellings to pint unit names; pint computes each factor. Building a pint
registry takes a few hundred milliseconds, so the factors are kept in a small JSON file in
the user's cache directory, keyed by the lexicon's unit table and pint's version: the first
run pays for pint, later runs read the file. ``INTENTCTL_NO_UNIT_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

#: Cloud billing convention: a month is 730 hours and a year 8760 hours (12 x 730).
BILLING_DEFINITIONS = (
    "USD = [currency]",
    "billing_month = 730 * hour",
    "billing_year = 8760 * hour",
)
PERIOD_UNITS = {"second": "second", "minute": "minute", "hour": "hour", "day": "day",
                "month": "billing_month", "year": "billing_year"}
CANONICAL_RATE = "1 / second"
CANONICAL_COST = "USD / hour"


def _registry():
    import pint  # heavy: imported only when factors are not cached

    registry = pint.UnitRegistry()
    for definition in BILLING_DEFINITIONS:
        registry.define(definition)
    return registry


def compute_factors(unit_table: dict) -> dict[str, float]:
    """Every factor the parser needs, keyed "metric:unit" (and "rate:period", "cost:period")."""
    registry = _registry()
    factors: dict[str, float] = {}
    for metric, spec in unit_table.items():
        for unit in spec["spellings"]:
            factors[f"{metric}:{unit}"] = registry.Quantity(1, unit).to(spec["canonical"]).magnitude
    for period, unit in PERIOD_UNITS.items():
        factors[f"rate:{period}"] = registry.Quantity(1, f"1 / {unit}").to(CANONICAL_RATE).magnitude
        factors[f"cost:{period}"] = registry.Quantity(1, f"USD / {unit}").to(CANONICAL_COST).magnitude
    return factors


def _cache_path(key: str) -> Path | None:
    if os.environ.get("INTENTCTL_NO_UNIT_CACHE"):
        return None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("intentctl")) / f"unit-factors-{key}.json"


def _cache_key(unit_table: dict) -> str:
    from importlib.metadata import version

    payload = json.dumps([unit_table, BILLING_DEFINITIONS, PERIOD_UNITS, version("pint")], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def _factors_for(table_json: str) -> dict[str, float]:
    unit_table = json.loads(table_json)
    path = _cache_path(_cache_key(unit_table))
    if path is not None and path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass  # a damaged cache is rebuilt below
    factors = compute_factors(unit_table)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(factors, sort_keys=True), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only home still parses, just more slowly
    return factors


def unit_factors(unit_table: dict) -> dict[str, float]:
    """Factors for the lexicon's unit table, from the cache when it is current."""
    return _factors_for(json.dumps(unit_table, sort_keys=True))
