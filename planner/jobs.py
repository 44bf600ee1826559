"""Planning training and fine-tuning jobs: which device, how many, which precision.

A job trains on ``records x epochs`` samples. Each sample costs about three forward passes
(forward and backward), times the DP-SGD overhead when differential privacy is asked for.
A configuration is (model, device, precision, device count, placement); it fits when the
model's training state (16 bytes per parameter, plus activations) fits one device, since
data parallelism keeps a full copy per device. Time, energy and cost follow from the
calibrated peak rates, scaled by the data-parallel efficiency. CP-SAT chooses one row, as
for inference: the objective (default: the job's total cost), then job time, then energy,
then the row index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hardware import Catalog, Device, Inventory, ModelVariant
from intent.schema import Constraint, Intent, Metric
from planner.defaults import floored
from planner.errors import InfeasibleError, MissingDatasetError, MissingTaskError, PlanningError
from planner.perf.cost import hourly_cost
from planner.perf.factors import PerfFactors, load_factors, training_runtime_for
from planner.perf.roofline import figure_or_nan, nan_to_none
from planner.perf.serving import QualityFloor
from planner.search.candidates import PlacementRule, hardware_allows
from planner.solve.chooser import SolverSettings, new_solver, optimise_in_order
from planner.solve.cpsat import cp_model
from planner.solve.explain import Conflict, InfeasibilityReport

JOB_FIELDS = {"cost": "job_cost_usd", "latency": "hours", "energy": "energy_kwh", "power": "power_w",
              "accuracy": "accuracy", "job_cost": "job_cost_usd", "job_time": "hours"}
JOB_SCALE = {"job_cost_usd": 1_000, "hours": 1_000, "energy_kwh": 1_000, "power_w": 1_000, "accuracy": 1_000_000}


@dataclass(frozen=True)
class TrainingRow:
    model: ModelVariant
    device: Device
    precision: str
    devices: int
    placement: str
    batch_size: int
    samples: int
    samples_per_s: float
    hours: float
    power_w: float | None
    energy_kwh: float | None
    cost_per_hour: float | None
    job_cost_usd: float | None
    memory_gb: float
    accuracy: float | None
    sharded: bool = False  # the training state sharded over the devices (FSDP / ZeRO-3), not copied to each


@dataclass
class TrainingSetup:
    records: int
    epochs: int
    batch_size: int
    dp: bool
    assumptions: list[str]
    method: str = "full"  # a full fine-tune, or a parameter-efficient method (perf-factors training.methods)
    tokens_per_sample: int = 512  # tokens of one text example (a generator's FLOPs a sample scale with them)


def setup(intent: Intent, factors: PerfFactors, method: str = "full") -> TrainingSetup:
    """The job a training request asks for; ``method`` is a parameter-efficient method the request
    names (read by the agent: LoRA, QLoRA), else a full fine-tune."""
    t = factors.training
    w = intent.workload
    if not w.dataset_records and not w.dataset_tokens:
        raise MissingDatasetError("a training plan needs the dataset size")
    notes = []
    tokens = w.prompt_tokens or t.tokens_per_sample
    records = w.dataset_records or math.ceil(w.dataset_tokens / tokens)
    if not w.dataset_records:
        notes.append(f"{w.dataset_tokens:,} tokens are {records:,} examples of {tokens:,} tokens")
    scratch = w.kind.value == "training" and (intent.task is None or intent.task.value != "text-generation")
    # a training job given its tokens trains on them once: a pretraining's data is counted in tokens seen
    epochs = w.epochs or (t.default_epochs_from_scratch if scratch else 1 if w.dataset_tokens and
                          w.kind.value == "training" else t.default_epochs)
    if not w.epochs:
        notes.append(f"training for {epochs} epoch{'s' if epochs > 1 else ''} (none named; "
                     + ("the 90-epoch ImageNet schedule of torchvision's reference recipe for a model trained "
                        "from scratch)" if scratch else "one pass over the tokens stated, as a pretraining counts "
                        "its data in tokens seen)" if epochs == 1 else "a fine-tuning's few passes)"))
    batch = w.batch_size or t.default_batch_size
    if not w.batch_size:
        notes.append(f"batch size {batch} (none named)")
    if not w.prompt_tokens and intent.task is not None and intent.task.value == "text-generation":
        notes.append(f"each training example is {tokens:,} tokens (none stated: the documented default, "
                     "planner/data/perf-factors.yaml training.tokens_per_sample; a text model's work a sample grows "
                     "with its length, so say e.g. 'examples of 2k tokens' or 'sequence length 4096')")
    if method in t.methods:
        m = t.methods[method]
        notes.append(f"{m.what}: {m.state_bytes_per_param:g} bytes a parameter in all and "
                     f"{m.flops_per_sample_factor:g} forward passes a sample ({m.formula}; {m.source})")
    return TrainingSetup(records=records, epochs=epochs, batch_size=min(batch, records),
                         dp=intent.policies.differential_privacy is not None, assumptions=notes,
                         method=method if method in t.methods else "full", tokens_per_sample=tokens)


#: UNet passes a denoising step takes under classifier-free guidance (conditional and unconditional),
#: as the catalog's step_gflops counts them; training runs the conditional pass alone.
GUIDANCE_PASSES = 2


def _flops_per_sample(model: ModelVariant, factors: PerfFactors, job: TrainingSetup) -> float:
    """Training FLOPs of one sample: a generator's forward pass is per token, so its sample
    costs the example's tokens; the method's passes (forward, backward, recomputation) on top."""
    forward = model.gflops.value * 1e9
    if model.kind.value == "autoregressive":
        forward *= job.tokens_per_sample
    elif model.kind.value == "diffusion" and model.request is not None and model.request.step_gflops:
        # a training sample is one UNet pass at a random timestep, conditional only: an image's figure
        # is its whole sampling (every step, each twice under guidance), which made SDXL's LoRA 70 h
        forward = model.request.step_gflops * 1e9 / GUIDANCE_PASSES
    return forward * factors.training.flops_factor(job.method)


def training_memory_gb(model: ModelVariant, factors: PerfFactors, method: str = "full") -> float:
    """A model's training state: weights, gradients, optimiser moments and master weights
    (state_bytes_per_param; a parameter-efficient method's own figure) plus the runtime's overhead;
    data parallelism keeps it on every device, sharded training (FSDP / ZeRO-3) a 1/N share of it
    on each of N."""
    overhead = 1 + factors.runtime_memory_overhead if method == "full" else 1.0  # a method's figure is in all
    return model.params_m.value * 1e6 * factors.training.state_bytes(method) / 1e9 * overhead


def training_row(model, device: Device, precision: str, devices: int, placement: str, job: TrainingSetup,
         factors: PerfFactors, price: float | None, share: float = 1.0, owned: bool = False) -> TrainingRow | None:
    """One configuration; ``devices`` counts slots, each ``share`` of a device (1 unless shared);
    ``owned`` devices (an inventory's) cost no purchase."""
    t = factors.training
    memory = training_memory_gb(model, factors, job.method)
    sharded = memory > device.capacity_gb * share
    if sharded and (devices == 1 or memory / devices > device.capacity_gb * share):
        return None  # not even a 1/devices share of the state fits
    linked = device.max_group is not None and share == 1.0 and (devices <= device.max_group.value
                                                                or scales_out_linked(device, factors))
    scaling = 1.0 if devices == 1 else (t.scaling_linked if linked else t.scaling_unlinked)
    if sharded:  # ZeRO-3 moves sharded_traffic times data parallelism's bytes: that much more of the loss
        scaling = 1 - t.sharded_traffic * (1 - scaling)
        memory = memory / devices
    rate = (device.peak[precision].value * 1e12 * factors.efficiency(device, precision) * t.efficiency_of(model.structure)
            * factors.structure_multiplier(model.structure, device)
            * devices * scaling * share)
    per_sample = _flops_per_sample(model, factors, job) * (t.dp_sgd_overhead if job.dp else 1.0)
    samples = job.records * job.epochs
    # each data-parallel process also spends its task's host-side cost on every sample it takes, in
    # series with the step (as the fit that gives it: time = a + b x FLOPs), and the same on every
    # device: the host's data loading, not the accelerator, sets it
    overhead_s = t.sample_overhead_ms.get(model.task, 0.0) / 1000 / devices
    samples_per_s = 1 / (per_sample / rate + overhead_s)
    hours = samples / samples_per_s / 3600
    power = device.tdp_w.value * devices * share if device.tdp_w else None
    energy = None if power is None else power * hours / 1000
    cloud = device.cloud_usd_per_device(devices)
    cost_h = nan_to_none(hourly_cost(cloud=np.nan if cloud is None else cloud, purchase=figure_or_nan(device.purchase_usd),
                                   stated=np.nan if price is None else price, is_cloud=placement == "cloud",
                                   power_w=np.nan if power is None else power, devices=devices * share,
                                   tdp_w=figure_or_nan(device.tdp_w), owned=owned, is_edge=placement == "edge"))
    accuracy = model.accuracy["fp32"].value if "fp32" in model.accuracy else None
    return TrainingRow(model, device, precision, devices, placement, job.batch_size, samples, samples_per_s, hours,
                       power, energy, cost_h, None if cost_h is None else cost_h * hours, memory, accuracy, sharded)


def training_precision(device: Device, intent: Intent, factors: PerfFactors, method: str = "full") -> str | None:
    """The most preferred training precision the request allows and the device runs; a QLoRA job's
    int4 is its frozen base's, not the training's."""
    allowed = _trained_precisions(intent, method) or factors.training.precisions
    return next((p for p in factors.training.precisions if p in allowed and p in device.peak), None)


#: The most rented devices a job is planned on when the request holds or caps none: a job's cost barely
#: changes with its devices (the same device-hours, less the scaling loss), so without a cap the cheapest
#: plan rented a thousand TPU chips for a 50k-example fine-tune. Devices held are planned on as far as
#: they go (256 H100s held were planned on 64).
RENTED_MOST = 64
#: The most rented devices a job whose deadline 64 cannot meet is planned on (a 7B pretraining on a
#: trillion tokens in 60 days was refused at 1,926 h on 64 A800s).
RENTED_MOST_FOR_A_DEADLINE = 1024


def training_rows(intent: Intent, catalog: Catalog, rules: list[PlacementRule], job: TrainingSetup,
                  inventory: Inventory | None = None, factors: PerfFactors | None = None,
                  floor: QualityFloor | None = None, placements: tuple[str, ...] | None = None,
                  rented_most: int = RENTED_MOST) -> list[TrainingRow]:
    """Every configuration that could run the job; ``floor``, when given, is the quality floor the
    models must reach when the request names no one of them (planner.defaults.training_floor);
    ``placements``, when given (the request names none: planner.defaults.datacenter_placements),
    the only placements of a device not in the inventory, and no consumer part."""
    factors = factors or load_factors()
    if intent.workload.model:
        models = [catalog.model(intent.workload.model)]
    elif intent.workload.models:  # a family or a size named ("a 7B model"): those, not every model of the task
        models = sorted((catalog.model(m) for m in intent.workload.models), key=lambda m: m.id)
    elif intent.task is not None:
        models = sorted(catalog.models_for(intent.task.value), key=lambda m: m.id)
    else:
        raise MissingTaskError("the request names no task or model to train")
    if floor is not None and not intent.workload.model:
        models = floored(models, floor, intent.task.value)
    _refuse_untrainable_precisions(intent, factors, job.method)
    rows = []
    cannot_train: dict[str, str] = {}
    room: dict[str, float] = {}  # each device tried: the memory one slot of it holds
    not_rented: list[str] = []  # devices a job could only run on where held (on-prem), none said held
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        item = inventory.item(device.id) if inventory else None
        if (inventory and item is None) or hardware_allows(device, intent, catalog) or device.memory_gb is None:
            continue
        trainer = training_runtime_for(device)
        if trainer.runtime is None:
            cannot_train[device.id] = trainer.why or "no training runtime"
            continue
        method = factors.training.methods.get(job.method)
        if method is not None and method.vendors is not None and device.vendor not in method.vendors \
                and device.device_class != "cpu":
            # QLoRA on a TPU: bitsandbytes, which holds its 4-bit weights, has no kernels there
            cannot_train[device.id] = f"{job.method}: {method.vendors_why}"
            continue
        offered = [item.placement] if item else [p.value for p in device.placements]
        if placements is not None and not item:
            kept = [p for p in offered if p in placements]
            if not kept:
                not_rented.append(device.id)
            offered = kept
            if device.datacenter_use is not None and not device.datacenter_use.value:
                continue  # a consumer part's licence allows no datacenter deployment
        for placement in offered:
            if intent.deployment is not None and placement != intent.deployment.value:
                continue
            if any(rule(device, placement) for rule in rules):
                continue
            precision = training_precision(device, intent, factors, job.method)
            if precision is None:
                continue
            cap = intent.hardware.max_devices  # "on at most 2 GPUs": counted, none named
            # rented devices go to RENTED_MOST; devices held (or a stated cap) as far as they go
            most = item.total_slots if item is not None else cap if cap is not None else rented_most
            counts = [n for n in factors.training.device_counts if n <= most and (cap is None or n <= cap)]
            room[device.id] = device.capacity_gb * (item.share if item else 1.0)
            for model in models:
                if model.params_m is None or model.gflops is None:
                    continue
                for devices in counts:
                    row = training_row(model, device, precision, devices, placement, job, factors,
                               item.usd_per_hour if item else None, item.share if item else 1.0, item is not None)
                    if row is not None:
                        rows.append(row)
    if not rows and not_rented and not room:
        # "全参微调…用昇腾": Ascend is offered on-prem only, and a job rents where nothing is held
        names = ", ".join(not_rented)
        reason = (f"{names} {'is' if len(not_rented) == 1 else 'are'} not rented in the cloud (on-prem only), and the "
                  "request holds none; say how many you have (e.g. 'we have 8 of them') to plan the job on them")
        raise InfeasibleError(reason, InfeasibilityReport(reason=reason, candidates=0))
    if not rows:
        _refuse(models, room, cannot_train, factors, job.method, intent.hardware.max_devices)
    return rows


def _trained_precisions(intent: Intent, method: str) -> list[str]:
    """The precisions a job's training may run in, as asked: a QLoRA job's int4 is its base's."""
    return [p.value for p in intent.precisions if not (method == "qlora" and p.value == "int4")]


def _refuse_untrainable_precisions(intent: Intent, factors: PerfFactors, method: str) -> None:
    """A job asked in precisions none of which trains ("fine-tune in int4"): refused with the
    precisions that do (it had listed every inference accelerator as the reason)."""
    asked = _trained_precisions(intent, method)
    if not asked or any(p in factors.training.precisions for p in asked):
        return
    reason = (f"{', '.join(asked)} is no training precision: training runs in "
              f"{', '.join(factors.training.precisions)}")
    error = InfeasibleError(reason, InfeasibilityReport(reason=reason, candidates=0))
    error.hint = ("name a training precision, or say 'QLoRA' to keep the frozen base model in 4 bits"
                  if method != "qlora" else "name a training precision for the adapters")
    raise error


def _refuse(models: list[ModelVariant], room: dict[str, float], cannot_train: dict[str, str],
            factors: PerfFactors, method: str = "full", cap: int | None = None) -> None:
    """Why there is no training row: no device allowed holds the model's training state, or none
    the request allows can train at all. Returns when neither explains it."""
    sized = [m for m in models if m.params_m is not None]
    most = (f"at most {cap}, the request's count" if cap is not None and cap < max(factors.training.device_counts)
            else f"at most {max(factors.training.device_counts)}, or the inventory's")
    if room and sized:
        model = min(sized, key=lambda m: m.params_m.value)
        largest = max(room, key=room.get)
        reason = (f"no device the request allows holds the training state of {model.id}: "
                  f"{training_memory_gb(model, factors, method):,.1f} GB ({factors.training.state_bytes(method):g} bytes a "
                  f"parameter{': weights, gradients, optimiser moments and master weights' if method == 'full' else ''}, "
                  f"plus runtime overhead) "
                  f"against at most {room[largest]:,.1f} GB on {largest}, even sharded (FSDP / ZeRO-3) over as many "
                  f"of them as the job may take ({most})"
                  # how many it takes sharded: "at most 1024" had read as if 1,024 H100s would not hold a 70B
                  f"; sharded, it needs at least {math.ceil(training_memory_gb(model, factors, method) / room[largest])}"
                  f" of them")
        hint = ("allow a device with more memory, or name a smaller model"
                + (", or fine-tune with LoRA or QLoRA (say so)" if method == "full" else ""))
    elif cannot_train:
        reasons = "; ".join(f"{device}: {why}" for device, why in cannot_train.items())
        reason = f"no device the request allows can train ({reasons})"
        hint = ("allow a device that trains (a datacenter or workstation GPU, a TPU, Gaudi, Ascend 910 or a "
                "server CPU), then plan serving the trained model on the device you named")
    else:
        return
    error = InfeasibleError(reason, InfeasibilityReport(reason=reason, candidates=0))
    error.hint = hint
    raise error


#: The bounds a training plan honours, and the figure of a row each one bounds.
JOB_BOUNDS = {Metric.COST: "cost_per_hour", Metric.POWER: "power_w", Metric.MEMORY: "memory_gb",
              Metric.ACCURACY: "accuracy", Metric.JOB_TIME: "hours", Metric.JOB_COST: "job_cost_usd"}


def meets_bounds(row: TrainingRow, intent: Intent, skip: Constraint | None = None) -> bool:
    """Whether a row meets every job bound of the request (but ``skip``)."""
    for c in intent.constraints:
        if c.metric not in JOB_BOUNDS or c is skip:
            continue
        value = _bounded_value(row, c)
        if value is None or (value > c.value if c.op == "<=" else value < c.value):
            return False
    return True


def _bounded_value(row: TrainingRow, c: Constraint) -> float | None:
    value = getattr(row, JOB_BOUNDS[c.metric])
    if c.per_device and value is not None and c.metric == Metric.POWER:
        value = value / row.devices  # "8 GPUs at most 300 W each": each device's (memory_gb is already one's)
    return value


def job_conflicts(rows: list[TrainingRow], intent: Intent) -> list[Conflict]:
    """Each job bound with the best value reachable while the others hold (or, when nothing meets
    the others, by any row), as an infeasible inference request lists them."""
    out = []
    for c in intent.constraints:
        if c.metric not in JOB_BOUNDS:
            continue
        pool = [r for r in rows if meets_bounds(r, intent, skip=c)]
        values = [v for v in (_bounded_value(r, c) for r in (pool or rows)) if v is not None]
        best = (min(values) if c.op == "<=" else max(values)) if values else None
        met = best is not None and (best <= c.value if c.op == "<=" else best >= c.value)
        if not met:  # a bound some row meets while the others hold is no part of the conflict
            out.append(Conflict(constraint=c, best_reachable=best, alone=not pool))
    return out


def unplanned_bounds(intent: Intent) -> list[str]:
    """Bounds a training plan cannot honour (they describe serving), for the plan's warnings."""
    return [f"'{c.source or c.describe()}' ({c.describe()}) bounds serving, not this {intent.workload.kind.value} job; "
            "plan the serving separately once the job is done" for c in intent.constraints if c.metric not in JOB_BOUNDS] \
        + unplanned_layout(intent, f"this {intent.workload.kind.value} job", "data parallel, or fully sharded "
                                                                             "(FSDP / ZeRO-3) when the state needs it")


def unplanned_layout(intent: Intent, where: str, instead: str) -> list[str]:
    """A parallel layout the request asks for that ``where`` does not plan (it plans ``instead``)."""
    from planner.search.layout import asked_layout, describe

    tensor, pipeline = asked_layout(intent.workload)
    if tensor is None and pipeline is None:
        return []
    return [f"the layout asked for ({describe(tensor, pipeline)}) is not planned for {where}: it is planned {instead}"]


#: Said in a plan whose job runs on devices the request owns with no objective stated.
OWNED_JOB_NOTE = ("no objective stated, on devices the request says it has: the shortest job (they are paid for, so "
                  "one device for 8 times as long saves only power), then the lowest cost; say 'cheapest' to minimise "
                  "the job's cost instead")


def scales_out_linked(device, factors: PerfFactors) -> bool:
    """Whether groups of ``device`` scale out at the linked scaling: devices on a scale-up fabric
    (NVLink-class, past PCIe bandwidth) sit in datacenter clusters whose network keeps up, and the
    training efficiency was fitted on per-GPU rates of such a cluster (Llama 2 on A100s), which
    fold its network in; a further loss would count it twice."""
    link = device.interconnect_gbs
    return link is not None and link.value > float(factors.all_reduce_latency_us["pcie_at_most_gbs"])


def scale_out_note(row: TrainingRow, factors: PerfFactors) -> list[str]:
    """What a job on more devices than one scale-up group assumes: data parallelism between the
    groups runs over the network, at the linked scaling in a datacenter cluster (scales_out_linked)
    or the unlinked one, sharded state moving more bytes."""
    group = row.device.max_group.value if row.device.max_group is not None else None
    if group is None or row.devices <= group:
        return []
    t = factors.training
    linked = scales_out_linked(row.device, factors)
    base, name = (t.scaling_linked, "scaling_linked") if linked else (t.scaling_unlinked, "scaling_unlinked")
    scaling = 1 - t.sharded_traffic * (1 - base) if row.sharded else base
    traffic = ", with ZeRO-3 traffic" if row.sharded else ""
    why = (" as in the datacenter cluster the training efficiency was fitted on (Llama 2's per-GPU rates fold "
           "its network in)") if linked else ""
    note = (f"{row.devices} x {row.device.id} span {math.ceil(row.devices / group)} scale-up groups of {group:g}: data "
            f"parallelism between them runs over the network, planned at {scaling:.0%} scaling efficiency{why} "
            f"(training.{name}{traffic} in planner/data/perf-factors.yaml, an estimate)")
    return [note]


def default_job_objective(intent: Intent) -> tuple[str, str]:
    """A job's objective when the request states none: its whole cost; on devices the request
    owns ("on our 8x A100"), its time, since they are paid for whether used or idle."""
    return ("job_time", "minimize") if intent.hardware.owned else ("cost", "minimize")


def choose(rows: list[TrainingRow], intent: Intent, settings: SolverSettings) -> tuple[TrainingRow, str, str, float]:
    """CP-SAT picks one row: the objective, then job time, energy and row index. Returns
    (row, status, objective described, the row's value on it; 0 where unknown)."""
    feasible = [r for r in rows if meets_bounds(r, intent)]
    if not feasible:
        bounds = ", ".join(c.describe() for c in intent.constraints) or "the request"
        raise InfeasibleError(f"no training configuration meets {bounds}",
                              InfeasibilityReport(reason=f"no training configuration meets {bounds}",
                                                  conflicts=job_conflicts(rows, intent), candidates=len(rows)))
    metric, sense = ((intent.objective.metric.value, intent.objective.sense.value) if intent.objective
                     and intent.objective.metric.value in JOB_FIELDS else default_job_objective(intent))
    field = JOB_FIELDS[metric]
    # after the objective (within settings.objective_tolerance: predictions err by tens of percent), the
    # fewest scale-up groups (nodes): 64 chips for a 2-minute job at the cost of 16 had been planned, as
    # linear scaling made every count cost alike and the hours decided; then the hours and the energy
    # a cost objective then weighs device-hours, what a job's cost is on devices of one price: where no price
    # is published (on-prem A100s), 8 A100s for a LoRA one does in 2.5 h had been planned on the hours alone
    proxy = [("device_hours", "minimize")] if metric == "cost" else []
    levels = [(field, sense), ("groups", "minimize"), *proxy] + \
        [(f, "minimize") for f in ("hours", "job_cost_usd", "energy_kwh") if f != field]
    cp = cp_model()
    model = cp.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(feasible))]
    model.add_exactly_one(x)
    order = [(cp.LinearExpr.weighted_sum(x, _level_coefficients(feasible, f, direction, settings.objective_tolerance
                                                                 if f == field else 0.0)), direction)
             for f, direction in levels]
    order.append((cp.LinearExpr.weighted_sum(x, list(range(len(feasible)))), "minimize"))
    solver = new_solver(cp, settings)
    result = optimise_in_order(cp, model, solver, order, keep=x)
    if result is None:
        raise PlanningError("the solver found no training plan within its time limit")
    chosen = feasible[result.assignment.index(1)]
    described = f"{sense} {metric} (job total)" if metric == "cost" else f"{sense} {metric}"
    return chosen, result.status, described, getattr(chosen, JOB_FIELDS[metric]) or 0.0


