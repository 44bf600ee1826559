"""Names people write for models and devices, resolved to catalog ids.

"Qwen2.5-7B-Instruct", "qwen 2.5 7b", "qwen2.5:7b" and "Qwen/Qwen2.5-7B-Instruct" all name
``qwen2.5-7b``; "h100" names the ``nvidia-h100`` family and "树莓派 5" the Raspberry Pi 5.

A name is cut into tokens: lower case, separators dropped, a word split from a number that
follows it ("qwen2.5" -> "qwen 2.5", while "a3b", "r1" and "v0.3" stay whole), an organisation
prefix ("meta-llama/") and words that name the release rather than the model ("instruct",
"chat", "it", "hf") and, for devices, one-word vendor names ("nvidia") left out. Each catalog entry is known by the tokens of its id, its
Hugging Face repository, its aliases and (devices) its name and family. Resolution tries, in
order: the same tokens; the same tokens in another order; then a fuzzy match that only
compares entries whose number tokens ("3.1", "8b", "8x7b", "h100") are exactly the name's,
so "llama 3.1 8b" can never become the 70B model. A name that fits several entries resolves to
nothing (or, for devices of one family, to the family), and ``suggest_*`` gives the closest ids.

The indexes are built once per catalog and cached; every function here is pure.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from hardware.catalog import Catalog

#: Words that name a release or packaging of a model, not which model it is.
RELEASE_WORDS = frozenset({"instruct", "chat", "it", "hf", "model"})
_SEPARATORS = re.compile(r"[\s_\-/:,;()\[\]]+")
_WORD_THEN_NUMBER = re.compile(r"(?<=[^\W\d_]{2})(?=\d)")
_ORG_PREFIX = re.compile(r"^[\w.-]+/(?=[^\W\d_][\w.-]*$)")  # "meta-llama/...", not the "/14" of "vit-l/14"
_UNIT = re.compile(r"^(b|m|k|gb|tb)$")
#: Words that make a model another model (a fine-tune for another job or another modality):
#: a fuzzy match never adds or drops one ("qwen2.5 coder 7b" is not qwen2.5-7b).
IDENTITY_WORDS = frozenset({"coder", "code", "math", "vision", "vl", "distill", "guard", "embed", "embedding",
                            "reward", "audio", "omni", "mini", "small", "medium", "large", "tiny", "nano", "scout",
                            "maverick"})
#: A fuzzy match must score at least this (0..1) to resolve.
MIN_SCORE = 0.75


def tokens(name: str, drop: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The tokens a name is compared by (see the module docstring); ``drop`` leaves more words out."""
    text = _ORG_PREFIX.sub("", unicodedata.normalize("NFKC", name).strip().lower())
    parts = [p.strip(".") for p in _SEPARATORS.split(_WORD_THEN_NUMBER.sub(" ", text))]
    out: list[str] = []
    for part in parts:
        if not part or part in RELEASE_WORDS or part in drop:
            continue
        if out and _UNIT.match(part) and out[-1].replace(".", "").isdigit():
            out[-1] += part  # "70 b" -> "70b"
        else:
            out.append(part)
    return tuple(out)


def _numbers(toks: tuple[str, ...]) -> Counter:
    return Counter(t for t in toks if any(c.isdigit() for c in t))


def _words(toks: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t for t in toks if not any(c.isdigit() for c in t))


@dataclass(frozen=True)
class _Index:
    """Token keys of every entry: exact, order-free, and the raw list for fuzzy matching."""

    exact: dict[tuple[str, ...], frozenset[str]]
    unordered: dict[tuple[str, ...], frozenset[str]]
    keys: tuple[tuple[tuple[str, ...], str], ...]   # (tokens, id)
    family: dict[str, str]                          # device id -> family id
    drop: frozenset[str]                            # words left out of names (device vendors)


def _build(names: dict[str, list[str]], family: dict[str, str] | None = None,
           drop: frozenset[str] = frozenset()) -> _Index:
    exact: dict[tuple[str, ...], set[str]] = {}
    unordered: dict[tuple[str, ...], set[str]] = {}
    keys = []
    for entry_id, spellings in names.items():
        for spelling in dict.fromkeys([entry_id, *spellings]):
            toks = tokens(spelling, drop)
            if not toks:
                continue
            exact.setdefault(toks, set()).add(entry_id)
            unordered.setdefault(tuple(sorted(toks)), set()).add(entry_id)
            keys.append((toks, entry_id))
    return _Index({k: frozenset(v) for k, v in exact.items()}, {k: frozenset(v) for k, v in unordered.items()},
                  tuple(keys), family or {}, drop)


@lru_cache(maxsize=8)
def _model_index(catalog: Catalog) -> _Index:
    names = {}
    for model in catalog.models.values():
        repo = [model.hf_repo] if model.hf_repo else []
        names[model.id] = [*repo, *model.aliases]
    return _build(names)


@lru_cache(maxsize=8)
def _device_index(catalog: Catalog) -> _Index:
    names: dict[str, list[str]] = {}
    for fam_id, fam in catalog.families.items():
        names[fam_id] = [fam.name, *fam.aliases]
    for device in catalog.devices.values():
        names[device.id] = [device.name, f"{device.vendor_name} {device.name}", *device.aliases]
    family = {d.id: d.family for d in catalog.devices.values() if d.family}
    # One-word vendor names ("NVIDIA", "AMD") are optional in a device name: "nvidia h100 sxm" = "h100 sxm".
    vendors = {tokens(d.vendor_name) for d in catalog.devices.values()}
    return _build(names, family, frozenset(v[0] for v in vendors if len(v) == 1))


