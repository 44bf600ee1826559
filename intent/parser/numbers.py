"""Numbers as people write them: "1,000", "5k", "2.5万", "ten", "two hundred", "十", "两百", "百分之九十五".

``spell_out_numbers`` rewrites number words into digits before anything else reads the text,
so the quantity rules see only digits; ``to_float`` reads one digit literal with its scale.
"""

from __future__ import annotations

import re
from functools import lru_cache

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千万亿点]+"


#: A period after the numeral "一" ("一个月", "一天"): the one of a period, not a digit of the number before.
PERIOD_AFTER_ONE = re.compile(r"(?:个月|个小时|个星期|天|年|周|月|小时|星期)")
#: The unit a spoken trailing digit counts in after each unit ("一万五": 5 of 千).
NEXT_UNIT_DOWN = {"万": 1000, "千": 100, "百": 10}


def chinese_to_number(text: str) -> float | None:
    """Read a Chinese numeral such as 十, 两百, 一千五百, 三点五; None if it is not one."""
    if "点" in text:
        whole, _, frac = text.partition("点")
        base = chinese_to_number(whole) if whole else 0
        if base is None or not frac or any(c not in CN_DIGITS for c in frac):
            return None
        return base + float("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    if all(char in CN_LARGE_UNITS for char in text):  # 万 or 亿 alone is a scale, not a number
        return None
    # "一万五", "两千五", "三百五": a digit right after the last unit counts in the next unit down
    # (15,000, 2,500, 350), as spoken
    if (short := re.fullmatch(r"(.*[万千百])([一二两三四五六七八九])", text)) and short.group(1)[-1] in NEXT_UNIT_DOWN:
        head = chinese_to_number(short.group(1))
        return None if head is None else head + CN_DIGITS[short.group(2)] * NEXT_UNIT_DOWN[short.group(1)[-1]]
    total, section, digit = 0, 0, None
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * CN_SMALL_UNITS[char]
            digit = None
        elif char == "亿":  # everything before it counts in 亿: 一万亿 is 10^12, 五十亿 5 x 10^9
            total = (total + section + (digit or 0)) * CN_LARGE_UNITS[char]
            section, digit = 0, None
        elif char in CN_LARGE_UNITS:
            total += (section + (digit or 0)) * CN_LARGE_UNITS[char]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _english_pattern(words: dict[str, float], scales: dict[str, float]) -> re.Pattern:
    """Number words, starting with a base word ("two hundred", not a lone "million")."""
    base = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    big = "|".join(map(re.escape, sorted((s for s in scales if s.isalpha() and len(s) > 2), key=len, reverse=True)))
    return re.compile(rf"(?<![a-z0-9.])(?:{base})(?:[\s-]+(?:and\s+)?(?:{base}|{big}))*(?![a-z0-9])")


def english_words_to_number(phrase: str, words: dict[str, float], scales: dict[str, float]) -> float | None:
    """"two hundred fifty" -> 250; "half a" -> 0.5; "half a million" -> 500,000; None when the words
    are not all number words."""
    if phrase.strip() in words:  # a multi-word entry such as "half a"
        return float(words[phrase.strip()])
    total, current = 0.0, 0.0
    tokens = re.split(r"[\s-]+", phrase.strip())
    for k, token in enumerate(tokens):
        if token == "and" or (k and f"{tokens[k - 1]} {token}" in words):
            continue  # the second word of a two-word entry, read with the first
        if k + 1 < len(tokens) and f"{token} {tokens[k + 1]}" in words:  # "half a million": 0.5 x 1,000,000
            current += words[f"{token} {tokens[k + 1]}"]
            continue
        if token in words:
            current += words[token]
        elif token in scales and token.isalpha():
            current = (current or 1) * scales[token]
            if scales[token] >= 1000:
                total, current = total + current, 0.0
        else:
            return None
    return total + current


@lru_cache(maxsize=4)
def _compiled(words_key: tuple, scales_key: tuple) -> re.Pattern:
    return _english_pattern(dict(words_key), dict(scales_key))


def spell_out_numbers(text: str, words: dict[str, float], scales: dict[str, float], unit_lead: re.Pattern,
                      number_lead: re.Pattern | None = None) -> str:
    """Rewrite number words into digits. Chinese numerals are rewritten only before a unit or
    counter (``unit_lead``), after a comparator or metric word (``number_lead``: 并发两百) or
    after 百分之, so words such as 一起 stay as they are."""
    pattern = _compiled(tuple(sorted(words.items())), tuple(sorted(scales.items())))

    def english(match: re.Match) -> str:
        value = english_words_to_number(match.group(0), words, scales)
        return match.group(0) if value is None else format_number(value)

    text = pattern.sub(english, text)
    text = re.sub(rf"百分之({CN_NUMERAL}|\d+(?:\.\d+)?)", _percent, text)
    # "8千条", "1.5千": digits before 千 are thousands (千瓦, 千元 and 8千万 come out right too)
    # ("2到3千" is a range whose scale both ends share: left to the range reader)
    def thousands(m: re.Match) -> str:
        if re.search(r"\d\s*(?:到|至|-|~|–)\s*$", text[:m.start()]):
            return m.group(0)
        return format_number(round(float(m.group(1)) * 1000, 6))

    text = re.sub(r"(?<![\d.])(?<!\d,)(\d+(?:\.\d+)?)千(?!兆)", thousands, text)

    def chinese(match: re.Match) -> str:
        said = match.group(0)
        if len(said) > 1 and said.endswith("一") and PERIOD_AFTER_ONE.match(text, match.end()):
            # "预算一万五一个月": the number, then "一个月" (it had read 10001 months)
            head = chinese_to_number(said[:-1])
            if head is not None and (unit_lead.match(text, match.end() - 1) or any(ch in "万千百亿十" for ch in said[:-1])):
                return format_number(head) + "一"
        led = number_lead is not None and number_lead.search(text, max(0, match.start() - 8), match.start())
        if text.startswith("次性", match.end()) and match.group(0) == "一":
            return match.group(0)  # "一次性": one-off, a word, not one of something
        if (not unit_lead.match(text, match.end()) and not led) or text[max(0, match.start() - 1):match.start()] == "每":
            return match.group(0)  # "每百万token": a unit, per million tokens
        value = chinese_to_number(match.group(0))
        if value is None:
            return match.group(0)
        after_letter = match.start() > 0 and text[match.start() - 1].isascii() and text[match.start() - 1].isalpha()
        return (" " if after_letter else "") + format_number(value)  # "QPS两千" -> "qps 2000", not "qps2000"

    # "P99 十毫秒", "H100八卡": a numeral after a name that ends in a digit is a number of its own
    text = re.sub(r"(?<=[a-z]\d)(?=[零〇一二两三四五六七八九十])|(?<=[a-z]\d\d)(?=[零〇一二两三四五六七八九十])"
                  r"|(?<=[a-z]\d\d\d)(?=[零〇一二两三四五六七八九十])", " ", text)
    return re.sub(rf"(?<![\d.零〇一二两三四五六七八九十百千万亿点]){CN_NUMERAL}", chinese, text)


def _percent(match: re.Match) -> str:
    body = match.group(1)
    value = float(body) if body[0].isdigit() else chinese_to_number(body)
    return match.group(0) if value is None else format_number(value) + "%"


def to_float(literal: str, scale: str | None, scales: dict[str, float]) -> float:
    """Read "1,000", "2.5" with an optional scale word ("k", "million", "万")."""
    value = float(literal.replace(",", ""))
    if scale:
        value *= scales[scale.strip()]
    return value
