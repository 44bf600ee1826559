"""intentctl profile: measure a model file with ONNX Runtime, or a live LLM endpoint, on this machine.

Each result is stored as it lands (planner.measure.store), so Ctrl-C keeps what was measured
and exits 130. ``intentctl calibrate`` then fits the measured device's parameters.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from intent.commands.common import CatalogOpt, JsonOpt, print_json

INTERRUPTED = 130


class Provider(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    tensorrt = "tensorrt"


class ModelPrecision(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    int8 = "int8"


def sizes(text: str, option: str) -> list[int]:
    """'1,8,32' as whole numbers of at least 1, or a usage error naming the option."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise typer.BadParameter(f"{option} takes whole numbers of at least 1 separated by commas, e.g. 1,8,32, "
                                 f"not {text!r}")
    return values


def profile(
    model_file: Annotated[str | None, typer.Argument(metavar="MODEL.onnx", help="An ONNX model on this machine.")] = None,
    as_id: Annotated[str | None, typer.Option("--as", metavar="CATALOG_ID",
                                              help="The catalog model the file (or the endpoint) stands for.")] = None,
    batch: Annotated[str, typer.Option("--batch", metavar="1,8,32", help="Batch sizes to measure.")] = "1,8,32",
    precision: Annotated[str | None, typer.Option(
        "--precision", metavar="fp32|fp16|bf16|int8",
        help="The precision the model computes in (default: read from the file; an endpoint: fp16).")] = None,
    duration: Annotated[float | None, typer.Option(
        "--duration", min=0.05, metavar="S",
        help="Seconds per batch size after warm-up (default 3); per concurrency level for an endpoint "
             "(default 60).")] = None,
    provider: Annotated[Provider | None, typer.Option(
        "--provider", help="ONNX Runtime execution provider (default: TensorRT, else CUDA, else CPU, as "
                           "installed).")] = None,
    device: Annotated[str | None, typer.Option(
        "--device", metavar="ID", help="The catalog device measured (default for a model file: this machine's, "
                                       "as intentctl catalog detect finds it).")] = None,
    endpoint: Annotated[str | None, typer.Option(
        "--endpoint", metavar="URL", help="Measure an OpenAI-compatible server instead (base URL, e.g. "
                                          "http://localhost:8000/v1).")] = None,
    model: Annotated[str | None, typer.Option("--model", metavar="NAME",
                                              help="The model name the endpoint serves.")] = None,
    concurrency: Annotated[str, typer.Option("--concurrency", metavar="1,8,32",
                                             help="Endpoint: concurrent requests per level.")] = "1,8,32",
    prompt_tokens: Annotated[int, typer.Option("--prompt-tokens", min=1, metavar="N",
                                               help="Endpoint: prompt length, about N tokens.")] = 512,
    output_tokens: Annotated[int, typer.Option("--output-tokens", min=1, metavar="M",
                                               help="Endpoint: tokens to generate (max_tokens).")] = 128,
    requests: Annotated[int | None, typer.Option(
        "--requests", min=1, metavar="K", help="Endpoint: requests per level (default 4 x the concurrency, "
                                               "at least 10).")] = None,
    ignore_eos: Annotated[bool, typer.Option(
        "--ignore-eos", help="Endpoint: ask the server to generate all M tokens (vLLM's ignore_eos).")] = False,
    catalog: CatalogOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Measure a model on this machine, or a live LLM endpoint; results go to the measurement store.

    Examples:

      intentctl profile resnet50.onnx --as resnet50 --batch 1,8,32

      intentctl profile --endpoint http://localhost:8000/v1 --model meta-llama/Llama-3.1-8B-Instruct --device nvidia-l4

    Then: intentctl calibrate (fits this device's parameters), intentctl calibrate --list.
    """
    from hardware import load_catalog

    cat = load_catalog(catalog)
    if endpoint is not None:
        _endpoint(cat, endpoint, model, as_id, device, precision or "fp16", sizes(concurrency, "--concurrency"),
                  prompt_tokens, output_tokens, requests, duration or 60.0, ignore_eos, json_out)
        return
    if model_file is None:
        raise typer.BadParameter("give a model file (MODEL.onnx --as CATALOG_ID) or --endpoint URL --model NAME")
    if as_id is None:
        raise typer.BadParameter("name the catalog model the file stands for: --as CATALOG_ID "
                                 "(intentctl catalog models lists them)")
    _model_file(cat, model_file, cat.model(as_id).id, sizes(batch, "--batch"), precision, duration or 3.0, provider,
                device, json_out)


def _model_file(cat, path: str, model_id: str, batches: list[int], precision: str | None, duration: float,
                provider: Provider | None, device_id: str | None, json_out: bool) -> None:
    from planner.measure import profile as prof
    from planner.measure.store import add

    runtime, onnx = prof.require_runtime()
    if not Path(path).is_file():
        raise prof.ProfileError(f"{path}: no such file")
    chosen = prof.choose_provider(provider.value if provider else None, runtime.get_available_providers())
    precision = _check_precision(onnx, path, precision, cat.models[model_id])
    device_id = _device_for(cat, chosen, device_id)
    meter = _power_meter(chosen)
    stored = []

    def keep(result, run) -> None:
        stored.extend(add([_measurement(result, run, model_id, device_id, path)]))

    with _progress(len(set(batches)) * duration, f"{Path(path).name} on {device_id}") as advance:
        run = prof.profile(path, batches, duration, provider=(provider.value if provider else None),
                           precision=precision, power_meter=meter, on_result=keep, on_progress=advance)
    _report_profile(run, stored, json_out)
    if run.interrupted:
        typer.echo(f"intentctl: interrupted; kept {len(stored)} measurement(s)", err=True)
        raise typer.Exit(INTERRUPTED)


def _check_precision(onnx, path: str, precision: str | None, model) -> str:
    """The precision the file computes in; a stated one must agree. Warns when the file's work
    is far from the catalog model's it stands for."""
    from planner.measure.onnxstats import stats
    from planner.measure.profile import ProfileError

    try:
        found = stats(onnx.load(path))
    except Exception as exc:  # onnx raises its own types for a file that is not a model
        raise ProfileError(f"{path}: not a readable ONNX model ({str(exc).splitlines()[0]})") from exc
    if precision is not None and precision != found.precision:
        raise ProfileError(f"{path} computes in {found.precision} (read from its weights and operators), not "
                           f"{precision}", f"drop --precision, or export or quantise the model in {precision}")
    catalog_gflops = model.gflops.value if model.gflops else None
    if catalog_gflops and found.gflops > 0 and not 0.5 <= found.gflops / catalog_gflops <= 2:
        typer.echo(f"intentctl: note: {Path(path).name} does {found.gflops:.3g} GFLOPs per sample and {model.id} in "
                   f"the catalog {catalog_gflops:.3g}; measurements of this file will mislead predictions for "
                   f"{model.id} (add a catalog entry for it with --catalog DIR)", err=True)
    return found.precision


def _device_for(cat, provider: str, device_id: str | None) -> str:
    """The catalog device a run on ``provider`` measures: the one named, else the one detected."""
    from hardware.detect import detect
    from planner.measure.profile import ProfileError

    if device_id is not None:
        return cat.device(device_id).id
    kind = "cpu" if provider == "CPUExecutionProvider" else "gpu"
    report = detect(cat)
    found = next((d for d in report.devices if d.kind == kind), None)
    if found is None or found.catalog_id is None:
        name = f" {found.name!r}" if found else ""
        raise ProfileError(f"this machine's {kind}{name} matches no catalog device",
                           "name it with --device ID, or add it to a catalog directory and pass --catalog DIR "
                           "(intentctl catalog detect shows what was found)")
    return found.catalog_id


def _power_meter(provider: str):
    from planner.measure.meters import NvmlMeter, RaplMeter

    return RaplMeter() if provider == "CPUExecutionProvider" else NvmlMeter()


def _measurement(result, run, model_id: str, device_id: str, path: str):
    from planner.measure.store import Measurement

    cut = "" if result.complete else ", cut short by Ctrl-C"
    return Measurement(model_id=model_id, device_id=device_id, precision=run.precision, batch_size=result.batch_size,
                       latency_ms=result.p50_ms, latency_p90_ms=result.p90_ms, latency_p99_ms=result.p99_ms,
                       throughput_rps=result.throughput_rps, power_w=result.power_w,
                       peak_memory_mb=result.peak_memory_mb, provider=run.provider, software=run.software,
                       source=f"intentctl profile {Path(path).name} ({result.runs} runs{cut})")


class _progress:
    """A progress bar on stderr over ``total`` seconds of measuring; yields ``advance(key, seconds)``,
    where ``seconds`` is the time spent on the current batch (or level) ``key``."""

    def __init__(self, total: float, label: str):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        self.label, self.task = label, self.bar.add_task(label, total=total)
        self.done: dict = {}

    def __enter__(self):
        self.bar.start()
        return self.advance

    def advance(self, key, seconds: float) -> None:
        self.done[key] = seconds
        self.bar.update(self.task, completed=sum(self.done.values()), description=f"{self.label} · {key}")

    def __exit__(self, *exc) -> None:
        self.bar.stop()


def _report_profile(run, stored, json_out: bool) -> None:
    if json_out:
        print_json({"provider": run.provider, "precision": run.precision, "software": run.software,
                    "interrupted": run.interrupted, "notes": run.notes,
                    "measurements": [m.model_dump(mode="json") for m in stored]})
        return
    typer.echo(f"provider {run.provider} · {run.precision} · {run.software}")
    typer.echo(f"{'batch':>5} {'runs':>6} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'samples/s':>10} {'power W':>8} "
               f"{'peak MB':>8}  id")
    for r, m in zip(run.results, stored):
        typer.echo(f"{r.batch_size:>5} {r.runs:>6} {r.p50_ms:>9.3f} {r.p90_ms:>9.3f} {r.p99_ms:>9.3f} "
                   f"{r.throughput_rps:>10.1f} {_num(r.power_w, 8, 1)} {_num(r.peak_memory_mb, 8, 1)}  #{m.id}"
                   + ("" if r.complete else " (cut short)"))
    for note in run.notes:
        typer.echo(f"note: {note}")
    _next_steps(stored)


def _num(value, width: int, digits: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def _next_steps(stored) -> None:
    if stored:
        devices = sorted({m.device_id for m in stored})
        typer.echo(f"stored {len(stored)} measurement(s) for {', '.join(devices)}; plans use the measured cells now. "
                   "Fit the device's parameters with: intentctl calibrate")


def _endpoint(cat, url, name, as_id, device_id, precision, levels, prompt_tokens, output_tokens, requests,
              duration, ignore_eos, json_out) -> None:
    from collections import Counter

    from intent.settings import load_settings
    from planner.measure.endpoint import default_requests, profile_endpoint
    from planner.measure.store import add

    if name is None:
        raise typer.BadParameter("name the model the endpoint serves: --model NAME")
    model_id = _catalog_model(cat, name, as_id)
    device_id = cat.device(device_id).id if device_id is not None else None
    stored = []

    def keep(level) -> None:
        if device_id is not None:
            stored.extend(add([_level_measurement(level, url, model_id, device_id, precision, prompt_tokens)]))

    total = sum(requests or default_requests(c) for c in levels)
    counts: Counter = Counter()
    with _progress(float(total), f"{name} at {url}") as advance:
        def done(level, timing) -> None:
            counts[level] += 1
            advance(f"concurrency {level}", counts[level])

        run = profile_endpoint(url, name, levels, prompt_tokens=prompt_tokens, output_tokens=output_tokens,
                               requests=requests, duration_s=duration, api_key=load_settings().api_key,
                               ignore_eos=ignore_eos, on_result=keep, on_done=done)
    if not run.levels and run.failed and not run.interrupted:
        # connection refused, a 404: no request completed, so there is nothing to report or store (it had exited 0
        # with an empty table)
        from planner.measure.profile import ProfileError

        errors = "; ".join(dict.fromkeys(e for _, _, found in run.failed for e in found)) or "no response"
        sent = sum(n for _, n, _ in run.failed)
        raise ProfileError(f"no request to {url} completed ({sent} sent over {len(run.failed)} concurrency level(s)): "
                           f"{errors}", hint="check the URL (an OpenAI-compatible base, e.g. http://host:8000/v1), "
                                             "that the server is up and serves the model --model names")
    _report_endpoint(run, model_id, stored, device_id, json_out)
    if run.interrupted:
        typer.echo(f"intentctl: interrupted; kept {len(stored)} measurement(s)", err=True)
        raise typer.Exit(INTERRUPTED)


def _catalog_model(cat, name: str, as_id: str | None) -> str:
    """The catalog model an endpoint's model name stands for: --as, else the name resolved."""
    from hardware.names import resolve_model, suggest_models

    if as_id is not None:
        return cat.model(as_id).id
    found = resolve_model(name, cat)
    if found is None:
        close = suggest_models(name, cat)
        raise typer.BadParameter(f"{name!r} names no catalog model" + (f" (closest: {', '.join(close)})" if close
                                                                          else "") + "; say which with --as CATALOG_ID")
    return found


def _level_measurement(level, url: str, model_id: str, device_id: str, precision: str, prompt_tokens: int):
    from planner.measure.store import Measurement

    prompt = round(level.mean_prompt_tokens) if level.mean_prompt_tokens else prompt_tokens
    cut = "" if level.complete else ", cut short by Ctrl-C"
    return Measurement(
        model_id=model_id, device_id=device_id, precision=precision, batch_size=level.concurrency,
        latency_ms=level.e2e_ms.p50, latency_p90_ms=level.e2e_ms.p90, latency_p99_ms=level.e2e_ms.p99,
        throughput_rps=level.requests_per_s, ttft_ms=level.ttft_ms.p50,
        tpot_ms=level.tpot_ms.p50 if level.tpot_ms else None, tokens_per_s=level.output_tokens_per_s or None,
        prompt_tokens=prompt, output_tokens=round(level.mean_output_tokens), provider="openai-compatible endpoint",
        source=f"intentctl profile --endpoint {url} ({level.completed} requests{cut})")


def _report_endpoint(run, model_id: str, stored, device_id: str | None, json_out: bool) -> None:
    if json_out:
        from dataclasses import asdict

        print_json({"url": run.url, "model": run.model, "model_id": model_id, "device_id": device_id,
                    "interrupted": run.interrupted, "levels": [asdict(level) for level in run.levels],
                    "measurements": [m.model_dump(mode="json") for m in stored]})
        return
    typer.echo(f"{run.model} at {run.url} (catalog model {model_id})")
    typer.echo(f"{'conc':>4} {'done':>5} {'TTFT p50/p99 ms':>17} {'TPOT p50/p99 ms':>17} {'ITL p99':>8} "
               f"{'e2e p50/p99 ms':>17} {'tok/s':>8} {'req/s':>7}")
    for level in run.levels:
        typer.echo(f"{level.concurrency:>4} {level.completed:>2}/{level.sent:<2} {_pair(level.ttft_ms):>17} "
                   f"{_pair(level.tpot_ms):>17} {_num(level.itl_ms.p99 if level.itl_ms else None, 8, 1)} "
                   f"{_pair(level.e2e_ms):>17} {level.output_tokens_per_s:>8.1f} {level.requests_per_s:>7.2f}")
        for error in level.errors:
            typer.echo(f"     failed: {error}")
    if device_id is None:
        typer.echo("not stored: name the device the server runs on with --device ID")
    _next_steps(stored)


def _pair(p) -> str:
    return "-" if p is None else f"{p.p50:.1f} / {p.p99:.1f}"
