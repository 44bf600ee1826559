"""Fleets: many workloads placed at once; no pool over-committed, SLOs claimed are met by the
performance model, priorities are strict, optimal against brute force, reasons for what is left out."""

from __future__ import annotations

import itertools
import json
import math
import textwrap

import pytest
from paths import ROOT
from typer.testing import CliRunner

from hardware import CatalogError, load_catalog
from intent.api import parse, plan, plan_fleet
from intent.cli import app
from intent.fleet import FleetError, fleet_workloads, load_fleet
from planner.fleet.model import RATE_SCALE, NoPlacementError
from planner.fleet.model import plan_fleet as place
from planner.fleet.options import options_for
from planner.perf.configs import Config
from planner.perf.factors import load_factors
from planner.perf.roofline import Grid
from planner.solve.chooser import SolverSettings

runner = CliRunner()


def write(tmp_path, text: str, name: str = "fleet.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def fleet_file(tmp_path, pools: list[str], workloads: list[str], name: str = "fleet.yaml", head: str = "") -> str:
    """A fleet file of ``pools`` and ``workloads`` (each a YAML flow mapping), after ``head`` lines."""
    return write(tmp_path, "schema_version: 1\n" + head + "inventory:\n" + "".join(f"  - {p}\n" for p in pools)
                 + "workloads:\n" + "".join(f"  - {w}\n" for w in workloads), name)


MIXED = """\
    schema_version: 1
    objective: throughput
    inventory:
      - {id: nvidia-a100-sxm-80gb, count: 1, placement: on-prem, usd_per_hour: 1.9, sharing: {mig: 7}}
      - {id: nvidia-t4, count: 2, placement: on-prem, usd_per_hour: 0.2}
      - {id: intel-xeon-platinum-8480plus, count: 1, placement: on-prem, usd_per_hour: 0.6}
    workloads:
      - {name: chat, request: "serve llama 3 8b at 1 req/s within 20 s", priority: 3}
      - {name: images, request: "classify images at 4000 req/s within 10 ms", priority: 2}
      - {name: embeddings, request: "embed text at 1500 req/s within 30 ms", priority: 2}
      - {name: detect, request: "detect objects at 400 req/s within 25 ms"}
      - {name: tune, request: "fine-tune a text classifier on 500k records for 2 epochs", deadline_hours: 8}
"""


def _regrid(catalog, assignment, pool):
    """The performance model's own figures for an assignment, computed afresh."""
    model = catalog.model(assignment.model_id)
    device = catalog.device(assignment.device_id)
    config = Config(model, device, assignment.precision, pool.placement, pool.usd_per_hour, None,
                    assignment.slots_per_replica if pool.sharing is None else 1, pool.share)
    factors = load_factors()
    return Grid([config], [assignment.batch_size], factors)


def test_no_pool_is_over_committed_and_every_claimed_slo_holds(tmp_path, catalog):
    path = write(tmp_path, MIXED)
    result = plan_fleet(path)
    pools = {p.name: p for p in load_fleet(path, catalog).inventory}
    used = {}
    for a in result.assignments:
        used[a.pool] = used.get(a.pool, 0) + a.slots
        assert a.slots == a.slots_per_replica * a.replicas
    for name, slots in used.items():
        assert slots <= pools[name].total_slots, name
    for u in result.utilisation:
        assert u.slots_used == used.get(u.pool, 0) and 0 <= u.busy <= u.allocated <= 1
    claimed = [a for a in result.assignments if a.slo_met]
    assert claimed, "the mixed fleet should meet some SLOs"
    capacity, served = {}, {}
    for a in claimed:
        if a.kind == "training":
            assert a.job_hours <= a.deadline_hours
            continue
        grid = _regrid(catalog, a, pools[a.pool])
        assert grid.fits[0, 0]
        assert grid.latency_ms[0, 0] <= a.latency_slo_ms + 1e-9
        capacity[a.workload] = capacity.get(a.workload, 0.0) + grid.throughput_rps[0, 0] * a.replicas
        served[a.workload] = served.get(a.workload, 0.0) + a.served_rps
    for a in claimed:  # a service's placements together serve its whole rate (rates compared in milli-req/s)
        if a.kind == "inference":
            assert capacity[a.workload] >= a.requested_rps - 1e-3 * a.replicas
            assert served[a.workload] == pytest.approx(a.requested_rps)


def test_the_same_file_gives_byte_identical_json(tmp_path):
    path = write(tmp_path, MIXED)
    first = plan_fleet(path).model_dump_json()
    assert plan_fleet(path).model_dump_json() == first


def test_priorities_are_strict(tmp_path):
    """One T4 slot: two low-priority services could share it... no: each needs the whole
    device, so the one high-priority service wins over two low ones."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 1, placement: on-prem}
        workloads:
          - {name: low-a, request: "classify images at 3000 req/s within 10 ms", priority: 1}
          - {name: low-b, request: "classify images at 3000 req/s within 10 ms", priority: 1}
          - {name: high, request: "embed text at 1500 req/s within 10 ms", priority: 5}
    """)
    result = plan_fleet(path)
    met = {a.workload for a in result.assignments if a.slo_met}
    assert "high" in met
    assert {u.workload for u in result.unplaced} >= {"low-a", "low-b"} - met
    assert all("no capacity left" in u.reason or "served" in u.reason for u in result.unplaced)
    # the totals say what each priority got (the SLO level's relative gap is mostly the top one's)
    by_priority = [(p.priority, p.met, p.workloads) for p in result.totals.slo_met_by_priority]
    assert by_priority == [(5, 1, 1), (1, len(met) - 1, 2)]


def _allocations(options, pools):
    """Every unit count per option of one workload that fits each pool on its own."""
    ranges = [range(min(o.need, o.max_replicas) + 1) for o in options]
    for counts in itertools.product(*ranges):
        used = {}
        for o, r in zip(options, counts):
            used[o.pool] = used.get(o.pool, 0) + o.unit_slots * r
        if all(used[p] <= pools[p].total_slots for p in used):
            yield [(o, r) for o, r in zip(options, counts) if r], used


def _brute_force(workloads, pools, options, objective):
    """The best (SLOs met by strict priority, objective) over every allocation of replicas
    to every option, a service's rate adding up over its options (as many pools as it
    likes): an exhaustive search, by dynamic programming over the slots each pool has used."""
    weights, lower = {}, 0
    counts = {}
    for w in workloads:
        counts[w.priority] = counts.get(w.priority, 0) + 1
    for p in sorted(counts):
        weights[p] = lower + 1
        lower += weights[p] * counts[p]
    best = {(): (0, 0.0)}  # pool usage (sorted (pool, slots)) -> best (met, second)
    for w, workload in enumerate(workloads):
        mine = [o for o in options if o.workload == w]
        following = {}
        for usage, (met, second) in best.items():
            for picks, used in _allocations(mine, pools):
                if workload.training and len(picks) > 1:
                    continue
                total = dict(usage)
                for p, slots in used.items():
                    total[p] = total.get(p, 0) + slots
                if any(total[p] > pools[p].total_slots for p in total):
                    continue
                supply = sum(math.floor(o.unit_rate * RATE_SCALE) * r for o, r in picks)
                wanted = None if workload.training else math.ceil(workload.rate_rps * RATE_SCALE - 1e-6)
                ok = bool(picks) if workload.training else supply >= wanted
                if objective == "throughput":
                    gain = 0 if workload.training else min(wanted, supply)
                else:
                    gain = -sum(o.power_w * o.unit * r for o, r in picks)
                key = tuple(sorted(total.items()))
                value = (met + (weights[workload.priority] if ok else 0), second + gain)
                if key not in following or value > following[key]:
                    following[key] = value
        best = following
    met, second = max(best.values())
    return met, round(second, 3)


