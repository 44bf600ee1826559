"""The policy layer: compliance, watermarking and differential privacy.

Policies act twice. Before planning, ``preflight`` turns them into constraints (placement
rules, latency overhead). After planning, ``sections`` turns them into concrete, explained
parts of the plan, each naming the words of the request that caused it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hardware import Catalog, Device
from intent.schema import Intent
from planner.perf.factors import load_factors
from planner.perf.roofline import AddedLatency
from planner.plan import PolicySection
from policies.compliance import Regime, load_regime
from policies.detection import Detection
from policies.errors import PolicyError
from policies.greenlist import GreenListWatermark, fingerprint, verify_fingerprint
from policies.image_watermark import ImageWatermark
from policies.organisation import (
    OrganisationPolicy,
    PolicyViolation,
    applicable_rules,
    apply_policy,
    load_policy,
)
from policies.privacy import dp_parameters
from policies.watermark import watermark_kind, watermark_latency, watermark_parameters

__all__ = ["Detection", "GreenListWatermark", "ImageWatermark", "OrganisationPolicy", "PolicyEffects", "PolicyError",
           "PolicyViolation", "dp_sgd_section", "fingerprint", "load_policy", "preflight", "sections",
           "verify_fingerprint"]


@dataclass
class PolicyEffects:
    """What the policies require of the planner, and the intent with the organisation's rules applied."""

    intent: Intent
    regimes: list[Regime] = field(default_factory=list)
    added_latency: AddedLatency = field(default_factory=AddedLatency)
    assumptions: list[str] = field(default_factory=list)
    causes: dict[str, str] = field(default_factory=dict)
    allowed_placements: dict[str, list[str]] = field(default_factory=dict)  # rule id -> placements
    policy_hash: str | None = None
    device_rules: list = field(default_factory=list)  # rules on devices the caller adds (policies.licence)

    def placement_rules(self, regimes: bool = True):
        """Every rule on where a plan may run; without ``regimes``, all but the compliance regimes' own (what
        the plan would be without them: the organisation's rules and the defaults still hold)."""
        rules = ([regime.placement_problem for regime in self.regimes] if regimes else []) + list(self.device_rules)
        for rule_id, allowed in self.allowed_placements.items():
            rules.append(_placement_rule(rule_id, allowed))
        return rules


def _placement_rule(rule_id: str, allowed: list[str]):
    def problem(device: Device, placement: str) -> str | None:
        return None if placement in allowed else f"organisation rule {rule_id!r} allows only {', '.join(allowed)}"

    return problem


def preflight(intent: Intent, organisation: OrganisationPolicy | None = None,
              catalog: Catalog | None = None, other_tasks=()) -> PolicyEffects:
    """Apply the organisation's rules (refusing requests that loosen them), then turn every
    policy into what the planner must respect. With the catalog, a watermark's latency is
    worked out per model where the model's output size matters. ``other_tasks`` are tasks
    other readings of the request gave (see ``apply_policy``)."""
    _check_privacy(intent)
    causes: dict[str, str] = {}
    if organisation is not None:
        intent, causes = apply_policy(intent, organisation, other_tasks)
    effects = PolicyEffects(intent=intent, regimes=[load_regime(r.value) for r in intent.policies.compliance],
                            causes=causes, policy_hash=organisation.digest if organisation else None)
    if organisation is not None:
        effects.allowed_placements = {r.id: list(r.require.deployment)
                                      for r in applicable_rules(intent, organisation, other_tasks)
                                      if r.require.deployment}
    if intent.policies.watermark:
        task = intent.task.value if intent.task else None
        tokens = load_factors().shape_for(task or "default").output_tokens
        models = catalog.models_for(task) if catalog is not None and task else []
        effects.added_latency = watermark_latency(task, tokens, models)
        if watermark_kind(task) == "artifact":  # "watermark the outputs" of a detector: no output of it is marked
            effects.assumptions.append(f"a watermark of {task or 'this task'}'s outputs is not planned: only text and "
                                       "images are marked; the plan signs the model artifact instead (a fingerprint "
                                       "that detects substitution, not output reuse)")
        if effects.added_latency:
            effects.assumptions.append(f"watermarking adds {_describe_added(effects.added_latency)}; planned with it"
                                       + (", on the host's CPUs after the accelerator's work, pipelined with the "
                                          "next batch: it lengthens each request, not the accelerator's time"
                                          if effects.added_latency.on_host else ""))
    return effects


def _check_privacy(intent: Intent) -> None:
    """A privacy budget the request names must be possible: epsilon > 0, 0 < delta < 1."""
    dp = intent.policies.differential_privacy
    if dp is None:
        return
    if dp.epsilon is not None and not (math.isfinite(dp.epsilon) and dp.epsilon > 0):
        raise PolicyError(f"field 'policies.differential_privacy.epsilon': epsilon must be a positive number, "
                          f"not {dp.epsilon:g} (smaller is more private, e.g. epsilon 1)")
    if dp.epsilon is not None and not math.isfinite(1.0 / dp.epsilon):
        raise PolicyError(f"field 'policies.differential_privacy.epsilon': epsilon {dp.epsilon:g} is too small "
                          "to calibrate noise for (the noise scale would be infinite)")
    if dp.delta is not None and not 0 < dp.delta < 1:
        raise PolicyError(f"field 'policies.differential_privacy.delta': delta must be between 0 and 1, "
                          f"not {dp.delta:g} (e.g. delta 1e-6)")


