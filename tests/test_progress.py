"""Progress on stderr: drawn in a terminal for work longer than a moment, never with --quiet or
when stderr is a pipe, and gone once the work is done."""

from __future__ import annotations

import subprocess
import sys

import pexpect
import pytest

SCRIPT = ("import sys, time; from intent.progress import progress\n"
          "with progress('counting the stars', quiet={quiet}) as step:\n"
          "    time.sleep(1.0); step('still counting'); time.sleep(0.6)\n"
          "print('done')\n")


def in_a_terminal(quiet: bool) -> str:
    child = pexpect.spawn(sys.executable, ["-c", SCRIPT.format(quiet=quiet)], encoding="utf-8", timeout=60,
                          env={"COLUMNS": "100", "TERM": "xterm"})
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return child.before


def test_progress_is_drawn_in_a_terminal_and_follows_the_work():
    out = in_a_terminal(quiet=False)
    assert "counting the stars" in out and "still counting" in out and "0:00:0" in out
    assert out.rstrip().endswith("done")  # transient: the bar is cleared before what follows


def test_quiet_draws_nothing():
    out = in_a_terminal(quiet=True)
    assert "counting" not in out and "done" in out


def test_a_pipe_gets_no_progress():
    run = subprocess.run([sys.executable, "-c", SCRIPT.format(quiet=False)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.stdout.strip() == "done" and run.stderr == ""


@pytest.mark.parametrize("args", [["plan", "--quiet", "--offline", "--no-history", "classify images in 10 ms"],
                                  ["fleet", "plan", "-q", "examples/fleet.yaml"]])
def test_commands_that_can_take_a_while_accept_quiet(args):
    from paths import ROOT
    from typer.testing import CliRunner

    from intent.cli import app

    args = [str(ROOT / a) if a.startswith("examples/") else a for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
