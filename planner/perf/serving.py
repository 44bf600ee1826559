"""LLM serving in its own terms: continuous batching, parallel layouts, disaggregated prefill/decode.

The performance model (roofline.py, llm.py) predicts a static batch of b requests: one prefill
over every prompt, then decode steps whose mean (TPOT at batch b) reads the weights and the
batch's KV cache. A served LLM runs no static batches: a continuous-batching engine (vLLM,
TensorRT-LLM, SGLang) keeps up to b sequences decoding and starts a new request's prefill as
soon as a sequence ends. This module turns the model's terms into a served replica's figures,
for every text-generation cell of a candidate grid (configuration x sequences held):

- ``prefill``: one prompt's prefill alone (the model's TTFT at batch 1 less its decode step);
  ``step``: the mean decode step at b sequences (the model's TPOT at batch b, which rises with
  b as the KV cache read grows).
- **Aggregated** (one engine does both): every O steps each of the b sequences ends and a new
  prompt is prefilled in a step of the batch, so over one sequence's O tokens the other b - 1
  sequences' prefills join its steps: ``TPOT = step + (b - 1) x prefill / O``; the engine works
  ``O x step / b + prefill`` per request, so the rate is ``b / (O x step + b x prefill)``
  requests/s; and ``TTFT = wait + prefill + step`` (the prompt runs in one step with the batch's
  decode), where ``wait`` is the mean M/D/1 wait behind the other sequences' prefills, at the
  load ``rate x prefill x (b - 1) / b`` (none for a single sequence).
- **Pipeline parallel** across p scale-up domains (a layout of TP x PP devices): the grid row is
  predicted over all TP x PP devices (memory, bandwidth and compute summed), and a token passes
  the p stages one after another: prefill and step take p times as long, plus each stage
  boundary's activations (d_model x 2 bytes per token) over the scale-out network.
- **Disaggregated** xPyD: x prefill workers and y decode workers of the row's layout. A decode
  worker's TPOT is the bare step (no prefill joins its batch); the prefill workers are sized to
  a load of at most ``prefill_load``; ``TTFT = wait (M/D/x) + prefill + KV transfer + step``,
  the prompt's KV cache crossing the scale-up link when the unit fits in one domain, else the
  scale-out network.
- **Memory**: a cell fits when the weights, the runtime's overhead and the b sequences' KV cache
  (at the request shape and the KV precision) fit in ``memory_utilization`` of the devices'
  own memory (a device without DRAM, which streams weights from the host, serves no LLM), and
  the request fits the model's context.
- **Expert parallel**: a mixture of experts spreads its experts over each stage's devices (its
  memory already counts every expert, its compute the active ones).

Power and cost of a disaggregated unit are its (x + y) workers'; energy is per request at the
planned rate. The factors are in planner/data/serving.yaml.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, ConfigDict

from hardware.schema import Figure, ModelKind
from hardware.yamlio import packaged_yaml
from planner.perf import llm
from planner.perf.configs import ConfigTable
from planner.perf.factors import PerfFactors
from planner.perf.roofline import REPLICA_STEPS, Estimate, Grid, figure_or_nan, on_chip_only

SERVED_TASK = "text-generation"
#: What a served LLM's latency is.
SERVED_BASIS = ("served replica at its full rate: TTFT + (output tokens - 1) x TPOT (continuous batching; "
                "planner.perf.serving)")


class QualityFloor(BaseModel):
    """A task's default quality floor: a minimum per accuracy metric (keyed by the metric's first
    word: MMLU, GPQA, WER, SBERT, MTEB), else a minimum size for models without a figure."""

    model_config = ConfigDict(frozen=True, extra="allow")
    min_params_m: float
    why: str

    def minimums(self) -> dict[str, float]:
        return {k: float(v) for k, v in (self.model_extra or {}).items()}


class SloDefault(BaseModel):
    """A task's default service level: TTFT and TPOT for text generation, else a latency."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    latency_ms: float | None = None
    above_prompt_tokens: int | None = None  # a long-context level: for prompts longer than this
    what: str = "the MLPerf Inference interactive LLM bounds"
    source: str

    def bounds(self) -> list[tuple[str, float]]:
        """(metric, at most) for each bound the level sets."""
        return [(m, v) for m, v in (("ttft", self.ttft_ms), ("tpot", self.tpot_ms), ("latency", self.latency_ms))
                if v is not None]


