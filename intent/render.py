"""Terminal views of plans, intents and catalogs (rich). JSON output does not come here."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from intent.schema import Intent
from intent.tables import WIDE_HINT, Column, fitted_table
from planner.figures import fmt
from planner.plan import ExecutionPlan

METRIC_ROWS = [("latency", "latency_ms"), ("throughput", "throughput_rps"), ("power", "power_w"),
               ("energy", "energy_j"), ("memory", "memory_gb"), ("cost", "cost_usd_per_hour"),
               ("accuracy", "accuracy")]


#: Every metric a plan reports and its field in ``Metrics``.
METRIC_FIELDS = dict(METRIC_ROWS) | {"ttft": "ttft_ms", "tpot": "tpot_ms", "token_throughput": "tokens_per_s",
                                     "token_cost": "usd_per_mtok"}
#: Where the LLM figures come from when the plan's provenance does not say.
TOKEN_SOURCES = {"ttft_ms": "model (prefill + one decode step)", "tpot_ms": "model (one decode step)",
                 "tokens_per_s": "model (all replicas)", "usd_per_mtok": "cost / output tokens"}



def _rate(rps: float) -> str:
    """A request rate in figures ("20,000", "1,500", "0.0786"): "{:,.4g}" had written 2e+04."""
    return f"{rps:,.0f}" if rps >= 100 else f"{rps:,.4g}"

def show_plan(plan: ExecutionPlan, console: Console, lang: str = "en") -> None:
    """The plan, with what the reading could not hold first: a warning must be seen before the
    plan. ``lang`` ('en' or 'zh') gives the labels; the plan's own text (why, steps) is as planned."""
    from intent.chat_answers import labels, placement_name

    L = labels(lang)
    _section(console, L["warnings"], plan.warnings, style="yellow")
    c = plan.choice
    group = f"({c.devices_per_replica} x {c.device_name})" if c.devices_per_replica > 1 else c.device_name
    title = f"{c.model_id} {L['runs_on']} {c.replicas} x {group} ({placement_name(c.placement, lang)})"
    shards = f" · {layout(c, lang)}" if c.devices_per_replica > 1 else ""
    console.print(Panel.fit(
        f"[bold]{escape(title)}[/bold]\n{L['precision']} {c.precision} · {L['batch']} {c.batch_size} · "
        f"{L['replicas']} {c.replicas}{shards}\n{L['runtime']} {escape(c.runtime)} · {L['serving']} {escape(c.serving)}",
        title=L["plan"], border_style="green"))
    if plan.job is not None:
        j = plan.job
        cost = f"${j.cost_usd:,.2f}" if j.cost_usd is not None else "unknown cost"
        energy = f"{j.energy_kwh:,.2f} kWh" if j.energy_kwh is not None else "unknown energy"
        _section(console, L["training_job"], [
            f"{j.records:,} records x {j.epochs} epoch{'s' if j.epochs != 1 else ''} = {j.samples:,} samples; batch {j.batch_size}, {j.steps:,} steps",
            f"{j.hours:,.2f} hours on {j.devices} device(s): {cost}, {energy}"
            + (" (DP-SGD)" if j.differential_privacy else "")])
    if plan.pools:
        _section(console, "pools (several device types serve the model together)",
                 [f"{p.choice.replicas} x {p.choice.device_id} · {p.choice.precision} · b{p.choice.batch_size} · "
                  f"{layout(p.choice, lang)} · {fmt(p.metrics.throughput_rps, 'throughput')} · "
                  f"{fmt(p.metrics.cost_usd_per_hour, 'cost')}" for p in plan.pools])
    console.print(_metrics_table(plan, lang))
    if plan.cost is not None:
        _section(console, L["cost_terms"], [line for line in plan.cost.lines() if line])
    _section(console, L["why"], plan.why)
    if plan.alternatives:
        _alternatives(plan, console, lang)
    if plan.pareto_front:
        _front(plan, console, lang)
    for section in plan.policies:
        params = ", ".join(f"{k}={v}" for k, v in section.parameters.items())
        _section(console, f"{L['policy']}: {section.name}", [params, f"{L['caused_by']}: {section.caused_by}"])
    if not plan.policies:
        _section(console, L["policies"], [L["no_policies"]])
    _section(console, L["steps"], [f"{i}. {step}" for i, step in enumerate(plan.steps, 1)])
    _section(console, L["assumptions"], plan.assumptions)
    s = plan.solver
    gap = f" (feasible, not proven optimal: gap {s.gap:.2%})" if s.status != "OPTIMAL" else ""
    console.print(f"[dim]{L['solver']} {s.status}{gap} · {escape(s.objective)} · {s.candidates} candidates · "
                  f"time limit {s.time_limit_s:g}s · seed {s.seed} · catalog {plan.catalog_hash}[/dim]")


