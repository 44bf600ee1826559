"""The configurations each fleet workload could use on each pool of the inventory.

Predictions are a single request's (planner.search.candidates): the request's shape (prompt
and output tokens, denoising steps) and, for text generation, replicas served with continuous
batching. For an inference service an option is (model, precision, batch size, devices per replica)
on one pool, in units of replicas behind one queue, whose replicas meet every per-request
bound of the service (accuracy, memory, energy; latency as the p99 under the planned load:
batch fill, an M/D/c queueing wait and the serving hop) and whose whole deployment, with
the replicas that serve the full request rate, meets its power and cost bounds. For a training job an option is
(model, precision, device count) on one pool that finishes by the deadline. Per workload
and pool only a few options survive: the best on slots, power, cost and (inference)
throughput per slot, each being the only one that can matter to some fleet objective, and
(training) the fastest on each device count that is faster than on fewer devices, since a
job may find only some of a pool's slots free.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from hardware import Catalog, Device, InventoryItem
from intent.schema import Intent, Metric, WorkloadKind
from planner.errors import MissingTaskError
from planner.figures import fmt
from planner.fleet import colocation
from planner.jobs import (
    JOB_BOUNDS,
    TrainingRow,
    TrainingSetup,
    meets_bounds,
    setup,
    training_precision,
    training_row,
)
from planner.perf import queueing
from planner.perf.factors import PerfFactors, load_factors, training_runtime_for
from planner.perf.roofline import NO_ADDED_LATENCY, AddedLatency, Grid
from planner.search.candidates import (
    PlacementRule,
    allowed_placements,
    enumerate_configs,
    hardware_allows,
    intent_models,
    precision_choices,
    serving_grid,
    too_large,
    with_request_shape,
)
from planner.search.prune import deployment_grid, satisfying_mask
from planner.solve.chooser import REPLICATED

UNLIMITED = 10**9
#: The figures a service's options on one pool are kept for being best on (each the only
#: one that can matter to some fleet objective): fewest slots, least power, least cost, most
#: requests/s per slot.
BEST_ON = ("slots", "power", "cost", "rate")
#: Seconds the options of one (service, pool) pair take to build, measured at 2000 x 50
#: (6.7 s for 90,000 pairs, one core): what a build is estimated at before it starts.
PAIR_SECONDS = 7.5e-5
#: The share of the time limit option building may be estimated at before it is budgeted.
BUILD_SHARE = 0.5


def budgeted(workloads: list[FleetWorkload], pools: list[InventoryItem], objective: str,
             limit_s: float) -> tuple[tuple[str, ...], str | None]:
    """What a service's options on a pool are kept for being best on, within the time limit,
    and the assumption a budgeted build adds (None when every figure is kept): when the
    build is estimated at more than BUILD_SHARE of the limit, only fewest slots and most
    requests/s per slot (what the SLO and served-rate levels need), and the objective's
    power or cost. A count, not a clock: the same fleet and limit give the same options."""
    estimate = sum(not x.training for x in workloads) * len(pools) * PAIR_SECONDS
    if estimate <= BUILD_SHARE * limit_s:
        return BEST_ON, None
    kept = tuple(name for name in BEST_ON if name in ("slots", "rate", objective))
    left_out = " or ".join(name for name in BEST_ON if name not in kept)
    return kept, (f"option building was budgeted (estimated at {estimate:.1f} s of the {limit_s:g} s time limit): "
                  f"a service's options on a pool best only on {left_out} were not built; raise --time-limit "
                  f"above {estimate / BUILD_SHARE:.0f} s for every option")


#: A user's request, s, where a service held by its users states no bound on its time: the unit
#: their slots are counted in as a rate (any positive figure counts them alike).
USER_REQUEST_S = 10.0


@dataclass(frozen=True)
class FleetWorkload:
    """A workload of a fleet: an inference service (a request rate, a latency SLO) or a
    training job (a dataset, a deadline), with its priority (higher is placed first) and the
    placement rules and latency its policies add."""

    name: str
    intent: Intent
    priority: int = 1
    deadline_hours: float | None = None
    rules: tuple[PlacementRule, ...] = ()
    added_latency: AddedLatency = NO_ADDED_LATENCY
    notes: tuple[str, ...] = ()  # the defaults its request got (planner.defaults.fleet_defaults), for the plan
    method: str = "full"  # a training job's fine-tuning method (planner.jobs.setup: full, lora, qlora)

    @property
    def training(self) -> bool:
        return self.intent.workload.kind != WorkloadKind.INFERENCE

    # Cached (a frozen dataclass's cached_property writes the instance's __dict__): option
    # building asks for these once per pool.
    @cached_property
    def users(self) -> int | None:
        """The users a served LLM holds at once where its request gives concurrency and no rate
        ("20 concurrent users"): each holds a sequence slot, so a placement needs as many slots
        (a single plan sizes replicas so too); None for a service with a rate."""
        if self.training or self.intent.bound(Metric.THROUGHPUT, ">=") is not None:
            return None
        return self.intent.workload.concurrency

    @cached_property
    def rate_rps(self) -> float | None:
        """The request rate to serve; for ``users``, the least rate they send at the service's
        slowest response its bounds allow (USER_REQUEST_S), the unit its slots are counted in."""
        if self.users:
            return self.users / self.user_request_s
        rate = self.intent.bound(Metric.THROUGHPUT, ">=")
        tokens = self.intent.bound(Metric.TOKEN_THROUGHPUT, ">=")
        if rate is None and tokens:  # generated tokens a second: requests of the planned reply length
            return tokens / self.output_tokens
        return rate

    @cached_property
    def output_tokens(self) -> int:
        """The tokens a reply generates: the request's, else its task's documented shape."""
        task = self.intent.task.value if self.intent.task else "default"
        return self.intent.workload.output_tokens or load_factors().shape_for(task).output_tokens

    @cached_property
    def user_request_s(self) -> float:
        """One user's request at the slowest the service's bounds allow, s: its latency bound, else
        TTFT + (output tokens - 1) x TPOT at theirs, else USER_REQUEST_S."""
        latency = self.intent.bound(Metric.LATENCY, "<=")
        ttft, tpot = self.intent.bound(Metric.TTFT, "<="), self.intent.bound(Metric.TPOT, "<=")
        if latency:
            return latency / 1000
        if ttft and tpot:
            return (ttft + (self.output_tokens - 1) * tpot) / 1000
        return USER_REQUEST_S

    @cached_property
    def latency_slo_ms(self) -> float | None:
        return self.intent.bound(Metric.LATENCY, "<=")

    @cached_property
    def bounds(self) -> tuple:
        """The service's bounds other than its rate (the rate sets the replicas instead)."""
        return tuple(c for c in self.intent.constraints if c.metric != Metric.THROUGHPUT)

    @cached_property
    def tightest_latency_ms(self) -> float:
        """The tightest latency bound of ``bounds`` (NaN: none)."""
        return min((c.value for c in self.bounds if c.metric == Metric.LATENCY and c.op == "<="), default=np.nan)


