"""Fuzzing parse and plan (bounded, derandomised so every run tries the same texts): whatever
the text, the answer is an Intent or a plan whose JSON holds only finite numbers, or one of
the project's typed errors; never an untyped exception.

``INTENTCTL_FUZZ_SCALE=N`` runs N times as many examples, with fresh random texts (a longer hunt
than the suite's).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.errors import CatalogError
from intent import parse, plan
from intent.errors import IntentError
from intent.settings import load_settings
from planner.errors import PlanningError
from policies.errors import PolicyError

TYPED = (IntentError, PlanningError, PolicyError, CatalogError)
SCALE = int(os.environ.get("INTENTCTL_FUZZ_SCALE", "1"))
PARSE_EXAMPLES, PLAN_EXAMPLES = 400 * SCALE, 60 * SCALE

TASKS = ["classify images", "detect objects", "transcribe audio", "serve llama 3 8b", "summarize notes",
         "translate text", "fine-tune bert-large for question answering on 87k records", "chatbot", "图像分类"]
BOUNDS = ["in {n} ms", "under {n} ms", "at {n} req/s", "at least {n}% accuracy", "under {n} W", "under ${n}/hour",
          "within {n} GB", "under {n} J", "{n}-{n} ms", "epsilon {n}", "delta {n}", "batch {n}", "{n} replicas",
          "在{n}毫秒内", "每秒{n}帧", "for {n} epochs", "on {n} records"]
WORDS = ["lowest power", "cheapest", "fastest", "no NVIDIA", "on an NVIDIA L4", "HIPAA", "GDPR", "watermark",
         "differential privacy", "int8", "fp16", "on-prem", "edge", "cloud", "then cheapest", "no Google",
         "on TPU v5e", "on Huawei Ascend", ",", ";", "but", "\u200b", "p\u0430tient", "ｈｉｐａａ"]
NUMBERS = st.one_of(
    st.integers(min_value=-10**6, max_value=10**7).map(str),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9).map(lambda x: f"{x:g}"),
    st.sampled_from(["0", "0.0", "1e-9", "2.2e-311", "1e9", "1e300", "1e400", "9" * 40, "9" * 400, "1,000", "5k", "2.5万", "两百",
                     "ten", "-0", "-9223372036854775808"]),
)


@st.composite
def requests(draw) -> str:
    parts = [draw(st.sampled_from(TASKS))]
    for _ in range(draw(st.integers(0, 5))):
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(BOUNDS)).format(n=draw(NUMBERS)))
        else:
            parts.append(draw(st.sampled_from(WORDS)))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), draw(st.text(max_size=12)))
    return draw(st.sampled_from([" ", ", ", " and "])).join(parts)


def finite_json(data) -> None:
    json.dumps(data, allow_nan=False)  # raises on NaN or infinity: not JSON


@settings(max_examples=PARSE_EXAMPLES, deadline=None, derandomize=SCALE == 1,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(requests(), st.text(max_size=80)))
def test_parse_gives_an_intent_of_finite_numbers_or_a_typed_error(text):
    try:
        intent = parse(text, offline=True)
    except IntentError as exc:
        assert str(exc) and exc.hint
        return
    finite_json(intent.model_dump(mode="json"))


FAST = load_settings(solver_time_limit_s=2.0)


@settings(max_examples=PLAN_EXAMPLES, deadline=None, derandomize=SCALE == 1,
          suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_plan_gives_a_plan_of_finite_numbers_or_a_typed_error(text):
    try:
        result = plan(text, offline=True, settings=FAST, record=False, alternatives=1)
    except TYPED as exc:
        assert str(exc)
        return
    finite_json(result.model_dump(mode="json"))
