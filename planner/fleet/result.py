"""A fleet solution as a FleetPlan: each placement, what could not be placed in full and
why, how busy each pool is, and (re-planning) what moved."""

from __future__ import annotations

import math
from collections import defaultdict

from planner.fleet.options import FleetWorkload, Option
from planner.fleet.plan import (
    Assignment,
    FleetPlan,
    FleetSolverReport,
    FleetTotals,
    PoolUse,
    PriorityMet,
    Unplaced,
)
from planner.owned import owned_cost_note

ASSUMPTIONS = [
    ("a shared device (MIG or time-slicing) gives each slot an even share of its compute, bandwidth, memory and "
     "power; time-sliced tenants are planned within an even share of memory, as time-slicing does not isolate it; "
     "a training job there takes one slot (a process sees one MIG instance, and NCCL runs no collective across "
     "MIG instances nor two ranks on one GPU)"),
    "a training job holds its slots for its whole run; power and cost are at full load",
    "inference power and cost count every replica at the load of a full batch",
    ("a service on several pools is served by all of them at once, its requests shared in proportion to each "
     "placement's rate (its SLO is met when they serve the whole rate)"),
    ("a training job beside inference runs on slots inference replicas hold, in the share of each slot they leave "
     "idle at their planned load (rounded down to a band), preempted whenever they have work: the replicas' p99 is "
     "as planned (reset-based GPU preemption adds about 2% to the latency of the work that preempts, REEF, OSDI "
     "2022); the replica and the job each take at most half of a slot's memory; the job adds its devices' training "
     "power for its share of their time (an upper bound) and no cost"),
    ("an LLM service given concurrent users and no rate holds a sequence slot per user, as a single plan does: its "
     "replicas are its users over the slots one holds, and its rate is the least they send at the slowest response "
     "its bounds allow (the unit its share is counted in)"),
]


def fleet_plan(fleet, placed: dict[int, int], why_not: dict[int, dict[str, str]], objective: str,
               report: FleetSolverReport, catalog, running=None, notes: list[str] = ()) -> FleetPlan:
    """The plan of ``placed`` (option -> replicas) on ``fleet`` (a FleetModel); ``notes`` are
    assumptions this plan adds (a budgeted option build)."""
    workloads, pools, options = fleet.workloads, fleet.pools, fleet.options
    mine: dict[int, list[int]] = defaultdict(list)
    for i in sorted(placed):
        mine[options[i].workload].append(i)
    served = {i: _served(fleet, i, placed, mine) for i in placed}
    used: dict[int, int] = defaultdict(int)  # slots held per pool
    for i, replicas in placed.items():
        used[options[i].pool] += options[i].unit_slots * replicas
    assignments, unplaced = [], []
    for w, workload in enumerate(workloads):
        met = fleet.meets(w, placed)
        assignments += [_assignment(workload, pools[options[i].pool], options[i], placed[i], met, served[i])
                        for i in mine.get(w, [])]
        total = sum(served[i] or 0.0 for i in mine.get(w, []))
        if mine.get(w) and not met:
            unplaced.append(Unplaced(workload=workload.name, priority=workload.priority,
                                     served_share=total / workload.rate_rps,
                                     reason=_partial_reason(fleet, w, total, placed)))
        elif not mine.get(w):
            unplaced.append(Unplaced(workload=workload.name, priority=workload.priority,
                                     reason=_unplaced_reason(fleet, w, why_not.get(w, {}), used, placed)))
    utilisation = [_pool_use(p, item, options, placed, served) for p, item in enumerate(pools)]
    power = [a.power_w for a in assignments]
    cost = [a.cost_usd_per_hour for a in assignments]
    totals = FleetTotals(
        workloads=len(workloads), placed=len(mine), slo_met=sum(fleet.meets(w, placed) for w in mine),
        slo_met_by_priority=_met_by_priority(fleet, workloads, placed),
        requested_rps=sum(w.rate_rps for w in workloads if not w.training),
        served_rps=sum(a.served_rps or 0.0 for a in assignments),
        power_w=sum(p for p in power if p is not None), cost_usd_per_hour=sum(c for c in cost if c is not None),
        cost_known=all(c is not None for c in cost), power_known=all(p is not None for p in power))
    owned = any(pools[options[i].pool].usd_per_hour is None and pools[options[i].pool].placement != "cloud"
                for i in placed)  # pools held and unpriced: their power and hosting, as a single plan's inventory
    notes = [*notes, *([owned_cost_note()] if owned else [])]
    return FleetPlan(objective=objective, assignments=assignments, unplaced=unplaced, utilisation=utilisation,
                     totals=totals, solver=report, assumptions=[*ASSUMPTIONS, *notes], catalog_hash=catalog.digest,
                     replan=running.changes(fleet, placed) if running else None)


