"""Fleet planning: many workloads placed at once on one shared inventory.

Formulation
-----------
Sets
    W   workloads: inference services (request rate R_w, latency SLO) and training jobs
        (a dataset, a deadline), each with a priority.
    P   pools: n_p devices of one type, each split into s_p slots (1 when not shared, the MIG
        instance count, or the time-slicing share count): S_p = n_p s_p slots in all.
    O   options (planner.fleet.options): one way to run w on p, with u_o slots per replica,
        t_o requests/s per replica, need_o = ceil(R_w / t_o) replicas for the whole rate and
        per-replica power and cost. A training job's option is one replica of u_o slots.
Variables
    y_o in {0,1}          option o runs its workload
    r_o in [0, max_o]     replicas of o (max_o = min(need_o, S_p // u_o)); training: r_o = y_o
    f_o in {0,1}          o serves its workload in full (r_o >= need_o)
Constraints
    sum_{o in O(w)} y_o <= 1                  at most one configuration per workload
    y_o <= r_o <= max_o y_o,  f_o <= y_o,  f_o <=> r_o = need_o (r_o <= need_o - 1 + f_o)
    served by o = t_o r_o - (t_o need_o - R_w) f_o = min(R_w, t_o r_o)   (linear, exact)
    sum_{o in O(p)} u_o r_o <= S_p            no pool over-committed
Every option meets its workload's latency SLO and other per-request bounds on one replica,
so every served request meets its SLO; a workload meets its SLOs when f_o holds (training:
when placed, as its option ends by the deadline).
Objective (lexicographic, each level fixed at its value before the next)
    1. workloads that meet their SLOs, by strict priority: a workload of higher priority is
       never given up for any number of lower ones (weights 1 + the most the lower levels
       can score);
    2. the fleet objective: served requests/s (maximise), power or cost (minimise);
    3. the other two of served, power and cost; then fewest slots; then the lowest option
       indices, so the answer is unique.
Figures are scaled to integers: milli-requests/s (rounded down), milliwatts and
micro-dollars per hour (rounded up); unknown power or cost counts as worse than any known.
Search
    A greedy first plan (by priority, each workload on its fewest-slot option that fits)
    is the hint every level starts from. When it meets every SLO that any option can meet,
    level 1 is proven without a solve (its bound is reached), and likewise level 2 when it
    also serves every rate as fully as any option can. The solver's time limit is shared by
    all levels in order, so the SLO and fleet-objective levels come first and tie-breakers
    get what is left; levels the limit leaves unsolved are reported (fewer gaps than levels).
"""

from __future__ import annotations

import math
from collections import defaultdict

from hardware import Catalog, Inventory
from planner.errors import PlanningError
from planner.fleet.options import FleetWorkload, Option, build_options
from planner.fleet.plan import Assignment, FleetPlan, FleetSolverReport, FleetTotals, PoolUse, Unplaced
from planner.perf.factors import PerfFactors, load_factors
from planner.perf.roofline import stored_corrections
from planner.solve.chooser import SolverSettings, new_solver, optimise_in_order
from planner.solve.cpsat import cp_model

FLEET_OBJECTIVES = {"throughput": "maximize", "power": "minimize", "cost": "minimize"}
RATE_SCALE, POWER_SCALE, COST_SCALE = 1_000, 1_000, 1_000_000


