"""The request shape of text models and the concurrency a service must hold (schema version 2).

- A count of tokens ("2k-token prompts", "answers around 300 tokens", "输入长度4000个token", and
  "4k output" with the word "tokens" left out) is
  the prompt or the output of one request, by the role word nearest to it: prompt, input,
  context (only "per request": a model's context window is not a request), or output, answer,
  reply, completion, summary. A range or a cap gives its upper value; "about" is dropped.
- N concurrent users, sessions or streams (并发N, N路并发) is the concurrency. A count of users
  with no word saying they are served at the same moment is a count of people, not concurrency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from intent.parser.lexicon import Lexicon
from intent.parser.quantities import Quantity
from intent.parser.text import Workspace

#: The least count read as tokens when the word "tokens" is left out ("4k output").
MIN_TOKENS_UNNAMED = 16
#: Side words that name tokens only for a count of at least MIN_TOKENS_UNNAMED ("input 2k", not "input 2").
PLAIN_SIDES = frozenset({"input", "inputs", "output", "outputs", "输入", "输出", "prompt", "prompts", "avg prompt", "gen",
                         "avg gen",
                         "completion", "completions", "replies", "reply", "answers", "responses"})
#: The prompt side right before a small count: "300 tokens in / 5 out", "1k in 5 out" (a count under
#: MIN_TOKENS_UNNAMED is read as an output only after it).
AFTER_IN = re.compile(r"(?<![a-z])in\s*(?:[/,;]\s*)?$")
#: What may follow a count after a plain side word for it to be tokens: "input 2k, output 200",
#: "输入1024输出512" (the other side's word).
TOKENS_OR_NOTHING = re.compile(r"\s*(?:tokens?|toks?|个?token)?\s*(?:[,;/.，；。、]|and\s|$|输出|输入|output(?![a-z])"
                               r"|out(?![a-z]))")
#: "2048/256 tokens in/out", "1024/128 ISL/OSL": both sides in one.
BOTH_SIDES = re.compile(r"(?<![\d.])(?P<prompt>\d+(?:\.\d+)?k?)\s*/\s*(?P<output>\d+(?:\.\d+)?k?)\s*(?:tokens?\s*)?"
                        r"(?:in\s*/\s*out|input\s*/\s*output|isl\s*/\s*osl|prompt\s*/\s*(?:output|completion)|输入\s*/\s*输出)"
                        r"(?![a-z])")
#: A number right after a role word: the word names that number ("输出200").
NUMBER_NEXT = re.compile(r"\s*[:：=]?\s*\d")
#: The count after a role word, with its token word: "prompts| 300 token| answers".
NEXT_COUNT = re.compile(r"\s*[:：=]?\s*\d[\d,.]*k?\s*(?:-?\s*tokens?)?")
#: "in" that begins a time or a total, not the input: "500 tokens in under 8 seconds", "1M tokens in total".
TIME_AFTER_IN = re.compile(r"\s*(?:under|less|below|at most|about|around|~|<|total|all|one|a single|real[- ]time"
                           r"|\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?|min|minutes?|h|hours?)(?![a-z]))")
#: More tokens than one prompt holds in the catalog's long-context models (Llama 3.1's 131,072-token
#: context): "1M prompts" counts prompts.
LONGEST_PROMPT = 131_072
COUNTED_PROMPTS = re.compile(r"\s*(?:prompts|inputs|queries|requests)(?![a-z])")
#: "3k tokens each -> 200 tokens": an arrow after a count makes it the input.
ARROW_AFTER = re.compile(r"\s*(?:each\s*)?(?:->|→|=>|⇒)")
#: "1k/500", "2048/256" standing alone in a clause of a text generation request: prompt/output.
BARE_PAIR = re.compile(r"(?:(?<=[,;:])|(?<=^)|(?<=[,;:] ))\s*(?P<prompt>\d+(?:\.\d+)?k?)\s*/\s*(?P<output>\d+(?:\.\d+)?k?)"
                       r"\s*(?=[,;.?!]|$)")
#: Characters on either side of a token count searched for its role word.
ROLE_WINDOW = 28
#: "6k tokens of retrieved context": a role word after "of" and at most one more word.
OF_ROLE = re.compile(r"\s*of\s+(?:[a-z-]+\s+)?$")


@dataclass
class Shape:
    prompt_tokens: int | None = None
    output_tokens: int | None = None
    concurrency: int | None = None
    #: "500k prompts" beside a prompt length stated otherwise ("300 in / 50 out"): a count of requests
    requests: int | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: where each field was read ("prompt_tokens": (start, end)): a second model's clause has its own
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


#: A training example's length named before its number: "sequence length 2048", "seq len: 4k",
#: "max_seq_len=4096", "序列长度2048".
#: ... or after it: "2048 seq len", "4096-token sequences".
SAMPLE_LENGTH_AFTER = re.compile(r"[\s-]*(?:tokens?\s+)?(?:(?:max[_ ])?seq(?:uence)?[_ ]?len(?:gth)?|sequences?|序列长度)"
                                 r"(?![a-z])")
SAMPLE_LENGTH = re.compile(r"(?:(?:max[_ ])?seq(?:uence)?[_ ]?len(?:gth)?|max[_ ]length|序列长度|样本长度)"
                           r"\s*(?:of|is|=|:|：|为)?\s*(?:about|~|约)?\s*$")


#: More tokens than one training example holds (the longest context windows the catalog's
#: models document are 128k to 1M tokens): a count this large in a training request is its data.
DATASET_TOKENS_MIN = 1_000_000
#: "a 50M-token corpus", "20B tokens of web text", "10亿token的语料": tokens that name the data.
DATA_AFTER = re.compile(r"\s*(?:of\s+(?:[a-z-]+\s+)?|的)?(?:corpus|corpora|dataset|data|text|code|语料|数据)(?![a-z])")
#: "2k tokens each", "4M tokens per example": the length of one example, however large.
#: "each" right before a token count: "2M tickets, each ~800 tokens", "每条平均300个token".
EACH_BEFORE = re.compile(r"(?<![a-z])(?:each|every one|each one|(?:average|avg\.?|mean|typical)\s+(?:length|size)|"
                         r"(?:average|avg\.?|mean|typical)ly|每条|每篇|每个文档|平均每条)\s*(?:is\s+|of\s+|with\s+|:\s*|平均|"
                         r"大约|约)?(?:~|about\s+|around\s+|approx\.?\s+|roughly\s+)?$")
EACH_AFTER = re.compile(r"\s*(?:each|apiece|per\s+(?:example|sample|record|sequence|document)|an?\s+(?:example|sample)"
                        r"|每条|每个样本)(?![a-z])")
#: A verb of writing right before a count of records (a count and two words between at most): the records
#: are what the request writes ("generate 10k product descriptions", "write 500 summaries", "生成1万条文案").
WRITTEN_BEFORE = re.compile(r"(?:(?<![a-z])(?:generate|generating|write|writing|draft|drafting|create|creating|produce|"
                            r"producing|compose)|生成|撰写|写)\s*(?:\d[\d.,]*\s*(?:k|m|million|thousand|万|千)?\s*)?"
                            r"(?:[a-z-]+\s+){0,2}$")
#: "trained on 15T tokens": what a model was trained on, which describes it and bounds nothing.
TRAINED_ON_BEFORE = re.compile(r"(?:trained|pre-?trained|训练)\s+(?:on|with|over|于|了)?\s*(?:about|~|约)?\s*$")


@dataclass(frozen=True)
class DatasetTokens:
    """The tokens a training job trains on, as the request states them, and where."""

    tokens: int
    span: tuple[int, int]
    note: str


def dataset_tokens(space: Workspace, quantities: list[Quantity]) -> DatasetTokens | None:
    """Training data given as tokens ("on 2 billion tokens", "用10亿token", "a 50M-token corpus"):
    a count of tokens naming the data after it, or larger than any one example, and not one
    example's length ("2k tokens each"). Used only for a training or fine-tuning request."""
    for q in quantities:
        if q.kind != "tokens" or space.is_read(q.start, q.end) or EACH_AFTER.match(space.text, q.end):
            continue
        if q.value >= DATASET_TOKENS_MIN or DATA_AFTER.match(space.text, q.end):
            tokens = round(q.value)
            return DatasetTokens(tokens, (q.start, q.end), f"'{space.text[q.start:q.end].strip()}': a dataset of "
                                                           f"{tokens:,} tokens (the epochs say how often it is read)")
    return None


