"""The MIP start of a fleet's tie-breaker levels (planner.fleet.start) and the neighbourhood
search (planner.fleet.neighbourhood): they keep every level above, are better on their own
level, and change where CP-SAT begins, never the answer; the LP relaxation's bound on each
level (planner.fleet.relaxation) holds."""

from __future__ import annotations

import textwrap

import pytest

from intent.fleet import fleet_workloads, load_fleet
from planner.fleet import model as fleet_model
from planner.fleet.greedy import greedy_plan
from planner.fleet.model import FleetModel
from planner.fleet.neighbourhood import Neighbourhoods
from planner.fleet.options import build_options
from planner.fleet.relaxation import Relaxation
from planner.fleet.restricted import restricted_start
from planner.fleet.start import mip_start, slo_start
from planner.perf.factors import load_factors
from planner.perf.roofline import stored_corrections
from planner.solve.chooser import SolverSettings

# Two jobs that both want the A100's slots, services that can run on either pool: the
# greedy plan puts services where jobs would train fastest, so the training level has room
# to improve, and only by moving services (what single moves of ``improve`` cannot do).
FLEET = """\
    schema_version: 1
    objective: throughput
    inventory:
      - {id: nvidia-a100-sxm-80gb, count: 2, placement: on-prem, usd_per_hour: 1.9}
      - {id: nvidia-t4, count: 4, placement: on-prem, usd_per_hour: 0.2}
    workloads:
      - {name: images, request: "classify images at 2000 req/s within 20 ms", priority: 2}
      - {name: embeddings, request: "embed text at 1500 req/s within 30 ms", priority: 2}
      - {name: tune, request: "fine-tune a text classifier on 500k records for 2 epochs", deadline_hours: 8}
      - {name: train, request: "train an image classifier on 200k images for 3 epochs", deadline_hours: 24}
"""


@pytest.fixture
def fleet(tmp_path, catalog):
    path = tmp_path / "fleet.yaml"
    path.write_text(textwrap.dedent(FLEET), encoding="utf-8")
    spec = load_fleet(str(path), catalog)
    workloads, pools = fleet_workloads(spec, catalog), list(spec.as_inventory().devices)
    factors = load_factors()
    built = build_options(workloads, pools, catalog, factors, stored_corrections(catalog, factors))
    return FleetModel(workloads, pools, built.options), spec, catalog


def _value(level, placed):
    return sum(level.coefficients[i] * n for i, n in placed.items())


def test_the_start_keeps_every_outcome_above_and_is_better_on_its_level(fleet):
    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    improved = []
    for depth, level in enumerate(levels):
        if depth == 0 or level.coefficients is None:
            continue
        fixed = [(done, _value(done, first)) for done in levels[:depth] if done.coefficients is not None]
        found = mip_start(model, first, level, fixed, 5.0)
        if found is None:
            continue
        improved.append(level.name)
        assert _value(level, found) < _value(level, first)
        for w in model.by_workload:  # every workload's outcome is kept: SLO and served-rate levels too
            assert model.meets(w, found) == model.meets(w, first)
            if w in model.services:
                assert min(model.wanted[w], model.supply(w, found)) == min(model.wanted[w], model.supply(w, first))
        for done, value in fixed:
            assert _value(done, found) <= value
        _assert_fits(model, found)
    assert "minimize training job hours" in improved, "the case is built for the training level to improve"


def test_the_neighbourhood_search_keeps_every_outcome_above_and_is_better_on_its_level(fleet):
    """The training level improved a few pools at a time: every workload keeps its outcome
    (so the SLO and served-rate levels keep their values), within CP-SAT's constraints."""
    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    depth, level = next((d, x) for d, x in enumerate(levels) if x.name == "minimize training job hours")
    found = Neighbourhoods(model).improve(first, level, [], 5.0)
    assert _value(level, found) < _value(level, first)
    for done in levels[:depth]:
        assert model.value(done, found) == model.value(done, first)
    for w in model.by_workload:
        assert model.meets(w, found) == model.meets(w, first)
    _assert_fits(model, found)
    # The next level keeps the training level at its value.
    power = levels[depth + 1]
    better = Neighbourhoods(model).improve(found, power, [(level, _value(level, found))], 5.0)
    assert _value(level, better) == _value(level, found) and _value(power, better) <= _value(power, found)
    _assert_fits(model, better)


