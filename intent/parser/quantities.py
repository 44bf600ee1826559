"""Find amounts with their units ("10ms", "$900/month", "每秒30帧", "5-10 ms") and convert them.

Each :class:`Quantity` carries the metric its unit implies and its value in that metric's
canonical unit (factors from pint, see ``units.py``). Percentages and bare numbers are kept
too, with no metric: whether they are accuracy depends on the words around them, which is
the constraint rules' business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from intent.parser.lexicon import Lexicon
from intent.parser.numbers import to_float
from intent.parser.text import Workspace
from intent.parser.units import unit_factors

NUMBER = re.compile(
    r"(?P<sign>(?<![a-z0-9_.-])-)?(?<![a-z0-9.#_])(?<![a-z0-9]-)"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:e(?P<exp>[+-]?\d+)(?![a-z])|\s?\^\s?(?P<pow>[+-]?\d+))?"
)
RANGE_OPENER = re.compile(r"(?:between|from|从)\s*(?:\$|usd\s?)?\s*$")


#: How far (characters) before an amount with no currency a cost word makes it money.
COST_WORD_REACH = 24
#: What after a number makes it no amount of money: a word of its own ("预算1年…": a year) or a time unit.
NOT_MONEY_AFTER = re.compile(r"[\u4e00-\u9fff%]|\s*(?:years?|yrs?|months?|mos?|weeks?|days?|hours?|hrs?|h)(?![a-z])"
                             # a unit of its own ("rack power budget 10kW", "memory budget 40 GB")
                             r"|\s*(?:kw|w|mw|kwh|wh|watts?|gb|tb|mb|gib|ms|fps|rps|qps|tokens?|tok)(?![a-z])"
                             # "latency budget 2s", "energy budget 0.5 J per image": a time or an energy
                             r"|\s*(?:s|secs?|seconds?|minutes?|mins?|j|joules?|mj|millijoules?|t/s)(?![a-z])")
#: Words that keep a figure under a ceiling with nothing counted: "keep it under 2k a month" is a spend.
KEEP_UNDER = re.compile(r"(?<![a-z])(?:keep|stay|hold)\s+(?:it|things|this|us|everything|the\s+bill|spend|spending|costs?)?\s*"
                        r"(?:under|below|within|at\s+most)\s*(?:about|around|~)?\s*$")
#: A period right after an amount in Chinese ("预算15000一个月", "2万每月"): the cost's.
CN_PERIOD_AFTER = re.compile(r"\s*(?:元|块钱|块)?\s*(?:一|每)\s*(?:个)?(?P<period>月|天|日|年|周|星期|小时)")
CN_PERIODS = {"月": "month", "天": "day", "日": "day", "年": "year", "周": "week", "星期": "week", "小时": "hour"}
#: A budget word right before an amount with no currency and no period: "budget around 1k", "budget: 1000",
#: "预算5000" (money, as the assumptions say; a job's total, or per hour as any cost with no period).
BUDGET_RIGHT_BEFORE = re.compile(r"(?:(?<![a-z])budget|预算)\s*(?:of|is|:|=|around|about|approx\.?|roughly|~|大约|约|为|是|"
                                 r"大概|在)?\s*(?:around|about|roughly|~|大约|约|大概)?\s*$")


#: Chinese characters counted ("15个字"), not 字幕, 字段, 字符串 or the like.
CHINESE_CHARACTERS = re.compile(r"\s?个?字(?![幕段符节体母数典])")
#: A request's side named just before a count of characters: 输入约3000字, 输出200字, 每篇约2000字.
SHAPE_BEFORE_CN = re.compile(r"(?:输入|输出|回复|回答|摘要|生成|长度|每篇|每份|每条|篇幅)[^，,。；;\d]{0,4}$")


#: Chinese characters: a request written in them reads ¥ as yuan.
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Quantity:
    """An amount in the text. ``kind`` is a metric name, ``percent``, ``tokens`` (a count of
    tokens, for the request shape) or ``bare``; ``unit`` is the unit as the lexicon names it."""

    start: int
    end: int
    kind: str
    value: float
    low: float | None = None
    note: str | None = None
    needs_cue: bool = False  # memory sizes, job durations and bare dollar amounts are bounds only with a cue
    unit: str | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None


def _alternation(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(words), key=lambda w: len(str(w)), reverse=True))


def _bounded(words) -> str:
    """An alternation that must not run on into an ASCII letter or digit."""
    return rf"(?:{_alternation(words)})(?![a-z0-9])"


class Grammar:
    """Unit patterns compiled from the lexicon, with pint's conversion factors."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.factors = unit_factors(lexicon["units"])
        self.scales = {str(k): float(v) for k, v in lexicon["number_scales"].items()}

    def period_of(self, word: str) -> str:
        return self._period_index[word]

    @cached_property
    def _period_index(self) -> dict[str, str]:
        return {str(w): period for period, words in self.lexicon["periods"].items() for w in words}

    @cached_property
    def _unit_index(self) -> dict[str, tuple[str, str]]:
        return {str(s): (metric, unit) for metric, spec in self.lexicon["units"].items()
                for unit, spellings in spec["spellings"].items() for s in spellings}

    @cached_property
    def scale(self) -> re.Pattern:
        spaced = [s for s in self.scales if s.isascii() and s.isalpha() and len(s) > 2]
        attached = [s for s in self.scales if s not in spaced and s.isascii()]
        chinese = [s for s in self.scales if not s.isascii()]  # "1万token": no word break after 万
        return re.compile(rf"(?:\s(?P<spaced>{_alternation(spaced)})|(?P<attached>{_alternation(attached)})(?![a-z])"
                          rf"|(?P<cn>{_alternation(chinese)}))")

    @cached_property
    def percent(self) -> re.Pattern:
        return re.compile(r"\s?(?:%|percent(?![a-z])|per cent(?![a-z])|pct(?![a-z]))")

    @cached_property
    def rate_unit(self) -> re.Pattern:
        return re.compile(rf"\s?(?P<unit>{_bounded(self.lexicon['rate_units']['second'])})")

    @cached_property
    def per_period(self) -> re.Pattern:
        return re.compile(rf"\s*{self._per}(?P<period>{_bounded(self._period_index)})")

    @cached_property
    def _per(self) -> str:
        """A per word and the space after it: a word ("per", "a", "each") is followed by a space, so
        "as" is not "a s" (a second) and "$100 as a budget" is no hourly rate; "/" may touch the period."""
        words = _alternation(w for w in self.lexicon["per_words"] if w != "/")
        return rf"(?:/\s*|(?:{words})\s+)"

    @cached_property
    def other_currency_suffix(self) -> re.Pattern:
        return re.compile(rf"\s?(?:{_alternation(self.lexicon['other_currency']['suffix'])})(?![a-z])")

    @cached_property
    def other_currency_prefix(self) -> re.Pattern:
        return re.compile(rf"(?<![a-z])(?:{_alternation(self.lexicon['other_currency']['prefix'])})\s?$")

    @cached_property
    def adverb_period(self) -> dict[str, str]:
        return {str(w): period for period, words in self.lexicon["period_adverbs"].items() for w in words}

    @cached_property
    def period_adverb_after(self) -> re.Pattern:
        return re.compile(rf"\s*(?P<adverb>{_alternation(self.adverb_period)})(?![a-z])")

    @cached_property
    def period_adverb_before(self) -> re.Pattern:
        cues = _alternation(self.lexicon["cost_cues"])
        return re.compile(rf"(?<![a-z])(?P<adverb>{_alternation(self.adverb_period)})\s+(?:{cues})(?![a-z])[^,;.]*$")

    @cached_property
    def cost_per_item_after(self) -> re.Pattern:
        """"per request", "per 1,000 tickets", "per 1k images": the items a cost is for, counted or not."""
        records = [str(w) for w in self.lexicon["workload"]["records"] if str(w).isascii()]
        items = _alternation([*self.lexicon["cost_items"], *records, *(w[:-1] for w in records if w.endswith("s"))])
        return re.compile(rf"\s*(?:per|/|a|an|each|for each|for every|every)\s*"
                          rf"(?:(?P<count>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|thousand|million)?\s+)?(?:{items})(?![a-z])")

    @cached_property
    def cost_per_item_before(self) -> re.Pattern:
        """"each request costs ...", "cost per request ...", "每张图片成本..." before the amount, in its clause."""
        items = _alternation(self.lexicon["cost_items"])
        cues = _alternation(self.lexicon["cost_cues"])
        counted = r"(?:(?P<count>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>k|m|thousand|million)?\s+)?"
        return re.compile(rf"(?:(?<![a-z])(?:each|per|every)\s+(?:{items})\s+(?:\w+\s+)?(?:{cues})(?![a-z])"
                          rf"|(?<![a-z])(?:{cues})\s+(?:per|of each|for each|of a|of one)\s+{counted}(?:{items})(?![a-z])"
                          rf"|每(?:张|条|次|个|篇|份|段|页)[^，,。；;\d]{{0,6}}(?:成本|费用|花费|价格)"
                          # "每千次请求不超过0.5元", "每万次调用成本"
                          rf"|每(?P<zh_scale>千|万|百万)(?:次|条|张|个|篇)(?:请求|调用|推理|查询|识别|图片|图像)?[^，,。；;\d]{{0,6}})"
                          rf"[^,;.，；。]*$")

    @cached_property
    def item_rate(self) -> re.Pattern:
        items = _alternation([i for i in self.lexicon["throughput_items"] if str(i).isascii()])
        cn_items = _alternation([i for i in self.lexicon["throughput_items"] if not str(i).isascii()])
        adverbs = _alternation(w for w, period in self.adverb_period.items() if period in ("hour", "day", "month"))
        return re.compile(rf"\s?(?:{items})\s+every\s+(?P<every_n>\d+(?:\.\d+)?)\s*"  # "1 frame every 5 seconds"
                          rf"(?P<every_period>{_bounded(self._period_index)})"
                          rf"|\s?(?:{items})\s*{self._per}(?P<period>{_bounded(self._period_index)})"
                          rf"|\s?(?:{cn_items})\s*/\s*(?P<cn_item_period>{_bounded(self._period_index)})"  # "2000 张/秒"
                          rf"|\s?(?:per|/)\s*(?P<bare_period>{_bounded(self._period_index)})"
                          rf"|\s(?:a|an|each|every)\s+(?P<bare_period_word>{_bounded(self._period_index)})"  # "300 a day"
                          rf"|\s?(?:{items})\s+(?P<adverb>{adverbs})(?![a-z])")  # "1M reviews daily"

    @cached_property
    def language_pair(self) -> str:
        """A translation's direction written among the words of a rate: "en->de", "(en→fr)",
        "from english to german", "german into english" (codes of the lexicon's languages)."""
        codes = _alternation(self.lexicon["languages"])
        names = _alternation(p for group in self.lexicon["languages"].values() for p in group if str(p).isascii())
        joiners = r"\s?(?:->|→|=>)\s?"
        words = rf"(?:from\s+)?(?:{names})\s+(?:to|into|->|→)\s+(?:{names})"
        return rf"\(?(?:(?:{codes}){joiners}(?:{codes})|{words})\)?"

    @cached_property
    def noun_rate(self) -> re.Pattern:
        """Any things per second, minute, hour or day: "200 listings per second" is a rate too, and
        so is "50k product descriptions en->de per hour" or "50k product descriptions from
        english to german per hour" (a language pair among the words)."""
        periods = _alternation(w for w in self._period_index if str(w).isascii() and self._period_index[w] in
                               ("second", "minute", "hour", "day"))
        pair = self.language_pair
        return re.compile(rf"\s?(?:(?:[a-z][a-z-]*|{pair})\s){{0,2}}(?:[a-z][a-z-]*|{pair})"
                          rf"(?:\s*/\s*|\s+(?:per|an?|each|every)\s+)"
                          rf"(?P<period>(?:{periods}))(?![a-z0-9])")

    @cached_property
    def noun_rate_through(self) -> re.Pattern:
        """Things per period with their sources counted between: "1M reviews from 3 stores per
        day" is 1M a day. The sources are nouns of the lexicon's ``rate_source_nouns`` (stores,
        cameras, sites: never the requests or users a rate counts), a word or two before them."""
        periods = _alternation(w for w in self._period_index if str(w).isascii() and self._period_index[w] in
                               ("second", "minute", "hour", "day", "month"))
        return re.compile(rf"\s?(?:[a-z][a-z-]*\s){{0,2}}[a-z][a-z-]*\s+(?:{_alternation(self.lexicon['rate_sources'])})"
                          rf"\s+\d[\d,]*(?:\.\d+)?\s?[km]?(?:\s+[a-z][a-z-]*){{0,2}}?"
                          rf"\s+(?:{_alternation(self.lexicon['rate_source_nouns'])})"
                          rf"(?:\s*/\s*|\s+(?:per|an?|each|every)\s+)(?P<period>(?:{periods}))(?![a-z0-9])")

    @cached_property
    def cn_rate_word(self) -> re.Pattern:
        """A Chinese rate word right before a bare number makes it a rate: 帧率30, 吞吐量200."""
        return re.compile(rf"(?:{_alternation(self.lexicon['throughput_cn_words'])})\s*(?:为|是|达到|不低于|至少)?\s*$")

    @cached_property
    def unit_before(self) -> re.Pattern:
        """A rate unit written before its number: "QPS 2000", "QPS: 2000", "TPS达到500"."""
        return re.compile(rf"(?<![a-z])(?:{_alternation(self.lexicon['rate_units_before'])})\s*"
                          r"(?:峰值|高峰|peak|at\s+peak)?\s*"  # "QPS 峰值 20", "QPS peak 20": the load to serve
                          r"(?:[:=：]|of|达到|为|是|不低于|至少)?\s*(?:大概|大约|约|around|about|approx\.?|~)?\s*$")

    @cached_property
    def cn_item(self) -> re.Pattern:
        return re.compile(rf"\s?(?:{_alternation([i for i in self.lexicon['throughput_items'] if not str(i).isascii()])})")

    @cached_property
    def cn_period_prefix(self) -> re.Pattern:
        cn = [w for w in self._period_index if not w.isascii()]
        return re.compile(rf"每\s*(?P<period>{_alternation(cn)})")

    @cached_property
    def currency_suffix(self) -> re.Pattern:
        return re.compile(rf"\s?(?:{_alternation(self.lexicon['currency']['suffix'])})(?![a-z])")

    @cached_property
    def currency_prefix(self) -> re.Pattern:
        return re.compile(rf"(?:{_alternation(self.lexicon['currency']['prefix'])})\s?$")

    @cached_property
    def token_rate(self) -> re.Pattern:
        """"5,000 tokens per second", "20 tok/s", "30个token每秒", "1.2 million tokens per minute"."""
        tokens = _alternation(self.lexicon["token_words"])
        per = _alternation(self.lexicon["per_words"])
        cn = _alternation([w for w in self._period_index if not w.isascii()])
        return re.compile(rf"\s?-?\s?(?:output\s|generated\s|个)?\s?(?:{tokens})(?![a-z])\s*"
                          rf"(?:(?:{per})\s*(?P<period>{_bounded(self._period_index)})|每\s*(?P<cn_period>{cn}))")

    @cached_property
    def token_count(self) -> re.Pattern:
        """"2k-token", "300 tokens", "4000个token": a count of tokens with no period."""
        tokens = _alternation(self.lexicon["token_words"])
        return re.compile(rf"\s?-?\s?(?:output\s|input\s|个)?\s?(?:{tokens})(?![a-z])")

    @cached_property
    def scaled_token_count(self) -> re.Pattern:
        """"20B tokens", "2T-token": a scale letter that only a token word after it makes a scale."""
        tokens = _alternation(self.lexicon["token_words"])
        return re.compile(rf"(?P<scale>{_alternation(self.lexicon['token_count_scales'])})\s?-?\s?(?:{tokens})(?![a-z])")

    @cached_property
    def token_price(self) -> re.Pattern:
        """What a price is per: "per million tokens", "/1M output tokens", "per 1k tokens", "per token"."""
        scales = _alternation(self.lexicon["token_price_scales"])
        words = _alternation(self.lexicon["token_price_words"])
        return re.compile(rf"\s*(?:per|/|for|every|each|a)\s*(?P<count>\d[\d,]*(?:\.\d+)?)?\s*"
                          rf"(?P<scale>{scales})?\s*(?P<word>{words})(?![a-z])")

    @cached_property
    def cn_token_price(self) -> re.Pattern:
        """每百万token, 每1000个token: a Chinese price names its token count before the amount."""
        scales = _alternation(k for k in self.lexicon["token_price_scales"] if not k.isascii())
        return re.compile(rf"每\s*(?P<count>\d[\d,]*(?:\.\d+)?)?\s*(?P<scale>{scales}|[km])?\s*个?\s*"
                          rf"(?:{_alternation(self.lexicon['token_words'])})")

    def token_price_factor(self, count: str | None, scale: str | None, word: str) -> float:
        """Tokens one price is for: 1,000,000 for "per million tokens", 1 for "per token"."""
        tokens = float(count.replace(",", "")) if count else 1.0
        scales = {str(k): float(v) for k, v in self.lexicon["token_price_scales"].items()}
        if scale:
            tokens *= scales[scale]
        elif word.startswith("mtok"):
            tokens *= 1e6
        elif word.startswith("ktok"):
            tokens *= 1e3
        return tokens

    @cached_property
    def metric_unit(self) -> re.Pattern:
        return re.compile(rf"\s?(?P<unit>{_bounded(self._unit_index)})")

    def metric_unit_of(self, spelling: str) -> tuple[str, str]:
        return self._unit_index[spelling]


