"""Organisation policy: mandatory rules a request can tighten but never loosen.

A policy file is YAML::

    schema_version: 1
    name: Acme AI platform policy
    rules:
      - id: patient-data-needs-hipaa
        when: {words: [patient, clinical, 病历]}      # optional: task, words, compliance
        require: {compliance: [hipaa]}
      - id: no-huawei
        require: {exclude: [huawei]}
      - id: watermark-generated-text
        when: {task: [text-generation, summarization]}
        require: {watermark: true}
      - id: epsilon-cap
        require: {max_epsilon: 8}

Rules apply before planning (the Intent gains the requirements, so the planner sees them as
constraints) and after (every policy section names the rule that caused it). A request that
asks to loosen a rule ("disable HIPAA", "no watermark", "ignore the policy", an epsilon above
the cap, hardware the policy forbids) is refused with a message naming the rule.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from hardware.yamlio import first_duplicate, read_validated
from intent.folding import canonical
from intent.schema import DifferentialPrivacy, Intent, Regime
from policies.errors import PolicyError

if TYPE_CHECKING:
    from hardware import Catalog

LOOSEN_WORDS = r"(?:disable|disabling|turn off|switch off|skip|bypass|ignore|without|no|drop|remove|not|关闭|跳过|忽略|不要|不用|去掉)"
POLICY_WORDS = r"(?:the |our |any |all )?(?:organi[sz]ation(?:al)? )?(?:policy|policies|rules|公司规定|策略|规则)"


class PolicyViolation(PolicyError):
    """The request asks for something an organisation rule forbids."""

    code = "policy-violation"

    def __init__(self, rule_id: str, message: str):
        self.rule_id = rule_id
        super().__init__(f"refused by organisation rule {rule_id!r}: {message}")
        self.hint = "the organisation policy is mandatory; change the request, or ask the policy owner"


class When(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    task: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    compliance: list[Regime] = Field(default_factory=list)


class Require(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    compliance: list[Regime] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    watermark: bool = False
    differential_privacy: bool = False
    max_epsilon: float | None = Field(None, gt=0, allow_inf_nan=False)
    deployment: list[Literal["edge", "cloud", "on-prem"]] = Field(default_factory=list)


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str | None = None
    when: When | None = None
    require: Require

    def applies(self, intent: Intent, reading: Reading | None = None) -> bool:
        return self.trigger(intent, reading or Reading.of(intent)) is not None

    def trigger(self, intent: Intent, reading: Reading) -> str | None:
        """What makes the rule apply ("always", "task summarization", "the word 'patient'"), or None."""
        if self.when is None:
            return "always"
        task = next((t for t in self.when.task if t in reading.tasks), None)
        if task is not None:
            return f"task {task}"
        word = next((w for w in self.when.words if _read(w) in reading.text), None)
        if word is not None:
            return f"the word {word!r}"
        regime = next((r for r in self.when.compliance if r in intent.policies.compliance), None)
        return None if regime is None else f"compliance {regime.value}"

    def found_only_folded(self, reading: Reading) -> list[str]:
        """The trigger words found only once hidden characters and look-alike letters were read."""
        if self.when is None:
            return []
        return [w for w in self.when.words if _read(w) in reading.text and _read(w) not in reading.plain]


@dataclass(frozen=True)
class Reading:
    """What rule triggers match: the request text as the parser reads it (``text``; ``plain``
    without the hidden-character and look-alike folding) and every task a reading gave it
    (the intent's own, and the offline rules' when a model read the request)."""

    text: str
    plain: str
    tasks: frozenset[str]

    def unfolded(self) -> Reading:
        """The same reading without the folding: what a plain match would have seen."""
        return Reading(text=self.plain, plain=self.plain, tasks=self.tasks)

    @classmethod
    def of(cls, intent: Intent, other_tasks=()) -> Reading:
        tasks = {intent.task.value} if intent.task else set()
        return cls(text=_read(intent.text), plain=_read(intent.text, fold=False),
                   tasks=frozenset(tasks | {getattr(t, "value", t) for t in other_tasks if t}))


def _read(text: str, fold: bool = True) -> str:
    """Text as the parser reads it (intent.folding), with runs of white space as one space."""
    return " ".join(canonical(text, fold).split())


class OrganisationPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1]
    name: str
    rules: list[Rule] = Field(min_length=1)
    digest: str = ""


def load_policy(path: str | Path, catalog: Catalog | None = None) -> OrganisationPolicy:
    """Read and validate a policy file; errors give the file, the line and the field. The
    devices its rules exclude must name something in ``catalog`` (default: the packaged
    one), the catalog the plans are made on."""
    policy, text = read_validated(path, OrganisationPolicy, "policy file", PolicyError)
    duplicate = first_duplicate(r.id for r in policy.rules)
    if duplicate is not None:
        raise PolicyError(f"{path}: rule id {duplicate!r} appears twice")
    _check_selectors(path, policy, catalog)
    return policy.model_copy(update={"digest": hashlib.sha256(text.encode()).hexdigest()[:16]})


def _check_selectors(path, policy: OrganisationPolicy, catalog: Catalog | None) -> None:
    """Every device a rule excludes names something in the catalog: a typo ("nvidiaa") had passed the check and
    excluded nothing, a mandatory rule silently off."""
    from hardware import load_catalog
    from hardware.catalog import close_matches

    catalog = catalog or load_catalog()
    known = {name for d in catalog.devices.values() for name in (d.id, d.family, d.device_class, d.vendor, *d.vendor_tags)
             if name}
    for rule in policy.rules:
        for selector in rule.require.exclude:
            if selector not in known:
                closest = close_matches(selector, known)
                raise PolicyError(f"{path}: rule {rule.id!r} excludes {selector!r}, which names no device, family, "
                                  f"vendor or class of the catalog" + (f" (closest: {', '.join(closest)})" if closest
                                                                       else "") + "; a rule that excludes nothing "
                                  "would be a mandatory rule silently off (one of your own catalog needs --catalog "
                                  "DIR)")


def _asks_to_loosen(text: str, target: str) -> bool:
    """Whether the request asks to turn ``target`` (a regex) off: "disable HIPAA", "no watermark"."""
    pattern = rf"{LOOSEN_WORDS}\W+(?:\w+\W+){{0,2}}?{target}"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def applicable_rules(intent: Intent, policy: OrganisationPolicy, other_tasks=()) -> list[Rule]:
    """The rules that apply to a request, read as ``apply_policy`` reads it."""
    reading = Reading.of(intent, other_tasks)
    return [r for r in policy.rules if r.trigger(intent, reading) is not None]


def apply_policy(intent: Intent, policy: OrganisationPolicy, other_tasks=()) -> tuple[Intent, dict[str, str]]:
    """The intent with every applicable rule's requirements, and what caused each requirement
    (keyed like the plan's policy sections). Raises PolicyViolation when the request loosens a rule.

    Triggers and loosening words are matched in the text as the parser reads it (hidden
    characters removed, look-alike letters as Latin; see intent.folding); a rule whose trigger
    word was found only so is named in the intent's warnings. ``other_tasks`` are the tasks
    other readings of the text gave (the offline rules', when a model read it): a rule scoped
    to a task applies when any reading gives that task."""
    reading = Reading.of(intent, other_tasks)
    text = reading.text
    if re.search(rf"(?:ignore|bypass|override|disregard|忽略|绕过)\W+(?:\w+\W+){{0,2}}?{POLICY_WORDS}", text, re.IGNORECASE):
        raise PolicyViolation(policy.rules[0].id, "the request asks to set the organisation policy aside")
    compliance = list(intent.policies.compliance)
    exclude = list(intent.hardware.exclude)
    watermark = intent.policies.watermark
    dp = intent.policies.differential_privacy
    deployment = intent.deployment
    causes: dict[str, str] = {}
    warnings: list[str] = []
    for rule in (r for r in policy.rules if r.trigger(intent, reading) is not None):
        hidden = rule.found_only_folded(reading)
        if hidden and rule.trigger(intent, reading.unfolded()) is None:
            warnings.append(f"organisation rule {rule.id!r} applies: the request writes "
                            f"{', '.join(repr(w) for w in hidden)} with hidden characters or look-alike letters")
        need = rule.require
        for regime in need.compliance:
            if _asks_to_loosen(text, re.escape(regime.value).replace(r"\-", r"[\s-]?")):
                raise PolicyViolation(rule.id, f"{regime.value.upper()} is mandatory here and cannot be disabled")
            if regime not in compliance:
                compliance.append(regime)
            causes.setdefault(regime.value, f"organisation rule {rule.id!r}")
        for selector in need.exclude:
            if selector in intent.hardware.include:
                raise PolicyViolation(rule.id, f"{selector!r} hardware is not allowed")
            if selector not in exclude:
                exclude.append(selector)
        if need.watermark:
            if _asks_to_loosen(text, r"water\s?mark"):
                raise PolicyViolation(rule.id, "watermarking is mandatory here")
            watermark = True
            causes.setdefault("watermark", f"organisation rule {rule.id!r}")
        if need.differential_privacy and dp is None:
            dp = DifferentialPrivacy(epsilon=need.max_epsilon)
            causes.setdefault("differential-privacy", f"organisation rule {rule.id!r}")
        if need.max_epsilon is not None and dp is not None:
            if dp.epsilon is not None and not dp.epsilon <= need.max_epsilon:  # NaN is never within the cap
                raise PolicyViolation(rule.id, f"epsilon {dp.epsilon:g} is above the allowed {need.max_epsilon:g}")
            if dp.epsilon is None:
                dp = dp.model_copy(update={"epsilon": need.max_epsilon})
        if need.deployment:
            if deployment is not None and deployment.value not in need.deployment:
                raise PolicyViolation(rule.id, f"{deployment.value} deployment is not allowed "
                                               f"(allowed: {', '.join(need.deployment)})")
            if deployment is None and len(need.deployment) == 1:
                deployment = need.deployment[0]
    policies = intent.policies.model_copy(update={"compliance": compliance, "watermark": watermark,
                                                  "differential_privacy": dp})
    hardware = intent.hardware.model_copy(update={"exclude": exclude})
    updated = Intent.model_validate({**intent.model_dump(), "policies": policies.model_dump(),
                                     "hardware": hardware.model_dump(), "deployment": deployment,
                                     "warnings": [*intent.warnings, *warnings]})
    return updated, causes
