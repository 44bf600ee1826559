"""Ask an OpenAI-compatible chat model for an Intent through LangChain's structured output.

One call, then at most one repair attempt that sends the validation problems back. A
transient fault (connection, 429, 5xx, a timeout) is retried up to ``llm_retries`` times with
backoff or the server's ``Retry-After``, but only while the wait fits: ``llm_timeout_s`` bounds
the whole call, retries and waits included (see deadline.py). Any other fault ends it at once.
LangChain and OpenAI are imported here only, when an LLM is actually used.
"""

from __future__ import annotations

import json
import math
import time

from pydantic import ConfigDict, ValidationError, create_model

from hardware import Catalog
from intent.llm.checks import problems
from intent.llm.prompt import system_prompt
from intent.schema import Intent
from intent.settings import Settings

REPAIR_ATTEMPTS = 1
BACKOFF_S = 0.5  # first wait before a retry without Retry-After; doubles each time
RETRIED_STATUS = {408, 409, 429, 500, 502, 503, 504}


#: What the model fills in: every Intent field but those intentctl sets itself.
IntentDraft = create_model(
    "IntentDraft",
    __config__=ConfigDict(extra="ignore"),
    __doc__="The structured intent a model fills in (the request text is added by intentctl).",
    **{name: (field.annotation, field) for name, field in Intent.model_fields.items()
       if name not in ("schema_version", "text", "warnings")},
)


class LLMFailure(Exception):
    """The model could not give a usable intent; ``reason`` says why in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _chat_model(settings: Settings, client):
    from langchain_openai import ChatOpenAI  # heavy: only on the online path

    return ChatOpenAI(model=settings.model, api_key=settings.api_key, base_url=settings.base_url,
                      timeout=settings.llm_timeout_s, max_retries=0, temperature=0, http_client=client)


def ask_model(text: str, settings: Settings, catalog: Catalog) -> tuple[Intent, int]:
    """(intent, attempts used) within ``settings.llm_timeout_s`` in all; raises LLMFailure."""
    from intent.llm.deadline import Deadline, DeadlineExceeded, Watch, http_client, run_within

    deadline, watch = Deadline(settings.llm_timeout_s), Watch()
    client = http_client(deadline, watch)
    try:
        return run_within(deadline, watch, lambda: _ask(text, settings, catalog, client, deadline, watch),
                          on_late=client.close)
    except DeadlineExceeded as exc:
        raise LLMFailure(str(exc)) from exc
    finally:
        client.close()


def _ask(text: str, settings: Settings, catalog: Catalog, client, deadline, watch) -> tuple[Intent, int]:
    from langchain_core.messages import HumanMessage, SystemMessage

    structured = _chat_model(settings, client).with_structured_output(IntentDraft, method="function_calling",
                                                                      include_raw=True)
    messages = [SystemMessage(system_prompt(catalog)), HumanMessage(f"Request: {json.dumps(text, ensure_ascii=False)}")]
    last: list[str] = []
    for attempt in range(1 + REPAIR_ATTEMPTS):
        result = _invoke(structured, messages, settings, deadline, watch)
        intent, last, raw = _check(text, result, catalog)
        if intent is not None:
            return intent, attempt + 1
        messages.append(HumanMessage(
            f"Your previous answer was {raw[:2000]}. It was rejected: {'; '.join(last)}. "
            "Call the function again with a corrected intent for the same request."))
    raise LLMFailure("the model's answer was rejected twice: " + "; ".join(last))


def _invoke(structured, messages, settings: Settings, deadline, watch) -> dict:
    """One answer, retrying transient faults while the wait fits the deadline."""
    from intent.llm.deadline import DeadlineExceeded

    for retry in range(settings.llm_retries + 1):
        try:
            return structured.invoke(messages)
        except DeadlineExceeded:
            raise
        except Exception as exc:  # any transport or client fault ends in a retry or the fallback
            reason = _fault(exc, deadline, watch)
            wait = _retry_wait(exc, retry)
            if wait is None or retry == settings.llm_retries:
                raise LLMFailure(reason) from exc
            if not deadline.fits(wait):
                raise LLMFailure(f"{reason}; a retry after {wait:g} s does not fit the {deadline.seconds:g} s "
                                 "time limit") from exc
            time.sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises


def _retry_wait(exc: Exception, retry: int) -> float | None:
    """How long to wait before retrying ``exc``: the server's Retry-After, else backoff; None
    when the fault is not transient."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status is None and "Connection" not in name and "Timeout" not in name:
        return None
    if status is not None and status not in RETRIED_STATUS:
        return None
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    for header, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            value = float(headers.get(header)) / divisor
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value >= 0:
            return value
    return BACKOFF_S * 2 ** retry


def _check(text: str, result: dict, catalog: Catalog) -> tuple[Intent | None, list[str], str]:
    raw_message = result.get("raw")
    raw = _raw_text(raw_message)
    error = result.get("parsing_error")
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, [f"invalid intent: {where}: {first['msg'][:300]}"], raw
    if error is not None:
        return None, [f"the answer is not valid intent JSON ({str(error)[:300]})"], raw
    invalid = getattr(raw_message, "invalid_tool_calls", None)
    if invalid:
        return None, [f"the answer is not valid intent JSON ({str(invalid[0].get('error') or 'unreadable arguments')[:300]})"], raw
    draft = result.get("parsed")
    if draft is None:
        return None, [f"no function call in the answer (the model said: {raw[:200]!r})"], raw
    try:
        intent = Intent(text=text, **draft.model_dump())
    except ValidationError as exc:
        return None, [f"invalid intent: {exc.errors()[0]['msg']}"], raw
    found = problems(intent, catalog)
    return (None if found else intent), found, raw


def _raw_text(message) -> str:
    if message is None:
        return "(nothing)"
    calls = getattr(message, "tool_calls", None) or getattr(message, "invalid_tool_calls", None)
    if calls:
        return json.dumps([c.get("args") for c in calls], ensure_ascii=False, default=str)
    return str(getattr(message, "content", "") or "(empty)")


def _fault(exc: Exception, deadline, watch) -> str:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    if "Timeout" in name or deadline.remaining() <= 0:
        return watch.describe_timeout(deadline.seconds)
    if status is not None:
        return f"the model endpoint answered HTTP {status} ({detail})"
    if "Connection" in name:
        return f"could not connect to the model endpoint ({detail})"
    return f"the model's reply could not be read ({name}: {detail})"
