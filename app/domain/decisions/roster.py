"""Who belongs to which meeting: the village rosters and the 应到 of each body.

A roster entry (``Person``) is plain data the village keeps and syncs (issue #12 §3:
party members, villager representatives, households and adult villagers).  The members
of each body, and so each meeting's 应到, follow the texts:

* 党员大会 — the branch's party members; only full members vote (党章第七条: 预备党员
  没有表决权), so 应到 for a vote is the full members.  A full member may be left out of
  应到 only with a recorded reason approved by the party organisation above (e.g. long
  illness, 出国半年以上 — common practice of the organisation departments, recorded in
  ``excluded_reason``; the software does not judge the reason, it shows it).  Members
  working away (流动党员) stay in 应到: they may join by phone or video (seed).
* 村民代表会议 — 村民委员会成员 and 村民代表 (组织法2018第二十五条第一款).  One person
  holding both is one member.
* 村民会议 — villagers aged 18 and over (第二十一条第一款), or one representative per
  household (第二十二条第一款: 三分之二以上的户的代表).
* 村民小组会议 — the same within one 村民小组 (第二十八条第一款).

Age on a date: a person is 18 from their 18th birthday on; someone born on 29 February
has it on 28 February in a common year (民法典第二百零二条: a period in years with no
corresponding day ends on the month's last day).

In-flow party members admitted by the party meeting, and enterprise or shop
representatives admitted by the representatives' meeting (seed), take part in the
deliberation but are not members of the body: they are recorded as 列席 and never
counted in 应到, 实到 or the vote (组织法第二十五条 fixes the representatives' meeting's
members; 第三十八条第二款 asks for consultation with units in the village, not a vote).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable, Mapping, TypeVar

from app.domain.decisions.errors import DecisionError

PARTY_FULL, PARTY_PROBATIONARY = "正式", "预备"
ADULT_AGE = 18


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    female: bool = False
    birth_date: date | None = None
    household: str | None = None       # 户 (for 村民会议 by household representatives)
    group: str | None = None           # 村民小组
    villager: bool = True              # 本村村民 (村民会议 member when 18+)
    collective_member: bool = True     # 本集体经济组织成员 (land consent, 土地承包法)
    party: str | None = None           # "正式" / "预备" / None
    excluded_reason: str = ""          # full member not counted in 应到, with approval
    committee_member: bool = False     # 村民委员会成员
    representative: bool = False       # 村民代表

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Person":
        try:
            birth = doc.get("birth_date")
            return cls(
                id=str(doc["id"]), name=str(doc["name"]), female=bool(doc.get("female")),
                birth_date=date.fromisoformat(birth) if birth else None,
                household=doc.get("household"), group=doc.get("group"),
                villager=bool(doc.get("villager", True)),
                collective_member=bool(doc.get("collective_member", True)),
                party=doc.get("party"), excluded_reason=str(doc.get("excluded_reason", "")),
                committee_member=bool(doc.get("committee_member")),
                representative=bool(doc.get("representative")))
        except (KeyError, TypeError, ValueError) as exc:
            raise DecisionError(f"花名册中有一条记录不完整或日期格式不对（{exc}），请核对后重新录入",
                                code="roster") from exc


T = TypeVar("T")
# What is worked out from one roster version (a tuple of Person the register hands out once
# per change): checked, its 应到 lists, its names.  A 村民会议 of thousands is otherwise
# recounted at every record judged and every tick of the attendance sheet (bench.decisions).
# Entries hold the tuple itself, so its id cannot be reused while the entry lives.
_MEMO: dict[tuple[int, str, Any], tuple[tuple[Person, ...], Any]] = {}
_MEMO_SIZE = 128


def memo(people: Iterable[Person], what: str, arg: Any, make: Callable[[], T]) -> T:
    """``make()`` once per roster tuple, ``what`` and ``arg``; anything else is not memoised."""
    if not isinstance(people, tuple):
        return make()
    key = (id(people), what, arg)
    held = _MEMO.get(key)
    if held is not None and held[0] is people:
        value: T = held[1]
        return value
    value = make()
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (people, value)
    return value


def check_roster(people: Iterable[Person]) -> tuple[Person, ...]:
    """The roster as a tuple, after checking ids are unique and party status is known."""
    return memo(people, "checked", None, lambda: _check_roster(people))


def _check_roster(people: Iterable[Person]) -> tuple[Person, ...]:
    out, seen = tuple(people), set()
    for person in out:
        if person.id in seen:
            raise DecisionError(f"花名册中“{person.name}”重复登记，请删去重复的一条", code="roster")
        seen.add(person.id)
        if person.party not in (None, PARTY_FULL, PARTY_PROBATIONARY):
            raise DecisionError(f"“{person.name}”的党员身份应为“正式”或“预备”", code="roster")
        if person.excluded_reason and person.party != PARTY_FULL:
            raise DecisionError(f"只有正式党员才能经批准不计入应到人数（“{person.name}”）",
                                code="roster")
    return out


def birthday_in(year: int, birth: date) -> date:
    """The birthday in ``year`` (29 February → 28 February in a common year)."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birth.month, birth.day)


def is_adult(person: Person, on: date) -> bool:
    """18 or over on ``on``; a person without a birth date is not counted as adult (the
    roster must say, and ``missing_birth_dates`` lists whom to ask)."""
    if person.birth_date is None:
        return False
    return birthday_in(person.birth_date.year + ADULT_AGE, person.birth_date) <= on


def missing_birth_dates(people: Iterable[Person]) -> list[str]:
    return [p.name for p in people if p.villager and p.birth_date is None]


def party_voters(people: Iterable[Person]) -> list[Person]:
    """应到 of a 党员大会 vote: full members not excluded with approval."""
    return list(memo(people, "party", None, lambda: tuple(
        p for p in people if p.party == PARTY_FULL and not p.excluded_reason)))


def party_non_voters(people: Iterable[Person]) -> list[Person]:
    """Members who attend without a vote: probationary members."""
    return [p for p in people if p.party == PARTY_PROBATIONARY]


def representatives_members(people: Iterable[Person]) -> list[Person]:
    """组成人员 of the 村民代表会议: 村委会成员 and 村民代表."""
    return list(memo(people, "representatives", None, lambda: tuple(
        p for p in people if p.committee_member or p.representative)))


def adults(people: Iterable[Person], on: date, group: str | None = None) -> list[Person]:
    """Villagers aged 18+ on ``on`` (of one 村民小组 when ``group`` is given)."""
    return list(memo(people, "adults", (on, group), lambda: tuple(
        p for p in people if p.villager and is_adult(p, on)
        and (group is None or p.group == group))))


def names(people: Iterable[Person]) -> dict[str, str]:
    """id → name of a roster (a fresh dict: callers may add to it)."""
    return dict(memo(people, "names", None, lambda: {p.id: p.name for p in people}))


def households(people: Iterable[Person], group: str | None = None) -> list[str]:
    """The households (户) among the villagers, sorted (of one group when given)."""
    return sorted({p.household for p in people if p.villager and p.household
                   and (group is None or p.group == group)})
