"""The agent: request -> Intent -> policies -> CP-SAT plan -> policy sections -> ExecutionPlan."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hardware import Catalog, Inventory
from intent.batch import cheapest_job, device_memory_floor, job_time_note, soonest_done
from intent.chat_merge import lifted_by_name
from intent.errors import UNKNOWN_DEVICE, ImpossibleValue, UnknownDevice, UnknownModel
from intent.schema import JOB_METRICS, Deployment, Intent, Metric, Task, WorkloadKind
from intent.settings import Settings
from intent.steps import plan_steps
from planner.defaults import NO_DEFAULTS
from planner.errors import InfeasibleError
from planner.plan import ExecutionPlan
from planner.single import plan_intent
from planner.solve.budget import TimeBudget
from planner.solve.chooser import SolverSettings

COMPLIANCE_NAMES = ("hipaa", "gdpr", "pci-dss", "soc2")


def _solver(settings: Settings) -> SolverSettings:
    """The solver settings of one plan: its time limit bounds the whole plan's solving (see planner.solve.budget)."""
    return SolverSettings(time_limit_s=settings.solver_time_limit_s, seed=settings.solver_seed,
                          budget=TimeBudget(settings.solver_time_limit_s),
                          objective_tolerance=settings.objective_tolerance)


def _with_compliance_cost(sections, intent: Intent, catalog: Catalog, solver: SolverSettings, effects,
                          inventory, result, defaults=None) -> list:
    """What the compliance regimes cost: the plan against the same request without them."""
    if solver.skip("compliance comparison (the plan without the regimes)"):
        return sections
    free = intent.model_copy(update={"policies": intent.policies.model_copy(update={"compliance": []})})
    try:
        # the same rules but the regimes' (with none, consumer cards the datacenter default keeps out were compared)
        baseline = plan_intent(free, catalog, effects.placement_rules(regimes=False), solver, effects.added_latency,
                               inventory, alternatives=0, defaults=defaults or NO_DEFAULTS)
    except InfeasibleError:
        return sections
    ours, theirs = result.metrics, baseline.metrics

    def delta(a, b):
        return None if a is None or b is None else round(a - b, 6)

    cost = {"vs_without_compliance": (f"{baseline.choice.model_id} on {baseline.choice.device_id} "
                                      f"({baseline.choice.placement})"),
            "cost_delta_usd_per_hour": delta(ours.cost_usd_per_hour, theirs.cost_usd_per_hour),
            "latency_delta_ms": delta(ours.latency_ms, theirs.latency_ms),
            "power_delta_w": delta(ours.power_w, theirs.power_w)}
    if (baseline.choice.device_id, baseline.choice.replicas, baseline.choice.model_id, baseline.choice.precision) == \
            (result.choice.device_id, result.choice.replicas, result.choice.model_id, result.choice.precision):
        cost["vs_without_compliance"] = "the same plan: the regimes change where and how it runs, not what it uses"
    return [s.model_copy(update={"parameters": {**s.parameters, **cost}}) if s.name in COMPLIANCE_NAMES else s
            for s in sections]


#: What a training plan's accuracy is: the catalog's figure for the model's published weights,
#: which a job of another recipe, epochs or data does not promise (ResNet-50's 80.9% is torchvision's
#: 600-epoch recipe; the classic 90 epochs reach about 76%).
TRAINED_ACCURACY = ("catalog (the model's published weights; not a prediction for this job, whose recipe, epochs "
                    "and data decide what it reaches)")


