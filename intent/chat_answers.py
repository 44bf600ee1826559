"""What the chat says, in the language of the message (intent/data/chat.yaml): answers, the
labels of the plan's terminal view, and the short summary of a plan a turn ends with."""

from __future__ import annotations

import re
from functools import lru_cache

from hardware.yamlio import packaged_yaml
from intent.schema import Metric
from planner.figures import fmt

LANGUAGES = ("en", "zh")


@lru_cache(maxsize=1)
def _data() -> dict:
    return packaged_yaml("intent", "chat.yaml")


def say(key: str, lang: str, **values) -> str:
    """The answer ``key`` in ``lang``, filled in with ``values``."""
    template = _data()["answers"][lang][key]
    if "{ask_task}" in template:
        values.setdefault("ask_task", _data()["answers"][lang]["ask_task"])
    return template.format(**values)


def labels(lang: str) -> dict:
    """The terminal view's labels in ``lang`` (metric and placement names under 'metrics' and 'placements')."""
    return _data()["labels"][lang]


def metric_name(metric: str, lang: str) -> str:
    return labels(lang)["metrics"].get(metric, metric)


def placement_name(placement: str, lang: str) -> str:
    return labels(lang)["placements"].get(placement, placement)


def objective_of(plan) -> tuple[str, str]:
    """(metric, sense) the plan optimised: the solver's (where no plan met the default service level, the
    time it brought down, not the cost), else its request's objective, else the default (cost)."""
    from planner.single import LEVEL_OUT_OF_REACH

    gave_way = any(LEVEL_OUT_OF_REACH in a for a in getattr(plan, "assumptions", []))
    solved = (plan.solver.objective or "").split() if gave_way and getattr(plan, "solver", None) else []
    if len(solved) == 2 and solved[0] in ("minimize", "maximize") and solved[1] in Metric._value2member_map_:
        return solved[1], solved[0]
    objective = plan.intent.objective
    return (objective.metric.value, objective.sense.value) if objective else ("cost", "minimize")


def batch_job(plan, metrics=None) -> tuple[float, float | None] | None:
    """A batch of inference's hours and total cost at the planned rate (``metrics``: a runner-up's,
    else the plan's); None for a service or a training job (whose ``plan.job`` says them)."""
    from intent.batch import is_batch_job

    m = metrics or plan.metrics
    records = plan.intent.workload.dataset_records
    if plan.job is not None or not records or not m.throughput_rps or not is_batch_job(plan.intent):
        return None
    hours = records / m.throughput_rps / 3600
    return hours, None if m.cost_usd_per_hour is None else m.cost_usd_per_hour * hours


def metric_value(plan, metric: str, metrics=None) -> float | None:
    """The plan's (or a runner-up's ``metrics``') figure of ``metric``: a batch job's hours and total
    cost worked out from its rate, as the plan's notes give them."""
    from intent.render import METRIC_FIELDS

    if metric in ("job_time", "job_cost") and metrics is None and getattr(plan, "job", None) is not None:
        return plan.job.hours if metric == "job_time" else plan.job.cost_usd  # a training job's own figures
    if metric in ("job_time", "job_cost"):
        job = batch_job(plan, metrics)
        return None if job is None else job[0] if metric == "job_time" else job[1]
    field = METRIC_FIELDS.get(metric)
    return None if field is None else getattr(metrics or plan.metrics, field)


def figures(plan, lang: str) -> str:
    """The objective's figure first, then latency, power and cost: 'power 1.40 W · latency 7.50 ms · ...'.
    A text generator's latency is its time to the first token and per output token (a whole reply's
    time read as 'latency 9,588 ms' was taken for the time a user waits); a training job's figures
    are its hours and its total cost (a step's time and the hourly rate told nothing of either)."""
    from intent.render import METRIC_FIELDS

    batch = batch_job(plan)
    if plan.job is not None or batch is not None:
        hours, cost = (plan.job.hours, plan.job.cost_usd) if plan.job is not None else batch
        total = fmt(cost, "job_cost") if cost is not None else labels(lang)["unknown"]
        parts = [f"{metric_name('job_time', lang)} {fmt(hours, 'job_time')}", f"{metric_name('job_cost', lang)} {total}"]
        order = dict.fromkeys(["cost", "power"])
    else:
        metric, _ = objective_of(plan)
        latency = ["ttft", "tpot"] if plan.metrics.ttft_ms is not None and plan.metrics.tpot_ms is not None \
            else ["latency"]
        order, parts = dict.fromkeys([metric, *latency, "power", "cost"]), []
    for name in order:
        field = METRIC_FIELDS.get(name)
        if field is not None:
            value = getattr(plan.metrics, field)
            shown = fmt(value, name) if value is not None else labels(lang)["unknown"]
            parts.append(f"{metric_name(name, lang)} {shown}")
    return " · ".join(parts)


