"""Rules for the fields that are words rather than amounts: task, objective, deployment,
hardware, precisions, policies and workload. Each function reads a :class:`Workspace` and
the lexicon and returns one field; the ones that consume digits ("SOC 2", "ε=1", "H100")
mask what they read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from intent.parser.lexicon import Lexicon, Match, PhraseSet
from intent.parser.text import Workspace
from intent.schema import NATURAL_OP, Metric, Objective, Sense

#: A privacy parameter's value after its name: "ε=2", "epsilon of 2", "ε ≤ 2", "epsilon at most 2" (a budget
#: is a ceiling, so a bound on it names the value planned for).
NUMBER_AFTER = (r"\s*(?:=|:|of|is|at|to|为|是|改成|改为|设为|调到|调成)?\s*(?:(?:≤|<=|<|at most|no more than|not more than|up to|under|below|"
                r"不超过|不大于|小于|以内)\s*)?(?P<value>\d+(?:\.\d+)?(?:e-?\d+)?)(?!\d)(?!\.\d)")


#: A cap on a count right before a mention ("no more than 16 GPUs"): a limit, not a negation of it.
#: A negated cap before a count ("no more than 8", "must not exceed 8", "never more than 8", "don't go over
#: 8"): its "not" caps the count and rules nothing out.
COUNT_CAP = re.compile(r"(?<![\w-])(?:(?:no|not|never)\s+(?:more|greater)\s+than|(?:not|never)\s+(?:to\s+)?"
                       r"(?:exceed|go\s+(?:over|beyond|above)|surpass|use\s+more\s+than))\s+\d[\d,.]*\s*(?:x\s*)?$")


#: A Chinese question asked by "A-not-A" ("能不能上fp8", "可不可以用int4", "H100行不行"): its 不 negates nothing.
A_NOT_A = re.compile(r"能不能|可不可以|可不可|行不行|要不要|用不用|是不是|会不会|好不好|可以不可以")


def negated(lexicon: Lexicon, text: str, start: int, window_start: int, max_words: int = 4) -> bool:
    """True when a negation word stands within ``max_words`` words before ``start``, or 非 right
    before it ("非英伟达方案": a plan not on NVIDIA; elsewhere 非 is part of words like 非常)."""
    gap = text[window_start:start]
    if COUNT_CAP.search(gap):
        return False
    if gap.endswith("非") or re.search(r"(?<![a-z])non[- ]?$", gap):  # "non-NVIDIA hardware"
        return True
    near = _last_words(gap, max_words) if gap.isascii() else A_NOT_A.sub("", gap)[-8:]
    near = NOT_A_NEGATION.sub("", near)  # "识别用 whisper": 识别 (recognition), no 别用 ("don't use")
    return bool(lexicon.negations.scan(" " + near + " "))


#: Words that do not count towards a negation's reach: "not allowed to use any of the NVIDIA cards" is as
#: near as "not allowed to use NVIDIA" (it had been read as NVIDIA asked for).
REACH_FILLERS = frozenset({"any", "the", "a", "an", "of", "our", "their", "these", "those", "such", "kind", "sort"})


def _last_words(gap: str, count: int) -> str:
    """The end of ``gap`` holding its last ``count`` words that are not fillers, with the fillers among them."""
    kept, counted = [], 0
    for word in reversed(gap.split()):
        kept.append(word)
        counted += word.lower().strip(",;:") not in REACH_FILLERS
        if counted >= count:
            break
    return " ".join(reversed(kept))


#: Words that end in a negation's first character without being one: 识别 (recognise), 区别, 辨别,
#: 类别, 级别, 性别, 特别, 分别; their 别 does not begin 别用.
NOT_A_NEGATION = re.compile(r"(?:识|区|辨|类|级|性|特|分|告|离|鉴|判)别")


def negated_after(lexicon: Lexicon, space: Workspace, end: int) -> bool:
    """A negation after what it rules out, a few words on in its clause: "AMD is not allowed",
    "int8 is not allowed", "NVIDIA GPUs are off the table", "英伟达不行"."""
    _, clause_end = space.clause_bounds(end)
    after = A_NOT_A.sub("", space.text[end:min(clause_end, end + 32)])
    found = lexicon.words("negations_after").scan(after)
    return bool(found) and len(after[:found[0].start].split()) <= 3


# -- task ---------------------------------------------------------------------------------

#: A task word that names a ticket's field, right before its colon ("Summary: SDXL image gen | ..."): no
#: task ("Toxicity classifier: ..." is one, a heading).
TICKET_FIELDS = ("summary",)
FIELD_NAME = re.compile(r"\s*:")


def read_task(lexicon: Lexicon, space: Workspace, model_task: str | None = None) -> str | None:
    """The most specific task phrase wins; among equals, the first. A task the named model does
    wins over others the request also names ("content moderation with a ViT-B/16 image
    classifier" is the ViT's image classification, not text moderation)."""
    without = lexicon.words("tasks_without_models").scan(space.text)
    matches = [m for m in lexicon.phrases("tasks").all_matches(space.text)  # "fraud detection" is no detection
               if not any(w.start <= m.start and m.end <= w.end for w in without) and _stands_alone(lexicon, space, m)
               and not (m.phrase in TICKET_FIELDS and FIELD_NAME.match(space.text, m.end))]
    # a wildcard phrase yields to another task named inside it: "detect spam in emails" is no detection
    matches = [m for m in matches if "*" not in m.phrase or not any(
        n.key != m.key and "*" not in n.phrase and m.start <= n.start and n.end <= m.end for n in matches)]
    if not matches:
        return None
    if any(m.key == model_task for m in matches):
        matches = [m for m in matches if m.key == model_task]
    best = max(matches, key=lambda m: (m.weight, -m.start))
    if best.key == "text-classification" and MODERATION.search(best.phrase) \
            and lexicon.words("vision_context").scan(space.text) and not TEXT_CONTENT.search(space.text):
        space.mark_read(best.start, best.end)  # "moderate 5000 hours of video", "图片内容审核": of images
        return "image-classification"
    if "*" in best.phrase:  # "classify * reviews": the words between are the request's own ("chinese product")
        first, *_, last = (part.strip() for part in best.phrase.split("*"))
        space.mark_read(best.start, best.start + len(first))
        space.mark_read(best.end - len(last), best.end)
    else:
        space.mark_read(best.start, best.end)
    return best.key


#: Moderation phrases: of text unless the request is about images or video.
MODERATION = re.compile(r"moderat|审核")
#: Words of text content: moderation beside them is of text ("moderate comments and their images").
TEXT_CONTENT = re.compile(r"(?<![a-z])(?:comments?|posts?|texts?|messages?|reviews?|tweets?|chats?)(?![a-z])|评论|文本|弹幕|帖子|聊天")


def _stands_alone(lexicon: Lexicon, space: Workspace, m) -> bool:
    """False for a bare task word ("detection") that a word before it qualifies ("spam
    detection"), unless the request is about images or video ("drone detection at 30 fps")."""
    bare = lexicon["bare_task_words"]
    if m.phrase not in bare["words"]:
        return True
    before = re.search(r"([\w-]+)\s*$", space.text[:m.start])
    if before is None or before.group(1) in bare["may_follow"] or not before.group(1).isascii():
        return True
    if before.group(1) in lexicon["non_visual_qualifiers"]:
        return False
    return bool(lexicon.words("vision_context").scan(space.text[slice(*space.clause_bounds(m.start))]))


def read_weak_task(lexicon: Lexicon, space: Workspace) -> str | None:
    """A task from words that name it only weakly ("LLM", "大模型"), for a request that names no other."""
    matches = lexicon.phrases("weak_tasks").scan(space.text)
    for m in matches:
        space.mark_read(m.start, m.end)
    if matches:
        return matches[0].key
    if lexicon.words("classify_words").scan(space.text) and lexicon.words("image_words").scan(space.text):
        return "image-classification"  # "classify defects on the line: 120 images per second"
    return None


# -- objective ----------------------------------------------------------------------------

#: A rate asked for as "as many ... as possible" (a model name may stand between, masked).
AS_MANY_AS_POSSIBLE = re.compile(r"(?<![\w-])as many (?:[\w#.-]+ ){0,4}?(?:users|requests|queries|images|documents|"
                                 r"sessions|streams|people|customers|frames|calls) as possible(?![\w-])")


#: A question for the most of a rate ("how many req/s can we get", "what's the max throughput",
#: "最多能支持多少并发"): the request asks for that rate maximised. Group ``tokens``: a token rate.
_RATES_ASKED = (r"(?:(?P<tokens>(?:output\s+)?(?:tokens?|tok)(?:/s(?:ec)?|\s+(?:per|a)\s+second|/second))|"
                r"req(?:uest)?s?(?:/s(?:ec)?|\s+(?:per|a)\s+second)|rps|qps|queries\s+(?:per|a)\s+second|"
                r"(?:images?|frames?)\s+(?:per|a)\s+second|fps|throughput|concurrent\s+(?:users|sessions|requests))")
RATE_QUESTION = re.compile(
    # "what's the max throughput", "what is the peak req/s": the most of a rate, asked
    r"(?<![\w-])what(?: is|'s|s)? (?:the )?(?:max(?:imum)?|most|highest|peak|top)\s+(?:[\w.-]+\s+){0,2}?" + _RATES_ASKED
    # "how many req/s can we get": a question, so a verb follows ("how many users do we have" asks no rate)
    + r"|(?<![\w-])how many\s+(?:[\w.-]+\s+){0,2}?" + _RATES_ASKED.replace("P<tokens>", "P<tokens2>")
    + r"(?=(?:\s+[\w'-]+){0,4}?\s+(?:can|could|would|will|might)\b|\s*[?])"
    + r"|(?:最多|最大)能?(?:支持|跑|承载|达到|扛)?多少(?:qps|并发|请求|用户|路|tokens?)|能(?:跑|支持|承载|扛|到|达到|撑|带|抗|跑到)多少(?:qps|并发|请求|路|用户|tokens?)"
    # "goal: max tokens/s", "optimise for tokens per second", "priority: throughput", "max tokens/s" with no number
    + r"|(?<![\w-])(?:(?:goal|objective|priority|target)\s*[:=]?\s*|optimi[sz](?:e|ed|ing)\s+for\s+)"
      r"(?:the\s+)?(?:max(?:imum|imi[sz]e)?\s+|most\s+|highest\s+)?" + _RATES_ASKED.replace("P<tokens>", "P<tokens3>")
    + r"|(?<![\w-])max(?:imum)?\s+" + _RATES_ASKED.replace("P<tokens>", "P<tokens4>") + r"(?!\s*(?:[<>=:≤≥]|of|is|at)?\s*\d)")


#: One metric said to matter more than another: "power matters more than cost", "latency is more
#: important than throughput", "延迟比成本重要": the first is the objective, in its better direction.
MORE_THAN_OTHER = re.compile(r"(?P<a>[a-z]+|[\u4e00-\u9fff]{1,4})\s+(?:matters|is|counts)\s+more(?:\s+important)?\s+than\s+"
                             r"(?:the\s+)?[a-z]+|(?P<a_zh>[\u4e00-\u9fff]{1,4})比[\u4e00-\u9fff]{1,4}(?:更)?重要")


def read_objectives(lexicon: Lexicon, space: Workspace, comparators: list[Match]) -> list[tuple[str, str, int]]:
    """Every preference in the text as (metric, sense, position), first named first."""
    text = space.masked
    blocked = [(c.start, c.end) for c in comparators]

    def free(m: Match) -> bool:
        """Not inside a comparator; a longer phrase holding one ("max throughput") is free."""
        return not any(s < m.end and m.start < e and not (m.start <= s and e <= m.end and m.end - m.start > e - s)
                       for s, e in blocked)

    # "cheaper than $1/hour", "faster than 50 tokens/s": a bound (the comparator reads it), no preference
    phrases = [m for m in lexicon.phrases("objective_phrases").scan(text) if free(m)
               and not re.match(r"\s*than\s*(?:\$|€|£|¥|~|about\s|around\s)?\s*\d", text[m.end:])
               # "throughput max 100 rps": a cap, where "throughput max" alone asks for the most
               and not (text[m.start:m.end].endswith("max") and re.match(r"\s*(?:[<>=:≤≥]|of|is|at)?\s*\d", text[m.end:]))]
    # a phrase inside a longer one is the longer one's ("成本最低" in "每千次请求成本最低")
    phrases = [m for m in phrases if not any(o is not m and o.start <= m.start and m.end <= o.end
                                             and o.end - o.start > m.end - m.start for o in phrases)]
    for m in phrases:
        space.mark_read(m.start, m.end)
    metrics = lexicon.phrases("metric_words").scan(text)
    found = [(_named_time(m, metrics, text), m.key.split("/")[1], m.start) for m in phrases]
    for m in MORE_THAN_OTHER.finditer(text):  # "power matters more than cost", "延迟比成本重要": the first
        first = next((x for x in metrics if x.start == m.start("a")), None) if m.group("a") else \
            next((x for x in metrics if x.end == m.end("a_zh")), None)
        if first is not None and first.key in {x.value for x in Metric}:
            better = "minimize" if NATURAL_OP[Metric(first.key)] == "<=" else "maximize"
            found.append((first.key, better, m.start()))
            space.mark_read(m.start(), m.end())
            space.mask(m.start(), m.end())
    for m in AS_MANY_AS_POSSIBLE.finditer(text):  # "serve as many Llama 3 8B users as possible"
        found.append(("throughput", "maximize", m.start()))
        space.mark_read(m.start(), m.end())
    for m in RATE_QUESTION.finditer(text):  # "how many req/s can we get" was answered at batch 1
        tokens = m.group("tokens") or m.group("tokens2") or m.group("tokens3") or m.group("tokens4")
        found.append(("token_throughput" if tokens else "throughput", "maximize", m.start()))
        space.mark_read(m.start(), m.end())
    fillers = "|".join(re.escape(str(f)) for f in lexicon["sense_fillers"])
    for sense in (m for m in lexicon.phrases("sense_words").scan(text) if free(m)):
        for metric in metrics:
            if any(p.start <= sense.start < p.end and p.key.split("/")[0] == metric.key for p in phrases):
                continue  # "most energy efficient" is one phrase, not "most" + "energy"
            if any(p.start <= min(sense.start, metric.start) and max(sense.end, metric.end) <= p.end for p in phrases):
                continue  # "成本最低" inside "每千次请求成本最低": the longer phrase's, read already
            between = text[sense.end:metric.start] if metric.start >= sense.end else text[metric.end:sense.start]
            if re.fullmatch(rf"[\s-]*(?:(?:{fillers})[\s-]*){{0,2}}", between):
                direction = sense.key if sense.key != "best" else \
                    "minimize" if NATURAL_OP[Metric(metric.key)] == "<=" else "maximize"
                found.append((metric.key, direction, min(sense.start, metric.start)))
                space.mark_read(min(sense.start, metric.start), max(sense.end, metric.end))
    return sorted(_dedupe(found), key=lambda f: f[2])


def _named_time(phrase: Match, metrics: list[Match], text: str) -> str:
    """A speed phrase right after the time it is about is that time: "首token越快越好" (the first
    token as fast as possible) is ttft, where "越快越好" alone is latency."""
    metric = phrase.key.split("/")[0]
    if metric != "latency":
        return metric
    before = [m for m in metrics if m.end <= phrase.start and not text[m.end:phrase.start].strip(" ,，的要")]
    return before[-1].key if before and before[-1].key in ("ttft", "tpot") else metric


#: A metric named as the second preference: "cost second", "then power", "其次是功耗", "其次成本".
SECOND_BEFORE = r"(?:其次|然后|再次|次之|second(?:ly)?|then|next)\s*(?:是|看|考虑)?\s*"
SECOND_AFTER = r"\s+(?:second|next|after\s+that)(?![a-z])|\s*(?:其次|次之)"


def read_second_preferences(lexicon: Lexicon, space: Workspace) -> list[Objective]:
    """The metrics a request names as its second preference, with no sense word ("latency matters
    most, cost second", "延迟优先，其次是功耗"): tie-breakers in their better direction (cost and power
    lower, throughput and accuracy higher). The objective's own reading takes those with one."""
    out = []
    for m in lexicon.phrases("metric_words").scan(space.text):
        before = re.search(rf"{SECOND_BEFORE}$", space.text[max(0, m.start - 12):m.start])
        after = re.match(SECOND_AFTER, space.text[m.end:m.end + 16])
        if (before or after) and m.key in {x.value for x in Metric}:
            metric = Metric(m.key)
            out.append(Objective(metric=metric, sense=Sense.MINIMIZE if NATURAL_OP[metric] == "<=" else Sense.MAXIMIZE))
    return out


def joined_by_then(lexicon: Lexicon, space: Workspace, earlier: int, later: int) -> bool:
    """True when "then" (然后, 其次) stands between two preferences: the later one breaks ties."""
    return bool(lexicon.words("then_words").scan(space.masked[earlier:later]))


def _dedupe(found: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    seen, out = set(), []
    for metric, sense, pos in sorted(found, key=lambda f: f[2]):
        if (metric, sense) not in seen:
            seen.add((metric, sense))
            out.append((metric, sense, pos))
    return out


def read_cloud_providers(lexicon: Lexicon, space: Workspace) -> tuple[list[str], list[str]]:
    """The devices a named cloud provider rules out: the other providers' own chips ("Llama 3.1 70B,
    AWS": no Google TPU), or, when the provider is ruled out ("not on AWS"), its own; and the
    assumptions saying so. The provider stays unplanned otherwise (prices are the catalog's)."""
    providers = lexicon["cloud_providers"]
    names = PhraseSet({key: spec["names"] for key, spec in providers.items()})
    named, ruled_out = [], []
    for m in names.scan(space.masked):
        if m.key in named + ruled_out or re.match(r"\s*(?:region|regions|zone|zones)(?![a-z])", space.masked[m.end:]):
            continue
        (ruled_out if negated(lexicon, space.masked, m.start, space.clause_bounds(m.start)[0]) else named).append(m.key)
    if not named and not ruled_out:
        return [], []
    excluded = [d for key, spec in providers.items() for d in spec["only_there"]
                if (named and key not in named) or key in ruled_out]
    if not excluded:
        return [], []
    where = f"on {' or '.join(named)}" if named else f"not on {' or '.join(ruled_out)}"
    return excluded, [f"{where}: planned without {', '.join(excluded)}, which only "
                      f"{'another provider offers' if named else 'that provider offers'}; prices are the catalog's "
                      "on-demand rates"]


# -- deployment ---------------------------------------------------------------------------

def read_deployment(lexicon: Lexicon, space: Workspace) -> tuple[str | None, list[str], list[str]]:
    """The deployment the words name, the assumptions made reading it, and warnings. "No public
    cloud" (不能上云, "don't use the cloud") with no other deployment named is read as on-prem,
    a cloud provider named ("gcp only", "on AWS") as the cloud,
    and said so; another deployment ruled out ("not on-prem", "不能部署在边缘") leaves two, which
    one deployment cannot say: a warning asks which."""
    # A phrase joined by a hyphen to the next word modifies it: "no internet-facing endpoint" and
    # "no network-attached storage" rule no network out.
    ruled_out = [m for m in lexicon.words("not_cloud").scan(space.masked) if not space.masked.startswith("-", m.end)]
    for m in ruled_out:
        space.mark_read(m.start, m.end)
    others_out: list[Match] = []
    named: list[Match] = []
    providers = [p for p in lexicon.words("cloud_terms").scan(space.masked) if " " in p.phrase or not p.phrase.isascii()]
    for m in lexicon.phrases("deployments").scan(space.masked):
        if any(r.start <= m.start < r.end for r in ruled_out):
            continue
        space.mark_read(m.start, m.end)
        if negated_after(lexicon, space, m.end) or negated(lexicon, space.masked, m.start,
                                                          space.clause_bounds(m.start)[0], max_words=3):
            if any(p.start <= m.start and m.end <= p.end for p in providers):
                continue  # "not on Alibaba Cloud" rules a provider out, not the cloud
            (ruled_out if m.key == "cloud" else others_out).append(m)  # "cloud is not allowed", "do not use the cloud"
            continue
        named.append(m)
    if len({m.key for m in named}) == 1 and named[0].key != "cloud":
        # "Azure or on-prem": a cloud provider beside the one deployment named, either of them
        names = PhraseSet({key: spec["names"] for key, spec in lexicon["cloud_providers"].items()})
        for p in names.scan(space.text):
            lo, hi = sorted((p, named[0]), key=lambda x: x.start)
            if EITHER.fullmatch(space.text[lo.end:hi.start]):
                return None, [f"'{space.text[lo.start:hi.end]}': either deployment, so planned over both"], []
    if named:
        return _one_deployment(space, named)
    warnings = [f"'{space.text[m.start:m.end]}' is ruled out, which leaves two deployments: not planned as such; "
                f"say which one to use ('in the cloud', 'on-prem' or 'on the edge')" for m in others_out]
    if ruled_out:
        quoted = space.text[ruled_out[0].start:ruled_out[0].end]
        return "on-prem", [f"'{quoted}' read as an on-prem deployment (the cloud is ruled out)"], warnings
    for m in lexicon.words("cloud_provider_placements").scan(space.masked):  # "gcp only", "on AWS"
        if not (negated_after(lexicon, space, m.end)
                or negated(lexicon, space.masked, m.start, space.clause_bounds(m.start)[0], max_words=3)):
            return "cloud", [f"'{space.text[m.start:m.end]}': a cloud provider, read as a cloud deployment"], warnings
    if providers:
        return None, [], warnings
    stays = DATA_STAYS_ON_SITE.search(space.text)
    if stays is not None:  # "数据不能离开医院", "data can't leave the hospital"
        space.mark_read(stays.start(), stays.end())
        return "on-prem", [f"'{stays.group(0).strip()}': the data stays on the site, read as an on-prem deployment"], \
            warnings
    ours = OUR_HARDWARE.search(space.text)
    if ours is not None and not CLOUD_WORD.search(ours.group(0)):  # "on our own L40S servers", "在我们自己的A100服务器上"
        return "on-prem", [f"'{ours.group(0)}': hardware of the requester's own, read as an on-prem deployment"], warnings
    return None, [], warnings


#: Data that may not leave a site of the requester's ("data can't leave the hospital", "patient data must stay
#: in our building", "数据不能离开医院", "数据不能出工厂"): the plan runs there (a country is a region, read apart).
_SITE = (r"(?:the\s+|our\s+|their\s+|this\s+)?(?:own\s+)?(?:hospital|clinic|building|premises|site|campus|factory|plant|"
         r"bank|office|offices|company|firm|lab|facility|facilities|network|intranet|server room|data ?cent(?:er|re)|dc)"
         r"(?![a-z])")
_SITE_ZH = r"(?:医院|院区|诊所|大楼|园区|工厂|厂区|公司|单位|银行|实验室|办公室|内网|机房|本地|学校|校园)"
DATA_STAYS_ON_SITE = re.compile(
    rf"(?<![a-z])(?:[a-z]+\s+)?data\s+(?:(?:can't|cannot|can not|must not|mustn't|may not|should not|shouldn't|will not|"
    rf"won't|never|is not allowed to|isn't allowed to|not allowed to)\s+(?:to\s+)?leave|(?:must|has to|needs to|should)\s+"
    rf"(?:stay|remain)\s+(?:in|inside|on|within|at))\s+{_SITE}"
    rf"|数据\s*(?:不能|不可以|不允许|不得|不可|禁止|严禁|不准)\s*(?:离开|出|流出|传出)\s*{_SITE_ZH}"
    rf"|数据\s*(?:只能|必须|要)\s*(?:留在|放在|存在)\s*{_SITE_ZH}", re.IGNORECASE)
CLOUD_WORD = re.compile(r"(?<![a-z])(?:aws|ec2|gcp|gce|azure|oci|cloud|rented|leased)(?![a-z])|云", re.IGNORECASE)
#: Machines a request says are its own, a device or two named between: "our own L40S servers",
#: "our A100 boxes", "我们自己的4090服务器". The lexicon's phrases ("our own servers") hold no device.
OUR_HARDWARE = re.compile(r"(?<![a-z])our\s+(?:own\s+)?(?:[\w.-]+\s+){1,2}(?:servers|machines|boxes|nodes|cluster|"
                          r"clusters|workstations|rigs)(?![a-z])|自己的\S{1,12}?(?:服务器|机器|集群|工作站)", re.IGNORECASE)


#: Words that correct what was said before them: "…on-prem, but now we want cloud", "budget $5/h.
#: Scratch that, $8/h", "改成云上".
CORRECTION = re.compile(r"(?<![\w])(?:scratch that|actually|correction|i mean|make that|change that to|but now|now we want|"
                        r"instead|update|no wait|wait no|oops|sorry|my bad)(?![\w])|改成|改为|更正|不对|现在改|说错了|写错了")


#: What joins two deployments either of which will do: "cloud or on-prem", "云上或本地", "cloud/on-prem".
EITHER = re.compile(r"\s*(?:,?\s*or|/|或者?|或是|还是|都行的?)\s*(?:the\s+|an?\s+)?", re.IGNORECASE)


def _one_deployment(space: Workspace, named: list[Match]) -> tuple[str, list[str], list[str]]:
    """The deployment of the named ones: the first, or the last when a correction stands between
    ("initially on-prem, but now we want cloud"); a second one named otherwise is warned about."""
    first, last = named[0], named[-1]
    if all(m.key == first.key for m in named):
        return first.key, [], []
    if CORRECTION.search(space.text[first.end:last.start]):
        return last.key, [f"'{space.text[last.start:last.end]}' read as correcting the earlier "
                          f"'{space.text[first.start:first.end]}'"], []
    other = next(m for m in named if m.key != first.key)
    if EITHER.fullmatch(space.text[min(first.end, other.end):max(first.start, other.start)]):
        # "cloud or on-prem": either, so the plan weighs both (it had taken the first and warned of the second)
        return None, [f"'{space.text[min(first.start, other.start):max(first.end, other.end)]}': either deployment, "
                      "so planned over both"], []
    where = {"edge": "on the edge", "cloud": "in the cloud"}.get(first.key, first.key)
    return first.key, [], [f"'{space.text[other.start:other.end]}': a second deployment; one plan takes one, so it is "
                           f"planned {where} (the first named); say which one to use"]


# -- accuracy loss ------------------------------------------------------------------------

_QUALITY = r"(?:accuracy|quality|top-1|top1|map|f1|精度|准确率|效果|指标)"
_LOSS = r"(?:loss|drop|degradation|regression|hit|损失|下降|降低|掉点|损耗)"
_AT_MOST = (r"(?:(?:must|should|can|may)\s+)?(?:be\s+)?(?:of\s+)?(?:at most|no more than|not more than|less than|under|below|"
            r"within|up to|<=|<|≤|max|不超过|不能超过|不大于|小于|低于|控制在|在|不高于)?")
_PERCENT = r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|per cent|个点|points?|pp|个百分点)"
_REFERENCE = (r"(?:the\s+)?(?:fp32|fp16|bf16|full[- ]precision|baseline|original|reference|unquanti[sz]ed(?:\s+model)?|"
              r"the\s+model's\s+own)(?:\s+(?:model|accuracy|figure|one|version))?")
#: The reference a loss is measured against, after it ("1% accuracy drop vs bf16"): read with the loss, so the
#: format it names is not asked for.
_AGAINST = (r"(?:\s*(?:vs\.?|versus|against|compared\s+(?:to|with)|relative\s+to|from)\s*(?:fp32|fp16|bf16|"
            r"full[- ]precision|baseline|original|reference|unquanti[sz]ed)(?:\s+(?:model|accuracy|version))?)?")
#: "accuracy must stay within 1% of fp32", "accuracy drop at most 1%", "no more than 1% accuracy loss",
#: "精度损失不超过1%", "相比fp32掉点不超过1个点": a loss against the full-precision model, not an accuracy.
ACCURACY_LOSS = [
    re.compile(rf"(?<![a-z]){_QUALITY}\s+(?:must\s+|should\s+)?(?:stay|be|remain|kept)?\s*within\s+{_PERCENT}\s+of\s+"
               rf"{_REFERENCE}"),
    re.compile(rf"(?<![a-z]){_QUALITY}\s*{_LOSS}\s*{_AT_MOST}\s*{_PERCENT}{_AGAINST}"),
    # "accuracy loss: within 1% of fp32" (a label, then the loss)
    re.compile(rf"(?<![a-z]){_QUALITY}\s*{_LOSS}\s*[:：=]\s*(?:must\s+be\s+|should\s+be\s+|is\s+)?(?:within|{_AT_MOST})\s*"
               rf"{_PERCENT}(?:\s+of\s+{_REFERENCE})?"),
    re.compile(rf"(?:at most|no more than|not more than|less than|under|below|within|up to|max(?:imum)?|<=|<|≤)\s*"
               rf"{_PERCENT}\s+(?:of\s+)?{_QUALITY}\s+{_LOSS}{_AGAINST}"),
    re.compile(rf"{_PERCENT}\s+(?:of\s+)?{_QUALITY}\s+{_LOSS}\s+(?:is\s+|would be\s+)?(?:fine|ok|okay|acceptable|"
               rf"allowed|tolerable)"),
    re.compile(rf"(?:lose|losing|drop|dropping)\s+(?:at most|no more than|less than|under)\s+{_PERCENT}\s+(?:of\s+)?"
               rf"{_QUALITY}"),
    re.compile(rf"(?:相比|比|相对|相对于)?\s*(?:fp32|fp16|bf16|原模型|原始模型|全精度|基线)?\s*{_QUALITY}?\s*"
               rf"(?:损失|下降|降低|掉点|损耗)\s*(?:不超过|不能超过|不大于|小于|低于|控制在|在|不高于)?\s*{_PERCENT}"),
    # "accuracy loss vs fp32 at most 2%", "quality drop relative to the baseline under 1%"
    re.compile(rf"(?<![a-z]){_QUALITY}\s*{_LOSS}\s*(?:vs\.?|versus|against|compared\s+(?:to|with)|relative\s+to|from)\s*"
               rf"{_REFERENCE}\s*(?:must\s+be\s+|should\s+be\s+|is\s+|of\s+)?{_AT_MOST}\s*{_PERCENT}"),
    # "不能掉点（和FP16比不超过0.5%）", "与fp32相比不超过1%": a loss against the reference format
    re.compile(rf"(?:和|与|跟|相比|比)\s*(?:fp32|fp16|bf16|原模型|原始模型|全精度|基线)\s*(?:相比|比)?\s*{_QUALITY}?\s*"
               rf"(?:损失|下降|降低|掉点|差距)?\s*(?:不超过|不能超过|不大于|小于|低于|控制在|在)\s*{_PERCENT}"),
]


_KEPT = r"(?P<n>\d+(?:\.\d+)?)\s*(?:%|percent|per cent)"
_FORMAT = r"(?:fp32|fp16|bf16|full[- ]precision|baseline|original|reference|unquanti[sz]ed)"
#: "retain 99% of fp32 accuracy", "at least 99% of the FP32 accuracy", "99% of FP32" (MLPerf's way),
#: "精度保持在FP32的99%以上", "达到FP32精度的99%": the share of the full-precision accuracy kept.
ACCURACY_KEPT = [
    re.compile(rf"(?:(?:must\s+|should\s+)?(?:retain|retaining|keep|keeping|preserve|preserving|hold|reach|at least|"
               rf"no less than|>=|≥)\s+)?{_KEPT}\s+of\s+(?:the\s+)?{_FORMAT}(?:'s)?(?:\s+model'?s?)?(?:\s+{_QUALITY})?"
               rf"(?![a-z])"),
    re.compile(rf"(?:{_QUALITY}\s*)?(?:保持在|保持|达到|不低于|保留)\s*(?:fp32|fp16|bf16|原模型|原始模型|全精度|基线)(?:模型)?\s*的?\s*"
               rf"(?:{_QUALITY}\s*的?)?\s*{_KEPT}\s*(?:以上)?"),
]

#: The largest share read as a loss: a larger one ("drop below 90%") is an accuracy floor.
MOST_ACCURACY_LOSS = 0.2


def read_accuracy_loss(space: Workspace) -> tuple[float | None, list[str]]:
    """The most accuracy the request lets a format lose against the model's full-precision
    figure, as a share of it ("within 1% of fp32": 0.01), and the note; MLPerf states its
    quality targets so ("99% of FP32"). Points ("1 point") are read as a share too, which is
    stricter for every accuracy below 100%: said."""
    found = [(m, False) for m in map(lambda p: p.search(space.masked), ACCURACY_LOSS) if m is not None]
    found += [(m, True) for m in map(lambda p: p.search(space.masked), ACCURACY_KEPT) if m is not None]
    for m, kept in found:
        value = round(1 - float(m.group("n")) / 100 if kept else float(m.group("n")) / 100, 9)
        if not 0 < value <= MOST_ACCURACY_LOSS:  # "must not drop below 90%": a floor, not a loss
            continue
        space.mask(m.start(), m.end())
        points = not kept and m.group("unit") not in ("%", "percent", "per cent")
        written = space.text[m.start():m.end()].strip()
        return value, [f"'{written}': a format may lose at most {value:.3g} of the model's full-precision accuracy "
                       f"(at least {1 - value:.3g} x it, as MLPerf states its targets"
                       + ("; points read as a share of it, which asks no less" if points else "")
                       + "); a 16-bit format counts as the model's own, a lower one only where the catalog gives "
                         "its accuracy there"]
    return None, []


# -- precisions ---------------------------------------------------------------------------

def read_precisions(lexicon: Lexicon, space: Workspace) -> tuple[list[str], list[str]]:
    """Allowed precisions and the assumptions made reading them."""
    bits = lexicon["precision_bits"]
    order = list(bits)
    allowed: set[str] = set()
    forbidden: set[str] = set()
    strong: set[str] = set()  # allowed with "only" or "or better": a contradiction is kept, not resolved
    plain: set[str] = set()  # named alone ("use fp16"), neither approved nor "or better"
    notes: list[str] = []
    better, permitted = lexicon.words("or_better"), lexicon.words("precision_permitted")
    preferred = lexicon.words("precision_preferred")
    previous: tuple[int, bool] | None = None  # the last format's end, and whether it was ruled out
    for m in lexicon.phrases("precisions").scan(space.masked):
        space.mask(m.start, m.end)
        clause_start = space.clause_bounds(m.start)[0]
        or_better = (_or_better_before(lexicon, space.text[clause_start:m.start])
                     or any(b.start <= 3 for b in better.scan(space.text[m.end:m.end + 20])))
        # a weight format's packaging between ("int4 AWQ ok") leaves the approval the format's
        after = re.sub(r"^\s*(?:awq|gptq|gguf|w4a16|w8a8|w8a16|量化|quantization|quantized)(?![a-z0-9])", "",
                       space.text[m.end:m.end + 24])[:16]
        prefers = any(p.start <= 1 for p in preferred.scan(after))
        approved_before = PERMITTED_BEFORE.search(space.text[max(clause_start, m.start - 24):m.start])
        if approved_before and negated(lexicon, space.text, m.start - len(approved_before.group(0)), clause_start,
                                       max_words=2):
            approved_before = None  # "not fine with int4": the negation below rules it out
        permits = prefers or any(p.start <= 1 for p in permitted.scan(after)) or approved_before is not None
        # "must NOT use fp8 or int4": a negation reaches every format joined by "or", "and" or a comma
        # ("no fp8 or int4, bf16 only": a format asked for alone after the list is not in it)
        shared = previous is not None and previous[1] and not permits \
            and bool(SHARED_NEGATION.fullmatch(space.text[previous[0]:m.start])) \
            and not lexicon.words("only_cues").scan(space.text[m.end:m.end + 8])
        ruled_out = not or_better and (shared or negated(lexicon, space.text, m.start, clause_start, max_words=2)
                                       or negated_after(lexicon, space, m.end)
                                       or (PERMITTED_BEFORE.search(space.text[max(clause_start, m.start - 24):m.start])
                                           is not None and not permits))
        previous = (m.end, ruled_out)
        if ruled_out:
            forbidden.add(m.key)
        elif prefers:
            continue  # "bf16 preferred": allowed, not asked for alone
        elif or_better or permits:  # "fp8 is fine": approved, and so is anything finer, not int4
            strong.add(m.key)
            wider = [p for p in order if bits[p] >= bits[m.key]]
            allowed.update(wider)
            said = f"{m.key} or better" if or_better else (
                space.text[m.start - len(approved_before.group(0)):m.end].strip() if approved_before else
                space.text[m.start:m.end + max(p.end for p in permitted.scan(after) if p.start <= 1)].strip())
            notes.append(f"'{said}' read as any of {', '.join(wider)}" + (
                "" if or_better else f": {m.key} or a format of more bits; none of fewer, which would lose more "
                                     "accuracy than the request approves"))
        else:
            allowed.add(m.key)
            plain.add(m.key)
            if lexicon.words("only_cues").scan(space.text[max(0, m.start - 12):m.end + 8]):
                strong.add(m.key)
    for m in lexicon.words("unquantized").scan(space.masked):  # "unquantized", "不要量化": 16 bits or more
        space.mask(m.start, m.end)
        if named := [p for p in order if p in plain and bits[p] >= UNQUANTIZED_BITS]:
            # "不要量化了，用FP16": the format named is the unquantised one asked for, not any of 16 bits
            strong.update(named)
            continue
        wider = [p for p in order if bits[p] >= UNQUANTIZED_BITS]
        strong.update(wider)
        allowed.update(wider)
        notes.append(f"'{space.text[m.start:m.end].strip()}' read as any of {', '.join(wider)} (weights in a format of "
                     f"at least {UNQUANTIZED_BITS} bits, as released)")
    allowed -= forbidden - strong  # "no int4 ... the last int4 model": a passing mention does not allow it
    if forbidden and not allowed:
        allowed = set(order) - forbidden
    return [p for p in order if p in allowed], notes


#: The fewest bits of a format an unquantised model runs in (fp16, bf16).
UNQUANTIZED_BITS = 16


#: Words right before a format that approve it ("we're fine with int8", "ok with fp8", "可以接受int8"): as
#: "int8 is fine", the format or any with at least as many bits.
PERMITTED_BEFORE = re.compile(r"(?:(?<![a-z])(?:fine|ok|okay|happy|comfortable)\s+(?:with|using)|(?<![a-z])(?:can\s+)?"
                              r"accept|can\s+live\s+with|可以接受|能接受|(?<!不)(?<!不能)(?<!无法)接受)\s*$")
#: What may join formats that one negation rules out together ("no fp8 or int4", "不要fp8、int4").
SHARED_NEGATION = re.compile(r"[\s,、/]*(?:or|and|nor|或|和|或者)?[\s,、/]*")
#: "don't quantize below fp16", "never go under int8": a negation a word or two before "below".
NOT_BELOW = re.compile(r"(?<![\w-])(?:not|no|nothing|never)(?:\s+[\w-]+){0,2}\s+(?:below|under|lower than|less than)\s*$")


def _or_better_before(lexicon: Lexicon, before: str) -> bool:
    """Whether the words right before a format ask for it or better ("at least fp16")."""
    tail = before[-40:]  # "must not use quantization below fp8": the negation 32 characters before
    found = lexicon.words("or_better_before").scan(tail)
    return bool(NOT_BELOW.search(tail) or (found and not tail[found[-1].end:].strip(" :")))


#: A format named for the KV cache ("fp16 KV cache", "KV cache in fp8"): not the weights' format.
KV_CACHE_FORMAT = re.compile(r"(?<![\w-])(?:(?:fp32|fp16|bf16|fp8|int8|int4|16-bit|8-bit|4-bit)\s+kv[\s-]?cache"
                             r"|kv[\s-]?cache\s+(?:in|at|as|of)?\s*(?:fp32|fp16|bf16|fp8|int8|int4|16-bit|8-bit|4-bit))"
                             r"(?![\w-])")


def read_kv_cache_format(space: Workspace) -> list[str]:
    """A warning per KV-cache format named, which is masked so that no rule reads it as the weights' format
    ("int8 weights but fp16 KV cache" had allowed fp16 weights)."""
    out = []
    for m in KV_CACHE_FORMAT.finditer(space.masked):
        out.append(f"'{space.text[m.start():m.end()].strip()}': the KV cache's format is not chosen apart from the "
                   "weights': the plan holds it in 8 bits with 8-bit weights, in 32 with fp32 weights, else in 16")
        space.mask(m.start(), m.end())
    return out


# -- policies -----------------------------------------------------------------------------

def read_compliance(lexicon: Lexicon, space: Workspace) -> tuple[list[str], list[str], list[str]]:
    """The regimes asked for, a note per regime said not to be needed ("we don't need HIPAA"):
    those are left out, where a bare negation ("must not violate GDPR") is not; and a warning per
    regime the policies do not model ("FedRAMP High", "ISO 27001", "等保三级")."""
    regimes: list[str] = []
    notes: list[str] = []
    warnings = []
    modelled = ", ".join(str(key).upper() for key in lexicon["compliance"])
    for m in lexicon.words("unmodelled_regimes").scan(space.masked):
        space.mask(m.start, m.end)
        if not _not_needed(lexicon, space, m):
            warnings.append(f"'{space.text[m.start:m.end]}': this compliance regime is not modelled, so the plan "
                            f"does not check it (modelled: {modelled})")
    for m in lexicon.phrases("compliance").scan(space.masked):
        space.mask(m.start, m.end)
        if _not_needed(lexicon, space, m):
            notes.append(f"'{space.text[m.start:m.end]}' read as not required: no compliance regime added for it")
        elif m.key not in regimes:
            regimes.append(m.key)
    return regimes, notes, warnings


#: Words between a dropping word and the regime it drops ("remove the SOC2 requirement").
ARTICLES = re.compile(r"(?:\s+(?:the|our|any|a|all))*\s*$")
#: What may follow a regime that "no" or "without" drops: nothing, or a requirement word.
ALONE_AFTER = re.compile(r"^\s*(?:(?:requirements?|compliance|rules?|constraints?|needed|required|anymore|please|"
                         r"either|any\s*more)\b\s*)*$|^\s*(?:要求|合规)?\s*$")


def _not_needed(lexicon: Lexicon, space: Workspace, m: Match) -> bool:
    clause_start, clause_end = space.clause_bounds(m.start)
    before = space.text[clause_start:m.start]
    near = " ".join(before.split()[-5:]) if before.isascii() else before[-6:]
    if lexicon.words("not_needed_before").scan(" " + near + " "):
        return True
    after = space.text[m.end:clause_end]
    right_before = " " + before[:ARTICLES.search(before).start()].rstrip()
    for key, alone in (("dropped_right_before", False), ("dropped_when_alone", True)):
        if any(w.end == len(right_before) for w in lexicon.words(key).scan(right_before)):
            if not alone or ALONE_AFTER.match(after):
                return True
    after = space.text[m.end:min(clause_end, m.end + 40)]
    found = lexicon.words("not_needed_after").scan(after)
    return bool(found) and len(after[:found[0].start].split()) <= 3


def read_watermark(lexicon: Lexicon, space: Workspace, notes: list[str] | None = None) -> bool:
    """Whether watermarking is asked for; ``notes`` gets one per mention turned off ("drop the
    watermark", "不加水印"), which a chat's merge reads to turn it off."""
    marked = False
    for m in lexicon.words("watermark").scan(space.masked):
        space.mark_read(m.start, m.end)
        off = said_off(lexicon, space, m)
        marked = marked or not off
        if off and notes is not None:
            notes.append(f"'{space.text[m.start:m.end]}' {NOT_REQUIRED}: no watermark")
    return marked


#: What a note says of a policy or regime the request turns off ("we don't need HIPAA", "drop the watermark").
NOT_REQUIRED = "read as not required"


def said_off(lexicon: Lexicon, space: Workspace, m: Match) -> bool:
    """Whether a policy named at ``m`` is turned off: a negation right before it ("no
    watermarking", "不加水印") or the words that say it is not needed ("watermarking is not
    required", "不需要差分隐私")."""
    clause_start = space.clause_bounds(m.start)[0]
    right_before = space.text[max(clause_start, m.start - 1):m.start]  # "不加水印": 不 right before "加水印"
    return (right_before == "不" or negated(lexicon, space.text, m.start, clause_start, max_words=3)
            or _not_needed(lexicon, space, m))


PERCENTILE = re.compile(r"(?<![a-z0-9])(?:tp|p)(?P<p>50|90|95|99(?:\.9+)?)(?![0-9])|(?P<nth>50|90|95|99)(?:th)?\s*"
                        r"(?:percentile|分位)|(?P<median>median|中位数)"
                        r"|(?P<mean>(?<![a-z])(?:average|avg|mean)(?=\s+(?:latency|response time|delay))|平均(?=延迟|时延|响应))")


def read_percentile(lexicon: Lexicon, space: Workspace) -> str | None:
    """The percentile a latency bound names ("p95 latency", "95th percentile", "median"), as "p95";
    with a median and a tail both named ("p50 < 100ms and p99 < 500ms"), the tail, which is the
    bound kept (constraints._merge)."""
    found = list(PERCENTILE.finditer(space.text))
    for m in found:
        space.mark_read(m.start(), m.end())
    named = ["mean" if m.group("mean") else "p50" if m.group("median") else f"p{m.group('p') or m.group('nth')}"
             for m in found]
    tails = [p for p in named if p not in ("p50", "mean")]
    return (tails or named or [None])[0]


def read_differential_privacy(lexicon: Lexicon, space: Workspace,
                              notes: list[str] | None = None) -> tuple[bool, float | None, float | None]:
    """(asked for, epsilon, delta); the numbers are masked so they are not read as quantities.
    ``notes`` gets one per mention turned off ("drop differential privacy", "去掉差分隐私")."""
    found = lexicon.words("differential_privacy").scan(space.masked)
    for m in found:
        space.mark_read(m.start, m.end)
    off = [m for m in found if said_off(lexicon, space, m)]
    if notes is not None:
        notes += [f"'{space.text[m.start:m.end]}' {NOT_REQUIRED}: no differential privacy" for m in off]
    asked = len(off) < len(found)
    epsilon = _parameter(lexicon, space, "epsilon_words")
    delta = _parameter(lexicon, space, "delta_words")
    return asked or epsilon is not None, epsilon, delta


def _parameter(lexicon: Lexicon, space: Workspace, words: str) -> float | None:
    for m in lexicon.words(words).scan(space.masked):
        space.mask(m.start, m.end)
        value = re.compile(NUMBER_AFTER).match(space.masked, m.end)
        if value:
            space.mask(m.end, value.end())
            return float(value.group("value"))
    return None


# -- workload -----------------------------------------------------------------------------

#: A number as written: thousands separated by commas ("2,000,000") or not, with decimals.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.,]*\d)"


#: Words before a training word that make it the use of other devices, not the request's.
OTHER_USE_BEFORE = re.compile(r"(?:(?<![a-z])(?:reserved|kept|set aside|saved|needed|used|busy|dedicated|booked|"
                              r"allocated|tied up)\s+(?:for|to|with)\s+(?:the\s+|our\s+)?|留给|留作|专供|用于)$")


#: Training called off ("训练先不做了", "skip the training", "forget the fine-tuning", "no fine-tuning"):
#: no training is asked for.
TRAINING_DROPPED_BEFORE = re.compile(r"(?:(?<![a-z])(?:skip|forget|drop|cancel|no|without|never\s*mind)\s+(?:about\s+)?"
                                     r"(?:the\s+|any\s+)?|不做|不用|取消|不要)$")
TRAINING_DROPPED_AFTER = re.compile(r"(?:\s*(?:for now|is off|is cancelled|is canceled))|\s*(?:先|就|也|暂时)?\s*"
                                    r"(?:不做|不搞|不跑|取消|不要了|算了|免了)")
#: Training done before serving ("训练完要上线", "once trained, serve it", "after fine-tuning, deploy it"):
#: with a serving word, the request is the service.
TRAINING_DONE_AFTER = re.compile(r"\s*(?:完|好|结束|之后|以后|后)")
TRAINING_DONE_BEFORE = re.compile(r"(?<![a-z])(?:after|once|when)\s+(?:the\s+|it\s+is\s+|it's\s+)?$")
SERVING_WORDS = re.compile(r"(?<![a-z])(?:serve|serving|deploy|inference|host)(?![a-z])|上线|推理|部署|在线服务")


#: LoRA adapters a service loads, not trained ("multi-LoRA serving", "serve llama with 200 LoRA adapters").
ADAPTERS_SERVED = re.compile(r"(?<![a-z])multi[- ]?lora(?![a-z])|(?<![a-z])(?:lora\s+)?adapters(?![a-z])|"
                             r"多\s*lora|多个\s*lora|lora\s*适配器")


def adapters_served(text: str) -> bool:
    """Whether the request serves LoRA adapters (with a serving word) rather than training one."""
    return ADAPTERS_SERVED.search(text) is not None and SERVING_WORDS.search(text) is not None \
        and not re.search(r"(?<![a-z])(?:fine[- ]?tun|train)|微调|训练", text)


def _training_set_aside(text: str, m) -> bool:
    """A training word that asks for no training: called off, done before the service asked for, or adapters
    the service loads."""
    if TRAINING_DROPPED_BEFORE.search(text, 0, m.start) or TRAINING_DROPPED_AFTER.match(text, m.end):
        return True
    if re.fullmatch(r"(?:q-?)?lora|adapters|peft|dora", text[m.start:m.end].strip()) and adapters_served(text):
        return True
    done = TRAINING_DONE_AFTER.match(text, m.end) or TRAINING_DONE_BEFORE.search(text, 0, m.start)
    return bool(done) and SERVING_WORDS.search(text) is not None


def read_workload(lexicon: Lexicon, space: Workspace, taken: list[tuple[int, int]] = ()) -> dict:
    """Kind, dataset size, epochs and batch size; numbers already read as rates or units are skipped."""
    spec = lexicon["workload"]
    kinds = PhraseSet({k: spec[k] for k in ("fine-tuning", "training")})
    # training said to be another use of some devices is not this request's kind: "NOT on H100
    # (reserved for training)", "H100s are kept for training", "A100留给训练"
    kind_matches = [m for m in kinds.scan(space.masked) if not OTHER_USE_BEFORE.search(space.masked, 0, m.start)
                    and not _training_set_aside(space.masked, m)]
    # a fine-tuning is a training: "fine-tune on our training data", "训练数据…微调" fine-tune
    fine_tuning = [m for m in kind_matches if m.key == "fine-tuning"]
    out: dict = {"kind": (fine_tuning or kind_matches)[0].key if kind_matches else "inference"}
    # "对话8轮": turns of a conversation, no epochs
    for field, pattern in (("epochs", rf"(?<![\d.])(?<!对话)(?<!聊天)(?<!问答)(?<!交互)(?<!多)(?P<n>\d+(?:\.\d+)?)\s*(?:个\s*)?"
                                      rf"(?:{_alt(spec['epochs'])})(?![a-z])(?!对话)"),
                           # a comma three digits follow is a thousands separator, not one before "10万": "8192，10万条"
                           ("dataset_records", (rf"(?<![\d.])(?:(?<!\d,)|(?!\d{{3}}(?!\d)))(?<!\d[x×])(?<!\d [x×] )(?P<n>{NUMBER}\s*(?:k|m|b|bn|million|billion|thousand|万|亿)?)(?![a-z-])\s*"
                                                # a model named between, masked ("10,000 SDXL images")
                                                # "100k context docs", "8k-token documents": a length of each, not a count
                                                rf"(?!(?:-?\s*(?:token|tok)s?\b|\s*context\b))"
                                                rf"(?:(?!concurrent|simultaneous|parallel|active)(?:(?:\d+-)?[a-z-]+|#+)\s+){{0,2}}"
                                               rf"(?:{_alt(spec['records'])})(?!\s*(?:per|/|a |an |每))"
                                               # "200 calls at the same time": held at once, no items
                                               rf"(?!\s*(?:at the same time|at once|simultaneously|concurrently|"
                                               rf"in parallel|同时))"
                                               # "8张GPU卡", "4张A100": a count of devices, not of records
                                               # ("#": a device read before, "两张RTX 3090")
                                               rf"(?!(?<=[张条])\s*(?:[a-z0-9#]|卡|显卡|芯片|台|加速卡|昇腾|英伟达|华为|寒武纪|"
                                               rf"海光|昆仑|摩尔线程|壁仞|燧原|沐曦))")),
                           ("batch_size", rf"(?:{_alt(spec['batch_size'])}|(?<![\w-])(?:batch|bs)(?![a-z_-])|批量|批次)\s*"
                                          # "batch 8", "bs=8"; not "batch 10k documents" (a job's items)
                                          rf"(?:of|=|:|is)?\s*(?P<n>\d+)(?![\d.,]*\s*(?:k|m|thousand|million|万|千|"
                                          rf"documents?|images?|files?|records?|items?|requests?|prompts?|samples?|"
                                          rf"videos?|jobs?|张|条|个)(?![a-z]))")):
        for m in re.finditer(pattern, space.masked):
            if any(s <= m.start("n") < e for s, e in taken):
                continue
            # a fraction of an epoch is planned as a whole one (said by unread.counts_of_nothing)
            out[field] = math.ceil(float(m.group("n"))) if field == "epochs" else _integer(m.group("n"), lexicon)
            space.mask(m.start(), m.end())
            break
    if "dataset_records" not in out and (m := _requests_run(spec).search(space.masked)
                                         or _requests_of_a_length(spec).search(space.masked)):
        # "run 5 million prompts within 48h", "400k generations of 700 tokens each" (their length is read apart)
        out["dataset_records"] = _integer(m.group("n"), lexicon)
        space.mask(m.start(), m.end())
    return out


#: How long each audio item is: "each about 5 minutes long", "per 30s clip", "每段平均30秒", "每通电话约3分钟":
#: the item's length, not a bound on latency or on the job (it had been a 5-minute job time).
_CLIP_UNIT = r"(?P<unit>s|sec|secs|seconds?|min|mins|minutes?|h|hrs?|hours?|秒钟?|分钟|小时)"
CLIP_LENGTH = re.compile(
    rf"(?<![a-z])(?:each(?:\s+(?:clip|file|call|recording|segment|one))?|per\s+(?:clip|file|call|recording|segment))"
    rf"\s+(?:is\s+|are\s+|lasts?\s+|runs?\s+)?(?:about\s+|around\s+|~\s*|roughly\s+|avg\.?\s+|on average\s+)?"
    rf"(?P<n>\d+(?:\.\d+)?)\s*{_CLIP_UNIT}(?:\s+long)?(?![a-z])"
    rf"|(?<![a-z])per\s+(?P<n2>\d+(?:\.\d+)?)\s*(?P<unit2>s|sec|secs|seconds?|min|mins|minutes?)[\s-]*"
    rf"(?:audio\s+)?(?:clip|file|call|recording|segment)(?![a-z])"
    rf"|(?:平均)?每(?:段|条|个|通)(?:音频|录音|通话|电话|语音|视频)?\s*(?:平均|大约|约|大概)?\s*(?P<n3>\d+(?:\.\d+)?)\s*"
    rf"(?P<unit3>秒钟?|分钟|小时)(?!\s*(?:内|以内|之内|完成|搞定|处理完|转写完|出结果))"
    # "100k videos (avg 2 minutes each)": a length, then "each"
    rf"|(?<![a-z])(?:avg\.?|average|about|around|~|roughly)\s*(?P<n4>\d+(?:\.\d+)?)\s*{_CLIP_UNIT.replace('unit', 'unit4')}"
    rf"\s+(?:long\s+)?each(?![a-z])"
    # "utterances of ~10s audio", "10 second audio clips", "30-second recordings": each item's length, not
    # a volume per period ("10 minutes of audio per day")
    rf"|(?<![\w.])(?P<n5>\d+(?:\.\d+)?)[\s-]*(?P<unit5>s|sec|secs|seconds?|min|mins|minutes?)[\s-]+(?:long\s+)?"
    rf"(?:(?:of\s+)?(?:audio|speech|voice)(?:\s+(?:clips?|files?|recordings?|segments?|utterances?|snippets?))?"
    rf"|clips?|recordings?|utterances?|segments?|snippets?|voice\s+notes?)(?![a-z])"
    rf"(?!\s*(?:per|a|an|each|every|/)\s*(?:day|hour|week|month|minute|second)(?![a-z]))")
SECONDS = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1, "秒钟": 1, "min": 60, "mins": 60,
           "minute": 60, "minutes": 60, "分钟": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
           "小时": 3600}


