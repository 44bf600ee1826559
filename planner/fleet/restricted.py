"""A better plan on one linear tie-breaker level of a fleet, from the level's LP relaxation:
the level solved exactly over a few options per workload (a restricted master problem, as
in price-and-branch), those the LP optimum uses and those its reduced costs rank best,
besides the options of the current plan.

Why: at 200 x 50 the full model has about 19,600 options, and one CP-SAT worker rarely
improves on its hint there (the training level stayed at 2,420 job milli-hours for 5 s
over 2,100 options). Over the LP optimum's 430 options and the plan's own, CP-SAT proves
the restricted level in 0.1 s (774), and with each workload's three best reduced costs
added (about 700 options) in another 0.1 s (682, against an LP bound of 498). The
large-neighbourhood search (planner.fleet.neighbourhood) then goes on from there (573 in
another 1.5 s, where from the greedy plan it reached about 950 in the whole level).

The restricted model is the fleet's own (FleetModel.restricted) with every level above
fixed at the current plan's value, so any plan it finds keeps those values exactly; each
round is solved with a deterministic-time limit, so it takes the same steps on any
machine until its wall-time share runs out.
"""

from __future__ import annotations

import time

#: Per round, the options each workload adds to the restriction, by reduced cost (best
#: first): the LP optimum's own options alone, then three more each (measured at 200 x 50,
#: training level: 774, then 682 job milli-hours; with ten more each CP-SAT found nothing
#: better in 1 s over 2,000 options).
ROUNDS = (0, 3)
#: CP-SAT's deterministic time (about seconds on one core) one round may take.
ROUND_DTIME = 1.0


def restricted_start(fleet, levels, depth: int, placed: dict[int, int], solution,
                     seconds: float) -> dict[int, int] | None:
    """A plan (option -> replicas) better than ``placed`` on ``levels[depth]`` (a linear
    level of ``fleet``, a FleetModel), with every level above at its value in ``placed``;
    None when none is found in ``seconds``. ``solution`` is the level's LP optimum (a
    planner.fleet.relaxation.LpSolution; None or another level's: no start)."""
    level = levels[depth]
    if solution is None or solution.depth != depth or level.coefficients is None:
        return None
    deadline = time.perf_counter() + seconds
    sign = 1 if level.sense == "minimize" else -1
    used = {i for i, x in enumerate(solution.replicas) if x > 1e-6}
    kept = {i for w in fleet.keepable for i, _ in fleet.keep_rules[w]}
    best, value = placed, fleet.value(level, placed)
    for extra in ROUNDS:
        if time.perf_counter() >= deadline:
            break
        indices = used | kept | set(best)
        for members in fleet.by_workload.values():
            indices.update(sorted(members, key=lambda i: (sign * solution.reduced_costs[i], i))[:extra])
        found = _solve(fleet, levels, depth, best, sorted(indices), deadline - time.perf_counter())
        if found is not None and sign * fleet.value(level, found) < sign * value:
            best, value = found, fleet.value(level, found)
    return best if best is not placed else None


def _solve(fleet, levels, depth: int, placed: dict[int, int], indices: list[int],
           seconds: float) -> dict[int, int] | None:
    """The best plan on ``levels[depth]`` over the options ``indices`` alone, the levels above
    at their values in ``placed`` (whose options are among ``indices``); None when none is
    found in ``seconds``."""
    sub = fleet.restricted(indices)
    sub.build()
    cp, model = sub.cp, sub.model

    def expression(level):
        if level.coefficients is None:
            return sub.expression(level)
        return cp.LinearExpr.weighted_sum(sub.r, [level.coefficients[i] for i in indices])

    for level in levels[:depth]:
        model.add(expression(level) == fleet.value(level, placed))
    level = levels[depth]
    model.minimize(expression(level)) if level.sense == "minimize" else model.maximize(expression(level))
    at = {i: k for k, i in enumerate(indices)}
    sub.hint({at[i]: n for i, n in placed.items()})
    solver = cp.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.max_deterministic_time = ROUND_DTIME
    solver.parameters.max_time_in_seconds = max(seconds, 0.0)
    if solver.solve(model) not in (cp.OPTIMAL, cp.FEASIBLE):
        return None
    return {i: n for i, var in zip(indices, sub.r) if (n := solver.value(var))}
