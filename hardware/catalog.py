"""Load and validate the device and model catalogs (packaged, or a user's directory).

Catalog files are YAML with a ``schema_version``; they are read through importlib.resources,
validated into frozen models, and cached. A malformed entry raises :class:`CatalogError`
naming the file, the entry and the field.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from hardware.checks import check_file
from hardware.errors import CatalogError, UnknownEntryError
from hardware.schema import Device, DeviceFile, Family, ModelFile, ModelVariant
from hardware.yamlio import YAMLError, load_yaml, read_text

DEVICE_FILE = "devices.yaml"
MODEL_FILE = "models.yaml"


@dataclass(frozen=True, eq=False)
class Catalog:
    """Devices and model variants, indexed by id, with a content hash for reproducibility."""

    devices: dict[str, Device]
    models: dict[str, ModelVariant]
    families: dict[str, Family] = field(default_factory=dict)
    digest: str = ""

    def device(self, device_id: str) -> Device:
        try:
            return self.devices[device_id]
        except KeyError:
            raise UnknownEntryError("device", device_id, close_matches(device_id, self.devices)) from None

    def model(self, model_id: str) -> ModelVariant:
        try:
            return self.models[model_id]
        except KeyError:
            raise UnknownEntryError("model", model_id, close_matches(model_id, self.models)) from None

    def models_for(self, task: str) -> list[ModelVariant]:
        """The models that do ``task``, but the benchmark reference variants and the models of a
        speciality (coder models), planned only when named or, for a speciality, asked for."""
        return [m for m in self.models.values() if m.task == task and not m.benchmark_reference and not m.speciality]

    def selector_ids(self) -> set[str]:
        """Every id a hardware selector may name: devices and families."""
        return set(self.devices) | set(self.families)


def close_matches(name: str, known) -> list[str]:
    return difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)


def _validation_message(path: str, data: dict, error: ValidationError) -> str:
    first = error.errors()[0]
    loc = list(first["loc"])
    entry = ""
    if len(loc) >= 2 and loc[0] in ("devices", "models") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        item = items[loc[1]] if loc[1] < len(items) else {}
        entry = f" entry {item.get('id', '#' + str(loc[1]))!r}" if isinstance(item, dict) else f" entry #{loc[1]}"
        loc = loc[2:]
    where = ".".join(str(p) for p in loc) or "(top level)"
    return f"{path}:{entry} field {where!r}: {_said(first, loc, _entry_kind(data, error))}"


def _entry_kind(data: dict, error: ValidationError) -> type | None:
    """The entry type the first error is in (Device or ModelVariant), when it is in an entry."""
    section = error.errors()[0]["loc"][0]
    return {"devices": Device, "models": ModelVariant}.get(section)


def _said(first: dict, loc: list, kind: type | None) -> str:
    """A validation error in the catalog's words: what a figure may be, the field meant by a misspelt one."""
    if first["type"] == "model_type" and first.get("ctx", {}).get("class_name") == "Figure":
        return (f"expected a number, or a mapping with its value, basis and source (not {first['input']!r}); "
                "a bare number is a published figure whose source is the entry's")
    if first["type"] == "extra_forbidden" and kind is not None and len(loc) == 1:
        close = difflib.get_close_matches(str(loc[0]), list(kind.model_fields), n=1)
        return "not a field of the entry" + (f"; did you mean {close[0]!r}?" if close else "")
    return first["msg"]


def _parse_file(path: str, text: str, kind: type) -> DeviceFile | ModelFile:
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping with schema_version and entries")
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(_validation_message(path, data, exc)) from exc


def _check_unique(path: str, ids: list[str], what: str) -> None:
    seen = set()
    for entry_id in ids:
        if entry_id in seen:
            raise CatalogError(f"{path}: {what} {entry_id!r} appears twice")
        seen.add(entry_id)


def _packaged_texts() -> list[tuple[str, str, str]]:
    base = resources.files("hardware") / "data"
    return [(f"hardware/data/{name}", name, (base / name).read_text(encoding="utf-8"))
            for name in (DEVICE_FILE, MODEL_FILE)]


def _directory_texts(directory: Path) -> list[tuple[str, str, str]]:
    if not directory.is_dir():
        raise _no_catalog_here(f"{directory}: not a directory (a catalog directory holds devices.yaml and/or "
                               "models.yaml)")
    found = [(str(directory / n), n, read_text(directory / n, "catalog file", CatalogError))
             for n in (DEVICE_FILE, MODEL_FILE) if (directory / n).exists()]
    if not found:
        raise _no_catalog_here(f"{directory}: holds neither {DEVICE_FILE} nor {MODEL_FILE}")
    return found


def _no_catalog_here(message: str) -> CatalogError:
    """A --catalog that names no catalog directory: the hint says what one is, not which field to fix."""
    error = CatalogError(message)
    error.hint = ("give --catalog the directory that holds your devices.yaml and/or models.yaml "
                  "(intentctl catalog import CONFIG.json --catalog DIR starts one)")
    return error


#: What makes a device the device it is: a user catalog may refine a packaged device's figures,
#: never these, so an organisation's exclusions ("no Huawei") bind to the packaged identity.
IDENTITY_FIELDS = ("vendor", "device_class", "family")


