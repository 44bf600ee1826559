#!/usr/bin/env python3
"""Fit the performance model's interpretable parameters to published measurements.

usage: python scripts/calibrate_mlperf.py [--loso]

Two kinds of measurement constrain the fit, each predicted exactly as its scorer asks:
- MLPerf Inference results (tests/data/reference/mlperf-dev.csv, scripts/score/score-mlperf):
  Offline throughput per accelerator (best over precisions and batch sizes) and SingleStream
  latency (best batch-1 over precisions), in the device's default power mode; MaxQ results
  (run under a power cap) are left out of the fit, not of the scores;
- published non-MLPerf measurements (tests/data/reference/published-perf-dev.csv,
  scripts/score/score-published): latency, throughput and LLM token rates at a stated
  precision, batch and request shape.

The parameters, each shared by many rows (never one per row):
- ``compute_efficiency``: the fraction of peak a device class reaches on dense work;
- ``precision_efficiency``: the same per (class, precision), shrunk towards the class's;
- ``device_efficiency``: per (device, precision), only where at least two rows constrain it,
  shrunk towards its class and precision times its family's offset (below); a device without
  such rows keeps that prior, and its figures say so; the device's other precisions take it
  times the device's fitted offset, so that the best over precisions cannot fall back to a
  prior the device's rows deny;
- ``family_efficiency``: a chip family's offset from its class (the catalog's ``family`` where
  its devices share one architecture: the forms of one die, A100 SXM and PCIe, H100 SXM, PCIe
  and NVL), only where at least three rows over two of its devices constrain it; its devices'
  efficiencies shrink towards it, and a device of the family without rows takes it;
- ``structure_efficiency`` and ``structure_activation_mb_per_gflop``: what depthwise-separable
  and transformer models reach relative to dense convolutions, and their activation traffic;
- ``architecture_structure_efficiency``: the same ratio's own multiple on one chip architecture
  (Hopper, Ampere, Qualcomm AI 100), only where at least three rows of that structure on that
  architecture constrain it, shrunk towards the global figure;
- ``step_overhead_ms`` (per class) and ``device_overhead_ms`` (per device with two or more
  batch-1 rows): the fixed cost of one inference; with ``layer_launch_ms`` (per class) and
  ``device_layer_launch_ms`` (per device with three or more batch-1 rows), the cost of each
  weighted layer's launch, the batch-1 floor: fixed + layers x per-layer;
- ``latency_mode_batches``: how far batch 1 falls short of throughput-mode efficiency, per class;
- ``latency_mode_max_gflop``: the most work a sample counts with in that shortfall (a large input
  fills the device better by itself), constrained by batch-1 rows of models above it;
- ``prefill_efficiency`` and ``bandwidth_efficiency``: prefill's share of peak relative to
  the device's, and the share of memory bandwidth decode reaches.

They are fitted in log space by robust least squares (soft-L1 on the log error of each row,
the medians being what the scorers report) with a Gaussian prior on each: a parameter few
rows constrain stays near its prior. The result, the rows that constrain each parameter and
the error before and after go to planner/data/calibration.yaml, which the model reads on top
of perf-factors.yaml. With --loso, each source is left out in turn, the rest refitted and the
left-out rows predicted: the leave-one-source-out error, written to the same file.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware import load_catalog
from planner.perf.configs import Config
from planner.perf.factors import load_factors
from planner.perf.roofline import Grid, supports

REFERENCE = ROOT / "tests" / "data" / "reference"
MLPERF = REFERENCE / "mlperf-dev.csv"
PUBLISHED = REFERENCE / "published-perf-dev.csv"
PRECISIONS = ["fp32", "bf16", "fp16", "fp8", "int8"]
BATCHES = [2 ** k for k in range(11)]
MODEL_IDS = {"resnet50": "resnet50-v1.5-mlperf", "retinanet": "retinanet-resnext50-fpn-mlperf",
             "bert": "bert-large", "gptj": "gpt-j-6b", "3d-unet": "3d-unet-kits19-mlperf"}
SCENARIOS = {"Offline": ("samples/s",), "SingleStream": ("ms (90th percentile latency, early-stopping estimate)",)}
METRIC = re.compile(r"^(latency_ms|throughput_rps|tokens_per_s|ttft_ms|decode_tokens_per_s)(?:_in(\d+)_out(\d+))?$")
# Log-space prior standard deviations. The offsets below a class (a family's, a device's, an
# architecture's multiple for a structure) share 0.5: a multiple that three or more rows constrain
# is held no tighter than a device offset that two constrain.
PRIOR_SD = {"compute_efficiency": 1.0, "precision_efficiency": 0.5, "device_efficiency": 0.5,
            "structure_efficiency": 0.7, "structure_activation_mb_per_gflop": 1.0, "step_overhead_ms": 1.5,
            "device_overhead_ms": 0.7, "layer_launch_ms": 1.0, "device_layer_launch_ms": 1.0,
            "latency_mode_batches": 1.0, "device_latency_mode_batches": 0.7,
            "prefill_efficiency": 0.5, "bandwidth_efficiency": 0.3, "latency_mode_batches_per_core": 1.0,
            "architecture_structure_efficiency": 0.5, "latency_mode_max_gflop": 1.0, "family_efficiency": 0.5}
MIN_ROWS = 2  # a (device, precision) or a device's floor gets its own parameter only with this many rows
MIN_LAUNCH_ROWS = 3  # a device's per-layer cost: only with this many batch-1 rows
MIN_ARCHITECTURE_ROWS = 3  # an (architecture, structure) gets its own parameter only with this many rows
MIN_FAMILY_ROWS = 3  # a chip family gets its own offset only with this many rows, over two or more of its devices


@dataclass
class Row:
    """One measurement and how its scorer predicts it: the best (``reduce``) of ``what`` over
    the configurations of ``precisions`` at ``batches``."""

    source: str
    device: object
    model: object
    what: str  # latency_ms, throughput_rps, tokens_per_s, ttft_ms or decode_tokens_per_s
    reduce: str  # "min", "max" or "one"
    precisions: list[str]
    batches: list[int]
    actual: float
    prompt: int | None = None
    output: int | None = None
    cells: list[tuple[int, int]] = field(default_factory=list)

    @property
    def batch_one(self) -> bool:
        return self.batches == [1] and self.what in ("latency_ms", "ttft_ms")

    @property
    def launch_bound(self) -> bool:
        """A batch-1 latency (single-pass, or a prompt's first token): the rows that constrain the
        per-layer launch cost."""
        return self.batch_one


def mlperf_rows(path: Path, catalog) -> list[Row]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            model_id = MODEL_IDS.get(r["model_family"])
            if r["scenario"] not in SCENARIOS or r["unit"] not in SCENARIOS[r["scenario"]] or model_id is None:
                continue
            model, device = catalog.models.get(model_id), catalog.devices.get(r["accelerator_id"])
            if model is None or device is None or model.gflops is None:
                continue
            if power_limited(r):
                continue
            offline = r["scenario"] == "Offline"
            out.append(Row("mlperf", device, model, "throughput_rps" if offline else "latency_ms",
                           "max" if offline else "min", PRECISIONS, BATCHES if offline else [1],
                           float(r["result_per_accelerator"] or r["result_value"])))
    return out


def power_limited(result: dict) -> bool:
    """A MaxQ submission: the system ran under a power cap the submitter chose (its name says
    MaxQ; its power was measured), below the full-power clocks the catalog's peak and the
    estimate's default mode describe. Fitted as full power it would pull every efficiency down
    by the cap's share (0.55 to 0.95 of the same device's full-power result in the dev file), so
    the fit leaves it out; the scorer still scores it."""
    return re.search(r"\bMaxQ\b", result["system_name"]) is not None


def published_rows(path: Path, catalog) -> list[Row]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            m = METRIC.match(r["metric"])
            if not m or r["model_id"] not in catalog.models or r["device_id"] not in catalog.devices:
                continue
            source = re.match(r"\[([^\]]+)\]", r["source"]).group(1)
            what = m.group(1)
            batches = BATCHES if r["batch"] == "max" else [int(r["batch"])]
            prompt, output = (int(m.group(2)), int(m.group(3))) if m.group(2) else (stated_sequence(r["source"]), None)
            out.append(Row(source, catalog.devices[r["device_id"]], catalog.models[r["model_id"]], what,
                           "max" if r["batch"] == "max" else "one", [r["precision"]], batches, float(r["published"]),
                           prompt, output))
    return out


def stated_sequence(source: str) -> int | None:
    """The tokens a single-pass measurement ran, where its source states them ('seq 384': the
    TensorRT BERT demo's fixed-shape engines, Neuron's tables): fitted at that length, not at the
    model's default request (for bert-large the unpadded SQuAD mean its MLPerf harnesses run).
    The scorer predicts such a row at the default; fitting it there would make the devices it
    was measured on absorb the padding as efficiency."""
    m = re.search(r"\bseq (\d+)\b", source)
    return int(m.group(1)) if m else None


class Predictor:
    """Every row's prediction from one Grid over all their configurations."""

    def __init__(self, rows: list[Row], factors):
        index: dict[tuple, int] = {}
        self.configs: list[Config] = []
        batches = sorted({b for row in rows for b in row.batches})
        for row in rows:
            row.cells = []
            for p in row.precisions:
                if supports(row.device, row.model, p, factors):
                    continue
                key = (row.model.id, row.device.id, p, row.prompt, row.output)
                if key not in index:
                    index[key] = len(self.configs)
                    self.configs.append(Config(row.model, row.device, p, row.device.placements[0].value,
                                               prompt_tokens=row.prompt, output_tokens=row.output))
                row.cells += [(index[key], batches.index(b)) for b in row.batches]
        self.rows, self.batches = rows, batches

    def __call__(self, factors) -> np.ndarray:
        grid = Grid(self.configs, self.batches, factors)
        values = {"latency_ms": grid.latency_ms, "throughput_rps": grid.throughput_rps, "ttft_ms": grid.ttft_ms,
                  "decode_tokens_per_s": 1000 / grid.tpot_ms,
                  "tokens_per_s": grid.throughput_rps * np.broadcast_to(grid.output_tokens, grid.latency_ms.shape)}
        out = np.full(len(self.rows), np.nan)
        for i, row in enumerate(self.rows):
            cells = [(g, k) for g, k in row.cells if grid.fits[g, k]]
            if not cells:
                continue
            found = [float(values[row.what][g, k]) for g, k in cells]
            out[i] = max(found) if row.reduce == "max" else min(found) if row.reduce == "min" else found[0]
        return out


