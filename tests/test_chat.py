"""Chat: the session refines the intent message by message; the terminal loop is driven through
a real pseudo-terminal with pexpect, as a person would use it."""

from __future__ import annotations

import json
import os
import re
import sys

import pexpect
import pytest

from intent.chat import ASK_TASK, ChatSession
from intent.schema import Metric


def test_messages_refine_the_current_intent():
    chat = ChatSession(offline=True)
    first = chat.answer("lowest power, classify images in 10ms")
    assert first.plan is not None and first.plan.metrics.latency_ms <= 10
    second = chat.answer("no Google")
    assert "google" in chat.intent.hardware.exclude and "changed" in second.text
    before = chat.intent
    chat.answer("what if latency can be 20 ms?")  # a what-if compares: nothing changes yet
    assert chat.intent == before
    looser = chat.answer("ok use that")
    assert [c.value for c in chat.intent.constraints] == [20.0]  # the bound was replaced, not added
    assert looser.plan is not None
    cheaper = chat.answer("make it cheaper")
    assert chat.intent.objective.metric.value == "cost" and "intent.objective" in cheaper.text
    chinese = chat.answer("不要英伟达")
    assert "nvidia" in chat.intent.hardware.exclude and chinese.plan is not None


def test_without_a_task_it_asks_one_question():
    chat = ChatSession(offline=True)
    assert chat.answer("cheapest under 20 ms").text == ASK_TASK
    reply = chat.answer("classify images")
    assert reply.plan is not None and reply.plan.metrics.latency_ms <= 20


def test_why_not_alternatives_undo_reset_json_and_export(tmp_path):
    chat = ChatSession(offline=True)
    chat.answer("lowest power, classify images in 10ms")
    assert "nvidia-l4" in chat.answer("why not the L4?").text
    assert "higher than" in chat.answer("show alternatives").text
    assert json.loads(chat.answer("/json").text)["choice"]["device_id"] == chat.plan.choice.device_id
    chat.answer("no Google")
    undone = chat.answer("/undo").text
    assert undone.startswith(f"undone; back to: plan: {chat.plan.choice.model_id}")
    assert "google" not in chat.intent.hardware.exclude
    assert chat.plan.choice.device_id in undone  # says to what
    assert "no server image" in chat.answer(f"/export k8s {tmp_path}").text  # HailoRT runs in the application
    chat.answer("use an NVIDIA L4")
    assert "wrote" in chat.answer(f"/export k8s {tmp_path}").text and list(tmp_path.glob("*.yaml"))
    assert chat.answer("/reset").text.startswith("Starting over") and chat.plan is None
    assert chat.answer("/quit").done


def test_an_infeasible_refinement_says_why():
    chat = ChatSession(offline=True)
    chat.answer("classify images in 10ms")
    reply = chat.answer("accuracy at least 99.9%")
    assert reply.plan is None and "No plan" in reply.text and "accuracy" in reply.text


def spawn():
    env = dict(os.environ, COLUMNS="120", TERM="dumb")
    return pexpect.spawn(sys.executable, ["-m", "intent", "chat", "--offline"], env=env, encoding="utf-8",
                         timeout=60)


