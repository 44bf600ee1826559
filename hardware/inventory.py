"""An inventory: the devices a user actually has, how many, where, and at what price.

When a plan is given an inventory, only its devices are candidates, a configuration may use
at most ``count`` of a device, it runs at the stated placement, and a stated price replaces
the catalog's. A device may be shared: split into Multi-Instance GPU slices (where the
catalog says the device supports them, split evenly as NVIDIA's profiles do) or time-sliced
among tenants; each slice is then a slot with its share of the device's compute, bandwidth,
memory and power (a time share, 1/n; a MIG instance, the smaller of its compute and its memory).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hardware.catalog import Catalog, close_matches
from hardware.errors import InventoryError
from hardware.yamlio import read_validated

#: The most devices one entry may count (a finite fleet; the solver's integers stay small).
MAX_COUNT = 1_000_000


class Sharing(BaseModel):
    """How one device is split among workloads: MIG slices or time-slicing shares (one of them)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    mig: int | None = Field(None, ge=2, le=8, description="Multi-Instance GPU slices per device (isolated)")
    time_slicing: int | None = Field(None, ge=2, le=64, description="tenants time-sharing one device")

    @model_validator(mode="after")
    def _one_mode(self) -> Sharing:
        if (self.mig is None) == (self.time_slicing is None):
            raise ValueError("give exactly one of 'mig' or 'time_slicing'")
        return self

    @property
    def slices(self) -> int:
        return self.mig or self.time_slicing

    @property
    def share(self) -> float:
        """The part of a device one slice gets: a time share, 1/n; a MIG instance of an equal split,
        the smaller of its compute (g of 7 slices) and its memory (of 8): a 1g.10gb of an 80 GB
        A100 has 1/7 of its compute and 10 GB, and 4 x 1g.20gb have 1/7 of the compute each."""
        if self.mig:
            return MIG_SHARE[self.mig]
        return 1.0 / self.time_slicing

    def describe(self) -> str:
        return f"MIG x{self.mig}" if self.mig else f"time-sliced x{self.time_slicing}"


#: The equal MIG splits NVIDIA publishes and each instance's share of the device, the smaller of its
#: compute and memory (NVIDIA's MIG user guide, supported profiles: https://docs.nvidia.com/datacenter/
#: tesla/mig-user-guide/supported-mig-profiles.html): 7 x 1g (1/7 compute, 1/8 memory), 4 x 1g with twice
#: the memory (1/7 compute, 1/4 memory), 3 x 2g (2/7, 1/4), 2 x 3g (3/7, 1/2).
MIG_SHARE = {7: 1 / 8, 4: 1 / 7, 3: 1 / 4, 2: 3 / 7}


class InventoryItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(description="a catalog device id")
    count: int = Field(ge=1, le=MAX_COUNT, description="how many of the device are available")
    placement: Literal["cloud", "on-prem", "edge"]
    location: str | None = Field(None, description="a site or cloud region, e.g. 'eu-west-1' or 'rack 3'")
    usd_per_hour: float | None = Field(None, ge=0, allow_inf_nan=False,
                                       description="the all-in price of one device per hour")
    sharing: Sharing | None = Field(None, description="split each device into slices (MIG) or time-slices")
    pool: str | None = Field(None, description="a name for this entry, when a fleet lists a device more than once")
    variant_of: str | None = Field(None, description="the family a request named without saying which variant it "
                                   "has: entries that share it are alternatives, holding `count` devices between them")

    @property
    def holding(self) -> str:
        """What holds this entry's devices: its family's alternatives together, else the entry alone."""
        return self.variant_of or self.id

    @property
    def slices(self) -> int:
        """Slots per device: 1 when the device is not shared."""
        return self.sharing.slices if self.sharing else 1

    @property
    def total_slots(self) -> int:
        """Slots in all: devices times slices."""
        return self.count * self.slices

    @property
    def share(self) -> float:
        """The part of one device a slot gets (Sharing.share)."""
        return self.sharing.share if self.sharing else 1.0

    @property
    def name(self) -> str:
        """The pool's name in plans: its own, else the device id with its sharing when shared."""
        if self.pool:
            return self.pool
        if self.sharing is None:
            return self.id
        return f"{self.id} ({self.sharing.describe()})"


