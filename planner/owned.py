"""Devices a request says it has ("I have 4 A100s", "我们有8张H100"), as an inventory to plan on.

A family ("A100") stands for each of its catalog variants (those of the size named, "A100 80GB",
when the request names one), with the stated count held between them: they are alternatives, not
devices on top of one another (``InventoryItem.variant_of``). The plan picks the variant, and says which. Owned hardware is not rented: it runs at the placement it can
(on-prem where the device offers it) and costs its power at the planned load and its hosting
(planner.perf.cost), since its purchase is already paid. A device with no published TDP has
no price, which the plan shows as unknown.
"""

from __future__ import annotations

from hardware import Catalog, Device, Inventory, InventoryItem
from planner.perf.cost import load_cost_settings

PLACEMENT_PREFERENCE = ("on-prem", "edge", "cloud")


def owned_inventory(owned: list[tuple[str, int]], catalog: Catalog,
                    include: list[str] = ()) -> tuple[Inventory, list[str]]:
    """The inventory for ``owned`` (device or family id, count) and the assumptions it makes;
    ``include`` (the request's included devices) narrows a family to the variants it names."""
    items: dict[str, InventoryItem] = {}
    notes = []
    for selector, count in owned:
        devices = _devices(selector, catalog)
        named = [d for d in devices if d.id in include]
        devices = named if len(devices) > 1 and named else devices
        if len(devices) > 1:
            notes.append(f"'{selector}' names {len(devices)} variants ({', '.join(d.id for d in devices)}); "
                         f"planned on whichever fits best, {count} of it in all; name the variant if yours is another")
        for device in devices:
            if device.id in items:
                continue
            placement = next(p for p in PLACEMENT_PREFERENCE if p in {x.value for x in device.placements})
            if placement == "cloud":
                notes.append(f"{device.id} is offered only in the cloud: the {count} held are planned as instances "
                             "rented at its cloud price")
            items[device.id] = InventoryItem(id=device.id, count=count, placement=placement,
                                             variant_of=selector if len(devices) > 1 else None)
    if not items:  # a class or vendor said to be held ("16 GPUs"): no device to hold
        from planner.errors import PlanningError

        raise PlanningError(f"the devices held ({', '.join(s for s, _ in owned)}) name no catalog device or family; "
                            "name the device held (e.g. '16 x H100')")
    notes.append(owned_cost_note())
    return Inventory(schema_version=1, devices=list(items.values())), notes


def _devices(selector: str, catalog: Catalog) -> list[Device]:
    if selector in catalog.devices:
        return [catalog.devices[selector]]
    return sorted((d for d in catalog.devices.values() if d.family == selector), key=lambda d: d.id)


def owned_cost_note() -> str:
    """What owned devices without a stated price cost: the TCO rule without the purchase."""
    settings = load_cost_settings()
    return f"owned devices cost their power and hosting, not their purchase ({settings.describe(owned=True)})"