def read_clip_length(space: Workspace) -> tuple[float, str, tuple[int, int]] | None:
    """Seconds each audio item lasts, as written, and its span (masked: no rule bounds a time
    with it); None when the request says none."""
    m = CLIP_LENGTH.search(space.masked)
    if m is None:
        return None
    n = m.group("n") or m.group("n2") or m.group("n3") or m.group("n4") or m.group("n5")
    unit = m.group("unit") or m.group("unit2") or m.group("unit3") or m.group("unit4") or m.group("unit5")
    space.mask(m.start(), m.end())
    return float(n) * SECONDS[unit], space.text[m.start():m.end()].strip(), (m.start(), m.end())


def read_audio_hours(lexicon: Lexicon, space: Workspace) -> tuple[int | None, list[str]]:
    """A job's size in hours of speech ("10,000 hours of audio"), as records of AUDIO_WINDOW_S
    seconds, with a note; not an amount per period ("500 hours of audio per day")."""
    m = AUDIO_HOURS.search(space.masked) or _chinese_job_hours(space.masked)
    if m is None or re.match(r"\s*(?:per|a|an|each|every|/)\s*(?:day|hour|week|month|minute)", space.masked[m.end():]):
        return None, []
    hours = float(m.group("n").replace(",", "")) * float(lexicon["number_scales"].get(m.group("scale") or "", 1))
    if "unit" in m.re.groupindex and m.group("unit").startswith("m"):
        hours /= 60  # "50,000 minutes of calls"
    records = round(hours * 3600 / AUDIO_WINDOW_S)
    space.mask(m.start(), m.end())
    return records, [f"'{space.text[m.start():m.end()].strip()}': {records:,} records of {AUDIO_WINDOW_S} s, the "
                     "window speech models transcribe at a time (Whisper's 30-second segments, Radford et al. 2022, "
                     "https://arxiv.org/abs/2212.04356)"]