# ---- parameters: (table, key) pairs in log space, with priors


def parameters(rows: list[Row], factors, predicted_precision: dict[int, str]) -> list[tuple[str, tuple]]:
    """The parameters the rows constrain, each as (table, key)."""
    classes = sorted({r.device.device_class for r in rows})
    params = [("compute_efficiency", (c,)) for c in classes]
    by_class_precision: Counter = Counter()
    by_device_precision: Counter = Counter()
    for i, r in enumerate(rows):
        p = predicted_precision.get(i)
        if p is None or decode_only(r):
            continue
        by_class_precision[(r.device.device_class, p)] += 1
        by_device_precision[(r.device.id, p)] += 1
    params += [("precision_efficiency", key) for key in sorted(by_class_precision)]
    params += [("family_efficiency", (family,)) for family in fitted_families(rows, predicted_precision)]
    params += [("device_efficiency", key) for key, n in sorted(by_device_precision.items()) if n >= MIN_ROWS]
    structures = sorted({(r.model.structure.value if r.model.structure else "dense-conv") for r in rows
                         if r.model.kind.value != "autoregressive"})
    params += [("structure_efficiency", (s,)) for s in structures if s != "dense-conv"]
    on_architecture = Counter(key for r in rows if (key := architecture_structure(r)) is not None)
    params += [("architecture_structure_efficiency", key) for key, n in sorted(on_architecture.items())
               if n >= MIN_ARCHITECTURE_ROWS]
    params += [("structure_activation_mb_per_gflop", (s,)) for s in structures]
    floors = Counter(r.device.id for r in rows if r.batch_one)
    params += [("step_overhead_ms", (c,)) for c in sorted({r.device.device_class for r in rows if r.batch_one})]
    params += [("device_overhead_ms", (d,)) for d, n in sorted(floors.items()) if n >= MIN_ROWS]
    launches = Counter(r.device.id for r in rows if r.launch_bound)
    params += [("layer_launch_ms", (c,)) for c in sorted({r.device.device_class for r in rows if r.launch_bound})]
    params += [("device_layer_launch_ms", (d,)) for d, n in sorted(launches.items()) if n >= MIN_LAUNCH_ROWS]
    params += [("latency_mode_batches", (c,)) for c in sorted({r.device.device_class for r in rows if r.batch_one})]
    params += [("device_latency_mode_batches", (d,)) for d, n in sorted(floors.items())
               if n >= MIN_ROWS and load_catalog().device(d).cores is None]
    if any(r.batch_one and r.device.cores is not None for r in rows):
        params.append(("latency_mode_batches_per_core", ()))
    if any(r.batch_one and r.model.kind.value != "autoregressive" for r in rows):
        params.append(("latency_mode_max_gflop", ()))
    if any(r.what == "ttft_ms" or r.prompt for r in rows):
        params.append(("prefill_efficiency", ()))
    params.append(("bandwidth_efficiency", ()))
    return params


