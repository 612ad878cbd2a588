"""Which 村务监督委员会 roster was in force, and for which village (security review of
2026-12-06, findings H1, H2, M2, M3).  Pure: events in, answers out.

* A committee counts for the village's **certified node**, never for the name in its
  payload: a village station records its own committee only; a town station records
  one for a village only when the payload names the village's node id
  (``village_id``) and that village's certifying hub is the town station's own.
* An opinion or inspection is judged against the roster **in force at its clock
  stamp** (the latest one recorded at or before it, by election date then stamp), as
  decisions are judged with their context (app.domain.decisions.rules): a roster
  recorded later never erases what the earlier committee wrote.
* Dates written in these events are real dates and never later than the day of the
  event's own clock stamp (plus one day for time zones and a tablet's clock): no roster
  dated 2099 that no later election can displace, no date that crashes a screen.
* An answer's date counts from the clock: an answer written N days (by the clock
  stamps) after the opinion counts as given at least N days after it was sent,
  whatever date its writer typed (M2).

Sources: 村民委员会组织法（2018年修正）第三十二条 (who may serve); 河南省实施办法（2011年）
第五十六条 (at most five); app.domain.supervision.eligibility applies both.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from app.domain.supervision.eligibility import Member, committee_eligibility
from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.kinship import check_relations
from app.domain.supervision.rules import SupervisionRules
from app.domain.supervision.town_group import group_findings

COMMITTEE_SET = "supervisor.committee_set"
SLACK_DAYS = 1                        # time zones and a tablet's clock a little ahead
CHINA = timezone(timedelta(hours=8))  # the day a cadre sees on the wall
LOGICAL_BITS = 16                     # sync.hlc: stamp = wall ms << 16 | counter

# The statutory floor of the eligibility rules, checked wherever a committee event is
# applied (a town may tighten them on its own tablets, never loosen them): 组织法第三十二条
# (村民委员会成员 and close relatives barred, someone with 财会 knowledge), 河南省实施办法
# 第五十六条 (at most five, 村报账员 barred).  The fields after them are not read here.
STATUTORY = SupervisionRules(
    close_relatives=("配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女"),
    barred_posts=("村民委员会成员", "村报账员"), accounting_member_required=True,
    committee_usual_members=3, committee_max_members=5,
    review_interval_months=12, review_consecutive_unfit=2, review_grades=(),
    opinion_answer_days=15, case_refer_up_working_days=0, case_transfer_working_days=0,
    case_accept_notice_working_days=0, case_preliminary_days=0, case_investigation_days=0,
    case_investigation_extension_days=0, case_reply_working_days=0, case_revisit_days=0,
    case_due_soon_days=0, double_check_reviews=(), accountability_forms=(),
    assessment_trim_min_assessors=0, assessment_trim_each_end=0,
    assessment_display_decimals=0, assessment_empty_data="", star_bands=())


def stamp_day(hlc: int) -> date:
    """The day (China time) of a clock stamp."""
    return datetime.fromtimestamp((int(hlc) >> LOGICAL_BITS) / 1000, CHINA).date()


def written_day(payload: Mapping[str, Any], key: str, hlc: int | None, what: str) -> date:
    """The date ``payload[key]``: a real date, not later than the stamp's day."""
    raw = payload.get(key)
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise SupervisionError(f"{what}“{raw}”不是有效日期，没有保存：请按 2026-03-10 的格式填写",
                               code="bad_date") from None
    if hlc is not None and day > stamp_day(hlc) + timedelta(days=SLACK_DAYS):
        raise SupervisionError(f"{what}{day.isoformat()}还没有到，不能预先登记，没有保存："
                               "请在当天或之后登记，并检查平板的日期是否正确", code="bad_date")
    return day


def as_member(item: Mapping[str, Any]) -> Member:
    return Member(str(item["id"]), str(item["name"]), bool(item.get("villager", True)),
                  tuple(item.get("posts") or ()), bool(item.get("accounting")),
                  bool(item.get("management")))


