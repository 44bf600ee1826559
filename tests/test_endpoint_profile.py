"""intentctl profile --endpoint: a streaming OpenAI-compatible server measured per concurrency level,
against a local server with controlled token timing (tests/streaming_server.py)."""

from __future__ import annotations

import json
import time

import pytest
from streaming_server import StreamingServer

from intent.cli import main
from planner.measure.endpoint import profile_endpoint
from planner.measure.store import load_store

TTFT_S, ITL_S = 0.2, 0.02


def test_ttft_and_tpot_are_measured_within_ten_percent(capsys):
    with StreamingServer(ttft_s=TTFT_S, itl_s=ITL_S) as server:
        code = main(["profile", "--endpoint", server.base_url, "--model", "Meta-Llama-3.1-8B-Instruct",
                     "--device", "nvidia-l4", "--concurrency", "1,4", "--requests", "8", "--prompt-tokens", "32",
                     "--output-tokens", "16", "--json"])
        sent = list(server.requests)
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["model_id"] == "llama-3.1-8b"  # the served name resolved to the catalog model
    assert [level["concurrency"] for level in out["levels"]] == [1, 4]
    for level in out["levels"]:
        assert level["sent"] == level["completed"] == 8
        assert level["ttft_ms"]["p50"] == pytest.approx(TTFT_S * 1000, rel=0.10)
        assert level["tpot_ms"]["p50"] == pytest.approx(ITL_S * 1000, rel=0.10)
        assert level["itl_ms"]["p50"] == pytest.approx(ITL_S * 1000, rel=0.10)
        assert level["mean_output_tokens"] == 16 and level["mean_prompt_tokens"] == 32
    assert len(sent) == 16 and all(body["stream"] and body["max_tokens"] == 16 for body in sent)
    stored = load_store()
    assert [(m.batch_size, m.device_id, m.precision) for m in stored] == [(1, "nvidia-l4", "fp16"),
                                                                           (4, "nvidia-l4", "fp16")]
    assert all(m.ttft_ms == pytest.approx(TTFT_S * 1000, rel=0.10) for m in stored)
    assert all(m.prompt_tokens == 32 and m.output_tokens == 16 and m.tokens_per_s > 0 for m in stored)


def test_a_sweep_is_bounded_in_time():
    """A server far slower than the level's time: every request is cut off near the bound."""
    with StreamingServer(ttft_s=0.3, itl_s=0.5) as server:
        began = time.perf_counter()
        run = profile_endpoint(server.base_url, "slow", [2], prompt_tokens=8, output_tokens=100, requests=50,
                               duration_s=0.5, grace_s=0.5)
        took = time.perf_counter() - began
    assert took < 4  # 0.5 s of sending, 0.5 s of grace for the requests in flight, start-up
    assert run.levels == []  # nothing completed: no level to record


def test_failed_requests_are_counted_not_timed(capsys):
    with StreamingServer(ttft_s=0.05, itl_s=0.005, fail_every=2) as server:
        assert main(["profile", "--endpoint", server.base_url, "--model", "llama-3.1-8b", "--concurrency", "1",
                     "--requests", "6", "--output-tokens", "4"]) == 0
    out = capsys.readouterr().out
    assert " 3/6 " in out and "failed: InternalServerError" in out
    assert "not stored: name the device" in out  # no --device: measured, not recorded
    assert load_store() == []


def test_an_unknown_model_name_asks_for_its_catalog_id(capsys):
    assert main(["profile", "--endpoint", "http://127.0.0.1:9/v1", "--model", "my-private-model"]) == 2
    assert "--as CATALOG_ID" in capsys.readouterr().err
