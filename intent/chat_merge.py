"""How a chat's follow-up message refines the current intent.

A follow-up is parsed on its own (``intent.parser``), so it knows nothing of the request before
it: merging reads it against that request. The later message wins where the two clash, and
what it leaves unsaid stays:

- the task, objective and deployment it names replace the current ones; a new task drops the
  model of the old one ("actually I want to classify images" kept Llama);
- a bound replaces the current bound on the same metric and direction; "make it 200 ms
  instead" after a TTFT bound is that TTFT; "budget $500" on a job is the job's total, as it is
  in one request; "latency doesn't matter" and "forget the budget" lift those bounds;
- the workload's figures it states replace the current ones (concurrency, dataset, epochs,
  layout, replicas, a model or a model size), the rest stay;
- devices: an exclusion that rules out every device asked for is lifted, and a device ruled out
  entirely is no longer asked for; "use A100 instead" replaces the devices named before; the
  devices owned, a device cap and preferences stay;
- policies add up, but a regime said not to be needed ("no need for HIPAA") is dropped.
"""

from __future__ import annotations

import re

from intent.schema import Intent, Metric, WorkloadKind

#: Words that make the devices of a follow-up replace those named before ("use A100 instead").
REPLACING = re.compile(r"(?<![a-z])(?:instead|switch(?:ed)?\s+to|change\s+(?:it\s+|that\s+)?to|swap\s+to|move\s+to|"
                       r"replace)(?![a-z])|换成|改成|改用|换用|换到")
#: Words that lift the request's budget ("forget the budget", "no budget limit", "预算不限").
BUDGET_LIFTED = re.compile(r"(?<![a-z])(?:forget|drop|remove|ignore|never\s*mind|no\s+longer\s+(?:need|have))\s+(?:about\s+)?"
                           r"(?:the\s+|a\s+|my\s+|our\s+)?(?:budget|cost\s+(?:limit|cap|bound))|(?<![a-z])no\s+budget"
                           r"(?:\s+(?:limit|cap))?(?![a-z])|(?<![a-z])budget\s+(?:doesn't|does\s+not|don't)\s+matter"
                           r"|预算不限|不限预算|不考虑成本|不考虑预算|成本无所谓|预算无所谓")
#: Words of a time metric in a follow-up: "200 ms" with none of them is the time bound already stated.
TIME_WORDS = re.compile(r"latency|delay|response|p\d\d|ttft|tpot|first\s+token|per\s+token|itl|延迟|时延|首token|首字|每token")
#: A cost with a period of its own ("$5/h", "per month", "每月"): not a job's total.
PERIOD_WORDS = re.compile(r"/\s*(?:h|hr|hour|mo|month|day|yr|year)|per\s|an?\s+(?:hour|month|day|year)|hourly|monthly|"
                          r"daily|yearly|每|小时|月|天|年")
TIME_METRICS = (Metric.LATENCY, Metric.TTFT, Metric.TPOT)
COST_METRICS = (Metric.COST, Metric.JOB_COST, Metric.TOKEN_COST)


def merge(current: Intent, update: Intent, catalog=None) -> Intent:
    """The current intent refined by a follow-up message's reading (see the module docstring)."""
    data = current.model_dump()
    task_changed = update.task is not None and update.task != current.task
    for name in ("task", "objective", "deployment"):
        if getattr(update, name) is not None:
            data[name] = update.model_dump()[name]
    if update.tie_breakers:
        data["tie_breakers"] = update.model_dump()["tie_breakers"]
    if update.precisions:
        data["precisions"] = update.model_dump()["precisions"]
    data["constraints"] = [c.model_dump() for c in _constraints(current, update)]
    data["hardware"] = _hardware(current, update, catalog)
    data["policies"] = _policies(current, update)
    data["workload"] = _workload(current, update, task_changed)
    data["text"] = f"{current.text} / {update.text}"
    data["assumptions"] = list(dict.fromkeys([*current.assumptions, *update.assumptions]))
    data["warnings"] = list(update.warnings)
    return Intent.model_validate(data)