def fitted_families(rows: list[Row], predicted_precision: dict[int, str]) -> list[str]:
    """Chip families with at least MIN_FAMILY_ROWS efficiency rows over two or more of their
    devices: the catalog's ``family`` where its devices share one architecture (the A100's SXM and
    PCIe forms are one GA100 die at one clock, the H100's SXM, PCIe and NVL forms one GH100; a
    product line over chip generations, the Xeon Platinum, is not one chip)."""
    devices: dict[str, set] = defaultdict(set)
    architectures: dict[str, set] = defaultdict(set)
    counts: Counter = Counter()
    for i, r in enumerate(rows):
        if r.device.family and i in predicted_precision and not decode_only(r):
            devices[r.device.family].add(r.device.id)
            architectures[r.device.family].add(r.device.architecture and r.device.architecture.name)
            counts[r.device.family] += 1
    return sorted(f for f, n in counts.items() if n >= MIN_FAMILY_ROWS and len(devices[f]) >= 2
                  and len(architectures[f]) == 1 and None not in architectures[f])


def decode_only(row: Row) -> bool:
    """A text generator's decode rate: bound by memory bandwidth, not by compute efficiency."""
    return row.model.kind.value == "autoregressive" and row.what == "decode_tokens_per_s"


def constraining_rows(rows: list[Row], params, predicted_precision: dict[int, str], cap: float) -> dict[str, int]:
    """How many rows each parameter's value depends on (the latency-mode cap: the batch-1 rows
    of samples larger than ``cap``, its fitted value, whose predictions it sets)."""
    counts: Counter = Counter()
    for i, r in enumerate(rows):
        cls, dev, p = r.device.device_class, r.device.id, predicted_precision.get(i)
        structure = r.model.structure.value if r.model.structure else "dense-conv"
        auto = r.model.kind.value == "autoregressive"
        keys = [("compute_efficiency", (cls,)), ("precision_efficiency", (cls, p)), ("device_efficiency", (dev, p)),
                ("bandwidth_efficiency", ()), ("family_efficiency", (r.device.family,))]
        if not auto:
            keys += [("structure_efficiency", (structure,)), ("structure_activation_mb_per_gflop", (structure,))]
            keys.append(("architecture_structure_efficiency", architecture_structure(r)))
        if r.batch_one:
            keys += [("step_overhead_ms", (cls,)), ("device_overhead_ms", (dev,)), ("latency_mode_batches", (cls,)),
                     ("device_latency_mode_batches", (dev,))]
            if r.device.cores is not None:
                keys.append(("latency_mode_batches_per_core", ()))
            if not auto and sample_gflops(r) > cap:
                keys.append(("latency_mode_max_gflop", ()))
        if r.launch_bound:
            keys += [("layer_launch_ms", (cls,)), ("device_layer_launch_ms", (dev,))]
        if auto and (r.what in ("ttft_ms", "tokens_per_s")):
            keys.append(("prefill_efficiency", ()))
        counts.update(k for k in keys if k in params)
    return {label(k): counts[k] for k in params}


