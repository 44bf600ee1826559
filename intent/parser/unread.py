"""What a request asks for that the Intent does not hold, quoted with why: never dropped silently.

After every rule has read what it can, this pass looks at what is left:
- amounts with a unit that became no bound ("40 GB of footage", "500 hours of audio per day");
- a comparator and a number followed by a unit the parser does not know ("within 10 fortnights"):
  that is refused (``ImpossibleValue``), since planning without it would answer another question;
- places and regions ("EU only", "data must stay in Germany", "us-east-1");
- deadlines ("by Friday", "next sprint");
- training methods the planner does not model ("with LoRA": planned as full training);
- counts of devices with no device named ("8 GPUs"), and counts of users or cameras that are not a load;
- amounts of data per period ("500 hours of audio per day") and input sizes ("224x224");
- machines named without their chip ("on a laptop"), runtimes named ("with vLLM"), languages;
- a job time without a number ("overnight") and tasks no catalog model does ("OCR"), from the parser;
- a "no X" or "only X" whose X no rule read ("no quantization", "open-source models only");
- model and device names the catalog lacks, with the closest ids (from the model and device rules).
"""

from __future__ import annotations

import re

from intent.errors import ImpossibleValue
from intent.parser.lexicon import Lexicon
from intent.parser.quantities import Quantity
from intent.parser.text import CLAUSE_BREAK, Workspace

CLOUD_REGION = re.compile(r"(?<![a-z0-9])(?:us|eu|ap|sa|ca|me|af|cn|il|mx)-(?:east|west|north|south|central|"
                          r"northeast|southeast|northwest|southwest)-\d(?![a-z0-9])")
#: The word after a count, and the one after that: "50 users", "50 internal users", "50个用户"; a
#: range's upper end comes first ("200-300 users", "200 to 300 users").
COUNTED = re.compile(r"(?:\s*(?:-|–|~|to|到|至)\s*\d[\d,]*)?\s*(?:个|位|名|家)?\s*([a-z-]+|用户|人|路摄像头|摄像头|路视频|路|门店|副本|实例)(?:\s+([a-z]+|用户|人))?")
#: Counts that are no load (lexicon list of nouns, why), each quoted up to its noun.
COUNTS_THAT_ARE_NO_LOAD = (
    ("people_nouns", "a number of users is not a load; give requests per second or concurrent users to plan for it"),
    ("source_nouns", ("a number of sources is not a load; the rates stated are planned as the whole load, so give "
                      "the total rate, say the rate is each one's ('16 cameras at 25 fps each' plans 400 fps), or "
                      "say they are served at once ('16 concurrent streams')")),
    ("replica_nouns", ("a count of replicas is not planned for: the plan sizes replicas to the load and the bounds "
                       "(give the rate or the concurrency to serve, or say 'at least N replicas' for availability)")),
)
#: Words between "only" and what it limits ("only use TPUs").
ONLY_FILLERS = frozenset({"use", "using", "run", "running", "on", "deploy", "with", "the", "a", "an", "have", "own",
                          "got", "使用", "用"})
#: A verb Chinese writes on to the words it governs: "不要用公有云", "禁止使用AMD".
CJK_FILLER = re.compile(r"使用|采用|部署在|部署到|放在|用|在")
#: Comparators that make a following amount a limit on time ("within 10 fortnights").
TIME_COMPARATORS = ("within", "in", "under", "below", "less than", "at most", "no more than", "以内", "内")
WHY_NOT_BOUND = {
    "memory": "a size with no limit word near it, so not a memory bound (say 'under 8 GB')",
    "cost": "an amount with no budget word near it, so not a cost bound (say 'budget of $5 an hour')",
    "job_time": "a duration with no limit word, so not a deadline for the job (say 'done within 12 hours')",
    "tokens": "a number of tokens that names no prompt or output (say '2k-token prompts' or '300-token answers')",
    "percent": "a percentage that is not an accuracy (availability and usage are not planned for)",
    "other_currency": ("an amount in a currency other than US dollars is not converted (no exchange rate is "
                       "assumed); give the budget in US dollars"),
    "cost_per_item": ("a cost per request or item is not a bound the planner reads; give a budget per hour or per "
                      "month, or the job's total"),
    "volume": ("an amount of data per period is not a rate the planner reads; give the requests per second it "
               "makes (e.g. '20 requests per second')"),
}
#: An image or frame size: "224x224", "1920 × 1080" (a count of devices, "8x", names no second number).
INPUT_SIZE = re.compile(r"(?<![\w.])[1-9]\d{1,4}\s?[x×]\s?[1-9]\d{1,4}(?:\s?(?:px|pixels?))?(?![\w.])"
                        r"|(?<![\w.])(?:240|360|480|720|1080|1440|2160)[pi](?![\w])"  # a video's lines: 1080p
                        # "4K frames", "8k video": a frame size (not "4k prompts", a count of tokens)
                        r"|(?<![\w.])[248]k(?=\s*(?:uhd\s+)?(?:frames?|video|videos|images?|resolution|cameras?|streams?|"
                        r"tiles?|footage|视频|图像|分辨率))")
#: What makes an amount a volume per period: "500 hours of audio per day", "40 GB of video a day".
VOLUME_PER_PERIOD = re.compile(r"(?:\s+of)?(?:\s+[a-z-]+){0,2}?\s+(?:per|a|an|each|every)\s+"
                               r"(?:day|hour|week|month|minute|second)(?![a-z])")


#: Why a runtime a request names is warned about (the agent drops the warning when the plan runs it).
RUNTIME_NOT_PLANNED = "a runtime named in the request is not planned for"


