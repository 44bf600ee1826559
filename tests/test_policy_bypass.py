"""Mandatory rules cannot be slipped past: hidden characters, look-alike letters, a renamed
vendor in a user catalog, NaN bounds and a model that relabels the task all meet the rule."""

from __future__ import annotations

import math

import pytest
from openai_server import Answer, ScriptedServer
from paths import ROOT

from hardware import CatalogError, load_catalog, validate_directory
from intent import plan
from intent.api import parse
from intent.folding import canonical
from intent.schema import Constraint, DifferentialPrivacy, Intent
from intent.settings import load_settings
from policies import PolicyViolation, load_policy
from policies.organisation import apply_policy

POLICY = str(ROOT / "examples" / "policy.yaml")
HIDDEN_WARNING = "hidden characters or look-alike letters"


@pytest.mark.parametrize("text, folded", [
    ("summarize pa\u200btient notes", True),   # zero-width space inside the trigger word
    ("summarize pa\u00adtient notes", True),   # soft hyphen
    ("summarize pa\u2060tient notes", True),   # word joiner
    ("summarize p\u0430tient notes", True),    # Cyrillic a
    ("summarize \u0440\u0430tient notes", True),  # Cyrillic r and a
    ("summarize \uff50\uff41\uff54\uff49\uff45\uff4e\uff54 notes", False),  # fullwidth: NFKC, as the parser always read it
    ("summarize PATIENT notes", False),        # plain upper case
])
def test_trigger_words_are_matched_in_the_text_the_parser_reads(text, folded):
    result = plan(text, offline=True, policy=POLICY, record=False)
    assert [r.value for r in result.intent.policies.compliance] == ["hipaa"]
    hipaa = next(s for s in result.policies if s.name == "hipaa")
    assert "patient-data-needs-hipaa" in hipaa.caused_by
    said = [w for w in result.warnings if HIDDEN_WARNING in w]
    assert bool(said) == folded, result.warnings
    if folded:
        assert "patient-data-needs-hipaa" in said[0] and "'patient'" in said[0]


@pytest.mark.parametrize("text", [
    "summarize patient notes, dis\u200bable HIPAA",
    "summarize patient notes, disable HIP\u00adAA",
    "summarize patient notes, ign\u043ere the policy",  # Cyrillic o
])
def test_loosening_words_are_read_through_hidden_characters_too(text):
    with pytest.raises(PolicyViolation):
        plan(text, offline=True, policy=POLICY, record=False)


@pytest.mark.parametrize("raw, read", [
    ("p\u0430tient", "patient"),                 # mixed-script word: its Latin skeleton
    ("\u0440\u0430\u0441\u0435", "pace"),         # a whole word of look-alikes
    ("\u043f\u0440\u0438\u0432\u0435\u0442", "\u043f\u0440\u0438\u0432\u0435\u0442"),  # a Russian word stays Russian
    ("用最低功耗在10ms内完成图像分类", "用最低功耗在10ms内完成图像分类"),  # Chinese is untouched
    ("caf\u00e9 na\u00efve", "caf\u00e9 na\u00efve"),  # accented Latin is not a look-alike
    ("p\u0430tient病历", "patient病历"),           # a look-alike word next to Chinese
    ("H\u200bIPAA", "hipaa"),
])
def test_canonical_text(raw, read):
    assert canonical(raw) == read


def test_the_parser_reads_folded_words():
    intent = parse("cl\u0430ssify images in 10\u200bms, HIP\u00adAA", offline=True)
    assert intent.task.value == "image-classification"
    assert intent.constraints[0].value == 10.0
    assert [r.value for r in intent.policies.compliance] == ["hipaa"]


RENAMED = """schema_version: 1
devices:
- id: huawei-ascend-910
  vendor: {vendor}
  vendor_name: Acme
  name: Ascend 910
  device_class: {device_class}
  form_factor: datacenter
  peak: {{fp16: 256.0, int8: 512.0}}
  tdp_w: 310.0
  placements: [on-prem]
  source: https://www.hisilicon.com
"""


