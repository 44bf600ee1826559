"""What a device costs per hour, so that cloud and on-prem hardware compare like with like.

- In the cloud: the on-demand price (the provider's power, cooling and space are in it).
- An inventory's stated ``usd_per_hour``: taken as the all-in price.
- On-prem hardware, as a total cost of ownership (TCO) per hour:

  - amortisation: purchase price / (life years x 8,760 h), straight line;
  - power: watts at the planned load / 1,000 x $/kWh x PUE (the facility's overhead on each IT watt);
  - hosting: TDP in kW x $/kW-month / 730 h (colocation rents space, cooling and power capacity
    by the provisioned kW, whatever the load).

  Hardware the user owns (an inventory, or "I have 4 A100s") costs its power and hosting only:
  its purchase is already paid. Hardware the plan would buy costs all three terms; without a
  published purchase price its cost is unknown.
- At the edge (a board in a store or a vehicle), the same without a data centre: amortisation
  and power at the meter, no PUE and no hosting.

The terms' defaults, with their sources, are in planner/data/costs.yaml; environment variables
replace them (see ``ENVIRONMENT``). Every function takes scalars or numpy arrays (NaN: unknown).
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, ConfigDict

from hardware.schema import Figure
from hardware.yamlio import packaged_yaml
from planner.errors import PlanningError
from planner.plan import TCO, CostTerms

HOURS_PER_YEAR = 8760
HOURS_PER_MONTH = HOURS_PER_YEAR / 12

#: The setting each environment variable replaces.
ENVIRONMENT = {"life_years": "INTENTCTL_TCO_LIFE_YEARS", "usd_per_kwh": "INTENTCTL_ELECTRICITY_USD_PER_KWH",
               "pue": "INTENTCTL_PUE", "hosting_usd_per_kw_month": "INTENTCTL_HOSTING_USD_PER_KW_MONTH"}


class CostSettingError(PlanningError):
    """A cost setting from the environment that is not a usable number."""

    code = "config-invalid"


class CostSettings(BaseModel):
    """The terms of the total-cost-of-ownership rule, each with its source."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = 1
    life_years: Figure
    usd_per_kwh: Figure
    pue: Figure
    hosting_usd_per_kw_month: Figure

    def describe(self, owned: bool = False) -> str:
        """The rule in one line, with the values in use (``owned``: without the purchase)."""
        running = (f"power at the planned load x ${self.usd_per_kwh.value:g}/kWh x PUE {self.pue.value:g}, "
                   f"hosting ${self.hosting_usd_per_kw_month.value:g}/kW-month of TDP")
        return running if owned else f"amortisation over {self.life_years.value:g} years, {running}"


@lru_cache(maxsize=1)
def _defaults() -> CostSettings:
    return CostSettings.model_validate(packaged_yaml("planner", "costs.yaml"))


def load_cost_settings() -> CostSettings:
    """The packaged defaults with any environment variable of ``ENVIRONMENT`` in their place
    (read at each call, never at import time). Raises CostSettingError for a value that is not
    a positive number (a PUE below 1 included)."""
    settings = _defaults()
    overrides = {}
    for name, variable in ENVIRONMENT.items():
        raw = os.environ.get(variable)
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not np.isfinite(value) or value <= 0 or (name == "pue" and value < 1):
            floor = "at least 1" if name == "pue" else "a positive number"
            raise CostSettingError(f"{variable}={raw!r}: {name} must be {floor}")
        overrides[name] = Figure(value=value, basis="estimated", formula=f"set by {variable}")
    return settings.model_copy(update=overrides) if overrides else settings


def amortisation(purchase_usd, settings: CostSettings):
    """USD per hour of one device's purchase spread over its service life."""
    return np.asarray(purchase_usd, dtype=float) / (settings.life_years.value * HOURS_PER_YEAR)


def power_cost(power_w, settings: CostSettings):
    """USD per hour of drawing ``power_w`` watts, facility overhead (PUE) included."""
    return np.asarray(power_w, dtype=float) / 1000 * settings.usd_per_kwh.value * settings.pue.value


def hosting(tdp_w, settings: CostSettings):
    """USD per hour of hosting devices whose provisioned power is ``tdp_w`` watts."""
    return np.asarray(tdp_w, dtype=float) / 1000 * settings.hosting_usd_per_kw_month.value / HOURS_PER_MONTH


def hourly_cost(cloud, purchase, stated, is_cloud, power_w, devices, tdp_w, owned, is_edge=False,
                settings: CostSettings | None = None):
    """USD per hour for ``devices`` devices drawing ``power_w`` in all at the planned load, each
    rated ``tdp_w`` (scalars or arrays; NaN where unknown). A stated (inventory) price wins; in
    the cloud, the on-demand price; elsewhere the TCO: power (and hosting, outside the edge),
    plus the amortised purchase unless ``owned``."""
    settings = settings or load_cost_settings()
    purchase = np.where(owned, 0.0, np.asarray(purchase, dtype=float))
    hosted = ~np.asarray(is_edge, dtype=bool)
    tco = amortisation(purchase, settings) * devices \
        + np.where(hosted, power_cost(power_w, settings), power_cost(power_w, settings) / settings.pue.value) \
        + np.where(hosted, hosting(np.asarray(tdp_w, dtype=float) * devices, settings), 0.0)
    per_device = np.where(np.isnan(stated), np.where(is_cloud, cloud, np.nan), stated)
    return np.where(np.isnan(per_device), np.where(is_cloud, np.nan, tco), per_device * devices)


def cost_terms(device, placement: str, devices: float, power_w: float | None, stated: float | None,
               owned: bool, settings: CostSettings | None = None, per_replica: int = 1) -> CostTerms:
    """The terms of one deployment's hourly cost: ``devices`` of ``device`` at ``placement``
    drawing ``power_w`` in all, ``per_replica`` of them to a replica (a cloud replica of several
    rents a multi-device instance); ``stated`` is an inventory's price per device."""
    settings = settings or load_cost_settings()
    if stated is not None:
        return CostTerms(basis="inventory price", devices=devices, owned=owned, total_usd_per_hour=stated * devices)
    if placement == "cloud":
        per_device = device.cloud_usd_per_device(per_replica)
        price = per_device * devices if per_device is not None else None
        return CostTerms(basis="cloud on-demand price" if price is not None else "no cloud price published",
                         devices=devices, owned=owned, total_usd_per_hour=price)
    purchase = 0.0 if owned else (device.purchase_usd.value if device.purchase_usd else None)
    tdp = device.tdp_w.value if device.tdp_w else None
    if purchase is None or tdp is None or power_w is None:
        missing = "purchase price" if purchase is None else "TDP" if tdp is None else "power"
        return CostTerms(basis=f"{TCO} (no published {missing})", devices=devices, owned=owned,
                         total_usd_per_hour=None)
    edge = placement == "edge"
    power = float(power_cost(power_w, settings)) / (settings.pue.value if edge else 1.0)
    rent = 0.0 if edge else float(hosting(tdp * devices, settings))
    terms = (float(amortisation(purchase, settings)) * devices, power, rent)
    return CostTerms(basis=TCO, devices=devices, owned=owned, total_usd_per_hour=sum(terms),
                     purchase_usd_per_hour=terms[0], power_usd_per_hour=terms[1], hosting_usd_per_hour=terms[2],
                     rule=settings.describe(owned) + (" (at the edge: no PUE, no hosting)" if edge else ""))