def _training_plan(intent: Intent, catalog: Catalog, settings: Settings, inventory, effects,
                   defaults: bool = True) -> ExecutionPlan:
    """A training or fine-tuning job: device, count and precision by CP-SAT; DP-SGD when asked;
    with ``defaults``, the task's quality floor on the models it may train."""
    import policies
    from planner.defaults import JOB_PLACEMENT_NOTE, JOB_PLACEMENTS, datacenter_placements, training_floor
    from planner.jobs import (
        OWNED_JOB_NOTE,
        RENTED_MOST,
        RENTED_MOST_FOR_A_DEADLINE,
        choose,
        scale_out_note,
        setup,
        steps_of,
        training_rows,
        unplanned_bounds,
    )
    from planner.perf.factors import load_factors, training_runtime_for
    from planner.plan import Choice, Metrics, SolverReport, TrainingJob

    factors = load_factors()
    job = setup(intent, factors, training_method(intent))
    solver = _solver(settings)
    floor, floor_notes = training_floor(intent, quality_waived(intent)) if defaults else (None, [])
    if floor_notes:
        intent = intent.model_copy(update={"assumptions": [*intent.assumptions, *floor_notes]})
    placements = JOB_PLACEMENTS if defaults and inventory is None and datacenter_placements(intent, catalog) else None
    if placements:
        intent = intent.model_copy(update={"assumptions": [*intent.assumptions, JOB_PLACEMENT_NOTE]})
    rows = training_rows(intent, catalog, effects.placement_rules(), job, inventory, factors, floor, placements)
    scaled_out = []
    try:
        try:
            row, status, objective, value = choose(rows, intent, solver)
        except InfeasibleError as exc:
            if not any(c.constraint.metric == Metric.JOB_TIME for c in exc.report.conflicts) or inventory is not None \
                    or intent.hardware.max_devices is not None:
                raise
            # a deadline 64 rented devices cannot meet: the fewest more that do (a job's cost barely
            # changes with its devices, so the job time would take all it was allowed)
            most = RENTED_MOST
            while True:
                most *= 2
                if most > RENTED_MOST_FOR_A_DEADLINE:
                    raise exc  # the refusal at the usual most (its best reachable values)
                rows = training_rows(intent, catalog, effects.placement_rules(), job, inventory, factors, floor,
                                     placements, rented_most=most)
                try:
                    row, status, objective, value = choose(rows, intent, solver)
                    break
                except InfeasibleError:
                    continue
            scaled_out = [f"the deadline needs more than {RENTED_MOST} rented devices (the most planned otherwise, "
                          f"since a job's cost barely changes with its devices): planned on {row.devices}"]
    except InfeasibleError as exc:  # the job's defaults (epochs, batch) decide what is reachable: say them
        defaults_said = [a for a in job.assumptions if "none named" in a or "none stated" in a]
        fastest = min(rows, key=lambda r: r.hours, default=None)  # and the network's scaling, when it decides
        scaling = scale_out_note(fastest, factors) if fastest is not None else []
        exc.report = exc.report.model_copy(update={"notes": exc.report.notes + defaults_said + scaling})
        raise
    steps = steps_of(job)
    sections = policies.sections(intent.model_copy(update={"policies": intent.policies.model_copy(
        update={"differential_privacy": None})}), effects, row.device, row.placement, row.model.id)
    if job.dp:
        sections.append(policies.dp_sgd_section(intent, job.records, job.batch_size, steps, effects))
    trainer = training_runtime_for(row.device).runtime
    if job.method != "full":
        trainer += f" and PEFT ({'QLoRA, bitsandbytes 4-bit' if job.method == 'qlora' else 'LoRA'})"
    if row.sharded:
        trainer = trainer.replace("DistributedDataParallel", "FullyShardedDataParallel (ZeRO-3 sharding)")
    runtime = f"{trainer} and Opacus (DP-SGD)" if job.dp else trainer
    choice = Choice(model_id=row.model.id, device_id=row.device.id, device_name=row.device.title,
                    precision=row.precision, batch_size=row.batch_size, replicas=row.devices, placement=row.placement,
                    runtime=runtime, serving="training job")
    step_s = row.batch_size / row.samples_per_s
    metrics = Metrics(latency_ms=step_s * 1000, throughput_rps=row.samples_per_s, power_w=row.power_w,
                      energy_j=None if row.power_w is None else row.power_w / row.samples_per_s,
                      memory_gb=row.memory_gb, cost_usd_per_hour=row.cost_per_hour, accuracy=row.accuracy,
                      bound_by="compute", provenance={"latency_ms": "model (time per training step)",
                                                      "throughput_rps": "model (samples per second)",
                                                      **({"accuracy": TRAINED_ACCURACY} if row.accuracy is not None
                                                         else {})})
    plan_job = TrainingJob(records=job.records, epochs=job.epochs, batch_size=job.batch_size, steps=steps,
                           samples=row.samples, devices=row.devices, hours=row.hours, cost_usd=row.job_cost_usd,
                           energy_kwh=row.energy_kwh, differential_privacy=job.dp, method=job.method,
                           sharded=row.sharded,
                           tokens_per_sample=job.tokens_per_sample if row.model.kind.value == "autoregressive" else None)
    why = [f"objective: {objective}", f"{row.hours:.2f} h on {row.devices} x {row.device.id} in {row.precision}"
           + (f", ${row.job_cost_usd:,.2f} in all" if row.job_cost_usd is not None else "")]
    plan_steps = [f"Provision {row.devices} x {choice.device_name} ({row.placement}).",
                  f"Train {row.model.id} in mixed {row.precision} with "
                  f"{'fully sharded data parallelism (each device holds 1/' + str(row.devices) + ' of the training state)' if row.sharded else 'data parallelism'}"
                  f" over {row.devices} device(s): "
                  f"batch {job.batch_size}, {job.epochs} epoch{'s' if job.epochs != 1 else ''}, {steps} steps."]
    plan_steps += [f"[{s.name}] {step}" for s in sections for step in s.steps]
    plan_steps.append("Checkpoint every epoch; evaluate on a held-out set before release.")
    report = SolverReport(status=status, objective=objective, objective_value=value, tie_breakers=["job time", "energy"],
                          candidates=len(rows), time_limit_s=solver.time_limit_s, seed=solver.seed, workers=solver.workers)
    return ExecutionPlan(
        intent=intent, choice=choice, metrics=metrics, objective_default=intent.objective is None, constraints=[],
        why=why, alternatives=[], assumptions=list(intent.assumptions) + job.assumptions + effects.assumptions
        + ([OWNED_JOB_NOTE] if intent.objective is None and intent.hardware.owned else []) + scale_out_note(row, factors)
        + scaled_out,
        warnings=list(intent.warnings) + unplanned_bounds(intent), policies=sections, steps=plan_steps, solver=report,
        job=plan_job,
        catalog_hash=catalog.digest, policy_hash=effects.policy_hash)


