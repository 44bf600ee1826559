"""A roofline performance model: latency, throughput, power, energy, memory, cost, accuracy.

For one (model, device, precision, batch size) the time of a batch step is the larger of
the compute time (work / effective peak) and the memory time (bytes moved / effective
bandwidth), plus a fixed step overhead. Autoregressive models run one prefill over the
prompt and one step per generated token, each step reading all the weights, which is why
they are usually bandwidth-bound. Power is idle draw plus the dynamic share the step keeps
busy. The efficiency factors live in planner/data/perf-factors.yaml.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pydantic import BaseModel, ConfigDict

from hardware import Catalog, Device, ModelVariant, load_catalog
from hardware.schema import Figure, ModelKind
from planner.errors import EstimateError
from planner.factors import PerfFactors, load_factors

HOURS_PER_YEAR = 8760


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
    bound_by: str
    provenance: dict[str, str]


@dataclass(frozen=True, slots=True)
class Prediction:
    """The planner's internal, light form of an Estimate (one per candidate row)."""

    model_id: str
    device_id: str
    precision: str
    batch_size: int
    placement: str
    latency_ms: float
    throughput_rps: float
    power_w: float | None
    energy_j: float | None
    memory_gb: float
    cost_usd_per_hour: float | None
    accuracy: float | None
    bound_by: str
    provenance: dict[str, str]

    def to_estimate(self) -> Estimate:
        return Estimate.model_validate(asdict(self))


def supports(device: Device, model: ModelVariant, precision: str, factors: PerfFactors | None = None) -> str | None:
    """Why (model, device, precision) is not a candidate, or None when it is."""
    factors = factors or load_factors()
    if precision not in device.peak:
        return f"{device.id} publishes no {precision} throughput"
    if precision not in factors.precisions_by_kind[model.kind.value]:
        return f"{model.id} ({model.kind.value}) is not deployed in {precision}"
    if model.params_m is None or model.gflops is None:
        return f"{model.id} has no published size or FLOP count"
    if device.memory_gb is None:
        return f"{device.id} publishes no memory size"
    return None


def estimate(model_id: str, device_id: str, precision: str, batch_size: int, placement: str | None = None,
             catalog: Catalog | None = None) -> Estimate:
    """Predict one configuration; raises EstimateError when it is not a candidate."""
    catalog = catalog or load_catalog()
    return predict(catalog.model(model_id), catalog.device(device_id), precision, batch_size, placement).to_estimate()


def predict(model: ModelVariant, device: Device, precision: str, batch_size: int,
            placement: str | None = None, factors: PerfFactors | None = None) -> Prediction:
    """One configuration; raises EstimateError when it is not a candidate."""
    if batch_size < 1:
        raise EstimateError(f"batch size must be at least 1, not {batch_size}")
    rows, reason = predict_batches(model, device, precision, [batch_size], placement, factors)
    if not rows:
        raise EstimateError(reason)
    return rows[0]


def predict_batches(model: ModelVariant, device: Device, precision: str, batch_sizes: list[int],
                    placement: str | None = None, factors: PerfFactors | None = None) -> tuple[list[Prediction], str | None]:
    """Predictions for increasing batch sizes, stopping at the first that does not fit; also
    the reason the list stops short (None when every batch size fits)."""
    factors = factors or load_factors()
    reason = supports(device, model, precision, factors)
    if reason:
        return [], reason
    placement = placement or device.placements[0].value
    accuracy = _accuracy(model, precision, factors)
    provenance = _provenance(model, device, precision, placement)
    roofline = _Roofline(model, device, precision, factors)
    out = []
    for batch in batch_sizes:
        memory_gb = _memory_gb(model, precision, batch, factors)
        if memory_gb > device.memory_gb.value:
            return out, (f"{model.id} in {precision} at batch {batch} needs {memory_gb:.2f} GB; "
                         f"{device.id} has {device.memory_gb.value:g} GB")
        step_s, compute_s, memory_s = roofline.timing(batch)
        power = _power(device, compute_s / step_s, memory_s / step_s, factors)
        out.append(Prediction(
            model_id=model.id, device_id=device.id, precision=precision, batch_size=batch, placement=placement,
            latency_ms=step_s * 1000, throughput_rps=batch / step_s,
            power_w=power, energy_j=None if power is None else power * step_s / batch,
            memory_gb=memory_gb, cost_usd_per_hour=_cost(device, placement, power, factors), accuracy=accuracy,
            bound_by="compute" if compute_s >= memory_s else "memory bandwidth", provenance=provenance,
        ))
    return out, None