def test_terminal_session_through_a_pseudo_terminal():
    child = spawn()
    child.expect("you> ")
    child.sendline("lowest power, classify images in 10ms")
    child.expect(r"plan: \S+ on 1 x ")  # a turn is a short summary ...
    child.expect(r"\(/show for the full plan\)")
    child.expect("you> ")
    child.sendline("/show")
    child.expect("solver OPTIMAL")  # ... and /show the whole plan
    child.expect("you> ")
    child.sendline("no Google")
    child.expect("changed:")
    child.expect("you> ")
    child.sendline("/help")
    child.expect("/alternatives")
    child.expect("you> ")
    child.sendline("/quit")
    child.expect("bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("ending", ["ctrl-d", "ctrl-c"])
def test_ctrl_c_and_ctrl_d_end_cleanly(ending):
    child = spawn()
    child.expect("you> ")
    if ending == "ctrl-d":
        child.sendeof()
    else:
        child.sendintr()
    child.expect("bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


@pytest.mark.parametrize(("message", "answer"), [("quit", "bye"), ("Exit", "bye"), ("bye!", "bye"), ("退出", "再见"),
                                                 ("/quit", "bye")])  # a command answers in the session's language
def test_saying_quit_ends_the_chat(message, answer):
    chat = ChatSession(offline=True)
    chat.answer("lowest power, classify images in 10ms")
    reply = chat.answer(message)
    assert reply.done and reply.text == answer


def test_a_request_that_mentions_quitting_is_still_a_request():
    chat = ChatSession(offline=True)
    reply = chat.answer("classify images in 10ms, exit early if busy")
    assert not reply.done and reply.plan is not None


def test_a_policy_refusal_is_an_answer_and_the_session_goes_on(monkeypatch):
    from paths import ROOT

    monkeypatch.setenv("INTENTCTL_POLICY", str(ROOT / "examples" / "policy.yaml"))
    chat = ChatSession(offline=True)
    first = chat.answer("translate documents, cheapest")
    assert first.plan is not None
    refused = chat.answer("run it on Huawei Ascend NPUs")
    assert "refused by organisation rule 'no-unapproved-vendor'" in refused.text and not refused.done
    assert chat.plan is first.plan  # the session and its plan are kept
    assert chat.answer("make it fastest").plan is not None


def test_a_failed_save_is_an_answer_and_the_session_goes_on(tmp_path):
    chat = ChatSession(offline=True)
    chat.answer("lowest power, classify images in 10ms")
    reply = chat.answer(f"/save {tmp_path / 'missing' / 'plan.json'}")
    assert reply.text.startswith("could not save") and not reply.done
    assert chat.plan is not None
    assert chat.answer(f"/save {tmp_path / 'plan.json'}").text.startswith("saved")


def test_a_later_message_wins_where_devices_clash():
    # "不要英伟达" then "换成 H100" kept both, and no configuration was possible
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 req/s")
    chat.answer("不要英伟达")
    turned = chat.answer("换成 H100")
    assert chat.intent.hardware.include == ["nvidia-h100"] and "nvidia" not in chat.intent.hardware.exclude
    assert turned.plan is not None and turned.plan.choice.device_id.startswith("nvidia-h100")
    chat.answer("no GPUs")
    assert chat.intent.hardware.include == [] and "gpu" in chat.intent.hardware.exclude
    # an exclusion that leaves some of the devices asked for stands
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 req/s on H100")
    chat.answer("not the H100 SXM")
    assert chat.intent.hardware.include == ["nvidia-h100"] and chat.intent.hardware.exclude


def test_a_follow_up_keeps_what_it_does_not_change():
    # "make it cheaper" dropped the devices owned (an owned A100 at $0.11/h became a rented one at $2.75/h),
    # the device cap and the preference
    chat = ChatSession(offline=True)
    chat.answer("I have 4 A100s, serve llama 3.1 8b at 10 req/s")
    owned = chat.plan.metrics.cost_usd_per_hour
    chat.answer("make it cheaper")
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-a100", 4)]
    assert chat.plan.metrics.cost_usd_per_hour <= owned
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b at 2 req/s on a single GPU, H100 preferred")
    chat.answer("make it cheaper")
    assert chat.intent.hardware.max_devices == 1 and chat.intent.hardware.preferred == ["nvidia-h100"]


@pytest.mark.parametrize("messages, check", [
    (["serve llama 3.1 8b for 50 concurrent users", "make it 200 concurrent users"],
     lambda i: i.workload.concurrency == 200),
    (["部署qwen2.5 7b，并发100", "并发改成500"], lambda i: i.workload.concurrency == 500),
    (["fine-tune llama 3.1 8b on 1 million records for 2 epochs", "make it 4 epochs"],
     lambda i: i.workload.epochs == 4 and i.workload.dataset_records == 1_000_000),
    (["serve qwen2.5 7b at 5 rps", "actually use a 70B model"],
     lambda i: i.workload.model is None and "llama-3.1-70b" in i.workload.models),
    (["serve llama 3.1 8b at 10 req/s, under $3 per hour", "actually I want to classify images at 500 req/s"],
     lambda i: i.task.value == "image-classification" and i.workload.model is None),
    (["serve llama 3.1 8b at 10 req/s", "on H100", "actually use A100 instead"],
     lambda i: i.hardware.include == ["nvidia-a100"]),
    (["fine-tune llama 3.1 8b on 1 million records for 2 epochs", "done within 12 hours", "budget $500"],
     lambda i: i.bound(Metric.JOB_COST, "<=") == 500 and i.bound(Metric.COST, "<=") is None),
    (["serve llama 3.1 8b for 100 concurrent users, TTFT under 500 ms", "make it 200 ms instead"],
     lambda i: i.bound(Metric.TTFT, "<=") == 200 and i.bound(Metric.LATENCY, "<=") is None),
    (["serve llama 3.1 8b at 10 req/s, latency under 5 s", "actually latency doesn't matter"],
     lambda i: i.bound(Metric.LATENCY, "<=") is None),
    (["serve llama 3.1 8b at 10 rps, under $3/h, HIPAA", "forget the budget", "no need for HIPAA"],
     lambda i: i.bound(Metric.COST, "<=") is None and not i.policies.compliance),
    # a training job turned into a service: its dataset, epochs and job bounds go, and no note keeps them
    (["fine-tune mistral 7b on 2M tokens for 3 epochs, done in 24 hours", "actually just serve it at 15 rps"],
     lambda i: i.workload.kind.value == "inference" and i.workload.dataset_tokens is None and i.workload.epochs is None
     and i.bound(Metric.JOB_TIME, "<=") is None and i.bound(Metric.THROUGHPUT, ">=") == 15
     and not any("dataset" in a or "epoch" in a for a in i.assumptions) and not i.warnings),
    (["fine-tune qwen2.5 7b on 100k records", "算了，还是部署推理，每秒 20 个请求"],
     lambda i: i.workload.kind.value == "inference" and i.workload.dataset_records is None),
    # a job keeps no note that it was read as inference
    (["fine-tune llama 3.1 8b on 1 million records for 2 epochs", "make it 4 epochs"],
     lambda i: not any(a.startswith("workload read as inference") for a in i.assumptions)),
    # regimes dropped in more words
    (["serve llama 3.1 8b at 10 rps, GDPR", "drop GDPR"], lambda i: not i.policies.compliance),
    (["serve llama 3.1 8b at 10 rps, SOC2", "remove the SOC2 requirement"], lambda i: not i.policies.compliance),
    (["serve llama 3.1 8b at 10 rps, GDPR", "GDPR no longer applies"], lambda i: not i.policies.compliance),
    (["serve llama 3.1 8b at 10 rps, GDPR", "去掉 GDPR"], lambda i: not i.policies.compliance),
    # a bare time after two time bounds is the last one stated (it was a new end-to-end latency bound)
    (["serve llama 3.1 8b at 30 rps with TTFT under 300 ms", "and TPOT under 50 ms", "make it 100 ms"],
     lambda i: i.bound(Metric.TPOT, "<=") == 100 and i.bound(Metric.TTFT, "<=") == 300
     and i.bound(Metric.LATENCY, "<=") is None and any("the last time bound" in a for a in i.assumptions)),
    # a model size alone is the current model at that size
    (["serve qwen2.5 7b at 5 rps", "改成 14b"], lambda i: i.workload.model == "qwen2.5-14b"),
    (["serve llama 3.1 8b at 5 rps", "use the 70b version"], lambda i: i.workload.model == "llama-3.1-70b"),
    # users, a scaled load and a device count against the request before
    (["serve llama 3.1 8b for 50 concurrent users", "make it 100 users"], lambda i: i.workload.concurrency == 100),
    (["serve llama 3.1 8b at 10 rps", "and double the traffic"], lambda i: i.bound(Metric.THROUGHPUT, ">=") == 20),
    (["serve llama 3.1 8b for 40 concurrent users", "流量翻倍"], lambda i: i.workload.concurrency == 80),
    (["I have 8 H100s, serve llama 3.1 70b at 5 rps", "we only have 4 of them"],
     lambda i: [(o.device, o.count) for o in i.hardware.owned] == [("nvidia-h100", 4)]),
    # a relaxed bound keeps the percentile the request wrote (its note said p95 and p99 both)
    (["serve llama 3.1 8b at 10 rps, p95 latency 3s", "latency can be 5 s"],
     lambda i: i.bound(Metric.LATENCY, "<=") == 5000
     and [a for a in i.assumptions if a.startswith("latency bounds")] == ["latency bounds read as p95 per request (as written)"]),
    # round two of the probe: a card chosen after a comparison, a count in Chinese, a loosened latency, a load that
    # grows, restated rates and lengths, a job's budget
    (["serve llama 3.1 8b at 10 rps on A100", "compare with H200", "ok go with H200 then"],
     lambda i: i.hardware.include == ["nvidia-h200-sxm-141gb"]),
    (["用昇腾910B部署qwen2.5 7b，并发20", "我们只有 8 张"],
     lambda i: [(o.device, o.count) for o in i.hardware.owned] == [("huawei-ascend-910b", 8)]
     and i.workload.dataset_records is None and not i.warnings),
    (["serve llama 3.1 8b at 10 rps, TTFT under 400ms", "latency can be 1s"],
     lambda i: i.bound(Metric.TTFT, "<=") == 1000 and i.bound(Metric.LATENCY, "<=") is None),
    # a what-if compares, and the answer takes what it compared
    (["serve llama 3.1 8b at 10 rps", "what if traffic triples?", "ok use that"],
     lambda i: i.bound(Metric.THROUGHPUT, ">=") == 30),
    (["serve llama 3.1 8b at 10 rps", "流量翻三倍怎么办？", "好的，就用它"],  # asked, offered, then taken
     lambda i: i.bound(Metric.THROUGHPUT, ">=") == 30),
    (["serve llama 3.1 8b at 10 rps", "QPS 改成 60"], lambda i: i.bound(Metric.THROUGHPUT, ">=") == 60),
    (["serve llama 3.1 8b for 100 concurrent users", "concurrency 提到 300"], lambda i: i.workload.concurrency == 300),
    (["serve llama 3.1 8b at 10 rps", "inputs will be more like 4k", "and outputs 500"],
     lambda i: (i.workload.prompt_tokens, i.workload.output_tokens) == (4000, 500)),
    (["fine-tune llama 3.1 8b on 100k records", "budget $300 total"], lambda i: i.bound(Metric.JOB_COST, "<=") == 300),
    # devices held that a vendor ruled out covers go with the devices asked for (nothing was planned)
    (["I have 2 A100s, serve llama 3.1 8b at 10 rps", "no NVIDIA"],
     lambda i: not i.hardware.owned and i.hardware.exclude == ["nvidia"]),
    # a bound lifted by name
    (["serve llama 3.1 8b at 10 rps, TTFT under 200 ms", "forget the ttft requirement"],
     lambda i: i.bound(Metric.TTFT, "<=") is None and i.bound(Metric.THROUGHPUT, ">=") == 10),
    (["serve llama 3.1 8b at 10 rps, TPOT under 30 ms", "no TPOT limit"], lambda i: i.bound(Metric.TPOT, "<=") is None),
    # a device ruled out and then allowed is neither ruled out nor asked for
    (["serve llama 3.1 8b at 10 rps, no TPUs", "TPUs are ok again"],
     lambda i: "tpu" not in i.hardware.exclude and not i.hardware.include),
    (["serve llama 3.1 8b at 10 rps, no NVIDIA", "actually allow nvidia again"],
     lambda i: not i.hardware.exclude and not i.hardware.include),
    # a budget set with no unit is in the request's own unit, period and currency (it was "no unit ... ignored")
    (["部署qwen2.5 32b，并发64，预算每月3万元", "预算放宽到5万"],
     lambda i: i.bound(Metric.COST, "<=") == pytest.approx(50_000 / 7.2734 / 730, rel=1e-3)),
    (["serve llama 3.1 8b at 20 rps, budget $3k a month", "raise the budget to 5k"],
     lambda i: i.bound(Metric.COST, "<=") == pytest.approx(5000 / 730)),
    # a factor alone, or a peak, scales the load
    (["serve llama 3.1 8b for 50 concurrent users", "make it 2x"], lambda i: i.workload.concurrency == 100),
    (["serve llama 3.1 8b at 10 rps", "x2"], lambda i: i.bound(Metric.THROUGHPUT, ">=") == 20),
    (["serve llama 3.1 8b for 50 concurrent users", "plan for 3x peak"], lambda i: i.workload.concurrency == 150),
    (["serve llama 3.1 8b for 50 concurrent users", "half the users"], lambda i: i.workload.concurrency == 25),
    # a count of the very devices held is the count held (it had become a cap of 8 beside the 4 held)
    (["全参微调llama3 8b，10万条数据，3个epoch，用4张A100", "用8张A100"],
     lambda i: [(o.device, o.count) for o in i.hardware.owned] == [("nvidia-a100", 8)] and i.hardware.max_devices is None),
    # a language added later joins the ones the request named
    (["transcribe english calls, 20 concurrent streams", "it needs to handle mandarin too"],
     lambda i: set(i.workload.content_languages) >= {"en", "zh"}),
])
def test_a_follow_up_changes_what_it_says_in_the_request_s_terms(messages, check):
    # each was "no change" or "I could not read that as a change", or read out of the request's context
    chat = ChatSession(offline=True)
    for message in messages:
        reply = chat.answer(message)
        assert "could not read" not in reply.text and "没能" not in reply.text, message
    assert check(chat.intent), chat.intent.model_dump(exclude_defaults=True)


def test_undo_back_to_a_change_no_plan_meets_says_so():
    # after two failed turns, /undo said "back to: <the last plan>" while the first failed bound was still asked for
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 100 concurrent users, TTFT under 500 ms")
    chat.answer("latency under 200 ms")
    chat.answer("TPOT 2 ms")
    first = chat.answer("/undo").text
    assert first.startswith('undone; back to the request after "latency under 200 ms", which no plan meets yet')
    assert chat.answer("/undo").text.startswith("undone; back to: plan:")
    assert chat.intent.bound(Metric.LATENCY, "<=") is None


def test_a_message_the_parser_reads_but_cannot_use_says_why():
    # "€200 an hour" answered only "I could not read that as a change"
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    reply = chat.answer("budget €200 an hour").text
    assert "€200" in reply and "US dollars" in reply and chat.intent.bound(Metric.COST, "<=") is None
    # yuan are converted at the published rate the plan names
    chat.answer("预算每小时 ¥200 以内")
    assert chat.intent.bound(Metric.COST, "<=") == pytest.approx(200 / 7.2734)


def test_what_if_questions_compare_and_change_nothing():
    # "what about on T4s?" and "what if we had 8 L4s?" changed the request to those devices, and nothing met it
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 req/s")
    before = chat.intent
    assert chat.answer("what about on T4s?").text.startswith("nvidia-t4:")
    counted = chat.answer("what if we had 8 L4s?").text
    assert counted.startswith("8 x nvidia-l4:")
    planned = int(re.search(r"on (\d+) x nvidia-l4", counted).group(1))
    assert planned <= 8
    assert chat.intent == before


def test_why_not_a_cheaper_device_says_it_counts_as_a_tie():
    # "why not H100?" said 80 H100s were cheaper, as if the cost-minimising plan had missed them
    chat = ChatSession(offline=True)
    chat.answer("deploy llama 3.1 70b for 300 concurrent users, p95 latency under 2s")
    answer = chat.answer("why not H100?").text
    cheaper = re.findall(r"\$([\d,.]+)/h", answer)
    assert len(cheaper) >= 2 and float(cheaper[0].replace(",", "")) < float(cheaper[1].replace(",", ""))
    assert "count as a tie" in answer and "within" in answer


def test_questions_about_the_plan_answer_and_change_nothing():
    # "how many GPUs is that?" restricted the plan to GPUs; "compare with H200" added H200; "what about int4?" asked
    # for a device called 'int4'; "显存够吗？" and "what's that per month?" were not understood
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b at 2 req/s")
    before, plan = chat.intent, chat.plan
    devices = plan.choice.replicas * plan.choice.devices_per_replica
    assert chat.answer("how many GPUs is that?").text.startswith(f"{devices} x {plan.choice.device_id} in all")
    assert "of device memory used on each" in chat.answer("is the memory enough?").text
    assert "显存" in chat.answer("显存够吗？").text
    month = chat.answer("what's that per month?").text
    assert f"{plan.metrics.cost_usd_per_hour * 730:,.2f}" in month.replace("$", "")
    assert chat.answer("compare with H200").text.startswith("nvidia-h200")
    assert chat.answer("what about int4?").text.startswith("int4:")
    assert chat.intent == before and chat.plan is plan


def test_what_if_we_had_more_of_the_devices_owned_plans_on_that_many():
    chat = ChatSession(offline=True)
    chat.answer("I have 2 A100s, serve llama 3.1 8b at 10 rps")
    assert chat.answer("what if we had 4?").text.startswith("4 x nvidia-a100")
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-a100", 2)]


def test_the_one_line_summary_speaks_in_the_plan_s_terms():
    # an LLM's summary said 'latency 9,588.7 ms' (a whole reply), a job's its step time and hourly rate
    chat = ChatSession(offline=True)
    served = chat.answer("serve llama 3.1 8b at 10 rps").text.splitlines()[0]
    assert "time to first token" in served and "time per output token" in served and " latency " not in served
    chat = ChatSession(offline=True)
    job = chat.answer("fine-tune llama 3.1 8b on 1 million records for 2 epochs").text.splitlines()[0]
    assert re.search(r"job time [\d.]+ h · job cost \$[\d,.]+", job), job


def test_a_bound_lifted_by_name_takes_its_default_with_it():
    # "drop the TPOT requirement" removed TPOT <= 25 ms, and the default TPOT <= 40 ms came back unsaid
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps, TPOT under 25 ms")
    chat.answer("drop the TPOT requirement")
    assert not any(check.constraint.metric == Metric.TPOT for check in chat.plan.constraints)
    assert any(check.constraint.metric == Metric.TTFT for check in chat.plan.constraints)  # the other default stays
    assert "no default TPOT bound: the request lifts it" in chat.plan.assumptions


def test_a_job_is_compared_whole_and_a_counted_device_is_suggested_as_a_cap():
    # "what if we use 8 H100?" on a job compared hourly rates ($55/h against $77/h), and its 'use 8 x nvidia-h100'
    # suggestion read as 8 H100s held, priced at $2.4/h
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3.1 8b on 1 million records for 2 epochs")
    answer = chat.answer("what if we use 8 H100?").text
    assert "job cost" in answer and "/h" not in answer
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    counted = chat.answer("what if we had 8 L4s?").text
    assert "use 8 x" not in counted


def test_round_three_of_the_chat_probe():
    # questions after a change no plan meets changed the request ("why not H100?" ruled the H100 out)
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    chat.answer("latency under 1 ms")
    assert chat.answer("why not H100?").text.startswith("(the request as it stands, which no plan met")
    assert "nvidia-h100" not in chat.intent.hardware.exclude
    # acting on an answer: "ok use that" takes the configuration the last question compared
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    assert chat.answer("ok use that").text.startswith("Nothing new was offered, so the plan stays as it is")
    chat.answer("what about on L40S?")
    chat.answer("ok, use that")
    assert chat.intent.hardware.include == ["nvidia-l40s"] and chat.plan.choice.device_id == "nvidia-l40s"
    # devices picked are rented, not held (they were planned on-prem at the price of their power)
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 100 concurrent users")
    chat.answer("ok two H100s then")
    assert not chat.intent.hardware.owned and chat.intent.hardware.max_devices == 2
    # a why-not plan that meets the request only without its default service level does not meet it
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 100 concurrent users")
    assert "cannot meet this request" in chat.answer("why not a single H100?").text
    # a watermark and differential privacy turned off in words, and epsilon changed in Chinese
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps, watermark outputs")
    chat.answer("actually drop the watermark")
    assert chat.intent.policies.watermark is False
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3.1 8b on 100k records with differential privacy epsilon 8")
    chat.answer("epsilon 改成 1")
    assert chat.intent.policies.differential_privacy.epsilon == 1
    chat.answer("去掉差分隐私")
    assert chat.intent.policies.differential_privacy is None
    # a job's time and cost answered, not its hourly rate
    assert chat.answer("how long will it take?").text.startswith("the job takes")
    # a CPU-only batch job with a time limit stays on-prem (it was refused in the cloud)
    chat = ChatSession(offline=True)
    chat.answer("embed 10M documents, CPU only")
    assert chat.answer("it has to finish within 12 hours").plan is not None
    # a first request refused is kept, so the next message refines it
    chat = ChatSession(offline=True)
    chat.answer("部署 glm-4 9b，数据不能出本地机房")
    chat.answer("换成 qwen2.5 7b")
    assert chat.plan is not None and chat.intent.deployment.value == "on-prem"


@pytest.mark.parametrize("question, start", [("首字延迟是多少？", "首字延迟："), ("每月多少钱？", "每月 $")])
def test_chinese_questions_about_figures_are_answered(question, start):
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发100")
    assert chat.answer(question).text.startswith(start)


def test_a_precision_asked_about_is_no_device():
    # "why not use fp8?" and "what about int8?" were answered about the Hailo-8
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps on A100")
    for question, head in (("why not use fp8?", "fp8"), ("what about int8?", "int8:")):
        answer = chat.answer(question).text
        assert answer.startswith(head) and "hailo" not in answer.lower(), answer


def test_yes_or_no_questions_are_answered_from_the_plan_and_change_nothing():
    # "is the watermark still on?" turned watermarking back on; "does it use fp8?" required fp8
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 30 concurrent users with watermarking")
    chat.answer("turn off watermarking")
    before = chat.intent
    assert "no policy is applied" in chat.answer("is the watermark still on?").text
    assert f"precision: {chat.plan.choice.precision}" in chat.answer("does it use fp8?").text
    assert chat.plan.choice.device_name in chat.answer("are we on NVIDIA?").text
    bounds = chat.answer("is the TPOT bound met?").text
    assert "tpot <= 40 ms" in bounds and ", met" in bounds
    assert "of device memory used" in chat.answer("is memory enough?").text
    assert "/Mtok" in chat.answer("what's the cost per million tokens?").text
    assert "显存" in chat.answer("显存够不够？").text
    assert chat.intent == before  # none of them changed the request


def test_can_it_questions_compare_and_an_answer_takes_the_offer():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 30 concurrent users")
    before = chat.intent
    compared = chat.answer("can it run on 2 L40S instead?").text
    assert "nvidia-l40s" in compared and chat.intent == before  # compared, not applied
    assert chat.answer("ok use that").plan.choice.device_id == "nvidia-l40s"
    zh = ChatSession(offline=True)
    zh.answer("部署 llama 3.1 8b，30 并发")
    kept = zh.intent
    zh.answer("精度可以用 fp16 吗？")
    assert zh.intent == kept and zh.intent.precisions == []
    assert zh.answer("好，就用它").plan.choice.precision == "fp16"


def test_per_token_delay_in_chinese_and_a_time_after_a_named_ttft():
    chat = ChatSession(offline=True)
    chat.answer("qwen2.5 7b 聊天，50并发，首token 500ms 以内，每字延迟 30ms 以内")
    assert {(c.metric, c.value) for c in chat.intent.constraints} == {(Metric.TTFT, 500.0), (Metric.TPOT, 30.0)}
    chat.answer("每字延迟放宽到 80ms")  # had added a TTFT of 80 ms
    assert {(c.metric, c.value) for c in chat.intent.constraints} == {(Metric.TTFT, 500.0), (Metric.TPOT, 80.0)}
    chat.answer("actually TTFT doesn't matter that much, 5s is fine")  # had added an end-to-end bound of 5 s
    assert {(c.metric, c.value) for c in chat.intent.constraints} == {(Metric.TTFT, 5000.0), (Metric.TPOT, 80.0)}


def test_follow_ups_that_lift_swap_or_add_to_what_the_request_allows():
    edge = ChatSession(offline=True)
    edge.answer("run yolov8n on a jetson at the edge, 30 fps, no AMD")
    edge.answer("ok drop the jetson requirement, any edge board is fine")  # the Jetsons had stayed required
    assert edge.intent.hardware.include == []
    edge.answer("swap the no-AMD rule for no-NVIDIA")  # AMD had stayed ruled out beside NVIDIA
    assert edge.intent.hardware.exclude == ["nvidia"]
    both = ChatSession(offline=True)
    both.answer("serve qwen2.5 7b on-prem for 20 concurrent users")
    both.answer("allow cloud too")  # had become cloud only
    assert both.intent.deployment is None
    users = ChatSession(offline=True)
    users.answer("serve qwen2.5 7b for 300 concurrent users")
    users.answer("set concurrency back to 100 and make it as fast as possible")  # the 100 had been dropped
    assert users.intent.workload.concurrency == 100 and users.intent.objective.metric == Metric.LATENCY


def test_a_full_fine_tune_instead_of_lora():
    from intent.agent import training_method

    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3 8b with LoRA on 50k examples, 2 epochs")
    assert training_method(chat.intent) == "lora"
    changed = chat.answer("make it a full fine-tune instead of LoRA")  # had been "no change"
    assert training_method(chat.intent) == "full" and "changed" in changed.text
    chat.answer("ok go back to lora")
    assert training_method(chat.intent) == "lora"


def test_more_devices_add_to_those_held():
    chat = ChatSession(offline=True)
    chat.answer("we have 2 L40S on-prem, serve qwen2.5 32b for 40 concurrent users")
    chat.answer("add 2 more L40S")  # had become a cap of 4, with 2 still held
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-l40s", 4)]
    held = chat.intent
    asked = chat.answer("如果再加 4 张 L40S 呢？")  # a question compares; it had become a cap of 4
    assert chat.intent == held and "再加 4 张 l40s" in asked.text
    chat.answer("ok use that")
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-l40s", 8)]


def test_a_batch_jobs_hours_and_total_are_answered():
    # "how long will it take?" had been answered with why, and "the whole job cost" with the hourly rate;
    # "why" had said "minimize job cost: unknown" and given the runner-up's hourly rate as its job cost
    chat = ChatSession(offline=True)
    first = chat.answer("summarize 5 million prompts with llama 3.1 8b, 500 tokens in 100 out, done within 2 days, "
                        "cheapest")
    assert "job time" in first.text and "job cost" in first.text
    why = chat.answer("why this one?").text
    assert "job cost: unknown" not in why and "minimize job cost: $" in why
    runner_up = re.search(r"next best: .*?, job cost \$([\d,.]+) \(job_cost \$([\d,.]+) is higher", why, re.S)
    assert runner_up and runner_up.group(1) == runner_up.group(2)
    assert chat.answer("how long will it take?").text.startswith("the job takes ")
    assert "in all" in chat.answer("how much will the whole job cost?").text


@pytest.mark.parametrize("messages, expected", [
    # each had been refused as "relative to the current setup", or read as a new objective
    (["serve llama 3.1 8b for 20 concurrent users, budget $40/h", "cut the budget by 50% and allow 60 ms per token"],
     {Metric.COST: 20.0, Metric.TPOT: 60.0}),
    (["fine-tune llama 3 8b on 50k examples, 2 epochs, within 72 hours, budget $500",
      "halve the budget and double the deadline"], {Metric.JOB_COST: 250.0, Metric.JOB_TIME: 144.0}),
    (["yolov8n on a jetson orin, 30 fps", "帧率提高 50%"], {Metric.THROUGHPUT: 45.0}),
    (["bert 分类，延迟 50ms 以内，QPS 100", "延迟要求收紧 20%"], {Metric.THROUGHPUT: 100.0, Metric.LATENCY: 40.0}),
    (["LoRA微调 llama 3 8b，五万条样本，2个epoch，预算2000美元", "预算减半"], {Metric.JOB_COST: 1000.0}),
])
def test_relative_changes_scale_the_bound_they_name(messages, expected):
    chat = ChatSession(offline=True)
    for message in messages:
        chat.answer(message)
    assert {c.metric: pytest.approx(c.value) for c in chat.intent.constraints} == expected
    assert chat.intent.objective is None  # no objective was made up of "faster" or "cheaper"


def test_a_speed_up_with_no_bound_scales_the_plans_own_figure():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 20 concurrent users")
    before = chat.plan.metrics.tpot_ms
    chat.answer("make it 3 times faster")
    assert [(c.metric, c.value) for c in chat.intent.constraints] == [(Metric.TPOT, pytest.approx(before / 3))]
    assert chat.plan is None or chat.plan.metrics.tpot_ms <= before / 3 + 1e-6


def test_how_much_questions_in_chinese_change_nothing():
    chat = ChatSession(offline=True)
    chat.answer("部署 qwen2.5 7b，32并发")
    before = chat.intent
    assert "同时可处理 32 个序列" in chat.answer("能支持多少并发?").text  # it had maximised throughput
    assert chat.answer("成本多少?").text.startswith("成本：")
    assert chat.intent == before
    job = ChatSession(offline=True)
    job.answer("LoRA微调 llama 3 8b，五万条样本，2个epoch")
    kept = job.intent
    assert job.answer("要训练多久?").text.startswith("任务在")  # it had turned the fine-tune into training
    assert job.intent == kept


def test_a_what_if_that_lifts_a_bound_compares():
    # "what if we drop the first-token target?" had dropped it
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 50 concurrent users, TTFT under 300 ms")
    before = chat.intent
    chat.answer("what if we drop the first-token target?")
    assert chat.intent == before
    chat.answer("ok use that")
    assert chat.intent.bound(Metric.TTFT, "<=") is None


def test_third_probe_follow_ups():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 20 concurrent users")
    listed = chat.answer("/alternatives").text.splitlines()
    taken = chat.answer("take the second alternative")  # had not been understood
    assert taken.plan is not None and taken.plan.choice.device_id in listed[1]
    zh = ChatSession(offline=True)
    zh.answer("部署 llama 3.1 8b，20并发")
    assert zh.answer("显示备选方案").text.count("\n") >= 1
    assert zh.answer("选第一个备选").plan is not None
    anywhere = ChatSession(offline=True)
    anywhere.answer("部署 qwen2.5 7b，本地部署，20并发")
    anywhere.answer("取消本地部署的要求")  # had been "no change"
    assert anywhere.intent.deployment is None
    vendor = ChatSession(offline=True)
    vendor.answer("serve qwen2.5 7b on nvidia, 20 concurrent users")
    vendor.answer("any vendor is fine")  # had not been understood
    assert vendor.intent.hardware.include == []
    camera = ChatSession(offline=True)
    camera.answer("16路摄像头，每路25帧，yolov8n")
    camera.answer("摄像头增加到 32 路")  # had been "a number of sources is not a load"
    assert camera.intent.workload.sources == 32
    fps = ChatSession(offline=True)
    fps.answer("yolov8n on a jetson orin, 30 fps")
    fps.answer("bump the frame rate to 60")
    assert fps.intent.bound(Metric.THROUGHPUT, ">=") == 60
    asked = ChatSession(offline=True)
    asked.answer("serve llama 3.1 8b for 20 concurrent users with differential privacy epsilon 3")
    before = asked.intent
    assert "epsilon 3" in asked.answer("what's epsilon now?").text
    assert asked.answer("能用 L4 吗?").text.startswith(("l4", "nvidia-l4", "L4"))  # compared, not "why"
    assert asked.intent == before


@pytest.mark.parametrize("messages, metric, value", [
    # each correction had been refused ("a duration with no limit word", "no budget word near it") or misread
    (["serve llama 3.1 8b for 20 concurrent users, budget $200 per day", "no, I meant $200 per month"],
     Metric.COST, 200 / 730),
    (["部署 qwen2.5 7b，20并发，每月预算3000美元", "不对，我说的是每周 3000 美元"], Metric.COST, 3000 / 168),
    (["fine-tune llama 3 8b on 50k examples, 2 epochs, within 10 hours", "I meant 10 days, not 10 hours"],
     Metric.JOB_TIME, 240.0),
    (["fine-tune llama 3 8b on 50k examples, 2 epochs, within 10 days", "no, I meant 5 hours"], Metric.JOB_TIME, 5.0),
])
def test_a_correction_replaces_the_figure_it_corrects(messages, metric, value):
    chat = ChatSession(offline=True)
    for message in messages:
        chat.answer(message)
    assert [(c.metric, c.value) for c in chat.intent.constraints] == [(metric, pytest.approx(value))]


def test_devices_held_restated():
    chat = ChatSession(offline=True)
    chat.answer("we have A100s, serve qwen2.5 32b for 40 users at once")
    chat.answer("actually we have 8 of them")  # had not been understood
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-a100", 8)]


@pytest.mark.parametrize("message, kind, files", [
    ("export the k8s manifests to {dir}", "k8s", "*.yaml"),
    ("导出成Triton配置到 {dir}", "triton", "*/config.pbtxt"),
    ("export kserve {dir}", "kserve", "*.yaml"),
])
def test_an_export_in_words_writes_to_the_folder_it_names(tmp_path, monkeypatch, message, kind, files):
    monkeypatch.chdir(tmp_path)
    chat = ChatSession(offline=True)
    chat.answer("classify images in 10ms on an NVIDIA GPU, cheapest")
    folder = tmp_path / "deploy" / "here"
    reply = chat.answer(message.format(dir=folder))
    written = list(folder.glob(files))
    assert written and str(folder) in reply.text, reply.text
    assert not list(tmp_path.glob("*.yaml"))  # nothing in the folder the chat runs in
    if kind == "kserve":
        assert "InferenceService" in written[0].read_text(encoding="utf-8")


def test_rule_out_rules_out():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b, 20 concurrent users")
    chat.answer("rule out Google TPUs")
    assert chat.intent.hardware.exclude == ["google"] and chat.intent.hardware.include == []
    chat.answer("rule out AMD")
    assert chat.intent.hardware.exclude == ["google", "amd"] and chat.plan.choice.device_id.split("-")[0] != "amd"


def test_an_offer_taken_keeps_the_request_as_written():
    chat = ChatSession(offline=True)
    chat.answer("embed 50 million documents with bge-large within 8 hours")
    written = chat.intent.constraints
    chat.answer("what about on L4s?")
    chat.answer("ok use that")
    assert chat.plan.choice.device_id == "nvidia-l4"
    assert chat.intent.constraints == written and chat.intent.objective is None  # a deadline, not a derived rate
    chat.answer("actually the deadline can be 12 hours")
    assert [(c.metric.value, c.value) for c in chat.intent.constraints] == [("job_time", 12.0)]
    assert chat.plan.metrics.throughput_rps * 12 * 3600 >= 50e6 * 0.999


def test_epochs_changed_keep_a_fine_tuning_a_fine_tuning():
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama-3-8b with LoRA on 20k examples, 3 epochs")
    chat.answer("make it 2 epochs")
    assert chat.intent.workload.kind.value == "fine-tuning" and chat.intent.workload.epochs == 2
    assert not any("a training run" in a for a in chat.intent.assumptions)


@pytest.mark.parametrize("message", ["训练先不做了，直接拿它上线推理，每秒5个请求", "训练完要上线，每秒5个请求",
                                     "skip the training, just serve it at 5 req/s"])
def test_training_called_off_or_done_before_serving_turns_the_job_into_a_service(message):
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama-3-8b with LoRA on 20k examples, 3 epochs")
    chat.answer(message)
    assert chat.intent.workload.kind.value == "inference" and chat.intent.workload.dataset_records is None
    assert chat.plan.job is None and chat.plan.metrics.throughput_rps >= 5


@pytest.mark.parametrize("first, then, include, exclude", [
    ("serve qwen2.5 7b for 50 concurrent users, only AMD or Intel", "actually NVIDIA is fine again, just not H100",
     ["amd", "intel", "nvidia"], ["nvidia-h100"]),
    ("serve qwen2.5 7b for 50 concurrent users, only AMD", "还是换回英伟达吧", ["nvidia"], []),
    ("部署distilbert做情感分类，QPS 100，只用CPU", "好吧，GPU也可以", ["cpu", "gpu"], []),
])
def test_devices_allowed_again_or_switched_back(first, then, include, exclude):
    chat = ChatSession(offline=True)
    chat.answer(first)
    reply = chat.answer(then)
    assert chat.intent.hardware.include == include and chat.intent.hardware.exclude == exclude
    assert "not understood" not in reply.text


def test_chinese_multiples_and_halves_change_the_figure_they_name():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发50，首字延迟500毫秒，预算每小时5美元，每秒20个请求")
    chat.answer("延迟放宽到原来的两倍")  # the request bounds its first token only: that bound
    assert chat.intent.bound(Metric.TTFT, "<=") == 1000.0 and chat.intent.bound(Metric.LATENCY, "<=") is None
    chat.answer("预算再加一倍")
    assert chat.intent.bound(Metric.COST, "<=") == 10.0
    chat.answer("吞吐再翻一倍")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 40.0
    reached = chat.plan.metrics.ttft_ms
    chat.answer("cut TTFT in half")  # what the plan reaches, where it beats the bound (a halved bound it met changed nothing)
    assert chat.intent.bound(Metric.TTFT, "<=") == pytest.approx(min(reached, 2000.0) / 2)
    chat.answer("并发提高到原来的三倍")
    assert chat.intent.workload.concurrency == 150 and chat.intent.bound(Metric.THROUGHPUT, ">=") == 40.0
    chat.answer("用户数翻倍")
    assert chat.intent.workload.concurrency == 300


@pytest.mark.parametrize("message, metric", [("功耗的限制去掉吧", Metric.POWER), ("drop the latency requirement entirely",
                                                                           Metric.LATENCY)])
def test_a_bound_lifted_by_name_goes(message, metric):
    chat = ChatSession(offline=True)
    chat.answer("部署yolov8n做检测，30fps，功耗不超过15瓦，延迟50ms以内")
    chat.answer(message)
    assert all(c.metric != metric for c in chat.intent.constraints) and chat.intent.bound(Metric.THROUGHPUT, ">=") == 30


@pytest.fixture(scope="module")
def held_h100():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b at 20 rps, lowest latency, we already have 2 H100s")
    return chat


@pytest.mark.parametrize("question, said", [
    ("can it handle 2x the load?", "no: it serves"),
    ("能扛住两倍流量吗？", "不能：方案可处理"),
    ("could we save some money?", "the cheapest plan: "),
    ("能再省点钱吗？", "最便宜的方案："),
    ("如果只有1张H100呢？", "单张 nvidia-h100：最好的方案是"),
])
def test_questions_of_load_money_and_counts_compare_and_change_nothing(held_h100, question, said):
    before = held_h100.intent
    answer = held_h100.answer(question).text
    assert answer.startswith(said), answer
    assert held_h100.intent == before


def test_money_asked_about_is_weighed_on_cost_and_can_be_taken(held_h100):
    answer = held_h100.answer("could we save some money?").text
    assert " cost $" in answer and 'say "ok, use that"' in answer
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b at 20 rps, lowest latency, we already have 2 H100s")
    chat.answer("could we save some money?")
    chat.answer("ok use that")
    assert chat.intent.objective.metric == Metric.COST


def test_devices_restated_in_chinese_beside_a_job_are_devices_not_items():
    chat = ChatSession(offline=True)
    chat.answer("用bge-large-en-v1.5做向量化，5000万条文档，24小时内完成")
    chat.answer("我们已经有2张L40S")
    chat.answer("实际上我们有8张")
    assert chat.intent.workload.dataset_records == 50_000_000
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-l40s", 8)]


@pytest.mark.parametrize("question, devices", [
    ("L4 和 T4 比哪个更合适？", ("nvidia-l4：", "nvidia-t4：")),
    ("compare H100 with MI300X", ("nvidia-h100: ", "amd-instinct-mi300x: ")),
    ("比较一下 H100 和 MI300X", ("nvidia-h100：", "amd-instinct-mi300x：")),
])
def test_a_question_weighing_two_devices_answers_for_each_and_changes_nothing(question, devices):
    chat = ChatSession(offline=True)
    chat.answer("部署distilbert做情感分类，QPS 100，成本最低")
    before = chat.intent
    lines = chat.answer(question).text.splitlines()
    assert [line.startswith(d) for line, d in zip(lines, devices)] == [True, True], lines
    assert chat.intent == before


@pytest.fixture(scope="module")
def lora_job():
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama-3-8b with LoRA on 20k examples, 3 epochs")
    return chat


@pytest.mark.parametrize("question", ["总共要多少钱？", "what does the whole run cost?", "一个月多少钱？"])
def test_money_asked_of_a_job_is_its_total(lora_job, question):
    total = f"${lora_job.plan.job.cost_usd:,.2f}"
    answer = lora_job.answer(question).text
    assert total in answer and "/h" not in answer, answer


def test_why_a_job_is_weighed_on_its_total_and_says_it_lists_no_runner_ups(lora_job):
    answer = lora_job.answer("why this GPU?").text
    assert f"job cost: ${lora_job.plan.job.cost_usd:,.2f}" in answer
    assert "no other device meets every bound" not in answer and "without runner-ups" in answer


def test_a_month_of_an_unknown_price_says_so():
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 7b for 50 users at once on MI300X")
    answer = chat.answer("每月多少钱？").text
    assert "成本未知" in answer and "unknown" not in answer


def test_cameras_restated_or_added_change_the_sources():
    chat = ChatSession(offline=True)
    chat.answer("detect people with yolov8n on 8 camera streams at 30 fps each")
    chat.answer("actually 12 cameras")
    assert chat.intent.workload.sources == 12
    chat.answer("add 8 more streams")
    assert chat.intent.workload.sources == 20
    chat.answer("再加10路")
    assert chat.intent.workload.sources == 30 and chat.plan.metrics.throughput_rps >= 30 * 30


@pytest.mark.parametrize("message, steps", [("make it 50 steps", 50), ("改成30步", 30)])
def test_denoising_steps_restated(message, steps):
    chat = ChatSession(offline=True)
    chat.answer("generate images with sdxl, 2 images per second")
    chat.answer(message)
    assert chat.intent.workload.steps == steps


def test_a_batch_jobs_deadline_relaxed_and_compared_on_its_total():
    chat = ChatSession(offline=True)
    chat.answer("用bge-large-en-v1.5做向量化，5000万条文档，8小时内完成")
    assert "任务总成本 $" in chat.answer("如果用H100呢？").text  # the job's total, known on both
    chat.answer("时间放宽到12小时")
    assert chat.intent.bound(Metric.JOB_TIME, "<=") == 12.0


@pytest.mark.parametrize("word", ["fine, go with that", "好", "好的", "sounds good, do it"])
def test_short_yeses_take_the_offer(word):
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b at 20 rps, lowest latency, we already have 2 H100s")
    kept = chat.answer(word).text  # nothing offered yet: the plan stays, and says so
    assert kept.startswith(("Nothing new was offered, so the plan stays as it is", "没有新的方案可以采用")), kept
    chat.answer("could we save some money?")
    chat.answer(word)
    assert chat.intent.objective.metric == Metric.COST


def test_a_runner_up_against_a_plan_of_unknown_cost_is_not_said_to_lose():
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 7b for 50 users at once on MI300X")
    answer = chat.answer("why not RTX 4090?").text
    assert "the current plan's cost is unknown" in answer and "loses" not in answer


def test_devices_held_by_a_fine_tuning_are_counted_and_asked_about_as_held():
    chat = ChatSession(offline=True)
    chat.answer("用LoRA微调qwen2.5 7b，5万条数据，2个epoch")
    chat.answer("我们有4张L40S")
    chat.answer("实际上我们有8张")
    assert chat.intent.workload.dataset_records == 50_000 and chat.intent.hardware.owned[0].count == 8
    for question in ("what if we had 16?", "what if we had 16 L40S?"):
        answer = chat.answer(question).text
        assert "on 16 x nvidia-l40s" in answer and "It takes " in answer, answer
    chat.answer("训练3个epoch")
    assert chat.intent.workload.kind.value == "fine-tuning" and chat.intent.workload.epochs == 3


@pytest.mark.parametrize("first, then", [("部署qwen2.5 7b，并发20，私有化部署", "其实上云也行"),
                                         ("serve qwen2.5 7b, 20 concurrent, on-prem", "allow cloud after all"),
                                         ("部署qwen2.5 7b，并发20，只能本地部署", "可以上云"),
                                         ("部署qwen2.5 7b，并发20，只能上云", "本地也可以")])
def test_another_place_allowed_lifts_the_place(first, then):
    chat = ChatSession(offline=True)
    chat.answer(first)
    chat.answer(then)
    assert chat.intent.deployment is None


def test_loads_raised_at_peak_and_datasets_doubled():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，每秒20个请求")
    chat.answer("QPS涨到60")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 60.0
    chat.answer("高峰是平时的3倍")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 180.0
    job = ChatSession(offline=True)
    job.answer("用bge-m3做向量化，500万条文档，8小时内")
    job.answer("数据量翻倍")
    assert job.intent.workload.dataset_records == 10_000_000


def test_faster_scales_what_the_plan_reaches_and_a_budget_it_never_had():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b for 20 concurrent users, TTFT under 800 ms")
    reached = chat.plan.metrics.ttft_ms
    assert reached < 800
    chat.answer("延迟再降30%")
    assert chat.intent.bound(Metric.TTFT, "<=") == pytest.approx(reached * 0.7)
    cost = chat.plan.metrics.cost_usd_per_hour
    chat.answer("budget +50%")
    assert chat.intent.bound(Metric.COST, "<=") == pytest.approx(cost * 1.5)


def test_load_and_count_questions_and_filler_before_commands():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，每秒20个请求")
    before = chat.intent
    assert chat.answer("能扛住吗").text.startswith("能：方案可处理")
    assert chat.answer("can it handle the load?").text.startswith("yes: it serves")
    assert "on-prem only: the best plan there is" in chat.answer("what about on-prem only?").text
    assert chat.answer("如果只有2张卡呢？").text.startswith("2 x ")
    lines = chat.answer("which is cheaper, L4 or T4?").text.splitlines()
    assert lines[0].startswith("nvidia-l4: ") and lines[1].startswith("nvidia-t4: ")
    assert chat.intent == before
    chat.answer("no NVIDIA")
    assert chat.answer("no wait, undo that").text.startswith("undone")
    assert chat.intent == before


def test_a_count_corrected_in_short():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b at 20 rps, we own 2 A10G")
    chat.answer("actually 6 of them")
    assert chat.intent.hardware.owned[0].count == 6
    chat.answer("make that 4")
    assert chat.intent.hardware.owned[0].count == 4


def test_a_request_never_planned_says_why_and_questions_say_there_is_no_plan_yet():
    chat = ChatSession(offline=True)
    first = chat.answer("rerank service with bge-reranker-base, 50 QPS").text
    assert "'bge-reranker-base': not in the model catalog" in first and first.endswith(ASK_TASK)
    assert chat.answer("what's the monthly bill?").text.startswith("There is no plan yet: the request could not be planned")
    assert "the last change found none" not in chat.answer("/alternatives").text


def test_more_devices_for_a_job_and_a_corrected_count_and_a_halved_deadline():
    chat = ChatSession(offline=True)
    chat.answer("我们想用QLoRA微调llama 3.1 70b，5万条样本，3个epoch，手上有8张A800")
    hours = chat.plan.job.hours
    answer = chat.answer("如果多给8张呢").text
    assert "on 16 x nvidia-a800-sxm-80gb" in answer and "与现在相同；任务时长" in answer and "说“好的，就用它”" in answer
    chat.answer("好的")
    assert chat.intent.hardware.owned[0].count == 16 and chat.intent.workload.dataset_records == 50_000
    assert chat.plan.job.hours < hours
    held = ChatSession(offline=True)
    held.answer("我们机房有8张A100 80G，部署llama 3 70b，并发50")
    held.answer("实际上是16张")
    assert held.intent.hardware.owned[0].count == 16 and held.intent.workload.dataset_records is None
    job = ChatSession(offline=True)
    job.answer("全参微调qwen2.5 14b，30万条样本，2个epoch，3天内完成，预算3000美元")
    job.answer("截止时间缩短一半")
    assert job.intent.bound(Metric.JOB_TIME, "<=") == 36.0


def test_load_questions_with_figures_and_a_preferred_vendor_replaced():
    asr = ChatSession(offline=True)
    asr.answer("语音转写服务，whisper large v3，50路并发")
    assert asr.answer("能扛住吗？").text.startswith("能：")  # 50 live streams are 1.67 windows a second
    llm = ChatSession(offline=True)
    llm.answer("serve llama 3 8b at 200 rps")
    assert llm.answer("can it handle 1000 qps?").text.startswith("1000 qps: the plan there is")
    chat = ChatSession(offline=True)
    for message in ("部署deepseek r1 distill qwen 32b，并发20", "不能用公有云，只能本地部署", "国产卡优先"):
        chat.answer(message)
    assert "on 1 x nvidia-h20-sxm-96gb" in chat.answer("为什么不用H20？").text
    chat.answer("换H20")
    assert chat.plan.choice.device_id == "nvidia-h20-sxm-96gb"


def test_figure_questions_answered_from_the_plan():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发50，首字延迟500毫秒")
    before = chat.intent
    assert chat.answer("用了几张卡？").text.startswith("一共 1 x")
    assert chat.answer("is TTFT still met?").text.startswith("ttft <= 500 ms: predicted")
    assert " a month (" in chat.answer("and per month?").text
    assert "for each of the 50 users at once" in chat.answer("what's the cost per user per month?").text
    assert " a day (" in chat.answer("what's the cost per day?").text
    assert chat.answer("每秒能处理多少请求").text.startswith("吞吐量：")
    assert chat.intent == before


def test_cameras_and_streams_restated_in_short():
    chat = ChatSession(offline=True)
    chat.answer("detect people with yolov8n on 8 camera streams at 30 fps each")
    chat.answer("实际上是12路")
    assert chat.intent.workload.sources == 12
    chat.answer("twice the cameras")
    assert chat.intent.workload.sources == 24
    asr = ChatSession(offline=True)
    asr.answer("语音转写，whisper large v3，200路并发")
    asr.answer("其实峰值有300路")
    assert asr.intent.workload.concurrency == 300


def test_questions_about_the_device_and_model_change_nothing():
    """"what gpu is it using?" had ruled out every device but GPUs (a TPU plan moved to an L40S)."""
    chat = ChatSession(offline=True)
    chat.answer("serve mistral 7b for 80 concurrent users, ttft under 500 ms")
    before, device = chat.intent, chat.plan.choice.device_name
    assert chat.answer("what gpu is it using?").text.startswith(f"1 x {device}")
    assert chat.answer("现在用的是什么卡？").text.startswith(f"1 x {device}")
    assert chat.answer("what model are you using?").text.startswith(f"model: {chat.plan.choice.model_id}")
    assert chat.answer("用的是什么模型？").text.startswith("模型：")
    assert chat.answer("whats the cost per month").text.count("\n") == 0  # the month, not the hour too
    assert chat.intent == before


def test_courtesies_and_other_subjects_are_not_read_as_changes_or_as_why():
    chat = ChatSession(offline=True)
    chat.answer("serve mistral 7b for 80 concurrent users, ttft under 500 ms")
    plan = chat.plan
    assert chat.answer("what's the weather in Paris?").text.startswith("I can answer questions about the plan")
    assert chat.answer("explain that").text.startswith(f"{plan.choice.model_id} on ")
    assert chat.answer("thanks!").text.startswith("You're welcome")
    assert chat.answer("谢谢").text.startswith("不客气")
    assert "the plan stays as it is" in chat.answer("ok").text  # nothing offered: the plan is kept
    assert chat.plan is plan


def test_relaxing_latency_that_is_read_as_ttft_is_not_called_a_tightening():
    chat = ChatSession(offline=True)
    chat.answer("serve mistral 7b for 80 concurrent users, ttft under 500 ms")
    reply = chat.answer("latency can be relaxed to 1s")
    assert "tightens" not in reply.text and chat.intent.bound(Metric.TTFT, "<=") == 1000
    assert "收紧" in chat.answer("延迟放宽到300毫秒").text  # a real tightening is still said


def test_devices_also_held_that_cannot_serve_leave_the_plan_as_it_was():
    """"we also have 2 T4s" for a 70B model had replaced every device with the T4s: no plan."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 20 concurrent users, ttft under 1s")
    plan, intent = chat.plan, chat.intent
    reply = chat.answer("we also have 2 T4s")
    assert reply.text.startswith("The 2 x nvidia-t4 you also have cannot serve this request on their own")
    assert "model does not fit" in reply.text and "we only have 2 x nvidia-t4" in reply.text
    assert chat.plan is plan and chat.intent == intent


def test_chinese_phrasings_of_alternatives_and_taking_an_offer():
    chat = ChatSession(offline=True)
    chat.answer("部署gemma 2 9b，150并发，首字延迟1秒以内")
    assert not chat.answer("有哪些备选方案？").text.startswith("我没能")
    offered = chat.answer("如果流量翻倍呢？").text
    assert "300" in offered or "翻倍" in offered
    chat.answer("好的就用这个")
    assert chat.intent.workload.concurrency == 300


def test_an_objective_made_worse_by_the_default_level_coming_back_says_so():
    """"use the lowest power option" went from a 64 W plan to a 301 W one with no word: the
    default TPOT level, out of reach within the budget before, held again under the new objective."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 7b for 100 concurrent users, ttft under 400ms, budget $0.6/hour")
    before = chat.plan.metrics.power_w
    reply = chat.answer("use the lowest power option").text
    assert chat.plan.metrics.power_w > before
    assert "the plan before missed the default service level (tpot <= 40 ms)" in reply
    chat.answer("tpot under 100 ms")  # the trade the note offers
    assert chat.plan.metrics.power_w <= before


def test_headroom_counts_every_source():
    """"能撑住峰值吗？" of 32 cameras at 30 fps each compared the plan with one camera's 30 fps."""
    chat = ChatSession(offline=True)
    chat.answer("32路摄像头做目标检测，每路30帧，延迟50毫秒以内")
    assert "需求是 960.0 rps" in chat.answer("能撑住峰值吗？").text


def test_export_writes_the_format_asked_for_or_names_the_formats(tmp_path, monkeypatch):
    """"export json" and "export helm" had both written Kubernetes YAML."""
    monkeypatch.chdir(tmp_path)
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b chatbot, 20 concurrent users, on an NVIDIA GPU")
    reply = chat.answer("export json").text
    written = list(tmp_path.glob("*.plan.json"))
    assert len(written) == 1 and written[0].name in reply
    assert json.loads(written[0].read_text())["choice"]["device_id"] == chat.plan.choice.device_id
    assert chat.answer("export helm").text.startswith("unknown export format 'helm'")
    assert not list(tmp_path.glob("*.yaml"))


def test_more_ways_of_saying_relative_changes_offers_and_lifts():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 concurrent users, ttft under 300ms")
    chat.answer("what if traffic doubles?")
    chat.answer("hmm")  # a message not read leaves the offer standing
    chat.answer("ok go with that")
    assert chat.intent.workload.concurrency == 100
    before = chat.intent
    assert "it triples:" in chat.answer("and if it triples?").text and chat.intent == before  # asked, not applied
    assert "如果是三倍呢？：" in chat.answer("如果是三倍呢？").text and chat.intent == before
    chat.answer("流量涨到三倍")
    assert chat.intent.workload.concurrency == 300
    zh = ChatSession(offline=True)
    zh.answer("部署qwen2.5 7b，200并发，首字延迟500毫秒以内，预算每小时10美元")
    zh.answer("太贵了")
    assert zh.intent.objective.metric == Metric.COST
    zh.answer("预算砍半")
    assert zh.intent.bound(Metric.COST, "<=") == 5.0
    zh.answer("去掉预算限制")
    assert zh.intent.bound(Metric.COST, "<=") is None


def test_an_unpriced_device_is_not_said_to_meet_a_budget_and_a_bare_why_not_asks_why():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b, ttft under 500ms, budget under $5/h")
    single = chat.answer("why not a single H100?").text
    assert "its price is not published" in single and "the budget (cost <= 5 USD/h) cannot be checked" in single
    assert chat.answer("why not?").text.startswith(f"{chat.plan.choice.model_id} on ")


def test_more_work_asked_about_is_shown_beside_the_plan_without_a_verdict():
    """"what if it's 100 million documents?" had been labelled "s 100 million documents" and said to
    "lose on job cost"; the doubled traffic of a service likewise "lost on cost"."""
    chat = ChatSession(offline=True)
    chat.answer("embed 50 million documents with bge-base within 24 hours")
    reply = chat.answer("what if it's 100 million documents?").text
    assert reply.startswith("100 million documents: the plan there is") and "loses" not in reply
    assert "8.60 h" in reply or " h and $" in reply
    service = ChatSession(offline=True)
    service.answer("serve llama 3.1 8b for 50 concurrent users, ttft under 300ms")
    doubled = service.answer("what if traffic doubles?").text
    assert doubled.startswith("traffic doubles: the plan there is") and "loses" not in doubled


def test_a_change_asked_as_a_question_is_offered_not_made():
    """"三天内完成呢？" had shortened the deadline at once; it is asked beside the plan, and taken with "好的"."""
    chat = ChatSession(offline=True)
    chat.answer("用LoRA微调qwen2.5 7b，10万条数据，一周内完成")
    before = chat.intent
    assert chat.answer("三天内完成呢？").text.startswith("三天内完成：") and chat.intent == before
    chat.answer("好的，就用它")
    assert chat.intent.bound(Metric.JOB_TIME, "<=") == 72


def test_a_bare_yes_takes_the_offer_and_no_word_list_holds_a_yaml_boolean():
    """"yes" had been loaded from the lexicon as the boolean True, so it never matched."""
    from intent.parser.lexicon import load_lexicon

    def words(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from words(value)
        elif isinstance(node, list):
            for value in node:
                yield from words(value) if isinstance(value, (dict, list)) else [value]
    assert not [w for w in words(load_lexicon()["chat"]) if isinstance(w, bool)]
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    chat.answer("what if traffic triples?")
    chat.answer("yes")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 30


def test_typos_fixed_with_a_bare_figure_and_times_asked_alone():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 concurrent users, ttft under 300ms")
    chat.answer("sorry, I meant 500 not 50")  # it had not been understood
    assert chat.intent.workload.concurrency == 500
    zh = ChatSession(offline=True)
    zh.answer("部署qwen2.5 7b，500并发，首字延迟800毫秒")
    zh.answer("打错了，是5000")
    assert zh.intent.workload.concurrency == 5000 and zh.intent.bound(Metric.TTFT, "<=") == 800
    job = ChatSession(offline=True)
    job.answer("用LoRA微调qwen2.5 7b，10万条数据，一周内完成")
    asked = job.answer("如果12小时呢？").text  # it had asked about a device called 小时
    assert asked.startswith("12小时内完成：") and job.intent.bound(Metric.JOB_TIME, "<=") == 168


def test_terse_figures_steps_sizes_and_manifests_asked_in_chat(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 concurrent users, ttft under 300ms, on an NVIDIA GPU")
    before = chat.intent
    assert chat.answer("ttft?").text.startswith("time to first token: ")  # "could not read that as a change"
    assert chat.answer("cost?").text.startswith("cost: $")
    assert chat.answer("how do I deploy this?").text.startswith("the plan's steps")
    assert chat.answer("what about carbon emissions?").text.startswith("I could not read that as a change: 'carbon")
    assert chat.intent == before
    chat.answer("给我k8s配置")  # it had not been understood
    assert list(tmp_path.glob("*.yaml"))
    chat.answer("改成70b吧")  # a size after a Chinese word had not been read
    assert chat.intent.workload.model == "llama-3.1-70b"


def test_a_jobs_cost_time_and_energy_are_answered_for_the_whole_job():
    """"how much will the training cost?" had been answered with the hourly rate, "总能耗多少？" with joules a step."""
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3.1 8b with LoRA on 200k records, 3 epochs, within 2 days")
    job = chat.plan.job
    assert chat.answer("how much will the training cost?").text.startswith("the job takes ")
    assert f"{job.energy_kwh:,.1f} kWh" in chat.answer("energy use of the whole run?").text
    assert chat.answer("多长时间完成？").text.startswith("任务在 ")
    assert chat.answer("需要多少天？").text.startswith("任务在 ")
    assert chat.answer("what's the cost per hour?").text.startswith("cost: $")


def test_the_accuracy_a_format_loses_is_answered():
    """It had been answered with the accuracy alone, or the current format's when another was named."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 users at once")
    assert chat.answer("量化到int4精度损失多少？").text.startswith("llama-3.1-8b 用 int4：67.65%，全精度为 69.40%，损失 1.75 个点")
    assert " points lost (" in chat.answer("how much accuracy do we lose?").text


def test_what_the_last_change_did_is_answered():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 users at once")
    assert chat.answer("what changed?").text.startswith("There is one plan so far")
    chat.answer("add a watermark and HIPAA")
    changed = chat.answer("what changed?").text  # it had not been understood
    assert "intent.policies.watermark: false -> true" in changed and "choice.device_id" not in changed
    assert chat.answer("有哪些变化？").text.startswith("变化：")


def test_the_cheapest_on_a_device_asked_for_says_what_the_device_costs():
    """"用最便宜的" and "能省点钱吗？" after "改成H100" kept the H100 at $6.88/h with no word of why."""
    chat = ChatSession(offline=True)
    for message in ("部署qwen2.5 7b，50并发", "改成H100"):
        chat.answer(message)
    assert "硬件选择（nvidia-h100）：去掉它" in chat.answer("用最便宜的").text
    assert "硬件选择（nvidia-h100）：去掉它" in chat.answer("能省点钱吗？").text


def test_history_names_a_json_answer():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 50 users at once")
    chat.answer("/json")
    assert "(the plan as JSON)" in chat.answer("/history").text  # it had recorded "{"


def test_electricity_budget_regimes_and_a_services_end_are_answered():
    """"how much is the electricity per day?" was answered with the cloud's hourly price x 24, "符合HIPAA吗？"
    with the latency checks, "is it under budget?" and "cost per month?" were not understood, and "how many
    hours will it take?" of a service was answered with its device count."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b chat for 50 concurrent users on our own L40S servers, budget $3 per hour")
    plan = chat.plan
    assert plan.choice.placement == "on-prem"
    kwh = plan.metrics.power_w / 1000 * 24 * 1.58
    assert chat.answer("how much is the electricity per day?").text.startswith(f"electricity a day: {kwh:,.4g} kWh")
    assert chat.answer("一天的电费多少？").text.startswith(f"电费（每天）：{kwh:,.4g} kWh")
    assert "HIPAA was not asked for" in chat.answer("is it HIPAA compliant?").text
    assert "not checked, since the plan's cost is unknown" in chat.answer("is it under budget?").text
    assert "no finish time" in chat.answer("how many hours will it take?").text
    assert chat.answer("cost per month?").text.startswith("the cost is unknown")
    assert chat.intent.hardware.include == ["nvidia-l40s"] and chat.plan is plan


def test_a_jobs_time_set_by_a_follow_up_and_concurrency_raised_in_chinese():
    """"make it 2 days" was refused as a duration with no limit word; "并发提到300" was dropped."""
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3.1 8b on 2 million tokens of instructions within 3 days")
    chat.answer("make it 2 days")
    assert chat.intent.bound(Metric.JOB_TIME, "<=") == 48
    chat.answer("改成一天吧")
    assert chat.intent.bound(Metric.JOB_TIME, "<=") == 24
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b聊天，并发100")
    chat.answer("换成H20，并发提到300")
    assert chat.intent.workload.concurrency == 300 and chat.plan.choice.device_id.startswith("nvidia-h20")
    assert chat.answer("为啥不用A100").text.startswith("nvidia-a100：")


def test_a_device_named_alone_replaces_the_one_asked_for_before():
    """"use L40S" then "use H100" had asked for both, and kept the L40S; "also allow" still adds."""
    chat = ChatSession(offline=True)
    for message in ("serve qwen2.5 14b chat for 80 concurrent users", "use L40S", "use H100"):
        chat.answer(message)
    assert chat.intent.hardware.include == ["nvidia-h100"] and chat.plan.choice.device_id.startswith("nvidia-h100")
    chat.answer("also allow A100")
    assert chat.intent.hardware.include == ["nvidia-h100", "nvidia-a100"]


def test_an_alternative_taken_by_its_place_and_token_cost_and_enough_questions():
    """"第二个方案" and "cost per million tokens?" were not understood, "what's the cost per token?" was
    answered with the time per output token, and "is it fast enough?" with the list of topics."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 14b chat for 80 concurrent users")
    before = chat.plan
    for question in ("what's the cost per token?", "cost per million tokens?", "每个token多少钱"):
        assert "/Mtok" in chat.answer(question).text, question
    assert chat.answer("is it fast enough?").text.startswith("ttft <= 450 ms: predicted")
    assert chat.plan is before
    second = chat.answer("有哪些备选方案").text.splitlines()[1].split(" on ")[1].split("：")[0]
    chat.answer("第二个方案")
    assert chat.plan.choice.device_id == second.split(" x ")[1]


def test_a_first_message_asked_as_a_question_is_planned_and_answered():
    """"how much would it cost to serve llama 3.1 70b for 100 users at once?" had been told there is no
    plan yet; a question that holds no request still is."""
    chat = ChatSession(offline=True)
    reply = chat.answer("how much would it cost to serve llama 3.1 70b for 100 users at once?")
    assert chat.plan is not None and chat.plan.choice.model_id == "llama-3.1-70b"
    assert f"cost: ${chat.plan.metrics.cost_usd_per_hour:,.3f}/h" in reply.text
    chinese = ChatSession(offline=True)
    answer = chinese.answer("部署qwen2.5 7b，100并发，每月要多少钱？").text
    assert chinese.plan is not None and "每月 $" in answer and "步骤" not in answer
    assert ChatSession(offline=True).answer("why is the sky blue?").text.startswith("There is no plan yet")


def test_a_change_by_an_amount_not_said_moves_the_figure_a_fifth():
    """"延迟再低一点", "latency a bit lower" and "功耗再低一点" were not understood; "make it faster" and "再快一点"
    made latency the objective, and the plan went from 2 A100 to 8 MI300X."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 72b, TTFT under 1 s, 20 concurrent users")
    ttft = chat.plan.metrics.ttft_ms
    chat.answer("延迟再低一点")
    assert chat.intent.bound(Metric.TTFT, "<=") == pytest.approx(0.8 * ttft, rel=1e-3)
    power = chat.plan.metrics.power_w
    chat.answer("功耗再低一点")
    assert chat.intent.bound(Metric.POWER, "<=") == pytest.approx(0.8 * power, rel=1e-3)
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 72b, TTFT under 1 s, 20 concurrent users")
    chat.answer("make it faster")
    assert chat.intent.objective is None and chat.intent.bound(Metric.TTFT, "<=") < 1000


def test_bounds_and_precisions_a_follow_up_lifts_or_adds_and_loads_it_cannot_scale():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 5000 tokens per second, under $0.50 per million tokens, int8 only")
    chat.answer("use H100 and drop the token cost limit and make it 300 concurrent users")
    assert chat.intent.bound(Metric.TOKEN_COST, "<=") is None and chat.intent.workload.concurrency == 300
    chat.answer("drop the throughput requirement")
    assert chat.intent.bound(Metric.TOKEN_THROUGHPUT, ">=") is None
    chat.answer("allow fp8 too")  # it had replaced int8
    assert [p.value for p in chat.intent.precisions] == ["int8", "fp8"]
    bare = ChatSession(offline=True)
    bare.answer("serve qwen2.5 14b, TTFT under 800ms")
    for question in ("what if traffic triples?", "can it handle 2x the load?"):  # "a device called 'traffic triples'"
        assert bare.answer(question).text.startswith("the request states no load"), question


def test_a_model_number_alone_is_the_device_and_a_consumer_part_says_why_it_was_left_out():
    """"why not 4090?" had compared 4,090 of the plan's own device; the cheaper RTX 4090 said nothing of
    why the plan had not taken it."""
    chat = ChatSession(offline=True)
    chat.answer("部署 qwen2.5 7b 聊天服务，100并发")
    answer = chat.answer("why not 4090?").text
    assert answer.startswith("nvidia-geforce-rtx-4090 is a consumer part whose licence allows no datacenter")
    assert chat.answer("为什么不用4090？").text.startswith("nvidia-geforce-rtx-4090 是消费级产品")


def test_terse_and_lead_in_questions_and_a_correction_beside_two_figures():
    """"month?", "what's the utilization?", "利用率多少？", "看看有什么变化" and "tell me the cost" were not
    understood; "不对，是1500" beside 100 users and a $1000 budget changed nothing."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 7b chat, 100 concurrent users, budget $1000 per month")
    plan = chat.plan
    assert chat.answer("month?").text.startswith(f"${plan.metrics.cost_usd_per_hour * 730:,.2f} a month")
    assert chat.answer("what's the utilization?").text.startswith("it serves 100 users at once against")
    assert "占其能力的" in chat.answer("利用率多少？").text
    assert chat.answer("tell me the cost").text.startswith("cost: $")
    assert chat.answer("看看有什么变化").text.startswith("目前只有一个方案")
    assert chat.plan is plan
    chat.answer("不对，是1500")
    assert chat.intent.bound(Metric.COST, "<=") == pytest.approx(1500 / 730, rel=1e-3)
    assert chat.intent.workload.concurrency == 100


def test_a_watermarks_time_and_cheaper_of_a_job_are_answered():
    """"what does the watermark cost in latency?" listed the policy and the plan's whole latency; "make it
    cheaper" of a batch job said its objective, job cost, was not cost."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b with watermarked outputs for 50 users at once")
    answer = chat.answer("what does the watermark cost in latency?").text
    assert "the watermark adds 0.38 ms to each generated token" in answer and "latency:" not in answer
    assert "水印让每个生成的 token 多 0.38 ms" in chat.answer("水印会增加多少延迟？").text
    job = ChatSession(offline=True)
    for message in ("summarize 1 million support tickets with llama 3.1 8b within 48 hours", "make it cheaper"):
        reply = job.answer(message).text
    assert "not cost" not in reply


def test_a_watermark_of_outputs_no_watermark_marks_is_said():
    from intent.api import plan

    result = plan("detect people with yolo11n at 30 fps, watermark the outputs", offline=True, record=False)
    assert any(a.startswith("a watermark of object-detection's outputs is not planned") for a in result.assumptions)


def test_why_the_plan_got_dearer_names_the_change_that_did_it():
    """"why is it more expensive?" after "use H200 instead" had been answered with the plan's generic why."""
    chat = ChatSession(offline=True)
    for message in ("serve qwen2.5 14b chat for 80 concurrent users", "use H200 instead"):
        chat.answer(message)
    answer = chat.answer("why is it more expensive?").text
    assert answer.startswith("the last change, 'use H200 instead', made it so:") and "cost_usd_per_hour" in answer


def test_a_what_if_of_devices_held_offers_them_held():
    """Taking "what if we only have 2 L40S?" had capped the plan at 2 L40S rented, its cost unknown on-prem."""
    chat = ChatSession(offline=True)
    for message in ("transcribe audio for 100 concurrent streams, GDPR", "只能本地部署"):
        chat.answer(message)
    assert 'say "we have 2 nvidia-l40s"' in chat.answer("what if we only have 2 L40S?").text
    chat.answer("ok use that")
    assert [(o.device, o.count) for o in chat.intent.hardware.owned] == [("nvidia-l40s", 2)]


def test_a_bare_figure_sets_the_one_figure_near_it_and_money_asked_in_chinese():
    """"no, 100 was right, make it 150", "make it 300 streams" and "那就两天" changed nothing; "每小时多少钱"
    was not understood; "latency?" of a chat gave only the whole reply's time."""
    chat = ChatSession(offline=True)
    for message in ("serve qwen2.5 7b chat", "sorry, I meant 1000 concurrent", "no, 100 was right, make it 150"):
        chat.answer(message)
    assert chat.intent.workload.concurrency == 150
    streams = ChatSession(offline=True)
    streams.answer("transcribe 200 concurrent streams of live audio")
    streams.answer("make it 300 streams")
    assert streams.intent.workload.concurrency == 300
    job = ChatSession(offline=True)
    job.answer("fine-tune llama 3.1 8b on 2 million tokens within 3 days")
    job.answer("那就两天")
    assert job.intent.bound(Metric.JOB_TIME, "<=") == 48
    assert chat.answer("每小时多少钱").text.startswith("成本：$")
    latency = chat.answer("latency?").text
    assert latency.startswith("time to first token:") and "time per output token:" in latency


def test_a_figure_asked_after_a_change_no_plan_met_is_of_the_last_plan_that_did():
    """"latency?" after "make it 90% cheaper" found no plan had been refused; "why?" still says why not."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 7b chat for 100 concurrent users")
    ttft = chat.plan.metrics.ttft_ms
    chat.answer("make it 90% cheaper")
    answer = chat.answer("latency?").text
    assert answer.startswith("(no plan meets the request since the last change") and f"{ttft:,.2f} ms" in answer
    assert chat.answer("why?").text.startswith("No plan meets the request as it stands")


def test_an_off_topic_question_or_a_greeting_says_what_can_be_asked_in_either_language():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发20")
    for message in ("今天天气怎么样？", "你好"):  # had been "could not read that as a change"
        assert chat.answer(message).text.startswith("我可以回答关于方案的问题"), message
    assert chat.answer("hello").text.startswith("I can answer questions about the plan")


def test_a_battery_question_is_answered_and_a_bare_ok_takes_no_offer():
    """"电池能用多久？50瓦时" had added an energy bound of 180 kJ a request; "ok" after "what if traffic doubles?"
    had planned the doubled load."""
    edge = ChatSession(offline=True)
    edge.answer("detect objects at 30 fps under 10 W")
    before, power = edge.intent, edge.plan.metrics.power_w
    assert edge.answer("电池能用多久？50瓦时").text.startswith(f"约 {50 / power:,.1f} 小时")
    assert edge.answer("how long would a 50 Wh battery last?").text.startswith(f"about {50 / power:,.1f} h")
    assert edge.intent == before
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 50 req/s")
    chat.answer("what if traffic doubles?")
    assert chat.answer("ok").text.startswith("The plan stays as it is")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 50
    chat.answer("ok, use that")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 100


def test_go_back_redo_and_the_original_plan():
    """"go back" with one plan had cleared it; "redo", "重做" and "go back to the original plan" were not read."""
    chat = ChatSession(offline=True)
    chat.answer("semantic segmentation for a robot camera at 15 fps, 7 W power budget")
    first = chat.plan
    assert chat.answer("go back").text.startswith("There is no earlier plan") and chat.plan is first
    chat.answer("make it 30 fps")
    chat.answer("under 5 W")
    last = chat.plan
    chat.answer("go back")
    assert chat.intent.bound(Metric.POWER, "<=") == 7
    assert chat.answer("redo").text.startswith("redone") and chat.plan is last
    chat.answer("go back to the original plan")
    assert chat.plan is first
    assert chat.answer("重做").text.startswith("已重做") and chat.intent.bound(Metric.THROUGHPUT, ">=") == 30


def test_vague_turns_are_read():
    """"that seems expensive", "is that the best we can do?", "ok what else", "too slow", "太慢了" and "不太满意"
    were not understood; the cheapest plan named nothing that stopped it while the default level did."""
    chat = ChatSession(offline=True)
    chat.answer("serve qwen2.5 14b chat for 80 concurrent users")
    assert "- the default service level (TTFT <= 450 ms and TPOT <= 40 ms)" in chat.answer("that seems expensive").text
    for question in ("is that the best we can do?", "ok what else"):
        assert " on " in chat.answer(question).text.splitlines()[0], question  # the alternatives, listed
    assert chat.answer("不太满意").text.startswith("想改哪里？")
    tpot = chat.plan.metrics.tpot_ms
    chat.answer("too slow")
    assert chat.intent.bound(Metric.TPOT, "<=") == pytest.approx(0.8 * tpot, rel=1e-3)


def test_more_devices_for_a_rented_job_and_whether_it_finishes_by_a_date():
    """"what if we had 8 more GPUs?" of a job on rented devices had answered with the same 1-device plan;
    "can we finish by tomorrow?" and "明天能跑完吗？" were refused as dates or read as a device."""
    chat = ChatSession(offline=True)
    chat.answer("train resnet-50 on 1.2 million images for 90 epochs")
    hours = chat.plan.job.hours
    answer = chat.answer("what if we had 8 more GPUs?").text
    assert f"on 8 x {chat.plan.choice.device_id}" in answer and f"against {hours:.2f} h now" in answer
    assert chat.answer("can we finish by tomorrow?").text.startswith(f"The job takes {hours:.2f} h as planned")
    assert chat.answer("明天能跑完吗？").text.startswith(f"按当前方案任务需要 {hours:.2f} h")
    chat.answer("actually, 6 hours")  # a deadline corrected with "actually"
    assert chat.intent.bound(Metric.JOB_TIME, "<=") == 6


def test_devices_pinned_before_give_way_to_a_class_a_lift_or_a_switch_keeping_the_count():
    """"ok allow any GPU" and "forget the T4" had kept the one T4 held; "换成A100" after "用8张H100…" had dropped
    the 8 held and rented 64 (then 8) cloud A100s."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 405b on a single T4 with 10 ms per token")
    chat.answer("ok allow any GPU")
    assert chat.intent.hardware.include == ["gpu"] and not chat.intent.hardware.owned
    lifted = ChatSession(offline=True)
    lifted.answer("serve llama 3.1 405b on a single T4 with 10 ms per token")
    lifted.answer("forget the T4")
    assert not lifted.intent.hardware.include and not lifted.intent.hardware.owned
    job = ChatSession(offline=True)
    job.answer("用8张H100微调llama 3.1 8b，100万条数据，2个epoch")
    job.answer("换成A100")
    assert [(o.device, o.count) for o in job.intent.hardware.owned] == [("nvidia-a100", 8)]


def test_a_question_naming_another_device_compares_it():
    """"what would it cost on MI300X?" had answered with the H100 plan's cost, "用A100会不会更便宜？" with the
    cheapest plan, and "为什么不用TPU？" of a plan on a TPU v5e with the Coral Edge TPU."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b at 10 req/s on H100s")
    assert chat.answer("what would it cost on MI300X?").text.startswith("amd-instinct-mi300x:")
    assert chat.answer("用A100会不会更便宜？").text.startswith("nvidia-a100：")
    tpu = ChatSession(offline=True)
    tpu.answer("部署qwen2.5 7b，100并发")
    if tpu.plan.choice.device_id.startswith("google-tpu"):
        assert tpu.answer("为什么不用TPU？").text.startswith("方案已经在 google-tpu")
    assert tpu.answer("why not a GPU?").text.startswith("gpu:")


def test_a_fallback_change_applies_only_when_no_plan_meets_the_request():
    """"不行的话放宽到5瓦" had relaxed the 3 W budget the plan met at 0.82 W."""
    chat = ChatSession(offline=True)
    for message in ("在无人机上实时做图像分割，功耗预算8瓦，30帧每秒", "功耗预算降到3瓦"):
        chat.answer(message)
    assert chat.answer("不行的话放宽到5瓦").text.startswith("当前方案已满足需求")
    assert chat.intent.bound(Metric.POWER, "<=") == 3
    chat.answer("make it under 0.01 W")
    chat.answer("if that doesn't work, relax it to 5 W")
    assert chat.intent.bound(Metric.POWER, "<=") == 5 and chat.plan is not None


def test_why_no_plan_gives_the_reasons_again():
    """"why can't this work?" and "为什么不行？" had been told there is no plan yet, or read as a device '行'."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 405b on a single T4 with 10 ms per token")
    english = chat.answer("why can't this work?").text
    assert english.startswith("No plan meets the request as it stands, for these reasons") and "243.4 GB" in english
    assert chat.answer("为什么不行？").text.startswith("当前的需求没有可行方案，原因如下")


