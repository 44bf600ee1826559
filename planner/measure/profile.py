"""Profile an ONNX model on this machine with ONNX Runtime: latency percentiles per batch size,
throughput, peak memory and, where the machine exposes it, power.

Each batch size is warmed up, then run back to back for ``duration_s`` (at least ``MIN_RUNS``
runs). Results come out one batch at a time (``on_result``), so a caller can store each as it
lands; Ctrl-C ends the sweep and keeps what was measured, a batch cut short included when it
has ``KEEP_RUNS`` runs. ONNX Runtime is an optional extra: ``pip install "intentctl[profile]"``.
"""

from __future__ import annotations

import platform
import signal
import statistics
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from planner.errors import PlanningError

MIN_RUNS = 5  # a batch runs at least this many times, whatever the duration
KEEP_RUNS = 5  # a batch cut short by Ctrl-C is kept when it ran this many times
WARMUP_RUNS = 3
#: Execution providers by the name the command takes, most capable first.
PROVIDERS = {"tensorrt": "TensorrtExecutionProvider", "cuda": "CUDAExecutionProvider", "cpu": "CPUExecutionProvider"}
INSTALL_HINT = 'install the profiling extra: pip install "intentctl[profile]" (ONNX Runtime and onnx)'
NUMPY_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
               "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(int8)": np.int8,
               "tensor(uint8)": np.uint8, "tensor(bool)": np.bool_}


class ProfileError(PlanningError):
    """A model cannot be profiled as asked; the message says why and what to do."""

    code = "profile-error"

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


class ProfileUnavailable(ProfileError):
    """The profiling extra (ONNX Runtime, onnx) is not installed."""

    code = "profile-unavailable"


@dataclass(frozen=True)
class BatchResult:
    batch_size: int
    runs: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    throughput_rps: float  # samples per second over the timed runs
    power_w: float | None
    peak_memory_mb: float | None
    complete: bool  # False: cut short by Ctrl-C


