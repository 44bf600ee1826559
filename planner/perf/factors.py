"""The performance model's factors and the runtime table, loaded from planner/data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from hardware.schema import Device, ModelVariant
from hardware.yamlio import packaged_yaml


class RequestShape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    prompt_tokens: int
    output_tokens: int


class TrainingMethod(BaseModel):
    """A parameter-efficient fine-tuning method: its state per parameter and FLOPs per sample."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    what: str
    state_bytes_per_param: float
    flops_per_sample_factor: float
    source: str
    formula: str
    #: The vendors whose devices run the method's kernels (None: any that trains); QLoRA's NF4 weights need
    #: bitsandbytes, which runs on no TPU or Ascend NPU.
    vendors: list[str] | None = None
    vendors_why: str | None = None
    vendors_source: str | None = None


class TrainingFactors(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    flops_per_sample_factor: float
    methods: dict[str, TrainingMethod] = {}
    efficiency: dict[str, float]  # by model structure, "default" for the rest
    sample_overhead_ms: dict[str, float] = {}  # by task: a sample's host-side cost per data-parallel process

    def efficiency_of(self, structure: str | None) -> float:
        return self.efficiency.get(structure or "", self.efficiency["default"])
    state_bytes_per_param: float
    precisions: list[str]
    device_counts: list[int]
    scaling_linked: float
    scaling_unlinked: float
    sharded_traffic: float
    dp_sgd_overhead: float
    default_batch_size: int
    default_epochs: int
    default_epochs_from_scratch: int
    tokens_per_sample: int

    def state_bytes(self, method: str) -> float:
        """Training state per parameter: a full fine-tune's, or a named method's."""
        return self.methods[method].state_bytes_per_param if method in self.methods else self.state_bytes_per_param

    def flops_factor(self, method: str) -> float:
        """FLOPs of a training sample in forward passes: a full fine-tune's, or a named method's."""
        return self.methods[method].flops_per_sample_factor if method in self.methods else self.flops_per_sample_factor


class WeightOnlyRule(BaseModel):
    """Devices whose software does a format's arithmetic in other formats (perf-factors.yaml
    weight_only_on): AWS Neuron's int8, llama.cpp's 4-bit kernels on CPUs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    match: dict[Literal["vendor", "device_class", "kind"], str]  # kind: the model's (autoregressive)
    formats: dict[str, list[str]]
    source: str

    def matches(self, device: Device, kind: str | None) -> bool:
        return all((kind if key == "kind" else str(getattr(device, key))) == value for key, value in self.match.items())


MISSING = object()


class PerfFactors(BaseModel):
    """See planner/data/perf-factors.yaml for what each factor means; the fitted ones are
    replaced by planner/data/calibration.yaml (scripts/calibrate_mlperf.py)."""

    _arithmetic_choices: dict = PrivateAttr(default_factory=dict)

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int
    compute_efficiency: dict[str, float]
    precision_efficiency: dict[str, dict[str, float]] = {}
    device_efficiency: dict[str, dict[str, float]] = {}
    family_efficiency: dict[str, float] = {}
    structure_efficiency: dict[str, float] = {}
    kind_efficiency: dict[str, float] = {}  # by model kind (diffusion): see perf-factors.yaml
    architecture_structure_efficiency: dict[str, dict[str, float]] = {}
    bandwidth_efficiency: float
    all_reduce_latency_us: dict[str, float | str]
    step_overhead_ms: dict[str, float]
    device_overhead_ms: dict[str, float] = {}
    layer_launch_ms: dict[str, float] = {}
    device_layer_launch_ms: dict[str, float] = {}
    moe_layer_step_ms: float = 0.0
    structure_layers: dict[str, float] = {}
    latency_mode_batches: dict[str, float] = {}
    device_latency_mode_batches: dict[str, float] = {}
    latency_mode_batches_per_core: float | None = None
    latency_mode_max_gflop: float | None = None  # None: a sample's idle work grows with all its FLOPs
    prefill_efficiency: float = 1.0
    idle_fraction_of_tdp: float
    memory_power_share: float
    runtime_memory_overhead: float
    activation_mb_per_gflop: float
    structure_activation_mb_per_gflop: dict[str, float] = {}
    activation_memory_fraction: float = 0.05
    kv_bytes_per_element: dict[str, float] = {}
    serving_overhead_ms: float = 0.0
    bytes_per_param: dict[str, float]
    weight_only: dict[str, list[str]] = {}
    weight_only_on: list[WeightOnlyRule] = []
    request_shape: dict[str, RequestShape]
    precisions_by_kind: dict[str, list[str]]
    accuracy_drop: dict[str, float]
    batch_sizes: list[int]
    max_replicas: int
    shard_degrees: list[int] = [1]
    tensor_parallel_efficiency: float = 1.0
    d_model_per_layer: float = 128.0
    training: TrainingFactors | None = None
    fitted_rows: dict[str, dict[str, int]] = {}
    # Fitted to the user's own measurements (intentctl calibrate; planner.measure.fitted), never packaged:
    device_bandwidth_efficiency: dict[str, float] = {}
    device_power_w: dict[str, dict[str, float]] = {}  # {"idle": W, "busy": W at full load, default mode}
    calibrated_devices: dict[str, int] = {}  # device id -> measurements its parameters are fitted to

    @field_validator("shard_degrees")
    @classmethod
    def _one_first_then_increasing(cls, degrees: list[int]) -> list[int]:
        if not degrees or degrees[0] != 1 or any(a >= b for a, b in pairwise(degrees)):
            raise ValueError("shard degrees start at 1 and increase, e.g. [1, 2, 4, 8]")
        return degrees

    def efficiency(self, device: Device, precision: str) -> float:
        """Fraction of peak a (device, precision) reaches on dense work: the fitted figure where
        measurements constrain it; else the device class's prior for the precision, times the
        device's own offset from its class where other precisions of it are fitted (a device that
        sustains less of its spec-sheet peak, a power-limited card's clocks, does so in every
        precision); else the class's prior; each times its chip family's offset where the family's
        devices are fitted (variants of one chip sustain a like share of its peak)."""
        fitted = self.device_efficiency.get(device.id, {})
        if precision in fitted:
            return fitted[precision]
        return self.family_prior(device, precision) * self._device_offset(device)

    def family_prior(self, device: Device, precision: str) -> float:
        """The efficiency a device's own fit starts from: its class's for the precision, times its
        chip family's fitted offset (1 without one)."""
        family = self.family_efficiency.get(device.family, 1.0) if device.family else 1.0
        return self._class_efficiency(device.device_class, precision) * family

    def _class_efficiency(self, device_class: str, precision: str) -> float:
        return self.precision_efficiency.get(device_class, {}).get(precision, self.compute_efficiency[device_class])

    def _device_offset(self, device: Device) -> float:
        """Geometric mean over a device's fitted precisions of fitted / family prior (1 when none)."""
        fitted = self.device_efficiency.get(device.id)
        if not fitted:
            return 1.0
        ratio = 1.0
        for precision, value in fitted.items():
            ratio *= value / self.family_prior(device, precision)
        return ratio ** (1 / len(fitted))

    def efficiency_basis(self, device: Device, precision: str) -> str:
        """Where ``efficiency`` comes from, for a figure's provenance."""
        fitted = self.device_efficiency.get(device.id, {})
        if precision in fitted:
            rows = self.fitted_rows.get("device_efficiency", {}).get(f"{device.id}/{precision}")
            return f"efficiency fitted to {rows or 'some'} measurement(s) of this device in {precision}"
        family = f" and its {device.family} family's fitted offset" if device.family in self.family_efficiency else ""
        if fitted:
            return (f"{device.device_class} prior efficiency for {precision}{family} times this device's fitted "
                    f"offset in {', '.join(sorted(fitted))}")
        return f"{device.device_class} prior efficiency for {precision}{family} (no fitted data for {device.id})"

    def structure_multiplier(self, structure: str | None, device: Device | None = None) -> float:
        """How much of a dense network's efficiency a model of this compute structure reaches: the
        global figure, times its architecture's own where measurements on that architecture
        constrain it (Hopper's tensor cores reach more of peak on transformers than on convolutions)."""
        structure = structure or "dense-conv"
        architecture = device and device.architecture and device.architecture.name
        own = self.architecture_structure_efficiency.get(architecture, {}).get(structure, 1.0) if architecture else 1.0
        return self.structure_efficiency.get(structure, 1.0) * own

    def activation_mb(self, structure: str | None) -> float:
        """Activation traffic per GFLOP for a compute structure (the global prior when not fitted)."""
        return self.structure_activation_mb_per_gflop.get(structure or "dense-conv", self.activation_mb_per_gflop)

    def overhead_ms(self, device: Device) -> float:
        """Fixed cost of one inference step on a device: fitted per device, else its class's."""
        return self.device_overhead_ms.get(device.id, self.step_overhead_ms[device.device_class])

    def launch_ms(self, device: Device) -> float:
        """Cost of one weighted layer's launch on a device: fitted per device, else its class's."""
        return self.device_layer_launch_ms.get(device.id, self.layer_launch_ms.get(device.device_class, 0.0))

    def layers(self, model: ModelVariant) -> tuple[float, str]:
        """A model's weighted layers (the launches of one step) and where the count comes from: the
        catalog's (published or derived); for a text generator, 4 per transformer block of its
        architecture (fused QKV, attention output, fused gate/up, down projection); else its
        compute structure's prior."""
        if model.layers is not None:
            return model.layers.value, model.layers.basis.value
        if model.architecture is not None:
            return 4.0 * model.architecture.layers, "derived (4 per transformer block of its architecture)"
        structure = model.structure.value if model.structure else "dense-conv"
        return self.structure_layers.get(structure, 0.0), f"{structure} prior (no published count)"

    def latency_batches(self, device: Device) -> float:
        """Latency mode: batch b costs b + this many samples (each counted up to
        ``latency_mode_max_gflop``). Fitted per device, else per core for a CPU that states its
        cores (one sample is spread over more cores less well), else per class."""
        if device.id in self.device_latency_mode_batches:
            return self.device_latency_mode_batches[device.id]
        if device.cores is not None and self.latency_mode_batches_per_core is not None:
            return self.latency_mode_batches_per_core * device.cores.value
        return self.latency_mode_batches.get(device.device_class, 0.0)

    def bandwidth_share(self, device: Device) -> float:
        """Fraction of the spec-sheet memory bandwidth reached: fitted for a calibrated device, else global."""
        return min(1.0, self.device_bandwidth_efficiency.get(device.id, self.bandwidth_efficiency))

    def all_reduce_s(self, device: Device) -> float:
        """The fixed time one all-reduce waits on a device's link, seconds (PCIe or a scale-up
        fabric, by the link's bandwidth; NaN without a link)."""
        if device.interconnect_gbs is None:
            return float("nan")
        pcie = device.interconnect_gbs.value <= float(self.all_reduce_latency_us["pcie_at_most_gbs"])
        return float(self.all_reduce_latency_us["pcie" if pcie else "scale_up"]) * 1e-6

    def compute_precision(self, device: Device, precision: str, kind: str | None = None) -> str | None:
        """The format ``device`` does the arithmetic of ``precision`` in: the precision itself,
        or for a weight-only format (int4; int8 where the software stores it weight-only, for
        models of ``kind`` where the rule names one: weight_only_on) the first of its compute
        formats the device has a peak for; None when it has none. (A hot path of building every
        plan's table: the rules are looked up once per vendor, class, format and kind.)"""
        key = (device.vendor, device.device_class, precision, kind)
        cache = self.__pydantic_private__["_arithmetic_choices"]  # not self._…: pydantic's __getattr__ is slow
        choices = cache.get(key, MISSING)
        if choices is MISSING:
            choices = cache[key] = self._choices(device, precision, kind)
        if choices is None:  # most precisions: the device's own arithmetic
            return precision if precision in device.peak else None
        if choices and precision not in device.peak and precision not in self.weight_only:
            return None  # a rule moves arithmetic the device has to other units; it adds no format
        return next((p for p in choices if p in device.peak), None)

    def _choices(self, device: Device, precision: str, kind: str | None) -> tuple[str, ...] | None:
        """The formats ``precision``'s arithmetic may run in on such a device (None: its own)."""
        rule = next((r for r in self.weight_only_on if precision in r.formats and r.matches(device, kind)), None)
        if rule is not None:
            return tuple(rule.formats[precision])
        weight_only = self.weight_only.get(precision)
        return None if weight_only is None else tuple(weight_only)

    def runs(self, device: Device, precision: str, kind: str, task: str | None) -> bool:
        """Whether ``device`` runs a model of ``kind`` and ``task`` in ``precision``: it has the
        arithmetic, and for a weight-only format its runtime has the kernels."""
        if self.compute_precision(device, precision, kind) is None:
            return False
        rule = runtime_for(device, kind, task)
        return rule.plans_in(precision) and (precision not in self.weight_only or precision in rule.weight_only)

    def kv_bytes(self, precision: str) -> float:
        return self.kv_bytes_per_element.get(precision, 2.0)

    def shape_for(self, task: str) -> RequestShape:
        return self.request_shape.get(task, self.request_shape["default"])


