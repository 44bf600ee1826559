"""Answers to the chat's questions, worked out by planning, never by rewording the plan:

- "why this one?": the objective and its value, how each bound stands, and the runner-up;
- "why not a single H100?": the configuration asked about is planned (one device of it when
  the question says so), and the answer says why it loses, or that it cannot meet the request
  and why;
- "make it cheaper": each thing in the request that could hold the cost up (each bound, each
  compliance regime, the hardware choice, the deployment, the precisions) is dropped
  in turn and the request planned again; the answer names those whose removal gives a cheaper
  plan, with what it saves and what it costs on the relaxed metric.
"""

from __future__ import annotations

import re

from intent.chat_answers import (
    batch_job,
    configuration,
    levels_in,
    metric_name,
    metric_value,
    objective_of,
    placement_name,
    say,
    why_not_in,
)
from intent.chat_language import DUTY, FAILURE, VERDICT
from intent.schema import Intent, Metric
from planner.figures import fmt

#: A plan cheaper by less than this share is the same price (rounding, not a saving).
SAME_PRICE = 0.005


def deployment_value(plan, metric: str) -> float | None:
    return metric_value(plan, metric)


def why(plan, lang: str) -> str:
    """Why the plan is the one chosen: its objective, its bounds, the next best."""
    metric, sense = objective_of(plan)
    c = plan.choice
    from intent.chat_answers import labels
    from intent.render import devices_in_total

    value = deployment_value(plan, metric)
    if plan.job is not None and metric in ("cost", "job_cost", "latency", "job_time"):  # a job: its total or hours
        metric = "job_time" if metric in ("latency", "job_time") else "job_cost"
        value = plan.job.hours if metric == "job_time" else plan.job.cost_usd
    if value is None:  # "目标是最小化成本：未知": no figure, so the tie-breakers chose it (said with them)
        lines = [say("why_head_unknown", lang, model=c.model_id, devices=devices_in_total(c), device=c.device_id,
                     metric=metric_name(metric, lang), levels=", ".join(plan.solver.tie_breakers[:4]))]
    else:
        lines = [say("why_head", lang, model=c.model_id, devices=devices_in_total(c), device=c.device_id,
                     sense=labels(lang)[sense], metric=metric_name(metric, lang), value=fmt(value, metric))]
    for check in plan.constraints:
        lines.append("  " + say("why_bound", lang, bound=check.constraint.describe(),
                                predicted=fmt(check.predicted, check.constraint.metric.value),
                                binds=say("why_binds", lang) if check.binding else ""))
    runner_up = next((a for a in plan.alternatives if a.feasible), None)
    if runner_up is None and plan.job is not None:
        lines.append("  " + say("why_job_no_runner_up", lang))
    elif runner_up is None and plan.intent.hardware.preferred:  # the preference, not the bounds, left the others out
        lines.append("  " + say("why_no_runner_up_preferred", lang, preferred=", ".join(plan.intent.hardware.preferred)))
    elif runner_up is None:
        lines.append("  " + say("why_no_runner_up", lang))
    else:
        value = metric_value(plan, metric, runner_up.metrics)
        lines.append("  " + say("why_runner_up", lang, configuration=configuration(runner_up.choice),
                                metric=metric_name(metric, lang), value=fmt(value, metric),
                                why_not=why_not_in(runner_up.why_not, lang)))
    return "\n".join(lines)


#: What a question about the plan's figures asks about, in the order answered (TTFT before latency:
#: "first token latency" is the TTFT).
TOPICS = (
    ("verdict", VERDICT.pattern),
    ("duty", DUTY.pattern),
    ("failure", FAILURE.pattern),
    ("redundancy", r"redundan|failover|fail-over|n\+1|spare|standby|冗余|热备|备份副本|容灾|高可用"),
    ("headroom", r"handle (?:it|the load|that|the traffic|the peak)|hold up|cope|headroom|saturat|utili[sz]ation|utili[sz]ed|"
                 r"how busy|load factor|扛住|扛得住|撑住|撑得住|顶得住|余量|跑满|饱和|利用率|使用率|负载率"),
    ("job", r"per job|a job\b|each job|每次任务|how long(?!.{0,30}(?:end[- ]to[- ]end|one answer|an answer|a reply|one reply|each request|a request|"
            r"per request|each answer|one response))|when will it finish|how many (?:hours|days|minutes|weeks)|job time|job cost|total cost|in total|whole (?:run|job)|entire (?:run|job)|"
            r"altogether|all in|多长时间|多久|多少小时|多少天|几天|几个小时|总成本|总费用|一共多少钱|总共|一共|全部|"
            r"(?:training|job|run|fine-?tun\w*) (?:cost|take)|训练(?:要|需要)?(?:多少钱|多久|花多少)|总能耗|总耗电"),
    ("concurrency", r"concurren|at once|at the same time|how many users|并发|同时在线|多少用户|多少人"),
    # "一天能出多少张", "每秒能出多少token", "how many images a day?": what the plan serves in a period
    ("volume", r"能(?:出|生成|处理|输出|产出|跑)多少|how many (?:images|requests|items|documents|docs|frames|tokens|answers|"
               r"transcriptions|pictures) (?:can it |does it |will it |could it )?(?:do |serve |make |generate |process )?"
               r"(?:a|per|each|an|in a|in an) (?:second|minute|hour|day)|tokens? (?:per|a) second (?:can|does|will)"),
    ("devices", r"how many|多少张|几张|几块|多少块|多少台|几台|多少卡|几卡|多少个"),
    ("bottleneck", r"bottleneck|what limits|bound by|瓶颈"),
    ("per_user", r"per user|each user|a user|per head|每个用户|每用户|每人|每位用户|人均"),
    ("per_item", r"(?:cost|price|how much)\W+(?:\w+\W+){0,2}?(?:per|each|an?)\s+(?:image|request|item|document|doc|call|query|"
                 r"inference|prediction|transcription|page|frame|photo)\b|每(?:张|条|次|个|篇|份)(?:图|请求|图片)?(?:成本|多少钱|费用)"),
    ("per_device", r"per device|per card|per gpu|per chip|each device|each card|each gpu|每张卡|每卡|单卡|每个设备|每块"),
    ("month", r"per month|a month|monthly|^\W*month\W*$|/\s*(?:month|mo)\b|每月|一个月|每个月|/\s*月"),
    ("electricity", r"electric|power bill|energy bill|energy cost|cost of (?:the )?(?:power|energy)|kwh|kilowatt|电费|电力成本|"
                    r"用电成本|千瓦时|度电|多少度"),
    ("budget", r"budget|(?:cheap|affordable) enough|够便宜|预算"),
    ("day", r"per day|a day|daily|每天|一天"),
    ("year", r"per year|a year|yearly|annual|每年|一年"),
    ("token_cost", r"per million tokens|per mtok|/mtok|per 1m tokens|per (?:1k|1,000|thousand|1000) tokens|"
                   r"(?:cost|price|how much|\$)\W+(?:\w+\W+){0,3}?(?:per|a|each) tokens?\b|每百万token|每百万 token|百万token|"
                   r"每千token|每个?token.{0,3}(?:成本|多少钱|费用|价格)|token.{0,2}(?:成本|单价|价格)"),
    ("precision", r"precision|fp8|fp16|bf16|fp32|int8|int4|quantiz|精度|量化"),
    ("policies", r"watermark|privacy|epsilon|hipaa|gdpr|pci|soc ?2|compliance|compliant|水印|隐私|差分|合规"),
    ("accuracy_loss", r"accuracy (?:loss|drop|hit)|lose\b.{0,20}accuracy|how much accuracy|精度损失|掉点|精度下降|精度会掉|"
                      r"损失多少精度|精度损失多少|掉多少"),
    ("model", r"what model|which model|the model\b|模型"),
    ("steps", r"deploy|steps|roll ?out|set (?:it )?up|部署|上线|步骤"),
    ("device", r"nvidia|amd|intel|gpu|cpu|tpu|npu|board|device|chip|hardware|on-?prem|cloud|"
               r"where (?:does|will|would) it run|where is it (?:running|deployed)|"
               r"英伟达|显卡|什么卡|哪种卡|哪张卡|哪个设备|什么设备|哪块|云上还是|本地还是|部署在哪"),
    ("bounds", r"\bmet\b|meet|satisf|(?:fast|quick|good) enough|够快|够不够快|满足|达标|符合|constraints|requirements|"
               r"\bbounds\b|约束|要求是什么|有哪些要求|现在的要求"),
    ("memory", r"memory|vram|does it fit|(?:can|will) it fit|\bfits?\b|显存|内存|放得下|装得下"),
    ("ttft", r"ttft|first token|首token|首字"),
    ("tpot", r"tpot|per token|per output token|每token|每字"),
    ("latency", r"latency|p9[059]|p99\.9|tail|end[- ]to[- ]end|one answer|a reply|each request|延迟|时延"),
    ("throughput", r"throughput|requests per second|rps|qps|吞吐|每秒.{0,4}(?:请求|处理)|多少请求|处理多少"),
    ("power", r"power|watts|功耗|耗电|功率"),
    ("cost", r"cost|price|expensive|how much money|成本|费用|价格|贵|多少钱|花多少|要多少钱"),
    ("accuracy", r"accuracy|accurate|准确率|准确度|精度|准不准|效果怎么样"),
    ("energy", r"energy|joules|能耗"),
)
HOURS_A_MONTH = 730  # 8,760 hours a year / 12
#: The period a volume question asks about, in seconds, and how each language says it.
VOLUME_PERIODS = ((r"day|一天|每天|日", 86_400, "a day", "一天"), (r"hour|小时", 3600, "an hour", "一小时"),
                  (r"minute|分钟", 60, "a minute", "一分钟"), (r"second|秒", 1, "a second", "每秒"))


