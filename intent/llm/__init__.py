"""Online parsing: an LLM reads the request, the offline rules check it and stand in for it.

``parse_online`` asks the model (see client.py), then merges with the rule parser's reading:
requirements the text names (compliance regimes, watermarking, differential privacy) are
never dropped, whatever the text or the model says; bounds, hardware, deployment and
precision limits the rules read are restored where the model dropped, flipped or loosened
them, each with a warning (crosscheck.py); where the rules read a field and the model
disagrees otherwise, the assumptions say so; an answer that reads nothing (no task, no bound)
where the rules read something, or a model that fails, gives the rules' reading with a
warning that says why.
"""

from __future__ import annotations

from hardware import Catalog
from intent.errors import IntentNotUnderstood
from intent.llm.crosscheck import reads_nothing, restore
from intent.schema import Intent
from intent.settings import Settings

READ_NOTHING = "the model's answer read no task and no bound from the request; used the offline rules"
COMPARED = ("task",)  # the rest of what the rules read is restored (crosscheck.py), not only noted


def parse_online(text: str, settings: Settings, catalog: Catalog) -> Intent:
    from intent.api import read_offline
    from intent.llm.client import LLMFailure, ask_model

    try:
        rules: Intent | None = read_offline(text, catalog)
    except IntentNotUnderstood:
        rules = None
    try:
        model, attempts = ask_model(text, settings, catalog)
    except LLMFailure as failure:
        if rules is None:
            raise IntentNotUnderstood(text, f"the model could not read it ({failure.reason}) and neither "
                                            "could the offline rules") from failure
        return _with(rules, warnings=[f"LLM parsing failed: {failure.reason}; used the offline rules"])
    if rules is None:
        return model
    if reads_nothing(model, rules):
        return _with(rules, warnings=[READ_NOTHING])
    return merge(model, rules, attempts, catalog)


def _with(intent: Intent, assumptions: list[str] = (), warnings: list[str] = ()) -> Intent:
    return intent.model_copy(update={"assumptions": [*intent.assumptions, *assumptions],
                                     "warnings": [*intent.warnings, *warnings]})


def merge(model: Intent, rules: Intent, attempts: int, catalog: Catalog | None = None) -> Intent:
    """The model's reading, keeping every requirement the rules found in the text."""
    notes: list[str] = []
    merged, restored = restore(model, rules, catalog)
    for field in COMPARED:
        ours, theirs = getattr(rules, field), getattr(merged, field)
        if ours is not None and ours != theirs:
            notes.append(f"the offline rules read {field} as {_show(ours)}; the model's {_show(theirs)} was used")
    if rules.constraints and {c.describe() for c in rules.constraints} != {c.describe() for c in merged.constraints}:
        notes.append("the offline rules read the constraints as "
                     f"[{'; '.join(c.describe() for c in rules.constraints)}]; the model's reading was used")
    if attempts > 1:
        notes.append("the model's first answer was rejected and repaired")
    return _with(merged, assumptions=notes, warnings=[*rules.warnings, *restored])


def _show(value) -> str:
    return "none" if value is None else getattr(value, "value", str(value))
