"""Candidate rows: every (model, device, precision, batch size, placement) a request allows.

A row exists only when the configuration is possible at all: the model does the task, the
device runs the precision and holds the model, and the device passes the request's hardware,
precision and deployment limits and the policy layer's placement rules. What is left out and
why is counted, so an empty candidate set can be explained.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from hardware import Catalog, Device, Inventory, InventoryItem, ModelVariant
from hardware.schema import ModelKind
from intent.schema import Intent
from planner.defaults import DEFAULT_SOURCE, camera_stream, passes, text_generation_floor
from planner.errors import MissingTaskError
from planner.perf import power
from planner.perf.configs import ConfigTable
from planner.perf.factors import PerfFactors, load_factors
from planner.perf.roofline import (
    NO_ADDED_LATENCY,
    NO_MEMORY,
    NO_PEAK,
    NO_RUNTIME,
    NO_SIZE,
    NOT_DEPLOYED,
    SUPPORTED,
    AddedLatency,
    Estimate,
    Grid,
    stored_corrections,
    no_figures,
    support_codes,
    supports,
)
from planner.perf.serving import ServingGrid, load_serving, served, serving_batches

#: A placement rule from the policy layer: returns why (device, placement) is not allowed, or None.
PlacementRule = Callable[[Device, str], "str | None"]
SELECTOR_KINDS = ("class", "vendor", "device")


@dataclass
class CandidateSet:
    """The candidate grid (configurations x batch sizes) and what was left out and why."""

    grid: Grid | None
    excluded: Counter = field(default_factory=Counter)
    left_out: list[str] = field(default_factory=list)  # models a quality floor left out
    precision_left_out: list[str] = field(default_factory=list)  # models the precision default kept from a precision
    notes: list[str] = field(default_factory=list)  # what the candidates assume (a task served by other models)

    def cells(self, mask: np.ndarray) -> list[Estimate]:
        """Estimates for the cells of ``mask`` (row-major: configuration, then batch size)."""
        if self.grid is None:
            return []
        return self.grid.predictions(*np.nonzero(mask & self.grid.fits))

    @cached_property
    def rows(self) -> list[Estimate]:
        """Every candidate row that fits its device (slow for large sets: for tests and explanations)."""
        return self.cells(np.ones_like(self.grid.fits)) if self.grid is not None else []

    def __len__(self) -> int:
        return int(self.grid.fits.sum()) if self.grid is not None else 0

    def why_empty(self) -> str:
        top = ", ".join(f"{reason} ({n})" for reason, n in self.excluded.most_common(4))
        return f"no configuration is possible: {top}" if top else "no model in the catalog does this task"


def selector_kind(selector: str, catalog: Catalog) -> str:
    if selector in ("cpu", "gpu", "npu", "tpu", "fpga"):
        return "class"
    if selector in catalog.selector_ids():
        return "device"
    return "vendor"


def hardware_allows(device: Device, intent: Intent, catalog: Catalog) -> str | None:
    """Includes are OR-ed within a kind (class, vendor, device) and AND-ed across kinds ("NVIDIA
    GPUs"), but a device named that no selector of another kind matches is an alternative to
    them, not a narrowing ("Qualcomm or Hailo", "H100 or a CPU"): the two kinds are OR-ed."""
    for selector in intent.hardware.exclude:
        if device.matches(selector):
            return f"excluded by 'no {selector}'"
    for kind, selectors in include_groups(intent.hardware.include, catalog).items():
        if not any(device.matches(s) for s in selectors):
            return f"not {' or '.join(selectors)}"
    return None


def include_groups(include: list[str], catalog: Catalog) -> dict[str, list[str]]:
    """The included selectors by kind, each group OR-ed (see ``hardware_allows``): a device
    selector none of whose devices another kind's selectors match joins that kind's group."""
    groups: dict[str, list[str]] = {}
    for selector in include:
        groups.setdefault(selector_kind(selector, catalog), []).append(selector)
    for named in list(groups.get("device", ())):
        devices = [d for d in catalog.devices.values() if d.matches(named)]
        for kind in [k for k in groups if k != "device"]:
            if devices and not any(d.matches(s) for d in devices for s in groups[kind]):
                groups["device"] = list(dict.fromkeys([*groups["device"], *groups.pop(kind)]))
    return groups


#: A device the request may use: its inventory entry (if any) and its allowed placements.
Pool = tuple[Device, "InventoryItem | None", list[str]]


def build_candidates(intent: Intent, catalog: Catalog, rules: list[PlacementRule] = (),
                     factors: PerfFactors | None = None, added_latency: AddedLatency = NO_ADDED_LATENCY,
                     inventory: Inventory | None = None,
                     keep_model: Callable[[ModelVariant], bool] | None = None,
                     default_placements: tuple[str, ...] | None = None,
                     periodic: bool | None = None, floors: bool = False,
                     keep_precision: Callable[[ModelVariant, str], bool] | None = None) -> CandidateSet:
    """Every allowed configuration; with an inventory, only its devices, at its placements,
    prices and counts; with ``keep_model`` (a quality floor), only the models it keeps; with
    ``default_placements`` (where the request names none), only devices at those. ``periodic``:
    the requests are camera frames, evenly spaced (None: as ``camera_stream`` reads the intent).
    ``floors``: the request has the default quality floors (for models of another task it is
    planned on). ``keep_precision`` (the precision default): the (model, precision) pairs it keeps."""
    factors = factors or load_factors()
    models = intent_models(intent, catalog)
    excluded: Counter = Counter()
    left_out = [m.id for m in models if keep_model is not None and not keep_model(m)]
    models = [m for m in models if m.id not in left_out]
    if left_out and not models:
        excluded["quality floor (a default): no model of the task reaches it; set --no-defaults or state your "
                 "own bounds"] = len(left_out)
    models, notes = _reading_the_request(models, intent, excluded, catalog, floored=floors)
    pools: list[Pool] = []
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        item = inventory.item(device.id) if inventory else None
        if inventory and item is None:
            continue
        reason = hardware_allows(device, intent, catalog)
        if reason:
            excluded[f"hardware: {reason}"] += 1
            continue
        offered = [item.placement] if item else [p.value for p in device.placements]
        if default_placements is not None and not item:
            kept = [p for p in offered if p in default_placements]
            if not kept:
                excluded[f"placement (a default): {offered[0]} device, and the request says nothing of the edge; "
                         f"say 'at the edge' or name the device"] += 1
                continue
            if device.datacenter_use is not None and not device.datacenter_use.value:
                excluded["placement (a default): a consumer part whose licence allows no datacenter deployment; "
                         "name it to plan it"] += 1
                continue
            offered = kept
        placements = allowed_placements(device, offered, intent, rules, excluded, notes)
        if placements:
            pools.append((device, item, placements))
    serving = load_serving()
    table = enumerate_configs(pools, models, precision_choices(intent, factors), factors, excluded,
                              pipeline_degrees=tuple(serving.pipeline_degrees))
    if table is None:
        return CandidateSet(grid=None, excluded=excluded, left_out=left_out, notes=notes)
    table, precision_left_out = _precisions_kept(table, keep_precision, excluded)
    if intent.max_accuracy_loss is not None:
        table = _within_accuracy_loss(table, intent.max_accuracy_loss, excluded)
    table = within_power_bound(with_power_modes(with_request_shape(table, intent)), intent, excluded)
    if not len(table):
        return CandidateSet(grid=None, excluded=excluded, left_out=left_out, notes=notes)
    grid = serving_grid(table, intent, models, factors, stored_corrections(catalog, factors), time_bound(intent))
    grid.records = intent.workload.dataset_records  # a batch job's whole cost is figured from it
    grid.add_latency(added_latency)
    grid.serve(requested_rate(intent), factors.serving_overhead_ms, latency_ceiling(intent), latency_ceiling(intent, "ttft"),
               periodic=camera_stream(intent) if periodic is None else periodic)
    if not grid.fits.any():
        excluded[f"memory: {too_large(grid)}"] += len(table)
    return CandidateSet(grid=grid, excluded=excluded, left_out=left_out, notes=notes,
                        precision_left_out=precision_left_out)


def _precisions_kept(table: ConfigTable, keep: Callable[[ModelVariant, str], bool] | None,
                     excluded: Counter) -> tuple[ConfigTable, list[str]]:
    """The configurations whose (model, precision) ``keep`` keeps, and the models it kept from a
    precision; the table as it is without ``keep``."""
    if keep is None:
        return table, []
    width = len(table.precisions)
    pairs, back = np.unique(table.model.astype(np.int64) * width + table.precision, return_inverse=True)
    keeps = np.array([keep(table.models[c // width], table.precisions[c % width]) for c in pairs.tolist()], dtype=bool)
    kept = keeps[back]
    if kept.all():
        return table, []
    excluded["precision (a default): no published accuracy at that precision for the model"] += int((~kept).sum())
    dropped = sorted({table.models[c // width].id for c, k in zip(pairs.tolist(), keeps) if not k})
    return table.subset(np.flatnonzero(kept)), dropped


#: Formats that keep a model's released weights (or a cast of them, which loses next to nothing): a loss
#: bound counts them as the model's own accuracy.
FULL_PRECISIONS = ("fp32", "tf32", "fp16", "bf16")
ACCURACY_LOSS_OUT = "accuracy loss: more than the request allows against full precision, or not published there"


def keeps_accuracy(model: ModelVariant, precision: str, loss: float) -> bool:
    """Whether ``precision`` loses at most ``loss`` (a share) of ``model``'s full-precision accuracy:
    a full-precision format does; a lower one only where the catalog gives both figures."""
    if precision in FULL_PRECISIONS:
        return True
    reference = next((model.accuracy[p].value for p in FULL_PRECISIONS if p in model.accuracy), None)
    return reference is not None and precision in model.accuracy and \
        model.accuracy[precision].value >= (1 - loss) * reference - 1e-12


def _within_accuracy_loss(table: ConfigTable, loss: float, excluded: Counter) -> ConfigTable:
    """The configurations whose format loses at most ``loss`` of the model's full-precision accuracy."""
    width = len(table.precisions)
    pairs, back = np.unique(table.model.astype(np.int64) * width + table.precision, return_inverse=True)
    keeps = np.array([keeps_accuracy(table.models[c // width], table.precisions[c % width], loss)
                      for c in pairs.tolist()], dtype=bool)
    kept = keeps[back]
    if kept.all():
        return table
    excluded[ACCURACY_LOSS_OUT] += int((~kept).sum())
    return table.subset(np.flatnonzero(kept))


def too_large(grid) -> str:
    """Why no configuration fits, with the figures: the least memory one needs and the most any
    device (or shard group) allowed holds ("DeepSeek-V3 in fp8 on 8 H100" said only "does not fit")."""
    need = np.nanmin(grid.memory_gb, axis=1)
    if not np.isfinite(need).any():
        return "model does not fit"
    i = int(np.nanargmin(need))
    t = grid.configs
    shards = int(t.shards[i])
    least = (f"{t.models[t.model[i]].id} in {t.precisions[t.precision[i]]} needs {need[i]:,.1f} GB a device at least, "
             f"split over {shards} {t.devices[t.device[i]].id}" if shards > 1 else
             f"{t.models[t.model[i]].id} in {t.precisions[t.precision[i]]} needs {need[i]:,.1f} GB at least, on "
             f"{t.devices[t.device[i]].id}")
    usable = grid.capacity_gb
    serving = getattr(grid, "serving", None)
    if serving is not None:  # a serving engine takes its share of device memory (vLLM's 90%)
        usable = np.where(np.asarray(grid.autoregressive)[:, 0], usable * serving.memory_utilization.value, usable)
    held = np.nanmax(np.where(np.isfinite(usable), usable, np.nan))
    most = f"; the most an allowed device holds for it is {held:,.1f} GB" if np.isfinite(held) else ""
    device = t.devices[t.device[i]]
    if shards == 1 and device.max_group is None:  # "Qwen2.5-72B on 8 Ascend 910B": why no split was tried
        most += (f"; {device.id} has no published scale-up group or link, so no model is split over several of it "
                 "(name a device that has one)")
    return f"model does not fit ({least}{most})"


def input_limit(model: ModelVariant) -> tuple[float | None, bool]:
    """The most tokens a model reads, and whether its output counts in them (a text generator's
    context holds both; an encoder's or encoder-decoder's input limit is the prompt's); None
    where unpublished."""
    if model.architecture is not None and model.architecture.max_context:
        return float(model.architecture.max_context), model.kind == ModelKind.AUTOREGRESSIVE
    return (model.max_input_tokens.value if model.max_input_tokens else None), False


#: Tasks an instruction-tuned text generator does too: when no model of the task reads the request's
#: input, the text generators that do are planned (an expert summarises long documents with an LLM).
GENERATOR_TASKS = ("summarization",)


def _reading_the_request(models: list[ModelVariant], intent: Intent, excluded: Counter, catalog: Catalog,
                         floored: bool = False) -> tuple[list[ModelVariant], list[str]]:
    """The models whose published input limit holds the request's stated prompt (with its output
    for a text generator), and what that assumes: DistilBART, which reads 1,024 positions, was
    planned for 3,000-token documents, and Llama 3 8B's 8,192-token context was refused for
    16k-token prompts as a model that does not fit in memory. A summarization no summariser reads
    goes to the text generators that do (those the text generators' quality floor keeps, where the
    request has defaults: ``floored``). A request that states no prompt length keeps every model."""
    kept = _long_enough(models, intent, excluded)
    task = intent.task.value if intent.task is not None else None
    if kept or not models or task not in GENERATOR_TASKS or intent.workload.model or intent.workload.models:
        return kept, []
    floor = text_generation_floor(intent) if floored else None
    generators = [m for m in _long_enough(catalog.models_for("text-generation"), intent, Counter())
                  if floor is None or passes(m, floor)]
    if not generators:
        return kept, []
    return generators, [f"no {task} model of the catalog reads a {intent.workload.prompt_tokens:,}-token input: "
                        f"planned over the text generators that do (an instruction-tuned model {task.replace('ation', 'es')} "
                        "when asked)"]


def _long_enough(models: list[ModelVariant], intent: Intent, excluded: Counter) -> list[ModelVariant]:
    """The models whose published input limit holds the request's stated prompt; each left out is counted."""
    prompt = intent.workload.prompt_tokens
    if not prompt:
        return models
    kept = []
    for model in models:
        limit, with_output = input_limit(model)
        needed = prompt + (intent.workload.output_tokens or 0 if with_output else 0)
        if limit is not None and needed > limit and model.needs_extended_context(needed):
            kept.append(model)  # read with the rope scaling its card documents (said by the plan's assumptions)
            continue
        if limit is not None and needed > limit:
            excluded[f"model: {model.id} reads at most {limit:,.0f} tokens; the request's "
                     f"{'prompt and output are' if with_output and intent.workload.output_tokens else 'prompt is'} "
                     f"{needed:,} (a model with a longer context reads it)"] += 1
            continue
        kept.append(model)
    return kept


#: The metrics on which a disaggregated unit can beat an aggregated one: it removes the prefills
#: from the decode batch (TPOT, latency) at the price of devices that prefill only, so it never
#: serves more tokens per device (planner.perf.serving); without a bound or objective on these
#: its candidates are left out, which changes no plan. The defaults' interactive bounds
#: (planner.defaults) are loose enough that they are not counted: it keeps a plain request fast.
TIME_METRICS = ("ttft", "tpot", "latency")


def time_bound(intent: Intent) -> bool:
    """Whether the request bounds or optimises a time a disaggregated unit can improve."""
    metrics = {c.metric.value for c in intent.constraints if c.source != DEFAULT_SOURCE}
    if intent.objective is not None:
        metrics.add(intent.objective.metric.value)
    metrics |= {t.metric.value for t in intent.tie_breakers}
    return bool(metrics & set(TIME_METRICS))


def serving_grid(table: ConfigTable, intent: Intent, models: list[ModelVariant], factors: PerfFactors,
                 corrections: dict, disaggregate: bool) -> ServingGrid:
    """The predictions of ``table`` for a request (a single one, or a fleet's workload): at the
    serving engine's batch sizes for text generation (with the request's concurrency), capped
    by a batch size it states; ``serve()`` comes next, after any added latency."""
    batches = stated_batch_cap(serving_batches(models, intent.workload.concurrency, factors.batch_sizes,
                                               load_serving()), intent)
    return ServingGrid(table, batches, factors, corrections, load_serving(), disaggregate=disaggregate)


def with_request_shape(table: ConfigTable, intent: Intent) -> ConfigTable:
    """The request's stated prompt and output tokens, and a diffusion model's denoising steps, on
    every configuration (NaN where it states none: the model's documented shape then applies). A
    text generator put to another task with a documented shape of its own (text classification:
    a label is a token or two) takes that task's shape where the request states none: a
    classifier was planned as 256 generated tokens a request."""
    w = intent.workload
    borrowed = _task_shape(table, intent)
    if w.prompt_tokens is None and w.output_tokens is None and w.steps is None and borrowed is None:
        return table
    n = len(table)

    def column(value: int | None, task_value: int | None = None) -> np.ndarray:
        out = np.full(n, np.nan if value is None else float(value))
        if value is None and borrowed is not None:
            out[borrowed[0]] = task_value
        return out

    shape = borrowed[1] if borrowed is not None else None
    return replace(table, prompt=column(w.prompt_tokens, shape and shape.prompt_tokens),
                   output=column(output_tokens(intent), shape and shape.output_tokens), steps=column(w.steps))


def output_tokens(intent: Intent) -> int | None:
    """The output tokens a request states; for a translation that states only its input, as many:
    a translation is about as long as its source (it was planned at the default 64 for 400-token
    documents)."""
    w = intent.workload
    if w.output_tokens is None and w.prompt_tokens is not None and intent.task is not None \
            and intent.task.value == "translation":
        return w.prompt_tokens
    return w.output_tokens


def _task_shape(table: ConfigTable, intent: Intent):
    """The configurations of text generators put to the request's task, and that task's documented
    shape (planner/data/perf-factors.yaml request_shape); None when the task has none of its own or
    no such configuration is in the table."""
    factors = load_factors()
    if intent.task is None or intent.task.value not in factors.request_shape:
        return None
    borrowed = np.array([m.kind == ModelKind.AUTOREGRESSIVE and m.task != intent.task.value for m in table.models],
                        dtype=bool)
    if not len(table) or not borrowed[table.model].any():
        return None
    return borrowed[table.model], factors.shape_for(intent.task.value)


def stated_batch_cap(batches: list[int], intent: Intent) -> list[int]:
    """A batch size the request states for serving ('at batch size 1', 'max batch 256') caps the
    batch sizes planned over: those up to it, and it."""
    stated = intent.workload.batch_size
    if stated is None or intent.workload.kind.value != "inference":
        return batches
    return sorted({b for b in batches if b < stated} | {stated})


def with_power_modes(table: ConfigTable) -> ConfigTable:
    """Every configuration once per power mode of its device (a device without modes once,
    with its own figures): a mode is a variant of the device the solver may choose."""
    counts = np.array([max(len(d.power_modes), 1) for d in table.devices])[table.device]
    if (counts == 1).all():
        return table
    rows = np.repeat(np.arange(len(table)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    has_modes = np.array([bool(d.power_modes) for d in table.devices])[table.device][rows]
    mode = np.where(has_modes, np.arange(len(rows)) - starts, -1)
    return replace(table.subset(rows), mode=mode.astype(np.int64))


def within_power_bound(table: ConfigTable, intent: Intent, excluded: Counter) -> ConfigTable:
    """Without the power modes whose cap is above the request's power bound. On a Jetson a power
    budget is a power mode (nvpmodel caps the module's draw, the way its power supply and cooling
    are sized): a mode capped above the bound draws more than it whenever it is busy, whatever
    its average at a low rate. A bound per device holds one device's cap; else one replica's
    devices together. Devices without modes keep every row (their draw is bounded as predicted)."""
    bound = next((c for c in intent.constraints if c.metric.value == "power" and c.op == "<="), None)
    if bound is None or (table.mode < 0).all():
        return table
    caps = table.device_mode_columns({"cap": power.mode_cap})["cap"][:, 0]
    devices = 1.0 if bound.per_device else table.shards * table.share
    over = (table.mode >= 0) & (caps * devices > bound.value * (1 + 1e-9))
    if not over.any():
        return table
    excluded[f"power mode: capped above the power bound ({bound.describe()})"] += int(over.sum())
    return table.subset(np.flatnonzero(~over))


def latency_ceiling(intent: Intent, metric: str = "latency") -> float | None:
    """The request's p99 ceiling on ``metric`` (latency or TTFT, ms), when it states one (the
    defaults' bounds are among the intent's constraints by then)."""
    bounds = [c.value for c in intent.constraints if c.metric.value == metric and c.op == "<="]
    return min(bounds) if bounds else None


def requested_rate(intent: Intent) -> float | None:
    """The request rate a throughput floor asks for (req/s), when the request states one."""
    rates = [c.value for c in intent.constraints if c.metric.value == "throughput" and c.op == ">=" and c.value > 0]
    return max(rates) if rates else None


def precision_choices(intent: Intent, factors: PerfFactors) -> list[str]:
    """The precisions the request allows (every one the model knows when it names none)."""
    return [p.value for p in intent.precisions] or list(factors.bytes_per_param)


def enumerate_configs(pools: list[Pool], models: list[ModelVariant], precisions: list[str], factors: PerfFactors,
                      excluded: Counter, count_caps_replicas: bool = True,
                      pipeline_degrees: tuple[int, ...] = ()) -> ConfigTable | None:
    """Every (device, placement, model, precision, shard degree) that is possible, in that
    order (devices and models as given), as one table; None when there is none. Why the
    impossible (device, model, precision) triples are impossible is counted in ``excluded``,
    once per placement. An inventory entry's slot count caps one plan's replicas; a fleet
    shares it among workloads (``count_caps_replicas=False``) and counts it itself.
    ``pipeline_degrees`` adds layouts of whole scale-up groups in pipeline stages for served
    LLMs (planner.perf.serving): a shard degree of group x p."""
    if not pools or not models:
        return None
    devices = [device for device, _, _ in pools]
    codes = support_codes(devices, models, precisions, factors)
    places = np.array([len(placements) for _, _, placements in pools])
    _count_unsupported(codes, places, devices, models, precisions, factors, excluded)
    names = sorted({p for _, _, placements in pools for p in placements})
    slot_place = np.zeros((len(pools), int(places.max())), dtype=np.int64)
    for d, (_, _, placements) in enumerate(pools):
        slot_place[d, :len(placements)] = [names.index(p) for p in placements]
    placed = np.arange(slot_place.shape[1])[None, :] < places[:, None]  # D x slots
    degrees = shard_degrees(pools, factors, pipeline_degrees)
    possible = (placed[:, :, None, None, None] & (codes == SUPPORTED)[:, None, :, :, None]
                & _shardable(pools, models, degrees, pipeline_degrees)[:, None, :, None, :])
    d, slot, m, p, s = np.nonzero(possible)
    if not len(d):
        return None
    items = [item for _, item, _ in pools]
    return ConfigTable(
        tuple(devices), tuple(models), tuple(precisions), tuple(names), device=d, model=m, precision=p,
        placement=slot_place[d, slot], shards=np.array(degrees, dtype=np.int64)[s],
        share=np.array([item.share if item else 1.0 for item in items])[d],
        usd_per_hour=np.array([np.nan if item is None or item.usd_per_hour is None else item.usd_per_hour
                               for item in items], dtype=float)[d],
        max_count=np.array([item.total_slots if item and count_caps_replicas else np.nan for item in items],
                           dtype=float)[d],
        owned=np.array([item is not None for item in items], dtype=bool)[d])


def shard_degrees(pools: list[Pool], factors: PerfFactors, pipeline_degrees: tuple[int, ...] = ()) -> list[int]:
    """The devices-per-replica degrees a table may hold: the tensor-parallel degrees, and whole
    scale-up groups in ``pipeline_degrees`` stages."""
    groups = {_group_limit(device, None) for device, _, _ in pools}
    stacked = {g * p for g in groups if g > 1 for p in pipeline_degrees}
    return sorted(set(factors.shard_degrees) | stacked)


def _shardable(pools: list[Pool], models: list[ModelVariant], degrees: list[int],
               pipeline_degrees: tuple[int, ...] = ()) -> np.ndarray:
    """Which shard degrees (D x M x degrees) a model may be split across on a device: one
    always; more only for autoregressive models on devices with a stated scale-up group and
    link bandwidth, up to the group size and the inventory's count, in a count its rented slices
    come in (``slice_sizes``); never on slices of a
    shared device. Served LLMs may also take whole groups in pipeline stages (up to the
    inventory's count)."""
    degrees = np.array(degrees)
    limit = np.array([_group_limit(device, item) for device, item, _ in pools], dtype=float)
    autoregressive = np.array([m.kind.value == "autoregressive" for m in models], dtype=bool)
    # a device rented in slices of set sizes (TPU v5e: 1, 4 or 8 chips) splits over those counts alone
    rentable = np.array([np.isin(degrees, device.slice_sizes.sizes) if device.slice_sizes else np.ones(len(degrees), bool)
                         for device, _, _ in pools], dtype=bool).reshape(len(pools), len(degrees))
    split = autoregressive[None, :, None] & (degrees[None, None, :] <= limit[:, None, None]) & rentable[:, None, :]
    if pipeline_degrees:
        group = np.array([_group_limit(device, None) for device, _, _ in pools], dtype=float)
        count = np.array([np.inf if item is None else (0 if item.sharing is not None else item.count)
                          for _, item, _ in pools], dtype=float)
        stages = degrees[None, :] / group[:, None]
        staged = (group[:, None] > 1) & np.isin(stages, pipeline_degrees) & (degrees[None, :] <= count[:, None])
        split |= np.array([served(m) for m in models], dtype=bool)[None, :, None] & staged[:, None, :]
    return split | (degrees == 1)[None, None, :]


def _group_limit(device: Device, item: InventoryItem | None) -> int:
    if device.max_group is None or device.interconnect_gbs is None:
        return 1
    if item is not None and item.sharing is not None:
        return 1
    return min(int(device.max_group.value), item.count) if item is not None else int(device.max_group.value)


def _count_unsupported(codes: np.ndarray, weight: np.ndarray, devices, models, precisions, factors: PerfFactors,
                       excluded: Counter) -> None:
    """Count impossible (device, model, precision) triples by reason, each weighted by its
    device's placements. A reason's text depends only on some of the three (the model and
    precision for "not deployed in", the device for "no memory size"), so ``supports`` is
    asked once per distinct text. A device the catalog gives no compute figure at all is named
    (it is a gap in the catalog, not a precision the request chose)."""
    blank = np.array([not d.peak for d in devices], dtype=bool)
    codes = codes.copy() if blank.any() else codes  # the caller's codes decide what is possible
    for d in np.flatnonzero(blank):
        cells = (codes[d] == NO_PEAK)
        if cells.any():
            excluded[no_figures(devices[d])] += int(cells.sum() * weight[d])
            codes[d][cells] = SUPPORTED  # counted here, not again below
    for code, axes in ((NO_PEAK, []), (NOT_DEPLOYED, [1, 2]), (NO_SIZE, [1]), (NO_MEMORY, [0]), (NO_RUNTIME, [0, 1])):
        cells = np.argwhere(codes == code)
        if not len(cells):
            continue
        keys = cells[:, axes] if axes else np.zeros((len(cells), 1), dtype=np.int64)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=weight[cells[:, 0]])
        for group in np.argsort(first, kind="stable"):
            d, m, p = cells[first[group]]
            reason = supports(devices[d], models[m], precisions[p], factors)
            excluded[_reason_kind(reason)] += int(counts[group])


def intent_models(intent: Intent, catalog: Catalog):
    """The models a request allows: the one it names, the family's variants it names, else every
    model of its task but the benchmark reference variants (planned only when named)."""
    if intent.workload.model:
        return [catalog.model(intent.workload.model)]
    if intent.workload.models:  # a family named: planned as named (the parser warns about its languages)
        return _in_direction([catalog.model(m) for m in sorted(intent.workload.models)], intent.workload.languages)
    if intent.task is None:  # the parser's warnings may say why ("'ocr': no model in the catalog does this task")
        lacking = [w for w in intent.warnings if "no model in the catalog does this task" in w]
        if lacking:  # the task it names first: "OCR … names no task" had read as if none were named
            error = MissingTaskError("; ".join(lacking) + "; so there is nothing to place"
                                     + "".join(f"; {w}" for w in intent.warnings if w not in lacking))
            error.hint = "add a model of that task with 'intentctl catalog import CONFIG.json', or plan another task"
            raise error
        raise MissingTaskError("the request names no task or model, so there is nothing to place"
                               + "".join(f"; {w}" for w in intent.warnings))
    models = sorted(catalog.models_for(intent.task.value), key=lambda m: m.id)
    if not models:
        raise MissingTaskError(f"the catalog holds no model for {intent.task.value}")
    if intent.task.value == "translation":
        return _between(_in_direction(models, intent.workload.languages), intent.workload.content_languages)
    return _reading(_in_direction(models, intent.workload.languages), intent.workload.content_languages)


#: Models a refusal for want of a language lists by name.
HELD_SHOWN = 6


#: What to do when no catalog model handles the request's languages.
NO_MODEL_HINT = "name a model to plan it as named, or add one with 'intentctl catalog import CONFIG.json'"


def _reading(models: list[ModelVariant], codes: list[str] | None) -> list[ModelVariant]:
    """The models whose documentation says they handle every language the request's text or
    speech is in ("Chinese product reviews"): a model without documented languages cannot be
    checked and is left out with the others; none that does is a refusal naming what the
    catalog holds (an English-only model would be a wrong plan)."""
    if not codes:
        return models
    kept = [m for m in models if m.reads is not None and all(m.reads.handles(c) for c in codes)]
    if not kept:
        shown = [f"{m.id} ({', '.join(m.reads.codes)})" if m.reads else f"{m.id} (undocumented)" for m in models]
        held = ", ".join(shown[:HELD_SHOWN]) + (f" and {len(shown) - HELD_SHOWN} more" if len(shown) > HELD_SHOWN else "")
        error = MissingTaskError(f"no {models[0].task} model in the catalog is documented to handle "
                                 f"{' and '.join(codes)} (it holds {held})")
        error.hint = NO_MODEL_HINT
        raise error
    return kept


def _between(models: list[ModelVariant], pair: list[str] | None) -> list[ModelVariant]:
    """The translation models that go between the two languages of a translation asked both
    ways ("中英互译"), in either direction; none is a refusal naming what the catalog holds."""
    if not pair:
        return models
    kept = [m for m in models if set(pair) <= set(m.languages or ())]
    if not kept:
        error = MissingTaskError(f"no translation model in the catalog translates between {pair[0]} and {pair[1]} "
                                 f"(it holds {_directions(models)})")
        error.hint = NO_MODEL_HINT
        raise error
    return kept


def _directions(models: list[ModelVariant]) -> str:
    return ", ".join(f"{m.id} ({' to '.join(m.languages)})" if m.languages else m.id for m in models)


def _in_direction(models: list[ModelVariant], languages: list[str] | None) -> list[ModelVariant]:
    """The translation models that translate the direction asked (a model whose languages the
    catalog does not give cannot be checked, and is left out with the others)."""
    if not languages:
        return models
    kept = [m for m in models if m.languages == languages]
    if not kept:
        error = MissingTaskError(f"no translation model in the catalog translates {languages[0]} to {languages[1]} "
                                 f"(it holds {_directions(models)})")
        error.hint = NO_MODEL_HINT
        raise error
    return kept


def allowed_placements(device: Device, offered: list[str], intent: Intent, rules, excluded: Counter,
                       notes: list[str] | None = None) -> list[str]:
    """The placements of ``offered`` the request's deployment and the policy ``rules`` allow. An
    on-prem deployment holds an edge board the request names itself: it runs on the premises
    ("on Hailo-8 or Coral, no cloud"); ``notes`` gets a line saying so."""
    allowed = []
    for placement in offered:
        on_site = (intent.deployment is not None and intent.deployment.value == "on-prem" and placement == "edge"
                   and any(s in (device.id, device.family) for s in intent.hardware.include))
        if on_site and notes is not None:
            notes.append(f"{device.id} runs at the edge, on the premises: an on-prem deployment holds it "
                         "(the request names it)")
        if intent.deployment is not None and placement != intent.deployment.value and not on_site:
            excluded[f"deployment: {intent.deployment.value} asked, device is {placement}"] += 1
            continue
        reasons = [r for r in (rule(device, placement) for rule in rules) if r]
        if reasons:
            excluded[f"policy: {reasons[0]}"] += 1
            continue
        allowed.append(placement)
    return allowed


def _reason_kind(message: str) -> str:
    """Group reasons by kind so an empty set is explained in a few lines."""
    if "publishes no" in message and "throughput" in message:
        return "precision: the device (or its runtime) runs none of the allowed precisions"
    return message
