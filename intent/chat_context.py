"""Follow-ups that only the request before them gives a meaning to, read when the parser finds
nothing it can plan on in them alone:

- a model size alone ("switch to the 8b", "改成 14b", "用 70b 的") is the current model at that
  size: the same id with the size changed, else any catalog model of that size;
- users ("make it 100 users") are the concurrency, where the request already gives one;
- the load scaled ("double the traffic", "3x the load", "流量翻倍") scales the request's rate,
  else its concurrency;
- a device count ("can we do it with 4?", "we only have 4 of them", "只有4张") is the count of
  the one device type owned (or named, with "have"), else a cap on the devices;
- a rate or a concurrency restated ("QPS 改成 60", "concurrency 提到 300") replaces the one before;
- a text generator's prompt or output length alone ("inputs will be more like 4k", "and outputs 500");
- an amount of money on a training job ("budget $300 total") is the job's total;
- a bare figure said to fix a typo ("sorry, I meant 500 not 50", "打错了，是5000") replaces the one
  figure of the request it names, or the one it is a typo of.

Each gives a follow-up Intent that intent.chat_merge merges as it merges a parsed one, with a
note saying how it was read.
"""

from __future__ import annotations

import math
import re

from intent.errors import IntentError
from intent.schema import (
    Constraint,
    HardwareSelection,
    Intent,
    Metric,
    Objective,
    OwnedDevice,
    Sense,
    Workload,
)

#: A model size on its own: "the 8b", "70B", "14b 的".
SIZE = re.compile(r"(?<![a-z0-9_.])(\d+(?:\.\d+)?)\s*b(?![a-z0-9])", re.IGNORECASE)
#: Users or sessions counted: "100 users", "200 个用户".
USERS = re.compile(r"(?<![\d.,])(\d[\d,]*)\s*(k)?\s*(?:concurrent\s+)?(?:users|sessions|个?用户|人)", re.IGNORECASE)
#: The load scaled: "double the traffic", "3x the load", "traffic x2", "流量翻倍".
LOAD_WORDS = r"(?:traffic|load|rate|throughput|requests|qps|rps|users|concurrency|cameras|streams|feeds)"
#: Words of the sources a rate is stated for each of: "twice the cameras", "摄像头翻倍".
SOURCE_WORDS = re.compile(r"(?<![a-z])(?:cameras?|streams?|feeds?|channels?)(?![a-z])|摄像头|路数|视频流", re.IGNORECASE)
SCALED = re.compile(rf"(?<![a-z])(?P<word>double|triple|quadruple|halve|half|twice|thrice)\s+(?:the\s+|our\s+|as\s+many\s+)?{LOAD_WORDS}"
                    # "make it 2x", "2x", "x2", "3x please": a factor alone, of the load the conversation speaks of
                    r"|^\s*(?:(?:ok|so|now|and|then)[,.]?\s+)?(?:make\s+it\s+|what\s+about\s+|how\s+about\s+|plan\s+for\s+)?"
                    r"(?:(?P<alone>\d+(?:\.\d+)?)\s*(?:x|×)|(?:x|×)\s*(?P<alone_after>\d+(?:\.\d+)?))(?:\s+(?:it|that|please))?"
                    r"\s*[?!.。？！]*\s*$"
                    # "plan for 3x peak", "headroom for 3x peak", "what happens at peak 3x?", "can it handle 3x peak?"
                    r"|(?<![a-z])(?P<peak_x>\d+(?:\.\d+)?)\s*(?:x|×)\s+(?:the\s+)?peak(?![a-z])"
                    r"|(?<![a-z])peak\s+(?:of\s+)?(?P<peak_after>\d+(?:\.\d+)?)\s*(?:x|×)(?![a-z0-9])"
                    rf"|(?<![\d.])(?P<times>\d+(?:\.\d+)?)\s*(?:x|×|times)\s+(?:the\s+|our\s+)?{LOAD_WORDS}"
                    rf"|{LOAD_WORDS}\s*(?:x|×)\s*(?P<after>\d+(?:\.\d+)?)(?![\d.])"
                    # "traffic triples", "what if the load doubles?", "traffic will grow 3x"
                    rf"|{LOAD_WORDS}\s+(?:will\s+|would\s+|may\s+|might\s+)?(?P<verb>doubles?|triples?|quadruples?|halves?)"
                    rf"|{LOAD_WORDS}\s+(?:will\s+|would\s+|may\s+|might\s+)?(?:grows?|increases?|goes\s+up|rises?)\s+"
                    r"(?:by\s+)?(?P<grown>\d+(?:\.\d+)?)\s*(?:x|×|times)"
                    # "traffic goes to 5x", "load jumps to 3x"
                    rf"|{LOAD_WORDS}\s+(?:will\s+|would\s+|may\s+|might\s+)?(?:go(?:es)?|jumps?|spikes?|surges?)\s+(?:up\s+)?"
                    r"to\s+(?P<to_x>\d+(?:\.\d+)?)\s*(?:x|×|times)"
                    # "concurrency grows 50%", "what if traffic increases by 30%?", "50% more users"
                    rf"|{LOAD_WORDS}\s+(?:will\s+|would\s+|may\s+|might\s+)?(?:grows?|increases?|goes\s+up|rises?|jumps?)\s+"
                    r"(?:by\s+)?(?P<pct>\d+(?:\.\d+)?)\s*%"
                    rf"|(?<![\d.])(?P<pct_more>\d+(?:\.\d+)?)\s*%\s+more\s+{LOAD_WORDS}"
                    r"|(?:流量|负载|请求量|并发|用户数?)(?:再)?(?:增长|增加|上涨|提高|涨)\s*(?P<pct_zh>\d+(?:\.\d+)?)\s*%"
                    r"|(?P<zh>翻倍|翻一番|增加一倍|加倍|翻两番|减半)|翻(?P<zh_times>\d+|两|三|四|五|十)倍"
                    # "并发提高到原来的三倍", "用户数增加到现在的2倍"
                    # "流量涨到三倍", "涨到现在的3倍"
                    r"|(?:提高|增加|提升|扩大|涨|升)(?:(?:到|为|成)\s*(?:(?:原来|现在|目前|当前)的?)?|\s*(?:原来|现在|目前|当前)的?)"
                    r"\s*(?P<zh_of>\d+|两|三|四|五|十)\s*倍"
                    # "and if it triples?", "what if that doubles?": the load the conversation speaks of
                    r"|(?<![a-z])(?:it|that|this)\s+(?:will\s+|would\s+)?(?P<it_verb>doubles?|triples?|quadruples?|halves?)(?![a-z])"
                    # "如果是三倍呢？": the load, at that many times
                    r"|^(?:如果|要是|假如|那)?\s*(?:是|变成|到|涨到)?\s*(?P<bare_zh>\d+|两|三|四|五|十)\s*倍\s*(?:呢|的话呢|的话)?[?？]?$"
                    # "能扛住两倍流量吗", "3倍的并发"
                    r"|(?P<zh_load>\d+|两|三|四|五|十)\s*倍(?:的)?\s*(?:流量|负载|请求量|请求|并发|用户|访问量|调用量)"
                    # "peak is 3x", "peak traffic is 3x normal", "高峰是平时的3倍", "峰值是平时的3倍"
                    r"|peak(?:\s+(?:traffic|load))?\s+(?:is|will\s+be|hits?|of|at)\s+(?:about\s+|around\s+)?"
                    r"(?P<peak>\d+(?:\.\d+)?)\s*(?:x|×|times)"
                    r"|(?:高峰|峰值)(?:期)?(?:流量)?(?:是|为|会是|能到|会到)?(?:平时|平常|现在|日常|平均)?的?\s*"
                    r"(?P<peak_zh>\d+|两|三|四|五|十)\s*倍"
                    # "数据量翻倍", "the dataset doubles", "documents double": the job's items
                    r"|(?P<data>数据量|数据|文档量|样本量|dataset|data|documents|records|images)\s*(?:will\s+)?"
                    r"(?P<data_by>翻倍|翻一番|doubles?|triples?|减半|halves?)",
                    re.IGNORECASE)