def architecture_structure(row: Row) -> tuple[str, str] | None:
    """(architecture, structure) of a single-pass row on a device of known architecture, for a
    structure other than the dense convolutions every efficiency is relative to."""
    structure = row.model.structure.value if row.model.structure else "dense-conv"
    if row.model.kind.value == "autoregressive" or structure == "dense-conv" or row.device.architecture is None:
        return None
    return row.device.architecture.name, structure


def sample_gflops(row: Row) -> float:
    """One sample's work as the model predicts it: an encoder's at the tokens the row runs."""
    model = row.model
    if not model.sequence_tokens:
        return model.gflops.value
    tokens = row.prompt or (model.request and model.request.mean_tokens) or model.sequence_tokens
    return model.gflops.value * tokens / model.sequence_tokens


def label(param) -> str:
    table, key = param
    return table + ("" if not key else "/" + "/".join(key))


def get(factors, param) -> float:
    table, key = param
    if table == "compute_efficiency":
        return factors.compute_efficiency[key[0]]
    if table == "precision_efficiency":
        return factors.precision_efficiency.get(key[0], {}).get(key[1], factors.compute_efficiency[key[0]])
    if table == "family_efficiency":
        return factors.family_efficiency.get(key[0], 1.0)
    if table == "device_efficiency":
        device = next(d for d in load_catalog().devices.values() if d.id == key[0])
        return factors.efficiency(device, key[1])
    if table == "device_overhead_ms":
        return factors.overhead_ms(load_catalog().device(key[0]))
    if table == "device_layer_launch_ms":
        return max(factors.launch_ms(load_catalog().device(key[0])), 1e-4)
    if table == "layer_launch_ms":
        return max(factors.layer_launch_ms.get(key[0], 0.0), 1e-4)
    if table == "device_latency_mode_batches":
        return max(factors.latency_batches(load_catalog().device(key[0])), 0.01)
    if table == "structure_efficiency":
        return factors.structure_multiplier(key[0])
    if table == "architecture_structure_efficiency":
        return factors.architecture_structure_efficiency.get(key[0], {}).get(key[1], 1.0)
    if table == "structure_activation_mb_per_gflop":
        return factors.activation_mb(key[0])
    if table in ("step_overhead_ms", "latency_mode_batches"):
        return max(getattr(factors, table).get(key[0], 0.0), 0.01)
    return getattr(factors, table)


