"""Model names in a request: a catalog variant, a family of variants, or a name the catalog lacks.

1. A catalog id written loosely ("Llama 3 8B" for ``llama-3-8b``), or an alias from the lexicon
   ("SDXL"), names one variant.
2. A family written without its size ("yolov8", "stable diffusion xl", "phi-3 mini") names the
   variants whose name it begins: the request then allows those (``workload.models``).
3. Any other name that begins with a known model family ("Qwen2.5-7B-Instruct",
   "DeepSeek-R1-Distill-Qwen-32B") is not in the catalog: it is kept as written, with the closest
   catalog ids, so the plan can say so instead of swapping in another model silently.

A name's digits are masked so they are never read as quantities ("Llama-2-7B" is not 7 of anything).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from hardware import Catalog
from intent.parser.lexicon import Lexicon
from intent.parser.text import Workspace


@dataclass
class ModelReading:
    model_id: str | None = None
    models: list[str] = field(default_factory=list)
    task: str | None = None
    as_written: str | None = None
    closest: list[str] = field(default_factory=list)


def read_models(lexicon: Lexicon, space: Workspace, catalog: Catalog) -> ModelReading:
    """The model the request names, in the order of the rules above."""
    for pattern, model_id, task in model_patterns(catalog):
        m = pattern.search(space.masked)
        if m:
            space.mask(m.start(), m.end())
            return ModelReading(model_id=model_id, task=task)
    for m in lexicon.phrases("model_aliases").scan(space.masked):
        model = catalog.models.get(m.key)
        if model is not None:
            space.mask(m.start, m.end)
            return ModelReading(model_id=model.id, task=model.task)
    for start, end, family_task in _mentions(lexicon, space):
        written = space.text[start:end].strip(" -")
        space.mask(start, end)
        variants = family_variants(written, catalog)
        if len(variants) == 1:
            model = catalog.models[variants[0]]
            return ModelReading(model_id=model.id, task=model.task)
        if variants:
            tasks = {catalog.models[v].task for v in variants}
            return ModelReading(models=variants, task=tasks.pop() if len(tasks) == 1 else family_task)
        return ModelReading(task=family_task, as_written=written, closest=closest_models(written, catalog, family_task))
    return ModelReading()


@lru_cache(maxsize=4)
def model_patterns(catalog: Catalog) -> list[tuple[re.Pattern, str, str]]:
    """A loose pattern per catalog model id: "llama-3-8b" also matches "Llama 3 8B"."""
    out = []
    for model in catalog.models.values():
        chunks = re.findall(r"[a-z]+|\d+(?:\.\d+)?[a-z]*", model.id)
        if len(chunks) < 2 or model.id.endswith("-mlperf"):
            continue
        body = r"[\s-]*".join(re.escape(c) for c in chunks)
        out.append((re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])"), model.id, model.task))
    return sorted(out, key=lambda p: len(p[1]), reverse=True)


def _mentions(lexicon: Lexicon, space: Workspace) -> list[tuple[int, int, str]]:
    """Spans that begin with a model family word and run on through its version and size tokens."""
    text = space.masked
    out = []
    for m in lexicon.phrases("model_families").scan(text):
        end = _name_end(text, m.end, lexicon)
        out.append((m.start, end, m.key))
    return out


def _name_end(text: str, position: int, lexicon: Lexicon) -> int:
    """Extend a family word through what belongs to the name: versions, sizes, suffixes, other families."""
    token = re.compile(r"[\s\-_./]?([a-z0-9][a-z0-9.]*)")
    families = lexicon.phrases("model_families")
    while (m := token.match(text, position)) is not None:
        word = m.group(1).rstrip(".")
        is_family = bool(families.scan(word)) and families.scan(word)[0].end == len(word)
        if not (re.search(r"\d", word) or word in lexicon["model_name_words"] or is_family):
            break
        if text[m.start()] == "." and not word[0].isdigit():
            break  # a full stop, then the next sentence
        position = m.start(1) + len(word)
    return position


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s\-_/]+", name.lower()) if t]


def family_variants(written: str, catalog: Catalog) -> list[str]:
    """Catalog ids that the written name begins, token by token; the last token may stop short of
    a size letter ("yolov8" begins "yolov8n" and "yolov8s")."""
    wanted = _tokens(written)
    out = []
    for model in catalog.models.values():
        if model.id.endswith("-mlperf"):
            continue
        have = _tokens(model.id)
        if len(have) < len(wanted) or have[:len(wanted) - 1] != wanted[:-1]:
            continue
        last, theirs = wanted[-1], have[len(wanted) - 1]
        if theirs == last or (theirs.startswith(last) and re.fullmatch(r"[a-z]{1,2}", theirs[len(last):])
                              and not last[-1].isalpha()):
            out.append(model.id)
    return out


def closest_models(written: str, catalog: Catalog, task: str | None = None, count: int = 3) -> list[str]:
    """The catalog ids nearest to a name the catalog lacks: the same family first, then the same
    task, then the nearest size ("7B" against each model's parameters), then the spelling."""
    tokens = _tokens(written)
    size = _size_in_millions(written)
    key = re.sub(r"[^a-z0-9.]", "", written.lower())

    def near(model) -> tuple:
        same_family = bool(tokens) and _tokens(model.id)[0] == tokens[0]
        size_gap = abs(math.log(model.params_m.value / size)) if size and model.params_m else math.inf
        return not same_family, task is not None and model.task != task, size_gap

    def spelling(model) -> float:
        return -difflib.SequenceMatcher(None, key, re.sub(r"[^a-z0-9.]", "", model.id)).ratio()

    models = sorted((m for m in catalog.models.values() if not m.id.endswith("-mlperf")), key=near)
    shortlist = [m for m in models if near(m) <= near(models[min(count, len(models)) - 1])] if models else []
    return [m.id for m in sorted(shortlist, key=lambda m: (near(m), spelling(m), m.id))[:count]]


def _size_in_millions(written: str) -> float | None:
    """A model size written in its name: "7b" -> 7000, "8x7b" -> 56000, "350m" -> 350."""
    found = re.search(r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", written.lower())
    if not found:
        return None
    value = float(found.group(2)) * (1000 if found.group(3) == "b" else 1)
    return value * int(found.group(1) or 1)