@dataclass
class Profile:
    """A sweep's results and how they were obtained."""

    provider: str
    precision: str
    software: str
    results: list[BatchResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be measured, and why
    interrupted: bool = False


def require_runtime():
    """ONNX Runtime and onnx, or a ProfileError saying how to install them."""
    try:
        import onnx
        import onnxruntime
    except ImportError as exc:
        raise ProfileUnavailable(f"profiling needs ONNX Runtime and onnx ({exc.name} is not installed)",
                           INSTALL_HINT) from None
    return onnxruntime, onnx


def choose_provider(requested: str | None, available: list[str]) -> str:
    """The execution provider to run on: the requested one (by its short name), else the most
    capable available one."""
    if requested is not None:
        name = PROVIDERS[requested]
        if name not in available:
            raise ProfileError(f"ONNX Runtime here has no {name} (available: {', '.join(available)})",
                               "install onnxruntime-gpu for CUDA and TensorRT, or use --provider cpu")
        return name
    return next(name for name in PROVIDERS.values() if name in available)


def software(runtime) -> str:
    return (f"onnxruntime {runtime.__version__}; python {platform.python_version()}; "
            f"{platform.system()} {platform.release()}")


def inputs_for(session, batch: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random inputs of ``batch`` samples; the first dimension is the batch, every other must be fixed."""
    feeds = {}
    for item in session.get_inputs():
        dims = list(item.shape)
        if not dims:
            raise ProfileError(f"input {item.name!r} is a scalar; the profiler needs a batch dimension first")
        if isinstance(dims[0], int) and dims[0] != batch:
            raise ProfileError(f"input {item.name!r} has a fixed batch of {dims[0]}, not {batch}",
                               f"profile it with --batch {dims[0]}, or export the model with a dynamic batch")
        free = [d for d in dims[1:] if not isinstance(d, int)]
        if free:
            raise ProfileError(f"input {item.name!r} has a free dimension {free[0]!r} besides the batch",
                               "export the model with fixed sizes for every dimension but the first")
        dtype = NUMPY_TYPES.get(item.type)
        if dtype is None:
            raise ProfileError(f"input {item.name!r} has type {item.type}, which the profiler does not generate")
        shape = [batch] + dims[1:]
        if np.issubdtype(dtype, np.floating):
            feeds[item.name] = rng.standard_normal(shape).astype(dtype)
        else:
            feeds[item.name] = np.ones(shape, dtype=dtype)  # token ids, masks: 1 is valid for every vocabulary
    return feeds


def profile(path: str, batches: list[int], duration_s: float, *, provider: str | None = None,
            precision: str = "fp32", power_meter=None,
            on_result: Callable[[BatchResult, Profile], None] | None = None,
            on_progress: Callable[[int, float], None] | None = None) -> Profile:
    """Run the model at each batch size; see the module docstring. ``on_result(batch_result, profile)``
    gets each batch as it lands, ``on_progress(batch, seconds)`` the time spent on a batch;
    ``power_meter`` (planner.measure.meters) reads power over each batch."""
    from planner.measure.meters import ProcessMemory

    runtime, _ = require_runtime()
    memory = ProcessMemory()
    chosen = choose_provider(provider, runtime.get_available_providers())
    try:
        session = runtime.InferenceSession(path, providers=[chosen])
    except Exception as exc:  # ONNX Runtime raises its own types for a file it cannot load
        raise ProfileError(f"{path}: ONNX Runtime cannot load it ({str(exc).splitlines()[0]})") from exc
    result = Profile(provider=session.get_providers()[0], precision=precision, software=software(runtime))
    result.notes += [n for n in (getattr(power_meter, "note", "") if power_meter else "power not measured",
                                 memory.note) if n]
    result.notes += busy_note()
    rng = np.random.default_rng(0)
    fixed = _fixed_batch(session)
    for batch in sorted(set(batches)):
        if fixed is not None and batch != fixed:
            result.notes.append(f"batch {batch} skipped: the model's batch is fixed at {fixed}")
            continue
        try:  # Ctrl-C between two batches' runs ends the profile as one during them does
            feeds = inputs_for(session, batch, rng)
            done = _one_batch(session, feeds, batch, duration_s, power_meter, memory, on_progress)
            if done is not None:
                result.results.append(done)
                if on_result:
                    with _interrupt_deferred():
                        on_result(done, result)
        except KeyboardInterrupt:
            done = None
        if done is None or not done.complete:
            result.interrupted = True
            break
    return result


@contextmanager
def _interrupt_deferred():
    """Ctrl-C while a batch's figures are being stored takes effect once they are stored (a store
    cut off mid-write would lose the batch, or every batch). Main thread only (Python's signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def busy_note() -> list[str]:
    """A note when other work keeps this machine's CPUs busy, which slows and scatters the figures."""
    import os

    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return []
    cpus = os.cpu_count() or 1
    if load <= cpus / 2:
        return []
    note = (f"the machine was busy (load average {load:.1f} on {cpus} CPUs) when profiling started: figures may be "
            "slower and noisier than on an idle machine")
    return [note]


def _fixed_batch(session) -> int | None:
    first = session.get_inputs()[0].shape
    return first[0] if first and isinstance(first[0], int) else None


def _one_batch(session, feeds, batch, duration_s, power_meter, memory, on_progress) -> BatchResult | None:
    """Warm up, then time runs for ``duration_s``; Ctrl-C ends it early (None: fewer than ``KEEP_RUNS``)."""
    times: list[float] = []
    complete, token, power = True, None, None
    try:
        for _ in range(WARMUP_RUNS):
            session.run(None, feeds)
        memory.reset_peak()
        token = power_meter.start() if power_meter else None
        began = time.perf_counter()
        while len(times) < MIN_RUNS or time.perf_counter() - began < duration_s:
            start = time.perf_counter()
            session.run(None, feeds)
            times.append((time.perf_counter() - start) * 1000)
            if on_progress:
                on_progress(batch, time.perf_counter() - began)
    except KeyboardInterrupt:
        complete = False
    if power_meter and token is not None:
        power = power_meter.stop(token)
    if len(times) < KEEP_RUNS:
        return None
    q = statistics.quantiles(times, n=100, method="inclusive")
    return BatchResult(batch_size=batch, runs=len(times), p50_ms=statistics.median(times), p90_ms=q[89],
                       p99_ms=q[98], throughput_rps=batch * len(times) / (sum(times) / 1000), power_w=power,
                       peak_memory_mb=memory.peak_mb(), complete=complete)
