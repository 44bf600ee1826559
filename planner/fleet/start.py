"""A better start for the SLO level and each tie-breaker level of a fleet: the level solved
as a MIP (SCIP, bundled with OR-Tools), a tie-breaker over the plans that keep every
workload's outcome on the levels above, handed to CP-SAT as its hint.

Why: with one worker CP-SAT rarely improves on its hint on these levels. At 200 x 50 SCIP
finds the plan meeting all 200 SLOs in about a second where CP-SAT took five, and proves
the power level in about nine seconds; on the training level it found nothing better in
30 s either. CP-SAT still solves every level: a start only moves where it begins, so each
level's value and proof are CP-SAT's, checked in exact integers (a start that broke a
constraint by SCIP's tolerances would be dropped by CP-SAT, never followed).

The restriction keeps the levels above exactly: every workload keeps its outcome of the
current plan (a training job runs or not; a service met stays met, one not met keeps its
served rate; a running workload kept stays kept), and each tie-breaker level already
solved stays at its value. Every level above is a sum over workloads of these outcomes,
so any plan of the restriction has the same values there.
"""

from __future__ import annotations

import time
from collections import defaultdict

from planner.fleet.greedy import improve
from planner.fleet.neighbourhood import Neighbourhoods
from planner.fleet.restricted import restricted_start

#: Only a start better than the current plan is worth a hint; SCIP is run for at most
#: this share of a level's time (CP-SAT, which proves, gets the rest).
START_SHARE = 0.5
#: The SLO level's share: its bound is known (every workload its options can serve), so a
#: start that reaches it ends the level at once, and CP-SAT alone rarely improves on its
#: hint there. At 200 x 50 SCIP needs about 1.8 s, more than half of the level's time.
SLO_START_SHARE = 0.8
#: The share of a tie-breaker level's time left the large-neighbourhood search takes
#: (planner.fleet.neighbourhood) when SCIP found no start (or had too little time to
#: try) and CP-SAT's gap is above NEIGHBOURHOOD_GAP. At 200 x 50 it took the training level
#: from 1,145 job hours to 565 in 0.7 s, where CP-SAT found nothing better in 30 s and SCIP
#: needs about 10 s. A level CP-SAT is close to proving keeps its time: at 200 x 10 the
#: power level (gap 0.12% after CP-SAT's first try) is proven in the next second.
NEIGHBOURHOOD_SHARE, NEIGHBOURHOOD_GAP = 0.6, 0.05
#: The share of a linear tie-breaker level's time left the restricted start may take
#: (planner.fleet.restricted; it needed 0.2 s of a 1.6 s level at 200 x 50).
RESTRICTED_SHARE = 0.4
#: Less time than this is not worth building the MIP for (SCIP's presolve alone takes
#: half a second at 200 x 50).
MIN_START_S = 1.0
#: Seconds per option a tie-breaker level's MIP start needs (measured on the training
#: level: 0.77 s at 200 x 10, 4,162 options; nothing found in 1.3 s at 200 x 50, 18,303
#: options): with less, the large-neighbourhood search gets the time (there it took the
#: level to 1,071 job milli-hours where SCIP's failed try left 1,371).
MIP_SECONDS = 1.85e-4


def mip_start(fleet, placed: dict[int, int], level, fixed: list[tuple[object, int]],
              seconds: float) -> dict[int, int] | None:
    """A plan (option -> replicas) better than ``placed`` on ``level`` (a linear Level of
    ``fleet``, a FleetModel), keeping every workload's outcome on the levels above and the
    linear levels ``fixed`` (Level, value) at their values; None when none is found in
    ``seconds`` (or SCIP is not available)."""
    begun = time.perf_counter()
    if level.coefficients is None or seconds < max(MIN_START_S, MIP_SECONDS * len(fleet.options)):
        return None
    solver, r = _placements(fleet)
    if solver is None:
        return None
    # Every workload keeps its outcome: a job runs or not, a service met stays met, one not
    # met keeps its served rate (so the SLO and served-rate levels keep their values).
    for w, members in fleet.by_workload.items():
        supply = fleet.supply(w, placed)
        if fleet.workloads[w].training or supply < fleet.wanted[w]:
            lower, upper = supply, supply
        else:
            lower, upper = fleet.wanted[w], solver.infinity()
        _row(solver, r, {i: fleet.rate[i] or 1 for i in members}, lower, upper)
    # A running workload kept stays kept.
    for w in fleet.keepable:
        if fleet.keeps(w, placed):
            for i, replicas in fleet.keep_rules[w]:
                r[i].SetLb(replicas)
    # The tie-breaker levels already solved keep their values.
    for done, value in fixed:
        bounds = (-solver.infinity(), value) if done.sense == "minimize" else (value, solver.infinity())
        _row(solver, r, dict(enumerate(done.coefficients)), *bounds)
    objective = solver.Objective()
    for i, c in enumerate(level.coefficients):
        if c:
            objective.SetCoefficient(r[i], c)
    objective.SetOptimizationDirection(level.sense == "maximize")
    solver.SetHint(r, [placed.get(i, 0) for i in range(len(r))])  # the plan so far: feasible here
    found = _solve(solver, r, seconds - (time.perf_counter() - begun))  # building the MIP counts (0.3 s at 1000 x 50)
    if found is None:
        return None
    current, start = (sum(level.coefficients[i] * n for i, n in plan.items()) for plan in (placed, found))
    return found if (start < current if level.sense == "minimize" else start > current) else None


