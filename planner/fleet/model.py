"""Fleet planning: many workloads placed at once on one shared inventory.

Formulation
-----------
Sets
    W   workloads: inference services (request rate R_w, latency SLO) and training jobs
        (a dataset, a deadline), each with a priority.
    P   pools: n_p devices of one type, each split into s_p slots (1 when not shared, the MIG
        instance count, or the time-slicing share count): S_p = n_p s_p slots in all.
    O   options (planner.fleet.options): one way to run w on p, in units of replicas that
        share one queue, with u_o slots per unit, c_o requests/s per unit (the load at which
        its p99 under load meets the SLO), need_o = ceil(R_w / c_o) units for the whole rate
        on its own, and per-unit power, cost and (training) job hours. A training job may
        also run beside inference (planner.fleet.colocation): on u_o slots that inference
        replicas hold, at the lower edge of an idle band k (the share of each slot those
        replicas leave idle at their planned load), preempted whenever they have work; it
        holds no slots of its own (h_o = 0; else h_o = u_o).
Variables
    r_o in [0, m_o]   units of option o, m_o = min(need_o, S_p // u_o); a training
                      option is one job of u_o slots, r_o in {0, 1}
    met_w in {0,1}    service w is served in full (training: met_w is sum_o r_o, no variable)
    s_w in [0, R_w]   requests/s service w is served
Constraints
    sum_{o in O(p)} h_o r_o <= S_p                 no pool over-committed
    sum_{o in J(p,k)} u_o r_o <= sum_{o in H(p,k)} u_o r_o
                                                   jobs beside inference in band k of pool p
                                                   (J) run on the slots of replicas whose idle
                                                   share is in band k (H), one job per slot
    sum_{o in O(w)} r_o <= 1                       a training job runs once
    s_w <= sum_{o in O(w)} c_o r_o                 a service is served what its replicas serve,
    R_w met_w <= sum_{o in O(w)} c_o r_o           on as many pools and configurations as help,
    s_w >= R_w met_w                               up to its rate: s_w = min(R_w, sum_o c_o r_o)
    s_w >= sum_o c_o r_o - E_w met_w               (E_w: the most its options can serve over R_w)
A service may thus be served from several pools at once (a mixed pool, as Melange does
for LLMs): its rate adds up over them. Every option meets its workload's latency SLO and
other per-request bounds on one replica, so every served request meets its SLO.
Objective (lexicographic, each level fixed at its value before the next)
    1. workloads that meet their SLOs, by strict priority: a workload of higher priority is
       never given up for any number of lower ones (weights 1 + the most the lower levels
       can score);
    2. re-planning only: running workloads kept where they run (k_w in {0,1}, with
       r_o >= min(r'_o, need_o) k_w for each placement o of the previous plan), so a new
       plan moves a workload only to meet more SLOs;
    3. the fleet objective: served requests/s (maximise), power or cost (minimise);
    4. training completion: the job hours of the training jobs placed (minimise), so
       training takes the slots inference leaves free, or the idle share of the slots
       inference holds, whichever finishes sooner, and runs on as many as shorten it. It
       comes after the fleet objective: inference has priority, so with served requests/s
       a job never takes a slot that a service's requests could use, even a service that
       misses its SLO;
    5. the other two of served, power and cost (a job beside inference adds neither); then
       fewest slots held and catalog order as one level (slots weigh more than any catalog
       order sum, so it is exact), so the answer is unique.
Figures are scaled to integers: milli-requests/s (a replica's rate rounded down, but
never below what its need_o replicas must reach to serve R_w on their own), milliwatts,
micro-dollars per hour and milli-hours (rounded up); unknown power or cost counts as worse
than any known.
Search
    The time limit covers building the options and every level. A build estimated (from
    the count of services x pools, so the options depend on the fleet and the limit alone)
    at more than half the limit keeps, per service and pool, only the options best on
    slots, requests/s per slot and the objective's power or cost, and the plan says so
    (planner.fleet.options.budgeted). A greedy first plan (by
    priority, each priority's workloads in whichever of a few orders meets the most of
    them, each on the options that fit it best, several pools when one is not enough; see
    planner.fleet.greedy) is complete and feasible: it is the hint every level
    starts from and the plan returned when the limit leaves no time to solve. When it
    meets every SLO any option mix can meet, level 1 is proven without a solve (its bound
    is reached), and likewise the served-rate level when it serves every rate in full.
    These bounds (and every running workload kept) are also handed to each level's search:
    a solution that reaches one ends the level at once as proven, where CP-SAT's own LP
    bound is weaker and it would search on, so the time goes to the levels after it.
    The SLO level, or a linear tie-breaker level, that CP-SAT has not proven in a fifth of
    its time goes on from a MIP start (SCIP; a tie-breaker over the plans that keep every
    workload's outcome above; see planner.fleet.start): CP-SAT alone rarely improves on its
    hint there. Before that, a linear tie-breaker level is solved exactly over a few options
    per workload, those its LP optimum uses and its reduced costs rank best, and the plan's
    own (a restricted master problem, planner.fleet.restricted): SCIP and the search below
    go on from its plan. A tie-breaker level with too little time for SCIP (for its count of
    options), or where SCIP found
    nothing, and far from proven, goes on from a large-neighbourhood search's plan instead
    (planner.fleet.neighbourhood). Each level without a bound known beforehand gets one
    from the LP relaxation (GLOP, planner.fleet.relaxation) when the time left allows: a
    level's gap is the smaller of CP-SAT's and the one to it, and a plan that reaches it
    ends the level as proven. Levels the limit leaves unsolved are
    reported (fewer gaps than levels), and the plan is FEASIBLE; with no time left after
    the first plan, no level is solved and the greedy plan is returned; the CP-SAT model
    is built only when a solve follows (at 2000 x 50 building it took 1.8 s).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from hardware import Catalog, Inventory
from planner.errors import PlanningError
from planner.fleet.colocation import hosting_groups
from planner.fleet.greedy import greedy_plan, improve
from planner.fleet.options import FleetWorkload, Option, budgeted, build_options
from planner.fleet.plan import FleetPlan, FleetSolverReport
from planner.fleet.relaxation import Relaxation
from planner.fleet.replan import Previous
from planner.fleet.result import fleet_plan
from planner.fleet.start import LevelStarts
from planner.perf.factors import PerfFactors, load_factors
from planner.perf.roofline import stored_corrections
from planner.solve.budget import TimeBudget
from planner.solve.chooser import SolverSettings, new_solver, optimise_in_order, relative_gap, set_hints
from planner.solve.cpsat import cp_model

FLEET_OBJECTIVES = {"throughput": "maximize", "power": "minimize", "cost": "minimize"}
RATE_SCALE, POWER_SCALE, COST_SCALE, HOURS_SCALE = 1_000, 1_000, 1_000_000, 1_000
#: The most of the time left one level may take (the last takes all): a level the limit
#: stops keeps the value it reached, so the next levels still improve the plan.
LEVEL_SHARE = 0.5
#: The SLO level's share: the level that says how many workloads meet their SLOs is worth more
#: of the time than any tie-breaker (at 200x50 a share of 0.5 left it at 198 of 200 met).
SLO_LEVEL_SHARE = 0.6
#: Less of the limit than this left after the first plan is not worth a solve: at 2000 x 50,
#: CP-SAT given 0.1 s and then 0.33 s took them loading the model and found nothing.
MIN_SOLVE_SHARE = 0.05
#: Seconds building the CP-SAT model takes per option (measured at 2000 x 50: 1.8 s for
#: 138,000 options, one core): a solve is not begun when what the model would leave of
#: the limit is less than MIN_SOLVE_SHARE.
MODEL_SECONDS = 1.4e-5
SLOS, KEPT = "workloads meeting their SLOs (by priority)", "running workloads kept in place"


class NoPlacementError(PlanningError):
    """No workload of the fleet can run on any pool; ``reasons`` says why, per workload."""

    code = "no-placement"
    hint = "add devices that can run the workloads to the inventory, or relax their requests"

    def __init__(self, reasons: dict[str, str], where: str = ""):
        super().__init__(f"{where}no workload can be placed on any pool. "
                         + " ".join(f"{name}: {why}." for name, why in reasons.items()))
        self.reasons = reasons


def scaled_rates(workloads: list[FleetWorkload], options: list[Option]) -> tuple[list[int], dict[int, int]]:
    """Each option's scaled rate per replica and each service's scaled request rate (see the
    module docstring: need_o replicas of o always reach R_w in scaled figures too)."""
    wanted = {w: math.ceil(x.rate_rps * RATE_SCALE - 1e-6) for w, x in enumerate(workloads) if not x.training}
    rate = [max(math.floor(o.rate_rps * o.unit * RATE_SCALE), math.ceil(wanted[o.workload] / o.need))  # o.unit_rate
            if o.workload in wanted else 0 for o in options]
    return rate, wanted


@dataclass(frozen=True)
class Level:
    """One level of the lexicographic objective. A level linear in the replicas has
    ``coefficients``, one per option, worked out from ``make`` when first read: a plan the
    limit leaves no time to solve never reads them (they took 0.4 s at 2000 x 50)."""

    name: str
    sense: str
    make: Callable[[], list[int]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def coefficients(self) -> list[int] | None:
        """Per option, for a level linear in the replicas; None for any other level."""
        return None if self.make is None else self.make()


class FleetModel:
    """One fleet's options as figures (what the greedy plan and the plan read) and, once
    ``build`` is called, its CP-SAT model (see the module docstring). The model is built
    only when a solve follows: at 2000 x 50 it took 1.8 s of the limit."""

    def __init__(self, workloads: list[FleetWorkload], pools, options: list[Option], previous: Previous | None = None,
                 mixed_pools: bool = True):
        self.workloads, self.pools, self.options = workloads, pools, options
        self.mixed_pools = mixed_pools
        # Per option, the figures the greedy plan reads most (as lists: a property per read is slow).
        self.cap = [o.replica_cap for o in options]
        self.held = [o.held_slots for o in options]
        self.unit_slots = [o.unit_slots for o in options]
        self.pool_of = [o.pool for o in options]
        self.workload_of = [o.workload for o in options]
        by_workload: dict[int, list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            by_workload[o.workload].append(i)
        self.by_workload = dict(by_workload)  # only workloads with options
        self.services = [w for w in self.by_workload if not workloads[w].training]
        self.hosting = hosting_groups(options)
        self.rate, self.wanted = scaled_rates(workloads, options)
        self.weight = self._priority_weights()
        # A running workload is kept when every placement it had keeps its replicas (as many
        # as the rate now needs); one whose configuration is gone cannot be kept.
        self.keep_rules = previous.rules(options) if previous else {}
        self.keepable = [w for w, rules in self.keep_rules.items() if rules is not None]

    def build(self) -> None:
        """Build the CP-SAT model: the variables and constraints of the module docstring."""
        self.cp = cp_model()
        options, pools = self.options, self.pools
        m = self.model = self.cp.CpModel()
        self.r = [m.new_bool_var(f"r{i}") if cap == 1 else m.new_int_var(0, cap, f"r{i}")
                  for i, cap in enumerate(self.cap)]
        by_pool: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(self.pool_of):
            by_pool[p].append(i)
        weighted = self.cp.LinearExpr.weighted_sum
        # No pool is over-committed (a training job beside inference holds no slots of its own).
        for p, members in by_pool.items():
            m.add(weighted([self.r[i] for i in members], [self.held[i] for i in members]) <= pools[p].total_slots)
        # Jobs beside inference run on slots that replicas of their idle band hold, one per slot.
        for jobs, hosts in self.hosting:
            m.add(weighted([self.r[i] for i in jobs], [options[i].unit_slots for i in jobs])
                  <= weighted([self.r[i] for i in hosts], [options[i].unit_slots for i in hosts]))
        self.met, self.served = {}, {}
        for w, members in self.by_workload.items():
            if self.workloads[w].training:
                # A training job runs once; it meets its deadline when it runs (its options do).
                self.met[w] = self.cp.LinearExpr.sum([self.r[i] for i in members])
                m.add(self.met[w] <= 1)
                continue
            # A service is served what its replicas serve, on every pool it runs on, up to its rate
            # (s_w = min(R_w, supply), exactly); it meets its SLO when they serve all of it.
            supply = weighted([self.r[i] for i in members], [self.rate[i] for i in members])
            excess = max(0, sum(self.rate[i] * self.cap[i] for i in members) - self.wanted[w])
            self.met[w] = m.new_bool_var(f"met{w}")
            self.served[w] = m.new_int_var(0, self.wanted[w], f"s{w}")
            m.add(self.served[w] <= supply)
            m.add(supply >= self.wanted[w] * self.met[w])
            m.add(self.served[w] >= self.wanted[w] * self.met[w])
            m.add(self.served[w] >= supply - excess * self.met[w])
        if not self.mixed_pools:  # at most one configuration per service (the benchmarks' comparison)
            for w, members in self.by_workload.items():
                used = [m.new_bool_var(f"u{i}") for i in members]
                for i, u in zip(members, used):
                    m.add(self.r[i] <= self.cap[i] * u)
                m.add_at_most_one(used)
        self.kept = {}
        for w in self.keepable:
            self.kept[w] = m.new_bool_var(f"k{w}")
            for i, replicas in self.keep_rules[w]:
                m.add(self.r[i] >= replicas * self.kept[w])

    def restricted(self, indices: list[int]) -> FleetModel:
        """This fleet with the options ``indices`` alone (every other option at 0 replicas),
        its figures as here: a workload keeps its priority weight and a running workload its
        keep rules (their options must be among ``indices``). Its option k is option
        ``indices[k]`` here."""
        sub = FleetModel(self.workloads, self.pools, [self.options[i] for i in indices], mixed_pools=self.mixed_pools)
        sub.weight = {w: self.weight[w] for w in sub.by_workload}
        at = {i: k for k, i in enumerate(indices)}
        sub.keep_rules = {w: [(at[i], n) for i, n in self.keep_rules[w]] for w in self.keepable}
        sub.keepable = list(self.keepable)
        return sub

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

    def variables(self) -> list:
        """Every variable, the replicas first: the warm start of each level needs them all."""
        return [*self.r, *(self.met[w] for w in self.served), *self.served.values(), *self.kept.values()]

    def assignment(self, placed: dict[int, int]) -> tuple[int, ...]:
        """The value of each of ``variables()`` in the plan ``placed`` (option -> replicas)."""
        supply = {w: min(self.wanted[w], self.supply(w, placed)) for w in self.served}
        return (*(placed.get(i, 0) for i in range(len(self.r))), *(int(supply[w] >= self.wanted[w]) for w in self.served),
                *supply.values(), *(int(self.keeps(w, placed)) for w in self.kept))

    def hint(self, placed: dict[int, int]) -> None:
        """Start the search from ``placed`` (option -> replicas), a feasible plan: every
        variable is hinted."""
        set_hints(self.model, self.variables(), self.assignment(placed))

    def keeps(self, w: int, placed: dict[int, int]) -> bool:
        """Whether ``placed`` keeps running workload ``w`` where it runs."""
        rules = self.keep_rules.get(w)
        return rules is not None and all(placed.get(i, 0) >= replicas for i, replicas in rules)

    def supply(self, w: int, placed: dict[int, int]) -> int:
        """Scaled requests/s ``placed`` gives service ``w`` (training: jobs running)."""
        if self.workloads[w].training:
            return sum(placed.get(i, 0) for i in self.by_workload.get(w, ()))
        return sum(self.rate[i] * placed.get(i, 0) for i in self.by_workload.get(w, ()))

    def meets(self, w: int, placed: dict[int, int]) -> bool:
        return self.supply(w, placed) >= self.wanted.get(w, 1)

    def met_value(self, placed: dict[int, int]) -> int:
        return sum(self.weight[w] for w in self.by_workload if self.meets(w, placed))

    def served_value(self, placed: dict[int, int]) -> int:
        return sum(min(self.wanted[w], self.supply(w, placed)) for w in self.services)

    def value(self, level: Level, placed: dict[int, int]) -> int:
        """``level``'s value in the plan ``placed`` (option -> replicas)."""
        if level.coefficients is not None:
            return sum(level.coefficients[i] * n for i, n in placed.items())
        if level.name == SLOS:
            return self.met_value(placed)
        if level.name == KEPT:
            return sum(self.keeps(w, placed) for w in self.keepable)
        return self.served_value(placed)

    def settled(self, objective: str, placed: dict[int, int]) -> tuple[int, ...]:
        """The leading levels ``placed`` provably reaches: SLOs met when it meets every
        workload some mix of options can serve in full, then (nothing to keep, throughput
        objective) served rate when it serves every rate in full. A bound reached is an
        optimum proven without a solve."""
        met = self.met_value(placed)
        if met != self.met_bound():
            return ()
        if self.keepable or objective != "throughput":
            return (met,)
        served = self.served_value(placed)
        return (met, served) if served == sum(self.wanted.values()) else (met,)

    def met_bound(self) -> int:
        """The most the SLO level can score: every workload whose options, each at its most
        replicas, could serve it in full."""
        total = 0
        for w, members in self.by_workload.items():
            reach = sum(self.rate[i] * self.options[i].replica_cap for i in members)
            if self.workloads[w].training or reach >= self.wanted[w]:
                total += self.weight[w]
        return total

    def known_bounds(self, levels: list[Level]) -> tuple[int | None, ...]:
        """A bound on each level known without the solver (None: none): the SLO level's
        (``met_bound``), every running workload kept, every rate served in full. A level
        that reaches it is proven there and then."""
        known = {KEPT: len(self.keepable), _describe("throughput"): sum(self.wanted[w] for w in self.services)}
        return (self.met_bound(), *(known.get(level.name) for level in levels[1:]))

    def expression(self, level: Level):
        """``level`` in the CP-SAT model (``build`` first): a weighted sum of the replicas, or
        workloads meeting their SLOs (weighted so that priorities are strict), running
        workloads kept, served requests/s."""
        linear = self.cp.LinearExpr
        if level.coefficients is not None:
            return linear.weighted_sum(self.r, level.coefficients)
        if level.name == SLOS:
            return linear.weighted_sum(list(self.met.values()), [self.weight[w] for w in self.met])
        return linear.sum(list((self.kept if level.name == KEPT else self.served).values()))

    def metric_level(self, metric: str) -> Level:
        if metric == "throughput":
            return Level(_describe(metric), "maximize")
        return Level(_describe(metric), "minimize", lambda: self.coefficients(metric))

    def coefficients(self, metric: str) -> list[int]:
        """Each option's scaled power or cost per replica; unknown is worse than any known."""
        scale, field = (POWER_SCALE, "power_w") if metric == "power" else (COST_SCALE, "cost_usd_per_hour")
        known = [getattr(o, field) for o in self.options if getattr(o, field) is not None]
        unknown = math.ceil(max(known, default=0) * scale) * 10 + 1
        return [unknown if getattr(o, field) is None else math.ceil(getattr(o, field) * o.unit * scale)
                for o in self.options]

    def levels(self, objective: str) -> list[Level]:
        """The lexicographic objective, most important first."""
        out = [Level(SLOS, "maximize")]
        if self.keepable:
            out.append(Level(KEPT, "maximize"))
        out.append(self.metric_level(objective))
        if any(o.job_hours is not None for o in self.options):
            out.append(Level("minimize training job hours", "minimize", lambda: [
                0 if o.job_hours is None else math.ceil(o.job_hours * HOURS_SCALE) for o in self.options]))
        out += [self.metric_level(m) for m in FLEET_OBJECTIVES if m != objective]
        out.append(Level("fewest slots, then catalog order", "minimize", self._fewest_slots))
        return out

    def _fewest_slots(self) -> list[int]:
        """Fewest slots, then the lowest option indices, as one exact level: a slot weighs
        more than the largest catalog-order sum."""
        catalog = sum(i * o.replica_cap for i, o in enumerate(self.options)) + 1
        return [o.held_slots * catalog + i for i, o in enumerate(self.options)]


