"""A model's reading may add to the user's request, never loosen it.

The offline rules read the same text. Every hard requirement they found — a bound, a
hardware include or exclude, a deployment, a precision limit — must hold in the answer as
tightly as the rules read it. What the model dropped, flipped (``<=`` to ``>=``) or loosened
is put back, and each restoration is named in the intent's warnings. Fields the rules did not
read are the model's to fill.
"""

from __future__ import annotations

import math

from hardware import Catalog
from intent.schema import Constraint, Intent, Policies


def restore(model: Intent, rules: Intent, catalog: Catalog | None = None) -> tuple[Intent, list[str]]:
    """The model's intent with the rules' requirements restored, and one warning per restoration.
    With the catalog, a device the model requires is dropped when the request forbids all it names."""
    warnings: list[str] = []
    constraints = _constraints(model.constraints, rules.constraints, warnings)
    include, exclude = _hardware(model, rules, warnings, catalog)
    update = {"constraints": constraints, "policies": _policies(model.policies, rules.policies, warnings),
              "hardware": model.hardware.model_copy(update={"include": include, "exclude": exclude})}
    if rules.deployment is not None and model.deployment != rules.deployment:
        warnings.append(f"the model read the deployment as {_name(model.deployment)}; the request says "
                        f"{rules.deployment.value}, which was kept")
        update["deployment"] = rules.deployment
    if rules.precisions and not set(model.precisions) <= set(rules.precisions):
        warnings.append(f"the model allowed precisions {_names(model.precisions) or 'any'}; the request limits them "
                        f"to {_names(rules.precisions)}, which was kept")
        update["precisions"] = [p for p in model.precisions if p in rules.precisions] or list(rules.precisions)
    return model.model_copy(update=update), warnings


def reads_nothing(model: Intent, rules: Intent) -> bool:
    """An answer with no task and no bound where the rules read one (``{"foo": "bar"}``)."""
    return (model.task is None and not model.constraints and model.workload.model is None
            and (rules.task is not None or bool(rules.constraints)))


def _constraints(model: list[Constraint], rules: list[Constraint], warnings: list[str]) -> list[Constraint]:
    out = list(model)
    for ours in rules:
        theirs = next((c for c in out if c.metric == ours.metric and c.op == ours.op), None)
        if theirs is None:
            flipped = next((c for c in out if c.metric == ours.metric and c.op != ours.op
                            and _crosses(c, ours)), None)
            if flipped is not None:
                out.remove(flipped)
                warnings.append(f"the model turned {ours.describe()} into {flipped.describe()}; restored "
                                f"{ours.describe()} as the request says")
            else:
                warnings.append(f"the model dropped {ours.describe()}; restored from the request")
            out.append(ours)
        elif _looser(theirs, ours):
            out[out.index(theirs)] = ours
            warnings.append(f"the model loosened {ours.describe()} to {theirs.describe()}; restored "
                            f"{ours.describe()} as the request says")
    return out


def _looser(theirs: Constraint, ours: Constraint) -> bool:
    return theirs.value > ours.value if ours.op == "<=" else theirs.value < ours.value


def _crosses(other: Constraint, ours: Constraint) -> bool:
    """An opposite bound on the same metric at the same value is the request's bound flipped."""
    return math.isclose(other.value, ours.value, rel_tol=1e-9, abs_tol=1e-12)


def _policies(model: Policies, rules: Policies, warnings: list[str]) -> Policies:
    """Compliance regimes, watermarking and differential privacy the text names are never dropped;
    a privacy budget is never looser than the text's."""
    kept = [r for r in rules.compliance if r not in model.compliance]
    if kept:
        warnings.append(f"kept {_names(kept)}: the request names it, the model dropped it")
    if rules.watermark and not model.watermark:
        warnings.append("kept watermarking: the request asks for it, the model dropped it")
    dp = model.differential_privacy or rules.differential_privacy
    if rules.differential_privacy is not None and model.differential_privacy is None:
        warnings.append("kept differential privacy: the request asks for it, the model dropped it")
    ours = rules.differential_privacy
    for name in ("epsilon", "delta"):
        limit = getattr(ours, name) if ours is not None else None
        if limit is not None and (getattr(dp, name) is None or getattr(dp, name) > limit):
            if getattr(dp, name) is not None:
                warnings.append(f"the model loosened differential privacy {name} {limit:g} to {getattr(dp, name):g}; "
                                f"restored {limit:g} as the request says")
            dp = dp.model_copy(update={name: limit})
    return model.model_copy(update={"compliance": [*model.compliance, *kept],
                                    "watermark": model.watermark or rules.watermark, "differential_privacy": dp})


def _hardware(model: Intent, rules: Intent, warnings: list[str],
              catalog: Catalog | None) -> tuple[list[str], list[str]]:
    include, exclude = list(model.hardware.include), list(model.hardware.exclude)
    for selector in [s for s in include if _forbidden(s, rules.hardware.exclude, catalog)]:
        include.remove(selector)
        warnings.append(f"the model required {selector!r}, which the request forbids; kept it forbidden")
    for selector in rules.hardware.exclude:
        if selector not in exclude and selector not in model.hardware.include:
            warnings.append(f"the model dropped the exclusion of {selector!r}; restored from the request")
        if selector not in exclude:
            exclude.append(selector)
    for selector in rules.hardware.include:
        if selector in exclude:
            exclude.remove(selector)
            warnings.append(f"the model forbade {selector!r}, which the request requires; kept it required")
        elif selector not in include:
            warnings.append(f"the model dropped the requirement for {selector!r}; restored from the request")
        if selector not in include:
            include.append(selector)
    return include, exclude


def _forbidden(selector: str, excluded: list[str], catalog: Catalog | None) -> bool:
    """Whether ``excluded`` forbids everything ``selector`` names."""
    if selector in excluded:
        return True
    named = [d for d in catalog.devices.values() if d.matches(selector)] if catalog is not None else []
    return bool(named) and all(any(d.matches(x) for x in excluded) for d in named)


def _name(value) -> str:
    return "none" if value is None else getattr(value, "value", str(value))


def _names(values) -> str:
    return ", ".join(_name(v) for v in values)
