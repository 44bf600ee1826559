"""Shared fixtures. The test data lives in tests/data (see tests/paths.py)."""

from __future__ import annotations

import json

import pytest
from paths import EVAL


@pytest.fixture(scope="session")
def catalog():
    from hardware import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def corpus() -> list[dict]:
    path = EVAL / "intents-dev.jsonl"
    assert path.is_file(), f"the evaluation corpus is expected at {path}"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def fresh_corpus() -> list[dict]:
    path = EVAL / "intents-fresh.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own empty data directory (measurements, history)."""
    monkeypatch.setenv("INTENTCTL_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def session_cache_dir(tmp_path_factory, monkeypatch):
    """One cache directory for the whole run, outside the user's home."""
    monkeypatch.setenv("INTENTCTL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
