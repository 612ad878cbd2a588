"""One meeting's attendance and vote, judged against the roster: ``tally(...) -> MeetingResult``.

Which thresholds apply (defaults in ``defaults.json``, read by ``DecisionRules``):

| body         | 应到 (base of attendance)              | attend      | approve                       |
|--------------|----------------------------------------|-------------|-------------------------------|
| 党员大会     | full party members (roster.party_voters) | 三分之二以上 [local; 支部工作条例第十一条: 至少半数以上] | 过半数 of 应到 (支部工作条例第十一条第四款) |
| 村民代表会议 | 村委会成员 + 村民代表                   | 三分之二以上 (组织法第二十六条第二款) | 过半数 of those present (同上)  |
| 村民会议     | adults 18+, or households              | 过半数 of adults, or 三分之二以上 of households (第二十二条第一款) | 过半数 of those present (同上) |
| 村民小组会议 | the group's adults, or its households  | 三分之二以上 either way (第二十八条第一款) | 过半数 of those present (同上) |

"Those present" (到会人员) is everyone counted as present, so an abstention or a member
who did not vote counts against the motion — that is what "到会人员的过半数" says.

How each attendee counts (seed 四议两公开 "扩大参与"; RULES.md §3 Participation):

* 到场 — present.  电话 / 视频 — present when ``remote_counts_as_present`` (default yes,
  seed: 表决时也可以通过电话、视频等形式参与); their votes are counted and marked remote.
* 委托 (a written proxy: principal, holder) — always recorded; by default neither present
  nor voting (``proxies_count_toward_quorum``: the statute provides proxies only for the
  村委会 election, 组织法第十五条第四款; a meeting needs its members 到会).
* A non-member marked present (a probationary party member, a 列席 guest) is listed and
  never counted; a probationary member's vote is listed as not counted (党章第七条).
* An empty roster (应到 0) never has a quorum.

The result explains itself: 应到, 实到, the required numbers, for/against/abstain, pass or
fail, and every reason it failed, in Chinese.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from app.domain.decisions import roster as rosters
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.roster import Person
from app.domain.decisions.rules import DecisionRules
from app.domain.decisions.thresholds import Threshold, ratio_text

PARTY, REPRESENTATIVES, VILLAGERS, GROUP = "党员大会", "村民代表会议", "村民会议", "村民小组会议"
BODIES = (PARTY, REPRESENTATIVES, VILLAGERS, GROUP)
ADULTS, HOUSEHOLDS = "adults", "households"
IN_PERSON, PHONE, VIDEO, PROXY = "到场", "电话", "视频", "委托"
MODES = (IN_PERSON, PHONE, VIDEO, PROXY)
FOR, AGAINST, ABSTAIN = "赞成", "反对", "弃权"
VOTES = (FOR, AGAINST, ABSTAIN)


@dataclass(frozen=True)
class Attendance:
    person: str                 # roster id (for a household meeting: the household's representative)
    mode: str = IN_PERSON
    vote: str | None = None     # None: present but did not vote
    holder: str = ""            # 委托: who holds the proxy (name), as written on it

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Attendance":
        try:
            return cls(str(doc["person"]), doc.get("mode", IN_PERSON), doc.get("vote"),
                       str(doc.get("holder", "")))
        except (KeyError, TypeError) as exc:
            raise DecisionError("出席登记不完整，请重新登记", code="attendance") from exc


@dataclass(frozen=True)
class Check:
    """One threshold applied: e.g. 实到 14 of 应到 20 against 三分之二以上 (at least 14)."""

    what: str           # "出席" / "表决"
    phrase: str
    base_name: str      # "应到" / "到会人员"
    base: int
    count: int
    required: int
    met: bool

    @property
    def text(self) -> str:
        verdict = "达到" if self.met else "未达到"
        return (f"{self.what}：{self.base_name}{self.base}人的{self.phrase}，至少{self.required}人；"
                f"实际{self.count}人，{verdict}")


@dataclass(frozen=True)
class MeetingResult:
    body: str
    basis: str
    expected: tuple[str, ...]           # ids (or households) counted in 应到
    present: tuple[str, ...]            # counted as present
    remote: tuple[str, ...]             # present by phone or video
    proxies: tuple[Attendance, ...]     # recorded written proxies
    proxies_counted: bool
    absent: tuple[str, ...]
    not_counted: tuple[str, ...]        # attendees outside 应到 (probationary, guests)
    votes: Mapping[str, str]            # counted votes by id (or household)
    remote_votes: tuple[str, ...]
    attendance: Check
    approval: Check
    reasons: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.attendance.met and self.approval.met

    def count(self, vote: str) -> int:
        return sum(1 for v in self.votes.values() if v == vote)

    @property
    def not_voted(self) -> int:
        return len(self.present) - len(self.votes)

    def explain(self, names: Mapping[str, str] | None = None) -> str:
        """The result as a cadre reads it on the screen and in the minutes."""
        def label(i: str) -> str:
            return (names or {}).get(i, i)
        lines = [
            f"{self.body}：应到{len(self.expected)}人，实到{len(self.present)}人"
            f"（其中电话、视频参加{len(self.remote)}人），出席比例{ratio_text(len(self.present), len(self.expected))}",
            self.attendance.text,
            f"表决：赞成{self.count(FOR)}人，反对{self.count(AGAINST)}人，弃权{self.count(ABSTAIN)}人，"
            f"未表决{self.not_voted}人" + (f"（远程表决{len(self.remote_votes)}人，已标明）"
                                          if self.remote_votes else ""),
            self.approval.text,
        ]
        if self.proxies:
            how = "已计入" if self.proxies_counted else "已记录，不计入实到和表决（法律只在选举中规定委托投票）"
            who = "、".join(f"{label(p.person)}委托{p.holder or '他人'}" for p in self.proxies)
            lines.append(f"书面委托{len(self.proxies)}人（{who}）：{how}")
        if self.not_counted:
            lines.append("列席或无表决权、不计入：" + "、".join(label(i) for i in self.not_counted))
        lines.append("结果：通过" if self.passed else "结果：未通过。" + "；".join(self.reasons))
        return "\n".join(lines)


def _base(body: str, basis: str, people: tuple[Person, ...], on: date,
          group: str | None) -> tuple[list[str], dict[str, str]]:
    """(应到 keys, map from attendee id to its key).  Keys are person ids, or households."""
    ids: dict[str, str] = rosters.memo(people, "ids", None, lambda: {p.id: p.id for p in people})
    if body == PARTY:
        return [p.id for p in rosters.party_voters(people)], ids
    if body == REPRESENTATIVES:
        return [p.id for p in rosters.representatives_members(people)], ids
    if body in (VILLAGERS, GROUP):
        if body == GROUP and not group:
            raise DecisionError("村民小组会议须写明是哪个村民小组", code="group")
        scope = group if body == GROUP else None
        if basis == ADULTS:
            return [p.id for p in rosters.adults(people, on, scope)], ids
        if basis == HOUSEHOLDS:
            return (rosters.households(people, scope),
                    {p.id: p.household for p in people if p.household})
        raise DecisionError("村民会议须写明是全体十八周岁以上村民参加，还是户代表参加", code="basis")
    raise DecisionError(f"“{body}”不是可以表决的会议", code="body")


def _thresholds(body: str, basis: str, rules: DecisionRules) -> tuple[str, str, str]:
    """(attendance phrase, approval phrase, approval base name)."""
    if body == PARTY:
        return rules.party_meeting_attendance, rules.party_meeting_approval, "应到"
    if body == REPRESENTATIVES:
        return rules.representatives_attendance, rules.representatives_approval, "到会人员"
    if body == VILLAGERS:
        attend = (rules.villagers_attendance_adults if basis == ADULTS
                  else rules.villagers_attendance_households)
        return attend, rules.villagers_approval, "到会人员"
    attend = rules.group_attendance_adults if basis == ADULTS else rules.group_attendance_households
    return attend, rules.group_approval, "到会人员"


def _check(what: str, phrase: str, base_name: str, base: int, count: int) -> Check:
    threshold = Threshold(phrase)
    return Check(what, phrase, base_name, base, count, threshold.minimum(base),
                 threshold.met(count, base))


def tally(body: str, people: Iterable[Person], attendance: Iterable[Attendance], on: date,
          rules: DecisionRules, basis: str = ADULTS, group: str | None = None) -> MeetingResult:
    """Judge one meeting of ``body`` held on ``on`` (see module docstring)."""
    people = rosters.check_roster(people)
    expected, key_of = _base(body, basis if body in (VILLAGERS, GROUP) else "", people, on, group)
    expected_set = set(expected)
    present: list[str] = []
    remote, remote_votes, proxies, not_counted = [], [], [], []
    votes: dict[str, str] = {}
    seen: set[str] = set()
    for record in attendance:
        if record.mode not in MODES:
            raise DecisionError(f"参加方式“{record.mode}”不对，应为到场、电话、视频或委托", code="mode")
        if record.vote is not None and record.vote not in VOTES:
            raise DecisionError(f"表决意见“{record.vote}”不对，应为赞成、反对或弃权", code="vote")
        if record.person not in key_of:
            raise DecisionError(f"出席登记中的“{record.person}”不在花名册上，请先登记到花名册",
                                code="attendance")
        key = key_of[record.person]
        if key in seen:
            what = "同一户只能由一名户代表参加" if basis == HOUSEHOLDS and body in (VILLAGERS, GROUP) \
                else "同一人登记了两次"
            raise DecisionError(f"{what}（{key}），请删去重复的一条", code="attendance")
        seen.add(key)
        if key not in expected_set:
            not_counted.append(record.person)
            continue
        if record.mode == PROXY:
            if not record.holder:
                raise DecisionError("书面委托须写明受委托人", code="proxy")
            proxies.append(record)
            if not rules.proxies_count_toward_quorum:
                continue
        elif record.mode in (PHONE, VIDEO):
            if not rules.remote_counts_as_present:
                continue
            remote.append(key)
            if record.vote is not None:
                remote_votes.append(key)
        present.append(key)
        if record.vote is not None:
            votes[key] = record.vote
    attend_phrase, approve_phrase, approve_base = _thresholds(body, basis, rules)
    attendance_check = _check("出席", attend_phrase, "应到", len(expected), len(present))
    approval_total = len(expected) if approve_base == "应到" else len(present)
    approval_check = _check("表决", approve_phrase, approve_base, approval_total,
                            sum(1 for v in votes.values() if v == FOR))
    reasons = []
    if not expected:
        reasons.append("花名册上没有应到人员，不能开会表决；请先登记花名册")
    elif not attendance_check.met:
        reasons.append(f"出席人数不足（{attendance_check.text}），会议不能作出决定；"
                       "请另行召开，并提前通知未到的人")
    if expected and not approval_check.met:
        reasons.append(f"赞成人数不足（{approval_check.text}）")
    present_set = set(present)
    return MeetingResult(
        body, basis if body in (VILLAGERS, GROUP) else "", tuple(expected), tuple(present),
        tuple(remote), tuple(proxies), rules.proxies_count_toward_quorum,
        tuple(k for k in expected if k not in present_set), tuple(not_counted), votes,
        tuple(remote_votes), attendance_check, approval_check, tuple(reasons))
