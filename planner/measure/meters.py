"""What a profile reads besides time: power (RAPL energy counters on Linux CPUs, NVML on NVIDIA
GPUs) and peak memory (the process's resident set, or the GPU's memory in use).

Each meter says plainly when it cannot read: ``note`` holds why, and its readings are None.
"""

from __future__ import annotations

import glob
import os
import re
import time
from pathlib import Path

RAPL_ROOT = "/sys/class/powercap"


class RaplMeter:
    """Package energy of the CPU sockets from the Linux powercap interface (intel-rapl:N, which AMD
    CPUs expose too); average watts between ``start`` and ``stop``."""

    def __init__(self, root: str = RAPL_ROOT):
        packages = (Path(p) for p in sorted(glob.glob(f"{root}/intel-rapl:*")))
        self.domains = [p for p in packages if re.fullmatch(r"intel-rapl:\d+", p.name)]  # not intel-rapl:0:0 (core)
        self.note = ""
        if not self.domains:
            self.note = f"power not readable: no RAPL energy counters under {root} (a VM or a non-Linux system)"
        elif not all(os.access(d / "energy_uj", os.R_OK) for d in self.domains):
            self.note = (f"power not readable: {self.domains[0] / 'energy_uj'} needs read permission "
                         "(e.g. sudo chmod o+r /sys/class/powercap/intel-rapl:*/energy_uj)")
            self.domains = []

    def _read(self) -> list[tuple[int, int]]:
        out = []
        for d in self.domains:
            energy = int((d / "energy_uj").read_text())
            limit = int((d / "max_energy_range_uj").read_text()) if (d / "max_energy_range_uj").is_file() else 0
            out.append((energy, limit))
        return out

    def start(self):
        return (time.perf_counter(), self._read()) if self.domains else None

    def stop(self, token) -> float | None:
        if token is None:
            return None
        began, before = token
        after, seconds = self._read(), time.perf_counter() - began
        joules = 0.0
        for (e0, limit), (e1, _) in zip(before, after):
            delta = e1 - e0 if e1 >= e0 else e1 + limit - e0  # the counter wraps at max_energy_range_uj
            joules += delta / 1e6
        return joules / seconds if seconds > 0 else None


class NvmlMeter:
    """Energy (and memory in use) of one NVIDIA GPU through NVML (the nvidia-ml-py package)."""

    def __init__(self, index: int = 0):
        self.note, self.handle, self._nvml = "", None, None
        try:
            import pynvml

            pynvml.nvmlInit()
            self.handle, self._nvml = pynvml.nvmlDeviceGetHandleByIndex(index), pynvml
            pynvml.nvmlDeviceGetTotalEnergyConsumption(self.handle)
        except ImportError:
            self.note = "power not readable: NVML is not installed (pip install nvidia-ml-py)"
        except Exception as exc:  # noqa: BLE001 - any NVML failure means the counter cannot be read
            self.note = f"power not readable through NVML ({exc})"
            self.handle = None if self._nvml is None else self.handle

    def start(self):
        if self.note or self.handle is None:
            return None
        return time.perf_counter(), self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle)

    def stop(self, token) -> float | None:
        if token is None:
            return None
        began, millijoules = token
        seconds = time.perf_counter() - began
        used = self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle) - millijoules
        return used / 1000 / seconds if seconds > 0 else None

    def memory_mb(self) -> float | None:
        if self.handle is None:
            return None
        try:
            return self._nvml.nvmlDeviceGetMemoryInfo(self.handle).used / 1e6
        except Exception:  # noqa: BLE001 - an unreadable figure is None
            return None


class ProcessMemory:
    """Peak resident memory of this process (Linux /proc/self/status VmHWM), reset per batch where
    the kernel allows (/proc/self/clear_refs), else the peak since the process started."""

    STATUS = Path("/proc/self/status")

    def __init__(self):
        self.baseline = self._field("VmRSS")
        self.note = "" if self.baseline is not None else "peak memory not readable (no /proc/self/status)"

    def _field(self, name: str) -> float | None:
        try:
            for line in self.STATUS.read_text().splitlines():
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024 / 1e6  # the kernel's kB are KiB
        except OSError:
            return None
        return None

    def reset_peak(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            pass  # the peak then covers the whole process, which is still an upper bound

    def peak_mb(self) -> float | None:
        """The peak resident memory above what the process held before the model was loaded."""
        peak = self._field("VmHWM")
        if peak is None or self.baseline is None:
            return None
        return max(peak - self.baseline, 0.0) or None