#: 块 after an amount, no card or device after it; a yuan amount only after a budget word (MONEY_LEAD).
KUAI = re.compile(r"\s?块(?!\s*(?:钱|卡|显卡|gpu|npu|[a-z0-9]))")
MONEY_LEAD = re.compile(r"预算|成本|费用|花费|开销|价格|租金|经费")
#: A volume per period said before it by an average or a volume word: 日均处理3亿张, 日调用量500万次,
#: A period of one right before a count ("一天一百万张", "1小时5000张"): a rate, as 每天 says it ("一天内", within a day,
#: is a job's time, and stands apart).
ONE_PERIOD_BEFORE = re.compile(r"(?<![\d.])1\s*(?:个)?\s*(?P<unit>天|日|小时|周|月)\s*(?:要|需要|能|得|出|处理|生成|跑|做|画)?\s*$")
#: 每日调用, 月均请求.
CN_VOLUME_PERIOD = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[每]))(?P<unit>日|月)(?:均|调用量|请求量|处理量|访问量|"
                              r"调用|请求|处理|访问)")
#: A budget's period in Chinese before its amount: 预算一年, 一个月预算, 年度预算, 月度成本.
CN_BUDGET_PERIOD = re.compile(r"(?:(?<![\d.一二三四五六七八九十])(?:一|1)个?(?P<unit>年|月|天)|(?P<unit2>年|月)度?(?=预算|成本|费用|开销))"
                              r"(?=[^，,。；;]{0,6}(?:预算|成本|费用|花费|开销))|(?:预算|成本|费用|花费|开销)[^，,。；;\d]{0,2}"
                              r"(?:一|1)个?(?P<unit3>年|月|天)(?![\d])")