def test_compliance_and_privacy_questions_name_what_was_asked():
    """"是否还符合HIPAA？" had been a what-if on cost, "要加差分隐私吗？" and "what's the epsilon?" listed HIPAA,
    and "what would GDPR add?" compared costs."""
    chat = ChatSession(offline=True)
    chat.answer("a HIPAA compliant chatbot with llama 3.1 8b for 30 concurrent users")
    plan = chat.plan
    assert chat.answer("是否还符合HIPAA？").text.startswith("已应用 HIPAA")
    assert chat.answer("what's the epsilon?").text.startswith("no differential privacy is applied")
    assert chat.answer("要加差分隐私吗？").text.startswith("未应用差分隐私")
    gdpr = chat.answer("what would GDPR add?").text
    assert gdpr.startswith("GDPR was not asked for") and "EU/EEA" in gdpr
    assert chat.plan is plan


def test_gpus_had_in_a_what_if_are_gpus_held_and_a_class_is_no_device():
    """"what if we only had 16 GPUs?" of a plan on TPUs had been 16 TPUs (and held a class: a traceback);
    "what if we had 4 GPUs?" of a 1-GPU job had been capped at 4 and kept 1."""
    tpu = ChatSession(offline=True)
    tpu.answer("pretrain a 1B parameter language model on 20 billion tokens within a week")
    if tpu.plan.choice.device_id.startswith("google-tpu"):
        assert tpu.answer("what if we only had 16 GPUs?").text.startswith("16 x gpu:")
    job = ChatSession(offline=True)
    job.answer("train resnet-50 on 1.2 million images for 90 epochs")
    device = job.plan.choice.device_id
    assert f"on 4 x {device}" in job.answer("what if we had 4 GPUs?").text


