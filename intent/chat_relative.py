"""Follow-ups that change a figure relative to what the request or its plan has now: "make it 20%
faster", "3 times faster", "twice as fast", "cut the cost by 50%", "halve the budget", "double the
deadline", "帧率提高 50%", "延迟收紧 20%", "预算减半", "速度快一倍".

The new bound is the request's own bound on that metric scaled, or, where it states none, the
plan's figure scaled (a plan at 25 ms a token made "20% faster" is TPOT <= 20 ms). Each had been
refused as "relative to the current setup", or read as a new objective that changed the plan
without the change asked for.
"""

from __future__ import annotations

import re

from hardware import Catalog
from intent.schema import CANONICAL_UNITS, NATURAL_OP, Constraint, Intent, Metric

#: Words that name the metric a relative change is about.
METRIC_WORDS = (
    (Metric.JOB_TIME, r"deadline|job time|time limit|截止时间|完成时间|工期"),
    (Metric.TPOT, r"per[-\s]token|tpot|token generation|每字|每token|每个token|生成速度|出字"),
    (Metric.TTFT, r"ttft|first token|首字|首token"),
    (Metric.THROUGHPUT, r"frame rate|fps|throughput|qps|rps|requests per second|帧率|吞吐|每秒请求"),
    (Metric.POWER, r"power|watts|功耗"),
    (Metric.COST, r"budget|cost|price|spend|bill|预算|成本|费用|价格|花费"),
    (Metric.LATENCY, r"latency|delay|response time|延迟|时延|响应时间"),
)
#: A figure referred to, not named: "halve it", "cut that by 30%", "把它减半".
IT = re.compile(r"(?<![a-z])(?:it|that|this)(?![a-z])|它|这个")
#: A word that names each metric, for a figure referred to as "it".
IT_WORDS = {Metric.COST: "cost", Metric.POWER: "power", Metric.LATENCY: "latency", Metric.TTFT: "ttft",
            Metric.TPOT: "tpot", Metric.THROUGHPUT: "throughput", Metric.JOB_TIME: "deadline"}


def _first_named(text: str) -> Metric | None:
    """The metric whose words (METRIC_WORDS) a text holds, the first in that table; None if none."""
    return next((metric for metric, words in METRIC_WORDS if re.search(words, text)), None)


def metric_named(text: str) -> Metric | None:
    """The metric a text names first (METRIC_WORDS), or None; "per year", "a month" name the cost."""
    if (metric := _first_named(text)) is not None:
        return metric
    if re.search(r"per (?:year|month|day)|a (?:year|month|day)|yearly|monthly|每年|每月|一年|一个月|多少钱|how much", text):
        return Metric.COST
    return None


#: Words of speed with no metric named ("faster", "快"): the request's time bound, else its plan's.
SPEED = r"faster|quicker|slower|slow|fast|quick|speed|快|慢|速度"
CHEAPER = r"cheaper|less expensive|more expensive|便宜|贵"
#: A share and the way it moves the figure: "20% faster", "by 50%", "提高 50%", "收紧 20%".
PERCENT = re.compile(r"(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent|个百分点)")
UP = r"raise|increase|bump|higher|more|loosen|relax|longer|slower|more expensive|\+|提高|增加|提升|放宽|延长|上调|涨|翻|加|慢|贵|多"
DOWN = r"cut|reduce|lower|tighten|less|fewer|shorter|faster|quicker|cheaper|降低|减少|收紧|缩短|下调|压缩|降|快|便宜|少|减"
FACTOR = re.compile(r"(?P<n>\d+(?:\.\d+)?|twice|two|three|four|five|ten|half)\s*(?:x|×|times)?\s*(?:as\s+)?"
                    r"(?P<how>faster|quicker|fast|quick|cheaper|cheap|slower|longer|more|higher|lower)"
                    r"|(?P<verb>halve|double|triple|quadruple)\s+(?:the\s+|our\s+)?"
                    r"|(?P<cn>减半|砍半|砍一半|翻倍|加倍|翻一番|快一倍|快两倍|慢一倍|再加一倍|再翻一倍|翻一倍|一半)"
                    # "放宽到原来的两倍", "提高到现在的3倍": that many times the figure
                    r"|(?:到|为|成)?\s*(?:原来|现在|目前|当前)的?\s*(?P<times_zh>\d+(?:\.\d+)?|两|二|三|四|五|十)\s*倍"
                    r"|(?P<in_half>in\s+half)")