class ServingFactors(BaseModel):
    """See planner/data/serving.yaml for what each figure means and where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int
    memory_utilization: Figure
    batch_sizes: list[int]
    batch_sizes_source: str
    pipeline_degrees: list[int]
    scale_out_gbs: Figure
    prefill_load: float
    max_decode_per_prefill: int
    max_prefill_workers: int
    slo: dict[str, SloDefault]
    min_time_gain_per_doubling: float
    live_audio_window_s: float
    recorded_audio_words: list[str]
    camera_stream: dict[str, float]
    default_objective_tolerance: float
    quality_floors: dict[str, QualityFloor]


@lru_cache(maxsize=1)
def load_serving() -> ServingFactors:
    return ServingFactors.model_validate(packaged_yaml("planner", "serving.yaml"))


def served(model) -> bool:
    """Whether a model is served as an LLM (continuous batching, parallel layouts, disaggregation)."""
    return model.kind == ModelKind.AUTOREGRESSIVE and model.task == SERVED_TASK


def serving_batches(models, concurrency: int | None, default: list[int], s: ServingFactors) -> list[int]:
    """The batch sizes of a request's grid: the serving engine's for LLMs (with the stated
    concurrency when it is smaller than the largest), else the performance model's."""
    if not models or not all(served(m) for m in models):
        return list(default)
    sizes = set(s.batch_sizes)
    if concurrency and concurrency < max(sizes):
        # no more sequences a replica than the users at once: a batch of 128 for 32 users never fills, and its
        # cost per token (counted at its full rate) was a quarter of what the 32 pay
        sizes = {b for b in sizes if b < concurrency} | {int(concurrency)}
    return sorted(sizes)


class ServingEstimate(Estimate):
    """An estimate with its serving layout: devices, parallel degrees and, for a disaggregated
    unit, its prefill and decode workers. ``concurrency`` is the sequences one replica holds."""

    devices_per_replica: int = 1
    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    expert_parallel: int = 1
    prefill_workers: int | None = None
    decode_workers: int | None = None
    concurrency: int | None = None


def _group(device) -> float:
    return float(device.max_group.value) if device.max_group is not None and device.interconnect_gbs else 1.0