def _level_coefficients(rows: list[TrainingRow], field: str, direction: str, tolerance: float) -> list[int]:
    """A level's integer coefficients: a job figure's (those within ``tolerance`` of the best share
    the best's, so the next levels decide among them), or a row's scale-up groups."""
    if field == "groups":
        return [_groups(r) for r in rows]
    if field == "device_hours":
        return [math.ceil(r.devices * r.hours * 1000) if r.hours is not None else 10**12 for r in rows]
    values = _coefficients(rows, field, direction)
    known = [v for v, r in zip(values, rows) if getattr(r, field) is not None]
    if not tolerance or not known:
        return values
    best = min(known) if direction == "minimize" else max(known)
    reach = abs(best) * tolerance
    return [best if getattr(r, field) is not None and abs(v - best) <= reach else v for v, r in zip(values, rows)]


def _groups(row: TrainingRow) -> int:
    """The scale-up groups (nodes) a job's devices span: one where the device states none."""
    group = int(row.device.max_group.value) if row.device.max_group is not None else 1
    return math.ceil(row.devices / max(group, 1))


def _coefficients(rows: list[TrainingRow], field: str, direction: str) -> list[int]:
    """A job figure scaled to integers; unknown figures rank after every known one."""
    values = [getattr(r, field) for r in rows]
    known = [v for v in values if v is not None]
    if not known:
        worst = 0
    else:
        worst = max(known) * 10 + 1 if direction == "minimize" else min(known) - 1
    return [round((worst if v is None else v) * JOB_SCALE[field]) for v in values]


