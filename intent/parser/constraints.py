"""Turn quantities into bounds: which way each points, and whether it is a bound at all.

Rules, in order, for each quantity:
1. A range gives a ``>=`` low and a ``<=`` high bound.
2. A comparator right after it ("12GB以内", "300 req/s or more") decides; else the comparator
   nearest before it in its clause ("under", "不超过"); else, when only "and"/"," separates it
   from the previous quantity, it shares that one's comparator ("under 6 W and 3 GiB"); else a
   trailing comparator a word or two later ("4 GB memory cap"); else the metric's natural
   direction ("30 FPS" is a floor, "10 ms" a ceiling).
3. Memory sizes and dollar amounts with no period are bounds only with a comparator or a
   cue word near them ("budget", "fits", "显存"): "40 GB of footage a day" is not a bound,
   while "$900/month" is a budget by itself.
4. Percentages and bare fractions are accuracy only next to an accuracy word ("top-1", "F1",
   "准确率"); an error rate ("WER under 8%") is turned round into accuracy >= 0.92.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intent.parser.lexicon import Lexicon, Match
from intent.parser.quantities import Quantity
from intent.parser.text import Workspace
from intent.schema import CANONICAL_UNITS, NATURAL_OP, Constraint, Metric

NEEDS_CUE = {"memory": "memory_cues", "cost": "cost_cues"}
FLIP = {"<=": ">=", ">=": "<="}


@dataclass
class Bound:
    metric: str
    op: str
    value: float
    start: int


@dataclass
class ConstraintResult:
    constraints: list[Constraint]
    assumptions: list[str]
    warnings: list[str]
    comparator_spans: list[Match]


class ConstraintReader:
    """Reads bounds from the quantities of one request."""

    def __init__(self, lexicon: Lexicon, space: Workspace, quantities: list[Quantity]):
        self.lex = lexicon
        self.space = space
        self.text = space.masked
        self.quantities = quantities
        self.leading = lexicon.phrases("comparators").scan(self.text)
        self.trailing = lexicon.phrases("trailing_comparators")
        self.assumptions: list[str] = []
        self.ops: dict[int, str | None] = {}

    def read(self) -> ConstraintResult:
        bounds: list[Bound] = []
        previous: Quantity | None = None
        for q in self.quantities:
            if q.kind == "bare" and not self._accuracy_context(q, bare=True):
                continue
            op = self._op(q, previous)
            bounds.extend(self._bounds(q, op))
            self.ops[q.start] = op
            previous = q
        constraints, warnings = _merge(bounds)
        return ConstraintResult(constraints, self.assumptions, warnings, self.leading)

    def _bounds(self, q: Quantity, op: str | None) -> list[Bound]:
        if q.kind in ("percent", "bare"):
            return self._accuracy(q, op)
        if q.needs_cue and op is None and not self._cue(q, NEEDS_CUE[q.kind]):
            return []
        if q.note and q.note not in self.assumptions:
            self.assumptions.append(q.note)
        if q.is_range:
            return [Bound(q.kind, ">=", q.low, q.start), Bound(q.kind, "<=", q.value, q.start)]
        return [Bound(q.kind, op or NATURAL_OP[Metric(q.kind)], q.value, q.start)]

    def _accuracy(self, q: Quantity, op: str | None) -> list[Bound]:
        context = self._accuracy_context(q, bare=q.kind == "bare")
        if context is None:
            return []
        value = q.value / 100 if q.kind == "percent" or q.value > 1 else q.value
        if q.kind == "bare" and q.value > 1:
            self.assumptions.append(f"accuracy {q.value:g} read as {value:g} (a percentage)")
        op = op or ">="
        if context == "error":
            self.assumptions.append(f"an error rate below {value:g} read as accuracy of at least {1 - value:g}")
            return [Bound("accuracy", FLIP[op], round(1 - value, 12), q.start)]
        if q.is_range:
            return [Bound("accuracy", ">=", q.low / 100 if q.kind == "percent" else q.low, q.start),
                    Bound("accuracy", "<=", value, q.start)]
        return [Bound("accuracy", op, value, q.start)]

    def _accuracy_context(self, q: Quantity, bare: bool) -> str | None:
        """"accuracy", "error" or None, from the words of the quantity's clause."""
        start, end = self.space.clause_bounds(q.start)
        before = self.space.text[start:q.start]
        after = self.space.text[q.end:end] if not bare else ""
        window = before + " " + " ".join(after.split()[:4])
        if self.lex.words("not_accuracy_words").scan(window):
            return None
        if self.lex.words("error_words").scan(window):
            return "error"
        if self.lex.words("accuracy_words").scan(window):
            return "accuracy"
        return None

    def _cue(self, q: Quantity, cue_list: str) -> bool:
        start, end = self.space.clause_bounds(q.start)
        return bool(self.lex.words(cue_list).scan(self.space.text[start:end]))

    def _op(self, q: Quantity, previous: Quantity | None) -> str | None:
        adjacent = self._trailing(q, max_words=0)
        if adjacent:
            return adjacent
        clause_start, _ = self.space.clause_bounds(q.start)
        window_start = max(clause_start, previous.end if previous else 0)
        before = [m for m in self.leading if m.start >= window_start and m.end <= q.start and self._reaches(m, q)]
        if before:
            return before[-1].key
        if previous is not None and previous.end >= clause_start:
            gap = self.text[previous.end:q.start].strip()
            if gap in self.lex["coordinators"] or gap == "":
                return self.ops.get(previous.start)
        return self._trailing(q, max_words=2)

    def _reaches(self, comparator: Match, q: Quantity) -> bool:
        """An adjacent-only comparator ("in") must stand right before the number."""
        if comparator.phrase not in self.lex["adjacent_only_comparators"]:
            return True
        between = self.text[comparator.end:q.start]
        return not between.strip() or bool(self.lex.phrases("comparators").scan(between))

    def _trailing(self, q: Quantity, max_words: int) -> str | None:
        _, clause_end = self.space.clause_bounds(q.start)
        rest = self.text[q.end:clause_end]
        skipped = re.match(r"\s*(?:[^\s\d]+\s+){0,%d}" % max_words, rest)
        offset = skipped.end() if max_words else len(rest) - len(rest.lstrip())
        for m in self.trailing.scan(rest):
            if m.start <= offset:
                return m.key
            break
        return None


def _merge(bounds: list[Bound]) -> tuple[list[Constraint], list[str]]:
    """One bound per (metric, op): a repeated one keeps the tighter value and says so."""
    chosen: dict[tuple[str, str], Bound] = {}
    warnings: list[str] = []
    for b in bounds:
        key = (b.metric, b.op)
        if key in chosen and chosen[key].value != b.value:
            tighter = min if b.op == "<=" else max
            keep = tighter(chosen[key].value, b.value)
            warnings.append(f"two {b.metric} bounds with {b.op} ({chosen[key].value:g} and {b.value:g}); "
                            f"kept the tighter, {keep:g}")
            chosen[key] = Bound(b.metric, b.op, keep, chosen[key].start)
        elif key not in chosen:
            chosen[key] = b
    ordered = sorted(chosen.values(), key=lambda b: (b.start, b.op != ">="))
    constraints = [Constraint(metric=Metric(b.metric), op=b.op, value=b.value, unit=CANONICAL_UNITS[Metric(b.metric)])
                   for b in ordered]
    return constraints, warnings
