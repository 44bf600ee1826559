"""The request text as the rules see it: normalised, typo-corrected, numbers in digits, and a
masked copy in which spans already read (device names, precisions, "ε=1") are blanked out so
later rules cannot read their digits as quantities. Both copies share character offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cached_property, lru_cache

from intent.folding import canonical
from intent.parser.lexicon import Lexicon
from intent.parser.numbers import format_number, spell_out_numbers

MASK = "#"
#: Where a clause ends. A comma between a digit and three more digits is a thousands separator ("1,500").
CLAUSE_BREAK = re.compile(r"[;!?。；！？()（）\[\]]|(?<!\d),|,(?!\d{3}(?!\d))|，|、(?=\D)|\.(?!\d)|\bbut\b|但是|同时")
#: "sub-10ms", "sub-50 ms", "sub 2-second": a bound in one word, read as "under 10 ms".
SUB_AMOUNT = re.compile(r"(?<![\w-])sub[\s-]?(\d+(?:\.\d+)?)\s?-?(ms|milliseconds?|s|secs?|seconds?|us|µs|"
                        r"microseconds?)(?![\w-])")
#: A negative contraction ("don't", "can't", "won't"), written out so its "not" reads as a negation
#: ("don't use AMD" included AMD).
CONTRACTION = re.compile(r"(?<![\w'])([a-z]+?)n't(?![\w'])")
CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}
#: The same written without its apostrophe ("doesnt matter", "dont use AMD", "isnt needed").
BARE_CONTRACTION = re.compile(r"(?<![\w'])(do|does|did|is|are|was|were|ca|wo|should|would|could|must|has|have|need)nt(?![\w'])")
#: A list item's marker at the start of a line ("1.", "2)", "-", "*", "•").
LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:\d{1,2}[.)]|[-*•])[ \t]+")
#: A line that starts "key: value" ("ttft: < 500ms", "exclude: A100", "部署方式：本地") is an item of its
#: own: the line break before it ends the clause, where a sentence wrapped over two lines goes on.
KEY_LINE = re.compile(r"[ \t]*\n(?=[ \t]*[^\W\d][\w \t-]{0,30}[:：=])")
#: An NVIDIA DGX system named as the machine ("we have a DGX H100", "我们有一台DGX A100"): the eight GPUs
#: every DGX of those generations holds (NVIDIA's DGX H100 and A100 data sheets: "8x NVIDIA H100/A100
#: Tensor Core GPUs"), as a request counting them would say.
DGX = re.compile(r"(?<![a-z0-9])(?:an?\s+|one\s+|1\s*台\s*|一台\s*)?dgx[\s-]*(?P<gpu>h100|a100|h200|h800|a800)"
                 r"(?:\s*\(\s*8\s*x\s*\d+\s*gb\s*\))?", re.IGNORECASE)
#: Keys of a spec written as a rate or a length ("peak QPS: 12", "tokens/s per user: 30", "max_new_tokens: 512"):
#: the value before its unit, as a sentence says it.
RATE_KEY = re.compile(r"(?<![\w])(?:peak|max|maximum|target|expected|avg|average|required)[ _]+(qps|rps|req/s|requests/s|"
                      r"requests per second|fps)\s*[:=]\s*(\d[\d,.]*\s?k?)(?![\w.])")
SPEED_KEY = re.compile(r"(?<![\w])(tokens?/s(?:ec)?\s+per\s+user|tok/s/user|tokens?/s/user)\s*[:=]\s*(\d+(?:\.\d+)?)(?![\w.])")
OUTPUT_KEY = re.compile(r"(?<![\w])(?:max[ _]new[ _]tokens|max[ _]tokens|max[ _]output[ _]tokens|output[ _]tokens|"
                        r"max[ _]completion[ _]tokens)\s*[:=]\s*(\d+(?:,\d{3})*)(?![\w.])")
PROMPT_KEY = re.compile(r"(?<![\w])(?:input[ _]tokens|prompt[ _]tokens|max[ _]input[ _]tokens|avg[ _]prompt[ _]tokens)\s*[:=]\s*"
                        r"(\d+(?:,\d{3})*)(?![\w.])")
#: A duration written as one word before its noun: "a 2-hour window", "a 30-minute deadline": as the
#: duration itself ("within 2 hours").
HYPHEN_DURATION = re.compile(r"(?<![\w.])(?:an?\s+)?(\d+(?:\.\d+)?)-(hour|minute|day)\s+(window|deadline|budget|limit|slot)(?![a-z])")
#: A model's size in 亿 parameters ("70亿参数模型", "一个 130 亿参数的模型"): billions, as "7B" writes it.
CN_PARAMS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*亿\s*(?:个)?参数(?:量)?(?:的)?")
#: A price no device may pass, written as ruling the devices out ("no GPU above $1/hr", "no card over $2 an
#: hour"): each device's price, not the devices (they had been ruled out, and the deployment capped at $1/h).
NO_DEVICE_ABOVE = re.compile(r"(?<![\w])(?:no|not any|nothing)\s+(?:single\s+)?(?:gpus?|cards?|devices?|instances?|"
                             r"accelerators?|chips?|nodes?)\s+(?:costing\s+|priced\s+)?(?:above|over|more than|pricier than|"
                             r"dearer than)\s+(?=\$|usd|\d)")
#: A device cap as a key ("max_gpus: 8", "max devices = 4", "最多卡数: 8"): a cap as a sentence says it.
DEVICE_CAP_KEY = re.compile(r"(?<![\w])(?:max|maximum)[ _-]?(gpus|devices|cards|accelerators|chips|npus|nodes)\s*[:=]\s*(\d+)"
                            r"(?![\w.])")
#: A Chinese count as a key ("并发: 100", "并发数：100"): the count after its word, as a sentence writes it.
CN_COUNT_KEY = re.compile(r"(并发(?:数|量)?|同时在线)\s*[:：=]\s*(?=\d)")
#: A key that carries its unit ("max_latency_ms: 100", "throughput_rps = 200"): the unit goes to the value.
KEY_UNIT = re.compile(r"(?<![\w])([a-z][a-z_]*?)_(ms|s|sec|rps|qps|fps|w|gb|mb|usd|tokens)\s*([:=])\s*(\d[\d.,]*\s?k?)(?![\w.])")
#: A line "label: number" whose label names what the number counts ("cameras: 12", "fps per camera: 25",
#: "Images per second: 5", "records: 500k", "epochs: 2", "Replicas: at least 2 for HA"): the number goes
#: before the label, as written in a sentence. A label a number follows in a sentence ("batch size: 64")
#: or whose value has its own unit ("latency: 40 ms") is left as written.
COUNTED_LINE = re.compile(r"(?:(?<=^)|(?<=; ))(?P<label>[a-z][a-z /-]{0,40}?)\s*[:=：]\s*"
                          r"(?P<cmp>(?:at least|at most|up to|about|around|~|>=|<=|≥|≤|>|<)\s*)?"
                          r"(?P<n>\d[\d,]*(?:\.\d+)?\s?(?:k|m|million|thousand)?)(?=\s*(?:;|$|\s(?:for|per|each)\b|\s\())")


def _counted_line(m: re.Match, counted) -> str:
    words = m.group("label").split()
    if not words or not (counted.scan(" ".join(words[-1:])) or counted.scan(m.group("label"))):
        return m.group(0)
    return f"{m.group('cmp') or ''}{m.group('n')} {m.group('label')}"


#: A rate's unit written before its limit ("QPS >= 500", "fps > 30", "tokens/s per user >= 15") or a
#: unit in brackets after a metric ("ttft(ms) < 300"): the unit goes after the number, where it is read.
UNIT_BEFORE_LIMIT = re.compile(
    r"(?<![\w/])(qps|rps|fps|req/s|requests/s|images/s|(?:output\s+)?(?:tokens/s|tokens/sec|tok/s|tok/sec|tokens per second)"
    r"(?:\s+per\s+user|/user)?)\s*(<=|>=|<|>|≤|≥|=)\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?k?)(?![\w.])"
    r"|\((ms|s|w|gb|rps|qps|fps)\)\s*(<=|>=|<|>|≤|≥|=)\s*(\d[\d,]*(?:\.\d+)?)(?![\w.])")


#: A rate's unit written before a range ("QPS 5~8", "qps: 5 to 8", "QPS 5到8", "qps around 5-8"): the unit
#: goes after the range ("5~8 qps"), where a range is read (its second figure was dropped).
UNIT_BEFORE_RANGE = re.compile(r"(?<![\w/])(qps|rps|fps|req/s|requests/s)\s*[:：=]?\s*(?:around|about|roughly|~|约|大约|大概)?\s*"
                               r"(\d+(?:\.\d+)?(?:\s?k)?)\s*(?:~|-|–|to|到|至)\s*(\d+(?:\.\d+)?(?:\s?k)?)(?![\w.])")


def _unit_after_limit(m: re.Match) -> str:
    unit, op, number = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    return f"{'' if m.group(1) else ' '}{op} {number} {unit}"


#: A key's value that rules it out: "cloud: no", "int8: false", "amd: not allowed".
KEY_RULED_OUT = re.compile(r"(?<![\w])([a-z][\w -]{0,24}?)\s*[:=]\s*(?:no|none|false|not allowed|否|不)"
                           r"(?=\s*(?:[,;.，；。\n]|$))")
#: A rate written with a plus: "1,000+ RPS", "50k+ tokens/s" (not a part number such as "8480+").
OR_MORE = re.compile(r"(?<![\w.,])(\d[\d,.]*\s?[km]?)\+\s?(?=(?:rps|qps|fps|tps|req|requests|queries|images|tokens|tok/s|"
                     r"inferences|samples|frames|users|sessions|concurrent|simultaneous)(?![a-z]))")
#: A size with a plus after its unit ("48GB+ cards"): at least that.
SIZE_OR_MORE = re.compile(r"(?<![\w.,])(\d[\d,.]*\s?(?:gb|gib|tb|mb))\+(?![\w+])")
#: A limit of one period written with "a": "under a second", "within an hour" (not "500 images a second").
ONE_PERIOD = re.compile(r"(?<![\w-])(under|within|in|below|less than|at most|no more than|in less than|inside)"
                        r"\s+(?:a|an)\s+(second|minute|hour|day|week|millisecond)(?![\w-])")
#: "1 and a half" is 1.5.
AND_A_HALF = re.compile(r"(?<![\d.])(\d+) and a half(?![\w-])")
#: Vulgar fractions ("½ second", "1½ s"), before NFKC turns them into "1⁄2".
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}
FRACTION = re.compile(r"(\d*)\s?([½¼¾])")
#: European decimals: "1.234,56" is 1234.56; "0,8 s" and "3,5 ms" (a comma and one or two digits
#: before a unit) are 0.8 and 3.5, where "1,000" and "1,2,4" stay as they are.
EURO_GROUPED = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+),(\d{1,2})(?![\d,])")
DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d{1,2})(?=\s?(?:ms|s|sec|secs|us|w|kw|mw|gb|gib|mb|tb|%|rps|qps|fps|h|hr|"
                           r"hrs|hours?|seconds?|watts?|tokens?|秒|毫秒|瓦)(?![a-z]))")
#: Thousands grouped by spaces: "1 000 requests", "12 500 rps"; not a name's number ("H200 141GB").
SPACE_GROUPED = re.compile(r"(?<![A-Za-z\d.,_-])(\d{1,3})((?: \d{3})+)(?![\d.,])(?![a-z])")  # not "ultra 7 165h"
#: A GeForce card by its number alone: "two 4090s", "2 x 4090 cards", "2张4090", "4卡4090".
BARE_GEFORCE = re.compile(r"(?<![\w.$-])(?<!rtx )(?<!geforce )([2-5]0[5-9]0(?:\s?ti)?)(?=s\b|\s*(?:cards?|gpus?|显卡|卡)(?![a-z]))"
                          r"|(?<=\d)(\s*(?:x|×|张|块|卡|台)\s*)([2-5]0[5-9]0(?:\s?ti)?)(?![a-z0-9.])")
#: A GeForce model number alone, where no count or unit can follow it: after an article or a word of
#: placing ("the 4090", "on a 4090", "用4090"), or before a number format ("qwen 7b 4090 int4").
BARE_GEFORCE_NAMED = re.compile(r"(?:(?<![a-z])(?:the|a|an|our|my|one|single|on|with)\s+|(?<=用|在))"
                                r"([2-5]0[5-9]0(?:\s?ti)?)(?![\w.,])(?!\s*(?:x|×|rps|qps|fps|ms|req|requests|users|tokens?|"
                                r"images|w|watts?|gb|hours?|h|张|个|条|路|次))"
                                # a plural noun after it counts it ("the 4090 documents")
                                r"(?!\s+(?!(?:is|was|has|does|as|plus|ti|its|this)\b)[a-z]{2,}s\b)"
                                r"|(?<![\w.$,-])([2-5]0[5-9]0(?:\s?ti)?)(?=\s+(?:int4|int8|fp16|fp8|bf16|fp32)(?![a-z0-9]))")
#: Chinese "2w", "1.5w" for 2万, 1.5万, before what is counted or after a count's word ("每秒2w token",
#: "并发1.5w", "日活3w"): 万, not watts.
CN_WAN = re.compile(r"(?:(?<=并发)|(?<=日活)|(?<=吞吐)|(?<=每秒)|(?<=每天)|(?<=dau)|(?<=qps)|(?<=tps))\s*(\d+(?:\.\d+)?)\s*w(?![a-z])"
                    r"|(\d+(?:\.\d+)?)\s*w(?=\s*(?:tokens?|token|条|张|次|个|人|用户|请求|并发|qps|tps|路|日活|dau)(?![a-z]))")
#: A count corrected in place: "50 users, sorry, 500", "50 concurrent users (sorry, I mean 500)": the second.
COUNT_CORRECTED = re.compile(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?[km]?)(\s+[a-z][a-z ]{0,30}?)?\s*[,(]\s*"
                             r"(?:(?:sorry|oops|my bad)[,\s]*(?:i\s+mean[t]?[,\s]*)?|i\s+mean[t]?[,\s]*)"
                             r"(\d[\d,]*(?:\.\d+)?[km]?)\s*\)?(?=[\s,.;:)]|$)")
#: A range of users at once in Chinese ("并发20-40", "并发20到40"): its upper end, as an English range is read.
CN_CONCURRENCY_RANGE = re.compile(r"(并发(?:数|量|用户数?)?\s*[:：]?\s*(?:为|是|约|大约|大概|在)?\s*)(\d+)\s*[-~～〜到至]\s*(\d+)")
#: A heading or lead of what is not asked for ("## Not required", "Not required: HIPAA, watermarking", "不需要："):
#: each item under or after it is said not to be required (it had switched HIPAA and watermarking on).
NOT_REQUIRED_HEAD = re.compile(r"^\s*(?:#+\s*|[-*•]\s*)?(?:not required|not needed|not in scope|out of scope|non-goals?|"
                               r"we don't need|we do not need|不需要|无需|非必需|不要求)\s*[:：]?\s*(?P<items>.*)$",
                               re.IGNORECASE)
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*(?P<item>.+?)\s*$")
#: A bound said not to be needed: "TTFT doesn't need to be under 200 ms", "latency need not be below 1 s": no
#: bound on it (it had been read as TTFT >= 200 ms).
NEED_NOT_BE = re.compile(r"(?<![a-z])(ttft|tpot|latency|response time|p\d\d(?: latency)?|first token|time to first token)\s+"
                         r"(?:does not|doesn't|do not|don't|need not|needn't|is not required to|does not have to|"
                         r"doesn't have to)\s+(?:need\s+to\s+)?be\s+(?:under|below|less than|within|faster than)\s+"
                         r"[\d.]+\s*(?:ms|milliseconds?|s|sec|seconds?)(?![a-z])"
                         # "don't need TTFT under 200 ms": the same, the metric after the verb
                         r"|(?<![a-z])(?:do not|don't|does not|doesn't|no)\s+need\s+(?:for\s+)?(?:a\s+)?"
                         r"(ttft|tpot|latency|response time|first token)\s+(?:under|below|less than|within)\s+"
                         r"[\d.]+\s*(?:ms|milliseconds?|s|sec|seconds?)(?![a-z])")
#: Cards written as their memory times their count: "显存80G×4", "80GB x 4卡": that many cards of that memory.
MEMORY_TIMES_CARDS = re.compile(r"(?:显存\s*)?(\d+)\s*g(?:b|ib)?\s*[×x*]\s*(\d+)\s*(?:张|块|卡)?(?=[\s,，;；。]|$)")
#: A number in scientific notation with a small exponent: "2e3 concurrent users", "1.5e2 req/s" (a count read
#: from it had kept the exponent alone: 2e3 users were 3). Larger exponents are left to the bounds' own check.
SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d{1,2})(?![\w.])")
#: A markdown table's row: "| 并发 | 64 |", "| TTFT | ≤ 800 ms |": its cells as "key: value".
TABLE_ROW = re.compile(r"^\s*\|(.+)\|\s*$", re.MULTILINE)
#: An amount with its currency after it, before a period: "0.5 $/hr", "12 $/month".
CURRENCY_AFTER = re.compile(r"(?<![\w.$])(\d[\d,]*(?:\.\d+)?)\s*\$\s*(?=/|per\b)")
#: A count of items with each one's length in tokens between: "2M 8k-token documents".
COUNT_OF_LONG_ITEMS = re.compile(r"(?<![\w.])(\d[\d,.]*\s*(?:k|m|b|million|thousand)?)\s+(\d+(?:\.\d+)?k?)[\s-]tokens?\s+"
                                 r"([a-z]+s)(?![a-z])")
#: "a hundred milliseconds", "a thousand requests": the number word with "one" ("half a million"
#: is the lexicon's "half a" times a million, not half and one million).
A_SCALE = re.compile(r"(?<![\w-])(?<!half )a (hundred|thousand|million|billion)(?![\w-])")
#: "5 K rps", "2 M tokens": a scale letter written apart from its number, before a rate or count word.
SPACED_SCALE = re.compile(r"(?<=\d)\s+([km])(?=\s*(?:rps|qps|fps|tps|req|reqs|requests|queries|tokens|tok|images|users|"
                          r"concurrent|docs|documents)(?![a-z]))")
#: "10-ms latency", "25-W budget": a unit hyphenated to its number is the same amount.
HYPHENATED_UNIT = re.compile(r"(?<=\d)-(?=(?:ms|msec|s|sec|us|w|kw|mw|gb|gib|mb|fps|rps|qps|min|mins|h|hr|hrs)(?![a-z]))")
#: "a 25k-image dataset": the records counted, as "25k images" (the hyphen made one adjective of them).
HYPHENATED_RECORDS = re.compile(r"(?:(?<=\d)|(?<=\d[km]))-(image|photo|sample|example|document|record|row|sentence|clip|"
                                r"video|email|message|text|review|ticket|conversation|dialog)s?(?=\s+(?:[a-z]+\s+)?"
                                r"(?:dataset|datasets|data set|corpus|set|collection)(?![a-z]))")
#: One request every so often, as a rate: "sends a message every ~30s" is 2 requests a minute, "每30秒发一条"
#: 每分钟2次请求 (it was read as a latency of 30 s).
EVERY_PERIOD = re.compile(r"(?<![a-z])(?:a|one|1)\s+(?:new\s+)?(?:message|msg|request|req|query|call|prompt|question|completion|"
                          r"turn|chat)\s+every\s+(?:~\s*|about\s+|around\s+|roughly\s+)?(\d+(?:\.\d+)?)\s*"
                          r"(s|sec|secs|seconds?|min|mins|minutes?)(?![a-z])")
EVERY_PERIOD_CN = re.compile(r"每(?:隔)?\s*(\d+(?:\.\d+)?)\s*(秒|分钟)(?:钟)?\s*(?:发|问|请求|调用)?\s*(?:一|1)\s*(?:条|次|个)"
                             r"(?:消息|请求|问题)?")
#: A Chinese vendor name before a Latin product name is the vendor's English name: "苹果 M2" is
#: "apple m2" (the M2 was lost, and "apple" alone kept).
VENDOR_CN = {"苹果": "apple", "英伟达": "nvidia", "谷歌": "google", "英特尔": "intel", "高通": "qualcomm", "超威": "amd"}
VENDOR_BEFORE_NAME = re.compile(rf"({'|'.join(VENDOR_CN)})\s*(?=[a-z][a-z0-9-]*\d|[a-z]\d)")
#: A share of requests within a time is that percentile's latency: "99.9% of requests within 200ms" is
#: "p99.9 latency under 200ms", "99%的请求在200ms内" p99 (the share had been warned about and dropped).
SHARE_WITHIN = re.compile(r"(?<![\d.])(\d{2}(?:\.\d+)?)\s*%\s*of\s+(?:all\s+|the\s+)?(?:requests|queries|calls|responses|"
                          r"inferences|predictions|transcriptions|images|frames)\s+(?:should\s+|must\s+|need\s+to\s+)?"
                          r"(?:complete\s+|finish\s+|return\s+|respond\s+|be\s+served\s+|come\s+back\s+)?"
                          r"(?:within|under|in|below|in\s+less\s+than|in\s+under)(?![a-z])")
SHARE_WITHIN_CN = re.compile(r"(?<![\d.])(\d{2}(?:\.\d+)?)\s*%\s*的?\s*(?:请求|调用|查询|响应)\s*(?:要|需要|必须|都)?\s*(?:在)?")
#: Speed as a multiple of real time is a real-time factor: "10x real time" is RTF 0.1, "10倍实时" too.
TIMES_REAL_TIME = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:faster\s+than\s+)?real[- ]?time(?![a-z])"
                             r"|(?<![\d.])(\d+(?:\.\d+)?)\s*倍(?:于)?实时|实时的?\s*(\d+(?:\.\d+)?)\s*倍")
#: A battery's charge at its voltage is its energy: "5000mAh @ 11.1V" is 55.5 Wh.
CHARGE_AT_VOLTAGE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*mah\s*(?:@|at|,|/|x|×)?\s*(\d+(?:\.\d+)?)\s*v(?![a-z])")
#: "15 grand" is $15,000; "1.5 cents" is $0.015.
GRAND = re.compile(r"(?<![\w.$])(\d+(?:\.\d+)?)\s*grand(?![a-z])")
CENTS = re.compile(r"(?<![\w.$])(\d+(?:\.\d+)?)\s*cents?(?![a-z])")
#: "a quarter second", "quarter of an hour", "quarter-second": 0.25 of the period.
QUARTER = re.compile(r"(?<![\w-])(?:a\s+)?quarter(?:\s+of\s+an?\s+|-|\s+)(second|minute|hour|day)(?![\w-])")
#: Chinese halves, after the numerals are digits: "1秒半" and "1个半小时" are 1.5, "半秒" and "半个小时" 0.5.
HALF_AFTER = re.compile(r"(?<![\d.])(\d+)(个)?(秒钟|秒|小时|分钟|天|周)半")
HALF_BEFORE = re.compile(r"(?<![\d.])(\d+)个半(小时|月|钟头)")
HALF_ALONE = re.compile(r"(?<![\d.一二三四五六七八九十])半个?(秒钟|秒|小时|分钟|天|周|钟头)")
#: A space Chinese text puts between its characters and a number or "token" (盘古之白): "2 万元",
#: "50 万条", "输入 1024", "首 token 延迟" read as "2万元", "50万条", "输入1024", "首token延迟".
_CJK = r"[\u3400-\u9fff\uff01-\uff5e\u3001\u3002]"
CJK_SPACE = re.compile(rf"(?<={_CJK}) (?=\d|tokens?(?![a-z]))|(?<=\d) (?={_CJK})|(?<=[^a-z]token) (?={_CJK})"
                       rf"|(?<=[^a-z]tokens) (?={_CJK})")
#: A duration in brackets right after a word that sets a job's limit: "overnight (8 hours)", "deadline (48h)",
#: "by tomorrow morning (12 hours)", "by end of day (6h)", "before 9am tomorrow (12 hours)".
BRACKETED_LIMIT = re.compile(r"(?<![\w-])(overnight|deadline|time limit|time budget|by (?:(?:monday|tuesday|wednesday|"
                             r"thursday|friday|saturday|sunday|tomorrow|tonight|eod|next week)"
                             r"(?:\s+(?:morning|afternoon|evening|night|noon))?|(?:the\s+)?end of (?:the\s+)?(?:day|week))"
                             r"|(?:by|before) (?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|noon|midnight)"
                             r"(?:\s+(?:today|tomorrow|tonight))?)"
                             r"\s*\(\s*(?:~|about\s+)?"
                             r"(\d+(?:\.\d+)?\s*(?:h|hrs?|hours?|min|mins|minutes?|days?))\s*\)")
#: "九成" (nine tenths) is 90%; not 成本, 成功, 成为, ...
TENTHS = re.compile(r"(?<![\d.])([\d一二两三四五六七八九])成(?![本功为员果熟品绩立型])")
CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
#: A count written against a name: "8xH100", "2x8xA100" (not "8x7b", a model size, nor "24xlarge").
#: A metric's cutoff after "@" ("recall@10", "mAP@0.5", "mAP@50-95", "ndcg@.5:.95") is part of its
#: name, not an amount: "mAP@50-95 >= 45%" asks for 45%.
METRIC_CUTOFF = re.compile(r"(?<![a-z])(?P<metric>recall|precision|map|ap|ndcg|mrr|hits?|hit rate|top|acc|accuracy|f1|iou"
                           r"|mask map|box map)@\s?\d*\.?\d+(?:\s?[-:]\s?\d*\.?\d+)?%?(?![\d.])")
COUNT_TIMES_NAME = re.compile(r"(\d)x(?=[a-z])(?!large)")
SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ment", "ments")


class Workspace:
    """Normalised text plus a masked copy with the same offsets, and the spans the rules have
    read (so what is left unread can be reported, never dropped silently)."""

    def __init__(self, text: str):
        self.text = text
        self._masked = list(text)
        self._masked_text: str | None = text
        self._read = bytearray(len(text))  # 1 where some rule read the character

    @property
    def masked(self) -> str:
        if self._masked_text is None:
            self._masked_text = "".join(self._masked)
        return self._masked_text

    def mask(self, start: int, end: int) -> None:
        """Blank a span out so later rules cannot read its digits, and count it as read."""
        for i in range(start, end):
            if not self._masked[i].isspace():
                self._masked[i] = MASK
        self._masked_text = None
        self.mark_read(start, end)

    def mark_read(self, start: int, end: int) -> None:
        """Count a span as read by some rule (it needs no warning)."""
        start, end = max(0, start), min(len(self._read), end)
        if start < end:
            self._read[start:end] = b"\x01" * (end - start)

    def is_masked(self, start: int, end: int) -> bool:
        """True when some rule blanked the span's first non-space character out (it took the amount)."""
        return any(char == MASK for char, original in zip(self.masked[start:end], self.text[start:end])
                   if not original.isspace())

    def reads_any(self, start: int, end: int) -> bool:
        """True when some rule read a character of the span."""
        return any(self._read[max(0, start):end])

    def is_read(self, start: int, end: int) -> bool:
        """True when every non-space character of the span was read by some rule."""
        return all(flag or char.isspace() for flag, char in zip(self._read[start:end], self.text[start:end]))

    @cached_property
    def _breaks(self) -> tuple[list[int], list[int]]:
        found = list(CLAUSE_BREAK.finditer(self.text))
        return [m.start() for m in found], [m.end() for m in found]

    def clause_bounds(self, position: int) -> tuple[int, int]:
        """Start and end of the clause around ``position`` (commas, full stops, "but" …)."""
        starts, ends = self._breaks
        before = bisect_right(ends, position)
        start = ends[before - 1] if before else 0
        after = bisect_left(starts, position)
        end = starts[after] if after < len(starts) else len(self.text)
        return start, max(start, end)


