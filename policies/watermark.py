"""Watermarking parameters for a plan: text outputs, images, or the model artifact."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from hardware.yamlio import load_yaml


@lru_cache(maxsize=1)
def watermark_config() -> dict:
    return load_yaml((resources.files("policies") / "data" / "watermark.yaml").read_text(encoding="utf-8"))


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


def watermark_parameters(task: str | None) -> dict:
    config = watermark_config()
    kind = watermark_kind(task)
    spec = config[kind]
    params = {"kind": kind, "method": spec["method"]}
    if kind == "text":
        from policies.greenlist import false_positive_rate

        params.update(gamma=spec["gamma"], delta=spec["delta"], z_threshold=spec["z_threshold"],
                      false_positive_rate=false_positive_rate(spec["z_threshold"]),
                      detector="policies.greenlist.GreenListWatermark.detect (z-score, p-value)",
                      reference=spec["reference"], key="per-deployment secret (generate and keep in the secret store)")
    elif kind == "image":
        params.update(reference=spec["reference"])
    else:
        params.update(signer="policies.greenlist.fingerprint (HMAC-SHA256 of the artifact)")
    return params
