"""What each user sends: a count per user ("2k users/day, each ~20 msgs") or an interval ("100 concurrent
users, each sends a msg every 30s"). Both make the request rate, which the count of users alone does not:
the first multiplies a rate of users into one of messages (it had planned one message a user), the second
turns users at once into a rate (the 30 s had been read as a latency bound)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from intent.parser.text import Workspace
from intent.schema import CANONICAL_UNITS, Constraint, Metric

_MESSAGES = (r"(?:msgs?|messages?|requests?|reqs?|queries|query|questions?|prompts?|chats?|calls?|conversations?|"
             r"次(?:请求|提问|对话|调用)?|条(?:消息|请求)?|个(?:问题|请求))")
_ABOUT = r"(?:~\s*|about\s+|around\s+|roughly\s+|approx\.?\s+|大约|约|大概|平均)?"
_PERSON = r"(?:user|person|customer|visitor|member|employee|agent|seat)"

#: "each ~20 msgs", "20 messages per user per day", "each user sends about 20 queries", "每人每天20次提问".
EACH_SENDS = re.compile(
    rf"(?<![a-z])(?:each(?:\s+{_PERSON})?|every\s+{_PERSON}|per\s+{_PERSON}|a\s+{_PERSON})\s+(?:sends?\s+|makes?\s+|asks?\s+|"
    rf"has\s+|does\s+)?{_ABOUT}(?P<n>\d+(?:\.\d+)?)\s*{_MESSAGES}(?![a-z])"
    rf"|(?<![\d.])(?P<n2>\d+(?:\.\d+)?)\s*{_MESSAGES}\s+(?:per|each|a|/)\s*{_PERSON}(?![a-z])"
    rf"|(?:每人|每个人|每位用户|每个用户|每用户|人均)\s*(?:每天|每日)?\s*{_ABOUT}(?P<n3>\d+(?:\.\d+)?)\s*{_MESSAGES}")
#: "each user sends a msg every 30s", "users send one request every 2 minutes", "每个用户每30秒发一条消息".
EVERY_INTERVAL = re.compile(
    rf"(?<![a-z])(?:each(?:\s+{_PERSON})?|every\s+{_PERSON}|users?|they|a\s+{_PERSON})\s+(?:sends?|makes?|asks?|submits?|"
    rf"fires?|issues?)\s+(?:a|an|one|1)\s+{_MESSAGES}\s+every\s+{_ABOUT}(?P<n>\d+(?:\.\d+)?)\s*"
    rf"(?P<unit>s|secs?|seconds?|mins?|minutes?)(?![a-z])"
    rf"|(?:每个用户|每人|每位用户|每用户)\s*每\s*(?P<zh>\d+(?:\.\d+)?)\s*(?P<zh_unit>秒|分钟)\s*(?:发|提|问)\s*(?:一|1)\s*"
    rf"(?:条|次|个)")
#: A rate of people: the throughput read from "2k users/day", "2,000 users per day", "每天2000个用户".
PEOPLE = re.compile(rf"(?<![a-z]){_PERSON}s?(?![a-z])|用户|人")
#: ... or named right after the rate's words ("每天2000个用户").
PEOPLE_AFTER = re.compile(rf"\s*(?:[a-z]+\s+)?(?:{_PERSON}s?(?![a-z])|(?:个|位|名)?(?:用户|人))")


@dataclass
class PerPerson:
    """What each user sends, as read, and the words."""

    per_user: float | None  # messages per user, with a rate of users
    interval_s: float | None  # seconds between one user's messages, with users at once
    written: str


def read_per_person(space: Workspace) -> PerPerson | None:
    """The messages each user sends, masked before quantities are read (the 30 s is no latency)."""
    m = EVERY_INTERVAL.search(space.masked)
    if m is not None:
        value = float(m.group("n") or m.group("zh"))
        unit = m.group("unit") or m.group("zh_unit")
        seconds = value * (60 if unit.startswith("m") or unit == "分钟" else 1)
        written = space.text[m.start():m.end()].strip()
        space.mask(m.start(), m.end())
        space.mark_read(m.start(), m.end())
        return PerPerson(None, seconds, written) if seconds > 0 else None
    m = EACH_SENDS.search(space.masked)
    # a bare "each" counts what users send only right after users ("10k conversations, each 20 messages" are turns)
    if m is None or (re.match(r"each\s+(?:sends?\s+|makes?\s+|asks?\s+|has\s+|does\s+)?[~\d]|each\s+(?:about|around)",
                              m.group(0)) and not PEOPLE.search(space.text[max(0, m.start() - 40):m.start()])):
        return None
    n = float(m.group("n") or m.group("n2") or m.group("n3"))
    written = space.text[m.start():m.end()].strip()
    space.mask(m.start(), m.end())
    space.mark_read(m.start(), m.end())
    return PerPerson(n, None, written) if n > 0 else None


def rate_of_users(result, each: PerPerson | None, text: str) -> tuple[list[str], list[str]]:
    """A rate of users times the messages each sends; without a rate of users, a warning (notes, warnings)."""
    if each is None or each.per_user is None:
        return [], []
    for i, (c, (_, end)) in enumerate(zip(result.constraints, result.spans)):
        of_people = PEOPLE.search(c.source or "") or PEOPLE_AFTER.match(text, end)
        if c.metric == Metric.THROUGHPUT and c.op == ">=" and of_people:
            result.constraints[i] = c.model_copy(update={"value": c.value * each.per_user})
            return [f"'{c.source}' with '{each.written}': {c.value:.4g} users/s of {each.per_user:g} messages each, so at "
                    f"least {c.value * each.per_user:.4g} requests/s"], []
    return [], [f"'{each.written}': messages per user multiply a rate of users, and none was read; give the users per "
                "day or the requests per second to plan for it"]


def rate_of_users_at_once(result, each: PerPerson | None, concurrency: int | None) -> tuple[list[str], list[str], bool]:
    """Users at once who each send a message every so often make a rate of requests (concurrency / interval);
    the users are then no longer all in flight at once. Returns notes, warnings and whether the concurrency
    is spent."""
    if each is None or each.interval_s is None:
        return [], [], False
    if not concurrency:
        return [], [f"'{each.written}': an interval between one user's messages makes a rate only with the users "
                     "at once; give the concurrent users or the requests per second"], False
    rate = concurrency / each.interval_s
    if any(c.metric == Metric.THROUGHPUT and c.op == ">=" for c in result.constraints):
        return [], [], False  # the request gave its rate itself
    result.constraints.append(_throughput(rate, each.written))
    result.spans.append((0, 0))
    return [f"{concurrency} users with '{each.written}': at least {rate:.4g} requests/s ({concurrency} / "
            f"{each.interval_s:g} s), planned as a rate (the users are not all waiting on a reply at once)"], [], True


def _throughput(rate: float, source: str) -> Constraint:
    return Constraint(metric=Metric.THROUGHPUT, op=">=", value=rate, unit=CANONICAL_UNITS[Metric.THROUGHPUT], source=source)
