"""Turn quantities into bounds: which metric each bounds, which way it points, and whether it is
a bound at all.

Rules, in order, for each quantity:
1. A range gives a ``>=`` low and a ``<=`` high bound.
2. A comparator right after it ("12GB以内", "300 req/s or more") decides; else the comparator
   nearest before it in its clause ("under", "不超过"); else, when only "and"/"," separates it
   from the previous quantity, it shares that one's comparator ("under 6 W and 3 GiB"); else a
   trailing comparator a word or two later ("4 GB memory cap"); else the metric's natural
   direction ("30 FPS" is a floor, "10 ms" a ceiling).
3. Memory sizes, job durations and dollar amounts with no period are bounds only with a
   comparator or a cue word near them ("budget", "fits", "显存", "deadline"): "40 GB of footage
   a day" is not a bound, while "$900/month" is a budget by itself.
4. Percentages and bare fractions are accuracy only next to an accuracy word ("top-1", "F1",
   "准确率"); an error rate ("WER under 8%") is turned round into accuracy >= 0.92.
5. Text generation (schema version 2): a time is the whole request's ``latency`` unless the words
   before it name the first token (``ttft``) or each token (``tpot``); a token rate tied to one
   user's stream ("30 tokens/s per user") is a ``tpot`` of 1000/N ms with its comparator turned
   round; other token rates are ``token_throughput``; a price per token is ``token_cost``.
6. Jobs: a duration in hours, days or weeks bounds the whole job (``job_time``); in a training,
   fine-tuning or batch job, a dollar amount with no period is the job's total (``job_cost``).
7. A memory size followed by "per GPU" (or preceded by 每张卡) bounds each device (``per_device``);
   any other memory bound holds for the whole deployment.

Every window a rule looks at is bounded in length, so a request is read in time linear in its size.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from intent.errors import ImpossibleValue
from intent.parser.fields import CORRECTION
from intent.parser.lexicon import Lexicon, Match
from intent.parser.quantities import Quantity
from intent.parser.text import Workspace
from intent.schema import CANONICAL_UNITS, NATURAL_OP, Constraint, Metric

NEEDS_CUE = {"memory": "memory_cues", "cost": "cost_cues", "job_time": "job_time_cues"}
#: Metrics a request may measure of what runs now ("p95 latency is ~2s today"), as opposed to budgets.
PERFORMANCE = ("latency", "ttft", "tpot", "throughput", "token_throughput", "power", "accuracy")
FLIP = {"<=": ">=", ">=": "<="}
MS_PER_HOUR = 3_600_000
#: How far (characters) the context rules look around a quantity: a few words, never the whole text.
WINDOW = 60
#: Quantity kinds that are not bounds themselves (a count of tokens is the request shape).
NOT_BOUNDS = ("tokens",)
#: A negation a few words before a comparator turns it round: "power not over 25 W", "latency
#: should not be more than 30 ms", "must not drop below 90%", "can't go over 15 W", "won't
#: accept anything over 30 ms"; in Chinese with a modal between: 不能低于, 不得高于, 不应超过.
#: Words that start a clause of their own ("if", "but") end the reach of the negation.
NEGATED_BEFORE = re.compile(r"(?:(?<![\w-])(?:not|never|no|without)(?:\s+(?!if\b|but\b|when\b|unless\b|because\b|and\b|or\b|with\b)"
                            r"[a-z]+){0,3}\s*"
                            r"|(?:不|别|勿)(?:能|得|应|应该|可以|可|会|要|准|许|允许)?)$")


#: A device noun and "with" right before a size: "a single GPU with 48GB", "one card with 24 GB".
DEVICE_WITH = re.compile(r"(?<![a-z])(?:gpu|card|accelerator|device|npu)s?\s+with\s+(?:only\s+|just\s+)?$")


@dataclass
class Bound:
    metric: str
    op: str
    value: float
    start: int
    end: int = 0
    per_device: bool = False


@dataclass
class ConstraintResult:
    constraints: list[Constraint]
    assumptions: list[str]
    warnings: list[str]
    comparator_spans: list[Match]
    #: each constraint's source span in the text, in the order of ``constraints``
    spans: list[tuple[int, int]] = field(default_factory=list)


#: "1.2M tokens/hour input", "input 5k tokens/s", "输入每秒": a rate of prompt tokens, not of generated ones.
#: What may stand between a token-rate word and its number: comparators and fillers ("token吞吐至少", "tokens/s >=").
TOKEN_RATE_GAP = re.compile(r"\s*(?:量)?\s*(?:[:=：]|>=|≥|at least|of|要|需要|至少|不低于|不少于|达到|大于|超过|在)?\s*"
                            r"(?:about|~|约|大约)?\s*")
INPUT_AFTER = re.compile(r"\s*(?:of\s+)?(?:input|prompt|prefill|输入)(?![a-z])")
INPUT_BEFORE = re.compile(r"(?:input|prompt|prefill|输入)(?:\s+(?:of|at|rate))?\s*[:=]?\s*(?:about|~)?\s*$")


#: One device as what a bound is about: "the gpu must be <= 300W", "card can't draw more than 250 W".
DEVICE_SUBJECT = re.compile(r"(?<![a-z])(?:gpu|card|accelerator|chip|显卡|单卡)\s*(?:must|should|can|may|cannot|can't|shall|"
                            r"has\s+to|needs\s+to|功耗|要|必须|不能)(?![a-z])[^,;，；]{0,24}$")


class ConstraintReader:
    """Reads bounds from the quantities of one request."""

    def __init__(self, lexicon: Lexicon, space: Workspace, quantities: list[Quantity], job: bool = False):
        self.lex = lexicon
        self.space = space
        self.text = space.masked
        self.quantities = quantities
        self.job = job
        self.leading = lexicon.phrases("comparators").scan(self.text)
        self._leading_starts = [m.start for m in self.leading]
        self.trailing = lexicon.phrases("trailing_comparators")
        self.assumptions: list[str] = []
        self.warnings: list[str] = []
        self.ops: dict[int, str | None] = {}
        self.negated: set[int] = set()  # quantities whose comparator a negation turned round
        self.latency_kinds: dict[int, str] = {}

    def read(self, not_ours=None) -> ConstraintResult:
        """The bounds, one per metric and comparator. ``not_ours(span)``, when given, says (with a
        warning) which bounds are stated for a second model: they are left out before two bounds
        on one metric are merged ('bge-large at 500 QPS and llama 3.1 8b at 10 QPS' keeps 10)."""
        bounds: list[Bound] = []
        previous: Quantity | None = None
        for q in self.quantities:
            if q.kind in NOT_BOUNDS or (q.kind == "bare" and not self._accuracy_context(q, bare=True)):
                continue
            op = self._op(q, previous)
            found = self._bounds(q, op, previous)
            for b in found:
                b.end = q.end
                if not math.isfinite(b.value):
                    raise ImpossibleValue(self.space.text, self._quote(q), "the number is too large to read")
            if found:
                self.space.mark_read(q.start, q.end)
                if self._past(q, found[0].metric) or (op is None and self._current(q, found[0].metric)):
                    continue
            bounds.extend(found)
            self.ops[q.start] = op
            previous = q
        if not self.job and any(b.metric == "job_time" for b in bounds):
            self._totals_of_the_job(bounds)
        if not_ours is not None:
            theirs = [(b, why) for b in bounds if (why := not_ours((b.start, b.end)))]
            self.warnings += list(dict.fromkeys(why for _, why in theirs))
            bounds = [b for b in bounds if all(b is not other for other, _ in theirs)]
        constraints, spans, warnings = _merge(bounds, self.space.text)
        return ConstraintResult(constraints, self.assumptions, self.warnings + warnings, self.leading, spans)

    def _totals_of_the_job(self, bounds: list[Bound]) -> None:
        """A stated job time ("finish within 6 hours") makes the request a job, so a dollar amount
        with no period ("spend at most $300") is the job's total, not a price per hour."""
        self.job = True
        bare = {q.start: q for q in self.quantities if q.kind == "cost" and q.needs_cue}
        for b in bounds:
            if b.metric == "cost" and b.start in bare:
                b.metric = "job_cost"
                # no period: a job's total, not per hour (a note on the currency stays)
                period_only = set(_notes(bare[b.start], "cost")) - set(_notes(bare[b.start], "job_cost"))
                self.assumptions = [n for n in self.assumptions if n not in period_only]

    def _bounds(self, q: Quantity, op: str | None, previous: Quantity | None) -> list[Bound]:
        if q.kind in ("percent", "bare"):
            return self._accuracy(q, op)
        kind = self._metric(q, previous)
        if kind is None:
            return []
        a_device_of = kind == "memory" and self._a_device_of(q)  # "on a 16GB card": what one device holds
        glossed = kind == "job_time" and self._date_glossed(q)  # "by end of weekend (48 hours)"
        a_jobs_own = kind == "job_time" and self.job and self._alone(q)
        if q.needs_cue and op is None and not a_device_of and not glossed and not a_jobs_own \
                and not self._cue(q, NEEDS_CUE.get(kind, NEEDS_CUE.get(q.kind))) \
                and not (kind == "job_cost" and self._cue(q, "job_total_words")):  # a job's "$1,000 total"
            return []
        self.assumptions += [n for n in _notes(q, kind) if n not in self.assumptions]
        if kind == "tpot" and q.kind == "token_throughput":
            return self._per_user_speed(q, op)
        each = (kind == "memory" and (a_device_of or self._per_device(q))) or (
            kind in ("power", "cost") and self._per_device(q))
        # A job's time in minutes was read as a latency (ms): the job's bound is in hours.
        scale = MS_PER_HOUR if kind == "job_time" and q.kind == "latency" else 1.0
        if q.is_range:
            return [Bound(kind, ">=", q.low / scale, q.start, per_device=each),
                    Bound(kind, "<=", q.value / scale, q.start, per_device=each)]
        return [Bound(kind, op or NATURAL_OP[Metric(kind)], q.value / scale, q.start, per_device=each)]

    def _a_device_of(self, q: Quantity) -> bool:
        """A size right before a device noun ("a 16GB card", "24 GB GPUs", "8G显卡"), or after a device
        noun and "with" ("a GPU with 48GB"): the memory of each device the plan may use, so a bound per
        device."""
        found = self.lex.words("device_nouns").scan(self.space.text[q.end:q.end + 24])
        if found and not self.space.text[q.end:q.end + found[0].start].strip():
            return True
        # "a single GPU with 48GB", "a card with 24 GB of memory": the size a device has
        return bool(DEVICE_WITH.search(self.space.text[max(0, q.start - 24):q.start]))

    def _per_device(self, q: Quantity) -> bool:
        """A memory size or a power for each device: "16 GB per GPU", "每张卡24GB", "300 W each" (rule 7)."""
        clause_start, clause_end = self.space.clause_bounds(q.start)
        after = self.space.text[q.end:min(clause_end, q.end + 24)]
        before = self.space.text[max(clause_start, q.start - 32):q.start]  # "each GPU must have at least 80GB"
        words = self.lex.words("per_device_words")
        return bool(words.scan(" " + " ".join(after.split()[:4])) or words.scan(before) or DEVICE_SUBJECT.search(before))

    def _metric(self, q: Quantity, previous: Quantity | None) -> str | None:
        """The metric a quantity bounds, from its unit and the words around it (rules 5 and 6)."""
        if q.kind == "latency":
            return self._latency_kind(q, previous)
        if q.kind == "throughput" and self._tokens_named_before(q):  # "token吞吐至少5000每秒": tokens, not requests
            q = replace(q, kind="token_throughput")
        if q.kind == "token_throughput":
            if INPUT_AFTER.match(self.space.text, q.end) or INPUT_BEFORE.search(self.space.text[max(0, q.start - 16):q.start]):
                self.warnings.append(f"'{self._quote(q)}': a rate of input (prompt) tokens is not planned for; the "
                                     "token throughput bound is for generated tokens: state requests per second and "
                                     "the prompt length instead")
                self.space.mark_read(q.start, q.end)
                return None
            return "tpot" if self._per_user(q) else "token_throughput"
        if q.kind == "cost" and q.needs_cue and self._cue(q, "purchase_words"):
            self.warnings.append(f"'{self._quote(q)}': a budget to buy devices is not planned for: the plan's cost is "
                                 "per hour (rented devices' price; owned devices' power and hosting), and most "
                                 "datacenter devices have no published purchase price; give a budget per hour or per "
                                 "month, or name the devices you have")
            self.space.mark_read(q.start, q.end)
            return None
        if q.kind == "cost" and q.needs_cue and (self.job or self._cue(q, "job_total_words")):
            if not self.job:
                self.warnings.append(f"'{self._quote(q)}': a total with no period for a service that runs on; "
                                     "not read as a bound (give a budget per hour or per month)")
                return None
            return "job_cost"
        if q.kind in ("cost_per_item", "other_currency"):
            return None  # no bound the planner reads; the unread quantity is warned about
        return q.kind

    def _latency_kind(self, q: Quantity, previous: Quantity | None) -> str:
        """"TTFT under 300 ms" is ttft, "per-token latency under 25 ms" and "20 ms/token" tpot,
        "90 minutes" in a job is the job's time; any other time is the whole request's latency."""
        after = self.space.text[q.end:q.end + 24]
        unit = self.lex.words("per_token_units").scan(" " + after.lstrip()[:18])
        if unit and unit[0].start <= 1:
            return "tpot"
        clause_start, _ = self.space.clause_bounds(q.start)
        window_start = max(clause_start, previous.end if previous else 0, q.start - WINDOW)
        kinds = self.lex.phrases("latency_kinds").scan(self.space.text[window_start:q.start])
        # the kind named after a figure is its own only in its sentence ("ttft p50<150ms p99<600ms. tpot<30ms":
        # the 600 ms is the TTFT's, not the TPOT's of the next sentence)
        following = self.lex.phrases("latency_kinds").scan(" ".join(SENTENCE_END.split(after)[0].split()[:3]))
        if kinds:
            kind = kinds[-1].key
            if kind == "latency" and len(kinds) > 1 and kinds[-2].key != "latency" \
                    and not self.space.text[kinds[-2].end:kinds[-1].start].strip(" -"):
                kind = kinds[-2].key  # "first-token latency", "TTFT latency"
            said_after = " ".join(after.split()[:3])
            if kind == "latency" and following and following[0].key != "latency" \
                    and re.fullmatch(r"\s*(?:for|of|to|until|till)(?:\s+(?:the|a|each))?\s*",
                                     said_after[:following[0].start]):
                kind = following[0].key  # "latency budget 2s for first token": the first token's
        elif following and following[0].key != "latency":
            kind = following[0].key
        elif self.job and q.unit in ("minute", "hour", "day", "week", "month"):
            kind = "job_time"
        elif previous is not None and previous.start in self.latency_kinds and not following:
            kind = self.latency_kinds[previous.start]  # "TTFT under 100 ms but also at least 500 ms"
        else:
            kind = "latency"
        self.latency_kinds[q.start] = kind
        return kind

    def _tokens_named_before(self, q: Quantity) -> bool:
        """A token-rate word right before a rate with no unit of its own ("token吞吐至少5000每秒", "tokens/s:
        at least 5000 a second"): only comparators stand between."""
        clause_start, _ = self.space.clause_bounds(q.start)
        before = self.space.text[max(clause_start, q.start - 24):q.start]
        found = self.lex.phrases("metric_words").scan(before)
        return bool(found) and found[-1].key == "token_throughput" and TOKEN_RATE_GAP.fullmatch(before[found[-1].end:])

    def _per_user(self, q: Quantity) -> bool:
        """A token rate tied to one user's stream: "30 tokens/s per user", "每个用户每秒至少25个token"."""
        clause_start, clause_end = self.space.clause_bounds(q.start)
        after = self.space.text[q.end:min(clause_end, q.end + 30)]
        before = self.space.text[max(clause_start, q.start - 40):q.start]
        each = re.match(r"\s*(?:each|apiece)(?![a-z])", after)  # "~30 tok/s each"
        alone = self.lex.words("single_user_words").scan(self.space.text)  # "single user, want >= 15 tok/s"
        return bool(each or alone or self.lex.words("per_user_words").scan(after)
                    or self.lex.words("per_user_words").scan(before))

    def _per_user_speed(self, q: Quantity, op: str | None) -> list[Bound]:
        """A speed floor is a ceiling on the time per token: at least N tokens/s is tpot <= 1000/N."""
        if q.value == 0 or (q.is_range and q.low == 0):
            self.warnings.append(f"'{self._quote(q)}': a speed of 0 tokens/s per user is no bound; ignored")
            return []
        if q.is_range:
            return [Bound("tpot", ">=", 1000 / q.value, q.start), Bound("tpot", "<=", 1000 / q.low, q.start)]
        speed_op = op or ">="
        self.assumptions.append(f"a speed of {q.value:g} tokens/s per user read as time per output token "
                                f"{FLIP[speed_op]} {1000 / q.value:g} ms")
        return [Bound("tpot", FLIP[speed_op], 1000 / q.value, q.start)]

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
        """"accuracy", "error" or None, from the words just before (and after) the quantity."""
        start, end = self.space.clause_bounds(q.start)
        before = self.space.text[max(start, q.start - WINDOW):q.start]
        after = self.space.text[q.end:min(end, q.end + WINDOW)]
        # a bare number is an accuracy only by the word right after it ("0.95 acc min"), not further on
        window = before + " " + " ".join(after.split()[:1 if bare else 4])
        if self.lex.words("not_accuracy_words").scan(window):
            return None
        if self.lex.words("error_words").scan(window):
            return "error"
        if self.lex.words("accuracy_words").scan(window):
            return "accuracy"
        return None

    def _cue(self, q: Quantity, cue_list: str) -> bool:
        """Whether a cue word stands near ``q``; the cue is read with it ("deadline 3 days")."""
        start, end = self.space.clause_bounds(q.start)
        if start > 1 and self.space.text[start - 1] in "(（":  # "finish by tomorrow morning (12 hours)"
            start = self.space.clause_bounds(start - 2)[0]
        offset = max(start, q.start - WINDOW)
        found = self.lex.words(cue_list).scan(self.space.text[offset:min(end, q.end + WINDOW)])
        for m in found:
            self.space.mark_read(offset + m.start, offset + m.end)
        return bool(found)

    def _date_glossed(self, q: Quantity) -> bool:
        """Whether ``q`` glosses a date in parentheses right after it ("by end of weekend (48 hours)",
        "before Friday (4 days)"): the job's time (the date was warned, the hours ignored)."""
        offset = max(0, q.start - 40)
        before = self.space.text[offset:q.start]
        opened = re.search(r"[(（]\s*(?:about|~|approx\.?|i\.e\.|约|大约)?\s*$", before)
        dates = self.lex.words("deadline_words").scan(before[:opened.start()]) if opened is not None else []
        for m in dates:  # planned by its hours: not warned as a date
            self.space.mark_read(offset + m.start, offset + m.end)
        return bool(dates)

    def _alone(self, q: Quantity) -> bool:
        """Whether ``q`` is an item of its own ("预算5千美金以内，2天": the job's days, among its limits)."""
        start, end = self.space.clause_bounds(q.start)
        return not (self.space.text[start:q.start] + self.space.text[q.end:end]).strip(" ,;.，；。、()（）")

    def _past(self, q: Quantity, metric: str) -> bool:
        """Whether ``q`` is a figure of the past ("our p99 was 450 ms in Q3"): its clause says
        so (past_markers) and asks for nothing (requirement_words). Warned about, not a bound."""
        return self._measured(q, metric, "past_markers", "a figure of the past")

    def _current(self, q: Quantity, metric: str) -> bool:
        """Whether ``q`` is a measurement of what runs now ("we currently serve it on 4 A10Gs and p95
        latency is ~2s"): a performance figure with no comparator in a clause that says so
        (present_markers) and asks for nothing. Warned about, not a bound (a budget said to be the
        current one still binds)."""
        return metric in PERFORMANCE and self._measured(q, metric, "present_markers", "a figure of what runs now")

    def _measured(self, q: Quantity, metric: str, markers: str, what: str) -> bool:
        """Whether ``q``'s clause has one of ``markers`` and asks for nothing; warned about as ``what``."""
        start, end = self.space.clause_bounds(q.start)
        clause = self.space.text[start:end]
        if not self.lex.words(markers).scan(clause) or self.lex.words("requirement_words").scan(clause):
            return False
        asking = "at least" if NATURAL_OP.get(metric) == ">=" else "under"
        self.warnings.append(f"'{clause.strip()}': {what}, not read as a requirement "
                             f"(say '{asking} {self._quote(q)}' to ask for it)")
        return True

    def _quote(self, q: Quantity) -> str:
        return self.space.text[q.start:q.end].strip()

    def _op(self, q: Quantity, previous: Quantity | None) -> str | None:
        adjacent = self._trailing(q, max_words=0)
        if adjacent:
            return adjacent
        clause_start, _ = self.space.clause_bounds(q.start)
        window_start = max(clause_start, previous.end if previous else 0, q.start - WINDOW)
        first = bisect_left(self._leading_starts, window_start)
        last = bisect_left(self._leading_starts, q.start)
        before = [m for m in self.leading[first:last] if m.end <= q.start and self._reaches(m, q)]
        if before:
            comparator = before[-1]
            look_from = max(window_start, comparator.start - 40)
            negation = NEGATED_BEFORE.search(self.text[look_from:comparator.start])
            if negation:  # "no GPU spend over $2": the "no" is read here
                self.space.mark_read(look_from + negation.start(), comparator.start)
            negated = negation or (
                # "shouldn't take more than 2 hours or cost over $20": the negation reaches past "or"
                previous is not None and previous.start in self.negated
                and re.fullmatch(r"\s*(?:or|nor)\s+(?:[a-z]+\s+)?", self.text[previous.end:comparator.start]))
            if negated:
                self.negated.add(q.start)
            return FLIP[comparator.key] if negated else comparator.key
        if previous is not None and previous.end >= clause_start and _direction(previous) == _direction(q):
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
        rest = self.text[q.end:min(clause_end, q.end + WINDOW)]
        skipped = re.match(rf"\s*(?:[^\s\d]+\s+){{0,{max_words}}}", rest)
        offset = skipped.end() if max_words else len(rest) - len(rest.lstrip())
        for m in self.trailing.scan(rest):
            if m.start <= offset:
                return m.key
            break
        return None


