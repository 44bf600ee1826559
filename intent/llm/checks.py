"""Cross-checks of an LLM's answer against the request text and the catalog.

Every number in a constraint must be traceable to an amount in the text (after unit
conversion) or appear in one of the answer's stated assumptions; hardware selectors must be
classes, vendors or catalog ids; DP parameters must be possible.
"""

from __future__ import annotations

import math
import re

from hardware import Catalog
from intent.llm.prompt import CLASSES, VENDORS
from intent.parser.lexicon import load_lexicon
from intent.parser.quantities import scan_quantities
from intent.parser.text import Workspace, normalise
from intent.schema import Intent

#: The text is scanned in pieces of about this many characters, cut at clause breaks, so the
#: check takes time in proportion to the text's length whatever its length (the whole text is
#: read: a bound past the offline parser's cap is still traceable).
PIECE_CHARS = 2000
PIECE_BREAK = re.compile(r"[;.!?。；！？\n]\s*|,\s+|，")


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into consecutive pieces of at most ``size`` characters, each ending at the
    last clause break (else the last space) inside its window."""
    out, start = [], 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = max((m.end() for m in PIECE_BREAK.finditer(window)), default=0) or window.rfind(" ") + 1 or size
        out.append(text[start:start + cut])
        start += cut
    return out + [text[start:]]


def traceable_values(text: str) -> list[float]:
    """Every value a bound could honestly take from ``text``."""
    lexicon = load_lexicon()
    values: list[float] = []
    quantities = [q for piece in pieces(normalise(text, lexicon)) for q in scan_quantities(lexicon, Workspace(piece))]
    for q in quantities:
        for v in (q.value, q.low):
            if v is None:
                continue
            values.append(v)
            if q.kind in ("percent", "bare"):
                values += [v / 100, 1 - v / 100, 1 - v]
            if q.kind == "token_throughput" and v:
                values.append(1000 / v)  # a speed per user is a time per output token
            if q.unit in ("minute", "second", "millisecond", "microsecond"):
                values.append(v / 3_600_000)  # a duration in ms, as a job's hours
    return values


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-9)


def problems(intent: Intent, catalog: Catalog) -> list[str]:
    """What is wrong with an answer, in words the model can act on (empty when it passes)."""
    found = []
    allowed = traceable_values(intent.text)
    stated = [float(x) for a in intent.assumptions for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", a)]
    for c in intent.constraints:
        if not any(_close(c.value, v) for v in allowed) and not any(_close(c.value, v) for v in stated):
            found.append(f"constraint {c.describe()}: {c.value:g} is not stated in the request "
                         "(after unit conversion); remove it or state the default in assumptions")
    known = set(CLASSES) | set(VENDORS) | catalog.selector_ids()
    for selector in intent.hardware.include + intent.hardware.exclude:
        if selector not in known:
            found.append(f"hardware {selector!r} is not a class, vendor or catalog id")
    dp = intent.policies.differential_privacy
    if dp is not None and dp.epsilon is not None and dp.epsilon <= 0:
        found.append(f"differential privacy epsilon {dp.epsilon:g} must be positive")
    if dp is not None and dp.delta is not None and not 0 < dp.delta < 1:
        found.append(f"differential privacy delta {dp.delta:g} must be between 0 and 1")
    if intent.workload.model and intent.workload.model not in catalog.models:
        found.append(f"model {intent.workload.model!r} is not a catalog model id; use null")
    return found