def test_a_fleet_nothing_can_run_is_an_error_that_says_why_per_workload(tmp_path):
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 1, placement: on-prem}
        workloads:
          - {name: too-fast, request: "classify images at 100 req/s within 0.01 ms"}
          - {name: too-late, request: "fine-tune a text classifier on 50 million records for 10 epochs",
             deadline_hours: 1}
    """)
    with pytest.raises(NoPlacementError) as caught:
        plan_fleet(path)
    assert "latency <= 0.01 ms is out of reach (best" in caught.value.reasons["too-fast"]
    assert "past the 1 h deadline" in caught.value.reasons["too-late"]
    from intent.cli import main

    assert main(["fleet", "plan", path]) == 3


def test_a_workload_no_pool_can_run_is_explained_beside_the_plan(tmp_path):
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 1, placement: on-prem}
        workloads:
          - {name: fine, request: "classify images at 100 req/s within 20 ms"}
          - {name: too-fast, request: "classify images at 100 req/s within 0.01 ms"}
    """)
    result = plan_fleet(path)
    reasons = {u.workload: u.reason for u in result.unplaced}
    assert "latency <= 0.01 ms is out of reach (best" in reasons["too-fast"]
    assert [a.workload for a in result.assignments] == ["fine"]


def test_partial_service_says_how_much_was_served(tmp_path):
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 1, placement: on-prem}
        workloads:
          - {name: huge, request: "classify images at 1000000 req/s within 50 ms"}
    """)
    result = plan_fleet(path)
    assert result.assignments and not result.assignments[0].slo_met
    (unplaced,) = result.unplaced
    assert 0 < unplaced.served_share < 1
    assert unplaced.reason.startswith("served ")
    assert result.totals.served_rps == pytest.approx(result.assignments[0].served_rps)


def test_mig_slices_are_slower_than_whole_devices(catalog):
    model, device = catalog.model("resnet50"), catalog.device("nvidia-a100-sxm-80gb")
    whole = Grid([Config(model, device, "int8", "on-prem")], [8], load_factors())
    slice_ = Grid([Config(model, device, "int8", "on-prem", share=1 / 7)], [8], load_factors())
    assert slice_.latency_ms[0, 0] > whole.latency_ms[0, 0]
    assert slice_.power_w[0, 0] < whole.power_w[0, 0]
    big = catalog.model("llama-3-70b")
    assert not Grid([Config(big, device, "int8", "on-prem", share=1 / 7)], [1], load_factors()).fits[0, 0]


@pytest.mark.parametrize("entry, message", [
    ("{id: nvidia-l4, count: 1, placement: on-prem, sharing: {mig: 2}}", "does not support MIG"),
    ("{id: nvidia-a100-sxm-80gb, count: 1, placement: on-prem, sharing: {mig: 8}}", "at most 7 instances"),
    ("{id: nvidia-t4, count: 1, placement: on-prem, sharing: {mig: 2, time_slicing: 2}}", "exactly one of"),
])
def test_sharing_is_checked_against_the_catalog(tmp_path, catalog, entry, message):
    path = write(tmp_path, f"""\
        schema_version: 1
        inventory:
          - {entry}
        workloads:
          - {{name: a, request: "classify images at 10 req/s"}}
    """)
    with pytest.raises((CatalogError, FleetError), match=message):
        load_fleet(path, catalog)


@pytest.mark.parametrize("workload, message", [
    ('{name: a, request: "classify images within 10 ms"}', "needs a request rate"),
    ('{name: a, request: "classify images at 10 req/s", deadline_hours: 3}', "is for training"),
    ('{name: a, request: "fine-tune a text classifier for 2 epochs"}', "needs its dataset size"),
    ('{name: a, request: "at 10 req/s"}', "names no task or model"),
    ('{name: a, request: "embed text for 20 concurrent users"}',
     "its 20 concurrent users are planned as sequence slots of a served LLM only"),
])
def test_workloads_that_cannot_be_planned_are_named(tmp_path, workload, message):
    path = write(tmp_path, f"""\
        schema_version: 1
        inventory:
          - {{id: nvidia-t4, count: 1, placement: on-prem}}
        workloads:
          - {workload}
    """)
    with pytest.raises(FleetError, match=f"workload 'a': .*{message}"):
        plan_fleet(path)


def test_fleet_file_errors_give_the_line(tmp_path, catalog):
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 0, placement: on-prem}
        workloads:
          - {name: a, request: "classify images at 10 req/s"}
    """)
    with pytest.raises(FleetError, match=r"fleet.yaml:3: field 'inventory.0.count'"):
        load_fleet(path, catalog)