class QuantityScanner:
    """Reads every quantity in a workspace's masked text, left to right."""

    def __init__(self, grammar: Grammar, space: Workspace):
        self.g = grammar
        self.space = space
        self.text = space.masked

    def scan(self) -> list[Quantity]:
        found: list[Quantity] = []
        position = 0
        while (match := NUMBER.search(self.text, position)) is not None:
            quantity = self._read(match)
            found.append(quantity)
            position = max(quantity.end, match.end())
        return found

    def _read(self, match: re.Match) -> Quantity:
        value, end = self._number(match)
        first = self._unit(match.start(), end, value)
        joined = self._range_after(match.start(), first)
        return joined or first

    def _number(self, match: re.Match) -> tuple[float, int]:
        literal = ("-" if match.group("sign") else "") + match.group("num")
        exponent = match.groupdict().get("exp") or match.groupdict().get("pow")
        scale = None if exponent else self.g.scale.match(self.text, match.end())
        if scale:
            word = scale.group("spaced") or scale.group("attached") or scale.group("cn")
            return to_float(literal, word, self.g.scales), scale.end()
        value = to_float(literal, None, self.g.scales)
        if exponent:
            value = power_of_ten(value, int(exponent)) if match.group("exp") else power(value, int(exponent))
        return value, match.end()

    def _unit(self, start: int, end: int, value: float) -> Quantity:
        """The unit right after a number decides the metric; a number with none is ``bare``."""
        text, g = self.text, self.g
        if yuan := self._yuan(start, end, value):
            return yuan
        if other := self._other_currency(start, end):
            return other
        if prefix := g.currency_prefix.search(text, max(0, start - 8), start):
            if text[prefix.start() - 1:prefix.start()] == "-" and value > 0 and \
                    not re.search(r"\d\s*(?:k|m|b|bn|thousand|million|万|千)?\s*$", text[:prefix.start() - 1]):
                # "-$1", not "$2-$4" or "$8k-$12k" (a range)
                return self._cost(prefix.start() - 1, end, -value)
            return self._cost(start, end, value)
        if money := self._money_without_currency(start, end, value):
            return money
        if m := g.percent.match(text, end):
            return Quantity(start, m.end(), "percent", value)
        if m := g.rate_unit.match(text, end):
            return Quantity(start, m.end(), "throughput", value)
        if m := g.token_rate.match(text, end):
            period = g.period_of(m.group("period") or m.group("cn_period"))
            return Quantity(start, m.end(), "token_throughput", value * g.factors[f"rate:{period}"], unit="tokens")
        if m := g.scaled_token_count.match(text, end):
            scale = float(g.lexicon["token_count_scales"][m.group("scale")])
            return Quantity(start, m.end(), "tokens", value * scale, unit="tokens")
        if (m := CHINESE_CHARACTERS.match(text, end)) and (period := self._cn_period(start)) is not None:
            # 每秒至少15个字: characters a second, read as tokens (it was 15 requests a second)
            return Quantity(start, m.end(), "token_throughput", value * g.factors[f"rate:{period}"], unit="tokens",
                            note="Chinese characters a second read as tokens a second (a character is about a token)")
        if (m := CHINESE_CHARACTERS.match(text, end)) and SHAPE_BEFORE_CN.search(text, max(0, start - 8), start):
            # "输入约3000字", "回复200字左右": a request's length in characters, read as tokens
            return Quantity(start, m.end(), "tokens", value, unit="tokens",
                            note="Chinese characters read as tokens (a character is about a token)")
        if m := g.token_count.match(text, end):
            period = self._cn_period(start)
            if period is not None:  # 每秒生成5000个token
                return Quantity(start, m.end(), "token_throughput", value * g.factors[f"rate:{period}"],
                                unit="tokens")
            return Quantity(start, m.end(), "tokens", value, unit="tokens")
        if (m := g.item_rate.match(text, end)) and (m.group("bare_period") or m.group("bare_period_word")) \
                and g.period_of(m.group("bare_period") or m.group("bare_period_word")) in ("month", "year") \
                and KEEP_UNDER.search(text, max(0, start - 32), start):
            # "keep it under 2k a month": a spend, not a load of 2,000 requests a month (no item is counted)
            cost = self._cost(start, end, value)
            note = "no currency was given, so US dollars are assumed"
            return replace(cost, note=f"{cost.note}; {note}" if cost.note else note)
        if (m := g.item_rate.match(text, end)) and m.group("every_n"):  # "1 frame every 5 seconds": 0.2 a second
            period, every = g.period_of(m.group("every_period")), float(m.group("every_n"))
            return Quantity(start, m.end(), "throughput", value * g.factors[f"rate:{period}"] / max(every, 1e-9),
                            note=_per(period))
        if m := g.item_rate.match(text, end):
            period = g.adverb_period[m.group("adverb")] if m.group("adverb") else \
                g.period_of(m.group("period") or m.group("bare_period") or m.group("bare_period_word")
                            or m.group("cn_item_period"))
            return Quantity(start, m.end(), "throughput", value * g.factors[f"rate:{period}"], note=_per(period))
        if m := g.currency_suffix.match(text, end):
            return self._cost(start, m.end(), value)
        if (m := g.metric_unit.match(text, end)) is None and (rate := g.noun_rate.match(text, end)):
            period = g.period_of(rate.group('period'))  # "40k support tickets per day": its period said (a day's volume)
            return Quantity(start, rate.end(), "throughput", value * g.factors[f"rate:{period}"], note=_per(period))
        if m is None and (rate := g.noun_rate_through.match(text, end)):
            period = g.period_of(rate.group('period'))
            return Quantity(start, rate.end(), "throughput", value * g.factors[f"rate:{period}"], note=_per(period))
        if m is not None or (m := g.metric_unit.match(text, end)):
            metric, unit = g.metric_unit_of(m.group("unit"))
            if unit == "minute" and self._accuracy_before(start) and m.group("unit").strip() == "min":
                return Quantity(start, end, "bare", value)  # "acc 0.9 min": a floor on accuracy, not minutes
            return Quantity(start, m.end(), metric, value * g.factors[f"{metric}:{unit}"],
                            needs_cue=metric in ("memory", "job_time"), unit=unit)
        if m := g.cn_item.match(text, end):
            if suffix := g.cn_period_prefix.match(text, m.end()):  # 30帧每秒
                return Quantity(start, suffix.end(), "throughput", value * g.factors[f"rate:{g.period_of(suffix.group('period'))}"])
            if period := self._cn_period(start):  # 每秒…30帧
                return Quantity(start, m.end(), "throughput", value * g.factors[f"rate:{period}"], note=_per(period))
            if self._frame_rate(start, m, value):  # 跑60帧, 每路10帧
                return Quantity(start, m.end(), "throughput", value)
        if g.cn_rate_word.search(text, max(0, start - 6), start) or g.unit_before.search(text, max(0, start - 10), start):
            return Quantity(start, end, "throughput", value)  # 帧率30, QPS 2000
        return Quantity(start, end, "bare", value)

    def _money_without_currency(self, start: int, end: int, value: float) -> Quantity | None:
        """An amount a period with a cost word before it and no currency ("keep costs below 3k a
        month", "成本每月不超过3000") is money: US dollars, as the assumptions say."""
        if self.g.currency_suffix.match(self.text, end) or not self._cost_word_before(start) \
                or not (self.g.per_period.match(self.text, end) or self._cn_period(start)
                        or (BUDGET_RIGHT_BEFORE.search(self.text, max(0, start - COST_WORD_REACH), start)
                            and (not NOT_MONEY_AFTER.match(self.text, end) or CN_PERIOD_AFTER.match(self.text, end)))):
            return None
        if CJK.search(self.text):  # "每月预算1.5万": a request written in Chinese counts its money in yuan
            rate = self.g.lexicon["exchange_rates"]["cny"]
            usd = value / rate["per_usd"]
            cost = self._cost(start, end, usd)
            note = (f"no currency was given, and a request written in Chinese is read in yuan: {value:,.6g} yuan read "
                    f"as ${usd:,.2f} at {rate['per_usd']} yuan to the dollar (the Federal Reserve's rate, {rate['as_of']}, "
                    f"{rate['source']}), say 美元 to plan in dollars")
            return replace(cost, note=f"{note}; {cost.note}" if cost.note else note)
        cost = self._cost(start, end, value)
        note = "no currency was given, so US dollars are assumed"
        return replace(cost, note=f"{cost.note}; {note}" if cost.note else note)

    def _cost_word_before(self, start: int) -> bool:
        """A cost word a few words before an amount in its clause ("costs below", "a budget of")."""
        clause_start, _ = self.space.clause_bounds(start)
        return bool(self.g.lexicon.words("cost_cues").scan(self.text[max(clause_start, start - COST_WORD_REACH):start]))

    def _cost(self, start: int, end: int, value: float) -> Quantity:
        g = self.g
        if m := g.token_price.match(self.text, end):
            per = g.token_price_factor(m.group("count"), m.group("scale"), m.group("word"))
            return Quantity(start, m.end(), "token_cost", value * 1e6 / per, unit="USD/Mtok")
        if (per := self._token_price_before(start)) is not None:
            return Quantity(start, end, "token_cost", value * 1e6 / per, unit="USD/Mtok")
        if (item := self._per_item(start, end)) is not None:
            return Quantity(start, item, "cost_per_item", value / self._items_counted(start, end))
        if m := g.per_period.match(self.text, end):
            period, end = g.period_of(m.group("period")), m.end()
        elif m := g.period_adverb_after.match(self.text, end):
            period, end = g.adverb_period[m.group("adverb")], m.end()
        elif CJK.search(self.text) and (m := CN_PERIOD_AFTER.match(self.text, end)):
            period, end = CN_PERIODS[m.group("period")], m.end()
        else:
            period = self._cn_period(start) or self._adverb_period_before(start)
        note, needs_cue = None, False
        if period is None:
            period, needs_cue = self.g.lexicon["default_cost_period"], True
            note = "a cost with no period is read as per hour"
        elif period in ("day", "week", "month", "year"):
            hours = round(1 / g.factors[f"cost:{period}"])
            note = f"a {period}ly budget is divided by {hours} hours" if period != "day" else "a daily budget is divided by 24 hours"
        return Quantity(start, end, "cost", value * g.factors[f"cost:{period}"], note=note, needs_cue=needs_cue)

    def _accuracy_before(self, start: int) -> bool:
        """An accuracy word right before an amount, in its clause ("acc 0.9", "accuracy: 92%")."""
        clause_start, _ = self.space.clause_bounds(start)
        before = self.text[max(clause_start, start - 16):start]
        found = self.g.lexicon.words("accuracy_words").scan(before)
        return bool(found) and not before[found[-1].end:].strip(" :=")

    def _other_currency(self, start: int, end: int) -> Quantity | None:
        """An amount in a currency other than US dollars ("€500/month", "5万元人民币", "10块钱"): a
        quantity of its own, which no rule reads as a bound, so the request is warned about it."""
        g = self.g
        suffix = g.other_currency_suffix.match(self.text, end)
        prefix = None if suffix else g.other_currency_prefix.search(self.text, max(0, start - 6), start)
        if not suffix and not prefix:
            return None
        start, end = (prefix.start() if prefix else start), (suffix.end() if suffix else end)
        if m := g.per_period.match(self.text, end):
            end = m.end()
        return Quantity(start, end, "other_currency", 0.0)

    def _yuan(self, start: int, end: int, value: float) -> Quantity | None:
        """An amount in Chinese yuan ("预算2000元", "每月5万元", "¥3000" in a request written in
        Chinese): converted to US dollars at the lexicon's published rate, then read as a dollar
        amount, its note saying the rate and its source."""
        rate = self.g.lexicon["exchange_rates"]["cny"]
        suffix = re.compile(rf"\s?(?:{_alternation(rate['suffix'])})(?![a-z])").match(self.text, end)
        prefix = None if suffix else re.compile(rf"(?<![a-z])(?:{_alternation(rate['prefix'])})\s?$").search(
            self.text, max(0, start - 6), start)
        if not suffix and not prefix:
            suffix = self._kuai(start, end)
        if not suffix and not prefix:
            return None
        if prefix and prefix.group(0).strip() == "¥" and not CJK.search(self.text):
            return None  # ¥ in an English request may be yen
        usd = value / rate["per_usd"]
        cost = self._cost(start, suffix.end() if suffix else end, usd)
        converted = (f"{value:,.6g} yuan read as ${usd:,.2f} at {rate['per_usd']} yuan to the dollar (the Federal "
                     f"Reserve's rate, {rate['as_of']}; {rate['source']}); give dollars to plan at another rate")
        return replace(cost, start=prefix.start() if prefix else start,
                       note=converted if cost.note is None else f"{converted}; {cost.note}")

    def _kuai(self, start: int, end: int) -> re.Match | None:
        """块 after an amount a budget word leads ("预算1万块以内"): yuan, as 块钱 is; elsewhere 块
        counts cards ("4块GPU")."""
        kuai = KUAI.match(self.text, end)
        if kuai is None or not MONEY_LEAD.search(self.text, self.space.clause_bounds(start)[0], start):
            return None
        return kuai

    def _items_counted(self, start: int, end: int) -> float:
        """How many items a cost from ``start`` to ``end`` is for ("$0.50 per 1,000 tickets", "cost per 1k
        requests under $0.01", "每千次请求不超过0.5元": 1,000)."""
        m = self.g.cost_per_item_after.match(self.text, end)
        if m is None or not m.group("count"):
            before = self.g.cost_per_item_before.search(self.text[self.space.clause_bounds(start)[0]:start])
            if before is not None and before.group("zh_scale"):
                return {"千": 1e3, "万": 1e4, "百万": 1e6}[before.group("zh_scale")]
            m = before
        if m is None or not m.group("count"):
            return 1.0
        scale = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(m.group("scale") or "", 1.0)
        return max(1e-9, float(m.group("count").replace(",", "")) * scale)

    def _per_item(self, start: int, end: int) -> int | None:
        """The end of a cost per item ("$0.002 per request", "each request costs at most $0.002",
        "每张图片成本不超过0.001美元"), or None for any other cost."""
        if m := self.g.cost_per_item_after.match(self.text, end):
            return m.end()
        clause_start, _ = self.space.clause_bounds(start)
        before = self.text[clause_start:start]
        return end if self.g.cost_per_item_before.search(before) else None

    def _adverb_period_before(self, start: int) -> str | None:
        """A period adverb before the budget word of an amount: "monthly budget of $1k", "annual spend under $9k"."""
        clause_start, _ = self.space.clause_bounds(start)
        m = self.g.period_adverb_before.search(self.text, max(clause_start, start - 40), start)
        return self.g.adverb_period[m.group("adverb")] if m else None

    def _token_price_before(self, start: int) -> float | None:
        """The tokens a price is for when the words name them before the amount: 每百万token成本…1美元,
        "the price per 1M tokens no more than $0.15"."""
        clause_start, _ = self.space.clause_bounds(start)
        found = None
        for pattern in (self.g.cn_token_price, self.g.token_price):
            for m in pattern.finditer(self.text, clause_start, start):
                if found is None or m.start() > found.start():
                    found = m
        if found is None:
            return None
        word = found.groupdict().get("word") or "token"
        return self.g.token_price_factor(found.group("count"), found.group("scale"), word)

    def _frame_rate(self, start: int, item: re.Match, value: float) -> bool:
        """Frames with no period are a frame rate when the count is a camera's (跑60帧, 每路10帧);
        "每5帧", "每隔5帧" (every fifth frame), "第5帧" (the fifth frame) and larger counts (处理10万帧, a
        job's frames) are not."""
        frames = self.g.lexicon["cn_frame_rate"]
        before = self.text[max(0, start - 4):start].rstrip()
        return (item.group(0).strip() == frames["unit"] and value <= frames["at_most"]
                and not before.endswith(tuple(frames["not_after"])))

    def _cn_period(self, start: int) -> str | None:
        """A Chinese rate names its period before the number: 每秒…30帧, 每月预算…美元; a budget may
        say it with 一年/一个月 (预算一年不超过10万美元) or 年度/月度 (年度预算)."""
        clause_start, _ = self.space.clause_bounds(start)
        found = None
        for m in self.g.cn_period_prefix.finditer(self.text, clause_start, start):
            found = m
        if found:
            return self.g.period_of(found.group("period"))
        volume = None
        for m in CN_VOLUME_PERIOD.finditer(self.text, clause_start, start):
            volume = m
        if volume is not None:
            return {"月": "month", "日": "day"}[volume.group("unit")]
        if (one := ONE_PERIOD_BEFORE.search(self.text[clause_start:start])) is not None:  # 一天一百万张
            self.space.mark_read(clause_start + one.start(), clause_start + one.end())  # the rate's period, no duration
            return {"天": "day", "日": "day", "小时": "hour", "周": "week", "月": "month"}[one.group("unit")]
        if (budget := CN_BUDGET_PERIOD.search(self.text, clause_start, start)) is not None:
            self.space.mark_read(budget.start(), budget.end())  # "一个月成本…": the budget's period, no duration
            unit = budget.group("unit") or budget.group("unit2") or budget.group("unit3")
            return {"年": "year", "月": "month", "天": "day"}[unit]
        return None

    def _range_after(self, start: int, first: Quantity) -> Quantity | None:
        """"5-10 ms", "between 5 and 10 ms", "20到40毫秒之间": one quantity with low and high."""
        joiner = re.compile(r"\s*(?:-|–|~|到|至|to|and)\s*").match(self.text, first.end)
        if not joiner or first.kind == "percent":
            return None
        word = joiner.group(0).strip()
        after = joiner.end()
        if first.kind == "cost" and (dollar := re.compile(r"(?:\$|usd|us\$)\s?").match(self.text, after)):
            after = dollar.end()  # "between $2 and $4 per hour": the upper end's own currency sign
        second_match = NUMBER.match(self.text, after) or _signed_number(self.text, after)
        if second_match is None:
            return None
        high_value, end = self._number(second_match)
        scale = self._scale_of(second_match, high_value)
        # "2 to 3 thousand" is a range with no opener: a scale word after two bare numbers joins them
        if word in ("to", "and") and not RANGE_OPENER.search(self.text, 0, start) and not (
                word == "to" and first.kind == "bare" and scale > 1):
            return None
        second = self._unit(second_match.start(), end, high_value)
        if second.kind == "bare" or (first.kind != "bare" and first.kind != second.kind):
            return None
        # a bare lower end, or a cost with no period of its own ("$8k-$12k per month"), takes the upper end's unit
        unitless = first.kind == "bare" or (first.kind == "cost" and first.note and "no period" in first.note)
        low = first.value * (second.value / high_value if high_value else 1) if unitless else first.value
        if first.kind == "bare" and scale > 1 and self._unscaled(start, first.value) and first.value <= high_value / scale:
            low *= scale  # "2-3 thousand", "2-3k", "2到3千": the upper end's scale is the lower end's too
        end = second.end
        if closer := re.compile(r"\s*(?:之间|范围内)").match(self.text, end):
            end = closer.end()
        return Quantity(start, end, second.kind, second.value, low=low, note=second.note, needs_cue=second.needs_cue)


    def _scale_of(self, match: re.Match, value: float) -> float:
        """The scale word's factor after a number ("3 thousand": 1000; none: 1)."""
        literal = to_float(("-" if match.group("sign") else "") + match.group("num"), None, self.g.scales)
        return value / literal if literal and not (match.groupdict().get("exp") or match.groupdict().get("pow")) else 1.0

    def _unscaled(self, start: int, value: float) -> bool:
        """Whether the number at ``start`` was written with no scale word of its own."""
        match = NUMBER.match(self.text, start)
        return match is not None and self._scale_of(match, value) == 1.0


#: A rate's note when it was written per day: with a job time stated, the day's volume is the job.
PER_DAY = "per day"


def _per(period: str) -> str | None:
    return PER_DAY if period == "day" else None


def power_of_ten(mantissa: float, exponent: int) -> float:
    """``mantissa`` x 10^``exponent``, infinite when it overflows (the caller refuses it)."""
    try:
        return float(f"{mantissa!r}e{exponent}")
    except (OverflowError, ValueError):
        return float("inf")


def power(base: float, exponent: int) -> float:
    """"10^26": ``base`` to the power ``exponent``, infinite when it overflows."""
    try:
        return float(base) ** exponent
    except (OverflowError, ZeroDivisionError):
        return float("inf")


def _signed_number(text: str, position: int) -> re.Match | None:
    return re.compile(r"(?P<sign>)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)").match(text, position)


def scan_quantities(lexicon: Lexicon, space: Workspace) -> list[Quantity]:
    return QuantityScanner(_grammar(lexicon), space).scan()


@lru_cache(maxsize=2)
def _grammar(lexicon: Lexicon) -> Grammar:
    return Grammar(lexicon)
