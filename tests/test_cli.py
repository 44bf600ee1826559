"""The CLI through typer's runner and a real process: success, failure, --help, and start-up imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from intent.cli import app, main

runner = CliRunner()


def test_plan_prints_the_readable_plan():
    result = runner.invoke(app, ["plan", "--offline", "lowest power, classify images in 10ms"])
    assert result.exit_code == 0, result.output
    for fragment in ("plan", "precision", "latency", "power", "energy", "why this choice", "alternatives",
                     "steps", "solver OPTIMAL"):
        assert fragment in result.output


def test_a_chinese_request_is_shown_with_chinese_labels_unless_lang_says_otherwise():
    request = "用最低功耗在10ms内完成图像分类"
    chinese = runner.invoke(app, ["plan", "--offline", "--no-history", request])
    assert chinese.exit_code == 0, chinese.output
    for label in ("方案", "选择理由", "指标", "未选原因"):
        assert label in chinese.output, label
    assert "why this choice" not in chinese.output
    english = runner.invoke(app, ["plan", "--offline", "--no-history", "--lang", "en", request])
    assert "why this choice" in english.output and "选择理由" not in english.output
    wrong = runner.invoke(app, ["plan", "--offline", "--lang", "fr", request])
    assert wrong.exit_code == 2 and "fr" in wrong.output


def test_plan_text_shows_square_brackets_from_the_data_as_written():
    result = runner.invoke(app, ["plan", "--offline", "text to image, watermark every image"])
    assert result.exit_code == 0, result.stdout
    assert 'pip install "intentctl[image]"' in " ".join(result.stdout.split())


def test_plan_json_is_the_typed_plan():
    result = runner.invoke(app, ["plan", "--offline", "--json", "lowest power, classify images in 10ms"])
    data = json.loads(result.stdout)
    assert data["choice"]["device_id"] and data["metrics"]["latency_ms"] <= 10
    assert data["solver"]["status"] == "OPTIMAL" and data["catalog_hash"]


def test_parse_json_follows_the_contract():
    result = runner.invoke(app, ["parse", "--offline", "--json", "用最低功耗在10ms内完成图像分类"])
    data = json.loads(result.stdout)
    assert data["task"] == "image-classification"
    assert data["constraints"] == [{"metric": "latency", "op": "<=", "value": 10.0, "unit": "ms", "source": "10ms"}]


@pytest.mark.parametrize("args", [["catalog", "devices"], ["catalog", "models"], ["catalog", "models", "--task", "translation"]])
def test_catalog_tables(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "id" in result.output


def test_catalog_json():
    devices = json.loads(runner.invoke(app, ["catalog", "devices", "--json"]).stdout)
    assert any(d["id"] == "nvidia-l4" for d in devices)


@pytest.mark.parametrize("kind, title", [("intent", "Intent"), ("plan", "ExecutionPlan")])
def test_schema(kind, title):
    schema = json.loads(runner.invoke(app, ["schema", kind]).stdout)
    assert schema["title"] == title and "properties" in schema


@pytest.mark.parametrize("args", [[], ["plan"], ["parse"], ["catalog"], ["catalog", "devices"], ["schema"]])
def test_every_command_has_help(args):
    result = runner.invoke(app, args + ["--help"])
    assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.parametrize("args, code, fragment", [
    (["plan", "--offline", "asdf qwerty"], 2, "could not read"),
    (["plan", "--offline", "classify images in 0.01 ms at 99.9% accuracy"], 3, "no configuration meets"),
    (["plan", "--offline", "minimize cost"], 2, "names no task"),
    (["parse", "--offline", ""], 2, "empty"),
    (["plan", "--offline", "--catalog", "/nonexistent", "classify images"], 2, "not a directory"),
    (["schema", "nonsense"], 2, "nonsense"),
])
def test_errors_are_one_line_and_non_zero(args, code, fragment, capsys):
    assert main(args) == code
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_offline_start_never_imports_langchain_openai_or_pandas():
    code = ("import sys; from intent.cli import main; main(['plan','--offline','--json',"
            "'lowest power, classify images in 10ms']); "
            "bad=[m for m in sys.modules if m.split('.')[0] in "
            "('langchain','langchain_core','langchain_openai','openai','pandas')]; "
            "print('HEAVY', bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "HEAVY []" in out.stdout, out.stdout[-500:] + out.stderr[-500:]


def test_offline_parse_loads_neither_the_planner_nor_numpy():
    """Once the cache is warm (a cold one runs pint, which loads numpy, to derive unit factors)."""
    code = ("import sys; from intent.cli import main; main(['parse','--offline','classify images in 10ms']); "
            "print('HEAVY', sorted(m for m in ('numpy','ortools','planner.perf.roofline','langchain_core','openai') "
            "if m in sys.modules))")
    warm, out = (subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                                check=False) for _ in range(2))
    assert warm.returncode == 0, warm.stderr[-500:]
    assert "HEAVY []" in out.stdout, out.stdout[-500:] + out.stderr[-500:]


def test_importing_the_types_is_light():
    code = ("import sys, intent; print(sorted(m for m in ('planner','ortools','langchain_core','openai','hardware') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_console_script_runs():
    out = subprocess.run(["intentctl", "parse", "--offline", "--json", "classify images in 10ms"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout)["task"] == "image-classification"


def test_catalog_show_gives_figures_with_their_basis():
    result = runner.invoke(app, ["catalog", "show", "--json", "nvidia-jetson-orin-nano-8gb"])
    data = json.loads(result.stdout)
    assert data["peak"]["int8"]["basis"] == "derived" and "sparse" in data["peak"]["int8"]["formula"]
    table = runner.invoke(app, ["catalog", "show", "bert-large"])
    assert table.exit_code == 0 and "derived" in table.output


def test_catalog_show_unknown_and_family_ids(capsys):
    assert main(["catalog", "show", "nvidia-l5"]) == 1
    err = capsys.readouterr().err
    assert "nvidia-l4" in err and "intentctl catalog devices or intentctl catalog models" in err
    family = json.loads(runner.invoke(app, ["catalog", "show", "--json", "nvidia-h100"]).stdout)
    assert {d["id"] for d in family["devices"]} == {"nvidia-h100-sxm-80gb", "nvidia-h100-pcie-80gb", "nvidia-h100-nvl-94gb"}


def test_catalog_validate(tmp_path, capsys):
    from paths import ROOT

    import yaml

    assert main(["catalog", "validate", str(ROOT / "hardware" / "data")]) == 0
    devices = len(yaml.safe_load((ROOT / "hardware" / "data" / "devices.yaml").read_text(encoding="utf-8"))["devices"])
    assert f"holds {devices} devices" in capsys.readouterr().out
    (tmp_path / "models.yaml").write_text("schema_version: 1\nmodels:\n  - id: Bad Id\n", encoding="utf-8")
    assert main(["catalog", "validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "models.yaml" in err and "'Bad Id'" in err


def test_every_command_has_help_and_is_in_the_readme():
    import typer.main
    from paths import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names += [f"{name} {n}" for n in sub] if sub else [name]
    for name in names:
        result = runner.invoke(app, name.split() + ["--help"])
        assert result.exit_code == 0 and "Usage" in result.output, name
        assert f"intentctl {name}" in readme or f"`{name}" in readme, f"README does not mention {name}"


def test_plan_json_is_the_same_from_a_cold_cache_a_warm_one_and_none(tmp_path):
    """Order in the packaged data matters (precisions best first), and the cache once sorted it."""
    request = "Toxicity classifier: highest throughput, fits in 1 GB, fp16 or bf16."
    command = [sys.executable, "-m", "intent.cli", "plan", "--offline", "--json", "--no-history", request]
    cached = {"INTENTCTL_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, **extra})
            for extra in (cached, cached, {"INTENTCTL_NO_CACHE": "1"})]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-500:]
    assert json.loads(runs[0].stdout)["intent"]["precisions"] == ["fp16", "bf16"]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout


def test_catalog_tables_show_text_from_the_data_as_written(tmp_path):
    """Notes and sources are data: a bracketed word in them is not rich markup."""
    (tmp_path / "models.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        models:
        - id: tiny-classifier
          task: image-classification
          family: tiny
          kind: single-pass
          params_m: 1.0
          gflops: 0.5
          accuracy: {fp32: 0.7}
          source: https://example.org/tiny
          notes: accuracy from the [bold] table of the paper [1]
        """), encoding="utf-8")
    shown = runner.invoke(app, ["catalog", "show", "tiny-classifier", "--catalog", str(tmp_path)],
                          env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "the [bold] table of the paper [1]" in shown.stdout


def test_a_request_pasted_as_a_bullet_list_is_read_as_text(capsys):
    """'- task: ...' starts with a dash: it was taken for an unknown option ("No such option: - ")."""
    spec = "- task: object detection\n- objective: min power\n- throughput: 500 fps"
    assert main(["parse", spec, "--json"]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["task"] == "object-detection" and parsed["objective"]["metric"] == "power"
    assert main(["parse", "--json", "--", spec]) == 0  # an explicit "--" still works


@pytest.mark.parametrize("args", [["plan", "--offline", "classify images", "--time-limit", "inf"],
                                  ["fleet", "plan", "examples/fleet.yaml", "--time-limit", "inf"],
                                  ["plan", "--offline", "classify images", "--time-limit", "86401"]])
def test_a_time_limit_that_is_no_limit_is_refused_before_any_solving(args):
    """"--time-limit inf" was taken: the fleet plan stopped its levels at once, and --json then
    failed on the non-finite limit with a hint about the request's numbers."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--time-limit" in result.output and "86400" in result.output


def test_a_solver_time_limit_from_the_environment_must_be_finite(monkeypatch, capsys):
    """INTENTCTL_SOLVER_TIME_LIMIT=inf went round --time-limit's check and failed in --json."""
    monkeypatch.setenv("INTENTCTL_SOLVER_TIME_LIMIT", "inf")
    assert main(["plan", "--offline", "--json", "classify images in 10ms"]) == 2
    assert "finite number of seconds above 0" in capsys.readouterr().err


def test_an_unknown_task_filter_names_the_catalogs_tasks():
    """'catalog models --task nonsense' printed an empty table and exited 0."""
    result = runner.invoke(app, ["catalog", "models", "--task", "nonsense-task"])
    assert result.exit_code == 2 and "no task of the catalog" in result.output and "translation" in result.output


def test_a_queue_name_that_is_no_label_value_is_refused(tmp_path):
    """'--queue "Bad Queue!!"' was written into the manifests' kueue.x-k8s.io/queue-name label."""
    result = runner.invoke(app, ["plan", "--offline", "fine-tune a text classifier on 50k records", "--emit", "k8s",
                                 "-o", str(tmp_path / "out"), "--queue", "Bad Queue!!"])
    assert result.exit_code == 2 and "no Kubernetes label value" in result.output
    assert not (tmp_path / "out").exists()


def test_an_output_directory_that_cannot_be_written_says_which_and_why(tmp_path, capsys):
    """'-o' naming a file printed "[Errno 17] File exists" with no hint."""
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    assert main(["plan", "--offline", "classify images in 10ms", "--emit", "k8s", "-o", str(afile)]) != 0
    err = capsys.readouterr().err
    assert "it is a file, not a directory" in err and "give --output (-o) a directory" in err


@pytest.mark.parametrize("args", [["plan", "--offline", "classify images", "--dra"],
                                  ["fleet", "plan", "examples/fleet.yaml", "--queue", "team-a"]])
def test_manifest_options_without_emit_are_refused(args):
    """--dra or --queue without --emit did nothing, without a word."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "shapes the manifests --emit writes" in result.output


def test_a_plan_says_the_id_it_is_stored_under_and_writes_artifacts_before_its_view(tmp_path, monkeypatch):
    """A script had to race on 'history --json' for the id; '--emit … | head' had written nothing."""
    monkeypatch.setenv("INTENTCTL_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["plan", "--offline", "-q", "classify images in 10ms on nvidia l4", "--emit", "k8s",
                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "stored as plan 1 (intentctl show 1" in result.stderr
    assert any((tmp_path / "out").iterdir())
