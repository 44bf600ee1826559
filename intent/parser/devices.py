"""Hardware in a request: devices to use or avoid, devices the user has, and names the catalog lacks.

1. Catalog device and family names ("H100", "Jetson Orin Nano", "树莓派5") give their ids. A
   name that drops a model number ("Raspberry Pi") gives the device only when no other number
   follows it: "Raspberry Pi 4" is another device, which the catalog does not hold; nor does a
   variant word none of the device's names holds ("Apple M2 Ultra", "RTX 4090 Ti"). The
   device's own memory size after its name ("RTX 4090 24GB") is part of the name.
2. A count right before or after a device ("I have 4 A100s", "4×A100", "H100 x8", "我们有8张H100")
   says the user has those devices: they are owned as well as included.
3. Vendors and classes ("NVIDIA", "GPU", "昇腾") follow, unless they only describe the device beside
   them ("英伟达L4", "L4 GPUs" name the L4 alone), and each mention is included or excluded
   by the negation before it, or shares the previous one's side when only "and"/"or" separates them.
4. A name that begins like a device ("B200", "RTX 3090", "TPU v6e") and is not a catalog device is
   kept as written with the closest catalog ids, for the warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from hardware import Catalog
from hardware.names import suggest_devices
from intent.parser.fields import negated_after
from intent.parser.lexicon import Lexicon, Match, PhraseSet
from intent.parser.text import Workspace

FILLER = re.compile(r"^[\s,、/&()（）]*(?:and|or|nor|和|或|及|与|的|or the|and the|like|like the|such as|such as the|"
                    r"e\.g\.|e\.g\.,|including|including the|for example|比如|例如|像)?[\s,、/&()（）]*$")
#: "512 H100 GPU-hours", "64 A100 hours": device-hours after a counted device are a budget.
DEVICE_HOURS = re.compile(r"\s*(?:(?:gpu|device|accelerator|card|node|chip)[- ]?)?(?:hours|hrs|hour|h)(?![a-z])|\s*卡时|\s*机时")
DEVICE_HOURS_NOTE = ("a budget of device-hours is not planned for; give the job's time and cost (e.g. 'within 3 days, "
                     "at most $5,000')")
#: Device-hours of a class of device: "500 GPU-hours", "500 GPU 小时", "2k GPU hours".
CLASS_HOURS = re.compile(r"(?<![\d.,])\d[\d,]*(?:\.\d+)?\s*k?\s*(?:gpu|npu|tpu|card|accelerator|device)s?[\s-]*"
                         r"(?:小时|hours?|hrs|h)(?![a-z])|(?<![\d.,])\d[\d,]*\s*(?:卡时|机时)")
#: "any GPU but NVIDIA", "any accelerator but AMD": "but" right after "any" and a word or two rules
#: out what follows, unless it is then preferred ("any GPU but NVIDIA preferred").
ANY_BUT = re.compile(r"(?<![\w-])(?:any|all|every)(?:\s+[\w-]+){1,2}\s+but\s+$")
PREFERRED_AFTER = re.compile(r"^\s*(?:is\s+|are\s+)?(?:preferred|ideally|if possible|first|would be nice)")
#: A bare model number after a name with none: "raspberry pi 4" (a size such as "8gb" is no model number).
OTHER_MODEL_NUMBER = re.compile(r"[\s-]?(?:\d+[a-z+]?|zero|b\+)(?![\d.]*\s?(?:gb|g|tb|gib|w)\b)(?![\w.])")
#: What may follow a device family word inside one name: "rtx 3090 ti", "tpu v6e", "jetson agx orin".
NAME_TOKEN = re.compile(r"[\s-]?([a-z0-9+]+)(?![a-z0-9_.])")  # a Chinese character may follow ("hailo-8l做")
DEVICE_SUFFIXES = frozenset({"pro", "max", "ultra", "nano", "nx", "agx", "super", "sxm", "pcie", "nvl", "ti", "mini",
                             "orin", "xavier", "ada", "gen", "elite", "plus", "thor"})
#: A memory size written right after a device's name: "RTX 4090 24GB", "A100 80 GB".
MEMORY_IN_NAME = re.compile(r"[\s-]?(\d+)\s?gb?(?![a-z0-9])")
#: Machines of several devices each: "两台8卡A100" (2 x 8), "2x8xH100", "two 8xH100 nodes".
NODES_OF_DEVICES = re.compile(r"(?<![\d.])(?:(?<!\d,)|(?!\d{3}(?!\d)))(\d+)\s*(?:台|个|组|x|×|\s)\s*(?:(?:服务器|机器|节点)\s*[,，]?\s*(?:每台|每个)?\s*)?"
                              r"(\d+)\s*(?:卡|张|块|x|×|-gpu)\s*(?:的)?\s*$")  # "4台8卡的A100服务器"
#: Machines times their devices in English: "4 servers x 8 Ascend 910B", "2 nodes with 8 H100".
SERVERS_TIMES = re.compile(r"(?<![\d.])(\d+)\s*(?:servers?|nodes?|machines?|boxes|hosts)\s*(?:x|×|\*|of|with)\s*(\d+)\s*"
                           r"(?:x|×)?\s*(?:昇腾|英伟达|华为|nvidia|amd|intel|英特尔)?\s*$")
#: A brand word between a count and the device's name: "16张昇腾910B", "8张英伟达A100".
BRAND_BETWEEN = r"(?:(?:on-prem|on-premise|local|spare|dedicated|idle|existing)\s+)?(?:昇腾|英伟达|华为|nvidia|amd|intel|英特尔)?"
#: A comma inside digits that is no thousands separator (no group of three digits after it).
NOT_THOUSANDS = re.compile(r",(?!\d{3}(?!\d))")
#: Devices counted without a name: "1 gpu" ("one GPU" once numbers are digits), "16 GPUs",
#: "a single card", "single-GPU", "4张卡", "单卡部署". "单卡显存" is a bound per card
#: (planner bounds per device), and "8-GPU nodes" or "2 GPU-hours" count no devices held.
DEVICES_COUNTED = re.compile(
    r"(?:(?<![a-z0-9_.,-])(?P<counted>(?P<count>\d+)(?![\d.])\s*(?:x|×|-)?\s*(?:张|块|片|个)?\s*)"
    r"|(?<![a-z0-9_.-])(?P<one>(?:a\s+|one\s+)?single[\s-]|单(?:张|块|个)?\s*))"
    r"(?:\d+\s?gb?[\s-]+)?"  # the card's memory between: "a single 48GB GPU", "2 24GB cards"
    # a Chinese noun may run on into a figure: "单卡24G显存"
    r"(?:(?:gpus?|graphics cards?|cards?|accelerators?|devices?|chips?|npus?|tpus?)(?![a-z0-9_-])|显卡|加速卡|卡(?![a-z]))"
    r"(?!\s*(?:each|apiece|per\s+(?:node|server|machine|host)|hours?|hrs|nodes?|servers?|machines?|boxes|卡时|机时|节点|服务器|机器|显存|内存|功耗|算力|的显存))")
#: A range of devices counted, no device named: "4-8 GPUs", "4到8张卡".
DEVICE_RANGE = re.compile(r"(?<![\d.,])(?P<low>\d+)\s*(?:-|–|到|至)\s*(?P<high>\d+)(?![\d.])\s*(?:张|块)?\s*"
                          r"(?P<noun>gpus?|cards?|devices?|accelerators?|npus?|显卡|卡)(?![a-z0-9_-])")
#: A floor word right before a count of devices: "at least 4 GPUs", "至少4张卡".
FLOOR_BEFORE = re.compile(r"(?:(?<![a-z])(?:at least|no fewer than|no less than|a minimum of|minimum of|min\.?)\s*"
                          r"|(?:至少|最少|不少于)\s*(?:用|使用)?\s*)$")
#: The low end of a range right before a count of devices: "between 4 and 8 GPUs", "4-8 GPUs", "4到8张卡".
RANGE_LOW_BEFORE = re.compile(r"(?:(?<![a-z])between\s+)?(?<![\d.])(?P<low>\d+)\s*(?:and|to|-|–|到|至)\s*$")
#: A cap word right before a count of a named device: "at most 4 H100s", "最多用4张H100".
CAP_BEFORE = re.compile(r"(?:(?<![a-z])(?:at most|no more than|not more than|never more than|up to|a maximum of|"
                        r"maximum of|max\.?|limited to|capped at|(?:not|never)\s+(?:to\s+)?(?:exceed|go\s+over))\s*"
                        r"|(?:最多|至多|不超过|最多用|最多使用)\s*)$")
_MACHINES = r"(?:nodes?|servers?|machines?|boxes|hosts?)"
_CARDS = r"(?:gpus?|cards?|accelerators?|npus?|devices?)"
#: A capped count of machines of a stated size, no device named: "at most 2 servers with 8 GPUs each",
#: "up to two 8-GPU nodes", "最多2台8卡服务器" (words for numbers are digits by now).
MACHINES_CAPPED = re.compile(
    r"(?:(?<![a-z])(?:at most|no more than|not more than|up to|a maximum of|maximum of|max\.?|limited to|capped at)\s*"
    r"|(?:最多|至多|不超过|最多用)\s*)"
    rf"(?:(?P<machines>\d+)\s*(?:x\s*)?(?P<each>\d+)[\s-]*(?P<noun>{_CARDS})[\s-]*{_MACHINES}"
    rf"|(?P<machines2>\d+)\s*{_MACHINES}\s*(?:with|of|,)?\s*(?P<each2>\d+)\s*(?P<noun2>{_CARDS})"
    rf"(?:\s*(?:each|apiece|per\s+{_MACHINES}))?"
    r"|(?P<machines3>\d+)\s*(?:台|个)\s*(?P<each3>\d+)\s*(?:张)?(?:卡|gpu)\s*的?\s*(?:服务器|机器|节点|主机)?)")
#: Words that make counted devices options weighed, not devices held: "choosing between 2x H100 and 4x
#: L40S", "compare 8 A100s with 4 H100s", "在8张A100和4张H100之间选".
COMPARING_BEFORE = re.compile(r"(?<![a-z])(?:(?:choosing|choose|deciding|decide|picking|pick)\s+between|compare|comparing|"
                              r"comparison\s+of|evaluating|weighing|(?:was|were|am|are|i'm|we're)\s+thinking(?:\s+of)?|"
                              r"thinking\s+of|considering|maybe|perhaps|might\s+use|could\s+use)(?![a-z])"
                              r"|对比|比较|考虑|打算|也许|可能用|在[^,;，；]{0,20}(?:之间|中)(?:选|挑)?$")
#: Words that leave the devices open: "open to whatever", "open to other options", "其他卡也可以".
OPEN_TO = re.compile(r"(?<![a-z])open\s+to\s+(?:whatever|anything|other|others|alternatives|suggestions|options)(?![a-z])"
                     r"|其他(?:卡|设备|方案)也(?:可以|行)|不限")
#: Words that say counted devices are rented, not held: "our bill is $14k/month for 6 x H100", "we rent 2
#: L40S on AWS", "租了4张A100".
RENTING_BEFORE = re.compile(r"(?<![a-z])(?:bill|billed|paying|pay|rent|rents|renting|rented|lease|leasing|leased)(?![a-z])"
                            r"|租了?|租用")
#: A cap word right after a named device's count: "4 H100s max", "use 4 H100s at most".
CAP_AFTER = re.compile(r"s?\s*(?:at most|max|maximum|tops|or fewer|or less)(?![a-z])\s*(?:[,;.]|$)")
#: Words that say the devices are the request's own ("we have up to 8 A100s available"): a count of them is owned.
OWNING_BEFORE = re.compile(r"(?<![a-z])(?:we|i)\s+(?:have|own|got|already have)(?![a-z])|(?:我们|我|公司)(?:有|拥有)")
#: Money spent on a class of device: "GPU budget", "GPU spend", "算力预算".
SPENT_ON = re.compile(r"[\s-]*(?:budget|spend|spending|costs?|bill|money|预算|费用|成本)(?![a-z])")
#: Largest count of one device a request may say it has.
MAX_OWNED = 100_000


@dataclass
class HardwareReading:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    owned: list[tuple[str, int]] = field(default_factory=list)
    unknown: list[tuple[str, list[str]]] = field(default_factory=list)  # (as written, closest ids)
    max_devices: int | None = None  # "on a single GPU", "no more than 16 GPUs": devices counted, none named
    preferred: list[str] = field(default_factory=list)  # included, but only preferred ("H100 preferred")
    avoided: list[str] = field(default_factory=list)  # excluded, but only as a wish ("no NVIDIA if possible")
    caps: list[int] = field(default_factory=list)  # "at most 4 H100s": counts of a named device that cap the plan
    notes: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


@lru_cache(maxsize=4)
def device_phrases(catalog: Catalog) -> PhraseSet:
    """Device and family aliases from the catalog; each names its id."""
    groups: dict[str, list[str]] = {}
    for fam_id, family in catalog.families.items():
        groups[fam_id] = list(family.aliases) + [fam_id]
    for device in catalog.devices.values():
        names = list(device.aliases) + [device.id]
        groups[device.id] = names + [f"{device.vendor} {n}" for n in names if not n.startswith(device.vendor)]
    return PhraseSet(groups, plural=True)


def _catalog_vendors(lexicon: Lexicon, catalog: Catalog) -> PhraseSet:
    """The vendors a user's catalog adds ("acme"), by id and name, read as the lexicon's vendors are
    ("prefer Acme", "no Acme"). The packaged catalog's own are not: "AWS" is a cloud provider there."""
    from hardware import load_catalog

    packaged = {d.vendor for d in load_catalog().devices.values()}
    return _vendor_phrases(frozenset(lexicon["vendors"]) | frozenset(packaged), catalog)