@dataclass(frozen=True)
class Option:
    """One way to run one workload on one pool. Figures are per replica; an inference
    service's replicas come in units of ``unit`` replicas sharing one queue, each replica
    planned at ``rate_rps``, the load at which the unit's p99 meets the service's SLO."""

    workload: int
    pool: int
    model_id: str
    precision: str
    batch_size: int
    slots_per_replica: int
    rate_rps: float  # requests/s one replica serves (0 for training)
    need: int  # replicas that serve the whole request rate (1 for training)
    max_replicas: int  # the most replicas the pool holds
    latency_ms: float | None
    job_hours: float | None
    power_w: float | None
    cost_usd_per_hour: float | None
    unit: int = 1  # replicas behind one queue, placed together; need, max_replicas and the model count units
    p99_ms: float | None = None  # a unit's p99 latency at its planned load (fill, queueing, service, serving hop)
    # Training beside inference (planner.fleet.colocation): an inference replica's idle share of
    # each slot at its planned load, when it can host a training job (None: it cannot); a
    # training job's planned share of the slots it runs on beside inference (None: its own slots).
    idle_share: float | None = None
    hosted_share: float | None = None
    # A served LLM (continuous batching): the sequences a replica holds and how long a request
    # holds one, ms (None: a batched model, whose requests fill batches and queue M/D/c).
    held: int | None = None
    occupancy_ms: float | None = None
    ttft_ms: float | None = None  # a served LLM's time to first token at its batch (None: no LLM)
    tpot_ms: float | None = None  # and time per output token

    def p99_at(self, unit_rate_rps: float, hop_ms: float = 0.0, slowdown: float = 1.0) -> float:
        """A unit's p99 latency at ``unit_rate_rps``, with its service ``slowdown`` times as long
        (a slot shared FIFO): batch fill, M/D/c wait and service, or a served LLM's wait for a
        free sequence slot over the unit's slots and its service (planner.perf.queueing)."""
        held, occupancy = (np.nan, np.nan) if self.held is None else (self.held, self.occupancy_ms * slowdown)
        return float(unit_p99_ms(self.latency_ms * slowdown, self.batch_size, unit_rate_rps, self.unit, held,
                                 occupancy, hop_ms)[0])

    @property
    def unit_slots(self) -> int:
        return self.slots_per_replica * self.unit

    @property
    def held_slots(self) -> int:
        """Slots of its pool one unit holds: none for a training job beside inference (it
        runs on slots inference replicas hold)."""
        return 0 if self.hosted_share is not None else self.unit_slots

    @property
    def unit_rate(self) -> float:
        """Requests/s one unit serves within the SLO at the 99th percentile."""
        return self.rate_rps * self.unit

    @property
    def full(self) -> bool:
        """Whether the pool is large enough to serve the whole rate with this option."""
        return self.need <= self.max_replicas

    @property
    def replica_cap(self) -> int:
        """The most replicas worth running: those the whole rate needs, or the pool holds."""
        return min(self.need, self.max_replicas)


def refused(device: Device, item: InventoryItem, workload: FleetWorkload, catalog: Catalog) -> str | None:
    """Why the request's hardware and deployment limits, or its policies, rule the pool out."""
    intent = workload.intent
    if not (intent.hardware.include or intent.hardware.exclude or intent.deployment or workload.rules):
        return None  # nothing to rule a pool out
    reason = hardware_allows(device, intent, catalog)
    if reason:
        return reason
    excluded: Counter = Counter()
    if not allowed_placements(device, [item.placement], intent, workload.rules, excluded):
        return next(iter(excluded))
    return None


def options_for(index: int, workload: FleetWorkload, pools: list[InventoryItem], catalog: Catalog,
                factors: PerfFactors, corrections: dict, grids: dict | None = None) -> tuple[list[Option], dict[str, str]]:
    """Every surviving option of one workload, and for each pool without one, why (the
    single-workload case of ``build_options``)."""
    found = build_options([workload], pools, catalog, factors, corrections, grids=grids)
    return [replace(o, workload=index) for o in found.options], found.why_not.get(0, {})


@dataclass
class OptionSet:
    """The options of a fleet, in workload then pool order, and for each workload with none
    at all, why per pool. ``grids`` holds the predictions, for the next build that needs them."""

    options: list[Option]
    why_not: dict[int, dict[str, str]]
    grids: dict


