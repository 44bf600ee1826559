"""The parser's vocabulary (intent/data/lexicon.yaml) compiled into phrase matchers.

A :class:`PhraseSet` matches a group of phrases with word boundaries on ASCII edges (so
"ner" never matches inside "inner", while "GPU" still matches in "英伟达GPU") and reports,
for every match, which key it belongs to. Everything here is built once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from hardware.yamlio import packaged_yaml

WILDCARD = r"(?:\s+\S+){0,5}?\s+"
#: Sections of lexicon.yaml whose words are no request's vocabulary (so no typo is corrected to them): those
#: other parts of the program read, and the words of other languages (foreign_words).
NOT_PARSER_SECTIONS = ("chat", "production_words", "training_methods", "quality_waived", "latency_waived",
                       "foreign_words")


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


def _is_separator(char: str) -> bool:
    return char == "-" or char.isspace()


class PhraseTrie:
    """Literal phrases in a prefix tree, walked character by character.

    It matches what the phrases' regexes would (a run of spaces or hyphens for each
    separator, word boundaries on ASCII edges, an optional plural ending) without compiling
    one: a few hundred phrases make a regex that takes tens of milliseconds to compile, most
    of the parser's start-up, while a request is a few dozen characters to walk. At each
    position the longest phrase whose edges hold wins."""

    def __init__(self, phrases: list[str], plural: bool):
        self.root: dict = {}
        self.plural = plural
        for phrase in phrases:
            node = self.root
            for atom in re.split(r"([\s-]+)", phrase):
                if atom:
                    for char in " " if _is_separator(atom[0]) else atom:
                        node = node.setdefault(char, {})
            node[None] = phrase  # the phrase that ends here
        firsts = {c for c in self.root if c is not None}
        if " " in firsts:
            firsts |= {"-", "\t", "\n"}
        #: Where a match can begin: only those positions are walked.
        self.starts = re.compile(f"[{''.join(re.escape(c) for c in sorted(firsts))}]" if firsts else "(?!)")

    def match(self, text: str, start: int) -> tuple[int, str] | None:
        """The end and phrase of the longest match starting at ``start``, if any."""
        if start > 0 and text[start] in ASCII_WORD and text[start - 1] in ASCII_WORD:
            return None  # inside a word
        node, i, ends = self.root, start, []
        while True:
            if None in node:
                ends.append((i, node[None]))
            if i == len(text):
                break
            if _is_separator(text[i]) and " " in node:
                node = node[" "]
                while i < len(text) and _is_separator(text[i]):
                    i += 1
            elif text[i] in node:
                node, i = node[text[i]], i + 1
            else:
                break
        for end, phrase in reversed(ends):
            for tail in ("es", "s", "") if self.plural else ("",):
                stop = end + len(tail)
                if text.startswith(tail, end) and not (
                        phrase[-1] in ASCII_WORD and stop < len(text) and text[stop] in ASCII_WORD):
                    return stop, phrase
        return None


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
        self._trie = PhraseTrie(literal, plural)
        self._wild = [(p, re.compile(phrase_regex(p, plural))) for p in owner if "*" in p]

    def _literal_match(self, text: str, start: int) -> Match | None:
        found = self._trie.match(text, start)
        if found is None:
            return None
        end, phrase = found
        return Match(start, end, self._owner[phrase], phrase)

    def _wildcard_matches(self, text: str) -> list[Match]:
        return [Match(m.start(), m.end(), self._owner[p], p) for p, rx in self._wild for m in rx.finditer(text)]

    def scan(self, text: str) -> list[Match]:
        """Non-overlapping matches, left to right, the longest phrase at each position."""
        found, position, starts = [], 0, self._trie.starts
        while (hit := starts.search(text, position)) is not None:
            m = self._literal_match(text, hit.start())
            found += [m] if m else []
            position = m.end if m else hit.start() + 1
        if self._wild:
            found = _leftmost_longest(found + self._wildcard_matches(text))
        return found

    def all_matches(self, text: str) -> list[Match]:
        """The longest match at every position, overlapping ones included, and every
        wildcard phrase's matches (for picking the most specific phrase)."""
        literal = [self._literal_match(text, hit.start()) for hit in self._trie.starts.finditer(text)]
        return [m for m in literal if m] + self._wildcard_matches(text)


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
        for country in self.data["vendor_countries"]:
            groups["vendors:" + ",".join(country["vendors"])] = country["words"]
        groups.update({f"class:{k}": v for k, v in self.data["device_classes"].items()})
        return PhraseSet(groups)

    @cached_property
    def counted_words(self) -> PhraseSet:
        """What a number counts when written after it: sources, replicas, records, epochs, the items
        of a rate and rates' own units ("cameras: 12" is 12 cameras; text.COUNTED_LINE)."""
        d = self.data
        words = [*d["source_nouns"], *d["replica_nouns"], *d["workload"]["records"], *d["workload"]["epochs"],
                 *d["throughput_items"], *(u for units in d["rate_units"].values() for u in units)]
        return PhraseSet({"counted": [w for w in words if str(w).isascii()]})

    @cached_property
    def negations(self) -> PhraseSet:
        return PhraseSet({"not": self.data["negations"]})

    @cached_property
    def _parser_data(self) -> dict:
        """The sections the parser reads (the chat's own vocabulary is not a request's)."""
        return {k: v for k, v in self.data.items() if k not in NOT_PARSER_SECTIONS}

    @cached_property
    def spelling_vocabulary(self) -> tuple[frozenset, dict[str, tuple[str, ...]]]:
        """Lexicon words of five or more letters, for typo correction, indexed by first letter."""
        words = sorted(set(re.findall(r"[a-z]{5,}", repr(self._parser_data).lower())))
        by_first: dict[str, list[str]] = {}
        for word in words:
            by_first.setdefault(word[0], []).append(word)
        return frozenset(words), {k: tuple(v) for k, v in by_first.items()}

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every ASCII word the lexicon knows: a word outside it is one no rule reads."""
        return frozenset(re.findall(r"[a-z][a-z0-9]*", repr(self._parser_data).lower()))

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
        out.extend(str(s) for s in self.data["device_counters"])  # 两台, 八张: counts of devices
        return out

    @cached_property
    def unit_lead(self) -> re.Pattern:
        """What may follow a Chinese numeral for it to be read as a number: a unit or counter
        (Chinese, or a unit spelled in ASCII right after it: 十六G, 两百ms), or an epoch word (三轮)."""
        cjk = {s for s in self.unit_spellings if not s.isascii()} | {"%"}
        cjk |= {str(s) for s in self.data["workload"]["epochs"] if not str(s).isascii()}
        cjk |= {str(s) for s in self.data["cn_numeral_counters"]}  # 两千并发, 三十人, 两路, 五万元
        ascii_units = sorted({s for s in self.unit_spellings if s.isascii() and s.isalpha()}
                             | {str(s) for s in self.data["cn_numeral_ascii_units"]}, key=len, reverse=True)
        return re.compile(r"\s*(?:" + "|".join(map(re.escape, sorted(cjk, key=len, reverse=True))) + ")"
                          + r"|(?:" + "|".join(map(re.escape, ascii_units)) + r")(?![a-z])")

    @cached_property
    def number_lead(self) -> re.Pattern:
        """What may stand right before a Chinese numeral with no unit for it to be a number: a
        comparator or a metric word (并发两百, 帧率不低于三十, QPS两千)."""
        leads = sorted({str(s) for s in self.data["cn_number_leads"]}, key=len, reverse=True)
        # a period may stand between ("预算每月一万五")
        return re.compile(r"(?:" + "|".join(map(re.escape, leads)) + r")\s*(?:每(?:个)?(?:月|天|年|周|小时))?"
                          r"\s*(?:为|是|[:：])?\s*$")

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
    return Lexicon(packaged_yaml("intent", "lexicon.yaml"))