@lru_cache(maxsize=4)
def _vendor_phrases(known: frozenset, catalog: Catalog) -> PhraseSet:
    groups: dict[str, list[str]] = {}
    for device in catalog.devices.values():
        if device.vendor not in known:
            names = groups.setdefault(f"vendor:{device.vendor}", [device.vendor])
            if device.vendor_name and device.vendor_name.lower() not in names:
                names.append(device.vendor_name.lower())
    return PhraseSet(groups)


def read_hardware(lexicon: Lexicon, space: Workspace, catalog: Catalog, negated) -> HardwareReading:
    """Include, exclude, owned and unknown devices; ``negated`` is the parser's negation test."""
    reading = HardwareReading()
    # "as few GPUs as possible", "prefer fewer GPUs": the device count, warned about, asks for no GPU
    count_spans = [(c.start, c.end) for c in lexicon.words("device_count_objectives").scan(space.masked)]
    devices = [m for m in device_phrases(catalog).scan(space.masked)
               if not _names_another_model(space.masked, m) and not _names_another_variant(space.masked, m)
               and _a_device_number(space.masked, m) and not any(a <= m.start < b for a, b in count_spans)]
    sized = {m.start: _variants_of_size(catalog, space.masked, m) for m in devices}
    weighed: list[str] = []  # counted devices that are options weighed ("choosing between 2x H100 and 4x L40S")
    weighed_keys: list[str] = []
    rented: list[str] = []  # counted devices the request rents ("we rent 2 L40S", "our bill … for 6 x H100")
    for m in devices:
        count, span = _count(lexicon, space.masked, m)
        if count is not None:
            counted = count, span
            count, span = _per_machine(space, m, count, span)
            if (count, span) == counted:
                count, span = _machines_of_unstated_size(space, catalog, m, count, span, reading)
        window = max(0, span[0] - 24) if count is not None else 0
        low = RANGE_LOW_BEFORE.search(space.masked[window:span[0]]) if count is not None else None  # "2 to 4 H100s"
        if count is not None and (hours := DEVICE_HOURS.match(space.masked, m.end)):
            # "512 H100 GPU-hours": a compute budget, not devices held
            reading.notes.append(f"'{space.text[span[0]:hours.end()].strip()}': {DEVICE_HOURS_NOTE}")
            space.mask(span[0], hours.end())
        elif (count is not None and (CAP_BEFORE.search(space.masked[max(0, span[0] - 24):span[0]])
                                     or CAP_AFTER.match(space.masked, m.end)
                                     or low is not None)
              and not OWNING_BEFORE.search(space.masked[space.clause_bounds(span[0])[0]:span[0]])):
            # "at most 2 H100 nodes", "最多用4张H100", "on 2 to 4 H100s": a cap on the device named, not devices owned
            start = window + low.start() if low is not None else span[0]
            space.mask(start, span[1])
            reading.caps.append(count)
            reading.assumptions.append(f"'{space.text[start:m.end].strip()}': at most {count} of {m.key}, a cap "
                                       "on the plan's devices, not devices the request has (so priced as rented)"
                                       + (f"; the least ({low.group('low')}) is not planned for (the plan takes the "
                                          "devices its load needs)" if low is not None else ""))
        elif count is not None and COMPARING_BEFORE.search(space.masked[space.clause_bounds(span[0])[0]:span[0]]):
            # "choosing between 2x H100 and 4x L40S": options weighed, not devices held
            space.mask(*span)
            weighed.append(space.text[span[0]:m.end].strip())
            weighed_keys.append(m.key)
        elif count is not None and RENTING_BEFORE.search(space.masked[space.clause_bounds(span[0])[0]:span[0]]):
            # "our bill is $14k/month for 6 x H100", "we rent 2 L40S on AWS": rented, not held
            space.mask(*span)
            rented.append(space.text[span[0]:m.end].strip())
        elif count is not None:
            _own(reading, space, m.key, count, span)
        space.mask(m.start, _memory_in_name(catalog, space.masked, m))
    if rented:
        reading.notes.append(f"{', '.join(repr(r) for r in rented)}: devices the request rents (a bill, a rental), not "
                             "devices it has: planned as allowed and priced as rented")
    if weighed:
        reading.notes.append(f"{', '.join(repr(w) for w in weighed)}: options weighed, not devices the request has: "
                             "planned as allowed and priced as rented, their counts no cap (the plan picks the better "
                             "and lists the others as alternatives)")
    _device_cap(space, reading)
    reading.unknown = _unknown_devices(lexicon, space, catalog)
    _architecture_floors(lexicon, space, catalog, reading)
    mentions = [(m.start, m.end, key) for m in devices for key in sized[m.start]] \
        + _device_groups(lexicon, space, catalog, reading)
    for m in lexicon.words("not_hardware").scan(space.masked):
        space.mask(m.start, m.end)
    for m in sorted([*lexicon.hardware_words.scan(space.masked), *_catalog_vendors(lexicon, catalog).scan(space.masked)],
                    key=lambda m: m.start):
        if m.key.startswith("vendor:") and re.match(r"\s*(?:cloud(?![a-z])|云)", space.masked[m.end:]):
            continue  # "on Google Cloud", "华为云": a provider (cloud_provider_vendors, warned about), not its chips
        space.mark_read(m.start, m.end)
        if SPENT_ON.match(space.masked, m.end) or any(a <= m.start < b for a, b in count_spans):
            continue  # "no GPU budget beyond $500": what the money is for, no device asked for or ruled out;
            # "as few GPUs as possible": a count
        kind, selector = m.key.split(":", 1)
        if kind == "vendors":  # "国产芯片", "美国芯片": each vendor it names
            country = next(c["what"] for c in lexicon["vendor_countries"] if ",".join(c["vendors"]) == selector)
            reading.assumptions.append(f"'{m.phrase}': read as the chips of {selector.replace(',', ', ')}, the "
                                       f"catalog's vendors of chips {country}")
            mentions += [(m.start, m.end, vendor) for vendor in selector.split(",")]
        elif not any(_next_to(space.text, m, d) and _names(catalog, d.key, selector) for d in devices) \
                and not _names_group(space.text, m, mentions, catalog, selector):
            mentions.append((m.start, m.end, selector))
    mentions = _permitted(space, _changes_of_mind(space, sorted(mentions), reading), reading)
    _sides(lexicon, space, mentions, reading, negated, catalog)
    if weighed_keys and OPEN_TO.search(space.text):  # "was thinking 4xH100 but open to whatever": no restriction
        reading.include = [d for d in reading.include if d not in weighed_keys]
        reading.notes.append("the devices weighed are not required: the request is open to others")
    _providers_ruled_out(lexicon, space, catalog, reading, negated)
    _hosted_accelerators(space, catalog, devices, reading)
    for device, _ in reading.owned:
        if device not in reading.include and not _variant_included(catalog, device, reading.include):
            reading.include.append(device)
    _narrowed(reading, catalog.selector_ids())
    return reading


