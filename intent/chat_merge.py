"""How a chat's follow-up message refines the current intent.

A follow-up is parsed on its own (``intent.parser``), so it knows nothing of the request before
it: merging reads it against that request. The later message wins where the two clash, and
what it leaves unsaid stays:

- the task, objective and deployment it names replace the current ones; a new task drops the
  model of the old one ("actually I want to classify images" kept Llama); serving named after a
  training job ("actually just serve it at 15 rps") turns the job into a service, its dataset and
  job bounds dropped;
- a bound replaces the current bound on the same metric and direction; "make it 200 ms
  instead" after a TTFT bound is that TTFT (after several time bounds, the last one stated, as a
  note says); "budget $500" on a job is the job's total, as it is in one request; "latency
  doesn't matter", "forget the budget" and "no TTFT limit" lift those bounds;
- the workload's figures it states replace the current ones (concurrency, dataset, epochs,
  layout, replicas, a model or a model size), the rest stay;
- devices: an exclusion that rules out every device asked for is lifted, and a device ruled out
  entirely is no longer asked for; "use A100 instead" replaces the devices named before; a device
  ruled out and then allowed ("TPUs are ok again", "allow NVIDIA again") is no longer ruled out,
  and not asked for either; the devices owned, a device cap and preferences stay;
- policies add up, but a regime said not to be needed ("no need for HIPAA") is dropped.
"""

from __future__ import annotations

import re

from intent.errors import IntentError
from intent.parser import EPOCHS_ALONE_NOTE
from intent.schema import FOLLOW_UP_JOIN, JOB_METRICS, Intent, Metric, WorkloadKind

#: Words that make the devices of a follow-up replace those named before ("use A100 instead").
REPLACING = re.compile(r"(?<![a-z])(?:instead|switch(?:ed)?\s+to|change\s+(?:it\s+|that\s+)?to|swap\s+to|move\s+to|"
                       r"replace|go\s+(?:with|for)|let's\s+use|use\s+(?:that|those|it)\s+then)(?![a-z])"
                       r"|(?<![a-z])(?:switch|go|change)\s+back\s+to(?![a-z])|(?<![a-z])then\s*[.!]*\s*$"  # "jetson orin then"
                       r"|换成|改成|改用|换用|换到|就用|那就用|还是用|换回|改回|切回|回到|换(?=\s*[a-z0-9])")
#: A follow-up that only says what to run on: "use H100", "try MI300X", "用H100吧": it replaces the
#: device asked for before ("use L40S" then "use H100" had asked for both, and kept the L40S).
USE_ALONE = re.compile(r"^\s*(?:(?:ok(?:ay)?|then|now|no|hmm|actually)[,.!]?\s+)*(?:let's\s+)?(?:use|try|run\s+(?:it\s+)?on|"
                       r"put\s+it\s+on|plan\s+(?:it\s+)?on)\s|^\s*(?:那|那就|还是)?(?:用|试试|试一下|放到|跑在)")
#: Words that add a device to those asked for rather than replace them: "also use H100", "H100 也行".
ADDING = re.compile(r"(?<![a-z])(?:also|too|as well|or|and|either|both|in addition|plus)(?![a-z])|也|或|还可以|都|和|以及|加上")
#: Any device of a class allowed: "allow any GPU", "any accelerator is fine", "任何GPU都可以", "什么卡都行".
ANY_OF_A_CLASS = re.compile(r"(?<![a-z])any\s+(?:gpus?|npus?|tpus?|cpus?|accelerators?|cards?|devices?|hardware)(?![a-z])"
                            r"|(?:任何|任意)(?:gpu|显卡|卡|设备|加速卡)|什么卡都|哪种卡都")
#: A place the request required, lifted: "drop the on-prem requirement", "取消本地部署的要求", "anywhere is fine".
DEPLOYMENT_LIFTED = re.compile(r"(?<![a-z])(?:drop|remove|forget|lift|no\s+longer\s+need|don't\s+need|do\s+not\s+need)\s+"
                               r"(?:the\s+)?(?:on-prem|on\s+prem|onprem|cloud|edge)(?:\s+(?:requirement|constraint|rule|"
                               r"restriction))?|(?<![a-z])(?:anywhere|any\s+(?:place|placement|deployment))\s+is\s+"
                               r"(?:fine|ok|okay)|(?:取消|去掉|不再要求|不用)(?:本地|私有化|云端|云上|边缘)(?:部署)?(?:的)?(?:要求|限制)?"
                               r"|部署在哪(?:里)?都(?:行|可以)")
