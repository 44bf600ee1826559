"""The green-list watermark: generated text is detected, plain text and wrong keys are not."""

from __future__ import annotations

import numpy as np
import pytest

from policies.detection import false_positive_rate
from policies.greenlist import GreenListWatermark, fingerprint, verify_fingerprint

VOCAB = 2000


def generate(watermark: GreenListWatermark | None, steps: int, seed: int) -> list[int]:
    """Sample tokens from random logits, biased by the watermark when one is given."""
    rng = np.random.default_rng(seed)
    tokens = [int(rng.integers(VOCAB))]
    for _ in range(steps):
        logits = rng.normal(0, 1, VOCAB)
        if watermark is not None:
            logits = watermark.bias(logits, tokens[-1])
        probs = np.exp(logits - logits.max())
        tokens.append(int(rng.choice(VOCAB, p=probs / probs.sum())))
    return tokens


def test_watermarked_text_is_detected_and_plain_text_is_not():
    mark = GreenListWatermark(b"deployment-secret", VOCAB, gamma=0.25, delta=2.0)
    marked = mark.detect(generate(mark, 200, seed=1))
    plain = mark.detect(generate(None, 200, seed=2))
    assert marked.z_score > 4 and marked.watermarked(4.0) and marked.p_value < 1e-6
    assert plain.z_score < 2 and not plain.watermarked(4.0)


def test_the_key_is_needed_to_detect():
    mark = GreenListWatermark(b"deployment-secret", VOCAB)
    other = GreenListWatermark(b"another-key", VOCAB)
    assert other.detect(generate(mark, 200, seed=3)).z_score < 2


def test_green_lists_are_keyed_deterministic_and_sized_by_gamma():
    mark = GreenListWatermark(b"k", VOCAB, gamma=0.25)
    green = int(mark.green_mask(7).sum())  # Binomial(2000, 0.25): mean 500, sd 19.4
    assert abs(green - 500) < 4 * 19.4
    assert (mark.green_mask(7) == mark.green_mask(7)).all()
    assert not (mark.green_mask(7) == mark.green_mask(8)).all()
    assert false_positive_rate(4.0) == pytest.approx(3.17e-5, rel=1e-2)


def test_artifact_fingerprints():
    digest = fingerprint(b"weights", b"k")
    assert verify_fingerprint(b"weights", b"k", digest)
    assert not verify_fingerprint(b"weights!", b"k", digest)