def test_probe_s_acceptances_counts_in_what_ifs_and_a_jobs_time():
    """"yes, use them" was not read; "what about 2 cameras?" and "what if 20 steps?" were devices called
    'cameras' and 'steps'; "we need it done in 10 minutes" of a batch job bounded each request at 10 minutes;
    "actually 800" and 时间改成1天 changed nothing."""
    held = ChatSession(offline=True)
    held.answer("serve llama 3.1 8b at 20 rps")
    held.answer("what if we had 8 A100s of our own?")
    held.answer("yes, use them")
    assert [(o.device, o.count) for o in held.intent.hardware.owned] == [("nvidia-a100", 8)]
    cams = ChatSession(offline=True)
    cams.answer("detect people at 15 fps each on 1 camera")
    assert cams.answer("what about 2 cameras?").text.startswith("2 cameras: the plan there is")
    images = ChatSession(offline=True)
    images.answer("generate images with SDXL, 30 steps, 0.5 images per second")
    assert images.answer("what if 20 steps?").text.startswith("20 steps:")
    job = ChatSession(offline=True)
    for message in ("embed 5 million documents with bge-small", "we need it done in 10 minutes"):
        job.answer(message)
    assert job.intent.bound(Metric.JOB_TIME, "<=") == pytest.approx(1 / 6) and job.intent.bound(Metric.LATENCY, "<=") is None
    for message in ("make it 1000 req/s", "actually 800", "时间改成1天"):
        job.answer(message)
    assert job.intent.bound(Metric.THROUGHPUT, ">=") == 800 and job.intent.bound(Metric.JOB_TIME, "<=") == 24