def _notes(q: Quantity, metric: str) -> list[str]:
    """The notes a cost amount adds when read as ``metric`` (a job's total has no period to assume),
    and a token rate's (characters read as tokens)."""
    if q.note and q.kind == "token_throughput":
        return [q.note]
    if not q.note or metric not in ("cost", "job_cost"):
        return []
    return [n for n in q.note.split("; ") if metric == "cost" or "no period" not in n]


def _direction(q: Quantity) -> str | None:
    """The way a bare bound on this kind of amount points ("under 6 W and 3 GiB" share "under";
    "TTFT under 1 ms and 1,000,000 tokens/s" do not: a rate is a floor)."""
    if q.kind in ("percent", "bare"):
        return ">="
    return NATURAL_OP[Metric(q.kind)] if q.kind in Metric._value2member_map_ else None


#: Where a sentence ends: a full stop or semicolon before a space or the end, or a line break.
SENTENCE_END = re.compile(r"[.;](?=\s|$)|[。；\n]")


#: A median or average named right before a bound ("p50 < 100ms", "average below 80ms", 平均延迟100毫秒).
CENTRAL = re.compile(r"(?:(?<![a-z0-9_])(?:p50|tp50|median|average|avg|mean|typical)(?![a-z0-9_])|平均|中位数)"
                     r"[^,;，；/\d]{0,20}$")
