"""Measurements beat estimates: measured latency, throughput and power for configurations.

``intentctl calibrate FILE.csv`` merges measurements into a store in the user's data
directory (``INTENTCTL_DATA_DIR`` moves it). From then on, a measured cell uses the measured
figures, and the other batch sizes of the same (model, device, precision) use the model
scaled by the measured/predicted ratio: the model re-fitted near the measurement.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.errors import PlanningError

STORE_NAME = "measurements.csv"
COLUMNS = ["model_id", "device_id", "precision", "batch_size", "latency_ms", "throughput_rps", "power_w", "source"]


class MeasurementError(PlanningError):
    """A measurements file is malformed; the message names the line and the column."""

    code = "measurements-invalid"
    hint = f"columns: {', '.join(COLUMNS)} (throughput_rps, power_w and source may be empty)"


class Measurement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    model_id: str
    device_id: str
    precision: str
    batch_size: int = Field(ge=1)
    latency_ms: float = Field(gt=0)
    throughput_rps: float | None = Field(None, gt=0)
    power_w: float | None = Field(None, gt=0)
    source: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return self.model_id, self.device_id, self.precision


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
    missing = [c for c in ("model_id", "device_id", "precision", "batch_size", "latency_ms")
               if c not in (reader.fieldnames or [])]
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
            raise MeasurementError(f"{origin}:{line}: model {m.model_id!r} is not in the catalog")
        if known_devices is not None and m.device_id not in known_devices:
            raise MeasurementError(f"{origin}:{line}: device {m.device_id!r} is not in the catalog")
        out.append(m)
    return out


def load_store() -> list[Measurement]:
    path = store_path()
    if not path.is_file():
        return []
    return read_measurements(path.read_text(encoding="utf-8"), str(path))


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


def merge(old: list[Measurement], new: list[Measurement]) -> list[Measurement]:
    """New measurements replace old ones of the same (model, device, precision, batch)."""
    merged = {(m.key, m.batch_size): m for m in old}
    merged.update({(m.key, m.batch_size): m for m in new})
    return [merged[k] for k in sorted(merged)]


@dataclass(frozen=True)
class Correction:
    """How measurements of one (model, device, precision) correct the model."""

    latency_factor: float
    power_factor: float | None
    measured: dict[int, Measurement]


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
                              measured={m.batch_size: m for m in items})
    return out


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))
