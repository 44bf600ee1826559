"""Fleet planning speed: many workloads on many device types, at the default time limit.

usage: python benchmarks/fleet_speed.py [--sizes WxD[,WxD...]] [--repeat N] [--time-limit S] [--workers N]

Device types are the packaged devices plus synthetic variants (benchmarks/synthetic.py) up
to D, each a pool of 2 to 8 devices (GPUs time-sliced or MIG-sliced at random); W workloads
come from the fleet quality scenario's generator (a tenth of them training jobs). The time
limit (default 10 s, the CLI's) covers building the options and every objective level.

Prints one line per run: the status; the time to the first feasible plan (the greedy plan,
complete, after the options are built); the wall time of the plan (options, model, every
level); the SLO level's gap; each level's gap ("-" for a level the limit left unsolved);
SLOs met, in all and per priority (the SLO level weighs priorities strictly, so its
relative gap is mostly the top priority's); the options built ("budgeted build" when the estimated build time was more than
half the limit, planner.fleet.options.budgeted). With --repeat, the median and range of the wall time and SLO gap per size.
Default sizes: 10x10, 200x10, 200x50, 1000x50, 2000x50.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from fleet_quality import scenario
from synthetic import synthetic_catalog

from hardware import Catalog, InventoryItem, Sharing, load_catalog
from intent.fleet import FleetFile, fleet_workloads
from planner.fleet.model import plan_fleet
from planner.solve.chooser import SolverSettings

SIZES = "10x10,200x10,200x50,1000x50,2000x50"


def fleet(count: int, types: int) -> tuple[FleetFile, Catalog]:
    """The benchmark fleet: ``count`` workloads on ``types`` device types."""
    devices = synthetic_catalog(types, 0).devices
    base = load_catalog()
    catalog = Catalog(devices=devices, models=base.models, families=base.families, digest="synthetic")
    rng = random.Random(3)
    inventory = []
    for device in sorted(devices.values(), key=lambda d: d.id):
        sharing = None
        if device.device_class == "gpu":
            sharing = Sharing(mig=7) if device.mig_instances else rng.choice([None, Sharing(time_slicing=2),
                                                                                Sharing(time_slicing=4)])
        inventory.append(InventoryItem(id=device.id, count=rng.randint(2, 8), placement=device.placements[0].value,
                                       usd_per_hour=round(rng.uniform(0.1, 3.0), 2), sharing=sharing))
    base_fleet = scenario(seed=5, services=count - count // 10, jobs=count // 10, load=4.0)
    return FleetFile(schema_version=1, objective="throughput", inventory=inventory,
                     workloads=base_fleet.workloads), catalog


def run(count: int, types: int, limit: float, workers: int) -> dict:
    """One plan of the benchmark fleet; its figures."""
    spec, catalog = fleet(count, types)
    workloads = fleet_workloads(spec, catalog)
    timings: dict = {}
    t0 = time.perf_counter()
    plan = plan_fleet(workloads, spec.as_inventory(), catalog, "throughput",
                      SolverSettings(time_limit_s=limit, workers=workers), timings=timings)
    wall = time.perf_counter() - t0
    gaps = [f"{g:.2%}" for g in plan.solver.gaps] + ["-"] * (len(plan.solver.levels) - len(plan.solver.gaps))
    return {"size": f"{count}x{types}", "status": plan.solver.status, "first": timings["first_plan_s"],
            "options": timings["options_s"], "wall": wall, "slo_gap": plan.solver.gaps[0] if plan.solver.gaps else None,
            "gaps": gaps, "levels": plan.solver.levels, "met": plan.totals.slo_met, "workloads": plan.totals.workloads,
            "option_count": plan.solver.options, "slots": sum(i.total_slots for i in spec.inventory),
            "budgeted": timings["options_budgeted"], "by_priority": plan.totals.slo_met_by_priority}


def main(argv: list[str]) -> int:
    sizes = argv[argv.index("--sizes") + 1] if "--sizes" in argv else SIZES
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    limit = float(argv[argv.index("--time-limit") + 1]) if "--time-limit" in argv else 10.0
    workers = int(argv[argv.index("--workers") + 1]) if "--workers" in argv else 1
    print(f"time limit {limit:g} s for options and every level, {workers} worker(s)")
    summary = {}
    for size in sizes.split(","):
        count, types = (int(x) for x in size.split("x"))
        for _ in range(repeat):
            r = run(count, types, limit, workers)
            summary.setdefault(r["size"], []).append(r)
            print(f"{r['size']}: {r['status']}, first feasible {r['first']:.2f} s (options {r['options']:.2f} s), "
                  f"wall {r['wall']:.2f} s, SLO gap {r['slo_gap']:.2%}, SLOs met {r['met']}/{r['workloads']}, "
                  f"{r['option_count']} options{' (budgeted build)' if r['budgeted'] else ''} on {r['slots']} slots")
            print("  levels: " + "; ".join(f"{name} {gap}" for name, gap in zip(r["levels"], r["gaps"])))
            print("  SLOs met by priority: " + ", ".join(f"priority {p.priority} {p.met}/{p.workloads}"
                                                         for p in r["by_priority"]))
    if repeat > 1:
        for size, runs in summary.items():
            walls, slo = [r["wall"] for r in runs], [r["slo_gap"] for r in runs]
            print(f"{size} over {repeat} runs: wall median {statistics.median(walls):.2f} s "
                  f"({min(walls):.2f}-{max(walls):.2f}), SLO gap median {statistics.median(slo):.2%} "
                  f"({min(slo):.2%}-{max(slo):.2%}), statuses {', '.join(sorted({r['status'] for r in runs}))}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
