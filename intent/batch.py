"""An inference request that is a batch job: a number of items to get through, not a service.

"Embed 5M documents as a batch job, as fast as possible" asks for the job done soonest: the
highest throughput, not one item's lowest latency (which plans batch 1); "embed 50 million
documents, cheapest" asks for the lowest cost of the whole job, not of an hour (which plans the
slowest, cheapest device for 500 days). A request is a batch job when it states how many items
it holds and says it is a job: the lexicon's ``job_words`` ("batch job", "backfill", "in one
go", "一次性"), or one of its ``job_verbs`` right before the count ("embed 50 million
documents", "处理5000万条"). A job time it states is read by ``planner.jobs.batch_bounds``.
"""

from __future__ import annotations

import re

from intent.schema import Intent, Metric, Objective, Sense

#: A count of items as written after a job verb: digits (with separators or a scale word) or a number word.
COUNT = (r"(?:(?:all|the|about|around|roughly|over|some|~)\s*)?(?:\d[\d,.]*\s*(?:k|m|b|million|billion|thousand|"
         r"万|亿)?|a million|a billion|a thousand|one million|ten thousand|\d)")


def is_batch_job(intent: Intent) -> bool:
    """Items with a job word or verb, or with a job's time or cost ("三十万张图片做分类，8小时内" was an
    8-hour service, at batch 1)."""
    if not intent.workload.dataset_records:
        return False
    if any(c.metric in (Metric.JOB_TIME, Metric.JOB_COST) for c in intent.constraints):
        return True
    if intent.objective is not None and intent.objective.metric in (Metric.JOB_TIME, Metric.JOB_COST):
        return True  # a plan's own intent: its deadline became a rate, its objective the job's
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    return says_job(lexicon, normalise(intent.text, lexicon))


def says_job(lexicon, text: str) -> bool:
    """Whether normalised ``text`` says its items are a job: a job word, or a job verb next to
    the count ("embed 50 million documents"; in Chinese the verb may follow: "把5000万条文档向量化")."""
    if lexicon.words("job_words").scan(text):
        return True
    verbs = "|".join(re.escape(str(v)) for v in lexicon["job_verbs"])
    return bool(re.search(rf"(?<![\w-])(?:(?:batch|bulk)[- ])?(?:{verbs})(?![\w-])\s*{COUNT}", text)
                or re.search(rf"(?:把|将|对)\s*{COUNT}[^，,。；;\s]{{0,10}}(?:{verbs})", text)
                # "1.2亿条文本做embedding", "三千万条评论做情感分类": the count, its things, then the verb (not a
                # daily or hourly volume: "每天1万条请求做分类" is a service)
                or re.search(rf"(?<!每天)(?<!每日)(?<!每小时)(?<!每月)(?<!每秒)(?<!\d)(?:\d[\d,.]*\s*(?:万|亿)?)\s*"
                             rf"(?:条|张|篇|份|段|个)[^，,。；;\s\d]{{0,8}}?(?:做|进行)?(?:{verbs})", text))


def cheapest_job(intent: Intent) -> tuple[Intent, list[str]]:
    """A batch job asked to be cheap, or asked for nothing (the default objective is the lowest
    cost), planned for the lowest cost of the whole job: the hourly cost over the items an hour
    gets through, times the items (``job_cost``)."""
    objective = intent.objective
    if (objective is not None and (objective.metric, objective.sense) != (Metric.COST, Sense.MINIMIZE)) \
            or not is_batch_job(intent):
        return intent, []
    job, basis = f"a batch job of {intent.workload.dataset_records:,} items", "(cost per hour / items per hour x items)"
    note = (f"{job} is cheapest when the whole job is: 'cheap' read as the lowest job cost {basis}, not the lowest "
            "cost per hour" if objective is not None else
            f"no objective stated: {job} is planned for the lowest cost of the whole job {basis}, not of an hour")
    return intent.model_copy(update={"objective": Objective(metric=Metric.JOB_COST, sense=Sense.MINIMIZE)}), [note]


def soonest_done(intent: Intent) -> tuple[Intent, list[str]]:
    """A batch job asked to be fast, with no latency bound, planned for the highest throughput."""
    objective = intent.objective
    if objective is None or (objective.metric, objective.sense) != (Metric.LATENCY, Sense.MINIMIZE) \
            or any(c.metric == Metric.LATENCY for c in intent.constraints) or not is_batch_job(intent):
        return intent, []
    note = (f"a batch job of {intent.workload.dataset_records:,} items is fastest when it is done soonest: "
            "'fast' read as the highest throughput, not one item's lowest latency")
    return intent.model_copy(update={"objective": Objective(metric=Metric.THROUGHPUT, sense=Sense.MAXIMIZE)}), [note]


def job_time_note(intent: Intent, throughput_rps: float | None, cost_usd_per_hour: float | None = None) -> list[str]:
    """How long a batch job's items take at the planned throughput, and what the job costs."""
    records = intent.workload.dataset_records
    if not records or not throughput_rps or not is_batch_job(intent):
        return []
    hours = records / throughput_rps / 3600
    took = f"{hours:.3g} h" if hours >= 1 else f"{hours * 60:.3g} min"
    rate = f"{throughput_rps:,.0f}" if throughput_rps >= 100 else f"{throughput_rps:.3g}"
    total = None if cost_usd_per_hour is None else cost_usd_per_hour * hours
    cost = "" if total is None else f", ${total:,.2f} in all" if total >= 1 else f", ${total:.2g} in all"
    return [f"the job's {records:,} items take {took} at the planned {rate} requests/s{cost}"]


def device_memory_floor(intent: Intent, catalog) -> tuple[Intent, list[str]]:
    """A memory floor ("each GPU must have at least 80GB VRAM") is the size of the devices, a
    hardware choice: the catalog's devices with less memory are ruled out and the bound leaves
    the intent (as a bound on the model's footprint it would ask for a larger model)."""
    floors = [c for c in intent.constraints if c.metric == Metric.MEMORY and c.op == ">="]
    if not floors:
        return intent, []
    least = max(c.value for c in floors)
    small = sorted(d.id for d in catalog.devices.values() if d.memory_gb is None or d.memory_gb.value < least)
    hardware = intent.hardware.model_copy(update={"exclude": [*intent.hardware.exclude,
                                                              *(d for d in small if d not in intent.hardware.exclude)]})
    note = (f"memory of at least {least:g} GB read as the devices' own memory: the {len(small)} catalog devices with less "
            "(or none of their own) are ruled out")
    return intent.model_copy(update={"constraints": [c for c in intent.constraints if c not in floors],
                                     "hardware": hardware}), [note]
