"""Catalog entries for the LLMs of scripts/catalog_llms.yaml (used by scripts/build_catalog.py).

Each entry's architecture, parameter count and FLOPs per token come from its published
config.json through hardware/hfconfig.py, the code ``intentctl catalog import`` uses; the model
card's figures (sizes, accuracy) are taken as published. Quantised accuracies follow the
file's per-family ``quantisation`` rules.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from hardware import hfconfig
from hardware.schema import ExtendedContext, Figure

QUANTISED = ("fp8", "int4")


def figure(spec: dict, basis: str = "published") -> dict:
    """A published figure from the input file: value, formula and source."""
    return {"value": float(spec["value"]), "basis": basis, "source": spec["source"], "formula": spec["formula"]}


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True)


def _reference_accuracy(spec: dict) -> tuple[dict, str]:
    """The card's accuracy at the precision the weights are released in, plus the fp32 reference."""
    acc = spec["accuracy"]
    precision = acc.get("precision", "fp32")
    value = round(acc["percent"] / 100, 8)
    out = {precision: {"value": value, "basis": "published", "source": acc["source"],
                       "formula": f"{acc['metric']} {acc['percent']} % / 100"}}
    if precision != "fp32":
        out["fp32"] = {"value": value, "basis": "derived",
                       "formula": f"the {precision} figure: the released {precision} weights upcast to 16/32 bits "
                                  "are the same numbers"}
    return out, f"{acc['metric']}: {precision} {acc['percent']}"


def _nearest_point(points: list[dict], model_id: str, size_b: float, sizes: dict[str, float]) -> tuple[dict, bool]:
    """The family's measured point for this model (exact), or else the nearest in size."""
    for point in points:
        if point.get("model") == model_id and point.get("same_model", True):
            return point, True

    def distance(point: dict) -> float:
        size = point.get("size_b") or sizes[point["model"]] / 1000
        return abs(math.log(size / size_b))

    return min(points, key=distance), False


def _quantised(accuracy: dict, family_rules: dict, model_id: str, params_m: float, sizes: dict) -> dict:
    """fp8/int4 accuracy from the family's published recoveries (quantised / reference score)."""
    base = accuracy["fp32"]["value"]
    out = {}
    for precision in QUANTISED:
        points = family_rules.get(precision)
        if not points or precision in accuracy:
            continue
        point, exact = _nearest_point(points, model_id, params_m / 1000, sizes)
        recovery = min(1.0, point["quantised"] / point["reference"])
        formula = (f"fp32 figure x {recovery:.4f} recovery ({point['benchmark']}: {point['quantised']} / "
                   f"{point['reference']}{'' if recovery < 1 else ', capped at 1'})")
        if not exact:
            formula += f"; the family's nearest measured size, applied to {model_id}"
        out[precision] = {"value": round(base * recovery, 6), "basis": "derived" if exact else "estimated",
                          "source": point["source"], "formula": formula}
    return out


def llm_entry(spec: dict, rules: dict, sizes: dict) -> dict:
    """One models.yaml entry from its catalog_llms.yaml spec."""
    config = spec["config"]
    cfg = config["values"]
    source = config["source"] + "".join(f"; read from {where}" for where in config.get("read_from", []))
    arch = hfconfig.architecture(cfg, source)
    count = hfconfig.count_parameters(cfg)
    params = figure(spec["params_m"]) if "params_m" in spec else _dump(hfconfig.params_figure(count))
    if "extended_context" in spec:  # the card's longer context with rope scaling (Qwen2.5: YaRN)
        arch = arch.model_copy(update={"extended_context": ExtendedContext(**spec["extended_context"])})
    if "active_params_m" in spec:
        arch = arch.model_copy(update={"active_params_m": Figure(**figure(spec["active_params_m"]))})
    active = arch.active_params_m.value if arch.active_params_m else params["value"]
    what = "parameters used" if arch.experts else "parameters"
    entry = {
        "id": spec["id"], "task": "text-generation", "family": spec["family"], "kind": "autoregressive",
        "params_m": params, "gflops": _dump(hfconfig.gflops_figure(active, what)),
        "input": f"{arch.max_context // 1024}k context; per generated token" if arch.max_context else None,
    }
    if "accuracy" in spec:
        accuracy, raw = _reference_accuracy(spec)
        accuracy |= _quantised(accuracy, rules.get(spec["family"], {}), spec["id"], params["value"], sizes)
        entry |= {"accuracy_metric": spec["accuracy"]["metric"], "accuracy": accuracy, "accuracy_raw": raw}
    entry |= {"architecture": _dump(arch), "hf_repo": spec["hf_repo"], "aliases": spec.get("aliases", []),
              "license": spec.get("license"), "source": spec.get("accuracy", {}).get("source", config["source"]),
              "request": dict(spec["request"]) if "request" in spec else None,
              "speciality": spec.get("speciality"), "release_precision": spec.get("release_precision"),
              "notes": spec.get("notes")}
    return {k: v for k, v in entry.items() if v not in (None, [], {})}


def llm_models(path: Path) -> list[dict]:
    """Every entry of the LLM input file, in its order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sizes = {m["id"]: float(m["params_m"]["value"]) if "params_m" in m
             else hfconfig.count_parameters(m["config"]["values"]).total / 1e6 for m in data["models"]}
    return [llm_entry(spec, data.get("quantisation", {}), sizes) for spec in data["models"]]