class FleetModel:
    """The CP-SAT model of one fleet (see the module docstring)."""

    def __init__(self, workloads: list[FleetWorkload], pools, options: list[Option]):
        self.cp = cp_model()
        self.workloads, self.pools, self.options = workloads, pools, options
        m = self.model = self.cp.CpModel()
        self.y = [m.new_bool_var(f"y{i}") for i in range(len(options))]
        self.r = [m.new_int_var(0, min(o.need, o.max_replicas), f"r{i}") for i, o in enumerate(options)]
        self.f = [m.new_bool_var(f"f{i}") for i in range(len(options))]
        by_workload: dict[int, list[int]] = defaultdict(list)
        by_pool: dict[int, list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            by_workload[o.workload].append(i)
            by_pool[o.pool].append(i)
            m.add(self.r[i] >= self.y[i])
            m.add(self.r[i] <= min(o.need, o.max_replicas) * self.y[i])
            m.add_implication(self.f[i], self.y[i])
            if workloads[o.workload].training:
                m.add(self.f[i] == self.y[i])  # a placed job ends by its deadline (its options do)
            elif o.full:
                m.add(self.r[i] >= o.need).only_enforce_if(self.f[i])
                m.add(self.r[i] <= o.need - 1 + self.f[i])  # all the replicas needed: then f holds
            else:
                m.add(self.f[i] == 0)
        self.by_workload = by_workload
        for w in by_workload.values():
            m.add_at_most_one(self.y[i] for i in w)
        for p, members in by_pool.items():
            m.add(sum(options[i].slots_per_replica * self.r[i] for i in members) <= pools[p].total_slots)
        # Served rate of option o: c_o r_o, less the excess over the request rate when o
        # serves it in full (f_o <=> r_o = need_o), so it is exactly min(R_w, t_o r_o).
        self.rate = [0 if workloads[o.workload].training else math.floor(o.rate_rps * RATE_SCALE) for o in options]
        self.excess = [max(0, c * o.need - round(workloads[o.workload].rate_rps * RATE_SCALE)) if c and o.full else 0
                       for c, o in zip(self.rate, options)]
        self.weight = self._priority_weights()
        for w, members in by_workload.items():
            if not workloads[w].training:  # redundant (each option serves at most R_w), but tightens the bound
                m.add(sum(self.rate[i] * self.r[i] - self.excess[i] * self.f[i] for i in members)
                      <= round(workloads[w].rate_rps * RATE_SCALE))

    def _priority_weights(self) -> dict[int, int]:
        """A weight per workload such that one workload of a higher priority outweighs all
        workloads of lower priorities together (1 + the most the lower levels can score)."""
        counts: dict[int, int] = defaultdict(int)
        for w in self.by_workload:
            counts[self.workloads[w].priority] += 1
        by_priority, lower = {}, 0
        for priority in sorted(counts):
            by_priority[priority] = lower + 1
            lower += by_priority[priority] * counts[priority]
        return {w: by_priority[self.workloads[w].priority] for w in self.by_workload}

    def greedy(self) -> dict[int, int]:
        """A first plan (option -> replicas): workloads by priority, each on its option with
        the fewest slots that still fits in full."""
        free = {p: item.total_slots for p, item in enumerate(self.pools)}
        placed: dict[int, int] = {}
        for w in sorted(self.by_workload, key=lambda w: (-self.workloads[w].priority, w)):
            fitting = [i for i in self.by_workload[w] if self.options[i].full
                       and self.options[i].need * self.options[i].slots_per_replica <= free[self.options[i].pool]]
            if fitting:
                i = min(fitting, key=lambda i: (self.options[i].need * self.options[i].slots_per_replica, i))
                placed[i] = self.options[i].need
                free[self.options[i].pool] -= self.options[i].need * self.options[i].slots_per_replica
        return placed

    def hint(self, placed: dict[int, int]) -> None:
        """Start the search from ``placed`` (every option in it serves its workload in full)."""
        for i in range(len(self.options)):
            self.model.add_hint(self.y[i], int(i in placed))
            self.model.add_hint(self.r[i], placed.get(i, 0))
            self.model.add_hint(self.f[i], int(i in placed))

    def settled(self, objective: str, placed: dict[int, int]) -> tuple[int, ...]:
        """The leading levels ``placed`` provably reaches: SLOs met when it meets every
        workload some option can serve in full, then, for the throughput objective, served
        rate when each workload gets the most any of its options can serve. A bound reached
        is an optimum proven without a solve."""
        full = {o.workload for o in self.options if o.full}
        met = sum(self.weight[self.options[i].workload] for i in placed)
        if met != sum(self.weight[w] for w in full):
            return ()
        if objective != "throughput":
            return (met,)
        served = sum(self._served(i, r, True) for i, r in placed.items())
        best = sum(max(self._served(i, min(self.options[i].need, self.options[i].max_replicas), self.options[i].full)
                       for i in members)
                   for w, members in self.by_workload.items() if not self.workloads[w].training)
        return (met, served) if served == best else (met,)

    def _served(self, i: int, replicas: int, full: bool) -> int:
        """Scaled requests/s option ``i`` serves with ``replicas`` (the model's expression)."""
        return self.rate[i] * replicas - self.excess[i] * int(full)

    def met(self):
        """Workloads meeting their SLOs, weighted so that priorities are strict."""
        return sum(self.weight[o.workload] * self.f[i] for i, o in enumerate(self.options))

    def total(self, metric: str):
        if metric == "throughput":
            return sum(c * r - e * f for c, e, r, f in zip(self.rate, self.excess, self.r, self.f))
        scale, field = (POWER_SCALE, "power_w") if metric == "power" else (COST_SCALE, "cost_usd_per_hour")
        known = [getattr(o, field) for o in self.options if getattr(o, field) is not None]
        unknown = math.ceil(max(known, default=0) * scale) * 10 + 1
        coefficients = [unknown if getattr(o, field) is None else math.ceil(getattr(o, field) * scale)
                        for o in self.options]
        return sum(c * r for c, r in zip(coefficients, self.r))

    def levels(self, objective: str) -> list[tuple[str, object, str]]:
        """(name, expression, sense), most important first."""
        others = [m for m in FLEET_OBJECTIVES if m != objective]
        out = [("workloads meeting their SLOs (by priority)", self.met(), "maximize"),
               (_describe(objective), self.total(objective), FLEET_OBJECTIVES[objective])]
        out += [(_describe(m), self.total(m), FLEET_OBJECTIVES[m]) for m in others]
        out += [("fewest slots", sum(o.slots_per_replica * r for o, r in zip(self.options, self.r)), "minimize"),
                ("catalog order", sum(i * y for i, y in enumerate(self.y))
                 + sum(i * r for i, r in enumerate(self.r)), "minimize")]
        return out


def _describe(metric: str) -> str:
    return {"throughput": "maximize served requests/s", "power": "minimize power",
            "cost": "minimize cost per hour"}[metric]


def plan_fleet(workloads: list[FleetWorkload], inventory: Inventory, catalog: Catalog, objective: str = "throughput",
               settings: SolverSettings | None = None, factors: PerfFactors | None = None) -> FleetPlan:
    """Place every workload on the inventory with one CP-SAT model (see the module docstring)."""
    if objective not in FLEET_OBJECTIVES:
        raise ValueError(f"fleet objective must be one of {', '.join(FLEET_OBJECTIVES)}, not {objective!r}")
    settings = settings or SolverSettings()
    factors = factors or load_factors()
    pools = list(inventory.devices)
    corrections = stored_corrections(catalog, factors)
    built = build_options(workloads, pools, catalog, factors, corrections)
    options, why_not = built.options, built.why_not
    fleet = FleetModel(workloads, pools, options)
    levels = fleet.levels(objective)
    solver = new_solver(fleet.cp, settings)
    # The full LP relaxation proves these knapsack-like levels optimal in a fraction of the
    # time the default search takes (measured: seconds instead of time-outs at 52 workloads).
    solver.parameters.linearization_level = 2
    # Probing in presolve took a third of every level's time on 200 workloads, for no gain.
    solver.parameters.cp_model_probing_level = 0
    keep = [*fleet.y, *fleet.r, *fleet.f]
    first = fleet.greedy()
    fleet.hint(first)
    result = optimise_in_order(fleet.cp, fleet.model, solver, [(e, s) for _, e, s in levels], keep=keep,
                               budget_s=settings.time_limit_s, settled=fleet.settled(objective, first)) \
        if options else None
    if options and result is None:
        raise PlanningError(f"the solver found no fleet plan within its {settings.time_limit_s:g} s time limit; "
                            "give it more time (--time-limit)")
    chosen, served = {}, {}
    if result is not None:
        n = len(options)
        y, r = result.assignment[:n], result.assignment[n:2 * n]
        for i, o in enumerate(options):
            if y[i]:
                chosen[o.workload] = (o, r[i], r[i] >= o.need)
                if not workloads[o.workload].training:
                    served[o.workload] = min(workloads[o.workload].rate_rps, o.rate_rps * r[i])
    report = FleetSolverReport(
        status=result.status if result else "OPTIMAL", levels=[name for name, _, _ in levels],
        gaps=list(result.gaps) if result else [], options=len(options), time_limit_s=settings.time_limit_s,
        seed=settings.seed, workers=settings.workers)
    return _fleet_plan(workloads, pools, options, chosen, served, why_not, objective, report, catalog)


def _fleet_plan(workloads, pools, options, chosen, served, why_not, objective, report, catalog) -> FleetPlan:
    assignments, unplaced = [], []
    used: dict[int, int] = defaultdict(int)
    for w, (o, replicas, _) in chosen.items():
        used[o.pool] += o.slots_per_replica * replicas
    for w, workload in enumerate(workloads):
        if w in chosen:
            o, replicas, full = chosen[w]
            assignments.append(_assignment(workload, pools[o.pool], o, replicas, full, served.get(w)))
            if not full:
                unplaced.append(Unplaced(workload=workload.name, priority=workload.priority,
                                         served_share=served.get(w, 0.0) / workload.rate_rps,
                                         reason=_partial_reason(workload, pools, o, replicas, served.get(w, 0.0))))
        else:
            unplaced.append(Unplaced(workload=workload.name, priority=workload.priority,
                                     reason=_unplaced_reason(w, workload, pools, options, why_not.get(w, {}), used)))
    utilisation = [_pool_use(p, item, chosen, served) for p, item in enumerate(pools)]
    inference = [w for w in workloads if not w.training]
    power = [a.power_w for a in assignments]
    cost = [a.cost_usd_per_hour for a in assignments]
    totals = FleetTotals(
        workloads=len(workloads), placed=len(assignments), slo_met=sum(a.slo_met for a in assignments),
        requested_rps=sum(w.rate_rps for w in inference), served_rps=sum(a.served_rps or 0.0 for a in assignments),
        power_w=sum(p for p in power if p is not None), cost_usd_per_hour=sum(c for c in cost if c is not None),
        cost_known=all(c is not None for c in cost))
    assumptions = [
        "a shared device (MIG or time-slicing) gives each slot an even share of its compute, bandwidth, memory and "
        "power; time-sliced tenants are planned within an even share of memory, as time-slicing does not isolate it",
        "a training job holds its slots for its whole run; power and cost are at full load",
        "inference power and cost count every replica at the load of a full batch",
    ]
    return FleetPlan(objective=_describe(objective), assignments=assignments, unplaced=unplaced,
                     utilisation=utilisation, totals=totals, solver=report, assumptions=assumptions,
                     catalog_hash=catalog.digest)


def _assignment(workload: FleetWorkload, item, o: Option, replicas: int, full: bool, served: float | None) -> Assignment:
    return Assignment(
        workload=workload.name, kind="training" if workload.training else "inference", priority=workload.priority,
        pool=item.name, device_id=item.id, model_id=o.model_id, precision=o.precision, batch_size=o.batch_size,
        replicas=replicas, slots_per_replica=o.slots_per_replica, slots=o.slots_per_replica * replicas,
        latency_ms=o.latency_ms, latency_slo_ms=workload.latency_slo_ms,
        requested_rps=workload.rate_rps, served_rps=served,
        job_hours=o.job_hours, deadline_hours=workload.deadline_hours,
        power_w=None if o.power_w is None else o.power_w * replicas,
        cost_usd_per_hour=None if o.cost_usd_per_hour is None else o.cost_usd_per_hour * replicas,
        slo_met=full)


def _pool_use(p: int, item, chosen, served) -> PoolUse:
    slots = item.total_slots
    used = busy = 0.0
    power: float | None = 0.0
    for w, (o, replicas, _) in chosen.items():
        if o.pool != p:
            continue
        used += o.slots_per_replica * replicas
        if o.rate_rps:
            busy += o.slots_per_replica * min(replicas, served.get(w, 0.0) / o.rate_rps)
        else:
            busy += o.slots_per_replica
        power = None if power is None or o.power_w is None else power + o.power_w * replicas
    return PoolUse(pool=item.name, device_id=item.id, devices=item.count, slots=slots, slots_used=int(used),
                   allocated=used / slots, busy=busy / slots, power_w=power)


def _partial_reason(workload: FleetWorkload, pools, o: Option, replicas: int, served: float) -> str:
    if not o.full:
        return (f"served {served:,.1f} of {workload.rate_rps:,.1f} req/s: the whole rate needs {o.need} replicas of "
                f"{o.slots_per_replica} slot(s) on {pools[o.pool].name}, more than the pool holds")
    return (f"served {served:,.1f} of {workload.rate_rps:,.1f} req/s with {replicas} of the {o.need} replicas the "
            f"whole rate needs: the rest of {pools[o.pool].name} went to workloads ranked higher")


def _unplaced_reason(w: int, workload: FleetWorkload, pools, options: list[Option], why_not: dict[str, str],
                     used: dict[int, int]) -> str:
    mine = [o for o in options if o.workload == w]
    if not mine:
        return "no pool can run it: " + "; ".join(f"{pool}: {reason}" for pool, reason in why_not.items())
    fewest = min(mine, key=lambda o: (o.slots_per_replica * min(o.need, o.max_replicas), o.pool))
    pool = pools[fewest.pool]
    free = pool.total_slots - used.get(fewest.pool, 0)
    pools_named = ", ".join(sorted({pools[o.pool].name for o in mine}))
    return (f"no capacity left: it needs at least {fewest.slots_per_replica * min(fewest.need, fewest.max_replicas)} "
            f"slot(s) of {pool.name} ({free} free); the pools that can run it ({pools_named}) went to workloads "
            "ranked higher (by priority, then the fleet objective)")
