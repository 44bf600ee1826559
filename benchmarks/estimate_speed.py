"""Time catalog loading, planner.estimate per call and whole single-request plans in process,
against issue 17's targets: estimate no slower than before the performance model work (237 us
per call), and every plan's in-process median under 20 ms.

``estimate`` is timed twice: over the four configurations below in turn (each configuration's
inputs are then cached, as when a scorer or server_rate asks for one configuration at many batch
sizes), and over a new configuration at each call (more configurations than the cache holds).
The plans are those of plan_speed.py. With ``--repeat R`` every figure is measured R times and
reported as the median of the R medians with their range (the machine may be shared).

usage: python benchmarks/estimate_speed.py [--calls N] [--plans N] [--repeat R]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_speed import REQUESTS  # a sibling script (benchmarks/ is no package)

ESTIMATE_BEFORE_US = 237.0
PLAN_TARGET_MS = 20.0
CASES = [("resnet50", "nvidia-l4", "int8", 8), ("llama-3-8b", "nvidia-h100-sxm-80gb", "fp8", 16),
         ("bert-large", "qualcomm-cloud-ai-100-standard", "int8", 32), ("whisper-small", "raspberry-pi-5", "fp32", 1)]


def _option(argv: list[str], name: str, default: int) -> int:
    return int(argv[argv.index(name) + 1]) if name in argv else default


def _median_us(call, cases: list[tuple], calls: int, catalog) -> float:
    times = []
    for i in range(calls):
        case = cases[i % len(cases)]
        t = time.perf_counter()
        call(*case, catalog=catalog)
        times.append((time.perf_counter() - t) * 1e6)
    return statistics.median(times)


def _new_configurations(catalog, count: int) -> list[tuple]:
    """``count`` distinct configurations the model supports, at batch 8."""
    from planner.perf.factors import load_factors
    from planner.perf.roofline import supports

    factors = load_factors()
    found = []
    for model in catalog.models.values():
        for device in catalog.devices.values():
            for precision in device.peak:
                if not supports(device, model, precision, factors):
                    found.append((model.id, device.id, precision, 8))
                    if len(found) == count:
                        return found
    return found


def _summary(medians: list[float], unit: str) -> str:
    spread = f" (range {min(medians):.1f}-{max(medians):.1f} over {len(medians)} repeats)" if len(medians) > 1 else ""
    return f"{statistics.median(medians):.1f} {unit}{spread}"


def main(argv: list[str]) -> int:
    calls, plans, repeat = _option(argv, "--calls", 2000), _option(argv, "--plans", 100), _option(argv, "--repeat", 1)
    t0 = time.perf_counter()
    from hardware import load_catalog

    catalog = load_catalog()
    loaded = time.perf_counter() - t0
    from planner import EstimateError, estimate

    print(f"catalog load (import + YAML + validation): {loaded * 1000:.1f} ms "
          f"({len(catalog.devices)} devices, {len(catalog.models)} models)")

    def tolerant(*case, catalog):
        try:
            estimate(*case, catalog=catalog)
        except EstimateError:  # a configuration that does not fit is still a call
            pass

    for case in CASES:
        estimate(*case, catalog=catalog)  # loads the factors
    fresh = _new_configurations(catalog, 600)  # more than the estimate cache holds: every call is new
    same = [_median_us(estimate, CASES, calls, catalog) for _ in range(repeat)]
    new = [_median_us(tolerant, fresh, min(calls, len(fresh)), catalog) for _ in range(repeat)]
    print(f"estimate, the same 4 configurations in turn: median {_summary(same, 'us')} per call over {calls} calls "
          f"(before the performance model work: {ESTIMATE_BEFORE_US:g} us)")
    print(f"estimate, a new configuration each call: median {_summary(new, 'us')} per call over "
          f"{min(calls, len(fresh))} calls")
    from intent import plan

    plan(REQUESTS[0], offline=True, record=False)  # warm: lexicon, OR-Tools
    slowest = 0.0
    for request in REQUESTS:
        medians = []
        for _ in range(repeat):
            times = []
            for _ in range(plans):
                t = time.perf_counter()
                plan(request, offline=True, record=False)
                times.append((time.perf_counter() - t) * 1000)
            medians.append(statistics.median(times))
        slowest = max(slowest, statistics.median(medians))
        print(f"plan {request!r}: median {_summary(medians, 'ms')} over {plans} plans (in process)")
    verdict = "met" if slowest < PLAN_TARGET_MS else "NOT met"
    print(f"slowest plan median {slowest:.1f} ms; target < {PLAN_TARGET_MS:g} ms: {verdict}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
