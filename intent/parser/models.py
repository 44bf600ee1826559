"""Model names in a request: a catalog variant, a family of variants, or a name the catalog lacks.

1. A catalog id written loosely ("Llama 3 8B" for ``llama-3-8b``), one of the catalog's aliases
   ("SDXL"), or a name the catalog's resolver (``hardware.names``) ties to one model
   ("Qwen2.5-7B-Instruct", "Meta-Llama-3.1-70B-Instruct"), names one variant.
2. A family written without its size ("yolov8", "stable diffusion xl", "phi-3 mini") names the
   variants whose name it begins: the request then allows those (``workload.models``).
3. Any other name that begins with a known model family ("Qwen2.5-7B-Instruct",
   "DeepSeek-R1-Distill-Qwen-32B") is not in the catalog: it is kept as written, with the closest
   catalog ids, so the plan can say so instead of swapping in another model silently.

A name's digits are masked so they are never read as quantities ("Llama-2-7B" is not 7 of anything).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from hardware import Catalog
from hardware.names import only_model_with, resolve_model, suggest_models
from intent.parser.lexicon import Lexicon, PhraseSet
from intent.parser.text import Workspace

#: A model given by its size alone: "a 70B model", "13B LLM", "7B-parameter model", "70B模型".
SIZE_ONLY = re.compile(r"(?<![a-z0-9.])(?:(?P<low>\d+(?:\.\d+)?)\s?b?\s?(?:-|–|to)\s?)?"  # a range: "a 7-8B model"
                       r"(?P<size>\d+(?:\.\d+)?)\s?b(?:illion)?(?:[\s-]+param(?:eter)?s?)?(?:[\s-]+(?:class|scale|sized?|ish))?"
                       r"(?:[\s-]+(?:instruct|instruction-tuned|base|dense|open|open-weight|open-source|pretrained))?"
                       r"(?:[\s-]+(?:chat|coding|code|general|reasoning))?"
                       r"(?:[\s-]+(?:models?|llms?|language models?|chat models?)(?![a-z])|\s?的?\s?(?:大语言模型|大模型|模型))")
#: A number right after a size letter inside a name: the "/14" of "vit-l/14", the "-16" of "vit-b-16".
SIZE_THEN_NUMBER = re.compile(r"[/_-]\d")
#: How far a catalog model's size may be from a size written alone and still be that size.
SIZE_TOLERANCE = 0.15
#: What may follow a name that ends in a digit and still be the same family: a size letter ("yolov8" + "n").
SIZE_TAIL = re.compile(r"[a-z]{1,2}")
#: What may follow a name that ends in a letter: a version or size ("resnet" + "50", "yolo" + "v8n").
VERSION_TAIL = re.compile(r"[a-z]{0,2}\d[a-z0-9.]*|[a-z]{1,2}")


@dataclass
class ModelReading:
    model_id: str | None = None
    models: list[str] = field(default_factory=list)
    task: str | None = None
    as_written: str | None = None
    closest: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    span: tuple[int, int] | None = None  # where the request names it
    warnings: list[str] = field(default_factory=list)
    ruled_out: list[str] = field(default_factory=list)  # catalog models the request rules out ("no Llama")


def read_models(lexicon: Lexicon, space: Workspace, catalog: Catalog) -> ModelReading:
    """The model the request names, in the order of the rules above; a model ruled out ("not
    llama3 70B", "instead of llama3 8B", "不能用Llama") is passed over (and read, so it is no second
    model), and said in ``ruled_out`` (it was planned: "no Llama models" got Llama 3.2 3B)."""
    ruled_out: list[str] = []
    reading = _named_model(lexicon, space, catalog, ruled_out)
    reading.ruled_out = sorted(set(ruled_out))
    return reading


def _named_model(lexicon: Lexicon, space: Workspace, catalog: Catalog, ruled_out: list[str]) -> ModelReading:
    for pattern, model_id, task in model_patterns(catalog):
        m = pattern.search(space.masked)
        if m and _ruled_out(space, m.start()):
            space.mask(m.start(), m.end())
            ruled_out.append(model_id)
            continue
        if m and (distilled := DISTILLED_AFTER.match(space.masked, m.end())) is not None \
                and not _variant_held(distilled.group(0), model_id, catalog):
            return _distilled(space, catalog, m.start(), distilled.end())
        if m and not _names_another_model(lexicon, space.masked, m.end()):
            space.mask(m.start(), m.end())
            return ModelReading(model_id=model_id, task=task, span=(m.start(), m.end()))
    for m in alias_phrases(catalog).scan(space.masked):
        if _ruled_out(space, m.start):
            space.mask(m.start, m.end)
            ruled_out.append(m.key)
            continue
        if _names_another_model(lexicon, space.masked, m.end) or _other_modality_after(space.masked, m.end):
            continue  # "qwen2.5-vl": the alias of Qwen2.5 7B starts another model's name
        if (distilled := DISTILLED_AFTER.match(space.masked, m.end)) is not None \
                and not _variant_held(distilled.group(0), m.key, catalog):
            return _distilled(space, catalog, m.start, distilled.end())
        space.mask(m.start, m.end)
        model = catalog.models[m.key]
        return ModelReading(model_id=model.id, task=model.task, span=(m.start, m.end))
    for start, end, family_task in _mentions(lexicon, space):
        written = space.text[start:end].strip(" -")
        space.mask(start, end)
        if _ruled_out(space, start):
            ruled_out += family_variants(written, catalog) or [m for m in [resolve_model(written, catalog)] if m]
            continue
        if any(OTHER_MODALITY.fullmatch(t) for t in _tokens(written)):  # "qwen2.5-vl 7b": the name runs through it
            space.mask(start, end)
            return ModelReading(as_written=written, closest=suggest_models(written, catalog, 3, family_task),
                                span=(start, end))
        if (named := NAME_RUNS_ON.match(space.text, end)) and (lexicon.words("tasks_without_models").scan(named.group(1))
                                                               or OTHER_MODALITY.match(named.group(1))):
            # "bge-reranker-large" is no bge embedder, "qwen2.5-vl" no Qwen2.5 text model: a model the catalog lacks
            written = space.text[start:named.end()].strip(" -")
            space.mask(start, named.end())
            return ModelReading(as_written=written, closest=suggest_models(written, catalog, 3, family_task),
                                span=(start, named.end()))
        variants = family_variants(written, catalog) or _family_of_a_size(written, catalog)
        if len(variants) > 1:
            variants = _of_the_size_beside(space, start, end, variants, catalog)
        if len(variants) > 1:
            tasks = {catalog.models[v].task for v in variants}
            return ModelReading(models=sorted(variants), task=tasks.pop() if len(tasks) == 1 else family_task,
                                span=(start, end))
        resolved = variants[0] if variants else resolve_model(written, catalog)
        language = LANGUAGE_AFTER.match(space.masked, end)
        if resolved is not None and language and _another_language(language.group(1), resolved):
            # "bge-large-zh": a name the catalog's bge-large-en-v1.5 is not (it was planned without a word)
            written = space.text[start:language.end()].strip(" -")
            space.mask(start, language.end())
            return ModelReading(task=family_task, as_written=written,
                                closest=suggest_models(written, catalog, 3, family_task), span=(start, language.end()))
        distilled = DISTILLED_WORD.search(written)
        if resolved is not None and distilled is not None and distilled.group(0) not in resolved:
            return _distilled(space, catalog, start, end)  # "sdxl turbo" is no SDXL base ("whisper turbo" is held)
        if resolved is not None:
            model = catalog.models[resolved]
            return ModelReading(model_id=model.id, task=model.task, span=(start, end),
                                warnings=_run_on_warning(written, model) if variants else [])
        if (only := only_model_with(written, catalog)) is not None and not _another_language(written, only):
            model = catalog.models[only]
            return ModelReading(model_id=model.id, task=model.task, span=(start, end),
                                notes=[f"'{written}' read as {model.id}, the only catalog model named with those words"])
        return ModelReading(task=family_task, as_written=written, closest=suggest_models(written, catalog, 3, family_task),
                            span=(start, end))
    return _models_of_a_size(space, catalog)


#: Words right before a model that rule it out: "not llama3 70B", "use mistral instead of llama3", 而不是.
RULED_OUT_BEFORE = re.compile(r"(?:(?<![\w-])(?:not|no|instead of|rather than|other than|except|not the|never|exclude|excluding|"
                              r"avoid|avoiding|without|ban|don'?t\s+use|do\s+not\s+use|no\s+more|"
                              # a model replaced: "llama-3.1-70b to replace llama-3-70b", "替换掉原来的qwen2-7b"
                              r"(?:to\s+)?replac(?:e|es|ing)(?:\s+the)?(?:\s+(?:old|current|existing))?|in\s+place\s+of|"
                              r"upgrad(?:e|ing)\s+from|migrat(?:e|ing)\s+from|swap(?:ping)?\s+out)|替换掉?(?:原来的|现在的|现有的)?|"
                              r"取代|替代|不要|不用|而不是|"
                              r"(?<![识区辨类级性特分告离鉴判])别用|不能用|不能使用|禁止用|禁止使用|不可以用|不允许用|不允许使用|不准用|不得使用|不得用)\s*$")


def _ruled_out(space: Workspace, start: int) -> bool:
    return bool(RULED_OUT_BEFORE.search(space.text[max(0, start - 16):start]))


def other_models(lexicon: Lexicon, space: Workspace, reading: ModelReading,
                 catalog: Catalog | None = None) -> tuple[list[str], list[tuple[int, int]]]:
    """Model names left after the one read ("embeddings with bge-m3, generation with Llama 3.1
    8B"): one request plans one model, so each other one is warned about, never dropped. Also
    where they stand, so the bounds stated for them are not planned for the model read. The
    model read named again ("SDXL ... Model: SDXL base 1.0", "Llama 3.1 8B ... Llama-3.1-8B-Instruct")
    is no second model: its bounds were dropped as another's."""
    chosen = reading.model_id or ", ".join(reading.models) or reading.as_written
    if not chosen:
        return [], []
    out, spans = [], []
    for start, end, _ in _mentions(lexicon, space):
        written = space.text[start:end].strip(" -")
        space.mark_read(start, end)
        if _ruled_out(space, start) or _names_the_model_read(written, reading, catalog):
            continue  # "not llama": ruled out, not asked for
        out.append(f"'{written}': a second model; one request plans one model ({chosen}), so plan this one in a "
                   "request of its own")
        spans.append((start, end))
    return out, spans


def model_named(written: str, catalog: Catalog) -> str | None:
    """The catalog model a name resolves to, as the model reading resolves names; None for none."""
    lowered = written.lower()
    named = next((model_id for pattern, model_id, _ in model_patterns(catalog) if pattern.search(lowered)), None)
    return named or next((m.key for m in alias_phrases(catalog).scan(lowered)), None)


def _names_the_model_read(written: str, reading: ModelReading, catalog: Catalog | None) -> bool:
    """Whether a model name resolves to the model read (or one of the variants read)."""
    chosen = {reading.model_id, *reading.models} - {None}
    if not chosen or catalog is None:
        return False
    lowered = written.lower()
    if any(catalog.models[m].family == lowered for m in chosen if m in catalog.models):
        return True  # the family word alone ("通义千问 Qwen2.5-7B"): the model read's own family
    named = next((model_id for pattern, model_id, _ in model_patterns(catalog) if pattern.search(lowered)), None)
    if named is None:
        named = next((m.key for m in alias_phrases(catalog).scan(lowered)), None)
    return named in chosen


#: A model's short name as a label before its bounds: "Llama: 20 concurrent", "bge: 500 qps".
MODEL_LABEL = re.compile(r"(?:^|[.;\n]\s*|,\s*)(?P<label>[a-z][a-z0-9.-]{2,20})\s*:")
#: "each at 10 rps", "10 rps each", "both at 10 rps": a bound for every model named.
EACH_MODEL = re.compile(r"(?:each|both|all|apiece)\s+(?:at|with|of|under|over|below|above)?\s*$|\s*(?:each|apiece)(?![a-z])")


def bounds_of_other_models(text: str, reading: ModelReading, others: list[tuple[int, int]]):
    """A test for a bound's span: a warning when it belongs to a second model, so the bound leaves
    the intent; None when it is the model read's (or there is no second model). A bound belongs
    to the last model named before it ("bge-large at 500 QPS and llama 3.1 8b at 10 QPS"), or,
    with none before it, to the nearest one after."""
    if reading.span is None or not others:
        return None

    def distance(a: tuple[int, int], b: tuple[int, int]) -> int:
        return max(0, b[0] - a[1], a[0] - b[1])

    def theirs(span: tuple[int, int]) -> str | None:
        if EACH_MODEL.search(text[max(0, span[0] - 12):span[0]]) or EACH_MODEL.match(text, span[1]):
            return None  # "both ..., each at 10 rps": every model's, the one read's too
        models = [reading.span, *others]
        before = [m for m in models if m[1] <= span[0]]
        owner = max(before, key=lambda m: m[1]) if before else min(models, key=lambda m: distance(span, m))
        # a label naming one of the models before the bound ("… and bge-base. Llama: 20 concurrent, TTFT<500ms")
        labels = list(MODEL_LABEL.finditer(text, owner[1] if before else 0, span[0]))
        if labels:
            label = labels[-1].group("label").lower()
            named = [m for m in models if label in text[m[0]:m[1]].lower()]
            owner = named[0] if len(named) == 1 else owner
        if owner != reading.span:
            return (f"'{text[span[0]:span[1]].strip()}' is stated for '{text[owner[0]:owner[1]].strip()}', "
                    "the second model: not planned for the model read")
        return None

    return theirs


#: A size written right before or right after a family's name: "a 1B llama-style model", "llama 70b".
SIZE_BEFORE = re.compile(r"(?<![a-z0-9.])(?P<size>\d+(?:\.\d+)?)\s?b(?:illion)?[\s-]*$")
SIZE_AFTER = re.compile(r"[\s-]*(?P<size>\d+(?:\.\d+)?)\s?b(?![a-z0-9])")


def _of_the_size_beside(space: Workspace, start: int, end: int, variants: list[str], catalog: Catalog) -> list[str]:
    """A family's variants of the size written beside its name ("a 1B llama-style model" planned
    Llama 3.1 405B among the rest, and warned that the size was not read); all of them when no
    size stands there or none is of it. The size is read with the family."""
    for m in (SIZE_BEFORE.search(space.masked, max(0, start - 12), start), SIZE_AFTER.match(space.masked, end)):
        if m is None:
            continue
        kept = _sized(variants, float(m.group("size")), m.group("size"), catalog, named_first=True)
        if kept:
            space.mask(m.start("size"), m.end())
            return kept
    return variants


#: A family's name with a size written on to it: "llama 70b", "qwen-7b".
#: A family and a size, a tuning's name after it allowed ("llama 8b chat", "llama 70b instruct"): the
#: catalog's variants of the size are each tuned the one way the family publishes.
FAMILY_AND_SIZE = re.compile(r"(?P<family>.*?[a-z])[\s-]*(?P<size>\d+(?:\.\d+)?)\s?b(?:[\s-]+(?:chat|instruct|it|hf))?")


def _family_of_a_size(written: str, catalog: Catalog) -> list[str]:
    """"llama 70b", a family and a size that name no catalog id: the family's variants of that
    size (none when the name is not a family's with a size, or none is of it)."""
    m = FAMILY_AND_SIZE.fullmatch(written.lower())
    if m is None:
        return []
    return _sized(family_variants(m.group("family"), catalog), float(m.group("size")), m.group("size"), catalog,
                  named_first=True)


def _sized(ids, size_b: float, written: str, catalog: Catalog, named_first: bool = False) -> list[str]:
    """The models of ``ids`` within SIZE_TOLERANCE of ``size_b`` billion parameters, or named with
    that size ("llama-3.2-1b", 1.24B, is a 1B model); with ``named_first``, those named with it
    when there are any (in a family, "llama 405b" is Llama 3.1 405B, not the 400B Maverick)."""
    named = re.compile(rf"(?<![\d.x]){re.escape(written)}b(?![a-z0-9])")
    if named_first and (by_name := sorted(i for i in ids if named.search(i))):
        return by_name
    return sorted(i for i in ids if catalog.models[i].params_m and (
        abs(catalog.models[i].params_m.value / 1000 / size_b - 1) <= SIZE_TOLERANCE or named.search(i)))


def _models_of_a_size(space: Workspace, catalog: Catalog) -> ModelReading:
    """"a 70B model", "13B LLM", "70B模型": no name, only a size. The request then allows the
    catalog's text generators within SIZE_TOLERANCE of it, and says which."""
    m = SIZE_ONLY.search(space.masked)
    if m is None:
        return ModelReading()
    size_b = float(m.group("size"))
    shown = f"{size_b:g}"
    generators = [model.id for model in catalog.models.values() if model.task == "text-generation"]
    models = _sized(generators, size_b, m.group("size"), catalog)
    if m.group("low") and float(m.group("low")) < size_b:  # "a 7-8B class model": each size from the one to the other
        low_b = float(m.group("low"))
        models = sorted(set(models) | set(_sized(generators, low_b, m.group("low"), catalog)) | {
            i for i in generators if catalog.models[i].params_m is not None
            and low_b <= catalog.models[i].params_m.value / 1000 <= size_b})
        shown = f"{low_b:g}-{size_b:g}"
    space.mask(m.start(), m.end())
    written = space.text[m.start():m.end()]
    if not models:
        closest = suggest_models(written, catalog, 3, "text-generation")
        return ModelReading(task="text-generation", as_written=written, closest=closest)
    note = (f"'{written}': no model named; planned over the catalog's text generators of {shown}B "
            f"parameters (within {SIZE_TOLERANCE:.0%}, or named so): {', '.join(models)}")
    return ModelReading(models=models, task="text-generation", notes=[note])


def _names_another_model(lexicon: Lexicon, text: str, end: int) -> bool:
    """True when the name runs on past a catalog id with words that make it another model:
    "DeepSeek-R1-Distill-Llama-70B" is not deepseek-r1, while "Llama-3.1-8B-Instruct" is llama-3.1-8b.
    An Ollama tag glued on with a colon ("deepseek-r1:70b") names its own size: the aliases decide it."""
    if re.match(r":\d", text[end:end + 2]):
        return True
    tail = text[end:_name_end(text, end, lexicon)]
    same = lexicon["same_model_words"]
    return any(word not in same and not re.fullmatch(r"v?\d+(?:\.\d+)*", word) for word in _tokens(tail))


#: A comparison of accuracy right before a model's name: "at least as accurate as resnet50", "accuracy no
#: lower than yolov8s", "准确率不低于resnet50". The model is the yardstick, not the one to plan.
ACCURATE_AS = re.compile(r"(?:(?<![a-z])(?:(?:at least|just)\s+)?as\s+accurate\s+as|more\s+accurate\s+than|"
                         r"(?:accuracy|top-?1|map|miou|f1)\s+(?:no lower than|not lower than|at least|of at least|"
                         r"as good as|as high as|matching|no worse than|not worse than|>=|≥)|(?:准确率|精度)(?:不低于|不差于|至少))"
                         r"\s*(?:that of\s+|the\s+|a\s+|an\s+)?$")


#: A margin below a model's accuracy, before the model: "accuracy no more than 2 points below X", "within 1% of X".
BELOW_BY_BEFORE = re.compile(r"(?:accuracy|wer|top-?1|map|f1)?\s*(?:no more than|at most|not more than|within|up to)\s+"
                             r"(?P<n>\d+(?:\.\d+)?)\s*(?:points?|pp|%|percentage points?)\s+(?:below|under|of|behind)\s+"
                             r"(?:that of\s+|the\s+)?$")
#: The same in Chinese, around the model: "准确率不能比X低超过2个百分点", "精度比X低不超过1%".
LOWER_THAN_BEFORE = re.compile(r"(?:准确率|精度|识别率|效果)\s*(?:不能|不得|不要|别|不可以)?\s*比\s*$")
BELOW_BY_AFTER = re.compile(r"\s*(?:的)?\s*低\s*(?:超过|不超过|不能超过|不到|于)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?:个百分点|个点|%|点)")


def compared_models(space: Workspace, catalog: Catalog) -> list[tuple[str, tuple[int, int], float]]:
    """The models a request measures accuracy against ("at least as accurate as resnet50"), with
    where the comparison says so and the margin below them it allows ("no more than 2 points below
    whisper-large-v3": 0.02); each name is read (masked), so it is not the model planned. It pinned
    resnet50, where any model at least as accurate may be planned."""
    named = [(model_id, m.start(), m.end()) for pattern, model_id, _ in model_patterns(catalog)
             for m in pattern.finditer(space.masked)]
    named += [(m.key, m.start, m.end) for m in alias_phrases(catalog).scan(space.masked)]
    out = []
    for model_id, start, end in named:
        window = max(0, start - 48)
        if compared := ACCURATE_AS.search(space.masked[window:start]):
            out.append((model_id, (window + compared.start(), end), 0.0))
            space.mask(start, end)
        elif (below := BELOW_BY_BEFORE.search(space.masked[window:start])) is not None:
            # "accuracy no more than 2 points below whisper-large-v3": its figure less the margin
            out.append((model_id, (window + below.start(), end), float(below.group("n")) / 100))
            space.mask(start, end)
        elif LOWER_THAN_BEFORE.search(space.masked[window:start]) and (after := BELOW_BY_AFTER.match(space.masked, end)):
            # "准确率不能比whisper-large-v3低超过2个百分点"
            lead = LOWER_THAN_BEFORE.search(space.masked[window:start])
            out.append((model_id, (window + lead.start(), after.end()), float(after.group("n")) / 100))
            space.mask(start, after.end())
    return out


@lru_cache(maxsize=4)
def model_patterns(catalog: Catalog) -> list[tuple[re.Pattern, str, str]]:
    """A loose pattern per catalog model id: "llama-3-8b" also matches "Llama 3 8B"."""
    out = []
    for model in catalog.models.values():
        chunks = re.findall(r"[a-z]+|\d+(?:\.\d+)?[a-z]*", model.id)
        if len(chunks) < 2:  # an MLPerf reference is named by its whole id ("3d-unet-kits19-mlperf")
            continue
        body = r"[\s/_-]*".join(re.escape(c) for c in chunks)  # "ViT-B/16" is vit-b-16
        out.append((re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])"), model.id, model.task))
    return sorted(out, key=lambda p: len(p[1]), reverse=True)


@lru_cache(maxsize=4)
def alias_phrases(catalog: Catalog) -> PhraseSet:
    """The names the catalog gives its models besides their ids ("SDXL", "phi-3 mini")."""
    return PhraseSet({m.id: list(m.aliases) for m in catalog.models.values() if m.aliases})


def _mentions(lexicon: Lexicon, space: Workspace) -> list[tuple[int, int, str]]:
    """Spans that begin with a model family word (a version may be glued on: "internlm2.5",
    "yolov9") and run on through its version and size tokens."""
    text = space.masked
    bare = set(lexicon["families_named_with_a_version"])
    found = [(m.start(), _name_end(text, m.end(), lexicon), m.group(0)) for m in family_pattern(lexicon).finditer(text)]
    return [(start, end, family_task(lexicon, word)) for start, end, word in found
            if not (word in bare and text[start:end].strip(" -") == word)]


@lru_cache(maxsize=2)
def family_pattern(lexicon: Lexicon) -> re.Pattern:
    words = sorted({str(w) for group in lexicon["model_families"].values() for w in group}, key=len, reverse=True)
    body = "|".join(r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", w)) for w in words)
    # a size letter may be glued on after the version ("yolov8m", "yolo11x")
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?:(?<=\d)[nsmlx])?(?![a-z])")


def family_task(lexicon: Lexicon, word: str) -> str:
    """The task of the family a word names (a size letter glued on is not part of it: "yolov8m")."""
    key = re.sub(r"(?<=\d)[nsmlx]$", "", re.sub(r"[\s-]+", " ", word))
    for task, group in lexicon["model_families"].items():
        if any(re.sub(r"[\s-]+", " ", str(w)) == key for w in group):
            return task
    raise KeyError(word)


#: A modality a family's name runs on with that makes another model of it: "qwen2.5-vl" is no Qwen2.5 text model.
OTHER_MODALITY = re.compile(r"(?:vl|vision|omni|audio|video|math|speech)(?![a-z])")
def _variant_held(word: str, model_id: str, catalog: Catalog) -> bool:
    """Whether the catalog holds the distilled variant a word names of a model's family ("whisper large v3
    turbo" is whisper-turbo; "sdxl turbo" is no catalog model)."""
    word, family = word.strip(" -"), model_id.split("-")[0]
    return any(word in i and i.split("-")[0] == family for i in catalog.models)


def _distilled(space: Workspace, catalog: Catalog, start: int, end: int) -> ModelReading:
    """A distilled variant of few steps the catalog lacks ("sdxl turbo", "sdxl-lightning"): named as not held
    (SDXL base at 20 steps had been planned for it, its cost and latency 5 to 20 times too high)."""
    written = space.text[start:end].strip(" -")
    space.mask(start, end)
    return ModelReading(as_written=written, closest=suggest_models(written, catalog, 3), span=(start, end))


#: A distilled variant's word after a model's name: "sdxl turbo", "sdxl-lightning", "flux schnell", "sd lcm".
DISTILLED_AFTER = re.compile(r"[\s-]*(?:turbo|lightning|lcm|hyper|schnell)(?![a-z])")
DISTILLED_WORD = re.compile(r"(?<![a-z])(?:turbo|lightning|lcm|schnell)(?![a-z])")
def _other_modality_after(text: str, end: int) -> bool:
    """Whether a modality word runs on from a name ending at ``end`` ("qwen2.5-vl", "whisper-audio")."""
    named = NAME_RUNS_ON.match(text, end)
    return named is not None and OTHER_MODALITY.match(named.group(1)) is not None


#: The words a model's name runs on with, hyphenated: "-reranker-large" after "bge".
NAME_RUNS_ON = re.compile(r"-([a-z]+(?:-[a-z0-9.]+)*)")
#: A weight format written after a model's name: "4bit", "8-bit", "int4", "fp8", "w4a16", "q4_k_m".
QUANTIZATION_WORD = re.compile(r"\d{1,2}bits?|int\d{1,2}|fp\d{1,2}|bf16|w\d+a\d+|q\d(?:_k(?:_[msl])?)?")


def _name_end(text: str, position: int, lexicon: Lexicon) -> int:
    """Extend a family word through what belongs to the name: versions, sizes, suffixes, other families."""
    token = re.compile(r"[\s\-_./]?([a-z0-9][a-z0-9.]*)")
    families = lexicon.phrases("model_families")
    while (m := token.match(text, position)) is not None:
        word = m.group(1).rstrip(".")
        if QUANTIZATION_WORD.fullmatch(word):
            break  # "llama3.2-3b 4bit": the weights' format, not the name
        is_family = bool(families.scan(word)) and families.scan(word)[0].end == len(word)
        size_letter = len(word) <= 2 and word.isalpha() and bool(SIZE_THEN_NUMBER.match(text, m.end()))  # "vit-l/14"
        if not (re.search(r"\d", word) or word in lexicon["model_name_words"] or is_family or size_letter):
            break
        if text[m.start()] == "." and not word[0].isdigit():
            break  # a full stop, then the next sentence
        if m.start() < m.start(1) and text[m.start()] == " " and word.isdigit() and UNIT_NEXT.match(text, m.end()):
            break  # "bge-m3 800 qps": a figure of the load after the name, not part of it
        if m.start() < m.start(1) and text[m.start()] == " " and FIGURE_WORD.fullmatch(word):
            break  # "sdxl 1024x1024", "resnet50 p99<300ms": an image size or a percentile after the name
        position = m.start(1) + len(word)
    return position


#: A word after a name that is a figure of the request, not part of the name: an image size, a percentile, a
#: number with its unit glued on ("1024x1024", "p99", "100rps", "300ms").
FIGURE_WORD = re.compile(r"\d+x\d+|p\d{2}(?:\.\d+)?|\d+(?:\.\d+)?(?:ms|rps|qps|fps|tps|px|gb|w)")


#: A unit after a bare number: the number is a figure, not part of a model's name ("bge-m3 800 qps").
UNIT_NEXT = re.compile(r"\s*(?:qps|rps|tps|fps|req|requests|queries|ms|s|sec|users|concurrent|tok|tokens|images|imgs|"
                       r"rows|docs|gb|w|x)(?![a-z])|\s*[/%]")


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s\-_/]+", name.lower()) if t]