def test_the_restricted_start_keeps_every_level_above_and_is_better_on_its_level(fleet):
    """The training level solved over the options its LP optimum uses and those its reduced
    costs rank best: the plan keeps every level above at its value, fits the pools, is
    better than the greedy plan and no better than the LP bound. An LP optimum of another
    level gives no start."""
    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    depth, level = next((d, x) for d, x in enumerate(levels) if x.name == "minimize training job hours")
    relaxation = Relaxation(model, levels)
    bound = relaxation(depth, tuple(model.value(done, first) for done in levels[:depth]), 60.0)
    assert bound is not None and relaxation.solution.depth == depth
    found = restricted_start(model, levels, depth, first, relaxation.solution, 10.0)
    assert found is not None
    assert bound <= _value(level, found) < _value(level, first)
    for done in levels[:depth]:
        assert model.value(done, found) == model.value(done, first)
    _assert_fits(model, found)
    assert restricted_start(model, levels, depth + 1, first, relaxation.solution, 10.0) is None


def test_a_restricted_fleet_keeps_the_weights_and_figures_of_its_options(fleet):
    """A fleet restricted to some options scores a plan on them as the whole fleet does."""
    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    indices = sorted(set(first) | {i for i in range(len(model.options)) if i % 3 == 0})
    sub = model.restricted(indices)
    at = {i: k for k, i in enumerate(indices)}
    mapped = {at[i]: n for i, n in first.items()}
    assert sub.met_value(mapped) == model.met_value(first)
    assert sub.served_value(mapped) == model.served_value(first)
    assert [sub.rate[at[i]] for i in indices] == [model.rate[i] for i in indices]
    assert levels[0].name == sub.levels("throughput")[0].name


def test_the_relaxation_bounds_every_level_from_the_side_of_its_plans(fleet):
    """With the levels above at the greedy plan's values, the LP bound on each level is no
    worse than the greedy plan's value there (a plan of those values), and the SLO level's
    is within the bound every workload's options give."""
    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    values = [model.value(x, first) for x in levels]
    relaxation = Relaxation(model, levels)
    assert values[0] <= relaxation(0, (), 60.0) <= model.met_bound()
    for depth, level in enumerate(levels[1:], 1):
        bound = relaxation(depth, tuple(values[:depth]), 60.0)
        assert bound is not None
        assert bound <= values[depth] if level.sense == "minimize" else bound >= values[depth]


