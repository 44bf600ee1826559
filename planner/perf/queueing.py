"""Latency under load: filling a batch, waiting in the queue, and the service time, at a rate.

A request that arrives at a served model waits for its batch to fill, then for a free
replica, then for the batch to run:

- **fill**: a batch of b fills from its replica's share of the stream; the first request of a
  batch waits for b - 1 more, (b - 1) / (rate / replicas) (the worst case in the batch, which
  the high percentiles see), but no longer than one service time: a dynamic batcher starts
  the next batch with what has arrived when the replica frees (Triton's and MLPerf harnesses'
  behaviour);
- **queueing**: batches arrive at rate / b and the replicas serve them in a fixed time, an
  M/D/c queue. Its wait is taken as half the M/M/c (Erlang C) wait (the Allen-Cunneen
  approximation with deterministic service), and its tail from the M/M/c tail
  P(W > t) = C exp(-(c mu - lambda) t), halved the same way;
- **service**: the batch's latency from the performance model;
- plus the serving stack's hop (HTTP/gRPC) when the request comes through one.

``p99_latency_ms`` adds them up; ``max_rate`` is the highest rate whose p99 meets a bound (the
MLPerf Server scenario's question).
"""

from __future__ import annotations

import functools
import math

import numpy as np

PERCENTILE = 0.99
MAX_SERVERS = 64  # the planner never plans more replicas (perf-factors.yaml max_replicas)


def fill_ms(batch, rate_rps, replicas=1):
    """Time for a batch to fill from a replica's share of the stream, ms (0 for batch 1). An absurd
    rate (1e308 req/s) overflows to infinite replicas: nothing is filled, no warning is printed."""
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.asarray(batch, dtype=float) - 1) * np.asarray(replicas, dtype=float) / rate_rps * 1000