def slo_start(fleet, placed: dict[int, int], seconds: float) -> dict[int, int] | None:
    """A plan (option -> replicas) meeting more SLOs than ``placed`` (weighted by priority,
    the SLO level of ``fleet``); None when none is found in ``seconds``. At 200 x 50 SCIP
    finds the plan meeting all 200 in about a second, where CP-SAT took five."""
    begun = time.perf_counter()
    if seconds < MIN_START_S:
        return None
    solver, r = _placements(fleet)
    if solver is None:
        return None
    met = {}
    for w, members in fleet.by_workload.items():
        # A workload is met when its placements serve its whole rate (a training job: it runs, once).
        met[w] = solver.IntVar(0, 1, f"met{w}")
        row = solver.Constraint(0, solver.infinity())
        for i in members:
            row.SetCoefficient(r[i], fleet.rate[i] or 1)
        row.SetCoefficient(met[w], -fleet.wanted.get(w, 1))
        if fleet.workloads[w].training:
            _row(solver, r, dict.fromkeys(members, 1), 0, 1)
    objective = solver.Objective()
    for w, var in met.items():
        objective.SetCoefficient(var, fleet.weight[w])
    objective.SetMaximization()
    solver.SetHint([*r, *met.values()], [*(placed.get(i, 0) for i in range(len(r))),
                                         *(int(fleet.meets(w, placed)) for w in met)])
    # One more workload met is worth it: no relative gap is good enough.
    found = _solve(solver, r, seconds - (time.perf_counter() - begun), exact=True)
    return found if found is not None and fleet.met_value(found) > fleet.met_value(placed) else None


def _placements(fleet):
    """A SCIP model of ``fleet``'s placements: the replica variables, no pool over-committed,
    jobs beside inference within their hosts' slots. (None, None) without SCIP."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return None, None
    options = fleet.options
    r = [solver.IntVar(0, o.replica_cap, f"r{i}") for i, o in enumerate(options)]
    by_pool: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        by_pool[o.pool].append(i)
    # No pool is over-committed (a unit holds its replicas' slots; a job beside inference none).
    for p, members in by_pool.items():
        _row(solver, r, {i: options[i].held_slots for i in members}, 0, fleet.pools[p].total_slots)
    # Jobs beside inference run on slots that replicas of their idle band hold, one per slot.
    for jobs, hosts in fleet.hosting:
        _row(solver, r, {i: options[i].unit_slots for i in jobs} | {i: -options[i].unit_slots for i in hosts},
             -solver.infinity(), 0)
    return solver, r


def _solve(solver, r, seconds: float, exact: bool = False) -> dict[int, int] | None:
    """The replicas of SCIP's best plan within ``seconds`` (None: none found, or too little
    time left to try); ``exact``: no relative gap is taken as optimal."""
    from ortools.linear_solver import pywraplp

    if seconds < MIN_START_S / 2:
        return None
    solver.SetTimeLimit(int(seconds * 1000))
    parameters = pywraplp.MPSolverParameters()
    if exact:
        parameters.SetDoubleParam(parameters.RELATIVE_MIP_GAP, 0.0)
    if solver.Solve(parameters) not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    return {i: round(var.solution_value()) for i, var in enumerate(r) if round(var.solution_value())}


def _row(solver, r, coefficients: dict[int, int], lower, upper) -> None:
    row = solver.Constraint(lower, upper)
    for i, c in coefficients.items():
        if c:
            row.SetCoefficient(r[i], c)


class LevelStarts:
    """The ``warm_start`` of ``optimise_in_order`` for a fleet: for the SLO level, or a
    linear level after it, that CP-SAT has not proven quickly, a MIP start when it beats
    its plan (a tie-breaker level with too little time for SCIP: a large-neighbourhood
    search's, planner.fleet.neighbourhood). A linear level first goes on from the level
    solved over a few options per workload (planner.fleet.restricted), from the LP optimum
    of ``relaxation`` (a planner.fleet.relaxation.Relaxation) when it solved the level."""

    def __init__(self, fleet, levels, relaxation=None):
        self.fleet, self.levels, self.relaxation = fleet, levels, relaxation
        self.neighbourhoods = Neighbourhoods(fleet)
        self.count = len(fleet.options)

    def __call__(self, depth: int, assignment: tuple[int, ...], seconds: float,
                 gap: float) -> tuple[int, ...] | None:
        level = self.levels[depth]
        placed = {i: n for i, n in enumerate(assignment[:self.count]) if n}
        if depth == 0:
            found = slo_start(self.fleet, placed, seconds * SLO_START_SHARE)
        elif level.coefficients is None:
            return None
        else:
            fixed = [(done, sum(done.coefficients[i] * n for i, n in placed.items()))
                     for done in self.levels[:depth] if done.coefficients is not None]
            begun = time.perf_counter()
            solution = self.relaxation.solution if self.relaxation is not None else None
            restricted = restricted_start(self.fleet, self.levels, depth, placed, solution, seconds * RESTRICTED_SHARE)
            base = restricted or placed
            found = mip_start(self.fleet, base, level, fixed, (seconds - (time.perf_counter() - begun)) * START_SHARE)
            if found is None and gap > NEIGHBOURHOOD_GAP:
                left = seconds - (time.perf_counter() - begun)
                searched = self.neighbourhoods.improve(base, level, fixed, left * NEIGHBOURHOOD_SHARE)
                found = searched if searched != base else restricted
            found = found or restricted
        if found is None:
            return None
        # The MIP start is best on this level alone: single moves that help the levels
        # after it are cheap. Each level above is fixed at its value in the model, so a
        # start that moves one (a single move may find what the solves above missed) is
        # no start: CP-SAT would search in vain from it.
        above = [self.fleet.value(done, placed) for done in self.levels[:depth]]
        for start in (improve(self.fleet, found, self.levels), found):
            if [self.fleet.value(done, start) for done in self.levels[:depth]] == above:
                return self.fleet.assignment(start)
        return None