def test_cli_plans_the_example_fleet_and_reports_bad_files(tmp_path):
    result = runner.invoke(app, ["fleet", "plan", str(ROOT / "examples" / "fleet.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    placed = {a["workload"] for a in data["assignments"]}
    assert data["totals"]["placed"] == len(placed)
    assert data["totals"]["workloads"] == len(placed) + len([u for u in data["unplaced"] if u["served_share"] == 0])
    shown = runner.invoke(app, ["fleet", "plan", str(ROOT / "examples" / "fleet.yaml"), "--objective", "power"])
    assert shown.exit_code == 0 and "utilisation per pool" in shown.stdout
    from intent.cli import main

    bad = write(tmp_path, "schema_version: 1\ninventory: []\nworkloads: []\n")
    assert main(["fleet", "plan", bad]) == 2


def test_a_limit_reached_returns_the_best_plan_so_far_as_feasible(tmp_path, catalog):
    """With no time to solve, the greedy first plan (complete and feasible) comes back as
    FEASIBLE with the SLO level's gap to its bound, never an error or an empty plan."""
    lines = ["schema_version: 1", "inventory:",
             "  - {id: nvidia-t4, count: 3, placement: on-prem, sharing: {time_slicing: 4}}", "workloads:"]
    lines += [f'  - {{name: w{i}, request: "classify images at {900 + 397 * i} req/s within 20 ms"}}' for i in range(40)]
    fleet = load_fleet(write(tmp_path, "\n".join(lines) + "\n"), catalog)
    workloads, inventory = fleet_workloads(fleet, catalog), fleet.as_inventory()
    result = place(workloads, inventory, catalog, "throughput", SolverSettings(time_limit_s=1e-6))
    assert result.solver.status == "FEASIBLE"
    assert result.assignments and result.totals.slo_met > 0
    assert 1 <= len(result.solver.gaps) < len(result.solver.levels)
    used = {}
    for a in result.assignments:
        used[a.pool] = used.get(a.pool, 0) + a.slots
    assert all(slots <= 12 for slots in used.values())
    solved = place(workloads, inventory, catalog, "throughput", SolverSettings(time_limit_s=10))
    assert solved.totals.slo_met >= result.totals.slo_met
    # The gap is to a bound on the SLO level: no plan meets more than it allows.
    assert result.solver.gaps[0] >= 0
    # A build estimated at more than its share of the limit is budgeted, and the plan says so.
    assert any("option building was budgeted" in a for a in result.assumptions)
    assert not any("budgeted" in a for a in solved.assumptions)
    assert result.solver.options <= solved.solver.options


@pytest.mark.parametrize("objective, kept", [
    ("throughput", ("slots", "rate")),  # the SLO and served-rate levels need only these
    ("power", ("slots", "power", "rate")),  # the objective's own figure stays
    ("cost", ("slots", "cost", "rate")),
])
def test_a_build_estimated_past_its_share_of_the_limit_keeps_fewer_options(tmp_path, catalog, objective, kept):
    """The estimate is a count (services x pools), so the same fleet and limit always give the
    same options; within the share every figure is kept."""
    from planner.fleet.options import BEST_ON, BUILD_SHARE, PAIR_SECONDS, budgeted, build_options
    from planner.perf.roofline import stored_corrections

    fleet = load_fleet(write(tmp_path, MIXED), catalog)
    workloads, pools = fleet_workloads(fleet, catalog), list(fleet.as_inventory().devices)
    estimate = 4 * len(pools) * PAIR_SECONDS  # four services
    assert budgeted(workloads, pools, objective, estimate / BUILD_SHARE) == (BEST_ON, None)
    best_on, note = budgeted(workloads, pools, objective, 0.99 * estimate / BUILD_SHARE)
    assert best_on == kept and "raise --time-limit" in note
    factors = load_factors()
    full, lean = (build_options(workloads, pools, catalog, factors, stored_corrections(catalog, factors), best_on=b)
                  for b in (BEST_ON, best_on))
    assert len(lean.options) <= len(full.options)
    # Every service keeps options on every pool it had them on.
    assert {(o.workload, o.pool) for o in lean.options} == {(o.workload, o.pool) for o in full.options}


def test_levels_settled_by_the_first_plan_match_solving_them(tmp_path, catalog, monkeypatch):
    """When the greedy first plan meets every SLO and serves every rate it can, those levels
    are fixed without a solve; solving them instead reaches the same values."""
    fleet = load_fleet(str(ROOT / "examples" / "fleet.yaml"), catalog)
    workloads, inventory = fleet_workloads(fleet, catalog), fleet.as_inventory()
    settled = place(workloads, inventory, catalog, "throughput")
    from planner.fleet.model import FleetModel

    calls = []
    original = FleetModel.settled

    def spy(self, objective, placed):
        calls.append(original(self, objective, placed))
        return ()

    monkeypatch.setattr(FleetModel, "settled", spy)
    solved = place(workloads, inventory, catalog, "throughput")
    assert calls and len(calls[0]) == 2, "the example's first plan settles both leading levels"
    assert settled.totals.slo_met == solved.totals.slo_met
    assert math.isclose(settled.totals.served_rps, solved.totals.served_rps, rel_tol=1e-9)
    assert settled.solver.gaps[:2] == [0.0, 0.0] and solved.solver.gaps[:2] == [0.0, 0.0]


def test_a_service_too_big_for_one_device_type_is_served_from_two(tmp_path, catalog):
    """7,000 req/s of text embeddings: with the headroom their p99 under load needs, one T4
    serves at most about 2,360 and one L4 about 6,160 within 20 ms (the embedding quality floor's
    smallest model, all-MiniLM-L6-v2), so only the two together
    meet the SLO (each pool its own queue); brute force over every unit allocation agrees on
    what the fleet can meet and serve."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 1, placement: on-prem}
          - {id: nvidia-l4, count: 1, placement: on-prem}
        workloads:
          - {name: big, request: "embed text at 7000 req/s within 20 ms", priority: 2}
          - {name: small, request: "classify images at 500 req/s within 20 ms"}
    """)
    fleet = load_fleet(path, catalog)
    workloads, pools = fleet_workloads(fleet, catalog), list(fleet.inventory)
    options = []
    for w, workload in enumerate(workloads):
        options += options_for(w, workload, pools, catalog, load_factors(), {})[0]
    assert all(o.unit_rate * o.max_replicas < 7000 for o in options if o.workload == 0), "no one pool serves it"
    assert all(o.p99_ms <= 20 for o in options if o.workload == 0)
    result = place(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings())
    big = [a for a in result.assignments if a.workload == "big"]
    assert {a.device_id for a in big} == {"nvidia-t4", "nvidia-l4"}
    assert all(a.slo_met for a in big)
    assert sum(a.rate_share for a in big) == pytest.approx(1.0)
    assert sum(a.served_rps for a in big) == pytest.approx(7000)
    met, served = _brute_force(workloads, pools, options, "throughput")
    assert met == 2 and "small" in {u.workload for u in result.unplaced}  # big (priority 2: weight 2) takes both
    assert sum(a.served_rps or 0 for a in result.assignments) * RATE_SCALE == pytest.approx(served, abs=2)


REPLAN = """\
    schema_version: 1
    inventory:
      - {{id: nvidia-t4, count: {t4}, placement: on-prem}}
      - {{id: nvidia-l4, count: {l4}, placement: on-prem}}
    workloads:
      - {{name: a, request: "classify images at 12000 req/s within 10 ms", priority: 2}}
      - {{name: b, request: "embed text at 3000 req/s within 20 ms"}}
      - {{name: c, request: "detect objects at 500 req/s within 40 ms"}}
      - {{name: d, request: "classify text sentiment at 6000 req/s within 20 ms"}}
      - {{name: e, request: "embed text at 1000 req/s within 20 ms"}}
"""


def _placements(plan):
    out = {}
    for a in plan.assignments:
        out.setdefault(a.workload, set()).add((a.pool, a.model_id, a.precision, a.batch_size, a.replicas))
    return out


def test_replanning_an_unchanged_fleet_moves_nothing(tmp_path):
    path = write(tmp_path, REPLAN.format(t4=4, l4=4))
    first = plan_fleet(path)
    previous = tmp_path / "plan.json"
    previous.write_text(first.model_dump_json(), encoding="utf-8")
    again = plan_fleet(path, previous=str(previous))
    assert again.replan is not None
    assert again.replan.moved == 0 and again.replan.changes == []
    assert again.replan.kept == len(_placements(first))
    assert _placements(again) == _placements(first)
    assert first.replan is None


def test_replanning_after_a_pool_shrinks_moves_only_what_must_move(tmp_path):
    """Take one device from the pool the first plan uses most: exactly one workload there
    must make room (the other pool has room for it), and every other workload stays."""
    counts = {"nvidia-t4": 4, "nvidia-l4": 4}
    first = plan_fleet(write(tmp_path, REPLAN.format(t4=counts["nvidia-t4"], l4=counts["nvidia-l4"])))
    busiest = max(first.utilisation, key=lambda u: u.slots_used)
    on_it = {a.workload for a in first.assignments if a.pool == busiest.pool}
    assert busiest.slots_used == busiest.slots and len(on_it) >= 2, "the case needs a full pool shared by workloads"
    counts[busiest.device_id] -= 1
    shrunk = write(tmp_path, REPLAN.format(t4=counts["nvidia-t4"], l4=counts["nvidia-l4"]), "shrunk.yaml")
    again = plan_fleet(shrunk, previous=first)
    assert again.totals.slo_met == first.totals.slo_met  # the other pool has room for what moves
    changes = again.replan.changes
    assert [c.change for c in changes] == ["moved"]
    assert changes[0].workload in on_it
    assert "shrank" in changes[0].reason and changes[0].before and changes[0].after
    before, after = _placements(first), _placements(again)
    for name in before:
        if name != changes[0].workload:
            assert after[name] == before[name], name
    from intent.cli import main

    previous = tmp_path / "plan.json"
    previous.write_text(first.model_dump_json(), encoding="utf-8")
    assert main(["fleet", "plan", shrunk, "--previous", str(previous), "--json"]) == 0
    previous.write_text("{}", encoding="utf-8")
    with pytest.raises(FleetError, match="not a fleet plan"):
        plan_fleet(shrunk, previous=str(previous))


def test_a_service_meets_its_slo_only_with_the_headroom_its_p99_under_load_needs(tmp_path, catalog):
    """10,000 req/s of image segmentation within 50 ms on four T4s: every option's replicas
    are planned below their batch rate, at a load whose p99 (fill, M/D/c wait, service, hop,
    worked out afresh by planner.perf.queueing) is within the SLO, and a pooled unit is the
    fewest replicas that serve the whole rate so (one fewer would not, within the table's
    rounding). The plan's replicas then carry the rate within the SLO."""
    from planner.perf.queueing import max_rate, p99_latency_ms

    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 4, placement: on-prem}
        workloads:
          - {name: images, request: "segment images at 10000 req/s within 50 ms"}
    """)
    fleet = load_fleet(path, catalog)
    workloads, pools = fleet_workloads(fleet, catalog), list(fleet.inventory)
    hop = load_factors().serving_overhead_ms
    options = options_for(0, workloads[0], pools, catalog, load_factors(), {})[0]
    assert {o.unit for o in options} > {1}, "the case needs a pooled unit"
    for o in options:
        peak = o.batch_size * 1000 / o.latency_ms
        assert o.rate_rps < peak  # headroom
        assert o.p99_ms == pytest.approx(p99_latency_ms(o.latency_ms, o.batch_size, o.unit_rate, o.unit, hop))
        assert o.p99_ms <= 50
        for load in (0.25, 0.5, 0.75):  # and at any lower load
            assert p99_latency_ms(o.latency_ms, o.batch_size, load * o.unit_rate, o.unit, hop) <= 50
        if o.unit > 1 and o.need == 1:
            assert max_rate(o.latency_ms, o.batch_size, 50, o.unit - 1, hop) < 10000 * 1.01
    plan = place(workloads, fleet.as_inventory(), catalog, "throughput", SolverSettings())
    assert plan.totals.slo_met == 1
    for a in plan.assignments:
        queues = a.replicas // a.replicas_per_queue
        p99 = p99_latency_ms(a.latency_ms, a.batch_size, a.served_rps / queues, a.replicas_per_queue, hop)
        assert p99 <= a.p99_ms + 1e-9 and a.p99_ms <= 50
        assert a.served_rps / a.replicas < a.batch_size * 1000 / a.latency_ms


BESIDE = """\
    schema_version: 1
    inventory:
      - {id: nvidia-h100-sxm-80gb, count: 1, placement: on-prem}
      - {id: nvidia-t4, count: 1, placement: on-prem}
    workloads:
      - {name: chat, request: "serve llama 3 8b at 1 req/s within 2 s", priority: 2}
      - {name: tune, request: "fine-tune a text classifier on 2000k records for 2 epochs", deadline_hours: 48}
"""


def test_training_beside_inference_uses_its_idle_share_and_finishes_sooner(tmp_path, catalog):
    """Only the H100 serves the chat model within its SLO, and it leaves much of the device
    idle. Kept to slots of its own, the job must train on the T4; beside inference it runs
    on the H100's slot in the idle share (the band's lower edge), holding no slot, and
    finishes sooner. The chat service meets its SLO either way (preemption leaves its p99 as
    planned)."""
    from planner.fleet.colocation import IDLE_BANDS

    fleet = load_fleet(write(tmp_path, BESIDE), catalog)
    workloads, inventory = fleet_workloads(fleet, catalog), fleet.as_inventory()
    beside = place(workloads, inventory, catalog, "throughput", SolverSettings())
    apart = place(workloads, inventory, catalog, "throughput", SolverSettings(), colocate=False)
    chat_beside, chat_apart = ({a.workload: a for a in plan.assignments}["chat"] for plan in (beside, apart))
    job, own = ({a.workload: a for a in plan.assignments}["tune"] for plan in (beside, apart))
    assert own.device_id == "nvidia-t4" and own.compute_share == 1.0
    assert job.pool == chat_beside.pool and job.compute_share in IDLE_BANDS and job.slots <= chat_beside.slots
    assert job.job_hours < own.job_hours and job.slo_met and own.slo_met
    for chat in (chat_beside, chat_apart):
        assert chat.slo_met and chat.p99_ms <= chat.latency_slo_ms
    # The job gets no more than the replica leaves idle at its planned load, and its time is
    # that of the same configuration on a slot of its own at that share.
    pools = list(fleet.inventory)
    hosts = [o for o in options_for(0, workloads[0], pools, catalog, load_factors(), {})[0]
             if o.pool == 0 and (o.model_id, o.batch_size) == (chat_beside.model_id, chat_beside.batch_size)]
    assert hosts and job.compute_share <= min(o.idle_share for o in hosts)
    h100 = [o for o in options_for(1, workloads[1], pools, catalog, load_factors(), {})[0]
            if o.pool == 0 and o.hosted_share is None and o.model_id == job.model_id
            and o.slots_per_replica == job.slots_per_replica]
    assert h100 and job.job_hours == pytest.approx(h100[0].job_hours / job.compute_share)
    usage = {u.pool: u for u in beside.utilisation}[job.pool]
    assert usage.slots_used == chat_beside.slots and usage.slots_shared == job.slots
    assert 0 <= usage.busy <= usage.allocated <= 1


def test_fifo_sharing_slows_the_replicas_it_touches():
    """The priority-blind baseline: a replica that shares its slot FIFO with a training job
    runs its batches at half speed, so its p99 grows and, past half its load, its queue no
    longer keeps up; a replica that preempts the job keeps its planned p99."""
    from planner.fleet.colocation import fifo_p99_ms, fifo_slowdown
    from planner.fleet.options import Option
    from planner.perf.queueing import p99_latency_ms

    service, batch, hop = 4.0, 4, 2.0
    capacity = batch * 1000 / service  # 1,000 req/s on one replica
    option = Option(workload=0, pool=0, model_id="m", precision="int8", batch_size=batch, slots_per_replica=1,
                    rate_rps=0.5 * capacity, need=1, max_replicas=1, latency_ms=service, job_hours=None,
                    power_w=None, cost_usd_per_hour=None)
    planned = p99_latency_ms(service, batch, 0.4 * capacity, 1, hop)
    assert fifo_p99_ms(option, 0.4 * capacity, 0, hop) == planned == option.p99_at(0.4 * capacity, hop)
    shared = fifo_p99_ms(option, 0.4 * capacity, 1, hop)
    assert shared == pytest.approx(p99_latency_ms(2 * service, batch, 0.4 * capacity, 1, hop))
    assert shared > planned + service
    assert math.isinf(fifo_p99_ms(option, 0.55 * capacity, 1, hop))
    # A served LLM waits for a free sequence slot (no batch to fill); sharing FIFO doubles the
    # time a request holds one, so the same load that kept up no longer does.
    llm = Option(workload=0, pool=0, model_id="m", precision="fp8", batch_size=64, slots_per_replica=1, rate_rps=5.0,
                 need=1, max_replicas=1, latency_ms=10_000.0, job_hours=None, power_w=None, cost_usd_per_hour=None,
                 held=64, occupancy_ms=10_000.0)  # 6.4 requests/s at most
    assert llm.p99_at(5.0, hop) == pytest.approx(10_000.0 + hop, rel=0.05)
    assert math.isinf(fifo_p99_ms(llm, 5.0, 1, hop))
    # Pooled replicas: one of four shared leaves 3.5 replicas' speed, spread over the four.
    assert fifo_slowdown(1, 4) == pytest.approx(4 / 3.5)
    assert fifo_slowdown(4, 4) == 2.0 and fifo_slowdown(0, 4) == 1.0


def test_a_job_beside_inference_is_refused_for_export_and_planned_apart_with_no_colocate(tmp_path, capsys):
    """A job in the idle compute of inference replicas has no faithful Kubernetes objects (the
    device plugin gives a GPU to one pod): --emit refuses it, naming the job and --no-colocate,
    which plans it on devices of its own and exports."""
    from intent.cli import main

    path = write(tmp_path, BESIDE)
    assert main(["fleet", "plan", path, "--emit", "k8s", "-o", str(tmp_path / "beside")]) != 0
    err = capsys.readouterr().err
    assert "tune" in err and "--no-colocate" in err and "Traceback" not in err
    assert not list((tmp_path / "beside").glob("*.yaml"))
    assert main(["fleet", "plan", path, "--no-colocate", "--emit", "k8s", "-o", str(tmp_path / "apart")]) == 0
    assert (tmp_path / "apart" / "tune.yaml").exists()


def test_fleet_workloads_get_the_quality_floors_a_single_request_gets(tmp_path, catalog):
    """A fleet planned Whisper tiny for clinical dictation and MiniLM-L3 for search: the floors that
    keep them out of a single request's plan did not reach its workloads."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-t4, count: 4, placement: on-prem}
        workloads:
          - {name: dictation, request: "transcribe audio at 10 req/s within 2 s"}
          - {name: search, request: "embed text at 800 req/s within 50 ms"}
          - {name: named, request: "embed text with paraphrase-minilm-l3-v2 at 800 req/s within 50 ms"}
    """)
    from planner.defaults import request_defaults

    result = plan_fleet(path)
    chosen = {a.workload: a.model_id for a in result.assignments}
    for name, text in (("dictation", "transcribe audio"), ("search", "embed text")):
        floor = request_defaults(parse(text, offline=True), load_catalog())
        assert floor.floor is not None and floor.keeps(catalog.model(chosen[name]))
        assert any(a.startswith(f"{name}: default quality floor") for a in result.assumptions)
    assert chosen["named"] == "paraphrase-minilm-l3-v2"  # a model named is planned as named


def test_a_plan_on_owned_devices_says_which_and_how_many(tmp_path):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("schema_version: 1\ndevices:\n  - {id: nvidia-l4, count: 4, placement: on-prem}\n",
                         encoding="utf-8")
    from intent import plan

    assert plan("classify images in 10 ms", offline=True, inventory=str(inventory)).inventory == {"nvidia-l4": 4}
    assert plan("classify images in 10 ms, we have 2 L4s", offline=True).inventory == {"nvidia-l4": 2}
    assert plan("classify images in 10 ms", offline=True).inventory == {}


def test_a_requests_own_devices_are_named_not_dropped_in_a_fleet():
    from hardware import load_catalog
    from intent.fleet import FleetFile

    fleet = FleetFile.model_validate({
        "schema_version": 1, "objective": "throughput",
        "inventory": [{"id": "nvidia-l4", "count": 4, "placement": "on-prem"}],
        "workloads": [{"name": "chat", "request": "serve llama 3.1 8b at 5 req/s on a single GPU"},
                      {"name": "tags", "request": "classify images at 100 req/s on 2 A100s"}]})
    notes = [w.notes for w in fleet_workloads(fleet, load_catalog())]
    assert any("at most 1 device" in n and "not planned for in a fleet" in n for n in notes[0])
    assert any("2 x nvidia-a100" in n for n in notes[1])


CHAT_ON_L4 = """\
    schema_version: 1
    inventory:
      - {id: nvidia-l4, count: 8, placement: on-prem}
    workloads:
      - {name: chat, request: "serve llama 3 8b at 6 req/s, latency under 15 s"}
      - {name: long, request: "serve llama 3 8b in int8 at 1 req/s with 4000-token prompts and 500-token answers, latency under 30 s"}
      - {name: short, request: "serve llama 3 8b in int8 at 1 req/s, latency under 30 s"}
