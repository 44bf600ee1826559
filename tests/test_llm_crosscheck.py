"""An LLM answer may not loosen the user's own request: what the offline rules read in the
text and the model dropped, flipped or loosened is restored and named in the warnings. The
answers come from a local OpenAI-compatible server; nothing inside the project is mocked."""

from __future__ import annotations

import pytest
from openai_server import Answer, ScriptedServer

from intent import plan
from intent.api import parse
from intent.llm.checks import pieces, traceable_values
from intent.settings import load_settings


def settings_for(server: ScriptedServer):
    return load_settings(api_key="test-key", base_url=server.base_url, llm_retries=0, llm_timeout_s=5.0)


def read(text: str, answer) -> object:
    with ScriptedServer([Answer(arguments=answer)]) as server:
        return parse(text, settings=settings_for(server))


LATENCY_10 = {"metric": "latency", "op": "<=", "value": 10.0, "unit": "ms"}


def test_a_dropped_exclusion_is_restored_and_the_plan_keeps_to_it():
    text = "classify images in 10ms, no NVIDIA, fastest"
    answer = {"task": "image-classification", "objective": {"metric": "latency", "sense": "minimize"},
              "constraints": [LATENCY_10], "hardware": {"include": ["nvidia-geforce-rtx-4090"], "exclude": []}}
    with ScriptedServer([Answer(arguments=answer)]) as server:
        result = plan(text, settings=settings_for(server), record=False)
    assert result.intent.hardware.exclude == ["nvidia"] and result.intent.hardware.include == []
    assert not result.choice.device_id.startswith("nvidia")
    assert any("'nvidia-geforce-rtx-4090'" in w and "forbids" in w for w in result.warnings), result.warnings
    assert any("dropped the exclusion of 'nvidia'" in w for w in result.warnings), result.warnings


def test_on_prem_turned_into_cloud_is_restored():
    text = "summarize patient notes on-prem, HIPAA"
    answer = {"task": "summarization", "deployment": "cloud",
              "policies": {"watermark": False, "differential_privacy": None, "compliance": ["hipaa"]}}
    intent = read(text, answer)
    assert intent.deployment.value == "on-prem"
    assert any("deployment" in w and "on-prem" in w for w in intent.warnings), intent.warnings


@pytest.mark.parametrize("model_bound, said", [
    ({"metric": "latency", "op": ">=", "value": 10.0, "unit": "ms"}, "turned"),     # flipped
    ({"metric": "latency", "op": "<=", "value": 20.0, "unit": "ms"}, "loosened"),   # 20 is in the text, as a rate
    (None, "dropped"),
])
def test_a_bound_flipped_loosened_or_dropped_is_restored(model_bound, said):
    text = "classify images in 10 ms at 20 images/s"
    rate = {"metric": "throughput", "op": ">=", "value": 20.0, "unit": "rps"}
    answer = {"task": "image-classification", "constraints": [rate] + ([model_bound] if model_bound else [])}
    intent = read(text, answer)
    assert sorted(c.describe() for c in intent.constraints) == ["latency <= 10 ms", "throughput >= 20 rps"]
    assert any(said in w and "latency <= 10 ms" in w for w in intent.warnings), intent.warnings


def test_a_precision_limit_and_a_privacy_budget_are_kept():
    intent = read("classify text in int8 only with differential privacy epsilon 2",
                  {"task": "text-classification", "precisions": ["fp16", "int8"],
                   "policies": {"watermark": False, "differential_privacy": {"epsilon": 8.0}, "compliance": []},
                   "assumptions": ["epsilon 8 is the platform default"]})
    assert [p.value for p in intent.precisions] == ["int8"]
    assert intent.policies.differential_privacy.epsilon == 2.0
    assert any("precisions" in w for w in intent.warnings) and any("epsilon" in w for w in intent.warnings)


def test_an_answer_that_reads_nothing_falls_back_to_the_rules():
    intent = read("lowest power, classify images in 10ms", {"foo": "bar"})
    assert intent.task.value == "image-classification" and intent.constraints[0].value == 10.0
    assert any("read no task and no bound" in w for w in intent.warnings), intent.warnings


def test_a_faithful_answer_gets_no_warning():
    intent = read("classify images in 10ms, no NVIDIA",
                  {"task": "image-classification", "constraints": [LATENCY_10],
                   "hardware": {"include": [], "exclude": ["nvidia"]}})
    assert intent.warnings == []


def test_the_answer_check_reads_the_whole_text():
    # A bound past the offline parser's 4,000 characters is still traceable to the text.
    text = "classify images. " + "the archive holds many scanned forms. " * 1200 + "latency under 35 ms"
    assert len(text) > 40_000
    assert 35.0 in traceable_values(text)
    assert "".join(pieces(text)) == text and max(map(len, pieces(text))) <= 2000