#: A scaled load that names the users held at once, not the rate: "用户数翻倍", "double the users".
SCALES_USERS = re.compile(r"(?<![a-z])(?:users|concurrency|concurrent|sessions)(?![a-z])|并发|用户|在线", re.IGNORECASE)
FACTORS = {"double": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5, "half": 0.5, "twice": 2.0, "thrice": 3.0,
           "翻倍": 2.0, "翻一番": 2.0, "增加一倍": 2.0, "加倍": 2.0, "翻两番": 4.0, "减半": 0.5,
           "两": 2.0, "三": 3.0, "四": 4.0, "五": 5.0, "十": 10.0}
#: A device count against the current devices: "with 4?", "only have 4 (of them)", "只有4张", "用4张".
COUNT = re.compile(r"(?<![a-z])(?:with(?:\s+just|\s+only)?|only\s+have|have\s+only|just\s+have|only|(?:we|i)\s+(?:actually\s+)?"
                   r"have|(?:we|i)\s+own|actually(?=\s+\d+\s+of\s+them)|make\s+that(?=\s+\d+\s*(?:$|[.!]|of\s+them|gpus?|cards?"
                   r"|devices?)))\s+(\d+)"
                   r"(?:\s+of\s+them|\s+(?:gpus?|cards?|devices?|chips?|boards?))?(?![\d.])"
                   r"|(?:只有|只用|用|就|有|实际上是|其实是|应该是)\s*(?:其中(?:的)?)?\s*(\d+)\s*(?:张|块|台|个|卡)"
                   r"(?!\s*(?:图|照片|图片|图像|文档))",
                   re.IGNORECASE)


def device_count_misread(message: str, update: Intent, current: Intent, catalog) -> Intent | None:
    """A follow-up's device count the parser read as a dataset ("我们只有 8 张" after "用昇腾910B": 张
    counts images too) where the request is a service on devices it names, or a job on devices it
    holds ("实际上我们有8张" after "我们已经有2张L40S"): the count of those."""
    found = COUNT.search(message)
    held = bool(current.hardware.owned or [s for s in current.hardware.include if s in catalog.selector_ids()])
    if found is None or update.workload.dataset_records is None \
            or (current.workload.kind.value != "inference" and not current.hardware.owned) \
            or (current.workload.dataset_records is not None and not held):
        return None  # a job's items restated stay items; "实际上我们有8张" beside 2 L40S held is devices
    if update.workload.dataset_records != int(found.group(1) or found.group(2)):
        return None
    return _count(message, current, catalog)


NUMBER = r"(\d[\d,]*(?:\.\d+)?)\s*(k|m|万|千)?"
#: A rate or a concurrency restated: "QPS 改成 60", "每秒请求改成 60", "rps to 80", "concurrency 提到 300".
CHANGED_TO = r"\s*(?:改成|改为|提到|提高到|增加到|调到|调整为|变成|降到|降低到|涨到|升到|增至|提升到|上升到|to|=|:|of)?\s*"
RATE_RESTATED = re.compile(rf"(?:qps|rps|每秒请求数?|请求数|吞吐量?|throughput|request\s+rate|frame\s+rate|fps|帧率)"
                           rf"{CHANGED_TO}{NUMBER}", re.IGNORECASE)