def _volume(plan, question: str, lang: str) -> str:
    """What the plan can serve over the period a question asks ("一天能出多少张": its throughput x 86,400 s), in
    requests or, asked of tokens, generated tokens; and the load the request asked for, where it states one."""
    from planner.defaults import whole_load

    m = plan.metrics
    seconds, period = next(((s, zh if lang == "zh" else en) for words, s, en, zh in VOLUME_PERIODS
                            if re.search(words, question)), (1, "每秒" if lang == "zh" else "a second"))
    tokens = "token" in question and m.tokens_per_s is not None
    volume = (m.tokens_per_s if tokens else m.throughput_rps) * seconds
    what = ("tokens" if tokens else "requests") if lang != "zh" else ("个 token" if tokens else "个请求")
    asked = whole_load(plan.intent)[0].bound(Metric.THROUGHPUT, ">=")
    load = "" if asked is None else (f"; the load asked is {asked * seconds:,.0f} {period}" if lang != "zh"
                                      else f"；要求的负载是{period} {asked * seconds:,.0f} 个请求")
    return say("explain_volume", lang, volume=f"{volume:,.0f}" if volume >= 10 else f"{volume:.3g}", what=what,
               period=period, rate=f"{m.throughput_rps:.4g}", load=load)


def explain(plan, question: str, lang: str, catalog=None) -> str:
    """The plan's figures a question asks about ("how many GPUs is that?", "explain the latency
    number", "显存够吗？"), each with where it comes from; why the plan, when it names none."""
    import re

    from intent.chat_answers import labels
    from intent.render import METRIC_FIELDS, TOKEN_SOURCES, devices_in_total, layout

    c, m = plan.choice, plan.metrics
    asked = [topic for topic, words in TOPICS if re.search(words, question)]
    if "ttft" in asked or "tpot" in asked:
        asked = [t for t in asked if t != "latency"]
    elif "latency" in asked and m.tpot_ms is not None:  # "latency?" of a served LLM: its first token and each one too
        asked = [t if t != "latency" else "ttft" for t in asked] + ["tpot", "latency"]
    is_job = plan.job is not None or batch_job(plan) is not None
    monthly = "month" in asked
    if "per_user" in asked:  # "每个用户每月成本多少": the per-user figure answers it, not the totals too
        asked = [t for t in asked if t not in ("month", "cost", "day", "year")]
    if "day" in asked or "year" in asked or ("month" in asked and not is_job):
        asked = [t for t in asked if t != "cost"]
    if "month" in asked and is_job:  # "一个月多少钱？" of a one-off job: its total, said to be one
        asked = ["one_off", "job", *[t for t in asked if t not in ("month", "job")]]
    hourly = re.search(r"per hour|an hour|hourly|/h\b|每小时|一小时", question)
    if is_job and ("cost" in asked or "energy" in asked) and not hourly and "per_user" not in asked \
            and "month" not in asked:
        asked = [t for t in asked if t not in ("cost", "energy")] + (["job"] if "job" not in asked else [])
        if "energy" in [t for t, words in TOPICS if re.search(words, question)]:
            asked.append("job_energy")  # "energy use of the whole run?", "总能耗多少？": the job's, in kWh
    if "job" in asked and is_job:  # the job's, not the hourly rate
        asked = [t for t in asked if t not in ("cost", "latency")]
    if "duty" in asked:  # "what if we only run it 8 hours a day?": the cost at those hours
        asked = ["duty"]
    if "verdict" in asked:  # "is this good?": the plan judged as a whole
        asked = ["verdict"]
    if "failure" in asked or "redundancy" in asked:  # "what if one of them dies?", "does that include redundancy?"
        asked = ["redundancy"] if "redundancy" in asked else ["failure"]
    if "concurrency" in asked:  # "能支持多少并发?", "how many users at once?": not the devices
        asked = [t for t in asked if t != "devices"]
    if "token_cost" in asked:  # "what's the cost per million tokens?", "cost per token?": not the hourly rate
        asked = [t for t in asked if t not in ("cost", "tpot")]
    if "policies" in asked and re.search(r"watermark|水印|privacy|隐私|hipaa|gdpr|合规", question):
        asked = ["policies"]  # "what does the watermark cost in latency?": the policy's own, not the plan's figures
    if "volume" in asked:  # "一天能出多少张": the served rate over the period asked, not the devices or the daily cost
        per_second = not re.search(r"day|hour|minute|天|小时|分钟", question) and "token" not in question
        asked = ["throughput"] if per_second and "throughput" in asked else ["volume"]  # "每秒能处理多少请求"
    if "per_item" in asked:  # "what's the cost per image?": the hourly cost over the requests an hour
        asked = ["per_item"]
    if "per_device" in asked:  # "power per device?": the figures of one device; "memory per gpu?" the memory, per device
        asked = ["memory"] if "memory" in asked else ["per_device"] + [t for t in asked if t in ("power", "cost")]
    if "electricity" in asked:  # "how much is the electricity per day?": power x hours x price, not the hourly cost
        asked = ["electricity"]
    if "budget" in asked:  # "is it under budget?": the cost bounds' checks
        asked = [t for t in asked if t not in ("cost", "bounds", "month", "day", "year")]
    if "job" in asked and "devices" in asked and re.search(r"cards?|gpus?|devices?|chips?|nodes?|machines?|servers?|"
                                                          r"卡|设备|机器|台|服务器", question):
        asked = [t for t in asked if t != "job"]  # "how many cards in total?", "一共多少张卡？": the devices
    if "job" in asked:  # "how many hours will it take?": the job's time, not the devices
        asked = [t for t in asked if t != "devices"]
    if "accuracy_loss" in asked:  # "how much accuracy do we lose?": the loss, not the figures
        asked = ["accuracy_loss"]
    if "bounds" in asked:  # "is the TPOT bound met?": the bounds' checks answer it; "符合HIPAA吗？" the policies
        asked = ["policies"] if "policies" in asked else [t for t in asked if t in ("bounds", "memory")]
    lines = []
    for topic in asked:
        if topic == "job" and plan.job is not None:
            lines.append(say("explain_job", lang, hours=fmt(plan.job.hours, "job_time"),
                             cost=fmt(plan.job.cost_usd, "job_cost"), devices=plan.job.devices, device=c.device_id))
        elif topic == "job" and (batch := batch_job(plan)) is not None:
            from intent.render import devices_in_total as total_devices

            lines.append(say("explain_job", lang, hours=fmt(batch[0], "job_time"),
                             cost=fmt(batch[1], "job_cost") if batch[1] is not None else "?",
                             devices=total_devices(c), device=c.device_id))
        elif topic == "job" and len(asked) == 1:  # "how long will it take?" of a service: it runs until stopped
            lines.append(say("explain_service_no_end", lang, hourly=fmt(m.cost_usd_per_hour, "cost")
                             if m.cost_usd_per_hour is not None else say("unknown_value", lang)))
        elif topic == "job":
            continue  # a service runs on: its figures per hour answer the rest of the question
        elif topic == "per_item":
            lines.append(_per_item(plan, lang))
        elif topic == "volume":
            lines.append(_volume(plan, question, lang))
        elif topic == "per_device":
            devices = max(1, devices_in_total(c))
            lines.append(say("explain_per_device", lang, devices=devices,
                             power=fmt(m.power_w / devices, "power") if m.power_w is not None else say("unknown_value", lang),
                             cost=fmt(m.cost_usd_per_hour / devices, "cost") if m.cost_usd_per_hour is not None
                             else say("unknown_value", lang)))
            break
        elif topic == "electricity":
            lines.append(_electricity(plan, question, lang))
        elif topic == "budget":
            lines += _budget(plan, lang)
        elif topic == "job_energy":
            energy = plan.job.energy_kwh if plan.job is not None else None
            lines.append(say("explain_job_energy", lang, energy=f"{energy:,.1f} kWh" if energy is not None
                             else say("unknown_value", lang)))
        elif topic == "headroom":
            lines.append(headroom(plan, lang, question))
        elif topic == "failure":
            lines.append(failure(plan, lang))
        elif topic == "duty":
            lines.append(_duty(plan, question, lang))
        elif topic == "verdict":
            lines += _verdict(plan, lang)
        elif topic == "redundancy":
            w = plan.intent.workload
            spare = (w.spare_replicas or 0) + max(0, (w.min_replicas or 0) - 1)
            lines.append(say("explain_redundancy", lang, replicas=plan.choice.replicas, spare=spare) if spare
                         else failure(plan, lang))
        elif topic == "devices":
            lines.append(say("explain_devices", lang, devices=devices_in_total(c), device=c.device_id,
                             layout=layout(c, lang)))
        elif topic == "concurrency" and m.concurrency:
            lines.append(say("explain_concurrency", lang, sequences=f"{m.concurrency:,}", replicas=c.replicas,
                             batch=c.batch_size))
        elif topic == "precision":
            lines.append(say("explain_precision", lang, precision=c.precision, runtime=c.runtime))
        elif topic == "policies":
            named = _regimes_not_asked(plan, question, lang) + _privacy(plan, question, lang)
            lines += named or [_policies(plan, lang)]  # "是否还符合HIPAA？": the regime asked, not the list
            lines += _watermark_time(plan, question, lang)
        elif topic == "steps":
            lines += [say("explain_steps", lang)] + [f"  {n}. {step}" for n, step in enumerate(plan.steps, 1)]
        elif topic == "accuracy_loss":
            lines.append(_accuracy_loss(plan, question, lang, catalog))
        elif topic == "model":
            lines.append(say("explain_model", lang, model=c.model_id, task=plan.intent.task.value if plan.intent.task
                             else "?", precision=c.precision))
        elif topic == "device":
            lines.append(say("explain_device", lang, devices=devices_in_total(c), device=c.device_name,
                             kind=_device_class(c.device_id, catalog), placement=placement_name(c.placement, lang)))
        elif topic == "bounds":
            lines += [say("explain_check", lang, bound=k.constraint.describe(),
                          predicted=fmt(k.predicted, k.constraint.metric.value),
                          held=say("held" if k.slack is None or k.slack >= 0 else "not_held", lang))
                      for k in plan.constraints] or [say("explain_no_bounds", lang)]
        elif topic == "bottleneck":
            lines.append(say("explain_bound", lang, bound=labels(lang).get("bounds", {}).get(m.bound_by, m.bound_by)))
        elif topic in ("day", "year") and m.cost_usd_per_hour is not None:
            hours = 24 if topic == "day" else 8760
            lines.append(say("explain_period", lang, total=fmt(m.cost_usd_per_hour * hours, "job_cost"),
                             period=say(f"period_{topic}", lang), hourly=fmt(m.cost_usd_per_hour, "cost"), hours=hours))
        elif topic == "per_user":
            lines.append(_per_user(plan, lang, monthly))
        elif topic == "one_off":
            lines.append(say("explain_one_off", lang))
        elif topic == "month" and m.cost_usd_per_hour is None:
            lines.append(say("explain_month_unknown", lang, device=c.device_id))
        elif topic == "month":
            lines.append(say("explain_month", lang, month=fmt(None if m.cost_usd_per_hour is None else
                                                                  m.cost_usd_per_hour * HOURS_A_MONTH, "job_cost"),
                             hourly=fmt(m.cost_usd_per_hour, "cost"), hours=HOURS_A_MONTH))
        elif topic == "memory" and (m.memory_per_device_gb is not None or plan.job is not None):
            # a training job's memory is each device's share of its state (it had been "84.00 GB (—)")
            capacity = _capacity(c.device_id, catalog)
            used = m.memory_per_device_gb if m.memory_per_device_gb is not None else m.memory_gb
            sold = _device(c.device_id, catalog).memory_gb if capacity is not None else None
            lines.append(say("explain_memory", lang, used=fmt(used, "memory"), device=c.device_id,
                             capacity=fmt(capacity, "memory") + (f" ({sold.value:g} GiB)" if sold is not None else "")))
        else:
            field = METRIC_FIELDS.get(topic)
            if field is None:
                continue
            source = m.provenance.get(field, "") or TOKEN_SOURCES.get(field, "")
            if topic == "cost" and plan.cost is not None:
                source = "; ".join(x for x in (plan.cost.basis, plan.cost.rule) if x)
            figure = getattr(m, field)
            lines.append(say("explain_metric", lang, metric=metric_name(topic, lang),
                             value=fmt(figure, topic) if figure is not None else say("unknown_value", lang),
                             source=source or "—"))
    if lines:
        return "\n".join(lines)
    return why(plan, lang) if _about_the_plan(question) else say("off_topic", lang)


