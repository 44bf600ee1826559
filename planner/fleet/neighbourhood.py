"""A better plan on one linear tie-breaker level of a fleet, by large-neighbourhood search:
a few pools at a time are planned again (a small CP-SAT model), every other placement
kept as it is.

Why: with one worker CP-SAT rarely improves on its hint on these levels, and SCIP needs
more than the time a level has at 200 x 50 (about 10 s to bring the training level from
1,145 job hours to 394). The better moves there are chains across pools: a job moves to
the pool where it runs fastest, the inference replicas there move to pools with free
slots. So a neighbourhood is, for the workload furthest from its own best on the level,
the pools it runs on, the pools of its best options and the pools with the most free
slots; the workloads furthest from their best go first.

Every workload keeps its outcome on the levels above, as in planner.fleet.start: a job
runs or not, a service met stays met (its replicas in the neighbourhood serve what those
outside it do not), a service not met keeps its placements, a running workload kept stays
kept, and the linear levels already solved keep their values. Each neighbourhood is solved
with a deterministic-time limit, so the search takes the same steps on any machine until
its wall-time share runs out.
"""

from __future__ import annotations

import time
from collections import defaultdict

from planner.solve.cpsat import cp_model

#: CP-SAT's deterministic time (about seconds on one core) one neighbourhood may take.
NEIGHBOURHOOD_DTIME = 0.2
#: Per neighbourhood, the pools of the workload's best options on the level, and the pools
#: with the most free slots, besides the pools it runs on (measured at 200 x 50 on the
#: training level: 2 and 2 took 1,145 job hours to 562 in 1.4 s, 3 and 3 to 545 in 5.4 s).
BEST_POOLS, ROOMY_POOLS = 2, 2