def unread_warnings(lexicon: Lexicon, space: Workspace, quantities: list[Quantity],
                    content_task: bool = False, model_named: bool = False,
                    model_params_b: float | None = None) -> list[str]:
    """Warnings for every requirement-like part of the request that no rule read (``content_task``:
    the task reads text or speech, whose language a request may name; ``model_named``: a catalog
    model was read; ``model_params_b``: the billions of parameters of the one model read)."""
    out: list[str] = []
    out += _input_sizes(space)
    out += _model_sizes(space, model_params_b)
    out += _unknown_model_names(space, model_named)
    out += _unknown_units(lexicon, space, quantities)
    out += _quantities(lexicon, space, quantities)
    out += _phrases(lexicon, space, "regions", "regions and data residency are not planned for; the plan may run "
                                               "anywhere its placement allows")
    out += _cloud_regions(space)
    out += _phrases(lexicon, space, "cloud_terms", "cloud providers (beyond their own chips), availability zones "
                                                   "and spot or reserved pricing are not planned for: the plan prices "
                                                   "a cloud device at its on-demand rate in the catalog, on any "
                                                   "provider that has it")
    out += _phrases(lexicon, space, "carbon_terms", "carbon and the source of the energy are not planned for; the "
                                                    "plan's power is predicted, and 'lowest power' minimises it")
    out += _phrases(lexicon, space, "failover_terms", "failing over between nodes, sites or zones is not planned for: "
                                                      "the plan's replicas run in one place; say 'at least 2 replicas' "
                                                      "for redundancy there")
    out += _phrases(lexicon, space, "licence_terms", "model licences are not planned for: check that the planned "
                                                     "model's licence allows your use")
    out += _phrases(lexicon, space, "speculative_terms", "speculative decoding is not planned for: the plan's time "
                                                         "per token is plain decoding's")
    out += _deadlines(lexicon, space)
    out += _clock_deadlines(space)
    out += _phrases(lexicon, space, "unmodelled_methods", "this training method is not modelled: the job is planned as "
                                                          "full training, which needs more memory and compute",
                    context=False)
    out += _unnamed_machines(lexicon, space)
    out += _phrases(lexicon, space, "environment_terms", "a device's environmental rating (ingress, temperature, "
                                                         "cooling) is not planned for: the catalog holds none; check "
                                                         "the planned board's datasheet")
    out += _temperature_ranges(lexicon, space)
    out += _languages(lexicon, space, content_task)
    out += _phrases(lexicon, space, "runtime_names", f"{RUNTIME_NOT_PLANNED}; the plan picks the runtime for the "
                                                     "device it chooses and names it", context=False)
    out += _phrases(lexicon, space, "device_count_objectives", "the device count is no objective of its own: after "
                                                              "the objective (cost unless stated), the plan takes the "
                                                              "fewest devices; say 'at most N GPUs' to cap them")
    out += _scoped(lexicon, space)
    return out


#: A model's size no rule read, with the word before it ("lama3 70b": a model name the parser did not know).
MODEL_SIZE = re.compile(r"(?:(?<![\w.-])[a-z][\w.-]*[\s-])?(?<![\w.])(?P<size>\d+(?:\.\d+)?b)(?![\w])"
                        r"(?:-[a-z][\w.]*)*")  # and the release words joined on ("zorro-13b-instruct")


def _model_sizes(space: Workspace, model_params_b: float | None = None) -> list[str]:
    """A model size left unread ("serve lama3 70b"): the model it belongs to was not recognised,
    so the plan is not on a model of that size unless the request says so another way. The size
    of the model that was read ("deepseek r1 (full 671B)", ``model_params_b``) is that model's."""
    out = []
    for m in MODEL_SIZE.finditer(space.masked):
        if space.is_read(m.start("size"), m.end("size")):  # "on 1B tokens" read as data: the size is read
            continue
        size = float(m.group("size")[:-1])
        if model_params_b and abs(size - model_params_b) <= 0.1 * model_params_b:
            space.mark_read(m.start(), m.end())
            continue
        space.mark_read(m.start(), m.end())
        out.append(f"'{space.text[m.start():m.end()].strip()}': a model size, but no model of the catalog was read "
                   "with it; name the model (e.g. 'Llama 3.1 70B') or say 'a 70B model' to plan over that size (a "
                   "model of your own catalog needs --catalog DIR)")
    return out


#: A name written as a model's that no rule read: "using the model gpt-9000", "the acme-chat-3 model"
#: (a name with a digit in it, so "the model we have" is none).
MODEL_NAMED = re.compile(r"(?<![\w-])(?:(?:the\s+)?model\s+(?:called\s+|named\s+)?(?P<after>[a-z][\w.-]*\d[\w.-]*)"
                         r"|(?P<before>[a-z][\w.-]*\d[\w.-]*)\s+model)(?![\w-])")


#: Names with a digit that are no model's: versions, generations, quantisation formats, percentiles and
#: ranks, environments, cloud regions ("v1.5", "gen2", "q4_k_m", "w8a8", "int8", "k8s", "top1", "prod1",
#: "eu-west-1").
NOT_A_MODEL_NAME = re.compile(r"(?:v|gen|q|p|top|prod|dev|stage|int|fp|bf|mxfp|nvfp|k)\d[\w.]*|w\d+a\d+|"
                              r"[a-z]{2}-[a-z]+-\d+")


