"""The chat in both languages: commands and questions from the lexicon's chat section, answers in
the message's language, questions answered by planning, short turns, and sessions kept."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest
from rich.console import Console
from typer.testing import CliRunner

from intent.chat import ChatSession
from intent.render import show_plan

CHINESE_REQUEST = "用英伟达GPU，最低成本，在10毫秒内完成图像分类"


def planned_model(text: str) -> str:
    """The model the API plans for ``text``: the chat must show the same plan."""
    from intent import plan

    return plan(text, offline=True).choice.model_id


def spawn(tmp_path, *args):
    env = dict(os.environ, COLUMNS="120", TERM="dumb")
    return pexpect.spawn(sys.executable, ["-m", "intent", "chat", "--offline", *args], env=env, encoding="utf-8",
                         timeout=90, cwd=str(tmp_path))


def turn(child, message: str, *answers: str) -> None:
    """Send one line and expect each part of the answer, in order (regular expressions)."""
    child.sendline(message)
    for answer in answers:
        child.expect(answer)


def test_a_chinese_session_refines_asks_why_undoes_exports_and_leaves(tmp_path):
    model = planned_model(CHINESE_REQUEST)
    child = spawn(tmp_path)
    child.expect("you> ")
    turn(child, CHINESE_REQUEST, rf"方案：{model}，1 x nvidia-\S+（\S+，1 副本）",  # the summary, in Chinese
         "（/show 查看完整方案）", "you> ")
    turn(child, "延迟可以放宽到20毫秒", "变化：", r'"value": 10\.0.*-> .*"value": 20\.0', "you> ")  # a diff
    turn(child, "为什么选这个？", "目标是最小化成本", r"latency <= 20 ms：预测 [\d.]+ ms", "次优：", "you> ")
    turn(child, "撤销", rf"已撤销；回到：方案：{model}", "you> ")
    turn(child, "导出成Triton配置", rf"已写入 {model}/config\.pbtxt", "you> ")
    turn(child, "退出", "再见", pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    config = (tmp_path / model / "config.pbtxt").read_text(encoding="utf-8")
    assert "max_batch_size" in config and "KIND_GPU" in config  # the Triton config, not Kubernetes YAML
    assert not list(tmp_path.glob("*.yaml"))


def test_the_up_arrow_recalls_an_earlier_line(tmp_path):
    child = spawn(tmp_path)
    child.expect("you> ")
    turn(child, "/help", "/history", "you> ")
    child.send("\x1b[A\r")  # up arrow, then enter: the same line again
    child.expect("/history")
    turn(child, "/quit", pexpect.EOF)


@pytest.mark.parametrize(("english", "chinese", "command"), [
    ("undo", "撤销", "undo"), ("history", "历史", "history"), ("show the plan", "显示方案", "show"),
    ("show alternatives", "其他方案", "alternatives"), ("quit", "退出", "quit"),
])
def test_commands_are_read_in_both_languages(english, chinese, command):
    from intent.chat_language import read_message

    assert read_message(english).command == command and read_message(chinese).command == command


def test_answers_come_in_the_language_of_the_message_unless_fixed():
    model = planned_model(CHINESE_REQUEST)
    chat = ChatSession(offline=True)
    assert chat.answer(CHINESE_REQUEST).text.startswith("方案：")
    assert chat.answer("why this one?").text.startswith(f"{model} on 1 x")
    assert chat.answer("为什么？").text.startswith("选择 1 x")
    fixed = ChatSession(offline=True, lang="en")
    assert fixed.answer(CHINESE_REQUEST).text.startswith(f"plan: {model}")
    assert fixed.answer("撤销").text == "undone; there is no plan now"


def test_the_cli_takes_lang():
    result = CliRunner().invoke(__import__("intent.cli", fromlist=["app"]).app,
                                ["chat", "--offline", "--lang", "zh"], input="classify images in 10ms\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "方案：" in result.output and "再见" in result.output


def test_show_has_chinese_labels_in_a_chinese_session():
    chat = ChatSession(offline=True)
    chat.answer(CHINESE_REQUEST)
    reply = chat.answer("显示方案")
    assert reply.show and reply.plan is chat.plan
    console = Console(record=True, width=120)
    show_plan(reply.plan, console, chat.speaking)
    text = console.export_text()
    for label in ("方案", "预测（整个部署）", "指标", "选择理由", "备选方案", "步骤", "假设", "延迟", "成本"):
        assert label in text, label
    assert "predicted (whole deployment)" not in text


@pytest.fixture(scope="module")
def llama():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 70b, ttft under 1 s, lowest latency")
    return chat


def test_why_not_a_single_device_plans_that_configuration(llama):
    assert llama.plan.choice.shards * llama.plan.choice.replicas > 1  # the plan uses several devices
    answer = llama.answer("why not a single H100?").text
    assert answer.startswith("a single nvidia-h100: the best plan there is llama-3-70b")
    assert "on 1 x nvidia-h100-" in answer and "it loses on latency" in answer
    assert "on 1 x nvidia-h100-" in llama.answer("为什么不用单张H100？").text


def test_why_not_a_device_that_cannot_hold_the_model_says_why(llama):
    answer = llama.answer("why not an A10?").text  # 24 GB and no group to shard over
    assert answer.startswith("nvidia-a10 cannot meet this request")
    assert "nvidia-a10 has 24 GB" in answer and "hardware: not" not in answer
    # Four RTX 4090s split it over PCIe: the answer is that plan, and what it loses on.
    assert llama.answer("why not the RTX 4090?").text.startswith(
        "nvidia-geforce-rtx-4090: the best plan there is llama-3-70b · fp8 · b1 on 4 x nvidia-geforce-rtx-4090")


def test_make_it_cheaper_names_what_stops_it_and_what_relaxing_costs():
    chat = ChatSession(offline=True)
    chat.answer("cheapest, embed text in 2 ms")
    reply = chat.answer("make it cheaper").text
    assert "is the cheapest plan that meets the request. What stops it going cheaper:" in reply
    assert "- the bound latency <= 2 ms: without it," in reply and "less), at latency" in reply
    chinese = chat.answer("便宜一点").text
    assert "已是满足需求的最便宜方案" in chinese and "约束 latency <= 2 ms：去掉它" in chinese
    named = ChatSession(offline=True)
    named.answer("cheapest way to classify images in 10 ms on NVIDIA, at the edge")
    assert "- the hardware choice (nvidia): without it," in named.answer("make it cheaper").text


def test_make_it_cheaper_when_another_objective_was_set_makes_cost_the_objective():
    chat = ChatSession(offline=True)
    chat.answer("lowest latency, classify images in 10ms")
    reply = chat.answer("make it cheaper")
    assert chat.intent.objective.metric.value == "cost" and "intent.objective" in reply.text


def test_a_conversation_is_saved_loaded_and_listed(tmp_path):
    chat = ChatSession(offline=True)
    chat.answer("lowest power, classify images in 10ms")
    chat.answer("no Google")
    chat.answer("/undo")
    path = tmp_path / "talk.json"
    assert chat.answer(f"/save {path}").text.startswith(f"saved the conversation (3 turns) to {path}")
    assert json.loads(path.read_text(encoding="utf-8"))["kind"] == "intentctl-chat"
    again = ChatSession(offline=True)
    loaded = again.answer(f"/load {path}")
    assert loaded.text.startswith(f"loaded 3 turns from {path}")
    assert again.plan == chat.plan and again.intent == chat.intent
    history = again.answer("/history").text.splitlines()
    assert history[0] == "1. you: lowest power, classify images in 10ms"
    assert history[2] == "2. you: no Google" and history[3].endswith("(undone)")
    assert history[6] == f"4. you: /load {path}"
    assert again.answer("/undo").text.startswith("nothing to undo") is False  # the first plan can still be undone


def test_a_bad_conversation_file_is_an_answer_and_the_session_goes_on(tmp_path):
    chat = ChatSession(offline=True)
    chat.answer("lowest power, classify images in 10ms")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert chat.answer(f"/load {bad}").text.startswith(f"could not load {bad}: not a saved conversation")
    assert chat.answer(f"/load {tmp_path / 'missing.json'}").text.startswith("could not load")
    assert chat.plan is not None


def test_both_languages_have_every_answer_and_label():
    from intent.chat_answers import _data

    data = _data()
    assert set(data["answers"]["en"]) == set(data["answers"]["zh"])
    for key in ("metrics", "placements"):
        assert set(data["labels"]["en"][key]) == set(data["labels"]["zh"][key])
    assert set(data["labels"]["en"]) == set(data["labels"]["zh"])


def test_the_chat_words_are_not_the_parsers_vocabulary():
    from intent.parser.lexicon import load_lexicon

    vocabulary = load_lexicon().vocabulary
    assert "undo" not in vocabulary and "revert" not in vocabulary  # chat-only words do not change how requests read


def test_why_no_plan_meets_a_change_is_said_in_the_users_language():
    # "no configuration meets ... the best reachable while the others hold is ..." had stayed English
    chat = ChatSession(offline=True)
    chat.answer("qwen2.5 7b 聊天，50并发，成本每小时不超过1美元")
    refused = chat.answer("首字延迟改成 20ms").text
    assert "没有配置能同时满足 cost <= 1 USD/h 和 ttft <= 20 ms" in refused
    assert "其他约束都满足时，最好能达到" in refused and "the best reachable" not in refused


def test_runner_ups_reasons_are_said_in_the_chat_language():
    chat = ChatSession(offline=True)
    chat.answer(CHINESE_REQUEST)
    alternatives = chat.answer("其他方案").text
    assert "高于现在的" in alternatives and "is higher than" not in alternatives
    assert "is higher than" not in chat.answer("为什么？").text
    english = ChatSession(offline=True, lang="en")
    english.answer(CHINESE_REQUEST)
    assert "is higher than" in english.answer("show alternatives").text


def test_a_reason_the_chat_cannot_say_in_chinese_is_kept_as_written():
    from intent.chat_answers import why_not_in

    assert why_not_in("better cost ($0.42/h) but ttft 1,173 ms breaks <= 450 ms", "zh") == \
        "成本更好（$0.42/h），但首字延迟 1,173 ms 不满足 <= 450 ms"
    assert why_not_in("needs 3 devices", "zh") == "needs 3 devices"


def test_a_chinese_follow_up_to_an_english_request_says_nothing_of_the_contents_language():
    chat = ChatSession(offline=True)
    chat.answer("serve llama 3 8b for 20 concurrent users")
    reply = chat.answer("不要量化了，用FP16")
    assert "written in Chinese" not in reply.text and chat.plan.choice.precision == "fp16"
    chinese = ChatSession(offline=True)
    assert "written in Chinese" in chinese.answer("部署llama 3 8b，20个并发").text  # the request's own words do


def test_a_message_of_figures_alone_keeps_the_conversations_language():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，并发20")
    assert chat.answer("p99 500ms").text.startswith("变化")
    assert chat.answer("瓶颈在哪？").text.split("受限于 ")[1].split("：")[0] in ("算力", "显存带宽")


def test_a_bound_said_to_relax_that_tightens_is_said_to():
    chat = ChatSession(offline=True)
    chat.answer("部署whisper-large-v3做语音转写，并发20路")
    assert chat.answer("p99延迟可以放宽到1秒").text.startswith("注意：方案原来没有这个约束；latency <= 1000 ms")


def test_alternatives_after_a_change_no_plan_met_say_so():
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 72b，首字延迟1毫秒")
    assert chat.answer("其他方案").text.startswith("还没有方案：当前的需求还无法规划")  # refused from the first
    planned = ChatSession(offline=True)
    planned.answer("部署qwen2.5 7b，并发20")
    planned.answer("首字延迟1毫秒")
    assert planned.answer("为什么？").text.startswith("当前的需求没有可行方案")  # a question of a change no plan met


def test_tie_breakers_and_broken_bounds_are_said_in_chinese():
    from intent.chat_answers import levels_in, why_not_in

    assert levels_in(["minimize devices", "maximize model_accuracy", "fewest replicas"], "zh") == \
        "最小化设备数、最大化模型准确率、最少副本"
    assert why_not_in("ttft 94,433.4 ms breaks <= 400.0 ms", "zh") == "首字延迟 94,433.4 ms 不满足 <= 400.0 ms"
    chat = ChatSession(offline=True)
    chat.answer("部署qwen2.5 7b，每秒20个请求")
    answer = chat.answer("如果只有2张卡呢？").text
    assert "minimize" not in answer and "catalog order" not in answer
