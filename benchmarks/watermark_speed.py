"""Time the watermarks: the text bias and detector per token, the image mark and read-back per image.

These are the overheads ``policies/data/watermark.yaml`` plans with; rerun this after changing
either watermark and copy the figures there.

usage: python benchmarks/watermark_speed.py [--repeat N]
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np


def _median_ms(action, repeat: int) -> float:
    times = []
    for i in range(repeat):
        t = time.perf_counter()
        action(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def text(repeat: int) -> None:
    from policies.greenlist import GreenListWatermark

    for vocab in (32_000, 128_256):  # Llama 2's and Llama 3's vocabularies
        mark = GreenListWatermark(b"benchmark-key", vocab)
        logits = np.random.default_rng(0).normal(size=vocab)
        bias = _median_ms(lambda i: mark.bias(logits, i), repeat * 20)
        tokens = list(np.random.default_rng(1).integers(vocab, size=257))
        detect = _median_ms(lambda i: mark.detect(tokens), max(3, repeat // 5)) / 256
        print(f"text watermark, vocabulary {vocab}: bias {bias:.3f} ms per token, detection {detect:.3f} ms per token")


def image(repeat: int) -> None:
    from policies.image_watermark import ImageWatermark

    mark = ImageWatermark(b"benchmark-key")
    for side in (512, 1024):  # the catalog's text-to-image outputs
        picture = np.random.default_rng(side).integers(0, 256, size=(side, side, 3), dtype=np.uint8)
        marked = mark.mark(picture)
        embed = _median_ms(lambda i: mark.mark(picture), max(3, repeat // 10))
        detect = _median_ms(lambda i: mark.detect(marked), max(3, repeat // 10))
        print(f"image watermark, {side}x{side}: mark {embed:.0f} ms, detection {detect:.0f} ms per image")


def main(argv: list[str]) -> int:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 50
    text(repeat)
    image(repeat)
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