#: A ceiling above this (in the metric's canonical unit) limits nothing any plan could reach.
LIMITS_NOTHING = 1e15


def refuse_unplannable(intent: Intent, catalog: Catalog, inventory=None) -> None:
    """Refuse what no plan can honour, before planning: a negative bound, an accuracy outside
    0..1, a ceiling so large it limits nothing, a request whose only model is one the catalog
    lacks, or whose only hardware is (planning on another instead would answer another question)."""
    for c in intent.constraints:
        quoted = c.source or c.describe()
        if c.value < 0:
            raise ImpossibleValue(intent.text, quoted, f"{c.metric.value} cannot be negative")
        if c.metric == Metric.ACCURACY and c.value > 1:
            raise ImpossibleValue(intent.text, quoted, "accuracy cannot be above 100%")
        if c.op == "<=" and c.value > LIMITS_NOTHING:
            raise ImpossibleValue(intent.text, quoted, f"a ceiling of {c.value:g} {c.unit} limits nothing")
    unknown = [w for w in intent.warnings if UNKNOWN_DEVICE in w]
    if unknown and not intent.hardware.include and not intent.hardware.owned and inventory is None:
        raise UnknownDevice(intent.text, [w.replace("; not planned on", "") for w in unknown])
    w = intent.workload
    if w.model_as_written and not w.model and not w.models and not _names_a_task(intent.text):
        from hardware.names import suggest_models

        closest = suggest_models(w.model_as_written, catalog, 3, intent.task.value if intent.task else None)
        raise UnknownModel(intent.text, w.model_as_written, closest)


def _names_a_task(text: str) -> bool:
    """True when the words name a task by themselves, not only through a model's name."""
    from intent.parser.fields import read_task
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import Workspace, normalise

    lexicon = load_lexicon()
    return read_task(lexicon, Workspace(normalise(text, lexicon))) is not None


