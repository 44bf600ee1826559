"""Differential privacy for inference services: calibrated noise on released aggregates.

An inference service does not train on its inputs, so what it releases about them is its
telemetry and any aggregate statistics. Each released value gets Laplace noise with scale
sensitivity / epsilon, which makes the release epsilon-differentially private; the
sensitivity is how much one person's data can change the value (1 for a count). A request
that names no epsilon gets the default below, and the plan says so.
"""

from __future__ import annotations

import numpy as np

DEFAULT_EPSILON = 1.0
COUNT_SENSITIVITY = 1.0


def _checked(epsilon: float, sensitivity: float) -> None:
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, not {epsilon:g}")
    if sensitivity <= 0:
        raise ValueError(f"sensitivity must be positive, not {sensitivity:g}")


def dp_parameters(epsilon: float | None, delta: float | None,
                  sensitivity: float = COUNT_SENSITIVITY) -> tuple[dict, list[str]]:
    """The plan's differential-privacy section for an inference service, and its assumptions."""
    assumptions = []
    if epsilon is None:
        epsilon = DEFAULT_EPSILON
        assumptions.append(f"differential privacy: no epsilon named; used epsilon = {DEFAULT_EPSILON:g}")
    _checked(epsilon, sensitivity)
    if sensitivity == COUNT_SENSITIVITY:
        assumptions.append("differential privacy: released values are counts (one person changes each by at most 1)")
    return {
        "epsilon": epsilon,
        "delta": delta,
        "mechanism": "Laplace on released aggregates and telemetry counts (policies.privacy.release)",
        "sensitivity": sensitivity,
        "noise_scale": sensitivity / epsilon,
    }, assumptions


def release(values, epsilon: float, sensitivity: float = COUNT_SENSITIVITY,
            rng: np.random.Generator | None = None) -> np.ndarray:
    """The values with Laplace noise of scale sensitivity / epsilon added: an epsilon-DP release.

    Each call spends epsilon; releasing the same values twice spends it twice. Pass a seeded
    ``rng`` only in tests: a predictable noise stream is no privacy.
    """
    _checked(epsilon, sensitivity)
    rng = rng or np.random.default_rng()
    values = np.asarray(values, dtype=float)
    return values + rng.laplace(0.0, sensitivity / epsilon, size=values.shape)