def _narrowed(reading: HardwareReading, devices: set[str]) -> None:
    """A device ruled out of a group asked for narrows the group ("a Jetson, but not the Orin Nano"):
    it leaves the devices asked for, which were warned about as a contradiction. A device that is all
    the request asks for and rules out stays a contradiction."""
    both = [d for d in reading.include if d in reading.exclude and d in devices]  # devices, not vendors or classes
    if both and len([d for d in reading.include if d in devices]) > len(both):
        reading.include = [d for d in reading.include if d not in both]
        reading.assumptions.append(f"{', '.join(both)} ruled out of the devices asked for")


#: Words after a device that allow it without asking for it: "TPUs are ok", "AMD is fine too", "CPUs are
#: also allowed", "GPU 也可以".
PERMITTED_AFTER = re.compile(r"s?\s*(?:cards?|gpus?|chips?)?\s*(?:(?:is|are)\s+(?:also\s+)?(?:ok|okay|fine|acceptable|allowed|"
                             r"permitted)|(?:也|都)(?:可以|行|能用|没问题))(?![a-z])")


def _permitted(space: Workspace, mentions: list[tuple[int, int, str]],
               reading: HardwareReading) -> list[tuple[int, int, str]]:
    """The device mentions without those the request only allows ("TPUs are ok but no Gaudi"
    planned TPUs alone; "AMD or Intel are fine" allows both): allowing a device rules nothing else
    out, so it is no include."""
    joined: set[tuple[str, int]] = set()
    kept, allowed_from = [], None  # a run allowed together: "AMD or Intel are fine"
    for i in range(len(mentions) - 1, -1, -1):
        start, end, key = mentions[i]
        allowed = PERMITTED_AFTER.match(space.masked, end)
        if allowed is not None:
            allowed_from = allowed.end()
        elif allowed_from is not None and i + 1 < len(mentions) \
                and re.fullmatch(r"\s*(?:or|and|/|或|和|或者|、)\s*", space.text[end:mentions[i + 1][0]]) \
                and (mentions[i + 1][2], mentions[i + 1][0]) in joined:
            allowed = allowed_from  # the run's last device is allowed: so is each before it
        if allowed is None:
            kept.append((start, end, key))
            allowed_from = None
            continue
        stop = allowed if isinstance(allowed, int) else allowed.end()
        joined.add((key, start))
        space.mark_read(start, stop)
        reading.assumptions.append(f"'{space.text[start:stop].strip()}': {key} allowed, not required "
                                   "(nothing else is ruled out by it)")
    return kept[::-1]


#: A change of mind between two devices: "A100s, wait, no, use H100s", "T4, no wait, L4", "用 A100，
#: 算了，还是 H100 吧", "改成H100".
CORRECTION = re.compile(r"(?<![a-z])(?:actually,?\s+(?:no|make\s+(?:it|that))|no,?\s+wait|wait,?\s+no|scratch\s+that|"
                        r"on\s+second\s+thought|change\s+(?:that|it)\s+to)(?![a-z])|算了|改成|换成|改用|换用|不对")
#: A device the request had meant to use and no longer does: "we were going to use 8 L40S", "本来打算用A100".
GIVEN_UP_BEFORE = re.compile(r"(?<![a-z])(?:(?:were|was)\s+going\s+to|had\s+(?:planned|wanted|meant|intended)\s+to|"
                             r"originally\s+(?:wanted|planned|meant)\s+to)\s+(?:use|buy|get|run\s+on|rent)(?![a-z])|"
                             r"本来(?:打算|想|计划)?用|原(?:本|计划|打算)用")
#: How far (characters) a change of mind reaches to the devices it turns from and to.
CORRECTION_REACH = 60


def _changes_of_mind(space: Workspace, mentions: list[tuple[int, int, str]],
                     reading: HardwareReading) -> list[tuple[int, int, str]]:
    """The device mentions without those a change of mind turns from ("use A100s, wait, no, H100s"
    planned the A100s the request turned from): a device named just before a correction, with
    another named just after it, is dropped, as a device the request owns, too; so is one it
    says it had meant to use ("we were going to use 8 L40S, but finance pushed back")."""
    dropped: set[int] = set()
    for c in CORRECTION.finditer(space.masked):
        after = [x for x in mentions if 0 <= x[0] - c.end() <= CORRECTION_REACH]
        before = [i for i, x in enumerate(mentions) if 0 <= c.start() - x[1] <= CORRECTION_REACH]
        if not after or not before:
            continue
        dropped.update(before)
        space.mark_read(c.start(), c.end())
        turned = ", ".join(dict.fromkeys(mentions[i][2] for i in before))
        reading.assumptions.append(f"'{space.text[c.start():c.end()]}': a change of mind, so {turned} (named before "
                                   f"it) is not planned; {', '.join(dict.fromkeys(x[2] for x in after))} is")
    for i, (start, _, key) in enumerate(mentions):
        clause_start = space.clause_bounds(start)[0]
        if (given_up := GIVEN_UP_BEFORE.search(space.masked, clause_start, start)) and i not in dropped:
            dropped.add(i)
            space.mark_read(given_up.start(), given_up.end())
            reading.assumptions.append(f"'{space.text[given_up.start():given_up.end()].strip()}': {key} is a plan "
                                       "given up, so it is not planned")
    if not dropped:
        return mentions
    turned_from = {mentions[i][2] for i in dropped}
    reading.owned = [(d, n) for d, n in reading.owned if d not in turned_from]
    return [x for i, x in enumerate(mentions) if i not in dropped]