def _chinese_job_hours(text: str) -> re.Match | None:
    """"转写1000小时中文会议录音": hours of speech in Chinese with no period before them ("每天…")."""
    m = AUDIO_JOB_HOURS_CN.search(text)
    if m is None or re.search(r"每(?:一)?(?:天|日|周|月)[^，。,;；]{0,8}$", text[:m.start()]):
        return None
    return m


def read_translation_direction(lexicon: Lexicon, space: Workspace,
                               task: str | None = None) -> tuple[list[str] | None, list[str]]:
    """A translation's source and target language ("German to English", "from German into
    English", "Chinese product reviews to English", "把德语翻译成英文", "中文新闻翻译成英文", "德译英",
    "en->de"), as ISO 639-1 codes; (None, []) when the request names no direction (a language alone,
    "English only", is left to the warnings). In a request whose ``task`` is translation the
    things translated may stand between the source and the joiner (up to three words, or a few
    characters in Chinese), unless the source is one of a list ("german, french and spanish
    emails to english": which one?); else the joiner must follow the source ("our chinese support
    team escalates to english staff" is no translation)."""
    joiners = "|".join(re.escape(j) for j in sorted(lexicon["language_joiners"], key=len, reverse=True))
    # a count may have read the source with its things ("10k chinese documents to english")
    named = [m for m in lexicon.phrases("languages").scan(space.text)
             if not space.is_masked(m.start, m.end) or _content_after(lexicon).match(space.text, m.end)]
    words = task == "translation"
    for k, (first, second) in enumerate(zip(named, named[1:])):
        between = space.text[first.end:second.start]
        listed = k > 0 and space.clause_bounds(named[k - 1].start) == space.clause_bounds(first.start)
        pattern = (rf"\s*(?:[a-z][a-z-]*\s+){{0,3}}(?:{joiners})\s*|[^\x00-\x7f，。；、]{{0,6}}(?:{joiners})\s*"
                   if words and not listed else rf"\s*(?:text\s+)?(?:{joiners})\s*")
        if re.fullmatch(pattern, between) and first.key != second.key:
            space.mark_read(first.start, second.end)
            return [first.key, second.key], [f"'{space.text[first.start:second.end]}': translated from {first.key} "
                                             f"to {second.key}"]
    codes = "|".join(sorted(lexicon["languages"], key=len, reverse=True))
    m = re.search(rf"(?<![a-z])({codes})\s?(?:->|→|=>)\s?({codes})(?![a-z])", space.masked)
    if m and m.group(1) != m.group(2):  # "en->de": codes of a direction, joined by an arrow
        space.mark_read(m.start(), m.end())
        return [m.group(1), m.group(2)], [f"'{m.group(0)}': translated from {m.group(1)} to {m.group(2)}"]
    abbreviations = lexicon["language_abbreviations"]
    short = "".join(abbreviations)
    m = re.search(rf"([{short}])(?:译|翻)([{short}])", space.masked)  # "英译中", "英翻中"
    if m and m.group(1) != m.group(2):
        space.mark_read(m.start(), m.end())
        pair = [abbreviations[m.group(1)], abbreviations[m.group(2)]]
        return pair, [f"'{m.group(0)}': translated from {pair[0]} to {pair[1]}"]
    return None, []