#: Any device allowed again: "any vendor is fine", "any GPU will do", "厂商不限", "什么卡都行".
ANY_VENDOR = re.compile(r"(?<![a-z])any\s+(?:vendor|brand|gpu|device|hardware|accelerator|chip)s?\s+(?:is|are|will)\s+"
                        r"(?:fine|ok|okay|do)|厂商不限|品牌不限|什么卡都(?:行|可以)|哪家都(?:行|可以)")
#: Every number format, most bits first: what "allow int4" leaves allowed beside it.
ALL_PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "int4")
#: Words that add to what the request allows rather than replace it ("allow cloud too", "云上也可以").
ALSO = re.compile(r"(?<![a-z])(?:too|also|as\s+well|either|after\s+all|is\s+(?:fine|ok|okay)|are\s+(?:fine|ok|okay))(?![a-z])"
                  r"|也可以|也行|也能|也没问题|^(?:其实|那|那就)?(?:可以|能)(?:上云|用云|部署到云|放到云上|本地部署|放本地)")
#: Words that lift the request's budget ("forget the budget", "no budget limit", "预算不限").
BUDGET_LIFTED = re.compile(r"(?<![a-z])(?:forget|drop|remove|ignore|never\s*mind|no\s+longer\s+(?:need|have))\s+(?:about\s+)?"
                           r"(?:the\s+|a\s+|my\s+|our\s+)?(?:budget|cost\s+(?:limit|cap|bound))|(?<![a-z])no\s+budget"
                           r"(?:\s+(?:limit|cap))?(?![a-z])|(?<![a-z])budget\s+(?:doesn't|does\s+not|don't)\s+matter"
                           r"|预算不限|不限预算|不考虑成本|不考虑预算|成本无所谓|预算无所谓")
#: Words of a time metric in a follow-up: "200 ms" with none of them is the time bound already stated.
TIME_WORDS = re.compile(r"latency|delay|response|p\d\d|ttft|tpot|first\s+token|per\s+token|itl|延迟|时延|首token|首字|每token")
#: Words that loosen a bound ("latency can be 1s", "把延迟放宽到1秒"): "latency" in them, where the request
#: bounds only its first token or each token, is that bound, loosened (a new end-to-end bound was added).
RELAXING = re.compile(r"(?<![a-z])(?:can\s+be|could\s+be|relax(?:ed)?|loosen(?:ed)?|is\s+fine|is\s+ok|up\s+to)(?![a-z])"
                      r"|放宽|放松|可以到|也行|没问题")
#: How far past a TTFT or TPOT bound a loosened "latency" may go and still be that bound loosened: further, it
#: is the whole reply's ("latency can be 200 ms" over a TPOT of 1.1 ms).
LOOSENED_REACH = 20
#: Words that name a time metric other than latency itself.
NAMED_TIME = re.compile(r"ttft|tpot|first\s+token|per\s+token|itl|首token|首字|每token|end[-\s]to[-\s]end|整个|全部")
#: Words that name the whole reply's latency itself, beside a TTFT or TPOT a follow-up names.
NAMED_LATENCY = re.compile(r"end[-\s]to[-\s]end|e2e|(?:whole|full|entire|complete)\s+(?:reply|request|response|answer)|overall|"
                           r"端到端|整个请求|完整(?:回答|回复)|整个(?:回答|回复)")
#: A cost with a period of its own ("$5/h", "per month", "每月"): not a job's total.
PERIOD_WORDS = re.compile(r"/\s*(?:h|hr|hour|mo|month|day|yr|year)|per\s|an?\s+(?:hour|month|day|year)|hourly|monthly|"
                          r"daily|yearly|每|小时|月|天|年")
