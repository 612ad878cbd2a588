"""The 纪委's case (issue #13 §2), declared on the workflow engine (app.domain.workflow,
issue #9): one ``Flow`` whose steps each name the statuses they may follow, a button
label, a state rule (``ready``), a payload rule (``check``) and an effect (``apply``);
the engine's gate, check, apply, fold and buttons do the rest.

    受理 (opened) → 处置 (谈话函询/初步核实 → 初核中; 予以了结/暂存待查 → 了结)
    → 立案 or 了结 (with the reason) → 调查 (延长 at most the statutory extension)
    → 调查结束 (查实 or not) → 处理 (批评教育, 诫勉谈话, 党纪处分, 政务处分, 移送司法机关 …)
    → 一案双查 reviews (主体责任, 监督责任) → 结案 (gated) → 反馈 a named reporter → 回访

Who may write each step is ``app.domain.authority.WRITERS`` (discipline devices of a
town or the county; steps ``holder_or_above``); the node rule adds that only the case's
own town (the hub that certified the author, ``Act.parent``) or the county records steps —
a neighbouring town in the 办案协作区 reads the case but records nothing.

Events are of the confidential kind ``discipline_case`` and their payloads are sealed
(app.sealing): the engine folds the *opened* events — the service
(app.services.discipline) replaces each sealed payload by its plaintext before folding,
so no engine hook is needed.  Pure: no I/O, no clock; dates come from the documents;
``Act.rules`` is the ``SupervisionRules`` in force.  Clocks (due dates) are
``cases.case_clocks`` on ``CaseState.as_case()``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from app.domain.events import Event, Rejected
from app.domain.supervision.cases import DISPOSALS, HANDLINGS, check_case
from app.domain.supervision.double_check import LIABLE, close_gate
from app.domain.supervision.rules import SupervisionRules
from app.domain.workflow import OK, Act, Effect, Flow, Step, Transition, Verdict, no

KIND = "discipline_case"
SOURCES = ("检举控告", "上级交办", "监督检查发现", "巡察移交", "其他")
STATUS_NAMES = {"new": "未受理", "registered": "已受理，待处置", "preliminary": "初核中",
                "closed": "已了结", "investigating": "审查调查中", "investigated": "调查结束，待处理",
                "decided": "已处理，待结案", "concluded": "已结案", "replied": "已反馈举报人",
                "revisited": "已回访"}


@dataclass(frozen=True)
class CaseState:
    record: str
    status: str = "new"
    level: str | None = None                     # "town" once opened (the engine's holder)
    owner_node: str | None = None
    path: tuple[tuple[str, str | None], ...] = ()
    town: str = ""                               # the hub of the town whose case it is
    received: str = ""
    source: str = ""
    report: str = ""                             # the sealed report's record, if any
    receipt_no: str = ""
    named_reporter: bool = False
    from_above: bool = False
    subject: Mapping[str, str] = field(default_factory=dict)   # 被反映人 name, unit, post
    summary: str = ""
    disposal: str = ""
    disposed_on: str = ""
    preliminary_done: str = ""
    filed_on: str = ""
    closed_on: str = ""
    closed_reason: str = ""
    extension_days: int = 0
    investigated_on: str = ""
    substantiated: bool = False
    facts: str = ""
    decided_on: str = ""
    handling: tuple[str, ...] = ()
    persons: tuple[Mapping[str, str], ...] = ()
    reviews: tuple[Mapping[str, Any], ...] = ()
    concluded_on: str = ""
    replied_on: str = ""
    revisited_on: str = ""
    shared_with: tuple[str, ...] = ()            # 办案协作区: neighbouring towns' hubs
    steps: tuple[Step, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    seen: frozenset[str] = frozenset()

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    def as_case(self) -> dict[str, Any]:
        """The fields ``cases.case_clocks``/``check_case`` read."""
        return {"received": self.received, "from_above": self.from_above,
                "named_reporter": self.named_reporter, "disposal": self.disposal or None,
                "disposed_on": self.disposed_on, "preliminary_done": self.preliminary_done,
                "filed_on": self.filed_on, "closed_on": self.closed_on,
                "closed_reason": self.closed_reason, "extension_days": self.extension_days,
                "investigated_on": self.investigated_on, "decided_on": self.decided_on,
                "handling": list(self.handling), "registered_on": self.received,
                "replied_on": self.replied_on, "revisited_on": self.revisited_on}


Check = Callable[[CaseState, Mapping[str, Any], Act], Verdict]


def _rules(act: Act) -> SupervisionRules:
    rules = act.rules
    assert isinstance(rules, SupervisionRules), "the 纪委's cases need SupervisionRules"
    return rules


# payload helpers -----------------------------------------------------------------------
def _text(p: Mapping[str, Any], key: str) -> str:
    value = p.get(key)
    return value.strip() if isinstance(value, str) else ""


def _date(p: Mapping[str, Any], key: str = "on") -> date | None:
    try:
        return date.fromisoformat(str(p.get(key)))
    except ValueError:
        return None


def _need(*pairs: tuple[bool, str]) -> Verdict:
    """The first rule not met, or OK; the date of the step comes first."""
    for ok, message in pairs:
        if not ok:
            return no("bad_payload", message)
    return OK


def _dated(p: Mapping[str, Any]) -> tuple[bool, str]:
    return _date(p) is not None, "请选择日期（年-月-日）"


# the steps ----------------------------------------------------------------------------
def _check_open(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    given = p.get("subject")
    subject: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    return _need((_date(p, "received") is not None, "请选择收到线索的日期"),
                 (p.get("source") in SOURCES, "请选择线索来源：" + "、".join(SOURCES)),
                 (bool(_text(subject, "name") or _text(subject, "unit")), "请填写被反映的人员或单位"),
                 (bool(_text(p, "summary")), "请填写反映的主要问题"))


def _apply_open(s: CaseState, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    """The case belongs to the author's town (its certifying hub); the county names it."""
    subject = {k: _text(p["subject"], k) for k in ("name", "unit", "post") if _text(p["subject"], k)}
    town = str(p.get("town") or "") if act.level == "county" else str(act.parent or "")
    return Effect({"status": "registered", "level": "town", "town": town,
                   "received": str(p["received"]), "source": p["source"],
                   "report": _text(p, "report"), "receipt_no": _text(p, "receipt_no"),
                   "named_reporter": bool(p.get("named_reporter")),
                   "from_above": bool(p.get("from_above")), "subject": subject,
                   "summary": _text(p, "summary")}, "受理")


