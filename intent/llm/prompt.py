"""The LLM's instructions: the contract, its enums and units, and the catalog's device ids."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from hardware import Catalog
from intent.schema import CANONICAL_UNITS, Precision, Regime, Task

VENDORS = ("nvidia", "amd", "intel", "google", "huawei", "apple", "qualcomm", "arm")
CLASSES = ("cpu", "gpu", "npu", "tpu", "fpga")


@lru_cache(maxsize=1)
def _template() -> str:
    return (resources.files("intent") / "data" / "llm-prompt.md").read_text(encoding="utf-8")


def system_prompt(catalog: Catalog) -> str:
    return _template().format(
        tasks=", ".join(t.value for t in Task),
        units="; ".join(f"{m.value} in {u}" for m, u in CANONICAL_UNITS.items()),
        classes=", ".join(CLASSES), vendors=", ".join(VENDORS),
        device_ids=", ".join(sorted(catalog.selector_ids())),
        precisions=", ".join(p.value for p in Precision), regimes=", ".join(r.value for r in Regime),
    )