def offline_tasks(intent: Intent, catalog: Catalog) -> tuple[str, ...]:
    """The task the offline rules read in the intent's text, when they read one: an organisation
    rule scoped to a task applies when either reading gives it (a model that relabels
    "summarize tickets" as question answering does not escape a rule on summarization)."""
    from intent.errors import IntentError
    from intent.parser import parse_rules

    try:
        task = parse_rules(intent.text, catalog).task if intent.text.strip() else None
    except IntentError:
        return ()
    return (task.value,) if task is not None and task != intent.task else ()


def build_plan(intent: Intent, catalog: Catalog, settings: Settings, inventory: Inventory | None = None,
               alternatives: int = 3, organisation=None, pareto: bool = False, defaults: bool = True) -> ExecutionPlan:
    """Plan an Intent; raises InfeasibleError, MissingTaskError or PolicyError with a clear message,
    and ImpossibleValue or UnknownModel for what no plan can honour. An infeasible request's
    report carries the parser's warnings (crossing bounds), which often say why better than the
    conflict does. ``defaults`` adds the documented bounds a request leaves unstated
    (planner.defaults: service levels, quality floors), each named in the plan."""
    intent, measured = _task_from_measures(intent)
    refuse_unplannable(intent, catalog, inventory)
    given = inventory  # a relaxed request is planned again from what was given, owned devices read again
    inventory, notes = _with_owned(intent, catalog, inventory)
    asked, (intent, first) = intent, _preferred_first(intent)
    try:
        result = _build_plan(intent, catalog, settings, inventory, alternatives, organisation, pareto, defaults)
    except InfeasibleError as exc:
        exc.report = exc.report.model_copy(update={"notes": list(intent.warnings) + exc.report.notes})
        for relax in (_without_wishes, _without_preferred, _without_avoided):  # only wished for: gives way
            relaxed = relax(asked)
            if relaxed is not None:
                result = build_plan(relaxed.intent, catalog, settings, given, alternatives, organisation, pareto,
                                    defaults)
                return result.model_copy(update={"warnings": [f"{relaxed.said} ({exc}); {relaxed.instead}"]
                                                 + result.warnings})
        raise
    gave_way = _preference_given_way(asked, result, catalog, settings, given, alternatives, organisation, pareto,
                                     defaults)
    if gave_way is not None:
        return gave_way
    assumptions, warnings = notes
    assumptions = measured + first + assumptions
    device = catalog.device(result.choice.device_id)
    warnings = warnings + _licence_warnings(intent, device) + _host_power_warnings(intent, device, result)
    assumptions = assumptions + _consumer_notes(intent, device, inventory)
    owned = {d.id: d.total_slots for d in inventory.devices} if inventory is not None else {}
    kept, met = _runtimes_met(result.warnings, result.choice.runtime)
    return result.model_copy(update={"assumptions": result.assumptions + assumptions + met, "inventory": owned,
                                     "warnings": kept + warnings,
                                     "cost": plan_cost_terms(result, catalog, inventory)})


#: Bounds only a text generator has: a request with one and no task is planned as text generation.
TEXT_GENERATOR_METRICS = (Metric.TTFT, Metric.TPOT, Metric.TOKEN_THROUGHPUT, Metric.TOKEN_COST)


#: The parser's warning on a task no catalog model does (intent.parser.unread.tasks_without_models).
TASK_WITHOUT_MODELS = "no model in the catalog does this task"


def _task_from_measures(intent: Intent) -> tuple[Intent, list[str]]:
    """A request with no task whose bounds only a text generator has ("ttft < 200ms, tpot under
    25 ms" beside a model name the catalog lacks) is planned as text generation, and says so; it
    was refused as naming no task. The intent as read keeps no task (it states none)."""
    measures = [c.metric.value.upper() if len(c.metric.value) == 4 else c.metric.value
                for c in intent.constraints if c.metric in TEXT_GENERATOR_METRICS]
    if intent.task is not None or intent.workload.model or intent.workload.models or not measures:
        return intent, []
    if any(TASK_WITHOUT_MODELS in w for w in intent.warnings):  # "TTS，首包延迟300ms": a task no model does
        return intent, []
    return intent.model_copy(update={"task": Task.TEXT_GENERATION}), [
        f"{' and '.join(dict.fromkeys(measures))}: measures of a text generator, so planned as text generation "
        "(no task named)"]