#: What stands before a device named by its number alone ("两张4090", "单卡4090", "a 4090", "on 4090s"): a count,
#: an article or a preposition; or after it: a plural, a card word.
NUMBER_NAME_BEFORE = re.compile(r"(?:(?<![a-z])(?:a|an|one|two|on|my|our|single|dual)\s+|\d\s*[x×]?\s*"
                                r"|[张块台个片卡用在的]\s*|[x×]\s*|\d+\s*gb?\s*(?:的)?\s*)$")  # "24G的4090"
NOT_A_DEVICE_AFTER = re.compile(r"[\s-]*(?:tokens?|toks?|token|ms|sec|seconds?|images?|requests?|rps|qps|users?|"
                                r"examples?|samples?|records?|hours?|gb|mb|w|个|条|张图)(?![a-z])")
NUMBER_NAME_AFTER = re.compile(r"(?:s|\s*(?:gpus?|cards?|显卡|卡))(?![a-z0-9])")


def _a_device_number(text: str, m: Match) -> bool:
    """A device named by a number alone ("4090") only where it stands as a device; "4090 token
    prompts" is a count."""
    if not m.phrase.isdigit():
        return True
    if NOT_A_DEVICE_AFTER.match(text, m.end):
        return False
    noun = re.match(r"\s+([a-z]+s)(?![a-z])", text[m.end:])
    if noun and noun.group(1) not in ("gpus", "cards"):
        return False  # "the 4090 documents", "for 4090 employees": a count of them
    return bool(NUMBER_NAME_BEFORE.search(text[max(0, m.start - 12):m.start]) or NUMBER_NAME_AFTER.match(text, m.end))


def _variant_included(catalog: Catalog, family: str, include: list[str]) -> bool:
    """Whether some variant of ``family`` is included already ("4张A100 80G": the 80 GB parts), so
    owning the family includes those, not every variant."""
    return any(d in catalog.devices and catalog.devices[d].family == family for d in include)


def _next_to(text: str, a: Match, b: Match) -> bool:
    """Only spaces or hyphens between two mentions ("英伟达 L4", "L4 GPUs")."""
    between = text[a.end:b.start] if a.end <= b.start else text[b.end:a.start]
    return not between.strip(" -")


def _names(catalog: Catalog, device_or_family: str, selector: str) -> bool:
    """True when a vendor or class says nothing more than the device named beside it: "NVIDIA L4",
    "L4 GPUs" name the L4 only."""
    devices = [catalog.devices[device_or_family]] if device_or_family in catalog.devices else \
        [d for d in catalog.devices.values() if d.family == device_or_family]
    return bool(devices) and all(d.matches(selector) for d in devices)


def _names_group(text: str, m: Match, mentions: list[tuple[int, int, str]], catalog: Catalog, selector: str) -> bool:
    """True when a vendor or class says nothing more than the group of devices named right before
    it ("GeForce显卡", "GeForce cards": the GeForce line, not every GPU)."""
    group = [key for start, end, key in mentions
             if end <= m.start and not text[end:m.start].strip(" -的") and key in catalog.devices]
    return bool(group) and all(catalog.devices[key].matches(selector) for key in group)


def _names_another_model(text: str, m: Match) -> bool:
    """True when a name without digits is followed by a model number: "raspberry pi 4"."""
    return not re.search(r"\d", m.phrase) and bool(OTHER_MODEL_NUMBER.match(text, m.end))


def _device_groups(lexicon: Lexicon, space: Workspace, catalog: Catalog,
                   reading: HardwareReading) -> list[tuple[int, int, str]]:
    """"on Hopper GPUs", "no consumer GPUs": each catalog device of the group, as mentions of one
    place (so a negation before it rules them all out); a group the catalog holds no device of
    is an unknown name."""
    groups = lexicon["device_groups"]
    out = []
    for m in _group_phrases(lexicon).scan(space.masked):
        if re.match(r"\s*(?:altra|computing)(?![a-z])", space.masked[m.end:]):
            continue  # Ampere Computing's Altra CPUs, not NVIDIA's Ampere
        where = groups[m.key]["where"]
        if "classes" in where:  # "no accelerators": device classes, not devices
            space.mask(m.start, m.end)
            classes = [c.strip() for c in where["classes"].split(",")]
            reading.assumptions.append(f"'{m.phrase}': read as the device classes {', '.join(classes)}")
            out += [(m.start, m.end, c) for c in classes]
            continue
        ids = sorted(d.id for d in catalog.devices.values() if _in_group(d, where))
        space.mask(m.start, m.end)
        if not ids:
            reading.unknown.append((m.phrase, []))
            continue
        reading.assumptions.append(f"'{m.phrase}': read as the catalog's {m.key} devices: {', '.join(ids)}")
        out += [(m.start, m.end, device) for device in ids]
    return out


def _architecture_floors(lexicon: Lexicon, space: Workspace, catalog: Catalog, reading: HardwareReading) -> None:
    """"no GPUs older than Ampere", "nothing older than Hopper", "Ampere or newer", "Ampere+": the
    devices of that architecture generation and later are required (lexicon
    ``architecture_generations``); the phrase, with its "no GPUs", rules nothing out ("no GPUs" was
    read as no GPU at all)."""
    pattern, ranks, words = _architecture_floor_pattern(lexicon)
    for m in pattern.finditer(space.masked):
        written = m.group("a") or m.group("b")
        floor = ranks[words[written]]
        ids = sorted(d.id for d in catalog.devices.values()
                     if d.architecture is not None and ranks.get(d.architecture.name, -1) >= floor)
        space.mask(m.start(), m.end())
        if not ids:
            reading.unknown.append((m.group(0), []))
            continue
        reading.include += [i for i in ids if i not in reading.include]
        reading.assumptions.append(f"'{m.group(0)}': read as {words[written]} or a later generation: {', '.join(ids)}")


@lru_cache(maxsize=2)
def _architecture_floor_pattern(lexicon: Lexicon) -> tuple[re.Pattern, dict[str, int], dict[str, str]]:
    """The floor phrases' pattern, each architecture's generation rank, and each word's architecture."""
    ranks = {arch: rank for rank, generation in enumerate(lexicon["architecture_generations"]) for arch in generation}
    words = {str(w): key for key, group in lexicon["device_groups"].items() if key in ranks for w in group["words"]}
    names = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(
        rf"(?<![a-z])(?:(?:no|nothing|none|not|never)\s+(?:[a-z]+\s+){{0,2}}?(?:older|earlier|before)\s+(?:than\s+)?"
        rf"(?:the\s+)?(?P<a>{names})|(?P<b>{names})(?:\s+(?:gpus?|cards?))?\s*(?:\+|or\s+(?:newer|later|above)|"
        rf"and\s+(?:newer|later|up)))(?![a-z])")
    return pattern, ranks, words


@lru_cache(maxsize=2)
def _group_phrases(lexicon: Lexicon) -> PhraseSet:
    return PhraseSet({k: g["words"] for k, g in lexicon["device_groups"].items()})


def _in_group(device, where: dict[str, str]) -> bool:
    """Whether every field in ``where`` has the value given (as text): an architecture by its
    name, a flag by "true"/"false", ``id_matches`` a pattern the device's id starts with (a product line)."""
    def field(name: str) -> str:
        value = getattr(device, name)
        value = getattr(value, "name", None) if name == "architecture" else getattr(value, "value", value)
        return str(value).lower()
    return all(re.match(str(value), device.id) if name == "id_matches" else field(name) == str(value).lower()
               for name, value in where.items())


def _memory_in_name(catalog: Catalog, text: str, m: Match) -> int:
    """Where a device's name ends: past a memory size that is the device's own ("RTX 4090 24GB",
    "Jetson AGX Orin 64GB"), which names the device and bounds nothing."""
    size = MEMORY_IN_NAME.match(text, m.end)
    if size is None:
        return m.end
    devices = [catalog.devices[m.key]] if m.key in catalog.devices else \
        [d for d in catalog.devices.values() if d.family == m.key]
    return size.end() if any(d.memory_gb and d.memory_gb.value == float(size.group(1)) for d in devices) else m.end


def _variants_of_size(catalog: Catalog, text: str, m: Match) -> list[str]:
    """A family named with a memory size only some of its variants have ("H100 80GB": the SXM and
    PCIe parts, not the 94 GB NVL): those variants; else the name's own id. (A count of it owned
    stays the family's: an inventory holds one id.)"""
    size = MEMORY_IN_NAME.match(text, m.end)
    members = [d for d in catalog.devices.values() if d.family == m.key]
    if size is None or not members:
        return [m.key]
    fitting = sorted(d.id for d in members if d.memory_gb and d.memory_gb.value == float(size.group(1)))
    return fitting if fitting and len(fitting) < len(members) else [m.key]


