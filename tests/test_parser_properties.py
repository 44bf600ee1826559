"""Random and adversarial text: the parser returns a valid Intent or raises one of its typed errors
(with a hint). Derandomised, like test_fuzz.py, so every run tries the same texts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intent import parse
from intent.errors import IntentError
from intent.schema import Intent

WORDS = ["classify", "images", "under", "at least", "10ms", "5-", "-", "$", "/month", "per", "ε=", "δ", "1e-5",
         "不超过", "毫秒", "每秒", "瓦", "%", "fp16", "or better", "no", "NVIDIA", "H100", "between", "and", "GiB",
         "百分之", "两百", "k", "million", "HIPAA", "watermark", "0.", ",", "。", "最低功耗", "cheapest", "maximize"]


def check(text: str) -> None:
    try:
        intent = parse(text, offline=True)
    except IntentError as exc:
        assert str(exc) and exc.hint
        return
    assert Intent.model_validate(intent.model_dump(mode="json")) == intent


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_unicode_text(text):
    check(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(WORDS + ["1", "2.5", "1,000", "0", "-3"]), max_size=25))
def test_adversarial_mixtures_of_parser_vocabulary(words):
    check(" ".join(words))
    check("".join(words))


def test_a_unit_glued_to_a_word_is_refused_with_the_span():
    """Found by the adversarial mixtures: '10msclassify' is no unit; the refusal quotes it."""
    try:
        parse("最低功耗不超过10msclassify", offline=True)
    except IntentError as exc:
        assert "msclassify" in str(exc) and exc.hint
    else:
        raise AssertionError("a bound in an unknown unit was read")