#: Words that make a follow-up naming a ruled-out device allow it again, not ask for it ("allow NVIDIA
#: again", "AMD is fine now", "英伟达也可以").
ALLOWING = re.compile(r"(?<![a-z])(?:allow(?:ed)?|again|ok|okay|fine|acceptable|permitted)(?![a-z])|也可以|可以用|也行")
#: Serving named in a follow-up to a training job: the job becomes a service ("actually just serve it
#: at 15 rps", "算了，还是部署推理").
SERVING = re.compile(r"(?<![a-z])(?:serve|serving|inference|host\s+it|go\s+live)(?![a-z])|推理|在线服务|上线")
#: A bound lifted by name: "forget the TTFT requirement", "no TTFT limit", "ttft doesn't matter", "不限首token".
LIFT_BEFORE = r"(?:forget|drop|remove|ignore|lift|never\s*mind|no)\s+(?:about\s+)?(?:the\s+|a\s+|any\s+|my\s+|our\s+)?"
BOUND_NOUN = r"(?:\s+(?:requirement|bound|limit|cap|constraint|target|slo)s?)?"
NOT_MATTERING = r"\s+(?:(?:doesn't|does\s+not|don't|no\s+longer)\s+(?:matter|apply|applies|count)|is\s+not\s+needed)"
LIFTED_NAMES = {Metric.TTFT: r"ttft|time\s+to\s+first\s+token|first[-\s]token(?:\s+latency)?|首token(?:延迟|时延)?|首字(?:延迟|时延)?",
                Metric.TPOT: r"tpot|itl|time\s+per\s+(?:output\s+)?token|per[-\s]token\s+latency|每token|每字",
                Metric.THROUGHPUT: r"throughput|rps|qps|吞吐",
                # "drop the throughput requirement" of a token rate, "remove the tokens/s floor"
                Metric.TOKEN_THROUGHPUT: r"(?:token\s+)?throughput|tokens?\s+(?:per\s+second|rate)|tok/s|tokens/s|token吞吐|吞吐",
                Metric.TOKEN_COST: r"token\s+cost|cost\s+per\s+(?:million\s+|1m\s+)?tokens?|per[-\s](?:million|1m)[-\s]tokens?"
                                   r"(?:\s+(?:cost|price))?|\$/mtok|mtok|每百万token(?:成本)?|token成本",
                Metric.ACCURACY: r"accuracy|准确率|精度",
                Metric.POWER: r"power(?:\s+(?:budget|cap|draw))?|功耗",
                Metric.JOB_TIME: r"deadline|time\s+limit|截止时间",
                Metric.COST: r"budget|预算|成本",  # "去掉预算限制": "drop the budget" is BUDGET_LIFTED's
                # latency by name only with a bound's noun or alone ("no latency spikes" lifts nothing)
                Metric.LATENCY: r"latency(?=\s+(?:requirement|bound|limit|cap|constraint|target|slo)|\s*$|\s*[,.;!?])"
                                r"|延迟|时延"}
TIME_METRICS = (Metric.LATENCY, Metric.TTFT, Metric.TPOT)
COST_METRICS = (Metric.COST, Metric.JOB_COST, Metric.TOKEN_COST)


def merge(current: Intent, update: Intent, catalog=None) -> Intent:
    """The current intent refined by a follow-up message's reading (see the module docstring)."""
    if _is_job(current) and SERVING.search(update.text.lower()) and update.workload.kind == WorkloadKind.INFERENCE:
        current = _as_service(current)
    data = current.model_dump()
    task_changed = update.task is not None and update.task != current.task
    for name in ("task", "objective", "deployment"):
        if getattr(update, name) is not None:
            data[name] = update.model_dump()[name]
    if update.deployment is not None and current.deployment not in (None, update.deployment) \
            and ALSO.search(update.text.lower()):
        data["deployment"] = None  # "allow cloud too": both places, not the new one alone
    if DEPLOYMENT_LIFTED.search(update.text.lower()):
        data["deployment"] = None  # "取消本地部署的要求", "it can run anywhere"

    if update.tie_breakers:
        data["tie_breakers"] = update.model_dump()["tie_breakers"]
    if update.precisions:  # "allow fp8 too", "fp8也可以": beside those allowed before, not instead of them
        added = current.precisions and ALSO.search(update.text.lower())
        new = update.model_dump()["precisions"]
        if added:  # "int8 is fine too" beside fp16 alone: int8 added, not every format down to it (a floor, read alone)
            named = [p for p in new if re.search(rf"(?<![a-z0-9]){p}(?![a-z0-9])", update.text.lower())]
            new = named or new
        data["precisions"] = list(dict.fromkeys([*(current.model_dump()["precisions"] if added else []), *new]))
        if not current.precisions and (ALSO.search(update.text.lower())
                                       or re.search(r"(?<![a-z])allow(?:ed|ing)?(?![a-z])|也可以|也行", update.text.lower())):
            # "what if we allow int4?" with no format asked for: int4 beside every other, not int4 alone
            data["precisions"] = list(dict.fromkeys([*ALL_PRECISIONS, *new]))
    if update.max_accuracy_loss is not None:
        data["max_accuracy_loss"] = update.max_accuracy_loss
    constraints, notes = _constraints(current, update)
    data["constraints"] = [c.model_dump() for c in constraints]
    update, picked = _picked_not_owned(update, current)
    notes += picked
    data["hardware"] = _hardware(current, update, catalog)
    if ANY_VENDOR.search(update.text.lower()) and not update.hardware.include:
        data["hardware"]["include"] = []  # "any vendor is fine", "厂商不限": nothing asked for, nor preferred
        data["hardware"]["preferred"] = []
    data["policies"] = _policies(current, update)
    data["workload"] = _workload(current, update, task_changed)
    data["text"] = f"{current.text}{FOLLOW_UP_JOIN}{update.text}"
    data["assumptions"] = list(dict.fromkeys([*current.assumptions, *notes, *(
        note for note in update.assumptions if not _stale(note, current, data))]))
    data["warnings"] = list(update.warnings)
    return Intent.model_validate(data)


