"""Fleet planning speed: many workloads on many device types.

usage: python benchmarks/fleet_speed.py [--workloads N] [--device-types N] [--time-limit S]

Device types are the packaged devices plus synthetic variants (benchmarks/synthetic.py) up
to ``--device-types``, each a pool of 2 to 8 devices (GPUs time-sliced or MIG-sliced at
random); workloads come from the fleet quality scenario's generator. Prints the time to
read the requests, to plan, the solver's status and its gap at each level. The solver
time limit (default 4 s) is shared by all levels: the SLO and fleet-objective levels come
first, and the tie-breaker levels get what is left.
"""

from __future__ import annotations

import random
import sys
import time

from fleet_quality import scenario
from synthetic import synthetic_catalog

from hardware import Catalog, InventoryItem, Sharing, load_catalog
from intent.fleet import FleetFile, fleet_workloads
from planner.fleet.model import plan_fleet
from planner.solve.chooser import SolverSettings


def main(argv: list[str]) -> int:
    count = int(argv[argv.index("--workloads") + 1]) if "--workloads" in argv else 200
    types = int(argv[argv.index("--device-types") + 1]) if "--device-types" in argv else 50
    limit = float(argv[argv.index("--time-limit") + 1]) if "--time-limit" in argv else 4.0
    devices = synthetic_catalog(types, 0).devices
    catalog = Catalog(devices=devices, models=load_catalog().models, families=load_catalog().families,
                      digest="synthetic")
    rng = random.Random(3)
    inventory = []
    for device in sorted(devices.values(), key=lambda d: d.id):
        sharing = None
        if device.device_class == "gpu":
            sharing = Sharing(mig=7) if device.mig_instances else rng.choice([None, Sharing(time_slicing=2),
                                                                                Sharing(time_slicing=4)])
        inventory.append(InventoryItem(id=device.id, count=rng.randint(2, 8), placement=device.placements[0].value,
                                       usd_per_hour=round(rng.uniform(0.1, 3.0), 2), sharing=sharing))
    base = scenario(seed=5, services=count - count // 10, jobs=count // 10, load=4.0)
    fleet = FleetFile(schema_version=1, objective="throughput", inventory=inventory, workloads=base.workloads)
    t0 = time.perf_counter()
    workloads = fleet_workloads(fleet, catalog)
    t1 = time.perf_counter()
    result = plan_fleet(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings(time_limit_s=limit))
    t2 = time.perf_counter()
    slots = sum(i.count * i.slices for i in inventory)
    print(f"fleet: {len(workloads)} workloads on {len(inventory)} device types ({slots} slots), "
          f"{result.solver.options} options after pruning")
    print(f"read requests: {t1 - t0:.2f} s")
    print(f"plan (options, model, every level): {t2 - t1:.2f} s, status {result.solver.status}, "
          f"solver time limit {limit:g} s for all levels")
    gaps = [f"{gap:.2%}" for gap in result.solver.gaps]
    gaps += ["not reached"] * (len(result.solver.levels) - len(gaps))
    print("gap per level: " + ", ".join(f"{name} {gap}" for name, gap in zip(result.solver.levels, gaps)))
    print(f"total (read, options, model, solve): {t2 - t0:.2f} s")
    print(f"SLOs met: {result.totals.slo_met}/{result.totals.workloads}; served {result.totals.served_rps:,.0f} "
          f"of {result.totals.requested_rps:,.0f} req/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