class Inventory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1]
    devices: list[InventoryItem] = Field(min_length=1)

    def item(self, device_id: str) -> InventoryItem | None:
        """The entry for a device; a device listed twice (e.g. whole and MIG-sliced) is a fleet
        inventory, which single plans cannot use."""
        items = [d for d in self.devices if d.id == device_id]
        if len(items) > 1:
            raise InventoryError(f"the inventory lists {device_id} {len(items)} times; a single plan needs one entry "
                               "per device (several pools of one device are for 'intentctl fleet plan')")
        return items[0] if items else None


#: The hint of an inventory file that cannot be read as one (missing, not YAML, another kind of file).
FILE_HINT = "give the path of an inventory file: 'schema_version: 1' and its 'devices' (see examples/inventory.yaml)"


def load_inventory(path: str | Path, catalog: Catalog) -> Inventory:
    """Read and check an inventory file; errors name the file, the line, the entry and the field.
    A file that is no inventory at all says so (a fleet file says it is one)."""
    path = Path(path)
    try:
        inventory, _ = read_validated(path, Inventory, "inventory file", InventoryError)
    except InventoryError as exc:
        if re.search(r"(?m)^workloads\s*:", _text_or_empty(path)):
            fleet = InventoryError(f"{path}: a fleet file (it has 'workloads'), not an inventory")
            fleet.hint = f"plan it with 'intentctl fleet plan {path}', or give an inventory file"
            raise fleet from None
        if ": field '" not in str(exc):  # the file is no inventory at all: its entries are no matter yet
            exc.hint = FILE_HINT
        raise
    check_inventory(inventory, catalog, str(path))
    return inventory


def _text_or_empty(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:100_000]
    except OSError:
        return ""


def _ids_like(name: str, catalog: Catalog) -> list[str]:
    """Catalog device ids a wrong id may mean: the variants of a family or alias it names
    ("h100"), else the closest spellings."""
    from hardware.names import resolve_device

    resolved = resolve_device(name, catalog)
    if resolved in catalog.devices:
        return [resolved]
    if resolved is not None:
        return sorted(d.id for d in catalog.devices.values() if d.family == resolved)
    return close_matches(name, catalog.devices)


def check_inventory(inventory: Inventory, catalog: Catalog, where: str) -> None:
    """Every entry names a catalog device, MIG only where the device supports it, and no
    pool is listed twice."""
    seen = set()
    for index, item in enumerate(inventory.devices):
        if item.id not in catalog.devices:
            raise InventoryError(f"{where}: entry #{index} ({item.id!r}): not a catalog device"
                               + (f"; did you mean {', '.join(hint)}?" if (hint := _ids_like(item.id, catalog)) else "")
                               + " (a device of your own catalog needs --catalog DIR)")
        device = catalog.devices[item.id]
        offered = [p.value for p in device.placements]
        if item.placement == "cloud" and offered == ["edge"]:  # a board: the catalog has it only at the edge
            raise InventoryError(f"{where}: entry #{index} ({item.id!r}): placement 'cloud', but it is an edge device "
                                 "that no cloud rents; use placement: edge")
        if item.placement == "on-prem" and offered == ["cloud"]:  # rented only: no one sells it to run on-site
            raise InventoryError(f"{where}: entry #{index} ({item.id!r}): placement 'on-prem', but the catalog has it "
                                 "only in the cloud (its maker rents it and sells it to no one); use placement: cloud")
        if item.sharing and item.sharing.mig:
            limit = device.mig_instances.value if device.mig_instances else 0
            if not limit:
                raise InventoryError(f"{where}: entry #{index} ({item.id!r}): the device does not support MIG; "
                                   "use 'time_slicing' to share it")
            if item.sharing.mig > limit:
                raise InventoryError(f"{where}: entry #{index} ({item.id!r}): MIG splits it into at most "
                                   f"{limit:g} instances, not {item.sharing.mig}")
            if item.sharing.mig not in MIG_SHARE:
                raise InventoryError(f"{where}: entry #{index} ({item.id!r}): MIG splits a GPU evenly into "
                                   f"{', '.join(str(n) for n in sorted(MIG_SHARE))} instances, not {item.sharing.mig} "
                                   "(NVIDIA's MIG profiles); use one of those, or time_slicing")
        if item.placement == "edge" and "edge" not in offered:
            raise InventoryError(f"{where}: entry #{index} ({item.id!r}): placement 'edge', but it is a datacenter "
                                 f"device; use placement: {offered[0]}")
        if item.name in seen:
            raise InventoryError(f"{where}: entry #{index} ({item.name}): listed twice; merge the counts or give "
                               "each entry its own 'pool' name")
        seen.add(item.name)
