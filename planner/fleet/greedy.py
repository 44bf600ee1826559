"""The greedy first plan of a fleet: complete and feasible, built in a fraction of a second.

It is the hint every CP-SAT level starts from, and the plan returned when the time limit
leaves none to solve. In order:

1. a running plan's workloads where they run, when they still fit (re-planning);
2. every other workload by priority, one priority at a time. Each priority's workloads are
   placed in every one of a few orders, each from the plan the priorities above left, and
   the order best on the SLO level wins (then on the served rate, then the one leaving the
   most free slots): no one order is best on every fleet or priority (see ``ORDERS``). The
   plans that take every priority in one order are built too, and the best plan is kept
   (``greedy_plan``). A training job goes on its option with the fewest slots, a service on
   the one option that serves it in full in the fewest slots, else on a mix of options across
   pools, the fewest slots per request first;
3. what is left to the services not served in full, by priority: as much of their rate
   as the free slots serve;
4. the training jobs still waiting, beside inference where the replicas now placed leave
   room (planner.fleet.colocation), the fastest first.

A training job takes an option beside inference before one on slots of its own (it leaves
the slots to services), the fastest first; else the fewest slots.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict


def greedy_plan(fleet, running=None, mixed_pools: bool = True, budgeted: bool = False) -> dict[int, int]:
    """A feasible plan for ``fleet`` (a FleetModel): option -> replicas (see the module
    docstring); the best, on the leading levels, of the plan built priority by priority and
    the plans that take every priority in one order (as a safeguard: the priority-by-priority
    choice cannot see how a lower priority's replicas would host a higher one's training job,
    and breaks its ties on what is left free). A fleet whose options were ``budgeted`` (too
    large to solve in the limit) tries the share and fewest-slots orders alone, priority by
    priority (the pools orders met 2.8 and 9.7 times less SLO weight at 2000 x 50, and each
    order takes 0.3 s there; no order taken for every priority at once won there)."""
    services = _Services(fleet)
    start = _Plan(fleet, services)
    if running is not None:
        for w in _by_priority(fleet, fleet.keep_rules):
            rules = fleet.keep_rules[w]
            if rules and all(start.room(i) >= r for i, r in rules):
                for i, r in rules:
                    start.add(i, r)
    orders = [o for o in ORDERS if (not budgeted or o in BUDGETED_ORDERS) and (mixed_pools or o not in MIXING_ORDERS)]
    by_priority: dict[int, list[int]] = defaultdict(list)
    for w in sorted(fleet.by_workload):
        by_priority[fleet.workloads[w].priority].append(w)
    tiers = [by_priority[p] for p in sorted(by_priority, reverse=True)]
    plans = [_by_priorities(fleet, start.copy(), tiers, orders, mixed_pools)]
    if not budgeted:  # at 2000 x 50 the whole share order took 0.39 s of the limit and met 3% less SLO weight
        plans += [_in_one_order(fleet, start.copy(), tiers, order, mixed_pools) for order in orders
                  if order in WHOLE_ORDERS]
    def leading_levels(plan: _Plan) -> tuple[int, int, int]:  # SLOs met, running workloads kept, served rate
        met, served = _score(fleet, plan)
        return met, sum(fleet.keeps(w, plan.placed) for w in fleet.keepable), served

    return max(plans, key=leading_levels).placed


def _by_priorities(fleet, plan: _Plan, tiers: list[list[int]], orders, mixed_pools: bool) -> _Plan:
    """Each priority's workloads placed in every one of ``orders`` from the plan the priorities
    above left; the trial best on the SLO level and then the served rate (then the most free
    slots) goes on. A trial also places the waiting training jobs of its priority and those
    above beside the replicas it added, so a priority that hosts a higher one's job counts it."""
    waiting: list[int] = []
    for mine in tiers:
        waiting += [w for w in mine if fleet.workloads[w].training]
        tried = []
        for order in orders:
            trial = plan.copy()
            order(fleet, trial, mine, mixed_pools)
            for w in waiting:
                if trial.lacking(w) > 0:
                    _meet(fleet, trial, w, mixed_pools)
            tried.append((*_score(fleet, trial), sum(trial.free.values()), -len(tried), trial))
        plan = max(tried, key=lambda t: t[:4])[4]
    return _finish(fleet, plan, mixed_pools)