"""


def test_a_fleet_serves_text_generation_as_a_single_request_does(tmp_path, catalog):
    # The fleet planned LLMs as static batches behind an M/D/c queue: "llama 3 8b at 6 req/s
    # within 15 s" took all 8 L4 (TP4 x 2), where a single request takes 2 (TP2, continuous
    # batching), and a stated prompt and answer length were not read.
    from intent import plan

    fleet = load_fleet(write(tmp_path, CHAT_ON_L4), catalog)
    result = place(fleet_workloads(fleet, catalog), fleet.as_inventory(), catalog, "throughput", SolverSettings())
    chat, long = ({a.workload: a for a in result.assignments}[name] for name in ("chat", "long"))
    single = plan("serve llama 3 8b at 6 req/s, latency under 15 s, on L4", offline=True, record=False)
    assert chat.slo_met and chat.slots <= single.choice.devices_per_replica * single.choice.replicas
    assert long.slo_met
    # The request's shape is planned: with 4000-token prompts and 500-token answers the same
    # service (else the same request) has other options than with the default request (512 in,
    # 256 out); the shape was not read, so the two were the same.
    pools = list(fleet.inventory)
    workloads = fleet_workloads(fleet, catalog)
    shaped, default = (options_for(w, workloads[w], pools, catalog, load_factors(), {})[0] for w in (1, 2))
    figures = [{(o.batch_size, o.slots_per_replica, round(o.latency_ms)) for o in options} for options in (shaped, default)]
    assert figures[0] != figures[1]


def test_a_workload_no_catalog_model_can_serve_is_left_unplaced_not_the_fleet(tmp_path, catalog):
    # One workload whose language no catalog model handles stopped the whole fleet plan.
    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-l4, count: 4, placement: on-prem}
        workloads:
          - {name: chat, request: "serve llama 3 8b at 2 req/s within 15 s"}
          - {name: zh-sentiment, request: "sentiment of Chinese product reviews at 100 req/s within 50 ms"}
    """)
    fleet = load_fleet(path, catalog)
    result = place(fleet_workloads(fleet, catalog), fleet.as_inventory(), catalog, "throughput", SolverSettings())
    placed = {a.workload for a in result.assignments}
    assert placed == {"chat"}
    (left,) = [u for u in result.unplaced if u.workload == "zh-sentiment"]
    assert "documented to handle zh" in left.reason


