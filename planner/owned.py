"""Devices a request says it has ("I have 4 A100s", "我们有8张H100"), as an inventory to plan on.

A family ("A100") stands for each of its catalog variants, with the stated count: the plan picks
the variant, and says which. Owned hardware is not rented: it runs at the placement it can
(on-prem where the device offers it) and costs its electricity at full power, TDP x the
electricity price, since its purchase is already paid. A device with no published TDP has no
price, which the plan shows as unknown.
"""

from __future__ import annotations

from hardware import Catalog, Device, Inventory, InventoryItem
from planner.perf.factors import PerfFactors, load_factors

PLACEMENT_PREFERENCE = ("on-prem", "edge", "cloud")


def owned_inventory(owned: list[tuple[str, int]], catalog: Catalog,
                    factors: PerfFactors | None = None) -> tuple[Inventory, list[str]]:
    """The inventory for ``owned`` (device or family id, count) and the assumptions it makes."""
    factors = factors or load_factors()
    price = factors.electricity_usd_per_kwh.value
    items: dict[str, InventoryItem] = {}
    notes = []
    for selector, count in owned:
        devices = _devices(selector, catalog)
        if len(devices) > 1:
            notes.append(f"'{selector}' names {len(devices)} variants ({', '.join(d.id for d in devices)}); "
                         f"planned on whichever fits best, {count} of it; name the variant if yours is another")
        for device in devices:
            if device.id in items:
                continue
            placement = next(p for p in PLACEMENT_PREFERENCE if p in {x.value for x in device.placements})
            usd = None if device.tdp_w is None else round(device.tdp_w.value / 1000 * price, 6)
            items[device.id] = InventoryItem(id=device.id, count=count, placement=placement, usd_per_hour=usd)
    notes.append(f"owned devices cost their electricity at full power (TDP x ${price:g}/kWh), not their purchase")
    return Inventory(schema_version=1, devices=list(items.values())), notes


def _devices(selector: str, catalog: Catalog) -> list[Device]:
    if selector in catalog.devices:
        return [catalog.devices[selector]]
    return sorted((d for d in catalog.devices.values() if d.family == selector), key=lambda d: d.id)
