"""Hardware and model catalogs: typed, sourced entries loaded from packaged YAML."""

from hardware.catalog import Catalog, load_catalog, validate_directory
from hardware.errors import CatalogError, InventoryError, UnknownEntryError
from hardware.inventory import Inventory, InventoryItem, Sharing, check_inventory, load_inventory
from hardware.schema import Basis, Device, Figure, ModelVariant

__all__ = ["Basis", "Catalog", "CatalogError", "Device", "Figure", "Inventory", "InventoryError", "InventoryItem",
           "ModelVariant", "Sharing", "UnknownEntryError", "check_inventory", "load_catalog",
           "load_inventory", "validate_directory"]