def _score(query: tuple[str, ...], key: tuple[str, ...]) -> float:
    """How well a key fits the query's words, given the same numbers (0..1)."""
    q_words, k_words = set(_words(query)), set(_words(key))
    if q_words == k_words:
        return 1.0
    if (q_words ^ k_words) & IDENTITY_WORDS:
        return 0.0
    if q_words <= k_words or k_words <= q_words:
        return 0.85  # the name leaves out words ("rtx 4090") or adds some ("meta llama 3.1 8b turbo")
    return SequenceMatcher(None, " ".join(_words(query)), " ".join(_words(key))).ratio()


def _one(ids: frozenset[str] | set[str], index: _Index) -> str | None:
    """The single id among ``ids``; several devices of one family resolve to the family."""
    if len(ids) == 1:
        return next(iter(ids))
    families = {index.family.get(i, i) for i in ids}
    return families.pop() if len(families) == 1 else None


#: Words that name a variant of a part ("M2 Ultra", "Orin Nano", "RTX 4090 Ti"): a name with one is not the part
#: without it.
VARIANT_WORDS = frozenset({"ultra", "max", "pro", "mini", "nano", "super", "plus", "lite", "nx", "agx", "ti", "xl"})


def _resolve(name: str, index: _Index) -> str | None:
    query = tokens(name, index.drop) or tokens(name)
    if not query:
        return None
    for table, key in ((index.exact, query), (index.unordered, tuple(sorted(query)))):
        if key in table:
            return _one(table[key], index)
    numbers = _numbers(query)
    variants = set(query) & VARIANT_WORDS
    best, ids = 0.0, set()
    for toks, entry_id in index.keys:
        if _numbers(toks) != numbers or not variants <= set(toks):
            continue  # "m2 ultra" is no M2: a variant word the entry lacks names another part
        score = _score(query, toks)
        if score > best + 1e-9:
            best, ids = score, {entry_id}
        elif abs(score - best) <= 1e-9:
            ids.add(entry_id)
    return _one(ids, index) if best >= MIN_SCORE else None


def _scores(query: tuple[str, ...], index: _Index) -> dict[str, float]:
    """Each entry's best spelling score against the query's tokens (sharing its numbers counts)."""
    numbers = _numbers(query)
    best: dict[str, float] = {}
    for toks, entry_id in index.keys:
        shared = numbers & _numbers(toks)
        bonus = 0.3 if _numbers(toks) == numbers else 0.15 * bool(shared)
        score = SequenceMatcher(None, " ".join(query), " ".join(toks)).ratio() + bonus
        best[entry_id] = max(best.get(entry_id, 0.0), score)
    return best


def _suggest(name: str, index: _Index, n: int) -> list[str]:
    query = tokens(name, index.drop) or tokens(name)
    if not query:
        return []
    ranked = sorted(_scores(query, index).items(), key=lambda kv: (-kv[1], kv[0]))
    return [entry_id for entry_id, score in ranked[:n] if score >= 0.4]


def size_in_millions(name: str) -> float | None:
    """A model size written in its name: "7b" -> 7000, "8x7b" -> 56000, "350m" -> 350."""
    found = re.search(r"(?<![a-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", name.lower())
    if not found:
        return None
    value = float(found.group(2)) * (1000 if found.group(3) == "b" else 1)
    return value * int(found.group(1) or 1)


@lru_cache(maxsize=1024)
def resolve_model(name: str, catalog: Catalog) -> str | None:
    """The id of the catalog model ``name`` names, or None when it names none or several."""
    return _resolve(name, _model_index(catalog))


def only_model_with(name: str, catalog: Catalog) -> str | None:
    """The one catalog model whose name holds every word of ``name``, a size among them ("qwen
    coder 7b" is qwen2.5-coder-7b, "llama 405b" llama-3.1-405b); None when none or several do
    ("llama 70b": Llama 2, 3 and 3.1). MLPerf reference variants are left out."""
    wanted = set(tokens(name))
    if len(wanted) < 2 or not any(size_in_millions(t) for t in wanted):
        return None
    found = {m.id for m in catalog.models.values() if not m.benchmark_reference and wanted <= set(tokens(m.id))}
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=1024)
def resolve_device(name: str, catalog: Catalog) -> str | None:
    """The device or family id ``name`` names ("h100" -> the nvidia-h100 family), or None."""
    return _resolve(name, _device_index(catalog))


def suggest_models(name: str, catalog: Catalog, n: int = 3, task: str | None = None) -> list[str]:
    """Up to ``n`` model ids closest to ``name``, best first: the same family (first word) first,
    then, given ``task``, models that do it, then the nearest size ("7B" against each model's
    parameters), then the spelling (ids sharing its numbers first). MLPerf reference variants are
    left out: nobody deploys them by name."""
    query = tokens(name)
    if not query:
        return []
    size = size_in_millions(name)
    spelling = _scores(query, _model_index(catalog))

    def rank(model) -> tuple:
        size_gap = abs(math.log(model.params_m.value / size)) if size and model.params_m else math.inf
        return (tokens(model.id)[0] != query[0], task is not None and model.task != task, size_gap,
                -spelling.get(model.id, 0.0), model.id)

    models = [m for m in catalog.models.values() if not m.benchmark_reference]
    return [m.id for m in sorted(models, key=rank)[:n]]


def suggest_devices(name: str, catalog: Catalog, n: int = 3) -> list[str]:
    """Up to ``n`` device or family ids closest to ``name``, best first."""
    return _suggest(name, _device_index(catalog), n)
