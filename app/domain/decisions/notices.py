"""Notice before a meeting: the plan to every party member, the 村民会议 to every villager.

* 党员大会: the plan reaches every party member at least ``decisions.party_plan_notice_days``
  (3) days before the meeting [local: RULES.md §3, 四议两公开 practice].
* 村民会议: villagers are notified (one public notice, with the matters to discuss) ``decisions.villagers_meeting_notice_days`` (10) days
  before (村民委员会组织法（2018年修正）第二十一条第二款: 召集村民会议，应当提前十天通知村民).

How the days are counted: the day of the notice does not count (民法典第二百零一条), and
the days must have passed before the meeting day, so the meeting day does not count either:
a notice on 1 March gives 3 days' notice for a meeting on 5 March (2, 3, 4 March), not on
4 March.  This is the stricter of the two usual readings of "提前N天"; it costs the village
one day and never leaves a member with less notice than the rule promises.

Everyone who should be told is checked by name: a member with no notice recorded, or told
too late, is listed.  Every party member is told, probationary and away members included
(the plan is for all members; only the vote is for full members).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from app.domain.decisions.roster import Person

PARTY_SOURCE = "RULES.md §3（四议两公开）：方案至少提前3天送达每一名党员［地方做法］"
VILLAGERS_SOURCE = "村民委员会组织法（2018年修正）第二十一条第二款：召集村民会议，应当提前十天通知村民"


@dataclass(frozen=True)
class NoticeCheck:
    ok: bool
    latest: date                      # the last day a notice is in time
    missing: tuple[str, ...] = ()     # names never told
    late: tuple[str, ...] = ()        # names told after ``latest``
    message: str = ""
    source: str = ""


def latest_notice_day(meeting: date, days: int) -> date:
    """The last day a notice may be given for ``days`` full days before ``meeting``."""
    return meeting - timedelta(days=days + 1)


def notice_check(meeting: date, people: Iterable[Person], sent: Mapping[str, date], days: int,
                 source: str, what: str) -> NoticeCheck:
    """Was each of ``people`` told by ``latest_notice_day``?  ``sent``: id -> date told."""
    latest = latest_notice_day(meeting, days)
    missing, late = [], []
    for person in people:
        told = sent.get(person.id)
        if told is None:
            missing.append(person.name)
        elif told > latest:
            late.append(person.name)
    if not missing and not late:
        return NoticeCheck(True, latest, source=source)
    parts = []
    if missing:
        parts.append(f"没有送达：{'、'.join(missing)}")
    if late:
        parts.append(f"送达晚于{latest.isoformat()}：{'、'.join(late)}")
    message = (f"{what}须在会议{days}天前（最晚{latest.isoformat()}）送达每一人；" + "；".join(parts)
               + f"。请补送，并把会议安排在补送之日后满{days}天以后召开")
    return NoticeCheck(False, latest, tuple(missing), tuple(late), message, source)


def party_plan_notice(meeting: date, people: Iterable[Person], sent: Mapping[str, date],
                      days: int) -> NoticeCheck:
    """The plan to every party member (full and probationary) before the 党员大会."""
    members = [p for p in people if p.party]
    return notice_check(meeting, members, sent, days, PARTY_SOURCE, "党员大会审议的方案")


def villagers_meeting_notice(meeting: date, announced: date | None, days: int) -> NoticeCheck:
    """The public notice of a 村民会议 (张贴或广播通知, with the matters to discuss)."""
    latest = latest_notice_day(meeting, days)
    if announced is not None and announced <= latest:
        return NoticeCheck(True, latest, source=VILLAGERS_SOURCE)
    when = "还没有登记通知日期" if announced is None else f"通知日期{announced.isoformat()}晚于{latest.isoformat()}"
    return NoticeCheck(False, latest, message=f"村民会议须提前{days}天通知村民（最晚{latest.isoformat()}），"
                       f"{when}；请发出通知，并把会议安排在通知之日后满{days}天以后召开",
                       source=VILLAGERS_SOURCE)