NUMBERS = {"twice": 2, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "half": 0.5}
CN_FACTORS = {"减半": 0.5, "砍半": 0.5, "砍一半": 0.5, "翻倍": 2.0, "加倍": 2.0, "翻一番": 2.0, "快一倍": 0.5, "快两倍": 1 / 3, "慢一倍": 2.0,
              "再加一倍": 2.0, "再翻一倍": 2.0, "翻一倍": 2.0, "一半": 0.5}
CN_NUMBERS = {"两": 2.0, "二": 2.0, "三": 3.0, "四": 4.0, "五": 5.0, "十": 10.0}


def relative_changes(message: str, current: Intent, plan, catalog: Catalog,
                     it: Metric | None = None) -> tuple[list[Intent], str]:
    """The relative changes of ``message`` ("halve the budget and double the deadline": one per
    clause that holds one), and the rest of it (its other changes, for the parser). ``it``: the figure
    the conversation last asked about, what "halve it" / "能减半吗" is of where no figure is named;
    ``catalog``, the one ``plan`` was made on."""
    changes, rest = [], []
    for clause in CLAUSES.split(message.lower()):
        if it is not None and clause and metric_named(clause) is None and IT.search(clause):
            clause = IT.sub(f" {IT_WORDS[it]} ", clause)  # "can we halve it?" after "what's this per year?": the cost
        change = _relative_change(clause, current, plan, catalog) if clause else None
        if change is not None:
            changes.append(change)
        elif clause.strip():
            rest.append(clause.strip())
    return changes, ", ".join(rest) if changes else message


def _relative_change(text: str, current: Intent, plan, catalog: Catalog) -> Intent | None:
    """One clause as a relative change to ``current`` (planned as ``plan``): a follow-up Intent
    with the new bound and a note; None when it is none, or names no figure the request or its
    plan has."""
    factor = _factor(text)
    if factor is None:
        return None
    metric = _metric(text, current, plan)
    if metric is None:
        return None
    speed = re.search(SPEED, text) is not None and metric in (Metric.LATENCY, Metric.TTFT, Metric.TPOT, Metric.JOB_TIME)
    if speed and factor > 1 and re.search(r"faster|quicker|fast|quick|快", text):
        factor = 1 / factor  # "3 times faster": a third of the time
    # "延迟要求收紧 20%": the requirement; "make it 2x faster", "延迟再降30%": what the plan reaches
    base, source = _base(metric, current, plan, catalog, 1.0 if OF_THE_BOUND.search(text) else factor)
    if base is None:
        return None
    value = base * factor
    op = NATURAL_OP[metric]
    said = text.strip()
    bound = Constraint(metric=metric, op=op, value=value, unit=CANONICAL_UNITS[metric], source=said)
    note = (f"'{said}' read as {metric.value} {op} {value:.4g} {CANONICAL_UNITS[metric]}: {factor:.3g} x the "
            f"{source} {base:.4g} {CANONICAL_UNITS[metric]}")
    return Intent(text=said, constraints=[bound], assumptions=[note])


#: What separates the changes of one message: "cut the cost by 50% and allow 60 ms per token".
CLAUSES = re.compile(r"\s*(?:,|;|，|；|、|\band\b|\bthen\b|然后|并且|同时)\s*")



