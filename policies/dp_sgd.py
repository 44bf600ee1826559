"""DP-SGD configuration from a real privacy accountant (Google's dp-accounting, RDP).

Given a privacy budget (epsilon, delta), the sampling rate q = batch / records and the
number of steps, find the smallest Gaussian noise multiplier sigma whose Poisson-subsampled
composition over the steps stays within epsilon at delta. Epsilon falls as sigma grows, so a
bisection over sigma finds it. dp-accounting is imported only here (it is slow to import).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACCOUNTANT = "dp-accounting RdpAccountant (Poisson-sampled Gaussian mechanism)"
SIGMA_RANGE = (0.3, 100.0)


@dataclass(frozen=True)
class DPSGDConfig:
    epsilon: float
    delta: float
    noise_multiplier: float
    sampling_rate: float
    steps: int
    achieved_epsilon: float
    accountant: str = ACCOUNTANT


def default_delta(records: int) -> float:
    """Below 1/N, as is customary: the largest power of ten under 1/(10 N)."""
    return 10.0 ** math.floor(math.log10(1.0 / (10 * records)))


def epsilon_for(noise_multiplier: float, sampling_rate: float, steps: int, delta: float) -> float:
    import dp_accounting
    from dp_accounting.rdp import rdp_privacy_accountant

    accountant = rdp_privacy_accountant.RdpAccountant()
    event = dp_accounting.PoissonSampledDpEvent(sampling_rate, dp_accounting.GaussianDpEvent(noise_multiplier))
    accountant.compose(dp_accounting.SelfComposedDpEvent(event, steps))
    return accountant.get_epsilon(delta)


def configure(epsilon: float, delta: float, sampling_rate: float, steps: int, tolerance: float = 0.01) -> DPSGDConfig:
    """The smallest noise multiplier that keeps (epsilon, delta) for ``steps`` steps at rate q."""
    if epsilon <= 0 or not 0 < delta < 1:
        raise ValueError(f"need epsilon > 0 and 0 < delta < 1, not epsilon={epsilon}, delta={delta}")
    if not 0 < sampling_rate <= 1 or steps < 1:
        raise ValueError(f"need 0 < sampling rate <= 1 and at least one step, not q={sampling_rate}, steps={steps}")
    low, high = SIGMA_RANGE
    if epsilon_for(high, sampling_rate, steps, delta) > epsilon:
        raise ValueError(f"epsilon {epsilon:g} is out of reach with noise multiplier up to {high:g}; "
                         "use fewer steps, a smaller batch, or a larger epsilon")
    while high - low > tolerance:
        middle = (low + high) / 2
        if epsilon_for(middle, sampling_rate, steps, delta) <= epsilon:
            high = middle
        else:
            low = middle
    sigma = math.ceil(high * 1e4) / 1e4  # rounded up: less noise than ``high`` could exceed the budget
    return DPSGDConfig(epsilon=epsilon, delta=delta, noise_multiplier=sigma, sampling_rate=sampling_rate,
                       steps=steps, achieved_epsilon=float(epsilon_for(sigma, sampling_rate, steps, delta)))
