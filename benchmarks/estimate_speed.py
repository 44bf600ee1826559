"""Time catalog loading, planner.estimate per call and a whole single-request plan in process.

usage: python benchmarks/estimate_speed.py [--calls N]
"""

from __future__ import annotations

import statistics
import sys
import time


def main(argv: list[str]) -> int:
    calls = int(argv[argv.index("--calls") + 1]) if "--calls" in argv else 2000
    t0 = time.perf_counter()
    from hardware import load_catalog

    catalog = load_catalog()
    loaded = time.perf_counter() - t0
    from planner import estimate

    estimate("resnet50", "nvidia-l4", "int8", 8, catalog=catalog)  # loads the factors
    cases = [("resnet50", "nvidia-l4", "int8", 8), ("llama-3-8b", "nvidia-h100-sxm-80gb", "fp8", 16),
             ("bert-large", "qualcomm-cloud-ai-100-standard", "int8", 32), ("whisper-small", "raspberry-pi-5", "fp32", 1)]
    times = []
    for i in range(calls):
        case = cases[i % len(cases)]
        t = time.perf_counter()
        estimate(*case, catalog=catalog)
        times.append((time.perf_counter() - t) * 1e6)
    print(f"catalog load (import + YAML + validation): {loaded * 1000:.1f} ms "
          f"({len(catalog.devices)} devices, {len(catalog.models)} models)")
    print(f"estimate: median {statistics.median(times):.1f} us, p99 {sorted(times)[int(0.99 * len(times))]:.1f} us "
          f"over {calls} calls")
    from intent import plan

    request = "lowest power, classify images in 10ms"
    plan(request, offline=True, record=False)  # warm: lexicon, OR-Tools
    plans = []
    for _ in range(100):
        t = time.perf_counter()
        plan(request, offline=True, record=False)
        plans.append((time.perf_counter() - t) * 1000)
    print(f"plan {request!r}: median {statistics.median(plans):.1f} ms over {len(plans)} plans (in process)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