def with_values(factors, params, values: np.ndarray):
    """``factors`` with every parameter set; a child inherits its parent's change (a device's
    efficiency is relative to its class and precision)."""
    update: dict = {}
    tables = {name: {k: (dict(v) if isinstance(v, dict) else v) for k, v in getattr(factors, name).items()}
              for name in ("compute_efficiency", "precision_efficiency", "device_efficiency", "structure_efficiency",
                           "structure_activation_mb_per_gflop", "step_overhead_ms", "device_overhead_ms",
                           "layer_launch_ms", "device_layer_launch_ms", "latency_mode_batches",
                           "device_latency_mode_batches", "architecture_structure_efficiency",
                           "family_efficiency")}
    for (table, key), value in zip(params, values):
        value = float(value)
        if table in ("compute_efficiency", "structure_efficiency", "structure_activation_mb_per_gflop",
                     "step_overhead_ms", "device_overhead_ms", "layer_launch_ms", "device_layer_launch_ms",
                     "latency_mode_batches", "device_latency_mode_batches", "family_efficiency"):
            tables[table][key[0]] = value
        elif table in ("precision_efficiency", "device_efficiency", "architecture_structure_efficiency"):
            tables[table].setdefault(key[0], {})[key[1]] = value
        else:
            update[table] = min(value, 1.0) if table == "bandwidth_efficiency" else value
    update.update(tables)
    return factors.model_copy(update=update)


#: Per-device tables and the per-class table each shrinks towards.
DEVICE_CHILDREN = {"device_overhead_ms": "step_overhead_ms", "device_layer_launch_ms": "layer_launch_ms",
                   "device_latency_mode_batches": "latency_mode_batches"}


def hierarchical(params, theta: np.ndarray, factors) -> np.ndarray:
    """Absolute values from log offsets: an efficiency is its parent's times exp(offset)
    (device under class and precision, class and precision under class), the rest exp(offset)
    times their prior."""
    base = {p: math.log(get(factors, p)) for p in params}
    values = {}
    for p, t in zip(params, theta):
        table, key = p
        if table == "precision_efficiency":
            parent = values.get(("compute_efficiency", (key[0],)), math.exp(base.get(("compute_efficiency",
                                                                                        (key[0],)), 0)))
            # a precision with a prior of its own (perf-factors.yaml) keeps its ratio to the class's
            values[p] = parent * math.exp(base[p]) / factors.compute_efficiency[key[0]] * math.exp(t)
        elif table == "device_efficiency":
            cls = load_catalog().device(key[0]).device_class
            parent = values.get(("precision_efficiency", (cls, key[1])))
            if parent is None:
                parent = get(factors, ("precision_efficiency", (cls, key[1])))
            family = load_catalog().device(key[0]).family
            values[p] = parent * values.get(("family_efficiency", (family,)), 1.0) * math.exp(t)
        elif table in DEVICE_CHILDREN:
            cls = load_catalog().device(key[0]).device_class
            parent_table = DEVICE_CHILDREN[table]
            parent = values.get((parent_table, (cls,)))
            values[p] = (parent if parent is not None else get(factors, (parent_table, (cls,)))) * math.exp(t)
        else:
            values[p] = math.exp(base[p] + t)
    return np.array([values[p] for p in params])


