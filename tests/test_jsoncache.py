"""The JSON cache behind YAML loading and unit factors never changes what a caller sees."""

from __future__ import annotations

import datetime
import json

import pytest

from hardware.yamlio import CACHED_FROM_CHARS, load_yaml, packaged_yaml


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INTENTCTL_CACHE_DIR", str(tmp_path))
    return tmp_path


def _big(body: str) -> str:
    """A YAML text long enough to be cached: the body plus a padding list."""
    padding = "".join(f"  - item number {i}\n" for i in range(CACHED_FROM_CHARS // 18 + 1))
    return body + "padding:\n" + padding


def test_large_yaml_is_cached_and_read_back_unchanged(cache):
    text = _big("devices:\n  - id: a\n    tdp_w: 300.5\n    tags: [x, y]\n")
    first = load_yaml(text)
    files = list(cache.glob("yaml-*.json"))
    assert len(files) == 1
    second = load_yaml(text)
    assert second == first and second["devices"][0]["tdp_w"] == 300.5
    assert second is not first  # each caller gets its own copy


def test_mappings_keep_their_order_through_the_cache(cache):
    """Order carries meaning in the packaged files (precisions listed best first), so a
    warm start must read what a cold one parsed."""
    text = _big("precisions:\n  fp16: [half]\n  bf16: [bfloat]\n  fp8: [e4m3]\n")
    first = load_yaml(text)
    second = load_yaml(text)
    assert list(first["precisions"]) == ["fp16", "bf16", "fp8"]
    assert list(second["precisions"]) == list(first["precisions"])
    assert list(second) == ["precisions", "padding"]


def test_packaged_files_are_cached_whatever_their_size(cache):
    data = packaged_yaml("policies", "watermark.yaml")
    assert len(list(cache.glob("yaml-*.json"))) == 1
    assert packaged_yaml("policies", "watermark.yaml") == data


def test_small_yaml_is_not_cached(cache):
    assert load_yaml("a: 1\n") == {"a": 1}
    assert not list(cache.glob("*.json"))


def test_values_json_cannot_carry_are_not_cached(cache):
    text = _big("1: one\nwhen: 2026-11-21\n")
    data = load_yaml(text)
    assert data[1] == "one" and data["when"] == datetime.date(2026, 11, 21)
    assert not list(cache.glob("yaml-*.json"))
    assert load_yaml(text)[1] == "one"


def test_damaged_cache_file_is_rebuilt(cache):
    text = _big("name: catalog\n")
    load_yaml(text)
    (entry,) = cache.glob("yaml-*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert load_yaml(text)["name"] == "catalog"
    assert load_yaml(text)["name"] == "catalog"
    assert json.loads(entry.read_text(encoding="utf-8"))["name"] == "catalog"


def test_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("INTENTCTL_NO_CACHE", "1")
    assert load_yaml(_big("name: x\n"))["name"] == "x"
    assert not list(cache.glob("*.json"))


def test_an_unwritable_cache_still_loads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("INTENTCTL_CACHE_DIR", str(blocker / "cache"))
    assert load_yaml(_big("name: y\n"))["name"] == "y"