def build_options(workloads: list[FleetWorkload], pools: list[InventoryItem], catalog: Catalog, factors: PerfFactors,
                  corrections: dict, keep: dict[int, set[tuple]] | None = None, grids: dict | None = None,
                  colocate: bool = True, best_on: tuple[str, ...] = BEST_ON) -> OptionSet:
    """Every workload's surviving options. Workloads that share a grid (a pool, their models,
    precisions and added latency) are predicted and filtered together, as arrays of
    workloads x configurations x batch sizes. ``keep`` names, per workload, configurations
    (pool, model, precision, batch size, slots per replica) kept whenever they meet the
    request, even where pruning would drop them (a running plan's). ``colocate`` adds each
    training job's options beside inference (planner.fleet.colocation). ``best_on``: the
    figures a service's options on a pool are kept for being best on (see BEST_ON)."""
    grids = {} if grids is None else grids
    keep = keep or {}
    found: dict[int, list[Option]] = {w: [] for w in range(len(workloads))}
    hosted: list[Option] = []
    jobs = {w: setup(x.intent, factors, x.method) for w, x in enumerate(workloads) if x.training}
    keys, unservable = _grid_keys(workloads, catalog)
    for p, item in enumerate(pools):
        device = catalog.device(item.id)
        slot_memory = device.memory_gb.value * item.share if colocate and device.memory_gb is not None else None
        blocks: dict[tuple, list[int]] = {}
        training = []
        for w, workload in enumerate(workloads):
            if w in unservable or refused(device, item, workload, catalog):
                continue
            if workload.training:
                training.append(w)
            else:
                blocks.setdefault(keys[w], []).append(w)
        idle = -1.0  # the most idle share some replica on the pool leaves
        for members in blocks.values():
            grid = _grid(p, workloads[members[0]], item, device, catalog, factors, corrections, grids)
            if isinstance(grid, Grid):
                for w, options in _inference_block(members, p, workloads, item, grid, keep,
                                                   factors.serving_overhead_ms, slot_memory, best_on).items():
                    found[w] += options
                    idle = max(idle, *(o.idle_share for o in options if o.idle_share is not None), -1.0)
        top_band = colocation.band(idle) if idle >= 0 else None  # the highest band some replica reaches
        for w in training:
            own, beside, _ = _training_options(w, p, workloads[w], item, device, catalog, jobs[w], factors, grids,
                                               slot_memory, top_band)
            found[w] += own
            hosted += beside
    for o in colocation.prune_hosted(hosted, keep):
        found[o.workload].append(o)
    for w in jobs:  # pool order, each pool's options on slots of their own first
        found[w].sort(key=lambda o: (o.pool, o.hosted_share is not None))
    options = [o for w in range(len(workloads)) for o in found[w]]
    why_not = {w: dict.fromkeys((item.name for item in pools), unservable[w]) if w in unservable
               else _why_not(w, workloads, pools, catalog, factors, corrections, grids)
               for w in range(len(workloads)) if not found[w]}
    return OptionSet(options, why_not, grids)


def _grid_keys(workloads: list[FleetWorkload], catalog: Catalog) -> tuple[dict[int, tuple], dict[int, str]]:
    """Each service's ``_grid_key``, and why a service has no model to run (no catalog model of
    its task handles its language or direction): that service is left unplaced with the reason,
    the rest of the fleet is planned (one such workload stopped the whole plan)."""
    keys, unservable = {}, {}
    for w, x in enumerate(workloads):
        if x.training:
            continue
        try:
            keys[w] = _grid_key(x, catalog)
        except MissingTaskError as exc:
            unservable[w] = str(exc)
    return keys, unservable


def _why_not(w: int, workloads: list[FleetWorkload], pools: list[InventoryItem], catalog: Catalog,
             factors: PerfFactors, corrections: dict, grids: dict) -> dict[str, str]:
    """Why each pool has no option for workload ``w`` (worked out only when it is asked)."""
    workload = workloads[w]
    job = setup(workload.intent, factors, workload.method) if workload.training else None
    out: dict[str, str] = {}
    for p, item in enumerate(pools):
        device = catalog.device(item.id)
        reason = refused(device, item, workload, catalog)
        if reason is None and job is not None:
            reason = _training_options(w, p, workload, item, device, catalog, job, factors, grids)[2]
        elif reason is None:
            grid = _grid(p, workload, item, device, catalog, factors, corrections, grids)
            reason = grid if isinstance(grid, str) else None
            if reason is None and not _inference_block([w], p, workloads, item, grid, {}, factors.serving_overhead_ms):
                need = np.ceil(workload.rate_rps / grid.throughput_rps - 1e-9)
                reason = _unmet_bound(grid, _bounds(workload), need)
        if reason:
            out[item.name] = reason
    return out


def _grid_key(workload: FleetWorkload, catalog: Catalog) -> tuple:
    """What a service's predictions depend on: its models, precisions, added latency and request
    shape (prompt and output tokens, denoising steps, concurrency, a stated batch size)."""
    intent, w = workload.intent, workload.intent.workload
    return (tuple(m.id for m in intent_models(intent, catalog)), tuple(intent.precisions), workload.added_latency,
            w.prompt_tokens, w.output_tokens, w.steps, w.concurrency, w.batch_size)


def _grid(p: int, workload: FleetWorkload, item: InventoryItem, device: Device, catalog: Catalog,
          factors: PerfFactors, corrections: dict, grids: dict) -> Grid | str:
    """The predictions for every configuration of the service's models on pool ``p``
    (cached for every service with the same ``_grid_key``), or why there is none."""
    key = (p, *_grid_key(workload, catalog))
    if key not in grids:
        excluded: Counter = Counter()
        configs = enumerate_configs([(device, item, [item.placement])], intent_models(workload.intent, catalog),
                                    precision_choices(workload.intent, factors), factors, excluded,
                                    count_caps_replicas=False)
        if configs is None:
            grids[key] = excluded.most_common(1)[0][0] if excluded else "no model fits the request"
        else:
            # As a single request's candidates (planner.search.candidates): the request's shape, and a
            # text-generation model served with continuous batching at the serving engine's sizes.
            intent = workload.intent
            grid = serving_grid(with_request_shape(configs, intent), intent, intent_models(intent, catalog), factors,
                                corrections, disaggregate=False)
            grid.add_latency(workload.added_latency)
            grid.serve(None, 0.0)  # served replicas; the fleet adds each option's queueing and hop itself
            grids[key] = grid
    return grids[key]


def _bounds(workload: FleetWorkload):
    """The service's bounds other than its rate (the rate sets the replicas instead)."""
    return workload.bounds