#: The sources a per-source rate is for, restated: "摄像头增加到 32 路", "cameras to 32", "32 streams now".
SOURCES_RESTATED = re.compile(rf"(?:cameras?|streams?|feeds?|摄像头|视频流|路数){CHANGED_TO}(\d+)\s*(?:路|个|台)?"
                              rf"|(?:增加到|改成|改为|提到|变成)\s*(\d+)\s*路"
                              # "actually 12 cameras", "now 16 streams": the count before its noun
                              r"|(?<![\d.])(?<!more )(\d+)\s*(?:cameras?|streams?|feeds?|路摄像头|路视频|个摄像头)(?!\s*more)",
                              re.IGNORECASE)
#: A count of 路 alone in a follow-up: "实际上是12路", "其实峰值有300路" (not "每路", "30路每秒").
LU_ALONE = re.compile(r"(?<![\d.每])(\d+)\s*路(?!\s*(?:每|/))")
#: Sources added: "add 8 more streams", "8 more cameras", "再加8路", "再增加4个摄像头".
SOURCES_ADDED = re.compile(r"(?<![\d.])(\d+)\s*(?:more|additional|extra)\s*(?:cameras?|streams?|feeds?)"
                           r"|(?:再加|再增加|增加|加)\s*(\d+)\s*(?:路|个摄像头|路摄像头|路视频)", re.IGNORECASE)
#: Denoising steps restated: "make it 50 steps", "use 30 denoising steps", "改成30步".
STEPS = re.compile(r"(?<![\d.])(\d+)\s*(?:denoising\s+|sampling\s+|inference\s+)?steps?(?![a-z])|(\d+)\s*步", re.IGNORECASE)
CONCURRENCY_RESTATED = re.compile(rf"(?:concurrency|concurrent\s+users|并发数?|并发量){CHANGED_TO}{NUMBER}", re.IGNORECASE)
#: A prompt or an output length alone: "inputs will be more like 4k", "and outputs 500", "输入改成2000".
LENGTH = re.compile(rf"(?P<side>inputs?|prompts?|context|outputs?|completions?|answers?|responses?|输入|输出|上下文)"
                    rf"(?:\s+[a-z]+){{0,4}}?{CHANGED_TO}(?:about\s+|around\s+|~)?{NUMBER}\s*(?:tokens?|toks?|个?token)?",
                    re.IGNORECASE)
PROMPT_SIDES = ("input", "inputs", "prompt", "prompts", "context", "输入", "上下文")
#: Money: "$300", "300 dollars", "300 美元".
MONEY = re.compile(rf"\$\s*{NUMBER}|{NUMBER}\s*(?:dollars|usd|美元|美金)", re.IGNORECASE)
SCALES = {"k": 1e3, "m": 1e6, "千": 1e3, "万": 1e4}


def _number(digits: str, scale: str | None) -> float:
    return float(digits.replace(",", "")) * SCALES.get((scale or "").lower(), 1.0)


#: Words of a count that say the devices are held ("we only have 4", "只有8张"), not a cap.
HAVING = re.compile(r"have|有")


#: Devices added to those held: "add 2 more L40S", "4 more A100s", "再加4张A100", "多加两张".
MORE = re.compile(r"(?<![a-z])(?:add|adding|another|plus|buy|bought|get|got|with|had|have|rent|rented)\s+(?P<n>\d+)\s+more"
                  r"(?:\s+(?P<what>[a-z0-9][\w.-]*))?"
                  r"|(?<![\d.])(?P<n2>\d+)\s+more\s+(?P<what2>[a-z0-9][\w.-]*)"
                  r"|(?:再加|多加|再买|多买|再添|多给|再给|多配|再配|再多|多出|加)\s*(?P<n3>\d+)\s*(?:张|块|台|个)?\s*(?P<what3>[a-z0-9][\w.-]*)?",
                  re.IGNORECASE)


def more_devices(message: str, current: Intent, catalog, plan=None) -> Intent | None:
    """Devices added to those the request holds ("add 2 more L40S", "如果再加4张A100呢"): the same
    device, that many more; None without devices held (or when it names a device not held). A job
    planned on rented devices ("what if we had 8 more GPUs?") is planned on that many more of its
    device, as fast as they go (it had answered with the same plan: the cheapest count)."""
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    found = MORE.search(normalise(message, load_lexicon()))
    owned = current.hardware.owned
    if found is not None and not owned and plan is not None and plan.job is not None:
        return _more_rented(found, plan)
    if found is None or not owned:
        return None
    count = int(found.group("n") or found.group("n2") or found.group("n3"))
    what = (found.group("what") or found.group("what2") or found.group("what3") or "").lower().rstrip("s")
    held = [o for o in owned if what and (what in o.device or any(what in a for a in _names(catalog, o.device)))] \
        if what else owned[:1] if len(owned) == 1 else []
    if len(held) != 1 or count < 1:
        return None
    device = held[0]
    hardware = current.hardware.model_copy(update={"owned": [
        o.model_copy(update={"count": o.count + count}) if o is device else o for o in owned]})
    return Intent(text=message, hardware=hardware,
                  assumptions=[f"'{found.group(0).strip()}' read as {count} more {device.device}: "
                               f"{device.count + count} held ({device.count} before)"])


def _more_rented(found: re.Match, plan) -> Intent:
    """A job's rented devices and that many more, the job as fast as they make it."""
    count = int(found.group("n") or found.group("n2") or found.group("n3"))
    total = plan.job.devices + count
    device = plan.choice.device_id
    return Intent(text=found.group(0), hardware=HardwareSelection(include=[device], max_devices=total),
                  objective=Objective(metric=Metric.JOB_TIME, sense=Sense.MINIMIZE),
                  assumptions=[f"'{found.group(0).strip()}' read as the job on up to {total} x {device} "
                               f"({plan.job.devices} planned), as fast as they make it"])


