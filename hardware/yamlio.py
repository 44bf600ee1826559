"""YAML reading with libyaml's C loader when PyYAML has it (about ten times faster), and the
larger files' data kept as JSON in the cache (see ``jsoncache``). PyYAML itself is imported
only when a text is not in the cache, so a warm start skips it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from hardware.jsoncache import cached, digest

#: Texts at least this long (the packaged catalogs, lexicon and rule files) go through the cache.
CACHED_FROM_CHARS = 4096
#: The largest file a user may hand over (catalog, inventory, fleet, policy, measurements).
MAX_FILE_BYTES = 16 * 1024 * 1024


class YAMLError(ValueError):
    """A text that is not valid YAML; ``problem`` and ``problem_mark`` (0-based line and
    column) are PyYAML's, where it gave them."""

    def __init__(self, message: str, problem: str | None = None, problem_mark=None):
        super().__init__(message)
        self.problem = problem
        self.problem_mark = problem_mark


def load_yaml(text: str, cache: bool | None = None):
    """Parse YAML safely (no arbitrary objects). ``cache`` keeps the parsed data in the
    cache; by default only longer texts are cached."""
    if not (len(text) >= CACHED_FROM_CHARS if cache is None else cache):
        return _parse(text)
    return cached("yaml", digest(text), lambda: _parse(text))


def packaged_yaml(package: str, *path: str):
    """A data file shipped inside ``package`` (under its ``data`` folder), parsed and cached:
    these files are read on every run, so every one of them is worth its cache entry."""
    from importlib import resources

    resource = resources.files(package).joinpath("data", *path)
    return load_yaml(resource.read_text(encoding="utf-8"), cache=True)


def _loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str):
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.YAMLError as exc:
        raise YAMLError(str(exc), getattr(exc, "problem", None), getattr(exc, "problem_mark", None)) from exc


def line_of(text: str, loc: tuple) -> int | None:
    """The line (1-based) of the YAML node at ``loc`` (a pydantic error location)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError:
        return None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                return node.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


def read_text(path, what: str, error: type[Exception]) -> str:
    """A user's file as text. It must be a regular file (a FIFO or device such as /dev/zero
    would block or never end) of at most MAX_FILE_BYTES, in UTF-8; otherwise ``error`` names
    the file and what to do."""
    import os
    import stat
    from pathlib import Path

    path = Path(path)
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a pipe or a device)"
            raise error(f"{path}: cannot read the {what}: it is {kind}; give the path of a saved file")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise error(f"{path}: the {what} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; is it the right file?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                    "save it as UTF-8") from exc


def first_duplicate(ids: Iterable[str]) -> str | None:
    """The first id seen twice, or None (one pass: a file with 20,000 entries is checked at once)."""
    seen: set[str] = set()
    for entry_id in ids:
        if entry_id in seen:
            return entry_id
        seen.add(entry_id)
    return None


def not_a_mapping(data, path, what: str, error: type[Exception]) -> None:
    """Raise ``error`` when a file's YAML is not a mapping of fields: empty, a list or a scalar
    (pydantic would name a field '' that the file does not have)."""
    if not isinstance(data, dict):
        kind = {list: "a list", str: "text", bool: "a true/false value"}.get(type(data), "a number")
        found = "the file is empty" if data is None else f"it holds {kind}, not fields"
        article = "an" if what[:1] in "aeiou" else "a"
        raise error(f"{path}: {found}; {article} {what} is a mapping of fields, 'schema_version: 1' first "
                    "(see examples/ for one)")


def read_validated(path, model, what: str, error: type[Exception]):
    """Read a YAML file into the pydantic ``model``; returns (object, text). Every error is
    ``error`` naming the file, the line and the field."""
    from pathlib import Path

    from pydantic import ValidationError

    path = Path(path)
    text = read_text(path, what, error)
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise error(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    not_a_mapping(data, path, what, error)
    try:
        return model.model_validate(data), text
    except ValidationError as exc:
        errors = exc.errors()
        # a key misspelt is both a key too many and a field missing: the key is named first, with the field it
        # likely meant ("inventroy" had been reported as "field 'inventory': Field required" alone)
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        line = line_of(text, first["loc"])
        field = ".".join(str(p) for p in first["loc"])
        if first["type"] == "extra_forbidden":
            missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == first["loc"][:-1]]
            known = list(getattr(_model_at(model, first["loc"][:-1]), "model_fields", {})) or missing
            closest = difflib.get_close_matches(str(first["loc"][-1]), known, n=1, cutoff=0.6)
            raise error(f"{path}{f':{line}' if line else ''}: unknown key {field!r}"
                        + (f" (did you mean {closest[0]!r}?)" if closest else
                           f" (known keys: {', '.join(known)})" if known else "")) from exc
        raise error(f"{path}{f':{line}' if line else ''}: field {field!r}: {first['msg']}") from exc


def _model_at(model, loc):
    """The pydantic model at a location of the data (list indices skipped); None past a plain field."""
    import typing

    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return None
        annotation = field.annotation
        for arg in (*typing.get_args(annotation), annotation):
            inner = typing.get_args(arg) or (arg,)
            found = next((a for a in inner if hasattr(a, "model_fields")), None)
            if found is not None:
                model = found
                break
        else:
            return None
    return model
