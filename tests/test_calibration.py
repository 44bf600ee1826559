"""The performance model, calibrated to MLPerf results, against the dev results file."""

from __future__ import annotations

import hashlib
import importlib.util
import statistics
import sys

import numpy as np
from paths import REFERENCE, ROOT

from hardware import load_catalog
from hardware.yamlio import load_yaml
from planner.perf.factors import load_factors

MLPERF = REFERENCE / "mlperf-dev.csv"


def calibration_script():
    spec = importlib.util.spec_from_file_location("calibrate_mlperf", ROOT / "scripts" / "calibrate_mlperf.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


def errors(factors) -> dict[str, tuple[float, float]]:
    script = calibration_script()
    rows = script.usable_rows(MLPERF, load_catalog())
    predicted = script.predict_all(rows, factors)
    out = {}
    for scenario in ("Offline", "SingleStream"):
        pairs = [(p, r.actual) for p, r in zip(predicted, rows) if r.scenario == scenario and np.isfinite(p)]
        out[scenario] = (statistics.median(abs(p / a - 1) for p, a in pairs),
                         sum(max(p / a, a / p) <= 2 for p, a in pairs) / len(pairs))
    return out


def test_calibrated_model_meets_the_error_targets_on_the_dev_results():
    calibrated = errors(load_factors())
    assert calibrated["Offline"][0] <= 0.20 and calibrated["SingleStream"][0] <= 0.30
    assert calibrated["Offline"][1] >= 0.9 and calibrated["SingleStream"][1] >= 0.9


def test_calibration_improves_on_the_priors():
    prior, calibrated = errors(load_factors(calibrated=False)), errors(load_factors())
    assert calibrated["Offline"][0] < prior["Offline"][0]
    assert calibrated["SingleStream"][0] < prior["SingleStream"][0]


def test_the_fit_records_its_provenance():
    document = load_yaml((ROOT / "planner" / "data" / "calibration.yaml").read_text(encoding="utf-8"))
    provenance = document["provenance"]
    assert provenance["sha256"] == hashlib.sha256(MLPERF.read_bytes()).hexdigest()[:16]
    assert provenance["rows_used"] > 50 and "score-mlperf" in provenance["method"]
    assert set(document["compute_efficiency"]) <= {"cpu", "gpu", "npu", "tpu", "fpga"}