def summary(plan, lang: str) -> str:
    """A plan in one line: what runs where, how many devices, laid out how, and its figures."""
    from intent.render import devices_in_total, layout

    c = plan.choice
    return say("summary", lang, model=c.model_id, devices=devices_in_total(c), device=c.device_id,
               placement=placement_name(c.placement, lang), layout=layout(c, lang), precision=c.precision,
               batch=c.batch_size, figures=figures(plan, lang))


def configuration(choice) -> str:
    """A configuration in one line (the same in both languages: ids and figures)."""
    from intent.render import devices_in_total

    return f"{choice.model_id} · {choice.precision} · b{choice.batch_size} on {devices_in_total(choice)} x " \
           f"{choice.device_id}"


def infeasible_lines(report, lang: str) -> tuple[str, list[str]]:
    """Why no plan meets the request, in ``lang``: the head and one line per conflicting bound
    (the planner's notes as they are)."""
    if not report.conflicts:
        return report.reason, [f"note: {n}" for n in report.notes]
    bounds = say("and", lang).join(c.constraint.describe() for c in report.conflicts)
    head = say("conflicts_head" if len(report.conflicts) > 1 else "conflict_head", lang, bounds=bounds)
    lines = []
    for c in report.conflicts:
        metric = c.constraint.metric.value
        key = ("conflict_timed_out" if c.timed_out else "conflict_never" if c.best_reachable is None
               else "conflict_alone" if c.alone else "conflict_others")
        value = fmt(c.best_reachable, metric) if c.best_reachable is not None else ""
        lines.append(say(key, lang, bound=c.constraint.describe(), value=value))
    return head, lines + [f"note: {n}" for n in report.notes]


#: The planner's reasons a runner-up lost, as the chat says them in Chinese (the planner writes English).
_HIGHER_LOWER = re.compile(r"^(?P<metric>[a-z_]+) (?P<theirs>.+?) is (?P<dir>higher|lower) than (?P<ours>.+)$")
_BETTER_BUT = re.compile(r"^better (?P<metric>[a-z_]+) \((?P<value>[^)]+)\) but (?P<other>[a-z_]+) (?P<theirs>.+?) "
                         r"breaks (?P<bound>.+)$")
_UNKNOWN = re.compile(r"^its (?P<metric>[a-z_]+) is unknown$")
_BREAKS = re.compile(r"^(?P<metric>[a-z_]+) (?P<theirs>.+?) breaks (?P<bound>.+)$")
#: Tie-breaker levels as the solver names them, said in Chinese.
_LEVEL = re.compile(r"^(?P<sense>minimize|maximize) (?P<metric>[a-z_]+)$")
_LEVELS_ZH = {"fewest replicas": "最少副本", "catalog order": "目录顺序"}


def why_not_in(text: str, lang: str) -> str:
    """A runner-up's reason in ``lang``: the planner's English forms ("cost $0.805/h is higher than
    $0.758/h", "better cost ($0.42/h) but ttft 1,173 ms breaks <= 450 ms") said in Chinese; any
    other reason as written."""
    if lang != "zh":
        return text
    if m := _HIGHER_LOWER.match(text):
        more = "高于" if m.group("dir") == "higher" else "低于"
        return f"{metric_name(m.group('metric'), lang)} {m.group('theirs')}，{more}现在的 {m.group('ours')}"
    if m := _BETTER_BUT.match(text):
        return (f"{metric_name(m.group('metric'), lang)}更好（{m.group('value')}），但{metric_name(m.group('other'), lang)} "
                f"{m.group('theirs')} 不满足 {m.group('bound')}")
    if m := _UNKNOWN.match(text):
        return f"{metric_name(m.group('metric'), lang)}未知"
    if m := _BREAKS.match(text):
        return f"{metric_name(m.group('metric'), lang)} {m.group('theirs')} 不满足 {m.group('bound')}"
    return text


def levels_in(levels: list[str], lang: str) -> str:
    """The solver's tie-breaker levels ("minimize devices", "fewest replicas") in ``lang``."""
    if lang != "zh":
        return ", ".join(levels)
    out = []
    for level in levels:
        if m := _LEVEL.match(level):
            out.append(("最小化" if m.group("sense") == "minimize" else "最大化") + metric_name(m.group("metric"), lang))
        else:
            out.append(_LEVELS_ZH.get(level, level))
    return "、".join(out)