def steps_of(job: TrainingSetup) -> int:
    return job.epochs * math.ceil(job.records / job.batch_size)


def batch_bounds(intent: Intent) -> tuple[list, list[str], list[str]]:
    """An inference request bounded as a job ("summarize 10,000 documents within 2 hours"):
    its job bounds become bounds a serving plan has. N items within T hours is a throughput of
    at least N / (T x 3600) requests per second. A total of C dollars for N items stays a bound
    on the job's whole cost (cost per hour / items per hour x N, the planner's ``job_cost``),
    with or without a time; without the items, C dollars within T hours is at most C / T
    dollars an hour. Returns (constraints, assumptions, warnings)."""
    from intent.schema import Constraint

    out, notes, warnings = [], [], []
    records = intent.workload.dataset_records
    hours = intent.bound(Metric.JOB_TIME, "<=")
    total = intent.bound(Metric.JOB_COST, "<=")
    for c in intent.constraints:
        if c.metric != Metric.JOB_TIME and (c.metric != Metric.JOB_COST or records):
            out.append(c)
    if hours is not None and hours > 0 and records:
        rate = records / (hours * 3600)
        out = _tightened(out, Constraint(metric=Metric.THROUGHPUT, op=">=", value=rate, unit="rps",
                                         source=f"{records:,} items within {hours:g} h"))
        notes.append(f"{records:,} items within {hours:g} h read as a throughput of at least {rate:.4g} requests/s")
    elif hours is not None and intent.bound(Metric.TOKEN_THROUGHPUT, ">=") is None:
        # no size to make a rate of ("500M tokens within 3 days" has one: its token rate, read already)
        warnings.append(f"a job time of {hours:g} h needs the job's size (how many items) to plan for; say how many "
                        "documents, images or requests the job holds")
    if total is not None and records:
        notes.append(f"a total of ${total:g} for {records:,} items planned as the whole job's cost (cost per hour / "
                     "items per hour x items)")
    elif total is not None and hours is not None and hours > 0:
        ceiling = total / hours
        out = _tightened(out, Constraint(metric=Metric.COST, op="<=", value=ceiling, unit="USD/h",
                                         source=f"${total:g} within {hours:g} h"))
        notes.append(f"a total of ${total:g} within {hours:g} h read as at most ${ceiling:.4g} an hour")
    elif total is not None:
        warnings.append(f"a job total of ${total:g} needs the job's time to plan for (say 'within 12 hours'); "
                        "not planned")
    return out, notes, warnings


def _tightened(constraints: list, bound) -> list:
    """``constraints`` with ``bound`` in place of a looser one on the same (metric, op)."""
    same = [c for c in constraints if (c.metric, c.op) == (bound.metric, bound.op)]
    if same and (same[0].value >= bound.value if bound.op == ">=" else same[0].value <= bound.value):
        return constraints
    return [c for c in constraints if c not in same] + [bound]
