"""Re-planning a running fleet: what the previous plan runs, what keeping it takes, and
what the new plan moves and why.

A running workload is kept when each of its placements (pool, model, precision, batch
size, slots per replica; for a training job, its share of them beside inference) keeps
its replicas, as many as the workload's rate now needs: adding replicas elsewhere, or
running fewer because the rate fell, is not a move. The
model weighs keeping workloads right after meeting SLOs, so a workload moves only when
its placement is gone (a pool left or shrank, its request changed) or when moving it lets
more SLOs be met by priority.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from planner.errors import PlanningError
from planner.fleet.plan import Assignment, Change, FleetPlan, Replan


class PreviousPlanError(PlanningError):
    """The previous plan given to re-plan against is not a plan of this fleet."""

    code = "previous-plan-mismatch"
    hint = "give this fleet's last plan: the JSON of 'intentctl fleet plan FLEET.yaml --json'"


def describe(pool: str, model_id: str, precision: str, batch_size: int, replicas: int, slots: int = 1,
             share: float | None = None) -> str:
    """One placement in a line: where, what, how many replicas, and (where it tells two placements
    apart) the slots a replica takes and a job's share of slots inference holds."""
    held = f" ({slots} slots each)" if slots > 1 else ""
    beside = f", beside inference at {share:.0%}" if share is not None and share < 1 else ""
    return f"{pool}: {model_id} {precision} b{batch_size} x{replicas}{held}{beside}"