#: A count of optimiser steps after its number: "5000 steps", "5k training steps", "1000 步", "2000 次迭代".
STEPS_AFTER = re.compile(r"\s*(?:(?:training|optimi[sz]er|gradient|train)\s+)?(?:steps?|iterations?|iters?)(?![a-z])"
                         r"|\s*个?(?:训练)?(?:步|次迭代|轮迭代)(?!骤)")
#: A batch stated in tokens: "a global batch of 4M tokens", "全局 batch 4M token" before it, "4M-token
#: batches", "4M tokens per step" after it.
BATCH_BEFORE = re.compile(r"(?:global\s+|全局\s*)?(?:batch|批)(?:\s*size|大小|量)?\s*(?:of|=|:|is|为)?\s*(?:about|~)?\s*$")
BATCH_AFTER = re.compile(r"\s*(?:-?\s*tokens?\s*)?(?:global\s+)?batch(?:es)?(?![a-z])|\s*(?:per|a|each)\s+(?:batch|step)(?![a-z])"
                         r"|\s*每(?:步|批)")


@dataclass(frozen=True)
class TrainingSteps:
    """A job's optimiser steps as the request states them, where, and its batch in tokens when
    the request gives one (``batch``: that quantity; None: in examples, or not at all)."""

    steps: int
    span: tuple[int, int]
    batch: Quantity | None

    def mark_read(self, space: Workspace) -> None:
        space.mark_read(*self.span)
        if self.batch is not None:
            space.mark_read(self.batch.start, self.batch.end)