def fit(rows: list[Row], factors, max_nfev: int = 300):
    """Robust least squares on the rows' log errors with a prior on every parameter."""
    from scipy.optimize import least_squares

    predict = Predictor(rows, factors)
    precision = winning_precisions(predict, rows, factors)
    params = parameters(rows, factors, precision)
    prior_sd = np.array([PRIOR_SD[table] for table, _ in params])
    actual = np.array([r.actual for r in rows])

    def residuals(theta):
        values = hierarchical(params, theta, factors)
        trial = with_values(factors, params, values)
        logs = np.log(predict(trial) / actual)
        logs = np.where(np.isfinite(logs), logs, 0.0)
        return np.concatenate([logs, theta / prior_sd])

    # ``hierarchical`` ties children to their parents, so offsets start at 0 (the priors)
    result = least_squares(residuals, np.zeros(len(params)), loss="soft_l1", f_scale=0.7, max_nfev=max_nfev,
                           diff_step=1e-3)
    values = hierarchical(params, result.x, factors)
    fitted = with_values(factors, params, values)
    return fitted, params, precision


def winning_precisions(predict: Predictor, rows: list[Row], factors) -> dict[int, str]:
    """The precision each row's prediction comes from (for rows that take the best of several)."""
    grid = Grid(predict.configs, predict.batches, factors)
    values = {"latency_ms": grid.latency_ms, "throughput_rps": grid.throughput_rps}
    out = {}
    for i, row in enumerate(rows):
        cells = [(g, k) for g, k in row.cells if grid.fits[g, k]]
        if not cells:
            continue
        if len(row.precisions) == 1:
            out[i] = row.precisions[0]
            continue
        table = values[row.what]
        best = (max if row.reduce == "max" else min)(cells, key=lambda c: table[c])
        out[i] = predict.configs[best[0]].precision
    return out


def errors(rows: list[Row], predicted: np.ndarray) -> dict:
    """Median absolute percentage error and share within 2x, per group of rows."""
    groups: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row, p in zip(rows, predicted):
        name = "published" if row.source != "mlperf" else ("Offline" if row.what == "throughput_rps" else
                                                            "SingleStream")
        groups[name].append((p, row.actual))
    report = {}
    for name, pairs in sorted(groups.items()):
        scored = [(p, a) for p, a in pairs if np.isfinite(p) and p > 0]
        apes = [abs(p / a - 1) for p, a in scored]
        within = sum(max(p / a, a / p) <= 2 for p, a in scored) / len(pairs)
        report[name] = {"rows": len(pairs), "predicted": len(scored),
                        "median_ape": round(float(statistics.median(apes)), 4) if apes else None,
                        "within_2x": round(float(within), 4)}
    return report


def leave_one_source_out(rows: list[Row], factors) -> dict:
    """Each published source (and MLPerf) left out in turn: the rest refitted, the left-out predicted."""
    out = {}
    apes_all: list[float] = []
    within_all: list[bool] = []
    for source in sorted({r.source for r in rows}):
        kept = [r for r in rows if r.source != source]
        held = [r for r in rows if r.source == source]
        fitted, _, _ = fit(kept, factors, max_nfev=30)
        predicted = Predictor(held, fitted)(fitted)
        apes = [abs(p / r.actual - 1) for p, r in zip(predicted, held) if np.isfinite(p) and p > 0]
        within = [bool(np.isfinite(p) and p > 0 and max(p / r.actual, r.actual / p) <= 2)
                  for p, r in zip(predicted, held)]
        apes_all += apes
        within_all += within
        out[source] = {"rows": len(held), "median_ape": round(float(statistics.median(apes)), 4) if apes else None,
                       "within_2x": round(sum(within) / len(within), 4)}
        print(f"  left out {source}: {out[source]}", flush=True)
    out["all"] = {"rows": len(within_all), "median_ape": round(float(statistics.median(apes_all)), 4),
                  "within_2x": round(sum(within_all) / len(within_all), 4)}
    return out


