"""Hardware and model catalogs: typed, sourced entries loaded from packaged YAML."""

from hardware.catalog import Catalog, load_catalog, validate_directory
from hardware.errors import CatalogError, UnknownEntryError
from hardware.schema import Basis, Device, Figure, ModelVariant

__all__ = ["Basis", "Catalog", "CatalogError", "Device", "Figure", "ModelVariant", "UnknownEntryError",
           "load_catalog", "validate_directory"]