def read_translation_pair(lexicon: Lexicon, space: Workspace) -> tuple[list[str] | None, list[str]]:
    """The two languages a translation goes between when it states no direction ("中英互译",
    "翻译中英文", "between English and Japanese", "English<->German"), as ISO 639-1 codes in the
    order named; (None, []) unless it names exactly two (three or more, "English, French and
    German", are left to the warnings). A translation model goes one way, so the note says the
    plan holds one direction of the two."""
    m = _abbreviated_pair(lexicon, space.masked, r"(?=互译|双向|对译|翻译|$|[^\u4e00-\u9fff])")
    if m:  # "中英文": the pair and its 文
        found = [(m.start(), m.end(), lexicon["language_abbreviations"][m.group(1)]),
                 (m.start(), m.end(), lexicon["language_abbreviations"][m.group(2)])]
    else:
        found = [(x.start, x.end, x.key) for x in lexicon.phrases("languages").scan(space.masked)
                 if not space.is_read(x.start, x.end) and x.key != "multilingual"]
    codes = list(dict.fromkeys(code for _, _, code in found))
    if len(codes) != 2:
        return None, []
    for start, end, _ in found:
        space.mark_read(start, end)
    quoted = space.text[found[0][0]:found[-1][1]]
    return codes, [f"'{quoted}': translated between {codes[0]} and {codes[1]}, both ways; a translation model goes "
                   "one way, so the plan holds the direction of its model (plan the other direction as a request "
                   "of its own, e.g. 'translate from X to Y')"]


