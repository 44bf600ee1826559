"""Watermarking parameters for a plan: text outputs, images, or the model artifact."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from hardware import ModelVariant
from hardware.yamlio import packaged_yaml
from planner.perf.roofline import AddedLatency
from policies.detection import false_positive_rate


@lru_cache(maxsize=1)
def watermark_config() -> dict:
    return packaged_yaml("policies", "watermark.yaml")


def watermark_kind(task: str | None) -> str:
    config = watermark_config()
    for kind in ("text", "image"):
        if task in config[kind]["tasks"]:
            return kind
    return "artifact"


def watermark_overhead_ms(task: str | None, output_tokens: int, output_pixels: int | None = None) -> float:
    """Latency the watermark adds to one request: per generated token for text, by the
    image's size for images (the largest measured when the size is unknown)."""
    config = watermark_config()
    kind = watermark_kind(task)
    if kind == "text":
        return config["text"]["overhead_ms_per_token"] * output_tokens
    if kind == "image":
        return _image_overhead_ms(config["image"]["overhead_ms_by_size"], output_pixels)
    return float(config[kind]["overhead_ms"])


def _image_overhead_ms(by_size: dict[str, float], pixels: int | None) -> float:
    """Interpolated by pixel count between measured sizes; beyond them, scaled by it."""
    measured = sorted((math.prod(int(side) for side in size.split("x")), float(ms)) for size, ms in by_size.items())
    if pixels is None:
        return measured[-1][1]
    if pixels <= measured[0][0] or pixels >= measured[-1][0]:
        nearest_pixels, nearest_ms = measured[0] if pixels <= measured[0][0] else measured[-1]
        return nearest_ms * pixels / nearest_pixels
    return float(np.interp(pixels, [p for p, _ in measured], [ms for _, ms in measured]))


def watermark_latency(task: str | None, output_tokens: int, models: list[ModelVariant]) -> AddedLatency:
    """What the watermark adds to each request; image models whose output size the catalog
    gives carry their own figure."""
    default = watermark_overhead_ms(task, output_tokens)
    if watermark_kind(task) == "text":  # each generated token's logits biased: a served LLM's every step
        return AddedLatency(default_ms=default, per_token_ms=float(watermark_config()["text"]["overhead_ms_per_token"]))
    if watermark_kind(task) != "image":
        return AddedLatency(default_ms=default)
    own = ((m.id, watermark_overhead_ms(task, output_tokens, m.output_pixels)) for m in models if m.output_pixels)
    return AddedLatency(default_ms=default, by_model=tuple((m, ms) for m, ms in own if ms != default), on_host=True)


_DETECTORS = {
    "text": "policies.greenlist.GreenListWatermark.detect (green tokens: z-score, p-value)",
    "image": "policies.image_watermark.ImageWatermark.detect (payload bits read back: z-score, p-value)",
}
_KEY = "per-deployment secret (generate and keep in the secret store)"


def watermark_parameters(task: str | None) -> dict:
    """What the plan's watermark section states: the method, its parameters and its detector."""
    kind = watermark_kind(task)
    spec = watermark_config()[kind]
    params = {"kind": kind, "method": spec["method"]}
    if kind == "artifact":
        params.update(signer="policies.greenlist.fingerprint (HMAC-SHA256 of the artifact)")
        return params
    if kind == "text":
        params.update(gamma=spec["gamma"], delta=spec["delta"])
    else:
        params.update(library=spec["library"], payload_bits=spec["payload_bits"],
                      overhead_basis=spec["overhead_basis"])
    params.update(z_threshold=spec["z_threshold"], false_positive_rate=false_positive_rate(spec["z_threshold"]),
                  detector=_DETECTORS[kind], reference=spec["reference"], key=_KEY)
    return params