def test_the_relaxation_counts_a_whole_replica_for_a_small_rate(tmp_path, catalog):
    """A service whose rate one replica serves with room to spare holds at least one
    replica in the relaxation too (the capped cover: each replica counts for at most the
    rate), so the power level's bound is at least the least power one replica draws, not
    the share of it the rate would fill."""
    path = tmp_path / "fleet.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        objective: throughput
        inventory:
          - {id: nvidia-t4, count: 2, placement: on-prem, usd_per_hour: 0.2}
        workloads:
          - {name: images, request: "classify images at 5 req/s within 100 ms"}
    """), encoding="utf-8")
    spec = load_fleet(str(path), catalog)
    workloads, pools = fleet_workloads(spec, catalog), list(spec.as_inventory().devices)
    factors = load_factors()
    model = FleetModel(workloads, pools, build_options(workloads, pools, catalog, factors,
                                                       stored_corrections(catalog, factors)).options)
    levels = model.levels("throughput")
    first = greedy_plan(model)
    values = [model.value(x, first) for x in levels]
    depth = next(d for d, x in enumerate(levels) if x.name == "minimize power")
    (w,) = model.services
    assert all(model.rate[i] > 2 * model.wanted[w] for i in model.by_workload[w]), "one replica serves it twice over"
    least = min(levels[depth].coefficients[i] for i in model.by_workload[w])
    assert least <= Relaxation(model, levels)(depth, tuple(values[:depth]), 60.0) <= values[depth]


def test_a_start_too_large_for_its_time_leaves_the_level_to_the_neighbourhood_search(fleet, monkeypatch):
    """A MIP start is not tried with less time than its options need (MIP_SECONDS each):
    the neighbourhood search then improves the level instead."""
    from planner.fleet import start

    model, _, _ = fleet
    levels = model.levels("throughput")
    first = greedy_plan(model)
    depth, level = next((d, x) for d, x in enumerate(levels) if x.name == "minimize training job hours")
    fixed = [(done, _value(done, first)) for done in levels[:depth] if done.coefficients is not None]
    monkeypatch.setattr(start, "MIP_SECONDS", 10.0 / len(model.options))
    assert mip_start(model, first, level, fixed, 5.0) is None
    searched = []
    monkeypatch.setattr(start.Neighbourhoods, "improve", lambda self, *args: searched.append(args) or args[0])
    model.build()  # the assignment is of the CP-SAT model's variables
    start.LevelStarts(model, levels)(depth, model.assignment(first), 5.0, gap=1.0)
    assert searched, "the neighbourhood search was asked"
    monkeypatch.setattr(start, "MIP_SECONDS", 0.0)
    assert mip_start(model, first, level, fixed, 5.0) is not None


def _assert_fits(model, placed):
    """No pool over-committed (a unit holds its replicas' slots, a job beside inference none),
    and jobs beside inference within the slots their hosts hold: CP-SAT's constraints."""
    used = {}
    for i, n in placed.items():
        used[model.options[i].pool] = used.get(model.options[i].pool, 0) + n * model.options[i].held_slots
    assert all(used[p] <= model.pools[p].total_slots for p in used)
    for jobs, hosts in model.hosting:
        assert (sum(placed.get(i, 0) * model.options[i].unit_slots for i in jobs)
                <= sum(placed.get(i, 0) * model.options[i].unit_slots for i in hosts))


def test_the_slo_start_meets_more_slos_within_the_pools(fleet):
    """From an empty plan, the SLO level's MIP start meets as many SLOs (weighted by priority)
    as the greedy plan, within CP-SAT's constraints; from a plan at the level's bound it has
    nothing better to offer."""
    model, _, _ = fleet
    first = greedy_plan(model)
    found = slo_start(model, {}, 5.0)
    assert found is not None
    assert model.met_value(found) >= model.met_value(first) > 0
    _assert_fits(model, found)
    if model.met_value(found) == model.met_bound():
        assert slo_start(model, found, 5.0) is None


def test_the_start_changes_where_the_search_begins_not_the_answer(fleet, monkeypatch):
    """Each level proven with and without MIP starts: the same values on every level."""
    _, spec, catalog = fleet
    workloads = fleet_workloads(spec, catalog)
    settings = SolverSettings(time_limit_s=30)
    started = fleet_model.plan_fleet(workloads, spec.as_inventory(), catalog, "throughput", settings)
    monkeypatch.setattr(fleet_model, "LevelStarts", lambda *args: None)
    plain = fleet_model.plan_fleet(workloads, spec.as_inventory(), catalog, "throughput", settings)
    assert started.solver.status == plain.solver.status == "OPTIMAL"
    assert started.totals == plain.totals
    assert started.model_dump_json() == plain.model_dump_json()


def test_a_level_whose_first_try_ends_before_any_solution_is_solved_in_the_rest_of_its_time(monkeypatch):
    """A level with a warm start is first tried alone for a share of its time; a large model
    can take all of that share to load, ending with no solution: the level then goes on for
    the rest of its time (it used to end the whole solve with nothing)."""
    import planner.solve.chooser as chooser
    from planner.solve.cpsat import cp_model

    cp = cp_model()
    model = cp.CpModel()
    x = [model.new_int_var(0, 5, f"x{i}") for i in range(3)]
    model.add(sum(x) <= 7)
    monkeypatch.setattr(chooser, "PROBE_SHARE", 0.0)  # the first try gets no time at all
    asked = []
    solver = cp.CpSolver()
    solver.parameters.num_workers = 1
    result = chooser.optimise_in_order(cp, model, solver, [(x[0] + x[1], "maximize"), (x[2], "maximize")], keep=x,
                                       budget_s=5.0, warm_start=lambda *args: asked.append(args))
    assert result is not None and result.status == "OPTIMAL"
    assert result.values == (7, 0)


def test_a_level_that_reaches_a_bound_known_beforehand_is_proven_there():
    """Eleven pigeons, ten holes: placing ten is easy, proving eleven impossible is hard
    for a search without the LP. Told the bound (ten), the level stops at the first plan
    that reaches it and counts as proven, where CP-SAT alone would search on."""
    from planner.solve.chooser import optimise_in_order
    from planner.solve.cpsat import cp_model

    cp = cp_model()
    model = cp.CpModel()
    holes, pigeons = range(10), range(11)
    x = {(p, h): model.new_bool_var(f"x{p}_{h}") for p in pigeons for h in holes}
    for p in pigeons:
        model.add_at_most_one([x[p, h] for h in holes])
    for h in holes:
        model.add_at_most_one([x[p, h] for p in pigeons])
    placed = cp.LinearExpr.sum(list(x.values()))
    solver = cp.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 0
    solver.parameters.cp_model_presolve = False
    solver.parameters.symmetry_level = 0
    solver.parameters.max_time_in_seconds = 30.0
    result = optimise_in_order(cp, model, solver, [(placed, "maximize")], bounds=(10,))
    assert solver.best_objective_bound > 10  # CP-SAT itself has not proven it
    assert result.status == "OPTIMAL" and result.values == (10,) and result.gaps == (0.0,)