def layout(choice, lang: str = "en") -> str:
    """How a deployment's devices are laid out: replicas, and within one the parallel degrees
    (tensor, pipeline, expert) or prefill and decode workers where the plan states them."""
    from intent.chat_answers import labels

    L = labels(lang)
    per_replica = getattr(choice, "devices_per_replica", None) or choice.shards
    tp = getattr(choice, "tensor_parallel", None) or choice.shards
    degrees = [f"{name}{n}" for name, n in (("TP", tp), ("PP", getattr(choice, "pipeline_parallel", None)),
                                             ("EP", getattr(choice, "expert_parallel", None))) if n and n > 1]
    prefill, decode = getattr(choice, "prefill_workers", None), getattr(choice, "decode_workers", None)
    inner = " ".join(degrees) if degrees else (f"{per_replica} {L['devices']}" if per_replica > 1 else "")
    if prefill or decode:
        inner = (inner + ", " if inner else "") + f"prefill {prefill or 0} + decode {decode or 0} workers"
    replicas = f"{choice.replicas} {L['replica'] if choice.replicas == 1 else L['replica_many']}"
    return f"{replicas} x {inner}" if inner else replicas


def devices_in_total(choice) -> int:
    return choice.replicas * (getattr(choice, "devices_per_replica", None) or choice.shards)


def configuration(choice) -> str:
    """A configuration in three short lines: what runs, on how many of which device, laid out how."""
    return (f"{choice.model_id} · {choice.precision} · b{choice.batch_size}\n"
            f"{devices_in_total(choice)} x {choice.device_id}\n{layout(choice)}")


#: Below this many columns the alternatives are a list: a table's "why not" column would be a
#: word wide.
ALTERNATIVES_TABLE_WIDTH = 110


def _alternatives(plan: ExecutionPlan, console: Console, lang: str) -> None:
    from intent.chat_answers import labels, why_not_in

    L = labels(lang)
    title = L["alternatives"]
    if console.width < ALTERNATIVES_TABLE_WIDTH:
        lines = []
        for alt in plan.alternatives:
            c, m = alt.choice, alt.metrics
            what = f"{c.model_id} · {c.precision} · b{c.batch_size} on {devices_in_total(c)} x {c.device_id}"
            figures = f"{fmt(m.latency_ms, 'latency')} · {fmt(m.power_w, 'power')} · {fmt(m.cost_usd_per_hour, 'cost')}"
            lines += [f"{what} ({layout(c)})", f"  {figures}; {L['why_not']}: {why_not_in(alt.why_not, lang)}"]
        _section(console, title, lines)
        return
    names = L["metrics"]
    columns = [Column(L["configuration"], whole=True), Column(names["latency"], justify="right"),
               Column(names["power"], justify="right"), Column(names["cost"], justify="right"), Column(L["why_not"])]
    rows = [[configuration(a.choice), fmt(a.metrics.latency_ms, "latency"), fmt(a.metrics.power_w, "power"),
             fmt(a.metrics.cost_usd_per_hour, "cost"), why_not_in(a.why_not, lang)] for a in plan.alternatives]
    console.print(fitted_table(title, columns, rows, console.width))


def _front(plan: ExecutionPlan, console: Console, lang: str = "en") -> None:
    """The trade-off front; in a narrow terminal the metrics furthest from the objective go first."""
    from intent.chat_answers import labels, metric_name

    objective = plan.intent.objective.metric.value if plan.intent.objective else "cost"
    ranks = (("latency", 1), ("cost", 2), ("power", 3), ("accuracy", 4))
    columns = [Column(labels(lang)["configuration"], whole=True)] + [
        Column(metric_name(name, lang), 1 if name == objective else rank, "right") for name, rank in ranks] + [Column("*")]
    rows = [[configuration(p.choice), fmt(p.metrics.latency_ms, "latency"), fmt(p.metrics.cost_usd_per_hour, "cost"),
             fmt(p.metrics.power_w, "power"), fmt(p.metrics.accuracy, "accuracy"), "*" if p.chosen else ""]
            for p in plan.pareto_front]
    console.print(fitted_table(labels(lang)["front"], columns, rows, console.width))


