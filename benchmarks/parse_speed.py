"""Time the offline parser over the evaluation corpus: median and p99 per request.

usage: python benchmarks/parse_speed.py [CORPUS.jsonl] [--rounds N]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from intent import parse

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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
