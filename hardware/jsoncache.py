"""Derived data kept as JSON in the user's cache directory, so start-up skips slow work.

Two things are worth caching on every run of the CLI: the Python objects libyaml builds from
the packaged YAML files (about 40 ms for the catalogs and the lexicon, against under 2 ms to
read the same data back as JSON) and the unit factors pint computes (a few hundred ms).
Entries are keyed by a digest of everything they derive from, so an edited file is a new
entry, never a stale one. A missing, damaged or unwritable cache only costs time.

``INTENTCTL_CACHE_DIR`` moves the cache; ``INTENTCTL_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Part of every entry's name. Raised when entries written before would read back differently
#: (format 1 sorted mappings' keys, so a warm start saw another order than a cold one).
FORMAT = "f2"


def cache_dir() -> Path | None:
    if os.environ.get("INTENTCTL_NO_CACHE"):
        return None
    configured = os.environ.get("INTENTCTL_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("intentctl"))


def digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # missing or damaged: rebuilt by the caller


def _write(path: Path, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")  # in order: the caller may rely on it
        tmp.replace(path)  # atomic, so a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only home still works, just more slowly


def cached(kind: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s value, from ``<cache>/<kind>-<key>.json`` when it is there.

    A value that JSON cannot carry unchanged (dates, integer keys, tuples) is returned
    without being cached, so the cache never changes what the caller sees.
    """
    directory = cache_dir()
    path = directory / f"{kind}-{FORMAT}-{key}.json" if directory else None
    if path is not None:
        value = _read(path)
        if value is not None:
            return value
    value = compute()
    if path is not None and _survives_json(value):
        _write(path, value)
    return value


def _survives_json(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value)) == value
    except (TypeError, ValueError):
        return False