def test_probe_s_cost_per_request_per_device_formats_and_never_mind():
    """"what's the cost per image?" gave the hourly cost; "power per device?" the total; "would fp8 be
    cheaper?" the generic cheapest answer; "nevermind" was not read; a user's cost said "$0.494/h an hour"."""
    chat = ChatSession(offline=True)
    chat.answer("generate images with SDXL at 2 images per second")
    plan = chat.plan
    each = plan.metrics.cost_usd_per_hour / (2 * 3600)  # under a tenth of a cent: said per 1,000
    assert chat.answer("what's the cost per image?").text.startswith(f"${each * 1000:.3g} per 1,000 requests")
    devices = plan.choice.replicas * plan.choice.devices_per_replica
    assert chat.answer("power per device?").text.startswith(f"per device ({devices} in all): power "
                                                           f"{plan.metrics.power_w / devices:,.1f} W")
    assert chat.answer("would fp8 be cheaper?").text.startswith("fp8:")
    assert chat.answer("nevermind").text.startswith("OK, nothing changed") and chat.plan is plan
    users = ChatSession(offline=True)
    users.answer("serve qwen2.5 7b chat for 100 concurrent users")
    assert "/h an hour" not in users.answer("cost per user?").text


def test_why_the_format_and_the_tail_latency_are_answered():
    """"why did you pick that precision?" had been the plan's generic why; "what's the current p99?" the help."""
    chat = ChatSession(offline=True)
    chat.answer("classify images at 100 rps")
    precision = chat.plan.choice.precision
    assert chat.answer("why did you pick that precision?").text.startswith(f"{precision} (")
    assert chat.answer("what's the current p99?").text.startswith("latency: ")


