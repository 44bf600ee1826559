"""intentctl profile MODEL.onnx: ONNX Runtime on this machine, results stored as they land."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from onnx_models import BUILDERS, ENTRIES, catalog_yaml
from paths import ROOT

from intent.cli import main
from planner.measure.store import load_store, store_path

CPU = "tiny-cpu"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The three generated models and a catalog with them and a 2-core CPU (tests/onnx_models.py)."""
    root = tmp_path_factory.mktemp("onnx")
    models = {name: str(build(root / f"{name}.onnx")) for name, build in BUILDERS.items()}
    catalog = root / "catalog"
    catalog.mkdir()
    devices, entries = catalog_yaml(CPU, "Test CPU 2-core", 2, 0.33, 20.0)
    (catalog / "devices.yaml").write_text(devices)
    (catalog / "models.yaml").write_text(entries)
    return models, str(catalog)


def run_profile(files, name: str, *extra: str) -> int:
    models, catalog = files
    return main(["profile", models[name], "--as", f"tiny-{name}", "--catalog", catalog, "--device", CPU,
                 "--duration", "0.05", *extra])


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_profiling_stores_percentiles_per_batch(files, capsys, name):
    assert run_profile(files, name, "--batch", "1,4", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["provider"] == "CPUExecutionProvider" and out["precision"] == "fp32"
    assert out["software"].startswith("onnxruntime ")
    stored = load_store()
    assert [m.batch_size for m in stored] == [1, 4]
    for m in stored:
        assert m.model_id == f"tiny-{name}" and m.device_id == CPU and m.provider == "CPUExecutionProvider"
        assert m.latency_ms <= m.latency_p90_ms <= m.latency_p99_ms
        assert m.throughput_rps > 0 and m.measured_at is not None
        assert "onnxruntime" in m.software
    assert [m["id"] for m in out["measurements"]] == [m.id for m in stored]


def test_the_file_is_read_for_size_and_precision(files):
    import onnx

    from planner.measure.onnxstats import stats

    models, _ = files
    for name, (params, gflops, _, _) in ENTRIES.items():
        found = stats(onnx.load(models[name]))
        assert found.precision == "fp32"
        assert found.gflops == pytest.approx(gflops, rel=1e-6)
        assert found.params_m == pytest.approx(params, abs=1e-4)  # shape constants aside


def test_a_stated_precision_must_match_the_file(files, capsys):
    assert run_profile(files, "mlp", "--precision", "int8") == 2
    err = capsys.readouterr().err
    assert "computes in fp32" in err and "not int8" in err
    assert load_store() == []


def test_an_int8_model_is_recorded_as_int8(files, tmp_path, capsys):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    models, catalog = files
    quantised = tmp_path / "mlp-int8.onnx"
    quantize_dynamic(models["mlp"], quantised, weight_type=QuantType.QInt8)
    assert main(["profile", str(quantised), "--as", "tiny-mlp", "--catalog", catalog, "--device", CPU,
                 "--duration", "0.05", "--batch", "1"]) == 0
    assert [m.precision for m in load_store()] == ["int8"]


def test_a_file_standing_for_a_much_larger_model_is_noted(files, capsys):
    models, catalog = files
    assert main(["profile", models["mlp"], "--as", "resnet50", "--catalog", catalog, "--device", CPU,
                 "--duration", "0.05", "--batch", "1"]) == 0
    assert "will mislead predictions for resnet50" in capsys.readouterr().err


def test_an_undetected_cpu_asks_for_a_device(files, capsys, monkeypatch):
    monkeypatch.setattr("hardware.detect._cpuinfo", lambda: {"model name": "Mystery CPU 9000"})
    models, catalog = files
    assert main(["profile", models["mlp"], "--as", "tiny-mlp", "--catalog", catalog, "--duration", "0.05"]) == 2
    err = capsys.readouterr().err
    assert "'Mystery CPU 9000' matches no catalog device" in err and "--device ID" in err


def test_the_detected_cpu_is_used(files, capsys, monkeypatch):
    monkeypatch.setattr("hardware.detect._cpuinfo", lambda: {"model name": "Test CPU 2-core"})
    models, catalog = files
    assert main(["profile", models["mlp"], "--as", "tiny-mlp", "--catalog", catalog, "--duration", "0.05",
                 "--batch", "1"]) == 0
    assert [m.device_id for m in load_store()] == [CPU]


def test_without_onnx_runtime_it_says_how_to_install(files, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    assert run_profile(files, "mlp") == 1
    assert 'pip install "intentctl[profile]"' in capsys.readouterr().err


def test_bad_batch_sizes_are_refused(files, capsys):
    assert run_profile(files, "mlp", "--batch", "1,zero") == 2
    assert "--batch takes whole numbers" in capsys.readouterr().err


def test_interrupting_a_sweep_keeps_what_was_measured(files, capsys, monkeypatch):
    """Ctrl-C during batch 4 (after 6 timed runs): batch 1 is kept whole, batch 4 as cut short, 16 never runs."""
    import onnxruntime

    real_run, calls = onnxruntime.InferenceSession.run, {"n": 0}

    def run(self, outputs, feeds, *args, **kwargs):
        if next(iter(feeds.values())).shape[0] == 4:
            calls["n"] += 1
            if calls["n"] > 3 + 6:  # 3 warm-up runs, then 6 timed ones
                raise KeyboardInterrupt
        return real_run(self, outputs, feeds, *args, **kwargs)

    monkeypatch.setattr(onnxruntime.InferenceSession, "run", run)
    monkeypatch.setattr("planner.measure.profile.MIN_RUNS", 20)  # batch 4 reaches its 6th run, however slow
    assert run_profile(files, "convnet", "--batch", "1,4,16") == 130
    captured = capsys.readouterr()
    assert "interrupted; kept 2 measurement(s)" in captured.err
    stored = load_store()
    assert [m.batch_size for m in stored] == [1, 4]
    assert "cut short by Ctrl-C" in stored[1].source and "(6 runs" in stored[1].source
    assert "cut short" not in stored[0].source


def test_ctrl_c_on_a_running_profile_keeps_the_batches_measured(files, tmp_path):
    """A real SIGINT to the command: the batch that finished stays stored, and it exits 130."""
    models, catalog = files
    env = {**os.environ, "INTENTCTL_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "intent", "profile", models["convnet"], "--as", "tiny-convnet", "--catalog", catalog,
         "--device", CPU, "--batch", "1,2", "--duration", "3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = tmp_path / store_path().name
    deadline = time.monotonic() + 120
    while not store.is_file() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert store.is_file(), process.communicate()[1]
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; kept" in err
    lines = store.read_text().splitlines()
    assert len(lines) >= 2 and ",1," in lines[1]  # the header, then batch 1


def test_rapl_energy_counters_give_watts_across_a_wrap(tmp_path, monkeypatch):
    """A powercap tree like Linux's (a package domain and its core subdomain): joules over seconds,
    the counter wrapping at max_energy_range_uj."""
    from planner.measure import meters

    package, core = tmp_path / "intel-rapl:0", tmp_path / "intel-rapl:0:0"
    for domain in (package, core):
        domain.mkdir()
        (domain / "max_energy_range_uj").write_text("1000000000")
    (package / "energy_uj").write_text("999000000")
    (core / "energy_uj").write_text("5")
    meter = meters.RaplMeter(str(tmp_path))
    assert meter.note == "" and [d.name for d in meter.domains] == ["intel-rapl:0"]  # packages only
    clock = iter([100.0, 102.0])
    monkeypatch.setattr(meters.time, "perf_counter", lambda: next(clock))
    token = meter.start()
    (package / "energy_uj").write_text("9000000")  # wrapped: 1 J to the top, then 9 J
    assert meter.stop(token) == pytest.approx(10.0 / 2)


def test_missing_rapl_counters_are_said_not_guessed(tmp_path):
    from planner.measure.meters import RaplMeter

    meter = RaplMeter(str(tmp_path / "none"))
    assert meter.start() is None and meter.stop(None) is None
    assert meter.note.startswith("power not readable: no RAPL energy counters")
