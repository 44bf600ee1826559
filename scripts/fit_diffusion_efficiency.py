#!/usr/bin/env python3
"""Fit the diffusion models' efficiency (perf-factors.yaml ``kind_efficiency.diffusion``) to
published MLPerf Inference SDXL Offline results.

usage: python scripts/fit_diffusion_efficiency.py [CSV]   (default tests/data/reference/sdxl-mlperf.csv)

Each row is one system's Offline samples/s, with its accelerator count, precision and source. The
script predicts SDXL on one accelerator at the best of batches 1-16 for each multiplier on a grid
(0.20-1.50 in steps of 0.01) and takes the one that minimises the squared log error of the
predictions against the measurements per accelerator; rows with no prediction (a device the
catalog cannot run it on) are left out and named. It prints each row before and after.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware import load_catalog  # noqa: E402
from planner.errors import PlanningError  # noqa: E402
from planner.perf.factors import load_factors  # noqa: E402
from planner.perf.roofline import predict  # noqa: E402

MODEL, BATCHES = "stable-diffusion-xl-base", (1, 2, 4, 8, 16)
GRID = [round(0.2 + 0.01 * i, 2) for i in range(131)]


def measured(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def best_rate(catalog, factors, row: dict) -> float | None:
    """The highest samples/s one accelerator reaches over the batches (None: not a candidate)."""
    rates = []
    for batch in BATCHES:
        try:
            rates.append(predict(catalog.model(MODEL), catalog.device(row["device_id"]), row["precision"], batch,
                                 factors=factors, catalog=catalog).throughput_rps)
        except PlanningError:
            continue
    return max(rates, default=None)


def fit(rows: list[dict]) -> tuple[float, float, list]:
    """(multiplier, squared log error, [(row, published, before, after)]) over the rows with a prediction."""
    catalog, base = load_catalog(), load_factors()

    def with_multiplier(m: float):
        return base.model_copy(update={"kind_efficiency": {**base.kind_efficiency, "diffusion": m}})

    published = [float(r["samples_per_s"]) / int(r["accelerators"]) for r in rows]
    before = [best_rate(catalog, with_multiplier(1.0), r) for r in rows]
    kept = [i for i, b in enumerate(before) if b is not None]
    errors = {}
    for m in GRID:
        factors = with_multiplier(m)
        errors[m] = sum(math.log(best_rate(catalog, factors, rows[i]) / published[i]) ** 2 for i in kept)
    best = min(errors, key=errors.get)
    after = {i: best_rate(catalog, with_multiplier(best), rows[i]) for i in kept}
    return best, errors[best], [(rows[i], published[i], before[i], after.get(i)) for i in range(len(rows))]


def main(argv: list[str]) -> int:
    rows = measured(Path(argv[0]) if argv else ROOT / "tests" / "data" / "reference" / "sdxl-mlperf.csv")
    multiplier, error, table = fit(rows)
    print(f"kind_efficiency.diffusion = {multiplier:.2f} (squared log error {error:.4f} over "
          f"{sum(before is not None for _, _, before, _ in table)} rows)")
    for row, published, before, after in table:
        label = f"{row['version']} {row['submitter']} {row['device_id']} {row['precision']}"
        if before is None:
            print(f"  {label}: measured {published:.3f}/s; no prediction (not a candidate), left out")
            continue
        print(f"  {label}: measured {published:.3f}/s; without it {before:.3f} ({before / published:.2f}x), "
              f"with it {after:.3f} ({after / published:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
