"""Describe the machine intentctl runs on: CPU, cores, memory, ISA features, NVIDIA GPUs.

The result names a catalog device where one matches and says plainly what could not be
detected. NVIDIA GPUs are read through NVML (the ``nvidia-ml-py`` package) when it and a
driver are present; a machine without them is described all the same.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from pydantic import BaseModel, Field

from hardware.catalog import Catalog

ISA_FEATURES = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16", "amx_int8", "asimd", "sve")


class DetectedDevice(BaseModel):
    kind: str = Field(description="cpu or gpu")
    name: str
    count: int
    catalog_id: str | None = Field(None, description="the matching catalog device, if any")
    memory_gb: float | None = None
    details: dict[str, str | int | float | list[str]] = Field(default_factory=dict)


class MachineReport(BaseModel):
    devices: list[DetectedDevice]
    not_detected: list[str] = Field(default_factory=list)

    def inventory_entries(self) -> list[dict]:
        """Entries for an inventory file: the devices that match the catalog."""
        return [{"id": d.catalog_id, "count": d.count, "placement": "on-prem"} for d in self.devices if d.catalog_id]


def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    path = Path("/proc/cpuinfo")
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    return info


def _memory_gb() -> float | None:
    path = Path("/proc/meminfo")
    if not path.is_file():
        return None
    match = re.search(r"MemTotal:\s+(\d+) kB", path.read_text(encoding="utf-8"))
    return round(int(match.group(1)) * 1024 / 1e9, 2) if match else None


def _words(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9+]+", " ", text.lower()).strip() + " "


def match_device(name: str, catalog: Catalog, device_class: str, memory_gb: float | None = None) -> str | None:
    """The catalog device a detected name stands for: the longest alias (or model number)
    found in it as whole words; among equals, the one whose memory is closest."""
    text = _words(name)
    best: tuple[int, float, str] | None = None
    for device in sorted(catalog.devices.values(), key=lambda d: d.id):
        if device.device_class != device_class:
            continue
        family = catalog.families.get(device.family) if device.family else None
        aliases = list(device.aliases) + (list(family.aliases) if family else [])
        keys = [a for a in aliases if a.isascii()] + re.findall(r"\d{3,}\+?", device.name.lower())
        hits = [len(k) for k in keys if _words(k) in text]
        if not hits:
            continue
        gap = abs(device.memory_gb.value - memory_gb) if memory_gb and device.memory_gb else 0.0
        score = (max(hits), -gap, device.id)
        if best is None or score[:2] > best[:2]:
            best = score
    return best[2] if best else None


def _cpu(catalog: Catalog, not_detected: list[str]) -> DetectedDevice:
    info = _cpuinfo()
    name = info.get("model name") or info.get("Model") or platform.processor() or "unknown CPU"
    flags = (info.get("flags") or info.get("Features") or "").split()
    features = [f for f in ISA_FEATURES if f in flags]
    if not flags:
        not_detected.append("CPU ISA features (no /proc/cpuinfo flags)")
    catalog_id = match_device(name, catalog, "cpu")
    if catalog_id is None:
        not_detected.append(f"a catalog entry for the CPU {name!r} (add one with --catalog DIR)")
    details: dict = {"architecture": platform.machine(), "isa_features": features}
    return DetectedDevice(kind="cpu", name=name, count=1, catalog_id=catalog_id, memory_gb=_memory_gb(),
                          details={**details, "logical_cores": os.cpu_count() or 0})


def _nvidia(catalog: Catalog, not_detected: list[str]) -> list[DetectedDevice]:
    try:
        import pynvml  # optional: nvidia-ml-py
    except ImportError:
        not_detected.append("NVIDIA GPUs (NVML is not installed: pip install nvidia-ml-py)")
        return []
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # noqa: BLE001 - any NVML failure means "no GPU visible"
        not_detected.append(f"NVIDIA GPUs (NVML could not start: {exc})")
        return []
    try:
        found: dict[str, DetectedDevice] = {}
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            name = pynvml.nvmlDeviceGetName(handle)
            name = name.decode() if isinstance(name, bytes) else name
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle).total / 1e9
            if name in found:
                found[name] = found[name].model_copy(update={"count": found[name].count + 1})
            else:
                found[name] = DetectedDevice(kind="gpu", name=name, count=1, memory_gb=round(memory, 2),
                                             catalog_id=match_device(name, catalog, "gpu", memory))
        return list(found.values())
    finally:
        pynvml.nvmlShutdown()


def detect(catalog: Catalog) -> MachineReport:
    not_detected: list[str] = []
    devices = [_cpu(catalog, not_detected)] + _nvidia(catalog, not_detected)
    if not any(d.kind == "gpu" for d in devices) and not any("NVIDIA" in n for n in not_detected):
        not_detected.append("NVIDIA GPUs (none visible to NVML)")
    return MachineReport(devices=devices, not_detected=not_detected)
