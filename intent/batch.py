"""An inference request that is a batch job: a number of items to get through, not a service.

"Embed 5M documents as a batch job, as fast as possible" asks for the job done soonest: the
highest throughput, not one item's lowest latency (which plans batch 1). A request is a batch job
when it says so (the lexicon's ``job_words``: "batch job", "backfill", "in one go", "一次性") and
states how many items it holds; a job time it states is read by ``planner.jobs.batch_bounds``.
"""

from __future__ import annotations

from intent.schema import Intent, Metric, Objective, Sense


def is_batch_job(intent: Intent) -> bool:
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    return bool(intent.workload.dataset_records) and bool(lexicon.words("job_words").scan(normalise(intent.text, lexicon)))


def soonest_done(intent: Intent) -> tuple[Intent, list[str]]:
    """A batch job asked to be fast, with no latency bound, planned for the highest throughput."""
    objective = intent.objective
    if objective is None or (objective.metric, objective.sense) != (Metric.LATENCY, Sense.MINIMIZE) \
            or any(c.metric == Metric.LATENCY for c in intent.constraints) or not is_batch_job(intent):
        return intent, []
    note = (f"a batch job of {intent.workload.dataset_records:,} items is fastest when it is done soonest: "
            "'fast' read as the highest throughput, not one item's lowest latency")
    return intent.model_copy(update={"objective": Objective(metric=Metric.THROUGHPUT, sense=Sense.MAXIMIZE)}), [note]


def job_time_note(intent: Intent, throughput_rps: float | None) -> list[str]:
    """How long a batch job's items take at the planned throughput."""
    records = intent.workload.dataset_records
    if not records or not throughput_rps or not is_batch_job(intent):
        return []
    hours = records / throughput_rps / 3600
    took = f"{hours:.3g} h" if hours >= 1 else f"{hours * 60:.3g} min"
    rate = f"{throughput_rps:,.0f}" if throughput_rps >= 100 else f"{throughput_rps:.3g}"
    return [f"the job's {records:,} items take {took} at the planned {rate} requests/s"]
