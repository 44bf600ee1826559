"""A roofline performance model: latency, throughput, power, energy, memory, cost, accuracy.

For one (model, device, precision, batch size) the time of a batch step is the larger of
the compute time (work / effective peak) and the memory time (bytes moved / effective
bandwidth), plus the step's floor: a fixed overhead, a launch cost per weighted layer
(deep, narrow networks are launch-bound at batch 1) and a mixture of experts' routing and
dispatch per MoE block. Autoregressive models run one prefill over the
prompt and one step per generated token, each step reading all the weights, which is why
they are usually bandwidth-bound. Power is idle draw plus the dynamic share the step keeps
busy. The efficiency factors live in planner/data/perf-factors.yaml.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict

from hardware import Catalog, Device, ModelVariant, load_catalog
from hardware.schema import Figure, ModelKind
from planner.errors import EstimateError
from planner.perf import cost, llm, power
from planner.perf.configs import Config, ConfigTable
from planner.perf.factors import (PerfFactors, load_factors, may_cap_batches, memory_share_tasks, model_traits,
                                   runtime_for, runtime_of)
from planner.perf.memo import ObjectCache


class Estimate(BaseModel):
    """Predicted figures for one configuration on one device (one replica)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    model_id: str
    device_id: str
    precision: str
    batch_size: int
    placement: str | None = None
    latency_ms: float
    throughput_rps: float
    power_w: float | None
    energy_j: float | None
    memory_gb: float
    cost_usd_per_hour: float | None
    accuracy: float | None
    #: the model's published reference accuracy, the same at every precision; None where the
    #: candidate models' figures are on different scales (see ``model_accuracies``)
    model_accuracy: float | None = None
    bound_by: str
    provenance: dict[str, str]
    max_replicas: int | None = None  # how many of the device an inventory holds
    shards: int = 1  # devices one replica is split across (tensor parallel)
    ttft_ms: float | None = None  # text generation: time to first token
    tpot_ms: float | None = None  # text generation: time per output token
    tokens_per_s: float | None = None  # text generation: output tokens per second, whole batch
    usd_per_mtok: float | None = None  # text generation: cost per million output tokens at that rate
    job_cost_usd: float | None = None  # a batch job of known size: the whole job's cost at this rate
    prompt_tokens: int | None = None  # text generation: the request shape the figures are for
    output_tokens: int | None = None
    power_mode: str | None = None  # the device's power mode the figures are for (None: a device without modes)
    latency_basis: str | None = None  # what latency_ms is: a batch's service time, or a percentile under load
    #: a replica's batch service rate where throughput_rps is less, its share of a stated rate
    #: (more replicas than the rate needs, to keep a p99 bound); None where they are the same
    service_rps: float | None = None


def no_figures(device: Device) -> str:
    """Why a device the catalog gives no compute figure is no candidate: a gap in the catalog,
    not a precision the request chose."""
    return f"catalog: {device.id} has no published compute figures, so nothing can be predicted on it"


def supports(device: Device, model: ModelVariant, precision: str, factors: PerfFactors | None = None) -> str | None:
    """Why (model, device, precision) is not a candidate, or None when it is."""
    factors = factors or load_factors()
    if not device.peak:
        return no_figures(device)
    if not factors.runs(device, precision, model.kind.value, model.task):
        return f"{device.id} publishes no {precision} throughput (or its runtime has no {precision} kernels)"
    if precision not in factors.precisions_by_kind[model.kind.value]:
        return f"{model.id} ({model.kind.value}) is not deployed in {precision}"
    if model.params_m is None or model.gflops is None:
        return f"{model.id} has no published size or FLOP count"
    if device.memory_gb is None and not on_chip_only(device):
        return f"{device.id} publishes no memory size"
    if device.memory_bandwidth_gbs is None and not on_chip_only(device):
        # its memory time would count as nothing: a memory-bound model (an LLM's decode) far too fast
        return f"{device.id} publishes no memory bandwidth"
    rule = runtime_of(device, model)
    if rule.runtime is None:
        return f"{device.id} runs no {_what(rule, model)}: {rule.why}"
    return None


def _what(rule, model: ModelVariant) -> str:
    """What a rule that runs nothing keeps off a device, in words ('transformer model')."""
    if rule.families is not None:
        return f"{model.family} model"
    return f"{model.structure.value if rule.structures is not None else model.kind.value} model"


def on_chip_only(device: Device) -> bool:
    """A device with no DRAM of its own: weights live in on-chip memory, the rest on the host."""
    return device.external_memory is not None and not device.external_memory.value


#: What ``support_codes`` reports per (device, model, precision): 0 when it is a candidate,
#: else the first check of ``supports`` that fails, in the same order.
SUPPORTED, NO_PEAK, NOT_DEPLOYED, NO_SIZE, NO_MEMORY, NO_RUNTIME = range(6)


def support_codes(devices, models, precisions, factors: PerfFactors) -> np.ndarray:
    """``supports`` for every (device, model, precision) at once, as an array of codes."""
    traits = [model_traits(m) for m in models]  # a request's models share a kind and task or two
    own = np.array([[p in d.peak for p in precisions] for d in devices], dtype=bool)[:, None, :]
    peak = np.repeat(own, len(models), axis=1)
    for j, p in enumerate(precisions):  # a weight-only format (int4) also needs its runtime's kernels
        if p in factors.weight_only:
            runs = {k[:2]: [factors.runs(d, p, *k[:2]) for d in devices] for k in set(traits)}
            peak[:, :, j] = np.array([runs[k[:2]] for k in traits], dtype=bool).T
    rules = [{k: runtime_for(d, *k) for k in set(traits)} for d in devices]
    peak &= np.array([[[by_trait[k].plans_in(p) for p in precisions] for k in traits] for by_trait in rules],
                     dtype=bool)  # a runtime planned in fewer formats than its device runs
    deployed = np.array([[p in factors.precisions_by_kind[m.kind.value] for p in precisions] for m in models],
                        dtype=bool)[None, :, :]
    sized = np.array([m.params_m is not None and m.gflops is not None for m in models], dtype=bool)[None, :, None]
    memory = np.array([(d.memory_gb is not None and d.memory_bandwidth_gbs is not None) or on_chip_only(d)
                       for d in devices], dtype=bool)[:, None, None]
    runs = np.array([[by_trait[k].runtime is not None for k in traits] for by_trait in rules], dtype=bool)[:, :, None]
    codes = np.full((len(devices), len(models), len(precisions)), SUPPORTED, dtype=np.int8)
    for code, ok in ((NO_RUNTIME, runs), (NO_MEMORY, memory), (NO_SIZE, sized), (NOT_DEPLOYED, deployed),
                     (NO_PEAK, peak)):
        codes = np.where(ok, codes, code)  # the earliest failing check is written last, so it wins
    return codes


def estimate(model_id: str, device_id: str, precision: str, batch_size: int, *, prompt_tokens: int | None = None,
             output_tokens: int | None = None, power_mode: str | None = None, placement: str | None = None,
             catalog: Catalog | None = None, steps: int | None = None) -> Estimate:
    """Predict one configuration (one replica, the bare model without a serving stack).

    ``prompt_tokens`` and ``output_tokens`` give a text-generation request's shape (default:
    the task's documented shape in planner/data/perf-factors.yaml); ``power_mode`` one of the
    device's modes (default: its default mode); ``steps`` a diffusion model's denoising steps
    (default: its catalog entry's). Raises EstimateError when the configuration is not a
    candidate."""
    catalog = catalog or load_catalog()
    return predict(catalog.model(model_id), catalog.device(device_id), precision, batch_size, placement,
                   catalog=catalog, prompt_tokens=prompt_tokens, output_tokens=output_tokens, power_mode=power_mode,
                   steps=steps)


