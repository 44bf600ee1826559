"""Defaults that stop absurd plans: a request that states no bound of its own gets documented ones.

- **Service levels**: interactive text generation with no TTFT, TPOT or latency bound (and no job
  bound: a batch job has no user waiting) is held to the levels chat users accept, the MLPerf
  Inference interactive LLM scenario's (planner/data/serving.yaml, with the source).
- **Quality floors**: with no accuracy bound and no one model named (a family's variants are
  floored too), a task's models must reach its floor (per accuracy metric, else a minimum size), so that "cheapest" does not mean
  the weakest model (a 0.5B chatbot, whisper-tiny for dictation, MiniLM-L3 for search).

Each default is a bound or a filter the plan names among its assumptions, with "set
`--no-defaults` or state your own bounds"; ``defaults=False`` (``--no-defaults``) turns them off.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from hardware import Catalog, ModelVariant
from intent.schema import (
    CANONICAL_UNITS,
    JOB_METRICS,
    NATURAL_OP,
    Constraint,
    Deployment,
    Intent,
    Metric,
    Sense,
    WorkloadKind,
)
from planner.errors import MissingTaskError
from planner.perf.factors import load_factors
from planner.perf.roofline import accuracy_metric_key, reference_accuracy
from planner.perf.serving import QualityFloor, load_serving

HOW_TO_CHANGE = "set `--no-defaults` or state your own bounds"
#: A fleet has no --no-defaults: a workload states its own bounds, or names its model.
FLEET_HOW_TO_CHANGE = "state the workload's own bounds or name its model"
#: Where a bound that the planner added comes from (Constraint.source).
DEFAULT_SOURCE = "default"
TIME_BOUNDS = (Metric.TTFT, Metric.TPOT, Metric.LATENCY)
#: How the service-level default's assumption begins (a plan that drops it drops the note too).
SERVICE_LEVEL_NOTE = "default service level for"


@dataclass(frozen=True)
class RequestDefaults:
    """The bounds and the model floor a request gets, and the assumptions that name them."""

    constraints: list[Constraint] = field(default_factory=list)
    floor: QualityFloor | None = None
    task: str | None = None
    assumptions: list[str] = field(default_factory=list)
    #: a time objective's least gain per doubling of devices (None: the lowest at any size)
    time_gain_per_doubling: float | None = None
    #: with no objective stated, the share of the lowest cost within which plans count as equal
    #: (None: the solver's own tolerance)
    objective_tolerance: float | None = None
    #: the placements planned when the request names none and nothing in it points to the edge
    #: (None: every placement a device offers)
    placements: tuple[str, ...] | None = None
    #: the request's words that name a datacenter as where it runs ("datacenter", "数据中心"), which
    #: set the placements whatever points to the edge
    datacenter_said: str | None = None
    #: precisions planned unasked only on a model whose catalog entry gives its accuracy there
    #: (``keeps_precision``); empty when the request names precisions or bounds accuracy
    unasked_precisions: tuple[str, ...] = ()

    def keeps_precision(self, model: ModelVariant, precision: str) -> bool:
        """Whether a precision passes the precision default: int4's accuracy varies from model to
        model (weight-only 4-bit quantisation loses little on some and much on others), so a
        request that names no precision and no accuracy bound gets it only on a model whose
        catalog entry gives its int4 accuracy (the planner's own drop is a bare estimate)."""
        return precision not in self.unasked_precisions or precision in model.accuracy \
            or model.released_as(precision) is not None

    def placement_note(self) -> str:
        """What the placement default says, for a plan it applied to (not one on an inventory)."""
        if self.datacenter_said is not None and self.placements == DATACENTER_PLACEMENTS:
            return (f"'{self.datacenter_said}': runs in a datacenter, so planned on datacenter devices "
                    f"({' or '.join(self.placements)}), not at the edge")
        return JOB_PLACEMENT_NOTE if self.placements == JOB_PLACEMENTS else placement_note(self.placements)

    def keeps(self, model: ModelVariant) -> bool:
        """Whether a model passes the quality floor (every model does without one)."""
        return self.floor is None or passes(model, self.floor)

    def applied(self, intent: Intent) -> Intent:
        """The intent to plan: the request's bounds and the default ones."""
        if not self.constraints:
            return intent
        return intent.model_copy(update={"constraints": [*intent.constraints, *self.constraints]})


NO_DEFAULTS = RequestDefaults()


def request_defaults(intent: Intent, catalog: Catalog, quality_waived: str | None = None,
                     latency_waived: str | None = None, lifted: frozenset = frozenset(),
                     datacenter_said: str | None = None) -> RequestDefaults:
    """The defaults a request gets: a service level and a quality floor, each when it states none.
    ``quality_waived``, the request's words that accuracy matters little ("accuracy doesn't need
    to be great"), leaves the floor out; ``latency_waived`` ("don't care about latency much")
    the service level; ``lifted``, metrics whose bounds the request lifts by name ("drop the TPOT
    requirement" in a chat), their default bounds; ``datacenter_said``, the request's words naming a
    datacenter as where it runs, keeps it off the edge; the assumptions say so."""
    if intent.workload.kind != WorkloadKind.INFERENCE or intent.task is None:
        return NO_DEFAULTS
    task = intent.task.value
    constraints, assumptions = _service_level(intent, task, lifted)
    if latency_waived and constraints:
        constraints, assumptions = [], [f"'{latency_waived}': no default service level for {task}, so the plan "
                                        "is sized for the load alone"]
    floor = None if quality_waived else _floor(intent, task)
    if quality_waived and _floor(intent, task) is not None:
        assumptions.append(f"'{quality_waived}': no default quality floor for {task}, so the least costly model of "
                           "the task that meets the rest may be planned")
    if floor is not None:
        assumptions.append(f"default quality floor for {task}: {describe_floor(floor)} ({floor.why}); "
                           f"{HOW_TO_CHANGE}")
    objective = intent.objective
    gain = time_gain_per_doubling(objective)
    tolerance = load_serving().default_objective_tolerance if objective is None else None
    placements = datacenter_placements(intent, catalog, datacenter_said is not None)
    if placements is not None and is_inference_job(intent) and _rented(intent, catalog) and datacenter_said is None:
        placements = JOB_PLACEMENTS
    asked = bool(intent.precisions) or any(c.metric == Metric.ACCURACY for c in intent.constraints)
    return RequestDefaults(constraints, floor, task, assumptions, gain, tolerance, placements, datacenter_said,
                           () if asked or quality_waived else UNASKED_PRECISIONS)


#: Precisions the precision default keeps to models whose catalog entry gives their accuracy.
UNASKED_PRECISIONS = ("int4",)


def precision_gave_way(precision: str) -> str:
    """What a plan says when the precision default gave way."""
    if precision not in UNASKED_PRECISIONS:
        return "default precision: nothing met the request without it, so it gave way"
    return (f"default precision gave way: only {precision} meets the request, so it is planned; its accuracy on "
            "this model is an estimate, so check it against the reference before serving")


def precision_note(kept_out: list[str]) -> str:
    """What the precision default left out, for the plan's assumptions."""
    shown = ", ".join(kept_out[:4]) + (f" and {len(kept_out) - 4} more" if len(kept_out) > 4 else "")
    return (f"default precision: {'/'.join(UNASKED_PRECISIONS)} not planned for {shown}, whose accuracy there the "
            f"catalog does not give (an estimate only); name the precision (e.g. 'int4' or 'AWQ') to plan it, or "
            f"{HOW_TO_CHANGE}")


def _rented(intent: Intent, catalog: Catalog) -> bool:
    """Whether some device the request allows is offered in the cloud (a CPU-only job is not: it
    stays on-prem, where it was refused as infeasible in the cloud)."""
    from planner.search.candidates import hardware_allows

    return any(not hardware_allows(d, intent, catalog) for d in catalog.devices.values()
               if any(p.value in JOB_PLACEMENTS for p in d.placements))


def is_inference_job(intent: Intent) -> bool:
    """A batch of inference with a deadline or a budget of its own ("embed 20M documents by tomorrow")."""
    objective = intent.objective
    return any(c.metric in JOB_METRICS for c in intent.constraints) or (
        objective is not None and objective.metric in JOB_METRICS)


def ceilings_of_ranges(intent: Intent) -> tuple[Intent, list[str]]:
    """A range on a metric that is better lower ("latency between 1 and 3 s", "$500-800 a month")
    is planned as its ceiling: its low end, a floor on a time or a cost, asks for no plan to be
    slower or dearer (a plan for the lowest latency sat at 1,000.6 ms to meet it). The parsed
    intent keeps both bounds, as the contract says; the plan says which it held."""
    dropped = [c for c in intent.constraints if c.op == ">=" and NATURAL_OP[c.metric] == "<="
               and any(d.op == "<=" and d.metric == c.metric and d.source == c.source and d.per_device == c.per_device
                       for d in intent.constraints)]
    if not dropped:
        return intent, []
    notes = [f"'{c.source}': a range on {c.metric.value}, planned as its upper end alone (its lower end, "
             f"{c.metric.value} >= {c.value:g} {c.unit}, asks for no plan to be slower or dearer)" for c in dropped]
    return intent.model_copy(update={"constraints": [c for c in intent.constraints if c not in dropped]}), notes


def time_gain_per_doubling(objective) -> float | None:
    """A time objective's least gain per doubling of devices (serving.yaml), else None."""
    if objective is not None and objective.sense == Sense.MINIMIZE and objective.metric in TIME_BOUNDS:
        return load_serving().min_time_gain_per_doubling
    return None


#: Where a request with no placement of its own runs: a service or a job for someone who names
#: no board runs in a datacenter or a cloud, as an expert would plan it ("embedding API at 5000
#: QPS" was planned on 6 Jetson Orin Nano, "embed 20M documents by tomorrow" on one). The edge is
#: planned when the request points to it: a power or energy bound or objective, or a device named.
DATACENTER_PLACEMENTS = ("cloud", "on-prem")
EDGE_METRICS = (Metric.POWER, Metric.ENERGY)


#: Where a job runs when the request names no place, device or devices of its own: a one-off job on
#: devices it does not own is paid for as rented (buying a server to amortise over four years for a
#: day's job is no one's plan), so in the cloud. A batch of inference with a deadline or a budget is such
#: a job too ("classify 100M images over the weekend" bought a Xeon, amortised over four years).
JOB_PLACEMENTS = ("cloud",)
JOB_PLACEMENT_NOTE = ("nothing in the request says where the job runs, names a device or devices of its own: a one-off "
                      "job on devices it does not own is planned as rented, in the cloud (without consumer parts); say "
                      "'on-prem' or name your devices ('on our 8 A100s') to plan it there")


def placement_note(placements: tuple[str, ...]) -> str:
    """What the placement default says, for a plan it applied to (not one on an inventory)."""
    return (f"nothing in the request says where it runs or points to the edge (a power or energy bound or "
            f"objective, an edge device named): planned on datacenter devices ({' or '.join(placements)}), "
            f"without consumer parts, whose licence allows no datacenter deployment; say 'at the edge' or name "
            f"a board or card to plan it, or {HOW_TO_CHANGE}")


def datacenter_placements(intent: Intent, catalog: Catalog, datacenter_named: bool = False) -> tuple[str, ...] | None:
    """The placements of a request that states none and does not point to the edge, else None. A
    device class or a vendor it requires ("cheapest GPUs", "NVIDIA only") points nowhere: a
    device or family it names does (it may be a board). A datacenter named as where it runs
    ("datacenter, at most 150 W") outweighs a power or energy wish. Inference and training jobs alike."""
    if intent.deployment is not None or names_a_device(intent, catalog):
        return None
    if datacenter_named:
        return DATACENTER_PLACEMENTS
    objective = intent.objective
    if objective is not None and objective.metric in EDGE_METRICS:
        return None
    if any(c.metric == Metric.ENERGY or (c.metric == Metric.POWER and c.value <= _edge_power_w(catalog))
           for c in intent.constraints):
        return None  # a power bound no edge device needs ("rack power under 10 kW") points nowhere
    return DATACENTER_PLACEMENTS


def _edge_power_w(catalog: Catalog) -> float:
    """The most power an edge device of the catalog draws (its TDP or highest mode)."""
    return max((d.tdp_w.value for d in catalog.devices.values()
                if d.form_factor == "edge" and d.tdp_w is not None), default=0.0)


#: The parser's note on a speed each user sees, read as a TPOT bound (intent.parser.constraints).
PER_USER_SPEED_NOTE = "tokens/s per user read as time per output token"
#: Below this many output tokens a documented request is no streamed answer (code completion's 13).
STREAMED_OUTPUT_TOKENS = 64


def streamed_answers(intent: Intent, catalog: Catalog) -> tuple[Intent, list[str]]:
    """A speed each user sees ("60 tok/s per user") asks for answers streamed to people: a model
    whose documented request is a few tokens (code completion's 1,500 in and 13 out) is planned
    with its task's answer length instead, and the assumption says so. Its 13-token requests,
    back to back from every user, made 25 developers need 18 L40S."""
    model = catalog.models.get(intent.workload.model or "")
    request = model.request if model is not None else None
    if (intent.workload.output_tokens is not None or request is None or request.output_tokens is None
            or request.output_tokens >= STREAMED_OUTPUT_TOKENS
            or not any(PER_USER_SPEED_NOTE in a for a in intent.assumptions)):
        return intent, []
    answer = load_factors().request_shape["text-generation"].output_tokens
    workload = intent.workload.model_copy(update={"output_tokens": answer})
    return intent.model_copy(update={"workload": workload}), [
        f"a speed each user sees asks for answers streamed to people: {model.id}'s documented request ({request.output_tokens} "
        f"output tokens) is no such answer, so planned at {answer} output tokens, the text-generation default; "
        "state the answer length to plan another"]


def at_the_edge_site(intent: Intent) -> tuple[Intent, list[str]]:
    """A request that names a place on the edge ("in-car", "on a drone", "battery-powered") and
    no deployment runs on an edge board there: its deployment is the edge, and the assumption
    says why (an in-car detector was planned on a 350 W server CPU)."""
    site = intent.workload.edge_site
    cloud_out = any(a.endswith("(the cloud is ruled out)") for a in intent.assumptions)  # "车载…，禁用云端"
    if site is None or (intent.deployment is not None and not (intent.deployment == Deployment.ON_PREM and cloud_out)):
        return intent, []
    return intent.model_copy(update={"deployment": Deployment.EDGE}), [
        f"'{site}': runs there, on an edge board (planned as an edge deployment; say 'in the cloud' or 'on-prem' "
        "to plan it elsewhere)"]


def names_a_device(intent: Intent, catalog) -> bool:
    """Whether the request requires a catalog device or family by name ("on a Xeon 8480+", "on an
    L4"), not only a class, a vendor or an architecture. The parser reads an architecture ("Ampere
    or newer", "Ada Lovelace GPUs") as every catalog device of it, boards and consumer cards among
    them: a named set that is whole architectures with a datacenter part among it names no board,
    so a service on it is planned in a datacenter as one with no device named would be (it was
    planned on an RTX 4090)."""
    named = {d for x in intent.hardware.include for d in _members(x, catalog)}
    return bool(named) and not _whole_architectures(named, catalog)


def _members(selector: str, catalog) -> list[str]:
    """The catalog devices a device or family id names; none for a class or a vendor."""
    if selector in catalog.devices:
        return [selector]
    if selector in catalog.families:
        return [d.id for d in catalog.devices.values() if d.family == selector]
    return []


def _whole_architectures(named: set[str], catalog) -> bool:
    """Whether ``named`` is exactly every catalog device of the architectures among it, one of
    them placed in a datacenter."""
    architectures = {catalog.devices[d].architecture for d in named}
    if None in architectures:
        return False
    names = {a.name for a in architectures}
    members = {d.id for d in catalog.devices.values() if d.architecture is not None and d.architecture.name in names}
    datacenter = any(p.value in DATACENTER_PLACEMENTS for d in named for p in catalog.devices[d].placements)
    return members == named and datacenter


def whole_load(intent: Intent) -> tuple[Intent, list[str]]:
    """A rate stated for each of several sources ("4 camera streams at 30 fps each": the intent's
    ``workload.sources``) as the load of them all: the throughput floor times the sources, and
    the assumption that says so; live audio streams of speech recognition ("200 concurrent
    calls") as the windows they bring a second; a load's ceiling as the load to serve. The intent
    is returned as it is without any."""
    intent, ceiling_notes = _load_ceiling(intent)
    if intent.task is not None and intent.task.value == "automatic-speech-recognition":
        intent, notes = _live_audio(intent)
        return intent, ceiling_notes + notes
    sources = intent.workload.sources
    rate = intent.bound(Metric.THROUGHPUT, ">=")
    if not sources or rate is None:
        return intent, ceiling_notes
    constraints = [c.model_copy(update={"value": c.value * sources, "source": f"{c.source} x {sources}"})
                   if c.metric == Metric.THROUGHPUT and c.op == ">=" else c for c in intent.constraints]
    note = (f"{sources} sources at {rate:g} requests/s each: planned for {rate * sources:g} requests/s in all "
            "(the rate stated times the sources)")
    return intent.model_copy(update={"constraints": constraints}), ceiling_notes + [note]


#: Rates a request states as its load: a ceiling on one is the most load to serve, not a cap on capacity.
LOAD_RATES = (Metric.THROUGHPUT, Metric.TOKEN_THROUGHPUT)


def _load_ceiling(intent: Intent) -> tuple[Intent, list[str]]:
    """A load given as a range or a ceiling ("10-20 req/s", "up to 20 requests per second") is
    served at its upper end: the plan must keep up with the most that comes, and a cap on its
    capacity would only make it fall behind (the range planned 12.6 req/s). The floor below it
    goes, since the ceiling holds it."""
    ceilings = {c.metric: c for c in intent.constraints if c.metric in LOAD_RATES and c.op == "<="
                and not is_default(c)}
    if not ceilings:
        return intent, []
    constraints = [c for c in intent.constraints if c.metric not in ceilings]
    notes = []
    for metric, c in ceilings.items():
        constraints.append(c.model_copy(update={"op": ">="}))
        unit = f" {c.unit}" if c.unit else ""
        notes.append(f"'{c.source or c.value}': a load of at most {c.value:g}{unit} is planned for its upper end "
                     "(the capacity to serve all of it), not as a cap on the plan's capacity")
    return intent.model_copy(update={"constraints": constraints}), notes


def _live_audio(intent: Intent) -> tuple[Intent, list[str]]:
    """N concurrent audio streams bring N windows every window's seconds: that rate (unless the
    request states one), and no N windows in flight at once. A latency bound shorter than the
    window (live captions "under 1 s") is a pass over each stream's window every that many
    seconds: streaming recognition re-runs the model on the buffered window as each chunk of
    audio comes (serving.yaml live_audio_window_s), so the rate is N over the bound."""
    streams = intent.workload.concurrency
    if not streams or intent.bound(Metric.THROUGHPUT, ">=") is not None:
        return intent, []
    window = load_serving().live_audio_window_s
    latency_ms = intent.bound(Metric.LATENCY, "<=")
    interval = window if latency_ms is None else min(window, latency_ms / 1000)
    rate = streams / interval
    bound = Constraint(metric=Metric.THROUGHPUT, op=">=", value=rate, unit=CANONICAL_UNITS[Metric.THROUGHPUT],
                       source=f"{streams} concurrent streams")
    workload = intent.workload.model_copy(update={"concurrency": None})
    if _recorded(intent.text, load_serving().recorded_audio_words):
        note = (f"{streams} recordings in flight, each transcribed within {interval:g} s: {rate:.3g} recordings a "
                f"second by Little's law, each taken as one {window:g}-s window (Whisper's); state the recordings' "
                "length if they are longer")
    elif interval < window:
        note = (f"{streams} live audio streams, each transcribed within {interval:g} s: a pass over each stream's "
                f"buffered {window:g}-s window every {interval:g} s, as streaming recognition re-runs the model as "
                f"audio comes; planned for {rate:.3g} windows a second (Whisper's window)")
    else:
        note = (f"{streams} live audio streams bring a {window:g}-s window each every {window:g} s: planned for "
                f"{rate:.3g} windows a second, not {streams} windows in flight at once (Whisper's window)")
    return intent.model_copy(update={"constraints": [*intent.constraints, bound], "workload": workload}), [note]


#: Tasks whose input is no text or speech in a language (translation reads its direction apart).
LANGUAGE_FREE_TASKS = ("translation", "text-to-image", "image-classification", "object-detection", "image-segmentation")
#: Chinese characters: a request written in them.
CJK = re.compile(r"[\u4e00-\u9fff]")


def _named_model_language(model_ids: list[str], catalog) -> list[str]:
    """A request written in Chinese that names a model documented for other languages only
    ("2亿条文档用bge-large做embedding": English bge-large-en): planned as named, and warned about.
    A name with several variants ("llama 70b") is warned about when none of them is documented for
    Chinese, naming them all (it had named the first, llama-2-70b, of a plan on llama-3.3-70b)."""
    models = [catalog.models[m] for m in model_ids if m in catalog.models]
    if not models or any(m.reads is None or m.reads.handles("zh") for m in models):
        return []
    codes = sorted({c for m in models for c in m.reads.codes})
    names = ", ".join(m.id for m in models)
    whose = "whose documentation gives" if len(models) == 1 else "whose documentation each gives"
    return [f"the request is written in Chinese and names {names}, {whose} {', '.join(codes)} only: it is planned as "
            "named, but may not read Chinese text; name a model documented for Chinese, or say the text's language "
            "(e.g. 'English documents')"]


def written_language(intent: Intent, catalog) -> tuple[Intent, list[str], list[str]]:
    """A request written in Chinese that names no model and no language of its text or speech
    ("100路并发的录音转写") is planned for Chinese content when the catalog holds a model of the
    task documented to handle it: an English-only model (Distil-Whisper small.en was planned)
    would be a wrong plan. Without one, the plan stays on the others and says so. The intent is
    returned as it is otherwise. Returns the intent, assumptions and warnings (a plan whose model
    may not read the request's language is warned about). A chat's follow-ups are the conversation's
    language, not the content's: the request's own words decide."""
    w = intent.workload
    if (intent.task is not None and intent.task.value not in LANGUAGE_FREE_TASKS and (w.model or w.models)
            and not w.content_languages and CJK.search(intent.first_text)):
        reads_zh = [m for m in w.models if m in catalog.models and catalog.models[m].reads is not None
                    and catalog.models[m].reads.handles("zh")]
        if not w.model and reads_zh and len(reads_zh) < len(w.models):
            # "跑个7B的模型" in Chinese: of the 7B models, those documented for Chinese (Llama 3.1 8B had been planned)
            narrowed = intent.model_copy(update={"workload": w.model_copy(update={"models": reads_zh})})
            return narrowed, [f"the request is written in Chinese: of the models it names, planned on those documented "
                              f"to handle Chinese ({', '.join(reads_zh)}); name one to plan on it"], []
        return intent, [], _named_model_language([w.model] if w.model else list(w.models), catalog)
    if (intent.task is not None and intent.task.value == "automatic-speech-recognition" and not w.model
            and not w.models and not w.content_languages and not CJK.search(intent.first_text)):
        # "batch-transcribe 2,000 hrs of podcasts": an English-only model may be planned, which is said
        return intent, ["the request names no language of its speech: planned for English, the request's own, so "
                        "English-only models (distil-whisper *-en) may be planned; say the language (e.g. 'Spanish "
                        "audio', 'multilingual') to plan for another"], []
    if (intent.task is None or intent.task.value in LANGUAGE_FREE_TASKS or w.model or w.models
            or w.content_languages or not CJK.search(intent.first_text)):
        return intent, [], []
    if not any(m.reads is not None and m.reads.handles("zh") for m in catalog.models_for(intent.task.value)):
        return intent, [], [f"the request is written in Chinese and names no language of its text or speech; no "
                            f"{intent.task.value} model in the catalog is documented to handle Chinese, so the plan's "
                            "model may not read it: add one with 'intentctl catalog import CONFIG.json' or name one"]
    workload = w.model_copy(update={"content_languages": ["zh"]})
    return intent.model_copy(update={"workload": workload}), [
        "the request is written in Chinese and names no language of its text or speech: planned for Chinese, on "
        "models documented to handle it; say the language (e.g. 'English audio') to plan for another"], []


def _recorded(text: str, words: list[str]) -> bool:
    """Whether the request's audio is recordings ("call recordings", "录音"), not live streams."""
    lowered = text.lower()
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", lowered) for w in words)


def fleet_defaults(intent: Intent, catalog, quality_waived: str | None = None,
                   latency_waived: str | None = None) -> tuple[Intent, list[str]]:
    """A fleet workload with the defaults a single request gets that a fleet can take: its
    service level (as bounds) and its quality floor (its models narrowed to those the floor
    keeps, unless ``quality_waived``: the request's words that accuracy matters little); the
    placement default is the inventory's. Returns the intent and what was assumed (a fleet
    planned Whisper tiny for clinical dictation and MiniLM-L3 for search)."""
    # The defaults are the request's as written, as a single plan's are: a camera's frame rate,
    # summed over its cameras by whole_load, is no camera's (10 cameras at 15 fps lost their
    # 133 ms default and were planned at a p99 of 6.2 s).
    if intent.workload.kind != WorkloadKind.INFERENCE:  # a training job: its floor alone
        floor, assumptions = training_floor(intent, quality_waived)
        defaults = RequestDefaults(floor=floor, task=intent.task.value if floor else None, assumptions=assumptions)
    else:
        defaults = request_defaults(intent, catalog, quality_waived, latency_waived)
    intent, load_notes = whole_load(intent)
    intent, range_notes = ceilings_of_ranges(intent)
    load_notes += range_notes
    if defaults.floor is not None:
        models = [catalog.model(m) for m in intent.workload.models] or catalog.models_for(intent.task.value)
        kept = [m.id for m in floored(models, defaults.floor, defaults.task)]
        if len(kept) < len(models):
            workload = intent.workload.model_copy(update={"models": kept})
            intent = intent.model_copy(update={"workload": workload})
    notes = load_notes + [a.replace(HOW_TO_CHANGE, FLEET_HOW_TO_CHANGE) for a in defaults.assumptions]
    return defaults.applied(intent), notes


def floored(models: list[ModelVariant], floor: QualityFloor, task: str) -> list[ModelVariant]:
    """The models that reach ``floor``; refused, as a single request is, when none does."""
    kept = [m for m in models if passes(m, floor)]
    if not kept:
        raise MissingTaskError(f"no {task} model in the catalog reaches the default quality floor "
                               f"({describe_floor(floor)}); name a model or state an accuracy bound")
    return kept


def worth_their_devices(rows: list, constraints: list[Constraint], concurrency: int | None, settings,
                        metric: str, gain: float) -> tuple[list, str | None]:
    """The rows whose deployment is no larger than a time objective's devices are worth: starting
    from the fewest devices, a larger deployment is taken only when it cuts the best ``metric`` by
    at least ``gain`` per doubling of devices (planner/data/serving.yaml). ``settings`` (SolverSettings)
    gives the most and fewest replicas. Returns the rows kept and the assumption that says what was
    given up (None when nothing was)."""
    from planner.solve.chooser import devices_per_replica, replicas_needed, value

    sizes = [devices_per_replica(r) * replicas_needed(r, constraints, settings.max_replicas, concurrency,
                                                      settings.min_replicas, settings.spare_replicas) for r in rows]
    times = [value(r, metric) for r in rows]
    best: dict[int, float] = {}
    for n, t in zip(sizes, times):
        if t is not None:
            best[n] = min(t, best.get(n, math.inf))
    if not best:
        return rows, None
    counts = sorted(best)
    within = dict(zip(counts, np.minimum.accumulate([best[n] for n in counts])))  # the best on at most n devices
    chosen = counts[0]
    for n in counts[1:]:
        if within[chosen] / within[n] - 1 >= gain * math.log2(n / chosen):
            chosen = n
    if within[chosen] <= within[counts[-1]]:
        return rows, None
    fastest = min(n for n in counts if within[n] <= within[counts[-1]])
    note = (f"lowest {metric}: a deployment with more devices is taken only when it cuts {metric} by at least "
            f"{gain:.0%} per doubling of its devices; the lowest, {within[fastest]:.4g} ms, takes {fastest} devices, "
            f"{within[chosen]:.4g} ms takes {chosen}; {HOW_TO_CHANGE}")
    return [r for r, n in zip(rows, sizes) if n <= chosen], note


def _service_level(intent: Intent, task: str, lifted: frozenset = frozenset()) -> tuple[list[Constraint], list[str]]:
    """The task's default bounds, each one whose own time the request leaves unstated: "TTFT
    under 300 ms" keeps the default TPOT (else a chat at 6 tokens/s per user passed); a stated
    whole-request latency or a job bound takes them all away, and a bound the request lifts by
    name ("drop the TPOT requirement") its own."""
    slo = _level(task, intent.workload.prompt_tokens, intent.bound(Metric.TPOT, "<="))
    stated = {c.metric for c in intent.constraints}
    if slo is None and Metric.LATENCY not in stated and task in VISION_TASKS:
        return _camera_level(intent)
    if slo is None or Metric.LATENCY in stated or stated & JOB_METRICS:
        return [], []
    if _asks_most_throughput(intent):  # said, not dropped without a word (a chat at a 51.5 ms TPOT)
        return [], [(f"no default service level for {task}: the request maximises throughput, which asks what the "
                     "devices do flat out (MLPerf's Offline scenario), with no user waiting on a reply; state TTFT or "
                     "TPOT bounds to hold them")]
    levels = [(m, v) for m, v in slo.bounds() if Metric(m) not in stated | lifted]
    gone = [m.upper() for m, _ in slo.bounds() if Metric(m) in lifted and Metric(m) not in stated]
    lifted_note = [f"no default {' or '.join(gone)} bound: the request lifts it"] if gone else []
    if not levels:
        return [], lifted_note
    bounds = [Constraint(metric=Metric(m), op="<=", value=v, unit=CANONICAL_UNITS[Metric(m)], source=DEFAULT_SOURCE)
              for m, v in levels]
    described = " and ".join(f"{'latency' if m == 'latency' else m.upper()} <= {v:g} ms" for m, v in levels)
    kept = " (the request states the rest)" if len(levels) < len(slo.bounds()) else ""
    kind = "" if slo is load_serving().slo.get(f"{task}-server") else "interactive "
    note = f"{SERVICE_LEVEL_NOTE} {kind}{task}: {described}{kept}, {slo.what} ({slo.source}); {HOW_TO_CHANGE}"
    return bounds, [note, *lifted_note]


VISION_TASKS = ("image-classification", "object-detection", "image-segmentation")
#: What says a rate is frames: "30 fps", "30 frames per second", "每路25帧".
FRAME_WORDS = ("fps", "frame", "帧")


def camera_rate(intent: Intent) -> float | None:
    """The frame rate of one camera when the request's rate is cameras' frames ("30 fps", "每路25
    帧": a frame rate of at most camera_stream.max_fps a camera, serving.yaml), else None (a pooled
    rate such as "1000 fps" is no camera's). Frames come evenly spaced, not at random. Read from
    the request as written, before ``whole_load`` sums its sources."""
    if intent.task is None or intent.task.value not in VISION_TASKS:
        return None
    rate = next((c for c in intent.constraints if c.metric == Metric.THROUGHPUT and c.op == ">="), None)
    if rate is None or rate.value <= 0 or not any(w in (rate.source or "").lower() for w in FRAME_WORDS):
        return None
    return rate.value if rate.value <= load_serving().camera_stream["max_fps"] else None


def camera_stream(intent: Intent) -> bool:
    """Whether the request's frames come from cameras (evenly spaced): ``camera_rate``."""
    return camera_rate(intent) is not None


def _camera_level(intent: Intent) -> tuple[list[Constraint], list[str]]:
    """A camera stream's default: p99 latency within camera_stream.frame_intervals of its frame
    interval (serving.yaml)."""
    fps = camera_rate(intent)
    if fps is None:
        return [], []
    budget = load_serving().camera_stream["frame_intervals"] * 1000.0 / fps
    bound = Constraint(metric=Metric.LATENCY, op="<=", value=budget, unit="ms", source=DEFAULT_SOURCE)
    intervals = load_serving().camera_stream["frame_intervals"]
    note = (f"{SERVICE_LEVEL_NOTE} a camera stream at {fps:g} fps: latency <= {budget:.3g} ms, {intervals:g} frame "
            f"interval{'s' if intervals != 1 else ''}, so frames never fall behind (planner/data/serving.yaml "
            f"camera_stream; frames come evenly spaced, so none queues while the plan keeps up); {HOW_TO_CHANGE}")
    return [bound], [note]


def _asks_most_throughput(intent: Intent) -> bool:
    """A rate objective ("max throughput on one L4") asks what the devices do flat out, as MLPerf's
    Offline scenario measures it: no user waits on a reply, so no interactive level is added (it
    capped Llama 3.1 8B on an L4 at batch 4 and 103 tokens/s)."""
    objective = intent.objective
    return objective is not None and objective.sense == Sense.MAXIMIZE and \
        objective.metric in (Metric.THROUGHPUT, Metric.TOKEN_THROUGHPUT)


def _level(task: str, prompt_tokens: int | None, tpot_ms: float | None = None):
    """The task's default level; a long-context one ("<task>-long") for prompts longer than it says;
    a server one ("<task>-server") when the request's own TPOT (``tpot_ms``) is slower than the
    level's and the server level's TTFT is the looser: that request is no interactive chat."""
    levels = load_serving().slo
    long = levels.get(f"{task}-long")
    level = levels.get(task)
    if long is not None and prompt_tokens is not None and prompt_tokens > (long.above_prompt_tokens or 0):
        level = long
    server = levels.get(f"{task}-server")
    if (server is not None and level is not None and tpot_ms is not None and level.tpot_ms is not None
            and tpot_ms > level.tpot_ms and (server.ttft_ms or 0) > (level.ttft_ms or 0)):
        return server
    return level


def _floor(intent: Intent, task: str) -> QualityFloor | None:
    w = intent.workload
    if w.model or any(c.metric == Metric.ACCURACY for c in intent.constraints) or _each_named(intent):
        return None
    return load_serving().quality_floors.get(task)


def _each_named(intent: Intent) -> bool:
    """Whether every model the request allows is named in its words ("whisper-tiny or whisper-base"):
    alternatives chosen by name, which no default floor overrides (a family named, "a llama model",
    names none of its variants)."""
    said = re.sub(r"[\s_-]+", "", intent.text.lower())
    return bool(intent.workload.models) and all(re.sub(r"[\s_-]+", "", m) in said for m in intent.workload.models)


def training_floor(intent: Intent, quality_waived: str | None = None) -> tuple[QualityFloor | None, list[str]]:
    """A training job's quality floor on the models it may train, with its assumption: the
    inference floor of its task when it names no model, family or size and no accuracy bound, so that the
    cheapest job does not train a model from before the benchmarks ("train an image classifier on
    ImageNet" trained SqueezeNet 1.1, 58% top-1). ``quality_waived`` leaves it out, as for a service."""
    if intent.task is None or intent.workload.models:  # a family or a size named is the request's choice
        return None, []
    task = intent.task.value
    floor = _floor(intent, task)
    if floor is None:
        return None, []
    if quality_waived:
        return None, [f"'{quality_waived}': no default quality floor for {task}, so the least costly model of the "
                      "task that meets the rest may be trained"]
    return floor, [f"default quality floor for {task}: {describe_floor(floor)} ({floor.why}); {HOW_TO_CHANGE}"]


def text_generation_floor(intent: Intent) -> QualityFloor | None:
    """The text generators' default quality floor, for a task planned on them (a summarization no
    summariser reads)."""
    return _floor(intent, "text-generation")


def passes(model: ModelVariant, floor: QualityFloor) -> bool:
    """A model with a published figure on a floored metric must reach it; any other must have at
    least the floor's parameters."""
    minimum = floor.minimums().get(accuracy_metric_key(model) or "")
    accuracy = reference_accuracy(model)
    if minimum is not None and accuracy is not None:
        return accuracy >= minimum - 1e-9
    return model.params_m is not None and model.params_m.value >= floor.min_params_m


def describe_floor(floor: QualityFloor) -> str:
    # the catalog keeps a word error rate as 1 - WER, so that higher is better on every metric
    levels = ", ".join(f"WER <= {(1 - value) * 100:g}%" if name == "WER" else f"{name} >= {value * 100:g}%"
                       for name, value in floor.minimums().items())
    size = f"{floor.min_params_m / 1000:g}B" if floor.min_params_m >= 1000 else f"{floor.min_params_m:g}M"
    return f"{levels}, or at least {size} parameters where none is published"


def floor_note(defaults: RequestDefaults, dropped: list[str]) -> str:
    """What the floor left out, for the plan's assumptions."""
    shown = ", ".join(dropped[:6]) + (f" and {len(dropped) - 6} more" if len(dropped) > 6 else "")
    return f"the {defaults.task} quality floor left out {shown}; {HOW_TO_CHANGE}"


def is_default(c: Constraint) -> bool:
    return c.source == DEFAULT_SOURCE
