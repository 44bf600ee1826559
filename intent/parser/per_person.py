"""What each user sends: a count per user ("2k users/day, each ~20 msgs", "每人20次提问") multiplies a rate of
users into one of messages (it had planned one message a user). One message every so often is a rate of its own
(intent.parser.text EVERY_PERIOD), and users counted as active (DAU, 日活) with a rate each are the load's
sources (fields.read_sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from intent.parser.text import Workspace
from intent.schema import Metric

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
#: A rate of people: the throughput read from "2k users/day", "2,000 users per day", "每天2000个用户".
PEOPLE = re.compile(rf"(?<![a-z]){_PERSON}s?(?![a-z])|用户|人")
#: ... or named right after the rate's words ("每天2000个用户").
PEOPLE_AFTER = re.compile(rf"\s*(?:[a-z]+\s+)?(?:{_PERSON}s?(?![a-z])|(?:个|位|名)?(?:用户|人))")


#: A period after what each user sends ("20 messages per user per day", "2 requests/min").
PERIOD_AFTER = re.compile(r"\s*(?:/\s*|per\s+|a\s+|an\s+|each\s+|every\s+)(?:day|week|month|hour|min|minute|sec|second|s)"
                          r"(?![a-z])")
#: A rate of users ("2,000 users per day", "2k users/day", "每天2000个用户"): what each sends multiplies it.
USERS_PER_PERIOD = re.compile(rf"\d[\d,.]*\s*k?\s*{_PERSON}s?\s*(?:/\s*|per\s+|a\s+|each\s+)(?:day|week|month|hour)(?![a-z])"
                              rf"|每(?:天|日|月|周|小时)\s*\d[\d,.]*\s*(?:万|千)?\s*(?:个|位|名)?(?:用户|人)")
#: Users counted as active over a period (DAU, 日活): with a rate each, the sources of the load, read apart.
ACTIVE_USERS = re.compile(r"(?<![a-z])(?:dau|mau|(?:daily|monthly|weekly)\s+active)(?![a-z])|日活|月活", re.IGNORECASE)


@dataclass
class PerPerson:
    """What each user sends, as read, and the words."""

    per_user: float  # messages per user, with a rate of users
    written: str


def read_per_person(space: Workspace) -> PerPerson | None:
    """The messages each user sends, masked before quantities are read (the 30 s is no latency)."""
    if ACTIVE_USERS.search(space.masked):
        return None  # "5000 DAU, 20 req per user per day": the users are the load's sources (fields.read_sources)
    m = EACH_SENDS.search(space.masked)
    # a bare "each" counts what users send only right after users ("10k conversations, each 20 messages" are turns)
    if m is None or (re.match(r"each\s+(?:sends?\s+|makes?\s+|asks?\s+|has\s+|does\s+)?[~\d]|each\s+(?:about|around)",
                              m.group(0)) and not PEOPLE.search(space.text[max(0, m.start() - 40):m.start()])):
        return None
    if (PERIOD_AFTER.match(space.masked, m.end()) or "每天" in m.group(0) or "每日" in m.group(0)) \
            and not USERS_PER_PERIOD.search(space.masked):
        return None  # "1000 open sessions, each 2 requests/min": a rate each, of sources read apart
    n = float(m.group("n") or m.group("n2") or m.group("n3"))
    written = space.text[m.start():m.end()].strip()
    space.mask(m.start(), m.end())
    space.mark_read(m.start(), m.end())
    return PerPerson(n, written) if n > 0 else None


def rate_of_users(result, each: PerPerson | None, text: str) -> tuple[list[str], list[str]]:
    """A rate of users times the messages each sends; without a rate of users, a warning (notes, warnings)."""
    if each is None:
        return [], []
    for i, (c, (_, end)) in enumerate(zip(result.constraints, result.spans)):
        of_people = PEOPLE.search(c.source or "") or PEOPLE_AFTER.match(text, end)
        if c.metric == Metric.THROUGHPUT and c.op == ">=" and of_people:
            result.constraints[i] = c.model_copy(update={"value": c.value * each.per_user})
            return [f"'{c.source}' with '{each.written}': {c.value:.4g} users/s of {each.per_user:g} messages each, so at "
                    f"least {c.value * each.per_user:.4g} requests/s"], []
    return [], [f"'{each.written}': messages per user multiply a rate of users, and none was read; give the users per "
                "day or the requests per second to plan for it"]
