"""Time planning: the whole CLI process (start-up included) and in-process plans.

usage: python benchmarks/plan_speed.py [--runs N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

IN_PROCESS_RUNS = 100
REQUESTS = [
    "lowest power, classify images in 10ms",
    "cheapest way to serve llama 3 8b at 50 req/s",
    "detect objects as fast as possible under 20 W",
    "sentiment analysis at 2000 QPS, minimize energy, no NVIDIA",
]


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    process = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(["intentctl", "plan", "--offline", "--json", "--no-history", REQUESTS[0]], check=True, capture_output=True)
        process.append(time.perf_counter() - t0)
    print(f"intentctl plan --offline (whole process): median {statistics.median(process) * 1000:.0f} ms, "
          f"min {min(process) * 1000:.0f} ms over {runs} runs")
    from intent import plan

    plan(REQUESTS[0], offline=True, record=False)  # warm: catalog, lexicon, OR-Tools loaded
    for text in REQUESTS:
        times = []
        for _ in range(IN_PROCESS_RUNS):
            t0 = time.perf_counter()
            result = plan(text, offline=True, record=False)
            times.append(time.perf_counter() - t0)
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"in-process plan (parse, policies, plan, 3 runner-ups), median {statistics.median(times) * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms over {IN_PROCESS_RUNS} runs, {result.solver.candidates} candidates after "
              f"pruning: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