#: What a question with no topic of the plan may hold and still ask why the plan is so: "explain",
#: "what's that?", "explain the plan", "这是什么方案？".
ABOUT_THE_PLAN = re.compile(r"how much|how many|explain|what's|whats|what is|what are|which|what|is there|so|and|ok|"
                            r"okay|it|this|that|the|plan|choice|one|configuration|setup|about|again|please|here|"
                            r"there|方案|这个|那个|这|那|是|什么|解释|一下|下|请|吗|呢|的|[\s?？!！.,，。'\"]")


def _about_the_plan(question: str) -> bool:
    """Whether a question that names no figure of the plan is about the plan as a whole ("explain
    that", "what's this?") rather than about something else ("what's the weather in Paris?")."""
    words = re.findall(r"[a-z]+(?:'s)?|[\u4e00-\u9fff]+", question.lower())
    return all(ABOUT_THE_PLAN.fullmatch(w) if w.isascii() else not ABOUT_THE_PLAN.sub("", w) for w in words)


def _accuracy_loss(plan, question: str, lang: str, catalog) -> str:
    """What the plan's format (or one the question names: "量化到int4精度损失多少？") loses against the
    model's full-precision figure, published where the catalog gives it, else estimated."""
    from hardware import load_catalog
    from planner.perf.factors import load_factors
    from planner.perf.roofline import reference_accuracy

    model = (catalog or load_catalog()).model(plan.choice.model_id)
    named = re.search(r"fp32|fp16|bf16|fp8|int8|int4", question)
    precision = named.group() if named else plan.choice.precision
    full = reference_accuracy(model)
    figure = model.accuracy.get(precision) or (model.accuracy.get("fp16") if precision == "bf16" else None)
    basis = "published" if figure is not None else "estimated"
    value = figure.value if figure is not None else (
        None if full is None or precision not in load_factors().accuracy_drop
        else full - load_factors().accuracy_drop[precision])
    if full is None or value is None:
        return say("explain_loss_unknown", lang, model=model.id, precision=precision)
    return say("explain_loss", lang, model=model.id, precision=precision, value=f"{value:.2%}", full=f"{full:.2%}",
               points=f"{(full - value) * 100:.2f}", basis=say(f"basis_{basis}", lang))