def document(rows, start, fitted, params, precision, before, after, loso) -> dict:
    counts = constraining_rows(rows, params, precision, fitted.latency_mode_max_gflop)
    sha = hashlib.sha256(MLPERF.read_bytes() + PUBLISHED.read_bytes()).hexdigest()[:16]
    fitted_rows: dict[str, dict[str, int]] = defaultdict(dict)
    for param in params:
        fitted_rows[param[0]]["/".join(param[1])] = counts[label(param)]
    out = {
        "schema_version": 1,
        "provenance": {
            "sources": [MLPERF.name, PUBLISHED.name], "sha256": sha, "rows_used": len(rows),
            "method": "robust least squares (soft-L1) on the log error of each row, predicted as the scorers do "
                      "(score-mlperf: Offline throughput per accelerator, SingleStream latency; score-published: "
                      "each row's metric at its precision, batch and request shape), with a log-normal prior on "
                      "every parameter; children shrink towards their parents (device -> class and precision -> class)",
            "error_before": before, "error_after": after,
        },
        "compute_efficiency": {c: round(v, 4) for c, v in sorted(fitted.compute_efficiency.items())},
        "precision_efficiency": {c: {p: round(v, 4) for p, v in sorted(t.items())}
                                 for c, t in sorted(fitted.precision_efficiency.items())},
        "family_efficiency": {f: round(v, 4) for f, v in sorted(fitted.family_efficiency.items())},
        "device_efficiency": {d: {p: round(min(v, 1.0), 4) for p, v in sorted(t.items())}
                              for d, t in sorted(fitted.device_efficiency.items())},
        "structure_efficiency": {s: round(v, 4) for s, v in sorted(fitted.structure_efficiency.items())},
        "architecture_structure_efficiency": {a: {s: round(v, 4) for s, v in sorted(t.items())}
                                              for a, t in sorted(fitted.architecture_structure_efficiency.items())},
        "structure_activation_mb_per_gflop": {s: round(v, 4) for s, v in
                                              sorted(fitted.structure_activation_mb_per_gflop.items())},
        "step_overhead_ms": {c: round(v, 4) for c, v in sorted(fitted.step_overhead_ms.items())},
        "device_overhead_ms": {d: round(v, 4) for d, v in sorted(fitted.device_overhead_ms.items())},
        "layer_launch_ms": {c: round(v, 5) for c, v in sorted(fitted.layer_launch_ms.items())},
        "device_layer_launch_ms": {d: round(v, 5) for d, v in sorted(fitted.device_layer_launch_ms.items())},
        "latency_mode_batches": {c: round(v, 4) for c, v in sorted(fitted.latency_mode_batches.items())},
        "device_latency_mode_batches": {d: round(v, 4) for d, v in
                                        sorted(fitted.device_latency_mode_batches.items())},
        "latency_mode_batches_per_core": round(fitted.latency_mode_batches_per_core, 4),
        "latency_mode_max_gflop": round(fitted.latency_mode_max_gflop, 2),
        "prefill_efficiency": round(fitted.prefill_efficiency, 4),
        "bandwidth_efficiency": round(fitted.bandwidth_efficiency, 4),
        "fitted_rows": {k: dict(sorted(v.items())) for k, v in sorted(fitted_rows.items())},
    }
    if loso:
        out["provenance"]["leave_one_source_out"] = loso
    return out


def all_rows(catalog) -> list[Row]:
    return mlperf_rows(MLPERF, catalog) + published_rows(PUBLISHED, catalog)


def main(argv: list[str]) -> int:
    catalog = load_catalog()
    rows = all_rows(catalog)
    start = load_factors(calibrated=False)
    before = errors(rows, Predictor(rows, start)(start))
    fitted, params, precision = fit(rows, start)
    after = errors(rows, Predictor(rows, fitted)(fitted))
    loso = leave_one_source_out(rows, start) if "--loso" in argv else None
    out = ROOT / "planner" / "data" / "calibration.yaml"
    text = yaml.safe_dump(document(rows, start, fitted, params, precision, before, after, loso), sort_keys=False,
                          width=110)
    out.write_text("# Written by scripts/calibrate_mlperf.py; do not edit by hand.\n" + text, encoding="utf-8")
    print(f"rows {len(rows)}, parameters {len(params)}; before {before}; after {after}; wrote {out}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
