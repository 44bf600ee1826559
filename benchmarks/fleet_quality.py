"""Fleet placement quality: CP-SAT against round-robin and greedy first-fit.

usage: python benchmarks/fleet_quality.py [--seed N[,M...]] [--services N] [--jobs N] [--load X[,Y...]]
       python benchmarks/fleet_quality.py --size 1000x50     (the speed benchmark's synthetic fleet)

Each load multiplies every request rate. At a light load the pool can serve nearly all of
it and throughput ratios are capped by demand (every placer serves what is asked of the
big services); at a heavy one the pool is saturated and the ratios show how much more each
placement gets out of the same devices. The default runs both (x4 and x64) on seeds 1-3.

A generated mixed scenario (fixed seed): a heterogeneous on-prem pool (time-sliced H100,
MIG-sliced A100, time-sliced L4 and T4, Xeon and EPYC CPUs, Qualcomm Cloud AI 100 and Gaudi2 NPUs), dozens
of inference services across eleven tasks with request rates and latency SLOs, and
training jobs with deadlines. All three placers choose among the same options (same
performance model, same per-request bounds), so the figures compare placement alone:

- round-robin: services in file order, each to the next pool in rotation, whatever that pool
  is: the scheduler knows slots, not workloads. On its pool a service gets its smallest option
  that meets the SLO and as many replicas as fit; a pool that cannot meet it serves nothing;
- round-robin over capable pools: the same rotation, skipping pools that cannot meet the
  service's SLO (a round-robin that already knows which devices suit which workload);
- greedy first-fit: by priority, each to the first pool (inventory order) where an option
  serves its whole rate in the free slots, else as much as fits on the first pool with room;
- CP-SAT: intentctl's fleet planner (strict priorities, then served throughput).

Throughput is given two ways. Raw served requests/s adds up every service's rate, so a
20,000 req/s image classifier outweighs two thousand 10 req/s LLM services: it mostly tells
who got the high-rate small models. Normalised throughput adds up each service's share of
its own rate served (a service served in full counts 1), the way heterogeneity-aware
schedulers compare workloads whose requests cost different amounts; it is the headline.

SLO-met throughput counts the services that meet their SLO (their whole rate, within the
latency bound), each weighted by its priority: a service served in part misses its SLO.

Two more comparisons follow each scenario:

- mixed pools: the plan against the same planner allowed one configuration per service;
- training beside inference: the plan against a priority-blind scheduler (first fit in a
  fixed arrival order, training and inference alike; a job that finds no free slots is
  packed beside inference on the first pool with the slots, whatever their load, sharing
  them FIFO: planner.fleet.colocation): the training jobs' mean completion time, and the
  request-weighted p99 latency (M/D/c queueing at the served rate, replicas shared FIFO at
  half speed) of the services both serve in full. Then its two halves: the same planner
  keeping training to slots of its own (training time), and the plan sharing FIFO instead
  of preempting (p99).

Prints one line per figure: throughputs, SLOs met, and the ratios.
"""

from __future__ import annotations

import math
import random
import sys
import time
from dataclasses import dataclass

from hardware import InventoryItem, Sharing, load_catalog
from intent.fleet import FleetFile, WorkloadEntry, fleet_workloads
from planner.fleet.colocation import fifo_p99_ms
from planner.fleet.model import plan_fleet
from planner.fleet.options import build_options
from planner.perf.factors import load_factors
from planner.perf.roofline import stored_corrections
from planner.solve.chooser import SolverSettings

