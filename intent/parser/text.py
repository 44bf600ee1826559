"""The request text as the rules see it: normalised, typo-corrected, numbers in digits, and a
masked copy in which spans already read (device names, precisions, "ε=1") are blanked out so
later rules cannot read their digits as quantities. Both copies share character offsets.
"""

from __future__ import annotations

import re
from functools import lru_cache

from intent.folding import canonical
from intent.parser.lexicon import Lexicon
from intent.parser.numbers import spell_out_numbers

MASK = "#"
CLAUSE_BREAK = re.compile(r"[;!?。；！？:：()（）\[\]]|,|，|、(?=\D)|\.(?!\d)|\bbut\b|但是|同时")
SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ment", "ments")


class Workspace:
    """Normalised text plus a masked copy with the same offsets."""

    def __init__(self, text: str):
        self.text = text
        self._masked = list(text)

    @property
    def masked(self) -> str:
        return "".join(self._masked)

    def mask(self, start: int, end: int) -> None:
        for i in range(start, end):
            if not self._masked[i].isspace():
                self._masked[i] = MASK

    def clause_bounds(self, position: int) -> tuple[int, int]:
        """Start and end of the clause around ``position`` (commas, full stops, "but" …)."""
        start, end = 0, len(self.text)
        for found in CLAUSE_BREAK.finditer(self.text):
            if found.end() <= position:
                start = found.end()
            elif found.start() >= position:
                end = found.start()
                break
        return start, end


def normalise(raw: str, lexicon: Lexicon) -> str:
    """Hidden characters removed, NFKC, look-alike letters as Latin, lower case (see
    intent.folding), typos fixed, number words as digits."""
    text = canonical(raw).replace("’", "'")
    text = re.sub(r"\s+", " ", text).strip()
    for wrong, right in lexicon["typos"].items():
        text = text.replace(wrong, right)
    text = re.sub(r"[a-z]{5,}", lambda m: _correct(m.group(0), lexicon), text)
    return spell_out_numbers(text, lexicon["number_words"], lexicon["number_scales"], lexicon.unit_lead)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=4096)
def _correct_cached(word: str, known: frozenset, candidates: tuple[str, ...]) -> str:
    """One slip (a letter missing, extra, wrong or swapped) in words up to eight letters, two beyond."""
    if word in known or any(word.startswith(k) and word[len(k):] in SUFFIXES for k in candidates):
        return word
    limit = 1 if len(word) <= 8 else 2
    scored = [(edit_distance(word, c, limit), c) for c in candidates]
    best = min((s for s in scored if s[0] <= limit), default=None)
    return best[1] if best else word


def _correct(word: str, lexicon: Lexicon) -> str:
    """Fix a misspelt lexicon word ("clasify" -> "classify"); leave every other word alone."""
    known, by_first = lexicon.spelling_vocabulary
    return _correct_cached(word, known, by_first.get(word[0], ()))
