"""The performance model's factors and the runtime table, loaded from planner/data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from hardware.yamlio import load_yaml
from pydantic import BaseModel, ConfigDict

from hardware.schema import Device, Figure


class RequestShape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    prompt_tokens: int
    output_tokens: int


class PerfFactors(BaseModel):
    """See planner/data/perf-factors.yaml for what each factor means."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int
    compute_efficiency: dict[str, float]
    bandwidth_efficiency: float
    step_overhead_ms: dict[str, float]
    idle_fraction_of_tdp: float
    memory_power_share: float
    runtime_memory_overhead: float
    activation_mb_per_gflop: float
    kv_gb_per_bparam_per_ktoken: float
    bytes_per_param: dict[str, float]
    request_shape: dict[str, RequestShape]
    precisions_by_kind: dict[str, list[str]]
    accuracy_drop: dict[str, float]
    amortisation_years: float
    electricity_usd_per_kwh: Figure
    batch_sizes: list[int]
    max_replicas: int

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
    return load_yaml((resources.files("planner") / "data" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_factors() -> PerfFactors:
    return PerfFactors.model_validate(_read("perf-factors.yaml"))


@lru_cache(maxsize=1)
def load_runtimes() -> tuple[RuntimeRule, ...]:
    return tuple(RuntimeRule.model_validate(r) for r in _read("runtimes.yaml")["runtimes"])


def runtime_for(device: Device, kind: str) -> RuntimeRule:
    return next(rule for rule in load_runtimes() if rule.applies(device, kind))
