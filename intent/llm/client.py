"""Ask an OpenAI-compatible chat model for an Intent through LangChain's structured output.

One call, then at most one repair attempt that sends the validation problems back; any
transport fault (timeout, connection, 429, 5xx, empty answer) ends the attempt at once.
The openai client's own bounded retries with backoff handle transient HTTP errors.
LangChain and OpenAI are imported here only, when an LLM is actually used.
"""

from __future__ import annotations

import json

from pydantic import ConfigDict, ValidationError, create_model

from hardware import Catalog
from intent.llm.checks import problems
from intent.llm.prompt import system_prompt
from intent.schema import Intent
from intent.settings import Settings

REPAIR_ATTEMPTS = 1


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


def _chat_model(settings: Settings):
    from langchain_openai import ChatOpenAI  # heavy: only on the online path

    return ChatOpenAI(model=settings.model, api_key=settings.api_key, base_url=settings.base_url,
                      timeout=settings.llm_timeout_s, max_retries=settings.llm_retries, temperature=0)


def ask_model(text: str, settings: Settings, catalog: Catalog) -> tuple[Intent, int]:
    """(intent, attempts used); raises LLMFailure."""
    from langchain_core.messages import HumanMessage, SystemMessage

    structured = _chat_model(settings).with_structured_output(IntentDraft, method="function_calling",
                                                               include_raw=True)
    messages = [SystemMessage(system_prompt(catalog)), HumanMessage(f"Request: {json.dumps(text, ensure_ascii=False)}")]
    last: list[str] = []
    for attempt in range(1 + REPAIR_ATTEMPTS):
        try:
            result = structured.invoke(messages)
        except Exception as exc:  # any transport or client fault ends in the fallback
            raise LLMFailure(_fault(exc)) from exc
        intent, last, raw = _check(text, result, catalog)
        if intent is not None:
            return intent, attempt + 1
        messages.append(HumanMessage(
            f"Your previous answer was {raw[:2000]}. It was rejected: {'; '.join(last)}. "
            "Call the function again with a corrected intent for the same request."))
    raise LLMFailure("the model's answer was rejected twice: " + "; ".join(last))


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


def _fault(exc: Exception) -> str:
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    if "Timeout" in name:
        return "the model did not answer within the time limit"
    if status is not None:
        return f"the model endpoint answered HTTP {status} ({detail})"
    if "Connection" in name:
        return f"could not connect to the model endpoint ({detail})"
    return f"the model's reply could not be read ({name}: {detail})"
