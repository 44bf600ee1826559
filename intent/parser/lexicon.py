"""The parser's vocabulary (intent/data/lexicon.yaml) compiled into phrase matchers.

A :class:`PhraseSet` matches a group of phrases with word boundaries on ASCII edges (so
"ner" never matches inside "inner", while "GPU" still matches in "英伟达GPU") and reports,
for every match, which key it belongs to. Everything here is built once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from hardware.yamlio import load_yaml

WILDCARD = r"(?:\s+\S+){0,5}?\s+"


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    key: str
    phrase: str

    @property
    def weight(self) -> int:
        """How specific the phrase is: its length without wildcards."""
        return len(self.phrase.replace("*", "").strip())


def phrase_regex(phrase: str, plural: bool = False) -> str:
    body = WILDCARD.join(re.escape(part.strip()) for part in phrase.split("*"))
    body = re.sub(r"\\ ", r"[\\s-]+", body)
    left = r"(?<![a-z0-9])" if phrase[0].isascii() and phrase[0].isalnum() else ""
    tail = "(?:e?s)?" if plural else ""
    right = r"(?![a-z0-9])" if phrase[-1].isascii() and phrase[-1].isalnum() else ""
    return left + body + tail + right


class PhraseSet:
    """Phrases grouped by key, matched longest-first, left to right."""

    def __init__(self, groups: dict[str, list[str]], plural: bool = False):
        self.groups = {key: [str(p).lower() for p in phrases] for key, phrases in groups.items()}
        self._owner = {p: key for key, phrases in self.groups.items() for p in phrases}
        ordered = sorted(self._owner, key=lambda p: len(p.replace("*", "")), reverse=True)
        self._plural = plural
        self._ordered = ordered
        self._combined = re.compile("|".join(f"({phrase_regex(p, plural)})" for p in ordered)) if ordered else None

    def scan(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right, the longest phrase at each position."""
        if self._combined is None:
            return []
        out = []
        for found in self._combined.finditer(text):
            phrase = self._ordered[found.lastindex - 1]
            out.append(Match(found.start(), found.end(), self._owner[phrase], phrase))
        return out

    def all_matches(self, text: str) -> list[Match]:
        """Every phrase's matches, overlapping ones included (for picking the most specific)."""
        return [Match(f.start(), f.end(), self._owner[p], p) for p, rx in self._regexes for f in rx.finditer(text)]

    @cached_property
    def _regexes(self) -> list[tuple[str, re.Pattern]]:
        return [(p, re.compile(phrase_regex(p, self._plural))) for p in self._ordered]


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The loaded lexicon with its compiled phrase sets."""

    data: dict

    def __getitem__(self, key: str):
        return self.data[key]

    @cached_property
    def tasks(self) -> PhraseSet:
        return PhraseSet(self.data["tasks"])

    @cached_property
    def objective_phrases(self) -> PhraseSet:
        return PhraseSet(self.data["objective_phrases"])

    @cached_property
    def sense_words(self) -> PhraseSet:
        return PhraseSet(self.data["sense_words"])

    @cached_property
    def metric_words(self) -> PhraseSet:
        return PhraseSet(self.data["metric_words"])

    @cached_property
    def comparators(self) -> PhraseSet:
        return PhraseSet(self.data["comparators"])

    @cached_property
    def trailing_comparators(self) -> PhraseSet:
        return PhraseSet(self.data["trailing_comparators"])

    @cached_property
    def deployments(self) -> PhraseSet:
        return PhraseSet(self.data["deployments"])

    @cached_property
    def hardware_words(self) -> PhraseSet:
        groups = {f"vendor:{k}": v for k, v in self.data["vendors"].items()}
        groups.update({f"class:{k}": v for k, v in self.data["device_classes"].items()})
        return PhraseSet(groups)

    @cached_property
    def precisions(self) -> PhraseSet:
        return PhraseSet(self.data["precisions"])

    @cached_property
    def compliance(self) -> PhraseSet:
        return PhraseSet(self.data["compliance"])

    @cached_property
    def negations(self) -> PhraseSet:
        return PhraseSet({"not": self.data["negations"]})

    @cached_property
    def spelling_vocabulary(self) -> tuple[frozenset, dict[str, tuple[str, ...]]]:
        """Lexicon words of five or more letters, for typo correction, indexed by first letter."""
        words = sorted(set(re.findall(r"[a-z]{5,}", repr(self.data).lower())))
        by_first: dict[str, list[str]] = {}
        for word in words:
            by_first.setdefault(word[0], []).append(word)
        return frozenset(words), {k: tuple(v) for k, v in by_first.items()}

    @cached_property
    def unit_spellings(self) -> list[str]:
        """Every unit, period, counter and currency word."""
        out: list[str] = []
        for spec in self.data["units"].values():
            for spellings in spec["spellings"].values():
                out.extend(str(s) for s in spellings)
        for group in ("periods",):
            for spellings in self.data[group].values():
                out.extend(str(s) for s in spellings)
        out.extend(str(s) for s in self.data["throughput_items"])
        out.extend(str(s) for s in self.data["currency"]["suffix"])
        return out

    @cached_property
    def unit_lead(self) -> re.Pattern:
        """What may follow a Chinese numeral for it to be read as a number (a unit or counter)."""
        cjk = sorted({s for s in self.unit_spellings if not s.isascii()} | {"%"}, key=len, reverse=True)
        return re.compile(r"\s*(?:" + "|".join(map(re.escape, cjk)) + ")")

    def words(self, name: str) -> PhraseSet:
        """A single-key phrase set for a flat word list such as ``accuracy_words``."""
        return _flat_set(self, name)


@lru_cache(maxsize=64)
def _flat_set(lexicon: Lexicon, name: str) -> PhraseSet:
    return PhraseSet({name: lexicon.data[name]})


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    text = (resources.files("intent") / "data" / "lexicon.yaml").read_text(encoding="utf-8")
    return Lexicon(load_yaml(text))
