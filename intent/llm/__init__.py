"""Online parsing: an LLM reads the request, the offline rules check it and stand in for it.

``parse_online`` asks the model (see client.py), then merges with the rule parser's reading:
requirements the text names (compliance regimes, watermarking, differential privacy) are
never dropped, whatever the text or the model says; where the rules read a field and the
model disagrees, the assumptions say so; when the model fails, the rules' reading is used
with a warning that says why.
"""

from __future__ import annotations

from hardware import Catalog
from intent.errors import IntentNotUnderstood
from intent.schema import Intent
from intent.settings import Settings

COMPARED = ("task", "deployment")


def parse_online(text: str, settings: Settings, catalog: Catalog) -> Intent:
    from intent.llm.client import LLMFailure, ask_model
    from intent.parser import parse_rules

    try:
        rules: Intent | None = parse_rules(text, catalog)
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
    return merge(model, rules, attempts)


def _with(intent: Intent, assumptions: list[str] = (), warnings: list[str] = ()) -> Intent:
    return intent.model_copy(update={"assumptions": [*intent.assumptions, *assumptions],
                                     "warnings": [*intent.warnings, *warnings]})


def merge(model: Intent, rules: Intent, attempts: int) -> Intent:
    """The model's reading, keeping every requirement the rules found in the text."""
    notes: list[str] = []
    kept = [r for r in rules.policies.compliance if r not in model.policies.compliance]
    if kept:
        notes.append(f"kept {', '.join(r.value for r in kept)}: the request names it, the model dropped it")
    policies = model.policies.model_copy(update={
        "compliance": [*model.policies.compliance, *kept],
        "watermark": model.policies.watermark or rules.policies.watermark,
        "differential_privacy": model.policies.differential_privacy or rules.policies.differential_privacy,
    })
    for field in COMPARED:
        ours, theirs = getattr(rules, field), getattr(model, field)
        if ours is not None and ours != theirs:
            notes.append(f"the offline rules read {field} as {_show(ours)}; the model's {_show(theirs)} was used")
    if rules.constraints and {c.describe() for c in rules.constraints} != {c.describe() for c in model.constraints}:
        notes.append("the offline rules read the constraints as "
                     f"[{'; '.join(c.describe() for c in rules.constraints)}]; the model's reading was used")
    if attempts > 1:
        notes.append("the model's first answer was rejected and repaired")
    merged = model.model_copy(update={"policies": policies})
    return _with(merged, assumptions=notes, warnings=list(rules.warnings))


def _show(value) -> str:
    return "none" if value is None else getattr(value, "value", str(value))