#: A percentile or average named right after a bound's figure ("200ms p50 / 600ms p99"): it names that bound.
LABEL_AFTER = re.compile(r"^\s*(?:(?P<central>p50|tp50|median|average|avg|mean)|p\d+(?:\.\d+)?|tp\d+|tail)(?![a-z0-9_])")


#: What stands between a bound and the figure it says it is not: "$1000 not $100", "1秒而不是500毫秒".
NOT_THIS = re.compile(r"\s*[,，]?\s*(?:not|rather\s+than|instead\s+of|而不是|不是)\s*(?:[$¥€£]\s*)?", re.IGNORECASE)


#: A percentile or average right before a bound's figure ("p50 5ms p99 20ms"): it names that bound, not
#: the label after the figure (which names the next one).
LABEL_BEFORE = re.compile(r"(?<![a-z0-9_])(?:(?P<central>p50|tp50|median|average|avg|mean)|p\d+(?:\.\d+)?|tp\d+)"
                          r"\s*(?:latency\s*)?(?:[:=<]|<=|under|below|of|at|<)?\s*$")


def _central(text: str, b: Bound) -> bool:
    before = LABEL_BEFORE.search(text[max(0, b.start - 20):b.start])
    if before is not None:
        return before.group("central") is not None
    after = LABEL_AFTER.match(text[b.end:b.end + 12])
    if after is not None:
        return after.group("central") is not None
    return bool(CENTRAL.search(text[max(0, b.start - 30):b.start]))