def test_a_workloads_warnings_and_policies_are_in_the_fleet_plan(tmp_path):
    """"EU only" and a watermark were dropped silently in a fleet, where a single plan says both."""
    request = "embed text at 100 req/s within 50 ms, EU only, watermark outputs"
    path = write(tmp_path, f"schema_version: 1\ninventory: [{{id: nvidia-l4, count: 2, placement: on-prem}}]\n"
                           f"workloads: [{{name: emb, request: '{request}'}}]\n")
    notes = [a for a in plan_fleet(path).assumptions if a.startswith("emb: ")]
    assert any("'eu only': regions and data residency are not planned for" in a for a in notes)
    assert any(a.startswith("emb: watermarking asked") for a in notes)


def test_replanning_against_another_fleets_plan_is_refused(tmp_path):
    """Another fleet's plan was taken as the previous one: "1 removed, 8 started", without a word."""
    from planner.fleet.replan import PreviousPlanError

    other = plan_fleet(write(tmp_path, "schema_version: 1\ninventory: [{id: nvidia-l40s, count: 2, placement: "
                                       "on-prem}]\nworkloads: [{name: emb, request: 'embed text at 100 req/s'}]\n"))
    previous = tmp_path / "other.json"
    previous.write_text(other.model_dump_json(), encoding="utf-8")
    with pytest.raises(PreviousPlanError, match="places none of this fleet's workloads .* on none of its pools"):
        plan_fleet(write(tmp_path, REPLAN.format(t4=4, l4=4)), previous=str(previous))
    # the same pools with its workloads renamed is a re-plan of this fleet: the old names are removed
    renamed = tmp_path / "renamed.json"
    renamed.write_text(plan_fleet(write(tmp_path, REPLAN.format(t4=4, l4=4))).model_dump_json()
                       .replace('"workload":"', '"workload":"old-'), encoding="utf-8")
    again = plan_fleet(write(tmp_path, REPLAN.format(t4=4, l4=4)), previous=str(renamed))
    assert again.replan is not None and any(c.change == "removed" for c in again.replan.changes)


