"""Differential privacy for inference services: calibrated noise on released aggregates.

An inference service does not train on its inputs, so what it releases about them is its
telemetry and any aggregate statistics. Each released count gets Laplace noise with scale
sensitivity / epsilon, which makes the release epsilon-differentially private. A request
that names no epsilon gets the default below, and the plan says so.
"""

from __future__ import annotations

DEFAULT_EPSILON = 1.0
COUNT_SENSITIVITY = 1.0


def dp_parameters(epsilon: float | None, delta: float | None) -> tuple[dict, list[str]]:
    assumptions = []
    if epsilon is None:
        epsilon = DEFAULT_EPSILON
        assumptions.append(f"differential privacy: no epsilon named; used epsilon = {DEFAULT_EPSILON:g}")
    if epsilon <= 0:
        raise ValueError(f"epsilon must be positive, not {epsilon:g}")
    scale = COUNT_SENSITIVITY / epsilon
    return {
        "epsilon": epsilon,
        "delta": delta,
        "mechanism": "Laplace on released aggregates and telemetry counts",
        "sensitivity": COUNT_SENSITIVITY,
        "noise_scale": scale,
    }, assumptions