def _metrics_table(plan: ExecutionPlan, lang: str = "en") -> Table:
    from intent.chat_answers import labels

    L = labels(lang)
    names = L["metrics"]
    table = Table(title=L["predicted"])
    table.add_column(L["metric"])
    table.add_column(L["value"], justify="right")
    table.add_column(L["source"])
    for metric, field in METRIC_ROWS:
        value = getattr(plan.metrics, field)
        _plain_row(table, names[metric], L["unknown"] if value is None else fmt(value, metric),
                   plan.metrics.provenance.get(field, ""))
    m = plan.metrics
    if m.ttft_ms is not None:
        _plain_row(table, names["ttft"], fmt(m.ttft_ms, "latency"), m.provenance.get("ttft_ms", TOKEN_SOURCES["ttft_ms"]))
        _plain_row(table, names["tpot"], fmt(m.tpot_ms, "latency"), m.provenance.get("tpot_ms", TOKEN_SOURCES["tpot_ms"]))
        _plain_row(table, names["token_throughput"], f"{m.tokens_per_s:,.0f}", TOKEN_SOURCES["tokens_per_s"])
        if m.usd_per_mtok is not None:
            _plain_row(table, names["token_cost"], fmt(m.usd_per_mtok, "token_cost"), TOKEN_SOURCES["usd_per_mtok"])
    if plan.intent.workload.concurrency:
        _plain_row(table, names["concurrency"], f"{m.concurrency:,}", "sequences held at once, all replicas")
    return table


def _plain_row(table: Table, *cells) -> None:
    """Add a row whose text cells are shown as written: catalog and plan data may hold
    square brackets, which rich would otherwise read as markup and drop."""
    table.add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells))


def _section(console: Console, title: str, lines: list[str], style: str = "bold") -> None:
    if not lines:
        return
    console.print(f"[{style}]{title}[/{style}]")
    for line in lines:
        # Data, never markup; a line too long for the terminal wraps under its own indent.
        body = line.lstrip(" ")
        console.print(Padding(Text(body), (0, 0, 0, 2 + len(line) - len(body)), expand=False), highlight=False)


def show_intent(intent: Intent, console: Console) -> None:
    table = Table(title="intent", show_header=False)
    table.add_column("field")
    table.add_column("value")
    _plain_row(table, "task", str(intent.task.value if intent.task else "—"))
    _plain_row(table, "objective", f"{intent.objective.sense.value} {intent.objective.metric.value}" if intent.objective else "—")
    _plain_row(table, "constraints", "\n".join(c.describe() for c in intent.constraints) or "—")
    _plain_row(table, "deployment", intent.deployment.value if intent.deployment else "—")
    _plain_row(table, "hardware", f"include {intent.hardware.include or '—'}; exclude {intent.hardware.exclude or '—'}")
    _plain_row(table, "precisions", ", ".join(p.value for p in intent.precisions) or "any")
    pol = intent.policies
    dp = pol.differential_privacy
    _plain_row(table, "policies", f"watermark {pol.watermark}; differential privacy "
                  f"{'off' if dp is None else f'epsilon {dp.epsilon}, delta {dp.delta}'}; "
                  f"compliance {[r.value for r in pol.compliance] or '—'}")
    _plain_row(table, "workload", _workload_line(intent))
    if intent.hardware.owned:
        _plain_row(table, "owned", ", ".join(f"{d.count} x {d.device}" for d in intent.hardware.owned))
    console.print(table)
    _section(console, "assumptions", intent.assumptions)
    _section(console, "warnings", intent.warnings, style="yellow")


def _workload_line(intent: Intent) -> str:
    w = intent.workload
    parts = [w.kind.value]
    if w.model:
        parts.append(f"model {w.model}")
    elif w.models:
        parts.append(f"models {', '.join(w.models)}")
    elif w.model_as_written:
        parts.append(f"model '{w.model_as_written}' (not in the catalog)")
    for label, amount in (("prompt tokens", w.prompt_tokens), ("output tokens", w.output_tokens),
                          ("concurrency", w.concurrency), ("records", w.dataset_records), ("epochs", w.epochs)):
        if amount is not None:
            parts.append(f"{label} {amount:,}")
    return ", ".join(parts)