def test_a_workload_with_contradictory_bounds_is_told_which(tmp_path):
    """It was "no configuration meets every bound at once", naming neither."""
    request = "classify images at 100 req/s, latency under 5 ms and over 10 ms"
    path = write(tmp_path, f"schema_version: 1\ninventory: [{{id: nvidia-l4, count: 2, placement: on-prem}}]\n"
                           f"workloads: [{{name: a, request: '{request}'}}, {{name: b, request: 'embed text at 100 req/s'}}]\n")
    (left,) = [u for u in plan_fleet(path).unplaced if u.workload == "a"]
    assert "latency >= 10 ms and latency <= 5 ms contradict each other" in left.reason


def test_a_pipelined_edge_device_has_a_finite_p99_within_its_slo(tmp_path):
    """A Hailo-8 (pipelined: it finishes frames faster than one frame's latency) was queued at its
    latency, so its planned load read as a full queue: p99 inf, "SLO met", and --json failed."""
    path = write(tmp_path, "schema_version: 1\ninventory: [{id: hailo-8, count: 1, placement: edge}]\n"
                           "workloads: [{name: shelf, request: 'detect objects on 4 cameras at 5 fps'}]\n")
    (placed,) = plan_fleet(path).assignments
    assert placed.p99_ms is not None and math.isfinite(placed.p99_ms) and placed.p99_ms <= placed.latency_slo_ms


def test_a_served_llms_ttft_bound_holds_at_its_planned_load(tmp_path):
    """With a TTFT bound and no latency SLO, replicas were loaded to 99% (p99 24 s, "SLO met"): the
    wait for a free sequence slot counts in the time to first token, so the bound caps the load."""
    request = "serve qwen2.5 coder 32b at 9.4 req/s, TTFT under 2 s, at least 15 tokens/s per user"
    path = write(tmp_path, "schema_version: 1\ninventory: [{id: nvidia-h100-sxm-80gb, count: 2, placement: on-prem}]\n"
                           f"workloads: [{{name: code, request: '{request}'}}]\n")
    (placed,) = plan_fleet(path).assignments
    wait_ms = placed.p99_ms - placed.latency_ms  # the p99 wait for a slot, beyond the request's own service
    assert placed.slo_met and 0 <= wait_ms < 2000 and placed.p99_ms < 5000


def test_a_fleets_power_says_when_it_counts_only_the_devices_with_a_known_power(tmp_path):
    """The header said "66 W" where four of five placements ran on devices without a published power."""
    path = write(tmp_path, "schema_version: 1\ninventory: [{id: aws-inferentia2, count: 2, placement: cloud}]\n"
                           "workloads: [{name: emb, request: 'embed text at 100 req/s'}]\n")
    result = plan_fleet(path)
    assert [a.power_w for a in result.assignments] == [None]  # Inferentia2 publishes no power
    assert result.totals.power_known is False


def test_a_workload_whose_request_cannot_be_read_is_planned_around(tmp_path):
    """One request the parser cannot read failed the whole fleet (exit 2); the others are planned
    and it is listed as not placed, with why. A fleet none of whose requests can be read still fails."""
    path = write(tmp_path, "schema_version: 1\ninventory: [{id: nvidia-l4, count: 2, placement: on-prem}]\n"
                           "workloads: [{name: good, request: 'embed text at 100 req/s within 50 ms'},\n"
                           "            {name: bad, request: 'classify clinical text into billing codes', priority: 2}]\n")
    result = plan_fleet(path)
    assert [a.workload for a in result.assignments] == ["good"] and result.totals.workloads == 2
    (bad,) = [u for u in result.unplaced if u.workload == "bad"]
    assert bad.priority == 2 and bad.reason.startswith("its request could not be planned: workload 'bad':")
    # it counts among its priority's workloads, meeting no SLO (the header left it out)
    assert [(p.priority, p.met, p.workloads) for p in result.totals.slo_met_by_priority] == [(2, 0, 1), (1, 1, 1)]


def test_a_job_may_take_a_device_count_between_the_fewest_and_the_most(tmp_path):
    """Per pool a job had only its fewest-devices and its most-devices options: with 2 of 8
    H100s held by a service it could take 1 H100 or the 8 L4s (10.5 h), not 4 of the 6
    free H100s (2.9 h)."""
    path = write(tmp_path, "schema_version: 1\n"
                           "inventory: [{id: nvidia-h100-sxm-80gb, count: 8, placement: on-prem},\n"
                           "            {id: nvidia-l4, count: 8, placement: on-prem}]\n"
                           "workloads: [{name: chat, request: 'serve llama 3.1 70b at fp8 at 3 req/s, TTFT under 1 s',"
                           " priority: 3},\n"
                           "            {name: tune, request: 'fine-tune llama 3 8b with lora on 200k examples for 3 epochs',"
                           " deadline_hours: 24}]\n")
    assignments = plan_fleet(path).assignments
    assert all(a.slo_met for a in assignments)
    assert [(a.pool, a.slots) for a in assignments if a.workload == "chat"] == [("nvidia-h100-sxm-80gb", 2)]
    assert [(a.pool, a.slots) for a in assignments if a.workload == "tune"] == [("nvidia-h100-sxm-80gb", 4)]


def test_cameras_in_a_fleet_get_the_latency_a_single_plan_gives_them(tmp_path):
    """10 cameras at 15 fps each lost their default (two frame intervals, 133 ms): the frame rate
    was read after it was summed over the cameras, and the service was planned at a p99 of 6.2 s."""
    path = write(tmp_path, """\
        schema_version: 1
        objective: power
        inventory:
          - {id: nvidia-jetson-orin-nx-16gb, count: 10, placement: edge}
        workloads:
          - {name: pallets, request: "detect pallets with yolo at the edge, 15 fps per camera, 10 cameras"}
    """)
    single = plan("detect pallets with yolo at the edge, 15 fps per camera, 10 cameras", offline=True, record=False)
    default = next(c.constraint.value for c in single.constraints if c.constraint.source == "default")
    (placed,) = plan_fleet(path).assignments
    assert placed.latency_slo_ms == pytest.approx(default) == pytest.approx(2000 / 15)
    assert placed.p99_ms <= placed.latency_slo_ms


def test_a_job_beside_inference_draws_its_training_power_for_its_share(tmp_path, catalog):
    """A job beside inference was counted at 0 W, so under a power objective it drew a small
    classifier on to an H100 to host it."""
    from planner.fleet import colocation

    path = write(tmp_path, """\
        schema_version: 1
        objective: power
        inventory:
          - {id: nvidia-h100-sxm-80gb, count: 2, placement: on-prem}
        workloads:
          - {name: reranker, request: "text classification with distilbert at 200 req/s within 20 ms", priority: 2}
          - {name: lora, request: "LoRA fine-tune llama 3.1 8b on 50k examples of 1k tokens, 2 epochs",
             deadline_hours: 24, priority: 1}
    """)
    result = plan_fleet(path)
    job = next(a for a in result.assignments if a.workload == "lora")
    assert job.power_w is not None and job.power_w > 0
    tdp = catalog.device("nvidia-h100-sxm-80gb").tdp_w.value
    assert job.compute_share is not None
    # its devices' training draw for its share of their time (the whole of it on slots of its own)
    assert job.power_w == pytest.approx(tdp * job.slots * job.compute_share, rel=1e-6)
    assert job.compute_share in colocation.IDLE_BANDS and job.compute_share < 1  # beside the reranker


