"""Training beside inference: training jobs run in the compute that inference replicas leave idle.

An inference replica planned at utilisation rho (its planned load, at most the service's
whole rate, over its batch rate) leaves 1 - rho of each of its slots idle; a served LLM, which
decodes a step whenever any sequence is active, only the time none is (exp(-load x the time a
request holds a slot); planner.fleet.options._idle_share). A training job may run on slots that inference
replicas hold, as a preemptible tenant of lower priority: whenever a replica has a batch to
run it preempts the job (strict priority), so the replica runs as planned and its p99 is
unchanged, and the job gets the idle share. Reset-based preemption of best-effort GPU
kernels adds about 2% to the latency of the real-time ones (REEF, Han et al., OSDI 2022);
the plan takes that as no change.

- **Bands**: idle shares are banded (``IDLE_BANDS``). A job planned in band k runs on slots
  of replicas whose idle share lies in that band, at the band's lower edge: its time is its
  time on slots of its own divided by that edge (rounded up, as a data-parallel step waits
  for its slowest worker). Each such slot hosts at most one job, so per pool and band the
  jobs' slots are at most the slots the band's replicas hold.
- **Memory**: a shared slot splits its memory in halves (``MEMORY_SPLIT``): a replica can host
  a job only when it fits in one half, and a job can run beside inference only when its
  training state fits in the other.
- **Power and cost**: a job beside inference adds its devices' training draw for its share of
  their time (its power times the band's share): the replicas' figures count their devices at a
  batch's draw, which a small model's batch leaves far below what training draws (a job counted
  at 0 W drew a classifier on to an H100 under a power objective). This counts the replica's own
  draw over the job's share twice, so it is an upper bound. Cost adds none: the replica's devices
  are paid for already.
- **Options**: per job and band, only the pools where it runs fastest (``HOSTED_POOLS``), each
  with its fastest and its fewest-slot configuration.

For comparison, a priority-blind scheduler shares a slot FIFO: the job always has work
queued and the device gives each tenant with work an equal turn (round-robin time slices,
as GPU time-slicing does between processes), so a replica sharing its slots runs its
batches at half speed (``fifo_p99_ms``). Equal turns are work-conserving: the job still gets
1 - rho of the slot, as beside a replica that preempts it; only the replica's latency differs.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

#: The lower edges of the idle-share bands a job beside inference is planned at, highest
#: first; a replica leaving less than the last idle hosts no job (the job would take more
#: than 1 / 0.3 times as long as on slots of its own).
IDLE_BANDS = (0.9, 0.75, 0.6, 0.45, 0.3)
#: The share of a shared slot's memory each of the replica and the job may take.
MEMORY_SPLIT = 0.5
#: Per job and band, the pools (fastest first) it may run beside inference on.
HOSTED_POOLS = 6


def band(idle: float | None) -> int | None:
    """The band an idle share falls in (an index of IDLE_BANDS), None below the last."""
    if idle is None:
        return None
    return next((k for k, edge in enumerate(IDLE_BANDS) if idle >= edge - 1e-12), None)


def hosting_groups(options) -> list[tuple[list[int], list[int]]]:
    """Per pool and band that some job beside inference may run in: (its job options, the
    inference options whose replicas' slots host them). The model and the greedy plan
    keep sum_jobs slots_j r_j <= sum_hosts unit_slots_h r_h for each."""
    jobs: dict[tuple[int, int], list[int]] = defaultdict(list)
    hosts: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        if o.hosted_share is not None:
            jobs[(o.pool, IDLE_BANDS.index(o.hosted_share))].append(i)
        elif o.idle_share is not None and (k := band(o.idle_share)) is not None:
            hosts[(o.pool, k)].append(i)
    return [(members, hosts.get(key, [])) for key, members in sorted(jobs.items())]


def hosted_rows(hours: np.ndarray, devices: np.ndarray, memory_gb: np.ndarray, deadline_hours: float | None,
                slot_memory_gb: float | None, top_band: int | None) -> list[tuple[int, float]]:
    """A job's configurations beside inference on one pool, from its configurations there on
    slots of its own (``hours``, ``devices`` and per-device ``memory_gb`` per row): per band
    the pool's replicas reach (``top_band`` and lower), the fastest and the fewest-slot rows
    that finish by the deadline at the band's idle share and whose training state fits in its
    half of a slot's memory. (row, idle share) pairs."""
    if top_band is None or slot_memory_gb is None or not len(hours):
        return []
    fits = memory_gb <= MEMORY_SPLIT * slot_memory_gb
    out = []
    for share in IDLE_BANDS[top_band:]:
        on_time = np.flatnonzero(fits & (hours / share <= (deadline_hours or np.inf)))
        if not len(on_time):
            break  # lower bands are slower still
        fastest = on_time[np.lexsort((on_time, devices[on_time], hours[on_time]))[0]]
        fewest = on_time[np.lexsort((on_time, hours[on_time], devices[on_time]))[0]]
        out += [(int(n), share) for n in dict.fromkeys([fewest, fastest])]
    return out


def prune_hosted(options: list, keep: dict[int, set[tuple]] | None = None) -> list:
    """Per job and band, the options on the HOSTED_POOLS pools where the job is fastest, and
    any whose configuration ``keep`` names for its job (a running plan's)."""
    best: dict[tuple[int, float], dict[int, float]] = defaultdict(dict)
    for o in options:
        pools = best[(o.workload, o.hosted_share)]
        pools[o.pool] = min(pools.get(o.pool, math.inf), o.job_hours)
    kept = {key: set(sorted(pools, key=lambda p: (pools[p], p))[:HOSTED_POOLS]) for key, pools in best.items()}
    keep = keep or {}
    return [o for o in options if o.pool in kept[(o.workload, o.hosted_share)]
            or (o.pool, o.model_id, o.precision, o.batch_size, o.slots_per_replica) in keep.get(o.workload, ())]


def fifo_slowdown(shared: float, replicas: int) -> float:
    """How much longer a batch takes on a placement of ``replicas`` replicas, ``shared`` of
    which share their slots FIFO with a training job: a shared replica runs at half speed,
    and the placement is taken as ``replicas`` equal replicas of the same total speed."""
    return replicas / (replicas - min(shared, replicas) / 2)


def fifo_p99_ms(option, rate_rps: float, shared: float, hop_ms: float = 0.0) -> float:
    """The p99 latency of a unit of ``option`` (planner.fleet.options.Option) at ``rate_rps``
    when ``shared`` of its replicas share their slots FIFO with a training job (inf when they
    can no longer keep up); with none shared, or under preemption, it is the planned p99."""
    return option.p99_at(rate_rps, hop_ms, fifo_slowdown(shared, option.unit))