#: Language codes a model's name may carry ("bge-large-zh", "bge-large-en-v1.5", "opus-mt-de-en").
NAME_LANGUAGES = frozenset({"en", "zh", "cn", "ja", "ko", "de", "fr", "es", "it", "pt", "ru", "ar", "multilingual"})


#: A language code right after a model's name: the "-zh" of "bge-large-zh".
LANGUAGE_AFTER = re.compile(rf"[\s-]*({'|'.join(sorted(NAME_LANGUAGES, key=len, reverse=True))})(?![a-z])")


def _another_language(written: str, model_id: str) -> bool:
    """Whether a name carries a language the catalog model's id does not ("bge-large-zh" is not
    bge-large-en-v1.5, which was planned for it without a word)."""
    said = NAME_LANGUAGES & set(re.findall(r"[a-z]+", written.lower()))
    return bool(said) and not said <= set(re.findall(r"[a-z]+", model_id))


def _run_on_warning(written: str, model) -> list[str]:
    """A warning when the one catalog model a name begins runs on with a word of its own, not a
    size or version ("bert-base" is bert-base-ner, a token-classification fine-tune): the model
    and its task were taken without a word."""
    extra = [t for t in _tokens(model.id)[len(_tokens(written)):] if t.isalpha() and len(t) > 2]  # not "en", "v"
    if not extra:
        return []
    return [f"'{written}' read as {model.id}, the catalog's only model of that name, a {model.task} model "
            f"('{' '.join(extra)}'); name another model, or add yours with 'intentctl catalog import CONFIG.json'"]