POOLS = [
    ("nvidia-h100-sxm-80gb", 2, 3.10, Sharing(time_slicing=4)), ("nvidia-a100-sxm-80gb", 2, 1.90, Sharing(mig=7)),
    ("nvidia-l4", 4, 0.45, Sharing(time_slicing=4)), ("nvidia-t4", 4, 0.20, Sharing(time_slicing=4)),
    ("intel-xeon-platinum-8480plus", 4, 0.60, None), ("amd-epyc-9654", 2, 0.70, None),
    ("qualcomm-cloud-ai-100-standard", 4, 0.30, None), ("intel-gaudi2", 2, 1.50, None),
]
# (words, requests/s range, latency SLO range in ms)
SERVICES = [
    ("classify images", (200, 20000), (5, 50)), ("detect objects", (50, 3000), (10, 100)),
    ("embed text", (100, 20000), (10, 100)), ("classify text sentiment", (100, 20000), (5, 50)),
    ("recognize named entities", (50, 5000), (10, 100)), ("answer questions", (10, 1000), (20, 200)),
    ("transcribe audio", (1, 100), (500, 5000)), ("summarize articles", (0.5, 20), (2000, 30000)),
    ("translate text", (1, 200), (500, 5000)), ("serve llama 3 8b", (0.5, 20), (5000, 30000)),
    ("segment images", (20, 2000), (20, 200)),
]
LOADS = "4,64"
HOP_MS = load_factors().serving_overhead_ms  # the serving hop every request pays (as the planner adds)  # x4: placement decides who meets an SLO; x64: the pool is saturated
JOBS = ["fine-tune an image classifier", "fine-tune a text classifier", "train a named entity recognition model"]


def scenario(seed: int, services: int, jobs: int, load: float = 1.0) -> FleetFile:
    rng = random.Random(seed)
    entries = []
    for i in range(services):
        words, (lo, hi), (slo_lo, slo_hi) = SERVICES[i % len(SERVICES)]
        rate = round(load * math.exp(rng.uniform(math.log(lo), math.log(hi))), 1)
        slo = round(math.exp(rng.uniform(math.log(slo_lo), math.log(slo_hi))))
        entries.append(WorkloadEntry(name=f"svc-{i:02d}", request=f"{words} at {rate} req/s within {slo} ms",
                                     priority=rng.choice([1, 1, 2, 3])))
    for j in range(jobs):
        records = rng.choice([200_000, 500_000, 1_000_000, 3_000_000])
        entries.append(WorkloadEntry(name=f"job-{j:02d}", request=f"{JOBS[j % len(JOBS)]} on {records} records for "
                                     f"{rng.choice([1, 2, 3])} epochs", deadline_hours=rng.choice([4, 8, 24, 48]),
                                     priority=rng.choice([1, 2])))
    inventory = [InventoryItem(id=d, count=n, placement="on-prem", usd_per_hour=price, sharing=sharing)
                 for d, n, price, sharing in POOLS]
    return FleetFile(schema_version=1, objective="throughput", inventory=inventory, workloads=entries)


@dataclass(frozen=True)
class Outcome:
    """What one placement achieves."""

    served_rps: float  # raw: every service's served rate added up
    normalised: float  # each service's share of its own rate served, added up
    slos_met: int  # services served in full within their SLO, and training jobs placed
    slo_throughput: float  # services meeting their SLO, each counting its priority (their normalised throughput, 1 each)


def evaluate(workloads, picks: dict) -> Outcome:
    """The outcome of {workload: [(option, units), ...]} (a service's rate adds up over its
    options). A service meets its SLO when its placements serve its whole rate with every
    placement's p99 at its share of the rate within the SLO."""
    served, normalised, met, weighted = 0.0, 0.0, 0, 0.0
    for w, placements in picks.items():
        if workloads[w].training:
            met += 1
            continue
        supply = sum(o.unit_rate * r for o, r in placements)
        served += min(workloads[w].rate_rps, supply)
        normalised += min(1.0, supply / workloads[w].rate_rps)
        slo = workloads[w].latency_slo_ms
        full = (supply >= workloads[w].rate_rps * (1 - 1e-6)
                and (slo is None or all(p99 <= slo * (1 + 1e-9) for p99, _ in p99s(workloads[w], placements))))
        met += full
        weighted += workloads[w].priority * full
    return Outcome(served, normalised, met, weighted)


def p99s(workload, placements) -> list[tuple[float, float]]:
    """Each placement's p99 latency (over each unit's replicas, as the planner works it out:
    Option.p99_at) at its share of the service's rate (shared in proportion to the placements'
    rates), and that share, req/s."""
    supply = sum(o.unit_rate * r for o, r in placements)
    out = []
    for o, r in placements:
        share = min(workload.rate_rps, supply) * o.unit_rate * r / supply
        out.append((o.p99_at(share / r, HOP_MS), share))
    return out


