"""An inventory: the devices a user actually has, how many, where, and at what price.

When a plan is given an inventory, only its devices are candidates, a configuration may use
at most ``count`` of a device, it runs at the stated placement, and a stated price replaces
the catalog's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hardware.catalog import Catalog, close_matches
from hardware.errors import CatalogError
from hardware.yamlio import YAMLError, load_yaml


class InventoryItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(description="a catalog device id")
    count: int = Field(ge=1, description="how many of the device are available")
    placement: Literal["cloud", "on-prem", "edge"]
    location: str | None = Field(None, description="a site or cloud region, e.g. 'eu-west-1' or 'rack 3'")
    usd_per_hour: float | None = Field(None, ge=0, description="the all-in price of one device per hour")


class Inventory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1]
    devices: list[InventoryItem] = Field(min_length=1)

    def item(self, device_id: str) -> InventoryItem | None:
        return next((d for d in self.devices if d.id == device_id), None)


def load_inventory(path: str | Path, catalog: Catalog) -> Inventory:
    """Read and check an inventory file; errors name the file, the entry and the field."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the inventory ({exc.strerror})") from exc
    except YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc
    try:
        inventory = Inventory.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CatalogError(f"{path}: field {where!r}: {first['msg']}") from exc
    for index, item in enumerate(inventory.devices):
        if item.id not in catalog.devices:
            hint = close_matches(item.id, catalog.devices)
            raise CatalogError(f"{path}: entry #{index} ({item.id!r}): not a catalog device"
                               + (f"; did you mean {', '.join(hint)}?" if hint else ""))
    return inventory
