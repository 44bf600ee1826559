"""Profile a live OpenAI-compatible LLM server with streaming chat completions, as vLLM's serving
benchmark and genai-perf do: per concurrency level, TTFT, TPOT, inter-token latency and
end-to-end latency percentiles, output tokens per second and requests per second.

At each level, ``concurrency`` workers send requests back to back until ``requests`` have
been sent or ``duration_s`` has passed (a request's own timeout ends with the level's time, so
a stalled server cannot hold the sweep). TTFT is the time to the first streamed content;
TPOT is (end-to-end - TTFT) / (output tokens - 1) per request, output tokens being the
server's usage count where it sends one, else the content chunks; ITL is the time between
chunks. Ctrl-C ends the sweep and keeps the levels measured, and the requests of the level cut
short when some finished.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

#: Common one-token English words: a prompt of N of them is about N tokens for any tokenizer.
WORDS = ["the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "it", "from", "his", "an", "were", "are", "which", "this", "be", "or", "has", "had", "not", "but", "one", "all", "their", "they", "new", "two", "more", "first", "been", "also", "after", "who", "its", "than", "other", "some", "time", "into", "only", "most"]
REQUEST_TIMEOUT_GRACE_S = 5.0


@dataclass(frozen=True)
class RequestTiming:
    ok: bool
    ttft_ms: float | None = None
    e2e_ms: float | None = None
    output_tokens: int = 0
    prompt_tokens: int | None = None
    gaps_ms: tuple[float, ...] = ()
    error: str | None = None

    @property
    def tpot_ms(self) -> float | None:
        if not self.ok or self.output_tokens < 2 or self.ttft_ms is None:
            return None
        return (self.e2e_ms - self.ttft_ms) / (self.output_tokens - 1)


@dataclass(frozen=True)
class Percentiles:
    p50: float
    p90: float
    p99: float

    @classmethod
    def of(cls, values: list[float]) -> Percentiles | None:
        if not values:
            return None
        if len(values) == 1:
            return cls(values[0], values[0], values[0])
        q = statistics.quantiles(values, n=100, method="inclusive")
        return cls(statistics.median(values), q[89], q[98])


@dataclass(frozen=True)
class LevelResult:
    """One concurrency level's figures."""

    concurrency: int
    sent: int
    completed: int
    seconds: float
    ttft_ms: Percentiles | None
    tpot_ms: Percentiles | None
    itl_ms: Percentiles | None
    e2e_ms: Percentiles | None
    output_tokens_per_s: float
    requests_per_s: float
    mean_output_tokens: float | None
    mean_prompt_tokens: float | None
    errors: tuple[str, ...] = ()
    complete: bool = True


@dataclass
class EndpointProfile:
    url: str
    model: str
    levels: list[LevelResult] = field(default_factory=list)
    interrupted: bool = False
    #: levels no request completed at: (concurrency, requests sent, the first errors)
    failed: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)


def prompt_text(tokens: int) -> str:
    return " ".join(WORDS[i % len(WORDS)] for i in range(tokens))


def client(url: str, api_key: str | None, timeout_s: float):
    """An OpenAI client for the server (no retries: a failed request is counted, not repeated)."""
    from openai import OpenAI, Timeout  # the client's own Timeout: its HTTP library differs between releases

    return OpenAI(base_url=url, api_key=api_key or "not-needed", max_retries=0,
                  timeout=Timeout(timeout_s, connect=min(10.0, timeout_s)))


