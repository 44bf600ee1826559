"""A bound on each level of a fleet from the LP relaxation of its model (GLOP, bundled with
OR-Tools), with the levels above fixed at their values, as CP-SAT fixes them.

Why: CP-SAT reaches its own LP bound on a tie-breaker level only after a second or two at
200 x 50 (the training level: bound 29 after 0.45 s, 361 after 1.85 s), time the level's
search needs; GLOP solves the same relaxation in about 0.25 s there (342 job hours), so a
level's gap is honest and small however little time CP-SAT had, and a level whose plan
reaches the bound is proven there and then.

The relaxation is the model of planner.fleet.model with every variable continuous: the
replicas r_o in [0, m_o], met_w in [0, 1], s_w in [0, R_w], k_w in [0, 1], and every
constraint as written there (but "one configuration per service", which only tightens
it), plus one valid inequality that tightens it: the capped cover
sum_o min(c_o, R_w) r_o >= R_w met_w (a replica counts for at most the rate; true of
every plan, since a replica of c_o >= R_w alone serves R_w). Without it a service that one
replica serves with room to spare holds a fraction of a replica (at 200 x 50 the training
level's bound rose from 440 to 456 job milli-hours with it; the best plan found in 90 s
with two workers is 468). Every plan of the model is a point of it, so its optimum bounds the level. GLOP
works in floating point: the bound is moved by a relative 1e-6 towards the plan's side
before it is rounded, so a tolerance never proves a level that is not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

#: The relative slack taken off the LP optimum before rounding it (GLOP's tolerances are
#: about 1e-7 relative).
SLACK = 1e-6
#: Seconds solving the LP takes per option, twice that with building it first (measured
#: at 200 x 50, 18,811 options: 0.21 s built and solved, then 0.12-0.22 s a level; 1.7 s
#: built and solved at 1000 x 50, 93,883 options), and the share of a level's time left
#: that a bound may take: one that would take more is not sought.
LP_SECONDS, LP_SHARE = 1.2e-5, 0.35


@dataclass(frozen=True)
class LpSolution:
    """The relaxation's optimum on level ``depth``: each option's replicas and reduced cost
    (how much the level's LP value worsens per replica of an option it does not use)."""

    depth: int
    replicas: list[float]
    reduced_costs: list[float]


class Relaxation:
    """The LP relaxation of a fleet's model (a FleetModel), built on first use. ``solution``
    is the last level's LP optimum (None: none solved)."""

    def __init__(self, fleet, levels):
        self.fleet, self.levels = fleet, levels
        self.solver = None
        self.solution: LpSolution | None = None

    def __call__(self, depth: int, above: tuple[int, ...], seconds: float) -> int | None:
        """A bound on level ``depth`` when the levels before it have the values ``above``
        (None: it would take more than LP_SHARE of ``seconds``, GLOP is not available, or
        it did not solve the LP)."""
        from ortools.linear_solver import pywraplp

        if LP_SECONDS * len(self.fleet.options) * (1 if self.solver else 2) > LP_SHARE * seconds:
            return None
        if self.solver is None:
            self._build()
        if self.solver is None:
            return None
        for level, value in zip(self.levels[:depth], above):
            row = self.fixed.get(level.name)
            if row is None:
                row = self.fixed[level.name] = self.solver.Constraint(value, value)
                for var, c in self._terms(level):
                    row.SetCoefficient(var, c)
            row.SetBounds(value, value)
        level = self.levels[depth]
        objective = self.solver.Objective()
        objective.Clear()
        for var, c in self._terms(level):
            objective.SetCoefficient(var, c)
        objective.SetOptimizationDirection(level.sense == "maximize")
        self.solution = None
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        lp = objective.Value()
        self.solution = LpSolution(depth, [var.solution_value() for var in self.r],
                                   [var.reduced_cost() for var in self.r])
        slack = SLACK * max(1.0, abs(lp))
        return int(-(-(lp - slack) // 1)) if level.sense == "minimize" else int((lp + slack) // 1)

    def _terms(self, level) -> list[tuple[object, int]]:
        """``level`` as (variable, coefficient) pairs."""
        from planner.fleet.model import KEPT, SLOS

        if level.coefficients is not None:
            return [(self.r[i], c) for i, c in enumerate(level.coefficients) if c]
        if level.name == SLOS:
            return [(self.met[w], self.fleet.weight[w]) for w in self.met]
        if level.name == KEPT:
            return [(var, 1) for var in self.kept.values()]
        return [(var, 1) for var in self.served.values()]

    def _build(self) -> None:
        from ortools.linear_solver import pywraplp

        solver = pywraplp.Solver.CreateSolver("GLOP")
        if solver is None:
            return
        fleet, inf = self.fleet, solver.infinity()
        r = self.r = [solver.NumVar(0, cap, f"r{i}") for i, cap in enumerate(fleet.cap)]
        by_pool: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(fleet.pool_of):
            by_pool[p].append(i)

        def row(terms, lower, upper):
            constraint = solver.Constraint(lower, upper)
            for var, c in terms:
                if c:
                    constraint.SetCoefficient(var, c)

        # No pool is over-committed; jobs beside inference within their hosts' slots.
        for p, members in by_pool.items():
            row([(r[i], fleet.held[i]) for i in members], -inf, fleet.pools[p].total_slots)
        for jobs, hosts in fleet.hosting:
            row([(r[i], fleet.unit_slots[i]) for i in jobs] + [(r[i], -fleet.unit_slots[i]) for i in hosts], -inf, 0)
        self.met, self.served = {}, {}
        for w, members in fleet.by_workload.items():
            met = self.met[w] = solver.NumVar(0, 1, f"met{w}")
            if fleet.workloads[w].training:  # met_w = sum_o r_o <= 1
                row([(r[i], 1) for i in members] + [(met, -1)], 0, 0)
                continue
            wanted = fleet.wanted[w]
            excess = max(0, sum(fleet.rate[i] * fleet.cap[i] for i in members) - wanted)
            served = self.served[w] = solver.NumVar(0, wanted, f"s{w}")
            supply = [(r[i], fleet.rate[i]) for i in members]
            row(supply + [(served, -1)], 0, inf)  # s_w <= supply
            row(supply + [(met, -wanted)], 0, inf)  # R_w met_w <= supply
            row([(served, 1), (met, -wanted)], 0, inf)  # s_w >= R_w met_w
            row([(served, 1), (met, excess)] + [(var, -c) for var, c in supply], 0, inf)  # s_w >= supply - E_w met_w
            row([(r[i], min(fleet.rate[i], wanted)) for i in members] + [(met, -wanted)], 0, inf)  # capped cover
        self.kept = {}
        for w in fleet.keepable:
            kept = self.kept[w] = solver.NumVar(0, 1, f"k{w}")
            for i, replicas in fleet.keep_rules[w]:
                row([(r[i], 1), (kept, -replicas)], 0, inf)
        self.fixed: dict[str, object] = {}
        self.solver = solver
