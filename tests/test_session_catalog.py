"""A user's catalog (--catalog DIR) is the one every stage reads: the request's defaults, the
organisation policy's checks, the plan's steps and the chat's changes. Each had read the
packaged catalog alone, so what the user's catalog adds was unknown to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from paths import ROOT

from hardware import load_catalog
from hardware.errors import CatalogError
from intent import parse, plan
from intent.chat import ChatSession
from intent.cli import main
from intent.errors import UnknownDevice
from intent.schema import Metric
from planner.errors import InfeasibleError
from policies import PolicyError, load_policy

PACKAGED = ROOT / "hardware" / "data"


def _entry(kind: str, entry_id: str) -> dict:
    """A copy of a packaged catalog entry (``kind``: devices or models)."""
    data = yaml.safe_load((PACKAGED / f"{kind}.yaml").read_text(encoding="utf-8"))
    return dict(next(e for e in data[kind] if e["id"] == entry_id))


@pytest.fixture
def user_catalog(tmp_path):
    """A catalog directory adding, under new names: an edge board of another vendor (an Orin Nano's
    figures, with its power modes), a card of that vendor and one of NVIDIA's (an L4's figures), and
    a model released in MXFP4 (gpt-oss-20b's figures)."""
    board = _entry("devices", "nvidia-jetson-orin-nano-8gb")
    board.update(id="acme-vision-box", vendor="acme", vendor_name="Acme", name="Acme Vision Box",
                 aliases=["acme vision box"])
    board.pop("architecture", None)
    card = _entry("devices", "nvidia-l4")
    card.update(id="acme-x1", vendor="acme", vendor_name="Acme", name="Acme X1", aliases=["acme x1"])
    card.pop("architecture", None)
    own = _entry("devices", "nvidia-l4")  # a card of a known vendor, under a name the packaged catalog lacks
    own.update(id="myco-l4x", name="MyCo L4X", aliases=["myco l4x"])
    model = _entry("models", "gpt-oss-20b")
    model.update(id="acme-oss-20b", aliases=["acme oss 20b"], family="acme-oss")
    (tmp_path / "devices.yaml").write_text(yaml.safe_dump({"schema_version": 1, "devices": [board, card, own]}), encoding="utf-8")
    (tmp_path / "models.yaml").write_text(yaml.safe_dump({"schema_version": 1, "models": [model]}), encoding="utf-8")
    return str(tmp_path)


def _one_device(directory, base: str, **fields) -> None:
    """A devices.yaml in ``directory`` holding a copy of the packaged ``base`` with ``fields`` changed
    (without its architecture and family unless given)."""
    device = {k: v for k, v in _entry("devices", base).items() if k not in ("architecture", "family")}
    device.update(fields)
    (directory / "devices.yaml").write_text(yaml.safe_dump({"schema_version": 1, "devices": [device]}),
                                           encoding="utf-8")


def _config(tmp_path, repo: str, hidden: int, layers: int) -> Path:
    """A Mistral-shaped config.json naming the repository ``repo``."""
    config = {"model_type": "mistral", "hidden_size": hidden, "num_hidden_layers": layers, "num_attention_heads": 32,
              "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 32768,
              "max_position_embeddings": 32768, "_name_or_path": repo}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def _policy(tmp_path, vendor: str) -> str:
    path = tmp_path / "policy.yaml"
    path.write_text(f"schema_version: 1\nname: no {vendor}\nrules:\n  - id: no-{vendor}\n"
                    f"    require: {{exclude: [{vendor}]}}\n", encoding="utf-8")
    return str(path)


def test_a_board_of_the_users_catalog_named_in_the_request_is_planned_at_the_edge(user_catalog):
    # it had been refused: "the request says nothing of the edge; say 'at the edge' or name the device"
    result = plan("detect objects with yolo on the acme vision box, 10 fps", offline=True, catalog_dir=user_catalog,
                  record=False)
    assert result.choice.device_id == "acme-vision-box" and result.choice.placement == "edge"


def test_a_policy_may_exclude_a_vendor_of_the_users_catalog(user_catalog, tmp_path):
    path = _policy(tmp_path, "acme")
    with pytest.raises(PolicyError, match="'acme', which names no device"):
        load_policy(path)  # the packaged catalog has no such vendor: a rule that would exclude nothing
    assert load_policy(path, load_catalog(user_catalog)).rules[0].require.exclude == ["acme"]
    result = plan("detect objects with yolo at the edge, 10 fps, under 15 W", offline=True, catalog_dir=user_catalog,
                  policy=path, record=False)
    assert "acme" in result.intent.hardware.exclude and result.choice.device_id != "acme-vision-box"


def test_policy_check_reads_the_catalog_it_is_given(user_catalog, tmp_path, capsys):
    path = _policy(tmp_path, "acme")
    assert main(["policy", "check", path]) == 2
    assert "'acme', which names no device" in capsys.readouterr().err
    assert main(["policy", "check", path, "--catalog", user_catalog]) == 0
    assert "no-acme" in capsys.readouterr().out


def test_a_release_of_the_users_catalog_is_loaded_as_published(user_catalog):
    result = plan("serve acme-oss-20b for 10 concurrent chats on one H100, int4", offline=True,
                  catalog_dir=user_catalog, record=False)
    assert result.choice.model_id == "acme-oss-20b" and result.choice.precision == "int4"
    assert any(step.startswith("Load the released MXFP4 checkpoint of acme-oss-20b") for step in result.steps)
    assert not any(step.startswith("Quantise acme-oss-20b") for step in result.steps)


def test_less_power_of_a_users_board_in_a_power_mode_is_less_than_its_mode_cap(user_catalog):
    chat = ChatSession(offline=True, catalog_dir=user_catalog)
    chat.answer("run yolov8s object detection on the acme vision box at 30 fps, under 15 W")
    assert chat.plan.choice.device_id == "acme-vision-box" and chat.plan.choice.power_mode == "15W"
    chat.answer("30% less power")
    assert chat.intent.bound(Metric.POWER, "<=") == pytest.approx(10.5) and chat.plan.choice.power_mode == "7W"


def test_a_device_of_a_catalog_not_loaded_is_refused_not_dropped(user_catalog):
    # "on acme-x1" without --catalog had been dropped without a word, and the plan made on a Xeon
    with pytest.raises(UnknownDevice, match="'acme-x1'") as refused:
        plan("classify images at 100 req/s on acme-x1", offline=True, record=False)
    assert "--catalog DIR" in refused.value.hint
    result = plan("classify images at 100 req/s on acme-x1", offline=True, catalog_dir=user_catalog, record=False)
    assert result.choice.device_id == "acme-x1"


@pytest.mark.parametrize("text", ["fine-tune resnet50 on imagenet-1k for 2 epochs", "fine-tune gpt2 on wikitext-103",
                                  "classify images with resnet-50 on cifar-10"])
def test_a_data_set_after_on_is_no_device(text):
    assert not any("not a device in the catalog" in w for w in parse(text, offline=True).warnings)


@pytest.mark.parametrize("said, include, exclude", [("prefer Acme", ["acme"], []), ("only acme devices", ["acme"], []),
                                                    ("no Acme", [], ["acme"])])
def test_a_vendor_of_the_users_catalog_is_read_as_a_vendor(user_catalog, said, include, exclude):
    # "no Acme" had been "not understood; nothing was ruled out"
    hardware = parse(f"classify images at 500 req/s, {said}", offline=True, catalog_dir=user_catalog).hardware
    assert (hardware.include, hardware.exclude) == (include, exclude)


def test_a_cloud_provider_of_the_packaged_catalog_is_not_read_as_a_chip_vendor(user_catalog):
    assert "aws" not in parse("classify images on AWS", offline=True, catalog_dir=user_catalog).hardware.include


def test_a_gpu_of_a_vendor_no_training_rule_names_is_not_called_an_inference_accelerator(user_catalog):
    # it had been "acme-x1: an inference accelerator: its SDK compiles and runs trained models only"
    with pytest.raises(InfeasibleError) as refused:
        plan("fine-tune resnet50 on imagenet for 2 epochs on acme-x1", offline=True, catalog_dir=user_catalog,
             record=False)
    assert "acme-x1: no training framework is known" in str(refused.value)
    assert "inference accelerator" not in str(refused.value)


def test_a_stored_plan_is_exported_on_the_catalog_it_was_made_on(user_catalog, tmp_path, capsys):
    # without --catalog it had been "no device 'acme-x1' in the catalog; hint: list them with: intentctl catalog
    # devices"; with another catalog the artifacts were written without a word
    assert main(["plan", "--offline", "--catalog", user_catalog, "serve llama 3 8b at 2 req/s on myco-l4x"]) == 0
    capsys.readouterr()
    assert main(["export", "1", "-f", "k8s", "-o", str(tmp_path / "out")]) != 0
    err = capsys.readouterr().err
    assert "which has no myco-l4x: pass the --catalog DIR the plan was made with" in err
    assert main(["export", "1", "-f", "k8s", "-o", str(tmp_path / "out"), "--catalog", user_catalog]) == 0
    assert "was made on catalog" not in capsys.readouterr().err
    changed = tmp_path / "changed"
    changed.mkdir()
    text = (Path(user_catalog) / "devices.yaml").read_text(encoding="utf-8")
    (changed / "devices.yaml").write_text(text.replace("name: MyCo L4X", "name: MyCo L4X rev 2"), encoding="utf-8")
    assert main(["export", "1", "-f", "k8s", "-o", str(tmp_path / "out2"), "--catalog", str(changed)]) == 0
    assert "the artifacts take names and figures from the catalog loaded now" in capsys.readouterr().err


@pytest.mark.parametrize("change, message", [
    # an alias of a packaged device's had passed validation, then named neither ("catalog show h100" failed)
    ({"aliases": ["h100"]}, "its alias 'h100' already names"),
    # a device id that is a model's: "with resnet50 on resnet50" had dropped the model without a word
    ({"id": "resnet50", "aliases": []}, "its id 'resnet50' already names the model 'resnet50'"),
    # a family the catalog lacks was neither shown nor read in requests
    ({"family": "acme-y"}, "'acme-y' is no family of the catalog"),
])
def test_a_users_device_names_one_entry_of_a_family_the_catalog_has(tmp_path, capsys, change, message):
    _one_device(tmp_path, "nvidia-l4", **{"id": "acme-x1", "vendor": "acme", "vendor_name": "Acme", "name": "Acme X1",
                                          "aliases": ["acme x1"], **change})
    assert main(["catalog", "validate", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    with pytest.raises(CatalogError, match=message):
        load_catalog(str(tmp_path))


def test_an_import_under_another_name_leaves_out_an_alias_another_entry_has(tmp_path):
    from hardware.importer import import_config

    path = _config(tmp_path, "mistralai/Mistral-7B-Instruct-v0.3", 4096, 32)
    result = import_config(path, tmp_path / "cat", name="my-mistral")
    taken = {n.lower() for m in load_catalog().models.values() for n in (m.id, *m.aliases)}
    assert not {a.lower() for a in result.model.aliases} & taken
    assert "my-mistral" in load_catalog(str(tmp_path / "cat")).models


def test_chat_checks_its_catalog_before_the_first_message(tmp_path, capsys, monkeypatch):
    # the banner had come, then the error only after the first message (and exit 0 on /quit)
    monkeypatch.setattr("builtins.input", lambda prompt="": "/quit")
    assert main(["chat", "--offline", "--catalog", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "not a directory" in err and "give --catalog the directory that holds" in err
    assert "fix the named field" not in err


def test_a_conversation_loaded_under_another_catalog_says_which_to_start_with(user_catalog, tmp_path):
    saved = tmp_path / "chat.json"
    chat = ChatSession(offline=True, catalog_dir=user_catalog)
    chat.answer("serve llama 3 8b at 2 req/s on myco-l4x")
    chat.answer(f"/save {saved}")
    loaded = ChatSession(offline=True).answer(f"/load {saved}").text
    assert "start the chat with the --catalog DIR it was made with" in loaded
    assert "--catalog" not in ChatSession(offline=True, catalog_dir=user_catalog).answer(f"/load {saved}").text


def test_an_inventory_or_policy_naming_a_users_device_without_its_catalog_hints_at_it(tmp_path, capsys):
    from hardware import load_inventory

    inventory = tmp_path / "inventory.yaml"
    inventory.write_text("schema_version: 1\ndevices:\n  - {id: acme-x1, count: 2, placement: on-prem}\n",
                         encoding="utf-8")
    with pytest.raises(CatalogError, match="not a catalog device.*--catalog DIR"):
        load_inventory(str(inventory), load_catalog())
    assert main(["policy", "check", _policy(tmp_path, "acme")]) == 2
    assert "--catalog DIR" in capsys.readouterr().err


def test_an_imported_instruct_release_is_named_as_ids_name_releases(tmp_path):
    # imported as zorro-13b-instruct, "Zorro 13B" had been "a model size, but no model of the catalog was read"
    from hardware.importer import import_config

    path = _config(tmp_path, "acme/Zorro-13B-Instruct", 5120, 40)
    assert import_config(path, tmp_path / "cat").model.id == "zorro-13b-instruct"
    read = parse("serve Zorro 13B at 2 req/s", offline=True, catalog_dir=str(tmp_path / "cat"))
    assert read.workload.model == "zorro-13b-instruct"
    unread = parse("serve zorro-13b-instruct at 3 req/s", offline=True)  # without its catalog
    assert any("'zorro-13b-instruct': a model size" in w and "--catalog DIR" in w for w in unread.warnings)


def test_mig_on_a_gpu_with_no_known_profiles_says_where_they_come_from_and_what_to_do():
    from intent.deploy.fleet import mig_profile
    from intent.export import ExportError

    assert mig_profile("nvidia-h100-sxm-80gb", 7) == "1g.10gb"
    with pytest.raises(ExportError, match="intent/data/k8s.yaml") as refused:
        mig_profile("myco-h100x", 7)
    assert "time_slicing" in refused.value.hint


def test_validate_names_the_figures_an_entry_lacks_for_planning(tmp_path, capsys):
    # it had said "ok", and each plan on the device then "has no published compute figures"
    _one_device(tmp_path, "nvidia-l4", id="acme-np1", vendor="acme", vendor_name="Acme", name="NP1", aliases=[])
    text = (tmp_path / "devices.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for name in ("peak", "memory_bandwidth_gbs"):
        data["devices"][0].pop(name)
    (tmp_path / "devices.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["catalog", "validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "device 'acme-np1' lacks peak (its compute figures), memory_bandwidth_gbs" in out


@pytest.mark.parametrize("change, message", [
    # it had been "Input should be a valid dictionary or instance of Figure", a class name of the code
    ({"memory_gb": "lots"}, "field 'memory_gb': expected a number, or a mapping with its value, basis and source"),
    # it had been "Extra inputs are not permitted"
    ({"memory_gbb": 24}, "field 'memory_gbb': not a field of the entry; did you mean 'memory_gb'?"),
])
def test_catalog_field_errors_speak_of_the_catalog(tmp_path, capsys, change, message):
    _one_device(tmp_path, "nvidia-l4", id="acme-z", vendor="acme", vendor_name="Acme", aliases=[], **change)
    assert main(["catalog", "validate", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_hardware_the_catalog_lacks_as_all_the_request_names_exits_2(capsys):
    # it had exited 1 (the unknown-device code was missing from the exit codes), where an unknown model exits 2
    assert main(["plan", "--offline", "classify images at 100 req/s on acme-x1"]) == 2
    assert "--catalog DIR" in capsys.readouterr().err
