"""The CLI imports CP-SAT with pandas deferred; these run in fresh interpreters, where pandas
has not been imported yet, so the deferral really happens."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest


def run_python(code: str, *path: str) -> str:
    env_path = ":".join([*path, *sys.path])
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False,
                         timeout=120, env={"PYTHONPATH": env_path, "PATH": ""})
    assert out.returncode == 0, out.stderr[-1500:]
    return out.stdout


def test_solving_does_not_import_pandas_yet_cp_model_pandas_helpers_still_work():
    out = run_python("""
        import sys
        from planner.solve.cpsat import cp_model, defer_pandas
        defer_pandas()
        cp = cp_model()
        model = cp.CpModel()
        x = model.new_int_var(0, 9, "x")
        model.maximize(x)
        solver = cp.CpSolver()
        print("solved", solver.solve(model) == cp.OPTIMAL, solver.value(x))
        print("pandas loaded", "pandas" in sys.modules)
        import pandas as pd
        series = cp.CpModel().new_int_var_series("y", pd.Index([1, 2, 3]), 0, 4)
        print("series", isinstance(series, pd.Series), len(series), sys.modules["pandas"] is pd)
    """)
    assert "solved True 9" in out
    assert "pandas loaded False" in out
    assert "series True 3 True" in out


def test_without_the_cli_cp_model_is_imported_as_it_is():
    """Applications may run threads of their own, which must never meet the stand-in."""
    out = run_python("""
        import sys
        from planner.solve.cpsat import cp_model
        cp = cp_model()
        print("pandas", type(sys.modules["pandas"]).__name__, type(cp.pd).__name__)
    """)
    assert "pandas module module" in out


@pytest.mark.parametrize(("source", "name"), [
    ("from pandas import Series\nbound = Series\n", "Series"),  # a placeholder would stay bound
    ("import pandas.api.types\nbound = pandas.api.types\n", "api.types"),  # the stand-in has no submodules
])
def test_a_module_that_needs_pandas_at_import_is_imported_again_with_real_pandas(tmp_path, source, name):
    (tmp_path / "needs_pandas.py").write_text(source)
    out = run_python(f"""
        import sys
        from planner.solve.cpsat import import_deferring
        module = import_deferring("needs_pandas")
        import pandas
        print("one real pandas", sys.modules["pandas"] is pandas, type(pandas).__name__)
        print("bound real", module.bound is pandas.{name})
    """, str(tmp_path))
    assert "one real pandas True module" in out
    assert "bound real True" in out