def _abbreviated_pair(lexicon: Lexicon, text: str, after: str) -> re.Match | None:
    """Two different one-character language names side by side, with their 文 or 语 ("中英文",
    "中英"), followed by what ``after`` allows; None where there is none."""
    short = "".join(lexicon["language_abbreviations"])
    m = re.search(rf"(?<![{short}])([{short}])([{short}])(?:文|语)?(?![{short}]){after}", text)
    return m if m and m.group(1) != m.group(2) else None


def read_content_languages(lexicon: Lexicon, space: Workspace) -> tuple[list[str] | None, list[str]]:
    """The languages of the text or speech a request other than a translation handles
    ("sentiment of Chinese product reviews", "中文情感分析", "transcribe Mandarin calls",
    "multilingual embeddings", "answers in Japanese"), as ISO 639-1 codes ("multilingual" for
    many), in the order named; (None, []) when it names none. A language word counts only
    where it qualifies the content (``_qualifies``) and is not negated ("we cannot use Chinese
    models", "Korean BBQ restaurant reviews" and "polish customer emails" name none)."""
    pair = _abbreviated_pair(lexicon, space.masked, r"(?=混合|混杂|夹杂|双语|夹着)")
    if pair:  # "中英文混合的会议录音": both languages, in the order named
        space.mark_read(pair.start(), pair.end())
        codes = [lexicon["language_abbreviations"][pair.group(i)] for i in (1, 2)]
        return codes, [f"'{pair.group(0)}': planned on a model whose documentation says it handles "
                       f"{' and '.join(codes)}"]
    named = lexicon.phrases("languages").scan(space.masked)
    found = [m for m in named
             # a rate may have read it with its things ("1M chinese product reviews per day")
             if (not space.is_read(m.start, m.end) or _content_after(lexicon).match(space.masked, m.end))
             and (_qualifies(lexicon, space, m) or _listed_alone(space, named, m))
             and not negated(lexicon, space.masked, m.start, max(0, m.start - 40))]
    # a language listed with one that qualifies qualifies too ("in Mandarin and English")
    found += [m for m in named if m not in found and any(_joined(space, m, f) for f in found)
              and m.phrase not in lexicon["language_verbs"]]
    found.sort(key=lambda m: m.start)
    if not found:
        return None, []
    for m in found:
        space.mark_read(m.start, m.end)
    codes = list(dict.fromkeys(m.key for m in found))
    named = ", ".join(dict.fromkeys(f"'{m.phrase}'" for m in found))
    return codes, [f"{named}: planned on a model whose documentation says it handles {' and '.join(codes)}"]


