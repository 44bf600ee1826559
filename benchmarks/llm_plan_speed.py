"""Plan five reference LLM serving requests: the plan, its predicted TTFT, TPOT, tokens/s and cost
per million tokens, and the time to plan in process (parse, defaults, candidates with parallel
layouts and disaggregated units, CP-SAT, runner-ups). The target is a median under 200 ms.

usage: python benchmarks/llm_plan_speed.py [--runs N]
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_speed import time_plans  # a sibling script (benchmarks/ is no package)

REQUESTS = [
    "Llama 3.1 70B for 20 concurrent users, TTFT < 500 ms, 30 tokens/s per user",
    "serve llama 3.1 8b in fp8 on H100 SXM for 2000 concurrent users, TPOT under 10 ms, cheapest",
    "serve llama 3.1 405b in fp8 on H100 or H200 for 50 concurrent users",
    "we have 16 H200s: serve deepseek-v3 for 100 concurrent users",
    "cheapest chatbot with 2000-token prompts and 300-token answers",
]


def _money(amount: float | None, unit: str) -> str:
    return "unknown" if amount is None else f"${amount:,.3f}{unit}"


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 20
    from intent import plan

    plan(REQUESTS[0], offline=True, record=False)  # warm: catalog, lexicon, OR-Tools loaded
    medians = []
    for text in REQUESTS:
        times, result = time_plans(text, runs)
        medians.append(statistics.median(times))
        c, m = result.choice, result.metrics
        print(f"{text}\n  plan: {c.model_id} {c.precision} on {c.device_id}, batch {c.batch_size}, {c.layout()}\n"
              f"  predicted: TTFT {m.ttft_ms:,.1f} ms, TPOT {m.tpot_ms:,.2f} ms, {m.tokens_per_s:,.0f} tokens/s, "
              f"{_money(m.usd_per_mtok, '/Mtok')} ({_money(m.cost_usd_per_hour, '/h')}), concurrency {m.concurrency:,}\n"
              f"  time to plan: median {medians[-1] * 1000:.1f} ms, min {min(times) * 1000:.1f} ms over {runs} runs, "
              f"{result.solver.candidates} candidates after pruning")
    print(f"median over the {len(REQUESTS)} requests: {statistics.median(medians) * 1000:.1f} ms "
          f"(slowest {max(medians) * 1000:.1f} ms; target < 200 ms)")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