class RuntimeRule(BaseModel):
    """How a device runs a kind of model; ``runtime`` None says it runs none, and ``why``. A rule
    may be for models of some structures (transformer) or families (faster-rcnn) only: what a
    fixed-function accelerator's compiler cannot map."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    match: dict[str, str]
    kinds: list[str] | None = None
    tasks: list[str] | None = None
    structures: list[str] | None = None
    families: list[str] | None = None
    runtime: str | None
    max_batch: int | None = Field(default=None, description="the largest batch the runtime runs, with batch_docs")
    batch_docs: str | None = None
    memory_share: float | None = Field(default=None, gt=0, le=1, description="the share of device memory the runtime "
                                       "takes for the model (weights, activations, cache), with memory_docs; the rest "
                                       "is the CUDA context's and other processes'")
    memory_docs: str | None = None
    serving: str | None = None
    why: str | None = None
    docs: str | None = None
    weight_only: list[str] = Field(default_factory=list,
                                   description="weight-only formats its kernels run (int4: W4A16), with weights_docs")
    weights_docs: str | None = None
    precisions: list[str] | None = Field(default=None, description="the only precisions the runtime is planned in "
                                                                   "(all the device runs if absent), with precisions_docs")
    precisions_docs: str | None = None

    def plans_in(self, precision: str) -> bool:
        """Whether the runtime is planned in ``precision`` (Whisper on vLLM: 16-bit only)."""
        return self.precisions is None or precision in self.precisions

    def applies_to(self, device: dict[str, str], kind: str, task: str | None = None, structure: str | None = None,
                   family: str | None = None) -> bool:
        """Whether the rule is for a device (its RULE_FIELDS as text) and a model's kind, task,
        structure and family."""
        for allowed, value in ((self.kinds, kind), (self.tasks, task), (self.structures, structure),
                               (self.families, family)):
            if allowed is not None and value not in allowed:
                return False
        return all(device[field] == value for field, value in self.match.items())


class TrainingRuntimeRule(BaseModel):
    """The framework a device trains with; ``runtime`` None says it cannot train, and ``why``."""
    model_config = ConfigDict(frozen=True, extra="forbid")
    match: dict[str, str]
    runtime: str | None
    docs: str | None = None
    why: str | None = None

    def applies(self, device: Device) -> bool:
        return all(getattr(device, field) == value for field, value in self.match.items())


def _read(name: str) -> dict:
    return packaged_yaml("planner", name)


CALIBRATED = ("compute_efficiency", "precision_efficiency", "device_efficiency", "family_efficiency",
              "structure_efficiency", "architecture_structure_efficiency",
              "bandwidth_efficiency", "step_overhead_ms", "device_overhead_ms", "layer_launch_ms",
              "device_layer_launch_ms", "latency_mode_batches",
              "device_latency_mode_batches", "latency_mode_batches_per_core", "latency_mode_max_gflop",
              "prefill_efficiency", "structure_activation_mb_per_gflop", "fitted_rows")


def load_factors(calibrated: bool = True, user: bool = True) -> PerfFactors:
    """The model's factors; with ``calibrated``, the values fitted to MLPerf results
    (planner/data/calibration.yaml, written by scripts/calibrate_mlperf.py) replace the priors, and
    with ``user`` too, the device parameters fitted to the user's own measurements (intentctl
    calibrate, planner.measure.fitted) replace those of their devices."""
    factors = packaged_factors(calibrated)
    if not (calibrated and user):
        return factors
    from planner.measure.fitted import with_fitted_devices

    return with_fitted_devices(factors)


@lru_cache(maxsize=2)
def packaged_factors(calibrated: bool = True) -> PerfFactors:
    """The factors shipped with intentctl: the priors, and with ``calibrated`` the MLPerf fit."""
    data = _read("perf-factors.yaml")
    if calibrated and (resources.files("planner") / "data" / "calibration.yaml").is_file():
        fitted = _read("calibration.yaml")
        for key in CALIBRATED:
            if isinstance(data.get(key), dict):
                data[key] = {**data[key], **fitted.get(key, {})}
            elif key in fitted:
                data[key] = fitted[key]
    return PerfFactors.model_validate(data)


@lru_cache(maxsize=1)
def load_runtimes() -> tuple[RuntimeRule, ...]:
    return tuple(RuntimeRule.model_validate(r) for r in _read("runtimes.yaml")["runtimes"])


@lru_cache(maxsize=1)
def load_training_runtimes() -> tuple[TrainingRuntimeRule, ...]:
    return tuple(TrainingRuntimeRule.model_validate(r) for r in _read("runtimes.yaml")["training_runtimes"])


def training_runtime_for(device: Device) -> TrainingRuntimeRule:
    """The first training rule for a device (planner/data/runtimes.yaml training_runtimes)."""
    return next(rule for rule in load_training_runtimes() if rule.applies(device))


#: The device fields a runtime rule may match on (planner/data/runtimes.yaml).
RULE_FIELDS = ("vendor", "device_class", "form_factor", "family")


def runtime_for(device: Device, kind: str, task: str | None = None, structure: str | None = None,
                family: str | None = None) -> RuntimeRule:
    """The first runtime rule for a device and a model's kind and task, and where a rule asks, its
    structure and family (planner/data/runtimes.yaml; ``runtime_of`` reads them off a model)."""
    return _runtime_for(tuple(str(getattr(device, f)) for f in RULE_FIELDS), kind, task, structure, family)


def model_traits(model: ModelVariant) -> tuple[str, str | None, str | None, str | None]:
    """What a runtime rule matches of a model: its kind, task, structure and family."""
    return model.kind.value, model.task, model.structure.value if model.structure else None, model.family


def runtime_of(device: Device, model: ModelVariant) -> RuntimeRule:
    """``runtime_for`` a model: the rule for its kind, task, structure and family."""
    return runtime_for(device, *model_traits(model))


@lru_cache(maxsize=1)
def memory_share_tasks() -> frozenset[str]:
    """The tasks of the runtime rules that take a share of device memory (the rest: every task)."""
    return frozenset(task for rule in load_runtimes() if rule.memory_share is not None for task in rule.tasks or ["*"])


def may_cap_batches(device: Device) -> bool:
    """Whether a runtime rule with a batch limit is for this device (for some model)."""
    return _may_cap(tuple(str(getattr(device, f)) for f in RULE_FIELDS))


@lru_cache(maxsize=256)
def _may_cap(fields: tuple[str, ...]) -> bool:
    device = dict(zip(RULE_FIELDS, fields))
    return any(rule.max_batch is not None and all(device[k] == v for k, v in rule.match.items())
               for rule in load_runtimes())


@lru_cache(maxsize=4096)
def _runtime_for(fields: tuple[str, ...], kind: str, task: str | None, structure: str | None = None,
                 family: str | None = None) -> RuntimeRule:
    """``runtime_for`` by the device's matched fields: the same answer for every device alike."""
    device = dict(zip(RULE_FIELDS, fields))
    return next(rule for rule in load_runtimes() if rule.applies_to(device, kind, task, structure, family))