def test_probe_t_whole_reply_bounds_stated_figures_trailing_back_and_a_need_after_a_question():
    """"users will wait max 60s for a full answer" had replaced the TPOT bound; "lower latency pls, like 10ms" made
    latency the objective too; "too pricey, go back" kept the tighter bound; "does that include redundancy? we need
    N+1" lost the N+1."""
    llm = ChatSession(offline=True)
    llm.answer("serve llama 3.1 8b for 20 users at once, 4k-token answers, tpot 30ms")
    llm.answer("users will wait max 60s for a full answer")
    assert llm.intent.bound(Metric.TPOT, "<=") == 30 and llm.intent.bound(Metric.LATENCY, "<=") == 60000
    chat = ChatSession(offline=True)
    chat.answer("classify images at 100 rps, latency under 25 ms")
    chat.answer("lower latency pls, like 10ms")
    assert chat.intent.objective is None and chat.intent.bound(Metric.LATENCY, "<=") == 10
    chat.answer("too pricey, go back")
    assert chat.intent.bound(Metric.LATENCY, "<=") == 25
    chat.answer("does that include redundancy? we need N+1")
    assert chat.intent.workload.spare_replicas == 1


def test_probe_t_where_it_runs_why_so_dear_and_one_answers_time():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 20 users at once on our 4 A10Gs")
    assert "cloud" in chat.answer("is that on-prem or cloud?").text  # it had been the help text
    assert chat.answer("what if we bought 4 more?").text.startswith("bought 4 more:")  # 'a device called …'
    assert chat.answer("how long does one answer take end to end?").text.startswith("time to first token:")
    assert chat.answer("为啥这么贵").text.startswith("选择 ")  # why, not a change