def _inference_block(members: list[int], p: int, workloads: list[FleetWorkload], item: InventoryItem, grid: Grid,
                     keep: dict[int, set[tuple]], hop_ms: float, slot_memory_gb: float | None = None,
                     best_on: tuple[str, ...] = BEST_ON) -> dict[int, list[Option]]:
    """The surviving options on one pool of services that share its grid, all at once.

    A replica is planned below its batch rate, with the headroom its p99 under load needs
    (batch fill, M/D/c queueing wait, service and the serving hop; planner.perf.queueing; a
    served LLM, batched continuously, waits only for a free sequence slot: ``_slot_headroom``):
    each cell gets the fewest replicas that, pooled behind one queue, serve the whole rate
    within the latency SLO (a pool too small for that: as many as it holds), and one
    replica on its own queue (the piece a service served from several pools is made of).
    A replica within half of ``slot_memory_gb`` per slot may host a training job in its idle
    share (planner.fleet.colocation). Per service, the pooled cells kept are those best on
    each figure of ``best_on`` (see BEST_ON)."""
    rates = np.array([workloads[w].rate_rps for w in members])
    mask = np.broadcast_to(grid.fits[None], (len(members), *grid.fits.shape)).copy()
    replicated = []
    for (metric, op), values in _bound_table([workloads[w] for w in members]):
        if metric == Metric.LATENCY.value and op == "<=":
            continue  # under load, below
        if metric in REPLICATED:
            replicated.append((metric, op, values))
            continue
        mask &= _meets(grid.metric(metric)[None], op, values)
    m, g, k = np.nonzero(mask)  # row-major: by workload, then configuration, then batch size
    if not len(m):
        return {}
    mine = [workloads[w] for w in members]
    load = _headroom(grid, m, g, k, rates, _latency_slos(mine), item, hop_ms, _ttft_bounds(mine))
    users = np.array([np.nan if x.users is None else float(x.users) for x in mine])[m]
    if not np.isnan(users).all():
        _holding(load, users, rates[m], g, item, grid)
    keep_cells = load.replicas <= UNLIMITED
    for metric, op, values in replicated:
        deployed = grid.metric(metric)[g, k] * load.replicas
        keep_cells &= _meets(deployed, op, values[m, 0, 0])
    m, g, k, load = m[keep_cells], g[keep_cells], k[keep_cells], load.take(keep_cells)
    if not len(m):
        return {}
    shards = grid.configs.shards.astype(float)[g]
    figures = {"slots": lambda: load.replicas * shards,
               "power": lambda: grid.metric("power")[g, k] * load.replicas,
               "cost": lambda: grid.metric("cost")[g, k] * load.replicas,
               "rate": lambda: -load.unit_rate / load.unit / shards}  # requests/s per slot
    columns = [figure() for name, figure in figures.items() if name in best_on]
    kept = _kept(m, g, k, members, p, grid, keep)
    pooled = _best_per_group(m, columns) | kept | _best_smallest(m, shards, -load.unit_rate / load.unit / shards)
    alone = np.flatnonzero(load.single_rate > 0)  # one replica on its own queue: the most requests per slot
    alone = set(alone[list(_best_per_group(m[alone], [-load.single_rate[alone] / shards[alone]]))].tolist()) | kept
    slots, out, configs = item.total_slots, {}, {}
    cells = np.array(sorted(pooled | alone))
    load.p99(cells, grid, g, k, hop_ms)
    # Each kept cell's figures, as Python numbers (NaN: unknown, None in the option).
    cg, ck = g[cells], k[cells]
    latency = grid.latency_ms[cg, ck]
    # A replica's most requests/s: a batch's rate, or a served LLM's continuous-batching rate.
    peak = np.where(np.isnan(load.held[cells]), np.asarray(grid.batch_sizes)[ck] * 1000 / latency,
                    grid.throughput_rps[cg, ck]).tolist()
    host = ((grid.memory_gb[cg, ck] <= colocation.MEMORY_SPLIT * slot_memory_gb).tolist() if slot_memory_gb is not None
            else [False] * len(cells))
    power, cost = ([None if v != v else v for v in a[cg, ck].tolist()] for a in (grid.power_w, grid.cost_usd_per_hour))
    latency, rate = latency.tolist(), rates[m[cells]].tolist()
    ttft, tpot = ([None if v != v else v for v in np.broadcast_to(a, grid.latency_ms.shape)[cg, ck].tolist()]
                  if a is not None else [None] * len(cells) for a in (grid.ttft_ms, grid.tpot_ms))
    held, occupancy = load.held[cells].tolist(), load.occupancy_ms[cells].tolist()
    for j, n in enumerate(cells.tolist()):
        if cg[j] not in configs:
            configs[cg[j]] = grid.configs[cg[j]]
        w, x = members[m[n]], configs[cg[j]]
        replica_cap = slots // x.shards
        for unit, unit_rate, p99 in load.units(n, n in pooled, n in alone):
            out.setdefault(w, []).append(Option(
                workload=w, pool=p, model_id=x.model.id, precision=x.precision, batch_size=grid.batch_sizes[ck[j]],
                slots_per_replica=x.shards, rate_rps=unit_rate / unit, need=math.ceil(rate[j] / unit_rate - 1e-9),
                max_replicas=replica_cap // unit, latency_ms=latency[j], job_hours=None, power_w=power[j],
                cost_usd_per_hour=cost[j], unit=unit, p99_ms=p99 if math.isfinite(p99) else None,  # inf: no SLO
                idle_share=_idle_share(min(unit_rate, rate[j]) / unit, peak[j], held[j], occupancy[j])
                if host[j] and workloads[w].users is None else None,  # users keep their slots busy
                held=None if held[j] != held[j] else int(held[j]),
                occupancy_ms=None if held[j] != held[j] else float(occupancy[j]), ttft_ms=ttft[j], tpot_ms=tpot[j]))
    return out


def _meets(values: np.ndarray, op: str, bound: np.ndarray) -> np.ndarray:
    """Where ``values`` meet ``op bound`` (NaN bound: none; unknown values meet no bound)."""
    slack = 1e-9 * np.maximum(1.0, np.abs(bound))
    with np.errstate(invalid="ignore"):
        ok = values <= bound + slack if op == "<=" else values >= bound - slack
    return np.isnan(bound) | (ok & ~np.isnan(values))