def _unknown_model_names(space: Workspace, model_named: bool) -> list[str]:
    """A model named that no rule read, in a request that names no catalog model (else the
    other name is most likely one it replaces: "replace the gpt-3.5 model with llama 3 8b"): the
    plan is not on it, which the request is told."""
    out = []
    for m in MODEL_NAMED.finditer(space.masked) if not model_named else ():
        group = "after" if m.group("after") else "before"
        if space.is_read(m.start(group), m.end(group)) or NOT_A_MODEL_NAME.fullmatch(m.group(group)):
            continue
        space.mark_read(m.start(group), m.end(group))
        out.append(f"'{space.text[m.start(group):m.end(group)]}': not a model of the catalog, so not planned on "
                   "(add it with 'intentctl catalog import CONFIG.json', or name a catalog model)")
    return out


#: A requirement stated against the current setup ("2x faster than now", "halve the cost", "3x that",
#: 降一半, 快一倍): the factor is not applied to any figure, so the request is told so.
RELATIVE = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+)?\s*(?:x|times)\s+(?:faster|quicker|cheaper|more|higher|lower|less|"
                      r"smaller|that|the)|twice as|half the|halve|in half|double the|triple|"
                      r"\d+(?:\.\d+)?\s*%\s+(?:less|lower|more|higher|faster|cheaper|fewer)|than (?:now|today|currently|"
                      r"before|our current|the current|what we have))(?![\w])"
                      r"|一半|减半|翻倍|翻一番|快一倍|提高一倍|增加一倍|比现在|比目前|比当前|比原来"
                      # "performance must not drop", "no slower than today": the current setup's figures, unstated
                      r"|性能不能下降|性能不下降|性能不能降低|性能不降|不能比现在慢|不低于现在|不能降级"
                      r"|(?<![\w])(?:no slower than|at least as fast as|as fast as) (?:now|today|currently|before|"
                      r"our current|the current|what we have)(?![\w])")


#: Rate units a count of none may stand before ("at 0 req/s"): a rate of nothing.
RATES = ("req/s", "rps", "qps", "fps", "tokens/s", "token/s", "tok/s")
#: A count of no things: negative ("-3 epochs", "(-50k records)", "on -4 A100s": a minus sign written
#: against its number; "2 - 8 GPUs" is a range) or none ("0 epochs", "at 0 req/s", "0.0 rps", "0 tokens/s";
#: a negative rate is refused with the other bounds).
NO_COUNT = re.compile(r"(?:(?:(?<=[\s(\[:,])|^)-\d[\d,.]*|(?:(?<=[\s(\[:])|^)0+)\s?(?:k|m|million|thousand)?\s+"
                      r"(?=(?:epochs?|records|examples|"
                      r"samples|rows|images|documents|gpus?|cards?|devices|nodes|servers|[a-z]*\d[a-z\d-]*s)(?![a-z]))"
                      r"|(?:(?<=\s)|^)0+(?:\.0+)?\s?(?=(?:" + "|".join(map(re.escape, RATES)) + r")(?![a-z]))")


#: A bound written with a word that is no number: "within NaN ms", "at inf req/s".
NOT_A_NUMBER = re.compile(r"(?<![a-z])(?:nan|inf|infinity|infinite|∞)\s*(?:ms|s|sec|secs|seconds|req/s|rps|qps|fps|"
                          r"tokens?/s|tok/s|%|w|watts|gb|usd|dollars|\$)(?![a-z])")


#: A batch of no requests: "batch size 0", "batch of -4".
NO_BATCH = re.compile(r"(?<![a-z])(?:max(?:imum)?\s+)?batch(?:\s+size|\s+of|-size)?\s*(?:of|=|:|is)?\s*(?P<n>-\d+|0+)(?![\d.]|-shot)")
#: A fraction of an epoch: "0.5 epochs" (read as one whole epoch).
PART_EPOCH = re.compile(r"(?<![\d.])\d+\.\d*[1-9]\d*\s*epochs?(?![a-z])")


#: A bandwidth, of memory or a link: "memory bandwidth at least 2000 GB/s", "100 Gbps network", "显存带宽3TB/s".
BANDWIDTH = re.compile(r"(?:(?:memory|mem|hbm|network|interconnect|nvlink|pcie|link|显存|内存|网络)\s*(?:bandwidth|带宽)"
                       r"[^,;，；\d]{0,24})?\d[\d.,]*\s*(?:[kmgt]i?b/s|[kmgt]bps|[kmgt]bit/s|[kmgt]i?b per second|[kmgt]b/秒)"
                       r"(?![a-z])")


#: Users counted over a day or a month, in Chinese: "日活 1 万", "1万日活用户", "月活50万" ("1万日" was read as
#: 10,000 days).
ACTIVE_USERS = re.compile(r"(?:日活|月活)(?:跃)?(?:用户)?(?:数|量)?\s*(?:约|大概|大约|是|为|有|[:：=])?\s*\d[\d,.]*\s*(?:万|千|亿|k|m)?"
                          r"|\d[\d,.]*\s*(?:万|千|亿|k|m)?\s*(?:日活|月活)(?:跃)?(?:用户)?"
                          # "300 users per day", "5k users a month", "2,000 daily users"
                          r"|(?<![\d.,])\d[\d,.]*\s*k?\s*(?:(?:daily|monthly|weekly)\s+(?:active\s+)?users"
                          r"|users\s+(?:per|a|each|every)\s+(?:day|month|week))(?![a-z])")


