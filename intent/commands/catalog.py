"""intentctl catalog ...: the hardware and model catalogs, and this machine."""

from __future__ import annotations

import os.path
import re
from typing import Annotated

import typer

from intent.commands.common import CatalogOpt, JsonOpt, QuietOpt, console, print_json

app = typer.Typer(help="Look at the hardware and model catalogs.", no_args_is_help=True)


WideOpt = Annotated[bool, typer.Option("--wide", help="Show every column, however wide the terminal.")]


@app.command("devices")
def catalog_devices(json_out: JsonOpt = False, catalog: CatalogOpt = None, wide: WideOpt = False) -> None:
    """List the devices: peak throughput, memory, power, price, where they can run (* = derived).

    Ids are never cut: a narrow terminal leaves out the less important columns (--wide shows all)."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    if json_out:
        print_json([d.model_dump(mode="json") for d in sorted(cat.devices.values(), key=lambda d: d.id)])
    else:
        from intent.render import DEVICE_COLUMNS, device_rows, devices_table

        _print_fitted(devices_table, cat, DEVICE_COLUMNS, device_rows(cat), wide)


@app.command("models")
def catalog_models(json_out: JsonOpt = False, catalog: CatalogOpt = None,
                   task: Annotated[str | None, typer.Option(help="Only models for this task tag.")] = None,
                   wide: WideOpt = False) -> None:
    """List the model variants: task, size, FLOPs, accuracy (* = derived or estimated).

    Ids are never cut: a narrow terminal leaves out the less important columns (--wide shows all)."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    tasks = sorted({m.task for m in cat.models.values()})
    task = task.strip().lower() if task is not None else None  # "Text-Generation" is text-generation
    if task is not None and task not in tasks:
        raise typer.BadParameter(f"{task!r} is no task of the catalog's models; the tasks are {', '.join(tasks)}",
                                 param_hint="'--task'")
    models = [m for m in sorted(cat.models.values(), key=lambda m: m.id) if task is None or m.task == task]
    if json_out:
        print_json([m.model_dump(mode="json") for m in models])
    else:
        from intent.render import MODEL_COLUMNS, model_rows, models_table

        shown = cat if task is None else _subset(cat, models)
        _print_fitted(models_table, shown, MODEL_COLUMNS, model_rows(shown), wide)


def _print_fitted(make_table, cat, columns, rows, wide: bool) -> None:
    """A listing in the terminal's width, or (``wide``) whole on a console as wide as it needs."""
    from rich.console import Console

    from intent.tables import table_width

    out = console()
    if wide:
        Console(highlight=False, width=max(out.width, table_width(columns, rows))).print(make_table(cat, None))
    else:
        out.print(make_table(cat, out.width))


def _subset(cat, models):
    from dataclasses import replace

    return replace(cat, models={m.id: m for m in models})


@app.command("validate")
def catalog_validate(directory: Annotated[str, typer.Argument(help="A directory with devices.yaml and/or models.yaml.")],
                     quiet: QuietOpt = False) -> None:
    """Check a catalog directory; errors name the file, the entry and the field."""
    from hardware import validate_directory
    from intent.progress import progress
    from intent.schema import Task

    with progress(f"checking {directory}", quiet):
        cat = validate_directory(directory, known_tasks=[t.value for t in Task])
    typer.echo(f"ok: {directory} holds {len(cat.devices)} devices and {len(cat.models)} models")
    for kind, entries in (("device", cat.devices), ("model", cat.models)):
        for entry in entries.values():
            if gaps := entry.planning_gaps():
                typer.echo(f"  note: {kind} {entry.id!r} lacks {', '.join(gaps)}: nothing is planned on it until "
                           "they are given (with their sources)")