def _factor(text: str) -> float | None:
    """What the figure is multiplied by, from a share ("20% faster": 0.8) or a factor ("3x
    faster": 3, read against the metric's direction by the caller; "halve": 0.5)."""
    share = PERCENT.search(text)
    if share is not None:
        around = text[max(0, share.start() - 24):share.end() + 24]
        p = float(share.group("pct")) / 100
        if re.search(DOWN, around):
            return max(0.0, 1 - p)
        if re.search(UP, around):
            return 1 + p
        return None
    m = FACTOR.search(text)
    if m is None:
        return _a_bit(text)
    if m.group("cn"):
        return CN_FACTORS[m.group("cn")]
    if m.group("times_zh"):
        n = m.group("times_zh")
        return CN_NUMBERS[n] if n in CN_NUMBERS else float(n)
    if m.group("in_half"):
        return 0.5
    if m.group("verb"):
        return {"halve": 0.5, "double": 2.0, "triple": 3.0, "quadruple": 4.0}[m.group("verb")]
    n = NUMBERS.get(m.group("n")) or float(m.group("n"))
    if m.group("how") in ("cheaper", "cheap", "lower"):
        return 1 / n if n > 1 else n
    return n


#: A change by an amount not said: "a bit faster", "latency a bit lower", "make it faster", "延迟再低一点",
#: "功耗再低一点", "稍微快一些" ("cheaper" and 便宜 take chat's cheaper path). It had been read as a new
#: objective ("再快一点": the fastest plan at any cost, 16 MI300X) or not at all; it moves the figure by
#: A_BIT_SHARE, as the note says.
A_BIT_SHARE = 0.2
A_BIT = re.compile(r"(?<![a-z])(?:(?:a\s+(?:little\s+)?bit|a\s+little|a\s+tad|slightly|somewhat|even|still)\s+"
                   r"(?P<en>faster|quicker|lower|less|smaller|shorter|tighter|higher|more|slower|looser|longer)"
                   r"|(?P<en_after>faster|quicker|lower|less|smaller|shorter|tighter|higher|slower|looser|longer)"
                   r"\s+(?:a\s+(?:little\s+)?bit|a\s+little|still)"
                   r"|^(?:please\s+)?(?:make\s+it|can\s+you\s+make\s+it|could\s+it\s+be|go)\s+(?P<alone>faster|quicker)"
                   r"(?:\s+please)?[.!?]*$)(?![a-z])"
                   r"|(?:再|稍微|稍|略)(?P<zh>快|低|少|小|短|紧|高|多|慢|长|松)(?:一点|一些|点儿|点|些)?"
                   r"|(?P<zh_after>快|低|少|小|短|高|多|慢|长)(?:一点|一些|点儿)"
                   r"|(?P<too>too\s+slow|太慢|有点慢|慢了点)")
A_BIT_UP = {"higher", "more", "slower", "looser", "longer", "高", "多", "慢", "长", "松"}


def _a_bit(text: str) -> float | None:
    """The factor of a change by an amount not said (A_BIT_SHARE either way); None when it is none."""
    m = A_BIT.search(text)
    if m is None:
        return None
    if m.group("too"):  # "too slow", "太慢了": faster by the share
        return 1 - A_BIT_SHARE
    word = next(g for g in m.groups() if g)
    return 1 + A_BIT_SHARE if word in A_BIT_UP else 1 - A_BIT_SHARE


def _metric(text: str, current: Intent, plan) -> Metric | None:
    """The metric the change names; a speed word is the request's time bound (the last stated),
    else a job's time, else a text generator's TPOT, else latency; "cheaper" is the cost."""
    if (metric := _first_named(text)) is not None:
        if metric == Metric.LATENCY and not current.bound(Metric.LATENCY, "<="):
            # "延迟放宽到原来的两倍" on a chat that bounds its first token only: that bound
            times = [c.metric for c in current.constraints if c.metric in (Metric.TTFT, Metric.TPOT) and c.op == "<="]
            if times:
                return times[-1]
        return Metric.JOB_COST if metric == Metric.COST and _job(current) else metric
    if re.search(CHEAPER, text):
        return Metric.JOB_COST if _job(current) else Metric.COST
    if re.search(SPEED, text):
        times = [c.metric for c in current.constraints if c.metric in (Metric.LATENCY, Metric.TTFT, Metric.TPOT,
                                                                       Metric.JOB_TIME) and c.op == "<="]
        if times:
            return times[-1]
        if _job(current):
            return Metric.JOB_TIME
        # a reply streamed to a user waiting on it (a chat, users at once): its tokens; else (translation,
        # speech, a rate of requests) the whole reply, which is what the caller waits for
        streamed = current.workload.concurrency or (current.task is not None and current.task.value == "text-generation")
        return Metric.TPOT if plan is not None and plan.metrics.tpot_ms is not None and streamed else Metric.LATENCY
    return None