def one_request(api, model: str, prompt: str, output_tokens: int, timeout_s: float,
                ignore_eos: bool = False) -> RequestTiming:
    """Send one streaming chat completion and time its chunks."""
    extra = {"ignore_eos": True, "min_tokens": output_tokens} if ignore_eos else None
    started = time.perf_counter()
    first = last = None
    gaps, chunks, usage = [], 0, None
    try:
        stream = api.chat.completions.create(
            model=model, messages=[{"role": "user", "content": prompt}], max_tokens=output_tokens, stream=True,
            stream_options={"include_usage": True}, temperature=0.0, timeout=timeout_s, extra_body=extra)
        for chunk in stream:
            if time.perf_counter() - started > timeout_s:  # the read timeout bounds a stall, this the whole
                stream.close()
                return RequestTiming(ok=False, error=f"timed out: still streaming after {timeout_s:.3g} s")
            if chunk.usage is not None:
                usage = chunk.usage
            if not chunk.choices or not (chunk.choices[0].delta and chunk.choices[0].delta.content):
                continue
            now = time.perf_counter()
            if first is None:
                first = now
            else:
                gaps.append((now - last) * 1000)
            last, chunks = now, chunks + 1
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - a failed request is reported with the level, never raised
        return RequestTiming(ok=False, error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    if first is None:
        return RequestTiming(ok=False, error="the stream held no content")
    ended = time.perf_counter()
    tokens = usage.completion_tokens if usage is not None and usage.completion_tokens else chunks
    return RequestTiming(ok=True, ttft_ms=(first - started) * 1000, e2e_ms=(ended - started) * 1000,
                         output_tokens=tokens, prompt_tokens=usage.prompt_tokens if usage is not None else None,
                         gaps_ms=tuple(gaps))


def default_requests(concurrency: int) -> int:
    """Requests per level when none is given: enough for percentiles, bounded by the level's time."""
    return max(10, 4 * concurrency)


def run_level(api, model: str, concurrency: int, prompt: str, output_tokens: int, requests: int, duration_s: float,
              ignore_eos: bool = False, on_done: Callable[[int, RequestTiming], None] | None = None,
              grace_s: float = REQUEST_TIMEOUT_GRACE_S) -> LevelResult:
    """``concurrency`` workers send requests until ``requests`` are sent or ``duration_s`` passes;
    a request in flight at the end gets ``grace_s`` more to finish."""
    lock, stop = threading.Lock(), threading.Event()
    sent, timings = [0], []
    deadline = time.perf_counter() + duration_s

    def worker():
        while not stop.is_set():
            with lock:
                remaining = deadline - time.perf_counter()
                if sent[0] >= requests or remaining <= 0:
                    return
                sent[0] += 1
            timing = one_request(api, model, prompt, output_tokens, remaining + grace_s, ignore_eos)
            with lock:
                timings.append(timing)
            if on_done:
                on_done(concurrency, timing)

    began = time.perf_counter()
    complete = True
    pool = ThreadPoolExecutor(max_workers=concurrency)
    futures = [pool.submit(worker) for _ in range(concurrency)]
    try:
        while wait(futures, timeout=0.1).not_done:
            pass
    except KeyboardInterrupt:
        stop.set()
        complete = False
    pool.shutdown(wait=complete, cancel_futures=True)
    return summarise(concurrency, sent[0], list(timings), time.perf_counter() - began, complete)


def summarise(concurrency: int, sent: int, timings: list[RequestTiming], seconds: float,
              complete: bool = True) -> LevelResult:
    ok = [t for t in timings if t.ok]
    tokens = sum(t.output_tokens for t in ok)
    prompts = [t.prompt_tokens for t in ok if t.prompt_tokens]
    errors = tuple(dict.fromkeys(t.error for t in timings if not t.ok))[:3]
    return LevelResult(
        concurrency=concurrency, sent=sent, completed=len(ok), seconds=seconds,
        ttft_ms=Percentiles.of([t.ttft_ms for t in ok]), tpot_ms=Percentiles.of([t.tpot_ms for t in ok if t.tpot_ms]),
        itl_ms=Percentiles.of([g for t in ok for g in t.gaps_ms]), e2e_ms=Percentiles.of([t.e2e_ms for t in ok]),
        output_tokens_per_s=tokens / seconds if seconds > 0 else 0.0,
        requests_per_s=len(ok) / seconds if seconds > 0 else 0.0,
        mean_output_tokens=tokens / len(ok) if ok else None,
        mean_prompt_tokens=sum(prompts) / len(prompts) if prompts else None, errors=errors, complete=complete)


def profile_endpoint(url: str, model: str, levels: list[int], *, prompt_tokens: int, output_tokens: int,
                     requests: int | None, duration_s: float, api_key: str | None = None, ignore_eos: bool = False,
                     grace_s: float = REQUEST_TIMEOUT_GRACE_S,
                     on_result: Callable[[LevelResult], None] | None = None,
                     on_done: Callable[[int, RequestTiming], None] | None = None) -> EndpointProfile:
    """Each concurrency level in turn (``requests`` per level, default ``default_requests``); see
    the module docstring. ``on_result`` gets each level as it lands, ``on_done`` each request."""
    api = client(url, api_key, duration_s + grace_s)
    prompt = prompt_text(prompt_tokens)
    out = EndpointProfile(url=url, model=model)
    for level in levels:
        result = run_level(api, model, level, prompt, output_tokens, requests or default_requests(level), duration_s,
                           ignore_eos, on_done, grace_s)
        if result.completed:
            out.levels.append(result)
            if on_result:
                on_result(result)
        else:
            out.failed.append((level, result.sent, result.errors))
        if not result.complete:
            out.interrupted = True
            break
    return out