def training_steps(space: Workspace, quantities: list[Quantity]) -> TrainingSteps | None:
    """The job's steps ("5000 steps at a global batch of 4M tokens", "1000 步") and its batch in
    tokens, found before the dataset's size is read, so that a batch is not taken for the
    whole dataset. Used only for a training or fine-tuning request."""
    for q in quantities:
        after = STEPS_AFTER.match(space.text, q.end)
        if q.kind != "bare" or q.value < 1 or after is None or space.is_read(q.start, q.end):
            continue
        batch = next((b for b in quantities if b.kind == "tokens" and not space.is_read(b.start, b.end)
                      and (BATCH_BEFORE.search(space.text[max(0, b.start - 32):b.start])
                           or BATCH_AFTER.match(space.text, b.end))), None)
        return TrainingSteps(round(q.value), (q.start, after.end()), batch)
    return None


def model_training_data(space: Workspace, quantities: list[Quantity]) -> None:
    """Marks "trained on 15T tokens" read in a request that serves a model: it describes the
    model and asks nothing."""
    for q in quantities:
        if q.kind == "tokens" and TRAINED_ON_BEFORE.search(space.text[max(0, q.start - 24):q.start]):
            space.mark_read(q.start, q.end)


@dataclass(frozen=True)
class SampleTokens:
    """The tokens of one training example as the request states them, and where."""

    tokens: int
    span: tuple[int, int]
    note: str


def sample_tokens(space: Workspace, quantities: list[Quantity], data: DatasetTokens | None = None) -> SampleTokens | None:
    """The tokens of one training example: a count of tokens ("100k examples of 2k tokens",
    "20k 1024-token samples") or a number after a sequence length ("sequence length 2048",
    "序列长度4096"). Found before the dataset's size is read (which may take "20k 1024-token
    samples" whole) and used only for a training or fine-tuning request; without one the
    planner takes its documented length and says so."""
    for q in quantities:
        if q.value < MIN_TOKENS_UNNAMED or space.is_read(q.start, q.end) or (data and q.start == data.span[0]):
            continue
        named = q.kind == "bare" and SAMPLE_LENGTH.search(space.text[max(0, q.start - 24):q.start])
        after = q.kind == "bare" and not named and SAMPLE_LENGTH_AFTER.match(space.text, q.end)
        if q.kind == "tokens" or named or after:
            start = q.start - len(named.group(0)) if named else q.start
            end = after.end() if after else q.end
            tokens = round(q.value)
            return SampleTokens(tokens, (q.start, end), f"'{space.text[start:end].strip()}': each training "
                                                        f"example is {tokens:,} tokens long")
    return None