#: The parser's note on how it reads latency bounds: a follow-up's default one gives way to the request's.
PERCENTILE_NOTE = "latency bounds read as"


def _stale(note: str, current: Intent, merged: dict) -> bool:
    """Whether a follow-up's note only restates a default the merged request overrides: that the
    workload is inference when it is a job, or that latency is p99 when the request wrote p95."""
    if note.startswith(INFERENCE_NOTE):
        return merged["workload"]["kind"] != WorkloadKind.INFERENCE.value
    if note.endswith(EPOCHS_ALONE_NOTE):
        return merged["workload"]["kind"] != WorkloadKind.TRAINING.value
    if note.startswith(PERCENTILE_NOTE) and not note.endswith("(as written)"):
        return any(n.startswith(PERCENTILE_NOTE) for n in current.assumptions)
    return False


#: The notes on a training job's figures, left out when the job becomes a service.
JOB_NOTE = re.compile(r"job|training|dataset|epoch|record")
#: The parser's note on a request that names no training: a follow-up to a job says it too.
INFERENCE_NOTE = "workload read as inference"


def _as_service(current: Intent) -> Intent:
    """A training job's request as a service of its model: the dataset, epochs and job bounds go."""
    workload = current.workload.model_copy(update={
        "kind": WorkloadKind.INFERENCE, "dataset_records": None, "dataset_tokens": None, "epochs": None})
    return current.model_copy(update={
        "workload": workload, "constraints": [c for c in current.constraints if c.metric not in JOB_METRICS],
        "assumptions": [note for note in current.assumptions if not JOB_NOTE.search(note)]})


def lifts(message: str) -> bool:
    """Whether a follow-up lifts a bound the parser reads nothing of: latency waived ("latency
    doesn't matter"), the budget ("forget the budget"), another bound by name ("no TTFT limit"), the
    place ("drop the on-prem requirement") or the devices asked for ("any vendor is fine")."""
    from intent.agent import latency_waived

    text = message.lower()
    return bool(latency_waived(Intent(text=message)) or BUDGET_LIFTED.search(text) or lifted_by_name(message)
                or DEPLOYMENT_LIFTED.search(text) or ANY_VENDOR.search(text) or AVAILABILITY_LIFTED.search(text))


def lifted_by_name(message: str) -> frozenset[Metric]:
    """The metrics whose bounds a message lifts by name ("forget the TTFT requirement"): their
    bounds go, and so do their defaults (intent.agent)."""
    text = message.lower()
    return frozenset(metric for metric, names in LIFTED_NAMES.items()
            if re.search(rf"(?<![a-z]){LIFT_BEFORE}(?:{names}){BOUND_NOUN}(?![a-z])", text)
            or re.search(rf"(?<![a-z])(?:{names}){BOUND_NOUN}{NOT_MATTERING}", text)
            or re.search(rf"不限(?:制)?(?:{names})|(?:{names})(?:不限|无所谓|不重要)", text)
            # "功耗的限制去掉吧", "去掉功耗限制", "取消首字延迟的要求"
            or re.search(rf"(?:{names})(?:的)?(?:限制|要求|约束|上限|下限)?(?:就)?(?:去掉|取消|不要了|删掉|拿掉)", text)
            or re.search(rf"(?:去掉|取消|删掉|拿掉|不要)(?:掉)?(?:{names})(?:的)?(?:限制|要求|约束|上限|下限)", text))


def _is_job(intent: Intent) -> bool:
    return intent.workload.kind != WorkloadKind.INFERENCE or any(c.metric in JOB_METRICS for c in intent.constraints)


def _constraints(current: Intent, update: Intent) -> tuple[list, list[str]]:
    """The current bounds, less those the follow-up lifts or restates, and the follow-up's own;
    and a note per bound read in the request's context that could have been another."""
    from intent.agent import latency_waived

    kept = list(current.constraints)
    if latency_waived(update):
        kept = [c for c in kept if c.metric not in TIME_METRICS]
    if BUDGET_LIFTED.search(update.text.lower()):
        kept = [c for c in kept if c.metric not in COST_METRICS]
    lifted = lifted_by_name(update.text)
    kept = [c for c in kept if c.metric not in lifted]
    notes: list[str] = []
    stated = [_in_context(c, current, update, notes) for c in update.constraints]
    replaced = {(c.metric, c.op) for c in stated}
    return [c for c in kept if (c.metric, c.op) not in replaced] + stated, notes