def _per_user(plan, lang: str, monthly: bool) -> str:
    """The cost a user (a concurrent user, a source) bears: the deployment's cost over them, a month's
    where asked ("每个用户每月成本多少"); said so when the request counts no users."""
    m = plan.metrics
    users = plan.intent.workload.concurrency or plan.intent.workload.sources
    if m.cost_usd_per_hour is None:
        return say("explain_month_unknown", lang, device=plan.choice.device_id)
    if not users:
        return say("explain_per_user_none", lang)
    hours = HOURS_A_MONTH if monthly else 1
    total = m.cost_usd_per_hour * hours
    # both as amounts ("$0.494 an hour"), the period said once ("$0.494/h an hour" had said it twice)
    return say("explain_per_user", lang, each=_amount(total / users), total=_amount(total),
               users=f"{users:,}", period=say("period_month" if monthly else "period_hour", lang))


def _per_item(plan, lang: str) -> str:
    """The cost of one request: the hourly cost over the requests an hour at the rate asked (or at the plan's
    full rate where none is)."""
    from planner.defaults import whole_load

    m = plan.metrics
    batch = batch_job(plan)
    if batch is not None and batch[1] is not None:  # a batch job: its whole cost over its items
        records = plan.intent.workload.dataset_records
        return say("explain_per_item_job", lang, each=_per_items(batch[1] / records, lang), total=fmt(batch[1], "job_cost"),
                   items=f"{records:,}")
    rate = whole_load(plan.intent)[0].bound(Metric.THROUGHPUT, ">=") or (m.service_rps or m.throughput_rps
                                                                          if hasattr(m, "service_rps") else m.throughput_rps)
    if m.cost_usd_per_hour is None or not rate:
        return say("explain_per_item_unknown", lang)
    return say("explain_per_item", lang, each=_per_items(m.cost_usd_per_hour / (rate * 3600), lang),
               hourly=fmt(m.cost_usd_per_hour, "cost"), rate=fmt(rate, "throughput"))


def _per_items(usd: float, lang: str) -> str:
    """A cost of one item, said per thousand or per million items where one item's is under a tenth of a cent."""
    for count, name in ((1, None), (1_000, "1,000"), (1_000_000, "1,000,000")):
        if usd * count >= 1e-3 or count == 1_000_000:
            per = say("per_items", lang, n=name) if name else say("per_item", lang)
            return f"{_amount(usd * count)} {per}"
    return _amount(usd)


def _amount(usd: float) -> str:
    """An amount of dollars, three figures below a dollar ("$0.012", not "$0.01")."""
    return f"${usd:.3g}" if abs(usd) < 1 else fmt(usd, "job_cost")


#: A question of how much of the capacity is used ("what's the utilization?", "利用率多少？"), not whether it holds.
SHARE_ASKED = re.compile(r"utili[sz]|how busy|load factor|headroom|spare capacity|利用率|使用率|负载率|余量")


def headroom(plan, lang: str, question: str = "") -> str:
    """Whether the plan holds its load ("能扛住吗", "can it handle the load?"): its capacity (each
    replica's full rate) against the rate asked; the share in use, first, when that is what is asked."""
    text = _headroom(plan, lang)
    if SHARE_ASKED.search(question.lower()):
        text = re.sub(r"^(?:yes|no|能|不能)[:：]\s*", "", text)
        full = re.search(r"(\d+)% of its capacity|占其能力的 (\d+)%", text)
        if full and int(full.group(1) or full.group(2)) >= 100:  # "how much headroom?" at full load: none
            text = f"{text}; {say('headroom_none_left', lang)}"
    return text


