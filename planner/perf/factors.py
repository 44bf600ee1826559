"""The performance model's factors and the runtime table, loaded from planner/data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, field_validator

from hardware.schema import Device, Figure
from hardware.yamlio import packaged_yaml


class RequestShape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    prompt_tokens: int
    output_tokens: int


class TrainingFactors(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    flops_per_sample_factor: float
    state_bytes_per_param: float
    precisions: list[str]
    device_counts: list[int]
    scaling_linked: float
    scaling_unlinked: float
    dp_sgd_overhead: float
    default_batch_size: int
    default_epochs: int
    tokens_per_sample: int


class PerfFactors(BaseModel):
    """See planner/data/perf-factors.yaml for what each factor means."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int
    compute_efficiency: dict[str, float]
    family_efficiency: dict[str, float] = {}
    bandwidth_efficiency: float
    step_overhead_ms: dict[str, float]
    idle_fraction_of_tdp: float
    memory_power_share: float
    runtime_memory_overhead: float
    activation_mb_per_gflop: float
    family_activation_mb_per_gflop: dict[str, float] = {}
    kv_gb_per_bparam_per_ktoken: float
    bytes_per_param: dict[str, float]
    request_shape: dict[str, RequestShape]
    precisions_by_kind: dict[str, list[str]]
    accuracy_drop: dict[str, float]
    amortisation_years: float
    electricity_usd_per_kwh: Figure
    batch_sizes: list[int]
    max_replicas: int
    shard_degrees: list[int] = [1]
    tensor_parallel_efficiency: float = 1.0
    d_model_per_layer: float = 128.0
    training: TrainingFactors | None = None

    @field_validator("shard_degrees")
    @classmethod
    def _one_first_then_increasing(cls, degrees: list[int]) -> list[int]:
        if not degrees or degrees[0] != 1 or any(a >= b for a, b in pairwise(degrees)):
            raise ValueError("shard degrees start at 1 and increase, e.g. [1, 2, 4, 8]")
        return degrees

    def efficiency(self, device_class: str, family: str) -> float:
        """Fraction of peak reached: the device class's, times the model family's multiplier."""
        return self.compute_efficiency[device_class] * self.family_efficiency.get(family, 1.0)

    def activation_mb(self, family: str) -> float:
        """Activation traffic per GFLOP for a model family (the global prior when not fitted)."""
        return self.family_activation_mb_per_gflop.get(family, self.activation_mb_per_gflop)

    def shape_for(self, task: str) -> RequestShape:
        return self.request_shape.get(task, self.request_shape["default"])


class RuntimeRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    match: dict[str, str]
    kinds: list[str] | None = None
    runtime: str
    serving: str

    def applies(self, device: Device, kind: str) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        return all(getattr(device, field) == value for field, value in self.match.items())


def _read(name: str) -> dict:
    return packaged_yaml("planner", name)


CALIBRATED = ("compute_efficiency", "family_efficiency", "activation_mb_per_gflop", "family_activation_mb_per_gflop",
              "step_overhead_ms")


@lru_cache(maxsize=2)
def load_factors(calibrated: bool = True) -> PerfFactors:
    """The model's factors; with ``calibrated``, the values fitted to MLPerf results
    (planner/data/calibration.yaml, written by scripts/calibrate_mlperf.py) replace the priors."""
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


def runtime_for(device: Device, kind: str) -> RuntimeRule:
    return next(rule for rule in load_runtimes() if rule.applies(device, kind))
