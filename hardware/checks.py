"""Checks of a user's catalog entries beyond their types: every figure a finite number and
positive where zero means nothing (a bandwidth or a peak of 0 divides the performance model by
zero), prices not negative, accuracy a fraction, aliases that a reader can see, tasks the
planner knows. Each error names the file, the entry and the field.

The packaged catalog passes them too (a test says so); they run on user catalogs, where a
typo would otherwise become an infinite latency or a crash.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pydantic import BaseModel

from hardware.errors import CatalogError
from hardware.schema import DeviceFile, Figure, ModelFile

#: Figures that may be zero: a price (free hardware you own) and idle or minimum power.
MAY_BE_ZERO = frozenset({"cloud_usd_per_hour", "purchase_usd", "idle_w", "power_min_w"})
#: Figures that are fractions.
FRACTIONS = frozenset({"accuracy"})


def check_file(path: str, parsed: DeviceFile | ModelFile, known_tasks: Iterable[str] | None = None) -> None:
    """Raise CatalogError for the first entry of ``parsed`` that breaks a check."""
    if isinstance(parsed, DeviceFile):
        for family_id, family in parsed.families.items():
            _check_aliases(path, f"family {family_id!r}", family.aliases)
        for device in parsed.devices:
            entry = f"entry {device.id!r}"
            _check_aliases(path, entry, device.aliases)
            _check_figures(path, entry, device)
        return
    tasks = set(known_tasks) if known_tasks is not None else None
    for model in parsed.models:
        entry = f"entry {model.id!r}"
        if tasks is not None and model.task not in tasks:
            raise CatalogError(f"{path}: {entry} field 'task': unknown task {model.task!r} "
                               f"(known: {', '.join(sorted(tasks))})")
        _check_figures(path, entry, model)


def _check_aliases(path: str, entry: str, aliases: list[str]) -> None:
    import regex  # Unicode's Default_Ignorable_Code_Point property

    for i, alias in enumerate(aliases):
        if not regex.sub(r"[\p{Default_Ignorable_Code_Point}\s]", "", alias):
            raise CatalogError(f"{path}: {entry} field 'aliases.{i}': an alias needs visible characters "
                               f"(got {alias!r})")


def _check_figures(path: str, entry: str, item: BaseModel) -> None:
    for where, name, figure in _figures(item):
        problem = _problem(name, figure.value)
        if problem:
            raise CatalogError(f"{path}: {entry} field {where!r}: {problem}")


def _figures(item: BaseModel, prefix: str = ""):
    """(dotted field path, field name, figure) for every Figure in ``item``, nested models included."""
    for name in type(item).model_fields:
        value = getattr(item, name)
        where = f"{prefix}{name}"
        if isinstance(value, Figure):
            yield where, name, value
        elif isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, Figure):
                    yield f"{where}.{key}", name, inner
        elif isinstance(value, BaseModel):
            yield from _figures(value, f"{where}.")


def _problem(name: str, value: float) -> str | None:
    if not math.isfinite(value):
        return f"{value} is not a finite number"
    if name in FRACTIONS:
        return None if 0 <= value <= 1 else f"{value:g} is not a fraction between 0 and 1"
    if name in MAY_BE_ZERO:
        return None if value >= 0 else f"{value:g} is negative"
    return None if value > 0 else f"{value:g} must be positive"
