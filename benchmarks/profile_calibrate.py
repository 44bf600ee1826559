"""Profile three generated ONNX models on this machine's CPU, calibrate, and print the error of the
model's latency predictions for them before and after, with the held-out errors (each model
predicted by a fit to the other two; each measurement by a fit to the rest).

usage: python benchmarks/profile_calibrate.py [--repeat N] [--duration S] [--bandwidth GBS]

The models are tests/onnx_models.py's (a few convolutions, an MLP, an attention block). This
CPU goes into a temporary catalog: its peak is derived from the cores, the clock /proc/cpuinfo
states and the FLOPs per cycle its ISA gives (AVX-512: 64, AVX2: 32, else 16); its memory
bandwidth is an estimate (--bandwidth, default 20 GB/s). Every repeat starts from an empty
measurement store. Needs the profiling extra (pip install ".[profile]").
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def cpu_figures() -> tuple[str, int, float, str]:
    """This CPU's name, logical cores, fp32 peak in TFLOPS and how the peak was derived."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    flags = fields.get("flags", "").split()
    per_cycle = 64 if "avx512f" in flags else 32 if "avx2" in flags else 16
    ghz = float(fields.get("cpu MHz", "2000")) / 1000
    cores = os.cpu_count() or 1
    return (fields.get("model name", "this CPU"), cores, cores * ghz * per_cycle / 1000,
            f"{cores} cores x {ghz:.2f} GHz x {per_cycle} FP32 FLOP/cycle")


def one_round(models: dict[str, str], catalog: str, duration: float) -> dict:
    from intent.cli import main
    from planner.measure.fitted import load_fits

    for name, path in models.items():
        code = main(["profile", path, "--as", f"tiny-{name}", "--catalog", catalog, "--device", "this-cpu",
                     "--batch", "1,8,32", "--duration", str(duration)])
        assert code == 0, f"profile {name} exited {code}"
    assert main(["calibrate", "--catalog", catalog]) == 0
    fit = load_fits().devices["this-cpu"]
    return {"before": fit.error.before, "after": fit.error.after, "held_out_models": fit.error.held_out_models,
            "leave_one_out": fit.error.held_out_measurements,
            "parameters": {n: (p.prior, p.value) for n, p in fit.parameters.items()}}


def main(argv: list[str]) -> int:
    import onnx_models

    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    duration = float(argv[argv.index("--duration") + 1]) if "--duration" in argv else 2.0
    bandwidth = float(argv[argv.index("--bandwidth") + 1]) if "--bandwidth" in argv else 20.0
    name, cores, tflops, formula = cpu_figures()
    print(f"CPU: {name}; fp32 peak {tflops:.3f} TFLOPS ({formula}); bandwidth {bandwidth:g} GB/s (estimate)")
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        models = {n: str(build(root / f"{n}.onnx")) for n, build in onnx_models.BUILDERS.items()}
        catalog = root / "catalog"
        catalog.mkdir()
        devices, entries = onnx_models.catalog_yaml("this-cpu", name, cores, round(tflops, 4), bandwidth)
        (catalog / "devices.yaml").write_text(devices)
        (catalog / "models.yaml").write_text(entries)
        for i in range(repeat):
            os.environ["INTENTCTL_DATA_DIR"] = str(root / f"data{i}")
            r = one_round(models, str(catalog), duration)
            rounds.append(r)
            moved = ", ".join(f"{n} {a:.3g}->{b:.3g}" for n, (a, b) in r["parameters"].items())
            print(f"round {i + 1}: median latency error before {r['before']:.1%}, after {r['after']:.1%}, "
                  f"held out: a model at a time {r['held_out_models']:.1%}, a measurement at a time "
                  f"{r['leave_one_out']:.1%}; {moved}")
    for key in ("before", "after", "held_out_models", "leave_one_out"):
        print(f"median over rounds, {key}: {statistics.median(r[key] for r in rounds):.1%}")
    return 0


if __name__ == "__main__":  # -h/--help: the usage, which is the module's docstring
    sys.exit(print(__doc__) if {"-h", "--help"} & set(sys.argv[1:]) else main(sys.argv[1:]))
