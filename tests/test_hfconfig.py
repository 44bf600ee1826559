"""A model's shape and size from its Hugging Face config.json (hardware/hfconfig.py), checked on
real config files (tests/data/hf-configs, sources in its README) against the sizes the model
makers publish, and the packaged LLM entries built from their configs."""

from __future__ import annotations

import json

import pytest
import yaml
from paths import DATA, ROOT

from hardware.hfconfig import ConfigError, architecture, count_parameters, read_config
from hardware.schema import Basis

CONFIGS = DATA / "hf-configs"


@pytest.mark.parametrize("name, total_b, active_b", [
    # dense, GQA, untied embeddings; Meta's card: 70B
    ("llama-3.3-70b-instruct.json", 70, None),
    # MoE, 8 experts, 2 per token; Mistral: 46.7B total, 12.9B used per token
    ("mixtral-8x7b-instruct-v0.1.json", 46.7, 12.9),
    # MoE with latent attention, a shared expert and a dense first layer; Moonshot's README: 1T total, 32B activated
    ("kimi-k2-instruct.json", 1000, 32),
])
def test_derived_size_is_within_five_percent_of_the_published_size(name, total_b, active_b):
    count = count_parameters(read_config(CONFIGS / name))
    assert count.total / 1e9 == pytest.approx(total_b, rel=0.05)
    assert count.active / 1e9 == pytest.approx(active_b or total_b, rel=0.05)
    assert count.is_moe == (active_b is not None)


def test_moe_architecture_counts_every_expert_in_memory_and_the_routed_ones_in_compute():
    arch = architecture(read_config(CONFIGS / "mixtral-8x7b-instruct-v0.1.json"), "test")
    assert (arch.experts, arch.experts_per_token, arch.intermediate_size) == (8, 2, 14336)
    assert arch.active_params_m.basis == Basis.DERIVED and "2 per token" in arch.active_params_m.formula
    assert arch.active_params_m.value == pytest.approx(12_880, rel=0.01)


def test_latent_attention_caches_the_compressed_kv_only():
    kimi = architecture(read_config(CONFIGS / "kimi-k2-instruct.json"), "test")
    assert (kimi.kv_lora_rank, kimi.qk_rope_head_dim) == (512, 64)
    assert kimi.kv_elements_per_token == 61 * (512 + 64)
    llama = architecture(read_config(CONFIGS / "llama-3.3-70b-instruct.json"), "test")
    assert llama.head_dim == 128  # hidden / heads: the config leaves head_dim out
    assert llama.kv_elements_per_token == 80 * 8 * 128 * 2


def test_text_part_of_a_multimodal_config_is_read(tmp_path):
    inner = json.loads((CONFIGS / "llama-3.3-70b-instruct.json").read_text())
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": "llava", "text_config": inner, "vision_config": {"hidden_size": 1}}))
    assert count_parameters(read_config(path)).total == count_parameters(inner).total


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ('{"hidden_size": 4096, "num_attention_heads": 32, "intermediate_size": 11008, "vocab_size": 32000}',
     "num_hidden_layers"),
    ('{"num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32, "vocab_size": 32000}',
     "intermediate_size"),
    (('{"num_hidden_layers": -2, "hidden_size": 4096, "num_attention_heads": 32, "intermediate_size": 1, '
     '"vocab_size": 2}'), "'num_hidden_layers' is -2"),
    (('{"num_hidden_layers": 2, "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 5, '
     '"intermediate_size": 1, "vocab_size": 2}'), "multiple of the KV heads"),
    (('{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 8, '
     '"vocab_size": 2, "num_local_experts": 8}'), "num_experts_per_tok"),
])
def test_odd_or_missing_fields_name_the_field(tmp_path, text, message):
    path = tmp_path / "config.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        count_parameters(read_config(path))


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        read_config(tmp_path / "absent.json")


# -- the packaged LLMs (scripts/catalog_llms.yaml) ----------------------------------------------

def _llms(catalog):
    """The packaged LLMs built from their configs (scripts/catalog_llms.yaml); other models may name a
    repository too (Whisper's)."""
    built = set(_config_values())
    return [m for m in catalog.models.values() if m.id in built]