class Neighbourhoods:
    """The large-neighbourhood search of one fleet (a FleetModel) for its linear levels."""

    def __init__(self, fleet):
        self.fleet = fleet
        self.by_pool: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(fleet.pool_of):
            self.by_pool[p].append(i)

    def improve(self, placed: dict[int, int], level, fixed: list[tuple[object, int]],
                seconds: float) -> dict[int, int]:
        """``placed`` (option -> replicas) made better on ``level`` (a linear Level), the
        linear levels ``fixed`` (Level, value) at their values, every workload keeping its outcome
        on the levels above (see the module docstring); at most ``seconds`` of wall time."""
        deadline = time.perf_counter() + seconds
        value = _value(level.coefficients, placed)
        for w in self._furthest_first(placed, level):
            if time.perf_counter() >= deadline:
                break
            found = self._solve(placed, level, fixed, self._pools(placed, level, w), deadline)
            if found is not None and _better(_value(level.coefficients, found), value, level.sense):
                placed, value = found, _value(level.coefficients, found)
        return placed

    def _furthest_first(self, placed: dict[int, int], level) -> list[int]:
        """The workloads whose part of ``level`` is worse than their best option alone would
        give them, the furthest from it first."""
        fleet, c = self.fleet, level.coefficients
        sign = 1 if level.sense == "minimize" else -1
        excess = {}
        for w, members in fleet.by_workload.items():
            mine = sum(c[i] * placed.get(i, 0) for i in members)
            if not mine:
                continue
            best = min(sign * c[i] * (1 if fleet.workloads[w].training else fleet.options[i].need) for i in members)
            if sign * mine > best:
                excess[w] = sign * mine - best
        return sorted(excess, key=lambda w: (-excess[w], w))

    def _pools(self, placed: dict[int, int], level, w: int) -> list[int]:
        """The pools ``w`` runs on, those of its best options on ``level``, and the pools with
        the most free slots."""
        fleet, c = self.fleet, level.coefficients
        sign = 1 if level.sense == "minimize" else -1
        pools = sorted({fleet.pool_of[i] for i in fleet.by_workload[w] if placed.get(i)})
        for i in sorted(fleet.by_workload[w], key=lambda i: (sign * c[i], i)):
            if len(pools) >= BEST_POOLS + 1:
                break
            if fleet.pool_of[i] not in pools:
                pools.append(fleet.pool_of[i])
        free = {p: item.total_slots for p, item in enumerate(fleet.pools)}
        for i, n in placed.items():
            free[fleet.pool_of[i]] -= fleet.held[i] * n
        roomy = [p for p in sorted(free, key=lambda p: (-free[p], p)) if p not in pools]
        return pools + roomy[:ROOMY_POOLS]

    def _solve(self, placed: dict[int, int], level, fixed, pools: list[int],
               deadline: float) -> dict[int, int] | None:
        """The best plan on ``level`` that changes only the placements on ``pools`` (None: none
        found in the neighbourhood's time)."""
        fleet = self.fleet
        cp = cp_model()
        inside = [i for p in pools for i in self.by_pool[p]]
        # A service not met keeps its placements (the SLO and served-rate levels are fixed).
        free = [i for i in inside if fleet.workloads[fleet.workload_of[i]].training
                or fleet.meets(fleet.workload_of[i], placed)]
        if not free:
            return None
        model = cp.CpModel()
        r = {i: model.new_int_var(0, fleet.cap[i], f"r{i}") for i in free}

        def weighted(members, coefficients):
            return cp.LinearExpr.weighted_sum([r[i] for i in members], [coefficients[i] for i in members])

        out = {i: n for i, n in placed.items() if i not in r}  # the placements kept as they are
        # No pool is over-committed.
        for p in pools:
            members = [i for i in self.by_pool[p] if i in r]
            held = sum(fleet.held[i] * n for i, n in out.items() if fleet.pool_of[i] == p)
            model.add(weighted(members, fleet.held) <= fleet.pools[p].total_slots - held)
        # Jobs beside inference run on slots that replicas of their idle band hold, one per slot.
        slots = fleet.unit_slots
        for jobs, hosts in fleet.hosting:
            if any(i in r for i in (*jobs, *hosts)):
                taken = weighted([i for i in jobs if i in r], slots) + sum(slots[i] * out.get(i, 0) for i in jobs)
                model.add(taken <= weighted([i for i in hosts if i in r], slots)
                          + sum(slots[i] * out.get(i, 0) for i in hosts))
        # Every workload keeps its outcome: a job runs as often as it did, a service met stays met.
        mine: dict[int, list[int]] = defaultdict(list)
        for i in free:
            mine[fleet.workload_of[i]].append(i)
        for w, members in mine.items():
            if fleet.workloads[w].training:
                model.add(cp.LinearExpr.sum([r[i] for i in members]) == sum(placed.get(i, 0) for i in members))
            else:
                outside = sum(fleet.rate[i] * out.get(i, 0) for i in fleet.by_workload[w])
                model.add(weighted(members, fleet.rate) >= fleet.wanted[w] - outside)
        # A running workload kept stays kept.
        for w in fleet.keepable:
            if fleet.keeps(w, placed):
                for i, replicas in fleet.keep_rules[w]:
                    if i in r:
                        model.add(r[i] >= replicas)
        # The linear levels already solved keep their values (each is fixed at its value).
        for done, _ in fixed:
            model.add(weighted(free, done.coefficients) == sum(done.coefficients[i] * placed.get(i, 0) for i in free))
        objective = weighted(free, level.coefficients)
        model.minimize(objective) if level.sense == "minimize" else model.maximize(objective)
        for i in free:
            model.add_hint(r[i], placed.get(i, 0))
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = NEIGHBOURHOOD_DTIME
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.0)
        if solver.solve(model) not in (cp.OPTIMAL, cp.FEASIBLE):
            return None
        found = dict(out)
        found.update({i: solver.value(r[i]) for i in free if solver.value(r[i])})
        return found


def _value(coefficients: list[int], placed: dict[int, int]) -> int:
    return sum(coefficients[i] * n for i, n in placed.items())


def _better(value: int, than: int, sense: str) -> bool:
    return value < than if sense == "minimize" else value > than
