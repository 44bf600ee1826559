"""Time the check of an LLM answer against the request text (every value a bound could take
from it) at growing lengths: the time should grow in proportion to the length.

usage: python benchmarks/llm_check_speed.py
"""

from __future__ import annotations

import sys
import time

from intent.llm.checks import traceable_values

PATTERNS = {
    "percentages": "1% ",
    "english bounds": "classify images in 10ms at 95% accuracy, under 300 W and $2/hour; ",
    "chinese rates": "每秒30帧 ",
    "prices and ranges": "$5 and 6 ms ",
}
LENGTHS = (400, 4_000, 40_000)


def main() -> int:
    traceable_values("warm up: 10 ms")  # loads the lexicon and unit factors
    for name, unit in PATTERNS.items():
        cells = []
        for length in LENGTHS:
            text = (unit * (length // len(unit) + 1))[:length]
            start = time.perf_counter()
            traceable_values(text)
            cells.append(f"{length:>6} chars {1000 * (time.perf_counter() - start):8.1f} ms")
        print(f"{name:<18} " + " | ".join(cells))
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main())
