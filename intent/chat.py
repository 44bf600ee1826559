"""Chat in the terminal: each message refines the current intent and the plan is made again.

``ChatSession`` holds the conversation and answers one message at a time (so it can be used
from other front ends); ``run`` is the terminal loop around it, with line editing and history
(readline: the up arrow recalls earlier lines), and a clean end on Ctrl-C or Ctrl-D.

A message is read first as a command, a question or an export (lexicon.yaml's chat section,
English and Chinese; see intent.chat_language), else as a change to the request, merged into it
as intent.chat_merge says: what it names replaces what it clashes with, and what it leaves
unsaid stays ("no NVIDIA" adds an exclusion). Answers come in the message's language (or the
session's, with ``lang``). A turn that changes the plan answers with what changed and a
one-line summary; /show prints the whole plan.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from intent.chat_answers import LANGUAGES, configuration, say, summary, why_not_in
from intent.chat_context import corrected, device_count_misread, more_devices, read_in_context
from intent.chat_language import AFTER_A_QUESTION, Reading, has_words, language, read_message
from intent.chat_merge import lifts, merge
from intent.errors import NOTHING_READ, IntentError, IntentNotUnderstood
from intent.schema import Intent, Metric, Objective, Sense, WorkloadKind
from planner.figures import fmt

CONVERSATION_KIND = "intentctl-chat"
#: Readings that ask about the plan and change nothing.
QUESTIONS = ("why", "why_not", "explain")
#: A message asked, not said: "what if we add 4 more?", "如果再加4张A100呢？".
#: Words that relax a bound: "can be relaxed to", "loosen", "放宽".
RELAXING = re.compile(r"(?<![a-z])(?:relax(?:ed)?|loosen(?:ed)?|can\s+be|could\s+be|allow)(?![a-z])|放宽|放松|可以到")
#: A message asked as a question (a mark, or a can-it opening): "could we save some money?", "能再省点钱吗".
QUESTION = re.compile(r"[?？]$|[吗么呢][?？]?$|^(?:can|could|would|is there|what if|how about)\b|能不能|可不可以", re.IGNORECASE)
#: A battery's life asked of the plan: "how long would a 50 Wh battery last?", "电池能用多久？50瓦时",
#: "battery life on a 20Wh pack?" (a question, not an energy bound: "50瓦时" had become one).
BATTERY_ASKED = re.compile(r"(?=.*(?:battery|pack|电池|续航))(?=.*(?:how long|last|life|runtime|多久|多长时间|几个小时|续航))"
                           r"(?=.*?(?<![\d.])(?P<wh>\d+(?:\.\d+)?)\s*(?:wh|watt[- ]hours?|瓦时|瓦特时|瓦小时)(?![a-z]))"
                           r"(?=.*(?:[?？]|多久|多长时间|how long))", re.IGNORECASE | re.DOTALL)
#: A bare acknowledgement: it takes no offer ("ok, use that", "yes" and 好的, as the offer asks, do).
ACKNOWLEDGED = re.compile(r"^\s*(?:ok|okay|k|kk|alright|got it|i see|hmm+|mm+|嗯+|知道了|明白了?|了解)[\s.。!！~]*$",
                          re.IGNORECASE)
#: Dissatisfaction that names nothing to change: "不太满意", "not happy with this", "I don't like it".
UNSATISFIED = re.compile(r"不太满意|不满意|不太行|不喜欢|不理想|not (?:happy|satisfied|great|ideal)|don'?t like|do not like|"
                         r"not what i want|meh", re.IGNORECASE)
#: A question whether a job finishes by a date: "can we finish by tomorrow?", "will it be done by Friday?",
#: "能不能明天之前完成？", "明天能跑完吗？", "来得及吗".
FINISH_BY = re.compile(r"(?:can|could|will|would)\s+(?:we|it|this|you|the job)\s+(?:finish|be\s+done|complete|be\s+finished|"
                       r"be\s+ready)|(?:finish|done|ready|complete)\s+(?:by|before)\s+[a-z]|"
                       r"(?:能不能|能否|可不可以|可以|能)[^，,。]{0,8}(?:完成|跑完|训练完|做完|结束)|(?:完成|跑完|训练完|做完)吗|来得及吗",
                       re.IGNORECASE)
#: A change offered only if the plan fails: "if that doesn't work, relax it to 5 W", "不行的话放宽到5瓦".
FALLBACK = re.compile(r"^\s*(?:if\s+(?:that|it|this)\s+(?:doesn'?t|does\s+not|won'?t|can'?t|cannot)\s+(?:work|be\s+done|fit)|"
                      r"if\s+not|otherwise|failing\s+that|if\s+(?:that'?s|it'?s)\s+(?:not\s+possible|impossible|infeasible))"
                      r"[,，]?\s*(?:then\s+)?|^\s*(?:如果?)?(?:不行|做不到|满足不了|不可行)(?:的话)?[，,]?\s*(?:就|那就|那)?",
                      re.IGNORECASE)
#: A question that weighs a change ("would fp8 be cheaper?", "int4 会不会更快？"), not one about the plan's own.
WOULD_IT = re.compile(r"(?<![a-z])(?:would|could|cheaper|faster|slower|better)(?![a-z])|会不会|会更|更便宜|更快|更省")
#: A number format a question weighs: "would fp8 be cheaper?", "int4 会不会更快？".
PRECISION_ASKED = re.compile(r"(?<![a-z0-9])(?:fp32|fp16|bf16|fp8|int8|int4)(?![a-z0-9])")
#: Dropping what was just said: "nevermind", "never mind", "forget it", "算了".
NEVER_MIND = re.compile(r"^\s*(?:ok[,.]?\s+)?(?:never\s*mind|forget\s+it|scratch\s+that|no(?:pe)?|nah|no\s+thanks|"
                        r"keep\s+(?:it|the\s+(?:current\s+)?(?:plan|one))(?:\s+as\s+(?:it\s+is|is))?|算了|不用了|不要了|"
                        r"没事了?|保持(?:现状|原样)|还是原来的)[\s.。!！]*$", re.IGNORECASE)
#: A why about the plan's number format: "why did you pick that precision?", "为什么用int8？", "why fp8?".
WHY_FORMAT = re.compile(r"precision|quantiz|quantis|(?<![a-z0-9])(?:fp32|fp16|bf16|fp8|int8|int4)(?![a-z0-9])|精度|量化")
#: "go back" after a word on the plan: "too pricey, go back", "太贵了，回到上一步".
#: A new request after words that start over ("start over: ...", "new request: ...", "forget all that. ...", "重新来：...").
START_OVER_WITH = re.compile(r"^\s*(?:(?:forget\s+it|never\s*mind|scratch\s+that|算了|不用了)\s*[,，.。;；!！]*\s*)?"
                             r"(?:(?:let's\s+|lets\s+|ok\s+|okay\s+)?(?:start\s+(?:over|again|fresh)(?:\s+with)?|"
                             r"(?:a\s+)?new\s+(?:request|question|task|job|workload|thing|one)|"
                             r"forget\s+(?:all\s+(?:of\s+)?that|everything|it\s+all)|from\s+scratch|"
                             r"(?:a\s+)?(?:different|another|other)\s+(?:request|question|task|thing|one))|重新开始|重新来|重来|"
                             r"(?:换|另)(?:一)?个(?:需求|任务|问题|场景)|新(?:的)?(?:需求|任务|场景)|另外(?:一)?个(?:需求|任务))"
                             r"\s*[:：,，.。;；!！-]+\s*(?P<request>\S.*)$", re.IGNORECASE | re.DOTALL)
TRAILING_BACK = re.compile(r"^.{1,40}?[,，;；.。]\s*(?:go\s+back|undo\s+that|revert|回到上一步|回到上一个方案|退回去)\s*[.!。！]*$",
                           re.IGNORECASE)
#: A question about a device, then how many are held: "能用4090吗，我们自己有2张", "can we use 4090s? we have 2".
QUESTION_THEN_HELD = re.compile(r"^(?P<question>.{2,60}?(?:吗|[?？]))[，,\s]*(?:(?:我们|我|公司)(?:自己)?(?:有|手上有|手里有)|"
                                r"we\s+(?:have|own|got)|i\s+(?:have|own))\s*(?P<n>\d+)\s*(?:张|块|台|个|of\s+them|cards?|gpus?)?"
                                r"[\s.。!！]*$", re.IGNORECASE)
#: A question, then what is needed: "does that include redundancy? we need N+1", "有冗余吗？需要N+1".
QUESTION_THEN_NEED = re.compile(r"^[^?？]{1,80}[?？]\s*(?P<need>(?:we\s+(?:need|must|want)|i\s+need|must|need|需要|必须|要求|我们要)"
                                r".+)$", re.IGNORECASE)
#: A greeting alone: "hi", "hello there", "你好", "在吗".
GREETING = re.compile(r"^\s*(?:hi|hello|hey|hi there|hello there|good (?:morning|afternoon|evening)|你好|您好|嗨|在吗|哈喽)"
                      r"[\s!！.。?？~]*$", re.IGNORECASE)
#: A question whether the plan holds a load it names ("can it handle 2x the load?", "能扛住两倍流量吗"):
#: answered first from the plan's capacity.
CAN_HOLD = re.compile(r"(?<![a-z])(?:handle|cope|hold up|withstand|keep up)(?![a-z])|扛|撑|顶得住")
#: A change asked as a question ("三天内完成呢？", "and with int4?", "what about fp8?"): planned beside the plan.
ASKED_CHANGE = re.compile(r"(?:[?？]|呢)$")
#: A question what the last change did: "what changed?", "有哪些变化？", "有什么影响？".
WHAT_CHANGED = re.compile(r"what(?:'s| has| did)? changed?|what did (?:that|it) change|what changes|有哪些变化|有什么变化|"
                          r"变化是什么|改了什么|有什么影响|影响是什么|what(?:'s| is) the (?:impact|effect)|what difference")
#: A question why the plan got worse: "why is it more expensive?", "why so slow now?", "为什么变贵了？".
WHY_WORSE = re.compile(r"(?:more expensive|pricier|costlier|cost more|so expensive|slower|so slow|more power|higher)"
                       r"|变贵|贵了|更贵|变慢|慢了|更慢|功耗(?:变)?高了")
#: Devices held said to come on top of what the plan may use ("we also have 2 T4s", "另外我们还有4张A100"):
#: tried alone, and the plan kept where they cannot serve the request.
ALSO_HELD = re.compile(r"(?<![a-z])(?:also|too|as well|in addition|additionally|besides)(?![a-z])|还有|也有|另外|此外|另有")
ASKED = re.compile(r"[?？]$|呢$|^(?:what if|what about|how about|如果|要是|假如)", re.IGNORECASE)
DEFAULT_SAVE = "conversation.json"
#: Kept for callers that know the English question.
ASK_TASK = say("ask_task", "en")
HELP = say("help", "en")


@dataclass
class Reply:
    text: str
    plan: object | None = None
    done: bool = False
    show: bool = False  # the terminal prints the whole plan


@dataclass
class Turn:
    """One message and its answer; ``intent`` and ``plan`` are the state after it when it changed it."""

    message: str
    answer: str
    intent: Intent | None = None
    plan: object | None = None
    changed: bool = False
    undone: bool = False
    met: bool = True  # False: a change no plan met (the plan is still the one before it)


@dataclass
class ChatSession:
    offline: bool = False
    catalog_dir: str | None = None
    lang: str | None = None  # 'en' or 'zh' for every answer; None: each message's own language
    turns: list[Turn] = field(default_factory=list)
    speaking: str = "en"  # the language answers are in now
    #: the request the last comparison planned ("what if we had 4?"), for "ok use that"
    _offered: Intent | None = field(default=None, repr=False)
    #: the state a question is answered about, where it is not the last (a change no plan met)
    _viewing: Turn | None = field(default=None, repr=False)
    #: why the last request or change got no plan, for "why can't this work?" (None once one is planned)
    _refusal: str | None = field(default=None, repr=False)
    #: the figure the last question asked about, what "halve it" is of
    _last_figure: Metric | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.lang is not None and self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {self.lang!r}")
        self.speaking = self.lang or "en"

    @property
    def _state(self) -> Turn | None:
        if self._viewing is not None:
            return self._viewing
        return next((t for t in reversed(self.turns) if t.changed), None)

    def _last_met(self) -> Turn | None:
        """The last state with a plan that met its request."""
        return next((t for t in reversed(self.turns) if t.changed and not t.undone and t.plan is not None and t.met),
                    None)

    @property
    def intent(self) -> Intent | None:
        return self._state.intent if self._state else None

    @property
    def plan(self):
        return self._state.plan if self._state else None

    # -- one message --------------------------------------------------------------------------

    def answer(self, message: str) -> Reply:
        message = message.strip()
        if not message:
            return Reply("")
        if not message.startswith("/") and (self.lang or not self.turns or has_words(message)):
            # a message of figures alone ("p99 500ms") keeps the conversation's language
            self.speaking = self.lang or language(message)
        if (fresh := START_OVER_WITH.match(message)) is not None and self.intent is not None:
            # "start over: classify images at 1000 req/s": a new request, nothing of the old one kept (it had been
            # merged into it, the old job bound and on-prem kept)
            self.answer("/reset")
            return self.answer(fresh.group("request"))
        reply, state = self._answer(message)
        changed_plan = state is not None and state[1] is not None and reply.plan is state[1]
        first = reply.text.splitlines()[0] if reply.text else ""
        if first == "{":  # "/json": the plan as JSON, not its first brace
            first = self._say("json_shown")
        turn = Turn(message, summary(state[1], self.speaking) if changed_plan else first)
        if state is not None:
            turn.intent, turn.plan, turn.changed, turn.met = state[0], state[1], True, changed_plan or state[1] is None
        self.turns.append(turn)
        return reply

    def _question_as_request(self, message: str, reading) -> tuple[Reply, tuple | None] | None:
        """A first message asked as a question that holds a request ("what GPU do I need for qwen2.5
        32b?", "部署llama 70b要多少钱？"): planned, with the figure it asks about; None when it names
        no task or model (it had been told there is no plan yet)."""
        from intent.api import parse

        try:
            asked = parse(message, offline=self.offline, catalog_dir=self.catalog_dir)
        except IntentError:
            return None
        if asked.task is None and not asked.workload.model and not asked.workload.models:
            return None
        reply, state = self._refine(message)
        if reply.plan is None or reading.kind != "explain":
            return reply, state
        from intent.chat_questions import explain

        asked_about = re.sub(r"deploy\w*|部署|上线", " ", reading.what)  # the request's verb, not its steps asked
        answer = explain(reply.plan, asked_about, self.speaking, self._catalog())
        return Reply(f"{reply.text}\n{answer}", plan=reply.plan, show=reply.show), state

    def _answer(self, message: str) -> tuple[Reply, tuple | None]:
        if message.startswith("/"):
            name, *args = message.split()
            return self._command(name[1:], args)
        if (trailing := TRAILING_BACK.match(message)) is not None and self.plan is not None:
            return self._command("back", [])  # "too pricey, go back": the plan before
        if (held := QUESTION_THEN_HELD.match(message)) is not None and self.plan is not None:
            # "能用4090吗，我们自己有2张": a question about the device, the count held (it had changed the plan, 2 records)
            asked = read_message(held.group("question"))
            if asked.kind == "why_not" and asked.what:
                return Reply(self._why_not(Reading("why_not", what=asked.what, count=int(held.group("n")), held=True))), None
        if (asked := QUESTION_THEN_NEED.match(message)) is not None and self.intent is not None:
            return self._answer(asked.group("need"))  # "does that include redundancy? we need N+1": the need
        reading = read_message(message)
        if reading.kind == "command":
            return self._command(reading.command, [])
        if FINISH_BY.search(message) and not re.search(r"\d", message) and self.plan is not None \
                and (hours := self._job_hours()) is not None:
            # "can we finish by tomorrow?", "明天能跑完吗？": the job's time, the date's hours not known
            return Reply(self._say("finish_by", hours=fmt(hours, "job_time"))), None
        if (battery := BATTERY_ASKED.search(message)) is not None and self.plan is not None:
            return Reply(self._battery_life(battery)), None  # "电池能用多久？50瓦时": asked, no energy bound
        if reading.kind in QUESTIONS and self.intent is None and (asked := self._question_as_request(message, reading)):
            return asked  # "how much would it cost to serve llama 3.1 70b for 100 users?": planned, then answered
        if reading.kind in QUESTIONS and (self.plan is None or not self._state.met):
            # a question is no change: "why not H100?" after a change no plan meets ruled the H100 out; asked
            # after such a change, it is answered about the last plan that met its request, and says so
            # ("why?" and "why not H100?" are of the request as it stands: its reasons were said)
            if reading.kind == "why_not" and self._viewing is None and self.intent is not None \
                    and (met := self._last_met()) is not None:
                # "what about 4 H100s?" after a change no plan met: the request as it stands on that device, against
                # the last plan that met one (it had been refused, though it is the question that resolves it)
                view = Turn(message, "", intent=self.intent, plan=met.plan, changed=True)
                self._viewing = view
                try:
                    reply, _ = self._answer(message)
                finally:
                    self._viewing = None
                return Reply(self._say("what_if_unmet") + "\n" + reply.text), None
            last = self._last_met() if self._viewing is None and self.intent is not None and reading.kind == "explain" \
                else None
            if last is None and reading.kind == "why" and self._refusal:  # "why can't this work?", "为什么不行？"
                return Reply(self._say("why_no_plan") + "\n" + self._refusal), None
            if last is None:
                return Reply(self._say(self._no_plan_key())), None
            self._viewing = last
            try:
                reply, _ = self._answer(message)
            finally:
                self._viewing = None
            return Reply(self._say("about_last_plan") + "\n" + reply.text), None
        if reading.kind in ("why", "explain") and WHY_WORSE.search(message.lower()) and self._changed_by():
            return Reply(self._why_worse()), None  # "why is it more expensive?" after "use H200 instead"
        if reading.kind in ("explain", "cheaper") and self.plan is not None and QUESTION.search(message.strip()) \
                and WOULD_IT.search(message.lower()) and (format_named := PRECISION_ASKED.search(message.lower())):
            # "would fp8 be cheaper?", "换成 int4 会不会更便宜?": that format planned beside, as "what about int4?" is
            return Reply(self._why_not(Reading("why_not", what=format_named.group(0)))), None
        if (reading.kind == "explain" or (reading.kind == "cheaper" and QUESTION.search(message.strip()))) \
                and self.plan is not None and (other := self._other_device(message)):
            # "what would it cost on MI300X?", "用A100会不会更便宜？": that device compared, not the plan's own figure
            return Reply(self._why_not(Reading("why_not", what=other))), None
        if reading.kind == "why" and self.plan is not None and WHY_FORMAT.search(message.lower()):
            from intent.chat_answers import metric_name, objective_of

            c = self.plan.choice  # "why did you pick that precision?": the format, and what chose it
            allowed = [p.value for p in self.plan.intent.precisions]
            if allowed and len(allowed) <= 2 and c.precision in allowed:  # "fp16 please": the request's own
                return Reply(self._say("why_precision_asked", precision=c.precision, allowed=", ".join(allowed))), None
            return Reply(self._say("why_precision", precision=c.precision, runtime=c.runtime, device=c.device_id,
                                   metric=metric_name(objective_of(self.plan)[0], self.speaking))), None
        if reading.kind == "why":
            from intent.chat_questions import why

            return Reply(why(self.plan, self.speaking)), None
        if (reading.kind == "why_not" or (reading.kind == "cheaper" and QUESTION.search(message.strip()))) \
                and self.plan is not None and not self._names_devices(reading.what) \
                and (asked := self._asked_what_if(message)) is not None:
            return Reply(asked), None  # "can it handle 2x the load?", "能再省点钱吗？", "如果只有4张H100呢？"
        if reading.kind == "why_not":
            return Reply(self._why_not(reading)), None
        if reading.kind == "explain" and WHAT_CHANGED.search(message.lower()):  # "what changed?", "有哪些变化？"
            return Reply(self._last_changes()), None
        if reading.kind == "explain":
            from intent.chat_questions import explain
            from intent.chat_relative import metric_named

            self._last_figure = metric_named(message.lower()) or self._last_figure  # what "halve it" halves
            return Reply(explain(self.plan, reading.what, self.speaking, self._catalog())), None
        if reading.kind == "accept" and reading.count:  # "take the second alternative"
            return self._take_alternative(reading.count)
        if reading.kind == "accept":  # "ok use that": the configuration the last question compared
            if self._offered is None and self.plan is not None and self._state.met:  # "ok", nothing offered: it stays
                return Reply(self._say("kept", summary=summary(self.plan, self.speaking))), None
            if self._offered is None:
                return Reply(self._say("nothing_offered")), None
            if ACKNOWLEDGED.match(message) and self.plan is not None and self._state.met:
                # "ok", "好的" after a what-if: heard, not taken ("what if traffic doubles?" then "ok" had planned it)
                return Reply(self._say("kept_offer_open", summary=summary(self.plan, self.speaking))), None
            offered, self._offered = self._offered, None
            return self._plan(offered, cheaper=False)
        if reading.kind == "export":
            return self._command("export", [reading.what, *([reading.where] if reading.where else [])])
        if reading.kind == "change" and (fallback := FALLBACK.match(message)) is not None:
            if self.plan is not None and self._state.met:
                # "不行的话放宽到5瓦", "if that doesn't work, relax it to 5 W": the plan works, so nothing changes
                return Reply(self._say("fallback_not_needed", summary=summary(self.plan, self.speaking))), None
            message = message[fallback.end():].strip(" ,，")  # no plan now: the fallback is the change
        more = None
        if self.intent is not None and reading.kind in ("change", "cheaper"):

            # "make it 20% faster", "预算减半": the figure scaled; "add 2 more L40S": devices held added
            more = self._relative(message) or more_devices(message, self.intent, self._catalog(), self.plan)
        if more is not None:  # asked ("如果再加4张A100呢？", "what if it were 20% cheaper?"), compared beside the plan
            merged = merge(self.intent, more, self._catalog())
            if ASKED.search(message.strip()) and self.plan is not None and self._state.met:
                from intent.chat_questions import what_if

                text, self._offered = what_if(self.plan, more.assumptions[0].split("' read as ")[1].split(":")[0],
                                              merged, self.speaking, self._plan_request, self._catalog())
                return Reply(text), None
            self._offered = None
            return self._plan(merged, cheaper=False)
        return self._refine(message, cheaper=reading.kind == "cheaper")

    def _names_devices(self, what: str) -> bool:
        """Whether a question's words name several devices ("L4 or T4"): compared each, not a what-if."""
        from intent.chat_language import DEVICES_APART
        from intent.chat_questions import device_named

        parts = [p for p in DEVICES_APART.split(what) if p.strip()]
        return len(parts) > 1 and all(device_named(p, self._catalog()) for p in parts)

    def _asked_what_if(self, message: str) -> str | None:
        """A question about the plan under a scaled load or for less money: the change planned beside
        the plan and compared, offered for "ok use that"; None for any other question (a device or a
        count of devices: the why-not path)."""
        from intent.chat_context import SCALED, read_in_context
        from intent.chat_language import cheaper_asked
        from intent.chat_questions import what_if

        catalog = self._catalog()
        update, label, on = None, "", None
        # the first question is what is asked: "can we use the cloud instead? it would be cheaper right?" weighs
        # the cloud, not a cheaper plan anywhere
        message = AFTER_A_QUESTION.split(message, maxsplit=1)[0]
        if (found := SCALED.search(message)) is not None:
            update, label = read_in_context(message, self.intent, catalog), found.group(0).strip()
            if update is None and not _has_load(self.intent):  # "what if traffic triples?" with no load stated
                return self._say("no_load_to_scale")
        elif cheaper_asked(message):
            update, label = Intent(text=message, objective=Objective(metric=Metric.COST, sense=Sense.MINIMIZE)), \
                self._say("cheaper_label")
            on = "job_cost" if self.plan.job is not None else "cost"
        if update is None:
            return None
        use = "好的，就用它" if self.speaking == "zh" else "ok, use that"
        merged = merge(self.intent, update, catalog)
        text, self._offered = what_if(self.plan, label, merged, self.speaking, self._plan_request, catalog, on, use,
                                      scaled=on is None)
        if on is None and CAN_HOLD.search(message.lower()):  # "can it handle 2x the load?": whether it does, first
            from intent.chat_questions import headroom

            text = headroom(self.plan.model_copy(update={"intent": merged}), self.speaking) + "\n" + text
        if on == "cost" and self._offered is not None and self.plan.job is None:
            # "能省点钱吗？" of a plan the request holds to a device: what holds the cost up, and by how much
            from intent.chat_questions import cheaper as blockers

            cheapest = self._plan_request(merged, None)
            if _not_cheaper(self.plan, cheapest):
                text += "\n" + blockers(cheapest, self.speaking, self._plan_request)
        return text

    def _no_plan_key(self) -> str:
        """Why there is no plan to answer about: no request yet, a request never planned (refused, or
        naming no task), or a change no plan met."""
        if self.intent is None:
            return "no_plan"
        return "no_plan_now" if any(t.plan is not None for t in self.turns) else "no_plan_yet"

    def _take_alternative(self, n: int) -> tuple[Reply, tuple | None]:
        """The plan's ``n``-th runner-up (as /alternatives lists them), planned as the request on
        its devices."""
        if self.plan is None or not self._state.met:
            return Reply(self._say("no_plan_now" if self.intent is not None else "no_plan")), None
        runner_ups = [a for a in self.plan.alternatives if a.feasible]
        if not 1 <= n <= len(runner_ups):
            return Reply(self._say("no_alternatives") if not runner_ups else
                         self._say("alternative_count", count=len(runner_ups))), None
        choice = runner_ups[n - 1].choice
        _, offered = self._compared(Reading("why_not", what=choice.device_id))
        if offered is None:
            return Reply(self._say("no_alternatives")), None
        self._offered = None
        return self._plan(offered, cheaper=False)

    def _relative(self, message: str) -> Intent | None:
        """The message's relative changes ("halve the budget and double the deadline"), with its
        other changes read as any other ("cut the cost by 50% and allow 60 ms per token"), as one
        follow-up; None when it holds none."""
        from intent.api import parse
        from intent.chat_relative import relative_changes

        changes, rest = relative_changes(message, self.intent, self.plan if self._state.met else None,
                                         self._catalog(), it=self._last_figure)
        if not changes:
            return None
        update = changes[0]
        for change in changes[1:]:
            update = merge(update, change, self._catalog())
        if rest:
            try:
                update = merge(update, parse(rest, offline=self.offline, catalog_dir=self.catalog_dir), self._catalog())
            except IntentError:
                pass  # what else it says is not a change the parser reads
        return update

    def _say(self, key: str, **values) -> str:
        return say(key, self.speaking, **values)

    def _not_understood(self, reason: str) -> str:
        """That a message is no change, with the parser's reason where it read something it could
        not use ("'¥200': an amount in a currency other than US dollars is not converted")."""
        if reason == NOTHING_READ:
            return self._say("not_understood")
        return self._say("not_understood_because", reason=reason)

    # -- refining -----------------------------------------------------------------------------

    def _refine(self, message: str, cheaper: bool = False) -> tuple[Reply, tuple | None]:
        from intent.api import parse

        if self.intent is not None and (said := corrected(message, self.intent)) is not None:
            message = said  # "no, I meant $200 per month": the figure, as a request says it

        try:
            update = parse(message, offline=self.offline, catalog_dir=self.catalog_dir)
        except IntentNotUnderstood as exc:
            if self.intent is None:  # with what the parser found wrong, where it found something ("'tts': no model…")
                reason = "" if exc.reason == NOTHING_READ else exc.reason
                return Reply("\n".join(x for x in (reason, self._say("ask_task")) if x)), None
            update = self._in_context(message)
            if update is None and cheaper:  # "let's save some money": the cost, whatever else was not read
                update = Intent(text=message, objective=Objective(metric=Metric.COST, sense=Sense.MINIMIZE))
            if update is None:  # "latency doesn't matter", "forget the budget": the merge lifts it
                if exc.reason == NOTHING_READ and (QUESTION.search(message) or GREETING.match(message)):
                    return Reply(self._say("off_topic")), None  # "今天天气怎么样？", "你好": what can be asked
                if NEVER_MIND.match(message) and self.plan is not None:  # "不要了" reads as a ruling out of nothing
                    self._offered = None  # "no" to a what-if: the offer is declined, not left for a later "ok"
                    return Reply(self._say("never_mind", summary=summary(self.plan, self.speaking))), None
                if exc.reason == NOTHING_READ and UNSATISFIED.search(message):
                    return Reply(self._say("what_to_change")), None  # "不太满意", "not happy with it"
                return Reply(self._not_understood(exc.reason)), None
        if self.intent is not None:
            update = _job_time_of_a_job(update, self.intent)  # "we need it done in 10 minutes" of a batch job
            update = _bound_not_objective(update)  # "lower latency pls, like 10ms": the bound, not latency at any cost
        self._offered = None  # a change makes the last comparison's offer stale (a message not read leaves it)
        if self.intent is not None:  # "我们只有 8 张": devices, not a dataset of 8
            update = device_count_misread(message, update, self.intent, self._catalog()) or update
        intent = update if self.intent is None else merge(self.intent, update, self._catalog())
        if self.plan is not None and self._state.met and ASKED_CHANGE.search(message.strip()) and not cheaper:
            # "三天内完成呢？", "and with int4?": asked, so planned beside the plan and offered, not made
            from intent.chat_questions import what_if

            label = re.sub(r"^(?:and|so|then|那|那么)\s*|[?？]$|呢[?？]?$", "", message.strip(), flags=re.IGNORECASE).strip()
            text, self._offered = what_if(self.plan, label or message, intent, self.speaking, self._plan_request,
                                          self._catalog(), scaled=_scales_the_work(update))
            return Reply(text), None
        if intent.task is None and intent.workload.model is None:
            # what the reading could not hold first ("'bge-reranker-base': not in the model catalog")
            return Reply("\n".join([*(self._say("warning", text=w) for w in update.warnings),
                                    self._say("ask_task")])), (intent, None)
        asks_cheapest = update.objective is not None and update.objective.metric == Metric.COST \
            and update.objective.sense == Sense.MINIMIZE  # "用最便宜的": what holds the cost up is said too
        reply, state = self._plan(intent, cheaper or asks_cheapest)
        if self.plan is not None and update.hardware.owned and ALSO_HELD.search(message.lower()) \
                and (state is None or reply.plan is None):
            # "we also have 2 T4s" for a 70B model: held beside what the plan may rent, not instead of it
            held = ", ".join(f"{o.count} x {o.device}" for o in update.hardware.owned)
            return Reply("\n".join([self._say("held_not_enough", devices=held),
                                    *(f"  {line}" for line in reply.text.splitlines()[:-1][:3]),
                                    self._say("plan_stays", devices=held, summary=summary(self.plan, self.speaking))])), None
        tighter = self._tightened(message, intent)
        if tighter:
            reply = Reply("\n".join([*tighter, reply.text]), plan=reply.plan, show=reply.show)
        return reply, state

    def _other_device(self, message: str) -> str | None:
        """The words of a device a question names beside the plan's own ("on MI300X", "用A100"); None when
        it names none, or only the plan's."""
        from intent.parser.devices import device_phrases
        from intent.parser.lexicon import load_lexicon
        from intent.parser.text import normalise

        catalog = self._catalog()
        text = normalise(message, load_lexicon())
        current = catalog.device(self.plan.choice.device_id)
        for m in device_phrases(catalog).scan(text):
            if m.key not in (current.id, current.family):
                return text[m.start:m.end]
        return None

    def _job_hours(self) -> float | None:
        """The plan's job time: a training job's, or a batch's at its planned rate; None for a service."""
        from intent.chat_answers import batch_job

        if self.plan.job is not None:
            return self.plan.job.hours
        batch = batch_job(self.plan)
        return batch[0] if batch is not None else None

    def _battery_life(self, asked: re.Match) -> str:
        """How long a battery of the capacity asked runs the plan: its watt-hours over the plan's power
        at the planned load."""
        wh = float(asked.group("wh"))
        power = self.plan.metrics.power_w
        if not power:
            return self._say("battery_unknown", device=self.plan.choice.device_id)
        return self._say("battery_life", hours=f"{wh / power:,.1f}", wh=f"{wh:g}", power=fmt(power, "power"))

    def _changed_by(self) -> str | None:
        """The message of the last change that made a new plan; None when there is one plan so far."""
        turns = [t for t in self.turns if t.changed and not t.undone and t.plan is not None]
        return turns[-1].message if len(turns) >= 2 else None

    def _why_worse(self) -> str:
        """Why the plan got dearer or slower: the last change, by its words, and what it made of the plan."""
        return "\n".join([self._say("worse_by", message=self._changed_by()), self._last_changes()])

    def _last_changes(self) -> str:
        """What the last change made of the plan: the changes between the plan before it and now."""
        from intent.history import plan_changes

        plans = [t.plan for t in self.turns if t.changed and not t.undone and t.plan is not None]
        if len(plans) < 2:
            return self._say("no_change_yet")
        changes = plan_changes(plans[-2], plans[-1])
        return "\n".join([self._say("changed"), *(f"  {c}" for c in changes)]) if changes else self._say("no_change")

    def _default_level_back(self, previous, result) -> list[str]:
        """A change whose own objective comes out worse because the default service level, out of
        reach before, now holds ("use the lowest power option" with a budget: a 301 W card meeting
        TPOT <= 40 ms instead of a 64 W one missing it): said, with how to trade the level away."""
        from intent.chat_answers import metric_name, objective_of
        from planner.single import LEVEL_OUT_OF_REACH

        if previous is None or result.intent.objective is None:
            return []
        gave_way = next((a for a in previous.assumptions if LEVEL_OUT_OF_REACH in a), None)
        if gave_way is None or any(LEVEL_OUT_OF_REACH in a for a in result.assumptions):
            return []
        metric, sense = objective_of(result)
        from intent.chat_questions import deployment_value

        before, after = deployment_value(previous, metric), deployment_value(result, metric)
        if before is None or after is None or (after <= before if sense == "minimize" else after >= before):
            return []
        if not _meets_level(result, _level_bounds(gave_way)):
            return []  # the level was lifted ("latency doesn't matter"), not met: something else raised the figure
        return [self._say("level_back", metric=metric_name(metric, self.speaking), before=fmt(before, metric),
                          after=fmt(after, metric), bounds=_level_bounds(gave_way))]

    def _default_level_gone(self, previous, result) -> list[str]:
        """A change after which the default service level is out of reach ("预算减半" of a 70B chat: a
        CPU at 10.7 s to the first token): said, since the times it held are no longer held."""
        from planner.single import LEVEL_OUT_OF_REACH

        gone = next((a for a in result.assumptions if LEVEL_OUT_OF_REACH in a), None)
        if previous is None or gone is None or any(LEVEL_OUT_OF_REACH in a for a in previous.assumptions):
            return []
        return [self._say("level_gone", bounds=_level_bounds(gone))]

    def _tightened(self, message: str, intent: Intent) -> list[str]:
        """A bound said to relax ("p99延迟可以放宽到1秒", "latency can be relaxed to 1 s") that is tighter
        than the one the plan had, a default included (speech's 30 s): said, since the plan gets dearer.
        The bounds are the merged request's that the message changed ("latency" of a chat service is
        its TTFT), so a relaxed TTFT is not compared with the plan's request latency."""
        if self.plan is None or not RELAXING.search(message.lower()):
            return []
        from intent.chat_answers import metric_value

        lines = []
        for c in (c for c in intent.constraints if c not in self.plan.intent.constraints):
            before = self.plan.intent.bound(c.metric, c.op)
            key = "tightens"
            if before is None:  # no bound of its own: the plan's figure now ("放宽到1秒" of a 17.9-s transcription)
                before, key = metric_value(self.plan, c.metric.value), "tightens_figure"
            if before is not None and (c.value < before if c.op == "<=" else c.value > before):
                lines.append(self._say(key, bound=c.describe(), before=fmt(before, c.metric.value)))
        return lines

    def _in_context(self, message: str) -> Intent | None:
        """A follow-up the parser finds nothing in, read against the request: a lifted bound
        ("drop the TTFT target"), a size, users, a count (chat_context); None when it is none."""
        return Intent(text=message) if lifts(message) else read_in_context(message, self.intent, self._catalog())

    def _plan(self, intent: Intent, cheaper: bool) -> tuple[Reply, tuple | None]:
        from hardware.errors import CatalogError
        from intent.api import plan
        from intent.history import plan_changes
        from planner.errors import InfeasibleError, PlanningError
        from policies.errors import PolicyError

        previous = self.plan
        try:
            result = plan(intent, catalog_dir=self.catalog_dir)
        except InfeasibleError as exc:
            from intent.chat_answers import infeasible_lines

            head, rest = infeasible_lines(exc.report, self.speaking)
            lines = [self._say("no_plan_for_change", reason=head)] + [f"  - {line}" for line in rest]
            self._refusal = "\n".join(lines)
            return Reply("\n".join([*lines, self._say("relax_or_undo")])), (intent, previous)
        except (IntentError, PlanningError, PolicyError, CatalogError) as exc:
            # A refusal or an unreadable setting is an answer; the conversation and its plan stay. A
            # first request refused is kept, so what follows refines it ("部署 glm-4 9b，数据不能出本地
            # 机房" lost the on-prem wish with the unknown model, and "换成 qwen2.5 7b" asked for a task).
            hint = getattr(exc, "hint", "")
            self._refusal = f"{exc}" + (f"\n({hint})" if hint else "")
            return Reply(self._refusal), (intent, None) if previous is None else None
        self._refusal = None
        lines = self._new_warnings(previous, result)
        if previous is not None:
            changes = plan_changes(previous, result)
            lines += [self._say("changed"), *(f"  {c}" for c in changes)] if changes else [self._say("no_change")]
        lines += self._default_level_back(previous, result) + self._default_level_gone(previous, result)
        lines.append(f"{summary(result, self.speaking)} {self._say('show_hint')}")
        if cheaper and previous is not None and _not_cheaper(previous, result):
            from intent.chat_questions import cheaper as blockers

            lines.append(blockers(result, self.speaking, self._plan_request))
        return Reply("\n".join(lines), plan=result), (intent, result)

    def _new_warnings(self, previous, result) -> list[str]:
        """The plan's warnings a turn has not shown yet: a warning must be seen, once."""
        seen = set(previous.warnings) if previous is not None else set()
        return [self._say("warning", text=w) for w in result.warnings if w not in seen]

    def _catalog(self):
        from hardware import load_catalog

        return load_catalog(self.catalog_dir)

    def _plan_request(self, intent: Intent, inventory):
        """Plan an Intent as this session plans (its catalog and policy), unrecorded."""
        from intent.agent import build_plan
        from intent.settings import load_settings

        settings = load_settings()
        organisation = None
        if settings.policy_path:
            from policies import load_policy

            organisation = load_policy(settings.policy_path, self._catalog())
        return build_plan(intent, self._catalog(), settings, inventory, alternatives=0,
                          organisation=organisation)

    def _why_not(self, reading: Reading) -> str:
        """The answer to a question about another configuration; the request it planned is kept as
        the one offered ("ok use that" takes it). A question naming several devices ("L4 和 T4 哪个
        更合适？", "compare H100 with MI300X") is answered for each, and offers none."""
        from intent.chat_language import DEVICES_APART

        if self._names_devices(reading.what):
            parts = [p for p in DEVICES_APART.split(reading.what) if p.strip()]
            answers = [self._compared(Reading("why_not", what=p))[0] for p in parts]
            self._offered = None
            return "\n".join(answers)
        text, self._offered = self._compared(reading)
        return text

    def _compared(self, reading: Reading) -> tuple[str, Intent | None]:
        """A question about another configuration: a device ("why not H100?", "what if we had 8
        L4s?", "what if we had 4?": more of the current one), else any change the parser reads in it
        ("what about int4?", "why not on CPU?"), planned beside the current plan and compared. The
        change is made to the request as written, not to the plan's derived intent, so an offer
        taken keeps a deadline a deadline."""
        from intent.chat_questions import device_named, what_if, why_not

        if reading.count and not reading.what:  # "what if we had 4?": that many of the devices it has or uses
            counted = read_in_context(f"with {reading.count}", self.intent, self._catalog())
            if counted is not None:
                return what_if(self.plan, f"{reading.count} x {self.plan.choice.device_id}",
                               merge(self.intent, counted, self._catalog()), self.speaking, self._plan_request,
                               self._catalog())
        what = reading.what or (self.plan.choice.device_id if reading.count else "")
        if what == "gpu" and reading.count and self._catalog().device(self.plan.choice.device_id).device_class == "gpu":
            what = self.plan.choice.device_id  # "what if we only had 16 GPUs?" of a plan on GPUs: 16 of them
        # "what if it were 20% cheaper?", "如果再加4张L40S呢？": a relative change, devices added
        said = f"{reading.count} {what}" if reading.count and re.match(r"more\b|多", what) else what  # "8 more GPUs"
        scaled = (self._relative(what) or more_devices(said, self.intent, self._catalog(), self.plan)) if what else None
        if scaled is not None:
            times = [c.metric.value for c in scaled.constraints if c.metric.value in ("latency", "ttft", "tpot")]
            # "can we make it faster?": weighed on the time it brings down, not on cost
            return what_if(self.plan, what, merge(self.intent, scaled, self._catalog()), self.speaking,
                           self._plan_request, self._catalog(), on=times[0] if times else None)
        if device_named(what, self._catalog()) is not None:
            return why_not(self.plan, what, reading.single, self.speaking, self._plan_request,
                           self._catalog(), reading.count, self.intent, held=reading.held)
        from intent.api import parse
        from intent.chat_context import FIGURE_ALONE, as_bound

        if reading.count and what and not what.startswith(str(reading.count)):
            what = f"{reading.count} {what}"  # "what about 2 cameras?", "what if 20 steps?": the count is the change's
        if FIGURE_ALONE.match(what):  # "如果12小时呢？": the job's time, the budget or the latency
            what = as_bound(what, self.intent) or what
        # "what if the deadline were 2 hours?": a supposition, not a figure of the past
        supposed = re.sub(r"(?<![a-z])(?:were|was|had been)(?![a-z])", "of", what)
        try:
            update = parse(supposed, offline=self.offline, catalog_dir=self.catalog_dir)
        except IntentError as exc:
            update = self._in_context(what) or (self._in_context(f"make it {what}") if reading.count else None)
            # "what if we drop the first-token target?", "what about 2 cameras?"
            reason = getattr(exc, "reason", "")
            if update is None and reason and reason != NOTHING_READ:  # "what about carbon emissions?": why not
                return self._say("not_understood_because", reason=reason), None
            if update is None:
                return self._say("why_not_unknown", what=what), None
        # "can we make it faster?": weighed on the figure it asks for, not the plan's own objective (it had said
        # the faster plan "loses on cost")
        on = update.objective.metric.value if update.objective is not None else None
        if on == "latency" and self.plan.metrics.ttft_ms is not None:
            on = "ttft"  # a served LLM's speed a user sees first
        return what_if(self.plan, what, merge(self.intent, update, self._catalog()), self.speaking,
                       self._plan_request, self._catalog(), on=on, scaled=_scales_the_work(update))

    # -- commands -----------------------------------------------------------------------------

    def _command(self, name: str, args: list[str]) -> tuple[Reply, tuple | None]:
        simple = {"quit": lambda: Reply(self._say("bye"), done=True), "exit": lambda: Reply(self._say("bye"), done=True),
                  "q": lambda: Reply(self._say("bye"), done=True), "help": lambda: Reply(self._say("help")),
                  "history": self._history, "thanks": lambda: Reply(self._say("thanks"))}
        if name in simple:
            return simple[name](), None
        if name == "reset":
            return Reply(self._say("starting_over")), (None, None)
        if name == "undo":
            return self._undo(), None
        if name == "back":  # "go back": to the plan before, where there is one
            return (self._undo() if self._earlier() else Reply(self._say("no_earlier_plan"))), None
        if name == "original":  # "go back to the original plan": every change after the first undone
            return self._back_to_first(), None
        if name == "redo":
            return self._redo(), None
        if name == "load":
            return self._load(args), None
        if name not in ("json", "alternatives", "export", "save", "show"):
            return Reply(self._say("unknown_command", name=f"/{name}")), None
        if name == "save":
            return self._save(args), None
        if self.plan is None:  # a request no plan meets has its own answer: it is not a missing task
            return Reply(self._say(self._no_plan_key())), None
        if name == "show":
            return Reply("", plan=self.plan, show=True), None
        if name == "json":
            return Reply(self.plan.model_dump_json(indent=2)), None
        if name == "alternatives":
            # numbered as "take the second one" counts them: those that meet the request, then the rest unnumbered
            # ("take the fourth one" of five listed had said there are three)
            feasible = [a for a in self.plan.alternatives if a.feasible]
            rest = [a for a in self.plan.alternatives if not a.feasible]
            lines = [f"{n}. " + self._say("alternative", configuration=configuration(a.choice),
                                          why_not=why_not_in(a.why_not, self.speaking))
                     for n, a in enumerate(feasible, 1)]
            lines += ["- " + self._say("alternative_infeasible", configuration=configuration(a.choice),
                                       why_not=why_not_in(a.why_not, self.speaking)) for a in rest]
            return Reply("\n".join(lines) or self._say("no_alternatives")), None
        return self._export(args), None

    def _export(self, args: list[str]) -> Reply:
        from intent.export import ExportError, write

        kind = args[0] if args else "k8s"
        if kind == "json":  # "export json": the plan itself, as /json prints it
            return self._export_json(Path(args[1]).expanduser() if len(args) > 1 else Path("."))
        try:
            paths = write(self.plan, self._catalog(), kind, Path(args[1]).expanduser() if len(args) > 1 else ".")
        except ExportError as exc:
            return Reply(f"{exc} ({exc.hint})")
        except OSError as exc:
            return Reply(f"{exc.strerror or exc}: {exc.filename}")
        wrote = self._say("wrote", paths=", ".join(str(p) for p in paths))
        if self._state is not None and not self._state.met:  # the last plan that met its request, not the current one
            wrote = self._say("exported_last_met") + "\n" + wrote
        return Reply(wrote)

    def _export_json(self, folder: Path) -> Reply:
        from intent.deploy.target import from_plan

        if folder.suffix.lower() == ".json" and not folder.is_dir():  # "export json to plan_out.json": that file
            folder, path = folder.parent, folder
        else:
            path = folder / f"{from_plan(self.plan, self._catalog()).name}.plan.json"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(self.plan.model_dump_json(indent=2), encoding="utf-8")
        except OSError as exc:
            return Reply(f"{exc.strerror or exc}: {exc.filename}")
        return Reply(self._say("wrote", paths=str(path)))

    def _undo(self) -> Reply:
        state = self._state
        if state is None:
            return Reply(self._say("nothing_to_undo"))
        state.changed, state.undone = False, True
        if self.plan is None:
            return Reply(self._say("undone_to_nothing"))
        now = self._state
        if not now.met:  # back to a change no plan met: its bounds are still asked for
            return Reply(self._say("undone_to_unmet", message=now.message,
                                   summary=summary(self.plan, self.speaking)), plan=self.plan)
        return Reply(self._say("undone", summary=summary(self.plan, self.speaking)), plan=self.plan)

    def _earlier(self) -> bool:
        """Whether a state stands before the current one (a plan to go back to)."""
        return sum(1 for t in self.turns if t.changed) >= 2

    def _back_to_first(self) -> Reply:
        """Every change after the first request undone: the original plan."""
        changed = [t for t in self.turns if t.changed]
        if len(changed) < 2:
            return Reply(self._say("no_earlier_plan"))
        for t in changed[1:]:
            t.changed, t.undone = False, True
        return Reply(self._say("undone", summary=summary(self.plan, self.speaking)) if self.plan is not None
                     else self._say("undone_to_nothing"), plan=self.plan)

    def _redo(self) -> Reply:
        """The last change undone, made again (only while nothing new has been asked since)."""
        current = max((i for i, t in enumerate(self.turns) if t.changed), default=-1)
        undone = [t for t in self.turns[current + 1:] if t.undone]
        if not undone:
            return Reply(self._say("nothing_to_redo"))
        undone[0].changed, undone[0].undone = True, False
        if not undone[0].met or self.plan is None:  # a change no plan met, made again: said, not a plan it never had
            return Reply(self._say("redone_unmet", message=undone[0].message))
        return Reply(self._say("redone", summary=summary(self.plan, self.speaking)), plan=self.plan)

    def _history(self) -> Reply:
        lines = [self._say("history_turn", n=n, message=t.message, answer=t.answer + (" (undone)" if t.undone else ""))
                 for n, t in enumerate(self.turns, 1)]
        return Reply("\n".join(lines) or self._say("history_empty"))

    def _save(self, args: list[str]) -> Reply:
        path = args[0] if args else DEFAULT_SAVE
        data = {"kind": CONVERSATION_KIND, "schema_version": 1, "lang": self.lang,
                "turns": [_turn_data(t) for t in self.turns]}
        try:
            Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as exc:
            return Reply(self._say("save_failed", path=path, reason=exc.strerror or exc))
        return Reply(self._say("saved", path=path, turns=len(self.turns)))

    def _load(self, args: list[str]) -> Reply:
        if not args:
            return Reply(self._say("load_failed", path="?", reason="give the file: /load FILE"))
        path = args[0]
        try:
            turns = load_conversation(path)
        except (OSError, ValueError) as exc:
            return Reply(self._say("load_failed", path=path, reason=getattr(exc, "strerror", None) or exc))
        self.turns = turns
        lines = [self._say("loaded", path=path, turns=len(turns))]
        if self.plan is not None:
            lines.append(f"{summary(self.plan, self.speaking)} {self._say('show_hint')}")
            if self.plan.catalog_hash != (now := self._catalog().digest):  # saved under another --catalog
                lines.append(self._say("loaded_other_catalog", then=self.plan.catalog_hash, now=now))
        return Reply("\n".join(lines), plan=self.plan)


def _scales_the_work(update: Intent) -> bool:
    """Whether a what-if changes only how much work there is ("what if it's 100 million documents?"),
    so its plan is shown beside the current one rather than judged better or worse."""
    w = update.workload
    work = bool(w.dataset_records or w.dataset_tokens or w.concurrency or w.sources) or any(
        c.metric in (Metric.THROUGHPUT, Metric.TOKEN_THROUGHPUT, Metric.JOB_TIME) for c in update.constraints)
    hardware = update.hardware
    return work and not (hardware.include or hardware.exclude or hardware.owned or update.precisions)


def _level_bounds(note: str) -> str:
    """The bounds a "default service level ... is out of reach" note names ("tpot <= 40 ms")."""
    m = re.search(r"the default service level \((?P<bounds>[^)]*)\)", note)
    return m.group("bounds") if m else ""


def _meets_level(plan, bounds: str) -> bool:
    """Whether ``plan`` meets each bound a default level's note names ("ttft <= 450 ms, tpot <= 40 ms")."""
    for metric, value in re.findall(r"(ttft|tpot|latency) <= ([\d.]+) ms", bounds):
        figure = getattr(plan.metrics, f"{metric}_ms", None)
        if figure is None or figure > float(value) * (1 + 1e-9):
            return False
    return True


def _not_cheaper(previous, result) -> bool:
    old, new = previous.metrics.cost_usd_per_hour, result.metrics.cost_usd_per_hour
    return old is None or new is None or new >= old


def _turn_data(turn: Turn) -> dict:
    data = {"message": turn.message, "answer": turn.answer, "changed": turn.changed, "undone": turn.undone}
    if turn.changed or turn.undone:
        data["intent"] = turn.intent.model_dump(mode="json") if turn.intent is not None else None
        data["plan"] = turn.plan.model_dump(mode="json") if turn.plan is not None else None
    return data


def load_conversation(path: str | Path) -> list[Turn]:
    """The turns of a conversation /save wrote; ValueError naming what is wrong otherwise."""
    from pydantic import ValidationError

    from planner.plan import ExecutionPlan

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a saved conversation (not JSON: {exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict) or data.get("kind") != CONVERSATION_KIND:
        raise ValueError("not a conversation saved by /save")
    turns = []
    try:
        for item in data.get("turns", []):
            intent, plan = item.get("intent"), item.get("plan")
            turns.append(Turn(str(item["message"]), str(item.get("answer", "")),
                              Intent.model_validate(intent) if intent else None,
                              ExecutionPlan.model_validate(plan) if plan else None,
                              bool(item.get("changed")), bool(item.get("undone"))))
    except (KeyError, TypeError, ValidationError) as exc:
        raise ValueError(f"turn {len(turns) + 1} cannot be read ({str(exc).splitlines()[0]})") from exc
    return turns


def run(offline: bool = False, catalog_dir: str | None = None, lang: str | None = None) -> int:
    """The terminal loop. Returns the exit code."""
    from rich.console import Console

    from intent.render import show_plan

    try:
        import readline  # noqa: F401 - line editing and up-arrow recall of earlier lines for input()
    except ImportError:
        pass
    if catalog_dir is not None:  # a --catalog that does not load is said before the first message, not after
        from hardware import load_catalog

        load_catalog(catalog_dir)
    console = Console(highlight=False)
    session = ChatSession(offline=offline, catalog_dir=catalog_dir, lang=lang)
    console.print(say("help", session.speaking).splitlines()[0] if lang == "zh" else
                  "intentctl chat: say what you need; /help for commands, /quit to leave.")
    while True:
        try:
            message = input("you> ")
        except (EOFError, KeyboardInterrupt):
            console.print("\n" + say("bye", session.speaking))
            return 0
        try:
            reply = session.answer(message)
        except KeyboardInterrupt:
            console.print("\n(interrupted)")
            continue
        if reply.show and reply.plan is not None:
            show_plan(reply.plan, console, session.speaking)
        if reply.text:
            console.print(reply.text, markup=False)
        if reply.done:
            return 0


def _has_load(intent: Intent) -> bool:
    """Whether a request states a load a multiple can scale: a rate, users at once, sources or items."""
    w = intent.workload
    return bool(w.concurrency or w.sources or w.dataset_records or any(
        c.metric in (Metric.THROUGHPUT, Metric.TOKEN_THROUGHPUT) and c.op == ">=" for c in intent.constraints))


#: Words that make a time a job's: "we need it done in 10 minutes", "finish within 2 hours", "1小时内跑完".
JOB_DONE = re.compile(r"(?<![a-z])(?:done|finish(?:ed)?|complete(?:d)?|wrapped up|over with)(?![a-z])|完成|跑完|做完|搞定|结束")


def _job_time_of_a_job(update: Intent, current: Intent) -> Intent:
    """A follow-up's latency that is a job's time: the request holds items to work through (a batch
    job or a training run) and the message says the work is done by then; it had bounded each request's
    latency at 10 minutes."""
    latency = update.bound(Metric.LATENCY, "<=")
    is_job = current.workload.kind != WorkloadKind.INFERENCE or current.workload.dataset_records
    if latency is None or not is_job or not JOB_DONE.search(update.text.lower()):
        return update
    hours = latency / 3_600_000
    constraints = [c.model_copy(update={"metric": Metric.JOB_TIME, "value": hours, "unit": "h"})
                   if c.metric == Metric.LATENCY and c.op == "<=" else c for c in update.constraints]
    return update.model_copy(update={"constraints": constraints, "assumptions": [
        *update.assumptions, f"'{update.text.strip()}' read as the job's time, {hours:.3g} h (the request's items to work "
        "through), not each request's latency"]})


#: The bounds that say how much of an objective a follow-up wants.
OBJECTIVE_BOUNDS = {Metric.LATENCY: (Metric.LATENCY, Metric.TTFT, Metric.TPOT), Metric.TTFT: (Metric.TTFT,),
                    Metric.TPOT: (Metric.TPOT,), Metric.COST: (Metric.COST, Metric.JOB_COST), Metric.POWER: (Metric.POWER,)}


def _bound_not_objective(update: Intent) -> Intent:
    """A follow-up that wants more of a metric and says how much ("lower latency pls, like 10ms", "cheaper, under
    $2/h"): the bound it states, not the metric as the objective (latency at any cost had planned VGG16 on an
    MI300X)."""
    if update.objective is None or update.objective.metric not in OBJECTIVE_BOUNDS:
        return update
    bounds = [c for c in update.constraints if c.metric in OBJECTIVE_BOUNDS[update.objective.metric]]
    if not bounds:
        return update
    return update.model_copy(update={"objective": None, "assumptions": [
        *update.assumptions, f"'{update.text.strip()}' read as the bound it states ({bounds[0].describe()}), not as "
        f"{update.objective.metric.value} at any cost (say 'lowest {update.objective.metric.value}' for that)"]})