def _in_context(c, current: Intent, update: Intent, notes: list[str]):
    """A follow-up's bound as the request before it reads it: a cost with no period on a job is its
    total; an amount of time with no metric word is the time bound the request has, the last one
    stated where it has several (a note says which)."""
    source = (c.source or "").lower()
    if c.metric == Metric.COST and _is_job(current) and not PERIOD_WORDS.search(source):
        return c.model_copy(update={"metric": Metric.JOB_COST, "unit": "USD"})
    text = update.text.lower()
    named = [m for m in (Metric.TTFT, Metric.TPOT) if re.search(LIFTED_NAMES[m], text)]
    if c.metric == Metric.LATENCY and c.op == "<=" and len(named) == 1 and not NAMED_LATENCY.search(text) \
            and not any(u.metric == named[0] for u in update.constraints):
        # "TTFT doesn't matter that much, 5s is fine": the time is the metric the message names
        notes.append(f"'{c.source}' read as the {named[0].value.upper()} bound the message names")
        return c.model_copy(update={"metric": named[0]})
    relaxed_latency = RELAXING.search(text) and not NAMED_TIME.search(text) and not any(
        t.metric == Metric.LATENCY for t in current.constraints)
    if c.metric == Metric.LATENCY and c.op == "<=" and NAMED_LATENCY.search(text):
        return c  # "users will wait max 60s for a full answer": the whole reply's, beside the TPOT (it had replaced it)
    if c.metric == Metric.LATENCY and c.op == "<=" and (not TIME_WORDS.search(text) or relaxed_latency):
        times = [t for t in current.constraints if t.metric in TIME_METRICS and t.op == "<="]
        if times and times[-1].metric != Metric.LATENCY and TIME_WORDS.search(text) \
                and c.value > LOOSENED_REACH * times[-1].value:
            # "latency can be up to 200 ms" over a TPOT of 1.1 ms: far past any loosening of it, so the
            # whole reply's (it had allowed 200 ms a token, a 30-s reply)
            notes.append(f"'{c.source}' read as the whole reply's latency: {c.value:g} ms is far above the "
                         f"{times[-1].metric.value.upper()} bound ({times[-1].value:.4g} ms), so not that bound loosened")
            return c
        if times and times[-1].metric != Metric.LATENCY:
            if TIME_WORDS.search(text):  # "latency can be 1s": the bound the request has, loosened
                notes.append(f"'{c.source}' read as the {times[-1].metric.value.upper()} bound, loosened (the request "
                             "bounds no whole-reply latency; say 'end-to-end latency' for one)")
            elif len(times) > 1:
                notes.append(f"'{c.source}' read as the {times[-1].metric.value.upper()} bound, the last time bound "
                             f"stated (name the metric, e.g. '{times[0].metric.value.upper()} {c.source}', for another)")
            return c.model_copy(update={"metric": times[-1].metric})
        if not times and relaxed_latency and current.task is not None and current.task.value == "text-generation":
            # "把延迟放宽到1秒" on a chat bounded by the default service level alone: its TTFT, loosened
            notes.append(f"'{c.source}' read as the time to first token, loosened (the request bounds no time of its "
                         "own; say 'end-to-end latency' to bound whole replies)")
            return c.model_copy(update={"metric": Metric.TTFT})
    return c


#: Devices added to those held ("add 2 more L40S", "再加4张"): held too.
MORE_HELD = re.compile(r"(?<![a-z])more(?![a-z])|再加|多加|再买|多买|再添|多给|再给|多配|再配")
#: Words that say devices counted in a follow-up are held ("we have 8 H100s", "我们有8张"), not picked.
OWNING = re.compile(r"(?<![a-z])(?:have|own|owned|got|already\s+have|bought|on\s+hand)(?![a-z])|有|自有|已有|现有")


#: The note of a count read against the devices a request holds (chat_context._count): still held.
HELD_COUNT_NOTE = re.compile(r"' read as \d+ x \S+ owned")