def read_shape(lexicon: Lexicon, space: Workspace, quantities: list[Quantity]) -> Shape:
    """Prompt and output tokens from the token counts, then the concurrency."""
    shape = Shape()
    if both := BOTH_SIDES.search(space.text) or _bare_pair(lexicon, space):
        shape.prompt_tokens, shape.output_tokens = (_tokens(both.group(side)) for side in ("prompt", "output"))
        space.mark_read(both.start(), both.end())
        shape.spans["prompt_tokens"] = shape.spans["output_tokens"] = both.span()
    for q in quantities:
        if q.kind != "tokens" or space.is_read(q.start, q.end):
            continue
        role = _role(lexicon, space, q)
        if role is None:
            continue
        if role == WINDOW:
            space.mark_read(q.start, q.end)
            shape.warnings.append(_window_warning(space, q))
            continue
        value = round(q.value)
        if value < 1:
            shape.warnings.append(f"'{space.text[q.start:q.end].strip()}': a request of {value} tokens; ignored")
            continue
        space.mark_read(q.start, q.end)
        if role == "prompt" and shape.prompt_tokens is None:
            shape.prompt_tokens, shape.spans["prompt_tokens"] = value, (q.start, q.end)
        elif role == "output" and shape.output_tokens is None:
            shape.output_tokens, shape.spans["output_tokens"] = value, (q.start, q.end)
    for q in quantities:  # "输入长度4k", "max_tokens 256": a bare number after a length word
        if q.kind != "bare" or space.is_read(q.start, q.end):
            continue
        context = q.value >= MIN_TOKENS_UNNAMED and (CONTEXT_AFTER.match(space.text, q.end)
                                                     or CONTEXT_BEFORE.search(space.text[max(0, q.start - 24):q.start]))
        per_request = context and (lexicon.words("per_request_words").scan(space.text[slice(*space.clause_bounds(q.start))])
                                   or REQUESTS_AFTER.match(space.text, context.end()))
        if context and not per_request:
            space.mark_read(q.start, q.end)  # "a 128k context window", "32k ctx": the model's window
            shape.warnings.append(_window_warning(space, q))
            continue
        # "each call 8k context": one request's context is its prompt
        # a role word right after the number is its own ("1024 prompt 128 output": "prompt" names the 1024)
        role = "prompt" if per_request else _role_after(lexicon, space, q) or _length_role(lexicon, space, q)
        value = round(q.value)
        if role == "prompt" and (_counts_requests(lexicon, space, q, quantities)
                                 or value > LONGEST_PROMPT and COUNTED_PROMPTS.match(space.text, q.end)):
            shape.requests = value  # "500k prompts, 300 in / 50 out": the prompts are counted, not measured
            space.mark_read(q.start, q.end)
            continue
        if role == "prompt" and shape.prompt_tokens is None and value >= 1:
            shape.prompt_tokens, shape.spans["prompt_tokens"] = value, (q.start, q.end)
        elif role == "output" and shape.output_tokens is None and value >= 1:
            shape.output_tokens, shape.spans["output_tokens"] = value, (q.start, q.end)
        else:
            continue
        space.mark_read(q.start, q.end)
    masked = space.masked
    shape.concurrency = read_concurrency(lexicon, space, shape.warnings)
    if shape.concurrency is not None and space.masked != masked:  # where it was read: what it masked
        changed = [i for i, (a, b) in enumerate(zip(masked, space.masked)) if a != b]
        shape.spans["concurrency"] = (changed[0], changed[-1] + 1)
    if shape.concurrency is None and (streaming := _users_streaming(lexicon, space)):
        shape.concurrency, note = streaming
        shape.notes.append(note)
    return shape


#: What ``_role`` gives a token count that is a model's context window.
WINDOW = "window"


#: Context words right after a count: "128k context window", "32k ctx", "8k-token context", "128k上下文".
CONTEXT_AFTER = re.compile(r"[\s-]*(?:tokens?\s+)?(?:of\s+)?(?:context|ctx|上下文)(?:\s*(?:window|length|长度|窗口))?")
#: A context word right before a bare number: "context 16k", "ctx: 32k", "context window of 128k" (not one
#: that ends a count of its own: "8k context 200 out").
CONTEXT_BEFORE = re.compile(r"(?<![a-z\d])(?<!\dk\s)(?<!\d\s)(?:context|上下文)(?:\s*(?:window|length|长度|窗口))?"
                            r"\s*(?:of|:|=|is)?\s*$")
#: Requests right after a context: "32k context prompts", "32k-context requests", "32k上下文的请求"; or the
#: plural ("32k-token contexts"), since a model has one window.
REQUESTS_AFTER = re.compile(r"s(?![a-z])|[\s-]*(?:prompts?|requests?|queries|query|inputs?|documents?|calls?|"
                            r"conversations?|chats?|的?请求|的?输入|的?文档)(?![a-z])")


def _bare_pair(lexicon: Lexicon, space: Workspace):
    """"2 rps, 1k/500.": a pair of counts alone in a clause of a text generation request, both
    at least MIN_TOKENS_UNNAMED, one with a k or both of three digits (no date or fraction)."""
    for m in BARE_PAIR.finditer(space.text):
        sides = [m.group("prompt"), m.group("output")]
        if space.is_masked(m.start("prompt"), m.end("output")) or min(_tokens(s) for s in sides) < MIN_TOKENS_UNNAMED:
            continue
        if any(s.endswith("k") for s in sides) or all(len(s) >= 3 for s in sides):
            # the phrase sets are scanned only for a pair that could be one (most requests have none)
            return m if _names_text_generation(lexicon, space.text) else None
    return None


def _generates_text(lexicon: Lexicon, text: str) -> bool:
    """Whether the request writes text: text generation, summarization or translation."""
    return _names_text_generation(lexicon, text) or any(
        m.key in ("summarization", "translation") for m in lexicon.phrases("tasks").scan(text))


def _names_text_generation(lexicon: Lexicon, text: str) -> bool:
    """Whether the request names text generation: its task, a weak word for it, or an LLM family."""
    return any(m.key == "text-generation" for group in ("tasks", "weak_tasks", "model_families")
               for m in lexicon.phrases(group).scan(text))


def _window_warning(space: Workspace, q: Quantity) -> str:
    end = CONTEXT_AFTER.match(space.text, q.end)
    written = space.text[q.start:end.end() if end else q.end].strip()
    return (f"'{written}': a context window is the model's, not one request's length: the plan is sized for the "
            "request shape in its assumptions; say e.g. '100k-token prompts' to plan the memory for long prompts")