def _names(catalog, selector: str) -> list[str]:
    """The lowercase names a device or family answers to (its aliases)."""
    device = catalog.devices.get(selector)
    family = catalog.families.get(selector) if hasattr(catalog, "families") else None
    names = [*(device.aliases if device else []), *(family.aliases if family else [])]
    return [n.lower().replace(" ", "") for n in names]


#: A correction of what was said before: "no, I meant $200 per month", "I meant 10 days, not 10 hours",
#: "不对，我说的是每周 3000 美元", "我的意思是5小时".
CORRECTING = re.compile(r"^\s*(?:actually|no\s+wait|wait)[,.!]?\s+(?=[$¥€£]?\s*\d)|^\s*(?:go\s+back\s+to|back\s+to)\s+(?=[$¥€£]?\s*\d)"
                        r"|^\s*(?:no[,.!]?\s+|sorry[,.!]?\s+|oops[,.!]?\s+)?(?:i\s+meant|i\s+mean|what\s+i\s+meant\s+(?:was|is))"
                        r"\s+|^\s*(?:不对|不是|错了)[，,。!！]?\s*(?:我说的是|我是说|应该是|是)?\s*|^\s*我的意思是\s*",
                        re.IGNORECASE)
#: What a correction says it was not: "..., not 10 hours", "…，不是每月".
NOT_THAT = re.compile(r"[,，]?\s*(?:not|rather than|而不是|不是)\s+[^,，]*$", re.IGNORECASE)
MONEY_OR_TIME = re.compile(r"[$¥€£]|dollars?|usd|美元|元|(?<![a-z])(?:hours?|hrs?|h|days?|weeks?|minutes?|mins?|ms|s|sec|"
                           r"seconds?)(?![a-z])|小时|天|周|分钟|毫秒|秒", re.IGNORECASE)


def corrected(message: str, current: Intent) -> str | None:
    """A correction's figure as a request says it ("budget $200 per month", "within 10 days"): the
    amount or time a follow-up corrects, with the word that makes it a bound; None when the
    message corrects nothing of the kind."""
    m = CORRECTING.match(message)
    if m is None:
        made = MAKE_IT.match(message)
        rest = made and (made.group("rest") or made.group("rest_zh") or made.group("rest_then")).strip(" ,，。.!！吧")
        rate = rest and re.search(r"/|\bper\b|每", rest)  # "make it 1000 req/s": a rate, no duration
        said = as_bound(rest, current) if rest and FIGURE_ALONE.match(rest) and not rate else None
        # a job's time only: a bare latency or amount is the last bound of its kind (``_restated``)
        return said if said is not None and said.startswith(("done within", rest + "内完成")) else None
    return as_bound(NOT_THAT.sub("", message[m.end():]).strip(" ,，。.!！"), current)


#: A figure set by a follow-up: "make it 2 days", "改成两天", "改为3小时吧".
MAKE_IT = re.compile(r"^\s*(?:(?:ok(?:ay)?|then|and)[,.!]?\s+)?(?:make\s+it|change\s+it\s+to|set\s+it\s+to|let'?s\s+say)\s+"
                     r"(?P<rest>.+)$|^\s*(?:那就|那)?(?:时间|截止时间|期限|工期|完成时间)?(?:改成|改为|换成|设成|设为)(?P<rest_zh>.+)$"
                     r"|^\s*(?:那就|那么就|就)(?P<rest_then>[^，,。]+?)(?:吧)?[。！]?$", re.IGNORECASE)


#: A figure with its unit alone: "12小时", "4 hours", "$300", "两天".
FIGURE_ALONE = re.compile(r"^\s*[$¥€£]?\s*(?:\d[\d,]*(?:\.\d+)?|[一二两三四五六七八九十半]+个?)\s*\S{0,8}\s*$")


def as_bound(rest: str, current: Intent) -> str | None:
    """An amount of money or a time said alone ("$200 per month", "12小时"), as a request says it with
    the word that makes it a bound: a budget, a job's time or a latency; None for anything else."""
    if not rest or not MONEY_OR_TIME.search(rest):
        return None
    if re.search(r"(?<![a-z])(?:per|a|an|each|every)\s+(?:day|week|month|hour)|/|每", rest, re.IGNORECASE) and \
            not re.search(r"[$¥€£]|dollars?|usd|美元|元", rest, re.IGNORECASE):
        return None  # "每天100小时", "100 hours a day": a volume of work in a period, no bound on time
    if re.search(r"[$¥€£]|dollars?|usd|美元|元", rest, re.IGNORECASE):
        return f"budget {rest}" if rest.isascii() else f"预算{rest}"
    job = current.workload.kind.value != "inference" or any(c.metric == Metric.JOB_TIME for c in current.constraints)
    return (f"done within {rest}" if job else f"latency under {rest}") if rest.isascii() else f"{rest}内完成"


def read_in_context(message: str, current: Intent, catalog) -> Intent | None:
    """``message`` as a change to ``current`` (see the module docstring); None when it is none."""
    for reader in (_typo_fixed, _size, _users, _scaled_load, _count, _restated, _lengths, _job_budget, _bare_figure,
                   _audio_restated, _language_added, _budget_set):
        update = reader(message, current, catalog)
        if update is not None:
            return update
    return None


