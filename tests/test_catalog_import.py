"""`intentctl catalog import`: a model from its local config.json into a user's catalog directory,
checked by `catalog validate` and planned with `--catalog` like a packaged model."""

from __future__ import annotations

import json

import pytest
from paths import DATA
from typer.testing import CliRunner

from hardware import load_catalog, validate_directory
from hardware.errors import CatalogError
from hardware.importer import import_config
from intent.cli import app, main

CONFIGS = DATA / "hf-configs"
runner = CliRunner()


def test_import_writes_a_catalog_file_that_loads_and_validates(tmp_path):
    result = import_config(CONFIGS / "llama-3.3-70b-instruct.json", tmp_path, name="my-llama-70b")
    assert result.path == tmp_path / "models.yaml" and not result.replaced and not result.overrides_packaged
    model = validate_directory(tmp_path).model("my-llama-70b")
    assert model.params_m.basis.value == "derived" and model.params_m.value / 1000 == pytest.approx(70, rel=0.02)
    assert model.gflops.value == pytest.approx(2 * model.params_m.value / 1000, rel=1e-3)
    assert model.architecture.kv_heads == 8 and model.kind.value == "autoregressive"
    assert any(line.startswith("head dim: 128") for line in result.derived)  # the config leaves head_dim out
    assert load_catalog(str(tmp_path)).model("my-llama-70b") == model


def test_the_id_comes_from_the_repository_the_config_names(tmp_path):
    result = import_config(CONFIGS / "mixtral-8x7b-instruct-v0.1.json", tmp_path)
    assert result.model.id == "mixtral-8x7b-instruct-v0.1"
    assert result.model.hf_repo == "mistralai/Mixtral-8x7B-Instruct-v0.1"
    assert result.model.architecture.experts == 8
    assert result.model.params_m.value / 1000 == pytest.approx(46.7, rel=0.01)   # Mistral: 46.7B total
    assert result.model.gflops.value == pytest.approx(2 * 12.9, rel=0.01)        # and 12.9B per token


def test_importing_again_replaces_the_entry_and_keeps_the_others(tmp_path):
    import_config(CONFIGS / "phi-4.json", tmp_path, name="phi-x")
    import_config(CONFIGS / "mistral-7b-instruct-v0.3.json", tmp_path, name="mistral-x")
    again = import_config(CONFIGS / "phi-4.json", tmp_path, name="phi-x")
    assert again.replaced
    assert set(validate_directory(tmp_path).models) == {"phi-x", "mistral-x"}


def test_a_packaged_id_is_overridden_and_said_so(tmp_path):
    assert import_config(CONFIGS / "phi-4.json", tmp_path, name="phi-4").overrides_packaged


def test_cli_import_says_what_it_read_and_derived(tmp_path):
    out = runner.invoke(app, ["catalog", "import", str(CONFIGS / "kimi-k2-instruct.json"), "--name", "kimi-k2",
                              "--catalog", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "384 experts (8 per token)" in out.output and "head dim 192" in out.output
    assert "derived: parameters: 1,026.41B" in out.output and "parameters per token: 32.86B" in out.output
    assert "2 x 32860.5M parameters used per generated token" in out.output
    data = json.loads(runner.invoke(app, ["catalog", "import", str(CONFIGS / "kimi-k2-instruct.json"), "--name",
                                          "kimi-k2", "--catalog", str(tmp_path), "--json"]).stdout)
    assert data["replaced"] and data["model"]["architecture"]["kv_lora_rank"] == 512


def test_an_imported_model_not_in_the_catalog_plans_like_a_packaged_one(tmp_path):
    assert "kimi-k2" not in load_catalog().models
    runner.invoke(app, ["catalog", "import", str(CONFIGS / "kimi-k2-instruct.json"), "--name", "kimi-k2",
                        "--catalog", str(tmp_path)])
    out = runner.invoke(app, ["plan", "--offline", "--json", "--catalog", str(tmp_path),
                              "serve kimi-k2 at 5 req/s"])
    assert out.exit_code == 0, out.output
    plan = json.loads(out.stdout)
    assert plan["choice"]["model_id"] == "kimi-k2"
    assert plan["metrics"]["throughput_rps"] >= 5
    # 1T parameters: no single device holds them, so the plan shards the model
    assert plan["choice"]["shards"] > 1


@pytest.mark.parametrize("config, args, message", [
    ('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "vocab_size": 10}', [],
     "no intermediate_size"),
    ('{"num_hidden_layers": 2}', ["--name", "tiny"], "no hidden_size"),
    ("not json", [], "not valid JSON"),
    (('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": 10}'), ["--name", "Bad Name"], "not lowercase kebab-case"),
    (('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": 10}'), [], "name it with --name"),
    # NaN and Infinity, which Python's JSON reads, had been "cannot convert float NaN to integer" (exit 1)
    # and an internal OverflowError (exit 70); a field's error now names the file it is in
    (('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": NaN}'), ["--name", "tiny"], "config.json: config field 'vocab_size' is nan"),
    (('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": Infinity}'), ["--name", "tiny"], "config.json: config field 'vocab_size' is inf"),
    (('{"num_hidden_layers": -3, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": 10}'), ["--name", "tiny"], "config.json: config field 'num_hidden_layers' is -3"),
])
def test_bad_configs_give_one_line_errors(tmp_path, capsys, config, args, message):
    path = tmp_path / "config.json"
    path.write_text(config)
    assert main(["catalog", "import", str(path), "--catalog", str(tmp_path / "cat"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("intentctl: error:") and message in err and "Traceback" not in err
    assert not (tmp_path / "cat" / "models.yaml").exists()


def test_import_refuses_to_merge_into_a_broken_models_file(tmp_path):
    (tmp_path / "models.yaml").write_text("schema_version: 1\nmodels: [{id: x}]\n")
    with pytest.raises(CatalogError, match="not a valid models file"):
        import_config(CONFIGS / "phi-4.json", tmp_path, name="phi-x")


def test_validate_checks_imported_files(tmp_path, capsys):
    import_config(CONFIGS / "llama-3.3-70b-instruct.json", tmp_path, name="my-llama")
    assert main(["catalog", "validate", str(tmp_path)]) == 0
    text = (tmp_path / "models.yaml").read_text().replace("kv_heads: 8", "kv_heads: 7")
    (tmp_path / "models.yaml").write_text(text)
    assert main(["catalog", "validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "entry 'my-llama'" in err and "multiple of kv_heads" in err


def test_import_has_help():
    out = runner.invoke(app, ["catalog", "import", "--help"])
    assert out.exit_code == 0 and "config.json" in out.output and "--catalog" in out.output