def _tokens(literal: str) -> int:
    """"2048" or "2k" as a count of tokens."""
    return round(float(literal[:-1]) * 1000) if literal.endswith("k") else round(float(literal))


#: A Chinese side named right before a number ("输入 1024"): that number's, whatever follows it.
ROLE_BEFORE_CN = re.compile(r"(?<![\dkm])(?:输入|输出|回复|回答|生成)(?:长度|token数)?\s*(?:约|大约|平均)?\s*$")


def _role_after(lexicon: Lexicon, space: Workspace, q: Quantity) -> str | None:
    """"4k output", "2k input and 512 output": a number right before an input or output word
    (the word "tokens" left out) is that side of the request."""
    small = q.value < MIN_TOKENS_UNNAMED and not AFTER_IN.search(space.text[max(0, q.start - 12):q.start])
    if small or space.is_masked(q.start, q.end):
        return None  # "with 2 inputs" counts inputs, not tokens; "run 5 million prompts" counts requests
    after = space.text[q.end:q.end + 20]
    found = lexicon.phrases("shape_after_number").scan(after)
    if not found or after[:found[0].start].strip() or re.match(r"\s*of(?![a-z])", after[found[0].end:]):
        return None  # "3 out of 4" is no output
    if q.value < MIN_TOKENS_UNNAMED and found[0].key != "output":
        return None  # after "300 in /" a small count is an output ("5 out") or nothing
    if not found[0].phrase.isascii() and ROLE_BEFORE_CN.search(space.text[max(0, q.start - 8):q.start]):
        return None  # "输入 1024 输出 512": Chinese names the side before its number; 输出 starts the next
    if NUMBER_NEXT.match(after, found[0].end) and _length_role(lexicon, space, q) is not None:
        return None  # "prompt 2k output 256": the side named before 2k is its; "output" names the 256
    if found[0].phrase == "in" and not re.match(r"\s*(?:[,/;]|and\s|$|\d+(?:\.\d+)?k?\s*(?:tokens?\s*)?out(?![a-z]))",
                                                after[found[0].end:]):
        return None  # "2k in / 200 out", "4k in 1k out", but not "5 in production"
    return found[0].key


def _counts_requests(lexicon: Lexicon, space: Workspace, q: Quantity, quantities: list[Quantity]) -> bool:
    """"500k prompts" is a count of requests, not a prompt length, when the request states the
    prompt's length another way too ("300 in", "300-token prompts")."""
    if not COUNTED_PROMPTS.match(space.text, q.end):
        return False
    others = [o for o in quantities if o is not q and not space.is_read(o.start, o.end)]
    return any(o.kind == "tokens" and _role(lexicon, space, o) == "prompt" for o in others) or any(
        o.kind == "bare" and o.value >= MIN_TOKENS_UNNAMED and _role_after(lexicon, space, o) == "prompt"
        and not re.match(r"\s*(?:prompts|inputs)", space.text[o.end:o.end + 10]) for o in others)


def _length_role(lexicon: Lexicon, space: Workspace, q: Quantity) -> str | None:
    before = space.text[max(0, q.start - 24):q.start]
    for m in reversed(lexicon.phrases("shape_lengths").scan(before)):
        if re.fullmatch(r"\s*(?:[:=：为是]|of|is)?\s*(?:约|about|~)?\s*", before[m.end:]):
            if m.phrase in PLAIN_SIDES and (q.value < MIN_TOKENS_UNNAMED or not TOKENS_OR_NOTHING.match(
                    space.text, q.end)):
                return None  # "input 2 images", "input 224x224", "output 1000 classes": no tokens
            return m.key
    return None


#: One describing word between a hyphenated count and its role: "32-token search queries".
ONE_WORD = re.compile(r"\s+[a-z]+\s+$")


def _one_word_between(text: str, q: Quantity, between: str) -> bool:
    """"N-token <word> <role>": the count is written as one adjective with "-token", so a word
    more before the role noun still names it ("32-token search queries" are 32-token queries)."""
    return text[q.start:q.end].endswith("-token") and bool(ONE_WORD.fullmatch(between))


def _role_after_next(roles, text: str, at: int) -> bool:
    """Whether the count at ``at`` has a role word right after it (so a role word before it is not its)."""
    count = NEXT_COUNT.match(text, at)
    found = roles.scan(text[count.end():count.end() + ROLE_WINDOW]) if count else []
    return bool(found) and found[0].start <= 1


#: An average length in parentheses after the records: "30k legal docs (avg 8k tokens)", "(~500 tokens)".
AVERAGE_IN_PARENS = re.compile(r"[(（]\s*(?:avg\.?|average|averaging|~|about|around|approx\.?|roughly|平均|约)\s*$")