def _per_minute(m: re.Match) -> float:
    """Requests a minute of one request every m.group(1) seconds or minutes."""
    period = float(m.group(1))
    return (60 if m.group(2)[0] in "s秒" else 1) / period


def normalise(raw: str, lexicon: Lexicon) -> str:
    """Hidden characters removed, NFKC, look-alike letters as Latin, lower case (see
    intent.folding), typos fixed, number words as digits."""
    raw = FRACTION.sub(lambda m: f"{int(m.group(1) or 0) + FRACTIONS[m.group(2)]:g}", raw)
    text = canonical(raw).replace("’", "'").replace("\u2212", "-")  # a typeset minus sign is a minus
    text = _not_required(text)
    # before a comma is taken for a decimal one ("QPS 100，99%的请求" is no 100.99)
    text = SHARE_WITHIN.sub(lambda m: f"p{m.group(1)} latency under", text)
    text = SHARE_WITHIN_CN.sub(lambda m: f"p{m.group(1)}延迟", text)
    text = CONTRACTION.sub(lambda m: CONTRACTED.get(m.group(1), m.group(1)) + " not", text)  # "don't use AMD"
    text = BARE_CONTRACTION.sub(lambda m: CONTRACTED.get(m.group(1), m.group(1)) + " not", text)
    text = LIST_MARKER.sub(" ; ", text)  # "1. image classification\n2. accuracy ..." : items, not numbers
    # a list of "key: value" lines: each line an item of its own, "no TPUs" after "time limit: 10 hours" too
    text = re.sub(r"[ \t]*\n", " ; ", text) if len(KEY_LINE.findall(text)) >= 2 else KEY_LINE.sub(" ; ", text)
    text = NO_DEVICE_ABOVE.sub("each device under ", text)
    text = DGX.sub(lambda m: f"8 x {m.group('gpu')}", text)
    text = RATE_KEY.sub(lambda m: f"{m.group(2)} {m.group(1)}", text)
    text = TABLE_ROW.sub(_table_row, text)
    text = SCIENTIFIC.sub(_scientific, text)
    text = MEMORY_TIMES_CARDS.sub(lambda m: f"{m.group(2)}张{m.group(1)}gb显卡", text)
    text = NEED_NOT_BE.sub(lambda m: f"{m.group(1) or m.group(2)} does not matter", text)
    text = CN_CONCURRENCY_RANGE.sub(r"\1\3", text)
    text = CURRENCY_AFTER.sub(r"$\1", text)
    text = COUNT_CORRECTED.sub(lambda m: f"{m.group(3)}{m.group(2) or ''}", text)
    text = SPEED_KEY.sub(lambda m: f"{m.group(2)} tokens/s per user", text)
    text = OUTPUT_KEY.sub(lambda m: f"outputs of {m.group(1)} tokens", text)
    text = PROMPT_KEY.sub(lambda m: f"prompts of {m.group(1)} tokens", text)
    text = HYPHEN_DURATION.sub(lambda m: f"within {m.group(1)} {m.group(2)}s", text)
    text = CN_PARAMS.sub(lambda m: f"{float(m.group(1)) / 10:g}b", text)
    text = DEVICE_CAP_KEY.sub(lambda m: f"at most {m.group(2)} {m.group(1)}", text)
    text = CN_COUNT_KEY.sub(lambda m: m.group(1), text)
    text = KEY_UNIT.sub(lambda m: f"{m.group(1).replace('_', ' ')}{m.group(3)} {m.group(4)} {m.group(2)}", text)
    text = COUNTED_LINE.sub(lambda m: _counted_line(m, lexicon.counted_words), text)
    text = KEY_RULED_OUT.sub(r"no \1", text)  # "cloud: no" -> "no cloud"
    text = METRIC_CUTOFF.sub(r"\g<metric>", text)
    text = UNIT_BEFORE_LIMIT.sub(_unit_after_limit, text)  # "QPS >= 500" -> ">= 500 qps"
    text = UNIT_BEFORE_RANGE.sub(r"\2~\3 \1", text)  # "QPS 5~8" -> "5~8 qps"
    text = re.sub(r"\s+", " ", text).strip()
    text = CJK_SPACE.sub("", text)  # "2 万元", "首 token 延迟", "输入 1024": as written without the spaces
    # "overnight (8 hours)", "by Friday (72h)": the job's limit (a day's name is said by the hours)
    text = BRACKETED_LIMIT.sub(lambda m: f"{'' if m.group(1).startswith(('by ', 'before ')) else m.group(1) + ' '}"
                                         f"within {m.group(2)}", text)
    text = EURO_GROUPED.sub(lambda m: m.group(1).replace(".", "") + "." + m.group(2), text)
    text = DECIMAL_COMMA.sub(r"\1.\2", text)
    text = SPACE_GROUPED.sub(lambda m: m.group(1) + m.group(2).replace(" ", ""), text)
    text = BARE_GEFORCE.sub(lambda m: f"rtx {m.group(1)}" if m.group(1) else f"{m.group(2)}rtx {m.group(3)}", text)
    text = BARE_GEFORCE_NAMED.sub(lambda m: m.group(0).replace(m.group(1) or m.group(2), f"rtx {m.group(1) or m.group(2)}"),
                                  text)
    if re.search(r"[\u4e00-\u9fff]", text):
        text = CN_WAN.sub(lambda m: f"{m.group(1) or m.group(2)}万", text)
    if re.search(r"(?<![a-z])tps(?![a-z])", text) and any(
            m.key == "text-generation" for group in ("tasks", "weak_tasks", "model_families")
            for m in lexicon.phrases(group).scan(text)):
        # "TPS 要到 5000" of an LLM: tokens a second, as LLM serving says it (it had been dropped, or requests)
        text = re.sub(r"(?<![a-z])tps\s*(?:要到|达到|要达到|至少|不低于|到|要|需要|[:：=]|at least|of|>=|≥)?\s*"
                      r"(\d[\d,.]*\s*(?:k|万|千)?)", r"at least \1 tokens/s", text)  # "TPS 要到 5000"
        text = re.sub(r"(?<![a-z])tps(?![a-z])", "tokens/s", text)
    for wrong, right in lexicon["typos"].items():
        text = text.replace(wrong, right)
    text = SUB_AMOUNT.sub(r"under \1 \2", text)
    text = OR_MORE.sub(r"at least \1 ", text)  # "1,000+ RPS" -> "at least 1,000 RPS"
    text = SIZE_OR_MORE.sub(r"at least \1", text)  # "48GB+ cards" -> "at least 48GB cards"
    for short, bound in lexicon["shorthands"].items():  # whole words; Chinese has no word breaks
        edge = (r"(?<![\w-])", r"(?![\w-])") if short.isascii() else ("", "")
        text = re.sub(rf"{edge[0]}{re.escape(short)}{edge[1]}", bound, text)
    text = re.sub(r"[a-z]{5,}", lambda m: _correct(m.group(0), lexicon), text)
    text = COUNT_TIMES_NAME.sub(r"\1x ", text)
    text = A_SCALE.sub(r"one \1", text)
    text = SPACED_SCALE.sub(r"\1", text)  # "8xh100" -> "8x h100", so the name is a word of its own
    text = spell_out_numbers(text, lexicon["number_words"], lexicon["number_scales"], lexicon.unit_lead,
                             lexicon.number_lead)
    text = AND_A_HALF.sub(r"\1.5", text)  # "1 and a half seconds" -> "1.5 seconds"
    text = QUARTER.sub(r"0.25 \1", text)
    text = HYPHENATED_UNIT.sub(" ", text)
    text = HYPHENATED_RECORDS.sub(r" \1s", text)
    # "2M 8k-token documents": 2M documents of 8k tokens each (the count had been lost to the length)
    text = COUNT_OF_LONG_ITEMS.sub(r"\1 \3 of \2 tokens each", text)
    text = TIMES_REAL_TIME.sub(lambda m: f"rtf {1 / float(next(g for g in m.groups() if g)):g}", text)
    text = CHARGE_AT_VOLTAGE.sub(lambda m: f"{float(m.group(1)) * float(m.group(2)) / 1000:g} wh", text)
    text = VENDOR_BEFORE_NAME.sub(lambda m: f" {VENDOR_CN[m.group(1)]} ", text)
    text = EVERY_PERIOD.sub(lambda m: f"{_per_minute(m):g} requests/min", text)
    text = EVERY_PERIOD_CN.sub(lambda m: f"每分钟{_per_minute(m):g}次请求", text)
    text = GRAND.sub(r"$\1k", text)
    text = CENTS.sub(lambda m: f"${float(m.group(1)) / 100:g}", text)
    text = HALF_AFTER.sub(r"\1.5\3", text)
    text = HALF_BEFORE.sub(r"\1.5\2", text)
    text = HALF_ALONE.sub(r"0.5\1", text)
    text = TENTHS.sub(lambda m: f"{CN_DIGIT.get(m.group(1)) or int(m.group(1))}0%", text)
    return ONE_PERIOD.sub(r"\1 1 \2", text)  # "under a second" -> "under 1 second"