def _picked_not_owned(update: Intent, current: Intent) -> tuple[Intent, list[str]]:
    """A follow-up's counted devices with no word of holding them ("use 8 H200", "ok two H100s then")
    are the devices to plan on, at most that many, rented: not devices held (they were planned
    on-prem at the price of their power). A count of the very devices the request holds ("用8张A100" after
    "用4张A100") is the count held (it had become a cap of 8 beside the 4 held)."""
    new = update.hardware
    held = {o.device for o in current.hardware.owned}
    if not new.owned or OWNING.search(update.text.lower()) or MORE_HELD.search(update.text.lower()) \
            or any(HELD_COUNT_NOTE.search(a) for a in update.assumptions) \
            or (held and {o.device for o in new.owned} <= held):  # "what if we had 16?" of devices held
        return update, []
    counts = {o.device: o.count for o in new.owned}
    include = [*new.include, *(d for d in counts if d not in new.include)]
    cap = sum(counts.values()) if new.max_devices is None else new.max_devices
    hardware = new.model_copy(update={"owned": [], "include": include, "max_devices": cap})
    picked = ", ".join(f"{n} x {d}" for d, n in counts.items())
    held_note = [a for a in update.assumptions if not a.startswith("devices the request says it has")]
    return update.model_copy(update={"hardware": hardware, "assumptions": held_note}), [
        f"'{picked}' read as the devices to plan on, at most {cap}, rented (say 'we have …' for devices held)"]


#: A device requirement lifted by name: "drop the jetson requirement", "the H100 is no longer required",
#: "不一定要用 H100": what it names is no longer asked for (the parser read it as asked for again).
DEVICE_LIFTED = re.compile(r"(?<![a-z])(?:drop|forget|remove|lift|ignore|never\s*mind)\s+(?:about\s+)?(?:the\s+|our\s+|my\s+)?"
                           r"(?P<what>[\w .-]+?)\s+(?:requirement|constraint|restriction|rule)s?(?![a-z])"
                           r"|(?P<what2>[\w .-]+?)\s+(?:is|are)\s+(?:no\s+longer|not)\s+(?:required|needed|a\s+must)(?![a-z])"
                           r"|(?:不一定要用|不必用|不用非得用|不用非要用|不再要求用?)\s*(?P<what3>[\w .-]+)"
                           # "forget the T4", "drop the A100s": a device alone after a determiner
                           r"|^\s*(?:ok[,.]?\s+)?(?:forget|drop|ditch|lose)\s+(?:about\s+)?(?:the|our|my|that)\s+"
                           r"(?P<what4>[\w.-]+(?:\s+[\w.-]+)?)\s*[.!]?\s*$")
#: "swap the no-AMD rule for no-NVIDIA": the device ruled out before is allowed again, the new one ruled out.
SWAPPED_OUT = re.compile(r"(?<![a-z])(?:swap|replace|trade)\s+(?:the\s+)?no[- ](?P<old>[\w.-]+)(?:\s+(?:rule|ban|restriction|"
                         r"requirement))?\s+(?:for|with)\s+(?:a\s+)?no[- ]")


def _lifted_devices(current: Intent, update: Intent, catalog) -> tuple[set[str], set[str]]:
    """The devices a follow-up no longer asks for, and those it no longer rules out."""
    from intent.parser import parse_rules

    text = update.text.lower()
    lifted: set[str] = set()
    for m in DEVICE_LIFTED.finditer(text):
        words = next(g for g in (m.group("what"), m.group("what2"), m.group("what3"), m.group("what4")) if g)
        try:
            lifted |= set(parse_rules(f"use {words}", catalog).hardware.include)
        except IntentError:
            continue
    allowed: set[str] = set()
    for m in SWAPPED_OUT.finditer(text):
        try:
            allowed |= set(parse_rules(f"use {m.group('old')}", catalog).hardware.include)
        except IntentError:
            continue
    return lifted, allowed & set(current.hardware.exclude)