@dataclass(frozen=True)
class Relaxed:
    """A request without what it only wishes for, and what its plan says of that."""

    intent: Intent
    said: str
    instead: str


def _without_wishes(intent: Intent) -> Relaxed | None:
    """The request without its soft bounds ("nice to have: under $1.5/hour"), or None when it has none."""
    wishes = [c for c in intent.constraints if c.soft]
    if not wishes:
        return None
    said = ", ".join(f"'{c.source or c.describe()}'" for c in wishes)
    return Relaxed(intent.model_copy(update={"constraints": [c for c in intent.constraints if not c.soft]}),
                   f"{said} was asked for as a wish, not a requirement, and no plan meets the request with it",
                   "planned without it")


def _preferred(intent: Intent) -> list[str]:
    """The devices the request only prefers; a device it owns is no preference."""
    owned = {d.device for d in intent.hardware.owned}
    return [d for d in intent.hardware.preferred if d not in owned]


def _preferred_first(intent: Intent) -> tuple[Intent, list[str]]:
    """The request on the devices it prefers alone, when it asks for others too ("prefer L4 over
    T4" planned the cheaper T4): those are planned only when no plan on the preferred ones
    meets the request (``_without_preferred``); with the assumption saying so."""
    preferred = _preferred(intent)
    others = [d for d in intent.hardware.include if d not in preferred]
    if not preferred or not others:
        return intent, []
    hardware = intent.hardware.model_copy(update={"include": [d for d in intent.hardware.include if d in preferred]})
    return intent.model_copy(update={"hardware": hardware}), [
        f"{', '.join(preferred)} preferred: planned on it first ({', '.join(others)} only if no plan on it meets the "
        "request)"]


def _without_preferred(intent: Intent) -> Relaxed | None:
    """The request without the devices it only prefers ("H100 preferred", "国产芯片优先"), or None
    when it prefers none (a device it owns is no preference)."""
    preferred = _preferred(intent)
    if not preferred:
        return None
    include = [d for d in intent.hardware.include if d not in preferred]
    hardware = intent.hardware.model_copy(update={"include": include, "preferred": []})
    return Relaxed(intent.model_copy(update={"hardware": hardware}),
                   f"{', '.join(intent.hardware.preferred)} was asked for as a preference, not a requirement, and no "
                   "plan on it meets the request", "planned on the other devices")


def _preference_given_way(asked: Intent, result: ExecutionPlan, catalog, settings, given, alternatives, organisation,
                          pareto, defaults) -> ExecutionPlan | None:
    """The plan without the devices the request only prefers, where the default service level gave
    way on them and holds on the others ("国产芯片优先" had planned 416 Ascend 910B for 50 users,
    its TPOT bound dropped, where 8 H200 meet it); None when the preferred plan stands."""
    from planner.single import LEVEL_OUT_OF_REACH

    level = next((a for a in result.assumptions if LEVEL_OUT_OF_REACH in a), None)
    relaxed = _without_preferred(asked) if level is not None else None
    if relaxed is None:
        return None
    other = build_plan(relaxed.intent, catalog, settings, given, alternatives, organisation, pareto, defaults)
    if any(LEVEL_OUT_OF_REACH in a for a in other.assumptions):
        return None
    bounds = level[level.index("(") + 1:level.index(")")]
    said = (f"{', '.join(asked.hardware.preferred)} was asked for as a preference, not a requirement, and no plan on "
            f"it meets the default service level ({bounds}); planned on the other devices, which do")
    return other.model_copy(update={"warnings": [said, *other.warnings]})


