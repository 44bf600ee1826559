"""Errors raised by the catalog layer."""

from __future__ import annotations


class CatalogError(ValueError):
    """A catalog file is missing, unreadable or malformed; the message names file, entry and field."""

    code = "catalog-invalid"
    hint = "fix the named field, then check with: intentctl catalog validate DIR"


class UnknownEntryError(CatalogError):
    """A device or model id is not in the catalog."""

    code = "catalog-unknown-id"

    def __init__(self, kind: str, name: str, suggestions: list[str]):
        self.kind, self.name, self.suggestions = kind, name, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no {kind} {name!r} in the catalog{hint}")
        listings = " or ".join(f"intentctl catalog {k}s" for k in kind.split(" or "))
        self.hint = f"list them with: {listings}"


class InventoryError(CatalogError):
    """An inventory file (or a fleet file's inventory) is missing, unreadable or names devices
    the catalog cannot place as written; the message names file, entry and field."""

    code = "inventory-invalid"
    hint = ("fix the named entry: each needs a catalog device id ('intentctl catalog devices' lists them), a count, "
            "and a placement the device offers")
