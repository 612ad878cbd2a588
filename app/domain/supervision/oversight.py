"""The 村务监督委员会 at work (issue #13 §3): its inspections, its opinions to the town,
and the town's answers.  Pure: events in, state out; levels and parents come from
certificates (``levels``/``parents``: node id → level / certifying hub).

* 村民委员会组织法（2018年修正）第三十二条: the 村务监督机构 "负责村民民主理财，监督村务
  公开等制度的落实"; its members "向村民会议和村民代表会议负责，可以列席村民委员会会议".
* 中共中央办公厅、国务院办公厅《关于建立健全村务监督委员会的指导意见》（2017年）: the
  committee supervises 村务决策和公开、村级财产管理、村工程项目建设、惠农政策措施落实、
  农村精神文明建设 …; problems it finds go to the 乡镇党委和政府, which must deal with them
  and answer.  No statute gives a number of days for the answer: the town's own rule
  ``supervision.opinion_answer_days`` (a default the town may change) fixes it.

Who writes what is declared in ``app.domain.authority.WRITERS`` (a village station the
town certified for its 监委会, with role ``village_supervision``; the answer by a town
station).  This module adds what a certificate cannot say: an opinion is signed by a
member of the village's own committee (``members``: the roster's ids), and an answer
comes from the town the village belongs to, never a neighbouring one.

| event type                     | who                                   | state          |
|--------------------------------|---------------------------------------|----------------|
| supervisor.inspection_recorded | the village's 监委会 member (creates) | 已记录          |
| supervisor.opinion_sent        | the village's 监委会 member (creates) | 待镇里答复      |
| supervisor.opinion_answered    | a town station of the village's town  | 已答复          |
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from app.domain.supervision.errors import SupervisionError
from app.domain.supervision.measures import Count, count
from app.domain.supervision.member_keys import MESSAGES, MemberKeys
from app.domain.supervision.rosters import Members, counted_answer_day, signers

INSPECTED = "supervisor.inspection_recorded"
SENT = "supervisor.opinion_sent"
ANSWERED = "supervisor.opinion_answered"
EVENT_TYPES = (INSPECTED, SENT, ANSWERED)
# all a 监委会 member's account on the village tablet may write
MEMBER_WRITES = frozenset({INSPECTED, SENT, "supervisor.member_key_offered"})

# What the committee looks at (2017 指导意见 "监督内容"), for the form's choices
SUBJECTS = ("村务决策", "村务公开", "村级财务", "村级财产管理", "工程项目建设",
            "惠农政策落实", "其他")
GUIDANCE = "中共中央办公厅、国务院办公厅《关于建立健全村务监督委员会的指导意见》（2017年）"
ORG_LAW = "村民委员会组织法（2018年修正）第三十二条"
TEXT_MAX = 2000


@dataclass(frozen=True)
class Refused:
    event: str
    code: str
    message: str


@dataclass(frozen=True)
class Opinion:
    """One opinion as its events make it."""

    record: str
    village: str = ""              # the village station that sent it
    member: Mapping[str, Any] = field(default_factory=dict)
    sent_on: date | None = None
    subject: str = ""
    text: str = ""
    inspection: str = ""
    attachments: tuple[Mapping[str, Any], ...] = ()
    answers: tuple[Mapping[str, Any], ...] = ()
    rejected: tuple[Refused, ...] = ()
    sent_hlc: int | None = None

    @property
    def answered_on(self) -> date | None:
        if not self.answers:
            return None
        return date.fromisoformat(str(self.answers[0].get("counted_on") or self.answers[0]["on"]))

    def due(self, answer_days: int) -> date | None:
        return self.sent_on + timedelta(days=answer_days) if self.sent_on else None

    def status(self, answer_days: int, today: date) -> str:
        due = self.due(answer_days)
        if self.answers:
            answered = self.answered_on
            return "已答复" if due is None or answered is None or answered <= due else "已答复（逾期）"
        if due is not None and today > due:
            return "超期未答复"
        return "待镇里答复"


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return value.strip() if isinstance(value, str) else ""


def _day(payload: Mapping[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(str(payload.get(key)))
    except ValueError:
        raise SupervisionError(f"日期“{payload.get(key)}”不对，请按 2026-03-10 填写",
                               code="date") from None


def check_report(payload: Mapping[str, Any], members: Iterable[str]) -> None:
    """An inspection's or opinion's own fields, and that its signer sits on the
    committee (``members``: the ids on the village's current roster)."""
    member = payload.get("member")
    if not isinstance(member, Mapping) or not member.get("id"):
        raise SupervisionError("请写明是哪位村务监督委员会成员记录的", code="member")
    if str(member["id"]) not in set(members):
        raise SupervisionError(f"{member.get('name') or '这个人'}不是本村村务监督委员会成员，"
                               "不能以监委会名义记录；请先在监委会名单里登记", code="not_member")
    _day(payload, "on")
    if _text(payload, "subject") not in SUBJECTS:
        raise SupervisionError(f"请选择监督事项：{'、'.join(SUBJECTS)}", code="subject")
    body = _text(payload, "findings") or _text(payload, "text")
    if not body:
        raise SupervisionError("请写明看到的情况或意见的内容", code="text")
    if len(body) > TEXT_MAX:
        raise SupervisionError(f"内容太长（{len(body)}字），请压缩到{TEXT_MAX}字以内", code="text")


def check_answer(payload: Mapping[str, Any], sent_on: date | None) -> None:
    answered = _day(payload, "on")
    if sent_on is not None and answered < sent_on:
        raise SupervisionError("答复日期早于意见送出的日期，请核对", code="date")
    if not _text(payload, "answer"):
        raise SupervisionError("请写明镇里的答复意见（怎么处理、谁负责、什么时候办完）", code="text")
    if len(_text(payload, "answer")) > TEXT_MAX:
        raise SupervisionError(f"答复太长，请压缩到{TEXT_MAX}字以内", code="text")


def may_answer(village: str, actor: str, levels: Mapping[str, str],
               parents: Mapping[str, str]) -> Refused | None:
    """Only a town station of the village's own town answers (the village cannot answer
    itself; a neighbouring town cannot answer for it)."""
    if levels.get(actor) != "town":
        return Refused("", "wrong_level", "村务监督意见只能由镇里答复")
    town = parents.get(village)
    if not town or parents.get(actor) != town:
        return Refused("", "not_our_town", "只有这个村所在镇可以答复它的村务监督意见")
    return None


def fold_opinion(events: Iterable[Mapping[str, Any]], levels: Mapping[str, str],
                 parents: Mapping[str, str], members: Members,
                 *, keys: MemberKeys) -> Opinion:
    """Replay one opinion in the total order; ``members``: village id → member ids of its
    committee; ``keys``: the members' town-certified keys.  A refused event is kept
    aside (``rejected``), never applied."""
    ordered = sorted(events, key=lambda e: (int(e["hlc"]), str(e["origin"]), int(e.get("seq", 0))))
    if not ordered:
        raise ValueError("no events to fold")
    state = Opinion(str(ordered[0]["record"]))
    for event in ordered:
        state = _apply(state, event, levels, parents, members, keys)
    return state


def _apply(state: Opinion, event: Mapping[str, Any], levels: Mapping[str, str],
           parents: Mapping[str, str], members: Members,
           keys: MemberKeys) -> Opinion:
    kind, origin, payload = event["type"], str(event["origin"]), event["payload"]

    def refuse(code: str, message: str) -> Opinion:
        return replace(state, rejected=state.rejected + (Refused(str(event["id"]), code, message),))

    try:
        if kind == SENT:
            if state.village:
                return refuse("duplicate", "这条意见已经送出")
            if levels.get(origin) != "village":
                return refuse("wrong_level", "村务监督意见只能由村务监督委员会在村里送出")
            check_report(payload, signers(members, origin, event))
            unsigned = keys.problem(event)
            if unsigned is not None:
                return refuse(unsigned, MESSAGES[unsigned])
            return replace(state, village=origin, member=dict(payload["member"]),
                           sent_hlc=int(event["hlc"]),
                           sent_on=_day(payload, "on"), subject=_text(payload, "subject"),
                           text=_text(payload, "text"), inspection=_text(payload, "inspection"),
                           attachments=tuple(payload.get("attachments") or ()))
        if kind == ANSWERED:
            if not state.village:
                return refuse("not_sent", "找不到这条意见，请先同步")
            refused = may_answer(state.village, origin, levels, parents)
            if refused:
                return refuse(refused.code, refused.message)
            check_answer(payload, state.sent_on)
            counted = counted_answer_day(_day(payload, "on"), state.sent_on, state.sent_hlc,
                                         int(event["hlc"]))
            return replace(state, answers=state.answers + (
                {**payload, "by_node": origin, "counted_on": counted.isoformat()},))
    except SupervisionError as exc:
        return refuse(exc.code or "bad_payload", exc.message)
    return refuse("unknown_type", f"不认识的操作“{kind}”，请升级程序后再看")


def inspection_ok(event: Mapping[str, Any], levels: Mapping[str, str],
                  members: Members, *, keys: MemberKeys) -> Refused | None:
    """An inspection record stands alone: its writer is a village and its signer on
    that village's committee, with the member's town-certified key."""
    origin = str(event["origin"])
    if levels.get(origin) != "village":
        return Refused(str(event["id"]), "wrong_level", "巡查记录只能由村务监督委员会在村里登记")
    try:
        check_report(event["payload"], signers(members, origin, event))
    except SupervisionError as exc:
        return Refused(str(event["id"]), exc.code or "bad_payload", exc.message)
    unsigned = keys.problem(event)
    if unsigned is not None:
        return Refused(str(event["id"]), unsigned, MESSAGES[unsigned])
    return None


def answer_items(opinions: Iterable[Opinion], answer_days: int
                 ) -> dict[str, list[dict[str, Any]]]:
    """Per village, the ``deadline`` items of measure ``opinions_answered``
    (app.domain.supervision.measures): ``{"due", "done"}`` per opinion sent."""
    out: dict[str, list[dict[str, Any]]] = {}
    for opinion in opinions:
        due = opinion.due(answer_days)
        if not opinion.village or due is None:
            continue
        done = opinion.answered_on
        out.setdefault(opinion.village, []).append(
            {"due": due.isoformat(), "done": done.isoformat() if done else None})
    return out


def answered_on_time(opinions: Iterable[Opinion], answer_days: int, as_of: date
                     ) -> dict[str, Count]:
    """Per village: opinions answered by their due date (good), late or unanswered after
    it (bad), not yet due (pending) — for the 百分制's ``opinions_answered`` criterion."""
    return {village: count("opinions_answered", items, as_of)
            for village, items in answer_items(opinions, answer_days).items()}