def _check_identity(path: str, device: Device, packaged: Device | None) -> None:
    if packaged is None:
        return
    for name in IDENTITY_FIELDS:
        if getattr(device, name) != getattr(packaged, name):
            raise CatalogError(f"{path}: entry {device.id!r} field {name!r}: a user catalog cannot change a packaged "
                               f"device's {name} ({getattr(packaged, name)!r}, not {getattr(device, name)!r}); "
                               "give the device a new id to describe another one")
    dropped = [tag for tag in packaged.vendor_tags if tag not in device.vendor_tags]
    if dropped:
        raise CatalogError(f"{path}: entry {device.id!r} field 'vendor_tags': a user catalog cannot drop a packaged "
                           f"device's vendor tags ({', '.join(dropped)})")


def _merge(texts: list[tuple[str, str, str]], devices: dict, models: dict, families: dict,
           packaged: Catalog | None = None, known_tasks=None) -> None:
    """Add each file's entries, by id. A user's files (given the ``packaged`` catalog) are checked
    entry by entry (hardware.checks), packaged devices keep their identity (see IDENTITY_FIELDS),
    every name names one entry, and a device's family is one the catalog has."""
    for path, name, text in texts:
        parsed = _parse_file(path, text, DeviceFile if name == DEVICE_FILE else ModelFile)
        if packaged is not None:
            check_file(path, parsed, known_tasks)
        if name == DEVICE_FILE:
            _check_unique(path, [d.id for d in parsed.devices], "device")
            for device in parsed.devices:
                _check_identity(path, device, packaged.devices.get(device.id) if packaged else None)
            families.update(parsed.families)
            if packaged is not None:
                _check_families(path, parsed.devices, {**packaged.families, **families})
                _check_names(path, parsed.devices, _merged(packaged, devices, models, families))
            devices.update({d.id: d for d in parsed.devices})
        else:
            _check_unique(path, [m.id for m in parsed.models], "model")
            if packaged is not None:
                _check_names(path, parsed.models, _merged(packaged, devices, models, families))
            models.update({m.id: m for m in parsed.models})


def _merged(packaged: Catalog, devices: dict, models: dict, families: dict) -> Catalog:
    """The packaged catalog with the entries read so far over it."""
    return Catalog(devices={**packaged.devices, **devices}, models={**packaged.models, **models},
                   families={**packaged.families, **families})


def _check_families(path: str, entries, families: dict) -> None:
    """A device's family is one the catalog has: one it lacked was neither shown nor read in requests."""
    for device in entries:
        if device.family is not None and device.family not in families:
            raise CatalogError(f"{path}: entry {device.id!r} field 'family': {device.family!r} is no family of the "
                               "catalog; add it under 'families:' in this file (its name and aliases), or drop the "
                               "field")


def name_owners(catalog: Catalog) -> dict[str, tuple[str, str]]:
    """Each id and alias of the catalog, lowercased, and what it names: (device, family or model, its id)."""
    owners: dict[str, tuple[str, str]] = {}
    for kind, table in (("device", catalog.devices), ("family", catalog.families), ("model", catalog.models)):
        for key, entry in table.items():
            for written in (key, *entry.aliases):
                owners.setdefault(written.lower(), (kind, key))
    return owners


def _check_names(path: str, entries, catalog: Catalog) -> None:
    """Every id and alias of a user's entries names that entry alone, among devices, families and
    models: an alias of a family's ("h100") had passed, then resolved to neither; a device named as
    a model ("resnet50") made the model's name a device's."""
    taken = name_owners(catalog)
    for entry in entries:
        mine = ("device" if isinstance(entry, Device) else "model", entry.id)
        for written in (entry.id, *entry.aliases):
            owner = taken.setdefault(written.lower(), mine)
            if owner != mine:
                raise CatalogError(f"{path}: entry {entry.id!r}: its {'id' if written == entry.id else 'alias'} "
                                   f"{written!r} already names the {owner[0]} {owner[1]!r}; a name names one entry: "
                                   f"rename it" + (f" (to override {owner[1]!r}, give its id)" if owner[0] == mine[0]
                                                   else ""))


@lru_cache(maxsize=8)
def load_catalog(extra_dir: str | None = None) -> Catalog:
    """The packaged catalog, with entries from ``extra_dir`` added or overriding by id."""
    packaged, extra = _packaged_texts(), (_directory_texts(Path(extra_dir)) if extra_dir else [])
    devices: dict[str, Device] = {}
    models: dict[str, ModelVariant] = {}
    families: dict[str, Family] = {}
    _merge(packaged, devices, models, families)
    _merge(extra, devices, models, families,
           packaged=Catalog(devices=dict(devices), models=dict(models), families=dict(families)))
    texts = packaged + extra
    digest = hashlib.sha256("\n".join(text for _, _, text in texts).encode()).hexdigest()[:16]
    return Catalog(devices=devices, models=models, families=families, digest=digest)


def validate_directory(directory: str | Path, known_tasks=None) -> Catalog:
    """Validate a user's catalog directory on its own (and its overrides against the packaged
    devices); ``known_tasks``, when given, are the only tasks a model may name. Raises
    CatalogError on the first problem."""
    devices: dict[str, Device] = {}
    models: dict[str, ModelVariant] = {}
    families: dict[str, Family] = {}
    _merge(_directory_texts(Path(directory)), devices, models, families, packaged=load_catalog(),
           known_tasks=known_tasks)
    return Catalog(devices=devices, models=models, families=families)
