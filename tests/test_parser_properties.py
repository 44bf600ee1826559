"""Random and adversarial text: the parser returns a valid Intent or raises its typed error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intent import parse
from intent.errors import IntentNotUnderstood
from intent.schema import Intent

WORDS = ["classify", "images", "under", "at least", "10ms", "5-", "-", "$", "/month", "per", "ε=", "δ", "1e-5",
         "不超过", "毫秒", "每秒", "瓦", "%", "fp16", "or better", "no", "NVIDIA", "H100", "between", "and", "GiB",
         "百分之", "两百", "k", "million", "HIPAA", "watermark", "0.", ",", "。", "最低功耗", "cheapest", "maximize"]


def check(text: str) -> None:
    try:
        intent = parse(text, offline=True)
    except IntentNotUnderstood as exc:
        assert exc.hint
        return
    assert Intent.model_validate(intent.model_dump(mode="json")) == intent


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_unicode_text(text):
    check(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS + ["1", "2.5", "1,000", "0", "-3"]), max_size=25))
def test_adversarial_mixtures_of_parser_vocabulary(words):
    check(" ".join(words))
    check("".join(words))