def test_an_llm_service_given_its_users_holds_a_slot_for_each_as_a_single_plan_does(tmp_path):
    """"40 concurrent users" was refused in a fleet ("needs a request rate"), where a single plan
    sizes replicas to hold them."""
    path = write(tmp_path, """\
        schema_version: 1
        objective: cost
        inventory:
          - {id: nvidia-l4, count: 8, placement: on-prem, usd_per_hour: 0.40}
        workloads:
          - {name: chat, request: "serve llama 3.1 8b for 40 concurrent users", priority: 2}
          - {name: big, request: "serve qwen2.5-coder-32b, 200 concurrent users, TTFT under 600 ms", priority: 1}
    """)
    result = plan_fleet(path)
    (chat,) = [a for a in result.assignments if a.workload == "chat"]
    single = plan("serve llama 3.1 8b for 40 concurrent users, we have 8 L4s", offline=True, record=False)
    assert chat.slo_met and chat.batch_size * chat.replicas >= 40  # a sequence slot for each user
    assert chat.slots == single.choice.replicas * single.choice.devices_per_replica
    (big,) = [u for u in result.unplaced if u.workload == "big"]
    assert "its 200 concurrent users need more than the pools that can run it within its bounds" in big.reason



def test_a_fleet_workload_too_large_for_every_pool_says_by_how_much(tmp_path, catalog):
    # "serve llama 3.1 405b" on L4s and T4s was explained as "no configuration has a known ttft"
    path = tmp_path / "fleet.yaml"
    path.write_text(textwrap.dedent("""\
        schema_version: 1
        inventory:
          - {id: nvidia-l4, count: 2, placement: on-prem}
        workloads:
          - {name: big-llm, request: "serve llama 3.1 405b at 1 req/s"}
          - {name: embed, request: "embed text at 200 req/s within 50 ms"}
    """), encoding="utf-8")
    spec = load_fleet(str(path), catalog)
    result = place(fleet_workloads(spec, catalog), spec.as_inventory(), catalog, "throughput",
                   SolverSettings(time_limit_s=10))
    why = next(u.reason for u in result.unplaced if u.workload == "big-llm")
    assert "model does not fit (llama-3.1-405b in" in why and "GB a device at least" in why


@pytest.mark.parametrize("sharing, most", [("{mig: 7}", 131071), ("{time_slicing: 2}", 131072)])
def test_an_llm_on_a_shared_gpu_exports_its_slice_s_context(tmp_path, sharing, most):
    """--emit crashed (AttributeError) for an LLM on a MIG or time-sliced pool: the server's
    --max-model-len is what the slice's own memory holds beside the weights."""
    import yaml

    from intent.cli import main

    path = write(tmp_path, f"""\
        schema_version: 1
        inventory:
          - {{id: nvidia-a100-sxm-80gb, count: 1, placement: on-prem, sharing: {sharing}}}
        workloads:
          - name: chat-8b
            request: "serve llama 3.1 8b at 1 req/s within 20 s"
        """)
    assert main(["fleet", "plan", path, "--emit", "k8s", "-o", str(tmp_path / "out")]) == 0
    docs = list(yaml.safe_load_all((tmp_path / "out" / "chat-8b.yaml").read_text(encoding="utf-8")))
    args = next(c["args"] for d in docs if d["kind"] == "Deployment" for c in d["spec"]["template"]["spec"]["containers"])
    length = int(args[args.index("--max-model-len") + 1])
    assert 768 < length <= most  # a 10 GB MIG slice holds less than the model's 128k context beside its weights


def test_a_rate_no_fleet_serves_is_that_workload_s_error(tmp_path, capsys):
    """'1e308 req/s' overflowed the scaled figures: an internal error for the whole fleet."""
    from intent.cli import main

    path = write(tmp_path, """\
        schema_version: 1
        inventory:
          - {id: nvidia-l4, count: 2, placement: on-prem}
        workloads:
          - name: tagger
            request: "classify images at 1e308 req/s within 30 ms"
          - name: embed
            request: "embed sentences at 50 req/s within 50 ms"
        """)
    assert main(["fleet", "plan", path]) == 0
    out = capsys.readouterr().out
    assert "more than any fleet serves" in out and "internal error" not in out


def test_a_placements_p99_is_at_the_load_it_serves(tmp_path):
    """Every service had reported a p99 of 99% of its SLO, whatever its load: the options' p99 at
    the most they may serve. Two services alike but for their SLO report one p99, far under both."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory: [{id: nvidia-l4, count: 2, placement: on-prem}]
        workloads:
          - {name: loose, request: "classify images at 200 req/s within 200 ms"}
          - {name: tight, request: "classify images at 200 req/s within 5 ms"}
        """)
    plan = plan_fleet(path)
    p99 = {a.workload: a.p99_ms for a in plan.assignments}
    assert p99["loose"] == pytest.approx(p99["tight"]) and p99["tight"] < 5.0


def test_a_workload_naming_a_model_the_catalog_lacks_is_not_placed_as_another(tmp_path):
    """"serve falcon 40b" had been placed as gpt-oss-20b, "SLO met", the swap said at the very end."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory: [{id: nvidia-h100-sxm-80gb, count: 2, placement: on-prem}]
        workloads:
          - {name: falcon, request: "serve falcon 40b at 1 req/s within 30 s"}
          - {name: chat, request: "serve llama 3.1 8b at 1 req/s within 30 s"}
        """)
    plan = plan_fleet(path)
    assert [a.workload for a in plan.assignments] == ["chat"]
    assert any(u.workload == "falcon" and "not in the model catalog" in u.reason for u in plan.unplaced)


def test_an_llm_placement_reports_its_ttft_and_tpot(tmp_path):
    """A fleet printed a 70B chat service's whole-reply time (7,301 ms) and no TTFT or TPOT, the
    figures its bounds are on."""
    path = write(tmp_path, """\
        schema_version: 1
        inventory: [{id: nvidia-h100-sxm-80gb, count: 8, placement: on-prem}]
        workloads:
          - {name: chat, request: "serve llama 3.1 70b for 50 concurrent users, TTFT under 500 ms, 30 tokens/s per user"}
        """)
    chat = plan_fleet(path).assignments[0]
    assert chat.ttft_ms is not None and chat.ttft_ms <= 500 and chat.tpot_ms <= 1000 / 30


def test_a_misspelt_key_is_named_with_the_key_it_likely_meant(tmp_path, capsys):
    # "inventroy:" was reported as "field 'inventory': Field required", the typo itself unnamed
    from intent.cli import main

    text = (ROOT / "examples" / "fleet.yaml").read_text(encoding="utf-8")
    path = tmp_path / "fleet.yaml"
    path.write_text(text.replace("\ninventory:", "\ninventroy:", 1), encoding="utf-8")
    assert main(["fleet", "plan", str(path)]) == 2
    assert "unknown key 'inventroy' (did you mean 'inventory'?)" in capsys.readouterr().err
    path.write_text(text.replace("usd_per_hour: 0.45", "usd_per_hr: 0.45", 1), encoding="utf-8")
    assert main(["fleet", "plan", str(path)]) == 2
    assert "(did you mean 'usd_per_hour'?)" in capsys.readouterr().err