#: A figure said to fix a typo: "sorry, I meant 500 not 50", "typo: 5000", "打错了，是5000", "写错了，应该是500".
TYPO_FIXED = re.compile(r"^\s*(?:(?:sorry|oops|my bad|typo)[,.!:]?\s*)?(?:(?:i\s+)?meant\s+|it'?s\s+|should\s+be\s+|typo[,.:]?\s*)?"
                        r"(?P<new>\d[\d,]*(?:\.\d+)?)(?:\s*,?\s*(?:not|instead\s+of)\s+(?P<old>\d[\d,]*(?:\.\d+)?))?\s*[.!]?\s*$"
                        r"|^\s*(?:打错了|写错了|输错了|不对)[，,。!！]?\s*(?:应该是|是|改成)?\s*(?P<new_zh>\d+(?:\.\d+)?)"
                        r"(?:\s*(?:不是|而不是)\s*(?P<old_zh>\d+(?:\.\d+)?))?\s*[。!！]?\s*$", re.IGNORECASE)
#: Words that make a bare figure a correction: without one, "500" alone is no typo fixed.
FIXING = re.compile(r"sorry|oops|my bad|typo|meant|should be|instead of|\bnot\b|打错|写错|输错|不对", re.IGNORECASE)


def _typo_fixed(message: str, current: Intent, catalog) -> Intent | None:
    """A bare figure fixing a typo: the request's one figure it names ("500 not 50") or, naming
    none, the one whose digits it differs from by a digit ("打错了，是5000" after 500 users)."""
    m = TYPO_FIXED.match(message)
    if m is None or not FIXING.search(message):
        return None
    new = float((m.group("new") or m.group("new_zh")).replace(",", ""))
    old_said = m.group("old") or m.group("old_zh")
    figures = _figures(current)
    if old_said is not None:
        found = [f for f in figures if f[1] == float(old_said.replace(",", ""))]
    else:
        found = [f for f in figures if _one_digit_apart(_digits(f[1]), _digits(new))]
        if len(found) > 1:  # "不对，是1500" beside 100 users and $1000: a digit changed before one added
            found = [f for f in found if len(_digits(f[1])) == len(_digits(new))]
    if len(found) != 1:
        return None
    name, old = found[0]
    return _figure_set(message, current, name, old, new, f"'{message.strip()}' read as {name} {new:g}, fixing {old:g}")


def _figure_set(message: str, current: Intent, name: str, old: float, new: float, note: str) -> Intent:
    """A follow-up setting one of the request's figures (as ``_figures`` names them) from ``old`` to ``new``."""
    if name in ("concurrency", "sources", "dataset_records", "epochs"):
        return Intent(text=message, workload=Workload(**{name: int(new)}), assumptions=[note])
    c = next(c for c in current.constraints if f"{c.metric.value} {c.op}" == name)
    return Intent(text=message, constraints=[c.model_copy(update={"value": c.value * new / old, "source": message.strip()})],
                  assumptions=[note])


def _figures(current: Intent) -> list[tuple[str, float]]:
    """The figures of a request as written: its counts, and each bound's number as its words say it."""
    w = current.workload
    out = [(name, float(getattr(w, name))) for name in ("concurrency", "sources", "dataset_records", "epochs")
           if getattr(w, name)]
    for c in current.constraints:
        said = re.search(r"\d[\d,]*(?:\.\d+)?", c.source or "")
        if said is not None:
            out.append((f"{c.metric.value} {c.op}", float(said.group().replace(",", ""))))
    return out


def _digits(value: float) -> str:
    return f"{value:g}".replace(".", "")


#: A figure set with no unit: "make it 150", "no, 100 was right, make it 150", "make it 50 million", "改成200".
BARE_FIGURE = re.compile(r"(?:^|[,，.;；]\s*)(?:(?:ok(?:ay)?|then|no)[,.!]?\s+)?(?:make\s+it|change\s+it\s+to|set\s+it\s+to|"
                         r"actually|no\s+wait|wait|sorry)[,.]?\s+"
                         r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|million|thousand|万|千)?"
                         # the thing counted may follow ("make it 300 streams"), no unit of time, money or size
                         r"(?:\s+(?!(?:ms|s|sec|secs|seconds?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|gb|tb|w|watts?|"
                         r"dollars?|usd|fps|rps|qps|tokens?|tok)\b)[a-z-]+){0,2}\s*[.!。！]?\s*$"
                         r"|(?:^|[，,]\s*)(?:那就|那)?(?:改成|改为|调到|设成)(?P<n_zh>\d+(?:\.\d+)?)\s*(?P<scale_zh>万|千)?\s*(?:吧)?[。！]?\s*$",
                         re.IGNORECASE)
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "万": 1e4, "千": 1e3}
#: How near in size (a factor) the one figure a bare number sets must be, and how much nearer than any other.
BARE_REACH, BARE_MARGIN = 20.0, 4.0


def _bare_figure(message: str, current: Intent, catalog) -> Intent | None:
    """A number set with no unit: the one figure of the request it is near in size to (users at once,
    sources, items, epochs or a bound as its words say it); None where none is, or two are alike."""
    m = BARE_FIGURE.search(message)
    if m is None:  # "3 cams", "cameras 12 now": a count of what the request counts, alone
        alone = COUNT_ALONE.match(message)
        field = alone and _counted_field(alone.group(0), current)
        if not field:
            return None
        n = int(alone.group("n"))
        return Intent(text=message, workload=Workload(**{field: n}), assumptions=[f"'{message.strip()}' read as {field} {n}"])
    number, scale = (m.group("n"), m.group("scale")) if m.group("n") else (m.group("n_zh"), m.group("scale_zh"))
    new = float(number.replace(",", "")) * SCALES.get((scale or "").lower(), 1.0)
    if new <= 0:
        return None
    counted = _counted_field(message[m.start():], current)
    if counted is not None:  # "make it 2 cameras", "what about 2 cameras?": the field the noun names
        return Intent(text=message, workload=Workload(**{counted: int(new)}),
                      assumptions=[f"'{message.strip()}' read as {counted} {int(new)}"])
    ranked = sorted(_figures(current), key=lambda f: abs(math.log(new / f[1])) if f[1] > 0 else math.inf)
    if not ranked or ranked[0][1] <= 0 or max(new, ranked[0][1]) / min(new, ranked[0][1]) > BARE_REACH:
        return None
    if len(ranked) > 1 and ranked[1][1] > 0 and \
            abs(math.log(new / ranked[1][1])) - abs(math.log(new / ranked[0][1])) < math.log(BARE_MARGIN):
        return None  # two figures alike in size: which one is not said
    name, old = ranked[0]
    return _figure_set(message, current, name, old, new, f"'{message.strip()}' read as {name} {new:g} (it was {old:g})")


