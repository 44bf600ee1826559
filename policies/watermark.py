"""Watermarking parameters for a plan: text outputs, images, or the model artifact."""

from __future__ import annotations

from functools import lru_cache

from hardware.yamlio import packaged_yaml
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


def watermark_overhead_ms(task: str | None, output_tokens: int) -> float:
    """Latency the watermark adds to one request."""
    config = watermark_config()
    kind = watermark_kind(task)
    if kind == "text":
        return config["text"]["overhead_ms_per_token"] * output_tokens
    return float(config[kind]["overhead_ms"])


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