def _describe_added(added: AddedLatency) -> str:
    if added.per_token_ms:  # a text watermark: each generated token's
        return (f"{added.per_token_ms:g} ms to each generated token (a served LLM's every decode step; "
                f"{added.default_ms:g} ms a request at the task's default length)")
    if not added.by_model:
        return f"{added.default_ms:g} ms per request"
    own = ", ".join(f"{ms:g} ms for {model}" for model, ms in added.by_model)
    return f"{own} per request ({added.default_ms:g} ms for any other model)"


def sections(intent: Intent, effects: PolicyEffects, device: Device, placement: str,
             model_id: str | None = None) -> list[PolicySection]:
    """The plan's policy sections for the chosen device, placement and model."""
    out = [_compliance_section(regime, device, placement, effects.causes.get(regime.id)) for regime in effects.regimes]
    if intent.policies.watermark:
        out.append(PolicySection(
            name="watermark", parameters=watermark_parameters(intent.task.value if intent.task else None),
            caused_by=effects.causes.get("watermark", "the request asks for watermarking"),
            steps=["Generate the watermark key and store it in the secret store.",
                   "Enable the watermark in the serving pipeline and publish the detector's threshold."],
            latency_overhead_ms=effects.added_latency.for_model(model_id) if model_id
            else effects.added_latency.default_ms))
    dp = intent.policies.differential_privacy
    if dp is not None:
        params, notes = dp_parameters(dp.epsilon, dp.delta)
        effects.assumptions.extend(n for n in notes if n not in effects.assumptions)
        out.append(PolicySection(
            name="differential-privacy", parameters=params,
            caused_by=effects.causes.get("differential-privacy", "the request asks for differential privacy"),
            steps=[f"Add Laplace noise with scale {params['noise_scale']:g} to every released count "
                   "(telemetry, usage statistics).",
                   "Track the privacy budget spent per release window and stop releases when it is used up."]))
    return out


def dp_sgd_section(intent: Intent, records: int, batch_size: int, steps: int, effects: PolicyEffects) -> PolicySection:
    """DP-SGD for a training job: the noise multiplier from a real accountant for (epsilon, delta)."""
    from policies.dp_sgd import configure, default_delta
    from policies.privacy import DEFAULT_EPSILON

    dp = intent.policies.differential_privacy
    epsilon = dp.epsilon if dp and dp.epsilon is not None else DEFAULT_EPSILON
    if dp is None or dp.epsilon is None:
        effects.assumptions.append(f"differential privacy: no epsilon named; used epsilon = {epsilon:g}")
    delta = dp.delta if dp and dp.delta is not None else default_delta(records)
    if dp is None or dp.delta is None:
        effects.assumptions.append(f"differential privacy: delta = {delta:g}, below 1/N for N = {records:,} records")
    try:
        config = configure(epsilon, delta, batch_size / records, steps)
    except ValueError as exc:
        raise PolicyError(f"differential privacy: {exc}") from exc
    return PolicySection(
        name="differential-privacy",
        parameters={"epsilon": config.epsilon, "delta": config.delta, "noise_multiplier": config.noise_multiplier,
                    "sampling_rate": round(config.sampling_rate, 8), "steps": config.steps,
                    "achieved_epsilon": round(config.achieved_epsilon, 4), "accountant": config.accountant,
                    "clipping_norm": 1.0},
        caused_by=effects.causes.get("differential-privacy", "the request asks for differential privacy"),
        steps=[f"Train with DP-SGD: clip each example's gradient to norm 1.0 and add Gaussian noise with "
               f"multiplier {config.noise_multiplier:g}, sampling batches with rate {config.sampling_rate:.6g} "
               f"for {config.steps} steps.",
               "Keep the privacy ledger (epsilon spent per run) with the model card."])


def _compliance_section(regime: Regime, device: Device, placement: str, cause: str | None) -> PolicySection:
    params = {"regime": regime.name, "placement": placement, "source": regime.source}
    steps = (regime.cloud_steps if placement == "cloud" else regime.elsewhere_steps) + list(regime.steps)
    if placement == "cloud" and regime.placement.cloud_regions:
        params["cloud_regions"] = regime.placement.cloud_regions
    if placement == "cloud" and regime.placement.cloud_if:
        params["requires"] = regime.placement.cloud_if
        steps.insert(0, f"Run on {device.name} with confidential computing enabled (data encrypted in use).")
    return PolicySection(name=regime.id, parameters=params, caused_by=cause or f"the request names {regime.id.upper()}",
                         steps=steps)