def _joined(space: Workspace, a: Match, b: Match) -> bool:
    """Whether two language words are one list ("Mandarin and English", "中文、英文")."""
    first, second = (a, b) if a.start < b.start else (b, a)
    return bool(re.fullmatch(r"\s*(?:,|/|&|\+|、|和|与|及|and|or|plus)?\s*", space.masked[first.end:second.start]))


def _listed_alone(space: Workspace, named: list[Match], m: Match) -> bool:
    """Whether ``m`` is in a list of two or more languages that is a clause of its own (", Mandarin and
    English."): the request's languages, said as an item."""
    start, end = space.clause_bounds(m.start)
    mates = [o for o in named if start <= o.start < end]
    if len(mates) < 2 or not all(_joined(space, x, y) for x, y in pairwise(mates)):
        return False
    return not space.masked[start:mates[0].start].strip(" ,;") and not space.masked[mates[-1].end:end].strip(" .,;")


def mark_languages_read(lexicon: Lexicon, space: Workspace) -> None:
    """Language words of a request about images name things ("German shepherds", "Chinese
    dishes"), not the language of any text: read, so no warning quotes them."""
    for m in lexicon.phrases("languages").scan(space.masked):
        space.mark_read(m.start, m.end)


def _qualifies(lexicon: Lexicon, space: Workspace, m: Match) -> bool:
    """Whether a language word names the language of the request's text or speech: a Chinese
    language name (中文, 普通话); "multilingual"; "in <language>"; or a content noun of the
    lexicon right after it, a word or two between ("Chinese product reviews", "English-only
    chatbot", "Japanese-speaking users"), or after a list of languages ("English and Chinese news")."""
    if not m.phrase.isascii() or m.key == "multilingual":
        return True
    text = space.masked
    if re.search(r"(?<![a-z])in\s+(?:(?:mixed|both|a mix of)\s+)?$", text[max(0, m.start - 16):m.start]) or text.startswith("-speaking", m.end):
        return True
    if m.phrase in lexicon["language_verbs"]:
        return False
    return bool(_content_after(lexicon).match(text, m.end))


@lru_cache(maxsize=4)
def _content_after(lexicon: Lexicon) -> re.Pattern:
    """What follows a language word that names the content's language: "-only", more languages,
    a word or two, then a content noun of the lexicon."""
    nouns = "|".join(re.escape(n) for n in sorted(lexicon["language_content_nouns"], key=len, reverse=True))
    names = "|".join(re.escape(p) for group in lexicon["languages"].values() for p in group if p.isascii())
    return re.compile(rf"(?:[- ]only|-speaking)?(?:\s*(?:,|and|or|/)\s*(?:{names}))*"
                      rf"(?:\s+[a-z][a-z-]*){{0,2}}?\s+(?:{nouns})(?![a-z])")


#: A parallel layout the request asks for: "TP=2", "TP8xPP2", "tensor parallel size 4",
#: "--tensor-parallel-size 8", "8-way tensor parallelism", "pipeline parallel 2", "2 pipeline
#: stages", "张量并行4", "流水线并行度为2". A degree is a power of two up to 64; "TP99" and its kin
#: are percentiles (LATENCY_PERCENTILES).
_DEGREE = r"(?P<{}>\d{{1,3}})(?![\d.%])"
_SEP = r"\s*(?:=|:|：|of|为|是)?\s*"
PARALLEL_LAYOUT = {
    kind: re.compile("|".join([
        rf"(?<![a-z]){short}{_SEP}{_DEGREE.format('a')}",
        rf"(?<![a-z]){word}[-_ ]?parallel(?:ism)?(?:[-_ ](?:size|degree))?{_SEP}{_DEGREE.format('b')}",
        rf"(?<![\d.]){_DEGREE.format('c')}[-\s]?way\s+{word}[-_ ]?parallel(?:ism)?",
        rf"{chinese}并行(?:度|数|规模)?\s*(?:=|:|：|为|是)?\s*{_DEGREE.format('d')}",
    ] + extra))
    for kind, short, word, chinese, extra in (
        # "tensor parallel across 4 H100 GPUs": the devices counted after it (left for the device
        # reading too: the lookahead reads the count without taking it)
        ("tensor", "tp", "tensor", "张量", [rf"(?<![\d.]){_DEGREE.format('e')}[-\s]?way\s+tp(?![a-z])",
                                          rf"(?<![a-z])tensor[-_ ]?parallel(?:ism)?\s+(?:across|over|on)\s+"
                                          rf"(?=(?P<f>\d{{1,3}})(?![\d.%])\s*(?:x\s*)?[a-z])"]),
        ("pipeline", "pp", "pipeline", "流水线", [rf"(?<![\d.]){_DEGREE.format('e')}\s+pipeline\s+stages?",
                                              # "across 2 nodes of 8 H100 with pipeline parallel": a stage a node
                                              rf"(?<![\d.])(?=(?P<f>\d{{1,2}})\s+(?:nodes|servers|machines|hosts)"
                                              rf"(?![a-z])[^.;]{{0,60}}?pipeline[-_ ]?parallel)"]),
    )
}
LAYOUT_DEGREES = (1, 2, 4, 8, 16, 32, 64)
#: "TP50", "TP90", "TP99", "TP999": latency percentiles by their industry names, not layouts.
LATENCY_PERCENTILES = (50, 90, 95, 99, 999)


def read_parallel_layout(space: Workspace) -> tuple[dict[str, int], list[str], list[str]]:
    """The tensor- and pipeline-parallel degrees the request asks for ({"tensor_parallel": 2}),
    the assumptions saying so, and warnings for a degree no layout has (not a power of two)."""
    layout, notes, warnings = {}, [], []
    for kind, pattern in PARALLEL_LAYOUT.items():
        m = pattern.search(space.masked)
        if m is None:
            continue
        degree = int(next(g for g in m.groups() if g))
        written = space.text[m.start():m.end()].strip()
        if m.group("a") and degree in LATENCY_PERCENTILES:  # "TP99延迟", "TP90": a percentile's name
            continue
        space.mask(m.start(), m.end())
        if degree not in LAYOUT_DEGREES:
            warnings.append(f"'{written}': a {kind}-parallel degree of {degree} is not planned for (a model splits "
                            f"over a power of two of devices, {LAYOUT_DEGREES[1]} to {LAYOUT_DEGREES[-1]}); the "
                            "planner chooses the layout")
            continue
        layout[f"{kind}_parallel"] = degree
        stages = f"{degree} pipeline stage{'s' if degree > 1 else ''}"
        notes.append(f"'{written}': each model instance splits its layers over {degree} devices (tensor parallel)"
                     if kind == "tensor" else f"'{written}': each model instance runs in {stages}")
    return layout, notes, warnings


#: What a detector is asked to find sits after a verb of finding, or before "detection": "detect
#: license plates", "face detection", "检测人脸"; "fine-tuned on faces" says it already can.
FIND_BEFORE = re.compile(r"(?:detect|detecting|detection of|detector for|find|finding|spot|spotting|count|counting|track|"
                         r"tracking|recogni[sz]e|recogni[sz]ing|identify|identifying|locate|locating|检测|识别|发现|找出)"
                         r"(?:\s+(?!(?:in|on|at|near|from|with|by|for|under|inside|around|over|behind|across|through)"
                         r"(?![a-z]))[a-z]+,?){0,3}\s*$")  # a place after a preposition is where, not what
FIND_AFTER = re.compile(r"\s*(?:detection|detector|detectors|检测|识别)")
ALREADY_TRAINED = re.compile(r"(?:fine-tuned|finetuned|trained|tuned)\s+(?:on|for|to\s+detect)(?:\s+[a-z]+){0,2}\s*$")


def _asked_to_find(text: str, m: Match) -> bool:
    before = text[max(0, m.start - 40):m.start]
    return (bool(FIND_BEFORE.search(before) or FIND_AFTER.match(text, m.end))
            and not ALREADY_TRAINED.search(before))


#: The catalog's models trained on medical images, named in the warning (those it holds).
MEDICAL_MODELS = ("3d-unet-kits19-mlperf",)


def medical_image_warnings(lexicon: Lexicon, space: Workspace, task: str, catalog) -> list[str]:
    """A vision request on medical images ("医疗影像分割", "classify chest X-rays"): the catalog's
    models of the task are trained on photographs, so the plan's model gives no medical answer until
    it is fine-tuned; said once, with the medical models the catalog holds for the task."""
    found = lexicon.words("medical_images").scan(space.masked)
    if not found:
        return []
    space.mark_read(found[0].start, found[0].end)
    medical = [m for m in MEDICAL_MODELS if m in catalog.models and catalog.models[m].task == task]
    named = f"; {', '.join(medical)} is trained on them (kidney tumours in CT): name it to plan it" if medical else ""
    return [f"'{found[0].phrase}': the catalog's {task} models are trained on photographs, not medical images; the "
            f"planned model's speed and memory hold, its accuracy does not until it is fine-tuned on labelled "
            f"scans{named}"]