@dataclass
class Previous:
    """A running plan read against the fleet being planned now."""

    plan: FleetPlan
    placements: dict[int, list[tuple[int | None, Assignment]]]  # workload -> (pool index or None: gone, placement)
    removed: list[str]  # workloads of the plan no longer in the fleet
    configurations: dict[int, set[tuple]] = field(default_factory=dict)  # kept by option pruning

    @classmethod
    def of(cls, plan: FleetPlan, workloads, pools) -> Previous:
        index = {x.name: w for w, x in enumerate(workloads)}
        pool_index = {item.name: p for p, item in enumerate(pools)}
        placements: dict[int, list] = defaultdict(list)
        removed: list[str] = []
        for a in plan.assignments:
            if a.workload not in index:
                if a.workload not in removed:
                    removed.append(a.workload)
                continue
            placements[index[a.workload]].append((pool_index.get(a.pool), a))
        if plan.assignments and not placements and not any(a.pool in pool_index for a in plan.assignments):
            shown = ", ".join(removed[:4]) + (" …" if len(removed) > 4 else "")
            raise PreviousPlanError(f"the previous plan places none of this fleet's workloads (it places {shown}) "
                                    "on none of its pools: it is another fleet's plan")
        configurations = {w: {(p, a.model_id, a.precision, a.batch_size, a.slots_per_replica)
                              for p, a in mine if p is not None} for w, mine in placements.items()}
        return cls(plan, dict(placements), removed, configurations)

    def rules(self, options) -> dict[int, list[tuple[int, int]] | None]:
        """Per running workload, the units each of its placements' options must keep for it
        to stay where it runs; None when a placement has no option any more. A placement is
        kept by its configuration's option in units of the same replicas per queue, or of
        fewer when the rate now needs fewer."""
        index: dict[tuple, list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            index[(o.workload, o.pool, o.model_id, o.precision, o.batch_size, o.slots_per_replica,
                   o.hosted_share or 1.0)].append(i)
        out: dict[int, list[tuple[int, int]] | None] = {}
        for w, mine in self.placements.items():
            rules = []
            for p, a in mine:
                key = (w, p, a.model_id, a.precision, a.batch_size, a.slots_per_replica, a.compute_share or 1.0)
                same = [i for i in index.get(key, [])
                        if options[i].unit <= a.replicas_per_queue]
                if not same:
                    rules = None
                    break
                i = max(same, key=lambda i: (options[i].unit, -i))
                # its running replicas, in the option's units (2 replicas behind one queue are 2 units of 1,
                # where one unit had kept one of them and stopped the other without a word)
                rules.append((i, min(a.replicas // options[i].unit, options[i].need)))
            out[w] = rules
        return out

    def changes(self, fleet, placed: dict[int, int]) -> Replan:
        """What the plan ``placed`` (option -> replicas) keeps, moves, stops and starts, and why."""
        now: dict[int, list[int]] = defaultdict(list)
        for i in sorted(placed):
            now[fleet.options[i].workload].append(i)
        changes, kept = [], 0
        for w, mine in sorted(self.placements.items()):
            if fleet.keeps(w, placed):
                kept += 1
                changes += self._scaled(fleet, w, mine, placed, now.get(w, []))
                continue
            changes.append(Change(
                workload=fleet.workloads[w].name, change="moved" if now.get(w) else "stopped",
                before=[describe(a.pool, a.model_id, a.precision, a.batch_size, a.replicas, a.slots_per_replica,
                                 a.compute_share) for _, a in mine],
                after=[self._now(fleet, i, placed) for i in now.get(w, [])], reason=self._why(fleet, w, placed, now)))
        changes += [Change(workload=name, change="removed", reason="no longer in the fleet") for name in self.removed]
        waiting = {u.workload for u in self.plan.unplaced}
        for w, members in sorted(now.items()):
            if w not in self.placements:
                name = fleet.workloads[w].name
                changes.append(Change(workload=name, change="started", after=[self._now(fleet, i, placed) for i in members],
                                      reason="not placed in the previous plan" if name in waiting else "new in the fleet"))
        return Replan(kept=kept, moved=sum(c.change in ("moved", "stopped") for c in changes), changes=changes)

    def _scaled(self, fleet, w: int, mine, placed: dict[int, int], members: list[int]) -> list[Change]:
        """A kept workload whose replicas changed where it runs, or that runs in more places now: the
        operator scales it (a service from 2 to 4 replicas had been reported as nothing moved)."""
        before = sum(a.replicas for _, a in mine)
        after = sum(placed[i] * fleet.options[i].unit for i in members)
        if before == after and len(members) == len(mine):
            return []
        workload = fleet.workloads[w]
        need = (f"its {workload.users} users" if workload.users else f"its {workload.rate_rps:,.4g} req/s") \
            if not workload.training else "its job"
        return [Change(workload=workload.name, change="scaled",
                       before=[describe(a.pool, a.model_id, a.precision, a.batch_size, a.replicas, a.slots_per_replica,
                                        a.compute_share) for _, a in mine],
                       after=[self._now(fleet, i, placed) for i in members],
                       reason=f"kept where it runs, {before} -> {after} replicas for {need}")]

    @staticmethod
    def _now(fleet, i: int, placed: dict[int, int]) -> str:
        o = fleet.options[i]
        return describe(fleet.pools[o.pool].name, o.model_id, o.precision, o.batch_size, placed[i] * o.unit,
                        o.slots_per_replica, o.hosted_share)

    def _why(self, fleet, w: int, placed: dict[int, int], now: dict[int, list[int]]) -> str:
        """Why running workload ``w`` could not stay: the first of its placements that is gone."""
        rules = fleet.keep_rules.get(w)
        used = {u.pool: u for u in self.plan.utilisation}
        for p, a in self.placements[w]:
            if p is None:
                now_shared = [x.name for x in fleet.pools if x.id == a.device_id]
                if now_shared:  # the same devices, shared another way ("time-sliced x4" -> "x2", MIG off)
                    return f"pool {a.pool} is now {' and '.join(now_shared)}: its sharing changed"
                return f"pool {a.pool} is no longer in the inventory"
            pool = fleet.pools[p]
            before = used.get(a.pool)
            if before is not None and pool.total_slots < before.slots_used:
                return (f"pool {a.pool} shrank from {before.slots} to {pool.total_slots} slots; the previous plan "
                        f"used {before.slots_used} there")
            if rules is None and not any(o.workload == w and o.pool == p and o.model_id == a.model_id
                                         and o.precision == a.precision and o.batch_size == a.batch_size
                                         and o.slots_per_replica == a.slots_per_replica
                                         and (o.hosted_share is None) == (a.compute_share in (None, 1.0))
                                         for o in fleet.options):
                return (f"its configuration on {a.pool} ({a.model_id} {a.precision} b{a.batch_size}, "
                        f"{a.slots_per_replica} slot(s) each{', beside inference' if a.compute_share not in (None, 1.0) else ''}) "
                        "is no longer an option: it no longer meets its request, or the planning rules changed "
                        "(training beside inference off, one slot a job on a shared device)")
        taken = sorted({fleet.workloads[fleet.options[i].workload].name for i in placed
                        if fleet.options[i].pool in {p for p, _ in self.placements[w] if p is not None}
                        and fleet.options[i].workload not in self.placements})
        if taken:
            return (f"its slots went to workloads that meet their SLOs only there ({', '.join(taken)}); moving it "
                    "meets more SLOs by priority")
        return "moving it meets more SLOs by priority"
