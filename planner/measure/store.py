"""Measurements beat estimates: measured latency, throughput and power for configurations.

``intentctl calibrate FILE.csv`` and ``intentctl profile`` add measurements to a store in the
user's data directory (``INTENTCTL_DATA_DIR`` moves it); each gets an id (``calibrate --list``,
``--drop ID``) and the time it was taken. From then on, a measured cell uses the measured
figures, and the other batch sizes of the same (model, device, precision) use the model
scaled by the measured/predicted ratio: the model re-fitted near the measurement.
``intentctl calibrate`` also fits the measured devices' parameters (planner.measure.calibrate),
which moves the predictions of every model on those devices.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from planner.errors import PlanningError

STORE_NAME = "measurements.csv"
#: The columns a measurements file may hold (the first five are required; the store writes all).
COLUMNS = ["id", "measured_at", "model_id", "device_id", "precision", "batch_size", "latency_ms", "latency_p90_ms",
           "latency_p99_ms", "throughput_rps", "power_w", "peak_memory_mb", "ttft_ms", "tpot_ms", "tokens_per_s",
           "prompt_tokens", "output_tokens", "provider", "software", "source"]
REQUIRED = ["model_id", "device_id", "precision", "batch_size", "latency_ms"]


class MeasurementError(PlanningError):
    """A measurements file is malformed; the message names the line and the column."""

    code = "measurements-invalid"

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint:
            self.hint = hint

    hint = f"required columns: {', '.join(REQUIRED)}; optional: {', '.join(c for c in COLUMNS if c not in REQUIRED)}"


class Measurement(BaseModel):
    """One measured configuration. ``latency_ms`` is the median of a batch (an endpoint's end-to-end
    request latency at ``batch_size`` concurrent requests); text generation adds TTFT, TPOT and the
    request shape it was measured at."""

    # a figure of inf or nan is refused on input (1e400 had been stored as inf, and broke every later fit)
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    id: int | None = Field(None, ge=1, description="assigned by the store")
    measured_at: str | None = Field(None, description="when it was measured, ISO 8601 UTC")
    model_id: str
    device_id: str
    precision: str
    batch_size: int = Field(ge=1)
    latency_ms: float = Field(gt=0)
    latency_p90_ms: float | None = Field(None, gt=0)
    latency_p99_ms: float | None = Field(None, gt=0)
    throughput_rps: float | None = Field(None, gt=0)
    power_w: float | None = Field(None, gt=0)
    peak_memory_mb: float | None = Field(None, gt=0)
    ttft_ms: float | None = Field(None, gt=0)
    tpot_ms: float | None = Field(None, gt=0)
    tokens_per_s: float | None = Field(None, gt=0)
    prompt_tokens: int | None = Field(None, ge=1)
    output_tokens: int | None = Field(None, ge=1)
    provider: str | None = Field(None, description="what ran it: an ONNX Runtime execution provider, an endpoint")
    software: str | None = Field(None, description="software versions, e.g. 'onnxruntime 1.20.1; python 3.11.9'")
    source: str | None = None

    @field_validator("measured_at")
    @classmethod
    def _iso_utc(cls, value: str | None) -> str | None:
        """Any ISO 8601 time, as UTC to the second (a time without a zone is taken as UTC)."""
        if value is None:
            return None
        from datetime import UTC, datetime

        moment = datetime.fromisoformat(value)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        return moment.isoformat(timespec="seconds")

    @property
    def key(self) -> tuple[str, str, str]:
        return self.model_id, self.device_id, self.precision

    @property
    def cell(self) -> tuple:
        """What a newer measurement replaces: the configuration, batch and request shape."""
        return self.key, self.batch_size, self.prompt_tokens or 0, self.output_tokens or 0


def data_dir() -> Path:
    configured = os.environ.get("INTENTCTL_DATA_DIR")
    if configured:
        return Path(configured)
    return _user_data_dir(tuple(os.environ.get(name) for name in PLATFORM_DIR_VARIABLES))


#: The environment variables platformdirs reads the data directory from (Linux, macOS, Windows).
PLATFORM_DIR_VARIABLES = ("XDG_DATA_HOME", "HOME", "APPDATA", "LOCALAPPDATA", "USERPROFILE")


@lru_cache(maxsize=4)
def _user_data_dir(environment: tuple[str | None, ...]) -> Path:
    """The platform's data directory for intentctl; cached by the variables it is read from
    (every estimate looks for the store, and platformdirs takes as long as a prediction)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("intentctl"))


def store_path() -> Path:
    return data_dir() / STORE_NAME