#: A rate each person makes: "per user per day", "每人每天", "人均每天", "each user sends".
PER_PERSON_RATE = re.compile(r"(?<![a-z])(?:per|each|every)\s+(?:user|person|customer)\s+(?:per|a|an|each|every)\s+"
                             r"(?:day|week|month)(?![a-z])"
                             r"|(?<![a-z])(?:per|a|/)\s*(?:day|week|month)\s+(?:each|per\s+(?:user|person))(?![a-z])"
                             r"|(?<![a-z])(?:each|every)\s+(?:user|person|customer)\s+(?:\S+\s+){0,3}?(?:per|a|an|each)\s+"
                             r"(?:day|week|month)(?![a-z])"
                             r"|(?:每人|每个用户|每位用户|人均)(?:每)?[天日周月]")


def active_users(space: Workspace) -> list[str]:
    """Warnings for users counted over a day or month (``ACTIVE_USERS``), which are no load; each is
    masked, so no rule reads its number as days. Beside a rate each of them makes ("20 requests per
    user per day", "每人每天10次") they are the sources of the load (fields.read_sources), not warned."""
    if PER_PERSON_RATE.search(space.masked):
        return []
    return _each_warned(space, ACTIVE_USERS, "users over a day or a month are not a load; give the peak requests per "
                                             "second or concurrent users to plan for it", mask=True, read=True)


#: Scripts of languages the rules do not read: Japanese kana, Korean hangul.
OTHER_SCRIPT = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")