def predict(model: ModelVariant, device: Device, precision: str, batch_size: int,
            placement: str | None = None, factors: PerfFactors | None = None, catalog: Catalog | None = None, *,
            prompt_tokens: int | None = None, output_tokens: int | None = None,
            power_mode: str | None = None, steps: int | None = None) -> Estimate:
    """One configuration; raises EstimateError when it is not a candidate."""
    if batch_size < 1:
        raise EstimateError(f"batch size must be at least 1, not {batch_size}")
    for name, tokens in (("prompt_tokens", prompt_tokens), ("output_tokens", output_tokens)):
        if tokens is not None and tokens < 1:
            raise EstimateError(f"{name} must be at least 1, not {tokens}")
    factors = factors or load_factors()
    reason = supports(device, model, precision, factors)
    if reason:
        raise EstimateError(reason)
    rule = runtime_of(device, model) if batch_size > 1 and may_cap_batches(device) else None
    if rule is not None and rule.max_batch is not None and batch_size > rule.max_batch:
        raise EstimateError(f"{device.id} runs batch {rule.max_batch} at most ({rule.batch_docs}); "
                            f"use more devices for more throughput")
    if power_mode is not None:
        try:
            device.mode(power_mode)
        except ValueError as e:
            raise EstimateError(str(e)) from e
    config = Config(model, device, precision, placement or device.placements[0].value, prompt_tokens=prompt_tokens,
                    output_tokens=output_tokens, power_mode=power_mode, steps=steps)
    table, columns = _single_inputs(config, factors)
    grid = Grid(table, [batch_size], factors, stored_corrections(catalog or load_catalog(), factors), columns=columns)
    if not grid.fits[0, 0]:
        raise EstimateError(f"{model.id} in {precision} at batch {batch_size} needs {grid.memory_gb[0, 0]:.2f} GB; "
                            f"{device.id} has {device.memory_gb.value:g} GB "
                            f"({device.capacity_gb:.2f} GB of 10^9 bytes)")
    return grid.prediction(0, 0)


#: One configuration's table and roofline inputs, per (factors, model, device) and the rest of
#: the configuration: ``estimate`` is called for one configuration at many batch sizes and
#: request shapes (server_rate, the scorers).
_SINGLE_INPUTS = ObjectCache(size=256)


def _single_inputs(x: Config, f: PerfFactors) -> tuple[ConfigTable, dict[str, np.ndarray]]:
    """The table of configuration ``x`` alone and its roofline inputs (read-only: they are shared)."""
    def compute():
        table = ConfigTable.of([x])
        columns = Grid.columns_of(table, f)
        for column in columns.values():
            column.flags.writeable = False
        return table, columns

    extras = (x.precision, x.placement, x.usd_per_hour, x.max_count, x.shards, x.share, x.prompt_tokens,
              x.output_tokens, x.power_mode, x.steps)
    return _SINGLE_INPUTS.get((f, x.model, x.device), extras, compute)


#: The transformer figures text generation needs, per configuration (planner.perf.llm.shape).
LLM_SHAPE = ("layers", "d_model", "attn_dim", "kv_elems", "active", "experts", "topk", "expert_params")


def _column(values) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


def figure_or_nan(figure: Figure | None) -> float:
    return figure.value if figure is not None else np.nan


def _request(model: ModelVariant, f: PerfFactors) -> tuple[int, int]:
    """(prompt, output) tokens of a model's default request: its benchmark's, else its task's."""
    shape = f.shape_for(model.task)
    request = model.request
    return ((request and request.prompt_tokens) or shape.prompt_tokens,
            (request and request.output_tokens) or shape.output_tokens)


def _or_default(values: np.ndarray, default: np.ndarray) -> np.ndarray:
    """Per-configuration values (NaN: not given) over the default column."""
    return np.where(np.isnan(values)[:, None], default, values[:, None])


@dataclass(frozen=True)
class AddedLatency:
    """Latency a policy adds to each request (a watermark): ``default_ms`` for every model
    but those ``by_model`` lists with their own (marking a larger image takes longer)."""

    default_ms: float = 0.0
    by_model: tuple[tuple[str, float], ...] = ()
    #: work on the host's CPUs after the accelerator's (an image's watermark), pipelined with the
    #: next batch; otherwise it runs on the accelerator (a text watermark biases each token's logits)
    on_host: bool = False
    #: time each generated token takes (a text watermark's logit bias): a served LLM's decode step and
    #: first token take it, where ``default_ms`` (its tokens at the task's shape) stood on the first token alone
    per_token_ms: float = 0.0

    def for_model(self, model_id: str) -> float:
        return dict(self.by_model).get(model_id, self.default_ms)

    def __bool__(self) -> bool:
        return bool(self.default_ms) or any(ms for _, ms in self.by_model)


NO_ADDED_LATENCY = AddedLatency()


