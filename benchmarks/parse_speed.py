"""Time the offline parser over the evaluation corpus (median and p99 per request), then on
long requests of 400, 4,000 and 40,000 characters, to show that parse time grows linearly with
the text (the parser reads the first 4,000 characters; the rest is cut with a warning).

usage: python benchmarks/parse_speed.py [CORPUS.jsonl] [--rounds N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from intent import parse
from intent.errors import IntentError

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "eval" / "intents-dev.jsonl"


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    path = Path(next((a for a in argv if a.endswith(".jsonl")), DEFAULT))
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.perf_counter()
    parse(texts[0], offline=True)  # first call loads the lexicon, catalog and unit factors
    warmup = time.perf_counter() - start
    samples = []
    for _ in range(rounds):
        for text in texts:
            t0 = time.perf_counter()
            parse(text, offline=True)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(0.99 * len(samples)))]
    print(f"requests: {len(texts)} x {rounds} rounds")
    print(f"first call (loads lexicon, catalog, units): {warmup * 1000:.1f} ms")
    print(f"median: {statistics.median(samples):.3f} ms  p99: {p99:.3f} ms  max: {samples[-1]:.3f} ms")
    print("long requests (median of 3 runs):")
    for unit in ("1% ", "classify images in 10 ms, under 5 W, at 30 fps, no nvidia, HIPAA; "):
        for size in (400, 4_000, 40_000):
            text = (unit * (size // len(unit) + 1))[:size]
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                try:
                    parse(text, offline=True)
                except IntentError:
                    pass
                runs.append((time.perf_counter() - t0) * 1000)
            print(f"  {size:>6,} characters of {unit.strip()[:24]!r}: {statistics.median(runs):8.1f} ms")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
