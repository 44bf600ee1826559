"""DP-SGD noise from the dp-accounting RDP accountant."""

from __future__ import annotations

import pytest

from policies.dp_sgd import configure, default_delta, epsilon_for


def test_the_noise_multiplier_meets_the_budget_tightly():
    config = configure(epsilon=2.0, delta=1e-5, sampling_rate=256 / 60000, steps=60000 // 256 * 15)
    assert config.achieved_epsilon <= 2.0 and type(config.achieved_epsilon) is float
    # the figure reported is the one the deployed (rounded) multiplier gives
    assert config.achieved_epsilon == epsilon_for(config.noise_multiplier, config.sampling_rate, config.steps, 1e-5)
    # a little less noise would break the budget: the multiplier is the smallest that works
    assert epsilon_for(config.noise_multiplier - 0.02, config.sampling_rate, config.steps, 1e-5) > 2.0
    assert "RdpAccountant" in config.accountant


def test_a_tighter_budget_needs_more_noise():
    loose = configure(8.0, 1e-5, 0.01, 1000)
    tight = configure(1.0, 1e-5, 0.01, 1000)
    assert tight.noise_multiplier > loose.noise_multiplier


def test_default_delta_is_below_one_over_n():
    assert default_delta(50_000) == 1e-6 and default_delta(50_000) < 1 / 50_000


def test_impossible_budgets_are_errors():
    with pytest.raises(ValueError):
        configure(0.0, 1e-5, 0.01, 100)
    with pytest.raises(ValueError, match="out of reach"):
        configure(1e-4, 1e-9, 1.0, 100000)