def read_measurements(text: str, origin: str, known_models=None, known_devices=None) -> list[Measurement]:
    """Parse a measurements CSV; errors name the origin, the line and the column."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise MeasurementError(f"{origin}: missing column(s) {', '.join(missing)}")
    out = []
    for line, row in enumerate(reader, start=2):
        cleaned = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in row.items() if k in COLUMNS}
        try:
            m = Measurement.model_validate(cleaned)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise MeasurementError(f"{origin}:{line}: column {first['loc'][0]!r}: {first['msg']}") from exc
        if known_models is not None and m.model_id not in known_models:
            raise MeasurementError(f"{origin}:{line}: model {m.model_id!r} is not in the catalog (one of your "
                                   "own catalog needs --catalog DIR)")
        if known_devices is not None and m.device_id not in known_devices:
            raise MeasurementError(f"{origin}:{line}: device {m.device_id!r} is not in the catalog (one of your "
                                   "own catalog needs --catalog DIR)")
        out.append(m)
    return out


def load_store() -> list[Measurement]:
    """The stored measurements, each with an id (a store written before ids gets them in order)."""
    path = store_path()
    if not path.is_file():
        return []
    found = read_measurements(path.read_text(encoding="utf-8"), str(path))
    return _numbered(found)


def _numbered(measurements: list[Measurement]) -> list[Measurement]:
    """Give every measurement without an id the next free one, in order."""
    next_id = max((m.id or 0 for m in measurements), default=0) + 1
    out = []
    for m in measurements:
        if m.id is None:
            m, next_id = m.model_copy(update={"id": next_id}), next_id + 1
        out.append(m)
    return out


def save_store(measurements: list[Measurement]) -> Path:
    """Write the store atomically: a new file, then a rename, so a crash loses nothing."""
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for m in measurements:
        writer.writerow({k: ("" if v is None else v) for k, v in m.model_dump().items()})
    tmp = path.with_suffix(".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)
    return path


def merge(old: list[Measurement], new: list[Measurement], now: str | None = None) -> list[Measurement]:
    """New measurements replace old ones of the same configuration, batch and request shape; each
    new one gets a new id, and ``now`` as its time unless it states one. Ordered by id."""
    now = now or utc_now()
    next_id = max((m.id or 0 for m in old), default=0) + 1
    merged = {m.cell: m for m in _numbered(old)}
    for m in new:
        merged[m.cell] = m.model_copy(update={"id": next_id, "measured_at": m.measured_at or now})
        next_id += 1
    return sorted(merged.values(), key=lambda m: m.id)


def add(new: list[Measurement]) -> list[Measurement]:
    """Merge ``new`` into the store and save it; returns them as stored (with their ids)."""
    stored = merge(load_store(), new)
    save_store(stored)
    cells = {m.cell for m in new}
    return [m for m in stored if m.cell in cells]


def drop(ids: list[int]) -> list[Measurement]:
    """Remove the measurements with these ids; returns what was removed. MeasurementError names
    an id the store does not hold."""
    stored = load_store()
    known = {m.id for m in stored}
    missing = [i for i in ids if i not in known]
    if missing:
        raise MeasurementError(f"no measurement with id {', '.join(map(str, missing))} in {store_path()}",
                               hint="list the stored measurements with: intentctl calibrate --list")
    save_store([m for m in stored if m.id not in ids])
    return [m for m in stored if m.id in ids]


def utc_now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Correction:
    """How measurements of one (model, device, precision) correct the model."""

    latency_factor: float
    power_factor: float | None
    measured: tuple[Measurement, ...]

    def at(self, batch: int, prompt: float, output: float) -> Measurement | None:
        """The measurement of this batch size at this request shape (a measurement that states no
        shape holds for any), or None."""
        for m in self.measured:
            if m.batch_size == batch and (m.prompt_tokens is None or m.prompt_tokens == prompt) \
                    and (m.output_tokens is None or m.output_tokens == output):
                return m
        return None


def corrections(measurements: list[Measurement], predicted) -> dict[tuple[str, str, str], Correction]:
    """Per configuration, the geometric mean of measured/predicted latency (and power);
    ``predicted(m)`` gives the model's (latency_ms, power_w) for a measurement's cell."""
    grouped: dict[tuple[str, str, str], list[Measurement]] = {}
    for m in measurements:
        grouped.setdefault(m.key, []).append(m)
    out = {}
    for key, items in grouped.items():
        ratios, power_ratios = [], []
        for m in items:
            latency, power = predicted(m)
            if latency:
                ratios.append(m.latency_ms / latency)
            if m.power_w and power:
                power_ratios.append(m.power_w / power)
        if not ratios:
            continue
        out[key] = Correction(latency_factor=_geomean(ratios),
                              power_factor=_geomean(power_ratios) if power_ratios else None,
                              measured=tuple(items))
    return out


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))