def detection_target_warnings(lexicon: Lexicon, space: Workspace) -> list[str]:
    """A detector asked to find what COCO's 80 classes do not hold ("face detection", "检测车牌",
    "scratches on parts"): the catalog's detectors are COCO's, so the plan's model finds none
    until it is fine-tuned on them; said once, naming what was asked."""
    found = [m for m in lexicon.phrases("detection_targets").scan(space.masked)
             if m.key == "not_coco" and _asked_to_find(space.masked, m)]
    if not found:
        return []
    asked = ", ".join(dict.fromkeys(f"'{m.phrase}'" for m in found))
    return [f"{asked}: not one of the 80 COCO classes the catalog's detectors are trained on; the planned model "
            "finds none until it is fine-tuned on labelled examples (its speed and memory hold as planned, its "
            "accuracy does not)"]


#: An image's denoising steps: "30 steps", "50 inference steps", "steps=30", "30步", "步数25".
DENOISING_STEPS = re.compile(
    r"(?<![\d.])(?P<n>\d+)\s*(?:denoising\s+|inference\s+|sampling\s+|diffusion\s+|euler\s+)?steps?(?![a-z])"
    r"|(?<![a-z])(?:num_inference_)?steps?\s*[=:]\s*(?P<m>\d+)|(?P<c>\d+)\s*(?:个)?步(?!骤)|步数\s*(?:为|是|=|:|：)?\s*(?P<d>\d+)")


def read_denoising_steps(space: Workspace) -> tuple[int | None, list[str]]:
    """A text-to-image request's denoising steps an image; the catalog entry's count applies
    without (MLPerf's 20 for SDXL, diffusers' 50 for SD 1.5), and the plan says which."""
    m = DENOISING_STEPS.search(space.masked)
    if m is None:
        return None, []
    steps = int(next(g for g in m.group("n", "m", "c", "d") if g))
    if steps < 1:
        return None, []
    space.mask(m.start(), m.end())
    return steps, [f"'{space.text[m.start():m.end()].strip()}': {steps} denoising steps an image"]


#: A rate that is each source's: "30 fps each", "25 fps per camera", "每路30帧", "每个摄像头10fps".
EACH_AFTER = re.compile(r"\s*(?:each|apiece|(?:from|of|on|for)\s+each(?:\s+of)?|per\s+(?:camera|cam|stream|feed|channel|sensor|user|dev|developer|person|"
                        r"seat|agent|employee|client)|a\s+(?:camera|stream|feed))"
                        r"(?![a-z])")
EACH_BEFORE = re.compile(r"(?:每路摄像头|每路相机|每路视频|每路|每个摄像头|每台相机|每个相机|每台摄像头|每个?通道|单路|每人|每个人|每个用户|每位用户|每个开发者|每个坐席|每位|人均|"
                         r"each(?:\s+(?:camera|cam|stream|feed|one|user|dev|developer|person|agent|employee|client))?"
                         r"(?:\s+(?:at|runs?|running|streams?|streaming|is|doing|sends?|sending|produces?|producing|fires?|"
                         r"firing|makes?|making|issues?|issuing|submits?|asks?|does))?)"
                         r"\s*(?:每(?:分钟|秒钟?|小时|天|日|周|月))?\s*(?:at|为|是)?\s*(?:about|around|~|maybe|roughly|approximately|"
                         r"approx\.?|perhaps|大概|大约|约|平均)?\s*"
                         r"(?:问|发|提问|请求|调用|访问|发送|提交)?\s*$")
#: A rate whose own words say it is each person's or source's: "20 requests per user per day".
EACH_WITHIN = re.compile(r"(?<![a-z])per\s+(?:user|person|camera|stream|seat|agent|employee|client|developer|customer)"
                         r"(?![a-z])|每人|每个用户|每路")
#: A count of sources: "4 RTSP camera streams", "16 cameras", "10路摄像头".
SOURCES = re.compile(r"(?<![\d.])(?<!\d,)(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\s*[x×](?=\s))?(?![\d.]*[a-z])\s*(?:路(?![\w]*(?:摄像头|视频|帧))(?=\W|$|\s*\d{3,4}\s*[pk](?![a-z]))|(?:个|路)?\s*"
                     r"(?:[\w-]+\s+|\d+[pk]\s*){0,2}?"
                     r"(?:cameras?|cams?|streams?|feeds?|channels?|doors|gates|entrances|lanes|checkouts|摄像头|摄像机|相机|"
                     r"路视频|视频流|"
                     r"users|devs|developers|engineers|"
                     r"employees|agents|clients|customers|people|seats|sessions|dau|mau|daily active users|monthly active users|"
                     r"active users|"
                     r"用户|员工|开发者|坐席|人(?!均))(?:\s+(?:streams?|feeds?))?"
                     r"(?![a-z]))"
                     # "用户5万", "员工约2000": the count after its people
                     r"|(?:用户|员工|坐席|客户|[日月]活(?:跃用户)?|dau|mau)(?:数|量)?\s*(?:约|大约|预计|大概|有|:|：)?\s*"
                     r"(?P<after>\d+(?:\.\d+)?)\s*(?P<scale>万|千)?")


#: A frame rate written right after its sources: "8 cameras at 15 fps", "16 streams @ 25fps", "4 cameras x
#: 15 fps" (a
#: camera's frame rate is its own: 8 cameras at 15 fps in all would be under 2 fps a camera).
SOURCES_AT = re.compile(SOURCES.pattern + r"\s*(?:at|@|running at|with|x|×|\*)\s*$")
FRAME_RATE = re.compile(r"fps|frames?|帧")
#: A rate said to be the sources' together: "8 cameras at 120 fps total", "in all", "总共".
TOTAL_AFTER = re.compile(r"\s*(?:total|in total|combined|overall|altogether|in all|all together|总共|合计|总计)(?![a-z])")


def _a_cameras_frame_rate(space: Workspace, span: tuple[int, int]) -> bool:
    """A frame rate written right after its sources ("8 cameras at 15 fps") is each camera's,
    unless said to be their total ("at 120 fps total") or more than a camera runs at
    (serving.yaml camera_stream max_fps: "16 streams at 400 fps" is the whole load)."""
    from planner.perf.serving import load_serving

    written = space.text[span[0]:span[1]]
    number = re.search(r"\d+(?:\.\d+)?", written)
    return bool(FRAME_RATE.search(written) and SOURCES_AT.search(space.text[max(0, span[0] - 60):span[0]])
                and not TOTAL_AFTER.match(space.text, span[1])
                and number and float(number.group()) <= load_serving().camera_stream["max_fps"])


def read_sources(space: Workspace, rate_spans: list[tuple[int, int]]) -> tuple[int | None, list[str]]:
    """The sources a per-source rate is for: "4 RTSP camera streams at 30 fps each", "10路摄像头，
    每路25帧", "8 cameras at 15 fps". A rate said to be each source's ("each", "per camera", 每路),
    or a frame rate written right after its sources, with a count of sources (more than one)
    makes the load their sum; the bound stays as written (the contract's literal rate) and the
    count is the workload's ``sources``. None without both."""
    each = [span for span in rate_spans if EACH_AFTER.match(space.text, span[1]) or EACH_WITHIN.search(space.text[span[0]:span[1]])
            or EACH_BEFORE.search(space.text[max(0, span[0] - 32):span[0]])
            or _a_cameras_frame_rate(space, span)]
    if not each:
        return None, []
    for m in SOURCES.finditer(space.masked):
        group = "n" if m.group("n") else "after"
        n = int(float(m.group(group).replace(",", "")) * {"万": 10_000, "千": 1000}.get(m.group("scale") or "", 1))
        if n > 1 and not space.is_read(m.start(group), m.end(group)):
            space.mask(m.start(group), m.end(group))
            return n, [f"'{space.text[m.start():m.end()].strip()}' with a rate for each: the load is {n} times the "
                       "rate stated"]
    return None, []


@dataclass(frozen=True)
class AudioVolume:
    """Hours of speech a period brings ("5000 hours of audio a day", "每天5000小时的录音"), as
    windows of AUDIO_WINDOW_S seconds."""

    windows: int
    period_s: float
    written: str
    span: tuple[int, int]

    @property
    def rate(self) -> float:
        """Windows a second, the period's volume spread evenly over it."""
        return self.windows / self.period_s


def read_audio_volume(lexicon: Lexicon, space: Workspace) -> AudioVolume | None:
    """An amount of speech per period: the volume a speech service must keep up with."""
    m = AUDIO_HOURS.search(space.masked)
    if m is None and SPEECH_WORDS.search(space.text):  # the text: a model named ("whisper-turbo") is masked
        m = AUDIO_TIME_ALONE.search(space.masked)
    period = m and AUDIO_PERIOD_AFTER.match(space.masked, m.end())
    if m and period:
        n, scale, unit, end = m.group("n"), m.group("scale"), period.group("period"), period.end()
    elif cn := AUDIO_HOURS_CN.search(space.masked) or AUDIO_HOURS_CN_AFTER.search(space.masked):
        m, n, scale, unit, end = cn, cn.group("n"), cn.group("scale"), cn.group("period"), cn.end()
    else:
        return None
    hours = float(n.replace(",", "")) * float(lexicon["number_scales"].get(scale or "", 1))
    if "unit" in m.re.groupindex and m.group("unit").startswith("m"):
        hours /= 60  # "10k minutes of calls a day"
    space.mask(m.start(), end)
    return AudioVolume(round(hours * 3600 / AUDIO_WINDOW_S), PERIOD_S[unit], space.text[m.start():end].strip(),
                       (m.start(), end))


#: Seconds of a period an amount of audio is given for (a month is 730 hours, as a monthly budget's).
PERIOD_S = {"hour": 3600, "小时": 3600, "day": 86400, "天": 86400, "日": 86400, "week": 604800, "周": 604800,
            "month": 730 * 3600, "月": 730 * 3600}
AUDIO_PERIOD_AFTER = re.compile(r"\s*(?:per|a|an|each|every|/)\s*(?P<period>day|hour|week|month)(?![a-z])")
#: "每天5000小时的录音", "每月转写2万小时音频", "每天2000小时的客服录音" (a word or two naming whose).
AUDIO_HOURS_CN = re.compile(r"每(?:一|个)?(?P<period>天|日|周|月|小时)[^，。,;；]{0,8}?(?P<n>\d+(?:\.\d+)?)\s*(?P<scale>万|千)?\s*(?:个)?"
                            r"小时的?[^，。,;；\d\s]{0,4}?(?:录音|音频|语音|通话|电话录音|会议录音)")


#: The same with the speech named first: "转写中文会议录音，每天100小时", "客服通话录音每月2万小时".
AUDIO_HOURS_CN_AFTER = re.compile(r"(?:录音|音频|语音|通话)[^。;；\d]{0,6}?每(?:一|个)?(?P<period>天|日|周|月|小时)\s*(?:约|大约|大概)?\s*"
                                  r"(?P<n>\d+(?:\.\d+)?)\s*(?P<scale>万|千)?\s*(?:个)?小时")


#: "转写1000小时中文会议录音", "2万小时的音频": a job's hours of speech in Chinese (a period before it,
#: "每天…", is a volume per period, read by AUDIO_HOURS_CN first).
AUDIO_JOB_HOURS_CN = re.compile(r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<scale>万|千)?\s*(?:个)?小时的?[^，。,;；\d\s]{0,4}?"
                                r"(?:录音|音频|语音|通话|电话录音|会议录音)")
#: "10,000 hours of audio", "500 hours of medical dictation", "10k hours of call-center recordings":
#: a job's size in hours of speech, read as records of AUDIO_WINDOW_S seconds.
AUDIO_WINDOW_S = 30
AUDIO_HOURS = re.compile(r"(?<![\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>k|m|thousand|million)?\s*"
                         r"(?P<unit>hours?|hrs?|h|minutes?|mins?)\s+(?:of\s+)?(?:[a-z-]+\s+){0,2}(?:audio|speech|recordings?|"
                         r"dictation|calls?|podcasts?|meetings?|voice|voicemails?|conversations?|"
                         # "500 hours of accented English": speech in a language
                         r"english|mandarin|chinese|cantonese|spanish|french|german|japanese|korean|arabic|hindi|"
                         r"portuguese|italian|russian)(?![a-z])")
#: Time alone with a period in a request about speech: "voicemails, 10k minutes/day", "500 hours a day of
#: calls to transcribe" ("10k minutes" had been read as a latency of 6.9 days).
AUDIO_TIME_ALONE = re.compile(r"(?<![\d.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>k|m|thousand|million)?\s*"
                              r"(?P<unit>hours?|hrs?|minutes?|mins?)(?=\s*(?:per|a|an|each|every|/)\s*(?:day|week|month)(?![a-z]))")