class ServingGrid(Grid):
    """A candidate grid whose text-generation cells are served replicas (see the module's
    docstring). ``disaggregate`` adds, for every LLM configuration on a device with a scale-up
    group and no pipeline stages, a disaggregated twin. Call ``serve()`` once, after any
    ``add_latency``."""

    estimate_type = ServingEstimate

    def __init__(self, configs: ConfigTable, batch_sizes: list[int], f: PerfFactors, corrections: dict | None = None,
                 serving: ServingFactors | None = None, disaggregate: bool = True):
        self.serving = serving or load_serving()
        llm_rows = configs.per_model(served)[:, 0] > 0
        group = configs.per_device(_group)[:, 0]
        twins = np.nonzero(llm_rows & (group > 1) & (configs.shards <= group) & (configs.share == 1.0))[0] \
            if disaggregate else np.zeros(0, dtype=np.int64)
        rows = np.concatenate([np.arange(len(configs)), twins])
        super().__init__(configs, batch_sizes, f, corrections)
        if len(twins):
            self._repeat(rows)
        table = self.configs
        self.disaggregated = (np.arange(len(rows)) >= len(configs))[:, None]
        self.served_rows = table.per_model(served) > 0
        shape = self.latency_ms.shape
        b = np.array(batch_sizes, dtype=float)[None, :]
        group = table.per_device(_group)
        shards = table.shards.astype(float)[:, None]
        self.tensor = np.where(shards > group, group, shards)
        self.pipeline = np.round(shards / self.tensor)
        moe = table.per_model(lambda m: bool(m.architecture and m.architecture.experts)) > 0
        self.expert = np.where(moe & self.served_rows, self.tensor, 1.0)
        self.workers = np.ones(shape)
        self.prefill_workers = np.zeros(shape)
        self.decode_workers = np.zeros(shape)
        self.held = np.broadcast_to(b, shape).copy()
        self.added_ms = np.zeros((len(table), 1))
        self.token_ms = np.zeros((len(table), 1))  # a policy's time each generated token takes
        self.served_basis = SERVED_BASIS
        self.slot_wait_ms = None
        self._served = False

    def _repeat(self, rows: np.ndarray) -> None:
        """The grid's configurations ``rows`` (repeats allowed) as its rows: every per-configuration
        array and measurement is gathered, so a twin is predicted once, not twice."""
        n = len(self.configs)
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and value.ndim and value.shape[0] == n:
                setattr(self, name, value[rows])
        by_row: dict[int, list] = {}
        for (g, k), note in self.measured.items():
            by_row.setdefault(g, []).append((k, note))
        self.measured = {(i, k): note for i, g in enumerate(rows.tolist()) for k, note in by_row.get(g, ())}
        self.configs = self.configs.subset(rows)

    def add_latency(self, added) -> None:
        """A policy's fixed latency per request (a watermark): kept apart from the prefill, and
        added once to a served request's TTFT and latency."""
        if self._served:
            raise RuntimeError("add a policy's latency before serve(): serving figures are built on it")
        super().add_latency(added)
        if added:
            self.added_ms = self.added_ms + self.configs.per_model(lambda m: added.for_model(m.id))
            self.token_ms = self.token_ms + added.per_token_ms

    def serve(self, rate_rps: float | None = None, hop_ms: float = 0.0, p99_bound_ms: float | None = None,
              ttft_bound_ms: float | None = None, periodic: bool = False) -> None:
        """Turn the text-generation cells into served replicas (once), then add what a served
        request pays on every cell: the serving stack's hop and, at a requested rate, the p99 under
        load (``Grid.serve``). A served LLM fills no batch: at a rate, its request waits for a
        free sequence slot over the replicas the rate needs (``queueing.slot_wait_ms``, at the
        p99), and that wait counts in its TTFT and its latency. Where that wait breaks a stated
        TTFT or latency bound, more replicas than the rate needs are tried (REPLICA_STEPS times
        as many), as for a batched model's p99: the fewest that keep the wait within it."""
        self._serve_llm()
        service = self.latency_ms
        # More replicas for a p99 bound (Grid.serve) are for batched single-pass cells; a served
        # LLM's replicas follow its slots.
        # Where every cell is a served LLM, the batched queue's p99 would be computed to be replaced.
        all_served = bool(self.served_rows.all())
        super().serve(None if all_served else rate_rps, hop_ms, None if self.served_rows.any() else p99_bound_ms,
                      periodic)
        self.slot_wait_ms = None
        if rate_rps and self.served_rows.any():
            from planner.perf import queueing

            with np.errstate(divide="ignore", invalid="ignore"):
                replicas = np.maximum(np.ceil(rate_rps / self.throughput_rps - 1e-9), 1.0)
                occupancy = self.held / self.throughput_rps * 1000  # a slot's time per request, at the rate's capacity
            wait = np.where(self.served_rows, queueing.slot_wait_ms(occupancy, rate_rps, replicas * self.held), 0.0)
            wait = self._replicas_for_the_wait(queueing, wait, occupancy, rate_rps, replicas, service, hop_ms,
                                               p99_bound_ms, ttft_bound_ms)
            self.latency_ms = np.where(self.served_rows, service + wait + hop_ms, self.latency_ms)
            self.ttft_ms = self.ttft_ms + wait
            self.slot_wait_ms = wait
            self.served_basis = (f"{SERVED_BASIS}; p99 at {rate_rps:g} req/s: + the wait for a free sequence slot "
                                 f"(M/D/c over the replicas' slots) + {hop_ms:g} ms serving hop")

    def _replicas_for_the_wait(self, queueing, wait, occupancy, rate_rps, replicas, service, hop_ms,
                               p99_bound_ms, ttft_bound_ms) -> np.ndarray:
        """The slot wait of each served cell with the fewest of REPLICA_STEPS times its replicas
        that keep its TTFT (and latency) within the stated bounds; a cell given more replicas
        serves its share of the rate (so the plan counts them)."""
        if ttft_bound_ms is None and p99_bound_ms is None:
            return wait
        shape = wait.shape
        ttft = np.broadcast_to(self.ttft_ms, shape)  # Grid.serve added the hop to it; the wait comes next
        service = np.broadcast_to(service, shape) + hop_ms
        occupancy, replicas, held = (np.broadcast_to(a, shape) for a in (occupancy, replicas, self.held))

        def misses(w, cells):
            over = np.zeros(len(w), dtype=bool)
            if ttft_bound_ms is not None:
                over |= ttft[cells] + w > ttft_bound_ms
            if p99_bound_ms is not None:
                over |= service[cells] + w > p99_bound_ms
            return over

        served = np.broadcast_to(self.served_rows, shape)
        missing = served.copy()
        missing[served] = misses(wait[served], served)
        # A cell over its bound with no wait at all gains nothing from more replicas.
        missing[missing] = ~misses(np.zeros(int(missing.sum())), missing)
        wait, throughput = wait.copy(), np.array(np.broadcast_to(self.throughput_rps, shape), dtype=float)
        if self.service_rps is None:
            self.service_rps = throughput.copy()  # flat out: a replica given more serves a share of the rate
        for step in REPLICA_STEPS:
            if not missing.any():
                break
            cells = np.nonzero(missing)
            more = np.ceil(replicas[cells] * step)
            longer = queueing.slot_wait_ms(occupancy[cells], rate_rps, more * held[cells])
            met = ~misses(longer, cells)
            hit = tuple(axis[met] for axis in cells)
            wait[hit] = longer[met]
            throughput[hit] = rate_rps / more[met]
            missing[hit] = False
        self.throughput_rps = throughput
        return wait

    def _serve_llm(self) -> None:
        """Continuous batching, layouts and disaggregation on the text-generation cells (once)."""
        if self._served:
            return
        self._served = True
        if not self.served_rows.any():
            return
        if self.batch_sizes[0] != 1:
            raise ValueError("a serving grid needs batch size 1 first (one prompt's prefill is read there)")
        t, s, f = self.configs, self.serving, self.factors
        b = np.array(self.batch_sizes, dtype=float)[None, :]
        prompt, output = self.prompt_tokens, self.output_tokens
        scale_out = s.scale_out_gbs.value * 1e9
        d_model = t.per_model(lambda m: llm.shape(m, f)["d_model"] if served(m) else np.nan)
        stage_hops = self.pipeline - 1
        hop_bytes = 2 * d_model * stage_hops / scale_out  # seconds per token crossing every stage boundary
        # a policy's time a token (a text watermark) is each decode step's and the first token's, not the
        # whole reply's on the first token (it had put 97 ms on TTFT and none on TPOT)
        step = self.tpot_ms / 1000 * self.pipeline + b * hop_bytes + self.token_ms / 1000
        prefill = np.maximum((self.ttft_ms[:, :1] - self.added_ms - self.tpot_ms[:, :1]) / 1000, 1e-6) \
            * self.pipeline + prompt * hop_bytes
        ttft, tpot, rate, held, workers, fits = (np.broadcast_to(a, step.shape).copy()
                                                 for a in self._aggregated(b, step, prefill, output))
        twins = np.nonzero(self.disaggregated[:, 0])[0]
        if len(twins):
            split = self._disaggregated(twins, b, step[twins], prefill[twins], prompt[twins], output[twins],
                                        scale_out)
            for whole, part in zip((ttft, tpot, rate, held, workers, fits), split):
                whole[twins] = part
        keep = self.served_rows
        ttft = ttft + np.where(self.token_ms > 0, 0.0, self.added_ms) / 1000
        self.ttft_ms = np.where(keep, ttft * 1000, self.ttft_ms)
        self.tpot_ms = np.where(keep, tpot * 1000, self.tpot_ms)
        self.latency_ms = np.where(keep, (ttft + (output - 1) * tpot) * 1000, self.latency_ms)
        self.throughput_rps = np.where(keep, rate, self.throughput_rps)
        self.held = np.where(keep, held, self.held)
        self.workers = np.where(keep, workers, 1.0)
        self.power_w = self.power_w * self.workers
        self.cost_usd_per_hour = self.cost_usd_per_hour * self.workers
        with np.errstate(divide="ignore", invalid="ignore"):
            self.energy_j = np.where(keep, self.power_w / rate, self.energy_j)
        self.fits = self.fits & np.where(keep, fits & self._kv_fits() & self._context_fits(), True)

    def _aggregated(self, b, step, prefill, output):
        """(TTFT s, TPOT s, requests/s, sequences held, workers, fits) of one engine doing both."""
        tpot = step + (b - 1) * prefill / output
        rate = b / (output * step + b * prefill)
        load = rate * prefill * (b - 1) / b  # the other sequences' prefills
        wait = load * prefill / (2 * (1 - load))  # M/D/1 mean wait (Pollaczek-Khinchine)
        ones = np.ones_like(tpot)
        return wait + prefill + step, tpot, rate, b * ones, ones, ones > 0

    def _disaggregated(self, rows, b, step, prefill, prompt, output, scale_out):
        """The same for the xPyD units of ``rows``: x prefill workers sized to ``prefill_load``, y
        decode workers (arguments and results are those rows')."""
        s, f = self.serving, self.factors
        t = self.configs.subset(rows)
        decode_rate = b / (output * step)
        load = decode_rate * prefill  # one decode worker's prefill work per second
        light = load <= s.prefill_load
        with np.errstate(divide="ignore"):
            y = np.where(light, np.clip(np.floor(s.prefill_load / load), 1, s.max_decode_per_prefill), 1.0)
        x = np.where(light, 1.0, np.ceil(load / s.prefill_load))
        fits = x <= s.max_prefill_workers
        x = np.minimum(x, s.max_prefill_workers)
        utilisation = y * load / x
        wait = mdc_mean_wait(prefill, x, utilisation)
        kv_bytes = t.per_model(lambda m: llm.shape(m, f)["kv_elems"] if served(m) else np.nan) \
            * np.array([f.kv_bytes(p) for p in t.precisions])[t.precision][:, None]
        group = t.per_device(_group)
        link = t.per_device(lambda d: figure_or_nan(d.interconnect_gbs) * 1e9 * f.bandwidth_efficiency)
        within = (x + y) * t.shards[:, None] <= group
        transfer = prompt * kv_bytes / np.where(within & ~np.isnan(link), link, scale_out)
        self.prefill_workers[rows] = np.where(self.served_rows[rows], x, 0.0)
        self.decode_workers[rows] = np.where(self.served_rows[rows], y, 0.0)
        return (wait + prefill + transfer + step, step, y * decode_rate, y * b, x + y, fits & (utilisation < 1))

    def _kv_fits(self) -> np.ndarray:
        """Weights, runtime overhead and the KV cache within the engine's share of device memory.
        A device without memory of its own (weights streamed from the host) serves no LLM: a
        serving engine keeps the weights and the KV cache in device memory."""
        t = self.configs
        capacity = t.per_device(lambda d: 0.0 if on_chip_only(d) else d.capacity_gb or np.nan) * t.share[:, None]
        return self.memory_gb <= capacity * self.serving.memory_utilization.value

    def _context_fits(self) -> np.ndarray:
        """The request (prompt + output tokens) within the model's context, where it is published (the longer
        one its card documents with rope scaling, where it has one: planner.search.candidates)."""
        context = self.configs.per_model(_longest_context)
        return self.prompt_tokens + self.output_tokens <= context

    @property
    def devices(self) -> np.ndarray:
        """Devices one replica (or disaggregated unit) uses, per cell."""
        return self.configs.shards.astype(float)[:, None] * self.workers

    def metric(self, name: str) -> np.ndarray:
        """As Grid.metric; ``memory`` is a replica's memory over all its devices and
        ``memory_per_device`` one device's."""
        if name == "memory":
            return np.broadcast_to(self.memory_gb * self.devices, self.latency_ms.shape)
        if name == "memory_per_device":
            return np.broadcast_to(self.memory_gb, self.latency_ms.shape)
        if name == "power_per_device":
            return np.broadcast_to(self.power_w / self.devices, self.latency_ms.shape)
        if name == "cost_per_device":
            return np.broadcast_to(self.cost_usd_per_hour / self.devices, self.latency_ms.shape)
        return super().metric(name)

    def replica_caps(self, default: int) -> np.ndarray:
        """The most replicas each cell may use: an inventory's count over the devices one uses."""
        t = self.configs
        if np.isnan(t.max_count).all():
            return np.full((len(t), 1), float(default))
        return np.where(np.isnan(t.max_count)[:, None], default,
                        np.minimum(default, t.max_count[:, None] // self.devices))

    def predictions(self, gs: Sequence[int], ks: Sequence[int]) -> list[ServingEstimate]:
        """Grid.predictions with each cell's layout (gathered once per field)."""
        gs, ks = np.asarray(gs, dtype=int), np.asarray(ks, dtype=int)
        devices = np.round(self.devices[gs, ks]).astype(int).tolist()
        count = self.configs.max_count[gs]
        replicas = [None if np.isnan(c) else int(c // d) for c, d in zip(count.tolist(), devices)]
        tensor, pipeline, expert = (a[gs, 0].astype(int).tolist() for a in (self.tensor, self.pipeline, self.expert))
        held = self.held[gs, ks].astype(int).tolist()
        split = (self.disaggregated & self.served_rows)[gs, 0].tolist()
        prefill, decode = (a[gs, ks].astype(int).tolist() for a in (self.prefill_workers, self.decode_workers))
        served_rows = self.served_rows[gs, 0].tolist()
        notes: dict[int, dict] = {}
        out = []
        for i, e in enumerate(super().predictions(gs, ks)):
            # Grid.predictions built a ServingEstimate without validation (a copy of one made with
            # model_construct): its layout is written the same way, into the fields.
            fields = e.__dict__
            fields.update(devices_per_replica=devices[i], tensor_parallel=tensor[i], pipeline_parallel=pipeline[i],
                          expert_parallel=expert[i], concurrency=held[i], max_replicas=replicas[i],
                          prefill_workers=prefill[i] if split[i] else None,
                          decode_workers=decode[i] if split[i] else None)
            if served_rows[i]:
                g = int(gs[i])
                if g not in notes:
                    notes[g] = self._provenance(g)
                fields["provenance"] = {**e.provenance, **notes[g]}
                fields["latency_basis"] = self.served_basis
            out.append(e)
        return out

    def _provenance(self, g: int) -> dict[str, str]:
        if self.disaggregated[g, 0]:
            return {"energy_j": "model (power of every worker / requests per second)",
                    "ttft_ms": "model (disaggregated: M/D/x prefill wait + one prompt's prefill + KV transfer + "
                               "one decode step" + (" + p99 wait for a free sequence slot at the requested rate)"
                                                    if self.slot_wait_ms is not None else ")"),
                    "tpot_ms": "model (decode worker's step at its batch: weights and KV cache read)",
                    "throughput_rps": "model (decode workers x batch / (output tokens x TPOT))"}
        slot = " + p99 wait for a free sequence slot at the requested rate" if self.slot_wait_ms is not None else ""
        return {"energy_j": "model (power / requests per second)",
                "ttft_ms": "model (continuous batching: M/D/1 prefill wait at the full rate + one prompt's "
                           f"prefill + one decode step of the batch{slot})",
                "tpot_ms": "model (decode step at the batch + the prefills that join it, batch x prefill / "
                           "output tokens)",
                "throughput_rps": "model (batch / (output tokens x TPOT))"}


def _longest_context(model) -> float:
    """The most tokens a model's context holds: its card's rope-scaled context where it documents one."""
    a = model.architecture
    if a is None or not a.max_context:
        return np.inf
    return float(a.extended_context.tokens if a.extended_context else a.max_context)


def mdc_mean_wait(service: np.ndarray, servers: np.ndarray, utilisation: np.ndarray) -> np.ndarray:
    """Mean wait in an M/D/c queue (seconds; inf at or above full load): half the M/M/c (Erlang C)
    wait, the Allen-Cunneen approximation for deterministic service."""
    c = np.maximum(np.asarray(servers, dtype=float), 1.0)
    rho = np.asarray(utilisation, dtype=float)
    offered = rho * c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        term = np.ones_like(offered)
        total = np.ones_like(offered)
        last = np.ones_like(offered)  # offered^(c-1) / (c-1)!
        for k in range(1, int(np.nanmax(c))):
            term = term * offered / k
            total = total + np.where(k < c, term, 0.0)
            last = np.where(k == c - 1, term, last)
        tail = last * offered / c / (1 - rho)
        erlang_c = tail / (total + tail)
        wait = 0.5 * erlang_c * service / (c * (1 - rho))
    return np.where(rho < 1, wait, np.inf)