#: A count and what it counts, alone: "3 cams", "12 cameras now", "300 users then".
COUNT_ALONE = re.compile(r"^\s*(?:(?:ok|so|now|then|actually)[,.]?\s+)?(?P<n>\d{1,6})\s*[a-z\u4e00-\u9fff]+(?:\s+(?:now|then|instead))?"
                         r"[\s.!。！]*$", re.IGNORECASE)
#: The workload field a noun after a bare figure counts (the first set in the request, else the first named).
COUNTED_NOUNS = ((r"cameras?|cams?|feeds?|channels?|sources?|路", ("sources", "concurrency")),
                 (r"streams?|calls?|sessions?", ("concurrency", "sources")),
                 (r"users?|people|developers?|devs?|agents?|并发|用户", ("concurrency",)),
                 (r"epochs?|轮", ("epochs",)))


def _counted_field(said: str, current: Intent) -> str | None:
    """The workload field a figure's noun names ("2 cameras": sources), where its request can hold it."""
    w = current.workload
    for nouns, fields in COUNTED_NOUNS:
        if re.search(rf"\d\s*(?:{nouns})(?![a-z])", said, re.IGNORECASE):
            held = [f for f in fields if getattr(w, f)]
            if fields[0] == "sources" and not held and current.bound(Metric.THROUGHPUT, ">=") is None:
                return None  # cameras with no rate to multiply
            return (held or list(fields))[0]
    return None


#: Hours or minutes of speech a period, said of a speech request without the speech word: "make it 5k hrs/week".
AUDIO_TIME = re.compile(r"\d[\d.,]*\s*(?:k|thousand)?\s*(?:hours?|hrs?|minutes?|mins?)\s*(?:/|per|a|an|each|every)\s*"
                        r"(?:day|week|month)(?![a-z])|每(?:天|日|周|月)\s*\d[\d.,]*\s*(?:万|千)?\s*(?:个)?(?:小时|分钟)",
                        re.IGNORECASE)


def _audio_restated(message: str, current: Intent, catalog) -> Intent | None:
    """A volume of speech restated in a speech request ("make it 5k hrs/week" after "2k hours of audio per week"):
    the parser's reading of it as audio (alone, it was a duration with no limit word)."""
    from intent.parser import parse_rules

    if current.task is None or current.task.value != "automatic-speech-recognition":
        return None
    found = AUDIO_TIME.search(message)
    if found is None:
        return None
    try:
        said = found.group(0)
        update = parse_rules(f"transcribe {said} of audio" if said.isascii() else f"语音识别，{said}音频", catalog)
    except IntentError:
        return None
    rate = [c for c in update.constraints if c.metric == Metric.THROUGHPUT]
    if not rate:
        return None
    return Intent(text=message, constraints=rate, assumptions=[
        f"'{found.group(0)}' read as a volume of speech: {rate[0].value:.4g} windows/s"])


def _language_added(message: str, current: Intent, catalog) -> Intent | None:
    """A language a follow-up adds to a request that reads languages ("it needs to handle mandarin too",
    "也要支持英文"): the request's content languages and it (alone, the message named no task to read it with)."""
    from intent.parser.lexicon import load_lexicon

    if current.task is None or not re.search(r"(?<![a-z])(?:too|also|as well|handle|support|plus)(?![a-z])|也|还要|支持",
                                             message.lower()):
        return None
    lexicon = load_lexicon()
    named = [code for code, words in lexicon["languages"].items()
             if any(re.search(rf"(?<![a-z]){re.escape(str(w))}(?![a-z])", message.lower()) for w in words)]
    if not named:
        return None
    codes = list(dict.fromkeys([*(current.workload.content_languages or []), *named]))
    return Intent(text=message, workload=Workload(content_languages=codes),
                  assumptions=[f"'{message.strip()}' read as the content in {' and '.join(codes)}"])


#: A budget set to a figure with no unit ("预算放宽到5万", "raise the budget to 5k", "budget 5000 now"): in the
#: request's own unit, period and currency.
BUDGET_SET = re.compile(r"^\s*(?:(?:ok(?:ay)?|so|then|and)[,.]?\s+)?(?:(?:raise|increase|lower|cut|bump|relax|loosen|set|"
                        r"change|make)\s+(?:the\s+|our\s+)?)?(?:budget|cost\s+cap|spend\s+cap|预算|成本上限|费用上限)\s*"
                        r"(?:(?:放宽|提高|提升|增加|调整|调|改|降低|降|减少|压缩|上调|下调)\s*)?(?:到|至|为|成|to|up\s+to|down\s+to|of|is|=|:)?"
                        r"\s*(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|million|thousand|万|千)?\s*(?:吧|了|now|instead)?[.!。！]?\s*$",
                        re.IGNORECASE)
#: A figure as a bound's source writes it, with its scale ("3万元", "3k a month").
WRITTEN_FIGURE = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|million|thousand|万|千)?(?![a-z])", re.IGNORECASE)