def test_a_question_about_a_device_then_the_count_held_is_a_what_if_held():
    """"能用4090吗，我们自己有2张" had changed the plan to 4090s and read 2张 as two records."""
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，100并发")
    plan = chat.plan
    assert "说“我们有2张nvidia-geforce-rtx-4090”" in chat.answer("能用4090吗，我们自己有2张").text
    assert 'say "we have 2 nvidia-l40s"' in chat.answer("can we use L40S? we have 2").text
    assert chat.plan is plan and chat.intent.workload.dataset_records is None


def test_put_it_back_undoes_a_removal():
    chat = ChatSession(offline=True)
    for message in ("serve llama 3.1 8b at 10 rps, watermark the output", "remove watermark"):
        chat.answer(message)
    assert not chat.intent.policies.watermark
    chat.answer("put it back")  # it had not been understood
    assert chat.intent.policies.watermark


def test_the_cost_of_an_item_of_a_batch_job_is_its_total_over_its_items():
    """It had spread the hourly cost over the rate asked, not the job's total over its items."""
    chat = ChatSession(offline=True)
    chat.answer("classify 2.5 million images within 10 hours")
    assert "over its 2,500,000 items" in chat.answer("cost per image?").text


def test_half_of_the_devices_held():
    """"what if we only use half of them" and 只用一半的卡 had not been understood."""
    chat = ChatSession(offline=True)
    chat.answer("we have 8 L40S, serve llama 3.1 8b for 200 users at once")
    assert chat.answer("what if we only use half of them").text.startswith("only use half of them:")
    chat.answer("只用一半的卡")
    held = chat.intent.hardware
    assert held.max_devices == 4 or [(o.device, o.count) for o in held.owned] == [("nvidia-l40s", 4)]


def test_a_volume_of_speech_restated_without_the_speech_word():
    """"make it 5k hrs/week" after "2k hours of audio per week" had been a duration with no limit word."""
    chat = ChatSession(offline=True)
    chat.answer("transcribe 2k hours of audio per week")
    before = chat.intent.bound(Metric.THROUGHPUT, ">=")
    chat.answer("make it 5k hrs/week")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(before * 2.5, rel=0.01)


def test_probe_u_short_questions_and_a_command_with_a_complaint():
    """"exclude l4, too pricey" had been answered as a comparison; "can it fit?" as a device called 'fit'; "fits?",
    "how much per job?", "where will it run", 成本 and "hmm whats p99 roughly" as the help text; 成本多少/月 hourly."""
    chat = ChatSession(offline=True)
    chat.answer("embed 5M docs with bge-small")
    chat.answer("exclude l4, too pricey")
    assert "nvidia-l4" in chat.intent.hardware.exclude
    plan = chat.plan
    for question in ("can it fit?", "fits?"):
        assert "of device memory used on each" in chat.answer(question).text, question
    assert chat.answer("how much per job?").text.startswith("the job takes")
    assert chat.answer("where will it run").text.startswith("1 x ")
    assert chat.answer("hmm whats p99 roughly").text.startswith("latency:")
    assert chat.answer("成本").text.startswith("任务在")
    assert chat.answer("成本多少/月").text.startswith("这是一次性任务")
    assert chat.plan is plan


def test_probe_u_cloud_fine_again_a_count_alone_and_more_acceptances():
    """"never mind cloud is fine" had ruled the cloud out ("never" read as a negation); "3 cams" was refused."""
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps, on-prem only")
    chat.answer("never mind cloud is fine, eu")
    assert chat.intent.deployment is None
    cams = ChatSession(offline=True)
    cams.answer("detect people, 2 cams 15fps each")
    cams.answer("3 cams")
    assert cams.intent.workload.sources == 3
    offer = ChatSession(offline=True)
    offer.answer("serve llama 3.1 8b at 50 req/s")
    offer.answer("what if traffic doubles?")
    offer.answer("ok go with that then")
    assert offer.intent.bound(Metric.THROUGHPUT, ">=") == 100


def test_staying_with_the_models_size_keeps_the_model():
    """"nah stay w 8b" after a what-if on 70B had planned Qwen2.5 7B for text generation."""
    chat = ChatSession(offline=True)
    for message in ("summarize support tickets with llama 3.1 8b, 5 per second", "what if 70b instead", "nah stay w 8b"):
        chat.answer(message)
    assert chat.intent.workload.model == "llama-3.1-8b" and chat.intent.task.value == "summarization"


def test_an_export_after_a_change_no_plan_met_says_which_plan_it_wrote(tmp_path):
    chat = ChatSession(offline=True)
    for message in ("serve llama 3.1 8b at 10 rps on L40S", "make it 90% cheaper"):
        chat.answer(message)
    text = chat.answer(f"export k8s to {tmp_path}").text  # it had written the old plan without a word
    assert text.startswith("(no plan meets the request since the last change") and list(tmp_path.glob("*.yaml"))


def test_redo_of_a_change_no_plan_met_says_so():
    """It had said "redone; the plan is now …" with a plan the redone request's budget rules out."""
    chat = ChatSession(offline=True)
    for message in ("serve llama 3.1 8b at 10 rps on L40S", "make it 90% cheaper", "go back"):
        chat.answer(message)
    assert chat.answer("redo").text.startswith('redone: "make it 90% cheaper" again, which no plan meets')


def test_a_provider_named_after_another_replaces_its_exclusions():
    """"ok make it aws" after "azure only" had kept Inferentia2 excluded."""
    chat = ChatSession(offline=True)
    chat.answer("serve mixtral 8x7b at 5 rps, azure only")
    chat.answer("ok make it aws")
    assert "aws-inferentia2" not in chat.intent.hardware.exclude and "google-tpu-v5e" in chat.intent.hardware.exclude
    chat.answer("gcp only")
    assert chat.intent.hardware.exclude == ["aws-inferentia2", "nvidia-a10g"]  # AWS's own parts


def test_availability_replicas_lifted():
    """"what if we drop availability req" had been a device called 'drop availability req'."""
    chat = ChatSession(offline=True)
    chat.answer("classify images at 100 rps, N+1 redundancy, at least 2 replicas")
    assert chat.answer("what if we drop availability req").text.startswith("drop availability req:")
    assert chat.intent.workload.min_replicas == 2
    chat.answer("drop the availability req")
    assert chat.intent.workload.min_replicas is None and chat.intent.workload.spare_replicas is None


@pytest.mark.parametrize("opening", ["start over:", "new request:", "forget all that.", "重新开始："])
def test_a_new_request_after_starting_over_keeps_nothing_of_the_old_one(opening):
    # it had been merged into the old request: its 2-hour job bound, on-prem and cheapest kept
    chat = ChatSession(offline=True)
    chat.answer("summarize 10,000 documents within 2 hours, on-prem, cheapest")
    chat.answer(f"{opening} classify images at 1000 req/s within 20 ms")
    assert chat.intent.task.value == "image-classification" and chat.intent.deployment is None
    assert chat.intent.objective is None and chat.intent.bound(Metric.JOB_TIME, "<=") is None
    assert chat.intent.bound(Metric.LATENCY, "<=") == 20 and chat.intent.workload.dataset_records is None


@pytest.mark.parametrize("taken", ["就用它吧", "行，就这个", "用这个方案", "采用", "好，换吧"])
def test_chinese_ways_of_taking_an_offer_take_it(taken):
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    chat.answer("流量翻三倍怎么办？")
    reply = chat.answer(taken)
    assert "没能" not in reply.text and chat.intent.bound(Metric.THROUGHPUT, ">=") == 30


def test_what_the_plan_serves_in_a_period_is_answered():
    # "每秒能出多少token" had the generic help, "一天能出多少张" the cost per day; "cost per 1M tokens?" was a change
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 10 rps")
    tokens = chat.plan.metrics.tokens_per_s
    assert f"{tokens:,.0f} 个 token" in chat.answer("每秒能出多少token").text
    day = chat.answer("how many requests a day can it do?").text
    assert f"{chat.plan.metrics.throughput_rps * 86400:,.0f} requests a day" in day and "864,000" in day
    assert "/Mtok" in chat.answer("cost per 1M tokens?").text


def test_a_what_if_after_a_change_no_plan_met_plans_the_request_on_it():
    # "what about 8 H200?" after an unmet TTFT was refused ("relax it, or /undo"), though it is what resolves it
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 100 concurrent users on 2 H100s")
    chat.answer("ttft under 50ms")
    reply = chat.answer("what about 8 H200?")
    assert "no plan met" in reply.text and "nvidia-h200" in reply.text
    chat.answer("ok use that")
    assert chat.plan is not None and chat.plan.metrics.ttft_ms <= 50


def test_what_if_another_device_is_not_more_of_the_devices_held():
    # 2 H100 held: "what about 8 H200?" had planned 8 H100 held
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 100 concurrent users on 2 H100s")
    assert "on 2 x nvidia-h200-sxm-141gb" in chat.answer("what about 8 H200?").text


def test_why_with_a_preference_says_the_preference_left_the_others_out():
    # "没有其他设备能满足全部约束" after "国产卡优先", though Inferentia2 meets them: the preference left it out
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发20")
    chat.answer("国产卡优先")
    assert "在优先的设备（huawei）中" in chat.answer("为什么选这个").text
    chat.answer("厂商不限")
    assert chat.intent.hardware.preferred == []


@pytest.mark.parametrize("switch", ["算了，换个需求：", "forget it. new thing: ", "另一个需求："])
def test_a_new_request_after_dismissing_the_old_one_keeps_nothing_of_it(switch):
    # "算了，换个需求：…" had been merged: detection planned as the old training job (500k records, 10 epochs)
    chat = ChatSession(offline=True)
    chat.answer("训练一个图像分类模型，50万张图片，10个epoch，越便宜越好")
    chat.answer(f"{switch}用yolo11做目标检测，4路摄像头每路25帧")
    assert chat.intent.workload.kind.value == "inference" and chat.intent.workload.dataset_records is None
    assert chat.intent.workload.sources == 4 and chat.intent.objective is None


@pytest.mark.parametrize("fix, hours", [("不对，是每天100小时", 100), ("改成每天200小时", 200),
                                        ("no wait, it is 100 hours per day", 100)])
def test_a_volume_of_speech_corrected_is_the_rate_not_a_deadline(fix, hours):
    # "不对，是每天100小时" had added a job time of 100 h beside the 1000 h/day; "改成每天200小时" was ignored
    chat = ChatSession(offline=True)
    chat.answer("用whisper做语音识别，每天1000小时音频")
    before = chat.intent.bound(Metric.THROUGHPUT, ">=")
    chat.answer(fix)
    assert chat.intent.bound(Metric.JOB_TIME, "<=") is None
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(before * hours / 1000)


