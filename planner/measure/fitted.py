"""Device parameters fitted to the user's own measurements, and how the model reads them.

``intentctl calibrate`` fits, per measured device, the performance model's interpretable
parameters (planner.measure.calibrate) and writes them to ``device-params.yaml`` in the user's
data directory, each with its prior (the packaged value) and the rows behind it. Every later
prediction reads them in preference to the packaged ones (``planner.perf.factors.load_factors``),
so a measured device's other models move too; figures on such a device say "calibrated".

The parameters, by name:
- ``efficiency/<precision>``: fraction of the precision's peak reached on dense work;
- ``overhead_ms``: the fixed cost of one step (the batch-1 floor);
- ``latency_mode_batches``: a batch of b costs b + this many samples (batch 1 falls short of peak);
- ``bandwidth_efficiency``: fraction of the memory bandwidth reached (LLM decode);
- ``idle_w`` and ``busy_w``: power at idle and at full load, in the device's default mode.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.measure.store import MeasurementError, data_dir
from planner.perf.memo import ObjectCache

FITS_NAME = "device-params.yaml"
#: The parameters a device fit may hold, with what each means (for --list and the calibrate report).
PARAMETERS = {
    "efficiency": "fraction of peak on dense work",
    "overhead_ms": "batch-1 floor (fixed cost of a step), ms",
    "latency_mode_batches": "samples a batch pays beyond its size (batch 1 falls short of peak)",
    "bandwidth_efficiency": "fraction of memory bandwidth reached (decode)",
    "idle_w": "power at idle, W",
    "busy_w": "power at full load, W",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FittedParameter(_Frozen):
    prior: float = Field(description="the packaged model's value")
    value: float
    rows: int = Field(ge=0, description="measured figures whose prediction depends on it")


class FitError(_Frozen):
    """Median absolute percentage error of the device's measured figures (latency, TTFT, TPOT)."""

    rows: int
    before: float = Field(description="the packaged model")
    after: float = Field(description="with the fitted parameters (the rows they were fitted to)")
    held_out_models: float | None = Field(None, description="each model predicted by a fit to the others")
    held_out_measurements: float | None = Field(None, description="each measurement predicted by a fit to the "
                                                                  "others (leave-one-out)")
    power_before: float | None = None
    power_after: float | None = None


class DeviceFit(_Frozen):
    device_id: str
    fitted_at: str
    measurement_ids: list[int]
    parameters: dict[str, FittedParameter]
    error: FitError

    def values(self) -> dict[str, float]:
        return {name: p.value for name, p in self.parameters.items()}


class FittedDevices(_Frozen):
    schema_version: int = 1
    devices: dict[str, DeviceFit] = Field(default_factory=dict)


def fits_path() -> Path:
    return data_dir() / FITS_NAME


_read_cache: dict[tuple, FittedDevices] = {}
_overlay_cache = ObjectCache(size=1)  # the overlay of the latest (factors, fits)


def load_fits() -> FittedDevices:
    """The stored device fits (none when the file does not exist); re-read when the file changes."""
    path = fits_path()
    try:
        stat = path.stat()
    except OSError:
        return FittedDevices()
    key = (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key not in _read_cache:
        _read_cache.clear()
        _read_cache[key] = _parse(path)
    return _read_cache[key]


def _parse(path: Path) -> FittedDevices:
    hint = f"run intentctl calibrate again to refit it, or remove {path}"
    try:
        return FittedDevices.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MeasurementError(f"{path}: the fitted device parameters cannot be read ({exc})", hint) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise MeasurementError(f"{path}: {where}: {first['msg']}", hint) from exc


def save_fits(fits: FittedDevices) -> Path:
    """Write the fits atomically (a new file, then a rename)."""
    path = fits_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    text = "# Written by intentctl calibrate; each parameter with its packaged prior and the rows behind it.\n"
    tmp.write_text(text + yaml.safe_dump(fits.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    tmp.replace(path)
    return path


def with_fitted_devices(factors):
    """``factors`` with the stored device fits in place of the packaged device parameters."""
    fits = load_fits()
    if not fits.devices:
        return factors
    return _overlay_cache.get((factors, fits), (), lambda: apply(
        factors, {d: f.values() for d, f in fits.devices.items()},
        {d: len(f.measurement_ids) for d, f in fits.devices.items()}))


def apply(factors, values: dict[str, dict[str, float]], counts: dict[str, int] | None = None):
    """``factors`` with each device's parameters set (``values``: device id -> parameter name ->
    value); ``counts`` marks the devices as calibrated, with how many measurements."""
    efficiency = {k: dict(v) for k, v in factors.device_efficiency.items()}
    tables = {name: dict(getattr(factors, name)) for name in (
        "device_overhead_ms", "device_latency_mode_batches", "device_bandwidth_efficiency", "device_power_w")}
    for device_id, params in values.items():
        power = dict(tables["device_power_w"].get(device_id, {}))
        for name, value in params.items():
            if name.startswith("efficiency/"):
                efficiency.setdefault(device_id, {})[name.split("/", 1)[1]] = value
            elif name == "overhead_ms":
                tables["device_overhead_ms"][device_id] = value
            elif name == "latency_mode_batches":
                tables["device_latency_mode_batches"][device_id] = value
            elif name == "bandwidth_efficiency":
                tables["device_bandwidth_efficiency"][device_id] = value
            elif name in ("idle_w", "busy_w"):
                power[name.removesuffix("_w")] = value
        if power:
            tables["device_power_w"][device_id] = power
    calibrated = {**factors.calibrated_devices, **(counts or {})}
    return factors.model_copy(update={"device_efficiency": efficiency, **tables, "calibrated_devices": calibrated})