class _Roofline:
    """The batch-independent quantities of one (model, device, precision)."""

    def __init__(self, model: ModelVariant, device: Device, precision: str, f: PerfFactors):
        self.peak = device.peak[precision].value * 1e12 * f.compute_efficiency[device.device_class]
        bandwidth = device.memory_bandwidth_gbs
        self.bandwidth = bandwidth.value * 1e9 * f.bandwidth_efficiency if bandwidth else None
        self.weights = model.params_m.value * 1e6 * f.bytes_per_param[precision]
        self.overhead = f.step_overhead_ms[device.device_class] / 1000
        self.flops = model.gflops.value * 1e9
        self.activation_bytes = model.gflops.value * f.activation_mb_per_gflop * 1e6 * f.bytes_per_param[precision] / 4
        self.autoregressive = model.kind == ModelKind.AUTOREGRESSIVE
        self.shape = f.shape_for(model.task)

    def _memory_time(self, nbytes: float) -> float:
        return nbytes / self.bandwidth if self.bandwidth else 0.0

    def timing(self, batch: int) -> tuple[float, float, float]:
        """(seconds per request, of which compute seconds, of which memory seconds)."""
        compute = batch * self.flops / self.peak
        if self.autoregressive:
            prefill = batch * self.shape.prompt_tokens * self.flops / self.peak
            memory = self._memory_time(self.weights)
            tokens = self.shape.output_tokens
            per_request = prefill + tokens * (max(compute, memory) + self.overhead)
            return per_request, prefill + tokens * compute, tokens * memory
        memory = self._memory_time(self.weights + batch * self.activation_bytes)
        return max(compute, memory) + self.overhead, compute, memory


def _memory_gb(model: ModelVariant, precision: str, batch: int, f: PerfFactors) -> float:
    weights = model.params_m.value * 1e6 * f.bytes_per_param[precision] / 1e9
    total = weights * (1 + f.runtime_memory_overhead)
    if model.kind == ModelKind.AUTOREGRESSIVE:
        shape = f.shape_for(model.task)
        tokens = (shape.prompt_tokens + shape.output_tokens) / 1000
        scale = f.bytes_per_param[precision] / 2 if f.bytes_per_param[precision] >= 2 else 1
        total += batch * f.kv_gb_per_bparam_per_ktoken * model.params_m.value / 1000 * tokens * scale
    else:
        total += batch * model.gflops.value * f.activation_mb_per_gflop * f.bytes_per_param[precision] / 4 / 1000
    return total


def _power(device: Device, compute_share: float, memory_share: float, f: PerfFactors) -> float | None:
    if device.tdp_w is None:
        return None
    tdp = device.tdp_w.value
    idle = device.idle_w.value if device.idle_w else tdp * f.idle_fraction_of_tdp
    load = min(1.0, max(compute_share, memory_share * f.memory_power_share))
    return idle + (tdp - idle) * load


def _cost(device: Device, placement: str, power: float | None, f: PerfFactors) -> float | None:
    """Cloud: the on-demand price. Owned: purchase over its service life plus electricity."""
    if placement == "cloud":
        return device.cloud_usd_per_hour.value if device.cloud_usd_per_hour else None
    if device.purchase_usd is None or power is None:
        return None
    amortised = device.purchase_usd.value / (f.amortisation_years * HOURS_PER_YEAR)
    return amortised + power / 1000 * f.electricity_usd_per_kwh.value


def _accuracy(model: ModelVariant, precision: str, f: PerfFactors) -> float | None:
    published = model.accuracy.get(precision) or (model.accuracy.get("fp16") if precision == "bf16" else None)
    if published:
        return published.value
    base = model.accuracy.get("fp32")
    return None if base is None else base.value - f.accuracy_drop[precision]


def _basis(figure: Figure | None) -> str:
    return figure.basis.value if figure else "unknown"


def _provenance(model: ModelVariant, device: Device, precision: str, placement: str) -> dict[str, str]:
    """Where each predicted figure comes from: the model, plus the basis of its inputs."""
    accuracy = "published" if precision in model.accuracy or (precision in ("fp32",) and model.accuracy) else "estimated"
    if not model.accuracy:
        accuracy = "unknown"
    cost_input = device.cloud_usd_per_hour if placement == "cloud" else device.purchase_usd
    return {
        "latency_ms": f"model (peak {precision}: {_basis(device.peak[precision])}, FLOPs: {_basis(model.gflops)})",
        "throughput_rps": "model (batch / latency)",
        "power_w": f"model (TDP: {_basis(device.tdp_w)})",
        "energy_j": "model (power x latency / batch)",
        "memory_gb": f"model (parameters: {_basis(model.params_m)})",
        "cost_usd_per_hour": f"{'price' if placement == 'cloud' else 'purchase price'}: {_basis(cost_input)}",
        "accuracy": accuracy,
    }
