"""The statistics shared by the watermark detectors.

Both watermarks leave a detector the same question: out of ``scored`` trials, each of which
an unmarked output passes only by chance (with probability ``rate``), how many passed? Under
that null the count is Binomial(scored, rate), so the normal approximation gives
z = (matched - rate n) / sqrt(n rate (1 - rate)) and a one-sided p-value from its tail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Detection:
    """How strongly an output carries a watermark."""

    scored: int  # trials counted: tokens after the first, or payload bits
    matched: int  # trials that agreed with the key: green tokens, or payload bits read back
    z_score: float
    p_value: float

    def watermarked(self, z_threshold: float) -> bool:
        return self.z_score >= z_threshold


def false_positive_rate(z_threshold: float) -> float:
    """The chance an unmarked output scores at least ``z_threshold`` (normal tail)."""
    return 0.5 * math.erfc(z_threshold / math.sqrt(2))


def binomial_detection(matched: int, scored: int, rate: float) -> Detection:
    """The z-score and p-value of ``matched`` successes in ``scored`` trials of chance ``rate``."""
    if scored < 1:
        return Detection(0, 0, 0.0, 1.0)
    z = (matched - rate * scored) / math.sqrt(scored * rate * (1 - rate))
    return Detection(scored, matched, z, false_positive_rate(z))
