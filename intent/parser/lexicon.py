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


SEPARATOR = r"[\s-]+"
ASCII_WORD = "abcdefghijklmnopqrstuvwxyz0123456789"


def phrase_regex(phrase: str, plural: bool = False) -> str:
    """One phrase as a regex: spaces and hyphens match any run of either; ASCII edges get
    word boundaries; ``*`` stands for up to five words."""
    body = WILDCARD.join(_literal(part.strip()) for part in phrase.split("*"))
    left = r"(?<![a-z0-9])" if phrase[0] in ASCII_WORD else ""
    return left + body + _end(phrase, plural)


def _literal(text: str) -> str:
    return SEPARATOR.join(re.escape(piece) for piece in re.split(r"[\s-]+", text))


def _end(phrase: str, plural: bool) -> str:
    tail = "(?:e?s)?" if plural else ""
    return tail + (r"(?![a-z0-9])" if phrase[-1] in ASCII_WORD else "")


def normal_form(text: str) -> str:
    return re.sub(r"[\s-]+", " ", text.strip())


class _TrieNode:
    __slots__ = ("children", "phrase")

    def __init__(self):
        self.children: dict[str, _TrieNode] = {}
        self.phrase: str | None = None


def trie_regex(phrases: list[str], plural: bool) -> str:
    """All phrases as one regex shaped like a prefix tree, so matching walks shared prefixes
    once instead of trying every phrase at every position. Longer continuations come before
    a phrase's end, so the longest phrase at a position wins."""
    roots = {True: _TrieNode(), False: _TrieNode()}
    for phrase in phrases:
        node = roots[phrase[0] in ASCII_WORD]
        for atom in re.split(r"([\s-]+)", phrase):
            if not atom:
                continue
            for char in ([" "] if atom.isspace() or set(atom) <= {"-", " "} else atom):
                node = node.children.setdefault(char, _TrieNode())
        node.phrase = phrase
    branches = []
    if roots[True].children:
        branches.append(r"(?<![a-z0-9])" + _emit(roots[True], plural))
    if roots[False].children:
        branches.append(_emit(roots[False], plural))
    return "|".join(f"(?:{b})" for b in branches)


def _emit(node: _TrieNode, plural: bool) -> str:
    parts = [(SEPARATOR if char == " " else re.escape(char)) + _emit(child, plural)
             for char, child in sorted(node.children.items())]
    if node.phrase is not None:
        parts.append(_end(node.phrase, plural))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


class PhraseSet:
    """Phrases grouped by key, matched longest-first, left to right."""

    def __init__(self, groups: dict[str, list[str]], plural: bool = False):
        self.groups = {key: [str(p).lower() for p in phrases] for key, phrases in groups.items()}
        owner: dict[str, str] = {}
        for key, phrases in self.groups.items():
            for phrase in phrases:
                owner.setdefault(phrase, key)
        self._owner = owner
        self._plural = plural
        literal = [p for p in owner if "*" not in p]
        self._by_form = {normal_form(p): p for p in literal}
        self._wild = [(p, re.compile(phrase_regex(p, plural))) for p in owner if "*" in p]
        self._trie = re.compile(trie_regex(literal, plural)) if literal else None

    def _phrase_of(self, matched: str) -> str:
        form = normal_form(matched)
        if form in self._by_form:
            return self._by_form[form]
        for tail in ("es", "s"):  # a plural the set allows
            if form.endswith(tail) and form[: -len(tail)] in self._by_form:
                return self._by_form[form[: -len(tail)]]
        raise KeyError(matched)

    def _match(self, found: re.Match, phrase: str | None = None) -> Match:
        phrase = phrase or self._phrase_of(found.group(0))
        return Match(found.start(), found.end(), self._owner[phrase], phrase)

    def scan(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right, the longest phrase at each position."""
        found = [self._match(m) for m in self._trie.finditer(text)] if self._trie else []
        if self._wild:
            found += [self._match(m, p) for p, rx in self._wild for m in rx.finditer(text)]
            found = _leftmost_longest(found)
        return found

    def all_matches(self, text: str) -> list[Match]:
        """The longest match at every position, overlapping ones included, and every
        wildcard phrase's matches (for picking the most specific phrase)."""
        out = []
        if self._trie:
            for position in range(len(text)):
                m = self._trie.match(text, position)
                if m and m.end() > position:
                    out.append(self._match(m))
        out += [self._match(m, p) for p, rx in self._wild for m in rx.finditer(text)]
        return out


def _leftmost_longest(matches: list[Match]) -> list[Match]:
    out: list[Match] = []
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The loaded lexicon with its compiled phrase sets."""

    data: dict

    def __getitem__(self, key: str):
        return self.data[key]

    def phrases(self, name: str) -> PhraseSet:
        """The phrase set of a grouped section (``tasks``, ``comparators``, ``deployments`` …)."""
        return _grouped_set(self, name)

    @cached_property
    def hardware_words(self) -> PhraseSet:
        groups = {f"vendor:{k}": v for k, v in self.data["vendors"].items()}
        groups.update({f"class:{k}": v for k, v in self.data["device_classes"].items()})
        return PhraseSet(groups)

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
        for spellings in self.data["periods"].values():
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
def _grouped_set(lexicon: Lexicon, name: str) -> PhraseSet:
    return PhraseSet(lexicon.data[name])


@lru_cache(maxsize=64)
def _flat_set(lexicon: Lexicon, name: str) -> PhraseSet:
    return PhraseSet({name: lexicon.data[name]})


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    text = (resources.files("intent") / "data" / "lexicon.yaml").read_text(encoding="utf-8")
    return Lexicon(load_yaml(text))