def _describe(metric: str) -> str:
    return {"throughput": "maximize served requests/s", "power": "minimize power",
            "cost": "minimize cost per hour"}[metric]


def plan_fleet(workloads: list[FleetWorkload], inventory: Inventory, catalog: Catalog, objective: str = "throughput",
               settings: SolverSettings | None = None, factors: PerfFactors | None = None,
               previous: FleetPlan | None = None, timings: dict | None = None, mixed_pools: bool = True,
               colocate: bool = True) -> FleetPlan:
    """Place every workload on the inventory with one CP-SAT model (see the module
    docstring). ``previous``, a plan now running, makes moving its workloads cost (level
    2) and the plan say what moved and why. ``timings``, when given, is filled with the
    seconds each stage took (options, first plan, each level solved). ``mixed_pools=False``
    allows one configuration per service, as before mixed pools, and ``colocate=False`` keeps
    training jobs to slots of their own, as before training beside inference (both for
    comparison)."""
    if objective not in FLEET_OBJECTIVES:
        raise ValueError(f"fleet objective must be one of {', '.join(FLEET_OBJECTIVES)}, not {objective!r}")
    settings = settings or SolverSettings()
    budget = settings.budget or TimeBudget(settings.time_limit_s)
    timings = {} if timings is None else timings
    factors = factors or load_factors()
    pools = list(inventory.devices)
    running = Previous.of(previous, workloads, pools) if previous else None
    best_on, budgeted_note = budgeted(workloads, pools, objective, settings.time_limit_s)
    built = build_options(workloads, pools, catalog, factors, stored_corrections(catalog, factors),
                          keep=running.configurations if running else None, colocate=colocate, best_on=best_on)
    options = built.options
    timings["options_s"] = budget.elapsed()
    timings["options_budgeted"] = budgeted_note is not None
    if not options:
        raise NoPlacementError({workloads[w].name: "; ".join(f"{pool}: {why}" for pool, why in built.why_not[w].items())
                                for w in range(len(workloads))})
    fleet = FleetModel(workloads, pools, options, running, mixed_pools)
    levels = fleet.levels(objective)
    first = greedy_plan(fleet, running, mixed_pools, budgeted=budgeted_note is not None)
    timings["first_plan_s"] = budget.elapsed()
    # Building the plan from the solution takes a moment of the budget too.
    reserve = min(0.5, 0.05 * settings.time_limit_s)
    # Else the greedy plan stands, and the CP-SAT model is not built.
    solving = budget.left() - reserve - MODEL_SECONDS * len(options) > MIN_SOLVE_SHARE * settings.time_limit_s
    if solving and budget.left() > 0.25 * settings.time_limit_s:  # with time left to solve the later levels
        first = improve(fleet, first, levels)
    result = None
    if solving:
        fleet.build()
        solver = _solver(fleet.cp, settings)
        fleet.hint(first)  # the search starts from the first plan (hinting 190k variables takes a moment)
        relaxation = Relaxation(fleet, levels)
        result = optimise_in_order(fleet.cp, fleet.model, solver, [(fleet.expression(x), x.sense) for x in levels],
                                   keep=fleet.variables(), budget_s=budget.left() - reserve,
                                   settled=fleet.settled(objective, first), timings=timings.setdefault("levels_s", []),
                                   share=LEVEL_SHARE, first_share=SLO_LEVEL_SHARE,
                                   warm_start=LevelStarts(fleet, levels, relaxation) if mixed_pools else None,
                                   bounds=fleet.known_bounds(levels), relaxation=relaxation)
    if result is None:  # the limit ran out before the first level found a plan: the greedy one stands
        placed = first
        gaps = [relative_gap(fleet.met_value(first), fleet.met_bound())]
        report = _report(levels, "FEASIBLE", gaps, options, settings)
    else:
        placed = {i: r for i, r in enumerate(result.assignment[:len(options)]) if r}
        report = _report(levels, result.status, list(result.gaps), options, settings)
    timings["total_s"] = budget.elapsed()
    notes = [f"{w.name}: {note}" for w in workloads for note in w.notes]
    return fleet_plan(fleet, placed, built.why_not, _describe(objective), report, catalog, running,
                      notes=notes + ([budgeted_note] if budgeted_note else []))