def _erlang_c(servers: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with ``offered`` = lambda / mu < servers."""
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers / (1 - offered / servers)
    return last / (total + last)


def wait_ms(service_ms: float, batch: int, rate_rps: float, replicas: int = 1,
            percentile: float = PERCENTILE) -> float:
    """The ``percentile`` wait for a free replica, ms: M/D/c as half the M/M/c tail; inf when
    the replicas cannot keep up."""
    mu = 1000 / service_ms  # batches per second per replica
    arrivals = rate_rps / batch
    offered = arrivals / mu
    if offered >= replicas:
        return math.inf
    waits = _erlang_c(replicas, offered)
    if waits <= 1 - percentile:
        return 0.0
    return 0.5 * math.log(waits / (1 - percentile)) / (replicas * mu - arrivals) * 1000


def p99_latency_ms(service_ms: float, batch: int, rate_rps: float, replicas: int = 1, hop_ms: float = 0.0) -> float:
    """The 99th-percentile latency of a request at ``rate_rps`` over ``replicas``: fill (at most
    one service time), queueing, service and the serving hop."""
    fill = min(fill_ms(batch, rate_rps, replicas), service_ms)
    return fill + wait_ms(service_ms, batch, rate_rps, replicas) + service_ms + hop_ms


def max_rate(service_ms: float, batch: int, bound_ms: float, replicas: int = 1, hop_ms: float = 0.0) -> float:
    """The highest request rate whose p99 latency meets ``bound_ms`` (0 when none does). At low
    rates a batch waits long to fill, at high rates the queue grows: the rates that meet a bound
    form an interval, whose top is found on a log grid and refined by bisection."""
    capacity = replicas * batch * 1000 / service_ms
    rates = capacity * np.logspace(-5, 0, 201)[:-1]
    ok = [p99_latency_ms(service_ms, batch, r, replicas, hop_ms) <= bound_ms for r in rates]
    if not any(ok):
        return 0.0
    top = max(i for i, good in enumerate(ok) if good)
    low, high = rates[top], rates[top + 1] if top + 1 < len(rates) else capacity
    for _ in range(40):
        mid = (low + high) / 2
        if p99_latency_ms(service_ms, batch, mid, replicas, hop_ms) <= bound_ms:
            low = mid
        else:
            high = mid
    return float(low)


def grid_p99_ms(service_ms: np.ndarray, batches: np.ndarray, rate_rps: float, replicas: np.ndarray,
                hop_ms: float) -> np.ndarray:
    """``p99_latency_ms`` for every cell of a grid at once (service times and replicas G x B)."""
    b = np.broadcast_to(np.asarray(batches, dtype=float), service_ms.shape)
    wanted = np.maximum(np.asarray(replicas, dtype=float), 1.0)
    # Past MAX_SERVERS a pool waits like one of MAX_SERVERS at the same utilisation (ever less): the
    # Erlang sum stays short however many replicas a rate would need.
    c = np.minimum(wanted, MAX_SERVERS)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mu = 1000 / service_ms
        arrivals = rate_rps / b * c / wanted
        offered = arrivals / mu
        last = np.ones_like(service_ms)  # offered^(c-1) / (c-1)!
        total = np.ones_like(service_ms)  # sum of offered^k / k! for k < c
        pooled = c > 1
        if pooled.any():  # the Erlang sum, over the cells with more than one replica only
            last[pooled], total[pooled] = _erlang_terms(offered[pooled], c[pooled])
        tail = last * offered / c / (1 - offered / c)
        waits = tail / (total + tail)
        wait = np.where(waits > 1 - PERCENTILE,
                        0.5 * np.log(waits / (1 - PERCENTILE)) / (c * mu - arrivals) * 1000, 0.0)
        wait = np.where(offered >= c, np.inf, wait)
    return np.minimum(fill_ms(b, rate_rps, wanted), service_ms) + wait + service_ms + hop_ms


def grid_periodic_p99_ms(service_ms: np.ndarray, batches: np.ndarray, rate_rps: float, replicas: np.ndarray,
                         hop_ms: float) -> np.ndarray:
    """``grid_p99_ms`` for evenly spaced arrivals (camera frames, D/D/c): a batch fills from a
    replica's share of the frames, and while the replicas keep up (each finishes a batch before
    its next one fills) nothing queues; past that the queue grows without end."""
    b = np.broadcast_to(np.asarray(batches, dtype=float), service_ms.shape)
    wanted = np.maximum(np.asarray(replicas, dtype=float), 1.0)
    fill = fill_ms(b, rate_rps, wanted)
    with np.errstate(divide="ignore", invalid="ignore"):
        keeps_up = service_ms * rate_rps / (b * wanted) < 1000
    return np.where(keeps_up, fill + service_ms + hop_ms, np.inf)


def slot_wait_ms(occupancy_ms: np.ndarray, rate_rps: float, slots: np.ndarray) -> np.ndarray:
    """The 99th-percentile wait for a free sequence slot of a continuous-batching LLM server, ms.

    A served LLM holds each request in one of its ``slots`` (sequences held, over every replica)
    for ``occupancy_ms``, and a new request starts as soon as a slot frees: an M/D/c queue whose
    servers are the slots, with no batch to fill. Its wait is half the M/M/c tail, as
    ``wait_ms``; the Erlang C probability comes from the regularised incomplete gamma function
    (exact for any number of slots: a pool of thousands of slots waits far less than the 64
    servers ``grid_p99_ms`` caps a pool at). Inf where the slots cannot keep up."""
    from scipy.special import gammaincc, gammaln  # lazily: only an LLM served at a stated rate needs it

    c = np.maximum(np.asarray(slots, dtype=float), 1.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mu = 1000 / occupancy_ms  # requests per second one slot serves
        offered = rate_rps / mu
        # Erlang B = Poisson pmf(c) / cdf(c) at mean ``offered``; Erlang C from B.
        pmf = np.exp(c * np.log(offered) - offered - gammaln(c + 1))
        blocking = pmf / gammaincc(c + 1, offered)
        waits = blocking / (1 - offered / c * (1 - blocking))
        wait = np.where(waits > 1 - PERCENTILE,
                        0.5 * np.log(waits / (1 - PERCENTILE)) / (c * mu - rate_rps) * 1000, 0.0)
        return np.where(offered >= c, np.inf, np.nan_to_num(wait, nan=0.0))


def _erlang_terms(offered: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For cells of ``c`` servers at ``offered`` load (flat arrays): offered^(c-1) / (c-1)! and
    the sum of offered^k / k! for k < c."""
    term = np.ones_like(offered)
    total = np.ones_like(offered)
    last = np.ones_like(offered)
    for k in range(1, int(np.nanmax(c))):
        term = term * offered / k
        total = total + np.where(k < c, term, 0.0)
        last = np.where(k == c - 1, term, last)
    return last, total


# ---- headroom: the highest utilisation whose p99 meets a bound, for many cells at once

#: Pool sizes the utilisation table is worked out for: a pool of n replicas is given the
#: utilisation of the largest size at most n (pooling only shortens the wait, so that is safe).
SERVER_TIERS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
#: Utilisations tried (the answer is the highest of them that meets the bound: rounded down).
UTILISATIONS = np.linspace(0.0, 1.0, 2001)[1:-1]


@functools.lru_cache(maxsize=64)
def _slack_needed(batch: int) -> np.ndarray:
    """Per tier of SERVER_TIERS and utilisation: the fill and queueing wait at the 99th
    percentile in service times (as ``grid_p99_ms`` works them out), at that utilisation or
    any lower one (a running maximum: a replica planned at one load may run at less)."""
    shape = (len(SERVER_TIERS), len(UTILISATIONS))
    c = np.broadcast_to(np.array(SERVER_TIERS, dtype=float)[:, None], shape)
    rate = c * UTILISATIONS[None, :] * batch * 1000  # what loads c replicas of a 1 ms service to rho
    waits = grid_p99_ms(np.ones(shape), np.full(shape, float(batch)), rate, c, 0.0) - 1.0  # less the service
    return np.maximum.accumulate(waits, axis=1)


