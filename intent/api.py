"""The Python API: ``parse`` and ``plan``, the same calls the CLI makes."""

from __future__ import annotations

from intent.schema import Intent


def parse(text: str, offline: bool | None = None, catalog_dir: str | None = None) -> Intent:
    """Read ``text`` into an Intent with the offline rules."""
    from hardware import load_catalog
    from intent.parser import parse_rules

    return parse_rules(text, load_catalog(catalog_dir))
