"""The packaged catalogs: complete, sourced, validated; malformed files give precise errors."""

from __future__ import annotations

import csv
import importlib.util
import textwrap

import pytest
from paths import REFERENCE, ROOT

from hardware import CatalogError, UnknownEntryError, load_catalog, validate_directory
from hardware.schema import Basis


def shared_ids(name: str) -> list[str]:
    with open(REFERENCE / name, encoding="utf-8") as fh:
        return [row["id"] for row in csv.DictReader(fh)]


def test_every_shared_device_and_model_is_packaged_with_its_source(catalog):
    assert set(shared_ids("hardware-specs.csv")) <= set(catalog.devices)
    assert set(shared_ids("model-zoo.csv")) <= set(catalog.models)
    assert all(d.source.startswith("http") for d in catalog.devices.values())
    assert all(m.source.startswith("http") for m in catalog.models.values())


def test_packaged_files_match_the_build_script():
    spec = importlib.util.spec_from_file_location("build_catalog", ROOT / "scripts" / "build_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    device_text, model_text = module.build(REFERENCE)
    assert (ROOT / "hardware" / "data" / "devices.yaml").read_text(encoding="utf-8") == device_text
    assert (ROOT / "hardware" / "data" / "models.yaml").read_text(encoding="utf-8") == model_text


def test_derived_figures_carry_their_formula(catalog):
    nano = catalog.device("nvidia-jetson-orin-nano-8gb")
    assert nano.peak["int8"].basis == Basis.DERIVED and nano.peak["int8"].value == 20
    assert "sparse" in nano.peak["int8"].formula
    xeon = catalog.device("intel-xeon-platinum-8480plus")
    assert "cores" in xeon.peak["bf16"].formula
    bert = catalog.model("bert-large")
    assert bert.gflops.basis == Basis.DERIVED and bert.gflops.value == pytest.approx(2 * 340 * 384 / 1000)


def test_every_model_has_a_size_to_plan_with(catalog):
    """A named model without parameters or FLOPs cannot be planned at all ("embed documents with
    bge-large" was refused for it): every packaged model has both, sourced or derived."""
    missing = [m.id for m in catalog.models.values() if m.params_m is None or m.gflops is None]
    assert missing == []


def test_device_tree_fields(catalog):
    h100 = catalog.device("nvidia-h100-sxm-80gb")
    assert h100.peak["fp8"].value == 1979 and h100.memory_gb.value == 80
    assert h100.memory_bandwidth_gbs.value == 3350 and h100.tdp_w.value == 700
    assert h100.family == "nvidia-h100" and "NVLink" in h100.interconnect
    assert h100.matches("nvidia-h100") and h100.matches("gpu") and not h100.matches("amd")


def test_accuracy_is_a_fraction_and_error_rates_are_turned_round(catalog):
    assert catalog.model("resnet50").accuracy["fp32"].value == pytest.approx(0.80858)
    whisper = catalog.model("whisper-large-v3").accuracy["fp32"]
    assert whisper.value == pytest.approx(1 - 0.0744) and whisper.basis == Basis.DERIVED


def test_speech_models_are_ranked_on_one_benchmark(catalog):
    # The zoo gave wav2vec2 its LibriSpeech test-clean WER (3.4%, read audiobooks, its own training
    # domain) beside Whisper's averages over other sets, so it was planned for call centres; on the
    # Open ASR Leaderboard's eight English sets it averages 29.4% (45.6% on AMI meetings).
    asr = [m for m in catalog.models.values() if m.task == "automatic-speech-recognition" and m.accuracy]
    assert {m.accuracy_metric for m in asr} == {"WER (Open ASR Leaderboard, average of 8 English sets)"}
    assert all("open_asr_leaderboard" in m.accuracy["fp32"].source for m in asr)
    best = max(asr, key=lambda m: m.accuracy["fp32"].value)
    assert best.id == "whisper-large-v3" and catalog.model("wav2vec2-base-960h").accuracy["fp32"].value < 0.75



@pytest.mark.parametrize("model, base", [
    # each fine-tune keeps its base model's architecture, so a token costs the same KV cache
    ("deepseek-r1-distill-llama-8b", "llama-3.1-8b"),
    ("deepseek-r1-distill-llama-70b", "llama-3.3-70b"),
    ("qwen2.5-coder-7b", "qwen2.5-7b"),
    ("qwen2.5-coder-32b", "qwen2.5-32b"),
])
def test_fine_tunes_cache_as_much_per_token_as_their_base_model(catalog, model, base):
    arch, base_arch = catalog.model(model).architecture, catalog.model(base).architecture
    per_token = arch.layers * arch.kv_heads * arch.head_dim * 2 * 2  # K and V, 2 bytes each (bf16)
    assert per_token == base_arch.layers * base_arch.kv_heads * base_arch.head_dim * 2 * 2
    assert arch.kv_elements_per_token * 2 == per_token
    assert (arch.hidden_size, arch.intermediate_size) == (base_arch.hidden_size, base_arch.intermediate_size)

def test_unknown_ids_suggest_close_names(catalog):
    with pytest.raises(UnknownEntryError) as info:
        catalog.device("nvidia-h100-sxm")
    assert "nvidia-h100-sxm-80gb" in str(info.value)


def write(tmp_path, name: str, text: str):
    (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


GOOD_DEVICE = """\
    schema_version: 1
    devices:
      - id: acme-npu-1
        vendor: acme
        vendor_name: Acme
        name: Acme NPU 1
        device_class: npu
        form_factor: edge
        peak: {int8: 10}
        memory_gb: 4
        memory_bandwidth_gbs: 50
        tdp_w: 5
        placements: [edge]
        source: https://example.com/acme-npu-1
"""


def test_a_user_directory_adds_devices(tmp_path):
    catalog = load_catalog(str(write(tmp_path, "devices.yaml", GOOD_DEVICE)))
    assert catalog.device("acme-npu-1").peak["int8"].value == 10
    assert "nvidia-l4" in catalog.devices


@pytest.mark.parametrize("text, expected", [
    (GOOD_DEVICE.replace("tdp_w: 5", "tdp_w: lots"), ["devices.yaml", "'acme-npu-1'", "tdp_w"]),
    (GOOD_DEVICE.replace("device_class: npu", "device_class: qpu"), ["'acme-npu-1'", "device_class"]),
    (GOOD_DEVICE.replace("        source: https://example.com/acme-npu-1\n", ""), ["'acme-npu-1'", "source"]),
    (GOOD_DEVICE.replace("peak: {int8: 10}", "peak: {int8: {value: 10, basis: derived}}"), ["formula"]),
    (GOOD_DEVICE.replace("schema_version: 1", "schema_version: 7"), ["schema_version"]),
    ("devices: [unclosed", ["not valid YAML"]),
])
def test_malformed_entries_name_file_entry_and_field(tmp_path, text, expected):
    with pytest.raises(CatalogError) as info:
        validate_directory(write(tmp_path, "devices.yaml", text))
    for fragment in expected:
        assert fragment in str(info.value)


def test_duplicate_ids_and_empty_directories_are_errors(tmp_path):
    doubled = GOOD_DEVICE + GOOD_DEVICE.split("devices:\n", 1)[1]
    with pytest.raises(CatalogError, match="appears twice"):
        validate_directory(write(tmp_path, "devices.yaml", doubled))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CatalogError, match="holds neither"):
        validate_directory(empty)


def test_the_ascend_910b_has_huaweis_published_figures_and_is_planned_on(catalog):
    """No 910B figure was filled, so every request for it (or for chips made in China) was refused."""
    from intent import plan

    device = catalog.device("huawei-ascend-910b")
    assert (device.peak["fp16"].value, device.memory_gb.value, device.memory_bandwidth_gbs.value) == (353.9, 64, 1600)
    assert all("gitcode.com/cann" in figure.source for figure in (device.peak["fp16"], device.memory_gb))
    assert device.tdp_w is None  # Huawei publishes none: power and cost stay unknown, not guessed
    result = plan("用昇腾910B部署一个14B模型，50并发，首字延迟500ms以内", offline=True, record=False)
    assert result.choice.device_id == "huawei-ascend-910b" and result.metrics.cost_usd_per_hour is None


def test_a_device_with_no_published_memory_bandwidth_is_no_candidate(catalog):
    """The Ascend 910's memory size is published, its bandwidth is not: its memory time counted as
    nothing, so it came first for "lowest latency" LLM serving (50 replicas of a 7B model)."""
    from planner.perf.factors import load_factors
    from planner.perf.roofline import supports

    device, model = catalog.device("huawei-ascend-910"), catalog.models["llama-3.1-8b"]
    assert device.memory_gb.value == 32 and device.memory_bandwidth_gbs is None
    assert supports(device, model, "fp16", load_factors()) == "huawei-ascend-910 publishes no memory bandwidth"


def test_nvidias_parts_for_china_are_planned_on_with_sourced_figures():
    # "我们机房有两张A800" and "用H20八卡" had been refused: not devices in the catalog
    from intent import plan

    catalog = load_catalog()
    for device_id in ("nvidia-a800-sxm-80gb", "nvidia-h20-sxm-96gb"):
        device = catalog.devices[device_id]
        figures = [*device.peak.values(), device.memory_gb, device.memory_bandwidth_gbs, device.tdp_w]
        assert all(f is not None and f.source for f in figures), device_id
    a800 = plan("我们机房有两张A800，想跑DeepSeek-R1-Distill-Qwen-32B，并发20", offline=True, record=False)
    assert a800.choice.device_id == "nvidia-a800-sxm-80gb" and a800.choice.placement == "on-prem"
    h20 = plan("部署qwen2.5 72b，用H20八卡，并发32，首字延迟3秒", offline=True, record=False)
    assert h20.choice.device_id == "nvidia-h20-sxm-96gb"


def test_a_vendors_device_not_in_the_catalog_is_matched_against_devices_only(capsys):
    """'catalog show nvidia-h999' had suggested vit-b-16."""
    from intent.cli import main

    assert main(["catalog", "show", "nvidia-h999"]) != 0
    err = capsys.readouterr().err
    assert "did you mean nvidia-h" in err and "vit" not in err
