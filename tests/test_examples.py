"""The examples run as tests."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT


def run_example(name: str) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / name)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out


def test_quickstart_runs_and_prints_a_plan():
    out = run_example("quickstart.py")
    assert "chosen:" in out.stdout and "infeasible:" in out.stdout and "latency <= 0.01 ms" in out.stdout


def test_organisation_policy_example_applies_rules_and_refuses_loosening():
    out = run_example("organisation_policy.py").stdout
    assert "policy hipaa: organisation rule 'patient-data-needs-hipaa'" in out
    assert "policy watermark: organisation rule 'watermark-generated-text'" in out
    assert "refused by organisation rule 'patient-data-needs-hipaa'" in out
