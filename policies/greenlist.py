"""A green-list watermark for generated text, and its detector.

At each step a keyed hash of the previous token seeds a pseudo-random split of the
vocabulary; a fraction gamma of it is "green" and gets +delta on its logits, so sampling
favours green tokens. Detection needs only the key and the token ids: count the tokens that
fall in their step's green list and compare with the gamma share chance would give,
z = (green - gamma T) / sqrt(T gamma (1 - gamma)), one-sided p-value from the normal tail.
(Kirchenbauer et al., "A Watermark for Large Language Models", 2023.)
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Detection:
    tokens_scored: int
    green: int
    z_score: float
    p_value: float

    def watermarked(self, z_threshold: float) -> bool:
        return self.z_score >= z_threshold


def false_positive_rate(z_threshold: float) -> float:
    """The chance an unwatermarked text scores at least ``z_threshold`` (normal tail)."""
    return 0.5 * math.erfc(z_threshold / math.sqrt(2))


class GreenListWatermark:
    def __init__(self, key: bytes, vocab_size: int, gamma: float = 0.25, delta: float = 2.0):
        if not 0 < gamma < 1:
            raise ValueError(f"gamma must be between 0 and 1, not {gamma}")
        if vocab_size < 2:
            raise ValueError("the vocabulary needs at least two tokens")
        self.key, self.vocab_size, self.gamma, self.delta = key, vocab_size, gamma, delta
        self.green_size = max(1, int(gamma * vocab_size))

    def green_mask(self, previous_token: int) -> np.ndarray:
        digest = hmac.new(self.key, int(previous_token).to_bytes(8, "little", signed=True), hashlib.sha256).digest()
        rng = np.random.Generator(np.random.PCG64(int.from_bytes(digest[:8], "little")))
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[rng.permutation(self.vocab_size)[: self.green_size]] = True
        return mask

    def bias(self, logits: np.ndarray, previous_token: int) -> np.ndarray:
        """The logits with +delta on this step's green tokens."""
        return logits + self.delta * self.green_mask(previous_token)

    def detect(self, tokens: list[int]) -> Detection:
        scored = len(tokens) - 1
        if scored < 1:
            return Detection(0, 0, 0.0, 1.0)
        green = sum(bool(self.green_mask(prev)[tok]) for prev, tok in zip(tokens, tokens[1:]))
        expected = self.gamma * scored
        z = (green - expected) / math.sqrt(scored * self.gamma * (1 - self.gamma))
        return Detection(scored, green, z, 0.5 * math.erfc(z / math.sqrt(2)))


def fingerprint(artifact: bytes, key: bytes) -> str:
    """A keyed SHA-256 fingerprint of a model artifact (detects substitution)."""
    return hmac.new(key, artifact, hashlib.sha256).hexdigest()


def verify_fingerprint(artifact: bytes, key: bytes, expected: str) -> bool:
    return hmac.compare_digest(fingerprint(artifact, key), expected)