#: The device listing's columns; a higher rank is left out first in a narrow terminal.
DEVICE_COLUMNS = [Column("id", whole=True), Column("class", 1), Column("memory GB", 1, "right"), Column("fp16 TFLOPS", 2, "right"),
                  Column("int8 TOPS", 2, "right"), Column("$/h cloud", 3, "right"), Column("TDP W", 4, "right"),
                  Column("placements", 5), Column("GB/s", 6, "right"), Column("form", 7)]
MODEL_COLUMNS = [Column("id", whole=True), Column("task", 1), Column("params M", 2, "right"), Column("accuracy fp32", 3, "right"),
                 Column("GFLOPs", 4, "right"), Column("kind", 5)]


def device_rows(catalog) -> list[list[str]]:
    return [[d.id, d.device_class, _num(d.memory_gb), _num(d.peak.get("fp16")), _num(d.peak.get("int8")),
             _num(d.cloud_usd_per_hour), _num(d.tdp_w), ",".join(p.value for p in d.placements),
             _num(d.memory_bandwidth_gbs), d.form_factor]
            for d in sorted(catalog.devices.values(), key=lambda d: d.id)]


def model_rows(catalog) -> list[list[str]]:
    return [[m.id, m.task, _num(m.params_m), _num(m.accuracy.get("fp32")), _num(m.gflops), m.kind.value]
            for m in sorted(catalog.models.values(), key=lambda m: (m.task, m.id))]


def devices_table(catalog, width: int | None = None) -> Table:
    """The devices, in ``width`` terminal columns (None: all columns); ids are never cut."""
    return fitted_table(f"devices ({len(catalog.devices)})", DEVICE_COLUMNS, device_rows(catalog), width, WIDE_HINT)


def models_table(catalog, width: int | None = None) -> Table:
    """The models, in ``width`` terminal columns (None: all columns); ids are never cut."""
    return fitted_table(f"models ({len(catalog.models)})", MODEL_COLUMNS, model_rows(catalog), width, WIDE_HINT)


def _num(figure) -> str:
    if figure is None:
        return "—"
    mark = "" if figure.basis.value == "published" else "*"
    return f"{figure.value:g}{mark}"


def entry_table(entry) -> Table:
    """Every field of a device or model; figures show their value, basis and source."""
    from hardware.schema import Figure

    table = Table(title=entry.id, show_header=True)
    for column in ("field", "value", "basis", "source / formula"):
        table.add_column(column, overflow="fold")
    default_source = getattr(entry, "source", "")
    for name in type(entry).model_fields:
        value = getattr(entry, name)
        if value is None or value == [] or value == {}:
            continue
        if isinstance(value, Figure):
            _plain_row(table, name, f"{value.value:g}", value.basis.value, value.formula or value.source or default_source)
        elif isinstance(value, dict) and value and all(isinstance(v, Figure) for v in value.values()):
            for key, figure in value.items():
                _plain_row(table, f"{name}.{key}", f"{figure.value:g}", figure.basis.value,
                              figure.formula or figure.source or default_source)
        else:
            shown = getattr(value, "value", value)
            if isinstance(shown, list):
                shown = ", ".join(str(getattr(v, "value", v)) for v in shown)
            _plain_row(table, name, str(shown), "", "")
    return table


def _fleet_levels(report) -> str:
    """Where the lexicographic solve stopped: the first level not proven and its gap, and
    how many later levels the time limit left unsolved."""
    open_level = next((k for k, gap in enumerate(report.gaps) if gap > 0), None)
    unsolved = len(report.levels) - len(report.gaps)
    parts = []
    if open_level is not None:
        parts.append(f"{report.levels[open_level]}: gap {report.gaps[open_level]:.2%}")
    if unsolved:
        parts.append(f"{unsolved} tie-breaker level(s) not reached within the time limit")
    return f" ({'; '.join(parts)})" if parts else ""