def _latency_slos(workloads: list[FleetWorkload]) -> np.ndarray:
    """Each service's tightest latency bound (NaN: none)."""
    return np.array([x.tightest_latency_ms for x in workloads])


def _ttft_bounds(workloads: list[FleetWorkload]) -> np.ndarray:
    """Each service's bound on the time to its first token (NaN: none)."""
    return np.array([x.intent.bound(Metric.TTFT, "<=") or np.nan for x in workloads], dtype=float)


def _idle_share(load_rps: float, peak_rps: float, held: float, occupancy_ms: float) -> float:
    """The share of its slots' time a replica carrying ``load_rps`` (at most its planned rate and
    the service's whole rate) leaves idle: 1 - load over its batch rate; a served LLM decodes a
    step whenever any sequence is active, and a memory-bound step takes about as long for one
    as for many, so it idles only while none is, exp(-load x occupancy) of the time (the
    sequences in flight are Poisson, M/G/inf)."""
    if held != held:  # NaN: a batched replica
        return float(1 - load_rps / peak_rps)
    return float(math.exp(-load_rps * occupancy_ms / 1000))


def unit_p99_ms(service_ms, batch, rate_rps, replicas, held, occupancy_ms, hop_ms: float) -> np.ndarray:
    """The p99 latency of units of ``replicas`` replicas behind one queue at ``rate_rps`` each
    (arrays over cells, or scalars): a batched cell's batch fill, M/D/c wait and service
    (queueing.grid_p99_ms); a served LLM's (``held`` sequence slots a replica, each held
    ``occupancy_ms``; NaN: batched) wait for a free slot over the unit's slots and its service
    (queueing.slot_wait_ms, as a single request's). Inf where the unit cannot keep up."""
    service, batch, rate, replicas, held, occupancy = (np.atleast_1d(np.asarray(x, dtype=float)) for x in
                                                       (service_ms, batch, rate_rps, replicas, held, occupancy_ms))
    n = max(len(a) for a in (service, batch, rate, replicas, held, occupancy))
    service, batch, rate, replicas, held, occupancy = (np.broadcast_to(a, (n,)) for a in
                                                       (service, batch, rate, replicas, held, occupancy))
    out = np.empty(n)
    slots = ~np.isnan(held)
    a, b = np.flatnonzero(~slots), np.flatnonzero(slots)  # batched cells, served LLM cells
    with np.errstate(divide="ignore", invalid="ignore"):  # a replica that can carry no load has no option
        if len(a):
            out[a] = queueing.grid_p99_ms(service[a], batch[a], rate[a], replicas[a], hop_ms)
        if len(b):
            out[b] = service[b] + queueing.slot_wait_ms(occupancy[b], rate[b], replicas[b] * held[b]) + hop_ms
    return out


@dataclass
class _Load:
    """Per cell (flat arrays): the replicas that serve the whole rate within the SLO pooled
    behind one queue (``replicas``, inf: none), the unit a pool of this size can hold
    (``unit`` replicas serving ``unit_rate``), one replica's own rate (``single_rate``) and
    the p99 of each at its planned load."""

    replicas: np.ndarray
    unit: np.ndarray
    unit_rate: np.ndarray
    single_rate: np.ndarray
    #: per cell, a served LLM's sequence slots a replica holds and the time a request holds one,
    #: ms (NaN: a batched cell, whose p99 is batch fill and M/D/c queueing)
    held: np.ndarray
    occupancy_ms: np.ndarray
    unit_p99: np.ndarray | None = None
    single_p99: np.ndarray | None = None

    def take(self, cells: np.ndarray) -> _Load:
        return _Load(self.replicas[cells], self.unit[cells], self.unit_rate[cells], self.single_rate[cells],
                     self.held[cells], self.occupancy_ms[cells])

    def p99(self, cells: np.ndarray, grid: Grid, g, k, hop_ms: float) -> None:
        """Work out the p99 of the ``cells`` (positions in g, k) at their planned loads: a
        batched cell's batch fill, M/D/c wait and service; a served LLM's wait for a free
        sequence slot over the unit's slots and its request's service (as a single request's)."""
        service, batch = grid.latency_ms[g[cells], k[cells]], np.asarray(grid.batch_sizes, dtype=float)[k[cells]]
        self.unit_p99, self.single_p99 = np.full(len(self.unit), np.nan), np.full(len(self.unit), np.nan)
        held, occupancy = self.held[cells], self.occupancy_ms[cells]
        # A pipelined device (Hailo-8) finishes a batch every batch / throughput, sooner than one
        # batch's latency (the next enters before the last leaves): its queue turns at that pace,
        # and each request still takes the whole latency through (else the queue read it as full).
        with np.errstate(divide="ignore", invalid="ignore"):
            turn = np.where(np.isnan(held), np.minimum(service, batch * 1000 / grid.throughput_rps[g[cells], k[cells]]),
                            service)
        through = service - turn
        self.unit_p99[cells] = unit_p99_ms(turn, batch, self.unit_rate[cells], self.unit[cells], held, occupancy,
                                           hop_ms) + through
        self.single_p99[cells] = unit_p99_ms(turn, batch, self.single_rate[cells], np.ones(len(cells)), held,
                                             occupancy, hop_ms) + through

    def units(self, n: int, pooled: bool, alone: bool) -> list[tuple[int, float, float]]:
        """Cell ``n``'s options, (replicas per unit, requests/s of a unit, p99 at that rate):
        the ``pooled`` unit, one replica ``alone``, or both (one option when they are the same)."""
        out = []
        if alone or (pooled and self.unit[n] == 1):
            out.append((1, float(self.single_rate[n]), float(self.single_p99[n])))
        if pooled and self.unit[n] > 1:
            out.append((int(self.unit[n]), float(self.unit_rate[n]), float(self.unit_p99[n])))
        return out


