"""intentctl calibrate fits a measured device's parameters: shrinkage toward the packaged prior,
spreading to models that were not measured, --list and --drop."""

from __future__ import annotations

import json
import math

import pytest
import yaml

from hardware import load_catalog
from intent.cli import main
from planner import estimate
from planner.measure.calibrate import calibrate
from planner.measure.fitted import fits_path
from planner.measure.store import Measurement
from planner.perf.factors import load_factors

HEADER = "model_id,device_id,precision,batch_size,latency_ms,power_w\n"
#: Image models the L4 runs in int8: dense and depthwise convolutions, small and large.
L4_MODELS = ["resnet50", "resnet18", "mobilenet-v2", "efficientnet-b0", "resnext101-32x8d"]


def slower(model_id: str, batch: int, factor: float, device: str = "nvidia-l4") -> Measurement:
    """A measurement ``factor`` times slower than the packaged model predicts."""
    latency = estimate(model_id, device, "int8", batch).latency_ms * factor
    return Measurement(model_id=model_id, device_id=device, precision="int8", batch_size=batch, latency_ms=latency)


def numbered(measurements: list[Measurement]) -> list[Measurement]:
    return [m.model_copy(update={"id": i}) for i, m in enumerate(measurements, 1)]


def efficiency_move(measurements: list[Measurement]) -> float:
    """How far (in log) the fit moves the L4's int8 efficiency from its prior."""
    report = calibrate(numbered(measurements), load_catalog(), load_factors(user=False))[0]
    p = report.fit.parameters["efficiency/int8"]
    return abs(math.log(p.value / p.prior))


def write_csv(tmp_path, rows: list[Measurement]) -> str:
    path = tmp_path / "measured.csv"
    path.write_text(HEADER + "".join(f"{m.model_id},{m.device_id},{m.precision},{m.batch_size},{m.latency_ms},"
                                     f"{m.power_w or ''}\n" for m in rows), encoding="utf-8")
    return str(path)


def test_one_measurement_moves_a_parameter_less_than_ten_do():
    one = efficiency_move([slower("resnet50", 8, 3.0)])
    ten = efficiency_move([slower(m, b, 3.0) for m in L4_MODELS for b in (8, 32)])
    assert 0 < one < ten
    assert ten < math.log(3.0) * 1.05  # shrunk toward the prior, never past what was measured


def test_a_consistent_device_is_learned_and_generalises_to_held_out_models():
    """Measurements of a device uniformly 2.5x slower than packaged: the fit explains them and a
    model left out is predicted far better than by the packaged model."""
    report = calibrate(numbered([slower(m, b, 2.5) for m in L4_MODELS for b in (1, 8, 32)]), load_catalog(),
                       load_factors(user=False))[0]
    error = report.fit.error
    assert error.before == pytest.approx(0.6, abs=0.01)  # every figure 2.5x: 60% off
    assert error.after < 0.1 and error.held_out_models < 0.2 and error.held_out_measurements < 0.2


def test_calibrating_a_device_spreads_to_a_model_not_measured(tmp_path, capsys):
    unmeasured = estimate("resnet18", "nvidia-l4", "int8", 8)
    other_device = estimate("resnet18", "nvidia-t4", "int8", 8)
    rows = [slower(m, b, 3.0) for m in ("resnet50", "resnext101-32x8d") for b in (1, 8, 32)]
    assert main(["calibrate", write_csv(tmp_path, rows)]) == 0
    out = capsys.readouterr().out
    assert "nvidia-l4: fitted to 6 measured figure(s) of 6 measurement(s)" in out
    assert "median error: before 66.7%" in out
    assert "held out: a model at a time" in out and "a measurement at a time" in out
    assert "moved: efficiency/int8" in out
    after = estimate("resnet18", "nvidia-l4", "int8", 8)
    assert after.latency_ms > unmeasured.latency_ms * 1.5  # the device is slower for every model
    assert after.provenance["latency_ms"].startswith("calibrated (nvidia-l4's parameters fitted to 6")
    assert estimate("resnet18", "nvidia-t4", "int8", 8) == other_device  # another device does not move
    measured = estimate("resnet50", "nvidia-l4", "int8", 8)
    assert measured.latency_ms == pytest.approx(rows[1].latency_ms)  # a measured cell is used as measured
    assert measured.provenance["latency_ms"].startswith("measured")


def test_power_is_fitted_from_measured_power(tmp_path, capsys):
    before = estimate("resnext101-32x8d", "nvidia-l4", "int8", 8)
    rows = [slower(m, 8, 1.0).model_copy(update={"power_w": 30.0}) for m in L4_MODELS[:2]]
    assert all(estimate(m.model_id, "nvidia-l4", "int8", 8).power_w > 45 for m in rows)  # the model's: well above
    assert main(["calibrate", write_csv(tmp_path, rows)]) == 0
    assert "power error: before" in capsys.readouterr().out
    after = estimate("resnext101-32x8d", "nvidia-l4", "int8", 8)
    assert after.provenance["power_w"].startswith("calibrated")
    assert after.power_w < before.power_w * 0.85  # an unmeasured model on the device draws less too
    fitted = yaml.safe_load(fits_path().read_text())["devices"]["nvidia-l4"]["parameters"]
    assert fitted["busy_w"]["value"] < fitted["busy_w"]["prior"]


def test_list_and_drop(tmp_path, capsys):
    rows = [slower("resnet50", 8, 2.0), slower("resnet18", 8, 2.0)]
    assert main(["calibrate", write_csv(tmp_path, rows)]) == 0
    capsys.readouterr()
    assert main(["calibrate", "--list"]) == 0
    listed = capsys.readouterr().out
    assert "#1" in listed and "resnet50 on nvidia-l4, int8, batch 8" in listed and "#2" in listed
    assert "fitted nvidia-l4" in listed and "to #1, #2" in listed
    assert main(["calibrate", "--drop", "1"]) == 0
    assert "dropped #1: resnet50 on nvidia-l4" in capsys.readouterr().out
    assert main(["calibrate", "--list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["id"] for m in data["measurements"]] == [2]
    assert data["devices"]["nvidia-l4"]["measurement_ids"] == [2]  # refitted without the dropped one
    assert main(["calibrate", "--drop", "99"]) == 2
    assert "no measurement with id 99" in capsys.readouterr().err


def test_reset_forgets_the_fit_too(tmp_path):
    before = estimate("resnet18", "nvidia-l4", "int8", 8).latency_ms
    assert main(["calibrate", write_csv(tmp_path, [slower("resnet50", 8, 3.0)])]) == 0
    assert estimate("resnet18", "nvidia-l4", "int8", 8).latency_ms != pytest.approx(before)
    assert main(["calibrate", "--reset"]) == 0
    assert estimate("resnet18", "nvidia-l4", "int8", 8).latency_ms == pytest.approx(before)


def test_a_damaged_fit_file_is_a_clear_error(capsys):
    fits_path().parent.mkdir(parents=True, exist_ok=True)
    fits_path().write_text("devices: {nvidia-l4: {device_id: 3}}\n")
    assert main(["plan", "--offline", "classify images with resnet50"]) == 2
    assert "device-params.yaml: devices.nvidia-l4" in capsys.readouterr().err
