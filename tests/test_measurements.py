"""Measurements beat estimates: intentctl calibrate changes later estimates and plans."""

from __future__ import annotations

import pytest

from hardware import load_catalog
from intent import plan
from intent.cli import main
from planner import estimate
from planner.perf.configs import Config
from planner.perf.factors import load_factors
from planner.perf.roofline import Grid

HEADER = "model_id,device_id,precision,batch_size,latency_ms,throughput_rps,power_w,source\n"


def write(tmp_path, body: str):
    path = tmp_path / "measured.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_a_measurement_replaces_the_estimate_and_refits_its_neighbours(tmp_path, capsys):
    before_8 = estimate("resnet50", "nvidia-l4", "int8", 8)
    measured = before_8.latency_ms * 3
    assert main(["calibrate", write(tmp_path, f"resnet50,nvidia-l4,int8,8,{measured},,60,lab run\n")]) == 0
    assert "stored 1 measurement" in capsys.readouterr().out
    after_8 = estimate("resnet50", "nvidia-l4", "int8", 8)
    after_16 = estimate("resnet50", "nvidia-l4", "int8", 16)
    assert after_8.latency_ms == pytest.approx(measured)
    assert after_8.power_w == pytest.approx(60)
    assert "measured" in after_8.provenance["latency_ms"]
    # batch 16: the calibrated device's prediction, scaled by what the measured batch 8 left unexplained
    model, device = load_catalog().model("resnet50"), load_catalog().device("nvidia-l4")
    grid = Grid([Config(model, device, "int8", "cloud")], [8, 16], load_factors())
    assert after_16.latency_ms / measured == pytest.approx(grid.latency_ms[0, 1] / grid.latency_ms[0, 0], rel=1e-6)
    assert after_16.provenance["latency_ms"].startswith("calibrated x")
    assert "fitted to 1 measurement(s) of this configuration" in after_16.provenance["latency_ms"]


def test_measurements_change_later_plans(tmp_path):
    request = "classify images with resnet50 on an NVIDIA L4 at the lowest latency"
    before = plan(request, offline=True)
    slow = before.metrics.latency_ms * 50
    rows = "".join(f"resnet50,nvidia-l4,{p},{b},{slow},,," + "\n" for p in ("int8", "fp16", "bf16", "fp8", "tf32", "fp32")
                   for b in (1, 2, 4, 8, 16, 32, 64, 128))
    assert main(["calibrate", write(tmp_path, rows)]) == 0
    after = plan(request, offline=True)
    hop = load_factors().serving_overhead_ms  # a plan's latency is the measured batch plus the serving hop
    assert after.metrics.latency_ms == pytest.approx(slow + hop)
    assert after.metrics.provenance["latency_ms"].startswith("measured")


@pytest.mark.parametrize("body, fragment", [
    ("resnet50,nvidia-l4,int8,0,1.0,,,\n", ":2: column 'batch_size'"),
    ("resnet50,nvidia-l4,int8,8,-1,,,\n", ":2: column 'latency_ms'"),
    ("resnet51,nvidia-l4,int8,8,1.0,,,\n", "model 'resnet51'"),
])
def test_bad_measurement_files_name_line_and_column(tmp_path, capsys, body, fragment):
    assert main(["calibrate", write(tmp_path, body)]) == 2
    assert fragment in capsys.readouterr().err


def test_reset_forgets(tmp_path):
    before = estimate("resnet50", "nvidia-l4", "int8", 8).latency_ms
    main(["calibrate", write(tmp_path, f"resnet50,nvidia-l4,int8,8,{before * 2},,,\n")])
    assert main(["calibrate", "--reset"]) == 0
    assert estimate("resnet50", "nvidia-l4", "int8", 8).latency_ms == pytest.approx(before)
