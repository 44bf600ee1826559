"""Terminal views of plans, intents and catalogs (rich). JSON output does not come here."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from intent.schema import Intent
from planner.figures import fmt
from planner.plan import ExecutionPlan

METRIC_ROWS = [("latency", "latency_ms"), ("throughput", "throughput_rps"), ("power", "power_w"),
               ("energy", "energy_j"), ("memory", "memory_gb"), ("cost", "cost_usd_per_hour"),
               ("accuracy", "accuracy")]


def show_plan(plan: ExecutionPlan, console: Console) -> None:
    """The plan, with what the reading could not hold first: a warning must be seen before the plan."""
    _section(console, "warnings (not planned for; read before using this plan)", plan.warnings, style="yellow")
    c = plan.choice
    group = f"({c.devices_per_replica} x {c.device_name})" if c.devices_per_replica > 1 else c.device_name
    title = f"{c.model_id} on {c.replicas} x {group} ({c.placement})"
    shards = f" · layout {c.layout()}" if c.devices_per_replica > 1 else ""
    console.print(Panel.fit(
        f"[bold]{escape(title)}[/bold]\nprecision {c.precision} · batch {c.batch_size} · replicas {c.replicas}{shards}\n"
        f"runtime {escape(c.runtime)} · serving {escape(c.serving)}", title="plan", border_style="green"))
    if plan.job is not None:
        j = plan.job
        cost = f"${j.cost_usd:,.2f}" if j.cost_usd is not None else "unknown cost"
        energy = f"{j.energy_kwh:,.2f} kWh" if j.energy_kwh is not None else "unknown energy"
        _section(console, "training job", [
            f"{j.records:,} records x {j.epochs} epochs = {j.samples:,} samples; batch {j.batch_size}, {j.steps:,} steps",
            f"{j.hours:,.2f} hours on {j.devices} device(s): {cost}, {energy}"
            + (" (DP-SGD)" if j.differential_privacy else "")])
    if plan.pools:
        _section(console, "pools (several device types serve the model together)",
                 [f"{p.choice.replicas} x {p.choice.device_id} · {p.choice.precision} · b{p.choice.batch_size} · "
                  f"{p.choice.layout()} · {fmt(p.metrics.throughput_rps, 'throughput')} · "
                  f"{fmt(p.metrics.cost_usd_per_hour, 'cost')}" for p in plan.pools])
    console.print(_metrics_table(plan))
    _section(console, "why this choice", plan.why)
    if plan.alternatives:
        table = Table(title="alternatives", show_lines=False)
        for column in ("configuration", "latency", "power", "cost", "why not"):
            table.add_column(column)
        for alt in plan.alternatives:
            a = alt.choice
            _plain_row(table, f"{a.model_id} · {a.device_id} · {a.precision} · b{a.batch_size} · {a.layout()}",
                          fmt(alt.metrics.latency_ms, "latency"), fmt(alt.metrics.power_w, "power"),
                          fmt(alt.metrics.cost_usd_per_hour, "cost"), alt.why_not)
        console.print(table)
    if plan.pareto_front:
        front = Table(title="trade-off front (meets every bound; * = chosen)")
        for column in ("", "configuration", "latency", "power", "cost", "accuracy"):
            front.add_column(column)
        for point in plan.pareto_front:
            p, m = point.choice, point.metrics
            _plain_row(front, "*" if point.chosen else "",
                       f"{p.model_id} · {p.device_id} · {p.precision} · b{p.batch_size} · {p.layout()}",
                          fmt(m.latency_ms, "latency"), fmt(m.power_w, "power"), fmt(m.cost_usd_per_hour, "cost"),
                          fmt(m.accuracy, "accuracy"))
        console.print(front)
    for section in plan.policies:
        params = ", ".join(f"{k}={v}" for k, v in section.parameters.items())
        _section(console, f"policy: {section.name}", [params, f"caused by: {section.caused_by}"])
    if not plan.policies:
        _section(console, "policies", ["none requested (watermarking, differential privacy and compliance are off)"])
    _section(console, "steps", [f"{i}. {step}" for i, step in enumerate(plan.steps, 1)])
    _section(console, "assumptions", plan.assumptions)
    s = plan.solver
    gap = f" (feasible, not proven optimal: gap {s.gap:.2%})" if s.status != "OPTIMAL" else ""
    console.print(f"[dim]solver {s.status}{gap} · {escape(s.objective)} · {s.candidates} candidates · "
                  f"time limit {s.time_limit_s:g}s · seed {s.seed} · catalog {plan.catalog_hash}[/dim]")


def _metrics_table(plan: ExecutionPlan) -> Table:
    table = Table(title="predicted (whole deployment)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("source")
    for metric, field in METRIC_ROWS:
        _plain_row(table, metric, fmt(getattr(plan.metrics, field), metric), plan.metrics.provenance.get(field, ""))
    m = plan.metrics
    if m.ttft_ms is not None:
        _plain_row(table, "time to first token", fmt(m.ttft_ms, "latency"),
                   m.provenance.get("ttft_ms", "model (prefill + one decode step)"))
        _plain_row(table, "time per output token", fmt(m.tpot_ms, "latency"),
                   m.provenance.get("tpot_ms", "model (one decode step)"))
        _plain_row(table, "output tokens/s", f"{m.tokens_per_s:,.0f}", "model (all replicas)")
        if m.usd_per_mtok is not None:
            _plain_row(table, "cost per million tokens", fmt(m.usd_per_mtok, "token_cost"), "cost / output tokens")
    if plan.intent.workload.concurrency:
        _plain_row(table, "concurrency", f"{m.concurrency:,}", "sequences held at once, all replicas")
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
        console.print(f"  {line}", highlight=False, markup=False)  # data, never markup


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


def devices_table(catalog) -> Table:
    table = Table(title=f"devices ({len(catalog.devices)})")
    for column in ("id", "class", "form", "fp16 TFLOPS", "int8 TOPS", "memory GB", "GB/s", "TDP W", "$/h cloud", "placements"):
        table.add_column(column)
    for d in sorted(catalog.devices.values(), key=lambda d: d.id):
        _plain_row(table, d.id, d.device_class, d.form_factor, _num(d.peak.get("fp16")), _num(d.peak.get("int8")),
                      _num(d.memory_gb), _num(d.memory_bandwidth_gbs), _num(d.tdp_w), _num(d.cloud_usd_per_hour),
                      ",".join(p.value for p in d.placements))
    return table


def models_table(catalog) -> Table:
    table = Table(title=f"models ({len(catalog.models)})")
    for column in ("id", "task", "kind", "params M", "GFLOPs", "accuracy fp32"):
        table.add_column(column)
    for m in sorted(catalog.models.values(), key=lambda m: (m.task, m.id)):
        _plain_row(table, m.id, m.task, m.kind.value, _num(m.params_m), _num(m.gflops), _num(m.accuracy.get("fp32")))
    return table


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


def show_fleet(plan, console: Console) -> None:
    """A fleet plan: placements, what was not placed and why, and pool utilisation."""
    t = plan.totals
    cost = (f"${t.cost_usd_per_hour:,.2f}/h" + ("" if t.cost_known else " for the priced devices")
            if t.cost_known or t.cost_usd_per_hour else "cost unknown (no prices)")
    console.print(Panel.fit(
        f"[bold]{t.slo_met} of {t.workloads} workloads meet their SLOs[/bold] · {t.placed} placed\n"
        f"served {t.served_rps:,.1f} of {t.requested_rps:,.1f} req/s · {t.power_w:,.0f} W · {cost}\n"
        f"objective: SLOs met by priority, then {plan.objective} · solver {plan.solver.status}"
        + _fleet_levels(plan.solver), title="fleet plan", border_style="green"))
    table = Table(title="placements")
    for column in ("workload", "pool", "configuration", "SLO -> predicted", "power", "met"):
        table.add_column(column)
    for a in plan.assignments:
        if a.kind == "training":
            slo = f"{a.job_hours:,.1f} h" + (f" (deadline {a.deadline_hours:g} h)" if a.deadline_hours else "")
        else:
            slo = (f"{a.requested_rps:,.4g} -> {a.served_rps:,.4g} req/s; {fmt(a.latency_ms, 'latency')}"
                   + (f" (≤ {a.latency_slo_ms:g} ms)" if a.latency_slo_ms else ""))
        _plain_row(table, f"{a.workload} (p{a.priority})", f"{a.pool}: {a.slots} slot(s)",
                      f"{a.model_id} {a.precision} b{a.batch_size} x{a.replicas}", slo,
                      fmt(a.power_w, "power"), "yes" if a.slo_met else Text("no", style="red"))
    console.print(table)
    if plan.unplaced:
        _section(console, "not placed in full", [f"{u.workload} (priority {u.priority}): {u.reason}"
                                                 for u in plan.unplaced])
    use = Table(title="utilisation per pool")
    for column in ("pool", "devices", "slots used", "allocated", "busy", "power"):
        use.add_column(column)
    for u in plan.utilisation:
        _plain_row(use, u.pool, str(u.devices), f"{u.slots_used} / {u.slots}", f"{u.allocated:.0%}", f"{u.busy:.0%}",
                    fmt(u.power_w, "power") if u.slots_used else "—")
    console.print(use)
    _section(console, "assumptions", plan.assumptions)
