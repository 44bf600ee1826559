"""The plan history: stored automatically, listed, shown, diffed; safe under concurrent and killed writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from hardware import load_catalog
from intent import history, plan
from intent.cli import app, main

runner = CliRunner()


def test_plans_are_stored_listed_shown_and_diffed(capsys):
    first = plan("lowest power, classify images in 10ms", offline=True)
    chosen_class = load_catalog().device(first.choice.device_id).device_class  # excluding it changes the device
    plan(f"lowest power, classify images in 10ms, no {chosen_class.upper()}", offline=True)
    items = json.loads(runner.invoke(app, ["history", "--json"]).stdout)
    assert [i["id"] for i in items] == [2, 1]
    shown = json.loads(runner.invoke(app, ["show", "--json", "1"]).stdout)
    assert shown == json.loads(first.model_dump_json())  # stored byte for byte
    assert main(["diff", "1", "2"]) == 0
    out = capsys.readouterr().out
    assert "intent.hardware" in out and "choice.device_id" in out
    assert main(["show", "99"]) == 1


def test_recording_can_be_turned_off(monkeypatch):
    assert runner.invoke(app, ["plan", "--offline", "--no-history", "classify images in 10ms"]).exit_code == 0
    monkeypatch.setenv("INTENTCTL_HISTORY", "off")
    plan("classify images in 10ms", offline=True)
    assert history.entries() == []


WRITER = textwrap.dedent("""
    import sys
    from intent import history
    from planner.plan import ExecutionPlan
    plan = ExecutionPlan.model_validate_json(open(sys.argv[1]).read())
    for i in range(int(sys.argv[2])):
        history.record(plan, f"{sys.argv[3]} {i}")
""")


def test_two_processes_writing_at_once_both_land(tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan("classify images in 10ms", offline=True, record=False).model_dump_json())
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = dict(os.environ)
    writers = [subprocess.Popen([sys.executable, str(script), str(plan_file), "25", name], env=env)
               for name in ("a", "b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    requests = {e.request for e in history.entries(limit=100)}
    assert {f"a {i}" for i in range(25)} | {f"b {i}" for i in range(25)} == requests


KILLED = textwrap.dedent("""
    import os, signal
    from intent import history
    connection = history.connect()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO plans (created_at, request, intent_json, plan_json, catalog_hash) "
                       "VALUES ('now', 'half-written', '{}', '{}', 'x')")
    os.kill(os.getpid(), signal.SIGKILL)