def _in_one_order(fleet, plan: _Plan, tiers: list[list[int]], order, mixed_pools: bool) -> _Plan:
    """Every workload placed in ``order`` (an ``_in_order``: by priority, then its key)."""
    order(fleet, plan, [w for mine in tiers for w in mine], mixed_pools)
    return _finish(fleet, plan, mixed_pools)


def _finish(fleet, plan: _Plan, mixed_pools: bool) -> _Plan:
    """What is left to the services not served in full, then the training jobs still waiting
    (beside inference where the replicas now placed leave room), each by priority."""
    for w in _by_priority(fleet, fleet.services if mixed_pools else ()):
        for i in plan.services.cheapest_first[w]:
            if plan.lacking(w) <= 0:
                break
            plan.add(i, min(plan.room(i), plan.short(w, i)))
    for w in _by_priority(fleet, [w for w in fleet.by_workload if fleet.workloads[w].training]):
        if plan.lacking(w) > 0:
            _meet(fleet, plan, w, mixed_pools)
    return plan


def _score(fleet, plan: _Plan) -> tuple[int, int]:
    """The plan's SLO level (priority-weighted workloads met) and served rate, from its supply."""
    met = sum(fleet.weight[w] for w in fleet.by_workload if plan.lacking(w) <= 0)
    served = sum(min(fleet.wanted[w], plan.supply.get(w, 0)) for w in fleet.services)
    return met, served


def _in_order(key, singles_first: bool = False):
    """Place workloads by priority and then in the order of ``key`` (with ``singles_first``,
    every workload one option can serve before any served by a mix)."""

    def place(fleet, plan: _Plan, workloads: list[int], mixed_pools: bool) -> None:
        ranked = sorted(workloads, key=lambda w: (-fleet.workloads[w].priority, key(fleet, w), w))
        for w in ranked:
            if plan.lacking(w) > 0:
                _meet(fleet, plan, w, mixed_pools and not singles_first)
        if singles_first and mixed_pools:
            for w in ranked:
                if plan.lacking(w) > 0:
                    _meet(fleet, plan, w, mixed_pools)

    return place


def _fewest_slots_now(fleet, plan: _Plan, workloads: list[int], mixed_pools: bool) -> None:
    """Place one priority's workloads the fewest slots first, as the plan fills: each step
    takes the workload that one option serves in full in the fewest of the slots free now
    (a training job beside inference holds none), so a priority meets as many of its
    workloads as the slots allow; then the workloads only a mix serves. A workload's fewest
    slots only grow as the plan fills, so a heap re-checked on each pop finds the least; a
    job beside inference may find new hosts and fewer slots, and is placed when it is popped
    (or, with no option that fit at the start, by the mixes' pass)."""
    # (slots, job hours, option, workload): the option only breaks ties; the pop re-checks it
    heap = [(*best, w) for w in workloads if (best := _fewest_slots(fleet, plan, w)) is not None]
    heapq.heapify(heap)
    while heap:
        slots, hours, i, w = heapq.heappop(heap)
        if plan.lacking(w) <= 0:
            continue
        best = _fewest_slots(fleet, plan, w)
        if best is None:
            continue
        if best[:2] > (slots, hours):
            heapq.heappush(heap, (*best, w))
            continue
        plan.add(best[2], plan.short(w, best[2]))
    for w in workloads:
        if plan.lacking(w) > 0:
            _meet(fleet, plan, w, mixed_pools)


def _fewest_slots(fleet, plan: _Plan, w: int) -> tuple[int, float, int] | None:
    """(slots, job hours, option) of the option that serves ``w`` in full in the fewest free
    slots now (a training job: the fastest of those); None when none fits."""
    fits = [(short * fleet.held[i], fleet.options[i].job_hours or 0.0, i) for i in fleet.by_workload[w]
            for short in (plan.short(w, i),) if plan.room(i) >= short]
    return min(fits, default=None)


class _Services:
    """Per service, its options the fewest slots per request first, and the most scaled
    requests/s per slot any of its options serves on each pool (for a quick upper bound on
    what the free slots can serve it)."""

    def __init__(self, fleet):
        self.cheapest_first = {w: sorted(fleet.by_workload[w], key=lambda i: _slots_per_request(fleet, i))
                               for w in fleet.services}
        self.densest: dict[int, dict[int, float]] = {}
        for w in fleet.services:
            densest = self.densest[w] = {}
            for i in fleet.by_workload[w]:
                p = fleet.pool_of[i]
                densest[p] = max(densest.get(p, 0.0), fleet.rate[i] / fleet.held[i])

    def reachable(self, plan: _Plan, w: int) -> float:
        """At least the scaled requests/s the free slots could serve ``w`` (over every pool)."""
        return sum(plan.free[p] * density for p, density in self.densest[w].items())


