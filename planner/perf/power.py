"""Power: modes as device variants, and the draw at the load a configuration puts on a device.

A device's power modes (Jetson nvpmodel modes, MaxQ settings, cTDP bands) each have a power
cap and a share of the default mode's peak (and, where published, their own memory bandwidth);
planning a device in a mode uses those figures, and the plan names the mode.

Power at a load is ``idle + load x (cap - idle)``: ``load`` is the busy share of the step
(compute, or memory traffic at ``memory_power_share`` of compute's draw). A device without a
published idle figure idles at ``idle_fraction_of_tdp`` of its cap.
"""

from __future__ import annotations

import numpy as np

from hardware import Device
from hardware.schema import PowerMode


def mode_peak_scale(device: Device, mode: PowerMode | None) -> float:
    return mode.peak_scale.value if mode is not None else 1.0


def mode_bandwidth(device: Device, mode: PowerMode | None) -> float:
    """Memory bandwidth in a mode, GB/s (the device's when the mode states none; NaN if unknown)."""
    if mode is not None and mode.memory_bandwidth_gbs is not None:
        return mode.memory_bandwidth_gbs.value
    return device.memory_bandwidth_gbs.value if device.memory_bandwidth_gbs else np.nan


def mode_cap(device: Device, mode: PowerMode | None) -> float:
    """The power cap in a mode, W (the device's TDP outside any mode; NaN if unknown)."""
    if mode is not None:
        return mode.power_w.value
    return device.tdp_w.value if device.tdp_w else np.nan


def power_at_load(idle: np.ndarray, cap: np.ndarray, load: np.ndarray, idle_fraction: float) -> np.ndarray:
    """Watts drawn at ``load`` (0..1, as ``step_load`` gives it): idle plus that share of the
    dynamic range up to the cap."""
    idle = np.where(np.isnan(idle), cap * idle_fraction, idle)
    idle = np.minimum(idle, cap)
    return idle + (cap - idle) * load


def step_load(compute_s: np.ndarray, memory_s: np.ndarray, seconds: np.ndarray, memory_share: float) -> np.ndarray:
    """The busy share of a step: compute time, or memory time at ``memory_share`` of compute's draw."""
    return np.minimum(1.0, np.maximum(compute_s / seconds, memory_share * memory_s / seconds))