def _headroom(plan, lang: str) -> str:
    from planner.defaults import whole_load

    m, c = plan.metrics, plan.choice
    asked = whole_load(plan.intent)[0].bound(Metric.THROUGHPUT, ">=")  # of every source ("32路，每路30帧")
    capacity = (m.service_rps or m.throughput_rps) if hasattr(m, "service_rps") else m.throughput_rps
    task = plan.intent.task.value if plan.intent.task else ""
    if asked is None and plan.intent.workload.concurrency and task == "automatic-speech-recognition":
        from intent.parser.fields import AUDIO_WINDOW_S

        asked = plan.intent.workload.concurrency / AUDIO_WINDOW_S  # live streams: a window each per window's length
    if asked is None and plan.intent.workload.concurrency and m.concurrency:
        load = say("users_at_once", lang, n=f"{plan.intent.workload.concurrency:,}")
        capacity_text = say("users_at_once", lang, n=f"{m.concurrency:,}")
        key = "explain_headroom" if m.concurrency >= plan.intent.workload.concurrency else "explain_headroom_short"
        share = f"{plan.intent.workload.concurrency / m.concurrency:.0%}"
        return say(key, lang, capacity=capacity_text, load=load, share=share, replicas=c.replicas)
    if asked is None or not capacity:
        return say("explain_headroom_none", lang, capacity=fmt(capacity, "throughput"))
    key = "explain_headroom" if capacity >= asked * (1 - 1e-9) else "explain_headroom_short"
    return say(key, lang, capacity=fmt(capacity, "throughput"), load=fmt(asked, "throughput"),
               share=f"{asked / capacity:.0%}", replicas=c.replicas)


def _verdict(plan, lang: str) -> list[str]:
    """The plan judged as a whole: whether it meets the request, what it is and costs, how busy it runs,
    the next best and why not, and what to check before trusting it."""
    from intent.render import devices_in_total

    c, m = plan.choice, plan.metrics
    missed = [k for k in plan.constraints if k.slack is not None and k.slack < 0]
    bounds = "; ".join(f"{k.constraint.describe()} ({fmt(k.predicted, k.constraint.metric.value)})"
                       for k in plan.constraints) or say("verdict_no_bounds", lang)
    cost = fmt(m.cost_usd_per_hour, "cost") if m.cost_usd_per_hour is not None else say("unknown_value", lang)
    month = fmt(m.cost_usd_per_hour * HOURS_A_MONTH, "job_cost") if m.cost_usd_per_hour is not None else "?"
    lines = [say("verdict_missed" if missed else "verdict_head", lang, bounds=bounds, model=c.model_id,
                 devices=devices_in_total(c), device=c.device_id, precision=c.precision, cost=cost, month=month)]
    if plan.job is None:
        lines.append(headroom(plan, lang, "utilization"))
    runner_up = next((a for a in plan.alternatives if a.feasible), None)
    if runner_up is not None:
        lines.append(say("verdict_runner_up", lang, configuration=configuration(runner_up.choice),
                         why_not=why_not_in(runner_up.why_not, lang)))
    lines.append(say("verdict_check", lang))
    return lines


def _duty(plan, question: str, lang: str) -> str:
    """The plan's cost run a stated number of hours a day: the hourly cost x those hours (a rented
    device stopped the rest of the day; one held is paid for whether it runs or not)."""
    found = DUTY.search(question)
    hours = float(found.group("h") or found.group("zh"))
    hourly = plan.metrics.cost_usd_per_hour
    if hourly is None or not 0 < hours <= 24:
        return say("explain_duty_unknown", lang, hours=f"{hours:g}")
    return say("explain_duty", lang, hours=f"{hours:g}", day=fmt(hourly * hours, "job_cost"),
               month=fmt(hourly * hours * HOURS_A_MONTH / 24, "job_cost"), hourly=fmt(hourly, "cost"),
               full=fmt(hourly * HOURS_A_MONTH, "job_cost"))


def failure(plan, lang: str) -> str:
    """What losing one device does to the plan: one replica down (every device of a replica holds part
    of it), the rest against the load asked; a spare the request holds takes its place."""
    from intent.render import devices_in_total
    from planner.defaults import whole_load

    c, m = plan.choice, plan.metrics
    used = devices_in_total(c)
    held = sum(o.count for o in plan.intent.hardware.owned) if plan.intent.hardware.owned else 0
    if held > used:
        return say("explain_failure_spare", lang, held=held, used=used)
    if c.replicas <= 1:
        return say("explain_failure_single", lang, devices=used)
    left = (c.replicas - 1) / c.replicas
    users = plan.intent.workload.concurrency
    asked = whole_load(plan.intent)[0].bound(Metric.THROUGHPUT, ">=")
    if asked is None and users and m.concurrency:
        capacity, load, enough = say("users_at_once", lang, n=f"{int(m.concurrency * left):,}"), \
            say("users_at_once", lang, n=f"{users:,}"), m.concurrency * left >= users
    elif asked is not None and m.throughput_rps:
        capacity, load, enough = fmt(m.throughput_rps * left, "throughput"), fmt(asked, "throughput"), \
            m.throughput_rps * left >= asked * (1 - 1e-9)
    else:
        return say("explain_failure_no_load", lang, replicas=c.replicas, left=c.replicas - 1)
    return say("explain_failure" if enough else "explain_failure_short", lang, replicas=c.replicas,
               left=c.replicas - 1, capacity=capacity, load=load)


def _electricity(plan, question: str, lang: str) -> str:
    """What the plan's power costs at the meter over the period asked (an hour when none): its
    power at the planned load x hours x the electricity price, x the facility's PUE off the edge."""
    from planner.perf.cost import load_cost_settings

    power = plan.metrics.power_w
    if power is None:
        return say("explain_electricity_unknown", lang, device=plan.choice.device_id)
    period = next((t for t in ("day", "month", "year") if re.search(dict(TOPICS)[t], question)), "hour")
    hours = {"hour": 1, "day": 24, "month": HOURS_A_MONTH, "year": 8760}[period]
    settings = load_cost_settings()
    pue = 1.0 if plan.choice.placement == "edge" else settings.pue.value
    kwh = power / 1000 * hours * pue
    return say("explain_electricity", lang, period=say(f"period_{period}", lang), kwh=f"{kwh:,.4g}",
               power=fmt(power, "power"), hours=f"{hours:g}", pue=f" x PUE {pue:g}" if pue != 1 else "",
               usd=fmt(kwh * settings.usd_per_kwh.value, "job_cost"), rate=f"{settings.usd_per_kwh.value:g}",
               cloud=say("electricity_in_cloud_price", lang) if plan.choice.placement == "cloud" else "")


def _budget(plan, lang: str) -> list[str]:
    """The budget's checks, or that the request states none (with what the plan costs)."""
    money = ("cost", "job_cost", "token_cost")
    budgets = [c for c in plan.intent.constraints if c.metric.value in money]
    if not budgets:
        cost = plan.metrics.cost_usd_per_hour
        return [say("explain_no_budget", lang, cost=fmt(cost, "cost") if cost is not None else say("unknown_value", lang))]
    checks = {k.constraint.describe(): k for k in plan.constraints if k.constraint.metric.value in money}
    return [say("explain_check", lang, bound=k.constraint.describe(), predicted=fmt(k.predicted, k.constraint.metric.value),
                held=say("held" if k.slack is None or k.slack >= 0 else "not_held", lang))
            if (k := checks.get(c.describe())) is not None else say("budget_unchecked", lang, bound=c.describe())
            for c in budgets]


#: Compliance regimes a question may name ("符合HIPAA吗？", "is this GDPR compliant?").
REGIMES = {"HIPAA": (r"hipaa|hippa", "hipaa"), "GDPR": (r"gdpr", "gdpr"), "PCI DSS": (r"pci", "pci-dss"),
           "SOC 2": (r"soc[\s-]?2", "soc2")}