def planned(plan, workloads, pools, options) -> dict:
    """A fleet plan's placements as {workload: [(option, units), ...]}."""
    index = {(o.workload, o.pool, o.model_id, o.precision, o.batch_size, o.slots_per_replica, o.unit,
              o.hosted_share or 1.0): o for o in options}
    names = {w.name: i for i, w in enumerate(workloads)}
    pool_index = {p.name: i for i, p in enumerate(pools)}
    picks: dict = {}
    for a in plan.assignments:
        w = names[a.workload]
        o = index[(w, pool_index[a.pool], a.model_id, a.precision, a.batch_size, a.slots_per_replica,
                   a.replicas_per_queue, a.compute_share or 1.0)]
        picks.setdefault(w, []).append((o, a.replicas // a.replicas_per_queue))
    return picks


def round_robin(workloads, pools, options, skip_incapable: bool = False) -> dict:
    """Services in turn to pools in turn; with ``skip_incapable``, a pool with no option for
    the service (none meets its SLO, or no free slot) is passed over instead of used."""
    free = [p.total_slots for p in pools]
    picks, turn = {}, 0
    by_workload: dict = {}
    for o in options:
        by_workload.setdefault(o.workload, []).append(o)
    for w in range(len(workloads)):
        mine = by_workload.get(w, [])
        for step in range(len(pools) if skip_incapable else 1):
            p = (turn + step) % len(pools)
            here = [o for o in mine if o.pool == p and o.unit_slots <= free[p]]
            if here:  # the smallest replicas, pooled behind one queue when the free slots hold the pool
                o = min(here, key=lambda o: (o.slots_per_replica, -o.unit))
                r = min(o.need, free[p] // o.unit_slots)
                picks[w] = [(o, r)]
                free[p] -= o.unit_slots * r
                turn = p
                break
        turn += 1
    return picks


def greedy_first_fit(workloads, pools, options, blind: bool = False) -> dict:
    """By priority (``blind``: in an arrival order that ignores priority and kind, a fixed
    shuffle), each workload to the first pool where an option serves it in full, else as
    much as fits on the first pool with room (slots of its own only)."""
    free = [p.total_slots for p in pools]
    picks = {}
    by_workload = _own_slots(options)
    for w in _arrivals(workloads, blind):
        pick = _first_fit(by_workload.get(w, []), free)
        if pick:
            picks[w] = [pick]
    return picks


def _own_slots(options) -> dict:
    """Each workload's options on slots of their own."""
    by_workload: dict = {}
    for o in options:
        if o.hosted_share is None:
            by_workload.setdefault(o.workload, []).append(o)
    return by_workload


def _arrivals(workloads, blind: bool) -> list[int]:
    order = sorted(range(len(workloads)), key=lambda w: -workloads[w].priority)
    if blind:
        random.Random(0).shuffle(order)
    return order


def _first_fit(mine, free) -> tuple | None:
    """The first pool where an option serves the workload in full, else as much as fits on
    the first pool with room: (option, units), taken from ``free``; None when nothing fits."""
    fits = [o for o in mine if o.unit_slots * o.need <= free[o.pool]]
    if fits:
        o = min(fits, key=lambda o: (o.pool, o.unit_slots * o.need))
        r = o.need
    else:
        room = [o for o in mine if o.unit_slots <= free[o.pool]]
        if not room:
            return None
        o = min(room, key=lambda o: (o.pool, -o.unit_rate / o.unit_slots))
        r = free[o.pool] // o.unit_slots
    free[o.pool] -= o.unit_slots * r
    return o, r


def blind_first_fit(workloads, pools, options) -> tuple[dict, dict]:
    """A priority-blind scheduler: workloads in a fixed arrival order (a shuffle that ignores
    priority and kind), each to the first pool with room, as ``greedy_first_fit``; a training
    job that finds no free slots is packed beside inference on the first pool whose replicas
    (those placed before it, that hold it in memory) have the slots, whatever their load, and
    shares them FIFO. Returns the placements and, per job packed so, (its configuration, the
    slots it shares: [(service, placement, slots)])."""
    free = [p.total_slots for p in pools]
    by_workload = _own_slots(options)
    picks, beside = {}, {}
    unshared: dict[int, list] = {p: [] for p in range(len(pools))}  # per pool: [service, placement, slots]
    for w in _arrivals(workloads, blind=True):
        mine = by_workload.get(w, [])
        pick = _first_fit(mine, free)
        if pick:
            picks[w] = [pick]
            o, r = pick
            if not workloads[w].training and o.idle_share is not None:
                unshared[o.pool].append([w, pick, o.unit_slots * r])
            continue
        for o in sorted(mine, key=lambda o: (o.pool, o.slots_per_replica)) if workloads[w].training else ():
            if sum(h[2] for h in unshared[o.pool]) < o.slots_per_replica:
                continue
            beside[w] = (o, _take(unshared[o.pool], o.slots_per_replica))
            break
    return picks, beside


def main(argv: list[str]) -> int:
    seeds = argv[argv.index("--seed") + 1] if "--seed" in argv else "1,2,3"
    services = int(argv[argv.index("--services") + 1]) if "--services" in argv else 44
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else 8
    loads = argv[argv.index("--load") + 1] if "--load" in argv else LOADS
    limit = float(argv[argv.index("--time-limit") + 1]) if "--time-limit" in argv else 10.0
    if "--size" in argv:  # the speed benchmark's synthetic fleet, e.g. 1000x50
        from fleet_speed import fleet

        count, types = (int(x) for x in argv[argv.index("--size") + 1].split("x"))
        spec, catalog = fleet(count, types)
        compare(spec, catalog, f"{count} workloads on {types} device types", limit)
        return 0
    for seed in seeds.split(","):
        for load in loads.split(","):
            compare(scenario(int(seed), services, jobs, float(load)), load_catalog(),
                    f"seed {seed}, load x{float(load):g}", limit)
    return 0


def compare(fleet, catalog, label: str, limit: float) -> None:
    """Every placer on one fleet, and the mixed-pool and training-beside-inference figures."""
    workloads = fleet_workloads(fleet, catalog)
    pools = list(fleet.inventory)
    f = load_factors()
    options = build_options(workloads, pools, catalog, f, stored_corrections(catalog, f)).options
    requested = sum(w.rate_rps for w in workloads if not w.training)
    t0 = time.perf_counter()
    result = plan_fleet(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings(time_limit_s=limit))
    elapsed = time.perf_counter() - t0
    single = plan_fleet(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings(time_limit_s=limit),
                        mixed_pools=False)
    dedicated = plan_fleet(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings(time_limit_s=limit),
                           colocate=False)
    outcomes = {
        "cp-sat": evaluate(workloads, planned(result, workloads, pools, options)),
        "round-robin": evaluate(workloads, round_robin(workloads, pools, options)),
        "round-robin over capable pools": evaluate(workloads, round_robin(workloads, pools, options, skip_incapable=True)),
        "greedy first-fit": evaluate(workloads, greedy_first_fit(workloads, pools, options)),
    }
    n, services = len(workloads), sum(not w.training for w in workloads)
    print(f"scenario: {services} services + {n - services} training jobs on {len(pools)} pools "
          f"({sum(p.total_slots for p in pools)} slots), {requested:,.0f} req/s requested, {label}")
    print(f"cp-sat plan: {elapsed:.2f} s, status {result.solver.status}, SLO level gap {result.solver.gaps[0]:.2%}")
    for name, o in outcomes.items():
        print(f"{name}: SLO-met throughput {o.slo_throughput:,.0f} (services meeting their SLO, each its priority), "
              f"normalised throughput {o.normalised:.1f} of {services} services, served {o.served_rps:,.0f} req/s, "
              f"SLOs met {o.slos_met}/{n} ({o.slos_met / n:.1%})")
    cp = outcomes["cp-sat"]
    for name, o in list(outcomes.items())[1:]:
        print(f"ratio cp-sat / {name}: SLO-met throughput {cp.slo_throughput / max(o.slo_throughput, 1e-9):.2f}x, "
              f"normalised throughput {cp.normalised / max(o.normalised, 1e-9):.2f}x, "
              f"raw throughput {cp.served_rps / max(o.served_rps, 1e-9):.2f}x, "
              f"SLOs met {cp.slos_met / max(o.slos_met, 1):.2f}x")
    mixed_pools(result, single, workloads, pools, options)
    beside_inference(result, dedicated, workloads, pools, options)


def mixed_pools(result, single, workloads, pools, options) -> None:
    """What serving a service from several pools adds, against one configuration per service."""
    with_mix = evaluate(workloads, planned(result, workloads, pools, options))
    without = evaluate(workloads, planned(single, workloads, pools, options))
    spread = {}
    for a in result.assignments:
        spread.setdefault(a.workload, set()).add(a.pool)
    mixed = sum(len(p) > 1 for p in spread.values())
    print(f"mixed pools: {mixed} service(s) served from several pools; against one configuration per service: "
          f"SLOs met {with_mix.slos_met} vs {without.slos_met}, SLO-met throughput {with_mix.slo_throughput:,.0f} vs "
          f"{without.slo_throughput:,.0f}, served {with_mix.served_rps:,.0f} vs {without.served_rps:,.0f} req/s, "
          f"power {result.totals.power_w:,.0f} vs {single.totals.power_w:,.0f} W")


def beside_inference(result, dedicated, workloads, pools, options) -> None:
    """Training beside inference against a priority-blind scheduler (``blind_first_fit``:
    first fit in arrival order, training packed beside inference FIFO when no slots are
    free): the training jobs' mean completion time and the request-weighted p99 latency of
    the services both serve in full (M/D/c at the served rate, planner.perf.queueing; FIFO
    sharing slows the replicas it touches, planner.fleet.colocation). Then the two halves of it:
    the same planner keeping training to slots of its own (training time), and the plan
    with FIFO sharing instead of preemption (p99)."""
    ours = planned(result, workloads, pools, options)
    blind, blind_beside = blind_first_fit(workloads, pools, options)
    blind_hours = {w: o.job_hours / _share_left(workloads, blind, taken) for w, (o, taken) in blind_beside.items()}
    blind_hours |= {w: blind[w][0][0].job_hours for w in blind if workloads[w].training}
    ours_hours = _job_hours(ours, workloads)
    jobs = sorted(set(ours_hours) & set(blind_hours))
    ours_h, blind_h = (sum(h[w] for w in jobs) / max(len(jobs), 1) for h in (ours_hours, blind_hours))
    ours_p99 = _p99s(workloads, ours, {})
    blind_p99 = _p99s(workloads, blind, _slowed(blind_beside.values()))
    both = sorted(set(ours_p99) & set(blind_p99))
    weight = sum(workloads[w].rate_rps for w in both) or 1.0
    ours_p, blind_p = (sum(p[w] * workloads[w].rate_rps for w in both) / weight for p in (ours_p99, blind_p99))
    lost = sum(1 for w in blind if w in _slowed(blind_beside.values()) and w not in blind_p99)
    print(f"training beside inference, against a priority-blind scheduler (first fit in arrival order, training packed "
          f"beside inference FIFO when no slot is free): mean training job time {ours_h:.2f} h vs {blind_h:.2f} h "
          f"({ours_h / max(blind_h, 1e-9) - 1:+.0%}, {len(jobs)} jobs both place; {len(ours_hours)} vs "
          f"{len(blind_hours)} placed, {sum(o.hosted_share is not None for p in ours.values() for o, _ in p)} vs "
          f"{len(blind_beside)} beside inference); inference p99 {ours_p:,.1f} ms vs {blind_p:,.1f} ms "
          f"({ours_p / max(blind_p, 1e-9) - 1:+.0%}, request-weighted over the {len(both)} services both serve in "
          f"full; FIFO sharing leaves {lost} of the blind scheduler's services short of their rate)")
    own = _job_hours(planned(dedicated, workloads, pools, options), workloads)
    same = sorted(set(ours_hours) & set(own))
    ours_s, own_s = (sum(h[w] for w in same) / max(len(same), 1) for h in (ours_hours, own))
    fifo = _p99s(workloads, ours, _slowed(_hosts(ours, workloads).values()))
    kept = sorted(set(ours_p99) & set(fifo))
    weight = sum(workloads[w].rate_rps for w in kept) or 1.0
    pre_p, fifo_p = (sum(p[w] * workloads[w].rate_rps for w in kept) / weight for p in (ours_p99, fifo))
    print(f"  the halves: against the same planner keeping training to slots of its own, mean job time {ours_s:.2f} h "
          f"vs {own_s:.2f} h ({ours_s / max(own_s, 1e-9) - 1:+.0%}, {len(same)} jobs both place; {len(ours_hours)} vs "
          f"{len(own)} placed); against the plan sharing FIFO instead of preempting, p99 {pre_p:,.1f} ms vs "
          f"{fifo_p:,.1f} ms ({pre_p / max(fifo_p, 1e-9) - 1:+.0%}, over {len(kept)} services; "
          f"{len(ours_p99) - len(kept)} more fall short of their rate under FIFO)")


def _job_hours(plan: dict, workloads) -> dict:
    return {w: plan[w][0][0].job_hours for w in plan if workloads[w].training}


def _slowed(beside) -> dict:
    """Per service placement (service, option id): the slots training jobs share with it."""
    out: dict = {}
    for _, taken in beside:
        for w, (o, _r), n in taken:
            out.setdefault(w, {}).setdefault(id(o), 0)
            out[w][id(o)] += n
    return out


def _share_left(workloads, plan, taken) -> float:
    """The share of its slots a job packed beside inference FIFO gets: what the busiest
    replica it shares leaves (equal turns are work-conserving: 1 - that replica's load)."""
    loads = []
    for w, (o, r), _ in taken:
        served = min(workloads[w].rate_rps, sum(p.unit_rate * n for p, n in plan[w]))
        share = served * o.unit_rate * r / sum(p.unit_rate * n for p, n in plan[w])
        loads.append(share / (r * o.unit) * o.latency_ms / (1000 * o.batch_size))
    return 1 - max(loads)


def _hosts(plan: dict, workloads) -> dict:
    """The plan's jobs beside inference, each on the slots of the first replicas of its pool
    and band (as many as it takes, in plan order): {job: (option, [(service, placement, slots)])}."""
    from planner.fleet.colocation import IDLE_BANDS, band

    free = {}
    for w, placements in plan.items():
        for o, r in placements:
            if not workloads[w].training and band(o.idle_share) is not None:
                free.setdefault((o.pool, band(o.idle_share)), []).append([w, (o, r), o.unit_slots * r])
    out = {}
    for w, placements in plan.items():
        for o, _ in placements:
            if o.hosted_share is None:
                continue
            out[w] = (o, _take(free.get((o.pool, IDLE_BANDS.index(o.hosted_share)), []), o.slots_per_replica))
    return out


def _take(hosts: list, wanted: int) -> list:
    """``wanted`` slots from ``hosts`` ([service, placement, slots not yet shared]), the first
    first: [(service, placement, slots)]."""
    taken = []
    for h in hosts:
        n = min(wanted, h[2])
        if n:
            taken.append((h[0], h[1], n))
            h[2] -= n
            wanted -= n
    return taken


def _p99s(workloads, plan: dict, slowed: dict) -> dict:
    """The p99 (request-weighted over its placements) of each service served its whole rate,
    with the placements ``slowed`` shares FIFO with training slowed (``fifo_p99_ms``)."""
    out = {}
    for w, placements in plan.items():
        workload = workloads[w]
        if workload.training:
            continue
        supply = sum(o.unit_rate * r for o, r in placements)
        if supply < workload.rate_rps * (1 - 1e-6):
            continue
        total = 0.0
        for o, r in placements:
            share = workload.rate_rps * o.unit_rate * r / supply
            # The slowed replicas spread evenly over the placement's queues.
            shared = math.ceil(slowed.get(w, {}).get(id(o), 0) / o.slots_per_replica) / r
            total += fifo_p99_ms(o, share / r, shared, HOP_MS) * share
        if math.isfinite(total):
            out[w] = total / workload.rate_rps
    return out


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
