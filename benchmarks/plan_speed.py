"""Time planning: the whole CLI process (start-up included) and in-process plans.

The whole-process figure is set beside the floor under it: a bare interpreter, and one that
only imports the third-party libraries every plan needs (numpy, pydantic with one model
built, typer, rich and OR-Tools' native solver), which no change to intentctl can go below.

usage: python benchmarks/plan_speed.py [--runs N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

IN_PROCESS_RUNS = 100
REQUESTS = [
    "lowest power, classify images in 10ms",
    "cheapest way to serve llama 3 8b at 50 req/s",
    "detect objects as fast as possible under 20 W",
    "sentiment analysis at 2000 QPS, minimize energy, no NVIDIA",
]


#: The third-party floor; one pydantic model is built, as pydantic loads most of itself then.
THIRD_PARTY = ("import numpy, typer, rich.console, rich.table, ortools.sat.python.cp_model_helper\n"
               "from pydantic import BaseModel\nclass Floor(BaseModel):\n    x: int")


def _process_times(command: list[str], runs: int) -> str:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms over {runs} runs"


def time_plans(text: str, runs: int) -> tuple[list[float], object]:
    """Seconds each of ``runs`` in-process plans of ``text`` took, and the last plan."""
    from intent import plan

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = plan(text, offline=True, record=False)
        times.append(time.perf_counter() - t0)
    return times, result


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    script = Path(sys.executable).with_name("intentctl")  # this interpreter's, not another on PATH
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "intent.cli"]
    print(f"intentctl plan --offline (whole process): "
          f"{_process_times([*cli, 'plan', '--offline', '--no-history', REQUESTS[0]], runs)}")
    print(f"floor, bare interpreter: {_process_times([sys.executable, '-c', 'pass'], runs)}")
    print(f"floor, interpreter importing the third-party libraries a plan needs: "
          f"{_process_times([sys.executable, '-c', THIRD_PARTY], runs)}")
    from intent import plan

    plan(REQUESTS[0], offline=True, record=False)  # warm: catalog, lexicon, OR-Tools loaded
    for text in REQUESTS:
        times, result = time_plans(text, IN_PROCESS_RUNS)
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"in-process plan (parse, policies, plan, 3 runner-ups), median {statistics.median(times) * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms over {IN_PROCESS_RUNS} runs, {result.solver.candidates} candidates after "
              f"pruning: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
