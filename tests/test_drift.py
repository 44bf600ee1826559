"""intentctl plan --check PLAN_ID: a stored plan against the measurements taken since."""

from __future__ import annotations

import json

import pytest

from intent import history, plan
from intent.cli import main
from planner.measure.store import Measurement, add

REQUEST = "classify images with resnet50 on an NVIDIA L4 at the lowest latency"


@pytest.fixture
def stored_plan():
    result = plan(REQUEST, offline=True)
    entry = history.entries(1)[0]
    assert entry.plan.choice == result.choice
    return entry


def measure(entry, latency_factor: float, power_factor: float, batch: int | None = None, when: str | None = None):
    """Store a measurement of the plan's configuration, its figures these factors off the plan's."""
    c, m = entry.plan.choice, entry.plan.metrics
    service_ms = c.batch_size / (m.throughput_rps / c.replicas) * 1000
    return add([Measurement(model_id=c.model_id, device_id=c.device_id, precision=c.precision,
                            batch_size=batch or c.batch_size, latency_ms=service_ms * latency_factor,
                            power_w=m.power_w / c.replicas * power_factor, measured_at=when)])[0]


def test_drift_beyond_ten_percent_is_named(stored_plan, capsys):
    measure(stored_plan, latency_factor=1.5, power_factor=1.02)
    assert main(["plan", "--check", str(stored_plan.id)]) == 0
    out = capsys.readouterr().out
    latency = next(line for line in out.splitlines() if "latency of one batch" in line)
    power = next(line for line in out.splitlines() if "power per replica" in line)
    assert "+50.0%" in latency and "DRIFT" in latency
    assert "+2.0%" in power and "DRIFT" not in power
    assert "1 figure(s) drifted" in out


def test_drift_as_json(stored_plan, capsys):
    measured = measure(stored_plan, latency_factor=0.8, power_factor=1.0)
    assert main(["plan", "--check", str(stored_plan.id), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    figures = {f["figure"]: f for f in report["figures"]}
    assert figures["latency of one batch, ms"]["change"] == pytest.approx(-0.2, abs=1e-4)
    assert figures["latency of one batch, ms"]["drifted"] is True
    assert figures["power per replica, W"]["drifted"] is False
    assert figures["latency of one batch, ms"]["measurement_id"] == measured.id


def test_only_measurements_taken_since_the_plan_count(stored_plan, capsys):
    measure(stored_plan, latency_factor=3.0, power_factor=1.0, when="2000-01-01T00:00:00Z")
    measure(stored_plan, latency_factor=3.0, power_factor=1.0, batch=stored_plan.plan.choice.batch_size + 7)
    assert main(["plan", "--check", str(stored_plan.id)]) == 0
    out = capsys.readouterr().out
    assert "DRIFT" not in out
    assert f"no measurement of resnet50 on nvidia-l4 ({stored_plan.plan.choice.precision}) at batch " in out
    assert f"measured since at batch {stored_plan.plan.choice.batch_size + 7}" in out


def test_check_and_a_new_plan_together(stored_plan, capsys):
    measure(stored_plan, latency_factor=1.5, power_factor=1.0)
    assert main(["plan", "--offline", "--json", "--check", str(stored_plan.id), REQUEST]) == 0
    captured = capsys.readouterr()
    assert "DRIFT" in captured.err  # the check on stderr, the new plan alone on stdout
    assert json.loads(captured.out)["choice"]["model_id"] == "resnet50"


def test_an_unknown_plan_is_a_clear_error(capsys):
    assert main(["plan", "--check", "99"]) == 1
    assert "no plan 99" in capsys.readouterr().err


def test_plan_without_a_request_or_check_is_refused(capsys):
    assert main(["plan"]) == 2
    assert "give a request to plan" in capsys.readouterr().err