def test_a_latency_far_past_a_token_bound_is_the_whole_replys():
    # after "too slow" (a TPOT of 1.1 ms), "latency can be up to 200 ms" had become 200 ms a token: 30-s replies
    chat = ChatSession(offline=True)
    chat.answer("translate english to chinese, 100 requests per second")
    chat.answer("too slow")
    assert chat.intent.bound(Metric.LATENCY, "<=") is not None  # a translation's caller waits on the whole reply
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 40 users at once, tpot under 2 ms")
    chat.answer("latency can be up to 200 ms")
    assert chat.intent.bound(Metric.TPOT, "<=") == 2 and chat.intent.bound(Metric.LATENCY, "<=") == 200
    chat.answer("ttft under 300 ms")
    chat.answer("tpot can be 40 ms")
    assert chat.intent.bound(Metric.TPOT, "<=") == 40


def test_a_format_added_beside_one_allowed_adds_that_format_alone():
    # "actually int8 is fine too" after "fp16 please" had allowed all six formats, and bf16 was planned
    chat = ChatSession(offline=True)
    chat.answer("semantic segmentation, latency 50ms, fp16 please")
    chat.answer("actually int8 is fine too")
    assert [p.value for p in chat.intent.precisions] == ["fp16", "int8"]
    assert chat.plan.choice.precision in ("fp16", "int8")


def test_a_device_named_then_replaces_the_one_before():
    # "ok fine, jetson agx orin then" had added the Orin beside the Raspberry Pi 5, and the Pis stayed
    chat = ChatSession(offline=True)
    chat.answer("detect people in CCTV footage, 8 cameras at 25fps each, on prem")
    chat.answer("use a raspberry pi 5")
    chat.answer("ok fine, jetson agx orin then")
    assert chat.intent.hardware.include == ["nvidia-jetson-agx-orin-64gb"]


def test_a_plan_that_gave_way_says_what_it_brought_down_and_when_the_level_goes():
    # "why this one?" said "to minimize cost" of a plan that brought the TPOT down (the level out of reach); a
    # later note said a plan met the 40 ms default at 107.8 ms; "预算减半" dropped the level without a word
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b to 100 concurrent users, budget $500/month")
    assert "was chosen to minimize time per output token" in chat.answer("why this one?").text
    chat.answer("make it cheaper")
    reply = chat.answer("latency doesn't matter much, ttft can be 2 s").text
    assert "which this one meets" not in reply
    chat = ChatSession(offline=True)
    chat.answer("部署llama 70b要多少钱？")
    chat.answer("便宜一点")
    reply = chat.answer("预算减半").text
    assert "没有方案能达到默认服务水平" in reply and "metrics.tpot_ms" in reply


@pytest.mark.parametrize("question, expected", [
    ("how much memory does it use per gpu?", "of device memory used on each"),
    ("what accuracy does it get?", "accuracy: "),
    ("精度怎么样", "准确率："),
    ("功率多大", "功耗："),
    ("what's the power consumption per month in kWh?", "kWh"),
    ("what if we lose one gpu?", "losing one device takes one of the"),
    ("一张卡坏了怎么办", "坏一张卡"),
    ("does that include redundancy?", "losing one device"),
])
def test_questions_about_the_plan_get_their_figure(question, expected):
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 40 rps on L40S")
    before = chat.plan
    assert expected in chat.answer(question).text
    assert chat.plan is before


def test_a_lost_device_with_a_spare_held_and_redundancy_asked_for():
    chat = ChatSession(offline=True)
    chat.answer("chatbot with qwen2.5 14b, 10 concurrent users, ttft < 1s, we have 2 RTX 4090s, use them")
    assert chat.plan.choice.replicas == 1  # one of the two held is spare
    assert "a spare takes the lost one's place" in chat.answer("what if one of them dies?").text
    chat = ChatSession(offline=True)
    chat.answer("serve phi-4 for 40 concurrent users, ttft under 1 s, we need N+1 redundancy")
    assert chat.answer("does that include redundancy?").text.startswith("yes: the plan runs")


@pytest.mark.parametrize("question", ["能上云吗？", "可以放到云上吗"])
def test_asking_for_the_cloud_in_chinese_compares_it(question):
    # "能上云吗？" had been "我不认识叫'云'的设备"
    chat = ChatSession(offline=True)
    chat.answer("医院的病历摘要，患者数据要符合HIPAA，只能本地部署，用llama 3.1 8b，20个医生同时用")
    reply = chat.answer(question).text
    assert reply.startswith("cloud：") and chat.intent.deployment.value == "on-prem"


@pytest.mark.parametrize("message, kind", [
    ("现在方案是什么", "show"), ("what is the current plan", "show"), ("当前方案", "show"),
    ("回到最开始的方案", "original"), ("还是用最开始那个吧", "original"), ("wait no, that was wrong, undo", "undo"),
])
def test_more_ways_of_asking_for_the_plan_and_going_back(message, kind):
    from intent.chat_language import read_message

    assert read_message(message).command == kind


def test_a_device_tried_in_a_chinese_question_changes_nothing():
    # "换成H100怎么样" had changed the plan; "用两张A100呢？" weighed 8 A100s
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b for 100 users at once")
    before = chat.intent
    chat.answer("换成H100怎么样")
    assert "2 x nvidia-a100" in chat.answer("用两张A100呢？").text
    assert chat.intent == before


def test_a_question_with_a_typo_is_still_a_question():
    # "wat about h100" had applied the H100 and dropped "no NVIDIA"
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b for 25 concurrent users, ttft < 400 ms")
    chat.answer("no nvidia")
    chat.answer("wat about h100")
    assert chat.intent.hardware.exclude == ["nvidia"] and chat.intent.hardware.include == []


def test_why_a_format_the_request_asked_for_and_headroom_at_full_load():
    # "why fp16?" of an fp16-only request had said cost chose it; "how much headroom?" at 100% said "yes"
    chat = ChatSession(offline=True)
    chat.answer("semantic segmentation, latency 50ms, fp16 please")
    assert chat.answer("why fp16?").text.startswith("fp16: the request allows fp16 only")
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 70b, 50 concurrent users, fp16 only, tpot 50ms")
    reply = chat.answer("how much headroom do we have?").text
    assert not reply.startswith("yes") and "no headroom left" in reply


def test_cheaper_of_a_job_weighs_its_whole_cost():
    # it had weighed $/h with "job time unknown": a cheaper hour may run far longer
    chat = ChatSession(offline=True)
    chat.answer("fine-tune llama 3.1 8b on 2 million records for 3 epochs, must finish within 48 hours")
    chat.answer("use LoRA")
    reply = chat.answer("make it cheaper").text
    assert "job time unknown" not in reply and f"${chat.plan.job.cost_usd:,.2f} is the cheapest plan" in reply


def test_a_what_if_then_a_remark_weighs_the_what_if():
    # "can we use the cloud instead? it would be cheaper right?" had weighed the cheapest plan anywhere
    chat = ChatSession(offline=True)
    chat.answer("we need HIPAA compliant llama 3 8b serving for a clinic, 20 rps, on-prem")
    assert chat.answer("can we use the cloud instead? it would be cheaper right?").text.startswith("cloud:")
    assert chat.intent.deployment.value == "on-prem"


@pytest.mark.parametrize("first, change, metric", [
    ("run yolov8n object detection at 30 fps on an nvidia l4, under 300 W", "30% less power", Metric.POWER),
    ("serve llama 3.1 8b for 20 concurrent users, budget $40/h", "cut the cost by 50%", Metric.COST),
])
def test_less_of_a_figure_the_plan_beats_its_bound_on_is_less_than_the_plan(first, change, metric):
    # "30% less power" of a plan at 3.25 W under 10 W had set a 7 W bound it met already: nothing changed
    chat = ChatSession(offline=True)
    chat.answer(first)
    before = chat.plan.metrics.power_w if metric == Metric.POWER else chat.plan.metrics.cost_usd_per_hour
    chat.answer(change)
    factor = 0.7 if metric == Metric.POWER else 0.5
    assert chat.intent.bound(metric, "<=") == pytest.approx(before * factor, rel=1e-3)


@pytest.mark.parametrize("question, expected", [
    ("how many cards in total?", "in all"),  # it had been "a service runs until it is stopped"
    ("一共多少张卡？", "一共 "),
    ("what if we only run it 8 hours a day?", "at 8 hours a day: "),  # it had named a Hailo-8
    ("如果每天只运行8小时呢？", "每天运行 8 小时"),
    ("what are the constraints now?", "throughput >= 20 rps: predicted"),
    ("现在的约束是什么？", "throughput >= 20 rps："),
])
def test_probe_x_questions_about_devices_hours_and_bounds(question, expected):
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    before = chat.intent
    assert expected in chat.answer(question).text and chat.intent == before


def test_probe_x_changes_spares_formats_and_chinese_audio_rates():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    chat.answer("add one spare replica for failover")  # it had been answered as a question about failure
    assert chat.intent.workload.spare_replicas == 1
    chat = ChatSession(offline=True)
    chat.answer("serve mistral 7b at 20 rps, ttft under 400ms")
    chat.answer("what if we allow int4?")
    chat.answer("do it")  # it had allowed int4 alone, taking $2.40/h to $5.49/h
    assert "int4" in [p.value for p in chat.intent.precisions] and len(chat.intent.precisions) > 1
    chat = ChatSession(offline=True)
    chat.answer("部署 whisper large v3 转写，每小时100小时音频")  # it had been a 100-hour data set
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(100 * 3600 / 30 / 3600)


@pytest.mark.parametrize("turn, expected", [
    ("traffic goes to 5x, can it handle that?", "traffic goes to 5x"),  # it had been the generic help
    ("what if traffic grows 50%?", "traffic grows 50%"),
])
def test_probe_x_load_spikes_in_times_and_shares(turn, expected):
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    assert expected in chat.answer(turn).text
    chat.answer("ok plan for the peak then")  # it had not been read as taking the offer
    factor = 5 if "5x" in turn else 1.5
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == pytest.approx(20 * factor)


def test_probe_x_faster_is_weighed_on_speed_and_a_verdict_is_given():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    assert "reaches time to first token" in chat.answer("can we make it faster?").text  # it had said "loses on cost"
    for question in ("is this good?", "what would you do?", "靠谱吗"):
        reply = chat.answer(question).text
        assert reply.startswith(("it meets the request", "满足需求", "it does not meet", "并未全部满足")), question


@pytest.mark.parametrize("declined", ["no", "nah", "不要了", "keep the current plan"])
def test_a_what_if_declined_is_no_longer_offered(declined):
    # "no" had been "I could not read that as a change", and a later "ok use that" took the offer anyway
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    chat.answer("what if traffic doubles?")
    chat.answer(declined)
    chat.answer("ok use that")
    assert chat.intent.bound(Metric.THROUGHPUT, ">=") == 20


def test_alternatives_are_numbered_as_taking_one_counts_them():
    # five were listed and "take the fourth one" said there are three (the infeasible ones were listed among them)
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 requests per second, p99 ttft under 500ms")
    lines = chat.answer("/alternatives").text.splitlines()
    numbered = [line for line in lines if re.match(r"\d+\. ", line)]
    assert numbered and all(line.startswith("- ") for line in lines[len(numbered):])
    taken = chat.answer(f"take the {['first', 'second', 'third'][len(numbered) - 1]} one")
    assert taken.plan is not None


def test_less_power_of_a_board_in_a_power_mode_is_less_than_its_mode_cap():
    # "功耗降低30%" of an Orin Nano in its 15 W mode drawing 6.4 W had asked for 4.5 W, below any mode it has
    chat = ChatSession(offline=True)
    chat.answer("在 Jetson Orin Nano 上跑 yolov8s 目标检测，每秒30帧，功耗不超过15瓦")
    chat.answer("功耗降低30%")
    assert chat.intent.bound(Metric.POWER, "<=") == pytest.approx(10.5) and chat.plan.choice.power_mode == "7W"


def test_doing_it_in_a_format_asked_about_takes_that_format():
    # after "would int4 be cheaper?", "ok do it in int4" had allowed every format and kept fp8
    chat = ChatSession(offline=True)
    chat.answer("cheapest way to serve llama 3 8b at 50 req/s")
    chat.answer("would int4 be cheaper?")
    chat.answer("ok do it in int4")
    assert [p.value for p in chat.intent.precisions] == ["int4"] and chat.plan.choice.precision == "int4"


def test_can_it_fit_of_a_training_job_gives_each_devices_share_against_its_memory():
    # it had been "memory: 84.00 GB (—)", and the memory answer set GB used against the card's GiB
    chat = ChatSession(offline=True)
    chat.answer("I want to fine tune llama 3 70b with full fine-tuning on 100k instruction samples, 2 epochs")
    chat.answer("we have 16 H100s")
    reply = chat.answer("can it fit?").text
    assert "of device memory used on each" in reply and "(80 GiB)" in reply and "85.90 GB" in reply


def test_why_a_plan_whose_objective_is_unknown_names_the_tie_breakers():
    # it had said "was chosen to minimize cost: unknown" (目标是最小化成本：未知)
    chat = ChatSession(offline=True)
    chat.answer("we need HIPAA compliant llama 3 8b serving for a clinic, 20 rps, on-prem")
    reply = chat.answer("why this one?").text
    assert "its cost is unknown (no published figure), so the tie-breakers chose it (minimize devices" in reply


def test_halve_it_halves_the_figure_last_asked_about():
    # "what's this per year?" then "can we halve it?" had been refused as relative to the current setup
    chat = ChatSession(offline=True)
    chat.answer("serve mistral 7b for 10 requests per second with ttft under 1s")
    chat.answer("what's this per year?")
    before = chat.intent
    reply = chat.answer("can we halve it?").text
    assert "cost <= 0.6 USD/h" in reply and chat.intent == before  # weighed, not applied


def test_exports_of_two_formats_keep_both_and_a_json_file_path_is_that_file(tmp_path):
    # the KServe manifests had overwritten the plain ones in the same folder; "…/plan_out.json" had become a folder
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3.1 8b at 20 rps on L40S")
    chat.answer(f"/export k8s {tmp_path / 'out'}")
    chat.answer(f"/export kserve {tmp_path / 'out'}")
    assert len(list((tmp_path / "out").glob("*.yaml"))) == 2
    chat.answer(f"export json to {tmp_path / 'plan_out.json'}")
    assert (tmp_path / "plan_out.json").is_file()
