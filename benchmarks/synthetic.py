"""Synthetic catalogs and fleets for the benchmarks (never for plans: the figures are made up).

Devices are variants of the packaged ones (peaks, bandwidth, memory, power and prices
scaled by random factors); models are variants of the packaged models of one task (FLOPs,
parameters and accuracy scaled). Seeds are fixed, so every run sees the same catalog.
"""

from __future__ import annotations

import random

from hardware import Catalog, Figure, load_catalog

RULE = "synthetic benchmark variant"


def _scaled(figure: Figure | None, factor: float) -> Figure | None:
    if figure is None:
        return None
    return Figure(value=figure.value * factor, basis="estimated", formula=RULE)


def synthetic_catalog(devices: int, models_per_task: int, tasks: tuple[str, ...] = ("image-classification",),
                      seed: int = 7) -> Catalog:
    """``devices`` device variants and ``models_per_task`` model variants of each task."""
    base = load_catalog()
    rng = random.Random(seed)
    real = sorted(base.devices.values(), key=lambda d: d.id)
    out_devices = {}
    for i in range(devices):
        d = real[i % len(real)]
        if i < len(real):
            out_devices[d.id] = d
            continue
        speed, memory, power = rng.uniform(0.5, 2.0), rng.choice([0.5, 1.0, 2.0]), rng.uniform(0.6, 1.5)
        out_devices[f"{d.id}-v{i}"] = d.model_copy(update={
            "id": f"{d.id}-v{i}",
            "peak": {p: _scaled(f, speed) for p, f in d.peak.items()},
            "memory_bandwidth_gbs": _scaled(d.memory_bandwidth_gbs, speed ** 0.5),
            "memory_gb": _scaled(d.memory_gb, memory),
            "tdp_w": _scaled(d.tdp_w, power), "idle_w": _scaled(d.idle_w, power),
            "cloud_usd_per_hour": _scaled(d.cloud_usd_per_hour, speed * power),
            "purchase_usd": _scaled(d.purchase_usd, speed),
        })
    out_models = {}
    for task in tasks:
        real_models = sorted(base.models_for(task), key=lambda m: m.id)
        for i in range(models_per_task):
            m = real_models[i % len(real_models)]
            if i < len(real_models):
                out_models[m.id] = m
                continue
            size = rng.uniform(0.3, 3.0)
            accuracy = {p: Figure(value=min(0.999, f.value * rng.uniform(0.97, 1.02)), basis="estimated", formula=RULE)
                        for p, f in m.accuracy.items()}
            out_models[f"{m.id}-v{i}"] = m.model_copy(update={
                "id": f"{m.id}-v{i}", "params_m": _scaled(m.params_m, size), "gflops": _scaled(m.gflops, size),
                "accuracy": accuracy})
    return Catalog(devices=out_devices, models=out_models, families=dict(base.families), digest=f"synthetic-{seed}")