def _met_by_priority(fleet, workloads, placed: dict[int, int]) -> list[PriorityMet]:
    """Workloads meeting their SLOs per priority, highest first (those with no option meet none)."""
    counts: dict[int, list[int]] = {}
    for w, workload in enumerate(workloads):
        tally = counts.setdefault(workload.priority, [0, 0])
        tally[0] += w in fleet.by_workload and fleet.meets(w, placed)
        tally[1] += 1
    return [PriorityMet(priority=p, met=met, workloads=n) for p, (met, n) in sorted(counts.items(), reverse=True)]


def _served(fleet, i: int, placed: dict[int, int], mine: dict[int, list[int]]) -> float | None:
    """Requests/s option ``i`` serves: its replicas' rate, its share of the service's rate
    when the service's placements together could serve more (None for training)."""
    o = fleet.options[i]
    workload = fleet.workloads[o.workload]
    if workload.training:
        return None
    supply = sum(fleet.options[j].unit_rate * placed[j] for j in mine[o.workload])
    if fleet.meets(o.workload, placed):
        supply = max(supply, workload.rate_rps)  # met in scaled figures: the whole rate (within rounding)
    return o.unit_rate * placed[i] * min(1.0, workload.rate_rps / supply)


def _p99_at_load(o: Option, units: int, served: float | None) -> float | None:
    """A placement's p99 at the load it is planned to serve: its options' p99 is at the most they
    may serve within the SLO (reported, every service showed a p99 of 99% of its SLO, whatever its
    load); None without a figure."""
    if o.p99_ms is None or served is None or units <= 0 or o.latency_ms is None:
        return o.p99_ms
    from planner.perf.factors import load_factors

    p99 = o.p99_at(served / units, load_factors().serving_overhead_ms)
    return min(p99, o.p99_ms) if math.isfinite(p99) else o.p99_ms


def _assignment(workload: FleetWorkload, item, o: Option, units: int, met: bool, served: float | None) -> Assignment:
    replicas = units * o.unit
    return Assignment(
        workload=workload.name, kind="training" if workload.training else "inference", priority=workload.priority,
        pool=item.name, device_id=item.id, model_id=o.model_id, precision=o.precision, batch_size=o.batch_size,
        replicas=replicas, slots_per_replica=o.slots_per_replica, slots=o.slots_per_replica * replicas,
        replicas_per_queue=o.unit, latency_ms=o.latency_ms, p99_ms=_p99_at_load(o, units, served),
        latency_slo_ms=workload.latency_slo_ms, ttft_ms=o.ttft_ms, tpot_ms=o.tpot_ms,
        requested_rps=workload.rate_rps, served_rps=served, users=workload.users,
        rate_share=None if served is None else served / workload.rate_rps,
        job_hours=o.job_hours, deadline_hours=workload.deadline_hours,
        compute_share=None if not workload.training else o.hosted_share or 1.0,
        power_w=None if o.power_w is None else o.power_w * replicas,
        cost_usd_per_hour=None if o.cost_usd_per_hour is None else o.cost_usd_per_hour * replicas,
        slo_met=met)


def _pool_use(p: int, item, options: list[Option], placed: dict[int, int], served: dict[int, float | None]) -> PoolUse:
    slots = item.total_slots
    used = shared = busy = 0.0
    power: float | None = 0.0
    for i, units in placed.items():
        o = options[i]
        if o.pool != p:
            continue
        used += o.held_slots * units
        shared += o.unit_slots * units - o.held_slots * units
        peak = o.batch_size * 1000 / o.latency_ms if o.latency_ms else None  # a replica's batch rate
        busy += o.slots_per_replica * (min(units * o.unit, served[i] / peak) if peak else o.hosted_share or 1)
        power = None if power is None or o.power_w is None else power + o.power_w * o.unit * units
    return PoolUse(pool=item.name, device_id=item.id, devices=item.count, slots=slots, slots_used=int(used),
                   slots_shared=int(shared), allocated=used / slots, busy=min(busy / slots, used / slots),
                   power_w=power)