def other_language(lexicon: Lexicon, text: str) -> list[str]:
    """A warning when the request seems written in a language the rules do not read (only English
    and Chinese): "10 requêtes par seconde" and "毎秒10リクエスト" were dropped without a word."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    foreign = set(lexicon["foreign_words"])
    if not OTHER_SCRIPT.search(text) and sum(w in foreign for w in words) < 3:
        return []
    return ["the request seems written in a language other than English or Chinese, which are the only ones read: "
            "what it asks may have been missed; write it in English or Chinese"]


def bandwidths(space: Workspace) -> list[str]:
    """Warnings for bandwidths (``BANDWIDTH``), which are not planned for; each is masked, so its
    amount is not read as memory ("2000 GB/s" is no 2000 GB)."""
    out = []
    for m in BANDWIDTH.finditer(space.masked):
        out.append(f"'{space.text[m.start():m.end()].strip()}': a bandwidth is not planned for as a bound; ignored "
                   "(the performance model counts each device's own memory and link bandwidth in its latency and "
                   "throughput)")
        space.mask(m.start(), m.end())
        space.mark_read(m.start(), m.end())
    return out


def counts_of_nothing(space: Workspace) -> list[str]:
    """Warnings for batches of none (``NO_BATCH``), fractions of an epoch (``PART_EPOCH``, read
    as whole epochs), bounds that are no number (``NOT_A_NUMBER``) and counts of no things
    (``NO_COUNT``); each but the fractions is masked so no rule reads it."""
    out = []
    for m in NO_BATCH.finditer(space.masked):
        out.append(f"'{space.text[m.start():m.end()].strip()}': a batch of no requests; ignored (the plan chooses the "
                   "batch, or say one of at least 1)")
        space.mask(m.start("n"), m.end("n"))
    for m in PART_EPOCH.finditer(space.masked):
        out.append(f"'{space.text[m.start():m.end()].strip()}': a fraction of an epoch is planned as whole epochs, "
                   "rounded up (give the records the job reads to plan part of a dataset)")
    for m in NOT_A_NUMBER.finditer(space.masked):  # "NaN req/s", "inf ms": no bound to plan for (as the README says)
        raise ImpossibleValue(space.text, space.text[m.start():m.end()].strip(), "not a finite number")
    for m in NO_COUNT.finditer(space.masked):
        word = re.match(r"[a-z\d/-]+", space.masked[m.end():])
        quoted = space.text[m.start():m.end() + (word.end() if word else 0)].strip()
        what = "a rate of nothing is no bound" if word and word.group(0) in RATES \
            else f"a count of {'less than nothing' if '-' in m.group(0) else 'nothing'} is no count"
        out.append(f"'{quoted}': {what}; ignored (say how many)")
        space.mask(m.start(), m.end())  # the count: the thing counted ("A100s") is still read
    return out


#: Stages of a pipeline joined by "+" or an arrow ("ASR + LLM + TTS", "语音识别 -> 大模型 -> 语音合成"): one
#: request plans one model, so the others were dropped without a word.
STAGE = (r"(?:asr|stt|tts|llm|ocr|vad|rag|retrieval|embeddings?|reranker|rerank|speech-to-text|text-to-speech|"
         r"speech recognition|speech synthesis|diarization|translation|summari[sz]e|summari[sz]ation|summary|"
         r"classify|classification|detection|detect|语音识别|语音合成|大模型|翻译|向量化|重排|摘要|总结|分类|检测|文字识别)")
PIPELINE = re.compile(rf"(?<![\w-]){STAGE}(?:\s*(?:\+|->|→|=>|>)\s*{STAGE}){{1,5}}(?![\w-])")


#: A reranking stage beside another model ("bge embedder, a reranker, and Llama 3.1 70B", "rerank 100 candidates
#: with a cross-encoder, then answer with llama 3.1 8b"): it had been dropped without a word.
RERANK_STAGE = re.compile(r"(?<![a-z])(?:re-?rank(?:er|ers|ing)?|cross[- ]encoders?)(?![a-z])|重排(?:序)?")


#: A second workload added to the first ("plus sentiment classification on each utterance", "also the
#: generator is llama 3.1 8b"): it had been dropped, or merged into the first, without a word.
ADDED_STAGE = re.compile(rf"(?<![\w-])(?:plus|also|as well as|in addition(?:\s+to)?|on top of that|along with|"
                         rf"additionally|and then|另外|此外|同时还要|还要|再加上)[\s,:，：]+(?:(?:a|an|the|some|we|need|"
                         rf"to|serve|run|do)\s+){{0,3}}(?:[\w-]+\s+){{0,2}}?(?P<stage>{STAGE[3:-1]}|generator|"
                         rf"llm|chatbot|chat model|生成模型)(?![\w-])")


def pipelines(space: Workspace, task: str | None = None) -> list[str]:
    """A warning for a pipeline of several stages, or a second workload added to the first: the plan
    is for one model (the one named, or the task read), and the other stages are not planned."""
    m = PIPELINE.search(space.text)
    if m is not None:
        return [f"'{m.group(0)}': a pipeline of several stages; one request plans one model, so the stages besides "
                "the one planned are not: plan each in a request of its own and add their latencies"]
    added = [m.group(0).strip() for m in ADDED_STAGE.finditer(space.text)
             if not space.is_read(m.start("stage"), m.end("stage"))]
    if added:
        return [(f"{', '.join(repr(a) for a in added)}: another workload beside the one planned "
                 f"({task or 'the model named'}); one request plans one workload, and what it states of the other "
                 "may have been read into this one: plan each in a request of its own, or together in a fleet file "
                 "(intentctl fleet plan)")]
    rerank = RERANK_STAGE.search(space.text)
    if rerank is not None and task not in (None, "text-classification") and not space.is_read(rerank.start(), rerank.end()):
        return [f"'{rerank.group(0)}': a reranking stage beside the model planned is not planned (one request plans one "
                "model): plan it in a request of its own and add its latency"]
    return []


#: Images (or other inputs) in each request: "each request has 2 images", "每个请求带3张图片" (they were a
#: dataset of 2 records).
ITEMS_PER_REQUEST = re.compile(r"(?:(?<![a-z])(?:each|every|per|a)\s+(?:request|query|call|prompt|message)\s+"
                               r"(?:has|have|carries|includes|with|contains)\s+(?:about\s+|up\s+to\s+)?\d+\s+"
                               r"(?:images?|photos?|pictures?|frames?|pages?)(?![a-z])"
                               r"|(?:每个|每次|每条)(?:请求|调用|问题)(?:带|有|包含|附带|含)\d+\s*张(?:图片|图|图像|照片)?)")


def items_per_request(space: Workspace) -> list[str]:
    """A warning per count of inputs in each request: a model's input is planned as its catalog entry
    gives it (an image-and-text model's images are not), and the count is no dataset."""
    return _each_warned(space, ITEMS_PER_REQUEST, "inputs in each request are not planned for; each request is "
                                                  "planned at the input its model's catalog entry gives", mask=True)


def _each_warned(space: Workspace, pattern: re.Pattern, why: str, mask: bool = False, read: bool = False) -> list[str]:
    """A warning per match of ``pattern`` ('quoted': why); each match masked (no rule reads its
    numbers) or marked read, as asked."""
    out = []
    for m in pattern.finditer(space.masked):
        out.append(f"'{space.text[m.start():m.end()].strip()}': {why}")
        if mask:
            space.mask(m.start(), m.end())
        if read:
            space.mark_read(m.start(), m.end())
    return out


def relative_warnings(space: Workspace) -> list[str]:
    """A requirement relative to the current setup: warned about, since no factor is applied."""
    found = next((m for m in RELATIVE.finditer(space.text) if not space.is_read(m.start(), m.end())), None)
    if found is None:  # one computed ("2x the current load (current load is 400 rps)") is read
        return []
    return [f"'{_quote(space, found.start(), found.end(), 2)}': a requirement relative to the current setup is not "
            "computed; the bounds planned are the amounts as written; state the target itself (e.g. 'latency under "
            "200 ms', 'under $6/h')"]


def vague_job_time_warnings(lexicon: Lexicon, space: Workspace, job_time_read: bool) -> list[str]:
    """A job's time said without a number ("overnight") bounds nothing; unless a stated job time
    ("within 8 hours") does, the request is told so."""
    if job_time_read:
        return []
    return _phrases(lexicon, space, "vague_job_times", "a job time without a number is not planned for; say "
                                                       "'within 12 hours' to bound the job", context=False)


def _quote(space: Workspace, start: int, end: int, words_after: int = 0) -> str:
    """The span as written, with up to ``words_after`` more words of its clause."""
    _, clause_end = space.clause_bounds(start)
    if words_after:
        tail = re.match(rf"(?:\s+[^\s,，。;；]+){{0,{words_after}}}", space.text[end:clause_end])
        end += tail.end() if tail else 0
    return space.text[start:end].strip(" ,，。")


def _unknown_units(lexicon: Lexicon, space: Workspace, quantities: list[Quantity]) -> list[str]:
    """A limit in a unit the parser does not know is refused; a count of things is only warned about."""
    out = []
    known = lexicon.vocabulary
    for q in quantities:
        if q.kind != "bare" or space.is_read(q.start, q.end):
            continue
        clause_start, _ = space.clause_bounds(q.start)
        offset = max(clause_start, q.start - 40)
        before = space.text[offset:q.start]
        comparators = lexicon.phrases("comparators").scan(before)
        if not comparators or before[comparators[-1].end:].strip():
            continue
        limit_start = offset + comparators[-1].start
        after = re.match(r"\s*-?\s*([a-z][a-z]+)(?:\s+([a-z][a-z]+))?", space.masked[q.end:q.end + 40])
        if not after:  # "under 5 int8 ms", "at most 5,": a limit with no unit next to its number
            space.mark_read(q.start, q.end)
            out.append(f"'{_quote(space, limit_start, q.end, 2)}': a limit with no unit right after its number, "
                       "so not read as a bound (write the unit next to the number, as in 'under 5 ms'); ignored")
            continue
        words = [w for w in after.groups() if w]
        if words[0] in known or any(w in lexicon["count_nouns"] for w in words):
            if words[0] in lexicon["count_nouns"]:
                space.mark_read(q.start, q.end)
                out.append(f"'{_quote(space, limit_start, q.end, 1)}': a count of {words[0]} is not "
                           "planned for; ignored")
            continue
        if comparators[-1].phrase in TIME_COMPARATORS or lexicon.phrases("metric_words").scan(before):
            raise ImpossibleValue(space.text, _quote(space, q.start, q.end, 1),
                                  f"'{words[0]}' is not a unit the parser knows")
        out.append(f"'{_quote(space, limit_start, q.end, 1)}': '{words[0]}' is not a unit the parser "
                   "knows; ignored")
    return out


def _quantities(lexicon: Lexicon, space: Workspace, quantities: list[Quantity]) -> list[str]:
    """Amounts with a unit that became no bound; counts of users; counts of unnamed devices."""
    out = []
    for q in quantities:
        if space.is_read(q.start, q.end):
            continue
        if q.kind == "bare":
            out += _counts(lexicon, space, q)
            continue
        volume = VOLUME_PER_PERIOD.match(space.masked, q.end)
        if volume:  # "500 hours of audio per day": an amount a day, not one bound
            out.append(f"'{space.text[q.start:volume.end()]}': {WHY_NOT_BOUND['volume']}; ignored")
        else:
            why = WHY_NOT_BOUND.get(q.kind, "not read as a bound here")
            out.append(f"'{_quote(space, q.start, q.end, 3)}': {why}; ignored")
        space.mark_read(q.start, q.end)
    return out


def _counts(lexicon: Lexicon, space: Workspace, q: Quantity) -> list[str]:
    after = space.masked[q.end:q.end + 30]
    counted = COUNTED.match(after)
    for nouns, why in COUNTS_THAT_ARE_NO_LOAD:
        found = [i for i, word in enumerate(counted.groups() if counted else (), 1) if word in lexicon[nouns]]
        if found and not (nouns == "source_nouns" and q.value == 1):  # one stream's rate is the whole load
            space.mark_read(q.start, q.end + counted.end(found[0]))
            return [f"'{space.text[q.start:q.end + counted.end(found[0])]}': {why}"]
    device = lexicon.hardware_words.scan(after[:12])
    cards = re.match(r"\s*(?:张|块|片)?\s*(?:卡|加速卡)", after)  # "用4张卡跑": cards of no named device
    if cards or (device and device[0].start <= 1 and device[0].key.startswith("class:")):
        space.mark_read(q.start, q.end)
        return [(f"'{_quote(space, q.start, q.end, 1)}': a count of devices with no device named is not planned "
                "for; name the device (e.g. '4 A100s') to plan on the devices you have")]
    return []


#: A deadline at a time of day: "before 9am tomorrow", "by 17:00", "by noon".
CLOCK_DEADLINE = re.compile(r"(?<![a-z])(?:by|before|until|no later than)\s+(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
                            r"|\d{1,2}:\d{2}|noon|midnight)(?:\s+(?:tomorrow|today|tonight|on\s+[a-z]+))?(?![a-z0-9])"
                            # "明天早上8点前完成", "今晚10点之前跑完"
                            r"|(?:明天|今天|今晚|后天|明早|今早|明晚|周[一二三四五六日])?(?:早上|上午|中午|下午|晚上|凌晨)?\s*"
                            r"(?:\d{1,2}|[一二两三四五六七八九十]|十[一二])\s*[点時](?:半|\d{1,2}分)?"
                            r"\s*(?:前|之前|以前)")


def _clock_deadlines(space: Workspace) -> list[str]:
    """A job's deadline at a time of day, which no rule turns into hours (the hours from now are
    not known): said, as dates are ("finish before 9am tomorrow" was dropped without a word)."""
    out = []
    for m in CLOCK_DEADLINE.finditer(space.masked):
        if space.is_read(m.start(), m.end()):
            continue
        out.append(f"'{space.text[m.start():m.end()]}': a deadline at a time of day is not planned for (the hours until "
                   "it are not known); give the job's time in hours ('within 10 hours')")
        space.mark_read(m.start(), m.end())
    return out


#: "no deadline", "no hard deadline", "without a deadline": no deadline is stated.
NO_DEADLINE = re.compile(r"(?<![a-z])(?:no|without(?: an?)?|not on an?)\s+(?:\w+\s+)?$")


def _deadlines(lexicon: Lexicon, space: Workspace) -> list[str]:
    """Dates and launch deadlines, which are not planned for; not "no deadline" (which states
    none), nor a deadline whose time was read as the job's ("deadline in 2 days" was warned about
    beside its 48-hour job time)."""
    for m in lexicon.words("deadline_words").scan(space.masked):
        _, clause_end = space.clause_bounds(m.start)
        if NO_DEADLINE.search(space.masked, max(0, m.start - 24), m.start) or (
                m.phrase == "deadline" and space.reads_any(m.end, clause_end)):
            space.mark_read(m.start, m.end)
    return _phrases(lexicon, space, "deadline_words", "dates and launch deadlines are not planned for")


def _phrases(lexicon: Lexicon, space: Workspace, name: str, why: str, context: bool = True) -> list[str]:
    out = []
    for m in lexicon.words(name).scan(space.masked):
        if space.is_read(m.start, m.end):
            continue
        quoted = _context(space, m.start, m.end) if context else space.text[m.start:m.end]
        if f"'{quoted}': {why}" not in out:  # two phrases of one clause ("deadline next sprint"): said once
            out.append(f"'{quoted}': {why}")
        space.mark_read(m.start, m.end)
    return out


def tasks_without_models(lexicon: Lexicon, space: Workspace) -> list[str]:
    """A task the request names that no catalog model does ("OCR", "text-to-speech")."""
    return _phrases(lexicon, space, "tasks_without_models", "no model in the catalog does this task; name a model "
                    "(add one with 'intentctl catalog import CONFIG.json') or a task the catalog holds", context=False)


#: A phrase naming a task by what it does, in a request where no task was read: "grasp detection",
#: "CTR prediction", "lane tracking", "抓取点检测", "点击率预测".
TASK_LIKE = re.compile(r"(?<![a-z])(?:[a-z][a-z0-9-]*\s+){1,2}(?:detection|prediction|recognition|estimation|classification|"
                       r"segmentation|tracking|forecasting|ranking|scoring|matching|retrieval|extraction|"
                       r"generation|synthesis|localization|localisation)(?![a-z])"
                       r"|[\u4e00-\u9fff]{1,4}(?:检测|预测|识别|估计|分类|分割|跟踪|排序|匹配|检索|抽取|生成|合成|定位)")


def unknown_tasks(space: Workspace) -> list[str]:
    """A task named by what it does that no rule read, in a request with no task: said, so the
    refusal names it ("grasp detection": it had been refused as naming no task at all)."""
    m = TASK_LIKE.search(space.masked)
    if m is None:
        return []
    quoted = space.text[m.start():m.end()].strip()
    return [f"'{quoted}': not a task the catalog's models are known to do; name the nearest task the catalog holds "
            "(e.g. 'object detection', 'image classification') or a model (add one with 'intentctl catalog import "
            "CONFIG.json')"]


def _languages(lexicon: Lexicon, space: Workspace, content_task: bool) -> list[str]:
    """Languages no rule read: one warning, quoting the first clause that names one. In a
    request whose task reads text or speech, the word did not qualify its content ("Chinese
    history"); elsewhere (a translation without its direction) no model is chosen by it."""
    found = [m for m in lexicon.phrases("languages").scan(space.masked) if not space.is_read(m.start, m.end)]
    if not found:
        return []
    for m in found:
        space.mark_read(m.start, m.end)
    quoted = _context(space, found[0].start, found[0].end)
    if content_task:
        return [f"'{quoted}': not read as the language of the text or speech, so no model is chosen by it (say "
                "'Chinese reviews' or 'in Chinese' to plan a model documented to handle it)"]
    return [f"'{quoted}': languages are not planned for; a model of the task is chosen whatever languages it covers "
            "(name the model to plan on it)"]


#: A range of temperatures a device must run in: "-20 to 60C", "-40°C~85°C", "零下20到60度".
TEMPERATURE_RANGE = re.compile(r"-?\d+\s*(?:°\s*c|℃|c|度)?\s*(?:to|~|～|-|–|至|到)\s*-?\d+\s*(?:°\s*c|℃|c|度)(?![a-z])"
                               r"|零下\s*\d+\s*(?:°\s*c|℃|度)?\s*(?:到|至|~)\s*\d+\s*(?:°\s*c|℃|度)")


def _temperature_ranges(lexicon: Lexicon, space: Workspace) -> list[str]:
    """Temperature ranges not already quoted beside their rating's words ("operating temperature -20 to 60C")."""
    out = []
    for m in TEMPERATURE_RANGE.finditer(space.masked):
        if space.is_read(m.start(), m.end()) or lexicon.words("environment_terms").scan(
                space.text[max(0, m.start() - 32):m.start()]):
            continue
        out.append(f"'{space.text[m.start():m.end()].strip()}': an operating temperature range is not planned for: "
                   "the catalog holds no device's; check the planned board's datasheet")
        space.mark_read(m.start(), m.end())
    return out


def _unnamed_machines(lexicon: Lexicon, space: Workspace) -> list[str]:
    """"on a laptop", "在手机上": a machine whose chip is not named ("an Apple M3 laptop" names it)."""
    out = []
    for m in lexicon.words("unnamed_machines").scan(space.masked):
        if _word_before_read(space, m.start):
            continue  # a device or vendor named right before it ("an Apple M3 laptop", "a Snapdragon phone")
        of = re.search(r"\s+of\s+(?:my|our|the|a|an|this)\s*$", space.text[max(0, m.start - 24):m.start])
        if of and _word_before_read(space, m.start - len(of.group(0))):
            continue  # "the Core Ultra NPU of my laptop": the chip is named, its machine follows
        out.append(f"'{m.phrase}': a machine with no chip named is not planned on; name its chip "
                   "(e.g. 'Apple M3', 'Core Ultra NPU', 'RTX 4090')")
        space.mark_read(m.start, m.end)
    return out


def _input_sizes(space: Workspace) -> list[str]:
    out = []
    for m in INPUT_SIZE.finditer(space.masked):  # a task phrase may span it ("classify 224x224 images")
        out.append(f"'{space.text[m.start():m.end()]}': an input size is not planned for; each model is planned "
                   "at the input size its catalog entry gives")
        space.mark_read(m.start(), m.end())
    return out


def _cloud_regions(space: Workspace) -> list[str]:
    return _each_warned(space, CLOUD_REGION, "cloud regions are not planned for; the plan does not choose a region",
                        read=True)


def _context(space: Workspace, start: int, end: int) -> str:
    """A short quote around a phrase: its clause when short, else up to three words before it
    and two after, within the clause."""
    clause_start, clause_end = space.clause_bounds(start)
    if clause_end - clause_start <= 48:
        return space.text[clause_start:clause_end].strip(" ,，。")
    before = space.text[clause_start:start].split()[-3:]
    after = space.text[end:clause_end].split()[:2]
    return " ".join([*before, space.text[start:end], *after]).strip(" ,，。")


def _scoped(lexicon: Lexicon, space: Workspace) -> list[str]:
    """"no X" and "only X" (and "X only") whose X no rule read."""
    out = []
    text = space.text
    for cue in lexicon.words("exclusion_cues").scan(space.masked):
        target = _next_words(text, cue.end)
        while target and target[2] in ONLY_FILLERS:  # "禁止使用AMD", "do not use AMD"
            target = _next_words(text, target[1])
        if target is not None and (verb := CJK_FILLER.match(target[2])) and verb.end() < len(target[2]):
            target = (target[0] + verb.end(), target[1], target[2][verb.end():])  # "不要用公有云": 公有云
        if target is not None and len(target[2]) > 1 and target[2].endswith("的"):  # "不要英特尔的": 英特尔
            target = (target[0], target[1] - 1, target[2][:-1])
        if target is None or target[2] in lexicon["not_exclusions"] or space.is_read(*target[:2]) \
                or _cjk_run_read(space, target):
            continue
        if lexicon.phrases("comparators").scan(text[cue.start:target[1]]):
            continue
        out.append(f"'{text[cue.start:target[1]].strip()}': not understood; nothing was ruled out")
        space.mark_read(cue.start, target[1])
    for cue in lexicon.words("only_cues").scan(space.masked):
        if cue.phrase == "only" and _word_before_read(space, cue.start):
            continue  # "English only calls", "AMD only": what "only" limits was read
        target = _next_words(text, cue.end) if cue.phrase not in ("only",) or not _ends_clause(text, cue.end) \
            else _previous_words(text, cue.start)
        while target and target[2] in ONLY_FILLERS:  # "only use TPUs", "only run on CPUs"
            target = _next_words(text, target[1])
        if target is None or space.is_read(*target[:2]) or _last_word_read(space, target) \
                or target[2] in lexicon["not_limits"] or target[2] in NEGATION_WORDS or _cjk_run_read(space, target):
            continue
        span = (min(cue.start, target[0]), max(cue.end, target[1]))
        out.append(f"'{text[span[0]:span[1]].strip()}': not understood; nothing was limited to it")
        space.mark_read(*span)
    return out


#: Words after "just" or "only" that make no limit of it ("just not H100": a ruling out, read as one).
NEGATION_WORDS = ("not", "no", "never", "without")
#: How far a Chinese phrase after a cue runs: "只能放在边缘设备上" (a place read whole by its own rule).
CJK_RUN = 10


def _cjk_run_read(space: Workspace, target: tuple[int, int, str]) -> bool:
    """Whether a Chinese target, cut at four characters by _next_words, runs on into words a rule
    read ("只能放在边缘设备上": 边缘设备 read as the edge; "不要云" with the cloud read)."""
    if not re.match(r"[\u4e00-\u9fff]", target[2]):
        return False
    end = min(len(space.text), target[0] + CJK_RUN)
    run = re.match(r"[\u4e00-\u9fff]+", space.text[target[0]:end])
    stop = target[0] + (run.end() if run else 0)
    return any(space.is_read(i, i + 1) for i in range(target[0], stop))


def _last_word_read(space: Workspace, target: tuple[int, int, str]) -> bool:
    """"on AMD only": the word next to "only" was read (AMD is required), whatever came before it."""
    return _word_before_read(space, target[1])


def _word_before_read(space: Workspace, position: int) -> bool:
    """Whether the word that ends at ``position`` (spaces before it skipped) was read by a rule."""
    word = re.search(r"(\S+?)-?\s*$", space.text[max(0, position - 40):position])  # "eu-only": "eu"
    if not word:
        return False
    start = position - len(word.group(0))
    return space.is_read(start, start + len(word[1]))


def _ends_clause(text: str, position: int) -> bool:
    rest = text[position:position + 3]
    return not rest.strip() or bool(CLAUSE_BREAK.match(rest.lstrip()))


def _next_words(text: str, position: int) -> tuple[int, int, str] | None:
    """The word (or first CJK characters) after ``position``, as (start, end, word)."""
    m = re.match(r"\s*([a-z](?:[a-z0-9.+-]*[a-z0-9+])?|[\u4e00-\u9fff]{1,4})", text[position:])  # "no gpus." ends at "s"
    if not m:
        return None
    return position + m.start(1), position + m.end(1), m.group(1)


def _previous_words(text: str, position: int) -> tuple[int, int, str] | None:
    m = re.search(r"([a-z][a-z0-9.+-]*(?:\s+[a-z][a-z0-9.+-]*)?)\s*$", text[max(0, position - 40):position])
    if not m:
        return None
    start = position - len(text[max(0, position - 40):position]) + m.start(1)
    return start, start + len(m.group(1)), m.group(1)