#: Words that ask what a policy costs in time: "what does the watermark cost in latency?", "水印会增加多少延迟？".
TIME_ASKED = re.compile(r"latency|slow|delay|time|overhead|ms\b|延迟|时延|多慢|耗时|开销")


def _watermark_time(plan, question: str, lang: str) -> list[str]:
    """What the plan's watermark adds to each request, when the question asks about time: a text
    watermark's logit bias per generated token, an image's marking on the host (both in the plan's
    figures, policies/data/watermark.yaml)."""
    from policies.watermark import watermark_config, watermark_kind

    if not TIME_ASKED.search(question.lower()) or not any(p.name == "watermark" for p in plan.policies):
        return []
    config, kind = watermark_config(), watermark_kind(plan.intent.task.value if plan.intent.task else None)
    if kind == "text":
        return [say("watermark_time_text", lang, ms=f"{config['text']['overhead_ms_per_token']:g}")]
    if kind == "image":
        sizes = ", ".join(f"{size}: {ms:,.0f} ms" for size, ms in config["image"]["overhead_ms_by_size"].items())
        return [say("watermark_time_image", lang, sizes=sizes)]
    return [say("watermark_time_none", lang)]


def _regimes_not_asked(plan, question: str, lang: str) -> list[str]:
    """The regimes a question names: those the plan does not apply, with what each would add (where it
    may run, its first steps) and how to ask for them; those it applies, said to hold."""
    from policies.compliance import load_regime

    applied = " ".join(p.name for p in plan.policies).lower().replace("-", " ")
    out = []
    for name, (words, regime_id) in REGIMES.items():
        if not re.search(words, question):
            continue
        if re.search(words, applied):
            out.append(say("regime_applied", lang, regime=name, placement=placement_name(plan.choice.placement, lang)))
            continue
        regime = load_regime(regime_id)
        out.append(say("regime_not_asked", lang, regime=name, placements=", ".join(regime.placement.allowed),
                       steps="; ".join(step.rstrip(".") for step in [
                           *(regime.cloud_steps if plan.choice.placement == "cloud" else regime.elsewhere_steps),
                           *regime.steps][:3])))
    return out


def _privacy(plan, question: str, lang: str) -> list[str]:
    """Differential privacy asked about ("要加差分隐私吗？", "what's the epsilon?"): the plan's budget, or
    that it has none and what it is for."""
    if not re.search(r"differential privacy|(?<![a-z])dp(?![a-z])|epsilon|隐私|差分", question):
        return []
    dp = plan.intent.policies.differential_privacy
    if dp is None:
        return [say("privacy_none", lang)]
    return [say("privacy_applied", lang, epsilon=f"{dp.epsilon:g}" if dp.epsilon is not None else "?",
                delta=f"{dp.delta:g}" if dp.delta is not None else "?")]


