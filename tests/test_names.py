"""Names people write for models and devices resolve to catalog ids (hardware/names.py)."""

from __future__ import annotations

import pytest

from hardware.names import resolve_device, resolve_model, suggest_devices, suggest_models, tokens


@pytest.mark.parametrize("name, model_id", [
    ("Qwen2.5-7B-Instruct", "qwen2.5-7b"),                       # the repository name
    ("qwen 2.5 7b", "qwen2.5-7b"),                               # spaced, lower case
    ("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b"),                  # with the organisation
    ("qwen2.5:7b", "qwen2.5-7b"),                                # an Ollama tag
    ("通义千问2.5-7B", "qwen2.5-7b"),                              # the Chinese name
    ("Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b"),            # the repository's first name
    ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"),
    ("Llama3.1:8b", "llama-3.1-8b"),
    ("llama 3.1 8b", "llama-3.1-8b"),
    ("llama 3 8b", "llama-3-8b"),                                # the older model keeps its id
    ("DeepSeek-R1-Distill-Qwen-32B", "deepseek-r1-distill-qwen-32b"),
    ("deepseek-r1:7b", "deepseek-r1-distill-qwen-7b"),           # Ollama's name for the distill
    ("deepseek r1", "deepseek-r1"),
    ("Qwen3-30B-A3B", "qwen3-30b-a3b"),
    ("mixtral 8x22b", "mixtral-8x22b"),
    ("gemma 2 9b it", "gemma-2-9b"),
    ("lama 3.1 70b", "llama-3.1-70b"),                           # a typo in the words, same numbers
    ("meta llama 3.1 8b instruct turbo", "llama-3.1-8b"),        # extra words around the model
    ("resnet 50", "resnet50"),                                   # not only LLMs
    ("Gemma 3 27B", "gemma-3-27b"),                              # newer open LLMs, as people name them
    ("google/gemma-3-12b-it", "gemma-3-12b"),
    ("gemma3:27b", "gemma-3-27b"),
    ("gpt-oss-20b", "gpt-oss-20b"),
    ("gpt-oss:120b", "gpt-oss-120b"),
    ("Llama 4 Scout", "llama-4-scout-17b-16e"),
    ("llama4:scout", "llama-4-scout-17b-16e"),
    ("meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama-4-maverick-17b-128e"),
    ("Mistral-Small-3.1-24B-Instruct-2503", "mistral-small-3.1-24b"),
    ("Phi-4-mini", "phi-4-mini"),
    ("phi 4", "phi-4"),                                          # the 14B model keeps its name
])
def test_model_names_resolve_to_their_ids(catalog, name, model_id):
    assert resolve_model(name, catalog) == model_id


@pytest.mark.parametrize("name, wrong", [
    ("llama 3.1 8b", "llama-3.1-70b"),
    ("llama 3.1 8b", "llama-3.1-405b"),
    ("qwen 2.5 7b", "qwen2.5-72b"),
    ("qwen3 32b", "qwen3-30b-a3b"),
    ("deepseek r1 7b", "deepseek-r1"),
])
def test_a_size_never_resolves_to_another_size(catalog, name, wrong):
    assert resolve_model(name, catalog) != wrong
    assert resolve_model(name, catalog) is not None


@pytest.mark.parametrize("name", [
    "llama 8b",            # Llama 3 or 3.1?
    "qwen 7b",             # Qwen2.5 or another Qwen?
    "gpt-5",               # not in the catalog
    "",
])
def test_ambiguous_or_unknown_names_resolve_to_nothing(catalog, name):
    assert resolve_model(name, catalog) is None


def test_an_unknown_name_gets_the_closest_ids(catalog):
    assert suggest_models("llama 8b", catalog)[:2] == ["llama-3-8b", "llama-3.1-8b"]
    assert "qwen2.5-7b" in suggest_models("qwen 7b", catalog)
    assert suggest_models("llama 3.1 8b", catalog)[0] == "llama-3.1-8b"
    assert len(suggest_models("mixtral", catalog, n=2)) == 2
    assert suggest_models("", catalog) == []