def _check_dispose(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    closes = p.get("disposal") in ("予以了结", "暂存待查")
    return _need(_dated(p),
                 (p.get("disposal") in DISPOSALS, "请选择处置方式：" + "、".join(DISPOSALS)),
                 (not closes or bool(_text(p, "reason")), "予以了结或暂存待查须写明理由"))


def _apply_dispose(s: CaseState, e: Event, p: Mapping[str, Any], act: Act) -> Effect:
    if p["disposal"] in ("予以了结", "暂存待查"):
        return Effect({"status": "closed", "disposal": p["disposal"], "disposed_on": p["on"],
                       "closed_on": p["on"], "closed_reason": _text(p, "reason")}, "处置")
    return Effect({"status": "preliminary", "disposal": p["disposal"],
                   "disposed_on": p["on"]}, "处置")


def _check_reason(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    return _need(_dated(p), (bool(_text(p, "reason")), "了结须写明理由（如反映不实、不属于纪检监察管辖…）"))


def _check_basis(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    return _need(_dated(p), (bool(_text(p, "basis")), "立案须写明依据（初核认定的违纪违法事实）"))


def _check_extend(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    days, total = p.get("days"), _rules(act).case_investigation_extension_days
    room = total - s.extension_days
    return _need(_dated(p), (
        isinstance(days, int) and not isinstance(days, bool) and 0 < days <= room,
        f"延长天数须在1到{room}天之间（审查调查延长累计不超过{total}天）"),
        (bool(_text(p, "reason")), "延长须写明理由和批准人"))


def _check_investigated(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    return _need(_dated(p), (isinstance(p.get("substantiated"), bool), "请选择：问题是否查实"),
                 (bool(_text(p, "facts")), "请填写调查认定的事实"))


def _check_decided(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    handling, persons = p.get("handling"), p.get("persons")
    return _need(_dated(p), (
        isinstance(handling, list) and bool(handling) and all(h in HANDLINGS for h in handling),
        "请选择处理方式：" + "、".join(HANDLINGS)), (
        isinstance(persons, list) and bool(persons) and all(
            isinstance(x, Mapping) and _text(x, "name") for x in persons),
        "请填写受处理人的姓名（可多人）"))


def _check_review(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    rules = _rules(act)
    if p.get("kind") not in rules.double_check_reviews:
        return no("bad_payload", "请选择审查的是哪一种责任：" + "、".join(rules.double_check_reviews))
    problem = close_gate(True, [p], rules)
    own = [m for m in problem.missing if m.startswith(str(p["kind"]))]
    return _need(_dated(p), (not own, own[0] if own else ""))


def _ready_conclude(s: CaseState, act: Act) -> Verdict:
    gate = close_gate(s.substantiated, s.reviews, _rules(act))
    return OK if gate.allowed else no("double_check", gate.message)


def _ready_reply(s: CaseState, act: Act) -> Verdict:
    return _need((s.named_reporter, "匿名举报不需要反馈（没有可联系的举报人）"),
                 (not s.replied_on, "已经反馈过举报人"))


def _ready_revisit(s: CaseState, act: Act) -> Verdict:
    return _need((bool(s.decided_on), "只有作出处理的案件才需要回访"),
                 (not s.revisited_on, "已经回访过"))


def _check_share(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    towns = p.get("towns")
    return _need(_dated(p), (isinstance(towns, list) and bool(towns) and all(
        isinstance(t, str) and t and t != s.town for t in towns), "请选择协作的相邻乡镇纪委"))


def _content(key: str, message: str) -> Check:
    return lambda s, p, act: _need(_dated(p), (bool(_text(p, key)), message))


def _dated_only(s: CaseState, p: Mapping[str, Any], act: Act) -> Verdict:
    return _need(_dated(p))


def _substantiated(message: str) -> Callable[[CaseState, Act], Verdict]:
    return lambda s, act: _need((s.substantiated, message))


def _effect(what: str, changes: Callable[[CaseState, Mapping[str, Any]], dict[str, Any]]
            ) -> Callable[[CaseState, Event, Mapping[str, Any], Act], Effect]:
    return lambda s, e, p, act: Effect(changes(s, p), what)


# the holder rule and the dates ------------------------------------------------------------
def _own_town_or_county(s: CaseState, step: Transition[CaseState], act: Act) -> Verdict | None:
    """A step is recorded by the case's own town's 纪委 or the county's; a neighbouring
    town in the 协作区 reads it but records nothing (its steps are not applied)."""
    if act.level == "county" or not s.town or act.parent == s.town:
        return None
    return no("not_holder", "这件案件属于别的乡镇纪委：协作区的乡镇只能查看，不能登记办理步骤")


def _dates_in_order(s: CaseState, step: Transition[CaseState], p: Mapping[str, Any],
                    act: Act) -> Verdict:
    """Every date of the case, with this step applied, in order (cases.check_case)."""
    after = replace(s, **step.apply(s, {}, p, act).changes)
    problems = check_case(after.as_case())
    return no("bad_dates", "；".join(problems)) if problems else OK


def _wrong_status(s: CaseState, step: Transition[CaseState]) -> Verdict:
    return no("wrong_status", f"案件现在“{s.status_name}”，不能{step.label or '受理'}")


OPEN_STEPS = frozenset({"registered", "preliminary", "investigating", "investigated", "decided"})
DONE = frozenset({"closed", "concluded", "replied", "revisited"})
CASE: Flow[CaseState] = Flow(
    name="案件办理", record_word="案件记录",
    new=lambda record: CaseState(record=record),
    steps=(
        Transition("discipline.case_opened", {"new"}, "", _apply_open, _check_open),
        Transition("discipline.case_disposed", {"registered"}, "处置", _apply_dispose,
                   _check_dispose),
        Transition("discipline.case_filed", {"preliminary"}, "立案", _effect(
            "立案", lambda s, p: {"status": "investigating", "filed_on": p["on"],
                                "preliminary_done": p["on"]}), _check_basis),
        Transition("discipline.case_dismissed", {"registered", "preliminary"}, "了结", _effect(
            "了结", lambda s, p: {"status": "closed", "closed_on": p["on"],
                                "closed_reason": _text(p, "reason"),
                                "preliminary_done": p["on"] if s.status == "preliminary" else ""}),
                   _check_reason),
        Transition("discipline.case_extended", {"investigating"}, "延长审查调查", _effect(
            "延长审查调查", lambda s, p: {"extension_days": s.extension_days + int(p["days"])}),
                   _check_extend),
        Transition("discipline.case_investigated", {"investigating"}, "调查结束", _effect(
            "调查结束", lambda s, p: {"status": "investigated", "investigated_on": p["on"],
                                  "substantiated": bool(p["substantiated"]),
                                  "facts": _text(p, "facts")}), _check_investigated),
        Transition("discipline.case_decided", {"investigated"}, "处理", _effect(
            "处理", lambda s, p: {"status": "decided", "decided_on": p["on"],
                                "handling": tuple(p["handling"]),
                                "persons": tuple(dict(x) for x in p["persons"])}),
                   _check_decided, ready=_substantiated("问题未查实，不作处理，可直接结案")),
        Transition("discipline.review_recorded", {"investigated", "decided"}, "一案双查", _effect(
            "一案双查", lambda s, p: {"reviews": s.reviews + (dict(p),)}), _check_review,
                   ready=_substantiated("问题未查实，不需要一案双查")),
        Transition("discipline.case_concluded", {"investigated", "decided"}, "结案", _effect(
            "结案", lambda s, p: {"status": "concluded", "concluded_on": p["on"]}),
                   _dated_only, ready=_ready_conclude),
        Transition("discipline.case_replied", {"closed", "concluded"}, "反馈举报人", _effect(
            "反馈举报人", lambda s, p: {"status": "replied", "replied_on": p["on"]}),
                   _content("content", "请填写反馈的内容和方式"), ready=_ready_reply),
        Transition("discipline.case_revisited", {"concluded", "replied"}, "回访", _effect(
            "回访", lambda s, p: {"status": "revisited", "revisited_on": p["on"]}),
                   _content("result", "请填写回访情况"), ready=_ready_revisit),
        Transition("discipline.case_shared", OPEN_STEPS | DONE, "办案协作", _effect(
            "办案协作", lambda s, p: {
                "shared_with": tuple(dict.fromkeys(s.shared_with + tuple(p["towns"])))}),
                   _check_share),
    ),
    wrong_status=_wrong_status,
    node_rule=_own_town_or_county,
    common=_dates_in_order,
    on=lambda p: str(p.get("on") or p.get("received") or "") or None,
)
KINDS = CASE.kinds
fold = CASE.fold


def integrity_entries(state: CaseState) -> list[dict[str, Any]]:
    """廉政档案 entries from a decided case: one per person handled, and the 问责 of the
    一案双查 reviews found liable (RULES.md §4: results go into 廉政档案)."""
    out = [{"name": _text(p, "name"), "unit": _text(p, "unit"), "post": _text(p, "post"),
            "on": state.decided_on, "handling": "、".join(state.handling), "case": state.record,
            "why": state.facts} for p in state.persons]
    for review in state.reviews:
        if review.get("finding") == LIABLE:
            out.append({"name": _text(review, "subject"), "unit": "", "post": "",
                        "on": str(review.get("on") or ""),
                        "handling": "、".join(review.get("handling") or []),
                        "case": state.record, "why": f"{review.get('kind')}：{_text(review, 'facts')}"})
    return out