def check_committee(payload: Mapping[str, Any], hlc: int | None,
                    rules: SupervisionRules = STATUTORY) -> None:
    """A committee as recorded: its election date, and the Art 32 eligibility of its
    members (every problem named, with its source)."""
    written_day(payload, "elected_on", hlc, "推选日期")
    try:
        members = [as_member(m) for m in payload.get("members") or ()]
        people = [*members, *(as_member(m) for m in payload.get("village_members") or ())]
        found = committee_eligibility(members, people, check_relations(payload.get("relations") or ()),
                                      rules)
    except (KeyError, TypeError):
        raise SupervisionError("监委会名单缺少成员的编号或姓名，没有保存：请重新填写名单",
                               code="bad_committee") from None
    if not found.ok:
        raise SupervisionError("村务监督委员会不符合规定，不能登记：" + "；".join(
            f"{f.message}（{f.source}）" for f in found.problems), code="bad_committee")


def check_group(payload: Mapping[str, Any], hlc: int | None) -> None:
    """The town's 党风政风监督组 as recorded (app.domain.supervision.town_group)."""
    written_day(payload, "on", hlc, "登记日期")
    found = group_findings(list(payload.get("members") or ()))
    if found:
        raise SupervisionError("监督组名单不能登记：" + "；".join(f.message for f in found),
                               code="bad_group")


@dataclass(frozen=True)
class Roster:
    """One recorded committee, for one certified village."""

    village: str          # the village's node id
    record: str
    elected_on: date
    hlc: int
    payload: Mapping[str, Any]

    @property
    def member_ids(self) -> frozenset[str]:
        return frozenset(str(m["id"]) for m in self.payload.get("members") or ())

    @property
    def order(self) -> tuple[date, int]:
        return self.elected_on, self.hlc


def committee_village(event: Mapping[str, Any], levels: Mapping[str, str],
                      parents: Mapping[str, str]) -> str | None:
    """The village node a committee event counts for, or None (it counts for none)."""
    origin, payload = str(event["origin"]), event["payload"]
    named = payload.get("village_id")
    if levels.get(origin) == "village":
        return origin if named in (None, origin) else None
    if levels.get(origin) == "town" and isinstance(named, str) and levels.get(named) == "village":
        town = parents.get(named)
        return named if town and parents.get(origin) == town else None
    return None


@dataclass(frozen=True)
class RosterBook:
    """Every village's recorded committees, each list in (election date, stamp) order."""

    rosters: Mapping[str, tuple[Roster, ...]]

    @classmethod
    def build(cls, events: Iterable[Mapping[str, Any]], levels: Mapping[str, str],
              parents: Mapping[str, str]) -> RosterBook:
        out: dict[str, list[Roster]] = {}
        for event in events:
            if event["type"] != COMMITTEE_SET:
                continue
            village = committee_village(event, levels, parents)
            try:
                elected = written_day(event["payload"], "elected_on", int(event["hlc"]), "推选日期")
            except SupervisionError:
                continue
            if village is not None:
                out.setdefault(village, []).append(Roster(
                    village, str(event["record"]), elected, int(event["hlc"]), event["payload"]))
        return cls({v: tuple(sorted(rs, key=lambda r: r.order)) for v, rs in out.items()})

    def current(self, village: str) -> Roster | None:
        rosters = self.rosters.get(village, ())
        return rosters[-1] if rosters else None

    def at(self, village: str, hlc: int) -> Roster | None:
        """The roster in force when a record stamped ``hlc`` was written."""
        known = [r for r in self.rosters.get(village, ()) if r.hlc <= hlc]
        return known[-1] if known else None

    def members_at(self, village: str, hlc: int) -> frozenset[str]:
        roster = self.at(village, hlc)
        return roster.member_ids if roster else frozenset()


Members = Mapping[str, Iterable[str]] | RosterBook


def signers(members: Members, village: str, event: Mapping[str, Any]) -> Iterable[str]:
    """Who could sign for ``village`` when ``event`` was written (a plain mapping: the
    same members at every stamp)."""
    if isinstance(members, RosterBook):
        return members.members_at(village, int(event["hlc"]))
    return members.get(village, ())


def counted_answer_day(claimed: date, sent_on: date | None, sent_hlc: int | None,
                       answer_hlc: int) -> date:
    """The day an answer counts as given: what its writer typed, but never fewer days
    after the opinion than the clock stamps show passed between them (M2)."""
    if sent_on is None or sent_hlc is None:
        return claimed
    elapsed = stamp_day(answer_hlc) - stamp_day(sent_hlc)
    return max(claimed, sent_on + max(elapsed, timedelta(0)))