def family_variants(written: str, catalog: Catalog) -> list[str]:
    """Catalog ids whose name the written one begins, separators aside, ending where the id's
    name has a boundary ("llama 3.1" begins llama-3.1-8b, "faster r-cnn" the fasterrcnn-* ids) or
    where only a size or version follows ("yolov8" begins yolov8n, "resnet" resnet50)."""
    wanted = "".join(_tokens(written))
    if not wanted:
        return []
    tail = SIZE_TAIL if wanted[-1].isdigit() else VERSION_TAIL
    out = []
    for model in catalog.models.values():
        if model.benchmark_reference:
            continue
        joined = ""
        for token in _tokens(model.id):
            if joined == wanted or (len(joined) < len(wanted) < len(joined + token)
                                    and (joined + token).startswith(wanted)
                                    and tail.fullmatch((joined + token)[len(wanted):])):
                out.append(model.id)
                break
            joined += token
        else:
            if joined == wanted:
                out.append(model.id)
    if not out:  # a family the ids do not begin with ("Marian" for the opus-mt models)
        out = [m.id for m in catalog.models.values() if not m.benchmark_reference and "".join(_tokens(m.family)) == wanted]
    return out


def with_speciality(lexicon: Lexicon, space: Workspace, catalog: Catalog, reading: ModelReading) -> ModelReading:
    """A speciality asked for with no one model named ("code completion with a 7B model"): the
    candidates narrow to the catalog's models of that speciality (the coder models), and the
    reading says so. Asked for none, a pool of candidates ("a 7B model", a family) leaves the
    speciality models out: a support chat is no code completion. A model named stays."""
    if reading.model_id is not None:
        return reading
    pool = reading.models or sorted(m.id for m in catalog.models.values() if m.task == "text-generation")
    for name in lexicon["model_specialities"]:
        if reading.as_written is not None or not _speciality_words(lexicon, name).scan(space.text):
            continue
        special = [m for m in pool if catalog.models[m].speciality == name]
        if special:
            note = (f"{name}: planned over the catalog's {name} models ({', '.join(special)}), not the general "
                    "text generators; name a model to plan another")
            return ModelReading(models=special, task="text-generation", notes=[*reading.notes, note], span=reading.span)
    general = [m for m in reading.models if not catalog.models[m].speciality]
    if general and len(general) < len(reading.models):
        return replace(reading, models=general)
    return reading


@lru_cache(maxsize=8)
def _speciality_words(lexicon: Lexicon, name: str) -> PhraseSet:
    return PhraseSet({name: lexicon["model_specialities"][name]["words"]})