def _placements(plan, console: Console) -> None:
    """Each workload's placement: a table in a wide terminal, a list (ids whole) in a narrow one."""
    rows = []
    for a in plan.assignments:
        if a.kind == "training":
            slo = f"{a.job_hours:,.1f} h" + (f" (deadline {a.deadline_hours:g} h)" if a.deadline_hours else "")
        else:
            load = (f"{a.users} users, {a.served_rps / a.requested_rps * a.users:,.0f} held" if a.users
                    else f"{_rate(a.requested_rps)} -> {_rate(a.served_rps)} req/s")
            # a served LLM: its time to first token and per output token, the figures its bounds are on
            time = (f"TTFT {fmt(a.ttft_ms, 'latency')} · TPOT {fmt(a.tpot_ms, 'latency')}" if a.ttft_ms is not None
                    and a.tpot_ms is not None else fmt(a.latency_ms, 'latency'))
            slo = f"{load}; {time}" + (f" (≤ {a.latency_slo_ms:g} ms)" if a.latency_slo_ms else "")
        beside = a.compute_share is not None and a.compute_share < 1
        where = f"{a.pool}: {a.slots} slot(s)" + (f" beside inference ({a.compute_share:.0%} of each)" if beside else "")
        rows.append([f"{a.workload} (p{a.priority})", where,
                     f"{a.model_id}\n{a.precision} b{a.batch_size} x{a.replicas}", slo, fmt(a.power_w, "power"),
                     "yes" if a.slo_met else Text("no", style="red")])
    if console.width < ALTERNATIVES_TABLE_WIDTH:
        lines = []
        for (workload, pool, config, slo, power, met), a in zip(rows, plan.assignments):
            lines += [f"{workload}: {config.replace(chr(10), ' · ')} on {pool}",
                      f"  {slo} · {power} · SLO {'met' if a.slo_met else 'NOT met'}"]
        _section(console, "placements", lines)
        return
    columns = [Column("workload", whole=True), Column("pool", whole=True), Column("configuration", whole=True),
               Column("SLO -> predicted"), Column("power", 1, "right"), Column("met")]
    console.print(fitted_table("placements", columns, rows, console.width))


def show_fleet(plan, console: Console) -> None:
    """A fleet plan: placements, what was not placed and why, and pool utilisation."""
    t = plan.totals
    cost = (f"${t.cost_usd_per_hour:,.2f}/h" + ("" if t.cost_known else " for the priced devices")
            if t.cost_known or t.cost_usd_per_hour else "cost unknown (no prices)")
    console.print(Panel.fit(
        f"[bold]{t.slo_met} of {t.workloads} workloads meet their SLOs[/bold] · {t.placed} placed\n"
        f"served {t.served_rps:,.1f} of {t.requested_rps:,.1f} req/s · {t.power_w:,.0f} W"
        + ("" if t.power_known else " for the devices with a known power") + f" · {cost}\n"
        + (" · ".join(f"priority {p.priority}: {p.met} of {p.workloads}" for p in t.slo_met_by_priority) + "\n"
           if len(t.slo_met_by_priority) > 1 else "")
        + f"objective: SLOs met by priority, then {plan.objective} · solver {plan.solver.status}"
        + _fleet_levels(plan.solver), title="fleet plan", border_style="green"))
    _placements(plan, console)
    if plan.unplaced:
        _section(console, "not placed in full", [f"{u.workload} (priority {u.priority}): {u.reason}"
                                                 for u in plan.unplaced])
    if plan.replan is not None:
        scaled = sum(c.change == "scaled" for c in plan.replan.changes)
        _section(console, f"since the previous plan: {plan.replan.kept} kept in place"
                          + (f" ({scaled} scaled there)" if scaled else "") + f", {plan.replan.moved} moved",
                 [f"{c.workload} {c.change}: {c.reason}" + (f" ({'; '.join(c.before)} -> {'; '.join(c.after)})"
                                                            if c.before and c.after else "")
                  for c in plan.replan.changes] or ["nothing moved"])
    columns = [Column("pool", whole=True), Column("devices", 0, "right"), Column("slots used", 0, "right"),
               Column("allocated", 1, "right"), Column("busy", 0, "right"), Column("power", 2, "right")]
    rows = [[u.pool, str(u.devices), f"{u.slots_used} / {u.slots}", f"{u.allocated:.0%}", f"{u.busy:.0%}",
             fmt(u.power_w, "power") if u.slots_used else "—"] for u in plan.utilisation]
    console.print(fitted_table("utilisation per pool", columns, rows, console.width))
    _section(console, "assumptions", plan.assumptions)