def _without_avoided(intent: Intent) -> Relaxed | None:
    """The request with the devices it only wishes to avoid allowed again ("no NVIDIA if possible",
    "prefer non-NVIDIA hardware"), or None when it avoids none that way."""
    avoided = intent.hardware.avoided
    if not avoided:
        return None
    exclude = [d for d in intent.hardware.exclude if d not in avoided]
    hardware = intent.hardware.model_copy(update={"exclude": exclude, "avoided": []})
    return Relaxed(intent.model_copy(update={"hardware": hardware}),
                   f"{', '.join(avoided)} was ruled out as a wish, not a requirement, and no plan without it meets "
                   "the request", "planned with it allowed")


def _runtimes_met(warnings: list[str], runtime: str | None) -> tuple[list[str], list[str]]:
    """The warnings without those for a runtime the plan runs anyway ("INT8 TensorRT" planned on
    "TensorRT (JetPack)" was warned as not planned for), and an assumption for each."""
    from intent.parser.unread import RUNTIME_NOT_PLANNED

    named = re.compile(rf"^'(?P<name>[^']+)': {re.escape(RUNTIME_NOT_PLANNED)}")
    kept, met = [], []
    for w in warnings:
        m = named.match(w)
        if m and runtime and m.group("name").lower() in runtime.lower():
            met.append(f"'{m.group('name')}': the plan runs {runtime}, as asked")
        else:
            kept.append(w)
    return kept, met


def datacenter_said(intent: Intent) -> str | None:
    """The request's words naming a datacenter as where it runs ("datacenter", "in our server room",
    "本地机房"), as written (normalised), else None."""
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    said = [m.phrase for m in lexicon.phrases("production_words").scan(normalise(intent.text, lexicon))
            if m.key == "datacenter"]
    return said[0] if said else None


def _datacenter_note(intent: Intent) -> list[str]:
    """What a plan says when the request's own words made it a datacenter deployment ("in our
    server room", "本地机房"): consumer parts are left out unless named (their licence)."""
    said = datacenter_said(intent)
    if said is None:
        return []
    return [f"'{said}': a datacenter deployment, so consumer parts whose driver licence allows none (GeForce) are "
            "left out unless the request names one"]


def _phrase_keys(intent: Intent, section: str) -> set[str]:
    """The keys of a lexicon section the agent reads (not the parser) whose phrases the request holds."""
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    return {m.key for m in lexicon.phrases(section).scan(normalise(intent.text, lexicon))}


def _words_said(intent: Intent, section: str) -> list[str]:
    """The words of a lexicon word list the agent reads (not the parser) that the request holds,
    as written (normalised), in order."""
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    text = normalise(intent.text, lexicon)
    return [text[m.start:m.end] for m in lexicon.words(section).scan(text)]


def quality_waived(intent: Intent) -> str | None:
    """The request's words that accuracy matters little ("accuracy doesn't need to be great",
    "准确率要求不高"), as written, else None: the default quality floor is then left out."""
    found = _words_said(intent, "quality_waived")
    return found[0] if found else None


def latency_waived(intent: Intent) -> str | None:
    """The request's words that latency matters little ("don't care about latency much", "延迟无所谓"),
    as written, else None: the default service level is then left out."""
    found = _words_said(intent, "latency_waived")
    return found[0] if found else None


def training_method(intent: Intent) -> str:
    """The fine-tuning method the request names (lexicon training_methods: qlora, lora, dpo), else
    "full"; a method ruled out ("no LoRA, full fine-tune", "别用LoRA，全参") is not named."""
    from intent.parser.fields import negated
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import Workspace, normalise

    lexicon = load_lexicon()
    space = Workspace(normalise(intent.text, lexicon))
    found = [m.key for m in lexicon.phrases("training_methods").scan(space.text)
             if not negated(lexicon, space.text, m.start, space.clause_bounds(m.start)[0], max_words=3)
             and not INSTEAD_OF.search(space.text[max(0, m.start - 16):m.start])]
    return found[-1] if found else "full"  # the last named: a chat's follow-up changes it


#: Words that rule out what follows them in favour of what came before: "full fine-tune instead of LoRA".
INSTEAD_OF = re.compile(r"(?:instead of|rather than|in place of|not|而不是|不用|代替)\s*$")


