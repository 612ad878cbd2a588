"""The judge of step records: is a record complete, and does its step pass?

RULES.md §3 "Records per step (一事一档)": every record has its date and content; the
first step its 动议事由 (党员群众建议 / 村干部提议 / 上级安排); meetings their place, form,
participants and signatures (names, or a photo of the signed sheet); the 审议 and 决议 the
township attendees (name, post) and the minutes; each 公开 what, where, the period and the
监督意见 received.  应到 / 实到 / ratio are computed from the roster (meetings.py), never
typed.

A step passes when its record is complete and:

* meeting (提议, 商议) — the meeting's own outcome is 通过;
* vote, 党员大会 — the tally passes (meetings.py) and the plan reached every party member in
  time (notices.py);
* vote, 决议 — the deciding body may decide the matter (matters.deciding_body: Art 24
  without authorisation is refused), the tally passes, a 村民会议 was notified in time, and
  land matters have two thirds of all members (matters.land_consent);
* publicity — the notice period has ended (``today`` is passed in);
* implementation — done, with the approvals a land matter still needs after the vote.

Merged records: 一肩挑 only when the branch secretary is also the committee chair; a joint
meeting (合并召开) only with the 村民代表会议, and its 决议 counts only if the 党员大会 part
passed (procedure.py).  A gated step is refused while the filing gate is closed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from app.domain.decisions import matters, meetings, notices
from app.domain.decisions.errors import DecisionError
from app.domain.decisions.filing import Gate
from app.domain.decisions.meetings import Attendance, MeetingResult
from app.domain.decisions.procedure import Judgement, Outcome, StepDef
from app.domain.decisions import roster as rosters
from app.domain.decisions.roster import Person
from app.domain.decisions.rules import DecisionRules

MOTION_SOURCES = ("党员群众建议", "村干部提议", "上级安排")
COMMON = (("date", "日期"), ("content", "议题和内容"))
FIELDS = {
    "consultation": (("method", "征求意见的方式"), ("participants", "参加人数"),
                     ("opinions", "意见汇总")),
    "meeting": (("place", "地点"), ("form", "会议形式"), ("participants", "参加人员"),
                ("signatures", "参会人员签名（或签名页照片）"), ("outcome", "会议结果")),
    "vote": (("place", "地点"), ("form", "会议形式"), ("signatures", "参会人员签名（或签名页照片）"),
             ("township_attendees", "镇里参会人员（姓名、职务）"), ("minutes", "会议记录")),
    "publicity": (("place", "公开地点或渠道"), ("period_start", "公开开始日期"),
                  ("period_end", "公开结束日期"), ("supervision_opinions", "收到的监督意见（没有写“无”）")),
    "implementation": (("done_on", "完成日期"), ("notes", "实施情况")),
}


def _present(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value not in (None, [], {}, ())


@dataclass(frozen=True)
class Context:
    people: tuple[Person, ...]
    rules: DecisionRules
    kinds: tuple[str, ...]                               # matter kinds (matters.py)
    gate: Gate                                           # filing.filing_gate(...)
    today: date
    authorisations: tuple[Mapping[str, Any], ...] = ()
    plan_sent: Mapping[str, date] = field(default_factory=dict)   # id -> day the plan reached
    secretary: str = ""                                  # 村党支部书记 (roster id)
    chair: str = ""                                      # 村委会主任 (roster id)


def _day(value: Any, label: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DecisionError(f"{label}“{value}”不是日期，请重新选择", code="date") from None


# (record id, step, steps covered, first step) -> (context, record, judgement): kept across
# folds, used only when the context and the record are equal to those judged
_JUDGED: dict[tuple[str, StepDef, tuple[StepDef, ...], str],
              tuple[Context, Mapping[str, Any], Judgement]] = {}
_JUDGED_SIZE = 512


def _snapshot(value: Any) -> Any:
    """A copy of a record's plain data (dicts, lists, scalars), nothing shared with it."""
    if isinstance(value, Mapping):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


