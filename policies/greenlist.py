"""A green-list watermark for generated text, and its detector.

At each step a keyed hash of the previous token seeds a pseudo-random draw that makes each
token of the vocabulary "green" with probability gamma; green tokens get +delta on their
logits, so sampling favours them. Detection needs only the key and the token ids: count the
tokens that fall in their step's green list and compare with the gamma share chance would
give (``policies.detection``). (Kirchenbauer et al., "A Watermark for Large Language Models",
2023.) Each token is drawn green on its own rather than through a permutation of the whole
vocabulary: an unmarked token is still green with probability exactly gamma, and one step
costs a third of the time on a 128k vocabulary (``benchmarks/watermark_speed.py``).
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

from policies.detection import Detection, binomial_detection

_LEVELS = 1 << 16  # green draws are 16-bit: gamma is kept to 1/65536


class GreenListWatermark:
    def __init__(self, key: bytes, vocab_size: int, gamma: float = 0.25, delta: float = 2.0):
        if not 0 < gamma < 1:
            raise ValueError(f"gamma must be between 0 and 1, not {gamma}")
        if vocab_size < 2:
            raise ValueError("the vocabulary needs at least two tokens")
        self.key, self.vocab_size, self.gamma, self.delta = key, vocab_size, gamma, delta
        self._cut = min(max(round(gamma * _LEVELS), 1), _LEVELS - 1)
        self.green_rate = self._cut / _LEVELS  # gamma as drawn: the chance an unmarked token is green

    def green_mask(self, previous_token: int) -> np.ndarray:
        digest = hmac.new(self.key, int(previous_token).to_bytes(8, "little", signed=True), hashlib.sha256).digest()
        rng = np.random.Generator(np.random.PCG64(int.from_bytes(digest[:8], "little")))
        return np.frombuffer(rng.bytes(2 * self.vocab_size), dtype=np.uint16) < self._cut

    def bias(self, logits: np.ndarray, previous_token: int) -> np.ndarray:
        """The logits with +delta on this step's green tokens."""
        return logits + self.delta * self.green_mask(previous_token)

    def detect(self, tokens: list[int]) -> Detection:
        green = sum(bool(self.green_mask(prev)[tok]) for prev, tok in zip(tokens, tokens[1:]))
        return binomial_detection(green, max(0, len(tokens) - 1), self.green_rate)


def fingerprint(artifact: bytes, key: bytes) -> str:
    """A keyed SHA-256 fingerprint of a model artifact (detects substitution)."""
    return hmac.new(key, artifact, hashlib.sha256).hexdigest()


def verify_fingerprint(artifact: bytes, key: bytes, expected: str) -> bool:
    return hmac.compare_digest(fingerprint(artifact, key), expected)