def is_production(intent: Intent) -> bool:
    """A plan for a production service, or one that runs in a datacenter (which a consumer part's
    licence forbids): the request names a compliance regime (one the policies model, or one they
    do not: "等保三级" planned an RTX 4090), says production, or names a datacenter, server room or
    its own servers as where it runs ("本地机房"), or runs on-prem (an organisation's servers:
    私有化部署) on no workstation, desktop or lab machine it names."""
    return bool(intent.policies.compliance) or bool(_words_said(intent, "unmodelled_regimes")) \
        or bool({"production", "datacenter"} & _phrase_keys(intent, "production_words")) \
        or (intent.deployment == Deployment.ON_PREM and not _words_said(intent, "workstation_words")
            and not _datacenter_ruled_out(intent))


def _datacenter_ruled_out(intent: Intent) -> bool:
    """Whether the request says it runs in no datacenter ("on-prem, not in a data center", "没有机房")."""
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    return any(m.key == "not" and re.search(r"data ?cent|机房|数据中心", m.phrase)
               for m in lexicon.phrases("production_words").scan(normalise(intent.text, lexicon)))


def names_device(intent: Intent, inventory: Inventory | None, device) -> bool:
    """True when the request names this device itself (its id or family, as the parser reads
    names and aliases), as one it owns, or in its inventory: a vendor or a class names no device."""
    named = [*intent.hardware.include, *(d.device for d in intent.hardware.owned)]
    if any(selector in (device.id, device.family) for selector in named):
        return True
    return inventory is not None and any(item.id == device.id for item in inventory.devices)


def _licence_warnings(intent: Intent, device) -> list[str]:
    from policies.licence import licence_warning, unlicensed

    return [licence_warning(device)] if unlicensed(device) and is_production(intent) else []


def _host_power_warnings(intent: Intent, device, result: ExecutionPlan) -> list[str]:
    """A power bound on the whole system ("whole system power under 10 W", "整机功耗") planned on
    an accelerator that plugs into a host (a host link: an M.2 or USB module, a PCIe card): the
    plan holds the accelerator to the bound, and says that the host, which it does not plan, draws
    on top of it."""
    bound = intent.bound(Metric.POWER, "<=")
    said = _words_said(intent, "system_power_words") if bound is not None and device.host_link_gbs else []
    if not said:
        return []
    power = result.metrics.power_w
    return [f"'{said[0]}': the power bound ({bound:g} W) is held by {device.name} alone"
            + (f" ({power:.2f} W)" if power is not None else "")
            + "; it plugs into a host (a board or server, not planned) whose draw adds to it: give the host's "
              "figure, or the accelerator's own budget"]


def _consumer_notes(intent: Intent, device, inventory: Inventory | None) -> list[str]:
    """A consumer part the request did not name, in a plan that is not for production: the plan
    says where it may run."""
    from policies.licence import consumer_note, unlicensed

    named = names_device(intent, inventory, device)
    return [consumer_note(device)] if unlicensed(device) and not is_production(intent) and not named else []


def plan_cost_terms(result: ExecutionPlan, catalog: Catalog, inventory: Inventory | None):
    """How the chosen deployment's hourly cost is made up (planner.perf.cost)."""
    from planner.perf.cost import cost_terms

    c = result.choice
    item = inventory.item(c.device_id) if inventory is not None else None
    devices = c.replicas * c.devices_per_replica * (item.share if item else 1.0)  # prefill and decode workers too
    # the devices that rent one instance, as the planner priced them: one engine's, or a training
    # job's all (its data-parallel replicas train together; it was priced at 1-device rates)
    together = round(devices) if result.intent.workload.kind != WorkloadKind.INFERENCE else c.shards
    return cost_terms(catalog.device(c.device_id), c.placement, devices, result.metrics.power_w,
                      item.usd_per_hour if item else None, owned=item is not None, per_replica=together)