""")


def test_a_writer_killed_mid_write_leaves_earlier_plans_intact(tmp_path):
    kept = plan("classify images in 10ms", offline=True)
    script = tmp_path / "killed.py"
    script.write_text(KILLED)
    result = subprocess.run([sys.executable, str(script)], env=dict(os.environ), timeout=120)
    assert result.returncode == -signal.SIGKILL
    entries = history.entries()
    assert [e.request for e in entries] == ["classify images in 10ms"]
    assert entries[0].plan == kept
    plan("detect objects in 30 ms", offline=True)  # the store still takes writes
    assert len(history.entries()) == 2


def _planned_with_warning(capsys, text: str = "classify images in 10ms") -> str:
    """Plan through the CLI: the plan is shown and exits 0; returns the history warning."""
    assert main(["plan", "--offline", "--json", text]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["choice"]["device_id"]
    return next(w for w in shown["warnings"] if "not recorded in the history" in w)


def _sqlite_file(path, statements: list[str]) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize("damage, said", [
    ("garbage", "not a database"),
    ("truncated", "damaged or is not a database"),
    ("foreign", "another program's database"),
    ("directory", "a directory"),
])
def test_a_broken_store_never_costs_a_plan_and_history_says_how_to_fix_it(capsys, damage, said):
    path = history.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if damage == "garbage":
        path.write_bytes(b"not sqlite at all\n" * 100)
    elif damage == "truncated":
        for i in range(30):
            plan(f"classify images in {10 + i}ms", offline=True)
        data = path.read_bytes()
        for extra in path.parent.glob(f"{path.name}-*"):  # the WAL and its index: checkpointed below
            extra.unlink()
        path.write_bytes(data[:len(data) // 3] + b"\0" * 100 + data[len(data) // 2:])
    elif damage == "foreign":
        _sqlite_file(path, ["CREATE TABLE invoices (id INTEGER, total REAL)", "INSERT INTO invoices VALUES (1, 9.5)"])
    else:
        path.mkdir()
    warning = _planned_with_warning(capsys)
    assert said in warning and "move it aside" in warning
    assert main(["history"]) == 1
    err = capsys.readouterr().err
    assert said in err and "move it aside" in err and "internal error" not in err
    if damage == "foreign":  # the other program's data is untouched
        import sqlite3

        assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [("invoices",)]


def test_an_unwritable_data_directory_fails_at_once(capsys, monkeypatch):
    monkeypatch.setenv("INTENTCTL_DATA_DIR", "/proc/intentctl-cannot-be-created")
    assert "cannot be written" in _planned_with_warning(capsys)


def test_a_read_only_store_is_not_waited_for(tmp_path):
    # A store opened read-only cannot switch to WAL: that fails at once (it was retried for 38 s).
    import sqlite3

    path = tmp_path / "history.sqlite"
    _sqlite_file(path, ["CREATE TABLE t (x)"])
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        history._use_wal(connection, path)


def test_a_full_disk_costs_the_record_not_the_plan(capsys, monkeypatch):
    plan("classify images in 10ms", offline=True)
    opened = history.connect

    def full(path=None):
        connection = opened(path)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")  # no room for one more page
        return connection

    monkeypatch.setattr(history, "connect", full)
    warning = _planned_with_warning(capsys, "detect objects in 30 ms")
    assert "the disk is full" in warning


def test_an_unreadable_row_is_skipped_with_a_count(capsys):
    plan("classify images in 10ms", offline=True)
    plan("detect objects in 30 ms", offline=True)
    connection = history.connect()
    connection.execute("UPDATE plans SET plan_json = '{\"broken\": ' WHERE id = 1")
    connection.close()
    assert main(["history", "--json"]) == 0
    out, err = capsys.readouterr()
    assert [i["id"] for i in json.loads(out)] == [2]
    assert "skipped 1 stored plan(s)" in err


def test_a_request_with_an_invalid_byte_is_planned_and_recorded(capsys):
    request = b"classify images in 10ms \xff".decode("utf-8", "surrogateescape")  # as a command line delivers it
    assert main(["plan", "--offline", "--json", request]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert any("not UTF-8" in w for w in shown["intent"]["warnings"])
    assert [e.request for e in history.entries()] == ["classify images in 10ms \ufffd"]


def test_retention_keeps_the_newest_plans(monkeypatch):
    monkeypatch.setenv("INTENTCTL_HISTORY_MAX", "3")
    for i in range(5):
        plan(f"classify images in {10 + i}ms", offline=True)
    assert [e.request for e in history.entries()] == [f"classify images in {10 + i}ms" for i in (4, 3, 2)]
    assert history.max_plans() == 3
    monkeypatch.delenv("INTENTCTL_HISTORY_MAX")
    assert history.max_plans() == history.DEFAULT_MAX_PLANS == 1000
    monkeypatch.setenv("INTENTCTL_HISTORY_MAX", "-5")  # was taken as 0, which keeps every plan
    with pytest.raises(history.HistoryError, match="is negative"):
        history.max_plans()


def test_the_history_counts_every_device_of_a_plan(tmp_path, monkeypatch):
    # a TP4 plan on 4 H100 was listed as "on 1 x nvidia-h100-sxm-80gb"
    monkeypatch.setenv("INTENTCTL_DATA_DIR", str(tmp_path))
    planned = plan("serve llama 3.1 70b on NVIDIA H100 SXM at 10 req/s", offline=True, record=False)
    plan_id = history.record(planned, "serve llama 3.1 70b")
    choice = planned.choice
    total = choice.replicas * choice.devices_per_replica
    assert choice.devices_per_replica > 1
    assert f"on {total} x nvidia-h100-sxm-80gb" in history.get(plan_id).summary()["choice"]
