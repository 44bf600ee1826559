#!/usr/bin/env python3
"""Fit the mixture-of-experts step cost (perf-factors.yaml ``moe_layer_step_ms``) to published
single-stream decode measurements.

usage: python scripts/fit_moe_step.py [CSV]   (default tests/data/reference/moe-decode.csv)

Each row is one published TPOT of an MoE model at concurrency 1, with its source and the request
that names that configuration (model, device, precision, layout, request shape). The script
builds the request's candidates with the term at zero and reads the TPOT of the row's
configuration at batch 1; the term adds blocks x t to every step, so it takes the per-block cost
t that minimises the squared log error of (TPOT + blocks x t) against the measurements (a
one-parameter search in steps of 1 us), and prints each row before and after.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware import load_catalog  # noqa: E402
from intent import parse  # noqa: E402
from planner.perf.factors import load_factors  # noqa: E402
from planner.search.candidates import build_candidates  # noqa: E402

STEP_US = range(0, 1001)


def tpot_without_the_term(row: dict, catalog) -> float:
    """The row's configuration's TPOT at batch 1 with moe_layer_step_ms at zero, ms."""
    factors = load_factors().model_copy(update={"moe_layer_step_ms": 0.0})
    intent = parse(row["request"], offline=True)
    grid = build_candidates(intent, catalog, factors=factors).grid
    t = grid.configs
    for g in range(len(t)):
        c = t[g]
        if (c.model.id, c.device.id, c.precision, c.shards) == (row["model_id"], row["device_id"], row["precision"],
                                                              int(row["gpus"])):
            return float(grid.tpot_ms[g, list(grid.batch_sizes).index(1)])
    raise SystemExit(f"no candidate of {row['request']!r} is {row['model_id']} {row['precision']} on "
                     f"{row['gpus']} x {row['device_id']}")


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "tests" / "data" / "reference" / "moe-decode.csv"
    catalog = load_catalog()
    with open(path, encoding="utf-8") as fh:
        rows = [(row, tpot_without_the_term(row, catalog), catalog.model(row["model_id"]).architecture.layers,
                 float(row["tpot_ms"])) for row in csv.DictReader(fh)]
    error, step_us = min((sum(math.log((base + blocks * t / 1000) / measured) ** 2 for _, base, blocks, measured in rows),
                          t) for t in STEP_US)
    t_ms = step_us / 1000
    print(f"moe_layer_step_ms = {t_ms:.3f} (squared log error {error:.4f} over {len(rows)} rows)")
    for row, base, blocks, measured in rows:
        after = base + blocks * t_ms
        print(f"  {row['model_id']} on {row['gpus']} x {row['device_id']} {row['precision']}: measured {measured:g} ms; "
              f"without the term {base:.2f} ms ({base / measured:.2f}x), with it {after:.2f} ms ({after / measured:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
