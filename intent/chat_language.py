"""How the chat reads a message before the parser does: its language, and whether it is a
command, a question (why this plan, why not another device), an export, or a wish for a
cheaper plan. The words are lexicon.yaml's ``chat`` section, in English and Chinese; a message
that is none of these is a change to the request, read by the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from intent.parser.lexicon import PhraseSet, load_lexicon
from intent.parser.numbers import chinese_to_number

#: Characters around a message that carry no meaning for the chat.
EDGES = " \t.,;:!?。，；：！？、…\"'“”‘’"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: A question about a figure asked at its end ("首字延迟是多少？", "要多长时间？", "how long will it take?").
ASKED_HOW_MUCH = re.compile(r"(?:是多少|多少钱|要多久|多长时间|需要多久|多少小时)[?？]?$|^how long\b|^when will it finish"
                            # "每秒能出多少token", "一天能出多少张": a rate asked, its unit after 多少
                            r"|能(?:出|生成|处理|跑|输出|产出)多少\s*(?:个|张|条|次)?\s*(?:token|tokens|张|条|个|次|图|请求)?[?？]?$"
                            r"|多少[^，。,;；\d]{0,6}[?？]?$|多久[^，。,;；\d]{0,4}[?？]?$|^what(?:'s| is) the max\b"
                            r"|^how (?:many|much)\b|^what (?:does|will|would) .{1,40} cost\b"
                            # "功率多大", "精度怎么样", "what accuracy does it get?": a figure of the plan asked
                            r"|(?:多大|多高|多低)[?？]?$|(?:精度|准确率|准确度|效果|延迟|时延|功耗|功率|成本|吞吐|显存|质量)(?:怎么样|如何)[?？]?$"
                            r"|^what (?:accuracy|latency|throughput|power|memory|quality)\b"
                            # "用了几张卡？", "and per month?", "每个用户每月成本多少"
                            r"|几(?:张|块|台|个)[^，。,;；\d]{0,4}[?？]?$|^(?:and\s+|so\s+)?(?:per|a|each)\s+(?:month|day|year|week)\??$")
#: Chinese words that compare the plan with a device the message names ("和H200比较一下", "用 H200 对比"),
#: and the words around the device that go with them.
COMPARING = re.compile(r"比较|对比|比一下|比比")
COMPARED = re.compile(r"^(?:比较一下|比较|对比一下|对比)?\s*(?:和|跟|与|用|拿)?|(?:比较一下|比较|对比一下|对比|比一下|比比)(?:看|呢)?$")
#: A device or count tried in a question ("换成H100怎么样？", "用两张A100呢？", "改用昇腾行不行"): weighed, not applied.
TRY_ZH = re.compile(r"^(?:如果|要是|假如)?(?:换成|换用|改用|改成|用|换)(?P<what>[^，,。？?]{1,20}?)(?:会)?(?:怎么样|如何|呢|行不行|"
                    r"可不可以|可以吗|行吗)[?？]?$")
#: A question about losing a device: "what if one of them dies?", "what if we lose one L40S?", "一张卡坏了怎么办".
FAILURE = re.compile(r"(?<![a-z0-9])(?:one|a|1|single)\s+(?:of\s+(?:them|the\s+\w+)|\w+)\s+(?:dies|die|fails?|goes\s+down|"
                     r"breaks|crashes|is\s+lost)(?![a-z])|(?<![a-z])lose\s+(?:one|a|1|an?)\b|(?:device|gpu|card|node)\s+failure|"
                     r"(?:一|1|单)(?:张|块|台|个)(?:卡|gpu|显卡|设备|机器)?\S{0,8}?(?:坏了|挂了|宕机|故障|掉了|出问题)|"
                     r"(?:坏|挂|宕机|故障)(?:了)?(?:一|1)(?:张|块|台|个)", re.IGNORECASE)
#: Hours a day the service runs: "what if we only run it 8 hours a day?", "每天只运行8小时呢". Its cost then.
DUTY = re.compile(r"(?:run|runs|running|use|used|on|up|operate|only)\s+(?:it\s+|them\s+)?(?:only\s+|just\s+)?(?:for\s+)?"
                  r"(?P<h>\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\s*(?:a|per|each|/)\s*day(?![a-z])"
                  r"|每天(?:只)?(?:运行|跑|开|用|开机)\s*(?P<zh>\d+(?:\.\d+)?)\s*(?:个)?小时", re.IGNORECASE)
#: A question for a judgement of the plan as a whole: "is this good?", "what would you do?", "靠谱吗".
VERDICT = re.compile(r"(?<![a-z])(?:is\s+(?:this|that|it)\s+(?:a\s+)?(?:good|ok|okay|reasonable|sensible|sane)(?:\s+plan)?|"
                     r"what\s+would\s+you\s+(?:do|recommend|pick|choose)|what\s+do\s+you\s+(?:recommend|suggest|think)|"
                     r"your\s+recommendation|explain\s+(?:it\s+)?like\s+i'?m\s+(?:five|5)|eli5|in\s+simple\s+terms|"
                     r"summari[sz]e\s+(?:the\s+|this\s+)?plan)(?![a-z])"
                     r"|靠谱吗|靠不靠谱|推荐吗|你推荐|你会怎么(?:做|选)|这个方案(?:好|行|可以)吗|方案怎么样|通俗(?:地)?解释|简单(?:地)?说",
                     re.IGNORECASE)
#: Where a second sentence starts after a question: "can we use the cloud instead? it would be cheaper right?".
AFTER_A_QUESTION = re.compile(r"(?<=[?？])\s*(?=\S)")
#: Words of changing one's mind before a command: "no wait, undo that", "算了，撤销", "ok go back".
FILLER_BEFORE = re.compile(r"^(?:(?:no|wait|ok|okay|well|hmm|oh|oops|sorry|that\s+(?:was|is|'s)\s+(?:wrong|not\s+it)|"
                           r"my\s+(?:bad|mistake))[\s,.!]+)+|^(?:(?:算了|不对|好吧|嗯|那|错了|搞错了)[，,。\s]*)+")
#: A question that weighs devices against each other: "L4 和 T4 哪个更合适", "H100 vs MI300X", "compare A with B".
WHICH_OF = re.compile(r"哪个(?:更)?(?:好|合适|便宜|快|划算|省钱|省电)|哪一个|which (?:one )?is (?:better|cheaper|faster)")
VERSUS = re.compile(r"(?<![a-z])(?:vs\.?|versus)(?![a-z])")
#: The words of such a question around the devices it names.
WHICH_WORDS = re.compile(r"^(?:compare|比较一下|比较|对比一下|对比)\s*|^which (?:one )?is (?:better|cheaper|faster)[,:]?\s*(?:the\s+)?|"
                         r"\s+plans?(?=\s*[?？]?$)|(?<=\bor) the\s+|(?:比一下|比较一下|比较|对比)?\s*(?:比)?\s*"
                         r"(?:哪个(?:更)?(?:好|合适|便宜|快|划算|省钱|省电)|哪一个(?:更好)?|which (?:one )?is (?:better|cheaper|faster))"
                         r"[?？]?\s*$|[?？]$")
#: What separates the devices of such a question.
DEVICES_APART = re.compile(r"\s*(?:,|，|、|(?<![a-z])(?:and|with|vs\.?|versus|or|to)(?![a-z])|和|与|跟|还是|或者|或)\s*")
#: A question whether the plan could be otherwise: planned beside it and compared, never applied
#: ("can it run on 2 L40S instead?", "could we use fp8?", "能不能用 H100？", "精度可以用 fp16 吗？").
CAN_IT = re.compile(r"^(?:so |and |but )?(?:can|could) (?:it|we|you|this|that|i|the \w+) (?:(?:still |also |just )?"
                    r"(?:run|use|go|be|get|have|switch|move|handle|serve|do|fit|work)(?: it)? )?(?P<rest>.+)$")
CAN_IT_ZH = re.compile(r"能不能|能否|可不可以|可以不可以|行不行|可否|可以(?=.*[吗么][?？]?$)|(?<!功)能(?=.*[吗么][?？]?$)")
#: A yes-or-no question about the plan as it is: answered from it, never applied ("is the watermark
#: still on?", "does it use fp8?", "are we on NVIDIA?", "is memory enough?", "用的是英伟达吗？").
IS_IT = re.compile(r"^(?:so |and |but )?(?:is|are|does|do|did|will|would|has|have|was|were)"
                   r" (?:it|this|that|the|we|they|there|our|its|you|memory|vram|everything|all|ttft|tpot|latency|"
                   r"throughput|cost|budget|power|accuracy|p99|p95)\b")
IS_IT_ZH = re.compile(r"[吗么][?？]?$|是不是|有没有|够不够|满足了吗")
#: Words before a question that are no part of it: "现在有哪些…", "so what's…", "请问…".
LEAD_IN = re.compile(r"(?:现在|目前|那么|那|所以|请问|那现在|看看|看一下|so |and |but |ok |okay |hmm+,? |um+,? |uh+,? |well,? )")
#: An alternative taken by its place in the list: "take the second alternative", "use the 2nd one",
#: "选第一个备选", "就用第二个方案".
ACCEPT_NTH = re.compile(r"^(?:ok\s+|okay\s+|yes\s+)?(?:(?:let's\s+)?(?:take|use|go\s+with|pick|choose|select|switch\s+to|"
                        r"accept|apply)\s+)?"
                        r"(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th|\d)\s*(?:one|alternative|option|runner-up)\s*"
                        r"(?:then|please)?\s*$|^(?:ok\s+|okay\s+)?(?:(?:take|use|go\s+with|pick|choose)\s+)?(?:option|alternative)\s+(\d)\s*$"
                        r"|^(?:好的?)?(?:那)?(?:就)?(?:选|用|采用|换成)?第(一|二|三|四|\d)个?(?:备选|方案|备选方案|吧)+$"
                        r"|^(?:好的?)?(?:那)?(?:就)?(?:选|用|采用|换成)第(一|二|三|四|\d)个?$")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
            "一": 1, "二": 2, "三": 3, "四": 4}
#: A device count before the device a question names: "8 L4s", "8x L4", "8 张 L4".
COUNTED = re.compile(r"(\d+)\s*(?:x|×|张|块|台|个)?\s*(?![\d.]*\s*(?:gb|g)\b)")


@dataclass(frozen=True)
class Reading:
    """What a message asks for. ``kind`` is one of command, why, why_not, explain, accept, export, cheaper,
    change."""

    kind: str
    command: str | None = None   # command: its name (quit, undo, show, ...)
    what: str = ""               # why_not: the device named, as written; export: the format
    single: bool = False         # why_not: the question is about one device ("a single H100")
    count: int | None = None     # why_not: the devices counted ("what if we had 8 L4s?"), else None
    where: str = ""              # export: the folder the message names ("export k8s to ./deploy"), as written
    held: bool = False           # why_not: the devices counted are said to be held ("what if we only have 2 L40S?")


#: A folder written in an export message: a path with a slash in it ("/tmp/out", "./deploy", "~/k8s",
#: "manifests/"), after "to", "into", "in", 到 or on its own.
EXPORT_FOLDER = re.compile(r"(?:^|[\s:：,，到至])(?P<path>(?:~|\.{1,2})?/[^\s，。,;；]*|[A-Za-z0-9_.-]+/[^\s，。,;；]*)")


#: Words that are figures or units, not the speaker's language ("p99", "500ms", "ttft", "fp8").
NEUTRAL_WORD = re.compile(r"^(?:p\d+(?:\.\d+)?|\d[\w.,%/$]*|[$¥]?\d[\d.,]*\w*|ms|s|qps|rps|fps|ttft|tpot|fp\d+|bf16|int\d|"
                          r"gb|w|kw|tok/s|tokens?/s|h|x\d*|[a-z]\d+[a-z]*)$")


def has_words(message: str) -> bool:
    """Whether a message holds words of a language (Chinese characters, or English words that are
    not figures and units): "p99 500ms" holds none."""
    if CJK.search(message):
        return True
    return any(not NEUTRAL_WORD.match(w) for w in re.findall(r"[a-z][\w./%$]*|\d[\w./%$]*", message.lower()))


def language(message: str) -> str:
    """'zh' for a message with Chinese characters in it, else 'en'."""
    return "zh" if CJK.search(message) else "en"


@lru_cache(maxsize=1)
def _sets() -> dict[str, PhraseSet]:
    chat = load_lexicon()["chat"]
    return {"commands": PhraseSet(chat["commands"]), "questions": PhraseSet(chat["questions"]),
            "accept": PhraseSet({"accept": chat["accept"]}),
            "single": PhraseSet({"single": chat["single"]}), "cheaper": PhraseSet({"cheaper": chat["cheaper"]}),
            "export": PhraseSet({"export": chat["export"]}), "kinds": PhraseSet(chat["export_kinds"])}


def _plain(message: str) -> str:
    return re.sub(r"\s+", " ", message.lower()).strip(EDGES)


#: Chinese ways of taking what was offered, their particles aside ("就用它吧", "行，就这个", "用这个方案", "采用", "好，换吧").
ACCEPT_ZH = re.compile(r"(?:好的?|行|嗯|可以|那)?\s*(?:那)?(?:就)?(?:用|采用|选|要|换)(?:它|这个|这个方案|那个|那个方案|新方案)?"
                       r"(?:吧|了|啊)?|(?:好的?|行|嗯|可以|那)?\s*(?:就)(?:这个|它|这样|这个方案)(?:吧|了)?")


def read_message(message: str) -> Reading:
    """How the chat takes ``message`` (see the module docstring)."""
    text = _plain(message)
    sets = _sets()
    # a command after a filler of changing one's mind: "no wait, undo that", "算了，撤销", "不对，撤回"
    command_text = FILLER_BEFORE.sub("", text).strip(EDGES)
    whole = [m for m in sets["commands"].scan(command_text) if m.start == 0 and m.end == len(command_text)]
    if whole:
        return Reading("command", command=whole[0].key)
    bare = re.sub(r"[,，.!！]", "", text)  # "ok, use that", "好的，就用它"
    if any(m.start == 0 and m.end == len(bare) for m in sets["accept"].scan(bare)) or ACCEPT_ZH.fullmatch(bare):
        return Reading("accept")
    nth = ACCEPT_NTH.search(bare)
    if nth is not None:  # "take the second alternative", "选第一个备选"
        word = next(g for g in nth.groups() if g)
        return Reading("accept", count=ORDINALS.get(word) or int(word))
    if WHICH_OF.search(text) and len([p for p in DEVICES_APART.split(WHICH_WORDS.sub(" ", text).strip(EDGES)) if p]) > 1:
        # "which is cheaper, L4 or T4?", "L4 和 T4 哪个更便宜？": each device compared
        return Reading("why_not", what=WHICH_WORDS.sub(" ", text).strip(EDGES))
    two = AFTER_A_QUESTION.split(text, maxsplit=1)
    if len(two) == 2 and (first := read_message(two[0])).kind == "why_not":
        return first  # "can we use the cloud instead? it would be cheaper right?": the what-if, then a remark on it
    # "is this good?": a judgement of the plan, not the generic help; "what if we only run it 8 hours a day?": its
    # cost then (it had named a Hailo-8); "what if one of them dies?": the plan less one device (not a device
    # named 'of them dies')
    if any(p.search(text) for p in (VERDICT, DUTY, FAILURE)):
        return Reading("explain", what=text)
    lead = LEAD_IN.match(text)  # "现在有哪些合规要求?", "so what's the cost?": the question after it
    question = next((m for m in sets["questions"].scan(text) if m.start in {0, lead.end() if lead else 0}), None)
    if (TERSE.fullmatch(message.strip().lower()) or FIGURE_ALONE_WORD.fullmatch(message.strip().lower())) \
            and _names_a_figure(text):  # "ttft?", "cost?", "功耗呢？", "成本": that figure of the plan
        return Reading("explain", what=text)
    if question is not None and question.key == "why_not":
        reading = _why_not(text[question.end:])
        if reading.count and re.search(r"we\s+(?:had|have|got|owned|own)\s*$", question.phrase):
            reading = replace(reading, held=True)  # "what if we had 4 GPUs?": held, all of them at work
        return reading
    if (tried := TRY_ZH.match(text)) is not None:  # "换成H100怎么样？", "用A100呢": a what-if, no change
        return _why_not(tried.group("what"))
    if (question is not None and question.key == "explain") or ASKED_HOW_MUCH.search(text):
        return Reading("explain", what=text)
    if question is not None:
        return Reading("why")
    if WHICH_OF.search(text) or VERSUS.search(text) or text.startswith("compare "):
        # "L4 和 T4 比哪个更合适？", "compare H100 with MI300X", "H100 vs MI300X?": each device compared
        return Reading("why_not", what=WHICH_WORDS.sub(" ", text).strip(EDGES))
    if COMPARING.search(text):  # "用 H200 比较一下", "跟 H200 对比": the device, as a why-not
        return _why_not(COMPARED.sub(" ", text))
    if sets["export"].scan(text):
        kind = next((m.key for m in sets["kinds"].scan(text)), "k8s")
        folder = EXPORT_FOLDER.search(message)
        return Reading("export", what=kind, where=folder.group("path").rstrip(".。") if folder else "")
    if sets["cheaper"].scan(text):
        return Reading("cheaper")
    return _yes_or_no(text) or Reading("change")


#: A figure's name alone, no mark: "成本", "功耗", "latency", "cost".
FIGURE_ALONE_WORD = re.compile(r"(?:成本|费用|功耗|延迟|首字延迟|吞吐|显存|利用率|cost|latency|power|throughput|memory|ttft|tpot)")
#: A question of up to four words and its mark: "ttft?", "and the cost?", "cost per million tokens?", "功耗呢？".
TERSE = re.compile(r"(?:and |so |what about )?(?:the |its )?(?:[a-z/-]+(?: (?:[a-z/-]+|1m|1k|\$/1m)){0,3}|[\u4e00-\u9fff]{1,6})\s*"
                   r"(?:[?？]|呢[?？]?)")
#: The plan's figures a terse question may name.
FIGURE_TOPICS = ("ttft", "tpot", "latency", "cost", "power", "throughput", "memory", "energy", "accuracy", "bottleneck",
                 "month", "day", "year", "headroom", "devices", "electricity", "budget", "per_user", "token_cost", "job")


def _names_a_figure(text: str) -> bool:
    from intent.chat_questions import TOPICS

    return any(topic in FIGURE_TOPICS and re.search(words, text) for topic, words in TOPICS)


def _yes_or_no(text: str) -> Reading | None:
    """A yes-or-no question: whether the plan could be otherwise (a comparison) or whether it is so
    (answered from the plan); None for any other message. "do not use AMD" is a change."""
    if re.match(r"(?:do not|don't|dont|does not|doesn't)\b", text):
        return None
    if HOLDS_IT.search(text) and not re.search(r"\d|两|三|四|五|十|倍", text):
        return Reading("explain", what=text)  # "能扛住吗", "can it handle the load?": answered from the plan
    can = CAN_IT.match(text)
    if can is not None:
        return _why_not(can.group("rest"))
    if CAN_IT_ZH.search(text):
        rest = re.sub(r"[吗么呢][?？]?$", "", CAN_IT_ZH.sub(" ", text)).strip(EDGES)
        return _why_not(re.sub(r"^(?:我们|咱们|它|这个|那)?\s*(?:用|换成|换|上|跑在|跑)?\s*", "", rest))
    if IS_IT.match(text) or IS_IT_ZH.search(text):
        return Reading("explain", what=text)
    return None


#: Words of holding before a count a question names: "only had 4", "we just have 8", "只有4张".
HELD_BEFORE = re.compile(r"^(?:(?:we|i)\s+)?(?:only\s+|just\s+)?(?:had|have|got|owned|own)\s+(?:only\s+|just\s+)?"
                         r"|^(?:我们|咱们)?(?:只有|只用|就用|有)\s*")


#: A question whether the plan holds its load, with no figure of its own ("能扛住吗", "can it handle the peak?").
HOLDS_IT = re.compile(r"handle (?:it|the load|that|the traffic|the peak)|hold up|cope|扛住|扛得住|撑住|撑得住|顶得住")
#: A rate or a load after a count: "1000 qps", "50路", "200 users".
RATE_AFTER = re.compile(r"\s*(?:qps|rps|fps|req/s|requests?|queries|路|users?|concurrent|并发|个并发|tokens?/s|tok/s|streams?)")
#: A scale after a count: "100 million documents", "2万条" are amounts of work, not devices.
SCALE_AFTER = re.compile(r"\s*(?:million|billion|thousand|k\b|m\b|万|亿|千|百万"
                         # "如果12小时呢？", "what if it's 4 hours?": a time, not devices
                         r"|(?:hours?|hrs?|h|days?|weeks?|minutes?|mins?|ms|s|seconds?)(?![a-z0-9])|个?小时|天|周|分钟|毫秒|秒"
                         r"|%|percent|gb(?![a-z0-9])|g(?![a-z0-9])|w(?![a-z0-9])|watts?|瓦|[$¥])", re.IGNORECASE)
#: Words for a device that name none: "卡", "GPUs", "devices".
GENERIC_DEVICE = re.compile(r"(?:张|块)?(?:卡|显卡|gpu|gpus|cards?|devices?|accelerators?|chips?|of them)?")


def cheaper_asked(message: str) -> bool:
    """Whether a question asks for a cheaper plan ("could we save some money?", "能再省点钱吗？")."""
    return bool(_sets()["cheaper"].scan(_plain(message)))


def _why_not(rest: str) -> Reading:
    """'why not [a single] [the] H100': the device named and whether one device is meant."""
    rest = rest.strip(EDGES)
    if rest.startswith("-"):  # "what about on-prem only?": the phrase took the "on" of on-prem
        rest = "on" + rest
    single = next((m for m in _sets()["single"].scan(rest) if m.start == 0), None)
    if single is not None:
        rest = rest[single.end:].strip(EDGES)
    rest = re.sub(r"^(?:use |using |the |an? |on )+|^(?:是|变成|有)\s*", "", rest)
    # "能上云吗？", "可以放到云上吗", "能本地部署吗": the place, as the English words name it
    rest = re.sub(r"^(?:上|用|放到|放在|部署到|部署在|跑在)?(?:公有)?云(?:上|端)?(?:部署)?$", "cloud", rest)
    rest = re.sub(r"^(?:放到|放在|部署到|部署在|跑在)?本地(?:机房|部署)?(?:上)?$", "on-prem", rest)
    if not rest.strip(EDGES) and single is None:  # "why not?": why the plan is as it is
        return Reading("why")
    held = HELD_BEFORE.search(rest) is not None
    rest = HELD_BEFORE.sub("", rest)  # "what if we only had 4?", "如果只有4张H100呢": the count
    rest = re.sub(r"^[一二两三四五六七八九十]+(?=\s*(?:张|块|台|个))",  # "两张A100": 2 of them
                  lambda m: f"{chinese_to_number(m.group()):g}", rest)
    rest = re.sub(r"(?:\s+(?:then|instead|again|please|too))+$|(?:吧|呢|啊)+$", "", rest.strip(EDGES)).strip(EDGES)
    counted = COUNTED.match(rest)
    if counted is not None and (RATE_AFTER.match(rest, counted.end()) or SCALE_AFTER.match(rest, counted.end())):
        counted = None  # "can it handle 1000 qps?": a rate, not devices
    if counted is not None and int(counted.group(1)) >= 1000 and not re.search(r"[x×张块台个]", counted.group(0)) \
            and not GENERIC_DEVICE.fullmatch(rest[counted.end():].strip(EDGES) or "-"):
        counted = None  # "why not 4090?", "为什么不用4090？": a device's model number, not 4,090 devices
    if counted is not None and int(counted.group(1)) > 1:
        what = rest[counted.end():].strip(EDGES)
        # "如果只有2张卡呢？", "what if we had 4 GPUs?": the devices it has or uses, counted
        generic = GENERIC_DEVICE.fullmatch(what)
        # "16 GPUs" keeps its class (a plan on TPUs is no GPU); "16 cards", "16张卡" are the plan's own
        kept = "gpu" if generic and re.fullmatch(r"gpus?|显卡", what.strip()) else "" if generic else what
        return Reading("why_not", what=kept, count=int(counted.group(1)), held=held)
    if counted is not None and int(counted.group(1)) == 1 and rest[counted.end():].strip(EDGES):
        return Reading("why_not", what=rest[counted.end():].strip(EDGES), single=True)  # "只有1张H100": a single one
    return Reading("why_not", what=rest.strip(EDGES), single=single is not None)