def _config_values() -> dict[str, dict]:
    """The config.json fields of each packaged LLM, as its build input records them."""
    data = yaml.safe_load((ROOT / "scripts" / "catalog_llms.yaml").read_text(encoding="utf-8"))
    return {m["id"]: m["config"]["values"] for m in data["models"]}


def test_at_least_thirty_llms_from_their_configs_with_sources(catalog):
    llms = _llms(catalog)
    assert len(llms) >= 30
    for model in llms:
        arch = model.architecture
        assert model.task == "text-generation" and model.kind.value == "autoregressive"
        assert arch.source.startswith("https://huggingface.co/") and model.source.startswith("http")
        assert arch.layers and arch.hidden_size and arch.kv_heads and arch.vocab_size and arch.max_context
        assert model.gflops.basis == Basis.DERIVED and "2 x" in model.gflops.formula


def test_published_sizes_agree_with_the_configs_within_five_percent(catalog):
    checked, configs = 0, _config_values()
    for model in _llms(catalog):
        if model.params_m.basis != Basis.PUBLISHED:
            continue
        count = count_parameters(configs[model.id])
        assert count.total / 1e6 == pytest.approx(model.params_m.value, rel=0.05), model.id
        active = model.architecture.active_params_m
        if active is not None and active.basis == Basis.PUBLISHED:
            assert count.active / 1e6 == pytest.approx(active.value, rel=0.05), model.id
        checked += 1
    assert checked >= 8


def test_moe_llms_compute_with_their_active_parameters(catalog):
    for model_id, active_b in [("mixtral-8x7b", 12.9), ("deepseek-v3", 37), ("qwen3-30b-a3b", 3.35),
                               ("qwen3-235b-a22b", 22.2)]:
        model = catalog.model(model_id)
        assert model.params_m.value > 3 * model.architecture.active_params_m.value
        assert model.gflops.value == pytest.approx(2 * active_b, rel=0.02), model_id


@pytest.mark.parametrize("model_id, total_b, active_b", [
    # text_config of multimodal models: the card's size also holds the vision encoder
    ("gemma-3-12b", 12, None),
    ("gemma-3-27b", 27, None),
    ("mistral-small-3.1-24b", 24, None),
    ("phi-4-mini", 3.8, None),
    # MoE, all layers MoE with a shared expert the config does not name: Meta's card 109B total, 17B active
    ("llama-4-scout-17b-16e", 109, 17),
    # MoE layers interleaved with dense ones (interleave_moe_layer_step 2): 400B total, 17B active
    ("llama-4-maverick-17b-128e", 400, 17),
    # OpenAI counts active parameters without the input embedding (0.58B); the config's count holds it
    ("gpt-oss-20b", 21, 3.6 + 0.58),
    ("gpt-oss-120b", 117, 5.1 + 0.58),
])
def test_newer_open_llms_derive_their_card_sizes_within_five_percent(catalog, model_id, total_b, active_b):
    count = count_parameters(_config_values()[model_id])
    assert count.total / 1e9 == pytest.approx(total_b, rel=0.05)
    assert count.active / 1e9 == pytest.approx(active_b or total_b, rel=0.05)
    model = catalog.model(model_id)
    assert (model.architecture.experts is None) == (active_b is None)
    assert model.gflops.value == pytest.approx(2 * count.active / 1e9, rel=0.02)


def test_quantised_accuracy_is_derived_where_measured_and_estimated_elsewhere(catalog):
    llama70 = catalog.model("llama-3.1-70b")
    assert llama70.accuracy["fp8"].basis == Basis.DERIVED
    assert llama70.accuracy["fp8"].value == pytest.approx(0.836 * 84.29 / 84.40, abs=1e-6)
    small = catalog.model("llama-3.2-1b")
    assert small.accuracy["int4"].basis == Basis.ESTIMATED and "nearest measured size" in small.accuracy["int4"].formula
    assert small.accuracy["int4"].value < small.accuracy["fp32"].value
    deepseek = catalog.model("deepseek-v3")  # released in fp8: that is the published figure
    assert deepseek.accuracy["fp8"].basis == Basis.PUBLISHED and deepseek.accuracy["fp32"].basis == Basis.DERIVED