def _hardware(current: Intent, update: Intent, catalog) -> dict:
    """Devices asked for and ruled out, owned, capped and preferred, the later message winning."""
    lifted, swapped = _lifted_devices(current, update, catalog)
    if lifted or swapped:
        current = current.model_copy(update={"hardware": current.hardware.model_copy(update={
            "include": [s for s in current.hardware.include if s not in lifted],
            "owned": [o for o in current.hardware.owned if o.device not in lifted],  # "forget the T4": not held either
            "exclude": [s for s in current.hardware.exclude if s not in swapped]})})
        update = update.model_copy(update={"hardware": update.hardware.model_copy(update={
            "include": [s for s in update.hardware.include if s not in lifted],
            "exclude": [s for s in update.hardware.exclude if s not in swapped]})})
    now, new = current.hardware, update.hardware
    allowed = _allowed_again(current, update)
    if allowed:
        now = now.model_copy(update={"exclude": [s for s in now.exclude if s not in allowed]})
        new = new.model_copy(update={"include": [s for s in new.include if s not in allowed]})
    widened = _allowed_beside(current, update, catalog)
    if widened:  # "NVIDIA is fine again" while only AMD or Intel were asked for: any of the three
        now = now.model_copy(update={"include": [*now.include, *widened],
                                     "exclude": [s for s in now.exclude if s not in widened]})
    said = update.text.lower()
    if ANY_OF_A_CLASS.search(said) and new.include:  # "ok allow any GPU": the class, the devices pinned before gone
        now = now.model_copy(update={"include": [], "owned": [], "max_devices": None})
    replacing = bool(new.include) and bool(REPLACING.search(said) or (USE_ALONE.match(said) and not ADDING.search(said)))
    devices = catalog.selector_ids() if catalog is not None else set()  # devices and families, not vendors or classes
    before = [s for s in now.include if not (replacing and (s in devices or _same_kind(s, new.include, catalog)))]
    include = [s for s in before if s not in new.exclude
               and not any(_rules_out_all(catalog, e, [s]) for e in new.exclude)] + \
        [s for s in new.include if s not in before]
    kept_out = [s for s in now.exclude if s not in _provider_chips(update.text)]  # "ok make it aws" after "azure only"
    exclude = [s for s in kept_out
               if s not in new.include and not _rules_out_all(catalog, s, new.include)] + \
        [s for s in new.exclude if s not in kept_out]
    replaced = [s for s in now.include if s not in include]
    owned = {o.device: o.count for o in now.owned if o.device not in replaced and o.device not in new.exclude
             and not any(_rules_out_all(catalog, e, [o.device]) for e in new.exclude)}  # "no NVIDIA": not its A100s
    owned.update({o.device: o.count for o in new.owned})
    gone = [o for o in now.owned if o.device in replaced]
    added = [s for s in new.include if s not in now.include]
    if replacing and len(gone) == 1 and len(added) == 1 and not new.owned and _one_device(added[0], catalog):
        # "用8张H100…" then "换成A100": 8 of them, held as the H100s were (it had rented 8 cloud A100s)
        owned[added[0]] = gone[0].count
    preferred = [s for s in dict.fromkeys([*now.preferred, *new.preferred]) if s in include
                 and not (replacing and s not in new.include)]  # "换H20": the preference it replaces goes
    return {"include": include, "exclude": exclude, "owned": [{"device": d, "count": n} for d, n in owned.items()],
            "max_devices": new.max_devices if new.max_devices is not None else now.max_devices,
            "preferred": preferred,
            # a device ruled out again without "if possible" is ruled out for good
            "avoided": [s for s in dict.fromkeys([*now.avoided, *new.avoided]) if s in exclude
                        and not (s in new.exclude and s not in new.avoided)]}


#: The parser's note on a device a request allows without asking for it ("TPUs are ok").
ALLOWED_NOTE = re.compile(r"': (\S+) allowed, not required")


def _allowed_again(current: Intent, update: Intent) -> set[str]:
    """The devices the request ruled out that the follow-up allows ("TPUs are ok again", "allow
    NVIDIA again"): they are no longer ruled out, and not asked for either."""
    said = {m.group(1) for note in update.assumptions for m in ALLOWED_NOTE.finditer(note)}
    if ALLOWING.search(update.text.lower()):
        said.update(update.hardware.include)
    return said & set(current.hardware.exclude)


def _provider_chips(text: str) -> set[str]:
    """The providers' own chips, where a follow-up names a provider: the provider named before no longer rules
    them out ("ok make it aws" after "azure only" had kept Inferentia2 excluded); the new one's reading does."""
    from intent.parser.lexicon import load_lexicon

    providers = load_lexicon()["cloud_providers"]
    said = text.lower()
    if not any(re.search(rf"(?<![a-z]){re.escape(str(n))}(?![a-z])", said) for p in providers.values() for n in p["names"]):
        return set()
    return {d for p in providers.values() for d in p["only_there"]}


def _one_device(selector: str, catalog) -> bool:
    """Whether a selector names a device or a family of one (not a vendor or a class)."""
    if catalog is None:
        return False
    return selector in catalog.devices or selector in getattr(catalog, "families", {})


def _same_kind(selector: str, others: list[str], catalog) -> bool:
    """Whether ``selector`` is of a kind (vendor, class) some of ``others`` are: "换回英伟达" after "only
    AMD" replaces the vendor, as "switch to H100" replaces a device."""
    if catalog is None:
        return False
    from planner.search.candidates import selector_kind

    return selector_kind(selector, catalog) in {selector_kind(o, catalog) for o in others}