class _Plan:
    """A plan being built: replicas per option, free slots per pool, supply per workload."""

    def __init__(self, fleet, services: _Services | None = None):
        self.fleet = fleet
        self.services = services
        self.placed: dict[int, int] = {}
        self.free = {p: item.total_slots for p, item in enumerate(fleet.pools)}
        self.supply: dict[int, int] = {}
        # Jobs beside inference: per hosting group (FleetModel.hosting), the slots its jobs
        # take and the slots its replicas hold; each option's group and side (+1 job, -1 host).
        self.hosted = [[0, 0] for _ in fleet.hosting]
        self.group: dict[int, tuple[int, int]] = {}
        for g, (jobs, hosts) in enumerate(fleet.hosting):
            self.group.update({i: (g, 0) for i in jobs})
            self.group.update({i: (g, 1) for i in hosts})

    def copy(self) -> _Plan:
        """An independent copy, to try placements on."""
        other = object.__new__(_Plan)
        other.fleet, other.services, other.group = self.fleet, self.services, self.group
        other.placed, other.free, other.supply = dict(self.placed), dict(self.free), dict(self.supply)
        other.hosted = [list(h) for h in self.hosted]
        return other

    def lacking(self, w: int) -> int:
        """What ``w`` still lacks: scaled requests/s, or 1 for a training job not placed."""
        return self.fleet.wanted.get(w, 1) - self.supply.get(w, 0)

    def short(self, w: int, i: int) -> int:
        """Replicas of option ``i`` that serve what ``w`` still lacks (1 for a training job)."""
        lacking = self.fleet.wanted.get(w, 1) - self.supply.get(w, 0)
        return max(0, -(-lacking // (self.fleet.rate[i] or 1)))  # a training option counts one job

    def room(self, i: int) -> int:
        """Replicas of option ``i`` the free slots of its pool and its replica cap still allow."""
        fleet = self.fleet
        room = fleet.cap[i] - self.placed.get(i, 0)
        held = fleet.held[i]
        if held:
            room = min(room, self.free[fleet.pool_of[i]] // held)
        elif fleet.options[i].hosted_share is not None:
            jobs, hosts = self.hosted[self.group[i][0]]
            room = min(room, (hosts - jobs) // fleet.options[i].unit_slots)
        return room

    def holds_with(self, i: int, replicas: int, groups: set[int]) -> bool:
        """Whether, with ``replicas`` of option ``i`` added, the jobs beside inference of the
        hosting ``groups`` (those whose hosts were taken back) all have their slots."""
        if not groups:
            return True
        self.add(i, replicas)
        holds = all(self.hosted[g][0] <= self.hosted[g][1] for g in groups)
        self.add(i, -replicas)
        return holds

    def add(self, i: int, replicas: int) -> None:
        """Add (or, negative, take back) replicas of option ``i``."""
        if not replicas:
            return
        fleet = self.fleet
        self.placed[i] = self.placed.get(i, 0) + replicas
        if not self.placed[i]:
            del self.placed[i]
        self.free[fleet.pool_of[i]] -= replicas * fleet.held[i]
        w = fleet.workload_of[i]
        self.supply[w] = self.supply.get(w, 0) + replicas * (fleet.rate[i] or 1)
        if i in self.group:
            g, side = self.group[i]
            self.hosted[g][side] += replicas * fleet.options[i].unit_slots


def _by_priority(fleet, workloads) -> list[int]:
    return sorted(workloads, key=lambda w: (-fleet.workloads[w].priority, w))


def _share(fleet, w: int) -> float:
    """The least share of a pool that serves ``w`` in full with one option (inf: none does)."""
    return min((o.need * o.unit_slots / fleet.pools[o.pool].total_slots
                for o in (fleet.options[i] for i in fleet.by_workload[w]) if o.full), default=math.inf)


def _scarce(fleet, w: int) -> tuple[int, float]:
    """The pools that can run ``w`` (fewest first: they fill up), then the fewest slots that
    serve it in full with one option."""
    mine = [fleet.options[i] for i in fleet.by_workload[w]]
    return len({o.pool for o in mine}), min((o.need * o.unit_slots for o in mine if o.full), default=math.inf)


#: The orders each priority's workloads are placed in (see the module docstring). Measured
#: on the speed benchmark at 1000 x 50: the pools order met all 240 workloads of the
#: highest priority where the share order met 228 and the fewest-slots order 237; on the
#: next priority the fewest-slots order met 172 where the others met 63 to 137 (it takes
#: the workloads one slot serves, where the others spent 3.9 slots a workload).
SHARE, SCARCE, SCARCE_SINGLES_FIRST = _in_order(_share), _in_order(_scarce), _in_order(_scarce, singles_first=True)
ORDERS = (SHARE, SCARCE, SCARCE_SINGLES_FIRST, _fewest_slots_now)
#: The orders a budgeted fleet tries; those that differ only in mixing (left out with one
#: configuration per service); those also tried for every priority at once.
BUDGETED_ORDERS, MIXING_ORDERS, WHOLE_ORDERS = (SHARE, _fewest_slots_now), (SCARCE_SINGLES_FIRST,), ORDERS[:3]


def _meet(fleet, plan: _Plan, w: int, mixed_pools: bool = True) -> None:
    """Serve ``w`` in full if the free slots can: on the one option that holds the fewest
    slots (a training job: the fastest of those), else on a mix of options, the fewest
    slots per request first."""
    if (single := _fewest_slots(fleet, plan, w)) is not None:
        plan.add(single[2], plan.short(w, single[2]))
        return
    if fleet.workloads[w].training or not mixed_pools:
        return
    if plan.services.reachable(plan, w) * (1 + 1e-9) < plan.lacking(w):
        return  # the free slots cannot serve it all, whatever the mix
    added = []
    for i in plan.services.cheapest_first[w]:
        replicas = min(plan.room(i), plan.short(w, i))
        plan.add(i, replicas)
        added.append((i, replicas))
        if plan.lacking(w) <= 0:
            return
    for i, replicas in added:  # not enough for all of it: leave the slots to others
        plan.add(i, -replicas)


def _slots_per_request(fleet, i: int) -> tuple[float, int]:
    return fleet.unit_slots[i] / max(fleet.rate[i], 1), i


def improve(fleet, placed: dict[int, int], levels, passes: int = 3) -> dict[int, int]:
    """``placed`` made better on the later levels by moving one workload at a time: each is
    taken out and put back on whichever of its current placement and its single options
    (each with the replicas its rate needs) is best for it on the levels in order. Every
    level is a sum over workloads and the current placement is always a candidate, so no
    level ever gets worse, and the plan stays feasible."""
    plan = _Plan(fleet)
    for i, r in placed.items():
        plan.add(i, r)
    for _ in range(passes):
        moved = False
        for w in _by_priority(fleet, fleet.by_workload):
            mine = {i: plan.placed[i] for i in fleet.by_workload[w] if i in plan.placed}
            for i, r in mine.items():
                plan.add(i, -r)
            hosting = {plan.group[i][0] for i in mine if i in plan.group and plan.group[i][1]}
            candidates = [mine] + [{i: plan.short(w, i)} for i in fleet.by_workload[w]
                                   if 0 < plan.short(w, i) <= plan.room(i)
                                   and plan.holds_with(i, plan.short(w, i), hosting)]
            best = max(candidates, key=lambda c: _key(fleet, w, c, levels[1:]))
            for i, r in best.items():
                plan.add(i, r)
            moved |= best is not mine
        if not moved:
            break
    return plan.placed


def _key(fleet, w: int, allocation: dict[int, int], levels) -> tuple:
    """Workload ``w``'s part of the SLO level and then of ``levels`` with ``allocation``
    (larger is better)."""
    supply = sum((fleet.rate[i] or 1) * r for i, r in allocation.items())
    key = [int(supply >= fleet.wanted.get(w, 1))]
    for level in levels:
        if level.coefficients is not None:
            value = sum(level.coefficients[i] * r for i, r in allocation.items())
        elif level.name.startswith("running"):
            value = int(fleet.keeps(w, allocation))
        else:  # served requests/s
            value = min(fleet.wanted[w], supply) if w in fleet.wanted else 0
        key.append(value if level.sense == "maximize" else -value)
    return tuple(key)
