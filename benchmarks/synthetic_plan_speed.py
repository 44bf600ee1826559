"""Planner speed on a synthetic catalog: many devices x many model variants of one task.

usage: python benchmarks/synthetic_plan_speed.py [--devices N] [--models N] [--runs N]

The catalog (benchmarks/synthetic.py) holds ``--devices`` device variants and ``--models``
image-classification variants; the request is planned in-process ``--runs`` times. Prints
the candidate configurations before pruning, the rows the solver saw after pruning, and the
median and worst time per plan.
"""

from __future__ import annotations

import statistics
import sys
import time

from synthetic import synthetic_catalog

from intent.agent import build_plan
from intent.parser import parse_rules
from intent.settings import load_settings

REQUEST = "lowest power, classify images in 10 ms at 75% accuracy"


def main(argv: list[str]) -> int:
    devices = int(argv[argv.index("--devices") + 1]) if "--devices" in argv else 1000
    models = int(argv[argv.index("--models") + 1]) if "--models" in argv else 200
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 3
    catalog = synthetic_catalog(devices, models)
    intent = parse_rules(REQUEST, catalog)
    settings = load_settings()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = build_plan(intent, catalog, settings, alternatives=0)
        times.append(time.perf_counter() - t0)
    configs = sum(len(d.peak) for d in catalog.devices.values()) * len(catalog.models) * 8
    print(f"catalog: {len(catalog.devices)} devices x {len(catalog.models)} models; "
          f"about {configs:,} (model, device, precision, batch) cells before pruning")
    print(f"rows given to CP-SAT after pruning: {result.solver.candidates}")
    print(f"plan time: median {statistics.median(times):.2f} s, worst {max(times):.2f} s over {runs} runs")
    print(f"chosen: {result.choice.model_id} on {result.choice.device_id} ({result.choice.precision}), "
          f"status {result.solver.status}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