def _names_another_variant(text: str, m: Match) -> bool:
    """True when a variant word follows a device name that none of the device's names holds:
    "Apple M2 Ultra" is not the M2 and "RTX 4090 Ti" not the 4090 (a name that holds the word,
    "H100 NVL", matched whole, being the longest)."""
    after = NAME_TOKEN.match(text, m.end)
    counted_cap = CAP_AFTER.match(text, m.end) and re.search(r"\d\s*[x×]?\s*$", text[:m.start])  # "4 H100s max"
    return bool(after) and after.group(1) in DEVICE_SUFFIXES and not counted_cap


#: Machines named before a count of devices each holds: "2 servers with 8 H100s each", "two nodes of
#: 8x H100", "2 nodes with 8 A100 each".
MACHINES_BEFORE = re.compile(r"(?<![\d.,])(\d+)\s+(?:servers?|nodes?|machines?|boxes|hosts)\s+"
                             r"(?:each\s+)?(?:with|of|having|holding|containing)\s+$")
#: A count of devices "each" after the device: "... with 8 A100 each" (the machines named before).
EACH_AFTER_DEVICE = re.compile(r"s?\s+(?:each|apiece|per\s+(?:server|node|machine|box|host))(?![a-z])")
MACHINES_ANYWHERE = re.compile(r"(?<![\d.,])(\d+)\s+(?:servers?|nodes?|machines?|boxes|hosts)(?![a-z])"
                               r"|(?<![\d.,])(\d+)\s*台")
#: "each" right before a device count, the machines named earlier: "2 servers, each with a single H100",
#: "两台服务器，每台单卡4090".
EACH_BEFORE_COUNT = re.compile(r"(?:(?<![a-z])each(?:\s+(?:with|has|having|holding))?|每台|每个节点|每个服务器|每台服务器)\s*$")
#: Chinese: "两台H100服务器（每台8卡）": the machines before the device, the devices each after it.
EACH_MACHINE_CN = re.compile(r"\s*(?:服务器|机器|节点|主机)?\s*[（(,，]?\s*每(?:台|个节点|个)\s*(\d+)\s*(?:卡|张|块)[）)]?")
#: A machine's devices written after the device, its machines counted before ("两台H100 8卡机器"): N a machine.
CARDS_MACHINE_AFTER_CN = re.compile(r"\s*(\d+)\s*(?:卡|张|块)\s*(?:的)?\s*(?:服务器|机器|节点|主机|整机)")


def _per_machine(space: Workspace, m: Match, count: int, span: tuple[int, int]) -> tuple[int, tuple[int, int]]:
    """A count of devices that is each machine's, times the machines: "2 servers with 8 H100s
    each" is 16 (it was 8), "两台H100服务器（每台8卡）" 16 (it was 2 and a cap of 8). The span grows
    to hold the machines, so no other rule reads them."""
    text = space.masked
    cn = EACH_MACHINE_CN.match(text, m.end)
    if cn and re.search(r"台\s*$", text[span[0]:m.start]):  # the count before was machines ("两台")
        return count * int(cn.group(1)), (span[0], cn.end())
    cards = CARDS_MACHINE_AFTER_CN.match(text, _memory_end(text, m))
    if cards and re.search(r"台\s*$", text[span[0]:m.start]):  # "两台H100 8卡机器": 2 machines of 8
        return count * int(cards.group(1)), (span[0], cards.end())
    before = MACHINES_BEFORE.search(text[max(0, span[0] - 40):span[0]])
    if before:
        return count * int(before.group(1)), (span[0] - (len(text[max(0, span[0] - 40):span[0]]) - before.start()),
                                               span[1])
    each = EACH_AFTER_DEVICE.match(text, m.end)
    if each:
        machines = [x for x in MACHINES_ANYWHERE.finditer(text[:span[0]])]
        if machines:
            return count * _machines(machines[-1]), (span[0], m.end + each.end() - m.end)
    if EACH_BEFORE_COUNT.search(text[max(0, span[0] - 24):span[0]]):  # "2 servers, each with a single H100"
        sentence = re.split(r"[.;。；]", text[:span[0]])[-1]  # the machines in the same sentence
        machines = list(MACHINES_ANYWHERE.finditer(sentence))
        # and nothing else counted between them and "each" ("4 nodes, 3 replicas each with 2 H100s")
        if machines and not re.search(r"\d+\s*[a-z]+s(?![a-z])", sentence[machines[-1].end():]):
            return count * _machines(machines[-1]), span
    return count, span


def _memory_end(text: str, m: Match) -> int:
    """Where a device's name ends, a memory size written after it included ("A100 80G")."""
    size = re.match(r"\s*\d+\s*(?:gb|g)(?![a-z])", text[m.end:])
    return m.end + size.end() if size else m.end


def _machines(found: re.Match) -> int:
    """The count of a MACHINES_ANYWHERE match ("2 servers" or "2台")."""
    return int(found.group(1) or found.group(2))


#: Machines named right after the device, their devices uncounted: "2 H100 nodes", "3台A100服务器"
#: (plural in English: "an 8x H100 node" counts devices; Chinese with 台 before the device).
MACHINES_AFTER_DEVICE = re.compile(r"s?(?:\s+(?:gpu|accelerator)s?)?\s*(?P<en>nodes|servers|machines|boxes|hosts)(?![a-z])"
                                   r"|\s*(?P<cn>服务器|机器|节点|主机)")
#: A count written as devices, not machines: "8x H100", "8 × H100", "8卡", "8张".
COUNT_OF_DEVICES = re.compile(r"[x×*]\s*$|[卡张块片]\s*$")


def _machines_of_unstated_size(space: Workspace, catalog: Catalog, m: Match, count: int, span: tuple[int, int],
                               reading: HardwareReading) -> tuple[int, tuple[int, int]]:
    """A count of machines of a device whose devices each holds are not stated ("2 H100 nodes",
    "3台A100服务器"): each is read as the largest group of the device the catalog knows in one
    machine (an HGX board of 8 H100, a workstation of 4 RTX 4090; 1 for a board with no group),
    and the intent says so. It was 2 H100 for two nodes."""
    end = _memory_in_name(catalog, space.masked, m)
    machines = MACHINES_AFTER_DEVICE.match(space.masked, end)
    counted = space.masked[span[0]:m.start]
    if (machines is None or NODES_OF_DEVICES.search(counted)  # "two 8-GPU H100 nodes": counted
            or COUNT_OF_DEVICES.search(counted.strip() + " ")  # "8x H100 node", "8卡H100服务器": devices
            or (machines.group("cn") and "台" not in counted)):
        return count, span
    devices = [catalog.devices[m.key]] if m.key in catalog.devices else \
        [d for d in catalog.devices.values() if d.family == m.key]
    each = max((int(d.max_group.value) for d in devices if d.max_group is not None), default=1)
    if each == 1:  # a board a machine ("3 Jetson nodes")
        return count, (span[0], machines.end())
    written = space.text[span[0]:machines.end()].strip()
    reading.assumptions.append(f"'{written}': {count} machine{'s' if count > 1 else ''} of {m.key}, how many each "
                               f"holds not stated: read as {each} each (the most the catalog links in one machine), "
                               f"{count * each} in all; say how many each holds ('{count} nodes of {each} {m.phrase}')")
    return count * each, (span[0], machines.end())


def _count(lexicon: Lexicon, text: str, m: Match) -> tuple[int | None, tuple[int, int]]:
    """The count written right before ("4 A100s", "4×A100", "8张H100") or after ("H100 x8") a device."""
    counters = "|".join(re.escape(str(c)) for c in lexicon["device_counters"])
    window = text[max(0, m.start - 24):m.start]
    nodes = NODES_OF_DEVICES.search(window) or SERVERS_TIMES.search(window)  # "两台8卡A100", "2x8xH100", "4 servers x 8"
    if nodes:
        count = _int(nodes.group(1)), _int(nodes.group(2))
        return (None if None in count else count[0] * count[1]), (m.start - len(window) + nodes.start(), m.start)
    single = re.search(rf"(?<![a-z0-9_-])(?:(?:a|one)\s+)?single[\s-]*{BRAND_BETWEEN}\s*$|单(?:张|块|个|卡)\s*{BRAND_BETWEEN}\s*$",
                       window)
    if single:  # "on a single H100", "单张A100": one, as "on one H100" is
        return 1, (m.start - len(window) + single.start(), m.start)
    held_one = re.search(rf"(?<![a-z])(?:we|i)\s+(?:have|own|got|already\s+have)\s+(?:a|an)\s+{BRAND_BETWEEN}\s*$", window)
    if held_one:  # "we have a Jetson Orin Nano": one held (it had been asked for, not held)
        return 1, (m.start - len(window) + held_one.start(), m.start)
    clause = text[max(0, m.start - 80):m.start]
    held_also = re.search(rf"(?<![a-z])(?:and|plus)\s+(?:a|an|one)\s+{BRAND_BETWEEN}\s*$", window)
    if held_also and OWNING_BEFORE.search(clause):  # "I have 2 T4s and a Jetson AGX Orin": the Orin held too
        return 1, (m.start - len(window) + held_also.start(), m.start)
    # the card's memory may stand between: "一张24G的4090", "2 24GB 4090s"
    before = re.search(rf"(?<![\d.])(?<!\d,)(\d[\d,]*)\s*(?:{counters})?\s*(?:\d+\s*gb?\s*(?:的)?\s*)?{BRAND_BETWEEN}\s*$",
                       window)
    if before:
        # a comma that no three digits follow ends a number: "ResNet-50，8张A100" is 8, not 508
        literal = NOT_THOUSANDS.split(before.group(1))[-1]
        start = before.end(1) - len(literal)
        return _int(literal), (m.start - len(window) + start, m.start)
    after = (re.match(r"\s*[x×*]\s*(\d+)(?![\d.])", text[m.end:m.end + 12]) or OF_THEM.match(text[m.end:m.end + 40])
             or WE_HAVE_AFTER.match(text[m.end:m.end + 30]) or COUNTED_AFTER_CN.match(text[m.end:m.end + 12]))
    if after:
        return _int(after.group(1)), (m.end, m.end + after.end())
    return None, (m.start, m.start)


#: A count right after the devices it counts, an ownership word between at most: "on H200s we own (16 of
#: them)", "H100s, 8 of them", "T4s, up to six of them" (not "on L4s for our users, 10 of them concurrent": those count the users).
OF_THEM = re.compile(r"s?\s*(?:(?:that\s+|which\s+)?(?:we|i)\s+(?:own|have|run|got)|available|in\s+house)?\s*[,(]?\s*"
                     r"(?:up\s+to\s+|at\s+most\s+|about\s+|around\s+)?(\d+)\s+of\s+them(?![a-z])\s*\)?")


#: A Chinese count right after the devices it counts: "H100八卡集群" (by now "h100 8卡集群"), "A100四张".
COUNTED_AFTER_CN = re.compile(r"\s*(\d+)\s*(?:张|块|卡)(?!时)")


#: A count of the devices in brackets after them: "A100s (we have 4)", "H100 (we own 16)".
WE_HAVE_AFTER = re.compile(r"s?\s*\(\s*(?:we|i)\s+(?:have|own|got|run)\s+(\d+)(?![\d.])(?:\s+of\s+them)?\s*\)")


#: A capped count of devices with no noun after it, in Chinese ("最多8张", "不超过4块"): 张 also counts
#: images, but not after a cap word with nothing counted after it (it was read as 8 records).
BARE_CAP = re.compile(r"(?:最多|至多|不超过|最多用|顶多)\s*(\d+)\s*(?:张|块)(?:卡)?(?![\u4e00-\u9fff\w])")


def _device_cap(space: Workspace, reading: HardwareReading) -> None:
    """A count of devices that names none ("on a single GPU", "no more than 16 GPUs", "用4张卡跑",
    "单卡部署") caps the devices the plan may use; the smallest such count holds. So does a capped
    count of machines of such devices ("at most two 8-GPU nodes", "最多2台8卡服务器": 16) and the
    high end of a range ("4-8 GPUs"). A count of machines with no cap word ("two 8-GPU nodes") is
    left to the warnings: it is no cap; a floor ("at least 4 GPUs") is warned about."""
    for m in CLASS_HOURS.finditer(space.masked):  # "500 GPU-hours", "500 GPU 小时": a budget, not devices
        reading.notes.append(f"'{space.text[m.start():m.end()].strip()}': {DEVICE_HOURS_NOTE}")
        space.mask(m.start(), m.end())
    found = _capped_machines(space, reading) + _single_machine(space, reading) + _device_ranges(space, reading) \
        + _counted_devices(space, reading)
    for m in BARE_CAP.finditer(space.masked):  # "机房只有T4，最多8张": the cap of the devices named before
        found.append(int(m.group(1)))
        reading.assumptions.append(f"'{space.text[m.start():m.end()].strip()}': at most {m.group(1)} devices")
        space.mask(m.start(), m.end())
    if found or reading.caps:
        reading.max_devices = min(found + reading.caps)


#: One machine the deployment must fit in: "on a single node", "in one 8-GPU server", "单机部署", "单节点".
SINGLE_MACHINE = re.compile(rf"(?<![a-z])(?:a\s+)?(?:single|one|1)\s+(?:(?P<each>\d+)[\s-]*(?P<noun>{_CARDS})[\s-]*)?{_MACHINES}(?![a-z])"
                            r"|(?:单机|单节点|单台服务器|一台服务器|一台机器)(?:(?P<each_zh>\d+)\s*卡)?")
#: Words of a machine lost around "one node": "survive one node failure", "lose a server".
FAILURE_BEFORE = re.compile(r"(?:survive|tolerate|withstand|handle|lose|losing|loss\s+of)\s+(?:the\s+)?$")
FAILURE_AFTER = re.compile(r"\s*(?:failures?|failing|down|outages?|going\s+down|loss)(?![a-z])")
#: The devices a machine holds where the request does not say: an 8-GPU server (NVIDIA HGX and DGX
#: H100 and H200 boards hold 8 GPUs: https://www.nvidia.com/en-us/data-center/hgx/).
MACHINE_DEVICES = 8


def _single_machine(space: Workspace, reading: HardwareReading) -> list[int]:
    """The cap of a deployment that must fit in one machine ("on a single node": 8 devices, "one
    4-GPU server": 4); it had been dropped with no word."""
    m = next((m for m in SINGLE_MACHINE.finditer(space.masked)
              if not FAILURE_BEFORE.search(space.masked[max(0, m.start() - 24):m.start()])
              and not FAILURE_AFTER.match(space.masked, m.end())), None)
    if m is None:  # "survive one node failure" is redundancy (fields.read_spare_replicas), no cap
        return []
    each = m.group("each") or m.group("each_zh")
    count = int(each) if each else MACHINE_DEVICES
    written = space.text[m.start():m.end()].strip()
    for start, end in ([(m.start(), m.start("noun")), (m.end("noun"), m.end())] if m.group("noun") else [m.span()]):
        space.mask(start, end)  # "one 8-GPU node" still asks for GPUs
    reading.assumptions.append(f"'{written}': the plan uses at most {count} devices, one machine's"
                               + ("" if each else f" (an {MACHINE_DEVICES}-GPU server; say the count if yours "
                                                  "holds fewer, e.g. 'one 4-GPU node')"))
    return [count]


def _capped_machines(space: Workspace, reading: HardwareReading) -> list[int]:
    """The caps of capped counts of machines of a stated size ("最多2台8卡服务器": 16)."""
    found = []
    for m in MACHINES_CAPPED.finditer(space.masked):
        machines, each = (_int(next(v for v in (m.group(g), m.group(g + "2"), m.group(g + "3")) if v))
                          for g in ("machines", "each"))
        if machines and each:
            found.append(machines * each)
            reading.assumptions.append(f"'{space.text[m.start():m.end()].strip()}': the plan uses at most "
                                       f"{machines * each} devices in all ({machines} machines of {each}; no device "
                                       "is named, so any that fits)")
            noun = next((g for g in ("noun", "noun2") if m.group(g)), None)  # "GPUs" still asks for a GPU
            for start, end in ([(m.start(), m.start(noun)), (m.end(noun), m.end())] if noun else [m.span()]):
                space.mask(start, end)
            space.mark_read(m.start(), m.end())
    return found


def _device_ranges(space: Workspace, reading: HardwareReading) -> list[int]:
    """The high ends of ranges of devices counted ("4-8 GPUs", "4到8张卡"), the low ends warned about."""
    found = []
    for m in DEVICE_RANGE.finditer(space.masked):
        high = _int(m.group("high"))
        if high:
            found.append(high)
            reading.notes.append(_floor_unplanned(space.text[m.start():m.end()], high, m.group("low")))
            space.mask(m.start(), m.start("noun"))  # the noun stays: "GPUs" still asks for a GPU
            space.mark_read(m.start(), m.end())
    return found


def _counted_devices(space: Workspace, reading: HardwareReading) -> list[int]:
    """The caps of counts of devices that name none ("no more than 16 GPUs", "单卡部署"); a floor
    ("at least 4 GPUs" was read as at most 4) is warned about, and the low end of "between 4 and 8"."""
    found = []
    for m in DEVICES_COUNTED.finditer(space.masked):
        count = 1 if m.group("one") else _int(m.group("count"))
        window = max(0, m.start() - 24)
        before = space.masked[window:m.start()]
        if count and (floor := FLOOR_BEFORE.search(before)):
            reading.notes.append(f"'{space.text[window + floor.start():m.end()].strip()}': a least count of devices "
                                 "is not planned for (the plan takes the devices its load needs); say 'at most N "
                                 "GPUs' to cap them")
            space.mask(m.start(), m.end("counted") if m.group("counted") else m.end())
            space.mark_read(window + floor.start(), m.end())
            continue
        if count and re.match(r"\s*(?:优先|为佳|更好|最好|preferred|if possible|ideally)", space.masked[m.end():]):
            # "单卡优先", "a single GPU preferred": a wish the fewest-devices tie-breaker serves, not a cap (a hard cap
            # of one had left no plan)
            reading.assumptions.append(f"'{space.text[m.start():m.end()].strip()}' preferred: not a cap; the plan "
                                       "takes the fewest devices that meet the request")
            space.mask(m.start(), m.end("counted") if m.group("counted") else m.end())
            space.mark_read(m.start(), m.end())
            continue
        if count and (low := RANGE_LOW_BEFORE.search(before)):  # "between 4 and 8 GPUs"
            reading.notes.append(_floor_unplanned(space.text[window + low.start():m.end()], count, low.group("low")))
            space.mark_read(window + low.start(), m.start())
        if count:
            found.append(count)
            reading.assumptions.append(f"'{space.text[m.start():m.end()].strip()}': the plan uses at most {count} "
                                       f"device{'s' if count > 1 else ''} in all (no device is named, so any that fits)")
            space.mask(m.start(), m.end("counted"))  # the noun stays: "GPU" still asks for a GPU
            space.mark_read(m.start(), m.end())
    return found


def _floor_unplanned(written: str, high: int, low: str) -> str:
    return (f"'{written.strip()}': at most {high} devices; the least ({low}) is not planned for (the plan takes the "
            "devices its load needs)")


def _int(literal: str) -> int | None:
    digits = literal.replace(",", "")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None


def _own(reading: HardwareReading, space: Workspace, device: str, count: int, span: tuple[int, int]) -> None:
    quoted = space.text[span[0]:span[1]].strip()
    if not 1 <= count <= MAX_OWNED:
        reading.notes.append(f"'{quoted} {device}': a count of {count} devices is not planned for; ignored")
        return
    space.mask(*span)
    if device not in [d for d, _ in reading.owned]:
        reading.owned.append((device, count))


def _unknown_devices(lexicon: Lexicon, space: Workspace, catalog: Catalog) -> list[tuple[str, list[str]]]:
    """Device-like names that are not catalog devices ("B200", "RTX 3090", "TPU v6e", "Jetson"),
    each with the closest catalog ids. A vendor or class word alone ("TPU", "Snapdragon") is not one."""
    text = space.masked
    out: list[tuple[str, list[str]]] = []
    last_end = 0
    groups = {str(w) for group in lexicon["device_groups"].values() for w in group["words"]}
    for m in _device_families(lexicon).scan(text):
        if m.start < last_end:
            continue  # inside the name just read ("m2 ultra" in "mac studio m2 ultra")
        end, tokens = m.end, 0
        while tokens < 3 and (t := NAME_TOKEN.match(text, end)) and (
                re.search(r"\d", t.group(1)) or t.group(1) in DEVICE_SUFFIXES):
            end, tokens = t.end(), tokens + 1
        if not tokens and not re.search(r"\d", m.phrase) and lexicon.hardware_words.scan(m.phrase):
            continue
        written = space.text[m.start:end].strip()
        if written in groups:
            continue  # "Jetson", "Jetson Orin", "Gaudi": a product line, read as a group of devices
        out.append((written, suggest_devices(written, catalog)))
        space.mask(m.start, end)  # its digits are a name, not an amount ("2 RTX 3090s" is no 3090 seconds)
        last_end = end
    models = _model_names(catalog)
    for start, end in _product_names(lexicon).spans(space.masked):
        if space.text[start:end] in models:
            continue  # "run detection on resnet50": a model, not a device
        out.append((space.text[start:end], suggest_devices(space.text[start:end], catalog)))
        space.mask(start, end)
    return sorted(out, key=lambda item: space.text.find(item[0]))