def test_suggestions_for_a_name_the_catalog_lacks_keep_family_task_and_size(catalog):
    # the same family first, whatever the separators
    assert all(m.startswith("fasterrcnn") for m in suggest_models("faster r-cnn", catalog, 3, "object-detection"))
    # an unknown family: models of the task nearest in size (180B), never a small image model
    suggested = suggest_models("falcon 180b", catalog, 3, "text-generation")
    assert all(catalog.model(m).task == "text-generation" and catalog.model(m).params_m.value >= 70_000
               for m in suggested)


@pytest.mark.parametrize("name, device_id", [
    ("h100", "nvidia-h100"),                                     # a family
    ("NVIDIA H100", "nvidia-h100"),
    ("nvidia h100 sxm", "nvidia-h100-sxm-80gb"),                 # the vendor word is optional
    ("h100 80gb", "nvidia-h100"),                                # SXM or PCIe: both of the family
    ("RTX 4090", "nvidia-geforce-rtx-4090"),
    ("4090", "nvidia-geforce-rtx-4090"),
    ("树莓派 5", "raspberry-pi-5"),
    ("树莓派5", "raspberry-pi-5"),
    ("Raspberry Pi 5", "raspberry-pi-5"),
    ("A100 80GB", "nvidia-a100"),                               # SXM or PCIe, both 80 GB: the family
    ("A100 SXM", "nvidia-a100-sxm-80gb"),
    ("amd mi300x", "amd-instinct-mi300x"),
    ("Jetson AGX Orin", "nvidia-jetson-agx-orin-64gb"),
    ("intel gaudi 3", "intel-gaudi3"),
    ("tpu v5e", "google-tpu-v5e"),
])
def test_device_names_resolve_to_their_ids(catalog, name, device_id):
    assert resolve_device(name, catalog) == device_id


def test_device_numbers_are_kept_apart(catalog):
    assert resolve_device("gaudi 2", catalog) == "intel-gaudi2"
    assert resolve_device("a100 40gb", catalog) == "nvidia-a100-sxm-40gb"
    assert resolve_device("blackwell b200", catalog) is None
    assert suggest_devices("h100 pcie 80 gb", catalog)[0] == "nvidia-h100-pcie-80gb"
    assert suggest_devices("nvidia", catalog)  # a vendor alone still gets suggestions


def test_tokens_split_words_from_numbers_but_keep_sizes_whole():
    assert tokens("Qwen2.5-7B-Instruct") == ("qwen", "2.5", "7b")
    assert tokens("Qwen3-30B-A3B") == ("qwen", "3", "30b", "a3b")
    assert tokens("mistral 7b v0.3") == ("mistral", "7b", "v0.3")
    assert tokens("Llama 3.1 70 B") == ("llama", "3.1", "70b")


@pytest.mark.parametrize("name, base", [
    ("Qwen2.5-Math-7B", "qwen2.5-7b"),             # a fine-tune for another job is another model
    ("llama 3.1 8b vision", "llama-3.1-8b"),       # another modality too
])
def test_a_word_that_makes_another_model_is_never_matched_loosely(catalog, name, base):
    assert resolve_model(name, catalog) != base
    assert suggest_models(name, catalog, 1) == [base]  # still offered as the closest


def test_a_size_word_makes_another_model(catalog):
    """"Phi-4-mini" (3.8B) is not Phi-4 (14B), nor is a "Phi-4-medium" the catalog lacks."""
    assert resolve_model("phi-4-mini", catalog) == "phi-4-mini"
    assert resolve_model("phi-4-medium", catalog) is None
    assert resolve_model("phi 4", catalog) == "phi-4"
    assert resolve_model("whisper large v3", catalog) == "whisper-large-v3"


def test_a_variant_word_names_another_part():
    # "m2 ultra" was the M2's 16-core Neural Engine (catalog show, and chat planned "4 x apple-m2-neural-engine")
    from hardware import load_catalog
    from hardware.names import resolve_device

    catalog = load_catalog()
    assert resolve_device("m2 ultra", catalog) is None
    assert resolve_device("orin nano", catalog) == "nvidia-jetson-orin-nano-8gb"