def _holding(load: _Load, users: np.ndarray, rates: np.ndarray, g, item: InventoryItem, grid: Grid) -> None:
    """Size the cells of services held by their users (``users``, NaN: a service with a rate) as a
    single plan does: a replica holds its sequence slots (``held``), so the whole service needs
    users / held replicas, and each counts held users' share of the service's rate (``rates``).
    A cell with no slots (not a served LLM) holds none."""
    rows = np.flatnonzero(~np.isnan(users))
    held = load.held[rows]
    per_replica = np.where(np.isnan(held), 0.0, np.nan_to_num(held) * rates[rows] / users[rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(per_replica > 0, np.ceil(users[rows] / held - 1e-9), np.inf)
    room = (item.total_slots // grid.configs.shards[g[rows]]).astype(float)
    unit = np.where(np.isfinite(need), np.clip(need, 1.0, np.maximum(room, 1.0)), 1.0)
    load.replicas[rows] = need
    load.unit[rows] = unit.astype(int)
    load.unit_rate[rows] = unit * per_replica
    load.single_rate[rows] = per_replica


def _headroom(grid: Grid, m, g, k, rates: np.ndarray, slos: np.ndarray, item: InventoryItem, hop_ms: float,
              ttfts: np.ndarray | None = None) -> _Load:
    """The load each cell (m, g, k) may carry within its service's SLO (see ``_Load``). A pool
    of c replicas is worked out only for the cells where it could take fewer replicas than
    the smaller pools before it (most services need only the first few). A served LLM's wait
    for a free sequence slot also counts in its time to first token, so a TTFT bound (``ttfts``,
    NaN: none) caps its load too."""
    service, peak, rate = grid.latency_ms[g, k], grid.throughput_rps[g, k], rates[m]
    slack = queueing.slack(service, slos[m], hop_ms)
    tiers = queueing.SERVER_TIERS
    per_replica = np.zeros((len(m), len(tiers)))  # requests/s one replica carries in a pool of each tier
    replicas = np.full(len(m), np.inf)
    batch = np.asarray(grid.batch_sizes, dtype=float)[k]
    # A batch may wait one service time to fill at a low load: a bound that leaves less is out of reach.
    possible = slack >= np.where(batch > 1, 1.0, 0.0)
    live = np.flatnonzero(possible)
    batches = tuple(int(b) for b in grid.batch_sizes)
    steps = queueing.slack_steps(slack)  # once, for every tier
    for t, c in enumerate(tiers):
        live = live[replicas[live] >= c]
        if not len(live):
            break
        per_replica[live, t] = queueing.headroom_utilisation(slack[live], k[live], batches, c, steps[live]) * peak[live]
        with np.errstate(divide="ignore"):
            wanted = np.where(per_replica[live, t] > 0,
                              np.maximum(np.ceil(rate[live] / per_replica[live, t] - 1e-9), c), np.inf)
        replicas[live] = np.minimum(replicas[live], wanted)
    held, occupancy = np.full(len(m), np.nan), np.full(len(m), np.nan)
    served = getattr(grid, "served_rows", None)
    if served is not None and served.any():
        cells = np.flatnonzero(served[g, 0])
        held[cells] = grid.held[g[cells], k[cells]]
        with np.errstate(divide="ignore", invalid="ignore"):
            occupancy[cells] = held[cells] / peak[cells] * 1000
        room = slos[m] - hop_ms - service
        if ttfts is not None:  # what the TTFT bound leaves for the wait, beyond one request's own TTFT
            room = np.fmin(room, ttfts[m] - hop_ms - grid.ttft_ms[g, k])
        _slot_headroom(cells, per_replica, replicas, rate, held, occupancy, peak, room)
    room = (item.total_slots // grid.configs.shards[g]).astype(float)
    unit = np.where(np.isfinite(replicas), np.clip(replicas, 1.0, np.maximum(room, 1.0)), 1.0)
    tier = np.searchsorted(tiers, np.minimum(unit, tiers[-1]), side="right") - 1
    unit_rate = unit * per_replica[np.arange(len(m)), tier]
    return _Load(replicas, unit.astype(int), unit_rate, per_replica[:, 0], held, occupancy)


#: The loads a served LLM replica is tried at, as shares of its continuous-batching rate (the
#: highest whose slot wait fits the SLO is planned).
SLOT_UTILISATIONS = np.array([0.99, 0.97, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])


def _slot_headroom(cells: np.ndarray, per_replica: np.ndarray, replicas: np.ndarray, rate: np.ndarray,
                   held: np.ndarray, occupancy: np.ndarray, peak: np.ndarray, slack_ms: np.ndarray) -> None:
    """The load each served LLM cell carries within its SLO, in place of the batched cells'
    (``_headroom``): a continuous-batching replica fills no batch, and a request waits only for
    a free sequence slot over a pool's slots (queueing.slot_wait_ms, the single request's model),
    so per tier of replicas it carries the highest of SLOT_UTILISATIONS of its rate whose p99
    slot wait fits what the SLO leaves after its service and the hop (``slack_ms``)."""
    per_replica[cells] = 0.0
    replicas[cells] = np.inf
    # What the SLO leaves for the wait, in the time a request holds a slot (NaN: no bound).
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(np.isnan(slack_ms), np.inf, slack_ms) / occupancy
    live = cells[room[cells] >= 0]
    for t, c in enumerate(queueing.SERVER_TIERS):
        live = live[replicas[live] >= c]
        if not len(live):
            break
        fits = _slot_waits(c * held[live]) <= room[live, None]
        best = np.where(fits.any(axis=1), SLOT_UTILISATIONS[np.argmax(fits, axis=1)], 0.0)
        per_replica[live, t] = best * peak[live]
        with np.errstate(divide="ignore"):
            wanted = np.where(per_replica[live, t] > 0,
                              np.maximum(np.ceil(rate[live] / per_replica[live, t] - 1e-9), c), np.inf)
        replicas[live] = np.minimum(replicas[live], wanted)


#: Per slot count, the waits of SLOT_UTILISATIONS: bounded (SERVER_TIERS x the engine's batch sizes).
_SLOT_WAITS: dict[float, np.ndarray] = {}


def _slot_waits(slots: np.ndarray) -> np.ndarray:
    """The p99 slot wait (queueing.slot_wait_ms) of a pool of ``slots`` sequence slots at each
    of SLOT_UTILISATIONS, in units of the time a request holds a slot (the wait scales with it),
    per cell: worked out once per slot count."""
    counts = np.unique(slots)
    missing = [s for s in counts.tolist() if s not in _SLOT_WAITS]
    if missing:
        s = np.array(missing, dtype=float)[:, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            waits = queueing.slot_wait_ms(np.ones_like(s), SLOT_UTILISATIONS[None, :] * s * 1000, s)
        _SLOT_WAITS.update(zip(missing, waits))
    table = np.array([_SLOT_WAITS[s] for s in counts.tolist()])
    return table[np.searchsorted(counts, slots)]


def _bound_table(workloads: list[FleetWorkload]) -> list[tuple[tuple[str, str], np.ndarray]]:
    """Each (metric, op) some workload bounds, with the bound per workload (NaN: none), as
    columns W x 1 x 1; a workload bounding one metric twice the same way gives two columns."""
    per_key: dict[tuple[str, str], list[list[float]]] = {}
    for i, workload in enumerate(workloads):
        for c in _bounds(workload):
            lists = per_key.setdefault((c.metric.value, c.op), [])
            depth = sum(1 for lst in lists if not np.isnan(lst[i]))
            if depth == len(lists):
                lists.append([np.nan] * len(workloads))
            lists[depth][i] = c.value
    return [(key, np.array(values)[:, None, None]) for key, lists in per_key.items() for values in lists]


def _kept(m, g, k, members, p, grid: Grid, keep: dict[int, set[tuple]]) -> set[int]:
    """The cells (positions in m, g, k) of configurations ``keep`` names for their workload."""
    out = set()
    for i, w in enumerate(members):
        wanted = keep.get(w)
        if not wanted:
            continue
        for n in np.nonzero(m == i)[0]:
            x = grid.configs[g[n]]
            if (p, x.model.id, x.precision, grid.batch_sizes[k[n]], x.shards) in wanted:
                out.add(int(n))
    return out


#: The most slots a fleet's training job takes (single plans scale out to 64 devices): past one
#: scale-up group the options multiply (19,627 -> 19,847 at 200 x 50, time-sliced pools offering
#: 16 and 32 slots) and the training level came out worse in the limit (573 -> 607 job milli-hours).
MOST_JOB_SLOTS = 8
#: Why a job on a shared device takes one slot.
SHARED_JOB_SOURCE = ("https://docs.nvidia.com/datacenter/tesla/mig-user-guide/index.html#cuda-visible-devices "
                     "('a single CUDA process can only enumerate a single MIG device'); "
                     "https://github.com/NVIDIA/nccl/issues/1716 (no MIG support in NCCL); "
                     "https://github.com/NVIDIA/nccl/issues/431 (two ranks on one GPU refused)")


def _training_options(w: int, p: int, workload: FleetWorkload, item: InventoryItem, device: Device,
                      catalog: Catalog, job: TrainingSetup, factors: PerfFactors, grids: dict,
                      slot_memory_gb: float | None = None,
                      top_band: int | None = None) -> tuple[list[Option], list[Option], str | None]:
    """A training job's options on pool ``p``: on slots of its own, beside inference (when the
    pool's replicas reach idle band ``top_band``; planner.fleet.colocation), and why there
    are none."""
    intent = workload.intent
    trainer = training_runtime_for(device)
    if trainer.runtime is None:
        return [], [], f"{device.id} cannot train: {trainer.why}"
    precision = training_precision(device, intent, factors)
    if precision is None or device.memory_gb is None:
        return [], [], f"{device.id} trains in none of the allowed precisions"
    models = intent_models(intent, catalog)
    key = ("training", p, tuple(m.id for m in models), precision, job.batch_size, job.dp)
    # On a shared device a job takes one slot: a CUDA process sees one MIG instance, NCCL runs no
    # collective across MIG instances nor two ranks on one GPU (SHARED_JOB_SOURCE)
    most = 1 if item.share < 1 else min(item.total_slots, MOST_JOB_SLOTS)
    if key not in grids:  # jobs on the same pool share their rows, worked out for one sample
        unit = replace(job, records=1, epochs=1)
        grids[key] = [row for model in models if model.params_m and model.gflops
                      for n in factors.training.device_counts if n <= most
                      for row in [training_row(model, device, precision, n, item.placement, unit, factors,
                                               item.usd_per_hour, item.share)] if row is not None]
    samples = job.records * job.epochs
    bounded = any(c.metric in JOB_BOUNDS for c in intent.constraints)
    # Jobs of the same size and deadline on the same rows choose the same rows (a bounded job's own).
    choice = None if bounded else (key, samples, workload.deadline_hours, slot_memory_gb, top_band)
    if choice is None or choice not in grids:
        rows = [r for r in grids[key] if not bounded or meets_bounds(_scaled(r, samples), intent)]
        chosen = _job_rows(rows, samples, workload.deadline_hours, slot_memory_gb, top_band)
        if choice is None:
            return _job_options(w, p, chosen)
        grids[choice] = chosen
    return _job_options(w, p, grids[choice])


def _job_options(w: int, p: int, chosen: tuple) -> tuple[list[Option], list[Option], str | None]:
    """Job ``w``'s options on pool ``p`` from ``_job_rows``."""
    own, beside, why = chosen
    return ([_job_option(w, p, row, hours) for row, hours in own],
            [_job_option(w, p, row, hours / share, power_w=None if row.power_w is None else row.power_w * share,
                         cost_usd_per_hour=0.0, hosted_share=share) for row, hours, share in beside], why)


def _job_rows(rows: list[TrainingRow], samples: int, deadline_hours: float | None, slot_memory_gb: float | None,
              top_band: int | None) -> tuple[list[tuple], list[tuple], str | None]:
    """The one-sample ``rows`` a job of ``samples`` samples is offered on (each with its hours)
    on slots of its own, those beside inference (each with its hours and idle share, see
    ``_training_options``), and why there are none."""
    if not rows:
        return [], [], "the model's training state does not fit, or a bound fails"
    hours = samples / np.array([r.samples_per_s for r in rows]) / 3600  # as training_row works it out
    on_time = np.flatnonzero(hours <= (deadline_hours or np.inf))
    if not len(on_time):
        fastest = int(np.argmin(hours))
        return [], [], (f"the fastest job takes {hours[fastest]:,.1f} h on {rows[fastest].devices} slot(s), "
                        f"past the {deadline_hours:g} h deadline")
    power = np.array([np.nan if rows[i].power_w is None else rows[i].power_w for i in on_time])
    cost = np.array([np.nan if rows[i].cost_per_hour is None else rows[i].cost_per_hour for i in on_time])
    devices = np.array([rows[i].devices for i in on_time], dtype=float)
    columns = [devices,  # slots
               power * hours[on_time],  # energy
               cost * hours[on_time],  # cost of the job
               hours[on_time]]
    kept = _best_per_group(np.zeros(len(on_time), dtype=np.int64), columns) | _faster_with_more(devices, hours[on_time])
    own = [(rows[on_time[n]], float(hours[on_time[n]])) for n in sorted(kept)]
    memory = np.array([rows[i].memory_gb for i in on_time])
    beside = [(rows[on_time[n]], float(hours[on_time[n]]), share)
              for n, share in colocation.hosted_rows(hours[on_time], devices, memory, deadline_hours,
                                                      slot_memory_gb, top_band)]
    return own, beside, None


def _faster_with_more(devices: np.ndarray, hours: np.ndarray) -> set[int]:
    """Per device count, the fastest row, where it is faster than every row on fewer devices:
    a job may need a count between the fewest and the most (4 of 8 slots a pool has free,
    where only 1 or 8 were options, so a job took 8 L4s for 10.5 h beside 6 free H100s)."""
    kept, best = set(), np.inf
    for n in sorted(range(len(devices)), key=lambda n: (devices[n], hours[n], n)):
        if hours[n] < best:
            kept.add(n)
            best = hours[n]
    return kept


def _job_option(w: int, p: int, r: TrainingRow, hours: float, **figures) -> Option:
    """The option of one-sample row ``r`` run for ``hours`` (its samples' time; ``figures``
    override its power, cost or share)."""
    figures = {"power_w": r.power_w, "cost_usd_per_hour": r.cost_per_hour} | figures
    return Option(workload=w, pool=p, model_id=r.model.id, precision=r.precision, batch_size=r.batch_size,
                  slots_per_replica=r.devices, rate_rps=0.0, need=1, max_replicas=1, latency_ms=None,
                  job_hours=hours, **figures)


def _scaled(row: TrainingRow, samples: int) -> TrainingRow:
    """A one-sample row's figures for ``samples`` samples (as ``training_row`` works them out)."""
    hours = samples / row.samples_per_s / 3600
    return replace(row, samples=samples, hours=hours,
                   energy_kwh=None if row.power_w is None else row.power_w * hours / 1000,
                   job_cost_usd=None if row.cost_per_hour is None else row.cost_per_hour * hours)


def _best_smallest(groups: np.ndarray, shards: np.ndarray, column: np.ndarray) -> set[int]:
    """Per group (a workload's cells), the best on ``column`` among the configurations of the fewest
    devices a replica: a pool short of slots fills its last ones with them (three L4s had served a
    chat from one 2-slot replica, the third idle, the best options being 2-slot ones)."""
    if not len(groups):
        return set()
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    least = np.repeat(np.minimum.reduceat(shards, starts), np.diff(np.r_[starts, len(groups)]))
    small = np.flatnonzero(shards == least)
    return set(small[list(_best_per_group(groups[small], [column[small]]))].tolist())


def _best_per_group(groups: np.ndarray, columns: list[np.ndarray]) -> set[int]:
    """For each group (``groups``: sorted group labels, one per cell), its best cell on each
    column (lower is better; unknown is worst), ties to the next columns and then the cell's
    position; the cells' positions, each once."""
    if not len(groups):
        return set()
    values = [np.where(np.isnan(c), np.inf, c) for c in columns]
    if groups[0] == groups[-1]:  # one group (a job's rows on a pool): small, sorted in Python
        rows = list(zip(*(v.tolist() for v in values), range(len(groups))))
        return {min(rows, key=lambda row: (row[j], *row[:j], *row[j + 1:]))[-1] for j in range(len(values))}
    chosen: set[int] = set()
    for j in range(len(values)):
        # Keep the cells at their group's best on column j, then on each next column in
        # turn (a linear pass each, over fewer cells every time); the first left wins.
        tied = np.arange(len(groups))
        for column in values[j:j + 1] + values[:j] + values[j + 1:]:
            labels, v = groups[tied], column[tied]
            starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
            tied = tied[v == np.repeat(np.minimum.reduceat(v, starts), np.diff(np.r_[starts, len(tied)]))]
            if len(tied) == len(starts):
                break  # one cell left per group
        labels = groups[tied]
        chosen.update(tied[np.r_[True, labels[1:] != labels[:-1]]].tolist())
    return chosen


def _unmet_bound(grid: Grid, bounds, need: np.ndarray) -> str:
    """The first bound no fitting configuration meets on its own, with the best value reached; a
    model no configuration holds in memory says by how much (it said no configuration had a known TTFT)."""
    if not grid.fits.any():
        return too_large(grid)
    for c in bounds:
        if satisfying_mask(grid, [c], need, UNLIMITED).any():
            continue
        values = deployment_grid(grid, c.metric.value, need)[grid.fits]
        values = values[~np.isnan(values)]
        if not len(values):
            return f"{c.describe()}: no configuration has a known {c.metric.value}"
        best = values.min() if c.op == "<=" else values.max()
        return f"{c.describe()} is out of reach (best {fmt(float(best), c.metric.value)})"
    contradictory = _contradictory(bounds)
    return "no configuration meets every bound at once" + (f" ({contradictory})" if contradictory else "")


def _contradictory(bounds) -> str | None:
    """Two bounds on one metric that no value meets together ("latency at most 5 ms and at
    least 10 ms"), as words; None when there are none."""
    for low in (c for c in bounds if c.op == ">="):
        for high in (c for c in bounds if c.op == "<=" and c.metric == low.metric and c.per_device == low.per_device
                     and c.value < low.value):
            return f"{low.describe()} and {high.describe()} contradict each other"
    return None
