"""The examples run as tests."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT


def test_quickstart_runs_and_prints_a_plan():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "chosen:" in out.stdout and "infeasible:" in out.stdout and "latency <= 0.01 ms" in out.stdout