def _role(lexicon: Lexicon, space: Workspace, q: Quantity) -> str | None:
    """"prompt" or "output" for a token count, from the nearest role word in its clause."""
    clause_start, clause_end = space.clause_bounds(q.start)
    before_start = max(clause_start, q.start - ROLE_WINDOW)
    after = space.text[q.end:min(clause_end, q.end + ROLE_WINDOW)]
    before = space.text[before_start:q.start]
    roles = lexicon.phrases("request_shape")
    inside = roles.scan(space.text[q.start:q.end])  # "200-400 output tokens"
    # a role word right after the count that a number follows names that next count, not this one
    # ("输入1000 token输出200 token"), unless that count has its own role word after it
    # ("2000 token prompts 300 token answers", "2000 tokens in 300 tokens out")
    following = [m for m in roles.scan(after) if (m.start <= 2 or OF_ROLE.match(after[:m.start])
                                                  or _one_word_between(space.text, q, after[:m.start]))
                 and not (NUMBER_NEXT.match(after, m.end) and not _role_after_next(roles, space.text, q.end + m.end))
                 and not (m.phrase == "in" and TIME_AFTER_IN.match(after, m.end))]
    preceding = roles.scan(before)
    found = (inside or following or preceding[-1:] or [None])[0]
    if found is None and ARROW_AFTER.match(space.text, q.end):
        return "prompt"  # "3k tokens each -> 200 token summary": what goes in, then what comes out
    records = [m for m in lexicon.phrases("workload").scan(space.text[:q.start]) if m.key == "records"]
    if found is None and records and (EACH_BEFORE.search(before) or EACH_AFTER.match(space.text, q.end)) \
            and WRITTEN_BEFORE.search(space.text[max(0, records[-1].start - 40):records[-1].start]):
        return "output"  # "generate 10k product descriptions, 100 tokens each": the records written
    if found is None and records and (EACH_BEFORE.search(before) or EACH_AFTER.match(space.text, q.end)
                                      or AVERAGE_IN_PARENS.search(space.text[max(0, clause_start - 1):q.start])) \
            and not _names_text_generation(lexicon, space.text):
        # "embed 10M documents, 500 tokens each", "summarize 10k contracts (8k tokens each)": the
        # length of the records that go in (a summary or translation is of them); where the request
        # generates text, "100 tokens each" may be what comes out: left to the warnings
        return "prompt"
    if (found is None or found.phrase in ("context", "上下文")) and clause_start > 0 \
            and space.text[clause_start - 1] in "(（":
        # "outputs are long (~4000 tokens)", "prompts are long (around 8k tokens of context)": a count in
        # brackets is the side named before them
        outside = roles.scan(space.text[max(0, clause_start - 1 - ROLE_WINDOW):clause_start - 1])
        found = outside[-1] if outside else found
    if found is None and clause_start > 0 and not EACH_AFTER.match(space.text, q.end) and re.fullmatch(
            r"[\s,;]*(?:(?:maybe|about|around|roughly|approx\.?|like|say|~|约|大概|大约)\s*)?",
            space.text[clause_start:q.start]):
        # "completions short, maybe 200 tokens": a count alone in its clause is the side the clause
        # before it ends with (a word or two after the role word at most)
        window = space.text[max(0, clause_start - ROLE_WINDOW):clause_start]
        outside = [m for m in roles.scan(window) if len(window[m.end:].split()) <= 2]
        found = outside[-1] if outside else None
    if found is None:
        return None
    requests_own = found in following and REQUESTS_AFTER.match(space.text, q.end + found.end)
    if found.phrase in ("context", "上下文") and not requests_own:
        # a model has one window; "32k-token contexts", "32k context prompts" are the requests' own
        window = space.text[clause_start:clause_end]
        if not lexicon.words("per_request_words").scan(window) or lexicon.words("context_window_words").scan(window):
            return WINDOW  # the model's window ("32k context"), not one request's length
    return found.key