def _allowed_beside(current: Intent, update: Intent, catalog) -> list[str]:
    """The devices a follow-up allows ("NVIDIA is fine again", "GPU也可以") while the request asks for
    others of the same kind (vendors, classes): they join what is asked for, as alternatives (it
    had changed nothing, the request still asking for AMD or Intel alone)."""
    if catalog is None or not current.hardware.include:
        return []
    from planner.search.candidates import selector_kind

    said = [m.group(1) for note in update.assumptions for m in ALLOWED_NOTE.finditer(note)]
    kinds = {selector_kind(s, catalog) for s in current.hardware.include}
    return [s for s in dict.fromkeys(said) if s not in current.hardware.include and selector_kind(s, catalog) in kinds]


def _rules_out_all(catalog, excluded: str, included: list[str]) -> bool:
    """Whether the selector ``excluded`` rules out every catalog device of some selector in
    ``included`` ("nvidia" rules out every H100; "nvidia-h100-pcie" does not)."""
    if catalog is None:
        return False
    for selector in included:
        named = [d for d in catalog.devices.values() if d.matches(selector)]
        if named and all(d.matches(excluded) for d in named):
            return True
    return False


def _policies(current: Intent, update: Intent) -> dict:
    """Policies add up; a regime, a watermark or differential privacy the follow-up turns off ("no need
    for HIPAA", "drop the watermark", "去掉差分隐私") is dropped."""
    from intent.parser.lexicon import load_lexicon

    lexicon = load_lexicon()
    unneeded = {m.key for note in update.assumptions if "read as not required" in note
                for m in lexicon.phrases("compliance").scan(note.lower())}
    policies = current.policies.model_dump()
    turned_off = {kind for note in update.assumptions if "read as not required" in note
                  for kind in ("watermark", "differential privacy") if note.endswith(f": no {kind}")}
    policies["watermark"] = (current.policies.watermark and "watermark" not in turned_off) or update.policies.watermark
    if update.policies.differential_privacy is not None:
        policies["differential_privacy"] = update.policies.differential_privacy.model_dump()
    elif "differential privacy" in turned_off:
        policies["differential_privacy"] = None
    policies["compliance"] = [r for r in dict.fromkeys([*current.policies.compliance, *update.policies.compliance])
                              if str(getattr(r, "value", r)) not in unneeded]
    return policies


def _workload(current: Intent, update: Intent, task_changed: bool) -> dict:
    """The current workload with the figures the follow-up states; a new task drops the old
    task's model, and a model or a size named replaces the one before."""
    workload = current.workload.model_dump()
    new = update.workload
    if task_changed and not new.model and not new.models:
        workload.update(model=None, models=[], model_as_written=None)
    for name, value in new.model_dump().items():
        if name in ("kind", "model", "models") or value is None or value == []:
            continue
        workload[name] = value
    if new.model:
        workload.update(model=new.model, models=[])
    elif new.models:
        workload.update(model=None, models=list(new.models))
    # "make it 2 epochs" on a fine-tuning: the epochs change, the job stays a fine-tuning
    kind_by_epochs = any(note.endswith(EPOCHS_ALONE_NOTE) for note in update.assumptions) or (
        # "训练3个epoch" on a fine-tuning: 训练 (to train) names no new job, so the fine-tuning stays
        current.workload.kind == WorkloadKind.FINE_TUNING and new.kind == WorkloadKind.TRAINING
        and not (new.model or new.dataset_records or new.dataset_tokens))
    if new.kind != WorkloadKind.INFERENCE and not (kind_by_epochs and current.workload.kind != WorkloadKind.INFERENCE):
        workload["kind"] = new.kind.value
    if AVAILABILITY_LIFTED.search(update.text.lower()):  # "drop the availability requirement", "不要冗余了"
        workload.update(min_replicas=None, spare_replicas=None)
    return workload


#: The replicas kept for availability, lifted: "drop the availability req", "no need for N+1", "forget the spare",
#: "不需要冗余", "去掉高可用".
AVAILABILITY_LIFTED = re.compile(r"(?<![a-z])(?:drop|remove|forget|lift|no\s+need\s+for|don'?t\s+need|skip)\s+(?:the\s+)?"
                                 r"(?:availability|ha|high[- ]availability|redundancy|spares?|spare\s+replicas?|n\+1|"
                                 r"replica\s+floor|min(?:imum)?\s+replicas)(?![a-z])"
                                 r"|(?:不需要|不用|去掉|取消)(?:冗余|高可用|热备|备用副本)")
