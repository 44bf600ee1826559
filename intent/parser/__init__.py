"""The offline, rule-based parser: English and Chinese requests into an :class:`Intent`.

The pipeline is fixed: normalise the text, read the fields that consume digits (compliance
names, differential-privacy parameters, device names and counts, precisions, model names,
training sizes) and mask them, then read quantities and bounds from what is left, then the
request shape, the concurrency and the word fields. Last, whatever looks like a requirement
and was read by no rule is quoted in ``warnings``. Every rule reads its vocabulary from
``intent/data/lexicon.yaml``.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from hardware import Catalog, load_catalog
from intent.batch import says_job
from intent.errors import NOTHING_READ, UNKNOWN_DEVICE, IntentNotUnderstood
from intent.parser import fields
from intent.parser.constraints import ConstraintReader
from intent.parser.devices import HardwareReading, read_hardware
from intent.parser.lexicon import PhraseSet, load_lexicon
from intent.parser.models import (
    ModelReading,
    bounds_of_other_models,
    compared_models,
    other_models,
    read_models,
    with_speciality,
)
from intent.parser.per_person import rate_of_users, read_per_person
from intent.parser.quantities import PER_DAY, scan_quantities
from intent.parser.shape import dataset_tokens, model_training_data, read_shape, sample_tokens, training_steps
from intent.parser.text import MASK, Workspace, normalise
from intent.parser.unread import (
    active_users,
    bandwidths,
    counts_of_nothing,
    items_per_request,
    other_language,
    pipelines,
    relative_warnings,
    tasks_without_models,
    unknown_tasks,
    unread_warnings,
    vague_job_time_warnings,
)
from intent.schema import (
    CANONICAL_UNITS,
    Constraint,
    DifferentialPrivacy,
    HardwareSelection,
    Intent,
    Metric,
    Objective,
    OwnedDevice,
    Policies,
    Workload,
)

MAX_TEXT = 4000
#: Tasks whose input is an image: a number read as a request's prompt is its size in pixels.
IMAGE_TASKS = ("image-classification", "object-detection", "image-segmentation")


#: How long a battery must last: "last 8 hours", "run for 6 hours", "续航8小时", "8 hours of battery life".
BATTERY_HOURS = re.compile(r"(?:(?<![a-z])(?:last|lasts|run|runs|running|work|operate|fly|flies|flying|drive|drives|"
                           r"stay\s+(?:up|on|alive)|keep\s+going|survive)\s+(?:for\s+)?(?:at\s+least\s+)?"
                           r"|续航\s*(?:至少)?\s*)(?P<h>\d+(?:\.\d+)?)\s*(?:(?P<min>minutes?|mins?|分钟)|hours?|hrs|h|个?小时)"
                           r"(?![a-z])"
                           r"|(?P<h2>\d+(?:\.\d+)?)\s*(?:hours?|hrs|h|个?小时)\s*(?:of\s+)?(?:battery|续航)")


#: A rate as a multiple of the current one, and the current one stated: "2x the current load (current
#: load is 400 rps)", "3 times today's traffic, which is 50 qps".
TIMES_CURRENT = re.compile(
    r"(?<![\w.])(?:(?P<factor>\d+(?:\.\d+)?)\s*(?:x|×|times)|(?P<word>twice|double|triple|thrice))\s+(?:the\s+)?"
    r"(?:(?:current|today's|todays|present|existing|normal|usual|typical)\s+(?:load|traffic|rate|qps|rps|throughput|volume)"
    r"|that|this|it)(?![a-z])"
    # 现在流量的两倍, 现有流量的3倍, 平时的两倍, 翻倍 / 翻一番 (after a current rate)
    r"|(?:现在|目前|当前|平时|平常|现有)(?:的)?(?:流量|负载|请求量|qps|调用量)?(?:的)?\s*(?P<cn>\d+(?:\.\d+)?)\s*倍"
    r"|(?P<doubled>翻倍|翻一番)"
    # a peak as a multiple of the average: "高峰是平时的3倍", "峰值按均值5倍估算", "peak = 3x avg", "spikes up to 5x the average"
    r"|(?:高峰|峰值)(?:期)?(?:qps|流量|请求)?\s*(?:是|为|按|约为|大概是)?\s*(?:平时|平均|均值|日常|平常)(?:值)?的?\s*(?P<peak>\d+(?:\.\d+)?)\s*倍"
    r"|(?:peak|spikes?)(?:\s+(?:traffic|load|qps))?\s*(?:=|is|are|at|of|up\s+to|reaching|hits?)\s*(?:about\s+|around\s+|~)?"
    r"(?P<peak_x>\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:the\s+)?(?:avg|average|normal|mean|baseline)")
CURRENT_LOAD = re.compile(r"(?:current|today's|todays|present|existing|normal|usual|typical)\s+(?:load|traffic|rate|qps|rps|"
                          r"throughput|volume)|which\s+is|currently|today|now|现在|目前|当前|平时|平常|现有")
#: Words for a multiple.
MULTIPLE_WORDS = {"twice": 2.0, "double": 2.0, "triple": 3.0, "thrice": 3.0}


#: The warning on a count of people with no load (intent.parser.unread): none where the load is read.
USERS_NO_LOAD = "a number of users is not a load"
#: The note on a job read from its epochs alone: a follow-up's epochs keep the job's own kind.
EPOCHS_ALONE_NOTE = "epochs named: a training run (no training or serving word said which)"


def _times_the_current_load(result, space: Workspace) -> list[str]:
    """A rate asked as a multiple of the current one, where the request states that one too: the
    rate planned is their product ("2x the current load (current load is 400 rps)" planned 400;
    "our current traffic is 25 req/s … plan for about twice that", "现在流量的两倍，现在是每秒15个请求")."""
    m = TIMES_CURRENT.search(space.text)
    if m is None:
        return []
    factor = float(m.group("factor") or m.group("cn") or m.group("peak") or m.group("peak_x")
                   or MULTIPLE_WORDS.get(m.group("word") or "", 2.0))
    for i, (c, span) in enumerate(zip(result.constraints, result.spans)):
        clause = space.text[space.clause_bounds(span[0])[0]:span[0]]
        referent = re.search(r"(?:that|this|it)$", m.group(0)) is not None or m.group("doubled") is not None
        peak = m.group("peak") is not None or m.group("peak_x") is not None  # the rate stated is the average
        stated = CURRENT_LOAD.search(clause) or (referent and m.start() >= span[1]) or peak  # "30 rps, twice that at peak"
        if c.metric == Metric.THROUGHPUT and c.op == ">=" and stated and not (span[0] <= m.start() < span[1]):
            result.constraints[i] = c.model_copy(update={"value": c.value * factor})
            space.mark_read(m.start(), m.end())
            return [f"'{m.group(0)}': {factor:g} x the {'average' if peak else 'current'} {c.value:g} req/s, so at least "
                    f"{c.value * factor:g} req/s" + (" (the peak is planned for)" if peak else "")]
    return []


#: Items batched into each request: "32 texts per request", "64 images per call", "每个请求32条文本".
BATCHED_ITEMS = re.compile(r"(?<![\d.])(?P<n>\d+)\s+(?:[a-z]+\s+)?(?:texts?|documents?|docs|images?|sentences?|items?|"
                           r"passages?|queries|chunks?|records?|pairs?)\s+(?:per|each|a|in\s+each|in\s+a)\s+"
                           r"(?:request|call|api\s+call|query)(?![a-z])"
                           r"|每(?:个|次)?(?:请求|调用)\s*(?P<zh>\d+)\s*(?:条|张|个|篇|段)(?:文本|文档|图片|句子|数据)?")


#: Turns of each conversation: "每次平均5轮", "每个对话约8轮", "5 turns per conversation", "each chat is ~6
#: messages". "每次平均5轮" had been read as 5 epochs, and the chatbot planned as a training job.
TURNS = re.compile(r"(?:每次|每个?对话|每段对话|每通(?:对话|电话)?|每个会话|每轮对话)\s*(?:平均|大概|大约|约|一般)?\s*"
                   r"(?P<zh>\d+)\s*(?:个)?(?:轮|回合)(?:对话|交互)?"
                   r"|(?<![\d.])(?P<n>\d+)\s+(?:turns?|messages?|exchanges?|rounds?)\s+(?:per|each|a|an|in\s+each)\s+"
                   r"(?:conversation|chat|session|dialog(?:ue)?)(?![a-z])"
                   r"|(?<![a-z])each\s+(?:conversation|chat|session|dialog(?:ue)?)\s+(?:is|has|takes|runs)\s+(?:about\s+|~\s*"
                   r"|around\s+|roughly\s+)?(?P<each>\d+)\s+(?:turns?|messages?|exchanges?|rounds?)(?![a-z])")
#: The words that make a rate one of conversations, which each turn of multiplies.
CONVERSATIONS = re.compile(r"\s*(?:[a-z]+\s+)?(?:conversation|chat|session|dialog)|\s*(?:次|个|通|段)?(?:对话|会话|通话|咨询)")


def _turns(space: Workspace) -> tuple[int, str] | None:
    """The turns of each conversation, and the words, masked before epochs are read; None without."""
    m = TURNS.search(space.masked)
    if m is None:
        return None
    written = space.text[m.start():m.end()].strip()
    space.mask(m.start(), m.end())
    space.mark_read(m.start(), m.end())
    return int(m.group("zh") or m.group("n") or m.group("each")), written


def _turns_per_conversation(result, turns: tuple[int, str] | None, text: str) -> tuple[list[str], list[str]]:
    """A rate of conversations ("2万次对话" beside it, or in its words) times the turns of each: each
    turn is a request to the model. Without a rate of conversations, a warning."""
    if turns is None:
        return [], []
    n, written = turns
    for i, (c, (_, end)) in enumerate(zip(result.constraints, result.spans)):
        of_conversations = CONVERSATIONS.search(c.source or "") or CONVERSATIONS.match(text, end)
        if c.metric == Metric.THROUGHPUT and c.op == ">=" and of_conversations and n > 1:
            result.constraints[i] = c.model_copy(update={"value": c.value * n})
            return [f"'{written}': {c.value:.4g} conversations/s of {n} turns each, so at least {c.value * n:.4g} "
                    "requests/s (each turn a request)"], []
    return [], [f"'{written}': turns of a conversation multiply a rate of conversations, and none was read; the load "
                "planned is the rate stated (give it as requests per second to plan each turn)"]


def _budget_for_the_items(quantities) -> bool:
    """Items counted with an amount of money and no period, and no rate to serve them at ("generate 100k
    product images with SD 1.5, budget $300"): the money is the job's whole cost (it had been $300 an hour)."""
    return any(q.kind == "cost" and q.needs_cue for q in quantities) and \
        not any(q.kind in ("throughput", "token_throughput") for q in quantities)


#: Categories of the request's own a classifier is to sort into: "into 12 categories", "20 intents", "分成12类".
CATEGORIES = re.compile(r"(?<![\d.])(?P<n>\d+)\s+(?:[a-z-]+\s+)?(?:categories|classes|labels|intents|topics|buckets)(?![a-z])"
                        r"|(?<![\d.])(?P<zh>\d+)\s*(?:个)?(?:类别|大类|类|种标签|个标签|标签)(?![\u4e00-\u9fff]*(?:卡|设备))")
#: What the catalog's classifiers are trained on, by task.
TRAINED_ON = {"text-classification": "sentiment (SST-2's two labels) or their own published labels",
              "image-classification": "ImageNet's 1,000 classes"}


def _own_categories(space: Workspace, task: str) -> list[str]:
    """A classifier asked to sort into categories of the request's own ("Classify support tickets into 12
    categories"): the planned model knows only its training labels until fine-tuned; said (a binary
    sentiment model had been planned without a word)."""
    m = CATEGORIES.search(space.masked)
    if m is None or (task == "image-classification" and int(m.group("n") or m.group("zh")) == 1000):
        return []
    space.mark_read(m.start(), m.end())
    return [f"'{space.text[m.start():m.end()].strip()}': categories of the request's own; the catalog's classifiers are "
            f"trained on {TRAINED_ON[task]}, so the planned model sorts into none of them until it is fine-tuned on "
            "labelled examples (its speed and memory hold as planned, its accuracy does not)"]


def _batched_items(space: Workspace) -> tuple[int, str] | None:
    """The items each request carries, and the words, masked before the dataset is read ("每个请求32条"
    had been a dataset of 32 records); None without."""
    m = BATCHED_ITEMS.search(space.masked)
    if m is None:
        return None
    written = space.text[m.start():m.end()].strip()
    space.mask(m.start(), m.end())
    return int(m.group("n") or m.group("zh")), written


def _items_per_request(result, batched: tuple[int, str] | None) -> tuple[list[str], list[str]]:
    """Items batched into each request beside a rate of requests ("500 requests/s, 32 texts per
    request"): the rate planned is of items, the product (it had been dropped with no word);
    without a rate, a warning."""
    if batched is None:
        return [], []
    n, written = batched
    for i, c in enumerate(result.constraints):
        if c.metric == Metric.THROUGHPUT and c.op == ">=" and n > 1:
            result.constraints[i] = c.model_copy(update={"value": c.value * n})
            return [f"'{written}': {c.value:g} requests/s of {n} items each, so at least {c.value * n:g} items/s "
                    "(each item planned as a request; a request's latency is its items' batch)"], []
    return [], [f"'{written}': items per request are planned only beside a rate of requests; each request is "
                "planned as one item (give the rate, e.g. '500 requests/s')"]


#: A cost asked as a share of the current one: "cut cost by half", "reduce the bill by 30%", "成本减半".
COST_CUT = re.compile(r"(?<![a-z])(?:cut|reduce|lower|drop|bring\s+down)\s+(?:the\s+|our\s+)?(?:cost|costs|bill|spend)"
                      r"\s+(?:by\s+)?(?P<share>half|\d+(?:\.\d+)?\s*%)|(?<![a-z])halve\s+(?:the\s+|our\s+)?(?:cost|costs|bill)"
                      r"|成本减半|费用减半|成本(?:降低|减少)(?P<zh>\d+(?:\.\d+)?)\s*%")


def _cut_of_the_current_cost(result, space: Workspace) -> tuple[list[str], list[str]]:
    """A cost asked as a share cut from the current one, where the request states that one ("our bill is
    $14k/month … cut cost by half"): the bound planned is what is left ($14k/month was planned, the half
    dropped without a word); with no current cost stated, a warning (notes, warnings)."""
    m = COST_CUT.search(space.text)
    if m is None:
        return [], []
    share = m.group("share") or m.group("zh")
    cut = 0.5 if share is None or share == "half" else float(share.rstrip("% ")) / 100
    space.mark_read(m.start(), m.end())
    for i, c in enumerate(result.constraints):
        if c.metric in (Metric.COST, Metric.JOB_COST) and c.op == "<=":
            result.constraints[i] = c.model_copy(update={"value": c.value * (1 - cut)})
            return [f"'{m.group(0)}': the cost stated ({c.source}) cut by {cut:.0%}, so at most "
                    f"{c.value * (1 - cut):.4g} {c.unit}"], []
    return [], [f"'{m.group(0)}': a cut relative to the current cost, with no current cost stated, is not planned "
                "for; give the cost to reach (e.g. 'under $5/h')"]


def _accuracy_of_yardsticks(yardsticks, result, space: Workspace, catalog: Catalog) -> tuple[list[str], list[str]]:
    """An accuracy bound from each model the request measures against ("at least as accurate as
    resnet50": accuracy >= resnet50's published figure), kept when tighter than a stated one
    (notes, warnings). A yardstick with no published figure bounds nothing, and says so."""
    notes, warnings = [], []
    for model_id, (start, end), margin in yardsticks:
        model = catalog.models[model_id]
        figure = model.accuracy.get("fp32") or model.accuracy.get("fp16")
        quoted = space.text[start:end].strip(" ,")
        space.mark_read(start, end)
        if figure is None:
            warnings.append(f"'{quoted}': {model_id} has no published accuracy in the catalog, so no accuracy bound "
                            "is planned from it; give the accuracy as a number")
            continue
        floor = figure.value - margin
        stated = [c for c in result.constraints if c.metric == Metric.ACCURACY and c.op == ">="
                  and not (start <= (c.source and space.text.find(c.source, start) or -1) < end)]
        if stated and max(c.value for c in stated) >= floor:
            continue
        # the accuracy bounds read from the margin's own number ("2个百分点" read as accuracy >= 2%) go too
        margin_bounds = [c for c, span in zip(result.constraints, result.spans)
                         if c.metric == Metric.ACCURACY and start <= span[0] < end]
        kept = [(c, span) for c, span in zip(result.constraints, result.spans)
                if c not in stated and c not in margin_bounds]
        result.assumptions = [a for a in result.assumptions
                              if not any(a.startswith(f"accuracy {c.value * 100:g} read as") for c in margin_bounds)]
        result.constraints = [c for c, _ in kept] + [Constraint(
            metric=Metric.ACCURACY, op=">=", value=floor, unit=CANONICAL_UNITS[Metric.ACCURACY], source=quoted)]
        result.spans = [span for _, span in kept] + [(start, end)]
        less = f" less {margin:g} (the margin allowed)" if margin else ""
        notes.append(f"'{quoted}': accuracy >= {floor:g}, {model_id}'s published {model.accuracy_metric or 'figure'}"
                     f"{less}; any model at least as accurate may be planned, {model_id} among them")
    return notes, warnings


def _job_of_steps(steps, workload: dict, space: Workspace) -> tuple[list[str], list[str]]:
    """A training job's size from its steps and batch (notes, warnings): steps x a batch in
    tokens is the tokens it trains on, steps x a batch of examples the examples, once each.
    A dataset stated besides sizes the job, and steps without a batch size nothing."""
    if steps is None:
        return [], []
    steps.mark_read(space)
    quoted = space.text[steps.span[0]:steps.span[1]].strip()
    if workload.get("dataset_records") or workload.get("dataset_tokens"):
        return [], [f"'{quoted}': the job is planned on the dataset stated, not on its steps"]
    if steps.batch is not None:
        tokens = steps.steps * round(steps.batch.value)
        workload["dataset_tokens"] = tokens
        size = f"{tokens:,} tokens ({steps.steps:,} steps of {round(steps.batch.value):,}-token batches)"
    elif workload.get("batch_size"):
        records = steps.steps * workload["batch_size"]
        workload["dataset_records"] = records
        size = f"{records:,} examples ({steps.steps:,} steps of batch {workload['batch_size']:,})"
    else:
        return [], [f"'{quoted}': steps without a batch size give no job size; ignored (say the batch, e.g. "
                    "'batch size 64' or 'a global batch of 4M tokens', or the dataset)"]
    workload.setdefault("epochs", 1)
    return [f"'{quoted}': the job trains on {size}, each seen once"], []


def _battery_life(result, space: Workspace) -> list[str]:
    """A battery's energy with the hours it must last ("battery must last 8 hours on a 20 Wh pack")
    is the average power the plan may draw (2.5 W), not an energy per request (it was read as
    72,000 J a request, and the hours were dropped). Replaces the energy bound; returns what was assumed."""
    hours = BATTERY_HOURS.search(space.masked)
    if hours is None:
        return []
    for i, (c, span) in enumerate(zip(result.constraints, result.spans)):
        if c.metric == Metric.ENERGY and c.op == "<=" and re.search(r"wh(?![a-z])", (c.source or "").lower()):
            h = float(hours.group("h") or hours.group("h2")) / (60 if hours.group("min") else 1)
            watts = c.value / 3600 / h
            written = f"{c.source}, {space.text[hours.start():hours.end()].strip()}"
            result.constraints[i] = Constraint(metric=Metric.POWER, op="<=", value=watts, unit="W", source=written)
            space.mark_read(hours.start(), hours.end())
            # "must last 30 min": the battery's hours, not a latency bound
            for j in reversed(range(len(result.constraints))):
                start, end = result.spans[j]
                if j != i and start < hours.end() and hours.start() < end:
                    del result.constraints[j], result.spans[j]
            return [f"'{written}': a battery of {c.value / 3600:g} Wh that must last {h:g} h, so the plan draws at most "
                    f"{watts:.3g} W on average (the energy over the hours), not an energy per request"]
    return []


def _battery_without_hours(result) -> list[str]:
    """A battery's energy with no hours it must last ("off a 50Wh power bank, how many hours will it
    run?") is no energy per request (it was read as 180,000 J a request, without a word): dropped,
    with a warning that says how to make it a bound."""
    warnings = []
    for i in reversed(range(len(result.constraints))):
        c = result.constraints[i]
        if c.metric == Metric.ENERGY and c.value >= WH_JOULES and re.search(r"(?<![mµu])wh(?![a-z])", (c.source or "").lower()):
            del result.constraints[i], result.spans[i]
            warnings.append(f"'{c.source}': a battery's energy with no hours it must last is not a bound (the plan's "
                            "power is predicted, and the hours it runs are the energy over it); say how long it must "
                            "run ('at least 10 hours') to bound the power")
    return warnings


#: Joules in a watt-hour: an energy of a watt-hour or more is a battery's, not a request's.
WH_JOULES = 3600


#: Words of holding devices: "we have", "we own", "我们有", "已有".
HOLDING = re.compile(r"(?<![a-z])(?:have|own|owned|got|bought|on\s+hand|in\s+house)(?![a-z])|有|自有|已有|现有")


def _rented_in_the_cloud(hardware, deployment: str | None, space: Workspace) -> list[str]:
    """Devices counted in a request that runs in the cloud and holds none ("on 2 H100s in the cloud",
    "4 L40S rented in AWS") are the devices to rent, at most that many: read as held, they were
    on-prem, against the cloud asked for, and the request was refused."""
    if deployment != "cloud" or not hardware.owned or HOLDING.search(space.text):
        return []
    counts = dict(hardware.owned)
    hardware.owned = []
    hardware.include = list(dict.fromkeys([*hardware.include, *counts]))
    cap = sum(counts.values())
    hardware.max_devices = cap if hardware.max_devices is None else min(hardware.max_devices, cap)
    said = ", ".join(f"{n} x {d}" for d, n in counts.items())
    return [f"'{said}' in the cloud: the devices to rent, at most {cap} (say 'we have …' for devices held)"]


#: What joins alternative models: "whisper-tiny or whisper-base", "qwen2.5-7b或者llama-3.1-8b", "A / B".
EITHER = re.compile(r"\s*,?\s*(?:or|either|或者|或是|或|还是|/)\s*$")


def _alternative_models(model, warnings: list[str], spans: list[tuple[int, int]], space: Workspace, catalog: Catalog):
    """Models named as alternatives of the one read ("whisper-tiny or whisper-base"): the plan
    chooses among them, and the request's bounds are all of theirs (the second had been warned
    about as a model of its own, taking the bounds after it). Returns the reading and the second
    models left."""
    from dataclasses import replace as replaced

    from intent.parser.models import model_named

    if model.model_id is None or model.span is None:
        return model, warnings, spans
    chosen, kept_warnings, kept_spans, first, last = [model.model_id], [], [], model.span, model.span
    pairs = sorted(zip(warnings, spans), key=lambda ws: ws[1][0])
    for warning, span in [*reversed([p for p in pairs if p[1][1] <= model.span[0]]),
                          *[p for p in pairs if p[1][1] > model.span[0]]]:
        named = model_named(space.text[span[0]:span[1]], catalog)
        joined = (span[0] >= last[1] and EITHER.fullmatch(space.text[last[1]:span[0]])) or \
            (span[1] <= first[0] and EITHER.fullmatch(space.text[span[1]:first[0]]))
        if named is not None and joined and catalog.models[named].task == model.task:
            chosen.append(named)
            first, last = (span, last) if span[1] <= first[0] else (first, span)
        else:
            kept_warnings.append(warning)
            kept_spans.append(span)
    if len(chosen) == 1:
        return model, warnings, spans
    note = f"{' or '.join(chosen)}: alternatives, the plan chooses among them"
    return (replaced(model, model_id=None, models=chosen, notes=[*model.notes, note]), kept_warnings, kept_spans)


def _shape_of_other_models(shape, theirs) -> list[str]:
    """The request shape and concurrency stated for a second model ("bge-small (1000/s), qwen2.5-14b
    (100 at once, 4k in, 500 out)") are not the model read's: dropped, each said (they had been
    planned on the embedding model: 12 s a call)."""
    if theirs is None:
        return []
    warnings = []
    for name, span in list(shape.spans.items()):
        said = theirs(span)
        if said is not None and getattr(shape, name) is not None:
            setattr(shape, name, None)
            if said not in warnings:
                warnings.append(said)
    return warnings


#: Devices said to be in use now: "we currently run on H100s", "we already run 2x A10G", "目前在用4张A100".
IN_USE_NOW = re.compile(r"(?<![a-z])(?:currently|already|today|right now|at the moment|for now)\s+(?:\w+\s+){0,3}?"
                        r"(?:run|runs|running|use|uses|using|serve|serving|host|hosting|deployed|on)(?![a-z])"
                        r"|(?:目前|现在|当前|现有)(?:在|正在|是)?(?:用|使用|跑|部署在|跑在)"
                        # "move off our H100 servers to the cloud", "migrate away from A100s", "从A100迁移到"
                        r"|(?<![a-z])(?P<leaving>(?:move|moving|migrate|migrating|switch|switching|get|getting)(?:\s+[\w.()#-]+){0,6}?\s+"
                        r"(?:off(?:\s+of)?|away\s+from|from))(?![a-z])|(?P<leaving_zh>从)(?=[^，,。；;]{1,20}?(?:迁移|换到|迁到|切换到|换成))")
#: Where what runs now ends in a move: "from A100s to L40S" names the one left, then the one wanted.
MOVE_TARGET = re.compile(r"(?<![a-z])(?:to|onto|into|for)(?![a-z])|迁移|换到|迁到|切换到|换成")
#: Streams of speech counted, in a speech request: "4 mic streams", "30 streams", "12 calls", "8路语音".
LIVE_STREAMS = re.compile(r"(?<![\d.,])(?P<n>\d{1,6})\s*(?:(?:mic|microphone|audio|voice|phone|sip|live)\s+)?"
                          r"(?:streams?|calls?|channels?|feeds?|lines?)(?![a-z])|(?<![\d.])(?P<zh>\d{1,6})\s*路(?:语音|音频|通话|电话)")
#: Devices tried before ("we tried it on a single H100 last week", "last time we tried T4s it was too slow",
#: "之前试过A10"): what was tried is no requirement.
TRIED_BEFORE = re.compile(r"(?<![a-z])(?:we\s+|i\s+)?(?:tried|tested|attempted)(?![a-z])|之前试过|试过了?|以前用过")
#: Words that ask to leave or outgrow what runs now: moving, replacing, cheaper hardware, growth.
MOVING_ON = re.compile(r"(?<![a-z])(?:move|moving|migrate|migrating|switch|switching|replace|replacing|cheaper|"
                       r"alternatives?|instead|other hardware|grow|grows|growing|will be \d|\dx|double|triple|"
                       # a new target set beside what runs now ("Product wants TTFT under 300ms"): it may move
                       r"wants?|needs? to|target|improve|upgrade|too slow|too expensive)(?![a-z])"
                       r"|换成|替换|迁移|更便宜|换掉|扩容|增长|翻倍")


#: A machine's devices said apart from how many machines: "一台机器8卡，我们有4台", "each node has 8 A100s
#: and we have 3 nodes", "8 GPUs per server, 4 servers".
CARDS_A_MACHINE = re.compile(r"(?<![\d.])(?:一台|每台|1\s*台)(?:机器|服务器|节点|主机)?\s*(?:有|是|配|装)?\s*(?P<zh>\d+)\s*(?:张|块)?(?:卡|gpu|GPU)"
                             r"|(?<![a-z])(?:each|every|per|a|one)\s+(?:node|server|machine|box|host)\s+(?:has|holds|with|of)"
                             r"\s+(?P<en>\d+)(?![\d.])"
                             r"|(?<![\d.])(?P<en_after>\d+)\s+(?:[\w.-]+\s+){0,2}?(?:per|each|a)\s+(?:node|server|machine|box|host)"
                             r"(?![a-z])", re.IGNORECASE)
MACHINES_HELD = re.compile(r"(?:我们|我|公司)?(?:有|共有|一共有|总共有|一共)\s*(?P<zh>\d+)\s*台(?!\s*\d)"
                           r"|(?<![a-z])(?:we|i)\s+(?:have|own|got)\s+(?P<en>\d+)\s+(?:of\s+them|nodes|servers|machines|boxes|hosts)"
                           r"(?![a-z])|(?<![\d.])(?P<en_after>\d+)\s+(?:nodes|servers|machines|boxes|hosts)(?:\s+in\s+all)?\s*$",
                           re.IGNORECASE)


#: A device named as the largest allowed: "nothing bigger than a Jetson Orin NX", "no larger than an L4",
#: "an Orin NX or smaller", "最大用到Orin NX".
NO_BIGGER_BEFORE = re.compile(r"(?:nothing|no(?:thing)?\s+(?:bigger|larger|more\s+powerful))\s+than\s+(?:a|an|the)?\s*$|"
                              r"(?:最大用到|最多用到|不超过)\s*$")
OR_SMALLER_AFTER = re.compile(r"^\s*(?:or\s+(?:smaller|less|lower|below)|及以下|或更小)")


def _no_bigger_than(hardware, space: Workspace, catalog: Catalog) -> list[str]:
    """A device named as the largest allowed: the same vendor's boards of its form factor drawing at most its
    power join it (only the Orin NX had been allowed, not the smaller Orin Nano)."""
    from intent.parser.devices import device_phrases

    for m in device_phrases(catalog).scan(space.text):
        device = catalog.devices.get(m.key)
        if device is None or device.tdp_w is None or m.key not in hardware.include:
            continue
        if not (NO_BIGGER_BEFORE.search(space.text[max(0, m.start - 40):m.start])
                or OR_SMALLER_AFTER.match(space.text[m.end:])):
            continue
        smaller = sorted(d.id for d in catalog.devices.values() if d.vendor == device.vendor
                         and d.form_factor == device.form_factor and d.tdp_w is not None
                         and d.tdp_w.value <= device.tdp_w.value and d.id not in hardware.include)
        if not smaller:
            return []
        hardware.include = [*hardware.include, *smaller]
        return [f"'{space.text[m.start:m.end]}' read as the largest allowed: {', '.join(smaller)} (the same vendor's "
                f"{device.form_factor} devices drawing at most its {device.tdp_w.value:g} W) allowed too"]
    return []


def _machines_said_apart(hardware, space: Workspace) -> list[str]:
    """Machines of a stated size, counted apart, of the one device the request names: they are
    held, all of them ("一台机器8卡，我们有4台" had capped the plan at 8 devices; "each node has 8
    A100s and we have 3 nodes" was 8 held)."""
    size, held = CARDS_A_MACHINE.search(space.text), None
    for clause in re.split(r"[,;，；。]", space.text):
        held = held or MACHINES_HELD.search(clause.strip())
    devices = {d for d, _ in hardware.owned} | set(hardware.include)
    if size is None or held is None or len(devices) != 1:
        return []
    each = int(size.group("zh") or size.group("en") or size.group("en_after"))
    machines = int(held.group("zh") or held.group("en") or held.group("en_after"))
    device = devices.pop()
    if machines < 2 or each < 1 or machines * each > MAX_HELD_SAID_APART:
        return []
    hardware.owned = [(device, machines * each)]
    hardware.include = [d for d in hardware.include if d != device] + [device]
    if hardware.max_devices in (each, None):
        hardware.max_devices = None
    return [f"'{size.group(0).strip()}' and '{held.group(0).strip()}': {machines} machines of {each} x {device}, "
            f"{machines * each} held"]


#: The most devices machines counted apart may make.
MAX_HELD_SAID_APART = 100_000


def _devices_in_use_now(hardware, space: Workspace, catalog: Catalog) -> list[str]:
    """Devices a request says run now, beside a wish to move off them or outgrow them ("we currently
    run on H100s, can we move to cheaper hardware?", "we already run 2x A10G; traffic will be 3x"):
    where it is now, not a requirement, so the plan weighs every device (it had been held to them,
    and capped at their count)."""
    from intent.parser.devices import device_phrases

    now = TRIED_BEFORE.search(space.text)  # "we tried gpt-oss-120b on a single H100 last week and it OOM'd"
    if now is None:
        now = IN_USE_NOW.search(space.text)
        if now is None or not MOVING_ON.search(space.text):
            return []
    start, end = space.clause_bounds(now.start())
    if now.re is IN_USE_NOW and (now.group("leaving") or now.group("leaving_zh")):
        end = max(end, space.clause_bounds(max(now.end() - 1, now.start()))[1])  # past a bracket the move spans
        target = MOVE_TARGET.search(space.text, now.end(), end)
        end = target.start() if target is not None else end
    named = {m.key for m in device_phrases(catalog).scan(space.text[start:end])}
    named |= {d.family for d in catalog.devices.values() if d.id in named and d.family}
    if not named or not (set(hardware.include) & named or any(d in named for d, _ in hardware.owned)):
        return []
    counts = [n for d, n in hardware.owned if d in named]
    hardware.include = [d for d in hardware.include if d not in named]
    hardware.owned = [(d, n) for d, n in hardware.owned if d not in named]
    hardware.preferred = [d for d in hardware.preferred if d not in named]
    if hardware.max_devices is not None and re.search(rf"(?<!\d){hardware.max_devices}(?!\d)", space.text[start:end]):
        hardware.max_devices = None  # the count that runs now, no cap
    said = space.text[start:end].strip(" ,;，；")
    return [f"'{said}': the devices in use now, not a requirement: the plan weighs every device"
            + (" (say 'we have …' to plan on those you keep)" if counts else "")]


def _clock_window(result, space: Workspace, workload: dict, job: bool) -> list[str]:
    """A window of the clock a job runs in ("Window is 1am-5am", "晚上10点到早上6点之间跑完") is its time
    bound, where the request states none: it had been dropped, and the job planned as a day-long rate."""
    window = fields.read_clock_window(space)
    if window is None or any(c.metric == Metric.JOB_TIME for c in result.constraints):
        return []
    hours, written, span = window
    daily = any(c.metric == Metric.THROUGHPUT and c.op == ">=" for c in result.constraints)
    if not (job or workload.get("dataset_records") or daily):
        return []
    result.constraints.append(Constraint(metric=Metric.JOB_TIME, op="<=", value=hours, unit="h", source=written))
    result.spans.append(span)
    space.mark_read(*span)
    return [f"'{written}': a window of {hours:g} h the job runs in, so done within {hours:g} hours"]


def _daily_volume_as_job(result, quantities, workload: dict) -> list[str]:
    """A day's volume beside a job time ("每天晚上处理50万条，6小时内完成", "2 million images a day,
    each batch done within 4 hours") is a recurring job of that size within that time, not a rate
    spread over the day (which planned a quarter of the load). Moves it from the constraints to
    the job's size; returns what was assumed."""
    if workload.get("dataset_records") or not any(c.metric == Metric.JOB_TIME for c in result.constraints):
        return []
    daily = {(q.start, q.end) for q in quantities if q.kind == "throughput" and q.note == PER_DAY}
    for i, (c, span) in enumerate(zip(result.constraints, result.spans)):
        if c.metric == Metric.THROUGHPUT and span in daily:
            workload["dataset_records"] = round(c.value * 86400)
            del result.constraints[i], result.spans[i]
            return [f"'{c.source}' beside a job time: a daily job of {workload['dataset_records']:,} items, each "
                    "done within the time stated (not a rate spread over the day)"]
    return []


def _audio_volume(volume, result, workload: dict) -> list[str]:
    """Hours of speech a period ("5000 hours of audio a day", "每天5000小时的录音") are the load a
    speech service keeps up with: windows a second, spread over the period; beside a job time,
    the period's windows are the job ("each day's audio done within 6 hours"). Returns what was
    assumed; a stated rate stands."""
    if volume is None or any(c.metric == Metric.THROUGHPUT for c in result.constraints):
        return []
    window = fields.AUDIO_WINDOW_S
    if any(c.metric == Metric.JOB_TIME for c in result.constraints) and not workload.get("dataset_records"):
        workload["dataset_records"] = volume.windows
        return [f"'{volume.written}' beside a job time: a job of {volume.windows:,} windows of {window} s each period, "
                "done within the time stated"]
    result.constraints.append(Constraint(metric=Metric.THROUGHPUT, op=">=", value=volume.rate,
                                         unit=CANONICAL_UNITS[Metric.THROUGHPUT], source=volume.written))
    result.spans.append(volume.span)
    return [f"'{volume.written}': {volume.rate:.3g} windows of {window} s a second ({volume.rate * window:.3g} s of "
            "audio a second), spread evenly over the period (Whisper's 30-second segments, Radford et al. 2022, "
            "https://arxiv.org/abs/2212.04356); state a peak rate if the audio comes in bursts"]


#: Hours of video a job goes through: "5000 hours of video", "5000小时视频", "2k hrs of footage".
VIDEO_HOURS = re.compile(r"(?<![\d.])(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|万|千)?\s*(?:hours?|hrs?|h|个?小时)\s*(?:of\s+)?(?:the\s+)?"
                         r"(?:[a-z0-9-]+\s+)?(?:video|videos|footage|recordings? of cameras|视频|录像|监控录像)(?![a-z])")
#: A sampling rate of a video job: "sampled at 1 fps", "1 frame per second", "每秒抽1帧", "每秒1帧".
SAMPLED_FPS = re.compile(r"(?:sampl\w*|extract\w*|at)\s+(?P<n>\d+(?:\.\d+)?)\s*(?:fps|frames?\s+(?:per|a|each)\s+second)"
                         r"|(?P<m>\d+(?:\.\d+)?)\s*frames?\s+(?:per|a|each)\s+second|每秒(?:抽|取|采样)?\s*(?P<zh>\d+(?:\.\d+)?)\s*帧"
                         r"|(?P<k>\d+(?:\.\d+)?)\s*fps")


def _read_video_hours(space: Workspace) -> tuple[float, str] | None:
    """Hours of video and their words, masked before bounds are read (no duration of 5000 hours)."""
    m = VIDEO_HOURS.search(space.masked)
    if m is None:
        return None
    space.mask(m.start(), m.end())
    hours = float(m.group("n").replace(",", "")) * {"k": 1e3, "千": 1e3, "万": 1e4}.get(m.group("scale") or "", 1)
    return hours, space.text[m.start():m.end()].strip()


def _video_hours(video: tuple[float, str] | None, space: Workspace, result, workload: dict) -> tuple[list[str], list[str]]:
    """Hours of video in a job with a time ("5000 hours of video … within 48 hours") are its frames
    at the sampling rate it states ("sampled at 1 fps": 18M frames), and that rate is no bound of
    its own; without a rate, said (the hours had been read as a duration and dropped)."""
    if video is None or workload.get("dataset_records"):
        return [], []
    hours, written = video
    fps = SAMPLED_FPS.search(space.text)
    job = any(c.metric == Metric.JOB_TIME for c in result.constraints)
    if fps is None or not job:
        return [], [f"'{written}': hours of video are a job only at a sampling rate and with a time to finish in: say "
                    "e.g. 'sampled at 1 frame a second, done within 48 hours'; not planned for"]
    rate = float(next(g for g in fps.groups() if g))
    frames = round(hours * 3600 * rate)
    workload["dataset_records"] = frames
    kept = [(c, s) for c, s in zip(result.constraints, result.spans) if c.metric != Metric.THROUGHPUT]
    result.constraints[:], result.spans[:] = [c for c, _ in kept], [s for _, s in kept]
    space.mark_read(fps.start(), fps.end())
    return [f"'{written}' at {rate:g} frame(s) a second: a job of {frames:,} frames"], []


#: A real-time factor bound: "real-time factor below 0.3", "RTF < 0.5", "实时率小于0.2".
REAL_TIME_FACTOR = re.compile(r"(?:real[- ]?time factor|rtf|实时率|实时因子)\s*(?:of|is|:|：|=)?\s*"
                              r"(?:below|under|less than|at most|<=|<|≤|不超过|小于|低于|不高于)?\s*(?P<v>\d*\.\d+|\d+)")


def _real_time_factor(space, result) -> list[str]:
    """A speech request's real-time factor bound as a latency bound on one window (Whisper's 30
    s): RTF 0.3 is 9 s a window. Returns the assumption (it was warned as a limit with no unit)."""
    m = REAL_TIME_FACTOR.search(space.text)
    if m is None or float(m.group("v")) <= 0:
        return []
    window = fields.AUDIO_WINDOW_S
    bound = float(m.group("v")) * window * 1000
    written = space.text[m.start():m.end()].strip()
    result.constraints.append(Constraint(metric=Metric.LATENCY, op="<=", value=bound, unit="ms", source=written))
    result.spans.append((m.start(), m.end()))
    space.mark_read(m.start(), m.end())
    return [f"'{written}': a real-time factor of {m.group('v')}, read as at most {bound / 1000:g} s for a {window}-s "
            "window of audio (Whisper's)"]


def _direction_of_the_model(model_id: str | None, languages: list[str] | None, catalog: Catalog) -> list[str]:
    """A named translation model that goes the other way from the direction asked: warned about
    (the named model is planned, as named)."""
    model = catalog.models.get(model_id) if model_id else None
    if model is None or not languages or not model.languages or model.languages == languages:
        return []
    return [f"'{model_id}' translates {model.languages[0]} to {model.languages[1]}, not {languages[0]} to "
            f"{languages[1]} as asked; it is planned as named (name another model, or none, to plan the direction)"]


def _reads_language(task: str | None) -> bool:
    """Whether the task's input is text or speech in some language (not a translation, whose
    direction is read apart, nor images)."""
    return task not in (None, "translation", "text-to-image", *IMAGE_TASKS)


def _pair_of_the_models(named: list[str], pair: list[str] | None, catalog: Catalog) -> list[str]:
    """A named translation model that goes between other languages than the two asked: warned
    about (what is named is planned)."""
    models = [catalog.models[m] for m in named if m in catalog.models]
    if not models or not pair or any(set(pair) <= set(m.languages or ()) for m in models):
        return []
    model = models[0]
    between = f"translates {' to '.join(model.languages)}" if model.languages else "has no documented languages"
    return [f"'{model.id}' {between}, not between {pair[0]} and {pair[1]} as asked; it is planned as named (name no "
            "model to plan one that does)"]


def _languages_of_the_models(named: list[str], codes: list[str] | None, catalog: Catalog) -> list[str]:
    """A named model, or every variant of a named family, whose documentation does not name a
    language the request's text or speech is in: warned about (what is named is planned)."""
    models = [catalog.models[m] for m in named if m in catalog.models]
    if not models or not codes or any(m.reads and all(m.reads.handles(c) for c in codes) for m in models):
        return []
    model = models[0]
    missing = [c for c in codes if model.reads is None or not model.reads.handles(c)]
    documented = f"is documented for {', '.join(model.reads.codes)}" if model.reads else "has no documented languages"
    who = f"'{model.id}'" if len(models) == 1 else f"the family named ({', '.join(m.id for m in models)}): '{model.id}'"
    return [f"{who} {documented}, not {' and '.join(missing)} as the request's text is; it is planned as named "
            "(name no model to plan one that handles it)"]


def _cost_per_item(quantities, space: Workspace):
    """The request's cost per item: the first, or the last where a correction stands between ("under $2 per 1k
    items... wait no, under $0.002 per 1k items"), the ones it corrects read."""
    costs = [q for q in quantities if q.kind == "cost_per_item"]
    if len(costs) > 1 and fields.CORRECTION.search(space.text[costs[0].end:costs[-1].start]):
        for q in costs[:-1]:
            space.mark_read(q.start, q.end)
        return costs[-1]
    return costs[0] if costs else None


def _cost_per_item_of_the_job(result, quantities, workload: dict, space: Workspace, job: bool) -> list[str]:
    """A cost per item in a job of counted items ("summarize 2M tickets, at most $0.50 per 1,000
    tickets") is the job's total: the cost per item times the items (it had been a $0.50 job, and
    "$0.001 per image" was warned about and dropped)."""
    records = workload.get("dataset_records")
    per_item = _cost_per_item(quantities, space)
    served = any(c.metric == Metric.THROUGHPUT and c.op == ">=" for c in result.constraints)
    # counted items with no rate to serve them at are a job ("3.2M prompts…, $1.50 per 1k prompts")
    if not records or per_item is None or not (job or not served) \
            or any(c.metric == Metric.JOB_COST for c in result.constraints):
        return []
    total = per_item.value * records
    written = space.text[per_item.start:per_item.end].strip()
    result.constraints.append(Constraint(metric=Metric.JOB_COST, op="<=", value=total, unit="USD", source=written))
    result.spans.append((per_item.start, per_item.end))
    space.mark_read(per_item.start, per_item.end)
    return [f"'{written}': ${per_item.value:.4g} an item over the job's {records:,} items, so the job costs at most "
            f"${total:,.2f}"]


def _cost_per_item_of_the_service(result, quantities, space: Workspace, job: bool, sources: int | None) -> list[str]:
    """A cost per request of a service at a stated rate ("200 qps, cost per 1k requests under $0.01",
    "每千次请求不超过0.5元") is its hourly budget: the cost per request times the requests an hour
    (it had been read as $0.01 an hour, or warned about and dropped)."""
    per_item = _cost_per_item(quantities, space)
    rate = next((c.value for c in result.constraints if c.metric == Metric.THROUGHPUT and c.op == ">="), None)
    if job or per_item is None or rate is None or any(c.metric == Metric.COST for c in result.constraints) \
            or space.is_read(per_item.start, per_item.end):
        return []
    rate *= sources or 1
    hourly = per_item.value * rate * 3600
    written = space.text[per_item.start:per_item.end].strip()
    result.constraints.append(Constraint(metric=Metric.COST, op="<=", value=hourly, unit="USD/h", source=written))
    result.spans.append((per_item.start, per_item.end))
    space.mark_read(per_item.start, per_item.end)
    return [f"'{written}': ${per_item.value:.4g} a request at the {rate:g} requests/s asked is at most ${hourly:,.4g} "
            "an hour"]


#: How the deployment's note ends when "no cloud" made it on-prem (fields.read_deployment).
CLOUD_RULED_OUT = "(the cloud is ruled out)"


def _clip_windows(written: str, seconds: float, workload: dict) -> str:
    """Audio items longer than a speech model's window are that many windows each: the records
    the job gets through (10,000 five-minute calls are 100,000 windows of 30 s)."""
    window = fields.AUDIO_WINDOW_S
    windows = max(1, math.ceil(seconds / window - 1e-9))
    records = workload.get("dataset_records")
    if not records or windows == 1:
        return f"'{written}': each item's length, {seconds:g} s (one {window}-s window of speech), not a time bound"
    workload["dataset_records"] = records * windows
    return (f"'{written}': each item is {seconds:g} s, {windows} windows of {window} s, so the job's {records:,} items "
            f"are {records * windows:,} windows")


def parse_rules(text: str, catalog: Catalog | None = None) -> Intent:
    """Parse ``text`` with the offline rules; raises IntentNotUnderstood when nothing is readable
    and ImpossibleValue for a bound that is not a number or not in a unit the parser knows."""
    if not isinstance(text, str):
        raise IntentNotUnderstood(str(text), "the request must be text")
    if not text.strip():
        raise IntentNotUnderstood(text, "the request is empty")
    lexicon = load_lexicon()
    catalog = catalog or load_catalog()
    space = Workspace(normalise(text[:MAX_TEXT], lexicon))
    assumptions: list[str] = []
    warnings: list[str] = []
    if len(text) > MAX_TEXT:  # the rest is quoted where it starts, so what it asks can be moved up
        rest = " ".join(text[MAX_TEXT:].split()[:8])
        warnings.append(f"only the first {MAX_TEXT:,} characters of the request were read: the other "
                        f"{len(text) - MAX_TEXT:,}, from '{rest} ...', were not; put what the request asks for "
                        f"within the first {MAX_TEXT:,}")

    warnings += other_language(lexicon, text) + counts_of_nothing(space) + bandwidths(space) + active_users(space)
    compliance, compliance_notes, compliance_warnings = fields.read_compliance(lexicon, space)
    policy_notes: list[str] = []  # policies turned off ("drop the watermark")
    dp_asked, epsilon, delta = fields.read_differential_privacy(lexicon, space, policy_notes)
    layout, layout_notes, layout_warnings = fields.read_parallel_layout(space)
    hardware = read_hardware(lexicon, space, catalog, fields.negated)
    provider_excluded, provider_notes = fields.read_cloud_providers(lexicon, space)
    provider_excluded = [d for d in provider_excluded if d not in hardware.exclude and d not in hardware.include
                         and catalog.devices[d].vendor not in hardware.exclude]  # "not on Google Cloud": 'google' holds them
    hardware.exclude += provider_excluded
    hardware.assumptions += provider_notes if provider_excluded else []
    accuracy_loss, accuracy_loss_notes = fields.read_accuracy_loss(space)
    kv_format_warnings = fields.read_kv_cache_format(space)  # its format is no weights' format
    precisions, precision_notes = fields.read_precisions(lexicon, space)
    precision_notes = accuracy_loss_notes + precision_notes
    yardsticks = compared_models(space, catalog)
    models_read = read_models(lexicon, space, catalog)
    model = with_speciality(lexicon, space, catalog, models_read)
    second_models, second_spans = other_models(lexicon, space, model, catalog)
    model, second_models, second_spans = _alternative_models(model, second_models, second_spans, space, catalog)
    batched = _batched_items(space)  # "32 texts per request": no dataset of 32, no rate of its own
    turns = _turns(space)  # "每次平均5轮": turns of each conversation, no epochs
    each = read_per_person(space)  # "each ~20 msgs", "a msg every 30s": what each user sends, no rate or latency
    video = _read_video_hours(space)  # "5000 hours of video": no duration
    audio = fields.read_audio_volume(lexicon, space)  # "10k minutes/day" of speech: no latency of 6.9 days
    quantities = scan_quantities(lexicon, space)
    steps = training_steps(space, quantities)
    unbatched = [q for q in quantities if steps is None or q is not steps.batch]  # a batch is no dataset or example
    data = dataset_tokens(space, unbatched)
    sample = sample_tokens(space, unbatched, data)
    warnings += items_per_request(space)  # "each request has 2 images": no dataset of 2
    workload = fields.read_workload(lexicon, space, [(q.start, q.end) for q in quantities if q.kind != "bare"])
    data_notes = []
    if workload["kind"] == "inference" and workload.get("epochs"):  # "ResNet-50 on ImageNet, 90 epochs"
        workload["kind"] = "training"
        data_notes.append(f"{workload['epochs']} {EPOCHS_ALONE_NOTE}")
    if workload["kind"] != "inference" and data is not None:
        space.mark_read(*data.span)
        workload["dataset_tokens"] = data.tokens
        data_notes.append(data.note)
    elif workload["kind"] == "inference":
        model_training_data(space, quantities)
    dataset_notes: list[str] = []
    if not workload.get("dataset_records"):
        workload["dataset_records"], dataset_notes = fields.read_audio_hours(lexicon, space)
        if dataset_notes:  # "over 10,000 hours of podcast audio": the job's size, no bound on its time
            quantities = [q for q in quantities if space.masked[q.start:q.end].strip(MASK + " ")]
    if workload["kind"] != "inference" and not workload.get("dataset_records"):
        workload["dataset_records"], dataset_notes = fields.read_named_dataset(lexicon, space)
    if (clip := fields.read_clip_length(space)) is not None:
        seconds, written, (start, end) = clip
        dataset_notes.append(_clip_windows(written, seconds, workload))
        quantities = [q for q in quantities if not (start <= q.start < end)]  # a length, no time bound
    job_steps_notes, job_steps_warnings = _job_of_steps(steps, workload, space) if workload["kind"] != "inference" \
        else ([], [])
    # items counted with a total to spend on them ("总预算1万美元，把500万篇文档…做摘要") are a job too
    job = workload["kind"] != "inference" or (
        says_job(lexicon, space.text) or bool(lexicon.words("job_total_words").scan(space.text))
        or _budget_for_the_items(quantities)
        if workload.get("dataset_records") else bool(lexicon.words("job_words").scan(space.text)))
    result = ConstraintReader(lexicon, space, quantities, job=job).read(
        bounds_of_other_models(space.text, model, second_spans))
    result.constraints, soft_notes = fields.soft_bounds(lexicon, space, result.constraints, result.spans)
    result.assumptions += soft_notes
    yardstick_notes, yardstick_warnings = _accuracy_of_yardsticks(yardsticks, result, space, catalog)
    yardstick_notes += _times_the_current_load(result, space)
    items_notes, items_warnings = _items_per_request(result, batched)
    turn_notes, turn_warnings = _turns_per_conversation(result, turns, space.text)
    user_notes, user_warnings = rate_of_users(result, each, space.text)
    turn_notes += user_notes
    turn_warnings += user_warnings
    items_notes += turn_notes
    items_warnings += turn_warnings
    yardstick_notes += items_notes
    yardstick_warnings += items_warnings
    cut_notes, cut_warnings = _cut_of_the_current_cost(result, space)
    yardstick_notes += cut_notes
    yardstick_warnings += cut_warnings
    daily_job_notes = _clock_window(result, space, workload, job) + _battery_life(result, space)
    daily_job_notes += _daily_volume_as_job(result, quantities, workload)
    yardstick_warnings += _battery_without_hours(result)
    daily_job_notes += _audio_volume(audio, result, workload)
    video_notes, video_warnings = _video_hours(video, space, result, workload)
    daily_job_notes += video_notes
    yardstick_warnings += video_warnings
    daily_job_notes += _cost_per_item_of_the_job(result, quantities, workload, space, job)
    sources, sources_notes = fields.read_sources(space, [span for c, span in zip(result.constraints, result.spans)
                                                         if c.metric == Metric.THROUGHPUT])
    daily_job_notes += _cost_per_item_of_the_service(result, quantities, space, job, sources)
    sample_notes = []
    if sample is not None and workload["kind"] != "inference":
        space.mark_read(*sample.span)
        sample_notes.append(sample.note)
    shape = read_shape(lexicon, space, quantities)
    shape.warnings += _shape_of_other_models(shape, bounds_of_other_models(space.text, model, second_spans))
    if sample_notes and shape.prompt_tokens is None:
        shape.prompt_tokens = sample.tokens  # a training example's tokens are what one step reads of it
    if shape.requests and not workload.get("dataset_records"):
        workload["dataset_records"] = shape.requests
        # "3.2M prompts through llama 3.1 70b, $1.50 per 1k prompts": the items counted in the request's shape
        daily_job_notes += _cost_per_item_of_the_job(result, quantities, workload, space, job)
    objectives = fields.read_objectives(lexicon, space, result.comparator_spans)
    named_task = fields.read_task(lexicon, space, catalog.models[model.model_id].task if model.model_id else None)
    model, other_task_note = _of_the_task(model, named_task, catalog)
    model, family_note = _family_of_the_task(model, named_task, catalog)
    other_task_note += family_note
    if second_spans and model.model_id and named_task and named_task != model.task:
        # "embed queries with bge-base ... and serve Llama 3 8B": the task named is the second model's
        other_task_note.append(f"'{named_task}' is named with a second model; {model.model_id} is planned for its own "
                               f"task, {model.task}")
        named_task = None
    if named_task == "question-answering" and model.task == "text-generation":
        named_task = "text-generation"  # "用Qwen2.5-14B做RAG问答": a text generator answers by generating
    task = named_task or model.task or fields.read_weak_task(lexicon, space) or next(
        (catalog.models[m].task for m, _, _ in yardsticks), None)  # "a detector as accurate as yolov8s": its task
    if model.as_written and not (model.model_id or model.models) and MULTIMODAL_NAME.search(model.as_written):
        # "qwen2-vl 7b for document QA": no catalog model reads images with text, so none stands in for it (BERT's
        # extractive QA had been planned)
        warnings.append(f"'{model.as_written}': a model that reads images, audio or video with text, and the catalog "
                        "holds none; no text-only model is planned in its place (add it with 'intentctl catalog import "
                        "CONFIG.json')")
        task = None
    steps, steps_notes = fields.read_denoising_steps(space) if task == "text-to-image" else (None, [])
    languages, language_notes = fields.read_translation_direction(lexicon, space, task) if task in ("translation", None) \
        else (None, [])
    task = task or ("translation" if languages else None)  # "德译英" names the task too
    content, content_notes = fields.read_content_languages(lexicon, space) if _reads_language(task) else (None, [])
    pair_notes: list[str] = []
    if task == "translation" and not languages:  # "中英互译": both ways, between two languages
        content, pair_notes = fields.read_translation_pair(lexicon, space)
    if task in IMAGE_TASKS or task == "text-to-image":  # "German shepherds", "Chinese dishes": things, not text
        fields.mark_languages_read(lexicon, space)
    # A named model is planned as named: only a language it is not documented for is said.
    named = [model.model_id] if model.model_id else _variants_for(model, task, catalog)
    content_warnings = (_pair_of_the_models(named, content, catalog) if task == "translation"
                        else _languages_of_the_models(named, content, catalog))
    if named:
        content_notes = []
    rtf_notes = _real_time_factor(space, result) if task == "automatic-speech-recognition" and not any(
        c.metric == Metric.LATENCY for c in result.constraints) else []
    language_notes += _direction_of_the_model(model.model_id, languages, catalog)
    deployment, deployment_notes, deployment_warnings = fields.read_deployment(lexicon, space)
    deployment_notes += _rented_in_the_cloud(hardware, deployment, space)
    deployment_notes += _devices_in_use_now(hardware, space, catalog)
    deployment_notes += _machines_said_apart(hardware, space)
    deployment_notes += _no_bigger_than(hardware, space, catalog)
    min_replicas, replica_notes = fields.read_min_replicas(lexicon, space)
    spare_replicas, spare_notes = fields.read_spare_replicas(space)
    replica_notes += spare_notes
    # "车载…，禁用云端": a place on the edge beside the cloud ruled out runs on that edge
    cloud_out = any(n.endswith(CLOUD_RULED_OUT) for n in deployment_notes)
    edge_site = fields.read_edge_site(lexicon, space) if deployment is None or cloud_out else None
    watermark = fields.read_watermark(lexicon, space, policy_notes)

    assumptions += shape.notes
    assumptions += daily_job_notes + compliance_notes + policy_notes + precision_notes + result.assumptions + deployment_notes + _owned_note(hardware) + hardware.assumptions + model.notes + dataset_notes + data_notes + sample_notes + job_steps_notes + yardstick_notes + steps_notes + sources_notes + rtf_notes + layout_notes + replica_notes
    warnings += language_notes[1:] if languages else []
    assumptions += language_notes[:1]
    assumptions += content_notes
    warnings += pair_notes + content_warnings + job_steps_warnings + yardstick_warnings + model.warnings
    warnings += layout_warnings + other_task_note + compliance_warnings + deployment_warnings + result.warnings + shape.warnings + hardware.notes + second_models
    objective, tie_breakers = None, []
    if objectives:
        metric, sense, position = objectives[0]
        if metric == Metric.TOKEN_COST and task not in ("text-generation", "summarization", "translation") \
                and "token" not in space.text[position:position + 40]:
            # "lowest cost per request" of a detector: at the rate it must serve, the hourly cost is the same order
            metric = Metric.COST
            assumptions.append("the cost of a request read as the cost per hour: at the rate the plan serves, the "
                               "cheapest hour is the cheapest request")
        objective = Objective(metric=metric, sense=sense)
        if metric == Metric.ENERGY and re.search(r"carbon|emission|碳", space.text):
            assumptions.append("carbon read as the energy a request takes: it follows the energy drawn; the grid's "
                               "carbon intensity and the energy's source are not planned for")
        for other_metric, other_sense, other_position in objectives[1:]:
            if fields.joined_by_then(lexicon, space, position, other_position):
                tie_breakers.append(Objective(metric=other_metric, sense=other_sense))
                position = other_position
            else:
                warnings.append(f"more than one preference named: optimising {metric} ({sense}); "
                                f"{other_metric} ({other_sense}) was named later and is not optimised")
        for second in fields.read_second_preferences(lexicon, space):  # "cost second", "其次是功耗"
            if second.metric != objective.metric and all(t.metric != second.metric for t in tie_breakers):
                tie_breakers.append(second)
    assumptions += _defaults(result.constraints, workload, dp_asked, delta, space, lexicon)
    warnings += _contradictions(result.constraints, hardware.include, hardware.exclude)
    warnings += _thin_token_share(result.constraints, shape.concurrency, space.text)
    warnings += _names_not_held(model, hardware)
    if task == "automatic-speech-recognition" and not shape.concurrency and not sources \
            and (live := LIVE_STREAMS.search(space.masked)) is not None:
        # "transcribe 4 mic streams real time", "live captions for 30 streams": streams of speech at once
        shape.concurrency = int(live.group("n") or live.group("zh"))
        space.mark_read(live.start(), live.end())
        assumptions.append(f"'{space.text[live.start():live.end()].strip()}' read as {shape.concurrency} "
                           "streams of speech at once")
    unread = unread_warnings(lexicon, space, quantities, content_task=_reads_language(task),
                             model_named=bool(model.model_id or model.models),
                             model_params_b=_params_b(model.model_id, catalog))
    if shape.concurrency or sources:  # "5,000 employees, ~300 at once": the load is read; the population is none
        unread = [w for w in unread if USERS_NO_LOAD not in w]
    warnings += unread
    warnings += relative_warnings(space) + pipelines(space, task) + kv_format_warnings
    unmodelled = tasks_without_models(lexicon, space) if task is None or not (model.model_id or model.models) else []
    if unmodelled and task == "text-generation" and not (model.model_id or model.models):
        task = None  # "TTS for our voice agent": a task no model does, not the agent's text generation
    warnings += unmodelled
    if task is None and not unmodelled and not (model.model_id or model.models):
        warnings += unknown_tasks(space)  # "grasp detection", "CTR prediction": said, not a bare refusal
    warnings += vague_job_time_warnings(lexicon, space, any(c.metric == "job_time" for c in result.constraints))

    if task == "object-detection" and workload["kind"] == "inference":
        warnings += fields.detection_target_warnings(lexicon, space)
    if task == "image-classification" and fields.MODERATION.search(space.text):
        warnings.append("moderation of images: the catalog's image classifiers are trained on ImageNet's 1,000 "
                        "classes, not moderation labels; the planned model finds none until it is fine-tuned on "
                        "labelled examples (its speed and memory hold as planned, its accuracy does not)")
    if task in ("text-classification", "image-classification") and not (model.model_id or model.models):
        warnings += _own_categories(space, task)
    if task in IMAGE_TASKS and not model.model_id:
        warnings += fields.medical_image_warnings(lexicon, space, task, catalog)
    if task in IMAGE_TASKS and shape.prompt_tokens is not None:  # "YOLO11n at 320 input": pixels, not tokens
        warnings.append(f"'{shape.prompt_tokens} input': an input size is not planned for; each model is planned at "
                        "the input size its catalog entry gives")
        shape.prompt_tokens = None
    if shape.output_tokens is not None and shape.output_tokens > ONE_REPLY_MOST_TOKENS:
        # "generate 500M tokens of synthetic data in 3 days": the job's whole output, not one reply's
        notes, made = _tokens_in_all(shape.output_tokens, result.constraints)
        result.constraints.extend(made)
        (assumptions if made else warnings).extend(notes)
        shape.output_tokens = None
    others = _all_but(models_read.ruled_out, task, catalog, content) if not (model.model_id or model.models) else []
    if others:
        assumptions.append(f"{', '.join(models_read.ruled_out)} ruled out: planned over the catalog's other {task} "
                           "models")
    elif task == "image-segmentation" and not (model.model_id or model.models):
        others, instance_notes = _instance_segmentation(lexicon, space, catalog)
        assumptions += instance_notes
    intent = Intent(
        text=text,
        task=task,
        objective=objective,
        tie_breakers=tie_breakers,
        constraints=result.constraints,
        deployment=deployment,
        hardware=HardwareSelection(include=hardware.include, exclude=hardware.exclude,
                                   owned=[OwnedDevice(device=d, count=n) for d, n in hardware.owned],
                                   max_devices=hardware.max_devices, preferred=hardware.preferred,
                                   avoided=hardware.avoided),
        precisions=precisions,
        max_accuracy_loss=accuracy_loss,
        policies=Policies(
            watermark=watermark,
            differential_privacy=DifferentialPrivacy(epsilon=epsilon, delta=delta) if dp_asked else None,
            compliance=compliance,
        ),
        workload=Workload(model=model.model_id, models=_variants_for(model, task, catalog) or others,
                          model_as_written=model.as_written, prompt_tokens=shape.prompt_tokens,
                          output_tokens=shape.output_tokens, concurrency=shape.concurrency, steps=steps, sources=sources, languages=languages,
                          min_replicas=min_replicas, spare_replicas=spare_replicas, edge_site=edge_site,
                          content_languages=content, **layout, **workload),
        assumptions=assumptions,
        warnings=warnings,
    )
    if _is_empty(intent):
        raise IntentNotUnderstood(text, "; ".join(warnings) if warnings else NOTHING_READ)
    return intent


def _instance_segmentation(lexicon, space: Workspace, catalog: Catalog) -> tuple[list[str], list[str]]:
    """Instance segmentation asked for ("instance segmentation on the factory line", "实例分割"): the
    catalog's models that give a mask per object (a semantic model labels pixels by class, and two
    touching objects are one region); it was planned on LRASPP, a semantic model."""
    spec = lexicon["instance_segmentation"]
    found = PhraseSet({"instance": spec["words"]}).scan(space.masked)
    models = [m for m in spec["models"] if m in catalog.models]
    if not found or not models:
        return [], []
    space.mark_read(found[0].start, found[0].end)
    return models, [f"'{found[0].phrase}': planned over the catalog's instance-segmentation models ({', '.join(models)}), "
                    "a mask per object (the semantic ones label pixels by class)"]


def _params_b(model_id: str | None, catalog: Catalog) -> float | None:
    """A catalog model's parameters, in billions (None: no model, or none published)."""
    params_m = catalog.models[model_id].params_m if model_id else None
    return None if params_m is None else float(getattr(params_m, "value", params_m)) / 1000


def _of_the_task(model: ModelReading, task: str | None, catalog: Catalog) -> tuple[ModelReading, list[str]]:
    """A fine-tuned single-pass model does one task: "bert-base for sentiment" that resolves to
    bert-base-ner (named entities) is not that model; the task's models are planned instead, and
    a warning says so. A generator (an LLM) may do any text task, so it stays."""
    if model.model_id is None or task is None:
        return model, []
    entry = catalog.models[model.model_id]
    if entry.task == task or entry.kind.value != "single-pass":
        return model, []
    return ModelReading(), [f"the model named was read as the catalog's {model.model_id}, which does {entry.task}, not "
                            f"{task}; planned on the {task} models instead (name one, or add yours with 'intentctl "
                            "catalog import CONFIG.json')"]


def _family_of_the_task(model: ModelReading, task: str | None, catalog: Catalog) -> tuple[ModelReading, list[str]]:
    """A family of fine-tuned single-pass models none of which does the task named ("BERT text
    classification" where the catalog's BERTs are NER and QA models): the task's models are
    planned instead, and a warning says so, as for one model of another task."""
    if not model.models or task is None or model.model_id is not None:
        return model, []
    entries = [catalog.models[m] for m in model.models]
    if any(e.task == task for e in entries) or not all(e.kind.value == "single-pass" for e in entries):
        return model, []
    written = model.as_written or entries[0].family  # the family as named: its ids were never written
    return replace(model, models=[]), [f"'{written}': the catalog's models of that family ({', '.join(model.models)}) "
                                       f"do {', '.join(sorted({e.task for e in entries}))}, not {task}; planned on "
                                       f"the {task} models instead (add yours with 'intentctl catalog import "
                                       "CONFIG.json')"]


def _all_but(ruled_out: list[str], task: str | None, catalog: Catalog, content: list[str] | None) -> list[str]:
    """The catalog's models of ``task`` but those ruled out ("不能用Llama"), when some are; of those,
    the ones documented to read the request's ``content`` languages, as the planner keeps them
    when no model is named (a Chinese service was planned on an English-only model)."""
    if not ruled_out or task is None:
        return []
    others = [m for m in catalog.models.values() if m.task == task and m.id not in ruled_out and not m.benchmark_reference]
    reading = [m for m in others if content and m.reads is not None and all(m.reads.handles(c) for c in content)]
    return sorted(m.id for m in (reading or others))


def _variants_for(model: ModelReading, task: str | None, catalog: Catalog) -> list[str]:
    """A family's variants that do the request's task (yolov8 for segmentation: the -seg variant)."""
    if not model.models:
        return []
    fitting = [m for m in model.models if task is None or catalog.models[m].task == task]
    return fitting or model.models


#: More output tokens than any one reply holds (the longest output limits published are in the hundreds of
#: thousands): a count above it is the whole job's output.
ONE_REPLY_MOST_TOKENS = 1_000_000


def _tokens_in_all(tokens: int, constraints: list[Constraint]) -> tuple[list[str], list[Constraint]]:
    """A job's whole output in tokens: with its time, the token rate that makes it in time; without, a warning."""
    hours = next((c.value for c in constraints if c.metric == Metric.JOB_TIME and c.op == "<="), None)
    if hours is None:
        return [f"{tokens:,} output tokens is a job's whole output, not one reply's, and the request gives no time to "
                "make them in; say how long (e.g. 'within 3 days') to plan the token rate"], []
    rate = tokens / (hours * 3600)
    return [f"{tokens:,} output tokens read as the job's whole output: within {hours:g} h that is {rate:,.0f} "
            "tokens/s"], [Constraint(metric=Metric.TOKEN_THROUGHPUT, op=">=", value=rate,
                                     unit=CANONICAL_UNITS[Metric.TOKEN_THROUGHPUT], source=f"{tokens:,} tokens")]


#: Tokens a second below which a stream is slower than anyone reads: a token throughput that
#: leaves each of the concurrent users less was most likely meant as each one's speed.
SLOWEST_STREAM_TOKENS_S = 1.0


#: Words that say a rate is the whole deployment's.
TOTAL_WORDS = re.compile(r"(?<![a-z])(?:in total|total|aggregate|overall|in all|combined)(?![a-z])"
                         r"|总吞吐|总输出|总共|总计|合计|一共")


def _thin_token_share(constraints, concurrency: int | None, text: str) -> list[str]:
    """A token throughput floor (tokens/s in all, as the contract reads a speed with no per-user
    word) that gives each concurrent user less than a token a second: said, since "output speed
    at least 30 tok/s" for 200 users is more likely each one's speed."""
    floors = [c for c in constraints if c.metric == Metric.TOKEN_THROUGHPUT and c.op == ">="]
    if not floors or not concurrency or concurrency < 2 or floors[0].value / concurrency >= SLOWEST_STREAM_TOKENS_S \
            or TOTAL_WORDS.search(text):
        return []  # "at least 150 tokens/s in total": meant in all
    total = floors[0].value
    return [f"'{floors[0].source}': {total:g} tokens/s in all (no per-user word) is {total / concurrency:.2g} tokens/s "
            f"for each of {concurrency} concurrent users; if it is each user's speed, say '{total:g} tokens/s per "
            f"user' (planned as time per output token <= {1000 / total:.3g} ms)"]


def _owned_note(hardware: HardwareReading) -> list[str]:
    if not hardware.owned:
        return []
    devices = ", ".join(f"{n} x {d}" for d, n in hardware.owned)
    return [(f"devices the request says it has: {devices}; planned on those as an inventory (owned: on-prem, not "
             "priced as rented, unless the device is offered only in the cloud)")]


#: A model's name that says it reads more than text ("qwen2-vl", "llava", "qwen2.5-omni", "qwen2-audio").
MULTIMODAL_NAME = re.compile(r"(?<![a-z])(?:vl|vision|omni|video|audio|llava|vlm)(?![a-z])|-vl(?![a-z])")


def _names_not_held(model: ModelReading, hardware: HardwareReading) -> list[str]:
    """Model and device names the catalog lacks, with the closest ids."""
    out = []
    if model.as_written:
        out.append(f"'{model.as_written}': not in the model catalog"
                   + (f" (closest: {', '.join(model.closest)})" if model.closest else "")
                   + "; add it with 'intentctl catalog import CONFIG.json'")
    for written, closest in hardware.unknown:
        out.append(f"'{written}': {UNKNOWN_DEVICE}"
                   + (f" (closest: {', '.join(closest)})" if closest else "") + "; not planned on")
    return out



def _defaults(constraints: list[Constraint], workload: dict, dp_asked: bool, delta: float | None,
              space: Workspace, lexicon) -> list[str]:
    notes = []
    metrics = {c.metric for c in constraints}
    if Metric.LATENCY in metrics or Metric.TTFT in metrics or Metric.TPOT in metrics:
        percentile = fields.read_percentile(lexicon, space)
        notes.append(f"latency bounds read as {'the mean' if percentile == 'mean' else percentile or 'p99'} per request"
                     + (" (as written)" if percentile else "")
                     + ("; planned against the p99, which holds the middle too" if percentile in ("p50", "mean") else ""))
    if Metric.ENERGY in metrics:
        notes.append("energy bound read as joules per request")
    if workload["kind"] == "inference":
        notes.append("workload read as inference (no training or fine-tuning named)")
        if fields.adapters_served(space.text):
            notes.append("LoRA adapters served on the base model: planned as the base model alone (the adapters' "
                         "memory and the cost of switching between them are not modelled)")
    if dp_asked and delta is None:
        notes.append("differential privacy: no delta given; the policy layer sets it below 1/N for N records")
    return notes


def _contradictions(constraints: list[Constraint], include: list[str], exclude: list[str]) -> list[str]:
    """What cannot all hold: crossing bounds, impossible values, a selector both required and forbidden."""
    out = []
    by_key = {(c.metric, c.op): c.value for c in constraints}
    for metric in Metric:
        low, high = by_key.get((metric, ">=")), by_key.get((metric, "<="))
        if low is not None and high is not None and low > high:
            out.append(f"contradiction: {metric.value} must be at least {low:g} and at most {high:g}")
    for c in constraints:
        if c.metric == Metric.ACCURACY and not 0 <= c.value <= 1:
            out.append(f"impossible value: accuracy {c.value:g} is outside 0..1")
        elif c.metric != Metric.ACCURACY and c.value < 0:
            out.append(f"impossible value: {c.metric.value} {c.value:g} {c.unit} is negative")
    for selector in include:
        if selector in exclude:
            out.append(f"contradiction: {selector!r} is both required and forbidden")
    return out


def _is_empty(intent: Intent) -> bool:
    """Whether the request says nothing the planner reads: no task, preference, bound, hardware,
    precision, policy, workload figure ("make it 4 epochs" in a chat), regime ruled out or device
    allowed ("TPUs are ok again" in a chat)."""
    stated = intent.workload.model_dump(exclude_defaults=True)
    return not (intent.task or intent.objective or intent.constraints or intent.deployment
                or intent.hardware.model_dump(exclude_defaults=True) or intent.precisions
                or intent.policies.watermark or intent.policies.differential_privacy
                or intent.policies.compliance or stated
                or any(said in note for note in intent.assumptions
                       for said in ("read as not required", "allowed, not required")))


__all__ = ["parse_rules"]
