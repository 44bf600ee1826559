"""Chat: the session refines the intent message by message; the terminal loop is driven through
a real pseudo-terminal with pexpect, as a person would use it."""

from __future__ import annotations

import json
import os
import sys

import pexpect
import pytest

from intent.chat import ASK_TASK, ChatSession


def test_messages_refine_the_current_intent():
    chat = ChatSession(offline=True)
    first = chat.answer("lowest power, classify images in 10ms")
    assert first.plan is not None and first.plan.metrics.latency_ms <= 10
    second = chat.answer("no Google")
    assert "google" in chat.intent.hardware.exclude and "changed" in second.text
    looser = chat.answer("what if latency can be 20 ms?")
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
