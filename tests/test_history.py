"""The plan history: stored automatically, listed, shown, diffed; safe under concurrent and killed writers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

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