def read_concurrency(lexicon: Lexicon, space: Workspace, warnings: list[str]) -> int | None:
    """"200 concurrent users", "1,000 simultaneous sessions", "users at once", "并发200", "100路并发"; a
    share of the people counted at once ("200个开发者，同时在线大约30%", "500 users, 20% online at once")."""
    spec = lexicon["concurrency"]
    text = space.masked
    if (shared := _share_at_once(lexicon, space)) is not None:
        return shared
    cue = _alternation(spec["cues"])
    subject = _alternation(spec["subjects"])
    counters = _alternation(spec["cn_counters"])
    number = COUNT
    people = _alternation([*spec["subjects"], *(w for w in lexicon["people_nouns"] if str(w).isascii())])
    patterns = [
        rf"(?P<n>{number})\s*(?:{cue})\s+(?:\w+\s+)?(?:{subject})(?![a-z])",      # 200 concurrent users
        rf"(?P<n>{number})\s*(?:{subject})\s+(?:{cue})(?![a-z])",                   # 200 users at once
        rf"(?P<n>{number})\s*(?:{subject})\s+[a-z]+ing\s+(?:{cue})(?![a-z])",       # 8 people chatting at once
        # 32 users each getting 25 tok/s: a rate for each user is for users served at once
        rf"(?P<n>{number})\s*(?:{subject})\s+each\s+(?:getting|gets|get|receiving|at|with)(?![a-z])",
        # 50 developers will use it at the same time
        (rf"(?P<n>{number})\s*(?:{people})\s+(?:will\s+|would\s+|may\s+|might\s+|can\s+)?(?:be\s+)?"
         rf"(?:use|using|hit|hitting|query|querying|access|accessing|chat|chatting|work|working|call|calling)"
         rf"\s+(?:[a-z]+\s+){{0,2}}?(?:at the same time|at once|simultaneously|concurrently|in parallel)(?![a-z])"),
        rf"(?P<n>{number})[\s-]*(?:concurrent|simultaneous)(?![a-z])",              # 200 concurrent
        # one user ("for 1 user", "a single user"): one at a time, whatever the period
        r"(?<![\w.,])(?:for\s+)?(?:a\s+single|single|one|(?P<n>1))\s+(?:user|person|developer|engineer|analyst)(?![a-z])"
        r"(?!\s*(?:per|a|an|each|every)\s+(?:day|week|month))",
        rf"(?P<n>{number})\s+(?:active|online)\s+(?:at once|at the same time|simultaneously)(?![a-z])",  # ~60 active at once
        # "~300 concurrently active at peak", "300 simultaneously online"
        rf"(?P<n>{number})\s+(?:concurrently|simultaneously)\s+(?:active|online|connected|chatting|using it)(?![a-z])",
        (rf"(?:concurrency|concurrent users|concurrent sessions)\s*(?:of|=|:|is|at|up to|around|about|(?:back\s+)?to)?\s*"
         rf"(?P<n>{number})(?![\d]|[.,]\d)(?!\s*(?:tok(?:ens?)?\b|t/s|ms\b|rps|qps|req|fps|%))"),    # concurrency of 64; not "users at 25 tok/s"
        rf"(?P<n>{number})[\s-]*way\s+concurrency",                                # 64-way concurrency
        rf"(?:并发|同时在线)\s*(?:数|量|用户数|用户)?\s*(?:估计|预计|大概|达到|为|是|约|大约|至少|要|需要|改成|改为|调到|调整为|提高到|"
        rf"增加到|提到|加到|涨到|升到|上调到|降到|减到|降低到|最多|最高|峰值|高峰|≥|>=|>|不少于|不低于)?"
        rf"\s*(?P<n>{number})\s*(?:{counters})?",
        # 200并发, 200个人同时在线, 500名用户并发
        rf"(?P<n>{number})\s*(?:{counters}){{0,2}}\s*(?:{CN_PEOPLE})?\s*(?:并发|同时在线)",
        # 10个人同时用, 50位用户同时访问
        (rf"(?P<n>{number})\s*(?:{counters}){{0,2}}\s*(?:{CN_PEOPLE})?\s*同时"
         rf"(?:用|使用|访问|聊天|提问|请求|调用|问)"),
        # "50个会议室同时", "20个直播间同时进行": a noun of who or what is served, then 同时 ending the clause
        rf"(?P<n>{number})\s*(?:{counters}){{0,2}}\s*(?:{CN_PEOPLE})\s*同时(?:进行|开|开会|在线)?(?=$|[，,。；;！!\s])",
    ]
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            value = _number(m.group("n")) if m.group("n") is not None else 1
            if value is None and re.fullmatch(r"[\d,]{13,}", m.group("n").strip()):
                # "1e12 concurrent users": more than any plan serves (it had been "a number of users is not a load")
                from intent.errors import ImpossibleValue

                raise ImpossibleValue(space.text, space.text[m.start():m.end()].strip(),
                                      "more users at once than any plan can serve")
            if value is None:
                continue
            space.mask(m.start(), m.end())
            if value < 1:
                warnings.append(f"'{space.text[m.start():m.end()].strip()}': a concurrency below 1; ignored")
                return None
            return value
    return None


#: A share of the people online at once: "同时在线大约30%", "20% online at once", "30% concurrent".
SHARE_AT_ONCE = re.compile(r"(?:同时在线|并发|同时使用)(?:率|比例)?\s*(?:大约|约|大概|在)?\s*(?P<a>\d+(?:\.\d+)?)\s*%"
                           r"|(?P<b>\d+(?:\.\d+)?)\s*%\s*(?:of\s+them\s+)?(?:online|active|concurrent|at\s+once|同时在线)")