def _with_owned(intent: Intent, catalog: Catalog, inventory: Inventory | None):
    """The inventory to plan on: the one given, else the devices the request says it has."""
    owned = [(d.device, d.count) for d in intent.hardware.owned]
    if not owned:
        return inventory, (_unpriced_note(inventory), [])
    if inventory is not None:
        return inventory, ([], [f"the devices the request names as its own ({', '.join(f'{n} x {d}' for d, n in owned)})"
                                " were not used: the inventory file given takes their place"])
    from planner.owned import owned_inventory

    built, assumptions = owned_inventory(owned, catalog, intent.hardware.include)
    return built, (assumptions, [])


def _unpriced_note(inventory: Inventory | None) -> list[str]:
    """Said once: what an inventory's devices without a stated price cost."""
    from planner.owned import owned_cost_note

    unpriced = [d.id for d in inventory.devices if d.usd_per_hour is None and d.placement != "cloud"] \
        if inventory is not None else []
    return [f"{', '.join(unpriced)}: no price in the inventory; " + owned_cost_note()] if unpriced else []


def _build_plan(intent: Intent, catalog: Catalog, settings: Settings, inventory: Inventory | None,
                alternatives: int, organisation, pareto: bool, defaults: bool = True) -> ExecutionPlan:
    import policies
    from planner.defaults import at_the_edge_site, ceilings_of_ranges, request_defaults, streamed_answers

    intent, site_notes = at_the_edge_site(intent)
    intent, answer_notes = streamed_answers(intent, catalog)
    site_notes += answer_notes
    effects = policies.preflight(intent, organisation, catalog, offline_tasks(intent, catalog) if organisation else ())
    intent = effects.intent
    if is_production(intent):
        from policies.licence import datacenter_rule

        effects.device_rules.append(datacenter_rule(lambda device: names_device(intent, inventory, device)))
    intent, floor_notes = device_memory_floor(intent, catalog)
    intent, range_notes = ceilings_of_ranges(intent)
    floor_notes = site_notes + _datacenter_note(intent) + floor_notes + range_notes
    if intent.workload.kind != WorkloadKind.INFERENCE:
        return _training_plan(intent.model_copy(update={"assumptions": [*intent.assumptions, *floor_notes]}), catalog,
                              settings, inventory, effects, defaults)
    solver = _solver(settings)
    intent, job_notes = soonest_done(intent)
    job_notes = floor_notes + job_notes
    intent, cheapest_notes = cheapest_job(intent)
    job_notes += cheapest_notes
    job_warnings: list[str] = []
    # of the request as asked: a job has no SLO
    unstated = request_defaults(intent, catalog, quality_waived(intent), latency_waived(intent),
                                lifted_by_name(intent.text), datacenter_said(intent)) if defaults else NO_DEFAULTS
    if any(c.metric in JOB_METRICS for c in intent.constraints):
        from planner.jobs import batch_bounds

        constraints, read_as, job_warnings = batch_bounds(intent)
        job_notes += read_as
        intent = intent.model_copy(update={"constraints": constraints})
    result = plan_intent(intent, catalog, effects.placement_rules(), solver, effects.added_latency, inventory,
                         alternatives, pareto, unstated)
    job_notes += job_time_note(intent, result.metrics.throughput_rps, result.metrics.cost_usd_per_hour)
    device = catalog.device(result.choice.device_id)
    sections = policies.sections(intent, effects, device, result.choice.placement, result.choice.model_id)
    if effects.regimes:
        sections = _with_compliance_cost(sections, intent, catalog, solver, effects, inventory, result, unstated)
    return ExecutionPlan(
        intent=intent, choice=result.choice, metrics=result.metrics, objective_default=result.objective_default,
        constraints=result.constraints, why=result.why, alternatives=result.alternatives,
        pareto_front=result.pareto_front, pools=result.pools,
        assumptions=list(intent.assumptions) + job_notes + result.assumptions + effects.assumptions,
        warnings=list(intent.warnings) + result.warnings + job_warnings
        + ([solver.budget.describe()] if solver.budget.skipped else []),
        policies=sections, steps=plan_steps(intent, result.choice, sections, catalog, result.pools),
        solver=result.solver, catalog_hash=catalog.digest, policy_hash=effects.policy_hash,
    )
