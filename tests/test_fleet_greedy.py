"""The greedy first plan of a fleet (planner.fleet.greedy): one priority's workloads are
placed in several orders and the order that meets the most of them is kept."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from planner.fleet.greedy import greedy_plan
from planner.fleet.model import FleetModel
from planner.fleet.options import Option


def _fleet(pool_slots: list[int], services: list[list[tuple[int, int]]], priorities: list[int] | None = None):
    """A fleet of services that each take one replica of (pool, slots) of one of their
    options; every replica serves the service's whole rate."""
    pools = [SimpleNamespace(id=f"pool-{p}", total_slots=slots) for p, slots in enumerate(pool_slots)]
    priorities = priorities or [1] * len(services)
    workloads = [SimpleNamespace(name=f"svc-{w}", priority=priorities[w], training=False, rate_rps=10.0)
                 for w in range(len(services))]
    options = [Option(workload=w, pool=p, model_id="model", precision="fp16", batch_size=1, slots_per_replica=slots,
                      rate_rps=10.0, need=1, max_replicas=pool_slots[p] // slots, latency_ms=1.0, job_hours=None,
                      power_w=100.0, cost_usd_per_hour=1.0)
               for w, choices in enumerate(services) for p, slots in choices]
    return FleetModel(workloads, pools, options)


def _most_met(pool_slots, services) -> int:
    """The most services any placement meets (every choice of one option or none, enumerated)."""
    best = 0
    for choice in itertools.product(*([None, *options] for options in services)):
        used = [0] * len(pool_slots)
        for picked in filter(None, choice):
            used[picked[0]] += picked[1]
        if all(u <= s for u, s in zip(used, pool_slots)):
            best = max(best, sum(picked is not None for picked in choice))
    return best


def _met(fleet, placed) -> list[str]:
    return [fleet.workloads[w].name for w in fleet.by_workload if fleet.meets(w, placed)]


def test_a_priority_meets_as_many_workloads_as_fit_not_the_first_in_a_fixed_order():
    # Pool 0 has one slot, pool 1 four. svc-0 runs only on pool 0, svc-1 takes all of pool 1,
    # svc-2 and svc-3 run on either. Ranked by their share of a pool (svc-2 first, a quarter
    # of pool 1, yet placed on pool 0's one slot: as few slots there) or by the pools that
    # run them, the orders meet two; taking the fewest slots free now first meets three.
    pool_slots = [1, 4]
    services = [[(0, 1)], [(1, 4)], [(0, 1), (1, 1)], [(1, 2), (0, 1)]]
    fleet = _fleet(pool_slots, services)
    placed = greedy_plan(fleet)
    assert len(_met(fleet, placed)) == _most_met(pool_slots, services) == 3
    assert "svc-1" not in _met(fleet, placed)
    used = [0, 0]
    for i, replicas in placed.items():
        used[fleet.pool_of[i]] += replicas * fleet.held[i]
    assert used[0] <= 1 and used[1] <= 4


def test_a_lower_priority_never_takes_the_slots_a_higher_one_needs():
    # svc-1 alone has priority 2: it is met on pool 1 (its only pool) even though three of
    # the others would fit in its slots.
    pool_slots = [1, 4]
    services = [[(0, 1)], [(1, 4)], [(0, 1), (1, 1)], [(1, 2), (0, 1)]]
    fleet = _fleet(pool_slots, services, priorities=[1, 2, 1, 1])
    met = _met(fleet, greedy_plan(fleet))
    assert "svc-1" in met and len(met) == 2


def test_a_lower_prioritys_replicas_that_host_a_higher_prioritys_job_are_chosen():
    """A priority-3 training job that runs only beside an inference replica (its host, of a
    priority-1 service) is placed: the priority-1 service that can host it wins over one that
    leaves more slots free but hosts nothing."""
    pools = [SimpleNamespace(id="pool-0", total_slots=2), SimpleNamespace(id="pool-1", total_slots=1)]
    workloads = [SimpleNamespace(name="job", priority=3, training=True, rate_rps=None),
                 SimpleNamespace(name="host", priority=1, training=False, rate_rps=10.0),
                 SimpleNamespace(name="small", priority=1, training=False, rate_rps=10.0)]

    def option(w, pool, slots, rate, need, cap, **extra):
        return Option(workload=w, pool=pool, model_id="model", precision="fp16", batch_size=1, slots_per_replica=slots,
                      rate_rps=rate, need=need, max_replicas=cap, latency_ms=1.0, job_hours=extra.pop("hours", None),
                      power_w=100.0, cost_usd_per_hour=1.0, **extra)

    options = [option(0, 0, 2, 0.0, 1, 1, hours=2.0, hosted_share=0.9),  # the job, beside inference only
               option(1, 0, 2, 10.0, 1, 1, idle_share=0.9),  # the host: both slots of pool 0
               option(2, 0, 1, 10.0, 1, 2),  # the small service: one slot of pool 0
               option(2, 1, 1, 5.0, 2, 1)]  # or pool 1, where one replica serves only half
    fleet = FleetModel(workloads, pools, options)
    assert sorted(_met(fleet, greedy_plan(fleet))) == ["host", "job"]