class RecordJudge:
    """``procedure.Judge`` over one matter's context; ``first_step`` needs the 动议事由."""

    def __init__(self, context: Context, first_step: str) -> None:
        self.c = context
        self.first_step = first_step

    def blocked(self, step: StepDef) -> str:
        return self.c.gate.message if step.gated and not self.c.gate.allowed else ""

    def judge(self, step: StepDef, record: Mapping[str, Any], covered: tuple[StepDef, ...],
              ) -> Judgement:
        """The judgement of ``record``; the same record in an equal context (a matter
        folded again when a later event came, or opened on another screen) is not counted
        again: a verdict depends on nothing else (module docstring)."""
        key = (str(record.get("id", "")), step, covered, self.first_step)
        held = _JUDGED.get(key)
        if held is not None and held[0] == self.c and held[1] == record:
            return held[2]
        judgement = self._judge(step, record, covered)
        if len(_JUDGED) >= _JUDGED_SIZE:
            _JUDGED.clear()
        # a snapshot: the record the caller holds may change later (equal, not the same)
        _JUDGED[key] = (self.c, _snapshot(record), judgement)
        return judgement

    def _judge(self, step: StepDef, record: Mapping[str, Any], covered: tuple[StepDef, ...],
               ) -> Judgement:
        if any(s.gated for s in covered) and not self.c.gate.allowed:
            return Judgement(refused=self.c.gate.message)
        if "一肩挑" in [s.merge for s in covered[1:]] and not (
                self.c.secretary and self.c.secretary == self.c.chair):
            return Judgement(refused="只有村党支部书记和村委会主任由一人担任（一肩挑）时，"
                                     "提议和商议才能合并办理；请分别召开会议")
        missing = self._missing(step, record)
        if missing:
            return Judgement(missing=tuple(missing))
        try:
            outcomes = {step.code: self._outcome(step, record)}
            for follower in covered[1:]:
                part = ({**(record.get("joint") or {}), "fields": record.get("fields")}
                        if follower.merge == "合并召开" else record)
                outcomes[follower.code] = self._joint(follower, part) \
                    if follower.merge == "合并召开" else self._outcome(follower, part)
        except DecisionError as exc:
            return Judgement(refused=exc.message)
        return Judgement(outcomes=outcomes)

    def _missing(self, step: StepDef, record: Mapping[str, Any]) -> list[str]:
        data = record.get("fields") or {}
        wanted = COMMON + FIELDS[step.kind]
        missing = [label for key, label in wanted if not _present(data.get(key))]
        if step.code == self.first_step and data.get("motion_source") not in MOTION_SOURCES:
            missing.append("动议事由（党员群众建议、村干部提议或上级安排）")
        if step.kind == "vote" and not record.get("attendance"):
            missing.append("出席和表决登记")
        return missing

    def _outcome(self, step: StepDef, record: Mapping[str, Any]) -> Outcome:
        data = record.get("fields") or {}
        if step.kind in ("consultation",):
            return Outcome(True)
        if step.kind == "meeting":
            ok = data.get("outcome") == "通过"
            return Outcome(ok, () if ok else (f"会议结果：{data.get('outcome')}",))
        if step.kind == "vote":
            return self._vote(step, record)
        if step.kind == "publicity":
            end = _day(data["period_end"], "公开结束日期")
            if end > self.c.today:
                return Outcome(False, (f"公开期到{end.isoformat()}才届满",))
            return Outcome(True)
        return self._implementation(data)

    def _joint(self, step: StepDef, part: Mapping[str, Any]) -> Outcome:
        if part.get("body") != meetings.REPRESENTATIVES:
            raise DecisionError("党员大会只能与村民代表会议合并召开；村民会议请另行召开")
        return self._vote(step, part)

    def _tally(self, body: str, record: Mapping[str, Any], on: date) -> MeetingResult:
        attendance = [Attendance.from_dict(a) for a in record.get("attendance") or []]
        return meetings.tally(body, self.c.people, attendance, on, self.c.rules,
                              basis=str(record.get("basis") or meetings.ADULTS),
                              group=record.get("group"))

    def _vote(self, step: StepDef, record: Mapping[str, Any]) -> Outcome:
        on = _day((record.get("fields") or {}).get("date"), "会议日期")
        body = step.body if step.body in meetings.BODIES else str(record.get("body") or "")
        reasons: list[str] = []
        if body == meetings.PARTY:
            check = notices.party_plan_notice(on, self.c.people, self.c.plan_sent,
                                              self.c.rules.party_plan_notice_days)
            if not check.ok:
                reasons.append(check.message)
        else:
            verdict = matters.deciding_body(self.c.kinds, body, self.c.authorisations, on)
            if not verdict.ok:
                return Outcome(False, (verdict.message,))
            if body == meetings.VILLAGERS:
                announced = (record.get("fields") or {}).get("announced_on")
                check = notices.villagers_meeting_notice(
                    on, _day(announced, "通知日期") if announced else None,
                    self.c.rules.villagers_meeting_notice_days)
                if not check.ok:
                    reasons.append(check.message)
        result = self._tally(body, record, on)
        reasons.extend(result.reasons)
        explanation = result.explain(rosters.names(self.c.people))
        consent = matters.land_consent(self.c.kinds, result, self.c.people, on, self.c.rules) \
            if body != meetings.PARTY else None
        if consent is not None and consent.needed:
            explanation += "\n" + consent.text
            if not consent.met:
                reasons.append(consent.text)
        return Outcome(not reasons, tuple(reasons), explanation)

    def _implementation(self, data: Mapping[str, Any]) -> Outcome:
        needed = [a for kind in self.c.kinds if kind in matters.LAND for a in matters.LAND[kind][2]]
        have = set(data.get("approvals") or [])
        lacking = [a for a in dict.fromkeys(needed) if a not in have]
        if lacking:
            return Outcome(False, ("还须" + "、".join(lacking) + "，批准前不能实施",))
        return Outcome(True)