def lifts(message: str) -> bool:
    """Whether a follow-up lifts a bound the parser reads nothing of: latency waived ("latency
    doesn't matter"), the budget ("forget the budget")."""
    from intent.agent import latency_waived

    return bool(latency_waived(Intent(text=message)) or BUDGET_LIFTED.search(message.lower()))


def _is_job(intent: Intent) -> bool:
    return intent.workload.kind != WorkloadKind.INFERENCE or any(
        c.metric in (Metric.JOB_TIME, Metric.JOB_COST) for c in intent.constraints)


def _constraints(current: Intent, update: Intent) -> list:
    """The current bounds, less those the follow-up lifts or restates, and the follow-up's own."""
    from intent.agent import latency_waived

    kept = list(current.constraints)
    if latency_waived(update):
        kept = [c for c in kept if c.metric not in TIME_METRICS]
    if BUDGET_LIFTED.search(update.text.lower()):
        kept = [c for c in kept if c.metric not in COST_METRICS]
    stated = [_in_context(c, current, update) for c in update.constraints]
    replaced = {(c.metric, c.op) for c in stated}
    return [c for c in kept if (c.metric, c.op) not in replaced] + stated


def _in_context(c, current: Intent, update: Intent):
    """A follow-up's bound as the request before it reads it: a cost with no period on a job is its
    total; an amount of time with no metric word is the one time bound the request has."""
    source = (c.source or "").lower()
    if c.metric == Metric.COST and _is_job(current) and not PERIOD_WORDS.search(source):
        return c.model_copy(update={"metric": Metric.JOB_COST, "unit": "USD"})
    if c.metric == Metric.LATENCY and c.op == "<=" and not TIME_WORDS.search(update.text.lower()):
        times = [t for t in current.constraints if t.metric in TIME_METRICS and t.op == "<="]
        if len(times) == 1 and times[0].metric != Metric.LATENCY:
            return c.model_copy(update={"metric": times[0].metric})
    return c


def _hardware(current: Intent, update: Intent, catalog) -> dict:
    """Devices asked for and ruled out, owned, capped and preferred, the later message winning."""
    now, new = current.hardware, update.hardware
    replacing = bool(new.include) and bool(REPLACING.search(update.text.lower()))
    devices = catalog.selector_ids() if catalog is not None else set()  # devices and families, not vendors or classes
    before = [s for s in now.include if not (replacing and s in devices)]
    include = [s for s in before if s not in new.exclude
               and not any(_rules_out_all(catalog, e, [s]) for e in new.exclude)] + \
        [s for s in new.include if s not in before]
    exclude = [s for s in now.exclude
               if s not in new.include and not _rules_out_all(catalog, s, new.include)] + \
        [s for s in new.exclude if s not in now.exclude]
    replaced = [s for s in now.include if s not in include]
    owned = {o.device: o.count for o in now.owned if o.device not in replaced and o.device not in new.exclude}
    owned.update({o.device: o.count for o in new.owned})
    preferred = [s for s in dict.fromkeys([*now.preferred, *new.preferred]) if s in include]
    return {"include": include, "exclude": exclude, "owned": [{"device": d, "count": n} for d, n in owned.items()],
            "max_devices": new.max_devices if new.max_devices is not None else now.max_devices,
            "preferred": preferred}


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
    """Policies add up; a regime the follow-up says is not needed is dropped."""
    from intent.parser.lexicon import load_lexicon

    lexicon = load_lexicon()
    unneeded = {m.key for note in update.assumptions if "read as not required" in note
                for m in lexicon.phrases("compliance").scan(note.lower())}
    policies = current.policies.model_dump()
    policies["watermark"] = current.policies.watermark or update.policies.watermark
    if update.policies.differential_privacy is not None:
        policies["differential_privacy"] = update.policies.differential_privacy.model_dump()
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
    if new.kind != WorkloadKind.INFERENCE:
        workload["kind"] = new.kind.value
    return workload