def slack(service_ms, bound_ms, hop_ms: float = 0.0):
    """What a p99 bound leaves for batch fill and queueing, in service times (inf: no bound)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isnan(bound_ms), np.inf, (bound_ms - hop_ms) / service_ms - 1.0)


#: Slacks the utilisation is tabled at (log-spaced; a cell's slack is rounded down to one).
SLACKS = np.geomspace(1e-3, 1e6, 4097)
_LOG_STEP = math.log(SLACKS[1] / SLACKS[0])


@functools.lru_cache(maxsize=16)
def _utilisation_table(batches: tuple[int, ...]) -> np.ndarray:
    """The highest tabled utilisation meeting each tabled slack: tiers x batch sizes x SLACKS."""
    out = np.zeros((len(SERVER_TIERS), len(batches), len(SLACKS)))
    for j, b in enumerate(batches):
        needed = _slack_needed(b)
        for t in range(len(SERVER_TIERS)):
            top = np.searchsorted(needed[t], SLACKS, side="right") - 1
            out[t, j] = np.where(top >= 0, UTILISATIONS[np.maximum(top, 0)], 0.0)
    return out


def slack_steps(slack_s: np.ndarray) -> np.ndarray:
    """Each slack's place on the grid SLACKS, rounded down (-1: below the grid, where no load
    meets the bound); ``headroom_utilisation`` reads the table there."""
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.log(np.minimum(slack_s, SLACKS[-1]) / SLACKS[0]) / _LOG_STEP
    return np.floor(np.nan_to_num(steps, nan=-1.0, neginf=-1.0) + 1e-9).astype(np.int64)


def headroom_utilisation(slack_s: np.ndarray, batch_index: np.ndarray, batches: tuple[int, ...],
                         servers: int, steps: np.ndarray | None = None) -> np.ndarray:
    """For each cell (``slack_s``: what its bound leaves for fill and queueing, in service
    times, see ``slack``; ``batches[batch_index]``: its batch size), the highest utilisation
    of a pool of ``servers`` replicas behind one queue (M/D/c, as ``p99_latency_ms``) whose
    p99 meets the bound at that load and at every lower one; 0 when none does. Read from a
    table, rounded down three ways: utilisations in steps of 1/2000, the slack to the grid
    SLACKS (steps of 0.5%), the pool to its tier in SERVER_TIERS. ``steps``: the slacks'
    ``slack_steps``, when worked out already (a fleet reads one cell at every tier)."""
    tier = int(np.searchsorted(SERVER_TIERS, min(servers, SERVER_TIERS[-1]), side="right")) - 1
    j = slack_steps(slack_s) if steps is None else steps
    found = _utilisation_table(tuple(batches))[tier][batch_index, np.clip(j, 0, len(SLACKS) - 1)]
    return np.where(j >= 0, found, 0.0)


# ---- dynamic batching (a server that batches whatever has arrived: Triton, MLPerf harnesses)

#: z of the 99th percentile of a normal distribution, for the Poisson count of arrivals.
Z99 = 2.326


def arrivals_p99(mean: float) -> float:
    """The 99th percentile of a Poisson count of mean ``mean`` (normal approximation, at least the
    mean and at least 1)."""
    return max(1.0, math.ceil(mean + Z99 * math.sqrt(mean)))


def dynamic_batch(rate_rps: float, service_ms, max_batch: float) -> float:
    """The batch a dynamic batcher runs at ``rate_rps``: the requests that arrive while the batch
    before it is served, at their 99th-percentile count, so ``b = Q99(Poisson(rate x S(b)))``
    (found by iterating from 1; ``service_ms(b)`` is a batch's service time). Capped at
    ``max_batch``; inf when even that batch cannot keep up with the rate."""
    batch = 1.0
    for _ in range(100):
        grown = min(max_batch, arrivals_p99(rate_rps * service_ms(batch) / 1000))
        if grown <= batch:
            break
        batch = grown
    if rate_rps * service_ms(batch) / 1000 > batch:
        return math.inf
    return batch


def dynamic_p99_ms(rate_rps: float, service_ms, max_batch: float, hop_ms: float = 0.0) -> float:
    """The 99th-percentile latency under dynamic batching: a request that arrives as a batch starts
    waits for it (one service time of the batch that forms at the rate), then is served in the
    next one; plus the serving hop."""
    batch = dynamic_batch(rate_rps, service_ms, max_batch)
    if math.isinf(batch):
        return math.inf
    return 2 * service_ms(batch) + hop_ms


def dynamic_max_rate(service_ms, max_batch: float, bound_ms: float, hop_ms: float = 0.0) -> float:
    """The highest rate whose p99 under dynamic batching meets ``bound_ms`` (0 when none does):
    the p99 grows with the rate, so the top is found by bisection below the largest batch's
    throughput."""
    capacity = max_batch * 1000 / service_ms(max_batch)
    if dynamic_p99_ms(capacity * 1e-6, service_ms, max_batch, hop_ms) > bound_ms:
        return 0.0
    low, high = capacity * 1e-6, capacity
    for _ in range(60):
        mid = math.sqrt(low * high)
        if dynamic_p99_ms(mid, service_ms, max_batch, hop_ms) <= bound_ms:
            low = mid
        else:
            high = mid
    return float(low)