SPEECH_WORDS = re.compile(r"(?<![a-z])(?:speech|transcri\w*|voicemails?|audio|asr|stt|dictation|calls?|podcasts?|recordings?|whisper[\w.-]*|meetings?)"
                          r"(?![a-z])|语音|录音|转写|通话")


def _requests_run(spec: dict) -> re.Pattern:
    """A count of requests after a verb that runs them: "run 5 million prompts", "process 2M queries"."""
    return re.compile(rf"(?<![\w-])(?:{_alt(spec['request_verbs'])})\s+(?:all\s+|the\s+|about\s+|~\s*)?"
                      rf"(?P<n>{NUMBER}\s*(?:k|m|million|billion|thousand|万|亿)?)\s*"
                      rf"(?:(?!concurrent|simultaneous|parallel|active)[a-z-]+\s+)?(?:{_alt(spec['request_records'])})"
                      rf"(?!\s*(?:per|/|a |an |每|at once|in parallel))")


def _requests_of_a_length(spec: dict) -> re.Pattern:
    """A count of requests of a stated length, no verb before it: "400k generations of 700 tokens
    each", "2M prompts of ~500 tokens" (the length is left to the request shape)."""
    return re.compile(rf"(?<![\w.,-])(?P<n>{NUMBER}\s*(?:k|m|million|billion|thousand|万|亿)?)\s*"
                      rf"(?:{_alt(spec['request_records'])})(?=\s+of\s+(?:about\s+|around\s+|~\s*)?\d[\d,.]*\s*k?"
                      rf"[\s-]*(?:tokens?|toks?)(?![a-z]))")


def read_named_dataset(lexicon: Lexicon, space: Workspace) -> tuple[int | None, list[str]]:
    """The training records of a public dataset the request names ("on ImageNet"), with a note."""
    datasets = lexicon["named_datasets"]
    found = PhraseSet({key: entry["names"] for key, entry in datasets.items()}).scan(space.masked)
    if not found:
        return None, []
    entry = datasets[found[0].key]
    space.mark_read(found[0].start, found[0].end)
    note = f"'{found[0].phrase}': trains on {entry['records']:,} records, the {entry['what']}; source: {entry['source']}"
    return entry["records"], [note]


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(words, key=lambda w: len(str(w)), reverse=True))


def _integer(text: str, lexicon: Lexicon) -> int:
    m = re.match(rf"({NUMBER})\s*(\S+)?", text.strip())
    value = float(m.group(1).replace(",", ""))
    scale = m.group(2)
    if scale:
        value *= float(lexicon["number_scales"].get(scale, 1))
    return int(value)


#: A count of replicas a request asks for: "at least 2 replicas", "3 pods", "至少3个副本".
REPLICA_COUNT = re.compile(r"(?P<firm>(?:at least|a minimum of|minimum of|minimum|min\.?|no fewer than|no less than|"
                           r"至少|最少|不少于)\s*)?(?P<n>\d{1,3}|[两二三四五六七八九])\s*(?:个|份)?\s*(?:serving\s+)?"
                           r"(?:replicas?|instances?|pods?|copies|副本|实例)(?![a-z])"
                           # "3 replicas min", "3 replicas minimum", "3 replicas at least": the floor word after
                           r"(?P<firm_after>\s+(?:min(?:imum)?|at\s+(?:least|minimum))(?![a-z]))?")


#: A range of replicas an autoscaler keeps: "between 2 and 10 replicas", "2-10 pods", "副本数2到10".
REPLICA_RANGE = re.compile(r"(?:between\s+)?(?P<low>\d{1,3})\s*(?:and|to|-|–|~|到|至)\s*(?P<high>\d{1,4})\s*(?:个)?\s*"
                           r"(?:serving\s+)?(?:replicas?|instances?|pods?|副本|实例)(?![a-z])"
                           r"|(?:副本数?|实例数?)\s*(?P<low_zh>\d{1,3})\s*(?:到|至|-|~)\s*(?P<high_zh>\d{1,4})")
#: Chinese digits a count of replicas may be written in ("三副本高可用").
CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def read_min_replicas(lexicon: Lexicon, space: Workspace) -> tuple[int | None, list[str]]:
    """The fewest replicas a request asks for, for availability: a count of replicas with a
    floor word before it ("at least 2 replicas", "至少3个副本") or a reason of availability in its
    clause ("3 replicas for redundancy", "2副本高可用"). A count without either ("maybe 12
    replicas?") is left to the unread pass, which says it is not planned for."""
    ranged = REPLICA_RANGE.search(space.masked)
    low, high = ((int(ranged.group("low") or ranged.group("low_zh")), int(ranged.group("high") or ranged.group("high_zh")))
                 if ranged is not None else (0, 0))
    if low >= 2:  # "autoscale between 2 and 10 replicas"
        space.mark_read(ranged.start(), ranged.end())
        return low, [f"'{space.text[ranged.start():ranged.end()].strip()}': at least {low} replicas are planned, more "
                     f"when the load needs them; scaling up to {high} is the autoscaler's, not planned for"]
    for m in REPLICA_COUNT.finditer(space.masked):
        n = int(m.group("n")) if m.group("n").isdigit() else CN_DIGITS[m.group("n")]
        if n < 2 or space.is_read(m.start("n"), m.end("n")):
            continue
        start, end = space.clause_bounds(m.start("n"))
        around = space.text[start:max(end, m.end() + 25)].lower()
        if not m.group("firm") and not m.group("firm_after") and not lexicon.words("availability_words").scan(around):
            continue
        space.mark_read(m.start(), m.end())
        return n, [f"'{space.text[m.start():m.end()].strip()}': at least {n} replicas are planned, more when the "
                   "load needs them"]
    return None, []


#: Replicas beyond the load's, so the service holds its load with some down: "N+1 redundancy",
#: "n+2", "1 spare replica", "plus a spare", "survive 1 node failure", "N+1冗余", "1个冗余副本",
#: "2台热备", "冗余1个副本". Number words are digits by now ("one spare" is "1 spare").
SPARE_REPLICAS = re.compile(
    r"(?<![a-z0-9])n\s*\+\s*(?P<n_plus>[1-3])(?![0-9])"
    r"|(?<![a-z])(?:(?P<count>[1-3])|a|an)\s+(?:extra\s+|additional\s+)?(?:spare|standby|hot[- ]standby|backup|redundant)"
    r"(?:\s+(?:replicas?|instances?|nodes?|pods?|servers?|gpus?|copies|copy))?(?![a-z])"
    r"|(?:survive|tolerate|withstand|handle)\s+(?:the\s+)?(?:loss\s+of\s+)?(?:(?P<lost>[1-3])|a|an)\s+"
    r"(?:replica|instance|node|pod|server|gpu|machine)s?(?:\s+(?:failure|failing|going down|down|outage))?"
    r"|(?P<zh>[1-3])\s*(?:个|台|份)?\s*(?:冗余|备用|热备|备份)(?:副本|实例|节点|机器|服务器)?"
    r"|冗余\s*(?P<zh_after>[1-3])\s*(?:个|台|份)")


def read_spare_replicas(space: Workspace) -> tuple[int | None, list[str]]:
    """Replicas a request asks for beyond what its load needs, so it holds the load with that
    many down ("N+1 redundancy": 1, "2台热备": 2); (None, []) without."""
    m = SPARE_REPLICAS.search(space.masked)
    if m is None:
        return None, []
    n = int(next((g for g in m.groups() if g), "1"))
    space.mark_read(m.start(), m.end())
    said = space.text[m.start():m.end()].strip()
    return n, [f"'{said}': {n} replica{'s' if n > 1 else ''} beyond what the load needs, so the service holds its "
               f"load with {n} down"]


#: A window of the clock a job runs in: "Window is 1am-5am", "between 10pm and 6am", "晚上10点到早上6点".
CLOCK_WINDOW_EN = re.compile(r"(?:window\s+(?:is\s+)?|between\s+|from\s+)?(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<p1>am|pm)"
                             r"\s*(?:-|–|to|until|till|and)\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*(?P<p2>am|pm)(?![a-z])")
CLOCK_WINDOW_ZH = re.compile(r"(?P<p1>凌晨|早上|上午|中午|下午|晚上|夜里|夜间)?\s*(?P<h1>\d{1,2})\s*点(?P<half1>半)?\s*(?:到|至|-|~)\s*"
                             r"(?:次日|第二天|隔天)?\s*(?P<p2>凌晨|早上|上午|中午|下午|晚上|夜里)?\s*(?P<h2>\d{1,2})\s*点(?P<half2>半)?")
AFTERNOON_ZH = ("下午", "晚上", "夜里", "夜间")


def read_clock_window(space: Workspace) -> tuple[float, str, tuple[int, int]] | None:
    """The hours of a window of the clock a job must run in ("Window is 1am-5am": 4 h; "晚上10点到早上6点
    之间跑完": 8 h, past midnight), as written and where; None without one."""
    m = CLOCK_WINDOW_EN.search(space.masked)
    if m is not None:
        def hour(h, minutes, half) -> float:
            value = int(h) % 12 + (12 if half == "pm" else 0)
            return value + int(minutes or 0) / 60

        start, end = hour(m.group("h1"), m.group("m1"), m.group("p1")), hour(m.group("h2"), m.group("m2"), m.group("p2"))
    elif (m := CLOCK_WINDOW_ZH.search(space.masked)) is not None:
        def hour_zh(h, part, half) -> float:
            value = int(h)
            if part in AFTERNOON_ZH and value < 12:
                value += 12
            return value + (0.5 if half else 0)

        start = hour_zh(m.group("h1"), m.group("p1"), m.group("half1"))
        end = hour_zh(m.group("h2"), m.group("p2") or ("" if m.group("p1") not in AFTERNOON_ZH else ""), m.group("half2"))
    else:
        return None
    hours = (end - start) % 24
    if not 0 < hours <= 24:
        return None
    return hours, space.text[m.start():m.end()].strip(), (m.start(), m.end())


def read_edge_site(lexicon: Lexicon, space: Workspace) -> str | None:
    """A place on the edge the request names without a deployment word ("in-car", "on a drone",
    "battery-powered", "车载"), as written; None without one. The contract keeps the deployment
    null for it; the plan runs there (planner.defaults.at_the_edge_site)."""
    for m in lexicon.words("edge_sites").scan(space.masked):
        if space.masked.startswith(("线", "班", "市", "架"), m.end):
            continue  # "问答机器人上线": the chatbot goes live (上线), no robot; 上班, 上市
        if not negated(lexicon, space.masked, m.start, space.clause_bounds(m.start)[0], max_words=3):
            return space.text[m.start:m.end]
    return None


def _wish_clause_before(lexicon: Lexicon, space: Workspace, clause_start: int) -> bool:
    """Whether the clause before is a wish and nothing else ("如果可以的话，每小时成本控制在2美元以内",
    "if possible, under $2/h"): it makes the next clause's bound one."""
    if clause_start <= 0:
        return False
    previous = space.text[space.clause_bounds(clause_start - 1)[0]:clause_start]
    bare = re.sub(r"[,，;；:：]+|的话|那么", " ", previous.lower()).strip()
    return bool(bare) and any(m.start == 0 and m.end == len(bare) for m in
                              [*lexicon.words("soft_before").scan(bare), *lexicon.words("soft_after").scan(bare)])


def soft_bounds(lexicon: Lexicon, space: Workspace, constraints: list, spans: list[tuple[int, int]]) -> tuple[list, list[str]]:
    """The bounds a request states as wishes marked ``soft`` ("nice to have: under $1.5/hour",
    "ideally under 100 ms", "p99 under 2 s if possible"; one was a hard cost cap, and the request
    was refused), with a note for each."""
    out, notes = [], []
    for c, (start, end) in zip(constraints, spans):
        clause_start, clause_end = space.clause_bounds(start)
        before = space.masked[max(clause_start, start - 40):start]
        after = space.masked[end:min(clause_end, end + 24)]
        wish = lexicon.words("soft_before").scan(before) or [
            m for m in lexicon.words("soft_after").scan(after) if not after[:m.start].strip()] or (
            _wish_clause_before(lexicon, space, clause_start))
        if wish:
            c = c.model_copy(update={"soft": True})
            notes.append(f"'{c.source or c.describe()}': a wish, not a requirement: held when a plan can, else the "
                         "plan is made without it and says so")
        out.append(c)
    return out, notes

