"""Shared pieces of the command line: option aliases, output helpers, the offline notice."""

from __future__ import annotations

import json
import math
import re
from enum import Enum
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of the terminal view.")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Parse with the offline rules; never call an LLM.")]
CatalogOpt = Annotated[str | None, typer.Option("--catalog", metavar="DIR",
                                                   help="A directory of devices.yaml / models.yaml that adds to or "
                                                        "overrides the packaged catalog.")]
#: The longest time limit a command takes (a day): "inf" is no limit a plan can report.
MAX_TIME_LIMIT_S = 86400.0
TimeLimitOpt = Annotated[float | None, typer.Option(
    "--time-limit", min=0.1, max=MAX_TIME_LIMIT_S, help="Time limit in seconds for all the plan's solving: the choice, runner-ups, the "
                                  "conflict search and the compliance comparison (what it cuts short is said).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="LLM model name (default: INTENTCTL_MODEL).")]
#: The largest seed the solver takes (CP-SAT's random_seed is a 32-bit signed integer).
MAX_SEED = 2**31 - 1
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, max=MAX_SEED,
                                             help="Solver random seed (plans are reproducible per seed).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr (it is also off "
                                                             "when stderr is not a terminal).")]


class Language(str, Enum):
    en = "en"
    zh = "zh"


ViewLangOpt = Annotated[Language | None, typer.Option(
    "--lang", help="Labels of the terminal view in this language (default: the request's language; the "
                   "plan's own notes stay in English).")]


def view_language(lang: Language | None, request: str) -> str:
    """The view's language: the one asked for, else 'zh' for a request with Chinese in it."""
    if lang is not None:
        return lang.value
    return "zh" if re.search(r"[\u3400-\u9fff\uf900-\ufaff]", request) else "en"


class ExportFormat(str, Enum):
    k8s = "k8s"
    kserve = "kserve"
    triton = "triton"


DraOpt = Annotated[bool, typer.Option("--dra", help="Request devices through Dynamic Resource Allocation "
                                                     "(a resource.k8s.io/v1 ResourceClaimTemplate, Kubernetes 1.34+) "
                                                     "instead of the device plugin's resource.")]
def _label_value(value: str | None) -> str | None:
    """A Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', beginning
    and ending with a letter or digit (the queue name is written as one)."""
    if value is not None and not re.fullmatch(r"(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)", value):
        raise typer.BadParameter(f"{value!r} is no Kubernetes label value (at most 63 letters, digits, '-', '_' or "
                                 "'.', beginning and ending with a letter or digit)")
    return value


QueueOpt = Annotated[str | None, typer.Option("--queue", metavar="NAME", callback=_label_value,
                                                 help="Kueue queue of training jobs (kueue.x-k8s.io/queue-name; "
                                                      "default: 'default', from intent/data/k8s.yaml).")]


class SchemaKind(str, Enum):
    intent = "intent"
    plan = "plan"


def console():
    from rich.console import Console

    return Console(highlight=False)


def print_json(data) -> None:
    """Print ``data`` as JSON; a non-finite number (which JSON cannot hold) is a typed error naming where it is."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    except ValueError:
        from intent.errors import NotFinite

        raise NotFinite(non_finite_path(data)) from None
    typer.echo(text)


def non_finite_path(data, where: str = "") -> str:
    """The dotted path of the first NaN or infinite number in ``data`` ("" when there is none)."""
    if isinstance(data, float) and not math.isfinite(data):
        return where or "(the value)"
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = non_finite_path(value, f"{where}.{key}" if where else str(key))
        if found:
            return found
    return ""


def note_offline(offline: bool) -> None:
    """Say once, on stderr, that parsing is offline when the user did not ask for it."""
    from intent.settings import load_settings

    if offline:
        return
    if not load_settings().llm_configured:
        typer.echo("intentctl: no OPENAI_API_KEY set; parsing offline with the rule-based parser.", err=True)


def emit_options_need_emit(emit, dra: bool, queue: str | None) -> None:
    """--dra and --queue shape the emitted manifests: without --emit they would do nothing."""
    given = [name for name, value in (("--dra", dra), ("--queue", queue)) if value]
    if given and emit is None:
        verb = "shape" if len(given) > 1 else "shapes"
        raise typer.BadParameter(f"{' and '.join(given)} {verb} the manifests --emit writes; add --emit k8s",
                                 param_hint=f"'{given[0]}'")


def write_artifacts(result, kind: ExportFormat, output: str, catalog: str | None, dra: bool = False,
                    queue: str | None = None) -> None:
    """Write a plan's deployable artifacts and say where."""
    from hardware import load_catalog
    from intent.export import EmitOptions, write

    for path in write(result, load_catalog(catalog), kind.value, output, EmitOptions(dra=dra, queue=queue)):
        typer.echo(f"wrote {path}", err=True)