@app.command("import")
def catalog_import(
    config: Annotated[str, typer.Argument(help="A Hugging Face config.json on this machine (nothing is downloaded).")],
    catalog: Annotated[str, typer.Option("--catalog", metavar="DIR",
                                         help="The catalog directory to add the model to (its models.yaml); "
                                              "plan with the same --catalog DIR.")],
    name: Annotated[str | None, typer.Option("--name", metavar="ID",
                                             help="The model's id (default: from the repository the config "
                                                  "names).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a model from its config.json: architecture read, parameters and FLOPs per token derived."""
    from hardware.importer import import_config

    result = import_config(config, catalog, name)
    if json_out:
        print_json({"model": result.model.model_dump(mode="json", exclude_none=True), "path": str(result.path),
                    "derived": result.derived, "replaced": result.replaced,
                    "overrides_packaged": result.overrides_packaged})
        return
    model, arch = result.model, result.model.architecture
    verb = "replaced" if result.replaced else "added"
    typer.echo(f"{verb} {model.id} in {result.path}")
    moe = f", {arch.experts} experts ({arch.experts_per_token} per token)" if arch.experts else ""
    typer.echo(f"  read: {arch.layers} layers, hidden {arch.hidden_size}, {arch.attention_heads} heads "
               f"({arch.kv_heads} KV), head dim {arch.head_dim}{moe}, vocabulary {arch.vocab_size}, "
               f"context {arch.max_context or 'not stated'}")
    for line in result.derived:
        typer.echo(f"  derived: {line}")
    if result.overrides_packaged:
        typer.echo(f"  note: the packaged catalog has a model {model.id!r}; with --catalog {catalog} this one "
                   "replaces it")
    typer.echo(f'plan it with: intentctl plan --catalog {catalog} "serve {model.id} at 5 req/s"')


@app.command("detect")
def catalog_detect(json_out: JsonOpt = False, catalog: CatalogOpt = None) -> None:
    """Describe this machine (CPU, cores, memory, ISA features, NVIDIA GPUs) as inventory entries."""
    from hardware import load_catalog
    from hardware.detect import detect

    report = detect(load_catalog(catalog))
    if json_out:
        print_json(report.model_dump(mode="json") | {"inventory": report.inventory_entries()})
        return
    for device in report.devices:
        match = f"catalog id {device.catalog_id}" if device.catalog_id else "no catalog match"
        memory = f", {device.memory_gb:g} GB" if device.memory_gb else ""
        typer.echo(f"{device.kind}: {device.count} x {device.name}{memory} ({match})")
        for key, value in device.details.items():
            typer.echo(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    for item in report.not_detected:
        typer.echo(f"not detected: {item}")


@app.command("show")
def catalog_show(
    entry_id: Annotated[str, typer.Argument(help="A device, family or model: an id (nvidia-l4, resnet50) or a name "
                                                 "as people write it (h100, 'llama 3 8b').")],
    json_out: JsonOpt = False,
    catalog: CatalogOpt = None,
    wide: WideOpt = False,
) -> None:
    """Show one device or model with every figure's basis and source (a family: its devices)."""
    from hardware import load_catalog

    cat = load_catalog(catalog)
    found = resolve_entry(cat, entry_id)
    if found != entry_id:
        typer.echo(f"'{entry_id}' names the {found} family" if found in cat.families else f"'{entry_id}' is {found}",
                   err=True)
    if found in cat.families:
        members = sorted((d for d in cat.devices.values() if d.family == found), key=lambda d: d.id)
        if json_out:
            print_json({"family": found, **cat.families[found].model_dump(mode="json"),
                         "devices": [d.model_dump(mode="json") for d in members]})
        else:
            from dataclasses import replace

            from intent.render import DEVICE_COLUMNS, device_rows, devices_table

            family = replace(cat, devices={d.id: d for d in members})
            _print_fitted(devices_table, family, DEVICE_COLUMNS, device_rows(family), wide)
        return
    entry = cat.devices.get(found) or cat.models[found]
    if json_out:
        print_json(entry.model_dump(mode="json"))
    else:
        from intent.render import entry_table

        console().print(entry_table(entry))


def _names_a_device(name: str) -> bool:
    """Whether a name starts with a device family's word ("m2 ultra", "rtx 5090", "gb200"): only devices are
    near it (a model had been suggested for each)."""
    from intent.parser.lexicon import load_lexicon

    lowered = name.lower().strip()
    return any(re.match(rf"{re.escape(str(w))}(?![a-z])", lowered) for w in load_lexicon()["device_families"])


def resolve_entry(cat, name: str) -> str:
    """The device, family or model id ``name`` names, as the request parser resolves names (a
    plural such as "H100s" included); UnknownEntryError with the closest ids otherwise."""
    from difflib import SequenceMatcher

    from hardware import UnknownEntryError
    from hardware.names import resolve_device, resolve_model, suggest_devices, suggest_models

    if name in cat.devices or name in cat.models or name in cat.families:
        return name
    for spelling in dict.fromkeys([name, name[:-1] if name.lower().endswith("s") and len(name) > 2 else name]):
        found = resolve_device(spelling, cat) or resolve_model(spelling, cat)
        if found:
            return found
    vendors = {d.vendor for d in cat.devices.values()}
    # "nvidia-h999": a vendor's device, so devices alone are suggested (it had suggested vit-b-16)
    device_like = _names_a_device(name) or re.split(r"[-\s]", name.lower().strip(), maxsplit=1)[0] in vendors
    near = dict.fromkeys(suggest_devices(name, cat) + ([] if device_like else suggest_models(name, cat)))
    if not near and device_like:  # nothing spelt near: the vendor's own devices, the longest shared start first
        own = [d.id for d in cat.devices.values() if name.lower().startswith(d.vendor)]
        near = dict.fromkeys(sorted(own, key=lambda i: (-len(os.path.commonprefix([i, name.lower()])), i))[:3])
        raise UnknownEntryError("device or model", name, list(near))
    score = {i: SequenceMatcher(None, name.lower(), i).ratio() for i in near}
    ranked = sorted(near, key=lambda i: -score[i])
    raise UnknownEntryError("device or model", name, [i for i in ranked[:3] if score[i] >= 0.5] or ranked[:1])