def test_an_empty_workload_request_is_the_files_mistake(tmp_path):
    """An empty request had been planned around with exit 0, its demand gone from the totals."""
    from intent.fleet import FleetError, load_fleet

    text = (ROOT / "examples" / "fleet.yaml").read_text(encoding="utf-8").replace(
        'request: "embed text at 800 req/s within 50 ms"', 'request: "  "', 1)
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    from hardware import load_catalog

    with pytest.raises(FleetError, match="'request' is empty"):
        load_fleet(path, load_catalog())


def test_owned_unpriced_pools_cost_their_power_and_hosting_as_a_single_plans_inventory(tmp_path):
    # the cost objective had counted them as unknown (worse than any price) and rented an H100 at $6.88/h
    # while four held T4s stood idle
    path = fleet_file(tmp_path, ["{id: nvidia-t4, count: 4, placement: on-prem}",
                                 "{id: nvidia-h100-sxm-80gb, count: 2, placement: cloud}"],
                      ['{name: cls, request: "classify images at 300 req/s within 30 ms"}'], head="objective: cost\n")
    result = plan_fleet(path)
    (placed,) = result.assignments
    assert placed.device_id == "nvidia-t4" and placed.cost_usd_per_hour is not None and result.totals.cost_known
    assert any(a.startswith("owned devices cost their power and hosting") for a in result.assumptions)


@pytest.mark.parametrize("sharing", ["{mig: 7}", "{time_slicing: 4}"])
def test_a_training_job_on_a_shared_device_takes_one_slot(tmp_path, sharing):
    # it had been planned on 8 MIG slices (nprocPerNode 8): a process sees one MIG instance, and NCCL runs no
    # collective across them nor two ranks on one GPU
    path = fleet_file(tmp_path, [f"{{id: nvidia-h100-sxm-80gb, count: 2, placement: on-prem, sharing: {sharing}}}"],
                      ['{name: ft, request: "fine-tune bert-base on 1 million records for 2 epochs", deadline_hours: 24}'])
    result = plan_fleet(path, colocate=False)
    (job,) = result.assignments
    assert job.kind == "training" and job.slots == 1


def test_a_kept_placement_keeps_every_running_replica_in_the_options_units():
    # 2 replicas behind one queue, kept by an option of 1-replica units, had kept 1 and stopped the other
    # ("kept 29, moved 0")
    from types import SimpleNamespace

    from planner.fleet.plan import Assignment
    from planner.fleet.replan import Previous

    running = Assignment.model_construct(workload="embed", pool="t4", model_id="m", precision="int8", batch_size=1,
                                         replicas=2, replicas_per_queue=2, slots_per_replica=1, compute_share=None)
    option = SimpleNamespace(workload=0, pool=0, model_id="m", precision="int8", batch_size=1, slots_per_replica=1,
                             hosted_share=None, unit=1, need=4)
    previous = Previous(plan=None, placements={0: [(0, running)]}, removed=[])
    assert previous.rules([option]) == {0: [(0, 2)]}


def test_a_pool_shared_another_way_is_said_so_when_replanning(tmp_path):
    fleet = ("schema_version: 1\ninventory:\n  - {{id: nvidia-t4, count: 2, placement: on-prem, "
             "sharing: {{time_slicing: {n}}}}}\nworkloads:\n"
             "  - {{name: e, request: \"embed text at 300 req/s within 50 ms\"}}\n")
    first = plan_fleet(write(tmp_path, fleet.format(n=4)))
    again = plan_fleet(write(tmp_path, fleet.format(n=2), "again.yaml"), previous=first)
    (change,) = again.replan.changes
    assert "its sharing changed" in change.reason and "no longer in the inventory" not in change.reason


def test_a_workload_alone_on_its_pools_is_never_said_to_lose_them_to_workloads_ranked_higher(tmp_path):
    # with no other workload it had been "the rest of the pools ... went to workloads ranked higher" (the
    # pool's options were each counted at the whole pool, as if each had it to itself)
    path = fleet_file(tmp_path, ["{id: nvidia-t4, count: 1, placement: on-prem}"],
                      ['{name: e, request: "embed text at 3000 req/s within 20 ms"}'])
    (unplaced,) = plan_fleet(path).unplaced
    assert "ranked higher" not in unplaced.reason and "need" in unplaced.reason


def test_a_workloads_error_names_its_file_and_every_unreadable_workload(tmp_path):
    l4 = ["{id: nvidia-l4, count: 2, placement: on-prem}"]
    deadline = fleet_file(tmp_path, l4, ['{name: a, request: "embed text at 100 req/s", deadline_hours: 2}'],
                          "deadline.yaml")
    with pytest.raises(FleetError, match=r"deadline\.yaml: workload 'a': 'deadline_hours' is for training"):
        plan_fleet(deadline)
    unreadable = fleet_file(tmp_path, l4, ['{name: a, request: "embed text at -100 req/s"}',
                                           '{name: b, request: "serve falcon 40b at 2 req/s"}'], "none.yaml")
    with pytest.raises(FleetError, match=r"none\.yaml: no workload can be planned: workload 'a'.*workload 'b'"):
        plan_fleet(unreadable)


def test_an_llms_token_rate_is_planned_as_requests_of_its_reply_length(tmp_path):
    # "at 2000 tokens per second" had left the service unplaced: "needs a request rate"
    path = fleet_file(tmp_path, ["{id: nvidia-l4, count: 8, placement: on-prem}"],
                      ['{name: chat, request: "serve llama 3.1 8b at 2000 tokens per second with TPOT under 40 ms"}'])
    result = plan_fleet(path)
    assert not result.unplaced and result.assignments[0].requested_rps == pytest.approx(2000 / 256)
    assert any("2,000 generated tokens/s planned as 7.81 req/s of 256 output tokens" in a for a in result.assumptions)


def test_a_kept_workload_scaled_where_it_runs_is_reported(tmp_path):
    # "embed-a x2 -> x4" had been reported as nothing moved: an operator was not told to scale it
    first = plan_fleet(write(tmp_path, REPLAN.format(t4=4, l4=4)))
    grown = REPLAN.format(t4=4, l4=4).replace("embed text at 1000 req/s", "embed text at 2000 req/s")
    again = plan_fleet(write(tmp_path, grown, "grown.yaml"), previous=first)
    before = {a.workload: sum(x.replicas for x in first.assignments if x.workload == a.workload)
              for a in first.assignments}
    after = {a.workload: sum(x.replicas for x in again.assignments if x.workload == a.workload)
             for a in again.assignments}
    changed = {c.workload: c for c in again.replan.changes}
    assert before["e"] != after["e"]
    assert changed["e"].change in ("scaled", "moved")
    for name, replicas in before.items():
        if name not in changed:
            assert replicas == after.get(name), name  # nothing else scaled without a word


def test_a_fleet_nothing_can_run_names_its_file(tmp_path):
    path = fleet_file(tmp_path, ["{id: raspberry-pi-5, count: 1, placement: edge}"],
                      ['{name: a, request: "serve llama 3.1 70b at 2 req/s"}'], "pi.yaml")
    with pytest.raises(NoPlacementError, match=r"pi\.yaml: no workload can be placed on any pool"):
        plan_fleet(path)


def test_a_pool_short_of_slots_fills_its_last_ones_with_smaller_replicas(tmp_path):
    # three L4s served the chat from one 2-slot replica and left the third idle, under-serving it: the options
    # kept per pool were all 2-slot ones (best on slots, power, cost and rate per slot for the whole rate)
    path = fleet_file(tmp_path, ["{id: nvidia-l4, count: 3, placement: on-prem, usd_per_hour: 0.45}"],
                      ['{name: chat, request: "serve llama 3.1 8b at 10 req/s within 10 s"}'])
    result = plan_fleet(path)
    (pool,) = result.utilisation
    assert result.unplaced and pool.slots_used == pool.slots == 3