def edit_distance(a: str, b: str, limit: int, substitution: int = 1) -> int:
    """Optimal string alignment distance (a swap of neighbours counts once), capped at limit + 1;
    ``substitution`` is what replacing one letter costs."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution * (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=4096)
def _correct_cached(word: str, known: frozenset, candidates: tuple[str, ...]) -> str:
    """One slip (a letter missing, extra, wrong or swapped) in words up to eight letters, two beyond."""
    if word in known or any(word.startswith(k) and word[len(k):] in SUFFIXES for k in candidates):
        return word
    limit = 1 if len(word) <= 8 else 2
    # In short words a changed letter is more often another word than a slip ("apply" is not "apple"):
    # there only a letter missing, extra or swapped is corrected.
    substitution = 2 if len(word) <= 6 else 1
    scored = [(edit_distance(word, c, limit, substitution), c) for c in candidates]
    best = min((s for s in scored if s[0] <= limit), default=None)
    if best is None or word in english_words():  # "there" is no slip for "three", nor "reset" for "resnet"
        return word
    return best[1]


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words the spelling fix never changes (intent/data/english-words.txt.gz, with its
    source; scripts/build_english_words.py writes it). Read only when a word is about to change."""
    import gzip
    from importlib import resources

    data = resources.files("intent").joinpath("data", "english-words.txt.gz").read_bytes()
    return frozenset(line for line in gzip.decompress(data).decode("utf-8").splitlines()
                     if line and not line.startswith("#"))


