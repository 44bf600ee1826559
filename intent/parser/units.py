"""Conversion factors to the contract's canonical units, computed by pint.

The lexicon maps spellings to pint unit names; pint computes each factor. Building a pint
registry takes a few hundred milliseconds, so the factors are kept in the cache
(``hardware.jsoncache``), keyed by the lexicon's unit table and pint's version: the first
run pays for pint, later runs read the file.
"""

from __future__ import annotations

import json
from functools import lru_cache

from hardware.jsoncache import cached, digest

#: Cloud billing convention: a month is 730 hours and a year 8760 hours (12 x 730).
BILLING_DEFINITIONS = (
    "USD = [currency]",
    "billing_month = 730 * hour",
    "billing_year = 8760 * hour",
)
PERIOD_UNITS = {"second": "second", "minute": "minute", "hour": "hour", "day": "day", "week": "week",
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


def _cache_key(unit_table: dict) -> str:
    from importlib.metadata import version

    return digest(json.dumps([unit_table, BILLING_DEFINITIONS, PERIOD_UNITS, version("pint")], sort_keys=True))


@lru_cache(maxsize=4)
def _factors_for(table_json: str) -> dict[str, float]:
    unit_table = json.loads(table_json)
    return cached("unit-factors", _cache_key(unit_table), lambda: compute_factors(unit_table))


def unit_factors(unit_table: dict) -> dict[str, float]:
    """Factors for the lexicon's unit table, from the cache when it is current."""
    return _factors_for(json.dumps(unit_table, sort_keys=True))