class Grid:
    """Predictions for many configurations at many batch sizes at once (arrays G x B).

    Unknown figures (no TDP, no price) are NaN and become None in a Prediction. ``fits``
    says which cells hold the model in device memory.
    """

    #: The type of a cell's estimate (a subclass may carry more fields).
    estimate_type = Estimate

    def __init__(self, configs: ConfigTable | Sequence[Config], batch_sizes: list[int], f: PerfFactors,
                 corrections: dict | None = None, columns: dict[str, np.ndarray] | None = None):
        t = configs if isinstance(configs, ConfigTable) else ConfigTable.of(configs)
        self.configs = t
        self.batch_sizes = batch_sizes
        self.factors = f
        b = np.array(batch_sizes, dtype=float)[None, :]
        c = columns if columns is not None else self.columns_of(t, f)
        predicted = _blockwise(len(t), lambda rows: _roofline(_rows(c, rows), b, f))
        self.latency_ms = predicted["latency_ms"]
        self.throughput_rps = predicted["throughput_rps"]
        self.service_rps: np.ndarray | None = None  # set by ``serve`` where throughput becomes a share of a rate
        self.power_w = predicted["power_w"]
        self._idle_columns = (c["idle"], c["tdp"], c["shards"])  # for idle_w, worked out when asked
        self.ttft_ms = predicted["ttft_ms"]
        self.tpot_ms = predicted["tpot_ms"]
        self.memory_gb = predicted["memory_gb"]
        self.compute_bound = predicted["compute_bound"]
        self.autoregressive = np.broadcast_to(c["auto"], self.latency_ms.shape)
        self.output_tokens = c["output"]
        self.prompt_tokens = c["prompt"]
        self.measured: dict[tuple[int, int], str] = {}
        self.latency_basis = LATENCY_BASIS
        self.records: int | None = None  # a batch job's items, for its whole cost (job_cost_usd)
        self._correct(corrections or {})
        self.energy_j = _blockwise(len(t), lambda rows: {"e": self.power_w[rows] * self.latency_ms[rows] / 1000 / b})["e"]
        self.capacity_gb = c["capacity"]  # what a configuration's devices hold (one shard group's)
        self.fits = _blockwise(len(t), lambda rows: {"f": self.memory_gb[rows] <= c["capacity"][rows]})["f"]
        caps = runtime_batch_caps(t)
        if caps is not None:
            self.fits &= b <= caps[:, None]
        shares = runtime_memory_shares(t)
        if shares is not None:
            self.fits &= self.memory_gb <= c["capacity"] * shares[:, None]
            self.capacity_gb = np.where(np.isfinite(shares), c["capacity"] * shares, c["capacity"])  # a runtime's share
        self.cost_usd_per_hour = self._cost()
        accuracy = np.array([[_accuracy(m, p, f) if m.accuracy else np.nan for p in t.precisions] for m in t.models],
                            dtype=float)
        self.accuracy = accuracy[t.model, t.precision][:, None]
        self.model_accuracy = model_accuracies(t.models)[t.model][:, None]

    @classmethod
    def columns_of(cls, t: ConfigTable, f: PerfFactors) -> dict[str, np.ndarray]:
        """Per-configuration inputs of the roofline (G x 1), gathered from per-device (and
        power mode), per-model and per-precision figures."""
        shards = t.shards.astype(float)[:, None]
        share = t.share[:, None]  # a slice gets its share of compute, bandwidth, memory and power
        scaling = np.where(shards > 1, shards * f.tensor_parallel_efficiency, 1.0) * share
        modes = t.device_mode_columns({"peak_scale": power.mode_peak_scale, "bandwidth": power.mode_bandwidth,
                                       "cap": power.mode_cap})
        raw = cls._arithmetic(t, f, lambda d, p: figure_or_nan(d.peak.get(p)) * 1e12) * modes["peak_scale"] * scaling
        dense = cls._efficiency(t, f)
        device = t.device_columns({
            "chips": lambda d: d.chip_count,
            "link": lambda d: figure_or_nan(d.interconnect_gbs) * 1e9 * f.bandwidth_efficiency,
            "all_reduce_s": f.all_reduce_s,
            "group": lambda d: d.max_group.value if d.max_group is not None and d.interconnect_gbs else 1.0,
            "sram": lambda d: figure_or_nan(d.on_chip_memory_mb) * 1e6 / d.chip_count,
            "on_chip_only": on_chip_only,
            "pipelined": lambda d: bool(d.pipelined and d.pipelined.value),
            "host_link": lambda d: figure_or_nan(d.host_link_gbs) * 1e9,
            "overhead": f.overhead_ms,
            "launch": f.launch_ms,
            "latency_batches": f.latency_batches,
            "idle": lambda d: f.device_power_w.get(d.id, {}).get("idle", figure_or_nan(d.idle_w)),
            "capacity": lambda d: np.inf if on_chip_only(d) else d.capacity_gb or np.nan,
            "bandwidth_share": f.bandwidth_share,
            "cap_scale": lambda d: _fitted_cap_scale(d, f),
        })
        model = t.model_columns({
            "auto": lambda m: m.kind == ModelKind.AUTOREGRESSIVE,
            "params": lambda m: figure_or_nan(m.params_m) * 1e6,
            "gflops": lambda m: figure_or_nan(m.gflops),
            "act_mb": lambda m: f.activation_mb(m.structure and m.structure.value),
            "prompt": lambda m: _request(m, f)[0],
            "output": lambda m: _request(m, f)[1],
            "beams": lambda m: m.request.beams if m.request else 1,
            "layers": lambda m: f.layers(m)[0],
            "moe_blocks": lambda m: float(m.architecture.layers) if m.architecture and m.architecture.experts else 0.0,
        })
        auto = model["auto"] > 0
        one_pass = model["gflops"] * cls._sequence_share(t, auto)
        gflops = one_pass * cls._steps_share(t)  # a diffusion model's stated steps: more work, the same buffers
        shapes = [llm.shape(m, f) if m.kind == ModelKind.AUTOREGRESSIVE else None for m in t.models]
        columns = {
            "shards": shards,
            "chips": np.where(auto, 1.0, device["chips"]),
            "peak": raw * np.minimum(1.0, dense * cls._model_multiplier(t, f)),
            "prefill_peak": raw * np.minimum(1.0, dense * f.prefill_efficiency),
            "bandwidth": modes["bandwidth"] * 1e9 * device["bandwidth_share"] * shards * share,
            "link": np.where(shards > 1, device["link"], np.nan),
            # a layout of several groups runs them as pipeline stages (planner.perf.serving), whose
            # step is the stages' in turn: each stage waits for its own layers' all-reduces only
            "all_reduce_s": np.where(shards > 1, device["all_reduce_s"] / np.maximum(1.0, shards / device["group"]),
                                     0.0),
            "sram": device["sram"],
            "on_chip_only": device["on_chip_only"] > 0,
            "pipelined": np.where(auto, False, device["pipelined"] > 0),
            "host_link": device["host_link"],
            "bpp": _column([f.bytes_per_param[p] for p in t.precisions])[t.precision],
            "kv_bpe": _column([f.kv_bytes(p) for p in t.precisions])[t.precision],
            "params": model["params"],
            "gflops": gflops,
            "resident_gflops": one_pass,
            "latency_gflops": gflops if f.latency_mode_max_gflop is None else np.minimum(gflops,
                                                                                      f.latency_mode_max_gflop),
            "act_mb": model["act_mb"],
            "overhead": (device["overhead"] + device["launch"] * model["layers"]
                         + f.moe_layer_step_ms * model["moe_blocks"]) / 1000,
            "latency_batches": device["latency_batches"],
            "auto": auto,
            "prompt": _or_default(t.prompt, model["prompt"]),
            "output": _or_default(t.output, model["output"]),
            "beams": model["beams"],
            "tdp": modes["cap"] * device["cap_scale"] * share,
            "idle": device["idle"] * share,
            "capacity": device["capacity"] * share,
        }
        if any(shapes):
            table = np.array([[np.nan] * len(LLM_SHAPE) if x is None else [x[key] for key in LLM_SHAPE]
                              for x in shapes], dtype=float).T.copy()
            gathered = table[:, t.model]
            columns.update((key, gathered[i][:, None]) for i, key in enumerate(LLM_SHAPE))
        else:  # no text generation here: the columns are never read
            unknown = np.full((len(t), 1), np.nan)
            columns.update((key, unknown) for key in LLM_SHAPE)
        return columns

    @staticmethod
    def _sequence_share(t: ConfigTable, auto: np.ndarray) -> np.ndarray:
        """A single-pass transformer's work for a request of ``prompt_tokens`` tokens, as a share of
        the work its FLOPs are published for (its documented sequence, 'seq 384'): encoders
        scale with the tokens they are given. Without ``prompt_tokens``, the request is its
        benchmark's documented one: the mean before padding where the catalog gives it
        (``request.mean_tokens``: MLPerf's BERT runs SQuAD unpadded), else the whole sequence."""
        documented = t.per_model(lambda m: m.sequence_tokens or np.nan)
        default = t.per_model(lambda m: (m.request and m.request.mean_tokens) or m.sequence_tokens or np.nan)
        given = _or_default(t.prompt, default)
        share = np.where(np.isnan(given) | np.isnan(documented) | auto, 1.0, given / documented)
        return share

    @staticmethod
    def _steps_share(t: ConfigTable) -> np.ndarray:
        """A diffusion model's work for an image of the stated denoising steps, as a share of its
        FLOPs figure (which counts ``request.steps`` of ``request.step_gflops`` each, plus the
        decoder and text encoders once): 1 where no steps are stated or the model has none."""
        if np.isnan(t.steps).all():
            return np.ones((len(t), 1))
        documented = t.per_model(lambda m: (m.request and m.request.steps) or np.nan)
        per_step = t.per_model(lambda m: (m.request and m.request.step_gflops) or np.nan)
        total = t.per_model(lambda m: m.gflops.value if m.gflops else np.nan)
        share = 1 + (t.steps[:, None] - documented) * per_step / total
        return np.where(np.isnan(share), 1.0, share)

    @staticmethod
    def _arithmetic(t: ConfigTable, f: PerfFactors, value) -> np.ndarray:
        """``value(device, format)`` of each configuration's arithmetic format (G x 1): the format
        its device does its precision's arithmetic in for its kind of model (f.compute_precision:
        llama.cpp's int4 on a CPU runs at the vector FP32 rate, an encoder's int8 on AMX)."""
        auto = t.per_model(lambda m: m.kind == ModelKind.AUTOREGRESSIVE)[:, 0].astype(np.int64)
        kinds = (None, ModelKind.AUTOREGRESSIVE.value) if auto.any() else (None,)
        table = np.empty((len(t.devices), len(t.precisions), len(kinds)))
        for i, d in enumerate(t.devices):
            values: dict[str, float] = {}  # per format: most precisions and kinds share one
            for j, p in enumerate(t.precisions):
                for k, kind in enumerate(kinds):
                    name = f.compute_precision(d, p, kind) or p
                    if name not in values:
                        values[name] = value(d, name)
                    table[i, j, k] = values[name]
        return table[t.device, t.precision, auto if len(kinds) > 1 else 0][:, None]

    @classmethod
    def _efficiency(cls, t: ConfigTable, f: PerfFactors) -> np.ndarray:
        """Fraction of peak per configuration on dense work: its (device, arithmetic format)'s."""
        return cls._arithmetic(t, f, f.efficiency)

    @staticmethod
    def _model_multiplier(t: ConfigTable, f: PerfFactors) -> np.ndarray:
        """Each configuration's structure multiplier (its model's structure on its device's
        architecture, from a small device x structure table), times its model kind's
        (``kind_efficiency``: a diffusion model's denoising loop)."""
        names = sorted({m.structure.value if m.structure else "dense-conv" for m in t.models})
        table = np.array([[f.structure_multiplier(s, d) for s in names] for d in t.devices])
        of_model = np.array([names.index(m.structure.value if m.structure else "dense-conv") for m in t.models])
        kind = np.array([f.kind_efficiency.get(m.kind.value, 1.0) for m in t.models])  # a diffusion model's own
        return (table[t.device, of_model[t.model]] * kind[t.model])[:, None]

    def _correct(self, corrections: dict) -> None:
        """Measured cells take the measured figures; the rest of a measured configuration
        takes the model scaled by its measured/predicted ratio."""
        t = self.configs
        b = np.array(self.batch_sizes, dtype=float)
        models = {m.id: i for i, m in enumerate(t.models)}
        devices = {d.id: i for i, d in enumerate(t.devices)}
        precisions = {p: i for i, p in enumerate(t.precisions)}
        for (model_id, device_id, precision), fix in sorted(corrections.items()):
            if model_id not in models or device_id not in devices or precision not in precisions:
                continue
            rows = (t.model == models[model_id]) & (t.device == devices[device_id]) \
                & (t.precision == precisions[precision])
            for g in np.nonzero(rows)[0]:
                self._correct_row(int(g), fix, b)

    def _correct_row(self, g: int, fix, b: np.ndarray) -> None:
        self.latency_ms[g] *= fix.latency_factor
        self.ttft_ms[g] *= fix.latency_factor
        self.tpot_ms[g] *= fix.latency_factor
        if fix.power_factor is not None:
            self.power_w[g] *= fix.power_factor
        self.throughput_rps[g] = b / (self.latency_ms[g] / 1000)
        basis = "calibrated" if self.configs[g].device.id in self.factors.calibrated_devices else "model"
        prompt, output = float(self.prompt_tokens[g, 0]), float(self.output_tokens[g, 0])
        for k, batch in enumerate(self.batch_sizes):
            m = fix.at(batch, prompt, output)
            if m is None:
                self.measured[(g, k)] = (f"{basis} x {fix.latency_factor:.3g} (fitted to {len(fix.measured)} "
                                         "measurement(s) of this configuration)")
                continue
            self.latency_ms[g, k] = m.latency_ms
            self.throughput_rps[g, k] = m.throughput_rps or batch / (m.latency_ms / 1000)
            for name in ("power_w", "ttft_ms", "tpot_ms"):
                if getattr(m, name) is not None:
                    getattr(self, name)[g, k] = getattr(m, name)
            self.measured[(g, k)] = f"measured ({m.source or 'intentctl calibrate'})"

    def _cost(self) -> np.ndarray:
        """USD per hour of one replica (planner.perf.cost): an inventory's devices are owned."""
        t = self.configs
        prices = t.price_columns
        settings = cost.load_cost_settings()
        return _blockwise(len(t), lambda rows: {"cost": cost.hourly_cost(
            power_w=self.power_w[rows], settings=settings, **{name: v[rows] for name, v in prices.items()})})["cost"]

    @property
    def idle_w(self) -> np.ndarray:
        """What a replica draws with no work (G x 1): the busy draw is this plus the step's dynamic share."""
        idle, tdp, shards = self._idle_columns
        return power.power_at_load(idle, tdp, 0.0, self.factors.idle_fraction_of_tdp) * shards

    def at_rate(self, rate_rps: float, replicas: np.ndarray) -> None:
        """Draw each replica's power at a stated request rate rather than flat out: ``replicas``
        (G x B) share ``rate_rps``, so each is busy ``rate / (replicas x flat_out_rps)`` of the time
        and idles the rest (a single-pass model; a served LLM's replicas keep their slot model).
        Cost follows the power (electricity), and so does energy per request: the draw at that rate
        over the requests served, idle time included (flat out it is MLPerf Power's busy figure)."""
        if self.autoregressive.all():
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            busy = np.clip(rate_rps / (replicas * self.flat_out_rps), 0.0, 1.0)
        busy = np.where(self.autoregressive | np.isnan(busy), 1.0, busy)
        idle = np.minimum(self.idle_w, self.power_w)  # a measured draw below the modelled idle is the floor
        self.power_w = idle + (self.power_w - idle) * busy
        self.cost_usd_per_hour = np.where(self.autoregressive, self.cost_usd_per_hour, self._cost())
        # a request's energy at the rate is the deployment's draw over the requests it serves, idle
        # time included: a 37 W card busy 1% of the time spends 2.7 J an image, not the 0.016 J of
        # its busy draw (an energy objective picked it over a card drawing half as much)
        served = busy * self.flat_out_rps
        with np.errstate(divide="ignore", invalid="ignore"):
            at_load = self.power_w / served
        self.energy_j = np.where(self.autoregressive | ~(served > 0) | (busy >= 1.0), self.energy_j, at_load)

    @property
    def flat_out_rps(self) -> np.ndarray:
        """A replica's service rate flat out. It is its throughput, except in the cells where
        ``serve`` gave more replicas than the stated rate needs (to keep a p99 or TTFT bound):
        there the throughput is each replica's share of the rate, and this its full rate."""
        return self.throughput_rps if self.service_rps is None else self.service_rps

    def replica_caps(self, default: int) -> np.ndarray:
        """The most replicas each configuration may use (an inventory's count, else ``default``)."""
        t = self.configs
        return np.where(np.isnan(t.max_count), default, np.minimum(default, t.max_count // t.shards))[:, None]

    def prediction(self, g: int, k: int) -> Estimate:
        return self.predictions([g], [k])[0]

    def predictions(self, gs, ks) -> list[Estimate]:
        """Estimates for the cells (gs[i], ks[i]): figures gathered once per field, each
        configuration's entries and provenance worked out once."""
        cells = (np.asarray(gs, dtype=int), np.asarray(ks, dtype=int))
        first = np.zeros_like(cells[0])

        def at_cells(array) -> np.ndarray:
            """The cells' entries of a G x B array, or of a G x 1 (1 x B, 1 x 1) one broadcast to it."""
            return array[cells[0] if array.shape[0] > 1 else first, cells[1] if array.shape[1] > 1 else first]

        def gathered(values: np.ndarray, unknown_is_none: bool = True) -> list:
            values = values.tolist()
            return [None if v != v else v for v in values] if unknown_is_none else values  # v != v: NaN

        latency, throughput, memory = (at_cells(a) for a in (self.latency_ms, self.throughput_rps, self.memory_gb))
        flat_out = at_cells(np.broadcast_to(self.flat_out_rps, self.latency_ms.shape)).tolist()
        flat_out = [f if f != t else None for f, t in zip(flat_out, throughput.tolist())]
        cost, auto = at_cells(self.cost_usd_per_hour), at_cells(self.autoregressive)
        power, energy, ttft, tpot, accuracy, reference = (
            gathered(at_cells(a)) for a in (self.power_w, self.energy_j, self.ttft_ms, self.tpot_ms, self.accuracy,
                                            self.model_accuracy))
        tokens = np.where(auto, throughput * at_cells(self.output_tokens), np.nan)  # as tokens_per_s, at the cells
        with np.errstate(divide="ignore", invalid="ignore"):
            per_mtok = cost / (tokens * 3600) * 1e6  # as usd_per_mtok
            job = cost / (throughput * 3600) * (self.records or np.nan)  # as job_cost_usd
        tokens, per_mtok, job, cost = gathered(tokens), gathered(per_mtok), gathered(job), gathered(cost)
        latency, throughput, memory = (gathered(a, False) for a in (latency, throughput, memory))
        compute_bound = self.compute_bound[cells].tolist()
        prompt, output = (gathered(np.where(auto, at_cells(a), np.nan)) for a in (self.prompt_tokens,
                                                                                    self.output_tokens))
        prompt, output = ([None if v is None else int(v) for v in col] for col in (prompt, output))
        fields: dict[int, dict] = {}  # per configuration: its own fields, worked out once
        prototype: Estimate | None = None
        out = []
        for i, (g, k) in enumerate(zip(*(c.tolist() for c in cells))):
            if g not in fields:
                x = self.configs[g]
                fields[g] = dict(model_id=x.model.id, device_id=x.device.id, precision=x.precision,
                                 placement=x.placement, provenance=_provenance(x, self.factors),
                                 max_replicas=None if x.max_count is None else x.max_count // x.shards,
                                 shards=x.shards, power_mode=x.power_mode, latency_basis=self.latency_basis)
            cell = dict(
                fields[g], batch_size=self.batch_sizes[k], latency_ms=latency[i], throughput_rps=throughput[i],
                service_rps=flat_out[i],
                power_w=power[i], energy_j=energy[i], memory_gb=memory[i], cost_usd_per_hour=cost[i],
                accuracy=accuracy[i], model_accuracy=reference[i], bound_by="compute" if compute_bound[i] else "memory bandwidth",
                ttft_ms=ttft[i], tpot_ms=tpot[i], tokens_per_s=tokens[i], usd_per_mtok=per_mtok[i],
                job_cost_usd=job[i], prompt_tokens=prompt[i], output_tokens=output[i])
            if (g, k) in self.measured:
                note = self.measured[(g, k)]
                cell["provenance"] = {**cell["provenance"], "latency_ms": note, "throughput_rps": note}
            if prototype is None:
                # model_construct: every field is computed here from validated catalog entries.
                prototype = self.estimate_type.model_construct(**cell)
            # Every estimate is a copy of the first with all its own fields: a copy costs a
            # fraction of a construction.
            out.append(prototype.model_copy(update=cell))
        return out

    def add_latency(self, added: AddedLatency) -> None:
        """Add each model's fixed per-request latency (e.g. a watermark) to its cells. Work on the
        host (``added.on_host``) runs after the accelerator is done with the batch, pipelined with
        the next one: it lengthens each request, not the accelerator's time a batch (a watermark of
        3 s an image had cut an SDXL replica's rate by half, and a plan took 14 GPUs for 4's work);
        work on the accelerator takes its time too."""
        if not added:
            return
        extra_ms = self.configs.per_model(lambda m: added.for_model(m.id))
        self.ttft_ms = self.ttft_ms + extra_ms
        if added.on_host:
            self.latency_ms = self.latency_ms + extra_ms
            self.host_ms = getattr(self, "host_ms", 0.0) + extra_ms
            return
        seconds = self.latency_ms / 1000 + extra_ms / 1000
        b = np.array(self.batch_sizes, dtype=float)[None, :]
        self.energy_j = self.power_w * seconds / b
        self.throughput_rps = b / seconds
        self.latency_ms = seconds * 1000
        self.cost_usd_per_hour = self._cost()

    @property
    def tokens_per_s(self) -> np.ndarray:
        """Output tokens per second of one replica (text generation; NaN for other models)."""
        return np.where(self.autoregressive, self.throughput_rps * self.output_tokens, np.nan)

    @property
    def job_cost_usd(self) -> np.ndarray:
        """A batch job's whole cost (``records`` items): the hourly cost over the items an hour
        serves, times the items; the same however many replicas share the job. NaN without
        ``records``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.cost_usd_per_hour / (self.throughput_rps * 3600) * (self.records or np.nan)

    @property
    def usd_per_mtok(self) -> np.ndarray:
        """Dollars per million output tokens: the hourly cost over the tokens an hour serves."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.cost_usd_per_hour / (self.tokens_per_s * 3600) * 1e6

    def serve(self, rate_rps: float | None, hop_ms: float, p99_bound_ms: float | None = None,
              periodic: bool = False) -> None:
        """Latency as a served request sees it: the serving stack's hop on every cell and, at a
        requested rate, the p99 over the replicas that rate needs (batch fill, M/D/c queueing,
        service; planner.perf.queueing; ``periodic`` arrivals, camera frames, fill and do not
        queue while the replicas keep up). Throughput stays the batch's service rate, except
        where a p99 bound is stated and the fewest replicas miss it while more would meet it:
        there the replicas are the fewest of REPLICA_STEPS times as many that meet it, and a
        replica's throughput is its share of the rate (so the plan counts those replicas)."""
        from planner.perf import queueing

        host = getattr(self, "host_ms", 0.0)  # a policy's work on the host, after the queue and the batch
        service = self.latency_ms - host
        if rate_rps:
            replicas = np.maximum(np.ceil(rate_rps / self.throughput_rps - 1e-9), 1.0)
            b = np.array(self.batch_sizes, dtype=float)[None, :]
            queued = queueing.grid_periodic_p99_ms if periodic else queueing.grid_p99_ms

            def p99(service_ms, batch, rate, count, hop):
                return queued(service_ms, batch, rate, count, hop) + host
            self.latency_ms = p99(service, b, rate_rps, replicas, hop_ms)
            if p99_bound_ms is not None:
                self.service_rps = self.throughput_rps  # flat out: the busy share of a replica given more
                self._replicas_for_the_bound(p99, service, b, rate_rps, replicas, hop_ms, p99_bound_ms)
            wait = "frames every 1/rate s, no queue while kept up" if periodic else "M/D/c queueing wait"
            self.latency_basis = f"p99 at {rate_rps:g} req/s: batch fill + {wait} + service + {hop_ms:g} ms serving hop"
        else:
            self.latency_ms = service + hop_ms + host
            self.latency_basis = f"one batch's service time + {hop_ms:g} ms serving hop (no rate stated)"
        self.ttft_ms = self.ttft_ms + hop_ms

    def _replicas_for_the_bound(self, p99_ms, service, b, rate_rps, replicas, hop_ms, bound_ms) -> None:
        """More replicas than the rate needs, where they bring a cell's p99 within the bound
        (a queue near capacity waits; a replica less loaded does not)."""
        missing = self.latency_ms > bound_ms
        for step in REPLICA_STEPS:
            if not missing.any():
                return
            more = np.ceil(replicas * step)
            p99 = p99_ms(service, b, rate_rps, more, hop_ms)
            met = missing & (p99 <= bound_ms)
            self.latency_ms = np.where(met, p99, self.latency_ms)
            self.throughput_rps = np.where(met, rate_rps / more, self.throughput_rps)
            missing &= ~met
        # a cell no step brings within the bound is shown at the most replicas tried, where it comes closest: an
        # infeasible request's "best any candidate reaches" had been the queue of the fewest replicas (38.6 s for
        # SDXL on L4s at 5 images/s, whose one image takes 6.1 s)
        closer = missing & (p99 < self.latency_ms)
        self.latency_ms = np.where(closer, p99, self.latency_ms)
        self.throughput_rps = np.where(closer, rate_rps / more, self.throughput_rps)

    @property
    def devices(self) -> np.ndarray:
        """Devices one replica uses, per configuration (G x 1)."""
        return self.configs.shards.astype(float)[:, None]

    def metric(self, name: str) -> np.ndarray:
        """A metric's per-replica array (G x B), NaN where unknown."""
        if name.endswith("_per_device"):  # one device's share of a replica's figure ("16 GB per GPU")
            whole = getattr(self, FIELDS[name.removesuffix("_per_device")])
            array = whole if name == "memory_per_device" else whole / self.devices
        else:
            array = self.devices if name == "devices" else getattr(self, FIELDS[name])
        return np.broadcast_to(array, self.latency_ms.shape)


#: How many times the replicas a rate needs are tried when they miss a stated p99 bound.
REPLICA_STEPS = (1.25, 1.5, 2.0, 3.0, 4.0)

#: Configurations predicted at a time: a block's arrays stay in the processor's cache, which
#: makes the arithmetic on large candidate sets several times faster than whole arrays.
BLOCK_ROWS = 4096


def _rows(columns: dict[str, np.ndarray], rows: slice) -> dict[str, np.ndarray]:
    """The block ``rows`` of every column."""
    return columns if rows == ALL_ROWS else {k: v[rows] for k, v in columns.items()}


ALL_ROWS = slice(None)


def _blockwise(rows: int, compute) -> dict[str, np.ndarray]:
    """``compute(row_slice)`` over blocks of rows, stitched into whole arrays (one block: as computed)."""
    if rows <= BLOCK_ROWS:
        return compute(ALL_ROWS)
    out: dict[str, np.ndarray] = {}
    for start in range(0, max(rows, 1), BLOCK_ROWS):
        part = compute(slice(start, start + BLOCK_ROWS))
        for name, values in part.items():
            if name not in out:
                out[name] = np.empty((rows, values.shape[1]), dtype=values.dtype)
            out[name][start:start + BLOCK_ROWS] = values
    return out


def _roofline(c: dict[str, np.ndarray], b: np.ndarray, f: PerfFactors) -> dict[str, np.ndarray]:
    """The roofline for a block of configurations (columns ``c``, G x 1) at batch sizes ``b``.
    Each kind of model is computed only when the block holds one."""
    auto = c["auto"]
    nan = np.full((len(auto), b.shape[1]), np.nan)
    if not auto.any():
        seconds, compute_s, memory_s = _single_pass(c, b)
        ttft, tpot = nan, nan.copy()
        rate_s = _streamed(c, b, seconds)
    elif auto.all():
        seconds, compute_s, memory_s, ttft, tpot = llm.autoregressive(c, b, _memory_time)
        rate_s = seconds
    else:
        single, auto_rows = _single_pass(c, b), llm.autoregressive(c, b, _memory_time)
        seconds, compute_s, memory_s = (np.where(auto, a, s) for a, s in zip(auto_rows, single))
        ttft, tpot = (np.where(auto, a, np.nan) for a in auto_rows[3:])
        rate_s = np.where(auto, seconds, _streamed(c, b, single[0]))
    load = power.step_load(compute_s, memory_s, seconds, f.memory_power_share)
    return {
        "latency_ms": seconds * 1000,
        "throughput_rps": b / rate_s,
        "power_w": power.power_at_load(c["idle"], c["tdp"], load, f.idle_fraction_of_tdp) * c["shards"],
        "ttft_ms": ttft,
        "tpot_ms": tpot,
        "compute_bound": compute_s >= memory_s,
        "memory_gb": _memory(c, b, f) / c["shards"],
    }


def _streamed(c: dict[str, np.ndarray], b: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Seconds per batch of a stream: a pipelined (dataflow) device overlaps a stream's inputs, so
    they pay neither batch 1's idle units nor the step's fixed cost; other devices run one batch
    after another (``seconds``)."""
    pipelined = c["pipelined"]
    if not pipelined.any():
        return seconds
    steady, _, _ = _single_pass({**c, "latency_batches": np.zeros_like(c["latency_batches"])}, b)
    return np.where(pipelined, steady, seconds)


def _memory_time(c: dict[str, np.ndarray], nbytes: np.ndarray, used=1.0) -> np.ndarray:
    """Seconds to move ``nbytes`` through device memory (none on a device without DRAM)."""
    bandwidth = c["bandwidth"] * used
    known = ~np.isnan(bandwidth)
    return np.where(known, nbytes / np.where(known, bandwidth, 1.0), 0.0)


def _single_pass(c: dict[str, np.ndarray], b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Single-pass and diffusion models: one step per batch. Returns (seconds, compute seconds,
    memory seconds) per batch.

    - compute: a batch of b costs its work plus ``latency_batches`` samples' worth of idle work
      at the reached efficiency (latency mode: one sample cannot fill the device), a sample
      counting there with at most ``latency_mode_max_gflop`` (``latency_gflops``: a large input
      fills each layer's units better by itself); a multi-chip card puts a batch on
      min(b, chips) of its chips;
    - memory: the weights (unless they sit in on-chip SRAM) and the activations;
    - a device without DRAM streams the weights that do not fit its SRAM from the host over
      its host link, every batch;
    - plus the step's floor: a fixed cost (host round trip, runtime dispatch) and a launch per
      weighted layer (``overhead`` holds both, per configuration)."""
    chips = c["chips"]
    used = np.minimum(b, chips) / chips if (chips > 1).any() else 1.0  # 1.0: every batch uses its one chip
    flops = c["gflops"] * 1e9
    compute = (b * flops + c["latency_batches"] * c["latency_gflops"] * 1e9) / (c["peak"] * used)
    weights = c["params"] * c["bpp"]
    resident = c["sram"] >= weights  # False where the SRAM size is unknown
    activations = b * c["gflops"]  # then x act_mb x 1e6 x bpp / 4, in place
    activations *= c["act_mb"]
    activations *= 1e6
    activations *= c["bpp"]
    activations /= 4
    activations += np.where(resident, 0.0, weights)
    memory = _memory_time(c, activations, used)
    step = np.maximum(compute, memory)
    spill = np.where(np.isnan(c["sram"]), 0.0, np.maximum(weights - c["sram"], 0.0))
    streamed = c["on_chip_only"] & (spill > 0)
    if streamed.any():  # weights that do not fit the SRAM of a device without DRAM come over the host link
        host = np.where(streamed, spill / np.where(np.isnan(c["host_link"]), np.inf, c["host_link"]), 0.0)
        step += host
        memory = memory + host
    step += c["overhead"]
    return step, compute, memory


def _memory(c: dict[str, np.ndarray], b: np.ndarray, f: PerfFactors) -> np.ndarray:
    """Device memory of one replica before sharding, GB: weights with the runtime's overhead,
    plus the KV cache of whole requests (autoregressive) or the live activations of a batch
    (others: a share of one sample's activation traffic per sample, as buffers are reused)."""
    base = c["params"] * c["bpp"] / 1e9 * (1 + f.runtime_memory_overhead)
    auto = c["auto"]
    if auto.all():
        return base + llm.kv_gb(c, b)
    activations = b * c["resident_gflops"]  # then x act_mb x bpp / 4 / 1000 x the resident fraction, in place
    activations *= c["act_mb"]
    activations *= c["bpp"]
    activations /= 4
    activations /= 1000
    activations *= f.activation_memory_fraction
    if auto.any():
        activations = np.where(auto, llm.kv_gb(c, b), activations)
    activations += base
    return activations


def _fitted_cap_scale(device: Device, f: PerfFactors) -> float:
    """A calibrated device's power at full load over its packaged cap (1 when not fitted): every
    power mode's cap scales by it."""
    busy = f.device_power_w.get(device.id, {}).get("busy")
    cap = power.mode_cap(device, device.default_mode)
    return busy / cap if busy and cap > 0 else 1.0  # NaN > 0 is False: an unknown cap stays


def stored_corrections(catalog: Catalog, factors: PerfFactors | None = None) -> dict:
    """Corrections from the measurements store (see planner.measure.store), for ``catalog``'s entries."""
    from planner.measure.store import corrections, load_store

    measurements = load_store()
    if not measurements:
        return {}
    factors = factors or load_factors()

    def predicted(m):
        if m.model_id not in catalog.models or m.device_id not in catalog.devices:
            return None, None
        model, device = catalog.models[m.model_id], catalog.devices[m.device_id]
        if supports(device, model, m.precision, factors):
            return None, None
        config = Config(model, device, m.precision, device.placements[0].value, prompt_tokens=m.prompt_tokens,
                        output_tokens=m.output_tokens)
        grid = Grid([config], [m.batch_size], factors)
        return float(grid.latency_ms[0, 0]), nan_to_none(grid.power_w[0, 0])

    return corrections(measurements, predicted)


FIELDS = {"latency": "latency_ms", "throughput": "throughput_rps", "power": "power_w", "energy": "energy_j",
          "memory": "memory_gb", "cost": "cost_usd_per_hour", "accuracy": "accuracy", "ttft": "ttft_ms",
          "tpot": "tpot_ms", "token_throughput": "tokens_per_s", "token_cost": "usd_per_mtok",
          "job_cost": "job_cost_usd", "model_accuracy": "model_accuracy"}


def nan_to_none(value) -> float | None:
    return None if np.isnan(value) else float(value)


def accuracy_metric_key(model: ModelVariant) -> str | None:
    """The accuracy metric's first word ('top1', 'mAP50-95', 'MMLU', 'WER'): figures with the same
    key are on one scale."""
    found = re.match(r"[A-Za-z0-9-]+", model.accuracy_metric or "")
    return found[0] if found else None


def reference_accuracy(model: ModelVariant) -> float | None:
    """The model's published reference accuracy (its fp32 or fp16 release)."""
    figure = model.accuracy.get("fp32") or model.accuracy.get("fp16")
    return figure.value if figure is not None else None


def runtime_batch_caps(t: ConfigTable) -> np.ndarray | None:
    """The largest batch each configuration's runtime runs (inf where it states none; None when no
    device of the table has a limit): the Edge TPU compiler maps a batch dimension of 1 only."""
    capped = [d for d, device in enumerate(t.devices) if may_cap_batches(device)]
    if not capped:
        return None
    return _runtime_figure(t, np.isin(t.device, capped), "max_batch", np.inf)


def runtime_memory_shares(t: ConfigTable) -> np.ndarray | None:
    """The share of device memory each configuration's runtime takes for the model (1 where it
    states none; None when no model of the table is of a task such a runtime runs): vLLM serving
    Whisper keeps 10% of the device for the CUDA context (a plan used 24.85 of an L4's 25.8 GB)."""
    tasks = memory_share_tasks()
    shared = [m for m, model in enumerate(t.models) if "*" in tasks or model.task in tasks]
    if not shared:
        return None
    return _runtime_figure(t, np.isin(t.model, shared), "memory_share", 1.0)


def _runtime_figure(t: ConfigTable, rows: np.ndarray, field: str, default: float) -> np.ndarray:
    """A runtime rule's ``field`` for each configuration of ``rows`` (a mask), worked out once per
    (device, model) pair; ``default`` where the rule states none and on the other rows."""
    out = np.full(len(t), default, dtype=float)
    rows = np.nonzero(rows)[0]
    pair = t.device[rows].astype(np.int64) * len(t.models) + t.model[rows]
    unique, back = np.unique(pair, return_inverse=True)
    found = [getattr(runtime_of(t.devices[p // len(t.models)], t.models[p % len(t.models)]), field)
             for p in unique.tolist()]
    out[rows] = np.array([default if v is None else v for v in found], dtype=float)[back]
    return out


def model_accuracies(models: Sequence[ModelVariant]) -> np.ndarray:
    """Each model's reference accuracy where every model with a figure reports it on one metric
    (ImageNet top-1 for classifiers, COCO mAP for detectors); all NaN where they mix metrics (an
    MMLU score and a GPQA score are not on one scale), so no model is preferred on them."""
    figures = [reference_accuracy(m) for m in models]
    if len(models) == 1:  # one model is on one scale
        return np.array([np.nan if figures[0] is None else figures[0]], dtype=float)
    keys = {accuracy_metric_key(m) for m, x in zip(models, figures) if x is not None}
    if len(keys) != 1:
        return np.full(len(models), np.nan)
    return np.array([np.nan if x is None else x for x in figures], dtype=float)


def _accuracy(model: ModelVariant, precision: str, f: PerfFactors) -> float | None:
    published = model.accuracy.get(precision) or (model.accuracy.get("fp16") if precision == "bf16" else None)
    if published:
        return published.value
    base = model.accuracy.get("fp32")
    return None if base is None else base.value - f.accuracy_drop[precision]


#: What an estimate's latency is: the bare model, one batch, no queue and no serving stack.
LATENCY_BASIS = "service time of one batch (bare model: no queueing, no serving stack)"


def _basis(figure: Figure | None) -> str:
    return figure.basis.value if figure else "unknown"


def _sequence(x: Config) -> str:
    """The tokens a single-pass encoder's figures are for, when its FLOPs are published for a
    sequence (``seq 384``): the given prompt, else its benchmark's mean before padding."""
    model = x.model
    if model.kind == ModelKind.AUTOREGRESSIVE or not model.sequence_tokens:
        return ""
    if x.prompt_tokens is not None:
        return f", {x.prompt_tokens} tokens as given"
    if model.request and model.request.mean_tokens:
        return (f", {model.request.mean_tokens:g} tokens: its benchmark's mean request before padding, which "
                f"variable-length kernels run (a fixed-shape engine runs {model.sequence_tokens}: pass prompt_tokens)")
    return f", {model.sequence_tokens} tokens (its published sequence)"


def _provenance(x: Config, f: PerfFactors) -> dict[str, str]:
    """Where each predicted figure comes from: the model, plus the basis of its inputs."""
    model, device, precision, placement = x.model, x.device, x.precision, x.placement
    accuracy = "published" if precision in model.accuracy or (precision in ("fp32",) and model.accuracy) else "estimated"
    if not model.accuracy:
        accuracy = "unknown"
    cost_input = device.cloud_usd_per_hour if placement == "cloud" else device.purchase_usd
    mode = device.mode(x.power_mode) if x.power_mode else device.default_mode
    cap = f"{mode.name} mode cap: {_basis(mode.power_w)}" if mode else f"TDP: {_basis(device.tdp_w)}"
    kv = ("KV cache from the architecture" if model.architecture else "KV cache by the d_model rule (no published "
          "architecture)") if model.kind == ModelKind.AUTOREGRESSIVE else "live activations"
    compute = f.compute_precision(device, precision, model.kind.value) or precision
    weights = f" ({precision} weights, {compute} arithmetic)" if compute != precision else ""
    inputs = f"peak {compute}{weights}: {_basis(device.peak[compute])}, FLOPs: {_basis(model.gflops)}{_sequence(x)}"
    if model.kind != ModelKind.AUTOREGRESSIVE:
        layers, basis = f.layers(model)
        inputs += f", {layers:g} layers: {basis}"
    calibrated = f.calibrated_devices.get(device.id)
    latency = (f"calibrated ({device.id}'s parameters fitted to {calibrated} of your measurement(s), see "
               f"intentctl calibrate --list; {inputs})" if calibrated else
               f"model ({inputs}; {f.efficiency_basis(device, compute)})")
    power_fitted = "busy" in f.device_power_w.get(device.id, {})
    return {
        "latency_ms": latency,
        "throughput_rps": f"{'calibrated' if calibrated else 'model'} ("
                          + ("a pipelined device: a stream's inputs overlap, so batch / the pass without batch 1's "
                             "idle units)" if device.pipelined and device.pipelined.value
                             and model.kind != ModelKind.AUTOREGRESSIVE else "batch / latency)"),
        "power_w": "calibrated (idle + load x (full load - idle), both fitted to your measurements of this device)"
        if power_fitted else f"model (idle + load x (cap - idle); {cap}, idle: "
                             f"{_basis(device.idle_w) if device.idle_w else 'class share of the cap'})",
        "energy_j": "model (power x latency / batch)",
        "memory_gb": f"model (parameters: {_basis(model.params_m)}; {kv})",
        "cost_usd_per_hour": "inventory price" if x.usd_per_hour is not None else
        f"price: {_basis(cost_input)}" if placement == "cloud" else
        "total cost of ownership of owned devices (power and hosting; no purchase)" if x.max_count is not None else
        f"total cost of ownership (purchase price: {_basis(cost_input)}; power and hosting)",
        "accuracy": accuracy,
    }


class ServerEstimate(BaseModel):
    """The highest request rate one replica sustains with its p99 latency under a bound (the
    MLPerf Server scenario): the batch size that reaches it and the latency it runs at."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    model_id: str
    device_id: str
    precision: str
    batch_size: int
    rate_rps: float
    tokens_per_s: float | None = None  # text generation: output tokens per second at that rate
    p99_ms: float
    p99_bound_ms: float
    service_ms: float
    power_mode: str | None = None
    latency_basis: str
    provenance: dict[str, str]


SERVER_BATCHES = [2 ** k for k in range(11)]


def server_rate(model_id: str, device_id: str, precision: str, p99_ms: float, *, batch_size: int | None = None,
                prompt_tokens: int | None = None, output_tokens: int | None = None, power_mode: str | None = None,
                hop_ms: float = 0.0, catalog: Catalog | None = None) -> ServerEstimate:
    """The highest rate (requests/s, one replica) whose 99th-percentile latency meets ``p99_ms``
    (the MLPerf Server scenario's question; see planner.perf.queueing).

    By default the server batches dynamically, as Triton and MLPerf's harnesses do: each batch
    holds what arrived while the one before it ran (at its 99th-percentile count), up to the
    largest batch that fits (powers of two to 1024, service times interpolated between them),
    and a request waits for the batch in service, then runs in the next. With ``batch_size`` the
    batch is fixed instead: it waits to fill (at most one service time), then queues (M/D/1).
    ``hop_ms`` adds a serving stack's hop (MLPerf's LoadGen has none). Raises EstimateError when
    no rate meets the bound."""
    from planner.perf import queueing

    catalog = catalog or load_catalog()
    estimates: list[Estimate] = []
    reason = None
    for batch in [batch_size] if batch_size else SERVER_BATCHES:
        try:
            estimates.append(estimate(model_id, device_id, precision, batch, prompt_tokens=prompt_tokens,
                                      output_tokens=output_tokens, power_mode=power_mode, catalog=catalog))
        except EstimateError as error:
            reason = reason or str(error)
    if not estimates:
        raise EstimateError(reason)
    if batch_size:
        e = estimates[0]
        rate = queueing.max_rate(e.latency_ms, batch_size, p99_ms, hop_ms=hop_ms)
        p99, batch, service = queueing.p99_latency_ms(e.latency_ms, batch_size, rate, hop_ms=hop_ms), batch_size, \
            e.latency_ms
        basis = "fixed batch: fill + M/D/1 queueing wait (half the M/M/1 tail) + service"
    else:
        batches = np.array([x.batch_size for x in estimates], dtype=float)
        latencies = np.array([x.latency_ms for x in estimates])

        def service_ms(b: float) -> float:
            return float(np.interp(b, batches, latencies))

        rate = queueing.dynamic_max_rate(service_ms, batches[-1], p99_ms, hop_ms)
        batch = queueing.dynamic_batch(rate, service_ms, batches[-1]) if rate > 0 else 1.0
        p99, service = queueing.dynamic_p99_ms(rate, service_ms, batches[-1], hop_ms), service_ms(batch)
        e = estimates[int(np.searchsorted(batches, batch))] if rate > 0 else estimates[0]
        basis = ("dynamic batching: the batch that forms at the rate (the 99th-percentile arrivals during one "
                 "service) waited for, then the request's own batch")
    if rate <= 0:
        raise EstimateError(f"no rate of {model_id} on {device_id} in {precision} meets a p99 of {p99_ms:g} ms")
    return ServerEstimate(
        model_id=model_id, device_id=device_id, precision=precision, batch_size=math.ceil(batch),
        rate_rps=rate, tokens_per_s=None if e.output_tokens is None else rate * e.output_tokens, p99_ms=p99,
        p99_bound_ms=p99_ms, service_ms=service, power_mode=e.power_mode,
        latency_basis=basis + (f" + {hop_ms:g} ms serving hop" if hop_ms else ""),
        provenance={**e.provenance, "rate_rps": "model (highest rate meeting the p99 bound; planner.perf.queueing)"})