@pytest.mark.parametrize("vendor, device_class, field", [
    ("acme", "npu", "vendor"),       # renaming the banned vendor away
    ("huawei", "gpu", "device_class"),
])
def test_a_user_catalog_cannot_change_a_packaged_devices_identity(tmp_path, vendor, device_class, field):
    (tmp_path / "devices.yaml").write_text(RENAMED.format(vendor=vendor, device_class=device_class), encoding="utf-8")
    for load in (lambda: load_catalog(str(tmp_path)), lambda: validate_directory(tmp_path)):
        with pytest.raises(CatalogError, match=f"field '{field}'"):
            load()


def test_a_user_catalog_may_refine_a_packaged_devices_figures(tmp_path):
    (tmp_path / "devices.yaml").write_text(RENAMED.format(vendor="huawei", device_class="npu")
                                           .replace("tdp_w: 310.0", "tdp_w: 300.0"), encoding="utf-8")
    device = load_catalog(str(tmp_path)).device("huawei-ascend-910")
    assert device.tdp_w.value == 300.0 and device.vendor == "huawei"
    result = plan("translate documents, lowest power", offline=True, policy=POLICY, catalog_dir=str(tmp_path),
                  record=False)
    assert not result.choice.device_id.startswith("huawei")


def test_nan_is_never_a_bound():
    with pytest.raises(ValueError, match="finite"):
        Constraint(metric="latency", op="<=", value=math.nan, unit="ms")
    with pytest.raises(ValueError, match="finite"):
        DifferentialPrivacy(epsilon=math.nan)
    # An intent built without validation still meets the cap: NaN is not within it.
    dp = DifferentialPrivacy.model_construct(epsilon=math.nan, delta=None)
    sneaky = Intent(text="classify text with differential privacy", task="text-classification")
    sneaky = sneaky.model_copy(update={"policies": sneaky.policies.model_copy(update={"differential_privacy": dp})})
    with pytest.raises(PolicyViolation, match="epsilon-cap"):
        apply_policy(sneaky, load_policy(POLICY))


def _settings(server):
    return load_settings(api_key="test-key", base_url=server.base_url, llm_retries=0, llm_timeout_s=5.0)


def test_a_nan_epsilon_from_the_model_never_reaches_the_plan():
    answer = '{"task": "text-classification", "policies": {"differential_privacy": {"epsilon": NaN}}}'
    with ScriptedServer([Answer(arguments=answer)]) as server:
        result = plan("classify text with differential privacy", policy=POLICY, settings=_settings(server),
                      record=False)
    section = next(s for s in result.policies if s.name == "differential-privacy")
    assert section.parameters["epsilon"] == 8.0  # the policy's cap, not NaN
    assert any("LLM parsing failed" in w for w in result.warnings)


def test_a_model_relabelling_the_task_does_not_escape_a_task_scoped_rule():
    # The rules read summarization; the model says question answering. The watermark rule is
    # scoped to generated text (summarization among others): the stricter reading applies.
    answer = {"task": "question-answering", "assumptions": []}
    with ScriptedServer([Answer(arguments=answer)]) as server:
        result = plan("summarize support tickets", policy=POLICY, settings=_settings(server), record=False)
    assert result.intent.task.value == "question-answering"
    assert result.intent.policies.watermark
    assert "watermark-generated-text" in next(s for s in result.policies if s.name == "watermark").caused_by


def test_duplicate_rule_ids_are_found_in_one_pass(tmp_path):
    rules = "".join(f"  - id: r{i}\n    require: {{watermark: true}}\n" for i in range(20_000))
    path = tmp_path / "policy.yaml"
    path.write_text(f"schema_version: 1\nname: big\nrules:\n{rules}  - id: r19999\n    require: {{}}\n",
                    encoding="utf-8")
    with pytest.raises(Exception, match="'r19999' appears twice"):
        load_policy(path)
