"""A parallel layout the request asks for ("TP=2", "TP8xPP2", "张量并行4") is read, planned
or refused with the layouts that would do; never dropped."""

import pytest

from intent import parse, plan
from planner import InfeasibleError


@pytest.mark.parametrize("text, tensor, pipeline", [
    ("Serve Llama 3.1 8B with TP=2 on H100s, 50 concurrent users", 2, None),
    ("Llama 3.1 70B, tensor parallel 4, pipeline parallel 2, 64 concurrent users", 4, 2),
    ("DeepSeek-V3 with --tensor-parallel-size 8 on H200", 8, None),
    ("Llama 3.1 405B TP8xPP2 on H100", 8, 2),
    ("8-way tensor parallelism for Llama 3.1 70B", 8, None),
    ("用张量并行4部署Qwen2.5 72B，并发32", 4, None),
    ("Llama 3.1 405B，流水线并行度为2，张量并行8", 8, 2),
    ("Llama 3.1 405B over 2 pipeline stages", None, 2),
])
def test_a_layout_as_people_write_it(text, tensor, pipeline):
    intent = parse(text, offline=True)
    assert (intent.workload.tensor_parallel, intent.workload.pipeline_parallel) == (tensor, pipeline), text
    assert any("tensor parallel" in a or "pipeline stages" in a for a in intent.assumptions), text


def test_a_percentile_or_an_odd_degree_is_no_layout():
    p99 = parse("Llama 3.1 8B chat, TP99 latency under 2 s", offline=True)
    assert p99.workload.tensor_parallel is None
    odd = parse("Llama 3.1 8B with tp=3", offline=True)
    assert odd.workload.tensor_parallel is None
    assert any("tensor-parallel degree of 3 is not planned for" in w for w in odd.warnings)
    big = parse("Llama 3.1 405B with TP=128", offline=True)  # three digits: warned, not dropped
    assert any("tensor-parallel degree of 128 is not planned for" in w for w in big.warnings)
    for text in ("Qwen2.5 72B 对话服务，TP99延迟小于200ms", "Llama 3.1 8B chatbot, TP90 under 1 s"):
        read = parse(text, offline=True)  # percentiles by their industry names
        assert read.workload.tensor_parallel is None and read.warnings == [], text


def test_the_plan_runs_the_layout_asked_for():
    free = plan("Serve Llama 3.1 8B on H100 SXM, 50 concurrent users", offline=True)
    asked = plan("Serve Llama 3.1 8B with TP=2 on H100 SXM, 50 concurrent users", offline=True)
    assert free.choice.tensor_parallel == 1  # the planner alone keeps an 8B model on one card
    assert (asked.choice.tensor_parallel, asked.choice.pipeline_parallel, asked.choice.devices_per_replica) == (2, 1, 2)
    staged = plan("Llama 3.1 405B TP8xPP2 on H100 SXM, 32 concurrent users", offline=True)
    assert (staged.choice.tensor_parallel, staged.choice.pipeline_parallel) == (8, 2)


def test_a_layout_no_candidate_has_is_refused_naming_those_that_do():
    with pytest.raises(InfeasibleError) as caught:
        plan("bge-base embeddings with TP=2, 1000 queries/s", offline=True)
    assert "the layout asked for, TP2" in str(caught.value) and "the layouts that meet every bound are TP1" in str(caught.value)
    with pytest.raises(InfeasibleError) as caught:
        plan("Llama 3.1 8B TP=16 on L4, 4 concurrent users", offline=True)  # 8 L4 in one machine at most
    assert "TP16" in str(caught.value) and "TP8" in str(caught.value)


def test_a_training_job_says_the_layout_is_not_its_own():
    job = plan("Full fine-tune of Llama 3.1 8B with TP=2 on H100, 10k examples", offline=True)
    assert any("the layout asked for (TP2) is not planned for this fine-tuning job" in w for w in job.warnings)


def test_a_layout_holds_over_a_mix_of_owned_devices():
    # With 4 A100 and 4 L4 the plan mixed L4 TP4 and A100 TP1 while saying "TP=2" in its assumptions.
    result = plan("I have 4 A100s and 4 L4s; serve Llama 3.1 8B at 25 req/s with TP=2", offline=True, record=False)
    assert result.choice.tensor_parallel == 2
    assert all(p.choice.tensor_parallel == 2 for p in result.pools)