def _budget_set(message: str, current: Intent, catalog) -> Intent | None:
    """A budget set with no unit, as the request's budget said it: "预算放宽到5万" after "预算每月3万元" is 50,000
    yuan a month (it was "a limit with no unit ... ignored")."""
    m = BUDGET_SET.match(message)
    if m is None:
        return None
    new = float(m.group("n").replace(",", "")) * SCALES.get((m.group("scale") or "").lower(), 1.0)
    for c in current.constraints:
        said = WRITTEN_FIGURE.search(c.source or "") if c.metric in (Metric.COST, Metric.JOB_COST) else None
        if said is None:
            continue
        old = float(said.group("n").replace(",", "")) * SCALES.get((said.group("scale") or "").lower(), 1.0)
        if old > 0 and new > 0:
            return _figure_set(message, current, f"{c.metric.value} {c.op}", old, new,
                               f"'{message.strip()}' read as the budget '{c.source}' at {new:g} (it was {old:g})")
    return None


def _one_digit_apart(a: str, b: str) -> bool:
    """Whether two digit strings differ by one digit added, dropped or changed (500 and 5000, 50 and 500)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _size(message: str, current: Intent, catalog) -> Intent | None:
    found = SIZE.search(message)
    if found is None or not (current.workload.model or current.workload.models):
        return None
    size = found.group(1)
    base = current.workload.model or current.workload.models[0]
    if re.search(rf"(?<![\d.]){re.escape(size.lower())}b(?=$|-)", base):  # "nah stay w 8b" of llama-3.1-8b: the model kept
        return Intent(text=message, workload=Workload(model=base),
                      assumptions=[f"'{found.group(0).strip()}' read as keeping {base}, already that size"])
    swapped = re.sub(r"(?<![\d.])\d+(?:\.\d+)?b(?=$|-)", f"{size.lower()}b", base)
    if swapped != base and swapped in catalog.models:
        return Intent(text=message, workload=Workload(model=swapped),
                      assumptions=[f"'{found.group(0).strip()}' read as {swapped}: {base} at that size"])
    from intent.api import parse
    from intent.errors import IntentNotUnderstood

    try:
        sized = parse(f"a {size}B model", offline=True)
    except IntentNotUnderstood:
        return None
    return sized.model_copy(update={"text": message, "assumptions": [
        f"'{found.group(0).strip()}' read as a {size}B model: {base} comes in no such size"]})


def _users(message: str, current: Intent, catalog) -> Intent | None:
    found = USERS.search(message)
    if found is None or current.workload.concurrency is None:
        return None
    users = int(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)
    return Intent(text=message, workload=Workload(concurrency=users),
                  assumptions=[f"'{found.group(0).strip()}' read as {users} concurrent users, as the request "
                               f"counts its users ({current.workload.concurrency} before)"])


def _scaled_load(message: str, current: Intent, catalog) -> Intent | None:
    found = SCALED.search(message)
    if found is None:
        return None
    factor = _factor(found)
    said = found.group(0).strip()
    if SOURCE_WORDS.search(message) and current.workload.sources:  # "twice the cameras": each at its rate
        sources = max(1, round(current.workload.sources * factor))
        return Intent(text=message, workload=Workload(sources=sources),
                      assumptions=[f"'{said}' read as {sources} sources ({current.workload.sources} x {factor:g})"])
    if found.group("data") and current.workload.dataset_records:  # the job's items, not its rate
        records = max(1, round(current.workload.dataset_records * factor))
        return Intent(text=message, workload=Workload(dataset_records=records),
                      assumptions=[f"'{said}' read as {records:,} items ({current.workload.dataset_records:,} x {factor:g})"])
    rates = [c for c in current.constraints if c.metric == Metric.THROUGHPUT and c.op == ">="]
    if current.workload.concurrency is not None and SCALES_USERS.search(message):
        rates = []  # "用户数翻倍": the users held at once, not the rate
    if rates:
        rate = rates[-1]
        value = rate.value * factor
        return Intent(text=message, constraints=[Constraint(metric=Metric.THROUGHPUT, op=">=", value=value,
                                                            unit=rate.unit, source=said)],
                      assumptions=[f"'{said}' read as a rate of {value:g} {rate.unit or 'rps'} ({rate.value:g} x "
                                   f"{factor:g})"])
    if current.workload.concurrency is not None:
        users = max(1, round(current.workload.concurrency * factor))
        return Intent(text=message, workload=Workload(concurrency=users),
                      assumptions=[f"'{said}' read as {users} concurrent users "
                                   f"({current.workload.concurrency} x {factor:g})"])
    return None


def _factor(found: re.Match) -> float:
    """The factor a scaled-load phrase says ("triple" 3, "3x" 3, "翻三倍" 3, "减半" 0.5)."""
    number = found.group("times") or found.group("after") or found.group("grown") or found.group("peak") \
        or found.group("alone") or found.group("alone_after") or found.group("peak_x") or found.group("peak_after") \
        or found.group("to_x")
    share = found.group("pct") or found.group("pct_more") or found.group("pct_zh")
    if share:  # "grows 50%": 1.5 times
        return 1 + float(share) / 100
    if found.group("data_by"):
        return FACTORS[re.sub(r"s$", "", found.group("data_by").lower())]
    if number:
        return float(number)
    verb = found.group("verb") or found.group("it_verb")
    if verb:
        return FACTORS[re.sub(r"s$", "", verb.lower())]
    zh = found.group("zh_times") or found.group("zh_of") or found.group("zh_load") or found.group("peak_zh") \
        or found.group("bare_zh")
    if zh:
        return float(zh) if zh.isdigit() else FACTORS[zh]
    return FACTORS[(found.group("word") or found.group("zh")).lower()]


#: A share of the devices held: "only use half of them", "half the GPUs", "只用一半的卡", "用一半".
HALF_HELD = re.compile(r"(?<![a-z])half\s+(?:of\s+)?(?:them|the\s+(?:gpus|cards|devices|nodes|machines))(?![a-z])|一半的?(?:卡|设备|机器)?")


def _count(message: str, current: Intent, catalog) -> Intent | None:
    owned = current.hardware.owned
    if len(owned) == 1 and owned[0].count >= 2 and (half := HALF_HELD.search(message)) is not None:
        # "what if we only use half of them?": half the devices held
        count = owned[0].count // 2
        return Intent(text=message, hardware=current.hardware.model_copy(update={"owned": [owned[0].model_copy(
            update={"count": count})]}), assumptions=[f"'{half.group(0)}' read as {count} x {owned[0].device} held "
                                                      f"({owned[0].count} before)"])
    found = COUNT.search(message)
    if found is None:
        return None
    count = int(found.group(1) or found.group(2))
    if count < 1:
        return None
    said, owned = found.group(0).strip(), current.hardware.owned
    if len(owned) == 1:
        device = owned[0].device
        hardware = current.hardware.model_copy(update={"owned": [owned[0].model_copy(update={"count": count})]})
        note = f"'{said}' read as {count} x {device} owned ({owned[0].count} before)"
    elif HAVING.search(said) and len(named := [s for s in current.hardware.include if s in catalog.selector_ids()]) == 1:
        hardware = current.hardware.model_copy(update={"owned": [OwnedDevice(device=named[0], count=count)]})
        note = f"'{said}' read as {count} x {named[0]} owned"
    elif current.hardware.include or current.hardware.max_devices is not None:
        hardware = current.hardware.model_copy(update={"max_devices": count, "owned": []})
        note = f"'{said}' read as at most {count} devices"
    else:
        return None
    return Intent(text=message, hardware=hardware, assumptions=[note])


def _restated(message: str, current: Intent, catalog) -> Intent | None:
    if (found := RATE_RESTATED.search(message)) is not None:
        rate = _number(found.group(1), found.group(2))
        return Intent(text=message, constraints=[Constraint(metric=Metric.THROUGHPUT, op=">=", value=rate, unit="rps",
                                                            source=found.group(0).strip())],
                      assumptions=[f"'{found.group(0).strip()}' read as a rate of {rate:g} requests/s"])
    if (found := CONCURRENCY_RESTATED.search(message)) is not None:
        users = int(_number(found.group(1), found.group(2)))
        return Intent(text=message, workload=Workload(concurrency=users),
                      assumptions=[f"'{found.group(0).strip()}' read as {users} concurrent users"])
    if current.workload.sources and (found := SOURCES_ADDED.search(message)) is not None:
        sources = current.workload.sources + int(found.group(1) or found.group(2))
        return Intent(text=message, workload=Workload(sources=sources),
                      assumptions=[f"'{found.group(0).strip()}' read as {sources} sources, each at the rate stated "
                                   f"({current.workload.sources} before)"])
    if current.task is not None and current.task.value == "text-to-image" and (found := STEPS.search(message)):
        steps = int(found.group(1) or found.group(2))
        if steps >= 1:
            return Intent(text=message, workload=Workload(steps=steps),
                          assumptions=[f"'{found.group(0).strip()}' read as {steps} denoising steps an image"])
    if (lu := LU_ALONE.search(message)) is not None and (current.workload.sources or current.workload.concurrency):
        n = int(lu.group(1))
        if current.workload.sources:  # "实际上是12路": the sources, each at the rate stated
            return Intent(text=message, workload=Workload(sources=n),
                          assumptions=[f"'{lu.group(0).strip()}' read as {n} sources, each at the rate stated "
                                       f"({current.workload.sources} before)"])
        return Intent(text=message, workload=Workload(concurrency=n),  # "其实峰值有300路": streams at once
                      assumptions=[f"'{lu.group(0).strip()}' read as {n} streams at once "
                                   f"({current.workload.concurrency} before)"])
    if current.workload.sources and (found := SOURCES_RESTATED.search(message)) is not None:
        sources = int(found.group(1) or found.group(2) or found.group(3))
        return Intent(text=message, workload=Workload(sources=sources),
                      assumptions=[f"'{found.group(0).strip()}' read as {sources} sources, each at the rate stated "
                                   f"({current.workload.sources} before)"])
    return None


def _lengths(message: str, current: Intent, catalog) -> Intent | None:
    if current.task is None or current.task.value != "text-generation":
        return None
    sides = {}
    for found in LENGTH.finditer(message):
        tokens = int(_number(found.group(2), found.group(3)))
        sides["prompt_tokens" if found.group("side").lower() in PROMPT_SIDES else "output_tokens"] = tokens
    if not sides:
        return None
    said = ", ".join(f"{'prompt' if k == 'prompt_tokens' else 'output'} {v:,} tokens" for k, v in sides.items())
    return Intent(text=message, workload=Workload(**sides), assumptions=[f"'{message.strip()}' read as {said}"])


def _job_budget(message: str, current: Intent, catalog) -> Intent | None:
    found = MONEY.search(message)
    if found is None or current.workload.kind.value == "inference":
        return None
    digits, scale = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    total = _number(digits, scale)
    return Intent(text=message, constraints=[Constraint(metric=Metric.JOB_COST, op="<=", value=total, unit="USD",
                                                        source=found.group(0).strip())],
                  assumptions=[f"'{found.group(0).strip()}' read as the job's total cost, at most ${total:,.2f}"])