def _solver(cp, settings: SolverSettings):
    """The CP-SAT solver of every level (``new_solver``), tuned for the fleet model."""
    solver = new_solver(cp, settings)
    # The full LP relaxation proves these knapsack-like levels optimal in a fraction of the
    # time the default search takes (measured: seconds instead of time-outs at 52 workloads).
    solver.parameters.linearization_level = 2
    # Presolve finds nothing to remove in this model (every variable is a replica count or a
    # service's served rate) and took 3.2 s of every level at 1000 x 50: without it the
    # hinted plan is in within 0.2 s and the LP bound is the same.
    solver.parameters.cp_model_presolve = False
    # Probing at the start of each search took all of a tie-breaker level's time at 200 x 50
    # (1.6 s, 593,000 binary clauses, then aborted), so those levels ended before the root
    # LP with the trivial bound 0 (gaps of 100%); without it they reach their LP bounds.
    solver.parameters.cp_model_probing_level = 0
    return solver


def _report(levels: list[Level], status: str, gaps: list[float], options: list[Option],
            settings: SolverSettings) -> FleetSolverReport:
    return FleetSolverReport(status=status, levels=[x.name for x in levels], gaps=gaps, options=len(options),
                             time_limit_s=settings.time_limit_s, seed=settings.seed, workers=settings.workers)
