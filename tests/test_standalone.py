"""A clone stands alone: the tests, scripts and docs read only what the repository holds.

The working tree (tracked files and untracked ones git does not ignore) is copied into an
empty temporary directory, so nothing sits beside the copy. The tests that read data files
then run inside the copy, and every data path the tests name must exist there.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest
from paths import ROOT

#: Tests that read files from tests/data: run inside the copy, they prove the data travels.
DATA_READERS = ["tests/test_catalog.py::test_packaged_files_match_the_build_script",
                "tests/test_catalog.py::test_every_shared_device_and_model_is_packaged_with_its_source",
                "tests/test_calibration.py"]


def working_tree_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                         cwd=ROOT, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def lone_copy(tmp_path_factory):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("these tests need the project's git checkout and git on PATH")
    root = tmp_path_factory.mktemp("alone") / "intentctl"
    for name in working_tree_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    assert sorted(p.name for p in root.parent.iterdir()) == ["intentctl"], "nothing may sit beside the copy"
    return root


def test_no_file_refers_to_material_outside_the_repository(lone_copy):
    outside = re.compile(r"\.\./shared|\bshared/(?:data|eval|spec|tools)\b")
    offenders = []
    for path in lone_copy.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".md", ".yaml", ".toml", ".txt", ".sh", ""}:
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.relative_to(lone_copy)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                          if outside.search(line)]
    assert offenders == []


def test_every_data_path_the_tests_name_exists_in_the_copy(lone_copy):
    spec = importlib.util.spec_from_file_location("lone_paths", lone_copy / "tests" / "paths.py")
    paths = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(paths)
    spec_globals = vars(paths)
    assert spec_globals["ROOT"] == lone_copy
    for name in ("eval/intents-dev.jsonl", "eval/README.md", "reference/hardware-specs.csv",
                 "reference/model-zoo.csv", "reference/mlperf-dev.csv", "reference/published-perf-dev.csv"):
        assert (spec_globals["DATA"] / name).is_file(), name
    for scorer in ("score-intents", "score-mlperf", "score-published"):
        assert (lone_copy / "scripts" / "score" / scorer).is_file(), scorer
    assert (lone_copy / "docs" / "intent-contract.md").is_file()


def test_data_reading_tests_pass_inside_the_copy(lone_copy):
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", *DATA_READERS],
                         cwd=lone_copy, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout
