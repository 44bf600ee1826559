"""Follow-ups that only the request before them gives a meaning to, read when the parser finds
nothing it can plan on in them alone:

- a model size alone ("switch to the 8b", "改成 14b", "用 70b 的") is the current model at that
  size: the same id with the size changed, else any catalog model of that size;
- users ("make it 100 users") are the concurrency, where the request already gives one;
- the load scaled ("double the traffic", "3x the load", "流量翻倍") scales the request's rate,
  else its concurrency;
- a device count ("can we do it with 4?", "we only have 4 of them", "只有4张") is the count of
  the one device type owned, else a cap on the devices.

Each gives a follow-up Intent that intent.chat_merge merges as it merges a parsed one, with a
note saying how it was read.
"""

from __future__ import annotations

import re

from intent.schema import Constraint, Intent, Metric, Workload

#: A model size on its own: "the 8b", "70B", "14b 的".
SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*b(?![a-z0-9])", re.IGNORECASE)
#: Users or sessions counted: "100 users", "200 个用户".
USERS = re.compile(r"(?<![\d.,])(\d[\d,]*)\s*(k)?\s*(?:concurrent\s+)?(?:users|sessions|个?用户|人)", re.IGNORECASE)
#: The load scaled: "double the traffic", "3x the load", "traffic x2", "流量翻倍".
LOAD_WORDS = r"(?:traffic|load|rate|throughput|requests|qps|rps|users|concurrency)"
SCALED = re.compile(rf"(?<![a-z])(?P<word>double|triple|quadruple|halve)\s+(?:the\s+|our\s+)?{LOAD_WORDS}"
                    rf"|(?<![\d.])(?P<times>\d+(?:\.\d+)?)\s*(?:x|×|times)\s+(?:the\s+|our\s+)?{LOAD_WORDS}"
                    rf"|{LOAD_WORDS}\s*(?:x|×)\s*(?P<after>\d+(?:\.\d+)?)(?![\d.])"
                    r"|(?P<zh>翻倍|翻一番|增加一倍|加倍|翻两番|减半)", re.IGNORECASE)
FACTORS = {"double": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5,
           "翻倍": 2.0, "翻一番": 2.0, "增加一倍": 2.0, "加倍": 2.0, "翻两番": 4.0, "减半": 0.5}
#: A device count against the current devices: "with 4?", "only have 4 (of them)", "只有4张", "用4张".
COUNT = re.compile(r"(?<![a-z])(?:with(?:\s+just|\s+only)?|only\s+have|have\s+only|just\s+have|only)\s+(\d+)"
                   r"(?:\s+of\s+them|\s+(?:gpus?|cards?|devices?|chips?|boards?))?(?![\d.])"
                   r"|(?:只有|只用|用|就)\s*(\d+)\s*(?:张|块|台|个|卡)", re.IGNORECASE)


def read_in_context(message: str, current: Intent, catalog) -> Intent | None:
    """``message`` as a change to ``current`` (see the module docstring); None when it is none."""
    for reader in (_size, _users, _scaled_load, _count):
        update = reader(message, current, catalog)
        if update is not None:
            return update
    return None


def _size(message: str, current: Intent, catalog) -> Intent | None:
    found = SIZE.search(message)
    if found is None or not (current.workload.model or current.workload.models):
        return None
    size = found.group(1)
    base = current.workload.model or current.workload.models[0]
    swapped = re.sub(r"(?<![\d.])\d+(?:\.\d+)?b(?=$|-)", f"{size.lower()}b", base)
    if swapped != base and swapped in catalog.models:
        return Intent(text=message, workload=Workload(model=swapped),
                      assumptions=[f"'{found.group(0).strip()}' read as {swapped}: {base} at that size"])
    from intent.api import parse
    from intent.errors import IntentNotUnderstood

    try:
        sized = parse(f"a {size}B model", offline=True)
    except IntentNotUnderstood:
        return None
    return sized.model_copy(update={"text": message, "assumptions": [
        f"'{found.group(0).strip()}' read as a {size}B model: {base} comes in no such size"]})


def _users(message: str, current: Intent, catalog) -> Intent | None:
    found = USERS.search(message)
    if found is None or current.workload.concurrency is None:
        return None
    users = int(found.group(1).replace(",", "")) * (1000 if found.group(2) else 1)
    return Intent(text=message, workload=Workload(concurrency=users),
                  assumptions=[f"'{found.group(0).strip()}' read as {users} concurrent users, as the request "
                               f"counts its users ({current.workload.concurrency} before)"])


def _scaled_load(message: str, current: Intent, catalog) -> Intent | None:
    found = SCALED.search(message)
    if found is None:
        return None
    factor = float(found.group("times") or found.group("after") or 0) or FACTORS[(found.group("word")
                                                                                   or found.group("zh")).lower()]
    said = found.group(0).strip()
    rates = [c for c in current.constraints if c.metric == Metric.THROUGHPUT and c.op == ">="]
    if rates:
        rate = rates[-1]
        value = rate.value * factor
        return Intent(text=message, constraints=[Constraint(metric=Metric.THROUGHPUT, op=">=", value=value,
                                                            unit=rate.unit, source=said)],
                      assumptions=[f"'{said}' read as a rate of {value:g} {rate.unit or 'rps'} ({rate.value:g} x "
                                   f"{factor:g})"])
    if current.workload.concurrency is not None:
        users = max(1, round(current.workload.concurrency * factor))
        return Intent(text=message, workload=Workload(concurrency=users),
                      assumptions=[f"'{said}' read as {users} concurrent users "
                                   f"({current.workload.concurrency} x {factor:g})"])
    return None


def _count(message: str, current: Intent, catalog) -> Intent | None:
    found = COUNT.search(message)
    if found is None:
        return None
    count = int(found.group(1) or found.group(2))
    if count < 1:
        return None
    said, owned = found.group(0).strip(), current.hardware.owned
    if len(owned) == 1:
        device = owned[0].device
        hardware = current.hardware.model_copy(update={"owned": [owned[0].model_copy(update={"count": count})]})
        note = f"'{said}' read as {count} x {device} owned ({owned[0].count} before)"
    elif current.hardware.include or current.hardware.max_devices is not None:
        hardware = current.hardware.model_copy(update={"max_devices": count, "owned": []})
        note = f"'{said}' read as at most {count} devices"
    else:
        return None
    return Intent(text=message, hardware=hardware, assumptions=[note])