class _ProductNames:
    """Product-like names of no known device family where a device stands: "XG900" in "one
    XG900 available", "an XG900 card", "4x XG900", "两张XG900". A name is letters then digits
    ("MLU370", "BR100"), never a precision or an instruction set ("fp16 GPUs", "x86 CPUs")."""

    def __init__(self, lexicon: Lexicon):
        # or an id-like name whose part after a hyphen is a product number ("myco-h100x", "acme-x1": a device
        # of a catalog not loaded); not a data set's or a version's ("imagenet-1k", "cifar-10", "gpt-4o")
        name = r"(?P<name>[a-z]{1,6}-?\d{2,5}[a-z]{0,3}?|[a-z][a-z0-9]*(?:-[a-z0-9]+)*-[a-z]+\d+[a-z]*(?:-[a-z0-9]+)*)s?"
        nouns = "|".join(re.escape(w) for w in sorted(lexicon["device_nouns"], key=len, reverse=True))
        counts = "|".join(re.escape(w) for w in sorted(lexicon["number_words"], key=len, reverse=True))
        held = "|".join(re.escape(w) for w in lexicon["device_held_words"])
        self.not_names = frozenset(str(w) for w in lexicon["not_device_names"]) | frozenset(
            str(n) for d in lexicon["named_datasets"].values() for n in d["names"])
        self.patterns = [
            re.compile(rf"(?<![\w.-]){name}\s*(?:{nouns})(?![a-z])"),  # "an XG900 card", "XG900 GPUs"
            re.compile(rf"(?<![\w.-])(?:\d+|{counts}|a single|single|an?)\s+{name}\s+(?:{held})(?![a-z])"),
            re.compile(rf"(?<![\w.-])\d+\s*(?:x\s+|×\s*){name}(?![\w.-])"),  # "4x XG900", "4 × XG900"
            re.compile(rf"(?:张|块|台|片){name}"),  # "两张XG900"
            # "on RK3588 at 30 fps", "在RK3588上跑": a place to run on
            re.compile(rf"(?:(?<![a-z])on\s+(?:an?\s+|the\s+)?|在\s*){name}(?:\s*上|(?=\s*(?:at|with|,|，|;|$|boards?)(?![a-z])))"),
        ]

    def spans(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        for pattern in self.patterns:
            for m in pattern.finditer(text):
                span = m.span("name")
                if m.group("name") not in self.not_names and not any(a < span[1] and span[0] < b for a, b in found):
                    found.append(span)
        return sorted(found)


@lru_cache(maxsize=4)
def _model_names(catalog: Catalog) -> frozenset[str]:
    """The catalog's model ids and aliases, lowercased."""
    return frozenset(name.lower() for m in catalog.models.values() for name in (m.id, *m.aliases))


@lru_cache(maxsize=4)
def _product_names(lexicon: Lexicon) -> _ProductNames:
    return _ProductNames(lexicon)


@lru_cache(maxsize=4)
def _device_families(lexicon: Lexicon) -> PhraseSet:
    return PhraseSet({"device": lexicon["device_families"]}, plural=True)


#: A device class written after its vendor ("NVIDIA GPUs", "Intel CPUs") or a vendor after its
#: class ("GPUs from NVIDIA"): one group of devices, those of both.
VENDOR_THEN_CLASS = re.compile(r"^[\s-]*(?:的)?[\s-]*$")
CLASS_THEN_VENDOR = re.compile(r"^s?\s+(?:from|by|made by|of)\s+$")
CLASSES = ("cpu", "gpu", "npu", "tpu", "fpga")


def _sides(lexicon: Lexicon, space: Workspace, mentions: list[tuple[int, int, str]], reading: HardwareReading,
           negated, catalog: Catalog) -> None:
    """Each mention is required or forbidden: by the negation before it, or like the previous one
    when only a filler ("and", "or", ",") separates them. A vendor's class ruled out ("no NVIDIA
    GPUs", "no Intel CPUs") rules out the devices of both, not every device of either."""
    runs: list[list[tuple[int, int, str]]] = []  # mentions joined by fillers ("AMD or Intel") share a side
    for mention in mentions:
        last = runs[-1][-1] if runs else None
        between = space.text[last[1]:mention[0]] if last else ""
        if last and last[1] >= space.clause_bounds(mention[0])[0] and (
                FILLER.match(between) or (last[2] in CLASSES and CLASS_THEN_VENDOR.match(between.lower()))):
            runs[-1].append(mention)
        else:
            runs.append([mention])
    previous_end = 0
    for run in runs:
        start, end = run[0][0], run[-1][1]
        window = max(space.clause_bounds(start)[0], previous_end)
        is_excluded = (negated(lexicon, space.text, start, window) or negated_after(lexicon, space, end)
                       or _any_but(space, start, end))
        if not is_excluded and ALLOWED_AFTER.match(space.text, end) and _ruled_out_before(space, start, reading):
            # "can't use H100s, L40S ok": allowed beside what is ruled out, not the only device asked for (it had
            # planned the L40S alone, at 2.5 times the cost)
            reading.assumptions.append(f"'{space.text[start:end].strip()}' said to be fine: allowed, not required")
            previous_end = end
            continue
        target = reading.exclude if is_excluded else reading.include
        tags = _vendors_classes(space.text, run, catalog) if is_excluded else [tag for _, _, tag in run]
        avoided = is_excluded and _wished(lexicon, space, start)
        for tag in tags:
            if tag not in target:
                target.append(tag)
            if not is_excluded and _preferred(lexicon, space, start, end) and tag not in reading.preferred:
                reading.preferred.append(tag)
            if avoided and tag not in reading.avoided:
                reading.avoided.append(tag)
        previous_end = end


#: Words after a device that allow it rather than ask for it: "L40S ok", "A100s are fine too", "L4也行".
ALLOWED_AFTER = re.compile(r"s?\s*(?:is|are)?\s*(?:ok|okay|fine|acceptable|allowed)(?:\s+too|\s+as\s+well)?(?![a-z])"
                           r"|s?\s*(?:也行|也可以|可以|没问题)", re.IGNORECASE)


def _ruled_out_before(space: Workspace, start: int, reading: HardwareReading) -> bool:
    """Whether the request rules a device out before ``start`` (an allowed device then widens, not narrows)."""
    return bool(reading.exclude) or bool(re.search(r"(?<![a-z])(?:can'?t|cannot|can not|no|not|don'?t)\s+(?:use\s+)?",
                                                     space.text[:start]))


def _vendors_classes(text: str, run: list[tuple[int, int, str]], catalog: Catalog) -> list[str]:
    """The selectors a run rules out, a vendor next to a class ("NVIDIA GPUs", "GPUs from NVIDIA")
    as the devices of both: the vendor when all its devices are of the class, else their ids."""
    tags: list[str] = []
    i = 0
    while i < len(run):
        (_, a_end, a), nxt = run[i], run[i + 1] if i + 1 < len(run) else None
        pair = None
        if nxt is not None and a not in CLASSES and nxt[2] in CLASSES and VENDOR_THEN_CLASS.match(text[a_end:nxt[0]]):
            pair = a, nxt[2]
        elif nxt is not None and a in CLASSES and nxt[2] not in CLASSES and CLASS_THEN_VENDOR.match(
                text[a_end:nxt[0]].lower()):
            pair = nxt[2], a
        if pair is None or pair[0] in catalog.selector_ids():
            tags.append(a)
            i += 1
            continue
        vendor, device_class = pair
        theirs = [d for d in catalog.devices.values() if d.matches(vendor)]
        both = [d.id for d in theirs if d.matches(device_class)]
        tags += [vendor] if len(both) == len(theirs) else both
        i += 2
    return tags


#: Words joining a host board to the accelerator plugged into it: "a Raspberry Pi 5 with a Hailo-8".
HOSTS = re.compile(r"(?:s|\s+(?:boards?|units?|kits?))?\s*,?\s*(?:each\s+)?(?:with|plus|\+|and|running|using|配|加|搭配|带|接)"
                   r"\s*(?:an?|the|one|its|一个|一块|一张)?\s*$")


def _hosted_accelerators(space: Workspace, catalog: Catalog, devices: list[Match], reading: HardwareReading) -> None:
    """A board named with the accelerator module plugged into it ("a Raspberry Pi 5 with a
    Hailo-8", "Jetson Orin Nano + Coral"): the accelerator runs the model and the board hosts it,
    so only the accelerator is planned on (and owned, when the board was). It planned the model on
    the Pi's CPU, the Hailo-8 an alternative."""
    for host, module in zip(devices, devices[1:]):
        board, accelerator = catalog.devices.get(host.key), catalog.devices.get(module.key)
        if (board is None or accelerator is None or board.form_factor != "edge" or board.host_link_gbs
                or not accelerator.host_link_gbs or not HOSTS.fullmatch(space.text[host.end:module.start])
                or board.id not in reading.include or accelerator.id not in reading.include):
            continue
        reading.include.remove(board.id)
        owned = dict(reading.owned)
        if board.id in owned:
            count = owned.pop(board.id)
            owned.setdefault(accelerator.id, count)
            reading.owned = list(owned.items())
        reading.assumptions.append(f"'{space.text[host.start:module.end].strip()}': the {board.name} hosts the "
                                   f"{accelerator.name}, which runs the model: planned on it (the host's own power "
                                   "and price are not in the plan)")


def _providers_ruled_out(lexicon: Lexicon, space: Workspace, catalog: Catalog, reading: HardwareReading,
                         negated) -> None:
    """"not on AWS", "不要用AWS": the provider's own chips are ruled out (it was planned on
    Inferentia2). The cloud-terms warning still says providers are not planned for."""
    for m in lexicon.phrases("cloud_provider_vendors").scan(space.text):
        clause_start = space.clause_bounds(m.start)[0]
        if not (negated(lexicon, space.text, m.start, clause_start) or negated_after(lexicon, space, m.end)):
            continue
        chips = sorted(d.id for d in catalog.devices.values() if d.vendor == m.key)
        # its own parts of another vendor's make too ("avoid amazon": the A10G of EC2 G5)
        parts = [d for key, spec in lexicon["cloud_providers"].items() if key.split()[0] == m.key
                 for d in spec["only_there"] if d in catalog.devices and catalog.devices[d].vendor != m.key]
        if not lexicon.words("cloud_terms").scan(m.phrase):
            space.mark_read(m.start, m.end)  # a provider word the cloud-terms warning does not quote
        if chips and m.key not in reading.exclude:
            reading.exclude.append(m.key)
            reading.exclude.extend(d for d in parts if d not in reading.exclude)
            reading.assumptions.append(f"'{m.phrase}' ruled out: so are its own chips ({', '.join(chips + parts)})")


def _wished(lexicon: Lexicon, space: Workspace, start: int) -> bool:
    """Whether the clause of a device ruled out says it is only a wish ("no NVIDIA if possible",
    "prefer non-NVIDIA hardware", "尽量不用英伟达", "最好别用AMD")."""
    clause_start, clause_end = space.clause_bounds(start)
    return bool(lexicon.words("avoided_words").scan(space.text[clause_start:clause_end]))


def _preferred(lexicon: Lexicon, space: Workspace, start: int, end: int) -> bool:
    """A preference word right before the mention, only filler words between (lexicon
    ``preferred_fillers``: "prefer to run on AMD", not "prefer low latency on H100"), or right
    after it, ending its clause ("H100 preferred", "H100 first, then A100", "国产芯片优先")."""
    clause_start, clause_end = space.clause_bounds(start)
    before = space.text[clause_start:start]
    found = lexicon.words("preferred_before").scan(before)
    if found and all(w in lexicon["preferred_fillers"] for w in before[found[-1].end:].split()) \
            and (before.isascii() or len(before) - found[-1].end <= 3):
        return True  # "prefer to run on AMD", not "prefer low latency on H100"
    after = space.text[end:clause_end]
    found = lexicon.words("preferred_after").scan(after)
    # "CPU only if possible": "only" before the wish is no word of its own
    return bool(found) and not re.sub(r"(?<![a-z])only(?![a-z])", "", after[:found[0].start]).strip(" s") and (
        not after[found[0].end:].strip() or bool(re.match(r"\s*(?:,|;|then\b|if\b|but\b)", after[found[0].end:]))
        or not after.isascii())  # "H100 first, then A100", not "on H100 first token latency"



def _any_but(space: Workspace, start: int, end: int) -> bool:
    """Whether "any ... but" stands right before this mention ("but" starts a clause of its own,
    so the words before it are read directly; no punctuation may stand between)."""
    return bool(ANY_BUT.search(space.text[max(0, start - 40):start]) and not PREFERRED_AFTER.match(space.text[end:]))