def _correct(word: str, lexicon: Lexicon) -> str:
    """Fix a misspelt lexicon word ("clasify" -> "classify"); leave every other word alone."""
    known, by_first = lexicon.spelling_vocabulary
    return _correct_cached(word, known, by_first.get(word[0], ()))


def _table_row(m: re.Match) -> str:
    """A markdown table row as its cells: "| 并发 | 64 |" -> "并发: 64;"; a rule line ("|---|---|") as nothing."""
    cells = [c.strip() for c in m.group(1).split("|")]
    if all(re.fullmatch(r":?-{2,}:?|", c) for c in cells):
        return ""
    if len(cells) == 2:
        return f"{cells[0]}: {cells[1]};"
    return ", ".join(c for c in cells if c) + ";"


def _not_required(text: str) -> str:
    """Items under a "not required" heading, or after it on its line, each said not to be required."""
    text = re.sub(r"(?<=[.;。；])\s+(?=(?:not required|not needed|不需要|无需)\s*[:：])", "\n", text, flags=re.IGNORECASE)
    lines, out, under = text.split("\n"), [], False
    for line in lines:
        head = NOT_REQUIRED_HEAD.match(line)
        if head is not None:
            items = [i.strip() for i in re.split(r"[,，、;；]|\band\b", head.group("items")) if i.strip()]
            out.append("; ".join(f"{i} not required" for i in items) + (";" if items else ""))
            under = not items
            continue
        item = LIST_ITEM.match(line) if under else None
        if item is not None:  # "HIPAA (not needed, no PHI)": the item, its reason in brackets left out
            out.append(f"{re.sub(r'[(（].*?[)）]', '', item.group('item')).strip()} not required;")
            continue
        under = under and not line.strip() == "" and False
        out.append(line)
    return "\n".join(out)


def _scientific(m: re.Match) -> str:
    """A number in scientific notation written out, where it stays a number people write (up to 1e15)."""
    value = float(m.group(0))
    return format_number(value) if 0 < value <= 1e15 else m.group(0)