def _share_at_once(lexicon: Lexicon, space: Workspace) -> int | None:
    """The people at once when the request gives them as a share of those it counts: 200 developers,
    30% online at once, are 60 at once (the 30% had been read as 30 users)."""
    m = SHARE_AT_ONCE.search(space.masked)
    if m is None:
        return None
    people = _alternation([*lexicon["people_nouns"], *lexicon["concurrency"]["subjects"]])
    counted = re.search(rf"(?P<n>{COUNT})\s*(?:个|位|名)?\s*(?:{people})(?![a-z])", space.masked)
    if counted is None or (total := _number(counted.group("n"))) is None:
        return None
    share = float(m.group("a") or m.group("b")) / 100
    space.mask(m.start(), m.end())
    space.mask(counted.start("n"), counted.end("n"))
    return max(1, round(total * share))


#: Users counted over a period ("300 users per day", "1000 daily users"), or a share of them at once.
USERS_OVER_TIME = re.compile(r"\s*(?:[a-z]+\s+)?(?:per|a|an|each|every|/)\s*(?:day|week|month|year)(?![a-z])"
                             r"|\s*(?:[a-z]+\s+)?(?:daily|weekly|monthly|yearly)(?![a-z])")
AT_ONCE = re.compile(r"(?<![a-z])(?:at a time|at once|simultaneous(?:ly)?|concurrent(?:ly)?|in parallel)(?![a-z])")


#: People a Chinese request counts as its users (200个坐席同时在线, 50位医生同时使用).
CN_PEOPLE = ("用户|员工|同事|开发者|客户|坐席|客服|座席|工程师|医生|学生|老师|销售|律师|分析师"
             # rooms and channels served at once: "50个会议室同时"
             "|会议室|房间|教室|直播间|频道")


def _users_streaming(lexicon: Lexicon, space: Workspace) -> tuple[int, str] | None:
    """Users who each stream tokens at a speed ("for 40 users with 30 tokens per second each",
    "10 devs, 50 tok/s each", "40 tokens/s per user for 64 users"): a speed each one sees at once
    makes them concurrent users. (A
    count of users alone is no load: it may be a day's users, and is warned about.)"""
    people = _alternation(lexicon["people_nouns"])
    per_user = _alternation(lexicon["per_user_words"])
    speed = (rf"\d+(?:\.\d+)?\s*(?:tokens?|tok)\s*(?:/\s*s(?:ec)?|per\s+second|a\s+second)(?![a-z])\s*"
             rf"(?:each|apiece|{per_user})(?![a-z])")
    # "给10个同事用，每人每秒15 token": the speed each sees written before it, in Chinese
    speed_zh = r"(?:每人|每个人|每位|每个用户|每用户)\s*(?:每秒|每秒钟)\s*(?:至少|不低于|大概|约)?\s*\d+(?:\.\d+)?\s*(?:个)?\s*(?:tokens?|tok|字)"
    m = re.search(rf"(?P<n>{COUNT})\s+(?:{people})(?![a-z])[^.;。；]{{0,40}}?{speed}", space.masked) \
        or re.search(rf"{speed}[^.;。；\d]{{0,24}}?(?P<n>{COUNT})\s+(?:{people})(?![a-z])", space.masked) \
        or re.search(rf"(?P<n>{COUNT})\s*(?:个|位|名)?\s*(?:{people})[^.;。；]{{0,16}}?{speed_zh}", space.masked)
    if m is None or (value := _number(m.group("n"))) is None or value < 2 \
            or USERS_OVER_TIME.match(space.masked, m.end("n")) or AT_ONCE.search(space.masked):
        return None  # "300 users per day", "3 of them at a time": not all at once
    space.mask(m.start("n"), m.end("n"))
    return value, (f"'{space.text[m.start():m.end()].strip()}': users who each see a speed at once, read as {value} "
                   "concurrent users")


#: A count as people write it: "1,000", "1.5k", "2万".
COUNT = r"(?<![\d.])(?<!\d,)(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(?:k|thousand|万|千)(?![a-z]))?"
COUNT_SCALES = {"k": 1000, "thousand": 1000, "万": 10_000, "千": 1000}


def _number(literal: str) -> int | None:
    """A count's value; None when it is not a whole number people would write."""
    found = re.fullmatch(r"([\d,.]+)\s?(k|thousand|万|千)?", literal.strip())
    if not found:
        return None
    try:
        value = float(found.group(1).replace(",", "")) * COUNT_SCALES.get(found.group(2) or "", 1)
    except (ValueError, OverflowError):
        return None
    return int(value) if value < 1e12 else None


def _alternation(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(words), key=lambda w: len(str(w)), reverse=True))