def _policies(plan, lang: str) -> str:
    """The policies the plan applies (watermark, differential privacy, compliance), or none."""
    if not plan.policies:
        return say("explain_no_policies", lang)
    def described(p) -> str:
        figures = [f"{k} {v:.4g}" for k, v in p.parameters.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return f"{p.name} ({', '.join(figures[:3])})" if figures else p.name

    return say("explain_policies", lang, policies=", ".join(described(p) for p in plan.policies))


def _device_class(device_id: str, catalog) -> str:
    if catalog is None or device_id not in catalog.devices:
        return "?"
    device = catalog.devices[device_id]
    return f"{device.vendor} {device.device_class}"


def _device(device_id: str, catalog=None):
    """A device of the session's catalog (the packaged one when none is given), or None."""
    from hardware import load_catalog

    return (catalog or load_catalog()).devices.get(device_id)


def _capacity(device_id: str, catalog=None) -> float | None:
    """A device's memory, GB, in the session's catalog (the packaged one when none is given)."""
    device = _device(device_id, catalog)
    # in 10^9 bytes, the unit the plan's memory is in: an "80 GB" card holds 85.9 (it had read "84 GB of 80")
    return None if device is None or device.memory_gb is None else device.capacity_gb


def _holds(held: str, target: str, catalog) -> bool:
    """Whether devices held under ``held`` (an id or a family) are the ``target`` asked about: "what about 8
    H200?" of 2 H100 held is no more of them (it had planned 8 H100 held)."""
    if held in catalog.devices:
        return catalog.device(held).matches(target)
    return held == target or (target in catalog.devices and catalog.device(target).family == held)


def why_not(plan, what: str, single: bool, lang: str, plan_request, catalog,
            count: int | None = None, request: Intent | None = None, held: bool = False) -> tuple[str, Intent | None]:
    """Plan the configuration the question names (on at most ``count`` devices, when it counts
    them) and say how it compares with ``plan``, with the request it planned (None when none
    was planned: "ok use that" takes it). ``request`` is the request as the person wrote it (the
    plan's own intent holds what planning derived: a deadline's rate, a job's objective), which
    an accepted offer keeps. ``plan_request(intent, inventory)`` plans an Intent; InfeasibleError
    when nothing meets it."""
    from planner.errors import PlanningError

    target = device_named(what, catalog)
    if target is None:
        return say("why_not_unknown", lang, what=what), None
    current = catalog.device(plan.choice.device_id)
    if not single and not count and (target in (current.id, current.family)
                                     or (target not in catalog.devices and current.matches(target))):
        return say("why_not_same", lang, device=current.id), None  # "为什么不用TPU？" of a plan on a TPU
    label = say("single", lang, device=target) if single else f"{count} x {target}" if count else target
    request = request or plan.intent
    owned = [o for o in request.hardware.owned if o.device in (target, current.id, current.family)
             and _holds(o.device, target, catalog)] if count else []
    hardware = request.hardware.model_copy(update={"include": [target], "exclude": [], "owned": [],
                                                   "max_devices": count, "preferred": []})
    if owned:  # "what if we had 16 L40S?" of the L40S held: 16 held, not 16 rented
        hardware = request.hardware.model_copy(update={"owned": [owned[0].model_copy(update={"count": count})]})
    elif held and count and (target in catalog.devices or target in getattr(catalog, "families", {})):
        # "what if we only have 2 L40S?": those held (taking the offer had rented them); a class ("16 GPUs") caps
        from intent.schema import OwnedDevice

        hardware = hardware.model_copy(update={"owned": [OwnedDevice(device=target, count=count)], "max_devices": None})
    intent = request.model_copy(update={"hardware": hardware})
    inventories = _one_of_each(target, plan.choice.placement, catalog) if single else [(None, True)]
    for inventory, priced in inventories:
        try:
            other = plan_request(intent, inventory)
        except PlanningError as exc:
            failure = exc
            continue
        budget = next((c for c in request.constraints if c.metric == Metric.COST and c.op == "<="), None)
        if not priced and budget is not None:  # an unpriced device cannot be said to meet a budget
            return say("why_not_unpriced_budget", lang, target=label, configuration=configuration(other.choice),
                       bound=budget.describe()), intent
        if not priced and objective_of(plan)[0] == "cost":
            return say("why_not_unpriced", lang, target=label, configuration=configuration(other.choice)), intent
        use = None if not count else (f"我们有{count}张{target}" if lang == "zh" else f"we have {count} {target}") if held \
            else (f"最多用{count}张{target}" if lang == "zh" else f"at most {count} {target}")
        compared = _compare(plan, other, label, lang, use)
        device = catalog.devices.get(other.choice.device_id)
        if device is not None and device.datacenter_use is not None and not device.datacenter_use.value \
                and other.choice.placement != "edge" and not {device.id, device.family} & set(request.hardware.include) \
                and _better(other, plan):
            # "why not 4090?": cheaper, but left out of a datacenter plan unless asked for by name
            compared = say("why_not_consumer", lang, device=device.id) + "\n" + compared
        return compared, intent
    return say("why_not_infeasible", lang, target=label, reason=_reasons(failure, plan, target, catalog)), None


def _better(other, plan) -> bool:
    """Whether ``other`` beats ``plan`` on the plan's objective (an unknown figure never does)."""
    metric, sense = objective_of(plan)
    ours, theirs = metric_value(plan, metric), metric_value(other, metric)
    if ours is None or theirs is None:
        return False
    return theirs < ours if sense == "minimize" else theirs > ours


def _reasons(exc, plan, target: str, catalog) -> str:
    """Why the configuration asked about cannot meet the request: the planner's reasons without
    the request's own notes and the devices left out for not being the target; where the model
    does not fit, by how much."""
    import re

    from planner.errors import EstimateError
    from planner.perf.factors import load_factors
    from planner.perf.roofline import estimate

    report = getattr(exc, "report", None)
    notes = set(plan.intent.warnings) | {f"note: {w}" for w in plan.intent.warnings}
    lines = [str(exc)] + [line for line in (report.lines()[1:] if report is not None else []) if line not in notes]
    text = re.sub(r"hardware: not [^,()]+ \(\d+\)(, )?", "", "; ".join(lines)).rstrip(", ")
    if "does not fit" in text:
        devices = [catalog.devices[target]] if target in catalog.devices else \
            [d for d in catalog.devices.values() if d.family == target]
        for device in sorted(devices, key=lambda d: d.id):
            # the planner's own test: int4 is weight-only, so it runs on a device with fp16 arithmetic
            precisions = [p for p in ("int4", "int8", "fp8", "fp16")
                          if load_factors().compute_precision(device, p) is not None]
            for precision in precisions[:1]:
                try:
                    estimate(plan.choice.model_id, device.id, precision, 1, catalog=catalog)
                except EstimateError as error:
                    text += f"; {error}"
    return text


def what_if(plan, label: str, intent: Intent, lang: str, plan_request, catalog,
            on: str | None = None, use: str | None = None, scaled: bool = False) -> tuple[str, Intent | None]:
    """Plan ``intent`` (the request with a change a question names: "what about int4?") and say how
    it compares with ``plan`` (on ``on``, else its objective), with ``intent`` when a plan meets it;
    the request is not changed. ``scaled``: the change is the work itself (twice the traffic, twice
    the documents), so the figures are given side by side, with no verdict of better or worse."""
    from planner.errors import PlanningError

    try:
        other = plan_request(intent, None)
    except PlanningError as exc:
        return say("why_not_infeasible", lang, target=label, reason=_reasons(exc, plan, "", catalog)), None
    use = use or ("好的，就用它" if lang == "zh" else "ok, use that")  # a change, taken as the offer
    if scaled:
        return _side_by_side(plan, other, label, lang, use), intent
    return _compare(plan, other, label, lang, use, on=on), intent


def _job_figures(plan) -> tuple[float, float | None] | None:
    """A job's hours and total cost: a training job's, or a batch job's at its service's rate."""
    if plan.job is not None:
        return plan.job.hours, plan.job.cost_usd
    return batch_job(plan)


def _side_by_side(plan, other, label: str, lang: str, use: str) -> str:
    """The plan for more (or less) work, or for another deadline, beside the plan now: its cost and,
    for a job, its time."""
    values = {"target": label, "configuration": configuration(other.choice), "use": use}
    ours_job, theirs_job = _job_figures(plan), _job_figures(other)
    if ours_job is not None and theirs_job is not None:
        return say("what_if_scaled_job", lang, **values, theirs=fmt(theirs_job[1], "job_cost"),
                   ours=fmt(ours_job[1], "job_cost"), theirs_hours=fmt(theirs_job[0], "job_time"),
                   ours_hours=fmt(ours_job[0], "job_time"))
    cost = other.metrics.cost_usd_per_hour, plan.metrics.cost_usd_per_hour
    unknown = say("unknown_value", lang)
    return say("what_if_scaled", lang, **values, theirs=fmt(cost[0], "cost") if cost[0] is not None else unknown,
               ours=fmt(cost[1], "cost") if cost[1] is not None else unknown)


def _compare(plan, other, label: str, lang: str, use: str | None = None, on: str | None = None) -> str:
    """How ``other`` compares with ``plan`` on its objective; ``use``, what to say to plan on it (the
    label, as a change: "use nvidia-h100"; counted devices are a cap, "at most 8 nvidia-l4", since
    "use 8 x nvidia-l4" would read as 8 devices held). A plan that meets the request only without
    its default service level does not meet it: said so ("a single H100 is cheaper" hid a 2-second
    TTFT against the 450 ms default). ``on``: the metric to weigh them on (minimised) where the
    question names one ("could we save some money?": the cost), else the plan's objective."""
    from planner.single import LEVEL_OUT_OF_REACH

    gave_way = next((a for a in other.assumptions if LEVEL_OUT_OF_REACH in a), None)
    if gave_way is not None and not any(LEVEL_OUT_OF_REACH in a for a in plan.assumptions):
        return say("why_not_infeasible", lang, target=label, reason=gave_way.split(", so this is")[0])
    metric, sense = (on, "minimize") if on is not None else objective_of(plan)
    ours, theirs = deployment_value(plan, metric), deployment_value(other, metric)
    if plan.job is not None and other.job is not None:  # a job is weighed whole: its total cost or its hours
        metric = "job_time" if metric in ("latency", "job_time") else "job_cost"
        field = "hours" if metric == "job_time" else "cost_usd"
        ours, theirs = getattr(plan.job, field), getattr(other.job, field)
    from intent.chat_answers import labels

    unknown = labels(lang)["unknown"]
    values = {"target": label, "configuration": configuration(other.choice), "metric": metric_name(metric, lang),
              "theirs": fmt(theirs, metric) if theirs is not None else unknown,
              "ours": fmt(ours, metric) if ours is not None else unknown,
              "use": use or (f"用{label}" if lang == "zh" else f"use {label}")}
    if theirs is None:  # "it loses on cost" said nothing true where its cost is unknown
        return say("why_not_unknown_figure", lang, **values)
    if ours is None:  # "it loses on cost" against a plan whose cost is unknown said nothing true
        return say("why_not_ours_unknown", lang, **values)
    better = theirs < ours if sense == "minimize" else theirs > ours
    if abs(theirs - ours) <= 1e-9 * max(abs(ours), 1.0):
        if plan.job is not None and other.job is not None and abs(other.job.hours - plan.job.hours) > 1e-3 * plan.job.hours:
            # a job on more devices: the same money, another time (not the tie-breakers' choice)
            return say("why_not_same_cost_job", lang, **values, theirs_hours=fmt(other.job.hours, "job_time"),
                       ours_hours=fmt(plan.job.hours, "job_time"))
        return say("why_not_ties", lang, **values, tie_breakers=levels_in(plan.solver.tie_breakers, lang) or "—")
    if better:  # the planner counts a plan within its tolerance of the best as tied: say so
        tied = next((a.why_not for a in plan.alternatives if a.feasible and a.why_not and " within " in a.why_not
                     and a.choice.device_id == other.choice.device_id), None)
        if tied is not None:
            return say("why_not_within", lang, **values, why=tied)
    text = say("why_not_wins" if better else "why_not_loses", lang, **values)
    if plan.job is not None and other.job is not None and metric == "job_cost" and \
            abs(other.job.hours - plan.job.hours) > 1e-3 * plan.job.hours:  # a job weighed on money: its time too
        text += " " + say("job_time_too", lang, theirs=fmt(other.job.hours, "job_time"), ours=fmt(plan.job.hours, "job_time"))
    return text


#: Device classes a question may name alone.
DEVICE_CLASSES = ("gpu", "tpu", "npu", "cpu", "fpga")


def device_named(what: str, catalog) -> str | None:
    """The device or family id a question names, as the parser reads device names."""
    from hardware.names import resolve_device
    from intent.parser.devices import device_phrases
    from intent.parser.lexicon import load_lexicon
    from intent.parser.text import normalise

    lexicon = load_lexicon()
    if lexicon.phrases("precisions").scan(normalise(what, lexicon)):
        return None  # "why not fp8?": a format, not a device (it was read as the Hailo-8)
    bare = re.sub(r"^(?:a|an|the)\s+|s$", "", what.strip().lower())
    if bare in DEVICE_CLASSES:  # "为什么不用TPU？": the class (it had been the Coral Edge TPU)
        return bare
    found = resolve_device(what, catalog)
    if found is None and what.lower().endswith("s"):
        found = resolve_device(what[:-1], catalog)
    if found is None:
        matches = device_phrases(catalog).scan(normalise(what, lexicon))
        found = matches[0].key if matches else None
    return found


def _one_of_each(target: str, placement: str, catalog) -> list[tuple]:
    """Inventories of one device of each variant ``target`` names, so a plan on one uses one
    device: first the variants with a price as if bought for the plan (the on-demand price in
    the cloud, else the total cost of ownership with power at TDP, the most it draws), then,
    when some have none, every variant (their cost unknown). Each comes with whether it is priced."""
    from hardware import Inventory, InventoryItem
    from planner.perf.cost import cost_terms

    devices = [catalog.devices[target]] if target in catalog.devices else \
        sorted((d for d in catalog.devices.values() if d.family == target), key=lambda d: d.id)
    items = []
    for d in devices:
        offered = [p.value for p in d.placements]
        where = placement if placement in offered else "cloud" if "cloud" in offered else offered[0]
        tdp = d.tdp_w.value if d.tdp_w else None
        price = cost_terms(d, where, 1, tdp, None, owned=False).total_usd_per_hour
        items.append(InventoryItem(id=d.id, count=1, placement=where,
                                   usd_per_hour=None if price is None else round(price, 6)))
    priced = [item for item in items if item.usd_per_hour is not None]
    sets = [(priced, True)] if priced else []
    if len(priced) < len(items):
        sets.append((items, False))  # planned on as if owned: only the bounds and other metrics count
    return [(Inventory(schema_version=1, devices=s), is_priced) for s, is_priced in sets]


def relaxations(intent: Intent) -> list[tuple[str, dict, Intent]]:
    """Each thing in the request that can hold the cost up, as (answer key, its values, the
    request without it)."""
    out = []
    for c in intent.constraints:
        rest = [x for x in intent.constraints if x is not c]
        out.append(("bound_thing", {"bound": c.describe(), "_metric": c.metric.value},
                    intent.model_copy(update={"constraints": rest})))
    for regime in intent.policies.compliance:
        policies = intent.policies.model_copy(update={"compliance": [r for r in intent.policies.compliance
                                                                     if r != regime]})
        out.append(("compliance_thing", {"regime": regime.value}, intent.model_copy(update={"policies": policies})))
    hw = intent.hardware
    if hw.include or hw.exclude:
        selection = ", ".join([*hw.include, *(f"no {x}" for x in hw.exclude)])
        out.append(("hardware_thing", {"selection": selection},
                    intent.model_copy(update={"hardware": hw.model_copy(update={"include": [], "exclude": []})})))
    if intent.deployment is not None:
        out.append(("deployment_thing", {"deployment": intent.deployment.value},
                    intent.model_copy(update={"deployment": None})))
    if intent.precisions:
        out.append(("precision_thing", {"precisions": ", ".join(p.value for p in intent.precisions)},
                    intent.model_copy(update={"precisions": []})))
    return out  # the model asked for stays: another model answers another request


def cheaper(plan, lang: str, plan_request) -> str:
    """What stops ``plan`` (a cheapest plan) going cheaper, and what relaxing each thing costs."""
    from planner.errors import PlanningError
    from policies.errors import PolicyError

    metric, _ = objective_of(plan)
    if metric not in ("cost", "job_cost"):
        return say("cheaper_not_cost", lang, metric=metric_name(metric, lang))
    if metric == "cost" and (plan.job is not None or batch_job(plan) is not None):
        metric = "job_cost"  # a job is weighed on its whole cost: a cheaper hour may run longer
    ours = _money(plan, metric)  # a job's is its whole cost ("make it cheaper" had said job cost was not cost)
    if ours is None:
        return say("cheaper_unpriced", lang, reason=plan.metrics.provenance.get("cost_usd_per_hour", ""))
    lines = []
    for key, values, relaxed in relaxations(plan.intent):
        what = say(key, lang, **{k: v for k, v in values.items() if not k.startswith("_")})
        try:
            other = plan_request(relaxed, None)
        except PolicyError:
            lines.append(say("cheaper_mandatory", lang, what=what))
            continue
        except PlanningError:
            continue  # not cheaper without it either
        theirs = _money(other, metric)
        if theirs is None or theirs >= ours * (1 - SAME_PRICE):
            continue
        relaxed_metric = values.get("_metric")
        trade = "" if relaxed_metric is None else say(
            "cheaper_trade", lang, metric=metric_name(relaxed_metric, lang),
            value=fmt(deployment_value(other, relaxed_metric), relaxed_metric))
        lines.append(say("cheaper_relax", lang, what=what, configuration=configuration(other.choice),
                         cost=fmt(theirs, metric), saving=fmt(ours - theirs, metric), trade=trade))
    from planner.defaults import SERVICE_LEVEL_NOTE

    level = next((a for a in plan.assumptions if a.startswith(SERVICE_LEVEL_NOTE)), None)
    if level is not None:  # the default service level holds it up, which the request did not state
        lines.append(say("cheaper_default_level", lang, level=level.split(":", 1)[1].split(",")[0].strip()))
    if not lines:
        return say("cheaper_nothing", lang)
    return "\n".join([say("cheaper_head", lang, cost=fmt(ours, metric)), *lines])


def _money(plan, metric: str) -> float | None:
    """A plan's cost on ``metric``: per hour, or a job's whole cost (a training job's or a batch's)."""
    if metric == "cost":
        return plan.metrics.cost_usd_per_hour
    if plan.job is not None:
        return plan.job.cost_usd
    batch = batch_job(plan)
    return batch[1] if batch is not None else None