def _partial_reason(fleet, w: int, served: float, placed: dict[int, int]) -> str:
    workload = fleet.workloads[w]
    members = fleet.by_workload[w]
    pools = _pool_names(fleet, members)
    head = (f"holds {served / workload.rate_rps * workload.users:,.0f} of its {workload.users} concurrent users"
            if workload.users else f"served {served:,.1f} of {workload.rate_rps:,.1f} req/s")
    if _out_of_reach(fleet, w):
        return (f"{head}: the whole rate needs more than the pools that can run it ({', '.join(pools)}) hold, "
                "all of them together")
    return f"{head}: the rest of the pools that can run it ({', '.join(pools)}) " + _went_to(fleet, w, members, placed)


def _went_to(fleet, w: int, members: list[int], placed: dict[int, int]) -> str:
    """Who holds the rest of a workload's pools, by priority against its own (it had blamed workloads
    "ranked higher" with none there, or only lower ones)."""
    pools = {fleet.options[i].pool for i in members}
    others = sorted({fleet.options[i].workload for i in placed if fleet.options[i].pool in pools} - {w})
    if not others:
        return "hold no more of it within its bounds"
    mine = fleet.workloads[w].priority
    names = ", ".join(f"{fleet.workloads[o].name} (priority {fleet.workloads[o].priority})" for o in others[:4]) \
        + (" …" if len(others) > 4 else "")
    if all(fleet.workloads[o].priority > mine for o in others):
        return f"went to workloads ranked higher: {names}"
    return (f"went to {names}: together they meet more SLOs by priority, or serve more of the fleet objective, "
            "than this one would")


def _pool_names(fleet, members: list[int]) -> list[str]:
    """The pools a workload's options ``members`` are on, by name."""
    return sorted({fleet.pools[fleet.options[i].pool].name for i in members})


def _out_of_reach(fleet, w: int) -> bool:
    """Whether the pools that can run a service cannot serve its whole load even with nothing else on them:
    each pool at its best option (its options share its slots; summing them had counted a pool thrice)."""
    best: dict[int, int] = {}
    for i in fleet.by_workload[w]:
        pool = fleet.options[i].pool
        best[pool] = max(best.get(pool, 0), fleet.rate[i] * fleet.options[i].replica_cap)
    return sum(best.values()) < fleet.wanted[w]


def _unplaced_reason(fleet, w: int, why_not: dict[str, str], used: dict[int, int], placed: dict[int, int]) -> str:
    """Why workload ``w`` was not placed at all (``used``: the slots the plan holds per pool; ``placed``:
    option -> replicas)."""
    members = fleet.by_workload.get(w, [])
    if not members:
        return "no pool can run it: " + "; ".join(f"{pool}: {reason}" for pool, reason in why_not.items())
    if not fleet.workloads[w].training and _out_of_reach(fleet, w):
        pools = _pool_names(fleet, members)
        load = (f"its {fleet.workloads[w].users} concurrent users" if fleet.workloads[w].users
                else f"its {fleet.workloads[w].rate_rps:,.1f} req/s")
        return (f"{load} need more than the pools that can run it within its bounds ({', '.join(pools)}) hold, all "
                "of them together")
    own = [fleet.options[i] for i in members if fleet.options[i].held_slots] or [fleet.options[i] for i in members]
    fewest = min(own, key=lambda o: (o.unit_slots * o.replica_cap, o.pool))
    pool = fleet.pools[fewest.pool]
    free = max(0, pool.total_slots - used.get(fewest.pool, 0))  # a job beside inference holds no slot of its own
    pools_named = ", ".join(_pool_names(fleet, members))
    return (f"no capacity left: it needs at least {fewest.unit_slots * fewest.replica_cap} "
            f"slot(s) of {pool.name} ({free} free); the pools that can run it ({pools_named}) "
            + _went_to(fleet, w, members, placed))