def _merge(bounds: list[Bound], text: str) -> tuple[list[Constraint], list[tuple[int, int]], list[str]]:
    """One bound per (metric, op): a repeated one keeps the tighter value and says so; but a
    median or average next to a tail bound ("p50 < 100ms and p99 < 500ms", 平均…P99…) is not
    the bound the plan holds (a tail), so the tail one is kept and the other named."""
    chosen: dict[tuple[str, str], Bound] = {}
    warnings: list[str] = []
    for b in bounds:
        key = (b.metric, b.op)
        if key in chosen and chosen[key].value != b.value and CORRECTION.search(text[chosen[key].end:b.start]):
            warnings.append(f"'{text[b.start:b.end].strip()}' read as correcting the earlier "
                            f"'{text[chosen[key].start:chosen[key].end].strip()}'")
            chosen[key] = b
        elif key in chosen and chosen[key].value != b.value and NOT_THIS.fullmatch(text[chosen[key].end:b.start]):
            # "budget is $1000 not $100": the second is what it is not
            warnings.append(f"'{text[b.start:b.end].strip()}' read as what the bound is not; kept "
                            f"'{text[chosen[key].start:chosen[key].end].strip()}'")
        elif key in chosen and chosen[key].value != b.value and _central(text, chosen[key]) != _central(text, b):
            central, tail = (chosen[key], b) if _central(text, chosen[key]) else (b, chosen[key])
            warnings.append(f"'{text[central.start:central.end].strip()}': a median or average {b.metric} is not "
                            f"planned for; the plan holds the tail bound, {tail.value:g}")
            chosen[key] = tail
        elif key in chosen and chosen[key].value != b.value:
            tighter = min if b.op == "<=" else max
            keep = tighter(chosen[key].value, b.value)
            warnings.append(f"two {b.metric} bounds with {b.op} ({chosen[key].value:g} and {b.value:g}); "
                            f"kept the tighter, {keep:g}")
            chosen[key] = b if keep == b.value and keep != chosen[key].value else chosen[key]  # its own words
        elif key not in chosen:
            chosen[key] = b
    ordered = sorted(chosen.values(), key=lambda b: (b.start, b.op != ">="))
    constraints = [Constraint(metric=Metric(b.metric), op=b.op, value=b.value, unit=CANONICAL_UNITS[Metric(b.metric)],
                              source=text[b.start:b.end].strip() or None, per_device=b.per_device) for b in ordered]
    return constraints, [(b.start, b.end) for b in ordered], warnings