def _job(intent: Intent) -> bool:
    return intent.workload.kind.value != "inference" or any(c.metric in (Metric.JOB_TIME, Metric.JOB_COST)
                                                            for c in intent.constraints)


#: The plan's figure of each metric a relative change can start from (chat_answers.metric_value's names).
PLAN_FIGURES = {Metric.LATENCY: "latency", Metric.TTFT: "ttft", Metric.TPOT: "tpot", Metric.THROUGHPUT: "throughput",
                Metric.POWER: "power", Metric.COST: "cost", Metric.JOB_TIME: "job_time", Metric.JOB_COST: "job_cost"}


def _base(metric: Metric, current: Intent, plan, catalog: Catalog, factor: float = 1.0) -> tuple[float | None, str]:
    """The figure the change scales: the request's bound on the metric, else the plan's figure; a
    time made shorter ("make it 2x faster") scales the plan's figure where the plan already beats
    its bound (halving an 800 ms bound the plan met at 169 ms changed nothing)."""
    own = [c for c in current.constraints if c.metric == metric and c.op == NATURAL_OP[metric]]
    figure = _plan_figure(metric, plan)
    if own:
        if metric == Metric.POWER and (cap := _mode_cap(plan, catalog)) is not None:
            # a board in a power mode is bounded by the mode's cap (planner.search.candidates.within_power_bound):
            # "功耗降低30%" of a Jetson in its 15 W mode is 10.5 W, the next mode down (30% under its 6.41 W draw
            # had asked for a mode the board lacks)
            return min(cap, own[-1].value), "plan's power mode cap"
        if factor < 1 and metric in LOWER_IS_BETTER and figure is not None and figure < own[-1].value:
            # "30% less power" of a plan at 3.25 W under a 10 W bound: less than it draws, not a 7 W bound it meets
            return figure, "plan's (better than the bound)"
        return own[-1].value, "bound before,"
    return (figure, "plan's") if figure is not None else (None, "")


#: Words that make a change one of the requirement itself, not of what the plan reaches.
OF_THE_BOUND = re.compile(r"(?<![a-z])(?:requirement|bound|limit|slo|target|cap|deadline|budget)(?![a-z])|要求|上限|约束|指标|"
                          r"截止|期限|工期|预算")
#: Times a change may make shorter.
TIME_METRICS = (Metric.LATENCY, Metric.TTFT, Metric.TPOT, Metric.JOB_TIME)
#: Figures a change may bring down below what the plan reaches, where it beats its bound already.
LOWER_IS_BETTER = (*TIME_METRICS, Metric.POWER, Metric.ENERGY, Metric.COST, Metric.JOB_COST)


def _plan_figure(metric: Metric, plan) -> float | None:
    """The plan's figure of ``metric`` (a job's hours and total from its own figures)."""
    if plan is None or metric not in PLAN_FIGURES:
        return None
    from intent.chat_answers import metric_value

    if plan.job is not None and metric in (Metric.JOB_TIME, Metric.JOB_COST):
        return plan.job.hours if metric == Metric.JOB_TIME else plan.job.cost_usd
    return metric_value(plan, PLAN_FIGURES[metric])


def _mode_cap(plan, catalog: Catalog) -> float | None:
    """The power cap of the power mode the plan runs its device in (None: no mode)."""
    if plan is None or not getattr(plan.choice, "power_mode", None):
        return None
    device = catalog.devices.get(plan.choice.device_id)
    mode = next((m for m in device.power_modes if m.name == plan.choice.power_mode), None) if device else None
    return None if mode is None else mode.power_w.value * plan.choice.replicas * plan.choice.devices_per_replica
